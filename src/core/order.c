/* order.c: see order.h. */
#include "order.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/clock.h"
#include "../base/currency.h"
#include "../base/rfc3339.h"
#include "activity.h"
#include "copurchase.h"
#include "customer.h"
#include "coupon.h"
#include "event.h"
#include "ledger.h"
#include "offers.h"
#include "order_state.h"
#include "redemption.h"

#define ORDER_COLUMNS \
	"id, external_id, customer_id, currency, subtotal, discount, shipping, tax, total," \
	" channel, seller, status, paid_amount, refunded_amount, failed_payments," \
	" placed_at, promised_delivery_at, created_at, updated_at, fingerprint"

static const char *const channels[] = { "web", "app", "phone", "whatsapp", "store",
					"marketplace", NULL };

int order_channel_valid(const char *channel)
{
	for (const char *const *c = channels; *c; c++)
		if (!strcmp(*c, channel))
			return 1;
	return 0;
}

int64_t order_discount_share(int64_t discount, int64_t quantity, int64_t before, int64_t q)
{
	if (quantity <= 0)
		return 0;
	/* discount <= 10^15 and quantity <= 10^6: products fit in 128 bits. */
	__int128 after = (__int128)discount * (before + q) / quantity;
	__int128 earlier = (__int128)discount * before / quantity;
	return (int64_t)(after - earlier);
}

/* "lines[i].field" into out, as snprintf() would write it: the parameter
 * of a line's errors, made for every line of every order (snprintf cost more
 * than the checks it names). */
static void line_param(char *out, size_t size, int i, const char *field)
{
	char digits[16], *d = digits + sizeof(digits);
	unsigned v = (unsigned)i;
	do
		*--d = (char)('0' + v % 10);
	while ((v /= 10));
	size_t nd = (size_t)(digits + sizeof(digits) - d), nf = strlen(field);
	if (6 + nd + 2 + nf >= size) {	/* never for the lines there can be */
		snprintf(out, size, "lines[%d].%s", i, field);
		return;
	}
	memcpy(out, "lines[", 6);
	memcpy(out + 6, d, nd);
	memcpy(out + 6 + nd, "].", 2);
	memcpy(out + 8 + nd, field, nf + 1);
}

static int check_text(const char *v, const char *param, struct err *e)
{
	if (v && strlen(v) > ORDER_TEXT_MAX)
		return err_set(e, ERR_INVALID, param, "\"%s\" is longer than %d bytes", param,
			       ORDER_TEXT_MAX);
	return 0;
}

int order_time_valid(int64_t ms)
{
	return ms >= ORDER_TIME_MIN_MS && ms < ORDER_TIME_MAX_MS;
}

_Static_assert(ORDER_TIME_MIN_MS == 315532800000LL, "1980-01-01T00:00:00Z");
_Static_assert(ORDER_TIME_MAX_MS == 4102444800000LL, "2100-01-01T00:00:00Z");

const char *order_time_range(char out[ORDER_TIME_RANGE_MAX])
{
	char from[RFC3339_MAX], to[RFC3339_MAX];
	rfc3339_format(ORDER_TIME_MIN_MS, from);
	rfc3339_format(ORDER_TIME_MAX_MS, to);
	snprintf(out, ORDER_TIME_RANGE_MAX, "from %s to before %s", from, to);
	return out;
}

/* 0 is "not given" (now, or none); anything else must be a plausible time. */
static int check_time(int64_t ms, const char *param, struct err *e)
{
	char range[ORDER_TIME_RANGE_MAX];
	if (ms && !order_time_valid(ms))
		return err_set(e, ERR_INVALID, param, "\"%s\" must be %s", param,
			       order_time_range(range));
	return 0;
}

