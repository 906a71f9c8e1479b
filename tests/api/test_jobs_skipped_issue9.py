"""Issue 9: POST /v1/jobs/run says which jobs it skipped. On PostgreSQL each job
first tries its advisory lock (JOBS_LOCK_KEY in core/jobs.h); while another
connection holds it (another node running that job, or an operator pausing it
from psql) the call skips the job and reports it in "skipped" and
"skipped_jobs", as `retain jobs run` does in its line. On SQLite the one
writer is alone, so nothing is ever skipped."""
import contextlib
import subprocess
import time
import tempfile

import pytest

from conftest import BIN, OPERATOR_KEY, PG, Api, Server, check_clean_exit, make_shop
from loyalty_helpers import DAY, paid_order, set_clock, set_program

LOCK = 0x72657461696e << 16                   # JOBS_LOCK_KEY(n) is LOCK | n, n from 1
JOBS = ["ledger", "idempotency_retention"]     # the table's rows, in order

on_pg_only = pytest.mark.skipif(not PG, reason="needs a PostgreSQL cluster (RETAIN_TEST_PG):"
                                " the lock is PostgreSQL's advisory lock")


@contextlib.contextmanager
def lone_node():
    with tempfile.TemporaryDirectory() as d:
        srv = Server(d, ["--jobs-interval", "0"]).start()     # no jobs thread of its own
        try:
            yield srv
        finally:
            check_clean_exit(srv)


@contextlib.contextmanager
def held(db, key):
    """Another session holding the advisory lock key until the block ends."""
    holder = subprocess.Popen(["psql", "-X", "-qAt", "-d", db], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        holder.stdin.write(f"SELECT pg_advisory_lock({key}); SELECT 'held';\n")
        holder.stdin.flush()
        while holder.stdout.readline().strip() != "held":
            pass
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
        # psql has exited, but its backend may hold the lock a moment longer:
        # wait until the server shows it gone, so the next run finds it free.
        lo, hi = key & 0xFFFFFFFF, key >> 32
        deadline = time.time() + 30
        while time.time() < deadline:
            left = subprocess.run(["psql", "-X", "-qAt", "-d", db, "-c",
                                   "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                                   f" AND classid = {hi} AND objid = {lo}"],
                                  capture_output=True, text=True).stdout.strip()
            if left == "0":
                break
            time.sleep(0.05)


def run_jobs(operator):
    r = operator.post("/v1/jobs/run")
    assert r.status_code == 200, r.text
    return r.json()


def test_a_run_with_no_lock_held_elsewhere_skips_nothing_issue9():
    with lone_node() as srv:
        answer = run_jobs(Api(srv, OPERATOR_KEY))
        assert (answer["skipped"], answer["skipped_jobs"]) == (0, [])


@on_pg_only
@pytest.mark.parametrize("row", [1, 2], ids=JOBS)
def test_a_job_whose_lock_another_connection_holds_is_reported_skipped_issue9(row):
    with lone_node() as srv:
        operator = Api(srv, OPERATOR_KEY)
        with held(srv.db, LOCK | row):
            answer = run_jobs(operator)
            assert answer["skipped"] == 1, answer
            assert answer["skipped_jobs"] == [JOBS[row - 1]]
        answer = run_jobs(operator)
        assert (answer["skipped"], answer["skipped_jobs"]) == (0, [])


@on_pg_only
def test_a_skipped_ledger_job_does_its_due_work_on_the_next_run_issue9():
    with lone_node() as srv:
        operator = Api(srv, OPERATOR_KEY)
        shop = make_shop(operator)
        set_clock(operator, "2031-01-10T08:00:00Z")
        set_program(shop, pending_days=0, expiry={"policy": "days", "n": 30})
        c = shop.post("/v1/customers", {"email": "skipped@example.com"}).json()
        paid_order(shop, {"id": c["id"]}, amount=4000)
        with held(srv.db, LOCK | 1):
            operator.post("/v1/test/clock", {"advance_seconds": 31 * DAY})   # runs them: skipped
            answer = run_jobs(operator)
            assert (answer["skipped_jobs"], answer["expired_lots"]) == (["ledger"], 0)
            cli = subprocess.run([BIN, "jobs", "run", "--db", srv.db], capture_output=True,
                                 text=True, timeout=60)
            assert cli.returncode == 0, cli.stderr
            assert "skipped (another node holds its lock): ledger" in cli.stdout, cli.stdout
        answer = run_jobs(operator)
        assert (answer["skipped_jobs"], answer["expired_lots"], answer["expired_points"]) == \
            ([], 1, 40)
