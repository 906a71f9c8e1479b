/* question.c: see question.h. */
#include "question.h"

#include <stdio.h>
#include <string.h>

#include "../base/clock.h"
#include "customer.h"
#include "event.h"

#define QUESTION_PREFIX "que_"

static const char *dup(struct arena *a, struct store_stmt *st, int col)
{
	return store_is_null(st, col) ? NULL : arena_strdup(a, store_text(st, col));
}

#define COLUMNS "id, customer_id, sku, body, reply_due_at, coalesce(first_answer_at, 0)," \
	" created_at, updated_at," \
	" (SELECT display_name FROM customers WHERE customers.id = questions.customer_id)"

static void row_to_question(struct store_stmt *st, struct arena *a, struct question *q)
{
	memset(q, 0, sizeof(*q));
	snprintf(q->id, sizeof(q->id), "%s", store_text(st, 0));
	q->customer_id = dup(a, st, 1);
	q->sku = dup(a, st, 2);
	q->body = dup(a, st, 3);
	q->reply_due_at = store_int(st, 4);
	q->first_answer_at = store_int(st, 5);
	q->created_at = store_int(st, 6);
	q->updated_at = store_int(st, 7);
	q->author_name = dup(a, st, 8);
}

static int load_answers(struct store_tx *tx, struct arena *a, const char *shop, struct question *q,
			struct err *e)
{
	int64_t n;
	int rc = store_query_int(tx, e, &n, "SELECT count(*) FROM question_answers WHERE shop_id = $1"
				 " AND question_id = $2", "ss", shop, q->id);
	if (rc)
		return rc;
	q->answers = arena_alloc(a, (size_t)(n + 1) * sizeof(*q->answers));
	q->nanswers = 0;
	struct store_stmt *st = store_query(tx, e, "SELECT id, author, customer_id, body, created_at,"
		" (SELECT display_name FROM customers WHERE customers.id = question_answers.customer_id)"
		" FROM question_answers WHERE shop_id = $1 AND question_id = $2 ORDER BY id", "ss", shop,
		q->id);
	if (!st)
		return e->kind;
	while (q->nanswers < n && (rc = store_step(st, e)) == 1) {
		struct question_answer *x = &q->answers[q->nanswers++];
		snprintf(x->id, sizeof(x->id), "%s", store_text(st, 0));
		x->author = dup(a, st, 1);
		x->customer_id = dup(a, st, 2);
		x->body = dup(a, st, 3);
		x->created_at = store_int(st, 4);
		x->author_name = dup(a, st, 5);
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

int question_get(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		 struct question *out, struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT " COLUMNS " FROM questions WHERE"
					    " shop_id = $1 AND id = $2", "ss", shop, id);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	if (rc == 1)
		row_to_question(st, a, out);
	store_done(st);
	if (rc == 0)
		return err_set(e, ERR_NOT_FOUND, "id", "no question \"%s\"", id);
	return rc < 0 ? rc : load_answers(tx, a, shop, out, e);
}

static int check_body(const char *body, struct err *e)
{
	if (!body || !*body)
		return err_setc(e, ERR_INVALID, "parameter_missing", "body", "\"body\" is required");
	if (strlen(body) > QUESTION_BODY_MAX)
		return err_set(e, ERR_INVALID, "body", "\"body\" is at most %d bytes", QUESTION_BODY_MAX);
	return 0;
}

int question_create(struct store_tx *tx, struct arena *a, const char *shop,
		    const struct question_input *in, struct question *out, struct err *e)
{
	char id[ID_MAX], customer[ID_MAX];
	int64_t now = clock_now_ms(), due;
	int erased, rc;
	if (!in->customer || !*in->customer)
		return err_setc(e, ERR_INVALID, "parameter_missing", "customer", "\"customer\" is required");
	if (!in->sku || !*in->sku || strlen(in->sku) > 200)
		return err_set(e, ERR_INVALID, "sku", "\"sku\" is 1 to 200 characters");
	if ((rc = check_body(in->body, e)) ||
	    (rc = customer_resolve(tx, shop, in->customer, "customer", customer, e)) ||
	    (rc = customer_is_erased(tx, shop, customer, "customer", &erased, e)))
		return rc;
	if (erased)
		return err_setc(e, ERR_CONFLICT, "customer_inactive", "customer", "customer \"%s\" is"
				" erased and cannot ask questions", customer);
	if ((rc = review_reply_due(tx, a, shop, now, &due, e)))
		return rc;
	id_new(id, QUESTION_PREFIX, now);
	rc = store_exec(tx, e, "INSERT INTO questions (shop_id, id, customer_id, sku, body,"
			" reply_due_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
			"sssssii", shop, id, customer, in->sku, in->body, due, now);
	if (rc < 0 || (rc = event_record(tx, shop, "question.created", id, customer, e)))
		return rc;
	return question_get(tx, a, shop, id, out, e);
}

int question_list(struct store_tx *tx, struct arena *a, const char *shop, const char *sku,
		  int answered, const char *starting_after, int limit, struct question **out,
		  int *n, int *has_more, struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT " COLUMNS " FROM questions WHERE"
		" shop_id = $1 AND ($2 = '' OR sku = $2) AND ($3 < 0 OR (CASE WHEN first_answer_at IS"
		" NULL THEN 0 ELSE 1 END) = $3) AND ($4 = '' OR id < $4) ORDER BY id DESC LIMIT $5",
		"ssisi", shop, sku ? sku : "", (int64_t)answered, starting_after ? starting_after : "",
		(int64_t)limit + 1);
	int rc = 0;
	if (!st)
		return e->kind;
	*out = arena_alloc(a, (size_t)(limit + 2) * sizeof(**out));
	*n = 0;
	while (*n <= limit && (rc = store_step(st, e)) == 1)
		row_to_question(st, a, &(*out)[(*n)++]);
	store_done(st);
	*has_more = *n > limit;
	if (*has_more)
		*n = limit;
	for (int i = 0; rc >= 0 && i < *n; i++)
		rc = load_answers(tx, a, shop, &(*out)[i], e);
	return rc < 0 ? rc : 0;
}

