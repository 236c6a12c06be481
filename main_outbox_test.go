package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"alcarbon/internal/testredis"
)

// TestHelperServe is the program run as a child process by
// TestRunPACTAnswersSurviveKill; it does nothing in a normal test run.
func TestHelperServe(t *testing.T) {
	if os.Getenv("ALCARBON_TEST_SERVE") != "1" {
		t.Skip("runs only as a child process")
	}
	if err := run(context.Background(), []string{"alcarbon"}, os.Getenv, os.Stdout); err != nil {
		t.Fatal(err)
	}
}

// TestRunPACTAnswersSurviveKill: the program, run as a process of its
// own, accepts three footprint requests while their partner is down and
// is killed (SIGKILL) with the answers pending; pact-partners list shows
// them pending; the program started again on the same data directory,
// with the partner back, delivers each of them once.
func TestRunPACTAnswersSurviveKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	dir := t.TempDir()
	var (
		up     atomic.Bool
		downs  atomic.Int32
		mu     sync.Mutex
		events []map[string]any
	)
	partner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/pact/auth/token":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token": "partner-token", "token_type": "bearer"}`)
		case "/pact/2/events":
			if !up.Load() {
				downs.Add(1)
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			var ev map[string]any
			if json.NewDecoder(r.Body).Decode(&ev) != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			mu.Lock()
			events = append(events, ev)
			mu.Unlock()
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer partner.Close()
	clientID, clientSecret, partnerID := addBuyerPartner(t, dir, partner.URL+"/pact")

	port := testredis.FreePort(t)
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	child := exec.Command(os.Args[0], "-test.run=^TestHelperServe$", "-test.count=1")
	child.Env = append(os.Environ(), "ALCARBON_TEST_SERVE=1", "ALCARBON_DATA_DIR="+dir,
		"ALCARBON_ADDR=127.0.0.1:"+strconv.Itoa(port), "ALCARBON_PACT_ALLOW_PRIVATE_PARTNERS=1", "ALCARBON_DATABASE_URL=", "ALCARBON_REDIS_URL=")
	childOut := &safeBuffer{}
	child.Stdout, child.Stderr = childOut, childOut
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { child.Process.Kill(); child.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the child did not answer /healthz within 20 s:\n%s", childOut)
		}
		time.Sleep(20 * time.Millisecond)
	}
	token := pactToken(t, base, clientID, clientSecret)
	for _, id := range []string{"req-1", "req-2", "req-3"} {
		if code := requestFootprint(t, base, token, id); code != 200 {
			t.Fatalf("request event %s: %d\n%s", id, code, childOut)
		}
	}
	// The partner refuses the first attempt; the answers wait for their
	// back-off (2 s), and the process is killed meanwhile.
	for !strings.Contains(childOut.String(), "PACT footprint request answer failed; will retry") {
		if time.Now().After(deadline) {
			t.Fatalf("no failed attempt:\n%s", childOut)
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // the attempt's outcome is written
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	if downs.Load() != 1 {
		t.Fatalf("%d attempts before the kill, want 1", downs.Load())
	}
	out, err := runCommand(t, dir, "pact-partners", "list")
	if pending, failed := outboxColumns(t, out, partnerID); err != nil || pending != "3" || failed != "0" {
		t.Fatalf("pact-partners list after the kill, want 3 pending and 0 failed: %v\n%s", err, out)
	}

	up.Store(true)
	_, cancel, done, logs := startRun(t, map[string]string{"ALCARBON_DATA_DIR": dir, "ALCARBON_PACT_ALLOW_PRIVATE_PARTNERS": "1"})
	var got []string
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		got = got[:0]
		for _, ev := range events {
			data, _ := ev["data"].(map[string]any)
			got = append(got, data["requestEventId"].(string))
		}
		mu.Unlock()
		if len(got) >= 3 || time.Now().After(deadline) {
			break
		}
	}
	time.Sleep(200 * time.Millisecond) // a duplicate would arrive by now
	stop(t, cancel, done, logs)
	mu.Lock()
	n := len(events)
	mu.Unlock()
	slices.Sort(got)
	if n != 3 || !slices.Equal(got, []string{"req-1", "req-2", "req-3"}) {
		t.Fatalf("after the restart the partner got %d answers to %v, want one to each request:\n%s", n, got, logs)
	}
	out, err = runCommand(t, dir, "pact-partners", "list")
	if pending, failed := outboxColumns(t, out, partnerID); err != nil || pending != "0" || failed != "0" {
		t.Fatalf("pact-partners list after delivery: %v\n%s", err, out)
	}
}

// addBuyerPartner registers the organisation "Buyer" both ways: as a PACT
// client of this host (its client id and secret are returned) and as a
// partner at baseURL that receives its events (the partner id is returned;
// this host authenticates there as alcarbon/s3cret).
func addBuyerPartner(t *testing.T, dir, baseURL string) (clientID, clientSecret, partnerID string) {
	t.Helper()
	out, err := runCommand(t, dir, "pact-clients", "create", "--org", "Buyer")
	if err != nil {
		t.Fatalf("pact-clients create: %v\n%s", err, out)
	}
	clientID, clientSecret = field(t, out, "client id"), field(t, out, "client secret")
	out, err = runCommand(t, dir, "pact-partners", "add", "--org", "Buyer", "--source", "//buyer.example/pact",
		"--base-url", baseURL, "--client-id", "alcarbon", "--client-secret", "s3cret")
	if err != nil {
		t.Fatalf("pact-partners add: %v\n%s", err, out)
	}
	return clientID, clientSecret, field(t, out, "partner id")
}

// pactToken gets a PACT access token from the server at base.
func pactToken(t *testing.T, base, clientID, clientSecret string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/auth/token", strings.NewReader("grant_type=client_credentials"))
	req.SetBasicAuth(clientID, clientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}

// requestFootprint posts a ProductFootprintRequest.Created.v1 from the
// partner //buyer.example/pact and returns the status.
func requestFootprint(t *testing.T, base, token, eventID string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/2/events", strings.NewReader(`{"type": "org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1",
		"specversion": "1.0", "id": "`+eventID+`", "source": "//buyer.example/pact", "data": {"pf": {"productIds": ["urn:gtin:1"]}}}`))
	req.Header.Set("Content-Type", "application/cloudevents+json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// outboxColumns returns the PENDING and FAILED columns of the partner's
// row in the output of pact-partners list.
func outboxColumns(t *testing.T, out, partnerID string) (pending, failed string) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[0] == partnerID {
			return f[len(f)-2], f[len(f)-1]
		}
	}
	t.Fatalf("no partner %s in:\n%s", partnerID, out)
	return "", ""
}
