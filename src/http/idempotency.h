/*
 * idempotency.h: Idempotency-Key support (Stripe semantics). The stored side
 * lives in the idempotency_keys table, written in the write's own transaction
 * (request.c); this file tracks the keys of requests still in flight, so that
 * a concurrent duplicate gets 409 instead of waiting or running twice.
 */
#ifndef RETAIN_IDEMPOTENCY_H
#define RETAIN_IDEMPOTENCY_H

#include "../base/err.h"

#define IDEMPOTENCY_KEY_MAX 255

/* Checks the key's form (1..255 printable ASCII). */
int idempotency_key_valid(const char *key, struct err *e);
/* Marks scope+key in flight; ERR_CONFLICT when it already is. */
int idempotency_begin(const char *scope, const char *key, struct err *e);
void idempotency_end(const char *scope, const char *key);

#endif
