"""Orders: creation with customer resolution and total checks, payments (paid
and failed), cancellation, refunds by lines and amount, the state machine, and
a bad-input matrix in which nothing changes."""
import json

import pytest

from conftest import connect_db, error_of, new_order


def order_count(shop):
    return len(shop.get("/v1/orders?limit=100").json()["data"])


def test_an_order_for_an_unknown_email_creates_a_guest(shop):
    body = new_order(shop, customer={"email": "New@Example.com", "name": "Nino"},
                     lines=[{"sku": "A", "quantity": 2, "unit_price": 1000, "discount": 150},
                            {"sku": "B", "quantity": 1, "unit_price": 500}],
                     shipping=490, tax=0, channel="phone")
    r = shop.post("/v1/orders", body)
    assert r.status_code == 201, r.text
    o = r.json()
    assert o["status"] == "pending" and o["channel"] == "phone"
    assert (o["subtotal"], o["discount"], o["total"]) == (2500, 150, 2840)
    c = shop.get(f"/v1/customers/{o['customer']}").json()
    assert c["email"] == "new@example.com" and c["status"] == "guest" and c["name"] == "Nino"
    again = shop.post("/v1/orders", new_order(shop, customer={"email": "new@example.com"})).json()
    assert again["customer"] == o["customer"]


def test_customer_can_be_named_by_id_external_id_or_ref_string(shop):
    c = shop.post("/v1/customers", {"external_id": "shop-42"}).json()
    for ref in ({"id": c["id"]}, {"external_id": "shop-42"}, c["id"], "ext:shop-42"):
        assert shop.post("/v1/orders", new_order(shop, customer=ref)).json()["customer"] == c["id"]


def test_an_unknown_customer_id_is_404(shop):
    r = shop.post("/v1/orders", new_order(shop, customer={"id": "cus_0000000000000000"}))
    assert r.status_code == 404 and error_of(r)["param"] == "customer.id"
    assert order_count(shop) == 0


def test_marketplace_orders_keep_their_seller(shop):
    o = shop.post("/v1/orders", new_order(shop, channel="marketplace", seller="tea-partner")).json()
    assert (o["channel"], o["seller"]) == ("marketplace", "tea-partner")


def test_same_external_id_same_body_returns_the_order_other_body_is_409(shop):
    body = new_order(shop, external_id="N-1")
    first = shop.post("/v1/orders", body)
    assert first.status_code == 201
    second = shop.post("/v1/orders", body)
    assert second.status_code == 200 and second.json()["id"] == first.json()["id"]
    # Key order and whitespace do not make another body.
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2)
    assert shop.post("/v1/orders", raw=reordered).status_code == 200
    other = dict(body, channel="app")
    r = shop.post("/v1/orders", other)
    assert r.status_code == 409 and error_of(r)["code"] == "order_exists"
    assert order_count(shop) == 1


def bad_bodies():
    good = new_order(None, external_id="B-1", customer={"email": "b@example.com"})
    line = good["lines"][0]
    yield "missing external_id", {k: v for k, v in good.items() if k != "external_id"}, 400, "external_id"
    yield "missing currency", {k: v for k, v in good.items() if k != "currency"}, 400, "currency"
    yield "unknown currency", dict(good, currency="EUX"), 400, "currency"
    yield "lower-case currency", dict(good, currency="eur"), 400, "currency"
    yield "missing customer", {k: v for k, v in good.items() if k != "customer"}, 400, "customer"
    yield "empty customer", dict(good, customer={}), 400, "customer"
    yield "customer bad email", dict(good, customer={"email": "x"}), 400, "customer.email"
    yield "no lines", dict(good, lines=[]), 400, "lines"
    yield "lines not array", dict(good, lines={}), 400, "lines"
    yield "line without sku", dict(good, lines=[{k: v for k, v in line.items() if k != "sku"}]), 400, "lines[0].sku"
    yield "zero quantity", dict(good, lines=[dict(line, quantity=0)], total=0), 400, "lines[0].quantity"
    yield "string quantity", dict(good, lines=[dict(line, quantity="2")]), 400, "lines[0].quantity"
    yield "negative price", dict(good, lines=[dict(line, unit_price=-1)]), 400, "lines[0].unit_price"
    yield "fractional price", dict(good, lines=[dict(line, unit_price=12.5)]), 400, "lines[0].unit_price"
    yield "integral float price", dict(good, lines=[dict(line, unit_price=1250.0)]), 400, "lines[0].unit_price"
    yield "discount above line", dict(good, lines=[dict(line, discount=999999)]), 400, "lines[0].discount"
    yield "negative shipping", dict(good, shipping=-5), 400, "shipping"
    yield "total mismatch", dict(good, total=good["total"] + 1), 400, "total"
    yield "fractional total", dict(good, total=2500.5), 400, "total"
    yield "bool total", dict(good, total=True), 400, "total"
    yield "unknown channel", dict(good, channel="pigeon"), 400, "channel"
    yield "bad placed_at", dict(good, placed_at="yesterday"), 400, "placed_at"
    yield "unknown field", dict(good, colour="red"), 400, "colour"
    yield "huge amount", dict(good, lines=[dict(line, unit_price=10**16)]), 400, "lines[0].unit_price"
    yield "beyond int64", dict(good, lines=[dict(line, unit_price=10**19)]), 400, None


