/*
 * jsonv.h: typed, validated reads of JSON request bodies (jansson), so every
 * handler rejects bad input the same way and with the same words. Each getter
 * returns 0 when the field is valid or absent-and-optional (then *present is
 * 0 where a present flag is asked for), or ERR_INVALID naming the field.
 *
 * Strings returned point into the json_t and live as long as it does.
 */
#ifndef RETAIN_JSONV_H
#define RETAIN_JSONV_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

enum { JSONV_OPTIONAL = 0, JSONV_REQUIRED = 1 };

/*
 * Parses a request body. Not an object, empty, or broken JSON: ERR_INVALID
 * with the byte offset ("invalid JSON at byte 17: ..."). Caller decrefs.
 */
int jsonv_parse_object(const char *body, size_t len, json_t **out, struct err *e);
/* The same, but with allow_array a top-level array is accepted too. */
int jsonv_parse_object_or_array(const char *body, size_t len, int allow_array, json_t **out,
				struct err *e);
/* Refuses any key of obj not in the NULL-terminated allowed list. prefix
 * (may be "") is put before the field name in param, e.g. "lines[2].". */
int jsonv_only_keys(json_t *obj, const char *const *allowed, const char *prefix,
		    struct err *e);
/* String of 1..maxlen bytes (UTF-8 already checked by jansson); JSON null
 * counts as absent. */
int jsonv_string(json_t *obj, const char *key, int required, size_t maxlen,
		 const char **out, const char *param, struct err *e);
/* Integer in [min, max]. Refuses fractions (2.5), floats that look integral
 * (2.0), booleans and strings: counts, points and days are exact integers.
 * The messages name no unit. */
int jsonv_int(json_t *obj, const char *key, int required, int64_t min,
	      int64_t max, int64_t *out, int *present, const char *param,
	      struct err *e);
/* jsonv_int() for an amount of money: the same rules, and the messages say
 * "(minor units)" (cents, yen), so a caller who sent 12.50 learns why. Use it
 * for money fields only. */
int jsonv_money(json_t *obj, const char *key, int required, int64_t min,
		int64_t max, int64_t *out, int *present, const char *param,
		struct err *e);
int jsonv_bool(json_t *obj, const char *key, int required, int *out,
	       int *present, const char *param, struct err *e);
/* RFC 3339 time into unix ms, anywhere in rfc3339.h's range. */
int jsonv_time(json_t *obj, const char *key, int required, int64_t *out,
	       int *present, const char *param, struct err *e);
/* The same within [min_ms, max_ms): one message, naming that range, whether the
 * string is no time at all or a time outside it. */
int jsonv_time_between(json_t *obj, const char *key, int required, int64_t min_ms,
		       int64_t max_ms, int64_t *out, int *present, const char *param,
		       struct err *e);
/* Canonical form (sorted keys, compact) of v into the arena: two bodies that
 * differ only in whitespace or key order canonicalise equal. */
char *jsonv_canonical(struct arena *a, json_t *v);
/* SHA-256 hex of method, path and the canonical body: the fingerprint that
 * decides whether a retried request is "the same request". body may be NULL. */
void jsonv_fingerprint(const char *method, const char *path, json_t *body,
		       char out[65]);
/* Dumps v compactly into the arena (for responses). */
char *jsonv_dump(struct arena *a, json_t *v, size_t *len);
/* "array[i]", or "array[i].field" (field "" gives "array[i]."), into out
 * as snprintf() would write it: an item's parameter path for its errors,
 * made for every line of every order (snprintf cost more than the checks). */
void jsonv_item_path(char *out, size_t size, const char *array, size_t i, const char *field);
/* The pieces of that dump, appended to b, for a renderer that writes a
 * response without building its tree (render/render.c, orders): the same
 * bytes as jsonv_dump() of the tree. A string that is not valid UTF-8 (a
 * json_string() would be NULL) returns -1 and appends part of it. b has no
 * maximum (buf_init(b, 0)): the pieces grow it, and only running out of
 * memory stops them (abort). */
struct buf;
int jsonv_put_string(struct buf *b, const char *s);
void jsonv_put_integer(struct buf *b, int64_t v);
void jsonv_put_raw(struct buf *b, const char *s, size_t n);
void jsonv_put_json(struct buf *b, json_t *v);

#endif
