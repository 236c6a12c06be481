package calc_test

import (
	"math"
	"testing"

	"alcarbon/calc"
	"alcarbon/factors"
)

// TestESRADailyTemperatureHandComputed checks the ESRA profile (Huld et al.
// 2006, as solaR fTemp) at five hours of one day, each worked by hand from
// the published equations. Day: sunset hour angle ω_s = 105° (7π/12), so
// sunrise ω_r = −7π/12 (05:00 solar time); T_min 10 °C, T_max 20 °C, hence
// T_m = 15 and T_r = 5. 21π + 12ω_r = 14π and 3π − 12ω_r = 10π.
//
//	00:00 (ω = −π):   a1 = 12π(−7π/12 + π)/14π = 5π/14;  T = 15 − 5 cos(5π/14) = 15 − 5 × 0.4338837 = 12.8305813
//	05:00 (ω = ω_r):  a2 = π(3π + 7π)/10π = π;           T = 15 + 5 cos π = 10 (the minimum)
//	12:00 (ω = 0):    a2 = π·3π/10π = 3π/10;             T = 15 + 5 cos(3π/10) = 15 + 5 × 0.5877853 = 17.9389263
//	15:00 (ω = π/4):  a2 = 0;                            T = 20 (the maximum)
//	18:00 (ω = π/2):  a3 = π(24π − 7π − 6π)/14π = 11π/14; T = 15 − 5 cos(11π/14) = 15 + 5 × 0.7818315 = 18.9091574
//
// 00:00 is also 9 h into the 14 h fall from 15:00 to the next 05:00:
// 15 + 5 cos(9π/14), the same value, so the profile is continuous there.
func TestESRADailyTemperatureHandComputed(t *testing.T) {
	ws := 7 * math.Pi / 12
	for _, tc := range []struct {
		name  string
		omega float64
		want  float64
	}{
		{"00:00", -math.Pi, 12.8305813},
		{"05:00 sunrise", -ws, 10},
		{"12:00 noon", 0, 17.9389263},
		{"15:00 peak", math.Pi / 4, 20},
		{"18:00", math.Pi / 2, 18.9091574},
		{"24:00", math.Pi, 12.8305813},
	} {
		checkAbs(t, tc.name, calc.ESRADailyTemperatureC(tc.omega, ws, 10, 20), tc.want, 5e-8)
	}
	// The continuous profile averages to T_m: the two half-cosines each
	// average to zero (midpoint rule with 1-minute steps).
	var sum float64
	const steps = 24 * 60
	for i := range steps {
		omega := -math.Pi + (float64(i)+0.5)*2*math.Pi/steps
		sum += calc.ESRADailyTemperatureC(omega, ws, 10, 20)
	}
	checkAbs(t, "24 h mean", sum/steps, 15, 1e-5)
}

// TestHourlyTemperatureByMonthKeepsMeans: with Taiyuan's CBED monthly
// means and ranges, the hourly mean of every month is the monthly mean
// (each day is shifted onto it), the July day spans nearly its range with
// its minimum at sunrise and maximum in the 15:00 hour, and a zero range
// gives the flat means exactly.
func TestHourlyTemperatureByMonthKeepsMeans(t *testing.T) {
	tc := [12]float64{-4.6, -0.8, 5.2, 12.6, 18.2, 21.8, 23.4, 21.7, 16.8, 10.4, 3.0, -2.9}
	rc := [12]float64{12.04, 12.45, 13.01, 14.18, 14.01, 12.86, 10.76, 10.49, 11.76, 12.7, 11.81, 11.22}
	temp, err := calc.HourlyTemperatureByMonth(tc, rc, resTaiyuanLat, resTaiyuanLon, resChinaUTCOffsetH)
	if err != nil {
		t.Fatal(err)
	}
	for m := range 12 {
		var s float64
		for _, v := range temp[resHoursBeforeMonth[m]:resHoursBeforeMonth[m+1]] {
			s += v
		}
		checkAbs(t, "monthly mean", s/float64(24*resMonthDays[m]), tc[m], 1e-9)
	}
	july1 := temp[181*24 : 182*24]
	lo, hi := 0, 0
	for h := range july1 {
		if july1[h] < july1[lo] {
			lo = h
		}
		if july1[h] > july1[hi] {
			hi = h
		}
	}
	if hi != 15 || lo < 4 || lo > 5 {
		t.Errorf("1 July: warmest hour %d, coldest %d; want 15 and 4–5", hi, lo)
	}
	if span := july1[hi] - july1[lo]; span < 0.95*rc[6] || span > rc[6] {
		t.Errorf("1 July: max − min = %.2f, want within 5 %% below the range %v", span, rc[6])
	}
	var zero [12]float64
	flat, err := calc.HourlyTemperatureByMonth(tc, zero, resTaiyuanLat, resTaiyuanLon, resChinaUTCOffsetH)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range flat {
		if v != tc[monthOfHourTest(i)] {
			t.Fatalf("zero range: hour %d = %v, want %v", i, v, tc[monthOfHourTest(i)])
		}
	}
	bad := rc
	bad[4] = -1
	_, err = calc.HourlyTemperatureByMonth(tc, bad, resTaiyuanLat, resTaiyuanLon, resChinaUTCOffsetH)
	wantInputError(t, err, "MonthlyTempRangeC[4]", "≥ 0")
}

