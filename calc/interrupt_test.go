package calc_test

import (
	"context"
	"errors"
	"testing"

	"alcarbon/calc"
)

// TestPVMemoBounded: past PVMemoMaxEntries distinct systems, a memo
// computes without keeping; a kept system is still reused, and every
// result equals Engine.PV's.
func TestPVMemoBounded(t *testing.T) {
	e := engine(t)
	pin := *mcInputs()["one_pv_flat"].Electricity.Sources[0].PV
	memo := calc.NewPVMemo()
	n := calc.PVMemoMaxEntries + 3
	for i := range n {
		in := pin
		sys := pin.System
		sys.CapacityKWp = 1000 + float64(i)
		in.System = sys
		got, _, err := e.PVWithPVMemo(nil, in, memo)
		if err != nil {
			t.Fatal(err)
		}
		if i == n-1 {
			want, _, _ := e.PV(in)
			if got.AnnualACKWh != want.AnnualACKWh {
				t.Errorf("unkept yield %g, want %g", got.AnnualACKWh, want.AnnualACKWh)
			}
		}
	}
	// The last system came after the memo was full: asked again, it is
	// computed again.
	in := pin
	in.System.CapacityKWp = 1000 + float64(n-1)
	if _, _, err := e.PVWithPVMemo(nil, in, memo); err != nil {
		t.Fatal(err)
	}
	if c, r := memo.Stats(); c != n+1 || r != 0 {
		t.Errorf("computed %d, reused %d; want %d and 0", c, r, n+1)
	}
	first := pin
	first.System.CapacityKWp = 1000
	if _, _, err := e.PVWithPVMemo(nil, first, memo); err != nil {
		t.Fatal(err)
	}
	if _, r := memo.Stats(); r != 1 {
		t.Errorf("a kept system was not reused (reused %d)", r)
	}
}

// TestInterrupt: a stopped Interrupt ends a Monte Carlo run and a PV
// simulation with an error wrapping ErrInterrupted and the reason; nil
// never stops.
func TestInterrupt(t *testing.T) {
	e := engine(t)
	in := mcInputs()["one_pv_flat"]
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := e.PrimaryWithPVMemo(ctx, in, nil); !errors.Is(err, calc.ErrInterrupted) || !errors.Is(err, context.Canceled) {
		t.Errorf("PV under a cancelled context: %v", err)
	}
	c, _, err := e.CompilePrimary(nil, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.MonteCarlo(ctx, calc.UncertaintySpec{Samples: 1000, Seed: 1}); !errors.Is(err, calc.ErrInterrupted) {
		t.Errorf("Monte Carlo under a cancelled context: %v", err)
	}
	if _, err := c.MonteCarlo(nil, calc.UncertaintySpec{Samples: 1000, Seed: 1}); err != nil {
		t.Errorf("Monte Carlo without an Interrupt: %v", err)
	}
}
