/* request.c: see request.h. */
#include "request.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "../base/clock.h"
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
