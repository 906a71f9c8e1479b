-- 007: CHECK constraints, so that states the domain never produces cannot be
-- stored at all (issue 9): no points lot below zero or above what it was
-- credited (a debt lot is the mirror: between its negative amount and zero),
-- no order refunded above what was paid or paid above its total, no negative
-- amount of money, points or units, no line refunded for more units than it
-- has, no claw-back above what the order earned. Each rule is what
-- src/core/ledger.c and order.c already keep (docs/decisions.md, issue 9:
-- CHECK constraints); the constraint makes a bug or a hand-made write fail
-- loudly instead of storing it. A cashback wallet's "never below zero" is a
-- sum over rows, which no CHECK can state: the SERIALIZABLE write keeps it.
--
-- SQLite cannot add a constraint to a table, so each table is rebuilt the way
-- its documentation says (https://sqlite.org/lang_altertable.html#otheralter):
-- a new table, the rows copied, the old one dropped, the new one renamed, its
-- indexes made again with their names and definitions unchanged. No view,
-- trigger or foreign key refers to these tables. A row that breaks a rule
-- (only a bug or a hand edit can have made one; `retain check` names such
-- lots) stops the migration with the constraint's name and changes nothing.
-- PostgreSQL adds the same named constraints in place (pg/007_checks.sql).
-- 007 also makes clv_fits, the CLV fits shared by every node (at the end).

CREATE TABLE orders_new (
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
	UNIQUE (shop_id, external_id),
	CONSTRAINT orders_amounts_not_negative
		CHECK (subtotal >= 0 AND discount >= 0 AND shipping >= 0 AND tax >= 0 AND total >= 0
		       AND failed_payments >= 0),
	CONSTRAINT orders_paid_within_total CHECK (paid_amount >= 0 AND paid_amount <= total),
	CONSTRAINT orders_refunded_within_paid
		CHECK (refunded_amount >= 0 AND refunded_amount <= paid_amount)
) STRICT;
INSERT INTO orders_new (shop_id, id, external_id, customer_id, currency, subtotal, discount,
	shipping, tax, total, channel, seller, status, paid_amount, refunded_amount,
	failed_payments, placed_at, promised_delivery_at, fingerprint, created_at, updated_at)
SELECT shop_id, id, external_id, customer_id, currency, subtotal, discount,
	shipping, tax, total, channel, seller, status, paid_amount, refunded_amount,
	failed_payments, placed_at, promised_delivery_at, fingerprint, created_at, updated_at
FROM orders;
DROP TABLE orders;
ALTER TABLE orders_new RENAME TO orders;
CREATE INDEX orders_by_customer ON orders (shop_id, customer_id, id);
CREATE INDEX orders_by_customer_time ON orders (shop_id, customer_id, placed_at, status,
	currency, paid_amount, refunded_amount, channel);

CREATE TABLE order_lines_new (
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
	PRIMARY KEY (shop_id, order_id, position),
	CONSTRAINT order_lines_amounts_not_negative
		CHECK (quantity > 0 AND unit_price >= 0 AND discount >= 0),
	CONSTRAINT order_lines_refunded_within_quantity
		CHECK (refunded_quantity >= 0 AND refunded_quantity <= quantity)
) STRICT;
INSERT INTO order_lines_new (shop_id, order_id, position, sku, name, category, quantity,
	unit_price, discount, refunded_quantity)
SELECT shop_id, order_id, position, sku, name, category, quantity,
	unit_price, discount, refunded_quantity
FROM order_lines;
DROP TABLE order_lines;
ALTER TABLE order_lines_new RENAME TO order_lines;

CREATE TABLE payments_new (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	order_id TEXT NOT NULL,
	external_id TEXT,
	status TEXT NOT NULL CHECK (status IN ('paid', 'failed')),
	amount INTEGER NOT NULL,
	method TEXT,
	failure_reason TEXT,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, id),
	CONSTRAINT payments_amount_not_negative CHECK (amount >= 0)
) STRICT;
INSERT INTO payments_new (shop_id, id, order_id, external_id, status, amount, method,
	failure_reason, created_at)
