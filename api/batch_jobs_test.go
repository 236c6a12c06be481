package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/xuri/excelize/v2"

	"alcarbon/registry"
)

// newJobsEnv is a batch environment on the store open opens, with batch
// jobs of chunks of 100 rows computed by workers (none: jobs stay queued).
func newJobsEnv(t *testing.T, open storeOpener, workers int, mutate ...func(*Options)) batchEnv {
	t.Helper()
	s := open(t)
	ctx := context.Background()
	jobs, err := registry.OpenJobs(ctx, s, registry.JobsConfig{Workers: workers, RescueAfter: 10 * time.Second})
	if err != nil {
		t.Fatalf("OpenJobs: %v", err)
	}
	r := newRegistryEnv(t, func(testing.TB) registry.Store { return s }, func(o *Options) {
		o.Jobs = jobs
		o.Batch = BatchLimits{ChunkRows: 100}
		for _, m := range mutate {
			m(o)
		}
	})
	if err := jobs.Start(ctx); err != nil {
		t.Fatal(err)
	}
	// Cleanups run last-in first-out: the queue stops before the store
	// closes.
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		jobs.Stop(sctx)
	})
	_, key := r.org(t, "Batch Jobs Smelter Co")
	return batchEnv{r, key}
}

// get sends a GET (or DELETE) with the environment's key.
func (b batchEnv) get(t *testing.T, method, path, key string) *bytes.Buffer {
	t.Helper()
	return do(t, b.e, method, path, "", "", auth(key)...).Body
}

// waitJob polls a job until it has ended and returns its state.
func (b batchEnv) waitJob(t *testing.T, location string) batchJobResponse {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		rec := do(t, b.e, http.MethodGet, location, "", "", auth(b.key)...)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", location, rec.Code, rec.Body)
		}
		var st batchJobResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
			t.Fatal(err)
		}
		if jobEnded(st.State) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s not done within 60 s: %+v", location, st)
		}
	}
}

// jobRows is a primary file of n rows cycling through the reference rows
// and a bad one (row 4 of each cycle: a kWh/t out of range), and the same
// four rows alone.
func jobRows(t *testing.T, n int) (file, four []byte, header []string) {
	rows := append(append([]map[string]string{}, referenceRows[kindPrimary]...), map[string]string{"region": "CN-SX", "electrolysis.ac_kwh_per_t": "25000"})
	header = headerOf(rows)
	cycle := make([]map[string]string, n)
	for i := range cycle {
		cycle[i] = rows[i%len(rows)]
	}
	file = csvFile(t, header, cycle)
	four = csvFile(t, header, rows)
	return file, four, header
}

