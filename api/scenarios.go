package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"alcarbon/calc"
)

// Limits of the scenario endpoints.
const (
	maxVariants       = 100
	maxSweepPoints    = 1000
	defaultDiscount   = 0.06
	macFormula        = "CRF = r(1+r)^n / ((1+r)^n − 1) (1/n at r = 0); cost/yr = capex_cny × CRF + opex_cny_per_year; avoided t/yr = (base − variant) annual emissions (footprint × production_t, or portfolio factor × annual demand) on mac_basis; MAC = cost/yr ÷ avoided t/yr [CNY/t CO2e]"
	scenarioKindsList = "primary, product, electricity, pv"
)

// keyOutputs are the outputs a scenario table compares. Fields that do
// not apply to a kind are omitted.
type keyOutputs struct {
	// TotalLocationBased is the footprint, location-based [t CO2e/t] (primary, product).
	TotalLocationBased *float64 `json:"total_location_based_tco2e_per_t,omitempty" example:"12.99"`
	// TotalMarketBased is the footprint, market-based [t CO2e/t] (primary, product).
	TotalMarketBased *float64 `json:"total_market_based_tco2e_per_t,omitempty" example:"12.77"`
	// EFLocation is the supply's location-based factor [t CO2(e)/MWh] (primary, product, electricity).
	EFLocation *float64 `json:"ef_location_tco2_per_mwh,omitempty" example:"0.7059"`
	// EFMarket is the supply's market-based factor [t CO2(e)/MWh].
	EFMarket *float64 `json:"ef_market_tco2_per_mwh,omitempty" example:"0.6892"`
	// AnnualLocationBased is annual emissions, location-based [t CO2e/yr]: footprint × production_t, or factor × annual demand; omitted without them.
	AnnualLocationBased *float64 `json:"annual_location_based_tco2e,omitempty" example:"3898500"`
	// AnnualMarketBased is annual emissions, market-based [t CO2e/yr].
	AnnualMarketBased *float64 `json:"annual_market_based_tco2e,omitempty" example:"3832200"`
	// RenewableShareLocation, market and hourly-matched as in the endpoint (0–1).
	RenewableShareLocation *float64 `json:"renewable_share_location_based,omitempty" example:"0.17"`
	RenewableShareMarket   *float64 `json:"renewable_share_market_based,omitempty" example:"0.13"`
	RenewableShareHourly   *float64 `json:"renewable_share_hourly_matched,omitempty" example:"0.10"`
	// PVAnnualMWh is the AC output of the modelled PV systems [MWh/yr] (exported energy included).
	PVAnnualMWh *float64 `json:"pv_annual_mwh,omitempty" example:"150023"`
	// PVUsedMWh is the PV output used on site [MWh/yr] (primary, product, electricity).
	PVUsedMWh *float64 `json:"pv_used_mwh,omitempty" example:"150023"`
	// PVSpecificYield is annual AC / DC capacity [kWh/kWp] (pv).
	PVSpecificYield *float64 `json:"pv_specific_yield_kwh_per_kwp,omitempty" example:"1500"`
	// PVCapacityFactor is annual AC / (DC capacity × 8760 h) (pv).
	PVCapacityFactor *float64 `json:"pv_capacity_factor,omitempty" example:"0.171"`
	// ExportedMWh is the supply the plant does not use [MWh/yr]: PV surplus in the hours it generates plus fixed volumes above demand (primary, product, electricity); it does not count toward the product.
	ExportedMWh *float64 `json:"exported_mwh,omitempty" example:"0"`
}

func (k *keyOutputs) fields() []**float64 {
	return []**float64{&k.TotalLocationBased, &k.TotalMarketBased, &k.EFLocation, &k.EFMarket,
		&k.AnnualLocationBased, &k.AnnualMarketBased, &k.RenewableShareLocation, &k.RenewableShareMarket,
		&k.RenewableShareHourly, &k.PVAnnualMWh, &k.PVUsedMWh, &k.PVSpecificYield, &k.PVCapacityFactor, &k.ExportedMWh}
}

// minus returns k − base for the outputs both have.
func (k keyOutputs) minus(base keyOutputs) keyOutputs {
	var d keyOutputs
	df, kf, bf := d.fields(), k.fields(), base.fields()
	for i := range df {
		if *kf[i] != nil && *bf[i] != nil {
			v := **kf[i] - **bf[i]
			*df[i] = &v
		}
	}
	return d
}

// ptrTo returns a pointer to a copy of v, for optional (omitempty) fields.
func ptrTo[T any](v T) *T { return &v }

func portfolioOutputs(k *keyOutputs, r calc.ElectricityResult) {
	k.EFLocation, k.EFMarket = ptrTo(r.EFLocation), ptrTo(r.EFMarket)
	k.RenewableShareLocation, k.RenewableShareMarket = ptrTo(r.RenewableShare.LocationBased), ptrTo(r.RenewableShare.MarketBased)
	k.RenewableShareHourly = r.RenewableShare.HourlyMatched
	k.ExportedMWh = ptrTo(r.ExportedMWh)
	var pvAC, pvUsed float64
	anyPV := false
	for _, s := range r.Sources {
		if s.PV != nil {
			anyPV = true
			pvAC += s.PV.AnnualACKWh / 1000
			pvUsed += s.MWh
		}
	}
	if anyPV {
		k.PVAnnualMWh, k.PVUsedMWh = ptrTo(pvAC), ptrTo(pvUsed)
	}
}

