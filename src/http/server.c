/* server.c: see server.h. */
#include "server.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "../base/clock.h"
#include "../base/ids.h"
#include "../base/jsonv.h"
#include "../base/log.h"
#include "auth.h"
#include "cors.h"
#include "idempotency.h"
#include "metrics.h"
#include "response.h"
#include "router.h"

static atomic_int in_flight;

/*
 * Requests that may write wait for their group commit (store/group.h) off
 * libmicrohttpd's threads. A worker thread that has read such a request
 * whole suspends its connection and queues it here; one of SERVER_WRITERS
 * writer threads runs it (dispatch(), which returns once its commit is
 * durable) and resumes the connection, whose worker then sends the response.
 * So a worker never blocks on the store and keeps serving its other
 * connections, and as many requests can share one commit as are waiting on
 * it, up to SERVER_WRITERS, wherever libmicrohttpd placed their connections
 * (it does not spread them evenly over its pool: with a worker blocking per
 * request, sixteen connections often shared one or two threads, and so one
 * commit each). GET and HEAD, which do not write, are answered on the worker,
 * and so are READ_ONLY routes (request.h): a POST that only reads.
 */
#define SERVER_WRITERS 64

struct writer_job {
	struct req *r;
	struct writer_job *next;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct writer_job *head, *tail;
	int stopping;
	pthread_t threads[SERVER_WRITERS];
	int nthreads;
} writers = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, 0, { 0 }, 0 };

/* Connections suspended and not yet back in their worker's hands (a resume
 * takes effect on the worker's next turn): MHD_stop_daemon() must not run
 * while any is. A request counts from its suspension until its worker takes
 * it up again (it has a response, not yet sent) or it ends there. */
static atomic_int suspended;

static int content_type_is_json(struct req *r)
{
	const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
	if (!ct)
		return 0;
	size_t n = strcspn(ct, ";");
	while (n && ct[n - 1] == ' ')
		n--;
	return n == 16 && strncasecmp(ct, "application/json", 16) == 0;
}

/* What a stored answer is for, beside method and body: the path, the kind
 * of key and, on the storefront, the customer token sent. A stored answer
 * replays before the handler checks the token, so a key reused by another
 * kind of key, another customer's token or none is a different request
 * (400 idempotency_key_reused), never the first answer (a secret-key view, another customer's
 * interests). A retry with the same token replays as before. */
static const char *scoped_path(struct req *r, const char *path)
{
	const char *token = NULL;
	if (r->auth == AUTH_PUBLISHABLE)
		token = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Customer-Token");
	return arena_printf(&r->arena, "%s\n%s\n%s", path,
			    r->auth == AUTH_SECRET ? "sk" : r->auth == AUTH_PUBLISHABLE ? "pk" : "op",
			    token ? token : "");
}

/* The request's route, matched once (on_request asks before dispatch). */
static enum router_result match(struct server *s, struct req *r)
{
	if (!r->matched)
		r->matched = 1 + (int)router_match(s->routes, s->nroutes, r->method, r->url,
						   &r->arena, &r->route_index, r->params,
						   &r->nparams);
	return (enum router_result)(r->matched - 1);
}

static int prepare(struct server *s, struct req *r, struct err *e)
{
	int rc;
	const char *path = r->url;

	if (cors_is_preflight(r))	/* issue 14 */
		return cors_preflight(r, s->routes, s->nroutes, e);
	switch (match(s, r)) {
	case ROUTER_NO_PATH:
		return err_set(e, ERR_NOT_FOUND, NULL, "no such endpoint: %s %.200s", r->method, path);
	case ROUTER_NO_METHOD: {
		char allow[128];
		router_allow(s->routes, s->nroutes, path, allow, sizeof(allow));
		r->allow = arena_strdup(&r->arena, allow);
		return err_set(e, ERR_METHOD, NULL, "%s is not allowed on %.200s (allowed: %s)",
			       r->method, path, allow);
	}
	case ROUTER_FOUND:
		break;
	}
	r->route = &s->routes[r->route_index];
	if (r->body_too_large)
		return err_set(e, ERR_TOO_LARGE, NULL, "request body is larger than %lld bytes",
			       (long long)s->cfg->body_limit);
	if ((rc = auth_request(r, e)))
		return rc;
	r->idempotency_key = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
							 "Idempotency-Key");
	if (r->body.len > 0 && !(r->route->flags & RAW_BODY)) {
		if (!content_type_is_json(r))
			return err_set(e, ERR_MEDIA_TYPE, NULL,
				       "send the body as \"Content-Type: application/json\"");
		if ((!(r->route->flags & LAZY_JSON) || r->idempotency_key) &&
		    (rc = req_json_body(r, e)))
			return rc;
	}
	if (r->idempotency_key) {
		if ((rc = idempotency_key_valid(r->idempotency_key, e)))
			return rc;
		jsonv_fingerprint(r->method, scoped_path(r, path), r->json, r->fingerprint);
	}
	return 0;
}

