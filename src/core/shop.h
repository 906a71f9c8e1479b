/*
 * shop.h: shops and their API keys. A key is shown once, when it is made;
 * only its SHA-256 is stored. Secret keys ("sk_") act for the shop's server,
 * publishable keys ("pk_") for its storefront. Rotation makes new keys and
 * lets the old ones work for a grace period.
 *
 * Results are allocated in the arena a.
 */
#ifndef RETAIN_SHOP_H
#define RETAIN_SHOP_H

#include <stdint.h>

#include "../base/arena.h"
#include "../base/ids.h"
#include "../store/store.h"

#define SHOP_KEY_MAX 64
#define SHOP_NAME_MAX 200
/* The longest a rotated key may keep working (90 days), for the API and the CLI. */
#define SHOP_GRACE_HOURS_MAX 2160

enum shop_key_kind { SHOP_KEY_SECRET = 1, SHOP_KEY_PUBLISHABLE = 2 };

struct shop_key_info {
	const char *kind;	/* "secret" or "publishable" */
	const char *hint;	/* "sk_…wXyZ" */
	int64_t created_at;
	int64_t expires_at;	/* 0: does not expire */
};

struct shop {
	char id[ID_MAX];
	const char *name;
	int64_t created_at;
	struct shop_contact *contact;	/* never NULL after shop_get/shop_list */
	struct shop_key_info *keys;	/* live keys, newest first */
	int nkeys;
};

/*
 * The shop's contact for every customer-facing message (issue 11): where a
 * customer gets help (support_email, support_phone) and who the message is
 * from (sender_email, sender_name); survey_url is the shop's page that
 * takes a survey's answer token (core/survey.h). NULL fields are not set.
 * Surveys are sent only once support_email is set (shop_has_support_contact).
 */
struct shop_contact {
	const char *support_email, *support_phone, *sender_email, *sender_name, *survey_url;
	int64_t updated_at;
};

#define SHOP_URL_MAX 2000

struct shop_keys {
	char secret[SHOP_KEY_MAX];
	char publishable[SHOP_KEY_MAX];
};

struct shop_auth {
	char shop_id[ID_MAX];
	enum shop_key_kind kind;
	int64_t expires_at;	/* unix ms; 0: does not expire (not rotated) */
};

/* name: 1..SHOP_NAME_MAX bytes. Fills out and the new keys. */
int shop_create(struct store_tx *tx, struct arena *a, const char *name,
		struct shop *out, struct shop_keys *keys, struct err *e);
/* ERR_NOT_FOUND when there is no such shop. */
int shop_get(struct store_tx *tx, struct arena *a, const char *id,
	     struct shop *out, struct err *e);
/* Newest first; starting_after is a shop id or NULL. */
int shop_list(struct store_tx *tx, struct arena *a, const char *starting_after,
	      int limit, struct shop **out, int *n, int *has_more, struct err *e);
/* New keys; the current ones expire grace_ms from now (0: at once). */
int shop_rotate_keys(struct store_tx *tx, const char *id, int64_t grace_ms,
		     struct shop_keys *keys, struct err *e);
/* ERR_AUTH when key is unknown or expired. The answer holds the key's
 * expiry, for a cache of it (http/auth.c) to check on its own. */
int shop_authenticate(struct store_tx *tx, const char *key, struct shop_auth *out,
		      struct err *e);

/* Sets the shop's contact: the e-mails and the phone are normalised
 * (base/contact.h; ERR_INVALID naming "support_contact.email",
 * "support_contact.phone", "sender.email"), sender_name is 1..SHOP_NAME_MAX
 * bytes, survey_url an http(s) URL. support_email, sender_email and
 * sender_name are required; NULL phone or survey_url clears them. Writes
 * "shop.contact_updated" when something changed. ERR_NOT_FOUND for no shop. */
int shop_set_contact(struct store_tx *tx, const char *id, const struct shop_contact *in,
		     struct err *e);
/* *has 1 when the shop has a support e-mail: surveys wait for it. */
int shop_has_support_contact(struct store_tx *tx, const char *id, int *has, struct err *e);

#endif
