"""Regression tests for issue 8: the ledger limits on every path that moves points.

A merge adds the source's points, debt and wallets to the target's: it is refused
with 422 when the sum would pass a maximum, and changes nothing. Points given back
(a redemption cancelled, an order cancelled or refunded in full) are never refused by
the balance limit: they were the customer's already. `retain check` reports a
customer whose points, debt or wallet is beyond its maximum. `retain import`
reports a row whose payment the programme refuses as FILE:LINE and imports the
others of its batch (docs/loyalty.md "Limits").
"""
import subprocess
import uuid

import pytest

import conftest
from conftest import connect_db, error_of, new_order
from loyalty_helpers import set_program

BALANCE_MAX = 10**17
CASHBACK_MAX = 10**17
AMOUNT_MAX = 10**15
MAX_ORDER_JPY = 10**12          # x 1000 points per yen = the per-order maximum of 10^15


def run_check(server):
    return subprocess.run([conftest.BIN, "check", "--db", server.db], capture_output=True,
                          text=True, timeout=60)


def assert_check_clean(server):
    r = run_check(server)
    assert r.returncode == 0, r.stdout + r.stderr


def customer(shop):
    r = shop.post("/v1/customers", {"email": f"{uuid.uuid4().hex[:10]}@example.com"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def order(shop, c, unit_price, category="tea"):
    body = new_order(shop, customer=c, lines=[{"sku": "A", "category": category, "quantity": 1,
                                               "unit_price": unit_price}])
    body["currency"] = "JPY"
    r = shop.post("/v1/orders", body)
    assert r.status_code == 201, r.text
    return r.json()


def paid(shop, c, unit_price=MAX_ORDER_JPY, times=1, category="tea"):
    for _ in range(times):
        o = order(shop, c, unit_price, category)
        r = shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})
        assert r.status_code == 200, r.text
    return o


def state(shop, c):
    r = shop.get(f"/v1/customers/{c}/loyalty")
    assert r.status_code == 200, r.text
    body = r.json()
    return body["points"], body["cashback"], shop.get(f"/v1/customers/{c}").json()["status"]


def points_of(shop, c):
    p = state(shop, c)[0]
    return p["available"] + p["pending"]


# --- merges ------------------------------------------------------------------------------

MERGES = [
    # (programme, orders of the target, orders of the source, code)
    ("points", 100, 1, "balance_limit_exceeded"),     # a full target
    ("points", 1, 100, "balance_limit_exceeded"),     # a full source
    ("points", 60, 41, "balance_limit_exceeded"),     # neither full, the sum too much
    ("cashback", 100, 1, "cashback_limit_exceeded"),
    ("cashback", 30, 71, "cashback_limit_exceeded"),
]


def limits_program(shop, kind):
    if kind == "points":
        set_program(shop, earn={"points_per_unit": 1000}, pending_days=0)
    else:
        set_program(shop, earn={"points_per_unit": 0}, cashback={"basis_points": 10000})
    return MAX_ORDER_JPY if kind == "points" else AMOUNT_MAX


@pytest.mark.parametrize("kind,n_target,n_source,code", MERGES)
def test_a_merge_past_a_maximum_is_refused_and_changes_nothing_issue8(server, shop, kind, n_target,
                                                                      n_source, code):
    price = limits_program(shop, kind)
    target, source = customer(shop), customer(shop)
    paid(shop, target, price, n_target)
    paid(shop, source, price, n_source)
    before = state(shop, target), state(shop, source)
    r = shop.post(f"/v1/customers/{target}/merge", {"source": source})
    assert r.status_code == 422, r.text
    err = error_of(r)
    assert err["code"] == code and err["param"] == "source", err
    assert (state(shop, target), state(shop, source)) == before
    assert state(shop, source)[2] != "merged"
    assert_check_clean(server)


