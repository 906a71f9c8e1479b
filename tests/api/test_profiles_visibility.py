"""Issue 12: the visibility matrix on every read path that shows interests.

Sofia (story 7) holds green tea for everyone, yoga for friends and ceramics
only for herself. Who sees what:

    viewer                              green_tea  yoga          ceramics
    Sofia herself (her token)           yes        yes           yes
    a friend (accepted; their token)    yes        yes           no
    a pending friend (either way)       yes        no            no
    a stranger (no token, or theirs)    yes        no            no
    another shop (any of its keys)      404
    the shop's secret key               yes        with consent  no

The paths: GET /v1/profiles/{id}, GET /v1/customers/{id}, GET /v1/customers
(the list), GET /v1/customers/{id}/overview; offers targeting has its own
file (test_interest_targeting.py). There is no customer data export in
retain (docs/profiles.md): the last test checks that no other customer read
shows interests at all."""
import pytest

from conftest import Api, error_of, make_shop
from profile_helpers import befriend, customer, put_interests, sofia, storefront, token

EVERYONE = ["green_tea"]
FRIENDS = ["green_tea", "yoga"]
ALL = ["green_tea", "yoga", "ceramics"]


class World:
    pass


@pytest.fixture(scope="module")
def world(operator):
    w = World()
    w.shop = make_shop(operator, "Tea House")
    w.sofia = sofia(w.shop)["id"]
    w.friend = customer(w.shop, "friend@example.com", display_name="Mia")["id"]
    w.asked = customer(w.shop, "asked@example.com")["id"]        # Sofia asked them
    w.asking = customer(w.shop, "asking@example.com")["id"]      # they asked Sofia
    w.stranger = customer(w.shop, "stranger@example.com")["id"]
    befriend(w.shop, w.sofia, w.friend)
    assert w.shop.post(f"/v1/customers/{w.sofia}/friends", {"customer": w.asked}).status_code == 201
    assert w.shop.post(f"/v1/customers/{w.asking}/friends", {"customer": w.sofia}).status_code == 201
    w.sf = storefront(w.shop)
    w.other = make_shop(operator, "Other")
    w.other_customer = customer(w.other, "o@example.com")["id"]
    return w


def consent(w, value):
    r = w.shop.patch(f"/v1/customers/{w.sofia}", {"marketing_consent": value})
    assert r.status_code == 200 and r.json()["marketing_consent"] is value


