"""The dashboard's cohorts and RFM pages (issue 14): the numbers in their
marks are the report API's; RFM cells list, export and send offers."""
import csv
import io
import re

import pytest

from conftest import make_shop
from dashboard_helpers import data_values, sign_in
from loyalty_helpers import advance, paid_order, set_clock

EVIL = "<script>alert('x')</script>"


@pytest.fixture(scope="module")
def scene(server, operator):
    """Twelve customers buying from January to April 2031, one of them named
    with a script; seen on 10 May."""
    set_clock(operator, "2031-01-05T10:00:00Z")
    shop = make_shop(operator, "RFM Teas")
    ids = []
    for i in range(12):
        name = EVIL if i == 0 else f"Customer {i}"
        c = shop.post("/v1/customers", {"external_id": f"c{i}", "name": name,
                                        "email": f"c{i}@example.com"}).json()
        ids.append(c["id"])
    for month in range(4):
        set_clock(operator, f"2031-0{month + 1}-10T10:00:00Z")
        for i, cid in enumerate(ids):
            if i % 4 >= month or i < 3:
                paid_order(shop, {"id": cid}, amount=1000 * (i + 1))
    set_clock(operator, "2031-05-10T10:00:00Z")
    return shop, ids, sign_in(server, shop.key)


def test_dashboard_cohorts__the_heat_maps_hold_the_cohort_reports_numbers(scene):
    shop, _, b = scene
    page = b.get("/dashboard/cohorts")
    assert page.status_code == 200
    rep = shop.get("/v1/reports/cohorts").json()["cohorts"]
    want = [v for row in rep for v in row["retention"]]
    assert data_values(page.text, "cohort-retention") == pytest.approx(want, rel=1e-9)
    want = [v for row in rep for v in row["revenue_retention"]]
    assert data_values(page.text, "cohort-revenue") == pytest.approx(want, rel=1e-9)
    first = rep[0]
    assert first["cohort"] == "2031-01"
    assert f"<title>2031-01 ({first['customers']}), M1: {first['retention'][1] * 100:.1f}%</title>" in page.text


def test_dashboard_rfm__the_grid_counts_are_the_reports_customers_by_score(scene):
    shop, _, b = scene
    page = b.get("/dashboard/rfm").text
    rep = shop.get("/v1/reports/rfm?include=customers").json()
    cells = {(int(r), int(f)): (int(n), seg) for r, f, n, seg in
             re.findall(r'data-r="(\d)" data-f="(\d)" data-value="(\d+)" data-segment="([^"]*)"', page)}
    assert len(cells) == 25
    for (r, f), (n, seg) in cells.items():
        assert n == sum(1 for c in rep["customers_detail"] if c["r"] == r and c["f"] == f)
    segs = dict(re.findall(r'<tr data-segment="([^"]*)" data-value="(\d+)"', page))
    assert len(segs) == 11
    assert {s["segment"]: str(s["customers"]) for s in rep["segments"]} == segs
    assert sum(n for n, _ in cells.values()) == rep["customers"] == 12


