"""Helpers for the review and question tests (issue 12): customers, paid
orders of a SKU, reviews, the outbox, the storefront's key."""
import uuid

from conftest import Api, connect_db, new_order


def customer(shop, email=None):
    r = shop.post("/v1/customers", {"email": email or f"{uuid.uuid4().hex[:8]}@example.com"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def bought(shop, cid, sku="KETTLE", quantity=1, pay=True):
    """An order of `quantity` units of sku for customer cid, paid unless told."""
    body = new_order(shop, customer={"id": cid},
                     lines=[{"sku": sku, "name": sku.title(), "quantity": quantity, "unit_price": 2000}])
    r = shop.post("/v1/orders", body)
    assert r.status_code == 201, r.text
    o = r.json()
    if pay:
        r = shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})
        assert r.status_code == 200, r.text
        o = r.json()
    return o


def review(shop, cid, rating=5, sku="KETTLE", status=201, **kw):
    body = {"customer": cid, "rating": rating, **({"sku": sku} if sku else {}), **kw}
    r = shop.post("/v1/reviews", body)
    assert r.status_code == status, r.text
    return r.json()


def question(shop, cid, sku="KETTLE", body="Does it whistle?"):
    r = shop.post("/v1/questions", {"customer": cid, "sku": sku, "body": body})
    assert r.status_code == 201, r.text
    return r.json()


def all_reviews(shop, **query):
    """Every review the list gives, page after page (newest first)."""
    out, after = [], None
    while True:
        q = dict(query, limit=100, **({"starting_after": after} if after else {}))
        qs = "&".join(f"{k}={v}" for k, v in q.items())
        r = shop.get(f"/v1/reviews?{qs}")
        assert r.status_code == 200, r.text
        page = r.json()
        out += page["data"]
        if not page["has_more"]:
            return out
        after = page["data"][-1]["id"]


def showcase(api, sku=None, limit=None):
    q = "&".join(x for x in (f"sku={sku}" if sku else "", f"limit={limit}" if limit else "") if x)
    r = api.get("/v1/reviews/showcase" + (f"?{q}" if q else ""))
    assert r.status_code == 200, r.text
    return r.json()


def storefront(shop):
    return Api(shop.server, shop.shop["publishable_key"])


def token(shop, cid):
    r = shop.post(f"/v1/customers/{cid}/tokens")
    assert r.status_code in (200, 201), r.text
    return r.json()["token"]


def outbox(shop, type):
    with connect_db(shop.server.db) as con:
        return [row[0] for row in con.execute(
            "SELECT object_id FROM events WHERE shop_id = ? AND type = ? ORDER BY id",
            (shop.shop["id"], type)).fetchall()]


def history(shop, rid):
    r = shop.get(f"/v1/reviews/{rid}/history")
    assert r.status_code == 200, r.text
    return r.json()["data"]
