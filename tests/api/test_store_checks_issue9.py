"""Issue 9, scope 1: CHECK constraints make impossible states unrepresentable
(migration 007). A direct write (as a bug in core/ or a hand edit would make
one) that breaks a rule is refused by the database itself, on SQLite and on
PostgreSQL, and the row stays as it was; the API's own paths up to each limit
(a lot spent to zero and put back to its amount, an order refunded exactly to
what was paid, a line refunded unit by unit to its quantity, a debt lot repaid
to zero, a claw-back of every point and all the cashback) still work; and a
database with orders, refunds and lots written before 007 migrates with its
data unchanged."""
import os
import sqlite3
import subprocess
import uuid

import pytest

import conftest
from conftest import BIN, PG, connect_db, error_of, new_order, psql
from loyalty_helpers import loyalty, paid_order, set_clock, set_program

REWARDS = [{"key": "kettle", "kind": "gift", "name": "Kettle", "cost": 1000}]


@pytest.fixture(autouse=True)
def fixed_clock(operator):
    set_clock(operator, "2031-03-01T08:00:00Z")


def retain_check(db):
    r = subprocess.run([BIN, "check", "--db", db], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "0 mismatches" in r.stdout, r.stdout + r.stderr


def customer(shop):
    return shop.post("/v1/customers", {"email": f"{uuid.uuid4().hex[:10]}@example.com"}).json()


def refund(shop, order, **body):
    return shop.post(f"/v1/orders/{order['id']}/refunds",
                     dict(body, external_id="r-" + uuid.uuid4().hex[:8]))


def one(db, sql, *params):
    rows = connect_db(db).execute(sql, params).fetchall()
    assert len(rows) == 1, (sql, rows)
    return rows[0]


def history(shop):
    """Data of every kind 007 constrains, written through the API: paid and
    pending orders, a partial refund by lines, a reward redeemed (its draws),
    points paying for an order, cashback, a full refund under refund_policy
    "debt" (a debt lot) and a milestone. The ids the tests write to."""
    set_program(shop, pending_days=0, rewards=REWARDS, point_value=1, refund_policy="debt",
                cashback={"basis_points": 1000},
                milestones=[{"type": "every", "n": 2, "points": 5}])
    c = customer(shop)
    a = paid_order(shop, {"id": c["id"]}, amount=100000, quantity=4)     # 1000 points
    kept = paid_order(shop, {"id": c["id"]}, amount=20000, quantity=2)  # 200 (+5 milestone)
    assert refund(shop, kept, lines=[{"sku": "TEA", "quantity": 1}]).status_code == 201
    reward = shop.post(f"/v1/customers/{c['id']}/redemptions", {"reward": "kettle"})
    assert reward.status_code == 201, reward.text
    body = new_order(shop, customer={"id": c["id"]},
                     lines=[{"sku": "B", "quantity": 1, "unit_price": 5000}])
    pending = shop.post("/v1/orders", body).json()
    discount = shop.post(f"/v1/customers/{c['id']}/redemptions",
                         {"points": 100, "order": pending["id"]})
    assert discount.status_code == 201, discount.text
    assert refund(shop, a, amount=a["total"]).status_code == 201              # debt: spent points
    return {"customer": c["id"], "refunded": a["id"], "kept": kept["id"],
            "pending": pending["id"], "reward": reward.json()["id"],
            "discount": discount.json()["id"]}


def refused(db, sql, params, constraint):
    """Runs a write straight on the database: it must fail on constraint."""
    con = connect_db(db, timeout=30)
    try:
        if PG:
            with pytest.raises(subprocess.CalledProcessError) as failed:
                con.execute(sql, params)
            message = failed.value.stderr
        else:
            with pytest.raises(sqlite3.IntegrityError) as failed:
                con.execute(sql, params)
                con.commit()
            message = str(failed.value)
    finally:
        con.close()
    assert constraint in message, message


# (what the write would mean, the write, the constraint that refuses it). The
# writes take a real row of history(): $shop and the ids are filled in.
BROKEN = [
    ("an earn lot below zero",
     "UPDATE loyalty_lots SET remaining = -1 WHERE shop_id = ? AND kind = 'earn'",
     "loyalty_lots_remaining_within_amount"),
    ("an earn lot above its amount",
     "UPDATE loyalty_lots SET remaining = amount + 1 WHERE shop_id = ? AND kind = 'earn'",
     "loyalty_lots_remaining_within_amount"),
    ("a debt lot above zero",
     "UPDATE loyalty_lots SET remaining = 1 WHERE shop_id = ? AND kind = 'debt'",
     "loyalty_lots_remaining_within_amount"),
    ("a debt lot beyond what is owed",
     "UPDATE loyalty_lots SET remaining = amount - 1 WHERE shop_id = ? AND kind = 'debt'",
     "loyalty_lots_remaining_within_amount"),
    ("a manual lot credited a negative amount",
     "UPDATE loyalty_lots SET kind = 'manual' WHERE shop_id = ? AND kind = 'debt'",
     "loyalty_lots_remaining_within_amount"),
    ("a lot clawed back a negative number of points",
     "UPDATE loyalty_lots SET clawed = -1 WHERE shop_id = ? AND kind = 'earn'",
     "loyalty_lots_clawed_not_negative"),
    ("an order refunded above what was paid",
     "UPDATE orders SET refunded_amount = paid_amount + 1 WHERE shop_id = ? AND id = ?kept",
     "orders_refunded_within_paid"),
    ("an unpaid order refunded",
     "UPDATE orders SET refunded_amount = 1 WHERE shop_id = ? AND id = ?pending",
     "orders_refunded_within_paid"),
    ("an order paid above its total",
     "UPDATE orders SET paid_amount = total + 1 WHERE shop_id = ? AND id = ?kept",
     "orders_paid_within_total"),
    ("an order with negative shipping",
     "UPDATE orders SET shipping = -1 WHERE shop_id = ? AND id = ?pending",
     "orders_amounts_not_negative"),
    ("a line refunded for more units than it has",
     "UPDATE order_lines SET refunded_quantity = quantity + 1 WHERE shop_id = ? AND order_id = ?kept",
     "order_lines_refunded_within_quantity"),
    ("a line of no units",
     "UPDATE order_lines SET quantity = 0, refunded_quantity = 0"
     " WHERE shop_id = ? AND order_id = ?pending",
     "order_lines_amounts_not_negative"),
    ("a negative payment",
     "UPDATE payments SET amount = -1 WHERE shop_id = ? AND order_id = ?kept",
     "payments_amount_not_negative"),
    ("a negative refund",
     "UPDATE refunds SET amount = -1 WHERE shop_id = ? AND order_id = ?kept",
     "refunds_amount_not_negative"),
    ("a refund line of no units",
     "UPDATE refund_lines SET quantity = 0 WHERE shop_id = ?",
     "refund_lines_amounts_not_negative"),
    ("an order clawed back above what it earned",
     "UPDATE order_loyalty SET clawed = points + 1 WHERE shop_id = ? AND order_id = ?kept",
     "order_loyalty_clawed_within_points"),
    ("cashback clawed back above what was earned",
     "UPDATE order_loyalty SET cashback_clawed = cashback + 1 WHERE shop_id = ? AND order_id = ?kept",
     "order_loyalty_cashback_clawed_within_cashback"),
    ("a negative uncollected claw-back",
     "UPDATE order_loyalty SET uncollected = -1 WHERE shop_id = ? AND order_id = ?kept",
     "order_loyalty_counts_not_negative"),
    ("a redemption of negative points",
     "UPDATE redemptions SET points = -1 WHERE shop_id = ? AND id = ?reward",
     "redemptions_points_and_value_not_negative"),
    ("a redemption of negative value",
     "UPDATE redemptions SET value = -1 WHERE shop_id = ? AND id = ?discount",
     "redemptions_points_and_value_not_negative"),
    ("a redemption that drew no points from a lot",
     "UPDATE redemption_draws SET points = 0 WHERE shop_id = ? AND redemption_id = ?reward",
     "redemption_draws_points_positive"),
    ("a milestone of negative points",
     "UPDATE milestone_awards SET points = -1 WHERE shop_id = ?",
     "milestone_awards_points_not_negative"),
]


def bind(sql, shop_id, ids):
    """The write's SQL with its ids as parameters: "?kept" is ids["kept"]."""
    params, parts = [shop_id], sql.split("?")
    for i, part in enumerate(parts[2:], start=2):
        name = part.split()[0] if part.split() else part
        params.append(ids[name])
        parts[i] = part[len(name):]
    return "?".join(parts), params


TABLES = ["loyalty_lots", "orders", "order_lines", "payments", "refunds", "refund_lines",
          "order_loyalty", "redemptions", "redemption_draws", "milestone_awards"]


def snapshot(db, shop_id):
    con = connect_db(db)
    out = {t: sorted(con.execute(f"SELECT * FROM {t} WHERE shop_id = ?", (shop_id,)).fetchall(),
                     key=repr) for t in TABLES}
    con.close()
    return out


@pytest.mark.parametrize("what,sql,constraint", BROKEN, ids=[b[0] for b in BROKEN])
def test_the_database_refuses_a_write_that_breaks_a_rule_issue9(server, shop, what, sql,
                                                                 constraint):
    ids = history(shop)
    statement, params = bind(sql, shop.shop["id"], ids)
    # The write names a row that exists: it is the rule, not a WHERE, that stops it.
    table = statement.split()[1]
    where = statement[statement.index(" WHERE "):]
    assert one(server.db, f"SELECT count(*) FROM {table}{where}", *params)[0] >= 1
    before = snapshot(server.db, shop.shop["id"])
    refused(server.db, statement, params, constraint)
    assert snapshot(server.db, shop.shop["id"]) == before
    retain_check(server.db)


# --- the API's paths up to each limit still work ------------------------------------

def test_a_lot_spent_to_zero_and_put_back_to_its_amount_issue9(server, shop):
    set_program(shop, pending_days=0, rewards=REWARDS, point_value=1)
    c = customer(shop)
    paid_order(shop, {"id": c["id"]}, amount=100000)                       # exactly 1000
    red = shop.post(f"/v1/customers/{c['id']}/redemptions", {"reward": "kettle"})
    assert red.status_code == 201, red.text
    assert one(server.db, "SELECT amount, remaining FROM loyalty_lots WHERE shop_id = ?",
               shop.shop["id"]) == (1000, 0)
    r = shop.post(f"/v1/customers/{c['id']}/redemptions", {"reward": "kettle"})
    assert r.status_code == 422 and error_of(r)["code"] == "not_enough_points"
    assert shop.post(f"/v1/redemptions/{red.json()['id']}/cancel").status_code == 200
    assert one(server.db, "SELECT amount, remaining FROM loyalty_lots WHERE shop_id = ?",
               shop.shop["id"]) == (1000, 1000)
    assert loyalty(shop, c["id"])["points"]["available"] == 1000
    retain_check(server.db)


def test_an_order_refunded_exactly_to_what_was_paid_and_no_further_issue9(server, shop):
    set_program(shop, pending_days=0, cashback={"basis_points": 1000})
    c = customer(shop)
    o = paid_order(shop, {"id": c["id"]}, amount=9000, quantity=3)
    for _ in range(3):                       # a line refunded unit by unit to its quantity
        assert refund(shop, o, lines=[{"sku": "TEA", "quantity": 1}]).status_code == 201
    sid = shop.shop["id"]
    assert one(server.db, "SELECT paid_amount, refunded_amount, status FROM orders"
               " WHERE shop_id = ? AND id = ?", sid, o["id"]) == (9000, 9000, "refunded")
    assert one(server.db, "SELECT quantity, refunded_quantity FROM order_lines"
               " WHERE shop_id = ? AND order_id = ?", sid, o["id"]) == (3, 3)
    # Every point and all the cashback came back: clawed equals what was earned.
    points, clawed, cashback, cashback_clawed = one(
        server.db, "SELECT points, clawed, cashback, cashback_clawed FROM order_loyalty"
        " WHERE shop_id = ? AND order_id = ?", sid, o["id"])
    assert (clawed, cashback_clawed) == (points, cashback) and points > 0 and cashback > 0
    r = refund(shop, o, amount=1)
    assert r.status_code in (409, 422), r.text
    assert one(server.db, "SELECT refunded_amount FROM orders WHERE shop_id = ? AND id = ?",
               sid, o["id"]) == (9000,)
    retain_check(server.db)


def test_a_debt_lot_at_its_full_amount_is_repaid_to_zero_issue9(server, shop):
    set_program(shop, pending_days=0, rewards=REWARDS, point_value=1, refund_policy="debt")
    c = customer(shop)
    a = paid_order(shop, {"id": c["id"]}, amount=100000)
    assert shop.post(f"/v1/customers/{c['id']}/redemptions", {"reward": "kettle"}).status_code == 201
    assert refund(shop, a, amount=a["total"]).status_code == 201
    sid = shop.shop["id"]
    assert one(server.db, "SELECT amount, remaining FROM loyalty_lots WHERE shop_id = ?"
               " AND kind = 'debt'", sid) == (-1000, -1000)
    paid_order(shop, {"id": c["id"]}, amount=100000)        # 1000 new points repay all of it
    assert one(server.db, "SELECT amount, remaining FROM loyalty_lots WHERE shop_id = ?"
               " AND kind = 'debt'", sid) == (-1000, 0)
    assert loyalty(shop, c["id"])["points"]["available"] == 0
    retain_check(server.db)


# --- a database written before 007 migrates with its data ---------------------------

SCHEMA = os.path.join(conftest.ROOT, "src", "store", "schema")
CONSTRAINTS = sorted({b[2] for b in BROKEN} | {"orders_amounts_not_negative"})


def as_before_007_sqlite(path):
    """The database as it would be had it been written by retain before 007:
    the tables made by the migration files 001-005 themselves, the rows copied."""
    old = path + ".old"
    con = sqlite3.connect(old)
    con.create_function("retain_fold_email", 1, lambda s: s if s is None else s.lower())
    for name in sorted(os.listdir(SCHEMA)):
        if name.endswith(".sql") and name < "006":
            with open(os.path.join(SCHEMA, name), encoding="utf-8") as f:
                con.executescript(f.read())
    con.execute("ATTACH ? AS new", (path,))
    tables = [t for (t,) in con.execute("SELECT name FROM main.sqlite_schema WHERE type = 'table'")]
    for t in tables:
        cols = ", ".join(r[1] for r in con.execute(f"PRAGMA main.table_info('{t}')"))
        con.execute(f"INSERT INTO main.{t} ({cols}) SELECT {cols} FROM new.{t}")
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                " applied_at INTEGER NOT NULL) STRICT")
    con.execute("INSERT INTO schema_migrations SELECT * FROM new.schema_migrations WHERE version <= 5")
    con.commit()
    con.execute("DETACH new")
    con.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    os.rename(old, path)
    assert "CHECK" not in "".join(sql for (sql,) in sqlite3.connect(path).execute(
        "SELECT sql FROM sqlite_schema WHERE name = 'orders'"))


