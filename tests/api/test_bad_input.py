"""The bad-input matrix for the endpoints not covered in their own files:
each gets the documented 4xx and a follow-up read proves nothing changed."""
import pytest

from conftest import error_of


@pytest.mark.parametrize("body,status,param", [
    ({}, 400, "source"),
    ({"source": 5}, 400, "source"),
    ({"source": "cus_0000000000000000"}, 404, "source"),
    ({"source": "x", "also": 1}, 400, "also"),
])
def test_bad_merges_change_nothing(shop, body, status, param):
    a = shop.post("/v1/customers", {"email": "m1@example.com"}).json()
    r = shop.post(f"/v1/customers/{a['id']}/merge", body)
    assert r.status_code == status, r.text
    assert error_of(r)["param"] == param
    assert shop.get(f"/v1/customers/{a['id']}").json() == a


def test_merging_into_an_unknown_customer_is_404(shop):
    b = shop.post("/v1/customers", {"email": "m2@example.com"}).json()
    r = shop.post("/v1/customers/cus_0000000000000000/merge", {"source": b["id"]})
    assert r.status_code == 404
    assert shop.get(f"/v1/customers/{b['id']}").json()["status"] == "guest"


@pytest.mark.parametrize("body,status,param", [
    ({"email": "nope"}, 400, "email"),
    ({"email": 1}, 400, "email"),
    ({"password": "x"}, 400, "password"),
])
def test_bad_account_requests_change_nothing(shop, body, status, param):
    c = shop.post("/v1/customers", {"phone": "+4930333333"}).json()
    r = shop.post(f"/v1/customers/{c['id']}/account", body)
    assert r.status_code == status, r.text
    assert error_of(r)["param"] == param
    assert shop.get(f"/v1/customers/{c['id']}").json() == c


def test_an_account_email_owned_by_someone_else_is_409(shop):
    shop.post("/v1/customers", {"email": "taken@example.com"})
    c = shop.post("/v1/customers", {"phone": "+4930444444"}).json()
    r = shop.post(f"/v1/customers/{c['id']}/account", {"email": "taken@example.com"})
    assert r.status_code == 409 and error_of(r)["code"] == "identity_taken"
    assert shop.get(f"/v1/customers/{c['id']}").json()["status"] == "guest"


@pytest.mark.parametrize("body,param", [
    ({"external_id": "new"}, "external_id"),  # the shop's id is set once, at creation
    ({"email": "bad"}, "email"),
    ({"addresses": {}}, "addresses"),
    ({"identities": [{"type": "email"}]}, "identities[0].value"),
])
def test_bad_patches_change_nothing(shop, body, param):
    c = shop.post("/v1/customers", {"name": "Patchy", "email": "p@example.com"}).json()
    r = shop.patch(f"/v1/customers/{c['id']}", body)
    assert r.status_code == 400, r.text
    assert error_of(r)["param"] == param
    assert shop.get(f"/v1/customers/{c['id']}").json() == c


def test_a_patch_that_fails_half_way_changes_nothing(shop):
    shop.post("/v1/customers", {"email": "owner@example.com"})
    c = shop.post("/v1/customers", {"name": "Half", "phone": "+4930555555"}).json()
    # The name would be set first, then the e-mail conflicts: all of it is rolled back.
    r = shop.patch(f"/v1/customers/{c['id']}", {"name": "Changed", "email": "owner@example.com"})
    assert r.status_code == 409
    assert shop.get(f"/v1/customers/{c['id']}").json() == c


@pytest.mark.parametrize("body", [{"grace_hours": -1}, {"grace_hours": 1.5}, {"grace_hours": 99999}, {"x": 1}])
def test_bad_key_rotations_keep_the_old_keys(operator, shop, body):
    r = operator.post(f"/v1/shops/{shop.shop['id']}/rotate_keys", body)
    assert r.status_code == 400, r.text
    assert shop.get("/v1/customers").status_code == 200
    assert len(operator.get(f"/v1/shops/{shop.shop['id']}").json()["keys"]) == 2


@pytest.mark.parametrize("body", [{"now": "tomorrow"}, {"advance_seconds": -5}, {"advance_seconds": "5"}, {"then": 1}])
def test_bad_clock_changes_leave_the_clock_alone(operator, body):
    before = operator.get("/v1/test/clock").json()["now"]
    assert operator.post("/v1/test/clock", {"now": before}).status_code == 200
    r = operator.post("/v1/test/clock", body)
    assert r.status_code == 400, r.text
    assert operator.get("/v1/test/clock").json()["now"] == before


def test_an_empty_body_where_fields_are_required_is_400_not_a_crash(shop):
    for path in ("/v1/orders", "/v1/customers/cus_x/merge"):
        r = shop.post(path)
        assert r.status_code in (400, 404), (path, r.text)