// TestBatchJob: a file of 450 rows is a job (202, Location); once done,
// its results in JSON lines, CSV and XLSX are, row for row, the
// synchronous answer to the same rows (computed over HTTP), in row order;
// the bad rows are named by row and column; another organisation's key
// does not see the job.
func TestBatchJob(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			env := newJobsEnv(t, st.open, 2)
			const n = 450
			file, four, _ := jobRows(t, n)
			sync := env.postJSONResults(t, "kind=primary", "text/csv", four)
			if sync.Computed != 3 || sync.Failed != 1 {
				t.Fatalf("synchronous answer: %+v", sync)
			}
			syncCSV := mustCSV(t, env.post(t, "kind=primary&format=csv", "text/csv", four).Body.Bytes())

			rec := env.post(t, "kind=primary", "text/csv", file)
			if rec.Code != http.StatusAccepted {
				t.Fatalf("POST %d rows: %d %s", n, rec.Code, rec.Body)
			}
			loc := rec.Header().Get(echo.HeaderLocation)
			var posted batchJobResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &posted); err != nil {
				t.Fatal(err)
			}
			if loc != "/v1/batches/"+posted.ID || posted.Rows != n || posted.State != "queued" && posted.State != "running" {
				t.Fatalf("202: Location %q, %+v", loc, posted)
			}
			done := env.waitJob(t, loc)
			badRows := n / 4 // rows 4, 8, … of the cycle
			if done.State != "done" || done.Rows != n || done.RowsDone != n || done.RowsFailed != badRows || done.Progress != 1 || done.Results != loc+"/results" || done.FinishedAt == nil {
				t.Fatalf("done: %+v", done)
			}

			// JSON lines: each row is the synchronous result of its row
			// of the cycle, with its own row number (header = row 1).
			body := env.get(t, http.MethodGet, loc+"/results?format=jsonl", env.key)
			sc := bufio.NewScanner(body)
			i := 0
			for ; sc.Scan(); i++ {
				var got map[string]any
				if err := json.Unmarshal(sc.Bytes(), &got); err != nil {
					t.Fatalf("line %d: %v", i+1, err)
				}
				if got["row"] != float64(i+2) {
					t.Fatalf("line %d: row %v, want %d", i+1, got["row"], i+2)
				}
				want := sync.Results[i%4]
				wb, _ := json.Marshal(want)
				var wantMap map[string]any
				json.Unmarshal(wb, &wantMap)
				gotErrs := got["errors"]
				delete(got, "row")
				delete(got, "errors")
				delete(wantMap, "row")
				if !reflect.DeepEqual(got, wantMap) {
					t.Fatalf("line %d:\n got %v\nwant %v", i+1, got, wantMap)
				}
				if i%4 != 3 {
					if gotErrs != nil {
						t.Fatalf("line %d: errors %v on a good row", i+1, gotErrs)
					}
					continue
				}
				// The bad row's errors are the synchronous ones, at its own row.
				var errs []batchRowError
				eb, _ := json.Marshal(gotErrs)
				json.Unmarshal(eb, &errs)
				if len(errs) != len(sync.Errors) || len(errs) == 0 {
					t.Fatalf("line %d: errors %+v, want %+v", i+1, errs, sync.Errors)
				}
				for k, e := range errs {
					w := sync.Errors[k]
					w.Row = i + 2
					if !reflect.DeepEqual(e, w) {
						t.Fatalf("line %d: error %+v, want %+v", i+1, e, w)
					}
					if e.Column != "electrolysis.ac_kwh_per_t" || e.Pointer != "/electrolysis/ac_kwh_per_t" || e.Code != codeOutOfRange {
						t.Fatalf("line %d: the bad row is not named by its column: %+v", i+1, e)
					}
				}
			}
			if i != n {
				t.Fatalf("%d result lines, want %d", i, n)
			}

			// CSV: the synchronous CSV's header, and each line the
			// synchronous line of its row of the cycle, row number aside.
			recs := mustCSV(t, env.get(t, http.MethodGet, loc+"/results?format=csv", env.key).Bytes())
			if len(recs) != n+1 || !reflect.DeepEqual(recs[0], syncCSV[0]) {
				t.Fatalf("CSV: %d lines, header %v; want %d, %v", len(recs), recs[0], n+1, syncCSV[0])
			}
			for i, r := range recs[1:] {
				w := append([]string{fmt.Sprint(i + 2)}, syncCSV[1+i%4][1:]...)
				if !reflect.DeepEqual(r, w) {
					t.Fatalf("CSV line %d:\n got %v\nwant %v", i+2, r, w)
				}
			}

			// XLSX: the synchronous answer's sheets, a line per row and
			// per error.
			f, err := excelize.OpenReader(env.get(t, http.MethodGet, loc+"/results?format=xlsx", env.key))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			res, _ := f.GetRows(resultsSheet)
			bad, _ := f.GetRows(errorsSheet)
			if len(res) != n+1 || !reflect.DeepEqual(res[0], syncCSV[0][:len(res[0])]) || len(bad) != 1+badRows*len(sync.Errors) {
				t.Fatalf("XLSX: %d result lines (header %v), %d error lines", len(res), res[0], len(bad))
			}
			if bad[1][0] != "5" || bad[1][1] != "electrolysis.ac_kwh_per_t" {
				t.Errorf("XLSX errors sheet: first error %v, want row 5, column electrolysis.ac_kwh_per_t", bad[1])
			}

			// Another organisation sees no job; an unknown id is a 404 too.
			_, other := env.org(t, "Another Smelter Co")
			for _, path := range []string{loc, loc + "/results", "/v1/batches/no-such-job"} {
				rec := do(t, env.e, http.MethodGet, path, "", "", auth(other)...)
				if p := decodeProblem(t, rec); rec.Code != http.StatusNotFound || !strings.Contains(p.Detail, "no batch job") {
					t.Errorf("GET %s with another organisation's key: %d %+v", path, rec.Code, p)
				}
			}
			if rec := do(t, env.e, http.MethodDelete, loc, "", "", auth(other)...); rec.Code != http.StatusNotFound {
				t.Errorf("DELETE with another organisation's key: %d", rec.Code)
			}
			if rec := do(t, env.e, http.MethodGet, loc, "", ""); rec.Code != http.StatusUnauthorized {
				t.Errorf("GET without a key: %d", rec.Code)
			}
			rec = do(t, env.e, http.MethodGet, loc+"/results?format=pdf", "", "", auth(env.key)...)
			if p := decodeProblem(t, rec); rec.Code != http.StatusUnprocessableEntity || len(p.Errors) != 1 || p.Errors[0].Pointer != "/format" {
				t.Errorf("format=pdf: %d %+v", rec.Code, p)
			}
			// A job that is done cannot be canceled.
			if rec := do(t, env.e, http.MethodDelete, loc, "", "", auth(env.key)...); rec.Code != http.StatusConflict {
				t.Errorf("DELETE of a done job: %d %s", rec.Code, rec.Body)
			}
		})
	}
}

