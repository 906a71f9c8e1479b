"""Issue 12, black box, from the issue's Contract alone: the shop's interest
catalogue, a customer's interests each with a visibility (everyone, friends,
only_me), friends (request, accept, decline, delete, both sides), consent
(`marketing_consent`), and the visibility matrix (owner, friend, pending
friend, stranger, another shop, the secret key with and without consent) on
every read path the issue names: the profile, a review's author, customer
reads and lists, the overview, recommendations and offers targeting by
interest. Readings of shapes the issue leaves open are marked `# assumption:`
here and in bb12_helpers.py."""
import pytest

from conftest import error_of, make_shop
from coupon_helpers import campaign_of, create_campaign, offers
from bb12_helpers import (CATALOGUE, EVERYONE, FRIENDS, ONLY_ME, SOFIA, accept, all_pages, author_profile,
                            befriend, befriend_raw, bought, consenting, customer, decline, friends, interest_keys, items_of,
                            mentions, profile, profile_raw, public_storefront, put_interests, reason_of,
                            recommendations, review, reviews, seen_by, set_catalogue, set_clock, set_interests,
                            showcase, showcase_items, unfriend, unique_sku, viewer)

T0 = "2031-06-02T08:00:00Z"
HIDDEN_FROM_STRANGERS = ("yoga", "migraine")


@pytest.fixture(autouse=True)
def clock(operator):
    set_clock(operator, T0)


def sofia_with_interests(shop, **fields):
    """Sofia, with story 7's three interests set on the storefront with her token."""
    set_catalogue(shop)
    sofia = customer(shop, name="Sofia Rossi", email=fields.pop("email", None) or None, **fields)
    sf = viewer(shop, sofia["id"])
    set_interests(sf, sofia["id"], SOFIA, token=sf.token)
    return sofia


def shows(obj, key):
    """Whether obj shows the interest `key` (by key or by its catalogue name)."""
    name = {c["key"]: c["name"] for c in CATALOGUE}[key]
    return mentions(obj, key) or mentions(obj, name)


def visible_keys(obj):
    """The catalogue interests obj shows anywhere, by key or name."""
    return {c["key"] for c in CATALOGUE if shows(obj, c["key"])}


def set_consent(shop, cust_id, consent):
    r = shop.patch(f"/v1/customers/{cust_id}", {"marketing_consent": consent})
    assert r.status_code == 200, r.text
    assert r.json()["marketing_consent"] is consent, r.text
    return r.json()


# ---------------------------------------------------------------- consent


def test_consent__is_false_until_the_shop_records_it_with_post_or_patch(shop):
    plain = customer(shop)
    assert plain["marketing_consent"] is False, plain
    yes = consenting(shop)
    assert yes["marketing_consent"] is True
    assert shop.get(f"/v1/customers/{yes['id']}").json()["marketing_consent"] is True
    set_consent(shop, yes["id"], False)
    assert shop.get(f"/v1/customers/{yes['id']}").json()["marketing_consent"] is False
    set_consent(shop, plain["id"], True)
    assert shop.get(f"/v1/customers/{plain['id']}").json()["marketing_consent"] is True
    r = shop.patch(f"/v1/customers/{plain['id']}", {"marketing_consent": "yes"})
    assert r.status_code == 400 and error_of(r)["param"] == "marketing_consent", r.text
    assert shop.get(f"/v1/customers/{plain['id']}").json()["marketing_consent"] is True


# ---------------------------------------------------------------- catalogue and interests


