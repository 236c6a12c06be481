package calc_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"alcarbon/calc"
)

// Process values typed from factors/data/2026.1/factors.csv (ids in
// comments); each row of that file names its public source.
const (
	aluminaConsDefault = 1.92     // default/alumina_consumption
	aluminaMJDefault   = 10055.0  // iai/CN/alumina_mj_per_t/2021 [MJ/t alumina]
	bauxiteMining      = 0.077    // upstream/bauxite_mining [t CO2e/t Al]
	nacCN              = 0.411    // anode/cn_default/nac
	anodeS             = 0.02     // anode/default/sulphur
	anodeAsh           = 0.004    // anode/default/ash
	anodeConsDefault   = 0.45     // anode/default/consumption
	greenToBaked       = 1.055    // anode/green_to_baked_ratio
	hydrogenFrac       = 0.005    // anode/hydrogen_fraction
	packingCoke        = 0.015    // anode/packing_coke/consumption
	packingS           = 0.02     // anode/packing_coke/sulphur
	packingAsh         = 0.025    // anode/packing_coke/ash
	bakingGrade3       = 230.0    // gb25324/baking/grade3 [kgce/t]
	ngNCV              = 0.038931 // fuel/natural_gas/ncv [GJ/Nm3]
	ngCC               = 0.01532  // fuel/natural_gas/carbon_content
	ngOx               = 0.99     // fuel/natural_gas/oxidation
	acIAI2021          = 13511.0  // iai/CN/ac_kwh_per_t/2021
	castingKWhDefault  = 50.0     // default/casting_electricity
	cf4CN              = 0.034    // pfc/cn_default/cf4 [kg/t]
	c2f6CN             = 0.0034   // pfc/cn_default/c2f6 [kg/t]
	cbamDefaultCN7601  = 3.0      // cbam/default/CN/7601
)

// GWP100 sets (gwp/AR*/CF4, gwp/AR*/C2F6; cbam/gwp/* = AR5).
var gwps = map[string][2]float64{
	"AR4": {7390, 12200},
	"AR5": {6630, 11100},
	"AR6": {7380, 12400},
}

// Derived factors, each from the published equation with typed numbers.
var (
	coalPerGJ  = coalCC * coalOx * co2PerC                 // t CO2/GJ raw coal
	ngPerGJ    = ngCC * ngOx * co2PerC                     // t CO2/GJ natural gas
	ngPerNm3   = ngNCV * ngCC * ngOx * co2PerC             // 0.002165 t/Nm3 (MEE guideline Appendix A natural gas)
	anodeCO2CN = nacCN * (1 - anodeS - anodeAsh) * co2PerC // IPCC 2006 Eq. 4.21: 1.471 with the China default NAC
	// IPCC Eq. 4.22 per t baked anode, no waste tar: (GA − 0.005 GA − BA) × 44/12
	pitchPerT = (greenToBaked - hydrogenFrac*greenToBaked - 1) * co2PerC
	// IPCC Eq. 4.23 per t baked anode: PCC × 1 × (1 − S − Ash) × 44/12
	packingPerT = packingCoke * (1 - packingS - packingAsh) * co2PerC
)

func mustPrimary(t *testing.T, in calc.PrimaryInput) (calc.PrimaryResult, calc.Provenance) {
	t.Helper()
	r, p, err := engine(t).Primary(in)
	if err != nil {
		t.Fatalf("Primary: %v", err)
	}
	return r, p
}

// fullInput is a smelter with every input given: alumina and anode
// footprints, NAC/S/ash, measured PFC, AC power, casting electricity and
// gas, and one grid source on co2_operational.
func fullInput() calc.PrimaryInput {
	return calc.PrimaryInput{
		Region: "CN-SX", Year: 2023, GWP: "AR5", Basis: calc.BasisOperational, ProductionT: f64(300000),
		Alumina: calc.AluminaInput{ConsumptionTPerT: f64(1.92), FootprintTCO2ePerT: f64(1.2)},
		Anode: calc.AnodeInput{
			NetCarbonTPerT: f64(0.411), SulphurFraction: f64(0.02), AshFraction: f64(0.004),
			ConsumptionTPerT: f64(0.45), ProductionTCO2ePerT: f64(0.35),
		},
		Electrolysis: calc.ElectrolysisInput{
			Technology: "PFPB_M", ACkWhPerT: f64(13000),
			PFC: calc.PFCInput{Method: "measured", CF4KgPerT: f64(0.02), C2F6KgPerT: f64(0.002)},
		},
		Casting:     calc.CastingInput{ElectricityKWhPerT: f64(50), NaturalGasNm3PerT: f64(20)},
		Electricity: calc.ElectricityInput{Sources: []calc.Source{gridShare(1)}},
	}
}

// fullExpected is fullInput's footprint computed by hand.
type fullExpected struct {
	alumina, anodeProd, anodeCO2, cf4, c2f6, direct, elec, castFuel, cast, total float64
}

func fullWant(ef float64) fullExpected {
	var w fullExpected
	w.alumina = 1.92 * 1.2                                // 2.304
	w.anodeProd = 0.45 * 0.35                             // 0.1575
	w.anodeCO2 = 0.411 * (1 - 0.02 - 0.004) * 44 / 12     // 1.470832
	w.cf4 = 0.02 * 6630 / 1000                            // 0.1326 (AR5)
	w.c2f6 = 0.002 * 11100 / 1000                         // 0.0222 (AR5)
	w.direct = w.anodeCO2 + w.cf4 + w.c2f6                // 1.625632
	w.elec = 13000.0 / 1000 * ef                          // 13 MWh/t × EF
	w.castFuel = 20 * 0.038931 * 0.01532 * 0.99 * 44 / 12 // 20 Nm3 × 0.002165 t/Nm3 = 0.0433
	w.cast = 50.0/1000*ef + w.castFuel
	w.total = w.alumina + w.anodeProd + w.direct + w.elec + w.cast
	return w
}

