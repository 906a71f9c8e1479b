/*
 * queues.c: the queues page: the reviews waiting for the shop's reply (the
 * reply queue of core/question.h, reviews of REVIEW_QUEUE_MAX_RATING stars or
 * less, by due time) and the open and pending tickets by their next due time
 * (the first response while none was sent, then the resolution), each with a
 * reply form: review_reply() (POST /v1/reviews/{id}/replies) and
 * ticket_add_message() as an agent (POST /v1/tickets/{id}/messages).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../base/clock.h"
#include "../base/rfc3339.h"
#include "../core/question.h"
#include "../core/review.h"
#include "../core/ticket.h"
#include "web.h"

#define QUEUE_MAX 100

struct queues {
	struct web *w;
	struct queue_item *items;
	int nitems;
	struct ticket *tickets;
	int ntickets;
};

static int64_t ticket_due(const struct ticket *t)
{
	int64_t due = !t->first_response_at && t->first_response_due_at ? t->first_response_due_at
									: t->resolution_due_at;
	return due ? due : INT64_MAX;
}

static int by_due(const void *a, const void *b)
{
	const struct ticket *x = a, *y = b;
	int64_t u = ticket_due(x), v = ticket_due(y);
	return u < v ? -1 : u > v ? 1 : strcmp(x->id, y->id);
}

static int queues_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct queues *q = ctx;
	struct arena *a = &q->w->r->arena;
	struct ticket *open, *pending;
	int nopen, npending, more, rc;
	if ((rc = question_queue(tx, a, q->w->shop, NULL, QUEUE_MAX, &q->items, &q->nitems, &more, e)))
		return rc;
	struct ticket_filter f = { "open", NULL, -1, 0 };
	if ((rc = ticket_list(tx, a, q->w->shop, &f, NULL, QUEUE_MAX, &open, &nopen, &more, e)))
		return rc;
	f.status = "pending";
	if ((rc = ticket_list(tx, a, q->w->shop, &f, NULL, QUEUE_MAX, &pending, &npending, &more, e)))
		return rc;
	q->tickets = arena_alloc(a, sizeof(*q->tickets) * (size_t)(nopen + npending + 1));
	memcpy(q->tickets, open, sizeof(*open) * (size_t)nopen);
	memcpy(q->tickets + nopen, pending, sizeof(*pending) * (size_t)npending);
	q->ntickets = nopen + npending;
	qsort(q->tickets, (size_t)q->ntickets, sizeof(*q->tickets), by_due);
	return 0;
}

static void time_cell(struct web *w, int64_t at)
{
	char t[RFC3339_MAX];
	if (at == INT64_MAX || !at) {
		html_raw(&w->out, "–");
		return;
	}
	rfc3339_format(at, t);
	html_printf(&w->out, "<time datetime=\"%s\">%s</time>%s", t, t,
		    at < clock_now_ms() ? " <strong class=\"error\">overdue</strong>" : "");
}

static void customer_link(struct web *w, const char *id, const char *name)
{
	if (!id) {
		html_text(&w->out, name ? name : "(erased)");
		return;
	}
	html_raw(&w->out, "<a href=\"/dashboard/customers/");
	html_url(&w->out, id);
	html_raw(&w->out, "\">");
	html_text(&w->out, name ? name : id);
	html_raw(&w->out, "</a>");
}

static void reviews(struct web *w, struct queues *q)
{
	html_raw(&w->out, "<h2>Reviews to answer</h2><table id=\"review-queue\"><thead><tr><th>Due</th>"
			  "<th>Rating</th><th>Review</th><th>Customer</th><th>Reply</th></tr></thead><tbody>");
	for (int i = 0; i < q->nitems; i++) {
		const struct review *r = &q->items[i].review;
		if (!q->items[i].is_review)
			continue;
		html_raw(&w->out, "<tr data-review=\"");
		html_text(&w->out, r->id);
		html_printf(&w->out, "\" data-rating=\"%lld\"><td>", (long long)r->rating);
		time_cell(w, q->items[i].due_at);
		html_printf(&w->out, "</td><td>%lld ★</td><td><strong>", (long long)r->rating);
		html_text(&w->out, r->title);
		html_raw(&w->out, "</strong><p class=\"review-body\">");
		html_text(&w->out, r->body);
		html_raw(&w->out, "</p><small>");
		html_text(&w->out, r->sku);
		html_raw(&w->out, "</small></td><td>");
		customer_link(w, r->customer_id, r->author_name);
		html_raw(&w->out, "</td><td><form method=\"post\" class=\"reply\" action=\"/dashboard/reviews/");
		html_url(&w->out, r->id);
		html_raw(&w->out, "/reply\">");
		web_csrf_field(w);
		html_raw(&w->out, "<textarea name=\"body\" required aria-label=\"Reply\"></textarea><label>"
				  "<input type=\"checkbox\" name=\"public\" value=\"1\" checked> shown with the"
				  " review</label><button type=\"submit\">Reply</button></form></td></tr>");
	}
	html_raw(&w->out, "</tbody></table>");
}

static void tickets(struct web *w, struct queues *q)
{
	html_raw(&w->out, "<h2>Tickets by due time</h2><table id=\"ticket-queue\"><thead><tr><th>Due</th>"
			  "<th>Ticket</th><th>Status</th><th>Customer</th><th>Reply</th></tr></thead><tbody>");
	for (int i = 0; i < q->ntickets; i++) {
		const struct ticket *t = &q->tickets[i];
		html_raw(&w->out, "<tr data-ticket=\"");
		html_text(&w->out, t->id);
		html_raw(&w->out, "\"><td>");
		time_cell(w, ticket_due(t));
		html_raw(&w->out, "</td><td>");
		html_text(&w->out, t->subject);
		html_raw(&w->out, "<br><small>");
		html_text(&w->out, t->channel);
		html_raw(&w->out, " · ");
		html_text(&w->out, t->id);
		html_raw(&w->out, "</small></td><td>");
		html_text(&w->out, t->status);
		html_raw(&w->out, "</td><td>");
		customer_link(w, t->customer_id, NULL);
		html_raw(&w->out, "</td><td><form method=\"post\" class=\"reply\" action=\"/dashboard/tickets/");
		html_url(&w->out, t->id);
		html_raw(&w->out, "/reply\">");
		web_csrf_field(w);
		html_raw(&w->out, "<input name=\"agent\" required placeholder=\"Your name\" aria-label=\"Agent\">"
				  "<textarea name=\"body\" required aria-label=\"Message\"></textarea>"
				  "<button type=\"submit\">Send</button></form></td></tr>");
	}
	html_raw(&w->out, "</tbody></table>");
}

static int queues_page(struct web *w, struct err *e)
{
	struct queues *q = arena_alloc(&w->r->arena, sizeof(*q));
	memset(q, 0, sizeof(*q));
	q->w = w;
	int rc = web_read(w, queues_tx, q, e);
	if (rc)
		return rc;
	web_page_begin(w, "Queues", "queues");
	html_raw(&w->out, "<h1>Queues</h1>");
	reviews(w, q);
	tickets(w, q);
	web_page_end(w);
	return 0;
}

int web_queues(struct req *r, struct err *e)
{
	return web_run(r, e, queues_page, 0);
}

/* ---- the replies ---- */

