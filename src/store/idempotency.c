/* store/idempotency.c: see idempotency.h. Portable SQL only: no engine's own
 * functions, $n placeholders, INSERT ... ON CONFLICT. */
#include "idempotency.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

int64_t store_idempotency_cutoff(int64_t now_ms, int64_t retention_hours)
{
	assert(retention_hours >= 1 && retention_hours <= STORE_IDEMPOTENCY_RETENTION_HOURS_MAX);
	return now_ms - retention_hours * 3600 * 1000;
}

int store_idempotency_find(struct store_tx *tx, struct arena *a, const char *shop,
			   const char *key, int64_t cutoff_ms, struct store_idempotency_row *out,
			   struct err *e)
{
	struct store_stmt *st = store_query(tx, e,
		"SELECT fingerprint, status_code, response_body FROM idempotency_keys"
		" WHERE shop_id = $1 AND key = $2 AND created_at >= $3", "ssi", shop, key,
		cutoff_ms);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	if (rc == 1) {
		out->fingerprint = arena_strdup(a, store_text(st, 0));
		out->status = (int)store_int(st, 1);
		out->body = arena_strdup(a, store_text(st, 2));
	}
	store_done(st);
	return rc;
}

int store_idempotency_put(struct store_tx *tx, const char *shop, const char *key,
			  const struct store_idempotency_row *row, int64_t now_ms, struct err *e)
{
	int rc = store_exec(tx, e,
		"INSERT INTO idempotency_keys (shop_id, key, fingerprint, status_code,"
		" response_body, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
		" ON CONFLICT (shop_id, key) DO UPDATE SET fingerprint = excluded.fingerprint,"
		" status_code = excluded.status_code, response_body = excluded.response_body,"
		" created_at = excluded.created_at",
		"sssisi", shop, key, row->fingerprint, (int64_t)row->status, row->body, now_ms);
	return rc < 0 ? rc : 0;
}

/* Appends (key, body) to the arena arrays, doubling them when full. */
static void append_pair(struct arena *a, const char ***keys, const char ***bodies, int *n,
			int *cap, const char *key, const char *body)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		const char **more_keys = arena_alloc(a, (size_t)*cap * sizeof(**keys));
		const char **more_bodies = arena_alloc(a, (size_t)*cap * sizeof(**bodies));
		if (*n) {
			memcpy(more_keys, *keys, (size_t)*n * sizeof(**keys));
			memcpy(more_bodies, *bodies, (size_t)*n * sizeof(**bodies));
		}
		*keys = more_keys, *bodies = more_bodies;
	}
	(*keys)[*n] = arena_strdup(a, key);
	(*bodies)[(*n)++] = arena_strdup(a, body);
}

int store_idempotency_containing(struct store_tx *tx, struct arena *a, const char *shop,
				 const char *needle, const char ***keys, const char ***bodies,
				 int *n, struct err *e)
{
	size_t len = strlen(needle) + 3;
	char *like = arena_alloc(a, len);
	int cap = 0, rc;
	snprintf(like, len, "%%%s%%", needle);
	*keys = *bodies = NULL;
	*n = 0;
	struct store_stmt *st = store_query(tx, e,
		"SELECT key, response_body FROM idempotency_keys WHERE shop_id = $1"
		" AND response_body LIKE $2", "ss", shop, like);
	if (!st)
		return e->kind;
	while ((rc = store_step(st, e)) == 1)
		append_pair(a, keys, bodies, n, &cap, store_text(st, 0), store_text(st, 1));
	store_done(st);
	return rc < 0 ? rc : 0;
}

int store_idempotency_set_body(struct store_tx *tx, const char *shop, const char *key,
			       const char *body, struct err *e)
{
	/* "METHOD ROUTE DIGEST": the digest is the last 64 characters, after a
	 * space; a fingerprint forgotten already stays as it is. */
	int rc = store_exec(tx, e, "UPDATE idempotency_keys SET response_body = $3, fingerprint ="
			    " CASE WHEN fingerprint LIKE 'forgotten%' THEN fingerprint"
			    " WHEN length(fingerprint) > 65 THEN 'forgotten ' || substr(fingerprint, 1,"
			    " length(fingerprint) - 65) ELSE $4 END WHERE shop_id = $1 AND key = $2",
			    "ssss", shop, key, body, STORE_IDEMPOTENCY_FORGOTTEN);
	return rc < 0 ? rc : 0;
}

int store_idempotency_prune(struct store_tx *tx, int64_t cutoff_ms, int64_t *pruned,
			    struct err *e)
{
	int rc = store_exec(tx, e,
		"DELETE FROM idempotency_keys WHERE (shop_id, key) IN (SELECT shop_id, key"
		" FROM idempotency_keys WHERE created_at < $1 ORDER BY created_at LIMIT $2)", "ii",
		cutoff_ms, (int64_t)STORE_IDEMPOTENCY_PRUNE_BATCH);
	if (rc < 0)
		return rc;
	if (pruned)
		*pruned = rc;
	return 0;
}
