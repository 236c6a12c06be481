package calc

import (
	"math"
	"math/rand/v2"
	"testing"
)

// pvUsedReference is portfolio's hour-by-hour allocation written plainly:
// in every hour each PV source in list order uses min(k_i pv_i,h, what
// the load L_h = demand × s_h leaves).
func pvUsedReference(pv [][]float64, k []float64, shape []float64, demand float64) []float64 {
	out := make([]float64, len(pv))
	for h := range pv[0] {
		load := demand / HoursPerYear
		if shape != nil {
			load = demand * shape[h]
		}
		var used float64
		for i := range pv {
			x := math.Min(k[i]*pv[i][h], load-used)
			used += x
			out[i] += x
		}
	}
	return out
}

// TestPVUsedSkipsUncurtailedHours: pvUsed, which sums the hours that fit
// the load from sorted prefix sums (and, for one source, the rest from the
// load's suffix sums), allocates what the plain hour-by-hour loop does, per source, for random yields, loads and multipliers — PV
// far below the load, around it (many curtailed hours), far above it,
// and with a negative multiplier (the bound's fallback).
func TestPVUsedSkipsUncurtailedHours(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	const hours = HoursPerYear
	for _, tc := range []struct {
		name     string
		nPV      int
		scale    float64 // PV peak over the mean hourly load
		shaped   bool
		negative bool
	}{
		{"one PV, shaped load, small", 1, 0.3, true, false},
		{"one PV, flat load, far above", 1, 20, false, false},
		{"one PV, shaped load, around the load", 1, 1.2, true, false},
		{"two PV, flat load, around the load", 2, 1.2, false, false},
		{"two PV, shaped load, around the load", 2, 1.2, true, false},
		{"three PV, shaped load, far above", 3, 20, true, false},
		{"two PV, negative multiplier", 2, 1.2, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			demand := 4e6
			mean := demand / HoursPerYear
			pv := make([][]float64, tc.nPV)
			for i := range pv {
				pv[i] = make([]float64, hours)
				for h := range hours {
					if h%24 >= 6 && h%24 < 19 { // daylight; night hours stay 0 as in a real year
						pv[i][h] = tc.scale * mean * rng.Float64() / float64(tc.nPV)
					}
				}
			}
			var shape []float64
			if tc.shaped {
				shape = make([]float64, hours)
				for h := range shape {
					shape[h] = (0.5 + rng.Float64()) / HoursPerYear
				}
				shape[17] = 0 // an hour without load
			}
			// The model over the sun hours, as compilePortfolio builds it.
			p := &portfolioModel{loadShape: shape, anyPV: true, nPV: len(pv)}
			for i := range pv {
				kwh := make([]float64, hours)
				for h, v := range pv[i] {
					kwh[h] = v * 1000
				}
				p.srcs = append(p.srcs, portfolioSource{iVol: i, pv: &PVResult{HourlyACKWh: kwh}})
			}
			p.compileSunHours()

			for range 200 {
				k := make([]float64, tc.nPV)
				for i := range k {
					k[i] = 1 + 0.3*rng.NormFloat64()
				}
				if tc.negative {
					k[0] = -0.2
				}
				d := demand * (0.8 + 0.4*rng.Float64())
				want := pvUsedReference(pv, k, shape, d)
				mwh := make([]float64, tc.nPV)
				total := p.pvUsed(d, k, mwh)
				var wantTotal float64
				for i := range want {
					wantTotal += want[i]
					if math.Abs(mwh[i]-want[i]) > 1e-9*math.Max(1, math.Abs(want[i])) {
						t.Fatalf("k %v demand %g: source %d uses %.12g MWh, hour by hour %.12g", k, d, i, mwh[i], want[i])
					}
				}
				if math.Abs(total-wantTotal) > 1e-9*math.Max(1, math.Abs(wantTotal)) {
					t.Fatalf("total %.12g, hour by hour %.12g", total, wantTotal)
				}
			}
		})
	}
}
