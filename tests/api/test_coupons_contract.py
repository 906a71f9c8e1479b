"""Issue 10, black box, from the issue's contract alone: campaigns of every type
on a moving test clock, every validation reason, stacking, each limit,
reservations (expiry, release, cancel and refund), offers (also on the
storefront) and treasure-hunt abuse. Where the issue leaves a shape open the
test takes the reading a demanding shop developer would, marked
`# assumption:` (here or in coupon_helpers.py)."""
import math
import os
import time

import pytest

from conftest import Api, error_of, make_shop, new_order
from coupon_helpers import (MINUTE, LINES, advance, campaign_body, campaign_of, cart,
                            claim_spot, code_strings, create_campaign, customer, all_events, generic,
                            line_discounts, make_codes, offer_events, offer_of, offers, order,
                            issue, paid_order, pay, reason, redeem, redeem_raw, refused, release,
                            set_clock, storefront, subtotal, unique_code, validate)
from loyalty_helpers import loyalty, set_program

T0 = "2031-03-01T10:00:00Z"


@pytest.fixture(autouse=True)
def clock(operator):
    set_clock(operator, T0)


# ---------------------------------------------------------------- campaigns


def test_campaign__is_created_read_listed_patched_and_ended(operator, shop):
    c = create_campaign(shop, name="Spring tea", code="SPRING10")
    assert c["object"] == "campaign"
    assert (c["name"], c["code"], c["discount"]["kind"], c["discount"]["value"]) == \
        ("Spring tea", "SPRING10", "percent", 10)
    got = shop.get(f"/v1/campaigns/{c['id']}")
    assert got.status_code == 200
    assert got.json()["id"] == c["id"] and got.json()["starts_at"] == "2031-01-01T00:00:00Z"
    listed = shop.get("/v1/campaigns").json()
    assert listed["object"] == "list" and [x["id"] for x in listed["data"]] == [c["id"]]
    p = shop.patch(f"/v1/campaigns/{c['id']}", {"name": "Spring teas"})
    assert p.status_code == 200, p.text
    assert p.json()["name"] == "Spring teas" and shop.get(f"/v1/campaigns/{c['id']}").json()["name"] == "Spring teas"

    olga = customer(shop)
    assert validate(shop, "SPRING10", olga["id"])["valid"]
    e = shop.post(f"/v1/campaigns/{c['id']}/end")
    assert e.status_code == 200, e.text
    # adapted (docs/coupons.md): an ended campaign is `status: ended` for good, its
    # codes `expired` (phase 1 assumed its ends_at became now).
    assert e.json()["status"] == "ended"
    advance(operator, seconds=1)
    assert reason(shop, "SPRING10", olga["id"]) == "expired"
    assert shop.post(f"/v1/campaigns/{c['id']}/end").status_code == 200        # idempotent
    assert shop.get(f"/v1/campaigns/{c['id']}").json()["status"] == "ended"


def test_campaign__another_shops_campaign_is_404_and_its_code_unknown(operator, shop):
    c, code = generic(shop)
    other = make_shop(operator, "Other tea")
    assert other.get(f"/v1/campaigns/{c['id']}").status_code == 404
    assert other.patch(f"/v1/campaigns/{c['id']}", {"name": "mine"}).status_code == 404
    assert other.post(f"/v1/campaigns/{c['id']}/end").status_code == 404
    assert other.get("/v1/campaigns").json()["data"] == []
    stranger = customer(other)
    assert reason(other, code, stranger["id"]) == "unknown_code"


@pytest.mark.parametrize("fields, param", [
    ({"type": "lottery"}, "type"),
    ({"name": ""}, "name"),
    ({"ends_at": "2030-12-01T00:00:00Z"}, "ends_at"),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ({"discount": {"kind": "percent", "value": 150}}, "discount.value"),
    ({"discount": {"kind": "percent", "value": -5}}, "discount.value"),
    ({"discount": {"kind": "coins", "value": 5}}, "discount.kind"),
    # a fixed amount means nothing without its currency
    ({"discount": {"kind": "fixed", "value": 500}}, "discount.currency"),
    ({"limits": {"total_uses": -1}}, "limits.total_uses"),
    ({"limits": {"per_customer": 0}}, "limits.per_customer"),
    ({"limits": {"budget": "plenty"}}, "limits.budget"),
    ({"conditions": {"min_cart": -100}}, "conditions.min_cart"),
    # adapted (docs/openapi.yaml StringList): a lone string is one item, so phase 1's
    # {"tiers": "gold"} is valid; a number is not.
    ({"targeting": {"tiers": 5}}, "targeting.tiers"),
])
def test_campaign__bad_input_is_400_naming_the_field_and_creates_nothing(shop, fields, param):
    r = shop.post("/v1/campaigns", campaign_body(**fields))
    assert r.status_code == 400, r.text
    assert error_of(r)["param"] == param
    assert shop.get("/v1/campaigns").json()["data"] == []


def test_campaign__two_live_campaigns_cannot_share_one_code(shop):
    generic(shop, code="TEA10")
    r = shop.post("/v1/campaigns", campaign_body(code="TEA10"))
    # assumption: a code taken in the shop is a conflict (409), not bad input.
    assert r.status_code == 409, r.text
    assert len(shop.get("/v1/campaigns").json()["data"]) == 1


def test_campaign__a_retried_create_with_one_idempotency_key_makes_one_campaign(shop):
    body = campaign_body()
    key = {"Idempotency-Key": "camp-" + body["code"]}
    first = shop.post("/v1/campaigns", body, headers=key)
    again = shop.post("/v1/campaigns", body, headers=key)
    assert first.status_code == 201 and again.status_code == 201, again.text
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["id"] == first.json()["id"]
    assert len(shop.get("/v1/campaigns").json()["data"]) == 1


def test_campaign__a_bad_patch_is_400_and_changes_nothing(shop):
    c = create_campaign(shop, name="Kept")
    r = shop.patch(f"/v1/campaigns/{c['id']}", {"discount": {"kind": "percent", "value": 500}})
    assert r.status_code == 400 and error_of(r)["param"] == "discount.value", r.text
    r = shop.patch(f"/v1/campaigns/{c['id']}", {"ends_at": "2030-01-01T00:00:00Z"})
    assert r.status_code == 400 and error_of(r)["param"] == "ends_at", r.text
    got = shop.get(f"/v1/campaigns/{c['id']}").json()
    assert got["discount"]["value"] == 10 and got["ends_at"] == "2031-12-31T23:59:59Z"


