/*
 * group.c: group commit through the store API alone (no HTTP, no domain).
 *
 *   group DB THREADS SECONDS [FAIL_EVERY]
 *
 * THREADS threads call store_write() in a loop for SECONDS, each callback
 * writing an order-sized transaction (a shop row and 8 event rows, ~the ten
 * rows of an order); with FAIL_EVERY = k, every k-th callback refuses after
 * its writes. Prints the successful writes per second. The batch size
 * comes from RETAIN_GROUP_COMMIT_MAX as in retain serve (1: no group commit).
 * The replay variant measured against savepoints (bench/README.md) was
 * selected with RETAIN_GROUP_COMMIT=replay at commit 76aafec.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/clock.h"
#include "store/store.h"

static struct store *st;
static atomic_long writes, seq;
static atomic_int stop;
static long fail_every;

static int write_order(struct store_tx *tx, void *ctx, struct err *e)
{
	long n = *(long *)ctx;
	char id[32], ev[40];
	snprintf(id, sizeof(id), "bench_%ld", n);
	int rc = store_exec(tx, e, "INSERT INTO shops (id, name, created_at) VALUES ($1, $1, $2)",
			    "si", id, (int64_t)n);
	for (int i = 0; rc >= 0 && i < 8; i++) {
		snprintf(ev, sizeof(ev), "evt_%ld_%d", n, i);
		rc = store_exec(tx, e, "INSERT INTO events (shop_id, id, type, object_id, created_at)"
				" VALUES ($1, $2, 'bench', $1, $3)", "ssi", id, ev, (int64_t)n);
	}
	if (rc < 0)
		return rc;
	if (fail_every && n % fail_every == 0)
		return err_set(e, ERR_REFUSED, NULL, "refused after writing");
	return 0;
}

static void *loop(void *p)
{
	(void)p;
	while (!atomic_load(&stop)) {
		long n = atomic_fetch_add(&seq, 1);
		struct err e;
		if (store_write(st, write_order, &n, &e) == 0)
			atomic_fetch_add(&writes, 1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct err e;
	if (argc < 4) {
		fprintf(stderr, "usage: group DB THREADS SECONDS [FAIL_EVERY]\n");
		return 2;
	}
	int threads = atoi(argv[2]);
	double secs = atof(argv[3]);
	fail_every = argc > 4 ? atol(argv[4]) : 0;
	if (store_open(argv[1], &st, &e)) {
		fprintf(stderr, "group: %s\n", e.message);
		return 1;
	}
	pthread_t *t = calloc((size_t)threads, sizeof(*t));
	double t0 = clock_monotonic_ms();
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, loop, NULL);
	nanosleep(&(struct timespec){ (time_t)secs, (long)((secs - (long)secs) * 1e9) }, NULL);
	atomic_store(&stop, 1);
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	double elapsed = (clock_monotonic_ms() - t0) / 1000;
	printf("%.0f\n", (double)atomic_load(&writes) / elapsed);
	store_close(st);
	free(t);
	return 0;
}