/* Validates the input completely before anything is written. */
static int check_input(const struct order_input *in, int64_t *subtotal, int64_t *discount,
		       struct err *e)
{
	int rc;
	if (!in->external_id || !*in->external_id)
		return err_setc(e, ERR_INVALID, "parameter_missing", "external_id",
				"\"external_id\" is required: the shop's own order number");
	if ((rc = check_text(in->external_id, "external_id", e)) ||
	    (rc = check_text(in->seller, "seller", e)))
		return rc;
	if (!in->currency)
		return err_setc(e, ERR_INVALID, "parameter_missing", "currency",
				"\"currency\" is required");
	if (currency_exponent(in->currency) < 0)
		return err_setc(e, ERR_INVALID, "currency_unknown", "currency",
				"\"%s\" is not an ISO 4217 currency code like \"EUR\"", in->currency);
	if (in->channel && !order_channel_valid(in->channel))
		return err_set(e, ERR_INVALID, "channel",
			       "unknown channel \"%s\" (web, app, phone, whatsapp, store, marketplace)",
			       in->channel);
	if (in->nlines < 1)
		return err_setc(e, ERR_INVALID, "parameter_missing", "lines",
				"an order needs at least one line");
	if (in->nlines > ORDER_MAX_LINES)
		return err_set(e, ERR_INVALID, "lines", "at most %d lines", ORDER_MAX_LINES);
	*subtotal = *discount = 0;
	for (int i = 0; i < in->nlines; i++) {
		const struct order_line *l = &in->lines[i];
		char param[48];
		int64_t gross;
		line_param(param, sizeof(param), i, "sku");
		if (!l->sku || !*l->sku)
			return err_setc(e, ERR_INVALID, "parameter_missing", param,
					"\"%s\" is required", param);
		if ((rc = check_text(l->sku, param, e)))
			return rc;
		line_param(param, sizeof(param), i, "name");
		if ((rc = check_text(l->name, param, e)))
			return rc;
		line_param(param, sizeof(param), i, "category");
		if ((rc = check_text(l->category, param, e)))
			return rc;
		line_param(param, sizeof(param), i, "unit_price");
		if (__builtin_mul_overflow(l->quantity, l->unit_price, &gross) ||
		    gross > ORDER_AMOUNT_MAX)
			return err_set(e, ERR_INVALID, param,
				       "line %d: quantity %lld times unit_price %lld is more than %lld"
				       " minor units", i, (long long)l->quantity,
				       (long long)l->unit_price, (long long)ORDER_AMOUNT_MAX);
		line_param(param, sizeof(param), i, "discount");
		if (l->discount > gross)
			return err_set(e, ERR_INVALID, param,
				       "discount %lld is more than the line's %lld",
				       (long long)l->discount, (long long)gross);
		*subtotal += gross;
		*discount += l->discount;
		if (*subtotal > ORDER_AMOUNT_MAX)
			return err_set(e, ERR_INVALID, "lines",
				       "the lines add up to more than %lld minor units (at line %d)",
				       (long long)ORDER_AMOUNT_MAX, i);
	}
	int64_t expected = *subtotal - *discount + in->shipping + in->tax;
	if (in->total != expected)
		return err_setc(e, ERR_INVALID, "order_total_mismatch", "total",
				"total %lld does not match the lines: %lld - %lld discount + %lld shipping"
				" + %lld tax = %lld", (long long)in->total, (long long)*subtotal,
				(long long)*discount, (long long)in->shipping, (long long)in->tax,
				(long long)expected);
	if ((rc = check_time(in->placed_at, "placed_at", e)) ||
	    (rc = check_time(in->promised_delivery_at, "promised_delivery_at", e)))
		return rc;
	if (in->promised_delivery_at && in->placed_at &&
	    in->promised_delivery_at < in->placed_at)
		return err_set(e, ERR_INVALID, "promised_delivery_at",
			       "promised delivery is before the order was placed");
	const struct order_customer *c = &in->customer;
	if (!c->id && !c->external_id && !c->email && !c->phone && !c->whatsapp)
		return err_setc(e, ERR_INVALID, "parameter_missing", "customer",
				"\"customer\" needs an id, external_id, email, phone or whatsapp");
	return 0;
}

/* Finds the customer c refers to (following merges) into id, or id "" when
 * nobody is known by it yet; writes nothing. first (may be NULL): as
 * customer_resolve_counted() says, -1 when nobody is found. */
static int find_customer(struct store_tx *tx, struct arena *a, const char *shop,
			 const struct order_customer *c, char id[ID_MAX], int *first,
			 struct err *e)
{
	const struct { const char *kind, *value, *param; } idents[] = {
		{ "email", c->email, "customer.email" },
		{ "phone", c->phone, "customer.phone" },
		{ "whatsapp", c->whatsapp, "customer.whatsapp" },
	};
	const char *norm[3] = { 0 };
	int rc;

	if (first)
		*first = -1;
	if (c->id)
		return customer_resolve_buyer(tx, shop, c->id, "customer.id", id, first, e);
	for (int i = 0; i < 3; i++)
		if (idents[i].value &&
		    (rc = customer_normalize_identity(a, idents[i].kind, idents[i].value,
						      idents[i].param, &norm[i], e)))
			return rc;
	if (c->external_id) {
		char ref[ORDER_TEXT_MAX + 8];
		snprintf(ref, sizeof(ref), "ext:%s", c->external_id);
		rc = customer_resolve_counted(tx, shop, ref, "customer.external_id", id, first, e);
		if (rc != ERR_NOT_FOUND)
			return rc;
	} else {
		for (int i = 0; i < 3; i++) {
			if (!norm[i])
				continue;
			if ((rc = customer_find_identity_resolved(tx, shop, idents[i].kind, norm[i],
								  idents[i].param, id, first, e)))
				return rc;
			if (id[0])
				return 0;
		}
	}
	id[0] = '\0';
	return 0;
}

/* order_resolve_customer(), and first as customer_resolve_counted() says (a
 * new guest's order is its first). */
static int resolve_customer(struct store_tx *tx, struct arena *a, const char *shop,
			    const struct order_customer *c, char id[ID_MAX], int *first,
			    struct err *e)
{
	int rc = find_customer(tx, a, shop, c, id, first, e);
	if (rc || id[0])
		return rc;
	if (first)
		*first = 1;
	/* Nobody known: a guest, as at any shop's checkout. */
	struct customer_input in = { 0 };
	struct identity ids[3];
	in.external_id = c->external_id;
	in.name = c->name;
	in.has_name = c->name != NULL;
	in.email = c->email;
	in.has_email = c->email != NULL;
	in.phone = c->phone;
	in.has_phone = c->phone != NULL;
	if (c->whatsapp) {
		ids[0] = (struct identity){ "whatsapp", c->whatsapp };
		in.identities = ids;
		in.nidentities = 1;
	}
	return customer_create_guest(tx, shop, &in, id, e);
}

