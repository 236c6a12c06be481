package api

import (
	"github.com/labstack/echo/v4"

	"alcarbon/calc"
)

// electricityRequest is a supply portfolio on its own.
type electricityRequest struct {
	commonRequest
	// DemandMWh is annual demand [MWh/yr], >0 to 1e9. Alternatively give production_t and consumption_kwh_per_t. With neither, results are per MWh of demand and only shares are allowed.
	DemandMWh *float64 `json:"demand_mwh,omitempty" minimum:"0" maximum:"1000000000" exclusiveMinimum:"true" unit:"MWh/yr" example:"4000000"`
	// ProductionT is annual production [t/yr], >0 to 1e7 (with consumption_kwh_per_t).
	ProductionT *float64 `json:"production_t,omitempty" minimum:"0" maximum:"10000000" exclusiveMinimum:"true" unit:"t/yr" example:"300000"`
	// ConsumptionKWhPerT is electricity per t of product [kWh/t], >0 to 20,000 (with production_t).
	ConsumptionKWhPerT *float64 `json:"consumption_kwh_per_t,omitempty" minimum:"0" maximum:"20000" exclusiveMinimum:"true" unit:"kWh/t" example:"13561"`
	portfolioRequest
}

func (r *electricityRequest) validate(v *validator) {
	if r.DemandMWh != nil && (r.ProductionT != nil || r.ConsumptionKWhPerT != nil) {
		v.addCode("/demand_mwh", codeMutuallyExclusive, fieldsParam("demand_mwh", "production_t"), "give demand_mwh or production_t with consumption_kwh_per_t, not both")
	}
	if (r.ProductionT == nil) != (r.ConsumptionKWhPerT == nil) {
		v.addCode("/production_t", codeTogether, fieldsParam("production_t", "consumption_kwh_per_t"), "production_t and consumption_kwh_per_t go together")
	}
	annual := r.DemandMWh != nil || (r.ProductionT != nil && r.ConsumptionKWhPerT != nil)
	r.portfolioRequest.validate(v, "", annual, "/demand_mwh (or /production_t with /consumption_kwh_per_t)")
}

// electricityInput converts the request into the engine's portfolio: demand
// from demand_mwh or production × consumption, else 1 MWh with shares only.
func (r *electricityRequest) electricityInput() (calc.ElectricityInput, error) {
	in, err := r.portfolioRequest.toInput("")
	if err != nil {
		return in, err
	}
	in.Region, in.Year, in.Basis = r.Region, r.Year, calc.Basis(r.ElectricityBasis)
	in.DemandMWh = 1
	switch {
	case r.DemandMWh != nil:
		in.DemandMWh, in.AnnualVolumes = *r.DemandMWh, true
	case r.ProductionT != nil:
		in.DemandMWh, in.AnnualVolumes = *r.ProductionT**r.ConsumptionKWhPerT/1000, true
	}
	return in, nil
}

// electricityResultResponse answers POST /v1/electricity.
type electricityResultResponse struct {
	Dataset       string `json:"dataset" example:"2026.1"`
	EngineVersion string `json:"engine_version" example:"2026.11.0"`
	Region        string `json:"region" example:"CN-SX"`
	Year          int    `json:"year" example:"2023"`
	electricityResponse
	// LocationTCO2PerYr is annual emissions of the supply, location-based [t/yr]; omitted without annual demand.
	LocationTCO2PerYr *float64 `json:"location_tco2_per_yr,omitempty" example:"3240000"`
	// MarketTCO2PerYr is annual emissions of the supply, market-based [t/yr].
	MarketTCO2PerYr *float64           `json:"market_tco2_per_yr,omitempty" example:"3100000"`
	Provenance      provenanceResponse `json:"provenance"`
}

// handleElectricity computes a supply portfolio.
//
//	@Summary		Electricity supply portfolio
//	@Description	Emission factors (location- and market-based) and renewable shares of a plant's electricity supply: grid, captive plants, on-site PV, direct lines, green contracts and certificates. Fixed volumes (mwh) are met first in list order, shares split the remainder, and without share-based sources the plant region's grid supplies the rest. Volumes beyond demand are exported and do not count.
//	@Tags			calculations
//	@Accept			json
//	@Produce		json
//	@Param			request	body		electricityRequest	true	"portfolio"
//	@Success		200		{object}	electricityResultResponse
//	@Header			200		{string}	ETag				"hash of the normalised request, the same from every cache tier; weak (W/\"…\") on a gzip answer; If-None-Match with either form gets 304"
//	@Header			200		{string}	X-Cache				"hit-memory (the same bytes or the same normalised request answered before), hit-redis or miss"
//	@Header			200		{string}	Content-Encoding	"gzip when Accept-Encoding accepts it (answers above 1 kB; the compressed form is kept in the cache)"
//	@Header			200		{string}	Vary				"Accept-Encoding (answers above 1 kB)"
//	@Failure		400		{object}	Problem	"malformed JSON"
//	@Failure		413		{object}	Problem	"body too large"
//	@Failure		415		{object}	Problem	"not JSON"
//	@Failure		422		{object}	Problem	"invalid fields, by JSON pointer; or over the work budget (ALCARBON_MAX_WORK): work_units and max_work_units given, the fields that drive the cost named by pointer"
//	@Failure		503		{object}	Problem	"with hourly PV: every slot for heavy calculations busy for 1 s (Retry-After), or stopped at the write timeout"
//	@Router			/v1/electricity [post]
func (s *server) handleElectricity(c echo.Context) error {
	return s.calculate(c, calcKinds[kindElectricity])
}
