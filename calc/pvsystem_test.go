package calc_test

import (
	"errors"
	"math"
	"testing"

	"alcarbon/calc"
)

func TestSAPMParameterSets(t *testing.T) {
	// pvlib temperature.TEMPERATURE_MODEL_PARAMETERS['sapm'] (King et al.
	// SAND2004-3535 Table 1), as printed in pvlib/temperature.py.
	tests := []struct {
		name      string
		got, want calc.SAPMParams
	}{
		{"open_rack_glass_polymer", calc.SAPMOpenRack, calc.SAPMParams{A: -3.56, B: -0.075, DeltaT: 3}},
		{"open_rack_glass_glass", calc.SAPMOpenRackGlassGlass, calc.SAPMParams{A: -3.47, B: -0.0594, DeltaT: 3}},
		{"close_mount_glass_glass", calc.SAPMCloseMount, calc.SAPMParams{A: -2.98, B: -0.0471, DeltaT: 1}},
		{"insulated_back_glass_polymer", calc.SAPMInsulatedBack, calc.SAPMParams{A: -2.81, B: -0.0455, DeltaT: 0}},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s = %+v, want %+v", tc.name, tc.got, tc.want)
		}
	}
}

func TestCellTempSAPM(t *testing.T) {
	glassGlass := calc.SAPMOpenRackGlassGlass
	tests := []struct {
		name            string
		poa, tAir, wind float64
		p               calc.SAPMParams
		want, tol       float64
	}{
		// pvlib tests/test_temperature.py test_sapm_cell (rtol 1e-3).
		{"test_sapm_cell", 900, 20, 5, glassGlass, 43.509, 43.509e-3},
		// pvlib test_sapm_ndarray: irradiance 0, 500, 0; air 0, 10, 5; wind 10, 5, 0.
		{"test_sapm_ndarray[0]", 0, 0, 10, glassGlass, 0, 1e-12},
		{"test_sapm_ndarray[1]", 500, 10, 5, glassGlass, 23.06066166, 1e-7},
		{"test_sapm_ndarray[2]", 0, 5, 0, glassGlass, 5, 1e-12},
		// pvlib temperature.sapm_cell docstring example.
		{"sapm_cell docstring", 1000, 10, 0, glassGlass, 44.11703066106086, 1e-9},
		// Hand-computed, open rack glass/polymer: 800 e^(−3.56 − 0.075×2) + 25 + 0.8×3
		// = 800 × 0.0244842 + 27.4 = 46.98737.
		{"hand, open rack glass/polymer", 800, 25, 2, calc.SAPMOpenRack, 800*math.Exp(-3.71) + 27.4, 1e-9},
	}
	for _, tc := range tests {
		pvNear(t, "CellTempSAPM ("+tc.name+")", calc.CellTempSAPM(tc.poa, tc.tAir, tc.wind, tc.p), tc.want, tc.tol)
	}
}

func TestCellTempPVsyst(t *testing.T) {
	tests := []struct {
		name                                string
		poa, tAir, wind, uc, uv, eta, alpha float64
		want, tol                           float64
	}{
		// pvlib tests/test_temperature.py test_pvsyst_cell_default (u_c 29,
		// u_v 0, η 0.1, α 0.9; rtol 1e-3).
		{"test_pvsyst_cell_default", 900, 20, 5, 29, 0, 0.1, 0.9, 45.137, 45.137e-3},
		// pvlib test_pvsyst_cell_kwargs (rtol 1e-3).
		{"test_pvsyst_cell_kwargs", 900, 20, 5, 23.5, 6.25, 0.1, 0.9, 33.315, 33.315e-3},
		// pvlib test_pvsyst_cell_ndarray, middle element.
		{"test_pvsyst_cell_ndarray[1]", 500, 10, 5, 29, 0, 0.1, 0.9, 23.965517, 1e-6},
		// pvlib temperature.pvsyst_cell docstring, freestanding.
		{"pvsyst_cell docstring", 1000, 10, 1, calc.PVsystUcFreestanding, 0, calc.PVsystModuleEfficiency, calc.PVsystAlphaAbsorption, 37.93103448275862, 1e-9},
		// Hand-computed, insulated: 20 + 1000 × 0.9 × 0.8 / 15 = 68.
		{"hand, insulated", 1000, 20, 3, calc.PVsystUcInsulated, 0, 0.2, 0.9, 68, 1e-9},
	}
	for _, tc := range tests {
		got := calc.CellTempPVsyst(tc.poa, tc.tAir, tc.wind, tc.uc, tc.uv, tc.eta, tc.alpha)
		pvNear(t, "CellTempPVsyst ("+tc.name+")", got, tc.want, tc.tol)
	}
}

