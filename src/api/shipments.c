/* shipments.c: /v1/orders/{id}/shipments and /v1/shipments/{id} with their
 * carrier events. */
#include <stdio.h>
#include <string.h>

#include "../base/jsonv.h"
#include "../core/order.h"
#include "../core/packing.h"
#include "../core/shipment.h"
#include "api.h"
#include "../render/render.h"

struct shipment_call {
	struct req *r;
	const char *ref;
	struct shipment_input in;
	struct shipment_event_input ev;
	char fingerprint[65];
};

static json_t *render_on_time(int v)
{
	return v < 0 ? json_null() : json_boolean(v);
}

json_t *api_render_shipment(const struct shipment *s)
{
	json_t *lines = json_array(), *events = json_array();
	for (int i = 0; i < s->nlines; i++)
		json_array_append_new(lines, json_pack("{s:s, s:I}", "sku", s->lines[i].sku,
						       "quantity", (json_int_t)s->lines[i].quantity));
	for (int i = 0; i < s->nevents; i++) {
		const struct shipment_event *v = &s->events[i];
		json_array_append_new(events, json_pack("{s:s, s:s, s:o, s:o}", "external_id",
			v->external_id, "type", v->type, "at", render_time(v->at),
			"reason", render_string(v->reason)));
	}
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:o, s:o, s:o}",
		"id", s->id, "object", "shipment", "order", s->order_id, "customer", s->customer_id,
		"external_id", s->external_id, "carrier", s->carrier, "region", render_string(s->region),
		"partner", render_string(s->partner), "tracking_id", render_string(s->tracking_id),
		"status", s->status, "promised_delivery_at", render_time(s->promised_delivery_at),
		"shipped_at", render_time(s->shipped_at), "delivered_at", render_time(s->delivered_at));
	json_object_set_new(o, "on_time", render_on_time(s->on_time));
	json_object_set_new(o, "late", json_boolean(s->late_at != 0));
	json_object_set_new(o, "late_at", render_time(s->late_at));
	json_object_set_new(o, "customer_caused_delay", json_boolean(s->customer_caused));
	json_object_set_new(o, "damaged", json_boolean(s->damaged));
	json_object_set_new(o, "returned", json_boolean(s->returned));
	json_object_set_new(o, "lines", lines);
	json_object_set_new(o, "events", events);
	json_object_set_new(o, "created_at", render_time(s->created_at));
	json_object_set_new(o, "updated_at", render_time(s->updated_at));
	return o;
}

static int create_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct shipment_call *c = ctx;
	struct shipment s;
	int created, rc = shipment_create(tx, &c->r->arena, c->r->shop_id, c->ref, &c->in, &s,
					  &created, e);
	if (!rc)
		req_json(c->r, created ? 201 : 200, api_render_shipment(&s));
	return rc;
}

static int parse_lines(struct req *r, json_t *arr, struct shipment_input *in, struct err *e)
{
	static const char *const allowed[] = { "sku", "quantity", NULL };
	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > SHIPMENT_MAX_LINES)
		return err_set(e, ERR_INVALID, "lines", "\"lines\" is an array of at most %d {sku,"
			       " quantity}", SHIPMENT_MAX_LINES);
	size_t n = json_array_size(arr);
	in->lines = arena_alloc(&r->arena, (n + 1) * sizeof(*in->lines));
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(arr, i);
		char prefix[32], p1[40], p2[40];
		int rc;
		snprintf(prefix, sizeof(prefix), "lines[%zu].", i);
		snprintf(p1, sizeof(p1), "lines[%zu].sku", i);
		snprintf(p2, sizeof(p2), "lines[%zu].quantity", i);
		if (!json_is_object(o))
			return err_set(e, ERR_INVALID, "lines", "each of \"lines\" is an object");
		if ((rc = jsonv_only_keys(o, allowed, prefix, e)) ||
		    (rc = jsonv_string(o, "sku", 1, ORDER_TEXT_MAX, &in->lines[i].sku, p1, e)) ||
		    (rc = jsonv_int(o, "quantity", 1, 1, ORDER_QUANTITY_MAX, &in->lines[i].quantity,
				    NULL, p2, e)))
			return rc;
	}
	in->nlines = (int)n;
	return 0;
}

