package api

import (
	"net/http"
	"sync"
	"testing"
)

func TestCacheHeaders(t *testing.T) {
	e, c, _ := testServer(t)
	first := postJSON(t, e, "/v1/footprints/primary", `{"region": "CN-SX", "electrolysis": {"ac_kwh_per_t": 13200}}`)
	if first.Code != 200 || first.Header().Get("X-Cache") != "miss" || first.Header().Get("ETag") == "" {
		t.Fatalf("first: %d %v", first.Code, first.Header())
	}
	// The same request written differently (key order, spacing, explicit
	// defaults) is the same entry.
	for _, body := range []string{
		`{"electrolysis":{"ac_kwh_per_t":13200},"region":"CN-SX"}`,
		`{"electrolysis": {"ac_kwh_per_t": 13200}}`,
		`{"electrolysis": {"ac_kwh_per_t": 13200.0}, "year": 2023, "gwp": "AR5", "electricity_basis": "lifecycle", "dataset": "2026.1", "region": "cn-sx"}`,
	} {
		rec := postJSON(t, e, "/v1/footprints/primary", body)
		if rec.Header().Get("X-Cache") != "hit-memory" || rec.Header().Get("ETag") != first.Header().Get("ETag") || rec.Body.String() != first.Body.String() {
			t.Fatalf("%s: X-Cache %q ETag %q (want %q)", body, rec.Header().Get("X-Cache"), rec.Header().Get("ETag"), first.Header().Get("ETag"))
		}
	}
	// A different request is a different entry.
	other := postJSON(t, e, "/v1/footprints/primary", `{"electrolysis": {"ac_kwh_per_t": 13201}}`)
	if other.Header().Get("X-Cache") != "miss" || other.Header().Get("ETag") == first.Header().Get("ETag") {
		t.Fatalf("different request shares an entry")
	}
	// If-None-Match with the ETag gets 304 and no body.
	rec := postJSON(t, e, "/v1/footprints/primary", `{"electrolysis": {"ac_kwh_per_t": 13200}}`, "If-None-Match", first.Header().Get("ETag"))
	if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 || rec.Header().Get("ETag") != first.Header().Get("ETag") {
		t.Fatalf("If-None-Match: %d %q", rec.Code, rec.Body)
	}
	rec = postJSON(t, e, "/v1/footprints/primary", `{"electrolysis": {"ac_kwh_per_t": 13200}}`, "If-None-Match", `"other"`)
	if rec.Code != 200 {
		t.Fatalf("non-matching If-None-Match: %d", rec.Code)
	}
	// Errors are not cached.
	for i := 0; i < 2; i++ {
		if rec := postJSON(t, e, "/v1/footprints/primary", `{"year": 2019, "electricity_basis": "co2_operational"}`); rec.Code != 422 || rec.Header().Get("X-Cache") != "" {
			t.Fatalf("error response %d cached as %q", rec.Code, rec.Header().Get("X-Cache"))
		}
	}
	if s := c.Stats(); s.Misses < 2 || s.MemoryHits < 4 {
		t.Fatalf("stats %+v", s)
	}
}

// TestConcurrentIdenticalRequests checks that concurrent identical misses
// give identical answers (the cache computes them once; its own tests count
// the computations).
func TestConcurrentIdenticalRequests(t *testing.T) {
	e, _, _ := testServer(t)
	const n = 32
	bodies := make([]string, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			rec := postJSON(t, e, "/v1/footprints/primary", `{"electrolysis": {"ac_kwh_per_t": 13100}}`)
			if rec.Code == 200 {
				bodies[i] = rec.Body.String()
			}
		}(i)
	}
	wg.Wait()
	for i := 1; i < n; i++ {
		if bodies[i] == "" || bodies[i] != bodies[0] {
			t.Fatalf("response %d differs or failed", i)
		}
	}
}

// TestScenarioPVBudget: a sweep that would run more than maxPVRuns hourly
// PV simulations is refused up front.
func TestScenarioPVBudget(t *testing.T) {
	e, _, _ := testServer(t)
	pv := `{"kind": "onsite_pv", "pv": {"site": "taiyuan", "system": {"capacity_kwp": 1000}}}`
	sources := pv + "," + pv + "," + pv + `, {"kind": "grid", "share": 1}`
	base := `{"production_t": 300000, "electricity": {"sources": [` + sources + `]}}`
	body := `{"kind": "primary", "base": ` + base + `,
		"parameter": "/electricity/sources/0/pv/system/capacity_kwp", "range": {"from": 1000, "to": 9000, "steps": 1000}}`
	rec := postJSON(t, e, "/v1/scenarios/sweep", body)
	// 1001 × (200 + 1600 + 3 × 150) + 3 × 2000 + 1000 × 2000 work units
	// and the bytes (the body once, the base once per point): each
	// point simulates the swept system anew.
	if rec.Code != 422 {
		t.Fatalf("sweep over budget: %d %.300s", rec.Code, rec.Body)
	}
	p := decodeProblem(t, rec)
	if !hasPointer(p, "/parameter", "each of the 1000 points simulates it anew") || !hasPointer(p, "/range/steps", "1000 points") ||
		p.WorkUnits == nil || *p.WorkUnits != 1001*(200+1600+3*150)+3*2000+1000*2000+int64(len(body))/64+1001*int64(len(base))/64 || p.MaxWorkUnits == nil || *p.MaxWorkUnits != DefaultMaxWork {
		t.Fatalf("sweep over budget: %s", rec.Body)
	}
}
