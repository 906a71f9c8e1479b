"""Regression tests for issue 8, section 3: order requests that must be refused,
with the right status and the right `param`: a customer without an identity, an
implausible `placed_at` (never silently "now"), a refund of an order that is not
paid, an oversized line, and integer messages that call counts "minor units"."""
import copy
import uuid

import pytest

from conftest import error_of, new_order
from loyalty_helpers import set_program


def order_body(shop, **kw):
    return new_order(shop, external_id="o-" + uuid.uuid4().hex[:10], **kw)


def customers_count(shop):
    return len(shop.get("/v1/customers?limit=100").json()["data"])


@pytest.mark.parametrize("customer", [
    {}, {"name": "Only A Name"}, {"email": None}, {"id": None, "phone": None, "name": "x"}, "", "ext:",
])
def test_an_order_whose_customer_has_no_identity_is_400_naming_customer_issue8(shop, customer):
    body = order_body(shop)
    body["customer"] = customer       # set directly: new_order() replaces a falsy customer
    before = customers_count(shop)
    r = shop.post("/v1/orders", body)
    assert r.status_code == 400, r.text
    assert error_of(r)["param"] == "customer"
    assert customers_count(shop) == before
    assert shop.get("/v1/orders").json()["data"] == []


@pytest.mark.parametrize("field", ["placed_at", "promised_delivery_at"])
@pytest.mark.parametrize("when", ["1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "1979-12-31T23:59:59Z",
                                  "0001-01-01T00:00:00Z", "1970-01-20T10:39:00Z", "2100-01-01T00:00:00Z", "9999-12-31T00:00:00Z"])
def test_an_order_time_out_of_range_is_400_never_replaced_by_now_issue8(shop, field, when):
    r = shop.post("/v1/orders", order_body(shop, **{field: when}))
    assert r.status_code == 400, r.text
    err = error_of(r)
    assert err["param"] == field and "1980-01-01" in err["message"]
    assert shop.get("/v1/orders").json()["data"] == []


@pytest.mark.parametrize("when,stored", [
    ("1980-01-01T00:00:00Z", "1980-01-01T00:00:00Z"),
    ("1997-01-01T00:00:00Z", "1997-01-01T00:00:00Z"),      # CDNOW's years
    ("2019-06-30T23:00:00+02:00", "2019-06-30T21:00:00Z"),
    ("2099-12-31T23:59:59Z", "2099-12-31T23:59:59Z"),
])
def test_an_order_time_in_range_is_kept_as_given_issue8(shop, when, stored):
    r = shop.post("/v1/orders", order_body(shop, placed_at=when))
    assert r.status_code == 201, r.text
    assert r.json()["placed_at"] == stored


@pytest.mark.parametrize("status", ["pending", "payment_failed", "cancelled", "refunded"])
@pytest.mark.parametrize("refund", [{"amount": 5}, {"lines": [{"sku": "TEA-1", "quantity": 1}]}])
def test_a_refund_of_an_order_that_is_not_paid_is_409_naming_its_status_issue8(shop, status, refund):
    o = shop.post("/v1/orders", order_body(shop)).json()
    if status == "payment_failed":
        shop.post(f"/v1/orders/{o['id']}/payments", {"status": "failed"})
    elif status == "cancelled":
        shop.post(f"/v1/orders/{o['id']}/cancel", {})
    elif status == "refunded":
        shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})
        assert shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "all", "amount": o["total"]}).status_code == 201
    before = shop.get(f"/v1/orders/{o['id']}").json()
    assert before["status"] == status
    r = shop.post(f"/v1/orders/{o['id']}/refunds", dict(refund, external_id="r-" + status))
    assert r.status_code == 409, r.text
    err = error_of(r)
    assert err["code"] == "order_status_conflict" and f'"{status}"' in err["message"]
    assert "paid and not yet refunded" not in err["message"]
    assert shop.get(f"/v1/orders/{o['id']}").json() == before


