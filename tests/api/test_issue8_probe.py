"""Issue 8, probed independently from the issue text and the docs (not the fix's tests).

Each test tries an input of a defect class the issue names, on a path the fix may have
missed. Where the docs leave behaviour open only safe properties are asserted.
"""
import json
import os
import socket
import subprocess
import tempfile
import time
import uuid

import pytest
import requests

from conftest import (BIN, OPERATOR_KEY, PG, Api, Server, check_clean_exit, error_of,
                      make_shop, new_order, pg_dump)

DAY = 86400
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# ---------------------------------------------------------------- helpers

def uid():
    return uuid.uuid4().hex[:10]


def _complete(buf, head):
    """True when buf holds one whole response (headers and Content-Length body)."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return False
    if head:
        return True
    for line in buf[:end].split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            try:
                return len(buf) - end - 4 >= int(v.strip())
            except ValueError:
                return False
    return False


def raw(server, data, timeout=5.0, head=False):
    """Send raw bytes; return the answer (up to one whole response, close, or timeout)."""
    s = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        buf = b""
        end = time.time() + timeout
        while time.time() < end:
            try:
                b = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                buf += b"<RESET>"
                break
            if not b:
                break
            buf += b
            if _complete(buf, head):
                # give a closing server a moment, to see a second response or the close
                s.settimeout(0.05)
                try:
                    more = s.recv(65536)
                    buf += more
                except (socket.timeout, ConnectionResetError):
                    pass
                break
        return buf
    finally:
        s.close()


def status_of(resp_bytes):
    line = resp_bytes.split(b"\r\n", 1)[0]
    parts = line.split(b" ")
    assert len(parts) >= 2 and parts[0].startswith(b"HTTP/1."), resp_bytes[:200]
    return int(parts[1])


def split_response(resp_bytes):
    head, _, body = resp_bytes.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    headers = {}
    for l in lines[1:]:
        k, _, v = l.partition(b":")
        headers.setdefault(k.strip().lower().decode(), []).append(v.strip().decode("latin-1"))
    return status_of(resp_bytes), headers, body


def assert_utf8_error(resp_or_bytes):
    """The body is strict UTF-8 JSON with a non-empty message free of lone surrogates."""
    body = resp_or_bytes.content if hasattr(resp_or_bytes, "content") else resp_or_bytes
    text = body.decode("utf-8")  # strict
    err = json.loads(text)["error"]
    assert isinstance(err["message"], str) and err["message"], err
    err["message"].encode("utf-8")  # no lone surrogates
    for v in err.values():
        if isinstance(v, str):
            v.encode("utf-8")
    return err


def customer(shop, **body):
    r = shop.post("/v1/customers", body)
    assert r.status_code in (200, 201), r.text
    return r.json()


def set_program(shop, **body):
    prog = {"earn": {"points_per_unit": 1}, "pending_days": 0, "expiry": {"policy": "never"}}
    prog.update(body)
    r = shop.request("PUT", "/v1/program", prog)
    assert r.status_code == 200, r.text
    return r.json()


def order(shop, cust, price, currency="EUR", sku="TEA", category="green tea", qty=1, **kw):
    body = new_order(shop, customer=cust, currency=currency,
                     lines=[{"sku": sku, "name": "x", "category": category,
                             "quantity": qty, "unit_price": price}], **kw)
    body["currency"] = currency
    r = shop.post("/v1/orders", body)
    assert r.status_code == 201, r.text
    return r.json()


def pay(shop, o):
    return shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})


def paid(shop, cust, price, **kw):
    o = order(shop, cust, price, **kw)
    r = pay(shop, o)
    assert r.status_code == 200, r.text
    return r.json()


def loyalty(shop, cid):
    r = shop.get(f"/v1/customers/{cid}/loyalty")
    assert r.status_code == 200, r.text
    return r.json()


def points(shop, cid):
    p = loyalty(shop, cid)["points"]
    return p["available"] + p["pending"]


def retain_check(db):
    r = subprocess.run([BIN, "check", "--db", db], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr


def idem(k=None):
    return {"Idempotency-Key": k or "k-" + uuid.uuid4().hex}


# ---------------------------------------------------------------- 0. account creation / merge

def test_account_email_for_customer_with_email_every_branch(server, shop):
    c = customer(shop, email=f"a-{uid()}@example.com", name="A")
    other = f"b-{uid()}@example.com"
    # a second e-mail for a customer who has one: joins the identities, primary kept
    r = shop.post(f"/v1/customers/{c['id']}/account", {"email": other})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "account"
    assert body["email"] == c["email"]
    assert {"type": "email", "value": other} in body["identities"]
    # again, the same e-mail: idempotent
    r = shop.post(f"/v1/customers/{c['id']}/account", {"email": other})
    assert r.status_code == 200, r.text
    # its own primary e-mail, upper case
    r = shop.post(f"/v1/customers/{c['id']}/account", {"email": c["email"].upper()})
    assert r.status_code == 200, r.text
    # an e-mail another customer holds: 409 identity_taken naming email
    d = customer(shop, email=f"d-{uid()}@example.com")
    r = shop.post(f"/v1/customers/{c['id']}/account", {"email": d["email"].upper()})
    assert r.status_code == 409, r.text
    err = error_of(r)
    assert err["code"] == "identity_taken" and err["param"] == "email"
    # invalid e-mail: 400 naming email
    for bad in ["nope", "", "a@", "@b.c", "a b@c.de", 5, ["x@y.z"]]:
        r = shop.post(f"/v1/customers/{c['id']}/account", {"email": bad})
        assert r.status_code == 400, (bad, r.text)
        assert error_of(r)["param"] == "email", bad
    # no body, empty body
    r = shop.post(f"/v1/customers/{c['id']}/account")
    assert r.status_code == 200, r.text
    r = shop.post(f"/v1/customers/{c['id']}/account", {})
    assert r.status_code == 200, r.text
    # the customer still reads right, the server is alive
    g = shop.get(f"/v1/customers/{c['id']}").json()
    assert g["email"] == c["email"]
    assert requests.get(server.url + "/livez").status_code == 200


def test_account_branches_guest_without_email_phone_only_ext(server, shop):
    ph = customer(shop, phone="+48221234567")
    e = f"p-{uid()}@example.com"
    r = shop.post(f"/v1/customers/{ph['id']}/account", {"email": e})
    assert r.status_code == 200, r.text
    assert r.json()["email"] == e  # became the primary
    ext = "x-" + uid()
    c = customer(shop, external_id=ext, email=f"e-{uid()}@example.com")
    r = shop.post(f"/v1/customers/ext:{ext}/account", {"email": f"f-{uid()}@example.com"})
    assert r.status_code == 200, r.text
    r = shop.post("/v1/customers/ext:nosuch-" + uid() + "/account", {"email": f"g-{uid()}@example.com"})
    assert r.status_code == 404
    r = shop.post("/v1/customers/cus_0000000000000000/account", {"email": f"g-{uid()}@example.com"})
    assert r.status_code == 404
    # account with an unknown field
    r = shop.post(f"/v1/customers/{c['id']}/account", {"email": f"h-{uid()}@example.com", "x": 1})
    assert r.status_code == 400


def test_account_for_merged_and_erased_customers(server, shop):
    s = customer(shop, email=f"s-{uid()}@example.com")
    d = customer(shop, email=f"d-{uid()}@example.com")
    r = shop.post(f"/v1/customers/{s['id']}/merge", {"source": d["id"]})
    assert r.status_code == 200, r.text
    # an account through the merged id resolves to the survivor or is a clean conflict
    r = shop.post(f"/v1/customers/{d['id']}/account", {"email": f"m-{uid()}@example.com"})
    assert r.status_code in (200, 409), r.text
    if r.status_code == 200:
        assert r.json()["id"] == s["id"]
    # erased: 409 customer_inactive, with or without an e-mail
    assert shop.delete(f"/v1/customers/{s['id']}").status_code == 200
    for body in [None, {}, {"email": f"z-{uid()}@example.com"}]:
        r = shop.post(f"/v1/customers/{s['id']}/account", body)
        assert r.status_code == 409, r.text
        assert error_of(r)["code"] == "customer_inactive"
    r = shop.post(f"/v1/customers/{d['id']}/account", {"email": f"y-{uid()}@example.com"})
    assert r.status_code in (404, 409), r.text


def test_merge_branches(server, shop):
    a = customer(shop, email=f"a-{uid()}@example.com")
    b = customer(shop, phone="+4930123456" + str(uuid.uuid4().int % 10))
    c = customer(shop, name="only a name")
    # self merge
    r = shop.post(f"/v1/customers/{a['id']}/merge", {"source": a["id"]})
    assert 400 <= r.status_code < 500, r.text
    # unknown source / bad source
    for src in ["cus_0000000000000000", "ext:nope" + uid(), "", 5, None]:
        r = shop.post(f"/v1/customers/{a['id']}/merge", {"source": src})
        assert r.status_code in (400, 404), (src, r.text)
    # ok, then merging the same again
    r = shop.post(f"/v1/customers/{a['id']}/merge", {"source": b["id"]})
    assert r.status_code == 200, r.text
    assert r.json()["phone"] == b["phone"]
    r = shop.post(f"/v1/customers/{a['id']}/merge", {"source": b["id"]})
    assert 200 <= r.status_code < 500 and r.status_code != 201, r.text
    # merging the survivor into the merged one (a cycle)
    r = shop.post(f"/v1/customers/{b['id']}/merge", {"source": a["id"]})
    assert 400 <= r.status_code < 500 or r.json()["id"] == a["id"], r.text
    g = shop.get(f"/v1/customers/{a['id']}").json()
    assert g["status"] != "merged", g
    # chain: c merged into a after b
    r = shop.post(f"/v1/customers/{a['id']}/merge", {"source": c["id"]})
    assert r.status_code == 200, r.text
    # erased source or target: refused
    e = customer(shop, email=f"e-{uid()}@example.com")
    assert shop.delete(f"/v1/customers/{e['id']}").status_code == 200
    r = shop.post(f"/v1/customers/{a['id']}/merge", {"source": e["id"]})
    assert 400 <= r.status_code < 500, r.text
    r = shop.post(f"/v1/customers/{e['id']}/merge", {"source": customer(shop, name="n")["id"]})
    assert 400 <= r.status_code < 500, r.text
    assert requests.get(server.url + "/livez").status_code == 200


# ---------------------------------------------------------------- 1. points and money limits

BASE = {"earn": {"points_per_unit": 1}, "pending_days": 0, "expiry": {"policy": "never"}}


def prog(**kw):
    p = json.loads(json.dumps(BASE))
    for k, v in kw.items():
        p[k] = v
    return p


BAD_PROGRAMS = [
    ("earn.points_per_unit", prog(earn={"points_per_unit": 1001})),
    ("earn.points_per_unit", prog(earn={"points_per_unit": -1})),
    ("earn.points_per_unit", prog(earn={"points_per_unit": 1e300})),
    ("earn.multipliers", prog(earn={"points_per_unit": 1, "multipliers": [
        {"type": "category", "value": "g", "percent": 10001}]})),
    ("earn.multipliers", prog(earn={"points_per_unit": 1, "multipliers": [
        {"type": "sku", "value": "g", "percent": -1}]})),
    ("earn.multipliers", prog(earn={"points_per_unit": 1, "multipliers": [
        {"type": "category", "value": "g", "percent": 200},
        {"type": "category", "value": "g", "percent": 300}]})),
    ("earn.min_order", prog(earn={"points_per_unit": 1, "min_order": 10**12 + 1})),
    ("tiers", prog(tiers={"basis": "points_earned", "window_days": 365, "downgrade": "one_down",
                          "levels": [{"name": "s", "threshold": 10, "earn_percent": 1001}]})),
    ("tiers", prog(tiers={"basis": "points_earned", "window_days": 365, "downgrade": "one_down",
                          "levels": [{"name": "s", "threshold": 10, "earn_percent": 99}]})),
    ("tiers", prog(tiers={"basis": "points_earned", "window_days": 365, "downgrade": "one_down",
                          "levels": [{"name": "s", "threshold": 10**12 + 1, "earn_percent": 100}]})),
    ("cashback", prog(cashback={"basis_points": 10001})),
    ("cashback", prog(cashback={"basis_points": -1})),
    ("point_value", prog(point_value=100001)),
    ("bonuses", prog(bonuses=[{"action": "review", "points": 10**9 + 1, "per_customer_limit": 1}])),
    ("milestones", prog(milestones=[{"type": "every", "n": 5, "points": 10**9 + 1}])),
    ("rewards", prog(rewards=[{"key": "r", "kind": "gift", "name": "g", "cost": 10**9 + 1}])),
    ("rewards", prog(rewards=[{"key": "r", "kind": "discount_fixed", "name": "g", "cost": 1,
                               "value": 10**12 + 1}])),
    ("rewards", prog(rewards=[{"key": "r", "kind": "gift", "name": "g", "cost": 1, "stock": 10**9 + 1}])),
    ("rewards", prog(rewards=[{"key": "r", "kind": "gift", "name": "g", "cost": 1,
                               "per_customer_limit": 10**6 + 1}])),
]


@pytest.mark.parametrize("field,body", BAD_PROGRAMS, ids=[f"{i}-{f}" for i, (f, _) in enumerate(BAD_PROGRAMS)])
def test_program_factor_out_of_bounds_is_400_naming_field(server, shop, field, body):
    before = shop.get("/v1/program")
    r = shop.request("PUT", "/v1/program", body)
    assert r.status_code == 400, r.text
    err = assert_utf8_error(r)
    assert err["param"] and err["param"].startswith(field), err
    after = shop.get("/v1/program")
    assert after.status_code == before.status_code
    if before.status_code == 200:
        assert after.json()["version"] == before.json()["version"]


def test_program_factor_at_bounds_is_accepted(server, shop):
    body = prog(earn={"points_per_unit": 1000, "min_order": 10**12, "multipliers": [
        {"type": "category", "value": "g", "percent": 10000},
        {"type": "sku", "value": "S", "percent": 10000},
        {"type": "channel", "value": "web", "percent": 10000}]},
        tiers={"basis": "points_earned", "window_days": 365, "downgrade": "one_down",
               "levels": [{"name": "s", "threshold": 10**12, "earn_percent": 1000}]},
        cashback={"basis_points": 10000}, point_value=100000,
        bonuses=[{"action": "review", "points": 10**9, "per_customer_limit": 1}],
        rewards=[{"key": "r", "kind": "discount_fixed", "name": "g", "cost": 10**9, "value": 10**12,
                  "stock": 10**9, "per_customer_limit": 10**6}])
    r = shop.request("PUT", "/v1/program", body)
    assert r.status_code == 200, r.text


def max_program(shop, **extra):
    body = prog(earn={"points_per_unit": 1000, "include_shipping": True, "include_tax": True, "multipliers": [
        {"type": "category", "value": "g", "percent": 10000},
        {"type": "sku", "value": "S", "percent": 10000},
        {"type": "channel", "value": "web", "percent": 10000}]},
        tiers={"basis": "order_count", "window_days": 365, "downgrade": "one_down",
               "levels": [{"name": "top", "threshold": 1, "earn_percent": 1000}]})
    body.update(extra)
    r = shop.request("PUT", "/v1/program", body)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("price,currency", [(92233720368547, "JPY"), (10**15, "JPY"), (10**15, "EUR"),
                                            (10**15, "BHD"), (10**13, "KRW"), (1, "JPY")])
def test_max_factors_never_wrap(server, shop, price, currency):
    max_program(shop, cashback={"basis_points": 10000})
    c = customer(shop, email=f"m-{uid()}@example.com")
    # first paid order lifts the customer into the x10 tier
    for i in range(2):
        o = order(shop, c["id"], price, currency=currency, sku="S", category="g")
        r = pay(shop, o)
        assert r.status_code in (200, 422), r.text
        if r.status_code == 422:
            err = assert_utf8_error(r)
            assert err["code"] in ("points_limit_exceeded", "balance_limit_exceeded"), err
            assert err["param"], err
            assert shop.get(f"/v1/orders/{o['id']}").json()["status"] == "pending"
        else:
            lp = r.json()["loyalty"]["points"]
            assert 0 <= lp <= 10**15
    p = loyalty(shop, c["id"])["points"]
    for v in p.values():
        if isinstance(v, int):
            assert 0 <= v <= 10**17, p
    for w in loyalty(shop, c["id"])["cashback"]:
        assert 0 <= w["balance"] <= 10**17
    # a later payment of a small order still works (no 500 "integer overflow")
    o = order(shop, c["id"], 100, currency=currency, sku="plain", category="none")
    r = pay(shop, o)
    assert r.status_code in (200, 422), r.text
    retain_check(server.db)


@pytest.mark.parametrize("field", ["shipping", "tax"])
def test_points_limit_names_shipping_or_tax(server, shop, field):
    set_program(shop, earn={"points_per_unit": 1000, "include_" + field: True, "multipliers": [
        {"type": "category", "value": "g", "percent": 10000}]})
    c = customer(shop, email=f"m-{uid()}@example.com")
    # the line earns nothing (price 0), shipping/tax alone would exceed 10^15
    if True:
        o = order(shop, c["id"], 0, sku="plain", category="none", **{field: 10**15})
        r = pay(shop, o)
        assert r.status_code == 422, r.text
        err = assert_utf8_error(r)
        assert err["code"] == "points_limit_exceeded" and err["param"] == field, err
        assert shop.get(f"/v1/orders/{o['id']}").json()["status"] == "pending"
    # second line, named by its own index
    body = new_order(shop, customer=c["id"], lines=[
        {"sku": "plain", "quantity": 1, "unit_price": 100},
        {"sku": "S", "category": "g", "quantity": 1, "unit_price": 10**15 - 100}])
    o = shop.post("/v1/orders", body).json()
    r = pay(shop, o)
    assert r.status_code == 422, r.text
    assert assert_utf8_error(r)["param"].startswith("lines[1]")
    assert points(shop, c["id"]) == 0


def test_order_amount_limits_boundaries(server, shop):
    c = f"o-{uid()}@example.com"
    ok = new_order(shop, customer={"email": c}, lines=[{"sku": "A", "quantity": 1, "unit_price": 10**15}])
    assert shop.post("/v1/orders", ok).status_code == 201
    for line, param in [({"sku": "A", "quantity": 1, "unit_price": 10**15 + 1}, "lines[0].unit_price"),
                        ({"sku": "A", "quantity": 2, "unit_price": 5 * 10**14 + 1}, "lines[0]"),
                        ({"sku": "A", "quantity": 1000000, "unit_price": 10**10}, "lines[0]"),
                        ({"sku": "A", "quantity": 1, "unit_price": 9223372036854775807}, "lines[0].unit_price"),
                        ({"sku": "A", "quantity": 1, "unit_price": -1}, "lines[0].unit_price")]:
        body = new_order(shop, customer={"email": c}, lines=[line])
        r = shop.post("/v1/orders", body)
        assert r.status_code == 400, (line, r.text)
        assert assert_utf8_error(r)["param"].startswith(param), (line, r.text)
    # lines together above 10^15, each fine
    body = new_order(shop, customer={"email": c}, lines=[
        {"sku": "A", "quantity": 1, "unit_price": 10**15},
        {"sku": "B", "quantity": 1, "unit_price": 1}])
    r = shop.post("/v1/orders", body)
    assert r.status_code == 400, r.text
    assert error_of(r)["param"].startswith("lines"), r.text
    for f in ("shipping", "tax"):
        body = new_order(shop, customer={"email": c}, **{f: 10**15 + 1})
        r = shop.post("/v1/orders", body)
        assert r.status_code == 400 and error_of(r)["param"] == f, r.text
    # a total that would wrap
    body = new_order(shop, customer={"email": c}, total=-(2**63))
    r = shop.post("/v1/orders", body)
    assert r.status_code == 400


def test_values_beyond_int64_are_400_not_500(server, shop):
    for body in [prog(earn={"points_per_unit": 2**63}), prog(earn={"points_per_unit": 10**40})]:
        r = shop.request("PUT", "/v1/program", body)
        assert r.status_code == 400, r.text
        assert_utf8_error(r)
    body = new_order(shop, customer={"email": f"q-{uid()}@example.com"},
                     lines=[{"sku": "A", "quantity": 1, "unit_price": 2**64 + 5}])
    r = shop.post("/v1/orders", body)
    assert r.status_code == 400, r.text
    assert_utf8_error(r)


@pytest.mark.parametrize("pts", [10**9 + 1, -(10**9) - 1, 2**63, -(2**63) - 1, 9223372036854775807,
                                 -9223372036854775808, 1.5, "1", 0])
def test_adjustment_out_of_range_refused(server, shop, pts):
    set_program(shop)
    c = customer(shop, email=f"j-{uid()}@example.com")
    r = shop.post(f"/v1/customers/{c['id']}/adjustments", {"points": pts, "reason": "x"})
    assert r.status_code in (400, 422), r.text
    assert_utf8_error(r)
    assert points(shop, c["id"]) == 0


def test_redemption_points_out_of_range(server, shop):
    set_program(shop, point_value=100000)
    c = customer(shop, email=f"r-{uid()}@example.com")
    shop.post(f"/v1/customers/{c['id']}/adjustments", {"points": 10**9, "reason": "x"})
    o = order(shop, c["id"], 10**15)
    for pts in [2**63, 9223372036854775807, 10**9 + 1, -1, 0]:
        r = shop.post(f"/v1/customers/{c['id']}/redemptions", {"points": pts, "order": o["id"]})
        assert r.status_code in (400, 422), (pts, r.text)
    # 10^9 points x 10^5 value = 10^14 <= order 10^15: allowed
    r = shop.post(f"/v1/customers/{c['id']}/redemptions", {"points": 10**9, "order": o["id"]})
    assert r.status_code == 201, r.text
    assert r.json()["value"] == 10**14
    # a small order: the discount would exceed it
    shop.post(f"/v1/customers/{c['id']}/adjustments", {"points": 10**9, "reason": "x"})
    o2 = order(shop, c["id"], 1000)
    r = shop.post(f"/v1/customers/{c['id']}/redemptions", {"points": 10**9, "order": o2["id"]})
    assert r.status_code == 422 and error_of(r)["code"] == "discount_exceeds_order", r.text
    retain_check(server.db)


def test_balance_limit_through_orders_bonus_adjustment_and_cancel(server, operator):
    shop = make_shop(operator)
    # 1 point per EUR x100 via sku multiplier; 10^14 cents = 10^12 EUR -> 10^14 points? use ppu 1000
    set_program(shop, earn={"points_per_unit": 1000},
                bonuses=[{"action": "review", "points": 10**9, "per_customer_limit": 5}],
                rewards=[{"key": "r", "kind": "gift", "name": "g", "cost": 10**9}])
    c = customer(shop, email=f"b-{uid()}@example.com")
    # one order earning exactly 10^15 (10^12 EUR x 1000): allowed
    first = paid(shop, c["id"], 10**14)
    assert first["loyalty"]["points"] == 10**15
    # spend 10^9 on a gift now, to cancel later
    red = shop.post(f"/v1/customers/{c['id']}/redemptions", {"reward": "r"})
    assert red.status_code == 201, red.text
    for _ in range(99):
        paid(shop, c["id"], 10**14)
    assert points(shop, c["id"]) == 10**17 - 10**9
    # top up exactly to the maximum
    r = shop.post(f"/v1/customers/{c['id']}/adjustments", {"points": 10**9, "reason": "top"})
    assert r.status_code == 200, r.text
    assert points(shop, c["id"]) == 10**17
    # every way past it: 422, nothing changes
    o = order(shop, c["id"], 100)
    r = pay(shop, o)
    assert r.status_code == 422 and error_of(r)["code"] == "balance_limit_exceeded", r.text
    assert shop.get(f"/v1/orders/{o['id']}").json()["status"] == "pending"
    r = shop.post(f"/v1/customers/{c['id']}/adjustments", {"points": 1, "reason": "x"})
    assert r.status_code == 422 and error_of(r)["code"] == "balance_limit_exceeded", r.text
    r = shop.post(f"/v1/customers/{c['id']}/bonuses", {"action": "review"})
    assert r.status_code == 422 and error_of(r)["code"] == "balance_limit_exceeded", r.text
    # points given back are never refused (docs/loyalty.md, "Limits"): the cancel
    # succeeds past the maximum, and new points stay refused until it is spent down
    r = shop.post(f"/v1/redemptions/{red.json()['id']}/cancel")
    assert r.status_code == 200, r.text
    assert shop.get(f"/v1/redemptions/{red.json()['id']}").json()["status"] == "cancelled"
    assert points(shop, c["id"]) == 10**17 + 10**9
    r = shop.post(f"/v1/customers/{c['id']}/adjustments", {"points": 1, "reason": "x"})
    assert r.status_code == 422 and error_of(r)["code"] == "balance_limit_exceeded", r.text
    r = shop.post(f"/v1/customers/{c['id']}/adjustments", {"points": -(10**9), "reason": "x"})
    assert r.status_code == 200, r.text
    assert points(shop, c["id"]) == 10**17
    # an order with zero points still pays
    o = order(shop, c["id"], 50)  # 0.5 EUR x 1000 = 500 points -> refused; use price 0
    o0 = order(shop, c["id"], 0)
    r = pay(shop, o0)
    assert r.status_code == 200, r.text
    # spending then re-earning stays exact
    r = shop.post(f"/v1/customers/{c['id']}/adjustments", {"points": -(10**9), "reason": "x"})
    assert r.status_code == 200, r.text
    assert points(shop, c["id"]) == 10**17 - 10**9
    lt = loyalty(shop, c["id"])["points"]["lifetime_earned"]
    assert 0 < lt <= 2**63 - 1
    retain_check(server.db)


def test_cashback_wallet_limit(server, operator):
    shop = make_shop(operator)
    set_program(shop, earn={"points_per_unit": 0}, cashback={"basis_points": 10000})
    c = customer(shop, email=f"w-{uid()}@example.com")
    for _ in range(100):
        paid(shop, c["id"], 10**15)
    w = {x["currency"]: x["balance"] for x in loyalty(shop, c["id"])["cashback"]}
    assert w["EUR"] == 10**17
    o = order(shop, c["id"], 1)
    r = pay(shop, o)
    assert r.status_code == 422 and error_of(r)["code"] == "cashback_limit_exceeded", r.text
    assert shop.get(f"/v1/orders/{o['id']}").json()["status"] == "pending"
    # another currency is another wallet
    o = order(shop, c["id"], 10**15, currency="USD")
    assert pay(shop, o).status_code == 200
    # refunds bring it down exactly
    orders = shop.get(f"/v1/orders?customer={c['id']}&status=paid&limit=2").json()["data"]
    r = shop.post(f"/v1/orders/{orders[-1]['id']}/refunds", {"external_id": "R" + uid(), "amount": 10**15})
    assert r.status_code == 201, r.text
    w = {x["currency"]: x["balance"] for x in loyalty(shop, c["id"])["cashback"]}
    assert 0 <= w["EUR"] <= 10**17 and w["USD"] in (0, 10**15)
    # reports over huge revenue: no 500
    for rep in ("retention", "cohorts", "rfm", "clv"):
        r = shop.get(f"/v1/reports/{rep}")
        assert r.status_code in (200, 422), (rep, r.text)


# ---------------------------------------------------------------- 1b. refund paths

def _spend_setup(shop, policy="clamp", **extra):
    set_program(shop, refund_policy=policy, point_value=1,
                rewards=[{"key": "big", "kind": "gift", "name": "g", "cost": 1000}], **extra)
    c = customer(shop, email=f"k-{uid()}@example.com")
    a = paid(shop, c["id"], 100000)  # 1000 EUR -> 1000 points
    assert a["loyalty"]["points"] == 1000
    return c, a


def _refund_all(shop, o):
    r = shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "R" + uid(), "amount": o["total"]})
    assert r.status_code == 201, r.text
    return r.json()


@pytest.mark.parametrize("policy", ["clamp", "debt"])
def test_buy_refund_keep_via_reward_cancel(server, shop, policy):
    c, a = _spend_setup(shop, policy)
    red = shop.post(f"/v1/customers/{c['id']}/redemptions", {"reward": "big"})
    assert red.status_code == 201, red.text
    _refund_all(shop, a)
    r = shop.post(f"/v1/redemptions/{red.json()['id']}/cancel")
    assert r.status_code == 200, r.text
    assert loyalty(shop, c["id"])["points"]["available"] == 0
    assert points(shop, c["id"]) == 0
    # cancelling twice gives nothing more
    r = shop.post(f"/v1/redemptions/{red.json()['id']}/cancel")
    assert r.status_code in (200, 409), r.text
    assert points(shop, c["id"]) == 0
    retain_check(server.db)


def test_buy_refund_keep_via_discount_order_cancel(server, shop):
    c, a = _spend_setup(shop)
    b = order(shop, c["id"], 200000)
    r = shop.post(f"/v1/customers/{c['id']}/redemptions", {"points": 1000, "order": b["id"]})
    assert r.status_code == 201, r.text
    _refund_all(shop, a)
    r = shop.post(f"/v1/orders/{b['id']}/cancel", {})
    assert r.status_code == 200, r.text
    assert points(shop, c["id"]) == 0
    retain_check(server.db)


def test_buy_refund_keep_via_discount_order_full_refund(server, shop):
    c, a = _spend_setup(shop)
    b = order(shop, c["id"], 200000)
    r = shop.post(f"/v1/customers/{c['id']}/redemptions", {"points": 1000, "order": b["id"]})
    assert r.status_code == 201, r.text
    assert pay(shop, b).status_code == 200  # B earns 2000
    _refund_all(shop, a)
    _refund_all(shop, shop.get(f"/v1/orders/{b['id']}").json())
    # A refunded, B refunded: no points from either may remain
    assert points(shop, c["id"]) == 0
    retain_check(server.db)


def test_restored_points_repay_only_what_was_uncollected(server, shop):
    c, a = _spend_setup(shop)
    other = paid(shop, c["id"], 50000)  # 500 more
    red = shop.post(f"/v1/customers/{c['id']}/redemptions", {"reward": "big"})  # 1000 from A's lot
    assert red.status_code == 201
    # now 500 left (other's lot); full refund of A takes 500 from other, 500 uncollected
    _refund_all(shop, a)
    assert points(shop, c["id"]) == 0
    r = shop.post(f"/v1/redemptions/{red.json()['id']}/cancel")
    assert r.status_code == 200, r.text
    # 1000 come back, 500 repay the uncollected, 500 remain (the other order's)
    assert points(shop, c["id"]) == 500
    retain_check(server.db)


def test_partial_refund_then_cancel(server, shop):
    c, a = _spend_setup(shop)
    red = shop.post(f"/v1/customers/{c['id']}/redemptions", {"reward": "big"})
    r = shop.post(f"/v1/orders/{a['id']}/refunds", {"external_id": "R" + uid(), "amount": 50000})
    assert r.status_code == 201, r.text
    shop.post(f"/v1/redemptions/{red.json()['id']}/cancel")
    # half the order is kept: at most 500 points may remain
    assert points(shop, c["id"]) == 500
    retain_check(server.db)


def test_expired_unspent_not_clawed_again(server, shop, operator):
    set_program(shop, expiry={"policy": "days", "n": 30, "reminder_days": 0})
    c = customer(shop, email=f"x-{uid()}@example.com")
    a = paid(shop, c["id"], 100000)  # 1000, expire in 30 days
    operator.post("/v1/test/clock", {"advance_seconds": 31 * DAY})
    operator.post("/v1/jobs/run")
    b = paid(shop, c["id"], 40000)  # 400 live
    assert points(shop, c["id"]) == 400
    _refund_all(shop, a)
    assert points(shop, c["id"]) == 400
    ledger = shop.get(f"/v1/customers/{c['id']}/ledger?limit=100").json()["data"]
    assert any(e["reason"] == "refund_expired" for e in ledger), ledger
    retain_check(server.db)


def test_expired_partly_spent_claws_only_the_spent(server, shop, operator):
    set_program(shop, expiry={"policy": "days", "n": 30, "reminder_days": 0},
                rewards=[{"key": "r3", "kind": "gift", "name": "g", "cost": 300}])
    c = customer(shop, email=f"y-{uid()}@example.com")
    a = paid(shop, c["id"], 100000)  # 1000
    assert shop.post(f"/v1/customers/{c['id']}/redemptions", {"reward": "r3"}).status_code == 201
    operator.post("/v1/test/clock", {"advance_seconds": 31 * DAY})
    operator.post("/v1/jobs/run")
    paid(shop, c["id"], 100000)  # 1000 live
    # half refund (500): 700 expired cover it, nothing taken
    r = shop.post(f"/v1/orders/{a['id']}/refunds", {"external_id": "R" + uid(), "amount": 50000})
    assert r.status_code == 201, r.text
    assert points(shop, c["id"]) == 1000
    # the rest: 300 spent -> 300 from the live lot
    r = shop.post(f"/v1/orders/{a['id']}/refunds", {"external_id": "R" + uid(), "amount": 50000})
    assert r.status_code == 201, r.text
    assert points(shop, c["id"]) == 700
    retain_check(server.db)


def test_cashback_and_points_same_base_on_products_refund(server, shop):
    set_program(shop, cashback={"basis_points": 1000})
    c = customer(shop, email=f"cb-{uid()}@example.com")
    o = paid(shop, c["id"], 100000, shipping=5000)
    assert o["loyalty"]["points"] == 1000
    assert o["loyalty"]["cashback"]["amount"] == 10000  # 10% of products only
    r = shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "R" + uid(),
                                                      "lines": [{"sku": "TEA", "quantity": 1}]})
    assert r.status_code == 201, r.text
    lo = loyalty(shop, c["id"])
    assert lo["points"]["available"] + lo["points"]["pending"] == 0
    assert all(w["balance"] == 0 for w in lo["cashback"]), lo["cashback"]


def test_refund_of_unpaid_order_is_409_every_status(server, shop):
    c = customer(shop, email=f"u-{uid()}@example.com")
    pending = order(shop, c["id"], 1000)
    failed = order(shop, c["id"], 1000)
    assert shop.post(f"/v1/orders/{failed['id']}/payments", {"status": "failed"}).status_code == 200
    cancelled = order(shop, c["id"], 1000)
    assert shop.post(f"/v1/orders/{cancelled['id']}/cancel", {}).status_code == 200
    refunded = paid(shop, c["id"], 1000)
    _refund_all(shop, refunded)
    for o, st in [(pending, "pending"), (failed, "payment_failed"), (cancelled, "cancelled"),
                  (refunded, "refunded")]:
        for body in [{"amount": 1}, {"amount": 10**9}, {"lines": [{"sku": "TEA", "quantity": 1}]},
                     {"lines": [{"sku": "TEA", "quantity": 99}]}]:
            body["external_id"] = "R" + uid()
            r = shop.post(f"/v1/orders/{o['id']}/refunds", body)
            assert r.status_code == 409, (st, body, r.text)
            err = error_of(r)
            assert err["code"] == "order_status_conflict" and st in err["message"], err
            assert "0 paid" not in err["message"]


# ---------------------------------------------------------------- 2. erasure, secrets, retention

def _pii():
    t = uid()
    return {"email": f"pii-{t}@example.com", "name": f"Name{t}", "phone": "+4930" + str(10**7 + uuid.uuid4().int % 10**7)}


def _no_pii(text, pii):
    for v in pii.values():
        assert v not in text, (v, text[:500])
    digits = pii["phone"].lstrip("+")
    assert digits not in text, text[:500]


def _replay(shop, method, path, body, key):
    r = shop.request(method, path, body, headers={"Idempotency-Key": key})
    return r


def test_erasure_reaches_stored_responses_of_every_route(server, shop):
    pii = _pii()
    k = {n: "k-" + uuid.uuid4().hex for n in ("create", "patch", "account", "merge", "order", "upsert")}
    ext = "ext-" + uid()
    r = _replay(shop, "POST", "/v1/customers", {"name": pii["name"], "external_id": ext}, k["create"])
    assert r.status_code == 201
    cid = r.json()["id"]
    body_upsert = {"external_id": ext, "phone": pii["phone"]}
    assert _replay(shop, "POST", "/v1/customers", body_upsert, k["upsert"]).status_code == 200
    patch = {"name": pii["name"] + "x"}
    assert _replay(shop, "PATCH", f"/v1/customers/{cid}", patch, k["patch"]).status_code == 200
    acct = {"email": pii["email"]}
    assert _replay(shop, "POST", f"/v1/customers/{cid}/account", acct, k["account"]).status_code == 200
    dpii = _pii()
    dup = customer(shop, email=dpii["email"], name=dpii["name"], phone=dpii["phone"])
    merge = {"source": dup["id"]}
    assert _replay(shop, "POST", f"/v1/customers/{cid}/merge", merge, k["merge"]).status_code == 200
    ob = new_order(shop, customer={"email": pii["email"], "name": pii["name"]})
    assert _replay(shop, "POST", "/v1/orders", ob, k["order"]).status_code == 201
    r = shop.delete(f"/v1/customers/{cid}")
    assert r.status_code == 200, r.text
    _no_pii(r.text, pii)
    # every replay: the original status, no PII of either customer, nothing new created
    for name, method, path, body, st in [
            ("create", "POST", "/v1/customers", {"name": pii["name"], "external_id": ext}, 201),
            ("upsert", "POST", "/v1/customers", body_upsert, 200),
            ("patch", "PATCH", f"/v1/customers/{cid}", patch, 200),
            ("account", "POST", f"/v1/customers/{cid}/account", acct, 200),
            ("merge", "POST", f"/v1/customers/{cid}/merge", merge, 200),
            ("order", "POST", "/v1/orders", ob, 201)]:
        r = _replay(shop, method, path, body, k[name])
        assert r.status_code == st, (name, r.text)
        assert r.headers.get("Idempotent-Replayed") == "true", name
        _no_pii(r.text, pii)
        _no_pii(r.text, dpii)
    # the merged duplicate lost its data too; no lookup finds either
    g = shop.get(f"/v1/customers/{dup['id']}")
    assert g.status_code == 200
    _no_pii(g.text, dpii)
    _no_pii(g.text, pii)
    for q in [f"email={pii['email']}", f"email={dpii['email']}", f"external_id={ext}",
              "phone=" + requests.utils.quote(dpii["phone"])]:
        r = shop.get(f"/v1/customers?{q}")
        assert r.status_code == 200 and r.json()["data"] == [], (q, r.text)
    r = shop.get(f"/v1/customers/ext:{ext}")
    assert r.status_code == 404
    # the erased one in the customer list holds nothing
    r = shop.get("/v1/customers?status=erased&limit=100")
    _no_pii(r.text, pii)


def test_erasure_after_merge_into_survivor_then_erase_source_side(server, shop):
    """Erase the *merged* duplicate's survivor chain from a 3-deep merge; orders placed by guest identities."""
    p1, p2, p3 = _pii(), _pii(), _pii()
    # guests created by orders only
    o1 = shop.post("/v1/orders", new_order(shop, customer={"email": p1["email"], "name": p1["name"]})).json()
    o2 = shop.post("/v1/orders", new_order(shop, customer={"phone": p2["phone"], "name": p2["name"]})).json()
    o3 = shop.post("/v1/orders", new_order(shop, customer={"whatsapp": p3["phone"], "name": p3["name"]})).json()
    c1, c2, c3 = o1["customer"], o2["customer"], o3["customer"]
    assert shop.post(f"/v1/customers/{c2}/merge", {"source": c3}).status_code == 200
    assert shop.post(f"/v1/customers/{c1}/merge", {"source": c2}).status_code == 200
    r = shop.delete(f"/v1/customers/{c1}")
    assert r.status_code == 200
    for cid in (c1, c2, c3):
        t = shop.get(f"/v1/customers/{cid}").text
        for p in (p1, p2, p3):
            _no_pii(t, p)
    for o in (o1, o2, o3):
        t = shop.get(f"/v1/orders/{o['id']}").text
        for p in (p1, p2, p3):
            _no_pii(t, p)
    # a new order with the same e-mail makes a fresh guest, not the erased one
    o4 = shop.post("/v1/orders", new_order(shop, customer={"email": p1["email"]})).json()
    assert o4["customer"] not in (c1, c2, c3)


