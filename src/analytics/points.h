/*
 * points.h: the loyalty programme's points as money owed and as use (issue
 * 14's overview). From the ledger's entries (core/ledger.h), which hold
 * every change of every lot:
 *  - outstanding: the sum of every entry made before "to" (pending points
 *    included: they are owed once available; expired and spent ones are
 *    gone by their own negative entries);
 *  - earned: the credits in [from, to) that are no redemption's (entries
 *    with a positive delta and no redemption);
 *  - redeemed: the points spent by redemptions in [from, to), net of those a
 *    cancelled redemption put back;
 *  - redemption_rate = redeemed / earned (NaN when nothing was earned).
 * liability = outstanding x the programme's point_value (minor units of the
 * shop's currency), for the programme as it is now.
 */
#ifndef RETAIN_POINTS_H
#define RETAIN_POINTS_H

#include <stdint.h>

#include "../store/store.h"

struct points_report {
	int64_t outstanding, earned, redeemed;
	double redemption_rate;
};

/* Issue 14's trend in one scan of the shop's entries: for n - 1 windows
 * [bounds[i], bounds[i + 1]) (bounds ascending), out[i] is the report
 * of that window as defined above (outstanding: before the window's end);
 * out[n - 1] the whole of [bounds[0], bounds[n - 1]). */
int points_months(struct store_tx *tx, const char *shop, const int64_t *bounds, int n,
		  struct points_report *out, struct err *e);

#endif
