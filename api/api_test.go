package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"alcarbon/cache"
	"alcarbon/factors"
)

// testServer builds the real router with the embedded dataset and a
// memory-only cache.
func testServer(t testing.TB) (*echo.Echo, *cache.Cache, *syncWriter) {
	t.Helper()
	return newTestServer(t, func(*Options) {})
}

// testDefaultDataset is the default dataset of the test server: the one
// the expected values of these tests were typed from (as an operator's
// ALCARBON_DEFAULT_DATASET would keep it). Tests of a later version's
// rules pin that version in their requests; TestRealDefaultDataset checks
// the build's own default.
const testDefaultDataset = "2026.1"

// testCatalog is the embedded catalog with testDefaultDataset as default.
func testCatalog() (*factors.Catalog, error) {
	cat, err := factors.Load()
	if err != nil {
		return nil, err
	}
	return cat.WithDefault(testDefaultDataset)
}

// realDefaultServer is the router over the build's own catalog, whose
// default is the newest release: what a user gets (benchmarks, and the
// tests of the default itself).
func realDefaultServer(tb testing.TB) *echo.Echo {
	tb.Helper()
	cat, err := factors.Load()
	if err != nil {
		tb.Fatal(err)
	}
	e, _, _ := newTestServer(tb, func(o *Options) { o.Catalog = cat })
	return e
}

// newTestServer builds the router with options changed by mutate; the log
// goes to the returned writer (discarded in benchmarks).
func newTestServer(t testing.TB, mutate func(*Options)) (*echo.Echo, *cache.Cache, *syncWriter) {
	t.Helper()
	logs := &syncWriter{w: &bytes.Buffer{}}
	if _, ok := t.(*testing.B); ok {
		logs.w = io.Discard // benchmarks must not grow a buffer
	}
	cat, err := testCatalog()
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	c, err := cache.New(cache.Options{Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	o := Options{Catalog: cat, Cache: c, Logger: slog.New(slog.NewJSONHandler(logs, nil)), AccessLog: logs, Registry: reg, BodyLimit: 64 << 10}
	mutate(&o)
	return New(o), c, logs
}

// syncWriter serialises writes to a buffer shared by concurrent requests.
type syncWriter struct {
	w  io.Writer
	mu sync.Mutex
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.w.(*bytes.Buffer); ok {
		return b.String()
	}
	return ""
}

func do(t testing.TB, e *echo.Echo, method, path, contentType, body string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set(echo.HeaderContentType, contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

func postJSON(t testing.TB, e *echo.Echo, path, body string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	return do(t, e, http.MethodPost, path, "application/json", body, headers...)
}

func decodeProblem(t *testing.T, rec *httptest.ResponseRecorder) Problem {
	t.Helper()
	if ct := rec.Header().Get(echo.HeaderContentType); ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json; body %s", ct, rec.Body)
	}
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("problem body: %v: %s", err, rec.Body)
	}
	if p.Status != rec.Code {
		t.Fatalf("problem status %d != HTTP %d", p.Status, rec.Code)
	}
	if p.RequestID == "" || p.RequestID != rec.Header().Get(headerRequestID) {
		t.Fatalf("problem request_id %q, header %q", p.RequestID, rec.Header().Get(headerRequestID))
	}
	return p
}

func hasPointer(p Problem, pointer, detailPart string) bool {
	for _, f := range p.Errors {
		if f.Pointer == pointer && strings.Contains(f.Detail, detailPart) {
			return true
		}
	}
	return false
}

// TestErrorClasses drives every error class through the real router and
// error handler and checks status, content type and body.
func TestErrorClasses(t *testing.T) {
	e, _, logs := testServer(t)
	e.GET("/test-panic", func(echo.Context) error { panic("boom: secret detail") })
	e.GET("/test-error", func(echo.Context) error { return errors.New("pq: relation \"declarations\" does not exist") })

	cases := []struct {
		name        string
		method      string
		path        string
		contentType string
		body        string
		status      int
		detailPart  string
	}{
		{"malformed JSON says where", http.MethodPost, "/v1/footprints/primary", "application/json", "{\n  \"region\": \"CN-SX\",\n  \"year\": }", 400, "line 3, column"},
		{"empty body", http.MethodPost, "/v1/footprints/primary", "application/json", "", 400, "empty"},
		{"trailing data", http.MethodPost, "/v1/footprints/primary", "application/json", `{} {}`, 400, "after the JSON value"},
		{"truncated", http.MethodPost, "/v1/footprints/primary", "application/json", `{"region": "CN-SX"`, 400, "ends before"},
		{"invalid UTF-8", http.MethodPost, "/v1/footprints/primary", "application/json", "{\"region\": \"\xff\"}", 400, "UTF-8"},
		{"deep nesting", http.MethodPost, "/v1/footprints/primary", "application/json", strings.Repeat("[", 40) + strings.Repeat("]", 40), 400, "nested"},
		{"unknown route", http.MethodGet, "/v1/nope", "", "", 404, "no such endpoint"},
		{"wrong method", http.MethodDelete, "/v1/footprints/primary", "", "", 405, "not allowed"},
		{"body too large", http.MethodPost, "/v1/footprints/primary", "application/json", `{"region":"` + strings.Repeat("x", 70<<10) + `"}`, 413, "larger than"},
		{"not JSON", http.MethodPost, "/v1/footprints/primary", "text/plain", `{}`, 415, "Content-Type: application/json"},
		{"no content type", http.MethodPost, "/v1/footprints/primary", "", `{}`, 415, "Content-Type"},
		{"panic is 500 without detail", http.MethodGet, "/test-panic", "", "", 500, "internal error"},
		{"error is 500 without SQL", http.MethodGet, "/test-error", "", "", 500, "internal error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, e, tc.method, tc.path, tc.contentType, tc.body)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tc.status, rec.Body)
			}
			p := decodeProblem(t, rec)
			if !strings.Contains(p.Detail, tc.detailPart) {
				t.Fatalf("detail %q does not contain %q", p.Detail, tc.detailPart)
			}
			for _, leak := range []string{"boom", "secret", "pq:", "relation", "goroutine", ".go:"} {
				if strings.Contains(rec.Body.String(), leak) {
					t.Fatalf("response leaks %q: %s", leak, rec.Body)
				}
			}
		})
	}
	if !strings.Contains(logs.String(), "boom: secret detail") || !strings.Contains(logs.String(), "relation") {
		t.Fatalf("the log should carry the real errors with the request id; got %s", logs)
	}
}

