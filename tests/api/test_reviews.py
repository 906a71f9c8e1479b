"""Reviews (issue 12): a review of a SKU or of an order, verified buyers,
incentivized reviews (the programme's review bonus, the shop's coupon), one
review per customer per subject, the list with its cursor, replies and votes,
the showcase beside the true distribution (story 5), what an erasure and a
merge do, the customer overview and the review report."""
import pytest

from conftest import connect_db, error_of, make_shop
from loyalty_helpers import loyalty, set_clock, set_program
from review_helpers import (all_reviews, bought, customer, history, outbox, review, showcase,
                            storefront, token)


@pytest.fixture(autouse=True)
def clock(operator):
    set_clock(operator, "2031-06-02T09:00:00Z")


def test_review__ninos_verified_five_stars_are_published_at_once(shop):
    nino = customer(shop, "nino@example.com")
    bought(shop, nino, "KETTLE")
    r = review(shop, nino, 5, title="Boils in a minute", body="Quiet and fast.",
               photos=["https://img.example.com/k1.jpg"])
    assert r["status"] == "published" and r["verified_buyer"] is True and r["rating"] == 5
    assert r["author"] == {"customer": nino, "display_name": None, "profile": f"/v1/profiles/{nino}"}
    assert r["photos"] == ["https://img.example.com/k1.jpg"] and r["incentivized"] is False
    assert shop.get(f"/v1/reviews/{r['id']}").json()["body"] == "Quiet and fast."
    assert [x["action"] for x in history(shop, r["id"])] == ["created", "published"]
    assert outbox(shop, "review.created") == [r["id"]]


def test_review__only_a_paid_line_not_wholly_refunded_makes_a_verified_buyer(shop):
    stranger, unpaid, refunded, partly = (customer(shop) for _ in range(4))
    bought(shop, unpaid, pay=False)
    o = bought(shop, refunded)
    assert shop.post(f"/v1/orders/{o['id']}/refunds", {"external_id": "rf-1",
                                                      "lines": [{"sku": "KETTLE", "quantity": 1}]}
                     ).status_code == 201
    p = bought(shop, partly, quantity=2)
    shop.post(f"/v1/orders/{p['id']}/refunds", {"external_id": "rf-2",
                                               "lines": [{"sku": "KETTLE", "quantity": 1}]})
    marks = {c: review(shop, c, 4)["verified_buyer"] for c in (stranger, unpaid, refunded, partly)}
    assert marks == {stranger: False, unpaid: False, refunded: False, partly: True}
    assert len(all_reviews(shop)) == 4, "every review is published, verified or not"


def test_review__an_order_review_covers_the_order(shop):
    c = customer(shop)
    paid, unpaid = bought(shop, c), bought(shop, c, pay=False)
    r = review(shop, c, 4, sku=None, order=paid["id"])
    assert r["order"] == paid["id"] and r["sku"] is None and r["verified_buyer"] is True
    assert review(shop, c, 3, sku=None, order=unpaid["id"])["verified_buyer"] is False


def test_review__another_shops_order_is_404_and_nothing_changes(shop, operator):
    other = make_shop(operator, "Other")
    theirs = bought(other, customer(other))
    c = customer(shop)
    before = all_reviews(shop)
    r = shop.post("/v1/reviews", {"customer": c, "order": theirs["id"], "rating": 1})
    assert r.status_code == 404 and error_of(r)["param"] == "order"
    mine = bought(shop, customer(shop))
    r = shop.post("/v1/reviews", {"customer": c, "order": mine["id"], "rating": 1})
    assert r.status_code == 400 and "another customer" in error_of(r)["message"]
    assert all_reviews(shop) == before == []
    assert all_reviews(other) == []


