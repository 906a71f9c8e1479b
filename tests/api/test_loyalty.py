"""The loyalty programme and its ledger, scenario by scenario (issue 4)."""
import sqlite3
import subprocess

import pytest

from conftest import BIN, connect_db, error_of, make_shop, new_order
from loyalty_helpers import DAY, advance, loyalty, paid_order, set_clock, set_program


@pytest.fixture(autouse=True)
def fixed_clock(operator):
    set_clock(operator, "2030-03-01T10:00:00Z")
    yield


@pytest.fixture
def olga(shop):
    return shop.post("/v1/customers", {"email": "olga@example.com"}).json()


def test_no_programme_means_no_points_and_a_clear_404(shop, olga):
    r = shop.get("/v1/program")
    assert r.status_code == 404 and error_of(r)["code"] == "program_missing"
    o = paid_order(shop, {"id": olga["id"]})
    assert o["loyalty"] is None
    assert loyalty(shop, olga["id"])["points"]["available"] == 0


def test_points_per_unit_with_multipliers_exclude_shipping_and_tax(shop, olga):
    set_program(shop, earn={"points_per_unit": 2, "multipliers": [
        {"type": "category", "value": "green tea", "percent": 150},
        {"type": "channel", "value": "app", "percent": 200}]})
    body = new_order(shop, customer={"id": olga["id"]}, channel="app", shipping=490, tax=300, lines=[
        {"sku": "G", "category": "green tea", "quantity": 2, "unit_price": 1000, "discount": 200},
        {"sku": "B", "category": "black tea", "quantity": 1, "unit_price": 555}])
    o = shop.post("/v1/orders", body).json()
    paid = shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"}).json()
    # green: 18.00 * 2 pts * 1.5 * 2 (app) = 108; black: 5.55 * 2 * 2 = 22.2 -> 22
    assert paid["loyalty"]["points"] == 130
    assert loyalty(shop, olga["id"])["points"] == {
        "available": 0, "pending": 130, "expiring_within_30_days": 0, "lifetime_earned": 130,
        "expire_if_inactive_at": None}


def test_shipping_and_tax_earn_only_when_configured_and_min_order_applies(shop, olga):
    set_program(shop, earn={"points_per_unit": 1, "include_shipping": True, "min_order": 1500})
    small = paid_order(shop, {"id": olga["id"]}, amount=1000, shipping=490)
    assert small["loyalty"]["points"] == 0
    big = paid_order(shop, {"id": olga["id"]}, amount=2000, shipping=500)
    assert big["loyalty"]["points"] == 25


def test_pending_points_cannot_be_spent_before_the_return_window_ends(operator, shop, olga):
    set_program(shop)
    paid_order(shop, {"id": olga["id"]}, amount=5000)
    r = shop.post(f"/v1/customers/{olga['id']}/adjustments", {"points": -10, "reason": "test spend"})
    assert r.status_code == 422 and error_of(r)["code"] == "not_enough_points"
    advance(operator, days=13, seconds=DAY - 1)
    assert loyalty(shop, olga["id"])["points"]["pending"] == 50
    advance(operator, seconds=1)
    l = loyalty(shop, olga["id"])
    assert l["points"]["available"] == 50 and l["lots"][0]["state"] == "available"
    r = shop.post(f"/v1/customers/{olga['id']}/adjustments", {"points": -10, "reason": "test spend"})
    assert r.status_code == 200 and r.json()["points"]["available"] == 40


def test_buy_refund_keep_the_points_is_impossible(shop, olga):
    set_program(shop)
    o = paid_order(shop, {"id": olga["id"]}, amount=3000, quantity=3)
    assert o["loyalty"]["points"] == 30
    for i in range(3):
        r = shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": f"r{i}", "lines": [{"sku": "TEA", "quantity": 1}]})
        assert r.status_code == 201
    assert r.json()["loyalty"]["clawed_back"] == 30
    l = loyalty(shop, olga["id"])
    assert l["points"]["pending"] == 0 and l["points"]["available"] == 0 and l["points"]["lifetime_earned"] == 0


