-- 009: support tickets, their messages, and the shop's service-level
-- policies with their business-hours calendars (issue 11, core/ticket.h,
-- core/sla.h). Due times are computed when a ticket is opened or changes
-- priority; the breach columns are set once, by the jobs.

CREATE TABLE sla_policies (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	name TEXT NOT NULL,
	timezone TEXT NOT NULL,
	weekdays INTEGER NOT NULL,		-- bit d: weekday d (1 Monday .. 7 Sunday) works
	start_minute INTEGER NOT NULL,
	end_minute INTEGER NOT NULL,
	holidays TEXT,				-- "YYYY-MM-DD" per line
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, id),
	CHECK (start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440)
) STRICT;

CREATE TABLE sla_targets (
	shop_id TEXT NOT NULL,
	policy_id TEXT NOT NULL,
	position INTEGER NOT NULL,
	priority TEXT,				-- NULL: any
	channel TEXT,				-- NULL: any
	first_response_minutes INTEGER NOT NULL CHECK (first_response_minutes > 0),
	resolution_minutes INTEGER NOT NULL CHECK (resolution_minutes > 0),
	PRIMARY KEY (shop_id, policy_id, position)
) STRICT;

CREATE TABLE tickets (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	order_id TEXT,
	channel TEXT NOT NULL,
	subject TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('open', 'pending', 'solved', 'closed')),
	priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
	tags TEXT,
	assignee TEXT,
	source TEXT,				-- NULL: the shop; "survey": a detractor's answer
	policy_id TEXT,
	first_response_due_at INTEGER,
	resolution_due_at INTEGER,
	first_response_at INTEGER,
	solved_at INTEGER,
	closed_at INTEGER,
	first_response_breached_at INTEGER,
	resolution_breached_at INTEGER,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, id)
) STRICT;
CREATE INDEX tickets_by_customer ON tickets (shop_id, customer_id, id);
CREATE INDEX tickets_by_status ON tickets (shop_id, status, id);
CREATE INDEX tickets_first_response_due ON tickets (shop_id, first_response_due_at)
	WHERE first_response_at IS NULL AND first_response_breached_at IS NULL;
CREATE INDEX tickets_resolution_due ON tickets (shop_id, resolution_due_at)
	WHERE solved_at IS NULL AND resolution_breached_at IS NULL;

CREATE TABLE ticket_messages (
	shop_id TEXT NOT NULL,
	ticket_id TEXT NOT NULL,
	id TEXT NOT NULL,
	author TEXT NOT NULL CHECK (author IN ('customer', 'agent')),
	agent TEXT,
	body TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, ticket_id, id)
) STRICT;
