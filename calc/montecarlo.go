package calc

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
)

// Distribution kinds of an uncertain input. Every distribution is of a
// multiplier on the input's deterministic value, so 1 is the value the
// deterministic result uses.
const (
	DistNormal     = "normal"     // mean 1, SD; draws ≤ 0 are redrawn
	DistLognormal  = "lognormal"  // median 1, SD of ln
	DistTriangular = "triangular" // Min, Mode, Max
	DistUniform    = "uniform"    // Min, Max
	DistNone       = "none"       // switches a default off
)

// DistKinds lists the distribution kinds, for validation messages.
var DistKinds = []string{DistNormal, DistLognormal, DistTriangular, DistUniform, DistNone}

// Distribution is the law of one input's multiplier.
type Distribution struct {
	Kind           string
	SD             float64
	Min, Mode, Max float64
}

// UncertainInput is one input a Monte Carlo run varies: its JSON pointer
// into the request (or a named pseudo-field such as /electricity/grid_ef),
// the law of its multiplier and where that law comes from.
type UncertainInput struct {
	Pointer string
	Label   string
	Dist    Distribution
	Source  string
	// Default is true when the engine chose the distribution.
	Default bool
}

// UncertaintySpec asks for a Monte Carlo run. Inputs override the
// defaults by pointer; Seed makes the run reproducible.
type UncertaintySpec struct {
	Samples int
	Seed    uint64
	Inputs  []UncertainInput
	// NoDefaults keeps only the inputs given.
	NoDefaults bool
}

// Summary describes a sample of totals [t CO2e/t].
type Summary struct {
	Mean, SD      float64
	P5, P50, P95  float64
	Deterministic float64
}

// Contribution is an input's share in the spread of the total.
type Contribution struct {
	Pointer string
	Label   string
	// Spearman is the rank correlation of the input with the total,
	// location- and market-based.
	SpearmanLocation, SpearmanMarket float64
	// VarianceShare ≈ ρ² / Σρ² of the location-based total (first-order,
	// for a model close to additive).
	VarianceShare float64
}

// UncertaintyResult is the outcome of a Monte Carlo run.
type UncertaintyResult struct {
	Samples       int
	Seed          uint64
	Inputs        []UncertainInput
	LocationBased Summary
	MarketBased   Summary
	// Contributions are sorted by |SpearmanLocation|, largest first.
	Contributions []Contribution
}

// uncertainModel is a footprint compiled for sampling: eval returns the
// location- and market-based totals for the input multipliers m (in the
// order of inputs). A new footprint kind (product) plugs into MonteCarlo by
// compiling into this interface.
type uncertainModel interface {
	inputs() []UncertainInput
	eval(m []float64) (loc, mkt float64)
}

// PrimaryUncertainty runs a Monte Carlo over a primary footprint (DESIGN
// §2.5). The request is computed once by Primary (its provenance is
// returned) and compiled into its terms; each sample then costs a few
// multiplications and the portfolio allocation, so 10,000 samples take
// milliseconds. With every multiplier at 1 the compiled model returns
// Primary's totals (to rounding).
func (e *Engine) PrimaryUncertainty(in PrimaryInput, spec UncertaintySpec) (UncertaintyResult, Provenance, error) {
	c, prov, err := e.CompilePrimary(in)
	if err != nil {
		return UncertaintyResult{}, prov, err
	}
	out, err := monteCarlo(c.m, spec)
	return out, prov, err
}

// CompiledFootprint is a footprint compiled into its terms: Eval returns
// the totals for input multipliers in the order of Inputs (1 = the
// deterministic value). It is not safe for concurrent use.
type CompiledFootprint struct {
	m uncertainModel
}

// Inputs lists the inputs Eval takes multipliers for, with their default
// distributions.
func (c *CompiledFootprint) Inputs() []UncertainInput { return slices.Clone(c.m.inputs()) }

