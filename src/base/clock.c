/* clock.c: see clock.h. */
#include "clock.h"

#include <stdatomic.h>
#include <time.h>

static atomic_int test_enabled;
static atomic_int test_frozen;
static _Atomic int64_t test_now;

static int64_t system_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_now_ms(void)
{
	if (atomic_load(&test_frozen))
		return atomic_load(&test_now);
	return system_now_ms();
}

double clock_monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void clock_enable_test(void)
{
	atomic_store(&test_enabled, 1);
}

int clock_test_enabled(void)
{
	return atomic_load(&test_enabled);
}

void clock_set_ms(int64_t ms)
{
	if (!atomic_load(&test_enabled))
		return;
	atomic_store(&test_now, ms);
	atomic_store(&test_frozen, 1);
}

void clock_advance_ms(int64_t delta)
{
	if (!atomic_load(&test_enabled))
		return;
	if (!atomic_load(&test_frozen))
		clock_set_ms(system_now_ms());
	atomic_fetch_add(&test_now, delta);
}
