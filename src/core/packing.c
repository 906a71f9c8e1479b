/* packing.c: see packing.h. */
#include "packing.h"

#include <string.h>

#include "../base/buf.h"
#include "customer.h"
#include "order.h"
#include "program.h"
#include "tier.h"

struct facts {
	const char *first_name, *name, *tier;
	int first_order;
	const char **gifts;	/* the milestones this order reached */
	int ngifts;
};

/* text with its {placeholders} filled from f (gift: the one given). */
static const char *fill(struct arena *a, const char *text, const struct facts *f, const char *gift)
{
	struct buf b;
	buf_init(&b, 4096);
	for (const char *p = text; *p; p++) {
		const struct { const char *key, *value; } vars[] = {
			{ "{first_name}", f->first_name }, { "{name}", f->name ? f->name : f->first_name },
			{ "{tier}", f->tier ? f->tier : "" }, { "{gift}", gift ? gift : "" },
		};
		size_t i, n = sizeof(vars) / sizeof(vars[0]);
		for (i = 0; i < n; i++)
			if (!strncmp(p, vars[i].key, strlen(vars[i].key)))
				break;
		if (i < n) {
			buf_puts(&b, vars[i].value);
			p += strlen(vars[i].key) - 1;
		} else {
			buf_append(&b, p, 1);
		}
	}
	const char *out = arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return out;
}

static int load_facts(struct store_tx *tx, struct arena *a, const char *shop, const struct order *o,
		      struct facts *f, struct err *e)
{
	struct customer c;
	int64_t earlier;
	int rc;
	memset(f, 0, sizeof(*f));
	if ((rc = customer_get(tx, a, shop, o->customer_id, &c, e)) ||
	    (rc = tier_current(tx, a, shop, o->customer_id, &f->tier, e)) ||
	    (rc = store_query_int(tx, e, &earlier, "SELECT count(*) FROM orders WHERE shop_id = $1"
				  " AND customer_id = $2 AND id <> $3 AND status <> 'cancelled' AND"
				  " (placed_at < $4 OR (placed_at = $4 AND id < $3))", "sssi", shop,
				  o->customer_id, o->id, o->placed_at)))
		return rc;
	f->first_order = earlier == 0;
	f->name = c.name;
	f->first_name = "friend";
	if (c.name && *c.name) {
		size_t n = strcspn(c.name, " \t");
		f->first_name = arena_strndup(a, c.name, n ? n : strlen(c.name));
	}
	struct store_stmt *st = store_query(tx, e, "SELECT coalesce(gift, '') FROM milestone_awards"
		" WHERE shop_id = $1 AND order_id = $2 AND status = 'active' ORDER BY id", "ss", shop, o->id);
	if (!st)
		return e->kind;
	f->gifts = arena_alloc(a, 16 * sizeof(*f->gifts));
	while (f->ngifts < 16 && (rc = store_step(st, e)) == 1)
		f->gifts[f->ngifts++] = arena_strdup(a, store_text(st, 0));
	store_done(st);
	return rc < 0 ? rc : 0;
}

static int has_gift_wrap(const struct order *o, const char *sku)
{
	for (int i = 0; i < o->nlines; i++)
		if (sku ? !strcmp(o->lines[i].sku, sku)
			: o->lines[i].category && !strcmp(o->lines[i].category, "gift_wrap"))
			return 1;
	return 0;
}

int packing_notes(struct store_tx *tx, struct arena *a, const char *shop, const char *order_ref,
		  const char **order_id, struct packing_note **out, int *n, struct err *e)
{
	struct order o;
	struct program p;
	struct facts f;
	int rc;
	*n = 0;
	if ((rc = order_get(tx, a, shop, order_ref, &o, e)) || (rc = program_get(tx, a, shop, &p, e)) ||
	    (rc = load_facts(tx, a, shop, &o, &f, e)))
		return rc;
	*order_id = arena_strdup(a, o.id);
	*out = arena_alloc(a, (size_t)(p.npacking * 16 + 1) * sizeof(**out));
	for (int i = 0; i < p.npacking; i++) {
		const struct program_packing *k = &p.packing[i];
		if (!strcmp(k->type, "milestone")) {
			for (int g = 0; g < f.ngifts; g++)
				(*out)[(*n)++] = (struct packing_note){ fill(a, k->text, &f, f.gifts[g]),
									k->type, k->value };
			continue;
		}
		int holds = !strcmp(k->type, "tier") ? f.tier && k->value && !strcmp(f.tier, k->value)
			  : !strcmp(k->type, "first_order") ? f.first_order
			  : !strcmp(k->type, "gift_wrap") ? has_gift_wrap(&o, k->value) : 0;
		if (holds)
			(*out)[(*n)++] = (struct packing_note){ fill(a, k->text, &f, NULL), k->type,
								k->value };
	}
	return 0;
}
