"""Issue 12: friends. A customer asks another; the one asked accepts or
declines; either side removes it, both sides at once. Asking someone who
already asked you makes you friends. Bad requests are the documented 4xx and
change nothing on either side."""
import pytest

from conftest import error_of, make_shop
from profile_helpers import befriend, customer, storefront, token


def lists(shop, c):
    r = shop.get(f"/v1/customers/{c}/friends")
    assert r.status_code == 200, r.text
    b = r.json()
    return ([f["friend"]["id"] for f in b["friends"]], [f["friend"]["id"] for f in b["incoming"]],
            [f["friend"]["id"] for f in b["outgoing"]])


@pytest.fixture
def pair(shop):
    a = customer(shop, "a@example.com", display_name="Anna")["id"]
    b = customer(shop, "b@example.com", display_name="Boris")["id"]
    return a, b


def test_friends__a_request_is_pending_on_both_sides_until_accepted(shop, pair):
    a, b = pair
    r = shop.post(f"/v1/customers/{a}/friends", {"customer": b})
    assert r.status_code == 201, r.text
    f = r.json()
    assert (f["object"], f["customer"], f["friend"], f["state"]) == (
        "friendship", a, {"id": b, "display_name": "Boris"}, "outgoing")
    assert lists(shop, a) == ([], [], [b]) and lists(shop, b) == ([], [a], [])
    r = shop.post(f"/v1/customers/{b}/friends/{a}/accept")
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    assert lists(shop, a) == ([b], [], []) and lists(shop, b) == ([a], [], [])


def test_friends__the_storefront_asks_and_answers_with_each_customers_own_token(shop, pair):
    a, b = pair
    sf = storefront(shop)
    r = sf.post(f"/v1/customers/{a}/friends", {"customer": b}, headers=token(shop, a))
    assert r.status_code == 201, r.text
    r = sf.post(f"/v1/customers/{b}/friends/{a}/accept", headers=token(shop, a))
    assert r.status_code == 403, "a's token cannot answer for b"
    r = sf.post(f"/v1/customers/{b}/friends/{a}/accept", headers=token(shop, b))
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    r = sf.get(f"/v1/customers/{a}/friends", headers=token(shop, a))
    assert r.status_code == 200 and [f["friend"]["display_name"] for f in r.json()["friends"]] == ["Boris"]
    assert sf.get(f"/v1/customers/{a}/friends").status_code == 401
    assert sf.get(f"/v1/customers/{a}/friends", headers=token(shop, b)).status_code == 403


def test_friends__declining_removes_the_request_on_both_sides(shop, pair):
    a, b = pair
    shop.post(f"/v1/customers/{a}/friends", {"customer": b})
    r = shop.post(f"/v1/customers/{b}/friends/{a}/decline")
    assert r.status_code == 200 and r.json()["state"] == "declined"
    assert lists(shop, a) == ([], [], []) == lists(shop, b)
    assert shop.post(f"/v1/customers/{a}/friends", {"customer": b}).status_code == 201, \
        "after a decline one may ask again"


@pytest.mark.parametrize("side", [0, 1])
def test_friends__either_side_removes_a_friendship_and_both_sides_go(shop, pair, side):
    a, b = pair
    befriend(shop, a, b)
    me, other = (a, b) if side == 0 else (b, a)
    r = shop.delete(f"/v1/customers/{me}/friends/{other}")
    assert r.status_code == 200 and r.json()["state"] == "removed"
    assert lists(shop, a) == ([], [], []) == lists(shop, b)
    r = shop.delete(f"/v1/customers/{me}/friends/{other}")
    assert r.status_code == 404 and error_of(r)["code"] == "friendship_missing"


def test_friends__the_one_who_asked_may_withdraw_a_pending_request(shop, pair):
    a, b = pair
    shop.post(f"/v1/customers/{a}/friends", {"customer": b})
    assert shop.delete(f"/v1/customers/{a}/friends/{b}").status_code == 200
    assert lists(shop, b) == ([], [], [])


def test_friends__mutual_requests_make_friends(shop, pair):
    a, b = pair
    shop.post(f"/v1/customers/{a}/friends", {"customer": b})
    r = shop.post(f"/v1/customers/{b}/friends", {"customer": a})
    assert r.status_code == 201 and r.json()["state"] == "accepted"
    assert lists(shop, a) == ([b], [], []) and lists(shop, b) == ([a], [], [])


def test_friends__a_request_by_external_id_finds_the_customer(shop):
    a = customer(shop, "a@example.com")["id"]
    b = customer(shop, "b@example.com", external_id="boris-1")["id"]
    r = shop.post(f"/v1/customers/{a}/friends", {"customer": "ext:boris-1"})
    assert r.status_code == 201 and r.json()["friend"]["id"] == b


def both(shop, a, b):
    return lists(shop, a), lists(shop, b)


def test_friends__a_request_to_oneself_is_400_and_changes_nothing(shop, pair):
    a, b = pair
    shop.post(f"/v1/customers/{a}/friends", {"customer": b})
    before = both(shop, a, b)
    r = shop.post(f"/v1/customers/{a}/friends", {"customer": a})
    assert r.status_code == 400 and error_of(r)["code"] == "friend_self"
    assert error_of(r)["param"] == "customer"
    assert both(shop, a, b) == before


