/*
 * report_json.h: the JSON shapes of the reports, shared by the API
 * (/v1/reports/...) and `retain report --format json` (and, later, the
 * dashboard), so that each report has one shape whoever asks. analytics/ may
 * use jansson; core/ may not. Each returns a new reference; numbers that are
 * not finite (too little data) render null.
 */
#ifndef RETAIN_REPORT_JSON_H
#define RETAIN_REPORT_JSON_H

#include <jansson.h>

#include "../base/arena.h"
#include "clv.h"
#include "measures.h"

json_t *report_json_retention(const struct retention_report *r);
/* Cohort labels ("2026-01") are allocated in a. */
json_t *report_json_cohorts(struct arena *a, const struct cohort_report *r);
json_t *report_json_rfm(const struct rfm_report *r, int with_customers);
json_t *report_json_clv(const struct clv_report *r, const struct clv_options *o,
			int with_customers);

#endif
