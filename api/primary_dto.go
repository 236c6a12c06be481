package api

import (
	"github.com/labstack/echo/v4"
	"reflect"

	"alcarbon/calc"
	"alcarbon/factors"
)

// primaryRequest is a smelter's activity data for 1 t of primary aluminium
// ingot, cradle to gate. Every field is
// optional; what is left out takes a dataset default, listed in
// provenance.defaulted_inputs.
type primaryRequest struct {
	commonRequest
	// GWP is the IPCC GWP100 set; default AR5 (CBAM, Chinese ETS).
	GWP string `json:"gwp,omitempty" enums:"AR4,AR5,AR6" example:"AR5"`
	// ProductionT is annual production [t/yr], >0 to 10,000,000; needed for sources given in MWh and for certificates.
	ProductionT  *float64            `json:"production_t,omitempty" minimum:"0" maximum:"10000000" exclusiveMinimum:"true" unit:"t/yr" example:"300000"`
	Alumina      aluminaRequest      `json:"alumina"`
	Anode        anodeRequest        `json:"anode"`
	Electrolysis electrolysisRequest `json:"electrolysis"`
	Casting      castingRequest      `json:"casting"`
	Electricity  portfolioRequest    `json:"electricity"`
}

type aluminaRequest struct {
	// ConsumptionTPerT is alumina per t Al, 1.8–2.2; default 1.92.
	ConsumptionTPerT *float64 `json:"consumption_t_per_t,omitempty" minimum:"1.8" maximum:"2.2" unit:"t/t" example:"1.92"`
	// FootprintTCO2ePerT is the alumina's cradle-to-gate footprint [t CO2e/t alumina], 0–10; when left out it is computed from refinery.
	FootprintTCO2ePerT *float64        `json:"footprint_tco2e_per_t,omitempty" minimum:"0" maximum:"10" unit:"t CO2e/t" example:"1.2"`
	Refinery           refineryRequest `json:"refinery"`
}

type refineryRequest struct {
	// CoalGJPerT is coal energy per t alumina [GJ/t], 0–50; default the IAI China average energy treated as coal.
	CoalGJPerT *float64 `json:"coal_gj_per_t,omitempty" minimum:"0" maximum:"50" unit:"GJ/t" example:"8"`
	// NaturalGasNm3PerT is natural gas per t alumina [Nm3/t], 0–1000.
	NaturalGasNm3PerT *float64 `json:"natural_gas_nm3_per_t,omitempty" minimum:"0" maximum:"1000" unit:"Nm3/t" example:"30"`
	// ElectricityKWhPerT is refinery electricity per t alumina [kWh/t], 0–2000, taken from the plant region's grid.
	ElectricityKWhPerT *float64 `json:"electricity_kwh_per_t,omitempty" minimum:"0" maximum:"2000" unit:"kWh/t" example:"250"`
	// UpstreamTCO2ePerT is bauxite, caustic soda and lime per t alumina [t CO2e/t], 0–5; default bauxite mining only.
	UpstreamTCO2ePerT *float64 `json:"upstream_tco2e_per_t,omitempty" minimum:"0" maximum:"5" unit:"t CO2e/t" example:"0.1"`
}

type anodeRequest struct {
	// NetCarbonTPerT is net anode carbon consumption NAC [t C/t Al], 0.3–0.6; default 0.411 (Chinese guideline).
	NetCarbonTPerT *float64 `json:"net_carbon_t_per_t,omitempty" minimum:"0.3" maximum:"0.6" unit:"t C/t Al" example:"0.411"`
	// SulphurFraction of the baked anode, 0–0.1; default 0.02.
	SulphurFraction *float64 `json:"sulphur_fraction,omitempty" minimum:"0" maximum:"0.1" example:"0.02"`
	// AshFraction of the baked anode, 0–0.05; default 0.004.
	AshFraction *float64 `json:"ash_fraction,omitempty" minimum:"0" maximum:"0.05" example:"0.004"`
	// ConsumptionTPerT is baked anode per t Al [t/t], 0.3–0.7; default 0.45.
	ConsumptionTPerT *float64 `json:"consumption_t_per_t,omitempty" minimum:"0.3" maximum:"0.7" unit:"t/t" example:"0.45"`
	// ProductionTCO2ePerT is the footprint of making 1 t of baked anode [t CO2e/t], 0–3; when left out: baking fuel + pitch volatiles + packing coke.
	ProductionTCO2ePerT *float64 `json:"production_tco2e_per_t,omitempty" minimum:"0" maximum:"3" unit:"t CO2e/t" example:"0.35"`
	// BakingEnergyKgcePerT is anode baking fuel [kgce/t anode], 0–1000; default the GB 25324-2022 grade-3 limit.
	BakingEnergyKgcePerT *float64 `json:"baking_energy_kgce_per_t,omitempty" minimum:"0" maximum:"1000" unit:"kgce/t" example:"180"`
	// BakingFuel burnt in the baking furnace; default natural_gas.
	BakingFuel string `json:"baking_fuel,omitempty" enums:"natural_gas,coal,diesel,fuel_oil,petroleum_coke,lpg,lng,coke_oven_gas" example:"natural_gas"`
	// ProducedOnSite: the anodes are baked in the smelter's own installation, so CBAM direct emissions include the anode plant (dataset 2026.2 on); default true for Chinese regions, false elsewhere.
	ProducedOnSite *bool `json:"produced_on_site,omitempty" example:"true"`
}

