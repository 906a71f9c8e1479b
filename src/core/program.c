/* program.c: see program.h. Versions are stored as "key=value" lines (lists as
 * tab-separated fields), a format this file alone writes and reads. */
#include "program.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/clock.h"
#include "event.h"

void program_defaults(struct program *p)
{
	memset(p, 0, sizeof(*p));
	p->points_per_unit = 1;
	p->pending_days = 14;
	p->expiry = "never";
	p->tier_basis = "points_earned";
	p->tier_window_days = 365;
	p->downgrade = "one_down";
	p->refund_policy = "clamp";
	p->milestone_survives_partial_refund = 1;
	p->point_value = 1;
}

static int one_of(const char *v, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (!strcmp(v, *allowed))
			return 1;
	return 0;
}

static int check_name(const char *v, const char *param, struct err *e)
{
	if (!v || !*v || strlen(v) > PROGRAM_TEXT_MAX)
		return err_set(e, ERR_INVALID, param, "\"%s\" must be 1 to %d bytes", param,
			       PROGRAM_TEXT_MAX);
	for (const char *c = v; *c; c++)
		if ((unsigned char)*c < ' ')
			return err_set(e, ERR_INVALID, param, "\"%s\" contains a control character", param);
	return 0;
}

/* The programme's single settings: earning, pending, expiry, tiers, refunds. */
static int check_settings(const struct program *p, struct err *e)
{
	static const char *const expiries[] = { "never", "days", "end_of_month", "inactivity", NULL };
	static const char *const bases[] = { "points_earned", "net_spend", "order_count", NULL };
	static const char *const downgrades[] = { "one_down", "recalculate", NULL };
	static const char *const policies[] = { "clamp", "debt", NULL };

	if (p->points_per_unit < 0 || p->points_per_unit > PROGRAM_POINTS_PER_UNIT_MAX)
		return err_set(e, ERR_INVALID, "earn.points_per_unit", "must be from 0 to %d",
			       PROGRAM_POINTS_PER_UNIT_MAX);
	if (p->min_order < 0 || p->min_order > PROGRAM_AMOUNT_MAX)
		return err_set(e, ERR_INVALID, "earn.min_order", "must be from 0 to 10^12 minor units");
	if (p->pending_days < 0 || p->pending_days > 365)
		return err_set(e, ERR_INVALID, "pending_days", "must be from 0 to 365");
	if (!one_of(p->expiry, expiries))
		return err_set(e, ERR_INVALID, "expiry.policy",
			       "must be \"never\", \"days\", \"end_of_month\" or \"inactivity\", not \"%s\"",
			       p->expiry);
	if (strcmp(p->expiry, "never") && (p->expiry_n < 1 || p->expiry_n > 3650))
		return err_set(e, ERR_INVALID, "expiry.n", "must be from 1 to 3650 for \"%s\"", p->expiry);
	if (p->reminder_days < 0 || p->reminder_days > 365)
		return err_set(e, ERR_INVALID, "expiry.reminder_days", "must be from 0 to 365");
	if (!one_of(p->tier_basis, bases))
		return err_set(e, ERR_INVALID, "tiers.basis",
			       "must be \"points_earned\", \"net_spend\" or \"order_count\", never the balance");
	if (p->tier_window_days < 1 || p->tier_window_days > 3650)
		return err_set(e, ERR_INVALID, "tiers.window_days", "must be from 1 to 3650");
	if (!one_of(p->downgrade, downgrades))
		return err_set(e, ERR_INVALID, "tiers.downgrade", "must be \"one_down\" or \"recalculate\"");
	if (!one_of(p->refund_policy, policies))
		return err_set(e, ERR_INVALID, "refund_policy", "must be \"clamp\" or \"debt\"");
	if (p->cashback_bp < 0 || p->cashback_bp > PROGRAM_CASHBACK_BP_MAX)
		return err_set(e, ERR_INVALID, "cashback.basis_points", "must be from 0 to 10000 (100 = 1%%)");
	if (p->point_value < 0 || p->point_value > PROGRAM_POINT_VALUE_MAX)
		return err_set(e, ERR_INVALID, "point_value", "must be from 0 to 100000 minor units");
	return 0;
}

