/* coupon.c: see coupon.h. Validation rules in the order they are asked:
 * docs/coupons.md, "Why a code is refused". */
#include "coupon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/clock.h"
#include "../base/secure.h"
#include "customer.h"
#include "event.h"
#include "offers.h"
#include "order.h"
#include "referral.h"

const char *const coupon_reasons[] = {
	"unknown_code", "not_started", "expired", "already_used", "limit_reached",
	"budget_exhausted", "min_cart_not_met", "not_eligible", "currency_mismatch",
	"not_combinable", NULL
};

static int code_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int coupon_normalize(const char *in, const char *param, char out[COUPON_CODE_MAX + 1],
		     struct err *e)
{
	size_t n = 0;
	while (*in == ' ' || *in == '\t')
		in++;
	size_t len = strlen(in);
	while (len && (in[len - 1] == ' ' || in[len - 1] == '\t'))
		len--;
	if (!len)
		return err_set(e, ERR_INVALID, param, "\"%s\" is empty", param);
	if (len > COUPON_CODE_MAX)
		return err_set(e, ERR_INVALID, param, "\"%s\" is longer than %d characters", param,
			       COUPON_CODE_MAX);
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)in[i];
		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (!code_char(c))
			return err_set(e, ERR_INVALID, param, "a code has letters, digits, '-' and '_'"
				       " only");
		out[n++] = (char)c;
	}
	out[n] = 0;
	return 0;
}

/* One new code of the campaign (ON CONFLICT: another is drawn). */
static int insert_code(struct store_tx *tx, const char *shop, const char *campaign,
		       const char *prefix, int64_t length, const char *kind, const char *source,
		       const char *customer, int64_t valid_from, int64_t expires_at,
		       char out[COUPON_CODE_MAX + 1], struct err *e)
{
	for (int tries = 0; tries < 8; tries++) {
		secure_random_from(COUPON_ALPHABET, prefix, (size_t)length, out, COUPON_CODE_MAX + 1);
		int rc = store_exec(tx, e,
			"INSERT INTO coupon_codes (shop_id, code, campaign_id, kind, source, customer_id,"
			" valid_from, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6,"
			" nullif($7, 0), nullif($8, 0), $9) ON CONFLICT (shop_id, code) DO NOTHING",
			"ssssssiii", shop, out, campaign, kind, source, customer, valid_from, expires_at,
			clock_now_ms());
		if (rc != 0)
			return rc < 0 ? rc : 0;
	}
	/* 8 collisions in a row at >= 54 bits: the prefix leaves no room. */
	return err_setc(e, ERR_CONFLICT, "code_space_exhausted", "length",
			"no free code found: use a longer \"length\"");
}

int coupon_generate(struct store_tx *tx, struct arena *a, const char *shop,
		    const char *campaign_id, int64_t count, const char *prefix,
		    int64_t length, const char ***codes, struct err *e)
{
	struct campaign c;
	char p[COUPON_CODE_MAX + 1] = "", code[COUPON_CODE_MAX + 1];
	int rc;
	if ((rc = campaign_get(tx, a, shop, campaign_id, &c, e)))
		return rc;
	if (strcmp(c.type, "unique"))
		return err_setc(e, ERR_REFUSED, "campaign_type_mismatch", "id", "only a unique campaign"
				" has generated codes; campaign \"%s\" is %s", c.id, c.type);
	if (!strcmp(c.status, "ended"))
		return err_setc(e, ERR_CONFLICT, "campaign_ended", "id", "campaign \"%s\" has ended", c.id);
	if (count < 1 || count > COUPON_GENERATE_MAX)
		return err_set(e, ERR_INVALID, "count", "\"count\" is 1 to %d per call", COUPON_GENERATE_MAX);
	if (!length)
		length = COUPON_LENGTH_DEFAULT;
	if (length < COUPON_LENGTH_MIN || length > COUPON_LENGTH_MAX)
		return err_set(e, ERR_INVALID, "length", "\"length\" is %d to %d characters (%d or more"
			       " keep a code unguessable)", COUPON_LENGTH_MIN, COUPON_LENGTH_MAX,
			       COUPON_LENGTH_MIN);
	if (prefix) {
		if (strlen(prefix) > COUPON_PREFIX_MAX)
			return err_set(e, ERR_INVALID, "prefix", "\"prefix\" is at most %d characters",
				       COUPON_PREFIX_MAX);
		if ((rc = coupon_normalize(prefix, "prefix", p, e)))
			return rc;
	}
	if (codes)
		*codes = arena_alloc(a, (size_t)count * sizeof(**codes));
	for (int64_t i = 0; i < count; i++) {
		if ((rc = insert_code(tx, shop, c.id, p, length, "single", "generated", NULL, 0, 0,
				      code, e)))
			return rc;
		if (codes)
			(*codes)[i] = arena_strdup(a, code);
	}
	return event_record(tx, shop, "campaign.codes_generated", c.id, NULL, e);
}

