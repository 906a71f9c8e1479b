"""Packing notes (issue 11): the programme's packing rules give the
warehouse a note per order: a hand-written card for the top tier, a thank-you
in a first order, the milestone gift in the box, the gift wrap."""
from conftest import error_of, new_order
from loyalty_helpers import paid_order, set_clock, set_program

RULES = [
    {"type": "tier", "value": "gold", "text": "hand-written card: thank you, {first_name}"},
    {"type": "first_order", "text": "welcome leaflet and a sample of our best sencha"},
    {"type": "milestone", "text": "put the milestone gift: {gift} in the box"},
    {"type": "gift_wrap", "value": "WRAP", "text": "wrap it in the red paper, no price tags"},
]


def program(shop):
    set_program(shop, pending_days=0, packing=RULES,
                tiers={"basis": "order_count", "window_days": 365, "downgrade": "recalculate",
                       "levels": [{"name": "gold", "threshold": 3}]},
                milestones=[{"type": "every", "n": 5, "gift": "a surprise tea sample"}])


def notes(shop, order_id):
    r = shop.get(f"/v1/orders/{order_id}/packing")
    assert r.status_code == 200, r.text
    return [(n["rule"]["type"], n["text"]) for n in r.json()["notes"]]


def test_packing__a_gold_customers_fifth_order_has_the_card_and_the_milestone_gift(shop, operator):
    set_clock(operator, "2031-05-01T10:00:00Z")
    program(shop)
    olga = shop.post("/v1/customers", {"email": "olga@example.com", "name": "Olga Nowak"}).json()
    first = paid_order(shop, {"id": olga["id"]})
    assert notes(shop, first["id"]) == [("first_order", RULES[1]["text"])], "packed when placed"
    orders = [first] + [paid_order(shop, {"id": olga["id"]}) for _ in range(4)]
    assert notes(shop, orders[4]["id"]) == [
        ("tier", "hand-written card: thank you, Olga"),
        ("milestone", "put the milestone gift: a surprise tea sample in the box")]


def test_packing__gift_wrap_by_its_line_and_a_friend_without_a_name(shop, operator):
    set_clock(operator, "2031-05-01T10:00:00Z")
    program(shop)
    o = shop.post("/v1/orders", new_order(shop, lines=[
        {"sku": "TEA-1", "quantity": 1, "unit_price": 1000},
        {"sku": "WRAP", "quantity": 1, "unit_price": 300}])).json()
    assert ("gift_wrap", RULES[3]["text"]) in notes(shop, o["id"])
    set_program(shop, packing=[{"type": "first_order", "text": "thank you, {first_name}"}])
    assert notes(shop, o["id"]) == [("first_order", "thank you, friend")]


def test_packing__bad_rules_are_refused(shop):
    for rule, status, param in [({"type": "colour", "text": "x"}, 400, "packing[0].type"),
                                ({"type": "tier", "value": "platinum", "text": "x"}, 400, "packing[0].value"),
                                ({"type": "first_order", "text": ""}, 400, "packing[0].text"),
                                ({"type": "interest", "value": "yoga", "text": "x"}, 422, "packing[0].type")]:
        r = shop.request("PUT", "/v1/program", {"packing": [rule]})
        assert r.status_code == status and error_of(r)["param"] == param, r.text
    assert shop.get("/v1/orders/ord_nope/packing").status_code == 404
