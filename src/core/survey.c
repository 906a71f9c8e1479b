/* survey.c: see survey.h. */
#include "survey.h"

#include <stdio.h>
#include <string.h>

#include "../base/clock.h"
#include "../base/secure.h"
#include "customer.h"
#include "event.h"
#include "shipment.h"
#include "shop.h"
#include "sla.h"
#include "ticket.h"
#include "tier.h"
#include "token.h"

#define SURVEY_PREFIX "svy_"
#define TOKEN_PREFIX "svt_"
/* The label of the survey key (token_derive_key): no other token's. */
#define SURVEY_KEY_LABEL "retain survey answer token v1"

/* The vocabulary: each kind's scale and its detractors' ceiling. */
static const struct survey_kind {
	const char *name;
	int64_t min, max, detractor_max;
	const char *label;
} kinds[] = {
	{ "nps", 0, 10, 6, "NPS" },
	{ "csat", 1, 5, 2, "CSAT" },
};

static const struct survey_kind *kind_of(const char *name)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].name, name))
			return &kinds[i];
	return NULL;
}

int survey_is_detractor(const char *kind, int64_t score)
{
	const struct survey_kind *k = kind_of(kind);
	return k && score >= k->min && score <= k->detractor_max;
}

static int invalid_token(struct err *e)
{
	return err_setc(e, ERR_REFUSED, "survey_token_invalid", "token",
			"invalid survey token: it was not made for a survey of this shop");
}

static void sign_with(const char *key, const char *shop, const struct survey *s,
		      char out[SURVEY_TOKEN_MAX])
{
	char msg[160], mac[SECURE_SHA256_HEX];
	int n = snprintf(msg, sizeof(msg), "survey\n%s\n%s\n%s\n%s", shop, s->id, s->kind,
			 s->customer_id);
	secure_hmac_sha256_hex(key, msg, (size_t)n, mac);
	snprintf(out, SURVEY_TOKEN_MAX, TOKEN_PREFIX "%s.%s.%s", shop, s->id, mac);
}

static int sign(struct store_tx *tx, const char *shop, struct survey *s, struct err *e)
{
	char key[SECURE_SHA256_HEX];
	int rc = token_derive_key(tx, shop, SURVEY_KEY_LABEL, 0, key, e);
	if (!rc && !key[0])
		return err_set(e, ERR_INTERNAL, NULL, "shop \"%s\" has surveys but no token secret", shop);
	if (!rc)
		sign_with(key, shop, s, s->token);
	return rc;
}

#define COLUMNS "id, kind, cause, customer_id, order_id, ticket_id, shipment_id, channel, state," \
	" coalesce(score, -1), comment, suggestion, tier, follow_up_ticket_id, sent_at," \
	" coalesce(answered_at, 0)"

static const char *dup(struct arena *a, struct store_stmt *st, int col)
{
	return store_is_null(st, col) ? NULL : arena_strdup(a, store_text(st, col));
}

static void row_to_survey(struct store_stmt *st, struct arena *a, struct survey *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->id, sizeof(s->id), "%s", store_text(st, 0));
	s->kind = dup(a, st, 1);
	s->cause = dup(a, st, 2);
	s->customer_id = dup(a, st, 3);
	s->order_id = dup(a, st, 4);
	s->ticket_id = dup(a, st, 5);
	s->shipment_id = dup(a, st, 6);
	s->channel = dup(a, st, 7);
	s->state = dup(a, st, 8);
	s->score = store_int(st, 9);
	s->comment = dup(a, st, 10);
	s->suggestion = dup(a, st, 11);
	s->tier = dup(a, st, 12);
	s->follow_up_ticket_id = dup(a, st, 13);
	s->sent_at = store_int(st, 14);
	s->answered_at = store_int(st, 15);
}

/* *found 0 when the shop has no survey id. */
static int survey_read(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		       struct survey *out, int *found, struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT " COLUMNS " FROM surveys WHERE shop_id = $1"
					    " AND id = $2", "ss", shop, id);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	if (rc == 1)
		row_to_survey(st, a, out);
	store_done(st);
	*found = rc == 1;
	return rc < 0 ? rc : 0;
}

struct send {
	const char *kind, *cause, *customer, *order, *ticket, *shipment, *channel;
};

