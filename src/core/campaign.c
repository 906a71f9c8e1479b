/* campaign.c: see campaign.h. */
#include "campaign.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analytics/measures.h"
#include "../base/buf.h"
#include "../base/clock.h"
#include "../base/currency.h"
#include "../base/tz.h"
#include "customer.h"
#include "event.h"
#include "tier.h"

const char *const campaign_types[] = {
	"generic", "unique", "welcome", "next_purchase", "seasonal", "personal", "apology",
	"treasure_hunt", "referral", NULL
};
const char *const campaign_discount_kinds[] = { "percent", "fixed", "free_shipping", "gift", NULL };
const char *const campaign_targets[] = { "all", "tiers", "customers", "segment", NULL };
const char *const campaign_triggers[] = {
	"late_delivery", "payment_failed", "ticket_sla_breached", "negative_review", "at_risk", NULL
};
static const char *const stackings[] = { "exclusive", "stackable", NULL };
static const char *const concurrencies[] = { "reject", "honour", NULL };
static const char *const issue_ons[] = { "signup", "account_created", NULL };
/* The types whose one shared code is the campaign's "code". */
static const char *const shared_code_types[] = { "generic", "seasonal", NULL };

int campaign_in(const char *const *list, const char *v)
{
	for (; v && *list; list++)
		if (!strcmp(*list, v))
			return 1;
	return 0;
}

int campaign_list_has(const struct campaign_list *l, const char *v)
{
	for (int i = 0; v && i < l->n; i++)
		if (!strcmp(l->v[i], v))
			return 1;
	return 0;
}

void campaign_defaults(struct campaign *c, const char *type)
{
	memset(c, 0, sizeof(*c));
	c->type = type;
	c->status = "active";
	c->timezone = "UTC";
	c->target = "all";
	c->stacking = "exclusive";
	c->concurrency = "reject";
	c->reservation_minutes = CAMPAIGN_RESERVATION_DEFAULT;
	c->release_on_refund = 1;
	if (type && (!strcmp(type, "welcome") || !strcmp(type, "referral")))
		c->first_order_only = 1;
	if (type && !strcmp(type, "welcome"))
		c->issue_on = "signup";
	if (type && !strcmp(type, "next_purchase"))
		c->validity_days = 30;
}

/* Lists go to the store one item per line. */
static const char *list_join(struct arena *a, const struct campaign_list *l)
{
	if (!l->n)
		return NULL;
	size_t len = 0;
	for (int i = 0; i < l->n; i++)
		len += strlen(l->v[i]) + 1;
	char *s = arena_alloc(a, len), *p = s;
	for (int i = 0; i < l->n; i++) {
		size_t n = strlen(l->v[i]);
		memcpy(p, l->v[i], n);
		p += n;
		*p++ = i + 1 < l->n ? '\n' : 0;
	}
	return s;
}

static void list_split(struct arena *a, const char *s, struct campaign_list *l)
{
	l->n = 0;
	l->v = NULL;
	if (!s || !*s)
		return;
	int n = 1;
	for (const char *p = s; *p; p++)
		n += *p == '\n';
	l->v = arena_alloc(a, (size_t)n * sizeof(*l->v));
	for (const char *p = s;; ) {
		const char *q = strchr(p, '\n');
		l->v[l->n++] = q ? arena_strndup(a, p, (size_t)(q - p)) : arena_strdup(a, p);
		if (!q)
			break;
		p = q + 1;
	}
}

static int check_list(const struct campaign_list *l, const char *param, struct err *e)
{
	if (l->n > CAMPAIGN_LIST_MAX)
		return err_set(e, ERR_INVALID, param, "\"%s\" has %d items; at most %d", param, l->n,
			       CAMPAIGN_LIST_MAX);
	for (int i = 0; i < l->n; i++) {
		const char *v = l->v[i];
		if (!*v || strlen(v) > CAMPAIGN_ITEM_MAX || strchr(v, '\n'))
			return err_set(e, ERR_INVALID, param, "each item of \"%s\" is 1 to %d characters"
				       " on one line", param, CAMPAIGN_ITEM_MAX);
		for (int j = 0; j < i; j++)
			if (!strcmp(l->v[j], v))
				return err_set(e, ERR_INVALID, param, "\"%s\" lists \"%s\" twice", param, v);
	}
	return 0;
}

