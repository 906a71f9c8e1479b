"""Review moderation (issue 12): a review is hidden for abuse only (spam,
profanity, personal_data, off_topic), never for its rating; every action is
in the review's append-only history, which is how the shop proves it (FTC 16
CFR §465.7); bad moderation changes nothing."""
import pytest

from conftest import error_of, make_shop
from loyalty_helpers import set_clock
from review_helpers import all_reviews, customer, history, outbox, review, showcase, storefront


@pytest.fixture(autouse=True)
def clock(operator):
    set_clock(operator, "2031-06-02T09:00:00Z")


def moderate(shop, rid, **body):
    return shop.post(f"/v1/reviews/{rid}/moderate", body)


def state(shop):
    """What a refused moderation must leave as it was."""
    return all_reviews(shop, status="any"), showcase(shop, sku="KETTLE")


def test_moderation__spam_is_hidden_from_the_list_and_the_showcase_with_its_reason(shop):
    spam = review(shop, customer(shop), 5, body="Buy followers at example.net")["id"]
    kept = review(shop, customer(shop), 1, body="It leaks.")["id"]
    r = moderate(shop, spam, action="hide", reason="spam")
    assert r.status_code == 200 and r.json()["status"] == "hidden"
    assert [x["id"] for x in all_reviews(shop)] == [kept]
    s = showcase(storefront(shop), sku="KETTLE")
    assert [x["id"] for x in s["data"]] == [kept] and s["summary"]["count"] == 1
    assert s["summary"]["distribution"] == {"1": 1, "2": 0, "3": 0, "4": 0, "5": 0}
    assert storefront(shop).get(f"/v1/reviews/{spam}").status_code == 404
    assert [x["id"] for x in all_reviews(shop, status="hidden")] == [spam]
    h = history(shop, spam)
    assert [(x["action"], x["reason"]) for x in h] == [("created", None), ("published", None),
                                                       ("hidden", "spam")]
    assert outbox(shop, "review.hidden") == [spam]


@pytest.mark.parametrize("reason", ["negative", "low_rating", "", "SPAM"])
def test_moderation__a_reason_that_is_not_abuse_is_400_naming_the_allowed_ones(shop, reason):
    rid = review(shop, customer(shop), 1, body="Terrible kettle.")["id"]
    before = state(shop)
    r = moderate(shop, rid, action="hide", reason=reason)
    assert r.status_code == 400 and error_of(r)["param"] == "reason"
    if reason:
        msg = error_of(r)["message"]
        assert all(word in msg for word in ("spam", "profanity", "personal_data", "off_topic"))
    assert state(shop) == before
    assert [x["action"] for x in history(shop, rid)] == ["created", "published"]


@pytest.mark.parametrize("body", [{"action": "delete", "reason": "spam"}, {"action": "bury"},
                                  {"action": "hide"}, {"reason": "spam"}, {},
                                  {"action": "restore", "reason": "spam"},
                                  {"action": "hide", "reason": "spam", "note": "x"}])
def test_moderation__an_unknown_or_incomplete_action_is_400_and_nothing_changes(shop, body):
    rid = review(shop, customer(shop), 2)["id"]
    before = state(shop)
    r = moderate(shop, rid, **body)
    assert r.status_code == 400, r.text
    assert state(shop) == before
    assert len(history(shop, rid)) == 2


def test_moderation__restore_brings_it_back_and_the_history_only_grows(shop):
    rid = review(shop, customer(shop), 3, body="My phone is +48 600 100 200")["id"]
    assert moderate(shop, rid, action="hide", reason="personal_data").status_code == 200
    r = moderate(shop, rid, action="hide", reason="spam")
    assert r.status_code == 409 and error_of(r)["code"] == "review_status_conflict"
    assert moderate(shop, rid, action="restore").json()["status"] == "published"
    assert moderate(shop, rid, action="restore").status_code == 409
    assert moderate(shop, rid, action="publish").status_code == 409
    assert moderate(shop, rid, action="hide", reason="off_topic").status_code == 200
    h = history(shop, rid)
    assert [x["seq"] for x in h] == list(range(1, 6))
    assert [(x["action"], x["reason"]) for x in h][2:] == [("hidden", "personal_data"),
                                                           ("restored", None), ("hidden", "off_topic")]
    assert len(set(x["at"] for x in h)) >= 1


def test_moderation__a_retried_hide_replays_and_writes_one_history_row(shop):
    rid = review(shop, customer(shop), 5)["id"]
    key = {"Idempotency-Key": "hide-1"}
    a = shop.post(f"/v1/reviews/{rid}/moderate", {"action": "hide", "reason": "profanity"}, headers=key)
    b = shop.post(f"/v1/reviews/{rid}/moderate", {"action": "hide", "reason": "profanity"}, headers=key)
    assert a.status_code == b.status_code == 200 and a.json() == b.json()
    assert [x["action"] for x in history(shop, rid)].count("hidden") == 1


def test_moderation__another_shops_review_is_404(shop, operator):
    other = make_shop(operator, "Other")
    rid = review(other, customer(other), 1)["id"]
    r = moderate(shop, rid, action="hide", reason="spam")
    assert r.status_code == 404
    assert shop.get(f"/v1/reviews/{rid}/history").status_code == 404
    assert all_reviews(other)[0]["status"] == "published"


def test_moderation__the_storefront_cannot_moderate(shop):
    rid = review(shop, customer(shop), 1)["id"]
    r = storefront(shop).post(f"/v1/reviews/{rid}/moderate", {"action": "hide", "reason": "spam"})
    assert r.status_code == 403
    assert all_reviews(shop)[0]["status"] == "published"
