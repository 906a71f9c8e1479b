"""Issue 12, black box, from the issue's Contract alone: a customer's activity
(searches and views, one at a time or batched) and recommendations built from
the shop's co-purchase counts (kept on order payment) and the customer's
searches: each with its reason (`bought_together` naming the item bought,
`matches_search` naming the query), never something the customer bought,
`limit` respected, another shop's customer refused. Readings of shapes the
issue leaves open are marked `# assumption:` here and in bb12_helpers.py."""
import pytest

from conftest import error_of, make_shop
from bb12_helpers import (activity, activity_raw, bought, by_sku, customer, mentions, reason_of,
                            recommendations, recommendations_raw, search, set_clock)

T0 = "2031-06-02T08:00:00Z"
SENCHA = {"sku": "SENCHA", "name": "Sencha Asamushi", "category": "green tea"}
KYUSU = {"sku": "KYUSU", "name": "Kyusu teapot", "category": "teaware"}
WHISK = {"sku": "WHISK", "name": "Bamboo whisk", "category": "teaware"}
GAIWAN = {"sku": "GAIWAN", "name": "Porcelain gaiwan", "category": "teaware"}
OOLONG = {"sku": "OOLONG", "name": "Milk oolong", "category": "oolong"}
PUERH = {"sku": "PUERH", "name": "Shou puerh cake", "category": "puerh"}


@pytest.fixture(autouse=True)
def clock(operator):
    set_clock(operator, T0)


def shop_history(shop):
    """What the shop's other customers bought: sencha with a kyusu three times, with a
    whisk once; oolong and puerh on their own."""
    for _ in range(3):
        bought(shop, customer(shop)["id"], [SENCHA, KYUSU])
    bought(shop, customer(shop)["id"], [SENCHA, WHISK])
    for item in (OOLONG, PUERH, OOLONG):
        bought(shop, customer(shop)["id"], [item])


def reasons(items, sku):
    """The (kind, details) reasons given for sku."""
    return [reason_of(it) for it in by_sku(items).get(sku, [])]


def recommended_because(items, sku, kind, named):
    """sku is recommended with reason `kind` naming `named`."""
    return any(k == kind and mentions(d, named) for k, d in reasons(items, sku))


# ---------------------------------------------------------------- bought together


def test_recommendations__bought_together_names_the_item_the_customer_bought(shop):
    shop_history(shop)
    nino = customer(shop)["id"]
    bought(shop, nino, [SENCHA])
    items = recommendations(shop, nino)
    assert recommended_because(items, "KYUSU", "bought_together", "SENCHA"), items
    assert recommended_because(items, "WHISK", "bought_together", "SENCHA"), items
    assert "SENCHA" not in by_sku(items), "never something the customer already bought"


def test_recommendations__the_item_bought_together_most_often_comes_first(shop):
    shop_history(shop)
    nino = customer(shop)["id"]
    bought(shop, nino, [SENCHA])
    # assumption: built from co-purchase counts, the higher count ranks first.
    items = recommendations(shop, nino)
    skus = [it["sku"] for it in items]
    assert skus.index("KYUSU") < skus.index("WHISK"), skus
    assert [it["sku"] for it in recommendations(shop, nino, limit=1)] == ["KYUSU"]


def test_recommendations__an_order_counts_as_bought_together_once_it_is_paid(shop):
    shop_history(shop)
    later = bought(shop, customer(shop)["id"], [SENCHA, GAIWAN], pay=False)
    nino = customer(shop)["id"]
    bought(shop, nino, [SENCHA])
    assert not recommended_because(recommendations(shop, nino), "GAIWAN", "bought_together", "SENCHA")
    r = shop.post(f"/v1/orders/{later['id']}/payments", {"status": "paid"})
    assert r.status_code == 200, r.text
    assert recommended_because(recommendations(shop, nino), "GAIWAN", "bought_together", "SENCHA")


def test_recommendations__another_shops_co_purchases_do_not_count(operator, shop):
    other = make_shop(operator, "Other tea")
    for _ in range(3):
        bought(other, customer(other)["id"], [SENCHA, {"sku": "SECRET-BLEND", "name": "Secret blend"}])
    nino = customer(shop)["id"]
    bought(shop, nino, [SENCHA])
    assert "SECRET-BLEND" not in by_sku(recommendations(shop, nino))


# ---------------------------------------------------------------- searches


def test_recommendations__a_search_brings_items_that_match_it_with_the_query(shop):
    shop_history(shop)
    sofia = customer(shop)["id"]
    search(shop, sofia, "oolong")
    items = recommendations(shop, sofia)
    assert recommended_because(items, "OOLONG", "matches_search", "oolong"), items


