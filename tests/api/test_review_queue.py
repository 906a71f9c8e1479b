"""The reply queue (issue 12): every review of 3 stars or less and every
question without a reply, due by the shop's reply target in business hours
(the calendar of its SLA policy), overdue once that passes; a negative review
(2 stars or less) fires negative_review and, when the shop asks for it, opens
one support ticket; a 1-star review stays everywhere and is answered within a
day (story 5)."""
import pytest

from conftest import error_of
from loyalty_helpers import loyalty, set_clock, set_program
from review_helpers import all_reviews, customer, outbox, question, review, showcase

POLICY = {"name": "Office hours",
          "calendar": {"timezone": "Europe/Warsaw", "weekdays": [1, 2, 3, 4, 5],
                       "hours": {"start": "09:00", "end": "17:00"}},
          "targets": [{"first_response_minutes": 240, "resolution_minutes": 960}]}


def settings(shop, **body):
    r = shop.request("PUT", "/v1/reviews/settings", body)
    assert r.status_code == 200, r.text
    return r.json()


def queue(shop, **q):
    qs = "&".join(f"{k}={v}" for k, v in q.items())
    r = shop.get("/v1/reviews/queue" + (f"?{qs}" if qs else ""))
    assert r.status_code == 200, r.text
    return r.json()


def test_queue__low_ratings_and_open_questions_wait_with_their_due_time(shop, operator):
    set_clock(operator, "2031-06-02T09:00:00Z")
    low = review(shop, customer(shop), 3)["id"]
    review(shop, customer(shop), 4, sku="CUP")
    q = question(shop, customer(shop))["id"]
    items = queue(shop)["data"]
    assert [(x["kind"], x["id"]) for x in items] == [("review", low), ("question", q)]
    assert all(x["due_at"] == "2031-06-03T09:00:00Z" for x in items), "24 h by default, no policy"
    assert not any(x["overdue"] for x in items)
    assert items[0]["review"]["rating"] == 3 and items[1]["question"]["body"] == "Does it whistle?"
    assert outbox(shop, "review.needs_reply") == [low]
    set_clock(operator, "2031-06-03T09:00:01Z")
    assert all(x["overdue"] for x in queue(shop)["data"])


def test_queue__the_target_counts_business_hours_of_the_shops_calendar(shop, operator):
    assert shop.post("/v1/sla_policies", POLICY).status_code == 201
    s = settings(shop, reply_hours=4)
    assert (s["reply_hours"], s["moderation"], s["open_tickets"]) == (4, "auto", False)
    set_clock(operator, "2031-05-09T14:00:00Z")         # Friday 16:00 in Warsaw
    rid = review(shop, customer(shop), 1)["id"]
    item = queue(shop)["data"][0]
    assert item["due_at"] == "2031-05-12T10:00:00Z", "1 h on Friday + 3 h on Monday"
    assert shop.get(f"/v1/reviews/{rid}").json()["reply_due_at"] == item["due_at"]
    set_clock(operator, "2031-05-11T20:00:00Z")
    assert queue(shop)["data"][0]["overdue"] is False, "the weekend does not count"
    set_clock(operator, "2031-05-12T10:30:00Z")
    assert queue(shop)["data"][0]["overdue"] is True


def test_queue__story_5_a_one_star_review_stays_and_is_answered_within_a_day(shop, operator):
    set_clock(operator, "2031-06-02T09:00:00Z")
    five = review(shop, customer(shop), 5)["id"]
    one = review(shop, customer(shop), 1, body="The lid broke on day two.")["id"]
    assert [x["id"] for x in queue(shop)["data"]] == [one]
    set_clock(operator, "2031-06-02T15:00:00Z")
    r = shop.post(f"/v1/reviews/{one}/replies", {"body": "We are sorry: a new lid is on its way,"
                                                         " and your money back for the trouble."})
    assert r.status_code == 201 and r.json()["replied_at"] == "2031-06-02T15:00:00Z"
    assert queue(shop)["data"] == [], "answered, out of the queue"
    s = showcase(shop, sku="KETTLE")
    assert [x["id"] for x in s["data"]] == [five, one], "best first, the 1-star still there"
    assert s["summary"]["distribution"]["1"] == 1 and s["summary"]["average"] == 3
    assert [x["id"] for x in all_reviews(shop, rating=1)] == [one]
    rep = shop.get("/v1/reports/reviews").json()["total"]["negative"]
    assert rep == {"count": 1, "due": 1, "answered_in_time": 1, "share_answered_in_time": 1.0}


