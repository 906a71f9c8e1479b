"""E-mail to customers (issue 13): a shop's templates turn events into
messages sent over SMTP to a sink on loopback (tests/api/smtp_sink.py). Each
message carries the shop's contact line and an unsubscribe link; the link
works without a key and leaves only transactional mail; promotional mail is
capped per customer and week; a message waits while the SMTP server is down
and arrives once; customers without an address, events without a template
and erased customers get nothing, and an erasure blanks what was kept.

The server runs with --jobs-interval 0: the tests run the jobs themselves
(POST /v1/jobs/run, or the test clock), so every send happens in that call."""
import re
import subprocess
import tempfile
import uuid

import pytest

from conftest import (BIN, OPERATOR_KEY, PG, Api, Server, check_clean_exit, connect_db, error_of,
                      make_shop, new_order)
from service_helpers import set_contact
from smtp_sink import SmtpSink

START = "2031-06-01T09:00:00Z"
UNSUBSCRIBE_PAGE = "https://tea.example/unsubscribe"


@pytest.fixture(scope="module")
def sink():
    with SmtpSink() as s:
        yield s


@pytest.fixture(scope="module")
def mail_server(sink):
    with tempfile.TemporaryDirectory() as d:
        srv = Server(d, ["--smtp-url", f"smtp://127.0.0.1:{sink.port}", "--jobs-interval", "0"])
        srv.start()
        try:
            op = Api(srv, OPERATOR_KEY)
            assert op.post("/v1/test/clock", {"now": START}).status_code == 200
            yield srv
        finally:
            check_clean_exit(srv)


@pytest.fixture
def op(mail_server, sink):
    # Every test starts with the sink up and accepting, whatever the last did.
    if not sink.server:
        sink.start()
    sink.refuse_data = False
    return Api(mail_server, OPERATOR_KEY)


@pytest.fixture
def shop(op):
    s = make_shop(op)
    set_contact(s)
    r = s.request("PUT", "/v1/email/settings", {"unsubscribe_url": UNSUBSCRIBE_PAGE})
    assert r.status_code == 200, r.text
    return s


def put_template(shop, event, subject, text, html):
    r = shop.request("PUT", f"/v1/templates/{event}", {"subject": subject, "text": text, "html": html})
    assert r.status_code in (200, 201), r.text


def run_jobs(op):
    r = op.post("/v1/jobs/run")
    assert r.status_code == 200, r.text


def advance(op, seconds):
    r = op.post("/v1/test/clock", {"advance_seconds": seconds})
    assert r.status_code == 200, r.text


def new_customer(shop, name="Ana", email=None):
    email = email or f"{uuid.uuid4().hex[:10]}@example.com"
    r = shop.post("/v1/customers", {"email": email, "name": name})
    assert r.status_code == 201, r.text
    return r.json()["id"], email


def give_offer(shop, customer, name="gift"):
    r = shop.post("/v1/campaigns", {"name": name, "type": "personal", "starts_at": START,
                                    "validity_days": 30, "discount": {"kind": "percent", "value": 10}})
    assert r.status_code == 201, r.text
    r = shop.post(f"/v1/campaigns/{r.json()['id']}/issue", {"customers": [customer]})
    assert r.status_code == 200 and r.json()["issued"] == 1, r.text


def pay_order(shop, customer):
    o = shop.post("/v1/orders", new_order(shop, customer={"id": customer})).json()
    r = shop.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"})
    assert r.status_code == 200, r.text
    return o


def parts(msg):
    return msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()


def token_of(msg):
    m = re.search(r"<https://tea\.example/unsubscribe\?token=([^>]+)>", msg["List-Unsubscribe"])
    assert m, msg["List-Unsubscribe"]
    return m.group(1)


OFFER = ("{{customer.name}}, a gift from {{shop.name}}",
         "Hello {{customer.name}}, your code is {{offer.code}} ({{offer.expires_at}}).",
         "<p>Hello {{customer.name}}, your code is <b>{{offer.code}}</b>.</p>"
         "{{#customer.tier}}<p>{{customer.tier}}</p>{{/customer.tier}}")
PAID = ("Thank you for order {{order.external_id}}", "You have {{customer.points}} points.",
        "<p>Order {{order.external_id}}: {{order.total}} {{order.currency}}</p>")


