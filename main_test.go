package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"alcarbon/internal/testredis"
)

// safeBuffer collects the service's log lines from another goroutine.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startRun runs the program as main does, on a free port, and returns its
// base URL, a cancel func standing in for SIGTERM, and the channel run's
// error arrives on.
func startRun(t *testing.T, env map[string]string) (string, context.CancelFunc, <-chan error, *safeBuffer) {
	t.Helper()
	port := testredis.FreePort(t)
	env["ALCARBON_ADDR"] = "127.0.0.1:" + strconv.Itoa(port)
	if _, ok := env["ALCARBON_DATA_DIR"]; !ok {
		env["ALCARBON_DATA_DIR"] = t.TempDir()
	}
	if _, ok := env["ALCARBON_MEMORY_LIMIT"]; !ok {
		// The limit is the test process's: one server must not set it for
		// the others (TestMemoryLimit sets one and restores it).
		env["ALCARBON_MEMORY_LIMIT"] = "off"
	}
	if _, ok := env["ALCARBON_SHUTDOWN_DRAIN"]; !ok {
		env["ALCARBON_SHUTDOWN_DRAIN"] = "0" // main_drain_test.go tests the drain
	}
	ctx, cancel := context.WithCancel(context.Background())
	out := &safeBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"alcarbon"}, func(k string) string { return env[k] }, out) }()
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("run exited early: %v\n%s", err, out)
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("service did not answer /healthz within 10s: %v\n%s", err, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Cleanup(cancel)
	return base, cancel, done, out
}

func post(t *testing.T, url, body string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func stop(t *testing.T, cancel context.CancelFunc, done <-chan error, out *safeBuffer) {
	t.Helper()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v after shutdown\n%s", err, out)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not return after shutdown")
	}
	if !strings.Contains(out.String(), `"msg":"stopped"`) {
		t.Fatalf("no clean stop in the log:\n%s", out)
	}
}

// TestRunEndToEnd starts the whole program with embedded defaults, computes a
// real footprint, and shuts down as on SIGTERM.
func TestRunEndToEnd(t *testing.T) {
	base, cancel, done, out := startRun(t, map[string]string{})
	resp, body := post(t, base+"/v1/footprints/primary", `{"electrolysis": {"ac_kwh_per_t": 13000}}`)
	if resp.StatusCode != 200 || resp.Header.Get("X-Cache") != "miss" {
		t.Fatalf("footprint: %d %s", resp.StatusCode, body)
	}
	var r struct {
		Total struct {
			LocationBased float64 `json:"location_based"`
		} `json:"total_tco2e_per_t"`
		Ratings struct {
			Grade int `json:"gb21346_ac_grade"`
		} `json:"ratings"`
	}
	// The default dataset (2026.2) reads 13,000 kWh/t as the comprehensive
	// AC power: GB 21346-2022 grade 1 (≤ 13,250).
	if err := json.Unmarshal(body, &r); err != nil || r.Total.LocationBased <= 0 || r.Ratings.Grade != 1 {
		t.Fatalf("footprint body: %v %s", err, body)
	}
	resp, _ = post(t, base+"/v1/footprints/primary", `{"electrolysis": {"ac_kwh_per_t": 13000}}`)
	if resp.Header.Get("X-Cache") != "hit-memory" {
		t.Fatalf("second call X-Cache %q", resp.Header.Get("X-Cache"))
	}
	ready, err := http.Get(base + "/readyz")
	if err != nil || ready.StatusCode != 200 {
		t.Fatalf("readyz: %v", err)
	}
	ready.Body.Close()
	stop(t, cancel, done, out)
	if strings.Contains(out.String(), "password") {
		t.Fatal("log mentions a password")
	}
}