def test_friends__a_request_to_another_shops_customer_is_404_and_changes_nothing(shop, operator, pair):
    a, b = pair
    other = make_shop(operator, "Other")
    stranger = customer(other, "s@example.com")["id"]
    r = shop.post(f"/v1/customers/{a}/friends", {"customer": stranger})
    assert r.status_code == 404 and error_of(r)["param"] == "customer"
    assert lists(shop, a) == ([], [], []) and lists(other, stranger) == ([], [], [])
    r = other.post(f"/v1/customers/{stranger}/friends", {"customer": a})
    assert r.status_code == 404
    assert lists(shop, a) == ([], [], [])


def test_friends__a_repeated_request_is_the_same_request_and_changes_nothing(shop, pair):
    a, b = pair
    first = shop.post(f"/v1/customers/{a}/friends", {"customer": b})
    assert first.status_code == 201
    before = both(shop, a, b)
    r = shop.post(f"/v1/customers/{a}/friends", {"customer": b})
    assert r.status_code == 200 and r.json() == first.json()
    assert both(shop, a, b) == before
    shop.post(f"/v1/customers/{b}/friends/{a}/accept")
    for x, y in ((a, b), (b, a)):
        r = shop.post(f"/v1/customers/{x}/friends", {"customer": y})
        assert r.status_code == 409 and error_of(r)["code"] == "already_friends"
    assert both(shop, a, b) == (([b], [], []), ([a], [], []))


def test_friends__accepting_or_declining_ones_own_request_is_409_and_changes_nothing(shop, pair):
    a, b = pair
    shop.post(f"/v1/customers/{a}/friends", {"customer": b})
    before = both(shop, a, b)
    for verb in ("accept", "decline"):
        r = shop.post(f"/v1/customers/{a}/friends/{b}/{verb}")
        assert r.status_code == 409 and error_of(r)["code"] == "friend_request_own", r.text
    assert both(shop, a, b) == before


def test_friends__answering_a_request_that_was_never_sent_is_404(shop, pair):
    a, b = pair
    for verb in ("accept", "decline"):
        r = shop.post(f"/v1/customers/{a}/friends/{b}/{verb}")
        assert r.status_code == 404 and error_of(r)["code"] == "friend_request_missing"
    assert both(shop, a, b) == (([], [], []), ([], [], []))


@pytest.mark.parametrize("body, param", [({}, "customer"), ({"customer": "  "}, "customer"),
                                         ({"customer": 5}, "customer"),
                                         ({"customer": "x", "note": "hi"}, "note")])
def test_friends__a_bad_request_body_is_400(shop, pair, body, param):
    a, b = pair
    r = shop.post(f"/v1/customers/{a}/friends", body)
    assert r.status_code == 400 and error_of(r)["param"] == param, r.text
    assert lists(shop, a) == ([], [], [])


def test_friends__an_erased_customer_loses_every_friendship_and_cannot_be_asked(shop, pair):
    a, b = pair
    c = customer(shop, "c@example.com")["id"]
    befriend(shop, a, b)
    shop.post(f"/v1/customers/{c}/friends", {"customer": a})
    assert shop.delete(f"/v1/customers/{a}").status_code == 200
    assert lists(shop, b) == ([], [], []) and lists(shop, c) == ([], [], [])
    r = shop.post(f"/v1/customers/{b}/friends", {"customer": a})
    assert r.status_code == 409 and error_of(r)["code"] == "customer_inactive"
    assert lists(shop, b) == ([], [], [])


def test_friends__a_merge_moves_friendships_to_the_survivor(shop):
    keep = customer(shop, "keep@example.com")["id"]
    dup = customer(shop, "dup@example.com")["id"]
    x = customer(shop, "x@example.com")["id"]
    y = customer(shop, "y@example.com")["id"]
    befriend(shop, dup, x)
    shop.post(f"/v1/customers/{y}/friends", {"customer": dup})
    befriend(shop, keep, dup)
    r = shop.post(f"/v1/customers/{keep}/merge", {"source": dup})
    assert r.status_code == 200, r.text
    assert lists(shop, keep) == ([x], [y], []), "not a friend of itself"
    assert lists(shop, x) == ([keep], [], []) and lists(shop, y) == ([], [], [keep])
    r = shop.post(f"/v1/customers/{keep}/friends/{y}/accept")
    assert r.status_code == 200 and lists(shop, y) == ([keep], [], [])


def test_friends__a_merge_keeps_the_stronger_of_two_relations(shop):
    keep = customer(shop, "keep@example.com")["id"]
    dup = customer(shop, "dup@example.com")["id"]
    x = customer(shop, "x@example.com")["id"]
    shop.post(f"/v1/customers/{keep}/friends", {"customer": x})
    befriend(shop, dup, x)
    shop.post(f"/v1/customers/{keep}/merge", {"source": dup})
    assert lists(shop, keep) == ([x], [], []) and lists(shop, x) == ([keep], [], [])


def test_friends__an_erasure_reaches_the_stored_answers_that_named_the_erased_friend(shop):
    a = customer(shop, "a@example.com", display_name="Anna")["id"]
    b = customer(shop, "b@example.com")["id"]
    h = {"Idempotency-Key": "ask-anna"}
    first = shop.post(f"/v1/customers/{b}/friends", {"customer": a}, headers=h)
    assert first.status_code == 201 and "Anna" in first.text
    assert shop.delete(f"/v1/customers/{a}").status_code == 200
    again = shop.post(f"/v1/customers/{b}/friends", {"customer": a}, headers=h)
    assert again.status_code == 201 and "Anna" not in again.text
    assert again.json()["friend"]["id"] == a and again.json()["friend"]["display_name"] is None
