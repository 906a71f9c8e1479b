"""Issue 12: the shop's interest catalogue and the interests a customer holds,
each with its visibility; a display name and marketing consent on the
customer. Bad input is the documented 4xx and changes nothing."""
import pytest

from conftest import error_of, make_shop
from profile_helpers import (CATALOGUE, customer, keys_of, put_catalogue, put_interests, storefront,
                             token)


def catalogue(api):
    r = api.get("/v1/interests/catalogue")
    assert r.status_code == 200, r.text
    return r.json()


def own_interests(shop, c):
    """Everything the customer holds, as they see it on their own profile."""
    r = storefront(shop).get(f"/v1/profiles/{c}", headers=token(shop, c))
    assert r.status_code == 200, r.text
    return [(i["interest"], i["visibility"]) for i in r.json()["interests"]]


def test_interests__the_catalogue_is_replaced_whole_and_read_by_the_storefront_too(shop):
    body = put_catalogue(shop)
    assert body["object"] == "interest_catalogue" and body["retired_now"] == []
    assert [(i["key"], i["name"], i["skus"]) for i in body["interests"]] == [
        ("green_tea", "Green tea", ["TEA-1", "TEA-2"]), ("yoga", "Yoga", ["MAT-1"]),
        ("ceramics", "Ceramics", [])]
    put_catalogue(shop, [{"key": "yoga", "name": "Yoga and pilates"}])
    seen = catalogue(storefront(shop))
    assert [(i["key"], i["name"], i["skus"], i["retired"]) for i in seen["interests"]] == [
        ("yoga", "Yoga and pilates", [], False)]
    assert catalogue(shop) == seen


def test_interests__a_customer_replaces_their_list_with_their_token(shop):
    put_catalogue(shop)
    c = customer(shop, "a@example.com")
    r = put_interests(storefront(shop), c["id"], [("yoga", "friends"), ("green_tea", "everyone")],
                      headers=token(shop, c["id"]))
    assert r.status_code == 200, r.text
    assert r.json()["viewer"] == "owner"
    assert [(i["interest"], i["name"], i["visibility"]) for i in r.json()["interests"]] == [
        ("yoga", "Yoga", "friends"), ("green_tea", "Green tea", "everyone")]
    r = put_interests(storefront(shop), c["id"], [("ceramics", "only_me")], headers=token(shop, c["id"]))
    assert r.status_code == 200 and own_interests(shop, c["id"]) == [("ceramics", "only_me")]
    r = put_interests(storefront(shop), c["id"], [], headers=token(shop, c["id"]))
    assert r.status_code == 200 and own_interests(shop, c["id"]) == []


def test_interests__the_storefront_needs_that_customers_token(shop):
    put_catalogue(shop)
    a, b = customer(shop, "a@example.com"), customer(shop, "b@example.com")
    r = put_interests(storefront(shop), a["id"], [("yoga", "everyone")])
    assert r.status_code == 401 and error_of(r)["code"] == "customer_token_required"
    r = put_interests(storefront(shop), a["id"], [("yoga", "everyone")], headers=token(shop, b["id"]))
    assert r.status_code == 403 and error_of(r)["code"] == "customer_token_mismatch"
    assert own_interests(shop, a["id"]) == []


@pytest.mark.parametrize("choices, param, code", [
    ([("yoga", "public")], "interests[0].visibility", "visibility_unknown"),
    ([("yoga", "everyone"), ("yoga", "friends")], "interests[1].interest", "parameter_invalid"),
    ([("yoga", "everyone"), ("knitting", "everyone")], "interests[1].interest", "interest_unknown"),
    ([("yoga", "")], "interests[0].visibility", "parameter_invalid"),
])
def test_interests__an_unknown_interest_or_visibility_is_400_naming_it_and_changes_nothing(
        shop, choices, param, code):
    put_catalogue(shop)
    c = customer(shop, "a@example.com")
    assert put_interests(shop, c["id"], [("green_tea", "only_me")]).status_code == 200
    before = own_interests(shop, c["id"])
    r = put_interests(shop, c["id"], choices)
    assert r.status_code == 400, r.text
    err = error_of(r)
    assert err["param"] == param and err["code"] == code, err
    assert own_interests(shop, c["id"]) == before == [("green_tea", "only_me")]


