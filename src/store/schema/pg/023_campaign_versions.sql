-- PostgreSQL's 023: the same rule as the SQLite file (read it for why), as a
-- row trigger that only sets NEW (the kind Citus runs on a distributed table
-- with citus.enable_unsafe_triggers, since it reads no other row).
CREATE OR REPLACE FUNCTION campaigns_updated_at_grows() RETURNS trigger AS $$
BEGIN
	IF NEW.updated_at <= OLD.updated_at THEN
		NEW.updated_at := OLD.updated_at + 1;
	END IF;
	RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS campaigns_updated_at_grows ON campaigns;
CREATE TRIGGER campaigns_updated_at_grows BEFORE UPDATE ON campaigns
	FOR EACH ROW EXECUTE FUNCTION campaigns_updated_at_grows();