def test_email__an_offer_arrives_escaped_with_the_contact_line_and_an_unsubscribe_link(shop, op, sink):
    put_template(shop, "offer.issued", *OFFER)
    name = "<script>alert('x')</script> Ünal"
    cid, address = new_customer(shop, name=name)
    give_offer(shop, cid)
    run_jobs(op)
    [msg] = sink.wait_for(address, 1)
    code = shop.get(f"/v1/customers/{cid}/offers").json()["data"][0]["code"]
    assert msg["Subject"] == f"{name}, a gift from Tea House"
    assert msg["From"].addresses[0].addr_spec == "hello@tea.example"
    assert msg["From"].addresses[0].display_name == "Tea House"
    assert msg["Reply-To"].addresses[0].addr_spec == "help@tea.example"
    assert msg["To"].addresses[0].addr_spec == address
    assert msg["MIME-Version"] == "1.0" and msg["Date"] and re.fullmatch(r"<[^<>@]+@tea\.example>",
                                                                        msg["Message-ID"])
    assert msg.get_content_type() == "multipart/alternative"
    text, html = parts(msg)
    assert f"Hello {name}, your code is {code} (20" in text, "text is not escaped"
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Ünal" in html and "<script>" not in html
    assert f"<b>{code}</b>" in html
    for body in (text, html):
        assert "help@tea.example" in body and "+48221234567" in body, "the contact line"
        assert f"{UNSUBSCRIBE_PAGE}?token=" in body
    assert token_of(msg) in text
    raw = [r for (_, rc, _, r) in sink.messages if f"<{address}>" in rc][0]
    assert b"Subject: =?UTF-8?B?" in raw, "a UTF-8 subject is an encoded word"
    assert b"<script>" not in raw


def test_email__the_unsubscribe_link_leaves_only_transactional_mail(shop, op, sink):
    put_template(shop, "offer.issued", *OFFER)
    put_template(shop, "order.paid", *PAID)
    cid, address = new_customer(shop)
    give_offer(shop, cid, "first")
    run_jobs(op)
    [first] = sink.wait_for(address, 1)
    token = token_of(first)

    forged = token[:-4] + ("0000" if not token.endswith("0000") else "1111")
    r = shop.post("/v1/unsubscribe", {"token": forged}, key=None)
    assert r.status_code == 422 and error_of(r)["code"] == "unsubscribe_token_invalid"
    assert shop.post("/v1/unsubscribe", {}, key=None).status_code == 400
    for _ in range(2):      # a second click changes nothing
        r = shop.post("/v1/unsubscribe", {"token": token}, key=None)
        assert r.status_code == 200, r.text
        assert cid not in r.text, "the answer names nobody"

    give_offer(shop, cid, "second")
    o = pay_order(shop, cid)
    run_jobs(op)
    got = sink.wait_for(address, 2)
    assert len(got) == 2
    assert got[1]["Subject"] == f"Thank you for order {o['external_id']}"
    run_jobs(op)
    assert len(sink.to(address)) == 2, "the offer after unsubscribing is never sent"
    with connect_db(shop.server.db) as con:
        rows = con.execute("SELECT event_type, state, reason FROM email_messages WHERE shop_id = ?"
                           " ORDER BY created_at, id", (shop.shop["id"],)).fetchall()
    assert ("offer.issued", "skipped", "unsubscribed") in rows


def test_email__promotional_mail_is_capped_per_customer_and_week(shop, op, sink):
    r = shop.request("PUT", "/v1/email/settings", {"unsubscribe_url": UNSUBSCRIBE_PAGE,
                                                   "promotional_weekly_cap": 2})
    assert r.status_code == 200 and r.json()["promotional_weekly_cap"] == 2
    put_template(shop, "offer.issued", *OFFER)
    put_template(shop, "order.paid", *PAID)
    cid, address = new_customer(shop)
    for i in range(3):
        give_offer(shop, cid, f"offer {i}")
    pay_order(shop, cid)
    run_jobs(op)
    got = sink.wait_for(address, 3)
    assert sorted(m["Subject"].startswith("Thank you") for m in got) == [False, False, True], \
        "two offers and the transactional message"
    advance(op, 8 * 86400)
    give_offer(shop, cid, "next week")
    run_jobs(op)
    assert len(sink.wait_for(address, 4)) == 4, "a new week, a new allowance"


