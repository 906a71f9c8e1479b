"""Issue 12, "search text matches" (docs/recommendations.md, core/product_text.h):
a customer's search brings the shop's sold products whose SKU, name or category
holds every word of the query, in any order, case-insensitively in every
script, a % or _ taken literally; reason matches_search because the query,
score the product's paid orders (a full refund takes its order out), after
what the learned search model gives, never a product the customer bought or
another shop's."""
import pytest

from conftest import make_shop, new_order
from recommend_helpers import (activity, customer, recommend, refund_all, rows, search, set_clock,
                               shop_id, view)

GYOKURO = {"sku": "GYOKURO-50", "name": "Gyokuro Asahi", "category": "green tea"}
OOLONG = {"sku": "OOLONG", "name": "Milk oolong", "category": "oolong"}
KYUSU = {"sku": "KYUSU", "name": "Kyusu teapot", "category": "teaware"}
WHISK = {"sku": "WHISK", "name": "Bamboo whisk", "category": "teaware"}
PUER = {"sku": "PUER-7", "name": "Pu'er Ёлка", "category": "Тёмный чай"}


@pytest.fixture(autouse=True)
def clock(operator):
    set_clock(operator, "2031-03-06T10:00:00Z")


def sell(shop, who, *products, pay=True, payment=None):
    """An order of who with a line per product, paid: its id."""
    lines = [dict(p, quantity=1, unit_price=1000) for p in products]
    r = shop.post("/v1/orders", new_order(shop, customer={"id": who}, lines=lines))
    assert r.status_code == 201, r.text
    order = r.json()["id"]
    if pay:
        r = shop.post(f"/v1/orders/{order}/payments",
                      {"status": "paid", "external_id": payment or "pay-" + order})
        assert r.status_code == 200, r.text
    return order


def found(shop, query, limit=None):
    """(sku, score) of what a new customer who searched query is shown, each
    matches_search because the query as stored (normalised)."""
    me = customer(shop)
    r = activity(shop, me, search(query))
    assert r.status_code == 200, r.text
    got = recommend(shop, me, limit=limit)
    normalised = " ".join(query.lower().split())
    assert all(i["reason"] == "matches_search" and i["because"] == {"query": normalised}
               for i in got), got
    return [(i["sku"], i["score"]) for i in got]


def skus(shop, query):
    return [sku for sku, _ in found(shop, query)]


def test_search_text__a_product_is_found_by_its_sku(shop):
    sell(shop, customer(shop), GYOKURO)
    sell(shop, customer(shop), OOLONG)
    assert found(shop, "gyokuro-50") == [("GYOKURO-50", 1)]
    assert skus(shop, "GYOKURO") == ["GYOKURO-50"]


def test_search_text__a_product_is_found_by_a_word_of_its_name(shop):
    sell(shop, customer(shop), OOLONG, KYUSU)
    assert skus(shop, "milk") == ["OOLONG"]
    assert skus(shop, "teapot") == ["KYUSU"]


def test_search_text__a_category_brings_its_products_the_most_bought_first(shop):
    sell(shop, customer(shop), WHISK)
    sell(shop, customer(shop), KYUSU, OOLONG)
    sell(shop, customer(shop), KYUSU)
    assert found(shop, "teaware") == [("KYUSU", 2), ("WHISK", 1)]
    assert found(shop, "green tea") == []


def test_search_text__every_word_must_be_found_in_any_order(shop):
    sell(shop, customer(shop), OOLONG, KYUSU, GYOKURO)
    assert skus(shop, "oolong milk") == ["OOLONG"]
    assert skus(shop, "tea green asahi") == ["GYOKURO-50"]
    assert skus(shop, "milk teapot") == []
    # Words may come from different fields: SKU, name and category.
    assert skus(shop, "kyusu teaware") == ["KYUSU"]


def test_search_text__case_does_not_matter_in_any_script(shop):
    sell(shop, customer(shop), PUER, OOLONG)
    assert skus(shop, "ёлка") == ["PUER-7"]
    assert skus(shop, "PU'ER ЁЛКА") == ["PUER-7"]
    assert skus(shop, "тёмный") == ["PUER-7"]
    assert skus(shop, "MILK  OOLONG") == ["OOLONG"]


def test_search_text__a_percent_or_underscore_in_the_query_is_literal(shop):
    sell(shop, customer(shop), {"sku": "TEA_1", "name": "100% Assam", "category": "black"},
         {"sku": "TEAX1", "name": "1000 Ceylon", "category": "black"},
         {"sku": "BACKSLASH", "name": "a\\b tea", "category": "black"})
    assert skus(shop, "tea_1") == ["TEA_1"]
    assert skus(shop, "100%") == ["TEA_1"]
    assert skus(shop, "a_sam") == []
    assert skus(shop, "%") == ["TEA_1"]
    assert skus(shop, "_") == ["TEA_1"]
    assert skus(shop, "a\\b") == ["BACKSLASH"]


