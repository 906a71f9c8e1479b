/*
 * err.h: one error type for the whole program. Functions return int: 0 on
 * success, a negative ERR_* kind on failure, with the detail written into a
 * caller-owned struct err so that one line both reports and propagates:
 *
 *	return err_set(e, ERR_INVALID, "points", "must be positive");
 *
 * The kind decides the HTTP status (http/response.c, the only mapping) and the
 * CLI exit code; code is a stable machine-readable string for clients; param
 * names the offending input field; message is lowercase, quotes values, and
 * is always valid UTF-8 (invalid bytes of quoted input become U+FFFD; a
 * message longer than the buffer is cut at a character boundary).
 */
#ifndef RETAIN_ERR_H
#define RETAIN_ERR_H

enum err_kind {
	ERR_OK = 0,
	ERR_INVALID = -1,	/* 400: bad input */
	ERR_AUTH = -2,		/* 401: no or bad key */
	ERR_FORBIDDEN = -3,	/* 403: key lacks the right */
	ERR_NOT_FOUND = -4,	/* 404: no such thing (in this shop) */
	ERR_METHOD = -5,	/* 405 */
	ERR_CONFLICT = -6,	/* 409: state conflict, in-flight duplicate */
	ERR_TOO_LARGE = -7,	/* 413 */
	ERR_MEDIA_TYPE = -8,	/* 415 */
	ERR_REFUSED = -9,	/* 422: business rule refused the request */
	ERR_RATE_LIMITED = -10,	/* 429 */
	ERR_UNAVAILABLE = -11,	/* 503: draining, store busy */
	ERR_INTERNAL = -12,	/* 500: a bug or the store failed */
	ERR_HEADERS_TOO_LARGE = -13,	/* 431: too many or too long header fields */
};

struct err {
	int kind;
	char code[48];
	char param[64];
	char message[320];
};

/* Sets e (if not NULL) and returns kind. code is derived from kind. */
int err_set(struct err *e, int kind, const char *param, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Same with an explicit machine-readable code such as "order_total_mismatch". */
int err_setc(struct err *e, int kind, const char *code, const char *param,
	     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void err_clear(struct err *e);
/* Default code for a kind, e.g. "parameter_invalid" for ERR_INVALID. */
const char *err_kind_code(int kind);

#endif
