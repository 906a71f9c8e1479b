/* Unit tests of the base layer: arena, bounded buffers, errors, ids, times. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <pthread.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/currency.h"
#include "base/err.h"
#include "base/ids.h"
#include "base/rfc3339.h"
#include "base/secure.h"

Test(arena, allocations_are_zeroed_aligned_and_survive_until_free)
{
	struct arena a = ARENA_INIT;
	char *first = arena_strdup(&a, "tea");
	for (int i = 0; i < 10000; i++) {
		long double *p = arena_alloc(&a, sizeof(long double) * 3);
		cr_assert_eq((uintptr_t)p % 16, 0);
		cr_assert_eq(p[0], 0);
	}
	void *big = arena_alloc(&a, 1 << 20);
	cr_assert_not_null(big);
	cr_assert_str_eq(first, "tea");
	cr_assert_str_eq(arena_printf(&a, "%s-%d", "ord", 42), "ord-42");
	cr_assert_null(arena_strdup(&a, NULL));
	arena_free(&a);
	cr_assert_eq(a.total, 0);
	cr_assert_str_eq(arena_strndup(&a, "abcdef", 3), "abc");
	arena_free(&a);
}

Test(buf, never_grows_past_its_maximum_and_keeps_what_it_had)
{
	struct buf b;
	buf_init(&b, 8);
	cr_assert_eq(buf_puts(&b, "12345"), 0);
	cr_assert_eq(buf_puts(&b, "6789"), -1);
	cr_assert_str_eq(b.data, "12345");
	cr_assert_eq(buf_printf(&b, "%d", 678), 0);
	cr_assert_str_eq(b.data, "12345678");
	cr_assert_eq(buf_append(&b, "x", 1), -1);
	buf_free(&b);
}

Test(buf, unlimited_buffers_grow_and_printf_handles_long_output)
{
	struct buf b;
	char big[1000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	buf_init(&b, 0);
	for (int i = 0; i < 100; i++)
		cr_assert_eq(buf_printf(&b, "%s", big), 0);
	cr_assert_eq(b.len, 99900);
	buf_reset(&b);
	cr_assert_eq(b.len, 0);
	cr_assert_str_eq(b.data, "");
	buf_free(&b);
}

Test(buf, json_escape_escapes_quotes_backslashes_and_controls)
{
	struct buf b;
	buf_init(&b, 0);
	buf_json_escape(&b, "a\"b\\c\n\x01");
	cr_assert_str_eq(b.data, "a\\\"b\\\\c\\n\\u0001");
	buf_free(&b);
}

Test(err, set_returns_the_kind_and_fills_code_param_and_message)
{
	struct err e;
	cr_assert_eq(err_set(&e, ERR_INVALID, "points", "must be %s", "positive"), ERR_INVALID);
	cr_assert_str_eq(e.code, "parameter_invalid");
	cr_assert_str_eq(e.param, "points");
	cr_assert_str_eq(e.message, "must be positive");
	cr_assert_eq(err_setc(&e, ERR_REFUSED, "not_enough_points", NULL, "x"), ERR_REFUSED);
	cr_assert_str_eq(e.code, "not_enough_points");
	cr_assert_str_eq(e.param, "");
	cr_assert_eq(err_set(NULL, ERR_CONFLICT, NULL, "ignored"), ERR_CONFLICT);
}

Test(ids, are_prefixed_valid_unique_and_sort_by_time)
{
	char a[ID_MAX], b[ID_MAX], c[ID_MAX];
	secure_init();
	id_new(a, "cus_", 1000);
	id_new(b, "cus_", 1000);
	id_new(c, "cus_", 2000);
	cr_assert(id_valid(a, "cus_"));
	cr_assert_not(id_valid(a, "ord_"));
	cr_assert_not(id_valid("cus_short", "cus_"));
	cr_assert_str_neq(a, b);
	cr_assert_lt(strcmp(a, c), 0);
	cr_assert_lt(strcmp(b, c), 0);
	cr_assert_eq(strlen(a), 20);
}

/* The random part of an id (its last 6 characters). */
static uint32_t id_random(const char *id)
{
	static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	uint32_t r = 0;
	for (const char *p = id + strlen(id) - 6; *p; p++)
		r = r * 32 + (uint32_t)(strchr(crockford, *p) - crockford);
	return r;
}

