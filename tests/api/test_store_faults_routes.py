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


@pytest.fixture(scope="module")
def srv():
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
    n = walk(srv, op, prepare, send, ok=ok_codes)
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
