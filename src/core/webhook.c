/* webhook.c: see webhook.h. Sending is in webhook_send.c. */
#include "webhook.h"

#include <curl/curl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/clock.h"
#include "../base/log.h"
#include "../base/netaddr.h"
#include "../base/rfc3339.h"
#include "../base/secure.h"
#include "webhook_send.h"

#define SECRET_BYTES 24
#define CLAIM_MAX 64			/* deliveries sent at once */
#define BODY_MAX (64 * 1024)
#define RUN_BUDGET_MS 30000.0

/* ---- the URL and the patterns ---- */

static int url_error(const char *code, const char *fmt, const char *v, struct err *e)
{
	return err_setc(e, ERR_INVALID, code, "url", fmt, v);
}

/* Every address host resolves to is public, or allow_private. */
static int url_target(const char *host, int allow_private, struct err *e)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *list, *p;
	char bare[256];
	size_t n = strlen(host);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']')	/* an IPv6 literal */
		snprintf(bare, sizeof(bare), "%.*s", (int)(n - 2), host + 1);
	else
		snprintf(bare, sizeof(bare), "%s", host);
	if (getaddrinfo(bare, NULL, &hints, &list))
		return url_error("url_unresolvable", "the host \"%s\" of \"url\" does not resolve",
				 host, e);
	int rc = 0;
	for (p = list; p && !allow_private; p = p->ai_next)
		if (netaddr_is_private(p->ai_addr)) {
			char shown[64];
			netaddr_format(p->ai_addr, shown, sizeof(shown));
			rc = err_setc(e, ERR_INVALID, "url_private", "url", "the host \"%s\" of \"url\""
				      " resolves to \"%s\", which is not a public address (the operator"
				      " allows private targets with --webhooks-allow-private)", host, shown);
			break;
		}
	freeaddrinfo(list);
	return rc;
}

int webhook_url_check(const char *url, int allow_private, struct err *e)
{
	const char *form = "\"url\" must be an absolute http or https URL, got \"%.200s\"";
	if (!*url || strlen(url) > WEBHOOK_URL_MAX)
		return err_setc(e, ERR_INVALID, "url_invalid", "url", "\"url\" must be 1 to %d"
				" characters", WEBHOOK_URL_MAX);
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL, *password = NULL;
	int rc = 0;
	if (!u)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host) {
		rc = url_error("url_invalid", form, url, e);
		goto out;
	}
	curl_url_get(u, CURLUPART_USER, &user, 0);
	curl_url_get(u, CURLUPART_PASSWORD, &password, 0);
	if (user || password) {
		rc = err_setc(e, ERR_INVALID, "url_invalid", "url", "\"url\" must not carry a user"
			      " or a password");
		goto out;
	}
	if (strcmp(scheme, "https") && strcmp(scheme, "http")) {
		rc = url_error("url_invalid", form, url, e);
		goto out;
	}
	if (!strcmp(scheme, "http") && !allow_private) {
		rc = url_error("url_insecure", "\"url\" must be https, got \"%.200s\" (plain http only"
			       " for local receivers, with --webhooks-allow-private)", url, e);
		goto out;
	}
	rc = url_target(host, allow_private, e);
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(password);
	curl_url_cleanup(u);
	return rc;
}

int webhook_events_check(const char *const *events, int n, struct err *e)
{
	if (n < 1 || n > WEBHOOK_EVENTS_MAX)
		return err_setc(e, ERR_INVALID, "parameter_invalid", "events", "\"events\" lists 1 to"
				" %d event types, such as \"points.earned\" or \"offer.*\"",
				WEBHOOK_EVENTS_MAX);
	for (int i = 0; i < n; i++)
		if (strlen(events[i]) > 60 || !event_pattern_valid(events[i]))
			return err_setc(e, ERR_INVALID, "event_type_unknown", "events", "\"events\" names"
					" \"%.60s\", which is not an event type (GET /v1/events lists"
					" them; a group is written \"offer.*\", every type \"*\")", events[i]);
	return 0;
}