def test_campaign__the_storefront_key_cannot_make_or_read_campaigns(shop):
    pk = Api(shop.server, shop.shop["publishable_key"])
    assert pk.post("/v1/campaigns", campaign_body()).status_code in (401, 403)
    assert pk.get("/v1/campaigns").status_code in (401, 403)
    assert shop.get("/v1/campaigns").json()["data"] == []


def test_campaign__the_last_use_race_policy_is_reject_unless_the_shop_says_honour(shop):
    # adapted (docs/coupons.md "Limits and concurrency"): the policy is `limits.concurrency`
    # (phase 1 guessed a top-level `concurrency_policy`).
    assert create_campaign(shop)["limits"]["concurrency"] == "reject"
    made = create_campaign(shop, limits={"total_uses": 5, "concurrency": "honour"})
    assert made["limits"]["concurrency"] == "honour"
    r = shop.post("/v1/campaigns", campaign_body(limits={"concurrency": "sometimes"}))
    assert r.status_code == 400 and error_of(r)["param"] == "limits.concurrency", r.text


# ---------------------------------------------------------------- generic


def test_generic__one_shared_code_works_for_every_customer_only_inside_its_window(operator, shop):
    c, code = generic(shop, starts_at="2031-04-01T00:00:00Z", ends_at="2031-05-01T00:00:00Z")
    a, b = customer(shop), customer(shop)
    assert reason(shop, code, a["id"]) == "not_started"
    set_clock(operator, "2031-03-31T23:59:59Z")
    assert reason(shop, code, a["id"]) == "not_started"
    set_clock(operator, "2031-04-01T00:00:00Z")
    v = validate(shop, code, a["id"])
    assert v["valid"] and campaign_of(v) == c["id"]
    assert v["discount"]["total"] == 330 and v["discount"]["shipping"] == 0
    assert line_discounts(v) == {"SENCHA": 250, "POT": 80}
    assert validate(shop, code, b["id"])["valid"]
    set_clock(operator, "2031-04-30T23:59:59Z")
    assert validate(shop, code, b["id"])["valid"]
    set_clock(operator, "2031-05-01T00:00:01Z")
    assert reason(shop, code, a["id"]) == "expired"


def test_generic__a_window_written_in_local_time_with_its_offset_is_that_instant(operator, shop):
    # adapted: times are RFC 3339 with an offset everywhere in this API (docs/openapi.yaml),
    # so a wall-clock time without one is a 400; phase 1 assumed it was read in `timezone`.
    c, code = generic(shop, timezone="Europe/Warsaw", starts_at="2031-12-01T00:00:00+01:00",
                      ends_at="2031-12-24T23:59:59+01:00")
    assert c["timezone"] == "Europe/Warsaw" and c["starts_at"] == "2031-11-30T23:00:00Z"
    a = customer(shop)
    set_clock(operator, "2031-11-30T22:59:59Z")
    assert reason(shop, code, a["id"]) == "not_started"
    set_clock(operator, "2031-11-30T23:00:00Z")
    assert validate(shop, code, a["id"])["valid"]
    set_clock(operator, "2031-12-24T22:59:58Z")
    assert validate(shop, code, a["id"])["valid"]
    set_clock(operator, "2031-12-24T23:00:00Z")
    assert reason(shop, code, a["id"]) == "expired"


# ---------------------------------------------------------------- discounts


def test_discount__percent_applies_only_to_the_named_lines_and_never_to_shipping(shop):
    _, code = generic(shop, discount={"kind": "percent", "value": 10,
                                      "applies_to": {"categories": ["green tea"]}})
    v = validate(shop, code, customer(shop)["id"], cart(shipping=490))
    assert line_discounts(v) == {"SENCHA": 250}
    assert v["discount"]["total"] == 250 and v["discount"]["shipping"] == 0


def test_discount__excluded_skus_and_categories_get_nothing(shop):
    _, a = generic(shop, discount={"kind": "percent", "value": 20, "applies_to": {"exclude_skus": ["POT"]}})
    _, b = generic(shop, discount={"kind": "percent", "value": 20,
                                   "applies_to": {"exclude_categories": ["green tea"]}})
    who = customer(shop)["id"]
    assert line_discounts(validate(shop, a, who)) == {"SENCHA": 500}
    assert line_discounts(validate(shop, b, who)) == {"POT": 160}


def test_discount__percent_is_capped_by_max_amount(shop):
    _, code = generic(shop, discount={"kind": "percent", "value": 50, "max_amount": 700, "currency": "EUR"})
    v = validate(shop, code, customer(shop)["id"])
    assert v["discount"]["total"] == 700
    assert sum(line_discounts(v).values()) == 700


def test_discount__a_fixed_amount_never_exceeds_the_cart(shop):
    _, small = generic(shop, discount={"kind": "fixed", "value": 500, "currency": "EUR"})
    _, big = generic(shop, discount={"kind": "fixed", "value": 5000, "currency": "EUR"})
    who = customer(shop)["id"]
    v = validate(shop, small, who)
    assert v["discount"]["total"] == 500 and sum(line_discounts(v).values()) == 500
    v = validate(shop, big, who, cart(shipping=490))
    # assumption: a fixed discount covers the products, not the shipping.
    assert v["discount"]["total"] == subtotal(cart()) and v["discount"]["shipping"] == 0


def test_discount__free_shipping_takes_off_the_shipping_only(shop):
    _, code = generic(shop, discount={"kind": "free_shipping"})
    v = validate(shop, code, customer(shop)["id"], cart(shipping=490))
    # assumption: discount.total is everything taken off, shipping included.
    assert v["discount"]["shipping"] == 490 and v["discount"]["total"] == 490
    assert line_discounts(v) == {}


# ---------------------------------------------------------------- unique codes


def test_unique__codes_are_unguessable_with_a_prefix_and_a_length(shop):
    c = create_campaign(shop, type="unique")
    got = code_strings(make_codes(shop, c["id"], 500, prefix="SPR-", length=12))
    assert len(got) == 500 and len(set(got)) == 500
    alphabet = set()
    for code in got:
        assert code.startswith("SPR-") and len(code) == 4 + 12, code
        alphabet |= set(code[4:])
    assert not alphabet & set("0O1ILol"), sorted(alphabet)
    assert 12 * math.log2(len(alphabet)) >= 50, sorted(alphabet)
    # the default length alone carries at least 50 bits too
    plain = code_strings(make_codes(shop, c["id"], 200))
    alphabet = set("".join(plain))
    assert not alphabet & set("0O1ILol"), sorted(alphabet)
    assert min(len(p) for p in plain) * math.log2(len(alphabet)) >= 50, plain[:3]
    assert len(set(plain) | set(got)) == 700


