"""The shop's contact and its surveys (issue 11): PATCH /v1/shops/{id} sets
the support contact and the sender of customer-facing messages; an order's
first delivery sends an NPS survey and a solved ticket a CSAT survey, once
per cause and only once the shop has a support contact; the one-click answer
needs no key, its token names the shop; forged, reused and other shops'
tokens are refused and change nothing; a detractor opens a ticket."""
import threading

import pytest

from conftest import Api, connect_db, error_of, make_shop
from loyalty_helpers import set_clock
from service_helpers import answer, delivered_order, open_ticket, set_contact, solve, surveys


def outbox(shop, type):
    with connect_db(shop.server.db) as con:
        rows = con.execute("SELECT object_id, related_id FROM events WHERE shop_id = ? AND type = ?"
                           " ORDER BY id", (shop.shop["id"], type)).fetchall()
    return rows


@pytest.fixture
def at_noon(operator):
    set_clock(operator, "2031-05-07T10:00:00Z")


def test_shop_contact__is_set_normalised_and_shown_by_get(shop, operator):
    got = set_contact(shop, survey_url="https://tea.example/survey")
    assert got["support_contact"] == {"email": "help@tea.example", "phone": "+48221234567"}
    assert got["sender"] == {"email": "hello@tea.example", "name": "Tea House"}
    shown = shop.get(f"/v1/shops/{shop.shop['id']}").json()
    assert shown["support_contact"] == got["support_contact"] and shown["survey_url"] == "https://tea.example/survey"
    # A part left out keeps its value; "survey_url": null clears it; a
    # support contact sent without a phone has none.
    r = operator.patch(f"/v1/shops/{shop.shop['id']}", {"survey_url": None,
                                                        "support_contact": {"email": "care@tea.example"}})
    assert r.status_code == 200, r.text
    assert r.json()["support_contact"] == {"email": "care@tea.example", "phone": None}
    assert r.json()["sender"]["name"] == "Tea House" and r.json()["survey_url"] is None
    assert len(outbox(shop, "shop.contact_updated")) == 2
    set_contact(shop, support_contact={"email": "care@tea.example"})
    assert len(outbox(shop, "shop.contact_updated")) == 2, "the same contact again records nothing"


@pytest.mark.parametrize("body, param", [
    ({"support_contact": {"email": "not an address"}}, "support_contact.email"),
    ({"support_contact": {"email": "a@b.example", "phone": "0221234567"}}, "support_contact.phone"),
    ({"support_contact": {"phone": "+48221234567"}}, "support_contact.email"),
    ({"sender": {"email": "hello@tea.example"}}, "sender.name"),
    ({"sender": {"email": "hello@", "name": "Tea"}}, "sender.email"),
    ({"sender": "Tea House"}, "sender"),
    ({"survey_url": "javascript:alert(1)"}, "survey_url"),
    ({"support_contact": {"email": "a@b.example", "fax": "1"}}, "support_contact.fax"),
    ({"name": "Renamed"}, "name"),
])
def test_shop_contact__bad_input_is_a_400_and_changes_nothing(shop, body, param):
    full = {"support_contact": {"email": "help@tea.example"},
            "sender": {"email": "hello@tea.example", "name": "Tea House"}}
    full.update(body)
    r = shop.patch(f"/v1/shops/{shop.shop['id']}", full)
    assert r.status_code == 400 and error_of(r)["param"] == param, r.text
    got = shop.get(f"/v1/shops/{shop.shop['id']}").json()
    assert got["support_contact"] is None and got["sender"] is None


def test_shop_contact__only_the_shop_itself_or_the_operator(shop, operator):
    other = make_shop(operator, "Other")
    r = other.patch(f"/v1/shops/{shop.shop['id']}", {"support_contact": {"email": "x@y.example"},
                                                     "sender": {"email": "x@y.example", "name": "X"}})
    assert r.status_code == 404
    storefront = Api(shop.server, shop.shop["publishable_key"])
    assert storefront.patch(f"/v1/shops/{shop.shop['id']}", {}).status_code == 403
    assert shop.get(f"/v1/shops/{shop.shop['id']}").json()["support_contact"] is None


def test_survey__waits_for_the_shop_support_contact(shop, at_noon):
    o, s = delivered_order(shop, {"email": "maria@example.com"})
    assert surveys(shop, o["customer"]) == [], "no contact: no survey"
    assert outbox(shop, "survey.skipped") == [(o["id"], o["customer"])], "the outbox says why"
    t = open_ticket(shop)
    solve(shop, t["id"])
    assert surveys(shop, t["customer"]) == []
    set_contact(shop)
    later, _ = delivered_order(shop, {"email": "maria@example.com"})
    sent = surveys(shop, o["customer"])
    assert [(x["kind"], x["order"], x["state"]) for x in sent] == [("nps", later["id"], "sent")]


