package calc_test

import (
	"fmt"
	"math"
	"testing"

	"alcarbon/calc"
)

// Taiyuan, WMO 53772, 37.62 N 112.58 E: CBED (China Building Energy Data)
// monthly GHI [kWh/m²]. China Standard Time is UTC+8.
var (
	resTaiyuanGHI                        = [12]float64{67, 80, 119, 149, 173, 164, 156, 144, 118, 98, 69, 60}
	resTaiyuanLat, resTaiyuanLon         = 37.62, 112.58
	resChinaUTCOffsetH                   = 8.0
	resMonthDays                         = [12]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	resHoursBeforeMonth          [13]int = func() (h [13]int) {
		for m, d := range resMonthDays {
			h[m+1] = h[m] + 24*d
		}
		return h
	}()
)

// spencer returns the declination [rad] and equation of time [min] of day n
// (1 = 1 January) by Spencer (1971), as given in Iqbal (1983) Eqs. 1.3.1 and
// 1.4.1 — typed here from the publication, not from resource.go.
func resSpencer(n int) (decRad, eotMin float64) {
	g := 2 * math.Pi * float64(n-1) / 365
	decRad = 0.006918 - 0.399912*math.Cos(g) + 0.070257*math.Sin(g) - 0.006758*math.Cos(2*g) +
		0.000907*math.Sin(2*g) - 0.002697*math.Cos(3*g) + 0.00148*math.Sin(3*g)
	eotMin = 229.18 * (0.000075 + 0.001868*math.Cos(g) - 0.032077*math.Sin(g) - 0.014615*math.Cos(2*g) - 0.040849*math.Sin(2*g))
	return decRad, eotMin
}

// cosZenith returns cos Z at the middle of hour i of the typical year.
func resCosZenith(i int, latDeg, lonDeg, utcOffsetH float64) float64 {
	dec, eot := resSpencer(i/24 + 1)
	solarH := float64(i%24) + 0.5 + (lonDeg-15*utcOffsetH)/15 + eot/60
	omega := (solarH - 12) * math.Pi / 12
	lat := latDeg * math.Pi / 180
	return math.Sin(lat)*math.Sin(dec) + math.Cos(lat)*math.Cos(dec)*math.Cos(omega)
}

func TestSynthesizeHourlyGHIMonthlyTotals(t *testing.T) {
	sites := []struct {
		name          string
		monthly       [12]float64
		lat, lon, utc float64
	}{
		{"Taiyuan", resTaiyuanGHI, resTaiyuanLat, resTaiyuanLon, resChinaUTCOffsetH},
		// Urumqi, WMO 51463 (CBED): 87.65 E on UTC+8, solar noon near 14:10.
		{"Urumqi", [12]float64{42, 61, 108, 153, 187, 192, 192, 175, 140, 99, 53, 36}, 43.78, 87.65, resChinaUTCOffsetH},
		{"southern hemisphere, a zero month", [12]float64{200, 170, 150, 110, 80, 0, 70, 90, 120, 160, 190, 210}, -33.9, 151.2, 10},
	}
	for _, s := range sites {
		t.Run(s.name, func(t *testing.T) {
			ghi, err := calc.SynthesizeHourlyGHI(s.monthly, s.lat, s.lon, s.utc)
			if err != nil {
				t.Fatal(err)
			}
			if len(ghi) != 8760 {
				t.Fatalf("len = %d, want 8760", len(ghi))
			}
			for m := range 12 {
				var wh float64
				for _, v := range ghi[resHoursBeforeMonth[m]:resHoursBeforeMonth[m+1]] {
					if v < 0 || math.IsNaN(v) {
						t.Fatalf("month %d has GHI %v", m+1, v)
					}
					wh += v // W/m² for one hour = Wh/m²
				}
				checkClose(t, "monthly sum [kWh/m²]", wh/1000, s.monthly[m], 1e-9)
			}
		})
	}
}

