package api

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"alcarbon/calc"
	"alcarbon/factors"
)

// Limits of POST /v1/uncertainty.
const (
	defaultSamples = 10_000
	minSamples     = 100
	maxSamples     = 100_000
	defaultSeed    = 1
	maxSeed        = 1<<53 - 1 // exact in a JSON number
)

// uncertaintyRequest is a Monte Carlo run over a footprint request.
type uncertaintyRequest struct {
	// Kind of the request: primary (POST /v1/footprints/primary, the default) or product (POST /v1/footprints/product).
	Kind string `json:"kind,omitempty" enums:"primary,product" example:"primary" check:"validate"`
	// Request is a request of the kind's endpoint.
	Request json.RawMessage `json:"request" swaggertype:"object"`
	// Samples, 100–100,000; default 10,000.
	Samples *int `json:"samples,omitempty" minimum:"100" maximum:"100000" example:"10000"`
	// Seed of the PCG random generator, 0 to 2^53−1; default 1. The same request and seed give the same result.
	Seed *int64 `json:"seed,omitempty" minimum:"0" maximum:"9007199254740991" example:"42"`
	// Distributions override the defaults (listed in the response) by input pointer.
	Distributions []distributionRequest `json:"distributions,omitempty" calc:"Inputs"`
	// Defaults: false keeps only the distributions given; default true.
	Defaults *bool `json:"defaults,omitempty" example:"true"`
	// Baseline, optional, is a request of the same kind and dataset (the base of a comparison). With it the response also has the difference request − baseline per sample, on the same draws: inputs both share (the same pointer, an electricity source by its content wherever it stands in the list) take the same multiplier in each sample; the baseline's other inputs are drawn from a second stream of the same seed. The request's own totals are those of the run without a baseline.
	Baseline json.RawMessage `json:"baseline,omitempty" swaggertype:"object"`
}

// distributionRequest is the law of one input's multiplier: every
// distribution is of a factor on the input's deterministic value (1 = the
// value the deterministic result uses), so it applies equally to given and
// defaulted inputs.
type distributionRequest struct {
	// Pointer names the input. Primary: /electrolysis/ac_kwh_per_t, /anode/net_carbon_t_per_t, /electrolysis/pfc (CF4 and C2F6), /alumina/footprint_tco2e_per_t (the alumina stage), /anode/production_tco2e_per_t (the anode production stage), /electricity/grid_ef (every grid factor, and green contracts' location-based factor), /electricity/sources/N/ef_tco2_per_mwh (a captive plant), /electricity/sources/N/pv or /electricity/sources/N/mwh (an on-site PV system's output). Product: /metal/primary_footprint_tco2e_per_t (the primary metal footprint, whether given, computed inline, declared or the region default), /melt_loss_fraction, /steps/STEP (a route step's energy, electricity and gas together, e.g. /steps/remelting, /steps/extrusion_building), /alloy/elements/EL (an alloying element's footprint, e.g. /alloy/elements/Mg), /metal/post_consumer_scrap_tco2e_per_t, /metal/pre_consumer_scrap_tco2e_per_t (when given), and the processing plant's /electricity/… inputs as for primary. The response's inputs list the pointers a request has.
	Pointer string `json:"pointer" example:"/electrolysis/ac_kwh_per_t" calc:"Path"`
	// Distribution of the multiplier: normal (mean 1, sd; draws ≤ 0 redrawn), lognormal (median 1, sd of ln), triangular (min, mode, max), uniform (min, max), none (fixed at 1).
	Distribution string `json:"distribution" enums:"normal,lognormal,triangular,uniform,none" example:"normal"`
	// SD of a normal multiplier (0 < sd ≤ 0.5) or of ln for lognormal (0 < sd ≤ 1).
	SD *float64 `json:"sd,omitempty" example:"0.02"`
	// Min, Mode, Max of a triangular or uniform multiplier, 0–10.
	Min  *float64 `json:"min,omitempty" minimum:"0" maximum:"10" example:"0.85"`
	Mode *float64 `json:"mode,omitempty" minimum:"0" maximum:"10" example:"1"`
	Max  *float64 `json:"max,omitempty" minimum:"0" maximum:"10" example:"1.15"`
	// Source says where the distribution comes from (echoed), up to 500 characters.
	Source string `json:"source,omitempty" example:"plant metering audit 2024"`
}