int coupon_import(struct store_tx *tx, struct arena *a, const char *shop,
		  const char *campaign_id, const char *const *codes, int n,
		  int64_t *imported, int64_t *skipped, struct err *e)
{
	struct campaign c;
	int rc;
	*imported = *skipped = 0;
	if ((rc = campaign_get(tx, a, shop, campaign_id, &c, e)))
		return rc;
	if (strcmp(c.type, "unique"))
		return err_setc(e, ERR_REFUSED, "campaign_type_mismatch", "id", "only a unique campaign"
				" takes imported codes; campaign \"%s\" is %s", c.id, c.type);
	if (!strcmp(c.status, "ended"))
		return err_setc(e, ERR_CONFLICT, "campaign_ended", "id", "campaign \"%s\" has ended", c.id);
	char (*norm)[COUPON_CODE_MAX + 1] = arena_alloc(a, (size_t)n * sizeof(*norm));
	for (int i = 0; i < n; i++) {
		char param[32];
		snprintf(param, sizeof(param), "codes[%d]", i);
		if ((rc = coupon_normalize(codes[i], param, norm[i], e)))
			return rc;
		for (int j = 0; j < i; j++)
			if (!strcmp(norm[j], norm[i]))
				return err_set(e, ERR_INVALID, param, "code \"%s\" is listed twice", norm[i]);
	}
	for (int i = 0; i < n; i++) {
		struct coupon_code old;
		rc = coupon_get(tx, a, shop, norm[i], &old, e);
		if (rc == 0 && !strcmp(old.campaign_id, c.id)) {
			(*skipped)++;
			continue;
		}
		if (rc == 0)
			return err_setc(e, ERR_CONFLICT, "code_exists", "codes", "code \"%s\" belongs to"
					" another campaign; nothing was imported", norm[i]);
		if (rc != ERR_NOT_FOUND)
			return rc;
		rc = store_exec(tx, e, "INSERT INTO coupon_codes (shop_id, code, campaign_id, kind, source,"
				" created_at) VALUES ($1, $2, $3, 'single', 'imported', $4)", "sssi",
				shop, norm[i], c.id, clock_now_ms());
		if (rc < 0)
			return rc;
		(*imported)++;
	}
	return *imported ? event_record(tx, shop, "campaign.codes_imported", c.id, NULL, e) : 0;
}

int coupon_issue(struct store_tx *tx, const char *shop, const struct campaign *c,
		 const char *customer, const char *source, int64_t valid_from,
		 int64_t expires_at, char out[COUPON_CODE_MAX + 1], struct err *e)
{
	return insert_code(tx, shop, c->id, "", COUPON_LENGTH_DEFAULT, "personal", source, customer,
			   valid_from, expires_at, out, e);
}

#define CODE_COLUMNS "code, campaign_id, kind, source, customer_id, owner_id," \
	" coalesce(valid_from, 0), coalesce(expires_at, 0), created_at"

/* The state of a code at now, from its campaign and its live redemptions. */
static int code_state(struct store_tx *tx, struct arena *a, const char *shop,
		      struct coupon_code *k, struct err *e)
{
	struct campaign c;
	int64_t now = clock_now_ms(), reserved = 0;
	int rc = campaign_get(tx, a, shop, k->campaign_id, &c, e);
	struct store_stmt *st = rc ? NULL : store_query(tx, e,
		"SELECT status, count(*) FROM coupon_redemptions WHERE shop_id = $1 AND code = $2"
		" AND (status = 'final' OR (status = 'reserved' AND reserved_until > $3))"
		" GROUP BY status", "ssi", shop, k->code, now);
	if (rc || !st)
		return rc ? rc : e->kind;
	k->uses = 0;
	while ((rc = store_step(st, e)) == 1) {
		k->uses += store_int(st, 1);
		if (!strcmp(store_text(st, 0), "reserved"))
			reserved = store_int(st, 1);
	}
	store_done(st);
	if (rc < 0)
		return rc;
	int single = strcmp(k->kind, "shared") && strcmp(k->kind, "referral");
	if (single && k->uses)
		k->state = reserved ? "reserved" : "used";
	else if (!strcmp(c.status, "ended") || (c.ends_at && now >= c.ends_at) ||
		 (k->expires_at && now >= k->expires_at))
		k->state = "expired";
	else if (!strcmp(c.status, "draft") || now < c.starts_at ||
		 (k->valid_from && now < k->valid_from))
		k->state = "not_started";
	else
		k->state = "available";
	return 0;
}

/* Returns the number of columns read (CODE_COLUMNS'): a query may select
 * more after them. */
static int row_to_code(struct store_stmt *st, struct arena *a, struct coupon_code *k)
{
	memset(k, 0, sizeof(*k));
	k->code = arena_strdup(a, store_text(st, 0));
	k->campaign_id = arena_strdup(a, store_text(st, 1));
	k->kind = arena_strdup(a, store_text(st, 2));
	k->source = arena_strdup(a, store_text(st, 3));
	k->customer_id = store_text(st, 4) ? arena_strdup(a, store_text(st, 4)) : NULL;
	k->owner_id = store_text(st, 5) ? arena_strdup(a, store_text(st, 5)) : NULL;
	k->valid_from = store_int(st, 6);
	k->expires_at = store_int(st, 7);
	k->created_at = store_int(st, 8);
	return 9;
}

/* Reads rows of st into *out, then each one's state. */
static int read_codes(struct store_tx *tx, struct arena *a, const char *shop,
		      struct store_stmt *st, int max, struct coupon_code **out, int *n,
		      struct err *e)
{
	int rc = 0;
	if (!st)
		return e->kind;
	*out = arena_alloc(a, (size_t)(max > 0 ? max : 1) * sizeof(**out));
	*n = 0;
	while (*n < max && (rc = store_step(st, e)) == 1)
		row_to_code(st, a, &(*out)[(*n)++]);
	store_done(st);
	if (rc < 0)
		return rc;
	for (int i = 0; i < *n; i++)
		if ((rc = code_state(tx, a, shop, &(*out)[i], e)))
			return rc;
	return 0;
}

int coupon_get(struct store_tx *tx, struct arena *a, const char *shop, const char *code,
	       struct coupon_code *out, struct err *e)
{
	struct coupon_code *list;
	int n, rc = read_codes(tx, a, shop, store_query(tx, e, "SELECT " CODE_COLUMNS
			       " FROM coupon_codes WHERE shop_id = $1 AND code = $2", "ss", shop, code),
			       1, &list, &n, e);
	if (rc)
		return rc;
	if (!n)
		return err_setc(e, ERR_NOT_FOUND, "unknown_code", "code", "no code \"%s\"", code);
	*out = list[0];
	return 0;
}

