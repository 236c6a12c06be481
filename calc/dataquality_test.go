package calc_test

import (
	"testing"

	"alcarbon/calc"
)

// TestPrimaryDataShareAndQuality: hand-computed. Stages 2.304 (primary),
// 0.1575 (secondary), −1.5 (secondary: the magnitude counts), 10.75
// (primary) and 0.04 (secondary) t CO2e/t: share = 100 × (2.304 + 10.75) /
// (2.304 + 0.1575 + 1.5 + 10.75 + 0.04) = 100 × 13.054 / 14.7515 =
// 88.4927… → 88.49 %; DQR = 2 − 0.8849 = 1.1151 → 1.12.
func TestPrimaryDataShareAndQuality(t *testing.T) {
	share := calc.PrimaryDataShare([]calc.StageData{
		{MarketBased: 2.304}, {MarketBased: 0.1575, Secondary: true}, {MarketBased: -1.5, Secondary: true},
		{MarketBased: 10.75}, {MarketBased: 0.04, Secondary: true},
	})
	if share != 88.49 {
		t.Errorf("share = %v, want 88.49", share)
	}
	if s := calc.PrimaryDataShare([]calc.StageData{{MarketBased: 0}}); s != 0 {
		t.Errorf("share of a zero footprint = %v, want 0", s)
	}
	for _, c := range []struct {
		year     int
		temporal float64
	}{{2023, 1}, {2020, 2}, {2026, 2}, {2019, 3}, {2027, 3}} {
		q := calc.DataQuality(share, c.year, 2023, 2023)
		if q.Technological != 1.12 || q.Geographical != 1.12 || q.Reliability != 1.12 || q.Completeness != 1 || q.CoveragePercent != 100 || q.Temporal != c.temporal {
			t.Errorf("year %d: %+v, want DQR 1.12 and temporal %v", c.year, q, c.temporal)
		}
	}
}
