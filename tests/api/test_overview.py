"""GET /v1/customers/{id}/overview (issue 11): everything an agent needs to
answer a customer personally, in one call: identities, recent orders with
their delivery state, loyalty (as GET .../loyalty shows it), open tickets,
the last survey answers, predictions (as GET .../predictions shows them)."""
from conftest import Api, error_of, make_shop, new_order
from loyalty_helpers import paid_order, set_clock, set_program
from service_helpers import answer, delivered_order, open_ticket, set_contact, solve, surveys


def overview(shop, ref):
    r = shop.get(f"/v1/customers/{ref}/overview")
    assert r.status_code == 200, r.text
    return r.json()


def test_overview__one_call_with_orders_delivery_loyalty_tickets_surveys_and_predictions(shop, operator):
    set_clock(operator, "2031-05-07T10:00:00Z")
    set_contact(shop)
    set_program(shop, pending_days=0, tiers={"basis": "points_earned", "window_days": 365,
                                             "levels": [{"name": "silver", "threshold": 20},
                                                        {"name": "gold", "threshold": 100}]},
                milestones=[{"type": "every", "n": 5, "gift": "a tea sample"}])
    olga = shop.post("/v1/customers", {"external_id": "olga", "name": "Olga", "email": "olga@example.com",
                                       "identities": [{"type": "whatsapp", "value": "+48 600 100 200"}]}).json()
    paid_order(shop, {"id": olga["id"]}, amount=3000)
    delivered, _ = delivered_order(shop, {"id": olga["id"]})
    late = shop.post("/v1/orders", new_order(shop, customer={"id": olga["id"]},
                                             promised_delivery_at="2031-05-08T18:00:00Z")).json()
    shop.post(f"/v1/orders/{late['id']}/shipments", {"external_id": "L-1", "carrier": "FastPost"})
    set_clock(operator, "2031-05-09T10:00:00Z")
    operator.post("/v1/jobs/run")
    answer(shop, surveys(shop, olga["id"])[0]["answer"]["token"], 9, comment="Quick")
    open_one = open_ticket(shop, customer={"id": olga["id"]}, order=late["id"], subject="Where is it?")
    closed = open_ticket(shop, customer={"id": olga["id"]})
    solve(shop, closed["id"])

    o = overview(shop, "ext:olga")
    assert o["object"] == "customer_overview" and o["customer"]["id"] == olga["id"]
    assert {(i["type"], i["value"]) for i in o["customer"]["identities"]} >= {("whatsapp", "+48600100200")}
    states = {x["id"]: x["delivery_state"] for x in o["orders"]}
    assert states[delivered["id"]] == "delivered" and states[late["id"]] == "late"
    assert len(o["orders"]) == 3 and o["orders"][0]["id"] == late["id"], "newest first"
    assert o["orders"][0]["shipments"][0]["late"] is True
    assert o["loyalty"] == shop.get(f"/v1/customers/{olga['id']}/loyalty").json()
    assert o["loyalty"]["tier"]["name"] == "silver" and o["loyalty"]["tier"]["next"]["name"] == "gold"
    assert [t["id"] for t in o["open_tickets"]] == [open_one["id"]], "the solved one is not open"
    assert [(s["kind"], s["score"], s["comment"]) for s in o["last_survey_answers"]] == [("nps", 9, "Quick")]
    assert "answer" not in o["last_survey_answers"][0], "no answer token in the overview"
    assert o["predictions"] == shop.get(f"/v1/customers/{olga['id']}/predictions").json()


def test_overview__shows_at_most_ten_recent_orders(shop):
    c = shop.post("/v1/customers", {"email": "many@example.com"}).json()
    ids = [shop.post("/v1/orders", new_order(shop, customer={"id": c["id"]})).json()["id"] for _ in range(12)]
    o = overview(shop, c["id"])
    assert [x["id"] for x in o["orders"]] == ids[::-1][:10]
    assert all(x["delivery_state"] == "not_shipped" for x in o["orders"])
    assert o["open_tickets"] == [] and o["last_survey_answers"] == []


def test_overview__unknown_or_another_shops_customer_is_a_404_and_the_storefront_a_403(shop, operator):
    assert error_of(shop.get("/v1/customers/cus_nope/overview"))["param"] == "id"
    other = make_shop(operator, "Other")
    theirs = other.post("/v1/customers", {"email": "x@example.com"}).json()
    assert shop.get(f"/v1/customers/{theirs['id']}/overview").status_code == 404
    storefront = Api(shop.server, shop.shop["publishable_key"])
    mine = shop.post("/v1/customers", {"email": "me@example.com"}).json()
    assert storefront.get(f"/v1/customers/{mine['id']}/overview").status_code == 403
