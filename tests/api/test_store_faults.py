"""A store that fails the Nth statement (store.h's fault injection, armed
through POST /v1/test/store_faults in --test-clock mode).

Each write below is tried with its first statement failing, then its second,
and so on until it runs through without reaching the fault. At every N:
- the request answers 500 with code "store_error" (never a 2xx that hid the
  failure, never a 4xx that took a failed read for a missing row);
- the database is exactly what it was before: nothing half-done;
- the same request sent again (the same Idempotency-Key) succeeds.
At the end `retain check` finds no mismatch. Reads: every statement of a
GET failing in turn gives a 500, and a GET that runs through answers what it
answers without a fault. The jobs thread is off (--jobs-interval 0), so every
statement counted is the request's own (the engine's BEGIN and COMMIT are not
counted, store.h).
Runs on the ASan build and on PostgreSQL too (scripts/run-tests), where the
error paths it walks are checked for leaks and undefined behaviour."""
import contextlib
import subprocess
import tempfile
import uuid

import pytest

from conftest import (BIN, OPERATOR_KEY, PG, Api, Server, check_clean_exit, connect_db,
                      make_shop, new_order)
from coupon_helpers import cart, unique_code
from loyalty_helpers import set_clock, set_program

MAX_STATEMENTS = 600     # far more than any request below makes
# On PostgreSQL each snapshot is a psql call: there every third statement of
# a write fails in turn (a different third each run would need a seed; the
# SQLite pass fails every one).
STRIDE = 3 if PG else 1


@contextlib.contextmanager
def quiet_server():
    with tempfile.TemporaryDirectory() as d:
        srv = Server(d, ["--jobs-interval", "0"]).start()
        try:
            yield srv
        finally:
            check_clean_exit(srv)


def tables(db):
    con = connect_db(db)
    if PG:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            " AND table_type = 'BASE TABLE' ORDER BY 1")]
    else:
        names = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")]
    return con, names


def snapshot(db):
    """Every row of every table, in a stable order (on PostgreSQL a digest of
    each table's rows, in one psql call)."""
    con, names = tables(db)
    out = {}
    if PG:
        sql = " UNION ALL ".join(
            f"SELECT '{t}', count(*), coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '')"
            f" FROM {t} x" for t in names)
        for t, n, digest in con.execute(sql).fetchall():
            out[t] = [n, digest]
        return out
    for t in names:
        rows = con.execute(f"SELECT * FROM {t}").fetchall()
        out[t] = sorted(repr(r) for r in rows)
    con.close()
    return out


def changed(before, after):
    return {t: (len(before.get(t, [])), len(after.get(t, [])))
            for t in set(before) | set(after) if before.get(t) != after.get(t)}


def arm(op, nth):
    r = op.post("/v1/test/store_faults", {"fail_at": nth})
    assert r.status_code == 200, r.text
    assert r.json()["left"] == nth


def left(op):
    r = op.get("/v1/test/store_faults")
    assert r.status_code == 200, r.text
    return r.json()["left"]


def counts(snap):
    return {t: (rows[0] if PG else len(rows)) for t, rows in snap.items()}


def added(before, after):
    """Rows each table gained (or lost) from one snapshot to the next."""
    b, a = counts(before), counts(after)
    return {t: a.get(t, 0) - b.get(t, 0) for t in set(a) | set(b) if a.get(t, 0) != b.get(t, 0)}


