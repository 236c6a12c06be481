package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"alcarbon/internal/testpg"
	"alcarbon/internal/testredis"
	"alcarbon/registry"
)

// Batch jobs across processes (issue 18): the program runs as child
// processes (TestHelperServeSignals) on one registry; a job survives a
// kill -9 of its process, and two processes sharing PostgreSQL split one.

// batchReplica is one child process serving the API.
type batchReplica struct {
	cmd  *exec.Cmd
	base string
	out  *safeBuffer
	done chan error
}

// startBatchReplica starts the program with env (ALCARBON_* settings) on a
// free port and waits until it is ready.
func startBatchReplica(t *testing.T, env ...string) *batchReplica {
	t.Helper()
	port := testredis.FreePort(t)
	r := &batchReplica{base: "http://127.0.0.1:" + strconv.Itoa(port), out: &safeBuffer{}, done: make(chan error, 1)}
	r.cmd = exec.Command(os.Args[0], "-test.run=^TestHelperServeSignals$", "-test.count=1")
	r.cmd.Env = append(os.Environ(), append([]string{"ALCARBON_TEST_SERVE_SIGNALS=1", "ALCARBON_ADDR=127.0.0.1:" + strconv.Itoa(port),
		"ALCARBON_SHUTDOWN_DRAIN=0", "ALCARBON_REDIS_URL=", "ALCARBON_LOG_LEVEL=warn"}, env...)...)
	r.cmd.Stdout, r.cmd.Stderr = r.out, r.out
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.done <- r.cmd.Wait() }()
	t.Cleanup(func() { r.cmd.Process.Kill() })
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(r.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return r
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready within 30 s:\n%s", r.out)
		}
	}
}

