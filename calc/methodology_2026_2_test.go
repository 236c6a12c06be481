package calc_test

import (
	"slices"
	"testing"

	"alcarbon/calc"
	"alcarbon/factors"
)

// Hand-computed tests of the methodology revision of dataset 2026.2
// (issue 14). Every expected value is worked from the cited equation and
// the dataset's values as published (quoted in each comment), not read
// back from the engine.

// engineFor returns an engine over the embedded dataset version v.
func engineFor(t *testing.T, v string) *calc.Engine {
	t.Helper()
	cat, err := factors.Load()
	if err != nil {
		t.Fatal(err)
	}
	ds, ok := cat.Get(v)
	if !ok {
		t.Fatalf("dataset %s missing", v)
	}
	return calc.New(ds)
}

func mustPrimaryOn(t *testing.T, e *calc.Engine, in calc.PrimaryInput) (calc.PrimaryResult, calc.Provenance) {
	t.Helper()
	r, p, err := e.Primary(in)
	if err != nil {
		t.Fatalf("Primary (%s): %v", e.Dataset().Version(), err)
	}
	return r, p
}

func boolPtr(b bool) *bool { return &b }

// TestCBAMAnodesOnSite: on the definitive CBAM rules (2026.2) the anode
// plant's CO2 is in SEE direct when the anodes are baked on site (IR
// 2025/2547 Annex I §3.17.2.1, aligned with MRR 2018/2066 Annex IV), and
// not when they are bought. fullInput by hand: anode CO2 = 0.411 × (1 −
// 0.02 − 0.004) × 44/12 = 1.470832 (IPCC 2006 Eq. 4.21); PFC measured
// 0.02 kg CF4 × 6.630 + 0.002 kg C2F6 × 11.100 = 0.1548 t CO2e (AR5, IR
// 2025/2547 Annex II G); casting gas 20 Nm3 × 0.038931 GJ/Nm3 × 0.01532 t
// C/GJ × 0.99 × 44/12; anode plant 0.45 t anode × 0.35 t CO2/t anode =
// 0.1575.
func TestCBAMAnodesOnSite(t *testing.T) {
	w := fullWant(0)
	bought := w.anodeCO2 + w.cf4 + w.c2f6 + w.castFuel
	e2 := engineFor(t, "2026.2")
	for _, tc := range []struct {
		name      string
		onSite    *bool
		want      float64
		defaulted bool
	}{
		{"bought", boolPtr(false), bought, false},
		{"on site", boolPtr(true), bought + 0.45*0.35, false},
		{"not stated, China", nil, bought + 0.45*0.35, true},
	} {
		in := fullInput()
		in.Anode.ProducedOnSite = tc.onSite
		r, p := mustPrimaryOn(t, e2, in)
		checkClose(t, tc.name+": SEE direct", r.CBAM.SEEDirect, tc.want, 1e-12)
		checkClose(t, tc.name+": obligation", r.CBAM.ObligationTCO2ePerT, tc.want, 1e-12)
		if got := slices.Contains(p.Defaulted, "Anode.ProducedOnSite"); got != tc.defaulted {
			t.Errorf("%s: Anode.ProducedOnSite defaulted %v, want %v", tc.name, got, tc.defaulted)
		}
		for _, s := range r.Stages { // a CBAM boundary input feeds no stage
			if slices.Contains(s.Defaulted, "Anode.ProducedOnSite") {
				t.Errorf("%s: stage %s lists Anode.ProducedOnSite", tc.name, s.Name)
			}
		}
		// The footprint itself does not move with the CBAM boundary; the
		// scopes do: an anode plant on site is direct (scope 1), bought
		// anodes upstream. All grid, so no captive plant in scope 1.
		checkClose(t, tc.name+": anode production stage", stageByName(t, r, calc.StageAnodeProduction).LocationBased, 0.45*0.35, 1e-12)
		wantDirect, wantUp := bought, w.alumina+0.45*0.35
		if tc.want != bought {
			wantDirect, wantUp = bought+0.45*0.35, w.alumina
		}
		checkClose(t, tc.name+": scope 1", r.Scopes.Direct, wantDirect, 1e-12)
		checkClose(t, tc.name+": upstream", r.Scopes.Upstream, wantUp, 1e-12)
	}
	r1, _ := mustPrimaryOn(t, engineFor(t, "2026.1"), fullInput())
	checkClose(t, "2026.1 SEE direct (estimate rules, anode plant outside)", r1.CBAM.SEEDirect, bought, 1e-12)
	if r1.CBAM.AnodesOnSite != nil || r1.CBAM.Rules != "estimate" {
		t.Errorf("2026.1 CBAM rules %q, anodes on site %v", r1.CBAM.Rules, r1.CBAM.AnodesOnSite)
	}
}