/* The code's row alone, without its state (which costs its campaign and its
 * redemptions): for validation, which reads both itself. With campaign_at,
 * also the campaign row's updated_at (-1 when it is gone), read with it. */
static int code_row(struct store_tx *tx, struct arena *a, const char *shop, const char *code,
		    struct coupon_code *out, int64_t *campaign_at, struct err *e)
{
	struct store_stmt *st = campaign_at
		? store_query(tx, e, "SELECT " CODE_COLUMNS ", coalesce((SELECT c.updated_at FROM"
			      " campaigns c WHERE c.shop_id = coupon_codes.shop_id AND c.id ="
			      " coupon_codes.campaign_id), -1) FROM coupon_codes WHERE shop_id = $1"
			      " AND code = $2", "ss", shop, code)
		: store_query(tx, e, "SELECT " CODE_COLUMNS " FROM coupon_codes WHERE shop_id = $1"
			      " AND code = $2", "ss", shop, code);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	if (rc == 1) {
		int next = row_to_code(st, a, out);
		if (campaign_at)
			*campaign_at = store_int(st, next);
	}
	store_done(st);
	if (rc < 0)
		return rc;
	if (!rc)
		return err_setc(e, ERR_NOT_FOUND, "unknown_code", "code", "no code \"%s\"", code);
	return 0;
}

int coupon_list(struct store_tx *tx, struct arena *a, const char *shop,
		const char *campaign_id, const char *starting_after, int limit,
		struct coupon_code **out, int *n, int *has_more, struct err *e)
{
	struct campaign c;
	int rc = campaign_get(tx, a, shop, campaign_id, &c, e);
	if (rc)
		return rc;
	rc = read_codes(tx, a, shop, store_query(tx, e, "SELECT " CODE_COLUMNS " FROM coupon_codes"
			" WHERE shop_id = $1 AND campaign_id = $2 AND ($3 IS NULL OR code > $3)"
			" ORDER BY code LIMIT $4", "sssi", shop, campaign_id, starting_after,
			(int64_t)limit + 1), limit + 1, out, n, e);
	*has_more = *n > limit;
	if (*has_more)
		*n = limit;
	return rc;
}

int coupon_list_held(struct store_tx *tx, struct arena *a, const char *shop,
		     const char *customer, struct coupon_code **out, int *n, struct err *e)
{
	int64_t count;
	int rc = store_query_int(tx, e, &count, "SELECT count(*) FROM coupon_codes WHERE shop_id = $1"
				 " AND customer_id = $2", "ss", shop, customer);
	if (rc)
		return rc;
	return read_codes(tx, a, shop, store_query(tx, e, "SELECT " CODE_COLUMNS " FROM coupon_codes"
			  " WHERE shop_id = $1 AND customer_id = $2 ORDER BY created_at DESC, code",
			  "ss", shop, customer), (int)count, out, n, e);
}

/* ---- validation ---- */

struct ctx {
	struct store_tx *tx;
	struct arena *a;
	const char *shop;
	const struct coupon_request *rq;
	struct coupon_check *out;
	struct coupon_code code;
	struct order order;
	int has_order;
	struct discount_cart cart;
	int64_t now;
};

static int refuse(struct coupon_check *out, const char *reason, const char *message)
{
	out->valid = 0;
	out->reason = reason;
	out->message = message;
	return 0;
}

/* The order's lines as the cart. */
static void cart_of_order(struct arena *a, const struct order *o, struct discount_cart *cart)
{
	struct discount_line *l = arena_alloc(a, (size_t)(o->nlines ? o->nlines : 1) * sizeof(*l));
	for (int i = 0; i < o->nlines; i++) {
		l[i].sku = o->lines[i].sku;
		l[i].category = o->lines[i].category;
		l[i].quantity = o->lines[i].quantity;
		l[i].unit_price = o->lines[i].unit_price;
	}
	cart->currency = o->currency;
	cart->channel = o->channel;
	cart->lines = l;
	cart->nlines = o->nlines;
	cart->shipping = o->shipping;
}

static int load_parties(struct ctx *x, struct err *e)
{
	const struct coupon_request *rq = x->rq;
	int rc;
	if (rq->order) {
		if ((rc = order_get(x->tx, x->a, x->shop, rq->order, &x->order, e))) {
			snprintf(e->param, sizeof(e->param), "order");
			return rc;
		}
		x->has_order = 1;
		snprintf(x->out->order_id, ID_MAX, "%s", x->order.id);
	}
	if (rq->customer) {
		if ((rc = customer_resolve(x->tx, x->shop, rq->customer, "customer", x->out->customer_id, e)))
			return rc;
		if (x->has_order && strcmp(x->order.customer_id, x->out->customer_id))
			return err_set(e, ERR_INVALID, "order", "order \"%s\" belongs to another customer",
				       x->order.id);
	} else if (x->has_order) {
		snprintf(x->out->customer_id, ID_MAX, "%s", x->order.customer_id);
	}
	if (rq->cart)
		x->cart = *rq->cart;
	else if (x->has_order)
		cart_of_order(x->a, &x->order, &x->cart);
	else
		return err_setc(e, ERR_INVALID, "parameter_missing", "cart",
				"send the \"cart\" (or the \"order\" it is for)");
	return 0;
}

/* Live redemptions (final, or reserved until later than now) of other
 * orders: of the code, of the customer in the campaign, or of the campaign
 * (final ones only when final_only). */
#define LIVE_OTHERS " FROM coupon_redemptions WHERE shop_id = $1 AND order_id <> $2" \
	" AND (status = 'final' OR (status = 'reserved' AND reserved_until > $3 AND $4 = 0))"

