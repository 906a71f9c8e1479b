"""Issue 10, backtest: POST /v1/campaigns/{id}/backtest and POST /v1/program/backtest
replay the shop's paid orders of the last N days against a campaign or a draft
programme and report what it would have cost, writing nothing.

Each test makes its own history with a moving test clock (one paid order a day over
60 days, several customers) and computes the expected figures itself from the
orders it made: the backtest must agree with them exactly."""
import datetime
import uuid

import pytest

from conftest import PG, connect_db, error_of, new_order
from loyalty_helpers import DAY, set_program

START = "2026-03-01T00:00:00Z"
HISTORY_DAYS = 60


def ms(text):
    return int(datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def set_clock(operator, when):
    r = operator.post("/v1/test/clock", {"now": when})
    assert r.status_code == 200, r.text


def advance(operator, seconds):
    r = operator.post("/v1/test/clock", {"advance_seconds": seconds})
    assert r.status_code == 200, r.text


def lines_for(k):
    """Day k's cart: one or two lines, amounts that vary from day to day."""
    lines = [{"sku": f"TEA-{k % 4}", "name": "Tea", "category": "green tea",
              "quantity": 1 + k % 3, "unit_price": 700 + 130 * (k % 7)}]
    if k % 2:
        lines.append({"sku": "CUP", "name": "Cup", "category": "ware", "quantity": 1,
                      "unit_price": 1555})
    return lines


def make_history(shop, operator, ncustomers=5, days=HISTORY_DAYS, shipping=0, pay=lambda k: True):
    """One order a day for days days, customer k % ncustomers, paid when pay(k);
    then the clock moves one more hour, so no order sits on a window's edge.
    Returns the orders as their payment (or creation) returned them."""
    set_clock(operator, START)
    customers = [shop.post("/v1/customers", {"email": f"c{i}-{uuid.uuid4().hex[:6]}@example.com"}).json()
                 for i in range(ncustomers)]
    orders = []
    for k in range(1, days + 1):
        advance(operator, DAY)
        body = new_order(shop, customer={"id": customers[k % ncustomers]["id"]}, lines=lines_for(k),
                         shipping=shipping)
        r = shop.post("/v1/orders", body)
        assert r.status_code == 201, r.text
        o = r.json()
        if pay(k):
            r = shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})
            assert r.status_code == 200, r.text
            o = r.json()
        orders.append(o)
    advance(operator, 3600)
    return orders


def in_window(orders, report):
    """The paid orders of the history placed in the report's [from, to), in placed order."""
    lo, hi = ms(report["from"]), ms(report["to"])
    return sorted((o for o in orders if o["status"] == "paid" and lo <= ms(o["placed_at"]) < hi),
                  key=lambda o: ms(o["placed_at"]))