func stageByName(t *testing.T, r calc.PrimaryResult, name string) calc.Stage {
	t.Helper()
	for _, s := range r.Stages {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no stage %q in %+v", name, r.Stages)
	return calc.Stage{}
}

// (a) A fully specified smelter: every stage, total, gas, scope, CBAM and
// rating computed by hand from the published equations.
func TestPrimaryFullySpecified(t *testing.T) {
	r, p := mustPrimary(t, fullInput())
	w := fullWant(efSX2023)

	wantStages := []struct {
		name string
		v    float64
	}{
		{calc.StageAluminaRefining, w.alumina},
		{calc.StageAnodeProduction, w.anodeProd},
		{calc.StageElectrolysisDirect, w.direct},
		{calc.StageElectrolysisElectricity, w.elec},
		{calc.StageCasting, w.cast},
	}
	if len(r.Stages) != len(wantStages) {
		t.Fatalf("stages = %+v, want %d", r.Stages, len(wantStages))
	}
	for i, ws := range wantStages {
		s := r.Stages[i]
		if s.Name != ws.name {
			t.Errorf("Stages[%d].Name = %q, want %q (fixed stage order, alumina to casting)", i, s.Name, ws.name)
		}
		checkClose(t, ws.name+" location", s.LocationBased, ws.v, tolExact)
		checkClose(t, ws.name+" market", s.MarketBased, ws.v, tolExact) // no instruments
		checkClose(t, ws.name+" share", s.Share, ws.v/w.total, tolExact)
	}
	checkClose(t, "LocationBased", r.LocationBased, w.total, tolExact)
	checkClose(t, "MarketBased", r.MarketBased, w.total, tolExact)
	checkClose(t, "MWhPerT", r.MWhPerT, 13.05, tolExact) // (13,000 + 50) / 1000

	// Gases.
	checkClose(t, "Gases.CF4KgPerT", r.Gases.CF4KgPerT, 0.02, tolExact)
	checkClose(t, "Gases.C2F6KgPerT", r.Gases.C2F6KgPerT, 0.002, tolExact)
	checkClose(t, "Gases.CF4", r.Gases.CF4, w.cf4, tolExact)
	checkClose(t, "Gases.C2F6", r.Gases.C2F6, w.c2f6, tolExact)
	checkClose(t, "Gases.CO2", r.Gases.CO2, w.total-w.cf4-w.c2f6, tolExact)

	// Scopes: direct = anode CO2 + PFC + casting gas; indirect = all electricity.
	checkClose(t, "Scopes.Direct", r.Scopes.Direct, w.direct+w.castFuel, tolExact)
	checkClose(t, "Scopes.IndirectElectricity", r.Scopes.IndirectElectricity, 13.05*efSX2023, tolExact)
	checkClose(t, "Scopes.Upstream", r.Scopes.Upstream, w.alumina+w.anodeProd, tolExact)

	// CBAM (IR 2025/2547: AR5 GWPs 6630/11100, operational CO2 factor).
	c := r.CBAM
	checkClose(t, "CBAM.SEEDirect", c.SEEDirect, w.anodeCO2+0.02*6630/1000+0.002*11100/1000+w.castFuel, tolExact)
	checkClose(t, "CBAM.SEEIndirect", c.SEEIndirect, 13.05*efSX2023, tolExact) // 8.65737
	checkClose(t, "CBAM.ElectricityMWhPerT", c.ElectricityMWhPerT, 13.05, tolExact)
	checkClose(t, "CBAM.ElectricityEF", c.ElectricityEF, efSX2023, tolExact)
	// Regulation 2023/956 Art. 7(1), Annex II: aluminium counts direct emissions only.
	checkClose(t, "CBAM.ObligationTCO2ePerT", c.ObligationTCO2ePerT, c.SEEDirect, tolExact)
	if c.CNCode != "7601" {
		t.Errorf("CBAM.CNCode = %q, want 7601", c.CNCode)
	}
	if c.DefaultValueTCO2ePerT == nil || *c.DefaultValueTCO2ePerT != cbamDefaultCN7601 {
		t.Errorf("CBAM.DefaultValueTCO2ePerT = %v, want 3.0 (China, 7601)", c.DefaultValueTCO2ePerT)
	}

	// Ratings: 13,000 kWh/t is GB 21346-2022 grade 2 and the NDRC benchmark.
	if r.Ratings.GB21346ACGrade != 2 || r.Ratings.NDRCLevel != "benchmark" || r.Ratings.ACkWhPerT != 13000 {
		t.Errorf("Ratings = %+v, want grade 2, benchmark, 13000", r.Ratings)
	}
	if r.DeclaredUnit != "1 t primary aluminium (ingot)" || r.GWP != "AR5" || r.Basis != calc.BasisOperational {
		t.Errorf("DeclaredUnit %q, GWP %q, Basis %q", r.DeclaredUnit, r.GWP, r.Basis)
	}
	if len(p.Defaulted) != 0 {
		t.Errorf("Defaulted = %q, want none: every input was given", p.Defaulted)
	}
	if len(p.Warnings) != 0 {
		t.Errorf("Warnings = %q, want none for a fully specified operational request", p.Warnings)
	}
	checkProvenanceComplete(t, p)
}

// GB 21346-2022 Table 1 liquid AC grades 12,950 / 13,000 / 13,350 and NDRC
// benchmark 13,000 / baseline 13,350 (发改产业〔2021〕1609号).
func TestPrimaryRatings(t *testing.T) {
	tests := []struct {
		ac    float64
		grade int
		level string
	}{
		{12500, 1, "benchmark"},
		{12950, 1, "benchmark"},
		{13000, 2, "benchmark"},
		{13001, 3, "baseline"},
		{13350, 3, "baseline"},
		{13351, 0, "below_baseline"},
		{14114, 0, "below_baseline"}, // IAI world average 2021
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.ac), func(t *testing.T) {
			in := fullInput()
			in.Electrolysis.ACkWhPerT = f64(tc.ac)
			r, _ := mustPrimary(t, in)
			if r.Ratings.GB21346ACGrade != tc.grade || r.Ratings.NDRCLevel != tc.level {
				t.Errorf("Ratings = %+v, want grade %d, %s", r.Ratings, tc.grade, tc.level)
			}
			checkClose(t, "electrolysis_electricity", stageByName(t, r, calc.StageElectrolysisElectricity).LocationBased, tc.ac/1000*efSX2023, tolExact)
			checkClose(t, "MWhPerT", r.MWhPerT, (tc.ac+50)/1000, tolExact)
		})
	}
}

