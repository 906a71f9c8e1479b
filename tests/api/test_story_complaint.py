"""Story 4 (SCENARIOS.md): a complaint turns into loyalty. Piotr writes on
WhatsApp that his order arrived broken. The ticket is tied to his customer
and order; the agent sees his tier, orders, points and last survey in one
call, answers within the first-response target and offers a replacement.
After the ticket is solved Piotr gets a CSAT survey; he answers 5."""
from conftest import new_order
from loyalty_helpers import paid_order, set_clock, set_program
from service_helpers import answer, set_contact, surveys

WHATSAPP = "+48 600 700 800"
POLICY = {"name": "Office hours",
          "calendar": {"timezone": "Europe/Warsaw", "weekdays": [1, 2, 3, 4, 5],
                       "hours": {"start": "09:00", "end": "17:00"}, "holidays": []},
          "targets": [{"first_response_minutes": 240, "resolution_minutes": 960},
                      {"channel": "whatsapp", "first_response_minutes": 30, "resolution_minutes": 480}]}


def test_piotrs_broken_order_is_answered_in_time_and_he_gives_5(shop, operator):
    set_clock(operator, "2031-05-05T08:00:00Z")                     # Monday 10:00 in Warsaw
    set_contact(shop)
    set_program(shop, pending_days=0, tiers={"basis": "points_earned", "window_days": 365,
                                             "levels": [{"name": "gold", "threshold": 100}]})
    assert shop.post("/v1/sla_policies", POLICY).status_code == 201
    piotr = shop.post("/v1/customers", {"external_id": "piotr", "name": "Piotr", "email": "piotr@example.com",
                                        "identities": [{"type": "whatsapp", "value": WHATSAPP}]}).json()
    paid_order(shop, {"id": piotr["id"]}, amount=15000)                # gold
    order = shop.post("/v1/orders", new_order(shop, external_id="PI-2", customer={"id": piotr["id"]})).json()
    shop.post(f"/v1/orders/{order['id']}/payments", {"status": "paid"})
    parcel = shop.post(f"/v1/orders/{order['id']}/shipments", {"external_id": "PI-2-1", "carrier": "FastPost"}).json()
    for ext, kind, at in (("e1", "delivered", "2031-05-06T12:00:00Z"), ("e2", "damaged", "2031-05-06T12:05:00Z")):
        shop.post(f"/v1/shipments/{parcel['id']}/events", {"external_id": ext, "type": kind, "at": at})
    set_clock(operator, "2031-05-06T14:00:00Z")
    nps = surveys(shop, piotr["id"])[0]
    assert answer(shop, nps["answer"]["token"], 8, comment="Fast, but the box was thin").status_code == 200

    # Wednesday 10:00 in Warsaw: "my cups arrived broken", on WhatsApp.
    set_clock(operator, "2031-05-07T08:00:00Z")
    r = shop.post("/v1/tickets", {"channel": "whatsapp", "customer": {"whatsapp": WHATSAPP}, "order": "ext:PI-2",
                                  "subject": "Broken cups", "body": "Two of the cups arrived in pieces."})
    assert r.status_code == 201, r.text
    ticket = r.json()
    assert (ticket["customer"], ticket["order"]) == (piotr["id"], order["id"]), "tied to him and his order"
    assert ticket["sla"]["first_response_due_at"] == "2031-05-07T08:30:00Z"

    # The agent reads everything in one call.
    set_clock(operator, "2031-05-07T08:10:00Z")
    o = shop.get(f"/v1/customers/{piotr['id']}/overview").json()
    assert o["customer"]["name"] == "Piotr" and o["loyalty"]["tier"]["name"] == "gold"
    assert o["loyalty"]["points"]["available"] == 150 + 25
    assert [x["id"] for x in o["orders"]][0] == order["id"] and o["orders"][0]["shipments"][0]["damaged"] is True
    assert [t["id"] for t in o["open_tickets"]] == [ticket["id"]]
    assert [(s["kind"], s["score"]) for s in o["last_survey_answers"]] == [("nps", 8)]

    r = shop.post(f"/v1/tickets/{ticket['id']}/messages", {
        "author": "agent", "agent": "Ola",
        "body": "Piotr, I am so sorry. A replacement set is on its way today, no need to send the pieces back."})
    assert r.json()["sla"]["first_response_at"] <= ticket["sla"]["first_response_due_at"], "within the target"
    set_clock(operator, "2031-05-07T12:00:00Z")
    operator.post("/v1/jobs/run")
    assert shop.get(f"/v1/tickets/{ticket['id']}").json()["sla"]["first_response_breached"] is False

    solved = shop.patch(f"/v1/tickets/{ticket['id']}", {"status": "solved"}).json()
    assert solved["status"] == "solved"
    csat = [s for s in surveys(shop, piotr["id"]) if s["kind"] == "csat"]
    assert [(s["ticket"], s["state"], s["channel"]) for s in csat] == [(ticket["id"], "sent", "whatsapp")]
    r = answer(shop, csat[0]["answer"]["token"], 5, comment="Thank you, Ola!")
    assert r.status_code == 200 and r.json()["score"] == 5
    assert shop.get("/v1/tickets?status=open").json()["data"] == [], "a happy answer opens no ticket"
    o = shop.get(f"/v1/customers/{piotr['id']}/overview").json()
    assert [(s["kind"], s["score"]) for s in o["last_survey_answers"]] == [("csat", 5), ("nps", 8)]
    service = shop.get("/v1/reports/service").json()
    assert service["csat"]["by_channel"][0]["key"] == "whatsapp" and service["csat"]["total"]["average"] == 5.0
    assert service["channels"][0]["sla"]["first_response_within"] == 1.0
