package pact

import (
	"testing"

	"alcarbon/registry"
)

// TestPrimaryDataShare checks the stage-weighted share against hand
// computation and the DQI derived from it.
func TestPrimaryDataShare(t *testing.T) {
	r := storedResult{Stages: []storedStage{
		{Stage: "alumina_refining", MarketBasedTCO2ePerT: 2},
		{Stage: "anode_production", MarketBasedTCO2ePerT: 0.5},
		{Stage: "electrolysis_direct", MarketBasedTCO2ePerT: 1.5},
		{Stage: "electrolysis_electricity", MarketBasedTCO2ePerT: 6},
		{Stage: "casting", MarketBasedTCO2ePerT: 0},
	}}
	cases := []struct {
		defaulted []string
		want      float64
	}{
		{nil, 100},
		{[]string{"/alumina/refinery/coal_gj_per_t"}, 80},                 // (10 − 2) / 10
		{[]string{"/anode/net_carbon_t_per_t", "/anode/baking_fuel"}, 80}, // direct 1.5 + anode 0.5
		{[]string{"/electricity/sources/0/ef_tco2_per_mwh"}, 40},          // electricity 6 (casting 0)
		{[]string{"/electrolysis/ac_kwh_per_t", "/alumina/consumption_t_per_t"}, 20},
		{[]string{"/something/new"}, 0}, // unknown input: every stage secondary
	}
	for _, tc := range cases {
		r.Provenance.DefaultedInputs = tc.defaulted
		if got := primaryDataShare(registry.KindPrimary, r); got != tc.want {
			t.Fatalf("%v: %v, want %v", tc.defaulted, got, tc.want)
		}
	}
	// A product: a defaulted step energy makes its stage secondary.
	p := storedResult{Stages: []storedStage{
		{Stage: "primary_metal", MarketBasedTCO2ePerT: 12},
		{Stage: "alloying", MarketBasedTCO2ePerT: 1},
		{Stage: "casting", MarketBasedTCO2ePerT: 2},
		{Stage: "processing", MarketBasedTCO2ePerT: 5},
	}}
	p.Steps = append(p.Steps, struct {
		Stage     string `json:"stage"`
		Defaulted bool   `json:"defaulted"`
	}{"processing", true})
	p.Provenance.DefaultedInputs = []string{"/alloy"}
	if got := primaryDataShare(registry.KindProduct, p); got != 70 { // (20 − 1 − 5) / 20
		t.Fatalf("product share %v, want 70", got)
	}
	p.Provenance.DefaultedInputs = []string{"/yield"}
	if got := primaryDataShare(registry.KindProduct, p); got != 0 {
		t.Fatalf("product share with a default yield %v, want 0", got)
	}
	q := dataQuality(80, 2023, "2023-01-01", "2023-12-31")
	if q.TechnologicalDQR != 1.2 || q.TemporalDQR != 1 || q.CompletenessDQR != 1 || q.CoveragePercent != 100 {
		t.Fatalf("dqi %+v", q)
	}
	if q := dataQuality(100, 2020, "2023-01-01", "2023-12-31"); q.TemporalDQR != 2 || q.ReliabilityDQR != 1 {
		t.Fatalf("dqi %+v", q)
	}
	if got := decimal(14.7609793733); got != "14.760979" {
		t.Fatalf("decimal %q", got)
	}
}

// TestPrimaryDataShareFromStages: a result with the engine's per-stage
// defaulted inputs is attributed by them, not by pointer prefixes
// (legacyStagesOfInput is for results stored before).
func TestPrimaryDataShareFromStages(t *testing.T) {
	r := storedResult{Stages: []storedStage{
		{Stage: "alumina_refining", MarketBasedTCO2ePerT: 2, DefaultedInputs: []string{"/alumina/refinery/coal_gj_per_t"}},
		{Stage: "anode_production", MarketBasedTCO2ePerT: 0.5, DefaultedInputs: []string{}},
		{Stage: "electrolysis_direct", MarketBasedTCO2ePerT: 1.5, DefaultedInputs: []string{}},
		{Stage: "electrolysis_electricity", MarketBasedTCO2ePerT: 6, DefaultedInputs: []string{}},
		{Stage: "casting", MarketBasedTCO2ePerT: 0, DefaultedInputs: []string{}},
	}}
	// The legacy rule would count an unknown pointer against every stage.
	r.Provenance.DefaultedInputs = []string{"/alumina/refinery/coal_gj_per_t", "/something/new"}
	if got := primaryDataShare(registry.KindPrimary, r); got != 80 { // (10 − 2) / 10
		t.Fatalf("share %v, want 80 from the stages' defaulted inputs", got)
	}
	// One stage without the field: the result predates it, legacy rule.
	r.Stages[4].DefaultedInputs = nil
	if got := primaryDataShare(registry.KindPrimary, r); got != 0 {
		t.Fatalf("share %v, want 0 by the legacy rule", got)
	}
}
