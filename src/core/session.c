/* session.c: see session.h. */
#include "session.h"

#include <stdio.h>
#include <string.h>

#include "../base/clock.h"
#include "shop.h"

static void hash_of(const char *id, char out[SECURE_SHA256_HEX])
{
	secure_sha256_hex(id, strlen(id), out);
}

int session_create(struct store_tx *tx, const char *shop, int operator, char id[SESSION_ID_MAX],
		   struct err *e)
{
	char hash[SECURE_SHA256_HEX];
	int64_t now = clock_now_ms();
	secure_random_token("ds_", 43, id, SESSION_ID_MAX);
	hash_of(id, hash);
	/* Sessions that expired unseen go with the next sign-in: the table holds
	 * live sessions and a few dead ones, never a history. */
	int rc = store_exec(tx, e, "DELETE FROM dashboard_sessions WHERE created_at <= $1 OR"
			    " seen_at <= $2", "ii", now - SESSION_LIFETIME_MS, now - SESSION_IDLE_MS);
	if (rc < 0)
		return rc;
	rc = store_exec(tx, e, "INSERT INTO dashboard_sessions (id_hash, shop_id, operator,"
			    " created_at, seen_at) VALUES ($1, $2, $3, $4, $4)", "ssii", hash, shop,
			    (int64_t)(operator != 0), now);
	return rc < 0 ? rc : 0;
}

int session_find(struct store_tx *tx, const char *id, struct session *out, struct err *e)
{
	char hash[SECURE_SHA256_HEX];
	memset(out, 0, sizeof(*out));
	if (!id || strncmp(id, "ds_", 3) || strlen(id) >= SESSION_ID_MAX)
		return err_setc(e, ERR_AUTH, "session_invalid", NULL, "no dashboard session");
	hash_of(id, hash);
	struct store_stmt *st = store_query(tx, e, "SELECT shop_id, operator, created_at, seen_at"
					    " FROM dashboard_sessions WHERE id_hash = $1", "s", hash);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	if (rc == 1) {
		snprintf(out->shop_id, sizeof(out->shop_id), "%s",
			 store_is_null(st, 0) ? "" : store_text(st, 0));
		out->operator = (int)store_int(st, 1);
		out->created_at = store_int(st, 2);
		out->seen_at = store_int(st, 3);
	}
	store_done(st);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return err_setc(e, ERR_AUTH, "session_invalid", NULL, "no dashboard session");
	int64_t now = clock_now_ms();
	if (now - out->seen_at >= SESSION_IDLE_MS || now - out->created_at >= SESSION_LIFETIME_MS)
		return err_setc(e, ERR_AUTH, "session_expired", NULL,
				"the dashboard session has expired; sign in again");
	out->stale = now - out->seen_at >= SESSION_TOUCH_MS;
	return 0;
}

int session_touch(struct store_tx *tx, const char *id, struct err *e)
{
	char hash[SECURE_SHA256_HEX];
	hash_of(id, hash);
	int rc = store_exec(tx, e, "UPDATE dashboard_sessions SET seen_at = $2 WHERE id_hash = $1",
			    "si", hash, clock_now_ms());
	return rc < 0 ? rc : 0;
}

int session_pick_shop(struct store_tx *tx, const char *id, const char *shop, struct err *e)
{
	struct session s;
	char hash[SECURE_SHA256_HEX];
	int rc = session_find(tx, id, &s, e);
	if (rc)
		return rc;
	if (!s.operator)
		return err_setc(e, ERR_FORBIDDEN, "session_not_operator", "shop",
				"only an operator's session picks a shop");
	int64_t found;
	if ((rc = store_query_int(tx, e, &found, "SELECT count(*) FROM shops WHERE id = $1", "s",
				  shop)))
		return rc;
	if (!found)
		return err_set(e, ERR_NOT_FOUND, "shop", "no such shop: \"%.64s\"", shop);
	hash_of(id, hash);
	rc = store_exec(tx, e, "UPDATE dashboard_sessions SET shop_id = $2, seen_at = $3"
			" WHERE id_hash = $1", "ssi", hash, shop, clock_now_ms());
	return rc < 0 ? rc : 0;
}

int session_delete(struct store_tx *tx, const char *id, struct err *e)
{
	char hash[SECURE_SHA256_HEX];
	hash_of(id, hash);
	int rc = store_exec(tx, e, "DELETE FROM dashboard_sessions WHERE id_hash = $1", "s", hash);
	return rc < 0 ? rc : 0;
}

int session_end_shop(struct store_tx *tx, const char *shop, struct err *e)
{
	int rc = store_exec(tx, e, "DELETE FROM dashboard_sessions WHERE shop_id = $1 AND"
			    " operator = 0", "s", shop);
	return rc < 0 ? rc : 0;
}

void session_csrf(const char *id, char out[SECURE_SHA256_HEX])
{
	secure_hmac_sha256_hex(id, "dashboard csrf", 14, out);
}
