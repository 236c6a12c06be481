package registry

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// Batch jobs (issue 18) run on River (github.com/riverqueue/river
// v0.51.2), in the registry's own database: riversqlite on the SQLite
// file's *sql.DB, riverpgxv5 on the PostgreSQL pool; River's tables
// (river_*) are made by rivermigrate at the first Start or Enqueue, beside goose's. Why
// River rather than claims written by hand (FOR UPDATE SKIP LOCKED, as
// the PACT outbox does): it already claims jobs across processes, rescues
// the jobs of a process that died (RescueStuckJobsAfter), retries with
// back-off, elects one leader for that upkeep, and — what makes a chunk
// exactly once — completes a job inside the caller's transaction
// (river.JobCompleteTx), so a chunk's results and its completion commit
// together or not at all.
//
// A batch job's file is stored as chunks of parsed rows (batch_chunks,
// JSON lines written by the API); each chunk is one River job of kind
// "alcarbon_batch_chunk" in the queue "batch". A chunk worker counts the
// attempt (computations), computes the rows with the ChunkFunc, then in
// one transaction: marks the chunk done (only if it is not yet: a
// duplicate run that lost the race records nothing), inserts the results
// (primary key batch id, row: the second guard), adds to the job's
// counters, and completes the River job.

// Batch job states.
const (
	BatchReceiving = "receiving" // the file is being stored; not shown
	BatchQueued    = "queued"
	BatchRunning   = "running"
	BatchDone      = "done"
	BatchFailed    = "failed"
	BatchCanceled  = "canceled"
)

// BatchJob is a batch file running as a job.
type BatchJob struct {
	ID, OrgID   string
	Kind        string         // primary or product
	InputFormat string         // csv, xlsx or jsonl
	Headers     map[int]string // the file's headers by column index (none for JSON lines)
	State       string
	RowsTotal   int
	RowsDone    int // rows with a result, computed or failed
	RowsFailed  int // of those, rows with errors
	ChunksTotal int
	ChunksDone  int
	Error       string // why a failed job failed
	CreatedAt   time.Time
	FinishedAt  *time.Time
}

// BatchChunk is one chunk of a job as its worker sees it.
type BatchChunk struct {
	Job      BatchJob
	Chunk    int
	FirstRow int    // the index of its first row in the file, 0-based
	Input    []byte // its rows as the API stored them (JSON lines)
}

// BatchResult is one row's result.
type BatchResult struct {
	Index  int  // the row's index in the file, 0-based
	Failed bool // the row has errors
	JSON   []byte
}

// ChunkFunc computes the rows of a chunk, one result per row in order.
// An error leaves the chunk to be retried.
type ChunkFunc func(ctx context.Context, c BatchChunk) ([]BatchResult, error)

// JobsConfig configures the batch job queue.
type JobsConfig struct {
	// Workers is how many chunks this process computes at once; 0: it
	// computes none (it still takes jobs and serves their results).
	Workers int
	// RescueAfter is how long a chunk may run before it is taken to be
	// stuck (its process died) and given to another worker; ≥ 1 s.
	RescueAfter time.Duration
	// MaxAttempts is how often a chunk is tried before its job fails;
	// ≤ 0 means 5.
	MaxAttempts int
	Logger      *slog.Logger
}

// Jobs is the batch job queue on the registry's database. Its methods
// are safe for concurrent use.
type Jobs struct {
	s      *sqlStore
	cfg    JobsConfig
	worker string // this process, as computed_by records it: host/pid
	q      jobQueue
	// compute computes a chunk's rows (SetCompute).
	compute ChunkFunc
	// migrate applies River's pending migrations. It runs once, at the
	// first Start or Enqueue (prepare), not in OpenJobs: on a new
	// database it takes ~55 ms, which the server spends after it is
	// listening rather than before (BENCHMARKS.md, "Start-up after
	// issue 18").
	migrate   func(ctx context.Context) error
	migrateMu sync.Mutex
	migrated  bool
}

