/* Unit tests of JSON validation, request fingerprints and identity normalisation. */
#include <criterion/criterion.h>
#include <string.h>

#include "base/contact.h"
#include "base/jsonv.h"
#include "base/secure.h"

static json_t *parse(const char *s)
{
	json_t *v;
	struct err e;
	cr_assert_eq(jsonv_parse_object(s, strlen(s), &v, &e), 0, "%s", e.message);
	return v;
}

Test(jsonv, parse_reports_the_byte_offset_of_broken_json)
{
	json_t *v;
	struct err e;
	cr_assert_eq(jsonv_parse_object("{\"a\":,}", 7, &v, &e), ERR_INVALID);
	cr_assert_str_eq(e.code, "invalid_json");
	cr_assert(strstr(e.message, "at byte 6"), "%s", e.message);
	cr_assert_eq(jsonv_parse_object("[]", 2, &v, &e), ERR_INVALID);
	cr_assert_eq(jsonv_parse_object("", 0, &v, &e), ERR_INVALID);
	cr_assert_eq(jsonv_parse_object("{\"a\":1,\"a\":2}", 13, &v, &e), ERR_INVALID);
}

Test(jsonv, integers_refuse_fractions_floats_strings_and_out_of_range)
{
	json_t *o = parse("{\"a\":2.5,\"b\":2.0,\"c\":\"2\",\"d\":-1,\"e\":7,\"f\":true}");
	int64_t v;
	int present;
	struct err e;
	cr_assert_eq(jsonv_int(o, "a", 1, 0, 10, &v, NULL, NULL, &e), ERR_INVALID);
	cr_assert(strstr(e.message, "integer"));
	cr_assert_eq(jsonv_int(o, "b", 1, 0, 10, &v, NULL, NULL, &e), ERR_INVALID);
	cr_assert_eq(jsonv_int(o, "c", 1, 0, 10, &v, NULL, NULL, &e), ERR_INVALID);
	cr_assert_eq(jsonv_int(o, "d", 1, 0, 10, &v, NULL, NULL, &e), ERR_INVALID);
	cr_assert(strstr(e.message, "negative"));
	cr_assert_eq(jsonv_int(o, "f", 1, 0, 10, &v, NULL, NULL, &e), ERR_INVALID);
	cr_assert_eq(jsonv_int(o, "e", 1, 0, 10, &v, &present, NULL, &e), 0);
	cr_assert_eq(v, 7);
	cr_assert(present);
	cr_assert_eq(jsonv_int(o, "zz", 0, 0, 10, &v, &present, NULL, &e), 0);
	cr_assert_not(present);
	cr_assert_eq(jsonv_int(o, "zz", 1, 0, 10, &v, &present, NULL, &e), ERR_INVALID);
	cr_assert_str_eq(e.code, "parameter_missing");
	json_decref(o);
}

/* Issue 8: only money fields say "minor units". */
Test(jsonv, only_money_messages_name_minor_units)
{
	json_t *o = parse("{\"a\":2.5,\"c\":\"2\",\"d\":99}");
	int64_t v;
	struct err e;
	const char *keys[] = { "a", "c", "d" };
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(jsonv_int(o, keys[i], 1, 0, 10, &v, NULL, NULL, &e), ERR_INVALID);
		cr_assert_null(strstr(e.message, "minor units"), "%s", e.message);
		cr_assert_eq(jsonv_money(o, keys[i], 1, 0, 10, &v, NULL, NULL, &e), ERR_INVALID);
		cr_assert(strstr(e.message, "minor units"), "%s", e.message);
	}
	json_decref(o);
}

