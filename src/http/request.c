/* request.c: see request.h. */
#include "request.h"

#include <assert.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "../base/clock.h"
#include "../base/ids.h"
#include "../base/jsonv.h"
#include "../store/idempotency.h"
#include "auth.h"
#include "idempotency.h"
#include "server.h"

const char *req_param(struct req *r, int i)
{
	return i < r->nparams ? r->params[i] : NULL;
}

const char *req_query(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

void req_json(struct req *r, int status, json_t *obj)
{
	r->status = status;
	json_decref(r->resp_json);
	r->resp_json = obj;
	r->resp_body = NULL;
	r->resp_len = 0;
}

void req_body(struct req *r, int status, const char *type, const char *body, size_t len)
{
	char *copy = arena_alloc(&r->arena, len + 1);
	memcpy(copy, body, len);
	copy[len] = '\0';
	req_json(r, status, NULL);
	r->resp_body = copy;
	r->resp_len = len;
	r->resp_type = arena_strdup(&r->arena, type);
}

void req_header(struct req *r, const char *name, const char *value)
{
	assert(r->nresp_headers < REQ_HEADERS_MAX);
	r->resp_headers[r->nresp_headers][0] = arena_strdup(&r->arena, name);
	r->resp_headers[r->nresp_headers][1] = arena_strdup(&r->arena, value);
	r->nresp_headers++;
}

const char *req_header_in(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

void req_render(struct req *r)
{
	if (!r->resp_json)
		return;
	r->resp_body = jsonv_dump(&r->arena, r->resp_json, &r->resp_len);
	json_decref(r->resp_json);
	r->resp_json = NULL;
}

void req_json_once(struct req *r, int status, json_t *shown, json_t *replayed)
{
	req_json(r, status, shown);
	r->replay_body = jsonv_dump(&r->arena, replayed, NULL);
	json_decref(replayed);
}

int req_page(struct req *r, int *limit, const char **starting_after, struct err *e)
{
	const char *l = req_query(r, "limit");
	*limit = 20;
	*starting_after = req_query(r, "starting_after");
	if (*starting_after && (!**starting_after || strlen(*starting_after) > 64))
		return err_set(e, ERR_INVALID, "starting_after",
			       "\"starting_after\" must be the id of the last item of the previous page");
	if (l) {
		char *end;
		long v = strtol(l, &end, 10);
		if (*l == '\0' || *end || v < 1 || v > 100)
			return err_set(e, ERR_INVALID, "limit",
				       "\"limit\" must be an integer from 1 to 100, not \"%s\"", l);
		*limit = (int)v;
	}
	return 0;
}

int req_read(struct req *r, store_fn fn, void *ctx, struct err *e)
{
	return store_read(r->store, fn, ctx, e);
}

struct idempotent_write {
	struct req *r;
	const char *scope;
	store_fn fn;
	void *ctx;
};

/* Whether the stored fingerprint is this request's (fingerprint: as it would
 * be stored). A forgotten one (its customer was erased) stands for any request
 * to the same route, which replays the erased record: nothing is created
 * again, nothing is revealed. Rows stored before fingerprints named their
 * route hold the digest alone, or "forgotten" for any request. */
static int same_request(const struct req *r, const char *stored, const char *fingerprint)
{
	static const char forgotten[] = STORE_IDEMPOTENCY_FORGOTTEN;
	size_t n = sizeof(forgotten) - 1, digest = strlen(r->fingerprint);
	if (!strcmp(stored, forgotten))
		return 1;
	if (!strncmp(stored, forgotten, n) && stored[n] == ' ')
		return !strncmp(stored + n + 1, fingerprint, strlen(fingerprint) - digest - 1) &&
		       strlen(stored + n + 1) == strlen(fingerprint) - digest - 1;
	return !strcmp(stored, strchr(stored, ' ') ? fingerprint : r->fingerprint);
}

static int idempotent_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct idempotent_write *w = ctx;
	struct req *r = w->r;
	struct store_idempotency_row row;
	/* A key older than the retention is forgotten even before the pruning
	 * job deletes it: the request runs anew and takes the row over. */
	int64_t now = clock_now_ms();
	int64_t cutoff = store_idempotency_cutoff(now, r->srv->cfg->idempotency_retention_hours);
	/* What is stored: the method and route (no personal data: the
	 * pattern, not the path) before the digest of method, path and body. */
	const char *fingerprint = arena_printf(&r->arena, "%s %s %s", r->route->method,
					       r->route->pattern, r->fingerprint);
	int rc = store_idempotency_find(tx, &r->arena, w->scope, r->idempotency_key, cutoff, &row, e);
	if (rc == 1) {
		if (!same_request(r, row.fingerprint, fingerprint))
			return err_setc(e, ERR_INVALID, "idempotency_key_reused", "Idempotency-Key",
					"Idempotency-Key \"%s\" was already used for a different request",
					r->idempotency_key);
		req_json(r, row.status, NULL);
		r->resp_body = row.body;
		r->resp_len = strlen(r->resp_body);
		r->replayed = 1;
		return 0;
	}
	if (rc < 0 || (rc = w->fn(tx, w->ctx, e)))
		return rc;
	req_render(r);	/* stored with the write */
	row = (struct store_idempotency_row){ fingerprint, r->status, r->resp_body };
	if (r->route->flags & SECRET_RESPONSE) {
		/* A handler of such a route that forgot req_json_once() is a bug:
		 * refuse rather than write its secret to disk. */
		if (!r->replay_body)
			return err_set(e, ERR_INTERNAL, NULL, "no replay body for a secret response");
		row.body = r->replay_body;
	}
	return store_idempotency_put(tx, w->scope, r->idempotency_key, &row, now, e);
}

static int write_idempotent(struct req *r, store_fn fn, void *ctx, struct err *e)
{
	if (!r->idempotency_key || !(r->route->flags & IDEMPOTENT))
		return store_write(r->store, fn, ctx, e);
	struct idempotent_write w = { r, r->shop_id ? r->shop_id : "operator", fn, ctx };
	int rc = idempotency_begin(w.scope, r->idempotency_key, e);
	if (rc)
		return rc;
	rc = store_write(r->store, idempotent_tx, &w, e);
	idempotency_end(w.scope, r->idempotency_key);
	return rc;
}

int req_write(struct req *r, store_fn fn, void *ctx, struct err *e)
{
	assert(!(r->route->flags & READ_ONLY));
	int rc = write_idempotent(r, fn, ctx, e);
	/* Committed (or failed, or replayed: forgetting is then only early). */
	if (r->route->flags & KEYS_WRITE)
		auth_cache_forget();
	return rc;
}

/* Replaces, below *v, every object whose "id" is id; 1 when one was. */
static int replace_objects(json_t **v, const char *id, json_t *replacement)
{
	int changed = 0;
	if (json_is_object(*v)) {
		json_t *own = json_object_get(*v, "id");
		if (json_is_string(own) && !strcmp(json_string_value(own), id)) {
			json_decref(*v);
			*v = json_deep_copy(replacement);
			return 1;
		}
		const char *key;
		json_t *child;
		void *tmp;
		json_object_foreach_safe(*v, tmp, key, child) {
			json_t *c = json_incref(child);
			if (replace_objects(&c, id, replacement)) {
				json_object_set(*v, key, c);
				changed = 1;
			}
			json_decref(c);
		}
	} else if (json_is_array(*v)) {
		for (size_t i = 0; i < json_array_size(*v); i++) {
			json_t *c = json_incref(json_array_get(*v, i));
			if (replace_objects(&c, id, replacement)) {
				json_array_set(*v, i, c);
				changed = 1;
			}
			json_decref(c);
		}
	}
	return changed;
}

int req_stored_responses_replace(struct store_tx *tx, struct arena *a, const char *shop,
				 const char *id, json_t *replacement, struct err *e)
{
	const char **keys, **bodies;
	int n, rc;
	/* A cheap superset first, exact by parsing. */
	const char *needle = arena_printf(a, "\"%s\"", id);
	if ((rc = store_idempotency_containing(tx, a, shop, needle, &keys, &bodies, &n, e)))
		return rc;
	/* Every request whose answer names the customer is forgotten (its
	 * fingerprint digests a body that may hold their data, such as an order's
	 * customer object); answers that embed the record get the erased one. */
	for (int i = 0; !rc && i < n; i++) {
		json_t *v = json_loads(bodies[i], JSON_DECODE_ANY, NULL);
		if (v && replace_objects(&v, id, replacement))
			rc = store_idempotency_set_body(tx, shop, keys[i], jsonv_dump(a, v, NULL), e);
		else if (strstr(bodies[i], needle))
			rc = store_idempotency_set_body(tx, shop, keys[i], bodies[i], e);
		json_decref(v);
	}
	return rc;
}

int req_json_body(struct req *r, struct err *e)
{
	if (r->json || r->body.len == 0)
		return 0;
	return jsonv_parse_object_or_array(r->body.data, r->body.len,
					   r->route->flags & ARRAY_BODY, &r->json, e);
}

void req_array_body(struct req *r, const char *key)
{
	assert(r->route->flags & ARRAY_BODY);
	if (json_is_array(r->json))
		r->json = json_pack("{s:o}", key, r->json);
}
