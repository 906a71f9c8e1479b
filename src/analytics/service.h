/*
 * service.h: how well the shop serves its customers (GET /v1/reports/service).
 *
 * Tickets counted: those opened in [from, to). Per channel and in total:
 * first-response and resolution times (wall-clock minutes from the opening
 * to the first agent message, to the solve), p50 and p90 by nearest rank
 * over the tickets that have one; the share within SLA: of the targets that
 * came due (met, or their due time passed unmet), those met in time, for
 * the first response, the resolution, and both together (NaN with none due).
 * Complaints per 100 orders: tickets opened / orders placed in [from, to),
 * times 100 (NaN without orders).
 *
 * Surveys counted: those answered in [from, to), by month of the answer,
 * channel of their order or ticket, and the customer's tier when answering
 * (NULL key: no tier). NPS = promoters% - detractors% (9-10 promoters, 0-6
 * detractors), -100..100; CSAT = the average score 1..5. The latest
 * suggestions: the SERVICE_SUGGESTIONS newest answers with one.
 */
#ifndef RETAIN_SERVICE_H
#define RETAIN_SERVICE_H

#include <stdint.h>

#include "../base/arena.h"
#include "../store/store.h"

#define SERVICE_SUGGESTIONS 10

struct service_times {
	const char *key;	/* the channel; NULL for the total */
	int64_t tickets, first_responses, solved;
	double first_response_p50, first_response_p90, resolution_p50, resolution_p90;
	int64_t first_response_due, first_response_met, resolution_due, resolution_met;
	double first_response_within_sla, resolution_within_sla, within_sla;
};

struct service_score {
	const char *key;	/* NULL: none (no tier) or the total */
	int64_t answers, promoters, passives, detractors, sum;
	double value;		/* NPS or average CSAT; NaN without answers */
};

struct service_scores {
	struct service_score total;
	struct service_score *by_month, *by_channel, *by_tier;
	int nmonth, nchannel, ntier;
};

struct service_suggestion {
	const char *survey_id, *kind, *customer_id, *text;
	int64_t score, answered_at;
};

struct service_report {
	struct service_times total;
	struct service_times *channels;	/* by channel name */
	int nchannels;
	int64_t orders;
	double complaints_per_100_orders;
	struct service_scores nps, csat;
	struct service_suggestion suggestions[SERVICE_SUGGESTIONS];
	int nsuggestions;
};

int service_report(struct store_tx *tx, struct arena *a, const char *shop, int64_t from,
		   int64_t to, struct service_report *out, struct err *e);

#endif