int order_resolve_customer(struct store_tx *tx, struct arena *a, const char *shop,
			   const struct order_customer *c, char id[ID_MAX], struct err *e)
{
	return resolve_customer(tx, a, shop, c, id, NULL, e);
}

static void row_to_order(struct store_stmt *st, struct arena *a, struct order *o)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->id, sizeof(o->id), "%s", store_text(st, 0));
	o->external_id = arena_strdup(a, store_text(st, 1));
	o->customer_id = arena_strdup(a, store_text(st, 2));
	o->currency = arena_strdup(a, store_text(st, 3));
	o->subtotal = store_int(st, 4);
	o->discount = store_int(st, 5);
	o->shipping = store_int(st, 6);
	o->tax = store_int(st, 7);
	o->total = store_int(st, 8);
	o->channel = arena_strdup(a, store_text(st, 9));
	o->seller = arena_strdup(a, store_text(st, 10));
	o->status = arena_strdup(a, store_text(st, 11));
	o->paid_amount = store_int(st, 12);
	o->refunded_amount = store_int(st, 13);
	o->failed_payments = store_int(st, 14);
	o->placed_at = store_int(st, 15);
	o->promised_delivery_at = store_int(st, 16);
	o->created_at = store_int(st, 17);
	o->updated_at = store_int(st, 18);
}