// Eval returns the location- and market-based totals [t CO2e/t] for the
// multipliers m, one per input.
func (c *CompiledFootprint) Eval(m []float64) (loc, mkt float64) { return c.m.eval(m) }

// CompilePrimary computes a primary footprint once and compiles it for
// sampling.
func (e *Engine) CompilePrimary(in PrimaryInput) (*CompiledFootprint, Provenance, error) {
	l := newLedger(e.ds, &e.sun)
	res, err := primary(l, in)
	if err != nil {
		return nil, l.provenance(), err
	}
	m, err := compilePrimary(l, in, res)
	if err != nil {
		return nil, l.provenance(), err
	}
	return &CompiledFootprint{m}, l.provenance(), nil
}

// primaryModel is a primary footprint as a function of input multipliers:
//
//	total = alumina·m_al + anode_prod·m_ap + anode_CO2·m_nac + PFC·m_pfc
//	      + (AC·m_ac + cast)/1000 × EF(D, m) + casting fuel
//
// where the portfolio factor EF depends on demand D (fixed volumes and PV
// are annual MWh) and on the grid, source and PV multipliers.
type primaryModel struct {
	ins []UncertainInput
	// index of each multiplier in ins, −1 when not varied.
	iAC, iNAC, iPFC, iAlumina, iAnodeProd   int
	alumina, anodeProd, anodeCO2, cf4, c2f6 float64
	castFuel, acKWh, castKWh                float64
	productionT                             float64 // 0: per-tonne demand
	port                                    *portfolioModel
}

func (p *primaryModel) inputs() []UncertainInput { return p.ins }

func mult(m []float64, i int) float64 {
	if i < 0 {
		return 1
	}
	return m[i]
}

func (p *primaryModel) eval(m []float64) (float64, float64) {
	ac := p.acKWh * mult(m, p.iAC)
	mwhPerT := (ac + p.castKWh) / 1000
	demand := mwhPerT
	if p.productionT > 0 {
		demand = mwhPerT * p.productionT
	}
	efLoc, efMkt := p.port.eval(demand, m)
	direct := p.anodeCO2*mult(m, p.iNAC) + (p.cf4+p.c2f6)*mult(m, p.iPFC)
	al := p.alumina * mult(m, p.iAlumina)
	ap := p.anodeProd * mult(m, p.iAnodeProd)
	acMWh, castMWh := ac/1000, p.castKWh/1000
	loc := al + ap + direct + acMWh*efLoc + (castMWh*efLoc + p.castFuel)
	mkt := al + ap + direct + acMWh*efMkt + (castMWh*efMkt + p.castFuel)
	return loc, mkt
}

