"""A state machine of coupons (issue 10) against a model of docs/coupons.md.

Hypothesis interleaves validate (for an order, for a customer's cart, for a
guest's cart), redeem, pay, cancel, refund (in full, or half of what is
left), the shop's release and clock moves past the reservations (which run
the jobs that release them), across three customers and four campaigns:

- U, unique: three single-use codes, 10 %, exclusive, reserved 15 minutes;
- G, generic: 20 %, total_uses 3, per_customer 2, min_cart 600, stackable,
  kept on a full refund (release_on_refund false), reserved 30 minutes;
- B, generic: fixed 700 EUR, budget 1000, stackable up to 900 in all on the
  order, reserved 20 minutes;
- H, generic: 5 %, total_uses 1, per_customer 1, concurrency "honour"
  (total_uses counts final uses only; the overuse at payment is counted),
  stackable.

U, G and B are concurrency "reject". After every step each campaign's usage
and each single-use code's state must equal the model's, and no limit or
budget may be exceeded (for H: per_customer never, total_uses only by the
uses counted as overuse); every validate and redeem must get exactly the
model's answer (valid or the reason, and the discount): nothing refused that
the model allows, nothing allowed that it refuses. At the end of each
sequence every redemption is read back and compared, and each campaign and
code is read on its own (GET /v1/campaigns/{id}, /v1/coupons/codes/{code}).

RETAIN_COUPON_EXAMPLES sets the number of sequences (25 by default, as
`make test` runs it) and RETAIN_COUPON_STEPS their length (30).
"""
import os
import subprocess
from dataclasses import dataclass

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (RuleBasedStateMachine, initialize, invariant, precondition, rule,
                                 run_state_machine_as_test)

import conftest
from conftest import OPERATOR_KEY, Api, make_shop, new_order

EXAMPLES = int(os.environ.get("RETAIN_COUPON_EXAMPLES", "25"))
STEPS = int(os.environ.get("RETAIN_COUPON_STEPS", "30"))
START = "2031-06-01T00:00:00Z"
NOW = "2031-06-10T09:00:00Z"
NOW_MS = 1938848400000
MINUTE = 60000
PRICES = [300, 600, 1000, 1250, 2500]
# Which code a step types: the shared codes (where the limits are) more often.
CODE_SLOTS = st.sampled_from(["U0", "U1", "U2", "GEN", "GEN", "GEN", "BUD", "BUD", "BUD",
                              "HON", "HON", "HON", "NOPE"])


@dataclass
class Campaign:
    key: str
    body: dict
    percent: int = 0
    fixed: int = 0
    total_uses: int = 0
    per_customer: int = 0
    budget: int = 0
    min_cart: int = 0
    max_total: int = 0
    exclusive: bool = True
    release_on_refund: bool = True
    minutes: int = 30
    honour: bool = False
    id: str = ""


def campaigns():
    return {
        "U": Campaign("U", {"name": "U", "type": "unique", "reservation_minutes": 15,
                            "discount": {"kind": "percent", "value": 10}},
                      percent=10, minutes=15),
        "G": Campaign("G", {"name": "G", "type": "generic", "code": "GEN",
                            "discount": {"kind": "percent", "value": 20},
                            "limits": {"total_uses": 3, "per_customer": 2},
                            "conditions": {"min_cart": 600, "currency": "EUR"},
                            "stacking": {"mode": "stackable"},
                            "release_on_refund": False},
                      percent=20, total_uses=3, per_customer=2, min_cart=600, exclusive=False,
                      release_on_refund=False),
        "B": Campaign("B", {"name": "B", "type": "generic", "code": "BUD",
                            "reservation_minutes": 20,
                            "discount": {"kind": "fixed", "value": 700, "currency": "EUR"},
                            "limits": {"budget": 1000},
                            "stacking": {"mode": "stackable", "max_total_discount": 900}},
                      fixed=700, budget=1000, max_total=900, exclusive=False, minutes=20),
        "H": Campaign("H", {"name": "H", "type": "generic", "code": "HON",
                            "discount": {"kind": "percent", "value": 5},
                            "limits": {"total_uses": 1, "per_customer": 1},
                            "concurrency": "honour", "stacking": {"mode": "stackable"}},
                      percent=5, total_uses=1, per_customer=1, exclusive=False, honour=True),
    }