type electrolysisRequest struct {
	// Technology of the cells: CWPB, PFPB_L (legacy), PFPB_M (modern), PFPB_MW (no automated anode-effect intervention), SWPB, VSS, HSS.
	Technology string `json:"technology,omitempty" enums:"CWPB,PFPB_L,PFPB_M,PFPB_MW,SWPB,VSS,HSS" example:"PFPB_M"`
	// ACkWhPerT is the smelter's AC power per t of liquid aluminium [kWh/t], 10,000–20,000, driving the electricity stage. From dataset 2026.2 on it is the comprehensive AC power incl. rectification and auxiliaries (GB 21346-2022 铝液综合交流电耗, the IAI "AC power"); on 2026.1 it is the liquid AC power. Default 13,511 (IAI China 2021, which includes auxiliaries).
	ACkWhPerT *float64 `json:"ac_kwh_per_t,omitempty" minimum:"10000" maximum:"20000" unit:"kWh/t" example:"13500"`
	// LiquidACkWhPerT is the potline's liquid AC power (GB 21346-2022 铝液交流电耗) [kWh/t], 10,000–20,000, at most ac_kwh_per_t; graded against GB 21346 and the NDRC levels when given (dataset 2026.2 on).
	LiquidACkWhPerT *float64   `json:"liquid_ac_kwh_per_t,omitempty" minimum:"10000" maximum:"20000" unit:"kWh/t" example:"13000"`
	PFC             pfcRequest `json:"pfc"`
}

type pfcRequest struct {
	// Method: default (Chinese guideline factors), tier1 (IPCC 2006 by technology), slope (anode-effect minutes), overvoltage, measured.
	Method string `json:"method,omitempty" enums:"default,tier1,slope,overvoltage,measured" example:"slope"`
	// Coefficients for the slope method: cbam2025 (default; IR 2025/2547), ipcc2006, cn_guideline.
	Coefficients string `json:"coefficients,omitempty" enums:"cbam2025,ipcc2006,cn_guideline" example:"cbam2025"`
	// AnodeEffectMinutesPerCellDay for the slope method, 0–10.
	AnodeEffectMinutesPerCellDay *float64 `json:"anode_effect_minutes_per_cell_day,omitempty" minimum:"0" maximum:"10" unit:"AE-min/cell-day" example:"0.05"`
	// AnodeEffectOvervoltageMV for the overvoltage method [mV per cell], 0–100.
	AnodeEffectOvervoltageMV *float64 `json:"anode_effect_overvoltage_mv,omitempty" minimum:"0" maximum:"100" unit:"mV" example:"1.2"`
	// CurrentEfficiency for the overvoltage method, a fraction 0.8–1 (0.94 = 94 %).
	CurrentEfficiency *float64 `json:"current_efficiency,omitempty" minimum:"0.8" maximum:"1" example:"0.94"`
	// CF4KgPerT measured [kg CF4/t Al], 0–5.
	CF4KgPerT *float64 `json:"cf4_kg_per_t,omitempty" minimum:"0" maximum:"5" unit:"kg/t" example:"0.02"`
	// C2F6KgPerT measured [kg C2F6/t Al], 0–1.
	C2F6KgPerT *float64 `json:"c2f6_kg_per_t,omitempty" minimum:"0" maximum:"1" unit:"kg/t" example:"0.002"`
	// SlopeCoefficient is an installation-specific slope [(kg CF4/t Al)/(AE-min/cell-day)], 0–1; give with c2f6_fraction.
	SlopeCoefficient *float64 `json:"slope_coefficient,omitempty" calc:"SlopeCF4" minimum:"0" maximum:"1" example:"0.1"`
	// C2F6Fraction is an installation-specific C2F6/CF4 weight fraction, 0–1.
	C2F6Fraction *float64 `json:"c2f6_fraction,omitempty" calc:"FractionC2F6" minimum:"0" maximum:"1" example:"0.06"`
}