static int check_multipliers(const struct program *p, struct err *e)
{
	static const char *const mult_types[] = { "category", "sku", "channel", NULL };
	char param[64];
	int rc;

	for (int i = 0; i < p->nmultipliers; i++) {
		const struct program_multiplier *m = &p->multipliers[i];
		snprintf(param, sizeof(param), "earn.multipliers[%d].type", i);
		if (!m->type || !one_of(m->type, mult_types))
			return err_set(e, ERR_INVALID, param, "must be \"category\", \"sku\" or \"channel\"");
		snprintf(param, sizeof(param), "earn.multipliers[%d].value", i);
		if ((rc = check_name(m->value, param, e)))
			return rc;
		snprintf(param, sizeof(param), "earn.multipliers[%d].percent", i);
		if (m->percent < 0 || m->percent > PROGRAM_PERCENT_MAX)
			return err_set(e, ERR_INVALID, param, "must be from 0 to %d (100 = x1)",
				       PROGRAM_PERCENT_MAX);
		/* One multiplier per type and value: at most three (category,
		 * sku, channel) can stack on a line, which bounds the product. */
		snprintf(param, sizeof(param), "earn.multipliers[%d].value", i);
		for (int j = 0; j < i; j++)
			if (!strcmp(p->multipliers[j].type, m->type) &&
			    !strcmp(p->multipliers[j].value, m->value))
				return err_set(e, ERR_INVALID, param,
					       "%s \"%s\" already has a multiplier"
					       " (earn.multipliers[%d]); multipliers of one kind do not stack",
					       m->type, m->value, j);
	}
	return 0;
}

static int check_tiers(const struct program *p, struct err *e)
{
	char param[64];
	int rc;

	for (int i = 0; i < p->ntiers; i++) {
		const struct program_tier *t = &p->tiers[i];
		snprintf(param, sizeof(param), "tiers.levels[%d].name", i);
		if ((rc = check_name(t->name, param, e)))
			return rc;
		for (int j = 0; j < i; j++)
			if (!strcmp(p->tiers[j].name, t->name))
				return err_set(e, ERR_INVALID, param, "tier \"%s\" is named twice", t->name);
		snprintf(param, sizeof(param), "tiers.levels[%d].threshold", i);
		if (t->threshold < 1 || (i && t->threshold <= p->tiers[i - 1].threshold))
			return err_set(e, ERR_INVALID, param,
				       "thresholds must be positive and rise from tier to tier");
		if (t->threshold > PROGRAM_AMOUNT_MAX)
			return err_set(e, ERR_INVALID, param, "must be at most 10^12");
		snprintf(param, sizeof(param), "tiers.levels[%d].earn_percent", i);
		if (t->earn_percent < 100 || t->earn_percent > PROGRAM_TIER_PERCENT_MAX)
			return err_set(e, ERR_INVALID, param, "must be from 100 to %d (100 = x1)",
				       PROGRAM_TIER_PERCENT_MAX);
	}
	return 0;
}

static int check_milestones(const struct program *p, struct err *e)
{
	static const char *const ms_types[] = { "every", "at", NULL };
	char param[64];
	int rc;

	for (int i = 0; i < p->nmilestones; i++) {
		const struct program_milestone *m = &p->milestones[i];
		snprintf(param, sizeof(param), "milestones[%d].type", i);
		if (!m->type || !one_of(m->type, ms_types))
			return err_set(e, ERR_INVALID, param, "must be \"every\" or \"at\"");
		snprintf(param, sizeof(param), "milestones[%d].n", i);
		if (m->n < 1 || m->n > 100000)
			return err_set(e, ERR_INVALID, param, "must be from 1 to 100000");
		snprintf(param, sizeof(param), "milestones[%d].points", i);
		if (m->points < 0 || m->points > PROGRAM_ITEM_POINTS_MAX)
			return err_set(e, ERR_INVALID, param, "must be from 0 to 10^9");
		snprintf(param, sizeof(param), "milestones[%d].gift", i);
		if (m->gift && (rc = check_name(m->gift, param, e)))
			return rc;
		if (!m->points && !m->gift)
			return err_set(e, ERR_INVALID, param, "a milestone needs points, a gift or both");
	}
	return 0;
}

