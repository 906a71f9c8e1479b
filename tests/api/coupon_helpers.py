"""Helpers for the black-box tests of issue 10 (coupons, offers, campaigns),
written from the issue's contract alone. Every shape the issue leaves open is
marked `# assumption:` where it is first used, so the implementer can see which
reading the tests took."""
import threading
import uuid

from conftest import Api, connect_db, new_order
from loyalty_helpers import DAY, advance, set_clock  # noqa: F401  (re-exported)

MINUTE = 60

# The cart of most tests: 2 x 12.50 EUR green tea and 1 x 8.00 EUR teapot = 33.00 EUR.
LINES = [
    {"sku": "SENCHA", "category": "green tea", "quantity": 2, "unit_price": 1250},
    {"sku": "POT", "category": "teaware", "quantity": 1, "unit_price": 800},
]


def cart(lines=None, currency="EUR", shipping=0, **extra):
    """A cart as POST /v1/coupons/validate and /redeem take it."""
    body = {"currency": currency, "lines": [dict(l) for l in (lines or LINES)], "shipping": shipping}
    body.update(extra)
    return body


def subtotal(c):
    return sum(l["quantity"] * l["unit_price"] for l in c["lines"])


def campaign_body(**fields):
    """A live generic campaign (10 % off, a shared code) unless fields say otherwise."""
    body = {
        "name": "Campaign " + uuid.uuid4().hex[:6],
        "type": "generic",
        "starts_at": "2031-01-01T00:00:00Z",
        "ends_at": "2031-12-31T23:59:59Z",
        "timezone": "UTC",
        # assumption: a percent discount's value is in whole percent (10 = 10 %), the way a
        # shop developer reads "percent"; the programme's own multipliers use 100 = x1 but
        # they are named `percent` as a multiplier, not a discount.
        "discount": {"kind": "percent", "value": 10},
        "conditions": {},
        "limits": {},
        "targeting": {"all": True},
        # assumption: stacking is an object with a mode, `exclusive` or `stackable`, and for
        # stackable codes an optional `max_total_discount` in minor units.
        "stacking": {"mode": "exclusive"},
    }
    if fields.get("type", "generic") == "generic":
        body["code"] = "C" + uuid.uuid4().hex[:9].upper()
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def create_campaign(shop, **fields):
    r = shop.post("/v1/campaigns", campaign_body(**fields))
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["id"] and c["type"] == fields.get("type", "generic")
    return c


def generic(shop, **fields):
    """A generic campaign and its shared code."""
    c = create_campaign(shop, **fields)
    return c, c["code"]


def make_codes(shop, campaign_id, count, **extra):
    r = shop.post(f"/v1/campaigns/{campaign_id}/codes", dict(count=count, **extra))
    assert r.status_code in (200, 201), r.text
    return r.json()


def code_strings(answer):
    """The code strings of a POST /codes answer.
    assumption: the answer is a list envelope (`data`) or an object with `codes`, each
    entry a string or an object with `code`."""
    items = answer["data"] if "data" in answer else answer["codes"]
    return [i if isinstance(i, str) else i["code"] for i in items]


def unique_code(shop, **fields):
    """A unique-codes campaign with one single-use code: (campaign, code)."""
    c = create_campaign(shop, type="unique", **fields)
    return c, code_strings(make_codes(shop, c["id"], 1))[0]


def customer(shop, email=None, **fields):
    body = {"email": email or f"{uuid.uuid4().hex[:8]}@example.com"}
    body.update(fields)
    r = shop.post("/v1/customers", body)
    assert r.status_code == 201, r.text
    return r.json()


def order(shop, cust_id, c=None, **extra):
    """A pending order in retain for the cart c (the checkout records it, then redeems)."""
    c = c or cart()
    body = new_order(shop, customer={"id": cust_id},
                     lines=[{k: l[k] for k in ("sku", "category", "quantity", "unit_price") if k in l}
                            for l in c["lines"]],
                     shipping=c.get("shipping", 0), currency=c["currency"], **extra)
    r = shop.post("/v1/orders", body)
    assert r.status_code == 201, r.text
    return r.json()


def pay(shop, o):
    r = shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})
    assert r.status_code == 200, r.text
    return r.json()


def paid_order(shop, cust_id, c=None, **extra):
    o = order(shop, cust_id, c, **extra)
    return pay(shop, o)