// TestCBAMPFCMethods: IR 2025/2547 Annex II B.7 allows the slope method
// with Table 2 coefficients, the overvoltage method and measurement, and
// gives no default anode-effect duration. By hand (AR5: CF4 6,630, C2F6
// 11,100):
//   - tier1, CWPB (IPCC 2006 Table 4.15: CF4 0.4, C2F6 0.04 kg/t):
//     0.4 × 6.63 + 0.04 × 11.1 = 3.096 t CO2e/t, kept but not verifiable;
//   - slope on the IPCC 2006 coefficients, PFPB_M, 0.05 AE-min/cell-day:
//     recomputed with Table 2 PFPB_M (slope 0.104, C2F6/CF4 0.057):
//     CF4 = 0.05 × 0.104 = 0.0052 kg/t, C2F6 = 0.0052 × 0.057 =
//     0.0002964 kg/t, PFC = 0.0052 × 6.63 + 0.0002964 × 11.1 = 0.03776604.
func TestCBAMPFCMethods(t *testing.T) {
	e2 := engineFor(t, "2026.2")
	for _, tc := range []struct {
		name       string
		tech       string
		pfc        calc.PFCInput
		want       float64
		verifiable bool
	}{
		{"tier1", "CWPB", calc.PFCInput{Method: "tier1"}, 0.4*6.63 + 0.04*11.1, false},
		{"default", "PFPB_M", calc.PFCInput{Method: "default"}, 0.034*6.63 + 0.0034*11.1, false},
		{"slope ipcc2006", "PFPB_M", calc.PFCInput{Method: "slope", Coefficients: "ipcc2006", AnodeEffectMinutesPerCellDay: f64(0.05)}, 0.05*0.104*6.63 + 0.05*0.104*0.057*11.1, true},
		{"slope cbam2025", "PFPB_M", calc.PFCInput{Method: "slope", AnodeEffectMinutesPerCellDay: f64(0.05)}, 0.05*0.104*6.63 + 0.05*0.104*0.057*11.1, true},
		{"measured", "PFPB_M", calc.PFCInput{Method: "measured", CF4KgPerT: f64(0.02), C2F6KgPerT: f64(0.002)}, 0.02*6.63 + 0.002*11.1, true},
		// Overvoltage, CWPB (Table 3: OVC 1.16, C2F6/CF4 0.121), 1.2 mV, CE 94 %
		// (Reg. 601/2012 Annex IV §8 B takes CE in percent): CF4 = 1.16 × 1.2 / 94.
		{"overvoltage", "CWPB", calc.PFCInput{Method: "overvoltage", AnodeEffectOvervoltageMV: f64(1.2), CurrentEfficiency: f64(0.94)}, 1.16 * 1.2 / 94 * (6.63 + 0.121*11.1), true},
		// The Chinese guideline's slope (0.143, 0.1) with no technology to choose Table 2: kept, not verifiable.
		{"slope cn_guideline, no technology", "", calc.PFCInput{Method: "slope", Coefficients: "cn_guideline", AnodeEffectMinutesPerCellDay: f64(0.05)}, 0.05 * 0.143 * (6.63 + 0.1*11.1), false},
		// An installation slope without its C2F6 fraction is not a pair of own coefficients: Table 2 PFPB_M applies.
		{"slope ipcc2006, own slope only", "PFPB_M", calc.PFCInput{Method: "slope", Coefficients: "ipcc2006", AnodeEffectMinutesPerCellDay: f64(0.05), SlopeCF4: f64(0.5)}, 0.05 * 0.104 * (6.63 + 0.057*11.1), true},
	} {
		in := fullInput()
		in.Electrolysis.Technology, in.Electrolysis.PFC = tc.tech, tc.pfc
		r, p := mustPrimaryOn(t, e2, in)
		checkClose(t, tc.name+": CBAM PFC", r.CBAM.PFC, tc.want, 1e-12)
		if r.CBAM.PFCVerifiable == nil || *r.CBAM.PFCVerifiable != tc.verifiable {
			t.Errorf("%s: PFC verifiable %v, want %v", tc.name, r.CBAM.PFCVerifiable, tc.verifiable)
		}
		if warned := hasMessage(p.Warnings, "Annex II B.7"); warned == tc.verifiable {
			t.Errorf("%s: B.7 warning %v, want %v", tc.name, warned, !tc.verifiable)
		}
	}
}

