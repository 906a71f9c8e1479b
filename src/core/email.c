/* email.c: see email.h. Templates, the shop's e-mail settings, the
 * unsubscribe token, and the two halves of sending: queueing (a job, in its
 * transaction) and delivery (SMTP outside any transaction). */
#include "email.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/buf.h"
#include "../base/clock.h"
#include "../base/log.h"
#include "../base/mime.h"
#include "../base/rfc3339.h"
#include "../base/secure.h"
#include "../base/smtp.h"
#include "customer.h"
#include "shop.h"
#include "token.h"

#define TOKEN_PREFIX "eut_"
/* The label of the unsubscribe key (token_derive_key): no other token's. */
#define UNSUBSCRIBE_KEY_LABEL "retain email unsubscribe token v1"
#define WEEK_MS (7 * 86400 * 1000LL)
/* Events already scanned are looked at again this far back: a transaction
 * that wrote an event may commit a little after a later one. */
#define SCAN_OVERLAP_MS (5 * 60 * 1000LL)
#define SCAN_BATCH 500
#define SEND_BATCH 20
#define SEND_BATCHES_MAX 50

/* ---- templates ---- */

static int known_variable(const char *name, void *ctx)
{
	int n;
	const char *const *vars = email_event_variables(*(const int *)ctx, &n);
	size_t len = strlen(name);
	for (int i = 0; i < n; i++) {
		/* A map's name ("customer" of "customer.name") is a section's. */
		if (!strcmp(vars[i], name) || (!strncmp(vars[i], name, len) && vars[i][len] == '.'))
			return 1;
	}
	return 0;
}

int email_template_check(const struct email_template *in, struct err *e)
{
	int event = email_event_find(in->event_type);
	if (event < 0)
		return err_setc(e, ERR_INVALID, "event_type_unknown", "event", "no e-mail can be written"
				" for event type \"%.100s\" (docs/email.md lists the types)",
				in->event_type ? in->event_type : "");
	int rc = template_check(in->subject, strlen(in->subject), EMAIL_SUBJECT_MAX, "subject",
				known_variable, &event, e);
	if (!rc)
		rc = template_check(in->text, strlen(in->text), EMAIL_BODY_MAX, "text", known_variable,
				    &event, e);
	if (!rc)
		rc = template_check(in->html, strlen(in->html), EMAIL_BODY_MAX, "html", known_variable,
				    &event, e);
	return rc;
}

int email_template_put(struct store_tx *tx, const char *shop, const struct email_template *in,
		       int *created, struct err *e)
{
	int64_t now = clock_now_ms(), exists;
	int rc = email_template_check(in, e);
	if (rc || (rc = store_query_int(tx, e, &exists, "SELECT count(*) FROM email_templates WHERE"
					" shop_id = $1 AND event_type = $2", "ss", shop, in->event_type)))
		return rc;
	*created = !exists;
	rc = store_exec(tx, e, "INSERT INTO email_templates (shop_id, event_type, subject, text_body,"
		" html_body, scanned_until, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $6)"
		" ON CONFLICT (shop_id, event_type) DO UPDATE SET subject = excluded.subject,"
		" text_body = excluded.text_body, html_body = excluded.html_body,"
		" updated_at = excluded.updated_at", "sssssi", shop, in->event_type, in->subject,
		in->text, in->html, now);
	return rc < 0 ? rc : 0;
}

#define TEMPLATE_COLUMNS "event_type, subject, text_body, html_body, created_at, updated_at"

static void row_to_template(struct store_stmt *st, struct arena *a, struct email_template *t)
{
	t->event_type = arena_strdup(a, store_text(st, 0));
	t->subject = arena_strdup(a, store_text(st, 1));
	t->text = arena_strdup(a, store_text(st, 2));
	t->html = arena_strdup(a, store_text(st, 3));
	t->created_at = store_int(st, 4);
	t->updated_at = store_int(st, 5);
}

int email_template_get(struct store_tx *tx, struct arena *a, const char *shop,
		       const char *event_type, struct email_template *out, struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT " TEMPLATE_COLUMNS " FROM email_templates"
		" WHERE shop_id = $1 AND event_type = $2", "ss", shop, event_type);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	if (rc == 1)
		row_to_template(st, a, out);
	store_done(st);
	if (rc == 0)
		return err_set(e, ERR_NOT_FOUND, "event", "no e-mail template for event type \"%.100s\"",
			       event_type);
	return rc < 0 ? rc : 0;
}