func TestPVWattsDC(t *testing.T) {
	// pvlib tests/test_pvsystem.py test_pvwatts_dc_scalars and _arrays.
	pvNear(t, "PVWattsDC (pvlib test_pvwatts_dc_scalars)", calc.PVWattsDC(900, 30, 100, -0.003), 88.65, 1e-9)
	pvNear(t, "PVWattsDC NaN irradiance (pvlib test_pvwatts_dc_arrays)", calc.PVWattsDC(math.NaN(), 30, 100, -0.003), math.NaN(), 0)
	pvNear(t, "PVWattsDC NaN temperature (pvlib test_pvwatts_dc_arrays)", calc.PVWattsDC(900, math.NaN(), 100, -0.003), math.NaN(), 0)
	// Hand-computed: STC gives the rating; 500 W/m² at 45 °C with γ −0.004:
	// 0.5 × 1e6 × (1 − 0.08) = 460000.
	pvNear(t, "PVWattsDC at STC", calc.PVWattsDC(1000, 25, 1e6, -0.004), 1e6, 1e-6)
	pvNear(t, "PVWattsDC hand", calc.PVWattsDC(500, 45, 1e6, -0.004), 460000, 1e-6)
}

func TestPVWattsInverter(t *testing.T) {
	tests := []struct {
		name                    string
		pdc, pdc0, etaNom, want float64
		tol                     float64
	}{
		// pvlib tests/test_inverter.py test_pvwatts_scalars.
		{"test_pvwatts_scalars", 90, 100, 0.95, 85.58556604752516, 1e-9},
		{"test_pvwatts_scalars, pdc 0 (GH 675)", 0, 100, 0.96, 0, 0},
		// pvlib test_pvwatts_possible_negative (GH 541): η < 0 below ζ 0.006.
		{"test_pvwatts_possible_negative", 0.001, 1, 0.96, 0, 0},
		// pvlib test_pvwatts_arrays.
		{"test_pvwatts_arrays[2]", 50, 100, 0.95, 47.60843624, 1e-7},
		{"test_pvwatts_arrays[3], at the limit", 100, 100, 0.95, 95, 1e-9},
		{"test_pvwatts_arrays[0], NaN", math.NaN(), 100, 0.95, math.NaN(), 0},
		// Hand-computed clipping: ζ 1.2, η = (0.96/0.9637)(−0.01944 − 0.0049167
		// + 0.9858) = 0.957750, η P_dc = 114.93 > P_ac0 = 0.96 × 100 = 96.
		{"clipped at P_ac0", 120, 100, 0.96, 96, 1e-12},
		// Negative DC (night consumption upstream) gives 0, as in pvlib.
		{"negative DC", -5, 100, 0.96, 0, 0},
	}
	for _, tc := range tests {
		pvNear(t, "PVWattsInverter ("+tc.name+")", calc.PVWattsInverter(tc.pdc, tc.pdc0, tc.etaNom, calc.PVWattsEtaInvRef), tc.want, tc.tol)
	}
}

// haurwitzGHI is the Haurwitz clear-sky GHI [W/m²] for an apparent zenith,
// pvlib clearsky.haurwitz: 1098 cos z exp(−0.059/cos z) for cos z > 0.
func haurwitzGHI(appZenDeg float64) float64 {
	c := math.Cos(appZenDeg * math.Pi / 180)
	if c <= 0 {
		return 0
	}
	return 1098 * c * math.Exp(-0.059/c)
}

// chainSite is a site with a synthetic weather year: Haurwitz clear-sky GHI
// from the SunTable's apparent zenith, scaled by a fixed pseudo-random
// cloud factor (0.25…1) so that Erbs sees every clearness regime; air at
// 20 °C and wind 1 m/s, or, with varying set, a daily temperature cycle
// and wind stepping through 0…4.5 m/s.
type chainSite struct {
	name                string
	year                int
	utc, lat, lon, elev float64
	sun                 *calc.SunTable
	ghi, tAir, wind     []float64
}

