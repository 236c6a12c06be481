-- +goose Up
-- Registry schema, PostgreSQL. JSON documents are stored as the exact text
-- received (text, not jsonb, which would reorder keys). Declaration IDs use
-- the C collation so that pagination order is byte order, as in SQLite.

CREATE TABLE organisations (
	id         text PRIMARY KEY,
	name       text NOT NULL UNIQUE,
	created_at timestamptz NOT NULL
);

CREATE TABLE api_keys (
	id         text PRIMARY KEY,
	org_id     text NOT NULL REFERENCES organisations (id),
	prefix     text NOT NULL UNIQUE,  -- public start of the key, for lookup
	key_hash   bytea NOT NULL,        -- SHA-256 of the whole key
	created_at timestamptz NOT NULL,
	revoked_at timestamptz
);
CREATE INDEX api_keys_org ON api_keys (org_id);

CREATE TABLE pact_clients (
	client_id   text PRIMARY KEY,
	org_id      text NOT NULL REFERENCES organisations (id),
	secret_hash bytea NOT NULL,       -- SHA-256 of the secret
	created_at  timestamptz NOT NULL
);
CREATE INDEX pact_clients_org ON pact_clients (org_id);

CREATE TABLE declarations (
	id                text COLLATE "C" PRIMARY KEY,
	org_id            text NOT NULL REFERENCES organisations (id),
	kind              text NOT NULL CHECK (kind IN ('primary', 'product')),
	product_name      text NOT NULL,
	product_ids       text NOT NULL,  -- JSON array, also in declaration_products
	region            text NOT NULL,
	period_start      text NOT NULL,  -- YYYY-MM-DD
	period_end        text NOT NULL,
	visibility        text NOT NULL CHECK (visibility IN ('public', 'restricted')),
	buyers            text NOT NULL,  -- JSON array, also in declaration_buyers
	supersedes        text COLLATE "C" UNIQUE REFERENCES declarations (id),
	status            text NOT NULL CHECK (status IN ('active', 'deprecated')),
	version           integer NOT NULL CHECK (version >= 1),
	request           text NOT NULL,
	result            text NOT NULL,
	dataset_version   text NOT NULL,
	engine_version    text NOT NULL,
	content_hash      text NOT NULL,
	total_tco2e_per_t double precision NOT NULL,
	created_at        timestamptz NOT NULL
);
CREATE INDEX declarations_page ON declarations (created_at DESC, id DESC);
CREATE INDEX declarations_org ON declarations (org_id);

CREATE TABLE declaration_products (
	declaration_id text COLLATE "C" NOT NULL REFERENCES declarations (id),
	product_id     text NOT NULL,
	PRIMARY KEY (declaration_id, product_id)
);
CREATE INDEX declaration_products_product ON declaration_products (product_id);

CREATE TABLE declaration_buyers (
	declaration_id text COLLATE "C" NOT NULL REFERENCES declarations (id),
	buyer_org_id   text NOT NULL REFERENCES organisations (id),
	PRIMARY KEY (declaration_id, buyer_org_id)
);
CREATE INDEX declaration_buyers_buyer ON declaration_buyers (buyer_org_id);

-- A declaration is immutable: the only change allowed is active → deprecated.
-- +goose StatementBegin
CREATE FUNCTION declarations_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND OLD.status = 'active' AND NEW.status = 'deprecated'
	   AND to_jsonb(NEW) - 'status' = to_jsonb(OLD) - 'status' THEN
		RETURN NEW;
	END IF;
	RAISE EXCEPTION 'declarations are immutable';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER declarations_immutable BEFORE UPDATE OR DELETE ON declarations
	FOR EACH ROW EXECUTE FUNCTION declarations_guard();

-- +goose StatementBegin
CREATE FUNCTION declarations_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'declarations are immutable';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER declaration_products_immutable BEFORE UPDATE OR DELETE ON declaration_products
	FOR EACH ROW EXECUTE FUNCTION declarations_append_only();
CREATE TRIGGER declaration_buyers_immutable BEFORE UPDATE OR DELETE ON declaration_buyers
	FOR EACH ROW EXECUTE FUNCTION declarations_append_only();