def test_unique__each_code_is_used_once_and_listed_with_its_state(shop):
    c = create_campaign(shop, type="unique")
    first, second, third = code_strings(make_codes(shop, c["id"], 3))
    a, b = customer(shop), customer(shop)
    oa = order(shop, a["id"])
    redeem(shop, first, a["id"], oa["id"])
    ob = order(shop, b["id"])
    redeem(shop, second, b["id"], ob["id"])
    pay(shop, oa)
    assert reason(shop, first, b["id"]) == "already_used"
    assert reason(shop, second, a["id"]) == "already_used"      # reserved for b's order
    assert validate(shop, third, a["id"])["valid"]

    listed = shop.get(f"/v1/campaigns/{c['id']}/codes").json()
    assert listed["object"] == "list"
    state = {x["code"]: x["state"] for x in listed["data"]}
    assert set(state) == {first, second, third}
    # assumption: a reserved code's state is `reserved`; the issue names no other states,
    # so only their being three different ones is required.
    assert state[second] == "reserved"
    assert len({state[first], state[second], state[third]}) == 3


def test_unique__thousands_of_codes_are_made_per_second(shop):
    c = create_campaign(shop, type="unique")
    started = time.monotonic()
    # assumption: one request may ask for 5000 codes, and its answer carries them.
    got = code_strings(make_codes(shop, c["id"], 5000))
    took = time.monotonic() - started
    assert len(set(got)) == 5000
    assert took < (15.0 if os.environ.get("RETAIN_ASAN") else 5.0), f"5000 codes took {took:.2f} s"


def test_unique__the_shops_own_codes_are_imported_once_each(shop):
    c = create_campaign(shop, type="unique")
    # assumption: importing is the same POST with the shop's `codes` instead of a `count`.
    for _ in range(2):
        r = shop.post(f"/v1/campaigns/{c['id']}/codes", {"codes": ["OWN-AAA111", "OWN-BBB222"]})
        assert r.status_code in (200, 201), r.text
    listed = shop.get(f"/v1/campaigns/{c['id']}/codes").json()["data"]
    assert sorted(x["code"] for x in listed) == ["OWN-AAA111", "OWN-BBB222"]
    a = customer(shop)
    assert validate(shop, "OWN-AAA111", a["id"])["valid"]


@pytest.mark.parametrize("body, param", [
    ({"count": 0}, "count"),
    ({"count": -3}, "count"),
    ({"count": "ten"}, "count"),
    ({"count": 5, "length": 3}, "length"),       # 3 characters cannot carry 50 bits
    ({"count": 5, "prefix": "A" * 300}, "prefix"),
])
def test_unique__bad_code_requests_are_400_and_make_no_code(shop, body, param):
    c = create_campaign(shop, type="unique")
    r = shop.post(f"/v1/campaigns/{c['id']}/codes", body)
    assert r.status_code == 400, r.text
    assert error_of(r)["param"] == param
    assert shop.get(f"/v1/campaigns/{c['id']}/codes").json()["data"] == []


# ---------------------------------------------------------------- validation reasons


def test_reason__unknown_code(shop):
    generic(shop, code="REAL10")
    a = customer(shop)
    assert reason(shop, "NOPE10", a["id"]) == "unknown_code"
    # a mistyped code is an unknown code (docs/decisions.md), an empty one is bad input
    assert reason(shop, "REAL 10", a["id"]) == "unknown_code"
    r = shop.post("/v1/coupons/validate", {"code": "", "customer": a["id"], "cart": cart()})
    assert r.status_code == 400 and error_of(r)["param"] == "code", r.text
    # codes are case-insensitive (docs/coupons.md)
    assert reason(shop, "real10", a["id"]) is None


def test_reason__not_started_and_expired_follow_the_clock(operator, shop):
    _, code = generic(shop, starts_at="2031-03-02T00:00:00Z", ends_at="2031-03-03T00:00:00Z")
    a = customer(shop)
    assert reason(shop, code, a["id"]) == "not_started"
    advance(operator, days=1)
    assert reason(shop, code, a["id"]) is None
    advance(operator, days=1)
    assert reason(shop, code, a["id"]) == "expired"


def test_reason__already_used_after_a_single_use_code_is_paid_for(shop):
    _, code = unique_code(shop)
    a, b = customer(shop), customer(shop)
    o = order(shop, a["id"])
    redeem(shop, code, a["id"], o["id"])
    pay(shop, o)
    assert reason(shop, code, a["id"]) == "already_used"
    assert reason(shop, code, b["id"]) == "already_used"


def test_reason__limit_reached_when_total_uses_are_taken(shop):
    _, code = generic(shop, limits={"total_uses": 2})
    a, b, c = customer(shop), customer(shop), customer(shop)
    for who in (a, b):
        redeem(shop, code, who["id"], order(shop, who["id"])["id"])
    assert reason(shop, code, c["id"]) == "limit_reached"
    refused(redeem_raw(shop, code, c["id"], order(shop, c["id"])["id"]), "limit_reached")


def test_reason__limit_reached_for_a_customer_past_per_customer(shop):
    _, code = generic(shop, limits={"per_customer": 1})
    a, b = customer(shop), customer(shop)
    paid = order(shop, a["id"])
    redeem(shop, code, a["id"], paid["id"])
    pay(shop, paid)
    # adapted (docs/coupons.md "Why a code is refused"): per_customer is `limit_reached`;
    # phase 1 read the acceptance's "the same with per_customer: 1" as `already_used`.
    assert reason(shop, code, a["id"]) == "limit_reached"
    refused(redeem_raw(shop, code, a["id"], order(shop, a["id"])["id"]), "limit_reached")
    assert validate(shop, code, b["id"])["valid"]


def test_reason__budget_exhausted_when_the_next_discount_does_not_fit(shop):
    _, code = generic(shop, discount={"kind": "fixed", "value": 500, "currency": "EUR"},
                      limits={"budget": 1000})
    people = [customer(shop) for _ in range(3)]
    for who in people[:2]:
        redeem(shop, code, who["id"], order(shop, who["id"])["id"])
    assert reason(shop, code, people[2]["id"]) == "budget_exhausted"
    refused(redeem_raw(shop, code, people[2]["id"], order(shop, people[2]["id"])["id"]), "budget_exhausted")


