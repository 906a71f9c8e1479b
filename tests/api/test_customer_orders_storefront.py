"""Issue 14: a customer's past orders, their delivery state and the reward
catalogue, read by the storefront (the publishable key with that customer's
token) and by the shop's server; the storefront redeems a reward and reads the
terms. A customer sees only their own."""
import pytest

from conftest import Api, error_of, make_shop, new_order
from loyalty_helpers import paid_order, set_clock, set_program

PROMISE = "2031-05-09T18:00:00Z"


@pytest.fixture(autouse=True)
def clock(operator):
    set_clock(operator, "2031-05-06T10:00:00Z")


@pytest.fixture
def storefront(shop, server):
    set_program(shop, pending_days=0, rewards=[
        {"key": "five-off", "kind": "discount_fixed", "name": "5 EUR off", "cost": 20, "value": 500},
        {"key": "tote", "kind": "gift", "name": "Tote bag", "cost": 100000}])
    return Api(server, shop.shop["publishable_key"])


def customer(shop, email):
    r = shop.post("/v1/customers", {"email": email})
    assert r.status_code == 201, r.text
    return r.json()


def token(shop, cid):
    r = shop.post(f"/v1/customers/{cid}/tokens")
    assert r.status_code == 201, r.text
    return {"Customer-Token": r.json()["token"]}


def ship(shop, order_id, external_id, **body):
    r = shop.post(f"/v1/orders/{order_id}/shipments",
                  dict({"external_id": external_id, "carrier": "InPost"}, **body))
    assert r.status_code == 201, r.text
    return r.json()


def event(shop, shipment, external_id, type, at):
    r = shop.post(f"/v1/shipments/{shipment['id']}/events",
                  {"external_id": external_id, "type": type, "at": at})
    assert r.status_code in (200, 201), r.text


