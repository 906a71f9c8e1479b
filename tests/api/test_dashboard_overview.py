"""The dashboard's overview (issue 14): each headline figure and each point
of its 12-month trend is what the report API answers for the same window."""
import pytest

from conftest import make_shop, new_order
from dashboard_helpers import data_values, figure, sign_in
from loyalty_helpers import paid_order, set_clock, set_program
from service_helpers import delivered_order, open_ticket

MONTHS = ["2030-07", "2030-08", "2030-09", "2030-10", "2030-11", "2030-12",
          "2031-01", "2031-02", "2031-03", "2031-04", "2031-05", "2031-06"]
MONTH_END = {"2031-03": "2031-03-31T23:59:59.999Z", "2031-04": "2031-04-30T23:59:59.999Z",
             "2031-05": "2031-05-31T23:59:59.999Z"}


def report(shop, path):
    r = shop.get(path)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture(scope="module")
def scene(server, operator):
    """A shop with purchases in March and April 2031, a member, a delivery on
    time and one late, a ticket answered in 30 minutes; seen on 15 June."""
    set_clock(operator, "2031-03-10T10:00:00Z")
    shop = make_shop(operator, "Overview Teas")
    set_program(shop, pending_days=0, point_value=2,
                rewards=[{"key": "ship", "kind": "free_shipping", "name": "Free shipping", "cost": 10}])
    ann = shop.post("/v1/customers", {"external_id": "ann", "name": "Ann"}).json()
    shop.post(f"/v1/customers/{ann['id']}/account", {})
    bob = shop.post("/v1/customers", {"external_id": "bob", "name": "Bob"}).json()
    paid_order(shop, {"id": ann["id"]})
    paid_order(shop, {"id": bob["id"]})
    set_clock(operator, "2031-04-10T10:00:00Z")
    paid_order(shop, {"id": ann["id"]})
    r = shop.post(f"/v1/customers/{ann['id']}/redemptions", {"reward": "ship"})
    assert r.status_code == 201, r.text
    delivered_order(shop, {"id": ann["id"]}, at="2031-04-11T10:00:00Z",
                    promised_delivery_at="2031-04-12T18:00:00Z")
    delivered_order(shop, {"id": bob["id"]}, at="2031-04-20T10:00:00Z",
                    promised_delivery_at="2031-04-12T18:00:00Z")
    set_clock(operator, "2031-05-07T10:00:00Z")
    t = open_ticket(shop)
    set_clock(operator, "2031-05-07T10:30:00Z")
    r = shop.post(f"/v1/tickets/{t['id']}/messages", {"author": "agent", "agent": "Ola", "body": "On it."})
    assert r.status_code == 201, r.text
    set_clock(operator, "2031-06-15T12:00:00Z")
    page = sign_in(server, shop.key).get("/dashboard/overview")
    assert page.status_code == 200, page.text
    return shop, page.text


def test_dashboard_overview__the_repeat_rate_is_the_retention_reports_over_365_days(scene):
    shop, text = scene
    now = report(shop, "/v1/reports/retention?from=2030-06-15T12:00:00Z&to=2031-06-15T12:00:00Z")
    assert figure(text, "repeat-rate") == pytest.approx(now["all"]["repeat_rate"]) == 0.5
    trend = data_values(text, "trend-repeat-rate")
    assert len(trend) == 12
    for month, end in MONTH_END.items():
        from_ = end.replace("2031", "2030", 1)
        r = report(shop, f"/v1/reports/retention?from={from_}&to={end}")
        assert trend[MONTHS.index(month)] == pytest.approx(r["all"]["repeat_rate"], nan_ok=True)
    assert trend[MONTHS.index("2031-03")] == 0 and trend[-1] == 0.5


def test_dashboard_overview__active_members_are_the_members_who_bought_in_365_days(scene):
    shop, text = scene
    now = report(shop, "/v1/reports/retention?from=2030-06-15T12:00:00Z&to=2031-06-15T12:00:00Z")
    members = now["members_vs_non_members"]["members"]["customers"]
    assert figure(text, "active-members") == members == 1
    assert data_values(text, "trend-active-members")[MONTHS.index("2031-03"):] == [1, 1, 1, 1]
    assert data_values(text, "trend-active-members")[0] == 0


def test_dashboard_overview__points_liability_is_the_outstanding_points_times_their_value(scene):
    shop, text = scene
    customers = shop.get("/v1/customers?limit=100").json()["data"]
    outstanding = 0
    for c in customers:
        p = shop.get(f"/v1/customers/{c['id']}/loyalty").json()["points"]
        outstanding += p["available"] + p["pending"]
    assert outstanding == 20
    assert figure(text, "liability") == outstanding * 2
    assert "0.40 EUR" in text
    trend = data_values(text, "trend-liability")
    assert trend[MONTHS.index("2031-02")] == 0
    assert trend[MONTHS.index("2031-03")] == 40 and trend[MONTHS.index("2031-04")] == 40
    assert trend[-1] == 40


def test_dashboard_overview__the_redemption_rate_is_redeemed_of_earned_points(scene):
    _, text = scene
    assert figure(text, "redemption-rate") == pytest.approx(10 / 30)
    trend = data_values(text, "trend-redemption-rate")
    assert trend[MONTHS.index("2031-03")] == 0 and trend[MONTHS.index("2031-04")] == 1
    assert trend[MONTHS.index("2031-05")] is None


def test_dashboard_overview__on_time_delivery_is_the_delivery_report_by_month(scene):
    shop, text = scene
    d = report(shop, "/v1/reports/delivery?group=month&from=2030-07-01&to=2031-06-30")
    assert figure(text, "on-time") == pytest.approx(d["total"]["on_time_rate"]) == 0.5
    trend = data_values(text, "trend-on-time")
    by_month = {g["key"]: g["on_time_rate"] for g in d["groups"]}
    assert by_month == {"2031-04": 0.5}
    assert trend == [by_month.get(m) for m in MONTHS]


def test_dashboard_overview__first_response_and_nps_are_the_service_reports(scene):
    shop, text = scene
    s = report(shop, "/v1/reports/service?from=2030-07-01&to=2031-06-30")
    assert figure(text, "first-response") == s["tickets"]["first_response_minutes"]["p50"] == 30
    trend = data_values(text, "trend-first-response")
    assert trend[MONTHS.index("2031-05")] == 30
    assert [v for i, v in enumerate(trend) if i != MONTHS.index("2031-05")] == [None] * 11
    assert figure(text, "nps") is None and s["nps"]["total"]["nps"] is None
    assert data_values(text, "trend-nps") == [None] * 12


def test_dashboard_overview__every_trend_is_an_accessible_svg_with_titles(scene):
    _, text = scene
    for card in ["repeat-rate", "active-members", "liability", "redemption-rate", "on-time", "first-response", "nps"]:
        assert f'id="trend-{card}" role="img"' in text
    assert "<title>2031-04: 100.0%</title>" in text or "<title>2031-04: 50.0%</title>" in text
    assert "<script>" not in text
