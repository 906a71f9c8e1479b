"""Regression tests for issue 8: responses that show a secret are never stored.

Shop keys are shown once and only their SHA-256 is kept, also when the request
carried an Idempotency-Key: a replay returns the same shop with "secret_key"
and "publishable_key" null. The raw database files (main file and WAL) never
hold a secret that a response showed.

Stored responses from before issue 8 (migration 005) keep the shop and lose
the keys: a retry after the upgrade replays the same shop, keys null, and no
file of the database holds a key, already while the upgraded server runs.
"""
import json
import os
import re
import sqlite3
import uuid

import pytest

import conftest
from conftest import OPERATOR_KEY, PG, Api, Server, on_pg_skip, pg_dump, undo_migrations_after


def raw_database(server):
    if PG:      # what the database holds, dead row versions aside (docs/operations.md)
        return pg_dump(server.db)
    data = b""
    for suffix in ("", "-wal", "-journal"):
        path = server.db + suffix
        if os.path.exists(path):
            with open(path, "rb") as f:
                data += f.read()
    return data


def assert_not_on_disk(server, *secrets):
    data = raw_database(server)
    for secret in secrets:
        assert secret and secret.encode() not in data, f"{secret[:6]}... is stored in the database"


def idem():
    return {"Idempotency-Key": "k-" + uuid.uuid4().hex}


@pytest.mark.parametrize("name", ["Tea House", "Café Ünïcode", "x" * 200])
def test_creating_a_shop_under_an_idempotency_key_stores_no_key_issue8(server, operator, name):
    h = idem()
    first = operator.post("/v1/shops", {"name": name}, headers=h)
    assert first.status_code == 201, first.text
    shop = first.json()
    assert shop["secret_key"].startswith("sk_") and shop["publishable_key"].startswith("pk_")
    assert_not_on_disk(server, shop["secret_key"], shop["publishable_key"])

    again = operator.post("/v1/shops", {"name": name}, headers=h)
    assert again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    replayed = again.json()
    assert replayed["secret_key"] is None and replayed["publishable_key"] is None
    assert {k: v for k, v in replayed.items() if not k.endswith("_key")} == \
        {k: v for k, v in shop.items() if not k.endswith("_key")}
    # The keys shown the first time work; the replay made no second shop.
    assert Api(server, shop["secret_key"]).get(f"/v1/shops/{shop['id']}").status_code == 200
    names = [s["id"] for s in operator.get("/v1/shops?limit=100").json()["data"]]
    assert names.count(shop["id"]) == 1
    assert_not_on_disk(server, shop["secret_key"], shop["publishable_key"])


@pytest.mark.parametrize("body", [None, {"grace_hours": 0}, {"grace_hours": 48}])
def test_rotating_keys_under_an_idempotency_key_stores_no_key_issue8(server, operator, body):
    shop = operator.post("/v1/shops", {"name": "Rotating"}).json()
    h = idem()
    path = f"/v1/shops/{shop['id']}/rotate_keys"
    first = operator.post(path, body, headers=h)
    assert first.status_code == 200, first.text
    rotated = first.json()
    assert rotated["secret_key"].startswith("sk_") and rotated["secret_key"] != shop["secret_key"]
    assert_not_on_disk(server, rotated["secret_key"], rotated["publishable_key"],
                       shop["secret_key"], shop["publishable_key"])

    again = operator.post(path, body, headers=h)
    assert again.status_code == 200 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["secret_key"] is None and again.json()["publishable_key"] is None
    assert again.json()["keys"] == rotated["keys"]
    # The replay rotated nothing: the keys of the first rotation still work.
    assert Api(server, rotated["secret_key"]).get(f"/v1/shops/{shop['id']}").status_code == 200
    assert_not_on_disk(server, rotated["secret_key"], rotated["publishable_key"])


@pytest.mark.parametrize("ttl", [None, 60, 86400])
def test_a_customer_token_is_never_stored_even_with_an_idempotency_key_issue8(server, shop, ttl):
    c = shop.post("/v1/customers", {"email": f"{uuid.uuid4().hex[:8]}@example.com"}).json()
    body = {"ttl_seconds": ttl} if ttl else None
    r = shop.post(f"/v1/customers/{c['id']}/tokens", body, headers=idem())
    assert r.status_code == 201, r.text
    token = r.json()["token"]
    assert token.startswith("ctk_")
    # The HMAC part is what makes a token; none of it is on disk.
    assert_not_on_disk(server, token, token.rsplit(".", 1)[1])


# Review finding 4: migration 005 keeps the stored responses of shop creation
# and key rotation from before issue 8, without their keys, so that a client's
# retry after the upgrade replays the shop instead of making a second one.

