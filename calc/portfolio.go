package calc

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
)

// portfolioModel is a supply portfolio compiled once: every source's
// factors looked up, every PV system's hourly yield computed, the load
// shaped. eval then allocates any demand with any input multipliers; the
// deterministic result (portfolio) and each Monte Carlo sample are eval of
// the same model, the first with every multiplier at 1.
//
// A model holds scratch for eval, so one model serves one goroutine.
type portfolioModel struct {
	in        ElectricityInput
	srcs      []portfolioSource
	hasShares bool // some source is given as a share of the remainder
	iGrid     int  // multiplier of the grid factors, −1 when not varied
	certMWh   float64
	// loadShape is the fraction of demand in each hour; nil for flat.
	loadShape []float64
	anyPV     bool
	nPV       int // PV sources modelled hour by hour
	// implicitErr is the factor lookup error of the implicit grid source:
	// it matters only if a run uses that source.
	implicitErr error

	// The sun hours (hours in which some PV source produces), sorted by
	// sunKey = Σ_i pv_i,h / s_h, the PV output over the hour's load
	// fraction s_h (1/8760 for a flat load). sunHour is each one's hour of
	// the year, loadSun its load fraction (nil for flat), loadTail[j] is
	// Σ s_h over the sorted hours from j on; each PV source's sunPrefix
	// holds the prefix sums of its output in that order. See pvUsed.
	sunHour                   []int
	sunKey, loadSun, loadTail []float64
	// used and fits are eval's scratch: the PV used in each sorted sun hour
	// from fits on (the hours before fits use every source's whole output).
	used   []float64
	fits   int
	closed bool // one PV source and no negative multiplier: pvUsed's closed form
	// mwh is scratch for a parent model's eval (one entry per source).
	mwh []float64
}

// portfolioSource is one source of a compiled portfolio.
type portfolioSource struct {
	*Source  // the input's (read only)
	ptr      string
	implicit bool // the plant region's grid, covering the remainder
	isShare  bool
	isFixed  bool
	share    float64
	fixedMWh float64
	// EF = (base + grid multiplier × grid part) × EF multiplier, where the
	// grid part is the grid average (grid, and the location-based factor
	// of green contracts) and the market-based factor is before
	// certificates.
	locBase, locGrid, mktBase, mktGrid float64
	iEF, iVol                          int
	// attrs carries the source's factors and renewable attributes for the
	// result; renewableFrac is the grid's renewable fraction (grid and
	// green contracts).
	attrs         SourceResult
	renewableFrac float64
	// pv is the hourly yield of a PV system modelled hour by hour, pvSun
	// its output [MWh] in the sorted sun hours and sunPrefix their prefix
	// sums (len+1).
	pv         *PVResult
	wantHourly bool
	pvSun      []float64
	sunPrefix  []float64
}

// portfolioTotals is what one allocation gives besides each source's MWh.
type portfolioTotals struct {
	efLoc, efMkt float64 // t CO2(e)/MWh of demand
	// remaining is the demand left after PV and fixed volumes.
	remaining float64
	gridMWh   float64
	// certApplied are the certificates counted (at most the grid MWh).
	certApplied float64
}

// shiftInputs moves the model's multiplier indices by offset, when its
// inputs are appended after offset others.
func (p *portfolioModel) shiftInputs(offset int) {
	shift := func(i *int) {
		if *i >= 0 {
			*i += offset
		}
	}
	shift(&p.iGrid)
	for i := range p.srcs {
		shift(&p.srcs[i].iEF)
		shift(&p.srcs[i].iVol)
	}
}

