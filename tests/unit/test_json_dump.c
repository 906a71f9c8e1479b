/* Issue 9 bench (the order path, fifth round): responses, stored replays and
 * fingerprints are dumped by base/jsonv.c's own writer instead of
 * json_dumps(); its bytes are json_dumps()'s, compact, in insertion order or
 * with sorted keys, for every kind of value and every string escape. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/jsonv.h"

static void same_as_jansson(json_t *v)
{
	struct arena a = ARENA_INIT;
	char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	char *want_sorted = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
	size_t len = 0;
	char *got = jsonv_dump(&a, v, &len);
	cr_assert_str_eq(got, want);
	cr_assert_eq(len, strlen(want));
	cr_assert_str_eq(jsonv_canonical(&a, v), want_sorted);
	free(want);
	free(want_sorted);
	arena_free(&a);
}

Test(json_dump, every_kind_of_value_is_written_as_jansson_writes_it)
{
	json_t *v = json_pack("{s:i, s:I, s:I, s:I, s:f, s:f, s:f, s:b, s:b, s:n, s:s, s:[], s:{},"
			      " s:[i, s, [s]], s:{s:{s:i}}}",
			      "zero", 0, "max", (json_int_t)INT64_MAX, "min", (json_int_t)INT64_MIN,
			      "neg", (json_int_t)-1234567, "real", 1.5, "third", 1.0 / 3,
			      "whole", 100.0, "yes", 1, "no", 0, "nothing", "text", "plain",
			      "empty", "none", "list", 1, "two", "three", "deep", "a", "b", 3);
	cr_assert_not_null(v);
	same_as_jansson(v);
	json_decref(v);
	/* Not only containers (JSON_ENCODE_ANY). */
	json_t *s = json_string("alone"), *i = json_integer(-9), *n = json_null();
	same_as_jansson(s);
	same_as_jansson(i);
	same_as_jansson(n);
	json_decref(s);
	json_decref(i);
	json_decref(n);
}

