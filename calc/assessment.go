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

// AssessPlant grades each given indicator. Targets (Shanxi 2022 plan,
// DESIGN): alumina comprehensive energy at GB 21346-2022 grade 1; smelter
// liquid AC power at the NDRC benchmark (标杆) level; ultra-low emissions
// (particulates ≤ 10, SO2 ≤ 100, NOx ≤ 100 mg/m³).
func (e *Engine) AssessPlant(in PlantIndicators) (PlantAssessment, Provenance, error) {
	l := newLedger(e.ds, &e.sun)
	var out PlantAssessment
	allMet, anyTarget := true, false
	yes, no := true, false
	grade := func(name, unit, idBase string, v *float64, target string, targetMax float64, hasTarget bool) error {
		if v == nil {
			return nil
		}
		var lim [3]float64
		for i := range lim {
			x, err := l.factor(fmt.Sprintf("%s/grade%d", idBase, i+1))
			if err != nil {
				return err
			}
			lim[i] = x
		}
		g := Grade(*v, lim)
		a := IndicatorAssessment{Indicator: name, Value: *v, Unit: unit, Standard: "GB 21346-2022", Grade: &g, Limits: lim}
		if hasTarget {
			anyTarget = true
			a.Target, a.TargetMax = target, targetMax
			if *v <= targetMax {
				a.MeetsTarget = &yes
			} else {
				a.MeetsTarget = &no
				allMet = false
			}
		}
		out.Indicators = append(out.Indicators, a)
		return nil
	}
	bench, err := l.factor("ndrc/benchmark/liquid_ac")
	if err != nil {
		return out, l.provenance(), err
	}
	if err := grade("liquid_ac", "kWh/t", "gb21346/liquid_ac", in.LiquidACkWhPerT, "NDRC benchmark level (标杆水平, 发改产业〔2021〕1609号)", bench, true); err != nil {
		return out, l.provenance(), err
	}
	for _, g := range []struct {
		name, unit, id string
		v              *float64
	}{
		{"liquid_comprehensive_ac", "kWh/t", "gb21346/liquid_comprehensive_ac", in.LiquidComprehensiveACkWhPerT},
		{"ingot_comprehensive_ac", "kWh/t", "gb21346/ingot_comprehensive_ac", in.IngotComprehensiveACkWhPerT},
		{"ingot_comprehensive_energy", "kgce/t", "gb21346/ingot_comprehensive_energy", in.IngotComprehensiveKgcePerT},
	} {
		if err := grade(g.name, g.unit, g.id, g.v, "", 0, false); err != nil {
			return out, l.provenance(), err
		}
	}
	route := in.AluminaRoute
	if route != "" && route != "bayer" && route != "other" {
		return out, l.provenance(), fieldError("/alumina/route", "unknown route %q; allowed: bayer, other", route)
	}
	if route == "" {
		route = "bayer"
		if in.AluminaProcessKgcePerT != nil || in.AluminaComprehensiveKgcePerT != nil {
			l.defaulted("/alumina/route")
			l.assume("alumina route taken as Bayer")
		}
	}
	base := "gb21346/alumina_" + route
	if err := grade("alumina_process_energy", "kgce/t", base+"_process", in.AluminaProcessKgcePerT, "", 0, false); err != nil {
		return out, l.provenance(), err
	}
	var g1 float64
	if in.AluminaComprehensiveKgcePerT != nil {
		if g1, err = l.factor(base + "_comprehensive/grade1"); err != nil {
			return out, l.provenance(), err
		}
	}
	if err := grade("alumina_comprehensive_energy", "kgce/t", base+"_comprehensive", in.AluminaComprehensiveKgcePerT, "GB 21346-2022 grade 1 (Shanxi plan: 80 % of refiners at grade 1)", g1, true); err != nil {
		return out, l.provenance(), err
	}
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
		limit, err := l.factor(s.id)
		if err != nil {
			return out, l.provenance(), err
		}
		a := IndicatorAssessment{Indicator: s.name, Value: *s.v, Unit: "mg/m3", Standard: "Shanxi ultra-low emission limit", Target: "ultra-low emission", TargetMax: limit}
		anyTarget = true
		if *s.v <= limit {
			a.MeetsTarget = &yes
		} else {
			a.MeetsTarget = &no
			allMet = false
		}
		out.Indicators = append(out.Indicators, a)
	}
	if len(out.Indicators) == 0 {
		return out, l.provenance(), fieldError("", "give at least one indicator")
	}
	if anyTarget {
		out.MeetsAllTargets = &allMet
	}
	return out, l.provenance(), nil
}
