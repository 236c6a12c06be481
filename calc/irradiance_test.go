package calc_test

import (
	"math"
	"testing"

	"alcarbon/calc"
)

// pvNear fails the test when got is farther than tol from want (NaN equals
// NaN, and +Inf equals +Inf).
func pvNear(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	switch {
	case math.IsNaN(want) && math.IsNaN(got), math.IsInf(want, 0) && got == want:
		return
	case !(math.Abs(got-want) <= tol):
		t.Errorf("%s = %.10g, want %.10g ± %.2g (diff %.3g)", name, got, want, tol, got-want)
	}
}

// pvlib's irradiance test fixtures (tests/test_irradiance.py), generated at
// Location(32.2, −111, 'US/Arizona', 700) for 2014-06-24 00:00, 06:00,
// 12:00 and 18:00: irrad_data (ghi, dni, dhi), ephem_data (apparent_zenith,
// azimuth), dni_et and relative_airmass.
var (
	fxGHI     = [4]float64{0, 79.73860422, 1042.48031487, 257.20751138}
	fxDNI     = [4]float64{0, 316.1949056, 939.95469881, 646.22886049}
	fxDHI     = [4]float64{0, 40.46149818, 118.45831879, 62.03376265}
	fxAppZen  = [4]float64{124.0390863, 82.85457044, 10.56413562, 72.41687122}
	fxAz      = [4]float64{352.69550699, 66.71410338, 144.76567754, 287.04104128}
	fxAirmass = [4]float64{math.NaN(), 7.58831596, 1.01688136, 3.27930443}
)

const fxDNIExtra = 1321.1655834833093 // dni_et fixture

func TestExtraterrestrialIrradiance(t *testing.T) {
	// pvlib test_irradiance.py: the dni_et fixture is get_extra_radiation
	// for 2014-06-24 (day 175), and test_get_extra_radiation expects
	// 1383.636203 for 2016-10-26 (day 300).
	pvNear(t, "E0(175), pvlib dni_et fixture", calc.ExtraterrestrialIrradiance(175), fxDNIExtra, 1e-9)
	pvNear(t, "E0(300), pvlib test_get_extra_radiation", calc.ExtraterrestrialIrradiance(300), 1383.636203, 1e-6)
	// Hand-computed: day 1, B = 0, E0 = 1366.1 × (1.00011 + 0.034221 + 0.000719) = 1413.9801.
	pvNear(t, "E0(1), hand-computed", calc.ExtraterrestrialIrradiance(1), 1366.1*1.03505, 1e-9)
}

func TestRelativeAirmass(t *testing.T) {
	tests := []struct {
		zen, want, tol float64
		source         string
	}{
		// pvlib tests/test_atmosphere.py test_airmass, kastenyoung1989, atol 0.001.
		{89.9, 36.467, 0.001, "pvlib test_airmass"},
		{80, 5.586, 0.001, "pvlib test_airmass"},
		{0, 1.000, 0.001, "pvlib test_airmass"},
		// pvlib test_irradiance.py relative_airmass fixture for ephem_data's
		// apparent zenith.
		{fxAppZen[1], fxAirmass[1], 1e-7, "pvlib relative_airmass fixture"},
		{fxAppZen[2], fxAirmass[2], 1e-7, "pvlib relative_airmass fixture"},
		{fxAppZen[3], fxAirmass[3], 1e-7, "pvlib relative_airmass fixture"},
		// pvlib returns NaN beyond 90°; this function documents +Inf.
		{100, math.Inf(1), 0, "documented: +Inf below the horizon"},
		{math.NaN(), math.NaN(), 0, "NaN in, NaN out"},
	}
	for _, tc := range tests {
		pvNear(t, "RelativeAirmass ("+tc.source+")", calc.RelativeAirmass(tc.zen), tc.want, tc.tol)
	}
}

