"""Shipments (issue 11): parcels of an order, carrier events in any order and
any number of times, the state derived from their times, the late mark made
once by the jobs with the apology, and the delivery report."""
import pytest

from conftest import error_of, make_shop, new_order
from loyalty_helpers import advance, set_clock

PROMISE = "2031-05-09T18:00:00Z"        # a Friday evening


def order(shop, **kw):
    kw.setdefault("promised_delivery_at", PROMISE)
    r = shop.post("/v1/orders", new_order(shop, **kw))
    assert r.status_code == 201, r.text
    return r.json()


def ship(shop, o, external_id="P-1", **body):
    b = {"external_id": external_id, "carrier": "InPost"}
    b.update(body)
    return shop.post(f"/v1/orders/{o['id']}/shipments", b)


def event(shop, s, external_id, type, at, **kw):
    return shop.post(f"/v1/shipments/{s['id']}/events",
                     dict({"external_id": external_id, "type": type, "at": at}, **kw))


@pytest.fixture(autouse=True)
def clock(operator):
    set_clock(operator, "2031-05-06T10:00:00Z")


def test_shipment__takes_the_order_promise_and_shows_on_the_order(shop):
    o = order(shop)
    r = ship(shop, o, region="Mazovia", partner="last-mile-waw", tracking_id="TR1",
             lines=[{"sku": "TEA-1", "quantity": 2}])
    assert r.status_code == 201, r.text
    s = r.json()
    assert (s["status"], s["promised_delivery_at"], s["on_time"]) == ("created", PROMISE, None)
    assert ship(shop, o, region="Mazovia", partner="last-mile-waw", tracking_id="TR1",
                lines=[{"sku": "TEA-1", "quantity": 2}]).json()["id"] == s["id"], "a replay"
    r = ship(shop, o, carrier="DHL")
    assert r.status_code == 409 and error_of(r)["code"] == "shipment_exists"
    assert [x["id"] for x in shop.get(f"/v1/orders/{o['id']}").json()["shipments"]] == [s["id"]]


def test_shipment__events_out_of_order_give_the_state_of_their_times(shop):
    s = ship(shop, order(shop)).json()
    assert event(shop, s, "e3", "delivered", "2031-05-08T12:00:00Z").status_code == 201
    r = event(shop, s, "e1", "shipped", "2031-05-07T08:00:00Z")
    got = r.json()
    assert got["status"] == "delivered" and got["shipped_at"] == "2031-05-07T08:00:00Z"
    assert got["delivered_at"] == "2031-05-08T12:00:00Z" and got["on_time"] is True
    assert [v["external_id"] for v in got["events"]] == ["e1", "e3"]
    again = event(shop, s, "e1", "shipped", "2031-05-07T08:00:00Z")
    assert again.status_code == 200 and len(again.json()["events"]) == 2, "a replay adds nothing"
    r = event(shop, s, "e1", "delivered", "2031-05-07T08:00:00Z")
    assert r.status_code == 409 and error_of(r)["code"] == "event_exists"


@pytest.mark.parametrize("body, param", [
    ({"type": "teleported"}, "type"),
    ({"reason": "weather"}, "reason"),
    ({"type": "delivered", "reason": "carrier"}, "reason"),
    ({"at": "yesterday"}, "at"),
    ({"at": "1970-01-01T00:00:00Z"}, "at"),
    ({"external_id": ""}, "external_id"),
    ({"extra": 1}, "extra"),
])
def test_shipment__bad_events_are_refused_and_change_nothing(shop, body, param):
    s = ship(shop, order(shop)).json()
    b = {"external_id": "e1", "type": "failed_attempt", "at": "2031-05-07T08:00:00Z"}
    b.update(body)
    r = shop.post(f"/v1/shipments/{s['id']}/events", b)
    assert r.status_code == 400 and error_of(r)["param"] == param, r.text
    assert shop.get(f"/v1/shipments/{s['id']}").json()["events"] == []


def test_shipment__of_an_unknown_or_another_shops_order_is_a_404(shop, operator):
    assert ship(shop, {"id": "ord_nope"}).status_code == 404
    other = make_shop(operator, "Other")
    o = order(other)
    assert ship(shop, o).status_code == 404
    s = ship(other, o).json()
    assert shop.get(f"/v1/shipments/{s['id']}").status_code == 404
    assert event(shop, s, "e1", "shipped", "2031-05-07T08:00:00Z").status_code == 404


def test_shipment__lines_must_be_in_the_order(shop):
    o = order(shop)
    r = ship(shop, o, lines=[{"sku": "NOPE", "quantity": 1}])
    assert r.status_code == 400 and error_of(r)["param"] == "lines[0].sku"
    r = ship(shop, o, lines=[{"sku": "TEA-1", "quantity": 3}])
    assert r.status_code == 400 and error_of(r)["param"] == "lines[0].quantity"


def test_shipment__late_once_with_one_apology_however_often_the_jobs_run(shop, operator):
    shop.post("/v1/campaigns", {"name": "Sorry", "type": "apology", "starts_at": "2031-01-01T00:00:00Z",
                                "triggers": ["late_delivery"],
                                "discount": {"kind": "percent", "value": 10}})
    o = order(shop)
    s = ship(shop, o).json()
    event(shop, s, "e1", "shipped", "2031-05-07T08:00:00Z")
    set_clock(operator, "2031-05-10T08:00:00Z")
    for _ in range(3):
        operator.post("/v1/jobs/run")
    got = shop.get(f"/v1/shipments/{s['id']}").json()
    assert got["late"] is True and got["on_time"] is False
    offers = shop.get(f"/v1/customers/{o['customer']}/offers").json()["data"]
    assert len(offers) == 1 and offers[0]["campaign"]["type"] == "apology"
    # Delivered later: still late, no second apology.
    event(shop, s, "e2", "delivered", "2031-05-10T11:00:00Z")
    operator.post("/v1/jobs/run")
    assert shop.get(f"/v1/shipments/{s['id']}").json()["on_time"] is False
    assert len(shop.get(f"/v1/customers/{o['customer']}/offers").json()["data"]) == 1


def test_delivery_report__on_time_rate_delays_and_groups(shop, operator):
    for i, (carrier, delivered) in enumerate([("InPost", "2031-05-09T12:00:00Z"),
                                              ("InPost", "2031-05-09T21:00:00Z"),
                                              ("DHL", "2031-05-11T18:00:00Z"),
                                              ("DHL", None)]):
        s = ship(shop, order(shop), external_id=f"P-{i}", carrier=carrier).json()
        if delivered:
            event(shop, s, "d", "delivered", delivered)
    set_clock(operator, "2031-05-12T18:00:00Z")
    r = shop.get("/v1/reports/delivery?group=carrier")
    assert r.status_code == 200, r.text
    rep = r.json()
    rows = {g["key"]: g for g in rep["groups"]}
    assert rows["InPost"]["on_time_rate"] == 0.5 and rows["InPost"]["average_delay_minutes"] == 180
    assert rows["DHL"]["late"] == 2 and rows["DHL"]["p90_delay_minutes"] == 3 * 24 * 60
    assert rep["total"]["due"] == 4 and rep["total"]["on_time"] == 1
    month = shop.get("/v1/reports/delivery?group=month").json()
    assert [g["key"] for g in month["groups"]] == ["2031-05"]
    r = shop.get("/v1/reports/delivery?group=colour")
    assert r.status_code == 400 and error_of(r)["param"] == "group"