def test_reason__min_cart_not_met_below_the_minimum(shop):
    # adapted: a minimum in minor units names its currency (400 `conditions.currency` without).
    _, code = generic(shop, conditions={"min_cart": 3000, "currency": "EUR"})
    a = customer(shop)
    assert reason(shop, code, a["id"], cart(lines=LINES[:1])) == "min_cart_not_met"     # 25.00
    assert reason(shop, code, a["id"]) is None                                         # 33.00
    # assumption: the minimum is on the products; shipping does not lift a cart over it.
    assert reason(shop, code, a["id"], cart(lines=LINES[:1], shipping=900)) == "min_cart_not_met"


def test_reason__not_eligible_outside_the_targeted_tiers(shop):
    set_program(shop, pending_days=0, tiers={"basis": "order_count", "window_days": 365, "downgrade": "recalculate",
                                             "levels": [{"name": "silver", "threshold": 1},
                                                        {"name": "gold", "threshold": 2}]})
    _, code = generic(shop, targeting={"tiers": ["gold"]})
    gold, silver = customer(shop), customer(shop)
    for _ in range(2):
        paid_order(shop, gold["id"])
    paid_order(shop, silver["id"])
    assert loyalty(shop, gold["id"])["tier"]["name"] == "gold"
    assert validate(shop, code, gold["id"])["valid"]
    assert reason(shop, code, silver["id"]) == "not_eligible"


def test_reason__not_eligible_after_the_first_order_when_first_order_only(shop):
    _, code = generic(shop, conditions={"first_order_only": True})
    new, regular = customer(shop), customer(shop)
    paid_order(shop, regular["id"])
    assert validate(shop, code, new["id"])["valid"]
    assert reason(shop, code, regular["id"]) == "not_eligible"


def test_reason__not_eligible_for_a_customer_not_targeted(shop):
    a, b = customer(shop), customer(shop)
    _, code = generic(shop, targeting={"customers": [a["id"]]})
    assert validate(shop, code, a["id"])["valid"]
    assert reason(shop, code, b["id"]) == "not_eligible"


def test_reason__not_eligible_on_another_channel(shop):
    _, code = generic(shop, conditions={"channels": ["app"]})
    a = customer(shop)
    # assumption: the cart names its channel (`cart.channel`, the orders' vocabulary).
    assert validate(shop, code, a["id"], cart(channel="app"))["valid"]
    assert reason(shop, code, a["id"], cart(channel="web")) == "not_eligible"


def test_reason__currency_mismatch_for_a_cart_in_another_currency(shop):
    _, fixed = generic(shop, discount={"kind": "fixed", "value": 500, "currency": "EUR"})
    _, pct = generic(shop, conditions={"currency": "EUR"})
    a = customer(shop)
    assert reason(shop, fixed, a["id"], cart(currency="PLN")) == "currency_mismatch"
    assert reason(shop, pct, a["id"], cart(currency="PLN")) == "currency_mismatch"
    assert validate(shop, pct, a["id"])["valid"]


def test_reason__not_combinable_with_an_exclusive_code_on_the_same_order(shop):
    _, exclusive = generic(shop)
    _, stackable = generic(shop, stacking={"mode": "stackable"})
    a = customer(shop)
    o = order(shop, a["id"])
    redeem(shop, exclusive, a["id"], o["id"])
    refused(redeem_raw(shop, stackable, a["id"], o["id"]), "not_combinable")
    o2 = order(shop, a["id"])
    redeem(shop, stackable, a["id"], o2["id"])
    refused(redeem_raw(shop, exclusive, a["id"], o2["id"]), "not_combinable")


def test_validation__writes_nothing(shop, server):
    _, code = generic(shop, limits={"total_uses": 1})
    a, b = customer(shop), customer(shop)
    before = all_events(server, shop)
    for _ in range(10):
        assert validate(shop, code, a["id"])["valid"]
        assert validate(shop, code, b["id"])["valid"]
    assert all_events(server, shop) == before
    # the one use is still there
    redeem(shop, code, b["id"], order(shop, b["id"])["id"])
    assert reason(shop, code, a["id"]) == "limit_reached"


# ---------------------------------------------------------------- stacking


def test_stacking__stackable_codes_add_up_to_the_maximum_total_discount(shop):
    stack = {"mode": "stackable", "max_total_discount": 500}
    _, a = generic(shop, discount={"kind": "fixed", "value": 300, "currency": "EUR"}, stacking=stack)
    _, b = generic(shop, discount={"kind": "fixed", "value": 300, "currency": "EUR"}, stacking=stack)
    who = customer(shop)
    o = order(shop, who["id"])
    first = redeem(shop, a, who["id"], o["id"])
    second = redeem(shop, b, who["id"], o["id"])
    # assumption: a redemption carries its discount in the shape validate answers with.
    assert first["discount"]["total"] == 300
    assert second["discount"]["total"] == 200


def test_stacking__the_points_discount_counts_as_one_discount(shop):
    set_program(shop, pending_days=0, point_value=1)
    _, exclusive = generic(shop)
    who = customer(shop)
    paid_order(shop, who["id"], cart(lines=[{"sku": "BIG", "category": "gifts", "quantity": 1, "unit_price": 20000}]))
    o = order(shop, who["id"])
    r = shop.post(f"/v1/customers/{who['id']}/redemptions", {"points": 100, "order": o["id"]})
    assert r.status_code == 201, r.text
    refused(redeem_raw(shop, exclusive, who["id"], o["id"]), "not_combinable")
    # without the points discount the code goes on
    shop.post(f"/v1/redemptions/{r.json()['id']}/cancel")
    redeem(shop, exclusive, who["id"], o["id"])


# ---------------------------------------------------------------- redeem and reservations


def test_redeem__the_same_order_again_returns_the_same_redemption(shop):
    _, code = unique_code(shop)
    a, b = customer(shop), customer(shop)
    o = order(shop, a["id"])
    v = validate(shop, code, a["id"])
    first = redeem(shop, code, a["id"], o["id"])
    # the reservation's discount is the one validation showed, line by line
    assert first["discount"] == v["discount"], (first["discount"], v["discount"])
    again = redeem(shop, code, a["id"], o["id"])
    assert again["id"] == first["id"] and again["order"] == o["id"]
    refused(redeem_raw(shop, code, b["id"], order(shop, b["id"])["id"]), "already_used")


def test_redeem__a_refused_redeem_is_422_with_the_reason_and_reserves_nothing(operator, shop):
    _, code = generic(shop, ends_at="2031-03-02T00:00:00Z", limits={"total_uses": 1},
                      conditions={"currency": "EUR"})
    a = customer(shop)
    refused(redeem_raw(shop, "NO-SUCH-CODE", a["id"], order(shop, a["id"])["id"]), "unknown_code")
    refused(redeem_raw(shop, code, a["id"], order(shop, a["id"])["id"], cart(currency="PLN")),
            "currency_mismatch")
    # nothing was reserved by the refusals: the one use is still free
    redeem(shop, code, a["id"], order(shop, a["id"])["id"])
    advance(operator, days=2)
    b = customer(shop)
    refused(redeem_raw(shop, code, b["id"], order(shop, b["id"])["id"]), "expired")


