/* interest.c: see interest.h. */
#include "interest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/clock.h"
#include "event.h"

const char *const interest_visibilities[] = { "everyone", "friends", "only_me", NULL };

static int visibility_of(const char *v)
{
	for (int i = 0; v && interest_visibilities[i]; i++)
		if (!strcmp(interest_visibilities[i], v))
			return i;
	return -1;
}

static int check_key(const char *key, const char *param, struct err *e)
{
	size_t n = key ? strlen(key) : 0;
	if (n == 0 || n > INTEREST_KEY_MAX || strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_-") != n)
		return err_set(e, ERR_INVALID, param, "an interest key is 1 to %d of a-z, 0-9, \"_\""
			       " and \"-\", not \"%s\"", INTEREST_KEY_MAX, key ? key : "");
	return 0;
}

static int check_line(const char *v, size_t max, const char *param, struct err *e)
{
	size_t n = v ? strlen(v) : 0;
	if (n == 0 || n > max || v[strspn(v, " \t")] == '\0')
		return err_set(e, ERR_INVALID, param, "\"%s\" is 1 to %zu bytes, not only spaces",
			       param, max);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < ' ' || *p == 0x7f)
			return err_set(e, ERR_INVALID, param, "\"%s\" is one line without control"
				       " characters", param);
	return 0;
}

static int check_catalogue(const struct interest_catalogue_input *in, struct err *e)
{
	char param[64];
	int rc;
	if (in->n > INTEREST_CATALOGUE_MAX)
		return err_set(e, ERR_INVALID, "interests", "a catalogue holds at most %d interests",
			       INTEREST_CATALOGUE_MAX);
	for (int i = 0; i < in->n; i++) {
		const struct interest *t = &in->interests[i];
		snprintf(param, sizeof(param), "interests[%d].key", i);
		if ((rc = check_key(t->key, param, e)))
			return rc;
		for (int j = 0; j < i; j++)
			if (!strcmp(in->interests[j].key, t->key))
				return err_set(e, ERR_INVALID, param, "interest \"%s\" is listed twice",
					       t->key);
		snprintf(param, sizeof(param), "interests[%d].name", i);
		if ((rc = check_line(t->name, INTEREST_NAME_MAX, param, e)))
			return rc;
		snprintf(param, sizeof(param), "interests[%d].skus", i);
		if (t->nskus > INTEREST_SKUS_MAX)
			return err_set(e, ERR_INVALID, param, "at most %d SKUs per interest",
				       INTEREST_SKUS_MAX);
		for (int k = 0; k < t->nskus; k++) {
			snprintf(param, sizeof(param), "interests[%d].skus[%d]", i, k);
			if ((rc = check_line(t->skus[k], INTEREST_SKU_MAX, param, e)))
				return rc;
			for (int j = 0; j < k; j++)
				if (!strcmp(t->skus[j], t->skus[k]))
					return err_set(e, ERR_INVALID, param, "sku \"%s\" is listed twice",
						       t->skus[k]);
		}
	}
	return 0;
}

static int listed(const struct interest_catalogue_input *in, const char *key)
{
	for (int i = 0; i < in->n; i++)
		if (!strcmp(in->interests[i].key, key))
			return 1;
	return 0;
}

