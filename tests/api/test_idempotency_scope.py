"""A stored answer replays only to the kind of key, and on the storefront
the customer token, that made it (found by the review of issues 12-14): the
replay runs before the handler checks the token, so another customer's token,
no token, or the publishable key reusing a secret-key request got the first
answer (another customer's only_me interests, the shop's view of a review)."""
from conftest import error_of
from profile_helpers import customer, put_catalogue, put_interests, storefront, token


def test_idempotency__a_storefront_answer_replays_only_to_the_same_customer_token(shop):
    put_catalogue(shop)
    anna = customer(shop, "anna@example.com")["id"]
    bob = customer(shop, "bob@example.com")["id"]
    front, anna_token, bob_token = storefront(shop), token(shop, anna), token(shop, bob)
    choices = [("green_tea", "everyone"), ("ceramics", "only_me")]
    key = {"Idempotency-Key": "interests-1"}
    first = put_interests(front, anna, choices, headers={**anna_token, **key})
    assert first.status_code == 200, first.text
    again = put_interests(front, anna, choices, headers={**anna_token, **key})
    assert again.status_code == 200 and again.json() == first.json(), "her own retry replays"
    for other in (bob_token, {}):
        r = put_interests(front, anna, choices, headers={**other, **key})
        assert r.status_code == 400 and error_of(r)["code"] == "idempotency_key_reused", r.text
        assert "ceramics" not in r.text


def test_idempotency__a_secret_key_answer_never_replays_to_the_publishable_key(shop):
    put_catalogue(shop)
    anna = customer(shop, "anna@example.com")["id"]
    key = {"Idempotency-Key": "interests-2"}
    choices = [("ceramics", "only_me")]
    assert put_interests(shop, anna, choices, headers=key).status_code == 200
    r = put_interests(storefront(shop), anna, choices, headers={**token(shop, anna), **key})
    assert r.status_code == 400 and error_of(r)["code"] == "idempotency_key_reused", r.text
