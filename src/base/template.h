/*
 * template.h: the small mustache subset of the e-mail templates (issue 13,
 * docs/email.md). Tags:
 *	{{name}}	the value; HTML-escaped when rendering HTML, plain in text
 *	{{{name}}}	the value, never escaped (also {{& name}})
 *	{{#name}}..{{/name}}	the inside once for a true value (a map is pushed
 *			as the context, a list renders once per element)
 *	{{^name}}..{{/name}}	the inside once when name is false, empty or missing
 *	{{! comment }}	nothing
 * Names are letters, digits and '_' in dotted parts ("customer.name"), or "."
 * for the current element of a list. The first part is looked up from the
 * innermost section's context outwards, the rest inside it. Partials ({{>x}})
 * and delimiter changes ({{=x y=}}) are refused. False: missing, null, false,
 * an empty text or an empty list ("0" is true).
 *
 * Everything is bounded: the source (the caller's limit), the nesting of
 * sections (TEMPLATE_DEPTH_MAX) and the output (render's max): untrusted
 * templates cannot grow memory or recurse deeply.
 */
#ifndef RETAIN_TEMPLATE_H
#define RETAIN_TEMPLATE_H

#include <stddef.h>

#include "arena.h"
#include "buf.h"
#include "err.h"

#define TEMPLATE_DEPTH_MAX 8
#define TEMPLATE_NAME_MAX 64

enum template_kind { TEMPLATE_NULL, TEMPLATE_TEXT, TEMPLATE_BOOL, TEMPLATE_MAP, TEMPLATE_LIST };

/* A value a template reads: a tree whose nodes live in an arena. A map's or
 * a list's children are first..next (a list's have no names). */
struct template_value {
	const char *name;
	enum template_kind kind;
	const char *text;	/* TEMPLATE_TEXT; TEMPLATE_BOOL: "true" or "false" */
	struct template_value *first, *last, *next;
};

/* A new empty map (the root of the data, or a list's element). */
struct template_value *template_map(struct arena *a);
/* Adds name to map with a copy of text (NULL: null); returns the node. */
struct template_value *template_set_text(struct arena *a, struct template_value *map,
					 const char *name, const char *text);
struct template_value *template_set_int(struct arena *a, struct template_value *map,
					const char *name, long long v);
struct template_value *template_set_bool(struct arena *a, struct template_value *map,
					 const char *name, int v);
/* Adds an empty map or list named name to map; returns it. */
struct template_value *template_set_map(struct arena *a, struct template_value *map,
					const char *name);
struct template_value *template_set_list(struct arena *a, struct template_value *map,
					 const char *name);
/* Appends a new empty map to list; returns it. */
struct template_value *template_list_add(struct arena *a, struct template_value *list);

/*
 * Checks src (len bytes, at most max_len) for a valid template: tags closed,
 * sections closed in order, names well formed, nesting at most
 * TEMPLATE_DEPTH_MAX. With known not NULL, every name (outside a list's
 * section, where "." and the element's fields are free) must be one it
 * accepts (returns 1). On error ERR_INVALID with param and a message that
 * says where: "line 2, column 7: ...".
 */
int template_check(const char *src, size_t len, size_t max_len, const char *param,
		   int (*known)(const char *name, void *ctx), void *ctx, struct err *e);

enum template_mode { TEMPLATE_AS_TEXT, TEMPLATE_AS_HTML };

/* Renders src (checked as template_check() without known) against root into
 * out, whose max bounds the output: ERR_INVALID for a bad template,
 * ERR_TOO_LARGE (code "template_output_too_large") past out's max. out is
 * appended to; on error its contents are unspecified. */
int template_render(const char *src, size_t len, enum template_mode mode,
		    const struct template_value *root, struct buf *out, struct err *e);

/* Appends s HTML-escaped (& < > " ') to out; -1 past out's max. */
int template_html_escape(struct buf *out, const char *s, size_t n);

#endif