def test_a_refund_beyond_what_was_paid_is_still_422_issue8(shop):
    o = shop.post("/v1/orders", order_body(shop)).json()
    shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})
    r = shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "big", "amount": o["total"] + 1})
    assert r.status_code == 422 and error_of(r)["code"] == "refund_exceeds_paid"


GOOD_LINE = {"sku": "A", "quantity": 1, "unit_price": 100}


def with_line(index, line, n=5):
    lines = [dict(GOOD_LINE, sku=f"S{i}") for i in range(n)]
    lines[index] = line
    return lines


@pytest.mark.parametrize("index,line,param", [
    (3, {"sku": "B", "quantity": 1000, "unit_price": 10 ** 15}, "lines[3].unit_price"),
    (3, {"sku": "B", "quantity": 1000, "unit_price": 10 ** 13}, "lines[3].unit_price"),
    (0, {"sku": "B", "quantity": 1_000_000, "unit_price": 10 ** 12}, "lines[0].unit_price"),
    (2, {"sku": "B", "quantity": 2, "unit_price": 100, "discount": 201}, "lines[2].discount"),
    (4, {"sku": "B", "quantity": 1, "unit_price": 10 ** 15 + 1}, "lines[4].unit_price"),
    (1, {"sku": "B", "quantity": 1_000_001, "unit_price": 1}, "lines[1].quantity"),
    (1, {"sku": "B", "quantity": 0, "unit_price": 1}, "lines[1].quantity"),
    (3, {"sku": "B", "quantity": 1, "unit_price": -1}, "lines[3].unit_price"),
    (3, {"sku": "B", "quantity": 1, "unit_price": 1, "discount": -1}, "lines[3].discount"),
    (2, {"quantity": 1, "unit_price": 1}, "lines[2].sku"),
    (2, {"sku": "B", "unit_price": 1}, "lines[2].quantity"),
    (2, {"sku": "B", "quantity": 1}, "lines[2].unit_price"),
    (2, {"sku": "B", "quantity": 1, "unit_price": 1, "colour": "red"}, "lines[2].colour"),
    (2, {"sku": "x" * 201, "quantity": 1, "unit_price": 1}, "lines[2].sku"),
    (2, {"sku": "B", "name": "n" * 201, "quantity": 1, "unit_price": 1}, "lines[2].name"),
    (2, {"sku": "B", "category": "", "quantity": 1, "unit_price": 1}, "lines[2].category"),
    (3, "not an object", "lines[3]"),
])
def test_a_bad_line_names_its_own_field_issue8(shop, index, line, param):
    lines = with_line(index, line)
    body = order_body(shop, lines=[GOOD_LINE])
    body["lines"] = lines
    body["total"] = 500               # never reached when a line is refused
    r = shop.post("/v1/orders", body)
    assert r.status_code == 400, r.text
    assert error_of(r)["param"] == param
    assert shop.get("/v1/orders").json()["data"] == []


@pytest.mark.parametrize("index", [12, 123])
@pytest.mark.parametrize("line,field", [
    ({"sku": "B", "quantity": 2, "unit_price": 100, "discount": 201}, "discount"),
    ({"sku": "B", "quantity": 1000, "unit_price": 10 ** 15}, "unit_price"),
    ({"sku": "B", "quantity": 1, "unit_price": -1}, "unit_price"),
    ({"sku": "B", "quantity": 0, "unit_price": 1}, "quantity"),
    ({"sku": "x" * 201, "quantity": 1, "unit_price": 1}, "sku"),
    ({"sku": "B", "category": "", "quantity": 1, "unit_price": 1}, "category"),
])
def test_a_bad_line_past_the_ninth_names_its_index_in_full_issue9(shop, index, line, field):
    """Issue 9 bench: the line paths are written digit by digit (core's
    line_param, the API's jsonv_item_path); indices of two and three digits."""
    body = order_body(shop, lines=[GOOD_LINE])
    body["lines"] = with_line(index, line, n=130)
    body["total"] = 13000
    r = shop.post("/v1/orders", body)
    assert r.status_code == 400, r.text
    assert error_of(r)["param"] == f"lines[{index}].{field}"
    assert shop.get("/v1/orders").json()["data"] == []


