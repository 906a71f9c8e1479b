/* utf8.c: see utf8.h. */
#include "utf8.h"

size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char lo = 0x80, hi = 0xBF;	/* allowed range of the second byte */
	size_t len;
	uint32_t v;

	if (n == 0)
		return 0;
	unsigned char c = s[0];
	if (c < 0x80)
		len = 1, v = c;
	else if (c >= 0xC2 && c <= 0xDF)
		len = 2, v = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)	/* E0: no overlong; ED: no surrogate */
		len = 3, v = c & 0x0F, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
	else if (c >= 0xF0 && c <= 0xF4)	/* F0: no overlong; F4: nothing above U+10FFFF */
		len = 4, v = c & 0x07, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
	else
		return 0;	/* a continuation byte, C0, C1 or F5..FF */
	if (len > 1 && (n < len || s[1] < lo || s[1] > hi))
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (cp)
		*cp = v;
	return len;
}