// footprintOutputs are the key outputs of a footprint per t [t CO2e/t],
// with annual emissions [t CO2e/yr] when the production is known.
func footprintOutputs(loc, mkt float64, el calc.ElectricityResult, annual *calc.AnnualEmissions) keyOutputs {
	var k keyOutputs
	k.TotalLocationBased, k.TotalMarketBased = ptrTo(loc), ptrTo(mkt)
	portfolioOutputs(&k, el)
	if annual != nil {
		k.AnnualLocationBased, k.AnnualMarketBased = ptrTo(annual.LocationBased), ptrTo(annual.MarketBased)
	}
	return k
}

// parseDoc decodes a JSON value keeping numbers as written.
func parseDoc(raw json.RawMessage) (any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

// mergePatch applies an RFC 7386 JSON merge patch to target without
// changing target: objects merge key by key, null deletes a key, anything
// else replaces.
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	out := map[string]any{}
	if t, ok := target.(map[string]any); ok {
		for k, v := range t {
			out[k] = v
		}
	}
	for k, v := range p {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = mergePatch(out[k], v)
	}
	return out
}

// scenarioResult is one computed request: outputs or problems.
type scenarioResult struct {
	out      keyOutputs
	problems []FieldProblem
}

// runAll computes docs of kind k in parallel under ctx (one PV memo shared
// by all); problems are named under prefixes[i]. A non-request error
// aborts; once ctx is done, the scenarios not started are skipped and the
// error wraps calc.ErrInterrupted.
func (s *server) runAll(ctx context.Context, k calcKind, docs []any, prefixes []string, memo *calc.PVMemo) ([]scenarioResult, error) {
	res := make([]scenarioResult, len(docs))
	errs := make([]error, len(docs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(docs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				// Each scenario first checks that its caller is still
				// there (a hung-up client, the write timeout).
				if err := stopped(ctx); err != nil {
					errs[i] = err
					continue
				}
				res[i], errs[i] = s.runOne(ctx, k, docs[i], prefixes[i], memo)
			}
		}()
	}
	for i := range docs {
		next <- i
	}
	close(next)
	wg.Wait()
	return res, errors.Join(errs...)
}

// runOne computes one scenario as its kind's endpoint would. A panic in
// the engine becomes an error (a 500 for the whole request) instead of
// ending the process, as it would in a goroutine outside echo's recovery
// middleware.
func (s *server) runOne(ctx context.Context, k calcKind, doc any, prefix string, memo *calc.PVMemo) (r scenarioResult, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("scenario %s: panic: %v", prefix, p)
		}
	}()
	body, err := json.Marshal(doc)
	if err != nil {
		return r, err
	}
	out, err := s.computeOutputs(ctx, k, body, memo)
	if err != nil {
		r.problems, err = fieldProblemsUnder(err, prefix)
		return r, err
	}
	r.out = out
	return r, nil
}

// computeOutputs decodes, prepares and computes one request of kind k and
// returns its key outputs.
func (s *server) computeOutputs(ctx context.Context, k calcKind, body []byte, memo *calc.PVMemo) (keyOutputs, error) {
	req, err := decodeRequest(k, body)
	if err != nil {
		return keyOutputs{}, err
	}
	ds, err := req.prepare(s.catalog)
	if err != nil {
		return keyOutputs{}, err
	}
	r, err := req.compute(ctx, s, ds, memo)
	if err != nil {
		return keyOutputs{}, err
	}
	return r.outputs(), nil
}

// compareRequest is a base request and named variants, each a merge patch
// over the base, computed side by side with their abatement costs.
type compareRequest struct {
	// Kind of the base request: primary (POST /v1/footprints/primary), product (POST /v1/footprints/product), electricity (POST /v1/electricity) or pv (POST /v1/pv).
	Kind string `json:"kind" enums:"primary,product,electricity,pv" example:"primary"`
	// Base is a request of that endpoint; it must be valid (else 422 with pointers under /base).
	Base json.RawMessage `json:"base" swaggertype:"object"`
	// Variants, 1–100, each an RFC 7386 JSON merge patch over the base.
	Variants []variantRequest `json:"variants"`
	// DiscountRate r for the capital recovery factor, 0–0.5; default 0.06.
	DiscountRate *float64 `json:"discount_rate,omitempty" minimum:"0" maximum:"0.5" example:"0.06"`
	// MACBasis is the emissions basis of the abatement cost: location_based (default) or market_based.
	MACBasis string `json:"mac_basis,omitempty" enums:"location_based,market_based" example:"location_based"`
}