static int check_discount(const struct campaign *c, struct err *e)
{
	const char *k = c->discount_kind;
	if (!k) {
		if (!strcmp(c->type, "apology") && c->points > 0)
			return 0;
		return err_setc(e, ERR_INVALID, "parameter_missing", "discount",
				"a \"%s\" campaign needs a \"discount\"", c->type);
	}
	if (!campaign_in(campaign_discount_kinds, k))
		return err_set(e, ERR_INVALID, "discount.kind", "\"discount.kind\" must be percent, fixed,"
			       " free_shipping or gift, not \"%s\"", k);
	if (!strcmp(k, "percent") && (c->discount_value < 1 || c->discount_value > 100))
		return err_set(e, ERR_INVALID, "discount.value", "a percent discount's \"value\" is a whole"
			       " percent from 1 to 100");
	if (!strcmp(k, "fixed")) {
		if (c->discount_value < 1 || c->discount_value > CAMPAIGN_AMOUNT_MAX)
			return err_set(e, ERR_INVALID, "discount.value", "a fixed discount's \"value\" is"
				       " 1 to %lld (minor units)", (long long)CAMPAIGN_AMOUNT_MAX);
		if (!c->discount_currency)
			return err_setc(e, ERR_INVALID, "parameter_missing", "discount.currency",
					"a fixed discount needs its \"currency\"");
	}
	if ((!strcmp(k, "free_shipping") || !strcmp(k, "gift")) && c->discount_value)
		return err_set(e, ERR_INVALID, "discount.value", "a %s discount has no \"value\"", k);
	if (!strcmp(k, "gift") && !c->gift)
		return err_setc(e, ERR_INVALID, "parameter_missing", "discount.gift",
				"a gift discount names its \"gift\" (shown to the customer and packed)");
	if (c->max_amount && (!strcmp(k, "fixed") || !strcmp(k, "gift")))
		return err_set(e, ERR_INVALID, "discount.max_amount", "\"max_amount\" caps percent and"
			       " free_shipping discounts only");
	if (c->discount_currency && currency_exponent(c->discount_currency) < 0)
		return err_set(e, ERR_INVALID, "discount.currency", "unknown currency \"%s\"",
			       c->discount_currency);
	if (c->max_amount && !c->discount_currency && !c->currency)
		return err_setc(e, ERR_INVALID, "parameter_missing", "discount.currency",
				"\"max_amount\" is in minor units of a \"currency\": name it");
	int rc;
	if ((rc = check_list(&c->skus, "discount.applies_to.skus", e)) ||
	    (rc = check_list(&c->categories, "discount.applies_to.categories", e)) ||
	    (rc = check_list(&c->exclude_skus, "discount.applies_to.exclude_skus", e)) ||
	    (rc = check_list(&c->exclude_categories, "discount.applies_to.exclude_categories", e)))
		return rc;
	return 0;
}

static const char *money_currency(const struct campaign *c)
{
	return c->discount_currency ? c->discount_currency : c->currency;
}

static int check_rules(const struct campaign *c, struct err *e)
{
	int rc;
	if (c->currency && currency_exponent(c->currency) < 0)
		return err_set(e, ERR_INVALID, "conditions.currency", "unknown currency \"%s\"", c->currency);
	if (c->currency && c->discount_currency && strcmp(c->currency, c->discount_currency))
		return err_set(e, ERR_INVALID, "conditions.currency", "the discount is in \"%s\" but the"
			       " condition asks for \"%s\"", c->discount_currency, c->currency);
	if (c->min_cart && !money_currency(c))
		return err_setc(e, ERR_INVALID, "parameter_missing", "conditions.currency",
				"\"min_cart\" is in minor units of a \"currency\": name it");
	if (c->budget && !money_currency(c))
		return err_setc(e, ERR_INVALID, "parameter_missing", "conditions.currency",
				"a \"budget\" is in minor units of one \"currency\": name it");
	if ((rc = check_list(&c->channels, "conditions.channels", e)))
		return rc;
	static const char *const channels[] = { "web", "app", "phone", "whatsapp", "store",
						"marketplace", NULL };
	for (int i = 0; i < c->channels.n; i++)
		if (!campaign_in(channels, c->channels.v[i]))
			return err_set(e, ERR_INVALID, "conditions.channels", "unknown channel \"%s\"",
				       c->channels.v[i]);
	if (!campaign_in(campaign_targets, c->target))
		return err_set(e, ERR_INVALID, "targeting", "\"targeting\" is all, tiers, customers"
			       " or segment");
	if ((rc = check_list(&c->target_values, "targeting", e)) ||
	    (rc = check_list(&c->early_tiers, "targeting.early_access.tiers", e)))
		return rc;
	if (strcmp(c->target, "all") && !c->target_values.n)
		return err_setc(e, ERR_INVALID, "parameter_missing", "targeting",
				"targeting by %s needs at least one", c->target);
	if (!strcmp(c->target, "segment")) {
		if (c->target_values.n > 1)
			return err_set(e, ERR_INVALID, "targeting.segment", "\"segment\" is one RFM segment"
				       " name (a personal campaign per segment reaches several)");
		for (int i = 0; i < c->target_values.n; i++) {
			int ok = 0;
			for (int r = 1; r <= 5 && !ok; r++)
				for (int f = 1; f <= 5 && !ok; f++)
					ok = !strcmp(measures_rfm_segment(r, f), c->target_values.v[i]);
			if (!ok)
				return err_set(e, ERR_INVALID, "targeting.segment", "no RFM segment \"%s\""
					       " (docs/analytics.md lists the eleven)", c->target_values.v[i]);
		}
	}
	if (!c->early_tiers.n != !c->early_days)
		return err_set(e, ERR_INVALID, "targeting.early_access", "early access needs both"
			       " \"tiers\" and \"days\" (1 or more)");
	if (!campaign_in(stackings, c->stacking))
		return err_set(e, ERR_INVALID, "stacking.mode", "\"stacking\" is exclusive or stackable");
	if (c->max_total_discount && strcmp(c->stacking, "stackable"))
		return err_set(e, ERR_INVALID, "stacking.max_total_discount", "\"max_total_discount\""
			       " goes with a stackable campaign");
	if (c->max_total_discount && !money_currency(c))
		return err_setc(e, ERR_INVALID, "parameter_missing", "conditions.currency",
				"\"max_total_discount\" is in minor units of a \"currency\": name it");
	if (!campaign_in(concurrencies, c->concurrency))
		return err_set(e, ERR_INVALID, "limits.concurrency", "\"concurrency\" is reject or honour");
	return 0;
}