def test_activity__a_batch_of_searches_and_views_is_recorded_in_one_call(shop):
    shop_history(shop)
    sofia = customer(shop)["id"]
    activity(shop, sofia, [{"type": "search", "query": "oolong", "at": "2031-06-01T10:00:00Z"},
                           {"type": "view", "sku": "KYUSU", "at": "2031-06-01T10:01:00Z"},
                           {"type": "search", "query": "puerh", "at": "2031-06-01T10:02:00Z"}])
    items = recommendations(shop, sofia)
    assert recommended_because(items, "OOLONG", "matches_search", "oolong"), items
    assert recommended_because(items, "PUERH", "matches_search", "puerh"), items


def test_recommendations__an_item_bought_after_the_search_is_no_longer_recommended(shop):
    shop_history(shop)
    sofia = customer(shop)["id"]
    search(shop, sofia, "oolong")
    assert "OOLONG" in by_sku(recommendations(shop, sofia))
    bought(shop, sofia, [OOLONG])
    assert "OOLONG" not in by_sku(recommendations(shop, sofia))


def test_recommendations__never_anything_the_customer_bought_whatever_points_to_it(shop):
    shop_history(shop)
    sofia = customer(shop)["id"]
    bought(shop, sofia, [SENCHA, KYUSU])
    bought(shop, sofia, [PUERH])
    activity(shop, sofia, [{"type": "search", "query": "sencha", "at": "2031-06-01T10:00:00Z"},
                           {"type": "search", "query": "kyusu", "at": "2031-06-01T10:01:00Z"},
                           {"type": "search", "query": "puerh", "at": "2031-06-01T10:02:00Z"},
                           {"type": "view", "sku": "SENCHA", "at": "2031-06-01T10:03:00Z"}])
    skus = set(by_sku(recommendations(shop, sofia, limit=100)))
    assert not skus & {"SENCHA", "KYUSU", "PUERH"}, skus
    assert "WHISK" in skus, "sencha was bought with a whisk once"


# ---------------------------------------------------------------- limit


def test_recommendations__the_limit_is_respected(shop):
    shop_history(shop)
    sofia = customer(shop)["id"]
    bought(shop, sofia, [SENCHA])
    activity(shop, sofia, [{"type": "search", "query": "oolong", "at": "2031-06-01T10:00:00Z"},
                           {"type": "search", "query": "puerh", "at": "2031-06-01T10:01:00Z"}])
    everything = recommendations(shop, sofia, limit=100)
    assert len(by_sku(everything)) >= 4, everything             # kyusu, whisk, oolong, puerh
    for n in (1, 2, 3):
        assert len(recommendations(shop, sofia, limit=n)) == n
    assert len(recommendations(shop, sofia)) <= 20


@pytest.mark.parametrize("limit", [0, -1, 101, "many"])
def test_recommendations__a_bad_limit_is_400(shop, limit):
    sofia = customer(shop)["id"]
    r = recommendations_raw(shop, sofia, limit)
    assert r.status_code == 400, r.text
    assert error_of(r)["param"] == "limit"


# ---------------------------------------------------------------- other shops, bad input


def test_recommendations__another_shops_customer_is_refused(operator, shop):
    shop_history(shop)
    sofia = customer(shop)["id"]
    bought(shop, sofia, [SENCHA])
    other = make_shop(operator, "Other tea")
    assert recommendations_raw(other, sofia).status_code == 404
    r = activity_raw(other, sofia, {"type": "search", "query": "oolong", "at": "2031-06-01T10:00:00Z"})
    assert r.status_code == 404, r.text
    assert recommendations_raw(shop, "cus_nope").status_code == 404
    assert "OOLONG" not in by_sku(recommendations(shop, sofia)), "the refused search left nothing"


@pytest.mark.parametrize("event, param", [
    ({"type": "purchase", "sku": "SENCHA", "at": "2031-06-01T10:00:00Z"}, "type"),
    ({"query": "oolong", "at": "2031-06-01T10:00:00Z"}, "type"),
    ({"type": "search", "at": "2031-06-01T10:00:00Z"}, "query"),
    ({"type": "search", "query": "", "at": "2031-06-01T10:00:00Z"}, "query"),
    ({"type": "view", "at": "2031-06-01T10:00:00Z"}, "sku"),
    ({"type": "search", "query": "oolong", "at": "yesterday"}, "at"),
    ({"type": "search", "query": "oolong", "at": "2031-02-30T10:00:00Z"}, "at"),
])
def test_activity__bad_input_is_400_and_a_bad_batch_records_nothing(shop, event, param):
    shop_history(shop)
    sofia = customer(shop)["id"]
    r = activity_raw(shop, sofia, event)
    assert r.status_code == 400, r.text
    assert param in (error_of(r)["param"] or ""), error_of(r)
    good = {"type": "search", "query": "puerh", "at": "2031-06-01T09:00:00Z"}
    r = activity_raw(shop, sofia, [good, event])
    assert r.status_code == 400, r.text
    assert param in (error_of(r)["param"] or ""), error_of(r)
    assert not recommended_because(recommendations(shop, sofia), "PUERH", "matches_search", "puerh"), \
        "the good half of a refused batch was recorded"