static int compare_strings(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int put_one(struct store_tx *tx, const char *shop, const struct interest *t, int position,
		   int64_t now, struct err *e)
{
	int rc = store_exec(tx, e, "INSERT INTO interests (shop_id, interest_key, name, position,"
		" retired_at, created_at, updated_at) VALUES ($1, $2, $3, $4, NULL, $5, $5)"
		" ON CONFLICT (shop_id, interest_key) DO UPDATE SET name = excluded.name,"
		" position = excluded.position, retired_at = NULL, updated_at = excluded.updated_at",
		"sssii", shop, t->key, t->name, (int64_t)position, now);
	if (rc < 0 || (rc = store_exec(tx, e, "DELETE FROM interest_skus WHERE shop_id = $1 AND"
				       " interest_key = $2", "ss", shop, t->key)) < 0)
		return rc;
	for (int k = 0; k < t->nskus; k++)
		if ((rc = store_exec(tx, e, "INSERT INTO interest_skus (shop_id, interest_key, sku)"
				     " VALUES ($1, $2, $3)", "sss", shop, t->key, t->skus[k])) < 0)
			return rc;
	return 0;
}

int interest_put_catalogue(struct store_tx *tx, struct arena *a, const char *shop,
			   const struct interest_catalogue_input *in, const char ***retired,
			   int *nretired, struct err *e)
{
	int64_t now = clock_now_ms(), *holders;
	int n, rc;
	*nretired = 0;
	*retired = NULL;
	if ((rc = check_catalogue(in, e)))
		return rc;
	int64_t count;
	if ((rc = store_query_int(tx, e, &count, "SELECT count(*) FROM interests WHERE shop_id = $1",
				  "s", shop)))
		return rc;
	/* Keys are up to 50 bytes: read here, not with store_query_pairs(). */
	struct store_stmt *st = store_query(tx, e, "SELECT i.interest_key, (SELECT count(*) FROM"
		" customer_interests c WHERE c.shop_id = i.shop_id AND c.interest_key = i.interest_key)"
		" FROM interests i WHERE i.shop_id = $1 ORDER BY i.interest_key", "s", shop);
	if (!st)
		return e->kind;
	const char **keys = arena_alloc(a, (size_t)(count + 1) * sizeof(*keys));
	holders = arena_alloc(a, (size_t)(count + 1) * sizeof(*holders));
	n = 0;
	while (n < count && (rc = store_step(st, e)) == 1) {
		keys[n] = arena_strdup(a, store_text(st, 0));
		holders[n++] = store_int(st, 1);
	}
	store_done(st);
	if (rc < 0)
		return rc;
	*retired = arena_alloc(a, (size_t)(n + 1) * sizeof(**retired));
	for (int i = 0; i < n; i++) {
		if (listed(in, keys[i]))
			continue;
		if (holders[i] > 0) {
			rc = store_exec(tx, e, "UPDATE interests SET retired_at = coalesce(retired_at, $3),"
					" updated_at = $3 WHERE shop_id = $1 AND interest_key = $2",
					"ssi", shop, keys[i], now);
			(*retired)[(*nretired)++] = keys[i];
		} else {
			rc = store_exec(tx, e, "DELETE FROM interests WHERE shop_id = $1 AND"
					" interest_key = $2", "ss", shop, keys[i]);
		}
		if (rc < 0 || (rc = store_exec(tx, e, "DELETE FROM interest_skus WHERE shop_id = $1"
					       " AND interest_key = $2", "ss", shop, keys[i])) < 0)
			return rc;
	}
	for (int i = 0; i < in->n; i++)
		if ((rc = put_one(tx, shop, &in->interests[i], i, now, e)))
			return rc;
	qsort(*retired, (size_t)*nretired, sizeof(**retired), compare_strings);
	return event_record(tx, shop, "interests.catalogue_updated", shop, NULL, e);
}

static int load_skus(struct store_tx *tx, struct arena *a, const char *shop, const char *key,
		     const char ***skus, int *n, struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT sku FROM interest_skus WHERE shop_id = $1"
					    " AND interest_key = $2 ORDER BY sku LIMIT $3", "ssi", shop,
					    key, (int64_t)INTEREST_SKUS_MAX);
	int rc;
	if (!st)
		return e->kind;
	*skus = arena_alloc(a, (INTEREST_SKUS_MAX + 1) * sizeof(**skus));
	*n = 0;
	while ((rc = store_step(st, e)) == 1)
		(*skus)[(*n)++] = arena_strdup(a, store_text(st, 0));
	store_done(st);
	return rc < 0 ? rc : 0;
}