/* ---- endpoints ---- */

static void new_secret(char out[WEBHOOK_SECRET_MAX])
{
	unsigned char raw[SECRET_BYTES];
	secure_random(raw, sizeof(raw));
	memcpy(out, "whsec_", 6);
	secure_base64_encode(raw, sizeof(raw), out + 6, WEBHOOK_SECRET_MAX - 6);
}

/* "a b c" into an arena array. */
static void split_events(struct arena *a, const char *text, struct webhook_endpoint *out)
{
	int n = 1;
	for (const char *p = text; *p; p++)
		n += *p == ' ';
	out->events = arena_alloc(a, (size_t)n * sizeof(*out->events));
	out->nevents = 0;
	for (const char *p = text; *p;) {
		const char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		out->events[out->nevents++] = arena_strndup(a, p, len);
		p += len + (end != NULL);
	}
}

static char *join_events(struct arena *a, const char *const *events, int n)
{
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += strlen(events[i]) + 1;
	char *s = arena_alloc(a, len), *w = s;
	for (int i = 0; i < n; i++)
		w += sprintf(w, "%s%s", i ? " " : "", events[i]);
	return s;
}

#define ENDPOINT_COLUMNS "id, url, description, events, status, disabled_reason," \
	" COALESCE(previous_until, 0), created_at, updated_at"

static void endpoint_read(struct store_stmt *s, struct arena *a, int64_t now,
			  struct webhook_endpoint *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", store_text(s, 0));
	out->url = arena_strdup(a, store_text(s, 1));
	out->description = arena_strdup(a, store_text(s, 2));
	split_events(a, store_text(s, 3), out);
	out->status = arena_strdup(a, store_text(s, 4));
	out->disabled_reason = arena_strdup(a, store_text(s, 5));
	out->previous_secret_until = store_int(s, 6) > now ? store_int(s, 6) : 0;
	out->created_at = store_int(s, 7);
	out->updated_at = store_int(s, 8);
}

int webhook_get(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		struct webhook_endpoint *out, struct err *e)
{
	struct store_stmt *s = store_query(tx, e, "SELECT " ENDPOINT_COLUMNS " FROM"
					   " webhook_endpoints WHERE shop_id = $1 AND id = $2",
					   "ss", shop, id);
	if (!s)
		return e->kind;
	int rc = store_step(s, e);
	if (rc == 1)
		endpoint_read(s, a, clock_now_ms(), out);
	store_done(s);
	if (rc < 0)
		return rc;
	return rc ? 0 : err_setc(e, ERR_NOT_FOUND, "resource_missing", "id",
				 "no webhook endpoint \"%s\"", id);
}

int webhook_list(struct store_tx *tx, struct arena *a, const char *shop,
		 const char *starting_after, int limit, struct webhook_endpoint **out, int *n,
		 int *more, struct err *e)
{
	int64_t now = clock_now_ms();
	*n = 0, *more = 0;
	*out = arena_alloc(a, (size_t)(limit + 1) * sizeof(**out));
	struct store_stmt *s = store_query(tx, e, "SELECT " ENDPOINT_COLUMNS " FROM"
		" webhook_endpoints WHERE shop_id = $1 AND id > $2 ORDER BY id LIMIT $3", "ssi",
		shop, starting_after ? starting_after : "", (int64_t)limit + 1);
	if (!s)
		return e->kind;
	int rc;
	while ((rc = store_step(s, e)) == 1) {
		if (*n == limit) {
			*more = 1;
			break;
		}
		endpoint_read(s, a, now, &(*out)[(*n)++]);
	}
	store_done(s);
	return rc < 0 ? rc : 0;
}

static int set_patterns(struct store_tx *tx, const char *shop, const char *id,
			const char *const *events, int n, struct err *e)
{
	int rc = store_exec(tx, e, "DELETE FROM webhook_endpoint_events WHERE shop_id = $1 AND"
			    " endpoint_id = $2", "ss", shop, id);
	for (int i = 0; rc >= 0 && i < n; i++)
		rc = store_exec(tx, e, "INSERT INTO webhook_endpoint_events (shop_id, pattern,"
				" endpoint_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", "sss",
				shop, events[i], id);
	return rc < 0 ? rc : 0;
}

