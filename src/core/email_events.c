/* email_events.c: the events a shop may e-mail about, each with its class
 * (transactional or promotional, docs/email.md says why), where its customer
 * is and the query of its own variables. One table: a new event is a row. */
#include "email.h"

#include <stdio.h>
#include <string.h>

#include "../base/clock.h"
#include "../base/rfc3339.h"
#include "customer.h"
#include "ledger.h"
#include "survey.h"

enum customer_at { AT_RELATED, AT_OBJECT, AT_QUERY };

/* sql: $1 the shop, $2 the event's object, $3 its related id; one row whose
 * columns are fields in order (a field ending in "_at" is a unix-ms time,
 * rendered as RFC 3339). customer_sql, for AT_QUERY: the same parameters,
 * the customer's id. */
static const struct email_event {
	const char *type;
	enum email_class class;
	enum customer_at at;
	const char *customer_sql;
	const char *sql;
	const char *fields[6];
} events[] = {
	{ "points.bonus", EMAIL_TRANSACTIONAL, AT_RELATED, NULL,
	  "SELECT amount, expires_at FROM loyalty_lots WHERE shop_id = $1 AND id = $2",
	  { "points.amount", "points.expires_at" } },
	{ "points.expiring", EMAIL_PROMOTIONAL, AT_RELATED, NULL,
	  "SELECT remaining, expires_at FROM loyalty_lots WHERE shop_id = $1 AND id = $2",
	  { "points.amount", "points.expires_at" } },
	{ "points.expired", EMAIL_TRANSACTIONAL, AT_RELATED, NULL,
	  "SELECT amount, expires_at FROM loyalty_lots WHERE shop_id = $1 AND id = $2",
	  { "points.amount", "points.expires_at" } },
	{ "milestone.reached", EMAIL_TRANSACTIONAL, AT_RELATED, NULL,
	  "SELECT rule, points, gift FROM milestone_awards WHERE shop_id = $1 AND id = $2",
	  { "milestone.rule", "milestone.points", "milestone.gift" } },
	{ "customer.tier_changed", EMAIL_TRANSACTIONAL, AT_OBJECT, NULL,
	  "SELECT CAST($3 AS TEXT) FROM customers WHERE shop_id = $1 AND id = $2", { "tier.name" } },
	{ "offer.issued", EMAIL_PROMOTIONAL, AT_RELATED, NULL,
	  "SELECT g.code, g.points, c.name, k.expires_at FROM offer_grants g"
	  " JOIN campaigns c ON c.shop_id = g.shop_id AND c.id = g.campaign_id"
	  " LEFT JOIN coupon_codes k ON k.shop_id = g.shop_id AND k.code = g.code"
	  " WHERE g.shop_id = $1 AND g.id = $2",
	  { "offer.code", "offer.points", "offer.campaign", "offer.expires_at" } },
	{ "customer.account_invite_due", EMAIL_PROMOTIONAL, AT_OBJECT, NULL, NULL, { NULL } },
	{ "order.paid", EMAIL_TRANSACTIONAL, AT_RELATED, NULL,
	  "SELECT external_id, total, currency FROM orders WHERE shop_id = $1 AND id = $2",
	  { "order.external_id", "order.total", "order.currency" } },
	{ "refund.created", EMAIL_TRANSACTIONAL, AT_QUERY,
	  "SELECT customer_id FROM orders WHERE shop_id = $1 AND id = $3 AND $2 <> ''",
	  "SELECT o.external_id, r.amount, o.currency FROM refunds r"
	  " JOIN orders o ON o.shop_id = r.shop_id AND o.id = r.order_id"
	  " WHERE r.shop_id = $1 AND r.id = $2",
	  { "order.external_id", "refund.amount", "order.currency" } },
	{ "delivery.late", EMAIL_TRANSACTIONAL, AT_RELATED, NULL,
	  "SELECT o.external_id, s.carrier, s.tracking_id, s.promised_delivery_at FROM shipments s"
	  " JOIN orders o ON o.shop_id = s.shop_id AND o.id = s.order_id"
	  " WHERE s.shop_id = $1 AND s.id = $2",
	  { "order.external_id", "shipment.carrier", "shipment.tracking_id", "shipment.promised_at" } },
	{ "ticket.replied", EMAIL_TRANSACTIONAL, AT_RELATED, NULL,
	  "SELECT id, subject FROM tickets WHERE shop_id = $1 AND id = $2",
	  { "ticket.id", "ticket.subject" } },
	/* survey.link is computed (computed[] below): the column holds its place. */
	{ "survey.sent", EMAIL_TRANSACTIONAL, AT_RELATED, NULL,
	  "SELECT kind, CAST(NULL AS TEXT) FROM surveys WHERE shop_id = $1 AND id = $2",
	  { "survey.kind", "survey.link" } },
};