int question_answer(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		    const char *author, const char *customer_ref, const char *body,
		    struct question *out, struct err *e)
{
	char answer[ID_MAX], customer[ID_MAX] = "";
	int64_t now = clock_now_ms();
	int by_shop = author && !strcmp(author, "shop"), rc;
	if (!author || (!by_shop && strcmp(author, "customer")))
		return err_set(e, ERR_INVALID, "by", "\"by\" is shop or customer");
	if (by_shop && customer_ref)
		return err_set(e, ERR_INVALID, "customer", "the shop's answer names no \"customer\"");
	if (!by_shop && (!customer_ref || !*customer_ref))
		return err_setc(e, ERR_INVALID, "parameter_missing", "customer", "a customer's answer"
				" names its \"customer\"");
	if ((rc = check_body(body, e)) || (rc = question_get(tx, a, shop, id, out, e)))
		return rc;
	if (!by_shop) {
		int verified, erased;
		if ((rc = customer_resolve(tx, shop, customer_ref, "customer", customer, e)) ||
		    (rc = customer_is_erased(tx, shop, customer, "customer", &erased, e)) ||
		    (rc = review_is_verified_buyer(tx, shop, customer, out->sku, &verified, e)))
			return rc;
		if (erased)
			return err_setc(e, ERR_CONFLICT, "customer_inactive", "customer", "customer \"%s\" is"
					" erased and cannot answer questions", customer);
		if (!verified)
			return err_setc(e, ERR_REFUSED, "not_a_verified_buyer", "customer", "only the shop"
					" and verified buyers of \"%s\" answer its questions; customer"
					" \"%s\" has not bought it", out->sku, customer);
	}
	id_new(answer, "ans_", now);
	rc = store_exec(tx, e, "INSERT INTO question_answers (shop_id, question_id, id, author,"
			" customer_id, body, created_at) VALUES ($1, $2, $3, $4, nullif($5, ''), $6, $7)",
			"ssssssi", shop, id, answer, author, customer, body, now);
	if (rc >= 0)
		rc = store_exec(tx, e, "UPDATE questions SET first_answer_at = coalesce(first_answer_at,"
				" $3), updated_at = $3 WHERE shop_id = $1 AND id = $2", "ssi", shop, id, now);
	if (rc < 0 || (rc = event_record(tx, shop, "question.answered", id,
					 by_shop ? out->customer_id : customer, e)))
		return rc;
	return question_get(tx, a, shop, id, out, e);
}

/* ---- the reply queue ---- */

struct due_id {
	char id[ID_MAX];
	int64_t due;
};

