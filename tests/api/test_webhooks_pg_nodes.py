"""Issue 13: three `retain serve` nodes on one PostgreSQL database deliver
each webhook once. Events are written through every node; then every node
runs its jobs at the same moment, several times over; the idempotent
receiver sees each webhook-id exactly once (the webhooks job's advisory lock
hands out the leases one node at a time, core/webhook.h). Needs the
PostgreSQL pass of `make test` (RETAIN_TEST_PG) and skips, saying so,
without it."""
import contextlib
import tempfile
import threading
from collections import Counter

import pytest

from conftest import OPERATOR_KEY, PG, Api, Server, check_clean_exit, make_shop, new_order
from webhook_helpers import Receiver, endpoint, events_of, retain_clock

pytestmark = pytest.mark.skipif(not PG, reason="needs a PostgreSQL cluster (RETAIN_TEST_PG):"
                                " several nodes share one PostgreSQL database")


@contextlib.contextmanager
def nodes(count=3):
    args = ["--webhooks-allow-private", "--jobs-interval", "0"]
    with contextlib.ExitStack() as stack:
        dirs = [stack.enter_context(tempfile.TemporaryDirectory()) for _ in range(count)]
        started = [Server(dirs[0], args).start()]
        try:
            for d in dirs[1:]:
                n = Server(d, args)
                n.db = started[0].db
                started.append(n.start())
            yield started
        finally:
            for n in started:
                if n.proc.poll() is None:
                    check_clean_exit(n)


def at_once(calls):
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


def test_webhooks_pg_nodes__three_nodes_deliver_each_event_once():
    with nodes() as cluster:
        operators = [Api(n, OPERATOR_KEY) for n in cluster]
        receiver = Receiver(clock=retain_clock(operators[0])).start()
        try:
            shop = make_shop(operators[0])
            clients = [Api(n, shop.key) for n in cluster]
            endpoint(shop, receiver, ["order.created", "customer.created"])
            for i in range(30):
                r = clients[i % 3].post("/v1/orders", new_order(shop))
                assert r.status_code == 201, r.text
            expected = {e["id"] for e in events_of(shop)
                        if e["type"] in ("order.created", "customer.created")}
            assert len(expected) == 60
            for _ in range(4):
                answers = at_once([lambda o=o: o.post("/v1/jobs/run") for o in operators])
                assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
            counts = Counter(receiver.ids())
            assert set(counts) == expected
            assert max(counts.values()) == 1, [i for i, n in counts.items() if n > 1]
            assert receiver.rejected == []
        finally:
            receiver.stop()
