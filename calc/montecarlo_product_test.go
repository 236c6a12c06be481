package calc_test

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"alcarbon/calc"
)

// mcProductInputs are product requests covering the compiled model's
// paths: the hand case (every step given, grid share), every family with
// nothing but its name (region-default primary, default steps and yield,
// implicit grid), scrap with molten supply and transport, and an inline
// primary with on-site PV, a fixed volume and certificates at the
// processing plant.
func mcProductInputs() map[string]calc.ProductInput {
	out := map[string]calc.ProductInput{"hand": handCase()}
	for _, id := range []string{"building_profile", "industrial_profile", "automotive_part", "rail_transit_profile", "household_foil", "conductor_rod"} {
		out["defaults_"+id] = calc.ProductInput{Product: id, Region: "CN-SX", Year: 2023, GWP: "AR5", Basis: calc.BasisLifecycle}
	}
	mix := handCase()
	mix.Metal.PostConsumerScrapShare, mix.Metal.PreConsumerScrapShare = f64(0.3), f64(0.1)
	mix.Metal.PostConsumerScrapTCO2ePerT, mix.Metal.PreConsumerScrapTCO2ePerT = f64(0.6), f64(3)
	mix.DirectSupply = calc.DirectSupplyInput{MoltenShare: f64(0.6), HaulKm: f64(20), IngotTransportKm: f64(300), IngotTransportMode: "rail"}
	mix.Transport = []calc.TransportLeg{{Mode: "road", Km: 800}}
	out["scrap_molten_transport"] = mix
	pv := calc.ProductInput{
		Product: "industrial_profile", Region: "CN-SX", Year: 2023, GWP: "AR5", Basis: calc.BasisOperational, ProductionT: f64(60_000),
		Metal: calc.MetalInput{Primary: &calc.PrimaryInput{Electrolysis: calc.ElectrolysisInput{ACkWhPerT: f64(13200)}}, PreConsumerScrapShare: f64(0.2)},
		Electricity: calc.ElectricityInput{Sources: []calc.Source{
			{Kind: calc.KindOnsitePV, PV: pvpSystem(8_000)},
			{Kind: calc.KindDirectLine, Technology: "wind", MWh: f64(5_000)},
			gridShare(1),
		}, CertificatesMWh: f64(3_000)},
	}
	out["inline_primary_pv"] = pv
	return out
}

func onesFor(c *calc.CompiledFootprint) []float64 {
	m := make([]float64, len(c.Inputs()))
	for i := range m {
		m[i] = 1
	}
	return m
}

// TestProductModelMultipliersScaleInputs: a multiplier on an input that
// is a request field moves the total as moving the field does (the model
// that Product evaluates with every multiplier at 1 is the engine's
// arithmetic, melt loss and the portfolio included, not a linearisation).
func TestProductModelMultipliersScaleInputs(t *testing.T) {
	e := engine(t)
	for name, in := range mcProductInputs() {
		t.Run(name, func(t *testing.T) {
			c, _, err := e.CompileProduct(nil, in)
			if err != nil {
				t.Fatal(err)
			}
			ones := onesFor(c)

			const k = 1.07
			moved := 0
			for i, u := range c.Inputs() {
				mv := in
				mv.Steps = slices.Clone(in.Steps)
				switch {
				case u.Path == "Metal.PrimaryFootprintTCO2ePerT" && in.Metal.PrimaryFootprintTCO2ePerT != nil:
					mv.Metal.PrimaryFootprintTCO2ePerT = f64(*in.Metal.PrimaryFootprintTCO2ePerT * k)
				case u.Path == "MeltLossFraction" && in.MeltLossFraction != nil:
					mv.MeltLossFraction = f64(*in.MeltLossFraction * k)
				case u.Path == "Metal.PostConsumerScrapTCO2ePerT" && in.Metal.PostConsumerScrapTCO2ePerT != nil:
					mv.Metal.PostConsumerScrapTCO2ePerT = f64(*in.Metal.PostConsumerScrapTCO2ePerT * k)
				case u.Path == "Metal.PreConsumerScrapTCO2ePerT":
					mv.Metal.PreConsumerScrapTCO2ePerT = f64(*in.Metal.PreConsumerScrapTCO2ePerT * k)
				case strings.HasPrefix(u.Path, "Steps["):
					step := strings.TrimSuffix(strings.TrimPrefix(u.Path, "Steps["), "]")
					j := slices.IndexFunc(in.Steps, func(s calc.StepOverride) bool { return s.Step == step })
					if j < 0 {
						continue
					}
					o := in.Steps[j]
					scale := func(v *float64) *float64 {
						if v == nil {
							return nil
						}
						return f64(*v * k)
					}
					mv.Steps[j] = calc.StepOverride{Step: o.Step, ElectricityKWhPerT: scale(o.ElectricityKWhPerT), NaturalGasNm3PerT: scale(o.NaturalGasNm3PerT)}
				default:
					continue
				}
				want, _, err := e.Product(mv)
				if err != nil {
					t.Fatal(err)
				}
				m := slices.Clone(ones)
				m[i] = k
				loc, mkt := c.Eval(m)
				checkAbs(t, u.Path+" ×1.07 location-based", loc, want.LocationBased, 1e-12)
				checkAbs(t, u.Path+" ×1.07 market-based", mkt, want.MarketBased, 1e-12)
				moved++
			}
			if name == "hand" && moved < 5 {
				t.Errorf("only %d inputs checked against moved requests", moved)
			}
		})
	}
}

