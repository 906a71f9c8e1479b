/* utf8_repair.c: see utf8_repair.h. The rules are base/utf8.h's (RFC 3629,
 * the ones jansson enforces): a string it would refuse never reaches it. */
#include "utf8_repair.h"

#include <string.h>

#include "utf8.h"

static const char replacement[] = "\xEF\xBF\xBD";	/* U+FFFD */

size_t utf8_repair_sequence(const unsigned char *s, size_t n)
{
	return utf8_decode(s, n, NULL);
}

int utf8_repair_is_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		size_t len = utf8_repair_sequence(p + i, n - i);
		if (!len)
			return 0;
		i += len;
	}
	return 1;
}

size_t utf8_repair(char *dst, size_t size, const char *src, size_t n)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t out = 0;
	for (size_t i = 0; i < n;) {
		size_t len = utf8_repair_sequence(p + i, n - i);
		const char *piece = len ? src + i : replacement;
		size_t piece_len = len ? len : sizeof(replacement) - 1;
		if (out + piece_len >= size)
			break;
		memcpy(dst + out, piece, piece_len);
		out += piece_len;
		i += len ? len : 1;
	}
	dst[out] = '\0';
	return out;
}