@dataclass
class Order:
    id: str
    customer: str
    price: int
    total: int
    status: str = "pending"
    refunded: int = 0


@dataclass
class Redemption:
    id: str
    code: str
    campaign: str           # key
    customer: str
    order: str
    status: str
    until: int
    discount: int
    release_reason: str = None
    overuse: bool = False


class Model:
    """docs/coupons.md, for these four campaigns (no windows, targeting,
    channels or currencies other than EUR to refuse)."""

    def __init__(self, camps, single_codes):
        self.now = NOW_MS
        self.camps = camps
        self.code_campaign = {"GEN": "G", "BUD": "B", "HON": "H",
                              **{k: "U" for k in single_codes}}
        self.single = set(single_codes)
        self.orders = {}
        self.reds = {}

    def live(self, r):
        return r.status == "final" or (r.status == "reserved" and r.until > self.now)

    def lives(self):
        return [r for r in self.reds.values() if self.live(r)]

    def check(self, code, customer, order, price):
        """(reason, discount): reason None when the code applies."""
        if code not in self.code_campaign:
            return "unknown_code", 0
        c = self.camps[self.code_campaign[code]]
        others = [r for r in self.lives() if r.order != order]
        if code in self.single and any(r.code == code for r in others):
            return "already_used", 0
        mine = [r for r in others if r.campaign == c.key]
        if c.per_customer and customer and \
                sum(r.customer == customer for r in mine) >= c.per_customer:
            return "limit_reached", 0
        counted = [r for r in mine if r.status == "final"] if c.honour else mine
        if c.total_uses and len(counted) >= c.total_uses:
            return "limit_reached", 0
        if c.min_cart and price < c.min_cart:
            return "min_cart_not_met", 0
        on = [r for r in self.lives() if order and r.order == order and r.code != code]
        if on and (c.exclusive or any(self.camps[r.campaign].exclusive for r in on)):
            return "not_combinable", 0
        d = price * c.percent // 100 if c.percent else min(c.fixed, price)
        if c.max_total:
            cap = c.max_total - sum(r.discount for r in on)
            if cap <= 0:
                return "not_combinable", 0
            d = min(d, cap)
        if c.budget:
            given = sum(r.discount for r in mine)
            if given >= c.budget or d > c.budget - given:
                return "budget_exhausted", 0
        return None, d

    def held(self, code, order):
        return [r for r in self.reds.values() if r.code == code and r.order == order
                and r.status != "released"]

    def release(self, r, reason):
        r.status, r.release_reason = "released", reason

    def finalize(self, r):
        c = self.camps[r.campaign]
        finals = [x for x in self.reds.values() if x.campaign == c.key and x.status == "final"]
        r.status = "final"
        r.overuse = bool(c.total_uses and len(finals) + 1 > c.total_uses)

    def pay(self, o):
        o.status = "paid"
        for r in self.reds.values():
            if r.order == o.id and r.status == "reserved":
                self.finalize(r)

    def cancel(self, o):
        o.status = "cancelled"
        for r in self.reds.values():
            if r.order == o.id and r.status != "released":
                self.release(r, "cancelled")

    def refund(self, o, amount):
        o.refunded += amount
        if o.refunded < o.total:
            o.status = "partially_refunded"
            return
        o.status = "refunded"
        for r in self.reds.values():
            if r.order == o.id and r.status != "released" and \
                    self.camps[r.campaign].release_on_refund:
                self.release(r, "refunded")

    def advance(self, minutes):
        self.now += minutes * MINUTE
        for r in self.reds.values():        # the clock move runs the jobs
            if r.status == "reserved" and r.until <= self.now:
                self.release(r, "timeout")

    def usage(self, key):
        lives = [r for r in self.lives() if r.campaign == key]
        final = [r for r in lives if r.status == "final"]
        return {"uses": len(final), "reserved": len(lives) - len(final),
                "discount_given": sum(r.discount for r in final),
                "discount_reserved": sum(r.discount for r in lives if r.status == "reserved"),
                "overuse": sum(r.overuse for r in final)}


