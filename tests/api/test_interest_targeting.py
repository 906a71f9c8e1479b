"""Issue 12: a personal campaign issued by interest. Only customers whose
interest the shop may use count: visible to everyone, or to friends with the
customer's marketing consent; an only_me interest never, consent or not."""
import pytest

from conftest import error_of
from loyalty_helpers import set_clock
from profile_helpers import customer, put_catalogue, put_interests

START = "2031-03-01T00:00:00Z"


@pytest.fixture(autouse=True)
def clock(operator):
    set_clock(operator, "2031-03-10T12:00:00Z")


def personal(shop):
    r = shop.post("/v1/campaigns", {"name": "tea lovers", "type": "personal", "starts_at": START,
                                    "validity_days": 30, "discount": {"kind": "percent", "value": 10}})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def holders(shop):
    """One customer per (visibility, consent) pair, each holding green tea so."""
    put_catalogue(shop)
    out = {}
    for vis in ("everyone", "friends", "only_me"):
        for consent in (False, True):
            c = customer(shop, f"{vis}-{consent}@example.com", marketing_consent=consent)["id"]
            assert put_interests(shop, c, [("green_tea", vis), ("yoga", "everyone")]).status_code == 200
            out[(vis, consent)] = c
    out["none"] = customer(shop, "none@example.com", marketing_consent=True)["id"]
    return out


def holding_offer(shop, c):
    r = shop.get(f"/v1/customers/{c}/offers")
    assert r.status_code == 200
    return len(r.json()["data"]) == 1


COUNTED = {("everyone", False), ("everyone", True), ("friends", True)}


def test_targeting__an_interest_alone_reaches_every_customer_the_shop_may_target(shop):
    who = holders(shop)
    camp = personal(shop)
    r = shop.post(f"/v1/campaigns/{camp}/issue", {"interest": "green_tea"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["issued"] == 3 and body["interest"] == "green_tea" and body["not_targeted"] == 0
    for k, c in who.items():
        assert holding_offer(shop, c) is (k in COUNTED), k


def test_targeting__listed_customers_are_narrowed_by_the_interest(shop):
    who = holders(shop)
    camp = personal(shop)
    listed = list(who.values())
    r = shop.post(f"/v1/campaigns/{camp}/issue", {"customers": listed, "interest": "green_tea"})
    assert r.status_code == 200, r.text
    assert r.json()["issued"] == 3 and r.json()["not_targeted"] == len(listed) - 3
    assert not holding_offer(shop, who[("only_me", True)]), "only_me never counts, even with consent"
    assert not holding_offer(shop, who[("friends", False)]), "friends needs consent"
    again = shop.post(f"/v1/campaigns/{camp}/issue", {"customers": listed, "interest": "green_tea"}).json()
    assert again["issued"] == 0 and again["existing"] == 3


def test_targeting__withdrawn_consent_counts_at_once(shop):
    who = holders(shop)
    c = who[("friends", True)]
    shop.patch(f"/v1/customers/{c}", {"marketing_consent": False})
    camp = personal(shop)
    r = shop.post(f"/v1/campaigns/{camp}/issue", {"interest": "green_tea"})
    assert r.json()["issued"] == 2 and not holding_offer(shop, c)


def test_targeting__an_erased_or_merged_away_customer_is_never_targeted(shop):
    who = holders(shop)
    gone = who[("everyone", False)]
    keep = who[("only_me", True)]
    shop.delete(f"/v1/customers/{gone}")
    src = who[("everyone", True)]
    assert shop.post(f"/v1/customers/{keep}/merge", {"source": src}).status_code == 200
    camp = personal(shop)
    r = shop.post(f"/v1/campaigns/{camp}/issue", {"interest": "green_tea"})
    # the merge kept the stricter only_me: the survivor is not targeted either
    assert r.json()["issued"] == 1 and holding_offer(shop, who[("friends", True)])
    assert not holding_offer(shop, keep)


@pytest.mark.parametrize("interest, status", [("knitting", 400), ("Not A Key", 400)])
def test_targeting__an_unknown_interest_is_400_and_issues_nothing(shop, interest, status):
    who = holders(shop)
    camp = personal(shop)
    r = shop.post(f"/v1/campaigns/{camp}/issue", {"interest": interest})
    assert r.status_code == status and error_of(r)["param"] == "interest", r.text
    assert not any(holding_offer(shop, c) for c in who.values())
    r = shop.post(f"/v1/campaigns/{camp}/issue", {"customers": list(who.values()), "interest": interest})
    assert r.status_code == status
    assert not any(holding_offer(shop, c) for c in who.values())


def test_targeting__another_shops_interest_holders_are_not_reached(shop, operator):
    from conftest import make_shop
    other = make_shop(operator, "Other")
    theirs = holders(other)
    holders(shop)
    camp = personal(shop)
    assert shop.post(f"/v1/campaigns/{camp}/issue", {"interest": "green_tea"}).json()["issued"] == 3
    assert not any(holding_offer(other, c) for c in theirs.values())
