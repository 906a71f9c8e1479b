"""GET /v1/reports/service (issue 11): first-response and resolution p50/p90
per channel, the share within SLA, complaints per 100 orders, NPS and CSAT by
month, channel and tier, the latest suggestions; from/to like the other
reports. The figures below are worked out by hand from the moves of the clock."""
import pytest

from conftest import error_of, new_order
from loyalty_helpers import paid_order, set_clock, set_program
from service_helpers import answer, delivered_order, open_ticket, set_contact, solve, surveys

ALWAYS = {"timezone": "UTC", "weekdays": [1, 2, 3, 4, 5, 6, 7], "hours": {"start": "00:00", "end": "24:00"},
          "holidays": []}


def reply(shop, t):
    r = shop.post(f"/v1/tickets/{t['id']}/messages", {"author": "agent", "agent": "Ola", "body": "On it."})
    assert r.status_code == 201, r.text


def report(shop, query=""):
    r = shop.get("/v1/reports/service" + query)
    assert r.status_code == 200, r.text
    return r.json()


def test_service_report__response_times_sla_share_and_complaints_per_channel(shop, operator):
    shop.post("/v1/sla_policies", {"name": "Always", "calendar": ALWAYS, "targets": [
        {"first_response_minutes": 60, "resolution_minutes": 480},
        {"channel": "whatsapp", "first_response_minutes": 15, "resolution_minutes": 120}]})
    set_clock(operator, "2031-05-07T10:00:00Z")
    for _ in range(4):
        shop.post("/v1/orders", new_order(shop))
    quick, slow = open_ticket(shop), open_ticket(shop, customer={"email": "nino@example.com"})
    chat = open_ticket(shop, channel="whatsapp", customer={"whatsapp": "+48 600 100 200"})
    set_clock(operator, "2031-05-07T10:10:00Z")
    reply(shop, chat)                                       # 10 min, within 15
    set_clock(operator, "2031-05-07T10:30:00Z")
    reply(shop, quick)                                      # 30 min, within 60
    set_clock(operator, "2031-05-07T12:00:00Z")
    reply(shop, slow)                                       # 120 min: late
    solve(shop, quick["id"])                                # 120 min, within 480
    set_clock(operator, "2031-05-07T20:00:00Z")
    solve(shop, slow["id"])                                 # 600 min: late; chat still unsolved

    r = report(shop)
    email, whatsapp = r["channels"]
    assert email["channel"] == "email" and email["tickets"] == 2
    assert email["first_response_minutes"] == {"count": 2, "p50": 30.0, "p90": 120.0}
    assert email["resolution_minutes"] == {"count": 2, "p50": 120.0, "p90": 600.0}
    assert (email["sla"]["first_response_due"], email["sla"]["first_response_met"]) == (2, 1)
    assert email["sla"]["within"] == 0.5
    assert whatsapp["first_response_minutes"] == {"count": 1, "p50": 10.0, "p90": 10.0}
    assert whatsapp["resolution_minutes"] == {"count": 0, "p50": None, "p90": None}
    assert whatsapp["sla"]["first_response_within"] == 1.0
    assert whatsapp["sla"]["resolution_due"] == 1 and whatsapp["sla"]["resolution_within"] == 0.0, \
        "the unsolved chat is past its 2 hours"
    assert r["tickets"]["tickets"] == 3 and r["tickets"]["first_response_minutes"]["p50"] == 30.0
    assert r["tickets"]["sla"]["within"] == pytest.approx(3 / 6)
    assert r["complaints"] == {"tickets": 3, "orders": 4, "per_100_orders": 75.0}


def test_service_report__nps_and_csat_by_month_channel_and_tier_and_the_latest_suggestions(shop, operator):
    set_contact(shop)
    set_program(shop, pending_days=0, tiers={"basis": "points_earned", "window_days": 365,
                                             "levels": [{"name": "gold", "threshold": 50}]})
    set_clock(operator, "2031-05-07T10:00:00Z")
    gold = shop.post("/v1/customers", {"email": "gold@example.com"}).json()
    paid_order(shop, {"id": gold["id"]}, amount=6000)
    for i, (score, who, channel) in enumerate(((10, {"id": gold["id"]}, "web"), (9, {"email": "a@example.com"}, "web"),
                                               (3, {"email": "b@example.com"}, "app"))):
        set_clock(operator, f"2031-05-07T10:0{i}:00Z")
        o, _ = delivered_order(shop, who, channel=channel)
        s = [x for x in surveys(shop, o["customer"]) if x["order"] == o["id"]][0]
        assert answer(shop, s["answer"]["token"], score, suggestion=f"say {score}").status_code == 200
    set_clock(operator, "2031-06-02T10:00:00Z")
    o, _ = delivered_order(shop, {"email": "c@example.com"})
    answer(shop, surveys(shop, o["customer"])[0]["answer"]["token"], 7)
    for i, score in enumerate((5, 2)):
        set_clock(operator, f"2031-06-02T11:0{i}:00Z")
        t = open_ticket(shop, customer={"email": f"csat{score}@example.com"})
        solve(shop, t["id"])
        answer(shop, surveys(shop, t["customer"])[0]["answer"]["token"], score, suggestion=f"csat {score}")

    r = report(shop)
    nps = r["nps"]
    assert nps["total"] == {"answers": 4, "promoters": 2, "passives": 1, "detractors": 1, "nps": 25.0}
    assert [(m["key"], m["nps"]) for m in nps["by_month"]] == [("2031-05", pytest.approx(100 / 3)),
                                                            ("2031-06", 0.0)]
    assert {m["key"]: m["answers"] for m in nps["by_channel"]} == {"web": 3, "app": 1}
    assert {m["key"]: m["nps"] for m in nps["by_tier"]} == {"gold": 100.0, None: 0.0}
    assert r["csat"]["total"]["average"] == 3.5 and r["csat"]["total"]["dissatisfied"] == 1
    assert r["csat"]["by_channel"] == [{"key": "email", "answers": 2, "satisfied": 1, "neutral": 0,
                                        "dissatisfied": 1, "average": 3.5}]
    assert [s["suggestion"] for s in r["suggestions"]] == ["csat 2", "csat 5", "say 3", "say 9", "say 10"]
    # The detractors' tickets count as complaints: NPS 3 and CSAT 2, and the two CSAT tickets.
    assert r["complaints"]["tickets"] == 4

    may = report(shop, "?from=2031-05-01&to=2031-05-31")
    assert may["nps"]["total"]["answers"] == 3 and may["csat"]["total"]["answers"] == 0
    assert may["to"] == "2031-05-31T00:00:00Z" and [s["suggestion"] for s in may["suggestions"]] == \
        ["say 3", "say 9", "say 10"]


def test_service_report__of_a_quiet_shop_has_no_figures_only_zeros_and_nulls(shop):
    r = report(shop)
    assert r["channels"] == [] and r["tickets"]["tickets"] == 0
    assert r["complaints"] == {"tickets": 0, "orders": 0, "per_100_orders": None}
    assert r["nps"]["total"]["nps"] is None and r["csat"]["total"]["average"] is None
    assert r["suggestions"] == []


@pytest.mark.parametrize("query, param", [("?from=yesterday", "from"), ("?to=2031-13-01", "to"),
                                          ("?from=2031-06-01&to=2031-05-01", "to")])
def test_service_report__bad_dates_are_a_400(shop, query, param):
    r = shop.get("/v1/reports/service" + query)
    assert r.status_code == 400 and error_of(r)["param"] == param
