"""Issue 13: outgoing webhooks. Endpoints (create, list, get, update, delete,
rotate the secret), the event vocabulary their filters are checked against,
deliveries signed as Standard Webhooks and verified by an independent
receiver on loopback, the SSRF guard, GET /v1/events and redelivery."""
import base64
import os
import re
import tempfile
import time
import uuid

import pytest

from conftest import (OPERATOR_KEY, ROOT, Api, Server, check_clean_exit, connect_db, error_of,
                      make_shop, new_order)
from loyalty_helpers import paid_order, set_program
from webhook_helpers import (Receiver, advance, customer_body, endpoint, events_of,
                             retain_clock, run_jobs, signature_of, verify, webhook_server)


@pytest.fixture(scope="module")
def srv():
    with webhook_server() as s:
        yield s


@pytest.fixture
def operator(srv):
    return Api(srv, OPERATOR_KEY)


@pytest.fixture
def shop(operator):
    return make_shop(operator)


@pytest.fixture
def receiver(operator):
    r = Receiver(clock=retain_clock(operator)).start()
    yield r
    r.stop()


def order_for(shop, customer):
    r = shop.post("/v1/orders", new_order(shop, customer=customer))
    assert r.status_code == 201, r.text
    return r.json()


def test_webhooks__an_endpoint_is_created_with_a_secret_shown_once(shop, receiver):
    r = shop.post("/v1/webhook_endpoints", {"url": receiver.url, "events": ["order.*"],
                                            "description": "the shop's CRM"},
                  headers={"Idempotency-Key": "create-1"})
    assert r.status_code == 201, r.text
    w = r.json()
    assert w["id"].startswith("we_") and w["object"] == "webhook_endpoint"
    assert (w["url"], w["events"], w["description"], w["status"]) == \
        (receiver.url, ["order.*"], "the shop's CRM", "enabled")
    assert w["secret"].startswith("whsec_")
    assert len(base64.b64decode(w["secret"][6:], validate=True)) >= 24
    shown = shop.get(f"/v1/webhook_endpoints/{w['id']}").json()
    assert shown["secret"] is None and shown["url"] == receiver.url
    listed = shop.get("/v1/webhook_endpoints").json()
    assert [e["id"] for e in listed["data"]] == [w["id"]]
    assert all(e["secret"] is None for e in listed["data"])
    replay = shop.post("/v1/webhook_endpoints", {"url": receiver.url, "events": ["order.*"],
                                                 "description": "the shop's CRM"},
                       headers={"Idempotency-Key": "create-1"})
    assert replay.status_code == 201
    assert replay.json()["id"] == w["id"] and replay.json()["secret"] is None
    assert len(shop.get("/v1/webhook_endpoints").json()["data"]) == 1


def test_webhooks__the_secret_never_appears_in_the_log(srv, shop, receiver):
    w = endpoint(shop, receiver)
    rotated = shop.post(f"/v1/webhook_endpoints/{w['id']}/rotate_secret").json()
    log = open(os.path.join(srv.dir, "server.log"), encoding="utf-8", errors="replace").read()
    assert w["secret"] not in log and rotated["secret"] not in log
    assert w["secret"][6:] not in log


def test_webhooks__a_stored_idempotent_response_never_holds_the_secret(srv, shop, receiver):
    r = shop.post("/v1/webhook_endpoints", {"url": receiver.url, "events": ["*"]},
                  headers={"Idempotency-Key": "stored-1"})
    rotated = shop.post(f"/v1/webhook_endpoints/{r.json()['id']}/rotate_secret",
                        headers={"Idempotency-Key": "stored-2"})
    assert r.status_code == 201 and rotated.status_code == 200
    bodies = [b for (b,) in connect_db(srv.db).execute(
        "SELECT response_body FROM idempotency_keys WHERE key IN ('stored-1', 'stored-2')").fetchall()]
    assert len(bodies) == 2 and all(r.json()["id"] in b for b in bodies)
    assert not any(r.json()["secret"] in b or rotated.json()["secret"] in b or "whsec_" in b
                   for b in bodies)


