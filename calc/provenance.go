package calc

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"alcarbon/factors"
)

// FactorUse is one dataset value a result depends on.
type FactorUse struct {
	ID         string
	Value      float64
	Unit       string
	Source     string
	Confidence factors.Confidence
	Note       string
}

// Provenance lists what a result rests on: every dataset factor used, the
// assumptions made, the warnings a reader must see, and the input fields
// (Go paths into the input, see errors.go) that took dataset defaults
// instead of user values.
type Provenance struct {
	Factors     []FactorUse
	Assumptions []string
	Warnings    []string
	// WarningCodes are the warnings' stable codes and parameters, index for
	// index with Warnings.
	WarningCodes []Coded
	Defaulted    []string
	// defaultedSets holds, beside each entry of Defaulted, the stages the
	// input feeds as the engine recorded them where it took the default
	// (see Stage.Defaulted). An input recorded with no stages scales every
	// stage (a product's yield) or belongs to a calculation without stages
	// (a portfolio, a PV system).
	defaultedSets []stageSet
}

// Coded is a message's stable code (snake_case, never reworded) and its
// parameters: numbers in the units the code's text names, a source's
// index 0-based as in its JSON pointer.
type Coded struct {
	Code   string
	Params Params
}

// Params are a coded message's parameters by name.
type Params map[string]any

// stageSet is a set of stage names, one bit per name (stageBit).
type stageSet uint16

// stageBit is the bit of a stage name in a stageSet; 0 for a name that is
// not a stage.
func stageBit(name string) stageSet {
	for i, s := range [...]string{StageAluminaRefining, StageAnodeProduction, StageElectrolysisDirect, StageElectrolysisElectricity,
		StageCasting, StagePrimaryMetal, StageRecycledMetal, StageAlloying, StageProcessing, StageTransport} {
		if s == name {
			return 1 << i
		}
	}
	return 0
}

// viewsOnly marks a defaulted input that feeds no footprint stage, only a
// regulatory view of the result (CBAM, the China ETS).
const viewsOnly stageSet = 1 << 15

// stagesOf is the set of stage names.
func stagesOf(names []string) stageSet {
	var set stageSet
	for _, n := range names {
		set |= stageBit(n)
	}
	return set
}

// ledger collects provenance while a calculation runs. It deduplicates by
// factor id and by message text so repeated lookups are listed once.
type ledger struct {
	ds *factors.Dataset
	// memos are the engine's memos (sun tables, typical years), shared by
	// every calculation on the engine.
	memos *engineMemos
	// pv memoises PV yields by input path within one calculation, so a
	// side calculation (CBAM) reuses the main one's PV runs.
	pv map[string]PVResult
	// shared memoises PV yields across calculations (a scenario compare
	// or sweep) by canonical PV input; nil outside them.
	shared *PVMemo
	// stop ends the calculation early (before each PV simulation); nil
	// never stops.
	stop Interrupt
	// stages are the stages the defaults being recorded feed when the
	// recording site cannot name them: a portfolio's and its PV systems'
	// defaults feed the stages that use the portfolio's electricity.
	stages      stageSet
	factorIDs   map[string]struct{} // the ids in p.Factors
	p           Provenance
	seenMessage map[string]struct{}
}

func newLedger(ds *factors.Dataset, memos *engineMemos) *ledger {
	// A calculation's ledger records tens of factors, messages and
	// defaults: room for them up front saves growing the lists and maps
	// step by step (side ledgers, which record little, start empty).
	const factorsHint, messagesHint, defaultsHint = 32, 16, 16
	l := &ledger{
		ds: ds, memos: memos, pv: map[string]PVResult{},
		factorIDs: make(map[string]struct{}, factorsHint), seenMessage: make(map[string]struct{}, messagesHint),
		p: Provenance{
			Factors:   make([]FactorUse, 0, factorsHint),
			Defaulted: make([]string, 0, defaultsHint), defaultedSets: make([]stageSet, 0, defaultsHint),
		},
	}
	if ds.Draft() {
		// Every result of a draft dataset says so, first among its warnings.
		l.warn("dataset_draft", Params{"dataset": ds.Version()}, "dataset %s is a draft: its values may still change; do not publish or rely on this result (the default is the newest released dataset)", ds.Version())
	}
	return l
}

// sub returns a ledger over the same dataset, engine memos and PV memos
// whose messages stay out of l (for a side calculation such as CBAM's, or
// provenance merged into l later).
func (l *ledger) sub() *ledger {
	return &ledger{ds: l.ds, memos: l.memos, pv: l.pv, shared: l.shared, stop: l.stop, stages: l.stages}
}

// recordFactor reserves the next place in the factor list for id, and
// reports false when id is listed already. The id set is made on first
// use: many side ledgers record nothing.
func (l *ledger) recordFactor(id string) bool {
	if _, ok := l.factorIDs[id]; ok {
		return false
	}
	if l.factorIDs == nil {
		l.factorIDs = map[string]struct{}{}
	}
	l.factorIDs[id] = struct{}{}
	return true
}

