/*
 * sla.h: a shop's service-level policies. A policy is a business-hours
 * calendar (core/calendar.h) and targets: first-response and resolution
 * minutes, in working minutes of that calendar, for a priority and/or a
 * channel (either may be left out: any). A ticket takes the most specific
 * target of all the shop's policies (priority and channel, then priority,
 * then channel, then neither; the newest policy on a tie) and gets its due
 * times from it (sla_due). Results live in the arena.
 */
#ifndef RETAIN_SLA_H
#define RETAIN_SLA_H

#include <stdint.h>

#include "../base/arena.h"
#include "../base/ids.h"
#include "../store/store.h"
#include "calendar.h"

#define SLA_TARGETS_MAX 50
#define SLA_MINUTES_MAX (60 * 24 * 365)

extern const char *const sla_priorities[];	/* low normal high urgent */
extern const char *const sla_channels[];	/* web email phone whatsapp chat store */

struct sla_target {
	const char *priority, *channel;	/* NULL: any */
	int64_t first_response_minutes, resolution_minutes;
};

struct sla_policy {
	char id[ID_MAX];
	const char *name;
	struct calendar calendar;
	struct sla_target targets[SLA_TARGETS_MAX];
	int ntargets;
	int64_t created_at, updated_at;
};

/* Checks (ERR_INVALID naming "name", "calendar...", "targets[i]...") and
 * stores a new policy (id set) or, with p->id set, replaces that one. */
int sla_put(struct store_tx *tx, const char *shop, struct sla_policy *p, struct err *e);
int sla_get(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
	    struct sla_policy *out, struct err *e);
/* Every policy of the shop, newest first (a shop has a handful). */
int sla_list(struct store_tx *tx, struct arena *a, const char *shop, struct sla_policy **out,
	     int *n, struct err *e);

/* The due times of a ticket of priority and channel opened at `from`: 0 each
 * when no policy has a target for it. */
struct sla_due {
	char policy_id[ID_MAX];
	int64_t first_response_at, resolution_at;
};
int sla_due(struct store_tx *tx, const char *shop, const char *priority, const char *channel,
	    int64_t from, struct sla_due *out, struct err *e);

#endif
