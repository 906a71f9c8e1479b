"""Questions about a product (issue 12): asked by a customer, answered by the
shop or by a verified buyer of that SKU only, in the reply queue until the
first answer; an erasure blanks the words, the storefront reads them all."""
import pytest

from conftest import error_of, make_shop
from loyalty_helpers import set_clock
from review_helpers import bought, customer, outbox, question, storefront, token


@pytest.fixture(autouse=True)
def clock(operator):
    set_clock(operator, "2031-06-02T09:00:00Z")


def questions(api, **q):
    qs = "&".join(f"{k}={v}" for k, v in q.items())
    r = api.get("/v1/questions" + (f"?{qs}" if qs else ""))
    assert r.status_code == 200, r.text
    return r.json()


def answer(shop, qid, **body):
    return shop.post(f"/v1/questions/{qid}/answers", body)


def queue_ids(shop):
    return [x["id"] for x in shop.get("/v1/reviews/queue").json()["data"]]


def test_question__the_shop_answers_and_it_leaves_the_queue(shop):
    asker = customer(shop)
    q = question(shop, asker, body="Is the handle heat-proof?")
    assert q["author"] == {"customer": asker, "display_name": None, "profile": f"/v1/profiles/{asker}"}
    assert q["answered"] is False and q["reply_due_at"] == "2031-06-03T09:00:00Z"
    assert queue_ids(shop) == [q["id"]] and outbox(shop, "question.created") == [q["id"]]
    r = answer(shop, q["id"], by="shop", body="Yes, up to 120 °C.")
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["answered"] is True and got["answers"][0]["by"] == "shop"
    assert got["answers"][0]["author"] is None and got["answered_at"] == "2031-06-02T09:00:00Z"
    assert queue_ids(shop) == []
    assert outbox(shop, "question.answered") == [q["id"]]


def test_question__a_verified_buyer_answers_and_a_stranger_is_refused(shop):
    q = question(shop, customer(shop))["id"]
    buyer, stranger, unpaid = customer(shop), customer(shop), customer(shop)
    bought(shop, buyer, "KETTLE")
    bought(shop, unpaid, "KETTLE", pay=False)
    bought(shop, stranger, "CUP")
    for who in (stranger, unpaid):
        r = answer(shop, q, by="customer", customer=who, body="I think so.")
        assert r.status_code == 422 and error_of(r)["code"] == "not_a_verified_buyer"
    assert shop.get(f"/v1/questions/{q}").json()["answers"] == []
    assert queue_ids(shop) == [q], "still waiting"
    r = answer(shop, q, by="customer", customer=buyer, body="Mine has no whistle.")
    assert r.status_code == 201
    a = r.json()["answers"][0]
    assert a["by"] == "customer" and a["author"]["customer"] == buyer
    assert queue_ids(shop) == []


def test_question__without_by_an_answer_is_the_shops_or_the_named_customers(shop):
    asker, buyer = customer(shop), customer(shop)
    bought(shop, buyer)
    q = question(shop, asker)["id"]
    r = answer(shop, q, body="Yes, it is.")
    assert r.status_code == 201 and r.json()["answers"][0]["by"] == "shop"
    r = answer(shop, q, customer=buyer, body="Mine is.")
    assert r.status_code == 201 and r.json()["answers"][1]["by"] == "customer"


@pytest.mark.parametrize("body", [{"by": "staff", "body": "x"}, {"by": "shop"}, {"body": ""},
                                  {"by": "customer", "body": "x"},
                                  {"by": "shop", "customer": "cus_x", "body": "x"},
                                  {"by": "shop", "body": ""}])
def test_question__a_bad_answer_is_400_and_nothing_changes(shop, body):
    q = question(shop, customer(shop))["id"]
    assert answer(shop, q, **body).status_code == 400
    assert shop.get(f"/v1/questions/{q}").json()["answers"] == []


def test_question__bad_questions_are_400_and_another_shops_question_is_404(shop, operator):
    c = customer(shop)
    for body in ({"customer": c, "sku": "K"}, {"customer": c, "body": "?"}, {"sku": "K", "body": "?"},
                 {"customer": c, "sku": "K", "body": "x" * 4001}):
        assert shop.post("/v1/questions", body).status_code == 400, body
    assert questions(shop)["data"] == []
    other = make_shop(operator, "Other")
    theirs = question(other, customer(other))["id"]
    assert shop.get(f"/v1/questions/{theirs}").status_code == 404
    assert answer(shop, theirs, by="shop", body="hi").status_code == 404


def test_question__the_list_by_sku_and_answered_pages_newest_first(shop):
    ids = [question(shop, customer(shop), sku="KETTLE", body=f"q{i}")["id"] for i in range(3)]
    question(shop, customer(shop), sku="CUP")
    answer(shop, ids[0], by="shop", body="Yes.")
    page = questions(shop, sku="KETTLE", limit=2)
    assert [x["id"] for x in page["data"]] == ids[:0:-1] and page["has_more"] is True
    rest = questions(shop, sku="KETTLE", limit=2, starting_after=page["data"][-1]["id"])
    assert [x["id"] for x in rest["data"]] == [ids[0]] and rest["has_more"] is False
    assert [x["id"] for x in questions(shop, sku="KETTLE", answered="true")["data"]] == [ids[0]]
    assert len(questions(shop, answered="false")["data"]) == 3
    assert shop.get("/v1/questions?answered=maybe").status_code == 400


def test_question__the_storefront_reads_and_asks_for_its_customer(shop):
    c, other = customer(shop), customer(shop)
    store = storefront(shop)
    headers = {"Customer-Token": token(shop, c)}
    r = store.post("/v1/questions", {"customer": c, "sku": "KETTLE", "body": "How loud?"}, headers=headers)
    assert r.status_code == 201
    qid = r.json()["id"]
    assert store.post("/v1/questions", {"customer": other, "sku": "KETTLE", "body": "?"},
                      headers=headers).status_code == 403
    r = store.post(f"/v1/questions/{qid}/answers", {"by": "shop", "body": "Quiet."}, headers=headers)
    assert r.status_code == 403
    assert [x["id"] for x in questions(store, sku="KETTLE")["data"]] == [qid]
    assert store.get(f"/v1/questions/{qid}").status_code == 200


def test_question__an_erasure_blanks_the_asker_and_the_buyers_answer(shop):
    asker, buyer = customer(shop), customer(shop)
    bought(shop, buyer)
    q = question(shop, asker, body="I am Anna from Gdansk, does it fit?")["id"]
    answer(shop, q, by="customer", customer=buyer, body="Anna, it fits: Piotr")
    answer(shop, q, by="shop", body="It does.")
    shop.delete(f"/v1/customers/{asker}")
    shop.delete(f"/v1/customers/{buyer}")
    got = shop.get(f"/v1/questions/{q}").json()
    assert got["body"] is None and got["author"] is None
    assert [(a["by"], a["body"], a["author"]) for a in got["answers"]] == \
        [("customer", None, None), ("shop", "It does.", None)]
    assert answer(shop, q, by="customer", customer=buyer, body="again").status_code in (409, 422)