type castingRequest struct {
	// ElectricityKWhPerT is casthouse electricity [kWh/t], 0–1000; default 50 (GB 21346-2022 ingot minus liquid).
	ElectricityKWhPerT *float64 `json:"electricity_kwh_per_t,omitempty" minimum:"0" maximum:"1000" unit:"kWh/t" example:"50"`
	// NaturalGasNm3PerT is casthouse natural gas [Nm3/t], 0–300 (0 for an electric casthouse); default none on dataset 2026.1, from 2026.2 the IAI 2015 world casthouse average (832 MJ/t, about 21.4 Nm3/t), flagged.
	NaturalGasNm3PerT *float64 `json:"natural_gas_nm3_per_t,omitempty" minimum:"0" maximum:"300" unit:"Nm3/t" example:"0"`
	// Molten: the metal leaves the smelter liquid (direct supply), so no casting.
	Molten bool `json:"molten,omitempty" example:"false"`
}

func (r *primaryRequest) validate(v *validator) {
	e := r.Electrolysis
	p := e.PFC
	switch p.Method {
	case "slope":
		if p.AnodeEffectMinutesPerCellDay == nil {
			v.add("/electrolysis/pfc/anode_effect_minutes_per_cell_day", "is required by method slope (0–10 AE-min/cell-day)")
		}
		if (p.SlopeCoefficient == nil) != (p.C2F6Fraction == nil) {
			v.addCode("/electrolysis/pfc", codeTogether, fieldsParam("slope_coefficient", "c2f6_fraction"), "give slope_coefficient and c2f6_fraction together")
		}
		if e.Technology == "" && p.SlopeCoefficient == nil && p.Coefficients != "cn_guideline" {
			v.add("/electrolysis/technology", "is required by method slope to choose coefficients; one of %s", joinList(calc.CellTechnologies))
		}
	case "overvoltage":
		if p.AnodeEffectOvervoltageMV == nil {
			v.add("/electrolysis/pfc/anode_effect_overvoltage_mv", "is required by method overvoltage (0–100 mV)")
		}
		if p.CurrentEfficiency == nil {
			v.add("/electrolysis/pfc/current_efficiency", "is required by method overvoltage (0.8–1)")
		}
	case "measured":
		if p.CF4KgPerT == nil {
			v.add("/electrolysis/pfc/cf4_kg_per_t", "is required by method measured (0–5 kg/t)")
		}
		if p.C2F6KgPerT == nil {
			v.add("/electrolysis/pfc/c2f6_kg_per_t", "is required by method measured (0–1 kg/t)")
		}
	}
	c := r.Casting
	if c.Molten && (c.ElectricityKWhPerT != nil || c.NaturalGasNm3PerT != nil) {
		v.addCode("/casting/molten", codeMutuallyExclusive, fieldsParam("molten", "electricity_kwh_per_t", "natural_gas_nm3_per_t"), "molten metal is not cast; leave out casting energy or set molten to false")
	}
	r.Electricity.validate(v, "/electricity", r.ProductionT != nil, "/production_t")
}

// prepare picks the dataset and fills every default that depends on it, so
// that equal requests written differently hash equal; call it before the
// cache key is made.
func (r *primaryRequest) prepare(cat *factors.Catalog) (*factors.Dataset, error) {
	ds, err := r.resolve(cat)
	if err != nil {
		return nil, err
	}
	if r.GWP == "" {
		r.GWP = defaultGWP
	}
	return ds, nil
}