def test_webhooks__every_delivery_carries_a_signature_an_independent_receiver_verifies(
        operator, shop, receiver):
    endpoint(shop, receiver)
    order = order_for(shop, customer_body(1))
    run_jobs(operator)
    assert receiver.rejected == []
    events = [e for e in events_of(shop) if e["type"] != "shop.created"]  # before the endpoint
    assert receiver.ids() == [e["id"] for e in events] and len(events) >= 2
    created = next(d for d in receiver.deliveries if d["body"]["type"] == "order.created")
    assert set(created["body"]) == {"type", "timestamp", "data"}
    assert created["body"]["data"] == {"object": "order", "id": order["id"],
                                       "customer": order["customer"]}
    ev = next(e for e in events if e["id"] == created["id"])
    assert created["body"]["timestamp"] == ev["created_at"] and ev["data"] == created["body"]["data"]


def test_webhooks__the_receiver_refuses_a_wrong_signature_and_an_old_timestamp():
    secret = "whsec_" + base64.b64encode(b"k" * 24).decode()
    body = b'{"type":"order.created"}'
    good = {"webhook-id": "evt_1", "webhook-timestamp": "1000",
            "webhook-signature": "v1," + signature_of(secret, "evt_1", "1000", body)}
    assert verify([secret], good, body, 1000) == secret
    with pytest.raises(ValueError):
        verify([secret], good, body + b" ", 1000)
    with pytest.raises(ValueError):
        verify([secret], good, body, 1000 + 301)
    with pytest.raises(ValueError):
        verify([secret], dict(good, **{"webhook-id": "evt_2"}), body, 1000)


def test_webhooks__an_endpoint_receives_only_the_types_it_subscribed_to(operator, shop, receiver):
    set_program(shop)
    others = Receiver(clock=receiver.clock).start()
    try:
        endpoint(shop, receiver, ["points.earned"])
        endpoint(shop, others, ["customer.*"])
        order = paid_order(shop, customer_body(2))
        run_jobs(operator)
        assert [d["body"]["type"] for d in receiver.deliveries] == ["points.earned"]
        earned = receiver.deliveries[0]["body"]["data"]
        assert earned["object"] == "lot" and earned["customer"] == order["customer"]
        assert earned["id"].startswith("lot_")
        assert others.deliveries and all(d["body"]["type"].startswith("customer.")
                                         for d in others.deliveries)
    finally:
        others.stop()


def test_webhooks__an_unknown_event_type_is_refused_naming_it_and_nothing_is_created(shop, receiver):
    for events in (["points.earnd"], ["order.*", "nothing.*"], ["order"], [], "order.*", [3]):
        r = shop.post("/v1/webhook_endpoints", {"url": receiver.url, "events": events})
        assert r.status_code == 400, (events, r.text)
        assert error_of(r)["param"] == "events"
    r = shop.post("/v1/webhook_endpoints", {"url": receiver.url, "events": ["points.earnd"]})
    assert error_of(r)["code"] == "event_type_unknown" and "points.earnd" in error_of(r)["message"]
    assert shop.get("/v1/webhook_endpoints").json()["data"] == []


def test_webhooks__every_event_type_the_code_writes_can_be_subscribed_to(shop, receiver):
    src = os.path.join(ROOT, "src", "core")
    written = set()
    for name in os.listdir(src):
        if name.endswith(".c"):
            text = open(os.path.join(src, name)).read()
            for arg in re.findall(r'event_record\(tx, [^,]+, ([^,]+),', text):
                written |= set(re.findall(r'"([a-z_]+\.[a-z_]+)"', arg))
    assert len(written) > 30
    written = sorted(written)
    for i in range(0, len(written), 60):
        r = shop.post("/v1/webhook_endpoints", {"url": receiver.url, "events": written[i:i + 60]})
        assert r.status_code == 201, r.text


def test_webhooks__a_malformed_or_foreign_url_is_refused_and_nothing_is_created(shop):
    for url in ("not a url", "ftp://127.0.0.2/x", "http://user:pw@127.0.0.2/x", "http://",
                "//127.0.0.2/x", "https://" + "a" * 2100 + ".example", ""):
        r = shop.post("/v1/webhook_endpoints", {"url": url, "events": ["*"]})
        assert r.status_code == 400, (url, r.text)
        assert error_of(r)["param"] == "url"
    assert shop.get("/v1/webhook_endpoints").json()["data"] == []


