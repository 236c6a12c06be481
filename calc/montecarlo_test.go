package calc_test

import (
	"math"
	"reflect"
	"testing"

	"alcarbon/calc"
)

// mcInputs are primary requests covering the compiled model's paths: all
// defaults (implicit grid, lifecycle estimate), every input given with
// shares, fixed volumes with certificates, one PV system against a flat
// load (sorted fast path), two PV systems against a 24×12 load (hour by
// hour) and a green contract with the national residual mix.
func mcInputs() map[string]calc.PrimaryInput {
	in := primaryBenchInputs()
	full := fullInput()
	full.Electricity = calc.ElectricityInput{Sources: []calc.Source{
		{Kind: calc.KindCaptive, Fuel: "coal", Share: f64(0.6), EFtCO2PerMWh: f64(0.95)},
		gridShare(0.4),
	}}
	in["full_shares"] = full
	pv := fullInput()
	pv.Electricity = calc.ElectricityInput{Sources: []calc.Source{
		{Kind: calc.KindOnsitePV, PV: pvpSystem(200_000)},
		{Kind: calc.KindCaptive, Fuel: "coal", Share: f64(0.5), CoalGCEPerKWh: f64(320)},
		gridShare(0.5),
	}, CertificatesMWh: f64(100_000)}
	in["one_pv_flat"] = pv
	two := fullInput()
	day := make([]float64, 24)
	for h := range day {
		day[h] = 400 + 20*float64(h%12)
	}
	var prof [][]float64
	for range 12 {
		prof = append(prof, day)
	}
	two.Electricity = calc.ElectricityInput{Sources: []calc.Source{
		{Kind: calc.KindOnsitePV, PV: pvpSystem(300_000)},
		{Kind: calc.KindOnsitePV, PV: pvpSystem(100_000)},
		{Kind: calc.KindDirectLine, Technology: "wind", MWh: f64(200_000)},
	}, Load: &calc.PVLoad{Profile24x12MW: prof}}
	in["two_pv_load_profile"] = two
	gc := fullInput()
	gc.Basis = calc.BasisLifecycle
	gc.Electricity = calc.ElectricityInput{Sources: []calc.Source{
		{Kind: calc.KindGreenContract, Technology: "wind", MWh: f64(500_000)},
		gridShare(1),
	}, ResidualMix: calc.ResidualNationalExcludingMarketNonfossil, CertificatesMWh: f64(50_000)}
	in["green_contract_residual"] = gc
	return in
}

// TestPrimaryModelHandComputed: the compiled model that Primary evaluates
// with every multiplier at 1, evaluated with several multipliers moved at
// once, against the footprint computed by hand from the equations
// (fullWant: IPCC 2006 Eq. 4.21, AR5 GWPs, fixed volumes then shares) for the
// moved inputs: AC ×1.07, NAC ×0.9, PFC ×1.2, alumina footprint ×1.1,
// captive EF ×0.95 and the Shanxi 2023 grid factor (0.6634, MEE) ×1.1.
func TestPrimaryModelHandComputed(t *testing.T) {
	in := fullInput()
	in.Electricity = calc.ElectricityInput{Sources: []calc.Source{
		{Kind: calc.KindCaptive, Fuel: "coal", Share: f64(0.6), EFtCO2PerMWh: f64(0.95)},
		gridShare(0.4),
	}}
	c, _, err := engine(t).CompilePrimary(nil, in)
	if err != nil {
		t.Fatal(err)
	}
	moves := map[string]float64{
		"Electrolysis.ACkWhPerT": 1.07, "Anode.NetCarbonTPerT": 0.9, "Electrolysis.PFC": 1.2,
		"Alumina.FootprintTCO2ePerT": 1.1, "Electricity.Sources[0].EFtCO2PerMWh": 0.95, "Electricity.GridEF": 1.1,
	}
	m := make([]float64, len(c.Inputs()))
	for i, u := range c.Inputs() {
		m[i] = 1
		if k, ok := moves[u.Path]; ok {
			m[i] = k
			delete(moves, u.Path)
		}
	}
	if len(moves) > 0 {
		t.Fatalf("the model has no inputs %v", moves)
	}
	ef := 0.6*0.95*0.95 + 0.4*0.6634*1.1 // shares split the whole demand
	w := fullWant(ef)
	ac := 13000 * 1.07
	want := w.alumina*1.1 + w.anodeProd + w.anodeCO2*0.9 + (w.cf4+w.c2f6)*1.2 + ac/1000*ef + w.cast
	loc, mkt := c.Eval(m)
	checkClose(t, "location-based", loc, want, 1e-12)
	checkClose(t, "market-based (no certificates)", mkt, want, 1e-12)
	// Every multiplier at 1 is Primary's result, hand-computed.
	for i := range m {
		m[i] = 1
	}
	w1 := fullWant(0.6*0.95 + 0.4*0.6634)
	loc, _ = c.Eval(m)
	checkClose(t, "location-based at multipliers 1", loc, w1.total, 1e-12)
}