def test_a_partial_amount_refund_claws_back_in_proportion_rounding_in_the_shops_favour_never_the_customers(shop, olga):
    set_program(shop)
    o = paid_order(shop, {"id": olga["id"]}, amount=999)       # 9 points
    r = shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "a", "amount": 333}).json()
    assert r["loyalty"]["clawed_back"] == 3                      # floor(9 * 333 / 999)
    r = shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "b", "amount": 666}).json()
    assert r["status"] == "refunded" and r["loyalty"]["clawed_back"] == 9


def test_refunding_points_already_spent_clamps_to_zero_with_an_audit_entry(operator, shop, olga):
    set_program(shop, pending_days=0)
    o = paid_order(shop, {"id": olga["id"]}, amount=4000)
    shop.post(f"/v1/customers/{olga['id']}/adjustments", {"points": -40, "reason": "spent on a reward"})
    shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "r", "amount": 4000})
    l = loyalty(shop, olga["id"])
    assert l["points"]["available"] == 0
    entries = shop.get(f"/v1/customers/{olga['id']}/ledger").json()["data"]
    audit = [x for x in entries if x["reason"] == "refund_uncollectable"]
    assert len(audit) == 1 and audit[0]["points"] == 0 and "40 points" in audit[0]["note"]


def test_with_the_debt_policy_spent_points_become_a_debt_repaid_by_the_next_earning(shop, olga):
    set_program(shop, pending_days=0, refund_policy="debt")
    o = paid_order(shop, {"id": olga["id"]}, amount=4000)
    shop.post(f"/v1/customers/{olga['id']}/adjustments", {"points": -40, "reason": "spent"})
    shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "r", "amount": 4000})
    assert loyalty(shop, olga["id"])["points"]["available"] == -40
    paid_order(shop, {"id": olga["id"]}, amount=6000)
    assert loyalty(shop, olga["id"])["points"]["available"] == 20


def test_an_order_webhook_and_a_payment_delivered_twice_credit_once(shop, olga):
    set_program(shop)
    body = new_order(shop, external_id="W-1", customer={"id": olga["id"]})
    shop.post("/v1/orders", body)
    shop.post("/v1/orders", body)
    for _ in range(2):
        shop.post("/v1/orders/ext:W-1/payments", {"status": "paid", "external_id": "psp-1"})
    assert loyalty(shop, olga["id"])["points"]["pending"] == 25
    earns = [x for x in shop.get(f"/v1/customers/{olga['id']}/ledger").json()["data"] if x["reason"] == "earn"]
    assert len(earns) == 1


def test_a_surprise_gift_on_every_fifth_paid_order_and_voided_when_that_order_is_refunded(shop, olga):
    set_program(shop, milestones=[{"type": "every", "n": 5, "gift": "surprise gift"}])
    orders = [paid_order(shop, {"id": olga["id"]}) for _ in range(5)]
    assert [len(o["loyalty"]["milestones"]) for o in orders] == [0, 0, 0, 0, 1]
    gift = orders[4]["loyalty"]["milestones"][0]
    assert gift["gift"] == "surprise gift" and gift["status"] == "active" and gift["rule"] == "every 5"
    assert loyalty(shop, olga["id"])["milestones"]["upcoming"][0]["text"] == "5 more orders to your surprise gift"
    r = shop.post(f"/v1/orders/{orders[4]['id']}/refunds", {"external_id": "r", "amount": orders[4]["total"]}).json()
    assert r["loyalty"]["milestones"][0]["status"] == "voided"
    tenth = [paid_order(shop, {"id": olga["id"]}) for _ in range(6)][-1]
    assert [m["rule"] for m in tenth["loyalty"]["milestones"]] == ["every 5"]


@pytest.mark.parametrize("survives", [True, False])
def test_a_partial_refund_keeps_the_gift_only_if_the_shop_says_so(shop, olga, survives):
    set_program(shop, milestones=[{"type": "every", "n": 2, "gift": "tea sample", "points": 20}],
                milestone_survives_partial_refund=survives)
    paid_order(shop, {"id": olga["id"]})
    second = paid_order(shop, {"id": olga["id"]}, amount=2000, quantity=2)
    r = shop.post(f"/v1/orders/{second['id']}/refunds", {"external_id": "half", "lines": [{"sku": "TEA", "quantity": 1}]}).json()
    assert r["loyalty"]["milestones"][0]["status"] == ("active" if survives else "voided")
    pending = loyalty(shop, olga["id"])["points"]["pending"]
    assert pending == 10 + 10 + (20 if survives else 0)


