/*
 * smtp.h: sending one message over SMTP with libcurl (issue 13). The server
 * is an smtp:// or smtps:// URL (smtp://host:port; smtps:// is TLS from the
 * first byte; smtp:// upgrades with STARTTLS when the server offers it);
 * user and password are optional and never logged or returned in an error.
 * Thread-safe: curl_global_init runs once (pthread_once).
 */
#ifndef RETAIN_SMTP_H
#define RETAIN_SMTP_H

#include <stddef.h>

#define SMTP_ERROR_MAX 256

struct smtp_server {
	const char *url, *user, *password;	/* user, password: NULL or "" for none */
	long timeout_seconds;
};

/* 1 when url is an smtp:// or smtps:// URL with a host. */
int smtp_url_valid(const char *url);
/* Sends message (len bytes, CRLF lines) from from to to: 0, or -1 with why
 * (curl's words and the server's last reply, no secret) in error and the
 * server's last reply code in *reply (0: none, as when it could not connect;
 * 5xx: the server refused for good). reply may be NULL. */
int smtp_send(const struct smtp_server *s, const char *from, const char *to, const char *message,
	      size_t len, char error[SMTP_ERROR_MAX], long *reply);

/* 1 when url's host is this machine (127.0.0.0/8, [::1], localhost): a relay
 * a login cannot be overheard on the way to, so it may go without TLS. */
int smtp_host_is_loopback(const char *url);

#endif
