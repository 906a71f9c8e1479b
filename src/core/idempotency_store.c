/* idempotency_store.c: see idempotency_store.h. */
#include "idempotency_store.h"

#include <assert.h>

int64_t idempotency_store_cutoff(int64_t now_ms, int64_t retention_hours)
{
	assert(retention_hours >= 1 && retention_hours <= IDEMPOTENCY_RETENTION_HOURS_MAX);
	return now_ms - retention_hours * 3600 * 1000;
}

int idempotency_store_prune(struct store_tx *tx, int64_t cutoff_ms, int64_t *pruned,
			    struct err *e)
{
	int rc = store_exec(tx, e, "DELETE FROM idempotency_keys WHERE created_at < $1", "i",
			    cutoff_ms);
	if (rc < 0)
		return rc;
	if (pruned)
		*pruned = rc;
	return 0;
}
