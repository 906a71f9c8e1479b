"""integration_deliveries forgets a delivery id after its retention
(INTEGRATION_DELIVERY_RETENTION_DAYS, 7 days, core/integration.h): far longer
than a platform retries a delivery (Shopify 8 times over 4 hours), so a replay
inside the window still changes nothing, and the table no longer grows for
ever. The jobs prune it (the table's "integration_deliveries" row); moving the
test clock runs them, and POST /v1/jobs/run does too. The rows are read
straight from the database, as the other tests read what they cannot see
through the API."""
import uuid

import pytest

from conftest import OPERATOR_KEY, PG, Api, connect_db, make_shop
from integration_helpers import payload, points, shopify_delivery, shopify_store
from loyalty_helpers import DAY, advance, set_clock
from test_jobs_skipped_issue9 import LOCK, held
from test_multinode_pg import T0, nodes, run_jobs, set_clocks

SECRET = "shpss_prune_5f0c3a9e1b7d4c28a6e9f01b"
RETENTION_DAYS = 7
# JOBS_LOCK_KEY(n) of the job: "integration_deliveries" is number 8 in
# core/jobs.c's table; the test below checks the name it skips.
ROW = 8

on_pg_only = pytest.mark.skipif(not PG, reason="needs a PostgreSQL cluster (RETAIN_TEST_PG):"
                                " several nodes on one database, PostgreSQL's advisory lock")


@pytest.fixture
def store(shop, operator):
    set_clock(operator, "2026-11-20T09:00:00Z")
    return shopify_store(shop, SECRET)


def deliver(store, topic, body, **kw):
    return shopify_delivery(store, topic, body, SECRET, store.domain, **kw)


def remembered(server, shop_id):
    """(delivery id, topic, outcome) of every delivery the shop's rows hold."""
    con = connect_db(server.db)
    rows = con.execute("SELECT delivery_id, topic, outcome FROM integration_deliveries"
                       " WHERE shop_id = ? ORDER BY received_at, delivery_id", (shop_id,)).fetchall()
    con.close()
    return [tuple(r) for r in rows]


def test_a_delivery_replayed_inside_the_window_still_changes_nothing(store, operator, server):
    hook = str(uuid.uuid4())
    first = deliver(store, "orders/paid", payload("shopify", "orders_paid"), webhook_id=hook)
    assert first.status_code == 200 and first.json()["outcome"] == "applied", first.text
    cid = first.json()["customer"]
    earned = points(store, cid)
    moved = advance(operator, days=RETENTION_DAYS - 1, seconds=23 * 3600)
    assert moved
    again = deliver(store, "orders/paid", payload("shopify", "orders_paid"), webhook_id=hook)
    assert again.status_code == 200 and again.json()["outcome"] == "replayed", again.text
    assert points(store, cid) == earned
    assert [r[0] for r in remembered(server, store.shop["id"])] == [hook]


def test_after_the_window_the_row_is_gone_and_the_jobs_say_so(store, operator, server):
    old, ignored = str(uuid.uuid4()), str(uuid.uuid4())
    assert deliver(store, "orders/paid", payload("shopify", "orders_paid"),
                   webhook_id=old).json()["outcome"] == "applied"
    assert deliver(store, "products/update", {"id": 1},
                   webhook_id=ignored).json()["outcome"] == "ignored"
    advance(operator, days=3)
    young = str(uuid.uuid4())
    assert deliver(store, "customers/update", payload("shopify", "customers_update"),
                   webhook_id=young).json()["outcome"] == "applied"
    assert len(remembered(server, store.shop["id"])) == 3
    # Past the first two deliveries' window, not the third's: the clock's own
    # run of the jobs forgets exactly those two.
    r = operator.post("/v1/test/clock", {"advance_seconds": (RETENTION_DAYS - 3) * DAY + 1})
    assert r.status_code == 200, r.text
    assert r.json()["jobs"]["integration_deliveries_pruned"] >= 2
    assert remembered(server, store.shop["id"]) == [(young, "customers/update", "applied")]
    # Run again, nothing more is due.
    again = operator.post("/v1/jobs/run")
    assert again.status_code == 200 and again.json()["integration_deliveries_pruned"] == 0
    assert remembered(server, store.shop["id"]) == [(young, "customers/update", "applied")]
    # A delivery whose id was forgotten and that comes again is still safe for
    # an order: its payment and points are held by their own external ids.
    cid = store.get("/v1/orders/ext:shopify:5120001001").json()["customer"]
    earned = points(store, cid)
    late = deliver(store, "orders/paid", payload("shopify", "orders_paid"), webhook_id=old)
    assert late.status_code == 200 and late.json()["outcome"] == "applied", late.text
    assert points(store, cid) == earned
    assert len(store.get("/v1/orders/ext:shopify:5120001001").json()["payments"]) == 1


def test_every_shop_is_pruned_by_one_run(store, operator, server):
    other = make_shop(Api(server, OPERATOR_KEY))
    domain = f"tea-{uuid.uuid4().hex[:10]}.myshopify.com"
    assert other.request("PUT", "/v1/integrations/shopify",
                         {"shop_domain": domain, "webhook_secret": SECRET}).status_code == 201
    deliver(store, "products/update", {"id": 1})
    shopify_delivery(other, "products/update", {"id": 2}, SECRET, domain)
    assert len(remembered(server, other.shop["id"])) == 1
    advance(operator, days=RETENTION_DAYS, seconds=1)
    assert remembered(server, store.shop["id"]) == []
    assert remembered(server, other.shop["id"]) == []


def connect_on(api):
    domain = f"tea-{uuid.uuid4().hex[:10]}.myshopify.com"
    assert api.request("PUT", "/v1/integrations/shopify",
                       {"shop_domain": domain, "webhook_secret": SECRET}).status_code == 201
    api.domain = domain
    return api


@on_pg_only
def test_three_nodes_racing_prune_each_row_once_and_the_lock_pauses_the_job():
    """Every node runs the jobs table; the job's advisory lock gives each run to
    one node, and the delete finds each due row once: the answers' counts add up
    to the rows that were due. While the lock is held elsewhere, no node prunes."""
    with nodes(args=["--jobs-interval", "0"]) as cluster:
        set_clocks(cluster, {"now": T0})
        shop = connect_on(make_shop(Api(cluster[0], OPERATOR_KEY)))
        for i in range(12):
            r = deliver(shop, "products/update", {"id": i})
            assert r.status_code == 200 and r.json()["outcome"] == "ignored", r.text
        db, sid = cluster[0].db, shop.shop["id"]
        assert len(remembered(cluster[0], sid)) == 12
        # Each node's clock moves past the window, and its move runs the jobs
        # there: while another session holds the job's lock, each skips it.
        with held(db, LOCK | ROW):
            ops = [Api(n, OPERATOR_KEY) for n in cluster]
            moved = [o.post("/v1/test/clock", {"advance_seconds": RETENTION_DAYS * DAY + 1})
                     for o in ops]
            for r in moved:
                assert r.status_code == 200, r.text
                assert "integration_deliveries" in r.json()["jobs"]["skipped_jobs"]
                assert r.json()["jobs"]["integration_deliveries_pruned"] == 0
            assert len(remembered(cluster[0], sid)) == 12, "paused on every node"
        answers = run_jobs(cluster)
        assert sum(a["integration_deliveries_pruned"] for a in answers) == 12
        assert remembered(cluster[0], sid) == []
