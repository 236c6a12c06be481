package calc_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"alcarbon/calc"
)

// Engine.PV (the pvlib/PVWatts chain) checked against an hour-by-hour loop written here
// from the public single-hour functions (SPA, POAIsotropic, Erbs,
// CellTempSAPM, PVWattsDC, PVWattsInverter) and the documented system
// arithmetic: DC × (1 − losses_pct/100) × (1 − degradation/100 × (year − 1)),
// inverter DC limit = (capacity / dc_ac_ratio) / η_nom, kWh = mean W / 1000.

// pvyRefYear is the calendar year whose sun stands for the typical year in
// Engine.PV (calc/pv.go pvReferenceYear; 365 days, no 29 February). The
// loop below computes its own Julian days for that year with JulianDay.
const pvyRefYear = 2023

// pvyMonthDays are the days of the months of the 365-day typical year.
var pvyMonthDays = [12]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// pvyMonth returns the month (0–11) and day of month (1–31) of hour i.
func pvyMonth(i int) (month, day int) {
	d := i / 24
	for m, n := range pvyMonthDays {
		if d < n {
			return m, d + 1
		}
		d -= n
	}
	panic("hour beyond the year")
}

// pvySite is a place and time zone.
type pvySite struct {
	lat, lon, elev, utc float64
}

// Taiyuan, WMO 53772: 37.62 N 112.58 E, 777 m (CBED station data), on
// China Standard Time.
var pvyTaiyuan = pvySite{lat: 37.62, lon: 112.58, elev: 777, utc: 8}

// pvyWeather is a synthetic year at a site with the sun's position at the
// middle of every hour, computed with SPA (not the SunTable).
type pvyWeather struct {
	site                      pvySite
	appZen, zen, az           []float64 // apparent and true zenith, azimuth [deg]
	ghi, dni, dhi, temp, wind []float64
}

// newPVYWeather builds a clear-sky-like year: DNI = 950 exp(−0.12/cos z) ×
// a daily cloud factor c ∈ [0.3, 1], DHI = (40 + 80 (1 − c)) cos z, GHI =
// DNI cos z + DHI, all 0 with the sun below the horizon; air 25 °C, wind
// 1 m/s. Positions: SPA at the middle of local standard hour i of
// pvyRefYear, ΔT 69.2 s, refraction at the standard-atmosphere pressure and
// 12 °C (pvlib get_solarposition defaults).
func newPVYWeather(s pvySite) *pvyWeather {
	n := calc.HoursPerYear
	w := &pvyWeather{site: s}
	for _, p := range []*[]float64{&w.appZen, &w.zen, &w.az, &w.ghi, &w.dni, &w.dhi, &w.temp, &w.wind} {
		*p = make([]float64, n)
	}
	pressure := calc.AltitudeToPressurePa(s.elev) / 100
	for i := range n {
		m, d := pvyMonth(i)
		jd := calc.JulianDay(pvyRefYear, m+1, d, float64(i%24)+0.5-s.utc)
		pos := calc.SPA(jd, 69.2, s.lat, s.lon, s.elev, pressure, 12)
		w.appZen[i], w.zen[i], w.az[i] = pos.ApparentZenithDeg, pos.ZenithDeg, pos.AzimuthDeg
		w.temp[i], w.wind[i] = 25, 1
		cosZ := math.Cos(pos.ApparentZenithDeg * math.Pi / 180)
		if cosZ <= 0 {
			continue
		}
		cloud := 0.3 + 0.7*math.Abs(math.Mod(math.Sin(float64(i/24)*12.9898)*43758.5453, 1))
		w.dni[i] = 950 * math.Exp(-0.12/cosZ) * cloud
		w.dhi[i] = (40 + 80*(1-cloud)) * cosZ
		w.ghi[i] = w.dni[i]*cosZ + w.dhi[i]
	}
	return w
}

// pvySystem is the system of the reference loop, every value explicit.
type pvySystem struct {
	kwp, tilt, azimuth, albedo     float64
	lossesPct, dcac, etaPct, gamma float64
	degPctPerYear                  float64
	year                           int
	sapm                           calc.SAPMParams
	erbs                           bool // decompose GHI instead of using the given DNI and DHI
	physicalIAM                    bool
}

// pvyRef is the reference loop's annual sums [kWh] and hourly AC [kWh].
type pvyRef struct {
	poaKWhM2, dcRaw, dc, acUnclipped, ac float64
	monthly                              [12]float64
	hourly                               []float64
}

