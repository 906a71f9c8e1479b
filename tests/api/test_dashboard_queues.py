"""The dashboard's queues (issue 14): negative reviews to answer and tickets
by due time, with reply forms that go through core/review.h and
core/ticket.h; a script in a review or a name is shown escaped."""
import re

from conftest import make_shop
from dashboard_helpers import CSRF, sign_in
from loyalty_helpers import set_clock
from review_helpers import bought, review
from service_helpers import open_ticket

EVIL = "<script>alert('r')</script>"
ESCAPED = "&lt;script&gt;alert(&#39;r&#39;)&lt;/script&gt;"


ALWAYS = {"timezone": "UTC", "weekdays": [1, 2, 3, 4, 5, 6, 7], "hours": {"start": "00:00", "end": "24:00"},
          "holidays": []}


def scene(server, operator):
    set_clock(operator, "2031-05-07T10:00:00Z")
    shop = make_shop(operator)
    r = shop.post("/v1/sla_policies", {"name": "Always", "calendar": ALWAYS, "targets": [
        {"first_response_minutes": 240, "resolution_minutes": 960},
        {"priority": "urgent", "first_response_minutes": 30, "resolution_minutes": 240}]})
    assert r.status_code == 201, r.text
    cid = shop.post("/v1/customers", {"name": EVIL, "email": "evil@example.com"}).json()["id"]
    bought(shop, cid)
    bad = review(shop, cid, rating=1, title=EVIL, body=EVIL + " broke at once")
    good = review(shop, cid, rating=5, sku="TEAPOT", body="lovely")
    late = open_ticket(shop, subject="Late " + EVIL)
    set_clock(operator, "2031-05-07T10:05:00Z")
    early = open_ticket(shop, subject="Early", priority="urgent")
    return shop, cid, bad, good, late, early, sign_in(server, shop.key)


def test_dashboard_queues__negative_reviews_and_tickets_are_listed_escaped(server, operator):
    shop, cid, bad, good, late, early, b = scene(server, operator)
    page = b.get("/dashboard/queues")
    assert page.status_code == 200
    queue = [i["id"] for i in shop.get("/v1/reviews/queue").json()["data"] if i["kind"] == "review"]
    assert re.findall(r'<tr data-review="([^"]+)"', page.text) == queue == [bad["id"]]
    assert EVIL not in page.text and ESCAPED in page.text
    tickets = re.findall(r'<tr data-ticket="([^"]+)"', page.text)
    assert sorted(tickets) == sorted([late["id"], early["id"]])
    due = {t: shop.get(f"/v1/tickets/{t}").json() for t in tickets}
    keys = [due[t]["sla"]["first_response_due_at"] for t in tickets]
    assert keys == ["2031-05-07T10:35:00Z", "2031-05-07T14:00:00Z"]
    assert tickets == [early["id"], late["id"]]


def test_dashboard_queues__a_review_reply_leaves_the_queue(server, operator):
    shop, cid, bad, *_, b = scene(server, operator)
    token = CSRF.search(b.get("/dashboard/queues").text).group(1)
    r = b.post(f"/dashboard/reviews/{bad['id']}/reply", {"csrf": token, "body": "Sorry! " + EVIL,
                                                         "public": "1"})
    assert r.status_code == 303 and r.headers["Location"] == "/dashboard/queues"
    got = shop.get(f"/v1/reviews/{bad['id']}").json()
    assert [x["body"] for x in got["replies"]] == ["Sorry! " + EVIL]
    assert f'data-review="{bad["id"]}"' not in b.get("/dashboard/queues").text


def test_dashboard_queues__a_ticket_reply_is_an_agents_message(server, operator):
    shop, cid, bad, good, late, early, b = scene(server, operator)
    token = CSRF.search(b.get("/dashboard/queues").text).group(1)
    r = b.post(f"/dashboard/tickets/{late['id']}/reply", {"csrf": token, "agent": "Ola", "body": "On it"})
    assert r.status_code == 303
    t = shop.get(f"/v1/tickets/{late['id']}").json()
    assert [(m["author"], m.get("agent"), m["body"]) for m in t["messages"]][-1] == ("agent", "Ola", "On it")
    assert t["sla"]["first_response_at"] == "2031-05-07T10:05:00Z"


def test_dashboard_queues__a_reply_without_its_token_or_body_changes_nothing(server, operator):
    shop, cid, bad, good, late, early, b = scene(server, operator)
    assert b.post(f"/dashboard/reviews/{bad['id']}/reply", {"body": "x"}).status_code == 403
    assert b.post(f"/dashboard/tickets/{late['id']}/reply", {"body": "x", "agent": "A"}).status_code == 403
    token = CSRF.search(b.get("/dashboard/queues").text).group(1)
    assert b.post(f"/dashboard/reviews/{bad['id']}/reply", {"csrf": token, "body": ""}).status_code == 400
    assert b.post(f"/dashboard/tickets/{late['id']}/reply", {"csrf": token, "body": "", "agent": "A"}).status_code == 400
    assert shop.get(f"/v1/reviews/{bad['id']}").json()["replies"] == []
    assert [m["author"] for m in shop.get(f"/v1/tickets/{late['id']}").json()["messages"]] == ["customer"]


def test_dashboard_queues__another_shops_review_or_ticket_is_404(server, operator):
    shop, cid, bad, good, late, early, b = scene(server, operator)
    other = make_shop(operator)
    b2 = sign_in(server, other.key)
    token = CSRF.search(b2.get("/dashboard/queues").text).group(1)
    assert b2.post(f"/dashboard/reviews/{bad['id']}/reply", {"csrf": token, "body": "mine"}).status_code == 404
    assert b2.post(f"/dashboard/tickets/{late['id']}/reply",
                   {"csrf": token, "body": "mine", "agent": "X"}).status_code == 404
    assert shop.get(f"/v1/reviews/{bad['id']}").json()["replies"] == []