func newChainSite(name string, year int, utc, lat, lon, elev float64, varying bool) *chainSite {
	s := &chainSite{name: name, year: year, utc: utc, lat: lat, lon: lon, elev: elev}
	s.sun = calc.NewSunTable(year, utc)
	n := s.sun.Len()
	app := make([]float64, n)
	s.sun.Positions(lat, lon, elev, app, nil, nil)
	s.ghi = make([]float64, n)
	s.tAir = make([]float64, n)
	s.wind = make([]float64, n)
	for i := range n {
		cloud := 0.25 + 0.75*math.Abs(math.Mod(math.Sin(float64(i)*12.9898)*43758.5453, 1))
		s.ghi[i] = haurwitzGHI(app[i]) * cloud
		s.tAir[i], s.wind[i] = 20, 1
		if varying {
			s.tAir[i] = 15 + 8*math.Sin(2*math.Pi*float64(i%24-9)/24)
			s.wind[i] = 0.5 * float64(i%10)
		}
	}
	return s
}

// referenceChain is the chain written out hour by hour with the public
// single-hour functions and SPA itself, independently of RunPVChain and the
// SunTable: position → Erbs (true zenith) → POA (apparent zenith) → IAM on
// the beam → cell temperature from POA global → PVWatts DC → losses →
// PVWatts inverter. Hours with apparent zenith ≥ 90° give 0.
func referenceChain(s *chainSite, p calc.PVChainParams, dniIn, dhiIn []float64) (ac []float64, acWh float64) {
	ac = make([]float64, s.sun.Len())
	pressure := calc.AltitudeToPressurePa(p.AltitudeM) / 100
	for i := range ac {
		jd := calc.SunTableJulianDay(s.year, s.utc, i)
		pos := calc.SPA(jd, calc.SunTableDeltaTSec, p.LatDeg, p.LonDeg, p.AltitudeM, pressure, 12)
		if pos.ApparentZenithDeg >= 90 {
			continue
		}
		e0 := calc.ExtraterrestrialIrradiance(i/24 + 1)
		ghi := s.ghi[i]
		var dni, dhi float64
		if dniIn == nil {
			dni, dhi, _ = calc.Erbs(ghi, pos.ZenithDeg, e0)
		} else {
			dni, dhi = dniIn[i], dhiIn[i]
		}
		zen, az := pos.ApparentZenithDeg, pos.AzimuthDeg
		var poa calc.POA
		switch p.Transposition {
		case "isotropic":
			poa = calc.POAIsotropic(p.TiltDeg, p.AzimuthDeg, zen, az, dni, ghi, dhi, p.Albedo)
		case "haydavies":
			poa = calc.POAHayDavies(p.TiltDeg, p.AzimuthDeg, zen, az, dni, ghi, dhi, e0, p.Albedo)
		case "perez":
			poa = calc.POAPerez(p.TiltDeg, p.AzimuthDeg, zen, az, dni, ghi, dhi, e0, calc.RelativeAirmass(zen), p.Albedo)
		}
		iam := 1.0
		if p.IAM == "physical" {
			iam = calc.IAMPhysical(calc.AOI(p.TiltDeg, p.AzimuthDeg, zen, az), 1.526, 4, 0.002)
		}
		effective := poa.BeamWm2*iam + poa.SkyDiffuseWm2 + poa.GroundDiffuseWm2
		var tCell float64
		if p.TempModel == "sapm" {
			tCell = calc.CellTempSAPM(poa.Global(), s.tAir[i], s.wind[i], p.SAPM)
		} else {
			tCell = calc.CellTempPVsyst(poa.Global(), s.tAir[i], s.wind[i], p.PVsystUc, p.PVsystUv, 0.1, 0.9)
		}
		dc := calc.PVWattsDC(effective, tCell, p.Pdc0W, p.GammaPerC) * (1 - p.LossFraction) * p.DegradationFactor
		ac[i] = calc.PVWattsInverter(dc, p.Pac0W/p.EtaInvNom, p.EtaInvNom, 0.9637)
		acWh += ac[i]
	}
	return ac, acWh
}