// pvyReference runs the chain hour by hour: sky below the horizon (apparent
// zenith ≥ 90°) → 0; (Erbs with the true zenith and Spencer's E0 for the day
// when erbs is set); POA isotropic with the apparent zenith; IAM none; cell
// temperature SAPM from POA global; PVWatts DC; × (1 − L) × (1 − d (n − 1));
// PVWatts inverter with P_ac0 = capacity / dc_ac_ratio, its DC limit
// P_ac0/η_nom and η_ref 0.9637 (Dobos 2014). The unclipped AC is the same
// efficiency curve without the P_ac0 cap, typed from the PVWatts manual:
// η = (η_nom/η_ref)(−0.0162 ζ − 0.0059/ζ + 0.9858), ζ = P_dc/P_dc0.
func pvyReference(w *pvyWeather, s pvySystem) pvyRef {
	r := pvyRef{hourly: make([]float64, calc.HoursPerYear)}
	pdc0 := s.kwp * 1000
	pac0 := pdc0 / s.dcac
	eta := s.etaPct / 100
	pdc0Inv := pac0 / eta
	dcFactor := (1 - s.lossesPct/100) * (1 - s.degPctPerYear/100*float64(s.year-1))
	for i := range calc.HoursPerYear {
		if w.appZen[i] >= 90 {
			continue
		}
		ghi, dni, dhi := w.ghi[i], w.dni[i], w.dhi[i]
		if s.erbs {
			dni, dhi, _ = calc.Erbs(ghi, w.zen[i], calc.ExtraterrestrialIrradiance(i/24+1))
		}
		poa := calc.POAIsotropic(s.tilt, s.azimuth, w.appZen[i], w.az[i], dni, ghi, dhi, s.albedo)
		effective := poa.Global()
		if s.physicalIAM {
			iam := calc.IAMPhysical(calc.AOI(s.tilt, s.azimuth, w.appZen[i], w.az[i]), 1.526, 4, 0.002)
			effective = poa.BeamWm2*iam + poa.SkyDiffuseWm2 + poa.GroundDiffuseWm2
		}
		tCell := calc.CellTempSAPM(poa.Global(), w.temp[i], w.wind[i], s.sapm)
		dcRaw := calc.PVWattsDC(effective, tCell, pdc0, s.gamma)
		dc := dcRaw * dcFactor
		ac := calc.PVWattsInverter(dc, pdc0Inv, eta, 0.9637)
		var unclipped float64
		if dc > 0 {
			zeta := dc / pdc0Inv
			unclipped = math.Max(eta/0.9637*(-0.0162*zeta-0.0059/zeta+0.9858)*dc, 0)
		}
		m, _ := pvyMonth(i)
		r.poaKWhM2 += poa.Global() / 1000
		r.dcRaw += dcRaw / 1000
		r.dc += dc / 1000
		r.acUnclipped += unclipped / 1000
		r.ac += ac / 1000
		r.monthly[m] += ac / 1000
		r.hourly[i] = ac / 1000
	}
	return r
}

// pvyDefaultSystem is a 1 MWp array, 30° south, every parameter given.
func pvyDefaultSystem() pvySystem {
	return pvySystem{
		kwp: 1000, tilt: 30, azimuth: 180, albedo: 0.2,
		lossesPct: 14, dcac: 1.2, etaPct: 96, gamma: -0.0037,
		degPctPerYear: 0.5, year: 1, sapm: calc.SAPMOpenRack,
	}
}

// pvyInput is the Engine.PV request for the weather and system.
func pvyInput(w *pvyWeather, s pvySystem) calc.PVInput {
	iam := calc.IAMModelNone
	if s.physicalIAM {
		iam = calc.IAMModelPhysical
	}
	in := calc.PVInput{
		LatDeg: w.site.lat, LonDeg: w.site.lon, AltitudeM: w.site.elev, UTCOffsetH: w.site.utc, HasLocation: true,
		System: calc.PVSystem{
			CapacityKWp: s.kwp, TiltDeg: f64(s.tilt), AzimuthDeg: f64(s.azimuth), LossesPct: f64(s.lossesPct),
			DCACRatio: f64(s.dcac), InverterEfficiencyPct: f64(s.etaPct), GammaPdcPerC: f64(s.gamma),
			Mounting: "open_rack", Transposition: calc.TranspositionIsotropic, TemperatureModel: calc.TempModelSAPM,
			IAM: iam, Albedo: f64(s.albedo), DegradationPctPerYear: f64(s.degPctPerYear), OperatingYear: s.year,
		},
		Resource: calc.PVResource{
			Kind: calc.ResourceHourly, GHI: w.ghi, DNI: w.dni, DHI: w.dhi, TempAirC: w.temp, WindMs: w.wind,
		},
	}
	if s.erbs {
		in.Resource.DNI, in.Resource.DHI = nil, nil
	}
	return in
}

// pvyTaiyuanWeather is the synthetic Taiyuan year, built once.
var pvyTaiyuanWeather = sync.OnceValue(func() *pvyWeather { return newPVYWeather(pvyTaiyuan) })

func mustPV(t testing.TB, in calc.PVInput) (calc.PVResult, calc.Provenance) {
	t.Helper()
	r, p, err := engine(t).PV(in)
	if err != nil {
		t.Fatalf("PV: %v", err)
	}
	return r, p
}