/* The ids of one millisecond count up from a random start by at most 256 each
 * (they used to jump to any larger random number, so a busy millisecond's ids
 * climbed to the top of the range in every process and nodes' ids met: the
 * PostgreSQL coupon races under a frozen clock, 2026-12-01). */
Test(ids, a_busy_millisecond_counts_up_from_a_random_start)
{
	char first[ID_MAX], prev[ID_MAX], id[ID_MAX];
	secure_init();
	id_new(first, "evt_", 7000);
	memcpy(prev, first, sizeof(prev));
	for (int i = 0; i < 1000; i++) {
		id_new(id, "evt_", 7000);
		cr_assert_lt(strcmp(prev, id), 0, "%s then %s", prev, id);
		memcpy(prev, id, sizeof(prev));
	}
	if (!strncmp(first, prev, 14))	/* the same millisecond: no overflow into the next */
		cr_assert_leq(id_random(prev) - id_random(first), 1000u * 4u, "%s .. %s", first,
			      prev);
}

/* Two nodes on one database making ids in the same millisecond from the same
 * random words (the worst case of what 30 random bits allowed: two nodes at
 * ~10k ids a second each met every few hours) never make the same id: their
 * node numbers differ. Each maker's ids still only go up. */
Test(ids, two_nodes_in_the_same_millisecond_never_make_the_same_id)
{
	static char a[20000][ID_MAX], b[20000][ID_MAX];
	struct id_maker ma = { .node = 1 }, mb = { .node = 2 };
	uint32_t rnd = 0x9e3779b9u;
	for (int i = 0; i < 20000; i++) {
		rnd = rnd * 1664525u + 1013904223u;
		id_make(&ma, a[i], "evt_", 7000, rnd);
		id_make(&mb, b[i], "evt_", 7000, rnd);
		cr_assert_str_neq(a[i], b[i]);
		cr_assert(id_valid(a[i], "evt_") && id_valid(b[i], "evt_"));
		if (i)
			cr_assert_lt(strcmp(a[i - 1], a[i]), 0, "%s then %s", a[i - 1], a[i]);
	}
	/* no id of one is any id of the other: each carries its node */
	for (int i = 0; i < 20000; i++) {
		cr_assert_eq(id_random(a[i]) >> ID_COUNT_BITS, 1u, "%s", a[i]);
		cr_assert_eq(id_random(b[i]) >> ID_COUNT_BITS, 2u, "%s", b[i]);
	}
	cr_assert_eq(strncmp(a[0], b[0], 14), 0, "the same millisecond");
}

/* Past the top of the 18-bit count a millisecond borrows the next: ids stay
 * in order and never repeat, however many one millisecond makes. */
Test(ids, a_count_past_its_top_borrows_the_next_millisecond_in_order)
{
	static char ids[40000][ID_MAX];
	struct id_maker m = { .node = 5 };
	uint32_t rnd = 12345;
	id_make(&m, ids[0], "evt_", 7000, 0);
	m.last_count = (1u << ID_COUNT_BITS) - 3;	/* near the top */
	for (int i = 1; i < 40000; i++) {
		rnd = rnd * 1664525u + 1013904223u;
		id_make(&m, ids[i], "evt_", 7000, rnd);
		cr_assert_lt(strcmp(ids[i - 1], ids[i]), 0, "%s then %s", ids[i - 1], ids[i]);
		cr_assert_eq(id_random(ids[i]) >> ID_COUNT_BITS, 5u, "%s", ids[i]);
	}
	cr_assert_eq(m.last_time, 7001u, "the next millisecond was borrowed");
}

/* A node number set while ids are being made (the PostgreSQL store draws one
 * when it opens) never lets a later id sort before an earlier one. */
Test(ids, a_node_number_set_later_keeps_ids_in_order)
{
	char before[ID_MAX], after[ID_MAX];
	secure_init();
	id_new(before, "req_", 9000);
	id_set_node(id_node() ? 0 : 4095);
	id_new(after, "req_", 9000);
	cr_assert_lt(strcmp(before, after), 0, "%s then %s", before, after);
	id_set_node(4096 + 7);		/* only the low 12 bits are kept */
	cr_assert_eq(id_node(), 7u);
}

