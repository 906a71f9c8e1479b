"""Helpers of the activity and recommendation tests (issue 12)."""
import uuid

from conftest import connect_db, new_order

T0 = "2031-03-02T10:00:00Z"
HOUR = 3600


def set_clock(operator, when=T0):
    r = operator.post("/v1/test/clock", {"now": when})
    assert r.status_code == 200, r.text


def customer(shop, email=None):
    r = shop.post("/v1/customers", {"email": email or f"{uuid.uuid4().hex[:10]}@example.com"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def line(sku, price=1000, quantity=1):
    return {"sku": sku, "name": sku.lower(), "quantity": quantity, "unit_price": price}


def buy(shop, who, skus, placed_at=None, pay=True):
    """An order of who with a line per SKU (str, or (sku, price)), paid: its id."""
    lines = [line(s) if isinstance(s, str) else line(*s) for s in skus]
    extra = {"placed_at": placed_at} if placed_at else {}
    r = shop.post("/v1/orders", new_order(shop, customer={"id": who}, lines=lines, **extra))
    assert r.status_code == 201, r.text
    order = r.json()["id"]
    if pay:
        r = shop.post(f"/v1/orders/{order}/payments",
                      {"status": "paid", "external_id": "pay-" + order})
        assert r.status_code == 200, r.text
    return order


def refund_all(shop, order):
    o = shop.get(f"/v1/orders/{order}").json()
    r = shop.post(f"/v1/orders/{order}/refunds",
                  {"external_id": "re-" + uuid.uuid4().hex[:8], "amount": o["total"]})
    assert r.status_code in (200, 201), r.text
    assert r.json()["status"] == "refunded", r.json()


def search(query, at=T0):
    return {"type": "search", "query": query, "at": at}


def view(sku, at=T0):
    return {"type": "view", "sku": sku, "at": at}


def activity(shop, who, *events, **kw):
    body = events[0] if len(events) == 1 else {"events": list(events)}
    return shop.post(f"/v1/customers/{who}/activity", body, **kw)


def recommend(shop, who, limit=None, **kw):
    path = f"/v1/customers/{who}/recommendations" + (f"?limit={limit}" if limit else "")
    r = shop.get(path, **kw)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def rows(server, sql, *params):
    con = connect_db(server.db)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def shop_id(shop):
    return shop.shop["id"]
