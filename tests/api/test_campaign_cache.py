"""The campaign cache behind POST /v1/coupons/validate (issue 10 bench;
docs/decisions-speed.md, "Issue 10 bench: the campaign cache"). A validation reads
its campaign from the process's cache when the campaign row's updated_at is
the one cached, so every change of a campaign must show in the very next
validation: also when it was made within the same millisecond (the test clock
stands still here), when it was made on another node, and while many
campaigns share the cache's slots."""
from datetime import datetime

import pytest

from conftest import OPERATOR_KEY, PG, Api, connect_db, make_shop
from coupon_helpers import cart, customer, generic, reason, set_clock, validate
from test_coupons_concurrency import pg_nodes

NOW = "2031-03-10T12:00:00Z"
CART = cart()                       # 33.00 EUR


def total(shop, code, cust):
    v = validate(shop, code, cust, CART)
    assert v["valid"], v
    return v["discount"]["total"]


def test_campaign_cache__a_change_in_the_same_millisecond_shows_in_the_next_validation(
        operator, shop):
    set_clock(operator, NOW)        # the clock stands still: every write below shares one ms
    c, code = generic(shop)
    olga = customer(shop)["id"]
    assert total(shop, code, olga) == 330
    seen = [c["updated_at"]]
    for value, want in ((20, 660), (15, 495), (20, 660)):
        p = shop.patch(f"/v1/campaigns/{c['id']}", {"discount": {"kind": "percent", "value": value}})
        assert p.status_code == 200, p.text
        seen.append(p.json()["updated_at"])
        assert total(shop, code, olga) == want
    # each write moved updated_at on, though the clock did not move
    times = [datetime.fromisoformat(t) for t in seen]
    assert times == sorted(set(times)), seen
    p = shop.patch(f"/v1/campaigns/{c['id']}", {"conditions": {"min_cart": 5000, "currency": "EUR"}})
    assert p.status_code == 200, p.text
    assert reason(shop, code, olga, CART) == "min_cart_not_met"
    e = shop.post(f"/v1/campaigns/{c['id']}/end")
    assert e.status_code == 200, e.text
    assert datetime.fromisoformat(e.json()["updated_at"]) > \
        datetime.fromisoformat(p.json()["updated_at"])
    assert reason(shop, code, olga, CART) == "expired"


def test_campaign_cache__a_draft_made_active_validates_at_once(operator, shop):
    set_clock(operator, NOW)
    c, code = generic(shop, status="draft")
    olga = customer(shop)["id"]
    assert reason(shop, code, olga, CART) == "not_started"
    p = shop.patch(f"/v1/campaigns/{c['id']}", {"status": "active"})
    assert p.status_code == 200, p.text
    assert total(shop, code, olga) == 330


def test_campaign_cache__many_campaigns_each_validate_with_their_own_rules(operator, shop):
    """60 campaigns in the cache's 1024 slots: some share a slot (the odds that
    none does are about 18%), and each validation must still get its own."""
    set_clock(operator, NOW)
    olga = customer(shop)["id"]
    made = [generic(shop, discount={"kind": "percent", "value": 1 + i}) for i in range(60)]
    for _ in range(2):
        for i, (c, code) in enumerate(made):
            v = validate(shop, code, olga, CART)
            assert v["valid"] and v["discount"]["total"] == 33 * (1 + i), (i, v)
            assert v["campaign"]["id"] == c["id"], v


def test_campaign_cache__an_update_made_by_hand_in_the_database_shows_at_once(
        operator, shop, server):
    """The review's case: an UPDATE typed in sqlite3 or psql (or a node of an
    older version) that leaves updated_at as it was. Migration 023's trigger
    moves it on, so the cached row is not served."""
    set_clock(operator, NOW)
    c, code = generic(shop)
    olga = customer(shop)["id"]
    assert total(shop, code, olga) == 330                  # cached
    con = connect_db(server.db, timeout=10)
    before = con.execute("SELECT updated_at FROM campaigns WHERE id = ?", (c["id"],)).fetchall()
    con.execute("UPDATE campaigns SET status = 'ended' WHERE id = ?", (c["id"],))
    con.commit()
    after = con.execute("SELECT updated_at FROM campaigns WHERE id = ?", (c["id"],)).fetchall()
    con.close()
    assert after[0][0] == before[0][0] + 1, (before, after)
    assert reason(shop, code, olga, CART) == "expired"


@pytest.mark.skipif(not PG, reason="needs a PostgreSQL cluster (RETAIN_TEST_PG): two nodes"
                    " share one database")
def test_campaign_cache__a_change_on_another_node_shows_in_the_next_validation():
    with pg_nodes(2) as (a, b):
        op_a, op_b = Api(a, OPERATOR_KEY), Api(b, OPERATOR_KEY)
        for op in (op_a, op_b):
            set_clock(op, NOW)
        on_a = make_shop(op_a, "Two nodes")
        on_b = Api(b, on_a.shop["secret_key"])
        c, code = generic(on_a)
        olga = customer(on_a)["id"]
        assert total(on_a, code, olga) == 330          # node a caches the campaign
        for value, want in ((20, 660), (15, 495)):
            p = on_b.patch(f"/v1/campaigns/{c['id']}",
                           {"discount": {"kind": "percent", "value": value}})
            assert p.status_code == 200, p.text
            assert total(on_a, code, olga) == want
        assert on_b.post(f"/v1/campaigns/{c['id']}/end").status_code == 200
        assert reason(on_a, code, olga, CART) == "expired"