// variantRequest is one scenario: a merge patch and optional costs.
type variantRequest struct {
	// Name of the scenario, up to 200 characters; default "variant N".
	Name string `json:"name,omitempty" example:"100 MWp PV on the red-mud yard"`
	// Patch is an RFC 7386 JSON merge patch over the base (an object; null deletes a field; arrays are replaced whole).
	Patch json.RawMessage `json:"patch" swaggertype:"object"`
	// CapexCNY is the investment [CNY], 0–1e13; needs lifetime_years.
	CapexCNY *float64 `json:"capex_cny,omitempty" minimum:"0" maximum:"10000000000000" unit:"CNY" example:"350000000"`
	// OpexCNYPerYear is the change in annual operating cost [CNY/yr], −1e12 to 1e12 (negative for savings).
	OpexCNYPerYear *float64 `json:"opex_cny_per_year,omitempty" minimum:"-1000000000000" maximum:"1000000000000" unit:"CNY/yr" example:"5000000"`
	// LifetimeYears n of the investment, 1–100.
	LifetimeYears *float64 `json:"lifetime_years,omitempty" minimum:"1" maximum:"100" unit:"years" example:"25"`
}

func validateScenarioBase(v *validator, kind string, base json.RawMessage) {
	if kind == "" {
		v.add("/kind", "is required; one of %s", scenarioKindsList)
	}
	if t := bytes.TrimSpace(base); len(t) == 0 || t[0] != '{' {
		v.add("/base", "is required: a request object of the kind's endpoint")
	}
}

func (r *compareRequest) validate(v *validator) {
	validateScenarioBase(v, r.Kind, r.Base)
	if len(r.Variants) == 0 || len(r.Variants) > maxVariants {
		v.addCode("/variants", codeWrongCount, countParam(1, maxVariants, len(r.Variants)), "give 1 to %d variants; got %d", maxVariants, len(r.Variants))
	}
	for i, vr := range r.Variants {
		p := fmt.Sprintf("/variants/%d", i)
		if len(vr.Name) > 200 {
			v.addCode(p+"/name", codeTooLong, map[string]any{"max": 200, "got": len(vr.Name)}, "at most 200 characters")
		}
		if t := bytes.TrimSpace(vr.Patch); len(t) == 0 || t[0] != '{' {
			v.add(p+"/patch", "is required: a JSON merge patch object ({} for the base itself)")
		}
		if vr.CapexCNY != nil && vr.LifetimeYears == nil {
			v.add(p+"/lifetime_years", "is required with capex_cny (1–100 years)")
		}
		if vr.LifetimeYears != nil && vr.CapexCNY == nil && vr.OpexCNYPerYear == nil {
			v.addCode(p+"/lifetime_years", codeRequires, fieldsParam("capex_cny", "opex_cny_per_year"), "goes with capex_cny or opex_cny_per_year")
		}
	}
}

// abatementResponse is a variant's marginal abatement cost.
type abatementResponse struct {
	CapexCNY       float64 `json:"capex_cny" example:"350000000"`
	OpexCNYPerYear float64 `json:"opex_cny_per_year" example:"5000000"`
	LifetimeYears  float64 `json:"lifetime_years" example:"25"`
	// CapitalRecoveryFactor = r(1+r)^n / ((1+r)^n − 1).
	CapitalRecoveryFactor float64 `json:"capital_recovery_factor" example:"0.0782"`
	// CostCNYPerYear = capex × CRF + opex.
	CostCNYPerYear float64 `json:"cost_cny_per_year" example:"32379351"`
	// AvoidedTCO2ePerYear = base − variant annual emissions on mac_basis; null without annual emissions.
	AvoidedTCO2ePerYear *float64 `json:"avoided_tco2e_per_year" example:"200000"`
	// CostCNYPerTCO2e = cost/yr ÷ avoided t/yr; null when nothing is avoided or annual emissions are unknown.
	CostCNYPerTCO2e *float64 `json:"cost_cny_per_tco2e" example:"161.9"`
	Note            string   `json:"note,omitempty"`
}

// scenarioRow is one scenario of a compare: the base first.
type scenarioRow struct {
	Name string `json:"name" example:"base"`
	// Outputs are the key outputs; omitted when the variant is invalid.
	Outputs *keyOutputs `json:"outputs,omitempty"`
	// Delta is outputs − the base's outputs.
	Delta     *keyOutputs        `json:"delta,omitempty"`
	Abatement *abatementResponse `json:"abatement,omitempty"`
	// Errors name the invalid fields of this variant by pointer into the compare request (/variants/N/patch/…); the other scenarios are still computed.
	Errors []FieldProblem `json:"errors,omitempty"`
}

// maccRow is one step of the marginal abatement cost curve.
type maccRow struct {
	Rank                          int     `json:"rank" example:"1"`
	Name                          string  `json:"name" example:"green contract 500 GWh"`
	CostCNYPerTCO2e               float64 `json:"cost_cny_per_tco2e" example:"85.2"`
	AvoidedTCO2ePerYear           float64 `json:"avoided_tco2e_per_year" example:"400000"`
	CumulativeAvoidedTCO2ePerYear float64 `json:"cumulative_avoided_tco2e_per_year" example:"400000"`
}

