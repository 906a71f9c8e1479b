/* event.c: see event.h. */
#include "event.h"

#include <stdio.h>
#include <string.h>

#include "../base/clock.h"
#include "../base/ids.h"
#include "webhook.h"

#define NONE EVENT_CUSTOMER_NONE
#define OBJECT EVENT_CUSTOMER_OBJECT
#define RELATED EVENT_CUSTOMER_RELATED
#define ORDER EVENT_CUSTOMER_ORDER

/* Every event type retain writes, with the caller that writes it. Issue 13
 * (webhooks) made this table: subscriptions are checked against it. */
static const struct event_type vocabulary[] = {
	{ "campaign.codes_generated", "campaign", NONE, NULL },		/* coupon.c */
	{ "campaign.codes_imported", "campaign", NONE, NULL },
	{ "campaign.created", "campaign", NONE, NULL },			/* campaign.c */
	{ "campaign.updated", "campaign", NONE, NULL },
	{ "campaign.ended", "campaign", NONE, NULL },
	{ "coupon.reserved", "coupon_reservation", RELATED, NULL },	/* coupon.c */
	{ "coupon.released", "coupon_reservation", RELATED, NULL },
	{ "coupon.redeemed", "coupon_reservation", RELATED, NULL },
	{ "customer.created", "customer", OBJECT, NULL },		/* customer.c */
	{ "customer.updated", "customer", OBJECT, NULL },
	{ "customer.account_created", "customer", OBJECT, NULL },
	{ "customer.account_invite_due", "customer", OBJECT, NULL },
	{ "customer.merged", "customer", OBJECT, "merged_from" },
	{ "customer.erased", "customer", OBJECT, NULL },
	{ "customer.marketing_consent_given", "customer", OBJECT, NULL },
	{ "customer.marketing_consent_withdrawn", "customer", OBJECT, NULL },
	{ "customer.interests_updated", "customer", OBJECT, NULL },	/* interest.c */
	{ "customer.tier_changed", "customer", OBJECT, "tier" },	/* tier.c */
	{ "delivery.late", "shipment", RELATED, NULL },			/* shipment.c */
	{ "friend.requested", "customer", OBJECT, "friend" },		/* friend.c */
	{ "friend.accepted", "customer", OBJECT, "friend" },
	{ "friend.declined", "customer", OBJECT, "friend" },
	{ "friend.removed", "customer", OBJECT, "friend" },
	{ "integration.connected", "integration", NONE, NULL },		/* integration.c */
	{ "integration.updated", "integration", NONE, NULL },
	{ "integration.disconnected", "integration", NONE, NULL },
	{ "interests.catalogue_updated", "shop", NONE, NULL },		/* interest.c */
	{ "milestone.reached", "milestone_award", RELATED, NULL },	/* ledger.c */
	{ "milestone.voided", "milestone_award", ORDER, "order" },
	{ "offer.issued", "offer", RELATED, NULL },			/* offers.c */
	{ "order.created", "order", RELATED, NULL },			/* order.c */
	{ "order.pending", "order", RELATED, NULL },			/* order_state.c names */
	{ "order.payment_failed", "order", RELATED, NULL },
	{ "order.paid", "order", RELATED, NULL },
	{ "order.partially_refunded", "order", RELATED, NULL },
	{ "order.refunded", "order", RELATED, NULL },
	{ "order.cancelled", "order", RELATED, NULL },
	{ "points.earned", "lot", RELATED, NULL },			/* ledger.c */
	{ "points.bonus", "lot", RELATED, NULL },
	{ "points.expiring", "lot", RELATED, NULL },
	{ "points.expired", "lot", RELATED, NULL },
	{ "program.updated", "program_version", NONE, NULL },		/* program.c */
	{ "question.created", "question", RELATED, NULL },		/* question.c */
	{ "question.answered", "question", RELATED, NULL },
	{ "redemption.created", "redemption", RELATED, NULL },		/* redemption.c */
	{ "redemption.cancelled", "redemption", RELATED, NULL },
	{ "referral.rewarded", "customer", OBJECT, "referrer" },	/* referral.c */
	{ "refund.created", "refund", ORDER, "order" },			/* order.c */
	{ "review.created", "review", RELATED, NULL },			/* review.c */
	{ "review.published", "review", RELATED, NULL },
	{ "review.needs_reply", "review", RELATED, NULL },
	{ "review.replied", "review", RELATED, NULL },
	{ "review.voted", "review", RELATED, NULL },		/* related: the voter */
	{ "review.hidden", "review", RELATED, NULL },		/* review_moderate() */
	{ "review.restored", "review", RELATED, NULL },
	{ "review_settings.updated", "shop", NONE, NULL },
	{ "shipment.created", "shipment", ORDER, "order" },		/* shipment.c */
	{ "shipment.shipped", "shipment", RELATED, NULL },		/* shipment.c event types */
	{ "shipment.out_for_delivery", "shipment", RELATED, NULL },
	{ "shipment.delivered", "shipment", RELATED, NULL },
	{ "shipment.failed_attempt", "shipment", RELATED, NULL },
	{ "shipment.returned", "shipment", RELATED, NULL },
	{ "shipment.damaged", "shipment", RELATED, NULL },
	{ "shop.created", "shop", NONE, NULL },				/* shop.c */
	{ "shop.keys_rotated", "shop", NONE, NULL },
	{ "shop.contact_updated", "shop", NONE, NULL },
	{ "sla_policy.created", "sla_policy", NONE, NULL },		/* sla.c */
	{ "sla_policy.updated", "sla_policy", NONE, NULL },
	{ "survey.sent", "survey", RELATED, NULL },			/* survey.c */
	{ "survey.skipped", "survey_cause", RELATED, NULL },
	{ "survey.answered", "survey", RELATED, NULL },
	{ "ticket.created", "ticket", RELATED, NULL },			/* ticket.c */
	{ "ticket.open", "ticket", RELATED, NULL },			/* ticket_statuses[] */
	{ "ticket.pending", "ticket", RELATED, NULL },
	{ "ticket.solved", "ticket", RELATED, NULL },
	{ "ticket.closed", "ticket", RELATED, NULL },
	{ "ticket.replied", "ticket", RELATED, NULL },
	{ "ticket.customer_replied", "ticket", RELATED, NULL },
	{ "ticket.sla_breached", "ticket", RELATED, NULL },
	{ "webhook_endpoint.disabled", "webhook_endpoint", NONE, NULL },	/* webhook.c */
	/* Shopify's customers/data_request (integration.c): the shop answers it. */
	{ "customer.data_requested", "customer", OBJECT, "data_request" },
};

