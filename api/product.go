package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"alcarbon/calc"
	"alcarbon/factors"
	"alcarbon/registry"
)

// productRequest is a downstream plant's data for 1 t of product. Only
// product is required; what is left out takes a dataset
// default, listed in provenance.defaulted_inputs.
type productRequest struct {
	commonRequest
	// Product family (GET /v1/products).
	Product string `json:"product" enums:"building_profile,industrial_profile,automotive_part,rail_transit_profile,household_foil,conductor_rod" example:"building_profile" check:"dataset"`
	// Alloy; default the family's first typical alloy.
	Alloy string `json:"alloy,omitempty" example:"6063"`
	// GWP is the IPCC GWP100 set, used by a computed primary footprint; default AR5.
	GWP string `json:"gwp,omitempty" enums:"AR4,AR5,AR6" example:"AR5"`
	// ProductionT is annual production [t product/yr], >0 to 10,000,000; needed for electricity sources given in MWh, certificates and on-site PV.
	ProductionT *float64     `json:"production_t,omitempty" minimum:"0" maximum:"10000000" exclusiveMinimum:"true" unit:"t/yr" example:"50000"`
	Metal       metalRequest `json:"metal"`
	// Yield is t product per t cast metal, in (0, 1]; default the family's (GET /v1/products). Process scrap (1/yield − 1) is remelted in-house.
	Yield *float64 `json:"yield,omitempty" minimum:"0" maximum:"1" exclusiveMinimum:"true" example:"0.8"`
	// MeltLossFraction is metal lost per t remelted, 0–0.2; default 0.019 (European Aluminium 2015).
	MeltLossFraction *float64 `json:"melt_loss_fraction,omitempty" minimum:"0" maximum:"0.2" example:"0.019"`
	// Steps override the default energy of route steps (or remelting), add catalogue steps or omit steps; at most 30.
	Steps        []stepRequest       `json:"steps,omitempty"`
	DirectSupply directSupplyRequest `json:"direct_supply"`
	// Electricity is the processing plant's supply portfolio (as in POST /v1/footprints/primary).
	Electricity portfolioRequest `json:"electricity"`
	// Transport legs of 1 t of product, at most 20.
	Transport []transportLegRequest `json:"transport,omitempty"`
}

// metalRequest is the metal a product is made of.
type metalRequest struct {
	// PrimaryFootprintTCO2ePerT is the primary ingot's footprint [t CO2e/t], 0–50. Give this, primary or declaration_id; with none the region's default primary footprint is computed (flagged).
	PrimaryFootprintTCO2ePerT *float64 `json:"primary_footprint_tco2e_per_t,omitempty" minimum:"0" maximum:"50" unit:"t CO2e/t" example:"12.7"`
	// Primary is a primary footprint request (as POST /v1/footprints/primary) computed inline; region, year, basis and gwp default to this request's.
	Primary *primaryRequest `json:"primary,omitempty"`
	// DeclarationID of a published public primary declaration (GET /v1/declarations); its headline total is used.
	DeclarationID string `json:"declaration_id,omitempty" example:"6f1c2b1e-8a43-4d1c-9a55-0b0c8f6d2a10"`
	// PostConsumerScrapShare of the aluminium input, 0–1; default 0.
	PostConsumerScrapShare *float64 `json:"post_consumer_scrap_share,omitempty" minimum:"0" maximum:"1" example:"0.1"`
	// PreConsumerScrapShare of the aluminium input, 0–1 (sum with post-consumer ≤ 1); default 0.
	PreConsumerScrapShare *float64 `json:"pre_consumer_scrap_share,omitempty" minimum:"0" maximum:"1" example:"0.05"`
	// PostConsumerScrapTCO2ePerT [t CO2e/t], 0–50; default 0.5 (Hydro).
	PostConsumerScrapTCO2ePerT *float64 `json:"post_consumer_scrap_tco2e_per_t,omitempty" minimum:"0" maximum:"50" unit:"t CO2e/t" example:"0.5"`
	// PreConsumerScrapTCO2ePerT [t CO2e/t], 0–50; default the primary footprint (Hydro: process scrap carries it).
	PreConsumerScrapTCO2ePerT *float64 `json:"pre_consumer_scrap_tco2e_per_t,omitempty" minimum:"0" maximum:"50" unit:"t CO2e/t" example:"12.7"`
}

// stepRequest overrides one step's energy [per t the step processes].
type stepRequest struct {
	// Step name: a step of GET /v1/products, or remelting.
	Step string `json:"step" example:"extrusion_building"`
	// ElectricityKWhPerT [kWh/t], 0–5000; with natural_gas_nm3_per_t it replaces the default (a missing one counts 0).
	ElectricityKWhPerT *float64 `json:"electricity_kwh_per_t,omitempty" minimum:"0" maximum:"5000" unit:"kWh/t" example:"400"`
	// NaturalGasNm3PerT [Nm3/t], 0–500.
	NaturalGasNm3PerT *float64 `json:"natural_gas_nm3_per_t,omitempty" minimum:"0" maximum:"500" unit:"Nm3/t" example:"30"`
	// Omit removes the step from the route (not the casting step or remelting).
	Omit bool `json:"omit,omitempty"`
}