// TestPrimaryModelMultipliersScaleInputs: a multiplier on an input that
// is a request field moves the total as moving the field does (the model
// is the engine's arithmetic, not a linearisation).
func TestPrimaryModelMultipliersScaleInputs(t *testing.T) {
	e := engine(t)
	for name, in := range mcInputs() {
		t.Run(name, func(t *testing.T) {
			c, _, err := e.CompilePrimary(nil, in)
			if err != nil {
				t.Fatal(err)
			}
			ins := c.Inputs()
			ones := make([]float64, len(ins))
			for i := range ones {
				ones[i] = 1
			}

			// Inputs that are request fields: scale the field and recompute.
			for i, u := range ins {
				moved := in
				const k = 1.07
				switch u.Path {
				case "Electrolysis.ACkWhPerT":
					if in.Electrolysis.ACkWhPerT == nil {
						continue
					}
					moved.Electrolysis.ACkWhPerT = f64(*in.Electrolysis.ACkWhPerT * k)
				case "Anode.NetCarbonTPerT":
					if in.Anode.NetCarbonTPerT == nil {
						continue
					}
					moved.Anode.NetCarbonTPerT = f64(*in.Anode.NetCarbonTPerT * k)
				case "Alumina.FootprintTCO2ePerT":
					if in.Alumina.FootprintTCO2ePerT == nil {
						continue
					}
					moved.Alumina.FootprintTCO2ePerT = f64(*in.Alumina.FootprintTCO2ePerT * k)
				default:
					continue
				}
				m := append([]float64(nil), ones...)
				m[i] = k
				want, _ := mustPrimary(t, moved)
				loc, mkt := c.Eval(m)
				checkClose(t, u.Path+" ×1.07 location-based", loc, want.LocationBased, 1e-12)
				checkClose(t, u.Path+" ×1.07 market-based", mkt, want.MarketBased, 1e-12)
			}
		})
	}
}

// TestCompiledPortfolioMultipliers: a captive EF, a fixed on-site volume
// and a PV system scaled by the multiplier equal the engine's result for
// the scaled input.
func TestCompiledPortfolioMultipliers(t *testing.T) {
	e := engine(t)
	base := fullInput()
	base.Electricity = calc.ElectricityInput{Sources: []calc.Source{
		{Kind: calc.KindOnsitePV, MWh: f64(150_000)},
		{Kind: calc.KindCaptive, Fuel: "coal", Share: f64(0.6), EFtCO2PerMWh: f64(0.95)},
		gridShare(0.4),
	}, CertificatesMWh: f64(50_000)}
	c, _, err := e.CompilePrimary(nil, base)
	if err != nil {
		t.Fatal(err)
	}
	for i, u := range c.Inputs() {
		moved := base
		moved.Electricity.Sources = append([]calc.Source(nil), base.Electricity.Sources...)
		switch u.Path {
		case "Electricity.Sources[0].MWh":
			moved.Electricity.Sources[0].MWh = f64(150_000 * 0.9)
		case "Electricity.Sources[1].EFtCO2PerMWh":
			moved.Electricity.Sources[1].EFtCO2PerMWh = f64(0.95 * 0.9)
		default:
			continue
		}
		m := make([]float64, len(c.Inputs()))
		for j := range m {
			m[j] = 1
		}
		m[i] = 0.9
		want, _ := mustPrimary(t, moved)
		loc, mkt := c.Eval(m)
		checkClose(t, u.Path+" location", loc, want.LocationBased, 1e-12)
		checkClose(t, u.Path+" market", mkt, want.MarketBased, 1e-12)
	}
}

func mcSpec(seed uint64) calc.UncertaintySpec {
	return calc.UncertaintySpec{Samples: 10_000, Seed: seed}
}

