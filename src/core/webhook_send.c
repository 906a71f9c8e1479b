/* webhook_send.c: see webhook_send.h. */
#include "webhook_send.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "../base/clock.h"
#include "../base/netaddr.h"

/* One multi handle for the process, kept between batches so that its
 * connection cache reuses connections to a receiver; one batch at a time. */
static pthread_mutex_t sending = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static CURLM *multi;

static void init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	multi = curl_multi_init();
}

struct call {
	struct webhook_request *r;
	int allow_private;
	struct curl_slist *headers;
	double started;
};

/* The response body is read and dropped: only the status counts. */
static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p, (void)ctx;
	return size * n;
}

static curl_socket_t open_socket(void *ctx, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct call *c = ctx;
	(void)purpose;
	if (!c->allow_private && netaddr_is_private(&a->addr)) {
		char shown[64];
		netaddr_format(&a->addr, shown, sizeof(shown));
		snprintf(c->r->error, sizeof(c->r->error), "address \"%s\" is not public: refused"
			 " (--webhooks-allow-private allows it)", shown);
		c->r->refused = 1;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
}

static struct curl_slist *header(struct curl_slist *l, const char *name, const char *value)
{
	char line[1024];
	snprintf(line, sizeof(line), "%s: %s", name, value);
	return curl_slist_append(l, line);
}

static CURL *easy_for(struct call *c, long timeout_ms)
{
	struct webhook_request *r = c->r;
	CURL *h = curl_easy_init();
	if (!h)
		return NULL;
	c->headers = header(NULL, "Content-Type", "application/json");
	c->headers = header(c->headers, "webhook-id", r->id);
	c->headers = header(c->headers, "webhook-timestamp", r->timestamp);
	c->headers = header(c->headers, "webhook-signature", r->signature);
	c->headers = curl_slist_append(c->headers, "Expect:");
	curl_easy_setopt(h, CURLOPT_URL, r->url);
	curl_easy_setopt(h, CURLOPT_PRIVATE, c);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->len);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "retain-webhooks/1");
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 10000 ? timeout_ms : 10000L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, c);
	return h;
}

static void finish(CURL *h, CURLcode code)
{
	struct call *c;
	curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&c);
	struct webhook_request *r = c->r;
	r->duration_ms = (int64_t)(clock_monotonic_ms() - c->started);
	if (code == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
		r->error[0] = 0;
	} else if (!r->refused) {
		r->status = 0;
		snprintf(r->error, sizeof(r->error), "%s", curl_easy_strerror(code));
	}
}

void webhook_send_batch(struct webhook_request *v, int n, int allow_private, long timeout_ms)
{
	pthread_once(&once, init);
	pthread_mutex_lock(&sending);
	struct call calls[n > 0 ? n : 1];
	CURL *handles[n > 0 ? n : 1];
	for (int i = 0; i < n; i++) {
		calls[i] = (struct call){ &v[i], allow_private, NULL, clock_monotonic_ms() };
		handles[i] = NULL;
		if (!v[i].id)	/* not made: its error says why */
			continue;
		v[i].status = 0, v[i].duration_ms = 0, v[i].error[0] = 0, v[i].refused = 0;
		handles[i] = multi ? easy_for(&calls[i], timeout_ms) : NULL;
		if (!handles[i] || curl_multi_add_handle(multi, handles[i]) != CURLM_OK) {
			snprintf(v[i].error, sizeof(v[i].error), "could not start the request");
			if (handles[i])
				curl_easy_cleanup(handles[i]);
			handles[i] = NULL;
		}
	}
	int running = 1;
	while (running) {
		if (curl_multi_perform(multi, &running) != CURLM_OK)
			break;
		CURLMsg *m;
		int left;
		while ((m = curl_multi_info_read(multi, &left)))
			if (m->msg == CURLMSG_DONE)
				finish(m->easy_handle, m->data.result);
		if (running)
			curl_multi_poll(multi, NULL, 0, 1000, NULL);
	}
	for (int i = 0; i < n; i++) {
		if (handles[i]) {
			curl_multi_remove_handle(multi, handles[i]);
			curl_easy_cleanup(handles[i]);
		}
		curl_slist_free_all(calls[i].headers);
	}
	pthread_mutex_unlock(&sending);
}