// The footprint uses the requested GWP set and basis; the CBAM block always
// uses AR5 (IR 2025/2547 Annex II G) and operational CO2 factors.
func TestPrimaryCBAMFollowsItsOwnRules(t *testing.T) {
	t.Run("AR6 footprint, AR5 CBAM", func(t *testing.T) {
		in := fullInput()
		in.GWP = "AR6"
		r, _ := mustPrimary(t, in)
		checkClose(t, "Gases.CF4 (AR6 7380)", r.Gases.CF4, 0.02*7380/1000, tolExact)
		checkClose(t, "Gases.C2F6 (AR6 12400)", r.Gases.C2F6, 0.002*12400/1000, tolExact)
		w := fullWant(efSX2023)
		checkClose(t, "CBAM.SEEDirect (AR5)", r.CBAM.SEEDirect, w.anodeCO2+0.02*6630/1000+0.002*11100/1000+w.castFuel, tolExact)
	})
	t.Run("lifecycle footprint, operational CBAM", func(t *testing.T) {
		in := fullInput()
		in.Basis = calc.BasisLifecycle
		r, p := mustPrimary(t, in)
		w := fullWant(sxLCEstimate)
		checkClose(t, "electrolysis_electricity (estimate)", stageByName(t, r, calc.StageElectrolysisElectricity).LocationBased, w.elec, tolExact)
		checkClose(t, "LocationBased", r.LocationBased, w.total, tolExact)
		checkClose(t, "CBAM.SEEIndirect (0.6634)", r.CBAM.SEEIndirect, 13.05*efSX2023, tolExact)
		checkClose(t, "CBAM.ElectricityEF", r.CBAM.ElectricityEF, efSX2023, tolExact)
		checkMessage(t, "warning", p.Warnings, "estimate")
	})
}