struct reply {
	struct web *w;
	const char *id, *body, *agent;
	int public;
};

static int review_reply_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct reply *p = ctx;
	struct review out;
	return review_reply(tx, &p->w->r->arena, p->w->shop, p->id, p->body, p->public, &out, e);
}

static int ticket_reply_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct reply *p = ctx;
	struct ticket out;
	struct ticket_message_input in = { "agent", p->agent, p->body };
	return ticket_add_message(tx, &p->w->r->arena, p->w->shop, p->id, &in, &out, e);
}

static int reply_post(struct web *w, struct err *e, store_fn fn)
{
	const char *pub = web_form(w, "public");
	struct reply p = { w, req_param(w->r, 0), web_form(w, "body"), web_form(w, "agent"),
			   pub && !strcmp(pub, "1") };
	if (p.agent && !p.agent[0])
		p.agent = NULL;
	int rc = web_write(w, fn, &p, e);
	if (rc)
		return rc;
	web_redirect(w, "/dashboard/queues");
	return 0;
}

static int review_post(struct web *w, struct err *e)
{
	return reply_post(w, e, review_reply_tx);
}

static int ticket_post(struct web *w, struct err *e)
{
	return reply_post(w, e, ticket_reply_tx);
}

int web_review_reply(struct req *r, struct err *e)
{
	return web_run(r, e, review_post, 0);
}

int web_ticket_reply(struct req *r, struct err *e)
{
	return web_run(r, e, ticket_post, 0);
}
