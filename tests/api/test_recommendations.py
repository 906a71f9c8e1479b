"""Issue 12: GET /v1/customers/{id}/recommendations (docs/recommendations.md).
bought_together from co-purchase counts over every paid order of the shop,
kept incrementally (a payment adds an order's pairs, a full refund takes them
out, a partial refund keeps them; at most 20 SKUs, 190 pairs, per order);
matches_search from the shop's search model (a search followed within a day
by a view or purchase of a SKU, once per customer); never a SKU the customer
bought (paid, not fully refunded); ordered by score, then the source's
recency, then SKU, the reasons interleaved."""
import itertools
import random
import uuid

import pytest

from conftest import Api, error_of, make_shop
from recommend_helpers import (HOUR, T0, activity, buy, customer, recommend, refund_all, rows,
                               search, set_clock, shop_id, view)

LATER = "2031-03-02T11:00:00Z"
TWO_DAYS_LATER = "2031-03-04T11:00:00Z"


@pytest.fixture(autouse=True)
def clock(operator):
    set_clock(operator, "2031-03-06T10:00:00Z")


def items(recs):
    return [(i["sku"], i["reason"], i["because"], i["score"]) for i in recs]


def pairs(shop):
    return rows(shop.server, "SELECT sku, partner, orders FROM copurchase WHERE shop_id = ?"
                " ORDER BY sku, partner", shop_id(shop))


def test_recommendations__bought_together_comes_from_other_customers_orders(shop):
    buy(shop, customer(shop), ["TEA-1", "CUP-1"])
    buy(shop, customer(shop), ["TEA-1", "CUP-1", "POT-1"])
    buy(shop, customer(shop), ["TEA-1", "POT-1"])
    buy(shop, customer(shop), ["TEA-1", "SPOON"])
    me = customer(shop)
    buy(shop, me, ["TEA-1"])
    # CUP-1 and POT-1 both 2 orders: the tie goes by SKU.
    assert items(recommend(shop, me)) == [
        ("CUP-1", "bought_together", {"sku": "TEA-1"}, 2),
        ("POT-1", "bought_together", {"sku": "TEA-1"}, 2),
        ("SPOON", "bought_together", {"sku": "TEA-1"}, 1)]


def test_recommendations__never_what_the_customer_bought(shop):
    buy(shop, customer(shop), ["TEA-1", "CUP-1", "POT-1"])
    me = customer(shop)
    buy(shop, me, ["TEA-1"])
    buy(shop, me, ["CUP-1"], pay=False)      # not paid: not bought
    assert [i["sku"] for i in recommend(shop, me)] == ["CUP-1", "POT-1"]
    buy(shop, me, ["POT-1"])
    assert [i["sku"] for i in recommend(shop, me)] == ["CUP-1"]
    activity(shop, me, search("cup"), view("CUP-1", "2031-03-02T10:01:00Z"))
    assert recommend(shop, customer(shop)) == []
    other = customer(shop)
    activity(shop, other, search("cup"))
    assert [i["sku"] for i in recommend(shop, other)] == ["CUP-1"]


def test_recommendations__a_fully_refunded_order_is_not_a_purchase_and_leaves_the_counts(shop):
    order = buy(shop, customer(shop), ["TEA-1", "CUP-1"])
    me = customer(shop)
    mine = buy(shop, me, ["TEA-1", "POT-1"])
    assert pairs(shop) == [("CUP-1", "TEA-1", 1), ("POT-1", "TEA-1", 1),
                           ("TEA-1", "CUP-1", 1), ("TEA-1", "POT-1", 1)]
    refund_all(shop, order)
    assert pairs(shop) == [("POT-1", "TEA-1", 1), ("TEA-1", "POT-1", 1)]
    assert recommend(shop, me) == []
    refund_all(shop, mine)          # bought nothing now: no seed, nothing to exclude
    assert pairs(shop) == []
    assert rows(shop.server, "SELECT count(*) FROM copurchase_orders WHERE shop_id = ?",
                shop_id(shop)) == [(0,)]


def test_recommendations__a_partial_refund_keeps_the_orders_pairs(shop):
    order = buy(shop, customer(shop), ["TEA-1", "CUP-1"])
    r = shop.post(f"/v1/orders/{order}/refunds",
                  {"external_id": "part", "lines": [{"sku": "CUP-1", "quantity": 1}]})
    assert r.status_code in (200, 201) and r.json()["status"] == "partially_refunded", r.text
    assert pairs(shop) == [("CUP-1", "TEA-1", 1), ("TEA-1", "CUP-1", 1)]