def _database_bytes(srv, suffixes):
    """(suffix, bytes) of the database file and of each other of its files
    that exists; on PostgreSQL, ("pg_dump", all the database holds as pg_dump
    writes it out)."""
    if PG:
        return [("pg_dump", pg_dump(srv.db))]
    return [(suffix, open(srv.db + suffix, "rb").read()) for suffix in suffixes
            if suffix == "" or os.path.exists(srv.db + suffix)]


def test_erasure_on_disk_and_in_logs(fresh_server):
    srv = fresh_server.start()
    op = Api(srv, OPERATOR_KEY)
    shop = make_shop(op)
    pii = _pii()
    r = shop.post("/v1/customers", {"email": pii["email"], "name": pii["name"], "phone": pii["phone"]},
                  headers=idem())
    cid = r.json()["id"]
    shop.post("/v1/orders", new_order(shop, customer={"email": pii["email"]}), headers=idem())
    shop.patch(f"/v1/customers/{cid}", {"addresses": [{"line1": pii["name"] + " street 1",
                                                        "city": "Berlin", "country": "DE"}]}, headers=idem())
    assert shop.delete(f"/v1/customers/{cid}").status_code == 200
    time.sleep(0.2)
    for suffix, data in _database_bytes(srv, ("", "-wal", "-journal")):
        for v in (pii["email"], pii["name"], pii["phone"], pii["name"] + " street 1"):
            assert v.encode() not in data, (suffix, v)
    assert pii["email"] not in srv.logtext()
    check_clean_exit(srv)
    for suffix, data in _database_bytes(srv, ("",)):
        for v in (pii["email"], pii["name"]):
            assert v.encode() not in data, (suffix, v)


