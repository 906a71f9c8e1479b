/*
 * clock.h: the one clock of retain, in unix milliseconds. In production it is
 * the system clock. With the test clock enabled (`retain serve --test-clock`)
 * tests can freeze it at a chosen instant and move it forward, so expiry,
 * pending periods and SLA deadlines are testable. Thread-safe.
 */
#ifndef RETAIN_CLOCK_H
#define RETAIN_CLOCK_H

#include <stdint.h>

int64_t clock_now_ms(void);
/* Monotonic milliseconds with sub-ms precision, for latency measurement. */
double clock_monotonic_ms(void);

void clock_enable_test(void);
int clock_test_enabled(void);
/* Freeze the test clock at ms. Only effective when the test clock is enabled. */
void clock_set_ms(int64_t ms);
/* Move the (frozen) test clock forward by delta ms. */
void clock_advance_ms(int64_t delta);

#endif
