package api

import (
	"net/http"
	"reflect"

	"github.com/labstack/echo/v4"

	"alcarbon/calc"
)

// plantRequest is a plant's indicators. Give any subset; each given
// indicator is graded. The engine's calc.PlantIndicators has the three
// groups' fields in one struct (calc tags, paths.go).
type plantRequest struct {
	Dataset string              `json:"dataset,omitempty" example:"2026.1"`
	Smelter smelterIndicators   `json:"smelter" calc:",inline"`
	Alumina aluminaIndicators   `json:"alumina" calc:",inline"`
	Stack   stackConcentrations `json:"stack" calc:",inline"`
}

type smelterIndicators struct {
	// LiquidACkWhPerT is liquid-aluminium AC power (铝液交流电耗) [kWh/t], 10,000–20,000.
	LiquidACkWhPerT *float64 `json:"liquid_ac_kwh_per_t,omitempty" minimum:"10000" maximum:"20000" unit:"kWh/t" example:"12980"`
	// LiquidComprehensiveACkWhPerT (铝液综合交流电耗) [kWh/t], 10,000–20,000.
	LiquidComprehensiveACkWhPerT *float64 `json:"liquid_comprehensive_ac_kwh_per_t,omitempty" minimum:"10000" maximum:"20000" unit:"kWh/t" example:"13300"`
	// IngotComprehensiveACkWhPerT (铝锭综合交流电耗) [kWh/t], 10,000–20,000.
	IngotComprehensiveACkWhPerT *float64 `json:"ingot_comprehensive_ac_kwh_per_t,omitempty" minimum:"10000" maximum:"20000" unit:"kWh/t" example:"13350"`
	// IngotComprehensiveEnergyKgcePerT (铝锭综合单耗) [kgce/t], 1,000–3,000.
	IngotComprehensiveEnergyKgcePerT *float64 `json:"ingot_comprehensive_energy_kgce_per_t,omitempty" calc:"IngotComprehensiveKgcePerT" minimum:"1000" maximum:"3000" unit:"kgce/t" example:"1675"`
}

type aluminaIndicators struct {
	// Route of the refinery: bayer (default) or other (sintering, combined).
	Route string `json:"route,omitempty" calc:"AluminaRoute" enums:"bayer,other" example:"bayer"`
	// ProcessEnergyKgcePerT [kgce/t alumina], 0–2,000.
	ProcessEnergyKgcePerT *float64 `json:"process_energy_kgce_per_t,omitempty" calc:"AluminaProcessKgcePerT" minimum:"0" maximum:"2000" unit:"kgce/t" example:"320"`
	// ComprehensiveEnergyKgcePerT [kgce/t alumina], 0–2,000.
	ComprehensiveEnergyKgcePerT *float64 `json:"comprehensive_energy_kgce_per_t,omitempty" calc:"AluminaComprehensiveKgcePerT" minimum:"0" maximum:"2000" unit:"kgce/t" example:"338"`
}

type stackConcentrations struct {
	// ParticulatesMgM3 [mg/m³], 0–10,000.
	ParticulatesMgM3 *float64 `json:"particulates_mg_m3,omitempty" minimum:"0" maximum:"10000" unit:"mg/m³" example:"8"`
	// SO2MgM3 [mg/m³], 0–10,000.
	SO2MgM3 *float64 `json:"so2_mg_m3,omitempty" minimum:"0" maximum:"10000" unit:"mg/m³" example:"60"`
	// NOxMgM3 [mg/m³], 0–10,000.
	NOxMgM3 *float64 `json:"nox_mg_m3,omitempty" minimum:"0" maximum:"10000" unit:"mg/m³" example:"90"`
}

func (r *plantRequest) validate(v *validator) {
	s := r.Smelter
	if s.LiquidACkWhPerT == nil && s.LiquidComprehensiveACkWhPerT == nil && s.IngotComprehensiveACkWhPerT == nil &&
		s.IngotComprehensiveEnergyKgcePerT == nil && r.Alumina.ProcessEnergyKgcePerT == nil &&
		r.Alumina.ComprehensiveEnergyKgcePerT == nil && r.Stack.ParticulatesMgM3 == nil && r.Stack.SO2MgM3 == nil && r.Stack.NOxMgM3 == nil {
		v.addCode("", codeOneOfRequired, fieldsParam("smelter", "alumina", "stack"), "give at least one indicator (smelter, alumina or stack)")
	}
}