// TestRunInFlightRequestsFinish checks graceful shutdown: a request in
// flight when shutdown starts still gets its answer.
func TestRunInFlightRequestsFinish(t *testing.T) {
	base, cancel, done, out := startRun(t, map[string]string{"ALCARBON_SHUTDOWN_TIMEOUT": "10s"})
	// A slow client: send headers and half the body, then shut down, then
	// the rest. The server must wait for it.
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"electrolysis": {"ac_kwh_per_t": 13300}}`
	fmt.Fprintf(conn, "POST /v1/footprints/primary HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:10])
	time.Sleep(100 * time.Millisecond)
	cancel()
	time.Sleep(100 * time.Millisecond)
	fmt.Fprint(conn, body[10:])
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request lost: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("in-flight request: %d", resp.StatusCode)
	}
	stop(t, func() {}, done, out)
}

// TestRunRedisStopped runs with Redis as the second tier, then kills Redis:
// calculations keep answering 200 and /readyz reports Redis down while the
// service stays ready. (The cache package's tests kill Redis under requests
// that use it and check the error metric.)
func TestRunRedisStopped(t *testing.T) {
	srv := testredis.Start(t)
	base, cancel, done, out := startRun(t, map[string]string{"ALCARBON_REDIS_URL": "redis://" + srv.Addr + "/0"})
	resp, body := post(t, base+"/v1/footprints/primary", `{"electrolysis": {"ac_kwh_per_t": 13001}}`)
	if resp.StatusCode != 200 {
		t.Fatalf("with redis: %d %s", resp.StatusCode, body)
	}
	srv.Stop()
	for i := 0; i < 10; i++ {
		resp, body := post(t, base+"/v1/footprints/primary", fmt.Sprintf(`{"electrolysis": {"ac_kwh_per_t": %d}}`, 13100+i))
		if resp.StatusCode != 200 {
			t.Fatalf("redis down, request %d: %d %s", i, resp.StatusCode, body)
		}
	}
	ready, _ := http.Get(base + "/readyz")
	rb, _ := io.ReadAll(ready.Body)
	ready.Body.Close()
	if ready.StatusCode != 200 || !strings.Contains(string(rb), `"name":"redis","state":"down"`) {
		t.Fatalf("readyz with redis down: %d %s", ready.StatusCode, rb)
	}
	stop(t, cancel, done, out)
}

func TestRunConfigErrors(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"alcarbon"}, func(k string) string {
		if k == "ALCARBON_CACHE_TTL" {
			return "soon"
		}
		return ""
	}, &out)
	if err == nil || !strings.Contains(err.Error(), "ALCARBON_CACHE_TTL") {
		t.Fatalf("invalid config: %v", err)
	}
	err = run(context.Background(), []string{"alcarbon"}, func(k string) string {
		if k == "ALCARBON_DEFAULT_DATASET" {
			return "1999.1"
		}
		return ""
	}, &out)
	if err == nil || !strings.Contains(err.Error(), "ALCARBON_DEFAULT_DATASET") || !strings.Contains(err.Error(), "2026.1") {
		t.Fatalf("unknown default dataset: %v", err)
	}
	err = run(context.Background(), []string{"alcarbon", "frobnicate"}, func(string) string { return "" }, &out)
	if err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Fatalf("unknown command: %v", err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"alcarbon", "--help"}, func(string) string { return "" }, &out); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"ALCARBON_ADDR", "ALCARBON_REDIS_URL", "ALCARBON_DATABASE_URL", "ALCARBON_BODY_LIMIT", "healthcheck"} {
		if !strings.Contains(out.String(), v) {
			t.Fatalf("--help lacks %s:\n%s", v, out.String())
		}
	}
	// A subcommand's help is the same text, without opening the registry.
	for _, args := range [][]string{{"alcarbon", "keys", "--help"}, {"alcarbon", "pact-partners", "-h"}} {
		out.Reset()
		if err := run(context.Background(), args, func(string) string { return "" }, &out); err != nil || !strings.Contains(out.String(), "alcarbon keys create --org NAME") {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
	}
}

func TestHealthcheckCommand(t *testing.T) {
	base, cancel, done, out := startRun(t, map[string]string{})
	addr := strings.TrimPrefix(base, "http://")
	if err := run(context.Background(), []string{"alcarbon", "healthcheck"}, func(k string) string {
		if k == "ALCARBON_ADDR" {
			return addr
		}
		return ""
	}, io.Discard); err != nil {
		t.Fatalf("healthcheck against a live server: %v", err)
	}
	stop(t, cancel, done, out)
	if err := run(context.Background(), []string{"alcarbon", "healthcheck"}, func(k string) string {
		if k == "ALCARBON_ADDR" {
			return addr
		}
		return ""
	}, io.Discard); err == nil {
		t.Fatal("healthcheck against a stopped server succeeded")
	}
}

// runCommand runs an alcarbon subcommand against the registry in dataDir
// and returns its output. PACT partners may have private addresses: the
// tests' partners listen on loopback.
func runCommand(t *testing.T, dataDir string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), append([]string{"alcarbon"}, args...), func(k string) string {
		return map[string]string{"ALCARBON_DATA_DIR": dataDir, "ALCARBON_PACT_ALLOW_PRIVATE_PARTNERS": "1"}[k]
	}, &out)
	return out.String(), err
}

// field returns the value after label in the command output.
func field(t *testing.T, out, label string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, label); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no %q in output:\n%s", label, out)
	return ""
}

func TestKeysCommands(t *testing.T) {
	dir := t.TempDir()
	out, err := runCommand(t, dir, "keys", "create", "--org", "Shanxi Smelter")
	if err != nil || !strings.Contains(out, "created org") {
		t.Fatalf("keys create: %v\n%s", err, out)
	}
	key, keyID := field(t, out, "api key"), field(t, out, "key id")
	if !strings.HasPrefix(key, "alc_") || keyID == "" {
		t.Fatalf("keys create printed key %q, id %q", key, keyID)
	}
	out, err = runCommand(t, dir, "keys", "create", "--org=Shanxi Smelter")
	if err != nil || strings.Contains(out, "created org") {
		t.Fatalf("second key for the same organisation: %v\n%s", err, out)
	}
	out, err = runCommand(t, dir, "keys", "list", "--org", "Shanxi Smelter")
	if err != nil || strings.Count(out, "alc_") != 2 || strings.Contains(out, key) || !strings.Contains(out, key[:16]) {
		t.Fatalf("keys list shows prefixes only: %v\n%s", err, out)
	}
	if out, err = runCommand(t, dir, "keys", "revoke", keyID); err != nil || !strings.Contains(out, "revoked") {
		t.Fatalf("keys revoke: %v\n%s", err, out)
	}
	out, _ = runCommand(t, dir, "keys", "list", "--org", "Shanxi Smelter")
	for _, line := range strings.Split(out, "\n") {
		cols := strings.Fields(line)
		if len(cols) == 4 && cols[0] != "ID" && (cols[0] == keyID) == (cols[3] == "-") {
			t.Fatalf("revocation listed wrong:\n%s", out)
		}
	}
	out, err = runCommand(t, dir, "pact-clients", "create", "--org", "Buyer")
	if err != nil || field(t, out, "client id") == "" || len(field(t, out, "client secret")) != 43 {
		t.Fatalf("pact-clients create: %v\n%s", err, out)
	}
	clientID, clientSecret := field(t, out, "client id"), field(t, out, "client secret")
	out, err = runCommand(t, dir, "pact-clients", "list", "--org", "Buyer")
	if err != nil || !strings.Contains(out, clientID) || strings.Contains(out, clientSecret) {
		t.Fatalf("pact-clients list shows the id, never the secret: %v\n%s", err, out)
	}
	if out, err = runCommand(t, dir, "pact-clients", "revoke", clientID); err != nil || !strings.Contains(out, "revoked") {
		t.Fatalf("pact-clients revoke: %v\n%s", err, out)
	}
	out, _ = runCommand(t, dir, "pact-clients", "list", "--org", "Buyer")
	if cols := strings.Fields(strings.Split(out, "\n")[1]); len(cols) != 3 || cols[0] != clientID || cols[2] == "-" {
		t.Fatalf("revocation not listed:\n%s", out)
	}
	if _, err := runCommand(t, dir, "pact-clients", "revoke", "no-such-client"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("revoke unknown client: %v", err)
	}
	for _, args := range [][]string{
		{"keys"}, {"keys", "create"}, {"keys", "create", "--org", ""}, {"keys", "list"}, {"keys", "revoke"},
		{"keys", "rotate", "--org", "x"}, {"pact-clients", "delete"}, {"keys", "create", "--bogus"},
		{"pact-clients", "list"}, {"pact-clients", "revoke"}, {"pact-clients", "revoke", "a", "b"},
	} {
		if _, err := runCommand(t, dir, args...); err == nil {
			t.Fatalf("%v succeeded", args)
		}
	}
	if _, err := runCommand(t, dir, "keys", "revoke", "no-such-key"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("revoke unknown: %v", err)
	}
	if _, err := runCommand(t, dir, "keys", "list", "--org", "Nobody"); err == nil {
		t.Fatal("list of an unknown organisation succeeded")
	}
}

// TestRunDeclarationSurvivesRestart publishes through the running program,
// stops it right after the 201 and starts it again on the same data
// folder: the declaration is there.
func TestRunDeclarationSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	out, err := runCommand(t, dir, "keys", "create", "--org", "Shanxi Smelter")
	if err != nil {
		t.Fatal(err)
	}
	key := field(t, out, "api key")
	base, cancel, done, logs := startRun(t, map[string]string{"ALCARBON_DATA_DIR": dir})
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/declarations", strings.NewReader(`{"kind": "primary",
		"request": {"region": "CN-SX", "electrolysis": {"ac_kwh_per_t": 13200}}, "product_name": "P1020A ingot",
		"reference_period": {"start": "2024-01-01", "end": "2024-12-31"}, "visibility": "public"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 201 || loc == "" {
		t.Fatalf("publish: %d %s", resp.StatusCode, body)
	}
	stop(t, cancel, done, logs)
	if strings.Contains(logs.String(), key) {
		t.Fatal("the API key is in the log")
	}

	base, cancel, done, logs = startRun(t, map[string]string{"ALCARBON_DATA_DIR": dir})
	got, err := http.Get(base + loc)
	if err != nil {
		t.Fatal(err)
	}
	gotBody, _ := io.ReadAll(got.Body)
	got.Body.Close()
	var before, after struct {
		ID          string `json:"id"`
		ContentHash string `json:"content_hash"`
	}
	_ = json.Unmarshal(body, &before)
	if err := json.Unmarshal(gotBody, &after); err != nil || got.StatusCode != 200 || after != before || after.ID == "" {
		t.Fatalf("after restart: %d %s", got.StatusCode, gotBody)
	}
	stop(t, cancel, done, logs)
}