// (b) PFC methods (default, tier1, slope, overvoltage, measured), each
// hand-computed from its equation and the dataset coefficients.
func TestPrimaryPFCMethods(t *testing.T) {
	tests := []struct {
		name      string
		tech      string
		pfc       calc.PFCInput
		gwp       string
		cf4, c2f6 float64 // kg/t Al
		noteCO2e  float64 // rounded t CO2e/t quoted in the case comment, 0 if none
		noteAbs   float64
		defaulted string // a pointer that must be listed as defaulted
	}{
		// China guideline default: 0.034 × 6630/1000 + 0.0034 × 11100/1000 ≈ 0.263 (AR5)
		{name: "default AR5", pfc: calc.PFCInput{Method: "default"}, gwp: "AR5", cf4: 0.034, c2f6: 0.0034, noteCO2e: 0.263, noteAbs: 0.0005},
		{name: "method left out", gwp: "AR5", cf4: 0.034, c2f6: 0.0034, noteCO2e: 0.263, noteAbs: 0.0005, defaulted: "Electrolysis.PFC.Method"},
		// the same defaults × AR6 GWPs (CF4 7380, C2F6 12400) ≈ 0.293
		{name: "default AR6", pfc: calc.PFCInput{Method: "default"}, gwp: "AR6", cf4: 0.034, c2f6: 0.0034, noteCO2e: 0.293, noteAbs: 0.0005},
		{name: "default AR4", pfc: calc.PFCInput{Method: "default"}, gwp: "AR4", cf4: 0.034, c2f6: 0.0034},
		// IPCC 2006 Vol. 3 Ch. 4 Table 4.15; CWPB Tier 1: 0.4 × 6.63 + 0.04 × 11.1 ≈ 3.10 (AR5)
		{name: "tier1 CWPB", tech: "CWPB", pfc: calc.PFCInput{Method: "tier1"}, gwp: "AR5", cf4: 0.4, c2f6: 0.04, noteCO2e: 3.10, noteAbs: 0.005},
		{name: "tier1 PFPB_M counts as CWPB", tech: "PFPB_M", pfc: calc.PFCInput{Method: "tier1"}, gwp: "AR5", cf4: 0.4, c2f6: 0.04},
		{name: "tier1 SWPB", tech: "SWPB", pfc: calc.PFCInput{Method: "tier1"}, gwp: "AR5", cf4: 1.6, c2f6: 0.4},
		{name: "tier1 VSS", tech: "VSS", pfc: calc.PFCInput{Method: "tier1"}, gwp: "AR5", cf4: 0.8, c2f6: 0.04},
		{name: "tier1 HSS", tech: "HSS", pfc: calc.PFCInput{Method: "tier1"}, gwp: "AR5", cf4: 0.4, c2f6: 0.03},
		// IR 2025/2547 Annex II B.7 Table 2: PFPB modern SEF 0.104, F 0.057
		{name: "slope cbam2025 PFPB_M AEM 0.05", tech: "PFPB_M", pfc: calc.PFCInput{Method: "slope", Coefficients: "cbam2025", AnodeEffectMinutesPerCellDay: f64(0.05)},
			gwp: "AR5", cf4: 0.104 * 0.05, c2f6: 0.104 * 0.05 * 0.057},
		{name: "slope default set is cbam2025", tech: "PFPB_M", pfc: calc.PFCInput{Method: "slope", AnodeEffectMinutesPerCellDay: f64(0.05)},
			gwp: "AR5", cf4: 0.104 * 0.05, c2f6: 0.104 * 0.05 * 0.057, defaulted: "Electrolysis.PFC.Coefficients"},
		// PFPB legacy 0.122 / 0.097
		{name: "slope cbam2025 PFPB_L AEM 0.1", tech: "PFPB_L", pfc: calc.PFCInput{Method: "slope", Coefficients: "cbam2025", AnodeEffectMinutesPerCellDay: f64(0.1)},
			gwp: "AR5", cf4: 0.122 * 0.1, c2f6: 0.122 * 0.1 * 0.097},
		// PFPB_MW: own measurement, else the CWPB values 0.143 / 0.121
		{name: "slope cbam2025 PFPB_MW uses CWPB", tech: "PFPB_MW", pfc: calc.PFCInput{Method: "slope", Coefficients: "cbam2025", AnodeEffectMinutesPerCellDay: f64(0.05)},
			gwp: "AR5", cf4: 0.143 * 0.05, c2f6: 0.143 * 0.05 * 0.121},
		{name: "slope cbam2025 SWPB", tech: "SWPB", pfc: calc.PFCInput{Method: "slope", Coefficients: "cbam2025", AnodeEffectMinutesPerCellDay: f64(0.3)},
			gwp: "AR5", cf4: 0.233 * 0.3, c2f6: 0.233 * 0.3 * 0.280},
		{name: "slope cbam2025 VSS", tech: "VSS", pfc: calc.PFCInput{Method: "slope", Coefficients: "cbam2025", AnodeEffectMinutesPerCellDay: f64(0.5)},
			gwp: "AR5", cf4: 0.058 * 0.5, c2f6: 0.058 * 0.5 * 0.086},
		{name: "slope cbam2025 HSS", tech: "HSS", pfc: calc.PFCInput{Method: "slope", Coefficients: "cbam2025", AnodeEffectMinutesPerCellDay: f64(0.5)},
			gwp: "AR5", cf4: 0.165 * 0.5, c2f6: 0.165 * 0.5 * 0.077},
		// IPCC 2006 Tier 2 (AMEE/GHGP): CWPB 0.143 / 0.121; PFPB counted as CWPB
		{name: "slope ipcc2006 PFPB_M uses CWPB", tech: "PFPB_M", pfc: calc.PFCInput{Method: "slope", Coefficients: "ipcc2006", AnodeEffectMinutesPerCellDay: f64(0.05)},
			gwp: "AR5", cf4: 0.143 * 0.05, c2f6: 0.143 * 0.05 * 0.121},
		{name: "slope ipcc2006 SWPB", tech: "SWPB", pfc: calc.PFCInput{Method: "slope", Coefficients: "ipcc2006", AnodeEffectMinutesPerCellDay: f64(0.3)},
			gwp: "AR5", cf4: 0.272 * 0.3, c2f6: 0.272 * 0.3 * 0.252},
		{name: "slope ipcc2006 VSS", tech: "VSS", pfc: calc.PFCInput{Method: "slope", Coefficients: "ipcc2006", AnodeEffectMinutesPerCellDay: f64(0.5)},
			gwp: "AR5", cf4: 0.092 * 0.5, c2f6: 0.092 * 0.5 * 0.053},
		// China guideline: EF_CF4 = 0.143 × AEM, EF_C2F6 = 0.1 × EF_CF4 (CETS-AG-04.01-V01-2024 lineage)
		{name: "slope cn_guideline", pfc: calc.PFCInput{Method: "slope", Coefficients: "cn_guideline", AnodeEffectMinutesPerCellDay: f64(0.2)},
			gwp: "AR5", cf4: 0.143 * 0.2, c2f6: 0.143 * 0.2 * 0.1},
		{name: "slope installation coefficients", tech: "PFPB_M", pfc: calc.PFCInput{Method: "slope", AnodeEffectMinutesPerCellDay: f64(0.2), SlopeCF4: f64(0.1), FractionC2F6: f64(0.08)},
			gwp: "AR5", cf4: 0.1 * 0.2, c2f6: 0.1 * 0.2 * 0.08},
		// IR 2025/2547 Annex II B.7 Table 3 / EU MRR 601/2012 Annex IV: CF4 = OVC × AEO / CE(%)
		{name: "overvoltage CWPB", tech: "CWPB", pfc: calc.PFCInput{Method: "overvoltage", AnodeEffectOvervoltageMV: f64(2), CurrentEfficiency: f64(0.94)},
			gwp: "AR5", cf4: 1.16 * 2 / 94, c2f6: 1.16 * 2 / 94 * 0.121},
		{name: "overvoltage PFPB_M uses CWPB", tech: "PFPB_M", pfc: calc.PFCInput{Method: "overvoltage", AnodeEffectOvervoltageMV: f64(2), CurrentEfficiency: f64(0.94)},
			gwp: "AR5", cf4: 1.16 * 2 / 94, c2f6: 1.16 * 2 / 94 * 0.121},
		{name: "overvoltage SWPB", tech: "SWPB", pfc: calc.PFCInput{Method: "overvoltage", AnodeEffectOvervoltageMV: f64(1.5), CurrentEfficiency: f64(0.90)},
			gwp: "AR5", cf4: 3.65 * 1.5 / 90, c2f6: 3.65 * 1.5 / 90 * 0.252},
		{name: "measured AR6", tech: "PFPB_M", pfc: calc.PFCInput{Method: "measured", CF4KgPerT: f64(0.05), C2F6KgPerT: f64(0.004)},
			gwp: "AR6", cf4: 0.05, c2f6: 0.004},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := fullInput()
			in.GWP = tc.gwp
			in.Electrolysis.Technology = tc.tech
			in.Electrolysis.PFC = tc.pfc
			r, p := mustPrimary(t, in)
			g := gwps[tc.gwp]
			wantCF4, wantC2F6 := tc.cf4*g[0]/1000, tc.c2f6*g[1]/1000
			checkClose(t, "CF4KgPerT", r.Gases.CF4KgPerT, tc.cf4, tolExact)
			checkClose(t, "C2F6KgPerT", r.Gases.C2F6KgPerT, tc.c2f6, tolExact)
			checkClose(t, "Gases.CF4", r.Gases.CF4, wantCF4, tolExact)
			checkClose(t, "Gases.C2F6", r.Gases.C2F6, wantC2F6, tolExact)
			if tc.noteCO2e != 0 {
				checkAbs(t, "PFC t CO2e/t vs rounded figure", r.Gases.CF4+r.Gases.C2F6, tc.noteCO2e, tc.noteAbs)
			}
			checkClose(t, "electrolysis_direct", stageByName(t, r, calc.StageElectrolysisDirect).LocationBased, anodeCO2CN+wantCF4+wantC2F6, tolExact)
			// CBAM always on AR5 (cbam/gwp/CF4 6630, C2F6 11100).
			checkClose(t, "CBAM.SEEDirect", r.CBAM.SEEDirect, anodeCO2CN+tc.cf4*6630/1000+tc.c2f6*11100/1000+20*ngPerNm3, tolExact)
			if tc.defaulted != "" && !slices.Contains(p.Defaulted, tc.defaulted) {
				t.Errorf("Defaulted = %q, want %s listed", p.Defaulted, tc.defaulted)
			}
		})
	}
	// Literal anchor for the PFC default: 0.034 × 6630/1000 + 0.0034 × 11100/1000 = 0.26316.
	in := fullInput()
	in.Electrolysis.PFC = calc.PFCInput{}
	r, _ := mustPrimary(t, in)
	checkClose(t, "default PFC AR5", r.Gases.CF4+r.Gases.C2F6, 0.26316, tolExact)
}

