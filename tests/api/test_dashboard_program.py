"""The dashboard's programme and campaigns page (issue 14): the programme's
terms read-only, each campaign's uses and cost as the API shows them, and a
backtest form that answers what POST /v1/campaigns/{id}/backtest answers."""
import re

from conftest import make_shop, new_order
from dashboard_helpers import CSRF, sign_in, unescaped
from loyalty_helpers import set_clock, set_program

EVIL = "<script>alert(1)</script>"


def setup_shop(server, operator):
    set_clock(operator, "2031-03-10T12:00:00Z")
    shop = make_shop(operator)
    set_program(shop, point_value=3)
    camp = shop.post("/v1/campaigns", {"name": EVIL, "type": "personal", "starts_at": "2031-03-01T00:00:00Z",
                                       "discount": {"kind": "percent", "value": 10}}).json()
    cid = shop.post("/v1/customers", {"email": "p@example.com"}).json()["id"]
    shop.post(f"/v1/campaigns/{camp['id']}/issue", {"customers": [cid]})
    [offer] = shop.get(f"/v1/customers/{cid}/offers").json()["data"]
    order = shop.post("/v1/orders", new_order(shop, customer={"id": cid})).json()
    r = shop.post("/v1/coupons/redeem", {"code": offer["code"], "customer": order["customer"],
                                         "order": order["id"]})
    assert r.status_code == 201, r.text
    shop.post(f"/v1/orders/{order['id']}/payments", {"status": "paid"})
    return shop, camp, sign_in(server, shop.key)


def test_dashboard_program__the_terms_and_each_campaigns_uses_and_cost(server, operator):
    shop, camp, b = setup_shop(server, operator)
    page = b.get("/dashboard/program")
    assert page.status_code == 200
    terms = shop.get("/v1/program/terms").json()
    assert 'data-point-value="3"' in page.text
    usage = shop.get(f"/v1/campaigns/{camp['id']}").json()["usage"]
    m = re.search(r'data-campaign="%s" data-uses="(\d+)" data-cost="(\d+)"' % camp["id"], page.text)
    assert (int(m.group(1)), int(m.group(2))) == (usage["uses"], usage["discount_given"])
    assert usage["uses"] == 1 and usage["discount_given"] > 0
    assert EVIL not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<form" in page.text and 'method="post"' in page.text
    shown = re.search(r'<pre id="program-terms">(.*?)</pre>', page.text, re.S).group(1)
    assert unescaped(shown) == terms["text"]


def test_dashboard_program__the_backtest_form_answers_as_the_api(server, operator):
    shop, camp, b = setup_shop(server, operator)
    token = CSRF.search(b.get("/dashboard/program").text).group(1)
    r = b.post(f"/dashboard/campaigns/{camp['id']}/backtest", {"csrf": token, "days": "30"})
    assert r.status_code == 200, r.text
    api = shop.post(f"/v1/campaigns/{camp['id']}/backtest", {"days": 30}).json()
    m = re.search(r'data-days="(\d+)" data-orders-considered="(\d+)" data-orders-reached="(\d+)"'
                  r' data-customers-reached="(\d+)"', r.text)
    assert [int(x) for x in m.groups()] == [api["days"], api["orders_considered"], api["orders_reached"],
                                            api["customers_reached"]]
    for cur in api["by_currency"]:
        assert f'data-currency="{cur["currency"]}" data-value="{cur["discount_total"]}"' in r.text


def test_dashboard_program__a_bad_backtest_is_400_and_another_shops_campaign_404(server, operator):
    shop, camp, b = setup_shop(server, operator)
    token = CSRF.search(b.get("/dashboard/program").text).group(1)
    assert b.post(f"/dashboard/campaigns/{camp['id']}/backtest", {"csrf": token, "days": "0"}).status_code == 400
    assert b.post(f"/dashboard/campaigns/{camp['id']}/backtest", {"csrf": token, "days": "x"}).status_code == 400
    other = make_shop(operator)
    theirs = other.post("/v1/campaigns", {"name": "theirs", "type": "personal", "starts_at": "2031-03-01T00:00:00Z",
                                          "discount": {"kind": "percent", "value": 5}}).json()
    r = b.post(f"/dashboard/campaigns/{theirs['id']}/backtest", {"csrf": token, "days": "30"})
    assert r.status_code == 404 and "theirs" not in r.text


# ---- issue 14, the last round: the draft programme's backtest form ----

import json as _json  # noqa: E402

DRAFT = {"earn": {"points_per_unit": 3}, "point_value": 2, "pending_days": 0, "expiry": {"policy": "never"}}


def test_dashboard_program__the_draft_backtest_answers_as_the_api_and_saves_nothing(server, operator):
    shop, _, _ = setup_shop(server, operator)
    set_clock(operator, "2031-03-10T18:00:00Z")                 # the order is hours old
    b = sign_in(server, shop.key)
    before = shop.get("/v1/program").json()
    page = b.get("/dashboard/program").text
    assert 'id="program-backtest-form"' in page and 'action="/dashboard/program/backtest"' in page
    token = CSRF.search(page).group(1)
    r = b.post("/dashboard/program/backtest", {"csrf": token, "days": "30", "program": _json.dumps(DRAFT)})
    assert r.status_code == 200, r.text[:500]
    api = shop.post("/v1/program/backtest", {"days": 30, "program": DRAFT}).json()
    m = re.search(r'id="program-backtest-result" data-days="(\d+)" data-orders-considered="(\d+)"'
                  r' data-orders-reached="(\d+)" data-customers-reached="(\d+)" data-difference="(-?\d+)"', r.text)
    assert [int(x) for x in m.groups()] == [api["days"], api["orders_considered"], api["orders_reached"],
                                            api["customers_reached"], api["difference"]]
    row = re.search(r'data-field="points_issued" data-draft="(\d+)" data-current="(\d+)"', r.text)
    assert (int(row.group(1)), int(row.group(2))) == (api["points_issued_draft"], api["points_issued_current"])
    assert api["points_issued_draft"] > 0
    cost = re.search(r'data-field="cost" data-draft="(\d+)" data-current="(\d+)"', r.text)
    assert int(cost.group(1)) == api["points_issued_draft"] * 2
    assert int(cost.group(2)) == api["points_issued_current"] * 3
    assert shop.get("/v1/program").json() == before              # nothing saved
    assert "&quot;points_per_unit&quot;: 3" in r.text            # the form holds the draft again


def test_dashboard_program__a_bad_draft_is_400_naming_the_field_and_escaped(server, operator):
    shop, _, b = setup_shop(server, operator)
    token = b.csrf("/dashboard/program")
    r = b.post("/dashboard/program/backtest", {"csrf": token, "program": "{\"earn\": " + EVIL})
    assert r.status_code == 400 and EVIL not in r.text
    r = b.post("/dashboard/program/backtest", {"csrf": token, "program": _json.dumps({"point_value": "x"})})
    assert r.status_code == 400 and "point_value" in r.text
    r = b.post("/dashboard/program/backtest", {"csrf": token, "program": "{}", "days": "0"})
    assert r.status_code == 400
    assert b.post("/dashboard/program/backtest", {"program": "{}"}).status_code == 403
