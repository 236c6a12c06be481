-- +goose Up
-- Declaration metadata (issue 18): what the publisher states about the
-- installation beside the footprint (name, address, UN/LOCODE,
-- coordinates, contact, verifier, data-quality notes), a JSON object kept
-- as the exact bytes given, NULL when none. ContentHashV2 covers it when it
-- is present (see registry.ContentHashV2), so declarations stored before
-- keep their hashes.

ALTER TABLE declarations ADD COLUMN metadata TEXT;

-- The declarations trigger of 0005, with metadata guarded too.
DROP TRIGGER declarations_immutable;
-- +goose StatementBegin
CREATE TRIGGER declarations_immutable BEFORE UPDATE ON declarations
WHEN NOT (OLD.status = 'active' AND NEW.status = 'deprecated')
	OR NEW.id IS NOT OLD.id OR NEW.org_id IS NOT OLD.org_id OR NEW.kind IS NOT OLD.kind
	OR NEW.product_name IS NOT OLD.product_name OR NEW.product_ids IS NOT OLD.product_ids
	OR NEW.region IS NOT OLD.region OR NEW.period_start IS NOT OLD.period_start
	OR NEW.period_end IS NOT OLD.period_end OR NEW.visibility IS NOT OLD.visibility
	OR NEW.buyers IS NOT OLD.buyers OR NEW.supersedes IS NOT OLD.supersedes
	OR NEW.version IS NOT OLD.version OR NEW.request IS NOT OLD.request
	OR NEW.result IS NOT OLD.result OR NEW.dataset_version IS NOT OLD.dataset_version
	OR NEW.engine_version IS NOT OLD.engine_version OR NEW.content_hash IS NOT OLD.content_hash
	OR NEW.total_tco2e_per_t IS NOT OLD.total_tco2e_per_t OR NEW.created_at IS NOT OLD.created_at
	OR NEW.hash_version IS NOT OLD.hash_version OR NEW.metadata IS NOT OLD.metadata
BEGIN
	SELECT RAISE(ABORT, 'declarations are immutable');
END;
-- +goose StatementEnd
