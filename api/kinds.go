package api

import (
	"context"
	"reflect"

	"github.com/labstack/echo/v4"

	"alcarbon/calc"
	"alcarbon/factors"
)

// The calculation kinds: every calculation endpoint, and everything that
// computes a request of one (compare, sweep, uncertainty, declarations),
// goes through this table, so a kind is decoded, prepared and computed in
// one way wherever it is used.
const (
	kindPrimary     = "primary"
	kindProduct     = "product"
	kindElectricity = "electricity"
	kindPV          = "pv"
)

// calcKind is one calculation kind: its name (also its cache endpoint),
// its request type (for sweep's pointer checks) and a constructor of an
// empty request.
type calcKind struct {
	name       string
	reqType    reflect.Type
	newRequest func() calcRequest
}

var calcKinds = map[string]calcKind{
	kindPrimary:     {kindPrimary, reflect.TypeFor[primaryRequest](), func() calcRequest { return &primaryRequest{} }},
	kindProduct:     {kindProduct, reflect.TypeFor[productRequest](), func() calcRequest { return &productRequest{} }},
	kindElectricity: {kindElectricity, reflect.TypeFor[electricityRequest](), func() calcRequest { return &electricityRequest{} }},
	kindPV:          {kindPV, reflect.TypeFor[pvRequest](), func() calcRequest { return &pvRequest{} }},
}

// calcRequest is a request of a calculation kind.
type calcRequest interface {
	validatable
	// prepare picks the dataset and fills the defaults that depend on it,
	// so that equal requests written differently hash equal.
	prepare(cat *factors.Catalog) (*factors.Dataset, error)
	// usesRedis reports whether the request is worth a Redis round trip:
	// it simulates PV (milliseconds; a footprint alone takes ≈ 100 µs).
	usesRedis() bool
	// compute runs the engine under ctx; memo shares PV yields between the
	// requests of one scenario run (nil outside one).
	compute(ctx context.Context, s *server, ds *factors.Dataset, memo *calc.PVMemo) (calcResult, error)
}

// calcResult is a computed request.
type calcResult interface {
	// response is the endpoint's answer.
	response() any
	// outputs are the key outputs a scenario table compares.
	outputs() keyOutputs
}

// footprintRequest is a request whose result is a product footprint: it
// can be published as a declaration and sampled by Monte Carlo.
type footprintRequest interface {
	calcRequest
	// regionCode and gwpSet are the prepared request's region and GWP set.
	regionCode() string
	gwpSet() string
	// compile compiles the footprint for sampling.
	compile(ctx context.Context, s *server, ds *factors.Dataset) (*calc.CompiledFootprint, calc.Provenance, error)
}

// footprintResult is a computed footprint request.
type footprintResult interface {
	calcResult
	// marketBased is the headline total [t CO2e/t] a declaration stores.
	marketBased() float64
}

// decodeRequest decodes and validates one request of kind k strictly, as
// its endpoint does.
func decodeRequest(k calcKind, body []byte) (calcRequest, error) {
	req := k.newRequest()
	if err := decodeStrict(body, req); err != nil {
		return nil, err
	}
	return req, checkRequest(req)
}

// calculate answers a calculation endpoint: the same bytes answered before
// → respond; else decode strictly → validate → prepare → compute (or the
// cache) → respond.
func (s *server) calculate(c echo.Context, k calcKind) error {
	body, exact, answered, err := s.readCachable(c, k.name)
	if answered || err != nil {
		return err
	}
	req, err := decodeRequest(k, body)
	if err != nil {
		return err
	}
	ds, err := req.prepare(s.catalog)
	if err != nil {
		return err
	}
	return s.respondCached(c, k.name, exact, cacheDataset(ds), req, req.usesRedis(), calcWork(k, body), func(ctx context.Context) (any, error) {
		r, err := req.compute(ctx, s, ds, nil)
		if err != nil {
			return nil, err
		}
		return encodeAnswer(r.response())
	})
}