int interest_get_catalogue(struct store_tx *tx, struct arena *a, const char *shop,
			   struct interest **out, int *n, int64_t *updated_at, struct err *e)
{
	int64_t count;
	int rc = store_query_int(tx, e, &count, "SELECT count(*) FROM interests WHERE shop_id = $1",
				 "s", shop);
	if (rc)
		return rc;
	struct store_stmt *st = store_query(tx, e, "SELECT interest_key, name, coalesce(retired_at, 0),"
		" updated_at FROM interests WHERE shop_id = $1 ORDER BY CASE WHEN retired_at IS NULL"
		" THEN 0 ELSE 1 END, position, interest_key", "s", shop);
	if (!st)
		return e->kind;
	*out = arena_alloc(a, (size_t)(count + 1) * sizeof(**out));
	*n = 0;
	*updated_at = 0;
	while (*n < count && (rc = store_step(st, e)) == 1) {
		struct interest *t = &(*out)[(*n)++];
		t->key = arena_strdup(a, store_text(st, 0));
		t->name = arena_strdup(a, store_text(st, 1));
		t->retired_at = store_int(st, 2);
		if (store_int(st, 3) > *updated_at)
			*updated_at = store_int(st, 3);
	}
	store_done(st);
	for (int i = 0; rc >= 0 && i < *n; i++)
		rc = load_skus(tx, a, shop, (*out)[i].key, &(*out)[i].skus, &(*out)[i].nskus, e);
	return rc < 0 ? rc : 0;
}

/* 0 when customer is active (neither erased nor merged); *consent its
 * marketing consent. An unknown customer: ERR_NOT_FOUND. */
static int active_customer(struct store_tx *tx, const char *shop, const char *customer,
			   int *consent, struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT status, marketing_consent FROM customers"
					    " WHERE shop_id = $1 AND id = $2", "ss", shop, customer);
	if (!st)
		return e->kind;
	int rc = store_step(st, e), inactive = 0;
	char status[16] = "";
	if (rc == 1) {
		snprintf(status, sizeof(status), "%s", store_text(st, 0));
		inactive = !strcmp(status, "erased") || !strcmp(status, "merged");
		*consent = (int)store_int(st, 1);
	}
	store_done(st);
	if (rc == 0)
		return err_set(e, ERR_NOT_FOUND, "id", "no customer \"%s\"", customer);
	if (rc < 0)
		return rc;
	if (inactive)
		return err_setc(e, ERR_CONFLICT, "customer_inactive", "id", "customer \"%s\" is %s and"
				" cannot be changed", customer, status);
	return 0;
}

/* *state: 0 no such interest, 1 in the catalogue, 2 retired. */
static int catalogue_state(struct store_tx *tx, const char *shop, const char *key, int *state,
			   struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT retired_at IS NULL FROM interests WHERE"
					    " shop_id = $1 AND interest_key = $2", "ss", shop, key);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	*state = rc == 1 ? (store_int(st, 0) ? 1 : 2) : 0;
	store_done(st);
	return rc < 0 ? rc : 0;
}

static int check_choice(struct store_tx *tx, const char *shop, const char *customer,
			const struct interest_choice *choices, int i, struct err *e)
{
	const struct interest_choice *c = &choices[i];
	char param[64];
	int state, rc;
	int64_t held;
	snprintf(param, sizeof(param), "interests[%d].interest", i);
	if (!c->interest || !*c->interest)
		return err_setc(e, ERR_INVALID, "parameter_missing", param, "\"%s\" is required", param);
	for (int j = 0; j < i; j++)
		if (!strcmp(choices[j].interest, c->interest))
			return err_set(e, ERR_INVALID, param, "interest \"%s\" is listed twice",
				       c->interest);
	if ((rc = catalogue_state(tx, shop, c->interest, &state, e)))
		return rc;
	if (state == 2 && (rc = store_query_int(tx, e, &held, "SELECT count(*) FROM customer_interests"
			   " WHERE shop_id = $1 AND customer_id = $2 AND interest_key = $3", "sss",
			   shop, customer, c->interest)))
		return rc;
	if (state == 0 || (state == 2 && !held))
		return err_setc(e, ERR_INVALID, "interest_unknown", param, "no interest \"%s\" in the"
				" shop's catalogue%s", c->interest, state ? " (it was retired)" : "");
	snprintf(param, sizeof(param), "interests[%d].visibility", i);
	if (visibility_of(c->visibility) < 0)
		return err_setc(e, ERR_INVALID, "visibility_unknown", param, "visibility \"%s\" is"
				" not everyone, friends or only_me", c->visibility ? c->visibility : "");
	return 0;
}