def validate(shop, code, cust_id, c=None, **extra):
    """POST /v1/coupons/validate: the answer's body.
    assumption: validation is a question, so a refused code is still 200 with
    `valid: false` and the reason (the refusal status 422 is for redeem)."""
    body = {"code": code, "customer": cust_id, "cart": c or cart()}
    body.update(extra)
    r = shop.post("/v1/coupons/validate", body)
    assert r.status_code == 200, r.text
    v = r.json()
    assert isinstance(v["valid"], bool), v
    if v["valid"]:
        assert v["reason"] is None, v
    else:
        assert v["reason"]["code"] and v["reason"]["message"], v
    return v


def reason(shop, code, cust_id, c=None, **extra):
    """The reason code of a validation (None when the code is valid)."""
    v = validate(shop, code, cust_id, c, **extra)
    return None if v["valid"] else v["reason"]["code"]


def redeem_raw(shop, code, cust_id, order_id, c=None, **kw):
    return shop.post("/v1/coupons/redeem", {"code": code, "customer": cust_id, "order": order_id,
                                            "cart": c or cart()}, **kw)


def redeem(shop, code, cust_id, order_id, c=None):
    """A redeem that must succeed: the redemption."""
    r = redeem_raw(shop, code, cust_id, order_id, c)
    # assumption: a new reservation is 201, a repeat for the same order 200 (the
    # order and refund conventions of this API); both carry the redemption.
    assert r.status_code in (200, 201), r.text
    red = r.json()
    assert red["id"] and red["status"] == "reserved", red
    return red


def refused(resp, code, status=422):
    """The response is the refusal `code`, in the API's error shape."""
    assert resp.status_code == status, resp.text
    err = resp.json()["error"]
    assert err["code"] == code, err
    assert err["message"], err
    return err


def release(shop, redemption_id):
    r = shop.post(f"/v1/coupons/redemptions/{redemption_id}/release")
    assert r.status_code == 200, r.text
    return r.json()


def campaign_of(v):
    """The campaign id a validation or an offer names (offers name it as an object
    with its id, docs/coupons.md)."""
    c = v["campaign"]
    return c if isinstance(c, str) or c is None else c["id"]


def line_discounts(v):
    """{sku: discount} of a validation's discount.lines.
    assumption: each line names its `sku` and its discount as `amount`."""
    return {l["sku"]: l["amount"] for l in v["discount"]["lines"] if l["amount"]}


def offers(shop, cust_id, **kw):
    r = shop.get(f"/v1/customers/{cust_id}/offers", **kw)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["object"] == "list", body
    return body["data"]


def offer_of(shop, cust_id, campaign_id):
    """The customer's one offer from the campaign, or None. An offer names its
    `campaign`, `code`, `valid_from`, `expires_at` and `state` (docs/coupons.md)."""
    mine = [o for o in offers(shop, cust_id) if campaign_of(o) == campaign_id]
    assert len(mine) <= 1, mine
    return mine[0] if mine else None


def issue(shop, campaign_id, **body):
    """POST /v1/campaigns/{id}/issue: a personal campaign's codes for customers or a
    segment (docs/coupons.md)."""
    r = shop.post(f"/v1/campaigns/{campaign_id}/issue", body)
    assert r.status_code in (200, 201), r.text
    return r.json()


def events(server, shop, kind):
    con = connect_db(server.db)
    try:
        (n,), = con.execute("SELECT count(*) FROM events WHERE shop_id = ? AND type = ?",
                            (shop.shop["id"], kind)).fetchall()
        return n
    finally:
        con.close()


def all_events(server, shop):
    """How many events the shop has in the outbox table."""
    con = connect_db(server.db)
    try:
        (n,), = con.execute("SELECT count(*) FROM events WHERE shop_id = ?", (shop.shop["id"],)).fetchall()
        return n
    finally:
        con.close()


def offer_events(server, shop):
    # assumption: the outbox event of an issued offer is `offer.issued` (the PRODUCT
    # brief's "offer issued" webhook), in the events table every other event uses.
    return events(server, shop, "offer.issued")


def storefront(shop, cust_id):
    """A client with the shop's publishable key and a customer token for cust_id."""
    t = shop.post(f"/v1/customers/{cust_id}/tokens")
    assert t.status_code == 201, t.text
    api = Api(shop.server, shop.shop["publishable_key"])
    api.token = t.json()["token"]
    return api


def at_once(calls):
    """Runs the calls in threads released together; their results in order."""
    results, start = [None] * len(calls), threading.Barrier(len(calls))

    def run(i):
        start.wait()
        results[i] = calls[i]()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def claim_spot(shop, cust_id, token):
    """POST /v1/treasure/claims as the storefront does: the publishable key and
    a customer token for cust_id."""
    sf = storefront(shop, cust_id)
    return sf.post("/v1/treasure/claims", {"spot_token": token}, headers={"Customer-Token": sf.token})
