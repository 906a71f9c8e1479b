/* response.c: see response.h. */
#include "response.h"

#include <string.h>

#include "../base/utf8_repair.h"

static const struct {
	int kind, status;
	const char *type;
} statuses[] = {
	{ ERR_INVALID, 400, "invalid_request_error" },
	{ ERR_AUTH, 401, "authentication_error" },
	{ ERR_FORBIDDEN, 403, "permission_error" },
	{ ERR_NOT_FOUND, 404, "invalid_request_error" },
	{ ERR_METHOD, 405, "invalid_request_error" },
	{ ERR_CONFLICT, 409, "conflict_error" },
	{ ERR_TOO_LARGE, 413, "invalid_request_error" },
	{ ERR_MEDIA_TYPE, 415, "invalid_request_error" },
	{ ERR_HEADERS_TOO_LARGE, 431, "invalid_request_error" },
	{ ERR_REFUSED, 422, "refused_error" },
	{ ERR_RATE_LIMITED, 429, "rate_limit_error" },
	{ ERR_UNAVAILABLE, 503, "api_error" },
	{ ERR_INTERNAL, 500, "api_error" },
};

static int lookup(int kind)
{
	for (unsigned i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i].kind == kind)
			return (int)i;
	return -1;
}

int response_status(int kind)
{
	int i = lookup(kind);
	return i < 0 ? 500 : statuses[i].status;
}

/* A JSON string of s, valid UTF-8 whatever s holds: json_string() returns
 * NULL for invalid UTF-8, and the field would silently vanish. */
static json_t *text(const char *s)
{
	char valid[4 * sizeof(((struct err *)0)->message)];
	utf8_repair(valid, sizeof(valid), s, strlen(s));
	return json_string(valid);
}

void response_error(struct req *r, const struct err *e)
{
	int i = lookup(e->kind);
	json_t *err = json_object();
	json_object_set_new(err, "type", json_string(i < 0 ? "api_error" : statuses[i].type));
	json_object_set_new(err, "code", text(e->code[0] ? e->code : err_kind_code(e->kind)));
	json_object_set_new(err, "message", text(e->message[0] ? e->message : "internal error"));
	json_object_set_new(err, "param", e->param[0] ? text(e->param) : json_null());
	json_object_set_new(err, "request_id", json_string(r->request_id));
	req_json(r, i < 0 ? 500 : statuses[i].status, json_pack("{s:o}", "error", err));
}