func (r *primaryRequest) toInput() (calc.PrimaryInput, error) {
	el, err := r.Electricity.toInput("/electricity")
	if err != nil {
		return calc.PrimaryInput{}, err
	}
	return calc.PrimaryInput{
		Region: r.Region, Year: r.Year, GWP: r.GWP, Basis: calc.Basis(r.ElectricityBasis), ProductionT: r.ProductionT,
		Alumina: calc.AluminaInput{
			ConsumptionTPerT: r.Alumina.ConsumptionTPerT, FootprintTCO2ePerT: r.Alumina.FootprintTCO2ePerT,
			Refinery: calc.RefineryInput{
				CoalGJPerT: r.Alumina.Refinery.CoalGJPerT, NaturalGasNm3PerT: r.Alumina.Refinery.NaturalGasNm3PerT,
				ElectricityKWhPerT: r.Alumina.Refinery.ElectricityKWhPerT, UpstreamTCO2ePerT: r.Alumina.Refinery.UpstreamTCO2ePerT,
			},
		},
		Anode: calc.AnodeInput{
			NetCarbonTPerT: r.Anode.NetCarbonTPerT, SulphurFraction: r.Anode.SulphurFraction, AshFraction: r.Anode.AshFraction,
			ConsumptionTPerT: r.Anode.ConsumptionTPerT, ProductionTCO2ePerT: r.Anode.ProductionTCO2ePerT,
			BakingEnergyKgcePerT: r.Anode.BakingEnergyKgcePerT, BakingFuel: r.Anode.BakingFuel, ProducedOnSite: r.Anode.ProducedOnSite,
		},
		Electrolysis: calc.ElectrolysisInput{
			Technology: r.Electrolysis.Technology, ACkWhPerT: r.Electrolysis.ACkWhPerT, LiquidACkWhPerT: r.Electrolysis.LiquidACkWhPerT,
			PFC: calc.PFCInput{
				Method: r.Electrolysis.PFC.Method, Coefficients: r.Electrolysis.PFC.Coefficients,
				AnodeEffectMinutesPerCellDay: r.Electrolysis.PFC.AnodeEffectMinutesPerCellDay,
				AnodeEffectOvervoltageMV:     r.Electrolysis.PFC.AnodeEffectOvervoltageMV,
				CurrentEfficiency:            r.Electrolysis.PFC.CurrentEfficiency,
				CF4KgPerT:                    r.Electrolysis.PFC.CF4KgPerT, C2F6KgPerT: r.Electrolysis.PFC.C2F6KgPerT,
				SlopeCF4: r.Electrolysis.PFC.SlopeCoefficient, FractionC2F6: r.Electrolysis.PFC.C2F6Fraction,
			},
		},
		Casting: calc.CastingInput{
			ElectricityKWhPerT: r.Casting.ElectricityKWhPerT, NaturalGasNm3PerT: r.Casting.NaturalGasNm3PerT, Molten: r.Casting.Molten,
		},
		Electricity: el,
	}, nil
}

// stageResponse is one stage of a footprint.
type stageResponse struct {
	Stage string `json:"stage" enums:"alumina_refining,anode_production,electrolysis_direct,electrolysis_electricity,casting" example:"electrolysis_electricity"`
	// TCO2ePerT is the location-based value [t CO2e/t].
	TCO2ePerT float64 `json:"tco2e_per_t" example:"10.9"`
	// MarketBasedTCO2ePerT is the market-based value [t CO2e/t].
	MarketBasedTCO2ePerT float64 `json:"market_based_tco2e_per_t" example:"10.1"`
	// Share of the location-based total, 0–1.
	Share float64 `json:"share" example:"0.67"`
	// DefaultedInputs are the request fields (JSON pointers) that took dataset defaults and that this stage rests on, as the engine recorded them: a subset of provenance.defaulted_inputs.
	DefaultedInputs []string `json:"defaulted_inputs"`
}

// gasesResponse splits the location-based total by gas [t CO2e/t].
type gasesResponse struct {
	CO2  float64 `json:"co2" example:"15.9"`
	CF4  float64 `json:"cf4" example:"0.23"`
	C2F6 float64 `json:"c2f6" example:"0.04"`
	// CF4KgPerT is the CF4 mass [kg/t Al].
	CF4KgPerT float64 `json:"cf4_kg_per_t" example:"0.034"`
	// C2F6KgPerT is the C2F6 mass [kg/t Al].
	C2F6KgPerT float64 `json:"c2f6_kg_per_t" example:"0.0034"`
}

