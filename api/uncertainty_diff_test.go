package api

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// diffBase is the README's Shanxi smelter; diffVariant adds 100 MWp of PV
// in front of its sources, which moves the captive plant from sources/0 to
// sources/1.
const diffBase = `{"region": "CN-SX", "year": 2023, "electricity_basis": "co2_operational", "production_t": 300000,
  "electrolysis": {"technology": "PFPB_M", "ac_kwh_per_t": 13200, "pfc": {"method": "slope", "anode_effect_minutes_per_cell_day": 0.05}},
  "electricity": {"sources": [{"kind": "captive", "fuel": "coal", "share": 0.6}, {"kind": "grid", "share": 0.4},
    {"kind": "direct_line", "technology": "wind", "mwh": 400000}], "certificates_mwh": 100000}}`

var diffVariant = strings.Replace(diffBase, `"sources": [`,
	`"sources": [{"kind": "onsite_pv", "name": "PV 100 MWp", "pv": {"site": "taiyuan", "system": {"capacity_kwp": 100000, "tilt_deg": 35}}}, `, 1)

// TestUncertaintyDifferenceFromBaseline: with a baseline the response has
// the difference per sample on the same draws. Checked against quantities
// computed independently: the request's own totals equal the run without a
// baseline (same seed, same samples); the deterministic difference equals
// the compare endpoint's delta; the shared inputs (the captive plant too,
// although its index moved) cancel, so the band of the difference is much
// narrower than the footprint's own; a request against itself differs by
// exactly 0 in every sample.
func TestUncertaintyDifferenceFromBaseline(t *testing.T) {
	e, _, _ := testServer(t)
	run := func(req, baseline string) uncertaintyResponse {
		t.Helper()
		body := fmt.Sprintf(`{"kind": "primary", "request": %s, "samples": 2000, "seed": 42`, req)
		if baseline != "" {
			body += `, "baseline": ` + baseline
		}
		return postOK[uncertaintyResponse](t, e, "/v1/uncertainty", body+"}")
	}
	alone := run(diffVariant, "")
	if alone.Difference != nil || alone.DifferenceContributions != nil {
		t.Fatalf("no baseline, yet a difference: %+v", alone.Difference)
	}
	d := run(diffVariant, diffBase)
	if d.Seed != 42 || d.Samples != 2000 {
		t.Errorf("seed %d, samples %d", d.Seed, d.Samples)
	}
	if d.Total != alone.Total {
		t.Errorf("the request's totals changed with a baseline: %+v vs %+v", d.Total, alone.Total)
	}
	cmp := postOK[compareResponse](t, e, "/v1/scenarios/compare",
		fmt.Sprintf(`{"kind": "primary", "base": %s, "variants": [{"name": "PV", "patch": {"electricity": %s}}]}`,
			diffBase, mustField(t, diffVariant, "electricity")))
	delta := cmp.Scenarios[1].Delta
	if d.Difference == nil {
		t.Fatal("no difference_tco2e_per_t")
	}
	for _, c := range []struct {
		name string
		sum  summaryResponse
		want float64
		own  summaryResponse
	}{
		{"location", d.Difference.LocationBased, *delta.TotalLocationBased, d.Total.LocationBased},
		{"market", d.Difference.MarketBased, *delta.TotalMarketBased, d.Total.MarketBased},
	} {
		if math.Abs(c.sum.Deterministic-c.want) > 1e-9 {
			t.Errorf("%s: deterministic difference %v, compare delta %v", c.name, c.sum.Deterministic, c.want)
		}
		if !(c.sum.P5 <= c.sum.Deterministic && c.sum.Deterministic <= c.sum.P95) || c.sum.P95 >= 0 {
			t.Errorf("%s: difference %+v (PV lowers the footprint in every sample's central range)", c.name, c.sum)
		}
		if w, own := c.sum.P95-c.sum.P5, c.own.P95-c.own.P5; w > own/5 {
			t.Errorf("%s: the difference's band %v is not much narrower than the footprint's %v: shared inputs did not cancel", c.name, w, own)
		}
	}
	if len(d.DifferenceContributions) < 3 {
		t.Fatalf("difference contributions %+v", d.DifferenceContributions)
	}
	// The PV yield, which the base does not have, and the factor of the
	// captive plant whose output the PV displaces drive the change; every
	// input of the base is shared (none is labelled "baseline: …").
	var top []string
	for i, c := range d.DifferenceContributions {
		if i < 3 {
			top = append(top, c.Pointer)
		}
		if strings.HasPrefix(c.Label, "baseline: ") {
			t.Errorf("a base input was not matched: %+v", c)
		}
	}
	if !slices.Contains(top, "/electricity/sources/0/pv") || !slices.Contains(top, "/electricity/sources/1/ef_tco2_per_mwh") {
		t.Errorf("top three contributors to the difference %v, want the PV yield and the captive plant's factor", top)
	}

	self := run(diffBase, diffBase)
	for _, s := range []summaryResponse{self.Difference.LocationBased, self.Difference.MarketBased} {
		if s != (summaryResponse{}) {
			t.Errorf("a request against itself: difference %+v, want all 0", s)
		}
	}
}

// TestUncertaintyBaselineErrors: the baseline's errors are named under
// /baseline, and it must be on the request's dataset.
func TestUncertaintyBaselineErrors(t *testing.T) {
	e, _, _ := testServer(t)
	for _, c := range []struct{ baseline, pointer string }{
		{`{"electrolysis": {"ac_kwh_per_t": 99999}}`, "/baseline/electrolysis/ac_kwh_per_t"},
		{`{"dataset": "2026.2"}`, "/baseline/dataset"},
		{`[1]`, "/baseline"},
	} {
		rec := postJSON(t, e, "/v1/uncertainty", `{"request": {"dataset": "2026.1"}, "samples": 100, "baseline": `+c.baseline+`}`)
		if rec.Code != 422 || !strings.Contains(rec.Body.String(), `"`+c.pointer+`"`) {
			t.Errorf("baseline %s: status %d, want 422 naming %s: %s", c.baseline, rec.Code, c.pointer, rec.Body)
		}
	}
}

// mustField returns the JSON of one top-level field of a JSON object.
func mustField(t *testing.T, doc, field string) string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatal(err)
	}
	return string(m[field])
}
