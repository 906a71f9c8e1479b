"""The store fault sweep of test_store_faults.py over the rest of the API.

Every write route not walked there is walked here the same way (walk():
each statement failing in turn gives a 500 store_error, leaves every row of
every table as it was, and the same request sent again under the same
Idempotency-Key succeeds); the inbound Shopify and WooCommerce webhooks,
which carry no Idempotency-Key, are re-sent with the same delivery id, which
must not have been taken as seen by the failed try. The GETs READS there
lacks are walked as reads (a fired fault gives a 500, never a 404 or a
shortened 200).

POST /v1/jobs/run is different: each job commits in a transaction of its own,
so a fault may leave some jobs done. There a fault must give a 500 (or a 200
that counts what was done), `retain check` stays clean, and a rerun without
the fault leaves the shop exactly as a run that met no fault (the first,
unfaulted iteration is the reference): nothing done twice, nothing left.

Runs on SQLite, the ASan build and PostgreSQL (STRIDE there, as in
test_store_faults.py)."""
import uuid

import pytest

from conftest import OPERATOR_KEY, Api, make_shop, new_order
from coupon_helpers import cart, unique_code
from integration_helpers import payload, shopify_delivery, woocommerce_delivery
from loyalty_helpers import DAY, advance, set_clock, set_program
from test_store_faults import (MAX_STATEMENTS, STRIDE, arm, left, quiet_server, retain_check,
                               walk)

NOW = "2031-03-01T10:00:00Z"


@pytest.fixture
def srv():
    """A server of each test's own: every snapshot reads every row of every
    table, so a small database keeps the sweep fast."""
    with quiet_server() as s:
        yield s


@pytest.fixture
def op(srv):
    api = Api(srv, OPERATOR_KEY)
    set_clock(api, NOW)
    return api


@pytest.fixture
def shop(op):
    s = make_shop(op)
    set_program(s)
    return s


def ok(r, *codes):
    assert r.status_code in (codes or (200, 201)), r.text
    return r.json()


def customer(shop, **extra):
    return ok(shop.post("/v1/customers", {"email": f"{uuid.uuid4().hex[:10]}@example.com",
                                          **extra}))["id"]


