"""Issue 9: the store's two engines at the edges. A PostgreSQL URL that cannot
be used is one clear line and exit 1 at start; a database whose schema is
newer than the binary is refused on both engines; concurrent writers spending
one balance through SERIALIZABLE transactions (retried on a serialization
failure) spend it exactly once. Tests that need a cluster run in the
PostgreSQL pass of `make test` (RETAIN_TEST_PG) and skip, saying so, without."""
import os
import subprocess
import tempfile
import threading

import pytest

from conftest import (BIN, OPERATOR_KEY, PG, Api, Server, check_clean_exit, connect_db,
                      ROOT, free_port, make_shop, pg_new_database, pg_url, psql)
from loyalty_helpers import loyalty, paid_order, set_program

needs_pg = pytest.mark.skipif(not PG, reason="needs a PostgreSQL cluster (RETAIN_TEST_PG)")


def run(*args, env=None):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, RETAIN_OPERATOR_KEY=OPERATOR_KEY, **(env or {})))


def assert_one_line_failure(r, *words, status=1):
    assert r.returncode == status, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


def locale_exists(name):
    out = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.lower()
    return name.lower().replace("utf-8", "utf8") in out


def unused_port():
    return free_port()      # nothing listens there once the probe socket is closed


@pytest.mark.parametrize("command", [["serve", "--listen", "127.0.0.1:0"], ["migrate"], ["check"]])
def test_an_unreachable_postgres_url_is_one_line_and_exit_1_issue9(command):
    url = f"postgres://retain:hunter2secret@127.0.0.1:{unused_port()}/retain"
    r = run(*command, "--db", url)
    assert_one_line_failure(r, "cannot connect to PostgreSQL", f"127.0.0.1:{url.split(':')[3]}")
    assert "hunter2secret" not in r.stderr + r.stdout       # the password is never shown


@pytest.mark.parametrize("url,words", [
    ("postgres://retain@127.0.0.1:notaport/x", ["notaport"]),
    ("postgresql://retain@127.0.0.1/x?sslmode=sometimes", ["sslmode"]),
    ("postgres://retain@127.0.0.1/x?no_such_option=1", ["no_such_option"]),
])
def test_a_malformed_postgres_url_is_one_line_and_exit_1_issue9(url, words):
    for command in (["serve", "--listen", "127.0.0.1:0"], ["migrate"]):
        assert_one_line_failure(run(*command, "--db", url), *words)


def test_a_sqlite_database_with_a_newer_schema_is_refused_issue9(tmp_path):
    db = str(tmp_path / "new.db")
    assert run("migrate", "--db", db).returncode == 0
    import sqlite3
    con = sqlite3.connect(db)
    con.execute("INSERT INTO schema_migrations VALUES (999, 'from_the_future', 0)")
    con.commit()
    con.close()
    for command in (["serve", "--listen", "127.0.0.1:0"], ["migrate"]):
        assert_one_line_failure(run(*command, "--db", db), "version 999", "newer")


@needs_pg
def test_a_postgres_database_with_a_newer_schema_is_refused_issue9():
    url = pg_new_database()
    connect_db(url).execute("INSERT INTO schema_migrations VALUES (999, 'from_the_future', 0)")
    for command in (["serve", "--listen", "127.0.0.1:0"], ["migrate"]):
        assert_one_line_failure(run(*command, "--db", url), "version 999", "newer")


@needs_pg
def test_a_postgres_database_that_does_not_exist_is_named_issue9():
    url = pg_url("no_such_database")
    assert_one_line_failure(run("migrate", "--db", url), "no_such_database", "does not exist")


