/*
 * activity.h: a customer's searches and product views (issue 12), and the
 * search model learnt from them (docs/recommendations.md).
 *
 * An event is {type: search, query, at} or {type: view, sku, at}. A query is
 * normalised (activity_check()): lower case, runs of white space made one
 * space, trimmed, so "Green  Tea" and "green tea" are one query. An identical
 * event (same customer, type, query or SKU, and at to the millisecond) is
 * stored once: a storefront that reports an event twice changes nothing.
 *
 * The search model: a customer who searched q and viewed or bought sku at
 * most ACTIVITY_SEARCH_WINDOW_MS later links (q, sku), once per customer;
 * search_skus counts the customers with each link. Whichever of the search
 * and the view (or the paid order, placed_at) reaches the store second makes
 * the link, so events may arrive in any order. A refund does not undo a
 * link (the search did find the item). Each event makes at most
 * ACTIVITY_LINKS_MAX links, and an order's SKUs at most COPURCHASE_SKUS_MAX
 * (core/copurchase.h) times ACTIVITY_LINKS_MAX queries.
 *
 * Everything here runs inside the caller's write and keeps nothing outside
 * it (store.h's write contract), so a rerun is harmless.
 */
#ifndef RETAIN_ACTIVITY_H
#define RETAIN_ACTIVITY_H

#include <stdint.h>

#include "../base/arena.h"
#include "../store/store.h"
#include "order.h"

#define ACTIVITY_BATCH_MAX 100			/* events per request */
#define ACTIVITY_QUERY_MAX 200			/* bytes of a query, after normalising */
#define ACTIVITY_SKU_MAX ORDER_TEXT_MAX
#define ACTIVITY_SKEW_MS (5 * 60 * 1000LL)	/* how far in the future "at" may be */
#define ACTIVITY_SEARCH_WINDOW_MS (24 * 3600 * 1000LL)
#define ACTIVITY_LINKS_MAX 20

enum activity_type { ACTIVITY_SEARCH, ACTIVITY_VIEW, ACTIVITY_TYPE_COUNT };

/* "search", "view"; the index is the enum's. */
extern const char *const activity_types[ACTIVITY_TYPE_COUNT];
/* The type named, or -1. */
int activity_type_parse(const char *name);

struct activity_event {
	int type;		/* enum activity_type */
	const char *subject;	/* the query (normalised by activity_check()) or the SKU */
	int64_t at;		/* unix ms */
};

/*
 * Checks event number index of a request (index < 0: a single event, not a
 * batch) against now and normalises a search's query in place (into a).
 * Errors are ERR_INVALID with param "events[i].field" ("field" alone for a
 * single event; the API puts "event i: " before a batch's message): a search
 * without a query ("parameter_missing"), a view without a SKU (the same), a
 * query that is blank or longer than ACTIVITY_QUERY_MAX, an at before
 * ORDER_TIME_MIN_MS, or later than now + ACTIVITY_SKEW_MS ("at_in_future").
 */
int activity_check(struct arena *a, struct activity_event *ev, int index, int64_t now,
		   struct err *e);

/* Stores events (already checked) of customer (a resolved id) and learns the
 * search links they make. *recorded: how many were new (the rest repeated
 * stored ones). An erased customer is ERR_CONFLICT "customer_inactive". */
int activity_record(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		    const struct activity_event *events, int n, int *recorded, struct err *e);

/* order o (with its lines) has just become paid: links the customer's
 * searches of the day before it was placed to its SKUs. */
int activity_on_order_paid(struct store_tx *tx, struct arena *a, const char *shop,
			   const struct order *o, struct err *e);

/* Erasure: deletes the customer's activity and search links, and takes the
 * links out of the shop's search_skus counts. */
int activity_erase(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		   struct err *e);
/* Merge: source's activity and links become target's (a link both had
 * counts once). It pairs no search of one with a view of the other. */
int activity_merge(struct store_tx *tx, struct arena *a, const char *shop, const char *target,
		   const char *source, struct err *e);

#endif
