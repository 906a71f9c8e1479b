"""Regression tests for issue 8 (review finding 15): `retain import` states the
date range an order may have (from 1980-01-01 to before 2100-01-01, built from
ORDER_TIME_MIN/MAX_MS), in its usage and in every refused row, whether the date
does not exist or lies outside that range; never the general 1970 to 2999."""
import json
import os
import subprocess

import pytest

from conftest import BIN

RANGE = "from 1980-01-01T00:00:00Z to before 2100-01-01T00:00:00Z"


def run(*args):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ))


@pytest.fixture
def shop_db(tmp_path):
    db = str(tmp_path / "shop.db")
    r = run("shop", "create", "Date Tea", "--db", db, "--json")
    assert r.returncode == 0, r.stderr
    return db, json.loads(r.stdout)["id"]


def import_rows(tmp_path, shop_db, dates, *options):
    db, shop = shop_db
    csv = tmp_path / "orders.csv"
    csv.write_text("customer,date,amount\n" + "".join(f"c{i},{d},10.00\n" for i, d in enumerate(dates)))
    return str(csv), run("import", "orders", str(csv), "--db", db, "--shop", shop, "--header", *options)


def test_the_import_usage_states_the_order_date_range_issue8():
    r = run("import", "--help")
    assert r.returncode == 0, r.stderr
    text = " ".join(r.stdout.split())
    assert "from 1980-01-01 to before 2100-01-01" in text and "2999" not in text and "1970" not in text


@pytest.mark.parametrize("options,dates", [
    ((), ["2025-02-30", "2023-02-29", "2025-13-01", "2025-04-31", "2025-00-10"]),
    (("--date-format", "%Y%m%d"), ["20250230", "20230229", "20251301", "20250431"]),
], ids=["default", "date-format"])
def test_a_date_that_does_not_exist_is_refused_with_the_order_range_issue8(tmp_path, shop_db, options, dates):
    csv, r = import_rows(tmp_path, shop_db, dates, *options)
    assert r.returncode == 1 and "0 orders imported" in r.stdout, (r.stdout, r.stderr)
    for line, d in enumerate(dates, start=2):
        msg = next(m for m in r.stderr.splitlines() if m.startswith(f"{csv}:{line}: "))
        assert f'date "{d}"' in msg and RANGE in msg and "2999" not in msg, msg


@pytest.mark.parametrize("options,dates", [
    ((), ["1970-01-01", "1979-12-31", "2100-01-01", "2999-12-31", "1980-01-01T00:30:00+01:00"]),
    (("--date-format", "%Y%m%d"), ["19700101", "19791231", "21000101", "29991231"]),
], ids=["default", "date-format"])
def test_a_real_date_outside_the_order_range_is_refused_with_that_range_issue8(tmp_path, shop_db, options, dates):
    csv, r = import_rows(tmp_path, shop_db, dates, *options)
    assert r.returncode == 1 and "0 orders imported" in r.stdout, (r.stdout, r.stderr)
    for line, d in enumerate(dates, start=2):
        msg = next(m for m in r.stderr.splitlines() if m.startswith(f"{csv}:{line}: "))
        assert f'date "{d}"' in msg and RANGE in msg, msg


@pytest.mark.parametrize("date", ["1980-01-01", "2099-12-31", "1997-03-15"])
def test_dates_at_the_edges_of_the_range_are_imported_issue8(tmp_path, shop_db, date):
    _, r = import_rows(tmp_path, shop_db, [date])
    assert r.returncode == 0 and "1 orders imported" in r.stdout, (r.stdout, r.stderr)
