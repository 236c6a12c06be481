package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"alcarbon/registry"
)

// optionServer builds the router with non-default options.
func optionServer(t *testing.T, mutate func(*Options)) *echo.Echo {
	t.Helper()
	e, _, _ := newTestServer(t, mutate)
	return e
}

func TestCORS(t *testing.T) {
	e := optionServer(t, func(o *Options) { o.CORSOrigins = []string{"https://planner.example.cn"} })
	rec := do(t, e, http.MethodOptions, "/v1/footprints/primary", "", "",
		"Origin", "https://planner.example.cn", "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type")
	if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != "https://planner.example.cn" {
		t.Fatalf("preflight from an allowed origin: %d %v", rec.Code, rec.Header())
	}
	rec = do(t, e, http.MethodOptions, "/v1/footprints/primary", "", "",
		"Origin", "https://evil.example", "Access-Control-Request-Method", "POST")
	if rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("a foreign origin was allowed: %v", rec.Header())
	}
	// Without configured origins there are no CORS headers at all.
	rec = do(t, optionServer(t, func(*Options) {}), http.MethodGet, "/healthz", "", "", "Origin", "https://planner.example.cn")
	if rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("CORS headers without configured origins")
	}
}

func TestPProfOnlyWhenEnabled(t *testing.T) {
	e := optionServer(t, func(o *Options) { o.PProf = true })
	if rec := do(t, e, http.MethodGet, "/debug/pprof/", "", ""); rec.Code != 200 {
		t.Fatalf("pprof enabled: %d", rec.Code)
	}
}

func TestBodyLimitFromOptions(t *testing.T) {
	e := optionServer(t, func(o *Options) { o.BodyLimit = 2048 })
	big := fmt.Sprintf(`{"region": "CN-SX", "electricity": {"sources": [%s{"kind": "grid", "share": 1}]}}`, strings.Repeat(`{"kind": "grid", "share": 0},`, 80))
	if rec := postJSON(t, e, "/v1/footprints/primary", big); rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("2 KiB limit: %d", rec.Code)
	}
	if rec := postJSON(t, e, "/v1/footprints/primary", `{}`); rec.Code != 200 {
		t.Fatalf("small body: %d", rec.Code)
	}
}

// TestRegistryErrorsMapped checks the one mapping of the registry's typed
// errors: an unavailable database is 503 and says what still works.
func TestRegistryErrorsMapped(t *testing.T) {
	e, _, logs := testServer(t)
	cases := []struct {
		err    error
		status int
	}{
		{fmt.Errorf("registry: dial tcp 127.0.0.1:5432: connect: connection refused: %w", registry.ErrUnavailable), 503},
		{fmt.Errorf("declaration abc: %w", registry.ErrNotFound), 404},
		{fmt.Errorf("already superseded: %w", registry.ErrConflict), 409},
		{fmt.Errorf("another organisation's declaration: %w", registry.ErrForbidden), 403},
	}
	for i, tc := range cases {
		path := fmt.Sprintf("/test-registry-%d", i)
		err := tc.err
		e.GET(path, func(echo.Context) error { return err })
		rec := do(t, e, http.MethodGet, path, "", "")
		if rec.Code != tc.status {
			t.Fatalf("%v: %d, want %d", tc.err, rec.Code, tc.status)
		}
		p := decodeProblem(t, rec)
		if tc.status == 503 && (strings.Contains(rec.Body.String(), "5432") || !strings.Contains(p.Detail, "calculations still work")) {
			t.Fatalf("503 body: %s", rec.Body)
		}
	}
	if !strings.Contains(logs.String(), "connection refused") {
		t.Fatal("the 503's cause is not logged")
	}
	if !errors.Is(cases[0].err, registry.ErrUnavailable) {
		t.Fatal("test setup")
	}
}
