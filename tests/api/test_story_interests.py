"""Story 7 (SCENARIOS.md): my interests, my rules. Sofia lists her interests:
green tea (everyone), yoga (friends only), a health condition (only me). A
stranger opening her profile from her review sees green tea; her friend sees
green tea and yoga; the shop targets offers only with her consent. Her
recommendations come from what she and similar customers bought and what she
searched. Written from the issue text alone (issue 12); its readings of open
shapes are marked `# assumption:` in bb12_helpers.py and
test_profiles_contract.py (offers by interest)."""
from coupon_helpers import campaign_of, create_campaign, offers
from bb12_helpers import (SOFIA, accept, author_profile, befriend, bought, by_sku, customer, mentions,
                            public_storefront, reason_of, recommendations, review, search, seen_by,
                            set_catalogue, set_clock, set_interests, showcase, showcase_items, viewer)

GREEN = {"sku": "SENCHA", "name": "Sencha Asamushi", "category": "green tea"}
KYUSU = {"sku": "KYUSU", "name": "Kyusu teapot", "category": "teaware"}
OOLONG = {"sku": "OOLONG", "name": "Milk oolong", "category": "oolong"}
MAT = {"sku": "YOGA-MAT", "name": "Cork yoga mat", "category": "yoga"}


def because(items, sku, kind, named):
    return any(k == kind and mentions(d, named)
               for k, d in (reason_of(it) for it in items if it["sku"] == sku))


def issued_to(shop, campaign_id, interest):
    # assumption (as in test_profiles_contract.py): the issue call takes `interest`.
    r = shop.post(f"/v1/campaigns/{campaign_id}/issue", {"interest": interest})
    assert r.status_code == 200, r.text
    return r.json()["issued"]


def test_sofias_interests_follow_her_rules_on_her_profile_in_offers_and_in_her_recommendations(operator, shop):
    set_clock(operator, "2031-06-02T08:00:00Z")
    set_catalogue(shop)
    # Other customers of the shop: sencha goes with a kyusu; oolong and yoga mats sell too.
    for _ in range(3):
        bought(shop, customer(shop)["id"], [GREEN, KYUSU])
    bought(shop, customer(shop)["id"], [OOLONG])
    bought(shop, customer(shop)["id"], [MAT])

    sofia = customer(shop, name="Sofia Marino")["id"]
    bought(shop, sofia, [GREEN])

    # Sofia lists her interests on the storefront, signed in with her token.
    mine = viewer(shop, sofia)
    set_interests(mine, sofia, SOFIA, token=mine.token)
    assert seen_by(mine, sofia) == {"green_tea", "yoga", "migraine"}

    # She reviews her sencha.
    rv = review(shop, sofia, 5, sku="SENCHA", body="My morning cup, every day.")
    assert rv["verified_buyer"] is True

    # Marco, a stranger, opens her profile from her review on the product page.
    marco = customer(shop, name="Marco")["id"]
    sc = showcase(public_storefront(shop), "SENCHA")
    [shown] = [x for x in showcase_items(sc) if x["id"] == rv["id"]]
    assert not mentions(sc, "yoga") and not mentions(sc, "migraine")
    pid = author_profile(shown)
    assert seen_by(viewer(shop, marco), pid) == {"green_tea"}

    # Lena asks to be her friend; until Sofia accepts, Lena sees what Marco sees.
    lena = customer(shop, name="Lena")["id"]
    befriend(shop, lena, sofia)
    assert seen_by(viewer(shop, lena), pid) == {"green_tea"}
    accept(shop, sofia, lena)
    assert seen_by(viewer(shop, lena), pid) == {"green_tea", "yoga"}
    assert seen_by(viewer(shop, marco), pid) == {"green_tea"}

    # The shop plans a yoga week. Without Sofia's consent it sees only her green tea,
    # and its offers by interest do not reach her.
    assert seen_by(shop, sofia) == {"green_tea"}
    yoga_week = create_campaign(shop, type="personal", name="Yoga week")
    assert issued_to(shop, yoga_week["id"], "yoga") == 0
    assert not any(campaign_of(o) == yoga_week["id"] for o in offers(shop, sofia))

    # She gives her consent: now the yoga offer reaches her; her health condition stays
    # hers alone, for targeting too.
    r = shop.patch(f"/v1/customers/{sofia}", {"marketing_consent": True})
    assert r.status_code == 200 and r.json()["marketing_consent"] is True, r.text
    assert seen_by(shop, sofia) == {"green_tea", "yoga"}
    assert issued_to(shop, yoga_week["id"], "yoga") == 1
    assert any(campaign_of(o) == yoga_week["id"] for o in offers(shop, sofia))
    care = create_campaign(shop, type="personal", name="Migraine care")
    assert issued_to(shop, care["id"], "migraine") == 0
    assert seen_by(viewer(shop, marco), pid) == {"green_tea"}, "consent is for the shop, not for strangers"

    # Her recommendations: what customers like her bought with her sencha, and what she searched.
    set_clock(operator, "2031-06-02T08:30:00Z")        # adapted: activity is stamped at most 5 min ahead
    search(shop, sofia, "oolong", at="2031-06-02T08:30:00Z")
    items = recommendations(shop, sofia)
    assert because(items, "KYUSU", "bought_together", "SENCHA"), items
    assert because(items, "OOLONG", "matches_search", "oolong"), items
    assert "SENCHA" not in by_sku(items), "never what she already bought"
    for it in items:
        kind, details = reason_of(it)
        assert not (kind == "matches_interest" and mentions(details, "migraine")), it