// TestSynthesizeHourlyGHIDayNight checks that GHI is 0 when the sun is below
// the horizon at mid-hour and positive when it is above, with cos Z from
// Spencer's declination and equation of time. The margin of 0.01 in cos Z
// (about 0.6° of elevation) keeps hours whose mid-point is at sunrise out of
// the test; r_t is positive only for mid-hour ω inside ±ω_s.
func TestSynthesizeHourlyGHIDayNight(t *testing.T) {
	ghi, err := calc.SynthesizeHourlyGHI(resTaiyuanGHI, resTaiyuanLat, resTaiyuanLon, resChinaUTCOffsetH)
	if err != nil {
		t.Fatal(err)
	}
	night, day := 0, 0
	for i, v := range ghi {
		switch cz := resCosZenith(i, resTaiyuanLat, resTaiyuanLon, resChinaUTCOffsetH); {
		case cz < -0.01:
			night++
			if v != 0 {
				t.Fatalf("hour %d (day %d, %02d:30): GHI %v with the sun below the horizon (cos Z %.3f)", i, i/24+1, i%24, v, cz)
			}
		case cz > 0.01:
			day++
			if v <= 0 {
				t.Fatalf("hour %d (day %d, %02d:30): GHI %v with the sun up (cos Z %.3f)", i, i/24+1, i%24, v, cz)
			}
		}
	}
	// Roughly half the year's hours are night at 37.6 N.
	if night < 4000 || day < 4000 {
		t.Errorf("%d night and %d day hours, want about 4380 each", night, day)
	}
	for h := range 4 { // local midnight to 04:00 is night all year in Taiyuan
		if ghi[h] != 0 || ghi[resHoursBeforeMonth[6]+h] != 0 {
			t.Errorf("GHI at %02d:30 in January/July = %v/%v, want 0", h, ghi[h], ghi[resHoursBeforeMonth[6]+h])
		}
	}
}

// TestSynthesizeHourlyGHISymmetric puts solar noon at exactly 12:00 on
// 21 March (day 80) by choosing the longitude, lon = 15°·8 − E/4 (E in
// minutes, Spencer): the mid-hour samples 11:30 and 12:30, 10:30 and 13:30 …
// are then symmetric about noon, and so must be the profile.
func TestSynthesizeHourlyGHISymmetric(t *testing.T) {
	const n = 80
	_, eot := resSpencer(n)
	lon := 15*resChinaUTCOffsetH - eot/4
	ghi, err := calc.SynthesizeHourlyGHI(resTaiyuanGHI, resTaiyuanLat, lon, resChinaUTCOffsetH)
	if err != nil {
		t.Fatal(err)
	}
	day := ghi[(n-1)*24 : n*24]
	for h := range 12 {
		checkClose(t, fmt.Sprintf("GHI at %02d:30 vs %02d:30", h, 23-h), day[h], day[23-h], 1e-9)
	}
	if day[11] <= day[10] || day[10] <= day[9] || day[5] != 0 || day[6] <= 0 {
		t.Errorf("profile on day %d = %v; want rising to noon, 0 at 05:30 and > 0 at 06:30 (sunrise is 06:00 at the equinox)", n, day)
	}
}

// TestSynthesizeHourlyGHINoonAtSolarNoon checks, for every day at Taiyuan
// (112.58 E on UTC+8, so solar noon is 12:30 ± 16 min), that the
// GHI-weighted mean time of day is solar noon from Spencer's equation of
// time. Hourly samples of a symmetric profile whose centre falls between
// samples shift the mean by a little: < 0.05 h is allowed.
func TestSynthesizeHourlyGHINoonAtSolarNoon(t *testing.T) {
	ghi, err := calc.SynthesizeHourlyGHI(resTaiyuanGHI, resTaiyuanLat, resTaiyuanLon, resChinaUTCOffsetH)
	if err != nil {
		t.Fatal(err)
	}
	for d := range 365 {
		var w, wt float64
		for h := range 24 {
			w += ghi[d*24+h]
			wt += ghi[d*24+h] * (float64(h) + 0.5)
		}
		_, eot := resSpencer(d + 1)
		noon := 12 - (resTaiyuanLon-15*resChinaUTCOffsetH)/15 - eot/60
		if got := wt / w; math.Abs(got-noon) > 0.05 {
			t.Fatalf("day %d: GHI centred at %.3f h, solar noon at %.3f h", d+1, got, noon)
		}
	}
}

