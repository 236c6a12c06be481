package api

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"alcarbon/calc"
)

// etsResponse is the China national ETS view of a smelter (dataset 2026.2
// on): what the MEE accounting guideline for aluminium smelting counts.
type etsResponse struct {
	// Guideline is the MEE accounting guideline followed.
	Guideline string `json:"guideline" example:"企业温室气体排放核算与报告指南 铝冶炼行业 (CETS-AG-04.01-V01-2024)"`
	// AnodeCO2TCO2PerT is the CO2 of carbon-anode consumption (能源作为原材料用途): NAC × (1 − S − ash) × 44/12 [t CO2/t liquid Al].
	AnodeCO2TCO2PerT float64 `json:"anode_co2_tco2_per_t" example:"1.471"`
	// PFCTCO2ePerT is CF4 and C2F6 from anode effects (阳极效应) with AR5 GWPs [t CO2e/t].
	PFCTCO2ePerT float64 `json:"pfc_tco2e_per_t" example:"0.263"`
	// CF4KgPerT and C2F6KgPerT are the guideline's PFC masses [kg/t].
	CF4KgPerT  float64 `json:"cf4_kg_per_t" example:"0.034"`
	C2F6KgPerT float64 `json:"c2f6_kg_per_t" example:"0.0034"`
	// PFCMethod is the guideline's method used: its default factors, or the anode-effect duration method when anode-effect minutes are given.
	PFCMethod string `json:"pfc_method" example:"default factors (Appendix A)"`
	// ProcessTCO2ePerT is the aluminium-electrolysis process (铝电解工序), the unit allowances are allocated to: anode CO2 + PFC [t CO2e/t].
	ProcessTCO2ePerT float64 `json:"process_tco2e_per_t" example:"1.734"`
	// CastingFuelTCO2PerT is the casthouse fuel's CO2, counted at enterprise level [t CO2/t].
	CastingFuelTCO2PerT float64 `json:"casting_fuel_tco2_per_t" example:"0.047"`
	// EnterpriseTCO2ePerT is the enterprise level (企业层级) within this model: process + casting fuel [t CO2e/t].
	EnterpriseTCO2ePerT float64 `json:"enterprise_tco2e_per_t" example:"1.781"`
	// PurchasedElectricityMWhPerT is electricity bought from outside (grid, direct lines, green contracts): an auxiliary reporting item, not covered [MWh/t].
	PurchasedElectricityMWhPerT float64 `json:"purchased_electricity_mwh_per_t" example:"4.6"`
	// Annual is the year's figures, when production_t is given.
	Annual *etsAnnualResponse `json:"annual,omitempty"`
	// Allocation lists the allocation rule of each compliance year of the 2024–2025 plan.
	Allocation []etsAllocationResponse `json:"allocation"`
	Notes      []string                `json:"notes"`
}

type etsAnnualResponse struct {
	ProcessTCO2e    float64 `json:"process_tco2e" example:"520200"`
	EnterpriseTCO2e float64 `json:"enterprise_tco2e" example:"534300"`
	// ThresholdTCO2e is the annual direct emissions from which an enterprise is a key emitting unit (重点排放单位).
	ThresholdTCO2e float64 `json:"threshold_tco2e" example:"26000"`
	KeyEmitter     bool    `json:"key_emitter" example:"true"`
}

type etsAllocationResponse struct {
	Year   int    `json:"year" example:"2024"`
	Method string `json:"method"`
	// BenchmarkTCO2ePerT is the plan's intensity value, null where no published value was found.
	BenchmarkTCO2ePerT *float64 `json:"benchmark_tco2e_per_t"`
	// AllowancesTCO2e for the year, null where the plan's value or the production is not known.
	AllowancesTCO2e *float64 `json:"allowances_tco2e"`
	// BalanceTCO2e is the surplus (+) or shortfall (−), null where it cannot be computed.
	BalanceTCO2e *float64 `json:"balance_tco2e"`
	Note         string   `json:"note,omitempty"`
}