func TestPrimaryPFCErrors(t *testing.T) {
	tests := []struct {
		name    string
		tech    string
		pfc     calc.PFCInput
		pointer string
	}{
		{"slope without AEM", "PFPB_M", calc.PFCInput{Method: "slope"}, "Electrolysis.PFC.AnodeEffectMinutesPerCellDay"},
		{"slope without technology", "", calc.PFCInput{Method: "slope", Coefficients: "cbam2025", AnodeEffectMinutesPerCellDay: f64(0.1)}, "Electrolysis.Technology"},
		{"overvoltage VSS", "VSS", calc.PFCInput{Method: "overvoltage", AnodeEffectOvervoltageMV: f64(2), CurrentEfficiency: f64(0.94)}, "Electrolysis.Technology"},
		{"overvoltage without CE", "CWPB", calc.PFCInput{Method: "overvoltage", AnodeEffectOvervoltageMV: f64(2)}, "Electrolysis.PFC"},
		{"measured without C2F6", "CWPB", calc.PFCInput{Method: "measured", CF4KgPerT: f64(0.02)}, "Electrolysis.PFC"},
		{"unknown method", "CWPB", calc.PFCInput{Method: "guess"}, "Electrolysis.PFC.Method"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := fullInput()
			in.Electrolysis.Technology = tc.tech
			in.Electrolysis.PFC = tc.pfc
			_, _, err := engine(t).Primary(in)
			wantInputError(t, err, tc.pointer)
		})
	}
}

func TestPrimaryInputErrors(t *testing.T) {
	tests := []struct {
		name    string
		mod     func(*calc.PrimaryInput)
		pointer string
	}{
		{"unknown region", func(in *calc.PrimaryInput) { in.Region = "CN-XZ" }, "Region"},
		{"year without factors", func(in *calc.PrimaryInput) { in.Year = 2019 }, "Year"},
		{"lifecycle before 2023", func(in *calc.PrimaryInput) { in.Year, in.Basis = 2022, calc.BasisLifecycle }, "Year"},
		{"shares not summing to 1", func(in *calc.PrimaryInput) { in.Electricity.Sources = []calc.Source{gridShare(0.7)} }, "Electricity.Sources"},
		{"annual volume without production", func(in *calc.PrimaryInput) {
			in.ProductionT = nil
			in.Electricity.Sources = []calc.Source{{Kind: calc.KindOnsitePV, MWh: f64(1000)}}
		}, "Electricity.Sources[0].MWh"},
		{"certificates without production", func(in *calc.PrimaryInput) {
			in.ProductionT = nil
			in.Electricity.CertificatesMWh = f64(1000)
		}, "Electricity.CertificatesMWh"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := fullInput()
			tc.mod(&in)
			_, _, err := engine(t).Primary(in)
			wantInputError(t, err, tc.pointer)
		})
	}
}

// defaultWant is the footprint of an empty request, by hand, for a grid
// factor ef (location-based, per MWh).
func defaultWant(ef float64) (stages [5]float64, total float64) {
	// alumina: 1.92 t × (10,055 MJ/t = 10.055 GJ/t treated as raw coal × coal CO2/GJ) + bauxite 0.077 per t Al
	stages[0] = aluminaConsDefault*(aluminaMJDefault/1000*coalPerGJ) + bauxiteMining
	// anode production: 0.45 t × (230 kgce × 29.3076 MJ/kgce × NG CO2/GJ + pitch (Eq. 4.22) + packing coke (Eq. 4.23))
	stages[1] = anodeConsDefault * (bakingGrade3*kgceMJ/1000*ngPerGJ + pitchPerT + packingPerT)
	// electrolysis direct: Eq. 4.21 with China defaults + PFC default × AR5
	stages[2] = anodeCO2CN + cf4CN*6630/1000 + c2f6CN*11100/1000
	// 13,511 kWh/t (IAI China 2021) and 50 kWh/t casting, no casting gas
	stages[3] = acIAI2021 / 1000 * ef
	stages[4] = castingKWhDefault / 1000 * ef
	for _, s := range stages {
		total += s
	}
	return stages, total
}