def test_customer_orders__the_storefront_reads_its_own_orders_with_their_delivery_state(shop, storefront):
    c = customer(shop, "nino@example.com")
    first = paid_order(shop, {"id": c["id"]}, amount=2500, promised_delivery_at=PROMISE)
    second = paid_order(shop, {"id": c["id"]}, amount=1200)
    s = ship(shop, first["id"], "P-1", tracking_id="TR-9")
    event(shop, s, "e1", "shipped", "2031-05-06T11:00:00Z")
    event(shop, s, "e2", "delivered", "2031-05-08T09:00:00Z")
    r = storefront.get(f"/v1/customers/{c['id']}/orders", headers=token(shop, c["id"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["object"] == "list" and body["has_more"] is False
    assert [o["id"] for o in body["data"]] == [second["id"], first["id"]], "newest first"
    old = body["data"][1]
    assert old["object"] == "customer_order" and old["total"] == 2500 and old["currency"] == "EUR"
    assert old["lines"][0]["sku"] == "TEA" and old["points"]["earned"] == 25
    d = old["delivery"]
    assert (d["state"], d["late"], d["promised_at"], d["delivered_at"]) == \
        ("delivered", False, PROMISE, "2031-05-08T09:00:00Z")
    assert d["shipments"][0]["tracking_id"] == "TR-9" and d["shipments"][0]["status"] == "delivered"
    assert body["data"][0]["delivery"] == {"state": "not_shipped", "promised_at": None,
                                           "delivered_at": None, "late": False, "shipments": []}
    assert "payments" not in old and "seller" not in old, "the customer's view, not the shop's"
    # the shop's server reads the same list with its secret key
    assert shop.get(f"/v1/customers/{c['id']}/orders").json()["data"] == body["data"]


def test_customer_orders__the_state_follows_the_parcels(shop, storefront):
    c = customer(shop, "piotr@example.com")
    o = paid_order(shop, {"id": c["id"]}, amount=2000, quantity=2)
    h = token(shop, c["id"])

    def state():
        return storefront.get(f"/v1/customers/{c['id']}/orders", headers=h).json()["data"][0]["delivery"]["state"]

    a = ship(shop, o["id"], "P-1")
    assert state() == "preparing"
    event(shop, a, "a1", "shipped", "2031-05-06T11:00:00Z")
    b = ship(shop, o["id"], "P-2")
    event(shop, b, "b1", "out_for_delivery", "2031-05-06T12:00:00Z")
    assert state() == "out_for_delivery", "the undelivered parcel that changed last"
    event(shop, a, "a2", "delivered", "2031-05-07T09:00:00Z")
    assert state() == "partly_delivered"
    event(shop, b, "b2", "delivered", "2031-05-07T10:00:00Z")
    assert state() == "delivered"
    event(shop, b, "b3", "returned", "2031-05-08T10:00:00Z")
    assert state() == "returned"


def test_customer_orders__come_in_cursor_pages(shop, storefront):
    c = customer(shop, "sofia@example.com")
    ids = [paid_order(shop, {"id": c["id"]})["id"] for _ in range(5)][::-1]
    h, seen, after = token(shop, c["id"]), [], None
    while True:
        q = f"?limit=2" + (f"&starting_after={after}" if after else "")
        page = storefront.get(f"/v1/customers/{c['id']}/orders{q}", headers=h).json()
        seen += [o["id"] for o in page["data"]]
        if not page["has_more"]:
            break
        after = page["data"][-1]["id"]
    assert seen == ids
    r = storefront.get(f"/v1/customers/{c['id']}/orders?limit=0", headers=h)
    assert r.status_code == 400


def test_customer_orders__another_customers_token_is_403_and_no_token_401(shop, storefront):
    a = customer(shop, "a@example.com")
    b = customer(shop, "b@example.com")
    paid_order(shop, {"id": a["id"]})
    r = storefront.get(f"/v1/customers/{a['id']}/orders", headers=token(shop, b["id"]))
    assert r.status_code == 403 and error_of(r)["code"] == "customer_token_mismatch"
    r = storefront.get(f"/v1/customers/{a['id']}/orders")
    assert r.status_code == 401 and error_of(r)["code"] == "customer_token_required"
    r = storefront.get(f"/v1/customers/{a['id']}/orders", headers={"Customer-Token": "ctk_forged"})
    assert r.status_code == 401 and error_of(r)["code"] == "customer_token_invalid"
    r = storefront.get(f"/v1/customers/{a['id']}/orders", key=None)
    assert r.status_code == 401


def test_customer_orders__another_shops_customer_is_404(operator, shop, storefront):
    c = customer(shop, "d@example.com")
    paid_order(shop, {"id": c["id"]})
    h = token(shop, c["id"])
    other = make_shop(operator, "Other")
    r = Api(shop.server, other.shop["publishable_key"]).get(f"/v1/customers/{c['id']}/orders", headers=h)
    assert r.status_code == 404
    assert other.get(f"/v1/customers/{c['id']}/orders").status_code == 404


def test_rewards__the_catalogue_says_what_the_customer_can_afford(shop, storefront):
    c = customer(shop, "olga@example.com")
    paid_order(shop, {"id": c["id"]}, amount=3000)
    r = storefront.get(f"/v1/customers/{c['id']}/rewards", headers=token(shop, c["id"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["points_available"] == 30
    got = {w["key"]: (w["cost"], w["affordable"]) for w in body["data"]}
    assert got == {"five-off": (20, True), "tote": (100000, False)}


def test_redemption__the_storefront_redeems_for_its_own_customer_once_per_key(shop, storefront):
    a = customer(shop, "maria@example.com")
    b = customer(shop, "igor@example.com")
    paid_order(shop, {"id": a["id"]}, amount=3000)
    h = token(shop, a["id"])
    headers = dict(h, **{"Idempotency-Key": "widget-1"})
    r = storefront.post(f"/v1/customers/{a['id']}/redemptions", {"reward": "five-off"}, headers=headers)
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    again = storefront.post(f"/v1/customers/{a['id']}/redemptions", {"reward": "five-off"}, headers=headers)
    assert again.status_code == 201 and again.json()["code"] == code
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert shop.get(f"/v1/customers/{a['id']}/loyalty").json()["points"]["available"] == 10
    r = storefront.post(f"/v1/customers/{b['id']}/redemptions", {"reward": "five-off"}, headers=h)
    assert r.status_code == 403 and error_of(r)["code"] == "customer_token_mismatch"
    r = storefront.post(f"/v1/customers/{a['id']}/redemptions", {"reward": "five-off"})
    assert r.status_code == 401


def test_terms__the_publishable_key_reads_the_programmes_terms(shop, storefront):
    r = storefront.get("/v1/program/terms")
    assert r.status_code == 200, r.text
    assert r.json()["text"] == shop.get("/v1/program/terms").json()["text"]
