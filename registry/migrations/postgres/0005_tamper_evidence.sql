-- +goose Up
-- Tamper evidence (issue 16). Declarations stored from now on carry
-- content hash version 2 (ContentHashV2: every field a buyer relies on,
-- visibility and buyers included); those stored before keep version 1.
-- Every declaration is an entry of an append-only hash chain
-- (declaration_chain, see ChainHash), the head of which chain_head holds;
-- appends lock that row (SELECT … FOR UPDATE). An entry may carry an
-- Ed25519 signature (SignedHeadMessage). Declarations stored before this
-- migration are chained in creation order by the first Open after it
-- (backfilled goes 0 → 1 then), in Go, as in SQLite. Triggers keep every
-- table of published data append-only, TRUNCATE included: a
-- declaration's products and buyers can be added only before it is
-- chained, in the transaction that creates it. (declarations_guard of
-- 0001 compares whole rows, so it guards hash_version already.)

ALTER TABLE declarations ADD COLUMN hash_version integer NOT NULL DEFAULT 1 CHECK (hash_version IN (1, 2));

CREATE TABLE declaration_chain (
	seq            bigint PRIMARY KEY CHECK (seq >= 1),
	declaration_id text COLLATE "C" NOT NULL UNIQUE REFERENCES declarations (id),
	content_hash   text NOT NULL,  -- the declaration's content hash, lowercase hex
	chain_hash     text NOT NULL,  -- ChainHash(previous chain_hash, content_hash, seq), lowercase hex
	signature      bytea           -- Ed25519 over SignedHeadMessage(seq, chain_hash), NULL if unsigned
);

CREATE TABLE chain_head (
	id         integer PRIMARY KEY CHECK (id = 1),
	seq        bigint NOT NULL,             -- of the last entry, 0 for an empty chain
	chain_hash text NOT NULL,               -- of the last entry, '' for an empty chain
	backfilled integer NOT NULL CHECK (backfilled IN (0, 1))
);
INSERT INTO chain_head (id, seq, chain_hash, backfilled) VALUES (1, 0, '', 0);

-- Products and buyers only while their declaration is being created.
-- +goose StatementBegin
CREATE FUNCTION declaration_parts_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM declaration_chain c WHERE c.declaration_id = NEW.declaration_id) THEN
		RAISE EXCEPTION 'declarations are immutable';
	END IF;
	RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER declaration_buyers_append_only BEFORE INSERT ON declaration_buyers
	FOR EACH ROW EXECUTE FUNCTION declaration_parts_guard();
CREATE TRIGGER declaration_products_append_only BEFORE INSERT ON declaration_products
	FOR EACH ROW EXECUTE FUNCTION declaration_parts_guard();

-- The chain: entries are appended in order, never changed, never removed;
-- only a missing signature may be added.
-- +goose StatementBegin
CREATE FUNCTION declaration_chain_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		IF NEW.seq IS DISTINCT FROM (SELECT COALESCE(MAX(seq), 0) + 1 FROM declaration_chain) THEN
			RAISE EXCEPTION 'the declaration chain is append-only';
		END IF;
		RETURN NEW;
	END IF;
	IF TG_OP = 'UPDATE' AND OLD.signature IS NULL AND NEW.signature IS NOT NULL
	   AND to_jsonb(NEW) - 'signature' = to_jsonb(OLD) - 'signature' THEN
		RETURN NEW;
	END IF;
	RAISE EXCEPTION 'the declaration chain is append-only';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER declaration_chain_immutable BEFORE INSERT OR UPDATE OR DELETE ON declaration_chain
	FOR EACH ROW EXECUTE FUNCTION declaration_chain_guard();

-- +goose StatementBegin
CREATE FUNCTION chain_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq >= OLD.seq AND NEW.backfilled >= OLD.backfilled THEN
		RETURN NEW;
	END IF;
	RAISE EXCEPTION 'the declaration chain is append-only';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER chain_head_forward BEFORE UPDATE OR DELETE ON chain_head
	FOR EACH ROW EXECUTE FUNCTION chain_head_guard();

-- TRUNCATE skips row triggers: refuse it on every table of published data.
-- +goose StatementBegin
CREATE FUNCTION published_data_untruncatable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'published declarations cannot be truncated';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER declarations_untruncatable BEFORE TRUNCATE ON declarations
	FOR EACH STATEMENT EXECUTE FUNCTION published_data_untruncatable();
CREATE TRIGGER declaration_products_untruncatable BEFORE TRUNCATE ON declaration_products
	FOR EACH STATEMENT EXECUTE FUNCTION published_data_untruncatable();
CREATE TRIGGER declaration_buyers_untruncatable BEFORE TRUNCATE ON declaration_buyers
	FOR EACH STATEMENT EXECUTE FUNCTION published_data_untruncatable();
CREATE TRIGGER declaration_chain_untruncatable BEFORE TRUNCATE ON declaration_chain
	FOR EACH STATEMENT EXECUTE FUNCTION published_data_untruncatable();
CREATE TRIGGER chain_head_untruncatable BEFORE TRUNCATE ON chain_head
	FOR EACH STATEMENT EXECUTE FUNCTION published_data_untruncatable();
