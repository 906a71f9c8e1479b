"""A CLI that fails loudly: regression tests for issue 8, section 4.

Exit codes: 0 done, 1 ran and failed (or found a problem), 2 refused before
reading or writing anything. Each class of defect is tried with several inputs.
"""
import json
import os
import sqlite3
import subprocess

import pytest

from conftest import BIN, new_order


def run(*args, env=None):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, **(env or {})))


def db_files(path):
    return [p for p in (path, path + "-wal", path + "-shm") if os.path.exists(p)]


@pytest.fixture
def shop_db(tmp_path):
    """A database with one shop: (db path, shop id)."""
    db = str(tmp_path / "shop.db")
    r = run("shop", "create", "Strict Tea", "--db", db, "--json")
    assert r.returncode == 0, r.stderr
    return db, json.loads(r.stdout)["id"]


def write_csv(tmp_path, rows, name="orders.csv", header="customer,date,amount"):
    path = tmp_path / name
    path.write_text(header + "\n" + "".join(r + "\n" for r in rows))
    return str(path)


# --- a mistyped --db never creates an empty database ---------------------------------

READ_ONLY_COMMANDS = [
    ["check"],
    ["jobs", "run"],
    ["report", "clv", "--shop", "shop_x"],
    ["report", "retention", "--shop", "shop_x", "--format", "json"],
    ["report", "rfm", "--shop", "shop_x"],
    ["import", "orders", "FILE", "--shop", "shop_x", "--header"],
    ["import", "orders", "FILE", "--shop", "shop_x", "--header", "--dry-run"],
    ["shop", "list"],
    ["shop", "list", "--json"],
    ["shop", "rotate-keys", "shop_x", "--grace-hours", "1"],
]


