package calc

import "fmt"

// PlantIndicators are a plant's measured indicators. Nil means not given;
// only given indicators are assessed.
type PlantIndicators struct {
	LiquidACkWhPerT              *float64 // 铝液交流电耗
	LiquidComprehensiveACkWhPerT *float64 // 铝液综合交流电耗
	IngotComprehensiveACkWhPerT  *float64 // 铝锭综合交流电耗
	IngotComprehensiveKgcePerT   *float64 // 铝锭综合单耗
	AluminaRoute                 string   // "bayer" or "other"
	AluminaProcessKgcePerT       *float64
	AluminaComprehensiveKgcePerT *float64
	ParticulatesMgM3             *float64
	SO2MgM3                      *float64
	NOxMgM3                      *float64
}

// IndicatorAssessment is one indicator against its standard and the plan's
// target.
type IndicatorAssessment struct {
	Indicator   string
	Value       float64
	Unit        string
	Standard    string
	Grade       *int       // 1–3, 0 above grade 3; nil for pass/fail limits
	Limits      [3]float64 // grade 1, 2, 3 maxima (grade standards)
	Target      string
	TargetMax   float64
	MeetsTarget *bool // nil when the plan sets no target for it
}

// PlantAssessment grades a plant against GB 21346-2022, the NDRC
// benchmark levels and the Shanxi plan's targets.
type PlantAssessment struct {
	Indicators []IndicatorAssessment
	// MeetsAllTargets is nil when no indicator with a target was given.
	MeetsAllTargets *bool
}

// AssessPlant grades each given indicator. Targets (Shanxi province's 2022
// action plan for its non-ferrous metal industry): alumina comprehensive energy at GB 21346-2022 grade 1; smelter
// liquid AC power at the NDRC benchmark (标杆) level; ultra-low emissions
// (particulates ≤ 10, SO2 ≤ 100, NOx ≤ 100 mg/m³).
func (e *Engine) AssessPlant(in PlantIndicators) (PlantAssessment, Provenance, error) {
	a := plantAssessor{l: newLedger(e.ds, &e.memos), allMet: true}
	err := a.assess(&in)
	return a.out, a.l.provenance(), err
}

// plantAssessor builds a PlantAssessment, indicator by indicator, from the
// factors of its ledger.
type plantAssessor struct {
	l   *ledger
	out PlantAssessment
	// allMet is whether every target assessed so far is met; anyTarget
	// whether any was assessed.
	allMet, anyTarget bool
}

// assess runs the assessments in the order of the response: smelter power
// against the NDRC benchmark and GB 21346-2022, alumina energy against
// GB 21346-2022, then the ultra-low emission limits. On an error the
// indicators assessed so far are kept.
func (a *plantAssessor) assess(in *PlantIndicators) error {
	if err := a.smelterLiquidACNDRC(in.LiquidACkWhPerT); err != nil {
		return err
	}
	if err := a.smelterGB21346(in); err != nil {
		return err
	}
	if err := a.aluminaGB21346(in); err != nil {
		return err
	}
	if err := a.ultraLowEmissions(in); err != nil {
		return err
	}
	if len(a.out.Indicators) == 0 {
		// No code: the API answers an empty assessment with one_of_required
		// before the engine runs.
		return fieldError("", "give at least one indicator")
	}
	if a.anyTarget {
		a.out.MeetsAllTargets = &a.allMet
	}
	return nil
}

// gradeGB21346 grades value v of an indicator against the GB 21346-2022
// grade 1–3 maxima, factors idBase/grade1…3 in the indicator's unit
// (Grade: the first grade whose maximum v does not exceed, 0 above
// grade 3). It has no target.
func (a *plantAssessor) gradeGB21346(name, unit, idBase string, v float64) (IndicatorAssessment, error) {
	var lim [3]float64
	for i := range lim {
		x, err := a.l.factor(fmt.Sprintf("%s/grade%d", idBase, i+1))
		if err != nil {
			return IndicatorAssessment{}, err
		}
		lim[i] = x
	}
	g := Grade(v, lim)
	return IndicatorAssessment{Indicator: name, Value: v, Unit: unit, Standard: "GB 21346-2022", Grade: &g, Limits: lim}, nil
}

// target sets the plan target of ia: met when its value ≤ targetMax (in
// the indicator's unit), which also counts towards MeetsAllTargets.
func (a *plantAssessor) target(ia *IndicatorAssessment, target string, targetMax float64) {
	a.anyTarget = true
	ia.Target, ia.TargetMax = target, targetMax
	met := ia.Value <= targetMax
	ia.MeetsTarget = &met
	if !met {
		a.allMet = false
	}
}

