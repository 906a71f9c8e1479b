/* points.c: see points.h. */
#include "points.h"

#include <math.h>
#include <string.h>

int points_report(struct store_tx *tx, const char *shop, int64_t from, int64_t to,
		  struct points_report *out, struct err *e)
{
	int rc;
	memset(out, 0, sizeof(*out));
	if ((rc = store_query_int(tx, e, &out->outstanding, "SELECT coalesce(sum(delta), 0) FROM"
				  " loyalty_entries WHERE shop_id = $1 AND created_at < $2", "si",
				  shop, to)) ||
	    (rc = store_query_int(tx, e, &out->earned, "SELECT coalesce(sum(delta), 0) FROM"
				  " loyalty_entries WHERE shop_id = $1 AND created_at >= $2 AND"
				  " created_at < $3 AND delta > 0 AND redemption_id IS NULL", "sii",
				  shop, from, to)) ||
	    (rc = store_query_int(tx, e, &out->redeemed, "SELECT coalesce(-sum(delta), 0) FROM"
				  " loyalty_entries WHERE shop_id = $1 AND created_at >= $2 AND"
				  " created_at < $3 AND redemption_id IS NOT NULL", "sii", shop, from, to)))
		return rc;
	out->redemption_rate = out->earned > 0 ? (double)out->redeemed / (double)out->earned : NAN;
	return 0;
}