def walk(srv, op, prepare, send, ok=(200, 201)):
    """Fails each statement of send() in turn. prepare() makes what one try
    needs (not faulted) and returns it; send(ctx, key) sends the request.
    Every retry after a fault must add to each table the rows the run without
    a fault adds (the retry did the write once, whole). Returns how many
    statements the request made."""
    for _ in range(2):                      # without a fault: what a write adds, once
        ctx = prepare()                     # the shop's first-time rows (a product's
        before = snapshot(srv.db)           # text) exist
        r = send(ctx, "k-" + uuid.uuid4().hex)
        assert r.status_code in ok, r.text
        whole = added(before, snapshot(srv.db))
    retried = []
    for nth in range(1, MAX_STATEMENTS, STRIDE):
        ctx = prepare()
        key = "k-" + uuid.uuid4().hex
        before = snapshot(srv.db)
        arm(op, nth)
        r = send(ctx, key)
        if left(op):                        # ran through before the fault
            arm(op, 0)
            assert r.status_code in ok, (nth, r.status_code, r.text)
            last = added(before, snapshot(srv.db))
            assert last == whole, (nth, sorted(set(last.items()) ^ set(whole.items())))
            for n, rows in retried:
                assert rows == whole, (n, sorted(set(rows.items()) ^ set(whole.items())))
            return nth - 1 if STRIDE == 1 else nth
        assert r.status_code == 500, (nth, r.status_code, r.text)
        assert r.json()["error"]["code"] == "store_error", (nth, r.text)
        after = snapshot(srv.db)
        assert not changed(before, after), (nth, changed(before, after))
        again = send(ctx, key)
        assert again.status_code in ok, (nth, again.status_code, again.text)
        retried.append((nth, added(after, snapshot(srv.db))))
    raise AssertionError(f"more than {MAX_STATEMENTS} statements")


def retain_check(db):
    r = subprocess.run([BIN, "check", "--db", db], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "0 mismatches" in r.stdout, r.stdout + r.stderr


@pytest.fixture(scope="module")
def srv():
    with quiet_server() as s:
        yield s


@pytest.fixture
def op(srv):
    api = Api(srv, OPERATOR_KEY)
    set_clock(api, "2031-03-01T10:00:00Z")      # inside the campaigns' dates
    return api


@pytest.fixture
def shop(op):
    s = make_shop(op)
    set_program(s)
    return s


def test_store_faults__the_fault_fires_once_and_is_armed_only_in_test_mode(srv, op, shop):
    arm(op, 1)
    r = shop.get("/v1/customers")
    assert r.status_code == 500 and r.json()["error"]["code"] == "store_error", r.text
    assert left(op) == 0
    assert shop.get("/v1/customers").status_code == 200
    r = op.post("/v1/test/store_faults", {"fail_at": -1})
    assert r.status_code == 400, r.text
    r = op.post("/v1/test/store_faults", {"fail_at": 1, "more": 1})
    assert r.status_code == 400, r.text
    assert shop.post("/v1/test/store_faults", {"fail_at": 1}).status_code in (401, 403)


def test_store_faults__without_test_mode_the_fault_cannot_be_armed():
    with tempfile.TemporaryDirectory() as d:
        s = Server(d)
        s.extra_args = []
        # the fixture's servers all run with --test-clock: start one without
        import os
        import signal
        import time
        import requests
        from conftest import free_port
        s.port = free_port()
        s.log = open(os.path.join(d, "server.log"), "ab")
        s.proc = subprocess.Popen([BIN, "serve", "--db", s.db, "--listen", f"127.0.0.1:{s.port}"],
                                  stdout=s.log, stderr=s.log, env=s.env)
        try:
            for _ in range(200):
                try:
                    if requests.get(s.url + "/livez", timeout=1).status_code == 200:
                        break
                except requests.RequestException:
                    time.sleep(0.05)
            r = Api(s, OPERATOR_KEY).post("/v1/test/store_faults", {"fail_at": 1})
            assert r.status_code == 403, r.text
        finally:
            s.proc.send_signal(signal.SIGTERM)
            s.proc.wait(timeout=30)
            s.log.close()


def test_store_faults__an_order_with_a_new_guest_is_whole_or_absent(srv, op, shop):
    def send(_, key):
        return shop.post("/v1/orders", new_order(shop, external_id="o-" + key[-12:]),
                         headers={"Idempotency-Key": key})
    n = walk(srv, op, lambda: None, send, ok=(201, 200))
    assert n > 5
    retain_check(srv.db)


def test_store_faults__a_payment_with_earning_is_whole_or_absent(srv, op, shop):
    def prepare():
        r = shop.post("/v1/orders", new_order(shop))
        assert r.status_code == 201, r.text
        return r.json()

    def send(o, key):
        return shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"},
                         headers={"Idempotency-Key": key})
    assert walk(srv, op, prepare, send, ok=(200,)) > 5
    retain_check(srv.db)


