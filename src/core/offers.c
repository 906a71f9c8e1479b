/* offers.c: see offers.h. */
#include "offers.h"

#include <stdio.h>
#include <string.h>

#include "../analytics/measures.h"
#include "../base/clock.h"
#include "../base/ids.h"
#include "customer.h"
#include "event.h"
#include "interest.h"
#include "ledger.h"


static int find_grant(struct store_tx *tx, struct arena *a, const char *shop, const char *campaign,
		      const char *customer, const char *cause, struct offer_grant *out, int *found,
		      struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT id, code, points, created_at FROM"
		" offer_grants WHERE shop_id = $1 AND campaign_id = $2 AND customer_id = $3"
		" AND cause = $4", "ssss", shop, campaign, customer, cause);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	*found = rc == 1;
	if (rc == 1) {
		snprintf(out->id, sizeof(out->id), "%s", store_text(st, 0));
		out->code = store_text(st, 1) ? arena_strdup(a, store_text(st, 1)) : NULL;
		out->points = store_int(st, 2);
		out->created_at = store_int(st, 3);
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

int offers_grant(struct store_tx *tx, struct arena *a, const char *shop,
		 const struct campaign *c, const char *customer, const char *cause,
		 int64_t valid_from, struct offer_grant *out, struct err *e)
{
	char code[COUPON_CODE_MAX + 1] = "";
	int64_t now = clock_now_ms();
	int found, rc;
	memset(out, 0, sizeof(*out));
	out->campaign_id = c->id;
	out->customer_id = customer;
	out->cause = cause;
	if ((rc = find_grant(tx, a, shop, c->id, customer, cause, out, &found, e)) || found)
		return rc;
	if (c->discount_kind) {
		int64_t from = valid_from ? valid_from : now;
		int64_t until = c->validity_days ? from + c->validity_days * DAY_MS : c->ends_at;
		if (c->ends_at && until > c->ends_at)
			until = c->ends_at;
		if ((rc = coupon_issue(tx, shop, c, customer, c->type, valid_from, until, code, e)))
			return rc;
		out->code = arena_strdup(a, code);
	}
	if (c->points) {
		char note[200];
		snprintf(note, sizeof(note), "campaign \"%s\" (%s)", c->id, cause);
		if ((rc = ledger_credit_offer(tx, shop, customer, c->points, c->type, note, e)))
			return rc;
		out->points = c->points;
	}
	id_new(out->id, "ofr_", now);
	out->created_at = now;
	out->created = 1;
	rc = store_exec(tx, e, "INSERT INTO offer_grants (shop_id, campaign_id, customer_id, cause, id,"
			" code, points, created_at) VALUES ($1, $2, $3, $4, $5, nullif($6, ''), $7, $8)",
			"ssssssii", shop, c->id, customer, cause, out->id, code, out->points, now);
	if (rc < 0)
		return rc;
	return event_record(tx, shop, "offer.issued", out->id, customer, e);
}

/* Whether c is open now (active, within its window, targeting the customer). */
static int open_for(struct store_tx *tx, struct arena *a, const char *shop,
		    const struct campaign *c, const char *customer, int *open, struct err *e)
{
	int64_t from, now = clock_now_ms();
	int targeted;
	*open = 0;
	if (strcmp(c->status, "active") || (c->ends_at && now >= c->ends_at))
		return 0;
	int rc = campaign_opens_for(tx, a, shop, c, customer, &from, &targeted, e);
	*open = !rc && targeted && now >= from;
	return rc;
}

/* Every open campaign of type gives customer its offer for cause. */
static int give_all(struct store_tx *tx, const char *shop, const char *type, const char *customer,
		    const char *cause, const char *trigger, int64_t valid_from, int *given,
		    struct err *e)
{
	struct arena a = ARENA_INIT;
	struct campaign *list;
	int n, rc = campaign_active_of_type(tx, &a, shop, type, &list, &n, e);
	if (given)
		*given = 0;
	for (int i = 0; !rc && i < n; i++) {
		struct offer_grant g;
		int open;
		if (trigger && !campaign_list_has(&list[i].triggers, trigger))
			continue;
		if (!strcmp(type, "welcome") && strcmp(list[i].issue_on, cause))
			continue;
		if ((rc = open_for(tx, &a, shop, &list[i], customer, &open, e)) || !open)
			continue;
		if (!(rc = offers_grant(tx, &a, shop, &list[i], customer, cause, valid_from, &g, e)) &&
		    given && g.created)
			(*given)++;
	}
	arena_free(&a);
	return rc;
}

int offers_trigger(struct store_tx *tx, const char *shop, const char *customer,
		   const char *trigger, const char *cause, int *given, struct err *e)
{
	if (!trigger || !campaign_in(campaign_triggers, trigger))
		return err_set(e, ERR_INVALID, "trigger", "unknown trigger \"%s\" (late_delivery,"
			       " payment_failed, ticket_sla_breached, negative_review, at_risk)",
			       trigger ? trigger : "");
	if (!cause || !*cause || strlen(cause) > 200)
		return err_set(e, ERR_INVALID, "cause", "a trigger's \"cause\" is 1 to 200 characters");
	char key[260];
	snprintf(key, sizeof(key), "%s:%s", trigger, cause);
	return give_all(tx, shop, "apology", customer, key, trigger, 0, given, e);
}

int offers_on_signup(struct store_tx *tx, const char *shop, const char *customer, struct err *e)
{
	return give_all(tx, shop, "welcome", customer, "signup", NULL, 0, NULL, e);
}

int offers_on_account_created(struct store_tx *tx, const char *shop, const char *customer,
			      struct err *e)
{
	return give_all(tx, shop, "welcome", customer, "account_created", NULL, 0, NULL, e);
}

int offers_on_order_paid(struct store_tx *tx, const char *shop, const char *customer,
			 const char *order_id, struct err *e)
{
	struct arena a = ARENA_INIT;
	struct campaign *list;
	int64_t paid = 0;
	int n, rc = campaign_active_of_type(tx, &a, shop, "next_purchase", &list, &n, e);
	/* Most shops have none: ask about the customer's orders only then. */
	if (!rc && n)
		rc = store_query_int(tx, e, &paid, "SELECT count(*) FROM orders WHERE shop_id = $1"
				     " AND customer_id = $2 AND paid_amount > 0", "ss", shop, customer);
	if (paid != 1)
		n = 0;
	for (int i = 0; !rc && i < n; i++) {
		struct offer_grant g;
		int open;
		if ((rc = open_for(tx, &a, shop, &list[i], customer, &open, e)) || !open)
			continue;
		int64_t from = list[i].delay_days ? clock_now_ms() + list[i].delay_days * DAY_MS : 0;
		rc = offers_grant(tx, &a, shop, &list[i], customer, "next_purchase", from, &g, e);
	}
	arena_free(&a);
	return rc;
}

/* Issue 12: with interest set, only the customers the shop may target by
 * it (interest_targets(): everyone, or friends with marketing consent) are
 * issued; the others count in *not_targeted. */
struct issue_audience {
	const char *interest;
	char (*ids)[ID_MAX];	/* interest_targets(), by id */
	int n;
	int64_t not_targeted;
};

static int targeted(const struct issue_audience *t, const char *customer)
{
	int lo = 0, hi = t->n - 1;
	if (!t->interest)
		return 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2, c = strcmp(t->ids[mid], customer);
		if (!c)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return 0;
}

static int issue_one(struct store_tx *tx, struct arena *a, const char *shop,
		     const struct campaign *c, const char *customer, struct issue_audience *t,
		     int64_t *issued, int64_t *existing, struct err *e)
{
	struct offer_grant g;
	if (!targeted(t, customer)) {
		t->not_targeted++;
		return 0;
	}
	int rc = offers_grant(tx, a, shop, c, customer, "personal", 0, &g, e);
	if (!rc)
		(*(g.created ? issued : existing))++;
	return rc;
}

int offers_issue(struct store_tx *tx, struct arena *a, const char *shop, const char *campaign_id,
		 const char *const *customers, int ncustomers, const char *segment,
		 int64_t *issued, int64_t *existing, struct err *e)
{
	int64_t not_targeted;
	return offers_issue_by_interest(tx, a, shop, campaign_id, customers, ncustomers, segment,
					NULL, issued, existing, &not_targeted, e);
}

int offers_issue_by_interest(struct store_tx *tx, struct arena *a, const char *shop,
			     const char *campaign_id, const char *const *customers, int ncustomers,
			     const char *segment, const char *interest, int64_t *issued,
			     int64_t *existing, int64_t *not_targeted, struct err *e)
{
	struct issue_audience t = { .interest = interest };
	struct campaign c;
	int rc;
	*issued = *existing = *not_targeted = 0;
	if ((rc = campaign_get(tx, a, shop, campaign_id, &c, e)))
		return rc;
	if (strcmp(c.type, "personal"))
		return err_setc(e, ERR_REFUSED, "campaign_type_mismatch", "id", "only a personal campaign"
				" is issued to customers; campaign \"%s\" is %s", c.id, c.type);
	if (strcmp(c.status, "active") || (c.ends_at && clock_now_ms() >= c.ends_at))
		return err_setc(e, ERR_CONFLICT, "campaign_not_active", "id", "campaign \"%s\" is not"
				" active now", c.id);
	if (interest && (rc = interest_targets(tx, a, shop, interest, "interest", &t.ids, &t.n, e)))
		return rc;
	for (int i = 0; i < ncustomers; i++) {
		char id[ID_MAX], param[40];
		snprintf(param, sizeof(param), "customers[%d]", i);
		if ((rc = customer_resolve(tx, shop, customers[i], param, id, e)) ||
		    (rc = issue_one(tx, a, shop, &c, arena_strdup(a, id), &t, issued, existing, e)))
			return rc;
	}
	if (segment) {
		struct measures_filter f;
		struct rfm_report r;
		memset(&f, 0, sizeof(f));
	f.to = clock_now_ms();	/* every order up to now, as the report's default */
		if ((rc = measures_rfm(tx, a, shop, &f, &r, e)))
			return rc;
		for (int i = 0; i < r.n; i++)
			if (!strcmp(r.customers[i].segment, segment) &&
			    (rc = issue_one(tx, a, shop, &c, r.customers[i].id, &t, issued, existing, e)))
				return rc;
	}
	/* An interest alone: every customer the shop may target by it. */
	for (int i = 0; interest && !ncustomers && !segment && i < t.n; i++)
		if ((rc = issue_one(tx, a, shop, &c, t.ids[i], &t, issued, existing, e)))
			return rc;
	*not_targeted = t.not_targeted;
	return 0;
}

int offers_list(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		struct offer **out, int *n, struct err *e)
{
	struct coupon_code *held;
	struct campaign *shared;
	int nheld, nshared = 0, rc;
	int64_t count;
	if ((rc = coupon_list_held(tx, a, shop, customer, &held, &nheld, e)) ||
	    (rc = store_query_int(tx, e, &count, "SELECT count(*) FROM campaigns WHERE shop_id = $1"
				  " AND status = 'active' AND code IS NOT NULL", "s", shop)))
		return rc;
	*out = arena_alloc(a, (size_t)(nheld + count + 1) * sizeof(**out));
	*n = 0;
	for (int i = 0; i < nheld; i++) {
		struct offer *o = &(*out)[(*n)];
		if ((rc = campaign_get(tx, a, shop, held[i].campaign_id, &o->campaign, e)))
			return rc;
		o->code = held[i].code;
		o->state = held[i].state;
		o->valid_from = held[i].valid_from ? held[i].valid_from : o->campaign.starts_at;
		o->expires_at = held[i].expires_at ? held[i].expires_at : o->campaign.ends_at;
		o->personal = 1;
		(*n)++;
	}
	const char *types[] = { "generic", "seasonal" };
	for (int t = 0; t < 2; t++) {
		if ((rc = campaign_active_of_type(tx, a, shop, types[t], &shared, &nshared, e)))
			return rc;
		for (int i = 0; i < nshared && *n < nheld + count; i++) {
			int open;
			if ((rc = open_for(tx, a, shop, &shared[i], customer, &open, e)))
				return rc;
			if (!open)
				continue;
			struct offer *o = &(*out)[(*n)++];
			int64_t from;
			int targeted;
			o->campaign = shared[i];
			o->code = shared[i].code;
			o->state = "available";
			if ((rc = campaign_opens_for(tx, a, shop, &shared[i], customer, &from, &targeted, e)))
				return rc;
			o->valid_from = from;
			o->expires_at = shared[i].ends_at;
		}
	}
	return 0;
}
