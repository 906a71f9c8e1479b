/*
 * arena.h: a region allocator. Everything a request (or a CLI command) allocates
 * lives in one arena and is released at once by arena_free(). Allocations never
 * fail: on out-of-memory the process aborts, like git's xmalloc, because a
 * half-built response is worse than a restart.
 */
#ifndef RETAIN_ARENA_H
#define RETAIN_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
	size_t total;		/* bytes handed out, for metrics and tests */
};

#define ARENA_INIT { 0, 0 }

/* Returns n bytes aligned for any type; zeroed. Lives until arena_free(). */
void *arena_alloc(struct arena *a, size_t n);
/* Copies of strings, owned by the arena. NULL in gives NULL out. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Releases every allocation; the arena can be reused afterwards. */
void arena_free(struct arena *a);

#endif