def test_search_text__never_a_product_the_customer_bought(shop):
    sell(shop, customer(shop), KYUSU, WHISK)
    me = customer(shop)
    sell(shop, me, KYUSU)
    activity(shop, me, search("teaware"))
    assert [(i["sku"], i["reason"]) for i in recommend(shop, me)] == [("WHISK", "bought_together")]
    sell(shop, me, WHISK)
    assert recommend(shop, me) == []


def test_search_text__an_unpaid_order_makes_nothing_known(shop):
    sell(shop, customer(shop), OOLONG, pay=False)
    assert skus(shop, "oolong") == []


def test_search_text__a_fully_refunded_only_order_takes_the_product_out(shop):
    first = sell(shop, customer(shop), KYUSU, WHISK)
    second = sell(shop, customer(shop), KYUSU)
    assert found(shop, "teaware") == [("KYUSU", 2), ("WHISK", 1)]
    refund_all(shop, first)
    assert found(shop, "teaware") == [("KYUSU", 1)]
    refund_all(shop, second)
    assert found(shop, "teaware") == []
    assert rows(shop.server, "SELECT count(*) FROM product_text WHERE shop_id = ?",
                shop_id(shop)) == [(0,)]


def test_search_text__a_payment_delivered_again_counts_its_order_once(shop):
    order = sell(shop, customer(shop), KYUSU, payment="webhook-1")
    for _ in range(2):
        r = shop.post(f"/v1/orders/{order}/payments", {"status": "paid", "external_id": "webhook-1"})
        assert r.status_code == 200, r.text
    assert found(shop, "kyusu") == [("KYUSU", 1)]


def test_search_text__the_latest_name_and_category_are_searched(shop):
    sell(shop, customer(shop), {"sku": "POT-1", "name": "Clay pot", "category": "teaware"})
    sell(shop, customer(shop), {"sku": "POT-1", "name": "Tokoname kyusu"})
    assert skus(shop, "tokoname") == ["POT-1"]
    assert skus(shop, "clay") == []
    assert skus(shop, "teaware") == ["POT-1"], "a line without a category keeps the known one"


def test_search_text__another_shops_products_never_match(operator, shop):
    other = make_shop(operator, "Other tea")
    sell(other, customer(other), {"sku": "SECRET", "name": "Secret oolong", "category": "oolong"})
    sell(shop, customer(shop), OOLONG)
    assert skus(shop, "oolong") == ["OOLONG"]
    assert skus(shop, "secret") == []


def test_search_text__what_the_search_model_learnt_comes_first_then_text_matches(shop):
    sell(shop, customer(shop), KYUSU)
    sell(shop, customer(shop), KYUSU)
    sell(shop, customer(shop), WHISK, {"sku": "TRAY", "name": "Tea tray", "category": "teaware"})
    # One customer searched "teaware" and went on to view the tray.
    activity(shop, customer(shop), search("teaware"), view("TRAY", "2031-03-02T10:05:00Z"))
    # Learnt first (score: its customers), then text matches by popularity then SKU; the
    # tray, learnt and matched, is listed once, as learnt.
    assert found(shop, "teaware") == [("TRAY", 1), ("KYUSU", 2), ("WHISK", 1)]


def test_search_text__a_query_matching_many_products_gives_at_most_30(shop):
    many = [{"sku": f"CUP-{i:02d}", "name": f"Cup number {i}", "category": "cups"}
            for i in range(40)]
    sell(shop, customer(shop), *many)
    got = found(shop, "cup", limit=100)
    assert len(got) == 30
    assert [sku for sku, _ in got] == [f"CUP-{i:02d}" for i in range(30)], "equal: by SKU"
    # What the customer bought does not use up the 30.
    me = customer(shop)
    sell(shop, me, *many[:10])
    activity(shop, me, search("cup"))
    # (CUP-10 to CUP-19 come as bought_together too: the big order's 20 counted SKUs.)
    got = sorted(i["sku"] for i in recommend(shop, me, limit=100))
    assert got == [f"CUP-{i:02d}" for i in range(10, 40)]


def test_search_text__a_long_query_needs_every_word_past_the_eighth_too(shop):
    words = "one two three four five six seven eight"
    sell(shop, customer(shop), {"sku": "A", "name": words + " nine"},
         {"sku": "B", "name": words + " ten"})
    assert skus(shop, words) == ["A", "B"]
    assert skus(shop, words + " nine") == ["A"]
    assert skus(shop, words + " nine ten") == []
