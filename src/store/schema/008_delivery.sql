-- 008: shipments of orders, their carrier events and the late-delivery mark
-- (issue 11, core/shipment.h). A shipment's state is derived from its events'
-- times, so events may arrive in any order; the columns below the events are
-- that derivation, kept in the same write as each event.

CREATE TABLE shipments (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	order_id TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	external_id TEXT NOT NULL,
	fingerprint TEXT NOT NULL,		-- of the request that made it
	carrier TEXT NOT NULL,
	region TEXT,
	partner TEXT,
	tracking_id TEXT,
	promised_delivery_at INTEGER,		-- NULL: no promise, never late
	status TEXT NOT NULL CHECK (status IN ('created', 'shipped', 'out_for_delivery',
		'delivered', 'failed_attempt', 'returned', 'damaged')),
	shipped_at INTEGER,
	delivered_at INTEGER,			-- the first delivered event's time
	damaged INTEGER NOT NULL DEFAULT 0,
	returned INTEGER NOT NULL DEFAULT 0,
	customer_caused INTEGER NOT NULL DEFAULT 0,	-- a failed attempt, customer absent, by the promise
	late_at INTEGER,			-- when the job found the promise passed undelivered
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, id)
) STRICT;
CREATE UNIQUE INDEX shipments_by_external ON shipments (shop_id, external_id);
CREATE INDEX shipments_by_order ON shipments (shop_id, order_id, id);
CREATE INDEX shipments_due ON shipments (shop_id, promised_delivery_at)
	WHERE late_at IS NULL AND delivered_at IS NULL AND promised_delivery_at IS NOT NULL;

CREATE TABLE shipment_lines (
	shop_id TEXT NOT NULL,
	shipment_id TEXT NOT NULL,
	position INTEGER NOT NULL,
	sku TEXT NOT NULL,
	quantity INTEGER NOT NULL CHECK (quantity > 0),
	PRIMARY KEY (shop_id, shipment_id, position)
) STRICT;

CREATE TABLE shipment_events (
	shop_id TEXT NOT NULL,
	shipment_id TEXT NOT NULL,
	external_id TEXT NOT NULL,
	type TEXT NOT NULL CHECK (type IN ('shipped', 'out_for_delivery', 'delivered',
		'failed_attempt', 'returned', 'damaged')),
	at INTEGER NOT NULL,
	reason TEXT CHECK (reason IS NULL OR reason IN ('customer_absent', 'address_wrong', 'carrier')),
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, shipment_id, external_id)
) STRICT;
CREATE INDEX shipment_events_by_time ON shipment_events (shop_id, shipment_id, at);