func TestValidationNamesFields(t *testing.T) {
	e, _, _ := testServer(t)
	cases := []struct {
		name, body, pointer, detail string
	}{
		{"unknown field", `{"regoin": "CN-SX"}`, "/regoin", "unknown field"},
		{"unknown nested field", `{"electricity": {"sources": [{"kind": "grid", "share": 1, "colour": "green"}]}}`, "/electricity/sources/0/colour", "unknown field"},
		{"wrong type names the field", `{"electricity": {"sources": [{"kind": "grid", "share": 1}, {"kind": "grid", "share": "half"}]}}`, "/electricity/sources/1/share", "must be a number"},
		{"wrong type integer", `{"year": 2023.5}`, "/year", "whole number"},
		{"AC out of range", `{"electricity": {}, "electrolysis": {"ac_kwh_per_t": 9000}}`, "/electrolysis/ac_kwh_per_t", "between 10000 and 20000"},
		{"fraction out of range", `{"anode": {"sulphur_fraction": 1.5}}`, "/anode/sulphur_fraction", "between 0 and 0.1"},
		{"unknown enum", `{"electrolysis": {"technology": "XYZ"}}`, "/electrolysis/technology", "must be one of CWPB"},
		{"unknown gwp", `{"gwp": "AR9"}`, "/gwp", "AR4, AR5, AR6"},
		{"unknown region", `{"region": "CN-ZZ"}`, "/region", "unknown region"},
		{"unknown dataset", `{"dataset": "1999.1"}`, "/dataset", "available: 2026.2, 2026.1"},
		{"shares not summing to 1", `{"electricity": {"sources": [{"kind": "grid", "share": 0.5}, {"kind": "captive", "fuel": "coal", "share": 0.3}]}}`, "/electricity/sources", "sum to 1"},
		{"mwh without production", `{"electricity": {"sources": [{"kind": "onsite_pv", "mwh": 1000}]}}`, "/electricity/sources/0/mwh", "/production_t"},
		{"certificates without production", `{"electricity": {"certificates_mwh": 1000}}`, "/electricity/certificates_mwh", "/production_t"},
		{"certificates without grid energy", `{"production_t": 1000, "electricity": {"sources": [{"kind": "captive", "fuel": "coal", "share": 1}], "certificates_mwh": 100}}`, "/electricity/certificates_mwh", "no grid MWh"},
		{"share and mwh", `{"production_t": 1000, "electricity": {"sources": [{"kind": "grid", "share": 1, "mwh": 5}]}}`, "/electricity/sources/0", "not both"},
		{"kind required", `{"electricity": {"sources": [{"share": 1}]}}`, "/electricity/sources/0/kind", "required"},
		{"technology required", `{"electricity": {"sources": [{"kind": "direct_line", "share": 1}]}}`, "/electricity/sources/0/technology", "required"},
		{"year without factors", `{"year": 2019, "electricity_basis": "co2_operational"}`, "/year", "2021, 2022, 2023"},
		{"slope needs minutes", `{"electrolysis": {"technology": "PFPB_M", "pfc": {"method": "slope"}}}`, "/electrolysis/pfc/anode_effect_minutes_per_cell_day", "required"},
		{"molten with casting energy", `{"casting": {"molten": true, "electricity_kwh_per_t": 50}}`, "/casting/molten", "not cast"},
		{"year out of range", `{"year": 1800}`, "/year", "between 2000 and 2100"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := postJSON(t, e, "/v1/footprints/primary", tc.body)
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422; body %s", rec.Code, rec.Body)
			}
			p := decodeProblem(t, rec)
			if !hasPointer(p, tc.pointer, tc.detail) {
				t.Fatalf("no error at %s containing %q; got %+v", tc.pointer, tc.detail, p.Errors)
			}
		})
	}
}