// directSupplyRequest is molten-metal direct supply (铝水直供).
type directSupplyRequest struct {
	// MoltenShare of the primary metal delivered molten, 0–1; default 0.
	MoltenShare *float64 `json:"molten_share,omitempty" minimum:"0" maximum:"1" example:"0.8"`
	// HaulKm of the hot metal by road, 0–1000; default 50 (the Chinese viability radius).
	HaulKm *float64 `json:"haul_km,omitempty" minimum:"0" maximum:"1000" unit:"km" example:"20"`
	// IngotTransportKm from smelter to plant for ingot, 0–5000; default 0 (none counted).
	IngotTransportKm *float64 `json:"ingot_transport_km,omitempty" minimum:"0" maximum:"5000" unit:"km" example:"300"`
	// IngotTransportMode; default road.
	IngotTransportMode string `json:"ingot_transport_mode,omitempty" enums:"road,rail,water" example:"road"`
}

// transportLegRequest is one freight leg.
type transportLegRequest struct {
	Mode string `json:"mode" enums:"road,rail,water" example:"rail"`
	// Km, 0–20,000.
	Km float64 `json:"km" minimum:"0" maximum:"20000" unit:"km" example:"800"`
}

const (
	maxProductSteps = 30
	maxTransportLeg = 20
)

func (r *productRequest) validate(v *validator) {
	if r.Product == "" {
		v.add("/product", "is required; GET /v1/products lists the families")
	}
	m := r.Metal
	given := 0
	for _, set := range []bool{m.PrimaryFootprintTCO2ePerT != nil, m.Primary != nil, m.DeclarationID != ""} {
		if set {
			given++
		}
	}
	if given > 1 {
		v.addCode("/metal", codeMutuallyExclusive, fieldsParam("primary_footprint_tco2e_per_t", "primary", "declaration_id"), "give one of primary_footprint_tco2e_per_t, primary and declaration_id")
	}
	if m.Primary != nil {
		sub := &validator{}
		m.Primary.validate(sub)
		for _, f := range sub.fields {
			v.addCode("/metal/primary"+f.Pointer, f.Code, f.Params, "%s", f.Detail)
		}
	}
	if len(r.Steps) > maxProductSteps {
		v.addCode("/steps", codeWrongCount, countParam(-1, maxProductSteps, len(r.Steps)), "at most %d steps are allowed; got %d", maxProductSteps, len(r.Steps))
	} else {
		for i, s := range r.Steps {
			p := fmt.Sprintf("/steps/%d", i)
			if s.Step == "" {
				v.add(p+"/step", "is required; GET /v1/products lists the steps")
			}
			if s.Omit && (s.ElectricityKWhPerT != nil || s.NaturalGasNm3PerT != nil) {
				v.addCode(p+"/omit", codeMutuallyExclusive, fieldsParam("omit", "electricity_kwh_per_t", "natural_gas_nm3_per_t"), "an omitted step has no energy; leave out electricity_kwh_per_t and natural_gas_nm3_per_t")
			}
		}
	}
	r.Electricity.validate(v, "/electricity", r.ProductionT != nil, "/production_t")
	if len(r.Transport) > maxTransportLeg {
		v.addCode("/transport", codeWrongCount, countParam(-1, maxTransportLeg, len(r.Transport)), "at most %d legs are allowed; got %d", maxTransportLeg, len(r.Transport))
		return
	}
	for i, t := range r.Transport {
		p := fmt.Sprintf("/transport/%d", i)
		if t.Mode == "" {
			v.add(p+"/mode", "is required; one of %s", joinList(calc.TransportModes))
		}
	}
}

// hasPV says whether the request models on-site PV (its own portfolio or the
// inline primary's): such requests are worth a Redis round trip.
func (r *productRequest) hasPV() bool {
	return r.Electricity.hasPV() || (r.Metal.Primary != nil && r.Metal.Primary.Electricity.hasPV())
}

// normalise fills the inline primary's shared fields from the product
// request, so that equal requests hash equal.
func (r *productRequest) normalise() error {
	if r.GWP == "" {
		r.GWP = defaultGWP
	}
	p := r.Metal.Primary
	if p == nil {
		return nil
	}
	if p.Dataset != "" && p.Dataset != r.Dataset {
		return invalid([]FieldProblem{{Pointer: "/metal/primary/dataset", Code: codeMustMatch, Params: map[string]any{"want": r.Dataset, "got": p.Dataset}, Detail: "must be the product request's dataset (" + r.Dataset + ") or left out"}})
	}
	p.Dataset = r.Dataset
	if p.Region == "" {
		p.Region = r.Region
	}
	p.Region = strings.ToUpper(p.Region)
	if p.Year == 0 {
		p.Year = r.Year
	}
	if p.ElectricityBasis == "" {
		p.ElectricityBasis = r.ElectricityBasis
	}
	if p.GWP == "" {
		p.GWP = r.GWP
	}
	return nil
}