// compilePrimary extracts the terms of a computed primary footprint and
// chooses the default input distributions. Side lookups go to a scratch
// ledger so the result's provenance is that of Primary.
func compilePrimary(l *ledger, in PrimaryInput, res PrimaryResult) (*primaryModel, error) {
	q := l.sub()
	p := &primaryModel{iAC: -1, iNAC: -1, iPFC: -1, iAlumina: -1, iAnodeProd: -1}
	stage := func(name string) float64 {
		for _, s := range res.Stages {
			if s.Name == name {
				return s.LocationBased
			}
		}
		return 0
	}
	p.alumina, p.anodeProd = stage(StageAluminaRefining), stage(StageAnodeProduction)
	p.cf4, p.c2f6 = res.Gases.CF4, res.Gases.C2F6
	var err error
	if p.anodeCO2, err = anodeCO2Term(q, in.Anode); err != nil {
		return nil, err
	}
	p.acKWh = res.Ratings.ACkWhPerT
	if !in.Casting.Molten {
		if p.castKWh, err = q.orDefault(in.Casting.ElectricityKWhPerT, "", "default/casting_electricity"); err != nil {
			return nil, err
		}
		if g := in.Casting.NaturalGasNm3PerT; g != nil && *g > 0 {
			ng, err := fuelCO2PerUnit(q, "natural_gas")
			if err != nil {
				return nil, err
			}
			p.castFuel = *g * ng
		}
	}
	if in.ProductionT != nil {
		p.productionT = *in.ProductionT
	}

	add := func(u UncertainInput) int {
		p.ins = append(p.ins, u)
		return len(p.ins) - 1
	}
	normal := func(sd float64) Distribution { return Distribution{Kind: DistNormal, SD: sd} }
	if in.Electrolysis.ACkWhPerT != nil {
		p.iAC = add(UncertainInput{Pointer: "/electrolysis/ac_kwh_per_t", Label: "potline AC power", Dist: normal(0.01), Default: true,
			Source: "assumption: metered AC power, 1 % (1σ) for metering and the allocation of auxiliaries"})
	} else {
		p.iAC = add(UncertainInput{Pointer: "/electrolysis/ac_kwh_per_t", Label: "potline AC power", Dist: normal(0.03), Default: true,
			Source: "assumption: the IAI China average stands for an unknown smelter; GB 21346-2022 grade 1 to the limit (12,950–13,350 kWh/t) spans about ±1.5 %, and older smelters run higher: 3 % (1σ)"})
	}
	nacSD, nacSrc := 0.02, "assumption: the smelter's own NAC from anode records, 2 % (1σ)"
	if in.Anode.NetCarbonTPerT == nil {
		nacSD, nacSrc = 0.05, "assumption: the Chinese guideline default NAC (0.411 t C/t Al) for an unknown smelter, 5 % (1σ); IPCC 2006 gives no default uncertainty (facility records)"
	}
	p.iNAC = add(UncertainInput{Pointer: "/anode/net_carbon_t_per_t", Label: "net anode carbon consumption", Dist: normal(nacSD), Source: nacSrc, Default: true})
	if p.cf4+p.c2f6 > 0 {
		u, err := q.factor("pfc/cbam2025/measurement_uncertainty")
		if err != nil {
			return nil, err
		}
		p.iPFC = add(UncertainInput{Pointer: "/electrolysis/pfc", Label: "PFC emissions (CF4 and C2F6)", Default: true,
			Dist:   Distribution{Kind: DistUniform, Min: 1 - u, Max: 1 + u},
			Source: fmt.Sprintf("dataset pfc/cbam2025/measurement_uncertainty: installation-specific PFC factors ±%.0f %% (EU IR 2025/2547 Annex II B.7), taken as uniform", u*100)})
	}
	if p.alumina > 0 {
		sd, src := 0.05, "assumption: the alumina footprint given, 5 % (1σ)"
		if in.Alumina.FootprintTCO2ePerT == nil {
			sd, src = 0.15, "assumption: the alumina footprint computed from refinery energy (or the IAI average treated as coal), 15 % (1σ)"
		}
		p.iAlumina = add(UncertainInput{Pointer: "/alumina/footprint_tco2e_per_t", Label: "alumina footprint", Dist: normal(sd), Source: src, Default: true})
	}
	if p.anodeProd > 0 {
		p.iAnodeProd = add(UncertainInput{Pointer: "/anode/production_tco2e_per_t", Label: "anode production footprint", Dist: Distribution{Kind: DistNone}})
	}
	el := in.Electricity
	el.Region, el.Year, el.Basis, el.Pointer = in.Region, in.Year, in.Basis, "/electricity"
	port, err := compilePortfolio(q, el, add)
	if err != nil {
		return nil, err
	}
	p.port = port
	return p, nil
}

