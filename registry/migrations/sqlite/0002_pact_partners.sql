-- +goose Up
-- PACT partners: the data recipients this host answers footprint request
-- events to, and the OAuth2 client credentials it holds at each. The
-- table is the allow-list of event targets. client_secret is kept in clear
-- (the host must present it), so the database file is as sensitive as the
-- partners' credentials.

CREATE TABLE pact_partners (
	id            TEXT PRIMARY KEY,
	org_id        TEXT REFERENCES organisations (id),  -- the partner's organisation, if it has one here
	source        TEXT NOT NULL UNIQUE,  -- CloudEvents source of the partner's events
	base_url      TEXT NOT NULL,         -- http(s) base of its PACT API: base/2/events
	token_url     TEXT NOT NULL,         -- its client-credentials endpoint
	client_id     TEXT NOT NULL,
	client_secret TEXT NOT NULL,
	created_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX pact_partners_base_url ON pact_partners (base_url);