@pytest.mark.parametrize("name,body,status,param", list(bad_bodies()), ids=[b[0] for b in bad_bodies()])
def test_bad_order_input_is_rejected_and_changes_nothing(shop, name, body, status, param):
    r = shop.post("/v1/orders", body)
    assert r.status_code == status, r.text
    assert error_of(r)["param"] == param
    assert order_count(shop) == 0
    assert shop.get("/v1/customers").json()["data"] == []


def test_broken_json_is_400_with_the_byte_offset(shop):
    r = shop.post("/v1/orders", raw='{"external_id": "x",, }')
    assert r.status_code == 400
    err = error_of(r)
    assert err["code"] == "invalid_json" and "at byte" in err["message"]
    r = shop.post("/v1/orders", raw="[1, 2]")
    assert r.status_code == 400 and error_of(r)["code"] == "invalid_json"


def test_a_body_that_is_not_json_is_415(shop):
    r = shop.post("/v1/orders", raw="external_id=1", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415 and error_of(r)["code"] == "unsupported_media_type"


def test_an_oversized_body_is_413_and_changes_nothing(shop):
    big = new_order(shop, lines=[{"sku": "X" * 100, "name": "n" * 190, "quantity": 1, "unit_price": 1}] * 5000)
    r = shop.post("/v1/orders", big)
    assert r.status_code == 413 and error_of(r)["code"] == "body_too_large"
    assert order_count(shop) == 0


def test_payment_paid_moves_pending_to_paid(shop):
    o = shop.post("/v1/orders", new_order(shop)).json()
    r = shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid", "method": "card"})
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["status"] == "paid" and p["paid_amount"] == o["total"]
    assert p["payments"][0]["amount"] == o["total"] and p["payments"][0]["method"] == "card"


def test_failed_payments_are_kept_and_a_later_payment_still_succeeds(shop):
    o = shop.post("/v1/orders", new_order(shop)).json()
    r = shop.post(f"/v1/orders/{o['id']}/payments", {"status": "failed", "failure_reason": "card_declined"})
    assert r.json()["status"] == "payment_failed" and r.json()["failed_payments"] == 1
    r = shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})
    p = r.json()
    assert p["status"] == "paid" and p["failed_payments"] == 1
    assert [x["status"] for x in p["payments"]] == ["failed", "paid"]
    assert p["payments"][0]["failure_reason"] == "card_declined"


def test_a_payment_with_a_known_external_id_is_not_recorded_twice(shop):
    o = shop.post("/v1/orders", new_order(shop)).json()
    for _ in range(2):
        r = shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid", "external_id": "psp-1"})
        assert r.status_code == 200
    assert len(r.json()["payments"]) == 1


def test_a_payment_amount_must_match_the_total(shop):
    o = shop.post("/v1/orders", new_order(shop)).json()
    r = shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid", "amount": o["total"] - 1})
    assert r.status_code == 400 and error_of(r)["code"] == "amount_mismatch"
    assert shop.get(f"/v1/orders/{o['id']}").json()["status"] == "pending"


@pytest.mark.parametrize("body", [{}, {"status": "maybe"}, {"status": "paid", "amount": -1}])
def test_bad_payments_are_400(shop, body):
    o = shop.post("/v1/orders", new_order(shop)).json()
    assert shop.post(f"/v1/orders/{o['id']}/payments", body).status_code == 400
    assert shop.get(f"/v1/orders/{o['id']}").json()["payments"] == []


def test_illegal_transitions_are_409_naming_the_current_status(shop):
    o = shop.post("/v1/orders", new_order(shop)).json()
    shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})
    r = shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})
    assert r.status_code == 409
    err = error_of(r)
    assert err["code"] == "order_status_conflict" and '"paid"' in err["message"]
    r = shop.post(f"/v1/orders/{o['id']}/cancel")
    assert r.status_code == 409 and "refund it instead" in error_of(r)["message"]


def test_cancel_of_an_unpaid_order_and_no_refund_after(shop):
    o = shop.post("/v1/orders", new_order(shop)).json()
    r = shop.post(f"/v1/orders/{o['id']}/cancel", {"reason": "customer changed mind"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert shop.post(f"/v1/orders/{o['id']}/cancel").status_code == 200
    assert shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"}).status_code == 409
    r = shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "r", "amount": 1})
    assert r.status_code == 409 and error_of(r)["code"] == "order_status_conflict"   # issue 8