// portfolioModel is a supply portfolio's allocation (portfolio, steps 1–3)
// with the factors of one computed run, re-evaluated for a demand and
// input multipliers.
type portfolioModel struct {
	srcs    []mcSource
	iGrid   int
	certMWh float64
	// loadShape is the fraction of demand in each hour; nil for flat.
	loadShape []float64
	anyPV     bool
	nPV       int // PV sources modelled hour by hour
	// used is scratch for the hour-by-hour path (one run samples serially),
	// over the hours in which some PV source produces; loadSun is the load
	// shape in those hours (nil for flat).
	used    []float64
	loadSun []float64
	// sunKey orders the sun hours (and pvSun, loadSun and used with them)
	// by Σ_i pv_i,h / s_h, the PV output over the hour's load fraction
	// s_h (1/8760 for a flat load); each PV source's sunPrefix holds the
	// prefix sums of its pvSun in that order, and loadTail[j] is Σ s_h over
	// the sorted hours from j on. See pvUsed.
	sunKey, loadTail []float64
}

type mcSource struct {
	kind             SourceKind
	share            float64
	isShare, isFixed bool
	fixedMWh         float64
	// EF = base + grid multiplier × grid part (grid and the location-based
	// factor of green contracts); market before certificates.
	locBase, locGrid, mktBase, mktGrid float64
	iEF, iVol                          int
	pvMWh                              []float64 // hourly, for PV
	pvSun                              []float64 // pvMWh in the portfolio's sun hours
	sunPrefix                          []float64 // prefix sums of pvSun (len+1)
}

