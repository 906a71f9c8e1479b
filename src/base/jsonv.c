/* jsonv.c: see jsonv.h. */
#include "jsonv.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "rfc3339.h"
#include "secure.h"
#include "utf8.h"

static const char *param_or(const char *param, const char *key)
{
	return param ? param : key;
}

int jsonv_parse_object_or_array(const char *body, size_t len, int allow_array, json_t **out,
				struct err *e)
{
	json_error_t je;

	*out = NULL;
	if (len == 0)
		return err_setc(e, ERR_INVALID, "invalid_json", NULL,
				allow_array ? "request body is empty; send a JSON object or array"
					    : "request body is empty; send a JSON object");
	json_t *v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!v)
		return err_setc(e, ERR_INVALID, "invalid_json", NULL,
				"invalid JSON at byte %d: %s", je.position, je.text);
	if (!json_is_object(v) && !(allow_array && json_is_array(v))) {
		json_decref(v);
		return err_setc(e, ERR_INVALID, "invalid_json", NULL,
				allow_array ? "request body must be a JSON object or array"
					    : "request body must be a JSON object");
	}
	*out = v;
	return 0;
}

int jsonv_parse_object(const char *body, size_t len, json_t **out, struct err *e)
{
	return jsonv_parse_object_or_array(body, len, 0, out, e);
}

int jsonv_only_keys(json_t *obj, const char *const *allowed, const char *prefix,
		    struct err *e)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		const char *const *a;
		for (a = allowed; *a; a++)
			if (strcmp(*a, key) == 0)
				break;
		if (!*a) {
			char param[64];
			snprintf(param, sizeof(param), "%s%s", prefix, key);
			return err_setc(e, ERR_INVALID, "parameter_unknown", param,
					"unknown field \"%s%s\"", prefix, key);
		}
	}
	return 0;
}

static json_t *field(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_null(v) ? NULL : v;
}

static int missing(int required, const char *param, struct err *e)
{
	if (required)
		return err_setc(e, ERR_INVALID, "parameter_missing", param,
				"\"%s\" is required", param);
	return 0;
}

int jsonv_string(json_t *obj, const char *key, int required, size_t maxlen,
		 const char **out, const char *param, struct err *e)
{
	json_t *v = field(obj, key);
	param = param_or(param, key);
	*out = NULL;
	if (!v)
		return missing(required, param, e);
	if (!json_is_string(v))
		return err_set(e, ERR_INVALID, param, "\"%s\" must be a string", param);
	size_t n = json_string_length(v);
	const char *s = json_string_value(v);
	if (n == 0)
		return err_set(e, ERR_INVALID, param, "\"%s\" must not be empty", param);
	if (n > maxlen)
		return err_set(e, ERR_INVALID, param,
			       "\"%s\" is longer than %zu bytes", param, maxlen);
	if (strlen(s) != n)
		return err_set(e, ERR_INVALID, param,
			       "\"%s\" must not contain NUL characters", param);
	*out = s;
	return 0;
}

/* unit is "" or " (minor units)": only money fields say they are money. */
static int read_int(json_t *obj, const char *key, int required, int64_t min, int64_t max,
		    int64_t *out, int *present, const char *param, const char *unit,
		    struct err *e)
{
	json_t *v = field(obj, key);
	param = param_or(param, key);
	if (present)
		*present = v != NULL;
	if (!v)
		return missing(required, param, e);
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (d != floor(d))
			return err_set(e, ERR_INVALID, param,
				       "\"%s\" must be an integer%s, not %g", param, unit, d);
		return err_set(e, ERR_INVALID, param,
			       "\"%s\" must be written as an integer, without a decimal point", param);
	}
	if (!json_is_integer(v))
		return err_set(e, ERR_INVALID, param, "\"%s\" must be an integer%s", param, unit);
	json_int_t i = json_integer_value(v);
	if (i < min || i > max) {
		if (min == 0 && i < 0)
			return err_set(e, ERR_INVALID, param,
				       "\"%s\" must not be negative", param);
		return err_set(e, ERR_INVALID, param,
			       "\"%s\" must be between %lld and %lld%s", param,
			       (long long)min, (long long)max, unit);
	}
	*out = i;
	return 0;
}

int jsonv_int(json_t *obj, const char *key, int required, int64_t min,
	      int64_t max, int64_t *out, int *present, const char *param,
	      struct err *e)
{
	return read_int(obj, key, required, min, max, out, present, param, "", e);
}

int jsonv_money(json_t *obj, const char *key, int required, int64_t min,
		int64_t max, int64_t *out, int *present, const char *param,
		struct err *e)
{
	return read_int(obj, key, required, min, max, out, present, param, " (minor units)", e);
}