// TestProductUncertainty: the deterministic result lies inside p5..p95 on
// both bases, the same seed gives an identical result, a different seed a
// close one, and every default input is listed with its source.
func TestProductUncertainty(t *testing.T) {
	e := engine(t)
	for name, in := range mcProductInputs() {
		t.Run(name, func(t *testing.T) {
			r, _, err := e.Product(in)
			if err != nil {
				t.Fatal(err)
			}
			spec := mcSpec(42)
			a, _, err := e.ProductUncertainty(in, spec)
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
				checkAbs(t, s.name+" deterministic", s.sum.Deterministic, s.det, 1e-12)
				if !(s.sum.P5 <= s.sum.P50 && s.sum.P50 <= s.sum.P95) || s.sum.SD <= 0 {
					t.Errorf("%s: summary not ordered: %+v", s.name, s.sum)
				}
			}
			b, _, _ := e.ProductUncertainty(in, spec)
			if !reflect.DeepEqual(a, b) {
				t.Error("same seed gave different results")
			}
			spec.Seed = 7
			c, _, _ := e.ProductUncertainty(in, spec)
			if c.LocationBased.Mean == a.LocationBased.Mean {
				t.Error("a different seed gave the identical mean")
			}
			if d := math.Abs(c.LocationBased.Mean - a.LocationBased.Mean); d > 5/math.Sqrt(float64(spec.Samples))*a.LocationBased.SD {
				t.Errorf("means of two seeds differ by %g (SD %g)", d, a.LocationBased.SD)
			}
			want := []string{"Metal.PrimaryFootprintTCO2ePerT", "MeltLossFraction"}
			if in.MeltLossFraction == nil && in.Yield == nil {
				want = append(want, "Steps[remelting]") // defaulted steps
			}
			for _, p := range want {
				if !slices.ContainsFunc(a.Inputs, func(u calc.UncertainInput) bool { return u.Path == p }) {
					t.Errorf("no default input %s", p)
				}
			}
			for _, u := range a.Inputs {
				if u.Dist.Kind != calc.DistNone && (u.Source == "" || !u.Default) {
					t.Errorf("%s: source %q, default %v", u.Path, u.Source, u.Default)
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

// TestProductUncertaintyHandComputed: a uniform ±10 % on the given primary
// footprint alone moves the total linearly by (P + P_pre)·F·(m − 1), where
// P and P_pre are the primary and pre-consumer metal per t of product (the
// pre-consumer scrap carries the primary footprint). The uniform's 5th and
// 95th percentiles are m = 0.91 and 1.09, so p5/p95 = total ∓ 0.09·(P +
// P_pre)·F. Hand case: y = 0.8, L = 0.02, w = 1.075 %, all solid feed:
// B = 1.25, S = 0.25, N = (1 + 0.25·0.02)/(1 − 0.02) = 1.025510204,
// N(1 − w) = 1.014486..., F = 12.7 t CO2e/t.
func TestProductUncertaintyHandComputed(t *testing.T) {
	e := engine(t)
	n := (1 + 0.25*0.02) / (1 - 0.02)
	al := n * (1 - 0.01075)
	for _, tc := range []struct {
		name string
		pre  float64
	}{{"all primary", 0}, {"20 % pre-consumer scrap", 0.2}} {
		t.Run(tc.name, func(t *testing.T) {
			in := handCase()
			in.Metal.PreConsumerScrapShare = f64(tc.pre)
			r, _, err := e.Product(in)
			if err != nil {
				t.Fatal(err)
			}
			slope := al * 12.7 // (P + P_pre)·F: the primary and pre-consumer shares sum to 1
			spec := calc.UncertaintySpec{Samples: 20_000, Seed: 3, NoDefaults: true, Inputs: []calc.UncertainInput{
				{Path: "Metal.PrimaryFootprintTCO2ePerT", Dist: calc.Distribution{Kind: calc.DistUniform, Min: 0.9, Max: 1.1}},
			}}
			u, _, err := e.ProductUncertainty(in, spec)
			if err != nil {
				t.Fatal(err)
			}
			// Sampling error of a uniform's 5th percentile with n = 20,000:
			// √(0.05·0.95/n)·0.2 ≈ 3e-4 in m; 1.5e-3 is 5 standard errors.
			tol := 1.5e-3 * slope
			for _, s := range []struct {
				name string
				sum  calc.Summary
				det  float64
			}{{"location", u.LocationBased, r.LocationBased}, {"market", u.MarketBased, r.MarketBased}} {
				checkAbs(t, s.name+" p5", s.sum.P5, s.det-0.09*slope, tol)
				checkAbs(t, s.name+" p95", s.sum.P95, s.det+0.09*slope, tol)
				checkAbs(t, s.name+" p50", s.sum.P50, s.det, tol)
				// SD of a uniform of width 0.2: 0.2/√12.
				checkClose(t, s.name+" sd", s.sum.SD, slope*0.2/math.Sqrt(12), 0.02)
			}
			if len(u.Contributions) != 1 || math.Abs(u.Contributions[0].SpearmanLocation-1) > 1e-9 || u.Contributions[0].VarianceShare != 1 {
				t.Errorf("contributions %+v", u.Contributions)
			}
		})
	}
}

// TestProductUncertaintyErrors: Product's errors come back unchanged, and
// an override of an input the request does not have names its
// distribution and lists the allowed pointers.
func TestProductUncertaintyErrors(t *testing.T) {
	e := engine(t)
	in := handCase()
	in.Product = "ingot"
	_, _, err := e.ProductUncertainty(in, mcSpec(1))
	wantInputError(t, err, "Product", "unknown product")

	in = handCase()
	in.Metal.Primary = &calc.PrimaryInput{Region: "CN-XX"}
	in.Metal.PrimaryFootprintTCO2ePerT = nil
	_, _, err = e.ProductUncertainty(in, mcSpec(1))
	wantInputError(t, err, "Metal.Primary.Region", "unknown region")

	// The hand case has no scrap: no scrap footprint to vary.
	_, _, err = e.ProductUncertainty(handCase(), calc.UncertaintySpec{Samples: 100, Inputs: []calc.UncertainInput{
		{Path: "Metal.PostConsumerScrapTCO2ePerT", Dist: calc.Distribution{Kind: calc.DistNormal, SD: 0.1}},
	}})
	wantInputError(t, err, "Inputs[0].Path", "allowed", "Metal.PrimaryFootprintTCO2ePerT", "Steps[extrusion_building]")
}

func BenchmarkProductUncertainty10k(b *testing.B) {
	e := engine(b)
	for _, name := range []string{"hand", "defaults_building_profile", "scrap_molten_transport", "inline_primary_pv"} {
		in := mcProductInputs()[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := e.ProductUncertainty(in, mcSpec(1)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
