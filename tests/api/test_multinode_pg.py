"""Issue 9: several `retain serve` nodes on one PostgreSQL database, stateless.
Three nodes on free loopback ports share one database URL and operator key;
requests are fired at all of them at the same moment (threads behind a
barrier). The same Idempotency-Key writes once; one balance spent from every
node at once is spent once; one order webhook delivered to every node credits
once; a job due once runs once with every node's jobs racing (each job takes
its advisory lock first, core/jobs.h); killing a node with SIGKILL under load
loses no acknowledged write. Needs the PostgreSQL pass of `make test`
(RETAIN_TEST_PG) and skips, saying so, without it."""
import contextlib
import json
import os
import subprocess
import tempfile
import threading
import time
import uuid

import pytest

from conftest import (BIN, OPERATOR_KEY, PG, Api, Server, check_clean_exit, connect_db,
                      make_shop, new_order)
from loyalty_helpers import DAY, loyalty, paid_order, set_program

pytestmark = pytest.mark.skipif(not PG, reason="needs a PostgreSQL cluster (RETAIN_TEST_PG):"
                                " several nodes share one PostgreSQL database")

T0 = "2031-01-10T08:00:00Z"
LEDGER_JOB_LOCK = 0x72657461696e << 16 | 1      # JOBS_LOCK_KEY(1): the table's first job


@contextlib.contextmanager
def nodes(count=3, args=()):
    """count servers on free ports, all on the first one's database."""
    with contextlib.ExitStack() as stack:
        dirs = [stack.enter_context(tempfile.TemporaryDirectory()) for _ in range(count)]
        started = [Server(dirs[0], list(args)).start()]
        try:
            for d in dirs[1:]:
                n = Server(d, list(args))
                n.db = started[0].db        # the same database: the nodes share nothing else
                started.append(n.start())
            yield started
        finally:
            for n in started:
                if n.proc.poll() is None:
                    check_clean_exit(n)


def at_once(calls):
    """Runs the calls in threads released together; their results in order."""
    results, start = [None] * len(calls), threading.Barrier(len(calls))

    def run(i):
        start.wait()
        results[i] = calls[i]()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def shop_on(cluster):
    """A shop made through the first node, with a client for each node."""
    shop = make_shop(Api(cluster[0], OPERATOR_KEY))
    return shop, [Api(n, shop.key) for n in cluster]


def rows(db, sql, *params):
    return connect_db(db).execute(sql, params).fetchall()