func TestErbs(t *testing.T) {
	tests := []struct {
		name                 string
		ghi, zen             float64
		doy                  int
		dni, dhi, kt, relTol float64
	}{
		// pvlib tests/test_irradiance.py test_erbs: 2019-01-01 (day 1) ×3
		// and 2019-06-20 (day 171), printed to 9 significant digits.
		{"night", 0, 120, 1, 0, 0, 0, 1e-9},
		{"low sun", 50, 85, 1, 96.7192672, 41.5703604, 0.405723511, 1e-8},
		{"clear winter noon", 1000, 10, 1, 794.205651, 217.860117, 0.718132729, 1e-8},
		{"clear summer noon", 1000, 10, 171, 842.001578, 170.790318, 0.768214312, 1e-8},
		// pvlib test_erbs_all_scalar (day 180), asserted there with rtol
		// 1e-2: its kt is 5e-5 above today's Spencer E0 (the day-171 row
		// above pins the current formula to 1e-8), so compare at 1e-3.
		{"scalar day 180", 1000, 10, 180, 842.358014, 170.439297, 0.768919470, 1e-3},
		// pvlib test_erbs_min_cos_zenith_max_zenith, default limits, 2016-07-19
		// (day 201): zenith 90 > 87 gives DNI 0 and DHI = GHI.
		{"zenith 90", 1, 90, 201, 0, 1, 0.01163776, 1e-6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dni, dhi, kt := calc.Erbs(tc.ghi, tc.zen, calc.ExtraterrestrialIrradiance(tc.doy))
			pvNear(t, "DNI (pvlib test_erbs)", dni, tc.dni, tc.relTol*math.Max(tc.dni, 1))
			pvNear(t, "DHI (pvlib test_erbs)", dhi, tc.dhi, tc.relTol*math.Max(tc.dhi, 1))
			pvNear(t, "kt (pvlib test_erbs)", kt, tc.kt, tc.relTol)
		})
	}

	// Hand-computed from Erbs eq. 1 with E0 = 1400 and cos z = 0.5 (z = 60°):
	// GHI 100: kt = 100/700 = 0.142857 ≤ 0.22, DF = 1 − 0.09 kt = 0.987143,
	// DHI = 98.7143, DNI = (100 − 98.7143)/0.5 = 2.5714.
	dni, dhi, kt := calc.Erbs(100, 60, 1400)
	pvNear(t, "kt, overcast (hand)", kt, 100.0/700, 1e-12)
	pvNear(t, "DHI, overcast (hand)", dhi, 100*(1-0.09*100.0/700), 1e-9)
	pvNear(t, "DNI, overcast (hand)", dni, (100-100*(1-0.09*100.0/700))/0.5, 1e-9)
	// GHI 630: kt = 0.9 > 0.8, DF = 0.165, DHI = 103.95, DNI = 526.05/0.5 = 1052.1.
	dni, dhi, kt = calc.Erbs(630, 60, 1400)
	pvNear(t, "kt, clear (hand)", kt, 0.9, 1e-12)
	pvNear(t, "DHI, clear (hand)", dhi, 103.95, 1e-9)
	pvNear(t, "DNI, clear (hand)", dni, 1052.1, 1e-9)
	// GHI 1400 would give kt 2; pvlib clips kt at 1.
	_, _, kt = calc.Erbs(1400, 60, 1400)
	pvNear(t, "kt clipped at 1", kt, 1, 0)
	// Negative GHI: DNI 0, DHI = GHI (pvlib's closure rule), kt clipped at 0.
	dni, dhi, kt = calc.Erbs(-5, 30, 1400)
	if dni != 0 || dhi != -5 || kt != 0 {
		t.Errorf("Erbs(−5) = %g, %g, %g; want 0, −5, 0", dni, dhi, kt)
	}
}

func TestAOI(t *testing.T) {
	// pvlib tests/test_irradiance.py test_aoi_and_aoi_projection, atol 1e-5.
	tests := []struct{ tilt, surfAz, zen, az, want float64 }{
		{0, 0, 0, 0, 0},
		{30, 180, 30, 180, 0},
		{30, 180, 150, 0, 180},
		{90, 0, 30, 60, 75.5224878},
		{90, 0, 30, 170, 119.4987042},
	}
	for _, tc := range tests {
		pvNear(t, "AOI (pvlib test_aoi_and_aoi_projection)", calc.AOI(tc.tilt, tc.surfAz, tc.zen, tc.az), tc.want, 1e-5)
	}
	// pvlib test_aoi_projection_precision (GH 1185): identical surface and
	// sun angles must give AOI ≈ 0, not NaN from acos(1 + ε).
	z, a := 89.26778228223463, 60.932028605997004
	if got := calc.AOI(z, a, z, a); math.IsNaN(got) || got > 1e-6 {
		t.Errorf("AOI of identical angles = %g, want ≈ 0", got)
	}
}

