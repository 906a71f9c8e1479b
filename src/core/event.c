/* event.c: see event.h. */
#include "event.h"

#include "../base/clock.h"
#include "../base/ids.h"

int event_record(struct store_tx *tx, const char *shop_id, const char *type,
		 const char *object_id, const char *related_id, struct err *e)
{
	char id[ID_MAX];
	int64_t now = clock_now_ms();
	id_new(id, "evt_", now);
	int rc = store_exec(tx, e,
			    "INSERT INTO events (shop_id, id, type, object_id, related_id, created_at)"
			    " VALUES ($1, $2, $3, $4, $5, $6)",
			    "sssssi", shop_id, id, type, object_id, related_id, now);
	return rc < 0 ? rc : 0;
}
