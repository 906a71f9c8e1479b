"""Issue 10 bench: the answer of POST /v1/coupons/validate is written into a
buffer (src/api/coupons.c), not built and dumped with jansson. These read it
field by field, in its documented order, as compact JSON (what jansson's dump
gave): valid and refused, with and without a campaign, a gift, names and SKUs
holding quotes, backslashes, tabs, slashes and non-ASCII text."""
import json

import pytest

from conftest import Api, make_shop, new_order
from loyalty_helpers import set_clock

START = "2031-03-01T00:00:00Z"
NAME = 'Tea "Spring" \\ sale\t/ été ☃'
SKU = 'SÉN"CHA\\/1'


@pytest.fixture(autouse=True)
def clock(operator):
    set_clock(operator, "2031-03-10T12:00:00Z")


def campaign(shop, code, **body):
    base = {"name": NAME, "type": "generic", "starts_at": START, "code": code,
            "discount": {"kind": "percent", "value": 10}}
    base.update(body)
    r = shop.post("/v1/campaigns", base)
    assert r.status_code == 201, r.text
    return r.json()


def answer(shop, body):
    """The answer's bytes, checked compact and in order, and its object."""
    r = shop.post("/v1/coupons/validate", body)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/json"
    v = json.loads(r.content)
    # Compact, with the keys in the order sent: re-encoding gives the same bytes.
    assert r.content == json.dumps(v, separators=(",", ":"), ensure_ascii=False).encode()
    assert list(v) == ["object", "valid", "code", "discount", "currency", "campaign", "reason"]
    assert list(v["discount"]) == ["total", "shipping", "lines"]
    assert v["object"] == "coupon_validation"
    return v


LINES = [{"sku": SKU, "category": "green tea", "quantity": 2, "unit_price": 1250},
         {"sku": "POT", "category": "teaware", "quantity": 1, "unit_price": 800}]


def test_validate_answer__a_valid_code_lists_each_line_and_the_campaign(shop):
    c = campaign(shop, "ANSWER10")
    v = answer(shop, {"code": "answer10", "cart": {"currency": "EUR", "lines": LINES,
                                                    "shipping": 490}})
    assert v["valid"] is True and v["code"] == "ANSWER10" and v["currency"] == "EUR"
    assert v["discount"] == {"total": 330, "shipping": 0, "lines": [
        {"position": 0, "sku": SKU, "amount": 250}, {"position": 1, "sku": "POT", "amount": 80}]}
    assert [list(x) for x in v["discount"]["lines"]] == [["position", "sku", "amount"]] * 2
    assert v["campaign"] == {"id": c["id"], "name": NAME, "type": "generic", "gift": None}
    assert list(v["campaign"]) == ["id", "name", "type", "gift"]
    assert v["reason"] is None


def test_validate_answer__free_shipping_and_a_gift_show_as_such(shop):
    campaign(shop, "SHIPFREE", discount={"kind": "free_shipping"})
    v = answer(shop, {"code": "SHIPFREE", "cart": {"currency": "EUR", "lines": LINES,
                                                    "shipping": 490}})
    assert v["valid"] is True
    assert v["discount"]["total"] == 490 and v["discount"]["shipping"] == 490
    c = campaign(shop, "MUG", discount={"kind": "gift", "value": 0, "gift": 'a "mug" ☕'})
    v = answer(shop, {"code": "MUG", "cart": {"currency": "EUR", "lines": LINES}})
    assert v["valid"] is True
    assert v["campaign"] == {"id": c["id"], "name": NAME, "type": "generic", "gift": 'a "mug" ☕'}


def test_validate_answer__an_unknown_code_has_no_campaign_and_a_reason(shop):
    code = 'NO"PE\\é'
    v = answer(shop, {"code": code, "cart": {"currency": "USD", "lines": LINES}})
    assert v["valid"] is False
    assert v["discount"] == {"total": 0, "shipping": 0, "lines": []}
    assert v["campaign"] is None and v["currency"] == "USD"
    assert list(v["reason"]) == ["code", "message"]
    assert v["reason"]["code"] == "unknown_code" and v["reason"]["message"]
    assert isinstance(v["code"], str) and v["code"]


def test_validate_answer__a_refusal_names_the_campaign_and_why(shop):
    c = campaign(shop, "BIGCART", conditions={"min_cart": 100000, "currency": "EUR"})
    v = answer(shop, {"code": "BIGCART", "cart": {"currency": "EUR", "lines": LINES}})
    assert v["valid"] is False and v["code"] == "BIGCART"
    assert v["discount"] == {"total": 0, "shipping": 0, "lines": []}
    assert v["campaign"]["id"] == c["id"] and v["campaign"]["name"] == NAME
    assert v["reason"]["code"] == "min_cart_not_met"


def test_validate_answer__an_order_without_a_cart_uses_the_orders_lines(shop):
    campaign(shop, "ORDER10")
    lines = [{"sku": SKU, "name": "Sencha", "quantity": 1, "unit_price": 1000}]
    o = shop.post("/v1/orders", new_order(shop, lines=lines))
    assert o.status_code == 201, o.text
    o = o.json()
    v = answer(shop, {"code": "ORDER10", "customer": o["customer"], "order": o["id"]})
    assert v["valid"] is True and v["discount"]["lines"] == [
        {"position": 0, "sku": SKU, "amount": 100}]


def test_validate_answer__a_publishable_key_may_not_validate(server, operator):
    shop = make_shop(operator)
    r = Api(server, shop.shop["publishable_key"]).post(
        "/v1/coupons/validate", {"code": "X", "cart": {"currency": "EUR", "lines": LINES}})
    assert r.status_code == 403


def test_validate_answer__an_idempotency_key_stores_nothing_and_replays_nothing(shop):
    """Validation writes nothing (answered on the worker, READ_ONLY): under one
    Idempotency-Key each request is answered afresh, another body included."""
    c = campaign(shop, "ONCE10", limits={"total_uses": 1})
    h = {"Idempotency-Key": "validate-" + c["id"]}
    body = {"code": "ONCE10", "cart": {"currency": "EUR", "lines": LINES}}
    first = shop.post("/v1/coupons/validate", body, headers=h)
    assert first.status_code == 200 and first.json()["valid"] is True
    assert "Idempotent-Replayed" not in first.headers
    o = shop.post("/v1/orders", new_order(shop))
    assert o.status_code == 201, o.text
    o = o.json()
    r = shop.post("/v1/coupons/redeem", {"code": "ONCE10", "customer": o["customer"],
                                         "order": o["id"]})
    assert r.status_code in (200, 201), r.text
    again = shop.post("/v1/coupons/validate", body, headers=h)
    assert again.status_code == 200 and "Idempotent-Replayed" not in again.headers
    assert again.json()["valid"] is False and again.json()["reason"]["code"] == "limit_reached"
    other = shop.post("/v1/coupons/validate", dict(body, code="NOPE"), headers=h)
    assert other.status_code == 200 and other.json()["reason"]["code"] == "unknown_code"