static int check_bonuses(const struct program *p, struct err *e)
{
	static const char *const actions[] = { "signup", "account_created", "review", "birthday", NULL };
	char param[64];

	for (int i = 0; i < p->nbonuses; i++) {
		const struct program_bonus *b = &p->bonuses[i];
		snprintf(param, sizeof(param), "bonuses[%d].action", i);
		if (!b->action || !one_of(b->action, actions))
			return err_set(e, ERR_INVALID, param,
				       "must be signup, account_created, review or birthday");
		for (int j = 0; j < i; j++)
			if (!strcmp(p->bonuses[j].action, b->action))
				return err_set(e, ERR_INVALID, param, "bonus \"%s\" is listed twice", b->action);
		snprintf(param, sizeof(param), "bonuses[%d].points", i);
		if (b->points < 1 || b->points > PROGRAM_ITEM_POINTS_MAX)
			return err_set(e, ERR_INVALID, param, "must be from 1 to 10^9");
		snprintf(param, sizeof(param), "bonuses[%d].per_customer_limit", i);
		if (b->per_customer_limit < 0 || b->per_customer_limit > PROGRAM_LIMIT_MAX)
			return err_set(e, ERR_INVALID, param, "must be from 0 to %d", PROGRAM_LIMIT_MAX);
	}
	return 0;
}

static int check_rewards(const struct program *p, struct err *e)
{
	static const char *const reward_kinds[] = { "discount_fixed", "discount_percent",
		"free_shipping", "gift", "warranty", "insurance", NULL };
	char param[64];
	int rc;

	for (int i = 0; i < p->nrewards; i++) {
		const struct program_reward *w = &p->rewards[i];
		snprintf(param, sizeof(param), "rewards[%d].key", i);
		if ((rc = check_name(w->key, param, e)))
			return rc;
		for (int j = 0; j < i; j++)
			if (!strcmp(p->rewards[j].key, w->key))
				return err_set(e, ERR_INVALID, param, "reward \"%s\" is listed twice", w->key);
		snprintf(param, sizeof(param), "rewards[%d].kind", i);
		if (!w->kind || !one_of(w->kind, reward_kinds))
			return err_set(e, ERR_INVALID, param, "must be discount_fixed, discount_percent,"
				       " free_shipping, gift, warranty or insurance");
		snprintf(param, sizeof(param), "rewards[%d].name", i);
		if ((rc = check_name(w->name, param, e)))
			return rc;
		snprintf(param, sizeof(param), "rewards[%d].cost", i);
		if (w->cost < 1 || w->cost > PROGRAM_ITEM_POINTS_MAX)
			return err_set(e, ERR_INVALID, param, "must be from 1 to 10^9 points");
		snprintf(param, sizeof(param), "rewards[%d].value", i);
		if (!strcmp(w->kind, "discount_fixed") && (w->value < 1 || w->value > PROGRAM_AMOUNT_MAX))
			return err_set(e, ERR_INVALID, param,
				       "a fixed discount needs a value from 1 to 10^12 minor units");
		if (!strcmp(w->kind, "discount_percent") && (w->value < 1 || w->value > 100))
			return err_set(e, ERR_INVALID, param, "a percent discount needs a value from 1 to 100");
		snprintf(param, sizeof(param), "rewards[%d].stock", i);
		if (w->stock < -1 || w->stock > PROGRAM_COUNT_MAX)
			return err_set(e, ERR_INVALID, param, "must be -1 (unlimited) or a count up to 10^9");
		snprintf(param, sizeof(param), "rewards[%d].per_customer_limit", i);
		if (w->per_customer_limit < 0 || w->per_customer_limit > PROGRAM_LIMIT_MAX)
			return err_set(e, ERR_INVALID, param, "must be from 0 to %d", PROGRAM_LIMIT_MAX);
	}
	return 0;
}

static int check_packing(const struct program *p, struct err *e)
{
	static const char *const types[] = { "tier", "first_order", "milestone", "gift_wrap", NULL };
	char param[64];
	int rc;
	for (int i = 0; i < p->npacking; i++) {
		const struct program_packing *k = &p->packing[i];
		snprintf(param, sizeof(param), "packing[%d].type", i);
		if (k->type && !strcmp(k->type, "interest"))
			return err_setc(e, ERR_REFUSED, "interests_unavailable", param, "packing notes by"
					" a customer's interest need customer interests, which this version"
					" does not keep yet");
		if (!k->type || !one_of(k->type, types))
			return err_set(e, ERR_INVALID, param, "must be tier, first_order, milestone or"
				       " gift_wrap");
		snprintf(param, sizeof(param), "packing[%d].value", i);
		if (!strcmp(k->type, "tier") && !program_tier(p, k->value ? k->value : ""))
			return err_set(e, ERR_INVALID, param, "names one of the programme's tiers");
		if (k->value && (rc = check_name(k->value, param, e)))
			return rc;
		if (k->value && (!strcmp(k->type, "first_order") || !strcmp(k->type, "milestone")))
			return err_set(e, ERR_INVALID, param, "a %s note takes no \"value\"", k->type);
		snprintf(param, sizeof(param), "packing[%d].text", i);
		if ((rc = check_name(k->text, param, e)))
			return rc;
	}
	return 0;
}

