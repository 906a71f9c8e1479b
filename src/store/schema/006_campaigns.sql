-- 006: campaigns, coupon codes, their redemptions, offers given to customers,
-- treasure-hunt spots and claims, referrals (issue 10, core/campaign.h,
-- core/coupon.h, core/offers.h, core/treasure.h, core/referral.h).
-- Lists (SKUs, categories, channels, tiers, customers, triggers) are stored
-- one item per line; core/campaign.c reads and writes them.

CREATE TABLE campaigns (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	name TEXT NOT NULL,
	type TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('draft', 'active', 'ended')),
	starts_at INTEGER NOT NULL,
	ends_at INTEGER,			-- NULL: open-ended
	timezone TEXT NOT NULL,
	code TEXT,				-- the shared code of a generic or seasonal campaign
	discount_kind TEXT,			-- NULL: an apology that gives points only
	discount_value INTEGER NOT NULL DEFAULT 0 CHECK (discount_value >= 0),
	discount_currency TEXT,
	max_amount INTEGER CHECK (max_amount IS NULL OR max_amount > 0),
	gift TEXT,
	skus TEXT,
	categories TEXT,
	exclude_skus TEXT,
	exclude_categories TEXT,
	min_cart INTEGER CHECK (min_cart IS NULL OR min_cart >= 0),
	currency TEXT,
	first_order_only INTEGER NOT NULL DEFAULT 0,
	channels TEXT,
	total_uses INTEGER CHECK (total_uses IS NULL OR total_uses > 0),
	per_customer INTEGER CHECK (per_customer IS NULL OR per_customer > 0),
	budget INTEGER CHECK (budget IS NULL OR budget > 0),
	target TEXT NOT NULL CHECK (target IN ('all', 'tiers', 'customers', 'segment')),
	target_values TEXT,
	early_tiers TEXT,
	early_days INTEGER NOT NULL DEFAULT 0 CHECK (early_days >= 0),
	stacking TEXT NOT NULL CHECK (stacking IN ('exclusive', 'stackable')),
	max_total_discount INTEGER CHECK (max_total_discount IS NULL OR max_total_discount > 0),
	concurrency TEXT NOT NULL CHECK (concurrency IN ('reject', 'honour')),
	reservation_minutes INTEGER NOT NULL CHECK (reservation_minutes > 0),
	release_on_refund INTEGER NOT NULL DEFAULT 1,
	triggers TEXT,
	points INTEGER NOT NULL DEFAULT 0 CHECK (points >= 0),
	validity_days INTEGER CHECK (validity_days IS NULL OR validity_days > 0),
	delay_days INTEGER NOT NULL DEFAULT 0 CHECK (delay_days >= 0),
	issue_on TEXT,
	referrer_points INTEGER NOT NULL DEFAULT 0 CHECK (referrer_points >= 0),
	referee_points INTEGER NOT NULL DEFAULT 0 CHECK (referee_points >= 0),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	ended_at INTEGER,
	PRIMARY KEY (shop_id, id)
) STRICT;
CREATE INDEX campaigns_by_type ON campaigns (shop_id, type, status);

-- Every code a customer can type. A campaign's shared code, generated or
-- imported single-use codes, and personal codes given to one customer. How
-- often a code was used is read from coupon_redemptions, never counted here.
CREATE TABLE coupon_codes (
	shop_id TEXT NOT NULL,
	code TEXT NOT NULL,			-- upper case, as typed after normalisation
	campaign_id TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('shared', 'single', 'personal', 'referral')),
	source TEXT NOT NULL,
	customer_id TEXT,			-- personal: the only customer who may use it
	owner_id TEXT,				-- referral: the referrer
	valid_from INTEGER,			-- NULL: the campaign's window decides
	expires_at INTEGER,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, code)
) STRICT;
CREATE INDEX coupon_codes_by_campaign ON coupon_codes (shop_id, campaign_id, code);
CREATE INDEX coupon_codes_by_customer ON coupon_codes (shop_id, customer_id)
	WHERE customer_id IS NOT NULL;
