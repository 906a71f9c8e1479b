/*
 * ids.h: resource ids. An id is a prefix ("cus_", "ord_") and 16 Crockford
 * base32 characters: 48 bits of creation time in ms, then 30 bits: the
 * process's node number (12 bits) and a count within the millisecond (18
 * bits, from a random start). Ids are opaque to clients but sort by creation
 * time, which gives every table a portable cursor order (no sequences needed,
 * same on SQLite and PostgreSQL). Within a process ids are strictly
 * increasing, even within one millisecond or under a frozen test clock.
 *
 * Node numbers keep the ids of several processes on one database apart: the
 * PostgreSQL store leases one when it opens (id_set_node; a number no other
 * running process holds, store/pg.c), so processes running at the same time
 * never make the same id (up to 4,096 of them); a process given none (SQLite,
 * where one process writes) draws a random one. Before node numbers, two
 * nodes making ~10k ids a second each would have met about once every few
 * hours (30 random bits; docs/decisions.md).
 */
#ifndef RETAIN_IDS_H
#define RETAIN_IDS_H

#include <stddef.h>
#include <stdint.h>

#define ID_MAX 32
#define ID_NODE_BITS 12
#define ID_COUNT_BITS 18

/* One maker of ids: the last (time, count) handed out and its node. The
 * process has one (id_new); tests make their own to feed it chosen random
 * words. */
struct id_maker {
	uint64_t last_time, last_count;
	uint32_t node;
};

/* Writes prefix + 16 chars into out (ID_MAX bytes). Thread-safe. */
void id_new(char out[ID_MAX], const char *prefix, int64_t now_ms);
/* The same for one maker, with rnd as its random word; not locked. */
void id_make(struct id_maker *m, char out[ID_MAX], const char *prefix, int64_t now_ms,
	     uint32_t rnd);
/* Sets the process's node number (its low ID_NODE_BITS bits are used); the
 * ids made after it still sort after those made before. */
void id_set_node(uint64_t node);
/* The process's node number. */
unsigned id_node(void);
/* 1 when s looks like an id with this prefix (right length and alphabet). */
int id_valid(const char *s, const char *prefix);

#endif