int interest_put_customer(struct store_tx *tx, struct arena *a, const char *shop,
			  const char *customer, const struct interest_choice *choices, int n,
			  struct err *e)
{
	int64_t now = clock_now_ms();
	int consent, rc;
	if (n > INTEREST_CUSTOMER_MAX)
		return err_set(e, ERR_INVALID, "interests", "a customer holds at most %d interests",
			       INTEREST_CUSTOMER_MAX);
	if ((rc = active_customer(tx, shop, customer, &consent, e)))
		return rc;
	for (int i = 0; i < n; i++)
		if ((rc = check_choice(tx, shop, customer, choices, i, e)))
			return rc;
	if ((rc = store_exec(tx, e, "DELETE FROM customer_interests WHERE shop_id = $1 AND"
			     " customer_id = $2", "ss", shop, customer)) < 0)
		return rc;
	for (int i = 0; i < n; i++)
		if ((rc = store_exec(tx, e, "INSERT INTO customer_interests (shop_id, customer_id,"
				     " interest_key, visibility, position, created_at) VALUES ($1, $2,"
				     " $3, $4, $5, $6)", "ssssii", shop, customer, choices[i].interest,
				     choices[i].visibility, (int64_t)i, now)) < 0)
			return rc;
	return event_record(tx, shop, "customer.interests_updated", customer, NULL, e);
}

int interest_visible(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		     enum profile_viewer viewer, struct interest_seen **out, int *n, struct err *e)
{
	/* A merge may leave more than INTEREST_CUSTOMER_MAX (a union): count. */
	int64_t consent = 0, count;
	int rc = store_query_int(tx, e, &consent, "SELECT marketing_consent FROM customers WHERE"
				 " shop_id = $1 AND id = $2", "ss", shop, customer);
	if (rc || (rc = store_query_int(tx, e, &count, "SELECT count(*) FROM customer_interests"
					" WHERE shop_id = $1 AND customer_id = $2", "ss", shop, customer)))
		return rc;
	struct store_stmt *st = store_query(tx, e, "SELECT c.interest_key, c.visibility, i.name,"
		" i.retired_at IS NOT NULL FROM customer_interests c JOIN interests i ON"
		" i.shop_id = c.shop_id AND i.interest_key = c.interest_key WHERE c.shop_id = $1 AND"
		" c.customer_id = $2 ORDER BY c.position, c.interest_key", "ss", shop, customer);
	if (!st)
		return e->kind;
	*out = arena_alloc(a, (size_t)(count + 1) * sizeof(**out));
	*n = 0;
	while (*n < count && (rc = store_step(st, e)) == 1) {
		int v = visibility_of(store_text(st, 1));
		if (v < 0 || !profile_viewer_sees(viewer, (enum interest_visibility)v, (int)consent))
			continue;
		struct interest_seen *s = &(*out)[(*n)++];
		s->key = arena_strdup(a, store_text(st, 0));
		s->visibility = (enum interest_visibility)v;
		s->name = arena_strdup(a, store_text(st, 2));
		s->retired = (int)store_int(st, 3);
	}
	store_done(st);
	for (int i = 0; rc >= 0 && i < *n; i++)
		rc = load_skus(tx, a, shop, (*out)[i].key, &(*out)[i].skus, &(*out)[i].nskus, e);
	return rc < 0 ? rc : 0;
}

static int compare_ids(const void *x, const void *y)
{
	return strcmp(x, y);
}