static void dispatch(struct server *s, struct req *r)
{
	struct err e;
	int rc;

	err_clear(&e);
	rc = prepare(s, r, &e);
	if (!rc && !r->cors_methods)
		rc = r->route->handler(r, &e);
	if (rc) {
		if (rc == ERR_INTERNAL)
			log_error("internal error", ",\"request_id\":\"%s\",\"route\":\"%s\"",
				  r->request_id, r->route ? r->route->pattern : "");
		if (!e.kind)
			err_set(&e, rc, NULL, "internal error");
		response_error(r, &e);
	} else if (!r->resp_body && !r->resp_json) {
		err_set(&e, ERR_INTERNAL, NULL, "handler produced no response");
		response_error(r, &e);
	}
	req_render(r);
}

/* Runs queued requests until stopping and the queue is empty. After the
 * resume the request belongs to its worker again (it may already be freed). */
static void *writer_main(void *arg)
{
	struct server *s = arg;
	for (;;) {
		pthread_mutex_lock(&writers.lock);
		while (!writers.head && !writers.stopping)
			pthread_cond_wait(&writers.cond, &writers.lock);
		struct writer_job *j = writers.head;
		if (j && !(writers.head = j->next))
			writers.tail = NULL;
		pthread_mutex_unlock(&writers.lock);
		if (!j)
			return NULL;
		struct req *r = j->r;
		free(j);
		dispatch(s, r);
		MHD_resume_connection(r->conn);
	}
}

/* Called on the worker with the request read whole: suspends its connection
 * until a writer thread has dispatched it. 0 when the writer threads have
 * stopped (the server is shutting down): the worker dispatches it itself. */
static int queue_for_writer(struct req *r)
{
	struct writer_job *j = malloc(sizeof(*j));
	if (!j)
		abort();
	j->r = r;
	j->next = NULL;
	pthread_mutex_lock(&writers.lock);
	if (writers.stopping) {
		pthread_mutex_unlock(&writers.lock);
		free(j);
		return 0;
	}
	atomic_fetch_add(&suspended, 1);
	MHD_suspend_connection(r->conn);
	if (writers.tail)
		writers.tail->next = j;
	else
		writers.head = j;
	writers.tail = j;
	pthread_mutex_unlock(&writers.lock);
	/* After the unlock: a writer woken under the lock would wait for it. */
	pthread_cond_signal(&writers.cond);
	return 1;
}

/* A request a writer thread dispatched, back on its worker (or ending). */
static int back_from_writer(struct req *r)
{
	return r->resp_body && !r->responded;
}

/* GET, HEAD, OPTIONS and READ_ONLY routes (a POST that only reads, issue
 * 10) are answered on the worker. A request that matches no route (its 404
 * or 405 writes nothing) still goes to a writer: the worker answers only
 * what it is sure reads. */
static int may_write(struct server *s, struct req *r)
{
	if (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD") ||
	    !strcmp(r->method, "OPTIONS"))
		return 0;
	return match(s, r) != ROUTER_FOUND || !(s->routes[r->route_index].flags & READ_ONLY);
}

static int writers_start(struct server *s, struct err *e)
{
	for (int i = 0; i < SERVER_WRITERS; i++) {
		int rc = pthread_create(&writers.threads[i], NULL, writer_main, s);
		if (rc)
			return err_set(e, ERR_INTERNAL, NULL, "cannot start a writer thread: %s",
				       strerror(rc));
		writers.nthreads++;
	}
	return 0;
}

/* Lets the writer threads finish what is queued, and joins them. */
static void writers_stop(void)
{
	pthread_mutex_lock(&writers.lock);
	writers.stopping = 1;
	pthread_cond_broadcast(&writers.cond);
	pthread_mutex_unlock(&writers.lock);
	for (int i = 0; i < writers.nthreads; i++)
		pthread_join(writers.threads[i], NULL);
	writers.nthreads = 0;
}

static enum MHD_Result send_response(struct server *s, struct req *r)
{
	req_render(r);
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		r->resp_len, (void *)r->resp_body, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ok;

