/*
 * mime.h: an e-mail message as SMTP carries it (RFC 5322, MIME): headers
 * with RFC 2047 encoded words for text that is not plain ASCII, and a
 * multipart/alternative body of a text and an HTML part (UTF-8, base64).
 * Header values never carry a CR or LF of their input (each becomes a
 * space), so no value can add a header.
 */
#ifndef RETAIN_MIME_H
#define RETAIN_MIME_H

#include <stdint.h>

#include "buf.h"

struct mime_message {
	const char *from_name, *from_email;	/* from_name may be NULL */
	const char *to_email;
	const char *reply_to;			/* NULL: none */
	const char *subject;
	const char *message_id;			/* without the angle brackets */
	int64_t date_ms;
	const char *list_unsubscribe;		/* the header's value, or NULL */
	const char *text, *html;
};

/* Appends value as a header's text: as is when it is printable ASCII,
 * otherwise as =?UTF-8?B?...?= words of at most 75 characters, split on
 * character boundaries, folded onto lines of their own. -1 past out's max. */
int mime_header_text(struct buf *out, const char *value);
/* The whole message, lines ended by CRLF, into out; -1 past out's max. The
 * boundary comes from the message id, so the same message is the same bytes. */
int mime_build(struct buf *out, const struct mime_message *m);
/* "Tue, 01 Dec 2026 14:35:11 +0000" of ms, for the Date header (32 bytes). */
void mime_date(int64_t ms, char out[40]);

#endif