def test_redeem__paying_the_order_makes_the_redemption_final(shop):
    _, code = unique_code(shop)
    a = customer(shop)
    o = order(shop, a["id"])
    red = redeem(shop, code, a["id"], o["id"])
    pay(shop, o)
    # a paid order's code is not freed by a release: the discount was given
    r = shop.post(f"/v1/coupons/redemptions/{red['id']}/release")
    # assumption: releasing a final redemption is a conflict (409), and changes nothing.
    assert r.status_code == 409, r.text
    assert reason(shop, code, customer(shop)["id"]) == "already_used"


def test_redeem__cancelling_the_order_releases_the_code(shop):
    _, code = unique_code(shop)
    a, b = customer(shop), customer(shop)
    o = order(shop, a["id"])
    redeem(shop, code, a["id"], o["id"])
    assert reason(shop, code, b["id"]) == "already_used"
    r = shop.post(f"/v1/orders/{o['id']}/cancel", {"reason": "changed mind"})
    assert r.status_code == 200, r.text
    assert validate(shop, code, b["id"])["valid"]
    redeem(shop, code, b["id"], order(shop, b["id"])["id"])


def test_redeem__a_full_refund_releases_the_code_and_a_partial_one_does_not(shop):
    c = create_campaign(shop, type="unique")
    partial, full = code_strings(make_codes(shop, c["id"], 2))
    a, b = customer(shop), customer(shop)
    op = order(shop, a["id"])
    redeem(shop, partial, a["id"], op["id"])
    pay(shop, op)
    r = shop.post(f"/v1/orders/{op['id']}/refunds", {"external_id": "half", "lines": [{"sku": "POT", "quantity": 1}]})
    assert r.status_code == 201, r.text
    assert reason(shop, partial, b["id"]) == "already_used"

    of = order(shop, a["id"])
    redeem(shop, full, a["id"], of["id"])
    pay(shop, of)
    r = shop.post(f"/v1/orders/{of['id']}/refunds", {"external_id": "all", "amount": of["total"]})
    assert r.status_code == 201, r.text
    assert validate(shop, full, b["id"])["valid"]


def test_redeem__a_refund_keeps_the_code_used_when_the_campaign_says_so(shop):
    # assumption: "fully refunded (configurable)" is the campaign's `release_on_refund`
    # (default true).
    _, code = unique_code(shop, release_on_refund=False)
    a, b = customer(shop), customer(shop)
    o = order(shop, a["id"])
    redeem(shop, code, a["id"], o["id"])
    pay(shop, o)
    assert shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "all", "amount": o["total"]}).status_code == 201
    assert reason(shop, code, b["id"]) == "already_used"


def test_redeem__an_explicit_release_frees_the_code_once(shop):
    _, code = unique_code(shop)
    a, b = customer(shop), customer(shop)
    red = redeem(shop, code, a["id"], order(shop, a["id"])["id"])
    done = release(shop, red["id"])
    assert done["id"] == red["id"] and done["status"] == "released"
    assert release(shop, red["id"])["status"] == "released"          # idempotent
    assert validate(shop, code, b["id"])["valid"]
    assert shop.post("/v1/coupons/redemptions/cpr_nonexistent/release").status_code == 404


def test_redeem__a_reservation_times_out_after_reservation_minutes(operator, shop):
    # assumption: `reservation_minutes` is a campaign field.
    _, code = unique_code(shop, reservation_minutes=15)
    a, b = customer(shop), customer(shop)
    redeem(shop, code, a["id"], order(shop, a["id"])["id"])
    advance(operator, seconds=14 * MINUTE + 59)
    assert reason(shop, code, b["id"]) == "already_used"
    advance(operator, seconds=2)
    assert validate(shop, code, b["id"])["valid"]
    redeem(shop, code, b["id"], order(shop, b["id"])["id"])


@pytest.mark.parametrize("limits, exhausted", [({"total_uses": 2}, "limit_reached"),
                                               ({"budget": 1000}, "budget_exhausted")])
def test_redeem__released_reservations_give_their_use_or_budget_back(shop, limits, exhausted):
    _, code = generic(shop, discount={"kind": "fixed", "value": 500, "currency": "EUR"}, limits=limits)
    a, b, c = customer(shop), customer(shop), customer(shop)
    ra = redeem(shop, code, a["id"], order(shop, a["id"])["id"])
    ob = order(shop, b["id"])
    redeem(shop, code, b["id"], ob["id"])
    assert reason(shop, code, c["id"]) == exhausted
    release(shop, ra["id"])
    assert validate(shop, code, c["id"])["valid"]
    assert shop.post(f"/v1/orders/{ob['id']}/cancel").status_code == 200
    redeem(shop, code, c["id"], order(shop, c["id"])["id"])
    redeem(shop, code, a["id"], order(shop, a["id"])["id"])
    assert reason(shop, code, b["id"]) == exhausted


# ---------------------------------------------------------------- automatic offers by type


def test_welcome__a_customer_signing_up_gets_a_code_for_the_first_purchase(shop, server):
    old = customer(shop)
    # assumption: a live welcome campaign is the shop's switch: every customer created
    # while it runs gets a personal code at sign-up, listed in their offers.
    c = create_campaign(shop, type="welcome", discount={"kind": "fixed", "value": 500, "currency": "EUR"})
    before = offer_events(server, shop)
    newbie = customer(shop)
    off = offer_of(shop, newbie["id"], c["id"])
    assert off and off["code"], offers(shop, newbie["id"])
    assert offer_events(server, shop) == before + 1
    assert offer_of(shop, old["id"], c["id"]) is None
    v = validate(shop, off["code"], newbie["id"])
    assert v["valid"] and v["discount"]["total"] == 500
    assert reason(shop, off["code"], old["id"]) == "not_eligible"
    paid_order(shop, newbie["id"])                     # a first order without the code
    assert reason(shop, off["code"], newbie["id"]) == "not_eligible"