FULL_KEY = re.compile(rb"(sk|pk)_[A-Za-z0-9]{40}")


def keys_on_disk(server):
    return sorted(set(m.group(0).decode() for m in FULL_KEY.finditer(raw_database(server))))


def create_and_rotate(operator, name):
    """A shop made and rotated under Idempotency-Keys: (requests, answers)."""
    made = ("/v1/shops", {"name": name}, idem())
    shop = operator.post(made[0], made[1], headers=made[2])
    assert shop.status_code == 201, shop.text
    rotated = (f"/v1/shops/{shop.json()['id']}/rotate_keys", {"grace_hours": 48}, idem())
    rot = operator.post(rotated[0], rotated[1], headers=rotated[2])
    assert rot.status_code == 200, rot.text
    return [made, rotated], [shop.json(), rot.json()]


def assert_replays_without_keys(operator, requests_, answers):
    shops_before = operator.get("/v1/shops?limit=100").json()["data"]
    for (path, body, headers), shown in zip(requests_, answers):
        again = operator.post(path, body, headers=headers)
        assert again.status_code in (200, 201) and again.headers.get("Idempotent-Replayed") == "true"
        replayed = again.json()
        assert replayed["secret_key"] is None and replayed["publishable_key"] is None
        # Everything else is kept: the shop, and the key list with the expiry
        # the rotation gave the old keys.
        assert {k: v for k, v in replayed.items() if not k.endswith("_key")} == \
            {k: v for k, v in shown.items() if not k.endswith("_key")}
    assert operator.get("/v1/shops?limit=100").json()["data"] == shops_before
    # The replays rotated nothing: the keys the rotation showed still work.
    rotated = answers[-1]
    assert Api(operator.server, rotated["secret_key"]).get(f"/v1/shops/{rotated['id']}").status_code == 200


@on_pg_skip("it recreates a database as the code before issue 8 left it, and no"
            " PostgreSQL database predates issue 8: its migration 005 only adds the index"
            " (src/store/schema/pg/005_idempotency_retention.sql)")
@pytest.mark.parametrize("names", [["Tea House"], ["Café Ünïcode", 'Quote " and \\ slash', "x" * 200]])
def test_a_retry_after_the_upgrade_replays_the_old_shop_without_keys_issue8(fresh_server, names):
    fresh_server.start()
    operator = Api(fresh_server, OPERATOR_KEY)
    made = [create_and_rotate(operator, name) for name in names]
    fresh_server.stop()
    # Make the database look as the code before issue 8 left it: migration 005
    # not applied, and each response stored whole, keys included.
    con = sqlite3.connect(fresh_server.db)
    for requests_, answers in made:
        for (_, _, headers), shown in zip(requests_, answers):
            n = con.execute("UPDATE idempotency_keys SET response_body = ? WHERE key = ?",
                            (json.dumps(shown, ensure_ascii=False, separators=(",", ":")),
                             headers["Idempotency-Key"])).rowcount
            assert n == 1
    undo_migrations_after(con, 5)
    con.execute("DELETE FROM schema_migrations WHERE version >= 5")
    con.execute("DROP INDEX idempotency_keys_created")
    con.commit()
    con.close()
    assert made[0][1][0]["secret_key"] in keys_on_disk(fresh_server)

    fresh_server.start()
    assert keys_on_disk(fresh_server) == []        # while serving, not only after a stop
    for requests_, answers in made:
        assert_replays_without_keys(operator, requests_, answers)
    assert keys_on_disk(fresh_server) == []


OLD_BIN = os.environ.get("RETAIN_OLD_BIN", "/work/old/build/retain")


@on_pg_skip("the binary from before issue 8 only ever wrote SQLite files")
@pytest.mark.skipif(not os.path.exists(OLD_BIN), reason="no binary from before issue 8")
@pytest.mark.parametrize("names", [["Old Shop"], ["Alt", "Ältere Bäckerei"]])
def test_a_database_of_the_old_binary_replays_its_shops_without_keys_issue8(monkeypatch, tmp_path, names):
    monkeypatch.setattr(conftest, "BIN", OLD_BIN)
    srv = Server(str(tmp_path)).start()
    operator = Api(srv, OPERATOR_KEY)
    made = [create_and_rotate(operator, name) for name in names]
    assert srv.stop() == 0
    assert made[0][1][0]["secret_key"] in keys_on_disk(srv)      # what the old code stored

    monkeypatch.undo()
    srv.start()
    try:
        assert keys_on_disk(srv) == []
        for requests_, answers in made:
            assert_replays_without_keys(operator, requests_, answers)
        assert keys_on_disk(srv) == []
    finally:
        assert srv.stop() == 0
