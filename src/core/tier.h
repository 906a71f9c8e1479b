/*
 * tier.h: tiers qualify on what a customer earned, spent or ordered within the
 * programme's rolling window, never on the current balance. Upgrades happen at
 * once; downgrades follow the programme's policy ("one_down" moves one tier
 * at a time, "recalculate" to the qualifying tier) and run from jobs and
 * after refunds.
 */
#ifndef RETAIN_TIER_H
#define RETAIN_TIER_H

#include "../store/store.h"
#include "program.h"

struct tier_status {
	const char *current;	/* NULL: no tier */
	int64_t since;
	int64_t metric;		/* in the basis' unit, over the window */
	const struct program_tier *next;	/* NULL at the top */
};

/* Re-evaluates customer's tier; downgrades only when allow_downgrade. */
int tier_refresh(struct store_tx *tx, const char *shop, const char *customer,
		 const struct program *p, int allow_downgrade, struct err *e);
/* The same, for a caller that read the customer's tier (tier_current()) in
 * this transaction and wrote none since: name, NULL for none. */
int tier_refresh_from(struct store_tx *tx, const char *shop, const char *customer,
		      const struct program *p, int allow_downgrade, const char *name,
		      struct err *e);
int tier_status(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		const struct program *p, struct tier_status *out, struct err *e);
/* The customer's current tier name into the arena, or NULL. */
int tier_current(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		 const char **name, struct err *e);

#endif
