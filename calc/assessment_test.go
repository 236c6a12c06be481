package calc_test

import (
	"testing"

	"alcarbon/calc"
)

func mustAssess(t *testing.T, in calc.PlantIndicators) (calc.PlantAssessment, calc.Provenance) {
	t.Helper()
	a, p, err := engine(t).AssessPlant(in)
	if err != nil {
		t.Fatalf("AssessPlant: %v", err)
	}
	return a, p
}

func indicator(t *testing.T, a calc.PlantAssessment, name string) calc.IndicatorAssessment {
	t.Helper()
	for _, ia := range a.Indicators {
		if ia.Indicator == name {
			return ia
		}
	}
	t.Fatalf("no indicator %q in %+v", name, a.Indicators)
	return calc.IndicatorAssessment{}
}

// Each graded indicator on both sides of each GB 21346-2022 limit
// (Tables 1–2, typed from factors.csv gb21346/*), with the
// plan's target where it has one: liquid AC at the NDRC benchmark 13,000
// kWh/t (发改产业〔2021〕1609号), alumina comprehensive energy at grade 1.
func TestAssessPlantGrades(t *testing.T) {
	type tcase struct {
		value     float64
		grade     int
		hasTarget bool
		meets     bool
	}
	tests := []struct {
		name      string
		set       func(*calc.PlantIndicators, float64)
		limits    [3]float64
		targetMax float64 // 0 when there is no target
		cases     []tcase
	}{
		{
			name: "liquid_ac", set: func(in *calc.PlantIndicators, v float64) { in.LiquidACkWhPerT = f64(v) },
			limits: [3]float64{12950, 13000, 13350}, targetMax: 13000,
			cases: []tcase{
				{12950, 1, true, true}, {12951, 2, true, true}, {13000, 2, true, true},
				{13001, 3, true, false}, {13350, 3, true, false}, {13351, 0, true, false},
			},
		},
		{
			name: "liquid_comprehensive_ac", set: func(in *calc.PlantIndicators, v float64) { in.LiquidComprehensiveACkWhPerT = f64(v) },
			limits: [3]float64{13250, 13350, 13700},
			cases:  []tcase{{13250, 1, false, false}, {13251, 2, false, false}, {13350, 2, false, false}, {13351, 3, false, false}, {13700, 3, false, false}, {13701, 0, false, false}},
		},
		{
			name: "ingot_comprehensive_ac", set: func(in *calc.PlantIndicators, v float64) { in.IngotComprehensiveACkWhPerT = f64(v) },
			limits: [3]float64{13300, 13400, 13750},
			cases:  []tcase{{13300, 1, false, false}, {13301, 2, false, false}, {13400, 2, false, false}, {13401, 3, false, false}, {13750, 3, false, false}, {13751, 0, false, false}},
		},
		{
			name: "ingot_comprehensive_energy", set: func(in *calc.PlantIndicators, v float64) { in.IngotComprehensiveKgcePerT = f64(v) },
			limits: [3]float64{1670, 1680, 1720},
			cases:  []tcase{{1670, 1, false, false}, {1671, 2, false, false}, {1680, 2, false, false}, {1681, 3, false, false}, {1720, 3, false, false}, {1721, 0, false, false}},
		},
		{
			name: "alumina_process_energy", set: func(in *calc.PlantIndicators, v float64) { in.AluminaProcessKgcePerT = f64(v) },
			limits: [3]float64{310, 360, 430},
			cases:  []tcase{{310, 1, false, false}, {311, 2, false, false}, {360, 2, false, false}, {361, 3, false, false}, {430, 3, false, false}, {431, 0, false, false}},
		},
		{
			name: "alumina_comprehensive_energy", set: func(in *calc.PlantIndicators, v float64) { in.AluminaComprehensiveKgcePerT = f64(v) },
			limits: [3]float64{340, 390, 460}, targetMax: 340,
			cases: []tcase{
				{340, 1, true, true}, {341, 2, true, false}, {390, 2, true, false},
				{391, 3, true, false}, {460, 3, true, false}, {461, 0, true, false},
			},
		},
	}
	for _, tc := range tests {
		for _, c := range tc.cases {
			t.Run(tc.name, func(t *testing.T) {
				var in calc.PlantIndicators
				tc.set(&in, c.value)
				a, _ := mustAssess(t, in)
				if len(a.Indicators) != 1 {
					t.Fatalf("indicators = %+v, want only %s", a.Indicators, tc.name)
				}
				ia := a.Indicators[0]
				if ia.Indicator != tc.name || ia.Value != c.value {
					t.Errorf("indicator %q value %v, want %q %v", ia.Indicator, ia.Value, tc.name, c.value)
				}
				if ia.Grade == nil || *ia.Grade != c.grade {
					t.Errorf("%s %v: grade %v, want %d", tc.name, c.value, ia.Grade, c.grade)
				}
				if ia.Limits != tc.limits {
					t.Errorf("%s: limits %v, want %v", tc.name, ia.Limits, tc.limits)
				}
				if ia.Standard != "GB 21346-2022" {
					t.Errorf("%s: standard %q", tc.name, ia.Standard)
				}
				if !c.hasTarget && a.MeetsAllTargets != nil {
					t.Errorf("%s %v: MeetsAllTargets = %v, want nil (nothing with a target assessed)", tc.name, c.value, *a.MeetsAllTargets)
				}
				switch {
				case !c.hasTarget && ia.MeetsTarget != nil:
					t.Errorf("%s %v: MeetsTarget = %v, want nil (no plan target)", tc.name, c.value, *ia.MeetsTarget)
				case c.hasTarget && ia.MeetsTarget == nil:
					t.Errorf("%s %v: MeetsTarget = nil, want %v", tc.name, c.value, c.meets)
				case c.hasTarget:
					if *ia.MeetsTarget != c.meets {
						t.Errorf("%s %v: MeetsTarget = %v, want %v", tc.name, c.value, *ia.MeetsTarget, c.meets)
					}
					if ia.TargetMax != tc.targetMax {
						t.Errorf("%s: TargetMax = %v, want %v", tc.name, ia.TargetMax, tc.targetMax)
					}
					if a.MeetsAllTargets == nil || *a.MeetsAllTargets != c.meets {
						t.Errorf("%s %v: MeetsAllTargets = %v, want %v", tc.name, c.value, a.MeetsAllTargets, c.meets)
					}
				}
			})
		}
	}
}

