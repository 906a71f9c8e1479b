/* customer.c: see customer.h. */
#include "customer.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "../base/clock.h"
#include "../base/contact.h"
#include "../base/secure.h"
#include "activity.h"
#include "coupon.h"
#include "event.h"
#include "friend.h"
#include "interest.h"
#include "ledger.h"
#include "review.h"
#include "offers.h"
#include "profile.h"
#include "treasure.h"

#define CUSTOMER_COLUMNS \
	"id, external_id, name, email, phone, status, account_invite_due_at," \
	" account_created_at, merged_into, orders_count, created_at, updated_at," \
	" display_name, marketing_consent, coalesce(marketing_consent_at, 0)"

static int normalize_email(struct arena *a, const char *v, const char *param,
			   const char **out, struct err *e)
{
	char buf[CONTACT_EMAIL_MAX];
	int rc = contact_normalize_email(v, buf, param, e);
	*out = rc ? NULL : arena_strdup(a, buf);
	return rc;
}

static int normalize_phone(struct arena *a, const char *v, const char *param,
			   const char **out, struct err *e)
{
	char buf[CONTACT_PHONE_MAX];
	int rc = contact_normalize_phone(v, buf, param, e);
	*out = rc ? NULL : arena_strdup(a, buf);
	return rc;
}

/* Channel ids are the shop's own: kept as given, trimmed of nothing. */
static int normalize_opaque(struct arena *a, const char *v, const char *param,
			    const char **out, struct err *e)
{
	size_t n = strlen(v);
	if (n == 0 || n > CUSTOMER_TEXT_MAX)
		return err_set(e, ERR_INVALID, param, "identity value must be 1 to %d bytes",
			       CUSTOMER_TEXT_MAX);
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < ' ')
			return err_set(e, ERR_INVALID, param,
				       "identity value contains a control character");
	*out = arena_strdup(a, v);
	return 0;
}

static const struct {
	const char *kind;
	int (*normalize)(struct arena *, const char *, const char *, const char **,
			 struct err *);
} identity_kinds[] = {
	{ "email", normalize_email },
	{ "phone", normalize_phone },
	{ "whatsapp", normalize_phone },
	{ "web", normalize_opaque },
	{ "app", normalize_opaque },
	{ "store", normalize_opaque },
};

int customer_normalize_identity(struct arena *a, const char *kind, const char *value,
				const char *param, const char **out, struct err *e)
{
	for (size_t i = 0; i < sizeof(identity_kinds) / sizeof(identity_kinds[0]); i++)
		if (strcmp(identity_kinds[i].kind, kind) == 0)
			return identity_kinds[i].normalize(a, value, param, out, e);
	return err_set(e, ERR_INVALID, param,
		       "unknown identity type \"%s\" (email, phone, whatsapp, web, app, store)",
		       kind);
}

static int check_text(const char *v, const char *param, struct err *e)
{
	if (v && (strlen(v) == 0 || strlen(v) > CUSTOMER_TEXT_MAX))
		return err_set(e, ERR_INVALID, param, "\"%s\" must be 1 to %d bytes", param,
			       CUSTOMER_TEXT_MAX);
	return 0;
}

static int is_blank(const char *v)
{
	return v[strspn(v, " \t")] == '\0';
}

/* An external id is the shop's key for the customer: never only spaces. */
static int check_external_id(const char *v, const char *param, struct err *e)
{
	int rc = check_text(v, param, e);
	if (!rc && v && is_blank(v))
		return err_set(e, ERR_INVALID, param, "\"%s\" must not be blank", param);
	return rc;
}

int customer_clean_ref(struct arena *a, const char *v, const char *param, const char **out,
		       struct err *e)
{
	size_t n;
	v += strspn(v, " \t");
	for (n = strlen(v); n && (v[n - 1] == ' ' || v[n - 1] == '\t'); n--)
		;
	*out = NULL;
	if (n == 0)
		return err_set(e, ERR_INVALID, param, "\"%s\" must not be blank", param);
	*out = arena_strndup(a, v, n);
	return 0;
}

int customer_find_identity(struct store_tx *tx, const char *shop, const char *kind,
			   const char *value, char id[ID_MAX], struct err *e)
{
	struct store_stmt *st = store_query(tx, e,
		"SELECT customer_id FROM customer_identities"
		" WHERE shop_id = $1 AND kind = $2 AND value = $3", "sss", shop, kind, value);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	id[0] = '\0';
	if (rc == 1)
		snprintf(id, ID_MAX, "%s", store_text(st, 0));
	store_done(st);
	return rc < 0 ? rc : 0;
}

static const char *identity_label(const char *kind)
{
	if (!strcmp(kind, "email"))
		return "e-mail";
	if (!strcmp(kind, "phone"))
		return "phone number";
	if (!strcmp(kind, "whatsapp"))
		return "WhatsApp number";
	return "identity";
}

/* value is already normalised. */
static int attach_identity(struct store_tx *tx, const char *shop, const char *id,
			   const char *kind, const char *value, const char *param,
			   struct err *e)
{
	char owner[ID_MAX];
	int rc = customer_find_identity(tx, shop, kind, value, owner, e);
	if (rc)
		return rc;
	if (owner[0] && strcmp(owner, id) != 0)
		return err_setc(e, ERR_CONFLICT, "identity_taken", param,
				"%s \"%s\" already belongs to customer \"%s\"; merge the customers instead",
				identity_label(kind), value, owner);
	if (owner[0])
		return 0;
	rc = store_exec(tx, e,
			"INSERT INTO customer_identities (shop_id, kind, value, customer_id, created_at)"
			" VALUES ($1, $2, $3, $4, $5)", "ssssi", shop, kind, value, id, clock_now_ms());
	return rc < 0 ? rc : 0;
}

static int detach_identity(struct store_tx *tx, const char *shop, const char *id,
			   const char *kind, const char *value, struct err *e)
{
	int rc = store_exec(tx, e,
			    "DELETE FROM customer_identities WHERE shop_id = $1 AND kind = $2"
			    " AND value = $3 AND customer_id = $4", "ssss", shop, kind, value, id);
	return rc < 0 ? rc : 0;
}

