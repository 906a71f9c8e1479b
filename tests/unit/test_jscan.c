/* Unit tests of base/jscan: the subset it reads and everything it leaves to
 * jansson (issue 10: the validation body's fast reader). */
#include <criterion/criterion.h>
#include <string.h>

#include "base/jscan.h"

static enum jscan_tok first(const char *s, struct jscan *j)
{
	jscan_init(j, s, strlen(s));
	return jscan_next(j);
}

Test(jscan, reads_the_structure_strings_integers_and_words_of_a_plain_body)
{
	const char *s = " {\"code\" :\t\"A-1\",\r\n\"n\":[0,42,999999999999999999],"
			"\"x\":null,\"y\":true,\"z\":false} ";
	static const enum jscan_tok want[] = {
		JSCAN_OBJECT, JSCAN_STRING, JSCAN_COLON, JSCAN_STRING, JSCAN_COMMA,
		JSCAN_STRING, JSCAN_COLON, JSCAN_ARRAY, JSCAN_INT, JSCAN_COMMA, JSCAN_INT,
		JSCAN_COMMA, JSCAN_INT, JSCAN_ARRAY_END, JSCAN_COMMA, JSCAN_STRING,
		JSCAN_COLON, JSCAN_NULL, JSCAN_COMMA, JSCAN_STRING, JSCAN_COLON, JSCAN_TRUE,
		JSCAN_COMMA, JSCAN_STRING, JSCAN_COLON, JSCAN_FALSE, JSCAN_OBJECT_END,
		JSCAN_END, JSCAN_END,
	};
	struct jscan j;
	jscan_init(&j, s, strlen(s));
	int64_t ints[3];
	int n = 0;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		enum jscan_tok t = jscan_next(&j);
		cr_assert_eq(t, want[i], "token %zu: %d, not %d", i, t, want[i]);
		if (t == JSCAN_INT)
			ints[n++] = j.value;
		if (i == 3)
			cr_assert(j.len == 3 && !memcmp(j.text, "A-1", 3));
	}
	cr_assert(ints[0] == 0 && ints[1] == 42 && ints[2] == 999999999999999999LL);
}

Test(jscan, leaves_escapes_non_ascii_controls_and_unterminated_strings_to_jansson)
{
	static const char *const texts[] = { "\"a\\\"b\"", "\"a\\u0041\"", "\"\xc3\xa9\"",
					     "\"a\tb\"", "\"a\x7f\"", "\"abc" };
	struct jscan j;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		cr_assert_eq(first(texts[i], &j), JSCAN_OTHER, "%s", texts[i]);
	cr_assert_eq(first("\"\"", &j), JSCAN_STRING);
	cr_assert_eq(j.len, 0);
}

Test(jscan, reads_only_canonical_non_negative_integers_of_at_most_18_digits)
{
	static const char *const other[] = { "-1", "01", "00", "1.5", "1e3", "1E3", "2.",
					     "1000000000000000000", "+1", "Infinity", "NaN" };
	struct jscan j;
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		cr_assert_eq(first(other[i], &j), JSCAN_OTHER, "%s", other[i]);
	cr_assert_eq(first("0", &j), JSCAN_INT);
	cr_assert_eq(j.value, 0);
	cr_assert_eq(first("999999999999999999", &j), JSCAN_INT);
	cr_assert_eq(j.value, 999999999999999999LL);
}

Test(jscan, stops_for_good_at_anything_outside_the_subset)
{
	static const char *const other[] = { "nul", "nulL", "tru", "fals", "\f{}", "\v", "x",
					     "'a'", "/*c*/", "\xef\xbb\xbf{}" };
	struct jscan j;
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		cr_assert_eq(first(other[i], &j), JSCAN_OTHER, "%s", other[i]);
	jscan_init(&j, "[\"\\n\", 1]", 9);
	cr_assert_eq(jscan_next(&j), JSCAN_ARRAY);
	cr_assert_eq(jscan_next(&j), JSCAN_OTHER);
	cr_assert_eq(jscan_next(&j), JSCAN_OTHER);	/* not the 1 after it */
	/* An embedded NUL is outside the subset, inside a string or between tokens. */
	jscan_init(&j, "[\"a\0b\"]", 7);
	cr_assert_eq(jscan_next(&j), JSCAN_ARRAY);
	cr_assert_eq(jscan_next(&j), JSCAN_OTHER);
	jscan_init(&j, "[1]\0", 4);
	cr_assert_eq(jscan_next(&j), JSCAN_ARRAY);
	cr_assert_eq(jscan_next(&j), JSCAN_INT);
	cr_assert_eq(jscan_next(&j), JSCAN_ARRAY_END);
	cr_assert_eq(jscan_next(&j), JSCAN_OTHER);
}