// TestCollaresPereiraRablSumsToOne checks Σ r_t over the 24 mid-hour hour
// angles of a day, before any renormalisation, for |φ| ≤ 45° and every
// declination, with solar noon on the hour, the quarter and the half hour.
// The ratio is an empirical fit: its continuous integral departs from 1 by
// up to 0.9 % in that range, and sampling at mid-hours adds up to 0.5 %
// (computed offline on a 0.5° grid); 2 % is allowed.
func TestCollaresPereiraRablSumsToOne(t *testing.T) {
	worst := 0.0
	for lat := 0.0; lat <= 45; lat += 5 {
		for dec := -23.45; dec <= 23.45; dec += 0.5 {
			ws := math.Acos(-math.Tan(lat*math.Pi/180) * math.Tan(dec*math.Pi/180))
			for _, offH := range []float64{0, 0.25, 0.5} {
				var sum float64
				for h := range 24 {
					sum += calc.CollaresPereiraRablRatio((float64(h)+0.5-12+offH)*math.Pi/12, ws)
				}
				worst = max(worst, math.Abs(sum-1))
				if math.Abs(sum-1) > 0.02 {
					t.Errorf("lat %v dec %v noon offset %v h: Σ r_t = %.4f, want 1 ± 0.02", lat, dec, offH, sum)
				}
			}
		}
	}
	t.Logf("largest |Σ r_t − 1| = %.4f", worst)
}

// TestCollaresPereiraRablHandComputed checks r_t against values worked by
// hand from Collares-Pereira & Rabl (1979) and Liu & Jordan (1960).
func TestCollaresPereiraRablHandComputed(t *testing.T) {
	// Equinox (δ = 0): ω_s = 90° at any latitude; ω = 30° (14:00 solar).
	//   sin(ω_s − 60°) = 0.5: a = 0.409 + 0.2508 = 0.6598, b = 0.6609 − 0.23835 = 0.42255
	//   r_d = (π/24)(cos 30° − 0)/(sin 90° − (π/2)·0) = 0.1308997 × 0.8660254 = 0.1133625
	//   r_t = 0.1133625 × (0.6598 + 0.42255 × 0.8660254) = 0.1133625 × 1.0257390 = 0.1162803
	checkClose(t, "r_d(30°, 90°)", calc.LiuJordanDiffuseRatio(math.Pi/6, math.Pi/2), 0.1133625, 1e-6)
	checkClose(t, "r_t(30°, 90°)", calc.CollaresPereiraRablRatio(math.Pi/6, math.Pi/2), 0.1162803, 1e-6)

	// φ = 40°, δ = 23.45° (summer solstice), ω = −45° (09:00 solar).
	//   cos ω_s = −tan 40° tan 23.45° = −0.8390996 × 0.4337751 = −0.3639805; ω_s = 111.344857° = 1.9433344 rad
	//   sin(ω_s − 60°) = sin 51.344857° = 0.7809197: a = 0.8007093, b = 0.2886356
	//   r_d = 0.1308997 × (0.7071068 + 0.3639805)/(0.9314066 + 1.9433344 × 0.3639805) = 0.1308997 × 1.0710873/1.6387424 = 0.0855565
	//   r_t = 0.0855565 × (0.8007093 + 0.2886356 × 0.7071068) = 0.0855565 × 1.0048055 = 0.0859676
	ws := math.Acos(-math.Tan(40*math.Pi/180) * math.Tan(23.45*math.Pi/180))
	checkClose(t, "ω_s(40°, 23.45°) [deg]", ws*180/math.Pi, 111.344857, 1e-8)
	checkClose(t, "r_d(−45°, ω_s)", calc.LiuJordanDiffuseRatio(-math.Pi/4, ws), 0.0855565, 1e-6)
	checkClose(t, "r_t(−45°, ω_s)", calc.CollaresPereiraRablRatio(-math.Pi/4, ws), 0.0859676, 1e-6)

	for _, tc := range []struct{ omegaDeg, wsDeg float64 }{{90, 90}, {-100, 90}, {180, 111}, {0, 0}} {
		if r := calc.CollaresPereiraRablRatio(tc.omegaDeg*math.Pi/180, tc.wsDeg*math.Pi/180); r != 0 {
			t.Errorf("r_t(ω %v°, ω_s %v°) = %v, want 0 outside sunrise–sunset", tc.omegaDeg, tc.wsDeg, r)
		}
	}
}