func chainParams(s *chainSite) calc.PVChainParams {
	return calc.PVChainParams{
		LatDeg: s.lat, LonDeg: s.lon, AltitudeM: s.elev,
		TiltDeg: 35, AzimuthDeg: 180, Albedo: 0.2,
		Transposition: "isotropic", IAM: "physical", TempModel: "sapm",
		SAPM: calc.SAPMOpenRack, PVsystUc: 29,
		Pdc0W: 1e6, GammaPerC: -0.0035, LossFraction: 0.14, DegradationFactor: 0.99,
		Pac0W: 1e6 / 1.5, EtaInvNom: 0.96, // DC/AC 1.5, so clear hours clip
	}
}

// TestRunPVChainMatchesReference runs full years and compares RunPVChain
// with referenceChain, which uses SPA and the single-hour functions. The
// brief asks for annual AC within 0.1 %; they agree far closer, so each
// hour is also compared.
func TestRunPVChainMatchesReference(t *testing.T) {
	taiyuan := newChainSite("Taiyuan", 2025, 8, 37.87, 112.55, 780, false)
	golden := newChainSite("Golden CO, leap year", 2024, -7, 39.742476, -105.1786, 1830.14, true)
	sydney := newChainSite("Sydney", 2023, 10, -33.87, 151.21, 58, true)

	tests := []struct {
		name     string
		site     *chainSite
		modify   func(*calc.PVChainParams)
		givenDNI bool
	}{
		{name: "isotropic, physical IAM, SAPM", site: taiyuan},
		{name: "Hay-Davies, no IAM, PVsyst", site: golden, modify: func(p *calc.PVChainParams) {
			p.Transposition, p.IAM, p.TempModel, p.PVsystUv = "haydavies", "none", "pvsyst", 1.5
		}},
		{name: "Perez, physical IAM, SAPM close mount, facing north", site: sydney, modify: func(p *calc.PVChainParams) {
			p.Transposition, p.SAPM, p.TiltDeg, p.AzimuthDeg = "perez", calc.SAPMCloseMount, 30, 0
		}},
		{name: "Perez, given DNI and DHI, east-facing", site: taiyuan, givenDNI: true, modify: func(p *calc.PVChainParams) {
			p.Transposition, p.AzimuthDeg, p.TiltDeg = "perez", 100, 20
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.site
			p := chainParams(s)
			if tc.modify != nil {
				tc.modify(&p)
			}
			in := calc.PVHourly{GHI: s.ghi, TempAirC: s.tAir, WindMs: s.wind}
			var dniIn, dhiIn []float64
			if tc.givenDNI {
				// Erbs with the SunTable's true zenith, then perturbed so the
				// values differ from what RunPVChain would derive itself.
				zen := make([]float64, s.sun.Len())
				s.sun.Positions(s.lat, s.lon, s.elev, nil, zen, nil)
				dniIn = make([]float64, len(zen))
				dhiIn = make([]float64, len(zen))
				for i := range zen {
					dni, dhi, _ := calc.Erbs(s.ghi[i], zen[i], calc.ExtraterrestrialIrradiance(s.sun.DayOfYear(i)))
					dniIn[i], dhiIn[i] = 0.9*dni, dhi+5
				}
				in.DNI, in.DHI = dniIn, dhiIn
			}
			n := s.sun.Len()
			out := calc.PVChainOut{ACW: make([]float64, n), DCW: make([]float64, n), POAGlobalWm2: make([]float64, n)}
			if err := calc.RunPVChain(s.sun, p, in, &out); err != nil {
				t.Fatal(err)
			}
			wantAC, wantWh := referenceChain(s, p, dniIn, dhiIn)
			if rel := math.Abs(out.Sums.ACWh-wantWh) / wantWh; rel > 1e-3 {
				t.Errorf("annual AC = %.6g Wh, reference loop %.6g Wh (rel. diff %.2g, want ≤ 0.1 %%)", out.Sums.ACWh, wantWh, rel)
			}
			var maxDiff, sumAC float64
			for i := range n {
				maxDiff = math.Max(maxDiff, math.Abs(out.ACW[i]-wantAC[i]))
				sumAC += out.ACW[i]
			}
			if maxDiff > 1e-6*p.Pac0W {
				t.Errorf("max hourly |AC − reference| = %.3g W, want ≤ %.3g W", maxDiff, 1e-6*p.Pac0W)
			}
			t.Logf("annual AC %.4f MWh (reference %.4f), yield %.0f kWh/kWp, max hourly diff %.2g W, clipping %.2f %%",
				out.Sums.ACWh/1e6, wantWh/1e6, out.Sums.ACWh/p.Pdc0W, maxDiff,
				100*(1-out.Sums.ACWh/out.Sums.ACBeforeClippingWh))

			// The sums are the sums of the hourly outputs and follow the chain.
			pvNear(t, "Sums.ACWh vs Σ ACW", out.Sums.ACWh, sumAC, 1e-6*sumAC)
			pvNear(t, "Sums.DCWh = DC before losses × (1 − L) × D", out.Sums.DCWh,
				out.Sums.DCBeforeLossesWh*(1-p.LossFraction)*p.DegradationFactor, 1e-9*out.Sums.DCWh)
			if out.Sums.ACBeforeClippingWh <= out.Sums.ACWh || out.Sums.ACWh >= out.Sums.DCWh {
				t.Errorf("want AC < AC before clipping and AC < DC; sums %+v", out.Sums)
			}
			if p.IAM == "physical" && !(out.Sums.POAEffectiveWhPerM2 < out.Sums.POAGlobalWhPerM2) {
				t.Errorf("POA effective %.6g ≥ POA global %.6g with the physical IAM", out.Sums.POAEffectiveWhPerM2, out.Sums.POAGlobalWhPerM2)
			}
			if p.IAM == "none" && out.Sums.POAEffectiveWhPerM2 != out.Sums.POAGlobalWhPerM2 {
				t.Errorf("POA effective %.6g ≠ POA global %.6g without IAM", out.Sums.POAEffectiveWhPerM2, out.Sums.POAGlobalWhPerM2)
			}
		})
	}
}