// fieldProblemsUnder turns a request's error into field problems named
// under prefix (a request inside another: a scenario, a declaration, an
// uncertainty run). A problem without field errors becomes one at prefix,
// with its detail and no code: a Problem carries codes only on its field
// errors, which keep theirs (invalid gives the codeless one invalid).
// Errors that are not about the request (500s) are returned as errors.
func fieldProblemsUnder(err error, prefix string) ([]FieldProblem, error) {
	p := toProblem(err)
	if p.Status >= 500 {
		return nil, err
	}
	if len(p.Errors) == 0 {
		return []FieldProblem{{Pointer: prefix, Detail: p.Detail}}, nil
	}
	out := make([]FieldProblem, len(p.Errors))
	for i, f := range p.Errors {
		out[i] = FieldProblem{Pointer: prefix + f.Pointer, Detail: f.Detail, Code: f.Code, Params: f.Params}
	}
	return out, nil
}

// underPrefix is fieldProblemsUnder as an error: a 422 naming the fields
// under prefix, or the server error unchanged.
func underPrefix(err error, prefix string) error {
	if err == nil {
		return nil
	}
	fields, serverErr := fieldProblemsUnder(err, prefix)
	if serverErr != nil {
		return serverErr
	}
	return invalid(fields)
}

// primaryResult is a computed primary request.
type primaryResult struct {
	req  *primaryRequest
	res  calc.PrimaryResult
	prov calc.Provenance
}

func (r *primaryRequest) usesRedis() bool    { return r.Electricity.hasPV() }
func (r *primaryRequest) regionCode() string { return r.Region }
func (r *primaryRequest) gwpSet() string     { return r.GWP }

func (r *primaryRequest) compute(ctx context.Context, s *server, ds *factors.Dataset, memo *calc.PVMemo) (calcResult, error) {
	in, err := r.toInput()
	if err != nil {
		return nil, err
	}
	res, prov, err := s.engine(ds).PrimaryWithPVMemo(ctx, in, memo)
	if err != nil {
		return nil, calcErrorFor[primaryRequest](err)
	}
	return primaryResult{r, res, prov}, nil
}

func (r *primaryRequest) compile(ctx context.Context, s *server, ds *factors.Dataset) (*calc.CompiledFootprint, calc.Provenance, error) {
	in, err := r.toInput()
	if err != nil {
		return nil, calc.Provenance{}, err
	}
	c, prov, err := s.engine(ds).CompilePrimary(ctx, in)
	return c, prov, calcErrorFor[primaryRequest](err)
}

func (p primaryResult) response() any        { return newPrimaryResponse(p.req, p.res, p.prov) }
func (p primaryResult) marketBased() float64 { return p.res.MarketBased }
func (p primaryResult) outputs() keyOutputs {
	return footprintOutputs(p.res.LocationBased, p.res.MarketBased, p.res.Electricity, p.res.Annual)
}

// productResult is a computed product request.
type productResult struct {
	req  *productRequest
	res  calc.ProductResult
	prov calc.Provenance
}

func (r *productRequest) usesRedis() bool    { return r.hasPV() }
func (r *productRequest) regionCode() string { return r.Region }
func (r *productRequest) gwpSet() string     { return r.GWP }

func (r *productRequest) compute(ctx context.Context, s *server, ds *factors.Dataset, memo *calc.PVMemo) (calcResult, error) {
	in, err := s.productInput(ctx, r)
	if err != nil {
		return nil, err
	}
	res, prov, err := s.engine(ds).ProductWithPVMemo(ctx, in, memo)
	if err != nil {
		return nil, calcErrorFor[productRequest](err)
	}
	return productResult{r, res, prov}, nil
}

func (r *productRequest) compile(ctx context.Context, s *server, ds *factors.Dataset) (*calc.CompiledFootprint, calc.Provenance, error) {
	in, err := s.productInput(ctx, r)
	if err != nil {
		return nil, calc.Provenance{}, err
	}
	c, prov, err := s.engine(ds).CompileProduct(ctx, in)
	return c, prov, calcErrorFor[productRequest](err)
}