static int live_of_code(struct ctx *x, int64_t *n, struct err *e)
{
	return store_query_int(x->tx, e, n, "SELECT count(*)" LIVE_OTHERS " AND code = $5", "ssiis",
			       x->shop, x->out->order_id, x->now, (int64_t)0, x->code.code);
}

static int live_of_customer(struct ctx *x, int64_t *n, struct err *e)
{
	return store_query_int(x->tx, e, n, "SELECT count(*)" LIVE_OTHERS " AND campaign_id = $5"
			       " AND customer_id = $6", "ssiiss", x->shop, x->out->order_id, x->now,
			       (int64_t)0, x->out->campaign.id, x->out->customer_id);
}

static int live_of_campaign(struct ctx *x, int final_only, int64_t *uses, int64_t *discount,
			    struct err *e)
{
	struct store_stmt *st = store_query(x->tx, e, "SELECT count(*), coalesce(sum(discount), 0)"
		LIVE_OTHERS " AND campaign_id = $5", "ssiis", x->shop, x->out->order_id, x->now,
		(int64_t)final_only, x->out->campaign.id);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	*uses = rc == 1 ? store_int(st, 0) : 0;
	*discount = rc == 1 ? store_int(st, 1) : 0;
	store_done(st);
	return rc < 0 ? rc : 0;
}

/* Window, holder and targeting: may this customer use this code now? */
static int check_access(struct ctx *x, const char **reason, const char **message,
			struct err *e)
{
	const struct campaign *c = &x->out->campaign;
	const char *customer = *x->out->customer_id ? x->out->customer_id : NULL;
	int64_t from;
	int targeted, rc;
	*reason = NULL;
	if (!strcmp(c->status, "ended") || (c->ends_at && x->now >= c->ends_at))
		return *reason = "expired", *message = "this campaign has ended", 0;
	if (x->code.expires_at && x->now >= x->code.expires_at)
		return *reason = "expired", *message = "this code has expired", 0;
	if (!strcmp(c->status, "draft"))
		return *reason = "not_started", *message = "this campaign has not started", 0;
	if ((rc = campaign_opens_for(x->tx, x->a, x->shop, c, customer, &from, &targeted, e)))
		return rc;
	if (x->now < from)
		return *reason = "not_started", *message = "this campaign has not started yet", 0;
	if (x->code.valid_from && x->now < x->code.valid_from)
		return *reason = "not_started", *message = "this code is not valid yet", 0;
	if (x->code.customer_id && (!customer || strcmp(customer, x->code.customer_id)))
		return *reason = "not_eligible", *message = "this code belongs to another customer", 0;
	if (!targeted)
		return *reason = "not_eligible", *message = customer
			? "this offer is not for this customer" : "this offer needs a known customer", 0;
	if (!strcmp(x->code.kind, "referral"))
		return referral_check(x->tx, x->shop, &x->code, customer, x->out->order_id, reason,
				      message, e);
	return 0;
}


static int check_uses(struct ctx *x, const char **reason, const char **message,
		      struct err *e)
{
	const struct campaign *c = &x->out->campaign;
	int honour = !strcmp(c->concurrency, "honour");
	int64_t n, discount;
	int rc;
	*reason = NULL;
	if (strcmp(x->code.kind, "shared") && strcmp(x->code.kind, "referral")) {
		if ((rc = live_of_code(x, &n, e)))
			return rc;
		if (n)
			return *reason = "already_used", *message = "this code has been used", 0;
	}
	if (c->per_customer && *x->out->customer_id) {
		if ((rc = live_of_customer(x, &n, e)))
			return rc;
		if (n >= c->per_customer)
			return *reason = "limit_reached", *message = c->per_customer == 1
				? "this customer has used this offer already"
				: "this customer has used this offer as often as it allows", 0;
	}
	if (c->total_uses) {
		if ((rc = live_of_campaign(x, honour, &n, &discount, e)))
			return rc;
		if (n >= c->total_uses)
			return *reason = "limit_reached", *message = "this offer has been used as often"
				" as it allows", 0;
	}
	return 0;
}

/* Has the customer a paid order other than this one? */
static int has_paid_order(struct ctx *x, int *yes, struct err *e)
{
	int64_t n;
	int rc = store_query_int(x->tx, e, &n, "SELECT count(*) FROM orders WHERE shop_id = $1"
				 " AND customer_id = $2 AND id <> $3 AND paid_amount > 0", "sss",
				 x->shop, x->out->customer_id, x->out->order_id);
	*yes = n > 0;
	return rc;
}

static int check_cart(struct ctx *x, const char **reason, const char **message,
		      struct err *e)
{
	const struct campaign *c = &x->out->campaign;
	const char *currency = c->discount_currency ? c->discount_currency : c->currency;
	int rc;
	*reason = NULL;
	if (currency && (!x->cart.currency || strcmp(currency, x->cart.currency)))
		return *reason = "currency_mismatch", *message = arena_printf(x->a, "this offer is"
			" in \"%s\", the cart in \"%s\"", currency, x->cart.currency ? x->cart.currency : ""), 0;
	if (c->channels.n && (!x->cart.channel || !campaign_list_has(&c->channels, x->cart.channel)))
		return *reason = "not_eligible", *message = "this offer is not valid on this channel", 0;
	if (c->first_order_only) {
		int yes = 0;
		if (!*x->out->customer_id)
			return *reason = "not_eligible", *message = "this offer is for a first order:"
				" it needs the customer", 0;
		if ((rc = has_paid_order(x, &yes, e)))
			return rc;
		if (yes)
			return *reason = "not_eligible", *message = "this offer is for a first order", 0;
	}
	if (c->min_cart && discount_cart_subtotal(&x->cart) < c->min_cart)
		return *reason = "min_cart_not_met", *message = arena_printf(x->a, "the cart must come"
			" to at least %lld (minor units)", (long long)c->min_cart), 0;
	return 0;
}

