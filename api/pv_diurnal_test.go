package api

import (
	"net/http"
	"strings"
	"testing"
)

// TestPVMonthlyTempRange: monthly_temp_range_c goes with monthly_temp_c,
// has 12 values in 0–40 °C, and, given, shapes the hourly air temperature
// by the ESRA profile: the Taiyuan monthly resource then equals the
// Taiyuan site of dataset 2026.2 (which carries CBED's ranges) and loses
// more to cell temperature than with flat means. The 2026.1 site, with
// no ranges, keeps flat means and says so.
func TestPVMonthlyTempRange(t *testing.T) {
	e, _, _ := testServer(t)
	ghi := []float64{67, 80, 119, 149, 173, 164, 156, 144, 118, 98, 69, 60}
	temp := []float64{-4.6, -0.8, 5.2, 12.6, 18.2, 21.8, 23.4, 21.7, 16.8, 10.4, 3.0, -2.9}
	rng := []float64{12.04, 12.45, 13.01, 14.18, 14.01, 12.86, 10.76, 10.49, 11.76, 12.7, 11.81, 11.22}
	loc := obj{"latitude": 37.62, "longitude": 112.58, "altitude_m": 777}
	sys := obj{"capacity_kwp": 1000, "tilt_deg": 35}
	monthly := func(res obj) string {
		return pvtBody(t, obj{"dataset": "2026.2", "location": loc, "system": sys, "solar_resource": res})
	}

	flat := postPV(t, e, monthly(obj{"monthly_ghi_kwh_m2": ghi, "monthly_temp_c": temp}))
	prof := postPV(t, e, monthly(obj{"monthly_ghi_kwh_m2": ghi, "monthly_temp_c": temp, "monthly_temp_range_c": rng}))
	site := postPV(t, e, pvtBody(t, obj{"dataset": "2026.2", "site": "taiyuan", "system": sys}))
	if !near(prof.AnnualACKWh, site.AnnualACKWh) {
		t.Errorf("monthly with Taiyuan's ranges %v kWh, 2026.2 site %v kWh; want equal", prof.AnnualACKWh, site.AnnualACKWh)
	}
	if !(prof.Losses.TemperatureKWh > flat.Losses.TemperatureKWh) || !(prof.AnnualACKWh < flat.AnnualACKWh) {
		t.Errorf("with ranges: thermal %v kWh, AC %v kWh; flat: thermal %v, AC %v; want more loss, less AC",
			prof.Losses.TemperatureKWh, prof.AnnualACKWh, flat.Losses.TemperatureKWh, flat.AnnualACKWh)
	}
	if !containsAny(prof.Provenance.Assumptions, "ESRA") || !containsAny(site.Provenance.Assumptions, "taiyuan preset") {
		t.Errorf("assumptions do not name the ESRA profile and its range: %q / %q", prof.Provenance.Assumptions, site.Provenance.Assumptions)
	}
	if !containsAny(flat.Provenance.Assumptions, "no diurnal cycle") {
		t.Errorf("flat assumptions do not say there is no diurnal cycle: %q", flat.Provenance.Assumptions)
	}
	old := postPV(t, e, pvtBody(t, obj{"dataset": "2026.1", "site": "taiyuan", "system": sys}))
	if !containsAny(old.Provenance.Assumptions, "no diurnal cycle") || containsAny(old.Provenance.Assumptions, "ESRA") {
		t.Errorf("2026.1 site assumptions: %q; want the flat monthly means", old.Provenance.Assumptions)
	}

	twelve := func(v float64) []float64 {
		out := make([]float64, 12)
		for i := range out {
			out[i] = v
		}
		return out
	}
	high := twelve(10)
	high[6] = 41
	neg := twelve(10)
	neg[2] = -1
	tests := []struct {
		name, body, pointer, detail string
	}{
		{"without monthly_temp_c", monthly(obj{"monthly_ghi_kwh_m2": ghi, "monthly_temp_range_c": rng}), "/solar_resource/monthly_temp_range_c", "monthly_temp_c"},
		{"11 values", monthly(obj{"monthly_ghi_kwh_m2": ghi, "monthly_temp_c": temp, "monthly_temp_range_c": rng[:11]}), "/solar_resource/monthly_temp_range_c", "12"},
		{"above 40", monthly(obj{"monthly_ghi_kwh_m2": ghi, "monthly_temp_c": temp, "monthly_temp_range_c": high}), "/solar_resource/monthly_temp_range_c/6", "40"},
		{"negative", monthly(obj{"monthly_ghi_kwh_m2": ghi, "monthly_temp_c": temp, "monthly_temp_range_c": neg}), "/solar_resource/monthly_temp_range_c/2", "0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := postJSON(t, e, "/v1/pv", tc.body)
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422; body %.1000s", rec.Code, rec.Body)
			}
			if p := decodeProblem(t, rec); !hasPointer(p, tc.pointer, tc.detail) {
				t.Fatalf("errors %+v, want %s mentioning %q", p.Errors, tc.pointer, tc.detail)
			}
		})
	}
}

// TestSolarSitesTempRange: GET /v1/solar-sites lists a site's diurnal
// ranges and their source for dataset 2026.2 and leaves both out for
// 2026.1, whose listing is unchanged.
func TestSolarSitesTempRange(t *testing.T) {
	e, _, _ := testServer(t)
	for _, tc := range []struct {
		dataset string
		want    bool
	}{{"2026.1", false}, {"2026.2", true}} {
		rec := do(t, e, http.MethodGet, "/v1/solar-sites?dataset="+tc.dataset, "", "")
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d", tc.dataset, rec.Code)
		}
		if got := strings.Contains(rec.Body.String(), `"temp_range_monthly_c"`); got != tc.want {
			t.Errorf("%s: temp_range_monthly_c listed %v, want %v", tc.dataset, got, tc.want)
		}
		r := decodeJSON[solarSitesResponse](t, rec.Body.Bytes())
		for _, s := range r.Sites {
			if s.ID != "taiyuan" {
				continue
			}
			if has := len(s.TempRangeMonthlyC) == 12 && strings.Contains(s.TempRangeSource, "day_max_monthavg"); has != tc.want {
				t.Errorf("%s taiyuan: range %v from %q", tc.dataset, s.TempRangeMonthlyC, s.TempRangeSource)
			}
		}
	}
}
