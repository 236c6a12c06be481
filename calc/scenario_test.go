package calc_test

import (
	"math"
	"reflect"
	"testing"

	"alcarbon/calc"
)

// TestPVMemoSharesYields: primaries that contain the same PV system run
// the PV chain once through a memo, and their results and provenance are
// those of Engine.Primary; a different system is computed anew.
func TestPVMemoSharesYields(t *testing.T) {
	e := engine(t)
	in := mcInputs()["one_pv_flat"]
	want, wantProv, err := e.Primary(in)
	if err != nil {
		t.Fatal(err)
	}
	memo := calc.NewPVMemo()
	for i := range 3 {
		v := in
		v.ProductionT = f64(300000 + float64(i)) // a different request, the same PV system
		if i == 0 {
			v.ProductionT = in.ProductionT
		}
		got, prov, err := e.PrimaryWithPVMemo(nil, v, memo)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 && (!reflect.DeepEqual(got, want) || !reflect.DeepEqual(prov, wantProv)) {
			t.Errorf("memoised result or provenance differs from Primary")
		}
	}
	if c, r := memo.Stats(); c != 1 || r != 2 {
		t.Errorf("computed %d, reused %d; want 1 and 2", c, r)
	}
	other := in
	other.Electricity.Sources = append([]calc.Source(nil), in.Electricity.Sources...)
	sys := *in.Electricity.Sources[0].PV
	sys.System.CapacityKWp++
	other.Electricity.Sources[0].PV = &sys
	if _, _, err := e.PrimaryWithPVMemo(nil, other, memo); err != nil {
		t.Fatal(err)
	}
	if c, _ := memo.Stats(); c != 2 {
		t.Errorf("a different system was not recomputed (computed %d)", c)
	}
	// A PV request alone through the memo equals Engine.PV.
	pin := *in.Electricity.Sources[0].PV
	pw, pp, _ := e.PV(pin)
	pg, pgp, _ := e.PVWithPVMemo(nil, pin, memo)
	if !reflect.DeepEqual(pw, pg) || !reflect.DeepEqual(pp, pgp) {
		t.Error("PVWithPVMemo differs from PV")
	}
}

// TestMACC: options are ranked by cost per t avoided, cheapest first
// (equal costs keep their order), options that avoid nothing are left
// out, and the cumulative column adds the avoided tonnes in rank order —
// worked by hand for four options.
func TestMACC(t *testing.T) {
	nan := math.NaN()
	opt := func(name string, perTonne, avoided float64) calc.AbatementOption {
		return calc.AbatementOption{Name: name, AbatementCost: calc.AbatementCost{PerTonne: perTonne, AvoidedPerYr: avoided}}
	}
	steps := calc.MACC([]calc.AbatementOption{
		opt("PV 100 MWp", 310, 120_000), opt("none avoided", nan, -5), opt("green contract", 85, 400_000), opt("PV 50 MWp", 310, 60_000),
	})
	want := []struct {
		name       string
		cumulative float64
	}{{"green contract", 400_000}, {"PV 100 MWp", 520_000}, {"PV 50 MWp", 580_000}}
	if len(steps) != len(want) {
		t.Fatalf("steps %+v", steps)
	}
	for i, w := range want {
		if s := steps[i]; s.Rank != i+1 || s.Name != w.name || s.CumulativeAvoidedPerYr != w.cumulative {
			t.Errorf("step %d = %+v, want %s with %v t/yr cumulative", i, s, w.name, w.cumulative)
		}
	}
	if got := calc.MACC(nil); got == nil || len(got) != 0 {
		t.Errorf("no options: %v, want an empty curve", got)
	}
	// Without a lifetime the capex is not annualised: opex alone.
	if crf, cost := calc.AnnualisedCost(0, 5e6, 0, 0.06); crf != 0 || cost != 5e6 {
		t.Errorf("AnnualisedCost without lifetime = %v, %v", crf, cost)
	}
	crf, cost := calc.AnnualisedCost(350e6, 5e6, 25, 0.06) // TestCapitalRecoveryAndMAC's case
	checkClose(t, "CRF", crf, 0.0782267182, 1e-9)
	checkClose(t, "cost/yr", cost, 32_379_351.374, 1e-9)
}
