"""Coupon limits under concurrency (issue 10): checkouts fired at the same
moment (threads released together by a barrier, one HTTP session each) race
for the last use of a code. With concurrency "reject" (the default) a
single-use code, `per_customer: 1`, a budget and `total_uses` each give
exactly what they allow and refuse the rest with the documented reason; with
"honour" every checkout that reserved the last use together is honoured at
payment and usage.overuse counts the excess, but a single-use code and
per_customer are never honoured twice (docs/coupons.md, "Limits and
concurrency").

Each of the four 64-checkout races runs RETAIN_RACE_RUNS times (20 by
default), on one server over SQLite and on three `retain serve` nodes sharing
one PostgreSQL database (RETAIN_TEST_PG; the racers spread over the nodes).
After every run the campaign's usage (GET /v1/campaigns/{id}) and the code
(GET /v1/coupons/codes/{code}) must agree with the winners; the winners are
then released, which frees the same 64 orders for the next run. `retain
check` (the ledger's consistency) must stay clean after each test.

Besides: one order's redeem retried 64 times at once; a redeem racing its
order's cancel or payment; the shop's release racing the payment; exclusive
and stackable codes racing for one order; and, on PostgreSQL, where the jobs'
advisory lock can hold back the release of timed-out reservations, what a
timed-out reservation still holds before the jobs run.
"""
import collections
import contextlib
import os
import subprocess
import tempfile
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import BIN, OPERATOR_KEY, PG, Api, Server, check_clean_exit, make_shop, new_order

RUNS = int(os.environ.get("RETAIN_RACE_RUNS", "20"))
WIDTH = 64
START = "2031-03-01T00:00:00Z"
NOW = "2031-03-10T12:00:00Z"
CART_TOTAL = 2500           # new_order's default lines: 2 x 1250


@contextlib.contextmanager
def sqlite_node():
    with tempfile.TemporaryDirectory() as d:
        srv = Server(d, ["--threads", "8", "--jobs-interval", "0"])
        srv.db = os.path.join(d, "retain.db")      # a SQLite file whatever RETAIN_TEST_PG says
        srv.start()
        try:
            yield [srv]
        finally:
            check_clean_exit(srv)


@contextlib.contextmanager
def pg_nodes(count=3):
    """count servers on free ports, all on the first one's PostgreSQL database."""
    with contextlib.ExitStack() as stack:
        dirs = [stack.enter_context(tempfile.TemporaryDirectory()) for _ in range(count)]
        started = []
        try:
            for d in dirs:
                n = Server(d, ["--threads", "8", "--jobs-interval", "0"])
                if started:
                    n.db = started[0].db    # the same database: the nodes share nothing else
                started.append(n.start())
            yield started
        finally:
            for n in started:
                if n.proc.poll() is None:
                    check_clean_exit(n)


STORES = [
    pytest.param("sqlite", marks=pytest.mark.skipif(
        bool(PG), reason="on PostgreSQL: the SQLite variant runs in the SQLite pass;"
        " this pass races three nodes on PostgreSQL")),
    pytest.param("pg3", marks=pytest.mark.skipif(
        not PG, reason="needs a PostgreSQL cluster (RETAIN_TEST_PG): three nodes share"
        " one PostgreSQL database")),
]


@pytest.fixture(scope="module", params=STORES)
def cluster(request):
    with (sqlite_node() if request.param == "sqlite" else pg_nodes()) as nodes:
        for n in nodes:                     # every node's test clock, at the same instant
            r = Api(n, OPERATOR_KEY).post("/v1/test/clock", {"now": NOW})
            assert r.status_code == 200, r.text
        yield nodes


def tick(nodes):
    """Every node's test clock one second on, before each run. Ids are a
    millisecond and a random part that counts up within one millisecond (a
    frozen clock); nodes left at one instant for a whole module count up
    side by side and their event ids can meet (an events_pkey conflict, 409),
    which is not what these tests are about."""
    for n in nodes:
        r = Api(n, OPERATOR_KEY).post("/v1/test/clock", {"advance_seconds": 1})
        assert r.status_code == 200, r.text


