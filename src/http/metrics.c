/* metrics.c: see metrics.h. */
#include "metrics.h"

#include <stdatomic.h>
#include <stdint.h>

static const double buckets_ms[] = { 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 5000 };
#define NBUCKETS (sizeof(buckets_ms) / sizeof(buckets_ms[0]))

struct route_metrics {
	atomic_uint_fast64_t by_status[600];
	atomic_uint_fast64_t buckets[NBUCKETS + 1];
	atomic_uint_fast64_t count;
	atomic_uint_fast64_t sum_us;
};

/* Slot 0 is "no route". */
static struct route_metrics metrics[METRICS_MAX_ROUTES + 1];

void metrics_observe(int route_index, int status, double ms)
{
	int slot = route_index >= 0 && route_index < METRICS_MAX_ROUTES ? route_index + 1 : 0;
	struct route_metrics *m = &metrics[slot];
	size_t b = 0;
	if (status >= 100 && status < 600)
		atomic_fetch_add_explicit(&m->by_status[status], 1, memory_order_relaxed);
	while (b < NBUCKETS && ms > buckets_ms[b])
		b++;
	atomic_fetch_add_explicit(&m->buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->sum_us, (uint_fast64_t)(ms * 1000), memory_order_relaxed);
}

static void render_route(struct buf *out, const char *method, const char *route,
			 struct route_metrics *m)
{
	for (int s = 100; s < 600; s++) {
		uint_fast64_t n = atomic_load_explicit(&m->by_status[s], memory_order_relaxed);
		if (n)
			buf_printf(out, "retain_http_requests_total{method=\"%s\",route=\"%s\",status=\"%d\"} %llu\n",
				   method, route, s, (unsigned long long)n);
	}
	uint_fast64_t count = atomic_load(&m->count);
	if (!count)
		return;
	uint_fast64_t cumulative = 0;
	for (size_t b = 0; b <= NBUCKETS; b++) {
		cumulative += atomic_load(&m->buckets[b]);
		if (b < NBUCKETS)
			buf_printf(out, "retain_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"%g\"} %llu\n",
				   method, route, buckets_ms[b] / 1000, (unsigned long long)cumulative);
		else
			buf_printf(out, "retain_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"+Inf\"} %llu\n",
				   method, route, (unsigned long long)cumulative);
	}
	buf_printf(out, "retain_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n",
		   method, route, (double)atomic_load(&m->sum_us) / 1e6);
	buf_printf(out, "retain_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %llu\n",
		   method, route, (unsigned long long)count);
}

void metrics_render(struct buf *out, const struct route *routes, int nroutes)
{
	buf_puts(out, "# HELP retain_http_requests_total HTTP requests by route and status.\n"
		      "# TYPE retain_http_requests_total counter\n"
		      "# HELP retain_http_request_duration_seconds Time from request to response.\n"
		      "# TYPE retain_http_request_duration_seconds histogram\n");
	render_route(out, "any", "unmatched", &metrics[0]);
	for (int i = 0; i < nroutes && i < METRICS_MAX_ROUTES; i++)
		render_route(out, routes[i].method, routes[i].pattern, &metrics[i + 1]);
}