int program_check(const struct program *p, struct err *e)
{
	int rc;
	if ((rc = check_settings(p, e)) || (rc = check_multipliers(p, e)) || (rc = check_tiers(p, e)) ||
	    (rc = check_milestones(p, e)) || (rc = check_bonuses(p, e)) || (rc = check_packing(p, e)))
		return rc;
	return check_rewards(p, e);
}

const struct program_bonus *program_bonus(const struct program *p, const char *action)
{
	for (int i = 0; action && i < p->nbonuses; i++)
		if (!strcmp(p->bonuses[i].action, action))
			return &p->bonuses[i];
	return NULL;
}

const struct program_reward *program_reward(const struct program *p, const char *key)
{
	for (int i = 0; key && i < p->nrewards; i++)
		if (!strcmp(p->rewards[i].key, key))
			return &p->rewards[i];
	return NULL;
}

static void serialize(const struct program *p, struct buf *b)
{
	buf_printf(b, "points_per_unit=%lld\ninclude_shipping=%d\ninclude_tax=%d\nmin_order=%lld\n"
		      "pending_days=%lld\nexpiry=%s\nexpiry_n=%lld\nreminder_days=%lld\n"
		      "tier_basis=%s\ntier_window_days=%lld\ndowngrade=%s\nrefund_policy=%s\n"
		      "milestone_survives_partial_refund=%d\n",
		   (long long)p->points_per_unit, p->include_shipping, p->include_tax,
		   (long long)p->min_order, (long long)p->pending_days, p->expiry,
		   (long long)p->expiry_n, (long long)p->reminder_days, p->tier_basis,
		   (long long)p->tier_window_days, p->downgrade, p->refund_policy,
		   p->milestone_survives_partial_refund);
	buf_printf(b, "point_value=%lld\ncashback_bp=%lld\n", (long long)p->point_value,
		   (long long)p->cashback_bp);
	for (int i = 0; i < p->nbonuses; i++)
		buf_printf(b, "bonus=%s\t%lld\t%lld\n", p->bonuses[i].action,
			   (long long)p->bonuses[i].points, (long long)p->bonuses[i].per_customer_limit);
	for (int i = 0; i < p->nrewards; i++)
		buf_printf(b, "reward=%s\t%s\t%s\t%lld\t%lld\t%lld\t%lld\n", p->rewards[i].key,
			   p->rewards[i].kind, p->rewards[i].name, (long long)p->rewards[i].cost,
			   (long long)p->rewards[i].value, (long long)p->rewards[i].per_customer_limit,
			   (long long)p->rewards[i].stock);
	for (int i = 0; i < p->nmultipliers; i++)
		buf_printf(b, "multiplier=%s\t%s\t%lld\n", p->multipliers[i].type,
			   p->multipliers[i].value, (long long)p->multipliers[i].percent);
	for (int i = 0; i < p->ntiers; i++)
		buf_printf(b, "tier=%s\t%lld\t%lld\t%d\t%d\n", p->tiers[i].name,
			   (long long)p->tiers[i].threshold, (long long)p->tiers[i].earn_percent,
			   p->tiers[i].free_shipping, p->tiers[i].early_access);
	for (int i = 0; i < p->nmilestones; i++)
		buf_printf(b, "milestone=%s\t%lld\t%lld\t%s\n", p->milestones[i].type,
			   (long long)p->milestones[i].n, (long long)p->milestones[i].points,
			   p->milestones[i].gift ? p->milestones[i].gift : "");
	for (int i = 0; i < p->npacking; i++)
		buf_printf(b, "packing=%s\t%s\t%s\n", p->packing[i].type,
			   p->packing[i].value ? p->packing[i].value : "", p->packing[i].text);
}

/* Splits s at tabs into at most n fields (in place). */
static int fields(char *s, char **out, int n)
{
	int k = 0;
	while (k < n) {
		out[k++] = s;
		s = strchr(s, '\t');
		if (!s)
			break;
		*s++ = '\0';
	}
	return k;
}

