"""Coupons (issue 10): campaigns, codes, validation with every reason,
reservation for an order, payment making it final, cancel, refund, timeout
and the shop releasing it; stacking; limits."""
import pytest

from conftest import error_of, new_order
from loyalty_helpers import advance, set_clock

START = "2031-03-01T00:00:00Z"


def campaign(shop, **body):
    base = {"name": "Spring", "type": "generic", "starts_at": START, "code": "SPRING10",
            "discount": {"kind": "percent", "value": 10}}
    base.update(body)
    r = shop.post("/v1/campaigns", base)
    assert r.status_code == 201, r.text
    return r.json()


def cart(*lines, currency="EUR", shipping=0, channel=None):
    lines = lines or ({"sku": "TEA-1", "category": "green tea", "quantity": 2, "unit_price": 1250},)
    c = {"currency": currency, "lines": list(lines), "shipping": shipping}
    if channel:
        c["channel"] = channel
    return c


def validate(shop, code, customer=None, c=None, order=None):
    body = {"code": code, "cart": c or cart()}
    if customer:
        body["customer"] = customer
    if order:
        body["order"] = order
    r = shop.post("/v1/coupons/validate", body)
    assert r.status_code == 200, r.text
    return r.json()


def order_for(shop, customer=None, **kw):
    r = shop.post("/v1/orders", new_order(shop, customer=customer, **kw))
    assert r.status_code == 201, r.text
    return r.json()


def redeem(shop, code, o, c=None):
    body = {"code": code, "customer": o["customer"], "order": o["id"]}
    if c:
        body["cart"] = c
    return shop.post("/v1/coupons/redeem", body)


@pytest.fixture(autouse=True)
def clock(operator):
    set_clock(operator, "2031-03-10T12:00:00Z")


def test_coupon__a_percent_code_takes_its_share_of_the_cart(shop):
    campaign(shop)
    v = validate(shop, "spring10")
    assert v["valid"] is True and v["reason"] is None
    assert v["discount"]["total"] == 250 and v["discount"]["lines"][0]["amount"] == 250
    assert v["campaign"]["type"] == "generic"


def test_coupon__validation_writes_nothing(shop):
    c = campaign(shop, limits={"total_uses": 1})
    for _ in range(3):
        assert validate(shop, "SPRING10")["valid"]
    assert shop.get(f"/v1/campaigns/{c['id']}").json()["usage"]["uses"] == 0


def test_coupon__an_unknown_code_is_refused_with_its_reason(shop):
    v = validate(shop, "NOPE")
    assert v["valid"] is False and v["reason"]["code"] == "unknown_code"


def test_coupon__a_code_before_its_start_and_after_its_end(shop, operator):
    campaign(shop, starts_at="2031-04-01T00:00:00Z", ends_at="2031-05-01T00:00:00Z")
    assert validate(shop, "SPRING10")["reason"]["code"] == "not_started"
    set_clock(operator, "2031-04-15T00:00:00Z")
    assert validate(shop, "SPRING10")["valid"]
    set_clock(operator, "2031-05-01T00:00:00Z")
    assert validate(shop, "SPRING10")["reason"]["code"] == "expired"


def test_coupon__an_ended_campaign_no_longer_validates(shop):
    c = campaign(shop)
    r = shop.post(f"/v1/campaigns/{c['id']}/end")
    assert r.status_code == 200 and r.json()["status"] == "ended"
    assert validate(shop, "SPRING10")["reason"]["code"] == "expired"
    assert shop.patch(f"/v1/campaigns/{c['id']}", {"name": "x"}).status_code == 409


def test_coupon__min_cart_currency_and_channel_conditions(shop):
    campaign(shop, conditions={"min_cart": 3000, "currency": "EUR", "channels": ["web"]})
    assert validate(shop, "SPRING10", c=cart(channel="web"))["reason"]["code"] == "min_cart_not_met"
    big = {"sku": "TEA-2", "quantity": 3, "unit_price": 1250}
    assert validate(shop, "SPRING10", c=cart(big, channel="web"))["valid"]
    assert validate(shop, "SPRING10", c=cart(big, channel="phone"))["reason"]["code"] == "not_eligible"
    assert validate(shop, "SPRING10", c=cart(big, currency="USD", channel="web"))["reason"]["code"] \
        == "currency_mismatch"


def test_coupon__applies_to_only_the_named_categories(shop):
    campaign(shop, discount={"kind": "percent", "value": 50,
                             "applies_to": {"categories": ["black tea"]}})
    v = validate(shop, "SPRING10", c=cart({"sku": "A", "category": "black tea", "quantity": 1,
                                           "unit_price": 1000},
                                          {"sku": "B", "category": "green tea", "quantity": 1,
                                           "unit_price": 1000}))
    assert v["discount"]["total"] == 500 and [l["amount"] for l in v["discount"]["lines"]] == [500, 0]
    assert validate(shop, "SPRING10")["reason"]["code"] == "not_eligible"