func (r *productRequest) toInput() (calc.ProductInput, error) {
	el, err := r.Electricity.toInput("/electricity")
	if err != nil {
		return calc.ProductInput{}, err
	}
	in := calc.ProductInput{
		Product: r.Product, Alloy: r.Alloy, Region: r.Region, Year: r.Year, GWP: r.GWP, Basis: calc.Basis(r.ElectricityBasis),
		ProductionT: r.ProductionT, Yield: r.Yield, MeltLossFraction: r.MeltLossFraction, Electricity: el,
		Metal: calc.MetalInput{
			PrimaryFootprintTCO2ePerT: r.Metal.PrimaryFootprintTCO2ePerT, PostConsumerScrapShare: r.Metal.PostConsumerScrapShare,
			PreConsumerScrapShare: r.Metal.PreConsumerScrapShare, PostConsumerScrapTCO2ePerT: r.Metal.PostConsumerScrapTCO2ePerT,
			PreConsumerScrapTCO2ePerT: r.Metal.PreConsumerScrapTCO2ePerT,
		},
		DirectSupply: calc.DirectSupplyInput{
			MoltenShare: r.DirectSupply.MoltenShare, HaulKm: r.DirectSupply.HaulKm,
			IngotTransportKm: r.DirectSupply.IngotTransportKm, IngotTransportMode: r.DirectSupply.IngotTransportMode,
		},
	}
	if r.Metal.Primary != nil {
		pin, err := r.Metal.Primary.toInput()
		if err != nil {
			return in, err
		}
		in.Metal.Primary = &pin
	}
	for _, s := range r.Steps {
		in.Steps = append(in.Steps, calc.StepOverride{Step: s.Step, ElectricityKWhPerT: s.ElectricityKWhPerT, NaturalGasNm3PerT: s.NaturalGasNm3PerT, Omit: s.Omit})
	}
	for _, t := range r.Transport {
		in.Transport = append(in.Transport, calc.TransportLeg{Mode: t.Mode, Km: t.Km})
	}
	return in, nil
}

// productStageResponse is one stage of a product footprint.
type productStageResponse struct {
	Stage string `json:"stage" enums:"primary_metal,recycled_metal,alloying,casting,processing,transport" example:"primary_metal"`
	// TCO2ePerT is the location-based value [t CO2e/t product].
	TCO2ePerT float64 `json:"tco2e_per_t" example:"12.5"`
	// MarketBasedTCO2ePerT is the market-based value [t CO2e/t product].
	MarketBasedTCO2ePerT float64 `json:"market_based_tco2e_per_t" example:"12.5"`
	// Share of the location-based total, 0–1.
	Share float64 `json:"share" example:"0.9"`
	// DefaultedInputs are the request fields (JSON pointers) that took dataset defaults and that this stage rests on, as the engine recorded them: a subset of provenance.defaulted_inputs.
	DefaultedInputs []string `json:"defaulted_inputs"`
}

// productStepResponse is one step of the route.
type productStepResponse struct {
	Step  string `json:"step" example:"extrusion_building"`
	Stage string `json:"stage" enums:"casting,processing" example:"processing"`
	// Basis of the energy: per t cast metal, t product or t remelted.
	Basis string `json:"basis" enums:"cast,product,remelted" example:"product"`
	// MassTPerT is what the step processes per t of product.
	MassTPerT          float64 `json:"mass_t_per_t" example:"1"`
	ElectricityKWhPerT float64 `json:"electricity_kwh_per_t" example:"159"`
	NaturalGasNm3PerT  float64 `json:"natural_gas_nm3_per_t" example:"98"`
	// EnergyKgcePerT is the comprehensive energy per t processed (electricity at 3.6 MJ/kWh) [kgce/t].
	EnergyKgcePerT float64 `json:"energy_kgce_per_t" example:"150"`
	// GB21351GradeLimitsKgcePerT are the GB 21351-2023 grade 1, 2 and 3 limits of the step.
	GB21351GradeLimitsKgcePerT [3]float64 `json:"gb21351_grade_limits_kgce_per_t"`
	// GB21351Grade is 1–3, or 0 above the grade-3 (mandatory) limit.
	GB21351Grade int `json:"gb21351_grade" example:"3"`
	// Defaulted is true when the step's energy is the dataset default (grade-3 limit).
	Defaulted            bool    `json:"defaulted"`
	TCO2ePerT            float64 `json:"tco2e_per_t" example:"0.25"`
	MarketBasedTCO2ePerT float64 `json:"market_based_tco2e_per_t" example:"0.25"`
}