static int send(struct store_tx *tx, const char *shop, const struct send *in, struct err *e)
{
	int64_t exists, now = clock_now_ms();
	int has, erased, rc;
	char id[ID_MAX], key[SECURE_SHA256_HEX];
	if ((rc = store_query_int(tx, e, &exists, "SELECT count(*) FROM surveys WHERE shop_id = $1"
				  " AND kind = $2 AND cause = $3", "sss", shop, in->kind, in->cause)))
		return rc;
	if (exists)
		return 0;	/* once per cause */
	if ((rc = shop_has_support_contact(tx, shop, &has, e)) ||
	    (rc = customer_is_erased(tx, shop, in->customer, "customer", &erased, e)))
		return rc;
	/* No message leaves without the shop's contact in it, and nobody
	 * erased is asked anything: the outbox says the survey was skipped. */
	if (!has || erased)
		return event_record(tx, shop, "survey.skipped", in->cause, in->customer, e);
	id_new(id, SURVEY_PREFIX, now);
	rc = store_exec(tx, e, "INSERT INTO surveys (shop_id, id, kind, cause, customer_id, order_id,"
			" ticket_id, shipment_id, channel, state, sent_at) VALUES ($1, $2, $3, $4, $5, $6,"
			" $7, $8, $9, 'sent', $10) ON CONFLICT (shop_id, kind, cause) DO NOTHING",
			"sssssssssi", shop, id, in->kind, in->cause, in->customer, in->order, in->ticket,
			in->shipment, in->channel, now);
	if (rc <= 0)
		return rc;
	/* The key is made now, in the write, so that reads can sign later. */
	if ((rc = token_derive_key(tx, shop, SURVEY_KEY_LABEL, 1, key, e)))
		return rc;
	return event_record(tx, shop, "survey.sent", id, in->customer, e);
}

int survey_after_delivery(struct store_tx *tx, const char *shop, const struct shipment *s,
			  const char *event_type, struct err *e)
{
	if (strcmp(event_type, "delivered"))
		return 0;
	struct arena a = ARENA_INIT;
	struct store_stmt *st = store_query(tx, e, "SELECT channel FROM orders WHERE shop_id = $1"
					    " AND id = $2", "ss", shop, s->order_id);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	const char *channel = rc == 1 ? arena_strdup(&a, store_text(st, 0)) : "web";
	store_done(st);
	if (rc >= 0) {
		struct send in = { "nps", s->order_id, s->customer_id, s->order_id, NULL, s->id, channel };
		rc = send(tx, shop, &in, e);
	}
	arena_free(&a);
	return rc < 0 ? rc : 0;
}

int survey_after_solve(struct store_tx *tx, const char *shop, const struct ticket *t,
		       struct err *e)
{
	struct send in = { "csat", t->id, t->customer_id, t->order_id, t->id, NULL, t->channel };
	return send(tx, shop, &in, e);
}

static int verify(struct store_tx *tx, struct arena *a, const char *token, char shop[ID_MAX],
		  struct survey *out, struct err *e)
{
	char id[ID_MAX], key[SECURE_SHA256_HEX], expected[SURVEY_TOKEN_MAX];
	int found, rc;
	if (!token_parts(token, TOKEN_PREFIX, SURVEY_PREFIX, shop, id))
		return invalid_token(e);
	if ((rc = survey_read(tx, a, shop, id, out, &found, e)))
		return rc;
	if (!found)
		return invalid_token(e);
	if ((rc = token_derive_key(tx, shop, SURVEY_KEY_LABEL, 0, key, e)))
		return rc;
	if (!key[0])
		return invalid_token(e);
	sign_with(key, shop, out, expected);
	if (!secure_equal(expected, token))
		return invalid_token(e);
	snprintf(out->token, sizeof(out->token), "%s", expected);
	return 0;
}

static int same_text(const char *x, const char *y)
{
	return (!x && !y) || (x && y && !strcmp(x, y));
}

static int check_answer(const struct survey_kind *k, const struct survey_answer_input *in,
			struct err *e)
{
	if (in->score < k->min || in->score > k->max)
		return err_set(e, ERR_INVALID, "score", "\"score\" of a%s %s survey is %lld to %lld, not"
			       " %lld", k->min ? "" : "n", k->label, (long long)k->min,
			       (long long)k->max, (long long)in->score);
	if (in->comment && strlen(in->comment) > SURVEY_TEXT_MAX)
		return err_set(e, ERR_INVALID, "comment", "\"comment\" is at most %d bytes",
			       SURVEY_TEXT_MAX);
	if (in->suggestion && strlen(in->suggestion) > SURVEY_TEXT_MAX)
		return err_set(e, ERR_INVALID, "suggestion", "\"suggestion\" is at most %d bytes",
			       SURVEY_TEXT_MAX);
	return 0;
}

/* The ticket a detractor's answer opens, on the survey's channel when
 * tickets have it. */
static int open_ticket(struct store_tx *tx, struct arena *a, const char *shop,
		       const struct survey *s, const struct survey_kind *k,
		       const struct survey_answer_input *in, const char **ticket, struct err *e)
{
	const char *channel = "web";
	for (int i = 0; sla_channels[i]; i++)
		if (!strcmp(sla_channels[i], s->channel))
			channel = sla_channels[i];
	const char *body = in->comment ? in->comment : in->suggestion;
	struct ticket_input t = {
		.channel = channel, .source = "survey", .priority = "normal",
		.subject = arena_printf(a, "%s %lld of %lld: a detractor's answer", k->label,
					(long long)in->score, (long long)k->max),
		.body = body ? body : arena_printf(a, "%s score %lld, no comment.", k->label,
						  (long long)in->score),
	};
	/* The order names its customer (merges followed); without one, the
	 * survey's customer. */
	if (s->order_id)
		t.order = s->order_id;
	else
		t.customer.id = s->customer_id;
	struct ticket out;
	int rc = ticket_create(tx, a, shop, &t, &out, e);
	if (!rc)
		*ticket = arena_strdup(a, out.id);
	return rc;
}

