-- +goose Up
-- Batch jobs (issue 18): a batch file of more than 200 rows, stored in
-- chunks of parsed rows, each chunk one River job (river_* tables, made by
-- rivermigrate at start-up); the results row by row. A chunk's results,
-- its done_at and the job's counters are written in the transaction that
-- completes its River job, so a chunk is recorded once; the primary key of
-- batch_results is the second guard.

CREATE TABLE batch_jobs (
	id           TEXT PRIMARY KEY,
	org_id       TEXT NOT NULL REFERENCES organisations (id),
	kind         TEXT NOT NULL,     -- primary or product
	input_format TEXT NOT NULL,     -- csv, xlsx or jsonl
	headers      TEXT NOT NULL,     -- JSON object: file column index → header as written
	state        TEXT NOT NULL CHECK (state IN ('receiving', 'queued', 'running', 'done', 'failed', 'canceled')),
	rows_total   INTEGER NOT NULL DEFAULT 0,
	rows_done    INTEGER NOT NULL DEFAULT 0,  -- rows with a result (computed or failed)
	rows_failed  INTEGER NOT NULL DEFAULT 0,  -- of those, rows with errors
	chunks_total INTEGER NOT NULL DEFAULT 0,
	chunks_done  INTEGER NOT NULL DEFAULT 0,
	error        TEXT NOT NULL DEFAULT '',    -- why a failed job failed
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	finished_at  INTEGER
) STRICT;
CREATE INDEX batch_jobs_org ON batch_jobs (org_id, created_at);

CREATE TABLE batch_chunks (
	batch_id     TEXT NOT NULL REFERENCES batch_jobs (id) ON DELETE CASCADE,
	chunk        INTEGER NOT NULL,            -- 0, 1, … in file order
	first_row    INTEGER NOT NULL,            -- index of its first row in the file, 0-based
	row_count    INTEGER NOT NULL,
	input        BLOB NOT NULL,               -- its rows as JSON lines; emptied once done
	computations INTEGER NOT NULL DEFAULT 0,  -- times a worker started computing it
	computed_by  TEXT NOT NULL DEFAULT '',    -- the worker whose results were recorded
	done_at      INTEGER,
	PRIMARY KEY (batch_id, chunk)
) STRICT;

CREATE TABLE batch_results (
	batch_id  TEXT NOT NULL REFERENCES batch_jobs (id) ON DELETE CASCADE,
	row_index INTEGER NOT NULL,               -- 0-based, file order
	failed    INTEGER NOT NULL,               -- 1: the row has errors
	result    BLOB NOT NULL,                  -- the row's result as JSON
	PRIMARY KEY (batch_id, row_index)
) STRICT;