def test_shop_secrets_not_stored_nor_replayed(fresh_server):
    srv = fresh_server.start()
    op = Api(srv, OPERATOR_KEY)
    k = "k-" + uuid.uuid4().hex
    r1 = op.post("/v1/shops", {"name": "S"}, headers={"Idempotency-Key": k})
    assert r1.status_code == 201
    s1 = r1.json()
    r2 = op.post("/v1/shops", {"name": "S"}, headers={"Idempotency-Key": k})
    assert r2.status_code == 201, r2.text
    assert r2.headers.get("Idempotent-Replayed") == "true"
    s2 = r2.json()
    assert s2["id"] == s1["id"] and s2["secret_key"] is None and s2["publishable_key"] is None
    assert s1["secret_key"] not in r2.text and s1["publishable_key"] not in r2.text
    assert len(op.get("/v1/shops?limit=100").json()["data"]) == 1
    # rotate with a key, replayed: nothing rotates again, no secrets
    kr = "k-" + uuid.uuid4().hex
    body = {"grace_hours": 0}
    r3 = op.post(f"/v1/shops/{s1['id']}/rotate_keys", body, headers={"Idempotency-Key": kr})
    assert r3.status_code == 200, r3.text
    new_sk = r3.json()["secret_key"]
    r4 = op.post(f"/v1/shops/{s1['id']}/rotate_keys", body, headers={"Idempotency-Key": kr})
    assert r4.status_code == 200, r4.text
    assert r4.json()["secret_key"] is None and r4.json()["publishable_key"] is None
    assert new_sk not in r4.text and r3.json()["publishable_key"] not in r4.text
    # the key from the first rotation still works (the replay rotated nothing)
    assert Api(srv, new_sk).get("/v1/customers").status_code == 200
    # the same key with another body: reused, not a rotation
    r5 = op.post(f"/v1/shops/{s1['id']}/rotate_keys", {"grace_hours": 5}, headers={"Idempotency-Key": kr})
    assert r5.status_code == 400 and error_of(r5)["code"] == "idempotency_key_reused"
    assert Api(srv, new_sk).get("/v1/customers").status_code == 200
    # rotate with an empty body (no body) and a key
    kr2 = "k-" + uuid.uuid4().hex
    r6 = op.post(f"/v1/shops/{s1['id']}/rotate_keys", headers={"Idempotency-Key": kr2})
    assert r6.status_code == 200
    r7 = op.post(f"/v1/shops/{s1['id']}/rotate_keys", headers={"Idempotency-Key": kr2})
    assert r7.status_code == 200 and r7.json()["secret_key"] is None
    # customer tokens with an Idempotency-Key: the token is not stored either
    shop = Api(srv, r6.json()["secret_key"])
    c = shop.post("/v1/customers", {"email": "t@example.com"}).json()
    kt = "k-" + uuid.uuid4().hex
    t1 = shop.post(f"/v1/customers/{c['id']}/tokens", {}, headers={"Idempotency-Key": kt})
    assert t1.status_code in (201, 400), t1.text
    t2 = shop.post(f"/v1/customers/{c['id']}/tokens", {}, headers={"Idempotency-Key": kt})
    if t1.status_code == 201 and t2.status_code == 201:
        assert t2.json().get("token") in (None, "") or t2.headers.get("Idempotent-Replayed") != "true"
    time.sleep(0.2)
    secrets = [s1["secret_key"], s1["publishable_key"], new_sk, r3.json()["publishable_key"],
               r6.json()["secret_key"], r6.json()["publishable_key"]]
    if t1.status_code == 201:
        secrets.append(t1.json()["token"])
    for suffix, data in _database_bytes(srv, ("", "-wal")):
        for sec in secrets:
            assert sec.encode() not in data, (suffix, sec[:6])
    log = srv.logtext()
    for sec in secrets:
        assert sec not in log