// TestCBAMIndirectCommissionFactor: on the definitive rules grid
// electricity takes the Commission's factor for China (IR 2025/2621
// Annex II: 0.605 t CO2/MWh) and a captive plant (a direct technical link,
// Reg. 2023/956 Annex IV point 6) its own. fullInput: (13,000 + 50) kWh/t
// = 13.05 MWh/t. All grid: 13.05 × 0.605 = 7.89525, beside the portfolio's
// 13.05 × 0.6634 (MEE 2023 Shanxi). Half captive at 0.9 t/MWh, half grid:
// 13.05 × (0.5 × 0.9 + 0.5 × 0.605) = 9.820125.
func TestCBAMIndirectCommissionFactor(t *testing.T) {
	e2 := engineFor(t, "2026.2")
	r, _ := mustPrimaryOn(t, e2, fullInput())
	checkClose(t, "all grid: SEE indirect", r.CBAM.SEEIndirect, 13.05*0.605, 1e-12)
	if r.CBAM.PortfolioSEEIndirect == nil {
		t.Fatal("no portfolio SEE indirect beside the Commission-rule figure")
	}
	checkClose(t, "all grid: portfolio SEE indirect", *r.CBAM.PortfolioSEEIndirect, 13.05*0.6634, 1e-12)
	in := fullInput()
	in.Electricity.Sources = []calc.Source{{Kind: calc.KindCaptive, Fuel: "coal", Share: f64(0.5), EFtCO2PerMWh: f64(0.9)}, gridShare(0.5)}
	r, _ = mustPrimaryOn(t, e2, in)
	checkClose(t, "half captive: SEE indirect", r.CBAM.SEEIndirect, 13.05*(0.5*0.9+0.5*0.605), 1e-12)
	// The assumed typical-smelter supply (no sources: 66 % captive coal at
	// 0.8273, 34 % Shanxi grid) carries no evidence of a direct link: all
	// of it takes 0.605.
	in = fullInput()
	in.Electricity = calc.ElectricityInput{}
	r, _ = mustPrimaryOn(t, e2, in)
	checkClose(t, "assumed supply: SEE indirect", r.CBAM.SEEIndirect, 13.05*0.605, 1e-12)
	checkClose(t, "assumed supply: portfolio SEE indirect", *r.CBAM.PortfolioSEEIndirect, 13.05*(0.66*0.8273+0.34*0.6634), 1e-12)
	r1, _ := mustPrimaryOn(t, engineFor(t, "2026.1"), fullInput())
	checkClose(t, "2026.1: SEE indirect on the portfolio", r1.CBAM.SEEIndirect, 13.05*0.6634, 1e-12)
	if r1.CBAM.PortfolioSEEIndirect != nil {
		t.Error("2026.1 reports a Commission-rule figure")
	}
}

