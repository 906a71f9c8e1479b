"""Story 3 (SCENARIOS.md): a late parcel is forgiven. An order promised for
Friday is still in transit on Saturday morning: retain records the late
delivery once, the carrier's on-time rate drops, and Maria gets the shop's
apology (200 points here). A parcel late because nobody was home (a failed
attempt, customer absent) earns no apology."""
from conftest import new_order
from loyalty_helpers import loyalty, set_clock, set_program


def parcel(shop, customer, external_id):
    o = shop.post("/v1/orders", new_order(shop, customer=customer,
                                          promised_delivery_at="2031-05-09T18:00:00Z")).json()
    s = shop.post(f"/v1/orders/{o['id']}/shipments", {"external_id": external_id, "carrier": "FastPost",
                                                      "region": "Tbilisi"}).json()
    shop.post(f"/v1/shipments/{s['id']}/events", {"external_id": external_id + "-1", "type": "shipped",
                                                  "at": "2031-05-07T09:00:00Z"})
    return o, s


def test_maria_gets_one_apology_for_a_late_parcel_and_an_absent_customer_none(shop, operator):
    set_clock(operator, "2031-05-06T10:00:00Z")
    set_program(shop, pending_days=0)
    r = shop.post("/v1/campaigns", {"name": "Sorry it was late", "type": "apology",
                                    "starts_at": "2031-01-01T00:00:00Z", "triggers": ["late_delivery"],
                                    "points": 200})
    assert r.status_code == 201, r.text
    # One parcel delivered on time gives the carrier a perfect record so far.
    _, early = parcel(shop, {"email": "nino@example.com"}, "P-0")
    shop.post(f"/v1/shipments/{early['id']}/events", {"external_id": "P-0-2", "type": "delivered",
                                                      "at": "2031-05-08T15:00:00Z"})
    maria, late = parcel(shop, {"email": "maria@example.com", "name": "Maria"}, "P-1")
    absent, missed = parcel(shop, {"email": "levan@example.com"}, "P-2")
    shop.post(f"/v1/shipments/{missed['id']}/events", {"external_id": "P-2-2", "type": "failed_attempt",
                                                       "at": "2031-05-09T11:00:00Z",
                                                       "reason": "customer_absent"})
    set_clock(operator, "2031-05-09T12:00:00Z")
    before = shop.get("/v1/reports/delivery?group=carrier").json()["groups"][0]
    assert before["on_time_rate"] == 1.0

    set_clock(operator, "2031-05-10T08:00:00Z")            # Saturday morning, still in transit
    for _ in range(3):
        operator.post("/v1/jobs/run")
    for s in (late, missed):
        assert shop.get(f"/v1/shipments/{s['id']}").json()["late"] is True
    after = shop.get("/v1/reports/delivery?group=carrier").json()["groups"][0]
    assert after["late"] == 2 and after["on_time_rate"] < before["on_time_rate"]
    assert loyalty(shop, maria["customer"])["points"]["available"] == 200, "one apology, once"
    assert loyalty(shop, absent["customer"])["points"]["available"] == 0, "nobody was home"
    events = shop.get(f"/v1/shipments/{missed['id']}").json()
    assert events["customer_caused_delay"] is True
