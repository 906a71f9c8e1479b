"""Regression tests for issue 8, sections 2 and 3: erasure reaches every copy
of a customer's personal data (the rows, the customers merged into it, stored
idempotent responses, the raw database and WAL files, the logs), a replay of a
stored request after erasure neither re-creates nor reveals, and an erased
customer gets no customer tokens and opens no storefront read with an old one."""
import json
import os
import uuid

import pytest

from conftest import PG, Api, OPERATOR_KEY, error_of, make_shop, new_order, pg_dump
from loyalty_helpers import set_program


def person():
    tag = uuid.uuid4().hex[:10]
    return {"name": f"Zofia Wrzos{tag}", "email": f"zofia.{tag}@example.com",
            "phone": "+4860" + str(int(tag, 16) % 10 ** 7).zfill(7)}


def secrets_of(p):
    return [p["name"], p["email"], p["phone"]]


def raw_files(server):
    """The database's bytes on disk: the file, its WAL and shared memory. On
    PostgreSQL, everything the database holds, as pg_dump writes it out (its
    files keep dead row versions until vacuum: docs/operations.md)."""
    if PG:
        return pg_dump(server.db)
    out = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = server.db + suffix
        if os.path.exists(path):
            with open(path, "rb") as f:
                out += f.read()
    return out


def assert_nowhere(blob, p):
    for s in secrets_of(p):
        for form in {s, s.lower(), s.upper()}:
            assert form.encode() not in blob, f"{form!r} is still in the bytes"
    # Also the local part alone, and as it appears JSON-escaped.
    assert p["email"].split("@")[0].encode() not in blob


KINDS = ["create", "patch", "account", "merge_target", "merge_source", "order_guest", "upsert"]


def stored_requests(shop, p, kind):
    """Sends the customer's data through one route with an Idempotency-Key;
    returns (customer id, [(method, path, body, key)]) to replay."""
    sent = []

    def send(method, path, body):
        key = "k-" + uuid.uuid4().hex
        r = shop.request(method, path, body, headers={"Idempotency-Key": key})
        assert r.status_code in (200, 201), r.text
        sent.append((method, path, body, key))
        return r.json()

    if kind == "create":
        cid = send("POST", "/v1/customers", dict(p))["id"]
    elif kind == "upsert":
        cid = send("POST", "/v1/customers", {"external_id": "x-" + p["phone"], "name": "before"})["id"]
        send("POST", "/v1/customers", dict(p, external_id="x-" + p["phone"]))
    elif kind == "patch":
        cid = send("POST", "/v1/customers", {})["id"]
        send("PATCH", f"/v1/customers/{cid}", dict(p))
    elif kind == "account":
        cid = send("POST", "/v1/customers", {"phone": p["phone"], "name": p["name"]})["id"]
        send("POST", f"/v1/customers/{cid}/account", {"email": p["email"]})
    elif kind == "merge_target":
        cid = send("POST", "/v1/customers", {"email": p["email"], "name": p["name"]})["id"]
        src = send("POST", "/v1/customers", {"phone": p["phone"]})["id"]
        send("POST", f"/v1/customers/{cid}/merge", {"source": src})
    elif kind == "merge_source":
        # The data lives on a customer later merged into another; erasing the
        # survivor must scrub the merged one too.
        src = send("POST", "/v1/customers", dict(p))["id"]
        cid = send("POST", "/v1/customers", {"email": f"other.{uuid.uuid4().hex[:6]}@example.com"})["id"]
        send("POST", f"/v1/customers/{cid}/merge", {"source": src})
    elif kind == "order_guest":
        o = send("POST", "/v1/orders", new_order(shop, customer=dict(p)))
        cid = o["customer"]
    return cid, sent


@pytest.mark.parametrize("kind", KINDS)
def test_a_replay_after_erasure_shows_the_erased_record_and_creates_nothing_issue8(shop, kind):
    p = person()
    cid, sent = stored_requests(shop, p, kind)
    assert shop.delete(f"/v1/customers/{cid}").status_code == 200
    count = len(shop.get("/v1/customers?limit=100").json()["data"])
    for method, path, body, key in sent:
        r = shop.request(method, path, body, headers={"Idempotency-Key": key})
        assert r.status_code in (200, 201), r.text
        for s in secrets_of(p):
            assert s not in r.text and s.lower() not in r.text
        got = r.json()
        if got.get("object") == "customer":
            assert got["email"] is None and got["name"] is None and got["phone"] is None
            assert got["identities"] == [] and got["status"] in ("erased", "merged")
    # Nothing was created again by the replays.
    assert len(shop.get("/v1/customers?limit=100").json()["data"]) == count
    assert shop.get(f"/v1/customers?email={p['email']}").json()["data"] == []


