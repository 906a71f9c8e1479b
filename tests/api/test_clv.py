"""Lifetime value (issue 5): import the CDNOW sample through `retain import`,
fit on the paper's 39-week calibration period and compare with the published
parameters; check per-customer predictions against a direct, slow
implementation of the paper's formulas written here; and the edge cases."""
import json
import math
import os
import subprocess

import pytest

from conftest import BIN, ROOT, make_shop, new_order

CDNOW = os.path.join(ROOT, "tests", "data", "cdnow", "CDNOW_sample.txt")


def sig3(x):
    return float(f"{x:.3g}")


def run(*args, check=True):
    return subprocess.run([BIN, *args], capture_output=True, text=True, check=check)


@pytest.fixture(scope="module")
def cdnow(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("cdnow") / "cdnow.db")
    shop = json.loads(run("shop", "create", "CDNOW", "--db", db, "--json").stdout)["id"]
    out = run("import", "orders", CDNOW, "--db", db, "--shop", shop, "--map",
              "customer=1,date=2,quantity=3,amount=4", "--date-format", "%Y%m%d", "--currency", "USD").stdout
    assert "6919 orders imported" in out
    report = json.loads(run("report", "clv", "--db", db, "--shop", shop, "--to", "1997-09-30",
                            "--format", "json", "--customers").stdout)
    return db, shop, report


def test_importing_twice_imports_nothing_twice(cdnow):
    db, shop, _ = cdnow
    out = run("import", "orders", CDNOW, "--db", db, "--shop", shop, "--map",
              "customer=1,date=2,quantity=3,amount=4", "--date-format", "%Y%m%d", "--currency", "USD").stdout
    assert "0 orders imported, 6919 already there" in out


def test_bgnbd_on_the_calibration_period_gives_the_published_parameters(cdnow):
    r = cdnow[2]
    assert (r["customers"], r["repeat_customers"]) == (2357, 946)
    fit = r["bgnbd"]
    assert fit["converged"]
    p = fit["params"]
    assert [sig3(p[k]) for k in ("r", "alpha", "a", "b")] == [0.243, 4.41, 0.793, 2.43]
    assert abs(p["alpha"] - 4.414) < 0.001 and abs(p["b"] - 2.426) < 0.001
    assert fit["log_likelihood"] == pytest.approx(-9582.4, abs=0.05)
    assert fit["distinct_tuples"] < 2357


def test_gamma_gamma_on_the_repeat_customers_gives_the_published_parameters(cdnow):
    r = cdnow[2]
    gg = r["gamma_gamma"]
    assert gg["converged"] and gg["customers"] == 946
    p = gg["params"]
    assert [sig3(p[k]) for k in ("p", "q")] == [6.25, 3.74]
    assert abs(p["gamma"] - 15.44) < 0.005
    assert abs(r["spend_frequency_correlation"]) < 0.2


def direct_p_alive(r, alpha, a, b, x, tx, T):
    if x == 0:
        return 1.0
    return 1.0 / (1.0 + (a / (b + x - 1)) * ((alpha + T) / (alpha + tx)) ** (r + x))


def hyp2f1(a, b, c, z):
    total, term, n = 1.0, 1.0, 0
    while True:
        term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
        n += 1
        if abs(term) < 1e-15 * abs(total) or n > 100000:
            return total + term
        total += term


def direct_expected(r, alpha, a, b, t, x, tx, T):
    # Fader, Hardie & Lee (2005), equation (10).
    first = (a + b + x - 1) / (a - 1)
    second = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
    third = 1 + (x > 0) * (a / (b + x - 1)) * ((alpha + T) / (alpha + tx)) ** (r + x)
    return first * second / third


def test_p_alive_and_expected_purchases_match_the_papers_formulas(cdnow):
    r = cdnow[2]
    p = r["bgnbd"]["params"]
    rows = {c["customer"]: c for c in r["customers_detail"]}
    assert len(rows) == 2357
    # The summary file's first customers: ID 1 (x=2, t_x=30.43, T=38.86), 2 (1, 1.71, 38.86), ...
    ids = sorted(rows)
    picked = [rows[i] for i in ids[:5]] + [c for c in rows.values() if c["x"] >= 10][:3]
    for c in picked:
        want_alive = direct_p_alive(p["r"], p["alpha"], p["a"], p["b"], c["x"], c["t_x"], c["T"])
        want_expected = direct_expected(p["r"], p["alpha"], p["a"], p["b"], 52, c["x"], c["t_x"], c["T"])
        assert c["p_alive"] == pytest.approx(want_alive, rel=1e-6)
        assert c["expected_purchases"] == pytest.approx(want_expected, rel=1e-6)
        assert c["churn_risk"] in ("low", "medium", "high")
    first = rows[ids[0]]
    assert (first["x"], round(first["t_x"], 2), round(first["T"], 2)) == (2, 30.43, 38.86)
    assert math.isfinite(sum(c["clv"] for c in rows.values()))


