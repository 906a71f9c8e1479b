"""Issue 12: POST /v1/customers/{id}/activity, a customer's searches and views
(docs/recommendations.md). One event is the body itself; a batch is
{"events": [...]} of 1 to 100, and one bad event refuses the whole batch
with its index, nothing stored. An identical event is stored once. Erasure
deletes a customer's activity and what it taught the search model; a merge
moves it."""
import uuid

import pytest

from conftest import Api, error_of, make_shop
from recommend_helpers import (T0, activity, buy, customer, recommend, rows, search,
                               set_clock, shop_id, view)

SOON = "2031-03-02T10:04:00Z"       # within the 5 minutes of skew after T0
LATE = "2031-03-02T10:06:00Z"       # beyond it


@pytest.fixture(autouse=True)
def clock(operator):
    set_clock(operator)


def stored(shop, who):
    return rows(shop.server, "SELECT type, subject, at FROM activity WHERE shop_id = ?"
                " AND customer_id = ? ORDER BY at, type, subject", shop_id(shop), who)


def test_activity__a_single_search_is_recorded_and_its_query_normalised(shop):
    who = customer(shop)
    r = activity(shop, who, search("  Green\tTEA  "))
    assert r.status_code == 200, r.text
    assert r.json() == {"object": "activity", "customer": who, "received": 1, "recorded": 1}
    assert [t[:2] for t in stored(shop, who)] == [("search", "green tea")]


def test_activity__an_identical_event_is_stored_once(shop):
    who = customer(shop)
    assert activity(shop, who, view("TEA-1")).json()["recorded"] == 1
    again = activity(shop, who, view("TEA-1"), view("TEA-1", "2031-03-02T09:00:00Z"))
    assert again.json()["received"] == 2 and again.json()["recorded"] == 1
    assert activity(shop, who, search("Sencha")).json()["recorded"] == 1
    assert activity(shop, who, search("sencha ")).json()["recorded"] == 0
    assert len(stored(shop, who)) == 3


def test_activity__a_batch_is_recorded_whole(shop):
    who = customer(shop)
    r = activity(shop, who, search("oolong", "2031-03-02T08:00:00Z"), view("TEA-2"),
                 view("TEA-3", SOON))
    assert r.status_code == 200, r.text
    assert r.json()["recorded"] == 3
    assert stored(shop, who)[0] == ("search", "oolong", 1930204800000)


@pytest.mark.parametrize("bad, param, code", [
    ({"type": "click", "sku": "TEA-1", "at": T0}, "events[1].type", "parameter_invalid"),
    ({"type": "search", "at": T0}, "events[1].query", "parameter_missing"),
    ({"type": "view", "at": T0}, "events[1].sku", "parameter_missing"),
    ({"type": "search", "query": "   ", "at": T0}, "events[1].query", "parameter_invalid"),
    ({"type": "view", "sku": "TEA-1", "at": LATE}, "events[1].at", "at_in_future"),
    ({"type": "view", "sku": "TEA-1", "at": "yesterday"}, "events[1].at", "parameter_invalid"),
    ({"type": "view", "sku": "TEA-1"}, "events[1].at", "parameter_missing"),
    ({"type": "view", "sku": "TEA-1", "query": "tea", "at": T0}, "events[1].query",
     "parameter_invalid"),
    ({"type": "view", "sku": "TEA-1", "at": T0, "price": 3}, "events[1].price",
     "parameter_unknown"),
    ("view", "events[1]", "parameter_invalid"),
])
def test_activity__one_bad_event_refuses_the_batch_with_its_index_and_stores_nothing(
        shop, bad, param, code):
    who = customer(shop)
    r = activity(shop, who, view("TEA-1"), bad, search("green tea"))
    assert r.status_code == 400, r.text
    err = error_of(r)
    assert err["param"] == param and err["code"] == code, err
    assert err["message"].startswith("event 1: "), err
    assert stored(shop, who) == []


@pytest.mark.parametrize("bad, param", [
    ({"type": "click", "sku": "TEA-1", "at": T0}, "type"),
    ({"type": "search", "at": T0}, "query"),
    ({"type": "view", "at": T0}, "sku"),
    ({"type": "view", "sku": "TEA-1", "at": LATE}, "at"),
    ({"type": "search", "query": "x" * 201, "at": T0}, "query"),
    ({"type": "search", "query": "x" * 801, "at": T0}, "query"),
    ({"type": "view", "sku": "S" * 201, "at": T0}, "sku"),
    ({"type": 5, "sku": "TEA-1", "at": T0}, "type"),
])
def test_activity__a_bad_single_event_is_400_naming_its_field(shop, bad, param):
    who = customer(shop)
    r = activity(shop, who, bad)
    assert r.status_code == 400 and error_of(r)["param"] == param, r.text
    assert stored(shop, who) == []


def test_activity__a_long_query_that_normalises_short_is_accepted(shop):
    who = customer(shop)
    assert activity(shop, who, search("Green" + " " * 300 + "Tea")).json()["recorded"] == 1
    assert [t[1] for t in stored(shop, who)] == ["green tea"]


def test_activity__at_may_be_a_few_minutes_ahead_of_the_clock(shop):
    who = customer(shop)
    assert activity(shop, who, view("TEA-1", SOON)).json()["recorded"] == 1