def retain_check(db):
    r = subprocess.run([BIN, "check", "--db", db], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "0 mismatches" in r.stdout, r.stdout + r.stderr


def set_clocks(cluster, body):
    """Moves every node's test clock (one per process) at the same moment."""
    ops = [Api(n, OPERATOR_KEY) for n in cluster]
    for r in at_once([lambda o=o: o.post("/v1/test/clock", body) for o in ops]):
        assert r.status_code == 200, r.text


def run_jobs(cluster):
    """POST /v1/jobs/run on every node at once: the answers' counts."""
    ops = [Api(n, OPERATOR_KEY) for n in cluster]
    answers = at_once([lambda o=o: o.post("/v1/jobs/run") for o in ops])
    for r in answers:
        assert r.status_code == 200, r.text
    return [r.json() for r in answers]


def logged_job_counts(cluster, name):
    """The sum of `name` over the jobs threads' log lines of every node."""
    total = 0
    for n in cluster:
        with open(os.path.join(n.dir, "server.log"), "rb") as f:
            for line in f.read().decode(errors="replace").splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if entry.get("msg") == "jobs":
                    total += entry.get(name, 0)
    return total


def test_one_idempotency_key_sent_to_three_nodes_at_once_makes_one_order_issue9():
    with nodes(args=["--jobs-interval", "0"]) as cluster:
        shop, apis = shop_on(cluster)
        set_program(shop, pending_days=0)
        c = shop.post("/v1/customers", {"email": "three@example.com"}).json()
        for n in range(6):
            key = {"Idempotency-Key": f"order-{n}-" + uuid.uuid4().hex[:8]}
            body = new_order(shop, external_id=f"idem-{n}", customer={"id": c["id"]})
            answers = at_once([lambda a=a: a.post("/v1/orders", body, headers=key) for a in apis])
            codes = sorted(r.status_code for r in answers)
            assert codes[0] == 201 and set(codes) <= {201, 409}, [r.text for r in answers]
            ids = {r.json()["id"] for r in answers if r.status_code == 201}
            assert len(ids) == 1, [r.text for r in answers]       # replays of the one order
            # An adjustment has no natural key: only the Idempotency-Key keeps it single.
            key = {"Idempotency-Key": f"adjust-{n}-" + uuid.uuid4().hex[:8]}
            adjust = {"points": 10, "reason": f"goodwill {n}"}
            answers = at_once([lambda a=a: a.post(f"/v1/customers/{c['id']}/adjustments", adjust,
                                                  headers=key) for a in apis])
            codes = sorted(r.status_code for r in answers)
            assert codes[0] == 200 and set(codes) <= {200, 409}, [r.text for r in answers]
            assert len({r.text for r in answers if r.status_code == 200}) == 1
            assert loyalty(shop, c["id"])["points"]["available"] == 10 * (n + 1)
        (count,), = rows(cluster[0].db, "SELECT count(*) FROM orders WHERE shop_id = ?",
                         shop.shop["id"])
        assert count == 6


def test_64_redemptions_of_one_whole_balance_through_three_nodes_succeed_once_issue9():
    with nodes(args=["--jobs-interval", "0", "--threads", "8"]) as cluster:
        shop, apis = shop_on(cluster)
        set_program(shop, pending_days=0, point_value=1, rewards=[
            {"key": "all", "kind": "gift", "name": "Everything", "cost": 100}])
        c = shop.post("/v1/customers", {"email": "spend-all@example.com"}).json()
        paid_order(shop, {"id": c["id"]}, amount=10000)
        assert loyalty(shop, c["id"])["points"]["available"] == 100
        clients = [Api(cluster[i % 3], shop.key) for i in range(64)]
        answers = at_once([lambda a=a: a.post(f"/v1/customers/{c['id']}/redemptions",
                                              {"reward": "all"}) for a in clients])
        codes = [r.status_code for r in answers]
        assert codes.count(201) == 1 and codes.count(422) == 63, sorted(codes)
        assert loyalty(shop, c["id"])["points"]["available"] == 0
        negative = rows(cluster[0].db, "SELECT id FROM loyalty_lots WHERE shop_id = ?"
                        " AND kind <> 'debt' AND remaining < 0", shop.shop["id"])
        assert negative == []
        retain_check(cluster[0].db)


def test_one_order_webhook_posted_to_three_nodes_at_once_credits_once_issue9():
    with nodes(args=["--jobs-interval", "0"]) as cluster:
        shop, apis = shop_on(cluster)
        set_program(shop, pending_days=0)
        c = shop.post("/v1/customers", {"email": "hook@example.com"}).json()
        for n in range(4):
            body = new_order(shop, external_id=f"hook-{n}", customer={"id": c["id"]},
                             lines=[{"sku": "TEA", "quantity": 1, "unit_price": 5000}])
            answers = at_once([lambda a=a: a.post("/v1/orders", body) for a in apis])
            ok = [r for r in answers if r.status_code in (200, 201)]
            assert ok and all(r.status_code in (200, 201, 409) for r in answers), \
                [r.text for r in answers]
            order = {r.json()["id"] for r in ok}
            assert len(order) == 1
            oid = order.pop()
            paid = {"status": "paid", "external_id": f"psp-{n}"}
            answers = at_once([lambda a=a: a.post(f"/v1/orders/{oid}/payments", paid) for a in apis])
            assert any(r.status_code == 200 for r in answers), [r.text for r in answers]
            assert all(r.status_code in (200, 409) for r in answers), [r.text for r in answers]
            assert len(shop.get(f"/v1/orders/{oid}").json()["payments"]) == 1
            lots = rows(cluster[0].db, "SELECT amount FROM loyalty_lots WHERE shop_id = ?"
                        " AND order_id = ?", shop.shop["id"], oid)
            earns = rows(cluster[0].db, "SELECT delta FROM loyalty_entries WHERE shop_id = ?"
                         " AND order_id = ? AND reason = 'earn'", shop.shop["id"], oid)
            assert lots == [(50,)] and earns == [(50,)], (lots, earns)
        assert loyalty(shop, c["id"])["points"]["available"] == 4 * 50
        (count,), = rows(cluster[0].db, "SELECT count(*) FROM orders WHERE shop_id = ?",
                         shop.shop["id"])
        assert count == 4
        retain_check(cluster[0].db)


def expiry_events(db, shop, kind):
    (n,), = rows(db, "SELECT count(*) FROM events WHERE shop_id = ? AND type = ?", shop, kind)
    return n


def test_a_reminder_and_an_expiry_due_once_run_once_with_three_nodes_jobs_racing_issue9():
    """Every node's jobs thread runs each second, and the test clock moves and
    POST /v1/jobs/run on every node fire at the same moment besides. The test
    clock is one per process: each node's is moved, together."""
    with nodes(args=["--jobs-interval", "1"]) as cluster:
        shop, apis = shop_on(cluster)
        db, sid = cluster[0].db, shop.shop["id"]
        set_clocks(cluster, {"now": T0})
        set_program(shop, pending_days=0, expiry={"policy": "days", "n": 30})
        c = shop.post("/v1/customers", {"email": "due@example.com"}).json()
        paid_order(shop, {"id": c["id"]}, amount=7000)        # 70 points, expire at T0 + 30 days
        set_clocks(cluster, {"advance_seconds": 25 * DAY})
        time.sleep(1.2)
        assert expiry_events(db, sid, "points.expiring") == 0     # no reminders yet
        # The reminder becomes due on every node at once, without a clock move:
        set_program(shop, pending_days=0, expiry={"policy": "days", "n": 30, "reminder_days": 10})
        answers = run_jobs(cluster)
        time.sleep(2.2)                                         # each jobs thread runs twice more
        assert expiry_events(db, sid, "points.expiring") == 1
        assert sum(a["reminders"] for a in answers) + logged_job_counts(cluster, "reminders") == 1
        set_clocks(cluster, {"advance_seconds": 6 * DAY})       # the lot is past its expiry
        answers = run_jobs(cluster)
        time.sleep(2.2)
        assert expiry_events(db, sid, "points.expired") == 1
        entries = rows(db, "SELECT delta FROM loyalty_entries WHERE shop_id = ? AND reason = 'expiry'",
                       sid)
        assert entries == [(-70,)]
        assert loyalty(shop, c["id"])["points"]["available"] == 0
        # A clock move runs the jobs in its own request, uncounted: at most one counted.
        assert sum(a["expired_lots"] for a in answers) + logged_job_counts(cluster, "expired_lots") <= 1
        retain_check(db)


def test_a_job_whose_lock_another_session_holds_is_skipped_on_every_node_issue9():
    """The ledger job's advisory lock held from psql (as a node running it
    holds it): no node expires the due lot; released, three nodes racing
    expire it once, and the counts in their answers add up to 1."""
    with nodes(args=["--jobs-interval", "0"]) as cluster:
        shop, apis = shop_on(cluster)
        db, sid = cluster[0].db, shop.shop["id"]
        set_clocks(cluster, {"now": T0})
        set_program(shop, pending_days=0, expiry={"policy": "days", "n": 30})
        c = shop.post("/v1/customers", {"email": "locked@example.com"}).json()
        paid_order(shop, {"id": c["id"]}, amount=4000)
        holder = subprocess.Popen(["psql", "-X", "-qAt", "-d", db], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        try:
            holder.stdin.write(f"SELECT pg_advisory_lock({LEDGER_JOB_LOCK}); SELECT 'held';\n")
            holder.stdin.flush()
            while holder.stdout.readline().strip() != "held":
                pass
            set_clocks(cluster, {"advance_seconds": 31 * DAY})   # each runs the jobs: skipped
            answers = run_jobs(cluster)
            assert [a["expired_lots"] for a in answers] == [0, 0, 0]
            assert rows(db, "SELECT delta FROM loyalty_entries WHERE shop_id = ?"
                        " AND reason = 'expiry'", sid) == []
        finally:
            holder.stdin.close()
            holder.wait(timeout=30)
        answers = run_jobs(cluster)
        assert sum(a["expired_lots"] for a in answers) == 1, answers
        assert sum(a["expired_points"] for a in answers) == 40
        assert rows(db, "SELECT delta FROM loyalty_entries WHERE shop_id = ? AND reason = 'expiry'",
                    sid) == [(-40,)]
        assert sum(a["expired_lots"] for a in run_jobs(cluster)) == 0
        retain_check(db)


def test_kill_9_of_one_node_under_load_loses_no_acknowledged_write_issue9():
    with nodes(args=["--jobs-interval", "0"]) as cluster:
        shop, apis = shop_on(cluster)
        acked, stop, lock = [], threading.Event(), threading.Lock()

        def writer(node):
            api = Api(node, shop.key)
            while not stop.is_set():
                try:
                    r = api.post("/v1/orders", new_order(shop))
                except Exception:           # the killed node: refused or cut off
                    time.sleep(0.05)
                    continue
                if 200 <= r.status_code < 300:
                    with lock:
                        acked.append(r.json()["id"])
        threads = [threading.Thread(target=writer, args=(cluster[i % 3],)) for i in range(6)]
        for t in threads:
            t.start()
        deadline = time.time() + 10
        while len(acked) < 120 and time.time() < deadline:
            time.sleep(0.02)
        cluster[1].kill9()
        killed_at = len(acked)
        time.sleep(0.5)                     # the two others go on
        stop.set()
        for t in threads:
            t.join()
        assert killed_at >= 30, "the writers got too few acknowledgements to test anything"
        stored = {oid for (oid,) in rows(cluster[0].db, "SELECT id FROM orders WHERE shop_id = ?",
                                         shop.shop["id"])}
        missing = [oid for oid in acked if oid not in stored]
        assert missing == [], f"{len(missing)} of {len(acked)} acknowledged orders lost"
        for oid in acked[:10]:
            assert apis[0].get(f"/v1/orders/{oid}").status_code == 200
        retain_check(cluster[0].db)
