"""The treasure hunt (issue 10): a treasure_hunt campaign hides spots on the
shop's pages; each spot has a signed token the shop embeds in that page, a clue
and a number of claims. A customer who finds it claims it on the storefront
(publishable key and customer token) and gets a personal code, once per spot,
while claims remain. Forged, other-shop, over-cap and out-of-window claims are
refused with a code (422) and change nothing."""
import threading
import uuid

import pytest

from conftest import Api, connect_db, error_of, make_shop
from loyalty_helpers import advance, set_clock

NOW = "2031-11-20T10:00:00Z"


@pytest.fixture(autouse=True)
def fixed_clock(operator):
    set_clock(operator, NOW)


def new_campaign(shop, **overrides):
    body = {"name": "Find the tea leaves", "type": "treasure_hunt",
            "starts_at": "2031-11-01T00:00:00Z", "ends_at": "2031-12-31T00:00:00Z",
            "discount": {"kind": "percent", "value": 15}}
    body.update(overrides)
    r = shop.post("/v1/campaigns", body)
    assert r.status_code == 201, r.text
    return r.json()


def new_spot(shop, campaign_id, claims_limit=100, page="/teas/sencha",
             clue="where the green leaves rest"):
    r = shop.post(f"/v1/campaigns/{campaign_id}/spots",
                  {"page": page, "clue": clue, "claims_limit": claims_limit})
    assert r.status_code == 201, r.text
    return r.json()