// compilePortfolio compiles the supply portfolio in (DemandMWh set),
// registers its uncertain inputs in ins (nil: none) and reports its result at the
// input's demand with every multiplier at 1, recording in l what a reader
// of that result sees, in this order: the load and the PV yields, the
// allocation, each source's factors, certificates, the residual mix and
// the hourly match. Errors come in the same order.
func compilePortfolio(l *ledger, in ElectricityInput, ins *inputList) (*portfolioModel, ElectricityResult, error) {
	res := ElectricityResult{Basis: in.Basis, DemandMWh: in.DemandMWh}
	if in.Basis != BasisOperational && in.Basis != BasisLifecycle {
		return nil, res, fieldError("Basis", "unknown basis %q; allowed: %s, %s", in.Basis, BasisLifecycle, BasisOperational)
	}
	if in.DemandMWh <= 0 {
		return nil, res, codedError(in.Path, "out_of_range", map[string]any{"min": 0, "exclusive_min": true, "unit": "MWh/yr", "got": in.DemandMWh}, "electricity demand must be positive")
	}
	applyResidualRule(l, &in)
	p := &portfolioModel{in: in, iGrid: -1}
	if in.CertificatesMWh != nil {
		p.certMWh = *in.CertificatesMWh
	}
	if err := p.compileLoadAndPV(l); err != nil {
		return nil, res, err
	}
	p.compileSunHours()
	if err := p.compileVolumes(); err != nil {
		return nil, res, err
	}
	// Allocate with every multiplier at 1 (none is registered yet) to
	// know which sources supply; the model is priced once their factors
	// are known.
	p.mwh = make([]float64, len(p.srcs))
	remaining := p.allocate(in.DemandMWh, nil, p.mwh)
	p.reportAllocation(l, remaining)
	if err := p.compileFactors(l, ins); err != nil {
		return nil, res, err
	}
	if p.certMWh > 0 && !in.AnnualVolumes {
		return nil, res, fieldError(joinPath(in.Path, "CertificatesMWh"), "certificates are annual MWh and need {ProductionT} (or {DemandMWh}) to relate them to demand")
	}
	m := ones(ins.len())
	t := p.eval(in.DemandMWh, m, p.mwh)
	res, err := p.report(l, in.DemandMWh, m, p.mwh, t)
	return p, res, err
}

// portfolio computes a supply portfolio's location- and market-based
// factors and renewable shares.
func portfolio(l *ledger, in ElectricityInput) (ElectricityResult, error) {
	_, res, err := compilePortfolio(l, in, nil)
	return res, err
}

// compileLoadAndPV shapes the load and computes the hourly yield of every
// on-site PV system (it is behind the meter: it meets the hourly load
// before anything else).
func (p *portfolioModel) compileLoadAndPV(q *ledger) error {
	in := p.in
	for _, s := range in.Sources {
		p.anyPV = p.anyPV || s.PV != nil
	}
	if !p.anyPV && in.Load == nil {
		return nil
	}
	if in.Load == nil {
		q.assume("the plant's load is flat over the 8,760 hours of the year (potlines run continuously)")
	} else {
		shape, err := loadProfileMWh(*in.Load, joinPath(in.Path, "Load"))
		if err != nil {
			return err
		}
		var total float64
		for _, v := range shape {
			total += v
		}
		if total <= 0 {
			return codedError(joinPath(in.Path, "Load"), "sums_to_zero", nil, "the load profile sums to zero")
		}
		p.loadShape = make([]float64, len(shape))
		for i, v := range shape {
			p.loadShape[i] = v / total
		}
		q.assume("the load profile given shapes the demand over the year; it is scaled to the annual demand (%.6g MWh)", in.DemandMWh)
	}
	p.srcs = make([]portfolioSource, len(in.Sources), len(in.Sources)+1)
	for i, s := range in.Sources {
		if s.PV == nil {
			continue
		}
		ptr := joinPath(indexPath(joinPath(in.Path, "Sources"), i), "PV")
		if !in.AnnualVolumes {
			return fieldError(ptr, "an on-site PV system produces annual MWh and needs {ProductionT} (or {DemandMWh}) to relate them to demand")
		}
		pin := *s.PV
		wantHourly := pin.IncludeHourly
		pin.IncludeHourly, pin.Load = true, nil
		r, err := q.memoPV(pin, ptr)
		if err != nil {
			return err
		}
		src := &p.srcs[i]
		src.pv, src.wantHourly = &r, wantHourly
		p.nPV++
	}
	return nil
}

