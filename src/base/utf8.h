/*
 * utf8.h: the one UTF-8 decoder (RFC 3629, the rules jansson enforces), used
 * by the case mapping, the identity checks and the repair of error messages,
 * so that they cannot disagree on what is valid.
 */
#ifndef RETAIN_UTF8_H
#define RETAIN_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes the sequence at s (at most n bytes; s is not read when n is 0):
 * returns its length (1..4) and stores the code point in *cp (cp may be
 * NULL), or returns 0 when the bytes do not start a valid sequence: n is 0, a
 * stray continuation byte, C0, C1, F5..FF, an overlong form, a surrogate, a
 * code point above U+10FFFF or a sequence cut short.
 */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

#endif