// TestGB21346Indicator: from 2026.2 ac_kwh_per_t is the comprehensive AC
// power (铝液综合交流电耗, incl. auxiliaries, as the IAI "AC power") and
// the grade is on the liquid AC power when given, else on the
// comprehensive limits. GB 21346-2022 Table 1: liquid AC 12,950 / 13,000 /
// 13,350; liquid comprehensive AC 13,250 / 13,350 / 13,700 kWh/t; NDRC
// benchmark 13,000, baseline 13,350 (liquid AC).
//   - default request: 13,511 (IAI China 2021) > 13,350 and ≤ 13,700:
//     grade 3 on the comprehensive limits (2026.1: 13,511 > 13,350 on the
//     liquid limits, grade 0, below_baseline);
//   - ac 13,400 with liquid 12,990: grade 2 (≤ 13,000), NDRC benchmark,
//     electricity (13,400 + 50)/1000 = 13.45 MWh/t;
//   - liquid 13,100 only: grade 3, baseline; electricity stage AC =
//     13,100 + 350 (13,700 − 13,350, Table 1 grade 3) = 13,450 kWh/t.
func TestGB21346Indicator(t *testing.T) {
	e1, e2 := engineFor(t, "2026.1"), engineFor(t, "2026.2")
	for _, tc := range []struct {
		name       string
		e          *calc.Engine
		ac, liquid *float64
		indicator  string
		graded     float64
		grade      int
		ndrc       string
		mwhPerT    float64
	}{
		{"2026.1 default", e1, nil, nil, calc.IndicatorLiquidAC, 13511, 0, "below_baseline", 13.561},
		{"2026.2 default", e2, nil, nil, calc.IndicatorLiquidComprehensiveAC, 13511, 3, calc.NDRCNotAssessed, 13.561},
		{"2026.2 both", e2, f64(13400), f64(12990), calc.IndicatorLiquidAC, 12990, 2, "benchmark", 13.45},
		{"2026.2 liquid only", e2, nil, f64(13100), calc.IndicatorLiquidAC, 13100, 3, "baseline", 13.5},
	} {
		in := fullInput()
		in.Electrolysis.ACkWhPerT, in.Electrolysis.LiquidACkWhPerT = tc.ac, tc.liquid
		r, _ := mustPrimaryOn(t, tc.e, in)
		g := r.Ratings
		if g.Indicator != tc.indicator || g.GB21346ACGrade != tc.grade || g.NDRCLevel != tc.ndrc {
			t.Errorf("%s: %s grade %d NDRC %s; want %s grade %d NDRC %s", tc.name, g.Indicator, g.GB21346ACGrade, g.NDRCLevel, tc.indicator, tc.grade, tc.ndrc)
		}
		checkClose(t, tc.name+": graded value", g.GradedKWhPerT, tc.graded, 1e-12)
		checkClose(t, tc.name+": MWh/t", r.MWhPerT, tc.mwhPerT, 1e-12)
	}
	in := fullInput()
	in.Electrolysis.LiquidACkWhPerT = f64(13500) // above ac 13,000
	_, _, err := e2.Primary(in)
	wantInputError(t, err, "Electrolysis.LiquidACkWhPerT", "cannot exceed")
	_, _, err = e1.Primary(in)
	wantInputError(t, err, "Electrolysis.LiquidACkWhPerT", "2026.2")
}

