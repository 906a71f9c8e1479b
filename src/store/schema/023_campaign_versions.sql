-- 023: a campaign's updated_at grows with every write of its row, whoever
-- writes it. core/campaign.c makes it grow itself (campaign_update,
-- campaign_end); this catches any other writer (an UPDATE typed by hand, a
-- node of an older version during an upgrade), because the campaign cache
-- takes updated_at for the row's version (campaign_get_at; docs/decisions-speed.md,
-- "Issue 10 bench: the campaign cache"). The inner UPDATE does not fire the
-- trigger again (SQLite's recursive_triggers is off, and it makes the
-- condition false anyway).
CREATE TRIGGER IF NOT EXISTS campaigns_updated_at_grows AFTER UPDATE ON campaigns
	WHEN NEW.updated_at <= OLD.updated_at
BEGIN
	UPDATE campaigns SET updated_at = OLD.updated_at + 1
		WHERE shop_id = NEW.shop_id AND id = NEW.id;
END;
