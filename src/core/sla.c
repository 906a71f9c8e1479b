/* sla.c: see sla.h. */
#include "sla.h"

#include <stdio.h>
#include <string.h>

#include "../base/clock.h"
#include "event.h"

const char *const sla_priorities[] = { "low", "normal", "high", "urgent", NULL };
const char *const sla_channels[] = { "web", "email", "phone", "whatsapp", "chat", "store", NULL };

static int in_list(const char *const *l, const char *v)
{
	for (; v && *l; l++)
		if (!strcmp(*l, v))
			return 1;
	return 0;
}

static int check(const struct sla_policy *p, struct err *e)
{
	int rc;
	if (!p->name || !*p->name || strlen(p->name) > 200)
		return err_set(e, ERR_INVALID, "name", "\"name\" is 1 to 200 characters");
	if ((rc = calendar_check(&p->calendar, e)))
		return rc;
	if (!p->ntargets)
		return err_setc(e, ERR_INVALID, "parameter_missing", "targets",
				"a policy needs at least one target");
	for (int i = 0; i < p->ntargets; i++) {
		const struct sla_target *t = &p->targets[i];
		char param[48];
		snprintf(param, sizeof(param), "targets[%d].priority", i);
		if (t->priority && !in_list(sla_priorities, t->priority))
			return err_set(e, ERR_INVALID, param, "\"priority\" is low, normal, high or urgent");
		snprintf(param, sizeof(param), "targets[%d].channel", i);
		if (t->channel && !in_list(sla_channels, t->channel))
			return err_set(e, ERR_INVALID, param, "\"channel\" is web, email, phone, whatsapp,"
				       " chat or store");
		snprintf(param, sizeof(param), "targets[%d].resolution_minutes", i);
		if (t->resolution_minutes < t->first_response_minutes)
			return err_set(e, ERR_INVALID, param, "the resolution target cannot come before"
				       " the first response");
		/* A target the calendar cannot reach would refuse every ticket it applies to. */
		int64_t due;
		if (calendar_add(&p->calendar, clock_now_ms(), t->resolution_minutes, &due, e))
			return err_set(e, ERR_INVALID, param, "%lld working minutes are more than this"
				       " calendar has in ten years", (long long)t->resolution_minutes);
		for (int j = 0; j < i; j++) {
			const struct sla_target *u = &p->targets[j];
			if ((!t->priority) == (!u->priority) && (!t->channel) == (!u->channel) &&
			    (!t->priority || !strcmp(t->priority, u->priority)) &&
			    (!t->channel || !strcmp(t->channel, u->channel))) {
				snprintf(param, sizeof(param), "targets[%d]", i);
				return err_set(e, ERR_INVALID, param, "targets[%d] is for the same priority"
					       " and channel as targets[%d]", i, j);
			}
		}
	}
	return 0;
}

static const char *holidays_text(struct arena *a, const struct calendar *c)
{
	if (!c->nholidays)
		return NULL;
	char *s = arena_alloc(a, (size_t)c->nholidays * 11 + 1), *p = s;
	for (int i = 0; i < c->nholidays; i++) {
		int64_t z = c->holidays[i] + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
		int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
		int d = (int)(doy - (153 * mp + 2) / 5 + 1), m = (int)(mp < 10 ? mp + 3 : mp - 9);
		long long y = (long long)(yoe + era * 400 + (m <= 2));
		p += sprintf(p, "%s%04lld-%02d-%02d", i ? "\n" : "", y, m, d);
	}
	return s;
}

int sla_put(struct store_tx *tx, const char *shop, struct sla_policy *p, struct err *e)
{
	struct arena a = ARENA_INIT;
	int64_t now = clock_now_ms();
	int rc, insert = !p->id[0];
	if ((rc = check(p, e)))
		return rc;
	if (insert) {
		id_new(p->id, "sla_", now);
		p->created_at = now;
	} else {
		struct sla_policy old;
		if ((rc = sla_get(tx, &a, shop, p->id, &old, e)))
			goto out;
		p->created_at = old.created_at;
	}
	p->updated_at = now;
	const struct calendar *c = &p->calendar;
	rc = insert
		? store_exec(tx, e, "INSERT INTO sla_policies (shop_id, id, name, timezone, weekdays,"
			     " start_minute, end_minute, holidays, created_at, updated_at) VALUES ($1, $2,"
			     " $3, $4, $5, $6, $7, $8, $9, $9)", "ssssiiisi", shop, p->id, p->name,
			     c->timezone, (int64_t)c->weekdays, (int64_t)c->start, (int64_t)c->end,
			     holidays_text(&a, c), now)
		: store_exec(tx, e, "UPDATE sla_policies SET name = $3, timezone = $4, weekdays = $5,"
			     " start_minute = $6, end_minute = $7, holidays = $8, updated_at = $9"
			     " WHERE shop_id = $1 AND id = $2", "ssssiiisi", shop, p->id, p->name,
			     c->timezone, (int64_t)c->weekdays, (int64_t)c->start, (int64_t)c->end,
			     holidays_text(&a, c), now);
	if (rc >= 0)
		rc = store_exec(tx, e, "DELETE FROM sla_targets WHERE shop_id = $1 AND policy_id = $2",
				"ss", shop, p->id);
	for (int i = 0; rc >= 0 && i < p->ntargets; i++)
		rc = store_exec(tx, e, "INSERT INTO sla_targets (shop_id, policy_id, position, priority,"
				" channel, first_response_minutes, resolution_minutes) VALUES ($1, $2, $3, $4,"
				" $5, $6, $7)", "ssissii", shop, p->id, (int64_t)i, p->targets[i].priority,
				p->targets[i].channel, p->targets[i].first_response_minutes,
				p->targets[i].resolution_minutes);
	if (rc >= 0)
		rc = event_record(tx, shop, insert ? "sla_policy.created" : "sla_policy.updated", p->id,
				  NULL, e);
out:
	arena_free(&a);
	return rc < 0 ? rc : 0;
}