SELECT shop_id, id, order_id, external_id, status, amount, method, failure_reason, created_at
FROM payments;
DROP TABLE payments;
ALTER TABLE payments_new RENAME TO payments;
CREATE INDEX payments_by_order ON payments (shop_id, order_id, id);
CREATE UNIQUE INDEX payments_by_external_id ON payments (shop_id, order_id, external_id)
	WHERE external_id IS NOT NULL;

CREATE TABLE refunds_new (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	order_id TEXT NOT NULL,
	external_id TEXT NOT NULL,
	amount INTEGER NOT NULL,
	reason TEXT,
	fingerprint TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, id),
	UNIQUE (shop_id, order_id, external_id),
	CONSTRAINT refunds_amount_not_negative CHECK (amount >= 0)
) STRICT;
INSERT INTO refunds_new (shop_id, id, order_id, external_id, amount, reason, fingerprint,
	created_at)
SELECT shop_id, id, order_id, external_id, amount, reason, fingerprint, created_at
FROM refunds;
DROP TABLE refunds;
ALTER TABLE refunds_new RENAME TO refunds;
CREATE INDEX refunds_by_order ON refunds (shop_id, order_id, id);

CREATE TABLE refund_lines_new (
	shop_id TEXT NOT NULL,
	refund_id TEXT NOT NULL,
	line_position INTEGER NOT NULL,
	quantity INTEGER NOT NULL,
	amount INTEGER NOT NULL,
	PRIMARY KEY (shop_id, refund_id, line_position),
	CONSTRAINT refund_lines_amounts_not_negative CHECK (quantity > 0 AND amount >= 0)
) STRICT;
INSERT INTO refund_lines_new (shop_id, refund_id, line_position, quantity, amount)
SELECT shop_id, refund_id, line_position, quantity, amount
FROM refund_lines;
DROP TABLE refund_lines;
ALTER TABLE refund_lines_new RENAME TO refund_lines;

-- A lot's remaining moves between zero and its amount: spends, claw-backs and
-- expiry take at most what is there, a cancelled redemption puts back what it
-- took (redemption_draws), a debt repayment pays at most what is owed. A debt
-- lot (refund_policy "debt") is credited a negative amount and repaid towards
-- zero; every other lot is credited a positive amount.
CREATE TABLE loyalty_lots_new (
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
	PRIMARY KEY (shop_id, id),
	CONSTRAINT loyalty_lots_remaining_within_amount
		CHECK (CASE WHEN kind = 'debt' THEN amount < 0 AND remaining >= amount AND remaining <= 0
			    ELSE amount > 0 AND remaining >= 0 AND remaining <= amount END),
	CONSTRAINT loyalty_lots_clawed_not_negative CHECK (clawed >= 0)
) STRICT;
INSERT INTO loyalty_lots_new (shop_id, id, customer_id, kind, amount, remaining, clawed,
	available_at, expires_at, reminded_at, order_id, program_version, note, created_at)
SELECT shop_id, id, customer_id, kind, amount, remaining, clawed,
	available_at, expires_at, reminded_at, order_id, program_version, note, created_at
FROM loyalty_lots;
DROP TABLE loyalty_lots;
ALTER TABLE loyalty_lots_new RENAME TO loyalty_lots;
CREATE INDEX loyalty_lots_by_customer ON loyalty_lots (shop_id, customer_id, expires_at);
CREATE INDEX loyalty_lots_by_order ON loyalty_lots (shop_id, order_id) WHERE order_id IS NOT NULL;
CREATE INDEX loyalty_lots_by_expiry ON loyalty_lots (shop_id, expires_at) WHERE remaining > 0;

