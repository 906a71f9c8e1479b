"""A dashboard session outlives no key (found by the review of issues 12-14):
rotating the shop's keys ends the sessions signed in with them; the
operator's sessions stay, and the new key signs in."""
from conftest import OPERATOR_KEY
from dashboard_helpers import sign_in


def test_dashboard__rotating_the_keys_ends_the_sessions_they_signed_in(shop, operator):
    by_key = sign_in(shop.server, shop.shop["secret_key"])
    by_operator = sign_in(shop.server, OPERATOR_KEY, shop.shop["id"])
    assert by_key.get("/dashboard/overview").status_code == 200
    r = operator.post(f"/v1/shops/{shop.shop['id']}/rotate_keys", {"grace_hours": 24})
    assert r.status_code == 200, r.text
    gone = by_key.get("/dashboard/overview")
    assert gone.status_code == 303 and gone.headers["Location"].startswith("/dashboard/sign-in")
    assert by_operator.get("/dashboard/overview").status_code == 200, "the operator key was not rotated"
    again = sign_in(shop.server, r.json()["secret_key"])
    assert again.get("/dashboard/overview").status_code == 200
