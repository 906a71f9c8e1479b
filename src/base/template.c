/* template.c: see template.h. A template is parsed into tokens (text, tags),
 * the sections matched to their closing tags, then walked. Sections recurse
 * at most TEMPLATE_DEPTH_MAX deep, since the check refuses deeper ones. */
#include "template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- values ---- */

struct template_value *template_map(struct arena *a)
{
	struct template_value *v = arena_alloc(a, sizeof(*v));
	v->kind = TEMPLATE_MAP;
	return v;
}

static struct template_value *add(struct arena *a, struct template_value *parent, const char *name,
				  enum template_kind kind)
{
	struct template_value *v = arena_alloc(a, sizeof(*v));
	v->name = name ? arena_strdup(a, name) : NULL;
	v->kind = kind;
	if (parent->last)
		parent->last->next = v;
	else
		parent->first = v;
	parent->last = v;
	return v;
}

struct template_value *template_set_text(struct arena *a, struct template_value *map,
					 const char *name, const char *text)
{
	struct template_value *v = add(a, map, name, text ? TEMPLATE_TEXT : TEMPLATE_NULL);
	v->text = text ? arena_strdup(a, text) : NULL;
	return v;
}

struct template_value *template_set_int(struct arena *a, struct template_value *map,
					const char *name, long long n)
{
	char s[24];
	snprintf(s, sizeof(s), "%lld", n);
	return template_set_text(a, map, name, s);
}

struct template_value *template_set_bool(struct arena *a, struct template_value *map,
					 const char *name, int b)
{
	struct template_value *v = add(a, map, name, TEMPLATE_BOOL);
	v->text = b ? "true" : "false";
	return v;
}

struct template_value *template_set_map(struct arena *a, struct template_value *map,
					const char *name)
{
	return add(a, map, name, TEMPLATE_MAP);
}

struct template_value *template_set_list(struct arena *a, struct template_value *map,
					 const char *name)
{
	return add(a, map, name, TEMPLATE_LIST);
}

struct template_value *template_list_add(struct arena *a, struct template_value *list)
{
	return add(a, list, NULL, TEMPLATE_MAP);
}

/* ---- parsing ---- */

enum token_type { T_TEXT, T_VAR, T_RAW, T_SECTION, T_INVERTED, T_CLOSE };

struct token {
	enum token_type type;
	size_t start, len;	/* the text, or the tag's name */
	size_t pos;		/* where the tag starts, for messages */
	size_t match;		/* T_SECTION, T_INVERTED: the index of the closing tag */
};

struct parse {
	const char *src;
	size_t len;
	struct token *t;
	size_t n, cap;
	const char *param;
	struct err *e;
};

static int fail_at(struct parse *p, size_t pos, const char *what)
{
	size_t line = 1, col = 1;
	for (size_t i = 0; i < pos && i < p->len; i++) {
		if (p->src[i] == '\n')
			line++, col = 1;
		else if (((unsigned char)p->src[i] & 0xC0) != 0x80)
			col++;
	}
	return err_setc(p->e, ERR_INVALID, "template_invalid", p->param, "\"%s\": line %zu, column %zu: %s",
			p->param, line, col, what);
}

static void push(struct parse *p, enum token_type type, size_t start, size_t len, size_t pos)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 32;
		struct token *t = realloc(p->t, p->cap * sizeof(*t));
		if (!t) {
			fputs("retain: out of memory\n", stderr);
			abort();
		}
		p->t = t;
	}
	p->t[p->n++] = (struct token){ type, start, len, pos, 0 };
}

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* "." or parts of name characters joined by single dots. */
static int valid_name(const char *s, size_t n)
{
	if (n == 1 && s[0] == '.')
		return 1;
	if (!n || n > TEMPLATE_NAME_MAX || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!name_char(s[i]) && !(s[i] == '.' && s[i + 1] != '.'))
			return 0;
	return 1;
}

static size_t find(const char *src, size_t from, size_t len, const char *what)
{
	size_t w = strlen(what);
	for (size_t i = from; i + w <= len; i++)
		if (!memcmp(src + i, what, w))
			return i;
	return (size_t)-1;
}

/* One tag at pos ("{{" seen): its token, and *next after it. */
static int parse_tag(struct parse *p, size_t pos, size_t *next)
{
	int triple = pos + 2 < p->len && p->src[pos + 2] == '{';
	size_t open = pos + (triple ? 3 : 2);
	size_t close = find(p->src, open, p->len, triple ? "}}}" : "}}");
	if (close == (size_t)-1)
		return fail_at(p, pos, triple ? "\"{{{\" without its \"}}}\"" : "\"{{\" without its \"}}\"");
	*next = close + (triple ? 3 : 2);
	size_t a = open, b = close;
	char sigil = triple ? '{' : (a < b ? p->src[a] : 0);
	if (sigil == '!')
		return 0;
	if (sigil == '>' || sigil == '=')
		return fail_at(p, pos, sigil == '>' ? "partials (\"{{>\") are not supported"
						     : "delimiter changes (\"{{=\") are not supported");
	enum token_type type = triple ? T_RAW : T_VAR;
	if (!triple && (sigil == '#' || sigil == '^' || sigil == '/' || sigil == '&')) {
		type = sigil == '#' ? T_SECTION : sigil == '^' ? T_INVERTED : sigil == '/' ? T_CLOSE : T_RAW;
		a++;
	}
	while (a < b && (p->src[a] == ' ' || p->src[a] == '\t'))
		a++;
	while (b > a && (p->src[b - 1] == ' ' || p->src[b - 1] == '\t'))
		b--;
	if (!valid_name(p->src + a, b - a))
		return fail_at(p, pos, b == a ? "a tag without a name"
				  : "a name is letters, digits and '_' in dotted parts (as"
				    " \"customer.name\"), at most 64 characters");
	push(p, type, a, b - a, pos);
	return 0;
}