// prepare applies River's migrations the first time it is called (again
// after a failure).
func (j *Jobs) prepare(ctx context.Context) error {
	j.migrateMu.Lock()
	defer j.migrateMu.Unlock()
	if j.migrated {
		return nil
	}
	if err := j.migrate(ctx); err != nil {
		return err
	}
	j.migrated = true
	return nil
}

// jobQueue is River on one dialect.
type jobQueue interface {
	// enqueue inserts the River jobs of chunks 0…n-1 of batch id in one
	// transaction with fn.
	enqueue(ctx context.Context, id string, n int, fn func(q querier) error) error
	start(ctx context.Context) error
	stop(ctx context.Context) error
}

// chunkArgs are a chunk job's arguments.
type chunkArgs struct {
	Batch string `json:"batch"`
	Chunk int    `json:"chunk"`
}

func (chunkArgs) Kind() string { return "alcarbon_batch_chunk" }

// jobsQueueName is the River queue of chunk jobs.
const jobsQueueName = "batch"

// OpenJobs deletes the jobs whose upload a dead process left unfinished
// over an hour ago and returns the queue, not started: call SetCompute,
// then Start. River's tables are migrated at the first Start or Enqueue. A store that is not
// open on a database (OpenRetrying's while it waits) is ErrUnavailable.
func OpenJobs(ctx context.Context, store Store, cfg JobsConfig) (*Jobs, error) {
	s, ok := store.(*sqlStore)
	if !ok {
		return nil, fmt.Errorf("registry: batch jobs need the registry's database: %w", ErrUnavailable)
	}
	if cfg.RescueAfter < time.Second {
		return nil, errors.New("registry: batch jobs: RescueAfter must be at least 1 s")
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	host, _ := os.Hostname()
	j := &Jobs{s: s, cfg: cfg, worker: fmt.Sprintf("%s/%d", host, os.Getpid())}
	var err error
	switch d := s.db.(type) {
	case *sqliteDB:
		drv := riversqlite.New(d.db)
		j.migrate = func(ctx context.Context) error {
			return riverMigrate(ctx, drv, func() (*sql.Tx, func() error, func(), error) {
				tx, err := d.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE: one process migrates at a time
				if err != nil {
					return nil, nil, nil, err
				}
				return tx, tx.Commit, func() { _ = tx.Rollback() }, nil
			})
		}
		j.q, err = newRiverQueue(j, drv, true, time.Second, func(ctx context.Context) (*sql.Tx, querier, error) {
			tx, err := d.db.BeginTx(ctx, nil)
			return tx, sqlQuerier{tx}, err
		}, func(ctx context.Context, tx *sql.Tx) error { return tx.Commit() },
			func(ctx context.Context, tx *sql.Tx) { _ = tx.Rollback() })
	case *pgDB:
		drv := riverpgxv5.New(d.pool)
		j.migrate = func(ctx context.Context) error { return pgRiverMigrate(ctx, d, drv) }
		j.q, err = newRiverQueue(j, drv, false, 100*time.Millisecond, func(ctx context.Context) (pgx.Tx, querier, error) {
			tx, err := d.pool.Begin(ctx)
			return tx, pgQuerier{tx}, err
		}, func(ctx context.Context, tx pgx.Tx) error { return tx.Commit(ctx) },
			func(ctx context.Context, tx pgx.Tx) { _ = tx.Rollback(ctx) })
	default:
		return nil, fmt.Errorf("registry: batch jobs: unknown database %T", s.db)
	}
	if err != nil {
		return nil, err
	}
	if err := j.discardStale(ctx); err != nil {
		return nil, err
	}
	return j, nil
}

// staleUpload is the age from which a job still receiving its file is
// taken to be the upload of a process that died (uploads are bounded by
// the server's read timeout, seconds to minutes).
const staleUpload = time.Hour

// discardStale deletes the jobs whose upload never finished: a process
// that died while storing a file's chunks leaves them in state receiving.
func (j *Jobs) discardStale(ctx context.Context) error {
	before := j.s.db.timeArg(j.s.timestamp().Add(-staleUpload))
	err := j.s.db.write(ctx, func(q querier) error {
		_, err := q.exec(ctx, `DELETE FROM batch_jobs WHERE state = 'receiving' AND created_at < ?`, before)
		return err
	})
	if err != nil {
		return j.s.fail("discard stale batch uploads", err)
	}
	return nil
}

// SetCompute sets the function that computes chunks; call it once,
// before Start.
func (j *Jobs) SetCompute(compute ChunkFunc) { j.compute = compute }

// riverMigrate applies River's pending migrations in a transaction begin
// opens (SQLite: BEGIN IMMEDIATE, so processes migrate one at a time).
func riverMigrate[TTx any](ctx context.Context, drv riverdriver.Driver[TTx], begin func() (TTx, func() error, func(), error)) error {
	m, err := rivermigrate.New(drv, &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("registry: River migrations: %w", err)
	}
	tx, commit, rollback, err := begin()
	if err != nil {
		return fmt.Errorf("registry: River migrations: %w", err)
	}
	if _, err := m.MigrateTx(ctx, tx, rivermigrate.DirectionUp, nil); err != nil {
		rollback()
		return fmt.Errorf("registry: River migrations: %w", err)
	}
	if err := commit(); err != nil {
		return fmt.Errorf("registry: River migrations: %w", err)
	}
	return nil
}

// pgRiverMigrate applies River's pending migrations on PostgreSQL, each
// in its own transaction (one of them adds an enum value that a later
// statement uses, which PostgreSQL refuses within one transaction), while
// this process holds the session advisory lock of the registry's
// migrations: replicas starting together migrate one at a time.
func pgRiverMigrate(ctx context.Context, d *pgDB, drv *riverpgxv5.Driver) error {
	conn, err := d.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("registry: River migrations: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(pgMigrationLock)); err != nil {
		return fmt.Errorf("registry: River migrations: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(pgMigrationLock))
	m, err := rivermigrate.New(drv, &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("registry: River migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("registry: River migrations: %w", err)
	}
	return nil
}

// Start starts fetching and working chunks; ctx bounds start-up only.
func (j *Jobs) Start(ctx context.Context) error {
	if err := j.prepare(ctx); err != nil {
		return err
	}
	return j.q.start(ctx)
}

// Stop stops fetching and waits, until ctx is done, for the chunks being
// computed; a chunk cut off is computed again after RescueAfter.
func (j *Jobs) Stop(ctx context.Context) error { return j.q.stop(ctx) }

// riverQueue is River on the dialect whose transactions are TTx.
type riverQueue[TTx any] struct {
	client   *river.Client[TTx]
	working  bool // the client has workers (an insert-only client is not started)
	begin    func(ctx context.Context) (TTx, querier, error)
	commit   func(ctx context.Context, tx TTx) error
	rollback func(ctx context.Context, tx TTx)
}

func newRiverQueue[TTx any, TDriver riverdriver.Driver[TTx]](j *Jobs, drv TDriver, pollOnly bool, pollInterval time.Duration,
	begin func(ctx context.Context) (TTx, querier, error), commit func(ctx context.Context, tx TTx) error, rollback func(ctx context.Context, tx TTx),
) (*riverQueue[TTx], error) {
	q := &riverQueue[TTx]{begin: begin, commit: commit, rollback: rollback, working: j.cfg.Workers > 0}
	cfg := &river.Config{
		Logger:               j.cfg.Logger,
		MaxAttempts:          j.cfg.MaxAttempts,
		RescueStuckJobsAfter: j.cfg.RescueAfter,
		JobTimeout:           j.cfg.RescueAfter, // River refuses a rescue time below the job timeout
		// SQLite has no LISTEN: River's SQLite listener polls a
		// notification table every 50 ms, and polling for jobs every
		// 100 ms came on top; together an idle server spent 4.9 % of a
		// core on them (BENCHMARKS.md, "Third pass"). On SQLite the client
		// therefore polls only, once a second: a new job starts within a
		// second, and while every worker is busy River fetches again as
		// soon as one is free (its last fetch filled every slot), so the
		// poll does not pace the chunks. On PostgreSQL NOTIFY wakes
		// replicas at once, and a producer whose fetch did not fill every
		// slot (another replica took the rest) finds the chunks that
		// replica leaves at its next poll: every 100 ms (the least River
		// allows, FetchCooldown) keeps a worker from idling long.
		FetchCooldown:     100 * time.Millisecond,
		FetchPollInterval: pollInterval,
		PollOnly:          pollOnly,
		// Finished River jobs are kept a day (the results are in
		// batch_results, not in River's rows).
		CompletedJobRetentionPeriod: 24 * time.Hour,
	}
	if j.cfg.Workers > 0 {
		workers := river.NewWorkers()
		if err := river.AddWorkerSafely(workers, &chunkWorker[TTx, TDriver]{jobs: j, q: q}); err != nil {
			return nil, err
		}
		cfg.Workers = workers
		cfg.Queues = map[string]river.QueueConfig{jobsQueueName: {MaxWorkers: j.cfg.Workers}}
	}
	c, err := river.NewClient[TTx](drv, cfg)
	if err != nil {
		return nil, fmt.Errorf("registry: River client: %w", err)
	}
	q.client = c
	return q, nil
}

func (q *riverQueue[TTx]) enqueue(ctx context.Context, id string, n int, fn func(qr querier) error) error {
	tx, qr, err := q.begin(ctx)
	if err != nil {
		return err
	}
	if err := fn(qr); err != nil {
		q.rollback(ctx, tx)
		return err
	}
	params := make([]river.InsertManyParams, n)
	for i := range params {
		params[i] = river.InsertManyParams{Args: chunkArgs{Batch: id, Chunk: i}, InsertOpts: &river.InsertOpts{Queue: jobsQueueName}}
	}
	if _, err := q.client.InsertManyTx(ctx, tx, params); err != nil {
		q.rollback(ctx, tx)
		return err
	}
	return q.commit(ctx, tx)
}

func (q *riverQueue[TTx]) start(ctx context.Context) error {
	if !q.working {
		return nil
	}
	return q.client.Start(context.WithoutCancel(ctx))
}

func (q *riverQueue[TTx]) stop(ctx context.Context) error {
	if q.client == nil || !q.working {
		return nil
	}
	return q.client.Stop(ctx)
}

// chunkWorker computes one chunk per River job.
type chunkWorker[TTx any, TDriver riverdriver.Driver[TTx]] struct {
	river.WorkerDefaults[chunkArgs]
	jobs *Jobs
	q    *riverQueue[TTx]
}

// NextRetry retries a failed chunk after as many seconds as it has had
// attempts (River's default waits attempt⁴ s).
func (w *chunkWorker[TTx, TDriver]) NextRetry(job *river.Job[chunkArgs]) time.Time {
	return time.Now().Add(time.Duration(job.Attempt) * time.Second)
}

func (w *chunkWorker[TTx, TDriver]) Work(ctx context.Context, job *river.Job[chunkArgs]) error {
	j, s := w.jobs, w.jobs.s
	c, err := j.loadChunk(ctx, job.Args.Batch, job.Args.Chunk)
	if errors.Is(err, ErrNotFound) {
		return w.complete(ctx, job, nil) // its job was deleted
	}
	if err != nil {
		return err
	}
	if c.done || c.Job.State == BatchCanceled || c.Job.State == BatchFailed {
		return w.complete(ctx, job, nil)
	}
	// Count the attempt before computing: a chunk computed twice (its
	// first worker died) shows computations 2.
	now := s.db.timeArg(s.timestamp())
	if err := s.db.write(ctx, func(q querier) error {
		if _, err := q.exec(ctx, `UPDATE batch_chunks SET computations = computations + 1 WHERE batch_id = ? AND chunk = ?`, c.Job.ID, c.Chunk); err != nil {
			return err
		}
		_, err := q.exec(ctx, `UPDATE batch_jobs SET state = 'running', updated_at = ? WHERE id = ? AND state = 'queued'`, now, c.Job.ID)
		return err
	}); err != nil {
		return s.fail("count a chunk's attempt", err)
	}
	if j.compute == nil {
		return errors.New("registry: batch jobs: SetCompute was not called")
	}
	results, err := j.compute(ctx, c.BatchChunk)
	if err != nil {
		if job.Attempt >= job.MaxAttempts {
			j.failJob(context.WithoutCancel(ctx), c.Job.ID, fmt.Sprintf("chunk %d (rows %d–%d) failed %d times: %v", c.Chunk, c.FirstRow+1, c.FirstRow+c.rows, job.Attempt, err))
		}
		return err
	}
	return w.complete(ctx, job, func(q querier) error {
		// Only the first worker to finish the chunk records it.
		n, err := q.exec(ctx, `UPDATE batch_chunks SET done_at = ?, computed_by = ?, input = ? WHERE batch_id = ? AND chunk = ? AND done_at IS NULL`,
			s.db.timeArg(s.timestamp()), j.worker, []byte{}, c.Job.ID, c.Chunk)
		if err != nil || n == 0 {
			return err
		}
		failed := 0
		for _, r := range results {
			if r.Failed {
				failed++
			}
			if _, err := q.exec(ctx, `INSERT INTO batch_results (batch_id, row_index, failed, result) VALUES (?, ?, ?, ?)`,
				c.Job.ID, r.Index, r.Failed, r.JSON); err != nil {
				return err
			}
		}
		now := s.db.timeArg(s.timestamp())
		_, err = q.exec(ctx, `UPDATE batch_jobs SET rows_done = rows_done + ?, rows_failed = rows_failed + ?, chunks_done = chunks_done + 1,
			state = CASE WHEN state IN ('queued', 'running') AND chunks_done + 1 = chunks_total THEN 'done' ELSE state END,
			finished_at = CASE WHEN state IN ('queued', 'running') AND chunks_done + 1 = chunks_total THEN ? ELSE finished_at END,
			updated_at = ? WHERE id = ?`, len(results), failed, now, now, c.Job.ID)
		return err
	})
}

// complete runs record (if any) and completes the River job in one
// transaction.
func (w *chunkWorker[TTx, TDriver]) complete(ctx context.Context, job *river.Job[chunkArgs], record func(q querier) error) error {
	s := w.jobs.s
	if d, ok := s.db.(*sqliteDB); ok {
		// This process's registry writes queue in Go (sqliteDB.write).
		select {
		case d.writer <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		defer func() { <-d.writer }()
	}
	tx, q, err := w.q.begin(ctx)
	if err != nil {
		return s.fail("record a chunk", err)
	}
	if record != nil {
		if err := record(q); err != nil {
			w.q.rollback(ctx, tx)
			return s.fail("record a chunk", err)
		}
	}
	if _, err := river.JobCompleteTx[TDriver](ctx, tx, job); err != nil {
		w.q.rollback(ctx, tx)
		return s.fail("record a chunk", err)
	}
	if err := w.q.commit(ctx, tx); err != nil {
		return s.fail("record a chunk", err)
	}
	return nil
}

// storedChunk is a chunk as loaded.
type storedChunk struct {
	BatchChunk
	rows int
	done bool
}

func (j *Jobs) loadChunk(ctx context.Context, id string, chunk int) (storedChunk, error) {
	b, err := j.job(ctx, id, "")
	if err != nil {
		return storedChunk{}, err
	}
	c := storedChunk{BatchChunk: BatchChunk{Job: b, Chunk: chunk}}
	var done dbTime
	err = j.s.db.read(ctx, func(q querier) error {
		return q.queryRow(ctx, `SELECT first_row, row_count, input, done_at FROM batch_chunks WHERE batch_id = ? AND chunk = ?`, id, chunk).
			Scan(&c.FirstRow, &c.rows, &c.Input, &done)
	})
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, pgx.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, j.s.fail("load a chunk", err)
	}
	c.done = done.Valid
	return c, nil
}

// failJob marks a job failed with why.
func (j *Jobs) failJob(ctx context.Context, id, why string) {
	now := j.s.db.timeArg(j.s.timestamp())
	err := j.s.db.write(ctx, func(q querier) error {
		_, err := q.exec(ctx, `UPDATE batch_jobs SET state = 'failed', error = ?, finished_at = ?, updated_at = ? WHERE id = ? AND state IN ('queued', 'running')`, why, now, now, id)
		return err
	})
	if err != nil {
		j.cfg.Logger.Error("batch job: could not mark it failed", "batch", id, "error", err.Error())
	}
}

// CreateBatch records a new job, in state receiving, for its chunks to be
// added; headers are the file's, by column index.
func (j *Jobs) CreateBatch(ctx context.Context, orgID, kind, inputFormat string, headers map[int]string) (string, error) {
	s := j.s
	h, err := json.Marshal(headers)
	if err != nil {
		return "", err
	}
	id, now := newID(), s.db.timeArg(s.timestamp())
	err = s.db.write(ctx, func(q querier) error {
		_, err := q.exec(ctx, `INSERT INTO batch_jobs (id, org_id, kind, input_format, headers, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'receiving', ?, ?)`,
			id, orgID, kind, inputFormat, string(h), now, now)
		return err
	})
	if err != nil {
		return "", s.fail("create a batch job", err)
	}
	return id, nil
}

// AddChunk stores chunk number chunk of job id: rows rows from the file's
// row index firstRow, as input.
func (j *Jobs) AddChunk(ctx context.Context, id string, chunk, firstRow, rows int, input []byte) error {
	err := j.s.db.write(ctx, func(q querier) error {
		_, err := q.exec(ctx, `INSERT INTO batch_chunks (batch_id, chunk, first_row, row_count, input) VALUES (?, ?, ?, ?, ?)`,
			id, chunk, firstRow, rows, input)
		return err
	})
	if err != nil {
		return j.s.fail("store a batch chunk", err)
	}
	return nil
}

// Enqueue queues job id's chunks (0…chunks-1, rows in all) for the
// workers: the job turns queued in the transaction that inserts its River
// jobs.
func (j *Jobs) Enqueue(ctx context.Context, id string, rows, chunks int) error {
	s := j.s
	if err := j.prepare(ctx); err != nil {
		return s.fail("queue a batch job", err)
	}
	now := s.db.timeArg(s.timestamp())
	err := j.q.enqueue(ctx, id, chunks, func(q querier) error {
		_, err := q.exec(ctx, `UPDATE batch_jobs SET state = 'queued', rows_total = ?, chunks_total = ?, updated_at = ? WHERE id = ? AND state = 'receiving'`,
			rows, chunks, now, id)
		return err
	})
	if err != nil {
		return s.fail("queue a batch job", err)
	}
	return nil
}

// Discard deletes a job whose file could not be stored whole, with its
// chunks.
func (j *Jobs) Discard(ctx context.Context, id string) error {
	err := j.s.db.write(ctx, func(q querier) error {
		_, err := q.exec(ctx, `DELETE FROM batch_jobs WHERE id = ? AND state = 'receiving'`, id)
		return err
	})
	if err != nil {
		return j.s.fail("discard a batch job", err)
	}
	return nil
}

const batchJobColumns = `id, org_id, kind, input_format, headers, state, rows_total, rows_done, rows_failed, chunks_total, chunks_done, error, created_at, finished_at`

// Job returns job id if the organisation orgID created it; ErrNotFound
// otherwise (a job being received is not found either).
func (j *Jobs) Job(ctx context.Context, orgID, id string) (BatchJob, error) {
	if orgID == "" {
		return BatchJob{}, ErrNotFound
	}
	b, err := j.job(ctx, id, orgID)
	if err == nil && b.State == BatchReceiving {
		return BatchJob{}, ErrNotFound
	}
	return b, err
}

// job reads job id, of orgID unless that is "".
func (j *Jobs) job(ctx context.Context, id, orgID string) (BatchJob, error) {
	var (
		b        BatchJob
		headers  string
		created  dbTime
		finished dbTime
	)
	query := `SELECT ` + batchJobColumns + ` FROM batch_jobs WHERE id = ?`
	args := []any{id}
	if orgID != "" {
		query += ` AND org_id = ?`
		args = append(args, orgID)
	}
	err := j.s.db.read(ctx, func(q querier) error {
		return q.queryRow(ctx, query, args...).Scan(&b.ID, &b.OrgID, &b.Kind, &b.InputFormat, &headers, &b.State,
			&b.RowsTotal, &b.RowsDone, &b.RowsFailed, &b.ChunksTotal, &b.ChunksDone, &b.Error, &created, &finished)
	})
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, pgx.ErrNoRows) {
		return b, ErrNotFound
	}
	if err != nil {
		return b, j.s.fail("read a batch job", err)
	}
	if err := json.Unmarshal([]byte(headers), &b.Headers); err != nil {
		return b, fmt.Errorf("registry: batch job %s: headers: %w", id, err)
	}
	b.CreatedAt = created.Time
	if finished.Valid {
		b.FinishedAt = &finished.Time
	}
	return b, nil
}

// Cancel cancels job id of orgID if it is queued or running: chunks not
// yet recorded are not computed. It returns the job as it is then.
func (j *Jobs) Cancel(ctx context.Context, orgID, id string) (BatchJob, error) {
	if _, err := j.Job(ctx, orgID, id); err != nil {
		return BatchJob{}, err
	}
	now := j.s.db.timeArg(j.s.timestamp())
	err := j.s.db.write(ctx, func(q querier) error {
		_, err := q.exec(ctx, `UPDATE batch_jobs SET state = 'canceled', finished_at = ?, updated_at = ? WHERE id = ? AND org_id = ? AND state IN ('queued', 'running')`, now, now, id, orgID)
		return err
	})
	if err != nil {
		return BatchJob{}, j.s.fail("cancel a batch job", err)
	}
	return j.Job(ctx, orgID, id)
}

// resultsPage is how many results Results reads per query: no
// connection or transaction is held while they are written out.
const resultsPage = 1000

// Results calls fn with each stored result of job id in row order.
func (j *Jobs) Results(ctx context.Context, id string, fn func(r BatchResult) error) error {
	after := -1
	for {
		var page []BatchResult
		err := j.s.db.read(ctx, func(q querier) error {
			rs, err := q.query(ctx, `SELECT row_index, result FROM batch_results WHERE batch_id = ? AND row_index > ? ORDER BY row_index LIMIT ?`, id, after, resultsPage)
			if err != nil {
				return err
			}
			defer rs.Close()
			for rs.Next() {
				var r BatchResult
				if err := rs.Scan(&r.Index, &r.JSON); err != nil {
					return err
				}
				page = append(page, r)
			}
			return rs.Err()
		})
		if err != nil {
			return j.s.fail("read batch results", err)
		}
		for _, r := range page {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(page) < resultsPage {
			return nil
		}
		after = page[len(page)-1].Index
	}
}

// ChunkComputations returns, for tests and operators, each chunk of job
// id: how many times it was computed and by whom its results were
// recorded ("" while not done).
func (j *Jobs) ChunkComputations(ctx context.Context, id string) (computations []int, computedBy []string, err error) {
	err = j.s.db.read(ctx, func(q querier) error {
		rs, err := q.query(ctx, `SELECT computations, computed_by FROM batch_chunks WHERE batch_id = ? ORDER BY chunk`, id)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var n int
			var by string
			if err := rs.Scan(&n, &by); err != nil {
				return err
			}
			computations, computedBy = append(computations, n), append(computedBy, by)
		}
		return rs.Err()
	})
	return computations, computedBy, err
}

// Worker names this process as computed_by records it.
func (j *Jobs) Worker() string { return j.worker }
