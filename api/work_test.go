package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// row2Body is the attack of issue 16's table, row 2: one anonymous 5 kB
// uncertainty request, 100,000 samples, 50 on-site PV sources,
// production_t 1 (26.9 CPU-seconds before the budget).
func row2Body() string {
	return fmt.Sprintf(`{"kind": "primary", "samples": 100000, "request": {"region": "CN-SX", "year": 2023, "production_t": 1, "electrolysis": {"ac_kwh_per_t": 13500}, "electricity": {"sources": [%s]}}}`, pvSourcesJSON(50))
}

// row3Body is row 3: a compare of 99 variants, each with 20 PV systems of
// its own (234 kB; RSS 27 → 310 MB before the budget).
// It returns the body and the bytes of the base and of the patches.
func row3Body() (body string, scenarioBytes int) {
	base := primaryWithPV(0, 300000)
	scenarioBytes = 100 * len(base)
	variants := make([]string, 99)
	for v := range variants {
		src := make([]string, 20)
		for i := range src {
			src[i] = fmt.Sprintf(`{"kind": "onsite_pv", "pv": {"site": "taiyuan", "system": {"capacity_kwp": %d, "tilt_deg": %d}}}`, 1000+v, 10+i)
		}
		patch := fmt.Sprintf(`{"electricity": {"sources": [%s, {"kind": "grid", "share": 1}]}}`, strings.Join(src, ", "))
		scenarioBytes += len(patch)
		variants[v] = fmt.Sprintf(`{"name": "v%d", "patch": %s}`, v, patch)
	}
	return fmt.Sprintf(`{"kind": "primary", "base": %s, "variants": [%s]}`, base, strings.Join(variants, ", ")), scenarioBytes
}

// TestWorkBudgetRow2 reproduces row 2: refused at once with a 422 naming
// the samples and the PV systems, the price and the budget.
func TestWorkBudgetRow2(t *testing.T) {
	e, _, _ := testServer(t)
	body := row2Body()
	start := time.Now()
	rec := postJSON(t, e, "/v1/uncertainty", body)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("row 2: %d %.300s", rec.Code, rec.Body)
	}
	p := decodeProblem(t, rec)
	// 200 + 1600 + 50 × 150 + 50 × 2000 + 100,000 × (2 + 6 × 50) +
	// bytes/64, by hand from the cost model in work.go.
	reqLen := len(body) - len(`{"kind": "primary", "samples": 100000, "request": }`)
	want := int64(200 + 1600 + 50*150 + 50*2000 + 100_000*(2+6*50) + reqLen/64)
	if p.WorkUnits == nil || *p.WorkUnits != want || p.MaxWorkUnits == nil || *p.MaxWorkUnits != DefaultMaxWork {
		t.Errorf("work_units %v, max %v; want %d and %d", p.WorkUnits, p.MaxWorkUnits, want, DefaultMaxWork)
	}
	if !hasPointer(p, "/samples", "100000 samples × (2 + 50 PV systems × 6") || !hasPointer(p, "/request/electricity/sources/0/pv", "hourly PV simulation") {
		t.Errorf("pointers: %s", rec.Body)
	}
	if !strings.Contains(p.Detail, "30,309,") || !strings.Contains(p.Detail, "at most 2,000,000") || !strings.Contains(p.Detail, "ALCARBON_MAX_WORK") {
		t.Errorf("detail: %s", p.Detail)
	}
	// Refused from the request's shape, before any PV simulation: far
	// below one PV run per source (50 × 1.5 ms) even under -race.
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("refusal took %v", d)
	}
}