// metalResponse is the metal flow per t of product.
type metalResponse struct {
	Yield            float64 `json:"yield" example:"0.69"`
	MeltLossFraction float64 `json:"melt_loss_fraction" example:"0.019"`
	// CastTPerT = 1/yield.
	CastTPerT float64 `json:"cast_t_per_t" example:"1.449"`
	// ProcessScrapTPerT = cast − 1, remelted in-house (closed loop).
	ProcessScrapTPerT float64 `json:"process_scrap_t_per_t" example:"0.449"`
	// NewMetalTPerT is purchased metal charged per t product (1 + melt losses).
	NewMetalTPerT float64 `json:"new_metal_t_per_t" example:"1.028"`
	// RemeltedTPerT is solid metal remelted per t product.
	RemeltedTPerT      float64 `json:"remelted_t_per_t" example:"1.47"`
	MeltLossTPerT      float64 `json:"melt_loss_t_per_t" example:"0.028"`
	PrimaryTPerT       float64 `json:"primary_t_per_t" example:"1.017"`
	MoltenPrimaryTPerT float64 `json:"molten_primary_t_per_t" example:"0"`
	PostConsumerTPerT  float64 `json:"post_consumer_scrap_t_per_t" example:"0"`
	PreConsumerTPerT   float64 `json:"pre_consumer_scrap_t_per_t" example:"0"`
	AlloyingTPerT      float64 `json:"alloying_t_per_t" example:"0.011"`
	// RecycledContent = (post- + pre-consumer scrap) / new metal.
	RecycledContent float64 `json:"recycled_content" example:"0"`
	// PrimarySource: given, inline, declaration or region_default.
	PrimarySource string `json:"primary_source" enums:"given,inline,declaration,region_default" example:"given"`
	// PrimaryTCO2ePerT is the primary ingot footprint used (location-based).
	PrimaryTCO2ePerT float64 `json:"primary_tco2e_per_t" example:"12.7"`
	// PrimaryMarketBasedTCO2ePerT is its market-based value.
	PrimaryMarketBasedTCO2ePerT float64 `json:"primary_market_based_tco2e_per_t" example:"12.7"`
	// SmelterCastingTCO2ePerT is the casting part of the primary footprint, per t primary (moved to the casting stage; 0 for molten metal).
	SmelterCastingTCO2ePerT float64 `json:"smelter_casting_tco2e_per_t" example:"0.035"`
}

// alloyingResponse is one alloying element.
type alloyingResponse struct {
	Element string `json:"element" example:"Mg"`
	// MassFraction of the metal (nominal composition).
	MassFraction float64 `json:"mass_fraction" example:"0.00675"`
	TPerT        float64 `json:"t_per_t" example:"0.0069"`
	// ElementTCO2ePerT is the element's footprint [t CO2e/t element].
	ElementTCO2ePerT float64 `json:"element_tco2e_per_t" example:"42"`
	TCO2ePerT        float64 `json:"tco2e_per_t" example:"0.29"`
}

// avoidedResponse says where the direct-supply saving comes from [t CO2e/t product, location-based].
type avoidedResponse struct {
	// CastingEnergy at the smelter.
	CastingEnergy float64 `json:"casting_energy_tco2e_per_t" example:"0.03"`
	// RemeltingFuel is remelting energy at the processor (fuel and electricity).
	RemeltingFuel float64 `json:"remelting_fuel_tco2e_per_t" example:"0.19"`
	// MeltLoss is metal not lost in remelting.
	MeltLoss float64 `json:"melt_loss_tco2e_per_t" example:"0.2"`
	// Transport is ingot transport minus the hot-metal haul.
	Transport float64 `json:"transport_tco2e_per_t" example:"0.01"`
	// Other is the rest (a portfolio factor that changes with demand).
	Other float64 `json:"other_tco2e_per_t" example:"0"`
}

// directSupplyResponse compares the footprint with and without direct supply.
type directSupplyResponse struct {
	MoltenShare        float64 `json:"molten_share" example:"0.8"`
	HaulKm             float64 `json:"haul_km" example:"20"`
	IngotTransportKm   float64 `json:"ingot_transport_km" example:"300"`
	IngotTransportMode string  `json:"ingot_transport_mode" example:"road"`
	// WithTCO2ePerT is the footprint as requested.
	WithTCO2ePerT totalResponse `json:"with_tco2e_per_t"`
	// WithoutTCO2ePerT is the same product with all primary metal delivered as ingot.
	WithoutTCO2ePerT totalResponse `json:"without_tco2e_per_t"`
	// AvoidedTCO2ePerT = without − with.
	AvoidedTCO2ePerT totalResponse   `json:"avoided_tco2e_per_t"`
	AvoidedBy        avoidedResponse `json:"avoided_by"`
}

