"""Issue 9 bench, seventh round: migration 025 rewrites the CHECK lists of
customers.status and loyalty_lots.kind on SQLite as equalities (an IN list of
more than two constants costs SQLite a temporary b-tree per INSERT). The
constraints still take every value the domain writes (customers of every
status, lots of every kind, through the API) and refuse what they refused, on
both stores; and a SQLite database written before 025 (its two tables as 001,
007 and 013 left them) migrates with every row, rowid, index and trigger as it
was."""
import os
import sqlite3
import subprocess
import uuid

import pytest

import conftest
from conftest import BIN, PG, connect_db
from loyalty_helpers import loyalty, paid_order, set_clock, set_program

OLD_STATUS = "status IN ('guest', 'account', 'merged', 'erased')"
NEW_STATUS = ("status = 'guest' OR status = 'account' OR status = 'merged'\n"
              "\t\t\t\t    OR status = 'erased'")
OLD_KIND = "kind IN ('earn', 'milestone', 'bonus', 'manual', 'debt')"
NEW_KIND = ("kind = 'earn' OR kind = 'milestone' OR kind = 'bonus'\n"
            "\t\t\t\t  OR kind = 'manual' OR kind = 'debt'")
REWARDS = [{"key": "kettle", "kind": "gift", "name": "Kettle", "cost": 1000}]


@pytest.fixture(autouse=True)
def fixed_clock(operator):
    set_clock(operator, "2031-03-01T08:00:00Z")


def customer(shop, email=None):
    r = shop.post("/v1/customers", {"email": email or f"{uuid.uuid4().hex[:10]}@example.com"})
    assert r.status_code == 201, r.text
    return r.json()


def history(shop):
    """Customers of every status and lots of every kind, written through the
    API: a guest made by an order, an account, a merged and an erased
    customer; earn, milestone, bonus, manual and debt lots."""
    set_program(shop, pending_days=0, rewards=REWARDS, point_value=1, refund_policy="debt",
                milestones=[{"type": "every", "n": 2, "points": 5}],
                bonuses=[{"action": "review", "points": 20, "per_customer_limit": 2}])
    member = customer(shop)
    first = paid_order(shop, {"id": member["id"]}, amount=100000)             # earn: 1000
    paid_order(shop, {"id": member["id"]}, amount=20000)                     # + milestone
    r = shop.post(f"/v1/customers/{member['id']}/adjustments", {"points": 50, "reason": "x"})
    assert r.status_code in (200, 201), r.text
    r = shop.post(f"/v1/customers/{member['id']}/bonuses", {"action": "review"})
    assert r.status_code == 200, r.text
    r = shop.post(f"/v1/customers/{member['id']}/redemptions", {"reward": "kettle"})
    assert r.status_code == 201, r.text
    r = shop.post(f"/v1/orders/{first['id']}/refunds",
                  {"external_id": "r-" + uuid.uuid4().hex[:8], "amount": first["total"]})
    assert r.status_code == 201, r.text                                      # debt
    guest = paid_order(shop, {"email": f"g-{uuid.uuid4().hex[:8]}@example.com"})["customer"]
    account = customer(shop)
    r = shop.post(f"/v1/customers/{account['id']}/account", {})
    assert r.status_code in (200, 201), r.text
    source = customer(shop)
    r = shop.post(f"/v1/customers/{account['id']}/merge", {"source": source["id"]})
    assert r.status_code in (200, 201), r.text
    erased = customer(shop)
    r = shop.delete(f"/v1/customers/{erased['id']}")
    assert r.status_code in (200, 204), r.text
    return {"member": member["id"], "guest": guest, "account": account["id"]}


def kinds_and_statuses(db, shop_id):
    con = connect_db(db)
    kinds = {k for (k,) in con.execute("SELECT DISTINCT kind FROM loyalty_lots WHERE shop_id = ?",
                                       (shop_id,)).fetchall()}
    statuses = {s for (s,) in con.execute("SELECT DISTINCT status FROM customers"
                                          " WHERE shop_id = ?", (shop_id,)).fetchall()}
    con.close()
    return kinds, statuses


def refused(db, sql, params):
    """A direct write: the database must refuse it with a CHECK failure."""
    con = connect_db(db, timeout=30)
    try:
        if PG:
            with pytest.raises(subprocess.CalledProcessError) as failed:
                con.execute(sql, params)
            message = failed.value.stderr
            assert "check constraint" in message, message
        else:
            with pytest.raises(sqlite3.IntegrityError) as failed:
                con.execute(sql, params)
                con.commit()
            assert "CHECK constraint failed" in str(failed.value), failed.value
    finally:
        con.close()


def test_every_status_and_kind_the_domain_writes_is_stored_and_no_other_issue9(server, shop):
    ids = history(shop)
    sid = shop.shop["id"]
    kinds, statuses = kinds_and_statuses(server.db, sid)
    assert kinds == {"earn", "milestone", "bonus", "manual", "debt"}
    assert statuses == {"guest", "account", "merged", "erased"}
    for value in ("gone", "Guest", "guest ", ""):
        refused(server.db, "UPDATE customers SET status = ? WHERE shop_id = ? AND id = ?",
                [value, sid, ids["guest"]])
        refused(server.db, "INSERT INTO customers (shop_id, id, status, created_at, updated_at)"
                " VALUES (?, ?, ?, 0, 0)", [sid, "cus_" + uuid.uuid4().hex[:8], value])
    for value in ("gift", "Earn", "earn ", ""):
        refused(server.db, "UPDATE loyalty_lots SET kind = ? WHERE shop_id = ? AND kind = 'bonus'",
                [value, sid])
        refused(server.db, "INSERT INTO loyalty_lots (shop_id, id, customer_id, kind, amount,"
                " remaining, available_at, created_at) VALUES (?, ?, ?, ?, 1, 1, 0, 0)",
                [sid, "lot_" + uuid.uuid4().hex[:8], ids["member"], value])
    assert kinds_and_statuses(server.db, sid) == (kinds, statuses)
    assert shop.get(f"/v1/customers/{ids['guest']}").json()["status"] == "guest"