// scopesResponse splits the location-based total by where it is emitted [t CO2e/t].
type scopesResponse struct {
	// DirectTCO2ePerT is scope 1 at the smelter: anode CO2, PFC, casting fuel, captive power plants and (dataset 2026.2 on, anodes baked on site) the anode plant.
	DirectTCO2ePerT float64 `json:"direct_tco2e_per_t" example:"9.5"`
	// IndirectElectricityTCO2ePerT is purchased electricity.
	IndirectElectricityTCO2ePerT float64 `json:"indirect_electricity_tco2e_per_t" example:"4.4"`
	// UpstreamTCO2ePerT is alumina and bought anodes.
	UpstreamTCO2ePerT float64 `json:"upstream_tco2e_per_t" example:"2.3"`
}

// ratingsResponse grades the smelter against national standards.
type ratingsResponse struct {
	// ACkWhPerT is the AC power driving the electricity stage [kWh/t].
	ACkWhPerT float64 `json:"ac_kwh_per_t" example:"13500"`
	// Indicator is the GB 21346-2022 Table 1 indicator graded: liquid_ac (铝液交流电耗: 12,950/13,000/13,350 kWh/t) or liquid_comprehensive_ac (铝液综合交流电耗: 13,250/13,350/13,700), the latter when only the comprehensive AC power is known (dataset 2026.2 on).
	Indicator string `json:"indicator" enums:"liquid_ac,liquid_comprehensive_ac" example:"liquid_ac"`
	// GradedKWhPerT is the value graded [kWh/t].
	GradedKWhPerT float64 `json:"graded_kwh_per_t" example:"13000"`
	// GB21346ACGrade is the GB 21346-2022 grade of the indicator: 1, 2, 3 (the mandatory limit), 0 above it (non-compliant).
	GB21346ACGrade int `json:"gb21346_ac_grade" example:"2"`
	// NDRCLevel on the liquid AC power against NDRC 发改产业〔2021〕1609号: benchmark (≤13,000), baseline (≤13,350), below_baseline; not_assessed when only the comprehensive AC power is known.
	NDRCLevel string `json:"ndrc_level" enums:"benchmark,baseline,below_baseline,not_assessed" example:"baseline"`
}

// cbamResponse is the EU CBAM view, always on CBAM's rules (AR5 GWPs, operational CO2 electricity factors).
type cbamResponse struct {
	CNCode string `json:"cn_code" example:"7601"`
	// Rules is the dataset's CBAM rule set: estimate (2026.1: anode plant outside, any PFC method, indirect on the supply's own factor) or definitive_2026 (2026.2 on: IR 2025/2547 boundary with an on-site anode plant, PFC by Annex II B.7 methods, indirect on the Commission's country factor).
	Rules string `json:"rules" enums:"estimate,definitive_2026" example:"definitive_2026"`
	// SEEDirectTCO2ePerT: anode CO2, PFC, casting fuel and, with anodes baked on site (definitive rules), the anode plant [t CO2e/t].
	SEEDirectTCO2ePerT float64 `json:"see_direct_tco2e_per_t" example:"1.73"`
	// AnodeCO2TCO2PerT is the CO2 of anode consumption in the cells [t CO2/t].
	AnodeCO2TCO2PerT float64 `json:"anode_co2_tco2_per_t" example:"1.47"`
	// PFCTCO2ePerT is CF4 and C2F6 with the CBAM (AR5) GWPs [t CO2e/t].
	PFCTCO2ePerT float64 `json:"pfc_tco2e_per_t" example:"0.26"`
	// CastingFuelTCO2PerT is the casthouse fuel's CO2 [t CO2/t].
	CastingFuelTCO2PerT float64 `json:"casting_fuel_tco2_per_t" example:"0.05"`
	// AnodeProductionTCO2PerT is the on-site anode plant's CO2 (baking fuel, pitch volatiles, packing coke) [t CO2/t]; 0 when the anodes are bought or on the estimate rules.
	AnodeProductionTCO2PerT float64 `json:"anode_production_tco2_per_t" example:"0.2"`
	// AnodesOnSite: the anodes are baked in the installation (definitive rules).
	AnodesOnSite *bool `json:"anodes_on_site,omitempty" example:"true"`
	// PFCVerifiable is false when the PFC figure comes from a method IR 2025/2547 Annex II B.7 does not allow (default or tier1): an estimate a verifier cannot accept (definitive rules).
	PFCVerifiable *bool `json:"pfc_verifiable,omitempty" example:"false"`
	// PFCMethod names the PFC method of the CBAM figure (definitive rules).
	PFCMethod string `json:"pfc_method,omitempty" example:"slope"`
	// SEEIndirectTCO2ePerT: electricity × the factor of indirect_rule [t CO2/t]; reported, not counted for aluminium.
	SEEIndirectTCO2ePerT float64 `json:"see_indirect_tco2e_per_t" example:"9.0"`
	// IndirectRule says which factor SEE indirect uses.
	IndirectRule string `json:"indirect_rule" example:"the Commission's default factor for China (IR 2025/2621 Annex II) for grid electricity and green contracts; captive plants, on-site PV and direct lines (a direct technical link) at their own operational factor"`
	// PortfolioSEEIndirectTCO2ePerT is SEE indirect on the supply's own operational factors, beside the Commission-rule figure (definitive rules).
	PortfolioSEEIndirectTCO2ePerT *float64 `json:"portfolio_see_indirect_tco2e_per_t,omitempty" example:"10.4"`
	// PortfolioElectricityEFTCO2MWh is the supply's own operational factor [t CO2/MWh] (definitive rules).
	PortfolioElectricityEFTCO2MWh *float64 `json:"portfolio_electricity_ef_tco2_per_mwh,omitempty" example:"0.77"`
	// ObligationTCO2ePerT counts direct emissions only: aluminium is in Annex II of Regulation (EU) 2023/956 (Art. 7(1)).
	ObligationTCO2ePerT  float64 `json:"obligation_tco2e_per_t" example:"1.73"`
	ElectricityMWhPerT   float64 `json:"electricity_mwh_per_t" example:"13.56"`
	ElectricityEFTCO2MWh float64 `json:"electricity_ef_tco2_per_mwh" example:"0.66"`
	// DefaultValueTCO2ePerT is the Commission's default for the CN code and country, beside the computed value.
	DefaultValueTCO2ePerT *float64 `json:"default_value_tco2e_per_t,omitempty" example:"3.0"`
	DefaultValueNote      string   `json:"default_value_note,omitempty"`
	// Notes explain the boundary choices of this result.
	Notes []string `json:"notes,omitempty"`
}