int webhook_create(struct store_tx *tx, struct arena *a, const char *shop,
		   const struct webhook_input *in, struct webhook_endpoint *out, struct err *e)
{
	int64_t now = clock_now_ms();
	char id[ID_MAX], secret[WEBHOOK_SECRET_MAX];
	id_new(id, "we_", now);
	new_secret(secret);
	int rc = store_exec(tx, e, "INSERT INTO webhook_endpoints (shop_id, id, url, description,"
		" events, secret, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6,"
		" $7, $8, $8)", "sssssssi", shop, id, in->url, in->description,
		join_events(a, in->events, in->nevents), secret,
		in->enabled == 0 ? "disabled" : "enabled", now);
	if (rc < 0 || (rc = set_patterns(tx, shop, id, in->events, in->nevents, e)) ||
	    (rc = webhook_get(tx, a, shop, id, out, e)))
		return rc;
	out->secret = arena_strdup(a, secret);
	return 0;
}

static int set_enabled(struct store_tx *tx, const char *shop, const char *id, int enabled,
		       int64_t now, struct err *e)
{
	int rc = store_exec(tx, e, "UPDATE webhook_endpoints SET status = $3, disabled_reason ="
			    " $4, updated_at = $5 WHERE shop_id = $1 AND id = $2 AND status <> $3",
			    "ssssi", shop, id, enabled ? "enabled" : "disabled",
			    enabled ? NULL : "disabled by the shop", now);
	if (rc <= 0 || !enabled)
		return rc < 0 ? rc : 0;
	/* Enabled again: what waited is due now, its 3 days counted afresh. */
	rc = store_exec(tx, e, "UPDATE webhook_deliveries SET next_attempt_at = CASE WHEN"
			" next_attempt_at = $4 THEN $4 ELSE $3 END, first_failed_at = NULL WHERE"
			" shop_id = $1 AND endpoint_id = $2 AND state = 'pending'", "ssii", shop, id, now,
			WEBHOOK_BLOCKED);
	return rc < 0 ? rc : 0;
}

int webhook_update(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		   const struct webhook_input *in, struct webhook_endpoint *out, struct err *e)
{
	int64_t now = clock_now_ms();
	int rc = webhook_get(tx, a, shop, id, out, e);
	if (rc)
		return rc;
	const char *description = in->clear_description ? NULL :
		in->description ? in->description : out->description;
	const char *events = in->nevents >= 0 ? join_events(a, in->events, in->nevents) :
		join_events(a, out->events, out->nevents);
	rc = store_exec(tx, e, "UPDATE webhook_endpoints SET url = $3, description = $4, events ="
			" $5, updated_at = $6 WHERE shop_id = $1 AND id = $2", "sssssi", shop, id,
			in->url ? in->url : out->url, description, events, now);
	if (rc < 0 ||
	    (in->nevents >= 0 && (rc = set_patterns(tx, shop, id, in->events, in->nevents, e))) ||
	    (in->enabled >= 0 && (rc = set_enabled(tx, shop, id, in->enabled, now, e))))
		return rc;
	return webhook_get(tx, a, shop, id, out, e);
}

int webhook_delete(struct store_tx *tx, const char *shop, const char *id, struct err *e)
{
	static const char *const sql[] = {
		"DELETE FROM webhook_endpoint_events WHERE shop_id = $1 AND endpoint_id = $2",
		"DELETE FROM webhook_deliveries WHERE shop_id = $1 AND endpoint_id = $2",
		"DELETE FROM webhook_attempts WHERE shop_id = $1 AND endpoint_id = $2",
		"DELETE FROM webhook_endpoints WHERE shop_id = $1 AND id = $2",
	};
	int rc = 0;
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]) && rc >= 0; i++)
		rc = store_exec(tx, e, sql[i], "ss", shop, id);
	if (rc < 0)
		return rc;
	return rc ? 0 : err_setc(e, ERR_NOT_FOUND, "resource_missing", "id",
				 "no webhook endpoint \"%s\"", id);
}