func (r *uncertaintyRequest) validate(v *validator) {
	switch r.Kind {
	case "", kindPrimary, kindProduct:
	default:
		v.addCode("/kind", codeNotAllowed, map[string]any{"allowed": []string{kindPrimary, kindProduct}, "got": r.Kind}, "must be primary or product; got %q", r.Kind)
	}
	if t := strings.TrimSpace(string(r.Request)); t == "" || t[0] != '{' {
		v.add("/request", "is required: a request object of the kind's endpoint")
	}
	if t := strings.TrimSpace(string(r.Baseline)); t != "" && t != "null" && t[0] != '{' {
		v.addCode("/baseline", codeWrongType, map[string]any{"expected": "object", "got": rawKind(t)}, "must be a request object of the kind's endpoint")
	}
	seen := map[string]bool{}
	for i, d := range r.Distributions {
		p := fmt.Sprintf("/distributions/%d", i)
		if d.Pointer == "" || d.Pointer[0] != '/' {
			v.add(p+"/pointer", "is required: the JSON pointer of an uncertain input")
		} else if seen[d.Pointer] {
			v.addCode(p+"/pointer", codeDuplicate, map[string]any{"got": d.Pointer}, "%s is given twice", d.Pointer)
		}
		seen[d.Pointer] = true
		if len(d.Source) > 500 {
			v.addCode(p+"/source", codeTooLong, map[string]any{"max": 500, "got": len(d.Source)}, "at most 500 characters")
		}
		has := func(field string, x *float64, want bool) {
			if want && x == nil {
				v.add(p+"/"+field, "is required by distribution %s", d.Distribution)
			}
			if !want && x != nil {
				v.addCode(p+"/"+field, codeNotUsed, map[string]any{"distribution": d.Distribution}, "is not used by distribution %s", d.Distribution)
			}
		}
		switch d.Distribution {
		case calc.DistNormal, calc.DistLognormal:
			has("sd", d.SD, true)
			has("min", d.Min, false)
			has("mode", d.Mode, false)
			has("max", d.Max, false)
			limit := 0.5
			if d.Distribution == calc.DistLognormal {
				limit = 1
			}
			if d.SD != nil && (*d.SD <= 0 || *d.SD > limit) {
				v.addCode(p+"/sd", codeOutOfRange, map[string]any{"min": 0.0, "exclusive_min": true, "max": limit, "got": *d.SD}, "must be greater than 0 and at most %s (a fraction of the value); got %s", fmtNum(limit), fmtNum(*d.SD))
			}
		case calc.DistTriangular, calc.DistUniform:
			tri := d.Distribution == calc.DistTriangular
			has("sd", d.SD, false)
			has("min", d.Min, true)
			has("max", d.Max, true)
			has("mode", d.Mode, tri)
			if d.Min != nil && d.Max != nil && *d.Min >= *d.Max {
				v.addCode(p+"/max", codeOutOfRange, map[string]any{"min": *d.Min, "exclusive_min": true, "got": *d.Max}, "must be greater than min")
			}
			if tri && d.Min != nil && d.Max != nil && d.Mode != nil && (*d.Mode < *d.Min || *d.Mode > *d.Max) {
				v.addCode(p+"/mode", codeOutOfRange, map[string]any{"min": *d.Min, "max": *d.Max, "got": *d.Mode}, "must lie between min and max")
			}
		case calc.DistNone:
			has("sd", d.SD, false)
			has("min", d.Min, false)
			has("mode", d.Mode, false)
			has("max", d.Max, false)
		case "":
			v.add(p+"/distribution", "is required; one of %s", joinList(calc.DistKinds))
		}
	}
}

// spec is the run the request asks for, without its distributions
// (inputs), which name the footprint's inputs: see inputs.
func (r *uncertaintyRequest) spec() calc.UncertaintySpec {
	sp := calc.UncertaintySpec{Samples: defaultSamples, Seed: defaultSeed}
	if r.Samples != nil {
		sp.Samples = *r.Samples
	}
	if r.Seed != nil {
		sp.Seed = uint64(*r.Seed)
	}
	sp.NoDefaults = r.Defaults != nil && !*r.Defaults
	return sp
}

