package calc_test

import (
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
		got, prov, err := e.PrimaryShared(v, memo)
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
	if _, _, err := e.PrimaryShared(other, memo); err != nil {
		t.Fatal(err)
	}
	if c, _ := memo.Stats(); c != 2 {
		t.Errorf("a different system was not recomputed (computed %d)", c)
	}
	// A PV request alone through the memo equals Engine.PV.
	pin := *in.Electricity.Sources[0].PV
	pw, pp, _ := e.PV(pin)
	pg, pgp, _ := e.PVShared(pin, memo)
	if !reflect.DeepEqual(pw, pg) || !reflect.DeepEqual(pp, pgp) {
		t.Error("PVShared differs from PV")
	}
}
