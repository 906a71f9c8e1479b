/*
 * auth.h: who is calling. "Authorization: Bearer KEY" with the deployment's
 * operator key, a shop's secret key or a shop's publishable key; the route's
 * flags say which are welcome. No key: 401; a valid key of the wrong kind: 403.
 * A shop key that authenticated is cached for at most a second (auth.c).
 */
#ifndef RETAIN_AUTH_H
#define RETAIN_AUTH_H

#include "request.h"

int auth_request(struct req *r, struct err *e);
/* Empties this process's cache of shop keys (auth.c): after a write that
 * changed keys has committed (a KEYS_WRITE route, req_write). */
void auth_cache_forget(void);

#endif