func TestPACTPartnersCommands(t *testing.T) {
	dir := t.TempDir()
	out, err := runCommand(t, dir, "pact-partners", "list")
	if err != nil || strings.TrimSpace(out) != "ID  SOURCE  ORG  EVENTS URL  TOKEN URL  CLIENT ID  CREATED  PENDING  FAILED" {
		t.Fatalf("empty list: %v\n%q", err, out)
	}
	const secret = "partner-secret-123"
	out, err = runCommand(t, dir, "pact-partners", "add", "--source", "//buyer.example/pact", "--base-url", "https://buyer.example/pact/",
		"--client-id", "alcarbon", "--client-secret", secret, "--org", "Buyer")
	if err != nil || !strings.Contains(out, "created org") || field(t, out, "events url") != "https://buyer.example/pact/2/events" ||
		field(t, out, "token url") != "https://buyer.example/pact/auth/token" || strings.Contains(out, secret) {
		t.Fatalf("pact-partners add: %v\n%s", err, out)
	}
	id := field(t, out, "partner id")
	// The secret from the environment, a token endpoint of its own.
	var buf bytes.Buffer
	err = run(context.Background(), []string{"alcarbon", "pact-partners", "add", "--source", "urn:lab", "--base-url", "http://127.0.0.1:9",
		"--token-url", "http://127.0.0.1:9/oauth2/token", "--client-id", "lab"}, func(k string) string {
		return map[string]string{"ALCARBON_DATA_DIR": dir, "ALCARBON_PACT_PARTNER_SECRET": "env-secret-456", "ALCARBON_PACT_ALLOW_PRIVATE_PARTNERS": "1"}[k]
	}, &buf)
	if err != nil || field(t, buf.String(), "token url") != "http://127.0.0.1:9/oauth2/token" {
		t.Fatalf("pact-partners add with the secret from the environment: %v\n%s", err, &buf)
	}
	out, err = runCommand(t, dir, "pact-partners", "list")
	if err != nil || !strings.Contains(out, id) || !strings.Contains(out, "//buyer.example/pact") || !strings.Contains(out, "urn:lab") ||
		strings.Contains(out, secret) || strings.Contains(out, "env-secret-456") || strings.Count(out, "\n") != 3 {
		t.Fatalf("pact-partners list: %v\n%s", err, out)
	}
	for _, args := range [][]string{
		{"pact-partners"}, {"pact-partners", "remove"}, {"pact-partners", "list", "--source", "x"},
		{"pact-partners", "add", "--base-url", "https://x.example", "--client-id", "c", "--client-secret", "s"},
		{"pact-partners", "add", "--source", "//x", "--client-id", "c", "--client-secret", "s"},
		{"pact-partners", "add", "--source", "//x", "--base-url", "https://x.example", "--client-secret", "s"},
		{"pact-partners", "add", "--source", "//x", "--base-url", "https://x.example", "--client-id", "c"},
		{"pact-partners", "add", "--source", "//x", "--base-url", "ftp://x.example", "--client-id", "c", "--client-secret", "s"},
		{"pact-partners", "add", "--source", "//buyer.example/pact", "--base-url", "https://x.example", "--client-id", "c", "--client-secret", "s"},
	} {
		if out, err := runCommand(t, dir, args...); err == nil {
			t.Fatalf("%v succeeded:\n%s", args, out)
		}
	}
}