int email_template_list(struct store_tx *tx, struct arena *a, const char *shop,
			struct email_template **out, int *n, struct err *e)
{
	int64_t count;
	int rc = store_query_int(tx, e, &count, "SELECT count(*) FROM email_templates WHERE"
				 " shop_id = $1", "s", shop);
	if (rc)
		return rc;
	*n = 0;
	*out = arena_alloc(a, (size_t)(count + 1) * sizeof(**out));
	struct store_stmt *st = store_query(tx, e, "SELECT " TEMPLATE_COLUMNS " FROM email_templates"
		" WHERE shop_id = $1 ORDER BY event_type", "s", shop);
	if (!st)
		return e->kind;
	while (*n < count && (rc = store_step(st, e)) == 1)
		row_to_template(st, a, &(*out)[(*n)++]);
	store_done(st);
	return rc < 0 ? rc : 0;
}

int email_template_delete(struct store_tx *tx, const char *shop, const char *event_type,
			  struct err *e)
{
	int rc = store_exec(tx, e, "DELETE FROM email_templates WHERE shop_id = $1 AND event_type = $2",
			    "ss", shop, event_type);
	if (rc == 0)
		return err_set(e, ERR_NOT_FOUND, "event", "no e-mail template for event type \"%.100s\"",
			       event_type);
	return rc < 0 ? rc : 0;
}

/* ---- settings ---- */

