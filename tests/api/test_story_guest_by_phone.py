"""Story 1 (SCENARIOS.md): a guest by phone becomes a regular with one
customer record across channels, and the exclusive next-purchase code issued
after her first paid order (single use, 30 days) is used on her second."""
from conftest import error_of, new_order
from loyalty_helpers import advance, set_clock


def test_olga_orders_by_phone_as_a_guest_then_opens_an_account_on_the_web(shop, operator):
    set_clock(operator, "2031-05-04T10:00:00Z")
    r = shop.post("/v1/campaigns", {"name": "Thank you: 10% off your next order", "type": "next_purchase",
                                    "starts_at": "2031-01-01T00:00:00Z", "validity_days": 30,
                                    "discount": {"kind": "percent", "value": 10}})
    assert r.status_code == 201, r.text
    first = shop.post("/v1/orders", new_order(shop, external_id="PH-1", channel="phone",
                                              customer={"phone": "+48 22 123 45 67", "name": "Olga"}))
    assert first.status_code == 201
    olga = first.json()["customer"]
    c = shop.get(f"/v1/customers/{olga}").json()
    assert c["status"] == "guest" and c["orders_count"] == 1
    shop.post(f"/v1/orders/{first.json()['id']}/payments", {"status": "paid"})
    c = shop.get(f"/v1/customers/{olga}").json()
    assert c["account_invite_due"] is True, "after the first order the shop should invite her"
    [offer] = shop.get(f"/v1/customers/{olga}/offers").json()["data"]
    assert offer["personal"] and offer["state"] == "available"
    assert offer["expires_at"] == "2031-06-03T10:00:00Z", "30 days"

    acct = shop.post(f"/v1/customers/{olga}/account", {"email": "olga@example.com"}).json()
    assert acct["status"] == "account" and acct["account_invite_due"] is False
    assert {i["type"] for i in acct["identities"]} == {"phone", "email"}

    # Her second order comes from the web with her e-mail: the same customer.
    second = shop.post("/v1/orders", new_order(shop, external_id="WEB-2", channel="web",
                                               customer={"email": "Olga@Example.com"})).json()
    assert second["customer"] == olga
    advance(operator, days=3)
    r = shop.post("/v1/coupons/redeem", {"code": offer["code"].lower(), "customer": olga,
                                         "order": second["id"]})
    assert r.status_code == 201 and r.json()["discount"]["total"] == 250, r.text
    shop.post(f"/v1/orders/{second['id']}/payments", {"status": "paid"})
    assert shop.get(f"/v1/coupons/redemptions/{r.json()['id']}").json()["status"] == "final"
    third = shop.post("/v1/orders", new_order(shop, external_id="WEB-3", customer={"id": olga})).json()
    r = shop.post("/v1/coupons/redeem", {"code": offer["code"], "customer": olga, "order": third["id"]})
    assert r.status_code == 422 and error_of(r)["code"] == "already_used", "single use"
    history = shop.get(f"/v1/orders?customer={olga}").json()["data"]
    assert [o["external_id"] for o in history] == ["WEB-3", "WEB-2", "PH-1"]
    assert shop.get(f"/v1/customers/{olga}").json()["orders_count"] == 3
