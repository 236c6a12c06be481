package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"alcarbon/batch"
	"alcarbon/internal/httpx"
	"alcarbon/registry"
)

// Batch jobs (issue 18): a batch file of more than maxSyncRows rows is
// parsed as it arrives and stored in the registry database in chunks of
// rows (registry.Jobs); River runs one job per chunk on any replica, at a
// lower priority than requests (acquireBackground), each row computed by
// computeRows as the synchronous answer computes it; the results are
// streamed out of the database in row order.

// BatchLimits bound batch jobs.
type BatchLimits struct {
	// ChunkRows is how many rows a chunk holds; ≤ 0 means 500.
	ChunkRows int
	// MaxRows is the most rows a job may have; ≤ 0 means 100,000.
	MaxRows int
	// MaxBytes is the largest batch file [bytes]; ≤ 0 means 64 MiB.
	MaxBytes int64
}

// Defaults of BatchLimits.
const (
	DefaultBatchChunkRows       = 500
	DefaultBatchMaxRows         = 100_000
	DefaultBatchMaxBytes  int64 = 64 << 20
)

func (l BatchLimits) withDefaults() BatchLimits {
	if l.ChunkRows <= 0 {
		l.ChunkRows = DefaultBatchChunkRows
	}
	if l.MaxRows <= 0 {
		l.MaxRows = DefaultBatchMaxRows
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultBatchMaxBytes
	}
	return l
}

