/*
 * jscan.h: a tokenizer for a strict subset of JSON, over a buffer, without
 * allocating: the fast path of a hot request's body (issue 10: the coupon
 * validation), beside jansson.
 *
 * The subset is what such a body holds when a shop's code sends it plainly:
 * strings of printable ASCII without escapes, non-negative integers in their
 * canonical form of at most 18 digits (no sign, no leading zero, no fraction
 * or exponent), null, true, false, the six structural characters, and the
 * whitespace JSON allows between tokens. Anything else, valid JSON or not, is
 * JSCAN_OTHER: the caller then hands the whole body to jansson
 * (jsonv_parse_object), which reads it and says what is wrong with it. So a
 * reader built on jscan accepts a body only when jansson would read the same
 * values from it, and never needs an error message of its own.
 */
#ifndef RETAIN_JSCAN_H
#define RETAIN_JSCAN_H

#include <stddef.h>
#include <stdint.h>

enum jscan_tok {
	JSCAN_END,		/* the buffer's end, after optional whitespace */
	JSCAN_OBJECT, JSCAN_OBJECT_END, JSCAN_ARRAY, JSCAN_ARRAY_END,
	JSCAN_COLON, JSCAN_COMMA,
	JSCAN_STRING,		/* text, len: in the buffer, between the quotes */
	JSCAN_INT,		/* value */
	JSCAN_NULL, JSCAN_TRUE, JSCAN_FALSE,
	JSCAN_OTHER,		/* outside the subset (or not JSON): stop */
};

struct jscan {
	const char *p, *end;
	const char *text;	/* JSCAN_STRING */
	size_t len;
	int64_t value;		/* JSCAN_INT */
	int stuck;		/* after JSCAN_OTHER */
};

void jscan_init(struct jscan *j, const char *body, size_t len);
/* The next token; after JSCAN_OTHER or JSCAN_END, the same again. */
enum jscan_tok jscan_next(struct jscan *j);

#endif