// compareResponse is the scenario table.
type compareResponse struct {
	Dataset       string  `json:"dataset" example:"2026.1"`
	EngineVersion string  `json:"engine_version" example:"2026.11.0"`
	Kind          string  `json:"kind" example:"primary"`
	DiscountRate  float64 `json:"discount_rate" example:"0.06"`
	MACBasis      string  `json:"mac_basis" example:"location_based"`
	MACFormula    string  `json:"mac_formula"`
	// Scenarios: the base first, then the variants in request order.
	Scenarios []scenarioRow `json:"scenarios"`
	// MACC ranks the variants with a cost and avoided emissions by cost per t avoided, cheapest first.
	MACC []maccRow `json:"macc"`
	// PVRuns counts PV yield computations: variants sharing a PV system reuse one.
	PVRuns pvRunsResponse `json:"pv_runs"`
}

type pvRunsResponse struct {
	Computed int `json:"computed" example:"1"`
	Reused   int `json:"reused" example:"99"`
}

// canonicalScenario is the hashed form of a scenario request: raw JSON
// values decoded (object keys sorted on encoding), so equal requests
// written differently share a cache entry.
type canonicalScenario struct {
	Endpoint string `json:"endpoint"`
	Default  string `json:"default_dataset"`
	Body     any    `json:"body"`
}

func (s *server) canonicalBody(endpoint string, body []byte) (canonicalScenario, error) {
	doc, err := parseDoc(body)
	return canonicalScenario{Endpoint: endpoint, Default: s.catalog.Default().Version(), Body: doc}, err
}

// handleCompareScenarios compares a base request with variants.
//
//	@Summary		Compare scenarios
//	@Description	A base request of POST /v1/footprints/primary, /v1/footprints/product, /v1/electricity or /v1/pv and up to 100 variants, each an RFC 7386 JSON merge patch over the base, validated on its own exactly as its endpoint validates: an invalid variant gets its own errors (pointers under /variants/N/patch) and the others are still computed, so the response is 200 with per-scenario errors; an invalid base is 422. Each row has the key outputs (totals location- and market-based, portfolio factors, annual emissions, renewable shares, PV energy) and deltas against the base. A variant with capex_cny/opex_cny_per_year gets its marginal abatement cost: CRF = r(1+r)^n/((1+r)^n − 1); cost/yr = capex × CRF + opex; avoided t/yr = (base − variant) annual emissions (footprint × production_t, or portfolio factor × annual demand — needs them); MAC = cost/yr ÷ avoided t/yr. Variants with a cost and positive avoided emissions are ranked in the MACC table. Variants sharing a PV system (same system at the same place) reuse one PV computation.
//	@Tags			scenarios
//	@Accept			json
//	@Produce		json
//	@Param			request	body		compareRequest	true	"base and variants"
//	@Success		200		{object}	compareResponse
//	@Header			200		{string}	ETag				"hash of the normalised request, the same from every cache tier; weak (W/\"…\") on a gzip answer; If-None-Match with either form gets 304"
//	@Header			200		{string}	X-Cache				"hit-memory (the same bytes or the same normalised request answered before), hit-redis or miss"
//	@Header			200		{string}	Content-Encoding	"gzip when Accept-Encoding accepts it (answers above 1 kB; the compressed form is kept in the cache)"
//	@Header			200		{string}	Vary				"Accept-Encoding (answers above 1 kB)"
//	@Failure		400		{object}	Problem	"malformed JSON"
//	@Failure		413		{object}	Problem	"body too large"
//	@Failure		415		{object}	Problem	"not JSON"
//	@Failure		422		{object}	Problem	"invalid fields or an invalid base, by JSON pointer; or over the work budget (ALCARBON_MAX_WORK): work_units and max_work_units given, the fields that drive the cost named by pointer (/variants, the PV systems of the base and patches)"
//	@Failure		503		{object}	Problem	"every slot for heavy calculations busy for 1 s (Retry-After), or stopped at the write timeout"
//	@Router			/v1/scenarios/compare [post]
func (s *server) handleCompareScenarios(c echo.Context) error {
	body, exact, answered, err := s.readCachable(c, "scenarios/compare")
	if answered || err != nil {
		return err
	}
	var req compareRequest
	if err := decodeStrict(body, &req); err != nil {
		return err
	}
	if err := checkRequest(&req); err != nil {
		return err
	}
	// The body's one generic decode: the cache key, and the base and
	// patches the scenarios are built from.
	canonical, err := s.canonicalBody("compare", body)
	if err != nil {
		return err
	}
	return s.respondCached(c, "scenarios/compare", exact, scenarioCacheDataset(s.catalog), canonical, true, compareWork(&req, len(body)), func(ctx context.Context) (any, error) {
		return s.compare(ctx, &req, canonical.Body)
	})
}