// (c) An empty request takes every default from the dataset, lists each
// defaulted input, and warns where the default matters.
func TestPrimaryDefaults(t *testing.T) {
	tests := []struct {
		basis calc.Basis
		ef    float64
	}{
		{calc.BasisLifecycle, sxLCEstimate}, // 0.6205 × 0.6634 / 0.5306
		{calc.BasisOperational, efSX2023},
	}
	for _, tc := range tests {
		t.Run(string(tc.basis), func(t *testing.T) {
			r, p := mustPrimary(t, calc.PrimaryInput{Region: "CN-SX", Year: 2023, GWP: "AR5", Basis: tc.basis})
			stages, total := defaultWant(tc.ef)
			for i, s := range r.Stages {
				checkClose(t, s.Name, s.LocationBased, stages[i], tolExact)
				checkClose(t, s.Name+" market", s.MarketBased, stages[i], tolExact)
			}
			checkClose(t, "LocationBased", r.LocationBased, total, tolExact)
			checkClose(t, "MarketBased", r.MarketBased, total, tolExact)
			checkClose(t, "MWhPerT", r.MWhPerT, (acIAI2021+castingKWhDefault)/1000, tolExact) // 13.561
			// CBAM: operational 0.6634 whatever the basis; direct = anode CO2 + PFC (AR5), no casting fuel.
			checkClose(t, "CBAM.SEEIndirect", r.CBAM.SEEIndirect, 13.561*efSX2023, tolExact)
			checkClose(t, "CBAM.SEEDirect", r.CBAM.SEEDirect, stages[2], tolExact)
			if r.Ratings.GB21346ACGrade != 0 || r.Ratings.NDRCLevel != "below_baseline" {
				t.Errorf("Ratings for 13,511 kWh/t = %+v, want grade 0 (above 13,350), below_baseline", r.Ratings)
			}

			wantDefaulted := []string{
				"Alumina.ConsumptionTPerT",
				"Alumina.Refinery.CoalGJPerT",
				"Alumina.Refinery.UpstreamTCO2ePerT",
				"Anode.AshFraction",
				"Anode.BakingEnergyKgcePerT",
				"Anode.BakingFuel",
				"Anode.ConsumptionTPerT",
				"Anode.NetCarbonTPerT",
				"Anode.ProductionTCO2ePerT",
				"Anode.SulphurFraction",
				"Casting.ElectricityKWhPerT",
				"Casting.NaturalGasNm3PerT",
				"Electricity.Sources", // no source given: the plant region's grid supplies all
				"Electrolysis.ACkWhPerT",
				"Electrolysis.PFC.Method",
			}
			slices.Sort(wantDefaulted)
			if !slices.Equal(p.Defaulted, wantDefaulted) {
				t.Errorf("Defaulted =\n  %s\nwant\n  %s", strings.Join(p.Defaulted, "\n  "), strings.Join(wantDefaulted, "\n  "))
			}
			checkMessage(t, "warning", p.Warnings, "AC power not given", "13511 kWh/t")
			checkMessage(t, "warning", p.Warnings, "alumina refinery energy not given")
			checkMessage(t, "warning", p.Warnings, "anode baking energy not given")
			if tc.basis == calc.BasisLifecycle {
				checkMessage(t, "warning", p.Warnings, "estimate")
			}
			checkProvenanceComplete(t, p)
			for _, id := range []string{
				"iai/CN/ac_kwh_per_t/2021", "default/casting_electricity", "default/alumina_consumption",
				"iai/CN/alumina_mj_per_t/2021", "upstream/bauxite_mining", "anode/cn_default/nac",
				"pfc/cn_default/cf4", "pfc/cn_default/c2f6", "gwp/AR5/CF4", "gb25324/baking/grade3",
				"grid/average_co2/CN-SX/2023", "cbam/gwp/CF4", "gb21346/liquid_ac/grade3",
			} {
				if _, ok := factorValue(p, id); !ok {
					t.Errorf("provenance lacks %s", id)
				}
			}
		})
	}
}

// Alumina footprint computed from the refinery's energy (fuels, electricity
// and an upstream term).
func TestPrimaryAluminaFromRefinery(t *testing.T) {
	t.Run("coal, gas, electricity and upstream given", func(t *testing.T) {
		in := fullInput()
		in.Alumina = calc.AluminaInput{Refinery: calc.RefineryInput{
			CoalGJPerT: f64(8), NaturalGasNm3PerT: f64(30), ElectricityKWhPerT: f64(250), UpstreamTCO2ePerT: f64(0.15),
		}}
		r, p := mustPrimary(t, in)
		// 1.92 × (8 GJ × coal + 30 Nm3 × NG + 0.25 MWh × 0.6634 + 0.15)
		want := 1.92 * (8*coalPerGJ + 30*ngPerNm3 + 0.25*efSX2023 + 0.15)
		checkClose(t, "alumina_refining", stageByName(t, r, calc.StageAluminaRefining).LocationBased, want, tolExact)
		if !slices.Equal(p.Defaulted, []string{"Alumina.ConsumptionTPerT"}) {
			t.Errorf("Defaulted = %q, want only the alumina consumption", p.Defaulted)
		}
	})
	t.Run("coal only, bauxite upstream default", func(t *testing.T) {
		in := fullInput()
		in.Alumina = calc.AluminaInput{ConsumptionTPerT: f64(1.93), Refinery: calc.RefineryInput{CoalGJPerT: f64(9)}}
		r, p := mustPrimary(t, in)
		// 1.93 × 9 × coal CO2/GJ + 0.077 (bauxite mining, per t Al)
		want := 1.93*9*coalPerGJ + bauxiteMining
		checkClose(t, "alumina_refining", stageByName(t, r, calc.StageAluminaRefining).LocationBased, want, tolExact)
		checkMessage(t, "warning", p.Warnings, "bauxite")
	})
	t.Run("refinery electricity on the lifecycle basis", func(t *testing.T) {
		in := fullInput()
		in.Basis = calc.BasisLifecycle
		in.Alumina = calc.AluminaInput{Refinery: calc.RefineryInput{CoalGJPerT: f64(8), ElectricityKWhPerT: f64(250), UpstreamTCO2ePerT: f64(0.15)}}
		r, _ := mustPrimary(t, in)
		want := 1.92 * (8*coalPerGJ + 0.25*sxLCEstimate + 0.15)
		s := stageByName(t, r, calc.StageAluminaRefining)
		checkClose(t, "alumina_refining location", s.LocationBased, want, tolExact)
		checkClose(t, "alumina_refining market", s.MarketBased, want, tolExact)
	})
}

