-- 021: the dashboard's cached reports (issue 14; analytics/report_cache.h).
-- One row per shop and report kind (overview, cohorts, rfm, clv): the text
-- analytics/dashboard_data.h writes, in format `format`, computed at
-- computed_at (the reports' "to"); claimed_until while a node's jobs thread
-- recomputes it; viewed_at when a page last showed it (kept to the hour), so
-- that the background refresh skips a report nobody has looked at for a week.
-- Read by every node; deleted with a customer's erasure.

CREATE TABLE report_cache (
	shop_id TEXT NOT NULL REFERENCES shops (id),
	report TEXT NOT NULL,
	format INTEGER NOT NULL,
	computed_at INTEGER NOT NULL,
	claimed_until INTEGER,
	viewed_at INTEGER NOT NULL,
	body TEXT NOT NULL,
	detail TEXT,
	PRIMARY KEY (shop_id, report)
) STRICT;
