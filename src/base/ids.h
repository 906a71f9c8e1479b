/*
 * ids.h: resource ids. An id is a prefix ("cus_", "ord_") and 16 Crockford
 * base32 characters: 48 bits of creation time in ms then 32 random bits. Ids
 * are opaque to clients but sort by creation time, which gives every table a
 * portable cursor order (no sequences needed, same on SQLite and PostgreSQL).
 * Within a process ids are strictly increasing, even within one millisecond
 * or under a frozen test clock.
 */
#ifndef RETAIN_IDS_H
#define RETAIN_IDS_H

#include <stddef.h>
#include <stdint.h>

#define ID_MAX 32

/* Writes prefix + 16 chars into out (ID_MAX bytes). */
void id_new(char out[ID_MAX], const char *prefix, int64_t now_ms);
/* 1 when s looks like an id with this prefix (right length and alphabet). */
int id_valid(const char *s, const char *prefix);

#endif