func newCBAMResponse(c calc.CBAM) cbamResponse {
	return cbamResponse{
		CNCode: c.CNCode, Rules: c.Rules, SEEDirectTCO2ePerT: c.SEEDirect, AnodeCO2TCO2PerT: c.AnodeCO2, PFCTCO2ePerT: c.PFC,
		CastingFuelTCO2PerT: c.CastingFuel, AnodeProductionTCO2PerT: c.AnodeProduction, AnodesOnSite: c.AnodesOnSite,
		PFCVerifiable: c.PFCVerifiable, PFCMethod: c.PFCMethod, SEEIndirectTCO2ePerT: c.SEEIndirect, IndirectRule: c.IndirectRule,
		PortfolioSEEIndirectTCO2ePerT: c.PortfolioSEEIndirect, PortfolioElectricityEFTCO2MWh: c.PortfolioEF,
		ObligationTCO2ePerT: c.ObligationTCO2ePerT, ElectricityMWhPerT: c.ElectricityMWhPerT, ElectricityEFTCO2MWh: c.ElectricityEF,
		DefaultValueTCO2ePerT: c.DefaultValueTCO2ePerT, DefaultValueNote: c.DefaultValueNote, Notes: c.Notes,
	}
}

// primaryResponse is the footprint of 1 t of primary aluminium.
type primaryResponse struct {
	Dataset          string              `json:"dataset" example:"2026.1"`
	EngineVersion    string              `json:"engine_version" example:"2026.11.0"`
	DeclaredUnit     string              `json:"declared_unit" example:"1 t primary aluminium (ingot)"`
	Region           string              `json:"region" example:"CN-SX"`
	Year             int                 `json:"year" example:"2023"`
	GWP              string              `json:"gwp" example:"AR5"`
	ElectricityBasis string              `json:"electricity_basis" example:"lifecycle"`
	Total            totalResponse       `json:"total_tco2e_per_t"`
	Stages           []stageResponse     `json:"stages"`
	Gases            gasesResponse       `json:"gases"`
	Scopes           scopesResponse      `json:"scopes"`
	Electricity      electricityResponse `json:"electricity"`
	Ratings          ratingsResponse     `json:"ratings"`
	CBAM             cbamResponse        `json:"cbam"`
	// ETS is the China national ETS view (dataset 2026.2 on).
	ETS        *etsResponse       `json:"ets,omitempty"`
	Provenance provenanceResponse `json:"provenance"`
}

