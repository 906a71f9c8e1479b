"""Issue 12's property, black box: for random sets of reviews (ratings 1-5,
verified or not, on two products) and random moderation actions (hide or
restore with an abuse reason, and refused attempts: a hide for "negative",
for a rating, or with no reason at all), the distribution shown with the
showcase always equals the distribution of all published reviews (as the
model counts them and as GET /v1/reviews?status=published lists them), the
average and count beside it are theirs too, and no review is hidden without
an abuse reason in its history.

RETAIN_REVIEW_EXAMPLES sets the number of examples (8 by default, as
`make test` runs it; each is a new shop on the module's server)."""
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_shop
from bb12_helpers import (ABUSE_REASONS, assert_summary, bought, customer, history, moderate_raw, review,
                            review_ids, set_clock, showcase, summary, true_summary)

EXAMPLES = int(os.environ.get("RETAIN_REVIEW_EXAMPLES", "8"))
SKUS = ("SENCHA", "PUERH")
REFUSED = ("negative", "low_rating", "", None)

reviews_st = st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 5), st.booleans()), min_size=1, max_size=8)
actions_st = st.lists(st.tuples(st.integers(0, 7), st.sampled_from(["hide", "restore", "hide"]),
                                st.sampled_from(ABUSE_REASONS + REFUSED)), max_size=12)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])
@given(made=reviews_st, actions=actions_st)
def test_model__the_showcase_distribution_is_that_of_every_published_review_and_no_hide_lacks_an_abuse_reason(
        operator, made, actions):
    set_clock(operator, "2031-06-02T08:00:00Z")
    shop = make_shop(operator, "Model tea")
    model = []                                   # [id, sku, rating, published]
    for sku, rating, verified in made:
        who = customer(shop)["id"]
        if verified:
            bought(shop, who, [{"sku": sku}])
        rv = review(shop, who, rating, sku=sku)
        assert rv["verified_buyer"] is verified
        model.append([rv["id"], sku, rating, True])

    for index, action, reason in actions:
        rid, sku, rating, published = model[index % len(model)]
        r = moderate_raw(shop, rid, action, reason)
        if action == "hide":
            if reason not in ABUSE_REASONS:
                assert r.status_code == 400, r.text    # never for a rating, never without a reason
                continue
            if not published:                          # hidden already: done, or a conflict
                assert r.status_code in (200, 409, 422), r.text
                continue
            assert r.status_code == 200, r.text
            model[index % len(model)][3] = False
            continue
        # a restore: whether it takes a reason is open (a reason that is not an abuse
        # reason, or any reason, or none, may be refused as bad input); a refused one
        # changes nothing, which the checks below hold it to
        if r.status_code == 400:
            assert r.json()["error"]["param"] == "reason", r.text
            continue
        if published:                                  # shown already: done, or a conflict
            assert r.status_code in (200, 409, 422), r.text
            continue
        assert r.status_code == 200, r.text
        model[index % len(model)][3] = True

    for sku in SKUS:
        published = [m for m in model if m[1] == sku and m[3]]
        hidden = [m for m in model if m[1] == sku and not m[3]]
        sc = showcase(shop, sku)
        assert_summary(sc, [m[2] for m in published])
        assert review_ids(shop, sku=sku, status="published") == {m[0] for m in published}
        assert review_ids(shop, sku=sku, status="hidden") == {m[0] for m in hidden}
        listed = [m for m in model if m[0] in review_ids(shop, sku=sku, status="published")]
        assert summary(sc)[2] == true_summary([m[2] for m in listed])[2]
        for rid, _, _, _ in hidden:
            trail = history(shop, rid)
            assert trail and trail[-1]["action"] == "hide", trail
            assert all(e["reason"] in ABUSE_REASONS for e in trail if e["action"] == "hide"), trail
