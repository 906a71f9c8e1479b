"""Issue 13, WooCommerce in: the connection (PUT/GET/DELETE
/v1/integrations/woocommerce) and the signed webhooks of POST
/v1/integrations/woocommerce/webhooks: order.created and order.updated with
their statuses and refunds, customers, the ping a new webhook sends. The
payloads are the samples of tests/data/woocommerce (written here in the shape
of WooCommerce's REST API docs, see its README); every signature is computed
here with Python's hmac."""
import copy
import uuid

import pytest
import requests

from conftest import error_of, make_shop, new_order
from integration_helpers import payload, points, sign, snapshot, woocommerce_delivery
from loyalty_helpers import set_program

SECRET = "wc-4Jv!q9 Zr2#mT7xL"


@pytest.fixture
def site(shop):
    """A shop with its WooCommerce site connected and a programme that earns at once."""
    url = f"https://tea-{uuid.uuid4().hex[:10]}.example/"
    r = shop.request("PUT", "/v1/integrations/woocommerce", {"site_url": url, "webhook_secret": SECRET})
    assert r.status_code == 201, r.text
    set_program(shop, pending_days=0)
    shop.source = url
    return shop


def deliver(site, topic, body, **kw):
    return woocommerce_delivery(site, topic, body, SECRET, site.source, **kw)


def applied(r):
    assert r.status_code == 200, r.text
    assert r.json()["outcome"] == "applied", r.text
    return r.json()


def order_of(site, woo_id=727):
    r = site.get(f"/v1/orders/ext:woocommerce:{woo_id}")
    assert r.status_code == 200, r.text
    return r.json()


# ---- the connection ----

def test_the_site_url_is_normalised_and_the_secret_never_shown(shop):
    host = f"Tea-{uuid.uuid4().hex[:8]}.Example"
    r = shop.request("PUT", "/v1/integrations/woocommerce",
                     {"site_url": f"HTTPS://{host}/Shop//", "webhook_secret": SECRET})
    assert r.status_code == 201, r.text
    assert r.json()["site_url"] == f"https://{host.lower()}/Shop"
    assert SECRET not in r.text and r.json()["webhook_secret_hint"] == "…T7xL"
    # The source WooCommerce names, with its trailing slash, is that site.
    d = woocommerce_delivery(shop, "customer.created", payload("woocommerce", "customer_created"),
                             SECRET, f"https://{host.lower()}/Shop/")
    assert applied(d)["customer"]


@pytest.mark.parametrize("url", ["tea.example", "ftp://tea.example", "https://", "https://tea .example",
                                 "https://tea.example/?p=1"])
def test_a_site_url_that_is_no_web_address_is_400(shop, url):
    r = shop.request("PUT", "/v1/integrations/woocommerce", {"site_url": url, "webhook_secret": SECRET})
    assert r.status_code == 400 and error_of(r)["param"] == "site_url"


def test_a_site_connected_to_another_shop_is_409(site, operator):
    other = make_shop(operator, "Other Tea")
    r = other.request("PUT", "/v1/integrations/woocommerce",
                      {"site_url": site.source, "webhook_secret": "their-own-secret"})
    assert r.status_code == 409 and error_of(r)["code"] == "integration_domain_taken"


def test_the_same_domain_may_be_connected_on_each_platform_by_its_shop(site):
    # Shopify's and WooCommerce's names never meet: one table per platform.
    assert site.get("/v1/integrations/shopify").status_code == 404
    assert site.delete("/v1/integrations/woocommerce").json()["deleted"] is True
    assert deliver(site, "order.created", payload("woocommerce", "order_created")).status_code == 401


# ---- the ping, signatures, deduplication ----

def test_the_ping_of_a_new_webhook_is_200_and_changes_nothing(site):
    before = snapshot(site)
    r = requests.post(site.server.url + "/v1/integrations/woocommerce/webhooks", data="webhook_id=12",
                      headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=10)
    assert r.status_code == 200 and r.json()["object"] == "integration_ping"
    assert snapshot(site) == before