def new_customer(shop):
    r = shop.post("/v1/customers", {"email": f"{uuid.uuid4().hex[:10]}@example.com"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def customer_token(shop, customer_id):
    r = shop.post(f"/v1/customers/{customer_id}/tokens")
    assert r.status_code == 201, r.text
    return r.json()["token"]


@pytest.fixture
def storefront(shop, server):
    return Api(server, shop.shop["publishable_key"])


def claim(storefront, shop, customer_id, spot_token, headers=None):
    """A claim from the storefront by customer_id, with a customer token."""
    h = {"Customer-Token": customer_token(shop, customer_id)}
    h.update(headers or {})
    return storefront.post("/v1/treasure/claims", {"spot_token": spot_token}, headers=h)


def refused(r, code, status=422):
    assert r.status_code == status, r.text
    assert error_of(r)["code"] == code, r.text


def spots(shop, campaign_id):
    r = shop.get(f"/v1/campaigns/{campaign_id}/spots?limit=100")
    assert r.status_code == 200, r.text
    return r.json()["data"]


def offers(shop, customer_id):
    r = shop.get(f"/v1/customers/{customer_id}/offers")
    assert r.status_code == 200, r.text
    return r.json()["data"]


TABLES = ("treasure_spots", "treasure_claims", "coupon_codes", "offer_grants", "events")


def state(shop, campaign_id, customers):
    """What a refusal must leave as it was: the spots and their claims, the
    offers each customer holds, and the shop's rows of every table a claim
    writes (its events included)."""
    db = connect_db(shop.server.db)
    try:
        rows = {t: db.execute(f"SELECT count(*) FROM {t} WHERE shop_id = ?",
                              (shop.shop["id"],)).fetchone()[0] for t in TABLES}
    finally:
        db.close()
    return spots(shop, campaign_id), [offers(shop, c) for c in customers], rows


def test_treasure__a_spot_gets_a_signed_token_and_lists_with_its_claims(shop):
    c = new_campaign(shop)
    s = new_spot(shop, c["id"], claims_limit=5, page="https://tea.example/teas/sencha",
                 clue="under the kettle")
    assert s["object"] == "treasure_spot" and s["id"].startswith("spot_")
    assert (s["campaign"], s["page"], s["clue"]) == (c["id"], "https://tea.example/teas/sencha",
                                                     "under the kettle")
    assert (s["claims_limit"], s["claims"], s["remaining"]) == (5, 0, 5)
    assert s["token"].startswith("tsp_" + shop.shop["id"] + "." + s["id"] + ".")
    assert s["created_at"] == NOW
    second = new_spot(shop, c["id"], page="/about")
    listed = spots(shop, c["id"])
    assert [x["id"] for x in listed] == [s["id"], second["id"]]
    assert listed[0] == s
    page = shop.get(f"/v1/campaigns/{c['id']}/spots?limit=1").json()
    assert page["has_more"] and [x["id"] for x in page["data"]] == [s["id"]]
    rest = shop.get(f"/v1/campaigns/{c['id']}/spots?starting_after={s['id']}").json()
    assert not rest["has_more"] and [x["id"] for x in rest["data"]] == [second["id"]]


@pytest.mark.parametrize("body, param", [
    ({"clue": "c", "claims_limit": 5}, "page"),
    ({"page": "", "clue": "c", "claims_limit": 5}, "page"),
    ({"page": "teas/sencha", "clue": "c", "claims_limit": 5}, "page"),
    ({"page": "ftp://tea.example/", "clue": "c", "claims_limit": 5}, "page"),
    ({"page": "/teas/green tea", "clue": "c", "claims_limit": 5}, "page"),
    ({"page": "/" + "a" * 2000, "clue": "c", "claims_limit": 5}, "page"),
    ({"page": 7, "clue": "c", "claims_limit": 5}, "page"),
    ({"page": "/teas", "claims_limit": 5}, "clue"),
    ({"page": "/teas", "clue": "", "claims_limit": 5}, "clue"),
    ({"page": "/teas", "clue": "   ", "claims_limit": 5}, "clue"),
    ({"page": "/teas", "clue": "a\u0007bell", "claims_limit": 5}, "clue"),
    ({"page": "/teas", "clue": "x" * 501, "claims_limit": 5}, "clue"),
    ({"page": "/teas", "clue": "c"}, "claims_limit"),
    ({"page": "/teas", "clue": "c", "claims_limit": 0}, "claims_limit"),
    ({"page": "/teas", "clue": "c", "claims_limit": -1}, "claims_limit"),
    ({"page": "/teas", "clue": "c", "claims_limit": 2.5}, "claims_limit"),
    ({"page": "/teas", "clue": "c", "claims_limit": "5"}, "claims_limit"),
    ({"page": "/teas", "clue": "c", "claims_limit": True}, "claims_limit"),
    ({"page": "/teas", "clue": "c", "claims_limit": 10 ** 10}, "claims_limit"),
    ({"page": "/teas", "clue": "c", "claims_limit": 5, "code": "FREE"}, "code"),
])
def test_treasure__bad_spot_input_is_400_and_creates_nothing(shop, body, param):
    c = new_campaign(shop)
    r = shop.post(f"/v1/campaigns/{c['id']}/spots", body)
    assert r.status_code == 400, r.text
    assert error_of(r)["param"] == param
    assert spots(shop, c["id"]) == []


def test_treasure__only_a_treasure_hunt_campaign_has_spots(shop):
    generic = new_campaign(shop, type="generic", code="WINTER10")
    r = shop.post(f"/v1/campaigns/{generic['id']}/spots",
                  {"page": "/teas", "clue": "c", "claims_limit": 5})
    refused(r, "not_a_treasure_hunt")
    r = shop.post("/v1/campaigns/cmp_0000000000000000/spots",
                  {"page": "/teas", "clue": "c", "claims_limit": 5})
    assert r.status_code == 404, r.text
    assert shop.get("/v1/campaigns/cmp_0000000000000000/spots").status_code == 404


def test_treasure__an_ended_campaign_takes_no_new_spots(shop):
    c = new_campaign(shop)
    assert shop.post(f"/v1/campaigns/{c['id']}/end").status_code == 200
    r = shop.post(f"/v1/campaigns/{c['id']}/spots", {"page": "/teas", "clue": "c",
                                                      "claims_limit": 5})
    refused(r, "campaign_ended", 409)
    assert spots(shop, c["id"]) == []


def test_treasure__a_customer_claims_a_spot_on_the_storefront_and_holds_a_personal_code(
        shop, storefront):
    c = new_campaign(shop)
    s = new_spot(shop, c["id"], claims_limit=3)
    nino = new_customer(shop)
    r = claim(storefront, shop, nino, s["token"])
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["object"] == "treasure_claim"
    assert (got["spot"], got["campaign"], got["customer"]) == (s["id"], c["id"], nino)
    assert got["code"] and got["created_at"] == NOW
    assert got["expires_at"] == "2031-12-31T00:00:00Z"
    held = [o for o in offers(shop, nino) if o["code"] == got["code"]]
    assert len(held) == 1 and held[0]["campaign"]["id"] == c["id"]
    assert held[0]["state"] == "available"
    seen = storefront.get(f"/v1/customers/{nino}/offers",
                          headers={"Customer-Token": customer_token(shop, nino)})
    assert seen.status_code == 200, seen.text
    assert got["code"] in [o["code"] for o in seen.json()["data"]]
    assert spots(shop, c["id"])[0]["claims"] == 1
    assert spots(shop, c["id"])[0]["remaining"] == 2


def test_treasure__the_shops_server_claims_for_a_named_customer_with_its_secret_key(shop):
    c = new_campaign(shop)
    s = new_spot(shop, c["id"])
    nino = new_customer(shop)
    r = shop.post("/v1/treasure/claims", {"spot_token": s["token"]})
    assert r.status_code == 400 and error_of(r)["param"] == "customer"
    r = shop.post("/v1/treasure/claims", {"spot_token": s["token"], "customer": "cus_nobody"})
    assert r.status_code == 404 and error_of(r)["param"] == "customer"
    r = shop.post("/v1/treasure/claims", {"spot_token": s["token"], "customer": nino})
    assert r.status_code == 201, r.text
    assert r.json()["customer"] == nino
    assert [o["code"] for o in offers(shop, nino)] == [r.json()["code"]]


def test_treasure__a_storefront_claim_needs_the_customers_own_token(shop, storefront):
    c = new_campaign(shop)
    s = new_spot(shop, c["id"])
    nino, olga = new_customer(shop), new_customer(shop)
    r = storefront.post("/v1/treasure/claims", {"spot_token": s["token"]})
    refused(r, "customer_token_required", 401)
    r = storefront.post("/v1/treasure/claims", {"spot_token": s["token"], "customer": olga},
                        headers={"Customer-Token": customer_token(shop, nino)})
    refused(r, "customer_token_mismatch", 403)
    r = storefront.post("/v1/treasure/claims", {"spot_token": s["token"]},
                        headers={"Customer-Token": "ctk_forged.1.00"})
    refused(r, "customer_token_invalid", 401)
    assert spots(shop, c["id"])[0]["claims"] == 0
    r = storefront.get(f"/v1/campaigns/{c['id']}/spots")
    refused(r, "key_not_allowed", 403)
    r = storefront.post(f"/v1/campaigns/{c['id']}/spots",
                        {"page": "/teas", "clue": "c", "claims_limit": 5})
    refused(r, "key_not_allowed", 403)


@pytest.mark.parametrize("body", [{}, {"spot_token": None}, {"spot_token": 5},
                                  {"spot_token": ["tsp_"]}, {"spot_token": "x", "page": "/"}])
def test_treasure__a_claim_without_a_token_string_is_400(shop, body):
    body = dict(body, customer=new_customer(shop))
    r = shop.post("/v1/treasure/claims", body)
    assert r.status_code == 400, r.text


def test_treasure__one_claim_per_customer_per_spot(shop, storefront):
    c = new_campaign(shop)
    s1, s2 = new_spot(shop, c["id"]), new_spot(shop, c["id"], page="/teas/oolong")
    nino = new_customer(shop)
    first = claim(storefront, shop, nino, s1["token"])
    assert first.status_code == 201, first.text
    before = state(shop, c["id"], [nino])
    again = claim(storefront, shop, nino, s1["token"])
    refused(again, "already_claimed")
    by_shop = shop.post("/v1/treasure/claims", {"spot_token": s1["token"], "customer": nino})
    refused(by_shop, "already_claimed")
    assert state(shop, c["id"], [nino]) == before
    other = claim(storefront, shop, nino, s2["token"])
    assert other.status_code == 201, other.text
    assert other.json()["code"] != first.json()["code"]
    assert len(offers(shop, nino)) == 2


def test_treasure__a_retried_claim_with_its_idempotency_key_replays_the_same_code(
        shop, storefront):
    c = new_campaign(shop)
    s = new_spot(shop, c["id"])
    nino = new_customer(shop)
    h = {"Idempotency-Key": "claim-" + uuid.uuid4().hex}
    first = claim(storefront, shop, nino, s["token"], headers=h)
    assert first.status_code == 201, first.text
    replay = claim(storefront, shop, nino, s["token"], headers=h)
    assert replay.status_code == 201 and replay.json() == first.json()
    assert spots(shop, c["id"])[0]["claims"] == 1
    assert len(offers(shop, nino)) == 1


def test_treasure__an_idempotency_key_replays_a_code_only_to_its_own_customer(shop, storefront):
    c = new_campaign(shop)
    s = new_spot(shop, c["id"])
    nino, olga = new_customer(shop), new_customer(shop)
    h = {"Idempotency-Key": "claim-" + s["id"]}
    first = claim(storefront, shop, nino, s["token"], headers=h)
    assert first.status_code == 201, first.text
    r = claim(storefront, shop, olga, s["token"], headers=h)
    refused(r, "idempotency_key_reused", 400)
    assert first.json()["code"] not in r.text
    r = storefront.post("/v1/treasure/claims", {"spot_token": s["token"]}, headers=h)
    refused(r, "customer_token_required", 401)
    assert claim(storefront, shop, nino, s["token"], headers=h).json() == first.json()
    assert offers(shop, olga) == []


def test_treasure__merged_customers_keep_their_claims_and_claim_no_spot_twice(shop, storefront):
    c = new_campaign(shop)
    both, only_source, neither = (new_spot(shop, c["id"], page=p) for p in ("/a", "/b", "/c"))
    target, source = new_customer(shop), new_customer(shop)
    for who, s in ((target, both), (source, both), (source, only_source)):
        assert claim(storefront, shop, who, s["token"]).status_code == 201
    r = shop.post(f"/v1/customers/{target}/merge", {"source": source})
    assert r.status_code == 200, r.text
    assert [x["claims"] for x in spots(shop, c["id"])] == [2, 1, 0]
    db = connect_db(shop.server.db)
    try:
        rows = db.execute("SELECT spot_id, customer_id FROM treasure_claims WHERE shop_id = ?"
                          " ORDER BY spot_id, customer_id", (shop.shop["id"],)).fetchall()
    finally:
        db.close()
    # The source's claim of a spot both claimed stays counted under the source.
    assert sorted(rows) == sorted([(both["id"], target), (both["id"], source),
                                   (only_source["id"], target)])
    refused(claim(storefront, shop, target, only_source["token"]), "already_claimed")
    refused(claim(storefront, shop, target, both["token"]), "already_claimed")
    assert claim(storefront, shop, target, neither["token"]).status_code == 201
    assert [x["claims"] for x in spots(shop, c["id"])] == [2, 1, 1]


def test_treasure__the_cap_is_reached_at_exactly_claims_limit(shop, storefront):
    c = new_campaign(shop)
    s = new_spot(shop, c["id"], claims_limit=3)
    customers = [new_customer(shop) for _ in range(4)]
    codes = []
    for who in customers[:3]:
        r = claim(storefront, shop, who, s["token"])
        assert r.status_code == 201, r.text
        codes.append(r.json()["code"])
    assert len(set(codes)) == 3
    before = state(shop, c["id"], customers)
    assert (before[0][0]["claims"], before[0][0]["remaining"]) == (3, 0)
    refused(claim(storefront, shop, customers[3], s["token"]), "claims_exhausted")
    refused(claim(storefront, shop, customers[0], s["token"]), "already_claimed")
    assert state(shop, c["id"], customers) == before
    assert offers(shop, customers[3]) == []


def test_treasure__twenty_concurrent_claimers_of_a_cap_of_five_get_exactly_five_codes(
        shop, storefront):
    c = new_campaign(shop)
    s = new_spot(shop, c["id"], claims_limit=5)
    customers = [new_customer(shop) for _ in range(20)]
    tokens = {who: customer_token(shop, who) for who in customers}
    start = threading.Barrier(len(customers))
    results = {}

    def run(who):
        api = Api(storefront.server, storefront.key)
        start.wait()
        results[who] = api.post("/v1/treasure/claims", {"spot_token": s["token"]},
                                headers={"Customer-Token": tokens[who]})

    threads = [threading.Thread(target=run, args=(who,)) for who in customers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    won = [who for who, r in results.items() if r.status_code == 201]
    lost = [r for r in results.values() if r.status_code != 201]
    assert len(won) == 5, [(r.status_code, r.text) for r in results.values()]
    assert all(r.status_code == 422 and error_of(r)["code"] == "claims_exhausted" for r in lost)
    assert len({results[who].json()["code"] for who in won}) == 5
    assert spots(shop, c["id"])[0]["claims"] == 5
    assert sum(len(offers(shop, who)) for who in customers) == 5
    assert all(len(offers(shop, who)) == 1 for who in won)


def flip(ch):
    return "0" if ch != "0" else "1"


def forgeries(token, customer_tok):
    """The ways a spot token is forged: each must be refused as spot_token_invalid."""
    prefix, spot, mac = token.rsplit(".", 2)
    return {
        "a flipped signature character": f"{prefix}.{spot}.{mac[:10]}{flip(mac[10])}{mac[11:]}",
        "a flipped spot character": f"{prefix}.{spot[:-1]}{flip(spot[-1])}.{mac}",
        "a wrong signature": f"{prefix}.{spot}.{'ab' * 32}",
        "a cut signature": token[:-1],
        "a longer signature": token + "0",
        "upper-case hex": f"{prefix}.{spot}.{mac.upper()}",
        "no signature": f"{prefix}.{spot}",
        "garbage": "tsp_" + "garbage",
        "not a token at all": "hello, treasure",
        "empty": "",
        "very long": "tsp_" + "a" * 5000,
        "a customer token": customer_tok,
    }


def test_treasure__a_forged_token_is_refused_and_changes_nothing(shop, storefront):
    c = new_campaign(shop)
    s = new_spot(shop, c["id"])
    nino = new_customer(shop)
    before = state(shop, c["id"], [nino])
    for what, forged in forgeries(s["token"], customer_token(shop, nino)).items():
        r = claim(storefront, shop, nino, forged)
        assert r.status_code == 422, (what, r.text)
        assert error_of(r)["code"] == "spot_token_invalid", (what, r.text)
        assert error_of(r)["param"] == "spot_token"
    assert state(shop, c["id"], [nino]) == before
    assert claim(storefront, shop, nino, s["token"]).status_code == 201


def test_treasure__a_token_of_another_shop_is_refused_like_a_forged_one(
        operator, shop, storefront):
    mine = new_campaign(shop)
    my_spot = new_spot(shop, mine["id"])
    other = make_shop(operator, "Coffee Corner")
    theirs = new_campaign(other)
    their_spot = new_spot(other, theirs["id"])
    nino = new_customer(shop)
    before = state(shop, mine["id"], [nino])
    r = claim(storefront, shop, nino, their_spot["token"])
    refused(r, "spot_token_invalid")
    # The other shop's spot under this shop's name: the signature tells.
    renamed = their_spot["token"].replace(other.shop["id"], shop.shop["id"], 1)
    refused(claim(storefront, shop, nino, renamed), "spot_token_invalid")
    # And a spot that exists nowhere reads the same as one of another shop.
    missing = my_spot["token"].replace(my_spot["id"], their_spot["id"], 1)
    unknown = claim(storefront, shop, nino, missing)
    refused(unknown, "spot_token_invalid")
    assert error_of(unknown)["message"] == error_of(r)["message"]
    assert state(shop, mine["id"], [nino]) == before
    assert spots(other, theirs["id"])[0]["claims"] == 0


def test_treasure__an_ended_campaign_refuses_claims_as_expired(shop, storefront):
    c = new_campaign(shop)
    s = new_spot(shop, c["id"])
    nino = new_customer(shop)
    assert shop.post(f"/v1/campaigns/{c['id']}/end").status_code == 200
    before = state(shop, c["id"], [nino])
    refused(claim(storefront, shop, nino, s["token"]), "expired")
    assert state(shop, c["id"], [nino]) == before


def test_treasure__a_campaign_past_its_end_refuses_claims_as_expired(operator, shop, storefront):
    c = new_campaign(shop, ends_at="2031-11-21T00:00:00Z")
    s = new_spot(shop, c["id"])
    nino, olga = new_customer(shop), new_customer(shop)
    assert claim(storefront, shop, nino, s["token"]).status_code == 201
    set_clock(operator, "2031-11-21T00:00:00Z")
    before = state(shop, c["id"], [nino, olga])
    refused(claim(storefront, shop, olga, s["token"]), "expired")
    assert state(shop, c["id"], [nino, olga]) == before


def test_treasure__a_campaign_not_yet_started_refuses_claims_until_it_starts(
        operator, shop, storefront):
    c = new_campaign(shop, starts_at="2031-12-01T00:00:00Z")
    s = new_spot(shop, c["id"])
    nino = new_customer(shop)
    before = state(shop, c["id"], [nino])
    refused(claim(storefront, shop, nino, s["token"]), "not_started")
    assert state(shop, c["id"], [nino]) == before
    set_clock(operator, "2031-12-01T00:00:00Z")
    assert claim(storefront, shop, nino, s["token"]).status_code == 201


def test_treasure__a_draft_campaign_has_spots_but_takes_no_claims(shop, storefront):
    c = new_campaign(shop, status="draft")
    s = new_spot(shop, c["id"])
    nino = new_customer(shop)
    before = state(shop, c["id"], [nino])
    refused(claim(storefront, shop, nino, s["token"]), "campaign_not_open")
    assert state(shop, c["id"], [nino]) == before


CART = {"currency": "EUR", "lines": [{"sku": "TEA-1", "category": "green tea", "quantity": 2,
                                      "unit_price": 1000}], "shipping": 0}


def test_treasure__the_claimed_code_validates_for_its_customer_only(shop, storefront):
    c = new_campaign(shop)
    s = new_spot(shop, c["id"])
    nino, olga = new_customer(shop), new_customer(shop)
    code = claim(storefront, shop, nino, s["token"]).json()["code"]
    r = shop.post("/v1/coupons/validate", {"code": code, "customer": nino, "cart": CART})
    assert r.status_code == 200, r.text
    assert r.json()["valid"] is True and r.json()["discount"]["total"] == 300
    assert r.json()["campaign"]["id"] == c["id"]
    r = shop.post("/v1/coupons/validate", {"code": code, "customer": olga, "cart": CART})
    assert r.status_code == 200, r.text
    assert r.json()["valid"] is False and r.json()["reason"]["code"] == "not_eligible"


def test_story6__five_spots_of_100_claims_each_once_per_customer_and_a_forged_token_refused(
        shop, storefront):
    """Story 6: a treasure hunt hides five coupons on the shop's pages; each spot
    can be claimed 100 times, once per customer; a forged spot token is refused."""
    hunt = new_campaign(shop, name="Christmas treasure hunt")
    pages = ["/", "/teas/green", "/teas/black", "/about", "/gifts"]
    hidden = [new_spot(shop, hunt["id"], claims_limit=100, page=p, clue=f"look around {p}")
              for p in pages]
    customers = [new_customer(shop) for _ in range(101)]
    tokens = {who: customer_token(shop, who) for who in customers}
    codes = set()
    for s in hidden:
        for who in customers[:100]:
            r = storefront.post("/v1/treasure/claims", {"spot_token": s["token"]},
                                headers={"Customer-Token": tokens[who]})
            assert r.status_code == 201, r.text
            codes.add(r.json()["code"])
        late = storefront.post("/v1/treasure/claims", {"spot_token": s["token"]},
                               headers={"Customer-Token": tokens[customers[100]]})
        refused(late, "claims_exhausted")
    assert len(codes) == 500
    again = storefront.post("/v1/treasure/claims", {"spot_token": hidden[0]["token"]},
                            headers={"Customer-Token": tokens[customers[0]]})
    refused(again, "already_claimed")
    forged = hidden[0]["token"][:-1] + flip(hidden[0]["token"][-1])
    r = storefront.post("/v1/treasure/claims", {"spot_token": forged},
                        headers={"Customer-Token": tokens[customers[100]]})
    refused(r, "spot_token_invalid")
    assert [(x["claims"], x["remaining"]) for x in spots(shop, hunt["id"])] == [(100, 0)] * 5
    assert len(offers(shop, customers[0])) == 5
    assert offers(shop, customers[100]) == []
