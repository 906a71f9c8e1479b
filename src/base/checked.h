/*
 * checked.h: integer arithmetic that reports overflow instead of wrapping.
 *
 * Points and money are int64_t. Every product or sum of them that is not
 * bounded by construction goes through these helpers (GCC/Clang builtins):
 * each returns 1 and leaves *out unchanged when the exact result does not fit,
 * 0 with the exact result otherwise. Callers turn a 1 into an error naming
 * the field (never a wrapped value, never undefined behaviour).
 *
 * checked_narrow() brings a 128-bit intermediate (a product of bounded
 * factors, see docs/loyalty.md "Limits") back to int64_t the same way.
 * checked_sat_add() is for lifetime totals that are shown, never stored: it
 * saturates at INT64_MAX / INT64_MIN.
 */
#ifndef RETAIN_CHECKED_H
#define RETAIN_CHECKED_H

#include <stdint.h>

static inline int checked_add(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;
	if (__builtin_add_overflow(a, b, &r))
		return 1;
	*out = r;
	return 0;
}

static inline int checked_sub(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;
	if (__builtin_sub_overflow(a, b, &r))
		return 1;
	*out = r;
	return 0;
}

static inline int checked_mul(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;
	if (__builtin_mul_overflow(a, b, &r))
		return 1;
	*out = r;
	return 0;
}

/* *acc += x; 1 (acc unchanged) on overflow. */
static inline int checked_accumulate(int64_t *acc, int64_t x)
{
	return checked_add(*acc, x, acc);
}

static inline int checked_narrow(__int128 v, int64_t *out)
{
	if (v > INT64_MAX || v < INT64_MIN)
		return 1;
	*out = (int64_t)v;
	return 0;
}

static inline int64_t checked_sat_add(int64_t a, int64_t b)
{
	int64_t r;
	if (!__builtin_add_overflow(a, b, &r))
		return r;
	return b > 0 ? INT64_MAX : INT64_MIN;
}

#endif