static int load_targets(struct store_tx *tx, struct arena *a, const char *shop,
			struct sla_policy *p, struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT priority, channel, first_response_minutes,"
		" resolution_minutes FROM sla_targets WHERE shop_id = $1 AND policy_id = $2"
		" ORDER BY position", "ss", shop, p->id);
	int rc = 0;
	if (!st)
		return e->kind;
	p->ntargets = 0;
	while (p->ntargets < SLA_TARGETS_MAX && (rc = store_step(st, e)) == 1) {
		struct sla_target *t = &p->targets[p->ntargets++];
		t->priority = store_text(st, 0) ? arena_strdup(a, store_text(st, 0)) : NULL;
		t->channel = store_text(st, 1) ? arena_strdup(a, store_text(st, 1)) : NULL;
		t->first_response_minutes = store_int(st, 2);
		t->resolution_minutes = store_int(st, 3);
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

static void row_to_policy(struct store_stmt *st, struct arena *a, struct sla_policy *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->id, sizeof(p->id), "%s", store_text(st, 0));
	p->name = arena_strdup(a, store_text(st, 1));
	snprintf(p->calendar.timezone, sizeof(p->calendar.timezone), "%s", store_text(st, 2));
	p->calendar.weekdays = (int)store_int(st, 3);
	p->calendar.start = (int)store_int(st, 4);
	p->calendar.end = (int)store_int(st, 5);
	const char *h = store_text(st, 6);
	for (const char *q = h; q && *q && p->calendar.nholidays < CALENDAR_HOLIDAYS_MAX; ) {
		char day[11];
		snprintf(day, sizeof(day), "%s", q);
		if (!calendar_parse_date(day, &p->calendar.holidays[p->calendar.nholidays]))
			p->calendar.nholidays++;
		q = strchr(q, '\n');
		q = q ? q + 1 : NULL;
	}
	p->created_at = store_int(st, 7);
	p->updated_at = store_int(st, 8);
}

#define POLICY_COLUMNS "id, name, timezone, weekdays, start_minute, end_minute, holidays," \
	" created_at, updated_at"

int sla_get(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
	    struct sla_policy *out, struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT " POLICY_COLUMNS " FROM sla_policies"
					    " WHERE shop_id = $1 AND id = $2", "ss", shop, id);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	if (rc == 1)
		row_to_policy(st, a, out);
	store_done(st);
	if (rc == 0)
		return err_set(e, ERR_NOT_FOUND, "id", "no SLA policy \"%s\"", id);
	return rc < 0 ? rc : load_targets(tx, a, shop, out, e);
}

int sla_list(struct store_tx *tx, struct arena *a, const char *shop, struct sla_policy **out,
	     int *n, struct err *e)
{
	int64_t count;
	int rc = store_query_int(tx, e, &count, "SELECT count(*) FROM sla_policies WHERE shop_id = $1",
				 "s", shop);
	if (rc)
		return rc;
	*out = arena_alloc(a, (size_t)(count + 1) * sizeof(**out));
	*n = 0;
	struct store_stmt *st = store_query(tx, e, "SELECT " POLICY_COLUMNS " FROM sla_policies"
					    " WHERE shop_id = $1 ORDER BY id DESC", "s", shop);
	if (!st)
		return e->kind;
	while (*n < count && (rc = store_step(st, e)) == 1)
		row_to_policy(st, a, &(*out)[(*n)++]);
	store_done(st);
	for (int i = 0; rc >= 0 && i < *n; i++)
		rc = load_targets(tx, a, shop, &(*out)[i], e);
	return rc < 0 ? rc : 0;
}

int sla_due(struct store_tx *tx, const char *shop, const char *priority, const char *channel,
	    int64_t from, struct sla_due *out, struct err *e)
{
	struct arena a = ARENA_INIT;
	struct sla_policy *list;
	const struct sla_policy *best_p = NULL;
	const struct sla_target *best = NULL;
	int n, best_score = -1, rc = sla_list(tx, &a, shop, &list, &n, e);
	memset(out, 0, sizeof(*out));
	for (int i = 0; !rc && i < n; i++)
		for (int j = 0; j < list[i].ntargets; j++) {
			const struct sla_target *t = &list[i].targets[j];
			if ((t->priority && strcmp(t->priority, priority)) ||
			    (t->channel && strcmp(t->channel, channel)))
				continue;
			int score = (t->priority ? 2 : 0) + (t->channel ? 1 : 0);
			if (score > best_score)
				best_score = score, best = t, best_p = &list[i];
		}
	if (!rc && best) {
		snprintf(out->policy_id, sizeof(out->policy_id), "%s", best_p->id);
		if (!(rc = calendar_add(&best_p->calendar, from, best->first_response_minutes,
					&out->first_response_at, e)))
			rc = calendar_add(&best_p->calendar, from, best->resolution_minutes,
					  &out->resolution_at, e);
	}
	arena_free(&a);
	return rc;
}