@pytest.mark.parametrize("args", READ_ONLY_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_a_command_that_may_not_create_a_database_refuses_a_missing_one_issue8(tmp_path, args):
    csv = write_csv(tmp_path, ["A,2024-01-01,10.00"])
    db = str(tmp_path / "typo.db")
    r = run(*[csv if a == "FILE" else a for a in args], "--db", db)
    assert r.returncode == 2, r.stdout + r.stderr
    assert f'no database at "{db}"' in r.stderr
    assert "0 mismatches" not in r.stdout
    assert db_files(db) == []


@pytest.mark.parametrize("via", ["flag", "environment"])
def test_the_missing_database_is_named_whether_from_the_flag_or_the_environment_issue8(tmp_path, via):
    db = str(tmp_path / "nowhere" / "retain.db")
    r = run("check", "--db", db) if via == "flag" else run("check", env={"RETAIN_DB": db})
    assert r.returncode == 2 and f'no database at "{db}"' in r.stderr


@pytest.mark.parametrize("args", [
    ["migrate"],
    ["shop", "create", "New Shop"],
    ["shop", "--json", "create", "New Shop"],
    ["demo", "--customers", "3", "--seed", "1"],
], ids=lambda a: " ".join(a[:2]))
def test_the_commands_that_create_a_database_still_do_and_check_then_accepts_it_issue8(tmp_path, args):
    db = str(tmp_path / "new.db")
    r = run(*args, "--db", db)
    assert r.returncode == 0, r.stderr
    assert os.path.exists(db)
    check = run("check", "--db", db)
    assert check.returncode == 0 and "0 mismatches" in check.stdout


def test_serve_names_the_database_it_cannot_create_not_the_operator_key_file_issue8(tmp_path):
    for db in (str(tmp_path / "no" / "dir" / "x.db"), "/nonexistent/dir/x.db"):
        env = {k: v for k, v in os.environ.items() if k != "RETAIN_OPERATOR_KEY"}
        r = subprocess.run([BIN, "serve", "--db", db, "--listen", "127.0.0.1:0"], capture_output=True,
                           text=True, timeout=30, env=env)
        assert r.returncode == 1
        assert f'cannot open database "{db}"' in r.stderr, r.stderr
        assert "operator-key" not in r.stderr


# --- every command has its own help ----------------------------------------------------

def table_commands():
    out = run("help").stdout
    lines = out.split("commands:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    return [line.split()[0] for line in lines]


def test_the_global_help_lists_the_whole_commands_table_issue8():
    assert {"serve", "shop", "migrate", "demo", "import", "report", "check", "jobs", "version",
            "help"} <= set(table_commands())


@pytest.mark.parametrize("form", ["help CMD", "CMD --help", "CMD -h"])
@pytest.mark.parametrize("cmd", ["serve", "shop", "migrate", "demo", "import", "report", "check",
                                 "jobs", "version", "help"])
def test_each_command_prints_its_own_help_and_exits_0_issue8(cmd, form):
    r = run(*form.replace("CMD", cmd).split())
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"usage: retain {cmd}"), r.stdout[:200]
    assert "commands:" not in r.stdout          # not the global help


def test_every_command_in_the_table_has_help_and_says_whether_it_creates_the_database_issue8():
    creates = {"serve", "migrate", "demo"}
    for cmd in table_commands():
        out = run("help", cmd).stdout
        assert out.startswith(f"usage: retain {cmd}"), cmd
        if cmd in ("help", "version"):
            continue
        assert ("created when missing" in out) == (cmd in creates), (cmd, out)
        assert ("must exist" in out) == (cmd not in creates), (cmd, out)


def test_command_help_lists_each_option_on_its_own_line_issue8():
    out = run("report", "--help").stdout
    for option in ("--shop", "--from", "--to", "--format", "--customers", "--currency",
                   "--horizon-weeks", "--months", "--discount", "--penalty", "--db"):
        assert any(line.lstrip().startswith(option + " ") for line in out.splitlines()), option
    assert "--listen" in run("serve", "--help").stdout
    assert "--grace-hours" in run("help", "shop").stdout


def test_help_works_even_with_a_bad_setting_in_the_environment_issue8():
    r = run("check", "--help", env={"RETAIN_THREADS": "many"})
    assert r.returncode == 0 and r.stdout.startswith("usage: retain check")


@pytest.mark.parametrize("args", [["help", "nope"], ["nope"], ["help", "servee"], ["--help", "nope"],
                                  ["Serve"]])
def test_an_unknown_command_exits_2_and_names_it_issue8(args):
    r = run(*args)
    assert r.returncode == 2
    assert f'unknown command "{args[-1]}"' in r.stderr


# --- bad option values are named ------------------------------------------------------

REPORT_BAD = [
    (["--format", "xml"], '--format "xml"'),
    (["--format=yaml"], '--format "yaml"'),
    (["--from", "2026-02-30"], '--from "2026-02-30"'),
    (["--to", "2026-13-01"], '--to "2026-13-01"'),
    (["--from", "yesterday"], '--from "yesterday"'),
    (["--months", "abc"], '--months "abc"'),
    (["--months", "0"], '--months "0"'),
    (["--months", "121"], '--months "121"'),
    (["--months", "12x"], '--months "12x"'),
    (["--discount", "abc"], '--discount "abc"'),
    (["--discount", "-0.1"], '--discount "-0.1"'),
    (["--discount", "2"], '--discount "2"'),
    (["--horizon-weeks", "0"], '--horizon-weeks "0"'),
    (["--horizon-weeks", "ten"], '--horizon-weeks "ten"'),
    (["--penalty", "nan"], '--penalty "nan"'),
    (["--penalty", "1e9"], '--penalty "1e9"'),
    (["--currency", "XYZ"], '--currency "XYZ"'),
]


@pytest.mark.parametrize("args,named", REPORT_BAD, ids=[" ".join(a) for a, _ in REPORT_BAD])
def test_report_names_the_bad_option_and_value_issue8(shop_db, args, named):
    db, shop = shop_db
    r = run("report", "clv", "--db", db, "--shop", shop, *args)
    assert r.returncode == 2, r.stdout
    assert named in r.stderr, r.stderr


@pytest.mark.parametrize("frm,to", [("2026-03-01", "2026-02-01"), ("2026-01-02", "2026-01-01"),
                                    ("2026-01-01T10:00:00Z", "2026-01-01T09:59:59Z"),
                                    ("2999-01-01", None)])
def test_report_refuses_from_after_to_as_the_api_does_issue8(shop_db, frm, to):
    db, shop = shop_db
    args = ["--from", frm] + (["--to", to] if to else [])
    for name in ("retention", "clv"):
        r = run("report", name, "--db", db, "--shop", shop, *args)
        assert r.returncode == 2 and f'--from "{frm}" is after --to' in r.stderr, r.stderr


def test_report_accepts_from_equal_to_to_issue8(shop_db):
    db, shop = shop_db
    r = run("report", "retention", "--db", db, "--shop", shop, "--from", "2026-01-01",
            "--to", "2026-01-01", "--format", "json")
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("grace", ["-5", "99999", "2161", "abc", "1.5", "", "24h"])
def test_rotate_keys_takes_the_apis_grace_hours_from_0_to_2160_issue8(shop_db, grace):
    db, shop = shop_db
    before = run("shop", "list", "--db", db, "--json").stdout
    r = run("shop", "rotate-keys", shop, "--db", db, "--grace-hours", grace)
    assert r.returncode == 2
    assert f'--grace-hours "{grace}"' in r.stderr and "0 to 2160" in r.stderr
    assert run("shop", "list", "--db", db, "--json").stdout == before     # keys unchanged


@pytest.mark.parametrize("grace", ["0", "2160"])
def test_rotate_keys_accepts_the_ends_of_the_grace_range_issue8(shop_db, grace):
    db, shop = shop_db
    r = run("shop", "rotate-keys", shop, "--db", db, "--grace-hours", grace, "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["secret_key"].startswith("sk_")


def test_rotate_keys_refuses_a_configured_grace_period_beyond_2160_hours_issue8(shop_db):
    db, shop = shop_db
    env = {"RETAIN_KEY_GRACE_HOURS": "99999"}
    r = run("shop", "rotate-keys", shop, "--db", db, env=env)
    assert r.returncode == 2 and "99999" in r.stderr and "2160" in r.stderr
    # The setting is checked where it is read, for every command (config.c),
    # naming where it came from; an explicit --grace-hours does not hide it.
    for args in (["shop", "rotate-keys", shop, "--grace-hours", "1"], ["shop", "list"]):
        r = run(*args, "--db", db, env=env)
        assert r.returncode == 2 and 'RETAIN_KEY_GRACE_HOURS: "key-grace-hours"' in r.stderr


@pytest.mark.parametrize("args,named", [
    (["--customers", "abc"], '--customers "abc"'),
    (["--customers", "0"], '--customers "0"'),
    (["--customers", "-3"], '--customers "-3"'),
    (["--customers", "10x"], '--customers "10x"'),
    (["--seed", "abc"], '--seed "abc"'),
    (["--seed", "-1"], '--seed "-1"'),
])
def test_demo_names_the_bad_value_and_creates_nothing_issue8(tmp_path, args, named):
    db = str(tmp_path / "demo.db")
    r = run("demo", "--db", db, *args)
    assert r.returncode == 2 and named in r.stderr, r.stderr
    assert db_files(db) == []


@pytest.mark.parametrize("args,named", [
    (["--currency", "XYZ"], '--currency "XYZ"'),
    (["--delimiter", "ab"], '--delimiter "ab"'),
    (["--shop"], "--shop needs a value"),
    (["--frobnicate"], 'unknown option "--frobnicate"'),
])
def test_import_names_the_bad_option_issue8(shop_db, tmp_path, args, named):
    db, shop = shop_db
    csv = write_csv(tmp_path, ["A,2024-01-01,10.00"])
    r = run("import", "orders", csv, "--db", db, "--header", "--shop", shop, *args)
    assert r.returncode == 2 and named in r.stderr, r.stderr


# --- import: the API's date rule --------------------------------------------------------

BAD_DATES = ["2025-02-30", "2025-02-29", "2024-04-31", "2100-02-29", "9999-01-01", "1969-12-31",
             "3000-01-01", "2024-13-01", "2024-00-10",
             "1979-12-31", "2100-01-01"]  # the last two: real dates, but no order is placed then


def placed_days(db):
    con = sqlite3.connect(db)
    rows = con.execute("SELECT date(placed_at / 1000, 'unixepoch') FROM orders ORDER BY 1").fetchall()
    con.close()
    return [d for (d,) in rows]


@pytest.mark.parametrize("date", BAD_DATES)
def test_import_refuses_dates_the_api_refuses_issue8(shop_db, tmp_path, date):
    db, shop = shop_db
    csv = write_csv(tmp_path, [f"A,{date},10.00"])
    r = run("import", "orders", csv, "--db", db, "--shop", shop, "--header")
    assert r.returncode == 1
    assert f'{csv}:2: date "{date}"' in r.stderr and "0 orders imported" in r.stdout
    assert placed_days(db) == []


@pytest.mark.parametrize("date", BAD_DATES)
def test_import_with_a_date_format_refuses_the_same_dates_issue8(shop_db, tmp_path, date):
    db, shop = shop_db
    csv = write_csv(tmp_path, [f"A,{date.replace('-', '')},10.00"])
    r = run("import", "orders", csv, "--db", db, "--shop", shop, "--header", "--date-format", "%Y%m%d")
    assert r.returncode == 1 and "0 orders imported" in r.stdout, r.stderr
    assert placed_days(db) == []


def test_import_stores_real_dates_on_their_own_day_issue8(shop_db, tmp_path):
    db, shop = shop_db
    csv = write_csv(tmp_path, ["A,2024-02-29,10.00", "B,1980-01-02,1.00", "C,2099-12-31,1.00",
                               "D,2026-03-01T23:30:00Z,1.00", "E,2026-03-02T00:30:00+01:00,1.00"])
    r = run("import", "orders", csv, "--db", db, "--shop", shop, "--header")
    assert r.returncode == 0 and "5 orders imported" in r.stdout, r.stderr
    assert placed_days(db) == ["1980-01-02", "2024-02-29", "2026-03-01", "2026-03-01", "2099-12-31"]


@pytest.mark.parametrize("date", ["2025-02-30", "2025-02-29T10:00:00Z", "9999-01-01T00:00:00Z",
                                  "1969-12-31T23:59:59Z", "3000-01-01T00:00:00Z",
                                  "1970-01-01T00:30:00+01:00"])
def test_the_api_refuses_the_same_dates_for_an_order_issue8(shop, date):
    r = shop.post("/v1/orders", new_order(shop, placed_at=date))
    assert r.status_code == 400, r.text
    assert r.json()["error"]["param"] == "placed_at"


@pytest.mark.parametrize("query", ["from=2025-02-30", "to=9999-01-01", "from=1969-12-31",
                                   "from=2026-03-01&to=2026-02-01"])
def test_the_api_reports_refuse_the_same_dates_and_ranges_issue8(shop, query):
    r = shop.get(f"/v1/reports/retention?{query}")
    assert r.status_code == 400, r.text
    assert r.json()["error"]["param"] in ("from", "to")


def test_import_dry_run_says_how_many_rows_it_would_import_and_writes_nothing_issue8(shop_db, tmp_path):
    db, shop = shop_db
    csv = write_csv(tmp_path, ["A,2024-01-01,10.00", "B,2024-01-02,5.00", "A,2024-02-01,7.50",
                               "C,2025-02-30,1.00"])
    r = run("import", "orders", csv, "--db", db, "--shop", shop, "--header", "--dry-run")
    assert r.returncode == 1          # one bad row
    assert "3 would be, 0 already there" in r.stdout and "1 bad rows" in r.stdout, r.stdout
    assert placed_days(db) == []
    assert "3 orders imported" in run("import", "orders", csv, "--db", db, "--shop", shop,
                                      "--header").stdout
    again = run("import", "orders", csv, "--db", db, "--shop", shop, "--header", "--dry-run")
    assert "0 would be, 3 already there" in again.stdout, again.stdout
    assert len(placed_days(db)) == 3


def test_import_of_a_missing_file_is_refused_with_exit_2_issue8(shop_db, tmp_path):
    db, shop = shop_db
    missing = str(tmp_path / "nope.csv")
    r = run("import", "orders", missing, "--db", db, "--shop", shop)
    assert r.returncode == 2 and f'cannot open "{missing}"' in r.stderr