#define NTYPES ((int)(sizeof(vocabulary) / sizeof(vocabulary[0])))

const struct event_type *event_type_find(const char *name)
{
	for (int i = 0; i < NTYPES; i++)
		if (!strcmp(vocabulary[i].name, name))
			return &vocabulary[i];
	return NULL;
}

const struct event_type *event_types(int *n)
{
	*n = NTYPES;
	return vocabulary;
}

/* The length of "offer." in pattern "offer.*", 0 when it is not a group. */
static size_t group_length(const char *pattern)
{
	size_t n = strlen(pattern);
	return n > 2 && !strcmp(pattern + n - 2, ".*") ? n - 1 : 0;
}

int event_pattern_valid(const char *pattern)
{
	if (!strcmp(pattern, "*"))
		return 1;
	size_t group = group_length(pattern);
	if (!group)
		return event_type_find(pattern) != NULL;
	for (int i = 0; i < NTYPES; i++)
		if (!strncmp(vocabulary[i].name, pattern, group))
			return 1;
	return 0;
}

int event_pattern_matches(const char *pattern, const char *type)
{
	size_t group = group_length(pattern);
	if (!strcmp(pattern, "*"))
		return 1;
	return group ? !strncmp(type, pattern, group) : !strcmp(type, pattern);
}

const char *event_customer(const struct event_type *t, const char *object_id,
			   const char *related_id, const char *order_customer)
{
	switch (t->customer) {
	case EVENT_CUSTOMER_OBJECT:
		return object_id;
	case EVENT_CUSTOMER_RELATED:
		return related_id;
	case EVENT_CUSTOMER_ORDER:
		return order_customer;
	default:
		return NULL;
	}
}

const struct event_type *event_type_or_unknown(const char *type, struct event_type *unknown)
{
	const struct event_type *t = event_type_find(type);
	if (t)
		return t;
	*unknown = (struct event_type){ type, "object", EVENT_CUSTOMER_NONE, "related" };
	return unknown;
}

static int json_field(struct buf *b, const char *key, const char *value)
{
	if (buf_printf(b, ",\"%s\":", key))
		return -1;
	if (!value)
		return buf_puts(b, "null");
	return buf_puts(b, "\"") || buf_json_escape(b, value) || buf_puts(b, "\"") ? -1 : 0;
}

int event_data_json(struct buf *b, const struct event *ev)
{
	struct event_type unknown;
	const struct event_type *t = event_type_or_unknown(ev->type, &unknown);
	if (buf_puts(b, "{\"object\":\"") || buf_json_escape(b, t->object) || buf_puts(b, "\"") ||
	    json_field(b, "id", ev->object_id) || json_field(b, "customer", ev->customer_id))
		return -1;
	if (t->related && ev->related_id && json_field(b, t->related, ev->related_id))
		return -1;
	return buf_puts(b, "}");
}

