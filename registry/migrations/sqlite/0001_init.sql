-- +goose Up
-- Registry schema, SQLite. Timestamps are integer Unix microseconds (UTC);
-- JSON documents are stored as the exact text received.

CREATE TABLE organisations (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE api_keys (
	id         TEXT PRIMARY KEY,
	org_id     TEXT NOT NULL REFERENCES organisations (id),
	prefix     TEXT NOT NULL UNIQUE,  -- public start of the key, for lookup
	key_hash   BLOB NOT NULL,         -- SHA-256 of the whole key
	created_at INTEGER NOT NULL,
	revoked_at INTEGER
) STRICT;
CREATE INDEX api_keys_org ON api_keys (org_id);

CREATE TABLE pact_clients (
	client_id   TEXT PRIMARY KEY,
	org_id      TEXT NOT NULL REFERENCES organisations (id),
	secret_hash BLOB NOT NULL,        -- SHA-256 of the secret
	created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX pact_clients_org ON pact_clients (org_id);

CREATE TABLE declarations (
	id                TEXT PRIMARY KEY,
	org_id            TEXT NOT NULL REFERENCES organisations (id),
	kind              TEXT NOT NULL CHECK (kind IN ('primary', 'product')),
	product_name      TEXT NOT NULL,
	product_ids       TEXT NOT NULL,  -- JSON array, also in declaration_products
	region            TEXT NOT NULL,
	period_start      TEXT NOT NULL,  -- YYYY-MM-DD
	period_end        TEXT NOT NULL,
	visibility        TEXT NOT NULL CHECK (visibility IN ('public', 'restricted')),
	buyers            TEXT NOT NULL,  -- JSON array, also in declaration_buyers
	supersedes        TEXT UNIQUE REFERENCES declarations (id),
	status            TEXT NOT NULL CHECK (status IN ('active', 'deprecated')),
	version           INTEGER NOT NULL CHECK (version >= 1),
	request           TEXT NOT NULL,
	result            TEXT NOT NULL,
	dataset_version   TEXT NOT NULL,
	engine_version    TEXT NOT NULL,
	content_hash      TEXT NOT NULL,
	total_tco2e_per_t REAL NOT NULL,
	created_at        INTEGER NOT NULL
) STRICT;
CREATE INDEX declarations_page ON declarations (created_at DESC, id DESC);
CREATE INDEX declarations_org ON declarations (org_id);

CREATE TABLE declaration_products (
	declaration_id TEXT NOT NULL REFERENCES declarations (id),
	product_id     TEXT NOT NULL,
	PRIMARY KEY (declaration_id, product_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX declaration_products_product ON declaration_products (product_id);

CREATE TABLE declaration_buyers (
	declaration_id TEXT NOT NULL REFERENCES declarations (id),
	buyer_org_id   TEXT NOT NULL REFERENCES organisations (id),
	PRIMARY KEY (declaration_id, buyer_org_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX declaration_buyers_buyer ON declaration_buyers (buyer_org_id);

-- A declaration is immutable: the only change allowed is active → deprecated.
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
BEGIN
	SELECT RAISE(ABORT, 'declarations are immutable');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER declarations_undeletable BEFORE DELETE ON declarations
BEGIN
	SELECT RAISE(ABORT, 'declarations are immutable');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER declaration_products_immutable BEFORE UPDATE ON declaration_products
BEGIN
	SELECT RAISE(ABORT, 'declarations are immutable');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER declaration_products_undeletable BEFORE DELETE ON declaration_products
BEGIN
	SELECT RAISE(ABORT, 'declarations are immutable');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER declaration_buyers_immutable BEFORE UPDATE ON declaration_buyers
BEGIN
	SELECT RAISE(ABORT, 'declarations are immutable');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER declaration_buyers_undeletable BEFORE DELETE ON declaration_buyers
BEGIN
	SELECT RAISE(ABORT, 'declarations are immutable');
END;
-- +goose StatementEnd