// inputs are the distributions given, by the Go paths of the compiled
// footprint's inputs, for a footprint request of type root. A pointer that
// names none of them is a 422 listing the pointers there are.
func (r *uncertaintyRequest) inputs(root reflect.Type, have []calc.UncertainInput) ([]calc.UncertainInput, error) {
	paths := make(map[string]string, len(have))
	pointers := make([]string, len(have))
	for i, u := range have {
		pointers[i] = pointerOf(root, u.Path)
		paths[pointers[i]] = u.Path
	}
	var out []calc.UncertainInput
	for j, d := range r.Distributions {
		p, ok := paths[d.Pointer]
		if !ok {
			return nil, invalid([]FieldProblem{{
				Pointer: fmt.Sprintf("/distributions/%d/pointer", j),
				Code:    codeUnknownValue, Params: map[string]any{"kind": "uncertain_input", "got": d.Pointer, "allowed": pointers},
				Detail: fmt.Sprintf("this request has no uncertain input %q; allowed: %s", d.Pointer, strings.Join(pointers, ", ")),
			}})
		}
		dist := calc.Distribution{Kind: d.Distribution}
		for _, f := range []struct {
			dst *float64
			src *float64
		}{{&dist.SD, d.SD}, {&dist.Min, d.Min}, {&dist.Mode, d.Mode}, {&dist.Max, d.Max}} {
			if f.src != nil {
				*f.dst = *f.src
			}
		}
		out = append(out, calc.UncertainInput{Path: p, Dist: dist, Source: d.Source})
	}
	return out, nil
}

// summaryResponse describes the sampled totals [t CO2e/t].
type summaryResponse struct {
	Mean float64 `json:"mean" example:"12.99"`
	SD   float64 `json:"sd" example:"0.41"`
	P5   float64 `json:"p5" example:"12.3"`
	P50  float64 `json:"p50" example:"12.98"`
	P95  float64 `json:"p95" example:"13.67"`
	// Deterministic is the endpoint's result (every input at its value).
	Deterministic float64 `json:"deterministic" example:"12.99"`
}

type uncertaintyTotals struct {
	LocationBased summaryResponse `json:"location_based"`
	MarketBased   summaryResponse `json:"market_based"`
}

// uncertainInputResponse is one input the run varied (or could vary).
type uncertainInputResponse struct {
	Pointer      string   `json:"pointer" example:"/electrolysis/ac_kwh_per_t"`
	Label        string   `json:"label" example:"potline AC power"`
	Distribution string   `json:"distribution" example:"normal"`
	SD           *float64 `json:"sd,omitempty" example:"0.01"`
	Min          *float64 `json:"min,omitempty"`
	Mode         *float64 `json:"mode,omitempty"`
	Max          *float64 `json:"max,omitempty"`
	// Source of the distribution: a dataset row, a published study or regulation, an assumption, or the request.
	Source string `json:"source,omitempty"`
	// Default is true when the engine chose the distribution.
	Default bool `json:"default"`
}

// contributionResponse is an input's share in the spread of the total.
type contributionResponse struct {
	Pointer string `json:"pointer" example:"/electricity/grid_ef"`
	Label   string `json:"label" example:"grid emission factor"`
	// SpearmanLocationBased is the rank correlation of the input's multiplier with the location-based total.
	SpearmanLocationBased float64 `json:"spearman_location_based" example:"0.81"`
	SpearmanMarketBased   float64 `json:"spearman_market_based" example:"0.79"`
	// VarianceShare ≈ ρ² / Σρ² of the location-based total (first order).
	VarianceShare float64 `json:"variance_share" example:"0.66"`
}

// uncertaintyResponse is the Monte Carlo result.
type uncertaintyResponse struct {
	Dataset       string            `json:"dataset" example:"2026.1"`
	EngineVersion string            `json:"engine_version" example:"2026.11.0"`
	Kind          string            `json:"kind" enums:"primary,product" example:"primary"`
	Samples       int               `json:"samples" example:"10000"`
	Seed          int64             `json:"seed" example:"1"`
	Total         uncertaintyTotals `json:"total_tco2e_per_t"`
	// Inputs lists every uncertain input with its distribution and source.
	Inputs []uncertainInputResponse `json:"inputs"`
	// Contributions of the varied inputs, by |Spearman ρ| (location-based), largest first.
	Contributions []contributionResponse `json:"contributions"`
	Method        string                 `json:"method"`
	// Difference is request − baseline per sample (p5/p50/p95 of the difference, not differences of percentiles), when a baseline is given; its deterministic value is the difference of the deterministic totals.
	Difference *uncertaintyTotals `json:"difference_tco2e_per_t,omitempty"`
	// DifferenceContributions rank the inputs by |Spearman ρ| with the location-based difference, largest first (a baseline's own input is labelled "baseline: …"), when a baseline is given.
	DifferenceContributions []contributionResponse `json:"difference_contributions,omitempty"`
	// Provenance is that of the deterministic result.
	Provenance provenanceResponse `json:"provenance"`
}