// productCBAMResponse is the EU CBAM view of the product.
type productCBAMResponse struct {
	CNCode string `json:"cn_code" example:"7604"`
	// SEEDirectTCO2ePerT = processing fuel CO2 + precursor direct emissions.
	SEEDirectTCO2ePerT float64 `json:"see_direct_tco2e_per_t" example:"2.0"`
	// SEEIndirectTCO2ePerT = processing electricity × the factor of indirect_rule + precursor indirect emissions; reported, not counted for aluminium.
	SEEIndirectTCO2ePerT float64 `json:"see_indirect_tco2e_per_t" example:"9.5"`
	// ObligationTCO2ePerT counts direct emissions only (Annex II of Regulation (EU) 2023/956).
	ObligationTCO2ePerT      float64 `json:"obligation_tco2e_per_t" example:"2.0"`
	ProcessDirectTCO2ePerT   float64 `json:"process_direct_tco2e_per_t" example:"0.4"`
	ProcessIndirectTCO2ePerT float64 `json:"process_indirect_tco2e_per_t" example:"0.2"`
	// IndirectRule says which factor the processing plant's electricity takes: its own operational factors, or (dataset 2026.2 on) the Commission's default factor for China for grid electricity and green contracts.
	IndirectRule string `json:"indirect_rule,omitempty"`
	// PortfolioProcessIndirectTCO2ePerT is the processing electricity on the plant's own operational factors, beside the Commission-rule figure (dataset 2026.2 on).
	PortfolioProcessIndirectTCO2ePerT *float64 `json:"portfolio_process_indirect_tco2e_per_t,omitempty" example:"0.25"`
	PrecursorTPerT                    float64  `json:"precursor_t_per_t" example:"1.02"`
	PrecursorSEEDirectTCO2ePerT       float64  `json:"precursor_see_direct_tco2e_per_t" example:"1.6"`
	// PrecursorSEEIndirectTCO2ePerT is null when the primary metal's CBAM emissions are unknown.
	PrecursorSEEIndirectTCO2ePerT *float64 `json:"precursor_see_indirect_tco2e_per_t"`
	// PrecursorEmissionsTCO2ePerT = precursor t × precursor SEE direct.
	PrecursorEmissionsTCO2ePerT float64 `json:"precursor_emissions_tco2e_per_t" example:"1.63"`
	PrecursorNote               string  `json:"precursor_note"`
	ElectricityMWhPerT          float64 `json:"electricity_mwh_per_t" example:"0.3"`
	ElectricityEFTCO2MWh        float64 `json:"electricity_ef_tco2_per_mwh" example:"0.66"`
	// DefaultValueTCO2ePerT is the Commission default for the CN code from China, where the dataset has one.
	DefaultValueTCO2ePerT *float64 `json:"default_value_tco2e_per_t,omitempty" example:"4.88"`
	DefaultValueNote      string   `json:"default_value_note,omitempty"`
}

// productResponse is the footprint of 1 t of a downstream product.
type productResponse struct {
	Dataset          string                 `json:"dataset" example:"2026.1"`
	EngineVersion    string                 `json:"engine_version" example:"2026.11.0"`
	DeclaredUnit     string                 `json:"declared_unit" example:"1 t building profile (6063), at the processing plant gate"`
	Product          string                 `json:"product" example:"building_profile"`
	Alloy            string                 `json:"alloy" example:"6063"`
	Region           string                 `json:"region" example:"CN-SX"`
	Year             int                    `json:"year" example:"2023"`
	GWP              string                 `json:"gwp" example:"AR5"`
	ElectricityBasis string                 `json:"electricity_basis" example:"lifecycle"`
	Total            totalResponse          `json:"total_tco2e_per_t"`
	Stages           []productStageResponse `json:"stages"`
	Steps            []productStepResponse  `json:"steps"`
	Metal            metalResponse          `json:"metal"`
	Alloying         []alloyingResponse     `json:"alloying"`
	DirectSupply     directSupplyResponse   `json:"direct_supply"`
	Electricity      electricityResponse    `json:"electricity"`
	CBAM             productCBAMResponse    `json:"cbam"`
	Provenance       provenanceResponse     `json:"provenance"`
}