@pytest.mark.parametrize("kind", ["points", "cashback"])
def test_a_merge_up_to_the_maximum_is_accepted_issue8(server, shop, kind):
    price = limits_program(shop, kind)
    target, source = customer(shop), customer(shop)
    paid(shop, target, price, 50)
    paid(shop, source, price, 50)
    r = shop.post(f"/v1/customers/{target}/merge", {"source": source})
    assert r.status_code == 200, r.text
    points, cashback, _ = state(shop, target)
    if kind == "points":
        assert points["available"] == BALANCE_MAX
    else:
        assert cashback == [{"currency": "JPY", "balance": CASHBACK_MAX}]
    assert_check_clean(server)


# --- points given back are never refused -------------------------------------------------

def full_customer_with_discount(shop, unpaid=False):
    """A customer at the maximum balance after paying part of an order with points."""
    set_program(shop, earn={"points_per_unit": 1000,
                            "multipliers": [{"type": "category", "value": "free", "percent": 0}]},
                pending_days=0, point_value=1)
    c = customer(shop)
    paid(shop, c, times=100)
    o = order(shop, c, 10**6, category="free")   # earns nothing
    r = shop.post(f"/v1/customers/{c}/redemptions", {"points": 10**6, "order": o["id"]})
    assert r.status_code == 201, r.text
    redemption = r.json()["id"]
    if not unpaid:
        assert shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"}).status_code == 200
    r = shop.post(f"/v1/customers/{c}/adjustments", {"points": 10**6, "reason": "goodwill"})
    assert r.status_code in (200, 201), r.text
    assert points_of(shop, c) == BALANCE_MAX
    return c, o, redemption


GIVE_BACK = {
    "full refund": lambda shop, o, rdm: shop.post(f"/v1/orders/{o['id']}/refunds",
                                                  {"amount": o["total"], "external_id": "r1"}),
    "order cancel": lambda shop, o, rdm: shop.post(f"/v1/orders/{o['id']}/cancel", {}),
    "redemption cancel": lambda shop, o, rdm: shop.post(f"/v1/redemptions/{rdm}/cancel", {}),
}


@pytest.mark.parametrize("how", list(GIVE_BACK))
def test_points_given_back_are_never_refused_by_the_balance_limit_issue8(server, shop, how):
    c, o, rdm = full_customer_with_discount(shop, unpaid=how == "order cancel")
    r = GIVE_BACK[how](shop, o, rdm)
    assert r.status_code in (200, 201), r.text
    assert points_of(shop, c) == BALANCE_MAX + 10**6
    assert shop.get(f"/v1/redemptions/{rdm}").json()["status"] == "cancelled"
    # Above the maximum, new points are refused until the balance is back under it.
    r = shop.post(f"/v1/customers/{c}/adjustments", {"points": 1, "reason": "goodwill"})
    assert r.status_code == 422 and error_of(r)["code"] == "balance_limit_exceeded"
    assert_check_clean(server)


# --- retain check holds every customer to the limits -------------------------------------

def tamper(server, shop_id, customer_id, what):
    """Writes a consistent lot (or wallet entry) that takes the customer past a maximum."""
    con = connect_db(server.db, timeout=30)
    now = 1
    if what == "wallet":
        con.execute("INSERT INTO cashback_entries (shop_id, id, customer_id, currency, delta, reason,"
                    " created_at) VALUES (?, ?, ?, 'JPY', ?, 'earn', ?)",
                    (shop_id, "cbe_" + uuid.uuid4().hex, customer_id, CASHBACK_MAX + 1, now))
    else:
        for _ in range(2):
            lot = "lot_" + uuid.uuid4().hex
            delta = BALANCE_MAX // 2 + 1 if what == "points" else -(BALANCE_MAX // 2 + 1)
            kind = "manual" if what == "points" else "debt"
            con.execute("INSERT INTO loyalty_lots (shop_id, id, customer_id, kind, amount, remaining,"
                        " available_at, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
                        (shop_id, lot, customer_id, kind, delta, delta, now))
            con.execute("INSERT INTO loyalty_entries (shop_id, id, customer_id, lot_id, delta, reason,"
                        " created_at) VALUES (?, ?, ?, ?, ?, 'manual', ?)",
                        (shop_id, "ent_" + uuid.uuid4().hex, customer_id, lot, delta, now))
    con.commit()
    con.close()


