"""Shopify's mandatory privacy webhooks on POST /v1/integrations/shopify/webhooks:
customers/redact erases the person through the erasure of DELETE
/v1/customers/{id}, customers/data_request tells the shop with a
customer.data_requested event, shop/redact disconnects the store. Same HMAC
and delivery-id dedupe as the other topics (docs/integrations.md, "Privacy
topics"). The payloads follow the shape Shopify documents for the three topics
(shop_id, shop_domain, customer {id, email, phone}, orders_to_redact /
orders_requested, data_request {id}); each is signed here with Python's hmac."""
import uuid

import pytest

from conftest import OPERATOR_KEY, Api, connect_db, make_shop
from integration_helpers import payload, shopify_delivery, shopify_store, snapshot
from test_erasure import raw_files

SECRET = "shpss_privacy_0c3a9e1b7d4c28a6e9f01b2c"


def connect(shop):
    return shopify_store(shop, SECRET)


@pytest.fixture
def store(shop):
    return connect(shop)


def deliver(store, topic, body, **kw):
    return shopify_delivery(store, topic, body, SECRET, store.domain, **kw)


def answer(r, outcome):
    assert r.status_code == 200, r.text
    assert r.json()["outcome"] == outcome, r.text
    return r.json()


def person(shopify_id=None):
    """A customers/create payload for a person of this test alone."""
    tag = uuid.uuid4().hex[:8]
    body = payload("shopify", "customers_create")
    body.update({"id": shopify_id or int(tag, 16) % 10 ** 9 + 10 ** 9,
                 "email": f"Ilse.Quendt{tag}@example.com", "first_name": f"Ilse{tag}",
                 "last_name": f"Quendt{tag}", "phone": "+4917" + str(int(tag, 16) % 10 ** 8).zfill(8)})
    return body


def secrets_of(p):
    return [p["email"], p["email"].lower(), p["first_name"], p["last_name"], p["phone"]]


def redact_body(store, p, orders=()):
    return {"shop_id": 954889, "shop_domain": store.domain,
            "customer": {"id": p["id"], "email": p["email"], "phone": p["phone"]},
            "orders_to_redact": list(orders)}


def data_request_body(store, p, orders=(), request_id=9999):
    return {"shop_id": 954889, "shop_domain": store.domain, "orders_requested": list(orders),
            "customer": {"id": p["id"], "email": p["email"], "phone": p["phone"]},
            "data_request": {"id": request_id}}


def order_for(p, shopify_order_id, customer=True):
    body = payload("shopify", "orders_paid")
    body["id"] = shopify_order_id
    for line in body["line_items"]:
        line["id"] = line["id"] + shopify_order_id
    if customer:
        body["customer"] = {k: p[k] for k in ("id", "email", "first_name", "last_name", "phone")}
    else:
        body.update({"customer": None, "email": p["email"], "phone": None})
    return body


# ---- customers/redact ----

def test_customers_redact_erases_the_customer_by_their_shopify_id_and_keeps_the_orders(store):
    p = person()
    cid = answer(deliver(store, "customers/create", p), "applied")["customer"]
    order = answer(deliver(store, "orders/paid", order_for(p, 5130000001)), "applied")
    assert order["customer"] == cid and order["order_status"] == "paid"
    d = answer(deliver(store, "customers/redact", redact_body(store, p, [5130000001])), "applied")
    assert d["customer"] == cid and d["topic"] == "customers/redact"
    c = store.get(f"/v1/customers/{cid}").json()
    assert c["status"] == "erased"
    assert (c["name"], c["email"], c["phone"], c["external_id"], c["identities"]) == \
        (None, None, None, None, [])
    # The order stays, anonymous, with its points figures: the erasure's rule.
    o = store.get("/v1/orders/ext:shopify:5130000001")
    assert o.status_code == 200 and o.json()["customer"] == cid and o.json()["status"] == "paid"
    # The erasure is the one DELETE /v1/customers/{id} makes: its event too.
    events = store.get("/v1/events?type=customer.erased").json()["data"]
    assert [e["data"]["id"] for e in events] == [cid]
    # The platform's later deliveries of the person do not bring them back.
    again = deliver(store, "customers/update", p)
    assert answer(again, "ignored")["reason"].startswith("the customer was erased here")


def test_a_second_redact_of_the_same_person_is_200_and_a_replay_changes_nothing(store):
    p = person()
    answer(deliver(store, "customers/create", p), "applied")
    hook = str(uuid.uuid4())
    first = answer(deliver(store, "customers/redact", redact_body(store, p), webhook_id=hook),
                   "applied")
    before = snapshot(store)
    replay = answer(deliver(store, "customers/redact", redact_body(store, p), webhook_id=hook),
                    "replayed")
    assert replay["delivery_id"] == first["delivery_id"]
    second = answer(deliver(store, "customers/redact", redact_body(store, p)), "ignored")
    assert second["reason"] == "the customer was erased here already"
    assert snapshot(store) == before
    assert len(store.get("/v1/events?type=customer.erased").json()["data"]) == 1


