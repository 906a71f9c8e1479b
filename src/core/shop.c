/* shop.c: see shop.h. */
#include "shop.h"

#include <stdio.h>
#include <string.h>

#include "../base/clock.h"
#include "../base/secure.h"
#include "event.h"

/* 40 base62 characters: about 238 bits, far beyond guessing. */
#define KEY_RANDOM_CHARS 40

static int insert_key(struct store_tx *tx, const char *shop_id, const char *kind,
		      const char *key, int64_t now, struct err *e)
{
	char hash[SECURE_SHA256_HEX], hint[32];
	secure_sha256_hex(key, strlen(key), hash);
	snprintf(hint, sizeof(hint), "%.3s...%s", key, key + strlen(key) - 4);
	int rc = store_exec(tx, e,
			    "INSERT INTO api_keys (key_hash, shop_id, kind, hint, created_at)"
			    " VALUES ($1, $2, $3, $4, $5)",
			    "ssssi", hash, shop_id, kind, hint, now);
	return rc < 0 ? rc : 0;
}

static int new_keys(struct store_tx *tx, const char *shop_id, int64_t now,
		    struct shop_keys *keys, struct err *e)
{
	int rc;
	secure_random_token("sk_", KEY_RANDOM_CHARS, keys->secret, sizeof(keys->secret));
	secure_random_token("pk_", KEY_RANDOM_CHARS, keys->publishable,
			    sizeof(keys->publishable));
	if ((rc = insert_key(tx, shop_id, "secret", keys->secret, now, e)))
		return rc;
	return insert_key(tx, shop_id, "publishable", keys->publishable, now, e);
}

int shop_create(struct store_tx *tx, struct arena *a, const char *name,
		struct shop *out, struct shop_keys *keys, struct err *e)
{
	int64_t now = clock_now_ms();
	int rc;

	if (!name || !*name)
		return err_set(e, ERR_INVALID, "name", "shop name is required");
	if (strlen(name) > SHOP_NAME_MAX)
		return err_set(e, ERR_INVALID, "name", "shop name is longer than %d bytes",
			       SHOP_NAME_MAX);
	memset(out, 0, sizeof(*out));
	id_new(out->id, "shop_", now);
	rc = store_exec(tx, e, "INSERT INTO shops (id, name, created_at) VALUES ($1, $2, $3)",
			"ssi", out->id, name, now);
	if (rc < 0 || (rc = new_keys(tx, out->id, now, keys, e)))
		return rc;
	if ((rc = event_record(tx, out->id, "shop.created", out->id, NULL, e)))
		return rc;
	return shop_get(tx, a, out->id, out, e);
}

static int load_keys(struct store_tx *tx, struct arena *a, struct shop *s, struct err *e)
{
	int64_t now = clock_now_ms();
	struct store_stmt *st = store_query(tx, e,
		"SELECT kind, hint, created_at, expires_at FROM api_keys"
		" WHERE shop_id = $1 AND (expires_at IS NULL OR expires_at > $2)"
		" ORDER BY created_at DESC, kind DESC LIMIT 16", "si", s->id, now);
	int rc;
	if (!st)
		return e->kind;
	s->keys = arena_alloc(a, 16 * sizeof(*s->keys));
	s->nkeys = 0;
	while ((rc = store_step(st, e)) == 1) {
		struct shop_key_info *k = &s->keys[s->nkeys++];
		k->kind = arena_strdup(a, store_text(st, 0));
		k->hint = arena_strdup(a, store_text(st, 1));
		k->created_at = store_int(st, 2);
		k->expires_at = store_int(st, 3);
	}
	store_done(st);
	return rc;
}

static void shop_from_row(struct store_stmt *st, struct arena *a, struct shop *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", store_text(st, 0));
	out->name = arena_strdup(a, store_text(st, 1));
	out->created_at = store_int(st, 2);
}

int shop_get(struct store_tx *tx, struct arena *a, const char *id, struct shop *out,
	     struct err *e)
{
	struct store_stmt *st = store_query(tx, e,
		"SELECT id, name, created_at FROM shops WHERE id = $1", "s", id);
	int rc;
	if (!st)
		return e->kind;
	rc = store_step(st, e);
	if (rc == 1)
		shop_from_row(st, a, out);
	store_done(st);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return err_set(e, ERR_NOT_FOUND, "id", "no shop \"%s\"", id);
	return load_keys(tx, a, out, e);
}

int shop_list(struct store_tx *tx, struct arena *a, const char *starting_after,
	      int limit, struct shop **out, int *n, int *has_more, struct err *e)
{
	struct store_stmt *st = store_query(tx, e,
		"SELECT id, name, created_at FROM shops WHERE ($1 IS NULL OR id < $1)"
		" ORDER BY id DESC LIMIT $2", "si", starting_after, (int64_t)limit + 1);
	int rc;
	if (!st)
		return e->kind;
	*out = arena_alloc(a, (size_t)(limit + 1) * sizeof(**out));
	*n = 0;
	while ((rc = store_step(st, e)) == 1)
		shop_from_row(st, a, &(*out)[(*n)++]);
	store_done(st);
	if (rc < 0)
		return rc;
	*has_more = *n > limit;
	if (*has_more)
		*n = limit;
	for (int i = 0; i < *n; i++)
		if ((rc = load_keys(tx, a, &(*out)[i], e)))
			return rc;
	return 0;
}

int shop_rotate_keys(struct store_tx *tx, const char *id, int64_t grace_ms,
		     struct shop_keys *keys, struct err *e)
{
	int64_t now = clock_now_ms();
	int rc;
	struct store_stmt *st = store_query(tx, e, "SELECT 1 FROM shops WHERE id = $1", "s", id);
	if (!st)
		return e->kind;
	rc = store_step(st, e);
	store_done(st);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return err_set(e, ERR_NOT_FOUND, "id", "no shop \"%s\"", id);
	/* Keys already expiring keep their earlier deadline. */
	rc = store_exec(tx, e,
			"UPDATE api_keys SET expires_at = $2 WHERE shop_id = $1 AND"
			" (expires_at IS NULL OR expires_at > $2)", "si", id, now + grace_ms);
	if (rc < 0 || (rc = new_keys(tx, id, now, keys, e)))
		return rc;
	return event_record(tx, id, "shop.keys_rotated", id, NULL, e);
}

int shop_authenticate(struct store_tx *tx, const char *key, struct shop_auth *out,
		      struct err *e)
{
	char hash[SECURE_SHA256_HEX];
	int rc;

	secure_sha256_hex(key, strlen(key), hash);
	struct store_stmt *st = store_query(tx, e,
		"SELECT shop_id, kind, expires_at FROM api_keys WHERE key_hash = $1", "s", hash);
	if (!st)
		return e->kind;
	rc = store_step(st, e);
	if (rc == 1) {
		int64_t expires = store_int(st, 2);
		if (!store_is_null(st, 2) && expires <= clock_now_ms()) {
			rc = err_setc(e, ERR_AUTH, "api_key_expired", NULL,
				      "this API key was rotated and has expired; use the shop's current key");
		} else {
			snprintf(out->shop_id, sizeof(out->shop_id), "%s", store_text(st, 0));
			out->kind = strcmp(store_text(st, 1), "secret") == 0 ? SHOP_KEY_SECRET
									 : SHOP_KEY_PUBLISHABLE;
			rc = 0;
		}
	} else if (rc == 0) {
		rc = err_setc(e, ERR_AUTH, "api_key_invalid", NULL, "invalid API key");
	}
	store_done(st);
	return rc;
}
