/* err.c: see err.h. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "utf8_repair.h"

static const struct {
	int kind;
	const char *code;
} kind_codes[] = {
	{ ERR_INVALID, "parameter_invalid" },
	{ ERR_AUTH, "authentication_required" },
	{ ERR_FORBIDDEN, "permission_denied" },
	{ ERR_NOT_FOUND, "resource_missing" },
	{ ERR_METHOD, "method_not_allowed" },
	{ ERR_CONFLICT, "conflict" },
	{ ERR_TOO_LARGE, "body_too_large" },
	{ ERR_MEDIA_TYPE, "unsupported_media_type" },
	{ ERR_REFUSED, "refused" },
	{ ERR_RATE_LIMITED, "rate_limited" },
	{ ERR_UNAVAILABLE, "unavailable" },
	{ ERR_INTERNAL, "internal_error" },
	{ ERR_HEADERS_TOO_LARGE, "headers_too_large" },
};

const char *err_kind_code(int kind)
{
	for (size_t i = 0; i < sizeof(kind_codes) / sizeof(kind_codes[0]); i++)
		if (kind_codes[i].kind == kind)
			return kind_codes[i].code;
	return "internal_error";
}

static int err_vset(struct err *e, int kind, const char *code,
		    const char *param, const char *fmt, va_list ap)
{
	if (!e)
		return kind;
	e->kind = kind;
	snprintf(e->code, sizeof(e->code), "%s", code ? code : err_kind_code(kind));
	snprintf(e->param, sizeof(e->param), "%s", param ? param : "");
	/* Messages quote input (paths, values): kept valid UTF-8, and a message
	 * too long for the buffer is cut at a character boundary. */
	char full[4 * sizeof(e->message)];
	int n = vsnprintf(full, sizeof(full), fmt, ap);
	size_t len = n < 0 ? 0 : (size_t)n < sizeof(full) ? (size_t)n : sizeof(full) - 1;
	utf8_repair(e->message, sizeof(e->message), full, len);
	return kind;
}

int err_set(struct err *e, int kind, const char *param, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset(e, kind, NULL, param, fmt, ap);
	va_end(ap);
	return kind;
}

int err_setc(struct err *e, int kind, const char *code, const char *param,
	     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset(e, kind, code, param, fmt, ap);
	va_end(ap);
	return kind;
}

void err_clear(struct err *e)
{
	memset(e, 0, sizeof(*e));
}
