package api

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user + system CPU time.
func cpuTime(t testing.TB) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pvSourcesJSON is n on-site PV sources, each a distinct system (tilts
// differ), so nothing is shared.
func pvSourcesJSON(n int) string {
	src := make([]string, n)
	for i := range src {
		src[i] = fmt.Sprintf(`{"kind": "onsite_pv", "pv": {"site": "taiyuan", "system": {"capacity_kwp": 1000, "tilt_deg": %d}}}`, 10+i%60)
	}
	return strings.Join(src, ", ")
}

// primaryWithPV is a primary request with n distinct on-site PV systems
// and production_t (1 t: every PV hour is curtailed, the costliest
// allocation per sample).
func primaryWithPV(n int, productionT float64) string {
	sources := `{"kind": "grid", "region": "CN-SX", "share": 1}`
	if n > 0 {
		sources = pvSourcesJSON(n) + ", " + sources
	}
	return fmt.Sprintf(`{"region": "CN-SX", "year": 2023, "production_t": %g, "electrolysis": {"ac_kwh_per_t": 13500}, "electricity": {"sources": [%s]}}`, productionT, sources)
}

// TestCalibrateWork measures the CPU time of the shapes the work budget's
// constants stand for (ALCARBON_CALIBRATE=1; not run by default).
func TestCalibrateWork(t *testing.T) {
	if os.Getenv("ALCARBON_CALIBRATE") == "" {
		t.Skip("set ALCARBON_CALIBRATE=1 to measure the work budget's constants")
	}
	e, _, _ := newTestServer(t, func(o *Options) { o.BodyLimit = 8 << 20; o.Work.MaxUnits = 1 << 62 })
	measure := func(name, path, body string, reps int) time.Duration {
		start := cpuTime(t)
		for i := range reps {
			rec := postJSON(t, e, path, strings.Replace(body, "__SEED__", fmt.Sprint(i+1), 1))
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: %d %s", name, rec.Code, rec.Body.String()[:min(400, rec.Body.Len())])
			}
		}
		d := (cpuTime(t) - start) / time.Duration(reps)
		t.Logf("%-40s %10.1f µs CPU", name, float64(d.Microseconds()))
		return d
	}
	measure("primary, no PV", "/v1/footprints/primary", strings.Replace(primaryWithPV(0, 300000), `"year": 2023`, `"year": 2023, "casting": {"electricity_kwh_per_t": __SEED__}`, 1), 200)
	measure("pv (one 8760-h run)", "/v1/pv", `{"site": "taiyuan", "system": {"capacity_kwp": 1000, "tilt_deg": __SEED__}}`, 50)
	measure("primary, 10 PV", "/v1/footprints/primary", strings.Replace(primaryWithPV(10, 300000), `"year": 2023`, `"year": 2023, "casting": {"electricity_kwh_per_t": __SEED__}`, 1), 10)
	for _, n := range []int{0} {
		body := fmt.Sprintf(`{"kind": "primary", "samples": 5000, "seed": __SEED__, "request": %s}`, primaryWithPV(n, 1))
		measure(fmt.Sprintf("uncertainty 5000 samples, %d PV", n), "/v1/uncertainty", body, 3)
	}
	for _, k := range []int{0, 1, 2, 4, 8} {
		d := measure(fmt.Sprintf("sweep 300 points over production_t, %d PV", k), "/v1/scenarios/sweep", `{"kind": "primary", "base": `+strings.Replace(primaryWithPV(k, 300000), `"year": 2023`, `"year": 2023, "casting": {"electricity_kwh_per_t": __SEED__}`, 1)+`, "parameter": "/production_t", "range": {"from": 100000, "to": 900000, "steps": 300}}`, 2)
		t.Logf("  per point %.0f µs", float64(d.Microseconds())/301)
	}
	var arr strings.Builder
	for h := range 8760 {
		if h > 0 {
			arr.WriteString(",")
		}
		fmt.Fprintf(&arr, "%.15f", float64(h%24)*0.0000123456789+0.5)
	}
	a := arr.String()
	hourly := fmt.Sprintf(`{"location": {"latitude": 37.8, "longitude": 112.5}, "system": {"capacity_kwp": 1000, "tilt_deg": __SEED__}, "solar_resource": {"hourly": {"ghi_w_m2": [%s], "dhi_w_m2": [%s], "dni_w_m2": [%s], "temp_air_c": [%s], "wind_speed_m_s": [%s]}}}`, a, a, a, a, a)
	d := measure(fmt.Sprintf("pv hourly upload, %d bytes", len(hourly)), "/v1/pv", hourly, 10)
	t.Logf("≈ %.1f ns CPU per body byte beyond a PV run", float64(d.Nanoseconds()-1536_000)/float64(len(hourly)))
	body := fmt.Sprintf(`{"kind": "primary", "samples": 100000, "seed": __SEED__, "request": %s}`, primaryWithPV(0, 1))
	measure("uncertainty 100000 samples, 0 PV", "/v1/uncertainty", body, 2)
}