# --- a SQLite database written before 025 migrates with its data -------------

def table_sql(con, name):
    return con.execute("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?",
                       (name,)).fetchone()[0]


def snapshot(db):
    """Every row of every table with its rowid where it has one, every index
    and trigger with its definition, and the migrations applied (without the
    time each was applied: 025's is applied again)."""
    con = sqlite3.connect(db)
    out = {"schema": sorted(con.execute("SELECT type, name, tbl_name, sql FROM sqlite_schema"
                                        " WHERE type IN ('index', 'trigger', 'view')"))}
    out["migrations"] = sorted(con.execute("SELECT version, name FROM schema_migrations"))
    for (t,) in con.execute("SELECT name FROM sqlite_schema WHERE type = 'table'"
                            " AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'"
                            ).fetchall():
        rowid = "" if "WITHOUT ROWID" in table_sql(con, t).upper() else "rowid, "
        out[t] = sorted(con.execute(f"SELECT {rowid}* FROM {t}").fetchall(), key=repr)
    con.close()
    return out


SCHEMA = os.path.join(conftest.ROOT, "src", "store", "schema")


def as_before_025(db):
    """The database as retain would have written it before 025: every table,
    index and trigger made by the migration files before 025 themselves, the
    rows copied with their rowids, 025 not applied."""
    old = db + ".old"
    con = sqlite3.connect(old)
    con.create_function("retain_fold_email", 1, lambda s: s if s is None else s.lower())
    for name in sorted(os.listdir(SCHEMA)):
        if name.endswith(".sql") and name < "025":
            with open(os.path.join(SCHEMA, name), encoding="utf-8") as f:
                con.executescript(f.read())
    assert OLD_STATUS in table_sql(con, "customers") and OLD_KIND in table_sql(con, "loyalty_lots")
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                " applied_at INTEGER NOT NULL) STRICT")
    con.execute("ATTACH ? AS new", (db,))
    for (t,) in con.execute("SELECT name FROM main.sqlite_schema WHERE type = 'table'"
                            " AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'"
                            ).fetchall():
        cols = ", ".join(r[1] for r in con.execute(f"PRAGMA main.table_info('{t}')"))
        rowid = "" if "WITHOUT ROWID" in table_sql(con, t).upper() else "rowid, "
        con.execute(f"INSERT INTO main.{t} ({rowid}{cols}) SELECT {rowid}{cols} FROM new.{t}")
    con.execute("INSERT INTO schema_migrations SELECT * FROM new.schema_migrations WHERE version < 25")
    con.commit()
    con.execute("DETACH new")
    con.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    os.rename(old, db)


@pytest.mark.skipif(bool(PG), reason="025 changes nothing on PostgreSQL (pg/025_check_lists.sql)")
def test_a_database_from_before_025_migrates_with_every_row_and_index_issue9(fresh_server):
    fresh_server.start()
    shop = conftest.make_shop(conftest.Api(fresh_server, conftest.OPERATOR_KEY))
    set_clock(conftest.Api(fresh_server, conftest.OPERATOR_KEY), "2031-03-01T08:00:00Z")
    ids = history(shop)
    views = [loyalty(shop, ids["member"]), shop.get(f"/v1/customers/{ids['guest']}").json(),
             shop.get(f"/v1/customers/{ids['account']}").json()]
    conftest.check_clean_exit(fresh_server)
    db = fresh_server.db
    served = snapshot(db)
    as_before_025(db)
    before = snapshot(db)
    migrations = served.pop("migrations")
    assert before.pop("migrations") == [m for m in migrations if m[0] != 25]
    assert {k: v for k, v in before.items() if k != "schema"} == \
        {k: v for k, v in served.items() if k != "schema"}
    r = subprocess.run([BIN, "migrate", "--db", db], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM schema_migrations WHERE version = 25").fetchone() == (1,)
    assert NEW_STATUS in table_sql(con, "customers") and OLD_STATUS not in table_sql(con, "customers")
    assert NEW_KIND in table_sql(con, "loyalty_lots")
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()
    after = snapshot(db)
    assert after.pop("migrations") == migrations
    assert after == before
    r = subprocess.run([BIN, "check", "--db", db], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "0 mismatches" in r.stdout, r.stdout + r.stderr
    fresh_server.start()
    set_clock(conftest.Api(fresh_server, conftest.OPERATOR_KEY), "2031-03-01T08:00:00Z")
    assert [loyalty(shop, ids["member"]), shop.get(f"/v1/customers/{ids['guest']}").json(),
            shop.get(f"/v1/customers/{ids['account']}").json()] == views
    paid_order(shop, {"email": "after-025@example.com"})        # a guest and a lot, after
    refused(db, "UPDATE loyalty_lots SET kind = 'gift' WHERE shop_id = ?", [shop.shop["id"]])