// firstTime reports whether msg is new to the ledger's messages.
func (l *ledger) firstTime(msg string) bool {
	if _, ok := l.seenMessage[msg]; ok {
		return false
	}
	if l.seenMessage == nil {
		l.seenMessage = map[string]struct{}{}
	}
	l.seenMessage[msg] = struct{}{}
	return true
}

// useSite records a solar site preset as the resource behind a result.
func (l *ledger) useSite(s factors.SolarSite) {
	var annual float64
	for _, v := range s.GHIMonthlyKWhM2 {
		annual += v
	}
	id := factorID("solar_site", s.ID, "ghi_annual")
	if !l.recordFactor(id) {
		return
	}
	l.p.Factors = append(l.p.Factors, FactorUse{
		ID: id, Value: annual, Unit: "kWh/m2/yr", Source: s.Source, Confidence: s.Confidence,
		Note: "sum of the site's 12 monthly GHI values used; " + s.Note,
	})
}

// useSiteTempRange records a solar site preset's monthly diurnal
// temperature ranges, used for the hourly air temperature, by their mean,
// and returns the factor id.
func (l *ledger) useSiteTempRange(s factors.SolarSite) string {
	var mean float64
	for _, v := range s.TempRangeMonthlyC {
		mean += v / float64(len(s.TempRangeMonthlyC))
	}
	id := factorID("solar_site", s.ID, "temp_range_mean")
	if l.recordFactor(id) {
		l.p.Factors = append(l.p.Factors, FactorUse{
			ID: id, Value: mean, Unit: "degC", Source: s.TempRangeSource, Confidence: s.Confidence,
			Note: "mean of the site's 12 monthly diurnal temperature ranges (mean daily maximum − mean daily minimum), which shape the hourly air temperature by the ESRA profile",
		})
	}
	return id
}

// factor returns the value of a dataset factor and records its use. A
// missing id is a dataset defect, reported as a DataError.
func (l *ledger) factor(id string) (float64, error) {
	f, ok := l.ds.Factor(id)
	if !ok {
		return 0, &DataError{ID: id}
	}
	l.use(f)
	return f.Value, nil
}

// use records a factor already looked up.
func (l *ledger) use(f factors.Factor) {
	if !l.recordFactor(f.ID) {
		return
	}
	l.p.Factors = append(l.p.Factors, FactorUse{
		ID: f.ID, Value: f.Value, Unit: f.Unit, Source: f.Source,
		Confidence: f.Confidence, Note: f.Note,
	})
}

// adoptFactors records the factors a side calculation (a sub ledger) used,
// but not its messages, which belong to that calculation.
func (l *ledger) adoptFactors(sub *ledger) {
	for _, f := range sub.p.Factors {
		l.useRecorded(f)
	}
}

// useRecorded records a factor use taken from another ledger.
func (l *ledger) useRecorded(f FactorUse) {
	if !l.recordFactor(f.ID) {
		return
	}
	l.p.Factors = append(l.p.Factors, f)
}

// derived records a value the engine computed from dataset factors, so a
// reader sees it next to its inputs (for example a fuel's CO2 factor).
func (l *ledger) derived(id string, value float64, unit, how string) {
	if !l.recordFactor(id) {
		return
	}
	l.p.Factors = append(l.p.Factors, FactorUse{
		ID: id, Value: value, Unit: unit, Source: "alcarbon engine " + EngineVersion,
		Confidence: factors.ConfidenceMedium, Note: "derived: " + how,
	})
}

func (l *ledger) assume(format string, args ...any) {
	if msg := fmt.Sprintf(format, args...); l.firstTime(msg) {
		l.p.Assumptions = append(l.p.Assumptions, msg)
	}
}

// assumeText is assume for a message already formatted.
func (l *ledger) assumeText(msg string) {
	if l.firstTime(msg) {
		l.p.Assumptions = append(l.p.Assumptions, msg)
	}
}

// warn records a warning: its stable code and parameters (for a client
// to word and translate it) beside its English text.
func (l *ledger) warn(code string, params Params, format string, args ...any) {
	if msg := fmt.Sprintf(format, args...); l.firstTime(msg) {
		l.p.Warnings = append(l.p.Warnings, msg)
		l.p.WarningCodes = append(l.p.WarningCodes, Coded{Code: code, Params: params})
	}
}

// defaulted records that the input at path p took a dataset default, and
// the stages it feeds (by default those of the ledger's context, l.stages).
func (l *ledger) defaulted(p string, stages ...string) {
	set := l.stages
	if len(stages) > 0 {
		set = stagesOf(stages)
	}
	l.defaultedIn(p, set)
}

// defaultedIn records the default at path p as feeding the stages in set
// (none: every stage).
func (l *ledger) defaultedIn(p string, set stageSet) {
	l.p.Defaulted = append(l.p.Defaulted, p)
	l.p.defaultedSets = append(l.p.defaultedSets, set)
}

// feeding sets the stages the defaults recorded until restore is called
// feed, for a part of the calculation that does not know its stages.
func (l *ledger) feeding(stages ...string) (restore func()) {
	prev := l.stages
	l.stages = stagesOf(stages)
	return func() { l.stages = prev }
}