def test_email__a_message_waits_while_the_smtp_server_is_down_and_arrives_once(shop, op, sink):
    put_template(shop, "order.paid", *PAID)
    cid, address = new_customer(shop)
    sink.stop()
    pay_order(shop, cid)
    run_jobs(op)
    sink.start()
    run_jobs(op)
    assert sink.to(address) == [], "the retry waits for its back-off"
    advance(op, 61)
    assert len(sink.wait_for(address, 1)) == 1
    sink.refuse_data = True     # a 451 is a failure too
    cid2, address2 = new_customer(shop)
    pay_order(shop, cid2)
    run_jobs(op)
    sink.refuse_data = False
    advance(op, 61)
    run_jobs(op)
    advance(op, 3600)
    assert len(sink.to(address)) == 1 and len(sink.to(address2)) == 1, "each exactly once"
    with connect_db(shop.server.db) as con:
        rows = con.execute("SELECT state, attempts FROM email_messages WHERE shop_id = ?"
                           " ORDER BY created_at, id", (shop.shop["id"],)).fetchall()
    assert rows == [("sent", 2), ("sent", 2)]


def test_email__no_address_no_template_or_no_contact_means_no_mail(shop, op, sink):
    put_template(shop, "offer.issued", *OFFER)
    before = len(sink.messages)
    r = shop.post("/v1/customers", {"phone": "+48 22 555 01 02", "name": "Phone Only"})
    assert r.status_code == 201, r.text
    give_offer(shop, r.json()["id"])
    cid, _ = new_customer(shop)
    pay_order(shop, cid)        # order.paid has no template in this shop
    other = make_shop(op, "No Contact")
    put_template(other, "offer.issued", *OFFER)
    ocid, _ = new_customer(other)
    give_offer(other, ocid)
    run_jobs(op)
    assert len(sink.messages) == before
    with connect_db(shop.server.db) as con:
        rows = con.execute("SELECT shop_id, event_type, state, reason FROM email_messages WHERE"
                           " shop_id IN (?, ?)", (shop.shop["id"], other.shop["id"])).fetchall()
    assert sorted(rows) == sorted([(shop.shop["id"], "offer.issued", "skipped", "no_email"),
                                   (other.shop["id"], "offer.issued", "skipped", "no_shop_contact")])


def test_email__each_event_is_mailed_once_however_often_the_jobs_run(shop, op, sink):
    put_template(shop, "order.paid", *PAID)
    cid, address = new_customer(shop)
    pay_order(shop, cid)
    for _ in range(3):
        run_jobs(op)
    advance(op, 600)
    assert len(sink.wait_for(address, 1)) == 1
    assert len(sink.to(address)) == 1


def test_email__erasure_blanks_the_messages_and_a_queued_one_is_never_sent(shop, op, sink):
    put_template(shop, "order.paid", *PAID)
    cid, address = new_customer(shop, name="Erin Erased")
    pay_order(shop, cid)
    run_jobs(op)
    assert len(sink.wait_for(address, 1)) == 1
    sink.stop()
    pay_order(shop, cid)
    run_jobs(op)                # queued, waiting for its retry
    sink.start()
    r = shop.delete(f"/v1/customers/{cid}")
    assert r.status_code == 200, r.text
    advance(op, 3600)
    assert len(sink.to(address)) == 1, "nothing is sent to an erased customer"
    with connect_db(shop.server.db) as con:
        rows = con.execute("SELECT state, recipient, subject, text_body, html_body FROM email_messages"
                           " WHERE shop_id = ? ORDER BY created_at, id", (shop.shop["id"],)).fetchall()
        leftovers = con.execute("SELECT count(*) FROM email_messages WHERE text_body LIKE ?"
                                " OR recipient = ?", ("%Erin%", address)).fetchone()
    assert [r[0] for r in rows] == ["sent", "skipped"]
    assert all(r[1:] == (None, None, None, None) for r in rows)
    assert leftovers == (0,)