Test(secure, a_tag_is_keyed_stable_for_the_same_bytes_and_differs_for_others)
{
	unsigned char a[SECURE_TAG_BYTES], b[SECURE_TAG_BYTES], c[SECURE_TAG_BYTES],
		      d[SECURE_TAG_BYTES], unkeyed[SECURE_TAG_BYTES];
	unsigned char zero[crypto_shorthash_siphashx24_KEYBYTES] = { 0 };
	secure_init();
	secure_tag("sk_live_abc", 11, a);
	secure_init();			/* a second init keeps the key */
	secure_tag("sk_live_abc", 11, b);
	secure_tag("sk_live_abd", 11, c);
	secure_tag("sk_live_abc", 10, d);
	cr_assert_eq(memcmp(a, b, sizeof(a)), 0);
	cr_assert_neq(memcmp(a, c, sizeof(a)), 0);
	cr_assert_neq(memcmp(a, d, sizeof(a)), 0);
	crypto_shorthash_siphashx24(unkeyed, (const unsigned char *)"sk_live_abc", 11, zero);
	cr_assert_neq(memcmp(a, unkeyed, sizeof(a)), 0, "the key was drawn, not left zero");
}

Test(secure, tokens_use_the_alphabet_and_hashes_are_sha256)
{
	char t[64], h[SECURE_SHA256_HEX];
	secure_init();
	secure_random_token("sk_", 40, t, sizeof(t));
	cr_assert_eq(strlen(t), 43);
	cr_assert_eq(strspn(t + 3, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"), 40);
	secure_sha256_hex("abc", 3, h);
	cr_assert_str_eq(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	cr_assert(secure_equal("same", "same"));
	cr_assert_not(secure_equal("same", "sane"));
	cr_assert_not(secure_equal("same", "samey"));
}

Test(rfc3339, parses_utc_offsets_fractions_and_dates)
{
	int64_t ms;
	cr_assert_eq(rfc3339_parse("1970-01-01T00:00:00Z", &ms), 0);
	cr_assert_eq(ms, 0);
	cr_assert_eq(rfc3339_parse("2026-11-22T10:00:00.5Z", &ms), 0);
	cr_assert_eq(ms, 1795341600500LL);
	cr_assert_eq(rfc3339_parse("2026-11-22T12:00:00+02:00", &ms), 0);
	cr_assert_eq(ms, 1795341600000LL);
	cr_assert_eq(rfc3339_parse("2024-02-29", &ms), 0);
	cr_assert_eq(rfc3339_parse("2999-12-31T23:59:59.999Z", &ms), 0);
	cr_assert_eq(ms, 32503679999999LL);
	cr_assert_eq(rfc3339_parse("1970-01-01T01:00:00+01:00", &ms), 0);
	cr_assert_eq(ms, 0);
}

Test(rfc3339, refuses_impossible_or_incomplete_times)
{
	int64_t ms;
	const char *bad[] = { "", "2026", "2026-13-01", "2025-02-29", "2026-11-22T25:00:00Z",
			      "2026-11-22T10:00:00", "2026-11-22T10:00Z", "yesterday",
			      "2026-11-22T10:00:00Zjunk", "2026-11-22T10:00:00+2:00",
			      /* issue 8: one range for every time retain takes in */
			      "2025-02-30", "2026-04-31", "1900-02-29", "1969-12-31T23:59:59.999Z",
			      "1970-01-01T00:30:00+01:00", "3000-01-01", "9999-12-31",
			      "2999-12-31T23:30:00-01:00" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(rfc3339_parse(bad[i], &ms), -1, "accepted \"%s\"", bad[i]);
}

Test(rfc3339, broken_down_times_follow_the_same_rule_issue8)
{
	int64_t ms;
	cr_assert_eq(rfc3339_from_civil(2024, 2, 29, 0, 0, 0, &ms), 0);
	cr_assert_eq(ms, 1709164800000LL);
	cr_assert_eq(rfc3339_from_civil(2026, 11, 22, 10, 0, 60, &ms), 0);
	cr_assert_eq(ms, 1795341659000LL);
	const int bad[][6] = { { 2025, 2, 30, 0, 0, 0 }, { 2025, 2, 29, 0, 0, 0 }, { 1969, 12, 31, 0, 0, 0 },
			       { 3000, 1, 1, 0, 0, 0 }, { 9999, 1, 1, 0, 0, 0 }, { 2026, 13, 1, 0, 0, 0 },
			       { 2026, 1, 0, 0, 0, 0 }, { 2026, 1, 1, 24, 0, 0 }, { 2026, 1, 1, 0, -1, 0 } };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(rfc3339_from_civil(bad[i][0], bad[i][1], bad[i][2], bad[i][3], bad[i][4],
						bad[i][5], &ms), -1, "accepted row %zu", i);
}

Test(rfc3339, format_round_trips_through_parse)
{
	char s[RFC3339_MAX];
	int64_t back;
	const int64_t samples[] = { 0, 1, 999, 86400000, 1795341600500LL, 32503679999999LL };
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		rfc3339_format(samples[i], s);
		cr_assert_eq(rfc3339_parse(s, &back), 0, "%s", s);
		cr_assert_eq(back, samples[i], "%s", s);
	}
	rfc3339_format(0, s);
	cr_assert_str_eq(s, "1970-01-01T00:00:00Z");
}

Test(currency, knows_iso_4217_codes_and_their_exponents)
{
	cr_assert_eq(currency_exponent("EUR"), 2);
	cr_assert_eq(currency_exponent("JPY"), 0);
	cr_assert_eq(currency_exponent("KWD"), 3);
	cr_assert_eq(currency_exponent("eur"), -1);
	cr_assert_eq(currency_exponent("EURO"), -1);
	cr_assert_eq(currency_exponent("XXX"), -1);
}

Test(ids, are_strictly_increasing_within_one_millisecond_and_a_frozen_clock)
{
	char prev[ID_MAX], next[ID_MAX];
	secure_init();
	id_new(prev, "ent_", 5000);
	for (int i = 0; i < 100000; i++) {
		id_new(next, "ent_", 5000);
		cr_assert_lt(strcmp(prev, next), 0, "%s !< %s", prev, next);
		cr_assert(id_valid(next, "ent_"));
		memcpy(prev, next, sizeof(prev));
	}
	id_new(next, "ent_", 4000);	/* a clock moved back never reorders */
	cr_assert_lt(strcmp(prev, next), 0);
}

/* Issue 10: ids take their random bits from a per-thread pool of 64 words.
 * With the clock moving on each id (so no id counts up from the last one),
 * the random part is the pool's: over several refills, and in a second
 * thread with a pool of its own, it keeps changing (a pool that repeated
 * itself, returned a constant or never refilled would repeat here). */
#define POOL_IDS 300

static void *make_ids(void *arg)
{
	char(*out)[ID_MAX] = arg;
	static _Atomic int64_t clock_ms = 1000000;
	for (int i = 0; i < POOL_IDS; i++)
		id_new(out[i], "req_", clock_ms++);
	return NULL;
}

static int distinct_random_parts(char (*a)[ID_MAX], char (*b)[ID_MAX], int n)
{
	int distinct = 0;
	for (int i = 0; i < n; i++) {
		const char *r = a[i] + 4 + 10;	/* after the prefix and the time */
		int seen = 0;
		for (int j = 0; j < i && !seen; j++)
			seen = !strcmp(r, a[j] + 14);
		for (int j = 0; b && j < n && !seen; j++)
			seen = !strcmp(r, b[j] + 14);
		distinct += !seen;
	}
	return distinct;
}

Test(ids, random_parts_keep_changing_across_refills_of_the_pool_and_threads_issue10)
{
	static char a[POOL_IDS][ID_MAX], b[POOL_IDS][ID_MAX];
	pthread_t t;
	secure_init();
	/* one thread after the other: each id's random part is then its pool's
	 * (ids made at once may count up from another thread's last one) */
	cr_assert_eq(pthread_create(&t, NULL, make_ids, b), 0);
	pthread_join(t, NULL);
	make_ids(a);
	for (int i = 0; i < POOL_IDS; i++)
		cr_assert(id_valid(a[i], "req_") && id_valid(b[i], "req_"));
	/* 17 random bits each (the count's start; the node is the process's):
	 * about 1.4 repeats expected among 600, more than 8 with odds of about
	 * 1 in 100,000. A constant or repeating pool repeats hundreds. */
	cr_assert_geq(distinct_random_parts(a, NULL, POOL_IDS), POOL_IDS - 6);
	cr_assert_geq(distinct_random_parts(b, a, POOL_IDS), POOL_IDS - 8);
}