static void parse(struct arena *a, const char *body, struct program *p)
{
	char *copy = arena_strdup(a, body), *save = NULL;
	program_defaults(p);
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '='), *f[7];
		if (!eq)
			continue;
		*eq = '\0';
		const char *k = line;
		char *v = eq + 1;
		if (!strcmp(k, "points_per_unit")) p->points_per_unit = atoll(v);
		else if (!strcmp(k, "include_shipping")) p->include_shipping = atoi(v);
		else if (!strcmp(k, "include_tax")) p->include_tax = atoi(v);
		else if (!strcmp(k, "min_order")) p->min_order = atoll(v);
		else if (!strcmp(k, "pending_days")) p->pending_days = atoll(v);
		else if (!strcmp(k, "expiry")) p->expiry = v;
		else if (!strcmp(k, "expiry_n")) p->expiry_n = atoll(v);
		else if (!strcmp(k, "reminder_days")) p->reminder_days = atoll(v);
		else if (!strcmp(k, "tier_basis")) p->tier_basis = v;
		else if (!strcmp(k, "tier_window_days")) p->tier_window_days = atoll(v);
		else if (!strcmp(k, "downgrade")) p->downgrade = v;
		else if (!strcmp(k, "refund_policy")) p->refund_policy = v;
		else if (!strcmp(k, "milestone_survives_partial_refund"))
			p->milestone_survives_partial_refund = atoi(v);
		else if (!strcmp(k, "point_value")) p->point_value = atoll(v);
		else if (!strcmp(k, "cashback_bp")) p->cashback_bp = atoll(v);
		else if (!strcmp(k, "bonus") && p->nbonuses < PROGRAM_MAX_ITEMS && fields(v, f, 3) == 3)
			p->bonuses[p->nbonuses++] = (struct program_bonus){ f[0], atoll(f[1]), atoll(f[2]) };
		else if (!strcmp(k, "reward") && p->nrewards < PROGRAM_MAX_ITEMS && fields(v, f, 7) == 7)
			p->rewards[p->nrewards++] = (struct program_reward){
				f[0], f[1], f[2], atoll(f[3]), atoll(f[4]), atoll(f[5]), atoll(f[6]) };
		else if (!strcmp(k, "multiplier") && p->nmultipliers < PROGRAM_MAX_ITEMS &&
			 fields(v, f, 3) == 3)
			p->multipliers[p->nmultipliers++] =
				(struct program_multiplier){ f[0], f[1], atoll(f[2]) };
		else if (!strcmp(k, "tier") && p->ntiers < PROGRAM_MAX_ITEMS && fields(v, f, 5) == 5)
			p->tiers[p->ntiers++] = (struct program_tier){ f[0], atoll(f[1]), atoll(f[2]),
								       atoi(f[3]), atoi(f[4]) };
		else if (!strcmp(k, "packing") && p->npacking < PROGRAM_MAX_ITEMS && fields(v, f, 3) == 3)
			p->packing[p->npacking++] = (struct program_packing){ f[0], *f[1] ? f[1] : NULL,
									      f[2] };
		else if (!strcmp(k, "milestone") && p->nmilestones < PROGRAM_MAX_ITEMS &&
			 fields(v, f, 4) >= 3)
			p->milestones[p->nmilestones++] = (struct program_milestone){
				f[0], atoll(f[1]), atoll(f[2]), f[3] && *f[3] ? f[3] : NULL };
	}
}

int program_put(struct store_tx *tx, const char *shop, struct program *p, struct err *e)
{
	struct buf b;
	int64_t now = clock_now_ms(), version = 1;
	int rc = program_check(p, e);
	if (rc)
		return rc;
	if ((rc = store_query_int(tx, e, &version,
			"SELECT coalesce(max(version), 0) + 1 FROM program_versions WHERE shop_id = $1",
			"s", shop)))
		return rc;
	buf_init(&b, 0);
	serialize(p, &b);
	rc = store_exec(tx, e, "INSERT INTO program_versions (shop_id, version, body, created_at)"
			" VALUES ($1, $2, $3, $4)", "sisi", shop, version, b.data, now);
	buf_free(&b);
	if (rc < 0)
		return rc;
	p->version = version;
	p->created_at = now;
	char vid[32];
	snprintf(vid, sizeof(vid), "program_v%lld", (long long)version);
	return event_record(tx, shop, "program.updated", vid, NULL, e);
}