@needs_pg
def test_migrate_creates_the_schema_in_an_empty_postgres_database_once_issue9():
    name = "empty_" + os.urandom(6).hex()
    psql("postgres", f"CREATE DATABASE {name} TEMPLATE template0 LOCALE 'en_US.UTF-8'"
                     if locale_exists("en_US.UTF-8") else f"CREATE DATABASE {name}")
    for _ in range(2):      # the second run finds everything applied
        r = run("migrate", "--db", pg_url(name))
        assert r.returncode == 0, r.stderr
    versions = [v for (v,) in connect_db(pg_url(name)).execute(
        "SELECT version FROM schema_migrations ORDER BY version")]
    # every schema file, once (numbers may have gaps: one may land later)
    schema = os.path.join(ROOT, "src", "store", "schema")
    assert versions == sorted(int(n[:3]) for n in os.listdir(schema) if n.endswith(".sql"))
    assert len(versions) >= 5
    # STRICT is SQLite's; times and money are BIGINT on PostgreSQL.
    types = dict(connect_db(pg_url(name)).execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_name = 'orders'"))
    assert types["total"] == "bigint" and types["placed_at"] == "bigint"
    # Text compares byte by byte, as on SQLite, whatever the database's locale.
    collations = dict(connect_db(pg_url(name)).execute(
        "SELECT column_name, collation_name FROM information_schema.columns"
        " WHERE table_name = 'customers' AND data_type = 'text'"))
    assert collations and set(collations.values()) == {"C"}, collations


def test_print_config_hides_the_password_of_a_postgres_url_issue9():
    r = run("serve", "--print-config", "--db", "postgres://retain:s3cretpw@db.internal:5432/retain")
    assert r.returncode == 0, r.stderr
    assert "db = postgres://retain@db.internal:5432/retain" in r.stdout
    assert "s3cretpw" not in r.stdout + r.stderr


@needs_pg
def test_migrate_names_the_database_without_its_password_issue9():
    url = pg_new_database().replace("postgres://retain@", "postgres://retain:s3cretpw@")
    r = run("migrate", "--db", url)       # the test cluster trusts loopback: the password is unused
    assert r.returncode == 0, r.stderr
    assert "schema at version" in r.stdout and "s3cretpw" not in r.stdout + r.stderr


@needs_pg
def test_serve_on_postgres_needs_the_operator_key_given_issue9():
    env = {k: v for k, v in os.environ.items() if k != "RETAIN_OPERATOR_KEY"}
    r = subprocess.run([BIN, "serve", "--listen", "127.0.0.1:0", "--db", pg_new_database()],
                       capture_output=True, text=True, timeout=60, env=env)
    assert_one_line_failure(r, "operator key", "PostgreSQL", status=2)     # refused, as a bad key is


@needs_pg
def test_readyz_pings_postgres_issue9(server):
    r = Api(server, None).get("/readyz")
    assert r.status_code == 200, r.text


@needs_pg
def test_retain_reconnects_after_the_server_drops_its_connections_issue9(fresh_server):
    """Every pooled connection killed under it (as a PostgreSQL restart or an
    operator's pg_terminate_backend does): the next requests reconnect."""
    srv = fresh_server.start()
    shop = make_shop(Api(srv, OPERATOR_KEY))
    for _ in range(3):
        assert shop.get("/v1/customers").status_code == 200
    name = srv.db.rsplit("/", 1)[1]
    killed = psql("postgres", "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                              f" WHERE datname = '{name}'")
    assert int(killed) >= 1
    assert Api(srv, None).get("/readyz").status_code == 200
    assert shop.post("/v1/customers", {"email": "after@example.com"}).status_code == 201
    assert shop.get("/v1/customers?email=after@example.com").json()["data"]


@needs_pg
def test_one_idempotency_key_sent_to_two_nodes_at_once_writes_once_issue9():
    """Two `retain serve` on one database, the same key and body posted to both
    at the same moment, 8 times: one write each time, and the other answer is
    the replay of the first (the two writes conflict under SERIALIZABLE; the
    retried one finds the stored key) or a 409. An adjustment has no natural
    key of its own: only the Idempotency-Key keeps it single."""
    with tempfile.TemporaryDirectory() as d1, tempfile.TemporaryDirectory() as d2:
        a = Server(d1, ["--jobs-interval", "0"]).start()
        b = Server(d2, ["--jobs-interval", "0"])
        b.db = a.db
        b.start()
        try:
            shop = make_shop(Api(a, OPERATOR_KEY))
            set_program(shop, pending_days=0)
            c = shop.post("/v1/customers", {"email": "twice@example.com"}).json()
            nodes = [Api(a, shop.key), Api(b, shop.key)]
            path = f"/v1/customers/{c['id']}/adjustments"
            for n in range(8):
                body = {"points": 10, "reason": f"goodwill {n}"}
                key = {"Idempotency-Key": f"k-{n}-" + os.urandom(4).hex()}
                answers, start = [None, None], threading.Barrier(2)

                def post(i):
                    start.wait()
                    answers[i] = nodes[i].post(path, body, headers=key)
                threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                codes = sorted(r.status_code for r in answers)
                assert codes in ([200, 200], [200, 409]), [r.text for r in answers]
                if codes == [200, 200]:
                    assert answers[0].json() == answers[1].json()
                assert loyalty(shop, c["id"])["points"]["available"] == 10 * (n + 1)
        finally:
            check_clean_exit(b)
            check_clean_exit(a)


def test_concurrent_spends_of_one_balance_spend_it_exactly_once_issue9():
    """32 writers at once, each spending 10 of 100 points: 10 succeed, the rest
    are refused, the balance ends at 0 and `retain check` is clean. On
    PostgreSQL the writes run in parallel and conflict (SERIALIZABLE, retried);
    on SQLite one at a time."""
    with tempfile.TemporaryDirectory() as d:
        srv = Server(d, ["--threads", "16"]).start()
        try:
            shop = make_shop(Api(srv, OPERATOR_KEY))
            set_program(shop, pending_days=0)
            c = shop.post("/v1/customers", {"email": "spender@example.com"}).json()
            paid_order(shop, {"id": c["id"]}, amount=10000)
            assert loyalty(shop, c["id"])["points"]["available"] == 100
            results, start = [], threading.Barrier(32)

            def spend():
                api = Api(srv, shop.key)
                start.wait()
                r = api.post(f"/v1/customers/{c['id']}/adjustments", {"points": -10, "reason": "race"})
                results.append(r.status_code)
            threads = [threading.Thread(target=spend) for _ in range(32)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert sorted(set(results)) == [200, 422], results
            assert results.count(200) == 10
            assert loyalty(shop, c["id"])["points"]["available"] == 0
            check = subprocess.run([BIN, "check", "--db", srv.db], capture_output=True, text=True)
            assert check.returncode == 0 and "0 mismatches" in check.stdout, check.stdout
        finally:
            check_clean_exit(srv)
