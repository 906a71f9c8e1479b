"""Black-box tests: a real `retain serve` on a free port with a temporary database.

RETAIN_BIN names the binary (make api / make api-asan set it). Under the
sanitizer build every server must also exit cleanly (status 0) when stopped,
so a leak or undefined behaviour found at any point fails the test that
owned the server.

RETAIN_TEST_PG (a URL such as postgres://retain@127.0.0.1:PORT/, which
scripts/run-tests sets for the PostgreSQL run) puts every Server on a fresh
PostgreSQL database of its own instead of a SQLite file: Server.db is then
that database's URL, so `--db server.db` means the same on both engines.
A test that cannot have a PostgreSQL equivalent skips there with on_pg_skip(reason).
"""
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import uuid

import pytest
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("RETAIN_BIN", os.path.join(ROOT, "build", "retain"))
OPERATOR_KEY = "op_" + "t" * 40
ASAN = bool(os.environ.get("RETAIN_ASAN"))
PG = os.environ.get("RETAIN_TEST_PG", "")


def on_pg_skip(reason):
    """Skips a test in the PostgreSQL run, saying why."""
    return pytest.mark.skipif(bool(PG), reason="on PostgreSQL: " + reason)


def pg_url(name):
    """The URL of database name on the test cluster."""
    return PG.rstrip("/") + "/" + name


def psql(name, sql):
    """Runs sql on database name of the test cluster; its output as text."""
    out = subprocess.run(["psql", "-X", "-qAt", "-v", "ON_ERROR_STOP=1", "-d", pg_url(name),
                          "-c", sql], capture_output=True, text=True, check=True)
    return out.stdout


def _literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


class _PgRows(list):
    def fetchone(self):
        return self[0] if self else None

    def fetchall(self):
        return list(self)


class PgConnection:
    """The part of sqlite3.Connection the tests use, on a PostgreSQL URL: each
    execute() runs at once (autocommit) through psql, with ? placeholders
    filled in as SQL literals; integers come back as int, NULL as None."""

    def __init__(self, url):
        self.url = url

    def execute(self, sql, params=()):
        parts = sql.split("?")
        assert len(parts) == len(params) + 1, "one parameter per ?"
        text = parts[0] + "".join(_literal(v) + rest for v, rest in zip(params, parts[1:]))
        out = subprocess.run(["psql", "-X", "-qAt", "-F", "\x1f", "-P", "null=\\N",
                              "-v", "ON_ERROR_STOP=1", "-d", self.url, "-c", text],
                             capture_output=True, text=True, check=True).stdout
        rows = _PgRows()
        for line in out.splitlines():
            rows.append(tuple(None if v == "\\N" else int(v) if v.lstrip("-").isdigit() else v
                              for v in line.split("\x1f")))
        return rows

    def commit(self):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def connect_db(db, **sqlite_args):
    """sqlite3.connect(db, **sqlite_args) for a file (timeout=..., say), a
    PgConnection for a PostgreSQL URL."""
    if db.startswith(("postgres://", "postgresql://")):
        return PgConnection(db)
    import sqlite3
    return sqlite3.connect(db, **sqlite_args)


def pg_dump(url):
    """Everything a PostgreSQL database holds, as pg_dump writes it (bytes)."""
    return subprocess.run(["pg_dump", "--no-owner", "-d", url], capture_output=True,
                          check=True).stdout


_template = []


def pg_new_database():
    """A new database on the test cluster, with the schema already migrated
    (copied from a template migrated once per run): its URL. Under pytest-xdist
    (scripts/run-tests runs the PostgreSQL pass on two workers) each worker has
    a template of its own: a template being copied cannot be dropped or
    recreated by another worker."""
    if not _template:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        template = "retain_template" + ("_" + worker if worker else "")
        psql("postgres", f"DROP DATABASE IF EXISTS {template}")
        psql("postgres", f"CREATE DATABASE {template}")
        subprocess.run([BIN, "migrate", "--db", pg_url(template)], check=True,
                       capture_output=True)
        _template.append(template)
    name = "t_" + uuid.uuid4().hex[:16]
    psql("postgres", f"CREATE DATABASE {name} TEMPLATE {_template[0]}")
    return pg_url(name)


def db_for(directory):
    """Where a test's database lives: a file in directory, or on PostgreSQL a
    new database of its own."""
    return pg_new_database() if PG else os.path.join(directory, "retain.db")