static int same_name(const struct parse *p, const struct token *x, const struct token *y)
{
	return x->len == y->len && !memcmp(p->src + x->start, p->src + y->start, x->len);
}

/* Matches every section to its closing tag, in order, at most DEPTH_MAX deep. */
static int match_sections(struct parse *p)
{
	size_t open[TEMPLATE_DEPTH_MAX];
	int depth = 0;
	for (size_t i = 0; i < p->n; i++) {
		struct token *t = &p->t[i];
		if (t->type == T_SECTION || t->type == T_INVERTED) {
			if (depth == TEMPLATE_DEPTH_MAX)
				return fail_at(p, t->pos, "sections nest at most 8 deep");
			open[depth++] = i;
		} else if (t->type == T_CLOSE) {
			if (!depth) {
				char m[120];
				snprintf(m, sizeof(m), "\"{{/%.*s}}\" closes no section", (int)t->len,
					 p->src + t->start);
				return fail_at(p, t->pos, m);
			}
			struct token *o = &p->t[open[--depth]];
			if (!same_name(p, o, t)) {
				char m[200];
				snprintf(m, sizeof(m), "\"{{/%.*s}}\" closes the open section \"%.*s\"",
					 (int)t->len, p->src + t->start, (int)o->len, p->src + o->start);
				return fail_at(p, t->pos, m);
			}
			o->match = i;
		}
	}
	if (depth) {
		struct token *o = &p->t[open[depth - 1]];
		char m[120];
		snprintf(m, sizeof(m), "section \"%.*s\" is not closed", (int)o->len, p->src + o->start);
		return fail_at(p, o->pos, m);
	}
	return 0;
}

static int parse(struct parse *p)
{
	size_t i = 0, text = 0;
	while (i < p->len) {
		size_t tag = find(p->src, i, p->len, "{{");
		if (tag == (size_t)-1)
			break;
		if (tag > text)
			push(p, T_TEXT, text, tag - text, text);
		int rc = parse_tag(p, tag, &i);
		if (rc)
			return rc;
		text = i;
	}
	if (p->len > text)
		push(p, T_TEXT, text, p->len - text, text);
	return match_sections(p);
}

/* ---- checking names ---- */

struct names {
	struct parse *p;
	int (*known)(const char *name, void *ctx);
	void *ctx;
	size_t scope[TEMPLATE_DEPTH_MAX];	/* the open sections' tokens */
	int depth;
};

/* name as it reads at the top level when it lies in the sections
 * scope[0..k): each of their full names is a prefix it may have. */
static int known_in(struct names *c, const struct token *t)
{
	const char *src = c->p->src;
	char full[TEMPLATE_NAME_MAX * (TEMPLATE_DEPTH_MAX + 1) + TEMPLATE_DEPTH_MAX + 1];
	if (t->len == 1 && src[t->start] == '.')
		return c->depth > 0;
	for (int k = c->depth; k >= 0; k--) {
		size_t n = 0;
		for (int j = 0; j < k; j++) {
			const struct token *s = &c->p->t[c->scope[j]];
			memcpy(full + n, src + s->start, s->len);
			n += s->len;
			full[n++] = '.';
		}
		memcpy(full + n, src + t->start, t->len);
		full[n + t->len] = '\0';
		if (c->known(full, c->ctx))
			return 1;
	}
	return 0;
}

static int check_names(struct names *c)
{
	for (size_t i = 0; i < c->p->n; i++) {
		const struct token *t = &c->p->t[i];
		if (t->type == T_TEXT)
			continue;
		if (t->type == T_CLOSE) {
			c->depth--;
			continue;
		}
		if (!known_in(c, t)) {
			char m[160];
			snprintf(m, sizeof(m), "unknown variable \"%.*s\" (docs/email.md lists each"
				 " event's)", (int)t->len, c->p->src + t->start);
			return fail_at(c->p, t->pos, m);
		}
		if (t->type == T_SECTION || t->type == T_INVERTED)
			c->scope[c->depth++] = i;
	}
	return 0;
}

