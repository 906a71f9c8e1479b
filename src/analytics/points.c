/* points.c: see points.h. */
#include "points.h"

#include <assert.h>
#include <math.h>
#include <string.h>

#include "../base/checked.h"

int points_months(struct store_tx *tx, const char *shop, const int64_t *bounds, int n,
		  struct points_report *out, struct err *e)
{
	int64_t before = 0;
	int rc;
	assert(n >= 2);
	memset(out, 0, sizeof(*out) * (size_t)n);
	if ((rc = store_query_int(tx, e, &before, "SELECT coalesce(sum(delta), 0) FROM"
				  " loyalty_entries WHERE shop_id = $1 AND created_at < $2", "si",
				  shop, bounds[0])))
		return rc;
	struct store_stmt *st = store_query(tx, e, "SELECT created_at, delta, redemption_id IS NULL"
					    " FROM loyalty_entries WHERE shop_id = $1 AND created_at >= $2"
					    " AND created_at < $3", "sii", shop, bounds[0], bounds[n - 1]);
	if (!st)
		return e->kind;
	struct points_report *total = &out[n - 1];
	while ((rc = store_step(st, e)) == 1) {
		int64_t at = store_int(st, 0), delta = store_int(st, 1);
		int plain = store_int(st, 2) != 0;
		int k = 0;
		while (k < n - 2 && at >= bounds[k + 1])
			k++;
		struct points_report *w[2] = { &out[k], total };
		int over = 0;
		for (int j = 0; j < 2; j++)
			over |= checked_accumulate(&w[j]->outstanding, delta) ||
				(plain && delta > 0 && checked_accumulate(&w[j]->earned, delta)) ||
				(!plain && checked_accumulate(&w[j]->redeemed, -delta));
		if (over) {
			rc = err_set(e, ERR_INTERNAL, NULL, "the shop's points add up past 2^63");
			break;
		}
	}
	store_done(st);
	if (rc < 0)
		return rc;
	/* outstanding so far held each window's own sum: make it cumulative */
	int64_t run = before;
	for (int k = 0; k < n - 1; k++) {
		if (checked_accumulate(&run, out[k].outstanding))
			return err_set(e, ERR_INTERNAL, NULL, "the shop's points add up past 2^63");
		out[k].outstanding = run;
	}
	total->outstanding = run;
	for (int k = 0; k < n; k++)
		out[k].redemption_rate = out[k].earned > 0 ? (double)out[k].redeemed / (double)out[k].earned
							   : NAN;
	return 0;
}
