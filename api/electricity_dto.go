package api

import (
	"fmt"
	"reflect"
	"strings"

	"alcarbon/calc"
)

// sourceRequest is one electricity supply in a portfolio.
type sourceRequest struct {
	// Kind of supply.
	Kind string `json:"kind" enums:"grid,captive,onsite_pv,direct_line,green_contract" example:"grid"`
	// Name is an optional label echoed in the response.
	Name string `json:"name,omitempty" example:"Shanxi grid"`
	// Share of the demand left after fixed volumes, 0–1. Give share or mwh.
	Share *float64 `json:"share,omitempty" minimum:"0" maximum:"1" example:"0.4"`
	// MWh is a fixed annual volume [MWh/yr], 0–1e9; needs production_t.
	MWh *float64 `json:"mwh,omitempty" minimum:"0" maximum:"1000000000" unit:"MWh" example:"150000"`
	// Region (ISO 3166-2) of a grid source or of the grid a green contract is delivered over; default the plant's region.
	Region string `json:"region,omitempty" example:"CN-SX"`
	// Fuel of a captive plant.
	Fuel string `json:"fuel,omitempty" enums:"coal,gas" example:"coal"`
	// Technology of a direct line or green contract.
	Technology string `json:"technology,omitempty" enums:"coal,gas,hydro,nuclear,wind,solar,csp,biomass" example:"wind"`
	// EFtCO2PerMWh is the plant's own emission factor [t CO2/MWh], 0–2 (captive, direct_line).
	EFtCO2PerMWh *float64 `json:"ef_tco2_per_mwh,omitempty" minimum:"0" maximum:"2" unit:"t CO2/MWh" example:"0.95"`
	// CoalGCEPerKWh is a coal captive plant's specific coal consumption [g ce/kWh], 200–600.
	CoalGCEPerKWh *float64 `json:"coal_gce_per_kwh,omitempty" minimum:"200" maximum:"600" unit:"g ce/kWh" example:"320"`
	// PV is an on-site PV system (as POST /v1/pv, without load) modelled hour by hour: its output meets the plant's hourly load first and the excess is exported (onsite_pv only; instead of share or mwh; needs production_t).
	PV *pvRequest `json:"pv,omitempty"`
}

// portfolioRequest is a plant's electricity supply: the sources meeting its
// demand, unbundled certificates and the residual mix of the market-based
// result, and the load shape.
type portfolioRequest struct {
	// Sources meeting the demand, at most 50. Fixed volumes (mwh) are taken first in list order; shares split the remainder and must sum to 1; with no share-based source the plant region's grid supplies the remainder.
	Sources []sourceRequest `json:"sources,omitempty"`
	// CertificatesMWh are unbundled green certificates (GEC, 1 certificate = 1 MWh), 0–1e9; they cover grid MWh in the market-based result only. Needs production_t.
	CertificatesMWh *float64 `json:"certificates_mwh,omitempty" minimum:"0" maximum:"1000000000" unit:"MWh" example:"50000"`
	// ResidualMix is the factor for grid MWh not covered by certificates in the market-based result: grid_average, national_excluding_market_nonfossil (the national factor excluding market-traded non-fossil electricity, MEE/NBS 表4) or regional_excluding_market_nonfossil_estimate (the region's grid average × national 表4 / national average, an estimate). Default: the grid average on dataset 2026.1; from 2026.2, on the co2_operational basis with certificates or green contracts claimed, the regional estimate (flagged in provenance.defaulted_inputs).
	ResidualMix string `json:"residual_mix,omitempty" enums:"grid_average,national_excluding_market_nonfossil,regional_excluding_market_nonfossil_estimate" example:"grid_average"`
	// ResidualEFtCO2PerMWh overrides residual_mix with a factor [t CO2/MWh], 0–2.
	ResidualEFtCO2PerMWh *float64 `json:"residual_ef_tco2_per_mwh,omitempty" calc:"ResidualEF" minimum:"0" maximum:"2" unit:"t CO2/MWh"`
	// Load shapes the plant's demand over the year (scaled to the annual demand); default flat, as potlines run. Used for on-site PV and the hourly-matched share.
	Load *loadRequest `json:"load,omitempty"`
}

