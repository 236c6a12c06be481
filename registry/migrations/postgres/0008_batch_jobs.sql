-- +goose Up
-- Batch jobs (issue 18): a batch file of more than 200 rows, stored in
-- chunks of parsed rows, each chunk one River job (river_* tables, made by
-- rivermigrate at start-up); the results row by row. A chunk's results,
-- its done_at and the job's counters are written in the transaction that
-- completes its River job, so a chunk is recorded once; the primary key of
-- batch_results is the second guard.

CREATE TABLE batch_jobs (
	id           text PRIMARY KEY,
	org_id       text NOT NULL REFERENCES organisations (id),
	kind         text NOT NULL,     -- primary or product
	input_format text NOT NULL,     -- csv, xlsx or jsonl
	headers      text NOT NULL,     -- JSON object: file column index → header as written
	state        text NOT NULL CHECK (state IN ('receiving', 'queued', 'running', 'done', 'failed', 'canceled')),
	rows_total   integer NOT NULL DEFAULT 0,
	rows_done    integer NOT NULL DEFAULT 0,  -- rows with a result (computed or failed)
	rows_failed  integer NOT NULL DEFAULT 0,  -- of those, rows with errors
	chunks_total integer NOT NULL DEFAULT 0,
	chunks_done  integer NOT NULL DEFAULT 0,
	error        text NOT NULL DEFAULT '',    -- why a failed job failed
	created_at   timestamptz NOT NULL,
	updated_at   timestamptz NOT NULL,
	finished_at  timestamptz
);
CREATE INDEX batch_jobs_org ON batch_jobs (org_id, created_at);

CREATE TABLE batch_chunks (
	batch_id     text NOT NULL REFERENCES batch_jobs (id) ON DELETE CASCADE,
	chunk        integer NOT NULL,            -- 0, 1, … in file order
	first_row    integer NOT NULL,            -- index of its first row in the file, 0-based
	row_count    integer NOT NULL,
	input        bytea NOT NULL,               -- its rows as JSON lines; emptied once done
	computations integer NOT NULL DEFAULT 0,  -- times a worker started computing it
	computed_by  text NOT NULL DEFAULT '',    -- the worker whose results were recorded
	done_at      timestamptz,
	PRIMARY KEY (batch_id, chunk)
);

CREATE TABLE batch_results (
	batch_id  text NOT NULL REFERENCES batch_jobs (id) ON DELETE CASCADE,
	row_index integer NOT NULL,               -- 0-based, file order
	failed    boolean NOT NULL,               -- the row has errors
	result    bytea NOT NULL,                  -- the row's result as JSON
	PRIMARY KEY (batch_id, row_index)
);