def test_rewards_at_the_fifth_and_the_fiftieth_order(shop, olga):
    set_program(shop, milestones=[{"type": "at", "n": 5, "points": 100}, {"type": "at", "n": 50, "points": 500, "gift": "tea set"}])
    rewarded = {}
    for i in range(1, 51):
        o = paid_order(shop, {"id": olga["id"]}, amount=100)
        if o["loyalty"]["milestones"]:
            rewarded[i] = [(m["rule"], m["points"], m["gift"]) for m in o["loyalty"]["milestones"]]
    assert rewarded == {5: [("at 5", 100, None)], 50: [("at 50", 500, "tea set")]}
    assert loyalty(shop, olga["id"])["points"]["pending"] == 50 + 100 + 500
    assert loyalty(shop, olga["id"])["milestones"]["upcoming"] == []


def test_tiers_go_up_at_once_and_down_one_at_a_time_as_the_window_moves(operator, shop, olga):
    set_program(shop, tiers={"basis": "points_earned", "window_days": 30, "downgrade": "one_down", "levels": [
        {"name": "silver", "threshold": 50, "earn_percent": 150},
        {"name": "gold", "threshold": 100, "earn_percent": 200, "free_shipping": True}]})
    paid_order(shop, {"id": olga["id"]}, amount=6000)
    t = loyalty(shop, olga["id"])["tier"]
    assert t["name"] == "silver" and t["next"]["name"] == "gold" and t["next"]["missing"] == 40
    o = paid_order(shop, {"id": olga["id"]}, amount=4000)
    assert o["loyalty"]["points"] == 60                          # silver earns x1.5
    t = loyalty(shop, olga["id"])["tier"]
    assert t["name"] == "gold" and t["benefits"]["free_shipping"] is True and t["next"] is None
    advance(operator, days=31)                                   # nothing earned in the window any more
    assert loyalty(shop, olga["id"])["tier"]["name"] == "silver"
    advance(operator, days=1)
    assert loyalty(shop, olga["id"])["tier"]["name"] is None


def test_tiers_never_depend_on_the_balance(operator, shop, olga):
    set_program(shop, pending_days=0, tiers={"basis": "points_earned", "window_days": 365,
                                             "levels": [{"name": "silver", "threshold": 50}]})
    paid_order(shop, {"id": olga["id"]}, amount=6000)
    shop.post(f"/v1/customers/{olga['id']}/adjustments", {"points": -60, "reason": "spent"})
    assert loyalty(shop, olga["id"])["tier"]["name"] == "silver"


def test_a_refund_recalculates_the_tier(shop, olga):
    set_program(shop, tiers={"basis": "net_spend", "window_days": 365, "downgrade": "recalculate",
                             "levels": [{"name": "silver", "threshold": 5000}]})
    o = paid_order(shop, {"id": olga["id"]}, amount=6000)
    assert loyalty(shop, olga["id"])["tier"]["name"] == "silver"
    shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "r", "amount": 2000})
    assert loyalty(shop, olga["id"])["tier"]["name"] is None


def test_points_expire_with_a_reminder_first(operator, shop, olga, server):
    set_program(shop, pending_days=0, expiry={"policy": "days", "n": 60, "reminder_days": 10})
    paid_order(shop, {"id": olga["id"]}, amount=7000)
    advance(operator, days=49)
    con = connect_db(server.db)
    reminders = lambda: con.execute("SELECT count(*) FROM events WHERE shop_id = ? AND type = 'points.expiring'",
                                    (shop.shop["id"],)).fetchone()[0]
    assert reminders() == 0
    advance(operator, days=2)
    assert reminders() == 1
    l = loyalty(shop, olga["id"])
    assert l["points"]["available"] == 70 and l["points"]["expiring_within_30_days"] == 70
    advance(operator, days=10)
    assert reminders() == 1
    l = loyalty(shop, olga["id"])
    assert l["points"]["available"] == 0 and l["lots"] == []
    expiry = [x for x in shop.get(f"/v1/customers/{olga['id']}/ledger").json()["data"] if x["reason"] == "expiry"]
    assert [x["points"] for x in expiry] == [-70]
    con.close()