// TestBatchJobCancel: with no worker, a job stays queued; its results
// are a 409 until it is canceled; DELETE cancels it (200, canceled), and
// its results are then the rows computed: none.
func TestBatchJobCancel(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			env := newJobsEnv(t, st.open, 0)
			file, _, _ := jobRows(t, 250)
			rec := env.post(t, "kind=primary", "text/csv", file)
			if rec.Code != http.StatusAccepted {
				t.Fatalf("POST: %d %s\n%s", rec.Code, rec.Body, env.logs)
			}
			loc := rec.Header().Get(echo.HeaderLocation)
			rec = do(t, env.e, http.MethodGet, loc+"/results", "", "", auth(env.key)...)
			if p := decodeProblem(t, rec); rec.Code != http.StatusConflict || !strings.Contains(p.Detail, "queued") {
				t.Errorf("results of a queued job: %d %+v", rec.Code, p)
			}
			rec = do(t, env.e, http.MethodDelete, loc, "", "", auth(env.key)...)
			var st batchJobResponse
			json.Unmarshal(rec.Body.Bytes(), &st)
			if rec.Code != http.StatusOK || st.State != "canceled" || st.RowsDone != 0 || st.FinishedAt == nil {
				t.Fatalf("DELETE: %d %s", rec.Code, rec.Body)
			}
			rec = do(t, env.e, http.MethodGet, loc+"/results?format=csv", "", "", auth(env.key)...)
			if recs := mustCSV(t, rec.Body.Bytes()); rec.Code != http.StatusOK || len(recs) != 1 {
				t.Errorf("results of a canceled job: %d, %d lines", rec.Code, len(recs))
			}
		})
	}
}

// TestBatchJobLimits: a broken row far into the file, and a file over
// ALCARBON_BATCH_MAX_ROWS, are refused naming why.
func TestBatchJobLimits(t *testing.T) {
	env := newJobsEnv(t, openSQLite, 1)
	file, _, _ := jobRows(t, 300)
	broken := append(append([]byte{}, file...), "\"unterminated\n"...)
	rec := env.post(t, "kind=primary", "text/csv", broken)
	if p := decodeProblem(t, rec); rec.Code != http.StatusBadRequest || !strings.Contains(p.Detail, "row 302") {
		t.Errorf("broken quoting in row 302: %d %+v", rec.Code, p)
	}
	var csvBuf bytes.Buffer
	w := csv.NewWriter(&csvBuf)
	w.Write([]string{"region"})
	for range DefaultBatchMaxRows + 1 {
		w.Write([]string{"CN-SX"})
	}
	w.Flush()
	rec = env.post(t, "kind=primary", "text/csv", csvBuf.Bytes())
	if p := decodeProblem(t, rec); rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(p.Detail, "ALCARBON_BATCH_MAX_ROWS") {
		t.Errorf("%d rows: %d %+v", DefaultBatchMaxRows+1, rec.Code, p)
	}
}