def test_next_purchase__a_code_follows_the_first_paid_order_for_thirty_days(operator, shop, server):
    # assumption: delay and validity are the campaign's `delay_days` and `validity_days`.
    c = create_campaign(shop, type="next_purchase", discount={"kind": "percent", "value": 15},
                        delay_days=0, validity_days=30)
    olga, other = customer(shop), customer(shop)
    first = order(shop, olga["id"])
    assert offer_of(shop, olga["id"], c["id"]) is None          # not before it is paid
    before = offer_events(server, shop)
    pay(shop, first)
    off = offer_of(shop, olga["id"], c["id"])
    assert off and off["expires_at"] == "2031-03-31T10:00:00Z", off
    assert offer_events(server, shop) == before + 1
    assert reason(shop, off["code"], other["id"]) == "not_eligible"
    advance(operator, days=10)
    second = order(shop, olga["id"])
    red = redeem(shop, off["code"], olga["id"], second["id"])
    assert red["discount"]["total"] == 495
    pay(shop, second)
    assert reason(shop, off["code"], olga["id"]) == "already_used"
    # the second paid order makes no second code
    assert len([o for o in offers(shop, olga["id"]) if campaign_of(o) == c["id"]]) == 1
    assert offer_events(server, shop) == before + 1


def test_next_purchase__story_1_olgas_phone_order_code_is_used_on_her_web_order(shop):
    """Story 1 finished: the exclusive next-purchase code (single use, 30 days) issued
    after Olga's first paid order, by phone as a guest, is used on her second, on the web."""
    c = create_campaign(shop, type="next_purchase", delay_days=0, validity_days=30,
                        discount={"kind": "fixed", "value": 500, "currency": "EUR"})
    first = shop.post("/v1/orders", new_order(shop, external_id="PH-1", channel="phone",
                                              customer={"phone": "+48 22 123 45 67", "name": "Olga"}))
    assert first.status_code == 201, first.text
    olga = first.json()["customer"]
    pay(shop, first.json())
    off = offer_of(shop, olga, c["id"])
    assert off and off["expires_at"] == "2031-03-31T10:00:00Z", offers(shop, olga)
    acct = shop.post(f"/v1/customers/{olga}/account", {"email": "olga@example.com"})
    assert acct.status_code in (200, 201), acct.text
    second = shop.post("/v1/orders", new_order(shop, external_id="WEB-2", channel="web",
                                               customer={"email": "Olga@Example.com"},
                                               lines=[dict(l) for l in LINES])).json()
    assert second["customer"] == olga
    red = redeem(shop, off["code"], olga, second["id"], cart(channel="web"))
    assert red["discount"]["total"] == 500
    pay(shop, second)
    assert reason(shop, off["code"], olga) == "already_used"


def test_next_purchase__the_code_waits_for_the_delay_and_expires_after_its_validity(operator, shop):
    c = create_campaign(shop, type="next_purchase", delay_days=2, validity_days=30)
    olga = customer(shop)
    paid_order(shop, olga["id"])
    # adapted (docs/coupons.md): the code is issued at once and listed `not_started` until
    # `valid_from`; phase 1 assumed it was issued only after the delay.
    off = offer_of(shop, olga["id"], c["id"])
    assert off and off["state"] == "not_started", off
    assert off["valid_from"] == "2031-03-03T10:00:00Z" and off["expires_at"] == "2031-04-02T10:00:00Z", off
    advance(operator, days=2, seconds=-1)
    assert reason(shop, off["code"], olga["id"]) == "not_started"
    advance(operator, seconds=1)
    assert validate(shop, off["code"], olga["id"])["valid"]
    assert offer_of(shop, olga["id"], c["id"])["state"] == "available"
    advance(operator, days=30, seconds=-1)
    assert validate(shop, off["code"], olga["id"])["valid"]
    advance(operator, seconds=2)
    assert reason(shop, off["code"], olga["id"]) == "expired"


def test_seasonal__top_tiers_get_early_access_days_before_everyone(operator, shop):
    set_clock(operator, "2031-11-10T09:00:00Z")
    set_program(shop, pending_days=0,
                tiers={"basis": "order_count", "window_days": 365, "downgrade": "recalculate",
                       "levels": [{"name": "silver", "threshold": 1},
                                  {"name": "gold", "threshold": 2, "early_access": True}]})
    gold, silver = customer(shop), customer(shop)
    for _ in range(2):
        paid_order(shop, gold["id"])
    paid_order(shop, silver["id"])
    # assumption: early access sits in `targeting`, next to who is targeted.
    c, code = generic(shop, type="seasonal", code="XMAS31", starts_at="2031-12-01T00:00:00Z",
                      ends_at="2031-12-24T23:59:59Z",
                      targeting={"all": True, "early_access": {"tiers": ["gold"], "days": 4}})
    set_clock(operator, "2031-11-26T23:59:59Z")
    assert reason(shop, code, gold["id"]) == "not_started"
    set_clock(operator, "2031-11-27T00:00:00Z")
    assert validate(shop, code, gold["id"])["valid"]
    assert reason(shop, code, silver["id"]) == "not_started"
    # assumption: a campaign a customer may use shows in their offers; early access shows
    # it to gold first.
    assert offer_of(shop, gold["id"], c["id"]) is not None
    assert offer_of(shop, silver["id"], c["id"]) is None
    set_clock(operator, "2031-12-01T00:00:00Z")
    assert validate(shop, code, silver["id"])["valid"]
    assert offer_of(shop, silver["id"], c["id"]) is not None
    set_clock(operator, "2031-12-25T00:00:00Z")
    assert reason(shop, code, gold["id"]) == "expired"


def test_personal__named_customers_get_a_code_with_a_personal_expiry(operator, shop, server):
    a, b = customer(shop), customer(shop)
    c = create_campaign(shop, type="personal", starts_at="2031-03-02T10:00:00Z", validity_days=7)
    # adapted (docs/coupons.md): a personal campaign's codes are issued with
    # POST /v1/campaigns/{id}/issue, valid `validity_days` from the issue; phase 1 assumed
    # `targeting.customers` issued them by itself when the campaign started.
    before = offer_events(server, shop)
    issue(shop, c["id"], customers=[a["id"]])
    issue(shop, c["id"], customers=[a["id"]])              # once per customer
    off = offer_of(shop, a["id"], c["id"])
    assert off and off["expires_at"] == "2031-03-08T10:00:00Z", off
    assert off["state"] == "not_started"
    assert reason(shop, off["code"], a["id"]) == "not_started"
    assert offer_of(shop, b["id"], c["id"]) is None
    assert offer_events(server, shop) == before + 1
    advance(operator, days=1)
    assert validate(shop, off["code"], a["id"])["valid"]
    assert offer_of(shop, a["id"], c["id"])["state"] == "available"
    assert reason(shop, off["code"], b["id"]) == "not_eligible"
    advance(operator, days=6, seconds=1)
    assert reason(shop, off["code"], a["id"]) == "expired"


