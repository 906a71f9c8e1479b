"""An acknowledged write survives kill -9, and restarts lose nothing."""
import threading
import time

import pytest

from conftest import OPERATOR_KEY, Api, make_shop, new_order


# 4 writers; and 16 on 16 server threads, so that many writes share each group
# commit (issue 9): an acknowledgement still means the write is on disk.
@pytest.mark.parametrize("writers,wanted", [(4, 200), (16, 400)])
def test_every_acknowledged_order_survives_kill_9(fresh_server, writers, wanted):
    fresh_server.env["RETAIN_THREADS"] = str(writers)
    srv = fresh_server.start()
    shop = make_shop(Api(srv, OPERATOR_KEY), "Durable")
    acked, stop = [], threading.Event()

    def writer(n):
        api = Api(srv, shop.key)
        i = 0
        while not stop.is_set():
            body = new_order(api, external_id=f"K-{n}-{i}")
            try:
                r = api.post("/v1/orders", body)
            except Exception:
                return
            if r.status_code == 201:
                acked.append(r.json()["id"])
            i += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    deadline = time.time() + 10
    while len(acked) < wanted and time.time() < deadline:
        time.sleep(0.02)
    fresh_server.kill9()
    stop.set()
    for t in threads:
        t.join()
    assert len(acked) >= 50, "the writers got too few acknowledgements to test anything"

    srv.start()
    api = Api(srv, shop.key)
    missing = [oid for oid in acked if api.get(f"/v1/orders/{oid}").status_code != 200]
    assert missing == [], f"{len(missing)} of {len(acked)} acknowledged orders lost"
    # And the store is consistent: customers' order counts match their orders.
    for oid in acked[:20]:
        o = api.get(f"/v1/orders/{oid}").json()
        c = api.get(f"/v1/customers/{o['customer']}").json()
        assert c["orders_count"] == 1
