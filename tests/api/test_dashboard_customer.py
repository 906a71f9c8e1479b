"""The dashboard's customer page (issue 14): the overview an agent reads,
as the API's overview shows it, and a manual points adjustment through the
ledger; another shop's customer is 404; a script in a name or review is
shown escaped."""
import re

import pytest

from conftest import make_shop
from dashboard_helpers import CSRF, sign_in
from loyalty_helpers import paid_order, set_clock, set_program
from review_helpers import bought, review
from service_helpers import open_ticket

EVIL = "<script>alert('c')</script>"
ESCAPED = "&lt;script&gt;alert(&#39;c&#39;)&lt;/script&gt;"


def field(text, name):
    m = re.search(r'data-field="%s"(?: data-value="([^"]*)")?>([^<]*)<' % name, text)
    assert m, name
    return m.group(1) if m.group(1) is not None else m.group(2)


@pytest.fixture
def scene(server, operator):
    set_clock(operator, "2031-05-07T10:00:00Z")
    shop = make_shop(operator)
    set_program(shop, pending_days=0, tiers={"basis": "points_earned", "window_days": 365,
                                             "levels": [{"name": "silver", "threshold": 20},
                                                        {"name": "gold", "threshold": 100}]})
    c = shop.post("/v1/customers", {"external_id": "olga", "name": EVIL, "email": "olga@example.com"}).json()
    paid_order(shop, {"id": c["id"]}, amount=3000)
    bought(shop, c["id"])
    review(shop, c["id"], rating=2, title="Meh", body=EVIL)
    open_ticket(shop, customer={"id": c["id"]}, subject="Where " + EVIL)
    return shop, c, sign_in(server, shop.key)


def test_dashboard_customer__the_page_shows_the_apis_overview(scene):
    shop, c, b = scene
    page = b.get(f"/dashboard/customers/{c['id']}")
    assert page.status_code == 200
    ov = shop.get(f"/v1/customers/{c['id']}/overview").json()
    pts = ov["loyalty"]["points"]
    assert int(field(page.text, "available")) == pts["available"]
    assert int(field(page.text, "pending")) == pts["pending"]
    assert int(field(page.text, "lifetime_earned")) == pts["lifetime_earned"]
    tier = ov["loyalty"]["tier"]
    assert tier["name"] == "silver" and tier["next"]["name"] == "gold"
    assert field(page.text, "tier") == tier["name"] and field(page.text, "next_tier") == "gold"
    assert sorted(re.findall(r'<tr data-order="([^"]+)"', page.text)) == sorted(o["id"] for o in ov["orders"])
    assert sorted(re.findall(r'<li data-ticket="([^"]+)"', page.text)) == sorted(t["id"] for t in ov["open_tickets"])
    assert re.findall(r'<li data-review="([^"]+)"', page.text) == [r["id"] for r in ov["reviews"]["latest"]]
    assert EVIL not in page.text and page.text.count(ESCAPED) >= 3


def test_dashboard_customer__another_shops_customer_is_404(scene, server, operator):
    shop, c, b = scene
    other = make_shop(operator)
    theirs = other.post("/v1/customers", {"name": "Theirs Only"}).json()
    r = b.get(f"/dashboard/customers/{theirs['id']}")
    assert r.status_code == 404 and "Theirs Only" not in r.text
    assert r.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert b.get("/dashboard/customers/cus_nope").status_code == 404
    token = CSRF.search(b.get("/dashboard/overview").text).group(1)
    r = b.post(f"/dashboard/customers/{theirs['id']}/adjust", {"csrf": token, "points": "5", "reason": "x"})
    assert r.status_code == 404
    assert other.get(f"/v1/customers/{theirs['id']}/loyalty").json()["points"]["available"] == 0


def test_dashboard_customer__a_manual_adjustment_goes_through_the_ledger(scene):
    shop, c, b = scene
    before = shop.get(f"/v1/customers/{c['id']}/loyalty").json()["points"]["available"]
    token = CSRF.search(b.get(f"/dashboard/customers/{c['id']}").text).group(1)
    r = b.post(f"/dashboard/customers/{c['id']}/adjust", {"csrf": token, "points": "25", "reason": "goodwill"})
    assert r.status_code == 303 and r.headers["Location"] == f"/dashboard/customers/{c['id']}"
    assert shop.get(f"/v1/customers/{c['id']}/loyalty").json()["points"]["available"] == before + 25
    [entry] = [x for x in shop.get(f"/v1/customers/{c['id']}/ledger").json()["data"] if x["points"] == 25]
    assert int(field(b.get(f"/dashboard/customers/{c['id']}").text, "available")) == before + 25
    r = b.post(f"/dashboard/customers/{c['id']}/adjust", {"csrf": token, "points": str(-(before + 100)),
                                                          "reason": "too much"})
    assert r.status_code == 422
    assert shop.get(f"/v1/customers/{c['id']}/loyalty").json()["points"]["available"] == before + 25


@pytest.mark.parametrize("form", [{"points": "0", "reason": "x"}, {"points": "abc", "reason": "x"},
                                  {"points": "5", "reason": ""}, {"points": "5"},
                                  {"points": "2000000000", "reason": "x"}, {"reason": "x"}])
def test_dashboard_customer__a_bad_adjustment_is_400_and_changes_nothing(scene, form):
    shop, c, b = scene
    before = shop.get(f"/v1/customers/{c['id']}/loyalty").json()["points"]
    token = CSRF.search(b.get(f"/dashboard/customers/{c['id']}").text).group(1)
    r = b.post(f"/dashboard/customers/{c['id']}/adjust", dict(form, csrf=token))
    assert r.status_code == 400
    assert shop.get(f"/v1/customers/{c['id']}/loyalty").json()["points"] == before


def test_dashboard_customer__an_adjustment_without_its_token_is_403(scene):
    shop, c, b = scene
    before = shop.get(f"/v1/customers/{c['id']}/loyalty").json()["points"]
    r = b.post(f"/dashboard/customers/{c['id']}/adjust", {"points": "5", "reason": "x"})
    assert r.status_code == 403
    assert shop.get(f"/v1/customers/{c['id']}/loyalty").json()["points"] == before
