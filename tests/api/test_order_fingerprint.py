"""Regression tests for issue 8 (review finding 14): an order's stored
fingerprint is a copy of nothing personal. It digests the request without its
customer object (whose e-mail, name and phone erasure must remove), and a
repeat must also find the order's customer; after erasure no stored order
fingerprint is the digest of a body holding the customer's data, and a replay
of a guessed body is refused like any other (no oracle)."""
import copy
import hashlib
import json
import uuid

import pytest

from conftest import connect_db, error_of, new_order


def whole_body_digest(body):
    """The fingerprint orders had before: SHA-256 of method, path and the
    canonical body (jsonv_fingerprint), customer object included."""
    canon = json.dumps(body, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(("POST\n/v1/orders\n" + canon).encode()).hexdigest()


def stored_fingerprints(shop):
    con = connect_db(shop.server.db)
    try:
        return {ext: fp for ext, fp in con.execute(
            "SELECT external_id, fingerprint FROM orders WHERE shop_id = ?", (shop.shop["id"],))}
    finally:
        con.close()


def set_fingerprint(shop, external_id, fingerprint):
    con = connect_db(shop.server.db, timeout=10)
    try:
        with con:
            con.execute("UPDATE orders SET fingerprint = ? WHERE shop_id = ? AND external_id = ?",
                        (fingerprint, shop.shop["id"], external_id))
    finally:
        con.close()


def tag():
    return uuid.uuid4().hex[:8]


CUSTOMERS = [
    lambda: {"email": f"olga.{tag()}@example.de", "name": "Olga Berg"},
    lambda: {"phone": "+4930" + str(uuid.uuid4().int)[:8], "name": "Jan Kowalski"},
    lambda: {"email": f"m.{tag()}@example.fr", "phone": "+3361" + str(uuid.uuid4().int)[:7],
             "name": "Marie Dubois"},
    lambda: {"external_id": "crm-" + tag(), "email": f"k.{tag()}@example.jp", "name": "Kenji"},
]
IDS = ["email", "phone", "email-and-phone", "external-id"]


@pytest.mark.parametrize("make", CUSTOMERS, ids=IDS)
def test_a_replay_of_the_same_body_returns_the_same_order_issue8(shop, make):
    body = new_order(shop, customer=make())
    first = shop.post("/v1/orders", body)
    assert first.status_code == 201, first.text
    again = shop.post("/v1/orders", copy.deepcopy(body))
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    by_id = dict(body, customer=first.json()["customer"])   # the same customer, by its id
    assert shop.post("/v1/orders", by_id).json()["id"] == first.json()["id"]


def other_bodies(body, shop):
    """Replays that are not the same order: other contents, or another customer."""
    yield dict(body, total=body["total"] + 1, shipping=1)
    yield dict(body, lines=[dict(body["lines"][0], quantity=3)], total=3 * 1250)
    yield dict(body, currency="USD")
    yield dict(body, customer={"email": f"someone.else.{tag()}@example.de"})
    other = shop.post("/v1/customers", {"email": f"other.{tag()}@example.de"}).json()["id"]
    yield dict(body, customer=other)


@pytest.mark.parametrize("make", CUSTOMERS, ids=IDS)
def test_a_replay_of_another_body_is_409_and_creates_nobody_issue8(shop, make):
    body = new_order(shop, customer=make())
    assert shop.post("/v1/orders", body).status_code == 201
    for other in other_bodies(body, shop):
        count = len(shop.get("/v1/customers?limit=100").json()["data"])
        r = shop.post("/v1/orders", other)
        assert r.status_code == 409, (other, r.text)
        assert error_of(r)["code"] == "order_exists"
        assert len(shop.get("/v1/customers?limit=100").json()["data"]) == count
    assert len(shop.get("/v1/orders").json()["data"]) == 1


@pytest.mark.parametrize("make", CUSTOMERS, ids=IDS)
def test_no_stored_fingerprint_is_a_digest_of_the_customers_data_issue8(shop, make):
    bodies = [new_order(shop, customer=make()) for _ in range(3)]
    for b in bodies:
        assert shop.post("/v1/orders", b).status_code == 201
    stored = stored_fingerprints(shop)
    for b in bodies:
        assert stored[b["external_id"]] != whole_body_digest(b)
    customer = shop.get(f"/v1/orders/ext:{bodies[0]['external_id']}").json()["customer"]
    assert shop.delete(f"/v1/customers/{customer}").status_code == 200
    stored = stored_fingerprints(shop)
    for b in bodies:
        pii = {k: v for k, v in b["customer"].items() if k in ("email", "phone", "name")}
        assert stored[b["external_id"]] != whole_body_digest(b)
        assert not any(v in stored[b["external_id"]] for v in pii.values())


@pytest.mark.parametrize("make", CUSTOMERS, ids=IDS)
def test_after_erasure_a_guessed_body_is_refused_like_a_wrong_guess_issue8(shop, make):
    body = new_order(shop, customer=make())
    created = shop.post("/v1/orders", body).json()
    assert shop.delete(f"/v1/customers/{created['customer']}").status_code == 200
    wrong = dict(body, customer=dict(body["customer"], name="Someone Else"))
    wrong["customer"].pop("external_id", None)
    wrong["customer"]["email"] = f"guess.{tag()}@example.de"
    answers = [shop.post("/v1/orders", b) for b in (body, wrong)]
    assert [r.status_code for r in answers] == [409, 409], [r.text for r in answers]
    assert {error_of(r)["code"] for r in answers} == {"order_exists"}


@pytest.mark.parametrize("make", CUSTOMERS, ids=IDS)
def test_an_order_stored_with_a_whole_body_digest_still_replays_until_erasure_issue8(shop, make):
    body = new_order(shop, customer=make())
    created = shop.post("/v1/orders", body).json()
    set_fingerprint(shop, body["external_id"], whole_body_digest(body))   # as stored before
    assert shop.post("/v1/orders", body).json()["id"] == created["id"]
    assert shop.delete(f"/v1/customers/{created['customer']}").status_code == 200
    assert stored_fingerprints(shop)[body["external_id"]] != whole_body_digest(body)
    r = shop.post("/v1/orders", body)
    assert r.status_code == 409 and error_of(r)["code"] == "order_exists", r.text


def test_a_replay_after_a_merge_still_finds_the_order_issue8(shop):
    a = shop.post("/v1/customers", {"email": f"a.{tag()}@example.de"}).json()
    b = shop.post("/v1/customers", {"email": f"b.{tag()}@example.de"}).json()
    bodies = [new_order(shop, customer={"email": c["email"]}) for c in (a, b)]
    ids = [shop.post("/v1/orders", x).json()["id"] for x in bodies]
    r = shop.post(f"/v1/customers/{a['id']}/merge", {"source": b["id"]})
    assert r.status_code == 200, r.text
    assert [shop.post("/v1/orders", x).json()["id"] for x in bodies] == ids