func newProductResponse(req *productRequest, r calc.ProductResult, p calc.Provenance) productResponse {
	m := r.Metal
	d := r.DirectSupply
	out := productResponse{
		Dataset: req.Dataset, EngineVersion: calc.EngineVersion, DeclaredUnit: r.DeclaredUnit, Product: r.Product, Alloy: r.Alloy,
		Region: req.Region, Year: req.Year, GWP: req.GWP, ElectricityBasis: req.ElectricityBasis,
		Total:  totalResponse{LocationBased: r.LocationBased, MarketBased: r.MarketBased},
		Stages: make([]productStageResponse, len(r.Stages)), Steps: make([]productStepResponse, len(r.Steps)),
		Alloying: make([]alloyingResponse, len(r.Alloying)),
		Metal: metalResponse{
			Yield: m.Yield, MeltLossFraction: m.MeltLossFraction, CastTPerT: m.CastTPerT, ProcessScrapTPerT: m.ProcessScrapTPerT,
			NewMetalTPerT: m.NewMetalTPerT, RemeltedTPerT: m.RemeltedTPerT, MeltLossTPerT: m.MeltLossTPerT,
			PrimaryTPerT: m.PrimaryTPerT, MoltenPrimaryTPerT: m.MoltenPrimaryTPerT, PostConsumerTPerT: m.PostConsumerTPerT,
			PreConsumerTPerT: m.PreConsumerTPerT, AlloyingTPerT: m.AlloyingTPerT, RecycledContent: m.RecycledContent,
			PrimarySource: m.PrimarySource, PrimaryTCO2ePerT: m.PrimaryTCO2ePerT, PrimaryMarketBasedTCO2ePerT: m.PrimaryMarketTCO2e,
			SmelterCastingTCO2ePerT: m.SmelterCastingTCO2e,
		},
		DirectSupply: directSupplyResponse{
			MoltenShare: d.MoltenShare, HaulKm: d.HaulKm, IngotTransportKm: d.IngotTransportKm, IngotTransportMode: d.IngotTransportMode,
			WithTCO2ePerT:    totalResponse{LocationBased: d.WithLocation, MarketBased: d.WithMarket},
			WithoutTCO2ePerT: totalResponse{LocationBased: d.WithoutLocation, MarketBased: d.WithoutMarket},
			AvoidedTCO2ePerT: totalResponse{LocationBased: d.AvoidedLocation, MarketBased: d.AvoidedMarket},
			AvoidedBy: avoidedResponse{
				CastingEnergy: d.AvoidedCastingEnergy, RemeltingFuel: d.AvoidedRemelting, MeltLoss: d.AvoidedMeltLoss,
				Transport: d.AvoidedTransport, Other: d.AvoidedOther,
			},
		},
		Electricity: newElectricityResponse(r.Electricity, r.MWhPerT),
		CBAM: productCBAMResponse{
			CNCode: r.CBAM.CNCode, SEEDirectTCO2ePerT: r.CBAM.SEEDirect, SEEIndirectTCO2ePerT: r.CBAM.SEEIndirect,
			ObligationTCO2ePerT: r.CBAM.ObligationTCO2ePerT, ProcessDirectTCO2ePerT: r.CBAM.ProcessDirect,
			ProcessIndirectTCO2ePerT: r.CBAM.ProcessIndirect, IndirectRule: r.CBAM.IndirectRule,
			PortfolioProcessIndirectTCO2ePerT: r.CBAM.PortfolioProcessIndirect, PrecursorTPerT: r.CBAM.PrecursorTPerT,
			PrecursorSEEDirectTCO2ePerT: r.CBAM.PrecursorSEEDirect, PrecursorSEEIndirectTCO2ePerT: r.CBAM.PrecursorSEEIndirect,
			PrecursorEmissionsTCO2ePerT: r.CBAM.PrecursorDirectTCO2ePerT, PrecursorNote: r.CBAM.PrecursorNote,
			ElectricityMWhPerT: r.CBAM.ElectricityMWhPerT, ElectricityEFTCO2MWh: r.CBAM.ElectricityEF,
			DefaultValueTCO2ePerT: r.CBAM.DefaultValueTCO2ePerT, DefaultValueNote: r.CBAM.DefaultValueNote,
		},
		Provenance: newProvenance(reflect.TypeFor[productRequest](), p),
	}
	for i, s := range r.Stages {
		out.Stages[i] = productStageResponse{Stage: s.Name, TCO2ePerT: s.LocationBased, MarketBasedTCO2ePerT: s.MarketBased, Share: s.Share,
			DefaultedInputs: defaultedPointers(reflect.TypeFor[productRequest](), s.Defaulted)}
	}
	for i, s := range r.Steps {
		out.Steps[i] = productStepResponse{
			Step: s.Step, Stage: s.Stage, Basis: s.Basis, MassTPerT: s.MassTPerT, ElectricityKWhPerT: s.ElectricityKWhPerT,
			NaturalGasNm3PerT: s.NaturalGasNm3PerT, EnergyKgcePerT: s.EnergyKgcePerT, GB21351GradeLimitsKgcePerT: s.GradeLimits,
			GB21351Grade: s.GB21351Grade, Defaulted: s.Defaulted, TCO2ePerT: s.LocationBased, MarketBasedTCO2ePerT: s.MarketBased,
		}
	}
	for i, a := range r.Alloying {
		out.Alloying[i] = alloyingResponse{Element: a.Element, MassFraction: a.MassFraction, TPerT: a.TPerT, ElementTCO2ePerT: a.TCO2ePerTElem, TCO2ePerT: a.TCO2ePerT}
	}
	return out
}

// handleProductFootprint computes the footprint of 1 t of a downstream product.
//
//	@Summary		Downstream product footprint (with molten-metal direct supply)
//	@Description	Cradle-to-gate t CO2e per t of a downstream product (GET /v1/products) by stage (primary_metal, recycled_metal, alloying, casting, processing, transport), location- and market-based; per-step energy with its GB 21351-2023 grade; the metal balance (process scrap remelted in-house in a closed loop adds remelting energy and melt loss, not new metal); the footprint with and without molten-metal direct supply and where the saving comes from; the processing plant's electricity portfolio; the CBAM view; and the provenance of every factor. Only product is required.
//	@Tags			calculations
//	@Accept			json
//	@Produce		json
//	@Param			request	body		productRequest	true	"product, metal, route and plant data"
//	@Success		200		{object}	productResponse
//	@Header			200		{string}	ETag				"hash of the normalised request, the same from every cache tier; weak (W/\"…\") on a gzip answer; If-None-Match with either form gets 304"
//	@Header			200		{string}	X-Cache				"hit-memory (the same bytes or the same normalised request answered before), hit-redis or miss"
//	@Header			200		{string}	Content-Encoding	"gzip when Accept-Encoding accepts it (answers above 1 kB; the compressed form is kept in the cache)"
//	@Header			200		{string}	Vary				"Accept-Encoding (answers above 1 kB)"
//	@Failure		400		{object}	Problem	"malformed JSON"
//	@Failure		413		{object}	Problem	"body too large"
//	@Failure		415		{object}	Problem	"not JSON"
//	@Failure		422		{object}	Problem	"invalid fields, by JSON pointer; or over the work budget (ALCARBON_MAX_WORK): work_units and max_work_units given, the fields that drive the cost named by pointer"
//	@Failure		503		{object}	Problem	"declaration registry unavailable (declaration_id only); with hourly PV, every slot for heavy calculations busy for 1 s (Retry-After), or stopped at the write timeout"
//	@Router			/v1/footprints/product [post]
func (s *server) handleProductFootprint(c echo.Context) error {
	return s.calculate(c, calcKinds[kindProduct])
}