Test(jsonv, strings_are_bounded_and_null_counts_as_absent)
{
	json_t *o = parse("{\"a\":\"tea\",\"b\":\"\",\"c\":null,\"d\":5}");
	const char *s;
	struct err e;
	cr_assert_eq(jsonv_string(o, "a", 1, 3, &s, NULL, &e), 0);
	cr_assert_str_eq(s, "tea");
	cr_assert_eq(jsonv_string(o, "a", 1, 2, &s, NULL, &e), ERR_INVALID);
	cr_assert_eq(jsonv_string(o, "b", 0, 9, &s, NULL, &e), ERR_INVALID);
	cr_assert_eq(jsonv_string(o, "c", 0, 9, &s, NULL, &e), 0);
	cr_assert_null(s);
	cr_assert_eq(jsonv_string(o, "d", 0, 9, &s, "x.d", &e), ERR_INVALID);
	cr_assert_str_eq(e.param, "x.d");
	json_decref(o);
}

Test(jsonv, unknown_keys_are_named_with_their_prefix)
{
	static const char *const allowed[] = { "sku", NULL };
	json_t *o = parse("{\"sku\":\"a\",\"colour\":\"red\"}");
	struct err e;
	cr_assert_eq(jsonv_only_keys(o, allowed, "lines[3].", &e), ERR_INVALID);
	cr_assert_str_eq(e.param, "lines[3].colour");
	cr_assert_str_eq(e.code, "parameter_unknown");
	json_decref(o);
}

Test(jsonv, fingerprint_ignores_whitespace_and_key_order_but_not_values_or_paths)
{
	char a[65], b[65], c[65], d[65];
	json_t *x = parse("{\"a\":1,\"b\":[1,2]}"), *y = parse("{ \"b\" : [1, 2], \"a\" : 1 }"),
	       *z = parse("{\"a\":1,\"b\":[2,1]}");
	secure_init();
	jsonv_fingerprint("POST", "/v1/orders", x, a);
	jsonv_fingerprint("POST", "/v1/orders", y, b);
	jsonv_fingerprint("POST", "/v1/orders", z, c);
	jsonv_fingerprint("POST", "/v1/customers", x, d);
	cr_assert_str_eq(a, b);
	cr_assert_str_neq(a, c);
	cr_assert_str_neq(a, d);
	json_decref(x);
	json_decref(y);
	json_decref(z);
}

Test(contact, emails_are_trimmed_and_lower_cased)
{
	char out[CONTACT_EMAIL_MAX];
	struct err e;
	cr_assert_eq(contact_normalize_email("  Olga.K@Example.COM ", out, "email", &e), 0);
	cr_assert_str_eq(out, "olga.k@example.com");
}

Test(contact, implausible_emails_are_refused_naming_the_field)
{
	char out[CONTACT_EMAIL_MAX];
	struct err e;
	const char *bad[] = { "", "olga", "@example.com", "olga@", "olga@example", "olga@@example.com",
			      "ol ga@example.com", "olga@.com", "olga@example.com." };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(contact_normalize_email(bad[i], out, "customer.email", &e), ERR_INVALID,
			     "accepted \"%s\"", bad[i]);
		cr_assert_str_eq(e.param, "customer.email");
	}
}

Test(contact, phones_become_e164)
{
	char out[CONTACT_PHONE_MAX];
	struct err e;
	const char *same[] = { "+49 30 1234567", "+49 (30) 123-4567", "0049301234567", "+49.30.1234567" };
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		cr_assert_eq(contact_normalize_phone(same[i], out, "phone", &e), 0, "%s: %s", same[i], e.message);
		cr_assert_str_eq(out, "+49301234567");
	}
}

Test(contact, phones_without_a_country_code_or_with_letters_are_refused)
{
	char out[CONTACT_PHONE_MAX];
	struct err e;
	const char *bad[] = { "030 1234567", "+49 30 CALL-ME", "+123", "+0 30 1234567",
			      "+1234567890123456", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(contact_normalize_phone(bad[i], out, "phone", &e), ERR_INVALID,
			     "accepted \"%s\"", bad[i]);
	contact_normalize_phone("030 1234567", out, "phone", &e);
	cr_assert(strstr(e.message, "country code"), "%s", e.message);
}