class Racers:
    """WIDTH clients (a requests session each), spread over the nodes, and a
    pool of as many threads to fire them together."""

    def __init__(self, nodes, shop, width=WIDTH):
        self.clients = [Api(nodes[i % len(nodes)], shop.key) for i in range(width)]
        self.pool = ThreadPoolExecutor(width)

    def close(self):
        self.pool.shutdown()

    def each(self, calls):
        """Runs calls[i](client i) in the pool as fast as it goes; results in order."""
        futures = [self.pool.submit(call, self.clients[i]) for i, call in enumerate(calls)]
        return [f.result() for f in futures]

    def race(self, calls):
        """Runs calls[i](client i), all released at once by a barrier."""
        start = threading.Barrier(len(calls), timeout=60)

        def one(i, call):
            start.wait()
            return call(self.clients[i])
        futures = [self.pool.submit(one, i, call) for i, call in enumerate(calls)]
        return [f.result() for f in futures]


@pytest.fixture
def shop(cluster):
    api = make_shop(Api(cluster[0], OPERATOR_KEY), "Race " + uuid.uuid4().hex[:6])
    yield api


@pytest.fixture
def racers(cluster, shop):
    r = Racers(cluster, shop)
    r.each([lambda c: c.get("/v1/campaigns")] * WIDTH)    # every session connected
    yield r
    r.close()


def campaign(shop, **body):
    base = {"name": "Race", "type": "generic", "starts_at": START,
            "code": "R" + uuid.uuid4().hex[:10].upper(),
            "discount": {"kind": "percent", "value": 10}}
    base.update(body)
    r = shop.post("/v1/campaigns", base)
    assert r.status_code == 201, r.text
    return r.json()


def single_code(shop, c):
    r = shop.post(f"/v1/campaigns/{c['id']}/codes", {"count": 1})
    assert r.status_code == 201, r.text
    [code] = r.json()["codes"]
    return code


def make_orders(racers, shop, customer=None, count=WIDTH):
    """count pending orders, of one customer when given, else one customer each."""
    def make(client):
        r = client.post("/v1/orders", new_order(shop, customer=customer))
        assert r.status_code == 201, r.text
        return r.json()
    return racers.each([make] * count)


def redeem_call(code, order):
    body = {"code": code, "customer": order["customer"], "order": order["id"]}
    return lambda client: client.post("/v1/coupons/redeem", body)


def outcome(r):
    if r.status_code == 422:
        return (422, r.json()["error"]["code"])
    return (r.status_code,)


def tally(answers):
    return dict(collections.Counter(outcome(r) for r in answers))


def usage(shop, c):
    r = shop.get(f"/v1/campaigns/{c['id']}")
    assert r.status_code == 200, r.text
    return r.json()["usage"]


def code_of(shop, code):
    r = shop.get(f"/v1/coupons/codes/{code}")
    assert r.status_code == 200, r.text
    return r.json()


def race_once(racers, shop, c, code, orders, wins, reason, discount):
    """One race of len(orders) checkouts for code: exactly `wins` reserve it,
    the rest are refused with `reason`; the campaign and the code agree; the
    winners are then released (the orders are free again)."""
    answers = racers.race([redeem_call(code, o) for o in orders])
    want = {(201,): wins, (422, reason): len(orders) - wins}
    assert tally(answers) == {k: v for k, v in want.items() if v}, [
        r.text for r in answers if r.status_code not in (201, 422)][:3]
    won = [r.json() for r in answers if r.status_code == 201]
    assert all(w["status"] == "reserved" and w["discount"]["total"] == discount for w in won)
    assert len({w["order"] for w in won}) == wins
    u = usage(shop, c)
    assert (u["uses"], u["reserved"], u["discount_given"], u["discount_reserved"], u["overuse"]) \
        == (0, wins, 0, wins * discount, 0), u
    k = code_of(shop, code)
    assert k["uses"] == wins and k["campaign"] == c["id"], k
    if k["kind"] == "single":
        assert k["state"] == "reserved", k
    for w in won:
        r = shop.post(f"/v1/coupons/redemptions/{w['id']}/release")
        assert r.status_code == 200 and r.json()["status"] == "released", r.text
    u = usage(shop, c)
    assert (u["uses"], u["reserved"], u["discount_reserved"]) == (0, 0, 0), u
    assert code_of(shop, code)["uses"] == 0
    return won


