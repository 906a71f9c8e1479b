"""Idempotency-Key with Stripe semantics, and natural keys under concurrency."""
import concurrent.futures
import threading

from conftest import error_of, new_order


def test_same_key_same_body_replays_the_stored_response(shop):
    body = new_order(shop)
    h = {"Idempotency-Key": "k-1"}
    first = shop.post("/v1/orders", body, headers=h)
    assert first.status_code == 201
    again = shop.post("/v1/orders", body, headers=h)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.headers["Request-Id"] != first.headers["Request-Id"]


def test_same_key_with_another_body_is_400_and_changes_nothing(shop):
    h = {"Idempotency-Key": "k-2"}
    shop.post("/v1/customers", {"name": "A"}, headers=h)
    r = shop.post("/v1/customers", {"name": "B"}, headers=h)
    assert r.status_code == 400 and error_of(r)["code"] == "idempotency_key_reused"
    names = [c["name"] for c in shop.get("/v1/customers").json()["data"]]
    assert names == ["A"]


def test_keys_are_scoped_to_a_shop(operator, shop):
    from conftest import make_shop
    other = make_shop(operator, "Other")
    h = {"Idempotency-Key": "shared-key"}
    a = shop.post("/v1/customers", {"name": "A"}, headers=h).json()
    b = other.post("/v1/customers", {"name": "B"}, headers=h).json()
    assert a["id"] != b["id"] and b["name"] == "B"


def test_a_failed_request_does_not_burn_its_key(shop):
    h = {"Idempotency-Key": "k-3"}
    assert shop.post("/v1/customers", {"email": "broken"}, headers=h).status_code == 400
    assert shop.post("/v1/customers", {"email": "fixed@example.com"}, headers=h).status_code == 201


def test_an_invalid_key_is_400(shop):
    r = shop.post("/v1/customers", {}, headers={"Idempotency-Key": "x" * 300})
    assert r.status_code == 400 and error_of(r)["param"] == "Idempotency-Key"


def test_32_concurrent_identical_requests_make_exactly_one_order(shop):
    body = new_order(shop, external_id="RACE-1")
    barrier = threading.Barrier(32)

    def send(_):
        from conftest import Api
        api = Api(shop.server, shop.key)
        barrier.wait()
        return api.post("/v1/orders", body, headers={"Idempotency-Key": "race"})

    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        results = list(pool.map(send, range(32)))
    codes = sorted(r.status_code for r in results)
    assert set(codes) <= {200, 201, 409}, codes
    ok = [r for r in results if r.status_code in (200, 201)]
    assert ok and len({r.json()["id"] for r in ok}) == 1
    assert codes.count(201) >= 1
    for r in results:
        if r.status_code == 409:
            assert error_of(r)["code"] == "idempotency_request_in_progress"
    orders = shop.get("/v1/orders").json()["data"]
    assert len(orders) == 1
    assert shop.get(f"/v1/customers/{orders[0]['customer']}").json()["orders_count"] == 1


def test_32_concurrent_identical_orders_without_a_key_make_one_order(shop):
    body = new_order(shop, external_id="RACE-2")
    barrier = threading.Barrier(32)

    def send(_):
        from conftest import Api
        api = Api(shop.server, shop.key)
        barrier.wait()
        return api.post("/v1/orders", body)

    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        results = list(pool.map(send, range(32)))
    assert sorted(r.status_code for r in results) == [200] * 31 + [201]
    assert len({r.json()["id"] for r in results}) == 1
    assert len(shop.get("/v1/orders").json()["data"]) == 1
