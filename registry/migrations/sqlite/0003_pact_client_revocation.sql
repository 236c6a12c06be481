-- +goose Up
-- PACT clients can be revoked: a revoked client gets no token, and tokens
-- it holds are refused (the API checks the client on every PACT request).

ALTER TABLE pact_clients ADD COLUMN revoked_at INTEGER;