def paid(shop, cid, sku="KETTLE"):
    o = ok(shop.post("/v1/orders", new_order(shop, customer={"id": cid}, lines=[
        {"sku": sku, "name": "Kettle", "category": "kitchen", "quantity": 1,
         "unit_price": 4000}])))
    ok(shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"}))
    return o


def token(shop, cid):
    return ok(shop.post(f"/v1/customers/{cid}/tokens"))["token"]


def idem(key, **more):
    return dict({"Idempotency-Key": key}, **more)


def sweep(srv, op, prepare, send, ok_codes=(200, 201), least=2):
    """walk() of test_store_faults.py, then `retain check`."""
    import time
    t = time.time()
    n = walk(srv, op, prepare, send, ok=ok_codes)
    print("SWEEP", n, round(time.time() - t, 2))
    assert n >= least, n
    retain_check(srv.db)
    return n


def campaign(shop, **fields):
    body = {"name": "Spring " + uuid.uuid4().hex[:6], "type": "generic",
            "code": "C" + uuid.uuid4().hex[:9].upper(), "starts_at": "2031-01-01T00:00:00Z",
            "ends_at": "2031-12-31T23:59:59Z", "discount": {"kind": "percent", "value": 10}}
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


# ---------------------------------------------------------------- programme, campaigns, coupons

def test_store_faults_routes__a_programme_put_is_whole_or_absent(srv, op, shop):
    def send(_, key):
        return shop.request("PUT", "/v1/program", {
            "earn": {"points_per_unit": 2}, "pending_days": 3,
            "expiry": {"policy": "days", "n": 365, "reminder_days": 30}},
            headers=idem(key))
    sweep(srv, op, lambda: None, send)


def test_store_faults_routes__campaign_writes_are_whole_or_absent(srv, op, shop):
    sweep(srv, op, lambda: None,
          lambda _, key: shop.post("/v1/campaigns", campaign(shop), headers=idem(key)))

    def made():
        return ok(shop.post("/v1/campaigns", campaign(shop)))

    sweep(srv, op, made, lambda c, key: shop.patch(
        f"/v1/campaigns/{c['id']}", {"name": "Renamed " + key[-6:]}, headers=idem(key)))
    sweep(srv, op, made, lambda c, key: shop.post(f"/v1/campaigns/{c['id']}/end",
                                                  headers=idem(key)))

    def personal():
        c = ok(shop.post("/v1/campaigns", campaign(shop, type="personal", code=None,
                                                    validity_days=30)))
        return c, customer(shop)
    sweep(srv, op, personal, lambda cc, key: shop.post(
        f"/v1/campaigns/{cc[0]['id']}/issue", {"customers": [cc[1]]}, headers=idem(key)))

    def unique():
        return ok(shop.post("/v1/campaigns", campaign(shop, type="unique", code=None)))
    sweep(srv, op, unique, lambda c, key: shop.post(
        f"/v1/campaigns/{c['id']}/codes", {"count": 3}, headers=idem(key)))


def hunt(shop):
    return ok(shop.post("/v1/campaigns", {
        "name": "Find the leaves", "type": "treasure_hunt", "starts_at": "2031-01-01T00:00:00Z",
        "ends_at": "2031-12-31T00:00:00Z", "discount": {"kind": "percent", "value": 15}}))


def test_store_faults_routes__spots_and_treasure_claims_are_whole_or_absent(srv, op, shop):
    c = hunt(shop)
    sweep(srv, op, lambda: None, lambda _, key: shop.post(
        f"/v1/campaigns/{c['id']}/spots", {"page": "/teas/" + key[-6:], "clue": "under the lid",
                                           "claims_limit": 100}, headers=idem(key)))
    spot = ok(shop.post(f"/v1/campaigns/{c['id']}/spots",
                        {"page": "/teas", "clue": "in the pot", "claims_limit": 1000}))
    pk = Api(srv, shop.shop["publishable_key"])

    def who():
        cid = customer(shop)
        return cid, token(shop, cid)
    sweep(srv, op, who, lambda ct, key: pk.post(
        "/v1/treasure/claims", {"spot_token": spot["token"]},
        headers=idem(key, **{"Customer-Token": ct[1]})))
    sweep(srv, op, who, lambda ct, key: shop.post(
        "/v1/treasure/claims", {"spot_token": spot["token"], "customer": ct[0]},
        headers=idem(key)))


def reserved(shop):
    """A customer's unpaid order holding a reserved coupon redemption."""
    _, code = unique_code(shop)
    cid = customer(shop)
    body = new_order(shop, customer={"id": cid},
                     lines=[{"sku": l["sku"], "category": l.get("category"),
                             "quantity": l["quantity"], "unit_price": l["unit_price"]}
                            for l in cart()["lines"]])
    o = ok(shop.post("/v1/orders", body))
    red = ok(shop.post("/v1/coupons/redeem", {"code": code, "customer": cid, "order": o["id"],
                                              "cart": cart()}))
    assert red["status"] == "reserved", red
    return o, red


def test_store_faults_routes__a_coupon_release_and_an_order_cancel_are_whole_or_absent(
        srv, op, shop):
    sweep(srv, op, lambda: reserved(shop), lambda ored, key: shop.post(
        f"/v1/coupons/redemptions/{ored[1]['id']}/release", headers=idem(key)))

    made = []

    def prepare():
        made.append(reserved(shop))
        return made[-1]
    sweep(srv, op, prepare, lambda ored, key: shop.post(f"/v1/orders/{ored[0]['id']}/cancel",
                                                        headers=idem(key)))
    for _, red in made:           # each cancel, retried or not, released its reservation
        assert ok(shop.get(f"/v1/coupons/redemptions/{red['id']}"))["status"] != "reserved"


# ---------------------------------------------------------------- shipments, service, surveys

SLA = {"name": "Office", "calendar": {"timezone": "Europe/Warsaw", "weekdays": [1, 2, 3, 4, 5],
                                      "hours": {"start": "09:00", "end": "17:00"},
                                      "holidays": ["2031-12-25"]},
       "targets": [{"priority": "high", "channel": "email", "first_response_minutes": 60,
                    "resolution_minutes": 480}]}


CONTACT = {"support_contact": {"email": "help@tea.example"},
           "sender": {"email": "hello@tea.example", "name": "Tea House"}}


def shipped(shop, promised=None):
    cid = customer(shop)
    o = paid(shop, cid)
    body = {"external_id": "P-" + uuid.uuid4().hex[:8], "carrier": "FastPost"}
    if promised:
        body["promised_delivery_at"] = promised
    return cid, ok(shop.post(f"/v1/orders/{o['id']}/shipments", body))


def test_store_faults_routes__a_shipment_event_and_its_survey_are_whole_or_absent(srv, op, shop):
    ok(shop.patch(f"/v1/shops/{shop.shop['id']}", CONTACT))
    ok(shop.post("/v1/campaigns", {"name": "Sorry", "type": "apology", "points": 200,
                                   "starts_at": "2031-01-01T00:00:00Z",
                                   "triggers": ["late_delivery"]}))
    # delivered after its promise: late, with the NPS survey the delivery sends
    sweep(srv, op, lambda: shipped(shop, promised="2031-02-20T12:00:00Z"),
          lambda cs, key: shop.post(f"/v1/shipments/{cs[1]['id']}/events", {
              "external_id": key[-10:], "type": "delivered", "at": "2031-02-27T10:00:00Z"},
              headers=idem(key)))
    sweep(srv, op, lambda: shipped(shop),
          lambda cs, key: shop.post(f"/v1/shipments/{cs[1]['id']}/events", {
              "external_id": key[-10:], "type": "failed_attempt", "at": "2031-02-27T10:00:00Z",
              "reason": "customer_absent"}, headers=idem(key)))


def ticket(shop):
    return ok(shop.post("/v1/tickets", {"channel": "email", "customer": {"email": "t@example.com"},
                                        "subject": "Lid", "body": "Lost it", "priority": "high"}))


def test_store_faults_routes__ticket_writes_and_sla_policies_are_whole_or_absent(srv, op, shop):
    sweep(srv, op, lambda: None,
          lambda _, key: shop.post("/v1/sla_policies", dict(SLA, name="P " + key[-6:]),
                                   headers=idem(key)))
    policy = ok(shop.post("/v1/sla_policies", SLA))
    sweep(srv, op, lambda: policy, lambda p, key: shop.patch(
        f"/v1/sla_policies/{p['id']}", dict(SLA, name="R " + key[-6:]), headers=idem(key)))
    sweep(srv, op, lambda: ticket(shop), lambda t, key: shop.patch(
        f"/v1/tickets/{t['id']}", {"status": "pending", "priority": "urgent", "tags": ["vip"],
                                   "assignee": "Ola"}, headers=idem(key)))
    sweep(srv, op, lambda: ticket(shop), lambda t, key: shop.patch(
        f"/v1/tickets/{t['id']}", {"status": "solved"}, headers=idem(key)))
    sweep(srv, op, lambda: ticket(shop), lambda t, key: shop.post(
        f"/v1/tickets/{t['id']}/messages", {"author": "customer", "body": "Any news?"},
        headers=idem(key)))


def survey_token(shop):
    cid, s = shipped(shop)
    ok(shop.post(f"/v1/shipments/{s['id']}/events", {"external_id": "d-" + s["id"][-6:],
                                                     "type": "delivered",
                                                     "at": "2031-02-27T10:00:00Z"}))
    surveys = ok(shop.get(f"/v1/customers/{cid}/surveys"))["data"]
    assert surveys, "a delivered order sends an NPS survey"
    return surveys[0]["answer"]["token"]


def test_store_faults_routes__a_survey_answer_is_whole_or_absent(srv, op, shop):
    ok(shop.patch(f"/v1/shops/{shop.shop['id']}", CONTACT))
    anyone = Api(srv, None)
    for score, extra in ((9, {"comment": "Quick"}), (2, {"comment": "Broken", "suggestion": "Wrap"})):
        sweep(srv, op, lambda: survey_token(shop), lambda t, key, score=score, extra=extra:
              anyone.post("/v1/surveys/answers", dict({"token": t, "score": score}, **extra),
                          headers=idem(key)))


# ---------------------------------------------------------------- reviews, questions, activity, interests, friends

def review(shop):
    cid = customer(shop)
    paid(shop, cid)
    return cid, ok(shop.post("/v1/reviews", {"customer": cid, "rating": 2, "sku": "KETTLE",
                                             "title": "Loud", "body": "Leaks."}))


def test_store_faults_routes__review_replies_votes_and_moderation_are_whole_or_absent(
        srv, op, shop):
    sweep(srv, op, lambda: review(shop), lambda cr, key: shop.post(
        f"/v1/reviews/{cr[1]['id']}/replies", {"body": "Sorry", "public": True}, headers=idem(key)))
    pk = Api(srv, shop.shop["publishable_key"])

    def voter():
        _, rv = review(shop)
        cid = customer(shop)
        return rv, cid, token(shop, cid)
    sweep(srv, op, voter, lambda v, key: shop.post(
        f"/v1/reviews/{v[0]['id']}/votes", {"customer": v[1], "helpful": True}, headers=idem(key)))
    sweep(srv, op, voter, lambda v, key: pk.post(
        f"/v1/reviews/{v[0]['id']}/votes", {"customer": v[1], "helpful": False},
        headers=idem(key, **{"Customer-Token": v[2]})))
    sweep(srv, op, lambda: review(shop), lambda cr, key: shop.post(
        f"/v1/reviews/{cr[1]['id']}/moderate", {"action": "hide", "reason": "spam"},
        headers=idem(key)))


def test_store_faults_routes__questions_and_answers_are_whole_or_absent(srv, op, shop):
    sweep(srv, op, lambda: customer(shop), lambda cid, key: shop.post(
        "/v1/questions", {"customer": cid, "sku": "KETTLE", "body": "Does it whistle?"},
        headers=idem(key)))

    def asked():
        cid = customer(shop)
        paid(shop, cid)
        q = ok(shop.post("/v1/questions", {"customer": customer(shop), "sku": "KETTLE",
                                           "body": "Is it steel?"}))
        return q, cid
    sweep(srv, op, asked, lambda qc, key: shop.post(
        f"/v1/questions/{qc[0]['id']}/answers", {"by": "customer", "customer": qc[1],
                                                 "body": "It is."}, headers=idem(key)))
    sweep(srv, op, asked, lambda qc, key: shop.post(
        f"/v1/questions/{qc[0]['id']}/answers", {"by": "shop", "body": "Yes, steel."},
        headers=idem(key)))


def test_store_faults_routes__activity_interests_and_friends_are_whole_or_absent(srv, op, shop):
    at = "2031-02-28T10:00:00Z"
    sweep(srv, op, lambda: customer(shop), lambda cid, key: shop.post(
        f"/v1/customers/{cid}/activity", {"events": [{"type": "view", "sku": "KETTLE", "at": at},
                                                     {"type": "search", "query": "green tea",
                                                      "at": at}]}, headers=idem(key)))
    sweep(srv, op, lambda: None, lambda _, key: shop.request("PUT", "/v1/interests/catalogue", {
        "interests": [{"key": "green_tea", "name": "Green tea " + key[-4:], "skus": ["KETTLE"]},
                      {"key": "yoga", "name": "Yoga"}]}, headers=idem(key)))
    pk = Api(srv, shop.shop["publishable_key"])

    def someone():
        cid = customer(shop)
        return cid, token(shop, cid)
    sweep(srv, op, someone, lambda ct, key: shop.request(
        "PUT", f"/v1/customers/{ct[0]}/interests",
        {"interests": [{"interest": "green_tea", "visibility": "everyone"},
                       {"interest": "yoga", "visibility": "friends"}]}, headers=idem(key)))
    sweep(srv, op, someone, lambda ct, key: pk.request(
        "PUT", f"/v1/customers/{ct[0]}/interests",
        {"interests": [{"interest": "yoga", "visibility": "only_me"}]},
        headers=idem(key, **{"Customer-Token": ct[1]})))
    sweep(srv, op, lambda: (customer(shop), customer(shop)), lambda ab, key: shop.post(
        f"/v1/customers/{ab[0]}/friends", {"customer": ab[1]}, headers=idem(key)))

    def asked():
        a, b = customer(shop), customer(shop)
        ok(shop.post(f"/v1/customers/{a}/friends", {"customer": b}))
        return a, b
    sweep(srv, op, asked, lambda ab, key: shop.post(
        f"/v1/customers/{ab[1]}/friends/{ab[0]}/accept", headers=idem(key)))
