package calc

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"math"
	"reflect"
	"sort"
	"sync"
)

// PVMemo shares PV yields between the calculations of one scenario run (a
// compare or a sweep): variants that contain the same PV system at the
// same place in the request run the PV chain once. Entries are keyed by the
// Go path and the canonical encoding of the PV input, so a reused
// yield, its provenance and its errors are exactly those of a fresh run.
// A PVMemo is safe for concurrent use; concurrent requests for one key
// compute once.
//
// A memo holds at most PVMemoMaxEntries yields (each with its 8760-hour
// series, ≈ 70 kB to ≈ 210 kB with the hourly arrays a request may ask
// for): past that, further PV systems are computed without being kept, so
// one request's memo stays under ≈ 15 MB however many distinct systems it
// has. The API's work budget prices a base's systems past that size as
// simulated again in every scenario (api compareWork, sweepWork), so not
// sharing costs no more than the budget allowed.
type PVMemo struct {
	mu       sync.Mutex
	m        map[string]*pvMemoEntry
	computed int
	reused   int
}

type pvMemoEntry struct {
	done chan struct{}
	res  PVResult
	prov Provenance
	err  error
}

// PVMemoMaxEntries bounds the yields one memo keeps.
const PVMemoMaxEntries = 64

// errPVMemoIncomplete is what waiters on a memo entry get when the run
// computing it panicked.
var errPVMemoIncomplete = errors.New("pv memo: the computation of this PV system did not complete")

// NewPVMemo returns an empty memo.
func NewPVMemo() *PVMemo {
	return &PVMemo{m: map[string]*pvMemoEntry{}}
}

// Stats returns how many PV yields were computed and how many reused.
func (m *PVMemo) Stats() (computed, reused int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.computed, m.reused
}

// yield returns the memoised yield of in at ptr, computing it on a private
// ledger the first time, and records its provenance in l.
func (m *PVMemo) yield(l *ledger, in PVInput, ptr string) (PVResult, error) {
	key := ptr + "\x00" + pvInputKey(in)
	m.mu.Lock()
	e, ok := m.m[key]
	if !ok && len(m.m) >= PVMemoMaxEntries {
		m.computed++
		m.mu.Unlock()
		return pvYield(l, in, ptr)
	}
	if ok {
		m.reused++
		m.mu.Unlock()
		<-e.done
	} else {
		e = &pvMemoEntry{done: make(chan struct{})}
		m.m[key] = e
		m.computed++
		m.mu.Unlock()
		func() {
			// Waiters must be released even if the chain panics; the
			// panic goes on to the caller.
			defer close(e.done)
			e.err = errPVMemoIncomplete
			sub := newLedger(l.ds, l.memos)
			sub.stop = l.stop
			e.res, e.err = pvYield(sub, in, ptr)
			e.prov = sub.p
		}()
	}
	l.merge(e.prov)
	return e.res, e.err
}

// pvInputKey returns a SHA-256 of every field of in (floats by their
// bits, slices and strings with their lengths, nil pointers marked), so
// two inputs share a key only if they are equal. An 8760-hour resource
// hashes in well under a millisecond, against several for JSON.
func pvInputKey(in PVInput) string {
	h := sha256.New()
	hashValue(h, reflect.ValueOf(in))
	return hex.EncodeToString(h.Sum(nil))
}

func hashValue(h hash.Hash, v reflect.Value) {
	var b [8]byte
	put := func(x uint64) {
		binary.LittleEndian.PutUint64(b[:], x)
		h.Write(b[:])
	}
	switch v.Kind() {
	case reflect.Float64:
		put(math.Float64bits(v.Float()))
	case reflect.Int:
		put(uint64(v.Int()))
	case reflect.Bool:
		if v.Bool() {
			put(1)
		} else {
			put(0)
		}
	case reflect.String:
		put(uint64(v.Len()))
		h.Write([]byte(v.String()))
	case reflect.Pointer:
		if v.IsNil() {
			put(0)
			return
		}
		put(1)
		hashValue(h, v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			put(0)
			return
		}
		put(uint64(v.Len()) + 1)
		if f, ok := v.Interface().([]float64); ok {
			buf := make([]byte, 8*len(f))
			for i, x := range f {
				binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(x))
			}
			h.Write(buf)
			return
		}
		for i := range v.Len() {
			hashValue(h, v.Index(i))
		}
	case reflect.Array:
		for i := range v.Len() {
			hashValue(h, v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			hashValue(h, v.Field(i))
		}
	default:
		// A kind PVInput does not use today: its printed form.
		h.Write([]byte(fmt.Sprintf("%#v", v.Interface())))
	}
}

// PrimaryWithPVMemo is Primary with PV yields shared through memo (nil:
// none shared), stopped early by stop (nil: never; see Interrupt).
func (e *Engine) PrimaryWithPVMemo(stop Interrupt, in PrimaryInput, memo *PVMemo) (PrimaryResult, Provenance, error) {
	l := newLedger(e.ds, &e.memos)
	l.stop = stop
	l.shared = memo
	r, err := primary(l, in)
	prov := l.provenance()
	stagesDefaulted(r.Stages, prov)
	return r, prov, err
}