const uncertaintyMethod = "Monte Carlo with a PCG generator (Go math/rand/v2) seeded by seed. Each input is multiplied by a factor drawn from its distribution (1 = the deterministic value); the request is computed once and compiled into its terms, and each sample recomputes the totals, including the portfolio's allocation of fixed volumes and hourly PV (and for a product the closed-loop metal balance with its melt loss and the step energies that set the plant's demand), exactly as the endpoint does. Percentiles interpolate between order statistics (Hyndman & Fan type 7); contributions are Spearman rank correlations of each multiplier with the total and ρ²/Σρ² as an approximate variance share."

// canonicalUncertainty is the hashed form of an uncertainty request.
type canonicalUncertainty struct {
	Kind          string                `json:"kind"`
	Request       any                   `json:"request"` // the footprint request, prepared
	Samples       int                   `json:"samples"`
	Seed          uint64                `json:"seed"`
	Distributions []distributionRequest `json:"distributions"`
	NoDefaults    bool                  `json:"no_defaults"`
	Baseline      any                   `json:"baseline,omitempty"` // prepared, when given
}

// handleUncertainty runs a Monte Carlo over a footprint request.
//
//	@Summary		Uncertainty (Monte Carlo)
//	@Description	Monte Carlo over a primary or product footprint request: samples (100–100,000, default 10,000) draws with a fixed seed (same request and seed → identical result). Each uncertain input is multiplied by a factor drawn from its distribution (normal, lognormal, triangular, uniform; 1 = the value of the deterministic result), with defaults for the inputs that matter — grid factor, AC power, anode net carbon, PFC ±15 % (CBAM), on-site PV inter-annual variability, alumina footprint, captive plant factors; for a product also the primary metal footprint (±5 % given, ±15 % region default), step energies (±10 % around the GB 21351-2023 grade-3 default, ±5 % given), melt loss (triangular), alloying element and scrap footprints — each listed with its source; distributions given by pointer override them. Result: mean, SD and p5/p50/p95 of the total (location- and market-based) beside the deterministic value, and each input's contribution (Spearman rank correlation and ρ² share), sorted.
//	@Tags			scenarios
//	@Accept			json
//	@Produce		json
//	@Param			request	body		uncertaintyRequest	true	"footprint request and distributions"
//	@Success		200		{object}	uncertaintyResponse
//	@Header			200		{string}	ETag				"hash of the normalised request, the same from every cache tier; weak (W/\"…\") on a gzip answer; If-None-Match with either form gets 304"
//	@Header			200		{string}	X-Cache				"hit-memory (the same bytes or the same normalised request answered before), hit-redis or miss"
//	@Header			200		{string}	Content-Encoding	"gzip when Accept-Encoding accepts it (answers above 1 kB; the compressed form is kept in the cache)"
//	@Header			200		{string}	Vary				"Accept-Encoding (answers above 1 kB)"
//	@Failure		400		{object}	Problem	"malformed JSON"
//	@Failure		413		{object}	Problem	"body too large"
//	@Failure		415		{object}	Problem	"not JSON"
//	@Failure		422		{object}	Problem	"invalid fields (pointers under /request for the footprint request), unknown input pointers, samples out of range; or over the work budget (ALCARBON_MAX_WORK): work_units and max_work_units given, the fields that drive the cost named by pointer (/samples, the PV systems under /request)"
//	@Failure		503		{object}	Problem	"every slot for heavy calculations busy for 1 s (Retry-After), or stopped at the write timeout"
//	@Router			/v1/uncertainty [post]
func (s *server) handleUncertainty(c echo.Context) error {
	body, exact, answered, err := s.readCachable(c, "uncertainty")
	if answered || err != nil {
		return err
	}
	var req uncertaintyRequest
	if err := decodeStrict(body, &req); err != nil {
		return err
	}
	if err := checkRequest(&req); err != nil {
		return err
	}
	kind := req.Kind
	if kind == "" {
		kind = kindPrimary
	}
	r, err := decodeRequest(calcKinds[kind], req.Request)
	if err != nil {
		return underPrefix(err, "/request")
	}
	fr := r.(footprintRequest) // validate allows footprint kinds only
	ds, err := fr.prepare(s.catalog)
	if err != nil {
		return underPrefix(err, "/request")
	}
	spec := req.spec()
	canonical := canonicalUncertainty{Kind: kind, Request: fr, Samples: spec.Samples, Seed: spec.Seed, Distributions: req.Distributions, NoDefaults: spec.NoDefaults}
	var base footprintRequest
	if t := strings.TrimSpace(string(req.Baseline)); t != "" && t != "null" {
		if base, err = req.baseline(kind, s.catalog, ds); err != nil {
			return err
		}
		canonical.Baseline = base
	}
	w := uncertaintyWork(spec.Samples, req.Samples != nil, req.Request, len(req.Request))
	if base != nil { // the baseline is compiled and sampled too
		bw := uncertaintyWork(spec.Samples, req.Samples != nil, req.Baseline, len(req.Baseline))
		w.add(bw.units, "/baseline", "the baseline, compiled and sampled alike")
	}
	return s.respondCached(c, "uncertainty", exact, cacheDataset(ds), canonical, true, w, func(ctx context.Context) (any, error) {
		compiled, prov, err := fr.compile(ctx, s, ds)
		if err != nil {
			return nil, underPrefix(err, "/request")
		}
		root := calcKinds[kind].reqType
		// Errors here name the uncertainty request's own fields
		// (/distributions/…).
		if spec.Inputs, err = req.inputs(root, compiled.Inputs()); err != nil {
			return nil, err
		}
		// The sampling's price, now that the inputs are known.
		if err := s.work.check(samplingWork(w, spec.Samples, len(compiled.Inputs()))); err != nil {
			return nil, err
		}
		if base == nil {
			res, err := compiled.MonteCarlo(ctx, spec)
			if err != nil {
				return nil, calcErrorFor[uncertaintyRequest](err)
			}
			return encodeAnswer(newUncertaintyResponse(ds.Version(), kind, root, res, prov))
		}
		baseCompiled, _, err := base.compile(ctx, s, ds)
		if err != nil {
			return nil, underPrefix(err, "/baseline")
		}
		match := matchInputs(root, fr, compiled.Inputs(), base, baseCompiled.Inputs())
		res, err := calc.MonteCarloDifference(ctx, compiled, baseCompiled, match, spec)
		if err != nil {
			return nil, calcErrorFor[uncertaintyRequest](err)
		}
		out := newUncertaintyResponse(ds.Version(), kind, root, res.UncertaintyResult, prov)
		out.Difference = &uncertaintyTotals{LocationBased: summaryOf(res.DiffLocation), MarketBased: summaryOf(res.DiffMarket)}
		out.DifferenceContributions = contributionsOf(root, res.DiffContributions)
		return encodeAnswer(out)
	})
}