// compare computes the scenarios of req; doc is the request body decoded
// generically (canonicalBody), whose base and patches it merges.
func (s *server) compare(ctx context.Context, req *compareRequest, doc any) (*compareResponse, error) {
	kind := calcKinds[req.Kind]
	top, _ := doc.(map[string]any)
	base := top["base"]
	variants, _ := top["variants"].([]any)
	if len(variants) != len(req.Variants) {
		return nil, fmt.Errorf("compare: %d variants decoded, %d in the generic body", len(req.Variants), len(variants))
	}
	docs := []any{base}
	prefixes := []string{"/base"}
	for i, v := range variants {
		patch := v.(map[string]any)["patch"]
		docs = append(docs, mergePatch(base, patch))
		prefixes = append(prefixes, fmt.Sprintf("/variants/%d/patch", i))
	}
	memo := calc.NewPVMemo()
	// The base first, alone: an invalid base fails the request before
	// any variant is computed.
	baseRes, err := s.runAll(ctx, kind, docs[:1], prefixes[:1], memo)
	if err != nil {
		return nil, err
	}
	if len(baseRes[0].problems) > 0 {
		return nil, invalid(baseRes[0].problems)
	}
	res, err := s.runAll(ctx, kind, docs[1:], prefixes[1:], memo)
	if err != nil {
		return nil, err
	}
	out := &compareResponse{
		Dataset: s.catalog.Default().Version(), EngineVersion: calc.EngineVersion, Kind: req.Kind,
		DiscountRate: defaultDiscount, MACBasis: "location_based", MACFormula: macFormula, MACC: []maccRow{},
	}
	if version := baseDataset(base); version != "" {
		out.Dataset = version
	}
	if req.DiscountRate != nil {
		out.DiscountRate = *req.DiscountRate
	}
	if req.MACBasis != "" {
		out.MACBasis = req.MACBasis
	}
	b := baseRes[0].out
	zero := b.minus(b)
	out.Scenarios = append(out.Scenarios, scenarioRow{Name: "base", Outputs: &b, Delta: &zero})
	var options []calc.AbatementOption
	for i, r := range res {
		vr := req.Variants[i]
		row := scenarioRow{Name: vr.Name, Errors: r.problems}
		if row.Name == "" {
			row.Name = fmt.Sprintf("variant %d", i+1)
		}
		if r.problems == nil {
			o := r.out
			d := o.minus(b)
			row.Outputs, row.Delta = &o, &d
		}
		if vr.CapexCNY != nil || vr.OpexCNYPerYear != nil {
			var m *calc.AbatementCost
			row.Abatement, m = abatement(vr, out.DiscountRate, out.MACBasis, req.Kind, b, r)
			if m != nil {
				options = append(options, calc.AbatementOption{Name: row.Name, AbatementCost: *m})
			}
		}
		out.Scenarios = append(out.Scenarios, row)
	}
	for _, st := range calc.MACC(options) {
		out.MACC = append(out.MACC, maccRow{Rank: st.Rank, Name: st.Name, CostCNYPerTCO2e: st.PerTonne,
			AvoidedTCO2ePerYear: st.AvoidedPerYr, CumulativeAvoidedTCO2ePerYear: st.CumulativeAvoidedPerYr})
	}
	out.PVRuns.Computed, out.PVRuns.Reused = memo.Stats()
	return out, nil
}

// abatement is a variant's marginal abatement cost against the base b on
// basis (location_based or market_based), and the cost the MACC ranks (nil
// when the variant is invalid, its annual emissions are unknown or it
// avoids nothing).
func abatement(vr variantRequest, rate float64, basis, kind string, b keyOutputs, r scenarioResult) (*abatementResponse, *calc.AbatementCost) {
	a := &abatementResponse{}
	if vr.CapexCNY != nil {
		a.CapexCNY = *vr.CapexCNY
	}
	if vr.OpexCNYPerYear != nil {
		a.OpexCNYPerYear = *vr.OpexCNYPerYear
	}
	if vr.LifetimeYears != nil {
		a.LifetimeYears = *vr.LifetimeYears
	}
	a.CapitalRecoveryFactor, a.CostCNYPerYear = calc.AnnualisedCost(a.CapexCNY, a.OpexCNYPerYear, a.LifetimeYears, rate)
	annual := func(k keyOutputs) *float64 {
		if basis == "market_based" {
			return k.AnnualMarketBased
		}
		return k.AnnualLocationBased
	}
	ba, va := annual(b), annual(r.out)
	switch {
	case r.problems != nil:
		a.Note = "the variant is invalid; see errors"
	case ba == nil || va == nil:
		a.Note = annualNote(kind)
	default:
		m := calc.MarginalAbatementCost(a.CapexCNY, a.OpexCNYPerYear, a.LifetimeYears, rate, *ba, *va)
		a.AvoidedTCO2ePerYear = ptrTo(m.AvoidedPerYr)
		if math.IsNaN(m.PerTonne) {
			a.Note = "the variant avoids no emissions against the base on " + basis + "; no cost per t"
			return a, nil
		}
		a.CostCNYPerTCO2e = ptrTo(m.PerTonne)
		return a, &m
	}
	return a, nil
}