int template_check(const char *src, size_t len, size_t max_len, const char *param,
		   int (*known)(const char *name, void *ctx), void *ctx, struct err *e)
{
	struct parse p = { src, len, NULL, 0, 0, param, e };
	if (len > max_len)
		return err_setc(e, ERR_INVALID, "template_invalid", param,
				"\"%s\" must be at most %zu bytes, not %zu", param, max_len, len);
	int rc = parse(&p);
	if (!rc && known) {
		struct names c = { .p = &p, .known = known, .ctx = ctx };
		rc = check_names(&c);
	}
	free(p.t);
	return rc;
}

/* ---- rendering ---- */

struct render {
	struct parse *p;
	enum template_mode mode;
	const struct template_value *stack[TEMPLATE_DEPTH_MAX + 1];
	int depth;
	struct buf *out;
	struct err *e;
};

static const struct template_value *child(const struct template_value *v, const char *name,
					  size_t n)
{
	if (!v || v->kind != TEMPLATE_MAP)
		return NULL;
	for (const struct template_value *c = v->first; c; c = c->next)
		if (c->name && strlen(c->name) == n && !memcmp(c->name, name, n))
			return c;
	return NULL;
}

static const struct template_value *lookup(const struct render *r, const struct token *t)
{
	const char *name = r->p->src + t->start;
	if (t->len == 1 && name[0] == '.')
		return r->stack[r->depth];
	const char *dot = memchr(name, '.', t->len);
	size_t first = dot ? (size_t)(dot - name) : t->len;
	const struct template_value *v = NULL;
	for (int i = r->depth; i >= 0 && !v; i--)
		v = child(r->stack[i], name, first);
	while (v && dot) {
		const char *part = dot + 1;
		size_t left = t->len - (size_t)(part - name);
		dot = memchr(part, '.', left);
		v = child(v, part, dot ? (size_t)(dot - part) : left);
	}
	return v;
}

static int truthy(const struct template_value *v)
{
	if (!v)
		return 0;
	switch (v->kind) {
	case TEMPLATE_TEXT:
		return v->text[0] != '\0';
	case TEMPLATE_BOOL:
		return v->text[0] == 't';
	case TEMPLATE_MAP:
		return 1;
	case TEMPLATE_LIST:
		return v->first != NULL;
	default:
		return 0;
	}
}

int template_html_escape(struct buf *out, const char *s, size_t n)
{
	size_t from = 0;
	for (size_t i = 0; i < n; i++) {
		const char *rep = s[i] == '&' ? "&amp;" : s[i] == '<' ? "&lt;" : s[i] == '>' ? "&gt;"
			: s[i] == '"' ? "&quot;" : s[i] == '\'' ? "&#39;" : NULL;
		if (!rep)
			continue;
		if (buf_append(out, s + from, i - from) || buf_puts(out, rep))
			return -1;
		from = i + 1;
	}
	return buf_append(out, s + from, n - from);
}

static int too_large(struct render *r)
{
	return err_setc(r->e, ERR_TOO_LARGE, "template_output_too_large", NULL,
			"the rendered template is longer than %zu bytes", r->out->max);
}

static int walk(struct render *r, size_t from, size_t to);

static int section(struct render *r, const struct token *t, size_t i)
{
	const struct template_value *v = lookup(r, t);
	int yes = truthy(v);
	if (t->type == T_INVERTED)
		return yes ? 0 : walk(r, i + 1, t->match);
	if (!yes)
		return 0;
	/* A list renders once per element; anything else once, as the context. */
	const struct template_value *one = v->kind == TEMPLATE_LIST ? v->first : v;
	for (; one; one = v->kind == TEMPLATE_LIST ? one->next : NULL) {
		r->stack[++r->depth] = one;
		int rc = walk(r, i + 1, t->match);
		r->depth--;
		if (rc)
			return rc;
	}
	return 0;
}

static int walk(struct render *r, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		const struct token *t = &r->p->t[i];
		const char *s = r->p->src + t->start;
		const struct template_value *v;
		int rc = 0;
		switch (t->type) {
		case T_TEXT:
			rc = buf_append(r->out, s, t->len) ? too_large(r) : 0;
			break;
		case T_VAR:
		case T_RAW:
			v = lookup(r, t);
			if (v && (v->kind == TEMPLATE_TEXT || v->kind == TEMPLATE_BOOL)) {
				size_t n = strlen(v->text);
				int bad = t->type == T_VAR && r->mode == TEMPLATE_AS_HTML
					? template_html_escape(r->out, v->text, n)
					: buf_append(r->out, v->text, n);
				rc = bad ? too_large(r) : 0;
			}
			break;
		case T_SECTION:
		case T_INVERTED:
			rc = section(r, t, i);
			i = t->match;
			break;
		case T_CLOSE:
			break;
		}
		if (rc)
			return rc;
	}
	return 0;
}

int template_render(const char *src, size_t len, enum template_mode mode,
		    const struct template_value *root, struct buf *out, struct err *e)
{
	struct parse p = { src, len, NULL, 0, 0, "template", e };
	int rc = parse(&p);
	if (!rc) {
		struct render r = { .p = &p, .mode = mode, .out = out, .e = e };
		r.stack[0] = root;
		rc = walk(&r, 0, p.n);
	}
	free(p.t);
	return rc;
}