def test_store_faults__a_refund_is_whole_or_absent(srv, op, shop):
    def prepare():
        r = shop.post("/v1/orders", new_order(shop))
        o = r.json()
        assert shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"}).status_code == 200
        return o

    def send(o, key):
        return shop.post(f"/v1/orders/{o['id']}/refunds", {"amount": 500, "external_id": key[-12:]},
                         headers={"Idempotency-Key": key})
    assert walk(srv, op, prepare, send) > 5
    retain_check(srv.db)


def test_store_faults__a_coupon_redemption_is_whole_or_absent(srv, op, shop):
    def prepare():
        _, code = unique_code(shop)
        c = shop.post("/v1/customers", {"email": f"{uuid.uuid4().hex[:8]}@example.com"}).json()
        body = new_order(shop, customer={"id": c["id"]},
                         lines=[{"sku": l["sku"], "category": l.get("category"),
                                 "quantity": l["quantity"], "unit_price": l["unit_price"]}
                                for l in cart()["lines"]])
        o = shop.post("/v1/orders", body).json()
        return code, c, o

    def send(ctx, key):
        code, c, o = ctx
        return shop.post("/v1/coupons/redeem", {"code": code, "customer": c["id"], "order": o["id"],
                                                "cart": cart()}, headers={"Idempotency-Key": key})
    assert walk(srv, op, prepare, send) > 5
    retain_check(srv.db)


def test_store_faults__an_erasure_is_whole_or_absent(srv, op, shop):
    def prepare():
        r = shop.post("/v1/orders", new_order(shop))
        assert r.status_code == 201, r.text
        return r.json()["customer"]

    def send(cid, key):
        return shop.delete(f"/v1/customers/{cid}", headers={"Idempotency-Key": key})
    assert walk(srv, op, prepare, send) > 5
    retain_check(srv.db)



def new_customer(shop):
    r = shop.post("/v1/customers", {"email": f"{uuid.uuid4().hex[:8]}@example.com"})
    assert r.status_code == 201, r.text
    return r.json()


def paid(shop, cid, sku="KETTLE"):
    o = shop.post("/v1/orders", new_order(shop, customer={"id": cid}, lines=[
        {"sku": sku, "category": "kitchen", "quantity": 1, "unit_price": 4000}])).json()
    assert shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"}).status_code == 200
    return o


def test_store_faults__a_merge_is_whole_or_absent(srv, op, shop):
    def prepare():
        a, b = new_customer(shop), new_customer(shop)
        paid(shop, b["id"])
        return a, b

    def send(ab, key):
        a, b = ab
        return shop.post(f"/v1/customers/{a['id']}/merge", {"source": b["id"]},
                         headers={"Idempotency-Key": key})
    assert walk(srv, op, prepare, send) > 5
    retain_check(srv.db)


def test_store_faults__a_points_redemption_is_whole_or_absent(srv, op, shop):
    def prepare():
        c = new_customer(shop)
        r = shop.post(f"/v1/customers/{c['id']}/adjustments", {"points": 500, "reason": "x"})
        assert r.status_code in (200, 201), r.text
        o = shop.post("/v1/orders", new_order(shop, customer={"id": c["id"]})).json()
        return c, o

    def send(co, key):
        c, o = co
        return shop.post(f"/v1/customers/{c['id']}/redemptions", {"points": 100, "order": o["id"]},
                         headers={"Idempotency-Key": key})
    assert walk(srv, op, prepare, send) > 5
    retain_check(srv.db)


