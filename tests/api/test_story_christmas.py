"""Story 6 (SCENARIOS.md): Christmas, prepared in November. A seasonal campaign
is scheduled on 15 November for 1-24 December; gold-tier customers see it from
27 November (early access). A treasure hunt hides five coupons on the shop's
pages; each spot can be claimed 100 times, once per customer; a forged spot
token is refused. Written from the issue text alone (issue 10); its readings
of open shapes are marked `# assumption:` here and in coupon_helpers.py."""
from conftest import error_of
from coupon_helpers import (campaign_of, cart, claim_spot, create_campaign, customer, offer_of, order, paid_order,
                            pay, reason, redeem, set_clock, storefront, validate)
from loyalty_helpers import loyalty, set_program

WARSAW = "Europe/Warsaw"
START, END = "2031-12-01T00:00:00+01:00", "2031-12-24T23:59:59+01:00"     # in Warsaw


def test_christmas_is_prepared_in_november_gold_sees_it_first_and_the_hunt_holds(operator, shop):
    set_clock(operator, "2031-11-15T09:00:00Z")
    set_program(shop, pending_days=0,
                tiers={"basis": "order_count", "window_days": 365, "downgrade": "recalculate",
                       "levels": [{"name": "silver", "threshold": 1},
                                  {"name": "gold", "threshold": 3, "early_access": True}]})
    zofia, marek = customer(shop, name="Zofia"), customer(shop, name="Marek")
    for _ in range(3):
        paid_order(shop, zofia["id"])
    paid_order(shop, marek["id"])
    assert loyalty(shop, zofia["id"])["tier"]["name"] == "gold"
    assert loyalty(shop, marek["id"])["tier"]["name"] == "silver"

    # 15 November: the marketer prepares Christmas, wall-clock times in Warsaw.
    # adapted: RFC 3339 times carry their offset (phase 1 wrote them without one, read in
    # `timezone`; the API refuses that with 400).
    xmas = create_campaign(shop, name="Christmas 2031", type="seasonal", code="GWIAZDKA31",
                           timezone=WARSAW, starts_at=START, ends_at=END,
                           discount={"kind": "percent", "value": 15},
                           targeting={"all": True, "early_access": {"tiers": ["gold"], "days": 4}})
    assert [c["id"] for c in shop.get("/v1/campaigns").json()["data"]] == [xmas["id"]]
    assert reason(shop, "GWIAZDKA31", zofia["id"]) == "not_started"
    assert offer_of(shop, zofia["id"], xmas["id"]) is None

    # The treasure hunt: five spots on five pages, 100 claims each.
    hunt = create_campaign(shop, name="Christmas treasure", type="treasure_hunt", timezone=WARSAW,
                           starts_at=START, ends_at=END,
                           discount={"kind": "fixed", "value": 1000, "currency": "EUR"})
    spots = []
    for i, page in enumerate(["/teas/sencha", "/teas/puerh", "/teaware/kyusu", "/about", "/blog/advent"]):
        r = shop.post(f"/v1/campaigns/{hunt['id']}/spots",
                      {"page": page, "clue": f"the {i + 1}. star", "claims_limit": 100})
        assert r.status_code == 201, r.text
        spots.append(r.json()["token"])
    assert len(set(spots)) == 5

    # 26 November, one second before midnight in Warsaw: not yet, even for gold.
    set_clock(operator, "2031-11-26T22:59:59Z")
    assert reason(shop, "GWIAZDKA31", zofia["id"]) == "not_started"
    # 27 November in Warsaw: gold sees Christmas on the storefront and may use it.
    set_clock(operator, "2031-11-26T23:00:00Z")
    sf = storefront(shop, zofia["id"])
    r = sf.get(f"/v1/customers/{zofia['id']}/offers", headers={"Customer-Token": sf.token})
    assert r.status_code == 200, r.text
    assert xmas["id"] in [campaign_of(o) for o in r.json()["data"]]
    assert offer_of(shop, marek["id"], xmas["id"]) is None
    assert reason(shop, "GWIAZDKA31", marek["id"]) == "not_started"
    early = order(shop, zofia["id"])
    red = redeem(shop, "GWIAZDKA31", zofia["id"], early["id"])
    assert red["discount"]["total"] == 495                     # 15 % of 33.00 EUR
    pay(shop, early)
    # the hunt has not begun: early access is the seasonal campaign's, not the hunt's
    r = claim_spot(shop, zofia["id"], spots[0])
    assert r.status_code == 422 and error_of(r)["code"] == "not_started", r.text

    # 1 December: everyone.
    set_clock(operator, "2031-11-30T23:00:00Z")
    assert validate(shop, "GWIAZDKA31", marek["id"])["valid"]
    assert offer_of(shop, marek["id"], xmas["id"]) is not None

    # The hunt: Marek finds two spots; each once.
    r = claim_spot(shop, marek["id"], spots[0])
    assert r.status_code == 201, r.text
    first = r.json()["code"]
    v = validate(shop, first, marek["id"], cart())
    assert v["valid"] and v["discount"]["total"] == 1000
    again = claim_spot(shop, marek["id"], spots[0])
    # assumption: the second claim's code is `already_claimed`.
    assert again.status_code == 422 and error_of(again)["code"] == "already_claimed", again.text
    r = claim_spot(shop, marek["id"], spots[1])
    assert r.status_code == 201 and r.json()["code"] != first

    # A forged spot token (someone edits the one on the page) is refused.
    t = spots[2]
    forged = t[:-2] + ("AA" if not t.endswith("AA") else "BB")
    r = claim_spot(shop, zofia["id"], forged)
    # assumption: a token retain did not sign is `spot_token_invalid`.
    assert r.status_code == 422 and error_of(r)["code"] == "spot_token_invalid", r.text
    assert offer_of(shop, zofia["id"], hunt["id"]) is None

    # The third spot is claimed 100 times (Marek's are on other spots); the 101st is refused.
    finders = [customer(shop) for _ in range(101)]
    codes = set()
    for f in finders[:100]:
        r = claim_spot(shop, f["id"], spots[2])
        assert r.status_code == 201, r.text
        codes.add(r.json()["code"])
    assert len(codes) == 100
    r = claim_spot(shop, finders[100]["id"], spots[2])
    # adapted (docs/coupons.md): the cap's code is `claims_exhausted` (phase 1: `limit_reached`).
    assert r.status_code == 422 and error_of(r)["code"] == "claims_exhausted", r.text
    assert offer_of(shop, finders[100]["id"], hunt["id"]) is None
    # the other spots still hold their own 100
    assert claim_spot(shop, finders[100]["id"], spots[3]).status_code == 201

    # 25 December in Warsaw: Christmas is over, and so is the hunt.
    set_clock(operator, "2031-12-24T23:00:01Z")
    assert reason(shop, "GWIAZDKA31", marek["id"]) == "expired"
    r = claim_spot(shop, zofia["id"], spots[4])
    assert r.status_code == 422 and error_of(r)["code"] == "expired", r.text