// do sends a request with the API key and returns status and body.
func (r *batchReplica) do(t *testing.T, method, path, key, contentType string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, r.base+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", method, path, err, r.out)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// jobState is what GET /v1/batches/{id} answers.
type jobState struct {
	ID         string `json:"id"`
	State      string `json:"state"`
	Rows       int    `json:"rows"`
	RowsDone   int    `json:"rows_done"`
	RowsFailed int    `json:"rows_failed"`
}

func (r *batchReplica) job(t *testing.T, loc, key string) jobState {
	t.Helper()
	code, _, body := r.do(t, http.MethodGet, loc, key, "", nil)
	var st jobState
	if code != http.StatusOK || json.Unmarshal(body, &st) != nil {
		t.Fatalf("GET %s: %d %s", loc, code, body)
	}
	return st
}

// waitJob polls the job until it has ended.
func (r *batchReplica) waitJob(t *testing.T, loc, key string, within time.Duration) jobState {
	t.Helper()
	for deadline := time.Now().Add(within); ; time.Sleep(100 * time.Millisecond) {
		st := r.job(t, loc, key)
		if st.State != "queued" && st.State != "running" {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("job not done within %s: %+v\n%s", within, st, r.out)
		}
	}
}

// checkResults fetches the job's results as JSON lines: one per row, rows
// 2 to n+1 in order (each once), every row computed.
func (r *batchReplica) checkResults(t *testing.T, loc, key string, n int) {
	t.Helper()
	code, _, body := r.do(t, http.MethodGet, loc+"/results?format=jsonl", key, "", nil)
	if code != http.StatusOK {
		t.Fatalf("results: %d %s", code, body)
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	i := 0
	for ; sc.Scan(); i++ {
		var row struct {
			Row    int    `json:"row"`
			Status string `json:"status"`
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil || row.Row != i+2 || row.Status != "ok" {
			t.Fatalf("result line %d: %s (want row %d, ok)", i+1, sc.Bytes(), i+2)
		}
	}
	if i != n {
		t.Fatalf("%d result lines, want %d", i, n)
	}
}

// batchKey creates an organisation and API key in the registry.
func batchKey(t *testing.T, databaseURL, dataDir string) string {
	t.Helper()
	ctx := context.Background()
	s, err := registry.Open(ctx, databaseURL, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	o, err := s.CreateOrganisation(ctx, "Batch Jobs Co")
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := s.CreateAPIKey(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// chunkRecords reads each chunk's computations and computed_by.
func chunkRecords(t *testing.T, databaseURL, dataDir, id string) ([]int, []string) {
	t.Helper()
	ctx := context.Background()
	s, err := registry.Open(ctx, databaseURL, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	jobs, err := registry.OpenJobs(ctx, s, registry.JobsConfig{RescueAfter: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	n, by, err := jobs.ChunkComputations(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return n, by
}

// plantsCSV is a primary batch file of n good rows.
func plantsCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("region,electrolysis.ac_kwh_per_t\n")
	for i := range n {
		fmt.Fprintf(&b, "CN-SX,%d\n", 13000+i%5000)
	}
	return b.Bytes()
}

// TestBatchJobSurvivesKill: a 2,000-row job (40 chunks of 50 rows) on
// SQLite; the process is killed with SIGKILL once a few chunks are done
// and one is being computed, and started again: the chunk cut off is
// rescued after ALCARBON_BATCH_RESCUE_AFTER (once River's leadership of
// the dead process has expired, ≈ 15–20 s). The job finishes with every row once, in order; the
// chunks done before the kill were computed once, by the first process;
// at most one chunk (the one in flight: one worker) was computed twice.
func TestBatchJobSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := t.TempDir()
	key := batchKey(t, "", dir)
	env := []string{"ALCARBON_DATA_DIR=" + dir, "ALCARBON_DATABASE_URL=", "ALCARBON_BATCH_CHUNK_ROWS=50",
		"ALCARBON_BATCH_RESCUE_AFTER=2s", "ALCARBON_BATCH_WORKERS=1"}
	const n = 2000
	first := startBatchReplica(t, env...)
	code, h, body := first.do(t, http.MethodPost, "/v1/batches?kind=primary", key, "text/csv", plantsCSV(n))
	if code != http.StatusAccepted {
		t.Fatalf("POST: %d %s", code, body)
	}
	loc := h.Get("Location")
	id := strings.TrimPrefix(loc, "/v1/batches/")
	// Kill once 4 chunks are done and one is being computed (River's row
	// says running), so that a chunk is cut off mid-way.
	db, err := sql.Open("sqlite", filepath.Join(dir, registry.SQLiteFile)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
		var done, running int
		if err := db.QueryRow(`SELECT (SELECT count(*) FROM batch_chunks WHERE batch_id = ? AND done_at IS NOT NULL),
			(SELECT count(*) FROM river_job WHERE state = 'running')`, id).Scan(&done, &running); err != nil {
			t.Fatal(err)
		}
		if done >= 4 && running > 0 {
			break
		}
		if done == 40 {
			t.Fatal("the job finished before the kill; the test proves nothing")
		}
		if time.Now().After(deadline) {
			t.Fatalf("no chunk running after 4 done within 30 s (%d done):\n%s", done, first.out)
		}
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-first.done
	before, beforeBy := chunkRecords(t, "", dir, id)
	doneBefore := 0
	for _, by := range beforeBy {
		if by != "" {
			doneBefore++
		}
	}
	if doneBefore == 0 || doneBefore == len(before) {
		t.Fatalf("%d of %d chunks done at the kill", doneBefore, len(before))
	}
	t.Logf("killed with %d of %d chunks done", doneBefore, len(before))

	second := startBatchReplica(t, env...)
	st := second.waitJob(t, loc, key, 50*time.Second)
	if st.State != "done" || st.Rows != n || st.RowsDone != n || st.RowsFailed != 0 {
		t.Fatalf("after the restart: %+v", st)
	}
	second.checkResults(t, loc, key, n)
	after, afterBy := chunkRecords(t, "", dir, id)
	again := 0
	for i := range after {
		switch {
		case afterBy[i] == "":
			t.Errorf("chunk %d: not recorded", i)
		case beforeBy[i] != "" && (after[i] != 1 || afterBy[i] != beforeBy[i]):
			t.Errorf("chunk %d, done before the kill by %s: computed %d times, recorded by %s", i, beforeBy[i], after[i], afterBy[i])
		case after[i] > 1:
			again++
		}
	}
	if again > 1 {
		t.Errorf("%d chunks computed twice; only the one in flight at the kill may be: %v", again, after)
	}
	t.Logf("computations per chunk: %v", after)
}

// TestBatchJobTwoProcessesPostgres: two processes sharing PostgreSQL
// split one job: both record having computed chunks, and the results are
// every row once, in order.
func TestBatchJobTwoProcessesPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	schema := testpg.New(t)
	key := batchKey(t, schema.URL, "")
	env := []string{"ALCARBON_DATABASE_URL=" + schema.URL, "ALCARBON_BATCH_CHUNK_ROWS=50",
		"ALCARBON_BATCH_RESCUE_AFTER=10s", "ALCARBON_BATCH_WORKERS=1", "ALCARBON_DATA_DIR=" + t.TempDir()}
	a := startBatchReplica(t, env...)
	b := startBatchReplica(t, env...)
	const n = 2000
	code, h, body := a.do(t, http.MethodPost, "/v1/batches?kind=primary", key, "text/csv", plantsCSV(n))
	if code != http.StatusAccepted {
		t.Fatalf("POST: %d %s", code, body)
	}
	loc := h.Get("Location")
	// The other replica answers for the job too.
	st := b.waitJob(t, loc, key, 40*time.Second)
	if st.State != "done" || st.RowsDone != n {
		t.Fatalf("job: %+v", st)
	}
	b.checkResults(t, loc, key, n)
	counts, by := chunkRecords(t, schema.URL, "", strings.TrimPrefix(loc, "/v1/batches/"))
	workers := map[string]int{}
	for i, w := range by {
		workers[w]++
		if counts[i] != 1 {
			t.Errorf("chunk %d computed %d times", i, counts[i])
		}
	}
	if len(workers) != 2 || workers[""] != 0 {
		t.Fatalf("chunks recorded by %v; want both processes", workers)
	}
	t.Logf("chunks per process: %v", workers)
}
