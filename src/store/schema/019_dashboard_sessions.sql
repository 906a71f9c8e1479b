-- 019: dashboard sessions (issue 14, core/session.h). A sign-in at
-- /dashboard makes a random session id (libsodium, 43 base62 characters);
-- the browser keeps it in a cookie and only its SHA-256 is stored here, so a
-- copy of the database opens no session. shop_id is NULL while an operator
-- has not picked a shop yet. A session ends 12 h after it was last seen or
-- 7 d after it was made, whichever comes first; sign-out deletes its row.

CREATE TABLE dashboard_sessions (
	id_hash TEXT PRIMARY KEY,
	shop_id TEXT REFERENCES shops (id),
	operator INTEGER NOT NULL CHECK (operator IN (0, 1)),
	created_at INTEGER NOT NULL,
	seen_at INTEGER NOT NULL
) STRICT;
CREATE INDEX dashboard_sessions_by_created ON dashboard_sessions (created_at);