// baseline decodes and prepares the request's baseline, a request of the
// same kind on the same dataset; its errors name fields under /baseline.
func (r *uncertaintyRequest) baseline(kind string, cat *factors.Catalog, ds *factors.Dataset) (footprintRequest, error) {
	b, err := decodeRequest(calcKinds[kind], r.Baseline)
	if err != nil {
		return nil, underPrefix(err, "/baseline")
	}
	fb := b.(footprintRequest)
	bds, err := fb.prepare(cat)
	if err != nil {
		return nil, underPrefix(err, "/baseline")
	}
	if bds.Version() != ds.Version() {
		return nil, invalid([]FieldProblem{{Pointer: "/baseline/dataset", Code: codeMustMatch, Params: map[string]any{"want": ds.Version(), "got": bds.Version()},
			Detail: fmt.Sprintf("must be the request's dataset %s; got %s", ds.Version(), bds.Version())}})
	}
	return fb, nil
}

// matchInputs pairs each input of the baseline b with the input of the
// request a that is the same quantity: the same pointer, except that an
// electricity source is named by its content (the prepared source as JSON)
// rather than its index, since a variant's own PV or contract comes first
// in its list and moves the base's sources down.
func matchInputs(root reflect.Type, a footprintRequest, ain []calc.UncertainInput, b footprintRequest, bin []calc.UncertainInput) func(j int) int {
	keyA, keyB := sourceKeyer(a), sourceKeyer(b)
	at := make(map[string]int, len(ain))
	for i, u := range ain {
		at[keyA(pointerOf(root, u.Path))] = i
	}
	idx := make([]int, len(bin))
	for j, u := range bin {
		k, ok := at[keyB(pointerOf(root, u.Path))]
		if !ok {
			k = -1
		}
		idx[j] = k
	}
	return func(j int) int { return idx[j] }
}