// TestBatchJobRowOverBudget: in a job each row is priced as its single
// request; a row over ALCARBON_MAX_WORK (here 1000 units: a row of more
// than (1000 − 200) × 64 bytes) gets the budget's field problem as its
// error — drives_work at the whole row (pointer "", no PV system driving
// it), with the row's price as its units, as the synchronous answer names
// a batch over the budget — naming the row, and the other rows compute.
func TestBatchJobRowOverBudget(t *testing.T) {
	env := newJobsEnv(t, openSQLite, 1, func(o *Options) { o.Work.MaxUnits = 1000 })
	big := `{"region": "CN-SX", "dataset": "` + strings.Repeat("x", 52_000) + `"}`
	units := calcWork(calcKinds[kindPrimary], []byte(big)).units
	if units <= 1000 {
		t.Fatalf("the big row costs %d units, within the budget", units)
	}
	var b strings.Builder
	for i := range 250 {
		if i == 7 {
			b.WriteString(big + "\n")
			continue
		}
		b.WriteString(`{"region": "CN-SX"}` + "\n")
	}
	rec := env.post(t, "kind=primary", "application/x-ndjson", []byte(b.String()))
	if rec.Code != http.StatusAccepted {
		t.Fatalf("POST: %d %s", rec.Code, rec.Body)
	}
	loc := rec.Header().Get(echo.HeaderLocation)
	if st := env.waitJob(t, loc); st.State != "done" || st.RowsDone != 250 || st.RowsFailed != 1 {
		t.Fatalf("job: %+v", st)
	}
	sc := bufio.NewScanner(env.get(t, http.MethodGet, loc+"/results", env.key))
	sc.Buffer(nil, 1<<20)
	for i := 0; sc.Scan(); i++ {
		var r storedRowResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if i != 7 {
			if r.Status != "ok" {
				t.Fatalf("line %d: %s", i+1, sc.Bytes())
			}
			continue
		}
		if r.Status != "error" || r.Row != 8 || len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Detail, "work units") || !strings.Contains(r.Errors[0].Detail, "ALCARBON_MAX_WORK") {
			t.Fatalf("the row over the budget: %+v", r)
		}
		e := r.Errors[0]
		if want := map[string]any{"units": float64(units)}; e.Code != codeDrivesWork || e.Pointer != "" || e.Column != "" || !reflect.DeepEqual(e.Params, want) {
			t.Errorf("the row's error: code %q pointer %q column %q params %v; want drives_work at \"\" with %v", e.Code, e.Pointer, e.Column, e.Params, want)
		}
	}
}

// TestAcquireBackground: background work takes a heavy slot only when
// one is free and no request waits for one; a request waiting gets the
// slot when background work gives it back, before background work can
// take it again.
func TestAcquireBackground(t *testing.T) {
	a := newAdmission(WorkLimits{HeavySlots: 1, HeavyWait: 5 * time.Second}, prometheus.NewRegistry())
	ctx := context.Background()
	short := func() error {
		c, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		return a.acquireBackground(c)
	}
	// A request waiting (counted as run counts it), the slot free: not taken.
	a.waiting.Add(1)
	if err := short(); err == nil {
		t.Fatal("background work took a slot while a request waited")
	}
	a.waiting.Add(-1)
	if err := short(); err != nil {
		t.Fatalf("a free slot, no request waiting: %v", err)
	}
	// A request arrives while background work holds the only slot: it
	// waits; once the slot is given back, it runs, and background work
	// waits for it.
	ran := make(chan struct{})
	finished := make(chan error, 1)
	go func() {
		_, err := a.run(ctx, work{heavy: true}, func(context.Context) (any, error) {
			close(ran)
			time.Sleep(100 * time.Millisecond)
			return nil, nil
		})
		finished <- err
	}()
	for a.waiting.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	a.releaseBackground()
	<-ran
	if err := short(); err == nil {
		t.Fatal("background work took the slot a request holds")
	}
	if err := <-finished; err != nil {
		t.Fatal(err)
	}
	if err := short(); err != nil {
		t.Fatalf("after the request: %v", err)
	}
	a.releaseBackground()
}