// indicatorResponse is one indicator's grade and target check.
type indicatorResponse struct {
	Indicator string  `json:"indicator" example:"liquid_ac"`
	Value     float64 `json:"value" example:"12980"`
	Unit      string  `json:"unit" example:"kWh/t"`
	Standard  string  `json:"standard" example:"GB 21346-2022"`
	// Grade 1–3 (grade 3 = the mandatory limit), 0 when above grade 3; absent for pass/fail limits.
	Grade *int `json:"grade,omitempty" example:"2"`
	// GradeLimits are the grade 1, 2, 3 maxima.
	GradeLimits []float64 `json:"grade_limits,omitempty"`
	Target      string    `json:"target,omitempty" example:"NDRC benchmark level"`
	TargetMax   *float64  `json:"target_max,omitempty" example:"13000"`
	MeetsTarget *bool     `json:"meets_target,omitempty" example:"true"`
}

// plantResponse grades a plant.
type plantResponse struct {
	Dataset    string              `json:"dataset" example:"2026.1"`
	Indicators []indicatorResponse `json:"indicators"`
	// MeetsAllTargets is null when no indicator with a plan target (liquid AC, alumina comprehensive energy, stack concentrations) was given.
	MeetsAllTargets *bool              `json:"meets_all_targets" example:"false"`
	Provenance      provenanceResponse `json:"provenance"`
}

// handlePlantAssessment grades a plant against national standards and the plan's targets.
//
//	@Summary		Plant assessment
//	@Description	Grades each given indicator against GB 21346-2022 (grades 1–3; 0 = above the mandatory limit) and checks the Shanxi plan's targets: alumina comprehensive energy at grade 1, smelter liquid AC power at the NDRC benchmark (标杆) level, ultra-low stack emissions (particulates ≤ 10, SO2 ≤ 100, NOx ≤ 100 mg/m³).
//	@Tags			calculations
//	@Accept			json
//	@Produce		json
//	@Param			request	body		plantRequest	true	"plant indicators"
//	@Success		200		{object}	plantResponse
//	@Failure		400		{object}	Problem
//	@Failure		415		{object}	Problem
//	@Failure		422		{object}	Problem
//	@Router			/v1/assessments/plant [post]
func (s *server) handlePlantAssessment(c echo.Context) error {
	req, err := decodeValid[plantRequest](c)
	if err != nil {
		return err
	}
	ds, err := s.dataset(req.Dataset)
	if err != nil {
		return err
	}
	res, prov, err := s.engine(ds).AssessPlant(calc.PlantIndicators{
		LiquidACkWhPerT: req.Smelter.LiquidACkWhPerT, LiquidComprehensiveACkWhPerT: req.Smelter.LiquidComprehensiveACkWhPerT,
		IngotComprehensiveACkWhPerT: req.Smelter.IngotComprehensiveACkWhPerT, IngotComprehensiveKgcePerT: req.Smelter.IngotComprehensiveEnergyKgcePerT,
		AluminaRoute: req.Alumina.Route, AluminaProcessKgcePerT: req.Alumina.ProcessEnergyKgcePerT,
		AluminaComprehensiveKgcePerT: req.Alumina.ComprehensiveEnergyKgcePerT,
		ParticulatesMgM3:             req.Stack.ParticulatesMgM3, SO2MgM3: req.Stack.SO2MgM3, NOxMgM3: req.Stack.NOxMgM3,
	})
	if err != nil {
		return calcErrorFor[plantRequest](err)
	}
	out := plantResponse{Dataset: ds.Version(), MeetsAllTargets: res.MeetsAllTargets, Provenance: newProvenance(reflect.TypeFor[plantRequest](), prov)}
	for _, a := range res.Indicators {
		ir := indicatorResponse{Indicator: a.Indicator, Value: a.Value, Unit: a.Unit, Standard: a.Standard, Grade: a.Grade, Target: a.Target, MeetsTarget: a.MeetsTarget}
		if a.Grade != nil {
			ir.GradeLimits = a.Limits[:]
		}
		if a.MeetsTarget != nil {
			t := a.TargetMax
			ir.TargetMax = &t
		}
		out.Indicators = append(out.Indicators, ir)
	}
	return c.JSON(http.StatusOK, out)
}