// compilePortfolio compiles the supply portfolio el (Region, Year, Basis
// and Pointer set as the computed run had them; its PV yields are in q.pv)
// and registers its uncertain inputs with add.
func compilePortfolio(q *ledger, el ElectricityInput, add func(UncertainInput) int) (*portfolioModel, error) {
	m := &portfolioModel{iGrid: -1}
	if el.CertificatesMWh != nil {
		m.certMWh = *el.CertificatesMWh
	}
	hasShares := false
	for _, s := range el.Sources {
		hasShares = hasShares || (s.Share != nil && s.PV == nil)
	}
	sources := el.Sources
	if !hasShares {
		// The grid of the plant's region takes any remainder, also in
		// samples whose demand exceeds what the computed run's fixed
		// volumes met.
		sources = append(append([]Source(nil), sources...), Source{Kind: KindGrid})
	}
	gridUsed := false
	for i, s := range sources {
		ptr := fmt.Sprintf("%s/sources/%d", el.Pointer, i)
		ms := mcSource{kind: s.Kind, iEF: -1, iVol: -1}
		switch {
		case s.PV != nil:
			r, ok := q.pv[ptr+"/pv"]
			if !ok {
				return nil, fmt.Errorf("monte carlo: no PV yield recorded for %s", ptr)
			}
			ms.pvMWh = make([]float64, len(r.HourlyACKWh))
			for h, kwh := range r.HourlyACKWh {
				ms.pvMWh[h] = kwh / 1000
			}
			m.anyPV = true
			ms.iVol = add(UncertainInput{Pointer: ptr + "/pv", Label: fmt.Sprintf("on-site PV %d yield (inter-annual)", i), Dist: Distribution{Kind: DistNormal, SD: 0.04}, Default: true,
				Source: "solar-resource.md: the year-to-year spread of annual GHI is 3–5 % (1σ) at most Shanxi stations (CDSRD 1988–2017); 4 % taken"})
		case s.MWh != nil:
			ms.isFixed, ms.fixedMWh = true, *s.MWh
			if s.Kind == KindOnsitePV {
				ms.iVol = add(UncertainInput{Pointer: ptr + "/mwh", Label: fmt.Sprintf("on-site PV %d volume (inter-annual)", i), Dist: Distribution{Kind: DistNormal, SD: 0.04}, Default: true,
					Source: "solar-resource.md: the year-to-year spread of annual GHI is 3–5 % (1σ) at most Shanxi stations (CDSRD 1988–2017); 4 % taken"})
			}
		case s.Share != nil:
			ms.isShare, ms.share = true, *s.Share
		}
		sr := SourceResult{Kind: s.Kind}
		if err := sourceFactors(q, el, s, &sr, ptr); err != nil {
			return nil, err
		}
		switch s.Kind {
		case KindGrid:
			gridUsed = true
			ms.locGrid = sr.EFLocation
			mkt, err := residualEF(q, el, sr.EFLocation, ptr)
			if err != nil {
				return nil, err
			}
			if el.ResidualEF == nil && el.ResidualMix != ResidualNationalExcludingMarketNonfossil {
				ms.mktGrid = mkt
			} else {
				ms.mktBase = mkt
			}
		case KindGreenContract:
			gridUsed = true
			ms.locGrid, ms.mktBase = sr.EFLocation, sr.EFMarket
		default:
			ms.locBase, ms.mktBase = sr.EFLocation, sr.EFMarket
		}
		if s.Kind == KindCaptive {
			sd, src := 0.03, "assumption: the captive plant's own factor (or its coal consumption), 3 % (1σ)"
			if s.EFtCO2PerMWh == nil && s.CoalGCEPerKWh == nil {
				sd, src = 0.10, "assumption: the dataset's technology default for an unknown captive plant, 10 % (1σ)"
			}
			ms.iEF = add(UncertainInput{Pointer: ptr + "/ef_tco2_per_mwh", Label: fmt.Sprintf("captive plant %d emission factor", i), Dist: Distribution{Kind: DistNormal, SD: sd}, Source: src, Default: true})
		}
		m.srcs = append(m.srcs, ms)
	}
	if gridUsed || !hasShares {
		sd, src := 0.05, "assumption: a provincial average CO2 factor describes a changing mix (Shanxi 2021→2023: 0.7222→0.6634 t/MWh, −8 % in two years): 5 % (1σ)"
		if el.Basis == BasisLifecycle && el.Region != "CN" {
			sd, src = 0.10, "assumption: on the lifecycle basis the provincial factor is an estimate (national life-cycle factor × provincial/national CO2 ratio): 10 % (1σ)"
		}
		m.iGrid = add(UncertainInput{Pointer: el.Pointer + "/grid_ef", Label: "grid emission factor", Dist: Distribution{Kind: DistNormal, SD: sd}, Source: src, Default: true})
	}
	if el.Load != nil {
		shape, err := loadProfileMWh(*el.Load, el.Pointer+"/load")
		if err != nil {
			return nil, err
		}
		var total float64
		for _, v := range shape {
			total += v
		}
		m.loadShape = make([]float64, len(shape))
		for i, v := range shape {
			m.loadShape[i] = v / total
		}
	}
	nPV := 0
	for i := range m.srcs {
		if m.srcs[i].pvMWh != nil {
			nPV++
		}
	}
	// Hours without PV output add nothing to the PV used: the hour-by-hour
	// path runs over the sun hours only, in compact arrays.
	var sunHours []int
	for h := 0; h < HoursPerYear && nPV > 0; h++ {
		for i := range m.srcs {
			if pv := m.srcs[i].pvMWh; pv != nil && pv[h] > 0 {
				sunHours = append(sunHours, h)
				break
			}
		}
	}
	for i := range m.srcs {
		if s := &m.srcs[i]; s.pvMWh != nil {
			s.pvSun = make([]float64, len(sunHours))
			for j, h := range sunHours {
				s.pvSun[j] = s.pvMWh[h]
			}
		}
	}
	if m.loadShape != nil {
		m.loadSun = make([]float64, len(sunHours))
		for j, h := range sunHours {
			m.loadSun[j] = m.loadShape[h]
		}
	}
	m.used = make([]float64, len(sunHours))
	m.nPV = nPV
	m.sortSunHours()
	return m, nil
}