@pytest.mark.parametrize("body, param", [
    ({"interests": [{"key": "Green Tea", "name": "x"}]}, "interests[0].key"),
    ({"interests": [{"key": "a", "name": "A"}, {"key": "a", "name": "B"}]}, "interests[1].key"),
    ({"interests": [{"key": "a", "name": ""}]}, "interests[0].name"),
    ({"interests": [{"key": "a", "name": "A", "skus": ["X", "X"]}]}, "interests[0].skus[1]"),
    ({"interests": [{"key": "a", "name": "A", "skus": "X"}]}, "interests[0].skus"),
    ({"interests": [{"key": "a", "name": "A", "colour": "red"}]}, "interests[0].colour"),
    ({"interests": "yoga"}, "interests"),
    ({}, "interests"),
])
def test_interests__a_bad_catalogue_is_400_naming_the_field_and_changes_nothing(shop, body, param):
    before = put_catalogue(shop)
    r = shop.request("PUT", "/v1/interests/catalogue", body)
    assert r.status_code == 400, r.text
    assert error_of(r)["param"] == param
    assert catalogue(shop)["interests"] == before["interests"]


def test_interests__only_the_secret_key_replaces_the_catalogue(shop):
    c = customer(shop, "a@example.com")
    r = storefront(shop).request("PUT", "/v1/interests/catalogue", {"interests": CATALOGUE},
                                 headers=token(shop, c["id"]))
    assert r.status_code == 403
    assert catalogue(shop)["interests"] == []


def test_interests__an_interest_customers_hold_is_retired_not_deleted_when_the_catalogue_drops_it(shop):
    put_catalogue(shop)
    c = customer(shop, "a@example.com")
    other = customer(shop, "b@example.com")
    put_interests(shop, c["id"], [("yoga", "everyone"), ("green_tea", "friends")])
    body = put_catalogue(shop, [{"key": "green_tea", "name": "Green tea"}])
    assert body["retired_now"] == ["yoga"], "ceramics nobody held is simply gone"
    assert [(i["key"], i["retired"]) for i in body["interests"]] == [("green_tea", False), ("yoga", True)]
    assert body["interests"][1]["retired_at"] is not None
    # the holder keeps it, marked retired; nobody can choose it now
    seen = {i["interest"]: i["retired"] for i in shop.get(f"/v1/profiles/{c['id']}").json()["interests"]}
    assert seen == {"yoga": True}
    r = put_interests(shop, other["id"], [("yoga", "everyone")])
    assert r.status_code == 400 and error_of(r)["code"] == "interest_unknown"
    assert "retired" in error_of(r)["message"]
    # the holder may keep it in a new list (or drop it)
    assert put_interests(shop, c["id"], [("green_tea", "everyone"), ("yoga", "only_me")]).status_code == 200
    assert own_interests(shop, c["id"]) == [("green_tea", "everyone"), ("yoga", "only_me")]
    # listing it again brings it back
    body = put_catalogue(shop)
    assert [(i["key"], i["retired"]) for i in body["interests"]] == [
        ("green_tea", False), ("yoga", False), ("ceramics", False)]


def test_interests__a_display_name_and_marketing_consent_are_set_on_the_customer(shop, server):
    c = customer(shop, "nino@example.com", display_name="Nino")
    assert c["display_name"] == "Nino" and c["marketing_consent"] is False
    assert c["marketing_consent_at"] is None
    r = shop.patch(f"/v1/customers/{c['id']}", {"marketing_consent": True})
    assert r.status_code == 200 and r.json()["marketing_consent"] is True
    given = r.json()["marketing_consent_at"]
    assert given is not None
    r = shop.patch(f"/v1/customers/{c['id']}", {"display_name": None, "marketing_consent": True})
    assert r.json()["display_name"] is None and r.json()["marketing_consent_at"] == given, \
        "consent given again is no change"
    r = shop.patch(f"/v1/customers/{c['id']}", {"marketing_consent": False})
    assert r.json()["marketing_consent"] is False


