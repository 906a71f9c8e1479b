/*
 * server.h: `retain serve`: libmicrohttpd with an internal thread pool (poll),
 * one arena per request, the route table of api/routes.c, the error envelope,
 * Request-Id on every response, metrics and a JSON-lines access log.
 * SIGTERM or SIGINT: stop accepting, finish requests in flight, exit 0.
 */
#ifndef RETAIN_SERVER_H
#define RETAIN_SERVER_H

#include <stdatomic.h>

#include "../base/config.h"
#include "../base/secure.h"
#include "../store/store.h"
#include "request.h"

/*
 * Header limits: more fields or more bytes than these is 431 with the error
 * envelope. A header too large even for a connection's memory
 * (SERVER_CONNECTION_MEMORY) gets libmicrohttpd's own 431 (an HTML body) and
 * a closed connection. That memory is kept small on purpose: libmicrohttpd
 * 0.9.75 clears it for every request, and 128 KiB halved the requests per
 * second of a keep-alive GET (64 KiB: within the noise of 32).
 */
#define SERVER_HEADER_FIELDS_MAX 100
#define SERVER_HEADER_BYTES_MAX (32 * 1024)
#define SERVER_CONNECTION_MEMORY (64 * 1024)

struct server {
	const struct config *cfg;
	struct store *store;
	struct MHD_Daemon *daemon;
	const struct route *routes;
	int nroutes;
	char operator_key_hash[SECURE_SHA256_HEX];
	atomic_int draining;
};

int server_start(struct server *s, struct err *e);
/* Blocks until SIGTERM/SIGINT, drains, stops. Returns 0 on a clean drain. */
int server_run_until_signal(struct server *s);

#endif
