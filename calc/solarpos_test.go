package calc

// Internal tests: they reach SPA's intermediate quantities, whose expected
// values pvlib's tests/test_spa.py takes from the worked example of Reda &
// Andreas 2004 (Table A5.1).

import (
	"math"
	"testing"
)

// spaNear fails the test when got is farther than tol from want.
func spaNear(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol) {
		t.Errorf("%s = %.10f, want %.10f ± %.2g (diff %.3g)", name, got, want, tol, got-want)
	}
}

// The worked example of Reda & Andreas 2004 §A5 (pvlib tests/test_spa.py):
// 17 October 2003 12:30:30 local, UTC−7 (19:30:30 UT), Golden CO.
const (
	exLat      = 39.742476
	exLon      = -105.1786
	exElev     = 1830.14
	exPressure = 820.0 // hPa
	exTemp     = 11.0  // °C
	exDeltaT   = 67.0  // s
)

var exJD = JulianDay(2003, 10, 17, 19+30.0/60+30.0/3600)

// pvlib's assert_almost_equal(…, decimal) passes when |diff| < 1.5 × 10^−decimal.
func dec(d int) float64 { return 1.5 * math.Pow(10, -float64(d)) }

func TestJulianDay(t *testing.T) {
	tests := []struct {
		name       string
		y, m, d    int
		hour, want float64
		tol        float64
		wantSource string
	}{
		// pvlib tests/test_spa.py JD (decimal 6).
		{"SPA example 2003-10-17 19:30:30 UT", 2003, 10, 17, 19 + 30.0/60 + 30.0/3600, 2452930.312847, dec(6), "pvlib test_spa JD"},
		// Reda & Andreas 2004 Table A4.1 (from Meeus, Astronomical Algorithms ch. 7).
		{"J2000.0", 2000, 1, 1, 12, 2451545.0, 1e-9, "R&A Table A4.1"},
		{"1999-01-01 0h", 1999, 1, 1, 0, 2451179.5, 1e-9, "R&A Table A4.1"},
		{"1987-01-27 0h", 1987, 1, 27, 0, 2446822.5, 1e-9, "R&A Table A4.1"},
		{"1987-06-19 12h", 1987, 6, 19, 12, 2446966.0, 1e-9, "R&A Table A4.1"},
		{"1988-01-27 0h", 1988, 1, 27, 0, 2447187.5, 1e-9, "R&A Table A4.1"},
		{"1988-06-19 12h", 1988, 6, 19, 12, 2447332.0, 1e-9, "R&A Table A4.1"},
		{"1900-01-01 0h", 1900, 1, 1, 0, 2415020.5, 1e-9, "R&A Table A4.1"},
		{"1600-01-01 0h", 1600, 1, 1, 0, 2305447.5, 1e-9, "R&A Table A4.1"},
		{"1600-12-31 0h", 1600, 12, 31, 0, 2305812.5, 1e-9, "R&A Table A4.1"},
		// A negative hour is the previous day: 1 Jan 2000 −12 h = 31 Dec 1999 12h.
		{"hour −12", 2000, 1, 1, -12, 2451544.0, 1e-9, "J2000.0 − 1 day"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spaNear(t, "JulianDay ("+tc.wantSource+")", JulianDay(tc.y, tc.m, tc.d, tc.hour), tc.want, tc.tol)
		})
	}
}

// TestSPAIntermediate checks the site-independent SPA quantities against
// pvlib tests/test_spa.py (values of Reda & Andreas 2004 Table A5.1), with
// pvlib's own decimal tolerances.
func TestSPAIntermediate(t *testing.T) {
	jde := exJD + exDeltaT/86400
	spaNear(t, "JDE", jde, 2452930.313623, dec(5))
	s := spaSeriesAt(jde)
	l := math.Mod(s.lRad*degPerRad, 360)
	spaNear(t, "L", l, 24.0182616917, dec(6))
	spaNear(t, "B", s.bRad*degPerRad, -0.0001011219, dec(6))
	spaNear(t, "R", s.r, 0.9965422974, dec(6))
	spaNear(t, "Δψ", s.dPsi, -0.00399840, dec(6))
	spaNear(t, "Δε", s.dEps, 0.00166657, dec(6))
	spaNear(t, "ε", s.eps, 23.440465, dec(6))

	g := spaGeocentric(exJD, s)
	spaNear(t, "ν", math.Mod(g.nuDeg, 360), 318.511910, dec(5))
	spaNear(t, "α", g.alphaDeg, 202.227408, dec(6))
	spaNear(t, "δ", g.deltaDeg, -9.31434, dec(6))
	spaNear(t, "H", math.Mod(g.nuDeg+exLon-g.alphaDeg+360, 360), 11.10590, dec(4))
	spaNear(t, "ξ", 8.794/(3600*g.r), 0.002451, dec(6))
}

