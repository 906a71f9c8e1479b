"""Support tickets and SLA policies (issue 11): tickets by any channel tied
to a customer (guests resolved or created) and an order, due times in
business hours across weekends and holidays, the first response, breaches
marked once with the ticket_sla_breached trigger, the status life, filters
and bad input."""
import pytest

from conftest import error_of, make_shop, new_order
from loyalty_helpers import set_clock

POLICY = {"name": "Office hours",
          "calendar": {"timezone": "Europe/Warsaw", "weekdays": [1, 2, 3, 4, 5],
                       "hours": {"start": "09:00", "end": "17:00"}, "holidays": ["2031-12-25", "2031-12-26"]},
          "targets": [{"first_response_minutes": 240, "resolution_minutes": 960},
                      {"priority": "urgent", "first_response_minutes": 30, "resolution_minutes": 240},
                      {"priority": "urgent", "channel": "whatsapp", "first_response_minutes": 15,
                       "resolution_minutes": 120}]}


def policy(shop, **kw):
    body = dict(POLICY, **kw)
    r = shop.post("/v1/sla_policies", body)
    assert r.status_code == 201, r.text
    return r.json()


def ticket(shop, **kw):
    body = {"channel": "email", "customer": {"email": "piotr@example.com"}, "subject": "Broken cup",
            "body": "It arrived in pieces."}
    body.update(kw)
    r = shop.post("/v1/tickets", body)
    assert r.status_code == 201, r.text
    return r.json()


def test_ticket__a_guest_by_whatsapp_is_found_or_created_and_tied_to_the_order(shop, operator):
    set_clock(operator, "2031-05-07T08:00:00Z")
    o = shop.post("/v1/orders", new_order(shop, customer={"whatsapp": "+48 600 100 200"})).json()
    t = ticket(shop, channel="whatsapp", customer={"whatsapp": "+48 600 100 200"}, order=o["id"])
    assert t["customer"] == o["customer"] and t["order"] == o["id"] and t["status"] == "open"
    assert [m["author"] for m in t["messages"]] == ["customer"]
    only_order = ticket(shop, customer=None, order=o["id"])
    assert only_order["customer"] == o["customer"], "the order names its customer"
    r = shop.post("/v1/tickets", {"channel": "email", "customer": {"email": "someone@example.com"},
                                  "order": o["id"], "subject": "x", "body": "y"})
    assert r.status_code == 400 and error_of(r)["param"] == "order"


def test_ticket__due_times_in_business_hours_across_a_weekend(shop, operator):
    policy(shop)
    set_clock(operator, "2031-05-09T14:00:00Z")         # Friday 16:00 in Warsaw
    t = ticket(shop)
    assert t["sla"]["first_response_due_at"] == "2031-05-12T10:00:00Z", "1 h Friday + 3 h Monday"
    urgent = ticket(shop, priority="urgent", channel="whatsapp")
    assert urgent["sla"]["first_response_due_at"] == "2031-05-09T14:15:00Z", "the most specific target"
    r = shop.patch(f"/v1/tickets/{t['id']}", {"priority": "urgent"})
    assert r.json()["sla"]["first_response_due_at"] == "2031-05-09T14:30:00Z", "priority moves the due time"


def test_ticket__a_holiday_does_not_count(shop, operator):
    policy(shop)
    set_clock(operator, "2031-12-24T15:00:00Z")         # Wednesday 16:00, then two days off
    t = ticket(shop)
    assert t["sla"]["first_response_due_at"] == "2031-12-29T11:00:00Z"


def test_ticket__first_response_and_breach_once_with_its_trigger(shop, operator):
    policy(shop)
    shop.post("/v1/campaigns", {"name": "Sorry for the wait", "type": "apology",
                                "starts_at": "2031-01-01T00:00:00Z", "triggers": ["ticket_sla_breached"],
                                "discount": {"kind": "percent", "value": 5}})
    set_clock(operator, "2031-05-07T08:00:00Z")         # Wednesday 10:00 local
    late, answered = ticket(shop), ticket(shop, customer={"email": "happy@example.com"})
    r = shop.post(f"/v1/tickets/{answered['id']}/messages", {"author": "agent", "agent": "Ola",
                                                            "body": "So sorry, a new cup is on its way."})
    assert r.status_code == 201 and r.json()["sla"]["first_response_at"] == "2031-05-07T08:00:00Z"
    set_clock(operator, "2031-05-07T13:00:00Z")
    for _ in range(3):
        operator.post("/v1/jobs/run")
    assert shop.get(f"/v1/tickets/{late['id']}").json()["sla"]["first_response_breached"] is True
    assert shop.get(f"/v1/tickets/{answered['id']}").json()["sla"]["first_response_breached"] is False
    offers = shop.get(f"/v1/customers/{late['customer']}/offers").json()["data"]
    assert len(offers) == 1, "one apology per ticket and target, however often the jobs run"
    breached = shop.get("/v1/tickets?breached=true").json()["data"]
    assert [t["id"] for t in breached] == [late["id"]]