// The alumina footprint is computed from the refinery fuels given (coal,
// gas: quantity per t × fuel factor). A gas-fired refinery that gives its gas
// must not also get the IAI total refinery energy (10,055 MJ/t) as coal.
func TestPrimaryAluminaGasOnlyRefinery(t *testing.T) {
	in := fullInput()
	in.Alumina = calc.AluminaInput{Refinery: calc.RefineryInput{NaturalGasNm3PerT: f64(300), UpstreamTCO2ePerT: f64(0.15)}}
	r, p := mustPrimary(t, in)
	got := stageByName(t, r, calc.StageAluminaRefining).LocationBased
	// 1.92 × (300 Nm3 × 0.002165 t/Nm3 + 0.15)
	want := 1.92 * (300*ngPerNm3 + 0.15)
	checkClose(t, "alumina_refining", got, want, tolExact)
	if hasMessage(p.Warnings, "refinery energy not given") {
		t.Errorf("warns that refinery energy is missing although gas was given: %q", p.Warnings)
	}
}

// Anode production footprint computed from baking energy, pitch volatiles
// (IPCC Eq. 4.22) and packing coke (Eq. 4.23).
func TestPrimaryAnodeProductionComputed(t *testing.T) {
	tests := []struct {
		name      string
		anode     calc.AnodeInput
		want      float64
		defaulted []string
	}{
		{
			name:  "200 kgce/t baking on coal, 0.44 t/t",
			anode: calc.AnodeInput{ConsumptionTPerT: f64(0.44), BakingEnergyKgcePerT: f64(200), BakingFuel: "coal"},
			// 0.44 × (200 × 29.3076/1000 GJ × coal CO2/GJ + 0.182325 + 0.052525)
			want:      0.44 * (200*kgceMJ/1000*coalPerGJ + pitchPerT + packingPerT),
			defaulted: []string{"Anode.ProductionTCO2ePerT"},
		},
		{
			name:      "170 kgce/t (grade 1) on natural gas",
			anode:     calc.AnodeInput{ConsumptionTPerT: f64(0.45), BakingEnergyKgcePerT: f64(170), BakingFuel: "natural_gas"},
			want:      0.45 * (170*kgceMJ/1000*ngPerGJ + pitchPerT + packingPerT),
			defaulted: []string{"Anode.ProductionTCO2ePerT"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := fullInput()
			in.Anode = tc.anode
			in.Anode.NetCarbonTPerT, in.Anode.SulphurFraction, in.Anode.AshFraction = f64(0.411), f64(0.02), f64(0.004)
			r, p := mustPrimary(t, in)
			checkClose(t, "anode_production", stageByName(t, r, calc.StageAnodeProduction).LocationBased, tc.want, tolExact)
			if !slices.Equal(p.Defaulted, tc.defaulted) {
				t.Errorf("Defaulted = %q, want %q", p.Defaulted, tc.defaulted)
			}
		})
	}
	// Literal anchors: pitch 0.182325 and packing coke 0.052525 t CO2/t baked anode.
	checkClose(t, "pitch per t", pitchPerT, 0.182325, tolExact)
	checkClose(t, "packing per t", packingPerT, 0.052525, tolExact)
}

// (d) Molten metal (direct supply) has no casting stage.
func TestPrimaryMolten(t *testing.T) {
	in := fullInput()
	in.Casting = calc.CastingInput{Molten: true}
	r, p := mustPrimary(t, in)
	w := fullWant(efSX2023)
	s := stageByName(t, r, calc.StageCasting)
	if s.LocationBased != 0 || s.MarketBased != 0 {
		t.Errorf("casting stage = %+v, want 0 for molten metal", s)
	}
	checkClose(t, "MWhPerT", r.MWhPerT, 13.0, tolExact)
	checkClose(t, "LocationBased", r.LocationBased, w.alumina+w.anodeProd+w.direct+w.elec, tolExact)
	checkClose(t, "CBAM.SEEDirect", r.CBAM.SEEDirect, w.anodeCO2+w.cf4+w.c2f6, tolExact)
	checkClose(t, "CBAM.SEEIndirect", r.CBAM.SEEIndirect, 13.0*efSX2023, tolExact)
	if !strings.Contains(r.DeclaredUnit, "liquid") {
		t.Errorf("DeclaredUnit = %q, want liquid metal", r.DeclaredUnit)
	}
	if slices.Contains(p.Defaulted, "Casting.ElectricityKWhPerT") {
		t.Errorf("Defaulted = %q lists casting electricity for molten metal", p.Defaulted)
	}
	checkMessage(t, "assumption", p.Assumptions, "molten")

	// The default request, molten.
	r, _ = mustPrimary(t, calc.PrimaryInput{Region: "CN-SX", Year: 2023, GWP: "AR5", Basis: calc.BasisOperational, Casting: calc.CastingInput{Molten: true}})
	stages, total := defaultWant(efSX2023)
	checkClose(t, "default molten LocationBased", r.LocationBased, total-stages[4], tolExact)
	if stageByName(t, r, calc.StageCasting).LocationBased != 0 {
		t.Errorf("default molten casting stage not 0")
	}
}