def test_webhooks__private_targets_and_plain_http_are_refused_without_the_flag():
    with tempfile.TemporaryDirectory() as d:
        srv = Server(d, ["--jobs-interval", "0"]).start()
        try:
            shop = make_shop(Api(srv, OPERATOR_KEY))
            cases = {"http://127.0.0.2:9/hook": "url_insecure",
                     "https://127.0.0.2:9/hook": "url_private",
                     "https://[::1]:9/hook": "url_private",
                     "https://localhost:9/hook": "url_private",
                     "https://[::ffff:127.0.0.1]:9/hook": "url_private"}
            for url, code in cases.items():
                r = shop.post("/v1/webhook_endpoints", {"url": url, "events": ["*"]})
                assert r.status_code == 400, (url, r.text)
                assert (error_of(r)["code"], error_of(r)["param"]) == (code, "url"), url
            assert shop.get("/v1/webhook_endpoints").json()["data"] == []
        finally:
            check_clean_exit(srv)


def test_webhooks__a_target_that_became_private_is_refused_at_delivery_time():
    """Created while the operator allowed private targets, delivered after a
    restart without the flag: the address is checked again when connecting."""
    with tempfile.TemporaryDirectory() as d:
        srv = Server(d, ["--webhooks-allow-private", "--jobs-interval", "0"]).start()
        operator = Api(srv, OPERATOR_KEY)
        receiver = Receiver(clock=retain_clock(operator)).start()
        try:
            shop = make_shop(operator)
            w = endpoint(shop, receiver, ["order.created"])
            check_clean_exit(srv)
            srv.extra_args = ["--jobs-interval", "0"]
            srv.start()
            order_for(shop, customer_body(3))
            run_jobs(operator)
            assert receiver.deliveries == [] and receiver.rejected == []
            attempts = shop.get(f"/v1/webhook_endpoints/{w['id']}/deliveries").json()["data"]
            assert len(attempts) == 1 and attempts[0]["status_code"] is None
            assert "127.0.0.2" in attempts[0]["error"] and "refused" in attempts[0]["error"]
        finally:
            receiver.stop()
            check_clean_exit(srv)


@pytest.mark.parametrize("host", ["[::1]", "localhost"])
def test_webhooks__loopback_forms_are_delivered_with_the_flag(operator, shop, host):
    receiver = Receiver(host="::1" if host == "[::1]" else "127.0.0.1",
                        clock=retain_clock(operator)).start()
    try:
        url = receiver.url if host == "[::1]" else f"http://localhost:{receiver.port}/hook"
        r = shop.post("/v1/webhook_endpoints", {"url": url, "events": ["order.created"]})
        assert r.status_code == 201, r.text
        receiver.secrets.append(r.json()["secret"])
        order_for(shop, customer_body(4))
        run_jobs(operator)
        assert [d["body"]["type"] for d in receiver.deliveries] == ["order.created"]
    finally:
        receiver.stop()


def test_webhooks__a_rotated_secret_signs_beside_the_new_one_for_24_hours(operator, shop, receiver):
    w = endpoint(shop, receiver, ["order.created"])
    old = w["secret"]
    r = shop.post(f"/v1/webhook_endpoints/{w['id']}/rotate_secret")
    assert r.status_code == 200, r.text
    new = r.json()["secret"]
    assert new.startswith("whsec_") and new != old and r.json()["previous_secret_expires_at"]
    assert shop.get(f"/v1/webhook_endpoints/{w['id']}").json()["secret"] is None
    receiver.secrets = [old]                 # a receiver not yet told: still verifies
    order_for(shop, customer_body(5))
    run_jobs(operator)
    d = receiver.deliveries[-1]
    assert len(d["signature"].split(" ")) == 2 and d["secret"] == old
    receiver.secrets = [new]
    order_for(shop, customer_body(6))
    run_jobs(operator)
    assert receiver.deliveries[-1]["secret"] == new and receiver.rejected == []
    advance(operator, 24 * 3600 + 60)
    order_for(shop, customer_body(7))
    run_jobs(operator)
    d = receiver.deliveries[-1]
    assert len(d["signature"].split(" ")) == 1 and d["secret"] == new
    assert shop.get(f"/v1/webhook_endpoints/{w['id']}").json()["previous_secret_expires_at"] is None
    receiver.secrets = [old]
    order_for(shop, customer_body(8))
    run_jobs(operator)
    assert receiver.rejected and "no signature matches" in receiver.rejected[-1]


