"""Regression tests for issue 8: points and money arithmetic that could overflow.

Every configured factor of the programme is bounded (docs/loyalty.md "Limits"),
earning is computed exactly and held to the maximum points per order, a
customer's balance and cashback wallet to their maxima: a combination beyond
them is refused with 422 naming the field, never a wrapped value, never a 500,
and nothing changes. A Hypothesis property drives random programmes and orders
at the limits and checks every balance and `retain check`.

RETAIN_PROPERTY_EXAMPLES sets the number of random programmes (60 by default,
as `make test` runs it on both builds; try 300 for a long run).
"""
import os
import subprocess
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import conftest
from conftest import error_of, make_shop, new_order
from loyalty_helpers import set_program

POINTS_MAX_PER_ORDER = 10**15
BALANCE_MAX = 10**17
CASHBACK_MAX = 10**17
AMOUNT_MAX = 10**15
EXAMPLES = int(os.environ.get("RETAIN_PROPERTY_EXAMPLES", "60"))


def retain_check(server):
    r = subprocess.run([conftest.BIN, "check", "--db", server.db], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr


def order(shop, customer, currency="JPY", lines=None, **kw):
    lines = lines or [{"sku": "TEA", "category": "tea", "quantity": 1, "unit_price": 1000}]
    body = new_order(shop, customer=customer, lines=lines, **kw)
    body["currency"] = currency
    r = shop.post("/v1/orders", body)
    assert r.status_code == 201, r.text
    return r.json()


def pay(shop, o):
    return shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})


def loyalty(shop, customer_id):
    r = shop.get(f"/v1/customers/{customer_id}/loyalty")
    assert r.status_code == 200, r.text
    return r.json()


