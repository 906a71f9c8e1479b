/* utf8_repair.c: see utf8_repair.h. The rules are RFC 3629's, the ones
 * jansson enforces: a string it would refuse never reaches it. */
#include "utf8_repair.h"

#include <string.h>

static const char replacement[] = "\xEF\xBF\xBD";	/* U+FFFD */

static int continuation(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

size_t utf8_repair_sequence(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xBF;	/* allowed range of the second byte */

	if (n == 0)
		return 0;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
	else
		return 0;	/* a continuation byte, C0, C1 or F5..FF */
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (!continuation(s[i]))
			return 0;
	return len;
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