def test_webhooks__an_endpoint_is_updated_disabled_enabled_and_deleted(operator, shop, receiver):
    w = endpoint(shop, receiver, ["customer.created"])
    r = shop.patch(f"/v1/webhook_endpoints/{w['id']}", {"events": ["order.created"],
                                                         "description": "orders only"})
    assert r.status_code == 200, r.text
    assert (r.json()["events"], r.json()["description"]) == (["order.created"], "orders only")
    order_for(shop, customer_body(9))
    run_jobs(operator)
    assert [d["body"]["type"] for d in receiver.deliveries] == ["order.created"]
    r = shop.patch(f"/v1/webhook_endpoints/{w['id']}", {"enabled": False})
    assert (r.json()["status"], r.json()["disabled_reason"]) == ("disabled", "disabled by the shop")
    order_for(shop, customer_body(10))
    run_jobs(operator)
    assert len(receiver.deliveries) == 1
    r = shop.patch(f"/v1/webhook_endpoints/{w['id']}", {"enabled": True, "description": None})
    assert (r.json()["status"], r.json()["description"]) == ("enabled", None)
    bad = shop.patch(f"/v1/webhook_endpoints/{w['id']}", {"events": ["nope.*"]})
    assert bad.status_code == 400 and error_of(bad)["code"] == "event_type_unknown"
    bad = shop.patch(f"/v1/webhook_endpoints/{w['id']}", {"secret": "whsec_x"})
    assert bad.status_code == 400
    assert shop.get(f"/v1/webhook_endpoints/{w['id']}").json()["events"] == ["order.created"]
    r = shop.delete(f"/v1/webhook_endpoints/{w['id']}")
    assert r.status_code == 200 and r.json()["deleted"] is True
    assert shop.get(f"/v1/webhook_endpoints/{w['id']}").status_code == 404
    assert shop.delete(f"/v1/webhook_endpoints/{w['id']}").status_code == 404


def test_webhooks__another_shops_endpoints_and_events_are_not_found(operator, shop, receiver):
    w = endpoint(shop, receiver, ["order.created"])
    order_for(shop, customer_body(11))
    ev = events_of(shop)[0]
    other = make_shop(operator, "Other Shop")
    for path in (f"/v1/webhook_endpoints/{w['id']}", f"/v1/webhook_endpoints/{w['id']}/deliveries",
                 f"/v1/events/{ev['id']}"):
        assert other.get(path).status_code == 404, path
    assert other.post(f"/v1/events/{ev['id']}/redeliver").status_code == 404
    assert other.post(f"/v1/webhook_endpoints/{w['id']}/rotate_secret").status_code == 404
    assert other.get("/v1/events").json()["data"] != [] and \
        ev["id"] not in [e["id"] for e in other.get("/v1/events").json()["data"]]


def test_webhooks__events_are_listed_by_type_with_a_cursor(shop):
    for n in range(3):
        order_for(shop, customer_body(20 + n))
    everything = events_of(shop)
    orders = events_of(shop, "order.created")
    assert len(orders) == 3 and all(e["type"] == "order.created" for e in orders)
    customers = events_of(shop, "customer.*")
    assert customers and all(e["type"].startswith("customer.") for e in customers)
    assert [e["id"] for e in everything] == sorted(e["id"] for e in everything)
    page = shop.get("/v1/events?limit=2").json()
    assert len(page["data"]) == 2 and page["has_more"]
    rest = shop.get(f"/v1/events?limit=100&starting_after={page['data'][1]['id']}").json()
    assert [e["id"] for e in page["data"] + rest["data"]] == [e["id"] for e in everything]
    r = shop.get("/v1/events?type=order.creatd")
    assert r.status_code == 400 and error_of(r)["code"] == "event_type_unknown"
    assert shop.get("/v1/events?starting_after=evt_0000000000000000").status_code == 404
    assert shop.get(f"/v1/events/{orders[0]['id']}").json() == orders[0]