// TestWorkBudgetRow3 reproduces row 3: 99 variants × 20 PV systems of
// their own is a 422 naming the variants' PV systems.
func TestWorkBudgetRow3(t *testing.T) {
	e, _, _ := newTestServer(t, func(o *Options) { o.BodyLimit = 1 << 20 })
	body, scenarioBytes := row3Body()
	if len(body) < 200<<10 {
		t.Fatalf("body %d bytes; the attack was 234 kB", len(body))
	}
	rec := postJSON(t, e, "/v1/scenarios/compare", body)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("row 3: %d %.300s", rec.Code, rec.Body)
	}
	p := decodeProblem(t, rec)
	// The base: 200; each variant 200 + 1600 + 20 × 150 and 20
	// simulations of 2000; + bytes/64, the body once and each scenario's
	// request once.
	want := int64(200 + 99*(200+1600+20*150) + 99*20*2000 + len(body)/64 + scenarioBytes/64)
	if p.WorkUnits == nil || *p.WorkUnits != want {
		t.Errorf("work_units %v, want %d", p.WorkUnits, want)
	}
	if !hasPointer(p, "/variants", "100 scenarios (the base and each variant) calculated, 1980 hourly PV simulations") || !hasPointer(p, "/variants/0/patch/electricity/sources/0/pv", "simulated anew") {
		t.Errorf("pointers: %.1000s", rec.Body)
	}
	// Within the budget, the same variants sharing the base's PV
	// systems are one simulation each: accepted.
	var shared strings.Builder
	for v := range 99 {
		if v > 0 {
			shared.WriteString(", ")
		}
		fmt.Fprintf(&shared, `{"name": "v%d", "patch": {"electrolysis": {"ac_kwh_per_t": %d}}}`, v, 13000+v)
	}
	ok := fmt.Sprintf(`{"kind": "primary", "base": %s, "variants": [%s]}`, primaryWithPV(2, 300000), shared.String())
	if rec := postJSON(t, e, "/v1/scenarios/compare", ok); rec.Code != http.StatusOK {
		t.Fatalf("shared PV: %d %.300s", rec.Code, rec.Body)
	}
}

// TestWorkPrices checks the cost model on shapes priced by hand.
func TestWorkPrices(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  work
		want int64
	}{
		{"primary without PV", calcWork(calcKinds[kindPrimary], []byte(`{"production_t": 1}`)), 200},
		{"pv", calcWork(calcKinds[kindPV], make([]byte, 4<<20)), 200 + 1600 + 150 + 2000 + (4<<20)/64},
		{"primary, 3 PV", calcWork(calcKinds[kindPrimary], []byte(primaryWithPV(3, 1))), 200 + 1600 + 3*150 + 3*2000 + int64(len(primaryWithPV(3, 1)))/64},
		{"uncertainty, 1 PV: closed form per sample", uncertaintyWork(10_000, true, []byte(primaryWithPV(1, 1)), 0), 200 + 1600 + 150 + 2000 + 10_000*2},
		{"uncertainty, 2 PV", uncertaintyWork(10_000, true, []byte(primaryWithPV(2, 1)), 0), 200 + 1600 + 2*150 + 2*2000 + 10_000*(2+12)},
		{"sampling 10,000 × 33 inputs", samplingWork(work{}, 10_000, 33), 10_000 * 33 / 5},
	} {
		if tc.got.units != tc.want {
			t.Errorf("%s: %d work units, want %d", tc.name, tc.got.units, tc.want)
		}
	}
}

// TestPVPointers finds the PV systems of a request by JSON pointer,
// escaped keys and nested arrays included, and nothing in strings.
func TestPVPointers(t *testing.T) {
	body := `{"note": "\"pv\": {", "electricity": {"sources": [{"kind": "grid"}, {"p\u0076": {"site": "x", "a": [[1], {"pv": 2}]}}]},
		"metal": {"primary": {"electricity": {"sources": [{"pv": {}}]}}}, "a/b": {"pv": {"pv": {}}}}`
	got := strings.Join(pvPointers([]byte(body)), " ")
	want := "/electricity/sources/1/pv /metal/primary/electricity/sources/0/pv /a~1b/pv /a~1b/pv/pv"
	if got != want {
		t.Errorf("pvPointers = %s, want %s", got, want)
	}
}