// (e) Stage shares are of the location-based total and sum to 1.
func TestPrimaryStageSharesSumToOne(t *testing.T) {
	withCerts := fullInput()
	withCerts.Electricity.CertificatesMWh = f64(1e6)
	molten := fullInput()
	molten.Casting = calc.CastingInput{Molten: true}
	tests := map[string]calc.PrimaryInput{
		"full":               fullInput(),
		"full, certificates": withCerts,
		"full, molten":       molten,
		"default lifecycle":  {Region: "CN-YN", Year: 2023, GWP: "AR6", Basis: calc.BasisLifecycle},
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			r, _ := mustPrimary(t, in)
			var sum, loc float64
			for _, s := range r.Stages {
				sum += s.Share
				loc += s.LocationBased
				checkClose(t, s.Name+" share", s.Share, s.LocationBased/r.LocationBased, tolExact)
			}
			checkClose(t, "Σ shares", sum, 1, tolExact)
			checkClose(t, "Σ stages", loc, r.LocationBased, tolExact)
			checkClose(t, "Σ scopes", r.Scopes.Direct+r.Scopes.IndirectElectricity+r.Scopes.Upstream, r.LocationBased, tolExact)
			checkClose(t, "Σ gases", r.Gases.CO2+r.Gases.CF4+r.Gases.C2F6, r.LocationBased, tolExact)
		})
	}
}

// (f) Certificates lower the market-based result only.
func TestPrimaryCertificates(t *testing.T) {
	in := fullInput()
	in.Electricity.CertificatesMWh = f64(1e6)
	r, p := mustPrimary(t, in)
	w := fullWant(efSX2023)
	// D = 13.05 MWh/t × 300,000 t = 3,915,000 MWh; 1,000,000 covered
	d := 13.05 * 300000
	efMkt := (d - 1e6) * efSX2023 / d
	checkClose(t, "Electricity.EFMarket", r.Electricity.EFMarket, efMkt, tolExact)
	checkClose(t, "LocationBased", r.LocationBased, w.total, tolExact)
	wantMkt := w.alumina + w.anodeProd + w.direct + 13.0*efMkt + 0.05*efMkt + w.castFuel
	checkClose(t, "MarketBased", r.MarketBased, wantMkt, tolExact)
	if !(r.MarketBased < r.LocationBased) {
		t.Errorf("MarketBased %.6g not below LocationBased %.6g with certificates", r.MarketBased, r.LocationBased)
	}
	checkClose(t, "electrolysis_electricity market", stageByName(t, r, calc.StageElectrolysisElectricity).MarketBased, 13.0*efMkt, tolExact)
	checkClose(t, "electrolysis_electricity location", stageByName(t, r, calc.StageElectrolysisElectricity).LocationBased, 13.0*efSX2023, tolExact)
	// CBAM uses the location-based operational factor: certificates do not count.
	checkClose(t, "CBAM.SEEIndirect", r.CBAM.SEEIndirect, 13.05*efSX2023, tolExact)
	checkClose(t, "RenewableShare.MarketBased", r.Electricity.RenewableShare.MarketBased, 1e6/d, tolExact)
	checkMessage(t, "warning", p.Warnings, "residual")
}

// Captive power is the smelter's own combustion (scope 1), not purchased.
func TestPrimaryScopesWithCaptive(t *testing.T) {
	in := fullInput()
	in.ProductionT = f64(1000) // D = 13.05 × 1000 = 13,050 MWh
	in.Electricity.Sources = []calc.Source{
		{Kind: calc.KindCaptive, Fuel: "coal", MWh: f64(6000), EFtCO2PerMWh: f64(0.95)},
		gridShare(1), // the remaining 7,050 MWh
	}
	r, _ := mustPrimary(t, in)
	w := fullWant(0)
	efLoc := (6000*0.95 + 7050*efSX2023) / 13050
	checkClose(t, "Electricity.EFLocation", r.Electricity.EFLocation, efLoc, tolExact)
	// 6000 MWh × 0.95 / 1000 t = 5.7 t CO2/t from the captive plant
	checkClose(t, "Scopes.Direct", r.Scopes.Direct, w.direct+w.castFuel+6000*0.95/1000, tolExact)
	checkClose(t, "Scopes.IndirectElectricity", r.Scopes.IndirectElectricity, 7050*efSX2023/1000, tolExact)
	checkClose(t, "Scopes.Upstream", r.Scopes.Upstream, w.alumina+w.anodeProd, tolExact)
	checkClose(t, "CBAM.SEEIndirect", r.CBAM.SEEIndirect, 13.05*efLoc, tolExact)
}

// primaryBenchInputs are the benchmark requests: the default one and a full
// one with four supply sources and certificates.
func primaryBenchInputs() map[string]calc.PrimaryInput {
	full := fullInput()
	full.Basis = calc.BasisLifecycle
	full.Electrolysis.PFC = calc.PFCInput{Method: "slope", AnodeEffectMinutesPerCellDay: f64(0.05)}
	full.Electricity = calc.ElectricityInput{
		Sources: []calc.Source{
			{Kind: calc.KindCaptive, Fuel: "coal", MWh: f64(2_000_000), CoalGCEPerKWh: f64(320)},
			{Kind: calc.KindOnsitePV, MWh: f64(150_000)},
			{Kind: calc.KindDirectLine, Technology: "wind", Share: f64(0.4)},
			gridShare(0.6),
		},
		CertificatesMWh: f64(300_000),
	}
	return map[string]calc.PrimaryInput{
		"default":        {Region: "CN-SX", Year: 2023, GWP: "AR5", Basis: calc.BasisLifecycle},
		"full_4_sources": full,
	}
}

func BenchmarkPrimary(b *testing.B) {
	e := engine(b)
	for _, name := range []string{"default", "full_4_sources"} {
		in := primaryBenchInputs()[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := e.Primary(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
