"""E-mail templates (issue 13): PUT /v1/templates/{event} creates or replaces
a shop's template of an event type, GET reads it, DELETE removes it, and a
preview renders one against made-up data. A bad template is a 400 that says
where (line and column) and changes nothing; so are an unknown event type
and a variable the event does not have."""
import pytest

from conftest import error_of, make_shop

GOOD = {"subject": "{{customer.name}}, your code",
        "text": "Hi {{customer.name}},\nuse {{offer.code}} before {{offer.expires_at}}.",
        "html": "<p>Hi {{customer.name}}</p>{{#offer.code}}<b>{{offer.code}}</b>{{/offer.code}}"}


def put(shop, event, body):
    return shop.request("PUT", f"/v1/templates/{event}", body)


def test_templates__put_creates_then_replaces_get_reads_delete_removes(shop):
    r = put(shop, "offer.issued", GOOD)
    assert r.status_code == 201, r.text
    t = r.json()
    assert t["object"] == "email_template" and t["event"] == "offer.issued"
    assert t["class"] == "promotional"
    assert (t["subject"], t["text"], t["html"]) == (GOOD["subject"], GOOD["text"], GOOD["html"])
    changed = dict(GOOD, subject="A gift for you")
    r = put(shop, "offer.issued", changed)
    assert r.status_code == 200 and r.json()["subject"] == "A gift for you"
    assert r.json()["created_at"] == t["created_at"]
    assert shop.get("/v1/templates/offer.issued").json()["subject"] == "A gift for you"
    put(shop, "order.paid", {"subject": "Thanks", "text": "", "html": ""})
    listed = shop.get("/v1/templates").json()
    assert [x["event"] for x in listed["data"]] == ["offer.issued", "order.paid"]
    assert listed["data"][1]["class"] == "transactional"
    r = shop.delete("/v1/templates/offer.issued")
    assert r.status_code == 200 and r.json()["deleted"] is True
    r = shop.get("/v1/templates/offer.issued")
    assert r.status_code == 404 and error_of(r)["param"] == "event"
    assert shop.delete("/v1/templates/offer.issued").status_code == 404


@pytest.mark.parametrize("field,source,where", [
    ("html", "<p>\n  {{customer.name}</p>", "line 2, column 3"),
    ("text", "Hi {{#offer.code}}code", "line 1, column 4"),
    ("subject", "{{#a}}{{/b}}", "line 1, column 7"),
    ("text", "ok\nok {{/offer.code}}", "line 2, column 4"),
    ("html", "{{> header}}", "line 1, column 1"),
    ("subject", "Hi {{custmer.name}}", "line 1, column 4"),
])
def test_templates__a_bad_template_is_a_400_with_its_position_and_changes_nothing(shop, field, source,
                                                                                  where):
    assert put(shop, "offer.issued", GOOD).status_code == 201
    r = put(shop, "offer.issued", dict(GOOD, **{field: source}))
    assert r.status_code == 400, r.text
    err = error_of(r)
    assert err["param"] == field and where in err["message"], err
    assert shop.get("/v1/templates/offer.issued").json()["subject"] == GOOD["subject"]


def test_templates__an_unknown_variable_names_itself(shop):
    r = put(shop, "order.paid", {"subject": "x", "text": "{{offer.code}}", "html": ""})
    assert r.status_code == 400
    assert 'unknown variable "offer.code"' in error_of(r)["message"], "order.paid has no offer"


def test_templates__an_unknown_event_type_or_a_missing_part_is_a_400(shop):
    r = put(shop, "points.earned.twice", GOOD)
    assert r.status_code == 400 and error_of(r)["code"] == "event_type_unknown"
    r = put(shop, "offer.issued", {"subject": "x", "text": "y"})
    assert r.status_code == 400 and error_of(r)["param"] == "html"
    r = put(shop, "offer.issued", dict(GOOD, html=7))
    assert r.status_code == 400 and error_of(r)["param"] == "html"
    r = put(shop, "offer.issued", dict(GOOD, footer="x"))
    assert r.status_code == 400
    r = put(shop, "offer.issued", dict(GOOD, subject="x" * 1001))
    assert r.status_code == 400 and error_of(r)["param"] == "subject"
    r = put(shop, "offer.issued", dict(GOOD, html="{{#a}}" * 9 + "{{/a}}" * 9))
    assert r.status_code == 400 and "8 deep" in error_of(r)["message"]
    assert shop.get("/v1/templates").json()["data"] == []


def test_templates__the_preview_renders_made_up_data_with_the_contact_line(shop):
    r = shop.post("/v1/templates/offer.issued/preview", GOOD)
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["subject"] == "Ana Example, your code"
    assert "use WELCOME-7KQ2 before 2026-12-24T09:00:00Z." in p["text"]
    assert "<b>WELCOME-7KQ2</b>" in p["html"]
    assert "Unsubscribe" in p["text"] and "help@shop.example" in p["html"]
    assert shop.get("/v1/templates").json()["data"] == [], "a preview stores nothing"
    r = shop.post("/v1/templates/offer.issued/preview", dict(GOOD, html="{{#x}}"))
    assert r.status_code == 400 and "line 1, column 1" in error_of(r)["message"]


def test_templates__another_shop_sees_none_of_them(shop, operator):
    assert put(shop, "order.paid", {"subject": "Order {{order.external_id}}", "text": "",
                                       "html": ""}).status_code == 201
    other = make_shop(operator, "Other")
    assert other.get("/v1/templates/order.paid").status_code == 404
    assert other.delete("/v1/templates/order.paid").status_code == 404
    assert shop.get("/v1/templates/order.paid").status_code == 200


def documented_events():
    """docs/email.md's table of events: (type, class, its own variables)."""
    import os
    import re
    path = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "email.md")
    text = open(path).read()
    common = re.findall(r"`([a-z_.]+)`", text.split("## Events and their variables")[1]
                        .split("and each its own")[0])
    rows = re.findall(r"^\| `([a-z_.]+)` \| (transactional|promotional) \| (.*) \|$", text, re.M)
    return common, [(t, c, re.findall(r"`([a-z_.]+)`", v)) for t, c, v in rows]


def test_templates__every_documented_event_takes_every_documented_variable(shop):
    common, events = documented_events()
    assert "customer.name" in common and "unsubscribe_url" in common
    assert len(events) >= 10
    for event, klass, own in events:
        body = " ".join("{{%s}}" % v for v in common + own)
        r = put(shop, event, {"subject": "{{customer.name}}", "text": body, "html": body})
        assert r.status_code == 201, (event, r.text)
        assert r.json()["class"] == klass, event


def test_templates__the_contact_line_goes_inside_a_whole_html_document(shop):
    doc = {"subject": "x", "text": "x", "html": "<html><BODY><p>Hi</p></BODY></html>"}
    html = shop.post("/v1/templates/order.paid/preview", doc).json()["html"]
    assert html.startswith("<html><BODY><p>Hi</p>") and html.endswith("</p>\n</BODY></html>")
    assert "Unsubscribe</a>" in html