// compileVolumes sorts the sources into PV, fixed volumes and shares
// (steps 1–2 of eval) and checks that the shares sum to 1. Without
// shares, the grid of the plant's region takes any remainder.
func (p *portfolioModel) compileVolumes() error {
	in := p.in
	if p.srcs == nil {
		p.srcs = make([]portfolioSource, len(in.Sources), len(in.Sources)+1)
	}
	var shareSum float64
	sources := joinPath(in.Path, "Sources")
	for i := range in.Sources {
		s, src := &in.Sources[i], &p.srcs[i]
		src.Source, src.ptr, src.iEF, src.iVol = s, indexPath(sources, i), -1, -1
		switch {
		case s.PV != nil:
		case s.MWh != nil:
			if !in.AnnualVolumes {
				return fieldError(joinPath(src.ptr, "MWh"), "an annual volume needs {ProductionT} (or {DemandMWh}) so that it can be related to demand; give {ProductionT} or use %s", fieldRef(joinPath(src.ptr, "Share")))
			}
			src.isFixed, src.fixedMWh = true, *s.MWh
		case s.Share != nil:
			src.isShare, src.share = true, *s.Share
			p.hasShares = true
			shareSum += *s.Share
		}
	}
	if p.hasShares && math.Abs(shareSum-1) > 1e-6 {
		e := fieldError(sources, "shares of the share-based sources must sum to 1 (they split the demand left after fixed volumes); they sum to %s", strconv.FormatFloat(shareSum, 'g', 6, 64))
		e.Fields[0].Code, e.Fields[0].Params = "shares_sum", map[string]any{"sum": shareSum}
		return e
	}
	if !p.hasShares {
		p.srcs = append(p.srcs, portfolioSource{Source: &Source{Kind: KindGrid}, ptr: in.Path, implicit: true, iEF: -1, iVol: -1})
	}
	return nil
}

// compileFactors looks up every source's factors (on ledgers of their own,
// listed when the result is reported) and registers the uncertain inputs:
// PV volumes, captive plants' factors and the grid factor.
func (p *portfolioModel) compileFactors(l *ledger, ins *inputList) error {
	in, add := p.in, ins.add
	gridUsed := false
	for i := range p.srcs {
		src := &p.srcs[i]
		if src.pv != nil {
			src.iVol = add(UncertainInput{Path: joinPath(src.ptr, "PV"), Label: fmt.Sprintf("on-site PV %d yield (inter-annual)", i), Dist: Distribution{Kind: DistNormal, SD: 0.04}, Default: true,
				Source: pvInterannualSource})
		} else if src.isFixed && src.Kind == KindOnsitePV {
			src.iVol = add(UncertainInput{Path: joinPath(src.ptr, "MWh"), Label: fmt.Sprintf("on-site PV %d volume (inter-annual)", i), Dist: Distribution{Kind: DistNormal, SD: 0.04}, Default: true,
				Source: pvInterannualSource})
		}
		src.attrs = SourceResult{Kind: src.Kind, Name: src.Name, Technology: src.Technology, Region: src.Region, Implicit: src.implicit}
		q := l
		if src.implicit {
			src.attrs.Region = in.Region
			if !p.implicitUsed() {
				// Kept for samples whose demand exceeds the fixed
				// volumes; not part of this result.
				q = l.sub()
			}
		}
		frac, err := sourceFactors(q, in, *src.Source, &src.attrs, src.ptr)
		if err != nil {
			if !src.implicit || p.implicitUsed() {
				return err
			}
			p.implicitErr = err
		}
		src.renewableFrac = frac
		switch src.Kind {
		case KindGrid:
			gridUsed = gridUsed || !src.implicit
			src.locGrid = src.attrs.EFLocation
			if !residualReplacesGrid(in) {
				src.mktGrid = src.attrs.EFMarket
			} else {
				src.mktBase = src.attrs.EFMarket
			}
		case KindGreenContract:
			gridUsed = true
			src.locGrid, src.mktBase = src.attrs.EFLocation, src.attrs.EFMarket
		default:
			src.locBase, src.mktBase = src.attrs.EFLocation, src.attrs.EFMarket
		}
		if src.Kind == KindCaptive {
			sd, source := 0.03, "assumption: the captive plant's own factor (or its coal consumption), 3 % (1σ)"
			if src.EFtCO2PerMWh == nil && src.CoalGCEPerKWh == nil {
				sd, source = 0.10, "assumption: the dataset's technology default for an unknown captive plant, 10 % (1σ)"
			}
			src.iEF = add(UncertainInput{Path: joinPath(src.ptr, "EFtCO2PerMWh"), Label: fmt.Sprintf("captive plant %d emission factor", i), Dist: Distribution{Kind: DistNormal, SD: sd}, Source: source, Default: true})
		}
	}
	if gridUsed || !p.hasShares {
		sd, source := 0.05, "assumption: a provincial average CO2 factor describes a changing mix (Shanxi 2021→2023: 0.7222→0.6634 t/MWh, −8 % in two years): 5 % (1σ)"
		if in.Basis == BasisLifecycle && in.Region != "CN" {
			sd, source = 0.10, "assumption: on the lifecycle basis the provincial factor is an estimate (national life-cycle factor × provincial/national CO2 ratio): 10 % (1σ)"
		}
		p.iGrid = add(UncertainInput{Path: joinPath(in.Path, "GridEF"), Label: "grid emission factor", Dist: Distribution{Kind: DistNormal, SD: sd}, Source: source, Default: true})
	}
	return nil
}

