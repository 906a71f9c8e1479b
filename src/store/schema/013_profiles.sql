-- 013: interests, friends and profiles (issue 12, core/interest.h,
-- core/friend.h, core/profile.h). The shop keeps a catalogue of interests
-- (each may tag products by SKU); a customer holds some of them, each with
-- its own visibility; friendships are kept once per side, so that each
-- customer's list is one index range and a removal deletes both rows.
-- A profile shows a display name, never the customer's name, e-mail or phone;
-- marketing consent decides what the shop itself may read and target.

ALTER TABLE customers ADD COLUMN display_name TEXT;
ALTER TABLE customers ADD COLUMN marketing_consent INTEGER NOT NULL DEFAULT 0
	CHECK (marketing_consent IN (0, 1));
ALTER TABLE customers ADD COLUMN marketing_consent_at INTEGER;	-- the last change of it

CREATE TABLE interests (
	shop_id TEXT NOT NULL,
	interest_key TEXT NOT NULL,
	name TEXT NOT NULL,
	position INTEGER NOT NULL,
	retired_at INTEGER,			-- dropped from the catalogue while customers held it
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, interest_key)
) STRICT;

CREATE TABLE interest_skus (
	shop_id TEXT NOT NULL,
	interest_key TEXT NOT NULL,
	sku TEXT NOT NULL,
	PRIMARY KEY (shop_id, interest_key, sku)
) STRICT;
CREATE INDEX interest_skus_by_sku ON interest_skus (shop_id, sku);

CREATE TABLE customer_interests (
	shop_id TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	interest_key TEXT NOT NULL,
	visibility TEXT NOT NULL CHECK (visibility IN ('everyone', 'friends', 'only_me')),
	position INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, customer_id, interest_key)
) STRICT;
CREATE INDEX customer_interests_by_interest ON customer_interests (shop_id, interest_key, customer_id);

CREATE TABLE friendships (
	shop_id TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	friend_id TEXT NOT NULL,
	-- outgoing: customer asked friend; incoming: friend asked customer
	state TEXT NOT NULL CHECK (state IN ('outgoing', 'incoming', 'accepted')),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, customer_id, friend_id),
	CHECK (customer_id <> friend_id)
) STRICT;
CREATE INDEX friendships_by_friend ON friendships (shop_id, friend_id);