-- What an order earned and what its refunds took back: a claw-back's target
-- is at most what was earned (ledger_clawback_target), in points and in cashback.
CREATE TABLE order_loyalty_new (
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
	uncollected INTEGER NOT NULL DEFAULT 0,
	expired_unclawed INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (shop_id, order_id),
	CONSTRAINT order_loyalty_clawed_within_points
		CHECK (points >= 0 AND clawed >= 0 AND clawed <= points),
	CONSTRAINT order_loyalty_cashback_clawed_within_cashback
		CHECK (cashback >= 0 AND cashback_clawed >= 0 AND cashback_clawed <= cashback),
	CONSTRAINT order_loyalty_counts_not_negative
		CHECK (paid_count >= 0 AND uncollected >= 0 AND expired_unclawed >= 0)
) STRICT;
INSERT INTO order_loyalty_new (shop_id, order_id, customer_id, points, clawed, program_version,
	paid_count, cashback, cashback_clawed, created_at, uncollected, expired_unclawed)
SELECT shop_id, order_id, customer_id, points, clawed, program_version,
	paid_count, cashback, cashback_clawed, created_at, uncollected, expired_unclawed
FROM order_loyalty;
DROP TABLE order_loyalty;
ALTER TABLE order_loyalty_new RENAME TO order_loyalty;
CREATE INDEX order_loyalty_uncollected ON order_loyalty (shop_id, customer_id) WHERE uncollected > 0;

CREATE TABLE milestone_awards_new (
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
	PRIMARY KEY (shop_id, id),
	CONSTRAINT milestone_awards_points_not_negative CHECK (points >= 0)
) STRICT;
INSERT INTO milestone_awards_new (shop_id, id, customer_id, order_id, rule, points, gift, lot_id,
	status, created_at)
SELECT shop_id, id, customer_id, order_id, rule, points, gift, lot_id, status, created_at
FROM milestone_awards;
DROP TABLE milestone_awards;
ALTER TABLE milestone_awards_new RENAME TO milestone_awards;
CREATE INDEX milestone_awards_by_order ON milestone_awards (shop_id, order_id, id);

CREATE TABLE redemptions_new (
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
	PRIMARY KEY (shop_id, id),
	CONSTRAINT redemptions_points_and_value_not_negative CHECK (points >= 0 AND value >= 0)
) STRICT;
INSERT INTO redemptions_new (shop_id, id, customer_id, reward_key, kind, name, points, value,
	code, order_id, status, created_at, cancelled_at)
SELECT shop_id, id, customer_id, reward_key, kind, name, points, value,
	code, order_id, status, created_at, cancelled_at
FROM redemptions;
DROP TABLE redemptions;
ALTER TABLE redemptions_new RENAME TO redemptions;
CREATE INDEX redemptions_by_customer ON redemptions (shop_id, customer_id, id);
CREATE INDEX redemptions_by_customer_reward ON redemptions (shop_id, customer_id, reward_key);
CREATE INDEX redemptions_by_reward ON redemptions (shop_id, reward_key, status);
CREATE UNIQUE INDEX redemptions_by_code ON redemptions (shop_id, code) WHERE code IS NOT NULL;

-- A draw is points taken from a lot, so putting it back never takes any.
CREATE TABLE redemption_draws_new (
	shop_id TEXT NOT NULL,
	redemption_id TEXT NOT NULL,
	lot_id TEXT NOT NULL,
	points INTEGER NOT NULL,
	PRIMARY KEY (shop_id, redemption_id, lot_id),
	CONSTRAINT redemption_draws_points_positive CHECK (points > 0)
) STRICT;
INSERT INTO redemption_draws_new (shop_id, redemption_id, lot_id, points)
SELECT shop_id, redemption_id, lot_id, points
FROM redemption_draws;
DROP TABLE redemption_draws;
ALTER TABLE redemption_draws_new RENAME TO redemption_draws;

-- Each shop's CLV fit (issue 9, several nodes): written by the node whose
-- refresh holds the fits' lock (analytics/clv_cache.c), read by every node.
-- model is the fit's parameters and summary as "name value" lines;
-- claimed_until, while set and ahead, says a node is refitting it.
CREATE TABLE clv_fits (
	shop_id TEXT NOT NULL,
	fitted_at INTEGER NOT NULL,
	currency TEXT,
	reason TEXT,
	model TEXT NOT NULL,
	claimed_until INTEGER,
	PRIMARY KEY (shop_id)
) STRICT;
