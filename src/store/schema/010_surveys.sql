-- 010: the shop's contact for customer-facing messages and its surveys
-- (issue 11, core/shop.h, core/survey.h). A survey is sent (state 'sent')
-- after an order's first delivery (NPS) or a ticket's first solve (CSAT),
-- once per cause, and answered once through its signed token.

ALTER TABLE shops ADD COLUMN support_email TEXT;
ALTER TABLE shops ADD COLUMN support_phone TEXT;
ALTER TABLE shops ADD COLUMN sender_email TEXT;
ALTER TABLE shops ADD COLUMN sender_name TEXT;
ALTER TABLE shops ADD COLUMN survey_url TEXT;
ALTER TABLE shops ADD COLUMN contact_updated_at INTEGER;

CREATE TABLE surveys (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('nps', 'csat')),
	cause TEXT NOT NULL,			-- the order (nps) or the ticket (csat) it follows
	customer_id TEXT NOT NULL,
	order_id TEXT,
	ticket_id TEXT,
	shipment_id TEXT,			-- the delivery that sent an nps survey
	channel TEXT NOT NULL,			-- of the order or the ticket
	state TEXT NOT NULL CHECK (state IN ('sent', 'answered')),
	score INTEGER,
	comment TEXT,
	suggestion TEXT,
	tier TEXT,				-- the customer's tier when answering
	follow_up_ticket_id TEXT,		-- the ticket a detractor's answer opened
	sent_at INTEGER NOT NULL,
	answered_at INTEGER,
	PRIMARY KEY (shop_id, id),
	CHECK ((state = 'sent') = (score IS NULL)),
	CHECK (score IS NULL OR (kind = 'nps' AND score BETWEEN 0 AND 10)
		OR (kind = 'csat' AND score BETWEEN 1 AND 5))
) STRICT;
CREATE UNIQUE INDEX surveys_by_cause ON surveys (shop_id, kind, cause);
CREATE INDEX surveys_by_customer ON surveys (shop_id, customer_id, id);
CREATE INDEX surveys_by_answer ON surveys (shop_id, answered_at) WHERE answered_at IS NOT NULL;
