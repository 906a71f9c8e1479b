-- 015: outgoing webhooks (issue 13, core/webhook.h). An endpoint subscribes to
-- event types by pattern ("points.earned", "offer.*", "*"); every event that
-- matches gets a delivery row in the same transaction as the event itself
-- (core/event.c), delivered in order per queue (the customer, else the
-- event's object) with retries; every attempt is kept for the shop to see.

CREATE TABLE webhook_endpoints (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	url TEXT NOT NULL,
	description TEXT,
	events TEXT NOT NULL,			-- the patterns as given, space-separated
	secret TEXT NOT NULL,			-- "whsec_..." (it signs, so it is kept)
	previous_secret TEXT,			-- signs beside it until previous_until
	previous_until INTEGER,
	status TEXT NOT NULL CHECK (status IN ('enabled', 'disabled')),
	disabled_reason TEXT,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, id)
) STRICT;

CREATE TABLE webhook_endpoint_events (
	shop_id TEXT NOT NULL,
	pattern TEXT NOT NULL,
	endpoint_id TEXT NOT NULL,
	PRIMARY KEY (shop_id, pattern, endpoint_id)
) STRICT;
CREATE INDEX webhook_endpoint_events_by_endpoint ON webhook_endpoint_events (shop_id, endpoint_id);

CREATE TABLE webhook_deliveries (
	shop_id TEXT NOT NULL,
	endpoint_id TEXT NOT NULL,
	event_id TEXT NOT NULL,
	queue TEXT NOT NULL,			-- events of one queue go in event order
	state TEXT NOT NULL CHECK (state IN ('pending', 'delivered')),
	attempts INTEGER NOT NULL,
	next_attempt_at INTEGER NOT NULL,
	leased_until INTEGER NOT NULL,		-- a node is sending it until then
	first_failed_at INTEGER,
	delivered_at INTEGER,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, endpoint_id, event_id)
) STRICT;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_queue ON webhook_deliveries (shop_id, endpoint_id, queue, state, event_id);
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (shop_id, event_id);

CREATE TABLE webhook_attempts (
	shop_id TEXT NOT NULL,
	endpoint_id TEXT NOT NULL,
	id TEXT NOT NULL,
	event_id TEXT NOT NULL,
	attempt INTEGER NOT NULL,
	at INTEGER NOT NULL,
	duration_ms INTEGER NOT NULL,
	status_code INTEGER NOT NULL,		-- 0: no HTTP answer (see error)
	error TEXT,
	PRIMARY KEY (shop_id, endpoint_id, id)
) STRICT;
