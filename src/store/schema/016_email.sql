-- 016: e-mail to customers (issue 13, core/email.h, docs/email.md). A shop's
-- template per event type; the jobs find the events of each template's type
-- since its scanned_until, and write one message per (event, customer):
-- queued (rendered, to send), sent, failed (retries used up) or skipped (the
-- reason says why none is sent). An unsubscribed customer gets only the
-- transactional messages.

CREATE TABLE email_templates (
	shop_id TEXT NOT NULL,
	event_type TEXT NOT NULL,
	subject TEXT NOT NULL,
	text_body TEXT NOT NULL,
	html_body TEXT NOT NULL,
	scanned_until INTEGER NOT NULL,		-- events created before were looked at
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, event_type)
) STRICT;

CREATE TABLE email_settings (
	shop_id TEXT NOT NULL,
	unsubscribe_url TEXT,			-- the shop's page that takes ?token=
	promotional_weekly_cap INTEGER NOT NULL CHECK (promotional_weekly_cap >= 0),
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id)
) STRICT;

CREATE TABLE email_unsubscribes (
	shop_id TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, customer_id)
) STRICT;

CREATE TABLE email_messages (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	event_id TEXT NOT NULL,
	event_type TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	class TEXT NOT NULL CHECK (class IN ('transactional', 'promotional')),
	state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed', 'skipped')),
	reason TEXT,				-- skipped: why
	recipient TEXT,				-- NULL once the customer is erased
	subject TEXT,
	text_body TEXT,
	html_body TEXT,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	lease_until INTEGER,			-- a node is sending it until then
	last_error TEXT,
	created_at INTEGER NOT NULL,
	sent_at INTEGER,
	PRIMARY KEY (shop_id, id),
	UNIQUE (shop_id, event_id, customer_id)
) STRICT;
CREATE INDEX email_messages_due ON email_messages (next_attempt_at) WHERE state = 'queued';
CREATE INDEX email_messages_by_customer ON email_messages (shop_id, customer_id, class, created_at);

-- The scan of one template's events (core/email.c).
CREATE INDEX events_by_type_time ON events (shop_id, type, created_at);
