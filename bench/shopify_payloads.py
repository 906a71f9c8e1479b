#!/usr/bin/env python3
"""shopify_payloads.py SECRET N OUT: N signed Shopify orders/paid deliveries for
bench/shopify_inbound, one per line: base64 HMAC, webhook id, compact body
(TAB-separated). Each is a new order in the shape of tests/data/shopify
(two lines, a discount, shipping, tax), for one of 2000 customers; signed with
Python's hmac as Shopify signs them (the raw body under the shared secret)."""
import base64
import hashlib
import hmac
import json
import sys

secret, n, out = sys.argv[1].encode(), int(sys.argv[2]), sys.argv[3]
with open(out, "w") as f:
    for i in range(n):
        c = i % 2000
        body = {
            "id": 6000000000 + i, "name": f"#{10000 + i}", "email": f"buyer-{c}@example.com",
            "created_at": "2026-11-20T10:02:11+01:00", "currency": "EUR",
            "financial_status": "paid", "cancelled_at": None, "source_name": "web",
            "taxes_included": False, "total_tax": "3.80", "total_price": "49.20",
            "gateway": "shopify_payments",
            "customer": {"id": 8000000 + c, "email": f"buyer-{c}@example.com",
                         "first_name": "Buyer", "last_name": str(c), "accepts_marketing": False},
            "line_items": [
                {"id": 2 * i, "variant_id": 44001, "sku": "TEA-SENCHA", "title": "Sencha",
                 "product_type": "green tea", "quantity": 2, "price": "12.50",
                 "discount_allocations": [{"amount": "2.50", "discount_application_index": 0}]},
                {"id": 2 * i + 1, "variant_id": 44002, "sku": "CUP-CLAY", "title": "Clay cup",
                 "quantity": 1, "price": "18.00", "discount_allocations": []}],
            "shipping_lines": [{"id": i, "title": "DHL", "price": "4.90", "discount_allocations": []}],
            "refunds": [],
        }
        raw = json.dumps(body, separators=(",", ":")).encode()
        sig = base64.b64encode(hmac.new(secret, raw, hashlib.sha256).digest()).decode()
        f.write(f"{sig}\twh-{i}\t{raw.decode()}\n")
