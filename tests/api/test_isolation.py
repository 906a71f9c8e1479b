"""Shops cannot see each other: another shop's ids are 404, never 403."""
from conftest import error_of, make_shop, new_order


def test_a_shop_sees_nothing_of_another_shop(operator):
    a, b = make_shop(operator, "A"), make_shop(operator, "B")
    c = a.post("/v1/customers", {"external_id": "same", "email": "x@example.com"}).json()
    o = a.post("/v1/orders", new_order(a, external_id="O-1", customer={"id": c["id"]})).json()

    for path in (f"/v1/customers/{c['id']}", "/v1/customers/ext:same", f"/v1/orders/{o['id']}",
                 "/v1/orders/ext:O-1"):
        r = b.get(path)
        assert r.status_code == 404, path
        assert error_of(r)["code"] == "resource_missing"
    assert b.get("/v1/customers").json()["data"] == []
    assert b.get("/v1/orders").json()["data"] == []
    assert b.get("/v1/customers?email=x@example.com").json()["data"] == []
    assert b.get(f"/v1/orders?customer={c['id']}").status_code == 404

    # Writes aimed at A's records from B are 404 and change nothing in A.
    assert b.patch(f"/v1/customers/{c['id']}", {"name": "hijack"}).status_code == 404
    assert b.delete(f"/v1/customers/{c['id']}").status_code == 404
    assert b.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"}).status_code == 404
    assert b.post(f"/v1/orders/{o['id']}/cancel").status_code == 404
    assert b.post("/v1/orders", new_order(b, customer={"id": c["id"]})).status_code == 404
    own = b.post("/v1/customers", {"name": "B's"}).json()
    assert b.post(f"/v1/customers/{own['id']}/merge", {"source": c["id"]}).status_code == 404
    assert a.get(f"/v1/customers/{c['id']}").json()["name"] is None
    assert a.get(f"/v1/orders/{o['id']}").json()["status"] == "pending"


def test_the_same_external_ids_and_emails_live_independently_in_two_shops(operator):
    a, b = make_shop(operator, "A"), make_shop(operator, "B")
    ca = a.post("/v1/customers", {"external_id": "42", "email": "same@example.com"}).json()
    cb = b.post("/v1/customers", {"external_id": "42", "email": "same@example.com"}).json()
    assert ca["id"] != cb["id"]
    oa = a.post("/v1/orders", new_order(a, external_id="N-1")).json()
    ob = b.post("/v1/orders", new_order(b, external_id="N-1")).json()
    assert oa["id"] != ob["id"]
