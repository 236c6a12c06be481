package api

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// The worst one client can cause (issue 16): the costliest requests the
// work budget accepts, their CPU time, the peak RSS of four of each at
// once, and a cheap request's throughput while heavy ones fill every slot.
// `make bench-work` (bench/work.sh) runs them; BENCHMARKS.md has the
// figures.

// worstAccepted are the requests closest to the default budget, one per
// heavy shape (their price is logged by BenchmarkWorstAccepted).
func worstAccepted() []struct{ name, path, body string } {
	// 100 scenarios, each variant with 8 PV systems of its own (792
	// simulations): 200 + 99 × (200 + 1600 + 8 × 150) + 792 × 2000 ≈ 1.88 M.
	var variants []string
	for v := range 99 {
		src := make([]string, 8)
		for i := range src {
			src[i] = fmt.Sprintf(`{"kind": "onsite_pv", "pv": {"site": "taiyuan", "system": {"capacity_kwp": %d, "tilt_deg": %d}}}`, 1000+v, 10+i)
		}
		variants = append(variants, fmt.Sprintf(`{"patch": {"electricity": {"sources": [%s, {"kind": "grid", "share": 1}]}}}`, strings.Join(src, ", ")))
	}
	compare := fmt.Sprintf(`{"kind": "primary", "base": %s, "variants": [%s]}`, primaryWithPV(0, 300000), strings.Join(variants, ", "))
	// 50 captive sources (the most inputs) and 100,000 samples:
	// 200 + 100,000 × (2 + 58 inputs ÷ 5) ≈ 1.36 M.
	captive := make([]string, 50)
	for i := range captive {
		captive[i] = fmt.Sprintf(`{"kind": "captive", "fuel": "coal", "share": 0.02, "ef_tco2_per_mwh": %g}`, 0.8+float64(i)/100)
	}
	manyInputs := fmt.Sprintf(`{"kind": "primary", "samples": 100000, "request": {"region": "CN-SX", "year": 2023, "production_t": 300000, "electricity": {"sources": [%s]}}}`, strings.Join(captive, ", "))
	return []struct{ name, path, body string }{
		// 20 PV systems, 15,000 samples: 200 + 1600 + 20 × (150 + 2000) + 15,000 × (2 + 20 × 6 + 33 inputs ÷ 5) ≈ 1.97 M.
		{"uncertainty_20pv_15k", "/v1/uncertainty", maximalUncertainty(15_000, 1)},
		{"uncertainty_50inputs_100k", "/v1/uncertainty", manyInputs},
		{"compare_99x8pv", "/v1/scenarios/compare", compare},
		// The parameter inside the PV system: 501 × (200 + 1600 + 150) + 2000 + 500 × 2000 ≈ 1.98 M.
		{"sweep_500_pv_points", "/v1/scenarios/sweep", `{"kind": "primary", "base": ` + primaryWithPV(1, 300000) + `, "parameter": "/electricity/sources/0/pv/system/tilt_deg", "range": {"from": 0, "to": 50, "steps": 500}}`},
		// 1001 × (200 + 1600 + 150) + 2000 ≈ 1.95 M (2 PV systems: 2.1 M, over).
		{"sweep_1000_points_1pv", "/v1/scenarios/sweep", `{"kind": "primary", "base": ` + primaryWithPV(1, 300000) + `, "parameter": "/production_t", "range": {"from": 100000, "to": 900000, "steps": 1000}}`},
		{"pv_hourly_4MiB", "/v1/pv", hourlyPVBody(4 << 20)},
	}
}

// hourlyPVBody is a POST /v1/pv with hourly arrays padded (digits) to
// about size bytes.
func hourlyPVBody(size int) string {
	digits := max(1, size/(5*8760)-3)
	var arr strings.Builder
	for h := range 8760 {
		if h > 0 {
			arr.WriteString(",")
		}
		fmt.Fprintf(&arr, "%d.%s", 10+h%24, strings.Repeat("1", digits))
	}
	a := arr.String()
	return fmt.Sprintf(`{"location": {"latitude": 37.8, "longitude": 112.5}, "system": {"capacity_kwp": 1000}, "solar_resource": {"hourly": {"ghi_w_m2": [%s], "dhi_w_m2": [%s], "dni_w_m2": [%s], "temp_air_c": [%s], "wind_speed_m_s": [%s]}}}`, a, a, a, a, a)
}

// vmHWM returns the process's peak RSS [bytes] since the last resetHWM.
func vmHWM(tb testing.TB) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		tb.Skip("no /proc/self/status")
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	tb.Fatal("no VmHWM")
	return 0
}

// resetHWM resets VmHWM to the current RSS (Linux ≥ 4.0).
func resetHWM(tb testing.TB) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		tb.Skipf("cannot reset VmHWM: %v", err)
	}
}