int coupon_order_discounts(struct store_tx *tx, const char *shop, const char *order_id,
			   const char *except_code, int64_t *count, int64_t *total, int *exclusive,
			   struct err *e)
{
	int rc;
	*count = *total = 0;
	*exclusive = 0;
	struct store_stmt *st = store_query(tx, e,
		"SELECT r.discount, c.stacking FROM coupon_redemptions r JOIN campaigns c"
		" ON c.shop_id = r.shop_id AND c.id = r.campaign_id WHERE r.shop_id = $1"
		" AND r.order_id = $2 AND r.code <> $3 AND (r.status = 'final' OR (r.status ="
		" 'reserved' AND r.reserved_until > $4))", "sssi", shop, order_id,
		except_code ? except_code : "", clock_now_ms());
	if (!st)
		return e->kind;
	while ((rc = store_step(st, e)) == 1) {
		(*count)++;
		*total += store_int(st, 0);
		*exclusive |= !strcmp(store_text(st, 1), "exclusive");
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

/* The order's other discounts: coupon redemptions of other codes and the
 * programme's points paid for it (one discount). */
static int others_on_order(struct ctx *x, int64_t *count, int64_t *total, int *exclusive,
			   struct err *e)
{
	int rc;
	*count = *total = 0;
	*exclusive = 0;
	if (!x->has_order)
		return 0;
	if ((rc = coupon_order_discounts(x->tx, x->shop, x->order.id, x->code.code, count, total,
					 exclusive, e)))
		return rc;
	int64_t points_value, n;
	if ((rc = store_query_int(x->tx, e, &n, "SELECT count(*) FROM redemptions WHERE shop_id = $1"
				  " AND order_id = $2 AND kind = 'points_discount' AND status = 'active'",
				  "ss", x->shop, x->order.id)) ||
	    (rc = store_query_int(x->tx, e, &points_value, "SELECT coalesce(sum(value), 0) FROM"
				  " redemptions WHERE shop_id = $1 AND order_id = $2 AND kind ="
				  " 'points_discount' AND status = 'active'", "ss", x->shop, x->order.id)))
		return rc;
	if (n) {
		(*count)++;
		*total += points_value;
	}
	return 0;
}

static int price(struct ctx *x, const char **reason, const char **message, struct err *e)
{
	const struct campaign *c = &x->out->campaign;
	int64_t others, others_total, cap = 0, uses, given;
	int exclusive, rc;
	*reason = NULL;
	if ((rc = others_on_order(x, &others, &others_total, &exclusive, e)))
		return rc;
	if (others && (exclusive || !strcmp(c->stacking, "exclusive")))
		return *reason = "not_combinable", *message = "this offer does not combine with the"
			" order's other discounts", 0;
	if (c->max_total_discount) {
		cap = c->max_total_discount - others_total;
		if (cap <= 0)
			return *reason = "not_combinable", *message = "the order's discounts are at their"
				" maximum already", 0;
	}
	discount_apply(c, &x->cart, cap, x->a, &x->out->discount);
	const char *k = c->discount_kind;
	if (k && (!strcmp(k, "percent") || !strcmp(k, "fixed")) && !x->out->discount.neligible)
		return *reason = "not_eligible", *message = "no product in the cart is part of this"
			" offer", 0;
	if (c->budget) {
		if ((rc = live_of_campaign(x, !strcmp(c->concurrency, "honour"), &uses, &given, e)))
			return rc;
		if (given >= c->budget || x->out->discount.total > c->budget - given)
			return *reason = "budget_exhausted", *message = "this offer's budget is spent", 0;
	}
	return 0;
}

int coupon_validate(struct store_tx *tx, struct arena *a, const char *shop,
		    const struct coupon_request *rq, struct coupon_check *out, struct err *e)
{
	struct ctx x = { .tx = tx, .a = a, .shop = shop, .rq = rq, .out = out,
			 .now = clock_now_ms() };
	char code[COUPON_CODE_MAX + 1];
	const char *reason = NULL, *message = NULL;
	int64_t campaign_at = -1;
	int rc;
	memset(out, 0, sizeof(*out));
	if ((rc = load_parties(&x, e)))
		return rc;
	out->nlines = x.cart.nlines;
	out->currency = x.cart.currency;
	out->cart = x.cart;
	/* What a customer typed: a code that cannot exist is simply unknown. */
	if (coupon_normalize(rq->code ? rq->code : "", "code", code, e)) {
		err_clear(e);
		return refuse(out, "unknown_code", "no such code");
	}
	out->code = arena_strdup(a, code);
	rc = code_row(tx, a, shop, code, &x.code, &campaign_at, e);
	if (rc == ERR_NOT_FOUND) {
		err_clear(e);
		return refuse(out, "unknown_code", "no such code");
	}
	if (rc || (rc = campaign_get_at(tx, a, shop, x.code.campaign_id, campaign_at,
					   &out->campaign, e)))
		return rc;
	if (x.has_order && (!strcmp(x.order.status, "cancelled") || !strcmp(x.order.status, "refunded")))
		return err_setc(e, ERR_CONFLICT, "order_status_conflict", "order", "order \"%s\" is %s",
				x.order.id, x.order.status);
	if ((rc = check_access(&x, &reason, &message, e)) || reason ||
	    (rc = check_uses(&x, &reason, &message, e)) || reason ||
	    (rc = check_cart(&x, &reason, &message, e)) || reason ||
	    (rc = price(&x, &reason, &message, e)) || reason)
		return rc ? rc : refuse(out, reason, message);
	out->valid = 1;
	return 0;
}

/* ---- redemptions ---- */

#define RED_COLUMNS "id, code, campaign_id, customer_id, order_id, status, currency, discount," \
	" shipping_discount, lines, overuse, reserved_until, release_reason, created_at," \
	" coalesce(finalized_at, 0), coalesce(released_at, 0)"

/* lines: every cart line's discount and SKU, "amount sku" one per line. */
static void parse_lines(struct arena *a, const char *s, struct coupon_redemption *r)
{
	int n = 1;
	for (const char *p = s; p && *p; p++)
		n += *p == '\n';
	r->lines = arena_alloc(a, (size_t)n * sizeof(int64_t));
	r->skus = arena_alloc(a, (size_t)n * sizeof(*r->skus));
	r->nlines = 0;
	for (const char *p = s; p && *p && r->nlines < n; ) {
		char *end;
		const char *nl = strchr(p, '\n');
		r->lines[r->nlines] = strtoll(p, &end, 10);
		if (*end == ' ')
			end++;
		size_t len = nl ? (size_t)(nl - end) : strlen(end);
		r->skus[r->nlines++] = len ? arena_strndup(a, end, len) : NULL;
		p = nl ? nl + 1 : p + strlen(p);
	}
}

static void row_to_redemption(struct store_stmt *st, struct arena *a, struct coupon_redemption *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", store_text(st, 0));
	r->code = arena_strdup(a, store_text(st, 1));
	r->campaign_id = arena_strdup(a, store_text(st, 2));
	r->customer_id = arena_strdup(a, store_text(st, 3));
	r->order_id = arena_strdup(a, store_text(st, 4));
	r->status = arena_strdup(a, store_text(st, 5));
	r->currency = arena_strdup(a, store_text(st, 6));
	r->discount = store_int(st, 7);
	r->shipping_discount = store_int(st, 8);
	parse_lines(a, store_text(st, 9), r);
	r->overuse = (int)store_int(st, 10);
	r->reserved_until = store_int(st, 11);
	r->release_reason = store_text(st, 12) ? arena_strdup(a, store_text(st, 12)) : NULL;
	r->created_at = store_int(st, 13);
	r->finalized_at = store_int(st, 14);
	r->released_at = store_int(st, 15);
}

static int read_redemptions(struct store_stmt *st, struct arena *a, int max,
			    struct coupon_redemption **out, int *n, struct err *e)
{
	int rc = 0;
	if (!st)
		return e->kind;
	*out = arena_alloc(a, (size_t)(max > 0 ? max : 1) * sizeof(**out));
	*n = 0;
	while (*n < max && (rc = store_step(st, e)) == 1)
		row_to_redemption(st, a, &(*out)[(*n)++]);
	store_done(st);
	return rc < 0 ? rc : 0;
}

int coupon_redemption_get(struct store_tx *tx, struct arena *a, const char *shop,
			  const char *id, struct coupon_redemption *out, struct err *e)
{
	struct coupon_redemption *list;
	int n, rc = read_redemptions(store_query(tx, e, "SELECT " RED_COLUMNS " FROM"
			" coupon_redemptions WHERE shop_id = $1 AND id = $2", "ss", shop, id), a, 1,
			&list, &n, e);
	if (rc)
		return rc;
	if (!n)
		return err_set(e, ERR_NOT_FOUND, "id", "no coupon redemption \"%s\"", id);
	*out = list[0];
	return 0;
}

static const char *lines_text(struct arena *a, const struct discount_result *d,
			      const struct discount_cart *cart)
{
	size_t cap = 1, len = 0;
	for (int i = 0; i < cart->nlines; i++)
		cap += 22 + strlen(cart->lines[i].sku);
	char *s = arena_alloc(a, cap);
	*s = 0;
	for (int i = 0; i < cart->nlines; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s%lld %s", i ? "\n" : "",
					(long long)d->lines[i], cart->lines[i].sku);
	return s;
}

/* The live redemption of the code for the order, if any. */
static int find_live(struct store_tx *tx, struct arena *a, const char *shop, const char *order_id,
		     const char *code, struct coupon_redemption *out, int *found, struct err *e)
{
	struct coupon_redemption *list;
	int n, rc = read_redemptions(store_query(tx, e, "SELECT " RED_COLUMNS " FROM"
			" coupon_redemptions WHERE shop_id = $1 AND order_id = $2 AND code = $3"
			" AND status <> 'released'", "sss", shop, order_id, code), a, 1, &list, &n, e);
	*found = !rc && n;
	if (*found)
		*out = list[0];
	return rc;
}

static int finalize(struct store_tx *tx, const char *shop, const struct coupon_redemption *r,
		    const struct campaign *c, struct err *e);
static int set_released(struct store_tx *tx, const char *shop, const char *id, const char *customer,
			const char *reason, struct err *e);

/* The code's reservations past their time, released now rather than by the
 * next jobs run: they count for nothing already, and the unique indexes
 * must not hold them against a new redemption. */
static int release_lapsed(struct store_tx *tx, struct arena *a, const char *shop, const char *code,
			  struct err *e)
{
	char (*ids)[32];
	int64_t *unused;
	int n, rc = store_query_pairs(tx, e, a, &ids, &unused, &n,
		"SELECT id, reserved_until FROM coupon_redemptions WHERE shop_id = $1 AND code = $2"
		" AND status = 'reserved' AND reserved_until <= $3", "ssi", shop, code, clock_now_ms());
	for (int i = 0; !rc && i < n; i++) {
		struct coupon_redemption r;
		if (!(rc = coupon_redemption_get(tx, a, shop, ids[i], &r, e)))
			rc = set_released(tx, shop, r.id, r.customer_id, "timeout", e);
	}
	return rc;
}

int coupon_redeem(struct store_tx *tx, struct arena *a, const char *shop,
		  const struct coupon_request *rq, struct coupon_redemption *out,
		  int *created, struct err *e)
{
	struct coupon_check chk;
	char id[ID_MAX], code[COUPON_CODE_MAX + 1];
	int64_t now = clock_now_ms();
	int found, rc;
	*created = 0;
	if (!rq->order)
		return err_setc(e, ERR_INVALID, "parameter_missing", "order",
				"a redemption is for an \"order\"");
	if ((rc = coupon_validate(tx, a, shop, rq, &chk, e)))
		return rc;
	if (chk.valid || strcmp(chk.reason, "unknown_code")) {
		if ((rc = coupon_normalize(rq->code, "code", code, e)) ||
		    (rc = release_lapsed(tx, a, shop, code, e)) ||
		    (rc = find_live(tx, a, shop, chk.order_id, code, out, &found, e)) || found)
			return rc;
	}
	if (!chk.valid)
		return err_setc(e, ERR_REFUSED, chk.reason, "code", "%s", chk.message);
	struct coupon_code k;
	if ((rc = code_row(tx, a, shop, code, &k, NULL, e)))
		return rc;
	id_new(id, "crd_", now);
	int single = strcmp(k.kind, "shared") && strcmp(k.kind, "referral");
	rc = store_exec(tx, e,
		"INSERT INTO coupon_redemptions (shop_id, id, code, campaign_id, customer_id, order_id,"
		" single_use, status, currency, discount, shipping_discount, lines, reserved_until,"
		" created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'reserved', $8, $9, $10, $11, $12, $13)",
		"ssssssisiisii", shop, id, code, chk.campaign.id, chk.customer_id, chk.order_id,
		(int64_t)single, chk.currency ? chk.currency : "",
		chk.discount.total, chk.discount.shipping, lines_text(a, &chk.discount, &chk.cart),
		now + chk.campaign.reservation_minutes * 60000, now);
	if (rc < 0) {
		if (store_tx_was_unique_violation(tx))
			return err_setc(e, ERR_REFUSED, "already_used", "code", "this code has been used");
		return rc;
	}
	if ((rc = event_record(tx, shop, "coupon.reserved", id, chk.customer_id, e)) ||
	    (rc = coupon_redemption_get(tx, a, shop, id, out, e)))
		return rc;
	*created = 1;
	struct order o;
	if ((rc = order_get(tx, a, shop, chk.order_id, &o, e)))
		return rc;
	if (!strcmp(o.status, "paid") || !strcmp(o.status, "partially_refunded")) {
		if ((rc = finalize(tx, shop, out, &chk.campaign, e)))
			return rc;
		return coupon_redemption_get(tx, a, shop, id, out, e);
	}
	return 0;
}

static int set_released(struct store_tx *tx, const char *shop, const char *id, const char *customer,
			const char *reason, struct err *e)
{
	int rc = store_exec(tx, e, "UPDATE coupon_redemptions SET status = 'released',"
			    " release_reason = $3, released_at = $4 WHERE shop_id = $1 AND id = $2",
			    "sssi", shop, id, reason, clock_now_ms());
	if (rc < 0)
		return rc;
	return event_record(tx, shop, "coupon.released", id, customer, e);
}

int coupon_release(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		   const char *reason, struct coupon_redemption *out, struct err *e)
{
	int rc = coupon_redemption_get(tx, a, shop, id, out, e);
	if (rc || !strcmp(out->status, "released"))
		return rc;
	if (!strcmp(out->status, "final"))
		return err_setc(e, ERR_CONFLICT, "redemption_final", "id", "redemption \"%s\" is final:"
				" its order is paid (cancel or refund the order instead)", id);
	if ((rc = set_released(tx, shop, id, out->customer_id, reason ? reason : "released", e)))
		return rc;
	return coupon_redemption_get(tx, a, shop, id, out, e);
}

/* Makes a reservation final: counts the overuse an honour campaign allowed. */
static int finalize(struct store_tx *tx, const char *shop, const struct coupon_redemption *r,
		    const struct campaign *c, struct err *e)
{
	int64_t now = clock_now_ms(), uses = 0, given = 0;
	int rc;
	struct store_stmt *st = store_query(tx, e, "SELECT count(*), coalesce(sum(discount), 0)"
		" FROM coupon_redemptions WHERE shop_id = $1 AND campaign_id = $2 AND status = 'final'",
		"ss", shop, c->id);
	if (!st)
		return e->kind;
	if ((rc = store_step(st, e)) == 1)
		uses = store_int(st, 0), given = store_int(st, 1);
	store_done(st);
	if (rc < 0)
		return rc;
	int over = (c->total_uses && uses + 1 > c->total_uses) ||
		   (c->budget && given + r->discount > c->budget);
	rc = store_exec(tx, e, "UPDATE coupon_redemptions SET status = 'final', finalized_at = $3,"
			" overuse = $4 WHERE shop_id = $1 AND id = $2", "ssii", shop, r->id, now,
			(int64_t)over);
	if (rc < 0 || (rc = event_record(tx, shop, "coupon.redeemed", r->id, r->customer_id, e)))
		return rc;
	return referral_on_final(tx, shop, r, e);
}

/* An expired reservation of a paid order: final if its limits still allow
 * it (validated again, as a new redemption would be), else released. */
static int revive(struct store_tx *tx, struct arena *a, const char *shop,
		  const struct coupon_redemption *r, struct err *e)
{
	struct coupon_request rq = { .code = r->code, .order = r->order_id };
	struct coupon_check chk;
	int rc = store_exec(tx, e, "UPDATE coupon_redemptions SET status = 'released',"
			    " release_reason = 'timeout', released_at = $3 WHERE shop_id = $1 AND id = $2",
			    "ssi", shop, r->id, clock_now_ms());
	if (rc < 0 || (rc = coupon_validate(tx, a, shop, &rq, &chk, e)))
		return rc;
	if (!chk.valid)
		return event_record(tx, shop, "coupon.released", r->id, r->customer_id, e);
	rc = store_exec(tx, e, "UPDATE coupon_redemptions SET status = 'reserved', release_reason ="
			" NULL, released_at = NULL WHERE shop_id = $1 AND id = $2", "ss", shop, r->id);
	return rc < 0 ? rc : finalize(tx, shop, r, &chk.campaign, e);
}

int coupon_on_order_paid(struct store_tx *tx, const char *shop, const char *order_id,
			 struct err *e)
{
	struct arena a = ARENA_INIT;
	struct coupon_redemption *list;
	struct campaign c;
	int n, rc = coupon_redemptions_of_order_once(tx, &a, shop, order_id, &list, &n, e);
	int64_t now = clock_now_ms();
	for (int i = 0; !rc && i < n; i++) {
		const struct coupon_redemption *r = &list[i];
		if (strcmp(r->status, "reserved"))
			continue;
		if (r->reserved_until <= now)
			rc = revive(tx, &a, shop, r, e);
		else if (!(rc = campaign_get(tx, &a, shop, r->campaign_id, &c, e)))
			rc = finalize(tx, shop, r, &c, e);
	}
	arena_free(&a);
	return rc;
}

static int release_order(struct store_tx *tx, const char *shop, const char *order_id,
			 int refund, struct err *e)
{
	struct arena a = ARENA_INIT;
	struct coupon_redemption *list;
	struct campaign c;
	int n, rc = coupon_redemptions_of_order_once(tx, &a, shop, order_id, &list, &n, e);
	for (int i = 0; !rc && i < n; i++) {
		const struct coupon_redemption *r = &list[i];
		if (!strcmp(r->status, "released"))
			continue;
		if (refund && ((rc = campaign_get(tx, &a, shop, r->campaign_id, &c, e)) ||
			       !c.release_on_refund))
			continue;
		rc = set_released(tx, shop, r->id, r->customer_id, refund ? "refunded" : "cancelled", e);
	}
	arena_free(&a);
	return rc;
}

int coupon_on_order_cancelled(struct store_tx *tx, const char *shop, const char *order_id,
			      struct err *e)
{
	return release_order(tx, shop, order_id, 0, e);
}

int coupon_on_order_refunded(struct store_tx *tx, const char *shop, const char *order_id,
			     struct err *e)
{
	return release_order(tx, shop, order_id, 1, e);
}

#define RELEASE_BATCH 1000

int coupon_release_due(struct store_tx *tx, int64_t *released, struct err *e)
{
	int64_t now = clock_now_ms();
	struct store_stmt *st = store_query(tx, e, "SELECT shop_id, id, customer_id FROM"
		" coupon_redemptions WHERE status = 'reserved' AND reserved_until <= $1"
		" ORDER BY reserved_until LIMIT $2", "ii", now, (int64_t)RELEASE_BATCH);
	struct arena a = ARENA_INIT;
	const char **rows = arena_alloc(&a, RELEASE_BATCH * 3 * sizeof(*rows));
	int n = 0, rc = 0;
	*released = 0;
	if (!st) {
		arena_free(&a);
		return e->kind;
	}
	while (n < RELEASE_BATCH && (rc = store_step(st, e)) == 1) {
		for (int j = 0; j < 3; j++)
			rows[n * 3 + j] = arena_strdup(&a, store_text(st, j));
		n++;
	}
	store_done(st);
	for (int i = 0; rc >= 0 && i < n; i++) {
		rc = set_released(tx, rows[i * 3], rows[i * 3 + 1], rows[i * 3 + 2], "timeout", e);
		if (!rc)
			(*released)++;
	}
	arena_free(&a);
	return rc < 0 ? rc : 0;
}

int coupon_merge(struct store_tx *tx, const char *shop, const char *target, const char *source,
		 struct err *e)
{
	int rc = store_exec(tx, e, "UPDATE coupon_codes SET customer_id = $2 WHERE shop_id = $1"
			    " AND customer_id = $3", "sss", shop, target, source);
	if (rc >= 0)
		rc = store_exec(tx, e, "UPDATE coupon_redemptions SET customer_id = $2 WHERE shop_id = $1"
				" AND customer_id = $3", "sss", shop, target, source);
	/* A grant the target has for the same cause already stays the source's
	 * (then unreachable): the cause was answered once, for both. */
	if (rc >= 0)
		rc = store_exec(tx, e, "UPDATE offer_grants SET customer_id = $2 WHERE shop_id = $1"
				" AND customer_id = $3 AND NOT EXISTS (SELECT 1 FROM offer_grants g"
				" WHERE g.shop_id = $1 AND g.customer_id = $2 AND g.campaign_id ="
				" offer_grants.campaign_id AND g.cause = offer_grants.cause)", "sss",
				shop, target, source);
	return rc < 0 ? rc : 0;
}

/* Issue 9 (the order path, fourth round): the order's redemptions in one
 * statement, the array grown as rows come, for the order's render; since the
 * seventh round also for the paid, cancel and refund hooks (they counted the
 * rows first: one statement more per paid order). */
int coupon_redemptions_of_order_once(struct store_tx *tx, struct arena *a, const char *shop,
				     const char *order_id, struct coupon_redemption **out, int *n,
				     struct err *e)
{
	int rc, cap = 4;
	struct store_stmt *st = store_query(tx, e, "SELECT " RED_COLUMNS " FROM coupon_redemptions"
					    " WHERE shop_id = $1 AND order_id = $2 ORDER BY id", "ss",
					    shop, order_id);
	if (!st)
		return e->kind;
	*out = arena_alloc(a, (size_t)cap * sizeof(**out));
	*n = 0;
	while ((rc = store_step(st, e)) == 1) {
		if (*n == cap) {
			struct coupon_redemption *more = arena_alloc(a, (size_t)cap * 2 * sizeof(*more));
			memcpy(more, *out, (size_t)cap * sizeof(*more));
			*out = more;
			cap *= 2;
		}
		row_to_redemption(st, a, &(*out)[(*n)++]);
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}