Test(json_dump, every_character_below_0x80_and_beyond_is_escaped_as_jansson_does)
{
	char all[128];
	for (int c = 0; c < 128; c++)
		all[c] = (char)c;
	json_t *v = json_object();
	json_object_set_new(v, "ascii", json_stringn(all, sizeof(all)));
	json_object_set_new(v, "utf8", json_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8d\xb5 \xe2\x80\xa8"));
	json_object_set_new(v, "slash/\"key\"\n", json_string("a/b\\c"));
	json_object_set_new(v, "", json_string(""));
	same_as_jansson(v);
	json_decref(v);
}

/* A deterministic random tree: objects, arrays, strings of random bytes made
 * valid, integers of every size, the other scalars. */
static uint64_t seed = 88172645463325252ULL;
static uint64_t next(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static json_t *random_string(void)
{
	static const char *pieces[] = { "a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\x01", "\x1f",
					"\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x8d\xb5", "0",
					"{", "}", ",", ":" };
	char s[64] = "";
	size_t n = next() % 8;
	for (size_t i = 0; i < n; i++)
		strcat(s, pieces[next() % (sizeof(pieces) / sizeof(*pieces))]);
	return json_string(s);
}

static json_t *random_tree(int depth)
{
	switch (next() % (depth > 4 ? 6 : 8)) {
	case 0: return json_integer((json_int_t)next());
	case 1: return json_integer((json_int_t)(next() % 2000) - 1000);
	case 2: return json_real((double)(int64_t)next() / 1e6);
	case 3: return random_string();
	case 4: return json_boolean(next() % 2);
	case 5: return json_null();
	case 6: {
		json_t *a = json_array();
		for (uint64_t i = next() % 5; i > 0; i--)
			json_array_append_new(a, random_tree(depth + 1));
		return a;
	}
	default: {
		json_t *o = json_object();
		for (uint64_t i = next() % 6; i > 0; i--) {
			json_t *k = random_string();
			json_object_set_new(o, json_string_value(k), random_tree(depth + 1));
			json_decref(k);
		}
		return o;
	}
	}
}

Test(json_dump, random_trees_are_written_byte_for_byte_as_jansson_writes_them)
{
	for (int i = 0; i < 2000; i++) {
		json_t *v = random_tree(0);
		same_as_jansson(v);
		json_decref(v);
	}
}

/* ---- the order response written without its tree (render/render.c) ---- */

#include "base/buf.h"
#include "render/render.h"

static const char *maybe_text(int optional)
{
	static char pool[64][64];
	static int at;
	if (optional && next() % 3 == 0)
		return NULL;
	json_t *s = random_string();
	char *p = pool[at++ % 64];
	snprintf(p, 64, "%s", json_string_value(s));
	json_decref(s);
	return p;
}

static int64_t some_amount(void)
{
	return next() % 4 == 0 ? 0 : (int64_t)(next() % 200000) - 1000;
}

static void same_order_as_the_tree(const struct order *o, const struct order_earning *m)
{
	struct arena a = ARENA_INIT;
	json_t *tree = render_order(o, m);
	char *want = jsonv_dump(&a, tree, NULL);
	struct buf b;
	buf_init(&b, 0);
	cr_assert_eq(render_order_open(&b, o, m), 0);
	buf_append(&b, "}", 1);
	cr_assert_str_eq(b.data, want);
	buf_free(&b);
	json_decref(tree);
	arena_free(&a);
}

Test(json_dump, an_order_is_written_as_the_dump_of_its_tree)
{
	for (int round = 0; round < 500; round++) {
		struct order_line lines[4];
		struct payment pays[3];
		struct refund_line rlines[2];
		struct refund refunds[2];
		struct milestone_award awards[2];
		struct order o = { .external_id = maybe_text(0), .customer_id = maybe_text(0),
				   .currency = "EUR", .channel = maybe_text(0),
				   .seller = maybe_text(1), .status = maybe_text(0) };
		snprintf(o.id, sizeof(o.id), "ord_%d", round);
		o.subtotal = some_amount(), o.discount = some_amount(), o.shipping = some_amount();
		o.tax = some_amount(), o.total = some_amount(), o.paid_amount = some_amount();
		o.refunded_amount = some_amount(), o.failed_payments = (int64_t)(next() % 3);
		o.placed_at = some_amount() * 1000000, o.promised_delivery_at = some_amount() * 100000;
		o.created_at = 1764547200000 + some_amount(), o.updated_at = some_amount();
		o.nlines = (int)(next() % 5);
		for (int i = 0; i < o.nlines; i++)
			lines[i] = (struct order_line){ i, maybe_text(0), maybe_text(1), maybe_text(1),
							(int64_t)(next() % 9) + 1, some_amount(),
							some_amount(), (int64_t)(next() % 2) };
		o.lines = lines;
		o.npayments = (int)(next() % 4);
		for (int i = 0; i < o.npayments; i++) {
			pays[i] = (struct payment){ .external_id = maybe_text(1), .status = maybe_text(0),
						    .method = maybe_text(1), .failure_reason = maybe_text(1),
						    .amount = some_amount(), .created_at = some_amount() };
			snprintf(pays[i].id, sizeof(pays[i].id), "pay_%d", i);
		}
		o.payments = pays;
		o.nrefunds = (int)(next() % 3);
		for (int i = 0; i < o.nrefunds; i++) {
			rlines[i] = (struct refund_line){ 0, maybe_text(1), 1, some_amount() };
			refunds[i] = (struct refund){ .external_id = maybe_text(0), .reason = maybe_text(1),
						      .amount = some_amount(), .created_at = some_amount(),
						      .lines = rlines, .nlines = i + 1 };
			snprintf(refunds[i].id, sizeof(refunds[i].id), "ref_%d", i);
		}
		o.refunds = refunds;
		struct order_earning m = { .known = (int)(next() % 3 != 0), .points = some_amount(),
					   .clawed = some_amount(), .available_at = some_amount(),
					   .expires_at = some_amount(), .cashback = some_amount(),
					   .cashback_clawed = some_amount(), .awards = awards,
					   .nawards = (int)(next() % 3) };
		for (int i = 0; i < m.nawards; i++) {
			awards[i] = (struct milestone_award){ .rule = maybe_text(0), .gift = maybe_text(1),
							      .status = maybe_text(0), .points = some_amount() };
			snprintf(awards[i].id, sizeof(awards[i].id), "msa_%d", i);
		}
		same_order_as_the_tree(&o, round % 7 ? &m : NULL);
	}
}

Test(json_dump, an_order_the_tree_would_render_differently_is_left_to_the_tree)
{
	struct order_line line = { 0, "\xff", NULL, NULL, 1, 100, 0, 0 };
	struct order o = { .id = "ord_1", .external_id = "E-1", .customer_id = "cus_1",
			   .currency = "EUR", .channel = "web", .status = "pending",
			   .lines = &line, .nlines = 1 };
	struct buf b;
	buf_init(&b, 0);
	/* Not UTF-8: json_string() is NULL and the tree loses the key. */
	cr_assert_eq(render_order_open(&b, &o, NULL), -1);
	line.sku = "TEA";
	o.channel = NULL;	/* a required string missing */
	buf_reset(&b);
	cr_assert_eq(render_order_open(&b, &o, NULL), -1);
	o.channel = "web";
	buf_reset(&b);
	cr_assert_eq(render_order_open(&b, &o, NULL), 0);
	buf_free(&b);
}

/* ---- times, written digit by digit (base/rfc3339.c) ---- */

#include <time.h>

#include "base/rfc3339.h"

Test(json_dump, a_time_is_written_as_its_printf_was)
{
	for (int i = 0; i < 20000; i++) {
		/* From before year 0 to past 9999, and the ordinary range. */
		int64_t ms = i % 2 ? (int64_t)(next() % 400000000000000ULL) - 200000000000000LL
				   : 1764547200000LL + (int64_t)(next() % 100000000000ULL);
		if (i % 5 == 0)
			ms -= ms % 1000;	/* whole seconds: no fraction */
		int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
		int millis = (int)(ms - secs * 1000);
		time_t t = (time_t)secs;
		struct tm tm;
		cr_assert_not_null(gmtime_r(&t, &tm));
		char want[RFC3339_MAX], got[RFC3339_MAX];
		if (millis)
			snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
				 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
				 tm.tm_sec, millis);
		else
			snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02dZ",
				 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
				 tm.tm_sec);
		rfc3339_format(ms, got);
		cr_assert_str_eq(got, want, "at %lld ms", (long long)ms);
	}
}

Test(json_dump, an_item_path_is_written_as_its_printf_was)
{
	const char *fields[] = { NULL, "", "sku", "unit_price", "a_rather_long_field_name_indeed" };
	const size_t items[] = { 0, 7, 10, 499, 123456789 };
	for (size_t f = 0; f < 5; f++)
		for (size_t i = 0; i < 5; i++)
			for (size_t size = 1; size <= 48; size++) {
				char want[64], got[64];
				if (fields[f])
					snprintf(want, size, "lines[%zu].%s", items[i], fields[f]);
				else
					snprintf(want, size, "lines[%zu]", items[i]);
				memset(got, 'x', sizeof(got));
				jsonv_item_path(got, size, "lines", items[i], fields[f]);
				cr_assert_str_eq(got, want, "size %zu", size);
			}
}