def cart(price):
    return {"currency": "EUR", "shipping": 0,
            "lines": [{"sku": "TEA", "category": "tea", "quantity": 1, "unit_price": price}]}


def typed(code, lower):
    """The code as a customer might type it (codes are case-insensitive)."""
    return code.lower() if lower else code


class CouponMachine(RuleBasedStateMachine):
    @initialize(prices=st.lists(st.sampled_from(PRICES), min_size=6, max_size=6))
    def start(self, prices):
        self.operator = Api(CouponMachine.server, OPERATOR_KEY)
        r = self.operator.post("/v1/test/clock", {"now": NOW})
        assert r.status_code == 200, r.text
        self.api = make_shop(self.operator, "Coupon model")
        self.customers = []
        for n in range(3):
            r = self.api.post("/v1/customers", {"email": f"buyer{n}@example.com"})
            assert r.status_code == 201, r.text
            self.customers.append(r.json()["id"])
        camps = campaigns()
        for c in camps.values():
            r = self.api.post("/v1/campaigns", {"starts_at": START, **c.body})
            assert r.status_code == 201, r.text
            c.id = r.json()["id"]
        r = self.api.post(f"/v1/campaigns/{camps['U'].id}/codes", {"count": 3})
        assert r.status_code == 201, r.text
        self.single = r.json()["codes"]
        self.codes = {"U0": self.single[0], "U1": self.single[1], "U2": self.single[2],
                      "GEN": "GEN", "BUD": "BUD", "HON": "HON", "NOPE": "NOPE-404"}
        self.model = Model(camps, self.single)
        self.n = 0
        for i, price in enumerate(prices):
            self.place_order(i % 3, price)

    def code(self, slot):
        return self.codes[slot]

    # ---- orders ----

    def place_order(self, who, price):
        self.n += 1
        body = new_order(self.api, external_id=f"M{self.n}", customer={"id": self.customers[who]},
                         lines=[{"sku": "TEA", "category": "tea", "quantity": 1,
                                 "unit_price": price}])
        r = self.api.post("/v1/orders", body)
        assert r.status_code == 201, r.text
        o = r.json()
        self.model.orders[o["id"]] = Order(o["id"], self.customers[who], price, o["total"])
        return self.model.orders[o["id"]]

    @rule(who=st.integers(0, 2), price=st.sampled_from(PRICES))
    def new_order(self, who, price):
        self.place_order(who, price)

    def orders_in(self, *statuses):
        return [o for o in self.model.orders.values() if o.status in statuses]

    @precondition(lambda self: self.orders_in("pending"))
    @rule(data=st.data())
    def pay(self, data):
        o = data.draw(st.sampled_from(self.orders_in("pending")))
        r = self.api.post(f"/v1/orders/{o.id}/payments", {"status": "paid"})
        assert r.status_code == 200, r.text
        self.model.pay(o)

    def holding(self):
        """Pending orders with a live reservation: checkouts about to pay."""
        held = {r.order for r in self.model.lives() if r.status == "reserved"}
        return [o for o in self.orders_in("pending") if o.id in held]

    @precondition(lambda self: self.holding())
    @rule(data=st.data())
    def pay_a_reserved_checkout(self, data):
        o = data.draw(st.sampled_from(self.holding()))
        r = self.api.post(f"/v1/orders/{o.id}/payments", {"status": "paid"})
        assert r.status_code == 200, r.text
        self.model.pay(o)

    @precondition(lambda self: self.orders_in("pending"))
    @rule(data=st.data())
    def cancel(self, data):
        o = data.draw(st.sampled_from(self.orders_in("pending")))
        r = self.api.post(f"/v1/orders/{o.id}/cancel")
        assert r.status_code == 200, r.text
        self.model.cancel(o)

    @precondition(lambda self: self.orders_in("paid", "partially_refunded"))
    @rule(data=st.data(), part=st.booleans())
    def refund(self, data, part):
        """What is left of the order's payment, or half of it."""
        o = data.draw(st.sampled_from(self.orders_in("paid", "partially_refunded")))
        amount = o.total - o.refunded
        if part and amount > 1:
            amount //= 2
        self.n += 1
        r = self.api.post(f"/v1/orders/{o.id}/refunds", {"external_id": f"R{self.n}",
                                                         "amount": amount})
        assert r.status_code in (200, 201), r.text
        self.model.refund(o, amount)
        assert r.json()["status"] == o.status, r.text

    # ---- codes ----

    def answer_matches(self, got, reason, discount):
        assert got["valid"] is (reason is None), (got, reason)
        assert (got["reason"] or {}).get("code") == reason, (got, reason)
        if reason is None:
            assert got["discount"]["total"] == discount, (got, discount)

    @precondition(lambda self: self.model.orders)
    @rule(data=st.data(), lower=st.booleans())
    def validate_for_an_order(self, data, lower):
        o = data.draw(st.sampled_from(sorted(self.model.orders.values(), key=lambda o: o.id)))
        code = self.code(data.draw(CODE_SLOTS))
        r = self.api.post("/v1/coupons/validate", {"code": typed(code, lower), "order": o.id})
        reason, discount = self.model.check(code, o.customer, o.id, o.price)
        if reason != "unknown_code" and o.status in ("cancelled", "refunded"):
            assert r.status_code == 409 and r.json()["error"]["code"] == "order_status_conflict", \
                r.text
            return
        assert r.status_code == 200, r.text
        self.answer_matches(r.json(), reason, discount)

    @rule(who=st.integers(-1, 2), code_at=CODE_SLOTS, price=st.sampled_from(PRICES),
          lower=st.booleans())
    def validate_a_cart(self, who, code_at, price, lower):
        """A cart before there is an order: a known customer's, or a guest's (-1)."""
        code = self.code(code_at)
        body = {"code": typed(code, lower), "cart": cart(price)}
        customer = self.customers[who] if who >= 0 else None
        if customer:
            body["customer"] = customer
        r = self.api.post("/v1/coupons/validate", body)
        assert r.status_code == 200, r.text
        self.answer_matches(r.json(), *self.model.check(code, customer, None, price))

    @rule(who=st.integers(0, 2), price=st.sampled_from(PRICES), code_at=CODE_SLOTS,
          lower=st.booleans())
    def checkout(self, who, price, code_at, lower):
        """A new order and a code for it at once."""
        self.try_redeem(self.place_order(who, price), self.code(code_at), lower)

    @precondition(lambda self: self.orders_in("pending", "paid", "partially_refunded"))
    @rule(data=st.data(), code_at=CODE_SLOTS, lower=st.booleans())
    def redeem(self, data, code_at, lower):
        o = data.draw(st.sampled_from(self.orders_in("pending", "paid", "partially_refunded")))
        self.try_redeem(o, self.code(code_at), lower)

    @precondition(lambda self: self.orders_in("cancelled", "refunded"))
    @rule(data=st.data(), code_at=CODE_SLOTS)
    def redeem_on_a_closed_order(self, data, code_at):
        o = data.draw(st.sampled_from(self.orders_in("cancelled", "refunded")))
        self.try_redeem(o, self.code(code_at), False)

    def try_redeem(self, o, code, lower):
        r = self.api.post("/v1/coupons/redeem", {"code": typed(code, lower),
                                                 "customer": o.customer, "order": o.id})
        reason, discount = self.model.check(code, o.customer, o.id, o.price)
        if reason != "unknown_code" and o.status in ("cancelled", "refunded"):
            assert r.status_code == 409 and r.json()["error"]["code"] == "order_status_conflict", \
                r.text
            return
        held = self.model.held(code, o.id)
        if held:
            assert r.status_code == 200 and r.json()["id"] == held[0].id, r.text
            assert r.json()["status"] == held[0].status, r.text
            return
        if reason:
            assert r.status_code == 422 and r.json()["error"]["code"] == reason, \
                (r.text, reason)
            return
        assert r.status_code == 201, (r.text, "the model allows it")
        got = r.json()
        c = self.model.camps[self.model.code_campaign[code]]
        red = Redemption(got["id"], code, c.key, o.customer, o.id, "reserved",
                         self.model.now + c.minutes * MINUTE, discount)
        if o.status in ("paid", "partially_refunded"):
            self.model.finalize(red)
        self.model.reds[red.id] = red
        assert (got["status"], got["discount"]["total"], got["campaign"], got["order"],
                got["overuse"]) == (red.status, discount, c.id, o.id, red.overuse), got

    @precondition(lambda self: self.model.reds)
    @rule(data=st.data())
    def release(self, data):
        red = data.draw(st.sampled_from(sorted(self.model.reds.values(), key=lambda r: r.id)))
        r = self.api.post(f"/v1/coupons/redemptions/{red.id}/release")
        if red.status == "final":
            assert r.status_code == 409 and r.json()["error"]["code"] == "redemption_final", r.text
            return
        assert r.status_code == 200 and r.json()["status"] == "released", r.text
        if red.status == "reserved":
            self.model.release(red, "released")

    @rule(minutes=st.sampled_from([5, 10, 16, 21, 31]))
    def advance(self, minutes):
        r = self.operator.post("/v1/test/clock", {"advance_seconds": minutes * 60})
        assert r.status_code == 200, r.text
        self.model.advance(minutes)

    # ---- what must always hold ----

    @invariant()
    def usage_and_codes_agree_with_the_model_and_no_limit_is_exceeded(self):
        if not hasattr(self, "model"):
            return
        r = self.api.get("/v1/campaigns")
        assert r.status_code == 200, r.text
        self.usage_agrees({c["id"]: c["usage"] for c in r.json()["data"]})
        r = self.api.get(f"/v1/campaigns/{self.model.camps['U'].id}/codes")
        assert r.status_code == 200, r.text
        self.codes_agree({k["code"]: k for k in r.json()["data"]})

    def usage_agrees(self, usage_of):
        for key, c in self.model.camps.items():
            u = usage_of[c.id]
            assert {k: u[k] for k in self.model.usage(key)} == self.model.usage(key), (key, u)
            if c.total_uses and not c.honour:
                assert u["uses"] + u["reserved"] <= c.total_uses, (key, u)
            if c.total_uses and c.honour:
                assert u["uses"] - u["overuse"] <= c.total_uses, (key, u)
            if c.budget:
                assert u["discount_given"] + u["discount_reserved"] <= c.budget, (key, u)
                assert u["budget_left"] == c.budget - u["discount_given"] - u["discount_reserved"]

    def codes_agree(self, code_of):
        for code in self.single:
            k = code_of[code]
            live = [x for x in self.model.lives() if x.code == code]
            state = "available" if not live else \
                "reserved" if any(x.status == "reserved" for x in live) else "used"
            assert (k["uses"], k["state"]) == (len(live), state), (k, live)
            assert k["uses"] <= 1

    def teardown(self):
        """Every redemption read back; the campaigns and codes one by one."""
        if not hasattr(self, "model"):
            return
        per_customer = {}
        for red in self.model.reds.values():
            r = self.api.get(f"/v1/coupons/redemptions/{red.id}")
            assert r.status_code == 200, r.text
            got = r.json()
            assert (got["status"], got["release_reason"], got["discount"]["total"],
                    got["overuse"]) == (red.status, red.release_reason, red.discount,
                                        red.overuse), (got, red)
            if red.campaign in ("G", "H") and self.model.live(red):
                k = (red.campaign, red.customer)
                per_customer[k] = per_customer.get(k, 0) + 1
        for (key, _), n in per_customer.items():
            assert n <= self.model.camps[key].per_customer, per_customer
        self.usage_agrees({c.id: self.api.get(f"/v1/campaigns/{c.id}").json()["usage"]
                           for c in self.model.camps.values()})
        self.codes_agree({k: self.api.get(f"/v1/coupons/codes/{k.lower()}").json()
                          for k in self.single})


def test_coupons_match_their_model_and_no_limit_is_ever_exceeded(server):
    CouponMachine.server = server
    run_state_machine_as_test(CouponMachine, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, database=None,
        suppress_health_check=list(HealthCheck)))
    out = subprocess.run([conftest.BIN, "check", "--db", server.db], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
