"""Issue 12 on PostgreSQL with several nodes: the co-purchase counts and the
search model are kept incrementally inside each payment's or activity's
write, so they must stay exact when three `retain serve` nodes on one
database pay orders that share SKUs at the same moment (serialization
failures are rerun whole by the store, store.h; the rows are written in one
order, so there is no deadlock to lose). Each test compares the counts with a
recount from the orders. Needs the PostgreSQL pass (RETAIN_TEST_PG); skips,
saying so, without it."""
import itertools
import uuid

import pytest

from conftest import PG, Api, new_order
from recommend_helpers import customer, line, rows, search, view
from test_multinode_pg import at_once, nodes, set_clocks, shop_on

pytestmark = pytest.mark.skipif(not PG, reason="needs a PostgreSQL cluster (RETAIN_TEST_PG):"
                                " several nodes share one PostgreSQL database")

SKUS = ["A", "B", "C", "D"]


def recount(apis, shop, orders):
    expected = {}
    for oid in orders:
        o = apis[0].get(f"/v1/orders/{oid}").json()
        if o["status"] in ("paid", "partially_refunded"):
            for a, b in itertools.permutations(sorted({l["sku"] for l in o["lines"]}), 2):
                expected[(a, b)] = expected.get((a, b), 0) + 1
    return [(a, b, n) for (a, b), n in sorted(expected.items())]


def test_concurrent_payments_on_three_nodes_count_every_pair_once_issue12():
    with nodes() as cluster:
        shop, apis = shop_on(cluster)
        who = customer(apis[0])
        orders = []
        for n in range(18):     # every order holds A and B, and one or two more
            skus = ["A", "B"] + SKUS[2:2 + n % 3]
            body = new_order(apis[0], customer={"id": who}, lines=[line(s) for s in skus])
            r = apis[0].post("/v1/orders", body)
            assert r.status_code == 201, r.text
            orders.append(r.json()["id"])
        pay = [lambda i=i, o=o: apis[i % 3].post(f"/v1/orders/{o}/payments",
                                                 {"status": "paid", "external_id": "p-" + o})
               for i, o in enumerate(orders)]
        for r in at_once(pay):
            assert r.status_code == 200, r.text
        got = rows(cluster[0], "SELECT sku, partner, orders FROM copurchase WHERE shop_id = ?"
                   " ORDER BY sku, partner", shop.shop["id"])
        assert got == recount(apis, shop, orders)
        assert ("A", "B", 18) in got

        # The same webhook delivered to every node at once, and full refunds
        # racing new payments: still exact.
        more = []
        for n in range(6):
            r = apis[0].post("/v1/orders", new_order(apis[0], customer={"id": who},
                                                     lines=[line("A"), line("C")]))
            more.append(r.json()["id"])
        calls = [lambda i=i, o=o: apis[i].post(f"/v1/orders/{o}/payments",
                                               {"status": "paid", "external_id": "w-" + o})
                 for o in more for i in range(3)]
        calls += [lambda i=i, o=o: apis[i % 3].post(
            f"/v1/orders/{o}/refunds", {"external_id": "r-" + o, "amount": 2000})
            for i, o in enumerate(orders[:6])]
        for r in at_once(calls):
            assert r.status_code in (200, 201), r.text
        got = rows(cluster[0], "SELECT sku, partner, orders FROM copurchase WHERE shop_id = ?"
                   " ORDER BY sku, partner", shop.shop["id"])
        assert got == recount(apis, shop, orders + more)


def test_concurrent_activity_on_three_nodes_counts_each_customer_once_issue12():
    with nodes() as cluster:
        set_clocks(cluster, {"now": "2031-03-02T12:00:00Z"})
        shop, apis = shop_on(cluster)
        people = [customer(apis[0]) for _ in range(9)]
        batch = {"events": [search("green tea", "2031-03-02T10:00:00Z"),
                            view("SENCHA", "2031-03-02T10:05:00Z")]}
        # Each customer's batch sent to all three nodes at once (a storefront
        # retrying): one link per customer.
        calls = [lambda i=i, p=p: apis[i].post(f"/v1/customers/{p}/activity", batch)
                 for p in people for i in range(3)]
        for r in at_once(calls):
            assert r.status_code == 200, r.text
        assert rows(cluster[0], "SELECT query, sku, customers FROM search_skus"
                    " WHERE shop_id = ?", shop.shop["id"]) == [("green tea", "SENCHA", 9)]
        assert rows(cluster[0], "SELECT count(*) FROM activity WHERE shop_id = ?",
                    shop.shop["id"]) == [(18,)]
        me = customer(apis[0])
        apis[1].post(f"/v1/customers/{me}/activity", search("Green Tea", "2031-03-02T11:00:00Z"))
        recs = apis[2].get(f"/v1/customers/{me}/recommendations").json()["data"]
        assert [(i["sku"], i["score"]) for i in recs] == [("SENCHA", 9)]