def test_queue__a_negative_review_fires_the_apology_and_opens_one_ticket(shop, operator):
    set_clock(operator, "2031-06-02T09:00:00Z")
    set_program(shop, pending_days=0)
    r = shop.post("/v1/campaigns", {"name": "Sorry", "type": "apology", "starts_at": "2031-01-01T00:00:00Z",
                                    "triggers": ["negative_review"], "points": 100, "discount": None})
    assert r.status_code == 201, r.text
    settings(shop, open_tickets=True)
    angry, meh = customer(shop), customer(shop)
    rid = review(shop, angry, 2, body="Arrived dented.")
    assert rid["ticket"] is not None
    t = shop.get(f"/v1/tickets/{rid['ticket']}").json()
    assert t["customer"] == angry and t["source"] == "review" and t["messages"][0]["body"] == "Arrived dented."
    assert loyalty(shop, angry)["points"]["available"] == 100
    review(shop, meh, 3)
    assert loyalty(shop, meh)["points"]["available"] == 0, "3 stars is not negative"
    tickets = shop.get("/v1/tickets").json()["data"]
    assert [x["id"] for x in tickets] == [rid["ticket"]]
    shop.post(f"/v1/reviews/{rid['id']}/replies", {"body": "Sorry!"})
    assert len(shop.get("/v1/tickets").json()["data"]) == 1, "once per review"


def test_queue__tickets_are_off_by_default(shop, operator):
    set_clock(operator, "2031-06-02T09:00:00Z")
    assert shop.get("/v1/reviews/settings").json()["open_tickets"] is False
    assert review(shop, customer(shop), 1)["ticket"] is None
    assert shop.get("/v1/tickets").json()["data"] == []


def test_queue__a_hidden_review_leaves_the_queue(shop, operator):
    set_clock(operator, "2031-06-02T09:00:00Z")
    rid = review(shop, customer(shop), 1, body="spam spam")["id"]
    shop.post(f"/v1/reviews/{rid}/moderate", {"action": "hide", "reason": "spam"})
    assert queue(shop)["data"] == []
    shop.post(f"/v1/reviews/{rid}/moderate", {"action": "restore"})
    assert [x["id"] for x in queue(shop)["data"]] == [rid]


def test_queue__pages_by_due_time_with_a_cursor(shop, operator):
    ids = []
    for hour in range(5):
        set_clock(operator, f"2031-06-02T0{hour}:00:00Z")
        ids.append(review(shop, customer(shop), 2)["id"] if hour % 2 == 0 else
                   question(shop, customer(shop))["id"])
    first = queue(shop, limit=2)
    assert first["has_more"] is True and [x["id"] for x in first["data"]] == ids[:2]
    rest = queue(shop, limit=10, starting_after=ids[1])
    assert [x["id"] for x in rest["data"]] == ids[2:] and rest["has_more"] is False
    r = shop.get("/v1/reviews/queue?starting_after=rev_nothing")
    assert r.status_code == 400 and error_of(r)["param"] == "starting_after"


def test_queue__bad_settings_are_400_and_change_nothing(shop):
    before = shop.get("/v1/reviews/settings").json()
    for body in ({"reply_hours": 0}, {"reply_hours": 9000}, {"moderation": "never"},
                 {"open_tickets": "yes"}, {"reply_in": 4}):
        r = shop.request("PUT", "/v1/reviews/settings", body)
        assert r.status_code == 400, body
    assert shop.get("/v1/reviews/settings").json() == before
    assert before == {"object": "review_settings", "moderation": "auto", "reply_hours": 24,
                      "open_tickets": False, "updated_at": None}