// sortSunHours orders the sun hours by sunKey and fills the prefix sums
// that let pvUsed skip the hours in which no PV output is curtailed.
func (p *portfolioModel) sortSunHours() {
	n := len(p.used)
	key := make([]float64, n)
	for h := range n {
		s := 1.0 / HoursPerYear
		if p.loadSun != nil {
			s = p.loadSun[h]
		}
		var pv float64
		for i := range p.srcs {
			if p.srcs[i].pvSun != nil {
				pv += p.srcs[i].pvSun[h]
			}
		}
		key[h] = pv / s // +Inf for an hour without load
	}
	order := make([]int, n)
	for h := range order {
		order[h] = h
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(key[a], key[b]) })
	permute := func(xs []float64) []float64 {
		out := make([]float64, len(xs))
		for j, h := range order {
			out[j] = xs[h]
		}
		return out
	}
	p.sunKey = permute(key)
	if p.loadSun != nil {
		p.loadSun = permute(p.loadSun)
	}
	p.loadTail = make([]float64, n+1)
	for j := n - 1; j >= 0; j-- {
		s := 1.0 / HoursPerYear
		if p.loadSun != nil {
			s = p.loadSun[j]
		}
		p.loadTail[j] = p.loadTail[j+1] + s
	}
	for i := range p.srcs {
		s := &p.srcs[i]
		if s.pvSun == nil {
			continue
		}
		s.pvSun = permute(s.pvSun)
		s.sunPrefix = make([]float64, n+1)
		for j, v := range s.pvSun {
			s.sunPrefix[j+1] = s.sunPrefix[j] + v
		}
	}
}

// eval mirrors portfolio's allocation for demand [MWh] and returns the
// location- and market-based factors [t/MWh].
func (p *portfolioModel) eval(demand float64, m []float64) (efLoc, efMkt float64) {
	var buf [16]float64
	mwh := buf[:0]
	if len(p.srcs) > len(buf) {
		mwh = make([]float64, 0, len(p.srcs))
	}
	mwh = mwh[:len(p.srcs)]
	remaining := demand
	if p.anyPV {
		remaining -= p.pvUsed(demand, m, mwh)
	}
	hasShares := false
	for i := range p.srcs {
		s := &p.srcs[i]
		switch {
		case s.isFixed:
			v := s.fixedMWh * mult(m, s.iVol)
			used := math.Min(v, remaining)
			mwh[i] = used
			remaining -= used
		case s.isShare:
			hasShares = true
		}
	}
	last := len(p.srcs) - 1
	if hasShares {
		for i := range p.srcs {
			if p.srcs[i].isShare {
				mwh[i] = p.srcs[i].share * remaining
			}
		}
	} else if remaining > 1e-9*demand {
		mwh[last] = remaining // the implicit grid
	}
	g := mult(m, p.iGrid)
	var gridMWh float64
	for i := range p.srcs {
		if p.srcs[i].kind == KindGrid {
			gridMWh += mwh[i]
		}
	}
	applied := 0.0
	if p.certMWh > 0 && gridMWh > 0 {
		applied = math.Min(p.certMWh, gridMWh)
	}
	var locT, mktT float64
	for i := range p.srcs {
		s := &p.srcs[i]
		e := mult(m, s.iEF)
		loc := (s.locBase + g*s.locGrid) * e
		mkt := (s.mktBase + g*s.mktGrid) * e
		if applied > 0 && s.kind == KindGrid && mwh[i] > 0 {
			covered := applied * mwh[i] / gridMWh
			mkt *= 1 - covered/mwh[i]
		}
		locT += mwh[i] * loc
		mktT += mwh[i] * mkt
	}
	return locT / demand, mktT / demand
}