// TestPVHourlyMatchesReferenceLoop: a full year's annual AC (and each
// step's sum) equals the independent loop within 1e-6 relative.
func TestPVHourlyMatchesReferenceLoop(t *testing.T) {
	w := pvyTaiyuanWeather()
	tests := []struct {
		name   string
		modify func(*pvySystem)
	}{
		{"given DNI and DHI, 30° south", nil},
		{"Erbs from GHI, 15° south-west, no losses", func(s *pvySystem) {
			s.erbs, s.tilt, s.azimuth, s.lossesPct = true, 15, 225, 0
		}},
		{"given DNI and DHI, physical IAM, close mount, DC/AC 1.5", func(s *pvySystem) {
			s.physicalIAM, s.sapm, s.dcac = true, calc.SAPMCloseMount, 1.5
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sys := pvyDefaultSystem()
			if tc.modify != nil {
				tc.modify(&sys)
			}
			in := pvyInput(w, sys)
			if sys.sapm == calc.SAPMCloseMount {
				in.System.Mounting = "close_mount"
			}
			in.IncludeHourly = true
			r, _ := mustPV(t, in)
			ref := pvyReference(w, sys)
			checkClose(t, "annual AC [kWh]", r.AnnualACKWh, ref.ac, 1e-6)
			checkClose(t, "annual POA [kWh/m²]", r.AnnualPOAKWhM2, ref.poaKWhM2, 1e-6)
			for m := range 12 {
				checkClose(t, "monthly AC ["+monthName(m)+"]", r.MonthlyACKWh[m], ref.monthly[m], 1e-6)
			}
			// Loss steps from the loop's sums.
			kwp := sys.kwp
			l := r.Losses
			checkClose(t, "nominal = POA × kWp", l.NominalKWh, ref.poaKWhM2*kwp, 1e-6)
			checkClose(t, "DC after system losses", l.NominalKWh-l.IAMKWh-l.TemperatureKWh-l.SystemKWh, ref.dc, 1e-6)
			checkClose(t, "system losses", l.SystemKWh, ref.dcRaw-ref.dc, 1e-6)
			checkClose(t, "inverter losses", l.InverterKWh, ref.dc-ref.acUnclipped, 1e-6)
			if ref.acUnclipped-ref.ac > 0 {
				checkClose(t, "clipping", l.ClippingKWh, ref.acUnclipped-ref.ac, 1e-5)
			} else if l.ClippingKWh != 0 {
				t.Errorf("clipping = %g kWh, the reference loop clips nothing", l.ClippingKWh)
			}
			if !sys.physicalIAM && l.IAMKWh != 0 {
				t.Errorf("IAM loss = %g kWh with iam none, want 0", l.IAMKWh)
			}
			if sys.physicalIAM && !(l.IAMKWh > 0.005*l.NominalKWh && l.IAMKWh < 0.06*l.NominalKWh) {
				// The physical IAM costs a few % of a fixed array's POA (PVsyst/pvlib typical 2–4 %).
				t.Errorf("IAM loss = %g kWh of nominal %g, want 0.5–6 %%", l.IAMKWh, l.NominalKWh)
			}
			// Air at 25 °C: the cells run hotter than 25 °C in daylight.
			if !(l.TemperatureKWh > 0) {
				t.Errorf("temperature loss = %g kWh at 25 °C air, want > 0", l.TemperatureKWh)
			}
			var maxDiff float64
			for i, v := range r.HourlyACKWh {
				maxDiff = math.Max(maxDiff, math.Abs(v-ref.hourly[i]))
			}
			if maxDiff > 1e-6*kwp {
				t.Errorf("max hourly |AC − reference| = %.3g kWh, want ≤ %.3g", maxDiff, 1e-6*kwp)
			}
			t.Logf("annual AC %.1f kWh (loop %.1f), yield %.0f kWh/kWp, PR %.3f", r.AnnualACKWh, ref.ac, r.SpecificYieldKWhPerKWp, r.PerformanceRatio)
		})
	}
}

func monthName(m int) string {
	return [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}[m]
}