def test_a_forged_or_missing_signature_is_401_and_changes_nothing(site):
    body = payload("woocommerce", "order_updated_processing")
    raw = __import__("json").dumps(body).encode()
    before = snapshot(site)
    for signature in (None, "", sign("wrong-secret", raw), sign(SECRET, raw + b" "), "x" * 44):
        r = deliver(site, "order.updated", raw, signature=signature)
        assert r.status_code == 401, signature
        assert error_of(r)["code"] == "webhook_signature_invalid"
    r = woocommerce_delivery(site, "order.updated", raw, SECRET, "https://nobody.example/")
    assert r.status_code == 401
    assert snapshot(site) == before


def test_a_replayed_delivery_id_changes_nothing(site):
    body = payload("woocommerce", "order_updated_processing")
    first = applied(deliver(site, "order.updated", body, delivery_id="d-1"))
    before = snapshot(site)
    again = deliver(site, "order.updated", payload("woocommerce", "order_updated_partial_refund"),
                    delivery_id="d-1")
    assert again.status_code == 200 and again.json()["outcome"] == "replayed"
    assert snapshot(site) == before
    assert points(site, first["customer"])["available"] == 40


# ---- topics and statuses ----

def test_order_created_maps_lines_discounts_shipping_tax_and_the_customer(site):
    d = applied(deliver(site, "order.created", payload("woocommerce", "order_created")))
    o = order_of(site)
    assert d["order_status"] == o["status"] == "pending"
    assert [(l["sku"], l["quantity"], l["unit_price"], l["discount"], l["name"]) for l in o["lines"]] == [
        ("TEA-SENCHA", 2, 1250, 250, "Sencha Kabuse 100 g"), ("CUP-CLAY", 1, 1800, 0, "Clay cup")]
    assert (o["shipping"], o["tax"], o["total"]) == (490, 380, 4920)
    assert o["placed_at"] == "2026-11-20T10:02:11Z"
    c = site.get(f"/v1/customers/{o['customer']}").json()
    assert (c["external_id"], c["email"], c["name"], c["phone"]) == (
        "woocommerce:31", "jonas.berg@example.com", "Jonas Berg", "+436641234567")


def test_processing_pays_the_order(site):
    applied(deliver(site, "order.created", payload("woocommerce", "order_created")))
    d = applied(deliver(site, "order.updated", payload("woocommerce", "order_updated_processing")))
    o = order_of(site)
    assert d["order_status"] == "paid" and o["payments"][0]["method"] == "Credit card"
    assert points(site, d["customer"])["available"] == 40


def test_a_refund_in_the_orders_refunds_is_recorded_once_by_amount(site):
    applied(deliver(site, "order.updated", payload("woocommerce", "order_updated_processing")))
    d = applied(deliver(site, "order.updated", payload("woocommerce", "order_updated_partial_refund")))
    again = applied(deliver(site, "order.updated", payload("woocommerce", "order_updated_partial_refund")))
    o = order_of(site)
    assert d["order_status"] == again["order_status"] == "partially_refunded"
    assert [(r["external_id"], r["amount"]) for r in o["refunds"]] == [("woocommerce:741", 1125)]
    # By amount: 40 * 1125 / 4920 = 9.1 points back (the ledger rounds a claw-back down).
    assert points(site, d["customer"])["available"] == 40 - 9


def test_refunded_refunds_the_rest_and_takes_every_point_back(site):
    applied(deliver(site, "order.updated", payload("woocommerce", "order_updated_partial_refund")))
    d = applied(deliver(site, "order.updated", payload("woocommerce", "order_updated_refunded")))
    o = order_of(site)
    assert d["order_status"] == "refunded" and o["refunded_amount"] == 4920
    assert points(site, d["customer"])["available"] == 0


def test_refunded_without_listed_refunds_refunds_what_was_paid(site):
    body = payload("woocommerce", "order_updated_refunded")
    body["refunds"] = []
    d = applied(deliver(site, "order.updated", body))
    o = order_of(site)
    assert d["order_status"] == "refunded"
    assert [(r["external_id"], r["amount"]) for r in o["refunds"]] == [("woocommerce:727:refunded", 4920)]


def test_cancelled_cancels_an_unpaid_order(site):
    d = applied(deliver(site, "order.updated", payload("woocommerce", "order_updated_cancelled")))
    assert d["order_status"] == order_of(site, 728)["status"] == "cancelled"


