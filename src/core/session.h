/*
 * session.h: dashboard sessions (issue 14). A sign-in makes a session and
 * hands its id (SESSION_ID_MAX, "ds_" + 43 unguessable base62 characters from
 * libsodium) to the caller once: only its SHA-256 is stored. A session acts
 * for one shop, or, when made with the operator key, for the shop the
 * operator picks afterwards (session_pick_shop).
 *
 * Expiry: SESSION_IDLE_MS after it was last seen (session_find refreshes
 * seen_at at most once a SESSION_TOUCH_MS, so a read costs no write), and
 * SESSION_LIFETIME_MS after it was made, whichever comes first. An expired
 * session is deleted when it is next presented, or by the next sign-in.
 *
 * The CSRF token of a session is derived from its id (session_csrf): the same
 * for every form of the session, unknown to anyone without the cookie, and
 * never stored.
 */
#ifndef RETAIN_SESSION_H
#define RETAIN_SESSION_H

#include <stdint.h>

#include "../base/ids.h"
#include "../base/secure.h"
#include "../store/store.h"

#define SESSION_ID_MAX 64
#define SESSION_IDLE_MS (12LL * 3600 * 1000)
#define SESSION_LIFETIME_MS (7LL * 24 * 3600 * 1000)
#define SESSION_TOUCH_MS (60LL * 1000)

struct session {
	char shop_id[ID_MAX];	/* "" until an operator picks a shop */
	int operator;
	int64_t created_at, seen_at;
	int stale;		/* seen_at older than SESSION_TOUCH_MS: worth a touch */
};

/* A new session for shop (NULL: an operator's, no shop yet); its id into id.
 * Deletes every expired session first. */
int session_create(struct store_tx *tx, const char *shop, int operator, char id[SESSION_ID_MAX],
		   struct err *e);
/* The live session of id into out; ERR_AUTH "session_invalid" when there is
 * none, "session_expired" when it expired (found expired: call
 * session_delete in a write). Only reads. */
int session_find(struct store_tx *tx, const char *id, struct session *out, struct err *e);
/* Sets seen_at to now (a write), for a session session_find marked stale. */
int session_touch(struct store_tx *tx, const char *id, struct err *e);
/* An operator's session picks shop (ERR_NOT_FOUND when there is no such shop;
 * ERR_FORBIDDEN for a shop key's session). */
int session_pick_shop(struct store_tx *tx, const char *id, const char *shop, struct err *e);
/* Deletes the session (sign-out or expiry); 0 when there was none. */
int session_delete(struct store_tx *tx, const char *id, struct err *e);
/* Ends every session signed in with one of shop's keys (its key rotation:
 * a session outlives no key; an operator's sessions stay). */
int session_end_shop(struct store_tx *tx, const char *shop, struct err *e);
/* The session's CSRF token (64 hex characters) into out. */
void session_csrf(const char *id, char out[SECURE_SHA256_HEX]);

#endif