const maxSources = 50

func (p *portfolioRequest) validate(v *validator, ptr string, annual bool, annualPtr string) {
	annualFields := []string{"production_t"}
	if ptr == "" {
		annualFields = []string{"demand_mwh", "production_t"}
	}
	if len(p.Sources) > maxSources {
		v.addCode(ptr+"/sources", codeWrongCount, countParam(-1, maxSources, len(p.Sources)), "at most %d sources are allowed; got %d", maxSources, len(p.Sources))
		return
	}
	for i, s := range p.Sources {
		sp := fmt.Sprintf("%s/sources/%d", ptr, i)
		kind := calc.SourceKind(s.Kind)
		if s.Kind == "" {
			v.add(sp+"/kind", "is required; one of %s", joinKinds())
			continue
		}
		switch {
		case s.PV != nil:
			if kind != calc.KindOnsitePV {
				v.addCode(sp+"/pv", codeNotUsed, usedBy("onsite_pv"), "is used only by onsite_pv sources")
			}
			if s.Share != nil || s.MWh != nil {
				v.addCode(sp, codeMutuallyExclusive, fieldsParam("pv", "share", "mwh"), "give pv, share or mwh — one of them")
			}
			if !annual {
				v.addCode(sp+"/pv", codeRequires, map[string]any{"fields": annualFields}, "an on-site PV system produces annual MWh and needs %s to relate them to demand", annualPtr)
			}
			if s.PV.Load != nil {
				v.addCode(sp+"/pv/load", codeBelongsToPortfolio, map[string]any{"want": ptr + "/load"}, "is the plant's: set it on the portfolio (load) instead")
			}
			validatePV(v, s.PV, sp+"/pv")
		case s.Share == nil && s.MWh == nil:
			v.addCode(sp, codeOneOfRequired, fieldsParam("share", "mwh"), "give either share (fraction of demand) or mwh (annual volume)")
		case s.Share != nil && s.MWh != nil:
			v.addCode(sp, codeMutuallyExclusive, fieldsParam("share", "mwh"), "give either share or mwh, not both")
		}
		if s.MWh != nil && !annual {
			v.addCode(sp+"/mwh", codeRequires, map[string]any{"fields": annualFields}, "an annual volume needs %s to relate it to demand; give it or use share", annualPtr)
		}
		if s.Region != "" && kind != calc.KindGrid && kind != calc.KindGreenContract {
			v.addCode(sp+"/region", codeNotUsed, usedBy("grid", "green_contract"), "is used only by grid and green_contract sources")
		}
		switch kind {
		case calc.KindCaptive:
			if s.Fuel == "" {
				v.add(sp+"/fuel", "is required for a captive plant; one of coal, gas")
			}
			if s.CoalGCEPerKWh != nil && s.Fuel != "coal" {
				v.addCode(sp+"/coal_gce_per_kwh", codeNotUsed, usedBy("coal"), "applies to coal plants only")
			}
			if s.Technology != "" {
				v.addCode(sp+"/technology", codeNotUsed, usedBy("direct_line", "green_contract"), "is not used by a captive plant; use fuel")
			}
		case calc.KindDirectLine, calc.KindGreenContract:
			if s.Technology == "" {
				v.add(sp+"/technology", "is required for %s; one of %s", s.Kind, joinTech())
			}
		}
		if kind != calc.KindCaptive {
			if s.Fuel != "" {
				v.addCode(sp+"/fuel", codeNotUsed, usedBy("captive"), "is used only by captive plants")
			}
			if s.CoalGCEPerKWh != nil {
				v.addCode(sp+"/coal_gce_per_kwh", codeNotUsed, usedBy("captive"), "is used only by captive coal plants")
			}
		}
		if s.EFtCO2PerMWh != nil && kind != calc.KindCaptive && kind != calc.KindDirectLine {
			v.addCode(sp+"/ef_tco2_per_mwh", codeNotUsed, usedBy("captive", "direct_line"), "is used only by captive plants and direct lines")
		}
		if s.Technology != "" && kind != calc.KindDirectLine && kind != calc.KindGreenContract && kind != calc.KindCaptive {
			v.addCode(sp+"/technology", codeNotUsed, usedBy("direct_line", "green_contract"), "is used only by direct_line and green_contract sources")
		}
	}
	if p.CertificatesMWh != nil && *p.CertificatesMWh > 0 && !annual {
		v.addCode(ptr+"/certificates_mwh", codeRequires, map[string]any{"fields": annualFields}, "certificates are annual MWh and need %s to relate them to demand", annualPtr)
	}
	if p.Load != nil {
		validateLoad(v, p.Load, ptr+"/load")
	}
}

