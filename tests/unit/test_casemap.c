/* Unit tests of the locale-free Unicode lower case and of e-mail folding in
 * every script (regression tests for issue 8: "ÄNNE@…" and "änne@…" were two
 * customers). */
#include <criterion/criterion.h>
#include <locale.h>
#include <string.h>
#include <wctype.h>

#include "base/casemap.h"
#include "base/contact.h"

static void assert_email(const char *in, const char *want)
{
	char out[CONTACT_EMAIL_MAX];
	struct err e;
	cr_assert_eq(contact_normalize_email(in, out, "email", &e), 0, "\"%s\": %s", in, e.message);
	cr_assert_str_eq(out, want, "\"%s\" became \"%s\", not \"%s\"", in, out, want);
}

Test(casemap, emails_fold_case_in_every_script)
{
	static const char *const cases[][2] = {
		{ "ÄNNE@Example.DE", "änne@example.de" },			/* Latin-1 */
		{ "ÀÉÎÕÜÇÑØÅÆÞ@x.fr", "àéîõüçñøåæþ@x.fr" },
		{ "ŁUKASZ.ŻÓŁĆ@PRZYKŁAD.PL", "łukasz.żółć@przykład.pl" },	/* Latin Extended-A */
		{ "ŐRSÉG.ŰR@x.hu", "őrség.űr@x.hu" },
		{ "ǄǇǊ.ȀȂ@x.com", "ǆǉǌ.ȁȃ@x.com" },				/* Latin Extended-B */
		{ "ẞTRASSE@x.de", "ßtrasse@x.de" },				/* capital sharp s */
		{ "ΑΛΈΞΗΣ.ΩΣ@ΠΑΡΆΔΕΙΓΜΑ.GR", "αλέξησ.ωσ@παράδειγμα.gr" },	/* Greek */
		{ "ИВАН.ЁЖИКОВ@ПРИМЕР.РФ", "иван.ёжиков@пример.рф" },		/* Cyrillic */
		{ "ҐАНДЖА.ЇЖАК@x.ua", "ґанджа.їжак@x.ua" },
		{ "ԱՐԱՄ.ՊԵՏՐՈՍՅԱՆ@x.am", "արամ.պետրոսյան@x.am" },		/* Armenian */
		{ "ᲒᲘᲝᲠᲒᲘ@x.ge", "გიორგი@x.ge" },				/* Georgian Mtavruli */
		{ "ᏣᎳᎩ@x.us", "ꮳꮃꭹ@x.us" },					/* Cherokee */
		{ "𐐔𐐯@x.us", "𐐼𐐯@x.us" },					/* Deseret (4 bytes) */
		{ "ＡＢＣ@x.jp", "ａｂｃ@x.jp" },				/* fullwidth */
		{ "\u212Aelvin@x.org", "kelvin@x.org" },			/* KELVIN SIGN */
		{ "İSTANBUL@x.tr", "istanbul@x.tr" },				/* simple mapping */
		{ "änne@example.de", "änne@example.de" },			/* already lower */
		{ "田中.太郎@例え.jp", "田中.太郎@例え.jp" },			/* no case */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_email(cases[i][0], cases[i][1]);
}

Test(casemap, upper_and_lower_forms_are_one_address)
{
	char a[CONTACT_EMAIL_MAX], b[CONTACT_EMAIL_MAX];
	struct err e;
	cr_assert_eq(contact_normalize_email("ÄNNE.ΣΟΦΊΑ.ЖЕНЯ@X.EU", a, "email", &e), 0);
	cr_assert_eq(contact_normalize_email("änne.σοφία.женя@x.eu", b, "email", &e), 0);
	cr_assert_str_eq(a, b);
}

Test(casemap, a_lower_case_that_grows_past_254_bytes_is_refused)
{
	/* U+023A is 2 bytes, its lower case U+2C65 is 3: 100 of them grow by 100. */
	char in[300] = "", out[CONTACT_EMAIL_MAX];
	struct err e;
	for (int i = 0; i < 60; i++)
		strcat(in, "Ⱥ");
	strcat(in, "@");
	for (int i = 0; i < 50; i++)
		strcat(in, "Ⱥ");
	strcat(in, ".eu");
	cr_assert_leq(strlen(in), 254);
	cr_assert_eq(contact_normalize_email(in, out, "email", &e), ERR_INVALID);
	cr_assert(strstr(e.message, "lower-cased"), "%s", e.message);
}

Test(casemap, invalid_utf8_and_unicode_spaces_are_refused)
{
	static const char *const bad[] = {
		"\xff" "anne@x.de", "an\xc3" "@x.de", "\xc0\xaf" "x@x.de", "\xed\xa0\x80" "@x.de",
		"\xf4\x90\x80\x80" "@x.de", "an ne@x.de", "an\u00a0ne@x.de", "an\u2028ne@x.de",
		"an\u3000ne@x.de", "an\xc2\x85" "ne@x.de",
	};
	char out[CONTACT_EMAIL_MAX];
	struct err e;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(contact_normalize_email(bad[i], out, "email", &e), ERR_INVALID,
			     "accepted case %zu", i);
}

/* The committed table agrees with the C library's towlower() for every code
 * point (an independent implementation of the same Unicode data). */
Test(casemap, agrees_with_towlower_in_c_utf8_for_every_code_point)
{
	locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (!l)
		cr_skip_test("no C.UTF-8 locale here");
	for (uint32_t cp = 0; cp < 0x110000; cp++) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		cr_assert_eq(casemap_lower(cp), (uint32_t)towlower_l((wint_t)cp, l),
			     "U+%04X", (unsigned)cp);
	}
	freelocale(l);
}