// maximalUncertainty is an accepted uncertainty request close to the
// budget: 20 PV sources (6 × 20 + 2 = 122 work units per sample).
func maximalUncertainty(samples, seed int) string {
	return fmt.Sprintf(`{"kind": "primary", "samples": %d, "seed": %d, "request": %s}`, samples, seed, primaryWithPV(20, 1))
}

// serveWithContext serves one request under ctx and returns its recorder
// once the handler has returned.
func serveWithContext(ctx context.Context, e *echo.Echo, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)).WithContext(ctx)
	req.Header.Set(echo.HeaderContentType, "application/json")
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

// TestCancellationStopsWork: a client that hangs up 100 ms into a heavy
// uncertainty run stops it: the handler returns within a fraction of the
// full run, and the CPU the process spends after the cancellation is well
// under what the full run costs (both measured here, so a slow or loaded
// machine scales both). The answer is a quiet 499, not a 500 in the log.
func TestCancellationStopsWork(t *testing.T) {
	e, _, logs := testServer(t)
	samples := 12_000
	if raceEnabled || testing.Short() {
		samples = 1500
	}
	cpu0, start := cpuTime(t), time.Now()
	if rec := serveWithContext(context.Background(), e, "/v1/uncertainty", maximalUncertainty(samples, 1)); rec.Code != http.StatusOK {
		t.Fatalf("full run: %d %.300s", rec.Code, rec.Body)
	}
	fullCPU, fullWall := cpuTime(t)-cpu0, time.Since(start)
	if fullWall < 300*time.Millisecond {
		t.Skipf("the full run took %v: too fast to cancel meaningfully", fullWall)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- serveWithContext(ctx, e, "/v1/uncertainty", maximalUncertainty(samples, 2)) }()
	time.Sleep(100 * time.Millisecond)
	cpu1, cancelled := cpuTime(t), time.Now()
	cancel()
	rec := <-done
	afterCPU, afterWall := cpuTime(t)-cpu1, time.Since(cancelled)
	t.Logf("full run %v wall, %v CPU; after cancel: %v wall, %v CPU", fullWall, fullCPU, afterWall, afterCPU)
	if rec.Code != statusClientClosedRequest {
		t.Errorf("cancelled: %d %.300s", rec.Code, rec.Body)
	}
	if afterWall > fullWall/4 || afterCPU > fullCPU/4 {
		t.Errorf("after cancel %v wall, %v CPU: want under a quarter of the full run (%v, %v)", afterWall, afterCPU, fullWall, fullCPU)
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("a cancellation logged an error: %s", logs)
	}
}