def test_lines_that_add_up_beyond_the_maximum_name_the_lines_issue8(shop):
    lines = [{"sku": f"S{i}", "quantity": 1, "unit_price": 10 ** 15} for i in range(3)]
    r = shop.post("/v1/orders", order_body(shop, lines=lines))
    assert r.status_code == 400 and error_of(r)["param"] == "lines"


@pytest.mark.parametrize("index,param", [(0, "lines[0].sku"), (1, "lines[1].quantity")])
def test_a_bad_refund_line_names_its_own_field_issue8(shop, index, param):
    o = shop.post("/v1/orders", order_body(shop)).json()
    shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})
    lines = [{"sku": "TEA-1", "quantity": 1}, {"sku": "TEA-1", "quantity": 1}]
    lines[index] = {"sku": "NOPE", "quantity": 1} if index == 0 else {"sku": "TEA-1", "quantity": 0.5}
    r = shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "r", "lines": lines})
    assert r.status_code == 400 and error_of(r)["param"] == param


def put_program(shop, body):
    return shop.request("PUT", "/v1/program", body)


# (how to send it, the field path) for integer fields that are not money.
NOT_MONEY = [
    ("order_line", "quantity", "lines[0].quantity"),
    ("refund_line", "quantity", "lines[0].quantity"),
    ("adjustment", "points", "points"),
    ("redemption", "points", "points"),
    ("token", "ttl_seconds", "ttl_seconds"),
    ("program", "pending_days", "pending_days"),
    ("program_earn", "points_per_unit", "earn.points_per_unit"),
]
MONEY = [
    ("order_line", "unit_price", "lines[0].unit_price"),
    ("order_line", "discount", "lines[0].discount"),
    ("order", "shipping", "shipping"),
    ("order", "tax", "tax"),
    ("order", "total", "total"),
    ("payment", "amount", "amount"),
    ("refund", "amount", "amount"),
    ("program_earn", "min_order", "earn.min_order"),
    ("program", "point_value", "point_value"),
]


def send_with(shop, where, field, value):
    c = shop.post("/v1/customers", {"email": f"{uuid.uuid4().hex[:8]}@example.com"}).json()
    if where in ("order", "order_line"):
        body = order_body(shop)
        if where == "order":
            body[field] = value
        else:
            body["lines"][0][field] = value
        return shop.post("/v1/orders", body)
    if where in ("payment", "refund", "refund_line"):
        o = shop.post("/v1/orders", order_body(shop)).json()
        if where == "payment":
            return shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid", field: value})
        shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})
        if where == "refund":
            return shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "r", field: value})
        return shop.post(f"/v1/orders/{o['id']}/refunds",
                         {"external_id": "r", "lines": [{"sku": "TEA-1", field: value}]})
    if where == "adjustment":
        return shop.post(f"/v1/customers/{c['id']}/adjustments", {field: value, "reason": "goodwill"})
    if where == "redemption":
        set_program(shop, point_value=1)
        return shop.post(f"/v1/customers/{c['id']}/redemptions", {field: value})
    if where == "token":
        return shop.post(f"/v1/customers/{c['id']}/tokens", {field: value})
    body = {"earn": {"points_per_unit": 1}, "expiry": {"policy": "never"}}
    if where == "program":
        body[field] = value
    else:
        body["earn"][field] = value
    return put_program(shop, body)


@pytest.mark.parametrize("value", [2.5, "3"])
@pytest.mark.parametrize("where,field,param", NOT_MONEY)
def test_integer_messages_for_counts_do_not_say_minor_units_issue8(shop, where, field, param, value):
    r = send_with(shop, where, field, value)
    assert r.status_code == 400, r.text
    err = error_of(r)
    assert err["param"] == param, err
    assert "minor units" not in err["message"]


@pytest.mark.parametrize("where,field,param", MONEY)
def test_integer_messages_for_money_say_minor_units_issue8(shop, where, field, param):
    r = send_with(shop, where, field, 12.5)
    assert r.status_code == 400, r.text
    err = error_of(r)
    assert err["param"] == param, err
    assert "minor units" in err["message"]
