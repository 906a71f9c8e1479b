"""Story 2 (SCENARIOS.md): every fifth order is a surprise. 1 point per euro,
pending for 14 days, a surprise gift on every 5th paid order, rewards at the 5th
and the 50th. Igor's 5th order carries the gift; he returns half of it: the
points of the returned lines go, and the gift stays only if the shop says a
partially refunded order still counts."""
import pytest

from loyalty_helpers import advance, loyalty, set_clock, set_program
from conftest import new_order


@pytest.mark.parametrize("partial_counts", [True, False])
def test_igors_fifth_order_carries_the_gift_and_a_half_return(operator, shop, partial_counts):
    set_clock(operator, "2031-11-01T10:00:00Z")
    set_program(shop, earn={"points_per_unit": 1}, pending_days=14,
                milestones=[{"type": "every", "n": 5, "gift": "surprise gift"},
                            {"type": "at", "n": 5, "points": 100},
                            {"type": "at", "n": 50, "points": 1000}],
                milestone_survives_partial_refund=partial_counts)
    igor = shop.post("/v1/customers", {"external_id": "igor", "name": "Igor"}).json()
    for i in range(1, 6):
        body = new_order(shop, external_id=f"IG-{i}", customer={"id": igor["id"]},
                         lines=[{"sku": "PUERH", "quantity": 2, "unit_price": 2000}])
        o = shop.post("/v1/orders", body).json()
        paid = shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"}).json()
        advance(operator, days=3)
    fifth = paid["loyalty"]
    assert fifth["points"] == 40
    assert {(m["rule"], m["gift"], m["points"]) for m in fifth["milestones"]} == {
        ("every 5", "surprise gift", 0), ("at 5", None, 100)}
    assert loyalty(shop, igor["id"])["points"]["pending"] + loyalty(shop, igor["id"])["points"]["available"] == 5 * 40 + 100

    r = shop.post("/v1/orders/ext:IG-5/refunds", {"external_id": "half", "lines": [{"sku": "PUERH", "quantity": 1}]}).json()
    assert r["loyalty"]["clawed_back"] == 20
    statuses = {m["rule"]: m["status"] for m in r["loyalty"]["milestones"]}
    expected = "active" if partial_counts else "voided"
    assert statuses == {"every 5": expected, "at 5": expected}
    advance(operator, days=15)
    l = loyalty(shop, igor["id"])
    assert l["points"]["available"] == 5 * 40 - 20 + (100 if partial_counts else 0)
    assert l["points"]["pending"] == 0
    assert l["milestones"]["upcoming"][0]["text"] == "5 more orders to your surprise gift"
