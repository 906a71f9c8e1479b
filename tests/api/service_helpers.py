"""Helpers for the issue 11 service tests: the shop's contact, delivered
orders, solved tickets and the surveys they send."""
import uuid

from conftest import new_order

CONTACT = {"support_contact": {"email": "Help@Tea.Example ", "phone": "+48 (22) 123-45-67"},
           "sender": {"email": "hello@tea.example", "name": "Tea House"}}


def set_contact(shop, **kw):
    body = dict(CONTACT, **kw)
    r = shop.patch(f"/v1/shops/{shop.shop['id']}", body)
    assert r.status_code == 200, r.text
    return r.json()


def delivered_order(shop, customer, at="2031-05-08T15:00:00Z", **order):
    """An order with one shipment, delivered at `at`."""
    o = shop.post("/v1/orders", new_order(shop, customer=customer, **order)).json()
    ext = "P-" + uuid.uuid4().hex[:8]
    s = shop.post(f"/v1/orders/{o['id']}/shipments", {"external_id": ext, "carrier": "FastPost"}).json()
    r = shop.post(f"/v1/shipments/{s['id']}/events", {"external_id": ext + "-d", "type": "delivered",
                                                      "at": at})
    assert r.status_code in (200, 201), r.text
    return o, s


def open_ticket(shop, **kw):
    body = {"channel": "email", "customer": {"email": "piotr@example.com"}, "subject": "Broken cup",
            "body": "It arrived in pieces."}
    body.update(kw)
    r = shop.post("/v1/tickets", body)
    assert r.status_code == 201, r.text
    return r.json()


def solve(shop, ticket_id):
    r = shop.patch(f"/v1/tickets/{ticket_id}", {"status": "solved"})
    assert r.status_code == 200, r.text
    return r.json()


def surveys(shop, customer_id, **kw):
    r = shop.get(f"/v1/customers/{customer_id}/surveys", **kw)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def answer(shop, token, score, **kw):
    """POST /v1/surveys/answers with no key at all."""
    return shop.post("/v1/surveys/answers", dict({"token": token, "score": score}, **kw), key=None)