def profile_keys(w, api, headers=None, ref=None):
    r = api.get(f"/v1/profiles/{ref or w.sofia}", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["object"] == "profile" and body["display_name"] == "Sofia"
    assert "email" not in body and "phone" not in body and "name" not in body
    return body["viewer"], sorted(i["interest"] for i in body["interests"])


def keys(interests):
    return sorted(i["interest"] for i in interests)


@pytest.mark.parametrize("consented", [False, True])
def test_profile__sofia_sees_all_her_interests_with_her_token(world, consented):
    consent(world, consented)
    assert profile_keys(world, world.sf, token(world.shop, world.sofia)) == ("owner", sorted(ALL))


@pytest.mark.parametrize("consented", [False, True])
def test_profile__a_friend_sees_everyone_and_friends_interests(world, consented):
    consent(world, consented)
    assert profile_keys(world, world.sf, token(world.shop, world.friend)) == ("friend", sorted(FRIENDS))


@pytest.mark.parametrize("who", ["asked", "asking"])
def test_profile__a_pending_friend_either_way_sees_only_everyone_interests(world, who):
    consent(world, True)
    got = profile_keys(world, world.sf, token(world.shop, getattr(world, who)))
    assert got == ("public", EVERYONE)


def test_profile__a_stranger_sees_only_everyone_interests(world):
    consent(world, True)
    assert profile_keys(world, world.sf) == ("public", EVERYONE), "publishable key, no token"
    assert profile_keys(world, world.sf, token(world.shop, world.stranger)) == ("public", EVERYONE)


def test_profile__the_secret_key_sees_friends_interests_only_with_consent(world):
    consent(world, False)
    assert profile_keys(world, world.shop) == ("shop", EVERYONE)
    consent(world, True)
    assert profile_keys(world, world.shop) == ("shop", sorted(FRIENDS))
    consent(world, False)
    assert profile_keys(world, world.shop) == ("shop", EVERYONE), "withdrawn consent counts at once"


def test_profile__another_shop_gets_404_with_any_key(world):
    other_sf = Api(world.shop.server, world.other.shop["publishable_key"])
    for api, h in ((world.other, None), (other_sf, None),
                   (other_sf, token(world.other, world.other_customer))):
        r = api.get(f"/v1/profiles/{world.sofia}", headers=h)
        assert r.status_code == 404, r.text


def test_profile__a_bad_token_is_401_never_a_quieter_view(world):
    r = world.sf.get(f"/v1/profiles/{world.sofia}", headers={"Customer-Token": "ctk_forged"})
    assert r.status_code == 401 and error_of(r)["code"] == "customer_token_invalid"
    other_token = token(world.other, world.other_customer)
    r = world.sf.get(f"/v1/profiles/{world.sofia}", headers=other_token)
    assert r.status_code == 401, "another shop's token is no token of this shop"


def test_profile__a_friend_removed_is_a_stranger_again(world):
    consent(world, False)
    extra = customer(world.shop, "ex@example.com")["id"]
    befriend(world.shop, extra, world.sofia)
    assert profile_keys(world, world.sf, token(world.shop, extra))[1] == sorted(FRIENDS)
    assert world.shop.delete(f"/v1/customers/{world.sofia}/friends/{extra}").status_code == 200
    assert profile_keys(world, world.sf, token(world.shop, extra)) == ("public", EVERYONE)


@pytest.mark.parametrize("consented, expected", [(False, EVERYONE), (True, FRIENDS)])
def test_customer_get__shows_the_shops_view_of_the_interests(world, consented, expected):
    consent(world, consented)
    r = world.shop.get(f"/v1/customers/{world.sofia}")
    assert r.status_code == 200 and keys(r.json()["interests"]) == sorted(expected)
    assert all(i["visibility"] != "only_me" for i in r.json()["interests"])


def test_customer_get__is_the_shops_alone(world):
    for h in (None, token(world.shop, world.sofia), token(world.shop, world.friend)):
        assert world.sf.get(f"/v1/customers/{world.sofia}", headers=h).status_code == 403
    assert world.other.get(f"/v1/customers/{world.sofia}").status_code == 404


@pytest.mark.parametrize("consented, expected", [(False, EVERYONE), (True, FRIENDS)])
def test_customer_list__shows_the_shops_view_of_each_customers_interests(world, consented, expected):
    consent(world, consented)
    r = world.shop.get("/v1/customers?limit=100")
    assert r.status_code == 200
    mine = [c for c in r.json()["data"] if c["id"] == world.sofia]
    assert len(mine) == 1 and keys(mine[0]["interests"]) == sorted(expected)
    r = world.shop.get("/v1/customers?email=sofia@example.com")
    assert keys(r.json()["data"][0]["interests"]) == sorted(expected)
    assert all(c["interests"] == [] for c in r.json()["data"] if c["id"] != world.sofia)
    assert world.sofia not in [c["id"] for c in world.other.get("/v1/customers?limit=100").json()["data"]]
    assert world.sf.get("/v1/customers").status_code == 403


@pytest.mark.parametrize("consented, expected", [(False, EVERYONE), (True, FRIENDS)])
def test_overview__shows_the_shops_view_of_the_interests(world, consented, expected):
    consent(world, consented)
    r = world.shop.get(f"/v1/customers/{world.sofia}/overview")
    assert r.status_code == 200, r.text
    assert keys(r.json()["customer"]["interests"]) == sorted(expected)
    assert world.other.get(f"/v1/customers/{world.sofia}/overview").status_code == 404
    assert world.sf.get(f"/v1/customers/{world.sofia}/overview",
                        headers=token(world.shop, world.sofia)).status_code == 403


def test_interests_put__answers_with_the_callers_view(world):
    consent(world, False)
    mine = [("green_tea", "everyone"), ("yoga", "friends"), ("ceramics", "only_me")]
    r = put_interests(world.shop, world.sofia, mine)
    assert r.status_code == 200 and r.json()["viewer"] == "shop"
    assert keys(r.json()["interests"]) == EVERYONE
    r = put_interests(world.sf, world.sofia, mine, headers=token(world.shop, world.sofia))
    assert r.json()["viewer"] == "owner" and keys(r.json()["interests"]) == sorted(ALL)


def test_no_other_customer_read_shows_interests(world):
    """retain has no customer data export; the other reads of a customer
    carry no interests at all."""
    consent(world, True)
    h = token(world.shop, world.sofia)
    for path in ("loyalty", "ledger", "redemptions", "offers", "surveys"):
        for api, headers in ((world.shop, None), (world.sf, h)):
            r = api.get(f"/v1/customers/{world.sofia}/{path}", headers=headers)
            assert r.status_code == 200, (path, r.text)
            assert "ceramics" not in r.text and "yoga" not in r.text and "interests" not in r.text
    r = world.shop.get(f"/v1/customers/{world.sofia}/predictions")
    assert r.status_code == 200 and "interests" not in r.text


def test_profile__a_merged_customers_id_opens_the_survivors_profile(operator):
    shop = make_shop(operator)
    s = sofia(shop)["id"]
    dup = customer(shop, "sofia.old@example.com")["id"]
    assert shop.post(f"/v1/customers/{s}/merge", {"source": dup}).status_code == 200
    r = shop.get(f"/v1/profiles/{dup}")
    assert r.status_code == 200 and r.json()["id"] == s


def test_profile__an_erased_customer_has_none(operator):
    shop = make_shop(operator)
    s = sofia(shop)["id"]
    assert shop.delete(f"/v1/customers/{s}").status_code == 200
    for api in (shop, storefront(shop)):
        r = api.get(f"/v1/profiles/{s}")
        assert r.status_code == 404, r.text


# The matrix as data, to check every assignment of visibilities against it.
SEES = {
    "owner": {"everyone", "friends", "only_me"},
    "friend": {"everyone", "friends"},
    "public": {"everyone"},
    "shop": {"everyone"},           # and "friends" with consent, below
}


def expected(viewer, choice, consented):
    seen = SEES[viewer] | ({"friends"} if viewer == "shop" and consented else set())
    return sorted(k for k, vis in choice if vis in seen)


def test_profile__every_assignment_of_visibilities_shows_each_viewer_what_the_matrix_says(operator):
    """Exhaustive: 27 assignments of three visibilities to three interests,
    with and without consent, for the owner, a friend, a stranger and the
    shop, on the profile and on the customer resource."""
    import itertools
    shop = make_shop(operator)
    s = sofia(shop)["id"]
    friend = customer(shop, "f@example.com")["id"]
    stranger = customer(shop, "s@example.com")["id"]
    befriend(shop, s, friend)
    sf = storefront(shop)
    viewers = {"owner": token(shop, s), "friend": token(shop, friend), "public": token(shop, stranger)}
    for vis in itertools.product(("everyone", "friends", "only_me"), repeat=3):
        choice = list(zip(("green_tea", "yoga", "ceramics"), vis))
        assert put_interests(shop, s, choice).status_code == 200
        for consented in (False, True):
            shop.patch(f"/v1/customers/{s}", {"marketing_consent": consented})
            for viewer, h in viewers.items():
                r = sf.get(f"/v1/profiles/{s}", headers=h)
                assert r.json()["viewer"] == viewer
                assert keys(r.json()["interests"]) == expected(viewer, choice, consented), (viewer, choice)
            got = keys(shop.get(f"/v1/profiles/{s}").json()["interests"])
            assert got == expected("shop", choice, consented), (choice, consented)
            got = keys(shop.get(f"/v1/customers/{s}").json()["interests"])
            assert got == expected("shop", choice, consented), (choice, consented)