// prepare picks the dataset and fills the request's defaults (see
// primaryRequest.prepare).
func (r *productRequest) prepare(cat *factors.Catalog) (*factors.Dataset, error) {
	ds, err := r.resolve(cat)
	if err != nil {
		return nil, err
	}
	return ds, r.normalise()
}

// productInput converts a prepared request into the engine's input, with a
// named declaration's headline total as the primary metal footprint.
func (s *server) productInput(ctx context.Context, r *productRequest) (calc.ProductInput, error) {
	in, err := r.toInput()
	if err != nil || r.Metal.DeclarationID == "" {
		return in, err
	}
	total, err := s.declaredPrimary(ctx, r.Metal.DeclarationID)
	if err != nil {
		return in, err
	}
	in.Metal.PrimaryFootprintTCO2ePerT, in.Metal.DeclarationID = &total, r.Metal.DeclarationID
	return in, nil
}

// declaredPrimary returns the headline total of a public primary
// declaration. Declarations are immutable, so a cached result keyed by the
// id stays right.
func (s *server) declaredPrimary(ctx context.Context, id string) (float64, error) {
	const ptr = "/metal/declaration_id"
	if s.store == nil {
		return 0, invalid([]FieldProblem{{Pointer: ptr, Code: codeNoRegistry, Detail: "declarations are not available on this server (no registry); give primary_footprint_tco2e_per_t or primary instead"}})
	}
	d, err := s.store.GetDeclaration(ctx, id, "")
	switch {
	case errors.Is(err, registry.ErrNotFound), errors.Is(err, registry.ErrInvalid):
		return 0, invalid([]FieldProblem{{Pointer: ptr, Code: codeUnknownValue, Params: map[string]any{"kind": "declaration", "got": id}, Detail: fmt.Sprintf("no public declaration %q; GET /v1/declarations lists them", id)}})
	case err != nil:
		return 0, err
	case d.Kind != registry.KindPrimary:
		return 0, invalid([]FieldProblem{{Pointer: ptr, Code: codeWrongKind, Params: map[string]any{"want": registry.KindPrimary, "got": d.Kind}, Detail: fmt.Sprintf("declaration %q is a %s declaration; a primary aluminium declaration is needed", id, d.Kind)}})
	}
	return d.TotalTCO2ePerT, nil
}

// productsResponse lists the product families.
type productsResponse struct {
	Dataset  string                  `json:"dataset" example:"2026.1"`
	Count    int                     `json:"count" example:"6"`
	Products []productFamilyResponse `json:"products"`
	// Steps are every step name usable in a footprint request's steps (remelting included).
	Steps []string `json:"steps"`
	// NotFound lists the facts behind this catalogue that no source gave (the dataset's gaps); the values standing in for them are flagged.
	NotFound   []gapResponse      `json:"not_found"`
	Provenance provenanceResponse `json:"provenance"`
}

// gapResponse is a fact the engine would want that no source of the
// dataset gives; the value standing in for it is flagged.
type gapResponse struct {
	ID   string `json:"id" example:"product_yield_cn"`
	What string `json:"what"`
	Note string `json:"note"`
}

// productGaps are the dataset gaps behind the product model.
var productGaps = []string{
	"alloy_compositions_gb", "gb21351_class_definitions", "product_energy_split", "product_yield_cn", "automotive_forming_energy",
	"remelting_melt_loss", "direct_supply_saving", "hot_metal_transport_factor", "cu_footprint_cn", "mn_footprint_cn",
	"si_footprint_cn", "cr_fe_footprint", "transport_cn_water",
}

// productFamilyResponse is one product family.
type productFamilyResponse struct {
	ID            string `json:"id" example:"building_profile"`
	NameEN        string `json:"name_en" example:"Building profile"`
	NameZH        string `json:"name_zh" example:"建筑型材"`
	CNCode        string `json:"cn_code" example:"7604"`
	CNDescription string `json:"cn_description" example:"Aluminium bars, rods and profiles"`
	// Alloys are the typical alloys, the default first.
	Alloys       []alloyResponse     `json:"alloys"`
	DefaultYield yieldResponse       `json:"default_yield"`
	Route        []routeStepResponse `json:"route"`
	Note         string              `json:"note,omitempty"`
}

// alloyResponse is an alloy's nominal composition.
type alloyResponse struct {
	ID string `json:"id" example:"6063"`
	// CompositionPct maps element to nominal mass % (midpoints of ranged elements; impurity maxima not listed).
	CompositionPct map[string]float64 `json:"composition_pct"`
	Source         string             `json:"source"`
	Confidence     string             `json:"confidence" enums:"H,M,L" example:"M"`
	Note           string             `json:"note,omitempty"`
}