	MHD_add_response_header(resp, "Content-Type",
				r->resp_type ? r->resp_type : "application/json");
	MHD_add_response_header(resp, "Request-Id", r->request_id);
	if (r->replayed)
		MHD_add_response_header(resp, "Idempotent-Replayed", "true");
	if (r->allow)
		MHD_add_response_header(resp, "Allow", r->allow);
	for (int i = 0; i < r->nresp_headers; i++)
		MHD_add_response_header(resp, r->resp_headers[i][0], r->resp_headers[i][1]);
	cors_add_headers(r, resp);
	if (r->close_connection || atomic_load(&s->draining))
		MHD_add_response_header(resp, "Connection", "close");
	ok = MHD_queue_response(r->conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	r->responded = 1;
	return ok;
}

/*
 * What the request's header fields say, read once they have all arrived:
 * their count and size, and the fields that frame the body. Two framings of
 * one body (Content-Length and Transfer-Encoding, or two Content-Lengths)
 * are how requests are smuggled past a proxy that reads the other one.
 */
struct header_scan {
	size_t fields, bytes;
	int content_lengths, transfer_encodings;
	int content_length_bad, transfer_encoding_bad;
	int name_bad, folded;
};

/*
 * obs-fold, a header line that starts with SP or HTAB (RFC 9112 section 5.2),
 * is refused: a proxy that unfolds it and a server that does not read two
 * different requests. libmicrohttpd 0.9.75 neither refuses nor unfolds it
 * (MHD_OPTION_STRICT_FOR_CLIENT at 1, 2 or -1 does not change that), and it
 * shows no raw header line: it appends the continuation to the field's NAME
 * ("Content-Length: 2" + " 0" arrives as "Content-Length0: 2"), in a copy
 * made elsewhere in the connection's memory. That copy gives a fold away: a
 * field parsed in place has its value right after its name, past the ':'
 * (now a NUL) and any SP or HTAB. Compared as addresses, read only between.
 */
static int parsed_in_place(const char *key, size_t key_size, const char *value)
{
	uintptr_t end = (uintptr_t)key + key_size, v = (uintptr_t)value;
	if (v <= end || v - end > SERVER_HEADER_BYTES_MAX || key[key_size] != '\0')
		return 0;
	for (const char *p = key + key_size + 1; p < value; p++)
		if (*p != ' ' && *p != '\t')
			return 0;
	return 1;
}

/* RFC 9110 token characters: a field name is one or more of them. A name
 * with a space ("Content-Length :") is how one framing hides from another. */
static int token(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("!#$%&'*+-.^_`|~", s[i])) || !s[i])
			return 0;
	return 1;
}

static int all_digits(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key,
				   size_t key_size, const char *value, size_t value_size)
{
	struct header_scan *h = cls;
	(void)kind;
	h->fields++;
	h->bytes += key_size + value_size + 4;	/* "key: value\r\n" */
	h->name_bad |= !token(key, key_size);
	h->folded |= !parsed_in_place(key, key_size, value);
	if (key_size == 14 && !strncasecmp(key, "Content-Length", 14)) {
		h->content_lengths++;
		h->content_length_bad |= !all_digits(value, value_size);
	} else if (key_size == 17 && !strncasecmp(key, "Transfer-Encoding", 17)) {
		h->transfer_encodings++;
		h->transfer_encoding_bad |= value_size != 7 || strncasecmp(value, "chunked", 7);
	}
	return MHD_YES;
}

/* A method whose request carries content (RFC 9110 section 9.3): every POST,
 * PUT and PATCH route of retain takes a JSON body, even if only "{}". */
static int method_has_body(const char *method)
{
	return !strcmp(method, "POST") || !strcmp(method, "PUT") || !strcmp(method, "PATCH");
}

/* 431 for too many or too large header fields, 400 for a folded line or a
 * body framed twice or in a way retain does not read, 411 for a body not
 * framed at all: before routing, before any handler. */