int email_settings_get(struct store_tx *tx, struct arena *a, const char *shop,
		       struct email_settings *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	out->promotional_weekly_cap = EMAIL_WEEKLY_CAP_DEFAULT;
	struct store_stmt *st = store_query(tx, e, "SELECT unsubscribe_url, promotional_weekly_cap,"
		" updated_at FROM email_settings WHERE shop_id = $1", "s", shop);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	if (rc == 1) {
		out->unsubscribe_url = store_text(st, 0) ? arena_strdup(a, store_text(st, 0)) : NULL;
		out->promotional_weekly_cap = store_int(st, 1);
		out->updated_at = store_int(st, 2);
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

static int check_url(const char *url, struct err *e)
{
	if (strlen(url) > EMAIL_URL_MAX || (strncmp(url, "https://", 8) && strncmp(url, "http://", 7)) ||
	    !url[strncmp(url, "https://", 8) ? 7 : 8])
		return err_set(e, ERR_INVALID, "unsubscribe_url", "\"unsubscribe_url\" must be an http(s)"
			       " URL of at most %d bytes", EMAIL_URL_MAX);
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return err_set(e, ERR_INVALID, "unsubscribe_url", "\"unsubscribe_url\" must not"
				       " hold spaces, control or non-ASCII characters");
	return 0;
}

int email_settings_put(struct store_tx *tx, const char *shop, const struct email_settings *in,
		       struct err *e)
{
	int rc;
	if (in->unsubscribe_url && (rc = check_url(in->unsubscribe_url, e)))
		return rc;
	if (in->promotional_weekly_cap < 0 || in->promotional_weekly_cap > EMAIL_WEEKLY_CAP_MAX)
		return err_set(e, ERR_INVALID, "promotional_weekly_cap", "\"promotional_weekly_cap\""
			       " must be 0 to %d", EMAIL_WEEKLY_CAP_MAX);
	rc = store_exec(tx, e, "INSERT INTO email_settings (shop_id, unsubscribe_url,"
		" promotional_weekly_cap, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (shop_id)"
		" DO UPDATE SET unsubscribe_url = excluded.unsubscribe_url,"
		" promotional_weekly_cap = excluded.promotional_weekly_cap,"
		" updated_at = excluded.updated_at", "ssii", shop, in->unsubscribe_url,
		in->promotional_weekly_cap, clock_now_ms());
	return rc < 0 ? rc : 0;
}

/* ---- unsubscribing ---- */

static void sign_with(const char *key, const char *shop, const char *customer,
		      char out[EMAIL_TOKEN_MAX])
{
	char msg[120], mac[SECURE_SHA256_HEX];
	int n = snprintf(msg, sizeof(msg), "unsubscribe\n%s\n%s", shop, customer);
	secure_hmac_sha256_hex(key, msg, (size_t)n, mac);
	snprintf(out, EMAIL_TOKEN_MAX, TOKEN_PREFIX "%s.%s.%s", shop, customer, mac);
}

static int token_for(struct store_tx *tx, const char *shop, const char *customer,
		     char out[EMAIL_TOKEN_MAX], struct err *e)
{
	char key[SECURE_SHA256_HEX];
	int rc = token_derive_key(tx, shop, UNSUBSCRIBE_KEY_LABEL, 1, key, e);
	if (!rc)
		sign_with(key, shop, customer, out);
	return rc;
}

static int invalid_token(struct err *e)
{
	return err_setc(e, ERR_REFUSED, "unsubscribe_token_invalid", "token",
			"invalid unsubscribe token: it was not made by this service");
}

int email_unsubscribe(struct store_tx *tx, const char *token, char shop[ID_MAX],
		      char customer[ID_MAX], struct err *e)
{
	char key[SECURE_SHA256_HEX], expected[EMAIL_TOKEN_MAX];
	if (!token_parts(token, TOKEN_PREFIX, "cus_", shop, customer))
		return invalid_token(e);
	int rc = token_derive_key(tx, shop, UNSUBSCRIBE_KEY_LABEL, 0, key, e);
	if (rc)
		return rc;
	if (!key[0])
		return invalid_token(e);
	sign_with(key, shop, customer, expected);
	if (!secure_equal(expected, token))
		return invalid_token(e);
	rc = store_exec(tx, e, "INSERT INTO email_unsubscribes (shop_id, customer_id, created_at)"
			" VALUES ($1, $2, $3) ON CONFLICT (shop_id, customer_id) DO NOTHING", "ssi",
			shop, customer, clock_now_ms());
	return rc < 0 ? rc : 0;
}

int email_is_unsubscribed(struct store_tx *tx, const char *shop, const char *customer, int *yes,
			  struct err *e)
{
	int64_t n;
	/* The customer's own choice, or that of one merged into it. */
	int rc = store_query_int(tx, e, &n, "SELECT count(*) FROM email_unsubscribes u WHERE"
		" u.shop_id = $1 AND (u.customer_id = $2 OR u.customer_id IN (SELECT id FROM customers"
		" WHERE shop_id = $1 AND merged_into = $2))", "ss", shop, customer);
	*yes = !rc && n > 0;
	return rc;
}

/* ---- the messages ---- */

int email_message_list(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		       const char *starting_after, int limit, struct email_message **out, int *n,
		       int *has_more, struct err *e)
{
	*n = *has_more = 0;
	*out = arena_alloc(a, (size_t)(limit + 1) * sizeof(**out));
	/* "" matches no id and every customer: one statement for both lists. */
	struct store_stmt *st = store_query(tx, e, "SELECT id, event_id, event_type, customer_id, class,"
		" state, reason, last_error, attempts, created_at, coalesce(sent_at, 0), next_attempt_at"
		" FROM email_messages WHERE shop_id = $1 AND ($2 = '' OR customer_id = $2)"
		" AND ($3 = '' OR id < $3) ORDER BY id DESC LIMIT $4", "sssi", shop,
		customer ? customer : "", starting_after ? starting_after : "", (int64_t)limit + 1);
	if (!st)
		return e->kind;
	int rc;
	while ((rc = store_step(st, e)) == 1) {
		if (*n == limit) {
			*has_more = 1;
			break;
		}
		struct email_message *m = &(*out)[(*n)++];
		snprintf(m->id, ID_MAX, "%s", store_text(st, 0));
		m->event_id = arena_strdup(a, store_text(st, 1));
		m->event_type = arena_strdup(a, store_text(st, 2));
		m->customer_id = arena_strdup(a, store_text(st, 3));
		m->class_name = arena_strdup(a, store_text(st, 4));
		m->state = arena_strdup(a, store_text(st, 5));
		m->reason = arena_strdup(a, store_text(st, 6));
		m->last_error = arena_strdup(a, store_text(st, 7));
		m->attempts = store_int(st, 8);
		m->created_at = store_int(st, 9);
		m->sent_at = store_int(st, 10);
		m->next_attempt_at = !strcmp(m->state, "queued") ? store_int(st, 11) : 0;
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

/* ---- rendering a message ---- */

struct shop_mail {
	const char *name, *support_email, *support_phone, *sender_email, *sender_name;
	struct email_settings settings;
};

static const char *link_with_token(struct arena *a, const char *page, const char *token)
{
	return arena_printf(a, "%s%stoken=%s", page, strchr(page, '?') ? "&" : "?", token);
}

/* The line every message ends with: who sent it, where to get help, how to
 * stop the promotional ones. */
/* Where the HTML footer goes: before the last "</body" of a whole document,
 * else at the end. */
static size_t body_end(const struct buf *html)
{
	for (size_t i = html->len; i >= 6 && html->data; i--)
		if (!strncasecmp(html->data + i - 6, "</body", 6))
			return i - 6;
	return html->len;
}

static int append_footer(struct buf *text, struct buf *html, const struct shop_mail *s,
			 const char *link)
{
	size_t at = body_end(html);
	char *tail = html->data && at < html->len ? strdup(html->data + at) : NULL;
	if (tail) {
		html->len = at;
		html->data[at] = '\0';
	}
	int bad = buf_printf(text, "\n\n--\n%s. Questions? %s%s%s\nUnsubscribe: %s\n", s->name,
			     s->support_email, s->support_phone ? ", " : "",
			     s->support_phone ? s->support_phone : "", link);
	bad = bad || buf_puts(html, "\n<hr><p style=\"font-size:12px;color:#666\">") ||
	      template_html_escape(html, s->name, strlen(s->name)) ||
	      buf_puts(html, ". Questions? <a href=\"mailto:") ||
	      template_html_escape(html, s->support_email, strlen(s->support_email)) ||
	      buf_puts(html, "\">") ||
	      template_html_escape(html, s->support_email, strlen(s->support_email)) ||
	      buf_puts(html, "</a>");
	if (!bad && s->support_phone)
		bad = buf_puts(html, ", ") ||
		      template_html_escape(html, s->support_phone, strlen(s->support_phone));
	bad = bad || buf_puts(html, "<br><a href=\"") ||
	      template_html_escape(html, link, strlen(link)) ||
	      buf_puts(html, "\">Unsubscribe</a></p>\n");
	if (tail) {
		bad = bad || buf_puts(html, tail);
		free(tail);
	}
	return bad ? -1 : 0;
}

static int render_part(const char *src, enum template_mode mode, size_t max,
		       const struct template_value *root, struct buf *out, struct err *e)
{
	buf_init(out, max);
	return template_render(src, strlen(src), mode, root, out, e);
}

/* Renders t against root: the subject on one line, text and HTML with the
 * footer. out lives in a. */
static int render_message(struct arena *a, const struct email_template *t,
			  const struct template_value *root, const struct shop_mail *s,
			  const char *link, struct email_rendered *out, struct err *e)
{
	struct buf subject, text, html;
	int rc = render_part(t->subject, TEMPLATE_AS_TEXT, EMAIL_SUBJECT_MAX * 4, root, &subject, e);
	if (!rc)
		rc = render_part(t->text, TEMPLATE_AS_TEXT, EMAIL_OUTPUT_MAX, root, &text, e);
	else
		buf_init(&text, 0);
	if (!rc)
		rc = render_part(t->html, TEMPLATE_AS_HTML, EMAIL_OUTPUT_MAX, root, &html, e);
	else
		buf_init(&html, 0);
	if (!rc && append_footer(&text, &html, s, link))
		rc = err_setc(e, ERR_TOO_LARGE, "template_output_too_large", NULL,
			      "the rendered message is longer than %d bytes", EMAIL_OUTPUT_MAX);
	if (!rc) {
		out->subject = arena_strdup(a, subject.data ? subject.data : "");
		out->text = arena_strdup(a, text.data ? text.data : "");
		out->html = arena_strdup(a, html.data ? html.data : "");
	}
	buf_free(&subject);
	buf_free(&text);
	buf_free(&html);
	return rc;
}

int email_preview(struct arena *a, const struct email_template *in, struct email_rendered *out,
		  struct err *e)
{
	int rc = email_template_check(in, e);
	if (rc)
		return rc;
	struct template_value *root = email_event_sample(a, email_event_find(in->event_type));
	struct shop_mail s = { .name = "Example Shop", .support_email = "help@shop.example",
			       .support_phone = "+44 20 7946 0000" };
	return render_message(a, in, root, &s, "https://shop.example/unsubscribe?token=eut_example",
			      out, e);
}

/* ---- queueing ---- */

struct queued_template {
	const char *shop, *event_type;
	struct email_template t;
	int64_t scanned_until;
};

struct seen_event {
	char id[ID_MAX];
	const char *object_id, *related_id;
	int64_t created_at;
};

static int load_shop_mail(struct store_tx *tx, struct arena *a, const char *shop,
			  struct shop_mail *out, struct err *e)
{
	struct shop s;
	int rc = shop_get(tx, a, shop, &s, e);
	if (!rc)
		rc = email_settings_get(tx, a, shop, &out->settings, e);
	if (rc)
		return rc;
	out->name = s.name;
	out->support_email = s.contact->support_email;
	out->support_phone = s.contact->support_phone;
	out->sender_email = s.contact->sender_email;
	out->sender_name = s.contact->sender_name;
	return 0;
}

struct message_row {
	const char *shop, *event_id, *event_type, *customer;
	enum email_class class;
	const char *reason;			/* NULL: queued */
	const char *recipient;
	struct email_rendered r;
	const char *error;			/* render_failed: why */
	int64_t now;
};

static int insert_message(struct store_tx *tx, const struct message_row *m, struct email_counts *n,
			  struct err *e)
{
	char id[ID_MAX];
	id_new(id, "eml_", m->now);
	int rc = store_exec(tx, e, "INSERT INTO email_messages (shop_id, id, event_id, event_type,"
		" customer_id, class, state, reason, recipient, subject, text_body, html_body,"
		" last_error, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
		" $10, $11, $12, $13, $14, $14) ON CONFLICT (shop_id, event_id, customer_id) DO NOTHING",
		"sssssssssssssi", m->shop, id, m->event_id, m->event_type, m->customer,
		email_class_name(m->class), m->reason ? "skipped" : "queued", m->reason, m->recipient,
		m->r.subject, m->r.text, m->r.html, m->error, m->now);
	if (rc > 0) {
		if (m->reason)
			n->skipped++;
		else
			n->queued++;
	}
	return rc < 0 ? rc : 0;
}

/* Why customer gets no message of this class now, or NULL. */
static int skip_reason(struct store_tx *tx, const char *shop, const char *customer,
		       enum email_class class, const struct shop_mail *s, int64_t now,
		       const char **reason, struct err *e)
{
	int unsubscribed, rc;
	int64_t sent;
	*reason = NULL;
	if (!s->support_email || !s->sender_email) {
		*reason = "no_shop_contact";
		return 0;
	}
	if (!s->settings.unsubscribe_url) {
		*reason = "no_unsubscribe_url";
		return 0;
	}
	if (class != EMAIL_PROMOTIONAL)
		return 0;
	if ((rc = email_is_unsubscribed(tx, shop, customer, &unsubscribed, e)))
		return rc;
	if (unsubscribed) {
		*reason = "unsubscribed";
		return 0;
	}
	if ((rc = store_query_int(tx, e, &sent, "SELECT count(*) FROM email_messages WHERE"
		" shop_id = $1 AND customer_id = $2 AND class = 'promotional' AND state IN ('queued',"
		" 'sent') AND created_at > $3", "ssi", shop, customer, now - WEEK_MS)))
		return rc;
	if (sent >= s->settings.promotional_weekly_cap)
		*reason = "weekly_cap";
	return 0;
}

static const char *text_of(const struct template_value *root, const char *map, const char *name)
{
	for (const struct template_value *m = root->first; m; m = m->next)
		if (m->kind == TEMPLATE_MAP && !strcmp(m->name, map))
			for (const struct template_value *v = m->first; v; v = v->next)
				if (!strcmp(v->name, name))
					return v->kind == TEMPLATE_TEXT ? v->text : NULL;
	return NULL;
}

static int queue_event(struct store_tx *tx, struct arena *a, const struct queued_template *q,
		       const struct seen_event *ev, const struct shop_mail *s, int64_t now,
		       struct email_counts *n, struct err *e)
{
	int event = email_event_find(q->event_type);
	char customer[ID_MAX], token[EMAIL_TOKEN_MAX], created[RFC3339_MAX];
	struct template_value *root = template_map(a);
	struct message_row m = { .shop = q->shop, .event_id = ev->id, .event_type = q->event_type,
				 .class = email_event_class(event), .now = now };
	int rc = email_event_context(tx, a, event, q->shop, ev->object_id, ev->related_id, root,
				     customer, e);
	if (rc || !customer[0])
		return rc;	/* no customer: nobody to write to */
	m.customer = customer;
	m.recipient = text_of(root, "customer", "email");
	if (!m.recipient)
		m.reason = "no_email";
	else if ((rc = skip_reason(tx, q->shop, customer, m.class, s, now, &m.reason, e)))
		return rc;
	if (m.reason) {
		m.recipient = NULL;
		return insert_message(tx, &m, n, e);
	}
	if ((rc = token_for(tx, q->shop, customer, token, e)))
		return rc;
	const char *link = link_with_token(a, s->settings.unsubscribe_url, token);
	struct template_value *shop = template_set_map(a, root, "shop");
	template_set_text(a, shop, "name", s->name);
	template_set_text(a, shop, "support_email", s->support_email);
	template_set_text(a, shop, "support_phone", s->support_phone);
	struct template_value *event_map = template_set_map(a, root, "event");
	template_set_text(a, event_map, "id", ev->id);
	template_set_text(a, event_map, "type", q->event_type);
	rfc3339_format(ev->created_at, created);
	template_set_text(a, event_map, "created_at", created);
	template_set_text(a, root, "unsubscribe_url", link);
	struct err why = { 0 };
	if (render_message(a, &q->t, root, s, link, &m.r, &why)) {
		m.reason = "render_failed";
		m.error = arena_strdup(a, why.message);
		m.recipient = NULL;
		memset(&m.r, 0, sizeof(m.r));
	}
	return insert_message(tx, &m, n, e);
}

static int load_templates(struct store_tx *tx, struct arena *a, struct queued_template **out,
			  int *n, struct err *e)
{
	int64_t count;
	int rc = store_query_int(tx, e, &count, "SELECT count(*) FROM email_templates", "");
	if (rc)
		return rc;
	*n = 0;
	*out = arena_alloc(a, (size_t)(count + 1) * sizeof(**out));
	struct store_stmt *st = store_query(tx, e, "SELECT shop_id, " TEMPLATE_COLUMNS ", scanned_until"
		" FROM email_templates ORDER BY shop_id, event_type", "");
	if (!st)
		return e->kind;
	while (*n < count && (rc = store_step(st, e)) == 1) {
		struct queued_template *q = &(*out)[(*n)++];
		q->shop = arena_strdup(a, store_text(st, 0));
		q->t.event_type = q->event_type = arena_strdup(a, store_text(st, 1));
		q->t.subject = arena_strdup(a, store_text(st, 2));
		q->t.text = arena_strdup(a, store_text(st, 3));
		q->t.html = arena_strdup(a, store_text(st, 4));
		q->scanned_until = store_int(st, 7);
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

/* The events of q's type not yet given a message, oldest first. */
static int load_events(struct store_tx *tx, struct arena *a, const struct queued_template *q,
		       int64_t now, struct seen_event **out, int *n, struct err *e)
{
	int64_t from = q->scanned_until - SCAN_OVERLAP_MS;
	if (from < now - EMAIL_EVENT_MAX_AGE_MS)
		from = now - EMAIL_EVENT_MAX_AGE_MS;
	*n = 0;
	*out = arena_alloc(a, SCAN_BATCH * sizeof(**out));
	struct store_stmt *st = store_query(tx, e, "SELECT e.id, e.object_id, e.related_id, e.created_at"
		" FROM events e WHERE e.shop_id = $1 AND e.type = $2 AND e.created_at >= $3"
		" AND e.created_at <= $4 AND NOT EXISTS (SELECT 1 FROM email_messages m"
		" WHERE m.shop_id = e.shop_id AND m.event_id = e.id) ORDER BY e.created_at, e.id LIMIT 500",
		"ssii", q->shop, q->event_type, from, now);
	if (!st)
		return e->kind;
	int rc = 0;
	while (*n < SCAN_BATCH && (rc = store_step(st, e)) == 1) {
		struct seen_event *ev = &(*out)[(*n)++];
		snprintf(ev->id, ID_MAX, "%s", store_text(st, 0));
		ev->object_id = arena_strdup(a, store_text(st, 1));
		ev->related_id = store_text(st, 2) ? arena_strdup(a, store_text(st, 2)) : NULL;
		ev->created_at = store_int(st, 3);
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

int email_queue_due(struct store_tx *tx, const struct config *cfg, int64_t now,
		    struct email_counts *n, struct err *e)
{
	struct arena a = ARENA_INIT;
	struct queued_template *list;
	int count, rc;
	if (!cfg->smtp_url[0])
		return 0;
	if ((rc = load_templates(tx, &a, &list, &count, e)))
		goto out;
	for (int i = 0; i < count && !rc; i++) {
		struct seen_event *evs;
		struct shop_mail s;
		int nev;
		if ((rc = load_events(tx, &a, &list[i], now, &evs, &nev, e)))
			break;
		if (nev && (rc = load_shop_mail(tx, &a, list[i].shop, &s, e)))
			break;
		for (int k = 0; k < nev && !rc; k++)
			rc = queue_event(tx, &a, &list[i], &evs[k], &s, now, n, e);
		/* A full batch leaves the rest for the next run. */
		int64_t until = nev == SCAN_BATCH ? evs[nev - 1].created_at : now;
		if (!rc && until > list[i].scanned_until)
			rc = store_exec(tx, e, "UPDATE email_templates SET scanned_until = $3 WHERE"
					" shop_id = $1 AND event_type = $2", "ssi", list[i].shop,
					list[i].event_type, until) < 0 ? e->kind : 0;
	}
out:
	arena_free(&a);
	return rc;
}

/* ---- delivery ---- */

struct outgoing {
	char shop[ID_MAX], id[ID_MAX];
	const char *recipient, *from_email, *from_name, *reply_to, *list_unsubscribe;
	const char *subject, *text, *html;
	int64_t attempts;
	int ok, permanent;	/* permanent: refused for good, never retried */
	char error[SMTP_ERROR_MAX];
};

struct claim {
	struct arena *a;
	int64_t now;
	struct outgoing *out;
	int n;
};

/* A claimed message that cannot be sent any more is skipped with its reason,
 * not left queued to be claimed again forever. */
static int skip_claimed(struct store_tx *tx, const char *shop, const char *id, const char *reason,
			struct err *e)
{
	int rc = store_exec(tx, e, "UPDATE email_messages SET state = 'skipped', reason = $3,"
			    " lease_until = NULL WHERE shop_id = $1 AND id = $2", "sss", shop, id, reason);
	return rc < 0 ? rc : 0;
}

static int claim_one(struct store_tx *tx, struct claim *c, const char *shop, const char *id,
		     struct err *e)
{
	int rc = store_exec(tx, e, "UPDATE email_messages SET lease_until = $3, attempts = attempts + 1"
		" WHERE shop_id = $1 AND id = $2 AND state = 'queued' AND (lease_until IS NULL OR"
		" lease_until <= $4)", "ssii", shop, id, c->now + EMAIL_LEASE_MS, c->now);
	if (rc <= 0)
		return rc;
	struct store_stmt *st = store_query(tx, e, "SELECT customer_id, recipient, subject, text_body,"
		" html_body, attempts FROM email_messages WHERE shop_id = $1 AND id = $2", "ss", shop, id);
	if (!st)
		return e->kind;
	struct outgoing *o = &c->out[c->n];
	memset(o, 0, sizeof(*o));
	char customer[ID_MAX] = "";
	if ((rc = store_step(st, e)) == 1) {
		snprintf(customer, sizeof(customer), "%s", store_text(st, 0));
		o->recipient = arena_strdup(c->a, store_text(st, 1));
		o->subject = arena_strdup(c->a, store_text(st, 2));
		o->text = arena_strdup(c->a, store_text(st, 3));
		o->html = arena_strdup(c->a, store_text(st, 4));
		o->attempts = store_int(st, 5);
	}
	store_done(st);
	if (rc < 0)
		return rc;
	if (rc == 0 || !o->recipient)
		return skip_claimed(tx, shop, id, "no_email", e);
	struct shop_mail s;
	char token[EMAIL_TOKEN_MAX];
	if ((rc = load_shop_mail(tx, c->a, shop, &s, e)) || (rc = token_for(tx, shop, customer, token, e)))
		return rc;
	snprintf(o->shop, ID_MAX, "%s", shop);
	snprintf(o->id, ID_MAX, "%s", id);
	o->from_email = s.sender_email ? s.sender_email : s.support_email;
	o->from_name = s.sender_name ? s.sender_name : s.name;
	o->reply_to = s.support_email;
	o->list_unsubscribe = s.settings.unsubscribe_url && s.support_email
		? arena_printf(c->a, "<%s>, <mailto:%s?subject=unsubscribe>",
			       link_with_token(c->a, s.settings.unsubscribe_url, token), s.support_email)
		: NULL;
	if (!o->from_email)	/* the shop's contact went after it was queued */
		return skip_claimed(tx, shop, id, "no_shop_contact", e);
	c->n++;
	return 0;
}

static int claim_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct claim *c = ctx;
	char shops[SEND_BATCH][ID_MAX], ids[SEND_BATCH][ID_MAX];
	int n = 0, rc = 0;
	c->n = 0;
	struct store_stmt *st = store_query(tx, e, "SELECT shop_id, id FROM email_messages"
		" WHERE state = 'queued' AND next_attempt_at <= $1 AND (lease_until IS NULL OR"
		" lease_until <= $1) ORDER BY next_attempt_at, id LIMIT 20", "i", c->now);
	if (!st)
		return e->kind;
	while (n < SEND_BATCH && (rc = store_step(st, e)) == 1) {
		snprintf(shops[n], ID_MAX, "%s", store_text(st, 0));
		snprintf(ids[n++], ID_MAX, "%s", store_text(st, 1));
	}
	store_done(st);
	if (rc < 0)
		return rc;
	for (int i = 0; i < n && !rc; i++)
		rc = claim_one(tx, c, shops[i], ids[i], e);
	return rc;
}

struct mark {
	struct outgoing *o;
	int n;
	int64_t now;
};

static int64_t backoff_ms(int64_t attempts)
{
	int64_t ms = EMAIL_RETRY_FIRST_MS;
	for (int64_t i = 1; i < attempts && ms < EMAIL_RETRY_MAX_MS; i++)
		ms *= 2;
	return ms < EMAIL_RETRY_MAX_MS ? ms : EMAIL_RETRY_MAX_MS;
}

static int mark_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct mark *m = ctx;
	for (int i = 0; i < m->n; i++) {
		struct outgoing *o = &m->o[i];
		int rc;
		if (o->ok)
			rc = store_exec(tx, e, "UPDATE email_messages SET state = 'sent', sent_at = $3,"
				" lease_until = NULL, last_error = NULL WHERE shop_id = $1 AND id = $2"
				" AND state = 'queued'", "ssi", o->shop, o->id, m->now);
		else
			rc = store_exec(tx, e, "UPDATE email_messages SET state = CASE WHEN attempts >= $4"
				" THEN 'failed' ELSE state END, next_attempt_at = $3, lease_until = NULL,"
				" last_error = $5 WHERE shop_id = $1 AND id = $2 AND state = 'queued'", "ssiis",
				o->shop, o->id, m->now + backoff_ms(o->attempts),
				o->permanent ? (int64_t)0 : (int64_t)EMAIL_ATTEMPTS_MAX, o->error);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void send_one(const struct config *cfg, struct outgoing *o)
{
	struct buf msg;
	char message_id[200], domain[100];
	const char *at = strrchr(o->from_email, '@');
	snprintf(domain, sizeof(domain), "%s", at ? at + 1 : "retain.invalid");
	snprintf(message_id, sizeof(message_id), "%.31s.%.31s@%.99s", o->id, o->shop, domain);
	struct mime_message m = { o->from_name, o->from_email, o->recipient, o->reply_to, o->subject,
				  message_id, clock_now_ms(), o->list_unsubscribe, o->text, o->html };
	buf_init(&msg, EMAIL_OUTPUT_MAX * 3);
	if (mime_build(&msg, &m)) {
		snprintf(o->error, sizeof(o->error), "the message is too large to send");
		buf_free(&msg);
		return;
	}
	struct smtp_server server = { cfg->smtp_url, cfg->smtp_user, cfg->smtp_password,
				      (long)cfg->smtp_timeout_seconds };
	long reply = 0;
	o->ok = smtp_send(&server, o->from_email, o->recipient, msg.data, msg.len, o->error, &reply) == 0;
	/* The recipient or the message refused for good; a login refused (535,
	 * 530) is the operator's to fix, so that is retried. */
	o->permanent = reply == 550 || reply == 551 || reply == 553 || reply == 554;
	buf_free(&msg);
}

int email_deliver_due(struct store *st, const struct config *cfg, struct email_counts *n,
		      struct err *e)
{
	int rc = 0;
	if (!cfg->smtp_url[0])
		return 0;
	for (int batch = 0; batch < SEND_BATCHES_MAX && !rc; batch++) {
		struct arena a = ARENA_INIT;
		struct outgoing out[SEND_BATCH];
		struct claim c = { &a, clock_now_ms(), out, 0 };
		rc = store_write(st, claim_tx, &c, e);
		/* Each message is marked at once: a batch of slow sends never
		 * outlives the lease of the ones already sent. */
		for (int i = 0; !rc && i < c.n; i++) {
			send_one(cfg, &out[i]);
			if (out[i].ok)
				n->sent++;
			else if (out[i].permanent || out[i].attempts >= EMAIL_ATTEMPTS_MAX)
				n->failed++;
			else
				n->retried++;
			if (!out[i].ok)
				log_warn("e-mail not sent", ",\"message\":\"%s\",\"attempt\":%lld",
					 out[i].id, (long long)out[i].attempts);
			struct mark m = { &out[i], 1, clock_now_ms() };
			rc = store_write(st, mark_tx, &m, e);
		}
		int done = c.n < SEND_BATCH;
		arena_free(&a);
		if (done)
			break;
	}
	return rc;
}