def test_interests__consent_changes_are_recorded_as_events(shop, server):
    from conftest import connect_db
    c = customer(shop, "nino@example.com", marketing_consent=True)
    shop.patch(f"/v1/customers/{c['id']}", {"marketing_consent": False})
    con = connect_db(server.db)
    rows = con.execute("SELECT type FROM events WHERE object_id = ? AND type LIKE"
                       " 'customer.marketing_consent%' ORDER BY id", (c["id"],)).fetchall()
    con.close()
    assert [t for (t,) in rows] == ["customer.marketing_consent_given",
                                    "customer.marketing_consent_withdrawn"]


def test_interests__the_customer_sets_their_display_name_through_the_storefront(shop):
    c = customer(shop, "a@example.com", name="Anna Karenina")
    r = storefront(shop).patch(f"/v1/profiles/{c['id']}", {"display_name": "Anna K."},
                               headers=token(shop, c["id"]))
    assert r.status_code == 200 and r.json()["display_name"] == "Anna K."
    assert shop.get(f"/v1/customers/{c['id']}").json()["display_name"] == "Anna K."
    other = customer(shop, "b@example.com")
    r = storefront(shop).patch(f"/v1/profiles/{c['id']}", {"display_name": "mallory"},
                               headers=token(shop, other["id"]))
    assert r.status_code == 403
    r = storefront(shop).patch(f"/v1/customers/{c['id']}", {"display_name": "x"},
                               headers=token(shop, c["id"]))
    assert r.status_code == 403, "the rest of the customer stays the shop's"


@pytest.mark.parametrize("name", ["", "   ", "a" * 81, "two\nlines"])
def test_interests__a_bad_display_name_is_400_and_changes_nothing(shop, name):
    c = customer(shop, "a@example.com", display_name="Anna")
    for r in (shop.patch(f"/v1/customers/{c['id']}", {"display_name": name}),
              shop.patch(f"/v1/profiles/{c['id']}", {"display_name": name})):
        assert r.status_code == 400 and error_of(r)["param"] == "display_name", r.text
    assert shop.get(f"/v1/customers/{c['id']}").json()["display_name"] == "Anna"


def test_interests__marketing_consent_is_a_boolean(shop):
    c = customer(shop, "a@example.com")
    r = shop.patch(f"/v1/customers/{c['id']}", {"marketing_consent": "yes"})
    assert r.status_code == 400 and error_of(r)["param"] == "marketing_consent"
    assert shop.get(f"/v1/customers/{c['id']}").json()["marketing_consent"] is False


def test_interests__another_shops_customer_is_404(shop, operator):
    put_catalogue(shop)
    c = customer(shop, "a@example.com")
    other = make_shop(operator, "Other")
    put_catalogue(other)
    assert put_interests(other, c["id"], [("yoga", "everyone")]).status_code == 404
    assert own_interests(shop, c["id"]) == []


def test_interests__an_erased_customer_cannot_hold_interests(shop):
    put_catalogue(shop)
    c = customer(shop, "a@example.com")
    assert shop.delete(f"/v1/customers/{c['id']}").status_code == 200
    r = put_interests(shop, c["id"], [("yoga", "everyone")])
    assert r.status_code == 409 and error_of(r)["code"] == "customer_inactive"


def test_interests__a_repeat_with_the_same_idempotency_key_replays(shop):
    put_catalogue(shop)
    c = customer(shop, "a@example.com")
    h = {"Idempotency-Key": "int-1"}
    first = put_interests(shop, c["id"], [("yoga", "everyone")], headers=h)
    again = put_interests(shop, c["id"], [("yoga", "everyone")], headers=h)
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert put_interests(shop, c["id"], [("yoga", "friends")], headers=h).status_code == 400