def test_end_of_month_expiry_is_fixed_when_points_are_earned(shop, olga):
    set_program(shop, expiry={"policy": "end_of_month", "n": 2})
    o = paid_order(shop, {"id": olga["id"]})
    assert o["loyalty"]["expires_at"] == "2030-06-01T00:00:00Z"   # end of May, earned in March
    set_program(shop, expiry={"policy": "never"})
    assert loyalty(shop, olga["id"])["lots"][0]["expires_at"] == "2030-06-01T00:00:00Z"


def test_the_programme_is_versioned_and_lots_keep_their_version(shop, olga):
    v1 = set_program(shop)
    paid_order(shop, {"id": olga["id"]})
    v2 = set_program(shop, earn={"points_per_unit": 3})
    assert (v1["version"], v2["version"]) == (1, 2)
    paid_order(shop, {"id": olga["id"]})
    lots = loyalty(shop, olga["id"])["lots"]
    assert sorted(l["amount"] for l in lots) == [10, 30]
    assert shop.get("/v1/program").json()["earn"]["points_per_unit"] == 3


def test_the_terms_name_every_configured_condition(shop):
    set_program(shop, earn={"points_per_unit": 2, "min_order": 1500, "include_shipping": True,
                            "multipliers": [{"type": "sku", "value": "MATCHA", "percent": 300}]},
                pending_days=30, refund_policy="debt",
                expiry={"policy": "days", "n": 365, "reminder_days": 14},
                milestones=[{"type": "every", "n": 5, "gift": "a surprise gift"}, {"type": "at", "n": 50, "points": 500}],
                tiers={"basis": "order_count", "window_days": 180, "downgrade": "recalculate",
                       "levels": [{"name": "Gold", "threshold": 10, "earn_percent": 125, "early_access": True}]})
    text = shop.get("/v1/program/terms").json()["text"]
    for words in ["Joining is free", "2 points", "including shipping", "below 1500", "\"MATCHA\" earn 3 times",
                  "30 days later", "taken back in proportion", "below zero", "expire 365 days",
                  "remind you 14 days", "Every 5th paid order brings a surprise gift", "50th paid order brings 500 bonus points",
                  "Tier \"Gold\"", "10 paid orders in the last 180 days", "1.25 times", "early access",
                  "never on your balance", "recalculated"]:
        assert words in text, words


@pytest.mark.parametrize("body,param", [
    ({"earn": {"points_per_unit": -1}}, "earn.points_per_unit"),
    ({"earn": {"points_per_unit": 1.5}}, "earn.points_per_unit"),
    ({"earn": {"multipliers": [{"type": "colour", "value": "x", "percent": 200}]}}, "earn.multipliers[0].type"),
    ({"pending_days": -1}, "pending_days"),
    ({"expiry": {"policy": "someday"}}, "expiry.policy"),
    ({"expiry": {"policy": "days"}}, "expiry.n"),
    ({"tiers": {"basis": "balance", "levels": []}}, "tiers.basis"),
    ({"tiers": {"levels": [{"name": "a", "threshold": 10}, {"name": "b", "threshold": 5}]}}, "tiers.levels[1].threshold"),
    ({"milestones": [{"type": "every", "n": 0, "gift": "x"}]}, "milestones[0].n"),
    ({"milestones": [{"type": "every", "n": 5}]}, "milestones[0].gift"),
    ({"refund_policy": "forgive"}, "refund_policy"),
    ({"cashback": 5}, "cashback"),
])
def test_bad_programmes_are_400_and_keep_the_current_version(shop, body, param):
    set_program(shop)
    r = shop.request("PUT", "/v1/program", body)
    assert r.status_code == 400, r.text
    assert error_of(r)["param"] == param
    assert shop.get("/v1/program").json()["version"] == 1


