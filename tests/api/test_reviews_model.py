"""A property of reviews (issue 12): for random sets of reviews and
moderation actions (good and bad reasons, restores, publishes, votes), the
distribution shown with the showcase always equals the distribution of all
published reviews (a model kept beside the server, and the list), hidden
reviews are exactly those whose last moderation was a hide, and no review
is hidden without an abuse reason in its history.

RETAIN_REVIEW_EXAMPLES (default 12) and RETAIN_REVIEW_STEPS (default 25) make
it longer, e.g. RETAIN_REVIEW_EXAMPLES=300 RETAIN_REVIEW_STEPS=60."""
import os
from collections import Counter

from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, \
    run_state_machine_as_test

from conftest import make_shop
from review_helpers import all_reviews, customer, history, showcase

EXAMPLES = int(os.environ.get("RETAIN_REVIEW_EXAMPLES", "12"))
STEPS = int(os.environ.get("RETAIN_REVIEW_STEPS", "25"))
ABUSE = ["spam", "profanity", "personal_data", "off_topic"]
NOT_ABUSE = ["negative", "low_rating", "competitor", "rude_to_us"]
SKUS = ["KETTLE", "CUP", "TEA"]


def distribution(ratings):
    c = Counter(ratings)
    return {str(i): c.get(i, 0) for i in range(1, 6)}


def test_reviews_model__the_showcase_distribution_is_the_published_one(operator):
    class ReviewMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.shop = make_shop(operator, "Model")
            self.customers = [customer(self.shop) for _ in range(3)]
            self.reviews = {}           # id -> [sku, rating, status]
            self.written = set()        # (customer, sku)
            self.manual = False

        @rule(manual=st.booleans())
        def switch_moderation(self, manual):
            r = self.shop.request("PUT", "/v1/reviews/settings",
                                  {"moderation": "manual" if manual else "auto"})
            assert r.status_code == 200
            self.manual = manual

        @rule(who=st.integers(0, 2), sku=st.sampled_from(SKUS), rating=st.integers(-1, 7))
        def write(self, who, sku, rating):
            cid = self.customers[who]
            r = self.shop.post("/v1/reviews", {"customer": cid, "sku": sku, "rating": rating})
            if not 1 <= rating <= 5:
                assert r.status_code == 400
            elif (cid, sku) in self.written:
                assert r.status_code == 409
            else:
                assert r.status_code == 201, r.text
                self.written.add((cid, sku))
                self.reviews[r.json()["id"]] = [sku, rating, "pending" if self.manual else "published"]

        @precondition(lambda self: self.reviews)
        @rule(data=st.data(), action=st.sampled_from(["hide", "restore", "publish", "bury"]),
              reason=st.sampled_from(ABUSE + NOT_ABUSE + [None]))
        def moderate(self, data, action, reason):
            rid = data.draw(st.sampled_from(sorted(self.reviews)))
            body = {"action": action, **({"reason": reason} if reason else {})}
            r = self.shop.post(f"/v1/reviews/{rid}/moderate", body)
            status = self.reviews[rid][2]
            ok = {"hide": status != "hidden" and reason in ABUSE,
                  "restore": status == "hidden" and reason is None,
                  "publish": status == "pending" and reason is None}.get(action, False)
            if ok:
                assert r.status_code == 200, r.text
                self.reviews[rid][2] = "hidden" if action == "hide" else "published"
            else:
                assert r.status_code in (400, 409), (body, status, r.text)

        @precondition(lambda self: self.reviews)
        @rule(data=st.data(), who=st.integers(0, 2), helpful=st.booleans())
        def vote(self, data, who, helpful):
            rid = data.draw(st.sampled_from(sorted(self.reviews)))
            r = self.shop.post(f"/v1/reviews/{rid}/votes", {"customer": self.customers[who],
                                                           "helpful": helpful})
            assert r.status_code in (200, 409, 422), r.text

        @invariant()
        def the_showcase_shows_the_true_distribution(self):
            for sku in SKUS + [None]:
                want = [v[1] for v in self.reviews.values()
                        if v[2] == "published" and (sku is None or v[0] == sku)]
                s = showcase(self.shop, sku=sku, limit=100)
                assert s["summary"]["distribution"] == distribution(want)
                assert s["summary"]["count"] == len(want) and s["summary"]["sum"] == sum(want)
                assert sorted(x["rating"] for x in s["data"]) == sorted(want)
                shown = [(x["rating"], x["votes"]["helpful"]) for x in s["data"]]
                assert shown == sorted(shown, key=lambda t: (-t[0], -t[1])), "best first"
            listed = Counter(x["rating"] for x in all_reviews(self.shop))
            assert distribution(listed.elements()) == \
                distribution(v[1] for v in self.reviews.values() if v[2] == "published")

        @invariant()
        def no_review_is_hidden_without_an_abuse_reason(self):
            hidden = {x["id"] for x in all_reviews(self.shop, status="hidden")}
            assert hidden == {k for k, v in self.reviews.items() if v[2] == "hidden"}
            for rid in hidden:
                h = history(self.shop, rid)
                moves = [x for x in h if x["action"] in ("hidden", "restored", "published")]
                assert moves[-1]["action"] == "hidden" and moves[-1]["reason"] in ABUSE
                assert [x["seq"] for x in h] == list(range(1, len(h) + 1))

    run_state_machine_as_test(ReviewMachine, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, database=None))