def test_recommendations__a_redelivered_payment_webhook_counts_the_order_once(shop):
    r = shop.post("/v1/orders", {
        "external_id": "twice", "customer": {"id": customer(shop)}, "currency": "EUR",
        "lines": [{"sku": "A", "quantity": 1, "unit_price": 100},
                  {"sku": "B", "quantity": 1, "unit_price": 100}], "total": 200})
    order = r.json()["id"]
    for _ in range(3):
        r = shop.post(f"/v1/orders/{order}/payments", {"status": "paid", "external_id": "p1"})
        assert r.status_code == 200, r.text
    assert pairs(shop) == [("A", "B", 1), ("B", "A", 1)]


def test_recommendations__an_order_of_many_skus_counts_its_20_largest(shop):
    # 30 SKUs; S00 is the cheapest ... S29 the dearest: S10..S29 count.
    skus = [(f"S{i:02d}", 100 + i) for i in range(30)]
    order = buy(shop, customer(shop), skus)
    assert rows(shop.server, "SELECT skus FROM copurchase_orders WHERE shop_id = ?"
                " AND order_id = ?", shop_id(shop), order) == [(20,)]
    counted = pairs(shop)
    assert len(counted) == 20 * 19
    assert {p[0] for p in counted} == {f"S{i:02d}" for i in range(10, 30)}
    refund_all(shop, order)
    assert pairs(shop) == []


def test_recommendations__the_counts_always_equal_a_recount_of_the_paid_orders(shop):
    rng = random.Random(12)
    skus = [f"K{i}" for i in range(6)]
    people = [customer(shop) for _ in range(4)]
    orders = []
    for n in range(25):
        basket = rng.sample(skus, rng.randint(1, 4)) + rng.sample(skus, 1)  # a repeat, too
        orders.append(buy(shop, rng.choice(people), basket, pay=rng.random() < 0.8))
        if orders and rng.random() < 0.25:
            o = shop.get(f"/v1/orders/{rng.choice(orders)}").json()
            if o["status"] == "paid":
                refund_all(shop, o["id"])
    expected = {}
    for oid in orders:
        o = shop.get(f"/v1/orders/{oid}").json()
        if o["status"] not in ("paid", "partially_refunded"):
            continue
        for a, b in itertools.permutations(sorted({l["sku"] for l in o["lines"]}), 2):
            expected[(a, b)] = expected.get((a, b), 0) + 1
    assert pairs(shop) == [(a, b, n) for (a, b), n in sorted(expected.items())]


def test_recommendations__matches_search_from_searches_followed_by_a_view(shop):
    for _ in range(2):
        activity(shop, customer(shop), search("Green Tea"), view("SENCHA", LATER))
    activity(shop, customer(shop), search("green tea"), view("GYOKURO", LATER))
    # A view two days after the search teaches nothing.
    activity(shop, customer(shop), search("green tea"), view("LATE", TWO_DAYS_LATER))
    me = customer(shop)
    activity(shop, me, search("green  tea"))
    assert items(recommend(shop, me)) == [
        ("SENCHA", "matches_search", {"query": "green tea"}, 2),
        ("GYOKURO", "matches_search", {"query": "green tea"}, 1)]


def test_recommendations__a_search_then_a_purchase_within_a_day_links_them(shop):
    buyer = customer(shop)
    activity(shop, buyer, search("teapot", "2031-03-05T09:00:00Z"))
    buy(shop, buyer, ["POT-9"], placed_at="2031-03-05T12:00:00Z")
    # The search arrives after the order it led to: linked all the same.
    late = customer(shop)
    buy(shop, late, ["POT-8"], placed_at="2031-03-05T12:00:00Z")
    activity(shop, late, search("teapot", "2031-03-05T09:00:00Z"))
    me = customer(shop)
    activity(shop, me, search("teapot"))
    assert [(i["sku"], i["because"]) for i in recommend(shop, me)] == [
        ("POT-8", {"query": "teapot"}), ("POT-9", {"query": "teapot"})]


def test_recommendations__a_view_reported_before_its_search_links_the_same(shop):
    first = customer(shop)
    activity(shop, first, view("MATCHA", LATER))
    activity(shop, first, search("matcha"))
    activity(shop, first, search("matcha"))         # again: one customer counts once
    activity(shop, first, view("MATCHA", "2031-03-02T11:30:00Z"))
    me = customer(shop)
    activity(shop, me, search("matcha"))
    assert items(recommend(shop, me)) == [("MATCHA", "matches_search", {"query": "matcha"}, 1)]