// pvInterannualSource is the source of the PV yield's default spread.
const pvInterannualSource = "CDSRD, China Daily Solar Radiation Dataset (github.com/buildingdata/cdsrd-dataset), daily GHI 1988–2017: the year-to-year spread of annual GHI is 3–5 % (1σ) at most Shanxi stations (7.6 % at Jiexiu); 4 % taken"

// compileSunHours collects the hours in which some PV source produces (the
// hour-by-hour allocation runs over those only), sorts them by sunKey and
// fills the prefix sums that let pvUsed skip the hours in which no PV
// output is curtailed.
func (p *portfolioModel) compileSunHours() {
	if p.nPV == 0 {
		return
	}
	var sun []int
	for h := range HoursPerYear {
		for i := range p.srcs {
			if pv := p.srcs[i].pv; pv != nil && pv.HourlyACKWh[h] > 0 {
				sun = append(sun, h)
				break
			}
		}
	}
	loadFrac := func(h int) float64 {
		if p.loadShape == nil {
			return 1.0 / HoursPerYear
		}
		return p.loadShape[h]
	}
	key := make([]float64, HoursPerYear)
	for _, h := range sun {
		var pv float64
		for i := range p.srcs {
			if s := &p.srcs[i]; s.pv != nil {
				pv += s.pv.HourlyACKWh[h] / 1000
			}
		}
		key[h] = pv / loadFrac(h) // +Inf for an hour without load
	}
	slices.SortStableFunc(sun, func(a, b int) int { return cmp.Compare(key[a], key[b]) })
	n := len(sun)
	p.sunHour = sun
	p.sunKey = make([]float64, n)
	p.loadTail = make([]float64, n+1)
	if p.loadShape != nil {
		p.loadSun = make([]float64, n)
	}
	for j, h := range sun {
		p.sunKey[j] = key[h]
		if p.loadSun != nil {
			p.loadSun[j] = p.loadShape[h]
		}
	}
	for j := n - 1; j >= 0; j-- {
		p.loadTail[j] = p.loadTail[j+1] + loadFrac(sun[j])
	}
	for i := range p.srcs {
		s := &p.srcs[i]
		if s.pv == nil {
			continue
		}
		s.pvSun = make([]float64, n)
		s.sunPrefix = make([]float64, n+1)
		for j, h := range sun {
			s.pvSun[j] = s.pv.HourlyACKWh[h] / 1000
			s.sunPrefix[j+1] = s.sunPrefix[j] + s.pvSun[j]
		}
	}
	p.used = make([]float64, n)
}