// TestSPA checks whole positions against published values.
func TestSPA(t *testing.T) {
	tests := []struct {
		name                              string
		jd, deltaT, lat, lon, elev, p, tC float64
		want                              SolarPosition
		tol                               float64
		source                            string
	}{
		{
			name: "Reda & Andreas 2004 worked example", jd: exJD, deltaT: exDeltaT,
			lat: exLat, lon: exLon, elev: exElev, p: exPressure, tC: exTemp,
			// R&A 2004 §A5: zenith 50.11162°, azimuth 194.34024°; pvlib
			// test_spa also lists e0 39.872046 (zenith 90 − e0) and e 39.888378.
			want: SolarPosition{ZenithDeg: 90 - 39.872046, ApparentZenithDeg: 50.11162, AzimuthDeg: 194.34024, ApparentElevationDeg: 39.888378},
			tol:  1e-4, source: "R&A 2004 / pvlib test_spa",
		},
		{
			name: "next day, 2003-10-18 12:30:30 MST", jd: exJD + 1, deltaT: exDeltaT,
			lat: exLat, lon: exLon, elev: exElev, p: exPressure, tC: exTemp,
			// pvlib tests/test_solarposition.py expected_solpos_multi, second
			// row (get_solarposition with pressure 82000 Pa, 11 °C, ΔT 67 s).
			// pvlib compares these with rtol 1e-5 (≈ 0.002°); they differ
			// from this SPA (which matches the first row to 1e-7°) by up to
			// 4e-5° in azimuth, well inside SPA's stated ±3e-4° uncertainty.
			want: SolarPosition{ZenithDeg: 90 - 39.505196, ApparentZenithDeg: 50.478260, AzimuthDeg: 194.311132, ApparentElevationDeg: 39.521740},
			tol:  1e-4, source: "pvlib test_solarposition expected_solpos_multi",
		},
		{
			name: "example at 900 hPa", jd: exJD, deltaT: exDeltaT,
			lat: exLat, lon: exLon, elev: exElev, p: 900, tC: exTemp,
			// pvlib tests/test_solarposition.py test_get_solarposition_pressure
			// (pressure 90000 Pa), printed to 5 decimals.
			want: SolarPosition{ZenithDeg: 50.12795, ApparentZenithDeg: 50.11003, AzimuthDeg: 194.34024, ApparentElevationDeg: 39.88997},
			tol:  1e-5, source: "pvlib test_get_solarposition_pressure",
		},
		{
			name: "example at 2000 m (pressure from altitude)", jd: exJD, deltaT: exDeltaT,
			lat: exLat, lon: exLon, elev: 2000, p: AltitudeToPressurePa(2000) / 100, tC: exTemp,
			// pvlib test_get_solarposition_altitude (altitude 2000, pressure
			// from alt2pres), printed to 5 decimals. The 2000 m elevation
			// changes parallax by < 1e-6°, so zenith is as at 1830 m.
			want: SolarPosition{ZenithDeg: 50.12795, ApparentZenithDeg: 50.11212, AzimuthDeg: 194.34024, ApparentElevationDeg: 39.88788},
			tol:  1e-5, source: "pvlib test_get_solarposition_altitude",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := SPA(tc.jd, tc.deltaT, tc.lat, tc.lon, tc.elev, tc.p, tc.tC)
			spaNear(t, "zenith ("+tc.source+")", got.ZenithDeg, tc.want.ZenithDeg, tc.tol)
			spaNear(t, "apparent zenith ("+tc.source+")", got.ApparentZenithDeg, tc.want.ApparentZenithDeg, tc.tol)
			spaNear(t, "azimuth ("+tc.source+")", got.AzimuthDeg, tc.want.AzimuthDeg, tc.tol)
			spaNear(t, "apparent elevation ("+tc.source+")", got.ApparentElevationDeg, tc.want.ApparentElevationDeg, tc.tol)
		})
	}
}

