"""Retention reports (issue 5) on a small hand-made history whose answers are
worked out below, and the report endpoints on the imported CDNOW sample."""
import json
import os
import subprocess

import pytest

from conftest import BIN, OPERATOR_KEY, ROOT, Api, Server, error_of, make_shop, new_order
from loyalty_helpers import set_program

# 2024 history, EUR. D's only order is refunded in full and B's last one is
# unpaid: neither is a purchase. E bought something that cost nothing.
HISTORY = [
    ("A", "2024-01-05", 10000), ("A", "2024-01-20", 5000), ("A", "2024-03-10", 3000),
    ("B", "2024-01-15", 2000),
    ("C", "2024-02-01", 4000), ("C", "2024-04-01", 4000),
    ("D", "2024-02-10", 1000),
    ("E", "2024-03-05", 0),
]


@pytest.fixture(scope="module")
def shop_with_history(operator):
    api = make_shop(operator, "Hand-made")
    set_program(api)
    ids = {}
    for name in "ABCDE":
        body = {"external_id": name}
        if name in "AD":
            body["account"] = True
        ids[name] = api.post("/v1/customers", body).json()["id"]
    for i, (who, day, amount) in enumerate(HISTORY):
        o = api.post("/v1/orders", new_order(api, external_id=f"H{i}", customer={"id": ids[who]},
                                             placed_at=f"{day}T12:00:00Z",
                                             lines=[{"sku": "x", "quantity": 1, "unit_price": amount}])).json()
        api.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})
        if who == "D":
            api.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "all", "amount": amount})
    api.post("/v1/orders", new_order(api, external_id="unpaid", customer={"id": ids["B"]},
                                     placed_at="2024-05-01T12:00:00Z"))
    api.ids = ids
    return api


Q = "from=2024-01-01&to=2024-06-30"


def test_repeat_rate_order_values_and_time_between_orders(shop_with_history):
    r = shop_with_history.get(f"/v1/reports/retention?{Q}").json()
    a = r["all"]
    # A, B, C, E bought; 7 orders; A and C more than once; 280.00 in all.
    assert (a["customers"], a["orders"], a["repeat_customers"], a["revenue"]) == (4, 7, 2, 28000)
    assert a["repeat_rate"] == 0.5 and a["average_order_value"] == 4000 and a["revenue_per_customer"] == 7000
    assert a["orders_per_customer"] == 1.75
    # Gaps: A 15 and 50 days, C 60 days.
    assert r["days_between_orders"] == {"mean": pytest.approx(125 / 3), "median": 50, "gaps": 3}


def test_members_compared_with_non_members(shop_with_history):
    m = shop_with_history.get(f"/v1/reports/retention?{Q}").json()["members_vs_non_members"]
    assert (m["members"]["customers"], m["members"]["orders"], m["members"]["revenue"]) == (1, 3, 18000)
    assert m["members"]["repeat_rate"] == 1.0
    assert (m["non_members"]["customers"], m["non_members"]["orders"], m["non_members"]["revenue"]) == (3, 4, 10000)
    assert m["non_members"]["repeat_rate"] == pytest.approx(1 / 3)


def test_monthly_cohorts_and_revenue_retention(shop_with_history):
    rows = {c["cohort"]: c for c in shop_with_history.get(f"/v1/reports/cohorts?{Q}").json()["cohorts"]}
    assert list(rows) == ["2024-01", "2024-02", "2024-03", "2024-04"]
    jan = rows["2024-01"]   # A and B
    assert jan["customers"] == 2 and jan["retention"] == [1.0, 0.0, 0.5, 0.0]
    assert jan["first_month_revenue"] == 17000
    assert jan["revenue_retention"] == pytest.approx([1.0, 0.0, 3000 / 17000, 0.0])
    feb = rows["2024-02"]   # C
    assert feb["retention"] == [1.0, 0.0, 1.0] and feb["revenue_retention"] == [1.0, 0.0, 1.0]
    mar = rows["2024-03"]   # E, who paid nothing: no division by zero
    assert mar["retention"] == [1.0, 0.0] and mar["revenue_retention"] == [0.0, 0.0]
    assert rows["2024-04"]["customers"] == 0


def test_rfm_scores_and_segments(shop_with_history):
    r = shop_with_history.get(f"/v1/reports/rfm?{Q}&include=customers").json()
    by_id = {c["customer"]: c for c in r["customers_detail"]}
    ids = shop_with_history.ids
    got = {name: (by_id[ids[name]]["recency_days"], by_id[ids[name]]["frequency"], by_id[ids[name]]["r"],
                  by_id[ids[name]]["f"], by_id[ids[name]]["segment"]) for name in "ABCE"}
    assert got == {"A": (112, 3, 3, 4, "loyal"), "B": (167, 1, 1, 1, "lost"),
                   "C": (90, 2, 4, 3, "loyal"), "E": (117, 1, 2, 1, "hibernating")}
    segments = {s["segment"]: (s["customers"], s["revenue"]) for s in r["segments"]}
    assert segments["loyal"] == (2, 26000) and segments["lost"] == (1, 2000)
    assert segments["hibernating"] == (1, 0) and segments["champions"] == (0, 0)
    assert len(segments) == 11


