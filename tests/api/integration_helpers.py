"""Helpers for the inbound integration tests (issue 13): the sample payloads
of tests/data/{shopify,woocommerce}, deliveries signed here with Python's own
hmac and base64 (an implementation independent of retain's), and a snapshot
of what a shop holds, to show that a refused delivery changed nothing."""
import base64
import hashlib
import hmac
import json
import os
import uuid

import requests

DATA = os.path.join(os.path.dirname(__file__), "..", "data")


def payload(platform, name):
    with open(os.path.join(DATA, platform, name + ".json")) as f:
        return json.load(f)


def sign(secret, raw):
    """Base64 of HMAC-SHA256 of the raw body, as both platforms sign it."""
    return base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()


def raw_of(body):
    # Compact and with a key order of its own: the signature covers these
    # bytes, whatever retain would make of the JSON.
    return json.dumps(body, separators=(",", ":")).encode() if not isinstance(body, bytes) else body


def shopify_store(shop, secret):
    """Connects a new myshopify.com domain to shop with secret, gives it a
    programme that earns at once, and keeps the domain on shop.domain."""
    from loyalty_helpers import set_program
    domain = f"tea-{uuid.uuid4().hex[:10]}.myshopify.com"
    r = shop.request("PUT", "/v1/integrations/shopify",
                     {"shop_domain": domain, "webhook_secret": secret})
    assert r.status_code == 201, r.text
    set_program(shop, pending_days=0)
    shop.domain = domain
    return shop


def shopify_delivery(shop, topic, body, secret, domain, webhook_id=None, signature=..., headers=None):
    raw = raw_of(body)
    h = {"Content-Type": "application/json", "X-Shopify-Topic": topic,
         "X-Shopify-Shop-Domain": domain, "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
         "X-Shopify-API-Version": "2026-10", "X-Shopify-Triggered-At": "2026-11-20T09:02:13Z"}
    if signature is ...:
        signature = sign(secret, raw)
    if signature is not None:
        h["X-Shopify-Hmac-Sha256"] = signature
    h.update(headers or {})
    return requests.post(shop.server.url + "/v1/integrations/shopify/webhooks", data=raw,
                         headers=h, timeout=30)


def woocommerce_delivery(shop, topic, body, secret, source, delivery_id=None, signature=...,
                         headers=None):
    raw = raw_of(body)
    resource, _, event = topic.partition(".")
    h = {"Content-Type": "application/json", "X-WC-Webhook-Topic": topic,
         "X-WC-Webhook-Resource": resource, "X-WC-Webhook-Event": event,
         "X-WC-Webhook-Source": source, "X-WC-Webhook-ID": "12",
         "X-WC-Webhook-Delivery-ID": delivery_id or uuid.uuid4().hex}
    if signature is ...:
        signature = sign(secret, raw)
    if signature is not None:
        h["X-WC-Webhook-Signature"] = signature
    h.update(headers or {})
    return requests.post(shop.server.url + "/v1/integrations/woocommerce/webhooks", data=raw,
                         headers=h, timeout=30)


def snapshot(shop):
    """Everything a delivery could have changed in the shop."""
    customers = shop.get("/v1/customers?limit=100").json()["data"]
    orders = shop.get("/v1/orders?limit=100").json()["data"]
    ledgers = {c["id"]: shop.get(f"/v1/customers/{c['id']}/ledger?limit=100").json()["data"]
               for c in customers}
    return customers, orders, ledgers


def points(shop, customer_id):
    r = shop.get(f"/v1/customers/{customer_id}/loyalty")
    assert r.status_code == 200, r.text
    return r.json()["points"]
