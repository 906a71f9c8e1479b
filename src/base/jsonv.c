/* jsonv.c: see jsonv.h. */
#include "jsonv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "rfc3339.h"
#include "secure.h"

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

char *jsonv_dump(struct arena *a, json_t *v, size_t *len)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!s)
		abort();
	size_t n = strlen(s);
	char *p = arena_strndup(a, s, n);
	free(s);
	if (len)
		*len = n;
	return p;
}

char *jsonv_canonical(struct arena *a, json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (!s)
		abort();
	char *p = arena_strdup(a, s);
	free(s);
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
	if (body) {
		char *s = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		if (!s)
			abort();
		buf_puts(&b, s);
		free(s);
	}
	secure_sha256_hex(b.data, b.len, out);
	buf_free(&b);
}
