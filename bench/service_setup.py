#!/usr/bin/env python3
"""service_setup.py URL SECRET_KEY SHOP_ID OUTDIR: lays out the service
benchmark's shop (bench/service) through the API.

- the shop's support contact (so that a delivery sends its NPS survey, as in
  a configured shop) and one SLA policy with a default and an urgent target
  (so that every ticket gets its due times);
- SHIPMENTS (BENCH_SHIPMENTS, 20000) orders of two lines, each with one
  shipment promised 30 days ahead, made with 8 keep-alive connections.

Writes OUTDIR/shipments (one shipment id per line) and OUTDIR/orders (the
orders' external ids) and prints "seeded N shipments in S seconds"."""
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse

url, sk, shop, out = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
N = int(os.environ.get("BENCH_SHIPMENTS", "20000"))
THREADS = 8
CARRIERS = ["InPost", "DPD", "DHL", "GLS"]
REGIONS = ["Mazovia", "Silesia", "Pomerania", "Lesser Poland", None]
u = urllib.parse.urlparse(url)


def iso(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + "Z"


def call(conn, method, path, body):
    conn.request(method, path, body=json.dumps(body),
                 headers={"Authorization": "Bearer " + sk, "Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    if r.status >= 300:
        sys.exit(f"service_setup: {method} {path}: {r.status} {data.decode()}")
    return json.loads(data)


conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
call(conn, "PATCH", f"/v1/shops/{shop}",
     {"support_contact": {"email": "help@bench.example", "phone": "+48 22 123 45 67"},
      "sender": {"email": "hello@bench.example", "name": "Bench Tea"}})
call(conn, "POST", "/v1/sla_policies",
     {"name": "Office hours",
      "calendar": {"timezone": "Europe/Warsaw", "weekdays": [1, 2, 3, 4, 5],
                   "hours": {"start": "09:00", "end": "17:00"}, "holidays": ["2026-12-25"]},
      "targets": [{"first_response_minutes": 240, "resolution_minutes": 960},
                  {"priority": "urgent", "first_response_minutes": 30,
                   "resolution_minutes": 240}]})

promise = iso(time.time() * 1000 + 30 * 86400 * 1000)
ids = [None] * N
orders = [None] * N
run = str(int(time.time()))


def seed(t):
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
    for i in range(t, N, THREADS):
        ext = f"S-{run}-{i}"
        call(c, "POST", "/v1/orders",
             {"external_id": ext, "customer": {"email": f"svc-{i % 2000}@example.com"},
              "currency": "EUR", "channel": "web",
              "lines": [{"sku": "TEA-SENCHA", "quantity": 2, "unit_price": 1290},
                        {"sku": "ACC-FILTER", "quantity": 1, "unit_price": 390}],
              "shipping": 490, "total": 3460})
        s = {"external_id": f"P-{ext}", "carrier": CARRIERS[i % 4], "partner": f"lm-{i % 7}",
             "tracking_id": f"TR{i}", "promised_delivery_at": promise}
        if REGIONS[i % 5]:
            s["region"] = REGIONS[i % 5]
        ids[i] = call(c, "POST", f"/v1/orders/ext:{ext}/shipments", s)["id"]
        orders[i] = ext


t0 = time.time()
threads = [threading.Thread(target=seed, args=(t,)) for t in range(THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
if None in ids:
    sys.exit("service_setup: a seeding thread failed")
with open(os.path.join(out, "shipments"), "w") as f:
    f.write("\n".join(ids) + "\n")
with open(os.path.join(out, "orders"), "w") as f:
    f.write("\n".join(orders) + "\n")
print(f"seeded {N} shipments in {time.time() - t0:.1f} seconds")
