"""A hostile probe of Shopify's privacy topics on POST
/v1/integrations/shopify/webhooks (customers/redact, customers/data_request,
shop/redact), written from docs/integrations.md ("Privacy topics", "Deliveries:
what retain answers", "Erased customers"), docs/webhooks.md and
docs/openapi.yaml alone: forged and misdirected signatures, payloads of the
wrong shape, ids that are not ids, people who share an e-mail, merged and
erased people, replays, and what is left of a person once redacted (the
database's bytes, the GET answers, the stored idempotent responses). Every
refusal must have the API's error shape and leave every table's row count as
it was."""
import uuid

import pytest
import requests

from conftest import OPERATOR_KEY, PG, Api, connect_db, error_of, make_shop, new_order
from integration_helpers import shopify_delivery, sign
from loyalty_helpers import set_program
from test_erasure import raw_files
from test_shopify_privacy import order_for, person


def connect(shop, secret=None):
    shop.secret = secret or "shpss_probe_" + uuid.uuid4().hex
    shop.domain = f"probe-{uuid.uuid4().hex[:10]}.myshopify.com"
    r = shop.request("PUT", "/v1/integrations/shopify",
                     {"shop_domain": shop.domain, "webhook_secret": shop.secret})
    assert r.status_code == 201, r.text
    set_program(shop, pending_days=0)
    return shop


@pytest.fixture
def store(shop):
    return connect(shop)


@pytest.fixture
def other(operator):
    return connect(make_shop(operator, name="Other Tea"))


def deliver(store, topic, body, **kw):
    return shopify_delivery(store, topic, body, store.secret, store.domain, **kw)


def answer(r, outcome):
    assert r.status_code == 200, r.text
    assert r.json()["outcome"] == outcome, r.text
    return r.json()


def redact(store, p, orders=(), **customer):
    c = {"id": p["id"], "email": p["email"], "phone": p["phone"]}
    c.update(customer)
    return {"shop_id": 954889, "shop_domain": store.domain, "customer": c,
            "orders_to_redact": list(orders)}


def data_request(store, p, request_id=9999):
    return {"shop_id": 954889, "shop_domain": store.domain, "orders_requested": [],
            "customer": {"id": p["id"], "email": p["email"], "phone": p["phone"]},
            "data_request": {"id": request_id}}


def shop_redact(store):
    return {"shop_id": 954889, "shop_domain": store.domain}