def test_interests__erasure_removes_interests_friendships_and_the_display_name(shop, server):
    from conftest import connect_db
    from profile_helpers import befriend
    put_catalogue(shop)
    c = customer(shop, "gone@example.com", display_name="Gone", marketing_consent=True)["id"]
    f = customer(shop, "f@example.com")["id"]
    put_interests(shop, c, [("yoga", "everyone"), ("ceramics", "only_me")])
    befriend(shop, c, f)
    r = shop.delete(f"/v1/customers/{c}")
    assert r.status_code == 200
    body = r.json()
    assert body["display_name"] is None and body["marketing_consent"] is False
    assert shop.get(f"/v1/customers/{c}").json()["interests"] == []
    con = connect_db(server.db)
    left = [con.execute(sql, (c, c)).fetchone()[0] for sql in (
        "SELECT count(*) FROM customer_interests WHERE customer_id = ? OR customer_id = ?",
        "SELECT count(*) FROM friendships WHERE customer_id = ? OR friend_id = ?",
        "SELECT count(*) FROM customers WHERE (id = ? OR id = ?) AND display_name IS NOT NULL")]
    con.close()
    assert left == [0, 0, 0]


def test_interests__a_merge_joins_the_lists_with_the_stricter_visibility(shop):
    put_catalogue(shop)
    keep = customer(shop, "keep@example.com", display_name="Keep")["id"]
    dup = customer(shop, "dup@example.com", display_name="Dup")["id"]
    put_interests(shop, keep, [("green_tea", "everyone"), ("yoga", "only_me")])
    put_interests(shop, dup, [("green_tea", "friends"), ("yoga", "everyone"), ("ceramics", "friends")])
    r = shop.post(f"/v1/customers/{keep}/merge", {"source": dup})
    assert r.status_code == 200 and r.json()["display_name"] == "Keep"
    assert own_interests(shop, keep) == [("green_tea", "friends"), ("yoga", "only_me"),
                                         ("ceramics", "friends")]
    assert shop.get(f"/v1/customers/{dup}").json()["interests"] == []


def test_interests__a_merge_gives_the_survivor_the_display_name_it_lacked(shop):
    keep = customer(shop, "keep@example.com")["id"]
    dup = customer(shop, "dup@example.com", display_name="Dup")["id"]
    assert shop.post(f"/v1/customers/{keep}/merge", {"source": dup}).json()["display_name"] == "Dup"


def test_interests__an_erasure_reaches_the_stored_answers_of_the_customers_interests(shop):
    put_catalogue(shop)
    c = customer(shop, "a@example.com", display_name="Anna")["id"]
    h = {"Idempotency-Key": "mine", **token(shop, c)}
    first = put_interests(storefront(shop), c, [("ceramics", "only_me")], headers=h)
    assert first.status_code == 200 and "ceramics" in first.text
    assert first.json()["object"] == "profile" and first.json()["id"] == c
    assert shop.delete(f"/v1/customers/{c}").status_code == 200
    again = put_interests(shop, c, [("ceramics", "only_me")], headers={"Idempotency-Key": "mine"})
    assert "ceramics" not in again.text and "Anna" not in again.text


def test_interests__a_merge_keeps_every_interest_of_both_even_past_fifty(shop):
    put_catalogue(shop, [{"key": f"i{n:02d}", "name": f"Interest {n}"} for n in range(60)])
    keep = customer(shop, "keep@example.com")["id"]
    dup = customer(shop, "dup@example.com")["id"]
    assert put_interests(shop, keep, [(f"i{n:02d}", "everyone") for n in range(0, 40)]).status_code == 200
    assert put_interests(shop, dup, [(f"i{n:02d}", "everyone") for n in range(20, 60)]).status_code == 200
    shop.post(f"/v1/customers/{keep}/merge", {"source": dup})
    got = own_interests(shop, keep)
    assert sorted(k for k, _ in got) == [f"i{n:02d}" for n in range(60)]
    assert len(shop.get(f"/v1/customers/{keep}").json()["interests"]) == 60
    r = put_interests(shop, keep, got)
    assert r.status_code == 400 and error_of(r)["param"] == "interests", "a new list holds 50 at most"
