"""Helpers for the loyalty tests: a programme, paid orders, the clock."""
import uuid

from conftest import new_order

DAY = 86400

PROGRAM = {
    "earn": {"points_per_unit": 1},
    "pending_days": 14,
    "expiry": {"policy": "never"},
}


def set_program(shop, **overrides):
    body = dict(PROGRAM)
    body.update(overrides)
    r = shop.request("PUT", "/v1/program", body)
    assert r.status_code == 200, r.text
    return r.json()


def paid_order(shop, customer, amount=1000, sku="TEA", quantity=1, **kw):
    """A paid order of `quantity` units costing `amount` minor units in all."""
    assert amount % quantity == 0
    body = new_order(shop, external_id="o-" + uuid.uuid4().hex[:10], customer=customer,
                     lines=[{"sku": sku, "quantity": quantity, "unit_price": amount // quantity}], **kw)
    o = shop.post("/v1/orders", body).json()
    r = shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})
    assert r.status_code == 200, r.text
    return r.json()


def loyalty(shop, customer_id):
    r = shop.get(f"/v1/customers/{customer_id}/loyalty")
    assert r.status_code == 200, r.text
    return r.json()


def set_clock(operator, when):
    r = operator.post("/v1/test/clock", {"now": when})
    assert r.status_code == 200, r.text


def advance(operator, days=0, seconds=0):
    r = operator.post("/v1/test/clock", {"advance_seconds": int(days * DAY + seconds)})
    assert r.status_code == 200, r.text
    return r.json()["now"]