func TestSynthesizeHourlyGHIErrors(t *testing.T) {
	bad := resTaiyuanGHI
	bad[2] = -1
	_, err := calc.SynthesizeHourlyGHI(bad, resTaiyuanLat, resTaiyuanLon, 8)
	wantInputError(t, err, "MonthlyGHIKWhM2[2]", "≥ 0")

	bad = resTaiyuanGHI
	bad[5] = math.NaN()
	_, err = calc.SynthesizeHourlyGHI(bad, resTaiyuanLat, resTaiyuanLon, 8)
	wantInputError(t, err, "MonthlyGHIKWhM2[5]", "finite")

	_, err = calc.SynthesizeHourlyGHI(resTaiyuanGHI, 91, resTaiyuanLon, 8)
	wantInputError(t, err, "LatDeg", "[-90, 90]")
	_, err = calc.SynthesizeHourlyGHI(resTaiyuanGHI, resTaiyuanLat, 200, 8)
	wantInputError(t, err, "LonDeg", "[-180, 180]")
	_, err = calc.SynthesizeHourlyGHI(resTaiyuanGHI, resTaiyuanLat, resTaiyuanLon, 15)
	wantInputError(t, err, "UTCOffsetH")

	// 80 N: the sun does not rise in January (δ ≈ −20°, tan φ tan δ < −1).
	_, err = calc.SynthesizeHourlyGHI(resTaiyuanGHI, 80, 15, 1)
	wantInputError(t, err, "MonthlyGHIKWhM2[0]", "does not rise")
}

func TestMonthlyFromAnnual(t *testing.T) {
	// Taiyuan's CBED annual GHI, 1398 kWh/m² (sum of the unrounded months).
	m := calc.MonthlyFromAnnual(1398, resTaiyuanLat, resTaiyuanLon, resChinaUTCOffsetH)
	var sum float64
	for _, v := range m {
		sum += v
	}
	checkClose(t, "Σ monthly", sum, 1398, 1e-9)
	// Clear-sky irradiation per day peaks at the June solstice and bottoms
	// out in December in the north (monthly totals also weigh month length);
	// per day, June/December is about 2.5-3 at 37.6 N.
	peak, low := 0, 0
	perDay := func(i int) float64 { return m[i] / float64(resMonthDays[i]) }
	for i := range m {
		if perDay(i) > perDay(peak) {
			peak = i
		}
		if perDay(i) < perDay(low) {
			low = i
		}
	}
	if peak != 5 || low != 11 || m[6] < m[1] || m[0] > m[4] {
		t.Errorf("monthly = %.1f: daily mean peaks in month %d, lowest in %d; want June (6) and December (12), summer above winter", m, peak+1, low+1)
	}
	if r := (m[5] / 30) / (m[11] / 31); r < 2 || r > 3.5 {
		t.Errorf("June/December daily clear-sky ratio %.2f, want 2-3.5", r)
	}

	// Southern hemisphere: the seasons swap.
	s := calc.MonthlyFromAnnual(1600, -33.9, 151.2, 10)
	if s[11] <= s[5] || s[0] <= s[6] {
		t.Errorf("Sydney monthly = %.1f; want December > June and January > July", s)
	}

	// The split feeds SynthesizeHourlyGHI back to the same annual total.
	ghi, err := calc.SynthesizeHourlyGHI(m, resTaiyuanLat, resTaiyuanLon, resChinaUTCOffsetH)
	if err != nil {
		t.Fatal(err)
	}
	var wh float64
	for _, v := range ghi {
		wh += v
	}
	checkClose(t, "annual of the synthesised year [kWh/m²]", wh/1000, 1398, 1e-9)
}

