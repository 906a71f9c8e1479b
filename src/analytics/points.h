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

int points_report(struct store_tx *tx, const char *shop, int64_t from, int64_t to,
		  struct points_report *out, struct err *e);

#endif