def test_failed_records_a_failed_payment_once_then_processing_pays(site):
    failed = payload("woocommerce", "order_created")
    failed["status"] = "failed"
    applied(deliver(site, "order.updated", failed))
    applied(deliver(site, "order.updated", failed))
    o = order_of(site)
    assert o["status"] == "payment_failed" and o["failed_payments"] == 1
    d = applied(deliver(site, "order.updated", payload("woocommerce", "order_updated_processing")))
    assert d["order_status"] == "paid"


def test_a_guest_order_is_found_by_its_billing_email(site):
    body = payload("woocommerce", "order_created")
    body["customer_id"] = 0
    body["billing"]["email"] = "guest@example.com"
    d = applied(deliver(site, "order.created", body))
    c = site.get(f"/v1/customers/{d['customer']}").json()
    assert c["email"] == "guest@example.com" and c["external_id"] is None


def test_customer_created_creates_the_customer_by_its_woocommerce_id(site):
    d = applied(deliver(site, "customer.created", payload("woocommerce", "customer_created")))
    o = applied(deliver(site, "order.created", payload("woocommerce", "order_created")))
    assert o["customer"] == d["customer"]
    c = site.get(f"/v1/customers/{d['customer']}").json()
    assert (c["external_id"], c["name"]) == ("woocommerce:31", "Jonas Berg")


def test_an_unknown_topic_is_200_ignored_and_changes_nothing(site):
    before = snapshot(site)
    r = deliver(site, "product.updated", {"id": 93, "name": "Sencha"})
    assert r.status_code == 200 and r.json()["outcome"] == "ignored"
    assert snapshot(site) == before


def test_a_line_whose_subtotal_does_not_divide_keeps_its_total_exactly(site):
    body = payload("woocommerce", "order_created")
    body["line_items"] = [dict(body["line_items"][1], quantity=3, subtotal="10.00", total="9.00")]
    body.update({"shipping_lines": [], "total_tax": "0.00", "total": "9.00"})
    applied(deliver(site, "order.created", body))
    line = order_of(site)["lines"][0]
    assert (line["unit_price"], line["discount"], line["amount"]) == (334, 102, 900)


def test_a_fee_line_is_not_mapped_so_its_order_is_422_and_changes_nothing(site):
    body = payload("woocommerce", "order_created")
    body["fee_lines"] = [{"id": 1, "name": "Gift wrap", "total": "2.00", "total_tax": "0.00"}]
    body["total"] = "51.20"
    r = deliver(site, "order.created", body)
    assert r.status_code == 422 and error_of(r)["code"] == "integration_total_mismatch"
    assert site.get("/v1/orders").json()["data"] == []


# ---- the same points as the native API ----

def test_a_woocommerce_order_with_a_partial_refund_gives_the_same_points_as_the_native_api(site):
    native = site.post("/v1/orders", new_order(
        site, customer={"email": "native@example.com"},
        lines=[{"sku": "TEA-SENCHA", "quantity": 2, "unit_price": 1250, "discount": 250},
               {"sku": "CUP-CLAY", "quantity": 1, "unit_price": 1800}],
        shipping=490, tax=380)).json()
    assert site.post(f"/v1/orders/{native['id']}/payments", {"status": "paid"}).status_code == 200
    assert site.post(f"/v1/orders/{native['id']}/refunds",
                     {"external_id": "native-refund", "amount": 1125}).status_code == 201
    applied(deliver(site, "order.created", payload("woocommerce", "order_created")))
    applied(deliver(site, "order.updated", payload("woocommerce", "order_updated_processing")))
    d = applied(deliver(site, "order.updated", payload("woocommerce", "order_updated_partial_refund")))
    mine, theirs = points(site, d["customer"]), points(site, native["customer"])
    assert mine == theirs and mine["available"] > 0


def test_a_checkout_draft_is_ignored_until_it_is_placed(site):
    draft = payload("woocommerce", "order_created")
    draft["status"] = "checkout-draft"
    r = deliver(site, "order.created", draft)
    assert r.status_code == 200 and r.json()["outcome"] == "ignored"
    assert site.get("/v1/orders").json()["data"] == []
    assert site.get("/v1/customers").json()["data"] == []
    assert applied(deliver(site, "order.updated", payload("woocommerce", "order_updated_processing")))