int api_shipments_create(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "external_id", "carrier", "region", "partner",
		"tracking_id", "lines", "promised_delivery_at", NULL };
	struct shipment_call c = { .r = r, .ref = req_param(r, 0) };
	int rc;
	if (!r->json)
		return err_setc(e, ERR_INVALID, "parameter_missing", "external_id",
				"send the shipment: {external_id, carrier, ...}");
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "external_id", 1, SHIPMENT_TEXT_MAX, &c.in.external_id,
			       NULL, e)) ||
	    (rc = jsonv_string(r->json, "carrier", 1, SHIPMENT_TEXT_MAX, &c.in.carrier, NULL, e)) ||
	    (rc = jsonv_string(r->json, "region", 0, SHIPMENT_TEXT_MAX, &c.in.region, NULL, e)) ||
	    (rc = jsonv_string(r->json, "partner", 0, SHIPMENT_TEXT_MAX, &c.in.partner, NULL, e)) ||
	    (rc = jsonv_string(r->json, "tracking_id", 0, SHIPMENT_TEXT_MAX, &c.in.tracking_id,
			       NULL, e)) ||
	    (rc = jsonv_time_between(r->json, "promised_delivery_at", 0, ORDER_TIME_MIN_MS,
				     ORDER_TIME_MAX_MS, &c.in.promised_delivery_at, NULL, NULL, e)) ||
	    (rc = parse_lines(r, json_object_get(r->json, "lines"), &c.in, e)))
		return rc;
	jsonv_fingerprint("POST", "shipment", r->json, c.fingerprint);
	c.in.fingerprint = c.fingerprint;
	return req_write(r, create_tx, &c, e);
}

static int event_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct shipment_call *c = ctx;
	struct shipment s;
	int created, rc = shipment_add_event(tx, &c->r->arena, c->r->shop_id, c->ref, &c->ev, &s,
					     &created, e);
	if (!rc)
		req_json(c->r, created ? 201 : 200, api_render_shipment(&s));
	return rc;
}

int api_shipments_event(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "external_id", "type", "at", "reason", NULL };
	struct shipment_call c = { .r = r, .ref = req_param(r, 0) };
	int rc;
	if (!r->json)
		return err_setc(e, ERR_INVALID, "parameter_missing", "external_id",
				"send the event: {external_id, type, at, reason?}");
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "external_id", 1, SHIPMENT_TEXT_MAX, &c.ev.external_id,
			       NULL, e)) ||
	    (rc = jsonv_string(r->json, "type", 1, 40, &c.ev.type, NULL, e)) ||
	    (rc = jsonv_time_between(r->json, "at", 1, ORDER_TIME_MIN_MS, ORDER_TIME_MAX_MS,
				     &c.ev.at, NULL, NULL, e)) ||
	    (rc = jsonv_string(r->json, "reason", 0, 40, &c.ev.reason, NULL, e)))
		return rc;
	return req_write(r, event_tx, &c, e);
}

static int get_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct shipment_call *c = ctx;
	struct shipment s;
	int rc = shipment_get(tx, &c->r->arena, c->r->shop_id, c->ref, &s, e);
	if (!rc)
		req_json(c->r, 200, api_render_shipment(&s));
	return rc;
}

int api_shipments_get(struct req *r, struct err *e)
{
	struct shipment_call c = { .r = r, .ref = req_param(r, 0) };
	return req_read(r, get_tx, &c, e);
}

/* ---- GET /v1/orders/{id}/packing ---- */

static int packing_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct shipment_call *c = ctx;
	struct packing_note *notes;
	const char *order_id;
	int n, rc = packing_notes(tx, &c->r->arena, c->r->shop_id, c->ref, &order_id, &notes, &n, e);
	if (rc)
		return rc;
	json_t *list = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:s, s:{s:s, s:o}}", "text", notes[i].text,
			"rule", "type", notes[i].type, "value", render_string(notes[i].value)));
	req_json(c->r, 200, json_pack("{s:s, s:s, s:o}", "object", "packing", "order", order_id,
				      "notes", list));
	return 0;
}

int api_orders_packing(struct req *r, struct err *e)
{
	struct shipment_call c = { .r = r, .ref = req_param(r, 0) };
	return req_read(r, packing_tx, &c, e);
}