def test_recommendations__the_reasons_take_turns(shop):
    for partner in ("P1", "P2", "P3"):
        buy(shop, customer(shop), ["BASE", partner])
    for sku in ("Q1", "Q2"):
        activity(shop, customer(shop), search("kettle"), view(sku, LATER))
    me = customer(shop)
    buy(shop, me, ["BASE"])
    activity(shop, me, search("kettle"))
    assert [(i["sku"], i["reason"]) for i in recommend(shop, me)] == [
        ("P1", "bought_together"), ("Q1", "matches_search"), ("P2", "bought_together"),
        ("Q2", "matches_search"), ("P3", "bought_together")]
    assert [i["sku"] for i in recommend(shop, me, limit=2)] == ["P1", "Q1"]
    r = shop.get(f"/v1/customers/{me}/recommendations?limit=2").json()
    assert r["object"] == "list" and r["has_more"] is True


def test_recommendations__a_sku_found_two_ways_is_listed_once_by_its_first_reason(shop):
    buy(shop, customer(shop), ["BASE", "BOTH"])
    activity(shop, customer(shop), search("both"), view("BOTH", LATER))
    me = customer(shop)
    buy(shop, me, ["BASE"])
    activity(shop, me, search("both"))
    assert [(i["sku"], i["reason"]) for i in recommend(shop, me)] == [("BOTH", "bought_together")]


def test_recommendations__the_most_recent_purchase_wins_a_tie_of_because(shop):
    buy(shop, customer(shop), ["OLD", "X"])
    buy(shop, customer(shop), ["NEW", "X"])
    me = customer(shop)
    buy(shop, me, ["OLD"], placed_at="2031-03-01T10:00:00Z")
    buy(shop, me, ["NEW"], placed_at="2031-03-03T10:00:00Z")
    assert items(recommend(shop, me)) == [("X", "bought_together", {"sku": "NEW"}, 2)]


@pytest.mark.parametrize("limit", ["0", "101", "ten", "-1", ""])
def test_recommendations__limit_is_1_to_100(shop, limit):
    r = shop.get(f"/v1/customers/{customer(shop)}/recommendations?limit={limit}")
    assert r.status_code == 400 and error_of(r)["param"] == "limit", r.text


def test_recommendations__another_shops_customer_is_404(operator, shop):
    other = make_shop(operator, "Other")
    r = shop.get(f"/v1/customers/{customer(other)}/recommendations")
    assert r.status_code == 404, r.text


def test_recommendations__the_storefront_reads_its_own_customers_only(shop):
    buy(shop, customer(shop), ["TEA-1", "CUP-1"])
    me, other = customer(shop), customer(shop)
    buy(shop, me, ["TEA-1"])
    store = Api(shop.server, shop.shop["publishable_key"])
    token = shop.post(f"/v1/customers/{me}/tokens").json()["token"]
    got = recommend(store, me, headers={"Customer-Token": token})
    assert [i["sku"] for i in got] == ["CUP-1"]
    r = store.get(f"/v1/customers/{other}/recommendations", headers={"Customer-Token": token})
    assert r.status_code == 403, r.text
    assert store.get(f"/v1/customers/{me}/recommendations").status_code == 401


def test_recommendations__a_merged_customers_purchases_seed_the_survivors(shop):
    buy(shop, customer(shop), ["TEA-1", "CUP-1"])
    target, source = customer(shop), customer(shop)
    buy(shop, source, ["TEA-1"])
    assert shop.post(f"/v1/customers/{target}/merge", {"source": source}).status_code == 200
    assert [i["sku"] for i in recommend(shop, target)] == ["CUP-1"]


def test_recommendations__concurrent_payments_batched_with_failing_writes_count_exactly(shop):
    """On SQLite concurrent writes share a commit, each in its own savepoint; a
    failing neighbour (a payment of the wrong amount) is rolled back alone and a
    webhook delivered twice at once is counted once (PostgreSQL's reruns:
    test_recommendations_pg_nodes.py)."""
    import threading
    who = customer(shop)
    orders = [buy(shop, who, ["A", "B", f"C{n % 3}"], pay=False) for n in range(12)]
    calls = []
    for o in orders:
        calls.append((f"/v1/orders/{o}/payments", {"status": "paid", "external_id": "x-" + o}))
        calls.append((f"/v1/orders/{o}/payments", {"status": "paid", "external_id": "x-" + o}))
        calls.append((f"/v1/orders/{o}/payments", {"status": "paid", "amount": 1,
                                                   "external_id": "bad-" + o}))
    start, answers = threading.Barrier(len(calls)), [None] * len(calls)

    def run(i):
        start.wait()
        answers[i] = shop.post(*calls[i])
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted({r.status_code for r in answers}) in ([200, 400], [200, 400, 409]), \
        [r.text for r in answers]
    expected = {}
    for o in orders:
        assert shop.get(f"/v1/orders/{o}").json()["status"] == "paid"
    for n in range(12):
        for a, b in itertools.permutations(sorted({"A", "B", f"C{n % 3}"}), 2):
            expected[(a, b)] = expected.get((a, b), 0) + 1
    assert pairs(shop) == [(a, b, n) for (a, b), n in sorted(expected.items())]