// TestPVSummaryIdentities: losses add up from nominal to AC; months add up
// to the year; yield, CF and PR follow their definitions (PVWatts CF =
// AC / (kWp × 8760 h); IEC 61724 PR = yield / (H_POA / 1 kW/m²)).
func TestPVSummaryIdentities(t *testing.T) {
	w := pvyTaiyuanWeather()
	for _, sys := range []pvySystem{
		pvyDefaultSystem(),
		func() pvySystem { s := pvyDefaultSystem(); s.kwp, s.dcac, s.physicalIAM = 2500, 1.6, true; return s }(),
	} {
		in := pvyInput(w, sys)
		in.IncludeHourly = true
		r, _ := mustPV(t, in)
		l := r.Losses
		checkClose(t, "nominal − iam − temperature − system − inverter − clipping", l.NominalKWh-l.IAMKWh-l.TemperatureKWh-l.SystemKWh-l.InverterKWh-l.ClippingKWh, r.AnnualACKWh, 1e-9)
		var monthly, hourly float64
		for _, v := range r.MonthlyACKWh {
			monthly += v
		}
		for _, v := range r.HourlyACKWh {
			hourly += v
		}
		if len(r.HourlyACKWh) != 8760 {
			t.Errorf("len(HourlyACKWh) = %d, want 8760", len(r.HourlyACKWh))
		}
		checkClose(t, "Σ monthly", monthly, r.AnnualACKWh, 1e-9)
		checkClose(t, "Σ hourly", hourly, r.AnnualACKWh, 1e-9)
		checkClose(t, "specific yield", r.SpecificYieldKWhPerKWp, r.AnnualACKWh/sys.kwp, 1e-12)
		checkClose(t, "capacity factor", r.CapacityFactor, r.AnnualACKWh/(sys.kwp*8760), 1e-12)
		checkClose(t, "performance ratio", r.PerformanceRatio, r.SpecificYieldKWhPerKWp/r.AnnualPOAKWhM2, 1e-12)
		var ghi float64
		for _, v := range w.ghi {
			ghi += v / 1000
		}
		checkClose(t, "annual GHI = Σ hourly GHI / 1000", r.AnnualGHIKWhM2, ghi, 1e-12)
		if r.LatDeg != w.site.lat || r.LonDeg != w.site.lon || r.UTCOffsetH != w.site.utc {
			t.Errorf("location echoed = %g, %g, UTC%+g; want the input's", r.LatDeg, r.LonDeg, r.UTCOffsetH)
		}
		// No load given: no match.
		if r.Load != nil {
			t.Errorf("Load = %+v without a load", r.Load)
		}
		if sys.kwp == 1000 {
			// Without IncludeHourly the series is left out.
			in.IncludeHourly = false
			r2, _ := mustPV(t, in)
			if r2.HourlyACKWh != nil || r2.AnnualACKWh != r.AnnualACKWh {
				t.Errorf("without IncludeHourly: %d hourly values, annual %g (with: %g)", len(r2.HourlyACKWh), r2.AnnualACKWh, r.AnnualACKWh)
			}
		}
	}
}

// TestPVDegradation: operating year 11 at 0.5 %/yr produces exactly
// 1 − 0.005 × 10 = 0.95 of year 1's DC (after losses, before the
// inverter); the irradiance and temperature steps are unchanged, and the
// AC follows the reference loop with that factor (the inverter is not
// linear, so AC alone could not show it).
func TestPVDegradation(t *testing.T) {
	w := pvyTaiyuanWeather()
	sys1 := pvyDefaultSystem()
	sys11 := sys1
	sys11.year = 11
	r1, _ := mustPV(t, pvyInput(w, sys1))
	r11, _ := mustPV(t, pvyInput(w, sys11))
	dc := func(l calc.PVLosses) float64 { return l.NominalKWh - l.IAMKWh - l.TemperatureKWh - l.SystemKWh }
	checkClose(t, "DC year 11 / DC year 1", dc(r11.Losses)/dc(r1.Losses), 0.95, 1e-12)
	checkClose(t, "nominal unchanged", r11.Losses.NominalKWh, r1.Losses.NominalKWh, 1e-12)
	checkClose(t, "temperature step unchanged", r11.Losses.TemperatureKWh, r1.Losses.TemperatureKWh, 1e-12)
	dcRaw := r1.Losses.NominalKWh - r1.Losses.IAMKWh - r1.Losses.TemperatureKWh
	// Year 1: only losses_pct: 14 % of the DC before losses.
	checkClose(t, "system loss year 1 = 14 % of DC", r1.Losses.SystemKWh, 0.14*dcRaw, 1e-12)
	// Year 11: 1 − 0.86 × 0.95 = 18.3 %.
	checkClose(t, "system loss year 11 = 18.3 % of DC", r11.Losses.SystemKWh, (1-0.86*0.95)*dcRaw, 1e-12)
	checkClose(t, "AC year 11 vs reference loop", r11.AnnualACKWh, pvyReference(w, sys11).ac, 1e-6)
	if !(r11.AnnualACKWh < r1.AnnualACKWh) {
		t.Errorf("AC year 11 %g ≥ year 1 %g", r11.AnnualACKWh, r1.AnnualACKWh)
	}

	// Degradation given as 0 %/yr: year 30 is year 1.
	sys30 := sys1
	sys30.year, sys30.degPctPerYear = 30, 0
	r30, _ := mustPV(t, pvyInput(w, sys30))
	checkClose(t, "0 %/yr, year 30", r30.AnnualACKWh, r1.AnnualACKWh, 1e-12)
}

// TestPVDegradationToZero: 5 %/yr in year 21 leaves 1 − 0.05 × 20 = 0 of
// the array. The API accepts both values (degradation 0–5 %/yr, year
// 1–50); the engine must answer 0 kWh or name a request field, not an
// internal parameter.
func TestPVDegradationToZero(t *testing.T) {
	w := pvyTaiyuanWeather()
	sys := pvyDefaultSystem()
	sys.degPctPerYear, sys.year = 5, 21
	r, _, err := engine(t).PV(pvyInput(w, sys))
	if err != nil {
		wantInputError(t, err, "System.OperatingYear")
		return
	}
	if r.AnnualACKWh != 0 {
		t.Errorf("annual AC = %g kWh with a fully degraded array, want 0", r.AnnualACKWh)
	}
}