// smelterLiquidACNDRC grades the liquid aluminium AC power [kWh/t]
// against GB 21346-2022, with the NDRC benchmark level (标杆水平,
// 发改产业〔2021〕1609号; factor ndrc/benchmark/liquid_ac, read even when
// the indicator is not given) as its target.
func (a *plantAssessor) smelterLiquidACNDRC(v *float64) error {
	bench, err := a.l.factor("ndrc/benchmark/liquid_ac")
	if err != nil || v == nil {
		return err
	}
	ia, err := a.gradeGB21346("liquid_ac", "kWh/t", "gb21346/liquid_ac", *v)
	if err != nil {
		return err
	}
	a.target(&ia, "NDRC benchmark level (标杆水平, 发改产业〔2021〕1609号)", bench)
	a.out.Indicators = append(a.out.Indicators, ia)
	return nil
}

// smelterGB21346 grades the smelter's other given energy indicators
// against GB 21346-2022, without plan targets: liquid comprehensive AC
// power and ingot comprehensive AC power [kWh/t], ingot comprehensive
// energy [kgce/t].
func (a *plantAssessor) smelterGB21346(in *PlantIndicators) error {
	for _, g := range []struct {
		name, unit, id string
		v              *float64
	}{
		{"liquid_comprehensive_ac", "kWh/t", "gb21346/liquid_comprehensive_ac", in.LiquidComprehensiveACkWhPerT},
		{"ingot_comprehensive_ac", "kWh/t", "gb21346/ingot_comprehensive_ac", in.IngotComprehensiveACkWhPerT},
		{"ingot_comprehensive_energy", "kgce/t", "gb21346/ingot_comprehensive_energy", in.IngotComprehensiveKgcePerT},
	} {
		if g.v == nil {
			continue
		}
		ia, err := a.gradeGB21346(g.name, g.unit, g.id, *g.v)
		if err != nil {
			return err
		}
		a.out.Indicators = append(a.out.Indicators, ia)
	}
	return nil
}

// aluminaRoute returns the alumina route, "bayer" or "other", recording
// the Bayer default when the route is not given but an alumina indicator
// is.
func (a *plantAssessor) aluminaRoute(in *PlantIndicators) (string, error) {
	route := in.AluminaRoute
	if route != "" && route != "bayer" && route != "other" {
		return "", unknownValue("AluminaRoute", "alumina_route", route, []string{"bayer", "other"}, "unknown route %q; allowed: bayer, other", route)
	}
	if route == "" {
		route = "bayer"
		if in.AluminaProcessKgcePerT != nil || in.AluminaComprehensiveKgcePerT != nil {
			a.l.defaulted("AluminaRoute")
			a.l.assume("alumina route taken as Bayer")
		}
	}
	return route, nil
}

// aluminaGB21346 grades the alumina refinery's process and comprehensive
// energy [kgce/t] against GB 21346-2022 for its route; the comprehensive
// energy has grade 1 as its target (Shanxi plan: 80 % of refiners at
// grade 1).
func (a *plantAssessor) aluminaGB21346(in *PlantIndicators) error {
	route, err := a.aluminaRoute(in)
	if err != nil {
		return err
	}
	base := "gb21346/alumina_" + route
	if v := in.AluminaProcessKgcePerT; v != nil {
		ia, err := a.gradeGB21346("alumina_process_energy", "kgce/t", base+"_process", *v)
		if err != nil {
			return err
		}
		a.out.Indicators = append(a.out.Indicators, ia)
	}
	v := in.AluminaComprehensiveKgcePerT
	if v == nil {
		return nil
	}
	g1, err := a.l.factor(base + "_comprehensive/grade1")
	if err != nil {
		return err
	}
	ia, err := a.gradeGB21346("alumina_comprehensive_energy", "kgce/t", base+"_comprehensive", *v)
	if err != nil {
		return err
	}
	a.target(&ia, "GB 21346-2022 grade 1 (Shanxi plan: 80 % of refiners at grade 1)", g1)
	a.out.Indicators = append(a.out.Indicators, ia)
	return nil
}

// ultraLowEmissions assesses the given stack concentrations [mg/m³]
// against the Shanxi ultra-low emission limits (factors
// plan/ultra_low/…), each a target.
func (a *plantAssessor) ultraLowEmissions(in *PlantIndicators) error {
	for _, s := range []struct {
		name, id string
		v        *float64
	}{
		{"particulates", "plan/ultra_low/particulates", in.ParticulatesMgM3},
		{"so2", "plan/ultra_low/so2", in.SO2MgM3},
		{"nox", "plan/ultra_low/nox", in.NOxMgM3},
	} {
		if s.v == nil {
			continue
		}
		limit, err := a.l.factor(s.id)
		if err != nil {
			return err
		}
		ia := IndicatorAssessment{Indicator: s.name, Value: *s.v, Unit: "mg/m3", Standard: "Shanxi ultra-low emission limit"}
		a.target(&ia, "ultra-low emission", limit)
		a.out.Indicators = append(a.out.Indicators, ia)
	}
	return nil
}
