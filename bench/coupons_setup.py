#!/usr/bin/env python3
"""coupons_setup.py URL SECRET_KEY OUTDIR: lays out the coupon benchmark's shop
(bench/coupons) through the API and measures code generation.

- CUSTOMERS (500) customers, POST /v1/customers;
- 50 live campaigns of mixed kinds: 10 unique (single-use codes), 16 generic
  (percent, fixed, free shipping, gift; some with limits, conditions, a
  budget, stacking), 8 seasonal with early access, 8 personal, 4 apology,
  2 next_purchase, 2 welcome;
- CODES (100000) single-use codes over the unique campaigns through
  POST /v1/campaigns/{id}/codes in batches of BATCH (10000): each batch is
  timed, and the codes per second of the whole is printed;
- REDEEMED (1000) of those codes reserved for orders of the customers, every
  other order paid (the redemption final).

Writes OUTDIR/codes (the single-use codes, one a line), OUTDIR/shared (the
shared codes of the generic and seasonal campaigns), OUTDIR/customers (one id per line) and prints "codegen CODES SECONDS
CODES_PER_S" as its last line."""
import json
import os
import sys
import time
import urllib.error
import urllib.request

url, sk, out = sys.argv[1], sys.argv[2], sys.argv[3]
CODES = int(os.environ.get("BENCH_CODES", "100000"))
BATCH = int(os.environ.get("BENCH_CODE_BATCH", "10000"))
CUSTOMERS = int(os.environ.get("BENCH_COUPON_CUSTOMERS", "500"))
REDEEMED = int(os.environ.get("BENCH_REDEEMED", "1000"))
STARTS = "2020-01-01T00:00:00Z"


def post(path, body):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": "Bearer " + sk,
                                          "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            return json.load(r)
    except urllib.error.HTTPError as err:
        sys.exit(f"coupons_setup: POST {path}: {err.code} {err.read().decode()}")


def campaign(n, type_, **body):
    b = {"name": f"bench {type_} {n}", "type": type_, "starts_at": STARTS}
    b.update(body)
    return post("/v1/campaigns", b)


customers = [post("/v1/customers", {"email": f"coupon-bench-{i}@example.com"})["id"]
             for i in range(CUSTOMERS)]

percent = {"kind": "percent", "value": 10}
generic = [
    {"discount": percent},
    {"discount": {"kind": "percent", "value": 15, "max_amount": 2000, "currency": "EUR"}},
    {"discount": {"kind": "fixed", "value": 500, "currency": "EUR"}},
    {"discount": {"kind": "free_shipping"}},
    {"discount": {"kind": "gift", "gift": "tea sampler"}},
    {"discount": {"kind": "percent", "value": 20, "applies_to": {"categories": ["green tea"]}}},
    {"discount": percent, "conditions": {"min_cart": 1000, "currency": "EUR"}},
    {"discount": percent, "conditions": {"channels": ["web", "app"]}},
    {"discount": percent, "limits": {"per_customer": 5}},
    {"discount": percent, "limits": {"total_uses": 1000000}},
    {"discount": {"kind": "fixed", "value": 300, "currency": "EUR"},
     "limits": {"budget": 100000000}},
    {"discount": percent, "stacking": {"mode": "stackable", "max_total_discount": 5000},
     "conditions": {"currency": "EUR"}},
    {"discount": percent, "concurrency": "honour", "limits": {"total_uses": 1000000}},
    {"discount": {"kind": "percent", "value": 5, "applies_to": {"exclude_skus": ["ACC-FILTER"]}}},
    {"discount": percent, "limits": {"per_customer": 3, "total_uses": 1000000,
                                     "budget": 100000000}, "conditions": {"currency": "EUR"}},
    {"discount": percent, "conditions": {"first_order_only": True}},
]
shared = []
for i, body in enumerate(generic):
    shared.append(f"BENCH-G{i}")
    campaign(i, "generic", code=shared[-1], **body)
for i in range(8):
    shared.append(f"BENCH-S{i}")
    campaign(i, "seasonal", code=shared[-1], discount=percent,
             targeting={"all": True, "early_access": {"tiers": ["gold"], "days": 7}})
for i in range(8):
    campaign(i, "personal", discount=percent, validity_days=30)
for i in range(4):
    campaign(i, "apology", discount={"kind": "fixed", "value": 500, "currency": "EUR"},
             triggers=["late_delivery", "payment_failed"])
for i in range(2):
    campaign(i, "next_purchase", discount=percent)
for i in range(2):
    campaign(i, "welcome", discount={"kind": "fixed", "value": 500, "currency": "EUR"})
unique = [campaign(i, "unique", discount=percent)["id"] for i in range(10)]

codes = []
seconds = 0.0
batches = (CODES + BATCH - 1) // BATCH
for b in range(batches):
    n = min(BATCH, CODES - b * BATCH)
    t0 = time.monotonic()
    r = post(f"/v1/campaigns/{unique[b % len(unique)]}/codes", {"count": n, "prefix": "B"})
    seconds += time.monotonic() - t0
    codes.extend(r["codes"])

# Some codes in use: REDEEMED orders of the customers reserve a code each,
# every other one paid (final); validation then meets live redemptions.
for i in range(min(REDEEMED, len(codes))):
    customer = customers[i % len(customers)]
    o = post("/v1/orders", {"external_id": f"coupon-bench-{i}", "customer": {"id": customer},
                            "currency": "EUR", "channel": "web", "shipping": 490,
                            "lines": [{"sku": "TEA-SENCHA", "category": "green tea",
                                       "quantity": 2, "unit_price": 1290}], "total": 3070})
    post("/v1/coupons/redeem", {"code": codes[i], "customer": customer, "order": o["id"]})
    if i % 2:
        post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})

with open(os.path.join(out, "codes"), "w") as f:
    f.write("\n".join(codes) + "\n")
with open(os.path.join(out, "shared"), "w") as f:
    f.write("\n".join(shared) + "\n")
with open(os.path.join(out, "customers"), "w") as f:
    f.write("\n".join(customers) + "\n")
print(f"codegen {len(codes)} {seconds:.3f} {len(codes) / seconds:.0f}")