// yieldResponse is a default yield with its provenance.
type yieldResponse struct {
	Value      float64 `json:"value" example:"0.69"`
	Source     string  `json:"source"`
	Confidence string  `json:"confidence" enums:"H,M,L" example:"M"`
	Note       string  `json:"note,omitempty"`
}

// routeStepResponse is a step of a default route with its default energy.
type routeStepResponse struct {
	Step   string `json:"step" example:"extrusion_building"`
	Stage  string `json:"stage" enums:"casting,processing" example:"processing"`
	Basis  string `json:"basis" enums:"cast,product,remelted" example:"product"`
	NameEN string `json:"name_en,omitempty" example:"Extrusion of building profiles"`
	NameZH string `json:"name_zh,omitempty" example:"建筑型材挤压"`
	// GB21351GradeLimitsKgcePerT are the grade 1, 2 and 3 limits [kgce/t].
	GB21351GradeLimitsKgcePerT [3]float64 `json:"gb21351_grade_limits_kgce_per_t"`
	// DefaultEnergyKgcePerT is the grade-3 limit, used when the request gives none.
	DefaultEnergyKgcePerT float64 `json:"default_energy_kgce_per_t" example:"150"`
	// ElectricityFraction of the energy (the rest is natural gas), with its confidence: an assumption except extrusion (US DOE 2007).
	ElectricityFraction           float64 `json:"electricity_fraction" example:"0.13"`
	ElectricityFractionConfidence string  `json:"electricity_fraction_confidence" enums:"H,M,L" example:"M"`
	ElectricityFractionNote       string  `json:"electricity_fraction_note,omitempty"`
	// DefaultElectricityKWhPerT and DefaultNaturalGasNm3PerT are the default energy split [per t processed].
	DefaultElectricityKWhPerT float64 `json:"default_electricity_kwh_per_t" example:"158.8"`
	DefaultNaturalGasNm3PerT  float64 `json:"default_natural_gas_nm3_per_t" example:"98.3"`
	Note                      string  `json:"note,omitempty"`
}

// handleProducts lists the product families and their default routes.
//
//	@Summary		Product families and their default routes
//	@Description	The six downstream families of the Shanxi plan: typical alloys with nominal composition, the default route as ordered steps (remelting of solid feed first) with GB 21351-2023 grade limits and the default energy (grade-3 limit) split into electricity and natural gas, the default yield and the CBAM CN code; every value with its source and confidence.
//	@Tags			reference data
//	@Produce		json
//	@Param			dataset	query		string	false	"dataset version"
//	@Success		200		{object}	productsResponse
//	@Router			/v1/products [get]
func (s *server) handleProducts(c echo.Context) error {
	ds, err := s.datasetParam(c)
	if err != nil {
		return err
	}
	fams, prov, err := s.engine(ds).ProductCatalog()
	if err != nil {
		return err
	}
	out := productsResponse{
		Dataset: ds.Version(), Count: len(fams), Products: []productFamilyResponse{}, Steps: calc.StepIDs(ds),
		NotFound: []gapResponse{}, Provenance: newProvenance(reflect.TypeFor[productRequest](), prov),
	}
	for _, id := range productGaps {
		if g, ok := ds.Gap(id); ok {
			out.NotFound = append(out.NotFound, gapResponse{ID: g.ID, What: g.What, Note: g.Note})
		}
	}
	for _, f := range fams {
		fr := productFamilyResponse{
			ID: f.ID, NameEN: f.NameEN, NameZH: f.NameZH, CNCode: f.CNCode, CNDescription: f.CNDescription, Note: f.Note,
			DefaultYield: yieldResponse{Value: f.Yield.Value, Source: f.Yield.Source, Confidence: string(f.Yield.Confidence), Note: f.Yield.Note},
		}
		for _, a := range f.Alloys {
			fr.Alloys = append(fr.Alloys, alloyResponse{ID: a.ID, CompositionPct: a.Elements, Source: a.Source, Confidence: string(a.Confidence), Note: a.Note})
		}
		for _, st := range f.Steps {
			fr.Route = append(fr.Route, routeStepResponse{
				Step: st.ID, Stage: st.Stage, Basis: st.Basis, NameEN: st.NameEN, NameZH: st.NameZH,
				GB21351GradeLimitsKgcePerT: st.GradeLimits, DefaultEnergyKgcePerT: st.DefaultKgcePerT,
				ElectricityFraction: st.ElectricityFraction, ElectricityFractionConfidence: string(st.SplitConfidence),
				ElectricityFractionNote: st.SplitNote, DefaultElectricityKWhPerT: st.DefaultElectricityKWhPer,
				DefaultNaturalGasNm3PerT: st.DefaultNaturalGasNm3Per, Note: st.Note,
			})
		}
		out.Products = append(out.Products, fr)
	}
	sort.Strings(out.Steps[1:])
	return c.JSON(http.StatusOK, out)
}