def test_survey__one_nps_per_order_however_many_deliveries(shop, at_noon):
    set_contact(shop)
    o, s = delivered_order(shop, {"email": "maria@example.com"})
    shop.post(f"/v1/shipments/{s['id']}/events", {"external_id": "again", "type": "delivered",
                                                  "at": "2031-05-08T16:00:00Z"})
    second = shop.post(f"/v1/orders/{o['id']}/shipments", {"external_id": "P-2", "carrier": "FastPost"}).json()
    shop.post(f"/v1/shipments/{second['id']}/events", {"external_id": "P-2-d", "type": "delivered",
                                                       "at": "2031-05-08T17:00:00Z"})
    sent = surveys(shop, o["customer"])
    assert len(sent) == 1 and sent[0]["kind"] == "nps" and sent[0]["shipment"] == s["id"]
    assert sent[0]["channel"] == "web" and sent[0]["score"] is None
    assert outbox(shop, "survey.sent") == [(sent[0]["id"], o["customer"])]


def test_survey__one_csat_per_ticket_even_when_solved_twice(shop, at_noon):
    set_contact(shop)
    t = open_ticket(shop, channel="whatsapp", customer={"whatsapp": "+48 600 100 200"})
    solve(shop, t["id"])
    shop.post(f"/v1/tickets/{t['id']}/messages", {"author": "customer", "body": "still broken"})
    solve(shop, t["id"])
    sent = surveys(shop, t["customer"])
    assert [(x["kind"], x["ticket"], x["channel"]) for x in sent] == [("csat", t["id"], "whatsapp")]


def test_survey__a_promoter_answers_with_one_click_and_no_key(shop, at_noon):
    set_contact(shop, survey_url="https://tea.example/survey?lang=pl")
    o, _ = delivered_order(shop, {"email": "maria@example.com"})
    s = surveys(shop, o["customer"])[0]
    token = s["answer"]["token"]
    assert s["answer"]["link"] == "https://tea.example/survey?lang=pl&token=" + token
    r = answer(shop, token, 10, comment="Lovely tea", suggestion="Offer a tasting set")
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "answered" and r.json()["score"] == 10
    got = surveys(shop, o["customer"])[0]
    assert (got["state"], got["score"], got["suggestion"]) == ("answered", 10, "Offer a tasting set")
    assert got["follow_up_ticket"] is None and shop.get("/v1/tickets").json()["data"] == []
    assert outbox(shop, "survey.answered") == [(s["id"], o["customer"])]


def test_survey__a_detractor_opens_a_ticket_with_an_sla(shop, at_noon):
    set_contact(shop)
    shop.post("/v1/sla_policies", {"name": "Always", "calendar": {"timezone": "UTC", "weekdays": [1, 2, 3, 4, 5, 6, 7],
                                   "hours": {"start": "00:00", "end": "24:00"}, "holidays": []},
                                   "targets": [{"first_response_minutes": 60, "resolution_minutes": 480}]})
    o, _ = delivered_order(shop, {"email": "levan@example.com"}, channel="whatsapp")
    s = surveys(shop, o["customer"])[0]
    assert answer(shop, s["answer"]["token"], 3, comment="The box was crushed").status_code == 200
    got = surveys(shop, o["customer"])[0]
    t = shop.get(f"/v1/tickets/{got['follow_up_ticket']}").json()
    assert (t["source"], t["channel"], t["order"], t["customer"]) == ("survey", "whatsapp", o["id"], o["customer"])
    assert t["messages"][0]["body"] == "The box was crushed"
    assert t["sla"]["first_response_due_at"] == "2031-05-07T11:00:00Z"
    # A CSAT of 2 is a detractor's too; an order channel tickets lack ("app") gives "web".
    app, _ = delivered_order(shop, {"email": "app@example.com"}, channel="app")
    s2 = surveys(shop, app["customer"])[0]
    answer(shop, s2["answer"]["token"], 6)
    t2 = shop.get(f"/v1/tickets/{surveys(shop, app['customer'])[0]['follow_up_ticket']}").json()
    assert t2["channel"] == "web" and t2["messages"][0]["body"] == "NPS score 6, no comment."


def test_survey__a_second_answer_is_a_409_the_same_click_again_changes_nothing(shop, at_noon):
    set_contact(shop)
    o, _ = delivered_order(shop, {"email": "maria@example.com"})
    token = surveys(shop, o["customer"])[0]["answer"]["token"]
    first = answer(shop, token, 9, comment="Fast")
    assert answer(shop, token, 9, comment="Fast").json() == first.json(), "a retried click"
    r = answer(shop, token, 2)
    assert r.status_code == 409 and error_of(r)["code"] == "survey_already_answered"
    got = surveys(shop, o["customer"])[0]
    assert got["score"] == 9 and got["follow_up_ticket"] is None
    assert shop.get("/v1/tickets").json()["data"] == [], "the refused detractor opened nothing"
    assert len(outbox(shop, "survey.answered")) == 1