def test_an_unknown_customer_is_200_ignored_and_changes_nothing(store):
    answer(deliver(store, "customers/create", person()), "applied")
    before = snapshot(store)
    d = answer(deliver(store, "customers/redact", redact_body(store, person(), [5999])), "ignored")
    assert d["reason"] == "retain holds no customer with this shopify id, e-mail or phone"
    assert d["customer"] is None
    assert snapshot(store) == before


def test_a_customer_known_only_by_e_mail_is_found_by_it(store):
    """A guest checkout makes a customer from the order's e-mail, with no Shopify
    id: that is how retain knows the person, so the redact finds them by it."""
    p = person()
    o = answer(deliver(store, "orders/paid", order_for(p, 5130000002, customer=False)), "applied")
    guest = store.get(f"/v1/customers/{o['customer']}").json()
    assert guest["external_id"] is None and guest["email"] == p["email"].lower()
    d = answer(deliver(store, "customers/redact", redact_body(store, p)), "applied")
    assert d["customer"] == o["customer"]
    assert store.get(f"/v1/customers/{o['customer']}").json()["status"] == "erased"


def test_the_buyers_of_the_orders_to_redact_are_erased_too(store):
    """The person's earlier guest order was recorded under an e-mail they no
    longer have: the order named in orders_to_redact leads to that record."""
    p = person()
    old = dict(p, email=f"old.{uuid.uuid4().hex[:8]}@example.com")
    guest = answer(deliver(store, "orders/paid", order_for(old, 5130000003, customer=False)),
                   "applied")["customer"]
    cid = answer(deliver(store, "customers/create", p), "applied")["customer"]
    assert guest != cid
    d = answer(deliver(store, "customers/redact", redact_body(store, p, [5130000003, 404])),
               "applied")
    assert d["customer"] == cid
    for erased in (cid, guest):
        c = store.get(f"/v1/customers/{erased}").json()
        assert c["status"] == "erased" and c["email"] is None, c
    assert store.get("/v1/orders/ext:shopify:5130000003").json()["status"] == "paid"


def test_a_guest_record_holding_the_requests_e_mail_is_erased_with_the_person(store):
    """The probe's finding: the request names the Shopify id of one record and
    an e-mail that a guest record of the same person holds (a checkout before
    the account). The e-mail must exist nowhere afterwards."""
    p = person()
    cid = answer(deliver(store, "customers/create", dict(p, email=None, phone=None)),
                 "applied")["customer"]
    guest = answer(deliver(store, "orders/paid", order_for(p, 5130000004, customer=False)),
                   "applied")["customer"]
    assert guest != cid
    answer(deliver(store, "customers/redact", redact_body(store, p)), "applied")
    for erased in (cid, guest):
        c = store.get(f"/v1/customers/{erased}").json()
        assert c["status"] == "erased" and c["email"] is None, c


def test_someone_shopify_knows_under_another_id_is_left_alone(store):
    """Same e-mail, another Shopify customer id: not the person the request is
    about, so nobody is erased on the strength of the e-mail alone."""
    p = person()
    cid = answer(deliver(store, "customers/create", p), "applied")["customer"]
    other = dict(p, id=p["id"] + 1)
    before = snapshot(store)
    answer(deliver(store, "customers/redact", redact_body(store, other)), "ignored")
    assert snapshot(store) == before
    assert store.get(f"/v1/customers/{cid}").json()["email"] == p["email"].lower()


def test_after_a_redact_the_person_is_nowhere_in_the_database(fresh_server):
    """The bytes of the database (SQLite's file and WAL; PostgreSQL's pg_dump),
    as the erasure tests read them: the customer the webhooks made, a copy the
    shop made through the API with an Idempotency-Key (a stored response), and
    the deliveries remembered, integration_deliveries included."""
    fresh_server.start()
    store = connect(make_shop(Api(fresh_server, OPERATOR_KEY)))
    p = person()
    key = "k-" + uuid.uuid4().hex
    made = store.post("/v1/customers", {"email": p["email"], "name": "Ilse from the till"},
                      headers={"Idempotency-Key": key})
    assert made.status_code == 201, made.text
    answer(deliver(store, "customers/create", p), "applied")        # found by e-mail
    answer(deliver(store, "customers/update", dict(p, note="vip")), "applied")
    answer(deliver(store, "orders/paid", order_for(p, 5130000004)), "applied")
    blob = raw_files(fresh_server)
    assert p["email"].lower().encode() in blob and p["last_name"].encode() in blob
    d = answer(deliver(store, "customers/redact", redact_body(store, p, [5130000004])), "applied")
    assert d["customer"] == made.json()["id"]
    blob = raw_files(fresh_server)
    for s in secrets_of(p) + ["Ilse from the till"]:
        assert s.encode() not in blob, f"{s!r} is still in the database"
    assert p["email"].split("@")[0].lower().encode() not in blob
    con = connect_db(fresh_server.db)
    rows = con.execute("SELECT shop_id, platform, delivery_id, topic, outcome"
                       " FROM integration_deliveries").fetchall()
    con.close()
    assert len(rows) == 4 and not any(s in str(rows) for s in secrets_of(p))
    replay = store.post("/v1/customers", {"email": p["email"], "name": "Ilse from the till"},
                        headers={"Idempotency-Key": key})
    assert replay.status_code == 201 and p["email"].lower() not in replay.text.lower()
    assert fresh_server.stop() == 0
    blob = raw_files(fresh_server)
    for s in secrets_of(p):
        assert s.encode() not in blob, f"{s!r} is in the database after a clean stop"


