"""The storefront reads a customer's loyalty with the publishable key and a
customer token the shop's server minted; a customer sees only their own."""
import pytest

from conftest import Api, error_of, make_shop
from loyalty_helpers import advance, paid_order, set_clock, set_program


@pytest.fixture(autouse=True)
def fixed_clock(operator):
    set_clock(operator, "2031-02-01T08:00:00Z")


@pytest.fixture
def storefront(shop, server):
    set_program(shop)
    api = Api(server, shop.shop["publishable_key"])
    return api


def mint(shop, customer_id, **body):
    r = shop.post(f"/v1/customers/{customer_id}/tokens", body or None)
    assert r.status_code == 201, r.text
    return r.json()


def test_a_customer_reads_their_own_loyalty_ledger_and_redemptions_with_a_token(shop, storefront):
    c = shop.post("/v1/customers", {"email": "nino@example.com"}).json()
    paid_order(shop, {"id": c["id"]})
    t = mint(shop, c["id"])
    assert t["token"].startswith("ctk_") and t["expires_at"] == "2031-02-01T09:00:00Z"
    h = {"Customer-Token": t["token"]}
    r = storefront.get(f"/v1/customers/{c['id']}/loyalty", headers=h)
    assert r.status_code == 200 and r.json()["points"]["pending"] == 10
    assert storefront.get(f"/v1/customers/{c['id']}/ledger", headers=h).status_code == 200
    assert storefront.get(f"/v1/customers/{c['id']}/redemptions", headers=h).status_code == 200


def test_a_token_of_another_customer_is_403_and_no_token_is_401(shop, storefront):
    a = shop.post("/v1/customers", {"email": "a@example.com"}).json()
    b = shop.post("/v1/customers", {"email": "b@example.com"}).json()
    tb = mint(shop, b["id"])["token"]
    r = storefront.get(f"/v1/customers/{a['id']}/loyalty", headers={"Customer-Token": tb})
    assert r.status_code == 403 and error_of(r)["code"] == "customer_token_mismatch"
    r = storefront.get(f"/v1/customers/{a['id']}/loyalty")
    assert r.status_code == 401 and error_of(r)["code"] == "customer_token_required"


def test_forged_and_expired_tokens_are_refused(operator, shop, storefront):
    c = shop.post("/v1/customers", {"email": "c@example.com"}).json()
    t = mint(shop, c["id"], ttl_seconds=60)["token"]
    forged = t[:-4] + ("0000" if not t.endswith("0000") else "1111")
    for bad in (forged, "ctk_nonsense", t.replace(".", "x", 1)):
        r = storefront.get(f"/v1/customers/{c['id']}/loyalty", headers={"Customer-Token": bad})
        assert r.status_code == 401 and error_of(r)["code"] == "customer_token_invalid"
    advance(operator, seconds=61)
    r = storefront.get(f"/v1/customers/{c['id']}/loyalty", headers={"Customer-Token": t})
    assert r.status_code == 401 and error_of(r)["code"] == "customer_token_expired"


def test_a_token_does_not_open_another_shop_or_write_endpoints(operator, shop, storefront):
    c = shop.post("/v1/customers", {"email": "d@example.com"}).json()
    t = mint(shop, c["id"])["token"]
    other = make_shop(operator, "Other")
    r = Api(shop.server, other.shop["publishable_key"]).get(
        f"/v1/customers/{c['id']}/loyalty", headers={"Customer-Token": t})
    assert r.status_code == 404
    r = storefront.post(f"/v1/customers/{c['id']}/adjustments", {"points": 100, "reason": "me"},
                        headers={"Customer-Token": t})
    assert r.status_code == 403
    r = storefront.post(f"/v1/customers/{c['id']}/tokens", headers={"Customer-Token": t})
    assert r.status_code == 403


@pytest.mark.parametrize("body", [{"ttl_seconds": 5}, {"ttl_seconds": 999999}, {"ttl_seconds": "60"}])
def test_bad_token_requests_are_400(shop, body):
    c = shop.post("/v1/customers", {"email": "e@example.com"}).json()
    assert shop.post(f"/v1/customers/{c['id']}/tokens", body).status_code == 400
