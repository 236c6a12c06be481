-- +goose Up
-- Tamper evidence (issue 16). Declarations stored from now on carry
-- content hash version 2 (ContentHashV2: every field a buyer relies on,
-- visibility and buyers included); those stored before keep version 1.
-- Every declaration is an entry of an append-only hash chain
-- (declaration_chain, see ChainHash), the head of which chain_head holds
-- and may carry an Ed25519 signature (SignedHeadMessage). Declarations
-- stored before this migration are chained in creation order by the
-- first Open after it (backfilled goes 0 → 1 then), as SQLite cannot
-- compute SHA-256. Triggers keep every table of published data
-- append-only: a declaration's products and buyers can be added only
-- before it is chained, in the transaction that creates it.

ALTER TABLE declarations ADD COLUMN hash_version INTEGER NOT NULL DEFAULT 1 CHECK (hash_version IN (1, 2));

CREATE TABLE declaration_chain (
	seq            INTEGER PRIMARY KEY CHECK (seq >= 1),
	declaration_id TEXT NOT NULL UNIQUE REFERENCES declarations (id),
	content_hash   TEXT NOT NULL,  -- the declaration's content hash, lowercase hex
	chain_hash     TEXT NOT NULL,  -- ChainHash(previous chain_hash, content_hash, seq), lowercase hex
	signature      BLOB            -- Ed25519 over SignedHeadMessage(seq, chain_hash), NULL if unsigned
) STRICT;

CREATE TABLE chain_head (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	seq        INTEGER NOT NULL,            -- of the last entry, 0 for an empty chain
	chain_hash TEXT NOT NULL,               -- of the last entry, '' for an empty chain
	backfilled INTEGER NOT NULL CHECK (backfilled IN (0, 1))
) STRICT;
INSERT INTO chain_head (id, seq, chain_hash, backfilled) VALUES (1, 0, '', 0);

-- The declarations trigger of 0001, with hash_version guarded too.
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
	OR NEW.hash_version IS NOT OLD.hash_version
BEGIN
	SELECT RAISE(ABORT, 'declarations are immutable');
END;
-- +goose StatementEnd

-- Products and buyers only while their declaration is being created.
-- +goose StatementBegin
CREATE TRIGGER declaration_buyers_append_only BEFORE INSERT ON declaration_buyers
WHEN EXISTS (SELECT 1 FROM declaration_chain c WHERE c.declaration_id = NEW.declaration_id)
BEGIN
	SELECT RAISE(ABORT, 'declarations are immutable');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER declaration_products_append_only BEFORE INSERT ON declaration_products
WHEN EXISTS (SELECT 1 FROM declaration_chain c WHERE c.declaration_id = NEW.declaration_id)
BEGIN
	SELECT RAISE(ABORT, 'declarations are immutable');
END;
-- +goose StatementEnd

-- The chain: entries are appended in order, never changed, never removed;
-- only a missing signature may be added.
-- +goose StatementBegin
CREATE TRIGGER declaration_chain_in_order BEFORE INSERT ON declaration_chain
WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM declaration_chain)
BEGIN
	SELECT RAISE(ABORT, 'the declaration chain is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER declaration_chain_immutable BEFORE UPDATE ON declaration_chain
WHEN OLD.signature IS NOT NULL OR NEW.signature IS NULL
	OR NEW.seq IS NOT OLD.seq OR NEW.declaration_id IS NOT OLD.declaration_id
	OR NEW.content_hash IS NOT OLD.content_hash OR NEW.chain_hash IS NOT OLD.chain_hash
BEGIN
	SELECT RAISE(ABORT, 'the declaration chain is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER declaration_chain_undeletable BEFORE DELETE ON declaration_chain
BEGIN
	SELECT RAISE(ABORT, 'the declaration chain is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER chain_head_forward BEFORE UPDATE ON chain_head
WHEN NEW.id IS NOT OLD.id OR NEW.seq < OLD.seq OR NEW.backfilled < OLD.backfilled
BEGIN
	SELECT RAISE(ABORT, 'the declaration chain is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER chain_head_undeletable BEFORE DELETE ON chain_head
BEGIN
	SELECT RAISE(ABORT, 'the declaration chain is append-only');
END;
-- +goose StatementEnd
