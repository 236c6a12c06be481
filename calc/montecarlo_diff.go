package calc

import "math/rand/v2"

// DifferenceResult is a Monte Carlo run of a footprint a and of its
// difference from a baseline b on the same draws.
type DifferenceResult struct {
	// UncertaintyResult is a's run: identical to a.MonteCarlo(spec).
	UncertaintyResult
	// BaselineInputs are b's inputs with the distribution each was drawn
	// from (a matched input takes a's), in the order of b.Inputs().
	BaselineInputs []UncertainInput
	// DiffLocation and DiffMarket summarise a − b per sample [t CO2e/t];
	// Deterministic is the difference of the deterministic totals.
	DiffLocation, DiffMarket Summary
	// DiffContributions rank every varied input (a's, then b's own) by
	// |Spearman ρ| with the location-based difference, largest first; the
	// label of an input of b's own starts with "baseline: ".
	DiffContributions []Contribution
}

// baselineStream is the PCG stream of the draws of b's own inputs: the
// same seed, another sequence, so that a's draws are those of its own run.
const baselineStream = 0x6a09e667f3bcc908

// MonteCarloDifference samples a as a.MonteCarlo(spec) does and, in each
// sample, b with the same multiplier for every input that b shares with a:
// match(j) is the index in a.Inputs() of b's input j, or −1 for an input
// of b's own, drawn from a second stream of the same seed with its default
// distribution (none when spec.NoDefaults). The difference a − b of each
// sample is summarised (p5/p50/p95 of the difference, not the difference
// of the percentiles): inputs both share move both totals together, so
// the band is that of the change. Errors are a.MonteCarlo's.
func MonteCarloDifference(stop Interrupt, a, b *CompiledFootprint, match func(j int) int, spec UncertaintySpec) (DifferenceResult, error) {
	res, err := monteCarlo(stop, a.m, spec)
	if err != nil {
		return DifferenceResult{}, err
	}
	ins := res.Inputs
	bins, from := baselineInputs(ins, b, match, spec.NoDefaults)
	n := spec.Samples
	// The draws of a, in the order monteCarlo made them.
	rngA := rand.New(rand.NewPCG(spec.Seed, 0x9e3779b97f4a7c15))
	rngB := rand.New(rand.NewPCG(spec.Seed, baselineStream))
	cols := make([][]float64, len(ins)+len(bins))
	for j := range cols {
		cols[j] = make([]float64, n)
	}
	dLoc, dMkt := make([]float64, n), make([]float64, n)
	ma, mb := make([]float64, len(ins)), make([]float64, len(bins))
	for s := 0; s < n; s++ {
		if s%interruptEvery == 0 {
			if err := interrupted(stop); err != nil {
				return DifferenceResult{}, err
			}
		}
		for j := range ins {
			ma[j] = draw(rngA, ins[j].Dist)
			cols[j][s] = ma[j]
		}
		for j := range bins {
			if k := from[j]; k >= 0 {
				mb[j] = ma[k]
			} else {
				mb[j] = draw(rngB, bins[j].Dist)
			}
			cols[len(ins)+j][s] = mb[j]
		}
		la, ka := a.m.totals(ma)
		lb, kb := b.m.totals(mb)
		dLoc[s], dMkt[s] = la-lb, ka-kb
	}
	detLA, detMA := a.m.totals(ones(len(ins)))
	detLB, detMB := b.m.totals(ones(len(bins)))
	out := DifferenceResult{UncertaintyResult: res, BaselineInputs: bins}
	out.DiffLocation = summarize(dLoc, detLA-detLB)
	out.DiffMarket = summarize(dMkt, detMA-detMB)
	rLoc, rMkt := ranks(dLoc), ranks(dMkt)
	add := func(u UncertainInput, col []float64) {
		if u.Dist.Kind != DistNone {
			out.DiffContributions = append(out.DiffContributions, contribution(u, col, rLoc, rMkt))
		}
	}
	for j, u := range ins {
		add(u, cols[j])
	}
	for j, u := range bins {
		if from[j] < 0 {
			u.Label = "baseline: " + u.Label
			add(u, cols[len(ins)+j])
		}
	}
	shareAndSort(out.DiffContributions)
	return out, nil
}

// baselineInputs are b's inputs with the distribution each is drawn from:
// a's for an input matched to one of a's (from[j] its index in ins), its
// default (none when noDefaults) for an input of b's own (from[j] = −1).
func baselineInputs(ins []UncertainInput, b *CompiledFootprint, match func(j int) int, noDefaults bool) ([]UncertainInput, []int) {
	bins := b.Inputs()
	from := make([]int, len(bins))
	for j := range bins {
		from[j] = match(j)
		if k := from[j]; k >= 0 && k < len(ins) {
			bins[j].Dist, bins[j].Source, bins[j].Default = ins[k].Dist, ins[k].Source, ins[k].Default
			continue
		}
		from[j] = -1
		if noDefaults {
			bins[j].Dist = Distribution{Kind: DistNone}
			bins[j].Source, bins[j].Default = "", false
		}
	}
	return bins, from
}
