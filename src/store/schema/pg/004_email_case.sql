-- 004 on PostgreSQL: nothing to fold. The SQLite migration re-normalises
-- e-mail addresses stored before issue 8 with retain_fold_email, a function
-- only sqlite.c registers; no PostgreSQL database existed before issue 9, so
-- every address in one was stored already folded by the API's own code.
SELECT 1;