def test_a_redact_without_its_customer_object_is_400_and_changes_nothing(store):
    before = snapshot(store)
    r = deliver(store, "customers/redact", {"shop_id": 1, "shop_domain": store.domain})
    assert r.status_code == 400 and r.json()["error"]["param"] == "customer", r.text
    r = deliver(store, "customers/redact", dict(redact_body(store, person()),
                                                orders_to_redact=[{"id": 1}]))
    assert r.status_code == 400 and r.json()["error"]["param"] == "orders_to_redact[0]", r.text
    assert snapshot(store) == before


@pytest.mark.parametrize("topic", ["customers/redact", "customers/data_request", "shop/redact"])
def test_a_privacy_topic_with_a_wrong_signature_is_401_and_changes_nothing(store, topic):
    p = person()
    answer(deliver(store, "customers/create", p), "applied")
    before = snapshot(store)
    r = deliver(store, topic, redact_body(store, p), signature="bm90IHRoZSBzaWduYXR1cmU=")
    assert r.status_code == 401 and r.json()["error"]["code"] == "webhook_signature_invalid"
    assert snapshot(store) == before
    assert store.get("/v1/integrations/shopify").status_code == 200


# ---- customers/data_request ----

def test_a_data_request_tells_the_shop_with_an_event_naming_the_customer(store):
    p = person()
    cid = answer(deliver(store, "customers/create", p), "applied")["customer"]
    before = snapshot(store)
    d = answer(deliver(store, "customers/data_request", data_request_body(store, p)), "applied")
    assert d["customer"] == cid
    events = store.get("/v1/events?type=customer.data_requested").json()["data"]
    assert len(events) == 1
    assert events[0]["data"] == {"object": "customer", "id": cid, "customer": cid,
                                 "data_request": "shopify:9999"}
    assert snapshot(store) == before, "nothing of the customer changes"
    # The data is still there for the shop to send.
    assert store.get(f"/v1/customers/{cid}").json()["email"] == p["email"].lower()


def test_a_data_request_for_nobody_retain_knows_is_ignored_with_no_event(store):
    d = answer(deliver(store, "customers/data_request", data_request_body(store, person())),
               "ignored")
    assert "no customer" in d["reason"]
    assert store.get("/v1/events?type=customer.data_requested").json()["data"] == []


def test_a_data_request_replayed_records_one_event(store):
    p = person()
    answer(deliver(store, "customers/create", p), "applied")
    hook = str(uuid.uuid4())
    answer(deliver(store, "customers/data_request", data_request_body(store, p), webhook_id=hook),
           "applied")
    answer(deliver(store, "customers/data_request", data_request_body(store, p), webhook_id=hook),
           "replayed")
    assert len(store.get("/v1/events?type=customer.data_requested").json()["data"]) == 1


# ---- shop/redact ----

def test_shop_redact_disconnects_the_store_and_keeps_the_shops_data(store):
    p = person()
    cid = answer(deliver(store, "customers/create", p), "applied")["customer"]
    answer(deliver(store, "orders/paid", order_for(p, 5130000005)), "applied")
    before = snapshot(store)
    d = answer(deliver(store, "shop/redact", {"shop_id": 954889, "shop_domain": store.domain}),
               "applied")
    assert "disconnected" in d["reason"]
    assert store.get("/v1/integrations/shopify").status_code == 404
    assert snapshot(store) == before
    assert store.get(f"/v1/customers/{cid}").json()["email"] == p["email"].lower()
    assert [e["type"] for e in store.get("/v1/events?type=integration.*").json()["data"]] == \
        ["integration.connected", "integration.disconnected"]
    # The secret is forgotten: nothing from the store verifies any more.
    r = deliver(store, "orders/paid", order_for(p, 5130000006))
    assert r.status_code == 401
    assert store.get("/v1/orders/ext:shopify:5130000006").status_code == 404
