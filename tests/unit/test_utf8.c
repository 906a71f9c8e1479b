/* Regression tests for issue 8 (review finding 20): one UTF-8 decoder
 * (base/utf8.h) serves the case mapping, the e-mail checks and the repair of
 * messages; it never reads s when n is 0 and refuses every malformed form. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "base/casemap.h"
#include "base/utf8.h"
#include "base/utf8_repair.h"

Test(utf8, an_empty_input_is_never_read_issue8)
{
	uint32_t cp = 7;
	/* NULL with n = 0 follows the contract; a read of s[0] would crash. */
	cr_assert_eq(utf8_decode(NULL, 0, &cp), 0);
	cr_assert_eq(cp, 7);
	cr_assert_eq(utf8_repair_sequence(NULL, 0), 0);
	cr_assert(utf8_repair_is_valid(NULL, 0));
	char out[4];
	cr_assert_eq(casemap_lower_utf8(NULL, 0, out, sizeof(out)), 0);
}

struct valid_case {
	char in[8];
	size_t len;
	uint32_t cp;
};

ParameterizedTestParameters(utf8, valid_sequences_decode_to_their_code_point_issue8)
{
	static struct valid_case cases[] = {
		{ "\x00", 1, 0 }, { "A", 1, 'A' }, { "\x7f", 1, 0x7f },
		{ "\xc2\x80", 2, 0x80 }, { "\xc3\xa4", 2, 0xe4 }, { "\xdf\xbf", 2, 0x7ff },
		{ "\xe0\xa0\x80", 3, 0x800 }, { "\xed\x9f\xbf", 3, 0xd7ff },
		{ "\xee\x80\x80", 3, 0xe000 }, { "\xef\xbf\xbf", 3, 0xffff },
		{ "\xf0\x90\x80\x80", 4, 0x10000 }, { "\xf3\xa0\x80\x81", 4, 0xe0001 },
		{ "\xf4\x8f\xbf\xbf", 4, 0x10ffff },
	};
	return cr_make_param_array(struct valid_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct valid_case *c, utf8, valid_sequences_decode_to_their_code_point_issue8)
{
	uint32_t cp = 0xdeadbeef;
	cr_assert_eq(utf8_decode((const unsigned char *)c->in, c->len, &cp), c->len);
	cr_assert_eq(cp, c->cp, "U+%04X, not U+%04X", cp, c->cp);
	cr_assert_eq(utf8_repair_sequence((const unsigned char *)c->in, c->len), c->len);
	/* Followed by more bytes, the sequence is still exactly its own length. */
	unsigned char more[12];
	memcpy(more, c->in, c->len);
	memcpy(more + c->len, "zzzz", 4);
	cr_assert_eq(utf8_decode(more, c->len + 4, NULL), c->len);
}

struct invalid_case {
	const char *why;
	char in[8];
	size_t len;
};

ParameterizedTestParameters(utf8, malformed_sequences_are_refused_issue8)
{
	static struct invalid_case cases[] = {
		{ "continuation", "\x80", 1 }, { "continuation", "\xbf", 1 },
		{ "C0 overlong", "\xc0\x80", 2 }, { "C1 overlong", "\xc1\xbf", 2 },
		{ "overlong 3", "\xe0\x80\x80", 3 }, { "overlong 3", "\xe0\x9f\xbf", 3 },
		{ "overlong 4", "\xf0\x80\x80\x80", 4 }, { "overlong 4", "\xf0\x8f\xbf\xbf", 4 },
		{ "surrogate", "\xed\xa0\x80", 3 }, { "surrogate", "\xed\xbf\xbf", 3 },
		{ "above U+10FFFF", "\xf4\x90\x80\x80", 4 }, { "above", "\xf5\x80\x80\x80", 4 },
		{ "above", "\xf7\xbf\xbf\xbf", 4 }, { "5 bytes", "\xf8\x88\x80\x80\x80", 5 },
		{ "FE", "\xfe", 1 }, { "FF", "\xff", 1 },
		{ "truncated 2", "\xc3", 1 }, { "truncated 3", "\xe2\x82", 2 },
		{ "truncated 3", "\xe2", 1 }, { "truncated 4", "\xf0\x9f\x98", 3 },
		{ "truncated 4", "\xf0\x9f", 2 }, { "truncated 4", "\xf0", 1 },
		{ "bad 2nd", "\xc3\x28", 2 }, { "bad 3rd", "\xe2\x82\x28", 3 },
		{ "bad 4th", "\xf0\x9f\x98\x28", 4 },
	};
	return cr_make_param_array(struct invalid_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct invalid_case *c, utf8, malformed_sequences_are_refused_issue8)
{
	const unsigned char *s = (const unsigned char *)c->in;
	uint32_t cp = 7;
	cr_assert_eq(utf8_decode(s, c->len, &cp), 0, "%s", c->why);
	cr_assert_eq(cp, 7, "%s: *cp written", c->why);
	cr_assert_eq(utf8_repair_sequence(s, c->len), 0, "%s", c->why);
	cr_assert(!utf8_repair_is_valid(c->in, c->len), "%s", c->why);
	char out[16];
	cr_assert_eq(casemap_lower_utf8(c->in, c->len, out, sizeof(out)), CASEMAP_INVALID_UTF8,
		     "%s", c->why);
}

Test(utf8, a_truncated_sequence_is_refused_even_when_the_next_bytes_would_complete_it_issue8)
{
	const unsigned char s[] = "\xe2\x82\xac";	/* U+20AC, 3 bytes */
	for (size_t n = 1; n < 3; n++)
		cr_assert_eq(utf8_decode(s, n, NULL), 0, "n = %zu", n);
	cr_assert_eq(utf8_decode(s, 3, NULL), 3);
}

Test(casemap, the_ignorable_table_holds_the_default_ignorable_code_points_issue8)
{
	static const uint32_t in[] = { 0xad, 0x34f, 0x61c, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x180b,
		0x180f, 0x200b, 0x200f, 0x202a, 0x202e, 0x2060, 0x206f, 0x3164, 0xfe00, 0xfe0f,
		0xfeff, 0xffa0, 0xfff0, 0xfff8, 0x1bca0, 0x1bca3, 0x1d173, 0x1d17a, 0xe0000,
		0xe0fff };
	static const uint32_t out[] = { 0, ' ', 'a', 0xac, 0xae, 0x34e, 0x350, 0x600, 0x61b,
		0x61d, 0x115e, 0x1161, 0x17b3, 0x17b6, 0x180a, 0x1810, 0x200a, 0x2010, 0x2029,
		0x202f, 0x205f, 0x2070, 0x3163, 0x3165, 0xfdff, 0xfe10, 0xfefe, 0xff00, 0xfff9,
		0xfffb, 0x13430, 0x1bc9f, 0x1bca4, 0x1d172, 0x1d17b, 0xdffff, 0xe1000, 0x10ffff };
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		cr_assert(casemap_is_ignorable(in[i]), "U+%04X", in[i]);
	for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++)
		cr_assert(!casemap_is_ignorable(out[i]), "U+%04X", out[i]);
}
