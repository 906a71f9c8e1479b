/* shipment.c: see shipment.h. */
#include "shipment.h"

#include <stdio.h>
#include <string.h>

#include "../base/clock.h"
#include "event.h"
#include "offers.h"
#include "order.h"

const char *const shipment_event_types[] = {
	"shipped", "out_for_delivery", "delivered", "failed_attempt", "returned", "damaged", NULL
};
const char *const shipment_event_reasons[] = { "customer_absent", "address_wrong", "carrier", NULL };

static int in_list(const char *const *l, const char *v)
{
	for (; v && *l; l++)
		if (!strcmp(*l, v))
			return 1;
	return 0;
}

static int check_text(const char *v, const char *param, int required, struct err *e)
{
	if (!v) {
		if (required)
			return err_setc(e, ERR_INVALID, "parameter_missing", param, "\"%s\" is required",
					param);
		return 0;
	}
	if (!*v || strlen(v) > SHIPMENT_TEXT_MAX)
		return err_set(e, ERR_INVALID, param, "\"%s\" is 1 to %d characters", param,
			       SHIPMENT_TEXT_MAX);
	return 0;
}

#define COLUMNS "id, order_id, customer_id, external_id, carrier, region, partner, tracking_id," \
	" coalesce(promised_delivery_at, 0), status, coalesce(shipped_at, 0)," \
	" coalesce(delivered_at, 0), coalesce(late_at, 0), damaged, returned, customer_caused," \
	" created_at, updated_at, fingerprint"

static const char *dup(struct arena *a, struct store_stmt *st, int col)
{
	return store_text(st, col) ? arena_strdup(a, store_text(st, col)) : NULL;
}

static void row_to_shipment(struct store_stmt *st, struct arena *a, struct shipment *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->id, sizeof(s->id), "%s", store_text(st, 0));
	s->order_id = dup(a, st, 1);
	s->customer_id = dup(a, st, 2);
	s->external_id = dup(a, st, 3);
	s->carrier = dup(a, st, 4);
	s->region = dup(a, st, 5);
	s->partner = dup(a, st, 6);
	s->tracking_id = dup(a, st, 7);
	s->promised_delivery_at = store_int(st, 8);
	s->status = dup(a, st, 9);
	s->shipped_at = store_int(st, 10);
	s->delivered_at = store_int(st, 11);
	s->late_at = store_int(st, 12);
	s->damaged = (int)store_int(st, 13);
	s->returned = (int)store_int(st, 14);
	s->customer_caused = (int)store_int(st, 15);
	s->created_at = store_int(st, 16);
	s->updated_at = store_int(st, 17);
	s->on_time = s->delivered_at ? (!s->promised_delivery_at ||
					s->delivered_at <= s->promised_delivery_at)
		   : s->promised_delivery_at && clock_now_ms() > s->promised_delivery_at ? 0 : -1;
}

