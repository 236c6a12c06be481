package calc

import (
	"fmt"

	"alcarbon/factors"
)

// GB 21346-2022 Table 1 indicators a smelter is graded on.
const (
	// IndicatorLiquidAC is 铝液交流电耗, the potline's AC power per t of
	// liquid aluminium.
	IndicatorLiquidAC = "liquid_ac"
	// IndicatorLiquidComprehensiveAC is 铝液综合交流电耗, the liquid
	// aluminium's AC power including auxiliaries.
	IndicatorLiquidComprehensiveAC = "liquid_comprehensive_ac"
	// NDRCNotAssessed is the NDRC level when only the comprehensive AC
	// power is known: the NDRC levels are set on the liquid AC power.
	NDRCNotAssessed = "not_assessed"
)

// smelterAC returns the smelter's electricity per t of liquid aluminium
// [kWh/t] that drives the electricity stage, recording defaults in l.
//
// With factors.RuleSmelterAC "comprehensive_ac" (2026.2 on) the stage uses
// the comprehensive AC power incl. rectification and auxiliaries: the
// request's ac_kwh_per_t; else the potline's liquid AC power plus the
// auxiliary electricity GB 21346-2022 Table 1 allows beyond it (grade 3:
// 13,700 − 13,350 kWh/t); else the IAI China average AC power (which
// includes auxiliaries). Before that rule ac_kwh_per_t is the liquid AC
// power and the only input.
func smelterAC(l *ledger, e ElectrolysisInput) (float64, error) {
	const acPath, liquidPath = "Electrolysis.ACkWhPerT", "Electrolysis.LiquidACkWhPerT"
	if l.ds.Rule(factors.RuleSmelterAC) != "comprehensive_ac" {
		if e.LiquidACkWhPerT != nil {
			return 0, codedError(liquidPath, "needs_dataset", map[string]any{"from": "2026.2", "dataset": l.ds.Version()}, "is read from dataset 2026.2 on; dataset %s reads {%s} as the liquid AC power — leave {%s} out or choose a later dataset", l.ds.Version(), acPath, liquidPath)
		}
		ac, err := l.orDefault(e.ACkWhPerT, acPath, "iai/CN/ac_kwh_per_t/2021", StageElectrolysisElectricity)
		if err == nil && e.ACkWhPerT == nil {
			l.warn("ac_default", Params{"kwh_per_t": ac}, "AC power not given: the IAI China average for 2021 (%.0f kWh/t) is used — give the smelter's own figure", ac)
		}
		return ac, err
	}
	switch {
	case e.ACkWhPerT != nil && e.LiquidACkWhPerT != nil:
		if *e.LiquidACkWhPerT > *e.ACkWhPerT {
			return 0, codedError(liquidPath, "out_of_range", map[string]any{"max": *e.ACkWhPerT, "unit": "kWh/t", "got": *e.LiquidACkWhPerT}, "the potline's liquid AC power (%.0f kWh/t) cannot exceed the comprehensive AC power {%s} (%.0f kWh/t), which adds the auxiliaries", *e.LiquidACkWhPerT, acPath, *e.ACkWhPerT)
		}
		return *e.ACkWhPerT, nil
	case e.ACkWhPerT != nil:
		l.warn("ac_read_as_comprehensive", Params{"kwh_per_t": *e.ACkWhPerT}, "{%s} (%.0f kWh/t) is read as the comprehensive AC power incl. rectification and auxiliaries (GB 21346-2022 铝液综合交流电耗, the IAI \"AC power\") and graded against its limits; if it is the potline's figure only, give it as {%s} and the smelter's total as {%s}", acPath, *e.ACkWhPerT, liquidPath, acPath)
		return *e.ACkWhPerT, nil
	case e.LiquidACkWhPerT != nil:
		aux, err := l.factor("default/smelter_auxiliary_electricity")
		if err != nil {
			return 0, err
		}
		l.defaulted(acPath, StageElectrolysisElectricity)
		l.warn("ac_from_liquid_plus_auxiliaries", Params{"liquid_kwh_per_t": *e.LiquidACkWhPerT, "auxiliaries_kwh_per_t": aux}, "comprehensive AC power not given: the potline's liquid AC power (%.0f kWh/t) plus the %.0f kWh/t of auxiliaries GB 21346-2022 Table 1 allows at grade 3 is used — give the smelter's total as {%s}", *e.LiquidACkWhPerT, aux, acPath)
		return *e.LiquidACkWhPerT + aux, nil
	}
	ac, err := l.orDefault(nil, acPath, "iai/CN/ac_kwh_per_t/2021", StageElectrolysisElectricity)
	if err == nil {
		l.warn("ac_default", Params{"kwh_per_t": ac}, "AC power not given: the IAI China average for 2021 (%.0f kWh/t, incl. rectification and auxiliaries) is used — give the smelter's own figure", ac)
	}
	return ac, err
}

// ratings grades the smelter against GB 21346-2022 Table 1 and the NDRC
// benchmark/baseline levels (both on the liquid AC power). ac is the
// electricity stage's AC power. With factors.RuleSmelterAC
// "comprehensive_ac" the liquid AC power is graded when given, else ac is
// graded against the comprehensive AC limits (铝液综合交流电耗) and the
// NDRC level is not assessed; before that rule ac is the liquid AC power.
func ratings(l *ledger, ac float64, e ElectrolysisInput) (Ratings, error) {
	r := Ratings{ACkWhPerT: ac, Indicator: IndicatorLiquidAC, GradedKWhPerT: ac}
	if l.ds.Rule(factors.RuleSmelterAC) == "comprehensive_ac" {
		if e.LiquidACkWhPerT != nil {
			r.GradedKWhPerT = *e.LiquidACkWhPerT
		} else {
			r.Indicator = IndicatorLiquidComprehensiveAC
		}
	}
	limits, err := gradeLimits(l, "gb21346/"+r.Indicator)
	if err != nil {
		return r, err
	}
	r.GB21346ACGrade = Grade(r.GradedKWhPerT, limits)
	if r.Indicator != IndicatorLiquidAC {
		r.NDRCLevel = NDRCNotAssessed
		l.assume("GB 21346-2022 grade on the comprehensive AC power (铝液综合交流电耗, limits %.0f/%.0f/%.0f kWh/t); the NDRC levels, set on the liquid AC power, are not assessed without {Electrolysis.LiquidACkWhPerT}", limits[0], limits[1], limits[2])
		return r, nil
	}
	bench, err := l.factor("ndrc/benchmark/liquid_ac")
	if err != nil {
		return r, err
	}
	base, err := l.factor("ndrc/baseline/liquid_ac")
	if err != nil {
		return r, err
	}
	switch v := r.GradedKWhPerT; {
	case v <= bench:
		r.NDRCLevel = "benchmark"
	case v <= base:
		r.NDRCLevel = "baseline"
	default:
		r.NDRCLevel = "below_baseline"
	}
	return r, nil
}

// gradeLimits reads the grade 1–3 limits of a GB indicator (prefix + "/gradeN").
func gradeLimits(l *ledger, prefix string) ([3]float64, error) {
	var limits [3]float64
	for i := range limits {
		v, err := l.factor(fmt.Sprintf("%s/grade%d", prefix, i+1))
		if err != nil {
			return limits, err
		}
		limits[i] = v
	}
	return limits, nil
}
