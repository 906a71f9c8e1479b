-- 004: e-mail addresses lower-cased in every script, not only in ASCII (issue 8).
-- Addresses stored before kept their non-ASCII capitals, so a lookup of the
-- folded form would miss them and create a second customer. Fold them with the
-- API's own code (retain_fold_email, registered by the store). Where the folded
-- address already belongs to another row (two customers for one address, made
-- before this fix) the old row is left as it was: docs/decisions.md says how to
-- find and merge them.
UPDATE OR IGNORE customer_identities SET value = retain_fold_email(value)
	WHERE kind = 'email' AND value <> retain_fold_email(value);
UPDATE customers SET email = retain_fold_email(email)
	WHERE email IS NOT NULL AND email <> retain_fold_email(email)
	AND EXISTS (SELECT 1 FROM customer_identities i WHERE i.shop_id = customers.shop_id
		AND i.kind = 'email' AND i.value = retain_fold_email(customers.email)
		AND i.customer_id = customers.id);