/* Variables no SQL can give: signed links. fn sets *value (or NULL) for the
 * event's object. */
static const struct computed {
	const char *type, *field;
	int (*fn)(struct store_tx *, struct arena *, const char *shop, const char *object_id,
		  const char **value, struct err *);
} computed[] = {
	{ "survey.sent", "survey.link", survey_link },
};
#define NCOMPUTED ((int)(sizeof(computed) / sizeof(computed[0])))

static const struct computed *computed_of(const char *type, const char *field)
{
	for (int c = 0; c < NCOMPUTED; c++)
		if (!strcmp(computed[c].type, type) && !strcmp(computed[c].field, field))
			return &computed[c];
	return NULL;
}

#define NEVENTS ((int)(sizeof(events) / sizeof(events[0])))

/* Every event's: who, which shop, the event itself, the link. */
static const char *const common[] = {
	"customer.id", "customer.name", "customer.email", "customer.tier", "customer.points",
	"shop.name", "shop.support_email", "shop.support_phone",
	"event.id", "event.type", "event.created_at", "unsubscribe_url",
};
#define NCOMMON ((int)(sizeof(common) / sizeof(common[0])))
#define FIELDS_MAX 6

int email_event_count(void)
{
	return NEVENTS;
}

const char *email_event_type(int i)
{
	return events[i].type;
}

enum email_class email_event_class(int i)
{
	return events[i].class;
}

const char *email_class_name(enum email_class c)
{
	return c == EMAIL_PROMOTIONAL ? "promotional" : "transactional";
}

int email_event_find(const char *type)
{
	for (int i = 0; type && i < NEVENTS; i++)
		if (!strcmp(events[i].type, type))
			return i;
	return -1;
}

const char *const *email_event_variables(int i, int *n)
{
	static const char *all[NEVENTS][NCOMMON + FIELDS_MAX + 1];
	static int count[NEVENTS];
	/* Built on first use; the same result each time, so a race writes the same. */
	if (!all[i][0]) {
		int k = 0;
		for (int c = 0; c < NCOMMON; c++)
			all[i][k++] = common[c];
		for (int f = 0; f < FIELDS_MAX && events[i].fields[f]; f++)
			all[i][k++] = events[i].fields[f];
		all[i][k] = NULL;
		count[i] = k;
	}
	if (n)
		*n = count[i];
	return all[i];
}

/* Sets the dotted name ("a.b") in root, making the map "a" when needed. */
static struct template_value *map_of(struct arena *a, struct template_value *root, const char *name)
{
	for (struct template_value *v = root->first; v; v = v->next)
		if (v->kind == TEMPLATE_MAP && !strcmp(v->name, name))
			return v;
	return template_set_map(a, root, name);
}

static void set(struct arena *a, struct template_value *root, const char *name, const char *text)
{
	const char *dot = strchr(name, '.');
	if (!dot) {
		template_set_text(a, root, name, text);
		return;
	}
	char head[TEMPLATE_NAME_MAX + 1];
	snprintf(head, sizeof(head), "%.*s", (int)(dot - name), name);
	template_set_text(a, map_of(a, root, head), dot + 1, text);
}

static int is_time(const char *field)
{
	size_t n = strlen(field);
	return n > 3 && !strcmp(field + n - 3, "_at");
}

static void set_time(struct arena *a, struct template_value *root, const char *name, int64_t ms)
{
	char t[RFC3339_MAX];
	rfc3339_format(ms, t);
	set(a, root, name, t);
}

/* The binding of $1..$3 a query uses: SQLite refuses binding more, and a
 * query that uses $3 uses $1 and $2 too (PostgreSQL must know their types). */
static struct store_stmt *query(struct store_tx *tx, const char *sql, const char *shop,
				const char *object_id, const char *related_id, struct err *e)
{
	if (strstr(sql, "$3"))
		return store_query(tx, e, sql, "sss", shop, object_id, related_id);
	if (strstr(sql, "$2"))
		return store_query(tx, e, sql, "ss", shop, object_id);
	return store_query(tx, e, sql, "s", shop);
}

