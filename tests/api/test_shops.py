"""Shops and keys: the operator creates shops; keys are per shop, hashed at rest,
rotated with a grace period; the wrong key kind gets 403, no key 401."""
import json
import os
import sqlite3
import subprocess

from conftest import BIN, OPERATOR_KEY, Api, connect_db, error_of, make_shop


def test_operator_creates_a_shop_and_sees_its_keys_once(operator):
    r = operator.post("/v1/shops", {"name": "Green Leaf"})
    assert r.status_code == 201
    shop = r.json()
    assert shop["id"].startswith("shop_") and shop["name"] == "Green Leaf"
    assert shop["secret_key"].startswith("sk_") and shop["publishable_key"].startswith("pk_")
    got = operator.get(f"/v1/shops/{shop['id']}").json()
    assert "secret_key" not in got
    assert {k["type"] for k in got["keys"]} == {"secret", "publishable"}
    assert all(k["hint"].endswith(shop["secret_key"][-4:]) or k["type"] != "secret" for k in got["keys"])


def test_keys_are_stored_only_as_hashes(operator, server):
    shop = make_shop(operator)
    con = connect_db(server.db)
    rows = [r[0] for r in con.execute("SELECT key_hash FROM api_keys")]
    con.close()
    dump = json.dumps(rows)
    assert shop.key not in dump
    assert all(len(h) == 64 for h in rows)


def test_requests_without_a_key_are_401_and_unknown_keys_401(server):
    api = Api(server, None)
    r = api.get("/v1/customers")
    assert r.status_code == 401 and error_of(r)["code"] == "api_key_missing"
    r = Api(server, "sk_not_a_real_key").get("/v1/customers")
    assert r.status_code == 401 and error_of(r)["code"] == "api_key_invalid"
    r = Api(server, "op_wrongwrongwrongwrongwrong").get("/v1/shops")
    assert r.status_code == 401


def test_a_publishable_key_cannot_use_secret_endpoints(operator, server):
    shop = make_shop(operator)
    pk = Api(server, shop.shop["publishable_key"])
    r = pk.get("/v1/customers")
    assert r.status_code == 403
    assert error_of(r)["code"] == "key_not_allowed"


def test_a_shop_key_cannot_create_shops_and_the_operator_cannot_act_as_a_shop(operator, shop):
    r = shop.post("/v1/shops", {"name": "Sneaky"})
    assert r.status_code == 403
    r = operator.get("/v1/customers")
    assert r.status_code == 403


def test_a_shop_reads_its_own_shop_but_another_shop_is_404(operator):
    a, b = make_shop(operator, "A"), make_shop(operator, "B")
    assert a.get(f"/v1/shops/{a.shop['id']}").status_code == 200
    r = a.get(f"/v1/shops/{b.shop['id']}")
    assert r.status_code == 404


def test_shop_list_is_paginated(operator):
    for i in range(3):
        make_shop(operator, f"Paged {i}")
    first = operator.get("/v1/shops?limit=2").json()
    assert first["object"] == "list" and len(first["data"]) == 2 and first["has_more"]
    second = operator.get(f"/v1/shops?limit=2&starting_after={first['data'][-1]['id']}").json()
    assert not {s["id"] for s in first["data"]} & {s["id"] for s in second["data"]}


def test_shop_name_is_required_and_bounded(operator):
    r = operator.post("/v1/shops", {})
    assert r.status_code == 400 and error_of(r)["param"] == "name"
    r = operator.post("/v1/shops", {"name": "x" * 201})
    assert r.status_code == 400
    r = operator.post("/v1/shops", {"name": 5})
    assert r.status_code == 400


def test_rotation_keeps_the_old_key_for_the_grace_period_only(operator, server):
    shop = make_shop(operator)
    old = shop.key
    operator.post("/v1/test/clock", {"now": "2030-01-01T00:00:00Z"})
    try:
        r = operator.post(f"/v1/shops/{shop.shop['id']}/rotate_keys", {"grace_hours": 2})
        assert r.status_code == 200, r.text
        new = r.json()["secret_key"]
        assert new != old
        assert Api(server, old).get("/v1/customers").status_code == 200
        assert Api(server, new).get("/v1/customers").status_code == 200
        operator.post("/v1/test/clock", {"advance_seconds": 2 * 3600 + 1})
        r = Api(server, old).get("/v1/customers")
        assert r.status_code == 401 and error_of(r)["code"] == "api_key_expired"
        assert Api(server, new).get("/v1/customers").status_code == 200
    finally:
        operator.post("/v1/test/clock", {"now": "2026-11-22T12:00:00Z"})


def test_rotating_an_unknown_shop_is_404(operator):
    assert operator.post("/v1/shops/shop_nope/rotate_keys").status_code == 404


def test_cli_shop_create_prints_id_and_keys_as_json(tmp_path):
    db = str(tmp_path / "cli.db")
    out = subprocess.run([BIN, "shop", "create", "CLI Shop", "--db", db, "--json"],
                         check=True, capture_output=True, text=True).stdout
    shop = json.loads(out)
    assert shop["id"].startswith("shop_") and shop["secret_key"].startswith("sk_")
    listed = subprocess.run([BIN, "shop", "list", "--db", db, "--json"],
                            check=True, capture_output=True, text=True).stdout
    assert [s["id"] for s in json.loads(listed)] == [shop["id"]]
    rotated = json.loads(subprocess.run([BIN, "shop", "rotate-keys", shop["id"], "--db", db, "--json"],
                                        check=True, capture_output=True, text=True).stdout)
    assert rotated["secret_key"] != shop["secret_key"]


def test_cli_reports_usage_errors_with_exit_2(tmp_path):
    r = subprocess.run([BIN, "shop", "create", "--db", str(tmp_path / "x.db")], capture_output=True, text=True)
    assert r.returncode == 2 and "usage" in r.stderr
    r = subprocess.run([BIN, "frobnicate"], capture_output=True, text=True)
    assert r.returncode == 2 and "unknown command" in r.stderr