@pytest.mark.parametrize("rating", [0, 6, -1, 2.5, "5", None])
def test_review__a_rating_outside_1_to_5_is_400_and_nothing_changes(shop, rating):
    c = customer(shop)
    review(shop, c, 5, sku="CUP")
    before = all_reviews(shop)
    r = shop.post("/v1/reviews", {"customer": c, "sku": "KETTLE", "rating": rating})
    assert r.status_code == 400 and error_of(r)["param"] == "rating"
    assert all_reviews(shop) == before
    assert showcase(shop)["summary"]["count"] == 1


def test_review__exactly_one_of_sku_and_order(shop):
    c = customer(shop)
    o = bought(shop, c)
    for body in ({"customer": c, "rating": 5}, {"customer": c, "rating": 5, "sku": "K", "order": o["id"]}):
        r = shop.post("/v1/reviews", body)
        assert r.status_code == 400 and "exactly one" in error_of(r)["message"]
    r = shop.post("/v1/reviews", {"customer": c, "sku": "K", "rating": 5, "photos": ["ftp://x/y.jpg"]})
    assert r.status_code == 400 and error_of(r)["param"] == "photos"
    r = shop.post("/v1/reviews", {"customer": "cus_nobody", "sku": "K", "rating": 5})
    assert r.status_code == 404 and error_of(r)["param"] == "customer"
    assert all_reviews(shop) == []


def test_review__one_per_customer_per_product_and_a_retry_replays(shop):
    c = customer(shop)
    key = {"Idempotency-Key": "review-1"}
    body = {"customer": c, "sku": "KETTLE", "rating": 5}
    first = shop.post("/v1/reviews", body, headers=key)
    again = shop.post("/v1/reviews", body, headers=key)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    r = shop.post("/v1/reviews", dict(body, rating=1))
    assert r.status_code == 409 and error_of(r)["code"] == "review_exists"
    assert first.json()["id"] in error_of(r)["message"]
    assert len(all_reviews(shop)) == 1
    assert review(shop, c, 4, sku="CUP")["sku"] == "CUP", "another product is another review"


def test_review__the_review_bonus_is_given_by_the_write_and_marks_it_incentivized(shop):
    set_program(shop, bonuses=[{"action": "review", "points": 50, "per_customer_limit": 1}])
    c = customer(shop)
    first = review(shop, c, 5, sku="KETTLE")
    assert first["incentivized"] is True and first["incentive"] == {"points": 50, "by_shop": False}
    assert loyalty(shop, c)["points"]["available"] == 50
    second = review(shop, c, 4, sku="CUP")
    assert second["incentivized"] is False and second["incentive"]["points"] == 0, "limit 1"
    assert loyalty(shop, c)["points"]["available"] == 50
    coupon = review(shop, c, 4, sku="TEA", incentivized=True)
    assert coupon["incentivized"] is True and coupon["incentive"] == {"points": 0, "by_shop": True}


def test_review__without_a_review_bonus_nothing_is_credited(shop):
    set_program(shop)
    c = customer(shop)
    assert review(shop, c, 5)["incentivized"] is False
    assert loyalty(shop, c)["points"]["available"] == 0


def test_review__the_storefront_writes_for_its_customer_only(shop):
    a, b = customer(shop), customer(shop)
    store = storefront(shop)
    headers = {"Customer-Token": token(shop, a)}
    r = store.post("/v1/reviews", {"customer": a, "sku": "KETTLE", "rating": 4}, headers=headers)
    assert r.status_code == 201 and "ticket" not in r.json()
    r = store.post("/v1/reviews", {"customer": b, "sku": "KETTLE", "rating": 1}, headers=headers)
    assert r.status_code == 403
    r = store.post("/v1/reviews", {"customer": a, "sku": "CUP", "rating": 5, "incentivized": True},
                   headers=headers)
    assert r.status_code == 403 and error_of(r)["param"] == "incentivized"
    assert store.post("/v1/reviews", {"customer": a, "sku": "CUP", "rating": 5}).status_code == 401
    assert len(all_reviews(shop)) == 1