def test_personal__a_win_back_offer_reaches_the_customers_of_an_rfm_segment(operator, shop):
    """A personal campaign for an RFM segment (win-back of "at risk" customers): the
    segment each customer is in is the one GET /v1/reports/rfm gives them."""
    regular, newcomer = customer(shop), customer(shop)
    for day in ("2030-01-10", "2030-02-10", "2030-03-10", "2030-04-10"):
        paid_order(shop, regular["id"], placed_at=day + "T12:00:00Z")
    paid_order(shop, newcomer["id"], placed_at="2031-02-25T12:00:00Z")
    rows = shop.get("/v1/reports/rfm?include=customers").json()["customers_detail"]
    segment = {r["customer"]: r["segment"] for r in rows}
    assert segment[regular["id"]] != segment[newcomer["id"]], segment
    c = create_campaign(shop, type="personal", validity_days=14)
    issue(shop, c["id"], segment=segment[regular["id"]])     # adapted: docs/coupons.md
    off = offer_of(shop, regular["id"], c["id"])
    assert off and off["expires_at"] == "2031-03-15T10:00:00Z", off
    assert offer_of(shop, newcomer["id"], c["id"]) is None
    assert reason(shop, off["code"], newcomer["id"]) == "not_eligible"
    assert validate(shop, off["code"], regular["id"])["valid"]


def test_apology__a_failed_payment_gives_one_code_per_cause(shop, server):
    # assumption: the failed payments the orders API records already fire offers_trigger
    # ("payment_failed", cause: the order), the one trigger reachable from outside today.
    c = create_campaign(shop, type="apology", triggers=["payment_failed"], validity_days=30)
    who = customer(shop)
    o = order(shop, who["id"])
    before = offer_events(server, shop)
    for _ in range(2):
        r = shop.post(f"/v1/orders/{o['id']}/payments", {"status": "failed", "failure_reason": "card declined"})
        assert r.status_code == 200, r.text
    mine = [x for x in offers(shop, who["id"]) if campaign_of(x) == c["id"]]
    assert len(mine) == 1, mine
    assert validate(shop, mine[0]["code"], who["id"])["valid"]
    o2 = order(shop, who["id"])
    shop.post(f"/v1/orders/{o2['id']}/payments", {"status": "failed"})
    assert len([x for x in offers(shop, who["id"]) if campaign_of(x) == c["id"]]) == 2
    assert offer_events(server, shop) == before + 2


def test_apology__points_instead_of_a_code_are_credited_once_per_cause(shop):
    set_program(shop, pending_days=0)
    # assumption: `points: N` replaces the discount and goes to the customer's points
    # at once, once per cause.
    create_campaign(shop, type="apology", triggers=["payment_failed"], points=200, discount=None)
    who = customer(shop)
    o = order(shop, who["id"])
    for _ in range(2):
        shop.post(f"/v1/orders/{o['id']}/payments", {"status": "failed"})
    assert loyalty(shop, who["id"])["points"]["available"] == 200
    assert offers(shop, who["id"]) == []


def test_apology__an_unknown_trigger_is_400(shop):
    r = shop.post("/v1/campaigns", campaign_body(type="apology", triggers=["sunspots"]))
    assert r.status_code == 400, r.text
    assert error_of(r)["param"].startswith("triggers")


def test_referral__a_friends_first_paid_order_rewards_both_sides(shop):
    set_program(shop, pending_days=0)
    # assumption: the referral campaign's discount is the friend's on their first order.
    # adapted (docs/coupons.md): the points are `referral.referrer_points` / `referee_points`.
    create_campaign(shop, type="referral", discount={"kind": "fixed", "value": 500, "currency": "EUR"},
                    referral={"referrer_points": 300, "referee_points": 100})
    anna = customer(shop, phone="+48 600 100 200")
    r = shop.get(f"/v1/customers/{anna['id']}/referral")
    assert r.status_code == 200, r.text
    code = r.json()["code"]
    assert shop.get(f"/v1/customers/{anna['id']}/referral").json()["code"] == code
    boris = customer(shop)
    v = validate(shop, code, boris["id"])
    assert v["valid"] and v["discount"]["total"] == 500
    o = order(shop, boris["id"])
    redeem(shop, code, boris["id"], o["id"])
    before = loyalty(shop, anna["id"])["points"]["available"]
    paid = pay(shop, o)
    assert loyalty(shop, anna["id"])["points"]["available"] == before + 300
    assert loyalty(shop, boris["id"])["points"]["available"] == paid["loyalty"]["points"] + 100
    # only a new customer's first order
    assert reason(shop, code, boris["id"]) == "not_eligible"


def test_referral__self_referral_is_refused_also_through_a_shared_identity(shop):
    create_campaign(shop, type="referral", discount={"kind": "fixed", "value": 500, "currency": "EUR"},
                    referral={"referrer_points": 300})
    anna = customer(shop, email="anna@example.com", phone="+48 600 100 200")
    code = shop.get(f"/v1/customers/{anna['id']}/referral").json()["code"]
    assert reason(shop, code, anna["id"]) == "not_eligible"
    # adapted: validate's `customer` is an id (400 for an object); phase 1 sent an identity
    # object. A second customer whose WhatsApp number is Anna's phone shares her identity.
    twin = customer(shop, email="anna.second@example.com", whatsapp="+48 600 100 200")
    assert twin["id"] != anna["id"]
    assert reason(shop, code, twin["id"]) == "not_eligible"
    r = redeem_raw(shop, code, twin["id"], order(shop, twin["id"])["id"])
    refused(r, "not_eligible")


# ---------------------------------------------------------------- offers


def test_offers__the_storefront_lists_a_customers_own_codes_with_validity_and_state(operator, shop):
    a, b = customer(shop), customer(shop)
    c = create_campaign(shop, type="personal", validity_days=7)
    issue(shop, c["id"], customers=[a["id"]])                # adapted: docs/coupons.md
    mine = offer_of(shop, a["id"], c["id"])
    assert mine and mine["code"] and mine["expires_at"] == "2031-03-08T10:00:00Z"
    sf = storefront(shop, a["id"])
    r = sf.get(f"/v1/customers/{a['id']}/offers", headers={"Customer-Token": sf.token})
    assert r.status_code == 200, r.text
    assert r.json()["data"] == offers(shop, a["id"])
    r = sf.get(f"/v1/customers/{b['id']}/offers", headers={"Customer-Token": sf.token})
    assert r.status_code == 403 and error_of(r)["code"] == "customer_token_mismatch"
    r = sf.get(f"/v1/customers/{a['id']}/offers")
    assert r.status_code == 401 and error_of(r)["code"] == "customer_token_required"
    other = make_shop(operator, "Other")
    r = Api(shop.server, other.shop["publishable_key"]).get(
        f"/v1/customers/{a['id']}/offers", headers={"Customer-Token": sf.token})
    assert r.status_code == 404
    assert offers(shop, b["id"]) == []

    state = mine["state"]
    o = order(shop, a["id"])
    redeem(shop, mine["code"], a["id"], o["id"])
    pay(shop, o)
    assert offer_of(shop, a["id"], c["id"])["state"] != state


