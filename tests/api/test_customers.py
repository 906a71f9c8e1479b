"""Customers: upsert by external id, identities normalised and unique per shop,
accounts, merges, erasure, listing; bad input changes nothing."""
import pytest

from conftest import connect_db, error_of, new_order


def test_create_then_read_by_id_and_by_external_id(shop):
    r = shop.post("/v1/customers", {"external_id": "c-1", "name": "Olga", "email": " Olga@Example.COM "})
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["id"].startswith("cus_") and c["email"] == "olga@example.com"
    assert c["status"] == "guest" and c["account_invite_due"] is False
    assert shop.get(f"/v1/customers/{c['id']}").json() == c
    assert shop.get("/v1/customers/ext:c-1").json()["id"] == c["id"]


def test_posting_a_known_external_id_updates_the_same_customer(shop):
    a = shop.post("/v1/customers", {"external_id": "c-2", "name": "Igor"}).json()
    r = shop.post("/v1/customers", {"external_id": "c-2", "name": "Igor P."})
    assert r.status_code == 200
    assert r.json()["id"] == a["id"] and r.json()["name"] == "Igor P."
    assert len(shop.get("/v1/customers").json()["data"]) == 1


def test_phone_numbers_are_normalised_to_e164(shop):
    c = shop.post("/v1/customers", {"phone": "+49 (30) 1234-567", "whatsapp": "0049 30 1234567"}).json()
    assert c["phone"] == "+49301234567"
    assert {"type": "whatsapp", "value": "+49301234567"} in c["identities"]
    found = shop.get("/v1/customers?phone=0049301234567").json()["data"]
    assert [x["id"] for x in found] == [c["id"]]


@pytest.mark.parametrize("body,param", [
    ({"email": "not-an-address"}, "email"),
    ({"email": "a@b"}, "email"),
    ({"phone": "030 1234567"}, "phone"),
    ({"phone": "+49 30 12x"}, "phone"),
    ({"name": ""}, "name"),
    ({"name": 7}, "name"),
    ({"identities": [{"type": "fax", "value": "1"}]}, "identities[0].type"),
    ({"identities": "email"}, "identities"),
    ({"addresses": [{"line1": "Main St 1", "city": "Berlin", "country": "Germany"}]}, "addresses[0].country"),
    ({"addresses": [{"city": "Berlin", "country": "DE"}]}, "addresses[0].line1"),
    ({"account": "yes"}, "account"),
    ({"favourite_colour": "green"}, "favourite_colour"),
])
def test_bad_customer_input_is_400_and_creates_nothing(shop, body, param):
    r = shop.post("/v1/customers", body)
    assert r.status_code == 400, r.text
    assert error_of(r)["param"] == param
    assert shop.get("/v1/customers").json()["data"] == []


def test_an_identity_belongs_to_one_customer_only(shop):
    a = shop.post("/v1/customers", {"email": "nino@example.com"}).json()
    r = shop.post("/v1/customers", {"external_id": "other", "email": "NINO@example.com"})
    assert r.status_code == 409
    err = error_of(r)
    assert err["code"] == "identity_taken" and a["id"] in err["message"]
    assert len(shop.get("/v1/customers").json()["data"]) == 1


def test_patch_changes_only_what_was_sent_and_null_clears(shop):
    c = shop.post("/v1/customers", {"name": "Maria", "email": "maria@example.com",
                                    "phone": "+34911234567"}).json()
    r = shop.patch(f"/v1/customers/{c['id']}", {"name": "Maria G.", "phone": None})
    assert r.status_code == 200, r.text
    u = r.json()
    assert u["name"] == "Maria G." and u["email"] == "maria@example.com" and u["phone"] is None
    assert {i["type"] for i in u["identities"]} == {"email"}


def test_patch_of_an_unknown_customer_is_404(shop):
    r = shop.patch("/v1/customers/cus_0000000000000000", {"name": "x"})
    assert r.status_code == 404 and error_of(r)["code"] == "resource_missing"


def test_saved_addresses_are_kept_and_replaced_as_a_whole(shop):
    addr = {"name": "Olga K.", "line1": "Teestr. 5", "city": "Berlin", "postal_code": "10115", "country": "DE"}
    c = shop.post("/v1/customers", {"addresses": [addr]}).json()
    assert c["addresses"][0]["line1"] == "Teestr. 5" and c["addresses"][0]["line2"] is None
    u = shop.patch(f"/v1/customers/{c['id']}", {"addresses": []}).json()
    assert u["addresses"] == []


def test_a_guests_first_order_makes_the_account_invite_due_and_not_before(shop):
    c = shop.post("/v1/customers", {"email": "olga@example.com"}).json()
    assert c["account_invite_due"] is False
    shop.post("/v1/orders", new_order(shop, customer={"id": c["id"]}))
    after = shop.get(f"/v1/customers/{c['id']}").json()
    assert after["account_invite_due"] is True and after["orders_count"] == 1
    assert after["account_invite_due_at"] is not None


