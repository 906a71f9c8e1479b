/*
 * utf8_repair.h: text that must be valid UTF-8 (error messages, JSON strings)
 * made so from bytes that may not be: a path with "%ff", a value cut inside a
 * multibyte character by a printf precision or a full buffer.
 */
#ifndef RETAIN_UTF8_REPAIR_H
#define RETAIN_UTF8_REPAIR_H

#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when the bytes at s
 * (at most n) do not start one: a stray continuation byte, an overlong form,
 * a surrogate, a code point above U+10FFFF or a sequence cut short. */
size_t utf8_repair_sequence(const unsigned char *s, size_t n);
/* 1 when the n bytes at s are valid UTF-8. */
int utf8_repair_is_valid(const char *s, size_t n);
/*
 * Copies n bytes of src into dst (size bytes, size >= 1) as valid UTF-8:
 * every byte that does not start a valid sequence becomes U+FFFD. When dst is
 * too small the copy ends at a character boundary. dst is NUL-terminated;
 * returns its length.
 */
size_t utf8_repair(char *dst, size_t size, const char *src, size_t n);

#endif
