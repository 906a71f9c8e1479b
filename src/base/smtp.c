/* smtp.c: see smtp.h. */
#include "smtp.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

int smtp_url_valid(const char *url)
{
	const char *host = !strncmp(url, "smtp://", 7) ? url + 7 : !strncmp(url, "smtps://", 8) ? url + 8
			 : NULL;
	return host && *host && *host != '/' && *host != ':' && !strpbrk(url, " \r\n\t");
}

struct reader {
	const char *p;
	size_t left;
};

static size_t read_cb(char *out, size_t size, size_t n, void *arg)
{
	struct reader *r = arg;
	size_t k = size * n < r->left ? size * n : r->left;
	memcpy(out, r->p, k);
	r->p += k;
	r->left -= k;
	return k;
}

int smtp_host_is_loopback(const char *url)
{
	const char *h = strstr(url, "://");
	h = h ? h + 3 : url;
	const char *at = strchr(h, '@');
	if (at && at < h + strcspn(h, "/"))
		h = at + 1;
	if (!strncmp(h, "[::1]", 5))
		return 1;
	size_t n = strcspn(h, ":/");
	if (n == 9 && !strncasecmp(h, "localhost", 9))
		return 1;
	if (strncmp(h, "127.", 4))
		return 0;
	for (size_t i = 0; i < n; i++)	/* an address, not a name under "127." */
		if (!strchr("0123456789.", h[i]))
			return 0;
	return 1;
}

int smtp_send(const struct smtp_server *s, const char *from, const char *to, const char *message,
	      size_t len, char error[SMTP_ERROR_MAX], long *reply_out)
{
	pthread_once(&once, init);
	CURL *c = curl_easy_init();
	if (reply_out)
		*reply_out = 0;
	if (!c) {
		snprintf(error, SMTP_ERROR_MAX, "curl_easy_init failed");
		return -1;
	}
	char curl_error[CURL_ERROR_SIZE] = "", mail_from[400];
	struct reader r = { message, len };
	struct curl_slist *rcpt = curl_slist_append(NULL, to);
	snprintf(mail_from, sizeof(mail_from), "<%s>", from);
	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	/* A login goes only over TLS (STARTTLS required: a server without it, or
	 * one whose offer is stripped on the way, gets no password), except to a
	 * relay on this machine; without a login, TLS when offered. */
	int login = s->user && *s->user;
	curl_easy_setopt(c, CURLOPT_USE_SSL, (long)(login && !smtp_host_is_loopback(s->url) ? CURLUSESSL_ALL
										   : CURLUSESSL_TRY));
	if (login) {
		curl_easy_setopt(c, CURLOPT_USERNAME, s->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, s->password ? s->password : "");
	}
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &r);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_error);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, s->timeout_seconds > 0 ? s->timeout_seconds : 60L);
	CURLcode rc = curl_easy_perform(c);
	long reply = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
	if (rc != CURLE_OK)
		snprintf(error, SMTP_ERROR_MAX, "%.80s (reply %ld)%s%.150s", curl_easy_strerror(rc),
			 reply, curl_error[0] ? ": " : "", curl_error);
	if (reply_out)
		*reply_out = rc == CURLE_OK ? 0 : reply;
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? 0 : -1;
}