def earned(order, points_per_unit):
    """What the ledger's rule earns on an order's lines in EUR (exponent 2)."""
    return sum(l["quantity"] * l["unit_price"] * points_per_unit // 100 for l in order["lines"])


def row_counts(db):
    con = connect_db(db)
    if PG:
        tables = [t for (t,) in con.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").fetchall()]
    else:
        tables = [t for (t,) in con.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY 1").fetchall()]
    if PG:  # one query (one psql process) for every table, not one a table
        counts = dict(con.execute(" UNION ALL ".join(
            f"SELECT '{t}', count(*) FROM \"{t}\"" for t in tables)).fetchall())
    else:
        counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    con.close()
    return counts


PROGRAM = {"earn": {"points_per_unit": 1}, "pending_days": 14, "expiry": {"policy": "never"}}


def program_backtest(shop, draft, days=30):
    r = shop.post("/v1/program/backtest", {"program": draft, "days": days})
    assert r.status_code == 200, r.text
    return r.json()


# --- earn rules ----------------------------------------------------------------------

def test_backtest__a_draft_doubling_points_issues_twice_the_points_of_the_last_30_days(shop, operator):
    set_program(shop, **PROGRAM)
    orders = make_history(shop, operator)
    report = program_backtest(shop, dict(PROGRAM, earn={"points_per_unit": 2}), days=30)
    window = in_window(orders, report)
    assert len(window) == 30
    assert ms(report["to"]) - ms(report["from"]) == 30 * DAY * 1000
    current = sum(earned(o, 1) for o in window)
    draft = sum(earned(o, 2) for o in window)
    # the current programme's figure is what the ledger really credited for those orders
    assert current == sum(o["loyalty"]["points"] for o in window)
    assert report["object"] == "program_backtest"
    assert report["current_version"] == 1
    assert report["orders_considered"] == 30
    assert report["points_issued_current"] == current
    assert report["points_issued_draft"] == draft
    assert report["difference"] == draft - current
    assert report["draft"] == {"earn": draft, "milestones": 0}
    assert report["current"] == {"earn": current, "milestones": 0}
    assert report["orders_reached"] == 30
    assert report["customers_reached"] == 5
    assert report["orders_over_limit_draft"] == 0


def test_backtest__a_draft_milestone_counts_the_paid_orders_placed_before_the_window(shop, operator):
    set_program(shop, **PROGRAM)
    orders = make_history(shop, operator, ncustomers=4)
    draft = dict(PROGRAM, milestones=[{"type": "every", "n": 3, "points": 50},
                                      {"type": "at", "n": 10, "points": 7}])
    report = program_backtest(shop, draft, days=45)
    window = {o["id"] for o in in_window(orders, report)}
    paid_count, milestones = {}, 0
    for o in sorted(orders, key=lambda o: ms(o["placed_at"])):
        n = paid_count[o["customer"]] = paid_count.get(o["customer"], 0) + 1
        if o["id"] in window:
            milestones += (50 if n % 3 == 0 else 0) + (7 if n == 10 else 0)
    assert milestones > 0
    assert report["draft"]["milestones"] == milestones
    assert report["current"]["milestones"] == 0
    assert report["points_issued_draft"] - report["points_issued_current"] == milestones
    assert report["orders_considered"] == len(window) == 45


def test_backtest__unpaid_orders_are_not_replayed_and_a_min_order_leaves_small_ones_out(shop, operator):
    set_program(shop, **PROGRAM)
    orders = make_history(shop, operator, pay=lambda k: k % 5 != 0)
    draft = dict(PROGRAM, earn={"points_per_unit": 3, "min_order": 3000})
    report = program_backtest(shop, draft, days=30)
    window = in_window(orders, report)
    assert len(window) == 24                 # 30 days, one unpaid order in five
    big = [o for o in window if sum(l["quantity"] * l["unit_price"] for l in o["lines"]) >= 3000]
    assert 0 < len(big) < len(window)
    assert report["orders_considered"] == 24
    assert report["points_issued_draft"] == sum(earned(o, 3) for o in big)
    assert report["orders_reached"] == len(big)
    assert report["customers_reached"] == len({o["customer"] for o in big})


def test_backtest__a_shop_without_a_programme_compares_the_draft_with_nothing(shop, operator):
    orders = make_history(shop, operator, days=10)
    report = program_backtest(shop, PROGRAM, days=30)
    assert report["current_version"] is None
    assert report["points_issued_current"] == 0
    assert report["points_issued_draft"] == sum(earned(o, 1) for o in in_window(orders, report))
    assert report["orders_considered"] == 10


def test_backtest__of_a_programme_writes_nothing(server, shop, operator):
    set_program(shop, **PROGRAM)
    make_history(shop, operator, days=20)
    before = row_counts(server.db)
    for days in (1, 30, 3660):
        program_backtest(shop, dict(PROGRAM, earn={"points_per_unit": 5}), days=days)
    assert row_counts(server.db) == before


@pytest.mark.parametrize("body, param", [
    ({"program": PROGRAM, "days": 0}, "days"),
    ({"program": PROGRAM, "days": 3661}, "days"),
    ({"program": PROGRAM, "days": "30"}, "days"),
    ({"program": PROGRAM, "days": 2.5}, "days"),
    ({"days": 30}, "program"),
    ({"program": [], "days": 30}, "program"),
    ({"program": PROGRAM, "days": 30, "dry": True}, "dry"),
    ({"program": {"earn": {"points_per_unit": -1}}}, "program.earn.points_per_unit"),
    ({"program": {"earn": {"multipliers": [{"type": "colour", "value": "red", "percent": 200}]}}},
     "program.earn.multipliers[0].type"),
    ({"program": {"bogus": 1}}, "program.bogus"),
])
def test_backtest__a_bad_programme_request_is_400_naming_the_field(shop, body, param):
    r = shop.post("/v1/program/backtest", body)
    assert r.status_code == 400, r.text
    assert error_of(r)["param"] == param


def test_backtest__is_for_the_shops_secret_key_only(shop):
    r = shop.post("/v1/program/backtest", {"program": PROGRAM}, key=shop.shop["publishable_key"])
    assert r.status_code in (401, 403), r.text
    r = shop.post("/v1/program/backtest", {"program": PROGRAM}, key=None)
    assert r.status_code == 401, r.text


# --- campaigns -----------------------------------------------------------------------

def make_campaign(shop, **fields):
    body = {"name": "Spring tea", "type": "unique", "status": "draft",
            "starts_at": "2026-06-01T00:00:00Z", "ends_at": "2026-07-01T00:00:00Z",
            "discount": {"kind": "percent", "value": 10}}
    body.update(fields)
    r = shop.post("/v1/campaigns", body)
    assert r.status_code == 201, r.text
    return r.json()


def campaign_backtest(shop, campaign, **body):
    r = shop.post(f"/v1/campaigns/{campaign['id']}/backtest", body)
    assert r.status_code == 200, r.text
    return r.json()


def subtotal(order):
    return sum(l["quantity"] * l["unit_price"] for l in order["lines"])


def percent_off(order, percent):
    """discount.h: each eligible line gives floor(amount x percent / 100)."""
    return sum(l["quantity"] * l["unit_price"] * percent // 100 for l in order["lines"])


NO_REASONS = {"not_started": 0, "expired": 0, "currency_mismatch": 0, "not_eligible": 0,
              "min_cart_not_met": 0, "limit_reached": 0, "budget_exhausted": 0}


def test_backtest__a_draft_10_percent_campaign_with_min_cart_and_one_use_per_customer(shop, operator):
    orders = make_history(shop, operator, ncustomers=6)
    campaign = make_campaign(shop, conditions={"min_cart": 3000, "currency": "EUR"},
                             limits={"per_customer": 1})
    report = campaign_backtest(shop, campaign, days=30)
    window = in_window(orders, report)
    assert len(window) == 30
    used, discount, reasons = set(), 0, dict(NO_REASONS)
    for o in window:                         # the rules, in validation's order
        if o["customer"] in used:
            reasons["limit_reached"] += 1
        elif subtotal(o) < 3000:
            reasons["min_cart_not_met"] += 1
        else:
            used.add(o["customer"])
            discount += percent_off(o, 10)
    assert 0 < len(used) < 6 and reasons["min_cart_not_met"] and reasons["limit_reached"]
    assert report["object"] == "campaign_backtest"
    assert report["campaign"] == campaign["id"]
    assert report["days"] == 30 and report["respect_window"] is False
    assert report["orders_considered"] == 30
    assert report["orders_reached"] == len(used)
    assert report["customers_reached"] == len(used)
    assert report["currency"] == "EUR"
    assert report["discount_total"] == discount
    assert report["discount_shipping"] == 0
    assert report["by_currency"] == [{"currency": "EUR", "discount_total": discount,
                                      "discount_shipping": 0, "orders_reached": len(used)}]
    assert report["not_reached"] == reasons
    # the campaign is still a draft that nobody used
    assert shop.get(f"/v1/campaigns/{campaign['id']}").json()["status"] == "draft"


def test_backtest__a_budget_stops_the_campaign_at_exactly_k_orders(shop, operator):
    orders = make_history(shop, operator, ncustomers=7)
    campaign = make_campaign(shop, conditions={"currency": "EUR"})
    window = in_window(orders, campaign_backtest(shop, campaign, days=30))
    k = 4                                    # a budget for the first k discounts, to the cent
    budget = sum(percent_off(o, 10) for o in window[:k])
    capped = make_campaign(shop, conditions={"currency": "EUR"}, limits={"budget": budget})
    report = campaign_backtest(shop, capped, days=30)
    assert report["orders_reached"] == k
    assert report["discount_total"] == budget
    assert report["not_reached"] == dict(NO_REASONS, budget_exhausted=30 - k)
    # one cent less and the k-th order no longer fits; later smaller ones might
    short = make_campaign(shop, conditions={"currency": "EUR"}, limits={"budget": budget - 1})
    given, reached = 0, 0
    for o in window:
        d = percent_off(o, 10)
        if given < budget - 1 and d <= budget - 1 - given:
            given, reached = given + d, reached + 1
    report = campaign_backtest(shop, short, days=30)
    assert (report["orders_reached"], report["discount_total"]) == (reached, given)
    assert given <= budget - 1


def test_backtest__total_uses_and_first_order_only_count_in_placed_order(shop, operator):
    orders = make_history(shop, operator, ncustomers=40, days=40)   # a new customer a day
    early = sorted(orders, key=lambda o: ms(o["placed_at"]))
    # a second order for the first five customers, placed in the window
    for o in early[:5]:
        body = new_order(shop, customer={"id": o["customer"]}, lines=lines_for(3))
        r = shop.post("/v1/orders", body)
        paid = shop.post(f"/v1/orders/{r.json()['id']}/payments", {"status": "paid"})
        assert paid.status_code == 200, paid.text
        orders.append(paid.json())
        advance(operator, 60)
    advance(operator, 3600)
    welcome = make_campaign(shop, type="welcome", conditions={"first_order_only": True},
                            limits={"total_uses": 12})
    report = campaign_backtest(shop, welcome, days=30)
    window = in_window(orders, report)
    first = [o for o in window if min(ms(x["placed_at"]) for x in orders
                                      if x["customer"] == o["customer"]) == ms(o["placed_at"])]
    assert len(window) == 35 and len(first) == 30
    assert report["orders_considered"] == 35
    assert report["orders_reached"] == 12
    assert report["discount_total"] == sum(percent_off(o, 10) for o in first[:12])
    # the five repeat orders come last: total_uses is spent by then, and that is checked first
    assert report["not_reached"] == dict(NO_REASONS, limit_reached=35 - 12)
    uncapped = make_campaign(shop, type="welcome", conditions={"first_order_only": True})
    report = campaign_backtest(shop, uncapped, days=30)
    assert report["orders_reached"] == 30
    assert report["not_reached"] == dict(NO_REASONS, not_eligible=5)


def test_backtest__the_window_counts_only_when_asked(shop, operator):
    orders = make_history(shop, operator)
    lo = ms(orders[40]["placed_at"])
    starts = datetime.datetime.fromtimestamp(lo / 1000, datetime.timezone.utc)
    campaign = make_campaign(shop, starts_at=starts.strftime("%Y-%m-%dT%H:%M:%SZ"),
                             ends_at=None)
    report = campaign_backtest(shop, campaign, days=30)
    assert report["orders_reached"] == 30 and report["respect_window"] is False
    report = campaign_backtest(shop, campaign, days=30, respect_window=True)
    window = in_window(orders, report)
    inside = [o for o in window if ms(o["placed_at"]) >= lo]
    assert 0 < len(inside) < 30
    assert report["orders_reached"] == len(inside)
    assert report["discount_total"] == sum(percent_off(o, 10) for o in inside)
    assert report["not_reached"] == dict(NO_REASONS, not_started=30 - len(inside))


def test_backtest__free_shipping_and_a_currency_condition(shop, operator):
    orders = make_history(shop, operator, days=30, shipping=490)
    for k in range(3):                       # orders in another currency are not reached
        body = new_order(shop, currency="USD", lines=lines_for(k))
        r = shop.post("/v1/orders", body)
        assert shop.post(f"/v1/orders/{r.json()['id']}/payments", {"status": "paid"}).status_code == 200
        advance(operator, 60)
    ship = make_campaign(shop, discount={"kind": "free_shipping"}, conditions={"currency": "EUR"})
    report = campaign_backtest(shop, ship, days=30)
    window = in_window(orders, report)
    assert report["orders_considered"] == len(window) + 3
    assert report["discount_total"] == report["discount_shipping"] == 490 * len(window)
    assert report["not_reached"] == dict(NO_REASONS, currency_mismatch=3)
    anywhere = make_campaign(shop)           # no currency: one figure per currency
    report = campaign_backtest(shop, anywhere, days=30)
    assert [b["currency"] for b in report["by_currency"]] == ["EUR", "USD"]
    assert report["discount_total"] is None and report["currency"] is None
    assert report["by_currency"][1]["orders_reached"] == 3


def test_backtest__of_a_campaign_writes_nothing(server, shop, operator):
    make_history(shop, operator, days=20)
    campaign = make_campaign(shop, limits={"per_customer": 1, "total_uses": 3, "budget": 500},
                             conditions={"currency": "EUR"})
    before = row_counts(server.db)
    for days in (1, 30, 3660):
        campaign_backtest(shop, campaign, days=days)
        campaign_backtest(shop, campaign, days=days, respect_window=True)
    assert row_counts(server.db) == before
    assert shop.get(f"/v1/campaigns/{campaign['id']}").json()["status"] == "draft"


@pytest.mark.parametrize("body, param", [
    ({"days": 0}, "days"),
    ({"days": -5}, "days"),
    ({"days": 3661}, "days"),
    ({"days": "7"}, "days"),
    ({"days": 30, "respect_window": "yes"}, "respect_window"),
    ({"days": 30, "program": {}}, "program"),
])
def test_backtest__a_bad_campaign_request_is_400_naming_the_field(shop, body, param):
    campaign = make_campaign(shop)
    r = shop.post(f"/v1/campaigns/{campaign['id']}/backtest", body)
    assert r.status_code == 400, r.text
    assert error_of(r)["param"] == param


def test_backtest__an_unknown_or_another_shops_campaign_is_404(shop, operator):
    from conftest import make_shop
    other = make_shop(operator, "Other")
    theirs = make_campaign(other)
    for ref in ("cmp_nope", theirs["id"]):
        r = shop.post(f"/v1/campaigns/{ref}/backtest", {"days": 30})
        assert r.status_code == 404, r.text
        error_of(r)