@pytest.mark.parametrize("body,status,param", [
    ({"points": 0, "reason": "x"}, 400, "points"),
    ({"points": 1.5, "reason": "x"}, 400, "points"),
    ({"points": 10}, 400, "reason"),
    ({"points": -10, "reason": "x"}, 422, "points"),
])
def test_bad_adjustments_change_nothing(shop, olga, body, status, param):
    set_program(shop)
    r = shop.post(f"/v1/customers/{olga['id']}/adjustments", body)
    assert r.status_code == status and error_of(r)["param"] == param
    assert shop.get(f"/v1/customers/{olga['id']}/ledger").json()["data"] == []


def test_another_shops_customer_is_404_for_loyalty_reads_and_writes(operator, shop, olga):
    other = make_shop(operator, "Other")
    assert other.get(f"/v1/customers/{olga['id']}/loyalty").status_code == 404
    assert other.get(f"/v1/customers/{olga['id']}/ledger").status_code == 404
    assert other.post(f"/v1/customers/{olga['id']}/adjustments", {"points": 5, "reason": "x"}).status_code == 404


def test_merging_customers_moves_their_points(shop, olga):
    set_program(shop)
    dup = shop.post("/v1/customers", {"phone": "+4930999999"}).json()
    paid_order(shop, {"id": olga["id"]}, amount=1000)
    paid_order(shop, {"id": dup["id"]}, amount=2000)
    shop.post(f"/v1/customers/{olga['id']}/merge", {"source": dup["id"]})
    assert loyalty(shop, olga["id"])["points"]["pending"] == 30
    assert loyalty(shop, olga["id"])["milestones"]["paid_orders"] == 2
    assert loyalty(shop, dup["id"])["customer"] == olga["id"]


def test_retain_check_recomputes_balances_and_fails_on_a_mismatch(shop, olga, server):
    set_program(shop)
    paid_order(shop, {"id": olga["id"]})
    ok = subprocess.run([BIN, "check", "--db", server.db], capture_output=True, text=True)
    assert ok.returncode == 0 and "0 mismatches" in ok.stdout
    con = connect_db(server.db)
    con.execute("UPDATE loyalty_lots SET remaining = remaining - 1 WHERE shop_id = ?", (shop.shop["id"],))
    con.commit()
    bad = subprocess.run([BIN, "check", "--db", server.db], capture_output=True, text=True)
    con.execute("UPDATE loyalty_lots SET remaining = remaining + 1 WHERE shop_id = ?", (shop.shop["id"],))
    con.commit()
    con.close()
    assert bad.returncode == 1 and "remaining differs from the sum of its entries" in bad.stdout


def test_the_ledger_lists_newest_first_even_under_a_frozen_clock(shop, olga):
    set_program(shop, pending_days=0)
    paid_order(shop, {"id": olga["id"]}, amount=5000)
    notes = [f"step {i}" for i in range(8)]
    for n in notes:
        shop.post(f"/v1/customers/{olga['id']}/adjustments", {"points": 1, "reason": n})
    listed = [x["note"] for x in shop.get(f"/v1/customers/{olga['id']}/ledger").json()["data"]]
    assert listed[:8] == list(reversed(notes))


def test_a_claw_back_reaches_past_the_first_64_lots(shop, olga):
    """Regression: claw() read other lots 64 at a time and stopped after the first
    batch, calling points uncollectable while later lots still held them."""
    set_program(shop, pending_days=0)
    o = paid_order(shop, {"id": olga["id"]}, amount=10000)              # 100 points
    shop.post(f"/v1/customers/{olga['id']}/adjustments", {"points": -100, "reason": "spent"})
    for i in range(70):
        shop.post(f"/v1/customers/{olga['id']}/adjustments", {"points": 1, "reason": f"gift {i}"})
    shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "all", "amount": 10000})
    assert loyalty(shop, olga["id"])["points"]["available"] == 0
    entries = shop.get(f"/v1/customers/{olga['id']}/ledger?limit=100").json()["data"]
    audit = [x for x in entries if x["reason"] == "refund_uncollectable"]
    assert len(audit) == 1 and audit[0]["note"].startswith("30 points")