// stagesDefaulted lists, for each stage, the defaulted inputs it rests on:
// those recorded as feeding it and those recorded without stages, which
// scale every stage. p.Defaulted is sorted, so an input recorded twice is
// in adjacent entries: the union of its recorded stages counts, every
// stage when none were recorded. The lists share one backing array.
func stagesDefaulted(stages []Stage, p Provenance) {
	n := 0
	for i := range stages {
		bit := stageBit(stages[i].Name)
		eachDefaulted(p, func(_ string, set stageSet) {
			if set == 0 || set&bit != 0 {
				n++
			}
		})
	}
	all := make([]string, 0, n)
	for i := range stages {
		bit, start := stageBit(stages[i].Name), len(all)
		eachDefaulted(p, func(d string, set stageSet) {
			if set == 0 || set&bit != 0 {
				all = append(all, d)
			}
		})
		stages[i].Defaulted = all[start:len(all):len(all)]
	}
}

// eachDefaulted calls f once per defaulted input of p (sorted) with the
// union of the stage sets recorded for it.
func eachDefaulted(p Provenance, f func(path string, set stageSet)) {
	for j := 0; j < len(p.Defaulted); {
		d, set := p.Defaulted[j], stageSet(0)
		for ; j < len(p.Defaulted) && p.Defaulted[j] == d; j++ {
			set |= p.defaultedSets[j]
		}
		f(d, set)
	}
}

// orDefault returns *v when the user gave it; otherwise it records the
// default at path p and returns the dataset factor id's value.
func (l *ledger) orDefault(v *float64, p, id string, stages ...string) (float64, error) {
	if v != nil {
		return *v, nil
	}
	l.defaulted(p, stages...)
	return l.factor(id)
}

// provenance returns the collected provenance with factors sorted by id
// (ids are unique: recordFactor lists each once). The ledger's own list
// keeps its order; the copy is made in sorted order from sorted indices,
// so that each factor (five strings) is copied once instead of moved
// around by the sort.
func (l *ledger) provenance() Provenance {
	p := l.p
	p.Factors = nil
	if n := len(l.p.Factors); n > 0 {
		var small [64]int32
		order := small[:0]
		if n > len(small) {
			order = make([]int32, 0, n)
		}
		for i := range n {
			order = append(order, int32(i))
		}
		slices.SortFunc(order, func(a, b int32) int { return strings.Compare(l.p.Factors[a].ID, l.p.Factors[b].ID) })
		p.Factors = make([]FactorUse, n)
		for i, j := range order {
			p.Factors[i] = l.p.Factors[j]
		}
	}
	p.Defaulted, p.defaultedSets = sortDefaulted(l.p.Defaulted, l.p.defaultedSets)
	return p
}

// memoPV returns the yield of the PV system at ptr, computing it once per
// calculation (l.pv, by path) and, inside a scenario run, once per
// canonical input across calculations (l.shared).
func (l *ledger) memoPV(in PVInput, ptr string) (PVResult, error) {
	if r, ok := l.pv[ptr]; ok {
		return r, nil
	}
	var (
		r   PVResult
		err error
	)
	if l.shared != nil {
		r, err = l.shared.yield(l, in, ptr)
	} else {
		r, err = pvYield(l, in, ptr)
	}
	if err != nil {
		return r, err
	}
	l.pv[ptr] = r
	return r, nil
}

// merge adds provenance collected by another ledger, deduplicating factors
// and messages as if they had been recorded here.
func (l *ledger) merge(p Provenance) {
	for _, f := range p.Factors {
		l.useRecorded(f)
	}
	for _, m := range p.Assumptions {
		if l.firstTime(m) {
			l.p.Assumptions = append(l.p.Assumptions, m)
		}
	}
	for i, m := range p.Warnings {
		if l.firstTime(m) {
			l.p.Warnings = append(l.p.Warnings, m)
			l.p.WarningCodes = append(l.p.WarningCodes, p.WarningCodes[i])
		}
	}
	for i, d := range p.Defaulted {
		set := p.defaultedSets[i]
		if set == 0 {
			set = l.stages // the merging calculation's context, as defaulted does
		}
		l.defaultedIn(d, set)
	}
}

// sortDefaulted sorts the defaulted inputs by path, keeping each one's
// stage set beside it, in place.
func sortDefaulted(paths []string, sets []stageSet) ([]string, []stageSet) {
	sort.Sort(defaultedByPath{paths, sets})
	return paths, sets
}

type defaultedByPath struct {
	paths []string
	sets  []stageSet
}

func (d defaultedByPath) Len() int           { return len(d.paths) }
func (d defaultedByPath) Less(i, j int) bool { return d.paths[i] < d.paths[j] }
func (d defaultedByPath) Swap(i, j int) {
	d.paths[i], d.paths[j] = d.paths[j], d.paths[i]
	d.sets[i], d.sets[j] = d.sets[j], d.sets[i]
}
