"""Regression tests for issue 8, section 0: creating an account with an e-mail
for a customer who already had one crashed the server (a compound literal used
after its block ended). Every branch of account creation and of merging, on the
normal and the sanitizer build: the server must answer and stay up."""
import uuid

import pytest

from conftest import error_of, new_order
from loyalty_helpers import loyalty, set_program


def unique(prefix="a"):
    return f"{prefix}{uuid.uuid4().hex[:8]}@example.com"


def idents(c):
    return {(i["type"], i["value"]) for i in c["identities"]}


def alive(shop):
    assert shop.get("/livez", key=None).status_code == 200


@pytest.mark.parametrize("new_email", ["second@example.com", "Second@Example.COM", " other.one@example.org "])
def test_an_account_with_an_email_for_a_customer_who_has_one_adds_it_as_identity_issue8(shop, new_email):
    c = shop.post("/v1/customers", {"email": "first@example.com", "name": "Anna"}).json()
    r = shop.post(f"/v1/customers/{c['id']}/account", {"email": new_email})
    assert r.status_code == 200, r.text
    a = r.json()
    assert a["status"] == "account" and a["account_created_at"]
    assert a["email"] == "first@example.com"                       # the primary stays
    assert idents(a) == {("email", "first@example.com"), ("email", new_email.strip().lower())}
    assert shop.get(f"/v1/customers/{c['id']}").json() == a
    found = shop.get("/v1/customers", headers={}).json()["data"]
    assert [x["id"] for x in found] == [c["id"]]
    alive(shop)


def test_the_same_email_again_in_another_case_changes_nothing_but_the_status_issue8(shop):
    c = shop.post("/v1/customers", {"email": "same@example.com"}).json()
    a = shop.post(f"/v1/customers/{c['id']}/account", {"email": "SAME@example.com"}).json()
    assert a["status"] == "account" and idents(a) == {("email", "same@example.com")}


def test_an_account_for_a_guest_without_email_makes_the_email_primary_issue8(shop):
    cid = shop.post("/v1/orders", new_order(shop, customer={"phone": "+48221234000"})).json()["customer"]
    a = shop.post(f"/v1/customers/{cid}/account", {"email": "Primary@Example.com"}).json()
    assert a["email"] == "primary@example.com" and a["account_invite_due"] is False
    assert idents(a) == {("phone", "+48221234000"), ("email", "primary@example.com")}
    assert shop.get("/v1/customers?email=primary@example.com").json()["data"][0]["id"] == cid


def test_an_account_without_email_and_again_is_idempotent_and_pays_the_bonus_once_issue8(shop):
    set_program(shop, bonuses=[{"action": "account_created", "points": 100, "per_customer_limit": 1}])
    c = shop.post("/v1/customers", {"email": unique()}).json()
    first = shop.post(f"/v1/customers/{c['id']}/account", {})
    assert first.status_code == 200 and first.json()["status"] == "account"
    # An account holder asking again, with or without a further e-mail: still one account.
    again = shop.post(f"/v1/customers/{c['id']}/account", {"email": "later@example.com"})
    assert again.status_code == 200, again.text
    assert again.json()["account_created_at"] == first.json()["account_created_at"]
    assert ("email", "later@example.com") in idents(again.json())
    assert loyalty(shop, c["id"])["points"]["available"] == 100
    alive(shop)


def test_an_account_replayed_with_its_idempotency_key_answers_the_same_issue8(shop):
    c = shop.post("/v1/customers", {"email": unique()}).json()
    h = {"Idempotency-Key": "acct-" + c["id"]}
    r1 = shop.post(f"/v1/customers/{c['id']}/account", {"email": "k@example.com"}, headers=h)
    r2 = shop.post(f"/v1/customers/{c['id']}/account", {"email": "k@example.com"}, headers=h)
    assert r1.status_code == r2.status_code == 200 and r1.json() == r2.json()


@pytest.mark.parametrize("body,status,code,param", [
    ({"email": "not-an-address"}, 400, None, "email"),
    ({"email": ""}, 400, None, "email"),
    ({"email": 7}, 400, None, "email"),
    ({"name": "x"}, 400, "parameter_unknown", "name"),
    ({"email": "taken@example.com"}, 409, "identity_taken", "email"),
])
def test_a_refused_account_changes_nothing_issue8(shop, body, status, code, param):
    shop.post("/v1/customers", {"email": "taken@example.com"})
    c = shop.post("/v1/customers", {"email": unique()}).json()
    r = shop.post(f"/v1/customers/{c['id']}/account", body)
    assert r.status_code == status, r.text
    err = error_of(r)
    assert err["param"] == param
    if code:
        assert err["code"] == code
    assert shop.get(f"/v1/customers/{c['id']}").json() == c
    alive(shop)


def test_an_account_for_an_unknown_erased_or_merged_customer_issue8(shop):
    r = shop.post("/v1/customers/cus_nobody/account", {"email": unique()})
    assert r.status_code == 404
    gone = shop.post("/v1/customers", {"email": unique()}).json()
    shop.delete(f"/v1/customers/{gone['id']}")
    r = shop.post(f"/v1/customers/{gone['id']}/account", {"email": unique()})
    assert r.status_code == 409 and error_of(r)["code"] == "customer_inactive"
    # A merged customer's id stands for the survivor.
    target = shop.post("/v1/customers", {"email": unique("t")}).json()
    source = shop.post("/v1/customers", {"email": unique("s")}).json()
    shop.post(f"/v1/customers/{target['id']}/merge", {"source": source["id"]})
    r = shop.post(f"/v1/customers/{source['id']}/account", {"email": "via-merged@example.com"})
    assert r.status_code == 200, r.text
    assert r.json()["id"] == target["id"] and r.json()["status"] == "account"
    assert shop.get(f"/v1/customers/{source['id']}").json()["status"] == "merged"
    alive(shop)