// TestDefaultPortfolioByProvince: with no sources, 2026.2 supplies a
// smelter from captive coal for its region's captive share at the
// dataset's coal-power factor (MEE 2023 表5 fossil-only 0.8273,
// operational) and from the region's grid for the rest (MEE 2023
// provincial factors: Shanxi 0.6634, Inner Mongolia 0.6479, Xinjiang
// 0.6021, Yunnan 0.1333). The share is the national 66 % (IAI 2021) where
// no provincial share was found, and 0 in Yunnan, whose smelters buy grid
// hydropower (Caixin 2023): EF = 0.66 × 0.8273 + 0.34 × grid, Yunnan 0.1333.
func TestDefaultPortfolioByProvince(t *testing.T) {
	e2 := engineFor(t, "2026.2")
	for _, tc := range []struct {
		region     string
		want       float64
		shareQuote string
	}{
		{"CN-SX", 0.66*0.8273 + 0.34*0.6634, "66 %"},
		{"CN-NM", 0.66*0.8273 + 0.34*0.6479, "66 %"},
		{"CN-XJ", 0.66*0.8273 + 0.34*0.6021, "66 %"},
		{"CN-YN", 0.1333, "0 %"},
	} {
		in := fullInput()
		in.Region, in.Electricity = tc.region, calc.ElectricityInput{}
		r, p := mustPrimaryOn(t, e2, in)
		checkClose(t, tc.region+" EF", r.Electricity.EFLocation, tc.want, 1e-12)
		if !slices.Contains(p.Defaulted, "Electricity.Sources") {
			t.Errorf("%s: sources not listed as defaulted", tc.region)
		}
		checkMessage(t, tc.region+" warning", p.Warnings, "typical Chinese smelter", tc.shareQuote)
	}
}

// TestCaptiveCoalBothBases: a coal captive plant given its coal use
// (310 g ce/kWh) is combustion CO2 on the operational basis and, from
// 2026.2, combustion plus the coal's upstream (0.0185 t CO2e/GJ, the
// national coal-mining footprint) on the lifecycle basis. By hand:
// GJ/MWh = 310 × 29.3076 / 1000 = 9.085356; coal factor = 0.02728 t C/GJ
// × 0.923 × 44/12 (NDRC 2007 raw coal); operational EF = 9.085356 × that;
// lifecycle = + 9.085356 × 0.0185. 2026.1 keeps combustion on both.
func TestCaptiveCoalBothBases(t *testing.T) {
	gj := 310 * 29.3076 / 1000
	comb := gj * 0.02728 * 0.923 * 44 / 12
	in := func(b calc.Basis) calc.ElectricityInput {
		return calc.ElectricityInput{Region: "CN-SX", Year: 2023, Basis: b, DemandMWh: 1,
			Sources: []calc.Source{{Kind: calc.KindCaptive, Fuel: "coal", Share: f64(1), CoalGCEPerKWh: f64(310)}}}
	}
	for _, tc := range []struct {
		dataset string
		basis   calc.Basis
		want    float64
	}{
		{"2026.2", calc.BasisOperational, comb},
		{"2026.2", calc.BasisLifecycle, comb + gj*0.0185},
		{"2026.1", calc.BasisLifecycle, comb},
	} {
		r, _, err := engineFor(t, tc.dataset).Electricity(in(tc.basis))
		if err != nil {
			t.Fatal(err)
		}
		checkClose(t, tc.dataset+" "+string(tc.basis)+" captive EF", r.EFLocation, tc.want, 1e-12)
	}
}

