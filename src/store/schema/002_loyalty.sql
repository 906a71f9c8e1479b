-- 002: the loyalty programme (versioned configuration) and the points ledger.
-- Points live in lots; every movement is an entry linked to its lot and cause,
-- so that a lot's remaining always equals the sum of its entries (retain check).

CREATE TABLE program_versions (
	shop_id TEXT NOT NULL,
	version INTEGER NOT NULL,
	body TEXT NOT NULL,		-- core/program.c's line format
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, version)
) STRICT;

CREATE TABLE loyalty_lots (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('earn', 'milestone', 'bonus', 'manual', 'debt')),
	amount INTEGER NOT NULL,
	remaining INTEGER NOT NULL,
	clawed INTEGER NOT NULL DEFAULT 0,
	available_at INTEGER NOT NULL,
	expires_at INTEGER,			-- NULL: never
	reminded_at INTEGER,
	order_id TEXT,
	program_version INTEGER,
	note TEXT,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, id)
) STRICT;
CREATE INDEX loyalty_lots_by_customer ON loyalty_lots (shop_id, customer_id, expires_at);
CREATE INDEX loyalty_lots_by_order ON loyalty_lots (shop_id, order_id) WHERE order_id IS NOT NULL;
CREATE INDEX loyalty_lots_by_expiry ON loyalty_lots (shop_id, expires_at) WHERE remaining > 0;

CREATE TABLE loyalty_entries (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	lot_id TEXT,				-- NULL only for audit entries of 0 points
	delta INTEGER NOT NULL,
	reason TEXT NOT NULL,
	order_id TEXT,
	redemption_id TEXT,
	note TEXT,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, id)
) STRICT;
CREATE INDEX loyalty_entries_by_customer ON loyalty_entries (shop_id, customer_id, id);
CREATE INDEX loyalty_entries_by_lot ON loyalty_entries (shop_id, lot_id);

-- Points each order line earned, for exact proportional claw-back.
CREATE TABLE order_line_points (
	shop_id TEXT NOT NULL,
	order_id TEXT NOT NULL,
	position INTEGER NOT NULL,		-- the line; -1 for shipping and tax
	points INTEGER NOT NULL,
	PRIMARY KEY (shop_id, order_id, position)
) STRICT;

CREATE TABLE order_loyalty (
	shop_id TEXT NOT NULL,
	order_id TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	points INTEGER NOT NULL,
	clawed INTEGER NOT NULL DEFAULT 0,
	program_version INTEGER NOT NULL,
	paid_count INTEGER NOT NULL,		-- the customer's paid orders, this one included
	cashback INTEGER NOT NULL DEFAULT 0,	-- store credit earned, in the order's currency
	cashback_clawed INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, order_id)
) STRICT;

CREATE TABLE milestone_awards (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	order_id TEXT NOT NULL,
	rule TEXT NOT NULL,			-- "every 5", "at 50"
	points INTEGER NOT NULL,
	gift TEXT,
	lot_id TEXT,
	status TEXT NOT NULL CHECK (status IN ('active', 'voided')),
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, id)
) STRICT;
CREATE INDEX milestone_awards_by_order ON milestone_awards (shop_id, order_id, id);

CREATE TABLE loyalty_accounts (
	shop_id TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	tier TEXT,
	tier_since INTEGER,
	PRIMARY KEY (shop_id, customer_id)
) STRICT;

CREATE TABLE redemptions (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	reward_key TEXT,			-- NULL: points as a discount on an order
	kind TEXT NOT NULL,
	name TEXT NOT NULL,
	points INTEGER NOT NULL,
	value INTEGER NOT NULL,			-- minor units (discounts) or percent
	code TEXT,				-- single-use code, for discounts and free shipping
	order_id TEXT,
	status TEXT NOT NULL CHECK (status IN ('active', 'cancelled')),
	created_at INTEGER NOT NULL,
	cancelled_at INTEGER,
	PRIMARY KEY (shop_id, id)
) STRICT;
CREATE INDEX redemptions_by_customer ON redemptions (shop_id, customer_id, id);
CREATE INDEX redemptions_by_customer_reward ON redemptions (shop_id, customer_id, reward_key);
CREATE INDEX redemptions_by_reward ON redemptions (shop_id, reward_key, status);
CREATE UNIQUE INDEX redemptions_by_code ON redemptions (shop_id, code) WHERE code IS NOT NULL;

-- Which lots a redemption drew its points from, so a cancellation puts them
-- back where they were, with their original expiry.
CREATE TABLE redemption_draws (
	shop_id TEXT NOT NULL,
	redemption_id TEXT NOT NULL,
	lot_id TEXT NOT NULL,
	points INTEGER NOT NULL,
	PRIMARY KEY (shop_id, redemption_id, lot_id)
) STRICT;

-- The key a shop's customer tokens are signed with (HMAC-SHA256), made on first use.
ALTER TABLE shops ADD COLUMN token_secret TEXT;

-- Cashback: store credit per currency, append-only; the balance is the sum.
CREATE TABLE cashback_entries (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	currency TEXT NOT NULL,
	delta INTEGER NOT NULL,
	reason TEXT NOT NULL,
	order_id TEXT,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, id)
) STRICT;
CREATE INDEX cashback_entries_by_customer ON cashback_entries (shop_id, customer_id, currency);