// TestMonthlyFromAnnualEquator checks the clear-sky split against an
// independent sum: at the equator on its time meridian the Haurwitz hourly
// values are summed here from cos Z (Spencer) and compared month by month.
func TestMonthlyFromAnnualEquator(t *testing.T) {
	var want [12]float64
	var total float64
	for m := range 12 {
		for i := resHoursBeforeMonth[m]; i < resHoursBeforeMonth[m+1]; i++ {
			if cz := resCosZenith(i, 0, 0, 0); cz > 0 {
				want[m] += 1098 * cz * math.Exp(-0.057/cz) // Haurwitz (1945), pvlib clearsky.haurwitz
			}
		}
		total += want[m]
	}
	got := calc.MonthlyFromAnnual(2000, 0, 0, 0)
	for m := range 12 {
		checkClose(t, fmt.Sprintf("month %d", m+1), got[m], want[m]*2000/total, 1e-9)
	}
}

func TestHourlyTemperature(t *testing.T) {
	// Taiyuan monthly mean air temperature (CBED, WMO 53772).
	tc := [12]float64{-4.6, -0.8, 5.2, 12.6, 18.2, 21.8, 23.4, 21.7, 16.8, 10.4, 3.0, -2.9}

	flat, err := calc.HourlyTemperature(tc, 0, resTaiyuanLat, resTaiyuanLon, resChinaUTCOffsetH)
	if err != nil {
		t.Fatal(err)
	}
	for m := range 12 {
		for i := resHoursBeforeMonth[m]; i < resHoursBeforeMonth[m+1]; i++ {
			if flat[i] != tc[m] {
				t.Fatalf("range 0: hour %d = %v, want the monthly mean %v", i, flat[i], tc[m])
			}
		}
	}

	const rangeC = 10.0
	temp, err := calc.HourlyTemperature(tc, rangeC, resTaiyuanLat, resTaiyuanLon, resChinaUTCOffsetH)
	if err != nil {
		t.Fatal(err)
	}
	if len(temp) != 8760 {
		t.Fatalf("len = %d, want 8760", len(temp))
	}
	for m := range 12 {
		var s float64
		for _, v := range temp[resHoursBeforeMonth[m]:resHoursBeforeMonth[m+1]] {
			s += v
		}
		checkClose(t, "monthly mean T", s/float64(24*resMonthDays[m]), tc[m], 1e-9)
	}
	// 1 July (day 182): solar time = clock − 0.49 h + E/60 (E ≈ −4 min), so
	// 15:00 solar falls in the 15:00-16:00 clock hour; sunrise (ω_s ≈ 110°,
	// 04:40 solar) in the 05:00 hour. Hourly samples of the half-cosines
	// span nearly the full range.
	d := temp[181*24 : 182*24]
	hiH, loH := 0, 0
	for h := range d {
		if d[h] > d[hiH] {
			hiH = h
		}
		if d[h] < d[loH] {
			loH = h
		}
	}
	if hiH != 15 || loH < 4 || loH > 5 {
		t.Errorf("1 July: warmest hour %d, coldest %d; want 15 and 4-5 (sunrise)", hiH, loH)
	}
	if span := d[hiH] - d[loH]; span < 0.95*rangeC || span > rangeC {
		t.Errorf("1 July: max − min = %.2f, want within 5 %% below the range %v", span, rangeC)
	}

	bad := tc
	bad[3] = math.Inf(1)
	_, err = calc.HourlyTemperature(bad, rangeC, resTaiyuanLat, resTaiyuanLon, 8)
	wantInputError(t, err, "MonthlyTempC[3]", "finite")
	_, err = calc.HourlyTemperature(tc, -1, resTaiyuanLat, resTaiyuanLon, 8)
	wantInputError(t, err, "DiurnalRangeC", "≥ 0")
	_, err = calc.HourlyTemperature(tc, rangeC, -95, resTaiyuanLon, 8)
	wantInputError(t, err, "LatDeg")
}

func BenchmarkSynthesizeHourlyGHI(b *testing.B) {
	for b.Loop() {
		if _, err := calc.SynthesizeHourlyGHI(resTaiyuanGHI, resTaiyuanLat, resTaiyuanLon, resChinaUTCOffsetH); err != nil {
			b.Fatal(err)
		}
	}
}