def empty_shop(tmp_path, name="Edge"):
    db = str(tmp_path / "edge.db")
    shop = json.loads(run("shop", "create", name, "--db", db, "--json").stdout)["id"]
    return db, shop


def clv_json(db, shop):
    out = run("report", "clv", "--db", db, "--shop", shop, "--format", "json")
    assert "nan" not in out.stdout.lower()
    return json.loads(out.stdout)


def test_a_shop_without_orders_gets_a_clear_answer(tmp_path):
    db, shop = empty_shop(tmp_path)
    r = clv_json(db, shop)
    assert r["enough_data"] is False and "no orders" in r["reason"]


def import_rows(db, shop, tmp_path, rows):
    path = tmp_path / "rows.csv"
    path.write_text("customer,date,amount\n" + "\n".join(",".join(r) for r in rows) + "\n")
    return run("import", "orders", str(path), "--db", db, "--shop", shop, "--header", check=False)


def test_one_customer_or_only_one_time_buyers_is_not_enough_data_with_the_numbers(tmp_path):
    db, shop = empty_shop(tmp_path)
    import_rows(db, shop, tmp_path, [("solo", "2024-01-01", "10.00"), ("solo", "2024-02-01", "12.00")])
    r = clv_json(db, shop)
    assert r["enough_data"] is False
    assert "1 customers and 1 with a repeat purchase" in r["reason"] and "at least 20 and 10" in r["reason"]
    import_rows(db, shop, tmp_path, [(f"c{i}", "2024-01-01", "5.00") for i in range(50)])
    r = clv_json(db, shop)
    assert r["enough_data"] is False and "51 customers and 1 with" in r["reason"]


def test_zero_amount_orders_and_emptied_orders_give_finite_answers(tmp_path, operator, server):
    from conftest import Api
    api = make_shop(operator, "Edges")
    for i in range(30):
        for k in range(1 + i % 4):
            body = new_order(api, external_id=f"E{i}-{k}", customer={"external_id": f"c{i}"},
                             placed_at=f"2024-0{1 + k}-1{i % 9}T10:00:00Z",
                             lines=[{"sku": "x", "quantity": 1, "unit_price": 0 if i % 5 == 0 else 1000 + i}])
            o = api.post("/v1/orders", body).json()
            api.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})
            if i % 7 == 0 and k == 0 and o["total"]:
                api.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "all", "amount": o["total"]})
    out = run("report", "clv", "--db", server.db, "--shop", api.shop["id"], "--format", "json", "--customers")
    assert "nan" not in out.stdout.lower() and "inf" not in out.stdout.lower()
    r = json.loads(out.stdout)
    assert r["enough_data"] is True
    assert all(math.isfinite(c["clv"]) and 0 <= c["p_alive"] <= 1 for c in r["customers_detail"])
    # A fully refunded order is not a purchase: c28's only order was refunded,
    # so 29 of the 30 customers have purchases.
    assert r["customers"] == 29


def test_report_usage_errors_are_exit_2_and_unknown_shops_are_named(tmp_path):
    db, shop = empty_shop(tmp_path)
    assert run("report", "clv", "--db", db, check=False).returncode == 2
    assert run("report", "nosuch", "--db", db, "--shop", shop, check=False).returncode == 2
    r = run("report", "clv", "--db", db, "--shop", "shop_nope", check=False)
    assert r.returncode != 0 and 'no shop "shop_nope"' in r.stderr


def test_import_reports_bad_rows_with_line_numbers_and_dry_run_writes_nothing(tmp_path):
    db, shop = empty_shop(tmp_path)
    path = tmp_path / "bad.csv"
    path.write_text("customer,date,amount\nA,2024-01-01,10.00\nB,2024-13-01,5\nC,2024-01-02,abc\nD,2024-01-03,1.234\n")
    r = run("import", "orders", str(path), "--db", db, "--shop", shop, "--header", "--dry-run", check=False)
    assert r.returncode == 1
    assert f"{path}:3: date \"2024-13-01\"" in r.stderr and f"{path}:4: amount \"abc\"" in r.stderr
    assert f"{path}:5: amount \"1.234\"" in r.stderr
    assert "checked 4 rows: 0 orders imported" in r.stdout
    r = run("import", "orders", str(path), "--db", db, "--shop", shop, "--header", check=False)
    assert r.returncode == 1 and "1 orders imported" in r.stdout and "3 bad rows" in r.stdout
    r = run("import", "orders", str(path), "--db", db, "--shop", shop, check=False)
    assert r.returncode == 2 and "customer, date and amount columns are needed" in r.stderr