int webhook_rotate_secret(struct store_tx *tx, struct arena *a, const char *shop,
			  const char *id, struct webhook_endpoint *out, struct err *e)
{
	int64_t now = clock_now_ms();
	char secret[WEBHOOK_SECRET_MAX];
	new_secret(secret);
	int rc = store_exec(tx, e, "UPDATE webhook_endpoints SET previous_secret = secret,"
			    " previous_until = $4, secret = $3, updated_at = $5 WHERE shop_id = $1"
			    " AND id = $2", "sssii", shop, id, secret, now + WEBHOOK_ROTATION_MS, now);
	if (rc < 0)
		return rc;
	if (!rc)
		return err_setc(e, ERR_NOT_FOUND, "resource_missing", "id",
				"no webhook endpoint \"%s\"", id);
	if ((rc = webhook_get(tx, a, shop, id, out, e)))
		return rc;
	out->secret = arena_strdup(a, secret);
	return 0;
}

int webhook_attempts(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		     const char *starting_after, int limit, struct webhook_attempt **out, int *n,
		     int *more, struct err *e)
{
	struct webhook_endpoint w;
	int rc = webhook_get(tx, a, shop, id, &w, e);
	if (rc)
		return rc;
	*n = 0, *more = 0;
	*out = arena_alloc(a, (size_t)(limit + 1) * sizeof(**out));
	struct store_stmt *s = store_query(tx, e, "SELECT id, event_id, attempt, at, duration_ms,"
		" status_code, error FROM webhook_attempts WHERE shop_id = $1 AND endpoint_id = $2"
		" AND ($3 = '' OR id < $3) ORDER BY id DESC LIMIT $4", "sssi", shop, id,
		starting_after ? starting_after : "", (int64_t)limit + 1);
	if (!s)
		return e->kind;
	while ((rc = store_step(s, e)) == 1) {
		if (*n == limit) {
			*more = 1;
			break;
		}
		struct webhook_attempt *t = &(*out)[(*n)++];
		snprintf(t->id, sizeof(t->id), "%s", store_text(s, 0));
		t->event_id = arena_strdup(a, store_text(s, 1));
		t->attempt = store_int(s, 2);
		t->at = store_int(s, 3);
		t->duration_ms = store_int(s, 4);
		t->status_code = store_int(s, 5);
		t->error = arena_strdup(a, store_text(s, 6));
	}
	store_done(s);
	return rc < 0 ? rc : 0;
}

/* ---- the outbox ---- */

