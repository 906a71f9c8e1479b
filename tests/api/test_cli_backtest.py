"""Issue 10, backtest from the command line: `retain backtest --db FILE --shop ID
(--campaign ID | --program FILE.json) [--days N] [--json]` prints what the API's
backtest reports (the same JSON with --json), reads the same database while the
server runs, writes nothing, and refuses bad arguments with exit 2.

The command runs on the system clock, so the history here is placed in the real
last weeks: the server's test clock is set from the real time, with every order
half a day away from a window's edge."""
import datetime
import json
import os
import subprocess
import time
import uuid

import pytest

from conftest import BIN, new_order
from loyalty_helpers import DAY, set_program
from test_backtest import (PROGRAM, advance, earned, in_window, lines_for, percent_off,
                           row_counts, set_clock, subtotal)


def run(*args):
    return subprocess.run([BIN, "backtest", *args], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ))


def iso(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def real_history(shop, operator, ncustomers=4, days=39):
    """One paid order a day, the last a day and a half before the real now."""
    set_clock(operator, iso(time.time() - 40.5 * DAY))
    customers = [shop.post("/v1/customers", {"email": f"k{i}-{uuid.uuid4().hex[:6]}@example.com"})
                 .json()["id"] for i in range(ncustomers)]
    orders = []
    for k in range(1, days + 1):
        advance(operator, DAY)
        r = shop.post("/v1/orders", new_order(shop, customer={"id": customers[k % ncustomers]},
                                              lines=lines_for(k)))
        assert r.status_code == 201, r.text
        r = shop.post(f"/v1/orders/{r.json()['id']}/payments", {"status": "paid"})
        assert r.status_code == 200, r.text
        orders.append(r.json())
    set_clock(operator, iso(time.time()))    # the API's now, as near the CLI's as can be
    return orders


def without_period(report):
    return {k: v for k, v in report.items() if k not in ("from", "to")}


@pytest.fixture
def draft_file(tmp_path):
    def write(body, name="draft.json"):
        path = tmp_path / name
        path.write_text(body if isinstance(body, str) else json.dumps(body))
        return str(path)
    return write


def test_cli_backtest__a_draft_programme_reports_what_the_api_reports(server, shop, operator,
                                                                     draft_file):
    set_program(shop, **PROGRAM)
    orders = real_history(shop, operator)
    draft = dict(PROGRAM, earn={"points_per_unit": 2})
    api = shop.post("/v1/program/backtest", {"program": draft, "days": 30}).json()
    before = row_counts(server.db)
    r = run("--db", server.db, "--shop", shop.shop["id"], "--program", draft_file(draft),
            "--days", "30", "--json")
    assert r.returncode == 0, r.stderr
    cli = json.loads(r.stdout)
    assert without_period(cli) == without_period(api)
    window = in_window(orders, cli)
    assert len(window) == 29
    assert cli["points_issued_draft"] == sum(earned(o, 2) for o in window)
    assert cli["points_issued_current"] == sum(o["loyalty"]["points"] for o in window)
    assert row_counts(server.db) == before
    table = run("--db", server.db, "--shop", shop.shop["id"], "--program", draft_file(draft))
    assert table.returncode == 0, table.stderr
    line = next(l for l in table.stdout.splitlines() if l.startswith("points issued"))
    assert line.split()[2:] == [str(cli["points_issued_draft"]), str(cli["points_issued_current"]),
                                str(cli["difference"])]


def test_cli_backtest__a_campaign_prints_its_cost_as_a_table_and_as_the_apis_json(server, shop,
                                                                                 operator):
    orders = real_history(shop, operator, ncustomers=5)
    r = shop.post("/v1/campaigns", {"name": "Autumn", "type": "unique", "status": "draft",
                                    "starts_at": iso(time.time() + 30 * DAY),
                                    "discount": {"kind": "percent", "value": 10},
                                    "conditions": {"min_cart": 2500, "currency": "EUR"},
                                    "limits": {"per_customer": 1}})
    assert r.status_code == 201, r.text
    campaign = r.json()["id"]
    r = run("--db", server.db, "--shop", shop.shop["id"], "--campaign", campaign, "--json")
    assert r.returncode == 0, r.stderr
    cli = json.loads(r.stdout)
    api = shop.post(f"/v1/campaigns/{campaign}/backtest", {}).json()
    assert without_period(cli) == without_period(api)
    used, discount = set(), 0
    for o in in_window(orders, cli):
        if o["customer"] not in used and subtotal(o) >= 2500:
            used.add(o["customer"])
            discount += percent_off(o, 10)
    assert cli["days"] == 30 and cli["orders_reached"] == len(used) > 0
    assert cli["discount_total"] == discount
    table = run("--db", server.db, "--shop", shop.shop["id"], "--campaign", campaign)
    assert table.returncode == 0, table.stderr
    assert f"{discount // 100}.{discount % 100:02d} EUR" in table.stdout
    assert any(l.split()[:3] == ["orders", "reached", str(len(used))]
               for l in table.stdout.splitlines())
    assert any(l.split() == ["min_cart_not_met", str(cli["not_reached"]["min_cart_not_met"])]
               for l in table.stdout.splitlines())
    # the window, only when asked: the campaign starts in a month
    r = run("--db", server.db, "--shop", shop.shop["id"], "--campaign", campaign,
            "--respect-window", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["orders_reached"] == 0


@pytest.mark.parametrize("args, says", [
    ([], "--shop is required"),
    (["--shop", "SHOP"], "either --campaign ID or --program FILE.json"),
    (["--shop", "SHOP", "--campaign", "cmp_x", "--program", "GOOD"], "either --campaign"),
    (["--shop", "SHOP", "--campaign", "cmp_x", "--days", "0"], '--days "0" must be an integer'
                                                                " from 1 to 3660"),
    (["--shop", "SHOP", "--campaign", "cmp_x", "--days", "3661"], '--days "3661"'),
    (["--shop", "SHOP", "--campaign", "cmp_x", "--days", "ten"], '--days "ten"'),
    (["--shop", "SHOP", "--campaign", "cmp_x", "--days"], "--days needs a value"),
    (["--shop", "SHOP", "--campaign", "cmp_x", "--bogus"], 'unknown option "--bogus"'),
    (["--shop", "SHOP", "--campaign", "cmp_x", "stray"], 'unexpected argument "stray"'),
    (["--shop", "SHOP", "--program", "GOOD", "--respect-window"], "--respect-window goes with"),
    (["--shop", "SHOP", "--program", "MISSING"], "no such file"),
    (["--shop", "SHOP", "--program", "BROKEN"], "invalid JSON"),
    (["--shop", "SHOP", "--program", "BAD"], "earn.points_per_unit"),
])
def test_cli_backtest__refuses_bad_arguments_with_exit_2_and_says_why(server, shop, draft_file,
                                                                     tmp_path, args, says):
    files = {"GOOD": draft_file(PROGRAM), "MISSING": str(tmp_path / "none.json"),
             "BROKEN": draft_file("{\"earn\": ", "broken.json"),
             "BAD": draft_file({"earn": {"points_per_unit": 5000}}, "bad.json")}
    args = [shop.shop["id"] if a == "SHOP" else files.get(a, a) for a in args]
    before = row_counts(server.db)
    r = run("--db", server.db, *args)
    assert r.returncode == 2, r.stdout + r.stderr
    assert says in r.stderr, r.stderr
    assert r.stdout == ""
    assert row_counts(server.db) == before


def test_cli_backtest__an_unknown_shop_or_campaign_fails_with_exit_1(server, shop):
    r = run("--db", server.db, "--shop", "shop_nope", "--campaign", "cmp_nope")
    assert r.returncode == 1 and "shop_nope" in r.stderr, r.stderr
    r = run("--db", server.db, "--shop", shop.shop["id"], "--campaign", "cmp_nope")
    assert r.returncode == 1 and "cmp_nope" in r.stderr, r.stderr


def test_cli_backtest__never_creates_a_missing_database(tmp_path, draft_file):
    db = str(tmp_path / "typo.db")
    r = run("--db", db, "--shop", "shop_x", "--program", draft_file(PROGRAM))
    assert r.returncode == 2 and f'no database at "{db}"' in r.stderr, r.stderr
    assert not os.path.exists(db)


def test_cli_backtest__has_its_own_help_and_a_line_in_the_commands_table():
    r = subprocess.run([BIN, "help", "backtest"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and r.stdout.startswith("usage: retain backtest")
    for option in ("--shop", "--campaign", "--program", "--days", "--respect-window", "--json",
                   "--db"):
        assert any(l.lstrip().startswith(option + " ") for l in r.stdout.splitlines()), option
    assert "must exist" in r.stdout
    listing = subprocess.run([BIN, "help"], capture_output=True, text=True, timeout=30).stdout
    assert any(l.split()[:1] == ["backtest"] for l in listing.splitlines())
