"""Regression tests for issue 8 (review findings 9, 13 and 19): identities that
look alike must be one customer or be refused. An e-mail with an invisible
(Default_Ignorable) character is 400 naming the field and the code point; a
phone names the code point it cannot read; blank customer references and
external ids are 400, never a lookup of " " or a customer whose id is a space;
the length messages of an e-mail say bytes, as RFC 5321 counts octets."""
import os
import subprocess

import pytest

from conftest import ROOT, error_of, new_order

# One of every range of Default_Ignorable_Code_Point (Unicode 14), at its edges.
INVISIBLE = [0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180E, 0x180F,
             0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202E, 0x2060, 0x2064, 0x2066,
             0x206F, 0x3164, 0xFE00, 0xFE0F, 0xFEFF, 0xFFA0, 0x1BCA0, 0x1BCA3, 0x1D173,
             0x1D17A, 0xE0001, 0xE0020, 0xE007F, 0xE0100, 0xE01EF, 0xE0FFF]


def code(cp):
    return "U+%04X" % cp


def customers(shop):
    return shop.get("/v1/customers?limit=100").json()["data"]


@pytest.mark.parametrize("cp", INVISIBLE, ids=code)
def test_an_email_with_an_invisible_character_is_400_naming_it_issue8(shop, cp):
    shop.post("/v1/customers", {"email": "anne@example.de"})
    for where in ("an" + chr(cp) + "ne@example.de", "anne@exam" + chr(cp) + "ple.de",
                  "anne@example.de" + chr(cp)):
        r = shop.post("/v1/customers", {"email": where})
        assert r.status_code == 400, (code(cp), r.text)
        err = error_of(r)
        assert err["param"] == "email" and code(cp) in err["message"], err
    assert len(customers(shop)) == 1


@pytest.mark.parametrize("cp", [0x00AD, 0x200D, 0x2060, 0xFE0F, 0xE0041], ids=code)
def test_an_order_with_an_invisible_character_in_its_email_creates_nobody_issue8(shop, cp):
    r = shop.post("/v1/orders", new_order(shop, customer={"email": "olga" + chr(cp) + "@x.de"}))
    assert r.status_code == 400, r.text
    err = error_of(r)
    assert err["param"] == "customer.email" and code(cp) in err["message"], err
    assert customers(shop) == [] and shop.get("/v1/orders").json()["data"] == []


@pytest.mark.parametrize("cp", [0x00AD, 0x200D, 0xFEFF, 0x3164], ids=code)
def test_a_lookup_by_an_email_with_an_invisible_character_is_400_issue8(shop, cp):
    shop.post("/v1/customers", {"email": "anne@example.de"})
    r = shop.s.get(shop.server.url + "/v1/customers", params={"email": "an" + chr(cp) + "ne@example.de"},
                   headers={"Authorization": f"Bearer {shop.key}"})
    assert r.status_code == 400 and code(cp) in error_of(r)["message"], r.text


@pytest.mark.parametrize("cp", [0x200B, 0x00AD, 0x2060, 0x0663, 0xFF11], ids=code)
def test_a_phone_with_a_character_it_cannot_read_names_its_code_point_issue8(shop, cp):
    number = "+49301234" + chr(cp) + "567"
    r = shop.post("/v1/customers", {"phone": number})
    assert r.status_code == 400, r.text
    err = error_of(r)
    assert err["param"] == "phone" and code(cp) in err["message"], err
    for field in ("phone", "whatsapp"):
        r = shop.post("/v1/orders", new_order(shop, customer={field: number}))
        assert r.status_code == 400, r.text
        err = error_of(r)
        assert err["param"] == "customer." + field and code(cp) in err["message"], err
    assert customers(shop) == []