int webhook_fanout(struct store_tx *tx, const char *shop, const char *event_id,
		   const struct event_type *t, const char *object_id, const char *related_id,
		   int64_t now, struct err *e)
{
	/* The queue: the customer (for an order's event, the order's: read in
	 * the INSERT itself, one statement per event), else the object, so a
	 * customer's events go in order and others per object. */
	int of_order = t->customer == EVENT_CUSTOMER_ORDER && related_id;
	const char *queue = of_order ? NULL : event_customer(t, object_id, related_id, NULL);
	if (!queue)
		queue = object_id;
	char group[64];
	const char *dot = strchr(t->name, '.');
	snprintf(group, sizeof(group), "%.*s.*", dot ? (int)(dot - t->name) : 0, t->name);
	/* Most shops subscribe to few types or none: three probes of the
	 * patterns' primary key say whether any endpoint wants this event (an
	 * IN list would be a temporary b-tree of its own in SQLite). The INSERT
	 * below reads the table it writes, so SQLite builds its rows in a
	 * temporary table first, rows or none: a tenth of a payment's CPU when
	 * it ran for every event (bench/README.md, the fifth round). The
	 * endpoint's status is still checked in the INSERT. */
	int64_t wanted;
	int rc = store_query_int(tx, e, &wanted, "SELECT 1 WHERE EXISTS (SELECT 1 FROM"
		" webhook_endpoint_events WHERE shop_id = $1 AND pattern = $2) OR EXISTS (SELECT 1"
		" FROM webhook_endpoint_events WHERE shop_id = $1 AND pattern = $3) OR EXISTS"
		" (SELECT 1 FROM webhook_endpoint_events WHERE shop_id = $1 AND pattern = '*')",
		"sss", shop, t->name, group);
	if (rc || !wanted)
		return rc;
	/* Behind a pending delivery of its queue, a delivery waits as blocked
	 * (WEBHOOK_BLOCKED) until record_one() promotes it: the claim then scans
	 * due heads only, not a failing endpoint's whole backlog. */
	rc = store_exec(tx, e, "INSERT INTO webhook_deliveries (shop_id, endpoint_id, event_id,"
		" queue, state, attempts, next_attempt_at, leased_until, created_at)"
		" SELECT p.shop_id, p.endpoint_id, $2, k.queue, 'pending', 0, CASE WHEN EXISTS (SELECT 1"
		" FROM webhook_deliveries q WHERE q.shop_id = $1 AND q.endpoint_id = p.endpoint_id"
		" AND q.queue = k.queue AND q.state = 'pending') THEN $7 ELSE $4 END, 0, $4"
		" FROM webhook_endpoint_events p JOIN webhook_endpoints w"
		" ON w.shop_id = p.shop_id AND w.id = p.endpoint_id CROSS JOIN (SELECT COALESCE(NULLIF("
		"(SELECT o.customer_id FROM orders o WHERE o.shop_id = $1 AND o.id = $8), ''), $3)"
		" AS queue) k WHERE p.shop_id = $1 AND"
		" p.pattern IN ($5, $6, '*') AND w.status = 'enabled'"
		" ON CONFLICT (shop_id, endpoint_id, event_id) DO NOTHING", "sssissis", shop,
		event_id, queue, now, t->name, group, WEBHOOK_BLOCKED, of_order ? related_id : NULL);
	return rc < 0 ? rc : 0;
}

int webhook_redeliver(struct store_tx *tx, const char *shop, const char *event_id,
		      int64_t *queued, struct err *e)
{
	struct arena a = ARENA_INIT;
	struct event ev;
	int64_t now = clock_now_ms();
	struct event_type unknown;
	int rc = event_get(tx, &a, shop, event_id, &ev, e);
	if (rc)
		goto out;
	const struct event_type *t = event_type_or_unknown(ev.type, &unknown);
	rc = store_exec(tx, e, "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = $3,"
		" first_failed_at = NULL, delivered_at = NULL WHERE shop_id = $1 AND event_id = $2"
		" AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE shop_id = $1 AND"
		" status = 'enabled')", "ssi", shop, event_id, now);
	if (rc < 0 || (rc = webhook_fanout(tx, shop, event_id, t, ev.object_id, ev.related_id, now,
					   e)))
		goto out;
	rc = store_query_int(tx, e, queued, "SELECT count(*) FROM webhook_deliveries WHERE"
			     " shop_id = $1 AND event_id = $2 AND state = 'pending'", "ss", shop,
			     event_id);
out:
	arena_free(&a);
	return rc;
}

int64_t webhook_backoff_ms(int64_t attempts)
{
	int64_t delay = 10000, cap = 8LL * 3600 * 1000;
	for (int64_t i = 1; i < attempts && delay < cap; i++)
		delay *= 2;
	if (delay > cap)
		delay = cap;
	uint32_t r;
	secure_random(&r, sizeof(r));
	return delay / 2 + (int64_t)(r % (uint32_t)(delay / 2 + 1));
}

/* ---- delivery ---- */

/* One leased delivery, with what its request needs. */
struct claimed {
	char shop[ID_MAX], endpoint[ID_MAX];
	const char *queue;
	struct event ev;
	int64_t attempts, first_failed_at, lease;
	const char *url, *secret, *previous_secret;
	int64_t previous_until;
	char timestamp[24];
	struct buf body;
	char signature[2 * 64];
};

