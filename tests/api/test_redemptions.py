"""Redemptions: spending points on the reward catalogue or as an order discount,
soonest-expiring points first, and cancellations that restore the original lots."""
import pytest

from conftest import error_of, new_order
from loyalty_helpers import advance, loyalty, paid_order, set_clock, set_program

REWARDS = [
    {"key": "tote", "kind": "gift", "name": "Tea tote bag", "cost": 30, "stock": 2, "per_customer_limit": 1},
    {"key": "ten-off", "kind": "discount_fixed", "name": "10 EUR off", "cost": 50, "value": 1000},
    {"key": "warranty", "kind": "warranty", "name": "Kettle warranty +1 year", "cost": 20},
    {"key": "ship", "kind": "free_shipping", "name": "Free shipping", "cost": 10},
]


@pytest.fixture(autouse=True)
def fixed_clock(operator):
    set_clock(operator, "2031-01-10T08:00:00Z")


@pytest.fixture
def rich(shop, operator):
    """A customer with 200 available points in two lots of different expiry."""
    set_program(shop, pending_days=0, rewards=REWARDS, point_value=1,
                expiry={"policy": "days", "n": 100})
    c = shop.post("/v1/customers", {"email": "rich@example.com"}).json()
    paid_order(shop, {"id": c["id"]}, amount=10000)           # 100 points, expire in 100 days
    set_program(shop, pending_days=0, rewards=REWARDS, point_value=1,
                expiry={"policy": "days", "n": 30})
    paid_order(shop, {"id": c["id"]}, amount=10000)           # 100 points, expire in 30 days
    return c


def redeem(shop, customer, body, **kw):
    return shop.post(f"/v1/customers/{customer['id']}/redemptions", body, **kw)


def test_a_gift_is_redeemed_with_a_fulfilment_record_and_soonest_expiring_points_go_first(shop, rich):
    r = redeem(shop, rich, {"reward": "tote"})
    assert r.status_code == 201, r.text
    d = r.json()
    assert (d["kind"], d["points"], d["code"], d["status"]) == ("gift", 30, None, "active")
    assert d["fulfilment"] == {"type": "gift", "status": "to_fulfil"}
    lots = {l["amount"]: l for l in loyalty(shop, rich["id"])["lots"]}
    assert len(loyalty(shop, rich["id"])["lots"]) == 2
    assert loyalty(shop, rich["id"])["points"]["available"] == 170
    soon = min(loyalty(shop, rich["id"])["lots"], key=lambda l: l["expires_at"])
    assert soon["remaining"] == 70


def test_discounts_come_with_an_unguessable_single_use_code(shop, rich):
    codes = {redeem(shop, rich, {"reward": "ship"}).json()["code"] for _ in range(5)}
    assert len(codes) == 5 and all(c.startswith("RW-") and len(c) == 19 for c in codes)
    d = redeem(shop, rich, {"reward": "ten-off"}).json()
    assert d["value"] == 1000 and d["code"]


def test_cancelling_puts_points_back_into_their_lots_with_the_original_expiry(shop, rich):
    before = {l["id"]: l for l in loyalty(shop, rich["id"])["lots"]}
    d = redeem(shop, rich, {"reward": "ten-off"}).json()
    d2 = redeem(shop, rich, {"reward": "ten-off"}).json()         # spans both lots
    assert loyalty(shop, rich["id"])["points"]["available"] == 100
    for red in (d, d2):
        r = shop.post(f"/v1/redemptions/{red['id']}/cancel")
        assert r.status_code == 200 and r.json()["status"] == "cancelled"
    after = {l["id"]: l for l in loyalty(shop, rich["id"])["lots"]}
    assert after.keys() == before.keys()
    for lot_id, lot in after.items():
        assert lot["remaining"] == before[lot_id]["remaining"]
        assert lot["expires_at"] == before[lot_id]["expires_at"]
    again = shop.post(f"/v1/redemptions/{d['id']}/cancel")
    assert again.status_code == 200
    assert loyalty(shop, rich["id"])["points"]["available"] == 200


def test_a_retried_redemption_spends_once(shop, rich):
    h = {"Idempotency-Key": "redeem-1"}
    a = redeem(shop, rich, {"reward": "warranty"}, headers=h)
    b = redeem(shop, rich, {"reward": "warranty"}, headers=h)
    assert a.json()["id"] == b.json()["id"] and b.headers.get("Idempotent-Replayed") == "true"
    assert loyalty(shop, rich["id"])["points"]["available"] == 180