// BenchmarkWorstAccepted reports the CPU time of each worst accepted
// request [cpu-s/op], computed (distinct seeds: no cache hit).
func BenchmarkWorstAccepted(b *testing.B) {
	for _, tc := range worstAccepted() {
		b.Run(tc.name, func(b *testing.B) {
			e, _, _ := newTestServer(b, func(o *Options) { o.BodyLimit = 8 << 20 })
			var cpu time.Duration
			for i := 0; i < b.N; i++ {
				body := tc.body
				if strings.Contains(body, `"seed": 1`) {
					body = strings.Replace(body, `"seed": 1`, fmt.Sprintf(`"seed": %d`, i+10), 1)
				} else {
					e, _, _ = newTestServer(b, func(o *Options) { o.BodyLimit = 8 << 20 })
				}
				c0 := cpuTime(b)
				rec := postJSON(b, e, tc.path, body)
				cpu += cpuTime(b) - c0
				if rec.Code != http.StatusOK {
					b.Fatalf("%d %.400s", rec.Code, rec.Body)
				}
			}
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}

// BenchmarkWorstMemory sends four worst accepted requests of each shape
// at once (admission lets two run, the others wait) and reports the peak
// RSS [MB] from VmHWM, reset before each shape; plus four 4 MiB PV
// uploads refused with 422 (a wrong type in the last hour).
func BenchmarkWorstMemory(b *testing.B) {
	cases := worstAccepted()
	bad := hourlyPVBody(4 << 20)
	bad = bad[:strings.LastIndex(bad, "]")] + `, "x"]}}}`
	cases = append(cases, struct{ name, path, body string }{"pv_4MiB_refused", "/v1/pv", bad})
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				e, _, _ := newTestServer(b, func(o *Options) { o.BodyLimit = 8 << 20; o.Work.HeavyWait = time.Minute })
				debug.FreeOSMemory()
				resetHWM(b)
				before := vmHWM(b)
				var wg sync.WaitGroup
				for j := range 4 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						rec := serveWithContext(context.Background(), e, tc.path, distinct(tc.body, j))
						if rec.Code != http.StatusOK && rec.Code != http.StatusUnprocessableEntity {
							b.Errorf("%d %.300s", rec.Code, rec.Body)
						}
					}()
				}
				wg.Wait()
				b.ReportMetric(float64(vmHWM(b))/1e6, "peak-RSS-MB")
				b.ReportMetric(float64(before)/1e6, "RSS-before-MB")
			}
		})
	}
}

// BenchmarkCheapUnderHeavyLoad measures a cheap primary footprint
// (uncached) while heavy uncertainty runs keep every slot busy and more
// wait, against the echo baseline in the same run: ratio = echo ns/op ÷
// cheap ns/op (project throughput ÷ baseline throughput).
func BenchmarkCheapUnderHeavyLoad(b *testing.B) {
	echoNs := echoBaselineNs(b)
	e, _, _ := testServer(b)
	cheap := func(i int) {
		body := strings.Replace(primaryWithPV(0, 300000), `"production_t": 300000`, fmt.Sprintf(`"production_t": %d`, 300000+i), 1)
		if rec := postJSON(b, e, "/v1/footprints/primary", body); rec.Code != http.StatusOK {
			b.Fatalf("%d %.300s", rec.Code, rec.Body)
		}
	}
	// The same cheap requests on an idle server, for comparison.
	n, start := 0, time.Now()
	for ; time.Since(start) < time.Second; n++ {
		cheap(-1 - n)
	}
	idleNs := float64(time.Since(start).Nanoseconds()) / float64(n)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				serveWithContext(ctx, e, "/v1/uncertainty", maximalUncertainty(15_000, 1000*w+i))
			}
		}()
	}
	time.Sleep(200 * time.Millisecond)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cheap(i)
	}
	b.StopTimer()
	cancel()
	wg.Wait()
	cheapNs := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(echoNs/cheapNs, "x-echo")
	b.ReportMetric(echoNs, "echo-ns/op")
	b.ReportMetric(echoNs/idleNs, "idle-x-echo")
}

// distinct makes request j of a worst case differ from the others (four
// identical requests would share one computation): another production,
// seed or capacity.
func distinct(body string, j int) string {
	for _, r := range []struct{ old, new string }{
		{`"seed": 1,`, fmt.Sprintf(`"seed": %d,`, 100+j)},
		{`"production_t": 300000`, fmt.Sprintf(`"production_t": %d`, 300000+j)},
		{`"capacity_kwp": 1000}`, fmt.Sprintf(`"capacity_kwp": %d}`, 1000+j)},
	} {
		if strings.Contains(body, r.old) {
			return strings.Replace(body, r.old, r.new, 1)
		}
	}
	panic("distinct: nothing to vary")
}

// echoBaselineNs times BenchmarkEcho's handler for a second [ns/op]
// (testing.Benchmark cannot run inside a benchmark).
func echoBaselineNs(b *testing.B) float64 {
	e := echo.New()
	e.POST("/echo", func(c echo.Context) error {
		var v map[string]any
		if err := c.Bind(&v); err != nil {
			return err
		}
		return c.JSON(http.StatusOK, v)
	})
	n, start := 0, time.Now()
	for ; time.Since(start) < time.Second; n++ {
		if rec := postJSON(b, e, "/echo", `{"region":"CN-SX","year":2023}`); rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
	return float64(time.Since(start).Nanoseconds()) / float64(n)
}
