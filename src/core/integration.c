/* integration.c: see integration.h. */
#include "integration.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../base/checked.h"
#include "../base/clock.h"
#include "../base/currency.h"
#include "../base/secure.h"
#include "customer.h"
#include "event.h"
#include "order.h"

static const char *const platform_names[INTEGRATION_COUNT] = { "shopify", "woocommerce" };

const char *integration_platform_name(enum integration_platform p)
{
	return (unsigned)p < INTEGRATION_COUNT ? platform_names[p] : "unknown";
}

const char *integration_external_id(struct arena *a, enum integration_platform p, const char *id)
{
	return arena_printf(a, "%s:%s", integration_platform_name(p), id);
}

/* ---- domains ---- */

static int host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

/* Lower-cases the host of s (up to the first '/', after any scheme). */
static char *lower_host(struct arena *a, const char *s, size_t n, size_t host_from)
{
	char *out = arena_strndup(a, s, n);
	for (size_t i = 0; i < n; i++) {
		if (i >= host_from && out[i] == '/')
			break;
		out[i] = (char)tolower((unsigned char)out[i]);
	}
	return out;
}

static int shopify_domain(struct arena *a, const char *s, size_t n, const char *param,
			  const char **out, struct err *e)
{
	if (n > 8 && !strncasecmp(s, "https://", 8))
		s += 8, n -= 8;
	else if (n > 7 && !strncasecmp(s, "http://", 7))
		s += 7, n -= 7;
	while (n && s[n - 1] == '/')
		n--;
	char *host = lower_host(a, s, n, 0);
	int dots = 0;
	for (size_t i = 0; i < n; i++) {
		if (!host_char(host[i]))
			goto bad;
		dots += host[i] == '.';
	}
	if (n == 0 || n > INTEGRATION_DOMAIN_MAX || !dots || host[0] == '.' || host[0] == '-' ||
	    host[n - 1] == '.' || strstr(host, ".."))
		goto bad;
	*out = host;
	return 0;
bad:
	return err_set(e, ERR_INVALID, param,
		       "\"%s\" must be the store's domain like \"tea-house.myshopify.com\"", param);
}

static int woocommerce_url(struct arena *a, const char *s, size_t n, const char *param,
			   const char **out, struct err *e)
{
	size_t scheme = !strncasecmp(s, "https://", 8) ? 8 : !strncasecmp(s, "http://", 7) ? 7 : 0;
	while (n > scheme && s[n - 1] == '/')
		n--;
	if (!scheme || n == scheme || n > 2000)
		goto bad;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == '?' || s[i] == '#' || s[i] == 0x7f)
			goto bad;
	char *url = lower_host(a, s, n, scheme);
	for (size_t i = scheme; i < n && url[i] != '/'; i++)
		if (!host_char(url[i]) && url[i] != ':')
			goto bad;
	if (url[scheme] == '/' || url[scheme] == '.' || url[scheme] == ':')
		goto bad;
	*out = url;
	return 0;
bad:
	return err_set(e, ERR_INVALID, param,
		       "\"%s\" must be the site's address like \"https://tea.example\"", param);
}

int integration_normalize_domain(struct arena *a, enum integration_platform p, const char *raw,
				 const char *param, const char **out, struct err *e)
{
	if (!raw)
		return err_setc(e, ERR_INVALID, "parameter_missing", param, "\"%s\" is required", param);
	size_t skip = strspn(raw, " \t"), n = strlen(raw + skip);
	while (n && (raw[skip + n - 1] == ' ' || raw[skip + n - 1] == '\t'))
		n--;
	return p == INTEGRATION_SHOPIFY ? shopify_domain(a, raw + skip, n, param, out, e)
					: woocommerce_url(a, raw + skip, n, param, out, e);
}

/* ---- connections ---- */

static int check_secret(const char *secret, struct err *e)
{
	size_t n = secret ? strlen(secret) : 0;
	if (!secret)
		return err_setc(e, ERR_INVALID, "parameter_missing", "webhook_secret",
				"\"webhook_secret\" is required: the secret that signs the webhooks");
	if (n < INTEGRATION_SECRET_MIN || n > INTEGRATION_SECRET_MAX)
		return err_set(e, ERR_INVALID, "webhook_secret",
			       "\"webhook_secret\" must be %d to %d characters", INTEGRATION_SECRET_MIN,
			       INTEGRATION_SECRET_MAX);
	for (size_t i = 0; i < n; i++)
		if (secret[i] < 0x20 || secret[i] > 0x7e)
			return err_set(e, ERR_INVALID, "webhook_secret",
				       "\"webhook_secret\" must be printable ASCII");
	return 0;
}

