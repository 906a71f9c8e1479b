"""Regression tests for issue 8 (review): erasure forgets the digests of the
requests that carried the customer's data, not only their stored responses.

A stored idempotent request keeps a SHA-256 fingerprint of its body to tell a
retry from another request. For a body that held an e-mail, a name and a phone,
that digest is a copy of the data: anyone holding the database could confirm a
guessed body. After erasure the fingerprint is gone, and a retry with the key
replays the erased record whatever it sends, creating nothing again."""
import uuid

import pytest

from conftest import PG, Api, OPERATOR_KEY, connect_db, make_shop, pg_dump


def person():
    tag = uuid.uuid4().hex[:10]
    return {"name": f"Ola Wrzos{tag}", "email": f"ola.{tag}@example.com"}


def fingerprints(server):
    con = connect_db(server.db)
    rows = dict(con.execute("SELECT key, fingerprint FROM idempotency_keys").fetchall())
    con.close()
    return rows


def raw(server):
    """The database file and its WAL; on PostgreSQL, all the database holds
    as pg_dump writes it out."""
    if PG:
        return pg_dump(server.db)
    out = b""
    for suffix in ("", "-wal"):
        try:
            with open(server.db + suffix, "rb") as f:
                out += f.read()
        except FileNotFoundError:
            pass
    return out


@pytest.mark.parametrize("route", ["create", "patch", "order"])
def test_erasure_forgets_the_fingerprints_of_requests_that_carried_the_customer_issue8(
        fresh_server, route):
    fresh_server.start()
    shop = make_shop(Api(fresh_server, OPERATOR_KEY))
    p = person()
    key = "k-" + uuid.uuid4().hex
    if route == "create":
        method, path, body = "POST", "/v1/customers", dict(p)
    elif route == "patch":
        cid = shop.post("/v1/customers", {"email": "x." + p["email"]}).json()["id"]
        method, path, body = "PATCH", f"/v1/customers/{cid}", dict(p)
    else:
        method, path = "POST", "/v1/orders"
        body = {"external_id": "o-" + key, "customer": dict(p), "currency": "EUR",
                "lines": [{"sku": "A", "quantity": 1, "unit_price": 500}], "total": 500}
    r = shop.request(method, path, body, headers={"Idempotency-Key": key})
    assert r.status_code in (200, 201), r.text
    cid = r.json()["customer"] if route == "order" else r.json()["id"]
    before = fingerprints(fresh_server)[key]
    assert shop.request("DELETE", f"/v1/customers/{cid}").status_code == 200

    after = fingerprints(fresh_server)[key]
    assert after != before
    fresh_server.stop()                       # checkpoints the WAL (SQLite)
    assert before.encode() not in raw(fresh_server)
    fresh_server.start()

    count = shop.get("/v1/customers?limit=100").json()["data"]
    other = {**body, "channel": "phone"} if route == "order" else {**body, "name": "someone else"}
    for sent in (body, other):
        again = shop.request(method, path, sent, headers={"Idempotency-Key": key})
        assert again.status_code == r.status_code, again.text
        assert p["email"] not in again.text and p["name"] not in again.text
    assert shop.get("/v1/customers?limit=100").json()["data"] == count


def test_requests_of_other_customers_keep_their_fingerprints_issue8(fresh_server):
    fresh_server.start()
    shop = make_shop(Api(fresh_server, OPERATOR_KEY))
    keep, gone = person(), person()
    k1, k2 = "k-" + uuid.uuid4().hex, "k-" + uuid.uuid4().hex
    shop.request("POST", "/v1/customers", keep, headers={"Idempotency-Key": k1})
    cid = shop.request("POST", "/v1/customers", gone, headers={"Idempotency-Key": k2}).json()["id"]
    before = fingerprints(fresh_server)
    assert shop.request("DELETE", f"/v1/customers/{cid}").status_code == 200
    assert fingerprints(fresh_server)[k1] == before[k1]
    r = shop.request("POST", "/v1/customers", {**keep, "name": "other"}, headers={"Idempotency-Key": k1})
    assert r.status_code == 400 and r.json()["error"]["code"] == "idempotency_key_reused"


def customer_with_key(server):
    """A new shop on the started server and a customer it created with an
    Idempotency-Key: (shop, the person sent, the key, the answer)."""
    server.start()
    shop = make_shop(Api(server, OPERATOR_KEY))
    p = person()
    key = "k-" + uuid.uuid4().hex
    r = shop.request("POST", "/v1/customers", dict(p), headers={"Idempotency-Key": key})
    assert r.status_code == 201, r.text
    return shop, p, key, r


def test_a_forgotten_key_replays_only_on_its_own_route(fresh_server):
    """An earlier session noticed that a forgotten fingerprint replayed the
    erased record to any request with that key, on any route: a key used for a
    customer then answered a POST /v1/orders with a customer. The fingerprint
    names its method and route pattern (no ids, no personal data) before the
    digest, and erasure keeps that part alone."""
    shop, _, key, r = customer_with_key(fresh_server)
    before = fingerprints(fresh_server)[key]
    method, route, digest = before.split(" ")
    assert (method, route, len(digest)) == ("POST", "/v1/customers", 64)
    assert shop.request("DELETE", f"/v1/customers/{r.json()['id']}").status_code == 200
    assert fingerprints(fresh_server)[key] == "forgotten POST /v1/customers"
    fresh_server.stop()                       # checkpoints the WAL (SQLite)
    assert digest.encode() not in raw(fresh_server)
    fresh_server.start()
    again = shop.request("POST", "/v1/customers", person(), headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.json()["id"] == r.json()["id"], again.text
    order = {"external_id": "o-" + key, "currency": "EUR", "customer": person(),
             "lines": [{"sku": "A", "quantity": 1, "unit_price": 500}], "total": 500}
    other = shop.request("POST", "/v1/orders", order, headers={"Idempotency-Key": key})
    assert other.status_code == 400, other.text
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert shop.get("/v1/orders").json()["data"] == []


@pytest.mark.parametrize("legacy", ["digest", "forgotten"])
def test_a_key_stored_before_fingerprints_named_their_route_still_works(fresh_server, legacy):
    """Rows written by the previous version hold the digest alone, or
    "forgotten" after an erasure: a retry during an upgrade must still replay."""
    shop, p, key, r = customer_with_key(fresh_server)
    digest = fingerprints(fresh_server)[key].split(" ")[2]
    con = connect_db(fresh_server.db)
    con.execute("UPDATE idempotency_keys SET fingerprint = ? WHERE key = ?",
                (digest if legacy == "digest" else "forgotten", key))
    con.commit()
    con.close()
    again = shop.request("POST", "/v1/customers", dict(p), headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.json()["id"] == r.json()["id"], again.text
    changed = shop.request("POST", "/v1/customers", person(), headers={"Idempotency-Key": key})
    if legacy == "digest":
        assert changed.status_code == 400, changed.text
        assert changed.json()["error"]["code"] == "idempotency_key_reused"
    else:                                     # the old rule: any request replays
        assert changed.status_code == 201 and changed.json()["id"] == r.json()["id"]