// TestSPADeltaT: pvlib tests/test_solarposition.py test_spa_array_delta_t,
// 2019-01-01 00:00 UTC at 40°N 80°W, sea level (101325 Pa, 12 °C): the
// azimuth is 257.26969492° with ΔT 67 s and 257.2701359° with ΔT 0. The two
// differ by 4.4e-4°, so the tolerance must be well below that.
func TestSPADeltaT(t *testing.T) {
	jd := JulianDay(2019, 1, 1, 0)
	for _, tc := range []struct{ deltaT, want float64 }{{67, 257.26969492}, {0, 257.2701359}} {
		got := SPA(jd, tc.deltaT, 40, -80, 0, 1013.25, 12)
		spaNear(t, "azimuth", got.AzimuthDeg, tc.want, 2e-5)
	}
}

func TestAltitudeToPressurePa(t *testing.T) {
	// pvlib tests/test_atmosphere.py test_alt2pres, atol 0.001 Pa.
	for _, tc := range []struct{ alt, want float64 }{
		{-100, 102532.073}, {0, 101324.999}, {1000, 89874.750}, {8000, 35600.496},
	} {
		spaNear(t, "AltitudeToPressurePa", AltitudeToPressurePa(tc.alt), tc.want, 0.001)
	}
}

func TestSPARefractionSwitch(t *testing.T) {
	// SPA eq. 42 as in pvlib spa.atmospheric_refraction_correction: with
	// the example's 820 hPa and 11 °C, e0 = 39.872046° gives Δe = 0.016332°
	// (pvlib test_spa 'de'); below −(0.26667 + 0.5667)° it is 0.
	f := refractionFactor(exPressure, exTemp)
	spaNear(t, "Δe at e0 39.872046", spaRefractionDeg(39.872046, f), 0.016332, dec(6))
	spaNear(t, "Δe at −0.84°", spaRefractionDeg(-0.84, f), 0, 0)
	// Just above the switch, hand-computed from eq. 42: e0 + 10.3/(e0 + 5.11)
	// = −0.83 + 10.3/4.28 = 1.576542°, tan = 0.0275231, so
	// Δe = (820/1010)(283/284) × 1.02/(60 × 0.0275231) = 0.49971°.
	spaNear(t, "Δe at −0.83°", spaRefractionDeg(-0.83, f), 0.49971, 1e-5)
}

func TestSunTableCalendar(t *testing.T) {
	tab := NewSunTable(2024, 8)
	if tab.Len() != 8760 {
		t.Fatalf("Len = %d, want 8760", tab.Len())
	}
	for _, tc := range []struct{ i, doy int }{{0, 1}, {23, 1}, {24, 2}, {59 * 24, 60}, {8759, 365}} {
		if got := tab.DayOfYear(tc.i); got != tc.doy {
			t.Errorf("DayOfYear(%d) = %d, want %d", tc.i, got, tc.doy)
		}
	}
	// Hour 0 is local 00:00–01:00 on 1 January at UTC+8: its middle is
	// 31 December 16:30 UT of the previous year.
	spaNear(t, "JD hour 0", SunTableJulianDay(2024, 8, 0), JulianDay(2023, 12, 31, 16.5), 1e-9)
	// 2024 is a leap year: day index 59 (0-based) is 1 March, not 29 February.
	spaNear(t, "JD 1 March 2024 00:30 UTC", SunTableJulianDay(2024, 0, 59*24), JulianDay(2024, 3, 1, 0.5), 1e-9)
	// Last hour: 31 December 23:30 local.
	spaNear(t, "JD last hour", SunTableJulianDay(2025, -7, 8759), JulianDay(2025, 12, 31, 23.5+7), 1e-9)
}