static void fill(struct store_stmt *st, struct arena *a, struct integration *out)
{
	const char *secret = store_text(st, 2);
	size_t n = strlen(secret);
	memset(out, 0, sizeof(*out));
	out->platform = arena_strdup(a, store_text(st, 0));
	out->domain = arena_strdup(a, store_text(st, 1));
	snprintf(out->secret_hint, sizeof(out->secret_hint), "\xe2\x80\xa6%s",
		 n > 4 ? secret + n - 4 : "");
	snprintf(out->shop_id, sizeof(out->shop_id), "%s", store_text(st, 3));
	out->created_at = store_int(st, 4);
	out->updated_at = store_int(st, 5);
}

int integration_get(struct store_tx *tx, struct arena *a, const char *shop,
		    enum integration_platform p, struct integration *out, struct err *e)
{
	struct store_stmt *st = store_query(tx, e,
		"SELECT platform, domain, secret, shop_id, created_at, updated_at FROM integrations"
		" WHERE shop_id = $1 AND platform = $2", "ss", shop, integration_platform_name(p));
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	if (rc == 1)
		fill(st, a, out);
	store_done(st);
	if (rc == 0)
		return err_setc(e, ERR_NOT_FOUND, "integration_not_connected", NULL,
				"%s is not connected to this shop", integration_platform_name(p));
	return rc < 0 ? rc : 0;
}