func TestPOAComponents(t *testing.T) {
	// pvlib tests/test_irradiance.py test_get_ground_diffuse_simple_float
	// (tilt 40, GHI 900, albedo 0.25) and test_isotropic_float (tilt 40, DHI 100).
	p := calc.POAIsotropic(40, 180, 0, 180, 0, 900, 100, 0.25)
	pvNear(t, "ground diffuse (pvlib test_get_ground_diffuse_simple_float)", p.GroundDiffuseWm2, 26.32000014911496, 1e-9)
	pvNear(t, "isotropic sky (pvlib test_isotropic_float)", p.SkyDiffuseWm2, 88.30222215594891, 1e-9)

	// pvlib test_isotropic_series with the irrad_data DHI.
	wantIso := [4]float64{0, 35.728402, 104.601328, 54.777191}
	// pvlib test_poa_components: beam of tilt 40° facing south with the
	// fixtures (aoi from apparent zenith), and sand ground (albedo 0.40).
	wantBeam := [4]float64{0, 0, 798.31939281, 33.50143401}
	wantGround := [4]float64{0, 3.73105791, 48.77881252, 12.03502531}
	for i := range 4 {
		p := calc.POAIsotropic(40, 180, fxAppZen[i], fxAz[i], fxDNI[i], fxGHI[i], fxDHI[i], 0.40)
		pvNear(t, "isotropic sky (pvlib test_isotropic_series)", p.SkyDiffuseWm2, wantIso[i], 1e-6)
		pvNear(t, "beam (pvlib test_poa_components)", p.BeamWm2, wantBeam[i], 1e-6)
		pvNear(t, "ground, sand (pvlib test_poa_components)", p.GroundDiffuseWm2, wantGround[i], 1e-6)
	}
	if g := (calc.POA{BeamWm2: 1, SkyDiffuseWm2: 2, GroundDiffuseWm2: 4}).Global(); g != 7 {
		t.Errorf("POA.Global = %g, want 7", g)
	}
}

func TestPOAHayDavies(t *testing.T) {
	// pvlib tests/test_irradiance.py test_haydavies (tilt 40, azimuth 180,
	// fixtures; "values from matlab 1.4 code"), atol 1e-4.
	want := [4]float64{0, 27.1775, 102.9949, 33.1909}
	for i := range 4 {
		p := calc.POAHayDavies(40, 180, fxAppZen[i], fxAz[i], fxDNI[i], fxGHI[i], fxDHI[i], fxDNIExtra, 0.25)
		pvNear(t, "Hay-Davies sky (pvlib test_haydavies)", p.SkyDiffuseWm2, want[i], 1e-4)
	}
	// Hand-computed from Hay & Davies with the sun normal to a 30° surface
	// (zenith 30°, azimuth 180): Rb = 1/cos 30°, A = 500/1400,
	// sky = 100 (1 − A)(1 + cos 30°)/2 + 100 A Rb = 59.9780 + 41.2393 = 101.2173.
	a := 500.0 / 1400
	p := calc.POAHayDavies(30, 180, 30, 180, 500, 533, 100, 1400, 0.2)
	pvNear(t, "Hay-Davies sky (hand)", p.SkyDiffuseWm2, 100*(1-a)*(1+math.Sqrt(3)/2)/2+100*a/(math.Sqrt(3)/2), 1e-9)
	pvNear(t, "beam at normal incidence (hand)", p.BeamWm2, 500, 1e-9)
}

