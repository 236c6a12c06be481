-- +goose Up
-- The PACT outbox: answers to footprint request events waiting to be sent
-- to a partner, or sent, or given up. A row outlives the process that
-- queued it; dispatchers claim due rows with a lease (claim, claimed_until)
-- and deliver at least once. id is the outbound CloudEvent id, fixed when
-- the row is made, so a retry is the same event. payload is the answer as
-- built on the first attempt (NULL until then), sent unchanged by retries.

CREATE TABLE pact_outbox (
	id               TEXT PRIMARY KEY,
	partner_id       TEXT NOT NULL REFERENCES pact_partners (id),
	request_event_id TEXT NOT NULL,   -- id of the ProductFootprintRequest.Created.v1 answered
	product_ids      TEXT NOT NULL,   -- JSON array of the requested product IDs
	source           TEXT NOT NULL,   -- CloudEvents source of the answer
	request_id       TEXT NOT NULL,   -- of the HTTP request that brought the event, for the log
	status           TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
	attempts         INTEGER NOT NULL DEFAULT 0,
	next_attempt_at  INTEGER NOT NULL,
	claim            TEXT,            -- token of the dispatcher holding the row
	claimed_until    INTEGER,         -- lease end; another dispatcher may take the row after it
	last_error       TEXT NOT NULL DEFAULT '',
	payload          BLOB,
	created_at       INTEGER NOT NULL,
	updated_at       INTEGER NOT NULL,
	UNIQUE (partner_id, request_event_id)
) STRICT;
CREATE INDEX pact_outbox_due ON pact_outbox (status, next_attempt_at);
