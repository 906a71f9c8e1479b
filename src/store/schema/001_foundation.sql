-- 001: shops, keys, customers and their identities, orders, payments, refunds,
-- events and idempotency keys. Every key starts with shop_id so that the tables
-- can be distributed by shop (Citus); api_keys is a lookup table by key hash
-- (a reference table in a distributed deployment).

CREATE TABLE shops (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE api_keys (
	key_hash TEXT PRIMARY KEY,
	shop_id TEXT NOT NULL REFERENCES shops (id),
	kind TEXT NOT NULL CHECK (kind IN ('secret', 'publishable')),
	hint TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER
) STRICT;
CREATE INDEX api_keys_by_shop ON api_keys (shop_id);

CREATE TABLE customers (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	external_id TEXT,
	name TEXT,
	email TEXT,
	phone TEXT,
	status TEXT NOT NULL CHECK (status IN ('guest', 'account', 'merged', 'erased')),
	account_invite_due_at INTEGER,
	account_created_at INTEGER,
	merged_into TEXT,
	orders_count INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, id)
) STRICT;
CREATE UNIQUE INDEX customers_by_external_id ON customers (shop_id, external_id)
	WHERE external_id IS NOT NULL;

CREATE TABLE customer_identities (
	shop_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	value TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, kind, value)
) STRICT;
CREATE INDEX customer_identities_by_customer ON customer_identities (shop_id, customer_id, kind, value);

CREATE TABLE customer_addresses (
	shop_id TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	position INTEGER NOT NULL,
	name TEXT,
	line1 TEXT NOT NULL,
	line2 TEXT,
	city TEXT NOT NULL,
	region TEXT,
	postal_code TEXT,
	country TEXT NOT NULL,
	phone TEXT,
	PRIMARY KEY (shop_id, customer_id, position)
) STRICT;

CREATE TABLE orders (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	external_id TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	currency TEXT NOT NULL,
	subtotal INTEGER NOT NULL,
	discount INTEGER NOT NULL,
	shipping INTEGER NOT NULL,
	tax INTEGER NOT NULL,
	total INTEGER NOT NULL,
	channel TEXT NOT NULL,
	seller TEXT,
	status TEXT NOT NULL,
	paid_amount INTEGER NOT NULL DEFAULT 0,
	refunded_amount INTEGER NOT NULL DEFAULT 0,
	failed_payments INTEGER NOT NULL DEFAULT 0,
	placed_at INTEGER NOT NULL,
	promised_delivery_at INTEGER,
	fingerprint TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, id),
	UNIQUE (shop_id, external_id)
) STRICT;
CREATE INDEX orders_by_customer ON orders (shop_id, customer_id, id);
-- Covers a customer's purchase history in time order: loyalty counts and tier
-- metrics, and the retention reports' scan (no table reads, no sort).
CREATE INDEX orders_by_customer_time ON orders (shop_id, customer_id, placed_at, status,
	currency, paid_amount, refunded_amount, channel);

CREATE TABLE order_lines (
	shop_id TEXT NOT NULL,
	order_id TEXT NOT NULL,
	position INTEGER NOT NULL,
	sku TEXT NOT NULL,
	name TEXT,
	category TEXT,
	quantity INTEGER NOT NULL,
	unit_price INTEGER NOT NULL,
	discount INTEGER NOT NULL,
	refunded_quantity INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (shop_id, order_id, position)
) STRICT;

CREATE TABLE payments (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	order_id TEXT NOT NULL,
	external_id TEXT,
	status TEXT NOT NULL CHECK (status IN ('paid', 'failed')),
	amount INTEGER NOT NULL,
	method TEXT,
	failure_reason TEXT,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, id)
) STRICT;
CREATE INDEX payments_by_order ON payments (shop_id, order_id, id);
CREATE UNIQUE INDEX payments_by_external_id ON payments (shop_id, order_id, external_id)
	WHERE external_id IS NOT NULL;

CREATE TABLE refunds (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	order_id TEXT NOT NULL,
	external_id TEXT NOT NULL,
	amount INTEGER NOT NULL,
	reason TEXT,
	fingerprint TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, id),
	UNIQUE (shop_id, order_id, external_id)
) STRICT;
CREATE INDEX refunds_by_order ON refunds (shop_id, order_id, id);

CREATE TABLE refund_lines (
	shop_id TEXT NOT NULL,
	refund_id TEXT NOT NULL,
	line_position INTEGER NOT NULL,
	quantity INTEGER NOT NULL,
	amount INTEGER NOT NULL,
	PRIMARY KEY (shop_id, refund_id, line_position)
) STRICT;

-- The outbox: one row per state change. Later versions deliver webhooks from it.
CREATE TABLE events (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	type TEXT NOT NULL,
	object_id TEXT NOT NULL,
	related_id TEXT,
	created_at INTEGER NOT NULL,
	delivered_at INTEGER,
	PRIMARY KEY (shop_id, id)
) STRICT;
CREATE INDEX events_by_object ON events (shop_id, object_id);

CREATE TABLE idempotency_keys (
	shop_id TEXT NOT NULL,
	key TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	status_code INTEGER NOT NULL,
	response_body TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, key)
) STRICT;
