"""An erasure reaches the stored answers of ticket writes (found by the
issue 12 reviews work): a replay of the POST that opened a ticket, or added
a message to it, shows the blank ticket, never the erased words."""


def test_erasure__a_replay_of_a_ticket_write_shows_the_blank_ticket(shop):
    opened = {"channel": "email", "customer": {"email": "anna.nowak@example.com"},
              "subject": "Anna Nowak: broken teapot", "body": "Call me on +48 600 100 200."}
    first = shop.post("/v1/tickets", opened, headers={"Idempotency-Key": "tk-erase"})
    assert first.status_code == 201, first.text
    t = first.json()
    more = {"author": "customer", "body": "Anna again: still broken"}
    added = shop.post(f"/v1/tickets/{t['id']}/messages", more, headers={"Idempotency-Key": "tk-erase-2"})
    assert added.status_code == 201, added.text
    other = shop.post("/v1/tickets", dict(opened, customer={"email": "piotr@example.com"},
                                          subject="Piotr: late parcel"))
    assert other.status_code == 201

    assert shop.delete(f"/v1/customers/{t['customer']}").status_code == 200

    for path, body, key in (("/v1/tickets", opened, "tk-erase"),
                            (f"/v1/tickets/{t['id']}/messages", more, "tk-erase-2")):
        r = shop.post(path, body, headers={"Idempotency-Key": key})
        assert r.status_code == 201, r.text
        assert "anna" not in r.text.lower() and "600 100" not in r.text, r.text
        assert r.json()["id"] == t["id"] and r.json()["subject"] == ""
    assert shop.get(f"/v1/tickets/{other.json()['id']}").json()["subject"] == "Piotr: late parcel"
    assert len(shop.get("/v1/tickets").json()["data"]) == 2, "the replays opened nothing"
