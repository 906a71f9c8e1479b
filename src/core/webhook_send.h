/*
 * webhook_send.h: HTTP POSTs of webhook bodies with libcurl's multi
 * interface, many at once, for core/webhook.c. No redirects are followed, no
 * proxy from the environment is used, only http and https.
 *
 * The SSRF guard at delivery time: without allow_private, the address curl
 * is about to connect to (after its own resolution, so a host that now
 * resolves elsewhere than at creation, DNS rebinding, is judged on the
 * address really used) must be public (base/netaddr.h); the socket is
 * refused otherwise and the attempt fails with "address ... refused".
 */
#ifndef RETAIN_WEBHOOK_SEND_H
#define RETAIN_WEBHOOK_SEND_H

#include <stddef.h>
#include <stdint.h>

#define WEBHOOK_SEND_ERROR_MAX 200

struct webhook_request {
	const char *url;
	const char *id, *timestamp, *signature;	/* the webhook-* headers */
	const char *body;
	size_t len;
	/* results */
	long status;			/* HTTP status, 0 when there was no answer */
	int64_t duration_ms;
	char error[WEBHOOK_SEND_ERROR_MAX];	/* "" when the request got an answer */
	int refused;			/* the guard refused the address */
};

/* Sends every request in v at once (one whose id is NULL is skipped, its
 * error kept); each gets at most timeout_ms. Returns
 * when all are done. Thread-safe (one batch at a time). */
void webhook_send_batch(struct webhook_request *v, int n, int allow_private, long timeout_ms);

#endif
