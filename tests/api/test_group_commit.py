"""Group commit on SQLite (issue9): concurrent writes share one commit, a write
that fails inside the shared commit leaves no trace and takes nobody with it,
and a SIGTERM under writes answers them all (kill -9 with many writers per
commit: test_durability.py)."""
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from conftest import OPERATOR_KEY, Api, connect_db, error_of, make_shop, new_order

WRITERS = 32


def test_a_customer_refused_after_its_first_writes_leaves_no_trace_and_the_others_commit(fresh_server):
    # Enough server threads that many requests wait on one commit together.
    fresh_server.env["RETAIN_THREADS"] = "16"
    srv = fresh_server.start()
    shop = make_shop(Api(srv, OPERATOR_KEY), "Batch")
    owner = shop.post("/v1/customers", {"external_id": "owner", "email": "taken@example.com"})
    assert owner.status_code == 201, owner.text

    # A refused customer is refused late: its customer row is written, then
    # its e-mail turns out to belong to the owner (409 identity_taken).
    def body(i):
        if i % 2:
            return {"external_id": f"bad-{i}", "phone": f"+4930{1000000 + i}",
                    "email": "taken@example.com"}
        return {"external_id": f"ok-{i}", "email": f"ok-{i}@example.com"}

    sessions = threading.local()

    def post(i):
        if not hasattr(sessions, "api"):
            sessions.api = Api(srv, shop.key)
        return i, sessions.api.post("/v1/customers", body(i))

    rounds = 4
    with ThreadPoolExecutor(WRITERS) as pool:
        results = [r for k in range(rounds)
                   for r in pool.map(post, range(k * WRITERS, (k + 1) * WRITERS))]

    for i, r in results:
        if i % 2:
            assert r.status_code == 409, r.text
            assert error_of(r)["code"] == "identity_taken"
        else:
            assert r.status_code == 201, r.text
    for i, _ in results:
        got = shop.get(f"/v1/customers/ext:{'bad' if i % 2 else 'ok'}-{i}")
        assert got.status_code == (404 if i % 2 else 200), (i, got.text)
    # Nothing of the refused ones anywhere: not their rows, not their phones,
    # not their events.
    listed, after = [], None
    while True:
        page = shop.get("/v1/customers?limit=100" + (f"&starting_after={after}" if after else "")).json()
        listed += page["data"]
        if not page["has_more"]:
            break
        after = page["data"][-1]["id"]
    assert len(listed) == 1 + rounds * WRITERS // 2
    assert not [c for c in listed if (c.get("external_id") or "").startswith("bad-")]
    phone = shop.get("/v1/customers?phone=%2B49301000001")
    assert phone.status_code == 200 and phone.json()["data"] == []
    fresh_server.stop()
    db = connect_db(fresh_server.db)
    created = db.execute("SELECT count(*) FROM events WHERE type = 'customer.created'").fetchone()[0]
    db.close()
    assert created == 1 + rounds * WRITERS // 2


def test_sigterm_under_concurrent_writes_answers_every_write_it_took_and_exits_0(fresh_server):
    # Writes wait for their commit with their connections suspended; the
    # server may stop only once every one of them is back and answered.
    for attempt in range(3):
        srv = fresh_server.start()
        shop = make_shop(Api(srv, OPERATOR_KEY), f"Stopping {attempt}")
        results, lock = [], threading.Lock()

        def client(n):
            api = Api(srv, shop.key)
            for i in range(200):
                try:
                    code = api.post("/v1/orders", new_order(api, external_id=f"S-{n}-{i}")).status_code
                except Exception:
                    code = "refused"
                with lock:
                    results.append(code)
                if code == "refused":
                    return

        threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        time.sleep(0.2 + 0.1 * attempt)
        rc = fresh_server.stop(signal.SIGTERM)
        for t in threads:
            t.join()
        log = fresh_server.logtext()
        assert rc == 0, log
        assert log[log.rindex('"msg":"stopped"'):].startswith('"msg":"stopped","unfinished":0'), log
        assert all(code in (201, "refused") for code in results), set(results)
