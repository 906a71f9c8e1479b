/* review.c: see review.h. */
#include "review.h"

#include <stdio.h>
#include <string.h>

#include "../base/clock.h"
#include "customer.h"
#include "event.h"
#include "ledger.h"
#include "offers.h"
#include "order.h"
#include "sla.h"
#include "ticket.h"

#define REVIEW_PREFIX "rev_"
#define HOUR_MS 3600000LL

const char *const review_statuses[] = { "pending", "published", "hidden", NULL };
const char *const review_reasons[] = { "spam", "profanity", "personal_data", "off_topic", NULL };
const char *const review_actions[] = { "hide", "restore", "publish", NULL };

static int in_list(const char *const *l, const char *v)
{
	for (; v && *l; l++)
		if (!strcmp(*l, v))
			return 1;
	return 0;
}

static const char *dup(struct arena *a, struct store_stmt *st, int col)
{
	return store_is_null(st, col) ? NULL : arena_strdup(a, store_text(st, col));
}

/* ---- settings ---- */

int review_settings_get(struct store_tx *tx, struct arena *a, const char *shop,
			struct review_settings *out, struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT moderation, reply_hours, open_tickets,"
					    " updated_at FROM review_settings WHERE shop_id = $1",
					    "s", shop);
	if (!st)
		return e->kind;
	*out = (struct review_settings){ "auto", REVIEW_REPLY_HOURS_DEFAULT, 0, 0 };
	int rc = store_step(st, e);
	if (rc == 1) {
		out->moderation = arena_strdup(a, store_text(st, 0));
		out->reply_hours = store_int(st, 1);
		out->open_tickets = store_int(st, 2) != 0;
		out->updated_at = store_int(st, 3);
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

int review_settings_put(struct store_tx *tx, const char *shop, const struct review_settings *in,
			struct err *e)
{
	if (!in->moderation || (strcmp(in->moderation, "auto") && strcmp(in->moderation, "manual")))
		return err_set(e, ERR_INVALID, "moderation", "\"moderation\" is auto or manual");
	if (in->reply_hours < 1 || in->reply_hours > REVIEW_REPLY_HOURS_MAX)
		return err_set(e, ERR_INVALID, "reply_hours", "\"reply_hours\" is 1 to %d business hours",
			       REVIEW_REPLY_HOURS_MAX);
	int rc = store_exec(tx, e, "INSERT INTO review_settings (shop_id, moderation, reply_hours,"
		" open_tickets, updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (shop_id) DO UPDATE"
		" SET moderation = excluded.moderation, reply_hours = excluded.reply_hours,"
		" open_tickets = excluded.open_tickets, updated_at = excluded.updated_at", "ssiii",
		shop, in->moderation, in->reply_hours, (int64_t)(in->open_tickets != 0), clock_now_ms());
	if (rc < 0)
		return rc;
	return event_record(tx, shop, "review_settings.updated", shop, NULL, e);
}

int review_reply_due(struct store_tx *tx, struct arena *a, const char *shop, int64_t from,
		     int64_t *due, struct err *e)
{
	struct review_settings s;
	struct sla_policy *policies;
	int n, rc;
	if ((rc = review_settings_get(tx, a, shop, &s, e)) ||
	    (rc = sla_list(tx, a, shop, &policies, &n, e)))
		return rc;
	/* Around the clock without a calendar, or when the newest one cannot reach the
	 * target (1 working minute a week, 8760 hours): a review is never refused for it. */
	if (n && !calendar_add(&policies[0].calendar, from, s.reply_hours * 60, due, e))
		return 0;
	err_clear(e);
	*due = from + s.reply_hours * HOUR_MS;
	return 0;
}

/* ---- reading ---- */

#define COLUMNS "id, customer_id, sku, order_id, title, body, photos, status, ticket_id, rating," \
	" verified_buyer, incentivized_by_shop, author_erased, incentive_points, helpful, unhelpful," \
	" coalesce(reply_due_at, 0), coalesce(first_reply_at, 0), created_at, updated_at," \
	" coalesce(published_at, 0), replies," \
	" (SELECT display_name FROM customers WHERE customers.id = reviews.customer_id)"

static void split_photos(struct arena *a, const char *text, struct review *r)
{
	int n = text && *text ? 1 : 0;
	for (const char *p = text; p && *p; p++)
		n += *p == '\n';
	r->photos = arena_alloc(a, (size_t)(n + 1) * sizeof(*r->photos));
	r->nphotos = 0;
	for (const char *p = text; p && *p && r->nphotos < n; ) {
		const char *q = strchr(p, '\n');
		r->photos[r->nphotos++] = q ? arena_strndup(a, p, (size_t)(q - p)) : arena_strdup(a, p);
		p = q ? q + 1 : p + strlen(p);
	}
}

static void row_to_review(struct store_stmt *st, struct arena *a, struct review *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", store_text(st, 0));
	r->customer_id = dup(a, st, 1);
	r->sku = dup(a, st, 2);
	r->order_id = dup(a, st, 3);
	r->title = dup(a, st, 4);
	r->body = dup(a, st, 5);
	split_photos(a, store_text(st, 6), r);
	r->status = dup(a, st, 7);
	r->ticket_id = dup(a, st, 8);
	r->rating = store_int(st, 9);
	r->verified_buyer = store_int(st, 10) != 0;
	r->incentivized_by_shop = store_int(st, 11) != 0;
	r->author_erased = store_int(st, 12) != 0;
	r->incentive_points = store_int(st, 13);
	r->helpful = store_int(st, 14);
	r->unhelpful = store_int(st, 15);
	r->reply_due_at = store_int(st, 16);
	r->first_reply_at = store_int(st, 17);
	r->created_at = store_int(st, 18);
	r->updated_at = store_int(st, 19);
	r->published_at = store_int(st, 20);
	r->nreplies = (int)store_int(st, 21);	/* load_replies() reads them */
	r->author_name = dup(a, st, 22);
}

static int load_replies(struct store_tx *tx, struct arena *a, const char *shop, int public_only,
			struct review *r, struct err *e)
{
	/* The row counts its replies: most reviews have none, and the showcase
	 * then asks nothing more. */
	int64_t n = r->nreplies;
	int rc = 0;
	r->replies = arena_alloc(a, (size_t)(n + 1) * sizeof(*r->replies));
	r->nreplies = 0;
	if (!n)
		return 0;
	struct store_stmt *st = store_query(tx, e, "SELECT id, body, public, created_at FROM"
		" review_replies WHERE shop_id = $1 AND review_id = $2 AND ($3 = 0 OR public = 1)"
		" ORDER BY id", "ssi", shop, r->id, (int64_t)public_only);
	if (!st)
		return e->kind;
	while (r->nreplies < n && (rc = store_step(st, e)) == 1) {
		struct review_reply *p = &r->replies[r->nreplies++];
		snprintf(p->id, sizeof(p->id), "%s", store_text(st, 0));
		p->body = dup(a, st, 1);
		p->public = store_int(st, 2) != 0;
		p->created_at = store_int(st, 3);
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

int review_get(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
	       int public_only, struct review *out, struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT " COLUMNS " FROM reviews WHERE shop_id = $1"
					    " AND id = $2", "ss", shop, id);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	if (rc == 1)
		row_to_review(st, a, out);
	store_done(st);
	if (rc == 0)
		return err_set(e, ERR_NOT_FOUND, "id", "no review \"%s\"", id);
	if (rc < 0)
		return rc;
	/* A storefront sees no reply of a review it cannot see. */
	if (public_only && strcmp(out->status, "published"))
		return err_set(e, ERR_NOT_FOUND, "id", "no review \"%s\"", id);
	return load_replies(tx, a, shop, public_only, out, e);
}

/* Runs a SELECT of COLUMNS, reads at most limit + 1 rows with their replies. */
static int read_rows(struct store_tx *tx, struct arena *a, const char *shop,
		     struct store_stmt *st, int limit, int public_only, struct review **out,
		     int *n, struct err *e)
{
	int rc = 0;
	if (!st)
		return e->kind;
	*out = arena_alloc(a, (size_t)(limit + 2) * sizeof(**out));
	*n = 0;
	while (*n <= limit && (rc = store_step(st, e)) == 1)
		row_to_review(st, a, &(*out)[(*n)++]);
	store_done(st);
	for (int i = 0; rc >= 0 && i < *n; i++)
		rc = load_replies(tx, a, shop, public_only, &(*out)[i], e);
	return rc < 0 ? rc : 0;
}

int review_list(struct store_tx *tx, struct arena *a, const char *shop,
		const struct review_filter *f, const char *starting_after, int limit,
		struct review **out, int *n, int *has_more, struct err *e)
{
	const char *status = f->status ? f->status : "published";
	char customer[ID_MAX] = "";
	int rc;
	if (strcmp(status, "any") && !in_list(review_statuses, status))
		return err_set(e, ERR_INVALID, "status", "\"status\" is published, pending, hidden or any");
	if (f->rating && (f->rating < 1 || f->rating > 5))
		return err_set(e, ERR_INVALID, "rating", "\"rating\" is 1 to 5");
	if (f->customer && (rc = customer_resolve(tx, shop, f->customer, "customer", customer, e)))
		return rc;
	struct store_stmt *st = store_query(tx, e, "SELECT " COLUMNS " FROM reviews WHERE shop_id = $1"
		" AND ($2 = 'any' OR status = $2) AND ($3 = '' OR sku = $3) AND ($4 = 0 OR rating = $4)"
		" AND ($5 = '' OR customer_id = $5) AND ($6 = '' OR id < $6) ORDER BY id DESC LIMIT $7",
		"sssissi", shop, status, f->sku ? f->sku : "", f->rating, customer,
		starting_after ? starting_after : "", (int64_t)limit + 1);
	if ((rc = read_rows(tx, a, shop, st, limit, f->public_only, out, n, e)))
		return rc;
	*has_more = *n > limit;
	if (*has_more)
		*n = limit;
	return 0;
}

int review_summary(struct store_tx *tx, const char *shop, const char *sku,
		   struct review_summary *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	/* Two statements, not "($2 = '' OR sku = $2)": each reads its own index. */
	struct store_stmt *st = sku
		? store_query(tx, e, "SELECT rating, count(*) FROM reviews WHERE shop_id = $1 AND"
			      " sku = $2 AND status = 'published' GROUP BY rating", "ss", shop, sku)
		: store_query(tx, e, "SELECT rating, count(*) FROM reviews WHERE shop_id = $1 AND"
			      " status = 'published' GROUP BY rating", "s", shop);
	int rc;
	if (!st)
		return e->kind;
	while ((rc = store_step(st, e)) == 1) {
		int64_t rating = store_int(st, 0), count = store_int(st, 1);
		if (rating >= 1 && rating <= 5)
			out->distribution[rating] = count;
		out->count += count;
		out->sum += rating * count;
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

int review_showcase(struct store_tx *tx, struct arena *a, const char *shop, const char *sku,
		    int limit, struct review **out, int *n, struct err *e)
{
#define BEST_FIRST " ORDER BY rating DESC, helpful DESC, verified_buyer DESC, created_at DESC," \
	" id DESC"
	struct store_stmt *st = sku
		? store_query(tx, e, "SELECT " COLUMNS " FROM reviews WHERE shop_id = $1 AND sku = $2"
			      " AND status = 'published'" BEST_FIRST " LIMIT $3", "ssi", shop, sku,
			      (int64_t)limit)
		: store_query(tx, e, "SELECT " COLUMNS " FROM reviews WHERE shop_id = $1 AND"
			      " status = 'published'" BEST_FIRST " LIMIT $2", "si", shop, (int64_t)limit);
	int rc = read_rows(tx, a, shop, st, limit, 1, out, n, e);
	if (!rc && *n > limit)
		*n = limit;
	return rc;
}

int review_of_customer(struct store_tx *tx, struct arena *a, const char *shop,
		       const char *customer, int latest, struct review_customer_summary *out,
		       struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct store_stmt *st = store_query(tx, e, "SELECT status, count(*), sum(rating) FROM reviews"
		" WHERE shop_id = $1 AND customer_id = $2 GROUP BY status", "ss", shop, customer);
	int rc;
	if (!st)
		return e->kind;
	while ((rc = store_step(st, e)) == 1) {
		const char *s = store_text(st, 0);
		int64_t count = store_int(st, 1);
		out->count += count;
		out->sum += store_int(st, 2);
		*(!strcmp(s, "published") ? &out->published : !strcmp(s, "hidden") ? &out->hidden
		  : &out->pending) += count;
	}
	store_done(st);
	if (rc < 0)
		return rc;
	st = store_query(tx, e, "SELECT " COLUMNS " FROM reviews WHERE shop_id = $1 AND customer_id = $2"
			 " ORDER BY id DESC LIMIT $3", "ssi", shop, customer, (int64_t)latest);
	if ((rc = read_rows(tx, a, shop, st, latest, 0, &out->latest, &out->nlatest, e)))
		return rc;
	if (out->nlatest > latest)
		out->nlatest = latest;
	return 0;
}

int review_history(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		   struct review_event **out, int *n, struct err *e)
{
	int64_t count;
	int rc = store_query_int(tx, e, &count, "SELECT count(*) FROM review_history WHERE"
				 " shop_id = $1 AND review_id = $2", "ss", shop, id);
	if (rc)
		return rc;
	*out = arena_alloc(a, (size_t)(count + 1) * sizeof(**out));
	*n = 0;
	struct store_stmt *st = store_query(tx, e, "SELECT seq, at, action, reason, detail FROM"
		" review_history WHERE shop_id = $1 AND review_id = $2 ORDER BY seq", "ss", shop, id);
	if (!st)
		return e->kind;
	while (*n < count && (rc = store_step(st, e)) == 1) {
		struct review_event *v = &(*out)[(*n)++];
		v->seq = store_int(st, 0);
		v->at = store_int(st, 1);
		v->action = dup(a, st, 2);
		v->reason = dup(a, st, 3);
		v->detail = dup(a, st, 4);
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

/* ---- writing ---- */

/* Appends to the review's history: the only statement that touches it. */
static int remember(struct store_tx *tx, const char *shop, const char *id, const char *action,
		    const char *reason, const char *detail, struct err *e)
{
	int64_t seq;
	int rc = store_query_int(tx, e, &seq, "SELECT coalesce(max(seq), 0) FROM review_history"
				 " WHERE shop_id = $1 AND review_id = $2", "ss", shop, id);
	if (rc)
		return rc;
	rc = store_exec(tx, e, "INSERT INTO review_history (shop_id, review_id, seq, action, reason,"
			" detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7)", "ssisssi", shop, id, seq + 1,
			action, reason, detail, clock_now_ms());
	return rc < 0 ? rc : 0;
}

int review_is_verified_buyer(struct store_tx *tx, const char *shop, const char *customer,
			     const char *sku, int *verified, struct err *e)
{
	int64_t n;
	int rc = store_query_int(tx, e, &n, "SELECT count(*) FROM order_lines l JOIN orders o ON"
		" o.shop_id = l.shop_id AND o.id = l.order_id WHERE l.shop_id = $1 AND l.sku = $3"
		" AND l.quantity > l.refunded_quantity AND o.status IN ('paid', 'partially_refunded')"
		" AND o.customer_id IN (SELECT id FROM customers WHERE shop_id = $1 AND (id = $2 OR"
		" merged_into = $2))", "sss", shop, customer, sku);
	*verified = !rc && n > 0;
	return rc;
}

static int check_url(const char *u)
{
	size_t n = strlen(u);
	if (!n || n > REVIEW_URL_MAX || strpbrk(u, "\n\r\t "))
		return -1;
	if (strncmp(u, "https://", 8) && strncmp(u, "http://", 7))
		return -1;
	return strchr(u, '/') && u[strcspn(u, ":") + 3] ? 0 : -1;
}

static int check_input(const struct review_input *in, struct err *e)
{
	if (in->rating < 1 || in->rating > 5)
		return err_set(e, ERR_INVALID, "rating", "\"rating\" is 1 to 5 stars, not %lld",
			       (long long)in->rating);
	if (!in->customer || !*in->customer)
		return err_setc(e, ERR_INVALID, "parameter_missing", "customer", "\"customer\" is required");
	if (!in->sku == !in->order)
		return err_set(e, ERR_INVALID, in->sku ? "order" : "sku", "a review is of one \"sku\" or"
			       " one \"order\": send exactly one of them");
	if (in->sku && (!*in->sku || strlen(in->sku) > 200))
		return err_set(e, ERR_INVALID, "sku", "\"sku\" is 1 to 200 characters");
	if (in->title && strlen(in->title) > REVIEW_TITLE_MAX)
		return err_set(e, ERR_INVALID, "title", "\"title\" is at most %d bytes", REVIEW_TITLE_MAX);
	if (in->body && strlen(in->body) > REVIEW_BODY_MAX)
		return err_set(e, ERR_INVALID, "body", "\"body\" is at most %d bytes", REVIEW_BODY_MAX);
	if (in->nphotos > REVIEW_PHOTOS_MAX)
		return err_set(e, ERR_INVALID, "photos", "at most %d photos", REVIEW_PHOTOS_MAX);
	for (int i = 0; i < in->nphotos; i++)
		if (check_url(in->photos[i]))
			return err_set(e, ERR_INVALID, "photos", "each photo is an http(s) URL of at most %d"
				       " bytes, without spaces", REVIEW_URL_MAX);
	return 0;
}

static const char *photos_text(struct arena *a, const char *const *photos, int n)
{
	if (n <= 0)
		return NULL;
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += strlen(photos[i]) + 1;
	char *s = arena_alloc(a, len), *p = s;
	for (int i = 0; i < n; i++)
		p += sprintf(p, "%s%s", i ? "\n" : "", photos[i]);
	return s;
}

/* The subject: the order (this shop's, this customer's) and whether it
 * makes a verified buyer, or the SKU's. */
static int subject(struct store_tx *tx, struct arena *a, const char *shop,
		   const struct review_input *in, const char *customer, const char **order_id,
		   int *verified, struct err *e)
{
	int rc;
	*order_id = NULL;
	if (in->sku)
		return review_is_verified_buyer(tx, shop, customer, in->sku, verified, e);
	struct order o;
	char owner[ID_MAX];
	if ((rc = order_get(tx, a, shop, in->order, &o, e))) {
		snprintf(e->param, sizeof(e->param), "order");
		return rc;
	}
	if ((rc = customer_resolve(tx, shop, o.customer_id, "order", owner, e)))
		return rc;
	if (strcmp(owner, customer))
		return err_set(e, ERR_INVALID, "order", "order \"%s\" belongs to another customer", o.id);
	*order_id = arena_strdup(a, o.id);
	*verified = !strcmp(o.status, "paid") || !strcmp(o.status, "partially_refunded");
	return 0;
}

static int refuse_second(struct store_tx *tx, const char *shop, const char *customer,
			 const char *sku, const char *order_id, struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT id FROM reviews WHERE shop_id = $1 AND"
		" customer_id = $2 AND (sku = $3 OR order_id = $4) LIMIT 1", "ssss", shop, customer,
		sku ? sku : "", order_id ? order_id : "");
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	char first[ID_MAX] = "";
	if (rc == 1)
		snprintf(first, sizeof(first), "%s", store_text(st, 0));
	store_done(st);
	if (rc < 0)
		return rc;
	if (rc == 1)
		return err_setc(e, ERR_CONFLICT, "review_exists", sku ? "sku" : "order", "customer"
				" \"%s\" reviewed this %s already: review \"%s\"", customer,
				sku ? "product" : "order", first);
	return 0;
}

/* A negative review's support ticket, when the shop wants one (once: the
 * review is new). */
static int open_ticket(struct store_tx *tx, struct arena *a, const char *shop,
		       const struct review *r, struct err *e)
{
	struct ticket_input t = {
		.channel = "web", .source = "review", .priority = "normal",
		.subject = arena_printf(a, "%lld-star review of %s %s", (long long)r->rating,
					r->sku ? "product" : "order", r->sku ? r->sku : r->order_id),
		.body = r->body && *r->body ? r->body
			: arena_printf(a, "Rated %lld of 5, no words.", (long long)r->rating),
	};
	t.customer.id = r->customer_id;
	struct ticket out;
	int rc = ticket_create(tx, a, shop, &t, &out, e);
	if (rc)
		return rc;
	rc = store_exec(tx, e, "UPDATE reviews SET ticket_id = $3 WHERE shop_id = $1 AND id = $2"
			" AND ticket_id IS NULL", "sss", shop, r->id, out.id);
	return rc < 0 ? rc : 0;
}

/* What a new review sets off: the queue, the trigger, the ticket. */
static int after_create(struct store_tx *tx, struct arena *a, const char *shop,
			const struct review_settings *s, struct review *r, struct err *e)
{
	int rc = 0;
	if (r->rating <= REVIEW_QUEUE_MAX_RATING &&
	    (rc = event_record(tx, shop, "review.needs_reply", r->id, r->customer_id, e)))
		return rc;
	if (r->rating > REVIEW_NEGATIVE_MAX_RATING)
		return 0;
	if ((rc = offers_trigger(tx, shop, r->customer_id, "negative_review", r->id, NULL, e)))
		return rc;
	return s->open_tickets ? open_ticket(tx, a, shop, r, e) : 0;
}

int review_create(struct store_tx *tx, struct arena *a, const char *shop,
		  const struct review_input *in, struct review *out, struct err *e)
{
	struct review_settings s;
	char id[ID_MAX], customer[ID_MAX];
	const char *order_id;
	int verified = 0, erased, rc;
	int64_t now = clock_now_ms(), due = 0, points = 0;
	if ((rc = check_input(in, e)) ||
	    (rc = customer_resolve(tx, shop, in->customer, "customer", customer, e)) ||
	    (rc = customer_is_erased(tx, shop, customer, "customer", &erased, e)))
		return rc;
	if (erased)
		return err_setc(e, ERR_CONFLICT, "customer_inactive", "customer", "customer \"%s\" is"
				" erased and cannot write reviews", customer);
	if ((rc = subject(tx, a, shop, in, customer, &order_id, &verified, e)) ||
	    (rc = refuse_second(tx, shop, customer, in->sku, order_id, e)) ||
	    (rc = review_settings_get(tx, a, shop, &s, e)))
		return rc;
	if (in->rating <= REVIEW_QUEUE_MAX_RATING && (rc = review_reply_due(tx, a, shop, now, &due, e)))
		return rc;
	int published = !strcmp(s.moderation, "auto");
	id_new(id, REVIEW_PREFIX, now);
	/* The programme's review bonus, given by this write: it is what makes
	 * the review incentivized. */
	if ((rc = ledger_bonus(tx, shop, customer, "review", 0, &points, e)))
		return rc;
	rc = store_exec(tx, e, "INSERT INTO reviews (shop_id, id, customer_id, sku, order_id, rating,"
		" title, body, photos, status, verified_buyer, incentive_points, incentivized_by_shop,"
		" reply_due_at, created_at, updated_at, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7,"
		" $8, $9, $10, $11, $12, $13, nullif($14, 0), $15, $15, nullif($16, 0))",
		"sssssissssiiiiii", shop, id, customer, in->sku, order_id, in->rating, in->title,
		in->body, photos_text(a, in->photos, in->nphotos), published ? "published" : "pending",
		(int64_t)verified, points, (int64_t)(in->incentivized != 0), due, now,
		published ? now : (int64_t)0);
	if (rc < 0 || (rc = remember(tx, shop, id, "created", NULL, NULL, e)) ||
	    (published && (rc = remember(tx, shop, id, "published", NULL, "auto", e))) ||
	    (rc = event_record(tx, shop, "review.created", id, customer, e)) ||
	    (published && (rc = event_record(tx, shop, "review.published", id, customer, e))) ||
	    (rc = review_get(tx, a, shop, id, 0, out, e)) ||
	    (rc = after_create(tx, a, shop, &s, out, e)))
		return rc;
	return review_get(tx, a, shop, id, 0, out, e);
}

int review_reply(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		 const char *body, int public, struct review *out, struct err *e)
{
	char reply[ID_MAX];
	int64_t now = clock_now_ms();
	int rc;
	if (!body || !*body)
		return err_setc(e, ERR_INVALID, "parameter_missing", "body", "\"body\" is required");
	if (strlen(body) > REVIEW_REPLY_MAX)
		return err_set(e, ERR_INVALID, "body", "\"body\" is at most %d bytes", REVIEW_REPLY_MAX);
	if ((rc = review_get(tx, a, shop, id, 0, out, e)))
		return rc;
	id_new(reply, "rpl_", now);
	rc = store_exec(tx, e, "INSERT INTO review_replies (shop_id, review_id, id, body, public,"
			" created_at) VALUES ($1, $2, $3, $4, $5, $6)", "ssssii", shop, id, reply, body,
			(int64_t)(public != 0), now);
	if (rc >= 0)
		rc = store_exec(tx, e, "UPDATE reviews SET first_reply_at = coalesce(first_reply_at, $3),"
				" replies = replies + 1, updated_at = $3 WHERE shop_id = $1 AND id = $2",
				"ssi", shop, id, now);
	if (rc < 0 || (rc = remember(tx, shop, id, "replied", NULL, public ? "public" : "private", e)) ||
	    (rc = event_record(tx, shop, "review.replied", id, out->customer_id, e)))
		return rc;
	return review_get(tx, a, shop, id, 0, out, e);
}

int review_vote(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		const char *customer_ref, int helpful, struct review *out, struct err *e)
{
	char customer[ID_MAX];
	int64_t now = clock_now_ms();
	int rc;
	if (!customer_ref || !*customer_ref)
		return err_setc(e, ERR_INVALID, "parameter_missing", "customer", "\"customer\" is required");
	int erased;
	if ((rc = customer_resolve(tx, shop, customer_ref, "customer", customer, e)) ||
	    (rc = customer_is_erased(tx, shop, customer, "customer", &erased, e)) ||
	    (rc = review_get(tx, a, shop, id, 0, out, e)))
		return rc;
	if (erased)
		return err_setc(e, ERR_CONFLICT, "customer_inactive", "customer", "customer \"%s\" is"
				" erased and cannot vote", customer);
	if (strcmp(out->status, "published"))
		return err_setc(e, ERR_CONFLICT, "review_status_conflict", "id", "review \"%s\" is %s:"
				" only a published review takes votes", id, out->status);
	if (out->customer_id && !strcmp(out->customer_id, customer))
		return err_setc(e, ERR_REFUSED, "own_review", "customer", "customer \"%s\" wrote review"
				" \"%s\" and cannot vote on it", customer, id);
	rc = store_exec(tx, e, "INSERT INTO review_votes (shop_id, review_id, customer_id, helpful,"
		" created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (shop_id,"
		" review_id, customer_id) DO UPDATE SET helpful = excluded.helpful, updated_at ="
		" excluded.updated_at", "sssii", shop, id, customer, (int64_t)(helpful != 0), now);
	if (rc >= 0)
		rc = store_exec(tx, e, "UPDATE reviews SET helpful = (SELECT count(*) FROM review_votes v"
			" WHERE v.shop_id = $1 AND v.review_id = $2 AND v.helpful = 1), unhelpful = (SELECT"
			" count(*) FROM review_votes v WHERE v.shop_id = $1 AND v.review_id = $2 AND"
			" v.helpful = 0) WHERE shop_id = $1 AND id = $2", "ss", shop, id);
	if (rc < 0 || (rc = event_record(tx, shop, "review.voted", id, customer, e)))
		return rc;
	return review_get(tx, a, shop, id, 0, out, e);
}

static int allowed_reasons(struct err *e, const char *reason)
{
	return err_set(e, ERR_INVALID, "reason", "\"reason\" is spam, profanity, personal_data or"
		       " off_topic, not \"%s\": a review is never hidden for its rating", reason);
}

int review_moderate(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		    const char *action, const char *reason, struct review *out, struct err *e)
{
	int64_t now = clock_now_ms();
	int rc;
	if (!action || !in_list(review_actions, action))
		return err_set(e, ERR_INVALID, "action", "\"action\" is hide, restore or publish, not"
			       " \"%s\"", action ? action : "");
	if (reason && !in_list(review_reasons, reason))
		return allowed_reasons(e, reason);
	if (!strcmp(action, "hide") && !reason)
		return err_setc(e, ERR_INVALID, "parameter_missing", "reason", "hiding a review needs a"
				" \"reason\": spam, profanity, personal_data or off_topic");
	if (strcmp(action, "hide") && reason)
		return err_set(e, ERR_INVALID, "reason", "only \"hide\" takes a \"reason\"");
	if ((rc = review_get(tx, a, shop, id, 0, out, e)))
		return rc;
	/* action: the status it needs (NULL: any but its result), the result. */
	const char *from = !strcmp(action, "restore") ? "hidden" : !strcmp(action, "publish")
		? "pending" : NULL;
	const char *to = !strcmp(action, "hide") ? "hidden" : "published";
	const char *done = !strcmp(action, "hide") ? "hidden" : !strcmp(action, "restore")
		? "restored" : "published";
	if ((from && strcmp(out->status, from)) || (!from && !strcmp(out->status, to)))
		return err_setc(e, ERR_CONFLICT, "review_status_conflict", "action", "review \"%s\" is"
				" %s: it cannot be %s", id, out->status, done);
	rc = store_exec(tx, e, "UPDATE reviews SET status = $3, updated_at = $4, published_at ="
			" CASE WHEN $3 = 'published' THEN coalesce(published_at, $4) ELSE published_at END"
			" WHERE shop_id = $1 AND id = $2 AND status = $5", "sssis", shop, id, to, now,
			out->status);
	if (rc < 0)
		return rc;
	char type[40];
	snprintf(type, sizeof(type), "review.%s", done);
	if ((rc = remember(tx, shop, id, done, reason, NULL, e)) ||
	    (rc = event_record(tx, shop, type, id, out->customer_id, e)))
		return rc;
	return review_get(tx, a, shop, id, 0, out, e);
}

/* ---- the customer.c hooks ---- */

int review_erase_customer(struct store_tx *tx, const char *shop, const char *customer,
			  struct err *e)
{
	struct arena a = ARENA_INIT;
	char (*ids)[32];
	int64_t *unused;
	int n, rc = store_query_pairs(tx, e, &a, &ids, &unused, &n, "SELECT id, 0 FROM reviews WHERE"
				      " shop_id = $1 AND customer_id = $2 ORDER BY id", "ss", shop, customer);
	for (int i = 0; !rc && i < n; i++)
		rc = remember(tx, shop, ids[i], "erased", NULL, "the author's personal data", e);
	static const char *const blank[] = {
		"UPDATE review_replies SET body = '' WHERE shop_id = $1 AND body <> '' AND review_id IN"
		" (SELECT id FROM reviews WHERE shop_id = $1 AND customer_id = $2)",
		"UPDATE reviews SET title = NULL, body = NULL, photos = NULL, customer_id = NULL,"
		" author_erased = 1 WHERE shop_id = $1 AND customer_id = $2",
		"UPDATE question_answers SET body = NULL, customer_id = NULL WHERE shop_id = $1 AND"
		" customer_id = $2",
		"UPDATE questions SET body = NULL, customer_id = NULL WHERE shop_id = $1 AND customer_id = $2",
		/* Their votes go (who voted for what is theirs), the counts without them. */
		"UPDATE reviews SET helpful = (SELECT count(*) FROM review_votes v WHERE"
		" v.shop_id = reviews.shop_id AND v.review_id = reviews.id AND v.helpful = 1 AND"
		" v.customer_id <> $2), unhelpful = (SELECT count(*) FROM review_votes v WHERE"
		" v.shop_id = reviews.shop_id AND v.review_id = reviews.id AND v.helpful = 0 AND"
		" v.customer_id <> $2) WHERE shop_id = $1 AND id IN (SELECT review_id FROM review_votes"
		" WHERE shop_id = $1 AND customer_id = $2)",
		"DELETE FROM review_votes WHERE shop_id = $1 AND customer_id = $2",
	};
	for (size_t k = 0; !rc && k < sizeof(blank) / sizeof(blank[0]); k++) {
		rc = store_exec(tx, e, blank[k], "ss", shop, customer);
		rc = rc < 0 ? rc : 0;
	}
	arena_free(&a);
	return rc;
}

int review_merge(struct store_tx *tx, const char *shop, const char *target, const char *source,
		 struct err *e)
{
	static const char *const moves[] = {
		"DELETE FROM review_votes WHERE shop_id = $1 AND customer_id = $3 AND review_id IN"
		" (SELECT review_id FROM review_votes WHERE shop_id = $1 AND customer_id = $2)",
		"UPDATE review_votes SET customer_id = $2 WHERE shop_id = $1 AND customer_id = $3",
		"UPDATE reviews SET customer_id = $2 WHERE shop_id = $1 AND customer_id = $3",
		"UPDATE questions SET customer_id = $2 WHERE shop_id = $1 AND customer_id = $3",
		"UPDATE question_answers SET customer_id = $2 WHERE shop_id = $1 AND customer_id = $3",
	};
	for (size_t k = 0; k < sizeof(moves) / sizeof(moves[0]); k++) {
		int rc = store_exec(tx, e, moves[k], "sss", shop, target, source);
		if (rc < 0)
			return rc;
	}
	/* A vote the survivor now casts on its own review counts for nothing. */
	int rc = store_exec(tx, e, "DELETE FROM review_votes WHERE shop_id = $1 AND customer_id = $2"
			    " AND review_id IN (SELECT id FROM reviews WHERE shop_id = $1 AND"
			    " customer_id = $2)", "ss", shop, target);
	if (rc < 0)
		return rc;
	rc = store_exec(tx, e, "UPDATE reviews SET helpful = (SELECT count(*) FROM review_votes v"
		" WHERE v.shop_id = reviews.shop_id AND v.review_id = reviews.id AND v.helpful = 1),"
		" unhelpful = (SELECT count(*) FROM review_votes v WHERE v.shop_id = reviews.shop_id AND"
		" v.review_id = reviews.id AND v.helpful = 0) WHERE shop_id = $1 AND (customer_id = $2"
		" OR id IN (SELECT review_id FROM review_votes WHERE shop_id = $1 AND customer_id = $2))",
		"ss", shop, target);
	return rc < 0 ? rc : 0;
}

int review_written_by(struct store_tx *tx, struct arena *a, const char *shop,
		      const char *customer, char (**ids)[32], int *n, struct err *e)
{
	int64_t *unused;
	return store_query_pairs(tx, e, a, ids, &unused, n, "SELECT id, 0 FROM reviews WHERE"
		" shop_id = $1 AND customer_id = $2 UNION SELECT id, 0 FROM questions WHERE shop_id = $1"
		" AND customer_id = $2 UNION SELECT question_id, 0 FROM question_answers WHERE"
		" shop_id = $1 AND customer_id = $2", "ss", shop, customer);
}