// pvUsed fills mwh for the PV sources (their output used on site hour by
// hour, in list order) and returns the total.
func (p *portfolioModel) pvUsed(demand float64, m []float64, mwh []float64) float64 {
	// Hours in which the PV sources' scaled output fits the load lose
	// nothing: with k_max the largest yield multiplier and the load
	// L_h = demand × s_h, an hour with Σ_i pv_i,h / s_h < demand / k_max
	// has Σ_i k_i pv_i,h ≤ k_max Σ_i pv_i,h < L_h, so every source uses
	// k_i pv_i,h. Those hours come first in sunKey order and are summed
	// from the prefix sums; the rest are allocated hour by hour in list
	// order, as portfolio does.
	kMax, anyNegative := 0.0, false
	for i := range p.srcs {
		if s := &p.srcs[i]; s.pvMWh != nil {
			k := mult(m, s.iVol)
			kMax = max(kMax, k)
			anyNegative = anyNegative || k < 0
		}
	}
	fits := 0
	switch {
	case anyNegative:
		// Negative yields (a far tail of a normal) break the bound.
	case kMax == 0:
		fits = len(p.sunKey)
	default:
		fits = sort.SearchFloat64s(p.sunKey, demand/kMax)
	}
	if p.nPV == 1 && !anyNegative {
		// One source: in each hour past fits, k pv_h ≥ L_h, so it uses the
		// whole load: Σ_h min(k pv_h, L_h) = k Σ_{h<fits} pv_h + demand Σ_{h≥fits} s_h.
		for i := range p.srcs {
			if s := &p.srcs[i]; s.pvMWh != nil {
				mwh[i] = mult(m, s.iVol)*s.sunPrefix[fits] + demand*p.loadTail[fits]
				return mwh[i]
			}
		}
	}
	var total float64
	used := p.used[fits:]
	clear(used)
	for i := range p.srcs {
		s := &p.srcs[i]
		if s.pvMWh == nil {
			continue
		}
		k := mult(m, s.iVol)
		u := k * s.sunPrefix[fits]
		flat := demand / HoursPerYear
		pv := s.pvSun[fits:]
		var loadSun []float64
		if p.loadSun != nil {
			loadSun = p.loadSun[fits:]
		}
		for h := range used {
			load := flat
			if loadSun != nil {
				load = loadSun[h] * demand
			}
			// min(pv, free load) without math.Min's NaN and ±0 cases,
			// which cannot occur here.
			x := k * pv[h]
			if free := load - used[h]; free < x {
				x = free
			}
			used[h] += x
			u += x
		}
		mwh[i] = u
		total += u
	}
	return total
}

// monteCarlo applies the spec's overrides to the model's defaults, samples
// and summarises.
func monteCarlo(mdl uncertainModel, spec UncertaintySpec) (UncertaintyResult, error) {
	ins := slices.Clone(mdl.inputs())
	if spec.NoDefaults {
		for i := range ins {
			ins[i].Dist = Distribution{Kind: DistNone}
			ins[i].Source, ins[i].Default = "", false
		}
	}
	for j, o := range spec.Inputs {
		k := slices.IndexFunc(ins, func(u UncertainInput) bool { return u.Pointer == o.Pointer })
		if k < 0 {
			allowed := make([]string, len(ins))
			for i, u := range ins {
				allowed[i] = u.Pointer
			}
			return UncertaintyResult{}, fieldError(fmt.Sprintf("/distributions/%d/pointer", j), "this request has no uncertain input %q; allowed: %s", o.Pointer, strings.Join(allowed, ", "))
		}
		ins[k].Dist, ins[k].Default = o.Dist, false
		ins[k].Source = orDefaultString(o.Source, "given in the request")
	}
	n := spec.Samples
	rng := rand.New(rand.NewPCG(spec.Seed, 0x9e3779b97f4a7c15))
	cols := make([][]float64, len(ins))
	for j := range cols {
		cols[j] = make([]float64, n)
	}
	loc, mkt := make([]float64, n), make([]float64, n)
	m := make([]float64, len(ins))
	for s := 0; s < n; s++ {
		for j := range ins {
			m[j] = draw(rng, ins[j].Dist)
			cols[j][s] = m[j]
		}
		loc[s], mkt[s] = mdl.eval(m)
	}
	ones := make([]float64, len(ins))
	for j := range ones {
		ones[j] = 1
	}
	detLoc, detMkt := mdl.eval(ones)
	out := UncertaintyResult{Samples: n, Seed: spec.Seed, Inputs: ins}
	out.LocationBased = summarize(loc, detLoc)
	out.MarketBased = summarize(mkt, detMkt)
	rLoc, rMkt := ranks(loc), ranks(mkt)
	var sum2 float64
	for j, u := range ins {
		if u.Dist.Kind == DistNone {
			continue
		}
		rj := ranks(cols[j])
		c := Contribution{Pointer: u.Pointer, Label: u.Label, SpearmanLocation: pearson(rj, rLoc), SpearmanMarket: pearson(rj, rMkt)}
		sum2 += c.SpearmanLocation * c.SpearmanLocation
		out.Contributions = append(out.Contributions, c)
	}
	for i := range out.Contributions {
		if sum2 > 0 {
			c := &out.Contributions[i]
			c.VarianceShare = c.SpearmanLocation * c.SpearmanLocation / sum2
		}
	}
	sort.SliceStable(out.Contributions, func(a, b int) bool {
		return math.Abs(out.Contributions[a].SpearmanLocation) > math.Abs(out.Contributions[b].SpearmanLocation)
	})
	return out, nil
}