def customer(shop):
    r = shop.post("/v1/customers", {"email": f"{uuid.uuid4().hex[:10]}@example.com"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


@pytest.mark.parametrize("body,param", [
    ({"earn": {"points_per_unit": 1001}}, "earn.points_per_unit"),
    ({"earn": {"multipliers": [{"type": "category", "value": "tea", "percent": 10001}]}},
     "earn.multipliers[0].percent"),
    ({"earn": {"multipliers": [{"type": "category", "value": "tea", "percent": 10000}] * 12}},
     "earn.multipliers[1].value"),
    ({"earn": {"multipliers": [{"type": "sku", "value": "A", "percent": 200},
                               {"type": "channel", "value": "web", "percent": 300},
                               {"type": "sku", "value": "A", "percent": 400}]}},
     "earn.multipliers[2].value"),
    ({"tiers": {"levels": [{"name": "gold", "threshold": 1, "earn_percent": 1001}]}},
     "tiers.levels[0].earn_percent"),
    ({"cashback": {"basis_points": 10001}}, "cashback.basis_points"),
    ({"bonuses": [{"action": "review", "points": 10**9 + 1}]}, "bonuses[0].points"),
    ({"milestones": [{"type": "every", "n": 2, "points": 10**9 + 1}]}, "milestones[0].points"),
    ({"rewards": [{"key": "k", "kind": "gift", "name": "n", "cost": 10**9 + 1}]}, "rewards[0].cost"),
    ({"rewards": [{"key": "k", "kind": "discount_fixed", "name": "n", "cost": 5,
                   "value": 10**12 + 1}]}, "rewards[0].value"),
    ({"point_value": 100001}, "point_value"),
    ({"earn": {"min_order": 10**12 + 1}}, "earn.min_order"),
])
def test_programme_factor_beyond_its_limit_is_refused_naming_the_field_issue8(shop, body, param):
    r = shop.request("PUT", "/v1/program", body)
    assert r.status_code == 400, r.text
    assert error_of(r)["param"] == param
    assert shop.get("/v1/program").status_code in (200, 404)


HIGH = {
    "earn": {"points_per_unit": 1000,
             "multipliers": [{"type": "category", "value": "tea", "percent": 10000},
                             {"type": "sku", "value": "TEA", "percent": 10000},
                             {"type": "channel", "value": "web", "percent": 10000}]},
    "pending_days": 0,
    "tiers": {"basis": "order_count", "levels": [{"name": "gold", "threshold": 1, "earn_percent": 1000}]},
}


@pytest.mark.parametrize("unit_price,quantity", [
    (92233720368547, 1), (10**15, 1), (10**9, 1000), (1000, 1000), (1, 1),
])
def test_order_earning_beyond_the_maximum_is_refused_and_changes_nothing_issue8(
        server, shop, unit_price, quantity):
    set_program(shop, **HIGH)
    c = customer(shop)
    first = order(shop, c, lines=[{"sku": "OTHER", "quantity": 1, "unit_price": 1}])
    assert pay(shop, first).status_code == 200          # 1 yen x 1000 x tier: into "gold"
    before = loyalty(shop, c)
    o = order(shop, c, lines=[{"sku": "TEA", "category": "tea", "quantity": quantity,
                               "unit_price": unit_price}])
    r = pay(shop, o)
    expected = quantity * unit_price * 1000 * 100**3 * 10
    if expected <= POINTS_MAX_PER_ORDER:
        assert r.status_code == 200, r.text
        assert r.json()["loyalty"]["points"] == expected
        assert loyalty(shop, c)["points"]["available"] == before["points"]["available"] + expected
    else:
        assert r.status_code == 422, r.text
        err = error_of(r)
        assert err["code"] == "points_limit_exceeded" and err["param"] == "lines[0]"
        assert str(POINTS_MAX_PER_ORDER) in err["message"]
        assert shop.get(f"/v1/orders/{o['id']}").json()["status"] == "pending"
        assert loyalty(shop, c)["points"] == before["points"]
    retain_check(server)


@pytest.mark.parametrize("currency,unit_price,lines", [
    ("JPY", 10**15, 1), ("JPY", 10**12, 500), ("EUR", 10**15, 1), ("BHD", 10**15, 1),
])
def test_order_at_the_limits_earns_exact_points_never_wrapped_issue8(server, shop, currency,
                                                                     unit_price, lines):
    set_program(shop, earn={"points_per_unit": 1}, pending_days=0)
    c = customer(shop)
    amount = unit_price
    body = [{"sku": f"S{i}", "quantity": 1, "unit_price": unit_price // lines} for i in range(lines)]
    o = order(shop, c, currency=currency, lines=body)
    r = pay(shop, o)
    assert r.status_code == 200, r.text
    unit = {"JPY": 1, "EUR": 100, "BHD": 1000}[currency]
    points = lines * ((unit_price // lines) // unit)
    assert r.json()["loyalty"]["points"] == points <= POINTS_MAX_PER_ORDER
    assert loyalty(shop, c)["points"]["available"] == points
    assert 0 < amount
    retain_check(server)


def test_shipping_and_tax_points_are_held_to_the_maximum_too_issue8(server, shop):
    set_program(shop, earn={"points_per_unit": 1000, "include_shipping": True}, pending_days=0)
    c = customer(shop)
    o = order(shop, c, lines=[{"sku": "A", "quantity": 1, "unit_price": 1}], shipping=10**15)
    r = pay(shop, o)
    assert r.status_code == 422, r.text
    assert error_of(r)["param"] == "shipping"
    assert loyalty(shop, c)["points"]["available"] == 0
    retain_check(server)


def test_balance_beyond_the_maximum_is_refused_and_changes_nothing_issue8(server, shop):
    set_program(shop, earn={"points_per_unit": 1000}, pending_days=0)
    c = customer(shop)
    per_order = 10**12 * 1000             # JPY 10^12 x 1000 = the per-order maximum
    for _ in range(BALANCE_MAX // per_order):
        assert pay(shop, order(shop, c, lines=[{"sku": "A", "quantity": 1,
                                                 "unit_price": 10**12}])).status_code == 200
    assert loyalty(shop, c)["points"]["available"] == BALANCE_MAX
    o = order(shop, c)
    r = pay(shop, o)
    assert r.status_code == 422, r.text
    err = error_of(r)
    assert err["code"] == "balance_limit_exceeded" and err["param"] == "customer"
    assert shop.get(f"/v1/orders/{o['id']}").json()["status"] == "pending"
    r = shop.post(f"/v1/customers/{c}/adjustments", {"points": 1, "reason": "goodwill"})
    assert r.status_code == 422 and error_of(r)["code"] == "balance_limit_exceeded"
    assert loyalty(shop, c)["points"]["available"] == BALANCE_MAX
    # Spending makes room again.
    assert shop.post(f"/v1/customers/{c}/adjustments",
                     {"points": -10**6, "reason": "fix"}).status_code in (200, 201)
    assert pay(shop, o).status_code == 200
    retain_check(server)


def test_cashback_wallet_beyond_its_maximum_is_refused_issue8(server, shop):
    set_program(shop, earn={"points_per_unit": 0}, cashback={"basis_points": 10000})
    c = customer(shop)
    for _ in range(CASHBACK_MAX // AMOUNT_MAX):
        assert pay(shop, order(shop, c, lines=[{"sku": "A", "quantity": 1,
                                                 "unit_price": AMOUNT_MAX}])).status_code == 200
    o = order(shop, c)
    r = pay(shop, o)
    assert r.status_code == 422, r.text
    assert error_of(r)["code"] == "cashback_limit_exceeded"
    assert loyalty(shop, c)["cashback"] == [{"currency": "JPY", "balance": CASHBACK_MAX}]
    retain_check(server)


def test_net_spend_tiers_and_reports_add_up_huge_orders_without_a_500_issue8(server, shop):
    set_program(shop, earn={"points_per_unit": 0},
                tiers={"basis": "net_spend", "levels": [{"name": "gold", "threshold": 10**12}]})
    c = customer(shop)
    for _ in range(4):
        body = [{"sku": "A", "quantity": 1, "unit_price": AMOUNT_MAX}]
        o = order(shop, c, lines=body, shipping=AMOUNT_MAX, tax=AMOUNT_MAX)
        assert pay(shop, o).status_code == 200
    tier = loyalty(shop, c)["tier"]
    assert tier["name"] == "gold" and tier["metric"] == 12 * AMOUNT_MAX
    for report in ("retention", "cohorts", "rfm", "clv"):
        r = shop.get(f"/v1/reports/{report}?currency=JPY")
        assert r.status_code < 500, (report, r.text)


PROGRAMMES = st.fixed_dictionaries({
    "earn": st.fixed_dictionaries({
        "points_per_unit": st.sampled_from([0, 1, 999, 1000]),
        "include_shipping": st.booleans(),
        "include_tax": st.booleans(),
        "multipliers": st.lists(st.tuples(st.sampled_from(["category", "sku", "channel"]),
                                          st.sampled_from(["tea", "A", "B", "web", "app"]),
                                          st.sampled_from([0, 1, 100, 9999, 10000])),
                                max_size=6, unique_by=lambda m: m[:2]).map(
            lambda ms: [{"type": t, "value": v, "percent": p} for t, v, p in ms]),
    }),
    "pending_days": st.sampled_from([0, 1]),
    "refund_policy": st.sampled_from(["clamp", "debt"]),
    "cashback": st.fixed_dictionaries({"basis_points": st.sampled_from([0, 1, 10000])}),
    "point_value": st.sampled_from([1, 100000]),
    "tiers": st.fixed_dictionaries({
        "basis": st.sampled_from(["points_earned", "net_spend", "order_count"]),
        "levels": st.just([{"name": "top", "threshold": 1, "earn_percent": 1000}]),
    }),
    "milestones": st.just([{"type": "every", "n": 1, "points": 10**9}]),
})

ORDERS = st.lists(st.fixed_dictionaries({
    "currency": st.sampled_from(["JPY", "EUR", "BHD"]),
    "sku": st.sampled_from(["A", "B", "C"]),
    "category": st.sampled_from(["tea", "cups"]),
    "channel": st.sampled_from(["web", "app"]),
    "quantity": st.sampled_from([1, 2, 10**6]),
    "unit_price": st.sampled_from([0, 1, 999, 10**9, 92233720368547, 10**15]),
    "shipping": st.sampled_from([0, 10**15]),
    "after": st.sampled_from(["keep", "refund_half", "refund_all", "adjust", "spend"]),
}), min_size=1, max_size=6)


@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(program=PROGRAMMES, orders=ORDERS)
def test_random_programmes_and_orders_at_the_limits_stay_in_bounds_issue8(server, operator,
                                                                           program, orders):
    shop = make_shop(operator)
    set_program(shop, **program)
    c = customer(shop)
    for spec in orders:
        quantity = spec["quantity"]
        price = spec["unit_price"]
        if quantity * price > AMOUNT_MAX:
            price = AMOUNT_MAX // quantity
        o = order(shop, c, currency=spec["currency"], channel=spec["channel"],
                  shipping=spec["shipping"],
                  lines=[{"sku": spec["sku"], "category": spec["category"], "quantity": quantity,
                          "unit_price": price}])
        r = pay(shop, o)
        assert r.status_code in (200, 422), r.text
        if r.status_code == 422:
            assert error_of(r)["code"] in ("points_limit_exceeded", "balance_limit_exceeded",
                                           "cashback_limit_exceeded")
            continue
        earned = r.json()["loyalty"]["points"]
        assert 0 <= earned <= POINTS_MAX_PER_ORDER + 10**9
        if spec["after"] == "refund_half" and o["total"] > 1:
            r = shop.post(f"/v1/orders/{o['id']}/refunds",
                          {"external_id": "r1", "amount": o["total"] // 2})
            assert r.status_code == 201, r.text
        elif spec["after"] == "refund_all":
            r = shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "r1",
                                                           "amount": o["total"]})
            assert r.status_code in (201, 400), r.text
        elif spec["after"] == "adjust":
            r = shop.post(f"/v1/customers/{c}/adjustments", {"points": 10**9, "reason": "x"})
            assert r.status_code in (200, 201, 422), r.text
        elif spec["after"] == "spend":
            r = shop.post(f"/v1/customers/{c}/redemptions", {"points": 10**9, "order": o["id"]})
            assert r.status_code in (201, 409, 422), r.text
        view = loyalty(shop, c)
        points = view["points"]
        assert -BALANCE_MAX <= points["available"] <= BALANCE_MAX
        assert 0 <= points["pending"] <= BALANCE_MAX
        assert points["available"] + points["pending"] <= BALANCE_MAX
        for lot in view.get("lots", []):
            assert lot["remaining"] <= POINTS_MAX_PER_ORDER
        for wallet in view["cashback"]:
            assert 0 <= wallet["balance"] <= CASHBACK_MAX
    retain_check(server)
