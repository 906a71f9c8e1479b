"""Issue 14: the storefront widget calls the API from the shop's own origin.
Only the storefront routes (open to the publishable key) answer a browser on
another origin; a secret key's answer is never readable there; /widget.js is
served from the binary."""
import requests

from conftest import Api, error_of
from loyalty_helpers import set_program

ORIGIN = "https://shop.example"


def preflight(server, path, method, headers="authorization, customer-token, content-type, idempotency-key"):
    return requests.options(server.url + path, headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers}, timeout=10)


def test_cors__a_storefront_route_answers_the_preflight_with_its_methods_and_headers(server):
    r = preflight(server, "/v1/customers/cus_x/redemptions", "POST")
    assert r.status_code == 204, r.text
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.headers["Access-Control-Allow-Methods"] == "GET, POST"
    allowed = {h.strip().lower() for h in r.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "customer-token", "content-type", "idempotency-key"} <= allowed
    assert int(r.headers["Access-Control-Max-Age"]) > 0
    r = preflight(server, "/v1/customers/cus_x/interests", "PUT")
    assert r.status_code == 204 and "PUT" in r.headers["Access-Control-Allow-Methods"]


def test_cors__a_secret_key_route_refuses_the_preflight(server):
    for path, method in (("/v1/orders", "GET"), ("/v1/customers/cus_x/adjustments", "POST"),
                         ("/v1/customers/cus_x/loyalty", "DELETE")):
        r = preflight(server, path, method)
        assert r.status_code == 403, (path, r.text)
        assert error_of(r)["code"] == "cors_not_allowed"
        assert "Access-Control-Allow-Origin" not in r.headers
    r = preflight(server, "/v1/nothing/here", "GET")
    assert r.status_code == 404 and "Access-Control-Allow-Origin" not in r.headers


def test_cors__storefront_answers_are_readable_from_another_origin_errors_included(shop, server):
    set_program(shop)
    c = shop.post("/v1/customers", {"email": "cors@example.com"}).json()
    t = shop.post(f"/v1/customers/{c['id']}/tokens").json()["token"]
    pk = Api(server, shop.shop["publishable_key"])
    r = pk.get(f"/v1/customers/{c['id']}/loyalty", headers={"Origin": ORIGIN, "Customer-Token": t})
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "Request-Id" in r.headers["Access-Control-Expose-Headers"]
    r = pk.get(f"/v1/customers/{c['id']}/loyalty", headers={"Origin": ORIGIN})
    assert r.status_code == 401 and r.headers["Access-Control-Allow-Origin"] == "*", \
        "the widget reads why it was refused"


def test_cors__a_secret_keys_answer_is_never_readable_from_another_origin(shop):
    c = shop.post("/v1/customers", {"email": "sk@example.com"}).json()
    r = shop.get(f"/v1/customers/{c['id']}/loyalty", headers={"Origin": ORIGIN})
    assert r.status_code == 200 and "Access-Control-Allow-Origin" not in r.headers
    r = shop.get("/v1/orders", headers={"Origin": ORIGIN})
    assert r.status_code == 200 and "Access-Control-Allow-Origin" not in r.headers


def test_cors__no_origin_no_cors_headers(shop, server):
    r = Api(server, shop.shop["publishable_key"]).get("/v1/program/terms")
    assert r.status_code == 200 and "Access-Control-Allow-Origin" not in r.headers


def test_widget_js__is_served_without_a_key_as_javascript(server):
    r = requests.get(server.url + "/widget.js", timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/javascript")
    assert "max-age" in r.headers["Cache-Control"]
    assert "attachShadow" in r.text and "innerHTML" not in r.text.replace("never innerHTML", "")
    head = requests.head(server.url + "/widget.js", timeout=10)
    assert head.status_code == 200 and head.content == b""