def test_ticket__status_life(shop, operator):
    set_clock(operator, "2031-05-07T08:00:00Z")
    t = ticket(shop)
    assert shop.patch(f"/v1/tickets/{t['id']}", {"status": "pending"}).json()["status"] == "pending"
    r = shop.post(f"/v1/tickets/{t['id']}/messages", {"author": "customer", "body": "Any news?"})
    assert r.json()["status"] == "open", "the customer's message opens it again"
    r = shop.patch(f"/v1/tickets/{t['id']}", {"status": "closed"})
    assert r.status_code == 409 and error_of(r)["code"] == "ticket_status_conflict"
    solved = shop.patch(f"/v1/tickets/{t['id']}", {"status": "solved", "tags": ["breakage"],
                                                   "assignee": "ola"}).json()
    assert solved["status"] == "solved" and solved["solved_at"] and solved["tags"] == ["breakage"]
    assert shop.patch(f"/v1/tickets/{t['id']}", {"status": "closed"}).json()["status"] == "closed"
    r = shop.post(f"/v1/tickets/{t['id']}/messages", {"author": "customer", "body": "Thanks"})
    assert r.status_code == 409 and error_of(r)["code"] == "ticket_closed"


def test_ticket__lists_filter_by_status_customer_and_due_time(shop, operator):
    policy(shop)
    set_clock(operator, "2031-05-07T08:00:00Z")
    a = ticket(shop)
    b = ticket(shop, customer={"email": "nino@example.com"}, priority="urgent")
    shop.patch(f"/v1/tickets/{a['id']}", {"status": "pending"})
    assert [t["id"] for t in shop.get("/v1/tickets?status=pending").json()["data"]] == [a["id"]]
    assert [t["id"] for t in shop.get(f"/v1/tickets?customer={b['customer']}").json()["data"]] == [b["id"]]
    due = shop.get("/v1/tickets?due_before=2031-05-07T09:00:00Z").json()["data"]
    assert [t["id"] for t in due] == [b["id"]], "only the urgent one is due within the hour"
    assert shop.get("/v1/tickets?limit=1").json()["has_more"] is True


@pytest.mark.parametrize("body, param", [
    ({"channel": "pigeon"}, "channel"),
    ({"priority": "whenever"}, "priority"),
    ({"subject": ""}, "subject"),
    ({"body": None}, "body"),
    ({"tags": ["a", "a"]}, "tags"),
    ({"extra": True}, "extra"),
])
def test_ticket__bad_input_is_a_400_and_opens_nothing(shop, body, param):
    base = {"channel": "email", "customer": {"email": "x@example.com"}, "subject": "s", "body": "b"}
    base.update(body)
    base = {k: v for k, v in base.items() if v is not None}
    r = shop.post("/v1/tickets", base)
    assert r.status_code == 400 and error_of(r)["param"] == param, r.text
    assert shop.get("/v1/tickets").json()["data"] == []


def test_ticket__of_an_unknown_order_or_another_shop_is_a_404(shop, operator):
    assert shop.post("/v1/tickets", {"channel": "email", "order": "ord_nope", "subject": "s",
                                     "body": "b"}).status_code == 404
    other = make_shop(operator, "Other")
    t = ticket(other)
    assert shop.get(f"/v1/tickets/{t['id']}").status_code == 404
    assert shop.post(f"/v1/tickets/{t['id']}/messages", {"author": "agent", "body": "hi"}).status_code == 404


@pytest.mark.parametrize("change, param", [
    ({"calendar": dict(POLICY["calendar"], weekdays=[])}, "calendar.weekdays"),
    ({"calendar": dict(POLICY["calendar"], weekdays=[8])}, "calendar.weekdays"),
    ({"calendar": dict(POLICY["calendar"], timezone="Mars/Olympus")}, "calendar.timezone"),
    ({"calendar": dict(POLICY["calendar"], hours={"start": "17:00", "end": "09:00"})}, "calendar.hours"),
    ({"calendar": dict(POLICY["calendar"], holidays=["2031-02-30"])}, "calendar.holidays"),
    ({"targets": []}, "targets"),
    ({"targets": [{"first_response_minutes": 60, "resolution_minutes": 30}]}, "targets[0].resolution_minutes"),
    ({"targets": [{"channel": "fax", "first_response_minutes": 1, "resolution_minutes": 2}]},
     "targets[0].channel"),
])
def test_sla_policy__bad_input_is_a_400(shop, change, param):
    r = shop.post("/v1/sla_policies", dict(POLICY, **change))
    assert r.status_code == 400 and error_of(r)["param"] == param, r.text
    assert shop.get("/v1/sla_policies").json()["data"] == []


def test_sla_policy__reads_back_as_it_was_sent(shop):
    p = policy(shop)
    got = shop.get(f"/v1/sla_policies/{p['id']}").json()
    assert got["calendar"] == POLICY["calendar"] and len(got["targets"]) == 3
    r = shop.patch(f"/v1/sla_policies/{p['id']}", dict(POLICY, name="Longer hours"))
    assert r.status_code == 200 and r.json()["name"] == "Longer hours"


def test_ticket__follows_a_merge_and_forgets_its_words_on_erasure(shop, operator):
    set_clock(operator, "2031-05-07T08:00:00Z")
    guest = ticket(shop, customer={"phone": "+48 600 777 888"}, body="My name is Piotr Nowak.")
    member = shop.post("/v1/customers", {"email": "piotr@example.com"}).json()
    r = shop.post(f"/v1/customers/{member['id']}/merge", {"source": guest["customer"]})
    assert r.status_code == 200, r.text
    assert [t["id"] for t in shop.get(f"/v1/tickets?customer={member['id']}").json()["data"]] == [guest["id"]]
    shop.post(f"/v1/tickets/{guest['id']}/messages", {"author": "agent", "body": "Dear Piotr, sorry."})
    assert shop.delete(f"/v1/customers/{member['id']}").status_code == 200
    t = shop.get(f"/v1/tickets/{guest['id']}").json()
    assert t["subject"] == "" and {m["body"] for m in t["messages"]} == {""}
    assert t["customer"] == member["id"] and t["status"] == "open", "kept for the service figures"