def test_idempotency_retention(fresh_server):
    srv = Server(fresh_server.dir, ["--idempotency-retention-hours", "2", "--jobs-interval", "0"])
    fresh_server.proc = None
    srv.start()
    try:
        op = Api(srv, OPERATOR_KEY)
        shop = make_shop(op)
        k = "k-" + uuid.uuid4().hex
        body = {"name": "ret"}
        c1 = shop.post("/v1/customers", body, headers={"Idempotency-Key": k}).json()
        op.post("/v1/test/clock", {"advance_seconds": 2 * 3600 - 60})
        r = shop.post("/v1/customers", body, headers={"Idempotency-Key": k})
        assert r.headers.get("Idempotent-Replayed") == "true" and r.json()["id"] == c1["id"]
        op.post("/v1/test/clock", {"advance_seconds": 120})
        # past the retention, even before the jobs pruned it: a new request
        r = shop.post("/v1/customers", body, headers={"Idempotency-Key": k})
        assert r.status_code == 201 and r.headers.get("Idempotent-Replayed") != "true"
        assert r.json()["id"] != c1["id"]
        # a different body under the expired key is also a new request, not "reused"
        k2 = "k-" + uuid.uuid4().hex
        shop.post("/v1/customers", {"name": "a"}, headers={"Idempotency-Key": k2})
        op.post("/v1/test/clock", {"advance_seconds": 3 * 3600})
        assert op.post("/v1/jobs/run").status_code == 200
        r = shop.post("/v1/customers", {"name": "b"}, headers={"Idempotency-Key": k2})
        assert r.status_code == 201, r.text
    finally:
        check_clean_exit(srv)


@pytest.mark.parametrize("val", ["0", "8761", "abc", "-1", "1.5", "", "24h"])
def test_idempotency_retention_bad_values(val, tmp_path):
    r = subprocess.run([BIN, "serve", "--db", str(tmp_path / "x.db"), "--listen", "127.0.0.1:1",
                        "--idempotency-retention-hours", val, "--print-config"],
                       capture_output=True, text=True, timeout=20,
                       env=dict(os.environ, RETAIN_OPERATOR_KEY=OPERATOR_KEY))
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "idempotency-retention-hours" in r.stderr


def test_idempotency_retention_env_bad_value(tmp_path):
    r = subprocess.run([BIN, "serve", "--db", str(tmp_path / "x.db"), "--print-config"],
                       capture_output=True, text=True, timeout=20,
                       env=dict(os.environ, RETAIN_OPERATOR_KEY=OPERATOR_KEY,
                                RETAIN_IDEMPOTENCY_RETENTION_HOURS="99999"))
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)


# ---------------------------------------------------------------- 3. strict requests (raw sockets)

def _post(shop, hdrs, body, path="/v1/customers", method="POST"):
    sk = shop.shop["secret_key"]
    h = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {sk}\r\n"
         "Content-Type: application/json\r\n").encode()
    return h + hdrs + b"\r\n" + body


def _customer_count(shop, ext):
    return len(shop.get(f"/v1/customers?external_id={ext}").json()["data"])