int jsonv_bool(json_t *obj, const char *key, int required, int *out,
	       int *present, const char *param, struct err *e)
{
	json_t *v = field(obj, key);
	param = param_or(param, key);
	if (present)
		*present = v != NULL;
	if (!v)
		return missing(required, param, e);
	if (!json_is_boolean(v))
		return err_set(e, ERR_INVALID, param, "\"%s\" must be true or false", param);
	*out = json_is_true(v);
	return 0;
}

int jsonv_time_between(json_t *obj, const char *key, int required, int64_t min_ms,
		       int64_t max_ms, int64_t *out, int *present, const char *param,
		       struct err *e)
{
	const char *s;
	char lo[RFC3339_MAX], hi[RFC3339_MAX];
	int rc = jsonv_string(obj, key, required, 40, &s, param, e);
	param = param_or(param, key);
	if (present)
		*present = s != NULL;
	if (rc || !s)
		return rc;
	if (rfc3339_parse(s, out) < 0 || *out < min_ms || *out >= max_ms) {
		rfc3339_format(min_ms, lo);
		rfc3339_format(max_ms, hi);
		return err_set(e, ERR_INVALID, param,
			       "\"%s\" must be an RFC 3339 time like \"2026-11-22T10:00:00Z\""
			       " from %s to before %s, not \"%s\"", param, lo, hi, s);
	}
	return 0;
}

int jsonv_time(json_t *obj, const char *key, int required, int64_t *out,
	       int *present, const char *param, struct err *e)
{
	int64_t max;
	rfc3339_from_civil(RFC3339_YEAR_MAX, 12, 31, 23, 59, 59, &max);
	return jsonv_time_between(obj, key, required, 0, max + 1000, out, present, param, e);
}

/* The compact dump, written here rather than by json_dumps(): the same bytes
 * as json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY), with JSON_SORT_KEYS when
 * sorted (jansson 2.14's dump.c: objects in insertion order or by key bytes,
 * strings escaping '"', '\\' and the controls below U+0020 (\b \f \n \r \t,
 * else \u00XX upper case), nothing else escaped, integers in decimal), at a
 * fraction of its cost: jansson calls back per piece, checks each code point
 * and formats each integer with snprintf, about 10% of a paid order's CPU
 * (bench/README.md, the order path, fifth round). A real is left to jansson
 * (its formatting of doubles). A string that is not valid UTF-8 or a tree
 * deeper than DUMP_DEPTH (a cycle, or a tree that deep) returns -1: the
 * caller then dumps the whole tree with jansson, which writes it or refuses
 * it (a cycle, a string that is not UTF-8) as before. Request bodies never
 * get that deep: jansson's parser stops at 2048 levels.
 * tests/unit/test_json_dump.c compares the two on random trees. */
#define DUMP_DEPTH 2048

static inline void put(struct buf *b, const char *p, size_t n)
{
	assert(!b->max);	/* jsonv_put_*: an unbounded buffer */
	if (b->len + n < b->cap) {	/* room for the bytes and the NUL */
		memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = 0;
	} else if (buf_append(b, p, n))
		abort();	/* no maximum: only out of memory */
}

static int dump_string(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s, *end = p + n, *run = p;
	put(b, "\"", 1);
	while (p < end) {
		unsigned char c = *p;
		if (c >= 0x80) {
			size_t k = utf8_decode(p, (size_t)(end - p), NULL);
			if (!k)
				return -1;
			p += k;
			continue;
		}
		if (c >= 0x20 && c != '"' && c != '\\') {
			p++;
			continue;
		}
		put(b, (const char *)run, (size_t)(p - run));
		char esc[6] = { '\\', 0 };
		size_t len = 2;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			len = 6;
		}
		put(b, esc, len);
		run = ++p;
	}
	put(b, (const char *)run, (size_t)(p - run));
	put(b, "\"", 1);
	return 0;
}

static void dump_integer(struct buf *b, json_int_t v)
{
	char d[24], *w = d + sizeof(d);
	/* Negated as unsigned, so INT64_MIN too. */
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do
		*--w = (char)('0' + u % 10);
	while ((u /= 10));
	if (v < 0)
		*--w = '-';
	put(b, w, (size_t)(d + sizeof(d) - w));
}

struct dump_key {
	const char *key;
	size_t len;
	json_t *value;
};

static int by_key_bytes(const void *x, const void *y)
{
	const struct dump_key *a = x, *b = y;
	int c = memcmp(a->key, b->key, a->len < b->len ? a->len : b->len);
	return c ? c : (a->len > b->len) - (a->len < b->len);
}

static int dump_tree(struct buf *b, json_t *v, int sorted, int depth);

