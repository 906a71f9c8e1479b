#!/usr/bin/env python3
"""showcase_setup.py URL SECRET_KEY OUTDIR: lays out the showcase benchmark's
shop (bench/showcase) through the API.

- SKUS (50) products and CUSTOMERS (600) customers, a third of them with a
  paid order of some of the products (verified buyers);
- REVIEWS (3000) reviews spread over the products (one per customer per
  product), ratings skewed to the high end as real ones are, 1 in 40 hidden
  as spam, VOTES (3000) helpful votes, a public reply on every low rating.

Writes OUTDIR/skus (one a line) and prints "reviews N" as its last line."""
import json
import os
import random
import sys
import urllib.error
import urllib.request

url, sk, out = sys.argv[1], sys.argv[2], sys.argv[3]
SKUS = int(os.environ.get("BENCH_SKUS", "50"))
CUSTOMERS = int(os.environ.get("BENCH_REVIEW_CUSTOMERS", "600"))
REVIEWS = int(os.environ.get("BENCH_REVIEWS", "3000"))
VOTES = int(os.environ.get("BENCH_VOTES", "3000"))
rng = random.Random(12)


def call(method, path, body=None):
    req = urllib.request.Request(url + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": "Bearer " + sk,
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())


skus = [f"SKU-{i:03d}" for i in range(SKUS)]
customers = [call("POST", "/v1/customers", {"email": f"r{i}@example.com"})["id"]
             for i in range(CUSTOMERS)]
for i, c in enumerate(customers[: CUSTOMERS // 3]):
    lines = [{"sku": s, "quantity": 1, "unit_price": 1500} for s in rng.sample(skus, 3)]
    o = call("POST", "/v1/orders", {"external_id": f"o-{i}", "customer": {"id": c}, "currency": "EUR",
                                    "lines": lines, "shipping": 0, "tax": 0, "total": 4500})
    call("POST", f"/v1/orders/{o['id']}/payments", {"status": "paid"})
pairs = rng.sample([(c, s) for c in customers for s in skus], REVIEWS)
ids = []
for n, (c, s) in enumerate(pairs):
    rating = rng.choices([1, 2, 3, 4, 5], weights=[6, 4, 8, 25, 57])[0]
    r = call("POST", "/v1/reviews", {"customer": c, "sku": s, "rating": rating,
                                     "title": f"{rating} stars", "body": "Words " * rng.randint(5, 60)})
    ids.append((r["id"], c))
    if rating <= 2:
        call("POST", f"/v1/reviews/{r['id']}/replies", {"body": "Sorry: we will make it right."})
    if n % 40 == 39:
        call("POST", f"/v1/reviews/{r['id']}/moderate", {"action": "hide", "reason": "spam"})
for _ in range(VOTES):
    rid, author = rng.choice(ids)
    voter = rng.choice(customers)
    if voter != author:
        try:
            call("POST", f"/v1/reviews/{rid}/votes", {"customer": voter, "helpful": rng.random() < 0.8})
        except urllib.error.HTTPError:
            pass                        # a hidden review takes no votes
with open(os.path.join(out, "skus"), "w") as f:
    f.write("\n".join(skus) + "\n")
print("reviews", len(ids))
