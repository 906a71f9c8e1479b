/* jscan.c: see jscan.h. */
#include "jscan.h"

#include <string.h>

void jscan_init(struct jscan *j, const char *body, size_t len)
{
	j->p = body;
	j->end = body + len;
	j->text = NULL;
	j->len = 0;
	j->value = 0;
	j->stuck = 0;
}

static enum jscan_tok other(struct jscan *j)
{
	j->stuck = 1;		/* every later call says JSCAN_OTHER */
	return JSCAN_OTHER;
}

static enum jscan_tok string(struct jscan *j)
{
	const char *s = ++j->p;
	while (j->p < j->end) {
		unsigned char c = (unsigned char)*j->p;
		if (c == '"') {
			j->text = s;
			j->len = (size_t)(j->p - s);
			j->p++;
			return JSCAN_STRING;
		}
		if (c < 0x20 || c > 0x7e || c == '\\')
			return other(j);
		j->p++;
	}
	return other(j);
}

static enum jscan_tok integer(struct jscan *j)
{
	const char *s = j->p;
	int64_t v = 0;
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
		if (j->p - s == 18)
			return other(j);
		v = v * 10 + (*j->p++ - '0');
	}
	if ((*s == '0' && j->p - s > 1) ||
	    (j->p < j->end && (*j->p == '.' || *j->p == 'e' || *j->p == 'E')))
		return other(j);
	j->value = v;
	return JSCAN_INT;
}

static enum jscan_tok word(struct jscan *j, const char *w, size_t n, enum jscan_tok t)
{
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return other(j);
	j->p += n;
	return t;
}

enum jscan_tok jscan_next(struct jscan *j)
{
	if (j->stuck)
		return JSCAN_OTHER;
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
	if (j->p == j->end)
		return JSCAN_END;
	switch (*j->p) {
	case '{': j->p++; return JSCAN_OBJECT;
	case '}': j->p++; return JSCAN_OBJECT_END;
	case '[': j->p++; return JSCAN_ARRAY;
	case ']': j->p++; return JSCAN_ARRAY_END;
	case ':': j->p++; return JSCAN_COLON;
	case ',': j->p++; return JSCAN_COMMA;
	case '"': return string(j);
	case 'n': return word(j, "null", 4, JSCAN_NULL);
	case 't': return word(j, "true", 4, JSCAN_TRUE);
	case 'f': return word(j, "false", 5, JSCAN_FALSE);
	default:
		if (*j->p >= '0' && *j->p <= '9')
			return integer(j);
		return other(j);
	}
}
