/* ticket.c: see ticket.h. */
#include "ticket.h"

#include <stdio.h>
#include <string.h>

#include "../base/clock.h"
#include "customer.h"
#include "event.h"
#include "offers.h"
#include "sla.h"
#include "survey.h"

const char *const ticket_statuses[] = { "open", "pending", "solved", "closed", NULL };

static int in_list(const char *const *l, const char *v)
{
	for (; v && *l; l++)
		if (!strcmp(*l, v))
			return 1;
	return 0;
}

static int check_tags(const char *const *tags, int n, struct err *e)
{
	if (n > TICKET_TAGS_MAX)
		return err_set(e, ERR_INVALID, "tags", "at most %d tags", TICKET_TAGS_MAX);
	for (int i = 0; i < n; i++) {
		if (!*tags[i] || strlen(tags[i]) > 50 || strchr(tags[i], '\n'))
			return err_set(e, ERR_INVALID, "tags", "each tag is 1 to 50 characters on one line");
		for (int j = 0; j < i; j++)
			if (!strcmp(tags[i], tags[j]))
				return err_set(e, ERR_INVALID, "tags", "tag \"%s\" is listed twice", tags[i]);
	}
	return 0;
}

static const char *tags_text(struct arena *a, const char *const *tags, int n)
{
	if (n <= 0)
		return NULL;
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += strlen(tags[i]) + 1;
	char *s = arena_alloc(a, len), *p = s;
	for (int i = 0; i < n; i++)
		p += sprintf(p, "%s%s", i ? "\n" : "", tags[i]);
	return s;
}

#define COLUMNS "id, customer_id, order_id, channel, subject, status, priority, tags, assignee," \
	" source, policy_id, coalesce(first_response_due_at, 0), coalesce(resolution_due_at, 0)," \
	" coalesce(first_response_at, 0), coalesce(solved_at, 0), coalesce(closed_at, 0)," \
	" coalesce(first_response_breached_at, 0), coalesce(resolution_breached_at, 0)," \
	" created_at, updated_at"

static const char *dup(struct arena *a, struct store_stmt *st, int col)
{
	return store_text(st, col) ? arena_strdup(a, store_text(st, col)) : NULL;
}

static void row_to_ticket(struct store_stmt *st, struct arena *a, struct ticket *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->id, sizeof(t->id), "%s", store_text(st, 0));
	t->customer_id = dup(a, st, 1);
	t->order_id = dup(a, st, 2);
	t->channel = dup(a, st, 3);
	t->subject = dup(a, st, 4);
	t->status = dup(a, st, 5);
	t->priority = dup(a, st, 6);
	const char *tags = store_text(st, 7);
	int n = tags && *tags ? 1 : 0;
	for (const char *p = tags; p && *p; p++)
		n += *p == '\n';
	t->tags = arena_alloc(a, (size_t)(n + 1) * sizeof(*t->tags));
	for (const char *p = tags; p && *p && t->ntags < n; ) {
		const char *q = strchr(p, '\n');
		t->tags[t->ntags++] = q ? arena_strndup(a, p, (size_t)(q - p)) : arena_strdup(a, p);
		p = q ? q + 1 : p + strlen(p);
	}
	t->assignee = dup(a, st, 8);
	t->source = dup(a, st, 9);
	t->policy_id = dup(a, st, 10);
	t->first_response_due_at = store_int(st, 11);
	t->resolution_due_at = store_int(st, 12);
	t->first_response_at = store_int(st, 13);
	t->solved_at = store_int(st, 14);
	t->closed_at = store_int(st, 15);
	t->first_response_breached_at = store_int(st, 16);
	t->resolution_breached_at = store_int(st, 17);
	t->created_at = store_int(st, 18);
	t->updated_at = store_int(st, 19);
}