def test_catalogue__is_the_shops_own_and_a_put_replaces_it(operator, shop):
    got = set_catalogue(shop)
    # assumption: the PUT answers the catalogue (`interests`, or a list envelope of them)
    listed = got["interests"] if isinstance(got, dict) and "interests" in got else items_of(got)
    assert {c["key"] for c in listed} == {"green_tea", "yoga", "migraine"}, got
    other = make_shop(operator, "Other tea")
    set_catalogue(other, [{"key": "pottery", "name": "Pottery"}])
    theirs = customer(other)["id"]
    r = put_interests(other, theirs, [{"interest": "yoga", "visibility": "everyone"}])
    assert 400 <= r.status_code < 500, "another shop's catalogue is not this one's"
    set_catalogue(shop, [{"key": "green_tea", "name": "Green tea"}, {"key": "oolong", "name": "Oolong"}])
    who = customer(shop)["id"]
    r = put_interests(shop, who, [{"interest": "yoga", "visibility": "everyone"}])
    assert 400 <= r.status_code < 500, "yoga left the catalogue"
    set_interests(shop, who, [{"interest": "oolong", "visibility": "everyone"}])
    assert seen_by(shop, who) == {"oolong"}


@pytest.mark.parametrize("bad", [
    [{"key": "", "name": "Nothing"}],
    [{"key": "tea", "name": ""}],
    [{"key": "tea", "name": "Tea"}, {"key": "tea", "name": "Tea again"}],
    [{"name": "No key"}],
    "green_tea",
])
def test_catalogue__bad_input_is_400_and_keeps_the_catalogue(shop, bad):
    set_catalogue(shop)
    r = shop.request("PUT", "/v1/interests/catalogue", {"interests": bad})
    assert r.status_code == 400, r.text
    who = customer(shop)["id"]
    set_interests(shop, who, [{"interest": "yoga", "visibility": "everyone"}])
    assert seen_by(shop, who) == {"yoga"}


def test_interests__the_owner_sees_each_with_its_visibility_and_a_put_replaces_them(shop):
    sofia = sofia_with_interests(shop)
    sf = viewer(shop, sofia["id"])
    mine = profile(sf, sofia["id"])
    assert interest_keys(mine) == ONLY_ME
    # assumption: the owner's profile lists each interest with its `visibility`.
    vis = {k: i["visibility"] for i in mine["interests"] for k in interest_keys({"interests": [i]})}
    assert vis == {"green_tea": "everyone", "yoga": "friends", "migraine": "only_me"}
    set_interests(sf, sofia["id"], [{"interest": "yoga", "visibility": "everyone"}], token=sf.token)
    assert seen_by(sf, sofia["id"]) == {"yoga"}
    assert seen_by(viewer(shop, customer(shop)["id"]), sofia["id"]) == {"yoga"}


def test_interests__the_storefront_sets_them_only_with_the_customers_own_token(shop):
    sofia = sofia_with_interests(shop)
    mallory = customer(shop)["id"]
    pk = viewer(shop, mallory)
    r = put_interests(pk, sofia["id"], [{"interest": "migraine", "visibility": "everyone"}], token=pk.token)
    assert r.status_code == 403, r.text
    r = put_interests(public_storefront(shop), sofia["id"], [{"interest": "migraine", "visibility": "everyone"}])
    assert r.status_code == 401, r.text
    assert seen_by(viewer(shop, mallory), sofia["id"]) == EVERYONE


@pytest.mark.parametrize("visibility", ["public", "friends_of_friends", "", "EVERYONE", None, 1])
def test_bad_input__an_unknown_visibility_is_400_and_changes_nothing(shop, visibility):
    sofia = sofia_with_interests(shop)
    sf = viewer(shop, sofia["id"])
    item = {"interest": "yoga"}
    if visibility is not None:
        item["visibility"] = visibility
    r = put_interests(sf, sofia["id"], [{"interest": "green_tea", "visibility": "everyone"}, item], token=sf.token)
    assert r.status_code == 400, r.text
    assert "visibility" in (error_of(r)["param"] or ""), error_of(r)
    assert seen_by(sf, sofia["id"]) == ONLY_ME
    assert seen_by(viewer(shop, customer(shop)["id"]), sofia["id"]) == EVERYONE