@pytest.mark.parametrize("events", [[], [view("TEA-1")] * 101, "all"])
def test_activity__a_batch_holds_1_to_100_events(shop, events):
    who = customer(shop)
    r = shop.post(f"/v1/customers/{who}/activity", {"events": events})
    assert r.status_code == 400 and error_of(r)["param"] == "events", r.text
    ok = [view(f"TEA-{i}") for i in range(100)]
    assert shop.post(f"/v1/customers/{who}/activity", {"events": ok}).json()["recorded"] == 100


def test_activity__another_shops_customer_is_404_and_nothing_is_stored(operator, shop):
    other = make_shop(operator, "Other")
    theirs = customer(other)
    r = activity(shop, theirs, view("TEA-1"))
    assert r.status_code == 404, r.text
    assert stored(other, theirs) == []
    assert activity(shop, "cus_nobody", view("TEA-1")).status_code == 404


def test_activity__the_idempotency_key_replays_and_refuses_another_body(shop):
    who = customer(shop)
    key = {"Idempotency-Key": "act-" + uuid.uuid4().hex}
    first = activity(shop, who, view("TEA-1"), headers=key)
    again = activity(shop, who, view("TEA-1"), headers=key)
    assert again.status_code == 200 and again.json() == first.json()
    other = activity(shop, who, view("TEA-2"), headers=key)
    assert other.status_code == 400 and error_of(other)["code"] == "idempotency_key_reused"
    assert len(stored(shop, who)) == 1


def test_activity__the_storefront_posts_with_the_customers_token_only(shop):
    who, other = customer(shop), customer(shop)
    store = Api(shop.server, shop.shop["publishable_key"])
    token = shop.post(f"/v1/customers/{who}/tokens").json()["token"]
    r = activity(store, who, search("matcha"), headers={"Customer-Token": token})
    assert r.status_code == 200, r.text
    assert activity(store, who, search("matcha")).status_code == 401
    r = activity(store, other, search("matcha"), headers={"Customer-Token": token})
    assert r.status_code == 403, r.text
    assert stored(shop, other) == []


def test_activity__an_erased_customer_records_nothing(shop):
    who = customer(shop)
    assert shop.delete(f"/v1/customers/{who}").status_code == 200
    r = activity(shop, who, view("TEA-1"))
    assert r.status_code == 409 and error_of(r)["code"] == "customer_inactive", r.text
    assert stored(shop, who) == []


def test_activity__erasure_deletes_the_searches_and_their_part_of_the_search_model(shop):
    erased, other, asker = customer(shop), customer(shop), customer(shop)
    key = {"Idempotency-Key": "erase-me-" + uuid.uuid4().hex}
    activity(shop, erased, search("my secret query"), view("TEA-7", SOON), headers=key)
    activity(shop, other, search("shared query"), view("TEA-8", SOON))
    activity(shop, erased, search("shared query"), view("TEA-8", SOON))
    model = "SELECT query, sku, customers FROM search_skus WHERE shop_id = ? ORDER BY query, sku"
    # The erased customer's two searches met both views (a day's window).
    assert rows(shop.server, model, shop_id(shop)) == [
        ("my secret query", "TEA-7", 1), ("my secret query", "TEA-8", 1),
        ("shared query", "TEA-7", 1), ("shared query", "TEA-8", 2)]
    assert shop.delete(f"/v1/customers/{erased}").status_code == 200
    assert stored(shop, erased) == []
    assert rows(shop.server, "SELECT count(*) FROM search_links WHERE shop_id = ?"
                " AND customer_id = ?", shop_id(shop), erased) == [(0,)]
    assert rows(shop.server, model, shop_id(shop)) == [("shared query", "TEA-8", 1)]
    # No stored response holds the query: the activity answer never carried it.
    assert rows(shop.server, "SELECT count(*) FROM idempotency_keys WHERE shop_id = ?"
                " AND response_body LIKE ?", shop_id(shop), "%secret%") == [(0,)]
    activity(shop, asker, search("my secret query"))
    assert recommend(shop, asker) == []


def test_activity__a_merge_moves_searches_and_views_to_the_survivor(shop):
    target, source, learner = customer(shop), customer(shop), customer(shop)
    activity(shop, source, search("puerh"), view("TEA-5", SOON))
    activity(shop, target, search("puerh"), view("TEA-5", SOON))    # the same link twice
    activity(shop, target, view("TEA-5", SOON))     # an event both hold, kept once
    activity(shop, source, view("TEA-5", SOON))
    r = shop.post(f"/v1/customers/{target}/merge", {"source": source})
    assert r.status_code == 200, r.text
    assert stored(shop, source) == []
    assert [t[:2] for t in stored(shop, target)] == [("search", "puerh"), ("view", "TEA-5")]
    assert rows(shop.server, "SELECT customers FROM search_skus WHERE shop_id = ?",
                shop_id(shop)) == [(1,)]
    activity(shop, learner, search("puerh"))
    assert [(i["sku"], i["reason"]) for i in recommend(shop, learner)] == [
        ("TEA-5", "matches_search")]
    # The merged customer's recommendations come from the source's searches too.
    buy(shop, target, ["TEA-5"])
    assert recommend(shop, target) == []