# ---------------------------------------------------------------- treasure hunt


def hunt(shop, claims_limit=100, **fields):
    c = create_campaign(shop, type="treasure_hunt", **fields)
    r = shop.post(f"/v1/campaigns/{c['id']}/spots",
                  {"page": "/teas/sencha", "clue": "under the teapot", "claims_limit": claims_limit})
    assert r.status_code == 201, r.text
    spot = r.json()
    # assumption: the spot's signed token is its `token`.
    assert spot["token"]
    return c, spot


def refused_claim(r, code):
    # adapted (docs/coupons.md): every refused claim is 422 (phase 1 took any 4xx).
    assert r.status_code == 422, r.text
    assert error_of(r)["code"] == code


def test_treasure_hunt__a_claim_gives_the_customer_a_personal_code(shop, server):
    c, spot = hunt(shop)
    a, b = customer(shop), customer(shop)
    before = offer_events(server, shop)
    r = claim_spot(shop, a["id"], spot["token"])
    # assumption: a claim is 201 with the personal `code`.
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    assert offer_of(shop, a["id"], c["id"])["code"] == code
    assert offer_events(server, shop) == before + 1
    assert validate(shop, code, a["id"])["valid"]
    assert reason(shop, code, b["id"]) == "not_eligible"
    o = order(shop, a["id"])
    redeem(shop, code, a["id"], o["id"])
    pay(shop, o)
    assert reason(shop, code, a["id"]) == "already_used"


def test_treasure_hunt__a_claim_needs_the_customer_token(shop):
    _, spot = hunt(shop)
    a = customer(shop)
    pk = Api(shop.server, shop.shop["publishable_key"])
    r = pk.post("/v1/treasure/claims", {"spot_token": spot["token"]})
    assert r.status_code == 401 and error_of(r)["code"] == "customer_token_required"
    assert offers(shop, a["id"]) == []


def test_treasure_hunt__a_forged_token_is_refused_and_changes_nothing(shop, server):
    _, spot = hunt(shop)
    a = customer(shop)
    t = spot["token"]
    flipped = t[:-1] + ("A" if t[-1] != "A" else "B")
    before = offer_events(server, shop)
    customer_token = storefront(shop, a["id"]).token
    for forged in (flipped, "spt_" + "x" * 40, t[: len(t) // 2], "", customer_token):
        r = claim_spot(shop, a["id"], forged)
        # assumption: a token that is not one retain signed is `spot_token_invalid`;
        # adapted (docs/coupons.md): an empty one too (phase 1 expected 400 for "").
        refused_claim(r, "spot_token_invalid")
    assert offers(shop, a["id"]) == [] and offer_events(server, shop) == before


def test_treasure_hunt__another_shops_token_is_refused(operator, shop, server):
    _, spot = hunt(shop)
    other = make_shop(operator, "Other tea")
    hunt(other)
    stranger = customer(other)
    before = offer_events(server, other)
    refused_claim(claim_spot(other, stranger["id"], spot["token"]), "spot_token_invalid")
    assert offers(other, stranger["id"]) == [] and offer_events(server, other) == before


def test_treasure_hunt__a_second_claim_of_one_spot_is_refused(shop, server):
    c, spot = hunt(shop)
    _, spot2 = hunt(shop)
    a = customer(shop)
    assert claim_spot(shop, a["id"], spot["token"]).status_code == 201
    before = offer_events(server, shop)
    # assumption: the second claim's code is `already_claimed`.
    refused_claim(claim_spot(shop, a["id"], spot["token"]), "already_claimed")
    assert len([o for o in offers(shop, a["id"]) if campaign_of(o) == c["id"]]) == 1
    assert offer_events(server, shop) == before
    # another spot is another treasure
    assert claim_spot(shop, a["id"], spot2["token"]).status_code == 201


def test_treasure_hunt__claims_past_the_cap_are_refused(shop, server):
    _, spot = hunt(shop, claims_limit=3)
    people = [customer(shop) for _ in range(4)]
    for p in people[:3]:
        assert claim_spot(shop, p["id"], spot["token"]).status_code == 201
    before = offer_events(server, shop)
    # adapted (docs/coupons.md): the cap's code is `claims_exhausted` (phase 1 guessed the
    # limits' `limit_reached`).
    refused_claim(claim_spot(shop, people[3]["id"], spot["token"]), "claims_exhausted")
    assert offers(shop, people[3]["id"]) == [] and offer_events(server, shop) == before


def test_treasure_hunt__claims_outside_the_campaign_are_refused(operator, shop, server):
    _, spot = hunt(shop, starts_at="2031-03-02T00:00:00Z", ends_at="2031-03-03T00:00:00Z")
    a = customer(shop)
    refused_claim(claim_spot(shop, a["id"], spot["token"]), "not_started")
    advance(operator, days=3)
    before = offer_events(server, shop)
    refused_claim(claim_spot(shop, a["id"], spot["token"]), "expired")
    assert offers(shop, a["id"]) == [] and offer_events(server, shop) == before


def test_treasure_hunt__an_ended_campaigns_spots_are_refused(operator, shop, server):
    c, spot = hunt(shop)
    a = customer(shop)
    assert shop.post(f"/v1/campaigns/{c['id']}/end").status_code == 200
    advance(operator, seconds=1)
    refused_claim(claim_spot(shop, a["id"], spot["token"]), "expired")
    assert offers(shop, a["id"]) == []


@pytest.mark.parametrize("body, param", [
    ({"page": "/p", "clue": "c", "claims_limit": 0}, "claims_limit"),
    ({"page": "/p", "clue": "c", "claims_limit": "many"}, "claims_limit"),
    ({"clue": "c", "claims_limit": 5}, "page"),
])
def test_treasure_hunt__bad_spots_are_400(shop, body, param):
    c = create_campaign(shop, type="treasure_hunt")
    r = shop.post(f"/v1/campaigns/{c['id']}/spots", body)
    assert r.status_code == 400, r.text
    assert error_of(r)["param"] == param