def test_bad_input__an_interest_outside_the_catalogue_is_refused_and_changes_nothing(shop):
    sofia = sofia_with_interests(shop)
    sf = viewer(shop, sofia["id"])
    r = put_interests(sf, sofia["id"], [{"interest": "skydiving", "visibility": "everyone"}], token=sf.token)
    assert 400 <= r.status_code < 500, r.text
    assert seen_by(sf, sofia["id"]) == ONLY_ME


# ---------------------------------------------------------------- friends


def test_friends__a_request_is_no_friendship_until_accepted_then_both_sides_see_friends_interests(shop):
    set_catalogue(shop)
    sofia, anna = customer(shop)["id"], customer(shop)["id"]
    set_interests(shop, sofia, SOFIA)
    set_interests(shop, anna, [{"interest": "green_tea", "visibility": "friends"},
                               {"interest": "migraine", "visibility": "only_me"}])
    befriend(shop, anna, sofia)
    assert seen_by(viewer(shop, anna), sofia) == EVERYONE, "a pending request sees everyone only"
    assert seen_by(viewer(shop, sofia), anna) == set()
    accept(shop, sofia, anna)
    assert seen_by(viewer(shop, anna), sofia) == FRIENDS
    assert seen_by(viewer(shop, sofia), anna) == {"green_tea"}, "both sides are friends"


def test_friends__a_declined_request_leaves_them_strangers(shop):
    set_catalogue(shop)
    sofia, dina = customer(shop)["id"], customer(shop)["id"]
    set_interests(shop, sofia, SOFIA)
    befriend(shop, dina, sofia)
    decline(shop, sofia, dina)
    assert seen_by(viewer(shop, dina), sofia) == EVERYONE
    r = shop.post(f"/v1/customers/{sofia}/friends/{dina}/accept")
    assert 400 <= r.status_code < 500, "a declined request cannot be accepted later"
    assert seen_by(viewer(shop, dina), sofia) == EVERYONE


@pytest.mark.parametrize("side", ["requester", "accepter"])
def test_friends__either_side_deletes_and_both_are_strangers_again(shop, side):
    set_catalogue(shop)
    sofia, anna = customer(shop)["id"], customer(shop)["id"]
    set_interests(shop, sofia, SOFIA)
    set_interests(shop, anna, [{"interest": "yoga", "visibility": "friends"}])
    friends(shop, anna, sofia)
    assert seen_by(viewer(shop, anna), sofia) == FRIENDS
    who, other = (anna, sofia) if side == "requester" else (sofia, anna)
    unfriend(shop, who, other)
    assert seen_by(viewer(shop, anna), sofia) == EVERYONE
    assert seen_by(viewer(shop, sofia), anna) == set()


def test_friends__the_requester_cannot_accept_their_own_request(shop):
    set_catalogue(shop)
    sofia, mallory = customer(shop)["id"], customer(shop)["id"]
    set_interests(shop, sofia, SOFIA)
    befriend(shop, mallory, sofia)
    r = shop.post(f"/v1/customers/{mallory}/friends/{sofia}/accept")
    assert 400 <= r.status_code < 500, r.text
    assert seen_by(viewer(shop, mallory), sofia) == EVERYONE
    r = shop.post(f"/v1/customers/{sofia}/friends/{mallory}/accept")
    assert r.status_code in (200, 201), "sofia accepts mallory's request: that is the one request"
    assert seen_by(viewer(shop, mallory), sofia) == FRIENDS


def test_friends__accepting_without_a_request_is_refused(shop):
    set_catalogue(shop)
    sofia, eve = customer(shop)["id"], customer(shop)["id"]
    set_interests(shop, sofia, SOFIA)
    r = shop.post(f"/v1/customers/{eve}/friends/{sofia}/accept")
    assert 400 <= r.status_code < 500, r.text
    assert seen_by(viewer(shop, eve), sofia) == EVERYONE