def test_coupon__fixed_and_free_shipping_discounts(shop):
    campaign(shop, code="FIVE", discount={"kind": "fixed", "value": 500, "currency": "EUR"})
    campaign(shop, code="SHIP", discount={"kind": "free_shipping", "max_amount": 400},
             conditions={"currency": "EUR"})
    assert validate(shop, "FIVE")["discount"]["total"] == 500
    v = validate(shop, "SHIP", c=cart(shipping=590))
    assert v["discount"]["shipping"] == 400 and v["discount"]["total"] == 400


def test_coupon__a_redemption_is_reserved_then_final_when_the_order_is_paid(shop):
    c = campaign(shop)
    o = order_for(shop)
    r = redeem(shop, "SPRING10", o)
    assert r.status_code == 201, r.text
    red = r.json()
    assert red["status"] == "reserved" and red["discount"]["total"] == 250
    again = redeem(shop, "SPRING10", o)
    assert again.status_code == 200 and again.json()["id"] == red["id"], "idempotent by order"
    shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})
    assert shop.get(f"/v1/coupons/redemptions/{red['id']}").json()["status"] == "final"
    assert shop.get(f"/v1/campaigns/{c['id']}").json()["usage"]["uses"] == 1
    [shown] = shop.get(f"/v1/orders/{o['id']}").json()["coupons"]
    assert (shown["id"], shown["status"], shown["code"]) == (red["id"], "final", "SPRING10")


def test_coupon__a_single_use_code_is_redeemed_once(shop):
    c = campaign(shop, type="unique", code=None)
    codes = shop.post(f"/v1/campaigns/{c['id']}/codes", {"count": 3, "prefix": "xmas-"}).json()["codes"]
    assert len(set(codes)) == 3 and all(k.startswith("XMAS-") for k in codes)
    first, second = order_for(shop), order_for(shop)
    assert redeem(shop, codes[0], first).status_code == 201
    r = redeem(shop, codes[0], second)
    assert r.status_code == 422 and error_of(r)["code"] == "already_used"
    assert validate(shop, codes[0])["reason"]["code"] == "already_used"
    listed = shop.get(f"/v1/campaigns/{c['id']}/codes").json()["data"]
    assert {k["code"]: k["state"] for k in listed}[codes[0]] == "reserved"


def test_coupon__cancel_releases_the_code_for_someone_else(shop):
    c = campaign(shop, type="unique", code=None)
    [code] = shop.post(f"/v1/campaigns/{c['id']}/codes", {"count": 1}).json()["codes"]
    first, second = order_for(shop), order_for(shop)
    red = redeem(shop, code, first).json()
    shop.post(f"/v1/orders/{first['id']}/cancel")
    got = shop.get(f"/v1/coupons/redemptions/{red['id']}").json()
    assert got["status"] == "released" and got["release_reason"] == "cancelled"
    assert redeem(shop, code, second).status_code == 201


def test_coupon__a_full_refund_releases_the_code_unless_the_campaign_keeps_it(shop):
    campaign(shop, code="KEEP", release_on_refund=False, limits={"total_uses": 1})
    campaign(shop, code="BACK", limits={"total_uses": 1})
    for code, after in (("KEEP", "final"), ("BACK", "released")):
        o = order_for(shop)
        red = redeem(shop, code, o).json()
        shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})
        r = shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "r-" + code, "amount": o["total"]})
        assert r.status_code in (200, 201), r.text
        assert shop.get(f"/v1/coupons/redemptions/{red['id']}").json()["status"] == after


def test_coupon__a_reservation_times_out_and_the_code_is_free_again(shop, operator):
    c = campaign(shop, type="unique", code=None, reservation_minutes=15)
    [code] = shop.post(f"/v1/campaigns/{c['id']}/codes", {"count": 1}).json()["codes"]
    first, second = order_for(shop), order_for(shop)
    red = redeem(shop, code, first).json()
    assert redeem(shop, code, second).status_code == 422
    advance(operator, 16 * 60)
    assert redeem(shop, code, second).status_code == 201
    operator.post("/v1/jobs/run")
    got = shop.get(f"/v1/coupons/redemptions/{red['id']}").json()
    assert got["status"] == "released" and got["release_reason"] == "timeout"
    # Paying the first order later does not bring the used code back.
    shop.post(f"/v1/orders/{first['id']}/payments", {"status": "paid"})
    assert shop.get(f"/v1/coupons/redemptions/{red['id']}").json()["status"] == "released"