static int check_type(const struct campaign *c, struct err *e)
{
	int rc;
	if (campaign_in(shared_code_types, c->type) && !c->code)
		return err_setc(e, ERR_INVALID, "parameter_missing", "code",
				"a %s campaign has one shared \"code\"", c->type);
	if (c->code && !campaign_in(shared_code_types, c->type))
		return err_set(e, ERR_INVALID, "code", "a %s campaign has no shared \"code\" (%s)", c->type,
			       !strcmp(c->type, "unique") ? "generate or import its codes"
			       : !strcmp(c->type, "treasure_hunt") ? "its codes come from claims of its spots"
			       : "it gives personal codes");
	if ((rc = check_list(&c->triggers, "triggers", e)))
		return rc;
	if (!strcmp(c->type, "apology") && !c->triggers.n)
		return err_setc(e, ERR_INVALID, "parameter_missing", "triggers",
				"an apology campaign names the \"triggers\" it answers");
	if (c->triggers.n && strcmp(c->type, "apology"))
		return err_set(e, ERR_INVALID, "triggers", "only an apology campaign answers triggers");
	for (int i = 0; i < c->triggers.n; i++)
		if (!campaign_in(campaign_triggers, c->triggers.v[i]))
			return err_set(e, ERR_INVALID, "triggers", "unknown trigger \"%s\" (late_delivery,"
				       " payment_failed, ticket_sla_breached, negative_review, at_risk)",
				       c->triggers.v[i]);
	if (c->points && strcmp(c->type, "apology"))
		return err_set(e, ERR_INVALID, "points", "only an apology campaign gives \"points\"");
	if (c->issue_on && (strcmp(c->type, "welcome") || !campaign_in(issue_ons, c->issue_on)))
		return err_set(e, ERR_INVALID, "issue_on", "\"issue_on\" (signup or account_created)"
			       " belongs to a welcome campaign");
	if (c->delay_days && strcmp(c->type, "next_purchase"))
		return err_set(e, ERR_INVALID, "delay_days", "\"delay_days\" belongs to a next_purchase"
			       " campaign");
	if ((c->referrer_points || c->referee_points) && strcmp(c->type, "referral"))
		return err_set(e, ERR_INVALID, "referral", "\"referral\" rewards belong to a referral"
			       " campaign");
	if (c->early_days && strcmp(c->type, "seasonal"))
		return err_set(e, ERR_INVALID, "targeting.early_access", "early access belongs to a"
			       " seasonal campaign");
	return 0;
}