def undo_migrations_after(con, version, keep=()):
    """Makes a SQLite database look as if no migration after `version` ran:
    drops what the later schema files create (tables, indexes, added columns)
    and forgets them in schema_migrations, so that reopening the database
    applies them again. For tests that rewind a database to an older schema;
    the migrations in `keep` they undo themselves (their objects stay here)."""
    schema = os.path.join(os.path.dirname(__file__), "..", "..", "src", "store", "schema")
    for name in sorted(os.listdir(schema), reverse=True):
        if not name.endswith(".sql") or int(name[:3]) <= version or int(name[:3]) in keep:
            continue
        with open(os.path.join(schema, name)) as f:
            sql = re.sub(r"--[^\n]*", "", f.read())
        for index in re.findall(r"CREATE\s+(?:UNIQUE\s+)?INDEX\s+(\w+)", sql):
            con.execute(f"DROP INDEX IF EXISTS {index}")
        for table in re.findall(r"CREATE\s+TABLE\s+(\w+)", sql):
            con.execute(f"DROP TABLE IF EXISTS {table}")
        for table, column in re.findall(r"ALTER\s+TABLE\s+(\w+)\s+ADD\s+COLUMN\s+(\w+)", sql):
            con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    con.execute("DELETE FROM schema_migrations WHERE version > ?", (version,))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One retain server process with its own database directory."""

    def __init__(self, directory, extra_args=(), env=None):
        self.dir = directory
        self.db = db_for(directory)
        self.extra_args = list(extra_args)
        self.env = dict(os.environ, RETAIN_OPERATOR_KEY=OPERATOR_KEY, **(env or {}))
        self.proc = None
        self.port = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.port = free_port()
        self.log = open(os.path.join(self.dir, "server.log"), "ab")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--db", self.db, "--listen", f"127.0.0.1:{self.port}",
             "--test-clock", *self.extra_args],
            stdout=self.log, stderr=self.log, env=self.env)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"retain serve exited with {self.proc.returncode}: {self.logtext()}")
            try:
                if requests.get(self.url + "/livez", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                time.sleep(0.05)
        raise RuntimeError("retain serve did not start: " + self.logtext())

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
        self.log.close()
        return self.proc.returncode

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        self.log.close()

    def logtext(self):
        with open(os.path.join(self.dir, "server.log"), "rb") as f:
            return f.read().decode(errors="replace")[-4000:]


class Api:
    """A requests session bound to one key."""

    def __init__(self, server, key):
        self.server = server
        self.key = key
        self.s = requests.Session()

    def request(self, method, path, body=None, key=..., headers=None, raw=None):
        h = {}
        k = self.key if key is ... else key
        if k:
            h["Authorization"] = f"Bearer {k}"
        if body is not None:
            h["Content-Type"] = "application/json"
            raw = json.dumps(body)
        elif raw is not None:
            h.setdefault("Content-Type", "application/json")
        h.update(headers or {})
        return self.s.request(method, self.server.url + path, data=raw, headers=h, timeout=30)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


def check_clean_exit(server):
    rc = server.stop()
    assert rc == 0, f"retain serve exited {rc}:\n{server.logtext()}"


@pytest.fixture(scope="module")
def server():
    with tempfile.TemporaryDirectory() as d:
        srv = Server(d).start()
        yield srv
        check_clean_exit(srv)


@pytest.fixture
def fresh_server():
    """A server of its own, for tests that stop, kill or reconfigure it."""
    with tempfile.TemporaryDirectory() as d:
        srv = Server(d)
        yield srv
        if srv.proc and srv.proc.poll() is None:
            check_clean_exit(srv)


@pytest.fixture(scope="module")
def operator(server):
    return Api(server, OPERATOR_KEY)


def make_shop(operator, name="Tea House"):
    r = operator.post("/v1/shops", {"name": name})
    assert r.status_code == 201, r.text
    shop = r.json()
    api = Api(operator.server, shop["secret_key"])
    api.shop = shop
    return api


@pytest.fixture
def shop(operator):
    """A new shop (and its secret-key client) for each test: tests never share data."""
    return make_shop(operator)


def new_order(api, external_id=None, customer=None, lines=None, **extra):
    lines = lines or [{"sku": "TEA-1", "name": "Sencha", "category": "green tea",
                       "quantity": 2, "unit_price": 1250}]
    subtotal = sum(l["quantity"] * l["unit_price"] - l.get("discount", 0) for l in lines)
    body = {
        "external_id": external_id or "o-" + uuid.uuid4().hex[:10],
        "customer": customer or {"email": f"{uuid.uuid4().hex[:8]}@example.com"},
        "currency": "EUR",
        "lines": lines,
        "shipping": extra.pop("shipping", 0),
        "tax": extra.pop("tax", 0),
    }
    body["total"] = extra.pop("total", subtotal + body["shipping"] + body["tax"])
    body.update(extra)
    return body


def error_of(resp):
    body = resp.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert set(err) == {"type", "code", "message", "param", "request_id"}, err
    assert err["request_id"] == resp.headers["Request-Id"]
    return err


def wait_for(what, timeout=20):
    """what()'s first true answer within timeout seconds (polled every 0.1 s),
    else its last answer: for what a jobs thread does in its own time."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = what()
        if got:
            return got
        time.sleep(0.1)
    return what()