static int load_children(struct store_tx *tx, struct arena *a, const char *shop,
			 struct shipment *s, struct err *e)
{
	int64_t n;
	int rc = store_query_int(tx, e, &n, "SELECT count(*) FROM shipment_lines WHERE shop_id = $1"
				 " AND shipment_id = $2", "ss", shop, s->id);
	if (rc)
		return rc;
	s->lines = arena_alloc(a, (size_t)(n + 1) * sizeof(*s->lines));
	struct store_stmt *st = store_query(tx, e, "SELECT sku, quantity FROM shipment_lines"
		" WHERE shop_id = $1 AND shipment_id = $2 ORDER BY position", "ss", shop, s->id);
	if (!st)
		return e->kind;
	while (s->nlines < n && (rc = store_step(st, e)) == 1) {
		s->lines[s->nlines].sku = arena_strdup(a, store_text(st, 0));
		s->lines[s->nlines++].quantity = store_int(st, 1);
	}
	store_done(st);
	if (rc < 0 || (rc = store_query_int(tx, e, &n, "SELECT count(*) FROM shipment_events"
				" WHERE shop_id = $1 AND shipment_id = $2", "ss", shop, s->id)))
		return rc;
	s->events = arena_alloc(a, (size_t)(n + 1) * sizeof(*s->events));
	st = store_query(tx, e, "SELECT external_id, type, reason, at, created_at FROM shipment_events"
			 " WHERE shop_id = $1 AND shipment_id = $2 ORDER BY at, created_at, external_id",
			 "ss", shop, s->id);
	if (!st)
		return e->kind;
	while (s->nevents < n && (rc = store_step(st, e)) == 1) {
		struct shipment_event *v = &s->events[s->nevents++];
		v->external_id = arena_strdup(a, store_text(st, 0));
		v->type = arena_strdup(a, store_text(st, 1));
		v->reason = dup(a, st, 2);
		v->at = store_int(st, 3);
		v->created_at = store_int(st, 4);
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

static int load(struct store_tx *tx, struct arena *a, const char *shop, const char *where,
		const char *arg, struct shipment *out, const char **fingerprint, struct err *e)
{
	char sql[512];
	snprintf(sql, sizeof(sql), "SELECT " COLUMNS " FROM shipments WHERE shop_id = $1 AND %s = $2",
		 where);
	struct store_stmt *st = store_query(tx, e, sql, "ss", shop, arg);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	if (rc == 1) {
		row_to_shipment(st, a, out);
		if (fingerprint)
			*fingerprint = arena_strdup(a, store_text(st, 18));
	}
	store_done(st);
	if (rc == 0)
		return ERR_NOT_FOUND;
	return rc < 0 ? rc : load_children(tx, a, shop, out, e);
}

int shipment_get(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		 struct shipment *out, struct err *e)
{
	int rc = load(tx, a, shop, "id", id, out, NULL, e);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_NOT_FOUND, "id", "no shipment \"%s\"", id);
	return rc;
}

int shipment_list_of_order(struct store_tx *tx, struct arena *a, const char *shop,
			   const char *order_id, struct shipment **out, int *n, struct err *e)
{
	struct arena tmp = ARENA_INIT;
	char (*ids)[32];
	int64_t *unused;
	int count, rc = store_query_pairs(tx, e, &tmp, &ids, &unused, &count,
		"SELECT id, created_at FROM shipments WHERE shop_id = $1 AND order_id = $2 ORDER BY id",
		"ss", shop, order_id);
	*n = 0;
	*out = NULL;
	if (!rc)
		*out = arena_alloc(a, (size_t)(count + 1) * sizeof(**out));
	for (int i = 0; !rc && i < count; i++)
		if (!(rc = shipment_get(tx, a, shop, ids[i], &(*out)[*n], e)))
			(*n)++;
	arena_free(&tmp);
	return rc;
}

static int check_lines(const struct order *o, const struct shipment_input *in, struct err *e)
{
	if (in->nlines > SHIPMENT_MAX_LINES)
		return err_set(e, ERR_INVALID, "lines", "at most %d lines", SHIPMENT_MAX_LINES);
	for (int i = 0; i < in->nlines; i++) {
		char param[40];
		int64_t bought = 0;
		snprintf(param, sizeof(param), "lines[%d].sku", i);
		for (int j = 0; j < o->nlines; j++)
			if (!strcmp(o->lines[j].sku, in->lines[i].sku))
				bought += o->lines[j].quantity;
		if (!bought)
			return err_set(e, ERR_INVALID, param, "order \"%s\" has no line with sku \"%s\"",
				       o->id, in->lines[i].sku);
		if (in->lines[i].quantity > bought) {
			snprintf(param, sizeof(param), "lines[%d].quantity", i);
			return err_set(e, ERR_INVALID, param, "order \"%s\" has %lld of sku \"%s\"", o->id,
				       (long long)bought, in->lines[i].sku);
		}
	}
	return 0;
}

int shipment_create(struct store_tx *tx, struct arena *a, const char *shop, const char *order_ref,
		    const struct shipment_input *in, struct shipment *out, int *created,
		    struct err *e)
{
	struct order o;
	const char *fingerprint;
	int64_t now = clock_now_ms();
	int rc;
	*created = 0;
	if ((rc = check_text(in->external_id, "external_id", 1, e)) ||
	    (rc = check_text(in->carrier, "carrier", 1, e)) ||
	    (rc = check_text(in->region, "region", 0, e)) ||
	    (rc = check_text(in->partner, "partner", 0, e)) ||
	    (rc = check_text(in->tracking_id, "tracking_id", 0, e)))
		return rc;
	if (in->promised_delivery_at && !order_time_valid(in->promised_delivery_at)) {
		char range[ORDER_TIME_RANGE_MAX];
		return err_set(e, ERR_INVALID, "promised_delivery_at", "\"promised_delivery_at\" must be"
			       " %s", order_time_range(range));
	}
	if ((rc = order_get(tx, a, shop, order_ref, &o, e))) {
		snprintf(e->param, sizeof(e->param), "id");
		return rc;
	}
	rc = load(tx, a, shop, "external_id", in->external_id, out, &fingerprint, e);
	if (rc == 0) {
		if (strcmp(out->order_id, o.id) || strcmp(fingerprint, in->fingerprint))
			return err_setc(e, ERR_CONFLICT, "shipment_exists", "external_id", "shipment"
					" \"%s\" exists with different contents", in->external_id);
		return 0;
	}
	if (rc != ERR_NOT_FOUND)
		return rc;
	if (!strcmp(o.status, "cancelled"))
		return err_setc(e, ERR_CONFLICT, "order_status_conflict", "id", "order \"%s\" is"
				" cancelled: nothing to ship", o.id);
	if ((rc = check_lines(&o, in, e)))
		return rc;
	char id[ID_MAX];
	id_new(id, "shp_", now);
	int64_t promise = in->promised_delivery_at ? in->promised_delivery_at : o.promised_delivery_at;
	rc = store_exec(tx, e,
		"INSERT INTO shipments (shop_id, id, order_id, customer_id, external_id, fingerprint,"
		" carrier, region, partner, tracking_id, promised_delivery_at, status, created_at,"
		" updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, nullif($11, 0), 'created',"
		" $12, $12)", "ssssssssssii", shop, id, o.id, o.customer_id, in->external_id,
		in->fingerprint, in->carrier, in->region, in->partner, in->tracking_id, promise, now);
	for (int i = 0; rc >= 0 && i < in->nlines; i++)
		rc = store_exec(tx, e, "INSERT INTO shipment_lines (shop_id, shipment_id, position, sku,"
				" quantity) VALUES ($1, $2, $3, $4, $5)", "ssisi", shop, id, (int64_t)i,
				in->lines[i].sku, in->lines[i].quantity);
	if (rc < 0 || (rc = event_record(tx, shop, "shipment.created", id, o.id, e)))
		return rc;
	*created = 1;
	return shipment_get(tx, a, shop, id, out, e);
}

/* The state from the events, by their times. */
static int derive(struct store_tx *tx, const char *shop, struct shipment *s, struct err *e)
{
	const char *status = "created";
	int64_t shipped = 0, delivered = 0;
	int damaged = 0, returned = 0, customer = 0;
	for (int i = 0; i < s->nevents; i++) {
		const struct shipment_event *v = &s->events[i];
		status = v->type;
		if (!shipped && strcmp(v->type, "returned"))
			shipped = v->at;
		if (!delivered && !strcmp(v->type, "delivered"))
			delivered = v->at;
		damaged |= !strcmp(v->type, "damaged");
		returned |= !strcmp(v->type, "returned");
		customer |= !strcmp(v->type, "failed_attempt") && v->reason &&
			    !strcmp(v->reason, "customer_absent") &&
			    (!s->promised_delivery_at || v->at <= s->promised_delivery_at);
	}
	int rc = store_exec(tx, e, "UPDATE shipments SET status = $3, shipped_at = nullif($4, 0),"
			    " delivered_at = nullif($5, 0), damaged = $6, returned = $7,"
			    " customer_caused = $8, updated_at = $9 WHERE shop_id = $1 AND id = $2",
			    "sssiiiiii", shop, s->id, status, shipped, delivered, (int64_t)damaged,
			    (int64_t)returned, (int64_t)customer, clock_now_ms());
	return rc < 0 ? rc : 0;
}

int shipment_add_event(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		       const struct shipment_event_input *in, struct shipment *out, int *created,
		       struct err *e)
{
	int rc;
	*created = 0;
	if ((rc = check_text(in->external_id, "external_id", 1, e)))
		return rc;
	if (!in->type || !in_list(shipment_event_types, in->type))
		return err_set(e, ERR_INVALID, "type", "\"type\" is shipped, out_for_delivery, delivered,"
			       " failed_attempt, returned or damaged");
	if (in->reason && !in_list(shipment_event_reasons, in->reason))
		return err_set(e, ERR_INVALID, "reason", "\"reason\" is customer_absent, address_wrong"
			       " or carrier");
	if (in->reason && strcmp(in->type, "failed_attempt"))
		return err_set(e, ERR_INVALID, "reason", "a \"reason\" goes with a failed_attempt");
	if (!order_time_valid(in->at)) {
		char range[ORDER_TIME_RANGE_MAX];
		return err_set(e, ERR_INVALID, "at", "\"at\" must be %s", order_time_range(range));
	}
	if ((rc = shipment_get(tx, a, shop, id, out, e)))
		return rc;
	for (int i = 0; i < out->nevents; i++) {
		const struct shipment_event *v = &out->events[i];
		if (strcmp(v->external_id, in->external_id))
			continue;
		if (strcmp(v->type, in->type) || v->at != in->at ||
		    (!v->reason) != (!in->reason) || (v->reason && strcmp(v->reason, in->reason)))
			return err_setc(e, ERR_CONFLICT, "event_exists", "external_id", "event \"%s\" of"
					" shipment \"%s\" exists with different contents",
					in->external_id, id);
		return 0;	/* the carrier's webhook, delivered again */
	}
	rc = store_exec(tx, e, "INSERT INTO shipment_events (shop_id, shipment_id, external_id, type,"
			" at, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)", "ssssisi", shop,
			id, in->external_id, in->type, in->at, in->reason, clock_now_ms());
	if (rc < 0 || (rc = shipment_get(tx, a, shop, id, out, e)) || (rc = derive(tx, shop, out, e)))
		return rc;
	char type[48];
	snprintf(type, sizeof(type), "shipment.%s", in->type);
	if ((rc = event_record(tx, shop, type, id, out->customer_id, e)))
		return rc;
	*created = 1;
	return shipment_get(tx, a, shop, id, out, e);
}

#define LATE_BATCH 1000

int shipment_mark_late(struct store_tx *tx, int64_t *marked, int64_t *apologies, struct err *e)
{
	int64_t now = clock_now_ms();
	struct arena a = ARENA_INIT;
	struct store_stmt *st = store_query(tx, e, "SELECT shop_id, id, customer_id, customer_caused"
		" FROM shipments WHERE late_at IS NULL AND delivered_at IS NULL"
		" AND promised_delivery_at IS NOT NULL AND promised_delivery_at < $1"
		" ORDER BY promised_delivery_at LIMIT $2", "ii", now, (int64_t)LATE_BATCH);
	const char **rows = arena_alloc(&a, LATE_BATCH * 3 * sizeof(*rows));
	int *caused = arena_alloc(&a, LATE_BATCH * sizeof(*caused));
	int n = 0, rc = 0;
	*marked = *apologies = 0;
	if (!st) {
		arena_free(&a);
		return e->kind;
	}
	while (n < LATE_BATCH && (rc = store_step(st, e)) == 1) {
		for (int j = 0; j < 3; j++)
			rows[n * 3 + j] = arena_strdup(&a, store_text(st, j));
		caused[n++] = (int)store_int(st, 3);
	}
	store_done(st);
	for (int i = 0; rc >= 0 && i < n; i++) {
		const char *shop = rows[i * 3], *id = rows[i * 3 + 1], *customer = rows[i * 3 + 2];
		rc = store_exec(tx, e, "UPDATE shipments SET late_at = $3 WHERE shop_id = $1 AND id = $2"
				" AND late_at IS NULL", "ssi", shop, id, now);
		if (rc <= 0)
			continue;
		(*marked)++;
		if ((rc = event_record(tx, shop, "delivery.late", id, customer, e)) || caused[i])
			continue;
		int given = 0;
		char cause[ID_MAX + 16];
		snprintf(cause, sizeof(cause), "%s", id);
		if (!(rc = offers_trigger(tx, shop, customer, "late_delivery", cause, &given, e)))
			*apologies += given;
	}
	arena_free(&a);
	return rc < 0 ? rc : 0;
}