static int read_due(struct store_tx *tx, struct arena *a, const char *sql, const char *shop,
		    int64_t after_due, const char *after_id, int limit, struct due_id **out, int *n,
		    struct err *e)
{
	struct store_stmt *st = store_query(tx, e, sql, "siisi", shop, after_due, after_due, after_id,
					    (int64_t)limit + 1);
	int rc = 0;
	if (!st)
		return e->kind;
	*out = arena_alloc(a, (size_t)(limit + 2) * sizeof(**out));
	*n = 0;
	while (*n <= limit && (rc = store_step(st, e)) == 1) {
		snprintf((*out)[*n].id, ID_MAX, "%s", store_text(st, 0));
		(*out)[(*n)++].due = store_int(st, 1);
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

#define REVIEWS_DUE "SELECT id, reply_due_at FROM reviews WHERE shop_id = $1 AND reply_due_at IS" \
	" NOT NULL AND first_reply_at IS NULL AND status <> 'hidden' AND (reply_due_at > $2 OR" \
	" (reply_due_at = $3 AND id > $4)) ORDER BY reply_due_at, id LIMIT $5"
#define QUESTIONS_DUE "SELECT id, reply_due_at FROM questions WHERE shop_id = $1 AND" \
	" first_answer_at IS NULL AND (reply_due_at > $2 OR (reply_due_at = $3 AND id > $4))" \
	" ORDER BY reply_due_at, id LIMIT $5"

/* Ids sort by time after their prefix ("rev_", "que_"): at the same due
 * time, the one written first comes first, whichever its kind. */
static const char *after_prefix(const char *id)
{
	const char *p = strchr(id, '_');
	return p ? p + 1 : id;
}

static int before(const struct due_id *x, const struct due_id *y)
{
	return x->due < y->due ||
	       (x->due == y->due && strcmp(after_prefix(x->id), after_prefix(y->id)) < 0);
}

/* Where the cursor stands: its due time (INT64_MIN before the first). */
static int cursor(struct store_tx *tx, const char *shop, const char *after, int64_t *due,
		  struct err *e)
{
	*due = INT64_MIN;
	if (!after)
		return 0;
	int64_t found;
	int rc = store_query_int(tx, e, &found, "SELECT count(*) FROM reviews WHERE shop_id = $1 AND"
				 " id = $2", "ss", shop, after);
	if (rc)
		return rc;
	rc = store_query_int(tx, e, due, found ? "SELECT reply_due_at FROM reviews WHERE shop_id = $1"
			     " AND id = $2" : "SELECT reply_due_at FROM questions WHERE shop_id = $1 AND"
			     " id = $2", "ss", shop, after);
	if (rc)
		return rc;
	if (!found) {
		int64_t q;
		if ((rc = store_query_int(tx, e, &q, "SELECT count(*) FROM questions WHERE shop_id = $1"
					  " AND id = $2", "ss", shop, after)))
			return rc;
		if (!q)
			return err_set(e, ERR_INVALID, "starting_after", "\"starting_after\" is the id of a"
				       " review or question of the queue");
	}
	return 0;
}

int question_queue(struct store_tx *tx, struct arena *a, const char *shop,
		   const char *starting_after, int limit, struct queue_item **out, int *n,
		   int *has_more, struct err *e)
{
	struct due_id *reviews, *questions;
	int nr, nq, i = 0, j = 0, rc;
	int64_t due;
	/* The cursor in each table's own prefix: the same instant of writing. */
	const char *after = starting_after ? after_prefix(starting_after) : "";
	const char *after_review = arena_printf(a, "rev_%s", after);
	const char *after_question = arena_printf(a, "que_%s", after);
	if ((rc = cursor(tx, shop, starting_after, &due, e)) ||
	    (rc = read_due(tx, a, REVIEWS_DUE, shop, due, after_review, limit, &reviews, &nr, e)) ||
	    (rc = read_due(tx, a, QUESTIONS_DUE, shop, due, after_question, limit, &questions, &nq,
			   e)))
		return rc;
	*out = arena_alloc(a, (size_t)(limit + 1) * sizeof(**out));
	*n = 0;
	while (*n < limit && (i < nr || j < nq)) {
		struct queue_item *q = &(*out)[(*n)++];
		memset(q, 0, sizeof(*q));
		if (j >= nq || (i < nr && before(&reviews[i], &questions[j]))) {
			q->is_review = 1;
			q->due_at = reviews[i].due;
			rc = review_get(tx, a, shop, reviews[i++].id, 0, &q->review, e);
		} else {
			q->due_at = questions[j].due;
			rc = question_get(tx, a, shop, questions[j++].id, &q->question, e);
		}
		if (rc)
			return rc;
	}
	*has_more = i < nr || j < nq;
	return 0;
}
