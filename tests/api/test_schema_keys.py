"""Issue 9, Citus-ready schema: every primary key, unique constraint or unique
index and foreign key starts with shop_id, so that every table can be
distributed by shop and every key lookup stays on one shop's shard. The test
reads the database's own catalogue (PostgreSQL's pg_constraint and pg_index,
SQLite's pragma lists) after every migration, so a new table that breaks the
rule fails it.

The exceptions are the reference tables (copied whole to every node in a
distributed deployment, docs/decisions.md): shops, whose key is the shop id
itself, and api_keys, looked up by a key's hash before the shop is known;
integrations (issue 13), looked up by a platform's domain before the shop is
known, as a webhook names no retain shop; dashboard_sessions (issue 14), looked
up by the hash of a browser's session id before the shop is known (an
operator's session has no shop until one is picked)."""
import subprocess

from conftest import BIN, PG, connect_db, pg_new_database

REFERENCE_TABLES = {"shops", "api_keys", "schema_migrations", "integrations", "dashboard_sessions"}


def keys_on_postgres(url):
    """(table, kind, first column) of every key of every table."""
    con = connect_db(url)
    rows = con.execute(
        "SELECT t.relname, c.contype, a.attname FROM pg_constraint c"
        " JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace"
        " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
        " WHERE n.nspname = 'public' AND c.contype IN ('p', 'u', 'f')")
    rows += con.execute(
        "SELECT t.relname, 'i', a.attname FROM pg_index i"
        " JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace"
        " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
        " WHERE n.nspname = 'public' AND i.indisunique")
    kinds = {"p": "primary key", "u": "unique", "f": "foreign key", "i": "unique index"}
    return [(t, kinds[k], col) for t, k, col in rows]


def keys_on_sqlite(path):
    con = connect_db(path)
    out = []
    tables = [t for (t,) in con.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    for t in tables:
        pk = sorted((pos, name) for (_, name, _, _, _, pos) in con.execute(f"PRAGMA table_info('{t}')")
                    if pos > 0)
        if pk:
            out.append((t, "primary key", pk[0][1]))
        for (_, index, unique, _, _) in con.execute(f"PRAGMA index_list('{t}')"):
            if unique:
                first = con.execute(f"PRAGMA index_info('{index}')").fetchone()
                out.append((t, "unique index", first[2]))
        for row in con.execute(f"PRAGMA foreign_key_list('{t}')"):
            if row[1] == 0:     # the first column of each foreign key
                out.append((t, "foreign key", row[3]))
    con.close()
    return out


def schema_keys(tmp_path):
    if PG:
        return keys_on_postgres(pg_new_database())
    db = str(tmp_path / "keys.db")
    subprocess.run([BIN, "migrate", "--db", db], check=True, capture_output=True)
    return keys_on_sqlite(db)


def test_every_key_of_every_shop_table_starts_with_shop_id_issue9(tmp_path):
    keys = schema_keys(tmp_path)
    tables = {t for t, _, _ in keys}
    assert {"orders", "customers", "loyalty_lots", "idempotency_keys"} <= tables   # the catalogue was read
    broken = [f"{t}: {kind} starts with {col!r}" for t, kind, col in keys
              if t not in REFERENCE_TABLES and col != "shop_id"]
    assert broken == [], "keys that do not start with shop_id:\n" + "\n".join(broken)


def test_the_reference_tables_are_only_those_named_issue9(tmp_path):
    keys = schema_keys(tmp_path)
    off_rule = {t for t, _, col in keys if col != "shop_id"}
    assert off_rule <= REFERENCE_TABLES
    # api_keys points at its shop by shop_id, as a shop table would.
    assert ("api_keys", "foreign key", "shop_id") in keys
