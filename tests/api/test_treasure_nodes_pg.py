"""Issue 10 on several nodes: a treasure-hunt spot's claims limit and its one
claim per customer hold when the claims arrive through three `retain serve`
nodes on one PostgreSQL database at the same moment (DESIGN.md: every limit
proven under concurrency across several nodes; the single-node race is in
test_treasure.py). Needs the PostgreSQL pass of `make test` (RETAIN_TEST_PG)."""
import pytest

from conftest import OPERATOR_KEY, PG, Api, error_of, make_shop
from test_multinode_pg import at_once, nodes, set_clocks
from test_treasure import NOW, customer_token, new_campaign, new_customer, new_spot, offers, spots

pytestmark = pytest.mark.skipif(not PG, reason="needs a PostgreSQL cluster (RETAIN_TEST_PG):"
                                " several nodes share one PostgreSQL database")


@pytest.fixture(scope="module")
def cluster():
    with nodes(3) as c:
        set_clocks(c, {"now": NOW})
        yield c


def storefronts(cluster, shop):
    return [Api(n, shop.shop["publishable_key"]) for n in cluster]


def test_treasure_nodes__30_claimers_through_three_nodes_of_a_cap_of_5_get_exactly_5(cluster):
    shop = make_shop(Api(cluster[0], OPERATOR_KEY))
    c = new_campaign(shop)
    s = new_spot(shop, c["id"], claims_limit=5)
    customers = [new_customer(shop) for _ in range(30)]
    tokens = [customer_token(shop, who) for who in customers]
    fronts = storefronts(cluster, shop)
    results = at_once([
        lambda i=i: fronts[i % 3].post("/v1/treasure/claims", {"spot_token": s["token"]},
                                       headers={"Customer-Token": tokens[i]})
        for i in range(len(customers))])
    won = [customers[i] for i, r in enumerate(results) if r.status_code == 201]
    lost = [r for r in results if r.status_code != 201]
    assert len(won) == 5, [(r.status_code, r.text) for r in results]
    odd = [(r.status_code, r.text) for r in lost
           if not (r.status_code == 422 and error_of(r)["code"] == "claims_exhausted")]
    assert odd == []
    assert len({r.json()["code"] for r in results if r.status_code == 201}) == 5
    assert spots(shop, c["id"])[0]["claims"] == 5
    assert all(len(offers(shop, who)) == 1 for who in won)
    assert sum(len(offers(shop, who)) for who in customers) == 5


def test_treasure_nodes__one_customer_claiming_through_three_nodes_at_once_claims_once(cluster):
    shop = make_shop(Api(cluster[0], OPERATOR_KEY))
    c = new_campaign(shop)
    s = new_spot(shop, c["id"], claims_limit=100)
    who = new_customer(shop)
    token = customer_token(shop, who)
    fronts = storefronts(cluster, shop)
    results = at_once([
        lambda i=i: fronts[i % 3].post("/v1/treasure/claims", {"spot_token": s["token"]},
                                       headers={"Customer-Token": token})
        for i in range(12)])
    ok = [r for r in results if r.status_code == 201]
    assert len(ok) == 1, [(r.status_code, r.text) for r in results]
    odd = [(r.status_code, r.text) for r in results
           if r.status_code != 201 and not (r.status_code == 422 and
                                            error_of(r)["code"] == "already_claimed")]
    assert odd == []
    assert spots(shop, c["id"])[0]["claims"] == 1
    assert len(offers(shop, who)) == 1