// TestSunTableMatchesSPA compares Positions with SPA at the same instants,
// for every hour of the year at several sites, including a leap year and
// the southern hemisphere. The brief asks for 0.01°; the table's
// interpolated series make it agree far closer.
func TestSunTableMatchesSPA(t *testing.T) {
	sites := []struct {
		name           string
		year           int
		utc            float64
		lat, lon, elev float64
	}{
		{"Taiyuan", 2025, 8, 37.87, 112.55, 780},
		{"Golden CO, leap year", 2024, -7, exLat, exLon, exElev},
		{"Sydney", 2023, 10, -33.87, 151.21, 58},
		{"Quito, equator at altitude", 2025, -5, -0.18, -78.47, 2850},
		{"Tromsø, polar day and night", 2025, 1, 69.65, 18.96, 10},
	}
	app := make([]float64, HoursPerYear)
	zen := make([]float64, HoursPerYear)
	az := make([]float64, HoursPerYear)
	const tol = 1e-5
	for _, s := range sites {
		t.Run(s.name, func(t *testing.T) {
			tab := NewSunTable(s.year, s.utc)
			tab.Positions(s.lat, s.lon, s.elev, app, zen, az)
			p := AltitudeToPressurePa(s.elev) / 100
			var maxZen, maxApp, maxAz float64
			daylight := 0
			for i := range HoursPerYear {
				want := SPA(SunTableJulianDay(s.year, s.utc, i), SunTableDeltaTSec, s.lat, s.lon, s.elev, p, 12)
				maxZen = math.Max(maxZen, math.Abs(zen[i]-want.ZenithDeg))
				if want.ApparentZenithDeg >= 90 {
					continue
				}
				daylight++
				maxApp = math.Max(maxApp, math.Abs(app[i]-want.ApparentZenithDeg))
				d := math.Abs(az[i] - want.AzimuthDeg)
				maxAz = math.Max(maxAz, math.Min(d, 360-d))
			}
			if daylight < 2000 {
				t.Fatalf("only %d daylight hours", daylight)
			}
			if maxZen > tol || maxApp > tol || maxAz > tol {
				t.Errorf("max |Positions − SPA| over %d daylight hours: zenith %.2g°, apparent zenith %.2g°, azimuth %.2g°; want ≤ %g°",
					daylight, maxZen, maxApp, maxAz, tol)
			}
			t.Logf("max |Positions − SPA|: zenith %.2g°, apparent zenith %.2g°, azimuth %.2g° (%d daylight hours)", maxZen, maxApp, maxAz, daylight)
		})
	}
}

// TestSunTableInterpolation checks the daily-node interpolation of the SPA
// series directly against the series evaluated at each hour.
func TestSunTableInterpolation(t *testing.T) {
	const year, utc = 2025, 8.0
	first := SunTableJulianDay(year, utc, 0) + SunTableDeltaTSec/86400
	node0 := math.Floor(first) - 2
	nodes := make([]spaSeries, 372)
	for k := range nodes {
		nodes[k] = spaSeriesAt(node0 + float64(k))
	}
	var maxL, maxR, maxPsi float64
	for i := 0; i < HoursPerYear; i += 7 {
		jde := SunTableJulianDay(year, utc, i) + SunTableDeltaTSec/86400
		got, want := interpSeries(nodes, jde-node0), spaSeriesAt(jde)
		maxL = math.Max(maxL, math.Abs(got.lRad-want.lRad)*degPerRad)
		maxR = math.Max(maxR, math.Abs(got.r-want.r))
		maxPsi = math.Max(maxPsi, math.Abs(got.dPsi-want.dPsi))
	}
	if maxL > 1e-6 || maxR > 1e-8 || maxPsi > 1e-6 {
		t.Errorf("interpolation error: L %.2g°, R %.2g AU, Δψ %.2g°; want < 1e-6°, 1e-8 AU, 1e-6°", maxL, maxR, maxPsi)
	}
}

func BenchmarkNewSunTable(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		NewSunTable(2025, 8)
	}
}

func BenchmarkPositions(b *testing.B) {
	tab := NewSunTable(2025, 8)
	app := make([]float64, HoursPerYear)
	zen := make([]float64, HoursPerYear)
	az := make([]float64, HoursPerYear)
	b.ReportAllocs()
	for b.Loop() {
		tab.Positions(37.87, 112.55, 780, app, zen, az)
	}
}

func BenchmarkSPA(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		SPA(exJD, exDeltaT, exLat, exLon, exElev, exPressure, exTemp)
	}
}