// TestRunAnswersPACTRequest: the running program answers a footprint
// request at the partner configured with pact-partners add, and stops
// cleanly afterwards.
func TestRunAnswersPACTRequest(t *testing.T) {
	dir := t.TempDir()
	events := make(chan map[string]any, 1)
	partner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/pact/auth/token":
			if id, secret, ok := r.BasicAuth(); !ok || id != "alcarbon" || secret != "s3cret" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token": "partner-token", "token_type": "bearer"}`)
		case "/pact/2/events":
			var ev map[string]any
			if r.Header.Get("Authorization") != "Bearer partner-token" || json.NewDecoder(r.Body).Decode(&ev) != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			events <- ev
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer partner.Close()
	clientID, clientSecret, _ := addBuyerPartner(t, dir, partner.URL+"/pact")

	base, cancel, done, logs := startRun(t, map[string]string{"ALCARBON_DATA_DIR": dir, "ALCARBON_PACT_ALLOW_PRIVATE_PARTNERS": "1"})
	if code := requestFootprint(t, base, pactToken(t, base, clientID, clientSecret), "req-1"); code != 200 {
		t.Fatalf("request event: %d", code)
	}
	select {
	case ev := <-events:
		data, _ := ev["data"].(map[string]any)
		if ev["type"] != "org.wbcsd.pathfinder.ProductFootprintRequest.Rejected.v1" || data["requestEventId"] != "req-1" {
			t.Fatalf("answer: %v", ev)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no answer at the partner within 10 s:\n%s", logs)
	}
	stop(t, cancel, done, logs)
	if strings.Contains(logs.String(), "s3cret") || strings.Contains(logs.String(), "partner-token") {
		t.Fatal("the partner's secret or token is in the log")
	}
}

// TestMemoryLimit: ALCARBON_MEMORY_LIMIT sets the Go runtime's soft limit,
// the cache capacity left on auto is derived from it, and /metrics shows
// the limit, the cache's capacity and bytes and the heap.
func TestMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	base, cancel, done, out := startRun(t, map[string]string{"ALCARBON_MEMORY_LIMIT": "200MiB"})
	if got := debug.SetMemoryLimit(-1); got != 200<<20 {
		t.Fatalf("runtime memory limit %d, want %d", got, 200<<20)
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		"alcarbon_memory_limit_bytes 2.097152e+08",
		"alcarbon_cache_memory_max_bytes 7.1303168e+07", // (200 − 64) MiB / 2 = 68 MiB
		"alcarbon_cache_memory_bytes ",
		"go_memstats_heap_inuse_bytes ",
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	stop(t, cancel, done, out)
	if !strings.Contains(out.String(), `"memory_limit":209715200`) || !strings.Contains(out.String(), `"cache_max_bytes":71303168`) {
		t.Errorf("start-up log lacks the memory settings:\n%.2000s", out)
	}
}