// The other route (sintering, combined) has its own GB 21346-2022 rows:
// process 500/550/650, comprehensive 550/600/700 kgce/t.
func TestAssessPlantAluminaOtherRoute(t *testing.T) {
	a, p := mustAssess(t, calc.PlantIndicators{AluminaRoute: "other", AluminaProcessKgcePerT: f64(551), AluminaComprehensiveKgcePerT: f64(550)})
	proc := indicator(t, a, "alumina_process_energy")
	if *proc.Grade != 3 || proc.Limits != [3]float64{500, 550, 650} {
		t.Errorf("process: grade %d limits %v, want 3 and [500 550 650]", *proc.Grade, proc.Limits)
	}
	comp := indicator(t, a, "alumina_comprehensive_energy")
	if *comp.Grade != 1 || comp.TargetMax != 550 || comp.MeetsTarget == nil || !*comp.MeetsTarget {
		t.Errorf("comprehensive: %+v, want grade 1 meeting the 550 target", comp)
	}
	if a.MeetsAllTargets == nil || !*a.MeetsAllTargets {
		t.Errorf("MeetsAllTargets = %v, want true", a.MeetsAllTargets)
	}
	if len(p.Defaulted) != 0 {
		t.Errorf("Defaulted = %q, want none: the route was given", p.Defaulted)
	}
	// Route left out with an alumina indicator: Bayer, recorded as a default.
	_, p = mustAssess(t, calc.PlantIndicators{AluminaComprehensiveKgcePerT: f64(350)})
	if len(p.Defaulted) != 1 || p.Defaulted[0] != "AluminaRoute" {
		t.Errorf("Defaulted = %q, want [/alumina/route]", p.Defaulted)
	}
}