def test_review__the_list_pages_every_published_review_of_every_rating(shop):
    ids = [review(shop, customer(shop), rating=1 + i % 5, sku="KETTLE")["id"] for i in range(7)]
    review(shop, customer(shop), 5, sku="CUP")
    page = shop.get("/v1/reviews?sku=KETTLE&limit=3").json()
    assert page["object"] == "list" and page["has_more"] is True and len(page["data"]) == 3
    got = all_reviews(shop, sku="KETTLE")
    assert [x["id"] for x in got] == ids[::-1], "newest first, every rating"
    assert [x["rating"] for x in all_reviews(shop, sku="KETTLE", rating=1)] == [1, 1]
    assert len(all_reviews(shop)) == 8
    for bad in ("rating=0", "rating=6", "status=gone", "limit=0"):
        assert shop.get(f"/v1/reviews?{bad}").status_code == 400, bad


def test_review__the_storefront_lists_published_reviews_and_public_replies(shop):
    rid = review(shop, customer(shop), 2)["id"]
    shop.post(f"/v1/reviews/{rid}/replies", {"body": "So sorry: a new one is on its way.", "public": True})
    shop.post(f"/v1/reviews/{rid}/replies", {"body": "Internal: refund approved.", "public": False})
    store = storefront(shop)
    seen = store.get("/v1/reviews?sku=KETTLE").json()["data"]
    assert [x["body"] for x in seen[0]["replies"]] == ["So sorry: a new one is on its way."]
    assert "reply_due_at" not in seen[0] and "ticket" not in seen[0]
    assert len(shop.get(f"/v1/reviews/{rid}").json()["replies"]) == 2
    assert store.get("/v1/reviews?status=hidden").status_code == 403
    assert store.get(f"/v1/reviews/{rid}/history").status_code == 403


def test_review__one_vote_per_customer_and_it_can_change(shop):
    author, voter = customer(shop), customer(shop)
    rid = review(shop, author, 5)["id"]
    r = shop.post(f"/v1/reviews/{rid}/votes", {"customer": voter, "helpful": True})
    assert r.status_code == 200 and r.json()["votes"] == {"helpful": 1, "unhelpful": 0}
    shop.post(f"/v1/reviews/{rid}/votes", {"customer": voter, "helpful": True})
    r = shop.post(f"/v1/reviews/{rid}/votes", {"customer": voter, "helpful": False})
    assert r.json()["votes"] == {"helpful": 0, "unhelpful": 1}
    r = shop.post(f"/v1/reviews/{rid}/votes", {"customer": author, "helpful": True})
    assert r.status_code == 422 and error_of(r)["code"] == "own_review"
    r = shop.post(f"/v1/reviews/{rid}/votes", {"customer": voter, "helpful": "yes"})
    assert r.status_code == 400
    gone = customer(shop)
    shop.delete(f"/v1/customers/{gone}")
    r = shop.post(f"/v1/reviews/{rid}/votes", {"customer": gone, "helpful": True})
    assert r.status_code == 409 and error_of(r)["code"] == "customer_inactive"
    assert shop.get(f"/v1/reviews/{rid}").json()["votes"] == {"helpful": 0, "unhelpful": 1}


def test_review__the_showcase_lists_the_best_first_beside_the_true_distribution(shop):
    nino, low, mid, voter = (customer(shop) for _ in range(4))
    bought(shop, nino)
    best = review(shop, nino, 5, body="Perfect.")["id"]
    unverified = review(shop, customer(shop), 5)["id"]
    one = review(shop, low, 1, body="Broke after a week.")["id"]
    three = review(shop, mid, 3)["id"]
    review(shop, customer(shop), 4, sku="CUP")
    shop.post(f"/v1/reviews/{three}/votes", {"customer": voter, "helpful": True})
    s = showcase(storefront(shop), sku="KETTLE")
    assert [x["id"] for x in s["data"]] == [best, unverified, three, one]
    assert s["summary"] == {"count": 4, "sum": 14, "average": 3.5,
                            "distribution": {"1": 1, "2": 0, "3": 1, "4": 0, "5": 2}}
    assert showcase(shop, sku="KETTLE", limit=1)["summary"]["count"] == 4, "the summary is of all"
    assert len(showcase(shop, sku="KETTLE", limit=1)["data"]) == 1
    whole = showcase(shop)
    assert whole["summary"]["count"] == 5 and whole["summary"]["distribution"]["4"] == 1
    assert one in [x["id"] for x in all_reviews(storefront(shop), sku="KETTLE")]