func annualNote(kind string) string {
	switch kind {
	case "pv":
		return "a PV system alone has no emissions to avoid; compare it inside a primary or electricity portfolio (onsite_pv with pv) to get a cost per t"
	case "electricity":
		return "the cost per t avoided needs annual emissions: give demand_mwh (or production_t with consumption_kwh_per_t) in the base"
	}
	return "the cost per t avoided needs annual emissions: give production_t in the base"
}

// baseDataset returns the dataset a base pins, if any.
func baseDataset(doc any) string {
	if m, ok := doc.(map[string]any); ok {
		if v, ok := m["dataset"].(string); ok {
			return v
		}
	}
	return ""
}

// sweepRequest varies one parameter of a base request.
type sweepRequest struct {
	// Kind of the base request: primary, product, electricity or pv.
	Kind string `json:"kind" enums:"primary,product,electricity,pv" example:"primary"`
	// Base is a request of that endpoint; it must be valid.
	Base json.RawMessage `json:"base" swaggertype:"object"`
	// Parameter is an RFC 6901 JSON pointer into the base request that the request schema has (array elements must exist in the base), e.g. /electricity/sources/2/pv/system/capacity_kwp.
	Parameter string `json:"parameter" example:"/electrolysis/ac_kwh_per_t"`
	// Values to set, at most 1000 (numbers, or strings for text fields). Give values or range.
	Values []json.RawMessage `json:"values,omitempty" swaggertype:"array,number"`
	// Range of evenly spaced numbers.
	Range *sweepRange `json:"range,omitempty"`
}

// sweepRange is from..to in steps points (both ends included).
type sweepRange struct {
	From *float64 `json:"from" example:"12800"`
	To   *float64 `json:"to" example:"13600"`
	// Steps is the number of points, 2–1000.
	Steps int `json:"steps" minimum:"2" maximum:"1000" example:"9"`
}

func (r *sweepRequest) validate(v *validator) {
	validateScenarioBase(v, r.Kind, r.Base)
	if r.Parameter == "" || r.Parameter[0] != '/' {
		v.add("/parameter", "is required: a JSON pointer into the base request, such as /electrolysis/ac_kwh_per_t")
	}
	switch {
	case r.Values == nil && r.Range == nil:
		v.addCode("/values", codeOneOfRequired, fieldsParam("values", "range"), "give values or range, one of them")
	case r.Values != nil && r.Range != nil:
		v.addCode("/values", codeMutuallyExclusive, fieldsParam("values", "range"), "give values or range, one of them")
	case r.Values != nil && (len(r.Values) == 0 || len(r.Values) > maxSweepPoints):
		v.addCode("/values", codeWrongCount, countParam(1, maxSweepPoints, len(r.Values)), "give 1 to %d values; got %d", maxSweepPoints, len(r.Values))
	case r.Range != nil:
		if r.Range.From == nil {
			v.add("/range/from", "is required")
		}
		if r.Range.To == nil {
			v.add("/range/to", "is required")
		}
		if r.Range.From != nil && r.Range.To != nil && r.Range.Steps >= 2 {
			from, to := *r.Range.From, *r.Range.To
			step := (to - from) / float64(r.Range.Steps-1)
			if math.IsInf(to-from, 0) || math.IsNaN(step) || (from != to && (from+step == from || to-step == to)) {
				v.addCode("/range", codeUnrepresentableRange, map[string]any{"from": from, "to": to, "steps": r.Range.Steps}, "from %g to %g in %d steps cannot be represented: the span must be a finite number and each step larger than the rounding of the ends", from, to, r.Range.Steps)
			}
		}
	}
}

// sweepPoint is one value of the parameter and its outputs.
type sweepPoint struct {
	Value   any            `json:"value" swaggertype:"number" example:"13000"`
	Outputs *keyOutputs    `json:"outputs,omitempty"`
	Errors  []FieldProblem `json:"errors,omitempty"`
}

// sweepResponse is the series of key outputs over the parameter.
type sweepResponse struct {
	Dataset       string       `json:"dataset" example:"2026.1"`
	EngineVersion string       `json:"engine_version" example:"2026.11.0"`
	Kind          string       `json:"kind" example:"primary"`
	Parameter     string       `json:"parameter" example:"/electrolysis/ac_kwh_per_t"`
	Base          keyOutputs   `json:"base"`
	Points        []sweepPoint `json:"points"`
}

