package calc

import (
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

// UncertainInput is one input a Monte Carlo run varies: its Go path into
// the calculation's input (or a pseudo-field such as Electricity.GridEF or
// Alloy.Elements[Mg]; see errors.go), the law of its multiplier and where
// that law comes from.
type UncertainInput struct {
	Path   string
	Label  string
	Dist   Distribution
	Source string
	// Default is true when the engine chose the distribution.
	Default bool
}

// UncertaintySpec asks for a Monte Carlo run. Inputs override the
// defaults by path; Seed makes the run reproducible.
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
	Path  string
	Label string
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

// uncertainModel is a footprint compiled for sampling: totals returns the
// location- and market-based totals for the input multipliers m (in the
// order of inputs). The deterministic result of each kind is the same
// model evaluated with every multiplier at 1.
type uncertainModel interface {
	inputs() []UncertainInput
	totals(m []float64) (loc, mkt float64)
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
func (c *CompiledFootprint) Eval(m []float64) (loc, mkt float64) { return c.m.totals(m) }

// MonteCarlo samples the footprint as spec asks (PrimaryUncertainty,
// ProductUncertainty), polling stop every interruptEvery samples (nil:
// never stops). Its errors name the spec's fields (Inputs[N].Path), or
// wrap ErrInterrupted.
func (c *CompiledFootprint) MonteCarlo(stop Interrupt, spec UncertaintySpec) (UncertaintyResult, error) {
	return monteCarlo(stop, c.m, spec)
}

func mult(m []float64, i int) float64 {
	if i < 0 {
		return 1
	}
	return m[i]
}

// len is the number of inputs registered.
func (l *inputList) len() int {
	if l == nil {
		return 0
	}
	return len(*l)
}

// ones returns n multipliers at 1: the deterministic evaluation.
func ones(n int) []float64 {
	m := make([]float64, n)
	for i := range m {
		m[i] = 1
	}
	return m
}

// inputList collects a model's uncertain inputs in registration order. A
// nil list registers nothing (a deterministic run needs no distributions):
// add returns −1, the index of a multiplier fixed at 1.
type inputList []UncertainInput

func (l *inputList) add(u UncertainInput) int {
	if l == nil {
		return -1
	}
	*l = append(*l, u)
	return len(*l) - 1
}

// monteCarlo applies the spec's overrides to the model's defaults, samples
// and summarises.
func monteCarlo(stop Interrupt, mdl uncertainModel, spec UncertaintySpec) (UncertaintyResult, error) {
	ins := slices.Clone(mdl.inputs())
	if spec.NoDefaults {
		for i := range ins {
			ins[i].Dist = Distribution{Kind: DistNone}
			ins[i].Source, ins[i].Default = "", false
		}
	}
	for j, o := range spec.Inputs {
		k := slices.IndexFunc(ins, func(u UncertainInput) bool { return u.Path == o.Path })
		if k < 0 {
			allowed := make([]string, len(ins))
			for i, u := range ins {
				allowed[i] = u.Path
			}
			// No code: the API names an unknown pointer (unknown_value,
			// kind uncertain_input) before the run.
			return UncertaintyResult{}, fieldError(joinPath(indexPath("Inputs", j), "Path"), "this request has no uncertain input %q; allowed: %s", o.Path, strings.Join(allowed, ", "))
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
		if s%interruptEvery == 0 {
			if err := interrupted(stop); err != nil {
				return UncertaintyResult{}, err
			}
		}
		for j := range ins {
			m[j] = draw(rng, ins[j].Dist)
			cols[j][s] = m[j]
		}
		loc[s], mkt[s] = mdl.totals(m)
	}
	detLoc, detMkt := mdl.totals(ones(len(ins)))
	out := UncertaintyResult{Samples: n, Seed: spec.Seed, Inputs: ins}
	out.LocationBased = summarize(loc, detLoc)
	out.MarketBased = summarize(mkt, detMkt)
	rLoc, rMkt := ranks(loc), ranks(mkt)
	for j, u := range ins {
		if u.Dist.Kind != DistNone {
			out.Contributions = append(out.Contributions, contribution(u, cols[j], rLoc, rMkt))
		}
	}
	shareAndSort(out.Contributions)
	return out, nil
}

// contribution is an uncertain input's rank correlation with the totals:
// Spearman's ρ, the Pearson correlation of the ranks of its sampled
// multipliers col with the ranks of the location- and market-based totals
// (rLoc, rMkt).
func contribution(u UncertainInput, col, rLoc, rMkt []float64) Contribution {
	rj := ranks(col)
	return Contribution{Path: u.Path, Label: u.Label, SpearmanLocation: pearson(rj, rLoc), SpearmanMarket: pearson(rj, rMkt)}
}

// shareAndSort sets each contribution's variance share, ρ² over the sum of
// ρ² of all (location basis; 0 when every ρ is 0), and sorts them by |ρ|,
// largest first (stable: equal ones keep their input order).
func shareAndSort(cs []Contribution) {
	var sum2 float64
	for _, c := range cs {
		sum2 += c.SpearmanLocation * c.SpearmanLocation
	}
	for i := range cs {
		if sum2 > 0 {
			cs[i].VarianceShare = cs[i].SpearmanLocation * cs[i].SpearmanLocation / sum2
		}
	}
	sort.SliceStable(cs, func(a, b int) bool {
		return math.Abs(cs[a].SpearmanLocation) > math.Abs(cs[b].SpearmanLocation)
	})
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