def test_friends__a_request_sent_twice_is_one_request(shop):
    set_catalogue(shop)
    sofia, anna = customer(shop)["id"], customer(shop)["id"]
    set_interests(shop, sofia, SOFIA)
    befriend(shop, anna, sofia)
    befriend(shop, anna, sofia)
    accept(shop, sofia, anna)
    assert seen_by(viewer(shop, anna), sofia) == FRIENDS
    unfriend(shop, sofia, anna)
    assert seen_by(viewer(shop, anna), sofia) == EVERYONE, "no second request left behind"


def test_bad_input__a_friend_request_to_oneself_is_refused_and_changes_nothing(shop):
    set_catalogue(shop)
    sofia, anna = customer(shop)["id"], customer(shop)["id"]
    set_interests(shop, anna, [{"interest": "yoga", "visibility": "friends"}])
    r = befriend_raw(shop, sofia, sofia)
    assert r.status_code in (400, 409, 422), r.text
    assert error_of(r)["param"] in ("customer", None)
    assert seen_by(viewer(shop, sofia), anna) == set()
    friends(shop, sofia, anna)                   # a real request still works afterwards
    assert seen_by(viewer(shop, sofia), anna) == {"yoga"}


def test_friends__another_shops_customer_is_404_on_every_friends_path(operator, shop):
    sofia = customer(shop)["id"]
    other = make_shop(operator, "Other tea")
    theirs = customer(other)["id"]
    assert befriend_raw(shop, sofia, theirs).status_code == 404
    assert befriend_raw(other, theirs, sofia).status_code == 404
    assert befriend_raw(shop, sofia, "cus_nope").status_code == 404
    assert shop.post(f"/v1/customers/{sofia}/friends/{theirs}/accept").status_code == 404
    assert shop.post(f"/v1/customers/{sofia}/friends/{theirs}/decline").status_code == 404
    assert shop.delete(f"/v1/customers/{sofia}/friends/{theirs}").status_code == 404
    assert other.post(f"/v1/customers/{sofia}/friends", {"customer": theirs}).status_code == 404
    befriend(shop, sofia, customer(shop)["id"])     # inside the shop a request goes through


# ---------------------------------------------------------------- the matrix on GET /v1/profiles/{id}


@pytest.fixture
def world(operator, shop):
    """Sofia and everyone who may look at her profile."""
    sofia = sofia_with_interests(shop, email="sofia@example.com", phone="+48600700800")["id"]
    w = {"sofia": sofia}
    w["friend"] = customer(shop)["id"]
    friends(shop, w["friend"], sofia)
    w["pending_in"] = customer(shop)["id"]                 # asked Sofia; she has not answered
    befriend(shop, w["pending_in"], sofia)
    w["pending_out"] = customer(shop)["id"]                # Sofia asked; no answer yet
    befriend(shop, sofia, w["pending_out"])
    w["declined"] = customer(shop)["id"]
    befriend(shop, w["declined"], sofia)
    decline(shop, sofia, w["declined"])
    w["unfriended"] = customer(shop)["id"]
    friends(shop, sofia, w["unfriended"])
    unfriend(shop, w["unfriended"], sofia)
    w["stranger"] = customer(shop)["id"]
    w["other"] = make_shop(operator, "Other tea")
    set_catalogue(w["other"])
    w["other_customer"] = customer(w["other"])["id"]
    return w


@pytest.mark.parametrize("who, expected", [
    ("sofia", ONLY_ME), ("friend", FRIENDS), ("pending_in", EVERYONE), ("pending_out", EVERYONE),
    ("declined", EVERYONE), ("unfriended", EVERYONE), ("stranger", EVERYONE),
])
def test_profile__each_viewer_sees_what_the_visibility_allows(shop, world, who, expected):
    sofia = world["sofia"]
    p = profile(viewer(shop, world[who]), sofia)
    assert interest_keys(p) == expected, p
    if who != "sofia":
        assert visible_keys(p) == expected, "a hidden interest appears elsewhere in the profile"
        assert not mentions(p, "sofia@example.com") and not mentions(p, "600700800"), \
            "a profile shows no contact details to others"


