/* shop.c: see shop.h. */
#include "shop.h"

#include <stdio.h>
#include <string.h>

#include "../base/clock.h"
#include "../base/contact.h"
#include "../base/secure.h"
#include "event.h"
#include "session.h"

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

#define SHOP_COLUMNS "id, name, created_at, support_email, support_phone, sender_email," \
	" sender_name, survey_url, coalesce(contact_updated_at, 0)"

static const char *text_or_null(struct arena *a, struct store_stmt *st, int col)
{
	return store_is_null(st, col) ? NULL : arena_strdup(a, store_text(st, col));
}

static void shop_from_row(struct store_stmt *st, struct arena *a, struct shop *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", store_text(st, 0));
	out->name = arena_strdup(a, store_text(st, 1));
	out->created_at = store_int(st, 2);
	struct shop_contact *c = arena_alloc(a, sizeof(*c));
	c->support_email = text_or_null(a, st, 3);
	c->support_phone = text_or_null(a, st, 4);
	c->sender_email = text_or_null(a, st, 5);
	c->sender_name = text_or_null(a, st, 6);
	c->survey_url = text_or_null(a, st, 7);
	c->updated_at = store_int(st, 8);
	out->contact = c;
}

int shop_get(struct store_tx *tx, struct arena *a, const char *id, struct shop *out,
	     struct err *e)
{
	struct store_stmt *st = store_query(tx, e,
		"SELECT " SHOP_COLUMNS " FROM shops WHERE id = $1", "s", id);
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
		"SELECT " SHOP_COLUMNS " FROM shops WHERE ($1 IS NULL OR id < $1)"
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
	/* The dashboard signed in with the old keys signs in again (issue 14). */
	if (rc < 0 || (rc = new_keys(tx, id, now, keys, e)) || (rc = session_end_shop(tx, id, e)))
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
			out->expires_at = store_is_null(st, 2) ? 0 : expires;
			rc = 0;
		}
	} else if (rc == 0) {
		rc = err_setc(e, ERR_AUTH, "api_key_invalid", NULL, "invalid API key");
	}
	store_done(st);
	return rc;
}

/* An http(s) URL of visible ASCII: the answer token is appended to it. */
static int check_url(const char *url, struct err *e)
{
	if (strlen(url) > SHOP_URL_MAX || (strncmp(url, "https://", 8) && strncmp(url, "http://", 7)))
		return err_set(e, ERR_INVALID, "survey_url", "\"survey_url\" must be an http(s) URL of at"
			       " most %d bytes", SHOP_URL_MAX);
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return err_set(e, ERR_INVALID, "survey_url", "\"survey_url\" must not hold spaces,"
				       " control or non-ASCII characters (percent-encode them)");
	return 0;
}

static int same(const char *x, const char *y)
{
	return (!x && !y) || (x && y && !strcmp(x, y));
}

int shop_set_contact(struct store_tx *tx, const char *id, const struct shop_contact *in,
		     struct err *e)
{
	char support[CONTACT_EMAIL_MAX], sender[CONTACT_EMAIL_MAX], phone[CONTACT_PHONE_MAX];
	struct arena a = ARENA_INIT;
	struct shop cur;
	int rc;
	if (!in->support_email)
		return err_setc(e, ERR_INVALID, "parameter_missing", "support_contact.email",
				"\"support_contact.email\" is required: customers write there for help");
	if (!in->sender_email || !in->sender_name)
		return err_setc(e, ERR_INVALID, "parameter_missing",
				in->sender_email ? "sender.name" : "sender.email",
				"\"sender\" needs an \"email\" and a \"name\": who messages come from");
	if ((rc = contact_normalize_email(in->support_email, support, "support_contact.email", e)) ||
	    (rc = contact_normalize_email(in->sender_email, sender, "sender.email", e)) ||
	    (in->support_phone &&
	     (rc = contact_normalize_phone(in->support_phone, phone, "support_contact.phone", e))) ||
	    (in->survey_url && (rc = check_url(in->survey_url, e))))
		return rc;
	if (!*in->sender_name || strlen(in->sender_name) > SHOP_NAME_MAX)
		return err_set(e, ERR_INVALID, "sender.name", "\"sender.name\" is 1 to %d bytes",
			       SHOP_NAME_MAX);
	const char *ph = in->support_phone ? phone : NULL;
	if ((rc = shop_get(tx, &a, id, &cur, e)))
		goto out;
	const struct shop_contact *c = cur.contact;
	if (same(c->support_email, support) && same(c->support_phone, ph) &&
	    same(c->sender_email, sender) && same(c->sender_name, in->sender_name) &&
	    same(c->survey_url, in->survey_url))
		goto out;	/* the same again: nothing to record */
	rc = store_exec(tx, e, "UPDATE shops SET support_email = $2, support_phone = $3,"
			" sender_email = $4, sender_name = $5, survey_url = $6, contact_updated_at = $7"
			" WHERE id = $1", "ssssssi", id, support, ph, sender, in->sender_name,
			in->survey_url, clock_now_ms());
	if (rc >= 0)
		rc = event_record(tx, id, "shop.contact_updated", id, NULL, e);
out:
	arena_free(&a);
	return rc < 0 ? rc : 0;
}

int shop_has_support_contact(struct store_tx *tx, const char *id, int *has, struct err *e)
{
	int64_t n;
	int rc = store_query_int(tx, e, &n, "SELECT count(*) FROM shops WHERE id = $1 AND"
				 " support_email IS NOT NULL", "s", id);
	*has = !rc && n > 0;
	return rc;
}