static int dump_object(struct buf *b, json_t *v, int sorted, int depth)
{
	size_t n = json_object_size(v), i = 0;
	struct dump_key small[32], *keys = n <= 32 ? small : malloc(n * sizeof(*keys));
	int rc = 0;
	if (!keys)
		abort();
	for (void *it = json_object_iter(v); it && i < n; it = json_object_iter_next(v, it))
		keys[i++] = (struct dump_key){ json_object_iter_key(it), json_object_iter_key_len(it),
					       json_object_iter_value(it) };
	if (sorted)
		qsort(keys, i, sizeof(*keys), by_key_bytes);
	put(b, "{", 1);
	for (size_t k = 0; !rc && k < i; k++) {
		if (k)
			put(b, ",", 1);
		if (!(rc = dump_string(b, keys[k].key, keys[k].len))) {
			put(b, ":", 1);
			rc = dump_tree(b, keys[k].value, sorted, depth + 1);
		}
	}
	put(b, "}", 1);
	if (keys != small)
		free(keys);
	return rc;
}

static int dump_tree(struct buf *b, json_t *v, int sorted, int depth)
{
	if (depth > DUMP_DEPTH)
		return -1;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return dump_object(b, v, sorted, depth);
	case JSON_ARRAY:
		put(b, "[", 1);
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				put(b, ",", 1);
			if (dump_tree(b, json_array_get(v, i), sorted, depth + 1))
				return -1;
		}
		put(b, "]", 1);
		return 0;
	case JSON_STRING:
		return dump_string(b, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		dump_integer(b, json_integer_value(v));
		return 0;
	case JSON_REAL: {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (!s)
			return -1;
		put(b, s, strlen(s));
		free(s);
		return 0;
	}
	case JSON_TRUE:
		put(b, "true", 4);
		return 0;
	case JSON_FALSE:
		put(b, "false", 5);
		return 0;
	case JSON_NULL:
		put(b, "null", 4);
		return 0;
	}
	return -1;
}

/* v dumped into b (appended), or abort() where json_dumps() fails. */
static void dump_into(struct buf *b, json_t *v, int sorted)
{
	size_t at = b->len;
	if (!dump_tree(b, v, sorted, 0))
		return;
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | (sorted ? JSON_SORT_KEYS : 0));
	if (!s)
		abort();
	b->len = at;
	put(b, s, strlen(s));
	free(s);
}

/* n bytes of p at out + at, as far as size leaves room (and the NUL). */
static size_t path_put(char *out, size_t size, size_t at, const char *p, size_t n)
{
	if (at + n >= size)
		n = size > at + 1 ? size - at - 1 : 0;
	memcpy(out + at, p, n);
	return at + n;
}

void jsonv_item_path(char *out, size_t size, const char *array, size_t i, const char *field)
{
	char digits[24], *d = digits + sizeof(digits);
	size_t at = 0;
	if (!size)
		return;
	do
		*--d = (char)('0' + i % 10);
	while ((i /= 10));
	at = path_put(out, size, at, array, strlen(array));
	at = path_put(out, size, at, "[", 1);
	at = path_put(out, size, at, d, (size_t)(digits + sizeof(digits) - d));
	at = path_put(out, size, at, "]", 1);
	if (field) {
		at = path_put(out, size, at, ".", 1);
		at = path_put(out, size, at, field, strlen(field));
	}
	out[at] = 0;
}

int jsonv_put_string(struct buf *b, const char *s)
{
	return dump_string(b, s, strlen(s));
}

void jsonv_put_integer(struct buf *b, int64_t v)
{
	dump_integer(b, (json_int_t)v);
}

void jsonv_put_raw(struct buf *b, const char *s, size_t n)
{
	put(b, s, n);
}

void jsonv_put_json(struct buf *b, json_t *v)
{
	dump_into(b, v, 0);
}

char *jsonv_dump(struct arena *a, json_t *v, size_t *len)
{
	struct buf b;
	buf_init(&b, 0);
	dump_into(&b, v, 0);
	char *p = arena_strndup(a, b.data, b.len);
	if (len)
		*len = b.len;
	buf_free(&b);
	return p;
}

char *jsonv_canonical(struct arena *a, json_t *v)
{
	struct buf b;
	buf_init(&b, 0);
	dump_into(&b, v, 1);
	char *p = arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return p;
}

void jsonv_fingerprint(const char *method, const char *path, json_t *body,
		       char out[65])
{
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, method);
	buf_append(&b, "\n", 1);
	buf_puts(&b, path);
	buf_append(&b, "\n", 1);
	if (body)
		dump_into(&b, body, 1);
	secure_sha256_hex(b.data, b.len, out);
	buf_free(&b);
}