// TestKeysAreCaseSensitive: encoding/json would let "REGION" fill region;
// strict decoding refuses it, naming the field.
func TestKeysAreCaseSensitive(t *testing.T) {
	e, _, _ := testServer(t)
	rec := postJSON(t, e, "/v1/footprints/primary", `{"REGION": "CN-NM"}`)
	if rec.Code != 422 || !hasPointer(decodeProblem(t, rec), "/REGION", "unknown field") {
		t.Fatalf("upper-case key: %d %s", rec.Code, rec.Body)
	}
	rec = postJSON(t, e, "/v1/footprints/primary", `{"electrolysis": {"Technology": "PFPB_M"}}`)
	if rec.Code != 422 || !hasPointer(decodeProblem(t, rec), "/electrolysis/Technology", "unknown field") {
		t.Fatalf("mixed-case nested key: %d %s", rec.Code, rec.Body)
	}
	if rec := postJSON(t, e, "/v1/footprints/primary", `{"region": "CN-SX", "electrolysis": {"technology": "PFPB_M"}}`); rec.Code != 200 {
		t.Fatalf("upper case in values only: %d %s", rec.Code, rec.Body)
	}
	// Unicode case folding (issue 16, row 6): "ſources" (U+017F) and a key
	// with the Kelvin sign are not "sources" and "k…".
	rec = postJSON(t, e, "/v1/electricity", `{"region": "CN-SX", "year": 2023, "demand_mwh": 1, "ſources": [{"kind": "grid", "share": 1}]}`)
	if rec.Code != 422 || !hasPointer(decodeProblem(t, rec), "/ſources", "unknown field") {
		t.Fatalf("ſources: %d %s", rec.Code, rec.Body)
	}
	rec = postJSON(t, e, "/v1/pv", `{"location": {"latitude": 37.6, "longitude": 112.6}, "solar_resource": {"\u017fite": "taiyuan"}, "system": {"capacity_kw": 1000}}`)
	if rec.Code != 422 || !hasPointer(decodeProblem(t, rec), "/solar_resource/ſite", "unknown field") {
		t.Fatalf("ſite: %d %s", rec.Code, rec.Body)
	}
}

func TestHasFoldableKey(t *testing.T) {
	for _, tc := range []struct {
		body string
		want bool
	}{
		{`{"region": "CN-SX", "gwp": "AR5"}`, false},
		{`{"REGION": "cn-sx"}`, true},
		{`{"a": {"b": [{"Technology" : 1}]}}`, true},
		{`{"a": "x\"Y\":"}`, false}, // an escaped quote inside a value
		{`{"a": ["Key", "B"]}`, false},
		{"{\"a\":1,\n \"B\"\n:2}", true},
		{`{"ſite": "taiyuan"}`, true},      // U+017F folds to s
		{`{"\u017fite": "taiyuan"}`, true}, // the same, escaped
		{"{\"\u212a\": 1}", true},          // the Kelvin sign folds to k
		{`{"name": "山西"}`, false},          // non-ASCII in a value only
	} {
		if got := hasFoldableKey([]byte(tc.body)); got != tc.want {
			t.Errorf("hasFoldableKey(%s) = %v, want %v", tc.body, got, tc.want)
		}
	}
}