int campaign_check(const struct campaign *c, struct err *e)
{
	int rc;
	if (!c->type || !campaign_in(campaign_types, c->type))
		return err_set(e, ERR_INVALID, "type", "\"type\" must be one of generic, unique, welcome,"
			       " next_purchase, seasonal, personal, apology, treasure_hunt, referral");
	if (!c->name || !*c->name || strlen(c->name) > CAMPAIGN_NAME_MAX)
		return err_set(e, ERR_INVALID, "name", "\"name\" is 1 to %d characters", CAMPAIGN_NAME_MAX);
	if (!tz_valid(c->timezone))
		return err_set(e, ERR_INVALID, "timezone", "\"timezone\" is an IANA zone name such as"
			       " \"Europe/Warsaw\" or \"UTC\", not \"%s\"", c->timezone ? c->timezone : "");
	if (!c->starts_at)
		return err_setc(e, ERR_INVALID, "parameter_missing", "starts_at",
				"\"starts_at\" is required (RFC 3339)");
	if (c->ends_at && c->ends_at <= c->starts_at)
		return err_set(e, ERR_INVALID, "ends_at", "\"ends_at\" must be after \"starts_at\"");
	if ((rc = check_type(c, e)) || (rc = check_rules(c, e)))
		return rc;
	if (c->discount_kind || strcmp(c->type, "apology") || !c->points)
		if ((rc = check_discount(c, e)))
			return rc;
	if (!c->discount_kind && c->code)
		return err_set(e, ERR_INVALID, "code", "a campaign without a discount has no code");
	return 0;
}

#define COLUMNS "id, name, type, status, starts_at, ends_at, timezone, code, discount_kind," \
	" discount_value, discount_currency, max_amount, gift, skus, categories, exclude_skus," \
	" exclude_categories, min_cart, currency, first_order_only, channels, total_uses," \
	" per_customer, budget, target, target_values, early_tiers, early_days, stacking," \
	" max_total_discount, concurrency, reservation_minutes, release_on_refund, triggers, points," \
	" validity_days, delay_days, issue_on, referrer_points, referee_points, created_at," \
	" updated_at, ended_at"

/*
 * A campaign's row is read either from a statement or from the campaign
 * cache (below), through one reader, so that row_to_campaign() is the only
 * place that knows the columns. With record set, every column read from the
 * statement is also copied into the record (in the record's arena): the
 * cache keeps exactly what row_to_campaign() read, whatever columns it has.
 */
#define NCOLUMNS 43	/* the names in COLUMNS (checked once by the cache) */

struct cached_row {
	const char *text[NCOLUMNS];
	int64_t num[NCOLUMNS];
};

struct row {
	struct store_stmt *st;		/* NULL: replay cached */
	const struct cached_row *cached;
	struct cached_row *record;	/* not NULL: copy what is read here */
	struct arena *record_arena;
};

static const char *row_text(const struct row *r, int col)
{
	assert(col < NCOLUMNS);
	if (!r->st)
		return r->cached->text[col];
	const char *s = store_text(r->st, col);
	if (r->record)
		r->record->text[col] = s ? arena_strdup(r->record_arena, s) : NULL;
	return s;
}

static int64_t row_int(const struct row *r, int col)
{
	assert(col < NCOLUMNS);
	if (!r->st)
		return r->cached->num[col];
	int64_t v = store_int(r->st, col);
	if (r->record)
		r->record->num[col] = v;
	return v;
}

static const char *dup(struct arena *a, const struct row *r, int col)
{
	const char *s = row_text(r, col);
	return s ? arena_strdup(a, s) : NULL;
}

static void row_to_campaign(const struct row *r, struct arena *a, struct campaign *c)
{
	int i = 0;
	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", row_text(r, i++));
	c->name = dup(a, r, i++);
	c->type = dup(a, r, i++);
	c->status = dup(a, r, i++);
	c->starts_at = row_int(r, i++);
	c->ends_at = row_int(r, i++);
	c->timezone = dup(a, r, i++);
	c->code = dup(a, r, i++);
	c->discount_kind = dup(a, r, i++);
	c->discount_value = row_int(r, i++);
	c->discount_currency = dup(a, r, i++);
	c->max_amount = row_int(r, i++);
	c->gift = dup(a, r, i++);
	list_split(a, row_text(r, i++), &c->skus);
	list_split(a, row_text(r, i++), &c->categories);
	list_split(a, row_text(r, i++), &c->exclude_skus);
	list_split(a, row_text(r, i++), &c->exclude_categories);
	c->min_cart = row_int(r, i++);
	c->currency = dup(a, r, i++);
	c->first_order_only = (int)row_int(r, i++);
	list_split(a, row_text(r, i++), &c->channels);
	c->total_uses = row_int(r, i++);
	c->per_customer = row_int(r, i++);
	c->budget = row_int(r, i++);
	c->target = dup(a, r, i++);
	list_split(a, row_text(r, i++), &c->target_values);
	list_split(a, row_text(r, i++), &c->early_tiers);
	c->early_days = row_int(r, i++);
	c->stacking = dup(a, r, i++);
	c->max_total_discount = row_int(r, i++);
	c->concurrency = dup(a, r, i++);
	c->reservation_minutes = row_int(r, i++);
	c->release_on_refund = (int)row_int(r, i++);
	list_split(a, row_text(r, i++), &c->triggers);
	c->points = row_int(r, i++);
	c->validity_days = row_int(r, i++);
	c->delay_days = row_int(r, i++);
	c->issue_on = dup(a, r, i++);
	c->referrer_points = row_int(r, i++);
	c->referee_points = row_int(r, i++);
	c->created_at = row_int(r, i++);
	c->updated_at = row_int(r, i++);
	c->ended_at = row_int(r, i++);
	assert(i == NCOLUMNS);
}