def test_erasure_scrubs_customers_merged_into_the_erased_one_issue8(shop):
    p = person()
    a = shop.post("/v1/customers", dict(p)).json()
    b = shop.post("/v1/customers", {"email": f"b.{uuid.uuid4().hex[:6]}@example.com"}).json()
    c = shop.post("/v1/customers", {"email": f"c.{uuid.uuid4().hex[:6]}@example.com"}).json()
    shop.post(f"/v1/customers/{b['id']}/merge", {"source": a["id"]})
    shop.post(f"/v1/customers/{c['id']}/merge", {"source": b["id"]})
    r = shop.delete(f"/v1/customers/{c['id']}")
    assert r.status_code == 200 and r.json()["status"] == "erased"
    for merged in (a, b):
        m = shop.get(f"/v1/customers/{merged['id']}").json()
        assert m["status"] == "merged" and m["merged_into"] is not None
        assert m["name"] is None and m["email"] is None and m["phone"] is None
        assert m["external_id"] is None and m["identities"] == []
    # Erasing again changes nothing and records no second event.
    assert shop.delete(f"/v1/customers/{c['id']}").json() == shop.get(f"/v1/customers/{c['id']}").json()


def test_responses_of_other_customers_are_left_alone_issue8(shop):
    p, q = person(), person()
    key = "keep-" + uuid.uuid4().hex
    kept = shop.post("/v1/customers", dict(q), headers={"Idempotency-Key": key}).json()
    gone = shop.post("/v1/customers", dict(p)).json()
    shop.delete(f"/v1/customers/{gone['id']}")
    again = shop.post("/v1/customers", dict(q), headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.json() == kept


@pytest.mark.parametrize("kind", KINDS)
def test_no_copy_of_the_data_is_left_in_the_database_files_issue8(fresh_server, kind):
    fresh_server.start()
    shop = make_shop(Api(fresh_server, OPERATOR_KEY))
    p = person()
    addr = {"line1": "Ulica " + p["name"], "city": "Gdańsk", "country": "PL", "phone": p["phone"]}
    cid, _ = stored_requests(shop, p, kind)
    shop.patch(f"/v1/customers/{cid}", {"addresses": [addr]})
    shop.post("/v1/orders", new_order(shop, customer={"id": cid}))
    assert p["email"].encode() in raw_files(fresh_server)       # the test can see it before
    assert shop.delete(f"/v1/customers/{cid}").status_code == 200
    # Right after the erasure, with the server running (WAL mode)...
    assert_nowhere(raw_files(fresh_server), p)
    # ...after more writes (new pages, a checkpoint)...
    for _ in range(30):
        shop.post("/v1/orders", new_order(shop))
    assert_nowhere(raw_files(fresh_server), p)
    # ...and after a clean stop.
    assert fresh_server.stop() == 0
    assert_nowhere(raw_files(fresh_server), p)


def test_logs_never_hold_raw_emails_issue8(fresh_server):
    fresh_server.start()
    shop = make_shop(Api(fresh_server, OPERATOR_KEY))
    p = person()
    c = shop.post("/v1/customers", dict(p)).json()
    shop.post("/v1/customers", {"email": p["email"]})                      # 409 identity taken
    shop.get(f"/v1/customers?email={p['email']}")
    shop.get(f"/v1/customers?email=broken{p['email']}@@")                  # 400
    shop.post(f"/v1/customers/{c['id']}/account", {"email": "not-an-address " + p["email"]})
    shop.post("/v1/orders", new_order(shop, customer={"email": p["email"]}))
    shop.get(f"/v1/customers/{p['email']}")                                # 404 naming it
    shop.delete(f"/v1/customers/{c['id']}")
    assert fresh_server.stop() == 0
    log = open(os.path.join(fresh_server.dir, "server.log"), "rb").read()
    assert b'"request"' in log                                             # access log was on
    assert p["email"].encode() not in log and p["email"].split("@")[0].encode() not in log


def mint(shop, cid):
    return shop.post(f"/v1/customers/{cid}/tokens", {})


@pytest.mark.parametrize("how", ["direct", "via_merged_id", "survivor_erased"])
def test_no_tokens_for_an_erased_customer_and_old_ones_stop_working_issue8(shop, server, how):
    set_program(shop)
    storefront = Api(server, shop.shop["publishable_key"])
    c = shop.post("/v1/customers", dict(person())).json()
    holder = c["id"]
    if how != "direct":
        src = shop.post("/v1/customers", dict(person())).json()
        shop.post(f"/v1/customers/{c['id']}/merge", {"source": src["id"]})
        holder = src["id"]                       # its token stands for the survivor
    r = mint(shop, holder)
    assert r.status_code == 201, r.text
    token = r.json()["token"]
    h = {"Customer-Token": token}
    assert storefront.get(f"/v1/customers/{c['id']}/loyalty", headers=h).status_code == 200
    erased = shop.delete(f"/v1/customers/{holder if how == 'via_merged_id' else c['id']}")
    assert erased.status_code == 200 and erased.json()["id"] == c["id"]
    r = mint(shop, holder)
    assert r.status_code == 409 and error_of(r)["code"] == "customer_inactive"
    for path in ("loyalty", "ledger", "redemptions"):
        r = storefront.get(f"/v1/customers/{c['id']}/{path}", headers=h)
        assert r.status_code == 401, r.text
        assert error_of(r)["code"] == "customer_token_invalid"
    # The shop's own server still reads the anonymous record.
    assert shop.get(f"/v1/customers/{c['id']}/loyalty").status_code == 200