struct claim_call {
	struct arena *a;
	int64_t key, now;
	struct claimed *v;
	int n, skipped;
};

static int claim_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct claim_call *c = ctx;
	c->n = 0, c->skipped = 0;
	int taken = store_try_lock(tx, c->key, e);
	if (taken <= 0) {
		c->skipped = !taken;
		return taken;
	}
	struct store_stmt *s = store_query(tx, e, "SELECT d.shop_id, d.endpoint_id, d.event_id,"
		" d.attempts, COALESCE(d.first_failed_at, 0), ev.type, ev.object_id, ev.related_id,"
		" ev.created_at, o.customer_id, w.url, w.secret, w.previous_secret,"
		" COALESCE(w.previous_until, 0), d.queue"
		" FROM webhook_deliveries d"
		" JOIN webhook_endpoints w ON w.shop_id = d.shop_id AND w.id = d.endpoint_id"
		" JOIN events ev ON ev.shop_id = d.shop_id AND ev.id = d.event_id"
		" LEFT JOIN orders o ON o.shop_id = ev.shop_id AND o.id = ev.related_id"
		" WHERE d.state = 'pending' AND d.next_attempt_at <= $1 AND d.leased_until <= $1"
		" AND w.status = 'enabled' AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p"
		" WHERE p.shop_id = d.shop_id AND p.endpoint_id = d.endpoint_id AND p.queue = d.queue"
		" AND p.state = 'pending' AND p.event_id < d.event_id)"
		" ORDER BY d.next_attempt_at, d.event_id LIMIT $2", "ii", c->now, (int64_t)CLAIM_MAX);
	if (!s)
		return e->kind;
	int rc;
	while ((rc = store_step(s, e)) == 1) {
		struct claimed *d = &c->v[c->n++];
		memset(d, 0, sizeof(*d));
		snprintf(d->shop, sizeof(d->shop), "%s", store_text(s, 0));
		snprintf(d->endpoint, sizeof(d->endpoint), "%s", store_text(s, 1));
		snprintf(d->ev.id, sizeof(d->ev.id), "%s", store_text(s, 2));
		d->attempts = store_int(s, 3);
		d->first_failed_at = store_int(s, 4);
		d->ev.type = arena_strdup(c->a, store_text(s, 5));
		d->ev.object_id = arena_strdup(c->a, store_text(s, 6));
		d->ev.related_id = arena_strdup(c->a, store_text(s, 7));
		d->ev.created_at = store_int(s, 8);
		d->ev.customer_id = arena_strdup(c->a, store_text(s, 9));	/* the order's */
		d->url = arena_strdup(c->a, store_text(s, 10));
		d->secret = arena_strdup(c->a, store_text(s, 11));
		d->previous_secret = arena_strdup(c->a, store_text(s, 12));
		d->previous_until = store_int(s, 13);
		d->queue = arena_strdup(c->a, store_text(s, 14));
	}
	store_done(s);
	if (rc < 0)
		return rc;
	/* The lease is a token as well: the record step changes only the
	 * delivery it still holds. */
	uint32_t r;
	secure_random(&r, sizeof(r));
	int64_t lease = c->now + WEBHOOK_LEASE_MS + r % 1000;
	for (int i = 0; i < c->n; i++) {
		c->v[i].lease = lease;
		rc = store_exec(tx, e, "UPDATE webhook_deliveries SET leased_until = $4 WHERE"
				" shop_id = $1 AND endpoint_id = $2 AND event_id = $3", "sssi",
				c->v[i].shop, c->v[i].endpoint, c->v[i].ev.id, lease);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* "v1,<base64 HMAC-SHA256 of id.timestamp.body>" for the secret "whsec_...". */
static int sign(const char *secret, const struct claimed *d, char *out, size_t size)
{
	unsigned char key[64], mac[32];
	size_t keylen;
	if (strncmp(secret, "whsec_", 6) || secure_base64_decode(secret + 6, key, sizeof(key),
								 &keylen))
		return -1;
	const char *parts[] = { d->ev.id, ".", d->timestamp, ".", d->body.data };
	size_t lens[] = { strlen(d->ev.id), 1, strlen(d->timestamp), 1, d->body.len };
	secure_hmac_sha256_parts(key, keylen, parts, lens, 5, mac);
	memcpy(out, "v1,", 3);
	return secure_base64_encode(mac, sizeof(mac), out + 3, size - 3);
}

/* The body {type, timestamp, data} and the headers of d at now. */
static int prepare(struct claimed *d, int64_t now, struct webhook_request *r)
{
	struct event_type unknown;
	const struct event_type *t = event_type_or_unknown(d->ev.type, &unknown);
	const char *order_customer = d->ev.customer_id;
	d->ev.customer_id = event_customer(t, d->ev.object_id, d->ev.related_id, order_customer);
	char created[RFC3339_MAX];
	rfc3339_format(d->ev.created_at, created);
	snprintf(d->timestamp, sizeof(d->timestamp), "%lld", (long long)(now / 1000));
	buf_init(&d->body, BODY_MAX);
	if (buf_puts(&d->body, "{\"type\":\"") || buf_json_escape(&d->body, d->ev.type) ||
	    buf_printf(&d->body, "\",\"timestamp\":\"%s\",\"data\":", created) ||
	    event_data_json(&d->body, &d->ev) || buf_puts(&d->body, "}"))
		return -1;
	size_t half = sizeof(d->signature) / 2;
	if (sign(d->secret, d, d->signature, half))
		return -1;
	if (d->previous_secret && d->previous_until > now) {
		size_t used = strlen(d->signature);
		d->signature[used] = ' ';
		if (sign(d->previous_secret, d, d->signature + used + 1, sizeof(d->signature) - used - 1))
			return -1;
	}
	*r = (struct webhook_request){ .url = d->url, .id = d->ev.id, .timestamp = d->timestamp,
				       .signature = d->signature, .body = d->body.data,
				       .len = d->body.len };
	return 0;
}

struct record_call {
	struct claimed *v;
	struct webhook_request *r;
	int n;
	int64_t now;
	struct webhook_counts counts;
};

static int give_up(struct store_tx *tx, const struct claimed *d, int64_t now, int64_t *disabled,
		   struct err *e)
{
	int rc = store_exec(tx, e, "UPDATE webhook_endpoints SET status = 'disabled',"
			    " disabled_reason = $3, updated_at = $4 WHERE shop_id = $1 AND id = $2"
			    " AND status = 'enabled'", "sssi", d->shop, d->endpoint,
			    "failing for 3 days", now);
	if (rc <= 0)
		return rc;
	(*disabled)++;
	return event_record(tx, d->shop, "webhook_endpoint.disabled", d->endpoint, NULL, e);
}

static int record_one(struct store_tx *tx, struct record_call *c, int i, struct err *e)
{
	const struct claimed *d = &c->v[i];
	const struct webhook_request *r = &c->r[i];
	char id[ID_MAX];
	id_new(id, "wha_", c->now);
	int ok = r->status >= 200 && r->status <= 299;
	/* Kept unless the endpoint was deleted while the request was out. */
	int rc = store_exec(tx, e, "INSERT INTO webhook_attempts (shop_id, endpoint_id, id, event_id,"
		" attempt, at, duration_ms, status_code, error) SELECT $1, $2, $3, $4, $5, $6, $7,"
		" $8, $9 WHERE EXISTS (SELECT 1 FROM webhook_endpoints WHERE shop_id = $1 AND id = $2)",
		"ssssiiiis", d->shop, d->endpoint, id, d->ev.id, d->attempts + 1, c->now,
		r->duration_ms, (int64_t)r->status, r->error[0] ? r->error : NULL);
	if (rc < 0)
		return rc;
	if (ok) {
		rc = store_exec(tx, e, "UPDATE webhook_deliveries SET state = 'delivered', attempts ="
			" attempts + 1, delivered_at = $5, leased_until = 0 WHERE shop_id = $1 AND"
			" endpoint_id = $2 AND event_id = $3 AND leased_until = $4", "sssii", d->shop,
			d->endpoint, d->ev.id, d->lease, c->now);
		if (rc <= 0)
			return rc;
		c->counts.delivered++;
		/* The queue's next delivery, if it waited blocked, is due now. */
		rc = store_exec(tx, e, "UPDATE webhook_deliveries SET next_attempt_at = $5 WHERE"
			" shop_id = $1 AND endpoint_id = $2 AND next_attempt_at = $4 AND event_id ="
			" (SELECT min(event_id) FROM webhook_deliveries WHERE shop_id = $1 AND"
			" endpoint_id = $2 AND queue = $3 AND state = 'pending')", "sssii", d->shop,
			d->endpoint, d->queue, WEBHOOK_BLOCKED, c->now);
		return rc < 0 ? rc : 0;
	}
	int64_t first = d->first_failed_at ? d->first_failed_at : c->now;
	rc = store_exec(tx, e, "UPDATE webhook_deliveries SET attempts = attempts + 1,"
		" next_attempt_at = $5, first_failed_at = $6, leased_until = 0 WHERE shop_id = $1"
		" AND endpoint_id = $2 AND event_id = $3 AND leased_until = $4", "sssiii", d->shop,
		d->endpoint, d->ev.id, d->lease, c->now + webhook_backoff_ms(d->attempts + 1), first);
	if (rc <= 0)
		return rc;
	c->counts.failed++;
	return c->now - first >= WEBHOOK_GIVE_UP_MS ? give_up(tx, d, c->now, &c->counts.disabled, e)
						     : 0;
}

static int record_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct record_call *c = ctx;
	memset(&c->counts, 0, sizeof(c->counts));
	for (int i = 0; i < c->n; i++) {
		int rc = record_one(tx, c, i, e);
		if (rc)
			return rc;
	}
	return 0;
}

