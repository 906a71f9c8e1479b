"""Issue 13: webhook retries. A receiver that is down for a while gets every
event later, exactly once per webhook-id (it is idempotent: it counts ids),
in order per customer, as the test clock moves through the back-off; a
customer's later event waits while an earlier one is failing, other
customers' events do not; an endpoint failing for 3 days is disabled with a
webhook_endpoint.disabled event, and resumes when enabled again."""
from collections import Counter

import pytest

from conftest import OPERATOR_KEY, Api, make_shop, new_order
from webhook_helpers import (Receiver, advance, customer_body, endpoint, events_of,
                             retain_clock, run_jobs, webhook_server)


@pytest.fixture(scope="module")
def srv():
    with webhook_server() as s:
        yield s


@pytest.fixture
def operator(srv):
    return Api(srv, OPERATOR_KEY)


@pytest.fixture
def shop(operator):
    return make_shop(operator)


@pytest.fixture
def receiver(operator):
    r = Receiver(clock=retain_clock(operator)).start()
    yield r
    r.stop()


def customer_events(shop, customers):
    """Per customer, the ids of its events as GET /v1/events lists them (oldest first)."""
    out = {c: [] for c in customers}
    for e in events_of(shop):
        if e["data"].get("customer") in out:
            out[e["data"]["customer"]].append(e["id"])
    return out


def orders_for(shop, n_customers, per_customer):
    customers = []
    for i in range(n_customers):
        who = customer_body(i)
        first = shop.post("/v1/orders", new_order(shop, customer=who)).json()
        customers.append(first["customer"])
        for _ in range(per_customer - 1):
            r = shop.post("/v1/orders", new_order(shop, customer={"id": first["customer"]}))
            assert r.status_code == 201, r.text
    return customers


def test_webhooks_retry__a_receiver_down_for_a_while_gets_every_event_once_in_order(
        operator, shop, receiver):
    w = endpoint(shop, receiver)
    receiver.stop()
    customers = orders_for(shop, 3, 3)
    run_jobs(operator)
    for _ in range(4):                       # down through several back-off steps
        advance(operator, 600)
    attempts = shop.get(f"/v1/webhook_endpoints/{w['id']}/deliveries?limit=100").json()["data"]
    assert attempts and all(a["status_code"] is None and a["error"] for a in attempts)
    assert receiver.deliveries == []
    receiver.start()
    for _ in range(12):
        advance(operator, 3600)
    expected = customer_events(shop, customers)
    every = [i for ids in expected.values() for i in ids]
    counts = Counter(receiver.ids())
    assert set(counts) >= set(every) and all(counts[i] == 1 for i in counts), counts
    assert receiver.rejected == []
    got = receiver.ids()
    for customer, ids in expected.items():
        assert [i for i in got if i in set(ids)] == ids, customer
    assert shop.get(f"/v1/webhook_endpoints/{w['id']}").json()["status"] == "enabled"


def test_webhooks_retry__a_customers_later_event_waits_while_an_earlier_one_fails(
        operator, shop, receiver):
    w = endpoint(shop, receiver, ["order.created"])
    blocked, free = orders_for(shop, 1, 2)[0], orders_for(shop, 1, 1)[0]
    orders = events_of(shop, "order.created")
    first_of_blocked = next(e["id"] for e in orders if e["data"]["customer"] == blocked)
    receiver.status = lambda body: 500 if body["data"]["customer"] == blocked else 200
    run_jobs(operator)
    advance(operator, 3600)
    delivered = {d["body"]["data"]["customer"] for d in receiver.deliveries}
    assert delivered == {free}
    tried = shop.get(f"/v1/webhook_endpoints/{w['id']}/deliveries?limit=100").json()["data"]
    failed = {a["event"] for a in tried if not a["succeeded"]}
    assert failed == {first_of_blocked}, "the customer's second event was not even tried"
    receiver.status = 200
    advance(operator, 8 * 3600)
    mine = [d["id"] for d in receiver.deliveries if d["body"]["data"]["customer"] == blocked]
    assert len(mine) == 2 and mine[0] == first_of_blocked


def test_webhooks_retry__an_endpoint_failing_for_three_days_is_disabled_with_an_event(
        operator, shop, receiver):
    w = endpoint(shop, receiver, ["order.created"])
    receiver.status = 503
    orders_for(shop, 1, 1)
    run_jobs(operator)
    hours = 0
    while hours < 3 * 24 + 9:
        advance(operator, 9 * 3600)
        hours += 9
        if shop.get(f"/v1/webhook_endpoints/{w['id']}").json()["status"] == "disabled":
            break
    state = shop.get(f"/v1/webhook_endpoints/{w['id']}").json()
    assert hours >= 72 and state["status"] == "disabled", (hours, state)
    assert state["disabled_reason"] == "failing for 3 days"
    disabled = events_of(shop, "webhook_endpoint.disabled")
    assert [e["data"]["id"] for e in disabled] == [w["id"]]
    attempts = shop.get(f"/v1/webhook_endpoints/{w['id']}/deliveries?limit=100").json()["data"]
    assert len(attempts) >= 8 and all(a["status_code"] == 503 for a in attempts)
    gaps = sorted(attempts, key=lambda a: a["attempt"])
    assert [a["attempt"] for a in gaps] == list(range(1, len(gaps) + 1))
    # Disabled: nothing more is tried; enabled again, what waited is delivered.
    advance(operator, 24 * 3600)
    assert len(shop.get(f"/v1/webhook_endpoints/{w['id']}/deliveries?limit=100").json()["data"]) \
        == len(attempts)
    receiver.status = 200
    r = shop.patch(f"/v1/webhook_endpoints/{w['id']}", {"enabled": True})
    assert r.json()["status"] == "enabled"
    run_jobs(operator)
    assert [d["body"]["type"] for d in receiver.deliveries] == ["order.created"]