// TestPVNegativeLosses: losses_pct is documented as −5 … 99 % (a negative
// value is a gain, e.g. bifacial rear-side yield): −2 % gives DC × 1.02.
func TestPVNegativeLosses(t *testing.T) {
	w := pvyTaiyuanWeather()
	sys := pvyDefaultSystem()
	sys.lossesPct = -2
	r, _, err := engine(t).PV(pvyInput(w, sys))
	if err != nil {
		t.Fatalf("losses_pct −2 (allowed −5…99): %v", err)
	}
	checkClose(t, "annual AC, losses −2 %", r.AnnualACKWh, pvyReference(w, sys).ac, 1e-6)
}

// TestPVClipping: DC/AC 2 under clear-sky irradiance clips; no hour
// exceeds P_ac0 = capacity / 2, and clipping is the reference loop's
// unclipped minus clipped AC. DC/AC 0.5 cannot clip.
func TestPVClipping(t *testing.T) {
	w := pvyTaiyuanWeather()
	sys := pvyDefaultSystem()
	sys.dcac = 2
	in := pvyInput(w, sys)
	in.IncludeHourly = true
	r, _ := mustPV(t, in)
	ref := pvyReference(w, sys)
	pac0 := sys.kwp / 2 // kWh in one hour at the AC rating
	if !(r.Losses.ClippingKWh > 0.01*r.AnnualACKWh) {
		t.Errorf("clipping = %g kWh of %g kWh AC at DC/AC 2, want > 1 %%", r.Losses.ClippingKWh, r.AnnualACKWh)
	}
	checkClose(t, "clipping vs reference", r.Losses.ClippingKWh, ref.acUnclipped-ref.ac, 1e-6)
	atCap := 0
	for i, v := range r.HourlyACKWh {
		if v > pac0*(1+1e-12) {
			t.Fatalf("hour %d: AC %g kWh above the AC rating %g", i, v, pac0)
		}
		if v > pac0*(1-1e-9) {
			atCap++
		}
	}
	if atCap < 100 {
		t.Errorf("%d hours at the AC rating, want many (clear days at DC/AC 2)", atCap)
	}

	sys.dcac = 0.5
	r, _ = mustPV(t, pvyInput(w, sys))
	if r.Losses.ClippingKWh != 0 {
		t.Errorf("clipping = %g kWh at DC/AC 0.5, want 0", r.Losses.ClippingKWh)
	}
}

// TestPVHourlyDefaults: temperature and wind left out are 20 °C and 1 m/s
// (the issue); the result equals giving them.
func TestPVHourlyDefaults(t *testing.T) {
	w := pvyTaiyuanWeather()
	in := pvyInput(w, pvyDefaultSystem())
	twenty, one := make([]float64, 8760), make([]float64, 8760)
	for i := range twenty {
		twenty[i], one[i] = 20, 1
	}
	in.Resource.TempAirC, in.Resource.WindMs = twenty, one
	given, _ := mustPV(t, in)
	in.Resource.TempAirC, in.Resource.WindMs = nil, nil
	omitted, p := mustPV(t, in)
	checkClose(t, "annual AC, defaults vs 20 °C/1 m/s", omitted.AnnualACKWh, given.AnnualACKWh, 1e-12)
	checkMessage(t, "assumption", p.Assumptions, "20 °C")
	checkMessage(t, "assumption", p.Assumptions, "1 m/s")
}

// TestPVSystemDefaults: a system with only its capacity takes the dataset's
// PVWatts/pvlib defaults, lists them as defaulted, and equals the same
// system with those values typed from factors.csv (pv/default/*): losses
// 14 %, DC/AC 1.2, η 96 %, γ −0.0037, albedo 0.25, azimuth 180, 0.5 %/yr,
// year 1; tilt = |latitude| rounded; isotropic, physical IAM, SAPM open rack.
func TestPVSystemDefaults(t *testing.T) {
	w := pvyTaiyuanWeather()
	bare := calc.PVInput{
		LatDeg: w.site.lat, LonDeg: w.site.lon, AltitudeM: w.site.elev, UTCOffsetH: w.site.utc, HasLocation: true,
		System:   calc.PVSystem{CapacityKWp: 1000},
		Resource: calc.PVResource{Kind: calc.ResourceHourly, GHI: w.ghi, DNI: w.dni, DHI: w.dhi, TempAirC: w.temp, WindMs: w.wind},
	}
	got, p := mustPV(t, bare)
	full := pvyInput(w, pvySystem{
		kwp: 1000, tilt: 38, azimuth: 180, albedo: 0.25, lossesPct: 14, dcac: 1.2, etaPct: 96,
		gamma: -0.0037, degPctPerYear: 0.5, year: 1, sapm: calc.SAPMOpenRack, physicalIAM: true,
	})
	want, _ := mustPV(t, full)
	checkClose(t, "annual AC, defaults vs typed values", got.AnnualACKWh, want.AnnualACKWh, 1e-12)
	for _, ptr := range []string{"System.TiltDeg", "System.AzimuthDeg", "System.LossesPct", "System.DCACRatio",
		"System.InverterEfficiencyPct", "System.GammaPdcPerC", "System.Albedo", "System.DegradationPctPerYear",
		"System.OperatingYear", "System.Transposition", "System.IAM", "System.TemperatureModel", "System.Mounting"} {
		if !slices.Contains(p.Defaulted, ptr) {
			t.Errorf("Defaulted = %q, want %s", p.Defaulted, ptr)
		}
	}
	for id, v := range map[string]float64{
		"pv/default/losses_pct": 14, "pv/default/dc_ac_ratio": 1.2, "pv/default/inverter_efficiency_pct": 96,
		"pv/default/gamma_pdc": -0.0037, "pv/default/albedo": 0.25, "pv/default/azimuth": 180,
		"pv/default/degradation_pct_per_year": 0.5,
	} {
		if got, ok := factorValue(p, id); !ok || got != v {
			t.Errorf("provenance factor %s = %g (listed %v), want %g", id, got, ok, v)
		}
	}
	checkProvenanceComplete(t, p)
}

