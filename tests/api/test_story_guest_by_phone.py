"""Story 1 (SCENARIOS.md), as far as the foundation reaches: a guest by phone
becomes a regular with one customer record across channels. (The exclusive
next-purchase code arrives with the coupons issue.)"""
from conftest import new_order


def test_olga_orders_by_phone_as_a_guest_then_opens_an_account_on_the_web(shop):
    first = shop.post("/v1/orders", new_order(shop, external_id="PH-1", channel="phone",
                                              customer={"phone": "+48 22 123 45 67", "name": "Olga"}))
    assert first.status_code == 201
    olga = first.json()["customer"]
    c = shop.get(f"/v1/customers/{olga}").json()
    assert c["status"] == "guest" and c["orders_count"] == 1
    shop.post(f"/v1/orders/{first.json()['id']}/payments", {"status": "paid"})
    c = shop.get(f"/v1/customers/{olga}").json()
    assert c["account_invite_due"] is True, "after the first order the shop should invite her"

    acct = shop.post(f"/v1/customers/{olga}/account", {"email": "olga@example.com"}).json()
    assert acct["status"] == "account" and acct["account_invite_due"] is False
    assert {i["type"] for i in acct["identities"]} == {"phone", "email"}

    # Her second order comes from the web with her e-mail: the same customer.
    second = shop.post("/v1/orders", new_order(shop, external_id="WEB-2", channel="web",
                                               customer={"email": "Olga@Example.com"})).json()
    assert second["customer"] == olga
    history = shop.get(f"/v1/orders?customer={olga}").json()["data"]
    assert [o["external_id"] for o in history] == ["WEB-2", "PH-1"]
    assert shop.get(f"/v1/customers/{olga}").json()["orders_count"] == 2