func TestRunPVChainNight(t *testing.T) {
	s := newChainSite("Taiyuan", 2025, 8, 37.87, 112.55, 780, false)
	n := s.sun.Len()
	// A GHI of 100 W/m² every hour, night too: hours with the sun below the
	// horizon must still give 0.
	ghi := make([]float64, n)
	for i := range ghi {
		ghi[i] = 100
	}
	out := calc.PVChainOut{ACW: make([]float64, n), POAGlobalWm2: make([]float64, n)}
	if err := calc.RunPVChain(s.sun, chainParams(s), calc.PVHourly{GHI: ghi}, &out); err != nil {
		t.Fatal(err)
	}
	app := make([]float64, n)
	s.sun.Positions(s.lat, s.lon, s.elev, app, nil, nil)
	for i := range n {
		night := app[i] >= 90
		if night && (out.ACW[i] != 0 || out.POAGlobalWm2[i] != 0) {
			t.Fatalf("hour %d: apparent zenith %.2f°, AC %g, POA %g; want 0 at night", i, app[i], out.ACW[i], out.POAGlobalWm2[i])
		}
		if !night && out.POAGlobalWm2[i] <= 0 {
			t.Fatalf("hour %d: apparent zenith %.2f°, POA %g; want > 0 in daylight", i, app[i], out.POAGlobalWm2[i])
		}
	}
}