// pvyTaiyuanGHI are Taiyuan's monthly GHI (CBED, China Building Energy
// Data) [kWh/m²]. Rounded to whole kWh/m² they sum to 1397; the annual 1398
// is the sum of the unrounded months.
var pvyTaiyuanGHI = [12]float64{67, 80, 119, 149, 173, 164, 156, 144, 118, 98, 69, 60}

func pvySiteInput(site string, kwp float64) calc.PVInput {
	return calc.PVInput{
		LatDeg: pvyTaiyuan.lat, LonDeg: pvyTaiyuan.lon, AltitudeM: pvyTaiyuan.elev, UTCOffsetH: 8,
		HasLocation: site == "", // a site resource places the system at the preset
		System:      calc.PVSystem{CapacityKWp: kwp, TiltDeg: f64(35)},
		Resource:    calc.PVResource{Kind: calc.ResourceSite, Site: site},
	}
}

// TestPVSiteTaiyuan: the Taiyuan preset at 35° tilt gives a specific yield
// in a plausible band. A rule of thumb gives 1,230–1,340 kWh/kWp (GHI
// 1,397, solarbe.com 2017 citing GB/T 31155-2015, × tilt gain 1.1–1.2 ×
// PR 0.80); the band
// here is wider, 1,150–1,400, because that rule is itself only derived. The
// annual GHI is the 12 monthly values summed, and monthly input
// gives the same result as the site.
func TestPVSiteTaiyuan(t *testing.T) {
	r, p := mustPV(t, pvySiteInput("taiyuan", 1000))
	if y := r.SpecificYieldKWhPerKWp; !(y >= 1150 && y <= 1400) {
		t.Errorf("Taiyuan 35° specific yield = %.0f kWh/kWp, want 1,150–1,400 (rule of thumb 1,230–1,340)", y)
	}
	var sum float64
	for _, v := range pvyTaiyuanGHI {
		sum += v
	}
	checkClose(t, "annual GHI = Σ monthly (1397)", r.AnnualGHIKWhM2, sum, 1e-9)
	if g, ok := factorValue(p, "solar_site/taiyuan/ghi_annual"); !ok || math.Abs(g-sum) > 1e-9 {
		t.Errorf("provenance solar_site/taiyuan/ghi_annual = %g (listed %v), want %g", g, ok, sum)
	}
	// POA over GHI: a 35° south array at 37.6° N gains 10–25 %.
	if gain := r.AnnualPOAKWhM2 / r.AnnualGHIKWhM2; !(gain > 1.1 && gain < 1.25) {
		t.Errorf("POA/GHI = %.3f, want 1.10–1.25", gain)
	}
	if !(r.PerformanceRatio > 0.7 && r.PerformanceRatio < 0.9) {
		t.Errorf("PR = %.3f, want 0.7–0.9", r.PerformanceRatio)
	}
	t.Logf("Taiyuan 35°: %.0f kWh/kWp, POA %.0f kWh/m², PR %.3f, CF %.4f", r.SpecificYieldKWhPerKWp, r.AnnualPOAKWhM2, r.PerformanceRatio, r.CapacityFactor)

	// The same 12 values and temperatures given as a monthly resource.
	site, _ := engine(t).Dataset().SolarSite("taiyuan")
	in := pvySiteInput("", 1000)
	in.Resource = calc.PVResource{Kind: calc.ResourceMonthly, MonthlyGHIKWhM2: pvyTaiyuanGHI[:], MonthlyTempC: site.TempMonthlyC}
	m, _ := mustPV(t, in)
	checkClose(t, "monthly resource = site", m.AnnualACKWh, r.AnnualACKWh, 1e-12)
}