/* Targeted customers are stored by id: each ref resolved (merges followed). */
static int resolve_targets(struct store_tx *tx, struct arena *a, const char *shop,
			   const struct campaign *c, struct campaign_list *out, struct err *e)
{
	*out = c->target_values;
	if (strcmp(c->target, "customers"))
		return 0;
	out->v = arena_alloc(a, (size_t)(c->target_values.n + 1) * sizeof(*out->v));
	for (int i = 0; i < c->target_values.n; i++) {
		char id[ID_MAX];
		int rc = customer_resolve(tx, shop, c->target_values.v[i], "targeting.customers", id, e);
		if (rc)
			return rc;
		out->v[i] = arena_strdup(a, id);
	}
	return 0;
}

static int save(struct store_tx *tx, const char *shop, const struct campaign *c, int insert,
		struct err *e)
{
	struct arena a = ARENA_INIT;
	struct campaign_list targets;
	int rc = resolve_targets(tx, &a, shop, c, &targets, e);
	if (rc) {
		arena_free(&a);
		return rc;
	}
	const char *sql = insert
		? "INSERT INTO campaigns (" COLUMNS ", shop_id) VALUES ($1, $2, $3, $4, $5, nullif($6, 0), $7, $8, $9, $10, $11, nullif($12, 0), $13, $14, $15, $16, $17, nullif($18, 0), $19, $20, $21, nullif($22, 0), nullif($23, 0), nullif($24, 0), $25, $26, $27, $28, $29, nullif($30, 0), $31, $32, $33, $34, $35, nullif($36, 0), $37, $38, $39, $40, $41, $42, nullif($43, 0), $44)"
		: "UPDATE campaigns SET name = $2, type = $3, status = $4, starts_at = $5, ends_at = nullif($6, 0),"
		  " timezone = $7, code = $8, discount_kind = $9, discount_value = $10,"
		  " discount_currency = $11, max_amount = nullif($12, 0), gift = $13, skus = $14, categories = $15,"
		  " exclude_skus = $16, exclude_categories = $17, min_cart = nullif($18, 0), currency = $19,"
		  " first_order_only = $20, channels = $21, total_uses = nullif($22, 0), per_customer = nullif($23, 0),"
		  " budget = nullif($24, 0), target = $25, target_values = $26, early_tiers = $27, early_days = $28,"
		  " stacking = $29, max_total_discount = nullif($30, 0), concurrency = $31,"
		  " reservation_minutes = $32, release_on_refund = $33, triggers = $34, points = $35,"
		  " validity_days = nullif($36, 0), delay_days = $37, issue_on = $38, referrer_points = $39,"
		  " referee_points = $40, created_at = $41, updated_at = $42, ended_at = nullif($43, 0)"
		  " WHERE id = $1 AND shop_id = $44";
	rc = store_exec(tx, e, sql, "ssssiisssisisssssisisiiisssisisiisiiisiiiiis",
		c->id, c->name, c->type, c->status, c->starts_at, c->ends_at, c->timezone,
		c->code, c->discount_kind, c->discount_value, c->discount_currency, c->max_amount,
		c->gift, list_join(&a, &c->skus), list_join(&a, &c->categories),
		list_join(&a, &c->exclude_skus), list_join(&a, &c->exclude_categories),
		c->min_cart, c->currency, (int64_t)c->first_order_only,
		list_join(&a, &c->channels), c->total_uses, c->per_customer, c->budget,
		c->target, list_join(&a, &targets), list_join(&a, &c->early_tiers),
		c->early_days, c->stacking, c->max_total_discount, c->concurrency,
		c->reservation_minutes, (int64_t)c->release_on_refund, list_join(&a, &c->triggers),
		c->points, c->validity_days, c->delay_days, c->issue_on, c->referrer_points,
		c->referee_points, c->created_at, c->updated_at, c->ended_at, shop);
	arena_free(&a);
	return rc < 0 ? rc : 0;
}