func joinKinds() string { return strings.Join(strs(calc.SourceKinds), ", ") }
func joinTech() string  { return strings.Join(calc.Technologies, ", ") }

// hasPV says whether the portfolio models PV hour by hour, which costs
// milliseconds: such requests are worth a Redis round trip.
func (p *portfolioRequest) hasPV() bool {
	for _, s := range p.Sources {
		if s.PV != nil {
			return true
		}
	}
	return false
}

// toInput converts the portfolio; ptr is its JSON pointer.
func (p *portfolioRequest) toInput(ptr string) (calc.ElectricityInput, error) {
	in := calc.ElectricityInput{
		CertificatesMWh: p.CertificatesMWh,
		ResidualMix:     p.ResidualMix,
		ResidualEF:      p.ResidualEFtCO2PerMWh,
	}
	if p.Load != nil {
		in.Load = p.Load.toLoad()
	}
	for i, s := range p.Sources {
		src := calc.Source{
			Kind: calc.SourceKind(s.Kind), Name: s.Name, Share: s.Share, MWh: s.MWh,
			Region: s.Region, Fuel: s.Fuel, Technology: s.Technology,
			EFtCO2PerMWh: s.EFtCO2PerMWh, CoalGCEPerKWh: s.CoalGCEPerKWh,
		}
		if s.PV != nil {
			pv, err := s.PV.toInput(fmt.Sprintf("%s/sources/%d/pv", ptr, i))
			if err != nil {
				return in, err
			}
			src.PV = &pv
		}
		in.Sources = append(in.Sources, src)
	}
	return in, nil
}

// renewableShareResponse holds the three renewable shares of the supply:
// location-based, market-based and hourly-matched.
type renewableShareResponse struct {
	// LocationBased = (on-site and direct-line renewable MWh + grid MWh × grid renewable fraction) / demand.
	LocationBased float64 `json:"location_based" example:"0.12"`
	// MarketBased = (on-site, direct-line and green-contract renewable MWh + certificates) / demand, capped at 1.
	MarketBased float64 `json:"market_based" example:"0.3"`
	// HourlyMatched = Σ_h min(load_h, renewable_h) / Σ_h load_h (24/7 carbon-free score), with direct lines and contracts taken as flat; null when on-site PV is given as annual MWh or share instead of its system (pv).
	HourlyMatched *float64 `json:"hourly_matched" example:"0.1"`
}