// handleSweep computes a base request over values of one parameter.
//
//	@Summary		Parameter sweep
//	@Description	One parameter of a base request of POST /v1/footprints/primary, /v1/footprints/product, /v1/electricity or /v1/pv, given by JSON pointer, over a list of values or an evenly spaced range (at most 1000 points); returns the key outputs at each point (as compare). The pointer must exist in the request schema (422 otherwise); array elements must exist in the base. Each point is validated as its endpoint validates: a value the endpoint refuses gets its own errors (pointers under /base) and the other points are still computed. Example: footprint against PV capacity, or against the molten-supply share.
//	@Tags			scenarios
//	@Accept			json
//	@Produce		json
//	@Param			request	body		sweepRequest	true	"base, parameter and values"
//	@Success		200		{object}	sweepResponse
//	@Header			200		{string}	ETag				"hash of the normalised request, the same from every cache tier; weak (W/\"…\") on a gzip answer; If-None-Match with either form gets 304"
//	@Header			200		{string}	X-Cache				"hit-memory (the same bytes or the same normalised request answered before), hit-redis or miss"
//	@Header			200		{string}	Content-Encoding	"gzip when Accept-Encoding accepts it (answers above 1 kB; the compressed form is kept in the cache)"
//	@Header			200		{string}	Vary				"Accept-Encoding (answers above 1 kB)"
//	@Failure		400		{object}	Problem	"malformed JSON"
//	@Failure		413		{object}	Problem	"body too large"
//	@Failure		415		{object}	Problem	"not JSON"
//	@Failure		422		{object}	Problem	"invalid fields, an unknown parameter or an invalid base, by JSON pointer; or over the work budget (ALCARBON_MAX_WORK): work_units and max_work_units given, the fields that drive the cost named by pointer (/values or /range/steps, /parameter, the base's PV systems)"
//	@Failure		503		{object}	Problem	"every slot for heavy calculations busy for 1 s (Retry-After), or stopped at the write timeout"
//	@Router			/v1/scenarios/sweep [post]
func (s *server) handleSweep(c echo.Context) error {
	body, exact, answered, err := s.readCachable(c, "scenarios/sweep")
	if answered || err != nil {
		return err
	}
	var req sweepRequest
	if err := decodeStrict(body, &req); err != nil {
		return err
	}
	if err := checkRequest(&req); err != nil {
		return err
	}
	kind := calcKinds[req.Kind]
	tokens, leaf, err := schemaAt(kind.reqType, req.Parameter)
	if err != nil {
		return invalid([]FieldProblem{parameterProblem(req.Parameter, err)})
	}
	values, err := sweepValues(&req, leaf)
	if err != nil {
		return err
	}
	// The body's one generic decode: the cache key, and the base the
	// points are built from.
	canonical, err := s.canonicalBody("sweep", body)
	if err != nil {
		return err
	}
	base := canonical.Body.(map[string]any)["base"]
	return s.respondCached(c, "scenarios/sweep", exact, scenarioCacheDataset(s.catalog), canonical, true, sweepWork(&req, tokens, len(values), len(body)), func(ctx context.Context) (any, error) {
		return s.sweep(ctx, &req, kind, base, tokens, values)
	})
}

// sweepValues lists the sweep's values as JSON values.
func sweepValues(req *sweepRequest, leaf reflect.Type) ([]any, error) {
	numeric := isNumberKind(leaf.Kind())
	var out []any
	if req.Range != nil {
		if !numeric {
			return nil, invalid([]FieldProblem{{Pointer: "/range", Code: codeNotNumeric, Params: map[string]any{"parameter": req.Parameter}, Detail: "the parameter is not a number; give values"}})
		}
		from, to, n := *req.Range.From, *req.Range.To, req.Range.Steps
		for i := range n {
			x := from + (to-from)*float64(i)/float64(n-1)
			if i == n-1 {
				x = to
			}
			out = append(out, json.Number(strconv.FormatFloat(x, 'g', -1, 64)))
		}
		return out, nil
	}
	for i, raw := range req.Values {
		v, err := parseDoc(raw)
		if err != nil {
			// Not reached: each value is one the body's strict decode has
			// read as JSON. Generic code invalid, no wording on the page.
			return nil, invalid([]FieldProblem{{Pointer: fmt.Sprintf("/values/%d", i), Detail: "is not a JSON value"}})
		}
		out = append(out, v)
	}
	return out, nil
}

