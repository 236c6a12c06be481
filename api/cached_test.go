package api

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"

	"alcarbon/calc"
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
	if s := c.Stats(); s.Misses < 2 || s.MemoryHits+s.ExactHits < 4 || s.ExactHits < 1 {
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

// TestExactBytesTier: the same bytes again are answered from the exact
// tier (before decoding); the same request written differently falls back
// to the normalised tier and is then aliased too; both tiers give the same
// ETag and body; an alias whose answer was evicted answers nothing, and the
// request is computed again.
func TestExactBytesTier(t *testing.T) {
	e, c, _ := testServer(t)
	const body = `{"region": "CN-SX", "electrolysis": {"ac_kwh_per_t": 13250}}`
	const reordered = `{"electrolysis": {"ac_kwh_per_t": 13250}, "region": "CN-SX"}`
	first := postJSON(t, e, "/v1/footprints/primary", body)
	if first.Code != http.StatusOK || first.Header().Get("X-Cache") != "miss" {
		t.Fatalf("first: %d %q", first.Code, first.Header().Get("X-Cache"))
	}
	step := func(name, body string, wantExact, wantMemory, wantMisses int64) {
		t.Helper()
		before := c.Stats()
		rec := postJSON(t, e, "/v1/footprints/primary", body)
		after := c.Stats()
		got := [3]int64{after.ExactHits - before.ExactHits, after.MemoryHits - before.MemoryHits, after.Misses - before.Misses}
		if got != [3]int64{wantExact, wantMemory, wantMisses} {
			t.Fatalf("%s: exact, memory, misses = %v, want %v", name, got, [3]int64{wantExact, wantMemory, wantMisses})
		}
		wantTier := "hit-memory"
		if wantMisses == 1 {
			wantTier = "miss"
		}
		if rec.Code != http.StatusOK || rec.Header().Get("X-Cache") != wantTier || rec.Header().Get("ETag") != first.Header().Get("ETag") || rec.Body.String() != first.Body.String() {
			t.Fatalf("%s: %d X-Cache %q ETag %q (want %q), same body %v", name, rec.Code, rec.Header().Get("X-Cache"),
				rec.Header().Get("ETag"), first.Header().Get("ETag"), rec.Body.String() == first.Body.String())
		}
	}
	step("same bytes", body, 1, 0, 0)
	step("reordered keys", reordered, 0, 1, 0)
	step("reordered keys again", reordered, 1, 0, 0)
	// If-None-Match works from the exact tier as from the other.
	if rec := postJSON(t, e, "/v1/footprints/primary", body, "If-None-Match", first.Header().Get("ETag")); rec.Code != http.StatusNotModified {
		t.Fatalf("If-None-Match on an exact hit: %d", rec.Code)
	}
	c.Purge()
	step("same bytes after the answers were evicted", body, 0, 0, 1)
	step("same bytes once more", body, 1, 0, 0)
	// An invalid body is never aliased: it is decoded and refused each time.
	for i := range 2 {
		if rec := postJSON(t, e, "/v1/footprints/primary", `{"electrolysis": {"ac_kwh_per_t": -1}}`); rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("invalid body, try %d: %d", i, rec.Code)
		}
	}
	// The same bytes at another endpoint are another request.
	if rec := postJSON(t, e, "/v1/electricity", `{}`); rec.Code != http.StatusOK {
		t.Fatalf("electricity: %d", rec.Code)
	}
	if rec := postJSON(t, e, "/v1/footprints/primary", `{}`); rec.Header().Get("X-Cache") != "miss" {
		t.Fatalf("{} at the primary endpoint after the electricity endpoint: X-Cache %q, want miss", rec.Header().Get("X-Cache"))
	}
}

// TestExactScopeFollowsCatalog: the exact key's server part changes with
// the default dataset and with a draft's content, so bytes that leave the
// dataset open never find an answer computed on another.
func TestExactScopeFollowsCatalog(t *testing.T) {
	a, b := draftCatalog(t, "0.7"), draftCatalog(t, "0.8")
	if exactScope(a) == exactScope(b) {
		t.Error("exactScope equal for two different drafts")
	}
	if !strings.Contains(exactScope(a), a.Default().Version()) || !strings.Contains(exactScope(a), calc.EngineVersion) || !strings.Contains(exactScope(a), responseShape) {
		t.Errorf("exactScope %q lacks the default version, engine version or response shape", exactScope(a))
	}
}

