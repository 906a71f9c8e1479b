"""Regression tests for issue 8: ledger paths that kept points a refund took back,
or took points a refund should not, and the common base of the points and cashback
claw-backs.

- Buy, refund, keep the points: points of order A are spent (a reward, or points
  paying for order B), A is refunded in full (the claw-back is clamped), then the
  spending is undone in any of the ways it can be: the points that come back first
  repay what the clamp left uncollected, so nothing of A survives.
- A refund of an order whose own points expired unspent does not take the same
  points again from the customer's other lots.
- A partial refund takes back cashback by the same rule as points.
"""
import subprocess
import uuid

import pytest

import conftest
from conftest import error_of, new_order
from loyalty_helpers import advance, loyalty, paid_order, set_clock, set_program

REWARDS = [{"key": "kettle", "kind": "gift", "name": "Kettle", "cost": 1000}]


@pytest.fixture(autouse=True)
def fixed_clock(operator):
    set_clock(operator, "2031-03-01T08:00:00Z")


def retain_check(server):
    r = subprocess.run([conftest.BIN, "check", "--db", server.db], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr


def customer(shop):
    return shop.post("/v1/customers", {"email": f"{uuid.uuid4().hex[:10]}@example.com"}).json()


def refund_all(shop, order):
    r = shop.post(f"/v1/orders/{order['id']}/refunds",
                  {"external_id": "r-" + uuid.uuid4().hex[:8], "amount": order["total"]})
    assert r.status_code == 201, r.text
    return r.json()


def pending_order(shop, c, amount):
    body = new_order(shop, customer={"id": c["id"]},
                     lines=[{"sku": "B", "quantity": 1, "unit_price": amount}])
    r = shop.post("/v1/orders", body)
    assert r.status_code == 201, r.text
    return r.json()


def spend(shop, c, how):
    """Spends A's 1000 points; returns a function that undoes the spending."""
    if how == "cancel_reward":
        red = shop.post(f"/v1/customers/{c['id']}/redemptions", {"reward": "kettle"}).json()
        return lambda: shop.post(f"/v1/redemptions/{red['id']}/cancel")
    b = pending_order(shop, c, 2000)
    red = shop.post(f"/v1/customers/{c['id']}/redemptions", {"points": 1000, "order": b["id"]})
    assert red.status_code == 201, red.text
    red = red.json()
    if how == "cancel_points_discount":
        return lambda: shop.post(f"/v1/redemptions/{red['id']}/cancel")
    if how == "cancel_order_b":
        return lambda: shop.post(f"/v1/orders/{b['id']}/cancel")
    if how == "refund_order_b":
        assert shop.post(f"/v1/orders/{b['id']}/payments", {"status": "paid"}).status_code == 200
        return lambda: shop.post(f"/v1/orders/{b['id']}/refunds",
                                 {"external_id": "rb", "amount": b["total"]})
    raise AssertionError(how)


WAYS = ["cancel_reward", "cancel_points_discount", "cancel_order_b", "refund_order_b"]


@pytest.mark.parametrize("how", WAYS)
def test_points_of_a_refunded_order_do_not_come_back_when_their_spending_is_undone_issue8(
        server, shop, how):
    set_program(shop, pending_days=0, rewards=REWARDS, point_value=1, refund_policy="clamp")
    c = customer(shop)
    a = paid_order(shop, {"id": c["id"]}, amount=100000)            # 1000 points
    assert loyalty(shop, c["id"])["points"]["available"] == 1000
    undo = spend(shop, c, how)
    refund_all(shop, a)
    entries = shop.get(f"/v1/customers/{c['id']}/ledger?limit=100").json()["data"]
    assert any(x["reason"] == "refund_uncollectable" for x in entries)
    r = undo()
    assert r.status_code in (200, 201), r.text
    view = loyalty(shop, c["id"])
    assert view["points"]["available"] == 0, view
    assert view["points"]["pending"] == 0
    # The redemption is cancelled (whichever way) and a second cancel changes nothing.
    reds = shop.get(f"/v1/customers/{c['id']}/redemptions").json()["data"]
    assert [x["status"] for x in reds] == ["cancelled"]
    assert shop.post(f"/v1/redemptions/{reds[0]['id']}/cancel").status_code == 200
    assert loyalty(shop, c["id"])["points"]["available"] == 0
    retain_check(server)


@pytest.mark.parametrize("how", WAYS)
def test_points_that_come_back_repay_only_what_the_clamp_left_uncollected_issue8(server, shop, how):
    set_program(shop, pending_days=0, rewards=REWARDS, point_value=1, refund_policy="clamp")
    c = customer(shop)
    a = paid_order(shop, {"id": c["id"]}, amount=100000)            # 1000 points
    undo = spend(shop, c, how)
    paid_order(shop, {"id": c["id"]}, amount=30000)                 # 300 more, earned later
    refund_all(shop, a)                                              # takes 300, 700 uncollected
    assert loyalty(shop, c["id"])["points"]["available"] == 0
    assert undo().status_code in (200, 201)
    # 1000 come back, 700 repay the claw-back: the later order's 300 stay.
    assert loyalty(shop, c["id"])["points"]["available"] == 300
    retain_check(server)


def test_points_that_come_back_settle_a_refund_debt_first_issue8(server, shop):
    set_program(shop, pending_days=0, rewards=REWARDS, point_value=1, refund_policy="debt")
    c = customer(shop)
    a = paid_order(shop, {"id": c["id"]}, amount=100000)
    red = shop.post(f"/v1/customers/{c['id']}/redemptions", {"reward": "kettle"}).json()
    refund_all(shop, a)
    assert loyalty(shop, c["id"])["points"]["available"] == -1000
    assert shop.post(f"/v1/redemptions/{red['id']}/cancel").status_code == 200
    view = loyalty(shop, c["id"])
    assert view["points"]["available"] == 0
    assert [l for l in view["lots"] if l["kind"] == "debt"] == []   # the debt is repaid
    retain_check(server)


def test_points_cannot_pay_for_a_cancelled_order_or_beyond_its_total_in_all_issue8(shop):
    set_program(shop, pending_days=0, point_value=1)
    c = customer(shop)
    paid_order(shop, {"id": c["id"]}, amount=100000)
    b = pending_order(shop, c, 1500)
    ok = shop.post(f"/v1/customers/{c['id']}/redemptions", {"points": 1000, "order": b["id"]})
    assert ok.status_code == 201
    r = shop.post(f"/v1/customers/{c['id']}/redemptions", {"points": 600, "order": b["id"]})
    assert r.status_code == 422 and error_of(r)["code"] == "discount_exceeds_order"
    assert shop.post(f"/v1/orders/{b['id']}/cancel").status_code == 200
    r = shop.post(f"/v1/customers/{c['id']}/redemptions", {"points": 100, "order": b["id"]})
    assert r.status_code == 409 and error_of(r)["code"] == "order_status_conflict"
    assert loyalty(shop, c["id"])["points"]["available"] == 1000


@pytest.mark.parametrize("spent,refund_share,taken", [
    (0, 1, 0),          # all of A's points expired unused: nothing is taken from the other lot
    (0, 2, 0),          # half refunded: still nothing
    (300, 1, 300),      # 300 were spent before the rest expired: only those 300 are taken
    (300, 2, 0),        # half of 1000 is 500: covered by the 700 that expired
])
def test_points_that_expired_unspent_are_not_clawed_back_again_issue8(server, shop, operator,
                                                                      spent, refund_share, taken):
    set_program(shop, pending_days=0, expiry={"policy": "days", "n": 30}, point_value=1)
    c = customer(shop)
    a = paid_order(shop, {"id": c["id"]}, amount=100000)            # 1000, expire on day 30
    if spent:
        assert shop.post(f"/v1/customers/{c['id']}/adjustments",
                         {"points": -spent, "reason": "spent"}).status_code in (200, 201)
    advance(operator, days=20)
    assert shop.post(f"/v1/customers/{c['id']}/adjustments",
                     {"points": 500, "reason": "goodwill"}).status_code in (200, 201)  # day 50
    advance(operator, days=11)                                       # A's points expire
    assert loyalty(shop, c["id"])["points"]["available"] == 500
    r = shop.post(f"/v1/orders/{a['id']}/refunds",
                  {"external_id": "r1", "amount": a["total"] // refund_share})
    assert r.status_code == 201, r.text
    assert loyalty(shop, c["id"])["points"]["available"] == 500 - taken
    entries = shop.get(f"/v1/customers/{c['id']}/ledger?limit=100").json()["data"]
    assert any(x["reason"] == "refund_expired" for x in entries)
    retain_check(server)


@pytest.mark.parametrize("lines,shipping,refund,points_back,cashback_back", [
    # One line and shipping; the line comes back: all points, all cashback.
    ([("A", 10000)], 5000, {"lines": [{"sku": "A", "quantity": 1}]}, 100, 1000),
    # Two lines; one comes back: its own share of both.
    ([("A", 6000), ("B", 4000)], 5000, {"lines": [{"sku": "A", "quantity": 1}]}, 60, 600),
    # The shipping paid back as an amount: the amount's share of both.
    ([("A", 10000)], 5000, {"amount": 5000}, 33, 333),
    # Products refunded by amount, shipping kept.
    ([("A", 6000), ("B", 4000)], 5000, {"amount": 10000}, 66, 666),
])
def test_cashback_and_points_of_a_partial_refund_come_back_on_the_same_base_issue8(
        shop, lines, shipping, refund, points_back, cashback_back):
    set_program(shop, pending_days=0, cashback={"basis_points": 1000})   # 10% of products
    c = customer(shop)
    body = new_order(shop, customer={"id": c["id"]}, shipping=shipping,
                     lines=[{"sku": s, "quantity": 1, "unit_price": p} for s, p in lines])
    o = shop.post("/v1/orders", body).json()
    paid = shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"}).json()["loyalty"]
    assert paid["points"] * 10 == paid["cashback"]["amount"]
    r = shop.post(f"/v1/orders/{o['id']}/refunds", dict(refund, external_id="r1"))
    assert r.status_code == 201, r.text
    back = r.json()["loyalty"]
    assert back["clawed_back"] == points_back
    assert back["cashback"]["clawed_back"] == cashback_back
    view = loyalty(shop, c["id"])
    assert view["cashback"] == [{"currency": "EUR", "balance": paid["cashback"]["amount"] - cashback_back}]