func newETSResponse(e *calc.ETS) *etsResponse {
	if e == nil {
		return nil
	}
	out := &etsResponse{
		Guideline: e.Guideline, AnodeCO2TCO2PerT: e.AnodeCO2, PFCTCO2ePerT: e.PFC, CF4KgPerT: e.CF4KgPerT, C2F6KgPerT: e.C2F6KgPerT,
		PFCMethod: e.PFCMethod, ProcessTCO2ePerT: e.ProcessTCO2ePerT, CastingFuelTCO2PerT: e.CastingFuel,
		EnterpriseTCO2ePerT: e.EnterpriseTCO2ePerT, PurchasedElectricityMWhPerT: e.PurchasedElectricityMWhPerT, Notes: e.Notes,
	}
	if a := e.Annual; a != nil {
		out.Annual = &etsAnnualResponse{ProcessTCO2e: a.ProcessTCO2e, EnterpriseTCO2e: a.EnterpriseTCO2e, ThresholdTCO2e: a.ThresholdTCO2e, KeyEmitter: a.KeyEmitter}
	}
	if len(e.Allocation) > 0 { // none: null, as before
		out.Allocation = make([]etsAllocationResponse, 0, len(e.Allocation))
	}
	for _, y := range e.Allocation {
		out.Allocation = append(out.Allocation, etsAllocationResponse{Year: y.Year, Method: y.Method, BenchmarkTCO2ePerT: y.BenchmarkTCO2ePerT,
			AllowancesTCO2e: y.AllowancesTCO2e, BalanceTCO2e: y.BalanceTCO2e, Note: y.Note})
	}
	return out
}

// declarationETSResponse is the China ETS summary of a declaration.
type declarationETSResponse struct {
	DeclarationID   string               `json:"declaration_id"`
	Status          string               `json:"status" example:"active"`
	ProductName     string               `json:"product_name"`
	Enterprise      string               `json:"enterprise" example:"Shanxi Aluminium Smelter Co."`
	Region          string               `json:"region" example:"CN-SX"`
	ReportingPeriod referencePeriod      `json:"reporting_period"`
	ETS             etsResponse          `json:"ets"`
	DatasetVersion  string               `json:"dataset_version"`
	EngineVersion   string               `json:"engine_version"`
	ContentHash     string               `json:"content_hash"`
	Links           cbamDeclarationLinks `json:"links"`
}

// handleDeclarationETS gives a declaration's China ETS summary.
//
//	@Summary		China ETS summary of a declaration
//	@Description	The China national ETS view of a declared primary aluminium footprint (dataset 2026.2 on): the emissions the MEE accounting guideline for aluminium smelting (CETS-AG-04.01-V01-2024) counts per t and per year, the purchased electricity reported beside them, and the allocation rules of the 2024–2025 plan, with the enterprise and the reporting period.
//	@Tags			registry
//	@Produce		json
//	@Security		APIKey
//	@Param			id	path		string	true	"declaration ID"
//	@Success		200	{object}	declarationETSResponse
//	@Failure		401	{object}	Problem	"wrong API key"
//	@Failure		404	{object}	Problem	"no such declaration visible to the caller"
//	@Failure		409	{object}	Problem	"the declaration's result has no ETS view (a product, or a dataset before 2026.2)"
//	@Failure		503	{object}	Problem	"registry unavailable"
//	@Router			/v1/declarations/{id}/ets [get]
func (s *server) handleDeclarationETS(c echo.Context) error {
	d, err := s.declaration(c)
	if err != nil {
		return err
	}
	var res struct {
		ETS *etsResponse `json:"ets"`
	}
	if err := json.Unmarshal(d.Result, &res); err != nil || res.ETS == nil {
		return problem(http.StatusConflict, "this declaration's result has no China ETS view: only primary aluminium footprints on dataset 2026.2 or later have one")
	}
	return c.JSON(http.StatusOK, declarationETSResponse{
		DeclarationID: d.ID, Status: d.Status, ProductName: d.ProductName, Enterprise: d.CompanyName, Region: d.Region,
		ReportingPeriod: referencePeriod{Start: d.PeriodStart, End: d.PeriodEnd}, ETS: *res.ETS,
		DatasetVersion: d.DatasetVersion, EngineVersion: d.EngineVersion, ContentHash: d.ContentHash,
		Links: cbamDeclarationLinks{Declaration: "/v1/declarations/" + d.ID},
	})
}
