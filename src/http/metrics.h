/*
 * metrics.h: request counters by route and status and a latency histogram per
 * route, rendered in the Prometheus text format at /metrics. Lock-free.
 */
#ifndef RETAIN_METRICS_H
#define RETAIN_METRICS_H

#include "../base/buf.h"
#include "request.h"

#define METRICS_MAX_ROUTES 64

/* route_index -1 counts requests that matched no route. */
void metrics_observe(int route_index, int status, double ms);
void metrics_render(struct buf *out, const struct route *routes, int nroutes);

#endif