// sourceResponse is one source's part of the supply.
type sourceResponse struct {
	Kind       string `json:"kind" example:"grid"`
	Name       string `json:"name,omitempty"`
	Technology string `json:"technology,omitempty" example:"coal"`
	Region     string `json:"region,omitempty" example:"CN-SX"`
	// Implicit is true for the grid supply the engine added to cover demand no listed source meets.
	Implicit bool `json:"implicit,omitempty"`
	// MWh counted toward demand (per year, or per t when no production is given).
	MWh float64 `json:"mwh" example:"160000"`
	// ExportedMWh is fixed volume beyond demand; it does not count.
	ExportedMWh float64 `json:"exported_mwh" example:"0"`
	// Share of demand, 0–1.
	Share float64 `json:"share" example:"0.4"`
	// EFtCO2PerMWh is the location-based factor [t CO2(e)/MWh].
	EFtCO2PerMWh float64 `json:"ef_tco2_per_mwh" example:"0.6634"`
	// EFMarketTCO2PerMWh is the market-based factor after certificates [t CO2(e)/MWh].
	EFMarketTCO2PerMWh float64 `json:"ef_market_tco2_per_mwh" example:"0.6634"`
	// CertificatesMWh applied to this source.
	CertificatesMWh float64 `json:"certificates_mwh" example:"0"`
	Renewable       bool    `json:"renewable"`
	// PV is the modelled yield of an on-site PV system (MWh is what the plant used hour by hour, exported_mwh the rest).
	PV *sourcePVResponse `json:"pv,omitempty"`
}

// sourcePVResponse summarises an on-site PV system inside a portfolio.
type sourcePVResponse struct {
	AnnualACMWh            float64 `json:"annual_ac_mwh" example:"137000"`
	SpecificYieldKWhPerKWp float64 `json:"specific_yield_kwh_per_kwp" example:"1249"`
	CapacityFactor         float64 `json:"capacity_factor" example:"0.143"`
	AnnualPOAKWhM2         float64 `json:"annual_poa_kwh_m2" example:"1537"`
	PerformanceRatio       float64 `json:"performance_ratio" example:"0.81"`
	// MonthlyACMWh are 12 monthly AC energies [MWh], January first.
	MonthlyACMWh []float64 `json:"monthly_ac_mwh"`
	// HourlyACKWh are 8760 hourly AC energies [kWh] (only with include_hourly).
	HourlyACKWh []float64 `json:"hourly_ac_kwh,omitempty"`
}

// electricityResponse is a portfolio's factors and renewable shares.
type electricityResponse struct {
	// Basis of the factors: co2_operational (t CO2/MWh) or lifecycle (t CO2e/MWh).
	Basis string `json:"basis" example:"lifecycle"`
	// MWhPerT is electricity per t of product (omitted on /v1/electricity).
	MWhPerT float64 `json:"mwh_per_t,omitempty" example:"13.561"`
	// DemandMWh is annual demand (or per t when no production is given).
	DemandMWh float64 `json:"demand_mwh" example:"4068300"`
	// EFLocationTCO2PerMWh is the location-based factor of the whole supply.
	EFLocationTCO2PerMWh float64 `json:"ef_location_tco2_per_mwh" example:"0.81"`
	// EFMarketTCO2PerMWh is the market-based factor of the whole supply.
	EFMarketTCO2PerMWh     float64                `json:"ef_market_tco2_per_mwh" example:"0.79"`
	RenewableShare         renewableShareResponse `json:"renewable_share"`
	CertificatesAppliedMWh float64                `json:"certificates_applied_mwh" example:"50000"`
	ExportedMWh            float64                `json:"exported_mwh" example:"0"`
	Sources                []sourceResponse       `json:"sources"`
}

