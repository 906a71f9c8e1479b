"""Regression tests for issue 8: responses that show a secret are never stored.

Shop keys are shown once and only their SHA-256 is kept, also when the request
carried an Idempotency-Key: a replay returns the same shop with "secret_key"
and "publishable_key" null. The raw database files (main file and WAL) never
hold a secret that a response showed.
"""
import os
import uuid

import pytest

from conftest import PG, Api, pg_dump


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
