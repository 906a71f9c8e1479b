/* idempotency.c: see idempotency.h. A small chained hash set under one mutex:
 * held for a few instructions per write, never across I/O. */
#include "idempotency.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 1024

struct inflight {
	struct inflight *next;
	char key[];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct inflight *buckets[BUCKETS];

static unsigned hash(const char *s)
{
	unsigned h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % BUCKETS;
}

int idempotency_key_valid(const char *key, struct err *e)
{
	size_t n = strlen(key);
	if (n == 0 || n > IDEMPOTENCY_KEY_MAX)
		return err_set(e, ERR_INVALID, "Idempotency-Key",
			       "Idempotency-Key must be 1 to %d characters", IDEMPOTENCY_KEY_MAX);
	for (const char *p = key; *p; p++)
		if (*p < 0x21 || *p > 0x7e)
			return err_set(e, ERR_INVALID, "Idempotency-Key",
				       "Idempotency-Key must be printable ASCII without spaces");
	return 0;
}

static char *compose(const char *scope, const char *key)
{
	size_t n = strlen(scope) + strlen(key) + 2;
	char *s = malloc(n);
	if (!s)
		abort();
	snprintf(s, n, "%s\n%s", scope, key);
	return s;
}

int idempotency_begin(const char *scope, const char *key, struct err *e)
{
	char *k = compose(scope, key);
	unsigned h = hash(k);
	int rc = 0;
	pthread_mutex_lock(&lock);
	for (struct inflight *i = buckets[h]; i; i = i->next)
		if (!strcmp(i->key, k)) {
			rc = err_setc(e, ERR_CONFLICT, "idempotency_request_in_progress",
				      "Idempotency-Key",
				      "a request with Idempotency-Key \"%s\" is still in progress; retry later",
				      key);
			break;
		}
	if (!rc) {
		struct inflight *i = malloc(sizeof(*i) + strlen(k) + 1);
		if (!i)
			abort();
		strcpy(i->key, k);
		i->next = buckets[h];
		buckets[h] = i;
	}
	pthread_mutex_unlock(&lock);
	free(k);
	return rc;
}

void idempotency_end(const char *scope, const char *key)
{
	char *k = compose(scope, key);
	unsigned h = hash(k);
	pthread_mutex_lock(&lock);
	for (struct inflight **p = &buckets[h]; *p; p = &(*p)->next)
		if (!strcmp((*p)->key, k)) {
			struct inflight *dead = *p;
			*p = dead->next;
			free(dead);
			break;
		}
	pthread_mutex_unlock(&lock);
	free(k);
}
