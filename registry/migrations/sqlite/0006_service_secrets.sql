-- +goose Up
-- Secrets the service makes for itself and every replica must share, such
-- as the key that signs PACT access tokens when ALCARBON_PACT_TOKEN_SECRET
-- is not set. A row is created once (INSERT … ON CONFLICT DO NOTHING by the
-- first process that needs it) and never changes.

CREATE TABLE service_secrets (
	name       TEXT PRIMARY KEY,
	value      BLOB NOT NULL,
	created_at INTEGER NOT NULL
);