def test_a_channel_filter_and_an_empty_shop(shop_with_history, operator):
    r = shop_with_history.get(f"/v1/reports/retention?{Q}&channel=app").json()
    assert r["all"]["customers"] == 0 and r["days_between_orders"]["mean"] is None
    empty = make_shop(operator, "Empty")
    for name in ("retention", "cohorts", "rfm", "clv"):
        resp = empty.get(f"/v1/reports/{name}")
        assert resp.status_code == 200 and "nan" not in resp.text.lower()
    assert empty.get("/v1/reports/clv").json()["enough_data"] is False


@pytest.mark.parametrize("query,param", [("from=yesterday", "from"), ("from=2025-01-01&to=2024-01-01", "from"),
                                         ("currency=EURO", "currency"), ("months=0", "months"),
                                         ("horizon_weeks=-3", "horizon_weeks")])
def test_bad_report_parameters_are_400(shop_with_history, query, param):
    r = shop_with_history.get(f"/v1/reports/clv?{query}")
    assert r.status_code == 400 and error_of(r)["param"] == param


def test_reports_see_only_their_own_shop(shop_with_history, operator):
    other = make_shop(operator, "Other")
    assert other.get(f"/v1/reports/retention?{Q}").json()["all"]["customers"] == 0
    assert other.get(f"/v1/customers/{shop_with_history.ids['A']}/predictions").status_code == 404


def test_clv_report_and_predictions_over_the_api_on_cdnow(tmp_path):
    srv = Server(str(tmp_path))
    shop = json.loads(subprocess.run([BIN, "shop", "create", "CDNOW", "--db", srv.db, "--json"],
                                     capture_output=True, text=True, check=True).stdout)
    subprocess.run([BIN, "import", "orders", os.path.join(ROOT, "tests/data/cdnow/CDNOW_sample.txt"),
                    "--db", srv.db, "--shop", shop["id"], "--map", "customer=1,date=2,quantity=3,amount=4",
                    "--date-format", "%Y%m%d", "--currency", "USD"], capture_output=True, check=True)
    srv.start()
    try:
        api = Api(srv, shop["secret_key"])
        r = api.get("/v1/reports/clv?to=1997-09-30").json()
        p = r["bgnbd"]["params"]
        assert [float(f"{p[k]:.3g}") for k in ("r", "alpha", "a", "b")] == [0.243, 4.41, 0.793, 2.43]
        assert r["clv"]["months"] == 12 and r["churn_risk"]["low"] > 0
        pred = api.get("/v1/customers/ext:0001/predictions").json()
        assert pred["enough_data"] and 0 <= pred["p_alive"] <= 1
        assert pred["summary"]["x"] >= 2 and pred["churn_risk"] in ("low", "medium", "high")
        assert pred["clv"]["value"] >= 0 and pred["expected_purchases"]["count"] >= 0
    finally:
        assert srv.stop() == 0


def test_the_cli_prints_the_same_reports_as_tables_json_and_csv(shop_with_history, server):
    base = ["--db", server.db, "--shop", shop_with_history.shop["id"], "--from", "2024-01-01", "--to", "2024-06-30"]
    run = lambda *a: subprocess.run([BIN, "report", *a, *base], capture_output=True, text=True, check=True).stdout
    api = shop_with_history.get(f"/v1/reports/retention?{Q}").json()
    assert json.loads(run("retention", "--format", "json")) == api
    table = run("retention")
    assert "58" not in table and "50.0%" in table and "members" in table
    rows = [line.split(",") for line in run("rfm", "--format", "csv").strip().split("\n")[1:]]
    assert sorted(r[-1] for r in rows) == ["hibernating", "lost", "loyal", "loyal"]
    cohorts = run("cohorts", "--format", "csv").strip().split("\n")
    assert cohorts[0].startswith("cohort,customers,m0") and cohorts[1].startswith("2024-01,2,1.0000,0.0000,0.5000")
    assert "champions" in run("rfm")


def test_the_jobs_thread_refits_cached_models(tmp_path):
    import time
    srv = Server(str(tmp_path), extra_args=["--jobs-interval", "1"]).start()
    try:
        op = Api(srv, OPERATOR_KEY)
        op.post("/v1/test/clock", {"now": "2025-06-01T00:00:00Z"})
        api = make_shop(op, "Refit")
        for i in range(24):
            for k in range(1 + i % 3):
                o = api.post("/v1/orders", new_order(api, external_id=f"R{i}-{k}", customer={"external_id": f"c{i}"},
                                                     placed_at=f"2025-0{1 + 2 * k}-{10 + i % 18}T09:00:00Z")).json()
                api.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})
        first = api.get("/v1/customers/ext:c2/predictions").json()
        assert first["enough_data"] is True, first
        assert "models refitted" not in srv.logtext()
        op.post("/v1/test/clock", {"advance_seconds": 31 * 60})
        deadline = time.time() + 10
        while "models refitted" not in srv.logtext() and time.time() < deadline:
            time.sleep(0.2)
        assert "models refitted" in srv.logtext()
        assert api.get("/v1/customers/ext:c2/predictions").json()["enough_data"] is True
    finally:
        assert srv.stop() == 0