def test_review__manual_moderation_keeps_a_review_pending_until_published(shop):
    r = shop.request("PUT", "/v1/reviews/settings", {"moderation": "manual"})
    assert r.status_code == 200 and r.json()["moderation"] == "manual"
    rid = review(shop, customer(shop), 4)
    assert rid["status"] == "pending"
    assert showcase(shop)["summary"]["count"] == 0 and all_reviews(shop) == []
    r = shop.post(f"/v1/reviews/{rid['id']}/moderate", {"action": "publish"})
    assert r.status_code == 200 and r.json()["status"] == "published"
    assert showcase(shop)["summary"]["count"] == 1
    assert [x["action"] for x in history(shop, rid["id"])] == ["created", "published"]


def test_review__an_erasure_keeps_the_stars_and_blanks_the_words_and_the_author(shop):
    gone, voter = customer(shop), customer(shop)
    rid = review(shop, gone, 1, title="Awful", body="Call me on +48 600 100 200",
                 photos=["https://img.example.com/me.jpg"])["id"]
    shop.post(f"/v1/reviews/{rid}/replies", {"body": "Sorry, Anna."})
    review(shop, voter, 5)
    before = showcase(shop, sku="KETTLE")["summary"]
    assert shop.delete(f"/v1/customers/{gone}").status_code == 200
    r = shop.get(f"/v1/reviews/{rid}").json()
    assert r["rating"] == 1 and r["status"] == "published" and r["author"] is None
    assert (r["title"], r["body"], r["photos"], r["author_erased"]) == (None, None, [], True)
    assert [x["body"] for x in r["replies"]] == [""]
    assert showcase(shop, sku="KETTLE")["summary"] == before, "the distribution stays true"
    assert history(shop, rid)[-1]["action"] == "erased"
    with pytest.raises(AssertionError):
        review(shop, gone, 5, sku="CUP")


def test_review__a_merge_moves_reviews_and_votes_to_the_survivor(shop):
    keep, dup, author = customer(shop), customer(shop), customer(shop)
    mine = review(shop, dup, 4)["id"]
    rid = review(shop, author, 5, sku="CUP")["id"]
    shop.post(f"/v1/reviews/{rid}/votes", {"customer": keep, "helpful": True})
    shop.post(f"/v1/reviews/{rid}/votes", {"customer": dup, "helpful": True})
    assert shop.get(f"/v1/reviews/{rid}").json()["votes"]["helpful"] == 2
    r = shop.post(f"/v1/customers/{keep}/merge", {"source": dup})
    assert r.status_code == 200, r.text
    assert shop.get(f"/v1/reviews/{mine}").json()["author"]["customer"] == keep
    assert shop.get(f"/v1/reviews/{rid}").json()["votes"]["helpful"] == 1, "one person, one vote"
    assert [x["id"] for x in all_reviews(shop, customer=keep)] == [mine]


def test_review__the_customer_overview_has_the_reviews(shop):
    c = customer(shop)
    review(shop, c, 5)
    review(shop, c, 2, sku="CUP")
    o = shop.get(f"/v1/customers/{c}/overview")
    assert o.status_code == 200, o.text
    s = o.json()["reviews"]
    assert (s["count"], s["published"], s["hidden"], s["average_rating"]) == (2, 2, 0, 3.5)
    assert [x["sku"] for x in s["latest"]] == ["CUP", "KETTLE"]