// TestAdmission: with one heavy slot taken by a long uncertainty run, a
// second heavy request waits at most HeavyWait and gets 503 with
// Retry-After, while a cheap footprint answers at once.
func TestAdmission(t *testing.T) {
	e, _, _ := newTestServer(t, func(o *Options) { o.Work = WorkLimits{HeavySlots: 1, HeavyWait: 100 * time.Millisecond} })
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		serveWithContext(ctx, e, "/v1/uncertainty", maximalUncertainty(15_000, 3))
	}()
	defer func() { cancel(); wg.Wait() }()
	inFlight := regexp.MustCompile(`(?m)^alcarbon_heavy_calculations_in_flight 1$`)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if inFlight.MatchString(do(t, e, http.MethodGet, "/metrics", "", "").Body.String()) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the heavy request never took its slot")
		}
	}
	start := time.Now()
	rec := postJSON(t, e, "/v1/uncertainty", maximalUncertainty(15_000, 4))
	waited := time.Since(start)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "2" {
		t.Fatalf("second heavy: %d Retry-After %q %.300s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	decodeProblem(t, rec)
	if waited < 100*time.Millisecond || waited > 2*time.Second {
		t.Errorf("the refused request waited %v; want the 100 ms queue wait", waited)
	}
	start = time.Now()
	if rec := postJSON(t, e, "/v1/footprints/primary", primaryWithPV(0, 300000)); rec.Code != http.StatusOK {
		t.Fatalf("cheap: %d %.300s", rec.Code, rec.Body)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("a cheap footprint took %v beside a heavy run", d)
	}
}

// TestDeadlineStopsWork: a calculation still running when the deadline
// (the server's write timeout) passes is stopped and answered 503, without
// an error in the log.
func TestDeadlineStopsWork(t *testing.T) {
	e, _, logs := newTestServer(t, func(o *Options) { o.Work = WorkLimits{Deadline: 100 * time.Millisecond} })
	start := time.Now()
	rec := postJSON(t, e, "/v1/uncertainty", maximalUncertainty(15_000, 5))
	d := time.Since(start)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(decodeProblem(t, rec).Detail, "ALCARBON_WRITE_TIMEOUT") {
		t.Fatalf("past the deadline: %d %.300s", rec.Code, rec.Body)
	}
	if limit := 100*time.Millisecond + 500*time.Millisecond; d > limit {
		t.Errorf("answered after %v; the deadline is 100 ms", d)
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("a deadline logged an error: %s", logs)
	}
}

// TestWorkInputsPriced: the sampling's cost per uncertain input, known once
// the footprint is compiled, is checked before sampling starts: a request
// within the budget on its shape alone is refused naming /samples.
func TestWorkInputsPriced(t *testing.T) {
	e, _, _ := newTestServer(t, func(o *Options) { o.Work.MaxUnits = 250_000 })
	// 200 + 100,000 × 2 = 200,200 on its shape; + 100,000 × inputs ÷ 5
	// once compiled.
	body := fmt.Sprintf(`{"kind": "primary", "samples": 100000, "request": %s}`, primaryWithPV(0, 300000))
	rec := postJSON(t, e, "/v1/uncertainty", body)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("%d %.300s", rec.Code, rec.Body)
	}
	p := decodeProblem(t, rec)
	if !hasPointer(p, "/samples", "uncertain inputs ÷ 5") || p.WorkUnits == nil || *p.WorkUnits <= 250_000 {
		t.Errorf("%s", rec.Body)
	}
}

// TestWorkMemoOverflow: a base with more PV systems than a request's memo
// keeps (calc.PVMemoMaxEntries) has the ones past it simulated again for
// every scenario, and is priced so (the review measured 3,498 simulations
// for 98 priced, 6.55 CPU-s under a 2 CPU-s budget). By hand: 70 systems,
// 64 kept, 6 × 3 variants × 2,000 units.
func TestWorkMemoOverflow(t *testing.T) {
	pv := `{"kind": "onsite_pv", "pv": {"site": "taiyuan", "system": {"capacity_kwp": 1000}}}`
	sources := func(n int) string {
		s := strings.Repeat(pv+",", n)
		return `{"sources": [` + s + `{"kind": "grid", "share": 1}]}`
	}
	base := `{"product": "building_profile", "electricity": ` + sources(40) + `, "metal": {"primary": {"electricity": ` + sources(30) + `}}}`
	req := &compareRequest{Kind: kindProduct, Base: json.RawMessage(base)}
	for range 3 {
		req.Variants = append(req.Variants, variantRequest{Patch: json.RawMessage(`{"yield": 0.8}`)})
	}
	w := compareWork(req, len(base))
	found := false
	for _, d := range w.drivers {
		if d.Pointer == "/base" && strings.Contains(d.Detail, "6 of them are simulated again for each of the 3 variants, 36000 work units") {
			found = true
		}
	}
	if !found {
		t.Fatalf("no memo-overflow price among %+v", w.drivers)
	}
	small := &compareRequest{Kind: kindProduct, Base: json.RawMessage(`{"product": "building_profile", "electricity": ` + sources(40) + `}`), Variants: req.Variants}
	for _, d := range compareWork(small, 100).drivers {
		if strings.Contains(d.Detail, "simulated again") {
			t.Fatalf("40 systems priced as overflowing the memo: %s", d.Detail)
		}
	}
}