func (p productResult) response() any        { return newProductResponse(p.req, p.res, p.prov) }
func (p productResult) marketBased() float64 { return p.res.MarketBased }
func (p productResult) outputs() keyOutputs {
	return footprintOutputs(p.res.LocationBased, p.res.MarketBased, p.res.Electricity, p.res.Annual)
}

// electricityResult is a computed supply portfolio.
type electricityResult struct {
	req  *electricityRequest
	ds   *factors.Dataset
	res  calc.ElectricityResult
	prov calc.Provenance
}

func (r *electricityRequest) prepare(cat *factors.Catalog) (*factors.Dataset, error) {
	return r.resolve(cat)
}

func (r *electricityRequest) usesRedis() bool { return r.portfolioRequest.hasPV() }

func (r *electricityRequest) compute(ctx context.Context, s *server, ds *factors.Dataset, memo *calc.PVMemo) (calcResult, error) {
	in, err := r.electricityInput()
	if err != nil {
		return nil, err
	}
	res, prov, err := s.engine(ds).ElectricityWithPVMemo(ctx, in, memo)
	if err != nil {
		return nil, calcErrorFor[electricityRequest](err)
	}
	return electricityResult{r, ds, res, prov}, nil
}

func (e electricityResult) response() any {
	out := electricityResultResponse{
		Dataset: e.ds.Version(), EngineVersion: calc.EngineVersion, Region: e.req.Region, Year: e.req.Year,
		electricityResponse: newElectricityResponse(e.res, 0), Provenance: newProvenance(reflect.TypeFor[electricityRequest](), e.prov),
	}
	if a := e.res.Annual; a != nil {
		out.LocationTCO2PerYr, out.MarketTCO2PerYr = ptrTo(a.LocationBased), ptrTo(a.MarketBased)
	}
	return out
}

func (e electricityResult) outputs() keyOutputs {
	var k keyOutputs
	portfolioOutputs(&k, e.res)
	if a := e.res.Annual; a != nil {
		k.AnnualLocationBased, k.AnnualMarketBased = ptrTo(a.LocationBased), ptrTo(a.MarketBased)
	}
	return k
}

// pvResult is a computed PV yield.
type pvResult struct {
	ds   *factors.Dataset
	res  calc.PVResult
	prov calc.Provenance
}

func (r *pvRequest) prepare(cat *factors.Catalog) (*factors.Dataset, error) {
	ds, err := datasetVersion(cat, r.Dataset)
	if err != nil {
		return nil, err
	}
	r.Dataset = ds.Version()
	return ds, nil
}

// usesRedis: a PV yield takes milliseconds, a Redis hit far less.
func (r *pvRequest) usesRedis() bool { return true }

func (r *pvRequest) compute(ctx context.Context, s *server, ds *factors.Dataset, memo *calc.PVMemo) (calcResult, error) {
	in, err := r.toInput("")
	if err != nil {
		return nil, err
	}
	res, prov, err := s.engine(ds).PVWithPVMemo(ctx, in, memo)
	if err != nil {
		return nil, calcErrorFor[pvRequest](err)
	}
	return pvResult{ds, res, prov}, nil
}

func (p pvResult) response() any { return newPVResponse(p.ds.Version(), p.res, p.prov) }

func (p pvResult) outputs() keyOutputs {
	var k keyOutputs
	r := p.res
	k.PVAnnualMWh, k.PVSpecificYield, k.PVCapacityFactor = ptrTo(r.AnnualACKWh/1000), ptrTo(r.SpecificYieldKWhPerKWp), ptrTo(r.CapacityFactor)
	if r.Load != nil {
		k.PVUsedMWh = ptrTo(r.Load.SelfConsumedKWh / 1000)
		k.RenewableShareHourly = ptrTo(r.Load.HourlyMatchedShare)
	}
	return k
}
