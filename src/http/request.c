/* request.c: see request.h. */
#include "request.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/clock.h"
#include "../base/ids.h"
#include "../base/jsonv.h"
#include "../core/idempotency_store.h"
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
	r->resp_body = jsonv_dump(&r->arena, obj, &r->resp_len);
	json_decref(obj);
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

static int idempotent_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct idempotent_write *w = ctx;
	struct req *r = w->r;
	/* A key older than the retention is forgotten even before the pruning
	 * job deletes it: the request runs anew and takes the row over. */
	int64_t now = clock_now_ms();
	int64_t cutoff = idempotency_store_cutoff(now, r->srv->cfg->idempotency_retention_hours);
	struct store_stmt *st = store_query(tx, e,
		"SELECT fingerprint, status_code, response_body FROM idempotency_keys"
		" WHERE shop_id = $1 AND key = $2 AND created_at >= $3", "ssi", w->scope,
		r->idempotency_key, cutoff);
	int rc;
	if (!st)
		return e->kind;
	rc = store_step(st, e);
	if (rc == 1) {
		if (strcmp(store_text(st, 0), r->fingerprint) != 0) {
			rc = err_setc(e, ERR_INVALID, "idempotency_key_reused", "Idempotency-Key",
				      "Idempotency-Key \"%s\" was already used for a different request",
				      r->idempotency_key);
		} else {
			r->status = (int)store_int(st, 1);
			r->resp_body = arena_strdup(&r->arena, store_text(st, 2));
			r->resp_len = strlen(r->resp_body);
			r->replayed = 1;
			rc = 0;
		}
		store_done(st);
		return rc;
	}
	store_done(st);
	if (rc < 0 || (rc = w->fn(tx, w->ctx, e)))
		return rc;
	const char *stored = r->resp_body;
	if (r->route->flags & SECRET_RESPONSE) {
		/* A handler of such a route that forgot req_json_once() is a bug:
		 * refuse rather than write its secret to disk. */
		if (!r->replay_body)
			return err_set(e, ERR_INTERNAL, NULL, "no replay body for a secret response");
		stored = r->replay_body;
	}
	rc = store_exec(tx, e,
		"INSERT INTO idempotency_keys (shop_id, key, fingerprint, status_code,"
		" response_body, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
		" ON CONFLICT (shop_id, key) DO UPDATE SET fingerprint = excluded.fingerprint,"
		" status_code = excluded.status_code, response_body = excluded.response_body,"
		" created_at = excluded.created_at",
		"sssisi", w->scope, r->idempotency_key, r->fingerprint, (int64_t)r->status,
		stored, now);
	return rc < 0 ? rc : 0;
}

int req_write(struct req *r, store_fn fn, void *ctx, struct err *e)
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
	char like[ID_MAX + 8];
	const char **keys = NULL, **bodies = NULL;
	int n = 0, cap = 0, rc;

	/* A cheap superset first ('_' matches any character), exact by parsing. */
	snprintf(like, sizeof(like), "%%\"%s\"%%", id);
	struct store_stmt *st = store_query(tx, e,
		"SELECT key, response_body FROM idempotency_keys WHERE shop_id = $1"
		" AND response_body LIKE $2", "ss", shop, like);
	if (!st)
		return e->kind;
	while ((rc = store_step(st, e)) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			const char **more_keys = arena_alloc(a, (size_t)cap * sizeof(*keys));
			const char **more_bodies = arena_alloc(a, (size_t)cap * sizeof(*bodies));
			if (n) {
				memcpy(more_keys, keys, (size_t)n * sizeof(*keys));
				memcpy(more_bodies, bodies, (size_t)n * sizeof(*bodies));
			}
			keys = more_keys, bodies = more_bodies;
		}
		keys[n] = arena_strdup(a, store_text(st, 0));
		bodies[n++] = arena_strdup(a, store_text(st, 1));
	}
	store_done(st);
	for (int i = 0; rc >= 0 && i < n; i++) {
		json_t *v = json_loads(bodies[i], JSON_DECODE_ANY, NULL);
		if (v && replace_objects(&v, id, replacement))
			rc = store_exec(tx, e, "UPDATE idempotency_keys SET response_body = $3"
					" WHERE shop_id = $1 AND key = $2", "sss", shop, keys[i],
					jsonv_dump(a, v, NULL));
		json_decref(v);
	}
	return rc < 0 ? rc : 0;
}