// TestETSReferenceSmelter: the China ETS view of fullInput on 2026.2 by
// the MEE guideline CETS-AG-04.01-V01-2024 (Appendix A as implemented):
// anode CO2 = NAC × (1 − S − ash) × 44/12 = 1.470832; the request's
// measured PFC is not a guideline method, so the default factors apply:
// 0.034 kg CF4 × 6.630 + 0.0034 kg C2F6 × 11.100 = 0.26316 t CO2e (AR5);
// process = 1.733992 t/t; enterprise adds the casting gas; purchased
// electricity = 13.05 MWh/t (all grid); 300,000 t/yr: process 520,197.6 t,
// a key emitter (≥ 26,000 t/yr); 2024 allowances = verified emissions,
// balance 0; 2025 benchmark not published (nil). With anode-effect
// minutes (0.05) the guideline's duration method: CF4 0.143 × 0.05 =
// 0.00715 kg/t, C2F6 0.000715 kg/t.
func TestETSReferenceSmelter(t *testing.T) {
	w := fullWant(0)
	r, _ := mustPrimaryOn(t, engineFor(t, "2026.2"), fullInput())
	e := r.ETS
	if e == nil {
		t.Fatal("no ETS view on 2026.2")
	}
	process := 0.411*(1-0.02-0.004)*44/12 + 0.034*6.63 + 0.0034*11.1
	checkClose(t, "process", e.ProcessTCO2ePerT, process, 1e-12)
	checkClose(t, "enterprise", e.EnterpriseTCO2ePerT, process+w.castFuel, 1e-12)
	checkClose(t, "purchased MWh/t", e.PurchasedElectricityMWhPerT, 13.05, 1e-12)
	if e.Annual == nil || !e.Annual.KeyEmitter || e.Annual.ThresholdTCO2e != 26000 {
		t.Fatalf("annual = %+v", e.Annual)
	}
	checkClose(t, "annual process", e.Annual.ProcessTCO2e, process*300000, 1e-12)
	if len(e.Allocation) != 2 || e.Allocation[0].BalanceTCO2e == nil || *e.Allocation[0].BalanceTCO2e != 0 ||
		e.Allocation[1].BenchmarkTCO2ePerT != nil || e.Allocation[1].BalanceTCO2e != nil {
		t.Errorf("allocation = %+v", e.Allocation)
	}
	checkClose(t, "2024 allowances", *e.Allocation[0].AllowancesTCO2e, process*300000, 1e-12)
	in := fullInput()
	in.Electrolysis.PFC = calc.PFCInput{Method: "slope", AnodeEffectMinutesPerCellDay: f64(0.05)}
	r, _ = mustPrimaryOn(t, engineFor(t, "2026.2"), in)
	checkClose(t, "duration-method CF4", r.ETS.CF4KgPerT, 0.143*0.05, 1e-12)
	checkClose(t, "duration-method C2F6", r.ETS.C2F6KgPerT, 0.143*0.05*0.1, 1e-12)
	if r1, _ := mustPrimaryOn(t, engineFor(t, "2026.1"), fullInput()); r1.ETS != nil {
		t.Error("2026.1 has an ETS view")
	}
}

// TestProductCBAMCommissionIndirect: on 2026.2 a product's processing
// electricity (all Shanxi grid by default) takes the Commission's factor
// for China, 0.605 t CO2/MWh (IR 2025/2621 Annex II), beside the plant's
// own operational factor (MEE 2023 Shanxi, 0.6634); 2026.1 keeps the
// plant's own.
func TestProductCBAMCommissionIndirect(t *testing.T) {
	in := calc.ProductInput{Product: "building_profile", Region: "CN-SX", Year: 2023, GWP: "AR5", Basis: calc.BasisLifecycle}
	r, _, err := engineFor(t, "2026.2").Product(in)
	if err != nil {
		t.Fatal(err)
	}
	c := r.CBAM
	checkClose(t, "process indirect", c.ProcessIndirect, c.ElectricityMWhPerT*0.605, 1e-12)
	if c.PortfolioProcessIndirect == nil {
		t.Fatal("no portfolio figure beside the Commission-rule figure")
	}
	checkClose(t, "portfolio process indirect", *c.PortfolioProcessIndirect, c.ElectricityMWhPerT*0.6634, 1e-12)
	r1, _, err := engineFor(t, "2026.1").Product(in)
	if err != nil {
		t.Fatal(err)
	}
	checkClose(t, "2026.1 process indirect", r1.CBAM.ProcessIndirect, r1.CBAM.ElectricityMWhPerT*0.6634, 1e-12)
	if r1.CBAM.PortfolioProcessIndirect != nil {
		t.Error("2026.1 has a Commission-rule figure")
	}
}