// TestPVSiteSetsLocation: pvResourceHourly's doc says a site resource also
// gives the site's location; a request naming only the site (no
// coordinates) must be computed at Taiyuan, not at 0° N 0° E.
func TestPVSiteSetsLocation(t *testing.T) {
	placed, _ := mustPV(t, pvySiteInput("taiyuan", 1000))
	in := pvySiteInput("taiyuan", 1000)
	in.LatDeg, in.LonDeg, in.AltitudeM = 0, 0, 0
	r, _, err := engine(t).PV(in)
	if err != nil {
		return // refusing a site without coordinates is acceptable too
	}
	if r.LatDeg != placed.LatDeg || r.LonDeg != placed.LonDeg {
		t.Errorf("site resource without coordinates computed at %g, %g; want the site's %g, %g", r.LatDeg, r.LonDeg, placed.LatDeg, placed.LonDeg)
	}
	checkClose(t, "annual AC", r.AnnualACKWh, placed.AnnualACKWh, 1e-9)
}

// TestPVAnnualResource: an annual total is split into months and
// synthesised; the GHI used sums to the total.
func TestPVAnnualResource(t *testing.T) {
	in := pvySiteInput("", 1000)
	in.Resource = calc.PVResource{Kind: calc.ResourceAnnual, AnnualGHIKWhM2: 1398}
	r, p := mustPV(t, in)
	checkClose(t, "annual GHI", r.AnnualGHIKWhM2, 1398, 1e-9)
	checkMessage(t, "assumption", p.Assumptions, "annual GHI split into months")
	// A different monthly shape of the same total: within 10 % of the site.
	site, _ := mustPV(t, pvySiteInput("taiyuan", 1000))
	if d := math.Abs(r.AnnualACKWh/site.AnnualACKWh - 1); d > 0.1 {
		t.Errorf("annual-resource yield %.0f vs monthly %.0f kWh (%.1f %% apart), want within 10 %%", r.AnnualACKWh, site.AnnualACKWh, 100*d)
	}
}

// TestPVResourceErrors: unknown site, a site without sourced GHI
// (yuanping: not in CBED or CDSRD), no resource, and
// load shapes of the wrong size are *calc.InputError at the request field.
func TestPVResourceErrors(t *testing.T) {
	w := pvyTaiyuanWeather()
	tests := []struct {
		name    string
		modify  func(*calc.PVInput)
		pointer string
		detail  []string
	}{
		{"unknown site", func(in *calc.PVInput) { in.Resource.Site = "atlantis" }, "Resource.Site", []string{"atlantis", "/v1/solar-sites"}},
		{"site without GHI", func(in *calc.PVInput) { in.Resource.Site = "yuanping" }, "Resource.Site", []string{"yuanping"}},
		{"no resource kind", func(in *calc.PVInput) {
			in.Resource, in.HasLocation = calc.PVResource{}, true
		}, "Resource", []string{"exactly one"}},
		{"no location and no site", func(in *calc.PVInput) {
			in.Resource = calc.PVResource{Kind: calc.ResourceAnnual, AnnualGHIKWhM2: 1400}
		}, "HasLocation", []string{"{Site}"}},
		{"load with no kind", func(in *calc.PVInput) { in.Load = &calc.PVLoad{} }, "Load", []string{"{Load.FlatMW}"}},
		{"8760 load of 8759", func(in *calc.PVInput) { in.Load = &calc.PVLoad{Profile8760MW: make([]float64, 8759)} }, "Load.Profile8760MW", []string{"8760", "8759"}},
		{"24×12 load of 11 months", func(in *calc.PVInput) { in.Load = &calc.PVLoad{Profile24x12MW: pvyProfile24x12(1)[:11]} }, "Load.Profile24x12MW", []string{"12"}},
		{"24×12 load, April of 23 hours", func(in *calc.PVInput) {
			p := pvyProfile24x12(1)
			p[3] = p[3][:23]
			in.Load = &calc.PVLoad{Profile24x12MW: p}
		}, "Load.Profile24x12MW[3]", []string{"24", "23"}},
		{"unknown mounting", func(in *calc.PVInput) { in.System.Mounting = "floating" }, "System.Mounting", []string{"floating"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := pvySiteInput("taiyuan", 1000)
			if tc.name == "unknown mounting" || strings.HasPrefix(tc.pointer, "Load") {
				in = pvyInput(w, pvyDefaultSystem())
			}
			tc.modify(&in)
			_, _, err := engine(t).PV(in)
			wantInputError(t, err, tc.pointer, tc.detail...)
		})
	}
}

// TestPVHourlyResourcePointers: hourly series of the wrong length, at the
// engine level, are errors naming the resource's field (the API checks
// them first; a library caller sees the engine's path).
func TestPVHourlyResourcePointers(t *testing.T) {
	w := pvyTaiyuanWeather()
	in := pvyInput(w, pvyDefaultSystem())
	in.Resource.GHI = w.ghi[:100]
	_, _, err := engine(t).PV(in)
	if err == nil {
		t.Fatal("GHI of 100 values: no error")
	}
	var ie *calc.InputError
	if !errors.As(err, &ie) {
		t.Fatalf("error %T %v, want *calc.InputError", err, err)
	}
	for _, f := range ie.Fields {
		if !strings.HasPrefix(f.Path, "Resource") {
			t.Errorf("GHI of 100 values: error at %q (%s), want a path under Resource", f.Path, f.Detail)
		}
	}
}