// TestGzipCachedAnswers: a client accepting gzip gets the cached answer
// gzip-encoded, which decompresses to the plain answer, with the weak form
// of the same ETag; either form of the ETag matches for 304; a client that
// refuses gzip (q=0) gets it plain; both say Vary: Accept-Encoding.
func TestGzipCachedAnswers(t *testing.T) {
	e, c, _ := testServer(t)
	const body = `{"electrolysis": {"ac_kwh_per_t": 13275}}`
	plain := postJSON(t, e, "/v1/footprints/primary", body)
	etag := plain.Header().Get("ETag")
	if plain.Code != http.StatusOK || plain.Header().Get("Content-Encoding") != "" || plain.Header().Get("Vary") != "Accept-Encoding" {
		t.Fatalf("plain: %d Content-Encoding %q Vary %q", plain.Code, plain.Header().Get("Content-Encoding"), plain.Header().Get("Vary"))
	}
	var zipped []byte
	for i, ae := range []string{"gzip", "br;q=1.0, gzip;q=0.8, *;q=0.1", "GZIP"} {
		rec := postJSON(t, e, "/v1/footprints/primary", body, "Accept-Encoding", ae)
		if rec.Header().Get("Content-Encoding") != "gzip" || rec.Header().Get("ETag") != "W/"+etag || rec.Header().Get("Vary") != "Accept-Encoding" {
			t.Fatalf("Accept-Encoding %q: Content-Encoding %q ETag %q Vary %q", ae, rec.Header().Get("Content-Encoding"), rec.Header().Get("ETag"), rec.Header().Get("Vary"))
		}
		if got := gunzip(t, rec.Body.Bytes()); !bytes.Equal(got, plain.Body.Bytes()) {
			t.Fatalf("Accept-Encoding %q: gunzipped body differs from the plain one", ae)
		}
		if rec.Body.Len() >= plain.Body.Len()/2 {
			t.Errorf("gzip body %d bytes for %d plain", rec.Body.Len(), plain.Body.Len())
		}
		if i > 0 && !bytes.Equal(rec.Body.Bytes(), zipped) {
			t.Fatalf("Accept-Encoding %q: a second gzip answer differs from the first", ae)
		}
		zipped = rec.Body.Bytes()
	}
	for _, ae := range []string{"gzip;q=0", "identity", "br", "gzip;q=0, *"} {
		if rec := postJSON(t, e, "/v1/footprints/primary", body, "Accept-Encoding", ae); rec.Header().Get("Content-Encoding") != "" || rec.Body.String() != plain.Body.String() {
			t.Fatalf("Accept-Encoding %q: Content-Encoding %q", ae, rec.Header().Get("Content-Encoding"))
		}
	}
	for _, match := range []string{etag, "W/" + etag} {
		if rec := postJSON(t, e, "/v1/footprints/primary", body, "Accept-Encoding", "gzip", "If-None-Match", match); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
			t.Fatalf("gzip, If-None-Match %s: %d", match, rec.Code)
		}
	}
	// The gzip form is kept in the memory tier beside the answer: its bytes
	// count there.
	if s := c.Stats(); s.MemoryBytes < int64(plain.Body.Len()+len(zipped)) {
		t.Errorf("memory tier holds %d bytes, less than the answer and its gzip form (%d + %d)", s.MemoryBytes, plain.Body.Len(), len(zipped))
	}
}

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"": false, "gzip": true, "GZIP": true, "x-gzip": true, "deflate, gzip;q=0.5": true, "gzip;q=0": false, "gzip; q=0.000": false,
		"br": false, "identity": false, "*": true, "*;q=0": false, "gzip;q=0, *": false, "br, *;q=0.1": true, "gzip, deflate, br, zstd": true,
	} {
		if got := acceptsGzip(header); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}

// TestGzipOnceOnEveryCachedRoute: the calculations answered through the
// cache are compressed once, by writeCached, never again by the gzip
// middleware (routes.go registers them apart): each gzip answer
// decompresses to the plain one.
func TestGzipOnceOnEveryCachedRoute(t *testing.T) {
	e, _, _ := testServer(t)
	for path, body := range map[string]string{
		"/v1/electricity":        `{}`,
		"/v1/footprints/primary": `{}`,
		"/v1/uncertainty":        `{"request": {}, "samples": 100}`,
		"/v1/scenarios/compare":  `{"kind": "primary", "base": {}, "variants": [{"name": "more AC", "patch": {"electrolysis": {"ac_kwh_per_t": 13600}}}]}`,
	} {
		plain := postJSON(t, e, path, body)
		zipped := postJSON(t, e, path, body, "Accept-Encoding", "gzip")
		if plain.Code != http.StatusOK || plain.Body.Len() <= gzipMinBytes || zipped.Header().Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s: %d, %d bytes plain, Content-Encoding %q", path, plain.Code, plain.Body.Len(), zipped.Header().Get("Content-Encoding"))
		}
		if got := gunzip(t, zipped.Body.Bytes()); !bytes.Equal(got, plain.Body.Bytes()) {
			t.Errorf("%s: the gzip answer does not decompress to the plain one (compressed twice?)", path)
		}
	}
}