def test_profile__the_public_storefront_without_a_token_sees_everyone_ones_at_most(shop, world):
    r = profile_raw(public_storefront(shop), world["sofia"])
    # assumption: a visitor who is not signed in either sees the `everyone` ones or is
    # asked for a token (401); nothing more in any case.
    assert r.status_code in (200, 401), r.text
    if r.status_code == 200:
        assert interest_keys(r.json()) == EVERYONE and visible_keys(r.json()) == EVERYONE


def test_profile__the_secret_key_sees_friends_ones_only_with_consent_and_never_only_me(shop, world):
    sofia = world["sofia"]
    p = profile(shop, sofia)
    assert interest_keys(p) == EVERYONE and visible_keys(p) == EVERYONE
    set_consent(shop, sofia, True)
    p = profile(shop, sofia)
    assert interest_keys(p) == FRIENDS and visible_keys(p) == FRIENDS
    set_consent(shop, sofia, False)
    assert interest_keys(profile(shop, sofia)) == EVERYONE


def test_profile__another_shop_sees_nothing_of_it(shop, world):
    other = world["other"]
    assert profile_raw(other, world["sofia"]).status_code == 404
    theirs = viewer(other, world["other_customer"])
    assert profile_raw(theirs, world["sofia"]).status_code == 404
    # a token of this shop's customer does not open the profile through another shop's key
    mine = viewer(shop, world["stranger"])
    theirs.token = mine.token
    assert profile_raw(theirs, world["sofia"]).status_code in (401, 403, 404)


def test_profile__an_unknown_profile_is_404(shop, world):
    assert profile_raw(shop, world["sofia"] + "x").status_code == 404


# ---------------------------------------------------------------- the other read paths


def test_review_author__links_to_the_profile_and_the_review_shows_nothing_more(shop, world):
    sofia = world["sofia"]
    sku = unique_sku()
    bought(shop, sofia, [{"sku": sku}])
    rv = review(shop, sofia, 5, sku=sku, body="Bright and grassy.")
    sc = showcase(public_storefront(shop), sku)
    mine = [x for x in showcase_items(sc) if x["id"] == rv["id"]]
    assert len(mine) == 1, sc
    assert not any(mentions(sc, k) for k in ("yoga", "migraine", "sofia@example.com", "600700800")), sc
    pid = author_profile(mine[0])
    assert pid == author_profile(rv)
    assert seen_by(viewer(shop, world["stranger"]), pid) == EVERYONE
    assert seen_by(viewer(shop, world["pending_in"]), pid) == EVERYONE
    assert seen_by(viewer(shop, world["friend"]), pid) == FRIENDS
    assert seen_by(viewer(shop, sofia), pid) == ONLY_ME
    assert profile_raw(viewer(world["other"], world["other_customer"]), pid).status_code == 404
    # the shop's own list of reviews: the author as the secret key may see her
    listed = reviews(shop, sku=sku)
    assert visible_keys(listed) <= EVERYONE
    set_consent(shop, sofia, True)
    assert visible_keys(reviews(shop, sku=sku)) <= FRIENDS
    assert visible_keys(showcase(public_storefront(shop), sku)) <= EVERYONE, "consent is for the shop, not the public"


@pytest.mark.parametrize("consent, allowed", [(False, EVERYONE), (True, FRIENDS)])
def test_customer_reads__get_and_list_never_show_more_than_the_secret_key_may_see(shop, world, consent, allowed):
    sofia = world["sofia"]
    set_consent(shop, sofia, consent)
    got = shop.get(f"/v1/customers/{sofia}")
    assert got.status_code == 200
    assert visible_keys(got.json()) <= allowed, got.text
    listed = all_pages(shop, "/v1/customers")
    assert visible_keys(listed) <= allowed
    by_email = shop.get("/v1/customers?email=sofia@example.com").json()
    assert [c["id"] for c in by_email["data"]] == [sofia]
    assert visible_keys(by_email) <= allowed