@pytest.mark.parametrize("cp", [0x20, 0x09, 0x7F, 0x85, 0xA0, 0x2003, 0x2028, 0x3000], ids=code)
def test_an_email_with_a_space_or_control_character_names_the_field_and_code_point_issue8(shop, cp):
    r = shop.post("/v1/customers", {"email": "an" + chr(cp) + "ne@example.de"})
    assert r.status_code == 400, r.text
    err = error_of(r)
    assert err["param"] == "email" and code(cp) in err["message"] and '"email"' in err["message"], err


def test_the_committed_tables_are_what_gen_casemap_writes_issue8():
    table = os.path.join(ROOT, "src", "base", "casemap_table.h")
    out = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "scripts", "gen-casemap")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    with open(table, encoding="utf-8") as f:
        assert out.stdout == f.read()


@pytest.mark.parametrize("email", ["n\u00e4me@example.de", "j\u00fcrgen.m\u00fcller@beispiel.de",
                                   "\u0436\u0435\u043d\u044f@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444"])
def test_visible_non_ascii_addresses_are_still_accepted_issue8(shop, email):
    assert shop.post("/v1/customers", {"email": email}).status_code == 201


# --- blank customer references ------------------------------------------------------

@pytest.mark.parametrize("customer,param", [
    (" ", "customer"), ("\t", "customer"), ("   ", "customer"), ("ext: ", "customer"),
    ("ext:\t ", "customer"), (" ext:  ", "customer"),
    ({"external_id": " "}, "customer.external_id"), ({"external_id": "\t\t"}, "customer.external_id"),
    ({"external_id": "  ", "email": "a@x.de"}, "customer.external_id"),
    ({"id": " "}, "customer.id"),
])
def test_a_blank_customer_reference_on_an_order_is_400_and_creates_nobody_issue8(shop, customer, param):
    body = new_order(shop)
    body["customer"] = customer
    r = shop.post("/v1/orders", body)
    assert r.status_code == 400, r.text
    assert error_of(r)["param"] == param
    assert customers(shop) == [] and shop.get("/v1/orders").json()["data"] == []


@pytest.mark.parametrize("external_id", [" ", "\t", "   ", " \t "])
def test_a_blank_external_id_on_a_new_customer_is_400_issue8(shop, external_id):
    r = shop.post("/v1/customers", {"external_id": external_id, "name": "Blank"})
    assert r.status_code == 400, r.text
    assert error_of(r)["param"] == "external_id"
    assert customers(shop) == []


@pytest.mark.parametrize("given", [" k-1", "k-1 ", "\tk-1\t"])
def test_a_customer_reference_is_trimmed_of_surrounding_spaces_issue8(shop, given):
    c = shop.post("/v1/customers", {"external_id": "k-1"}).json()
    for ref in ("ext:" + given, given.replace("k-1", c["id"])):
        r = shop.post("/v1/orders", new_order(shop, customer=ref))
        assert r.status_code == 201, (ref, r.text)
        assert r.json()["customer"] == c["id"]
    r = shop.post("/v1/orders", new_order(shop, customer={"external_id": given}))
    assert r.json()["customer"] == c["id"]
    assert len(customers(shop)) == 1


def test_a_customer_created_with_spaces_around_its_external_id_stores_it_trimmed_issue8(shop):
    r = shop.post("/v1/customers", {"external_id": "  crm-7 "})
    assert r.status_code == 201 and r.json()["external_id"] == "crm-7", r.text


# --- lengths are bytes --------------------------------------------------------------

@pytest.mark.parametrize("email,says", [
    ("a" * 250 + "@x.de", "254 bytes"),
    ("\u00e4" * 130 + "@x.de", "254 bytes"),            # 130 characters, 265 bytes
    ("a" * 65 + "@x.de", "1 to 64 bytes"),
    ("\u00e4" * 33 + "@x.de", "1 to 64 bytes"),         # 33 characters, 66 bytes
    ("@x.de", "1 to 64 bytes"),
])
def test_email_length_messages_count_and_say_bytes_issue8(shop, email, says):
    r = shop.post("/v1/customers", {"email": email})
    assert r.status_code == 400, r.text
    msg = error_of(r)["message"]
    assert says in msg and "characters" not in msg, msg