def test_review__the_report_gives_rating_reply_time_and_negatives_answered_in_time(shop, operator):
    set_clock(operator, "2031-06-02T09:00:00Z")
    fast = review(shop, customer(shop), 1)["id"]
    slow = review(shop, customer(shop), 2, sku="CUP")["id"]
    review(shop, customer(shop), 5, sku="TEA")
    set_clock(operator, "2031-06-02T10:00:00Z")
    shop.post(f"/v1/reviews/{fast}/replies", {"body": "Sorry: a new one is on its way."})
    set_clock(operator, "2031-06-05T09:00:00Z")
    shop.post(f"/v1/reviews/{slow}/replies", {"body": "Sorry for the wait."})
    set_clock(operator, "2031-07-01T09:00:00Z")
    review(shop, customer(shop), 4, sku="MUG")
    r = shop.get("/v1/reports/reviews?from=2031-06-01")
    assert r.status_code == 200, r.text
    rep = r.json()
    june, july = rep["by_month"]
    assert (june["month"], june["reviews"], june["average_rating"]) == ("2031-06", 3, 8 / 3)
    assert june["replies"]["count"] == 2 and june["replies"]["minutes_p50"] == 60
    assert june["negative"] == {"count": 2, "due": 2, "answered_in_time": 1,
                                "share_answered_in_time": 0.5}
    assert (july["reviews"], july["average_rating"]) == (1, 4)
    assert rep["total"]["reviews"] == 4 and "month" not in rep["total"]
    assert shop.get("/v1/reports/reviews?from=someday").status_code == 400


def test_review__a_replay_after_the_authors_erasure_shows_the_blank_review(shop):
    gone, buyer = customer(shop), customer(shop)
    bought(shop, buyer)
    body = {"customer": gone, "sku": "KETTLE", "rating": 2, "title": "Anna Nowak",
            "body": "Write to anna.nowak@example.com"}
    first = shop.post("/v1/reviews", body, headers={"Idempotency-Key": "rv-erase"})
    assert first.status_code == 201
    q = shop.post("/v1/questions", {"customer": gone, "sku": "KETTLE", "body": "Anna asks: big?"},
                  headers={"Idempotency-Key": "q-erase"})
    assert q.status_code == 201
    assert shop.delete(f"/v1/customers/{gone}").status_code == 200
    for path, b, key in (("/v1/reviews", body, "rv-erase"),
                         ("/v1/questions", {"customer": gone, "sku": "KETTLE", "body": "Anna asks: big?"},
                          "q-erase")):
        r = shop.post(path, b, headers={"Idempotency-Key": key})
        assert r.status_code == 201, r.text
        assert "anna" not in r.text.lower() and r.json()["author"] is None
    assert len(all_reviews(shop)) == 1, "the replay created nothing"


def test_review__an_erasure_takes_the_customers_votes_out_of_the_counts(shop):
    """Found by the review of issues 12-14: the votes kept the erased voter's id."""
    author, gone, other = customer(shop), customer(shop), customer(shop)
    rid = review(shop, author, 5)["id"]
    for who, helpful in ((gone, True), (other, True)):
        assert shop.post(f"/v1/reviews/{rid}/votes", {"customer": who, "helpful": helpful}).status_code in (200, 201)
    assert shop.get(f"/v1/reviews/{rid}").json()["votes"]["helpful"] == 2
    assert shop.delete(f"/v1/customers/{gone}").status_code == 200
    assert shop.get(f"/v1/reviews/{rid}").json()["votes"] == {"helpful": 1, "unhelpful": 0}
    con = connect_db(shop.server.db)
    try:
        (n,), = con.execute("SELECT count(*) FROM review_votes WHERE customer_id = ?", (gone,)).fetchall()
    finally:
        con.close()
    assert n == 0
