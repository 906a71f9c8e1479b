"""`retain demo` builds a shop with a realistic, reproducible history."""
import json
import os
import sqlite3
import subprocess

from conftest import BIN, PG, Api, Server


def run_demo(db, *args):
    return subprocess.run([BIN, "demo", "--db", db, *args], capture_output=True, text=True, check=True).stdout


def test_demo_history_has_repeat_buyers_dropouts_channels_refunds_and_failures(tmp_path):
    db = str(tmp_path / "demo.db")
    out = run_demo(db, "--customers", "300", "--seed", "7")
    assert "secret key" in out
    keys = json.load(open(db + ".demo-keys"))
    assert oct(os.stat(db + ".demo-keys").st_mode & 0o777) == "0o600"
    con = sqlite3.connect(db)
    per_customer = [n for (n,) in con.execute("SELECT count(*) FROM orders GROUP BY customer_id")]
    channels = {c for (c,) in con.execute("SELECT DISTINCT channel FROM orders")}
    statuses = {s for (s,) in con.execute("SELECT DISTINCT status FROM orders")}
    span_days = con.execute("SELECT (max(placed_at) - min(placed_at)) / 86400000 FROM orders").fetchone()[0]
    accounts = con.execute("SELECT count(*) FROM customers WHERE status = 'account'").fetchone()[0]
    kinds = dict(con.execute("SELECT kind, count(*) FROM loyalty_lots GROUP BY kind").fetchall())
    tiers = {t for (t,) in con.execute("SELECT tier FROM loyalty_accounts WHERE tier IS NOT NULL")}
    gifts = con.execute("SELECT count(*) FROM milestone_awards").fetchone()[0]
    expired = con.execute("SELECT count(*) FROM loyalty_entries WHERE reason = 'expiry'").fetchone()[0]
    last_lot = con.execute("SELECT max(created_at) - min(created_at) FROM loyalty_lots").fetchone()[0]
    con.close()
    # The loyalty programme ran through the history on its own clock.
    assert kinds.get("earn", 0) > 300 and gifts > 10 and expired > 10
    assert tiers <= {"silver", "gold"} and "silver" in tiers
    assert last_lot > 400 * 86400 * 1000
    check = subprocess.run([BIN, "check", "--db", db], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    assert len(per_customer) == 300
    one_timers = sum(1 for n in per_customer if n == 1)
    assert 0.2 < one_timers / 300 < 0.9, one_timers       # many buy once, as in real shops
    assert max(per_customer) >= 8                          # and some are regulars
    assert {"web", "app", "phone"} <= channels
    assert {"paid", "partially_refunded"} <= statuses
    assert "payment_failed" in statuses or "cancelled" in statuses
    assert span_days > 500
    assert 0 < accounts < 300
    assert keys["shop"].startswith("shop_")


def test_demo_is_reproducible_with_a_seed(tmp_path):
    def summary(db):
        run_demo(db, "--customers", "50", "--seed", "3")
        con = sqlite3.connect(db)
        rows = con.execute("SELECT count(*), sum(total), sum(refunded_amount) FROM orders").fetchone()
        con.close()
        return rows
    assert summary(str(tmp_path / "a.db")) == summary(str(tmp_path / "b.db"))


def test_the_demo_shop_is_served_with_its_printed_key(tmp_path):
    srv = Server(str(tmp_path))
    out = run_demo(srv.db, "--customers", "20")
    if PG:      # no file beside a PostgreSQL database: the keys are printed
        keys = {"secret_key": next(l.split()[-1] for l in out.splitlines() if l.startswith("secret key"))}
    else:
        keys = json.load(open(srv.db + ".demo-keys"))
    srv.start()
    try:
        orders = Api(srv, keys["secret_key"]).get("/v1/orders?limit=5").json()
        assert len(orders["data"]) == 5 and orders["has_more"]
    finally:
        assert srv.stop() == 0