static int code_taken(struct store_tx *tx, const char *shop, const char *code, struct err *e)
{
	int64_t n;
	int rc = store_query_int(tx, e, &n, "SELECT count(*) FROM coupon_codes WHERE shop_id = $1"
				 " AND code = $2", "ss", shop, code);
	if (rc)
		return rc;
	return n ? err_setc(e, ERR_CONFLICT, "code_exists", "code", "code \"%s\" exists already", code) : 0;
}

int campaign_create(struct store_tx *tx, const char *shop, struct campaign *c, struct err *e)
{
	int64_t now = clock_now_ms();
	int rc;
	if (!c->status || strcmp(c->status, "draft"))
		c->status = "active";
	if ((rc = campaign_check(c, e)))
		return rc;
	id_new(c->id, "cmp_", now);
	c->created_at = c->updated_at = now;
	c->ended_at = 0;
	if (c->code && (rc = code_taken(tx, shop, c->code, e)))
		return rc;
	if ((rc = save(tx, shop, c, 1, e)))
		return rc;
	if (c->code) {
		rc = store_exec(tx, e, "INSERT INTO coupon_codes (shop_id, code, campaign_id, kind, source,"
				" created_at) VALUES ($1, $2, $3, 'shared', 'campaign', $4)", "sssi", shop,
				c->code, c->id, now);
		if (rc < 0)
			return rc;
	}
	return event_record(tx, shop, "campaign.created", c->id, NULL, e);
}

/* The campaign's row, and a copy of what was read of it into rec (in ra)
 * when rec is not NULL. */
static int campaign_read(struct store_tx *tx, struct arena *a, const char *shop,
			 const char *id, struct cached_row *rec, struct arena *ra,
			 struct campaign *out, struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT " COLUMNS " FROM campaigns"
					    " WHERE shop_id = $1 AND id = $2", "ss", shop, id);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	if (rc == 1)
		row_to_campaign(&(struct row){ .st = st, .record = rec, .record_arena = ra }, a, out);
	store_done(st);
	if (rc == 0)
		return err_set(e, ERR_NOT_FOUND, "id", "no campaign \"%s\"", id);
	return rc < 0 ? rc : 0;
}

int campaign_get(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		 struct campaign *out, struct err *e)
{
	return campaign_read(tx, a, shop, id, NULL, NULL, out, e);
}

/*
 * The campaign cache (issue 10 bench; docs/decisions-speed.md, "Issue 10 bench:
 * the campaign cache"): the rows validations read, by shop and id, each with
 * the updated_at it was read with. Every write of a campaign's row gives it a
 * larger updated_at than it had (campaign_update, campaign_end), so a caller
 * that read the row's updated_at in its transaction gets from here exactly
 * the row that transaction would read, whoever wrote it (another node, a CLI
 * process). Only rows a read transaction read are kept: they are committed,
 * where a write's own row may still roll back. Direct-mapped (a campaign
 * takes the slot its key hashes to; a collision replaces), so it holds at
 * most CACHE_SLOTS rows; a slot's lock covers only a copy. Never freed: it
 * lives as long as the process. Campaign rows hold no personal data.
 */
#define CACHE_SLOTS 1024	/* a power of two */

struct cache_slot {
	pthread_mutex_t lock;
	char shop[ID_MAX], id[ID_MAX];	/* shop "": an empty slot */
	int64_t updated_at;
	struct cached_row row;
	struct arena arena;		/* the row's texts */
};

static struct cache_slot *cache;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_init(void)
{
	int names = 1;
	for (const char *p = COLUMNS; *p; p++)
		names += *p == ',';
	assert(names == NCOLUMNS);
	cache = calloc(CACHE_SLOTS, sizeof(*cache));
	if (!cache)
		abort();
	for (int i = 0; i < CACHE_SLOTS; i++)
		pthread_mutex_init(&cache[i].lock, NULL);
}