static int check_headers(struct MHD_Connection *conn, const char *method, struct err *e)
{
	struct header_scan h = { 0 };
	MHD_get_connection_values_n(conn, MHD_HEADER_KIND, scan_header, &h);
	if (h.fields > SERVER_HEADER_FIELDS_MAX)
		return err_set(e, ERR_HEADERS_TOO_LARGE, NULL,
			       "the request has %zu header fields; at most %d are accepted",
			       h.fields, SERVER_HEADER_FIELDS_MAX);
	if (h.bytes > SERVER_HEADER_BYTES_MAX)
		return err_set(e, ERR_HEADERS_TOO_LARGE, NULL,
			       "the request's header fields take %zu bytes; at most %d are accepted",
			       h.bytes, SERVER_HEADER_BYTES_MAX);
	if (h.folded)
		return err_setc(e, ERR_INVALID, "request_header_invalid", NULL,
				"a header line may not start with a space or a tab (obs-fold):"
				" send each field on one line");
	if (h.name_bad)
		return err_setc(e, ERR_INVALID, "request_header_invalid", NULL,
				"a header field name may hold only letters, digits and !#$%%&'*+-.^_`|~");
	if (h.content_lengths && h.transfer_encodings)
		return err_setc(e, ERR_INVALID, "request_framing_invalid", "Content-Length",
				"send either \"Content-Length\" or \"Transfer-Encoding\", not both");
	if (h.content_lengths > 1)
		return err_setc(e, ERR_INVALID, "request_framing_invalid", "Content-Length",
				"send \"Content-Length\" once, not %d times", h.content_lengths);
	if (h.content_length_bad)
		return err_setc(e, ERR_INVALID, "request_framing_invalid", "Content-Length",
				"\"Content-Length\" must be a number of bytes");
	if (h.transfer_encodings > 1 || h.transfer_encoding_bad)
		return err_setc(e, ERR_INVALID, "request_framing_invalid", "Transfer-Encoding",
				"the only \"Transfer-Encoding\" accepted is a single \"chunked\"");
	/* Without either, whatever follows the header would be read as the next
	 * request, although a proxy may have sent it as this one's body. */
	if (method_has_body(method) && !h.content_lengths && !h.transfer_encodings)
		return err_setc(e, ERR_INVALID, "length_required", "Content-Length",
				"a %s needs \"Content-Length\" (0 for no body) or"
				" \"Transfer-Encoding: chunked\"", method);
	return 0;
}

/* Answers at once, before the body is read, and closes the connection:
 * whatever follows the header cannot be trusted to be a next request. */
static enum MHD_Result refuse_early(struct server *s, struct req *r, struct err *e)
{
	response_error(r, e);
	/* An unframed body is 411 Length Required: a 400 in all but its status
	 * (no error kind of its own; its code says it). */
	if (!strcmp(e->code, "length_required"))
		r->status = 411;
	r->close_connection = 1;
	return send_response(s, r);
}

/*
 * libmicrohttpd decodes the path and the query's values in place with this.
 * Its own decoder turns "%00" into a NUL, which ends the C string the router
 * reads: "/v1/customers/A%00/friends/B" was routed as "/v1/customers/A".
 * This one decodes every other "%HH" the same way and leaves "%00" as
 * written, so such a path names no resource (404) and a value keeps its
 * bytes instead of being cut short.
 */
static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	char *out = s;
	(void)cls;
	(void)conn;
	for (const char *in = s; *in; ) {
		int hi = in[0] == '%' ? hex_value(in[1]) : -1;
		int lo = hi >= 0 ? hex_value(in[2]) : -1;
		if (lo >= 0 && (hi | lo)) {
			*out++ = (char)(hi << 4 | lo);
			in += 3;
		} else {
			*out++ = *in++;
		}
	}
	*out = 0;
	return (size_t)(out - s);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct server *s = cls;
	struct req *r = *con_cls;
	(void)version;

	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		atomic_fetch_add(&in_flight, 1);
		*con_cls = r;
		r->srv = s;
		r->store = s->store;
		r->conn = conn;
		r->method = method;
		r->url = url;
		r->route_index = -1;
		r->started_ms = clock_monotonic_ms();
		id_new(r->request_id, "req_", clock_now_ms());
		buf_init(&r->body, (size_t)s->cfg->body_limit);
		struct err e;
		err_clear(&e);
		if (check_headers(conn, method, &e))
			return refuse_early(s, r, &e);
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		const char *expect = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Expect");
		if (cl && strtoull(cl, NULL, 10) > (unsigned long long)s->cfg->body_limit) {
			r->body_too_large = 1;
			/* A client waiting for "100 Continue" can be refused before it
			 * sends a byte; any other would see a reset, so its body is read
			 * and dropped (memory stays bounded) before the 413. */
			if (expect && !strcasecmp(expect, "100-continue")) {
				dispatch(s, r);
				return send_response(s, r);
			}
		}
		return MHD_YES;
	}
	if (r->responded) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!r->body_too_large && buf_append(&r->body, upload_data, *upload_data_size) < 0) {
			r->body_too_large = 1;
			buf_free(&r->body);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (back_from_writer(r)) {
		atomic_fetch_sub(&suspended, 1);
		return send_response(s, r);
	}
	if (may_write(s, r) && queue_for_writer(r))
		return MHD_YES;
	dispatch(s, r);
	return send_response(s, r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct server *s = cls;
	struct req *r = *con_cls;
	(void)conn;
	(void)toe;
	if (!r)
		return;
	if (back_from_writer(r))
		atomic_fetch_sub(&suspended, 1);	/* the client left meanwhile */
	double ms = clock_monotonic_ms() - r->started_ms;
	const char *route = r->route ? r->route->pattern : "unmatched";
	metrics_observe(r->route ? r->route_index : -1, r->status, ms);
	if (s->cfg->access_log)
		log_info("request", ",\"request_id\":\"%s\",\"method\":\"%s\",\"route\":\"%s\","
			 "\"status\":%d,\"ms\":%.3f%s%s%s%s",
			 r->request_id, r->route ? r->route->method : "-", route, r->status, ms,
			 r->shop_id ? ",\"shop\":\"" : "", r->shop_id ? r->shop_id : "",
			 r->shop_id ? "\"" : "", r->replayed ? ",\"replayed\":true" : "");
	json_decref(r->json);
	json_decref(r->resp_json);
	buf_free(&r->body);
	arena_free(&r->arena);
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&in_flight, 1);
}