int interest_targets(struct store_tx *tx, struct arena *a, const char *shop, const char *key,
		     const char *param, char (**ids)[ID_MAX], int *n, struct err *e)
{
	int state, rc, cap = 64;
	if ((rc = check_key(key, param, e)) || (rc = catalogue_state(tx, shop, key, &state, e)))
		return rc;
	if (!state)
		return err_setc(e, ERR_INVALID, "interest_unknown", param, "no interest \"%s\" in the"
				" shop's catalogue", key);
	struct store_stmt *st = store_query(tx, e, "SELECT c.customer_id, c.visibility,"
		" u.marketing_consent FROM customer_interests c JOIN customers u ON u.shop_id ="
		" c.shop_id AND u.id = c.customer_id WHERE c.shop_id = $1 AND c.interest_key = $2"
		" AND u.status NOT IN ('erased', 'merged') ORDER BY c.customer_id", "ss", shop, key);
	if (!st)
		return e->kind;
	*ids = arena_alloc(a, (size_t)cap * sizeof(**ids));
	*n = 0;
	while ((rc = store_step(st, e)) == 1) {
		int v = visibility_of(store_text(st, 1));
		if (v < 0 || !profile_viewer_sees(PROFILE_VIEWER_SHOP, (enum interest_visibility)v,
						  (int)store_int(st, 2)))
			continue;
		if (*n == cap) {
			char (*more)[ID_MAX] = arena_alloc(a, (size_t)cap * 2 * sizeof(*more));
			memcpy(more, *ids, (size_t)cap * sizeof(*more));
			*ids = more;
			cap *= 2;
		}
		snprintf((*ids)[(*n)++], ID_MAX, "%s", store_text(st, 0));
	}
	store_done(st);
	/* by strcmp, whatever the database's collation */
	qsort(*ids, (size_t)*n, sizeof(**ids), compare_ids);
	return rc < 0 ? rc : 0;
}

int interest_erase(struct store_tx *tx, const char *shop, const char *customer, struct err *e)
{
	int rc = store_exec(tx, e, "DELETE FROM customer_interests WHERE shop_id = $1 AND"
			    " customer_id = $2", "ss", shop, customer);
	return rc < 0 ? rc : 0;
}

int interest_merge(struct store_tx *tx, const char *shop, const char *target, const char *source,
		   struct err *e)
{
	struct arena a = ARENA_INIT;
	int64_t top, count;
	int n, rc = store_query_int(tx, e, &count, "SELECT count(*) FROM customer_interests WHERE"
				    " shop_id = $1 AND customer_id = $2", "ss", shop, source);
	if (rc)
		return rc;
	struct store_stmt *st = store_query(tx, e, "SELECT interest_key, visibility FROM"
		" customer_interests WHERE shop_id = $1 AND customer_id = $2 ORDER BY position", "ss",
		shop, source);
	if (!st)
		return e->kind;
	const char **k = arena_alloc(&a, (size_t)(count + 1) * sizeof(*k));
	int *vis = arena_alloc(&a, (size_t)(count + 1) * sizeof(*vis));
	n = 0;
	while (n < count && (rc = store_step(st, e)) == 1) {
		k[n] = arena_strdup(&a, store_text(st, 0));
		vis[n++] = visibility_of(store_text(st, 1));
	}
	store_done(st);
	if (rc < 0 || (rc = store_query_int(tx, e, &top, "SELECT coalesce(max(position), -1) FROM"
					    " customer_interests WHERE shop_id = $1 AND customer_id = $2",
					    "ss", shop, target)))
		goto out;
	for (int i = 0; rc >= 0 && i < n; i++) {
		int64_t has;
		if ((rc = store_query_int(tx, e, &has, "SELECT count(*) FROM customer_interests WHERE"
					  " shop_id = $1 AND customer_id = $2 AND interest_key = $3",
					  "sss", shop, target, k[i])))
			break;
		if (!has) {
			rc = store_exec(tx, e, "UPDATE customer_interests SET customer_id = $2,"
					" position = $4 WHERE shop_id = $1 AND customer_id = $3 AND"
					" interest_key = $5", "sssis", shop, target, source, top + 1 + i, k[i]);
			continue;
		}
		/* Both hold it: the stricter visibility of the two stays. */
		rc = store_exec(tx, e, "UPDATE customer_interests SET visibility = CASE"
				" WHEN visibility = 'only_me' OR $4 = 'only_me' THEN 'only_me'"
				" WHEN visibility = 'friends' OR $4 = 'friends' THEN 'friends'"
				" ELSE 'everyone' END WHERE shop_id = $1 AND customer_id = $2 AND"
				" interest_key = $3", "ssss", shop, target, k[i],
				vis[i] >= 0 ? interest_visibilities[vis[i]] : "only_me");
	}
	if (rc >= 0)
		rc = store_exec(tx, e, "DELETE FROM customer_interests WHERE shop_id = $1 AND"
				" customer_id = $2", "ss", shop, source);
out:
	arena_free(&a);
	return rc < 0 ? rc : 0;
}