func newPrimaryResponse(req *primaryRequest, r calc.PrimaryResult, p calc.Provenance) primaryResponse {
	out := primaryResponse{
		Dataset: req.Dataset, EngineVersion: calc.EngineVersion, DeclaredUnit: r.DeclaredUnit,
		Region: req.Region, Year: req.Year, GWP: req.GWP, ElectricityBasis: req.ElectricityBasis,
		Total: totalResponse{LocationBased: r.LocationBased, MarketBased: r.MarketBased},
		Gases: gasesResponse{CO2: r.Gases.CO2, CF4: r.Gases.CF4, C2F6: r.Gases.C2F6, CF4KgPerT: r.Gases.CF4KgPerT, C2F6KgPerT: r.Gases.C2F6KgPerT},
		Scopes: scopesResponse{
			DirectTCO2ePerT: r.Scopes.Direct, IndirectElectricityTCO2ePerT: r.Scopes.IndirectElectricity, UpstreamTCO2ePerT: r.Scopes.Upstream,
		},
		Electricity: newElectricityResponse(r.Electricity, r.MWhPerT),
		Ratings: ratingsResponse{ACkWhPerT: r.Ratings.ACkWhPerT, Indicator: r.Ratings.Indicator, GradedKWhPerT: r.Ratings.GradedKWhPerT,
			GB21346ACGrade: r.Ratings.GB21346ACGrade, NDRCLevel: r.Ratings.NDRCLevel},
		CBAM:       newCBAMResponse(r.CBAM),
		ETS:        newETSResponse(r.ETS),
		Provenance: newProvenance(reflect.TypeFor[primaryRequest](), p),
	}
	if len(r.Stages) > 0 { // none: null, as before
		out.Stages = make([]stageResponse, 0, len(r.Stages))
	}
	for _, s := range r.Stages {
		out.Stages = append(out.Stages, stageResponse{Stage: s.Name, TCO2ePerT: s.LocationBased, MarketBasedTCO2ePerT: s.MarketBased, Share: s.Share,
			DefaultedInputs: defaultedPointers(reflect.TypeFor[primaryRequest](), s.Defaulted)})
	}
	return out
}

// handlePrimaryFootprint computes the footprint of 1 t of primary aluminium.
//
//	@Summary		Primary aluminium footprint
//	@Description	Cradle-to-gate t CO2e per t of primary aluminium by stage (alumina_refining, anode_production, electrolysis_direct, electrolysis_electricity, casting), gas and scope; location- and market-based; renewable shares; GB 21346-2022 grade; the CBAM view; and the provenance of every factor. Every field is optional: omitted inputs take dataset defaults listed in provenance.defaulted_inputs.
//	@Tags			calculations
//	@Accept			json
//	@Produce		json
//	@Param			request	body		primaryRequest	true	"smelter activity data"
//	@Success		200		{object}	primaryResponse
//	@Header			200		{string}	ETag				"hash of the normalised request, the same from every cache tier; weak (W/\"…\") on a gzip answer; If-None-Match with either form gets 304"
//	@Header			200		{string}	X-Cache				"hit-memory (the same bytes or the same normalised request answered before), hit-redis or miss"
//	@Header			200		{string}	Content-Encoding	"gzip when Accept-Encoding accepts it (answers above 1 kB; the compressed form is kept in the cache)"
//	@Header			200		{string}	Vary				"Accept-Encoding (answers above 1 kB)"
//	@Failure		400		{object}	Problem	"malformed JSON"
//	@Failure		413		{object}	Problem	"body too large"
//	@Failure		415		{object}	Problem	"not JSON"
//	@Failure		422		{object}	Problem	"invalid fields, by JSON pointer; or over the work budget (ALCARBON_MAX_WORK): work_units and max_work_units given, the fields that drive the cost named by pointer"
//	@Failure		503		{object}	Problem	"with hourly PV: every slot for heavy calculations busy for 1 s (Retry-After), or stopped at the write timeout"
//	@Router			/v1/footprints/primary [post]
func (s *server) handlePrimaryFootprint(c echo.Context) error {
	return s.calculate(c, calcKinds[kindPrimary])
}