FRAMING = [
    ("cl-twice-equal", b"Content-Length: {n}\r\nContent-Length: {n}\r\n", False),
    ("cl-twice-different", b"Content-Length: {n}\r\nContent-Length: 2\r\n", False),
    ("cl-lower-and-upper", b"content-length: {n}\r\nCONTENT-LENGTH: {n}\r\n", False),
    ("cl-then-te-chunked", b"Content-Length: {n}\r\nTransfer-Encoding: chunked\r\n", False),
    ("te-then-cl", b"Transfer-Encoding: chunked\r\nContent-Length: {n}\r\n", False),
    ("te-CHUNKED-upper", b"Content-Length: {n}\r\nTransfer-Encoding: CHUNKED\r\n", False),
    ("te-name-lower", b"Content-Length: {n}\r\ntransfer-encoding: chunked\r\n", False),
    ("te-identity", b"Content-Length: {n}\r\nTransfer-Encoding: identity\r\n", False),
    ("te-gzip-chunked", b"Transfer-Encoding: gzip, chunked\r\n", True),
    ("te-chunked-chunked", b"Transfer-Encoding: chunked, chunked\r\n", True),
    ("te-twice", b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", True),
    ("te-xchunked", b"Transfer-Encoding: xchunked\r\n", True),
    ("te-tab-value", b"Content-Length: {n}\r\nTransfer-Encoding:\tchunked\r\n", False),
    ("space-before-colon", b"Content-Length : {n}\r\n", False),
    ("tab-before-colon", b"Transfer-Encoding\t: chunked\r\nContent-Length: {n}\r\n", False),
    ("cl-list", b"Content-Length: {n}, {n}\r\n", False),
    ("cl-plus", b"Content-Length: +{n}\r\n", False),
    ("cl-negative", b"Content-Length: -1\r\n", False),
    ("cl-empty-and-real", b"Content-Length:\r\nContent-Length: {n}\r\n", False),
    ("cl-hex", b"Content-Length: 0x{n}\r\n", False),
]


@pytest.mark.parametrize("name,hdrs,chunked", FRAMING, ids=[f[0] for f in FRAMING])
def test_framing_refused_before_routing(server, shop, name, hdrs, chunked):
    ext = "smug-" + uid()
    body = json.dumps({"external_id": ext}).encode()
    wire = b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n" if chunked else body
    data = _post(shop, hdrs.replace(b"{n}", str(len(body)).encode()), wire)
    out = raw(server, data, timeout=2)
    st = status_of(out)
    assert st == 400, (name, out[:400])
    assert b"connection: close" in out.lower().split(b"\r\n\r\n")[0], name
    assert _customer_count(shop, ext) == 0, name
    # a JSON error when it is retain's: valid UTF-8 with Request-Id
    _, h, b = split_response(out)
    if "application/json" in "".join(h.get("content-type", [])):
        assert_utf8_error(b[:int(h["content-length"][0])])
        assert h.get("request-id")


def test_framing_single_chunked_and_single_cl_still_work(server, shop):
    ext = "ok-" + uid()
    body = json.dumps({"external_id": ext}).encode()
    out = raw(server, _post(shop, b"Transfer-Encoding: chunked\r\n",
                            b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"), timeout=2)
    assert status_of(out) == 201, out[:300]
    ext = "ok-" + uid()
    body = json.dumps({"external_id": ext}).encode()
    out = raw(server, _post(shop, b"content-length: %d\r\n" % len(body), body), timeout=2)
    assert status_of(out) == 201, out[:300]


def test_smuggled_second_request_never_runs(server, shop):
    ext = "smug2-" + uid()
    inner = json.dumps({"external_id": ext}).encode()
    sk = shop.shop["secret_key"].encode()
    smuggled = (b"POST /v1/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + sk +
                b"\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(inner) + inner)
    body = b"0\r\n\r\n" + smuggled
    for hdrs in [b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n" % len(body),
                 b"Transfer-Encoding: chunked\r\nContent-Length: %d\r\n" % len(body),
                 b"Content-Length: %d\r\nContent-Length: 0\r\n" % len(body),
                 b"Content-Length: 0\r\nContent-Length: %d\r\n" % len(body)]:
        out = raw(server, _post(shop, hdrs, body), timeout=2)
        assert status_of(out) == 400
        assert out.count(b"HTTP/1.1 201") == 0, out[:500]
    assert _customer_count(shop, ext) == 0


def _get_with_headers(shop, extra, path="/v1/customers?limit=1"):
    sk = shop.shop["secret_key"]
    return (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {sk}\r\n").encode() + extra + b"\r\n"


@pytest.mark.parametrize("n", [101, 150, 500, 2000])
def test_many_small_headers_431(server, shop, n):
    extra = b"".join(b"X-H%d: v\r\n" % i for i in range(n))
    out = raw(server, _get_with_headers(shop, extra), timeout=5)
    assert b"<RESET>" not in out[:20] and out, "no answer"
    assert status_of(out) == 431, out[:300]
    if n <= 150:
        st, h, b = split_response(out)
        assert error_of_bytes(b)["code"] == "headers_too_large"


def error_of_bytes(b):
    return assert_utf8_error(b)


def test_exactly_100_header_fields_ok(server, shop):
    # Host + Authorization + 98 = 100 fields
    extra = b"".join(b"X-H%d: v\r\n" % i for i in range(98))
    out = raw(server, _get_with_headers(shop, extra), timeout=5)
    assert status_of(out) == 200, out[:300]


@pytest.mark.parametrize("size", [33 * 1024, 40 * 1024, 63 * 1024, 100 * 1024, 200 * 1024])
def test_one_big_header_431(server, shop, size):
    extra = b"X-Big: " + b"a" * size + b"\r\n"
    out = raw(server, _get_with_headers(shop, extra), timeout=5)
    assert out and not out.startswith(b"<RESET>"), "no answer"
    assert status_of(out) == 431, out[:300]


def test_headers_just_under_32k_ok(server, shop):
    extra = b"X-Big: " + b"a" * (30 * 1024) + b"\r\n"
    out = raw(server, _get_with_headers(shop, extra), timeout=5)
    assert status_of(out) == 200, out[:300]


def test_big_header_in_post_with_body_431_and_nothing_runs(server, shop):
    ext = "big-" + uid()
    body = json.dumps({"external_id": ext}).encode()
    hdrs = b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 50) for i in range(200)) + b"Content-Length: %d\r\n" % len(body)
    out = raw(server, _post(shop, hdrs, body), timeout=5)
    assert status_of(out) == 431
    assert _customer_count(shop, ext) == 0


def test_server_survives_header_floods(server, shop):
    for _ in range(3):
        raw(server, _get_with_headers(shop, b"X: " + b"b" * 300000 + b"\r\n"), timeout=3)
    assert requests.get(server.url + "/livez").status_code == 200


# ---------------------------------------------------------------- 3b. UTF-8 in every error

UTF8_PATHS = ["/v1/customers/%ff", "/v1/customers/ext:%ff%fe", "/v1/orders/ext:%C3", "/v1/orders/%e2%82",
              "/v1/customers?email=%ff", "/v1/customers?limit=%ff", "/v1/customers?phone=%ff",
              "/v1/customers?status=%c3%28", "/v1/orders?customer=%ff", "/v1/orders?status=%ff",
              "/v1/reports/retention?from=%ff", "/v1/reports/clv?horizon_weeks=%ff",
              "/v1/reports/clv?discount=%f0%9f", "/v1/reports/retention?currency=%ff",
              "/v1/nosuch/%ff", "/v1/redemptions/%ff", "/v1/shops/%ff", "/v1/customers/%ff/loyalty",
              "/v1/customers/%ff/ledger", "/v1/customers/%ed%a0%80", "/v1/customers/%c0%af",
              "/v1/customers/" + "%e2%82%ac" * 200 + "%e2"]


@pytest.mark.parametrize("path", UTF8_PATHS)
def test_invalid_utf8_in_path_and_query(server, shop, path):
    sk = shop.shop["secret_key"]
    out = raw(server, f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {sk}\r\n\r\n".encode())
    st, h, b = split_response(out)
    assert 400 <= st < 500, (path, out[:300])
    assert_utf8_error(b)


def test_invalid_utf8_raw_bytes_in_path_and_headers(server, shop):
    sk = shop.shop["secret_key"].encode()
    for line in [b"GET /v1/customers/\xff\xfe HTTP/1.1", b"GET /v1/orders/ext:\xc3 HTTP/1.1",
                 b"DELETE /v1/orders/\xe2\x82 HTTP/1.1", b"GET /v1/\xff HTTP/1.1"]:
        out = raw(server, line + b"\r\nHost: x\r\nAuthorization: Bearer " + sk + b"\r\n\r\n")
        st, h, b = split_response(out)
        assert 400 <= st < 500
        if b:
            assert_utf8_error(b)
    for hdr in [b"Idempotency-Key: \xff\xfe", b"Authorization: Bearer \xff\xfe", b"Content-Type: \xff/\xfe",
                b"Customer-Token: \xc3"]:
        req = b"POST /v1/customers HTTP/1.1\r\nHost: x\r\n"
        if not hdr.startswith(b"Authorization"):
            req += b"Authorization: Bearer " + sk + b"\r\n"
        if not hdr.startswith(b"Content-Type"):
            req += b"Content-Type: application/json\r\n"
        req += hdr + b"\r\nContent-Length: 2\r\n\r\n{}"
        out = raw(server, req)
        st, h, b = split_response(out)
        assert st < 500
        if st >= 400:
            assert_utf8_error(b)


LONG = "€" * 400  # 1200 bytes, cut inside a multibyte character somewhere


BODY_CASES = [
    ("POST", "/v1/customers", {"phone": "+٤٨٢٢١٢٣٤٥٦٧"}),
    ("POST", "/v1/customers", {"phone": "+۴۸۲۲۱۲۳۴۵۶۷"}),
    ("POST", "/v1/customers", {"phone": "+４８２２１２３４５６７"}),
    ("POST", "/v1/customers", {"phone": LONG}),
    ("POST", "/v1/customers", {"whatsapp": "+" + "٣" * 300}),
    ("POST", "/v1/customers", {"email": LONG + "@example.com"}),
    ("POST", "/v1/customers", {"email": "a€" * 130 + "@x.de"}),
    ("POST", "/v1/customers", {"name": LONG}),
    ("POST", "/v1/customers", {"external_id": LONG}),
    ("POST", "/v1/customers", {LONG: 1}),
    ("POST", "/v1/customers", {"ключ" * 100: 1}),
    ("POST", "/v1/customers", {"identities": [{"type": LONG, "value": "x"}]}),
    ("POST", "/v1/customers", {"addresses": [{"line1": "a", "city": "b", "country": "Ä€"}]}),
    ("POST", "/v1/customers", {"status": "€"}),
    ("POST", "/v1/orders", {"external_id": "x", "customer": LONG, "currency": "EUR", "lines": [], "total": 0}),
    ("POST", "/v1/orders", {"external_id": "x", "customer": {"email": "a@b.de"}, "currency": "€€€",
                            "lines": [{"sku": "a", "quantity": 1, "unit_price": 1}], "total": 1}),
    ("POST", "/v1/orders", {"external_id": LONG, "customer": {"email": "a@b.de"}, "currency": "EUR",
                            "lines": [{"sku": "a", "quantity": 1, "unit_price": 1}], "total": 1}),
    ("POST", "/v1/orders", {"external_id": "x", "customer": {"email": "a@b.de"}, "currency": "EUR",
                            "lines": [{"sku": LONG, "quantity": 1, "unit_price": 1}], "total": 1}),
    ("POST", "/v1/orders", {"external_id": "x", "customer": {"email": "a@b.de"}, "currency": "EUR",
                            "channel": LONG, "lines": [{"sku": "a", "quantity": 1, "unit_price": 1}], "total": 1}),
    ("POST", "/v1/orders", {"external_id": "x", "customer": {"email": "a@b.de"}, "currency": "EUR",
                            "placed_at": LONG, "lines": [{"sku": "a", "quantity": 1, "unit_price": 1}], "total": 1}),
    ("POST", "/v1/orders", {"external_id": "x", "customer": {"phone": "+٤٨"}, "currency": "EUR",
                            "lines": [{"sku": "a", "quantity": 1, "unit_price": 1}], "total": 1}),
    ("PUT", "/v1/program", {"earn": {"points_per_unit": 1}, "rewards": [{"key": LONG, "kind": LONG}]}),
    ("PUT", "/v1/program", {"earn": {"points_per_unit": 1, "multipliers": [{"type": LONG}]}}),
    ("PUT", "/v1/program", {"expiry": {"policy": LONG}}),
    ("POST", "/v1/orders/ext:" + "%e2%82%ac" * 100 + "/refunds", {"external_id": "r", "amount": 1}),
]


@pytest.mark.parametrize("method,path,body", BODY_CASES, ids=[str(i) for i in range(len(BODY_CASES))])
def test_error_messages_valid_utf8_for_bodies(server, shop, method, path, body):
    r = shop.request(method, path, body)
    assert 400 <= r.status_code < 500, r.text
    err = assert_utf8_error(r)
    assert len(err["message"].encode()) <= 400


@pytest.mark.parametrize("blob", [b'{"name": "\xff\xfe"}', b'{"email": "\xc3@x.de"}', b'{"\xff": 1}',
                                  b'{"phone": "+49\xe2\x82"}', b'{"name": "\xed\xa0\x80"}',
                                  b'{"name": "\\ud800"}', b'{"email": "a\\u0000b@x.de"}',
                                  b'{"name": "' + "€".encode() * 200 + b'\xe2\x82', b"\xef\xbb\xbf{}"])
def test_invalid_utf8_in_json_bodies(server, shop, blob):
    r = shop.post("/v1/customers", raw=blob)
    assert r.status_code < 500, r.text
    if r.status_code >= 400:
        assert_utf8_error(r)
    else:
        r.content.decode("utf-8")
        json.loads(r.content.decode("utf-8"))["name"].encode("utf-8")  # stored names are valid UTF-8


# ---------------------------------------------------------------- 3c. 405 Allow and HEAD

ALLOW = [
    ("DELETE", "/v1/orders/ord_x", {"GET", "HEAD"}),
    ("PUT", "/v1/customers/cus_x", {"GET", "HEAD", "PATCH", "DELETE"}),
    ("POST", "/v1/customers/ext:abc", {"GET", "HEAD", "PATCH", "DELETE"}),
    ("GET", "/v1/customers/cus_x/merge", {"POST"}),
    ("DELETE", "/v1/customers/ext:a/account", {"POST"}),
    ("GET", "/v1/customers/cus_x/tokens", {"POST"}),
    ("GET", "/v1/customers/cus_x/adjustments", {"POST"}),
    ("GET", "/v1/customers/cus_x/bonuses", {"POST"}),
    ("PUT", "/v1/customers/cus_x/redemptions", {"POST", "GET", "HEAD"}),
    ("POST", "/v1/customers/cus_x/loyalty", {"GET", "HEAD"}),
    ("DELETE", "/v1/customers/cus_x/ledger", {"GET", "HEAD"}),
    ("PATCH", "/v1/customers/cus_x/predictions", {"GET", "HEAD"}),
    ("PATCH", "/v1/program", {"GET", "HEAD", "PUT"}),
    ("POST", "/v1/program/terms", {"GET", "HEAD"}),
    ("DELETE", "/v1/shops", {"GET", "HEAD", "POST"}),
    ("DELETE", "/v1/shops/shop_x", {"GET", "HEAD", "PATCH"}),      # PATCH: issue 11, the contact
    ("GET", "/v1/shops/shop_x/rotate_keys", {"POST"}),
    ("GET", "/v1/redemptions/x/cancel", {"POST"}),
    ("DELETE", "/v1/redemptions/x", {"GET", "HEAD"}),
    ("DELETE", "/v1/test/clock", {"GET", "HEAD", "POST"}),
    ("GET", "/v1/jobs/run", {"POST"}),
    ("GET", "/v1/orders/ext:1/refunds", {"POST"}),
    ("GET", "/v1/orders/ext:1/payments", {"POST"}),
    ("GET", "/v1/orders/ext:1/cancel", {"POST"}),
    ("PUT", "/v1/orders", {"GET", "HEAD", "POST"}),
    ("DELETE", "/v1/customers", {"GET", "HEAD", "POST"}),
    ("POST", "/v1/reports/clv", {"GET", "HEAD"}),
    ("POST", "/livez", {"GET", "HEAD"}),
    ("OPTIONS", "/v1/orders", {"GET", "HEAD", "POST"}),
    ("HEAD", "/v1/orders/ext:1/refunds", {"POST"}),
    ("BREW", "/v1/customers/cus_x", {"GET", "HEAD", "PATCH", "DELETE"}),
]


@pytest.mark.parametrize("method,path,allowed", ALLOW, ids=[f"{m} {p}" for m, p, _ in ALLOW])
def test_405_lists_allowed_methods(server, shop, method, path, allowed):
    r = requests.request(method, server.url + path,
                         headers={"Authorization": "Bearer " + shop.shop["secret_key"]}, timeout=10)
    assert r.status_code == 405, r.text
    got = {m.strip() for m in r.headers["Allow"].split(",")}
    assert got == allowed, (path, got)
    if method != "HEAD":
        assert error_of(r)["code"] == "method_not_allowed"


HEAD_PATHS = ["/v1/customers", "/v1/customers?limit=1", "/v1/orders", "/v1/orders?status=paid",
              "/v1/customers/{c}", "/v1/customers/{c}/loyalty", "/v1/customers/{c}/ledger",
              "/v1/customers/{c}/redemptions", "/v1/program", "/v1/program/terms",
              "/v1/reports/retention", "/v1/reports/cohorts", "/v1/reports/rfm",
              "/v1/customers/cus_0000000000000000", "/v1/customers?limit=0", "/livez", "/readyz",
              "/v1/shops/{s}"]


@pytest.mark.parametrize("path", HEAD_PATHS)
def test_head_like_get_without_body(server, shop, path):
    c = customer(shop, email=f"hd-{uid()}@example.com")
    set_program(shop)
    p = path.replace("{c}", c["id"]).replace("{s}", shop.shop["id"])
    sk = shop.shop["secret_key"]
    g = requests.get(server.url + p, headers={"Authorization": "Bearer " + sk})
    # HEAD then GET on one keep-alive connection: the HEAD must leave no body bytes behind
    data = (f"HEAD {p} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {sk}\r\n\r\n"
            f"GET /livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").encode()
    s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    s.sendall(data)
    out = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
    s.close()
    head, _, rest = out.partition(b"\r\n\r\n")
    st = status_of(head)
    assert st == g.status_code, (p, out[:300])
    hh = {}
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        hh[k.strip().lower().decode()] = v.strip().decode()
    assert hh.get("content-type") == g.headers.get("Content-Type")
    if "content-length" in hh:
        assert int(hh["content-length"]) == len(g.content), (p, hh)
    assert "request-id" in hh
    assert rest.startswith(b"HTTP/1.1 200"), (p, rest[:200])


def test_head_on_operator_lists_and_without_key(server, shop):
    for p, key, st in [("/v1/shops", OPERATOR_KEY, 200), ("/v1/test/clock", OPERATOR_KEY, 200),
                       ("/v1/customers", None, 401), ("/v1/shops", shop.shop["secret_key"], 403),
                       ("/v1/customers", "sk_bogus", 401), ("/metrics", None, 200)]:
        h = {"Authorization": "Bearer " + key} if key else {}
        g = requests.get(server.url + p, headers=h)
        r = requests.head(server.url + p, headers=h)
        assert r.status_code == g.status_code == st, (p, r.status_code, g.status_code)
        assert r.content == b""


# ---------------------------------------------------------------- 3d. order input

EMPTY_CUSTOMERS = [{}, {"name": "Olga"}, "", None, [], {"email": ""}, {"phone": ""}, {"id": ""},
                   {"external_id": ""}, {"whatsapp": ""}, {"name": "x", "email": None}, 0, True,
                   "ext:", "   "]


@pytest.mark.parametrize("cust", EMPTY_CUSTOMERS, ids=[repr(c) for c in EMPTY_CUSTOMERS])
def test_order_customer_needs_an_identity(server, shop, cust):
    before = shop.get("/v1/customers?limit=100").json()["data"]
    body = new_order(shop)
    body["customer"] = cust
    r = shop.post("/v1/orders", body)
    assert r.status_code in (400, 404), r.text
    assert error_of(r)["param"] is not None and error_of(r)["param"].startswith("customer"), r.text
    assert shop.get("/v1/customers?limit=100").json()["data"] == before
    assert shop.get(f"/v1/orders/ext:{body['external_id']}").status_code == 404


def test_order_customer_missing_field(server, shop):
    body = new_order(shop)
    del body["customer"]
    r = shop.post("/v1/orders", body)
    assert r.status_code == 400 and error_of(r)["param"] == "customer"


TIMES = [
    ("1970-01-01T00:00:00Z", False), ("1970-01-01T00:00:00.000Z", False), ("1979-12-31T23:59:59Z", False),
    ("1980-01-01T00:00:00Z", True), ("1980-01-01T01:00:00+01:00", True), ("1979-12-31T23:59:59-00:01", True),
    ("2099-12-31T23:59:59Z", True), ("2100-01-01T00:00:00Z", False), ("2099-12-31T23:00:00-01:00", False),
    ("2024-02-29T12:00:00Z", True), ("2023-02-29T12:00:00Z", False), ("2025-02-30T00:00:00Z", False),
    ("2026-04-31T00:00:00Z", False), ("2026-13-01T00:00:00Z", False), ("2026-01-01T24:00:00Z", False),
    ("2026-01-01T23:60:00Z", False), ("0", False), ("", False), ("1969-12-31T23:59:59Z", False),
    ("9999-12-31T23:59:59Z", False), ("2000-02-29T00:00:00Z", True), ("1900-02-29T00:00:00Z", False),
    ("2100-02-29T00:00:00Z", False),
]


@pytest.mark.parametrize("field", ["placed_at", "promised_delivery_at"])
@pytest.mark.parametrize("value,ok", TIMES, ids=[t for t, _ in TIMES])
def test_order_time_range_never_replaced(server, shop, field, value, ok):
    body = new_order(shop, **{field: value})
    r = shop.post("/v1/orders", body)
    if ok:
        assert r.status_code == 201, r.text
        import datetime
        got = datetime.datetime.fromisoformat(r.json()[field].replace("Z", "+00:00"))
        want = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        assert got == want, (value, r.json()[field])
    else:
        assert r.status_code == 400, (value, r.text)
        assert error_of(r)["param"] == field
        assert shop.get(f"/v1/orders/ext:{body['external_id']}").status_code == 404


def test_order_time_non_string(server, shop):
    for v in [0, 1700000000, None, {}, []]:
        body = new_order(shop, placed_at=v)
        r = shop.post("/v1/orders", body)
        if v is None:
            assert r.status_code in (201, 400)
            continue
        assert r.status_code == 400 and error_of(r)["param"] == "placed_at", (v, r.text)


NON_MONEY = [
    ("POST", "/v1/orders", lambda s: new_order(s, lines=[{"sku": "A", "quantity": 0, "unit_price": 1}]), "lines[0].quantity"),
    ("POST", "/v1/orders", lambda s: new_order(s, lines=[{"sku": "A", "quantity": 10**7, "unit_price": 1}]), "lines[0].quantity"),
    ("POST", "/v1/orders", lambda s: new_order(s, lines=[{"sku": "A", "quantity": -3, "unit_price": 1}]), "lines[0].quantity"),
    ("PUT", "/v1/program", lambda s: prog(pending_days=366), "pending_days"),
    ("PUT", "/v1/program", lambda s: prog(earn={"points_per_unit": 5000}), "earn.points_per_unit"),
    ("PUT", "/v1/program", lambda s: prog(cashback={"basis_points": 10001}), "cashback"),
    ("PUT", "/v1/program", lambda s: prog(expiry={"policy": "days", "n": -1}), "expiry"),
    ("PUT", "/v1/program", lambda s: prog(tiers={"basis": "order_count", "window_days": -1, "downgrade": "one_down",
                                                  "levels": [{"name": "a", "threshold": 1, "earn_percent": 100}]}), "tiers"),
    ("POST", "/v1/customers/{c}/tokens", lambda s: {"ttl_seconds": 10}, "ttl_seconds"),
    ("POST", "/v1/customers/{c}/tokens", lambda s: {"ttl_seconds": 86401}, "ttl_seconds"),
    ("POST", "/v1/customers/{c}/adjustments", lambda s: {"points": 10**12, "reason": "x"}, "points"),
    ("POST", "/v1/shops/{s}/rotate_keys", lambda s: {"grace_hours": 99999}, "grace_hours"),
    ("POST", "/v1/shops/{s}/rotate_keys", lambda s: {"grace_hours": -5}, "grace_hours"),
    ("POST", "/v1/test/clock", lambda s: {"advance_seconds": -1}, "advance_seconds"),
    ("POST", "/v1/customers/{c}/redemptions", lambda s: {"points": -1, "order": "ord_x"}, "points"),
]


@pytest.mark.parametrize("method,path,body,param", NON_MONEY, ids=[f"{i}-{p}" for i, (_, _, _, p) in enumerate(NON_MONEY)])
def test_non_money_integer_messages_say_no_minor_units(server, shop, operator, method, path, body, param):
    c = customer(shop, email=f"nm-{uid()}@example.com")
    p = path.replace("{c}", c["id"]).replace("{s}", shop.shop["id"])
    api = operator if ("rotate_keys" in p or "clock" in p) else shop
    r = api.request(method, p, body(shop))
    assert r.status_code in (400, 422), r.text
    err = error_of(r)
    assert "minor unit" not in err["message"], err
    assert err["param"] and err["param"].startswith(param), err


MONEY = [lambda s: new_order(s, lines=[{"sku": "A", "quantity": 1, "unit_price": 1.5}]),
         lambda s: new_order(s, shipping=1.5), lambda s: new_order(s, tax=0.5),
         lambda s: new_order(s, lines=[{"sku": "A", "quantity": 1, "unit_price": 5, "discount": 0.5}])]


@pytest.mark.parametrize("body", MONEY)
def test_money_messages_say_minor_units(server, shop, body):
    r = shop.post("/v1/orders", body(shop))
    assert r.status_code == 400
    assert "minor units" in error_of(r)["message"]


# ---------------------------------------------------------------- 3e. e-mail case

FOLD = [
    ("ÄNNE", "änne"), ("İVAN", "ivan"), ("ΟΔΥΣΣΕΥΣ", "οδυσσευσ"), ("STRAẞE", "straße"),
    ("ИВАН", "иван"), ("ЁЖИК", "ёжик"), ("ＡＢＣ", "ａｂｃ"), ("𐐀𐐁", "𐐨𐐩"), ("ᎠᎡ", "ꭰꭱ"), ("ΆΈ", "άέ"),
    ("ȺȾ", "ⱥⱦ"), ("ǅ", "ǆ"), ("\u212a", "k"), ("\u2126", "ω"), ("ԱԲ", "աբ"), ("ႠႡ", "ⴀⴁ"),
    ("ÉLODIE", "élodie"), ("ŁUKASZ", "łukasz"), ("ĞÜL", "ğül"),
]


@pytest.mark.parametrize("upper,lower", FOLD, ids=[u for u, _ in FOLD])
def test_email_case_folded_on_every_route(server, shop, upper, lower):
    t = uid()
    up, low = f"{upper}.{t}@BEISPIEL.De", f"{lower}.{t}@beispiel.de"
    c = customer(shop, email=up)
    assert c["email"] == low
    # the other case is the same customer everywhere
    r = shop.post("/v1/customers", {"email": low})
    assert r.status_code == 409 and error_of(r)["code"] == "identity_taken", r.text
    q = requests.utils.quote
    r = shop.get("/v1/customers?email=" + q(up))
    assert [x["id"] for x in r.json()["data"]] == [c["id"]]
    r = shop.get("/v1/customers?email=" + q(low))
    assert [x["id"] for x in r.json()["data"]] == [c["id"]]
    o = shop.post("/v1/orders", new_order(shop, customer={"email": low})).json()
    assert o["customer"] == c["id"]
    o = shop.post("/v1/orders", new_order(shop, customer={"email": up.upper()})).json()
    assert o["customer"] == c["id"] or upper.upper() != upper  # .upper() may map differently
    other = customer(shop, name="n")
    r = shop.post(f"/v1/customers/{other['id']}/account", {"email": low})
    assert r.status_code == 409, r.text
    r = shop.patch(f"/v1/customers/{other['id']}", {"email": up})
    assert r.status_code == 409, r.text
    r = shop.patch(f"/v1/customers/{other['id']}", {"identities": [{"type": "email", "value": low}]})
    assert r.status_code == 409, r.text


def test_email_not_case_folded_beyond_simple_lowercase(server, shop):
    t = uid()
    # ς stays ς, ß stays ß, decomposed stays decomposed: different addresses
    a = customer(shop, email=f"οδυσσευς.{t}@x.gr")
    b = customer(shop, email=f"οδυσσευσ.{t}@x.gr")
    assert a["id"] != b["id"] and a["email"].startswith("οδυσσευς")
    c = customer(shop, email=f"strasse.{t}@x.de")
    d = customer(shop, email=f"STRAßE.{t}@x.de")
    assert c["id"] != d["id"] and d["email"].startswith("straße")


@pytest.mark.parametrize("email", ["a\u00a0b@x.de", "a\u2028b@x.de", "a\u200bb@x.de", "a\u0007b@x.de",
                                   "ab@x.de\u3000", "a\u0085b@x.de", "\ufeffab@x.de", "a\tb@x.de"])
def test_email_unicode_space_or_control_refused(server, shop, email):
    r = shop.post("/v1/customers", {"email": email})
    assert r.status_code == 400 and error_of(r)["param"] == "email", r.text
    r = shop.post("/v1/orders", new_order(shop, customer={"email": email}))
    assert r.status_code == 400, r.text
    assert_utf8_error(r)


def test_email_length_limit_after_lowercasing(server, shop):
    # Ⱥ (2 bytes) lower-cases to ⱥ (3 bytes): 248 + 6 = 254 bytes in, 378 out
    e = "Ⱥ" * 124 + "@ex.de"
    assert len(e.encode()) == 254
    r = shop.post("/v1/customers", {"email": e})
    assert r.status_code == 400 and error_of(r)["param"] == "email", r.text
    r = shop.post("/v1/orders", new_order(shop, customer={"email": e}))
    assert r.status_code == 400, r.text
    # İ (2 bytes) lower-cases to i (1 byte): fine either way, never 500; the stored address <= 254 bytes
    e = "İ" * 125 + "@ex.de"
    r = shop.post("/v1/customers", {"email": e})
    assert r.status_code in (201, 400), r.text
    if r.status_code == 201:
        assert len(r.json()["email"].encode()) <= 254
    # exactly 254 ASCII bytes are fine, 255 not
    local = "a" * 64
    dom = ("b" * 60 + ".") * 3
    e254 = local + "@" + dom + "c" * (254 - len(local) - 1 - len(dom))
    assert len(e254) == 254
    r = shop.post("/v1/customers", {"email": e254.upper()})
    assert r.status_code == 201, r.text
    r = shop.post("/v1/customers", {"email": e254 + "c"})
    assert r.status_code == 400, r.text


# ---------------------------------------------------------------- 3f. tokens of erased customers

def _pk(shop):
    return Api(shop.server, shop.shop["publishable_key"])


def _storefront(shop, cid, token):
    pk = _pk(shop)
    return [pk.get(f"/v1/customers/{cid}/{what}", headers={"Customer-Token": token}).status_code
            for what in ("loyalty", "ledger", "redemptions")]


def _token(shop, cid, **body):
    return shop.post(f"/v1/customers/{cid}/tokens", body or None)


def test_tokens_refused_and_dead_for_erased_customers(server, shop):
    set_program(shop)
    c = customer(shop, email=f"tk-{uid()}@example.com", external_id="e-" + uid())
    t = _token(shop, c["id"])
    assert t.status_code == 201
    tok = t.json()["token"]
    assert _storefront(shop, c["id"], tok) == [200, 200, 200]
    assert shop.delete(f"/v1/customers/{c['id']}").status_code == 200
    assert _storefront(shop, c["id"], tok) == [401, 401, 401]
    r = _token(shop, c["id"])
    assert r.status_code == 409 and error_of(r)["code"] == "customer_inactive", r.text
    r = _token(shop, c["id"], ttl_seconds=60)
    assert r.status_code == 409
    r = shop.post(f"/v1/customers/ext:{c['external_id']}/tokens")
    assert r.status_code in (404, 409)


def test_tokens_of_merged_then_erased_customers(server, shop):
    set_program(shop)
    s = customer(shop, email=f"s-{uid()}@example.com")
    d = customer(shop, email=f"d-{uid()}@example.com")
    tok_d = _token(shop, d["id"]).json()["token"]
    tok_s = _token(shop, s["id"]).json()["token"]
    assert shop.post(f"/v1/customers/{s['id']}/merge", {"source": d["id"]}).status_code == 200
    # a merged duplicate's token and a token minted through the merged id
    r = _token(shop, d["id"])
    assert r.status_code in (201, 409), r.text
    tok_dm = r.json()["token"] if r.status_code == 201 else None
    assert shop.delete(f"/v1/customers/{s['id']}").status_code == 200
    for cid in (s["id"], d["id"]):
        for tok in filter(None, (tok_d, tok_s, tok_dm)):
            assert set(_storefront(shop, cid, tok)) <= {401, 403, 404}, (cid, tok[:8])
            assert 200 not in _storefront(shop, cid, tok)
    for cid in (s["id"], d["id"]):
        r = _token(shop, cid)
        assert r.status_code == 409 and error_of(r)["code"] == "customer_inactive", r.text


def test_tokens_of_erased_source_merged_after(server, shop):
    """Erase the duplicate first, then merging it is refused; the survivor's token still works."""
    set_program(shop)
    s = customer(shop, email=f"s-{uid()}@example.com")
    d = customer(shop, email=f"d-{uid()}@example.com")
    tok_s = _token(shop, s["id"]).json()["token"]
    assert shop.delete(f"/v1/customers/{d['id']}").status_code == 200
    r = shop.post(f"/v1/customers/{s['id']}/merge", {"source": d["id"]})
    assert 400 <= r.status_code < 500
    assert _storefront(shop, s["id"], tok_s) == [200, 200, 200]
    # a token of one customer never opens another's data
    assert 200 not in _storefront(shop, d["id"], tok_s)


# ---------------------------------------------------------------- 4. the command line

def cli(*args, cwd=None, env=None, timeout=60):
    e = dict(os.environ, RETAIN_OPERATOR_KEY=OPERATOR_KEY)
    e.pop("RETAIN_DB", None)
    e.update(env or {})
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd, env=e)


@pytest.fixture(scope="module")
def clidb():
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "ok.db")
        r = cli("shop", "create", "CLI", "--db", db, "--json")
        assert r.returncode == 0, r.stderr
        shop = json.loads(r.stdout)
        yield d, db, shop["id"]


NO_CREATE = [["check"], ["jobs", "run"], ["report", "retention", "--shop", "shop_x"],
             ["report", "cohorts", "--shop", "shop_x"], ["report", "rfm", "--shop", "shop_x"],
             ["report", "clv", "--shop", "shop_x"], ["shop", "list"], ["shop", "list", "--json"],
             ["shop", "rotate-keys", "shop_x"], ["shop", "rotate-keys", "shop_x", "--grace-hours", "1"],
             ["import", "orders", "{csv}", "--shop", "shop_x", "--map", "customer=0,date=1,amount=2"],
             ["import", "orders", "{csv}", "--shop", "shop_x", "--map", "customer=0,date=1,amount=2", "--dry-run"]]


@pytest.mark.parametrize("how", ["flag", "flag=", "env", "config"])
@pytest.mark.parametrize("args", NO_CREATE, ids=[" ".join(a) for a in NO_CREATE])
def test_cli_missing_db_refused_everywhere(tmp_path, args, how):
    csv = tmp_path / "o.csv"
    csv.write_text("c1,2026-01-05,10.00\n")
    args = [a.replace("{csv}", str(csv)) for a in args]
    typo = tmp_path / "sub" / ".." / "typo.db" if how == "flag" else tmp_path / "typo.db"
    env = None
    if how == "flag":
        (tmp_path / "sub").mkdir()
        r = cli(*args, "--db", str(typo))
    elif how == "flag=":
        r = cli(*args, f"--db={typo}")
    elif how == "env":
        r = cli(*args, env={"RETAIN_DB": str(typo)})
    else:
        conf = tmp_path / "r.conf"
        conf.write_text(f"db = {typo}\n")
        r = cli(*args, "--config", str(conf))
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "no database at" in r.stderr and "typo.db" in r.stderr, r.stderr
    assert not (tmp_path / "typo.db").exists()
    assert not any(p.name.startswith("typo.db") for p in tmp_path.iterdir())


def test_cli_default_db_missing_in_cwd(tmp_path):
    r = cli("check", cwd=tmp_path)
    assert r.returncode == 2 and "retain.db" in r.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [["migrate"], ["shop", "create", "X"]], ids=["migrate", "shop create"])
def test_cli_creating_commands_create(tmp_path, args):
    db = tmp_path / "new.db"
    r = cli(*args, "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert db.exists()
    r = cli("check", "--db", str(db))
    assert r.returncode == 0, r.stderr


def test_cli_demo_creates(tmp_path):
    db = tmp_path / "demo.db"
    r = cli("demo", "--db", str(db), "--customers", "3", timeout=120)
    assert r.returncode == 0, r.stderr
    assert db.exists()


COMMANDS = ["serve", "shop", "migrate", "demo", "import", "report", "check", "jobs", "version", "help"]


@pytest.mark.parametrize("cmd", COMMANDS)
def test_cli_help_per_command(tmp_path, cmd):
    glob = cli("help", cwd=tmp_path).stdout
    outs = []
    for args in (["help", cmd], [cmd, "--help"], [cmd, "-h"]):
        r = cli(*args, cwd=tmp_path, timeout=10)
        assert r.returncode == 0, (args, r.returncode, r.stderr)
        assert r.stdout.strip() and r.stdout != glob, args
        assert f"retain {cmd}" in r.stdout.splitlines()[0] or f"retain {cmd}" in r.stdout, (args, r.stdout[:200])
        outs.append(r.stdout)
    assert outs[0] == outs[1] == outs[2]
    assert list(tmp_path.iterdir()) == [], "help must not create anything"


@pytest.mark.parametrize("args", [["help", "nosuch"], ["nosuch"], ["nosuch", "--help"], ["help", ""],
                                  ["help", "--db"], ["report", "nosuch", "--shop", "x"]])
def test_cli_unknown_command_exit_2_named(tmp_path, args):
    r = cli(*args, cwd=tmp_path)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    name = args[1] if args[0] in ("help", "report") else args[0]
    if name:
        assert name in r.stderr, r.stderr
    assert list(tmp_path.iterdir()) == []


BAD_REPORT = [["--format", "xml"], ["--format", ""], ["--from", "2026-02-30"], ["--from", "2023-02-29"],
              ["--to", "2025-02-29"], ["--from", "1969-12-31"], ["--to", "3000-01-01"], ["--to", "9999-12-31"],
              ["--months", "abc"], ["--months", "0"], ["--months", "121"], ["--months", "1.5"], ["--months", "-1"],
              ["--months", "99999999999999999999"], ["--horizon-weeks", "0"], ["--horizon-weeks", "521"],
              ["--horizon-weeks", "x"], ["--discount", "abc"], ["--discount", "-0.01"], ["--discount", "1.01"],
              ["--discount", "nan"], ["--discount", "inf"], ["--discount", ""], ["--discount", "0.1x"],
              ["--penalty", "101"], ["--penalty", "-1"], ["--penalty", "x"], ["--currency", "EURO"],
              ["--from", "2026-03-01", "--to", "2026-02-01"], ["--from", "2026-03-01T10:00:00Z", "--to", "2026-02-28"]]


@pytest.mark.parametrize("bad", BAD_REPORT, ids=[" ".join(b) for b in BAD_REPORT])
def test_cli_report_bad_values_named(clidb, bad):
    d, db, shop = clidb
    kind = "clv" if bad[0] in ("--months", "--horizon-weeks", "--discount", "--penalty") else "retention"
    r = cli("report", kind, "--shop", shop, "--db", db, *bad)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert bad[0] in r.stderr and f'"{bad[1]}"' in r.stderr, r.stderr
    assert "usage:" not in r.stderr.splitlines()[0]


GOOD_REPORT = [["--from", "2024-02-29"], ["--from", "1970-01-01", "--to", "2999-12-31"],
               ["--months", "1"], ["--months", "120"], ["--discount", "0"], ["--discount", "1"],
               ["--horizon-weeks", "520"], ["--penalty", "100"], ["--from", "2026-02-01", "--to", "2026-02-01"]]


@pytest.mark.parametrize("good", GOOD_REPORT, ids=[" ".join(b) for b in GOOD_REPORT])
def test_cli_report_boundary_values_accepted(clidb, good):
    d, db, shop = clidb
    kind = "clv" if good[0] in ("--months", "--horizon-weeks", "--discount", "--penalty") else "retention"
    r = cli("report", kind, "--shop", shop, "--db", db, "--format", "json", *good)
    assert r.returncode == 0, (good, r.stderr)


@pytest.mark.parametrize("val", ["-5", "99999", "2161", "abc", "", "1.5", "0x10", "-0", "1e3"])
def test_cli_grace_hours_range(clidb, val):
    d, db, shop = clidb
    r = cli("shop", "rotate-keys", shop, "--grace-hours", val, "--db", db)
    if val == "-0":
        assert r.returncode in (0, 2)
        return
    assert r.returncode == 2, (val, r.stdout, r.stderr)
    assert "--grace-hours" in r.stderr and f'"{val}"' in r.stderr


@pytest.mark.parametrize("val", ["0", "2160"])
def test_cli_grace_hours_bounds_ok(clidb, val):
    d, db, shop = clidb
    r = cli("shop", "rotate-keys", shop, "--grace-hours", val, "--db", db, "--json")
    assert r.returncode == 0, r.stderr


def test_cli_rotate_keys_default_above_range_refused(clidb):
    d, db, shop = clidb
    r = cli("shop", "rotate-keys", shop, "--key-grace-hours", "2161", "--db", db)
    assert r.returncode == 2
    r = cli("shop", "rotate-keys", shop, "--db", db, env={"RETAIN_KEY_GRACE_HOURS": "99999"})
    assert r.returncode == 2


@pytest.mark.parametrize("args", [["--customers", "abc"], ["--customers", "0"], ["--customers", "10000001"],
                                  ["--seed", "abc"], ["--seed", "-1"], ["--seed", "9223372036854775808"]])
def test_cli_demo_bad_values(tmp_path, args):
    r = cli("demo", "--db", str(tmp_path / "d.db"), *args)
    assert r.returncode == 2 and args[0] in r.stderr and f'"{args[1]}"' in r.stderr, r.stderr
    assert not (tmp_path / "d.db").exists()


@pytest.mark.parametrize("args", [["--threads", "abc"], ["--body-limit", "-1"], ["--jobs-interval", "x"],
                                  ["--drain-seconds", "-1"], ["--idempotency-retention-hours", "0"],
                                  ["--key-grace-hours", "-1"]])
def test_cli_serve_bad_values(tmp_path, args):
    r = cli("serve", "--db", str(tmp_path / "s.db"), *args, timeout=10)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert args[0].lstrip("-") in r.stderr and args[1] in r.stderr, r.stderr
    assert not (tmp_path / "s.db").exists()


@pytest.mark.parametrize("args", [["--listen", "nonsense"], ["--listen", "127.0.0.1:99999"]])
def test_cli_serve_bad_listen_refused(tmp_path, args):
    r = cli("serve", "--db", str(tmp_path / "s.db"), *args, timeout=10)
    assert r.returncode == 2 and args[1] in r.stderr, r.stderr


def test_cli_serve_bad_db_dir_names_the_db(tmp_path):
    bad = "/nonexistent/dir/x.db"
    r = cli("serve", "--db", bad, "--listen", "127.0.0.1:0", timeout=10)
    assert r.returncode != 0
    assert bad in r.stderr and "operator-key" not in r.stderr, r.stderr
    env_r = cli("serve", "--listen", "127.0.0.1:0", env={"RETAIN_DB": bad, "RETAIN_OPERATOR_KEY": ""}, timeout=10)
    assert env_r.returncode != 0 and bad in env_r.stderr and "operator-key" not in env_r.stderr, env_r.stderr


def test_cli_serve_db_in_readonly_dir_names_the_db(tmp_path):
    d = tmp_path / "ro"
    d.mkdir()
    os.chmod(d, 0o500)
    try:
        if os.access(d, os.W_OK):
            pytest.skip("running as a user that ignores permissions")
        r = cli("serve", "--db", str(d / "x.db"), "--listen", "127.0.0.1:0", timeout=10)
        assert r.returncode != 0 and "x.db" in r.stderr
    finally:
        os.chmod(d, 0o700)


IMPORT_ROWS = [("2024-02-29", True), ("2023-02-29", False), ("2025-02-30", False), ("9999-01-01", False),
               ("1969-12-31", False), ("2026-04-31", False), ("2026-13-01", False), ("2026-00-10", False),
               ("2026-01-31", True), ("2026-01-31T10:00:00Z", True), ("2026-01-31T25:00:00Z", False),
               ("3000-01-01", False), ("", False), ("yesterday", False)]


@pytest.mark.parametrize("date,ok", IMPORT_ROWS, ids=[d or "empty" for d, _ in IMPORT_ROWS])
def test_cli_import_dates(clidb, tmp_path, date, ok):
    d, db, shop = clidb
    csv = tmp_path / "o.csv"
    cust = "c-" + uid()
    csv.write_text(f"{cust},{date},12.50\n")
    base = ["import", "orders", str(csv), "--shop", shop, "--map", "customer=0,date=1,amount=2", "--db", db]
    dry = cli(*base, "--dry-run")
    assert ("1 would be" in dry.stdout) == ok, (dry.stdout, dry.stderr)
    assert dry.returncode == (0 if ok else 1), dry.stderr
    r = cli(*base)
    assert r.returncode == (0 if ok else 1), (r.stdout, r.stderr)
    if not ok:
        assert "o.csv:1" in r.stderr and (date in r.stderr), r.stderr
    again = cli(*base, "--dry-run")
    if ok:
        assert "0 would be, 1 already there" in again.stdout, again.stdout


@pytest.mark.parametrize("fmt,date,ok", [("%Y%m%d", "20250230", False), ("%Y%m%d", "20240229", True),
                                         ("%d.%m.%Y", "29.02.2023", False), ("%d.%m.%Y", "29.02.2024", True),
                                         ("%Y-%m-%d", "2024-1-5", True), ("%Y-%m-%d", "1969-12-31", False),
                                         ("%Y/%m/%d", "9999/01/01", False)])
def test_cli_import_date_format_same_rule(clidb, tmp_path, fmt, date, ok):
    d, db, shop = clidb
    csv = tmp_path / "o.csv"
    csv.write_text(f"c-{uid()},{date},1.00\n")
    r = cli("import", "orders", str(csv), "--shop", shop, "--map", "customer=0,date=1,amount=2",
            "--date-format", fmt, "--db", db, "--dry-run")
    assert r.returncode == (0 if ok else 1), (r.stdout, r.stderr)


def test_cli_import_dry_run_writes_nothing(clidb, tmp_path):
    d, db, shop = clidb
    csv = tmp_path / "o.csv"
    rows = [f"dry-{uid()},2026-01-{i + 1:02d},{i + 1}.00" for i in range(5)]
    csv.write_text("\n".join(rows) + "\n")
    before = cli("report", "retention", "--shop", shop, "--db", db, "--format", "json").stdout
    mtime = os.path.getmtime(db)
    r = cli("import", "orders", str(csv), "--shop", shop, "--map", "customer=0,date=1,amount=2",
            "--db", db, "--dry-run")
    assert r.returncode == 0 and "5 would be" in r.stdout, r.stdout
    after = cli("report", "retention", "--shop", shop, "--db", db, "--format", "json").stdout
    assert json.loads(before)["all"] == json.loads(after)["all"]


def test_cli_import_missing_file_and_unknown_shop(clidb, tmp_path):
    d, db, shop = clidb
    r = cli("import", "orders", str(tmp_path / "nope.csv"), "--shop", shop, "--map",
            "customer=0,date=1,amount=2", "--db", db)
    assert r.returncode == 2 and "nope.csv" in r.stderr
    csv = tmp_path / "o.csv"
    csv.write_text("c,2026-01-01,1\n")
    r = cli("import", "orders", str(csv), "--shop", "shop_NOPE", "--map", "customer=0,date=1,amount=2", "--db", db)
    assert r.returncode == 1 and "shop_NOPE" in r.stderr


def test_make_help_lists_readme_targets():
    r = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0
    for t in ["run", "test", "check", "unit", "api", "api-asan", "lint-openapi", "asan", "bench",
              "install", "clean", "deps", "help"]:
        assert f"make {t} " in r.stdout or f"make {t}\n" in r.stdout, t
    assert "RETAIN_LISTEN" in r.stdout
    readme = open(os.path.join(ROOT, "README.md")).read()
    assert "make run RETAIN_LISTEN=" in readme


# ---------------------------------------------------------------- 1c. random programmes at the limits

def test_random_programmes_at_limits_stay_in_bounds(server, operator):
    import random
    rnd = random.Random(8)
    for round_ in range(4):
        shop = make_shop(operator)
        ppu = rnd.choice([0, 1, 999, 1000])
        mult = [{"type": "category", "value": "g", "percent": rnd.choice([0, 100, 9999, 10000])},
                {"type": "sku", "value": "S", "percent": rnd.choice([1, 10000])},
                {"type": "channel", "value": "web", "percent": rnd.choice([100, 10000])}]
        body = prog(earn={"points_per_unit": ppu, "include_shipping": rnd.random() < .5,
                          "include_tax": rnd.random() < .5, "multipliers": mult},
                    refund_policy=rnd.choice(["clamp", "debt"]),
                    cashback={"basis_points": rnd.choice([0, 1, 9999, 10000])},
                    point_value=rnd.choice([0, 1, 100000]),
                    tiers={"basis": rnd.choice(["points_earned", "net_spend", "order_count"]),
                           "window_days": 365, "downgrade": "one_down",
                           "levels": [{"name": "t", "threshold": 1, "earn_percent": rnd.choice([100, 1000])}]},
                    rewards=[{"key": "r", "kind": "gift", "name": "g", "cost": rnd.choice([1, 10**9])}])
        r = shop.request("PUT", "/v1/program", body)
        assert r.status_code == 200, r.text
        c = customer(shop, email=f"rp-{uid()}@example.com")
        orders = []
        for i in range(8):
            price = rnd.choice([0, 1, 99, 10**6, 10**12, 10**14, 10**15])
            cur = rnd.choice(["EUR", "JPY", "BHD"])
            o = order(shop, c["id"], price, currency=cur, sku=rnd.choice(["S", "x"]),
                      category=rnd.choice(["g", "h"]), shipping=rnd.choice([0, 10**15 - price if price < 10**15 else 0]))
            r = pay(shop, o)
            assert r.status_code in (200, 422), r.text
            if r.status_code == 200:
                orders.append(r.json())
                assert 0 <= r.json()["loyalty"]["points"] <= 10**15
            else:
                assert error_of(r)["code"] in ("points_limit_exceeded", "balance_limit_exceeded",
                                               "cashback_limit_exceeded")
            act = rnd.random()
            if act < .3 and orders:
                t = rnd.choice(orders)
                amt = rnd.choice([1, t["total"] // 2 or 1, t["total"]])
                if t["total"] > 0:
                    r = shop.post(f"/v1/orders/{t['id']}/refunds", {"external_id": "R" + uid(), "amount": amt})
                    assert r.status_code in (201, 409, 422), r.text
            elif act < .5:
                r = shop.post(f"/v1/customers/{c['id']}/redemptions", {"reward": "r"})
                assert r.status_code in (201, 422), r.text
                if r.status_code == 201 and rnd.random() < .5:
                    assert shop.post(f"/v1/redemptions/{r.json()['id']}/cancel").status_code in (200, 422)
            lo = loyalty(shop, c["id"])
            for k in ("available", "pending"):
                assert -(10**17) <= lo["points"][k] <= 10**17, lo["points"]
            assert 0 <= lo["points"]["lifetime_earned"] <= 2**63 - 1
            for w in lo["cashback"]:
                assert 0 <= w["balance"] <= 10**17
        for rep in ("retention", "cohorts", "rfm"):
            assert shop.get(f"/v1/reports/{rep}").status_code in (200, 422)
    retain_check(server.db)


def test_report_revenue_past_int64_refused_not_wrapped(server, operator, tmp_path):
    shop = make_shop(operator)
    csv = tmp_path / "big.csv"
    # 9300 orders of 10^15 minor units (the per-order maximum) for one customer: 9.3 x 10^18 > 2^63
    csv.write_text("".join(f"one,2025-01-{(i % 28) + 1:02d},10000000000000.00,o{i}\n" for i in range(9300)))
    r = cli("import", "orders", str(csv), "--shop", shop.shop["id"], "--map",
            "customer=0,date=1,amount=2,order=3", "--db", server.db, timeout=400)
    assert r.returncode == 0, r.stderr
    for rep in ("retention", "cohorts", "rfm", "rfm?include=customers"):
        r = shop.get(f"/v1/reports/{rep}")
        assert r.status_code == 422, (rep, r.text[:300])
        assert error_of(r)["code"] == "report_too_large"
    for path in ("/v1/reports/clv", "/v1/customers/ext:one/predictions", "/v1/customers/ext:one"):
        r = shop.get(path)
        assert r.status_code in (200, 422), (path, r.text[:300])

        def walk(x):
            if isinstance(x, dict):
                for v in x.values():
                    walk(v)
            elif isinstance(x, list):
                for v in x:
                    walk(v)
            elif isinstance(x, int) and not isinstance(x, bool):
                assert x >= 0, (path, x)
        if r.status_code == 200:
            walk(r.json())
    # a narrower range that fits is answered
    r = shop.get("/v1/reports/retention?from=2025-01-01&to=2025-01-05")
    assert r.status_code == 200, r.text[:300]
    assert r.json()["all"]["revenue"] > 0


def test_buy_refund_keep_via_failed_then_cancelled_discount_order(server, shop):
    c, a = _spend_setup(shop)
    b = order(shop, c["id"], 200000)
    r = shop.post(f"/v1/customers/{c['id']}/redemptions", {"points": 1000, "order": b["id"]})
    assert r.status_code == 201, r.text
    red = r.json()
    _refund_all(shop, a)
    ledger = shop.get(f"/v1/customers/{c['id']}/ledger?limit=100").json()["data"]
    assert any(e["reason"] == "refund_uncollectable" for e in ledger), [e["reason"] for e in ledger]
    assert shop.post(f"/v1/orders/{b['id']}/payments", {"status": "failed"}).status_code == 200
    r = shop.post(f"/v1/orders/{b['id']}/cancel", {})
    assert r.status_code == 200, r.text
    assert shop.get(f"/v1/redemptions/{red['id']}").json()["status"] == "cancelled"
    assert points(shop, c["id"]) == 0
    # the repayment is linked to order A
    ledger = shop.get(f"/v1/customers/{c['id']}/ledger?limit=100").json()["data"]
    assert any(e["reason"] == "refund_clawback" and e["order"] == a["id"] for e in ledger)
    retain_check(server.db)


def test_restored_points_repay_oldest_uncollected_first(server, shop):
    set_program(shop, rewards=[{"key": "all", "kind": "gift", "name": "g", "cost": 1500}])
    c = customer(shop, email=f"old-{uid()}@example.com")
    a = paid(shop, c["id"], 100000)  # 1000
    b = paid(shop, c["id"], 50000)   # 500
    red = shop.post(f"/v1/customers/{c['id']}/redemptions", {"reward": "all"}).json()
    _refund_all(shop, a)  # 1000 uncollected
    _refund_all(shop, b)  # 500 uncollected
    assert points(shop, c["id"]) == 0
    assert shop.post(f"/v1/redemptions/{red['id']}/cancel").status_code == 200
    assert points(shop, c["id"]) == 0
    new = paid(shop, c["id"], 30000)  # 300 new points are the customer's own
    assert points(shop, c["id"]) == 300
    retain_check(server.db)


def test_debt_policy_cancel_settles_debt(server, shop):
    c, a = _spend_setup(shop, "debt")
    red = shop.post(f"/v1/customers/{c['id']}/redemptions", {"reward": "big"}).json()
    _refund_all(shop, a)
    lo = loyalty(shop, c["id"])
    assert sum(l["remaining"] for l in lo["lots"]) == -1000, lo["lots"]
    # new earnings repay the debt first
    paid(shop, c["id"], 40000)  # 400
    assert sum(l["remaining"] for l in loyalty(shop, c["id"])["lots"]) == -600
    assert shop.post(f"/v1/redemptions/{red['id']}/cancel").status_code == 200
    # 1000 back: 600 settle the debt, 400 (the new order's) remain
    lo = loyalty(shop, c["id"])
    assert sum(l["remaining"] for l in lo["lots"]) == 400, lo["lots"]
    assert lo["points"]["available"] == 400
    retain_check(server.db)


def test_equal_expiry_oldest_lot_first(server, shop, operator):
    set_program(shop, expiry={"policy": "end_of_month", "n": 1, "reminder_days": 0},
                rewards=[{"key": "r", "kind": "gift", "name": "g", "cost": 100}])
    c = customer(shop, email=f"tie-{uid()}@example.com")
    first = paid(shop, c["id"], 20000)   # 200
    second = paid(shop, c["id"], 20000)  # 200, same month: same expiry
    assert first["loyalty"]["expires_at"] == second["loyalty"]["expires_at"]
    assert shop.post(f"/v1/customers/{c['id']}/redemptions", {"reward": "r"}).status_code == 201
    lots = {l["order"]: l for l in loyalty(shop, c["id"])["lots"]}
    assert lots[first["id"]]["remaining"] == 100 and lots[second["id"]]["remaining"] == 200, lots


@pytest.mark.parametrize("amount,currency,ok", [
    ("10000000000000.00", "EUR", True), ("10000000000000.01", "EUR", False), ("-5", "EUR", False),
    ("12.345", "EUR", False), ("1e5", "EUR", False), ("99999999999999999999.99", "EUR", False),
    ("nan", "EUR", False), ("0x10", "EUR", False), ("12.5", "JPY", False),
    ("1000000000000000", "JPY", True), ("1000000000000001", "JPY", False),
    ("92233720368547758.08", "EUR", False)])
def test_cli_import_amount_limits(clidb, tmp_path, amount, currency, ok):
    d, db, shop = clidb
    csv = tmp_path / "a.csv"
    csv.write_text(f"amt-{uid()},2026-01-05,{amount}\n")
    r = cli("import", "orders", str(csv), "--shop", shop, "--map", "customer=0,date=1,amount=2",
            "--currency", currency, "--db", db, "--dry-run")
    assert r.returncode == (0 if ok else 1), (r.stdout, r.stderr)
    assert ("1 would be" in r.stdout) == ok


@pytest.mark.parametrize("extra,path", [(b"X-Big: " + b"a" * 100000 + b"\r\n", "/v1/customers"),
                                        (b"".join(b"X-H%d: v\r\n" % i for i in range(2000)), "/v1/customers"),
                                        (b"", "/v1/customers/" + "a" * 70000)])
def test_oversized_header_blocks_get_one_response(server, shop, extra, path):
    out = raw(server, _get_with_headers(shop, extra, path=path), timeout=5)
    assert status_of(out) in (414, 431)
    assert out.count(b"HTTP/1.1 ") == 1, out[:300]
    assert requests.get(server.url + "/livez").status_code == 200