def test_not_enough_points_out_of_stock_and_limits_are_422_with_a_code(shop, rich, operator):
    other = shop.post("/v1/customers", {"email": "other@example.com"}).json()
    paid_order(shop, {"id": other["id"]}, amount=5000)
    assert redeem(shop, rich, {"reward": "tote"}).status_code == 201
    r = redeem(shop, rich, {"reward": "tote"})
    assert r.status_code == 422 and error_of(r)["code"] == "limit_reached"
    assert redeem(shop, other, {"reward": "tote"}).status_code == 201
    third = shop.post("/v1/customers", {"email": "third@example.com"}).json()
    paid_order(shop, {"id": third["id"]}, amount=5000)
    r = redeem(shop, third, {"reward": "tote"})
    assert r.status_code == 422 and error_of(r)["code"] == "out_of_stock"
    poor = shop.post("/v1/customers", {"email": "poor@example.com"}).json()
    r = redeem(shop, poor, {"reward": "warranty"})
    assert r.status_code == 422 and error_of(r)["code"] == "not_enough_points"
    assert shop.get(f"/v1/customers/{poor['id']}/redemptions").json()["data"] == []


def test_pending_points_cannot_pay_for_a_reward(shop, operator):
    set_program(shop, pending_days=14, rewards=REWARDS)
    c = shop.post("/v1/customers", {"email": "new@example.com"}).json()
    paid_order(shop, {"id": c["id"]}, amount=10000)
    r = redeem(shop, c, {"reward": "warranty"})
    assert r.status_code == 422 and error_of(r)["code"] == "not_enough_points"
    advance(operator, days=14)
    assert redeem(shop, c, {"reward": "warranty"}).status_code == 201


def test_points_pay_part_of_an_order_with_a_code(shop, rich):
    o = shop.post("/v1/orders", new_order(shop, customer={"id": rich["id"]})).json()
    d = redeem(shop, rich, {"points": 120, "order": o["id"]}).json()
    assert (d["kind"], d["value"], d["order"]) == ("points_discount", 120, o["id"])
    r = redeem(shop, rich, {"points": 80, "order": o["id"]})
    assert r.status_code == 201
    assert loyalty(shop, rich["id"])["points"]["available"] == 0


@pytest.mark.parametrize("body,status,code", [
    ({}, 400, "parameter_missing"),
    ({"reward": "tote", "points": 5}, 400, "parameter_missing"),
    ({"reward": "yacht"}, 404, "reward_unknown"),
    ({"points": 10}, 400, "parameter_missing"),
    ({"points": -10, "order": "ord_x"}, 400, "parameter_invalid"),
    ({"points": 10, "order": "ord_0000000000000000"}, 404, "resource_missing"),
    ({"reward": "tote", "colour": "red"}, 400, "parameter_unknown"),
])
def test_bad_redemptions_change_nothing(shop, rich, body, status, code):
    r = redeem(shop, rich, body)
    assert r.status_code == status, r.text
    assert error_of(r)["code"] == code
    assert loyalty(shop, rich["id"])["points"]["available"] == 200


def test_points_cannot_pay_for_another_customers_order_or_more_than_it_costs(shop, rich):
    stranger = shop.post("/v1/orders", new_order(shop)).json()
    r = redeem(shop, rich, {"points": 10, "order": stranger["id"]})
    assert r.status_code == 400 and error_of(r)["param"] == "order"
    own = shop.post("/v1/orders", new_order(shop, customer={"id": rich["id"]}, lines=[{"sku": "x", "quantity": 1, "unit_price": 50}])).json()
    r = redeem(shop, rich, {"points": 60, "order": own["id"]})
    assert r.status_code == 422 and error_of(r)["code"] == "discount_exceeds_order"


def test_redemptions_for_another_shops_customer_are_404(operator, shop, rich):
    from conftest import make_shop
    other = make_shop(operator, "Other")
    set_program(other, rewards=REWARDS)
    assert other.post(f"/v1/customers/{rich['id']}/redemptions", {"reward": "tote"}).status_code == 404
    mine = redeem(shop, rich, {"reward": "tote"}).json()
    assert other.post(f"/v1/redemptions/{mine['id']}/cancel").status_code == 404
    assert shop.get(f"/v1/redemptions/{mine['id']}").json()["status"] == "active"


def test_cancelling_a_redemption_drawn_from_more_than_256_lots_restores_them_all(shop):
    """ledger_restore read at most 256 draws: a redemption spread over more lots
    lost the rest on cancel."""
    set_program(shop, pending_days=0, rewards=[{"key": "big", "kind": "gift", "name": "Big", "cost": 300}])
    c = shop.post("/v1/customers", {"email": "many@example.com"}).json()
    for i in range(300):
        shop.post(f"/v1/customers/{c['id']}/adjustments", {"points": 1, "reason": f"lot {i}"})
    d = redeem(shop, c, {"reward": "big"}).json()
    assert loyalty(shop, c["id"])["points"]["available"] == 0
    shop.post(f"/v1/redemptions/{d['id']}/cancel")
    l = loyalty(shop, c["id"])
    assert l["points"]["available"] == 300 and len(l["lots"]) == 300