int survey_answer(struct store_tx *tx, struct arena *a, const struct survey_answer_input *in,
		  struct survey *out, struct err *e)
{
	char shop[ID_MAX];
	const char *tier = NULL, *ticket = NULL;
	int found, rc;
	if (!in->token)
		return invalid_token(e);
	if ((rc = verify(tx, a, in->token, shop, out, e)))
		return rc;
	const struct survey_kind *k = kind_of(out->kind);
	if (!k)
		return err_set(e, ERR_INTERNAL, NULL, "survey \"%s\" has an unknown kind", out->id);
	if ((rc = check_answer(k, in, e)))
		return rc;
	/* An erased customer is asked nothing more: the link died with them. */
	int erased;
	if ((rc = customer_is_erased(tx, shop, out->customer_id, "token", &erased, e)))
		return rc;
	if (erased)
		return invalid_token(e);
	if (!strcmp(out->state, "answered")) {
		if (out->score == in->score && same_text(out->comment, in->comment) &&
		    same_text(out->suggestion, in->suggestion))
			return 0;	/* the same click again */
		return err_setc(e, ERR_CONFLICT, "survey_already_answered", "token", "survey \"%s\" was"
				" answered already: one answer per survey", out->id);
	}
	int64_t now = clock_now_ms();
	char current[ID_MAX];
	/* The tier of the customer as they are now: merges followed. */
	if ((rc = customer_resolve(tx, shop, out->customer_id, "token", current, e)) ||
	    (rc = tier_current(tx, a, shop, current, &tier, e)))
		return rc;
	if (survey_is_detractor(out->kind, in->score) &&
	    (rc = open_ticket(tx, a, shop, out, k, in, &ticket, e)))
		return rc;
	rc = store_exec(tx, e, "UPDATE surveys SET state = 'answered', score = $3, comment = $4,"
			" suggestion = $5, tier = $6, follow_up_ticket_id = $7, answered_at = $8"
			" WHERE shop_id = $1 AND id = $2 AND state = 'sent'", "ssissssi", shop, out->id,
			in->score, in->comment, in->suggestion, tier, ticket, now);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return err_setc(e, ERR_CONFLICT, "survey_already_answered", "token", "survey \"%s\" was"
				" answered already: one answer per survey", out->id);
	if ((rc = event_record(tx, shop, "survey.answered", out->id, out->customer_id, e)))
		return rc;
	char token[SURVEY_TOKEN_MAX];
	snprintf(token, sizeof(token), "%s", out->token);
	if ((rc = survey_read(tx, a, shop, out->id, out, &found, e)))
		return rc;
	snprintf(out->token, sizeof(out->token), "%s", token);
	return 0;
}

int survey_list_of_customer(struct store_tx *tx, struct arena *a, const char *shop,
			    const char *customer, int with_token, int answered_only, int limit,
			    struct survey **out, int *n, struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT " COLUMNS " FROM surveys WHERE shop_id = $1"
		" AND customer_id IN (SELECT id FROM customers WHERE shop_id = $1 AND (id = $2 OR"
		" merged_into = $2)) AND ($3 = 0 OR state = 'answered')"
		" ORDER BY CASE WHEN $3 = 0 THEN sent_at ELSE answered_at END DESC, id DESC LIMIT $4",
		"ssii", shop, customer, (int64_t)answered_only, (int64_t)limit);
	int rc = 0;
	if (!st)
		return e->kind;
	*out = arena_alloc(a, (size_t)(limit + 1) * sizeof(**out));
	*n = 0;
	while (*n < limit && (rc = store_step(st, e)) == 1)
		row_to_survey(st, a, &(*out)[(*n)++]);
	store_done(st);
	for (int i = 0; rc >= 0 && with_token && i < *n; i++)
		rc = sign(tx, shop, &(*out)[i], e);
	return rc < 0 ? rc : 0;
}

const char *survey_link_url(struct arena *a, const char *page, const char *token)
{
	return arena_printf(a, "%s%stoken=%s", page, strchr(page, '?') ? "&" : "?", token);
}

int survey_link(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		const char **link, struct err *e)
{
	struct survey s;
	struct shop sh;
	int found, rc;
	*link = NULL;
	if ((rc = survey_read(tx, a, shop, id, &s, &found, e)) || !found || strcmp(s.state, "sent"))
		return rc;
	if ((rc = shop_get(tx, a, shop, &sh, e)) || !sh.contact->survey_url)
		return rc;
	if ((rc = sign(tx, shop, &s, e)))
		return rc;
	*link = survey_link_url(a, sh.contact->survey_url, s.token);
	return 0;
}