// Shanxi plan ultra-low emission limits (particulates 10, SO2 100, NOx 100
// mg/m3; factors.csv plan/ultra_low/*): at the limit meets, above does not.
func TestAssessPlantUltraLow(t *testing.T) {
	tests := []struct {
		name  string
		set   func(*calc.PlantIndicators, float64)
		limit float64
	}{
		{"particulates", func(in *calc.PlantIndicators, v float64) { in.ParticulatesMgM3 = f64(v) }, 10},
		{"so2", func(in *calc.PlantIndicators, v float64) { in.SO2MgM3 = f64(v) }, 100},
		{"nox", func(in *calc.PlantIndicators, v float64) { in.NOxMgM3 = f64(v) }, 100},
	}
	for _, tc := range tests {
		for _, c := range []struct {
			value float64
			meets bool
		}{{tc.limit * 0.5, true}, {tc.limit, true}, {tc.limit + 0.1, false}} {
			t.Run(tc.name, func(t *testing.T) {
				var in calc.PlantIndicators
				tc.set(&in, c.value)
				a, _ := mustAssess(t, in)
				ia := indicator(t, a, tc.name)
				if ia.MeetsTarget == nil || *ia.MeetsTarget != c.meets || ia.TargetMax != tc.limit || ia.Grade != nil {
					t.Errorf("%s %v: %+v, want meets %v against %v and no grade", tc.name, c.value, ia, c.meets, tc.limit)
				}
				if a.MeetsAllTargets == nil || *a.MeetsAllTargets != c.meets {
					t.Errorf("%s %v: MeetsAllTargets = %v, want %v", tc.name, c.value, a.MeetsAllTargets, c.meets)
				}
			})
		}
	}
}

// MeetsAllTargets is true only when every indicator that has a plan target
// meets it; indicators without a target do not count.
func TestAssessPlantMeetsAllTargets(t *testing.T) {
	good := func() calc.PlantIndicators {
		return calc.PlantIndicators{
			LiquidACkWhPerT:              f64(12990), // ≤ 13,000 benchmark
			AluminaComprehensiveKgcePerT: f64(335),   // ≤ 340 grade 1
			ParticulatesMgM3:             f64(8),
			SO2MgM3:                      f64(35),
			NOxMgM3:                      f64(50),
		}
	}
	tests := []struct {
		name string
		mod  func(*calc.PlantIndicators)
		want bool
	}{
		{"all met", func(*calc.PlantIndicators) {}, true},
		{"AC above the benchmark", func(in *calc.PlantIndicators) { in.LiquidACkWhPerT = f64(13100) }, false},
		{"alumina grade 2", func(in *calc.PlantIndicators) { in.AluminaComprehensiveKgcePerT = f64(345) }, false},
		{"NOx above ultra-low", func(in *calc.PlantIndicators) { in.NOxMgM3 = f64(120) }, false},
		{"particulates above ultra-low", func(in *calc.PlantIndicators) { in.ParticulatesMgM3 = f64(12) }, false},
		{"untargeted indicator at grade 0", func(in *calc.PlantIndicators) { in.IngotComprehensiveKgcePerT = f64(1800) }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := good()
			tc.mod(&in)
			a, p := mustAssess(t, in)
			if a.MeetsAllTargets == nil || *a.MeetsAllTargets != tc.want {
				t.Errorf("MeetsAllTargets = %v, want %v (%+v)", a.MeetsAllTargets, tc.want, a.Indicators)
			}
			// The AC target is the NDRC benchmark (ndrc/benchmark/liquid_ac = 13,000).
			ac := indicator(t, a, "liquid_ac")
			if ac.TargetMax != 13000 {
				t.Errorf("liquid_ac TargetMax = %v, want the NDRC benchmark 13000", ac.TargetMax)
			}
			if v, ok := factorValue(p, "ndrc/benchmark/liquid_ac"); !ok || v != 13000 {
				t.Errorf("provenance ndrc/benchmark/liquid_ac = %v, %v", v, ok)
			}
			checkProvenanceComplete(t, p)
		})
	}
}

func TestAssessPlantNothingGiven(t *testing.T) {
	_, _, err := engine(t).AssessPlant(calc.PlantIndicators{})
	wantInputError(t, err, "", "at least one indicator")
}
