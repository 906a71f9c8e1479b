-- PostgreSQL's 007: the same named CHECK constraints as the SQLite file (read
-- it for what each rule is and why), added in place: PostgreSQL checks the
-- rows already stored when a constraint is added, and a row that breaks one
-- stops the migration with the constraint's name, as on SQLite.
ALTER TABLE orders
	ADD CONSTRAINT orders_amounts_not_negative
		CHECK (subtotal >= 0 AND discount >= 0 AND shipping >= 0 AND tax >= 0 AND total >= 0
		       AND failed_payments >= 0),
	ADD CONSTRAINT orders_paid_within_total CHECK (paid_amount >= 0 AND paid_amount <= total),
	ADD CONSTRAINT orders_refunded_within_paid
		CHECK (refunded_amount >= 0 AND refunded_amount <= paid_amount);
ALTER TABLE order_lines
	ADD CONSTRAINT order_lines_amounts_not_negative
		CHECK (quantity > 0 AND unit_price >= 0 AND discount >= 0),
	ADD CONSTRAINT order_lines_refunded_within_quantity
		CHECK (refunded_quantity >= 0 AND refunded_quantity <= quantity);
ALTER TABLE payments ADD CONSTRAINT payments_amount_not_negative CHECK (amount >= 0);
ALTER TABLE refunds ADD CONSTRAINT refunds_amount_not_negative CHECK (amount >= 0);
ALTER TABLE refund_lines
	ADD CONSTRAINT refund_lines_amounts_not_negative CHECK (quantity > 0 AND amount >= 0);
ALTER TABLE loyalty_lots
	ADD CONSTRAINT loyalty_lots_remaining_within_amount
		CHECK (CASE WHEN kind = 'debt' THEN amount < 0 AND remaining >= amount AND remaining <= 0
			    ELSE amount > 0 AND remaining >= 0 AND remaining <= amount END),
	ADD CONSTRAINT loyalty_lots_clawed_not_negative CHECK (clawed >= 0);
ALTER TABLE order_loyalty
	ADD CONSTRAINT order_loyalty_clawed_within_points
		CHECK (points >= 0 AND clawed >= 0 AND clawed <= points),
	ADD CONSTRAINT order_loyalty_cashback_clawed_within_cashback
		CHECK (cashback >= 0 AND cashback_clawed >= 0 AND cashback_clawed <= cashback),
	ADD CONSTRAINT order_loyalty_counts_not_negative
		CHECK (paid_count >= 0 AND uncollected >= 0 AND expired_unclawed >= 0);
ALTER TABLE milestone_awards
	ADD CONSTRAINT milestone_awards_points_not_negative CHECK (points >= 0);
ALTER TABLE redemptions
	ADD CONSTRAINT redemptions_points_and_value_not_negative CHECK (points >= 0 AND value >= 0);
ALTER TABLE redemption_draws
	ADD CONSTRAINT redemption_draws_points_positive CHECK (points > 0);

-- The CLV fits table, as the SQLite file makes it (read it for what it is),
-- in the types pg.c's translation would give.
CREATE TABLE clv_fits (
	shop_id TEXT COLLATE "C" NOT NULL,
	fitted_at BIGINT NOT NULL,
	currency TEXT COLLATE "C",
	reason TEXT COLLATE "C",
	model TEXT COLLATE "C" NOT NULL,
	claimed_until BIGINT,
	PRIMARY KEY (shop_id)
);