def paid_order(shop, **kw):
    o = shop.post("/v1/orders", new_order(shop, **kw)).json()
    return shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"}).json()


def test_partial_refunds_by_lines_add_up_with_exact_discount_shares(shop):
    o = paid_order(shop, lines=[{"sku": "A", "quantity": 3, "unit_price": 1000, "discount": 100}],
                   shipping=500)
    amounts = []
    for i in range(3):
        r = shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": f"r{i}", "lines": [{"sku": "A", "quantity": 1}]})
        assert r.status_code == 201, r.text
        amounts.append(r.json()["refunds"][-1]["amount"])
    assert sum(amounts) == 3000 - 100
    final = shop.get(f"/v1/orders/{o['id']}").json()
    assert final["status"] == "partially_refunded"  # shipping was not refunded
    assert final["lines"][0]["refunded_quantity"] == 3
    r = shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "r9", "lines": [{"sku": "A", "quantity": 1}]})
    assert r.status_code == 422 and error_of(r)["code"] == "refund_exceeds_quantity"
    r = shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "ship", "amount": 500})
    assert r.json()["status"] == "refunded" and r.json()["refunded_amount"] == r.json()["paid_amount"]


def test_never_more_is_refunded_than_was_paid(shop):
    o = paid_order(shop)
    r = shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "r1", "amount": o["total"] + 1})
    assert r.status_code == 422 and error_of(r)["code"] == "refund_exceeds_paid"
    assert shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "r1", "amount": o["total"] - 1}).status_code == 201
    r = shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "r2", "amount": 2})
    assert r.status_code == 422
    assert shop.get(f"/v1/orders/{o['id']}").json()["refunded_amount"] == o["total"] - 1


def test_a_refund_replayed_with_its_external_id_counts_once(shop):
    o = paid_order(shop)
    body = {"external_id": "rf-1", "amount": 100, "reason": "late"}
    assert shop.post(f"/v1/orders/{o['id']}/refunds", body).status_code == 201
    again = shop.post(f"/v1/orders/{o['id']}/refunds", body)
    assert again.status_code == 200 and again.json()["refunded_amount"] == 100
    r = shop.post(f"/v1/orders/{o['id']}/refunds", dict(body, amount=200))
    assert r.status_code == 409 and error_of(r)["code"] == "refund_exists"


@pytest.mark.parametrize("body,param", [
    ({"amount": 10}, "external_id"),
    ({"external_id": "x"}, "lines"),
    ({"external_id": "x", "amount": 0}, "amount"),
    ({"external_id": "x", "amount": 1.5}, "amount"),
    ({"external_id": "x", "lines": [{"sku": "NOPE", "quantity": 1}]}, "lines[0].sku"),
    ({"external_id": "x", "lines": [{"sku": "TEA-1", "quantity": -1}]}, "lines[0].quantity"),
])
def test_bad_refunds_are_400_and_change_nothing(shop, body, param):
    o = paid_order(shop)
    r = shop.post(f"/v1/orders/{o['id']}/refunds", body)
    assert r.status_code == 400, r.text
    assert error_of(r)["param"] == param
    assert shop.get(f"/v1/orders/{o['id']}").json()["refunded_amount"] == 0


def test_unknown_orders_are_404_on_every_endpoint(shop):
    for method, path in [("GET", "/v1/orders/ord_0000000000000000"),
                         ("POST", "/v1/orders/ord_0000000000000000/payments"),
                         ("POST", "/v1/orders/ext:none/cancel"),
                         ("POST", "/v1/orders/ext:none/refunds")]:
        body = {"status": "paid"} if "payments" in path else ({"external_id": "r", "amount": 1} if "refunds" in path else None)
        r = shop.request(method, path, body)
        assert r.status_code == 404, (path, r.text)


def test_orders_list_filters_by_customer_and_status(shop):
    c = shop.post("/v1/customers", {"email": "filter@example.com"}).json()
    mine = [shop.post("/v1/orders", new_order(shop, customer={"id": c["id"]})).json() for _ in range(3)]
    shop.post("/v1/orders", new_order(shop))
    shop.post(f"/v1/orders/{mine[0]['id']}/payments", {"status": "paid"})
    assert len(shop.get(f"/v1/orders?customer={c['id']}").json()["data"]) == 3
    paid = shop.get(f"/v1/orders?customer={c['id']}&status=paid").json()["data"]
    assert [o["id"] for o in paid] == [mine[0]["id"]]
    assert shop.get("/v1/orders?status=lost").status_code == 400


def test_every_state_change_writes_an_event(shop, server):
    o = paid_order(shop)
    shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "e1", "amount": 10})
    con = connect_db(server.db)
    types = [t for (t,) in con.execute("SELECT type FROM events WHERE object_id = ? ORDER BY id", (o["id"],))]
    con.close()
    assert types == ["order.created", "order.paid", "order.partially_refunded"]