// eval allocates demand [MWh] to the sources with the input multipliers m
// (the allocation of the GHG Protocol Scope 2 Guidance's dual reporting:
// volumes first, shares of the rest), filling mwh (one entry per source,
// len(p.srcs)):
//
//  1. on-site PV modelled hour by hour meets the hourly load first, then
//     the fixed volumes in list order; what exceeds demand is exported;
//  2. the remainder is split among share-based sources by their shares;
//     with none, the plant region's grid supplies it;
//  3. EF_loc = Σ MWh_i × EF_loc,i / D; EF_mkt = Σ MWh_i × EF_mkt,i / D, where
//     certificates zero the market factor of the grid MWh they cover.
func (p *portfolioModel) eval(demand float64, m []float64, mwh []float64) portfolioTotals {
	return p.price(demand, m, mwh, p.allocate(demand, m, mwh))
}

// allocate fills mwh (steps 1 and 2 of eval) and returns the demand left
// after PV and fixed volumes.
func (p *portfolioModel) allocate(demand float64, m []float64, mwh []float64) (remaining float64) {
	clear(mwh)
	remaining = demand
	if p.anyPV {
		remaining -= p.pvUsed(demand, m, mwh)
	}
	for i := range p.srcs {
		if s := &p.srcs[i]; s.isFixed {
			used := math.Min(s.fixedMWh*mult(m, s.iVol), remaining)
			mwh[i] = used
			remaining -= used
		}
	}
	if p.hasShares {
		for i := range p.srcs {
			if p.srcs[i].isShare {
				mwh[i] = p.srcs[i].share * remaining
			}
		}
	} else if remaining > 1e-9*demand {
		mwh[len(p.srcs)-1] = remaining // the implicit grid
	}
	return remaining
}