// TestPrimaryUncertainty: the deterministic result lies inside p5..p95,
// the same seed gives an identical result, a different seed a close one,
// and every default input is listed with its source.
func TestPrimaryUncertainty(t *testing.T) {
	e := engine(t)
	for name, in := range mcInputs() {
		t.Run(name, func(t *testing.T) {
			r, _ := mustPrimary(t, in)
			spec := mcSpec(42)
			se := 1 / math.Sqrt(float64(spec.Samples)) // standard error of the mean, in SDs
			a, _, err := e.PrimaryUncertainty(in, spec)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []struct {
				name string
				sum  calc.Summary
				det  float64
			}{{"location", a.LocationBased, r.LocationBased}, {"market", a.MarketBased, r.MarketBased}} {
				if !(s.sum.P5 < s.det && s.det < s.sum.P95) {
					t.Errorf("%s: deterministic %g outside p5..p95 [%g, %g]", s.name, s.det, s.sum.P5, s.sum.P95)
				}
				checkClose(t, s.name+" deterministic", s.sum.Deterministic, s.det, 1e-12)
				if !(s.sum.P5 <= s.sum.P50 && s.sum.P50 <= s.sum.P95) || s.sum.SD <= 0 {
					t.Errorf("%s: summary not ordered: %+v", s.name, s.sum)
				}
			}
			b, _, _ := e.PrimaryUncertainty(in, spec)
			if !reflect.DeepEqual(a, b) {
				t.Error("same seed gave different results")
			}
			spec.Seed = 7
			c, _, _ := e.PrimaryUncertainty(in, spec)
			if c.LocationBased.Mean == a.LocationBased.Mean {
				t.Error("a different seed gave the identical mean")
			}
			if d := math.Abs(c.LocationBased.Mean - a.LocationBased.Mean); d > 5*se*a.LocationBased.SD {
				t.Errorf("means of two seeds differ by %g (SD %g)", d, a.LocationBased.SD)
			}
			if d := math.Abs(c.LocationBased.P95 - a.LocationBased.P95); d > 0.05*a.LocationBased.SD*10 {
				t.Errorf("p95 of two seeds differ by %g", d)
			}
			for _, u := range a.Inputs {
				if u.Dist.Kind != calc.DistNone && u.Source == "" {
					t.Errorf("%s has no source", u.Path)
				}
			}
			for i := 1; i < len(a.Contributions); i++ {
				if math.Abs(a.Contributions[i].SpearmanLocation) > math.Abs(a.Contributions[i-1].SpearmanLocation) {
					t.Errorf("contributions not sorted at %d", i)
				}
			}
		})
	}
}

// TestUncertaintyContributions: with only the AC power varied the total is
// a monotone function of it, so its rank correlation is 1 and its variance
// share 1; a uniform ±10 % on AC gives p5/p95 at the electricity term moved
// by ∓9 % (uniform quantiles), hand-computed from the deterministic stages.
func TestUncertaintyContributions(t *testing.T) {
	e := engine(t)
	in := mcInputs()["full_shares"]
	r, _ := mustPrimary(t, in)
	spec := calc.UncertaintySpec{Samples: 20_000, Seed: 1, NoDefaults: true, Inputs: []calc.UncertainInput{
		{Path: "Electrolysis.ACkWhPerT", Dist: calc.Distribution{Kind: calc.DistUniform, Min: 0.9, Max: 1.1}},
	}}
	u, _, err := e.PrimaryUncertainty(in, spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Contributions) != 1 || math.Abs(u.Contributions[0].SpearmanLocation-1) > 1e-9 || u.Contributions[0].VarianceShare != 1 {
		t.Fatalf("contributions %+v", u.Contributions)
	}
	elec := stageByName(t, r, calc.StageElectrolysisElectricity).LocationBased
	checkClose(t, "p5", u.LocationBased.P5, r.LocationBased-0.9*0.1*elec, 2e-3)
	checkClose(t, "p95", u.LocationBased.P95, r.LocationBased+0.9*0.1*elec, 2e-3)

	_, _, err = e.PrimaryUncertainty(in, calc.UncertaintySpec{Samples: 10, Inputs: []calc.UncertainInput{{Path: "Electricity.Sources[7].PV"}}})
	wantInputError(t, err, "Inputs[0].Path", "allowed")
}

func BenchmarkPrimaryUncertainty10k(b *testing.B) {
	e := engine(b)
	for _, name := range []string{"full_shares", "one_pv_flat", "two_pv_load_profile"} {
		in := mcInputs()[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := e.PrimaryUncertainty(in, mcSpec(1)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestCapitalRecoveryAndMAC: hand-computed. r = 6 %, n = 25:
// 1.06^25 = 4.291870719, CRF = 0.06 × 4.291870719 / 3.291870719
// = 0.0782267182; capex 350 M CNY → 27,379,351.37 CNY/yr, + opex 5 M =
// 32,379,351 CNY/yr; avoided 4,000,000 − 3,800,000 = 200,000 t/yr →
// 161.8968 CNY/t.
func TestCapitalRecoveryAndMAC(t *testing.T) {
	checkClose(t, "CRF", calc.CapitalRecoveryFactor(0.06, 25), 0.0782267182, 1e-9)
	checkClose(t, "CRF r=0", calc.CapitalRecoveryFactor(0, 20), 0.05, 1e-15)
	m := calc.MarginalAbatementCost(350e6, 5e6, 25, 0.06, 4_000_000, 3_800_000)
	checkClose(t, "cost/yr", m.CostPerYr, 32_379_351.374, 1e-9)
	checkClose(t, "avoided", m.AvoidedPerYr, 200_000, 1e-12)
	checkClose(t, "MAC", m.PerTonne, 161.896756, 1e-7)
	if n := calc.MarginalAbatementCost(1, 0, 10, 0.05, 100, 120); !math.IsNaN(n.PerTonne) {
		t.Errorf("no abatement: MAC %g, want NaN", n.PerTonne)
	}
}