static struct cache_slot *slot_of(const char *shop, const char *id)
{
	uint32_t h = 2166136261u;	/* FNV-1a over shop, a separator, id */
	for (const char *p = shop; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h = (h ^ 0xff) * 16777619u;
	for (const char *p = id; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return &cache[h & (CACHE_SLOTS - 1)];
}

/* 1 with *out read from the cache when it holds the row at updated_at. */
static int cache_get(const char *shop, const char *id, int64_t updated_at, struct arena *a,
		     struct campaign *out)
{
	struct cache_slot *s = slot_of(shop, id);
	int hit;
	pthread_mutex_lock(&s->lock);
	hit = s->shop[0] && s->updated_at == updated_at && !strcmp(s->id, id) &&
	      !strcmp(s->shop, shop);
	if (hit)
		row_to_campaign(&(struct row){ .cached = &s->row }, a, out);
	pthread_mutex_unlock(&s->lock);
	return hit;
}

/* Keeps the row recorded in rec (its texts in ra, which the slot takes). */
static void cache_put(const char *shop, const char *id, int64_t updated_at,
		      const struct cached_row *rec, struct arena *ra)
{
	struct cache_slot *s = slot_of(shop, id);
	struct arena old;
	pthread_mutex_lock(&s->lock);
	old = s->arena;
	s->arena = *ra;
	s->row = *rec;
	s->updated_at = updated_at;
	memcpy(s->shop, shop, strlen(shop) + 1);
	memcpy(s->id, id, strlen(id) + 1);
	pthread_mutex_unlock(&s->lock);
	arena_free(&old);
}

int campaign_get_at(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		    int64_t updated_at, struct campaign *out, struct err *e)
{
	pthread_once(&cache_once, cache_init);
	if (strlen(shop) >= ID_MAX || strlen(id) >= ID_MAX)
		return campaign_get(tx, a, shop, id, out, e);
	if (cache_get(shop, id, updated_at, a, out))
		return 0;
	if (!store_tx_read_only(tx))	/* a write's row may still roll back */
		return campaign_get(tx, a, shop, id, out, e);
	struct cached_row rec;
	struct arena ra = ARENA_INIT;
	int rc = campaign_read(tx, a, shop, id, &rec, &ra, out, e);
	if (rc)
		arena_free(&ra);
	else
		cache_put(shop, id, out->updated_at, &rec, &ra);
	return rc;
}

int campaign_update(struct store_tx *tx, const char *shop, struct campaign *c, struct err *e)
{
	struct arena a = ARENA_INIT;
	struct campaign old;
	int rc = campaign_get(tx, &a, shop, c->id, &old, e);
	if (rc)
		goto out;
	if (!strcmp(old.status, "ended")) {
		rc = err_setc(e, ERR_CONFLICT, "campaign_ended", "id", "campaign \"%s\" has ended: it"
			      " cannot change", c->id);
		goto out;
	}
	if (strcmp(old.type, c->type)) {
		rc = err_set(e, ERR_INVALID, "type", "a campaign's \"type\" never changes");
		goto out;
	}
	if (strcmp(c->status, old.status) && strcmp(c->status, "active")) {
		rc = err_set(e, ERR_INVALID, "status", "\"status\" can only go from draft to active"
			     " (POST .../end ends a campaign)");
		goto out;
	}
	if ((!old.code) != (!c->code) || (c->code && strcmp(old.code, c->code))) {
		rc = err_set(e, ERR_INVALID, "code", "a campaign's \"code\" never changes: end it and"
			     " create another");
		goto out;
	}
	if ((rc = campaign_check(c, e)))
		goto out;
	c->created_at = old.created_at;
	/* larger than before, also twice in a millisecond: the cache's version */
	c->updated_at = clock_now_ms();
	if (c->updated_at <= old.updated_at)
		c->updated_at = old.updated_at + 1;
	c->ended_at = 0;
	if (!(rc = save(tx, shop, c, 0, e)))
		rc = event_record(tx, shop, "campaign.updated", c->id, NULL, e);
out:
	arena_free(&a);
	return rc;
}

int campaign_end(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		 struct campaign *out, struct err *e)
{
	int rc = campaign_get(tx, a, shop, id, out, e);
	if (rc || !strcmp(out->status, "ended"))
		return rc;
	int64_t now = clock_now_ms();
	rc = store_exec(tx, e, "UPDATE campaigns SET status = 'ended', ended_at = $3, updated_at ="
			" CASE WHEN updated_at < $3 THEN $3 ELSE updated_at + 1 END"
			" WHERE shop_id = $1 AND id = $2", "ssi", shop, id, now);
	if (rc < 0 || (rc = event_record(tx, shop, "campaign.ended", id, NULL, e)))
		return rc;
	return campaign_get(tx, a, shop, id, out, e);
}

int campaign_list(struct store_tx *tx, struct arena *a, const char *shop, const char *type,
		  const char *status, const char *starting_after, int limit,
		  struct campaign **out, int *n, int *has_more, struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT " COLUMNS " FROM campaigns"
		" WHERE shop_id = $1 AND ($2 IS NULL OR type = $2) AND ($3 IS NULL OR status = $3)"
		" AND ($4 IS NULL OR id < $4) ORDER BY id DESC LIMIT $5", "ssssi", shop, type, status,
		starting_after, (int64_t)limit + 1);
	if (!st)
		return e->kind;
	*out = arena_alloc(a, (size_t)(limit + 1) * sizeof(**out));
	*n = 0;
	int rc;
	while ((rc = store_step(st, e)) == 1)
		row_to_campaign(&(struct row){ .st = st }, a, &(*out)[(*n)++]);
	store_done(st);
	*has_more = *n > limit;
	if (*has_more)
		*n = limit;
	return rc < 0 ? rc : 0;
}

int campaign_active_of_type(struct store_tx *tx, struct arena *a, const char *shop,
			    const char *type, struct campaign **out, int *n, struct err *e)
{
	int64_t count;
	int rc = store_query_int(tx, e, &count, "SELECT count(*) FROM campaigns WHERE shop_id = $1"
				 " AND type = $2 AND status = 'active'", "ss", shop, type);
	*n = 0;
	*out = NULL;
	if (rc || !count)
		return rc;
	struct store_stmt *st = store_query(tx, e, "SELECT " COLUMNS " FROM campaigns"
		" WHERE shop_id = $1 AND type = $2 AND status = 'active' ORDER BY id", "ss", shop, type);
	if (!st)
		return e->kind;
	*out = arena_alloc(a, (size_t)count * sizeof(**out));
	while (*n < count && (rc = store_step(st, e)) == 1)
		row_to_campaign(&(struct row){ .st = st }, a, &(*out)[(*n)++]);
	store_done(st);
	return rc < 0 ? rc : 0;
}

/* The customer's RFM segment now, by the shop's report (all orders). */
static int segment_of(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		      const char **segment, struct err *e)
{
	struct measures_filter f;
	struct rfm_report r;
	memset(&f, 0, sizeof(f));
	f.to = clock_now_ms();	/* every order up to now, as the report's default */
	*segment = NULL;
	int rc = measures_rfm(tx, a, shop, &f, &r, e);
	for (int i = 0; !rc && i < r.n; i++)
		if (!strcmp(r.customers[i].id, customer))
			*segment = r.customers[i].segment;
	return rc;
}

int campaign_opens_for(struct store_tx *tx, struct arena *a, const char *shop,
		       const struct campaign *c, const char *customer, int64_t *from,
		       int *targeted, struct err *e)
{
	const char *tier = NULL, *segment = NULL;
	int rc = 0;
	*from = c->starts_at;
	*targeted = !strcmp(c->target, "all");
	if (!customer)
		return 0;
	if ((c->early_days || !strcmp(c->target, "tiers")) &&
	    (rc = tier_current(tx, a, shop, customer, &tier, e)))
		return rc;
	if (c->early_days && tier && campaign_list_has(&c->early_tiers, tier))
		*from = c->starts_at - c->early_days * 86400000LL;
	if (!strcmp(c->target, "tiers"))
		*targeted = tier && campaign_list_has(&c->target_values, tier);
	else if (!strcmp(c->target, "customers"))
		*targeted = campaign_list_has(&c->target_values, customer);
	else if (!strcmp(c->target, "segment")) {
		if ((rc = segment_of(tx, a, shop, customer, &segment, e)))
			return rc;
		*targeted = segment && campaign_list_has(&c->target_values, segment);
	}
	return 0;
}

int campaign_usage(struct store_tx *tx, const char *shop, const char *id,
		   struct campaign_usage *out, struct err *e)
{
	struct store_stmt *st = store_query(tx, e,
		"SELECT status, count(*), coalesce(sum(discount), 0), coalesce(sum(overuse), 0)"
		" FROM coupon_redemptions WHERE shop_id = $1 AND campaign_id = $2"
		" AND (status = 'final' OR (status = 'reserved' AND reserved_until > $3))"
		" GROUP BY status", "ssi", shop, id, clock_now_ms());
	memset(out, 0, sizeof(*out));
	if (!st)
		return e->kind;
	int rc;
	while ((rc = store_step(st, e)) == 1) {
		int final = !strcmp(store_text(st, 0), "final");
		int64_t uses = store_int(st, 1), discount = store_int(st, 2);
		out->live_uses += uses;
		out->live_discount += discount;
		if (final) {
			out->final_uses = uses;
			out->final_discount = discount;
		}
		out->overuse += store_int(st, 3);
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}