// price computes the factors of an allocation (step 3 of eval).
func (p *portfolioModel) price(demand float64, m []float64, mwh []float64, remaining float64) portfolioTotals {
	t := portfolioTotals{remaining: remaining}
	g := mult(m, p.iGrid)
	for i := range p.srcs {
		if p.srcs[i].Kind == KindGrid {
			t.gridMWh += mwh[i]
		}
	}
	if p.certMWh > 0 && t.gridMWh > 0 {
		t.certApplied = math.Min(p.certMWh, t.gridMWh)
	}
	var locT, mktT float64
	for i := range p.srcs {
		s := &p.srcs[i]
		e := mult(m, s.iEF)
		loc := (s.locBase + g*s.locGrid) * e
		mkt := (s.mktBase + g*s.mktGrid) * e
		if t.certApplied > 0 && s.Kind == KindGrid && mwh[i] > 0 {
			covered := t.certApplied * mwh[i] / t.gridMWh
			mkt *= 1 - covered/mwh[i]
		}
		locT += mwh[i] * loc
		mktT += mwh[i] * mkt
	}
	t.efLoc, t.efMkt = locT/demand, mktT/demand
	return t
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
	// order.
	kMax, anyNegative := 0.0, false
	for i := range p.srcs {
		if s := &p.srcs[i]; s.pv != nil {
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
	p.fits, p.closed = fits, p.nPV == 1 && !anyNegative
	if p.closed {
		// One source: in each hour past fits, k pv_h ≥ L_h, so it uses the
		// whole load: Σ_h min(k pv_h, L_h) = k Σ_{h<fits} pv_h + demand Σ_{h≥fits} s_h.
		for i := range p.srcs {
			if s := &p.srcs[i]; s.pv != nil {
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
		if s.pv == nil {
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

// pvExportedMWh is what PV source s with yield multiplier k exports after
// an eval in which it used usedMWh: its output in the hours from fits on
// (the only hours that can curtail) less what it used there, so that a
// source that is never curtailed exports exactly 0.
func (p *portfolioModel) pvExportedMWh(s *portfolioSource, k, usedMWh float64) float64 {
	n := len(s.pvSun)
	output := k * (s.sunPrefix[n] - s.sunPrefix[p.fits])
	return max(0, output-(usedMWh-k*s.sunPrefix[p.fits]))
}

// pvUsedHourly returns the PV used on site in each hour of the year [MWh]
// after an eval at demand with multipliers m: every source's whole output
// in the hours before fits, the load (one source) or the hour-by-hour
// allocation (several) after.
func (p *portfolioModel) pvUsedHourly(demand float64, m []float64) []float64 {
	out := make([]float64, HoursPerYear)
	for j, h := range p.sunHour {
		switch {
		case j < p.fits:
			for i := range p.srcs {
				if s := &p.srcs[i]; s.pv != nil {
					out[h] += mult(m, s.iVol) * s.pvSun[j]
				}
			}
		case p.closed:
			s := 1.0 / HoursPerYear
			if p.loadSun != nil {
				s = p.loadSun[j]
			}
			out[h] = demand * s
		default:
			out[h] = p.used[j]
		}
	}
	return out
}

// implicitUsed reports whether the implicit grid supplies part of the
// allocation in p.mwh.
func (p *portfolioModel) implicitUsed() bool {
	return !p.hasShares && p.mwh[len(p.mwh)-1] > 0
}

// reportAllocation records the messages of the allocation in p.mwh with
// every multiplier at 1: the implicit grid, and what is exported.
func (p *portfolioModel) reportAllocation(l *ledger, remaining float64) {
	in := p.in
	if p.hasShares && remaining <= 0 {
		l.warn("fixed_volumes_meet_demand", nil, "fixed volumes meet the whole demand; share-based sources supply 0 MWh")
	}
	if p.implicitUsed() {
		l.defaulted(joinPath(in.Path, "Sources"))
		l.assume("the demand not covered by the listed sources (%.6g %s) comes from the %s grid", p.mwh[len(p.mwh)-1], volumeUnit(in), in.Region)
	}
	var pvExport, fixedExport float64
	for i := range p.srcs {
		s := &p.srcs[i]
		switch {
		case s.pv != nil:
			pvExport += p.pvExportedMWh(s, 1, p.mwh[i])
		case s.isFixed:
			fixedExport += s.fixedMWh - p.mwh[i]
		}
	}
	if pvExport > 0 {
		l.warn("pv_surplus_exported", Params{"mwh": pvExport}, "on-site PV produces %.6g MWh/yr more than the plant uses in the hours it generates; that surplus is exported and does not count toward this product", pvExport)
	}
	if fixedExport > 0 {
		l.warn("fixed_volumes_exported", Params{"mwh": fixedExport}, "fixed volumes exceed demand by %.6g MWh; the excess is exported and does not count toward this product", fixedExport)
	}
}

// report turns an allocation into the portfolio's result, recording in l
// what certificates, the residual mix and the hourly match rest on.
func (p *portfolioModel) report(l *ledger, demand float64, m []float64, mwh []float64, t portfolioTotals) (ElectricityResult, error) {
	in := p.in
	res := ElectricityResult{Basis: in.Basis, DemandMWh: demand, EFLocation: t.efLoc, EFMarket: t.efMkt}
	n := len(p.srcs)
	if !p.hasShares && mwh[n-1] <= 0 {
		n-- // the implicit grid supplies nothing
	}
	out := make([]SourceResult, n)
	for i := range out {
		s := &p.srcs[i]
		sr := s.attrs
		sr.MWh = mwh[i]
		switch {
		case s.pv != nil:
			sr.ExportedMWh = p.pvExportedMWh(s, mult(m, s.iVol), mwh[i])
			r := *s.pv
			if !s.wantHourly {
				r.HourlyACKWh = nil
			}
			r.Load = &PVLoadMatch{SelfConsumedKWh: sr.MWh * 1000, ExportedKWh: sr.ExportedMWh * 1000}
			sr.PV = &r
		case s.isFixed:
			sr.ExportedMWh = s.fixedMWh*mult(m, s.iVol) - mwh[i]
		}
		out[i] = sr
		res.ExportedMWh += sr.ExportedMWh
	}
	instruments := p.certMWh > 0
	for i := range out {
		instruments = instruments || out[i].Kind == KindGreenContract
	}
	if p.certMWh > 0 {
		if err := p.applyCertificates(l, out, t); err != nil {
			return res, err
		}
		res.CertificatesAppliedMWh = t.certApplied
	}
	if instruments || residualReplacesGrid(in) {
		l.warn("residual_mix_estimate", nil, "no provincial residual mix is published in China; uncovered grid MWh in the market-based result use %s", residualLabel(in))
	}
	var renLoc, renMkt float64
	for i := range out {
		sr := &out[i]
		sr.Share = sr.MWh / demand
		sr.RenewableMWhLoc = p.srcs[i].renewableMWhLoc(sr.MWh)
		renLoc += sr.RenewableMWhLoc
		if sr.Renewable {
			renMkt += sr.MWh
		}
	}
	renMkt += res.CertificatesAppliedMWh
	res.RenewableShare.LocationBased = renLoc / demand
	res.RenewableShare.MarketBased = math.Min(1, renMkt/demand)
	var h *hourlySupply
	if p.anyPV || p.loadShape != nil {
		h = &hourlySupply{loadMWh: make([]float64, HoursPerYear), pvUsedMWh: p.pvUsedHourly(demand, m)}
		for i := range h.loadMWh {
			if p.loadShape == nil {
				h.loadMWh[i] = demand / HoursPerYear
			} else {
				h.loadMWh[i] = p.loadShape[i] * demand
			}
		}
	}
	res.RenewableShare.HourlyMatched = hourlyMatched(l, out, in.Path, demand, h)
	res.Sources = out
	if in.AnnualVolumes {
		res.Annual = &AnnualEmissions{LocationBased: res.EFLocation * demand, MarketBased: res.EFMarket * demand}
	}
	return res, nil
}

// renewableMWhLoc is the renewable MWh a source counts in the
// location-based share: the grid's renewable fraction of grid and
// contracted MWh, all of on-site PV, all of a renewable direct line.
func (s *portfolioSource) renewableMWhLoc(mwh float64) float64 {
	switch s.Kind {
	case KindGrid, KindGreenContract:
		return mwh * s.renewableFrac
	case KindOnsitePV:
		return mwh
	case KindDirectLine:
		if s.attrs.Renewable {
			return mwh
		}
	}
	return 0
}

// applyCertificates sets the market-based factor of the grid MWh the
// certificates cover to 0 (location-based: no effect).
func (p *portfolioModel) applyCertificates(l *ledger, out []SourceResult, t portfolioTotals) error {
	in := p.in
	if t.gridMWh <= 0 {
		return codedError(joinPath(in.Path, "CertificatesMWh"), "not_used", map[string]any{"used_by": []string{string(KindGrid)}}, "certificates cover grid electricity, but the portfolio has no grid MWh")
	}
	if p.certMWh > t.gridMWh {
		l.warn("certificates_exceed_grid", Params{"certificates": p.certMWh, "grid": t.gridMWh, "counted": t.certApplied}, "certificates (%.6g MWh) exceed grid electricity (%.6g MWh); only %.6g MWh are counted", p.certMWh, t.gridMWh, t.certApplied)
	}
	for i := range out {
		if out[i].Kind == KindGrid && out[i].MWh > 0 {
			covered := t.certApplied * out[i].MWh / t.gridMWh
			out[i].CertificatesMWh = covered
			out[i].EFMarket *= 1 - covered/out[i].MWh
		}
	}
	l.assume("green certificates (GEC, 1 certificate = 1 MWh; NDRC/MOF/NEA 发改能源〔2023〕1044号) set the market-based factor of the grid MWh they cover to 0; they do not change the location-based result")
	return nil
}

// hourlySupply is the plant's hourly load and the on-site PV used in each
// hour [MWh].
type hourlySupply struct {
	loadMWh   []float64
	pvUsedMWh []float64
}