def test_email__settings_are_validated_and_default_to_a_documented_cap(shop):
    r = shop.get("/v1/email/settings")
    assert r.status_code == 200 and r.json()["promotional_weekly_cap"] == 3
    for body, param in [({"unsubscribe_url": "ftp://x"}, "unsubscribe_url"),
                        ({"promotional_weekly_cap": -1}, "promotional_weekly_cap"),
                        ({"promotional_weekly_cap": 101}, "promotional_weekly_cap"),
                        ({"other": 1}, "other")]:
        r = shop.request("PUT", "/v1/email/settings", body)
        assert r.status_code == 400 and error_of(r)["param"] == param, r.text
    assert shop.get("/v1/email/settings").json()["unsubscribe_url"] == UNSUBSCRIBE_PAGE


def test_email__the_smtp_password_is_never_printed_and_a_bad_url_is_refused():
    out = subprocess.run([BIN, "serve", "--print-config", "--smtp-url",
                          "smtps://mailer:hunter22@mail.example:465", "--smtp-password", "s3cr3t-pw"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "s3cr3t-pw" not in out.stdout + out.stderr and "hunter22" not in out.stdout
    assert "smtp-password = (set, hidden)" in out.stdout
    assert "smtp-url = smtps://mailer@mail.example:465" in out.stdout
    bad = subprocess.run([BIN, "serve", "--print-config", "--smtp-url", "http://mail.example"],
                         capture_output=True, text=True)
    assert bad.returncode != 0 and "smtp-url" in bad.stderr


def test_email__the_smtp_login_comes_from_the_environment_and_is_never_logged():
    with SmtpSink() as auth_sink, tempfile.TemporaryDirectory() as d:
        auth_sink.auth = ("mailer", "pa55-Wörd")
        srv = Server(d, ["--smtp-url", f"smtp://127.0.0.1:{auth_sink.port}", "--jobs-interval", "0"],
                     env={"RETAIN_SMTP_USER": "mailer", "RETAIN_SMTP_PASSWORD": "pa55-Wörd"})
        srv.start()
        try:
            op = Api(srv, OPERATOR_KEY)
            s = make_shop(op)
            set_contact(s)
            s.request("PUT", "/v1/email/settings", {"unsubscribe_url": UNSUBSCRIBE_PAGE})
            put_template(s, "order.paid", *PAID)
            cid, address = new_customer(s)
            pay_order(s, cid)
            run_jobs(op)
            assert len(auth_sink.wait_for(address, 1)) == 1
            assert auth_sink.logins == [[b"mailer", "pa55-Wörd".encode()]]
        finally:
            check_clean_exit(srv)
        log = srv.logtext()
        assert "pa55" not in log and address not in log


@pytest.mark.skipif(not PG, reason="needs a PostgreSQL cluster (RETAIN_TEST_PG): nodes share a database")
def test_email__three_nodes_running_the_jobs_at_once_send_each_message_once(sink):
    import threading
    if not sink.server:
        sink.start()
    args = ["--smtp-url", f"smtp://127.0.0.1:{sink.port}", "--jobs-interval", "0"]
    with tempfile.TemporaryDirectory() as d0, tempfile.TemporaryDirectory() as d1, \
            tempfile.TemporaryDirectory() as d2:
        nodes = [Server(d0, args).start()]
        try:
            for d in (d1, d2):
                n = Server(d, args)
                n.db = nodes[0].db
                nodes.append(n.start())
            ops = [Api(n, OPERATOR_KEY) for n in nodes]
            s = make_shop(ops[0])
            set_contact(s)
            s.request("PUT", "/v1/email/settings", {"unsubscribe_url": UNSUBSCRIBE_PAGE})
            put_template(s, "order.paid", *PAID)
            addresses = []
            for _ in range(12):
                cid, address = new_customer(s)
                pay_order(s, cid)
                addresses.append(address)
            for _ in range(2):
                start = threading.Barrier(3)

                def run(o):
                    start.wait()
                    run_jobs(o)
                threads = [threading.Thread(target=run, args=(o,)) for o in ops]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
            for a in addresses:
                assert len(sink.wait_for(a, 1)) == 1
            assert all(len(sink.to(a)) == 1 for a in addresses), "each exactly once"
        finally:
            for n in nodes:
                if n.proc.poll() is None:
                    check_clean_exit(n)


def test_email__a_merged_customer_keeps_the_choice_and_gets_the_survivors_mail(shop, op, sink):
    put_template(shop, "offer.issued", *OFFER)
    put_template(shop, "order.paid", *PAID)
    old, old_address = new_customer(shop, name="Old Account")
    give_offer(shop, old, "before the merge")
    run_jobs(op)
    [first] = sink.wait_for(old_address, 1)
    assert shop.post("/v1/unsubscribe", {"token": token_of(first)}, key=None).status_code == 200
    survivor, address = new_customer(shop, name="Survivor")
    r = shop.post(f"/v1/customers/{survivor}/merge", {"source": old})
    assert r.status_code == 200, r.text
    give_offer(shop, survivor, "after the merge")
    pay_order(shop, survivor)
    run_jobs(op)
    got = sink.wait_for(address, 1)
    assert [m["Subject"].startswith("Thank you") for m in got] == [True], \
        "the unsubscribe of a merged account holds for the survivor"


def test_email__a_message_too_large_once_rendered_is_skipped_not_sent(shop, op, sink):
    put_template(shop, "order.paid", "Thanks", "x", "{{customer.name}}" * 3800)
    cid, address = new_customer(shop, name="N" * 200)
    pay_order(shop, cid)
    run_jobs(op)
    assert sink.to(address) == []
    with connect_db(shop.server.db) as con:
        row = con.execute("SELECT state, reason, last_error, text_body FROM email_messages WHERE"
                          " shop_id = ?", (shop.shop["id"],)).fetchone()
    assert row[:2] == ("skipped", "render_failed") and "longer than" in row[2] and row[3] is None


def test_email__every_event_of_the_table_is_mailed_with_its_variables(sink):
    """Each row of docs/email.md's table, caused for real, renders on this
    engine: its query runs, and its own variables have their values."""
    from test_templates import documented_events
    from loyalty_helpers import set_program
    if not sink.server:
        sink.start()
    common, events = documented_events()
    with tempfile.TemporaryDirectory() as d:
        srv = Server(d, ["--smtp-url", f"smtp://127.0.0.1:{sink.port}", "--jobs-interval", "0"])
        srv.start()
        try:
            op = Api(srv, OPERATOR_KEY)
            assert op.post("/v1/test/clock", {"now": "2031-07-01T08:00:00Z"}).status_code == 200
            s = make_shop(op)
            set_contact(s, survey_url="https://tea.example/survey")
            s.request("PUT", "/v1/email/settings", {"unsubscribe_url": UNSUBSCRIBE_PAGE,
                                                    "promotional_weekly_cap": 100})
            for event, _, own in events:
                body = "\n".join("%s=[{{%s}}]" % (v, v) for v in common + own)
                put_template(s, event, "{{event.type}}", body, "<pre>" + body + "</pre>")
            set_program(s, pending_days=0, expiry={"policy": "days", "n": 30, "reminder_days": 7},
                        milestones=[{"type": "every", "n": 1, "points": 5, "gift": "mug"}],
                        tiers={"basis": "points_earned", "window_days": 365, "downgrade": "one_down",
                               "levels": [{"name": "silver", "threshold": 5, "earn_percent": 100}]},
                        bonuses=[{"action": "signup", "points": 30, "per_customer_limit": 1}])
            cid, address = new_customer(s, name="Vera")                       # points.bonus
            o = s.post("/v1/orders", new_order(s, customer={"id": cid},
                                               promised_delivery_at="2031-07-02T08:00:00Z")).json()
            assert s.post(f"/v1/orders/{o['id']}/payments", {"status": "paid"}).status_code == 200
            assert s.post(f"/v1/orders/{o['id']}/shipments",
                          {"external_id": "P-1", "carrier": "FastPost"}).status_code == 201
            assert s.post(f"/v1/orders/{o['id']}/refunds",
                          {"external_id": "R-1", "amount": 500}).status_code == 201
            give_offer(s, cid)
            t = s.post("/v1/tickets", {"channel": "email", "customer": {"id": cid},
                                       "subject": "Cup size", "body": "Which size?"}).json()
            assert s.post(f"/v1/tickets/{t['id']}/messages",
                          {"author": "agent", "agent": "Ola", "body": "Large."}).status_code == 201
            assert s.patch(f"/v1/tickets/{t['id']}", {"status": "solved"}).status_code == 200  # survey.sent
            guest = f"guest-{uuid.uuid4().hex[:8]}@example.com"
            s.post("/v1/orders", new_order(s, customer={"email": guest}))     # account invite due
            run_jobs(op)
            advance(op, 24 * 86400)             # late parcel, reminders of the lots
            advance(op, 7 * 86400)              # the lots expire
            got = {}
            for m in sink.to(address) + sink.to(guest):
                got.setdefault(m["Subject"], []).append(m.get_body(("plain",)).get_content())
        finally:
            check_clean_exit(srv)
    assert set(got) == {e for e, _, _ in events}, "each event type mailed"
    empty_allowed = {"shipment.tracking_id", "customer.tier", "customer.points", "customer.name"}
    for event, _, own in events:
        text = got[event][0]
        for v in own:
            m = re.search(r"^%s=\[(.*)\]$" % re.escape(v), text, re.M)
            assert m, (event, v, text)
            assert m.group(1) or v in empty_allowed, (event, v, text)


def test_email__the_shop_lists_its_messages_with_their_state_and_never_their_words(shop, op, sink):
    put_template(shop, "order.paid", *PAID)
    put_template(shop, "offer.issued", *OFFER)
    cid, address = new_customer(shop, name="Listed Lena")
    r = shop.post("/v1/customers", {"phone": "+48 22 555 01 09"})
    nomail = r.json()["id"]
    pay_order(shop, cid)
    give_offer(shop, nomail)
    run_jobs(op)
    assert len(sink.wait_for(address, 1)) == 1
    r = shop.get("/v1/email/messages")
    assert r.status_code == 200, r.text
    listed = r.json()["data"]
    assert [(m["event_type"], m["state"], m["reason"]) for m in listed] == [
        ("order.paid", "sent", None), ("offer.issued", "skipped", "no_email")], "newest first"
    sent, skipped = listed
    assert sent["customer"] == cid and sent["class"] == "transactional" and sent["attempts"] == 1
    assert sent["sent_at"] and sent["next_attempt_at"] is None
    assert address not in r.text and "Lena" not in r.text
    page = shop.get("/v1/email/messages?limit=1").json()
    assert page["has_more"] is True and page["data"][0]["id"] == sent["id"]
    rest = shop.get(f"/v1/email/messages?limit=1&starting_after={sent['id']}").json()
    assert [m["id"] for m in rest["data"]] == [skipped["id"]] and rest["has_more"] is False
    only = shop.get(f"/v1/email/messages?customer={cid}").json()["data"]
    assert [m["id"] for m in only] == [sent["id"]]
    assert shop.get("/v1/email/messages?customer=cus_nobody").status_code == 404
    assert shop.get("/v1/email/messages?limit=0").status_code == 400


def test_email__a_mailbox_the_server_refuses_for_good_is_failed_at_once(shop, op, sink):
    put_template(shop, "order.paid", *PAID)
    cid, address = new_customer(shop)
    sink.unknown.add(address)
    try:
        pay_order(shop, cid)
        run_jobs(op)
        advance(op, 3600)
    finally:
        sink.unknown.discard(address)
    assert sink.to(address) == []
    [m] = shop.get(f"/v1/email/messages?customer={cid}").json()["data"]
    assert (m["state"], m["attempts"]) == ("failed", 1) and "550" in m["last_error"], m


def test_email__a_survey_mail_carries_the_one_click_link_that_answers_it(shop, op, sink):
    set_contact(shop, survey_url="https://tea.example/survey?lang=en")
    put_template(shop, "survey.sent", "How did we do?", "Answer: {{survey.link}}",
                 "<a href=\"{{survey.link}}\">{{survey.kind}}</a>")
    cid, address = new_customer(shop, name="Piotr")
    t = shop.post("/v1/tickets", {"channel": "email", "customer": {"id": cid},
                                  "subject": "Broken cup", "body": "In pieces."}).json()
    assert shop.patch(f"/v1/tickets/{t['id']}", {"status": "solved"}).status_code == 200
    run_jobs(op)
    [msg] = sink.to(address)
    text, html = parts(msg)
    m = re.search(r"https://tea\.example/survey\?lang=en&token=(\S+)", text)
    assert m, text
    assert "&amp;token=" in html and ">csat<" in html, html
    r = Api(op.server, None).post("/v1/surveys/answers", {"token": m.group(1), "score": 5})
    assert r.status_code == 200, r.text
    assert shop.get(f"/v1/customers/{cid}/surveys").json()["data"][0]["score"] == 5
