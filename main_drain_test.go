package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"alcarbon/internal/testredis"
)

// TestHelperServeSignals runs the program as main does, signals included,
// when started as a child process by TestRunDrainsOnSIGTERM.
func TestHelperServeSignals(t *testing.T) {
	if os.Getenv("ALCARBON_TEST_SERVE_SIGNALS") != "1" {
		t.Skip("runs only as a child process")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, []string{"alcarbon"}, os.Getenv, os.Stdout); err != nil {
		t.Fatal(err)
	}
}

// TestRunDrainsOnSIGTERM: the program, a process of its own, gets SIGTERM.
// /readyz answers 503 "draining" at once, while a calculation requested
// during the drain, on a new connection, is answered 200; after
// ALCARBON_SHUTDOWN_DRAIN the listener closes and the process exits 0.
func TestRunDrainsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	const drain = 2 * time.Second
	port := testredis.FreePort(t)
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	child := exec.Command(os.Args[0], "-test.run=^TestHelperServeSignals$", "-test.count=1")
	child.Env = append(os.Environ(), "ALCARBON_TEST_SERVE_SIGNALS=1", "ALCARBON_DATA_DIR="+t.TempDir(),
		"ALCARBON_ADDR=127.0.0.1:"+strconv.Itoa(port), "ALCARBON_SHUTDOWN_DRAIN="+drain.String(),
		"ALCARBON_DATABASE_URL=", "ALCARBON_REDIS_URL=")
	out := &safeBuffer{}
	child.Stdout, child.Stderr = out, out
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- child.Wait() }()
	t.Cleanup(func() { child.Process.Kill() })

	// Every request on a new connection, as a load balancer's would be.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	readyz := func() (int, string) {
		resp, err := client.Get(base + "/readyz")
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		var r struct {
			Status string `json:"status"`
		}
		b, _ := io.ReadAll(resp.Body)
		json.Unmarshal(b, &r)
		return resp.StatusCode, r.Status
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if code, _ := readyz(); code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready within 20 s:\n%s", out)
		}
	}

	sent := time.Now()
	if err := child.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for {
		code, status := readyz()
		if code == http.StatusServiceUnavailable && status == "draining" {
			break
		}
		if time.Since(sent) > 500*time.Millisecond {
			t.Fatalf("/readyz %d %q 500 ms after SIGTERM, want 503 draining:\n%s", code, status, out)
		}
		time.Sleep(5 * time.Millisecond)
	}
	resp, err := client.Post(base+"/v1/footprints/primary", "application/json",
		strings.NewReader(`{"electrolysis": {"ac_kwh_per_t": 13000}}`))
	if err != nil {
		t.Fatalf("a request during the drain failed: %v\n%s", err, out)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"total_tco2e_per_t"`) {
		t.Fatalf("a request during the drain: %d %s", resp.StatusCode, body)
	}
	if time.Since(sent) >= drain {
		t.Fatalf("the checks took %s, longer than the drain; they prove nothing", time.Since(sent))
	}

	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v, want status 0:\n%s", err, out)
		}
	case <-time.After(drain + 20*time.Second):
		t.Fatalf("no exit within the drain and 20 s:\n%s", out)
	}
	if took := time.Since(sent); took < drain {
		t.Fatalf("exited %s after SIGTERM, before the %s drain ended", took, drain)
	}
	if _, err := client.Get(base + "/healthz"); err == nil {
		t.Fatal("still accepting after exit")
	}
	for _, msg := range []string{`"msg":"draining`, `"msg":"shutting down"`, `"msg":"stopped"`} {
		if !strings.Contains(out.String(), msg) {
			t.Fatalf("no %s in the log:\n%s", msg, out)
		}
	}
}