// batchJobResponse is a batch job's state.
type batchJobResponse struct {
	ID    string `json:"id" example:"0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b"`
	Kind  string `json:"kind" enums:"primary,product" example:"primary"`
	State string `json:"state" enums:"queued,running,done,failed,canceled" example:"running"`
	// Rows counts the file's rows (blank rows left out); RowsDone those with a result, computed or failed; RowsFailed those with errors.
	Rows       int `json:"rows" example:"2000"`
	RowsDone   int `json:"rows_done" example:"1500"`
	RowsFailed int `json:"rows_failed" example:"1"`
	// Progress is rows_done / rows, 0 to 1.
	Progress float64 `json:"progress" example:"0.75"`
	// Error says why a failed job failed.
	Error      string     `json:"error,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// Results is the path of the results (GET; format=csv, xlsx or jsonl), once the job has ended.
	Results string `json:"results,omitempty" example:"/v1/batches/0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b/results"`
}

func newBatchJobResponse(b registry.BatchJob) batchJobResponse {
	r := batchJobResponse{ID: b.ID, Kind: b.Kind, State: b.State, Rows: b.RowsTotal, RowsDone: b.RowsDone, RowsFailed: b.RowsFailed,
		Error: b.Error, CreatedAt: b.CreatedAt, FinishedAt: b.FinishedAt}
	if b.RowsTotal > 0 {
		r.Progress = float64(b.RowsDone) / float64(b.RowsTotal)
	}
	if jobEnded(b.State) {
		r.Results = "/v1/batches/" + b.ID + "/results"
	}
	return r
}

func jobEnded(state string) bool {
	return state == registry.BatchDone || state == registry.BatchFailed || state == registry.BatchCanceled
}

// storedInput is one row of a chunk as stored: a JSON line.
type storedInput struct {
	Number  int    `json:"n"`
	Body    string `json:"b"` // a JSON line may not be valid JSON: kept as text
	Problem string `json:"p,omitempty"`
	Column  string `json:"c,omitempty"`
}

// storedRowResult is one row's result as stored and as a JSON line of the
// results: the row's figures and its errors.
type storedRowResult struct {
	batchRowResult
	Errors []batchRowError `json:"errors,omitempty"`
}

// startBatchJob stores a file of more than maxSyncRows rows — first, the
// rows read so far, then the rest from next — chunk by chunk, queues
// its chunks and answers 202 with the job's Location. A file that cannot
// be read to its end leaves no job.
func (s *server) startBatchJob(c echo.Context, kind string, in batch.Format, headers map[int]string,
	first []batch.Row, next func() (batch.Row, error, bool), body *countingReader, limit int64,
) error {
	ctx := c.Request().Context()
	org := httpx.ViewerID(c)
	id, err := s.jobs.CreateBatch(ctx, org, kind, string(in), headers)
	if err != nil {
		return err
	}
	queued := false
	defer func() {
		if !queued {
			if err := s.jobs.Discard(context.WithoutCancel(ctx), id); err != nil {
				s.log.Error("batch job: could not discard an incomplete upload", "batch", id, "error", err.Error())
			}
		}
	}()
	var (
		buf                    bytes.Buffer
		enc                    = json.NewEncoder(&buf)
		rows, chunks, firstRow int
	)
	flush := func() error {
		if n := rows - firstRow; n > 0 {
			if err := s.jobs.AddChunk(ctx, id, chunks, firstRow, n, buf.Bytes()); err != nil {
				return err
			}
			chunks++
			firstRow = rows
			buf.Reset()
		}
		return nil
	}
	add := func(r batch.Row) error {
		if rows == s.batchLimits.MaxRows {
			return fileLevelProblem(http.StatusRequestEntityTooLarge, fmt.Sprintf(
				"the file has more than %d rows, the most a batch job may have (ALCARBON_BATCH_MAX_ROWS); split it", s.batchLimits.MaxRows),
				codeTooManyRows, map[string]any{"max": s.batchLimits.MaxRows})
		}
		rows++
		if err := enc.Encode(storedInput{Number: r.Number, Body: string(r.Body), Problem: r.Problem, Column: r.Column}); err != nil {
			return err
		}
		if rows-firstRow == s.batchLimits.ChunkRows {
			return flush()
		}
		return nil
	}
	for _, r := range first {
		if err := add(r); err != nil {
			return err
		}
	}
	for {
		r, err, ok := next()
		if !ok {
			break
		}
		if err != nil {
			return body.problem(err, limit)
		}
		if err := add(r); err != nil {
			return err
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if err := s.jobs.Enqueue(ctx, id, rows, chunks); err != nil {
		return err
	}
	queued = true
	b, err := s.jobs.Job(ctx, org, id)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/v1/batches/"+id)
	return c.JSON(http.StatusAccepted, newBatchJobResponse(b))
}

// computeChunk computes the rows of a stored chunk (registry.ChunkFunc).
// Each row is priced as its single request: a row over the work budget
// gets the budget's field problems (drives_work) as its errors instead of
// a result, as a synchronous batch over the budget names its cost's
// drivers. The rows run in a heavy-calculation slot taken at background
// priority, given back every ≈ 20 ms of work.
func (s *server) computeChunk(ctx context.Context, ch registry.BatchChunk) ([]registry.BatchResult, error) {
	tables, err := batchTables()
	if err != nil {
		return nil, err
	}
	table, ok := tables[ch.Job.Kind]
	k, kok := calcKinds[ch.Job.Kind]
	if !ok || !kok {
		return nil, fmt.Errorf("batch job %s: unknown kind %q", ch.Job.ID, ch.Job.Kind)
	}
	header := func(p string) string { return table.Header(p, ch.Job.Headers) }
	if batch.Format(ch.Job.InputFormat) == batch.JSONLines {
		header = batch.DottedPath
	}
	// over holds the budget's problem of each row over it, by row number:
	// the row's errors, as its single request's 422 names them.
	over := map[int]error{}
	rows := func(yield func(batch.Row, error) bool) {
		held, spent := false, int64(0)
		defer func() {
			if held {
				s.work.releaseBackground()
			}
		}()
		sc := bufio.NewScanner(bytes.NewReader(ch.Input))
		sc.Buffer(nil, len(ch.Input)+1)
		for sc.Scan() {
			var in storedInput
			if err := json.Unmarshal(sc.Bytes(), &in); err != nil {
				yield(batch.Row{}, fmt.Errorf("batch job %s chunk %d: stored row: %w", ch.Job.ID, ch.Chunk, err))
				return
			}
			row := batch.Row{Number: in.Number, Body: []byte(in.Body), Problem: in.Problem, Column: in.Column}
			w := calcWork(k, row.Body)
			if row.Problem == "" {
				if err := s.work.check(w); err != nil {
					over[row.Number] = overBudgetRow(err)
				}
			}
			if !held {
				if err := s.work.acquireBackground(ctx); err != nil {
					yield(batch.Row{}, stopped(ctx))
					return
				}
				held, spent = true, 0
			}
			if !yield(row, nil) {
				return
			}
			if spent += w.units; spent >= backgroundHoldWork {
				s.work.releaseBackground()
				held = false
			}
		}
		if err := sc.Err(); err != nil {
			yield(batch.Row{}, err)
		}
	}
	var out []registry.BatchResult
	i := ch.FirstRow
	refused := func(r batch.Row) error { return over[r.Number] }
	for res, err := range s.computeRows(ctx, k, batchSource{rows: rows, header: header, refused: refused}) {
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(storedRowResult{batchRowResult: res, Errors: res.Errors})
		if err != nil {
			return nil, err
		}
		out = append(out, registry.BatchResult{Index: i, Failed: res.Status != "ok", JSON: b})
		i++
	}
	return out, nil
}

// overBudgetRow is the work budget's 422 (admission.check) as a job's row
// gets it: the same field problems — drives_work at the fields that drive
// the cost, with the units each adds — each detail followed by what the
// row costs and the budget, which the 422 says in its own detail (a row
// has no detail of its own). err is check's, a new problem each call.
func overBudgetRow(err error) error {
	p, ok := err.(*Problem)
	if !ok || p.WorkUnits == nil || p.MaxWorkUnits == nil {
		return err
	}
	for i := range p.Errors {
		p.Errors[i].Detail += fmt.Sprintf(" — the row would cost %s work units (≈ µs of CPU); a request may cost at most %s (ALCARBON_MAX_WORK)",
			groupThousands(*p.WorkUnits), groupThousands(*p.MaxWorkUnits))
	}
	return p
}

// requireAPIKeyRead is requireAPIKey without the write rate limit, for
// reads that clients poll.
func (s *server) requireAPIKeyRead(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.authenticate(c, true); err != nil {
			return err
		}
		return next(c)
	}
}

// batchJob returns the job of the request's :id that the API key's
// organisation created: a 404 for any other, and a 503 without jobs.
func (s *server) batchJob(c echo.Context) (registry.BatchJob, error) {
	if s.jobs == nil {
		return registry.BatchJob{}, problem(http.StatusServiceUnavailable, "batch jobs need the registry database, which this server cannot reach")
	}
	id := c.Param("id")
	b, err := s.jobs.Job(c.Request().Context(), httpx.ViewerID(c), id)
	if errors.Is(err, registry.ErrNotFound) {
		return b, problem(http.StatusNotFound, fmt.Sprintf("no batch job %q of this API key's organisation", id))
	}
	return b, err
}

// handleGetBatchJob answers a batch job's state.
//
//	@Summary		Batch job
//	@Description	The state of a batch job (a file of more than 200 rows posted to POST /v1/batches): queued, running, done, failed or canceled; its rows, those done (computed or failed) and those failed, and the progress. Only the organisation whose API key posted the file sees it; for any other the job does not exist (404). Poll it (it is not rate limited); once it has ended, results gives the path of its results.
//	@Tags			calculations
//	@Produce		json
//	@Security		APIKey
//	@Param			id	path		string	true	"batch job id (the Location of the 202)"
//	@Success		200	{object}	batchJobResponse
//	@Failure		401	{object}	Problem	"no or unknown API key"
//	@Failure		404	{object}	Problem	"no such job of this API key's organisation"
//	@Failure		503	{object}	Problem	"the registry database is unavailable"
//	@Router			/v1/batches/{id} [get]
func (s *server) handleGetBatchJob(c echo.Context) error {
	b, err := s.batchJob(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newBatchJobResponse(b))
}

// handleCancelBatchJob cancels a batch job.
//
//	@Summary		Cancel a batch job
//	@Description	Cancels a queued or running batch job: chunks of rows not yet computed are not computed. The results of the rows computed before stay available. Canceling a canceled job changes nothing; a job that is done or failed cannot be canceled (409).
//	@Tags			calculations
//	@Produce		json
//	@Security		APIKey
//	@Param			id	path		string	true	"batch job id"
//	@Success		200	{object}	batchJobResponse	"the job, canceled"
//	@Failure		401	{object}	Problem	"no or unknown API key"
//	@Failure		404	{object}	Problem	"no such job of this API key's organisation"
//	@Failure		409	{object}	Problem	"the job is done or failed"
//	@Failure		503	{object}	Problem	"the registry database is unavailable"
//	@Router			/v1/batches/{id} [delete]
func (s *server) handleCancelBatchJob(c echo.Context) error {
	b, err := s.batchJob(c)
	if err != nil {
		return err
	}
	if b.State == registry.BatchDone || b.State == registry.BatchFailed {
		return problem(http.StatusConflict, fmt.Sprintf("the batch job has ended (state %s); only a queued or running job can be canceled", b.State))
	}
	if b, err = s.jobs.Cancel(c.Request().Context(), b.OrgID, b.ID); err != nil {
		return err
	}
	if b.State == registry.BatchDone || b.State == registry.BatchFailed {
		return problem(http.StatusConflict, fmt.Sprintf("the batch job ended (state %s) before it could be canceled", b.State))
	}
	return c.JSON(http.StatusOK, newBatchJobResponse(b))
}

// handleBatchJobResults streams a batch job's results.
//
//	@Summary		Batch job results
//	@Description	The results of a batch job that has ended, one per row in file order, streamed from the database: CSV (the columns of the synchronous CSV answer, errors in the last column), XLSX (the results and errors sheets of the synchronous answer) or JSON lines (one object per row: the fields of a synchronous result and its errors), by format= or Accept (default JSON lines). A canceled or failed job has the results of the rows computed before it ended. A job still queued or running is a 409.
//	@Tags			calculations
//	@Produce		application/x-ndjson
//	@Produce		text/csv
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
//	@Security		APIKey
//	@Param			id		path		string	true	"batch job id"
//	@Param			format	query		string	false	"results format (default: by Accept, else jsonl)"	Enums(jsonl, csv, xlsx)
//	@Success		200		{file}		file	"the results"
//	@Failure		401		{object}	Problem	"no or unknown API key"
//	@Failure		404		{object}	Problem	"no such job of this API key's organisation"
//	@Failure		409		{object}	Problem	"the job is still queued or running"
//	@Failure		422		{object}	Problem	"unknown format (pointer /format)"
//	@Failure		503		{object}	Problem	"the registry database is unavailable"
//	@Router			/v1/batches/{id}/results [get]
func (s *server) handleBatchJobResults(c echo.Context) error {
	var v validator
	format := c.QueryParam("format")
	v.enum("/format", format, []string{"jsonl", "csv", "xlsx"})
	if err := v.err(); err != nil {
		return err
	}
	b, err := s.batchJob(c)
	if err != nil {
		return err
	}
	if !jobEnded(b.State) {
		return problem(http.StatusConflict, fmt.Sprintf("the batch job is %s (%d of %d rows done); its results are ready once its state is done", b.State, b.RowsDone, b.RowsTotal))
	}
	if format == "" {
		if format = acceptedFormat(c.Request().Header.Get(echo.HeaderAccept)); format == "json" {
			format = "jsonl"
		}
	}
	ctx := c.Request().Context()
	resp := c.Response()
	name := "alcarbon-batch-" + b.ID + "-results." + format
	resp.Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	each := func(fn func(r *batchRowResult) error) error {
		return s.jobs.Results(ctx, b.ID, func(r registry.BatchResult) error {
			var sr storedRowResult
			if err := json.Unmarshal(r.JSON, &sr); err != nil {
				return fmt.Errorf("batch job %s row %d: %w", b.ID, r.Index, err)
			}
			res := sr.batchRowResult
			res.Errors = sr.Errors
			return fn(&res)
		})
	}
	// Once the status is written, an error can only cut the body short:
	// it is logged by the error handler, and the client sees a truncated
	// file.
	switch format {
	case "csv":
		resp.Header().Set(echo.HeaderContentType, mimeCSV+"; charset=utf-8")
		resp.WriteHeader(http.StatusOK)
		cw := (&csvResults{}).start(b.Kind, resp)
		if err := each(cw.row); err != nil {
			return err
		}
		cw.w.Flush()
		return cw.w.Error()
	case "xlsx":
		x := newXLSXResults(b.Kind)
		if err := each(x.row); err != nil {
			x.f.Close()
			return err
		}
		resp.Header().Set(echo.HeaderContentType, mimeXLSX)
		resp.WriteHeader(http.StatusOK)
		return x.writeTo(resp)
	}
	resp.Header().Set(echo.HeaderContentType, "application/x-ndjson")
	resp.WriteHeader(http.StatusOK)
	return s.jobs.Results(ctx, b.ID, func(r registry.BatchResult) error {
		_, err := resp.Write(append(r.JSON, '\n'))
		return err
	})
}
