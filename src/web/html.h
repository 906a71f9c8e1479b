/*
 * html.h: the dashboard's HTML output. Every string that did not come from
 * this source tree (a customer's name, a review, a shop's name, a query
 * argument) reaches a page through html_text(), the ONE escaping function:
 * & < > " ' become character references, so the text is inert in element
 * content and in a quoted attribute alike. Markup written by web/ itself goes
 * through html_raw() / html_printf(), whose formats are literals and whose
 * arguments are numbers (or strings html_text() already escaped).
 */
#ifndef RETAIN_HTML_H
#define RETAIN_HTML_H

#include "../base/buf.h"

/* Appends s escaped (NULL appends nothing). */
void html_text(struct buf *b, const char *s);
void html_raw(struct buf *b, const char *s);
void html_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s percent-encoded for a URL's query or path segment (unreserved
 * characters stay): safe in an attribute as well. */
void html_url(struct buf *b, const char *s);

#endif