def test_coupon__the_shop_releases_a_reservation_but_not_a_final_one(shop):
    campaign(shop)
    o = order_for(shop)
    red = redeem(shop, "SPRING10", o).json()
    r = shop.post(f"/v1/coupons/redemptions/{red['id']}/release")
    assert r.status_code == 200 and r.json()["status"] == "released"
    red = redeem(shop, "SPRING10", o).json()
    shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})
    r = shop.post(f"/v1/coupons/redemptions/{red['id']}/release")
    assert r.status_code == 409 and error_of(r)["code"] == "redemption_final"


def test_coupon__per_customer_and_total_limits(shop):
    campaign(shop, limits={"per_customer": 1, "total_uses": 2})
    a1 = order_for(shop, customer={"email": "a@example.com"})
    a2 = order_for(shop, customer={"email": "a@example.com"})
    assert redeem(shop, "SPRING10", a1).status_code == 201
    r = redeem(shop, "SPRING10", a2)
    assert r.status_code == 422 and error_of(r)["code"] == "limit_reached"
    assert redeem(shop, "SPRING10", order_for(shop)).status_code == 201
    r = redeem(shop, "SPRING10", order_for(shop))
    assert r.status_code == 422 and error_of(r)["code"] == "limit_reached"


def test_coupon__a_budget_gives_exactly_the_discounts_it_pays_for(shop):
    campaign(shop, code="FIVE", discount={"kind": "fixed", "value": 500, "currency": "EUR"},
             limits={"budget": 1700})
    results = [redeem(shop, "FIVE", order_for(shop)) for _ in range(5)]
    assert [r.status_code for r in results] == [201, 201, 201, 422, 422]
    assert error_of(results[3])["code"] == "budget_exhausted"


def test_coupon__exclusive_codes_do_not_combine_and_stackable_ones_are_capped(shop):
    campaign(shop, code="EXCL")
    campaign(shop, code="ST1", discount={"kind": "fixed", "value": 1000, "currency": "EUR"},
             stacking={"mode": "stackable", "max_total_discount": 1500})
    campaign(shop, code="ST2", discount={"kind": "fixed", "value": 1000, "currency": "EUR"},
             stacking={"mode": "stackable", "max_total_discount": 1500})
    o = order_for(shop)
    assert redeem(shop, "EXCL", o).status_code == 201
    r = redeem(shop, "ST1", o)
    assert r.status_code == 422 and error_of(r)["code"] == "not_combinable"
    o = order_for(shop)
    assert redeem(shop, "ST1", o).json()["discount"]["total"] == 1000
    assert redeem(shop, "ST2", o).json()["discount"]["total"] == 500, "capped at 1500 together"
    assert redeem(shop, "EXCL", o).status_code == 422


def test_coupon__first_order_only_and_tier_targeting(shop):
    campaign(shop, code="FIRST", conditions={"first_order_only": True})
    o = order_for(shop, customer={"email": "new@example.com"})
    assert validate(shop, "FIRST", customer=o["customer"])["valid"]
    shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})
    assert validate(shop, "FIRST", customer=o["customer"])["reason"]["code"] == "not_eligible"
    campaign(shop, code="GOLD", targeting={"tiers": ["gold"]})
    assert validate(shop, "GOLD", customer=o["customer"])["reason"]["code"] == "not_eligible"


@pytest.mark.parametrize("body, param", [
    ({"type": "bogus"}, "type"),
    ({"discount": {"kind": "percent", "value": 0}}, "discount.value"),
    ({"discount": {"kind": "percent", "value": 101}}, "discount.value"),
    ({"discount": {"kind": "fixed", "value": 100}}, "discount.currency"),
    ({"ends_at": "2031-01-01T00:00:00Z"}, "ends_at"),
    ({"code": None}, "code"),
    ({"code": "bad code!"}, "code"),
    ({"limits": {"budget": 100}}, "conditions.currency"),
    ({"limits": {"total_uses": 0}}, "limits.total_uses"),
    ({"targeting": {"segment": "nobody"}}, "targeting.segment"),
    ({"stacking": "sometimes"}, "stacking.mode"),
    ({"triggers": ["late_delivery"]}, "triggers"),
    ({"surprise": 1}, "surprise"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"timezone": "../etc/passwd"}, "timezone"),
])
def test_campaign__bad_input_is_a_400_naming_the_field(shop, body, param):
    base = {"name": "Spring", "type": "generic", "starts_at": START, "code": "BAD10",
            "discount": {"kind": "percent", "value": 10}}
    base.update(body)
    r = shop.post("/v1/campaigns", base)
    assert r.status_code == 400, r.text
    assert error_of(r)["param"] == param
    assert shop.get("/v1/campaigns").json()["data"] == []


def test_campaign__a_code_is_unique_in_the_shop(shop):
    campaign(shop)
    r = shop.post("/v1/campaigns", {"name": "Again", "type": "generic", "starts_at": START,
                                    "code": "spring10", "discount": {"kind": "percent", "value": 5}})
    assert r.status_code == 409 and error_of(r)["code"] == "code_exists"


