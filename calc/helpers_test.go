package calc_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"alcarbon/calc"
	"alcarbon/factors"
)

// datasetVersion is the dataset whose factors.csv the expected values in
// these tests were typed from; engine pins it, so a new default dataset
// does not change them (the tests of a later version's rules pin that
// version with engineFor).
const datasetVersion = "2026.1"

// Tolerances. tolExact is for expected values computed here from the same
// typed numbers the engine reads from the dataset (only the order of float
// operations differs). Rounded figures quoted in the tests' comments are
// compared with an absolute tolerance of half a unit in their last digit.
const tolExact = 1e-9

// 44/12, the CO2/C mass ratio, typed here rather than taken from calc.
const co2PerC = 44.0 / 12.0

var loadEngine = sync.OnceValues(func() (*calc.Engine, error) {
	cat, err := factors.Load()
	if err != nil {
		return nil, err
	}
	ds, ok := cat.Get(datasetVersion)
	if !ok {
		return nil, fmt.Errorf("dataset %s is not embedded", datasetVersion)
	}
	return calc.New(ds), nil
})

// engine returns an engine over the real embedded dataset datasetVersion.
func engine(tb testing.TB) *calc.Engine {
	tb.Helper()
	e, err := loadEngine()
	if err != nil {
		tb.Fatalf("factors.Load: %v", err)
	}
	return e
}

// equalWithinAbsOrRel reports whether a and b are equal within the absolute
// tolerance or the relative tolerance (gonum's floats/scalar semantics).
func equalWithinAbsOrRel(a, b, absTol, relTol float64) bool {
	if a == b {
		return true
	}
	d := math.Abs(a - b)
	if d <= absTol {
		return true
	}
	return d/math.Max(math.Abs(a), math.Abs(b)) <= relTol
}

// checkClose fails the test when got is not within relative tolerance rel
// (or 1e-12 absolute, for values that should be 0) of want.
func checkClose(t *testing.T, name string, got, want, rel float64) {
	t.Helper()
	if !equalWithinAbsOrRel(got, want, 1e-12, rel) {
		t.Errorf("%s = %.10g, want %.10g (rel. diff %.3g, tolerance %.3g)", name, got, want, math.Abs(got-want)/math.Max(math.Abs(got), math.Abs(want)), rel)
	}
}

// checkAbs fails the test when got is farther than abs from want; used for
// rounded figures quoted in the tests' comments.
func checkAbs(t *testing.T, name string, got, want, abs float64) {
	t.Helper()
	if math.Abs(got-want) > abs {
		t.Errorf("%s = %.10g, want %.10g ± %.3g (as rounded where quoted)", name, got, want, abs)
	}
}

// f64 returns a pointer to v, for the optional inputs.
func f64(v float64) *float64 { return &v }

// wantInputError checks that err is a *calc.InputError with a field at
// pointer whose detail contains every string in contains, and returns it.
func wantInputError(t *testing.T, err error, pointer string, contains ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("error = nil, want *calc.InputError at %q", pointer)
	}
	var ie *calc.InputError
	if !errors.As(err, &ie) {
		t.Fatalf("error = %T %v, want *calc.InputError at %q", err, err, pointer)
	}
	for _, f := range ie.Fields {
		if f.Path != pointer {
			continue
		}
		for _, s := range contains {
			if !strings.Contains(f.Detail, s) {
				t.Errorf("error detail at %q = %q, want it to mention %q", pointer, f.Detail, s)
			}
		}
		return
	}
	t.Errorf("InputError fields = %+v, want one at pointer %q", ie.Fields, pointer)
}

// hasMessage reports whether one of msgs contains every substring.
func hasMessage(msgs []string, substrs ...string) bool {
	return slices.ContainsFunc(msgs, func(m string) bool {
		for _, s := range substrs {
			if !strings.Contains(m, s) {
				return false
			}
		}
		return true
	})
}

// checkMessage fails when none of msgs contains every substring.
func checkMessage(t *testing.T, kind string, msgs []string, substrs ...string) {
	t.Helper()
	if !hasMessage(msgs, substrs...) {
		t.Errorf("no %s contains %q; %ss are:\n  %s", kind, substrs, kind, strings.Join(msgs, "\n  "))
	}
}

// factorValue returns the value of a factor listed in the provenance.
func factorValue(p calc.Provenance, id string) (float64, bool) {
	for _, f := range p.Factors {
		if f.ID == id {
			return f.Value, true
		}
	}
	return 0, false
}

// checkProvenanceComplete checks that every factor listed has a source and
// a unit and that the list is sorted by id without duplicates.
func checkProvenanceComplete(t *testing.T, p calc.Provenance) {
	t.Helper()
	if len(p.Factors) == 0 {
		t.Fatal("Provenance.Factors is empty")
	}
	for i, f := range p.Factors {
		if f.Source == "" || f.Unit == "" {
			t.Errorf("factor %s: source %q, unit %q; want both non-empty", f.ID, f.Source, f.Unit)
		}
		if i > 0 && p.Factors[i-1].ID >= f.ID {
			t.Errorf("factors not sorted/unique: %s before %s", p.Factors[i-1].ID, f.ID)
		}
	}
}
