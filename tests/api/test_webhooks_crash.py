"""Issue 13: kill -9 of retain in the middle of a delivery loses no event.
The receiver holds the requests it gets until retain is killed; after the
restart, once the lease of the interrupted deliveries ran out (the test clock
moves past it), every event reaches the receiver, at least once and once
more at most for what was in flight."""
import tempfile
import threading
import time
from collections import Counter

import requests

from conftest import OPERATOR_KEY, Api, Server, check_clean_exit, make_shop, new_order
from webhook_helpers import Receiver, advance, endpoint, events_of, retain_clock, run_jobs


def test_webhooks_crash__a_kill_9_mid_delivery_loses_no_event():
    with tempfile.TemporaryDirectory() as d:
        srv = Server(d, ["--webhooks-allow-private", "--jobs-interval", "0"]).start()
        operator = Api(srv, OPERATOR_KEY)
        clock = retain_clock(operator)
        receiver = Receiver(clock=lambda: time.time()).start()
        try:
            shop = make_shop(operator)
            endpoint(shop, receiver, ["order.created", "customer.created"])
            for i in range(12):
                r = shop.post("/v1/orders", new_order(shop))
                assert r.status_code == 201, r.text
            expected = [e["id"] for e in events_of(shop)
                        if e["type"] in ("order.created", "customer.created")]
            assert len(expected) == 24
            receiver.hold = threading.Event()
            def jobs_until_killed():
                try:
                    operator.post("/v1/jobs/run")
                except requests.RequestException:
                    pass             # the server died under it, as intended
            runner = threading.Thread(target=jobs_until_killed, daemon=True)
            runner.start()
            assert receiver.arrived.wait(20), "no delivery started"
            srv.kill9()
            receiver.hold.set()          # the held requests end after retain is gone
            runner.join(30)
            receiver.hold = None
            time.sleep(0.2)
            lost_in_flight = len(receiver.deliveries)

            srv.start()
            receiver.clock = clock
            run_jobs(operator)           # the interrupted ones are still leased
            advance(operator, 120)       # past the lease: sent again
            counts = Counter(receiver.ids())
            assert set(counts) == set(expected), set(expected) - set(counts)
            assert all(n <= 2 for n in counts.values())
            assert sum(counts.values()) - len(expected) <= lost_in_flight
            assert receiver.rejected == []
        finally:
            receiver.stop()
            if srv.proc and srv.proc.poll() is None:
                check_clean_exit(srv)