def test_dashboard_rfm__a_cell_lists_its_customers_and_exports_them_as_csv(scene):
    shop, ids, b = scene
    rep = shop.get("/v1/reports/rfm?include=customers").json()["customers_detail"]
    evil = next(c for c in rep if c["customer"] == ids[0])
    page = b.get(f"/dashboard/rfm/customers?r={evil['r']}&f={evil['f']}")
    assert page.status_code == 200
    want = sorted(c["customer"] for c in rep if c["r"] == evil["r"] and c["f"] == evil["f"])
    assert sorted(re.findall(r'<tr data-customer="([^"]+)"', page.text)) == want
    assert EVIL not in page.text and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page.text
    href = re.search(r'id="rfm-csv" href="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    r = b.get(href)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert r.headers["Content-Security-Policy"].startswith("default-src 'none'")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert sorted(row["customer"] for row in rows) == want
    mine = next(row for row in rows if row["customer"] == ids[0])
    assert mine["name"] == EVIL and mine["segment"] == evil["segment"]
    assert int(mine["monetary"]) == evil["monetary"]


def test_dashboard_rfm__a_segment_lists_its_customers(scene):
    shop, _, b = scene
    rep = shop.get("/v1/reports/rfm?include=customers").json()["customers_detail"]
    seg = rep[0]["segment"]
    page = b.get("/dashboard/rfm/customers", params={"segment": seg})
    assert page.status_code == 200
    want = sorted(c["customer"] for c in rep if c["segment"] == seg)
    assert sorted(re.findall(r'<tr data-customer="([^"]+)"', page.text)) == want


@pytest.mark.parametrize("query", ["r=6&f=1", "r=x", "segment=nobody", "", "segment=" + EVIL])
def test_dashboard_rfm__a_bad_selection_is_400_and_escaped(scene, query):
    _, _, b = scene
    r = b.get("/dashboard/rfm/customers?" + query)
    assert r.status_code == 400
    assert "<script>" not in r.text


def test_dashboard_rfm__a_csv_field_that_looks_like_a_formula_is_defused(server, operator):
    set_clock(operator, "2031-05-10T10:00:00Z")
    shop = make_shop(operator)
    c = shop.post("/v1/customers", {"name": "=HYPERLINK(\"x\")", "email": "f@example.com"}).json()
    paid_order(shop, {"id": c["id"]})
    b = sign_in(server, shop.key)
    r = b.get("/dashboard/rfm/customers.csv?segment=" + shop.get(
        "/v1/reports/rfm?include=customers").json()["customers_detail"][0]["segment"])
    row = next(csv.DictReader(io.StringIO(r.text)))
    assert row["name"] == "'=HYPERLINK(\"x\")"


def test_dashboard_rfm__the_offer_form_issues_the_campaign_to_the_cells_customers(scene):
    shop, ids, b = scene
    camp = shop.post("/v1/campaigns", {"name": "Come back", "type": "personal",
                                       "starts_at": "2031-01-01T00:00:00Z",
                                       "discount": {"kind": "percent", "value": 10}}).json()
    rep = shop.get("/v1/reports/rfm?include=customers").json()["customers_detail"]
    target = next(c for c in rep if c["customer"] == ids[5])
    query = f"r={target['r']}&f={target['f']}"
    members = [c["customer"] for c in rep if c["r"] == target["r"] and c["f"] == target["f"]]
    page = b.get("/dashboard/rfm/customers?" + query)
    assert 'id="offer-form"' in page.text and camp["id"] in page.text
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    bad = b.post("/dashboard/rfm/offer", {"r": target["r"], "f": target["f"], "campaign": camp["id"]})
    assert bad.status_code == 403
    assert all(shop.get(f"/v1/customers/{m}/offers").json()["data"] == [] for m in members)
    r = b.post("/dashboard/rfm/offer", {"csrf": token, "r": target["r"], "f": target["f"],
                                        "segment": "", "campaign": camp["id"]})
    assert r.status_code == 200, r.text
    assert f'data-issued="{len(members)}"' in r.text
    for m in members:
        assert len(shop.get(f"/v1/customers/{m}/offers").json()["data"]) == 1
    others = [c["customer"] for c in rep if c["customer"] not in members]
    assert all(shop.get(f"/v1/customers/{m}/offers").json()["data"] == [] for m in others)
    again = b.post("/dashboard/rfm/offer", {"csrf": token, "r": target["r"], "f": target["f"],
                                            "campaign": camp["id"]})
    assert f'data-issued="0" data-existing="{len(members)}"' in again.text


@pytest.fixture(scope="module")
def clv_scene(server, operator):
    """30 customers over 40 weeks of 2031, 20 of them buying again."""
    set_clock(operator, "2031-01-06T10:00:00Z")
    shop = make_shop(operator, "CLV Teas")
    ids = [shop.post("/v1/customers", {"name": EVIL if i == 8 else f"Buyer {i}",
                                       "email": f"b{i}@example.com"}).json()["id"] for i in range(30)]
    for week in range(40):
        set_clock(operator, "2031-01-06T10:00:00Z")
        advance(operator, days=7 * week)
        for i, cid in enumerate(ids):
            if week == i % 5 or (i < 20 and week % (3 + i % 7) == 0 and week > 5 and week < 40 - i):
                paid_order(shop, {"id": cid}, amount=500 + 250 * (i % 9))
    set_clock(operator, "2031-10-20T10:00:00Z")
    return shop, ids, sign_in(server, shop.key)


def test_dashboard_clv__the_histogram_scatter_and_top_customers_are_the_clv_reports(clv_scene):
    shop, ids, b = clv_scene
    rep = shop.get("/v1/reports/clv?include=customers").json()
    assert rep["enough_data"], rep.get("reason")
    page = b.get("/dashboard/clv")
    assert page.status_code == 200
    detail = []
    for cid in ids:
        p = shop.get(f"/v1/customers/{cid}/predictions").json()
        detail.append({"customer": cid, "clv": p["clv"]["value"], "p_alive": p["p_alive"]})
    assert figure_of(page.text, "clv-total") == pytest.approx(rep["clv"]["total"], rel=1e-9)
    bins = data_values(page.text, "clv-histogram")
    assert len(bins) == 10 and sum(bins) == len(detail) == rep["customers"]
    hi = max(c["clv"] for c in detail)
    want = [0] * 10
    for c in detail:
        want[min(9, int(c["clv"] / hi * 10))] += 1
    assert bins == want
    alive = data_values(page.text, "clv-scatter")
    assert sorted(alive) == pytest.approx(sorted(c["p_alive"] for c in detail), rel=1e-6)
    top = re.findall(r'<tr data-customer="([^"]+)" data-value="([^"]+)"', page.text)
    best = sorted(detail, key=lambda c: (-c["clv"], c["customer"]))[:20]
    assert [t[0] for t in top] == [c["customer"] for c in best]
    assert [float(t[1]) for t in top] == pytest.approx([c["clv"] for c in best], rel=1e-6)
    params = dict(re.findall(r'data-param="(\w+)" data-value="([^"]+)"', page.text))
    assert float(params["alpha"]) == pytest.approx(rep["bgnbd"]["params"]["alpha"], rel=1e-9)
    assert ids[8] in [t[0] for t in top]
    assert EVIL not in page.text and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page.text


def figure_of(text, id):
    return float(re.search(r'id="%s" data-value="([^"]+)"' % id, text).group(1))


def test_dashboard_clv__too_little_data_says_why(server, operator):
    shop = make_shop(operator)
    page = sign_in(server, shop.key).get("/dashboard/clv")
    assert page.status_code == 200 and 'id="clv-not-enough"' in page.text