func TestPOAPerez(t *testing.T) {
	// pvlib tests/test_irradiance.py test_poa_components: Perez sky
	// (allsitescomposite1990) with the fixtures, tilt 40 facing south,
	// asserted with assert_frame_equal (rtol 1e-5). The older test_perez
	// lists 31.46046871 and 45.45539877 for hours 1 and 3 but compares only
	// to 2 decimals; test_perez_scalar pins hour 2 at 109.084332 (rtol 1e-7).
	want := [4]float64{0, 31.4635077, 109.08433162, 45.45978964}
	for i := range 4 {
		p := calc.POAPerez(40, 180, fxAppZen[i], fxAz[i], fxDNI[i], fxGHI[i], fxDHI[i], fxDNIExtra, fxAirmass[i], 0.40)
		pvNear(t, "Perez sky (pvlib test_poa_components)", p.SkyDiffuseWm2, want[i], 1e-5*math.Max(want[i], 1))
		if i == 2 {
			// poa_global of the same test row.
			pvNear(t, "POA global (pvlib test_poa_components)", p.Global(), 956.18253696, 1e-5)
		}
	}

	// pvlib test_perez_negative_horizon: Goodwin Creek, 2019-01-01
	// 11:30–15:30 US/Central, tilt 34 facing south, E0 1414
	// (check_less_precise=2 there).
	dni := []float64{158, 19, 1, 0, 0}
	dhi := []float64{249, 165, 136, 93, 50}
	zen := []float64{57.746951, 57.564205, 60.813841, 66.989435, 75.353368}
	az := []float64{171.003315, 187.346924, 202.974357, 216.725599, 228.317233}
	am := []float64{1.869315, 1.859981, 2.044429, 2.544943, 3.900136}
	wantSky := []float64{281.410185, 152.20879, 123.867898, 82.836412, 43.517015}
	for i := range dni {
		p := calc.POAPerez(34, 180, zen[i], az[i], dni[i], dni[i]*math.Cos(zen[i]*math.Pi/180)+dhi[i], dhi[i], 1414, am[i], 0.25)
		pvNear(t, "Perez sky (pvlib test_perez_negative_horizon)", p.SkyDiffuseWm2, wantSky[i], 1e-5)
	}

	// Sun below the horizon: pvlib's NaN air mass (here +Inf) gives 0 sky.
	p := calc.POAPerez(40, 180, 95, 180, 0, 10, 10, 1400, calc.RelativeAirmass(95), 0.25)
	pvNear(t, "Perez sky, sun below horizon", p.SkyDiffuseWm2, 0, 0)
	// DHI 0: 0 (pvlib: 0 when DNI > 0, NaN when DNI = 0).
	p = calc.POAPerez(40, 180, 30, 180, 800, 700, 0, 1400, 1.15, 0.25)
	pvNear(t, "Perez sky, DHI 0", p.SkyDiffuseWm2, 0, 0)
}

func TestIAMPhysical(t *testing.T) {
	// pvlib tests/test_iam.py test_physical: physical(aoi, 1.526, 0.002, 4),
	// i.e. n 1.526 and K·L = 0.008 (the same product as K 4 /m, L 2 mm), atol 1e-7.
	tests := []struct{ aoi, want float64 }{
		{-90, 0}, {-67.5, 0.8893998}, {-45, 0.98797788}, {-22.5, 0.99926198},
		{0, 1}, {22.5, 0.99926198}, {45, 0.98797788}, {67.5, 0.8893998}, {90, 0},
		{math.NaN(), math.NaN()},
	}
	for _, tc := range tests {
		pvNear(t, "IAMPhysical (pvlib test_physical)", calc.IAMPhysical(tc.aoi, 1.526, 0.002, 4), tc.want, 1e-7)
		pvNear(t, "IAMPhysical K 4, L 0.002", calc.IAMPhysical(tc.aoi, 1.526, 4, 0.002), tc.want, 1e-7)
	}
	// pvlib test_physical_n1_L0: no refraction and no absorption transmit
	// everything below 90°.
	for _, tc := range []struct{ aoi, want float64 }{{0, 1}, {22.5, 1}, {45, 1}, {67.5, 1}, {90, 0}, {100, 0}} {
		pvNear(t, "IAMPhysical n 1, L 0 (pvlib test_physical_n1_L0)", calc.IAMPhysical(tc.aoi, 1, 4, 0), tc.want, 1e-12)
	}
	// Hand-computed, absorption only (n 1, no reflection, θr = θ):
	// IAM(60°) = e^(−KL/cos 60°)/e^(−KL) = e^(−KL), for a thin glass (K L
	// 0.008) and a thick one (K L 0.4), which take different exp paths.
	pvNear(t, "IAMPhysical n 1, K L 0.008, 60° (hand)", calc.IAMPhysical(60, 1, 4, 0.002), math.Exp(-0.008), 1e-15)
	pvNear(t, "IAMPhysical n 1, K L 0.4, 60° (hand)", calc.IAMPhysical(60, 1, 4, 0.1), math.Exp(-0.4), 1e-15)
}