def test_merge_keeps_the_targets_details_and_takes_the_sources_where_it_has_none_issue8(shop):
    t = shop.post("/v1/customers", {"email": unique("t"), "name": "Target"}).json()
    s = shop.post("/v1/customers", {"email": unique("s"), "name": "Source", "phone": "+48601230001",
                                    "addresses": [{"line1": "Ul. 1", "city": "Łódź", "country": "PL"}]}).json()
    m = shop.post(f"/v1/customers/{t['id']}/merge", {"source": s["id"]}).json()
    assert m["name"] == "Target" and m["email"] == t["email"] and m["phone"] == "+48601230001"
    assert idents(m) == idents(t) | idents(s)
    assert [a["city"] for a in m["addresses"]] == ["Łódź"]


def test_merging_an_account_into_a_guest_makes_the_survivor_an_account_issue8(shop):
    t = shop.post("/v1/orders", new_order(shop)).json()["customer"]
    s = shop.post("/v1/customers", {"email": unique(), "account": True}).json()
    assert s["status"] == "account"
    m = shop.post(f"/v1/customers/{t}/merge", {"source": s["id"]}).json()
    assert m["status"] == "account" and m["account_created_at"] == s["account_created_at"]
    assert m["account_invite_due"] is False and m["orders_count"] == 1


def test_merging_a_guest_with_a_due_invite_carries_the_invite_issue8(shop):
    t = shop.post("/v1/customers", {"email": unique("t")}).json()
    s = shop.post("/v1/orders", new_order(shop)).json()["customer"]
    assert shop.get(f"/v1/customers/{s}").json()["account_invite_due"] is True
    m = shop.post(f"/v1/customers/{t['id']}/merge", {"source": s}).json()
    assert m["status"] == "guest" and m["account_invite_due"] is True


def test_merge_moves_the_points_issue8(shop):
    set_program(shop, bonuses=[{"action": "signup", "points": 30, "per_customer_limit": 1}])
    t = shop.post("/v1/customers", {"email": unique("t")}).json()
    s = shop.post("/v1/customers", {"email": unique("s")}).json()
    shop.post(f"/v1/customers/{t['id']}/merge", {"source": s["id"]})
    assert loyalty(shop, t["id"])["points"]["available"] == 60


def test_a_merge_into_a_merged_customer_lands_on_its_survivor_issue8(shop):
    a = shop.post("/v1/customers", {"email": unique("a")}).json()
    b = shop.post("/v1/customers", {"email": unique("b")}).json()
    c = shop.post("/v1/customers", {"email": unique("c")}).json()
    shop.post(f"/v1/customers/{a['id']}/merge", {"source": b["id"]})
    r = shop.post(f"/v1/customers/{b['id']}/merge", {"source": c["id"]})
    assert r.status_code == 200 and r.json()["id"] == a["id"]
    assert len(r.json()["identities"]) == 3


@pytest.mark.parametrize("case", ["self", "source_erased", "source_merged_elsewhere", "target_erased",
                                  "unknown_source", "unknown_target", "missing_source", "extra_field"])
def test_refused_merges_change_nothing_issue8(shop, case):
    t = shop.post("/v1/customers", {"email": unique("t")}).json()
    s = shop.post("/v1/customers", {"email": unique("s")}).json()
    target, body = t["id"], {"source": s["id"]}
    expect = {"self": (400, "merge_into_self", "source"),
              "source_erased": (409, "customer_inactive", "source"),
              "source_merged_elsewhere": (409, "customer_inactive", "source"),
              "target_erased": (409, "customer_inactive", "id"),
              "unknown_source": (404, None, "source"),
              "unknown_target": (404, None, "id"),
              "missing_source": (400, "parameter_missing", "source"),
              "extra_field": (400, "parameter_unknown", "into")}[case]
    if case == "self":
        body = {"source": t["id"]}
    elif case == "source_erased":
        shop.delete(f"/v1/customers/{s['id']}")
    elif case == "source_merged_elsewhere":
        other = shop.post("/v1/customers", {"email": unique("o")}).json()
        shop.post(f"/v1/customers/{other['id']}/merge", {"source": s["id"]})
    elif case == "target_erased":
        shop.delete(f"/v1/customers/{t['id']}")
    elif case == "unknown_source":
        body = {"source": "cus_nobody"}
    elif case == "unknown_target":
        target = "cus_nobody"
    elif case == "missing_source":
        body = {}
    elif case == "extra_field":
        body = {"source": s["id"], "into": "x"}
    before_t = shop.get(f"/v1/customers/{t['id']}").json()
    before_s = shop.get(f"/v1/customers/{s['id']}").json()
    r = shop.post(f"/v1/customers/{target}/merge", body)
    assert r.status_code == expect[0], r.text
    err = error_of(r)
    assert err["param"] == expect[2]
    if expect[1]:
        assert err["code"] == expect[1]
    assert shop.get(f"/v1/customers/{t['id']}").json() == before_t
    assert shop.get(f"/v1/customers/{s['id']}").json() == before_s
    alive(shop)
