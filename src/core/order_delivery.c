/* order_delivery.c: see order_delivery.h. */
#include "order_delivery.h"

#include <string.h>

const char *const order_delivery_states[] = {
	"not_shipped", "preparing", "shipped", "out_for_delivery", "failed_attempt", "damaged",
	"partly_delivered", "delivered", "returned", NULL
};

/* A shipment's own status in the order's vocabulary ("created" has had no
 * carrier event yet). */
static const char *shipment_state(const struct shipment *s)
{
	return !strcmp(s->status, "created") ? "preparing" : s->status;
}

static int delivered(const struct shipment *s)
{
	return s->delivered_at != 0;
}

void order_delivery_summary(const struct order *o, const struct shipment *s, int n,
			    struct order_delivery *out)
{
	const struct shipment *latest = NULL;
	int ndelivered = 0, returned = 0;
	memset(out, 0, sizeof(*out));
	out->promised_at = o->promised_delivery_at;
	for (int i = 0; i < n; i++) {
		const struct shipment *x = &s[i];
		if (x->promised_delivery_at &&
		    (!out->promised_at || x->promised_delivery_at < out->promised_at))
			out->promised_at = x->promised_delivery_at;
		returned |= x->returned || !strcmp(x->status, "returned");
		out->late |= x->on_time == 0 || (x->late_at && !delivered(x));
		if (delivered(x)) {
			ndelivered++;
			if (x->delivered_at > out->delivered_at)
				out->delivered_at = x->delivered_at;
		} else if (!latest || x->updated_at >= latest->updated_at) {
			latest = x;
		}
	}
	if (n == 0)
		out->state = "not_shipped";
	else if (returned)
		out->state = "returned";
	else if (ndelivered == n)
		out->state = "delivered";
	else if (ndelivered)
		out->state = "partly_delivered";
	else
		out->state = shipment_state(latest);
	if (strcmp(out->state, "delivered") != 0)
		out->delivered_at = 0;
}
