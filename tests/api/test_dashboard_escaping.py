"""Issue 14's security test: a <script> in a customer's name, a review, a
ticket, a campaign or a shop's name is shown escaped on every dashboard page
that shows it, and never raw on any page."""
import re

import pytest

from conftest import OPERATOR_KEY, make_shop
from dashboard_helpers import sign_in
from loyalty_helpers import paid_order, set_clock, set_program
from review_helpers import bought, review
from service_helpers import open_ticket

EVIL = "<script>alert(\"e\")</script>"
ESCAPED = "&lt;script&gt;alert(&quot;e&quot;)&lt;/script&gt;"


@pytest.fixture(scope="module")
def scene(server, operator):
    set_clock(operator, "2031-05-07T10:00:00Z")
    shop = make_shop(operator, EVIL)
    set_program(shop, pending_days=0)
    c = shop.post("/v1/customers", {"name": EVIL, "email": "e@example.com", "external_id": EVIL}).json()
    paid_order(shop, {"id": c["id"]})
    bought(shop, c["id"])
    review(shop, c["id"], rating=1, title=EVIL, body=EVIL)
    open_ticket(shop, customer={"id": c["id"]}, subject=EVIL)
    shop.post("/v1/campaigns", {"name": EVIL, "type": "personal", "starts_at": "2031-05-01T00:00:00Z",
                                "discount": {"kind": "percent", "value": 10}})
    rfm = shop.get("/v1/reports/rfm?include=customers").json()["customers_detail"][0]
    return shop, c, rfm, sign_in(server, shop.key)


SHOWN = {  # page -> does it show one of the scripted texts
    "/dashboard/overview": False,
    "/dashboard/cohorts": False,
    "/dashboard/rfm": False,
    "/dashboard/clv": False,
    "/dashboard/program": True,
    "/dashboard/queues": True,
    "/dashboard/customers/{id}": True,
    "/dashboard/rfm/customers?r={r}&f={f}": True,
}


@pytest.mark.parametrize("page", sorted(SHOWN))
def test_dashboard_escaping__a_script_is_never_raw_and_escaped_where_shown(scene, page):
    shop, c, rfm, b = scene
    r = b.get(page.format(id=c["id"], r=rfm["r"], f=rfm["f"]))
    assert r.status_code == 200, r.text[:300]
    assert "<script>alert" not in r.text
    assert not re.search(r"<script(?! src=\"/dashboard/assets/dashboard.js\" defer></script>)", r.text)
    if SHOWN[page]:
        assert ESCAPED in r.text


def test_dashboard_escaping__the_customer_page_escapes_name_ids_review_and_ticket(scene):
    shop, c, rfm, b = scene
    text = b.get(f"/dashboard/customers/{c['id']}").text
    assert text.count(ESCAPED) >= 5      # name (title), external id, review title, body, ticket


def test_dashboard_escaping__the_shops_page_escapes_the_shops_name(server, scene):
    b = sign_in(server, OPERATOR_KEY)
    text = b.get("/dashboard/shops").text
    assert "<script>alert" not in text and ESCAPED in text


def test_dashboard_escaping__the_csv_holds_the_text_as_it_is(scene):
    shop, c, rfm, b = scene
    r = b.get(f"/dashboard/rfm/customers.csv?r={rfm['r']}&f={rfm['f']}")
    assert '"<script>alert(""e"")</script>"' in r.text