def test_creating_an_account_turns_a_guest_into_an_account_holder(shop):
    order = shop.post("/v1/orders", new_order(shop, customer={"phone": "+48221234567"})).json()
    cid = order["customer"]
    r = shop.post(f"/v1/customers/{cid}/account", {"email": "Olga@Example.com"})
    assert r.status_code == 200, r.text
    c = r.json()
    assert c["status"] == "account" and c["account_created_at"] and c["account_invite_due"] is False
    assert {(i["type"], i["value"]) for i in c["identities"]} == {
        ("phone", "+48221234567"), ("email", "olga@example.com")}
    again = shop.post(f"/v1/customers/{cid}/account", {})
    assert again.status_code == 200 and again.json()["account_created_at"] == c["account_created_at"]


def test_merge_moves_orders_and_identities_and_is_recorded(shop, server):
    a = shop.post("/v1/customers", {"email": "piotr@example.com", "name": "Piotr"}).json()
    b = shop.post("/v1/customers", {"phone": "+48601234567"}).json()
    o = shop.post("/v1/orders", new_order(shop, customer={"id": b["id"]})).json()
    r = shop.post(f"/v1/customers/{a['id']}/merge", {"source": b["id"]})
    assert r.status_code == 200, r.text
    m = r.json()
    assert m["orders_count"] == 1 and m["phone"] == "+48601234567"
    assert {i["type"] for i in m["identities"]} == {"email", "phone"}
    assert shop.get(f"/v1/orders/{o['id']}").json()["customer"] == a["id"]
    src = shop.get(f"/v1/customers/{b['id']}").json()
    assert src["status"] == "merged" and src["merged_into"] == a["id"]
    # A new order for the merged customer lands on the survivor.
    o2 = shop.post("/v1/orders", new_order(shop, customer={"id": b["id"]})).json()
    assert o2["customer"] == a["id"]
    # Retrying the merge changes nothing; merging into itself is refused.
    assert shop.post(f"/v1/customers/{a['id']}/merge", {"source": b["id"]}).status_code == 200
    r = shop.post(f"/v1/customers/{a['id']}/merge", {"source": a["id"]})
    assert r.status_code == 400 and error_of(r)["code"] == "merge_into_self"
    con = connect_db(server.db)
    events = con.execute("SELECT object_id, related_id FROM events WHERE type = 'customer.merged'"
                         " AND object_id = ?", (a["id"],)).fetchall()
    con.close()
    assert events == [(a["id"], b["id"])]


def test_erasure_removes_personal_data_but_keeps_anonymous_orders(shop):
    c = shop.post("/v1/customers", {"external_id": "gone", "name": "Sofia", "email": "sofia@example.com",
                                    "addresses": [{"line1": "X 1", "city": "Rome", "country": "IT"}]}).json()
    o = shop.post("/v1/orders", new_order(shop, customer={"id": c["id"]})).json()
    r = shop.delete(f"/v1/customers/{c['id']}")
    assert r.status_code == 200, r.text
    e = r.json()
    assert e["status"] == "erased"
    assert e["name"] is None and e["email"] is None and e["external_id"] is None
    assert e["identities"] == [] and e["addresses"] == []
    assert shop.get(f"/v1/orders/{o['id']}").json()["customer"] == c["id"]
    assert shop.get("/v1/customers?email=sofia@example.com").json()["data"] == []
    assert shop.delete(f"/v1/customers/{c['id']}").status_code == 200
    r = shop.patch(f"/v1/customers/{c['id']}", {"name": "back"})
    assert r.status_code == 409


def test_list_is_newest_first_and_paginates_with_a_cursor(shop):
    ids = [shop.post("/v1/customers", {"external_id": f"p{i}"}).json()["id"] for i in range(5)]
    page1 = shop.get("/v1/customers?limit=2").json()
    page2 = shop.get(f"/v1/customers?limit=2&starting_after={page1['data'][-1]['id']}").json()
    page3 = shop.get(f"/v1/customers?limit=2&starting_after={page2['data'][-1]['id']}").json()
    seen = [c["id"] for p in (page1, page2, page3) for c in p["data"]]
    assert seen == list(reversed(ids))
    assert page1["has_more"] and page2["has_more"] and not page3["has_more"]


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=abc", "status=vip", "email=nope"])
def test_bad_list_parameters_are_400(shop, query):
    assert shop.get(f"/v1/customers?{query}").status_code == 400


def test_list_filters_combine_and_never_match_two_different_customers(shop):
    a = shop.post("/v1/customers", {"external_id": "fa", "email": "fa@example.com", "phone": "+4930111111"}).json()
    b = shop.post("/v1/customers", {"external_id": "fb", "email": "fb@example.com", "whatsapp": "+4930222222"}).json()
    ids = lambda q: [c["id"] for c in shop.get(f"/v1/customers?{q}").json()["data"]]
    assert ids("email=FA@example.com&phone=%2B4930111111") == [a["id"]]
    assert ids("phone=%2B4930222222") == [b["id"]]          # a WhatsApp number counts as a phone
    assert ids("email=fa@example.com&phone=%2B4930222222") == []
    assert ids("external_id=fb") == [b["id"]]
    assert ids("external_id=fb&email=fa@example.com") == []
    assert ids("external_id=nobody") == []
    assert ids("email=nobody@example.com") == []
    assert ids("status=guest") == [b["id"], a["id"]]
