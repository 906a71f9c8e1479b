/*
 * delivery.h: how well the shop keeps its delivery promises, by carrier,
 * region, partner, marketplace seller or month (of the promise).
 *
 * Counted: every shipment with a promise in [from, to). A shipment is due
 * once it was delivered or its promise passed (before that nobody knows
 * yet); on time when delivered by the promise; late otherwise. The delay of a
 * late shipment is from the promise to the delivery, or to now while it is
 * still on its way. on_time_rate = on_time / due (NaN with nothing due);
 * average and p90 (nearest rank) delay over the late ones, in minutes.
 */
#ifndef RETAIN_DELIVERY_H
#define RETAIN_DELIVERY_H

#include <stdint.h>

#include "../base/arena.h"
#include "../store/store.h"

extern const char *const delivery_groups[];	/* carrier region partner seller month */

struct delivery_row {
	const char *key;	/* NULL: shipments without that attribute */
	int64_t shipments, due, on_time, late, damaged, returned;
	double on_time_rate, average_delay_minutes, p90_delay_minutes;
};

struct delivery_report {
	const char *group;
	struct delivery_row total;
	struct delivery_row *rows;	/* by key */
	int n;
};

/* group must be one of delivery_groups (ERR_INVALID "group" otherwise). */
int delivery_report(struct store_tx *tx, struct arena *a, const char *shop, const char *group,
		    int64_t from, int64_t to, struct delivery_report *out, struct err *e);

#endif
