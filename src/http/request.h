/*
 * request.h: one HTTP request as handlers see it, and the helpers they use.
 *
 * Everything a handler allocates lives in r->arena and is freed when the
 * response has been sent. A handler returns 0 after calling req_json(), or a
 * negative ERR_* kind with e filled; the server renders the error envelope.
 */
#ifndef RETAIN_REQUEST_H
#define RETAIN_REQUEST_H

#include <jansson.h>
#include <stddef.h>

#include "../base/arena.h"
#include "../base/buf.h"
#include "../base/err.h"
#include "../store/store.h"

struct MHD_Connection;
struct server;
struct req;

#define ROUTE_MAX_PARAMS 4
#define REQ_HEADERS_MAX 12

enum route_flags {
	AUTH_NONE = 0,
	AUTH_OPERATOR = 1 << 0,		/* the deployment's operator key */
	AUTH_SECRET = 1 << 1,		/* a shop's secret key */
	AUTH_PUBLISHABLE = 1 << 2,	/* a shop's publishable key */
	IDEMPOTENT = 1 << 4,		/* honours Idempotency-Key */
	/* The response shows a secret once (a new key, a token). Such a response
	 * is never stored: an idempotent one sets what a replay returns with
	 * req_json_once(), and a replay returns that, without the secret. */
	SECRET_RESPONSE = 1 << 5,
	/* Issue 13: the body is the handler's to read as sent (r->body), in any
	 * media type: a signed webhook's HMAC covers its raw bytes, and
	 * WooCommerce's ping is a form. r->json stays NULL. */
	RAW_BODY = 1 << 9,
	/* Issue 12: the contract takes a bare JSON array as well as an object
	 * (PUT .../interests, POST .../activity). r->json may then be an array;
	 * the handler reads it through req_array_body(). */
	ARRAY_BODY = 1 << 10,
	/* Issue 10: a POST that only reads (its handler calls req_read(), never
	 * req_write()), answered on libmicrohttpd's worker like a GET, without
	 * the hand-off to a writer thread. Never IDEMPOTENT: there is nothing to
	 * store, and a retry under any Idempotency-Key is answered afresh. */
	READ_ONLY = 1 << 11,
	/* Issue 10: the write changes a shop's API keys (a rotation): once it
	 * has committed, this node's key cache (http/auth.h) forgets every key. */
	KEYS_WRITE = 1 << 12,
	/* Issue 10: the handler reads its JSON body itself, with a fast reader
	 * for the plain case (base/jscan.h), and calls req_json_body() for the
	 * rest: r->json is NULL when the handler starts, unless the request
	 * carries an Idempotency-Key (whose fingerprint needs the parsed body).
	 * The Content-Type is checked before, as for any JSON body. */
	LAZY_JSON = 1 << 13,
};

typedef int (*route_handler)(struct req *r, struct err *e);

struct route {
	const char *method;
	const char *pattern;	/* "/v1/customers/:id/merge" */
	route_handler handler;
	int flags;
};

struct req {
	struct arena arena;
	struct server *srv;
	struct store *store;
	struct MHD_Connection *conn;
	const char *method, *url;
	const struct route *route;
	int route_index;
	int matched;		/* router_match() ran: its result + 1 (server.c) */
	const char *params[ROUTE_MAX_PARAMS];
	int nparams;
	struct buf body;
	int body_too_large;
	json_t *json;		/* the parsed body object, or NULL when empty */
	char request_id[40];
	const char *shop_id;	/* the authenticated shop, or NULL */
	int auth;		/* AUTH_OPERATOR, AUTH_SECRET or AUTH_PUBLISHABLE */
	const char *idempotency_key;
	char fingerprint[65];	/* of method, path and canonical body */
	int status;
	/* The response: req_json() keeps the object, and req_render() turns it
	 * into resp_body once the handler is done, outside its write (the group
	 * commit's serial part), or inside it when the body is stored. */
	json_t *resp_json;
	const char *resp_body;
	size_t resp_len;
	const char *resp_type;	/* NULL: application/json */
	const char *replay_body;	/* SECRET_RESPONSE: what is stored instead */
	int responded;
	int replayed;
	int close_connection;	/* send "Connection: close" (framing in doubt) */
	const char *allow;	/* a 405's Allow header */
	/* Issue 14: further response header fields (req_header), for the
	 * dashboard's HTML: Set-Cookie, Location, the security headers. */
	const char *resp_headers[REQ_HEADERS_MAX][2];
	int nresp_headers;
	double started_ms;
	/* Issue 14: a CORS preflight's allowed methods (http/cors.h); NULL:
	 * not a preflight. */
	const char *cors_methods;
};

/* The i-th ":param" of the matched route. */
const char *req_param(struct req *r, int i);
/* A query-string argument, or NULL. */
const char *req_query(struct req *r, const char *name);
/* Sets the response: status and obj (the reference is stolen; a response
 * set before is dropped). */
void req_json(struct req *r, int status, json_t *obj);
/* Renders the object req_json() set into resp_body and resp_len, if it has
 * not been: the server calls it after the handler, and anything that reads
 * resp_body calls it first. */
void req_render(struct req *r);
/*
 * For SECRET_RESPONSE routes: sets the response to shown and what a replay
 * under the same Idempotency-Key returns to replayed (the same resource with
 * the secrets withheld). Both references are stolen.
 */
void req_json_once(struct req *r, int status, json_t *shown, json_t *replayed);
/*
 * Issue 14: a non-JSON response: status, body (len bytes, copied into the
 * arena) and its media type; drops a response set before.
 */
void req_body(struct req *r, int status, const char *type, const char *body, size_t len);
/* Adds a response header field (both strings copied into the arena); past
 * REQ_HEADERS_MAX fields, a bug, it asserts. */
void req_header(struct req *r, const char *name, const char *value);
/* A request header field, or NULL. */
const char *req_header_in(struct req *r, const char *name);
/* limit (1..100, default 20) and starting_after from the query string. */
int req_page(struct req *r, int *limit, const char **starting_after, struct err *e);
/*
 * Runs fn in a write transaction. With an Idempotency-Key on an IDEMPOTENT
 * route, the response fn produced is stored in the same transaction; a retry
 * with the same key and the same request replays it, another request under
 * the same key is 400 idempotency_key_reused, and a duplicate arriving while
 * the first is in flight is 409. On a SECRET_RESPONSE route the stored
 * response is the replay body of req_json_once(), never the one sent.
 */
int req_write(struct req *r, store_fn fn, void *ctx, struct err *e);
/*
 * For erasure, inside its write: in every stored response of the shop, each
 * JSON object (at any depth) whose "id" is id is replaced by a copy of
 * replacement, so that a replay shows the record as it is now and nothing it
 * no longer holds; every stored request whose response names id forgets its
 * fingerprint (store_idempotency_set_body), a digest of a body that may have
 * held the customer's data. Scans the shop's stored responses (kept for a
 * bounded time), so it is meant for rare writes.
 */
int req_stored_responses_replace(struct store_tx *tx, struct arena *a, const char *shop,
				 const char *id, json_t *replacement, struct err *e);
int req_read(struct req *r, store_fn fn, void *ctx, struct err *e);
/* Parses the request's JSON body into r->json (as the server does before a
 * handler runs, unless the route is LAZY_JSON): 0 when parsed, already
 * parsed or empty; otherwise the error ("invalid_json") in e. */
int req_json_body(struct req *r, struct err *e);
/* An ARRAY_BODY route's body in its object form: a bare array becomes
 * {key: array} in r->json (an object, or no body, stays as it is). */
void req_array_body(struct req *r, const char *key);

#endif