// draw returns one multiplier from d.
func draw(r *rand.Rand, d Distribution) float64 {
	switch d.Kind {
	case DistNormal:
		for range 100 {
			if x := 1 + d.SD*r.NormFloat64(); x > 0 {
				return x
			}
		}
		return 1
	case DistLognormal:
		return math.Exp(d.SD * r.NormFloat64())
	case DistUniform:
		return d.Min + (d.Max-d.Min)*r.Float64()
	case DistTriangular:
		return triangular(r.Float64(), d.Min, d.Mode, d.Max)
	}
	return 1
}

// triangular is the inverse CDF of the triangular distribution (a, c, b)
// at u ∈ [0, 1).
func triangular(u, a, c, b float64) float64 {
	if b <= a {
		return a
	}
	f := (c - a) / (b - a)
	if u < f {
		return a + math.Sqrt(u*(b-a)*(c-a))
	}
	return b - math.Sqrt((1-u)*(b-a)*(b-c))
}

// summarize returns the mean, sample SD and percentiles (linear
// interpolation between order statistics, Hyndman & Fan type 7).
func summarize(x []float64, det float64) Summary {
	n := float64(len(x))
	var mean float64
	for _, v := range x {
		mean += v
	}
	mean /= n
	var ss float64
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	s := slices.Clone(x)
	slices.Sort(s)
	q := func(p float64) float64 {
		h := (n - 1) * p
		lo := math.Floor(h)
		i := int(lo)
		if i+1 >= len(s) {
			return s[len(s)-1]
		}
		return s[i] + (h-lo)*(s[i+1]-s[i])
	}
	sd := 0.0
	if n > 1 {
		sd = math.Sqrt(ss / (n - 1))
	}
	return Summary{Mean: mean, SD: sd, P5: q(0.05), P50: q(0.5), P95: q(0.95), Deterministic: det}
}

// ranks returns the rank (1..n) of each value, ties averaged.
func ranks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case x[a] < x[b]:
			return -1
		case x[a] > x[b]:
			return 1
		}
		return 0
	})
	r := make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && x[idx[j+1]] == x[idx[i]] {
			j++
		}
		avg := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[idx[k]] = avg
		}
		i = j + 1
	}
	return r
}

// pearson returns the correlation coefficient of a and b (0 when either is
// constant).
func pearson(a, b []float64) float64 {
	n := float64(len(a))
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma /= n
	mb /= n
	var sab, saa, sbb float64
	for i := range a {
		da, db := a[i]-ma, b[i]-mb
		sab += da * db
		saa += da * da
		sbb += db * db
	}
	if saa == 0 || sbb == 0 {
		return 0
	}
	return sab / math.Sqrt(saa*sbb)
}