def counts(server):
    """Every table's row count: what a refused delivery must leave as it was."""
    con = connect_db(server.db)
    try:
        if PG:
            names = [r[0] for r in con.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
        else:
            names = [r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")]
        sql = " UNION ALL ".join(f"SELECT '{n}', count(*) FROM {n}" for n in names)
        return dict(con.execute(sql).fetchall())
    finally:
        con.close()


def refused(r, status, code=None):
    assert r.status_code == status, r.text
    err = error_of(r)
    if code:
        assert err["code"] == code, err
    return err


def made(store, p):
    return answer(deliver(store, "customers/create", p), "applied")["customer"]


def status_of(store, cid):
    return store.get(f"/v1/customers/{cid}").json()["status"]


def erased_events(store):
    return store.get("/v1/events?type=customer.erased&limit=100").json()["data"]


# ---- signatures and headers ----

def test_probe__every_forged_or_misdirected_signature_is_401_and_changes_nothing(store, other):
    p = person()
    cid = made(store, p)
    body = redact(store, p)
    raw = b'{"shop_id":1,"shop_domain":"%s","customer":{"id":%d,"email":"%s","phone":"%s"}}' % (
        store.domain.encode(), p["id"], p["email"].encode(), p["phone"].encode())
    before = counts(store.server)
    tries = [
        deliver(store, "customers/redact", body, signature=None),
        deliver(store, "customers/redact", body, signature=""),
        deliver(store, "customers/redact", body, signature="bm90IGl0"),
        deliver(store, "customers/redact", body, signature=sign(store.secret, raw)[:-4] + "AAA="),
        # signed with the other connected shop's secret, naming this shop
        shopify_delivery(store, "customers/redact", body, other.secret, store.domain),
        # signed with this shop's secret, naming the other connected shop
        shopify_delivery(store, "customers/redact", body, store.secret, other.domain),
        # a domain nobody connected
        shopify_delivery(store, "customers/redact", body, store.secret, "nobody.myshopify.com"),
        # the body changed after signing: one byte of the e-mail
        shopify_delivery(store, "customers/redact", raw.replace(b"@", b"+x@"), store.secret,
                         store.domain, signature=sign(store.secret, raw)),
        # the body with a byte appended after signing
        shopify_delivery(store, "customers/redact", raw + b" ", store.secret, store.domain,
                         signature=sign(store.secret, raw)),
    ]
    for topic in ("customers/data_request", "shop/redact"):
        tries.append(shopify_delivery(store, topic, body, other.secret, store.domain))
    messages = set()
    for r in tries:
        messages.add(refused(r, 401, "webhook_signature_invalid")["message"])
    assert len(messages) == 1, f"the 401s must say the same words: {messages}"
    assert counts(store.server) == before
    assert status_of(store, cid) != "erased"
    assert store.get("/v1/integrations/shopify").status_code == 200


def test_probe__a_missing_topic_or_delivery_id_is_400_and_changes_nothing(store):
    p = person()
    made(store, p)
    before = counts(store.server)
    for drop in ("X-Shopify-Topic", "X-Shopify-Webhook-Id"):
        raw = b'{"shop_id":1,"customer":{"id":%d}}' % p["id"]
        h = {"Content-Type": "application/json", "X-Shopify-Topic": "customers/redact",
             "X-Shopify-Shop-Domain": store.domain, "X-Shopify-Webhook-Id": str(uuid.uuid4()),
             "X-Shopify-Hmac-Sha256": sign(store.secret, raw)}
        del h[drop]
        r = requests.post(store.server.url + "/v1/integrations/shopify/webhooks", data=raw,
                          headers=h, timeout=30)
        refused(r, 400)
    assert counts(store.server) == before


def test_probe__an_unknown_topic_is_200_ignored_and_erases_nobody(store):
    p = person()
    cid = made(store, p)
    for topic in ("customers/obliterate", "customers/redact ", "Customers/Redact", "shop/redact/x"):
        answer(deliver(store, topic, redact(store, p)), "ignored")
    assert status_of(store, cid) != "erased"
    assert erased_events(store) == []
    assert store.get("/v1/integrations/shopify").status_code == 200


# ---- payload shape ----

BAD_BODIES = [
    b"not json", b"", b"[]", b'"customers"', b"42", b"null", b'{"customer":{"id":1}',
    b'{"shop_id":1}', b'{"customer":null}', b'{"customer":"7001001"}', b'{"customer":[1]}',
    b'{"customer":7001001}',
]


@pytest.mark.parametrize("topic", ["customers/redact", "customers/data_request"])
def test_probe__a_payload_that_is_not_an_object_with_a_customer_is_400(store, topic):
    p = person()
    cid = made(store, p)
    before = counts(store.server)
    for raw in BAD_BODIES:
        r = deliver(store, topic, raw)
        refused(r, 400)
    assert counts(store.server) == before
    assert status_of(store, cid) != "erased"


@pytest.mark.parametrize("bad", [1.5, "5130000001x", None, True, {"id": 5130000001}, [5130000001],
                                 -1, 0, 2 ** 63, 2 ** 64 + 5130000101, 1e20])
def test_probe__an_orders_to_redact_entry_that_is_no_order_id_is_400(store, bad):
    p = person()
    cid = made(store, p)
    answer(deliver(store, "orders/paid", order_for(p, 5130000101)), "applied")
    before = counts(store.server)
    r = deliver(store, "customers/redact", redact(store, p, [5130000101, bad]))
    if r.status_code == 200:
        # An id retain reads (an integer or a short string, as every topic
        # reads ids: docs/integrations.md leaves this open) names no order here:
        # the person named is erased and nobody else.
        assert isinstance(bad, (int, str)) and not isinstance(bad, bool), \
            f"{bad!r} accepted: {r.text}"
        assert r.json()["customer"] == cid, r.text
        assert [e["data"]["id"] for e in erased_events(store)] == [cid]
        return
    err = refused(r, 400)
    # an integer JSON itself cannot hold is refused as JSON, before any field
    assert err["param"] == "orders_to_redact[1]" or err["code"] == "invalid_json", err
    assert counts(store.server) == before
    assert status_of(store, cid) != "erased"


def test_probe__orders_to_redact_not_a_list_is_400(store):
    p = person()
    cid = made(store, p)
    before = counts(store.server)
    for bad in (5130000101, "5130000101", {"0": 1}):
        r = deliver(store, "customers/redact", dict(redact(store, p), orders_to_redact=bad))
        refused(r, 400)
    assert counts(store.server) == before
    assert status_of(store, cid) != "erased"


@pytest.mark.parametrize("bad", [-7, 0, 1.5, True, [1], {"id": 1}])
def test_probe__a_customer_id_that_is_no_id_erases_nobody(store, bad):
    p = person()
    cid = made(store, p)
    before = counts(store.server)
    r = deliver(store, "customers/redact",
                {"shop_id": 1, "shop_domain": store.domain,
                 "customer": {"id": bad, "email": None, "phone": None}, "orders_to_redact": []})
    if r.status_code == 200:
        assert r.json()["outcome"] == "ignored", r.text
    else:
        refused(r, 400)
    assert status_of(store, cid) != "erased"
    if r.status_code != 200:
        assert counts(store.server) == before


def test_probe__a_huge_customer_id_does_not_wrap_onto_someone(store):
    p = person()
    cid = made(store, p)
    for huge in (p["id"] + 2 ** 64, p["id"] + 2 ** 32 * 2 ** 32, -(2 ** 64) + p["id"]):
        raw = b'{"shop_id":1,"customer":{"id":%d,"email":null,"phone":null},' \
              b'"orders_to_redact":[]}' % huge
        r = deliver(store, "customers/redact", raw)
        if r.status_code != 200:
            refused(r, 400)
        else:
            assert r.json()["outcome"] == "ignored", r.text
        assert status_of(store, cid) != "erased", f"{huge} erased {p['id']}"


def test_probe__a_customer_id_as_a_string_means_the_same_person_or_is_400(store):
    p = person()
    q = person()
    cid = made(store, p)
    qid = made(store, q)
    r = deliver(store, "customers/redact", redact(store, p, id=str(p["id"]), email=None,
                                                  phone=None))
    if r.status_code == 200:
        assert r.json()["customer"] in (cid, None), r.text
    else:
        refused(r, 400)
    assert status_of(store, qid) != "erased"


def test_probe__an_e_mail_in_odd_case_finds_the_guest_known_by_it(store):
    p = person()
    o = answer(deliver(store, "orders/paid", order_for(p, 5130000111, customer=False)), "applied")
    guest = o["customer"]
    stranger = dict(p, id=p["id"] + 77)         # a Shopify id retain never saw
    d = answer(deliver(store, "customers/redact",
                       redact(store, stranger, email=p["email"].upper(), phone=None)), "applied")
    assert d["customer"] == guest
    assert status_of(store, guest) == "erased"


def test_probe__an_e_mail_padded_with_spaces_finds_the_guest_or_nobody(store):
    p = person()
    q = person()
    o = answer(deliver(store, "orders/paid", order_for(p, 5130000112, customer=False)), "applied")
    qid = made(store, q)
    stranger = dict(p, id=p["id"] + 78)
    r = deliver(store, "customers/redact", redact(store, stranger, email="  " + p["email"] + " ",
                                                  phone=None))
    d = r.json()
    assert r.status_code == 200, r.text
    assert d["customer"] in (o["customer"], None), r.text
    assert status_of(store, qid) != "erased"


def test_probe__thousands_of_orders_to_redact_with_duplicates_erase_each_buyer_once(store):
    p = person()
    old = dict(p, email=f"old.{uuid.uuid4().hex[:8]}@example.com")
    guest = answer(deliver(store, "orders/paid", order_for(old, 5130000121, customer=False)),
                   "applied")["customer"]
    cid = made(store, p)
    orders = [5130000121] * 3 + list(range(6130000000, 6130005000)) + [5130000121]
    d = answer(deliver(store, "customers/redact", redact(store, p, orders)), "applied")
    assert d["customer"] == cid
    assert status_of(store, cid) == "erased" and status_of(store, guest) == "erased"
    assert sorted(e["data"]["id"] for e in erased_events(store)) == sorted([cid, guest])


# ---- who is erased ----

def test_probe__orders_to_redact_of_another_shop_reach_nobody_there(store, other):
    """The same Shopify order id in another retain shop is another store's order."""
    p = person()
    theirs = answer(deliver(other, "orders/paid", order_for(p, 5130000131, customer=False)),
                    "applied")["customer"]
    before_other = other.get(f"/v1/customers/{theirs}").json()
    mine = made(store, person())
    stranger = person()
    r = answer(deliver(store, "customers/redact", redact(store, stranger, [5130000131])),
               "ignored")
    assert r["customer"] is None
    assert other.get(f"/v1/customers/{theirs}").json() == before_other
    assert status_of(store, mine) != "erased"
    assert erased_events(other) == []


def test_probe__a_redact_naming_the_other_shops_domain_in_its_body_stays_in_the_signing_shop(
        store, other):
    """The header and signature name the shop; the body's shop_domain names
    another connected shop holding a person with the same Shopify id."""
    p = person()
    theirs = made(other, p)
    mine = made(store, p)
    r = deliver(store, "customers/redact", dict(redact(store, p), shop_domain=other.domain))
    if r.status_code == 200:
        assert r.json()["customer"] in (mine, None), r.text
    else:
        refused(r, 400)
    assert status_of(other, theirs) != "erased"
    assert other.get(f"/v1/customers/{theirs}").json()["email"] == p["email"].lower()


def test_probe__a_shared_e_mail_and_phone_under_another_shopify_id_is_never_erased(store):
    p = person()
    cid = made(store, p)
    before = counts(store.server)
    impostor = dict(p, id=p["id"] + 1)
    d = answer(deliver(store, "customers/redact", redact(store, impostor)), "ignored")
    assert d["customer"] is None
    answer(deliver(store, "customers/data_request", data_request(store, impostor)), "ignored")
    # and with only the phone shared
    d = answer(deliver(store, "customers/redact",
                       redact(store, impostor, email=f"x{uuid.uuid4().hex[:6]}@example.com")),
               "ignored")
    c = store.get(f"/v1/customers/{cid}").json()
    assert (c["status"] != "erased", c["email"], c["phone"]) == (True, p["email"].lower(), p["phone"])
    after = counts(store.server)
    assert {k: v for k, v in after.items() if after[k] != before[k]}.keys() <= \
        {"integration_deliveries"}, "an ignored request changes nothing but its delivery id"


def test_probe__orders_to_redact_naming_another_shopify_customers_order_leaves_them(store):
    """orders_to_redact reaches a guest record made from an old e-mail; an
    order whose buyer retain knows under another Shopify id belongs to that
    other person, who is never erased on another person's request."""
    p = person()
    q = person()
    cid = made(store, p)
    qid = answer(deliver(store, "orders/paid", order_for(q, 5130000141)), "applied")["customer"]
    assert qid != cid
    d = answer(deliver(store, "customers/redact", redact(store, p, [5130000141])), "applied")
    assert d["customer"] == cid
    assert status_of(store, qid) != "erased"
    assert store.get(f"/v1/customers/{qid}").json()["email"] == q["email"].lower()


def test_probe__a_redact_twice_and_after_delete_is_ignored_with_one_erasure(store):
    p = person()
    q = person()
    cid = made(store, p)
    qid = made(store, q)
    answer(deliver(store, "customers/redact", redact(store, p)), "applied")
    assert store.delete(f"/v1/customers/{qid}").status_code == 200
    before = counts(store.server)
    for who in (p, q):
        d = answer(deliver(store, "customers/redact", redact(store, who)), "ignored")
        assert d["reason"] == "the customer was erased here already", d
    assert sorted(e["data"]["id"] for e in erased_events(store)) == sorted([cid, qid])
    after = counts(store.server)
    assert {k for k in after if after[k] != before[k]} <= {"integration_deliveries"}


def test_probe__after_a_redact_a_new_order_of_that_person_is_ignored(store):
    p = person()
    cid = made(store, p)
    answer(deliver(store, "customers/redact", redact(store, p)), "applied")
    d = answer(deliver(store, "orders/create", order_for(p, 5130000151)), "ignored")
    assert "customer was erased here" in d["reason"], d
    assert store.get("/v1/orders/ext:shopify:5130000151").status_code == 404
    assert status_of(store, cid) == "erased"
    c = store.get(f"/v1/customers/{cid}").json()
    assert (c["email"], c["name"], c["phone"]) == (None, None, None)
    listed = store.get("/v1/customers?limit=100").text
    assert p["email"].lower() not in listed.lower()


def test_probe__a_redact_of_a_customer_merged_into_another_leaves_none_of_their_data(
        fresh_server):
    fresh_server.start()
    store = connect(make_shop(Api(fresh_server, OPERATOR_KEY)))
    p = person()
    source = made(store, p)
    target = store.post("/v1/customers", {"email": f"t{uuid.uuid4().hex[:8]}@example.com",
                                          "name": "Target Person"}).json()["id"]
    m = store.post(f"/v1/customers/{target}/merge", {"source": source})
    assert m.status_code == 200, m.text
    assert p["last_name"].encode() in raw_files(fresh_server)
    r = deliver(store, "customers/redact", redact(store, p))
    assert r.status_code == 200, r.text
    blob = raw_files(fresh_server)
    for s in (p["email"].lower(), p["first_name"], p["last_name"], p["phone"]):
        assert s.encode() not in blob, f"{s!r} of the merged person is still in the database"
    for cust in (source, target):
        text = store.get(f"/v1/customers/{cust}").text
        assert p["email"].lower() not in text.lower() and p["last_name"] not in text


def test_probe__a_redact_of_a_customer_others_were_merged_into_erases_them_too(fresh_server):
    fresh_server.start()
    store = connect(make_shop(Api(fresh_server, OPERATOR_KEY)))
    p = person()
    target = made(store, p)
    old = f"old.{uuid.uuid4().hex[:8]}@example.com"
    dup = store.post("/v1/customers", {"email": old, "name": "Ilse Duplicate",
                                       "phone": "+4917" + str(uuid.uuid4().int % 10 ** 8).zfill(8)})
    assert dup.status_code == 201, dup.text
    m = store.post(f"/v1/customers/{target}/merge", {"source": dup.json()["id"]})
    assert m.status_code == 200, m.text
    answer(deliver(store, "customers/redact", redact(store, p)), "applied")
    blob = raw_files(fresh_server)
    for s in (p["email"].lower(), p["last_name"], p["phone"], old, "Ilse Duplicate",
              dup.json()["phone"]):
        assert s.encode() not in blob, f"{s!r} is still in the database"
    assert store.get(f"/v1/customers/{dup.json()['id']}").json()["status"] in ("merged", "erased")


# ---- data_request ----

def test_probe__a_data_request_of_nobody_changes_nothing_but_its_delivery_id(store):
    made(store, person())
    before = counts(store.server)
    d = answer(deliver(store, "customers/data_request", data_request(store, person())), "ignored")
    assert d["reason"] == "retain holds no customer with this shopify id, e-mail or phone"
    after = counts(store.server)
    assert {k for k in after if after[k] != before[k]} <= {"integration_deliveries"}
    assert store.get("/v1/events?type=customer.data_requested").json()["data"] == []


def test_probe__a_data_request_of_an_erased_customer_carries_no_personal_data(store):
    p = person()
    cid = made(store, p)
    answer(deliver(store, "customers/redact", redact(store, p)), "applied")
    r = deliver(store, "customers/data_request", data_request(store, p, request_id=4242))
    assert r.status_code == 200, r.text
    events = store.get("/v1/events?type=customer.data_requested").json()["data"]
    assert all(e["data"].get("customer") in (cid, None) for e in events)
    assert p["email"].lower() not in str(events).lower()


def test_probe__a_data_request_without_an_id_has_no_data_request_field(store):
    p = person()
    cid = made(store, p)
    body = data_request(store, p)
    del body["data_request"]
    answer(deliver(store, "customers/data_request", body), "applied")
    events = store.get("/v1/events?type=customer.data_requested").json()["data"]
    assert len(events) == 1 and events[0]["data"]["customer"] == cid
    assert "data_request" not in events[0]["data"], events[0]


# ---- replays and shop/redact ----

def test_probe__each_privacy_delivery_replayed_changes_nothing_even_with_another_body(store):
    p = person()
    q = person()
    made(store, p)
    qid = made(store, q)
    ids = {t: str(uuid.uuid4()) for t in ("customers/data_request", "customers/redact")}
    answer(deliver(store, "customers/data_request", data_request(store, p),
                   webhook_id=ids["customers/data_request"]), "applied")
    answer(deliver(store, "customers/redact", redact(store, p),
                   webhook_id=ids["customers/redact"]), "applied")
    before = counts(store.server)
    for topic, hook in ids.items():
        answer(deliver(store, topic, redact(store, p) if "redact" in topic else
                       data_request(store, p), webhook_id=hook), "replayed")
        # the same delivery id with another person in it: still a replay
        answer(deliver(store, topic, redact(store, q) if "redact" in topic else
                       data_request(store, q), webhook_id=hook), "replayed")
    # a delivery id of one topic reused for another topic
    answer(deliver(store, "customers/redact", redact(store, q),
                   webhook_id=ids["customers/data_request"]), "replayed")
    assert counts(store.server) == before
    assert status_of(store, qid) != "erased"
    assert len(store.get("/v1/events?type=customer.data_requested").json()["data"]) == 1


def test_probe__after_shop_redact_every_delivery_is_401_replays_included(store):
    p = person()
    cid = made(store, p)
    hooks = {}
    for topic, body in (("customers/data_request", data_request(store, p)),
                        ("orders/paid", order_for(p, 5130000161))):
        hooks[topic] = (str(uuid.uuid4()), body)
        answer(deliver(store, topic, body, webhook_id=hooks[topic][0]), "applied")
    redact_hook = str(uuid.uuid4())
    answer(deliver(store, "shop/redact", shop_redact(store), webhook_id=redact_hook), "applied")
    before = counts(store.server)
    tries = [deliver(store, t, b, webhook_id=h) for t, (h, b) in hooks.items()]
    tries.append(deliver(store, "shop/redact", shop_redact(store), webhook_id=redact_hook))
    for topic, body in (("customers/redact", redact(store, p)), ("customers/create", p),
                        ("customers/data_request", data_request(store, p)),
                        ("shop/redact", shop_redact(store)), ("orders/create",
                                                              order_for(p, 5130000162)),
                        ("app/uninstalled", shop_redact(store))):
        tries.append(deliver(store, topic, body))
    for r in tries:
        refused(r, 401, "webhook_signature_invalid")
    assert counts(store.server) == before
    assert status_of(store, cid) != "erased"
    assert store.get("/v1/integrations/shopify").status_code == 404


def test_probe__shop_redact_of_one_store_leaves_the_other_connected(store, other):
    p = person()
    made(other, p)
    answer(deliver(store, "shop/redact", shop_redact(store)), "applied")
    assert other.get("/v1/integrations/shopify").status_code == 200
    answer(deliver(other, "customers/update", dict(p, first_name="Still")), "applied")


def test_probe__a_reconnect_after_shop_redact_takes_deliveries_again(store):
    p = person()
    answer(deliver(store, "shop/redact", shop_redact(store)), "applied")
    r = store.request("PUT", "/v1/integrations/shopify",
                      {"shop_domain": store.domain, "webhook_secret": store.secret})
    assert r.status_code == 201, r.text
    made(store, p)


# ---- what is left of a person ----

def test_probe__after_a_redact_the_person_is_nowhere_in_bytes_gets_or_stored_responses(
        fresh_server):
    fresh_server.start()
    store = connect(make_shop(Api(fresh_server, OPERATOR_KEY)))
    p = person()
    key = "k-" + uuid.uuid4().hex
    first = store.post("/v1/customers", {"email": p["email"], "phone": p["phone"],
                                         "name": f"{p['first_name']} {p['last_name']}"},
                       headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.text
    cid = first.json()["id"]
    okey = "k-" + uuid.uuid4().hex
    order = new_order(store, customer={"email": p["email"]})
    o = store.post("/v1/orders", order, headers={"Idempotency-Key": okey})
    assert o.status_code == 201, o.text
    answer(deliver(store, "customers/create", p), "applied")
    answer(deliver(store, "orders/paid", order_for(p, 5130000171)), "applied")
    answer(deliver(store, "customers/data_request", data_request(store, p)), "applied")
    blob = raw_files(fresh_server)
    for s in (p["email"].lower(), p["first_name"], p["last_name"], p["phone"]):
        assert s.encode() in blob, f"{s!r} was never stored: the check below would prove nothing"
    d = answer(deliver(store, "customers/redact", redact(store, p, [5130000171])), "applied")
    assert d["customer"] == cid
    forms = set()
    for s in (p["email"], p["first_name"], p["last_name"], p["phone"], p["phone"].lstrip("+")):
        forms |= {s, s.lower(), s.upper()}
    forms.add(p["email"].split("@")[0].lower())
    gets = [store.get(path).text for path in (
        f"/v1/customers/{cid}", "/v1/customers?limit=100", f"/v1/customers/{cid}/activity",
        f"/v1/customers/{cid}/overview", "/v1/orders?limit=100", "/v1/events?limit=100",
        f"/v1/orders?customer={cid}", "/v1/orders/ext:shopify:5130000171")]
    gets.append(store.post("/v1/customers", {"email": p["email"], "phone": p["phone"],
                                             "name": f"{p['first_name']} {p['last_name']}"},
                           headers={"Idempotency-Key": key}).text)
    gets.append(store.post("/v1/orders", order, headers={"Idempotency-Key": okey}).text)
    for text in gets:
        for f in forms:
            assert f not in text, f"{f!r} in an answer: {text[:300]}"
    assert fresh_server.stop() == 0
    blob = raw_files(fresh_server)
    for f in forms:
        assert f.encode() not in blob, f"{f!r} is still in the database's bytes"


def test_probe__a_customer_object_naming_no_id_e_mail_or_phone_erases_nobody(store):
    p = person()
    cid = made(store, p)
    before = counts(store.server)
    for c in ({}, {"id": None, "email": None, "phone": None}, {"email": "", "phone": ""},
              {"email": "not-an-e-mail", "phone": "call me"}):
        d = answer(deliver(store, "customers/redact", {"shop_id": 1, "customer": c}), "ignored")
        assert d["customer"] is None
    after = counts(store.server)
    assert {k for k in after if after[k] != before[k]} <= {"integration_deliveries"}
    assert status_of(store, cid) != "erased"


def test_probe__a_customer_the_shop_made_under_its_own_external_id_is_found_by_e_mail(store):
    """Only another Shopify id marks someone else; the shop's own external id
    is the same person known to the shop's till (docs: found by e-mail)."""
    p = person()
    c = store.post("/v1/customers", {"external_id": "crm-" + uuid.uuid4().hex[:8],
                                     "email": p["email"]})
    assert c.status_code == 201, c.text
    d = answer(deliver(store, "customers/redact", redact(store, p, phone=None)), "applied")
    assert d["customer"] == c.json()["id"]
    assert status_of(store, d["customer"]) == "erased"


def test_probe__a_customer_known_by_phone_alone_is_found_by_it_in_another_spelling(store):
    p = person()
    c = store.post("/v1/customers", {"phone": p["phone"], "name": "Phone Only"})
    assert c.status_code == 201, c.text
    spaced = p["phone"][:3] + " " + p["phone"][3:6] + " " + p["phone"][6:]
    d = answer(deliver(store, "customers/redact",
                       redact(store, dict(p, id=p["id"] + 9), email=None, phone=spaced)),
               "applied")
    assert d["customer"] == c.json()["id"]
    assert store.get(f"/v1/customers/{d['customer']}").json()["phone"] is None
