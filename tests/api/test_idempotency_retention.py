"""Regression tests for issue 8: Idempotency-Keys are kept for a retention.

A key is remembered for --idempotency-retention-hours (24 by default) after
the write it answered; after that the pruning job (run by the jobs thread,
POST /v1/jobs/run, `retain jobs run` and every move of the test clock) deletes
it, and a retry under it runs as a new request.
"""
import subprocess
import tempfile
import uuid

import pytest

from conftest import BIN, OPERATOR_KEY, Api, Server, check_clean_exit, connect_db, make_shop
from loyalty_helpers import set_clock


def stored_keys(server):
    with connect_db(server.db) as db:
        return [row[0] for row in db.execute("SELECT key FROM idempotency_keys")]


@pytest.fixture
def retention_server(request):
    """A server with the retention given by the test's parameter (None: default)."""
    hours = getattr(request, "param", None)
    with tempfile.TemporaryDirectory() as d:
        args = ["--jobs-interval", "0"]
        if hours is not None:
            args += ["--idempotency-retention-hours", str(hours)]
        srv = Server(d, args).start()
        yield srv, hours or 24
        check_clean_exit(srv)


def create_customer(shop, key, name="Ada"):
    return shop.post("/v1/customers", {"name": name}, headers={"Idempotency-Key": key})


@pytest.mark.parametrize("retention_server", [None, 1, 72], indirect=True)
def test_a_key_replays_within_the_retention_and_is_forgotten_after_it_issue8(retention_server):
    srv, hours = retention_server
    operator = Api(srv, OPERATOR_KEY)
    set_clock(operator, "2031-03-01T00:00:00Z")
    shop = make_shop(operator)
    key = "k-" + uuid.uuid4().hex
    first = create_customer(shop, key)
    assert first.status_code == 201

    # One second before the retention ends the key still replays.
    assert operator.post("/v1/test/clock", {"advance_seconds": hours * 3600 - 1}).status_code == 200
    again = create_customer(shop, key)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["id"] == first.json()["id"]
    assert key in stored_keys(srv)

    # Past it, moving the clock ran the pruning job: the row is gone and a
    # retry is a new request (a new customer), stored again under the key.
    assert operator.post("/v1/test/clock", {"advance_seconds": 2}).status_code == 200
    assert key not in stored_keys(srv)
    later = create_customer(shop, key)
    assert later.status_code == 201 and "Idempotent-Replayed" not in later.headers
    assert later.json()["id"] != first.json()["id"]
    assert stored_keys(srv).count(key) == 1


@pytest.mark.parametrize("retention_server", [None, 5], indirect=True)
def test_an_expired_key_may_carry_another_request_issue8(retention_server):
    srv, hours = retention_server
    operator = Api(srv, OPERATOR_KEY)
    set_clock(operator, "2031-03-01T00:00:00Z")
    shop = make_shop(operator)
    key = "k-" + uuid.uuid4().hex
    assert create_customer(shop, key, "Ada").status_code == 201
    assert create_customer(shop, key, "Bea").status_code == 400
    operator.post("/v1/test/clock", {"advance_seconds": hours * 3600 + 60})
    r = create_customer(shop, key, "Bea")
    assert r.status_code == 201 and r.json()["name"] == "Bea"


@pytest.mark.parametrize("retention_server", [2], indirect=True)
def test_jobs_run_prunes_only_keys_older_than_the_retention_issue8(retention_server):
    srv, hours = retention_server
    operator = Api(srv, OPERATOR_KEY)
    set_clock(operator, "2031-03-01T00:00:00Z")
    shop = make_shop(operator)
    create_customer(shop, "old")
    operator.post("/v1/test/clock", {"advance_seconds": 3600 + 1800})
    create_customer(shop, "young")
    # Both are younger than the retention: a run of the jobs keeps them.
    r = operator.post("/v1/jobs/run")
    assert r.status_code == 200
    assert sorted(stored_keys(srv)) == ["old", "young"]
    operator.post("/v1/test/clock", {"advance_seconds": 1801})
    assert stored_keys(srv) == ["young"]


def test_retain_jobs_run_prunes_old_keys_issue8():
    with tempfile.TemporaryDirectory() as d:
        srv = Server(d).start()
        shop = make_shop(Api(srv, OPERATOR_KEY))
        create_customer(shop, "cli-key")
        check_clean_exit(srv)
        with connect_db(srv.db) as db:
            db.execute("UPDATE idempotency_keys SET created_at = created_at - 25 * 3600 * 1000")
        out = subprocess.run([BIN, "jobs", "run", "--db", srv.db], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert stored_keys(srv) == []


@pytest.mark.parametrize("value", ["0", "-1", "8761", "abc", "1.5"])
def test_a_retention_out_of_range_is_refused_at_start_issue8(value):
    out = subprocess.run([BIN, "serve", "--print-config", "--idempotency-retention-hours", value],
                         capture_output=True, text=True)
    assert out.returncode == 2
    assert f'"idempotency-retention-hours" must be' in out.stderr and value in out.stderr


@pytest.mark.parametrize("how", ["flag", "env"])
def test_print_config_shows_the_retention_issue8(how):
    args, env = [BIN, "serve", "--print-config"], None
    if how == "flag":
        args += ["--idempotency-retention-hours", "48"]
    else:
        import os
        env = dict(os.environ, RETAIN_IDEMPOTENCY_RETENTION_HOURS="48")
    out = subprocess.run(args, capture_output=True, text=True, env=env)
    assert out.returncode == 0
    assert "idempotency-retention-hours = 48" in out.stdout.splitlines()