func TestRunPVChainErrors(t *testing.T) {
	s := newChainSite("Taiyuan", 2025, 8, 37.87, 112.55, 780, false)
	n := s.sun.Len()
	good := chainParams(s)
	tests := []struct {
		name    string
		modify  func(*calc.PVChainParams, *calc.PVHourly, *calc.PVChainOut)
		pointer string
	}{
		{"unknown transposition", func(p *calc.PVChainParams, _ *calc.PVHourly, _ *calc.PVChainOut) { p.Transposition = "klucher" }, "Transposition"},
		{"unknown IAM", func(p *calc.PVChainParams, _ *calc.PVHourly, _ *calc.PVChainOut) { p.IAM = "ashrae" }, "IAM"},
		{"unknown temperature model", func(p *calc.PVChainParams, _ *calc.PVHourly, _ *calc.PVChainOut) { p.TempModel = "faiman" }, "TempModel"},
		{"SAPM without parameters", func(p *calc.PVChainParams, _ *calc.PVHourly, _ *calc.PVChainOut) { p.SAPM = calc.SAPMParams{} }, "SAPM"},
		{"PVsyst Uc 0", func(p *calc.PVChainParams, _ *calc.PVHourly, _ *calc.PVChainOut) {
			p.TempModel, p.PVsystUc = "pvsyst", 0
		}, "PVsystUc"},
		{"DC rating 0", func(p *calc.PVChainParams, _ *calc.PVHourly, _ *calc.PVChainOut) { p.Pdc0W = 0 }, "Pdc0W"},
		{"losses 14 (percent, not fraction)", func(p *calc.PVChainParams, _ *calc.PVHourly, _ *calc.PVChainOut) { p.LossFraction = 14 }, "LossFraction"},
		{"degradation factor unset", func(p *calc.PVChainParams, _ *calc.PVHourly, _ *calc.PVChainOut) { p.DegradationFactor = 0 }, "DegradationFactor"},
		{"inverter rating 0", func(p *calc.PVChainParams, _ *calc.PVHourly, _ *calc.PVChainOut) { p.Pac0W = 0 }, "Pac0W"},
		{"inverter efficiency 1.2", func(p *calc.PVChainParams, _ *calc.PVHourly, _ *calc.PVChainOut) { p.EtaInvNom = 1.2 }, "EtaInvNom"},
		{"short GHI", func(_ *calc.PVChainParams, in *calc.PVHourly, _ *calc.PVChainOut) { in.GHI = in.GHI[:100] }, "GHI"},
		{"DNI without DHI", func(_ *calc.PVChainParams, in *calc.PVHourly, _ *calc.PVChainOut) { in.DNI = make([]float64, n) }, "DHI"},
		{"short temperature", func(_ *calc.PVChainParams, in *calc.PVHourly, _ *calc.PVChainOut) { in.TempAirC = in.TempAirC[:24] }, "TempAirC"},
		{"short AC output", func(_ *calc.PVChainParams, _ *calc.PVHourly, out *calc.PVChainOut) { out.ACW = make([]float64, 10) }, "ACW"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := good
			in := calc.PVHourly{GHI: s.ghi, TempAirC: s.tAir, WindMs: s.wind}
			var out calc.PVChainOut
			tc.modify(&p, &in, &out)
			err := calc.RunPVChain(s.sun, p, in, &out)
			var ie *calc.InputError
			if !errors.As(err, &ie) || len(ie.Fields) != 1 || ie.Fields[0].Path != tc.pointer {
				t.Fatalf("error = %v, want *calc.InputError at %s", err, tc.pointer)
			}
		})
	}
}

// BenchmarkRunPVChain is one site-year: isotropic sky, physical IAM, SAPM
// temperature, GHI only (Erbs).
func BenchmarkRunPVChain(b *testing.B) {
	s := newChainSite("Taiyuan", 2025, 8, 37.87, 112.55, 780, false)
	p := chainParams(s)
	in := calc.PVHourly{GHI: s.ghi, TempAirC: s.tAir, WindMs: s.wind}
	out := calc.PVChainOut{ACW: make([]float64, s.sun.Len())}
	b.ReportAllocs()
	for b.Loop() {
		if err := calc.RunPVChain(s.sun, p, in, &out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRunPVChainVaryingWind is BenchmarkRunPVChain with the wind
// speed changing every hour, so the SAPM exponential is evaluated hourly.
func BenchmarkRunPVChainVaryingWind(b *testing.B) {
	s := newChainSite("Taiyuan", 2025, 8, 37.87, 112.55, 780, true)
	p := chainParams(s)
	in := calc.PVHourly{GHI: s.ghi, TempAirC: s.tAir, WindMs: s.wind}
	out := calc.PVChainOut{ACW: make([]float64, s.sun.Len())}
	b.ReportAllocs()
	for b.Loop() {
		if err := calc.RunPVChain(s.sun, p, in, &out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRunPVChainPerez is the slowest configuration: Perez sky (one
// air mass per hour), physical IAM, SAPM.
func BenchmarkRunPVChainPerez(b *testing.B) {
	s := newChainSite("Taiyuan", 2025, 8, 37.87, 112.55, 780, false)
	p := chainParams(s)
	p.Transposition = "perez"
	in := calc.PVHourly{GHI: s.ghi, TempAirC: s.tAir, WindMs: s.wind}
	out := calc.PVChainOut{ACW: make([]float64, s.sun.Len())}
	b.ReportAllocs()
	for b.Loop() {
		if err := calc.RunPVChain(s.sun, p, in, &out); err != nil {
			b.Fatal(err)
		}
	}
}
