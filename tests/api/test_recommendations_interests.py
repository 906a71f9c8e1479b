"""Issue 12: matches_interest. A product the shop tagged with an interest is
recommended to a customer holding that interest, only where the shop may use
it: `everyone` always, `friends` with marketing consent, `only_me` never;
never a product the customer bought."""
import pytest

from profile_helpers import put_catalogue, put_interests, storefront
from recommend_helpers import buy, recommend, set_clock

CATALOGUE = [{"key": "green_tea", "name": "Green tea", "skus": ["TEA-1", "TEA-2"]},
             {"key": "yoga", "name": "Yoga", "skus": ["MAT-1"]},
             {"key": "health", "name": "A health condition", "skus": ["PILLS-1"]}]


@pytest.fixture(autouse=True)
def clock(operator):
    set_clock(operator, "2031-03-06T10:00:00Z")


def sofia(shop, consent):
    put_catalogue(shop, CATALOGUE)
    r = shop.post("/v1/customers", {"email": "sofia@example.com", "marketing_consent": consent})
    assert r.status_code == 201, r.text
    me = r.json()["id"]
    r = put_interests(shop, me, [("green_tea", "everyone"), ("yoga", "friends"), ("health", "only_me")])
    assert r.status_code == 200, r.text
    return me


def interest_items(recs):
    return sorted((i["sku"], i["because"]["interest"]) for i in recs if i["reason"] == "matches_interest")


def test_recommendations__without_consent_only_everyone_interests_count(shop):
    me = sofia(shop, consent=False)
    assert interest_items(recommend(shop, me)) == [("TEA-1", "green_tea"), ("TEA-2", "green_tea")]


def test_recommendations__with_consent_friends_interests_count_but_never_only_me(shop):
    me = sofia(shop, consent=True)
    got = interest_items(recommend(shop, me))
    assert got == [("MAT-1", "yoga"), ("TEA-1", "green_tea"), ("TEA-2", "green_tea")]
    assert all(i["sku"] != "PILLS-1" for i in recommend(shop, me))


def test_recommendations__a_tagged_product_the_customer_bought_is_not_recommended(shop):
    me = sofia(shop, consent=False)
    buy(shop, me, ["TEA-1"])
    assert interest_items(recommend(shop, me)) == [("TEA-2", "green_tea")]


def test_recommendations__the_customers_own_token_sees_the_same_targeting(shop):
    me = sofia(shop, consent=False)
    tok = shop.post(f"/v1/customers/{me}/tokens").json()["token"]
    r = storefront(shop).get(f"/v1/customers/{me}/recommendations", headers={"Customer-Token": tok})
    assert r.status_code == 200, r.text
    assert interest_items(r.json()["data"]) == [("TEA-1", "green_tea"), ("TEA-2", "green_tea")]


def test_reviews__the_author_shows_the_display_name_and_links_to_the_profile(shop):
    """The review's author opens the profile (issue 12, story 7)."""
    me = sofia(shop, consent=False)
    assert shop.request("PATCH", f"/v1/customers/{me}", {"display_name": "Sofia T."}).status_code == 200
    r = shop.post("/v1/reviews", {"customer": me, "sku": "TEA-1", "rating": 4, "body": "Fresh."})
    assert r.status_code == 201, r.text
    author = r.json()["author"]
    assert author == {"customer": me, "display_name": "Sofia T.", "profile": f"/v1/profiles/{me}"}
    q = shop.post("/v1/questions", {"customer": me, "sku": "TEA-1", "body": "Loose leaf?"})
    assert q.json()["author"]["display_name"] == "Sofia T."
    stranger = storefront(shop).get(author["profile"])
    assert stranger.status_code == 200, stranger.text
    assert [i["interest"] for i in stranger.json()["interests"]] == ["green_tea"]
