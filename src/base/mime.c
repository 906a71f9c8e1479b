/* mime.c: see mime.h. */
#include "mime.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void mime_date(int64_t ms, char out[40])
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
					      "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
		 months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int plain_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* A UTF-8 sequence's length from its first byte (1 for anything else). */
static size_t seq_len(unsigned char c)
{
	return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

static int encoded_word(struct buf *out, const char *s, size_t n, int first)
{
	char b64[80];
	sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)s, n,
			  sodium_base64_VARIANT_ORIGINAL);
	return buf_printf(out, "%s=?UTF-8?B?%s?=", first ? "" : "\r\n ", b64);
}

int mime_header_text(struct buf *out, const char *value)
{
	char clean[1024];
	size_t n = 0;
	/* CR, LF and tabs become spaces; the value is cut at 1000 bytes. */
	for (const char *p = value; *p && n < 1000; p++)
		clean[n++] = *p == '\r' || *p == '\n' || *p == '\t' ? ' ' : *p;
	clean[n] = '\0';
	if (plain_ascii(clean))
		return buf_puts(out, clean);
	/* 45 bytes of text make 60 of base64: a word of 72 characters. */
	size_t from = 0;
	int first = 1;
	while (from < n) {
		size_t to = from;
		while (to < n && to + seq_len((unsigned char)clean[to]) - from <= 45)
			to += seq_len((unsigned char)clean[to]);
		if (to == from)
			to = from + 1;
		if (to > n)
			to = n;
		if (encoded_word(out, clean + from, to - from, first))
			return -1;
		first = 0;
		from = to;
	}
	return 0;
}

static int base64_lines(struct buf *out, const char *s)
{
	size_t n = strlen(s);
	char line[80];
	/* 57 bytes a line: 76 characters of base64. */
	for (size_t i = 0; i < n; i += 57) {
		size_t k = n - i < 57 ? n - i : 57;
		sodium_bin2base64(line, sizeof(line), (const unsigned char *)s + i, k,
				  sodium_base64_VARIANT_ORIGINAL);
		if (buf_printf(out, "%s\r\n", line))
			return -1;
	}
	return 0;
}

static int address(struct buf *out, const char *header, const char *name, const char *email)
{
	if (buf_printf(out, "%s: ", header))
		return -1;
	if (name && *name) {
		/* A display name that is not plain letters goes as an encoded word. */
		int quoted = plain_ascii(name) && !strpbrk(name, "\"\\<>()[]:;@,.");
		if (quoted ? buf_printf(out, "\"%s\" ", name) : (mime_header_text(out, name) ||
		    buf_puts(out, " ")))
			return -1;
	}
	return buf_printf(out, "<%s>\r\n", email);
}

int mime_build(struct buf *out, const struct mime_message *m)
{
	char date[40], boundary[80];
	mime_date(m->date_ms, date);
	snprintf(boundary, sizeof(boundary), "=_retain_%.60s", m->message_id);
	for (char *p = boundary; *p; p++)
		if (*p == '@')
			*p = '.';
	if (address(out, "From", m->from_name, m->from_email) ||
	    address(out, "To", NULL, m->to_email) ||
	    (m->reply_to && address(out, "Reply-To", NULL, m->reply_to)) ||
	    buf_puts(out, "Subject: ") || mime_header_text(out, m->subject) ||
	    buf_printf(out, "\r\nDate: %s\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n", date,
		       m->message_id))
		return -1;
	if (m->list_unsubscribe && (buf_puts(out, "List-Unsubscribe: ") ||
				    mime_header_text(out, m->list_unsubscribe) || buf_puts(out, "\r\n")))
		return -1;
	if (buf_printf(out, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", boundary) ||
	    buf_printf(out, "--%s\r\nContent-Type: text/plain; charset=UTF-8\r\n"
		       "Content-Transfer-Encoding: base64\r\n\r\n", boundary) ||
	    base64_lines(out, m->text) ||
	    buf_printf(out, "--%s\r\nContent-Type: text/html; charset=UTF-8\r\n"
		       "Content-Transfer-Encoding: base64\r\n\r\n", boundary) ||
	    base64_lines(out, m->html) || buf_printf(out, "--%s--\r\n", boundary))
		return -1;
	return 0;
}