def test_survey__forged_and_other_shops_tokens_are_refused(shop, operator, at_noon):
    set_contact(shop)
    other = make_shop(operator, "Other")
    set_contact(other)
    o, _ = delivered_order(shop, {"email": "maria@example.com"})
    theirs, _ = delivered_order(other, {"email": "maria@example.com"})
    token = surveys(shop, o["customer"])[0]["answer"]["token"]
    their_token = surveys(other, theirs["customer"])[0]["answer"]["token"]
    prefix, survey_part, mac = token.split(".")
    their_prefix, their_survey, their_mac = their_token.split(".")
    forged = [
        token[:-1] + ("0" if token[-1] != "0" else "1"),       # one hex digit changed
        f"{their_prefix}.{survey_part}.{mac}",                 # our survey under their shop's name
        f"{prefix}.{their_survey}.{their_mac}",                # their survey under our name
        f"{prefix}.{survey_part}.{their_mac}",                 # their signature
        "svt_" + "x" * 20, "", "ctk_cus_1.1.abc",
    ]
    for bad in forged:
        r = answer(shop, bad, 10)
        assert r.status_code == 422 and error_of(r)["code"] == "survey_token_invalid", (bad, r.text)
    assert answer(shop, 12345, 10).status_code == 400
    for k, cust in ((shop, o["customer"]), (other, theirs["customer"])):
        assert surveys(k, cust)[0]["state"] == "sent", "nothing changed"


@pytest.mark.parametrize("score", [11, -1, 2.5, "9", None])
def test_survey__an_nps_score_outside_0_to_10_is_a_400(shop, at_noon, score):
    set_contact(shop)
    o, _ = delivered_order(shop, {"email": "maria@example.com"})
    token = surveys(shop, o["customer"])[0]["answer"]["token"]
    body = {"token": token} if score is None else {"token": token, "score": score}
    r = shop.post("/v1/surveys/answers", body, key=None)
    assert r.status_code == 400 and error_of(r)["param"] == "score", r.text
    assert surveys(shop, o["customer"])[0]["state"] == "sent"


def test_survey__a_csat_takes_1_to_5(shop, at_noon):
    set_contact(shop)
    t = open_ticket(shop)
    solve(shop, t["id"])
    token = surveys(shop, t["customer"])[0]["answer"]["token"]
    for bad in (0, 6):
        r = answer(shop, token, bad)
        assert r.status_code == 400 and error_of(r)["param"] == "score"
    r = answer(shop, token, 5, comment="x" * 2001)
    assert r.status_code == 400 and error_of(r)["param"] == "comment"
    assert answer(shop, token, 5).status_code == 200


def test_survey__the_storefront_lists_its_customer_surveys_without_tokens(shop, at_noon):
    set_contact(shop)
    o, _ = delivered_order(shop, {"email": "maria@example.com"})
    ct = shop.post(f"/v1/customers/{o['customer']}/tokens").json()["token"]
    storefront = Api(shop.server, shop.shop["publishable_key"])
    mine = surveys(storefront, o["customer"], headers={"Customer-Token": ct})
    assert len(mine) == 1 and "answer" not in mine[0]
    other, _ = delivered_order(shop, {"email": "nino@example.com"})
    r = storefront.get(f"/v1/customers/{other['customer']}/surveys", headers={"Customer-Token": ct})
    assert r.status_code == 403, "her token opens no other customer's surveys"
    assert "answer" in surveys(shop, o["customer"])[0], "the shop's secret key sees the link"
    assert shop.get("/v1/customers/cus_nope/surveys").status_code == 404
    assert shop.get(f"/v1/customers/{o['customer']}/surveys?limit=0").status_code == 400


def test_survey__erasing_the_customer_forgets_the_words_and_kills_the_link(shop, at_noon):
    set_contact(shop)
    o, _ = delivered_order(shop, {"email": "maria@example.com"})
    two, _ = delivered_order(shop, {"email": "maria@example.com"})
    first, second = sorted(surveys(shop, o["customer"]), key=lambda s: s["order"] != o["id"])
    answer(shop, first["answer"]["token"], 9, comment="Maria from Tbilisi says hi", suggestion="more oolong")
    assert shop.delete(f"/v1/customers/{o['customer']}").status_code == 200
    with connect_db(shop.server.db) as con:
        rows = con.execute("SELECT score, comment, suggestion FROM surveys WHERE shop_id = ? AND state = ?",
                           (shop.shop["id"], "answered")).fetchall()
    assert rows == [(9, None, None)], "the score stays for the reports, the words go"
    r = answer(shop, second["answer"]["token"], 10)
    assert r.status_code == 422 and error_of(r)["code"] == "survey_token_invalid"


def test_survey__concurrent_answers_store_one(shop, at_noon):
    set_contact(shop)
    o, _ = delivered_order(shop, {"email": "maria@example.com"})
    token = surveys(shop, o["customer"])[0]["answer"]["token"]
    start, codes = threading.Barrier(8), []

    def run(score):
        client = Api(shop.server, None)
        start.wait()
        codes.append(answer(client, token, score).status_code)

    threads = [threading.Thread(target=run, args=(score,)) for score in range(3, 11)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200] + [409] * 7, codes
    got = surveys(shop, o["customer"])[0]
    assert len(outbox(shop, "survey.answered")) == 1
    tickets = shop.get("/v1/tickets").json()["data"]
    assert len(tickets) == (1 if got["score"] <= 6 else 0), "a ticket only for the answer that stayed"