@pytest.mark.parametrize("consent, expected", [(False, EVERYONE), (True, FRIENDS)])
def test_overview__shows_the_interests_the_secret_key_may_see(shop, world, consent, expected):
    # assumption: the one-call overview of a customer includes their interests, as the
    # secret key may see them (the issue lists the overview among the read paths).
    sofia = world["sofia"]
    set_consent(shop, sofia, consent)
    r = shop.get(f"/v1/customers/{sofia}/overview")
    assert r.status_code == 200, r.text
    assert visible_keys(r.json()) == expected, r.text


def test_recommendations__never_cite_an_interest_the_secret_key_may_not_see(shop, world):
    sofia = world["sofia"]
    # products of each interest's category, bought by others, so that interests could match
    for cat in ("green_tea", "yoga", "migraine"):
        for _ in range(2):
            bought(shop, customer(shop)["id"], [{"sku": f"{cat.upper()}-1", "name": cat, "category": cat}])

    def cited():
        keys = set()
        for it in recommendations(shop, sofia):
            kind, details = reason_of(it)
            if kind == "matches_interest":
                keys |= visible_keys(details)
        return keys
    # assumption: like every read of the shop's secret key, recommendations use only the
    # interests it may see (only `everyone` without consent; never `only_me`).
    assert cited() <= EVERYONE
    set_consent(shop, sofia, True)
    assert cited() <= FRIENDS


def issue_by_interest(shop, campaign_id, interest):
    """A personal campaign given to the customers with an interest.
    assumption: POST /v1/campaigns/{id}/issue takes `interest` (a catalogue key) beside
    `customers` and `segment` (the coupons issue's personal offers)."""
    r = shop.post(f"/v1/campaigns/{campaign_id}/issue", {"interest": interest})
    assert r.status_code == 200, r.text
    return r.json()


def test_offers_targeting__by_interest_reaches_only_customers_who_consented_and_never_by_only_me(shop):
    set_catalogue(shop)
    people = {
        "consent_everyone": (True, "everyone"),
        "consent_friends": (True, "friends"),
        "consent_only_me": (True, "only_me"),
        "no_consent_friends": (False, "friends"),
        "no_consent_only_me": (False, "only_me"),
    }
    ids = {}
    for name, (consent, visibility) in people.items():
        ids[name] = customer(shop, marketing_consent=consent)["id"]
        set_interests(shop, ids[name], [{"interest": "yoga", "visibility": visibility}])
    no_yoga = consenting(shop)["id"]
    set_interests(shop, no_yoga, [{"interest": "green_tea", "visibility": "everyone"}])
    c = create_campaign(shop, type="personal", name="Yoga week")
    got = issue_by_interest(shop, c["id"], "yoga")
    assert got["issued"] == 2, got
    reached = {n for n, i in ids.items() if any(campaign_of(o) == c["id"] for o in offers(shop, i))}
    assert reached == {"consent_everyone", "consent_friends"}
    assert not any(campaign_of(o) == c["id"] for o in offers(shop, no_yoga))
    # consent given later: the next issue reaches that customer too
    r = shop.patch(f"/v1/customers/{ids['no_consent_friends']}", {"marketing_consent": True})
    assert r.status_code == 200, r.text
    again = issue_by_interest(shop, c["id"], "yoga")
    assert again["issued"] == 1 and again["existing"] == 2, again


def test_offers_targeting__an_interest_outside_the_catalogue_is_400(shop):
    set_catalogue(shop)
    c = create_campaign(shop, type="personal", name="Nothing")
    r = shop.post(f"/v1/campaigns/{c['id']}/issue", {"interest": "skydiving"})
    assert r.status_code in (400, 404), r.text
    assert error_of(r)["param"] == "interest"