static int parse_listen(const char *listen, struct sockaddr_in *sa, struct err *e)
{
	uint32_t addr;
	uint16_t port;
	memset(sa, 0, sizeof(*sa));
	if (config_listen_parse(listen, &addr, &port))
		return err_set(e, ERR_INVALID, "listen",
			       "--listen must look like \"127.0.0.1:8080\", not \"%s\"", listen);
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = addr;
	sa->sin_port = htons(port);
	return 0;
}

int server_start(struct server *s, struct err *e)
{
	struct sockaddr_in sa;
	int rc = parse_listen(s->cfg->listen, &sa, e);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads = s->cfg->threads > 0 ? (unsigned)s->cfg->threads
					       : (unsigned)(ncpu > 0 ? ncpu * 2 : 4);
	if (threads < 2)
		threads = 2;
	if (rc)
		return rc;
	/* poll(), not epoll: with a thread pool on epoll, MHD_quiesce_daemon()
	 * removes the listen socket from each worker's epoll set while a worker
	 * may already have removed it itself, and libmicrohttpd 0.9.75 panics
	 * ("Failed to remove listen FD from epoll set") on the lost race. With
	 * poll() quiescing goes through each worker's ITC pipe instead. */
	s->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
		MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME,
		0, NULL, NULL, on_request, s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVER_CONNECTION_MEMORY,
		MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
		MHD_OPTION_END);
	if (!s->daemon)
		return err_set(e, ERR_INTERNAL, "listen", "cannot listen on \"%s\": %s",
			       s->cfg->listen, strerror(errno));
	if ((rc = writers_start(s, e))) {
		writers_stop();
		MHD_stop_daemon(s->daemon);
		return rc;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	char addr[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof(addr));
	log_info("listening", ",\"addr\":\"%s:%u\",\"threads\":%u,\"test_clock\":%s,\"node\":%u",
		 addr, info ? info->port : ntohs(sa.sin_port), threads,
		 clock_test_enabled() ? "true" : "false", id_node());
	return 0;
}

int server_run_until_signal(struct server *s)
{
	sigset_t set;
	int sig = 0;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigwait(&set, &sig);
	log_info("draining", ",\"signal\":\"%s\",\"in_flight\":%d",
		 sig == SIGTERM ? "SIGTERM" : "SIGINT", atomic_load(&in_flight));
	atomic_store(&s->draining, 1);
	MHD_socket fd = MHD_quiesce_daemon(s->daemon);
	double deadline = clock_monotonic_ms() + (double)s->cfg->drain_seconds * 1000;
	while (atomic_load(&in_flight) > 0 && clock_monotonic_ms() < deadline)
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	/* No connection may be suspended when the daemon stops: the writer
	 * threads finish what they hold and resume their connections (a write
	 * arriving from now on is run by its worker), and the workers take the
	 * connections back. */
	writers_stop();
	while (atomic_load(&suspended) > 0)
		nanosleep(&(struct timespec){ 0, 1000 * 1000 }, NULL);
	/* A keep-alive client may have sent one more request meanwhile. */
	while (atomic_load(&in_flight) > 0 && clock_monotonic_ms() < deadline)
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	int left = atomic_load(&in_flight);
	MHD_stop_daemon(s->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	log_info("stopped", ",\"unfinished\":%d", left);
	return left ? 1 : 0;
}