// pvyProfile24x12 is a 24×12 profile of the same value everywhere [MW].
func pvyProfile24x12(mw float64) [][]float64 {
	p := make([][]float64, 12)
	for m := range p {
		p[m] = make([]float64, 24)
		for h := range p[m] {
			p[m][h] = mw
		}
	}
	return p
}

// TestPVLoadMatch: self-consumption against a load, hour by hour.
func TestPVLoadMatch(t *testing.T) {
	w := pvyTaiyuanWeather()
	base := pvyInput(w, pvyDefaultSystem())
	base.IncludeHourly = true
	pv, _ := mustPV(t, base)

	run := func(ld calc.PVLoad) calc.PVLoadMatch {
		t.Helper()
		in := base
		in.Load = &ld
		r, _ := mustPV(t, in)
		if r.Load == nil {
			t.Fatal("Load = nil with a load")
		}
		return *r.Load
	}
	t.Run("flat load far above PV", func(t *testing.T) {
		// 100 MW against a 1 MWp array: every kWh is used on site.
		m := run(calc.PVLoad{FlatMW: f64(100)})
		loadKWh := 100.0 * 1000 * 8760
		checkClose(t, "load", m.LoadKWh, loadKWh, 1e-12)
		checkClose(t, "self-consumed = PV", m.SelfConsumedKWh, pv.AnnualACKWh, 1e-12)
		if m.ExportedKWh != 0 {
			t.Errorf("exported = %g, want 0", m.ExportedKWh)
		}
		checkClose(t, "hourly matched = PV / load", m.HourlyMatchedShare, pv.AnnualACKWh/loadKWh, 1e-12)
	})
	t.Run("zero load", func(t *testing.T) {
		m := run(calc.PVLoad{FlatMW: f64(0)})
		if m.SelfConsumedKWh != 0 || m.HourlyMatchedShare != 0 || m.LoadKWh != 0 {
			t.Errorf("zero load: %+v, want nothing used", m)
		}
		checkClose(t, "exported = PV", m.ExportedKWh, pv.AnnualACKWh, 1e-12)
	})
	t.Run("flat load within the PV range", func(t *testing.T) {
		// 0.3 MW: Σ_h min(pv_h, 300 kWh), computed here from the hourly output.
		m := run(calc.PVLoad{FlatMW: f64(0.3)})
		var used float64
		for _, v := range pv.HourlyACKWh {
			used += math.Min(v, 300)
		}
		checkClose(t, "self-consumed", m.SelfConsumedKWh, used, 1e-9)
		checkClose(t, "exported", m.ExportedKWh, pv.AnnualACKWh-used, 1e-9)
		checkClose(t, "hourly matched", m.HourlyMatchedShare, used/(300*8760), 1e-9)
		if !(m.ExportedKWh > 0.05*pv.AnnualACKWh) || !(used > 0.5*pv.AnnualACKWh) {
			t.Errorf("the 0.3 MW case should both use and export PV: %+v", m)
		}
	})
	t.Run("24×12 and 8760 profiles equal to the flat value", func(t *testing.T) {
		flat := run(calc.PVLoad{FlatMW: f64(0.3)})
		prof := run(calc.PVLoad{Profile24x12MW: pvyProfile24x12(0.3)})
		p8760 := make([]float64, 8760)
		for i := range p8760 {
			p8760[i] = 0.3
		}
		hourly := run(calc.PVLoad{Profile8760MW: p8760})
		if prof != flat || hourly != flat {
			t.Errorf("flat %+v, 24×12 %+v, 8760 %+v; want equal", flat, prof, hourly)
		}
	})
	t.Run("24×12 profile: daytime load in summer only", func(t *testing.T) {
		// 0.5 MW from 08:00 to 16:00 in June–August, else 0: the hour of the
		// day and the month index the profile (hour i → month of day i/24,
		// hour i mod 24).
		p := pvyProfile24x12(0)
		for m := 5; m <= 7; m++ {
			for h := 8; h < 16; h++ {
				p[m][h] = 0.5
			}
		}
		got := run(calc.PVLoad{Profile24x12MW: p})
		var load, used float64
		for i, v := range pv.HourlyACKWh {
			m, _ := pvyMonth(i)
			ld := p[m][i%24] * 1000
			load += ld
			used += math.Min(v, ld)
		}
		checkClose(t, "load", got.LoadKWh, load, 1e-12)
		checkClose(t, "self-consumed", got.SelfConsumedKWh, used, 1e-9)
		checkClose(t, "hourly matched", got.HourlyMatchedShare, used/load, 1e-9)
	})
}

// BenchmarkPV is one system on a site preset (monthly GHI → typical hourly
// year → chain), the cost of a cache miss of POST /v1/pv.
func BenchmarkPV(b *testing.B) {
	e := engine(b)
	in := pvySiteInput("taiyuan", 1000)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := e.PV(in); err != nil {
			b.Fatal(err)
		}
	}
}