// ElectricityWithPVMemo is Electricity with PV yields shared through memo
// (nil: none shared), stopped early by stop (nil: never).
func (e *Engine) ElectricityWithPVMemo(stop Interrupt, in ElectricityInput, memo *PVMemo) (ElectricityResult, Provenance, error) {
	l := newLedger(e.ds, &e.memos)
	l.stop = stop
	l.shared = memo
	r, err := portfolio(l, in)
	return r, l.provenance(), err
}

// ProductWithPVMemo is Product with PV yields shared through memo (nil:
// none shared), stopped early by stop (nil: never).
func (e *Engine) ProductWithPVMemo(stop Interrupt, in ProductInput, memo *PVMemo) (ProductResult, Provenance, error) {
	l := newLedger(e.ds, &e.memos)
	l.stop = stop
	l.shared = memo
	r, err := product(l, in)
	prov := l.provenance()
	stagesDefaulted(r.Stages, prov)
	return r, prov, err
}

// PVWithPVMemo is PV with the yield shared through memo (nil: not
// shared), stopped early by stop (nil: never).
func (e *Engine) PVWithPVMemo(stop Interrupt, in PVInput, memo *PVMemo) (PVResult, Provenance, error) {
	l := newLedger(e.ds, &e.memos)
	l.stop = stop
	var (
		r   PVResult
		err error
	)
	if memo != nil {
		r, err = memo.yield(l, in, "")
	} else {
		r, err = pvYield(l, in, "")
	}
	return r, l.provenance(), err
}

// CapitalRecoveryFactor returns the factor that turns a capital cost into
// equal annual payments over n years at discount rate r:
//
//	CRF = r (1 + r)^n / ((1 + r)^n − 1),  and 1/n when r = 0.
//
// r is a fraction per year (0.06 = 6 %), n > 0 years.
func CapitalRecoveryFactor(r, n float64) float64 {
	if r == 0 {
		return 1 / n
	}
	g := math.Pow(1+r, n)
	return r * g / (g - 1)
}

// AnnualisedCost returns the capital recovery factor and the annual cost
// of an investment [CNY/yr]:
//
//	cost/yr = capex × CRF(r, n) + opex
//
// Without a lifetime (n = 0) the capex cannot be annualised: CRF is 0 and
// only opex counts.
func AnnualisedCost(capex, opexPerYr, lifetimeYears, rate float64) (crf, costPerYr float64) {
	if lifetimeYears > 0 {
		crf = CapitalRecoveryFactor(rate, lifetimeYears)
	}
	return crf, capex*crf + opexPerYr
}

// AbatementCost is a variant's marginal abatement cost.
type AbatementCost struct {
	CostPerYr    float64 // capex × CRF + opex [CNY/yr]
	AvoidedPerYr float64 // (base − variant) annual emissions [t CO2e/yr]
	// PerTonne is CostPerYr / AvoidedPerYr [CNY/t CO2e]; NaN when nothing
	// is avoided.
	PerTonne float64
}

// MarginalAbatementCost returns the annualised cost per t CO2e avoided:
//
//	cost/yr = capex × CRF(r, n) + opex
//	avoided/yr = base − variant annual emissions [t CO2e/yr]
//	MAC = cost/yr ÷ avoided/yr
//
// With nothing avoided (avoided ≤ 0) PerTonne is NaN: the variant does not
// abate, and a cost per tonne would be meaningless.
func MarginalAbatementCost(capex, opexPerYr, lifetimeYears, rate, baseTPerYr, variantTPerYr float64) AbatementCost {
	_, cost := AnnualisedCost(capex, opexPerYr, lifetimeYears, rate)
	c := AbatementCost{
		CostPerYr:    cost,
		AvoidedPerYr: baseTPerYr - variantTPerYr,
		PerTonne:     math.NaN(),
	}
	if c.AvoidedPerYr > 0 {
		c.PerTonne = c.CostPerYr / c.AvoidedPerYr
	}
	return c
}

// AbatementOption is a named variant with a marginal abatement cost.
type AbatementOption struct {
	Name string
	AbatementCost
}

// MACCStep is one step of a marginal abatement cost curve.
type MACCStep struct {
	Rank int
	AbatementOption
	// CumulativeAvoidedPerYr is the emissions avoided by this option and
	// every cheaper one [t CO2e/yr].
	CumulativeAvoidedPerYr float64
}

// MACC ranks the options that avoid emissions (PerTonne not NaN) by cost
// per t avoided, cheapest first (equal costs keep their order), and
// accumulates their avoided emissions: the steps of the marginal abatement
// cost curve. The options are alternatives measured against one base, so
// the cumulative figure assumes they add up; it is an upper bound where
// they overlap.
func MACC(options []AbatementOption) []MACCStep {
	steps := []MACCStep{}
	for _, o := range options {
		if !math.IsNaN(o.PerTonne) {
			steps = append(steps, MACCStep{AbatementOption: o})
		}
	}
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].PerTonne < steps[j].PerTonne })
	var cum float64
	for i := range steps {
		cum += steps[i].AvoidedPerYr
		steps[i].Rank, steps[i].CumulativeAvoidedPerYr = i+1, cum
	}
	return steps
}
