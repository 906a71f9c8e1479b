-- 012: product and order reviews, their replies, votes and moderation
-- history, questions with their answers, and the shop's review settings
-- (issue 12, core/review.h, core/question.h). A review keeps its rating
-- forever (an erasure blanks its words and its author, not its stars);
-- review_history is append-only: no statement of retain updates or deletes
-- a row of it.

CREATE TABLE review_settings (
	shop_id TEXT NOT NULL,
	moderation TEXT NOT NULL CHECK (moderation IN ('auto', 'manual')),
	reply_hours INTEGER NOT NULL CHECK (reply_hours BETWEEN 1 AND 8760),
	open_tickets INTEGER NOT NULL CHECK (open_tickets IN (0, 1)),
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id)
) STRICT;

CREATE TABLE reviews (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	customer_id TEXT,			-- NULL once its author was erased
	author_erased INTEGER NOT NULL DEFAULT 0 CHECK (author_erased IN (0, 1)),
	sku TEXT,				-- a product's review, or
	order_id TEXT,				-- an order's review: exactly one of them
	rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
	title TEXT,
	body TEXT,
	photos TEXT,				-- URLs, one per line
	status TEXT NOT NULL CHECK (status IN ('pending', 'published', 'hidden')),
	verified_buyer INTEGER NOT NULL CHECK (verified_buyer IN (0, 1)),
	incentive_points INTEGER NOT NULL DEFAULT 0 CHECK (incentive_points >= 0),
	incentivized_by_shop INTEGER NOT NULL DEFAULT 0 CHECK (incentivized_by_shop IN (0, 1)),
	helpful INTEGER NOT NULL DEFAULT 0,
	unhelpful INTEGER NOT NULL DEFAULT 0,
	replies INTEGER NOT NULL DEFAULT 0,	-- how many rows of review_replies it has
	reply_due_at INTEGER,			-- ratings of 3 or less: the reply target
	first_reply_at INTEGER,
	ticket_id TEXT,				-- the ticket a negative review opened
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	published_at INTEGER,
	PRIMARY KEY (shop_id, id),
	CHECK ((sku IS NULL) <> (order_id IS NULL))
) STRICT;
-- The showcase reads a product's (or the shop's) published reviews best first
-- straight from these, backwards; the summary counts ratings from them.
CREATE INDEX reviews_showcase_by_sku ON reviews (shop_id, sku, status, rating, helpful,
	verified_buyer, created_at, id);
CREATE INDEX reviews_showcase ON reviews (shop_id, status, rating, helpful, verified_buyer,
	created_at, id);
CREATE INDEX reviews_by_status ON reviews (shop_id, status, id);
CREATE INDEX reviews_by_customer ON reviews (shop_id, customer_id, id);
CREATE INDEX reviews_by_order ON reviews (shop_id, order_id) WHERE order_id IS NOT NULL;
CREATE INDEX reviews_awaiting_reply ON reviews (shop_id, reply_due_at, id)
	WHERE reply_due_at IS NOT NULL AND first_reply_at IS NULL;

CREATE TABLE review_replies (
	shop_id TEXT NOT NULL,
	review_id TEXT NOT NULL,
	id TEXT NOT NULL,
	body TEXT NOT NULL,
	public INTEGER NOT NULL CHECK (public IN (0, 1)),
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, review_id, id)
) STRICT;

CREATE TABLE review_votes (
	shop_id TEXT NOT NULL,
	review_id TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, review_id, customer_id)
) STRICT;
CREATE INDEX review_votes_by_customer ON review_votes (shop_id, customer_id);

CREATE TABLE review_history (
	shop_id TEXT NOT NULL,
	review_id TEXT NOT NULL,
	seq INTEGER NOT NULL,
	action TEXT NOT NULL CHECK (action IN ('created', 'published', 'hidden', 'restored',
		'replied', 'erased')),
	reason TEXT CHECK (reason IS NULL OR reason IN ('spam', 'profanity', 'personal_data',
		'off_topic')),
	detail TEXT,
	at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, review_id, seq),
	CHECK (action <> 'hidden' OR reason IS NOT NULL)
) STRICT;

CREATE TABLE questions (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	customer_id TEXT,			-- NULL once its author was erased
	sku TEXT NOT NULL,
	body TEXT,				-- NULL once its author was erased
	reply_due_at INTEGER NOT NULL,
	first_answer_at INTEGER,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, id)
) STRICT;
CREATE INDEX questions_by_sku ON questions (shop_id, sku, id);
CREATE INDEX questions_by_customer ON questions (shop_id, customer_id, id);
CREATE INDEX questions_awaiting_answer ON questions (shop_id, reply_due_at, id)
	WHERE first_answer_at IS NULL;

CREATE TABLE question_answers (
	shop_id TEXT NOT NULL,
	question_id TEXT NOT NULL,
	id TEXT NOT NULL,
	author TEXT NOT NULL CHECK (author IN ('shop', 'customer')),
	customer_id TEXT,
	body TEXT,				-- NULL once its author was erased
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, question_id, id)
) STRICT;
CREATE INDEX question_answers_by_customer ON question_answers (shop_id, customer_id)
	WHERE customer_id IS NOT NULL;