func monthOfHourTest(i int) int {
	for m := range 12 {
		if i < resHoursBeforeMonth[m+1] {
			return m
		}
	}
	return 11
}

// TestPVDiurnalThermalLossByDataset: the Taiyuan site resource at 35° tilt
// on dataset 2026.2, whose site carries CBED's monthly diurnal ranges,
// loses more to cell temperature than the same site with flat monthly
// means (the afternoon, when the sun is on the array, is warmer than the
// mean). On 2026.1 (no range column) the site keeps the flat means and
// its result is that of the same monthly means given as a monthly
// resource. A monthly resource with the site's ranges in the request
// gives the 2026.2 site result.
func TestPVDiurnalThermalLossByDataset(t *testing.T) {
	cat, err := factors.Load()
	if err != nil {
		t.Fatal(err)
	}
	d1, _ := cat.Get("2026.1")
	d2, ok := cat.Get("2026.2")
	if !ok {
		t.Fatal("dataset 2026.2 missing")
	}
	site2, _ := d2.SolarSite("taiyuan")
	run := func(ds *factors.Dataset, res calc.PVResource) (calc.PVResult, calc.Provenance) {
		t.Helper()
		in := pvySiteInput("", 1000)
		in.Resource = res
		if res.Kind == calc.ResourceSite {
			in = pvySiteInput("taiyuan", 1000)
		}
		r, p, err := calc.New(ds).PV(in)
		if err != nil {
			t.Fatal(err)
		}
		return r, p
	}
	siteRes := calc.PVResource{Kind: calc.ResourceSite, Site: "taiyuan"}
	flatRes := calc.PVResource{Kind: calc.ResourceMonthly, MonthlyGHIKWhM2: site2.GHIMonthlyKWhM2, MonthlyTempC: site2.TempMonthlyC}
	rangeRes := flatRes
	rangeRes.MonthlyTempRangeC = site2.TempRangeMonthlyC

	old, pOld := run(d1, siteRes)
	oldFlat, _ := run(d1, flatRes)
	if old.AnnualACKWh != oldFlat.AnnualACKWh || old.Losses.TemperatureKWh != oldFlat.Losses.TemperatureKWh {
		t.Errorf("2026.1 site %v kWh (thermal %v) ≠ flat monthly %v (thermal %v)", old.AnnualACKWh, old.Losses.TemperatureKWh, oldFlat.AnnualACKWh, oldFlat.Losses.TemperatureKWh)
	}
	checkMessage(t, "2026.1 assumption", pOld.Assumptions, "monthly mean in every hour", "no diurnal cycle")

	flat, _ := run(d2, flatRes)
	prof, pProf := run(d2, siteRes)
	req, _ := run(d2, rangeRes)
	if req.AnnualACKWh != prof.AnnualACKWh {
		t.Errorf("monthly resource with the site's ranges = %v kWh, site = %v kWh; want equal", req.AnnualACKWh, prof.AnnualACKWh)
	}
	checkMessage(t, "2026.2 assumption", pProf.Assumptions, "ESRA", "Huld", "12.04; 12.45", "taiyuan preset", "solar_site/taiyuan/temp_range_mean")
	if v, ok := factorValue(pProf, "solar_site/taiyuan/temp_range_mean"); !ok || math.Abs(v-12.2742) > 1e-3 {
		t.Errorf("provenance temp_range_mean = %v (listed %v), want 12.274 (mean of the 12 ranges)", v, ok)
	}
	lossFlat := flat.Losses.TemperatureKWh / flat.Losses.NominalKWh
	lossProf := prof.Losses.TemperatureKWh / prof.Losses.NominalKWh
	change := prof.AnnualACKWh/flat.AnnualACKWh - 1
	t.Logf("Taiyuan 35°, 1 MWp: thermal loss flat %.0f kWh (%.2f %% of nominal), ESRA %.0f kWh (%.2f %%); annual AC %.0f → %.0f kWh (%+.2f %%)",
		flat.Losses.TemperatureKWh, 100*lossFlat, prof.Losses.TemperatureKWh, 100*lossProf, flat.AnnualACKWh, prof.AnnualACKWh, 100*change)
	// Daytime air is warmer than the daily mean by up to about R/2 ≈ 5–7 °C
	// at Taiyuan; at γ = −0.37 %/°C on the hours that carry the energy, the
	// thermal loss should grow by roughly 0.5–2 percentage points of
	// nominal, and the yield fall by as much.
	if d := lossProf - lossFlat; d < 0.005 || d > 0.02 {
		t.Errorf("thermal loss %.2f %% → %.2f %% of nominal: increase %.2f points, want 0.5–2", 100*lossFlat, 100*lossProf, 100*d)
	}
	if change > -0.005 || change < -0.025 {
		t.Errorf("annual AC change %+.2f %%, want −0.5 to −2.5 %%", 100*change)
	}
}