/* The columns an event is read with, the order's customer by a join. */
#define EVENT_COLUMNS "e.id, e.type, e.object_id, e.related_id, e.created_at, o.customer_id"
#define EVENT_FROM " FROM events e LEFT JOIN orders o ON o.shop_id = e.shop_id AND o.id = e.related_id"

static void event_read(struct store_stmt *s, struct arena *a, struct event *ev)
{
	struct event_type unknown;
	snprintf(ev->id, sizeof(ev->id), "%s", store_text(s, 0));
	ev->type = arena_strdup(a, store_text(s, 1));
	ev->object_id = arena_strdup(a, store_text(s, 2));
	ev->related_id = arena_strdup(a, store_text(s, 3));
	ev->created_at = store_int(s, 4);
	const struct event_type *t = event_type_or_unknown(ev->type, &unknown);
	ev->customer_id = event_customer(t, ev->object_id, ev->related_id,
				      arena_strdup(a, store_text(s, 5)));
}

int event_get(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
	      struct event *out, struct err *e)
{
	struct store_stmt *s = store_query(tx, e, "SELECT " EVENT_COLUMNS EVENT_FROM
					   " WHERE e.shop_id = $1 AND e.id = $2", "ss", shop, id);
	if (!s)
		return e->kind;
	int rc = store_step(s, e);
	if (rc == 1)
		event_read(s, a, out);
	store_done(s);
	if (rc < 0)
		return rc;
	return rc ? 0 : err_setc(e, ERR_NOT_FOUND, "resource_missing", "id",
				 "no event \"%s\"", id);
}

int event_list(struct store_tx *tx, struct arena *a, const char *shop, const char *pattern,
	       const char *starting_after, int limit, struct event **out, int *n, int *more,
	       struct err *e)
{
	*n = 0, *more = 0;
	if (starting_after) {
		struct event cursor;
		int rc = event_get(tx, a, shop, starting_after, &cursor, e);
		if (rc)
			return rc == ERR_NOT_FOUND ? err_setc(e, ERR_NOT_FOUND, "resource_missing",
				"starting_after", "no event \"%s\"", starting_after) : rc;
	}
	/* A pattern selects in SQL: the whole type, or a group's prefix
	 * ("offer."), compared byte for byte (no collation). */
	char prefix[64] = "";
	int64_t mode = 0;
	if (pattern && strcmp(pattern, "*")) {
		size_t len = strlen(pattern);
		int group = len > 2 && !strcmp(pattern + len - 2, ".*");
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(group ? len - 1 : len), pattern);
		mode = group ? 2 : 1;
	}
	*out = arena_alloc(a, (size_t)(limit + 1) * sizeof(**out));
	struct store_stmt *s = store_query(tx, e, "SELECT " EVENT_COLUMNS EVENT_FROM
		" WHERE e.shop_id = $1 AND e.id > $2 AND ($4 = 0 OR ($4 = 1 AND e.type = $3)"
		" OR ($4 = 2 AND substr(e.type, 1, CAST($5 AS INTEGER)) = $3))"
		" ORDER BY e.id LIMIT $6", "sssiii", shop, starting_after ? starting_after : "",
		prefix, mode, (int64_t)strlen(prefix), (int64_t)limit + 1);
	if (!s)
		return e->kind;
	int rc;
	while ((rc = store_step(s, e)) == 1) {
		if (*n == limit) {
			*more = 1;
			break;
		}
		event_read(s, a, &(*out)[(*n)++]);
	}
	store_done(s);
	return rc < 0 ? rc : 0;
}

int event_record(struct store_tx *tx, const char *shop_id, const char *type,
		 const char *object_id, const char *related_id, struct err *e)
{
	char id[ID_MAX];
	int64_t now = clock_now_ms();
	/* A type missing from the vocabulary is still recorded and delivered to
	 * "*" subscribers, as an event of no customer. */
	struct event_type unknown;
	const struct event_type *t = event_type_or_unknown(type, &unknown);
	id_new(id, "evt_", now);
	int rc = store_exec(tx, e,
			    "INSERT INTO events (shop_id, id, type, object_id, related_id, created_at)"
			    " VALUES ($1, $2, $3, $4, $5, $6)",
			    "sssssi", shop_id, id, type, object_id, related_id, now);
	if (rc < 0)
		return rc;
	return webhook_fanout(tx, shop_id, id, t, object_id, related_id, now, e);
}