var sourcePointer = regexp.MustCompile(`^(.*/electricity/sources)/(\d+)(/.*)?$`)

// sourceKeyer returns a function that keys an input pointer of req: a
// pointer below /…/electricity/sources/N has N replaced by that source's
// JSON; any other pointer is its own key.
func sourceKeyer(req any) func(ptr string) string {
	var doc any
	if b, err := json.Marshal(req); err == nil {
		_ = json.Unmarshal(b, &doc)
	}
	return func(ptr string) string {
		m := sourcePointer.FindStringSubmatch(ptr)
		if m == nil {
			return ptr
		}
		node := doc
		for _, tok := range strings.Split(strings.TrimPrefix(m[1], "/"), "/") {
			obj, ok := node.(map[string]any)
			if !ok {
				return ptr
			}
			node = obj[tok]
		}
		list, ok := node.([]any)
		n, err := strconv.Atoi(m[2])
		if !ok || err != nil || n >= len(list) {
			return ptr
		}
		src, _ := json.Marshal(list[n])
		return m[1] + "/" + string(src) + m[3]
	}
}

// newUncertaintyResponse answers a run over a footprint request of type
// root, its inputs named by JSON pointer.
func newUncertaintyResponse(dataset, kind string, root reflect.Type, r calc.UncertaintyResult, p calc.Provenance) uncertaintyResponse {
	out := uncertaintyResponse{
		Dataset: dataset, EngineVersion: calc.EngineVersion, Kind: kind, Samples: r.Samples, Seed: int64(r.Seed),
		Total:  uncertaintyTotals{LocationBased: summaryOf(r.LocationBased), MarketBased: summaryOf(r.MarketBased)},
		Method: uncertaintyMethod, Provenance: newProvenance(root, p), Inputs: []uncertainInputResponse{}, Contributions: []contributionResponse{},
	}
	for _, u := range r.Inputs {
		ir := uncertainInputResponse{Pointer: pointerOf(root, u.Path), Label: u.Label, Distribution: u.Dist.Kind, Source: u.Source, Default: u.Default}
		switch u.Dist.Kind {
		case calc.DistNormal, calc.DistLognormal:
			ir.SD = ptrTo(u.Dist.SD)
		case calc.DistUniform:
			ir.Min, ir.Max = ptrTo(u.Dist.Min), ptrTo(u.Dist.Max)
		case calc.DistTriangular:
			ir.Min, ir.Mode, ir.Max = ptrTo(u.Dist.Min), ptrTo(u.Dist.Mode), ptrTo(u.Dist.Max)
		}
		out.Inputs = append(out.Inputs, ir)
	}
	out.Contributions = append(out.Contributions, contributionsOf(root, r.Contributions)...)
	return out
}

func summaryOf(s calc.Summary) summaryResponse {
	return summaryResponse{Mean: s.Mean, SD: s.SD, P5: s.P5, P50: s.P50, P95: s.P95, Deterministic: s.Deterministic}
}

// contributionsOf names the contributions' inputs by JSON pointer.
func contributionsOf(root reflect.Type, cs []calc.Contribution) []contributionResponse {
	out := make([]contributionResponse, 0, len(cs))
	for _, c := range cs {
		out = append(out, contributionResponse{
			Pointer: pointerOf(root, c.Path), Label: c.Label, SpearmanLocationBased: c.SpearmanLocation,
			SpearmanMarketBased: c.SpearmanMarket, VarianceShare: c.VarianceShare,
		})
	}
	return out
}