func isNumberKind(k reflect.Kind) bool {
	switch k {
	case reflect.Float32, reflect.Float64, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

// sweep computes base (the request's, decoded) at each of values of the
// parameter at tokens.
func (s *server) sweep(ctx context.Context, req *sweepRequest, kind calcKind, base any, tokens []string, values []any) (*sweepResponse, error) {
	memo := calc.NewPVMemo()
	baseRes, err := s.runAll(ctx, kind, []any{base}, []string{"/base"}, memo)
	if err != nil {
		return nil, err
	}
	if len(baseRes[0].problems) > 0 {
		return nil, invalid(baseRes[0].problems)
	}
	docs := make([]any, len(values))
	prefixes := make([]string, len(values))
	for i, x := range values {
		doc, err := setPointer(base, tokens, x)
		if err != nil {
			return nil, invalid([]FieldProblem{parameterProblem(req.Parameter, err)})
		}
		docs[i], prefixes[i] = doc, "/base"
	}
	res, err := s.runAll(ctx, kind, docs, prefixes, memo)
	if err != nil {
		return nil, err
	}
	out := &sweepResponse{Dataset: s.catalog.Default().Version(), EngineVersion: calc.EngineVersion, Kind: req.Kind, Parameter: req.Parameter, Base: baseRes[0].out}
	if version := baseDataset(base); version != "" {
		out.Dataset = version
	}
	for i, r := range res {
		p := sweepPoint{Value: values[i], Errors: r.problems}
		if r.problems == nil {
			o := r.out
			p.Outputs = &o
		}
		out.Points = append(out.Points, p)
	}
	return out, nil
}

// pointerTokens splits an RFC 6901 pointer into unescaped tokens.
func pointerTokens(ptr string) []string {
	parts := strings.Split(ptr[1:], "/")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
	}
	return parts
}

// schemaAt checks that ptr names a field of the request type t (array
// elements by index) and returns its tokens and the field's type, which
// must be a single value (number, string or boolean).
func schemaAt(t reflect.Type, ptr string) ([]string, reflect.Type, error) {
	tokens := pointerTokens(ptr)
	at := ""
	for _, tok := range tokens {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Struct:
			fields := jsonFields(t)
			f, ok := fields[tok]
			if !ok {
				return nil, nil, pointerErr("not_in_schema", map[string]any{"at": at, "allowed": sortedKeys(fields)}, "%s%s is not in the request schema; fields at %s: %s", at, "/"+escapePointer(tok), orRoot(at), strings.Join(sortedKeys(fields), ", "))
			}
			t = f
		case reflect.Slice, reflect.Array:
			if n, err := strconv.Atoi(tok); err != nil || n < 0 {
				return nil, nil, pointerErr("not_an_index", map[string]any{"at": at, "token": tok}, "%s is an array: the next token must be an index, not %q", orRoot(at), tok)
			}
			t = t.Elem()
		default:
			return nil, nil, pointerErr("no_field", map[string]any{"at": at, "token": tok}, "%s is a single value; it has no field %q", orRoot(at), tok)
		}
		at += "/" + escapePointer(tok)
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch k := t.Kind(); {
	case isNumberKind(k), k == reflect.String, k == reflect.Bool:
		return tokens, t, nil
	}
	return nil, nil, pointerErr("not_a_value", nil, "%s is an object or array; sweep a single number, string or boolean inside it", ptr)
}

// pointerError is a sweep parameter that names no single value of the
// request schema (schemaAt) or of the base (setPointer): its English
// detail, and the reason and params of invalid_pointer.
type pointerError struct {
	detail string
	params map[string]any
}

func (e *pointerError) Error() string { return e.detail }

// pointerErr is a pointerError for reason (not_in_schema, not_an_index,
// no_field, not_a_value, no_element, not_container) with its params.
func pointerErr(reason string, params map[string]any, format string, args ...any) error {
	p := map[string]any{"reason": reason}
	for k, v := range params {
		p[k] = v
	}
	return &pointerError{detail: fmt.Sprintf(format, args...), params: p}
}

// parameterProblem is the field problem of the sweep parameter ptr that
// err (a pointerError) refuses: invalid_pointer, got ptr.
func parameterProblem(ptr string, err error) FieldProblem {
	f := FieldProblem{Pointer: "/parameter", Detail: err.Error()}
	var pe *pointerError
	if errors.As(err, &pe) {
		f.Code, f.Params = codeInvalidPointer, pe.params
		f.Params["got"] = ptr
	}
	return f
}

func orRoot(p string) string {
	if p == "" {
		return "the top level"
	}
	return p
}

// setPointer returns a copy of doc with the value at tokens set to x,
// creating missing objects on the way; array elements must exist.
func setPointer(doc any, tokens []string, x any) (any, error) {
	if len(tokens) == 0 {
		return x, nil
	}
	tok, rest := tokens[0], tokens[1:]
	switch d := doc.(type) {
	case nil:
		if _, err := strconv.Atoi(tok); err == nil {
			return nil, pointerErr("no_element", map[string]any{"token": tok}, "element %s does not exist: the base has no array there", tok)
		}
		v, err := setPointer(nil, rest, x)
		if err != nil {
			return nil, err
		}
		return map[string]any{tok: v}, nil
	case map[string]any:
		out := make(map[string]any, len(d)+1)
		for k, v := range d {
			out[k] = v
		}
		v, err := setPointer(d[tok], rest, x)
		if err != nil {
			return nil, err
		}
		out[tok] = v
		return out, nil
	case []any:
		i, err := strconv.Atoi(tok)
		if err != nil || i < 0 || i >= len(d) {
			return nil, pointerErr("no_element", map[string]any{"token": tok, "length": len(d)}, "the base's array has %d elements; element %s does not exist", len(d), tok)
		}
		out := append([]any(nil), d...)
		v, err := setPointer(d[i], rest, x)
		if err != nil {
			return nil, err
		}
		out[i] = v
		return out, nil
	}
	return nil, pointerErr("not_container", map[string]any{"token": tok}, "the base has a single value where %q should be an object or array", tok)
}
