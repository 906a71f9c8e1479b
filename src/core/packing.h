/*
 * packing.h: the notes an order's packing list carries for the warehouse,
 * from the programme's packing rules (program.h struct program_packing): a
 * hand-written card for a gold customer, a thank-you in a first order, the
 * milestone gift in the box, the gift wrap. Each note is the rule's text with
 * {first_name} (the first word of the customer's name, or "friend"), {name},
 * {tier} and {gift} (the milestone's gift) filled in. A milestone rule gives
 * one note per milestone the order reached. Read-only; results in the arena.
 */
#ifndef RETAIN_PACKING_H
#define RETAIN_PACKING_H

#include "../base/arena.h"
#include "../store/store.h"

struct packing_note {
	const char *text, *type, *value;	/* value: the rule's, may be NULL */
};

int packing_notes(struct store_tx *tx, struct arena *a, const char *shop, const char *order_ref,
		  const char **order_id, struct packing_note **out, int *n, struct err *e);

#endif