static int load(struct store_tx *tx, struct arena *a, const char *shop, int64_t version,
		struct program *p, struct err *e)
{
	struct store_stmt *st = version
		? store_query(tx, e, "SELECT version, body, created_at FROM program_versions"
			      " WHERE shop_id = $1 AND version = $2", "si", shop, version)
		: store_query(tx, e, "SELECT version, body, created_at FROM program_versions"
			      " WHERE shop_id = $1 ORDER BY version DESC LIMIT 1", "s", shop);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	if (rc == 1) {	/* parse() starts from the defaults itself */
		parse(a, store_text(st, 1), p);
		p->version = store_int(st, 0);
		p->created_at = store_int(st, 2);
	} else {
		program_defaults(p);
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

int program_get(struct store_tx *tx, struct arena *a, const char *shop, struct program *p,
		struct err *e)
{
	return load(tx, a, shop, 0, p, e);
}

int program_get_version(struct store_tx *tx, struct arena *a, const char *shop, int64_t version,
			struct program *p, struct err *e)
{
	return load(tx, a, shop, version, p, e);
}

const struct program_tier *program_tier(const struct program *p, const char *name)
{
	for (int i = 0; name && i < p->ntiers; i++)
		if (!strcmp(p->tiers[i].name, name))
			return &p->tiers[i];
	return NULL;
}

static const char *times(int64_t percent, char *buf, size_t n)
{
	if (percent % 100 == 0)
		snprintf(buf, n, "%lld", (long long)(percent / 100));
	else
		snprintf(buf, n, "%lld.%02lld", (long long)(percent / 100), (long long)(percent % 100));
	return buf;
}

static const char *ordinal(int64_t n, char *buf, size_t size)
{
	const char *suffix = n % 100 >= 11 && n % 100 <= 13 ? "th"
			   : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
	snprintf(buf, size, "%lld%s", (long long)n, suffix);
	return buf;
}

static const char *basis_words(const char *basis)
{
	return !strcmp(basis, "points_earned") ? "points earned"
	     : !strcmp(basis, "net_spend") ? "spend (in the currency's smallest unit, after refunds)"
	     : "paid orders";
}

char *program_terms(struct arena *a, const struct program *p)
{
	struct buf b;
	char x[32];
	buf_init(&b, 0);
	if (!p->version) {
		buf_puts(&b, "This shop has no loyalty programme yet.\n");
		goto out;
	}
	buf_puts(&b, "Joining is free and asks for nothing beyond what you give at checkout.\n");
	buf_printf(&b, "You earn %lld point%s for every whole unit of currency you pay for products,"
		       " after discounts", (long long)p->points_per_unit,
		   p->points_per_unit == 1 ? "" : "s");
	if (p->include_shipping || p->include_tax)
		buf_printf(&b, ", including %s", p->include_shipping && p->include_tax
			   ? "shipping and tax" : p->include_shipping ? "shipping" : "tax");
	else
		buf_puts(&b, "; shipping and tax earn nothing");
	buf_puts(&b, ".\n");
	if (p->min_order)
		buf_printf(&b, "Orders below %lld (in the currency's smallest unit) earn no points.\n",
			   (long long)p->min_order);
	for (int i = 0; i < p->nmultipliers; i++)
		buf_printf(&b, "Products with %s \"%s\" earn %s times the points.\n",
			   !strcmp(p->multipliers[i].type, "channel") ? "orders placed through channel"
			   : p->multipliers[i].type, p->multipliers[i].value,
			   times(p->multipliers[i].percent, x, sizeof(x)));
	buf_puts(&b, "Points are earned when an order is paid");
	if (p->pending_days)
		buf_printf(&b, " and can be spent %lld day%s later, after the return window",
			   (long long)p->pending_days, p->pending_days == 1 ? "" : "s");
	buf_puts(&b, ".\nPoints for products you return are taken back in proportion to what was"
		     " refunded.\n");
	if (!strcmp(p->refund_policy, "debt"))
		buf_puts(&b, "If those points were already spent, your balance can go below zero until"
			     " you earn them again.\n");
	if (!strcmp(p->expiry, "never"))
		buf_puts(&b, "Points never expire.\n");
	else if (!strcmp(p->expiry, "days"))
		buf_printf(&b, "Points expire %lld days after they are earned.\n", (long long)p->expiry_n);
	else if (!strcmp(p->expiry, "inactivity"))
		buf_printf(&b, "Points expire only after %lld days without any purchase or use of points.\n",
			   (long long)p->expiry_n);
	else
		buf_printf(&b, "Points expire at the end of the month, %lld month%s after the month they"
			       " are earned in.\n", (long long)p->expiry_n, p->expiry_n == 1 ? "" : "s");
	if (strcmp(p->expiry, "never") && strcmp(p->expiry, "inactivity") && p->reminder_days)
		buf_printf(&b, "We remind you %lld days before points expire.\n",
			   (long long)p->reminder_days);
	for (int i = 0; i < p->nmilestones; i++) {
		const struct program_milestone *m = &p->milestones[i];
		if (!strcmp(m->type, "every"))
			buf_printf(&b, "Every %s paid order brings", ordinal(m->n, x, sizeof(x)));
		else
			buf_printf(&b, "Your %s paid order brings", ordinal(m->n, x, sizeof(x)));
		if (m->gift)
			buf_printf(&b, " %s", m->gift);
		if (m->gift && m->points)
			buf_puts(&b, " and");
		if (m->points)
			buf_printf(&b, " %lld bonus points", (long long)m->points);
		buf_puts(&b, !p->milestone_survives_partial_refund
			     ? "; it is withdrawn if that order is refunded, even in part.\n"
			     : "; it is withdrawn if that order is refunded in full.\n");
	}
	if (p->cashback_bp)
		buf_printf(&b, "You also get %lld.%02lld%% of what you pay back as store credit, in the"
			       " order's currency; returns take it back in proportion.\n",
			   (long long)(p->cashback_bp / 100), (long long)(p->cashback_bp % 100));
	for (int i = 0; i < p->nbonuses; i++) {
		static const struct { const char *action, *words; } said[] = {
			{ "signup", "joining" }, { "account_created", "creating an account" },
			{ "review", "writing a review" }, { "birthday", "your birthday" } };
		const char *words = p->bonuses[i].action;
		for (size_t k = 0; k < sizeof(said) / sizeof(said[0]); k++)
			if (!strcmp(said[k].action, words))
				words = said[k].words;
		buf_printf(&b, "Bonus for %s: %lld points", words, (long long)p->bonuses[i].points);
		if (p->bonuses[i].per_customer_limit)
			buf_printf(&b, " (at most %lld time%s)", (long long)p->bonuses[i].per_customer_limit,
				   p->bonuses[i].per_customer_limit == 1 ? "" : "s");
		buf_puts(&b, ".\n");
	}
	if (p->point_value)
		buf_printf(&b, "Points can pay for part of an order: each point is worth %lld (in the"
			       " currency's smallest unit).\n", (long long)p->point_value);
	for (int i = 0; i < p->nrewards; i++) {
		const struct program_reward *w = &p->rewards[i];
		buf_printf(&b, "Reward \"%s\" costs %lld points", w->name, (long long)w->cost);
		if (w->per_customer_limit)
			buf_printf(&b, ", at most %lld per customer", (long long)w->per_customer_limit);
		if (w->stock >= 0)
			buf_printf(&b, ", while stock lasts (%lld in all)", (long long)w->stock);
		buf_puts(&b, "; a redemption can be cancelled and its points come back with their"
			     " original expiry.\n");
	}
	for (int i = 0; i < p->ntiers; i++) {
		const struct program_tier *t = &p->tiers[i];
		buf_printf(&b, "Tier \"%s\": reached with %lld %s in the last %lld days; earns %s times"
			       " the points", t->name, (long long)t->threshold, basis_words(p->tier_basis),
			   (long long)p->tier_window_days, times(t->earn_percent, x, sizeof(x)));
		if (t->free_shipping)
			buf_puts(&b, ", free shipping");
		if (t->early_access)
			buf_puts(&b, ", early access to sales");
		buf_puts(&b, ".\n");
	}
	if (p->ntiers)
		buf_printf(&b, "Tiers depend on what you earned, never on your balance, so spending points"
			       " never costs you a tier. %s\n", !strcmp(p->downgrade, "one_down")
			   ? "If you no longer qualify, you move down one tier at a time."
			   : "If you no longer qualify, your tier is recalculated from the window.");
out:;
	char *s = arena_strdup(a, b.data ? b.data : "");
	buf_free(&b);
	return s;
}
