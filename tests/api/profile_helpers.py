"""Helpers for issue 12's tests: the interest catalogue, customers with
interests, customer tokens, friends, and the storefront clients."""
from conftest import Api

CATALOGUE = [
    {"key": "green_tea", "name": "Green tea", "skus": ["TEA-1", "TEA-2"]},
    {"key": "yoga", "name": "Yoga", "skus": ["MAT-1"]},
    {"key": "ceramics", "name": "Ceramics"},
]


def put_catalogue(shop, interests=None):
    r = shop.request("PUT", "/v1/interests/catalogue", {"interests": interests or CATALOGUE})
    assert r.status_code == 200, r.text
    return r.json()


def customer(shop, email, **extra):
    r = shop.post("/v1/customers", {"email": email, **extra})
    assert r.status_code == 201, r.text
    return r.json()


def token(shop, customer_id):
    r = shop.post(f"/v1/customers/{customer_id}/tokens")
    assert r.status_code == 201, r.text
    return {"Customer-Token": r.json()["token"]}


def storefront(shop):
    return Api(shop.server, shop.shop["publishable_key"])


def put_interests(api, customer_id, choices, headers=None):
    return api.request("PUT", f"/v1/customers/{customer_id}/interests",
                       {"interests": [{"interest": k, "visibility": v} for k, v in choices]},
                       headers=headers)


def befriend(shop, a, b):
    """a asks b and b accepts (with the secret key)."""
    r = shop.post(f"/v1/customers/{a}/friends", {"customer": b})
    assert r.status_code == 201, r.text
    r = shop.post(f"/v1/customers/{b}/friends/{a}/accept")
    assert r.status_code == 200, r.text


def keys_of(interests):
    return sorted(i["interest"] for i in interests)


def sofia(shop, consent=False):
    """Story 7's Sofia: green tea for everyone, yoga for friends, ceramics only for her."""
    put_catalogue(shop)
    c = customer(shop, "sofia@example.com", display_name="Sofia", marketing_consent=consent)
    r = put_interests(shop, c["id"], [("green_tea", "everyone"), ("yoga", "friends"),
                                      ("ceramics", "only_me")])
    assert r.status_code == 200, r.text
    return c