CREATE UNIQUE INDEX coupon_codes_by_owner ON coupon_codes (shop_id, campaign_id, owner_id)
	WHERE owner_id IS NOT NULL;

-- A code reserved for an order (status 'reserved' until reserved_until),
-- final once the order is paid, released by a cancel, a refund, a timeout or
-- the shop. The database itself refuses a second live use of a single-use code.
CREATE TABLE coupon_redemptions (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	code TEXT NOT NULL,
	campaign_id TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	order_id TEXT NOT NULL,
	single_use INTEGER NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('reserved', 'final', 'released')),
	currency TEXT NOT NULL,
	discount INTEGER NOT NULL CHECK (discount >= 0),	-- lines and shipping together
	shipping_discount INTEGER NOT NULL CHECK (shipping_discount >= 0),
	lines TEXT NOT NULL,			-- each cart line's discount, space-separated
	overuse INTEGER NOT NULL DEFAULT 0,	-- honoured past a campaign limit
	reserved_until INTEGER NOT NULL,
	release_reason TEXT,
	created_at INTEGER NOT NULL,
	finalized_at INTEGER,
	released_at INTEGER,
	PRIMARY KEY (shop_id, id),
	CHECK (shipping_discount <= discount)
) STRICT;
CREATE INDEX coupon_redemptions_by_campaign ON coupon_redemptions (shop_id, campaign_id, status);
CREATE INDEX coupon_redemptions_by_customer ON coupon_redemptions (shop_id, customer_id, campaign_id);
CREATE INDEX coupon_redemptions_by_order ON coupon_redemptions (shop_id, order_id);
CREATE INDEX coupon_redemptions_by_code ON coupon_redemptions (shop_id, code, status);
CREATE INDEX coupon_redemptions_due ON coupon_redemptions (shop_id, reserved_until)
	WHERE status = 'reserved';
CREATE UNIQUE INDEX coupon_redemptions_one_live_use ON coupon_redemptions (shop_id, code)
	WHERE status <> 'released' AND single_use = 1;
CREATE UNIQUE INDEX coupon_redemptions_one_per_order ON coupon_redemptions (shop_id, order_id, code)
	WHERE status <> 'released';

-- What a campaign gave a customer (a personal code, points, or both), once per
-- cause: "welcome", "next_purchase", "personal", a trigger's cause such as an
-- order or shipment id, a treasure spot. The offer.issued event points here.
CREATE TABLE offer_grants (
	shop_id TEXT NOT NULL,
	campaign_id TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	cause TEXT NOT NULL,
	id TEXT NOT NULL,
	code TEXT,
	points INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, campaign_id, customer_id, cause)
) STRICT;
CREATE INDEX offer_grants_by_customer ON offer_grants (shop_id, customer_id, created_at);

CREATE TABLE treasure_spots (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	campaign_id TEXT NOT NULL,
	page TEXT NOT NULL,
	clue TEXT NOT NULL,
	claims_limit INTEGER NOT NULL CHECK (claims_limit > 0),
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, id)
) STRICT;
CREATE INDEX treasure_spots_by_campaign ON treasure_spots (shop_id, campaign_id, id);

CREATE TABLE treasure_claims (
	shop_id TEXT NOT NULL,
	spot_id TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	code TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, spot_id, customer_id)
) STRICT;

-- A referee is referred once: by the first referral code on a paid order.
CREATE TABLE referrals (
	shop_id TEXT NOT NULL,
	referee_id TEXT NOT NULL,
	referrer_id TEXT NOT NULL,
	campaign_id TEXT NOT NULL,
	code TEXT NOT NULL,
	order_id TEXT NOT NULL,
	referrer_points INTEGER NOT NULL,
	referee_points INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, referee_id)
) STRICT;
CREATE INDEX referrals_by_referrer ON referrals (shop_id, referrer_id);
