"""Issue 9, scope 4: the CLV fit cache is refreshed by the node that takes the
job and read by all. A shop's fit lives in the table clv_fits (migration 007),
in front of which each process keeps its own copy for the same hour
(analytics/clv_cache.h): a fit made on one node is what another node's
predictions use, to the last digit; the half-hourly refit is made by the node
whose jobs thread holds the fits' lock, once, and every node then reads it;
while another session holds that lock, no node writes a fit."""
import contextlib
import subprocess
import tempfile
import time

import pytest

from conftest import wait_for, OPERATOR_KEY, PG, Api, Server, check_clean_exit, connect_db, make_shop, new_order
from loyalty_helpers import set_clock

T0 = "2025-06-01T00:00:00Z"
T0_MS = 1748736000000
MINUTE = 60 * 1000
CLV_LOCK = 0x72657461696e << 16 | 0xffff          # CLV_CACHE_LOCK_KEY

on_pg_only = pytest.mark.skipif(not PG, reason="needs a PostgreSQL cluster (RETAIN_TEST_PG):"
                                " several nodes share one PostgreSQL database")


def history(api):
    """24 customers with one to three paid orders each: enough for a fit."""
    for i in range(24):
        for k in range(1 + i % 3):
            body = new_order(api, external_id=f"R{i}-{k}", customer={"external_id": f"c{i}"},
                             placed_at=f"2025-0{1 + 2 * k}-{10 + i % 18}T09:00:00Z")
            o = api.post("/v1/orders", body).json()
            assert api.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"}).status_code == 200


def predictions(api, customer="c2"):
    r = api.get(f"/v1/customers/ext:{customer}/predictions")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["enough_data"] is True, body
    return body


def at(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms / 1000))


def shared_fit(db, shop_id):
    """(fitted_at, claimed_until) of the shop's row in clv_fits, or None."""
    rows = connect_db(db).execute("SELECT fitted_at, claimed_until FROM clv_fits WHERE shop_id = ?",
                                  (shop_id,)).fetchall()
    return rows[0] if rows else None



def test_a_fit_outlives_the_process_that_made_it_issue9():
    """One node: its fit goes into the table, and after a restart (without
    a jobs thread, so nothing refits) the predictions use that same fit."""
    with tempfile.TemporaryDirectory() as d:
        srv = Server(d, ["--jobs-interval", "1"]).start()
        op = Api(srv, OPERATOR_KEY)
        set_clock(op, T0)
        api = make_shop(op, "Shared")
        history(api)
        first = predictions(api)
        assert first["model_fitted_at"] == T0
        assert wait_for(lambda: shared_fit(srv.db, api.shop["id"])) == (T0_MS, None)
        check_clean_exit(srv)
        srv.extra_args = ["--jobs-interval", "0"]
        srv.start()
        try:
            set_clock(op, T0)
            assert predictions(api) == first
            set_clock(op, at(T0_MS + 59 * MINUTE))          # still fresh: the same fit
            assert predictions(api)["model_fitted_at"] == T0
            set_clock(op, at(T0_MS + 61 * MINUTE))          # an hour old: fitted again, here
            assert predictions(api)["model_fitted_at"] == at(T0_MS + 61 * MINUTE)
        finally:
            check_clean_exit(srv)


@contextlib.contextmanager
def two_nodes():
    """Node a runs the jobs (and the fits' refresh) every second; node b has
    no jobs thread, so whatever fit b uses, another node made."""
    with tempfile.TemporaryDirectory() as da, tempfile.TemporaryDirectory() as db:
        a = Server(da, ["--jobs-interval", "1"]).start()
        b = Server(db, ["--jobs-interval", "0"])
        b.db = a.db
        try:
            b.start()
            yield a, b
        finally:
            for n in (a, b):
                if n.proc and n.proc.poll() is None:
                    check_clean_exit(n)


@on_pg_only
def test_a_fit_made_on_one_node_is_read_by_another_issue9():
    with two_nodes() as (a, b):
        ops = [Api(a, OPERATOR_KEY), Api(b, OPERATOR_KEY)]
        for op in ops:
            set_clock(op, T0)
        shop = make_shop(ops[0], "Shared")
        history(shop)
        on_b = Api(b, shop.key)
        assert predictions(shop)["model_fitted_at"] == T0           # fitted on a, on the spot
        assert wait_for(lambda: shared_fit(a.db, shop.shop["id"])) == (T0_MS, None)
        # Ten minutes on, each node at the same time: b (which never fitted)
        # answers from a's fit, number for number.
        for op in ops:
            set_clock(op, at(T0_MS + 10 * MINUTE))
        on_a = predictions(shop)
        assert predictions(on_b) == on_a and on_a["model_fitted_at"] == T0
        # Half an hour on, a's jobs thread refits and writes the shop's fit once.
        set_clock(ops[0], at(T0_MS + 31 * MINUTE))
        assert wait_for(lambda: shared_fit(a.db, shop.shop["id"]) == (T0_MS + 31 * MINUTE, None))
        assert "models refitted" in a.logtext() and "models refitted" not in b.logtext()
        # b's own copy of the first fit is fresh until T0 + 1 h; after that it
        # reads the refit a made, not a fit of its own.
        set_clock(ops[1], at(T0_MS + 50 * MINUTE))
        assert predictions(on_b)["model_fitted_at"] == T0
        set_clock(ops[1], at(T0_MS + 65 * MINUTE))
        assert predictions(on_b)["model_fitted_at"] == at(T0_MS + 31 * MINUTE)


@on_pg_only
def test_no_node_writes_a_fit_while_another_session_holds_the_fits_lock_issue9():
    with two_nodes() as (a, b):
        op = Api(a, OPERATOR_KEY)
        set_clock(op, T0)
        shop = make_shop(op, "Locked")
        history(shop)
        holder = subprocess.Popen(["psql", "-X", "-qAt", "-d", a.db], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        try:
            holder.stdin.write(f"SELECT pg_advisory_lock({CLV_LOCK}); SELECT 'held';\n")
            holder.stdin.flush()
            while holder.stdout.readline().strip() != "held":
                pass
            assert predictions(shop)["model_fitted_at"] == T0     # a fit in a's memory only
            time.sleep(3)                                        # three refreshes, all skipped
            assert shared_fit(a.db, shop.shop["id"]) is None
        finally:
            holder.stdin.close()
            holder.wait(timeout=30)
        assert wait_for(lambda: shared_fit(a.db, shop.shop["id"])) == (T0_MS, None)
