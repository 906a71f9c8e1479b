/*
 * buf.h: a growable byte buffer with a hard maximum, like curl's dynbuf.
 * Untrusted input (request bodies, CSV lines) goes through a buf so that it can
 * never grow memory past the limit the caller chose. data is always
 * NUL-terminated. The buffer owns data; buf_free() releases it.
 */
#ifndef RETAIN_BUF_H
#define RETAIN_BUF_H

#include <stddef.h>

struct buf {
	char *data;
	size_t len, cap, max;
};

/* max is the largest len the buffer will ever hold (0 = no limit). */
void buf_init(struct buf *b, size_t max);
/* Returns 0, or -1 when the result would exceed max (buffer left unchanged). */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends s as the inside of a JSON string (quotes not included). */
int buf_json_escape(struct buf *b, const char *s);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

#endif