static int load_messages(struct store_tx *tx, struct arena *a, const char *shop, struct ticket *t,
			 struct err *e)
{
	int64_t n;
	int rc = store_query_int(tx, e, &n, "SELECT count(*) FROM ticket_messages WHERE shop_id = $1"
				 " AND ticket_id = $2", "ss", shop, t->id);
	if (rc)
		return rc;
	t->messages = arena_alloc(a, (size_t)(n + 1) * sizeof(*t->messages));
	struct store_stmt *st = store_query(tx, e, "SELECT id, author, agent, body, created_at FROM"
		" ticket_messages WHERE shop_id = $1 AND ticket_id = $2 ORDER BY id", "ss", shop, t->id);
	if (!st)
		return e->kind;
	while (t->nmessages < n && (rc = store_step(st, e)) == 1) {
		struct ticket_message *m = &t->messages[t->nmessages++];
		snprintf(m->id, sizeof(m->id), "%s", store_text(st, 0));
		m->author = dup(a, st, 1);
		m->agent = dup(a, st, 2);
		m->body = dup(a, st, 3);
		m->created_at = store_int(st, 4);
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

int ticket_get(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
	       struct ticket *out, struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT " COLUMNS " FROM tickets WHERE shop_id = $1"
					    " AND id = $2", "ss", shop, id);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	if (rc == 1)
		row_to_ticket(st, a, out);
	store_done(st);
	if (rc == 0)
		return err_set(e, ERR_NOT_FOUND, "id", "no ticket \"%s\"", id);
	return rc < 0 ? rc : load_messages(tx, a, shop, out, e);
}

static int check_body(const char *body, struct err *e)
{
	if (!body || !*body)
		return err_setc(e, ERR_INVALID, "parameter_missing", "body", "\"body\" is required");
	if (strlen(body) > TICKET_BODY_MAX)
		return err_set(e, ERR_INVALID, "body", "\"body\" is at most %d bytes", TICKET_BODY_MAX);
	return 0;
}

static int add_message(struct store_tx *tx, const char *shop, const char *ticket,
		       const char *author, const char *agent, const char *body, struct err *e)
{
	char id[ID_MAX];
	id_new(id, "msg_", clock_now_ms());
	int rc = store_exec(tx, e, "INSERT INTO ticket_messages (shop_id, ticket_id, id, author, agent,"
			    " body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)", "ssssssi", shop,
			    ticket, id, author, agent, body, clock_now_ms());
	return rc < 0 ? rc : 0;
}

/* An erased customer's tickets take no new words: the erasure blanked the old
 * ones, and a new subject or message would be personal data kept after it. */
static int refuse_erased(struct store_tx *tx, const char *shop, const char *customer,
			 const char *param, struct err *e)
{
	int erased, rc = customer_is_erased(tx, shop, customer, param, &erased, e);
	if (!rc && erased)
		rc = err_setc(e, ERR_CONFLICT, "customer_inactive", param, "customer \"%s\" is erased"
			      " and takes no new tickets or messages", customer);
	return rc;
}

int ticket_create(struct store_tx *tx, struct arena *a, const char *shop,
		  const struct ticket_input *in, struct ticket *out, struct err *e)
{
	char id[ID_MAX], customer[ID_MAX];
	const char *priority = in->priority ? in->priority : "normal";
	const char *order_id = NULL;
	int64_t now = clock_now_ms();
	struct sla_due due;
	int rc;
	if (!in->channel || !in_list(sla_channels, in->channel))
		return err_set(e, ERR_INVALID, "channel", "\"channel\" is web, email, phone, whatsapp,"
			       " chat or store");
	if (!in_list(sla_priorities, priority))
		return err_set(e, ERR_INVALID, "priority", "\"priority\" is low, normal, high or urgent");
	if (!in->subject || !*in->subject || strlen(in->subject) > TICKET_SUBJECT_MAX)
		return err_set(e, ERR_INVALID, "subject", "\"subject\" is 1 to %d characters",
			       TICKET_SUBJECT_MAX);
	if ((rc = check_body(in->body, e)) || (rc = check_tags(in->tags, in->ntags, e)))
		return rc;
	if (in->order) {
		struct order o;
		if ((rc = order_get(tx, a, shop, in->order, &o, e))) {
			snprintf(e->param, sizeof(e->param), "order");
			return rc;
		}
		order_id = arena_strdup(a, o.id);
		if (!in->customer.id && !in->customer.external_id && !in->customer.email &&
		    !in->customer.phone && !in->customer.whatsapp)
			snprintf(customer, sizeof(customer), "%s", o.customer_id);
		else if ((rc = order_resolve_customer(tx, a, shop, &in->customer, customer, e)))
			return rc;
		if (strcmp(customer, o.customer_id))
			return err_set(e, ERR_INVALID, "order", "order \"%s\" belongs to another customer",
				       o.id);
	} else if ((rc = order_resolve_customer(tx, a, shop, &in->customer, customer, e))) {
		return rc;
	}
	if ((rc = refuse_erased(tx, shop, customer, "customer", e)) ||
	    (rc = sla_due(tx, shop, priority, in->channel, now, &due, e)))
		return rc;
	id_new(id, "tkt_", now);
	rc = store_exec(tx, e, "INSERT INTO tickets (shop_id, id, customer_id, order_id, channel,"
			" subject, status, priority, tags, source, policy_id, first_response_due_at,"
			" resolution_due_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'open',"
			" $7, $8, $9, nullif($10, ''), nullif($11, 0), nullif($12, 0), $13, $13)",
			"ssssssssssiii", shop, id, customer, order_id, in->channel, in->subject, priority,
			tags_text(a, in->tags, in->ntags), in->source, due.policy_id, due.first_response_at,
			due.resolution_at, now);
	if (rc < 0 || (rc = add_message(tx, shop, id, "customer", NULL, in->body, e)) ||
	    (rc = event_record(tx, shop, "ticket.created", id, customer, e)))
		return rc;
	return ticket_get(tx, a, shop, id, out, e);
}

static int set_status(struct store_tx *tx, const char *shop, struct ticket *t, const char *status,
		      struct err *e)
{
	int64_t now = clock_now_ms();
	if (!strcmp(t->status, status))
		return 0;
	int rc = store_exec(tx, e, "UPDATE tickets SET status = $3, updated_at = $4,"
		" solved_at = CASE WHEN $3 = 'solved' THEN $4 WHEN $3 = 'open' THEN NULL ELSE solved_at END,"
		" closed_at = CASE WHEN $3 = 'closed' THEN $4 ELSE closed_at END"
		" WHERE shop_id = $1 AND id = $2", "sssi", shop, t->id, status, now);
	if (rc < 0)
		return rc;
	char type[40];
	snprintf(type, sizeof(type), "ticket.%s", status);
	if ((rc = event_record(tx, shop, type, t->id, t->customer_id, e)))
		return rc;
	return strcmp(status, "solved") ? 0 : survey_after_solve(tx, shop, t, e);
}

int ticket_add_message(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		       const struct ticket_message_input *in, struct ticket *out, struct err *e)
{
	int rc;
	if (!in->author || (strcmp(in->author, "customer") && strcmp(in->author, "agent")))
		return err_set(e, ERR_INVALID, "author", "\"author\" is customer or agent");
	if (in->agent && strcmp(in->author, "agent"))
		return err_set(e, ERR_INVALID, "agent", "\"agent\" names the agent of an agent's message");
	if ((rc = check_body(in->body, e)) || (rc = ticket_get(tx, a, shop, id, out, e)))
		return rc;
	if (!strcmp(out->status, "closed"))
		return err_setc(e, ERR_CONFLICT, "ticket_closed", "id", "ticket \"%s\" is closed: open a"
				" new one", id);
	if ((rc = refuse_erased(tx, shop, out->customer_id, "id", e)) ||
	    (rc = add_message(tx, shop, id, in->author, in->agent, in->body, e)))
		return rc;
	int agent = !strcmp(in->author, "agent");
	if (agent && !out->first_response_at) {
		rc = store_exec(tx, e, "UPDATE tickets SET first_response_at = $3, updated_at = $3 WHERE"
				" shop_id = $1 AND id = $2", "ssi", shop, id, clock_now_ms());
		if (rc < 0)
			return rc;
	}
	if (!agent && (!strcmp(out->status, "pending") || !strcmp(out->status, "solved")) &&
	    (rc = set_status(tx, shop, out, "open", e)))
		return rc;
	if ((rc = event_record(tx, shop, agent ? "ticket.replied" : "ticket.customer_replied", id,
			       out->customer_id, e)))
		return rc;
	return ticket_get(tx, a, shop, id, out, e);
}

int ticket_update(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		  const struct ticket_change *in, struct ticket *out, struct err *e)
{
	int rc;
	if (in->status && !in_list(ticket_statuses, in->status))
		return err_set(e, ERR_INVALID, "status", "\"status\" is open, pending, solved or closed");
	if (in->priority && !in_list(sla_priorities, in->priority))
		return err_set(e, ERR_INVALID, "priority", "\"priority\" is low, normal, high or urgent");
	if (in->assignee && (!*in->assignee || strlen(in->assignee) > 200))
		return err_set(e, ERR_INVALID, "assignee", "\"assignee\" is 1 to 200 characters");
	if (in->ntags >= 0 && (rc = check_tags(in->tags, in->ntags, e)))
		return rc;
	if ((rc = ticket_get(tx, a, shop, id, out, e)))
		return rc;
	if (!strcmp(out->status, "closed") && (!in->status || strcmp(in->status, "closed")))
		return err_setc(e, ERR_CONFLICT, "ticket_closed", "id", "ticket \"%s\" is closed", id);
	if (in->status && !strcmp(in->status, "closed") && strcmp(out->status, "solved") &&
	    strcmp(out->status, "closed"))
		return err_setc(e, ERR_CONFLICT, "ticket_status_conflict", "status", "solve ticket"
				" \"%s\" before closing it", id);
	int64_t now = clock_now_ms();
	if (in->priority && strcmp(in->priority, out->priority)) {
		struct sla_due due;
		if ((rc = sla_due(tx, shop, in->priority, out->channel, out->created_at, &due, e)))
			return rc;
		rc = store_exec(tx, e, "UPDATE tickets SET priority = $3, policy_id = nullif($4, ''),"
				" first_response_due_at = nullif($5, 0), resolution_due_at = nullif($6, 0),"
				" updated_at = $7 WHERE shop_id = $1 AND id = $2", "ssssiii", shop, id,
				in->priority, due.policy_id, due.first_response_at, due.resolution_at, now);
		if (rc < 0)
			return rc;
	}
	if (in->assignee || in->clear_assignee) {
		rc = store_exec(tx, e, "UPDATE tickets SET assignee = $3, updated_at = $4 WHERE"
				" shop_id = $1 AND id = $2", "sssi", shop, id,
				in->clear_assignee ? NULL : in->assignee, now);
		if (rc < 0)
			return rc;
	}
	if (in->ntags >= 0) {
		rc = store_exec(tx, e, "UPDATE tickets SET tags = $3, updated_at = $4 WHERE shop_id = $1"
				" AND id = $2", "sssi", shop, id, tags_text(a, in->tags, in->ntags), now);
		if (rc < 0)
			return rc;
	}
	if (in->status && (rc = set_status(tx, shop, out, in->status, e)))
		return rc;
	return ticket_get(tx, a, shop, id, out, e);
}

int ticket_list(struct store_tx *tx, struct arena *a, const char *shop,
		const struct ticket_filter *f, const char *starting_after, int limit,
		struct ticket **out, int *n, int *has_more, struct err *e)
{
	char customer[ID_MAX] = "";
	int rc;
	if (f->status && !in_list(ticket_statuses, f->status))
		return err_set(e, ERR_INVALID, "status", "\"status\" is open, pending, solved or closed");
	if (f->customer && (rc = customer_resolve(tx, shop, f->customer, "customer", customer, e)))
		return rc;
	struct store_stmt *st = store_query(tx, e, "SELECT " COLUMNS " FROM tickets WHERE shop_id = $1"
		" AND ($2 IS NULL OR status = $2) AND ($3 = '' OR customer_id = $3)"
		" AND ($4 < 0 OR (CASE WHEN first_response_breached_at IS NOT NULL OR"
		" resolution_breached_at IS NOT NULL THEN 1 ELSE 0 END) = $4)"
		" AND ($5 = 0 OR (first_response_at IS NULL AND first_response_due_at < $5)"
		" OR (solved_at IS NULL AND resolution_due_at < $5))"
		" AND ($6 IS NULL OR id < $6) ORDER BY id DESC LIMIT $7", "sssiisi", shop, f->status,
		customer, (int64_t)f->breached, f->due_before, starting_after, (int64_t)limit + 1);
	if (!st)
		return e->kind;
	*out = arena_alloc(a, (size_t)(limit + 1) * sizeof(**out));
	*n = 0;
	while ((rc = store_step(st, e)) == 1)
		row_to_ticket(st, a, &(*out)[(*n)++]);
	store_done(st);
	*has_more = *n > limit;
	if (*has_more)
		*n = limit;
	return rc < 0 ? rc : 0;
}

#define BREACH_BATCH 1000

/* Each unmet target past its due time, once: column is the breach mark. */
static int mark(struct store_tx *tx, const char *target, const char *sql, const char *column,
		int64_t now, int64_t *marked, struct err *e)
{
	struct arena a = ARENA_INIT;
	struct store_stmt *st = store_query(tx, e, sql, "ii", now, (int64_t)BREACH_BATCH);
	const char **rows = arena_alloc(&a, BREACH_BATCH * 3 * sizeof(*rows));
	int n = 0, rc = 0;
	if (!st) {
		arena_free(&a);
		return e->kind;
	}
	while (n < BREACH_BATCH && (rc = store_step(st, e)) == 1) {
		for (int j = 0; j < 3; j++)
			rows[n * 3 + j] = arena_strdup(&a, store_text(st, j));
		n++;
	}
	store_done(st);
	for (int i = 0; rc >= 0 && i < n; i++) {
		const char *shop = rows[i * 3], *id = rows[i * 3 + 1], *customer = rows[i * 3 + 2];
		char update[200], cause[ID_MAX + 20];
		snprintf(update, sizeof(update), "UPDATE tickets SET %s = $3 WHERE shop_id = $1 AND id = $2"
			 " AND %s IS NULL", column, column);
		if ((rc = store_exec(tx, e, update, "ssi", shop, id, now)) <= 0)
			continue;
		(*marked)++;
		snprintf(cause, sizeof(cause), "%s:%s", id, target);
		if (!(rc = event_record(tx, shop, "ticket.sla_breached", id, customer, e)))
			rc = offers_trigger(tx, shop, customer, "ticket_sla_breached", cause, NULL, e);
	}
	arena_free(&a);
	return rc < 0 ? rc : 0;
}

int ticket_mark_breaches(struct store_tx *tx, int64_t *marked, struct err *e)
{
	int64_t now = clock_now_ms();
	*marked = 0;
	int rc = mark(tx, "first_response", "SELECT shop_id, id, customer_id FROM tickets WHERE"
		      " first_response_at IS NULL AND first_response_breached_at IS NULL AND"
		      " first_response_due_at IS NOT NULL AND first_response_due_at < $1 AND"
		      " status <> 'closed' ORDER BY first_response_due_at LIMIT $2",
		      "first_response_breached_at", now, marked, e);
	if (rc)
		return rc;
	return mark(tx, "resolution", "SELECT shop_id, id, customer_id FROM tickets WHERE"
		    " solved_at IS NULL AND resolution_breached_at IS NULL AND resolution_due_at IS NOT"
		    " NULL AND resolution_due_at < $1 AND status <> 'closed' ORDER BY resolution_due_at"
		    " LIMIT $2", "resolution_breached_at", now, marked, e);
}