func newElectricityResponse(r calc.ElectricityResult, mwhPerT float64) electricityResponse {
	out := electricityResponse{
		Basis: string(r.Basis), MWhPerT: mwhPerT, DemandMWh: r.DemandMWh,
		EFLocationTCO2PerMWh: r.EFLocation, EFMarketTCO2PerMWh: r.EFMarket,
		RenewableShare: renewableShareResponse{
			LocationBased: r.RenewableShare.LocationBased, MarketBased: r.RenewableShare.MarketBased,
			HourlyMatched: r.RenewableShare.HourlyMatched,
		},
		CertificatesAppliedMWh: r.CertificatesAppliedMWh, ExportedMWh: r.ExportedMWh,
		Sources: make([]sourceResponse, len(r.Sources)),
	}
	for i, s := range r.Sources {
		out.Sources[i] = sourceResponse{
			Kind: string(s.Kind), Name: s.Name, Technology: s.Technology, Region: s.Region, Implicit: s.Implicit,
			MWh: s.MWh, ExportedMWh: s.ExportedMWh, Share: s.Share, EFtCO2PerMWh: s.EFLocation,
			EFMarketTCO2PerMWh: s.EFMarket, CertificatesMWh: s.CertificatesMWh, Renewable: s.Renewable,
		}
		if pv := s.PV; pv != nil {
			r := &sourcePVResponse{
				AnnualACMWh: pv.AnnualACKWh / 1000, SpecificYieldKWhPerKWp: pv.SpecificYieldKWhPerKWp, CapacityFactor: pv.CapacityFactor,
				AnnualPOAKWhM2: pv.AnnualPOAKWhM2, PerformanceRatio: pv.PerformanceRatio, HourlyACKWh: pv.HourlyACKWh,
				MonthlyACMWh: make([]float64, 12),
			}
			for m, kwh := range pv.MonthlyACKWh {
				r.MonthlyACMWh[m] = kwh / 1000
			}
			out.Sources[i].PV = r
		}
	}
	return out
}

// provenanceFactor is one dataset value a result rests on.
type provenanceFactor struct {
	ID         string  `json:"id" example:"grid/average_co2/CN-SX/2023"`
	Value      float64 `json:"value" example:"0.6634"`
	Unit       string  `json:"unit" example:"tCO2/MWh"`
	Source     string  `json:"source" example:"MEE & NBS, 2023 electricity CO2 emission factors (2025)"`
	Confidence string  `json:"confidence" enums:"H,M,L" example:"H"`
	Note       string  `json:"note,omitempty"`
}

// provenanceResponse lists what a result rests on.
type provenanceResponse struct {
	Factors     []provenanceFactor `json:"factors"`
	Assumptions []string           `json:"assumptions"`
	Warnings    []string           `json:"warnings"`
	// WarningCodes give each warning, index for index, a stable code and its parameters, so that a client can word and translate it (the English text stays in warnings). A source's index in params is 0-based, as in its JSON pointer.
	WarningCodes []codedMessage `json:"warning_codes"`
	// DefaultedInputs are the request fields (JSON pointers) that took dataset defaults.
	DefaultedInputs []string `json:"defaulted_inputs"`
}

// newProvenance answers the provenance of a request of type root, its
// defaulted inputs named by JSON pointer and the fields its messages name
// by JSON name (renderMessages).
func newProvenance(root reflect.Type, p calc.Provenance) provenanceResponse {
	out := provenanceResponse{
		Factors:         make([]provenanceFactor, len(p.Factors)),
		Assumptions:     nonNil(renderMessages(root, p.Assumptions)),
		Warnings:        nonNil(renderMessages(root, p.Warnings)),
		WarningCodes:    make([]codedMessage, len(p.WarningCodes)),
		DefaultedInputs: defaultedPointers(root, p.Defaulted),
	}
	for i, f := range p.Factors {
		out.Factors[i] = provenanceFactor{ID: f.ID, Value: f.Value, Unit: f.Unit, Source: f.Source, Confidence: string(f.Confidence), Note: f.Note}
	}
	for i, c := range p.WarningCodes {
		out.WarningCodes[i] = codedMessage{Code: c.Code, Params: c.Params}
	}
	return out
}

// codedMessage is a warning's or an error's stable code and parameters.
type codedMessage struct {
	// Code is stable: it is never reworded, whatever the English text says.
	Code   string         `json:"code" example:"captive_ef_default"`
	Params map[string]any `json:"params,omitempty" swaggertype:"object"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