@pytest.mark.parametrize("what", ["points", "debt", "wallet"])
def test_check_reports_a_customer_beyond_a_maximum_issue8(fresh_server, what):
    fresh_server.start()
    operator = conftest.Api(fresh_server, conftest.OPERATOR_KEY)
    shop = conftest.make_shop(operator)
    c = customer(shop)
    assert_check_clean(fresh_server)
    tamper(fresh_server, shop.shop["id"], c, what)
    r = run_check(fresh_server)
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"customer {c}" in r.stdout and "above the maximum" in r.stdout, r.stdout


# --- import: a refused row is reported, the rest of its batch lands ----------------------

IMPORTS = [
    # rows of the file (customer, amount in yen); the refused ones earn past 10^15 points
    ["A,100", "B,2000000000000", "C,5"],
    ["B,2000000000000", "A,100", "C,5"],
    ["A,100", "C,5", "B,2000000000000"],
    ["A,100", "B,2000000000000", "C,5", "D,3000000000000", "E,7"],
]


@pytest.mark.parametrize("rows", IMPORTS)
def test_import_reports_a_row_past_the_points_limit_and_imports_the_others_issue8(
        server, shop, tmp_path, rows):
    set_program(shop, earn={"points_per_unit": 1000}, pending_days=0)
    csv = tmp_path / "orders.csv"
    csv.write_text("customer,date,amount\n" + "".join(
        f"{r.split(',')[0]},2024-01-{i + 1:02d},{r.split(',')[1]}\n" for i, r in enumerate(rows)))
    refused = [i + 2 for i, r in enumerate(rows) if int(r.split(",")[1]) >= 10**12]
    r = subprocess.run([conftest.BIN, "import", "orders", str(csv), "--db", server.db, "--shop",
                        shop.shop["id"], "--header", "--currency", "JPY"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stdout + r.stderr
    for line in refused:
        assert r.stderr.count(f"{csv}:{line}: ") == 1, r.stderr
    assert "points" in r.stderr
    assert f"{len(rows) - len(refused)} orders imported" in r.stdout, r.stdout
    con = connect_db(server.db, timeout=30)
    stored = con.execute("SELECT count(*) FROM orders WHERE shop_id = ?",
                         (shop.shop["id"],)).fetchone()[0]
    con.close()
    assert stored == len(rows) - len(refused)
    assert_check_clean(server)


# --- the expiry job's totals saturate instead of wrapping --------------------------------

INT64_MAX = 2**63 - 1


@pytest.mark.parametrize("policy,lots", [("days", 10), ("days", 3), ("inactivity", 10)])
def test_the_expiry_job_totals_saturate_instead_of_wrapping_issue8(fresh_server, policy, lots):
    fresh_server.start()
    operator = conftest.Api(fresh_server, conftest.OPERATOR_KEY)
    shop = conftest.make_shop(operator)
    set_program(shop, expiry={"policy": policy, "n": 1})
    c = customer(shop)
    con = connect_db(fresh_server.db, timeout=30)
    each = 10**18
    for _ in range(lots):
        lot = "lot_" + uuid.uuid4().hex
        con.execute("INSERT INTO loyalty_lots (shop_id, id, customer_id, kind, amount, remaining,"
                    " available_at, expires_at, created_at) VALUES (?, ?, ?, 'manual', ?, ?, 0, ?, 1)",
                    (shop.shop["id"], lot, c, each, each, 2 if policy == "days" else None))
        con.execute("INSERT INTO loyalty_entries (shop_id, id, customer_id, lot_id, delta, reason,"
                    " created_at) VALUES (?, ?, ?, ?, ?, 'manual', 1)",
                    (shop.shop["id"], "ent_" + uuid.uuid4().hex, c, lot, each))
    con.commit()
    con.close()
    fresh_server.stop()
    r = subprocess.run([conftest.BIN, "jobs", "run", "--db", fresh_server.db], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    total = min(lots * each, INT64_MAX)
    assert f"{lots} lots expired ({total} points)" in r.stdout, r.stdout