/* One round: claim, send, record. *n: how many were sent. */
static int deliver_round(struct store *st, int allow_private, int64_t key,
			 struct webhook_counts *out, int *n, struct err *e)
{
	struct arena a = ARENA_INIT;
	struct claimed v[CLAIM_MAX];
	struct webhook_request r[CLAIM_MAX];
	struct claim_call c = { &a, key, clock_now_ms(), v, 0, 0 };
	int rc = store_write(st, claim_tx, &c, e);
	*n = c.n;
	if (rc || !c.n) {
		out->skipped = out->skipped || c.skipped;
		arena_free(&a);
		return rc;
	}
	for (int i = 0; i < c.n; i++)
		if (prepare(&v[i], c.now, &r[i])) {
			r[i] = (struct webhook_request){ .url = v[i].url };
			snprintf(r[i].error, sizeof(r[i].error), "the body or signature could not be made");
		}
	webhook_send_batch(r, c.n, allow_private, WEBHOOK_TIMEOUT_MS);
	struct record_call rec = { v, r, c.n, clock_now_ms(), { 0 } };
	rc = store_write(st, record_tx, &rec, e);
	if (!rc) {
		out->delivered += rec.counts.delivered;
		out->failed += rec.counts.failed;
		out->disabled += rec.counts.disabled;
	}
	for (int i = 0; i < c.n; i++)
		buf_free(&v[i].body);
	arena_free(&a);
	return rc;
}

int webhook_deliver_due(struct store *st, int allow_private, int64_t lock_key,
			struct webhook_counts *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	double start = clock_monotonic_ms();
	int n = 0, rc;
	do {
		rc = deliver_round(st, allow_private, lock_key, out, &n, e);
	} while (!rc && n && clock_monotonic_ms() - start < RUN_BUDGET_MS);
	if (out->failed || out->disabled)
		log_info("webhooks", ",\"delivered\":%lld,\"failed\":%lld,\"disabled\":%lld",
			 (long long)out->delivered, (long long)out->failed, (long long)out->disabled);
	return rc;
}