def test_store_faults__a_ticket_and_its_reply_are_whole_or_absent(srv, op, shop):
    def send(_, key):
        c = {"email": f"{key[-8:]}@example.com"}
        return shop.post("/v1/tickets", {"channel": "email", "customer": c, "subject": "Cup size",
                                         "body": "Which size?"}, headers={"Idempotency-Key": key})
    assert walk(srv, op, lambda: None, send) > 5

    def prepare():
        r = shop.post("/v1/tickets", {"channel": "email", "customer": {"email": "t@example.com"},
                                      "subject": "Lid", "body": "Lost it"})
        assert r.status_code == 201, r.text
        return r.json()

    def reply(t, key):
        return shop.post(f"/v1/tickets/{t['id']}/messages",
                         {"author": "agent", "agent": "Ola", "body": "Sent."},
                         headers={"Idempotency-Key": key})
    assert walk(srv, op, prepare, reply) > 5


def test_store_faults__a_review_and_a_shipment_are_whole_or_absent(srv, op, shop):
    def prepare():
        c = new_customer(shop)
        return c, paid(shop, c["id"])

    def review(co, key):
        c, _ = co
        return shop.post("/v1/reviews", {"customer": c["id"], "rating": 2, "sku": "KETTLE",
                                         "body": "Leaks."}, headers={"Idempotency-Key": key})

    def shipment(co, key):
        _, o = co
        return shop.post(f"/v1/orders/{o['id']}/shipments",
                         {"external_id": key[-10:], "carrier": "FastPost"},
                         headers={"Idempotency-Key": key})
    assert walk(srv, op, prepare, review) > 5
    assert walk(srv, op, prepare, shipment) > 5
    retain_check(srv.db)


READS = [
    "/v1/customers", "/v1/customers/{c}", "/v1/customers/{c}/loyalty", "/v1/customers/{c}/ledger",
    "/v1/customers/{c}/redemptions", "/v1/customers/{c}/offers",
    "/v1/customers/{c}/overview", "/v1/customers/{c}/orders", "/v1/customers/{c}/rewards",
    "/v1/customers/{c}/predictions", "/v1/customers/{c}/recommendations", "/v1/profiles/{c}",
    "/v1/orders", "/v1/orders/{o}", "/v1/campaigns", "/v1/campaigns/{k}", "/v1/campaigns/{k}/codes",
    "/v1/coupons/codes/{code}", "/v1/program", "/v1/events", "/v1/reports/retention",
    "/v1/reports/rfm", "/v1/reports/clv", "/v1/reports/cohorts", "/v1/reports/delivery",
    "/v1/reports/service", "/v1/reports/reviews", "/v1/tickets", "/v1/reviews", "/v1/questions",
]


@pytest.fixture(scope="module")
def data(srv):
    op = Api(srv, OPERATOR_KEY)
    set_clock(op, "2031-03-01T10:00:00Z")
    shop = make_shop(op)
    set_program(shop)
    campaign, code = unique_code(shop)
    c = shop.post("/v1/customers", {"email": f"{uuid.uuid4().hex[:8]}@example.com"}).json()
    orders = []
    for _ in range(3):
        o = shop.post("/v1/orders", new_order(shop, customer={"id": c["id"]})).json()
        assert shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"}).status_code == 200
        orders.append(o)
    return shop, {"c": c["id"], "o": orders[0]["id"], "k": campaign["id"], "code": code}


@pytest.mark.parametrize("path", READS)
def test_store_faults__a_read_that_meets_a_failed_statement_answers_500(srv, op, data, path):
    """Never a 404 that took a failed read for a missing row, never a 200 with
    what a failed statement left out."""
    shop, ids = data
    url = path.format(**ids)
    whole = shop.get(url)
    assert whole.status_code == 200, url
    for nth in range(1, MAX_STATEMENTS):
        arm(op, nth)
        r = shop.get(url)
        if left(op):
            arm(op, 0)
            assert r.status_code == 200 and r.text == whole.text, (url, nth, r.text)
            assert nth > 1, url
            return
        assert r.status_code == 500, (url, nth, r.status_code, r.text[:300])
        assert r.json()["error"]["code"] == "store_error", (url, nth, r.text)
    raise AssertionError(f"more than {MAX_STATEMENTS} statements")