def test_webhooks__attempts_are_listed_with_status_time_and_duration(operator, shop, receiver):
    w = endpoint(shop, receiver, ["order.created"])
    receiver.status = 500
    order_for(shop, customer_body(30))
    run_jobs(operator)
    receiver.status = 200
    advance(operator, 3600)
    attempts = shop.get(f"/v1/webhook_endpoints/{w['id']}/deliveries").json()["data"]
    assert [(a["attempt"], a["status_code"], a["succeeded"]) for a in attempts] == \
        [(2, 200, True), (1, 500, False)]
    assert all(a["duration_ms"] >= 0 and a["at"] and a["event"].startswith("evt_") for a in attempts)
    assert attempts[0]["event"] == attempts[1]["event"] and attempts[0]["error"] is None


def test_webhooks__an_event_is_redelivered_with_the_same_webhook_id(operator, shop, receiver):
    endpoint(shop, receiver, ["order.created"])
    order_for(shop, customer_body(31))
    run_jobs(operator)
    assert len(receiver.deliveries) == 1
    first = receiver.deliveries[0]
    r = shop.post(f"/v1/events/{first['id']}/redeliver")
    assert r.status_code == 200 and r.json()["deliveries_queued"] == 1
    run_jobs(operator)
    assert receiver.ids() == [first["id"], first["id"]]
    assert receiver.deliveries[1]["body"] == first["body"]
    assert shop.post("/v1/events/evt_0000000000000000/redeliver").status_code == 404


def test_webhooks__a_refund_names_its_order_and_the_orders_customer(operator, shop, receiver):
    endpoint(shop, receiver, ["refund.created", "order.*"])
    order = paid_order(shop, customer_body(40))
    r = shop.post(f"/v1/orders/{order['id']}/refunds", {"external_id": "r1", "amount": 100})
    assert r.status_code in (200, 201), r.text
    run_jobs(operator)
    refund = [d["body"]["data"] for d in receiver.deliveries if d["body"]["type"] == "refund.created"]
    assert len(refund) == 1
    assert (refund[0]["object"], refund[0]["order"], refund[0]["customer"]) == \
        ("refund", order["id"], order["customer"])
    types = [d["body"]["type"] for d in receiver.deliveries]
    assert types.index("order.created") < types.index("order.paid") < types.index("refund.created")


def test_webhooks__the_jobs_thread_delivers_within_the_webhooks_interval():
    with tempfile.TemporaryDirectory() as d:
        srv = Server(d, ["--webhooks-allow-private", "--jobs-interval", "3600",
                         "--webhooks-interval", "1"]).start()
        operator = Api(srv, OPERATOR_KEY)
        receiver = Receiver(clock=retain_clock(operator)).start()
        try:
            shop = make_shop(operator)
            endpoint(shop, receiver, ["order.created"])
            order_for(shop, customer_body(50))
            deadline = time.time() + 15
            while not receiver.deliveries and time.time() < deadline:
                time.sleep(0.1)
            assert [d["body"]["type"] for d in receiver.deliveries] == ["order.created"]
        finally:
            receiver.stop()
            check_clean_exit(srv)


def test_webhooks__an_orders_refund_waits_in_the_queue_of_the_orders_customer(srv, shop, receiver):
    # The queue of an event about an order's part (a refund, a shipment) is the order's
    # customer, read inside the delivery's INSERT since issue 9's fourth round.
    endpoint(shop, receiver, ["refund.created", "order.created"])
    o = paid_order(shop, {"email": f"q{uuid.uuid4().hex[:8]}@example.com"})
    r = shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "r1", "amount": 1})
    assert r.status_code in (200, 201), r.text
    con = connect_db(srv.db)
    try:
        rows = con.execute("SELECT e.type, d.queue FROM webhook_deliveries d JOIN events e"
                           " ON e.shop_id = d.shop_id AND e.id = d.event_id WHERE d.shop_id = ?",
                           (shop.shop["id"],)).fetchall()
    finally:
        con.close()
    assert sorted(rows) == [("order.created", o["customer"]), ("refund.created", o["customer"])]
