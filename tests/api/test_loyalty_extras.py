"""Cashback, bonus points for actions, and expiry after inactivity (issue 4)."""
import pytest

from conftest import error_of, new_order
from loyalty_helpers import advance, loyalty, paid_order, set_clock, set_program


@pytest.fixture(autouse=True)
def fixed_clock(operator):
    set_clock(operator, "2031-04-01T09:00:00Z")


def test_cashback_goes_to_a_wallet_in_the_orders_currency_and_back_on_refund(shop):
    set_program(shop, cashback={"basis_points": 250})            # 2.5 %
    c = shop.post("/v1/customers", {"email": "cb@example.com"}).json()
    eur = paid_order(shop, {"id": c["id"]}, amount=4000)
    assert eur["loyalty"]["cashback"] == {"amount": 100, "clawed_back": 0}
    body = new_order(shop, customer={"id": c["id"]}, currency="USD",
                     lines=[{"sku": "x", "quantity": 1, "unit_price": 2000}])
    usd = shop.post("/v1/orders", body).json()
    shop.post(f"/v1/orders/{usd['id']}/payments", {"status": "paid"})
    wallet = {w["currency"]: w["balance"] for w in loyalty(shop, c["id"])["cashback"]}
    assert wallet == {"EUR": 100, "USD": 50}
    r = shop.post(f"/v1/orders/{eur['id']}/refunds", {"external_id": "r", "amount": 1000}).json()
    assert r["loyalty"]["cashback"]["clawed_back"] == 25
    r = shop.post(f"/v1/orders/{eur['id']}/refunds", {"external_id": "r2", "amount": 3000}).json()
    wallet = {w["currency"]: w["balance"] for w in loyalty(shop, c["id"])["cashback"]}
    assert wallet == {"EUR": 0, "USD": 50}


def test_bonuses_for_joining_an_account_and_reviews_respect_their_limits(shop):
    set_program(shop, bonuses=[{"action": "signup", "points": 50, "per_customer_limit": 1},
                               {"action": "account_created", "points": 100, "per_customer_limit": 1},
                               {"action": "review", "points": 20, "per_customer_limit": 2}])
    c = shop.post("/v1/customers", {"email": "bonus@example.com"}).json()
    assert loyalty(shop, c["id"])["points"]["available"] == 50        # bonuses need no return window
    shop.post(f"/v1/customers/{c['id']}/account", {})
    shop.post(f"/v1/customers/{c['id']}/account", {})                # again: no second bonus
    assert loyalty(shop, c["id"])["points"]["available"] == 150
    for _ in range(2):
        assert shop.post(f"/v1/customers/{c['id']}/bonuses", {"action": "review"}).status_code == 200
    r = shop.post(f"/v1/customers/{c['id']}/bonuses", {"action": "review"})
    assert r.status_code == 422 and error_of(r)["code"] == "limit_reached"
    r = shop.post(f"/v1/customers/{c['id']}/bonuses", {"action": "birthday"})
    assert r.status_code == 422 and error_of(r)["code"] == "bonus_not_offered"
    r = shop.post(f"/v1/customers/{c['id']}/bonuses", {"action": "tweet"})
    assert r.status_code == 400
    assert loyalty(shop, c["id"])["points"]["available"] == 190
    guest = shop.post("/v1/orders", new_order(shop)).json()["customer"]
    assert loyalty(shop, guest)["points"]["available"] == 0          # a checkout guest did not sign up


def test_points_expire_after_inactivity_and_activity_keeps_them_alive(operator, shop):
    set_program(shop, pending_days=0, expiry={"policy": "inactivity", "n": 90})
    c = shop.post("/v1/customers", {"email": "idle@example.com"}).json()
    paid_order(shop, {"id": c["id"]}, amount=5000)
    l = loyalty(shop, c["id"])
    assert l["lots"][0]["expires_at"] is None
    assert l["points"]["expire_if_inactive_at"] == "2031-06-30T09:00:00Z"
    advance(operator, days=80)
    paid_order(shop, {"id": c["id"]}, amount=1000)                  # activity resets the clock
    advance(operator, days=80)
    assert loyalty(shop, c["id"])["points"]["available"] == 60
    advance(operator, days=11)
    l = loyalty(shop, c["id"])
    assert l["points"]["available"] == 0
    expired = [x for x in shop.get(f"/v1/customers/{c['id']}/ledger").json()["data"] if x["reason"] == "expiry"]
    assert sorted(x["points"] for x in expired) == [-50, -10]


def test_the_terms_mention_cashback_bonuses_and_inactivity(shop):
    set_program(shop, cashback={"basis_points": 150}, expiry={"policy": "inactivity", "n": 365},
                bonuses=[{"action": "birthday", "points": 30, "per_customer_limit": 1}])
    text = shop.get("/v1/program/terms").json()["text"]
    assert "1.50% of what you pay back as store credit" in text
    assert "Bonus for your birthday: 30 points (at most 1 time)" in text
    assert "365 days without any purchase" in text


@pytest.mark.parametrize("body,param", [
    ({"cashback": {"basis_points": 20000}}, "cashback.basis_points"),
    ({"cashback": {"percent": 2}}, "cashback.percent"),
    ({"bonuses": [{"action": "dance", "points": 5}]}, "bonuses[0].action"),
    ({"bonuses": [{"action": "review", "points": 0}]}, "bonuses[0].points"),
    ({"expiry": {"policy": "inactivity"}}, "expiry.n"),
])
def test_bad_cashback_bonus_and_inactivity_settings_are_400(shop, body, param):
    r = shop.request("PUT", "/v1/program", body)
    assert r.status_code == 400 and error_of(r)["param"] == param