static int load_fields(struct store_tx *tx, struct arena *a, const struct email_event *ev,
		       const char *shop, const char *object_id, const char *related_id,
		       struct template_value *root, struct err *e)
{
	if (!ev->sql)
		return 0;
	struct store_stmt *st = query(tx, ev->sql, shop, object_id, related_id, e);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	for (int f = 0; rc == 1 && f < FIELDS_MAX && ev->fields[f]; f++) {
		if (computed_of(ev->type, ev->fields[f]))
			continue;
		if (store_is_null(st, f))
			set(a, root, ev->fields[f], NULL);
		else if (is_time(ev->fields[f]))
			set_time(a, root, ev->fields[f], store_int(st, f));
		else
			set(a, root, ev->fields[f], store_text(st, f));
	}
	store_done(st);
	for (int c = 0; rc >= 0 && c < NCOMPUTED; c++) {
		const char *value;
		if (strcmp(computed[c].type, ev->type))
			continue;
		if ((rc = computed[c].fn(tx, a, shop, object_id, &value, e)))
			return rc;
		set(a, root, computed[c].field, value);
	}
	return rc < 0 ? rc : 0;
}

static int find_customer(struct store_tx *tx, const struct email_event *ev, const char *shop,
			 const char *object_id, const char *related_id, char customer[ID_MAX],
			 struct err *e)
{
	customer[0] = '\0';
	const char *id = ev->at == AT_OBJECT ? object_id : related_id;
	if (ev->at != AT_QUERY) {
		snprintf(customer, ID_MAX, "%s", id ? id : "");
		return 0;
	}
	struct store_stmt *st = query(tx, ev->customer_sql, shop, object_id, related_id, e);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	if (rc == 1 && store_text(st, 0))
		snprintf(customer, ID_MAX, "%s", store_text(st, 0));
	store_done(st);
	return rc < 0 ? rc : 0;
}

/* The customer's own variables: who (following a merge), tier, points. */
static int load_customer(struct store_tx *tx, struct arena *a, const char *shop,
			 const char *customer, struct template_value *root, struct err *e)
{
	struct template_value *c = map_of(a, root, "customer");
	struct store_stmt *st = store_query(tx, e, "SELECT c.id, c.name, c.email, l.tier FROM customers c"
		" LEFT JOIN loyalty_accounts l ON l.shop_id = c.shop_id AND l.customer_id = c.id"
		" WHERE c.shop_id = $1 AND c.id = $2", "ss", shop, customer);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	if (rc == 1) {
		template_set_text(a, c, "id", store_text(st, 0));
		template_set_text(a, c, "name", store_text(st, 1));
		template_set_text(a, c, "email", store_text(st, 2));
		template_set_text(a, c, "tier", store_text(st, 3));
	}
	store_done(st);
	if (rc <= 0)
		return rc;
	struct loyalty_balance b;
	if ((rc = ledger_balance(tx, a, shop, customer, &b, e)))
		return rc;
	template_set_int(a, c, "points", (long long)b.available);
	return 0;
}

int email_event_context(struct store_tx *tx, struct arena *a, int event, const char *shop,
			const char *object_id, const char *related_id, struct template_value *root,
			char customer[ID_MAX], struct err *e)
{
	const struct email_event *ev = &events[event];
	char current[ID_MAX];
	int rc = find_customer(tx, ev, shop, object_id, related_id, customer, e);
	if (rc || !customer[0])
		return rc;
	rc = customer_resolve(tx, shop, customer, "customer", current, e);
	if (rc == ERR_NOT_FOUND) {
		customer[0] = '\0';
		return 0;
	}
	snprintf(customer, ID_MAX, "%s", current);
	if (rc || (rc = load_customer(tx, a, shop, current, root, e)))
		return rc;
	return load_fields(tx, a, ev, shop, object_id, related_id, root, e);
}

/* A sample value for a variable: its last part, made readable. */
static const char *sample_of(struct arena *a, const char *name)
{
	static const struct { const char *name, *value; } samples[] = {
		{ "customer.name", "Ana Example" }, { "customer.email", "ana@example.com" },
		{ "customer.tier", "Gold" }, { "customer.points", "1200" },
		{ "shop.name", "Example Shop" }, { "shop.support_email", "help@shop.example" },
		{ "shop.support_phone", "+44 20 7946 0000" }, { "offer.code", "WELCOME-7KQ2" },
		{ "tier.name", "Gold" }, { "order.currency", "EUR" },
		{ "unsubscribe_url", "https://shop.example/unsubscribe?token=eut_example" },
	};
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		if (!strcmp(samples[i].name, name))
			return samples[i].value;
	if (is_time(name))
		return "2026-12-24T09:00:00Z";
	const char *dot = strrchr(name, '.');
	if (dot && (strstr(name, "amount") || strstr(name, "points") || strstr(name, "total")))
		return "500";
	return arena_printf(a, "example %s", dot ? dot + 1 : name);
}

struct template_value *email_event_sample(struct arena *a, int event)
{
	struct template_value *root = template_map(a);
	int n;
	const char *const *vars = email_event_variables(event, &n);
	for (int i = 0; i < n; i++)
		set(a, root, vars[i], sample_of(a, vars[i]));
	return root;
}
