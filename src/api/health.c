/* health.c: /livez, /readyz, /metrics and the test clock. */
#include <stdatomic.h>

#include "../base/buf.h"
#include "../base/clock.h"
#include "../base/jsonv.h"
#include "../base/rfc3339.h"
#include "../core/jobs.h"
#include "../http/metrics.h"
#include "../http/server.h"
#include "api.h"
#include "../render/render.h"

int api_health_livez(struct req *r, struct err *e)
{
	(void)e;
	req_json(r, 200, json_pack("{s:s}", "status", "alive"));
	return 0;
}

int api_health_readyz(struct req *r, struct err *e)
{
	if (atomic_load(&r->srv->draining))
		return err_setc(e, ERR_UNAVAILABLE, "draining", NULL, "shutting down");
	int rc = store_ping(r->store, e);
	if (rc)
		return err_setc(e, ERR_UNAVAILABLE, "store_unavailable", NULL,
				"the store does not answer: %s", e->message);
	req_json(r, 200, json_pack("{s:s}", "status", "ready"));
	return 0;
}

int api_health_metrics(struct req *r, struct err *e)
{
	struct buf b;
	(void)e;
	buf_init(&b, 0);
	metrics_render(&b, r->srv->routes, r->srv->nroutes);
	r->status = 200;
	r->resp_body = arena_strndup(&r->arena, b.data ? b.data : "", b.len);
	r->resp_len = b.len;
	r->resp_type = "text/plain; version=0.0.4";
	buf_free(&b);
	return 0;
}

static int test_clock_enabled(struct err *e)
{
	if (!clock_test_enabled())
		return err_setc(e, ERR_FORBIDDEN, "test_clock_disabled", NULL,
				"the test clock is off: start the server with --test-clock");
	return 0;
}

int api_health_test_clock_get(struct req *r, struct err *e)
{
	int rc = test_clock_enabled(e);
	if (rc)
		return rc;
	req_json(r, 200, json_pack("{s:s, s:o}", "object", "test_clock",
				   "now", render_time(clock_now_ms())));
	return 0;
}

int api_health_test_clock_set(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "now", "advance_seconds", NULL };
	int64_t now = 0, advance = 0;
	int has_now, has_advance, rc;
	if ((rc = test_clock_enabled(e)) || (rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_time(r->json, "now", JSONV_OPTIONAL, &now, &has_now, NULL, e)) ||
	    (rc = jsonv_int(r->json, "advance_seconds", JSONV_OPTIONAL, 0, 100LL * 365 * 86400,
			    &advance, &has_advance, NULL, e)))
		return rc;
	if (!has_now && !has_advance)
		return err_setc(e, ERR_INVALID, "parameter_missing", "now",
				"send \"now\" (an RFC 3339 time) or \"advance_seconds\"");
	if (has_now)
		clock_set_ms(now);
	if (has_advance)
		clock_advance_ms(advance * 1000);
	/* What would have happened by now happens now: expiry, reminders, tiers. */
	struct jobs_counts counts;
	if ((rc = jobs_run(r->store, r->srv->cfg, &counts, e)) ||
	    (rc = api_health_test_clock_get(r, e)))
		return rc;
	json_object_set_new(r->resp_json, "jobs", api_render_job_run(&counts));	/* what they did */
	return 0;
}

/* The store fault (store.h): how many statements are left before it fires. */
int api_health_test_store_faults_get(struct req *r, struct err *e)
{
	int rc = test_clock_enabled(e);
	if (rc)
		return rc;
	req_json(r, 200, json_pack("{s:s, s:I}", "object", "store_faults", "left",
				   (json_int_t)store_fault_left()));
	return 0;
}

/* Arms the store fault: the fail_at-th statement from now fails (0 disarms).
 * For tests that a failed statement leaves nothing half-done. */
int api_health_test_store_faults_set(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "fail_at", NULL };
	int64_t nth = 0;
	int rc;
	if ((rc = test_clock_enabled(e)) || (rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_int(r->json, "fail_at", JSONV_REQUIRED, 0, 1000000, &nth, NULL, NULL, e)))
		return rc;
	store_fault_arm(nth);
	return api_health_test_store_faults_get(r, e);
}