def retain_check(nodes):
    r = subprocess.run([BIN, "check", "--db", nodes[0].db], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0 and "0 mismatches" in r.stdout, r.stdout + r.stderr


def test_coupon_race__64_orders_racing_for_one_single_use_code_get_it_once(cluster, shop, racers):
    orders = make_orders(racers, shop)
    for _ in range(RUNS):
        tick(cluster)
        c = campaign(shop, type="unique", code=None)
        code = single_code(shop, c)
        race_once(racers, shop, c, code, orders, 1, "already_used", CART_TOTAL // 10)
    retain_check(cluster)


def test_coupon_race__64_orders_of_one_customer_get_a_per_customer_1_code_once(cluster, shop,
                                                                                 racers):
    buyer = shop.post("/v1/customers", {"email": "one-buyer@example.com"}).json()
    orders = make_orders(racers, shop, customer={"id": buyer["id"]})
    for _ in range(RUNS):
        tick(cluster)
        c = campaign(shop, limits={"per_customer": 1})
        race_once(racers, shop, c, c["code"], orders, 1, "limit_reached", CART_TOTAL // 10)
    retain_check(cluster)


def test_coupon_race__a_budget_for_exactly_3_discounts_gives_3_to_64_checkouts(cluster, shop,
                                                                              racers):
    orders = make_orders(racers, shop)
    for _ in range(RUNS):
        tick(cluster)
        c = campaign(shop, discount={"kind": "fixed", "value": 500, "currency": "EUR"},
                     limits={"budget": 1700})
        race_once(racers, shop, c, c["code"], orders, 3, "budget_exhausted", 500)
    retain_check(cluster)


def test_coupon_race__total_uses_5_gives_exactly_5_to_64_checkouts(cluster, shop, racers):
    orders = make_orders(racers, shop)
    for _ in range(RUNS):
        tick(cluster)
        c = campaign(shop, limits={"total_uses": 5})
        race_once(racers, shop, c, c["code"], orders, 5, "limit_reached", CART_TOTAL // 10)
    retain_check(cluster)


HONOUR_RUNS = max(1, RUNS // 4)
LAST = 8        # checkouts racing for the last use


def pay_all(racers, orders):
    answers = racers.race([lambda client, o=o: client.post(f"/v1/orders/{o['id']}/payments",
                                                           {"status": "paid"}) for o in orders])
    assert [r.status_code for r in answers] == [200] * len(orders), [r.text for r in answers]


def use_up_to_the_last(shop, c, code, n):
    """n uses of the code made final one by one, by orders of their own."""
    for _ in range(n):
        o = shop.post("/v1/orders", new_order(shop)).json()
        r = shop.post("/v1/coupons/redeem", {"code": code, "customer": o["customer"],
                                             "order": o["id"]})
        assert r.status_code == 201, r.text
        assert shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"}).status_code == 200


@pytest.mark.parametrize("policy", ["honour", "reject"])
def test_coupon_race__the_last_use_raced_by_8_checkouts_is_honoured_or_rejected_by_policy(
        cluster, shop, racers, policy):
    """total_uses 3 with 2 used: 8 checkouts reserve the last use together.
    honour: all 8 reserve, all 8 are final at payment, usage.overuse is 7.
    reject: exactly 1 reserves, 7 are limit_reached; after payment 3 uses."""
    for _ in range(HONOUR_RUNS):
        tick(cluster)
        c = campaign(shop, limits={"total_uses": 3}, concurrency=policy)
        use_up_to_the_last(shop, c, c["code"], 2)
        orders = make_orders(racers, shop, count=LAST)
        answers = racers.race([redeem_call(c["code"], o) for o in orders])
        wins = LAST if policy == "honour" else 1
        want = {(201,): wins, (422, "limit_reached"): LAST - wins}
        assert tally(answers) == {k: v for k, v in want.items() if v}
        assert usage(shop, c)["reserved"] == wins
        pay_all(racers, [o for o, r in zip(orders, answers) if r.status_code == 201])
        for r in answers:
            if r.status_code == 201:
                got = shop.get(f"/v1/coupons/redemptions/{r.json()['id']}").json()
                assert got["status"] == "final", got
        u = usage(shop, c)
        assert (u["uses"], u["reserved"], u["overuse"]) == (2 + wins, 0, wins - 1), u
        assert sum(shop.get(f"/v1/coupons/redemptions/{r.json()['id']}").json()["overuse"]
                   for r in answers if r.status_code == 201) == wins - 1
    retain_check(cluster)


@pytest.mark.parametrize("policy", ["honour", "reject"])
def test_coupon_race__the_last_of_a_budget_raced_by_8_checkouts_by_policy(cluster, shop, racers,
                                                                           policy):
    """Budget 1500 of fixed 500, 1000 given: 8 checkouts race for the last 500.
    honour: all 8 final, 4000 over the budget, overuse 7. reject: exactly one."""
    for _ in range(HONOUR_RUNS):
        tick(cluster)
        c = campaign(shop, discount={"kind": "fixed", "value": 500, "currency": "EUR"},
                     limits={"budget": 1500}, concurrency=policy)
        use_up_to_the_last(shop, c, c["code"], 2)
        orders = make_orders(racers, shop, count=LAST)
        answers = racers.race([redeem_call(c["code"], o) for o in orders])
        wins = LAST if policy == "honour" else 1
        want = {(201,): wins, (422, "budget_exhausted"): LAST - wins}
        assert tally(answers) == {k: v for k, v in want.items() if v}
        pay_all(racers, [o for o, r in zip(orders, answers) if r.status_code == 201])
        u = usage(shop, c)
        assert (u["uses"], u["discount_given"], u["overuse"], u["budget_left"]) \
            == (2 + wins, 1000 + 500 * wins, wins - 1, 0), u
    retain_check(cluster)


def test_coupon_race__honour_never_honours_a_single_use_code_or_per_customer_twice(
        cluster, shop, racers):
    buyer = shop.post("/v1/customers", {"email": "honour-one@example.com"}).json()
    theirs = make_orders(racers, shop, customer={"id": buyer["id"]})
    anyone = make_orders(racers, shop)
    for _ in range(HONOUR_RUNS):
        tick(cluster)
        c = campaign(shop, type="unique", code=None, concurrency="honour")
        code = single_code(shop, c)
        race_once(racers, shop, c, code, anyone, 1, "already_used", CART_TOTAL // 10)
        c = campaign(shop, limits={"per_customer": 1}, concurrency="honour")
        race_once(racers, shop, c, c["code"], theirs, 1, "limit_reached", CART_TOTAL // 10)
    retain_check(cluster)


@pytest.mark.parametrize("kind", ["single", "shared"])
def test_coupon_race__one_order_redeeming_one_code_64_times_at_once_holds_it_once(
        cluster, shop, racers, kind):
    """A checkout retried from every node at once: one reservation (one 201),
    every other answer the same redemption (200), as a replay is."""
    for _ in range(max(1, RUNS // 4)):
        tick(cluster)
        if kind == "single":
            c = campaign(shop, type="unique", code=None)
            code = single_code(shop, c)
        else:
            c = campaign(shop, limits={"total_uses": 1})
            code = c["code"]
        [o] = make_orders(racers, shop, count=1)
        answers = racers.race([redeem_call(code, o)] * WIDTH)
        assert tally(answers) == {(201,): 1, (200,): WIDTH - 1}, [
            r.text for r in answers if r.status_code not in (200, 201)][:3]
        assert len({r.json()["id"] for r in answers}) == 1
        u = usage(shop, c)
        assert (u["uses"], u["reserved"]) == (0, 1), u


def codes_for(shop, count):
    c = campaign(shop, type="unique", code=None)
    r = shop.post(f"/v1/campaigns/{c['id']}/codes", {"count": count})
    assert r.status_code == 201, r.text
    return c, r.json()["codes"]


def redemption(shop, rid):
    r = shop.get(f"/v1/coupons/redemptions/{rid}")
    assert r.status_code == 200, r.text
    return r.json()


def test_coupon_race__a_redeem_racing_its_order_s_cancel_never_leaves_the_code_held(
        cluster, shop, racers):
    """Each of 8 orders is cancelled while a code is redeemed for it: either
    the code came first and the cancel released it, or the cancel came first
    and the redeem is 409; the code is free again either way."""
    for _ in range(max(1, RUNS // 2)):
        tick(cluster)
        c, codes = codes_for(shop, LAST)
        orders = make_orders(racers, shop, count=LAST)
        calls = []
        for code, o in zip(codes, orders):
            calls += [redeem_call(code, o),
                      lambda client, o=o: client.post(f"/v1/orders/{o['id']}/cancel")]
        answers = racers.race(calls)
        for code, redeemed, cancelled in zip(codes, answers[0::2], answers[1::2]):
            assert cancelled.status_code == 200, cancelled.text
            assert redeemed.status_code in (201, 409), redeemed.text
            if redeemed.status_code == 201:
                got = redemption(shop, redeemed.json()["id"])
                assert (got["status"], got["release_reason"]) == ("released", "cancelled"), got
            assert code_of(shop, code)["state"] == "available"
        u = usage(shop, c)
        assert (u["uses"], u["reserved"]) == (0, 0), u


def test_coupon_race__a_redeem_racing_its_order_s_payment_ends_final(cluster, shop, racers):
    """Each of 8 orders is paid while a code is redeemed for it: the
    redemption is final whichever came first (never left reserved on a paid
    order, to time out)."""
    for _ in range(max(1, RUNS // 2)):
        tick(cluster)
        c, codes = codes_for(shop, LAST)
        orders = make_orders(racers, shop, count=LAST)
        calls = []
        for code, o in zip(codes, orders):
            calls += [redeem_call(code, o),
                      lambda client, o=o: client.post(f"/v1/orders/{o['id']}/payments",
                                                      {"status": "paid"})]
        answers = racers.race(calls)
        for code, redeemed, paid in zip(codes, answers[0::2], answers[1::2]):
            assert paid.status_code == 200, paid.text
            assert redeemed.status_code == 201, redeemed.text
            assert redemption(shop, redeemed.json()["id"])["status"] == "final"
            assert code_of(shop, code)["state"] == "used"
        u = usage(shop, c)
        assert (u["uses"], u["reserved"]) == (LAST, 0), u


def test_coupon_race__a_release_racing_the_order_s_payment_is_one_or_the_other(
        cluster, shop, racers):
    """Each of 8 reservations is released by the shop while its order is
    paid: a release that answered 200 left it released (the payment did not
    make it final after all), one that answered 409 found it final."""
    for _ in range(max(1, RUNS // 4)):
        tick(cluster)
        c, codes = codes_for(shop, LAST)
        orders = make_orders(racers, shop, count=LAST)
        reds = []
        for code, o in zip(codes, orders):
            r = redeem_call(code, o)(racers.clients[0])
            assert r.status_code == 201, r.text
            reds.append(r.json())
        calls = []
        for red, o in zip(reds, orders):
            calls += [lambda client, red=red: client.post(
                          f"/v1/coupons/redemptions/{red['id']}/release"),
                      lambda client, o=o: client.post(f"/v1/orders/{o['id']}/payments",
                                                      {"status": "paid"})]
        answers = racers.race(calls)
        finals = 0
        for red, released, paid in zip(reds, answers[0::2], answers[1::2]):
            assert paid.status_code == 200, paid.text
            got = redemption(shop, red["id"])
            if released.status_code == 200:
                assert got["status"] == "released" and released.json()["status"] == "released", got
            else:
                assert released.status_code == 409, released.text
                assert released.json()["error"]["code"] == "redemption_final"
                assert got["status"] == "final", got
                finals += 1
        u = usage(shop, c)
        assert (u["uses"], u["reserved"]) == (finals, 0), u


def test_coupon_race__one_order_given_8_exclusive_codes_at_once_keeps_one(cluster, shop, racers):
    """Exclusive stacking under concurrency: 8 different exclusive codes
    redeemed for one order at the same moment: one holds, 7 not_combinable."""
    for _ in range(max(1, RUNS // 4)):
        tick(cluster)
        codes = [campaign(shop)["code"] for _ in range(LAST)]
        [o] = make_orders(racers, shop, count=1)
        answers = racers.race([redeem_call(code, o) for code in codes])
        assert tally(answers) == {(201,): 1, (422, "not_combinable"): LAST - 1}, tally(answers)
        won = [code for code, r in zip(codes, answers) if r.status_code == 201]
        assert [code_of(shop, code)["uses"] for code in codes] == \
            [1 if code in won else 0 for code in codes]


def test_coupon_race__stackable_codes_racing_for_one_order_stay_within_its_maximum(
        cluster, shop, racers):
    """8 stackable codes of 1000 off, each with max_total_discount 1500,
    redeemed for one 2500 order at once: together they give at most 1500
    (the first 1000, the next cut to 500, the rest not_combinable)."""
    for _ in range(max(1, RUNS // 4)):
        tick(cluster)
        codes = [campaign(shop, discount={"kind": "fixed", "value": 1000, "currency": "EUR"},
                          stacking={"mode": "stackable", "max_total_discount": 1500})["code"]
                 for _ in range(LAST)]
        [o] = make_orders(racers, shop, count=1)
        answers = racers.race([redeem_call(code, o) for code in codes])
        assert tally(answers) == {(201,): 2, (422, "not_combinable"): LAST - 2}, tally(answers)
        assert sorted(r.json()["discount"]["total"] for r in answers if r.status_code == 201) \
            == [500, 1000]


COUPON_JOB_LOCK = 0x72657461696e << 16 | 3      # JOBS_LOCK_KEY(3): coupon_reservations


@contextlib.contextmanager
def coupon_job_paused(db):
    """Holds the reservations job's advisory lock from psql, as a node running
    that job holds it: until the end, no node releases timed-out reservations."""
    holder = subprocess.Popen(["psql", "-X", "-qAt", "-d", db], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        holder.stdin.write(f"SELECT pg_advisory_lock({COUPON_JOB_LOCK}); SELECT 'held';\n")
        holder.stdin.flush()
        while holder.stdout.readline().strip() != "held":
            pass
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def move_clocks(nodes, seconds):
    for n in nodes:
        r = Api(n, OPERATOR_KEY).post("/v1/test/clock", {"advance_seconds": seconds})
        assert r.status_code == 200, r.text


pg_only = pytest.mark.skipif(not PG, reason="needs RETAIN_TEST_PG: the jobs' advisory lock that"
                             " pauses the release of timed-out reservations is PostgreSQL's (on"
                             " SQLite a clock move always releases them)")


@pg_only
def test_coupon__a_timed_out_reservation_not_yet_released_by_the_jobs_no_longer_holds_the_code(
        cluster, shop):
    """docs/coupons.md: the jobs release timed-out reservations; "until then
    they no longer count towards any limit". So a single-use code whose
    reservation timed out validates for another order and is reserved for it,
    whether or not the jobs have run yet."""
    c = campaign(shop, type="unique", code=None, reservation_minutes=15)
    code = single_code(shop, c)
    first, second = (shop.post("/v1/orders", new_order(shop)).json() for _ in range(2))
    assert redeem_call(code, first)(shop).status_code == 201
    with coupon_job_paused(cluster[0].db):
        move_clocks(cluster, 16 * 60)
        v = shop.post("/v1/coupons/validate", {"code": code, "order": second["id"]}).json()
        assert v["valid"] is True, v
        assert usage(shop, c)["reserved"] == 0
        r = redeem_call(code, second)(shop)
        assert r.status_code == 201, r.text
    assert code_of(shop, code)["state"] == "reserved"


@pg_only
def test_coupon__a_timed_out_reservation_paid_before_the_jobs_release_it_is_final_if_still_free(
        cluster, shop):
    """Paid after its reservation timed out (the jobs not run yet): final when
    its limits still allow it, as docs/coupons.md says."""
    c = campaign(shop, type="unique", code=None, reservation_minutes=15)
    code = single_code(shop, c)
    o = shop.post("/v1/orders", new_order(shop)).json()
    red = redeem_call(code, o)(shop).json()
    with coupon_job_paused(cluster[0].db):
        move_clocks(cluster, 16 * 60)
        r = shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})
        assert r.status_code == 200, r.text
    got = redemption(shop, red["id"])
    assert got["status"] == "final", got
    assert code_of(shop, code)["state"] == "used"
    assert usage(shop, c)["uses"] == 1


@pg_only
def test_coupon__a_timed_out_reservation_paid_after_the_last_use_went_to_another_stays_released(
        cluster, shop):
    """total_uses 1: the first order's reservation times out (jobs paused), a
    second order takes the use and pays; the first order paid then does not
    make its old reservation final: the limit still holds."""
    c = campaign(shop, limits={"total_uses": 1}, reservation_minutes=15)
    first, second = (shop.post("/v1/orders", new_order(shop)).json() for _ in range(2))
    red = redeem_call(c["code"], first)(shop).json()
    with coupon_job_paused(cluster[0].db):
        move_clocks(cluster, 16 * 60)
        r = redeem_call(c["code"], second)(shop)
        assert r.status_code == 201, r.text
        for o in (second, first):
            r = shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})
            assert r.status_code == 200, r.text
    got = redemption(shop, red["id"])
    assert (got["status"], got["release_reason"]) == ("released", "timeout"), got
    u = usage(shop, c)
    assert (u["uses"], u["reserved"], u["overuse"]) == (1, 0, 0), u