static void row_to_customer(struct store_stmt *st, struct arena *a, struct customer *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", store_text(st, 0));
	c->external_id = arena_strdup(a, store_text(st, 1));
	c->name = arena_strdup(a, store_text(st, 2));
	c->email = arena_strdup(a, store_text(st, 3));
	c->phone = arena_strdup(a, store_text(st, 4));
	c->status = arena_strdup(a, store_text(st, 5));
	c->account_invite_due_at = store_int(st, 6);
	c->account_created_at = store_int(st, 7);
	c->merged_into = arena_strdup(a, store_text(st, 8));
	c->orders_count = store_int(st, 9);
	c->created_at = store_int(st, 10);
	c->updated_at = store_int(st, 11);
	c->display_name = arena_strdup(a, store_text(st, 12));
	c->marketing_consent = (int)store_int(st, 13);
	c->marketing_consent_at = store_int(st, 14);
}

static int load_details(struct store_tx *tx, struct arena *a, const char *shop,
			struct customer *c, struct err *e)
{
	int rc, cap = 8;
	struct store_stmt *st = store_query(tx, e,
		"SELECT kind, value FROM customer_identities WHERE shop_id = $1 AND customer_id = $2"
		" ORDER BY kind, value", "ss", shop, c->id);
	if (!st)
		return e->kind;
	c->identities = arena_alloc(a, (size_t)cap * sizeof(*c->identities));
	while ((rc = store_step(st, e)) == 1) {
		if (c->nidentities == cap) {
			struct identity *more = arena_alloc(a, (size_t)cap * 2 * sizeof(*more));
			memcpy(more, c->identities, (size_t)cap * sizeof(*more));
			c->identities = more;
			cap *= 2;
		}
		c->identities[c->nidentities].kind = arena_strdup(a, store_text(st, 0));
		c->identities[c->nidentities++].value = arena_strdup(a, store_text(st, 1));
	}
	store_done(st);
	if (rc < 0)
		return rc;
	st = store_query(tx, e,
		"SELECT name, line1, line2, city, region, postal_code, country, phone"
		" FROM customer_addresses WHERE shop_id = $1 AND customer_id = $2"
		" ORDER BY position LIMIT 64", "ss", shop, c->id);
	if (!st)
		return e->kind;
	c->addresses = arena_alloc(a, 64 * sizeof(*c->addresses));
	while ((rc = store_step(st, e)) == 1) {
		struct address *ad = &c->addresses[c->naddresses++];
		ad->name = arena_strdup(a, store_text(st, 0));
		ad->line1 = arena_strdup(a, store_text(st, 1));
		ad->line2 = arena_strdup(a, store_text(st, 2));
		ad->city = arena_strdup(a, store_text(st, 3));
		ad->region = arena_strdup(a, store_text(st, 4));
		ad->postal_code = arena_strdup(a, store_text(st, 5));
		ad->country = arena_strdup(a, store_text(st, 6));
		ad->phone = arena_strdup(a, store_text(st, 7));
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

/* Loads the row for an exact id (no merge following); 0 rows: ERR_NOT_FOUND. */
static int load_row(struct store_tx *tx, struct arena *a, const char *shop,
		    const char *id, struct customer *c, struct err *e)
{
	struct store_stmt *st = store_query(tx, e,
		"SELECT " CUSTOMER_COLUMNS " FROM customers WHERE shop_id = $1 AND id = $2",
		"ss", shop, id);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	if (rc == 1)
		row_to_customer(st, a, c);
	store_done(st);
	if (rc == 0)
		return err_set(e, ERR_NOT_FOUND, "id", "no customer \"%s\"", id);
	return rc < 0 ? rc : 0;
}

/* Ref to the id of the row itself (no merge following). */
static int lookup_ref(struct store_tx *tx, const char *shop, const char *ref,
		      const char *param, char id[ID_MAX], struct err *e)
{
	struct store_stmt *st;
	if (strncmp(ref, "ext:", 4) == 0)
		st = store_query(tx, e, "SELECT id FROM customers WHERE shop_id = $1 AND external_id = $2",
				 "ss", shop, ref + 4);
	else
		st = store_query(tx, e, "SELECT id FROM customers WHERE shop_id = $1 AND id = $2",
				 "ss", shop, ref);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	if (rc == 1)
		snprintf(id, ID_MAX, "%s", store_text(st, 0));
	store_done(st);
	if (rc == 0)
		return err_set(e, ERR_NOT_FOUND, param, "no customer \"%s\"", ref);
	return rc < 0 ? rc : 0;
}

/* One row of a resolution: its merged_into (NULL: none) into next, and
 * whether it is a guest with no orders yet; 0 rows: 0. */
static int resolve_step(struct store_stmt *st, char id[ID_MAX], char next[ID_MAX],
			int *first_guest_order, int *erased, struct err *e)
{
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	if (rc == 1) {
		snprintf(id, ID_MAX, "%s", store_text(st, 0));
		snprintf(next, ID_MAX, "%s", store_text(st, 1) ? store_text(st, 1) : "");
		*first_guest_order = store_int(st, 2) == 0 && store_text(st, 3) &&
				     !strcmp(store_text(st, 3), "guest");
		*erased = store_text(st, 3) && !strcmp(store_text(st, 3), "erased");
	}
	store_done(st);
	return rc;
}

#define RESOLVE_COLUMNS "id, merged_into, orders_count, status"

/* From the row id just read (its merged_into in next, its guest flag in
 * first), follows merges, each row read once with its merged_into; a chain
 * is short, the bound (16 steps) only guards against a cycle. A merge into a
 * row that is gone ends at that id, as before. */
static int follow_merges(struct store_tx *tx, const char *shop, char id[ID_MAX],
			 char next[ID_MAX], int *first_guest_order, int first, int *erased,
			 struct err *e)
{
	int rc = 1;
	for (int depth = 0; rc == 1 && next[0] && depth < 16; depth++) {
		snprintf(id, ID_MAX, "%s", next);
		first = -1;
		if (depth == 15)
			break;
		char at[ID_MAX];
		snprintf(at, sizeof(at), "%s", next);
		next[0] = '\0';
		rc = resolve_step(store_query(tx, e, "SELECT " RESOLVE_COLUMNS " FROM customers"
					      " WHERE shop_id = $1 AND id = $2", "ss", shop, at),
				  id, next, &first, erased, e);
		if (rc == 0)
			snprintf(id, ID_MAX, "%s", at);
	}
	if (first_guest_order)
		*first_guest_order = first;
	return rc < 0 ? rc : 0;
}

/* customer_resolve_counted(), and *erased: whether the row it ends at is
 * erased (a merge into a row that is gone: 0). */
static int resolve_chain(struct store_tx *tx, const char *shop, const char *ref,
			 const char *param, char id[ID_MAX], int *first_guest_order,
			 int *erased, struct err *e)
{
	char next[ID_MAX];
	int first = -1, rc = !strncmp(ref, "ext:", 4)
		? resolve_step(store_query(tx, e, "SELECT " RESOLVE_COLUMNS " FROM customers"
					   " WHERE shop_id = $1 AND external_id = $2", "ss", shop, ref + 4),
			       id, next, &first, erased, e)
		: resolve_step(store_query(tx, e, "SELECT " RESOLVE_COLUMNS " FROM customers"
					   " WHERE shop_id = $1 AND id = $2", "ss", shop, ref),
			       id, next, &first, erased, e);
	if (rc == 0)
		return err_set(e, ERR_NOT_FOUND, param, "no customer \"%s\"", ref);
	return rc < 0 ? rc : follow_merges(tx, shop, id, next, first_guest_order, first, erased, e);
}

int customer_resolve_counted(struct store_tx *tx, const char *shop, const char *ref,
			     const char *param, char id[ID_MAX], int *first_guest_order,
			     struct err *e)
{
	int erased = 0;
	return resolve_chain(tx, shop, ref, param, id, first_guest_order, &erased, e);
}

int customer_resolve_buyer(struct store_tx *tx, const char *shop, const char *ref,
			   const char *param, char id[ID_MAX], int *first_guest_order,
			   struct err *e)
{
	int erased = 0;
	int rc = resolve_chain(tx, shop, ref, param, id, first_guest_order, &erased, e);
	if (!rc && erased)
		return err_setc(e, ERR_CONFLICT, "customer_inactive", param,
				"customer \"%s\" is erased", id);
	return rc;
}

int customer_resolve(struct store_tx *tx, const char *shop, const char *ref,
		     const char *param, char id[ID_MAX], struct err *e)
{
	return customer_resolve_counted(tx, shop, ref, param, id, NULL, e);
}

int customer_find_identity_resolved(struct store_tx *tx, const char *shop, const char *kind,
				    const char *value, const char *param, char id[ID_MAX],
				    int *first_guest_order, struct err *e)
{
	char owner[ID_MAX] = "", next[ID_MAX] = "";
	int first = -1, gone = 0;
	struct store_stmt *st = store_query(tx, e,
		"SELECT i.customer_id, c.id, c.merged_into, c.orders_count, c.status"
		" FROM customer_identities i LEFT JOIN customers c ON c.shop_id = i.shop_id"
		" AND c.id = i.customer_id WHERE i.shop_id = $1 AND i.kind = $2 AND i.value = $3",
		"sss", shop, kind, value);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	id[0] = '\0';
	if (rc == 1) {
		snprintf(owner, sizeof(owner), "%s", store_text(st, 0));
		gone = store_text(st, 1) == NULL;
		if (!gone) {
			snprintf(id, ID_MAX, "%s", store_text(st, 1));
			snprintf(next, ID_MAX, "%s", store_text(st, 2) ? store_text(st, 2) : "");
			first = store_int(st, 3) == 0 && store_text(st, 4) &&
				!strcmp(store_text(st, 4), "guest");
		}
	}
	store_done(st);
	if (rc <= 0)
		return rc;
	if (gone)	/* an identity of no row: as customer_resolve() answers it */
		return customer_resolve_counted(tx, shop, owner, param, id, first_guest_order, e);
	int erased = 0;
	return follow_merges(tx, shop, id, next, first_guest_order, first, &erased, e);
}

int customer_is_erased(struct store_tx *tx, const char *shop, const char *ref,
		       const char *param, int *erased, struct err *e)
{
	char id[ID_MAX];
	int rc = customer_resolve(tx, shop, ref, param, id, e);
	*erased = 0;
	if (rc)
		return rc;
	struct store_stmt *st = store_query(tx, e,
		"SELECT 1 FROM customers WHERE shop_id = $1 AND id = $2 AND status = 'erased'",
		"ss", shop, id);
	if (!st)
		return e->kind;
	rc = store_step(st, e);
	*erased = rc == 1;
	store_done(st);
	return rc < 0 ? rc : 0;
}

int customer_get(struct store_tx *tx, struct arena *a, const char *shop, const char *ref,
		 struct customer *out, struct err *e)
{
	char id[ID_MAX];
	int rc = lookup_ref(tx, shop, ref, "id", id, e);
	if (!rc)
		rc = load_row(tx, a, shop, id, out, e);
	if (!rc)
		rc = load_details(tx, a, shop, out, e);
	return rc;
}

static int check_address(const struct address *ad, int i, struct err *e)
{
	char param[64];
	const struct { const char *v, *name; int required; } fields[] = {
		{ ad->name, "name", 0 }, { ad->line1, "line1", 1 }, { ad->line2, "line2", 0 },
		{ ad->city, "city", 1 }, { ad->region, "region", 0 },
		{ ad->postal_code, "postal_code", 0 }, { ad->country, "country", 1 },
		{ ad->phone, "phone", 0 },
	};
	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		snprintf(param, sizeof(param), "addresses[%d].%s", i, fields[f].name);
		if (!fields[f].v && fields[f].required)
			return err_setc(e, ERR_INVALID, "parameter_missing", param,
					"\"%s\" is required", param);
		if (check_text(fields[f].v, param, e))
			return ERR_INVALID;
	}
	snprintf(param, sizeof(param), "addresses[%d].country", i);
	if (strlen(ad->country) != 2 || !isupper((unsigned char)ad->country[0]) ||
	    !isupper((unsigned char)ad->country[1]))
		return err_set(e, ERR_INVALID, param,
			       "\"%s\" must be an ISO 3166 two-letter code like \"DE\", not \"%s\"",
			       param, ad->country);
	return 0;
}

static int replace_addresses(struct store_tx *tx, const char *shop, const char *id,
			     const struct customer_input *in, struct err *e)
{
	int rc = store_exec(tx, e, "DELETE FROM customer_addresses WHERE shop_id = $1 AND customer_id = $2",
			    "ss", shop, id);
	if (rc < 0)
		return rc;
	for (int i = 0; i < in->naddresses; i++) {
		const struct address *ad = &in->addresses[i];
		rc = store_exec(tx, e,
			"INSERT INTO customer_addresses (shop_id, customer_id, position, name, line1,"
			" line2, city, region, postal_code, country, phone)"
			" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)", "ssissssssss",
			shop, id, (int64_t)i, ad->name, ad->line1, ad->line2, ad->city, ad->region,
			ad->postal_code, ad->country, ad->phone);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Validates everything in `in` before anything is written. */
static int check_input(struct arena *a, const struct customer_input *in,
		       const char **email, const char **phone, const char **ident_values,
		       struct err *e)
{
	int rc;
	*email = *phone = NULL;
	if (in->external_id && (rc = check_external_id(in->external_id, "external_id", e)))
		return rc;
	if (in->has_name && (rc = check_text(in->name, "name", e)))
		return rc;
	if (in->has_display_name && (rc = profile_check_display_name(in->display_name, e)))
		return rc;
	if (in->has_email && in->email && (rc = normalize_email(a, in->email, "email", email, e)))
		return rc;
	if (in->has_phone && in->phone && (rc = normalize_phone(a, in->phone, "phone", phone, e)))
		return rc;
	if (in->nidentities > CUSTOMER_MAX_IDENTITIES)
		return err_set(e, ERR_INVALID, "identities", "at most %d identities",
			       CUSTOMER_MAX_IDENTITIES);
	for (int i = 0; i < in->nidentities; i++) {
		char param[48];
		snprintf(param, sizeof(param), "identities[%d].value", i);
		if ((rc = customer_normalize_identity(a, in->identities[i].kind,
						      in->identities[i].value, param,
						      &ident_values[i], e))) {
			if (strstr(e->message, "identity type"))
				snprintf(e->param, sizeof(e->param), "identities[%d].type", i);
			return rc;
		}
	}
	if (in->naddresses > CUSTOMER_MAX_ADDRESSES)
		return err_set(e, ERR_INVALID, "addresses", "at most %d saved addresses",
			       CUSTOMER_MAX_ADDRESSES);
	for (int i = 0; i < in->naddresses; i++)
		if ((rc = check_address(&in->addresses[i], i, e)))
			return rc;
	return 0;
}

/* Sets the primary e-mail or phone: the old value's identity goes, the new one
 * must be free. */
static int set_primary(struct store_tx *tx, const char *shop, const char *id,
		       const char *kind, const char *old, const char *new_value,
		       struct err *e)
{
	int rc;
	if (old && new_value && strcmp(old, new_value) == 0)
		return 0;
	if (old && (rc = detach_identity(tx, shop, id, kind, old, e)))
		return rc;
	if (new_value && (rc = attach_identity(tx, shop, id, kind, new_value, kind, e)))
		return rc;
	const char *sql = strcmp(kind, "email") == 0
		? "UPDATE customers SET email = $3 WHERE shop_id = $1 AND id = $2"
		: "UPDATE customers SET phone = $3 WHERE shop_id = $1 AND id = $2";
	rc = store_exec(tx, e, sql, "sss", shop, id, new_value);
	return rc < 0 ? rc : 0;
}

/* Issue 12: the display name, and the marketing consent with an event when
 * it changes (when it was given, or withdrawn). */
static int apply_profile(struct store_tx *tx, const char *shop, const struct customer *cur,
			 const struct customer_input *in, int64_t now, struct err *e)
{
	int rc;
	if (in->has_display_name &&
	    (rc = store_exec(tx, e, "UPDATE customers SET display_name = $3 WHERE shop_id = $1 AND"
			     " id = $2", "sss", shop, cur->id, in->display_name)) < 0)
		return rc;
	if (!in->has_marketing_consent || !in->marketing_consent == !cur->marketing_consent)
		return 0;
	rc = store_exec(tx, e, "UPDATE customers SET marketing_consent = $3, marketing_consent_at = $4"
			" WHERE shop_id = $1 AND id = $2", "ssii", shop, cur->id,
			(int64_t)(in->marketing_consent != 0), now);
	if (rc < 0)
		return rc;
	return event_record(tx, shop, in->marketing_consent ? "customer.marketing_consent_given"
			    : "customer.marketing_consent_withdrawn", cur->id, NULL, e);
}

static int apply_input(struct store_tx *tx, struct arena *a, const char *shop,
		       struct customer *cur, const struct customer_input *in,
		       struct err *e)
{
	const char *email, *phone;
	const char **ident_values = arena_alloc(a, (size_t)(in->nidentities + 1) * sizeof(char *));
	int64_t now = clock_now_ms();
	int rc;

	if ((rc = check_input(a, in, &email, &phone, ident_values, e)))
		return rc;
	if (!strcmp(cur->status, "erased") || !strcmp(cur->status, "merged"))
		return err_setc(e, ERR_CONFLICT, "customer_inactive", "id",
				"customer \"%s\" is %s and cannot be changed", cur->id, cur->status);
	if (in->has_name) {
		rc = store_exec(tx, e, "UPDATE customers SET name = $3 WHERE shop_id = $1 AND id = $2",
				"sss", shop, cur->id, in->name);
		if (rc < 0)
			return rc;
	}
	if (in->has_email && (rc = set_primary(tx, shop, cur->id, "email", cur->email, email, e)))
		return rc;
	if (in->has_phone && (rc = set_primary(tx, shop, cur->id, "phone", cur->phone, phone, e)))
		return rc;
	for (int i = 0; i < in->nidentities; i++) {
		char param[48];
		snprintf(param, sizeof(param), "identities[%d].value", i);
		if ((rc = attach_identity(tx, shop, cur->id, in->identities[i].kind,
					  ident_values[i], param, e)))
			return rc;
	}
	if (in->has_addresses && (rc = replace_addresses(tx, shop, cur->id, in, e)))
		return rc;
	if ((rc = apply_profile(tx, shop, cur, in, now, e)))
		return rc;
	if (in->account && strcmp(cur->status, "guest") == 0) {
		rc = store_exec(tx, e,
				"UPDATE customers SET status = 'account', account_created_at = $3,"
				" account_invite_due_at = NULL WHERE shop_id = $1 AND id = $2",
				"ssi", shop, cur->id, now);
		int64_t bonus;
		if (rc < 0 || (rc = event_record(tx, shop, "customer.account_created", cur->id, NULL, e)) ||
		    (rc = ledger_bonus(tx, shop, cur->id, "account_created", 0, &bonus, e)) ||
		    (rc = offers_on_account_created(tx, shop, cur->id, e)))
			return rc;
	}
	rc = store_exec(tx, e, "UPDATE customers SET updated_at = $3 WHERE shop_id = $1 AND id = $2",
			"ssi", shop, cur->id, now);
	return rc < 0 ? rc : 0;
}

static int insert_customer(struct store_tx *tx, const char *shop, const char *external_id,
			   char id[ID_MAX], struct err *e)
{
	int64_t now = clock_now_ms();
	id_new(id, "cus_", now);
	int rc = store_exec(tx, e,
			    "INSERT INTO customers (shop_id, id, external_id, status, created_at, updated_at)"
			    " VALUES ($1, $2, $3, 'guest', $4, $4)", "sssi", shop, id, external_id, now);
	if (rc < 0 && store_tx_was_unique_violation(tx))
		return err_setc(e, ERR_CONFLICT, "external_id_taken", "external_id",
				"a customer with external_id \"%s\" already exists", external_id);
	return rc < 0 ? rc : 0;
}

/* A guest's identity: the INSERT of one that is taken inserts nothing, and
 * only then is its owner read for attach_identity()'s answer (one statement
 * for a free identity, where attach_identity() takes two). */
static int add_guest_identity(struct store_tx *tx, const char *shop, const char *id,
			      const char *kind, const char *value, const char *param,
			      int64_t now, struct err *e)
{
	int rc = store_exec(tx, e,
			    "INSERT INTO customer_identities (shop_id, kind, value, customer_id, created_at)"
			    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (shop_id, kind, value) DO NOTHING",
			    "ssssi", shop, kind, value, id, now);
	if (rc < 0)
		return rc;
	return rc ? 0 : attach_identity(tx, shop, id, kind, value, param, e);
}

/*
 * A guest as order creation makes one (name, e-mail, phone, identities, no
 * addresses, profile or account): the row written with its values in one
 * INSERT, as apply_input() would leave it after insert_customer() (two
 * UPDATEs and a read fewer), and its identities in the same order.
 */
static int insert_guest(struct store_tx *tx, struct arena *a, const char *shop,
			const struct customer_input *in, char id[ID_MAX], struct err *e)
{
	const char *email, *phone;
	const char **ident_values = arena_alloc(a, (size_t)(in->nidentities + 1) * sizeof(char *));
	int64_t now = clock_now_ms();
	int rc = check_input(a, in, &email, &phone, ident_values, e);
	if (rc)
		return rc;
	id_new(id, "cus_", now);
	rc = store_exec(tx, e,
			"INSERT INTO customers (shop_id, id, external_id, name, email, phone, status,"
			" created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'guest', $7, $7)",
			"ssssssi", shop, id, in->external_id, in->has_name ? in->name : NULL,
			in->has_email ? email : NULL, in->has_phone ? phone : NULL, now);
	if (rc < 0 && store_tx_was_unique_violation(tx))
		return err_setc(e, ERR_CONFLICT, "external_id_taken", "external_id",
				"a customer with external_id \"%s\" already exists", in->external_id);
	if (rc < 0)
		return rc;
	if (in->has_email && email &&
	    (rc = add_guest_identity(tx, shop, id, "email", email, "email", now, e)))
		return rc;
	if (in->has_phone && phone &&
	    (rc = add_guest_identity(tx, shop, id, "phone", phone, "phone", now, e)))
		return rc;
	for (int i = 0; i < in->nidentities; i++) {
		char param[48];
		snprintf(param, sizeof(param), "identities[%d].value", i);
		if ((rc = add_guest_identity(tx, shop, id, in->identities[i].kind, ident_values[i],
					     param, now, e)))
			return rc;
	}
	return event_record(tx, shop, "customer.created", id, NULL, e);
}

int customer_create_guest(struct store_tx *tx, const char *shop,
			  const struct customer_input *in, char id[ID_MAX], struct err *e)
{
	struct arena a = ARENA_INIT;
	struct customer c;
	int rc;
	if (!in->has_addresses && !in->has_display_name && !in->has_marketing_consent &&
	    !in->account) {
		rc = insert_guest(tx, &a, shop, in, id, e);
		goto out;
	}
	rc = check_input(&a, in, &(const char *){ NULL }, &(const char *){ NULL },
			 arena_alloc(&a, (size_t)(in->nidentities + 1) * sizeof(char *)), e);
	if (!rc)
		rc = insert_customer(tx, shop, in->external_id, id, e);
	/* The row just inserted, as load_row() would read it (a statement
	 * fewer per guest): apply_input() needs its id, status and the e-mail,
	 * phone and consent it has yet (none). */
	memset(&c, 0, sizeof(c));
	snprintf(c.id, sizeof(c.id), "%s", id);
	c.status = "guest";
	if (!rc)
		rc = apply_input(tx, &a, shop, &c, in, e);
	if (!rc)
		rc = event_record(tx, shop, "customer.created", id, NULL, e);
out:
	arena_free(&a);
	return rc;
}

int customer_upsert(struct store_tx *tx, struct arena *a, const char *shop,
		    const struct customer_input *in, struct customer *out, int *created,
		    struct err *e)
{
	char id[ID_MAX];
	int rc;

	*created = 0;
	if (in->external_id) {
		if ((rc = check_external_id(in->external_id, "external_id", e)))
			return rc;
		char ref[CUSTOMER_TEXT_MAX + 8];
		snprintf(ref, sizeof(ref), "ext:%s", in->external_id);
		rc = customer_resolve(tx, shop, ref, "external_id", id, e);
		if (rc == 0)
			return customer_update(tx, a, shop, id, in, out, e);
		if (rc != ERR_NOT_FOUND)
			return rc;
	}
	int64_t bonus;
	if ((rc = customer_create_guest(tx, shop, in, id, e)) ||
	    (rc = ledger_bonus(tx, shop, id, "signup", 0, &bonus, e)) ||
	    (rc = offers_on_signup(tx, shop, id, e)))
		return rc;
	*created = 1;
	return customer_get(tx, a, shop, id, out, e);
}

int customer_update(struct store_tx *tx, struct arena *a, const char *shop, const char *ref,
		    const struct customer_input *in, struct customer *out, struct err *e)
{
	char id[ID_MAX];
	struct customer cur;
	int rc = customer_resolve(tx, shop, ref, "id", id, e);
	if (!rc)
		rc = load_row(tx, a, shop, id, &cur, e);
	if (!rc)
		rc = apply_input(tx, a, shop, &cur, in, e);
	if (!rc)
		rc = event_record(tx, shop, "customer.updated", id, NULL, e);
	if (!rc)
		rc = customer_get(tx, a, shop, id, out, e);
	return rc;
}

/* Narrows a filter by identity or external id down to one customer id:
 * *found 0 means no customer can match. */
static int filter_to_id(struct store_tx *tx, struct arena *a, const char *shop,
			const struct customer_filter *f, char id[ID_MAX], int *found,
			struct err *e)
{
	const char *email = NULL, *phone = NULL;
	char other[ID_MAX];
	int rc;

	*found = 1;
	id[0] = '\0';
	if (f->email && ((rc = normalize_email(a, f->email, "email", &email, e)) ||
			 (rc = customer_find_identity(tx, shop, "email", email, id, e))))
		return rc;
	*found = !f->email || id[0];
	if (f->phone && *found) {
		if ((rc = normalize_phone(a, f->phone, "phone", &phone, e)) ||
		    (rc = customer_find_identity(tx, shop, "phone", phone, other, e)))
			return rc;
		if (!other[0] && (rc = customer_find_identity(tx, shop, "whatsapp", phone, other, e)))
			return rc;
		*found = other[0] && (!id[0] || !strcmp(id, other));
		snprintf(id, ID_MAX, "%s", other);
	}
	if (f->external_id && *found) {
		char ref[CUSTOMER_TEXT_MAX + 8];
		snprintf(ref, sizeof(ref), "ext:%s", f->external_id);
		rc = lookup_ref(tx, shop, ref, "external_id", other, e);
		if (rc && rc != ERR_NOT_FOUND)
			return rc;
		*found = !rc && (!id[0] || !strcmp(id, other));
		snprintf(id, ID_MAX, "%s", rc ? "" : other);
	}
	return 0;
}

int customer_list(struct store_tx *tx, struct arena *a, const char *shop,
		  const struct customer_filter *f, const char *starting_after, int limit,
		  struct customer **out, int *n, int *has_more, struct err *e)
{
	char id[ID_MAX];
	int found, rc;

	*out = arena_alloc(a, (size_t)(limit + 1) * sizeof(**out));
	*n = *has_more = 0;
	if ((rc = filter_to_id(tx, a, shop, f, id, &found, e)))
		return rc;
	if (!found)
		return 0;
	struct store_stmt *st = id[0]
		? store_query(tx, e,
			"SELECT " CUSTOMER_COLUMNS " FROM customers WHERE shop_id = $1 AND id = $2"
			" AND status <> 'merged' AND ($3 IS NULL OR status = $3)"
			" AND ($4 IS NULL OR id < $4)",
			"ssss", shop, id, f->status, starting_after)
		: store_query(tx, e,
			"SELECT " CUSTOMER_COLUMNS " FROM customers WHERE shop_id = $1"
			" AND status <> 'merged' AND ($2 IS NULL OR status = $2)"
			" AND ($3 IS NULL OR id < $3) ORDER BY id DESC LIMIT $4",
			"sssi", shop, f->status, starting_after, (int64_t)limit + 1);
	if (!st)
		return e->kind;
	while ((rc = store_step(st, e)) == 1)
		row_to_customer(st, a, &(*out)[(*n)++]);
	store_done(st);
	if (rc < 0)
		return rc;
	*has_more = *n > limit;
	if (*has_more)
		*n = limit;
	for (int i = 0; i < *n; i++)
		if ((rc = load_details(tx, a, shop, &(*out)[i], e)))
			return rc;
	return 0;
}

int customer_merge(struct store_tx *tx, struct arena *a, const char *shop,
		   const char *target_ref, const char *source_ref, struct customer *out,
		   struct err *e)
{
	char target[ID_MAX], source[ID_MAX];
	struct customer t, s;
	int64_t now = clock_now_ms();
	int rc;

	if ((rc = customer_resolve(tx, shop, target_ref, "id", target, e)) ||
	    (rc = lookup_ref(tx, shop, source_ref, "source", source, e)))
		return rc;
	if ((rc = load_row(tx, a, shop, target, &t, e)) || (rc = load_row(tx, a, shop, source, &s, e)))
		return rc;
	if (!strcmp(s.status, "merged") && s.merged_into && !strcmp(s.merged_into, target))
		return customer_get(tx, a, shop, target, out, e);	/* already done: a retry */
	if (!strcmp(target, source))
		return err_setc(e, ERR_INVALID, "merge_into_self", "source",
				"cannot merge customer \"%s\" into itself", target);
	if (!strcmp(s.status, "merged") || !strcmp(s.status, "erased"))
		return err_setc(e, ERR_CONFLICT, "customer_inactive", "source",
				"customer \"%s\" is %s and cannot be merged", source, s.status);
	if (!strcmp(t.status, "erased"))
		return err_setc(e, ERR_CONFLICT, "customer_inactive", "id",
				"customer \"%s\" is erased and cannot receive a merge", target);
	if ((rc = ledger_merge_room(tx, shop, target, source, e)))
		return rc;

	static const char *const moves[] = {
		"UPDATE orders SET customer_id = $2 WHERE shop_id = $1 AND customer_id = $3",
		"UPDATE customer_identities SET customer_id = $2 WHERE shop_id = $1 AND customer_id = $3",
		"UPDATE customer_addresses SET customer_id = $2, position = position + 1000 +"
		" (SELECT coalesce(max(position), 0) FROM customer_addresses"
		"  WHERE shop_id = $1 AND customer_id = $2)"
		" WHERE shop_id = $1 AND customer_id = $3",
	};
	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++)
		if ((rc = store_exec(tx, e, moves[i], "sss", shop, target, source)) < 0)
			return rc;
	/* The target keeps its own details and takes the source's where it has none. */
	int to_account = !strcmp(s.status, "account") && !strcmp(t.status, "guest");
	rc = store_exec(tx, e,
		"UPDATE customers SET name = coalesce(name, $4), email = coalesce(email, $5),"
		" phone = coalesce(phone, $6), orders_count = orders_count + $7,"
		" status = CASE WHEN $8 = 1 THEN 'account' ELSE status END,"
		" account_created_at = CASE WHEN $8 = 1 THEN $9 ELSE account_created_at END,"
		" account_invite_due_at = CASE WHEN $8 = 1 OR status = 'account' THEN NULL"
		"   ELSE coalesce(account_invite_due_at, nullif($10, 0)) END,"
		" updated_at = $11 WHERE shop_id = $1 AND id = $2",
		"ssssssiiiii", shop, target, source, s.name, s.email, s.phone,
		s.orders_count, (int64_t)to_account, s.account_created_at,
		s.account_invite_due_at ? s.account_invite_due_at : (int64_t)0, now);
	if (rc < 0)
		return rc;
	rc = store_exec(tx, e,
		"UPDATE customers SET status = 'merged', merged_into = $2, orders_count = 0,"
		" updated_at = $4 WHERE shop_id = $1 AND id = $3", "sssi", shop, target, source, now);
	static const char *const move[] = {	/* what else is the customer's */
		"UPDATE tickets SET customer_id = $2 WHERE shop_id = $1 AND customer_id = $3",
		"UPDATE shipments SET customer_id = $2 WHERE shop_id = $1 AND customer_id = $3",
		"UPDATE surveys SET customer_id = $2 WHERE shop_id = $1 AND customer_id = $3",
	};
	for (size_t k = 0; rc >= 0 && k < sizeof(move) / sizeof(move[0]); k++)
		rc = store_exec(tx, e, move[k], "sss", shop, target, source);
	if (rc < 0 || (rc = ledger_merge(tx, shop, target, source, e)) ||
	    (rc = coupon_merge(tx, shop, target, source, e)) ||
	    (rc = treasure_merge(tx, shop, target, source, e)) ||
	    (rc = review_merge(tx, shop, target, source, e)) ||
	    (rc = activity_merge(tx, a, shop, target, source, e)) ||	/* issue 12 */
	    (rc = interest_merge(tx, shop, target, source, e)) ||
	    (rc = friend_merge(tx, shop, target, source, e)) ||
	    (rc = store_exec(tx, e, "UPDATE customers SET display_name = coalesce(display_name, $3)"
			     " WHERE shop_id = $1 AND id = $2", "sss", shop, target, s.display_name)) < 0 ||
	    (rc = event_record(tx, shop, "customer.merged", target, source, e)))
		return rc;
	return customer_get(tx, a, shop, target, out, e);
}

int customer_create_account(struct store_tx *tx, struct arena *a, const char *shop,
			    const char *ref, const char *email, struct customer *out,
			    struct err *e)
{
	struct customer_input in = { .account = 1 };
	const char *normalized = NULL;
	char id[ID_MAX];
	struct customer cur;
	int rc;

	if (email && (rc = normalize_email(a, email, "email", &normalized, e)))
		return rc;
	if ((rc = customer_resolve(tx, shop, ref, "id", id, e)) ||
	    (rc = load_row(tx, a, shop, id, &cur, e)))
		return rc;
	/* Without a primary e-mail the new one becomes it; otherwise it joins the
	 * identities (after apply_input() has refused an erased customer). */
	in.email = cur.email ? NULL : normalized;
	in.has_email = in.email != NULL;
	if ((rc = apply_input(tx, a, shop, &cur, &in, e)) ||
	    (normalized && cur.email &&
	     (rc = attach_identity(tx, shop, id, "email", normalized, "email", e))))
		return rc;
	return customer_get(tx, a, shop, id, out, e);
}

/* Appends to *ids every customer merged into ids[from..] (at any depth). */
static int merged_into_closure(struct store_tx *tx, struct arena *a, const char *shop,
			       char (**ids)[ID_MAX], int *n, struct err *e)
{
	int cap = *n;
	for (int i = 0; i < *n; i++) {
		char (*found)[32];
		int64_t *unused;
		int nfound, rc = store_query_pairs(tx, e, a, &found, &unused, &nfound,
			"SELECT id, 0 FROM customers WHERE shop_id = $1 AND merged_into = $2"
			" ORDER BY id", "ss", shop, (*ids)[i]);
		if (rc)
			return rc;
		if (*n + nfound > cap) {
			cap = (*n + nfound) * 2;
			char (*more)[ID_MAX] = arena_alloc(a, (size_t)cap * sizeof(*more));
			memcpy(more, *ids, (size_t)*n * sizeof(*more));
			*ids = more;
		}
		for (int k = 0; k < nfound; k++)
			snprintf((*ids)[(*n)++], ID_MAX, "%s", found[k]);
	}
	return 0;
}

static void external_digest(const char *shop, const char *external_id,
			    char out[SECURE_SHA256_HEX])
{
	char text[400];
	int n = snprintf(text, sizeof(text), "%s\n%s", shop, external_id);
	secure_sha256_hex(text, (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1, out);
}

/* The erased customer's external id, kept as a digest only (migration 020). */
static int remember_external_id(struct store_tx *tx, const char *shop, const char *id, int64_t now,
				struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT external_id FROM customers WHERE"
					    " shop_id = $1 AND id = $2 AND external_id IS NOT NULL", "ss",
					    shop, id);
	if (!st)
		return e->kind;
	char digest[SECURE_SHA256_HEX] = "";
	int rc = store_step(st, e);
	if (rc == 1)
		external_digest(shop, store_text(st, 0), digest);
	store_done(st);
	if (rc <= 0)
		return rc;
	rc = store_exec(tx, e, "INSERT INTO erased_external_ids (shop_id, digest, erased_at)"
			" VALUES ($1, $2, $3) ON CONFLICT (shop_id, digest) DO NOTHING", "ssi", shop,
			digest, now);
	return rc < 0 ? rc : 0;
}

int customer_external_id_erased(struct store_tx *tx, const char *shop, const char *external_id,
				int *erased, struct err *e)
{
	char digest[SECURE_SHA256_HEX];
	int64_t n = 0;
	*erased = 0;
	if (!external_id)
		return 0;
	external_digest(shop, external_id, digest);
	int rc = store_query_int(tx, e, &n, "SELECT count(*) FROM erased_external_ids WHERE"
				 " shop_id = $1 AND digest = $2", "ss", shop, digest);
	*erased = !rc && n > 0;
	return rc;
}

int customer_erase(struct store_tx *tx, struct arena *a, const char *shop, const char *ref,
		   struct customer *out, char (**erased)[ID_MAX], int *nerased,
		   struct err *e)
{
	static const char *const erase[] = {
		"DELETE FROM customer_identities WHERE shop_id = $1 AND customer_id = $2",
		"DELETE FROM customer_addresses WHERE shop_id = $1 AND customer_id = $2",
		/* A merged customer keeps its status and merged_into (its id still
		 * resolves), and loses its personal data like the survivor. */
		"UPDATE customers SET name = NULL, email = NULL, phone = NULL, external_id = NULL,"
		" status = CASE WHEN status = 'merged' THEN status ELSE 'erased' END,"
		" account_invite_due_at = NULL, updated_at = $3"
		" WHERE shop_id = $1 AND id = $2 AND (status NOT IN ('erased', 'merged') OR name IS NOT NULL"
		" OR email IS NOT NULL OR phone IS NOT NULL OR external_id IS NOT NULL)",
		/* Survey answers keep their scores for the reports, not their words. */
		"UPDATE surveys SET comment = NULL, suggestion = NULL WHERE shop_id = $1 AND customer_id = $2"
		" AND (comment IS NOT NULL OR suggestion IS NOT NULL)",
		/* Support conversations are the customer's words (and the agents'
		 * about them): the tickets stay for the service figures, blank. */
		"UPDATE ticket_messages SET body = '' WHERE shop_id = $1 AND body <> '' AND ticket_id IN"
		" (SELECT id FROM tickets WHERE shop_id = $1 AND customer_id = $2)",
		"UPDATE tickets SET subject = '' WHERE shop_id = $1 AND customer_id = $2 AND subject <> ''",
		/* Issue 12: the profile goes (interests and friendships below). */
		"UPDATE customers SET display_name = NULL, marketing_consent = 0,"
		" marketing_consent_at = NULL WHERE shop_id = $1 AND id = $2 AND (display_name IS NOT NULL"
		" OR marketing_consent <> 0 OR marketing_consent_at IS NOT NULL)",
		/* Issue 13: e-mails keep their state for the counts, not the
		 * address or the words; a queued one is never sent. */
		"UPDATE email_messages SET recipient = NULL, subject = NULL, text_body = NULL,"
		" html_body = NULL, last_error = NULL,"
		" reason = CASE WHEN state = 'queued' THEN 'erased' ELSE reason END,"
		" state = CASE WHEN state = 'queued' THEN 'skipped' ELSE state END"
		" WHERE shop_id = $1 AND customer_id = $2 AND (recipient IS NOT NULL OR subject IS NOT NULL"
		" OR text_body IS NOT NULL OR html_body IS NOT NULL OR state = 'queued')",
	};
	int64_t now = clock_now_ms();
	int rc, changed = 0;

	*nerased = 1;
	*erased = arena_alloc(a, sizeof(**erased));
	if ((rc = customer_resolve(tx, shop, ref, "id", (*erased)[0], e)) ||
	    (rc = merged_into_closure(tx, a, shop, erased, nerased, e)))
		return rc;
	for (int i = 0; i < *nerased; i++)
		if ((rc = remember_external_id(tx, shop, (*erased)[i], now, e)))
			return rc;
	for (int i = 0; i < *nerased; i++)
		for (size_t k = 0; k < sizeof(erase) / sizeof(erase[0]); k++) {
			rc = store_exec(tx, e, erase[k], k == 2 ? "ssi" : "ss", shop, (*erased)[i], now);
			if (rc < 0)
				return rc;
			if (i == 0 && k == 2)
				changed = rc > 0;
		}
	/* Issue 12: reviews keep their stars, not their words or their author. */
	for (int i = 0; i < *nerased; i++)
		if ((rc = review_erase_customer(tx, shop, (*erased)[i], e)))
			return rc;
	/* Issue 12: searches and views are personal data; the search links go
	 * out of the shop's counts with them. */
	for (int i = 0; i < *nerased; i++)
		if ((rc = activity_erase(tx, a, shop, (*erased)[i], e)))
			return rc;
	for (int i = 0; i < *nerased; i++)
		if ((rc = interest_erase(tx, shop, (*erased)[i], e)) ||
		    (rc = friend_erase(tx, shop, (*erased)[i], e)))
			return rc;
	/* Issue 14: the dashboard's cached reports (analytics/report_cache.h)
	 * hold the customers' scores by id; the shop's go, to be recomputed. */
	if ((rc = store_exec(tx, e, "DELETE FROM report_cache WHERE shop_id = $1", "s", shop)) < 0)
		return rc;
	if (changed && (rc = event_record(tx, shop, "customer.erased", (*erased)[0], NULL, e)))
		return rc;
	return customer_get(tx, a, shop, (*erased)[0], out, e);
}

/* Reads the row, then updates it: an UPDATE ... RETURNING costs SQLite a
 * temporary table per statement, more than the read (bench/README.md). */
int customer_count_order(struct store_tx *tx, const char *shop, const char *id,
			 struct err *e)
{
	struct store_stmt *st = store_query(tx, e,
		"SELECT orders_count, status FROM customers WHERE shop_id = $1 AND id = $2",
		"ss", shop, id);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	int first_guest_order = rc == 1 && store_int(st, 0) == 0 &&
				!strcmp(store_text(st, 1), "guest");
	store_done(st);
	if (rc <= 0)
		return rc;
	return customer_count_order_as(tx, shop, id, first_guest_order, e);
}

int customer_count_order_as(struct store_tx *tx, const char *shop, const char *id,
			    int first_guest_order, struct err *e)
{
	if (first_guest_order < 0)
		return customer_count_order(tx, shop, id, e);
	/* The invite is due after a guest's first order, never before. */
	int rc = store_exec(tx, e,
		"UPDATE customers SET orders_count = orders_count + 1, updated_at = $3,"
		" account_invite_due_at = CASE WHEN status = 'guest' AND orders_count = 0"
		"   AND account_invite_due_at IS NULL THEN $3 ELSE account_invite_due_at END"
		" WHERE shop_id = $1 AND id = $2",
		"ssi", shop, id, clock_now_ms());
	if (rc < 0)
		return rc;
	if (first_guest_order)
		return event_record(tx, shop, "customer.account_invite_due", id, NULL, e);
	return 0;
}