static int load_lines(struct store_tx *tx, struct arena *a, const char *shop, struct order *o,
		      struct err *e)
{
	int rc;
	struct store_stmt *st = store_query(tx, e,
		"SELECT position, sku, name, category, quantity, unit_price, discount, refunded_quantity"
		" FROM order_lines WHERE shop_id = $1 AND order_id = $2 ORDER BY position",
		"ss", shop, o->id);
	if (!st)
		return e->kind;
	/* Grown as rows come (most orders have a few lines, not ORDER_MAX_LINES). */
	int cap = 8;
	o->lines = arena_alloc(a, (size_t)cap * sizeof(*o->lines));
	while ((rc = store_step(st, e)) == 1 && o->nlines < ORDER_MAX_LINES) {
		if (o->nlines == cap) {
			struct order_line *more = arena_alloc(a, (size_t)cap * 2 * sizeof(*more));
			memcpy(more, o->lines, (size_t)cap * sizeof(*more));
			o->lines = more;
			cap *= 2;
		}
		struct order_line *l = &o->lines[o->nlines++];
		l->position = (int)store_int(st, 0);
		l->sku = arena_strdup(a, store_text(st, 1));
		l->name = arena_strdup(a, store_text(st, 2));
		l->category = arena_strdup(a, store_text(st, 3));
		l->quantity = store_int(st, 4);
		l->unit_price = store_int(st, 5);
		l->discount = store_int(st, 6);
		l->refunded_quantity = store_int(st, 7);
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

static int load_payments(struct store_tx *tx, struct arena *a, const char *shop,
			 struct order *o, struct err *e)
{
	int rc, cap = 4;
	struct store_stmt *st = store_query(tx, e,
		"SELECT id, external_id, status, method, failure_reason, amount, created_at"
		" FROM payments WHERE shop_id = $1 AND order_id = $2 ORDER BY id", "ss", shop, o->id);
	if (!st)
		return e->kind;
	o->payments = arena_alloc(a, (size_t)cap * sizeof(*o->payments));
	while ((rc = store_step(st, e)) == 1) {
		if (o->npayments == cap) {
			struct payment *more = arena_alloc(a, (size_t)cap * 2 * sizeof(*more));
			memcpy(more, o->payments, (size_t)cap * sizeof(*more));
			o->payments = more;
			cap *= 2;
		}
		struct payment *p = &o->payments[o->npayments++];
		snprintf(p->id, sizeof(p->id), "%s", store_text(st, 0));
		p->external_id = arena_strdup(a, store_text(st, 1));
		p->status = arena_strdup(a, store_text(st, 2));
		p->method = arena_strdup(a, store_text(st, 3));
		p->failure_reason = arena_strdup(a, store_text(st, 4));
		p->amount = store_int(st, 5);
		p->created_at = store_int(st, 6);
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

static int load_refund_lines(struct store_tx *tx, struct arena *a, const char *shop,
			     const struct order *o, struct refund *r, struct err *e)
{
	int rc;
	struct store_stmt *st = store_query(tx, e,
		"SELECT line_position, quantity, amount FROM refund_lines"
		" WHERE shop_id = $1 AND refund_id = $2 ORDER BY line_position", "ss", shop, r->id);
	if (!st)
		return e->kind;
	r->lines = arena_alloc(a, (size_t)(o->nlines + 1) * sizeof(*r->lines));
	while ((rc = store_step(st, e)) == 1 && r->nlines < o->nlines) {
		struct refund_line *l = &r->lines[r->nlines++];
		l->position = store_int(st, 0);
		l->quantity = store_int(st, 1);
		l->amount = store_int(st, 2);
		l->sku = l->position < o->nlines ? o->lines[l->position].sku : NULL;
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

static int load_refunds(struct store_tx *tx, struct arena *a, const char *shop,
			struct order *o, struct err *e)
{
	int rc, cap = 4;
	struct store_stmt *st = store_query(tx, e,
		"SELECT id, external_id, reason, amount, created_at FROM refunds"
		" WHERE shop_id = $1 AND order_id = $2 ORDER BY id", "ss", shop, o->id);
	if (!st)
		return e->kind;
	o->refunds = arena_alloc(a, (size_t)cap * sizeof(*o->refunds));
	while ((rc = store_step(st, e)) == 1) {
		if (o->nrefunds == cap) {
			struct refund *more = arena_alloc(a, (size_t)cap * 2 * sizeof(*more));
			memcpy(more, o->refunds, (size_t)cap * sizeof(*more));
			o->refunds = more;
			cap *= 2;
		}
		struct refund *r = &o->refunds[o->nrefunds++];
		snprintf(r->id, sizeof(r->id), "%s", store_text(st, 0));
		r->external_id = arena_strdup(a, store_text(st, 1));
		r->reason = arena_strdup(a, store_text(st, 2));
		r->amount = store_int(st, 3);
		r->created_at = store_int(st, 4);
	}
	store_done(st);
	if (rc < 0)
		return rc;
	for (int i = 0; i < o->nrefunds; i++)
		if ((rc = load_refund_lines(tx, a, shop, o, &o->refunds[i], e)))
			return rc;
	return 0;
}

/* Loads the order row by ref; fingerprint (optional) receives the stored one. */
static int load_order(struct store_tx *tx, struct arena *a, const char *shop, const char *ref,
		      const char *param, struct order *o, const char **fingerprint,
		      struct err *e)
{
	struct store_stmt *st;
	if (!strncmp(ref, "ext:", 4))
		st = store_query(tx, e, "SELECT " ORDER_COLUMNS " FROM orders"
				 " WHERE shop_id = $1 AND external_id = $2", "ss", shop, ref + 4);
	else
		st = store_query(tx, e, "SELECT " ORDER_COLUMNS " FROM orders"
				 " WHERE shop_id = $1 AND id = $2", "ss", shop, ref);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	if (rc == 1) {
		row_to_order(st, a, o);
		if (fingerprint)
			*fingerprint = arena_strdup(a, store_text(st, 19));
	}
	store_done(st);
	if (rc == 0)
		return err_set(e, ERR_NOT_FOUND, param, "no order \"%s\"", ref);
	return rc < 0 ? rc : 0;
}

static int load_details(struct store_tx *tx, struct arena *a, const char *shop,
			struct order *o, struct err *e)
{
	int rc;
	if ((rc = load_lines(tx, a, shop, o, e)) || (rc = load_payments(tx, a, shop, o, e)))
		return rc;
	return load_refunds(tx, a, shop, o, e);
}

int order_get(struct store_tx *tx, struct arena *a, const char *shop, const char *ref,
	      struct order *out, struct err *e)
{
	int rc = load_order(tx, a, shop, ref, "id", out, NULL, e);
	return rc ? rc : load_details(tx, a, shop, out, e);
}

static int insert_lines(struct store_tx *tx, const char *shop, const char *id,
			const struct order_input *in, struct err *e)
{
	for (int i = 0; i < in->nlines; i++) {
		const struct order_line *l = &in->lines[i];
		int rc = store_exec(tx, e,
			"INSERT INTO order_lines (shop_id, order_id, position, sku, name, category,"
			" quantity, unit_price, discount) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
			"ssisssiii", shop, id, (int64_t)i, l->sku, l->name, l->category, l->quantity,
			l->unit_price, l->discount);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * Whether in repeats the stored order o (docs/decisions.md, "order
 * fingerprints"): the same fingerprint and, when it leaves the customer out,
 * a customer reference that finds o's customer today (nothing is created to
 * find out). An order stored before that rule has the digest of its whole
 * body, which in->legacy_fingerprint matches, until erasure forgets it.
 */
static int same_order(struct store_tx *tx, struct arena *a, const char *shop,
		      const struct order_input *in, const struct order *o,
		      const char *fingerprint, int *same, struct err *e)
{
	char theirs[ID_MAX], ours[ID_MAX];
	int rc;
	*same = 0;
	if (in->legacy_fingerprint && strlen(fingerprint) == 64) {
		char legacy[65];
		in->legacy_fingerprint(in->legacy_ctx, legacy);
		if (!strcmp(fingerprint, legacy)) {
			*same = 1;
			return 0;
		}
	}
	if (strcmp(fingerprint, in->fingerprint))
		return 0;
	if (!in->fingerprint_omits_customer) {
		*same = 1;
		return 0;
	}
	rc = find_customer(tx, a, shop, &in->customer, theirs, NULL, e);
	if (rc == ERR_NOT_FOUND)	/* an id that names nobody is not o's customer */
		return 0;
	/* an erased buyer places no new order, but the order sent again is
	 * still the same order (theirs holds the erased id) */
	if (rc == ERR_CONFLICT && !strcmp(e->code, "customer_inactive")) {
		err_clear(e);
		rc = 0;
	}
	if (rc || !theirs[0])
		return rc;
	if ((rc = customer_resolve(tx, shop, o->customer_id, "customer", ours, e)))
		return rc;
	*same = !strcmp(theirs, ours);
	return 0;
}

int order_forget_fingerprints(struct store_tx *tx, const char *shop, const char *customer_id,
			      struct err *e)
{
	/* A whole-body digest holds the customer's e-mail, name and phone: a
	 * guessed body would confirm them. "erased" matches no request. Only
	 * those are 64 characters long ("c1:" and "import:" digests are longer),
	 * which portable SQL can test (no GLOB on PostgreSQL). */
	int rc = store_exec(tx, e,
		"UPDATE orders SET fingerprint = 'erased' WHERE shop_id = $1 AND customer_id = $2"
		" AND length(fingerprint) = 64",
		"ss", shop, customer_id);
	return rc < 0 ? rc : 0;
}

/*
 * The order just inserted, as order_get() would read it back (row_to_order
 * and load_lines of the values the INSERTs wrote; a new order has no
 * payments or refunds): three statements fewer per order.
 */
static void new_order(struct arena *a, const struct order_input *in, const char *customer,
		      int64_t subtotal, int64_t discount, int64_t now, struct order *o)
{
	char id[ID_MAX];
	snprintf(id, sizeof(id), "%s", o->id);
	memset(o, 0, sizeof(*o));
	snprintf(o->id, sizeof(o->id), "%s", id);
	o->external_id = arena_strdup(a, in->external_id);
	o->customer_id = arena_strdup(a, customer);
	o->currency = arena_strdup(a, in->currency);
	o->subtotal = subtotal;
	o->discount = discount;
	o->shipping = in->shipping;
	o->tax = in->tax;
	o->total = in->total;
	o->channel = arena_strdup(a, in->channel ? in->channel : "web");
	o->seller = arena_strdup(a, in->seller);
	o->status = arena_strdup(a, order_state_name(ORDER_PENDING));
	o->placed_at = in->placed_at ? in->placed_at : now;
	o->promised_delivery_at = in->promised_delivery_at;
	o->created_at = o->updated_at = now;
	o->lines = arena_alloc(a, (size_t)(in->nlines + 1) * sizeof(*o->lines));
	for (int i = 0; i < in->nlines; i++) {
		const struct order_line *l = &in->lines[i];
		struct order_line *c = &o->lines[o->nlines++];
		c->position = i;
		c->sku = arena_strdup(a, l->sku);
		c->name = arena_strdup(a, l->name);
		c->category = arena_strdup(a, l->category);
		c->quantity = l->quantity;
		c->unit_price = l->unit_price;
		c->discount = l->discount;
	}
	o->payments = arena_alloc(a, sizeof(*o->payments));
	o->refunds = arena_alloc(a, sizeof(*o->refunds));
}

int order_create(struct store_tx *tx, struct arena *a, const char *shop,
		 const struct order_input *in, struct order *out, int *created, struct err *e)
{
	int64_t now = clock_now_ms(), subtotal = 0, discount = 0;
	char customer[ID_MAX], ref[ORDER_TEXT_MAX + 8];
	const char *fingerprint = NULL;
	int first, rc;

	*created = 0;
	if ((rc = check_input(in, &subtotal, &discount, e)))
		return rc;
	snprintf(ref, sizeof(ref), "ext:%s", in->external_id);
	rc = load_order(tx, a, shop, ref, "external_id", out, &fingerprint, e);
	if (rc == 0) {
		int same;
		if ((rc = same_order(tx, a, shop, in, out, fingerprint, &same, e)))
			return rc;
		if (!same)
			return err_setc(e, ERR_CONFLICT, "order_exists", "external_id",
					"order \"%s\" with external_id \"%s\" exists with different"
					" contents", out->id, in->external_id);
		return load_details(tx, a, shop, out, e);
	}
	if (rc != ERR_NOT_FOUND)
		return rc;
	if ((rc = resolve_customer(tx, a, shop, &in->customer, customer, &first, e)))
		return rc;
	id_new(out->id, "ord_", now);
	rc = store_exec(tx, e,
		"INSERT INTO orders (shop_id, id, external_id, customer_id, currency, subtotal,"
		" discount, shipping, tax, total, channel, seller, status, placed_at,"
		" promised_delivery_at, fingerprint, created_at, updated_at)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'pending', $13,"
		" nullif($14, 0), $15, $16, $16)",
		"sssssiiiiissiisi", shop, out->id, in->external_id, customer, in->currency,
		subtotal, discount, in->shipping, in->tax, in->total,
		in->channel ? in->channel : "web", in->seller,
		in->placed_at ? in->placed_at : now, in->promised_delivery_at, in->fingerprint, now);
	if (rc < 0 || (rc = insert_lines(tx, shop, out->id, in, e)))
		return rc;
	if ((rc = customer_count_order_as(tx, shop, customer, first, e)) ||
	    (rc = event_record(tx, shop, "order.created", out->id, customer, e)))
		return rc;
	*created = 1;
	new_order(a, in, customer, subtotal, discount, now, out);
	return 0;
}

int order_list(struct store_tx *tx, struct arena *a, const char *shop,
	       const struct order_filter *f, const char *starting_after, int limit,
	       struct order **out, int *n, int *has_more, struct err *e)
{
	char customer[ID_MAX];
	int rc;

	if (f->status && order_state_parse(f->status) < 0)
		return err_set(e, ERR_INVALID, "status", "unknown order status \"%s\"", f->status);
	if (f->customer && (rc = customer_resolve(tx, shop, f->customer, "customer", customer, e)))
		return rc;
	/* Two statements, so that a customer's orders come from the customer
	 * index instead of a walk over the shop's orders. */
	struct store_stmt *st = f->customer
		? store_query(tx, e,
			"SELECT " ORDER_COLUMNS " FROM orders WHERE shop_id = $1 AND customer_id = $2"
			" AND ($3 IS NULL OR status = $3) AND ($4 IS NULL OR id < $4)"
			" ORDER BY id DESC LIMIT $5",
			"ssssi", shop, customer, f->status, starting_after, (int64_t)limit + 1)
		: store_query(tx, e,
			"SELECT " ORDER_COLUMNS " FROM orders WHERE shop_id = $1"
			" AND ($2 IS NULL OR status = $2) AND ($3 IS NULL OR id < $3)"
			" ORDER BY id DESC LIMIT $4",
			"sssi", shop, f->status, starting_after, (int64_t)limit + 1);
	if (!st)
		return e->kind;
	*out = arena_alloc(a, (size_t)(limit + 1) * sizeof(**out));
	*n = 0;
	while ((rc = store_step(st, e)) == 1)
		row_to_order(st, a, &(*out)[(*n)++]);
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

static int transition(const struct order *o, enum order_event ev, int *next, struct err *e)
{
	int from = order_state_parse(o->status);
	*next = order_state_next(from, ev);
	if (*next < 0) {
		const char *hint = "";
		if (ev == ORDER_EVENT_CANCEL && (from == ORDER_PAID || from == ORDER_PARTIALLY_REFUNDED))
			hint = "; refund it instead";
		return err_setc(e, ERR_CONFLICT, "order_status_conflict", "status",
				"cannot %s order \"%s\": its status is \"%s\"%s",
				order_state_event_name(ev), o->id, o->status, hint);
	}
	return 0;
}

/* updated_at becomes now. */
static int set_status(struct store_tx *tx, const char *shop, const struct order *o, int next,
		      const char *extra_sql, int64_t extra, int64_t now, struct err *e)
{
	char sql[512];
	snprintf(sql, sizeof(sql), "UPDATE orders SET status = $3, updated_at = $4%s"
		 " WHERE shop_id = $1 AND id = $2", extra_sql ? extra_sql : "");
	int rc = store_exec(tx, e, sql, extra_sql ? "sssii" : "sssi", shop, o->id,
			    order_state_name((enum order_status)next), now, extra);
	if (rc < 0)
		return rc;
	char type[64];
	snprintf(type, sizeof(type), "order.%s", order_state_name((enum order_status)next));
	return event_record(tx, shop, type, o->id, o->customer_id, e);
}

static int find_payment(struct store_tx *tx, const char *shop, const char *order_id,
			const char *external_id, int *found, struct err *e)
{
	struct store_stmt *st = store_query(tx, e,
		"SELECT 1 FROM payments WHERE shop_id = $1 AND order_id = $2 AND external_id = $3",
		"sss", shop, order_id, external_id);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	store_done(st);
	*found = rc == 1;
	return rc < 0 ? rc : 0;
}

/*
 * The order o after its payment id (the row written, set_status() applied),
 * as order_get() would read it back, with two to three statements fewer: o
 * was pending or payment_failed (transition() allowed the payment), so it has
 * no refunds (they follow a payment) and its only earlier payments are its
 * failed_payments failed ones, read only when there are any.
 */
static int paid_order(struct store_tx *tx, struct arena *a, const char *shop,
		      const struct order *o, const char *id, const struct payment_input *in,
		      int paid, int next, int64_t now, struct order *out, struct err *e)
{
	int rc;
	*out = *o;
	out->status = order_state_name((enum order_status)next);
	out->updated_at = now;
	if (paid)
		out->paid_amount = o->total;
	else
		out->failed_payments++;
	out->lines = NULL;
	out->nlines = 0;
	out->npayments = out->nrefunds = 0;
	out->refunds = arena_alloc(a, sizeof(*out->refunds));
	if ((rc = load_lines(tx, a, shop, out, e)))
		return rc;
	if (o->failed_payments) {
		/* Read after the INSERT: the new payment is among them, in id order. */
		return load_payments(tx, a, shop, out, e);
	}
	out->payments = arena_alloc(a, sizeof(*out->payments));
	struct payment *p = &out->payments[out->npayments++];
	snprintf(p->id, sizeof(p->id), "%s", id);
	p->external_id = arena_strdup(a, in->external_id);
	p->status = arena_strdup(a, in->status);
	p->method = arena_strdup(a, in->method);
	p->failure_reason = paid ? NULL : arena_strdup(a, in->failure_reason);
	p->amount = o->total;
	p->created_at = now;
	return 0;
}

int order_pay(struct store_tx *tx, struct arena *a, const char *shop, const char *ref,
	      const struct payment_input *in, struct order *out, struct err *e)
{
	struct order o;
	char id[ID_MAX];
	int64_t now = clock_now_ms();
	int paid, next, found = 0, rc;

	if (!in->status || (strcmp(in->status, "paid") && strcmp(in->status, "failed")))
		return err_set(e, ERR_INVALID, "status", "payment \"status\" must be \"paid\" or \"failed\"");
	paid = !strcmp(in->status, "paid");
	if ((rc = check_text(in->external_id, "external_id", e)) ||
	    (rc = check_text(in->method, "method", e)) ||
	    (rc = check_text(in->failure_reason, "failure_reason", e)))
		return rc;
	if ((rc = load_order(tx, a, shop, ref, "id", &o, NULL, e)))
		return rc;
	if (in->external_id) {
		if ((rc = find_payment(tx, shop, o.id, in->external_id, &found, e)))
			return rc;
		if (found)	/* the shop's webhook, delivered again */
			return order_get(tx, a, shop, o.id, out, e);
	}
	if (in->amount >= 0 && in->amount != o.total)
		return err_setc(e, ERR_INVALID, "amount_mismatch", "amount",
				"payment amount %lld does not match the order total %lld",
				(long long)in->amount, (long long)o.total);
	if ((rc = transition(&o, paid ? ORDER_EVENT_PAYMENT_PAID : ORDER_EVENT_PAYMENT_FAILED,
			     &next, e)))
		return rc;
	id_new(id, "pay_", now);
	rc = store_exec(tx, e,
		"INSERT INTO payments (shop_id, id, order_id, external_id, status, amount, method,"
		" failure_reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
		"sssssissi", shop, id, o.id, in->external_id, in->status, o.total, in->method,
		paid ? NULL : in->failure_reason, now);
	if (rc < 0)
		return rc;
	rc = paid ? set_status(tx, shop, &o, next, ", paid_amount = $5", o.total, now, e)
		  : set_status(tx, shop, &o, next, ", failed_payments = failed_payments + $5", 1, now,
			       e);
	if (rc || (rc = paid_order(tx, a, shop, &o, id, in, paid, next, now, out, e)))
		return rc;
	if (!paid)	/* the shop's apology campaign may answer it, once per order */
		return offers_trigger(tx, shop, out->customer_id, "payment_failed", out->id, NULL, e);
	/* These write loyalty, coupon and offer rows, never the order's, its
	 * lines, payments or refunds: out, read above, stays what it is. */
	if ((rc = ledger_on_order_paid(tx, shop, out, e)) ||
	    (rc = coupon_on_order_paid(tx, shop, out->id, e)) ||
	    (rc = offers_on_order_paid(tx, shop, out->customer_id, out->id, e)) ||
	    (rc = copurchase_on_order_paid(tx, a, shop, out, e)) ||	/* issue 12 */
	    (rc = activity_on_order_paid(tx, a, shop, out, e)))
		return rc;
	return 0;
}

int order_cancel(struct store_tx *tx, struct arena *a, const char *shop, const char *ref,
		 struct order *out, struct err *e)
{
	struct order o;
	int next, rc;
	if ((rc = load_order(tx, a, shop, ref, "id", &o, NULL, e)))
		return rc;
	if (!strcmp(o.status, "cancelled"))	/* a retry: nothing more to do */
		return order_get(tx, a, shop, o.id, out, e);
	if ((rc = transition(&o, ORDER_EVENT_CANCEL, &next, e)) ||
	    (rc = set_status(tx, shop, &o, next, NULL, 0, clock_now_ms(), e)) ||
	    (rc = redemption_release_order(tx, shop, o.id, e)) ||	/* points paid for it come back */
	    (rc = coupon_on_order_cancelled(tx, shop, o.id, e)))	/* and its codes */
		return rc;
	return order_get(tx, a, shop, o.id, out, e);
}

static int find_refund(struct store_tx *tx, struct arena *a, const char *shop,
		       const char *order_id, const char *external_id, const char **fingerprint,
		       struct err *e)
{
	struct store_stmt *st = store_query(tx, e,
		"SELECT fingerprint FROM refunds WHERE shop_id = $1 AND order_id = $2"
		" AND external_id = $3", "sss", shop, order_id, external_id);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	*fingerprint = rc == 1 ? arena_strdup(a, store_text(st, 0)) : NULL;
	store_done(st);
	return rc < 0 ? rc : 0;
}

/* Fills position and amount of each refund line; checks quantities. */
static int price_refund_lines(const struct order *o, struct refund_line *lines, int n,
			      int64_t *sum, struct err *e)
{
	int64_t *taken = calloc((size_t)o->nlines + 1, sizeof(int64_t));
	int rc = 0;
	*sum = 0;
	for (int i = 0; i < n && !rc; i++) {
		struct refund_line *r = &lines[i];
		char param[48];
		int p;
		line_param(param, sizeof(param), i, "sku");
		for (p = 0; p < o->nlines; p++)
			if (!strcmp(o->lines[p].sku, r->sku) &&
			    o->lines[p].quantity - o->lines[p].refunded_quantity - taken[p] > 0)
				break;
		if (p == o->nlines) {
			for (p = 0; p < o->nlines && strcmp(o->lines[p].sku, r->sku); p++)
				;
			if (p == o->nlines) {
				rc = err_set(e, ERR_INVALID, param, "order \"%s\" has no line with sku \"%s\"",
					     o->id, r->sku);
				break;
			}
		}
		const struct order_line *l = &o->lines[p];
		int64_t left = l->quantity - l->refunded_quantity - taken[p];
		snprintf(param, sizeof(param), "lines[%d].quantity", i);
		if (r->quantity > left) {
			rc = err_setc(e, ERR_REFUSED, "refund_exceeds_quantity", param,
				      "cannot refund %lld of sku \"%s\": %lld left to refund",
				      (long long)r->quantity, r->sku, (long long)left);
			break;
		}
		r->position = p;
		r->amount = r->quantity * l->unit_price -
			    order_discount_share(l->discount, l->quantity,
						 l->refunded_quantity + taken[p], r->quantity);
		taken[p] += r->quantity;
		*sum += r->amount;
	}
	free(taken);
	return rc;
}

int order_refund(struct store_tx *tx, struct arena *a, const char *shop, const char *ref,
		 const struct refund_input *in, struct order *out, int *created, struct err *e)
{
	struct order o;
	const char *fingerprint = NULL;
	char id[ID_MAX];
	int64_t amount, from_lines = 0, now = clock_now_ms();
	int next, rc;

	*created = 0;
	if (!in->external_id || !*in->external_id)
		return err_setc(e, ERR_INVALID, "parameter_missing", "external_id",
				"\"external_id\" is required: the shop's own refund id");
	if ((rc = check_text(in->external_id, "external_id", e)) ||
	    (rc = check_text(in->reason, "reason", e)))
		return rc;
	if (in->nlines == 0 && in->amount < 0)
		return err_setc(e, ERR_INVALID, "parameter_missing", "lines",
				"a refund needs \"lines\" or an \"amount\"");
	if ((rc = load_order(tx, a, shop, ref, "id", &o, NULL, e)))
		return rc;
	if ((rc = find_refund(tx, a, shop, o.id, in->external_id, &fingerprint, e)))
		return rc;
	if (fingerprint) {
		if (strcmp(fingerprint, in->fingerprint))
			return err_setc(e, ERR_CONFLICT, "refund_exists", "external_id",
					"refund \"%s\" of order \"%s\" exists with different contents",
					in->external_id, o.id);
		return order_get(tx, a, shop, o.id, out, e);
	}
	/* An order that is not (or no longer) paid is a status conflict, whatever
	 * the amount: say so rather than "has 0 paid". */
	if ((rc = transition(&o, ORDER_EVENT_REFUND_PART, &next, e)))
		return rc;
	if ((rc = load_lines(tx, a, shop, &o, e)))
		return rc;
	if (in->nlines && (rc = price_refund_lines(&o, in->lines, in->nlines, &from_lines, e)))
		return rc;
	amount = in->amount >= 0 ? in->amount : from_lines;
	if (amount <= 0 && in->nlines == 0)
		return err_set(e, ERR_INVALID, "amount", "refund amount must be positive");
	if (amount > o.paid_amount - o.refunded_amount)
		return err_setc(e, ERR_REFUSED, "refund_exceeds_paid", "amount",
				"cannot refund %lld: order \"%s\" has %lld paid and not yet refunded",
				(long long)amount, o.id, (long long)(o.paid_amount - o.refunded_amount));
	int all = o.refunded_amount + amount == o.paid_amount;
	if ((rc = transition(&o, all ? ORDER_EVENT_REFUND_ALL : ORDER_EVENT_REFUND_PART, &next, e)))
		return rc;
	id_new(id, "re_", now);
	rc = store_exec(tx, e,
		"INSERT INTO refunds (shop_id, id, order_id, external_id, amount, reason,"
		" fingerprint, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
		"ssssissi", shop, id, o.id, in->external_id, amount, in->reason, in->fingerprint, now);
	for (int i = 0; rc >= 0 && i < in->nlines; i++) {
		const struct refund_line *l = &in->lines[i];
		rc = store_exec(tx, e,
			"INSERT INTO refund_lines (shop_id, refund_id, line_position, quantity, amount)"
			" VALUES ($1, $2, $3, $4, $5) ON CONFLICT (shop_id, refund_id, line_position)"
			" DO UPDATE SET quantity = refund_lines.quantity + excluded.quantity,"
			" amount = refund_lines.amount + excluded.amount",
			"ssiii", shop, id, l->position, l->quantity, l->amount);
		if (rc >= 0)
			rc = store_exec(tx, e,
				"UPDATE order_lines SET refunded_quantity = refunded_quantity + $4"
				" WHERE shop_id = $1 AND order_id = $2 AND position = $3",
				"ssii", shop, o.id, l->position, l->quantity);
	}
	if (rc < 0 || (rc = set_status(tx, shop, &o, next, ", refunded_amount = refunded_amount + $5",
				       amount, now, e)))
		return rc;
	if ((rc = event_record(tx, shop, "refund.created", id, o.id, e)) ||
	    (rc = order_get(tx, a, shop, o.id, out, e)))
		return rc;
	*created = 1;
	if (all && ((rc = redemption_release_order(tx, shop, o.id, e)) ||
		    (rc = coupon_on_order_refunded(tx, shop, o.id, e)) ||
		    (rc = copurchase_on_order_refunded(tx, a, shop, out, e))))
		return rc;
	return ledger_on_order_refunded(tx, shop, out, e);
}