/* The shop that connected domain on p, or owner "" when none. */
static int domain_owner(struct store_tx *tx, enum integration_platform p, const char *domain,
			char owner[ID_MAX], const char **secret, struct arena *a, struct err *e)
{
	struct store_stmt *st = store_query(tx, e,
		"SELECT shop_id, secret FROM integrations WHERE platform = $1 AND domain = $2", "ss",
		integration_platform_name(p), domain);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	owner[0] = '\0';
	if (rc == 1) {
		snprintf(owner, ID_MAX, "%s", store_text(st, 0));
		if (secret)
			*secret = arena_strdup(a, store_text(st, 1));
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

/* Shopify names a store by its myshopify.com domain in every webhook
 * (X-Shopify-Shop-Domain), never by a custom one: a connection under any other
 * name would never match a delivery, so it is refused when made. */
static int check_myshopify(enum integration_platform p, const char *domain, const char *param,
			   struct err *e)
{
	static const char suffix[] = ".myshopify.com";
	size_t n = strlen(domain), k = sizeof(suffix) - 1;
	if (p != INTEGRATION_SHOPIFY || (n > k && !strcmp(domain + n - k, suffix) &&
					 !memchr(domain, '.', n - k)))
		return 0;
	return err_set(e, ERR_INVALID, param, "\"%s\" must be the store's myshopify.com domain,"
		       " as Shopify sends it in X-Shopify-Shop-Domain (\"tea-house.myshopify.com\"),"
		       " not \"%s\"", param, domain);
}

int integration_connect(struct store_tx *tx, struct arena *a, const char *shop,
			enum integration_platform p, const char *domain, const char *secret,
			struct integration *out, int *created, struct err *e)
{
	const char *param = p == INTEGRATION_SHOPIFY ? "shop_domain" : "site_url";
	const char *norm;
	char owner[ID_MAX];
	int64_t now = clock_now_ms();
	int rc;

	*created = 0;
	if ((rc = integration_normalize_domain(a, p, domain, param, &norm, e)) ||
	    (rc = check_myshopify(p, norm, param, e)) ||
	    (rc = check_secret(secret, e)) ||
	    (rc = domain_owner(tx, p, norm, owner, NULL, a, e)))
		return rc;
	if (owner[0] && strcmp(owner, shop))
		return err_setc(e, ERR_CONFLICT, "integration_domain_taken", param,
				"\"%s\" is already connected to another shop", norm);
	rc = integration_get(tx, a, shop, p, out, e);
	if (rc && rc != ERR_NOT_FOUND)
		return rc;
	*created = rc == ERR_NOT_FOUND;
	/* One row per shop and platform: a new domain replaces the old one. */
	rc = store_exec(tx, e, "DELETE FROM integrations WHERE shop_id = $1 AND platform = $2",
			"ss", shop, integration_platform_name(p));
	if (rc >= 0)
		rc = store_exec(tx, e,
			"INSERT INTO integrations (platform, domain, shop_id, secret, created_at,"
			" updated_at) VALUES ($1, $2, $3, $4, $5, $6)", "ssssii",
			integration_platform_name(p), norm, shop, secret,
			*created ? now : out->created_at, now);
	if (rc < 0 || (rc = event_record(tx, shop, *created ? "integration.connected"
							     : "integration.updated",
					 integration_platform_name(p), NULL, e)))
		return rc;
	return integration_get(tx, a, shop, p, out, e);
}

int integration_disconnect(struct store_tx *tx, struct arena *a, const char *shop,
			   enum integration_platform p, struct integration *out, struct err *e)
{
	int rc = integration_get(tx, a, shop, p, out, e);
	if (rc)
		return rc;
	rc = store_exec(tx, e, "DELETE FROM integrations WHERE shop_id = $1 AND platform = $2",
			"ss", shop, integration_platform_name(p));
	if (rc < 0)
		return rc;
	return event_record(tx, shop, "integration.disconnected", integration_platform_name(p),
			    NULL, e);
}

int integration_verify(struct store_tx *tx, enum integration_platform p, const char *domain,
		       const void *body, size_t len, const char *signature, char shop[ID_MAX],
		       struct err *e)
{
	struct arena a = ARENA_INIT;
	const char *norm = NULL, *secret = NULL;
	struct err ignored;
	int rc = 0, ok;

	shop[0] = '\0';
	if (domain && integration_normalize_domain(&a, p, domain, "domain", &norm, &ignored) == 0)
		rc = domain_owner(tx, p, norm, shop, &secret, &a, e);
	if (rc)
		goto out;
	/* An unknown domain is checked against a key nobody holds, so that it
	 * answers as slowly, and as 401, as a wrong signature. */
	ok = secure_hmac_sha256_base64_verify(secret ? secret : "-", secret ? strlen(secret) : 1,
					      body, len, signature);
	if (!ok || !shop[0]) {
		shop[0] = '\0';
		rc = err_setc(e, ERR_AUTH, "webhook_signature_invalid", NULL,
			      "the webhook's signature does not verify");
	}
out:
	arena_free(&a);
	return rc;
}

/* ---- deliveries ---- */

int integration_delivery_claim(struct store_tx *tx, const char *shop,
			       enum integration_platform p, const char *delivery_id,
			       const char *topic, int *replayed, struct err *e)
{
	int rc = store_exec(tx, e,
		"INSERT INTO integration_deliveries (shop_id, platform, delivery_id, topic, outcome,"
		" received_at) VALUES ($1, $2, $3, $4, 'applied', $5)"
		" ON CONFLICT (shop_id, platform, delivery_id) DO NOTHING",
		"ssssi", shop, integration_platform_name(p), delivery_id, topic, clock_now_ms());
	if (rc < 0)
		return rc;
	*replayed = rc == 0;
	return 0;
}

int integration_delivery_outcome(struct store_tx *tx, const char *shop,
				 enum integration_platform p, const char *delivery_id,
				 const char *outcome, struct err *e)
{
	int rc = store_exec(tx, e,
		"UPDATE integration_deliveries SET outcome = $4 WHERE shop_id = $1 AND platform = $2"
		" AND delivery_id = $3", "ssss", shop, integration_platform_name(p), delivery_id,
		outcome);
	return rc < 0 ? rc : 0;
}

int integration_deliveries_prune(struct store_tx *tx, int64_t now, int64_t *pruned,
				 struct err *e)
{
	/* By the index of migration 022, oldest first, one batch. */
	int rc = store_exec(tx, e,
		"DELETE FROM integration_deliveries WHERE (shop_id, platform, delivery_id) IN"
		" (SELECT shop_id, platform, delivery_id FROM integration_deliveries"
		" WHERE received_at < $1 ORDER BY received_at LIMIT $2)", "ii",
		now - INTEGRATION_DELIVERY_RETENTION_MS, (int64_t)INTEGRATION_DELIVERY_PRUNE_BATCH);
	if (rc < 0)
		return rc;
	*pruned = rc;
	return 0;
}

/* ---- money ---- */

int integration_money(const char *s, const char *currency, int allow_negative, int64_t *out)
{
	int exponent = currency ? currency_exponent(currency) : -1;
	int64_t v = 0, sign = 1;
	int digits = 0, frac = 0;

	if (!s || exponent < 0)
		return -1;
	if (*s == '-') {
		if (!allow_negative)
			return -1;
		sign = -1;
		s++;
	}
	for (; *s >= '0' && *s <= '9'; s++, digits++)
		if (checked_mul(v, 10, &v) || checked_add(v, *s - '0', &v))
			return -1;
	if (*s == '.') {
		s++;
		for (; *s >= '0' && *s <= '9'; s++, frac++) {
			if (frac >= exponent) {
				if (*s != '0')
					return -1;	/* finer than the currency's minor unit */
				continue;
			}
			if (checked_mul(v, 10, &v) || checked_add(v, *s - '0', &v))
				return -1;
		}
		if (frac == 0)
			return -1;
	}
	if (*s || !digits)
		return -1;
	for (int i = frac < exponent ? frac : exponent; i < exponent; i++)
		if (checked_mul(v, 10, &v))
			return -1;
	if (v > ORDER_AMOUNT_MAX * 3)
		return -1;
	*out = sign * v;
	return 0;
}

/* ---- customers ---- */

/* The normalised value of an identity, or NULL when it cannot be read. */
static const char *identity_or_null(struct arena *a, const char *kind, const char *value)
{
	const char *out = NULL;
	struct err ignored;
	if (!value || !*value)
		return NULL;
	return customer_normalize_identity(a, kind, value, kind, &out, &ignored) ? NULL : out;
}

static const char *full_name(struct arena *a, const struct integration_customer *c)
{
	const char *first = c->first_name && *c->first_name ? c->first_name : NULL;
	const char *last = c->last_name && *c->last_name ? c->last_name : NULL;
	if (!first && !last)
		return NULL;
	const char *name = arena_printf(a, "%s%s%s", first ? first : "", first && last ? " " : "",
					last ? last : "");
	return strlen(name) <= CUSTOMER_TEXT_MAX ? name : NULL;
}

/* The customer known by the external id, else by e-mail, else by phone. */
static int find_known(struct store_tx *tx, struct arena *a, const char *shop,
		      const struct integration_customer *c, const char *email,
		      const char *phone, char id[ID_MAX], struct err *e)
{
	int rc;
	id[0] = '\0';
	if (c->external_id) {
		rc = customer_resolve(tx, shop, arena_printf(a, "ext:%s", c->external_id),
				      "external_id", id, e);
		if (rc != ERR_NOT_FOUND)
			return rc;
		id[0] = '\0';
	}
	if (email && ((rc = customer_find_identity(tx, shop, "email", email, id, e)) || id[0]))
		return rc ? rc : customer_resolve(tx, shop, id, "email", id, e);
	if (phone && ((rc = customer_find_identity(tx, shop, "phone", phone, id, e)) || id[0]))
		return rc ? rc : customer_resolve(tx, shop, id, "phone", id, e);
	return 0;
}

/* Leaves out of in an identity that belongs to a customer other than id. */
static int keep_own_identity(struct store_tx *tx, const char *shop, const char *id,
			     const char *kind, const char **value, int *has, struct err *e)
{
	char owner[ID_MAX];
	if (!*value)
		return 0;
	int rc = customer_find_identity(tx, shop, kind, *value, owner, e);
	if (rc)
		return rc;
	if (owner[0] && strcmp(owner, id)) {
		*value = NULL;
		*has = 0;
	}
	return 0;
}

/* Finds or creates the customer c describes; with update, what is known of
 * them is refreshed. id "" (no error) when c names no identity at all. */
static int resolve_customer(struct store_tx *tx, struct arena *a, const char *shop,
			    const struct integration_customer *c, int update, char id[ID_MAX],
			    struct err *e)
{
	struct customer_input in = { 0 };
	struct customer out;
	int created, rc;

	in.email = identity_or_null(a, "email", c->email);
	in.phone = identity_or_null(a, "phone", c->phone);
	in.name = full_name(a, c);
	in.has_email = in.email != NULL;
	in.has_phone = in.phone != NULL;
	in.has_name = in.name != NULL;
	/* The platform's marketing consent is the customer's (issue 12's
	 * marketing_consent); unknown (-1) leaves it as it is. */
	in.marketing_consent = c->accepts_marketing > 0;
	in.has_marketing_consent = c->accepts_marketing >= 0;
	if ((rc = find_known(tx, a, shop, c, in.email, in.phone, id, e)))
		return rc;
	if (!id[0]) {
		if (!c->external_id && !in.email && !in.phone)
			return 0;
		in.external_id = c->external_id;
		if ((rc = customer_upsert(tx, a, shop, &in, &out, &created, e)))
			return rc;
		snprintf(id, ID_MAX, "%s", out.id);
		return 0;
	}
	if (!update)
		return 0;
	if ((rc = keep_own_identity(tx, shop, id, "email", &in.email, &in.has_email, e)) ||
	    (rc = keep_own_identity(tx, shop, id, "phone", &in.phone, &in.has_phone, e)))
		return rc;
	return customer_update(tx, a, shop, id, &in, &out, e);
}

static void result_init(struct integration_result *out, int accepts_marketing)
{
	memset(out, 0, sizeof(*out));
	out->outcome = "applied";
	out->accepts_marketing = accepts_marketing;
}

int integration_apply_customer(struct store_tx *tx, struct arena *a, const char *shop,
			       const struct integration_customer *in,
			       struct integration_result *out, struct err *e)
{
	result_init(out, in->accepts_marketing);
	int erased, rc = customer_external_id_erased(tx, shop, in->external_id, &erased, e);
	if (rc || erased) {
		out->outcome = "ignored";
		out->reason = "the customer was erased here; erase them on the platform too";
		return rc;
	}
	rc = resolve_customer(tx, a, shop, in, 1, out->customer_id, e);
	if (!rc && !out->customer_id[0]) {
		out->outcome = "ignored";
		out->reason = "the customer has no id, e-mail or phone";
	}
	return rc;
}

/* ---- orders ---- */

/* A digest of the order's contents (not of its customer): order_create's
 * natural-key fingerprint. Not 64 characters, so an erasure keeps it. */
static const char *order_fingerprint(struct arena *a, const struct integration_order *in)
{
	char *text = arena_printf(a, "%s|%s|%lld|%lld|%lld", in->external_id, in->currency,
				  (long long)in->shipping, (long long)in->tax, (long long)in->total);
	for (int i = 0; i < in->nlines; i++) {
		const struct order_line *l = &in->lines[i];
		text = arena_printf(a, "%s|%s*%lld@%lld-%lld", text, l->sku, (long long)l->quantity,
				    (long long)l->unit_price, (long long)l->discount);
	}
	char digest[SECURE_SHA256_HEX];
	secure_sha256_hex(text, strlen(text), digest);
	return arena_printf(a, "int1:%s", digest);
}

static const char *refund_fingerprint(struct arena *a, const struct integration_refund *in)
{
	char *text = arena_printf(a, "%s|%lld", in->external_id, (long long)in->amount);
	for (int i = 0; i < in->nlines; i++)
		text = arena_printf(a, "%s|%s*%lld", text, in->lines[i].sku,
				    (long long)in->lines[i].quantity);
	char digest[SECURE_SHA256_HEX];
	secure_sha256_hex(text, strlen(text), digest);
	return arena_printf(a, "int1:%s", digest);
}

/* Lines minus discounts plus shipping plus tax, which must be the total. */
static int check_total(const struct integration_order *in, struct err *e)
{
	int64_t sum = 0, gross;
	for (int i = 0; i < in->nlines; i++) {
		const struct order_line *l = &in->lines[i];
		if (checked_mul(l->quantity, l->unit_price, &gross) ||
		    checked_accumulate(&sum, gross) || checked_sub(sum, l->discount, &sum))
			goto too_large;
	}
	if (checked_accumulate(&sum, in->shipping) || checked_accumulate(&sum, in->tax))
		goto too_large;
	if (sum != in->total)
		return err_setc(e, ERR_REFUSED, "integration_total_mismatch", "total",
				"order \"%s\": its lines less their discounts plus shipping and tax"
				" make %lld minor units, but its total is %lld (fees, tips or duties"
				" are not mapped; docs/integrations.md)", in->external_id,
				(long long)sum, (long long)in->total);
	return 0;
too_large:
	return err_set(e, ERR_INVALID, "total", "order \"%s\" adds up to more than %lld minor units",
		       in->external_id, (long long)ORDER_AMOUNT_MAX);
}

static int create_order(struct store_tx *tx, struct arena *a, const char *shop,
			const struct integration_order *in, struct integration_result *res,
			struct order *o, struct err *e)
{
	struct order_input oi = { 0 };
	int created, erased, rc;
	if ((rc = check_total(in, e)) ||
	    (rc = customer_external_id_erased(tx, shop, in->customer.external_id, &erased, e)))
		return rc;
	if (erased) {	/* a new order would bring the erased person back */
		res->outcome = "ignored";
		res->reason = "the order's customer was erased here; erase them on the platform too";
		return 0;
	}
	if ((rc = resolve_customer(tx, a, shop, &in->customer, 0, res->customer_id, e)))
		return rc;
	if (!res->customer_id[0]) {
		res->outcome = "ignored";
		res->reason = "the order names no customer (no id, e-mail or phone)";
		return 0;
	}
	oi.external_id = in->external_id;
	oi.customer.id = res->customer_id;
	oi.currency = in->currency;
	oi.channel = in->channel;
	oi.lines = in->lines;
	oi.nlines = in->nlines;
	oi.shipping = in->shipping;
	oi.tax = in->tax;
	oi.total = in->total;
	oi.placed_at = in->placed_at && order_time_valid(in->placed_at) ? in->placed_at : 0;
	oi.fingerprint = order_fingerprint(a, in);
	return order_create(tx, a, shop, &oi, o, &created, e);
}

static int has_refund(const struct order *o, const char *external_id)
{
	for (int i = 0; i < o->nrefunds; i++)
		if (o->refunds[i].external_id && !strcmp(o->refunds[i].external_id, external_id))
			return 1;
	return 0;
}

static int refund_once(struct store_tx *tx, struct arena *a, const char *shop, struct order *o,
		       const struct integration_refund *r, struct err *e)
{
	struct refund_input in = { 0 };
	int created;
	if (has_refund(o, r->external_id))	/* delivered before, in any topic */
		return 0;
	if (r->nlines == 0 && r->amount <= 0)	/* nothing returned: no refund to record */
		return 0;
	in.external_id = r->external_id;
	in.reason = r->reason;
	in.lines = r->lines;
	in.nlines = r->nlines;
	in.amount = r->amount;
	in.fingerprint = refund_fingerprint(a, r);
	char id[ID_MAX];
	snprintf(id, sizeof(id), "%s", o->id);
	return order_refund(tx, a, shop, id, &in, o, &created, e);
}

static int pay(struct store_tx *tx, struct arena *a, const char *shop, struct order *o,
	       const struct integration_order *in, struct err *e)
{
	int paid = in->payment == INTEGRATION_PAID;
	if (strcmp(o->status, "pending") && strcmp(o->status, "payment_failed"))
		return 0;	/* paid, refunded or cancelled already */
	if (!paid && !strcmp(o->status, "payment_failed"))
		return 0;
	struct payment_input p = {
		.external_id = arena_printf(a, "%s:%s", in->external_id, paid ? "paid" : "failed"),
		.status = paid ? "paid" : "failed",
		.method = in->payment_method,
		.amount = -1,
	};
	char id[ID_MAX];
	snprintf(id, sizeof(id), "%s", o->id);
	return order_pay(tx, a, shop, id, &p, o, e);
}

/* WooCommerce's "refunded": the rest of what was paid. */
static int refund_rest(struct store_tx *tx, struct arena *a, const char *shop, struct order *o,
		       const struct integration_order *in, struct err *e)
{
	int64_t left = o->paid_amount - o->refunded_amount;
	if (left <= 0 || (strcmp(o->status, "paid") && strcmp(o->status, "partially_refunded")))
		return 0;
	struct integration_refund r = {
		.external_id = arena_printf(a, "%s:refunded", in->external_id),
		.reason = "refunded in full on the platform",
		.amount = left,
	};
	return refund_once(tx, a, shop, o, &r, e);
}

int integration_apply_order(struct store_tx *tx, struct arena *a, const char *shop,
			    const struct integration_order *in, struct integration_result *out,
			    struct err *e)
{
	struct order o;
	int rc;

	result_init(out, in->customer.accepts_marketing);
	if (in->ignored) {
		out->outcome = "ignored";
		out->reason = in->ignored;
		return 0;
	}
	rc = order_get(tx, a, shop, arena_printf(a, "ext:%s", in->external_id), &o, e);
	if (rc == ERR_NOT_FOUND)
		rc = create_order(tx, a, shop, in, out, &o, e);
	if (rc || !strcmp(out->outcome, "ignored"))
		return rc;
	if (in->payment != INTEGRATION_UNPAID && (rc = pay(tx, a, shop, &o, in, e)))
		return rc;
	for (int i = 0; i < in->nrefunds; i++)
		if ((rc = refund_once(tx, a, shop, &o, &in->refunds[i], e)))
			return rc;
	if (in->refunded_in_full && (rc = refund_rest(tx, a, shop, &o, in, e)))
		return rc;
	if (in->cancelled && (!strcmp(o.status, "pending") || !strcmp(o.status, "payment_failed")) &&
	    (rc = order_cancel(tx, a, shop, arena_strdup(a, o.id), &o, e)))
		return rc;
	snprintf(out->order_id, sizeof(out->order_id), "%s", o.id);
	snprintf(out->customer_id, sizeof(out->customer_id), "%s", o.customer_id);
	out->order_status = o.status;
	return 0;
}

int integration_apply_refund(struct store_tx *tx, struct arena *a, const char *shop,
			     const char *order_external_id, const struct integration_refund *in,
			     struct integration_result *out, struct err *e)
{
	struct order o;
	result_init(out, -1);
	int rc = order_get(tx, a, shop, arena_printf(a, "ext:%s", order_external_id), &o, e);
	if (rc == ERR_NOT_FOUND)
		return err_setc(e, ERR_CONFLICT, "integration_order_unknown", "order_id",
				"order \"%s\" has not arrived yet; deliver the refund again after it",
				order_external_id);
	if (rc || (rc = refund_once(tx, a, shop, &o, in, e)))
		return rc;
	snprintf(out->order_id, sizeof(out->order_id), "%s", o.id);
	snprintf(out->customer_id, sizeof(out->customer_id), "%s", o.customer_id);
	out->order_status = o.status;
	return 0;
}

/* ---- privacy topics ---- */

/* 1 when external_id is the platform's id of someone other than named. */
static int other_platform_person(enum integration_platform p, const char *external_id,
				 const char *named)
{
	const char *prefix = integration_platform_name(p);
	size_t n = strlen(prefix);
	if (!external_id || strncmp(external_id, prefix, n) || external_id[n] != ':')
		return 0;
	return !named || strcmp(external_id, named);
}

/* The customer (merges followed) id stands for, into out, unless the platform
 * knows them under another id than named: out "" then. */
static int same_person(struct store_tx *tx, struct arena *a, const char *shop,
		       enum integration_platform p, const char *id, const char *named,
		       char out[ID_MAX], struct err *e)
{
	struct customer c;
	int rc = customer_resolve(tx, shop, id, "id", out, e);
	if (!rc)
		rc = customer_get(tx, a, shop, out, &c, e);
	if (rc)
		return rc;
	if (!strcmp(c.status, "erased") || other_platform_person(p, c.external_id, named))
		out[0] = '\0';
	return 0;
}

/* The customer a privacy request names, or id "" with the reason. */
static int privacy_customer(struct store_tx *tx, struct arena *a, const char *shop,
			    enum integration_platform p, const struct integration_customer *c,
			    char id[ID_MAX], const char **reason, struct err *e)
{
	const char *email = identity_or_null(a, "email", c->email);
	const char *phone = identity_or_null(a, "phone", c->phone);
	int erased, rc = find_known(tx, a, shop, c, email, phone, id, e);
	if (!rc && id[0])
		rc = same_person(tx, a, shop, p, arena_strdup(a, id), c->external_id, id, e);
	if (rc || id[0])
		return rc;
	if ((rc = customer_external_id_erased(tx, shop, c->external_id, &erased, e)))
		return rc;
	*reason = erased ? "the customer was erased here already"
			 : arena_printf(a, "retain holds no customer with this %s id, e-mail or phone",
					integration_platform_name(p));
	return 0;
}

/* Appends id to ids[0..*n) unless it is there already. */
static void add_once(char (*ids)[ID_MAX], int *n, const char *id)
{
	for (int i = 0; i < *n; i++)
		if (!strcmp(ids[i], id))
			return;
	snprintf(ids[(*n)++], ID_MAX, "%s", id);
}

/* Adds the customer holding the request's e-mail or phone (kind, value as
 * sent), unless they are erased or the platform knows them as someone else:
 * the person found by the platform id may have a guest record of their own
 * under that e-mail. */
static int add_identity_owner(struct store_tx *tx, struct arena *a, const char *shop,
			      enum integration_platform p, const struct integration_privacy *in,
			      const char *kind, const char *value, char (*ids)[ID_MAX], int *n,
			      struct err *e)
{
	char id[ID_MAX];
	const char *v = identity_or_null(a, kind, value);
	int rc;
	if (!v)
		return 0;
	if ((rc = customer_find_identity(tx, shop, kind, v, id, e)) || !id[0])
		return rc;
	if ((rc = same_person(tx, a, shop, p, arena_strdup(a, id), in->customer.external_id, id,
			      e)))
		return rc;
	if (id[0])
		add_once(ids, n, id);
	return 0;
}

int integration_redact_targets(struct store_tx *tx, struct arena *a, const char *shop,
			       enum integration_platform p, const struct integration_privacy *in,
			       char (**ids)[ID_MAX], int *n, struct integration_result *out,
			       struct err *e)
{
	char id[ID_MAX];
	const char *reason = NULL;
	struct order o;
	int rc;

	result_init(out, -1);
	*n = 0;
	*ids = arena_alloc(a, (size_t)(in->norders + 3) * sizeof(**ids));
	if ((rc = privacy_customer(tx, a, shop, p, &in->customer, id, &reason, e)))
		return rc;
	if (id[0])
		add_once(*ids, n, id);
	if ((rc = add_identity_owner(tx, a, shop, p, in, "email", in->customer.email, *ids, n,
				     e)) ||
	    (rc = add_identity_owner(tx, a, shop, p, in, "phone", in->customer.phone, *ids, n, e)))
		return rc;
	for (int i = 0; i < in->norders; i++) {
		rc = order_get(tx, a, shop, arena_printf(a, "ext:%s", in->orders[i]), &o, e);
		if (rc == ERR_NOT_FOUND)
			continue;
		if (rc || (rc = same_person(tx, a, shop, p, o.customer_id, in->customer.external_id,
					    id, e)))
			return rc;
		if (id[0])
			add_once(*ids, n, id);
	}
	if (*n == 0) {
		out->outcome = "ignored";
		out->reason = reason ? reason : "the customer was erased here already";
		return 0;
	}
	snprintf(out->customer_id, sizeof(out->customer_id), "%s", (*ids)[0]);
	return 0;
}

int integration_apply_data_request(struct store_tx *tx, struct arena *a, const char *shop,
				   enum integration_platform p,
				   const struct integration_privacy *in,
				   struct integration_result *out, struct err *e)
{
	const char *reason = NULL;
	result_init(out, -1);
	int rc = privacy_customer(tx, a, shop, p, &in->customer, out->customer_id, &reason, e);
	if (rc)
		return rc;
	if (!out->customer_id[0]) {
		out->outcome = "ignored";
		out->reason = reason;
		return 0;
	}
	return event_record(tx, shop, "customer.data_requested", out->customer_id,
			    in->request_id, e);
}

int integration_apply_shop_redact(struct store_tx *tx, struct arena *a, const char *shop,
				  enum integration_platform p, struct integration_result *out,
				  struct err *e)
{
	struct integration it;
	result_init(out, -1);
	out->reason = "the store uninstalled the app: disconnected, its webhook secret"
		      " forgotten; the shop's customers and orders stay";
	return integration_disconnect(tx, a, shop, p, &it, e);
}