def as_before_007_pg(url):
    """On PostgreSQL 007 only adds constraints: dropping them is the schema 005 left."""
    con = connect_db(url)
    for table, name in con.execute(
            "SELECT t.relname, c.conname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid"
            " WHERE c.conname IN (" + ", ".join("?" * len(CONSTRAINTS)) + ")", CONSTRAINTS):
        con.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    con.execute("DROP TABLE clv_fits")              # 007's new table
    conftest.undo_migrations_after(con, 5, keep={7})    # the later ones run again too


def constraints_present(db):
    con = connect_db(db)
    if PG:
        found = {n for (n,) in con.execute("SELECT conname FROM pg_constraint")}
    else:
        found = {c for c in CONSTRAINTS
                 if any(c in sql for (sql,) in con.execute("SELECT sql FROM sqlite_schema"
                                                           " WHERE sql IS NOT NULL"))}
    return sorted(set(CONSTRAINTS) & found)


def test_a_database_with_orders_refunds_and_lots_from_before_007_migrates_issue9(fresh_server):
    fresh_server.start()
    shop = conftest.make_shop(conftest.Api(fresh_server, conftest.OPERATOR_KEY))
    set_clock(conftest.Api(fresh_server, conftest.OPERATOR_KEY), "2031-03-01T08:00:00Z")
    ids = history(shop)
    view = loyalty(shop, ids["customer"])
    orders = [shop.get(f"/v1/orders/{ids[k]}").json() for k in ("refunded", "kept", "pending")]
    conftest.check_clean_exit(fresh_server)
    db = fresh_server.db
    before = snapshot(db, shop.shop["id"])
    (as_before_007_pg if PG else as_before_007_sqlite)(db)
    assert constraints_present(db) == []
    assert snapshot(db, shop.shop["id"]) == before
    r = subprocess.run([BIN, "migrate", "--db", db], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert one(db, "SELECT count(*) FROM schema_migrations WHERE version = 7") == (1,)
    assert constraints_present(db) == CONSTRAINTS
    assert snapshot(db, shop.shop["id"]) == before
    retain_check(db)
    fresh_server.start()
    set_clock(conftest.Api(fresh_server, conftest.OPERATOR_KEY), "2031-03-01T08:00:00Z")
    assert loyalty(shop, ids["customer"]) == view
    assert [shop.get(f"/v1/orders/{ids[k]}").json() for k in ("refunded", "kept", "pending")] == orders
    refused(db, "UPDATE orders SET refunded_amount = paid_amount + 1 WHERE shop_id = ? AND id = ?",
            [shop.shop["id"], ids["kept"]], "orders_refunded_within_paid")


def test_a_database_holding_a_row_that_breaks_a_rule_is_not_migrated_issue9(tmp_path):
    db = conftest.db_for(str(tmp_path))
    assert subprocess.run([BIN, "migrate", "--db", db], capture_output=True).returncode == 0
    (as_before_007_pg if PG else as_before_007_sqlite)(db)
    con = connect_db(db)
    con.execute("INSERT INTO loyalty_lots (shop_id, id, customer_id, kind, amount, remaining,"
                " available_at, created_at) VALUES ('shop_x', 'lot_x', 'cus_x', 'earn', 10, -5, 0, 0)")
    con.commit()
    con.close()
    r = subprocess.run([BIN, "migrate", "--db", db], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert "007" in r.stderr and "loyalty_lots_remaining_within_amount" in r.stderr, r.stderr
    # Nothing of 007 is applied, the row is as it was.
    assert constraints_present(db) == []
    assert one(db, "SELECT count(*) FROM schema_migrations WHERE version >= 7") == (0,)
    assert one(db, "SELECT remaining FROM loyalty_lots") == (-5,)
