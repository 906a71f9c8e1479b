"""An acknowledged write survives a power cut, not only kill -9.

A killed process keeps what it wrote (the kernel holds it), so the kill -9
test (test_durability.py) cannot see an order acknowledged before its commit
reached the disk. Here the server runs with RETAIN_TEST_POWER_LOSS=1 (only
honoured with --test-clock; src/store/sqlite_powerloss.h): every write to the
database and its log stays in the process's memory until the file is synced,
so kill -9 loses exactly what a power cut would. The -shm index is deleted as
a power cut loses it, and the server restarted normally must hold every
acknowledged order, pass SQLite's integrity check and `retain check`. Beside
the cuts, every batch's leader checks before it answers that a sync of the
log covered its COMMIT's writes and stops the server if not (a window a kill
rarely hits). SQLite only: on PostgreSQL durability is the server's (fsync on in scripts/pg-cluster)."""
import os
import sqlite3
import subprocess
import threading
import time

import pytest

from conftest import BIN, OPERATOR_KEY, PG, Api, make_shop, new_order

pytestmark = pytest.mark.skipif(bool(PG), reason="the simulated power cut is SQLite's VFS; PostgreSQL"
                                " syncs its own log")


def load_until_killed(srv, shop, writers, wanted, prefix):
    acked, stop = [], threading.Event()

    def writer(n):
        api = Api(srv, shop.key)
        i = 0
        while not stop.is_set():
            try:
                r = api.post("/v1/orders", new_order(api, external_id=f"{prefix}-{n}-{i}"))
            except Exception:
                return
            if r.status_code == 201:
                acked.append(r.json()["id"])
            i += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    deadline = time.time() + 10
    while len(acked) < wanted and time.time() < deadline and srv.proc.poll() is None:
        time.sleep(0.02)
    alive = srv.proc.poll() is None     # it stops itself on an unsynced acknowledgement
    srv.kill9()
    stop.set()
    for t in threads:
        t.join()
    assert alive, "the server stopped under load:\n" + srv.logtext()
    return acked


def stored_orders(db):
    shm = db + "-shm"
    if os.path.exists(shm):
        os.remove(shm)                      # a power cut loses the index too
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {r[0] for r in con.execute("SELECT id FROM orders")}
    finally:
        con.close()


# one writer (batches of one, the commit's sync before each answer) and 16
# on 16 threads (group commit: many orders share one fdatasync of the log);
# three cuts in a row on the same database, each recovered from the last
@pytest.mark.parametrize("writers,wanted", [(1, 60), (16, 300)])
def test_power_loss__every_acknowledged_order_survives_a_simulated_power_cut(
        fresh_server, writers, wanted):
    fresh_server.env.update(RETAIN_TEST_POWER_LOSS="1", RETAIN_THREADS=str(max(writers, 4)))
    srv = fresh_server.start()
    assert "power loss simulated" in srv.logtext(), srv.logtext()
    shop = make_shop(Api(srv, OPERATOR_KEY), "Powerless")
    acked = []
    for cut in range(3):
        if cut:
            srv.start()
        if cut == 1:
            # an erasure before this cut: its scrub checkpoints the log into the
            # database file and truncates the log (store_scrub), then the load
            # starts the log over
            api = Api(srv, shop.key)
            o = api.post("/v1/orders", new_order(api)).json()
            assert api.delete(f"/v1/customers/{o['customer']}").status_code == 200
            acked.append(o["id"])
        got = load_until_killed(srv, shop, writers, wanted, prefix=f"P{cut}")
        assert len(got) >= 30, "too few acknowledgements to test anything"
        acked += got
        stored = stored_orders(srv.db)
        missing = [o for o in acked if o not in stored]
        assert missing == [], f"cut {cut}: {len(missing)} of {len(acked)} acknowledged orders lost"
    del srv.env["RETAIN_TEST_POWER_LOSS"]
    srv.start()
    api = Api(srv, shop.key)
    assert all(api.get(f"/v1/orders/{o}").status_code == 200 for o in acked[-20:])
    r = subprocess.run([BIN, "check", "--db", srv.db], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "0 mismatches" in r.stdout, r.stdout + r.stderr