def test_campaign__imported_codes_are_single_use_and_never_in_two_campaigns(shop):
    a = campaign(shop, type="unique", code=None)
    b = campaign(shop, type="unique", code=None, name="Other")
    r = shop.post(f"/v1/campaigns/{a['id']}/codes", {"codes": ["OWN-1", "own-2"]})
    assert r.status_code == 201 and r.json()["imported"] == 2
    assert shop.post(f"/v1/campaigns/{a['id']}/codes", {"codes": ["OWN-1"]}).json()["skipped"] == 1
    r = shop.post(f"/v1/campaigns/{b['id']}/codes", {"codes": ["OWN-3", "OWN-2"]})
    assert r.status_code == 409 and error_of(r)["code"] == "code_exists"
    assert shop.get(f"/v1/coupons/codes/OWN-3").status_code == 404


def test_campaign__generated_codes_avoid_confusable_characters(shop):
    c = campaign(shop, type="unique", code=None)
    codes = shop.post(f"/v1/campaigns/{c['id']}/codes", {"count": 500}).json()["codes"]
    assert len(set(codes)) == 500
    assert all(len(k) == 12 and not set(k) & set("01OIL") for k in codes)
    r = shop.post(f"/v1/campaigns/{c['id']}/codes", {"count": 5, "length": 8})
    assert r.status_code == 400 and error_of(r)["param"] == "length"


def test_coupon__points_paying_for_an_order_count_as_one_discount(shop, operator):
    from loyalty_helpers import paid_order, set_program
    set_program(shop, pending_days=0, point_value=1)
    campaign(shop, code="EXCL")
    campaign(shop, code="ST", discount={"kind": "fixed", "value": 1000, "currency": "EUR"},
             stacking={"mode": "stackable", "max_total_discount": 1100})
    rich = shop.post("/v1/customers", {"email": "rich@example.com"}).json()
    paid_order(shop, {"id": rich["id"]}, amount=100000)
    # An exclusive code first: points can no longer pay for that order.
    o = order_for(shop, customer={"id": rich["id"]})
    assert redeem(shop, "EXCL", o).status_code == 201
    r = shop.post(f"/v1/customers/{rich['id']}/redemptions", {"points": 100, "order": o["id"]})
    assert r.status_code == 422 and error_of(r)["code"] == "not_combinable"
    # Points first: an exclusive code is refused, a stackable one is cut to the maximum.
    o = order_for(shop, customer={"id": rich["id"]})
    r = shop.post(f"/v1/customers/{rich['id']}/redemptions", {"points": 300, "order": o["id"]})
    assert r.status_code == 201, r.text
    assert error_of(redeem(shop, "EXCL", o))["code"] == "not_combinable"
    assert redeem(shop, "ST", o).json()["discount"]["total"] == 800


@pytest.mark.parametrize("typed", ["SPRING 10", "spring10!", "ŠPRING10", "x" * 65])
def test_coupon__what_a_customer_mistypes_is_an_unknown_code_not_an_error(shop, typed):
    campaign(shop)
    assert validate(shop, typed)["reason"]["code"] == "unknown_code"
    r = redeem(shop, typed, order_for(shop))
    assert r.status_code == 422 and error_of(r)["code"] == "unknown_code"
    assert validate(shop, "  spring10 ")["valid"], "blanks around a code are forgiven"


def test_coupon__small_edges_of_the_api(shop):
    c = campaign(shop, targeting={"tiers": ["gold"]}, stacking={"mode": "stackable"})
    patched = shop.patch(f"/v1/campaigns/{c['id']}", {"targeting": None, "stacking": None}).json()
    assert patched["targeting"]["all"] is True and patched["stacking"]["mode"] == "exclusive", \
        "null puts a setting back to its default"
    r = shop.post("/v1/coupons/validate", {"code": "SPRING10", "cart": cart(currency="EUROS")})
    assert r.status_code == 400 and error_of(r)["param"] == "cart.currency"
    assert validate(shop, "spring10")["code"] == "SPRING10", "the code as stored"
    assert shop.get("/v1/coupons/codes/no%20such").status_code == 404
    o = order_for(shop)
    v = shop.post("/v1/coupons/validate", {"code": "SPRING10", "order": o["id"]}).json()
    assert v["discount"]["lines"][0]["sku"] == "TEA-1", "the order's own lines, with their skus"
    r = shop.post("/v1/campaigns", {"name": "Two", "type": "personal", "starts_at": START,
                                    "discount": {"kind": "percent", "value": 5},
                                    "targeting": {"segment": ["at_risk", "hibernating"]}})
    assert r.status_code == 400 and error_of(r)["param"] == "targeting.segment"
