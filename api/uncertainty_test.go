package api

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// uncertaintyProduct is a building profile with the plant's own data: a
// given primary footprint, yield, melt loss, extrusion energy, a PV system
// and the grid.
const uncertaintyProduct = `{"product": "building_profile", "alloy": "6063", "region": "CN-SX", "year": 2023,
  "electricity_basis": "co2_operational", "production_t": 50000,
  "metal": {"primary_footprint_tco2e_per_t": 12.7, "pre_consumer_scrap_share": 0.1},
  "yield": 0.8, "melt_loss_fraction": 0.02,
  "steps": [{"step": "extrusion_building", "electricity_kwh_per_t": 300, "natural_gas_nm3_per_t": 25}],
  "electricity": {"sources": [{"kind": "onsite_pv", "pv": {"site": "taiyuan", "system": {"capacity_kwp": 5000}}}, {"kind": "grid", "share": 1}]}}`

// TestProductUncertaintyEndpoint: kind product through the router. The
// deterministic totals equal POST /v1/footprints/product and lie inside
// p5..p95; defaults are listed with sources; the same seed gives an
// identical body from the cache, another seed a close mean.
func TestProductUncertaintyEndpoint(t *testing.T) {
	e, _, _ := testServer(t)
	body := func(seed int) string {
		return fmt.Sprintf(`{"kind": "product", "request": %s, "seed": %d}`, uncertaintyProduct, seed)
	}
	a := postJSON(t, e, "/v1/uncertainty", body(42))
	if a.Code != 200 {
		t.Fatalf("status %d: %s", a.Code, a.Body)
	}
	if ct := a.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("content type %q", ct)
	}
	r := decodeJSON[uncertaintyResponse](t, a.Body.Bytes())
	det := postOK[productResponse](t, e, "/v1/footprints/product", uncertaintyProduct)
	for _, s := range []struct {
		sum summaryResponse
		det float64
	}{{r.Total.LocationBased, det.Total.LocationBased}, {r.Total.MarketBased, det.Total.MarketBased}} {
		if !near(s.sum.Deterministic, s.det) || !(s.sum.P5 < s.det && s.det < s.sum.P95) {
			t.Errorf("summary %+v, deterministic %v", s.sum, s.det)
		}
	}
	if r.Kind != "product" || r.Samples != 10000 || r.Seed != 42 {
		t.Errorf("kind %q, samples %d, seed %d", r.Kind, r.Samples, r.Seed)
	}
	var pointers []string
	for _, in := range r.Inputs {
		pointers = append(pointers, in.Pointer)
		if in.Distribution != "none" && (in.Source == "" || !in.Default) {
			t.Errorf("input %s: source %q, default %v", in.Pointer, in.Source, in.Default)
		}
	}
	for _, p := range []string{"/metal/primary_footprint_tco2e_per_t", "/melt_loss_fraction", "/steps/remelting", "/steps/extrusion_building", "/alloy/elements/Mg", "/electricity/grid_ef", "/electricity/sources/0/pv"} {
		if !slices.Contains(pointers, p) {
			t.Errorf("no default for %s in %v", p, pointers)
		}
	}
	if len(r.Contributions) < 5 || r.Contributions[0].Pointer != "/metal/primary_footprint_tco2e_per_t" {
		t.Errorf("contributions %+v", r.Contributions)
	}
	if len(r.Provenance.Factors) == 0 {
		t.Error("no provenance")
	}
	b := postJSON(t, e, "/v1/uncertainty", body(42))
	if b.Body.String() != a.Body.String() || b.Header().Get("X-Cache") != "hit-memory" {
		t.Errorf("same seed: X-Cache %q, equal %v", b.Header().Get("X-Cache"), b.Body.String() == a.Body.String())
	}
	c := decodeJSON[uncertaintyResponse](t, postJSON(t, e, "/v1/uncertainty", body(43)).Body.Bytes())
	if c.Total.LocationBased.Mean == r.Total.LocationBased.Mean || math.Abs(c.Total.LocationBased.Mean-r.Total.LocationBased.Mean) > 5*r.Total.LocationBased.SD/100 {
		t.Errorf("seed 43 mean %v vs %v (sd %v)", c.Total.LocationBased.Mean, r.Total.LocationBased.Mean, r.Total.LocationBased.SD)
	}
}

// TestProductUncertaintyHandChecked: with only the primary footprint
// varied, uniform ±10 %, the total is linear in it with slope (primary +
// pre-consumer metal per t) × 12.7 — the pre-consumer scrap carries the
// primary footprint — read from the product endpoint's metal balance; the
// uniform's p5/p95 are at m = 0.91/1.09, so p5/p95 = total ∓ 0.09 × slope.
func TestProductUncertaintyHandChecked(t *testing.T) {
	e, _, _ := testServer(t)
	det := postOK[productResponse](t, e, "/v1/footprints/product", uncertaintyProduct)
	slope := (det.Metal.PrimaryTPerT + det.Metal.PreConsumerTPerT) * 12.7
	r := postOK[uncertaintyResponse](t, e, "/v1/uncertainty", `{"kind": "product", "request": `+uncertaintyProduct+`, "samples": 20000, "defaults": false,
	  "distributions": [{"pointer": "/metal/primary_footprint_tco2e_per_t", "distribution": "uniform", "min": 0.9, "max": 1.1}]}`)
	// Sampling error of the 5th percentile of a uniform, n = 20,000:
	// √(0.05·0.95/n)·0.2 ≈ 3e-4 in the multiplier; 1.5e-3 is 5 of them.
	tol := 1.5e-3 * slope
	for _, s := range []summaryResponse{r.Total.LocationBased, r.Total.MarketBased} {
		if math.Abs(s.P5-(s.Deterministic-0.09*slope)) > tol || math.Abs(s.P95-(s.Deterministic+0.09*slope)) > tol {
			t.Errorf("p5 %v, p95 %v; want %v, %v", s.P5, s.P95, s.Deterministic-0.09*slope, s.Deterministic+0.09*slope)
		}
	}
	if len(r.Contributions) != 1 || math.Abs(r.Contributions[0].SpearmanLocationBased-1) > 1e-9 {
		t.Errorf("contributions %+v", r.Contributions)
	}
}

// TestProductUncertaintyValidation: the product request is validated as
// its endpoint does, its errors named under /request; distributions name
// only inputs the request has.
func TestProductUncertaintyValidation(t *testing.T) {
	e, _, _ := testServer(t)
	req := func(r string) string { return `{"kind": "product", "request": ` + r + `}` }
	tests := []struct {
		name, body, pointer, detail string
	}{
		{"product missing", req(`{}`), "/request/product", "required"},
		{"unknown product", req(`{"product": "cans"}`), "/request/product", "unknown product"},
		{"unknown field", req(`{"product": "building_profile", "yeild": 0.8}`), "/request/yeild", "unknown field"},
		{"yield out of range", req(`{"product": "building_profile", "yield": 2}`), "/request/yield", ""},
		{"inline primary invalid", req(`{"product": "building_profile", "metal": {"primary": {"electrolysis": {"ac_kwh_per_t": 5}}}}`), "/request/metal/primary/electrolysis/ac_kwh_per_t", "between"},
		{"unknown step", req(`{"product": "building_profile", "steps": [{"step": "welding", "electricity_kwh_per_t": 5}]}`), "/request/steps/0/step", "unknown step"},
		{"declaration without registry", req(`{"product": "building_profile", "metal": {"declaration_id": "x"}}`), "/request/metal/declaration_id", ""},
		{"input the request lacks", `{"kind": "product", "request": {"product": "building_profile"}, "distributions": [{"pointer": "/metal/post_consumer_scrap_tco2e_per_t", "distribution": "normal", "sd": 0.1}]}`, "/distributions/0/pointer", "/steps/remelting"},
		{"primary pointer on a product", `{"kind": "product", "request": {"product": "building_profile"}, "distributions": [{"pointer": "/electrolysis/pfc", "distribution": "normal", "sd": 0.1}]}`, "/distributions/0/pointer", "allowed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := postJSON(t, e, "/v1/uncertainty", tc.body)
			if rec.Code != 422 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if p := decodeProblem(t, rec); !hasPointer(p, tc.pointer, tc.detail) {
				t.Errorf("errors %+v, want %s ~ %q", p.Errors, tc.pointer, tc.detail)
			}
		})
	}
}

// BenchmarkProductUncertaintyUncached: 10,000 samples of a product with a
// PV system at the plant through the router, computed every time.
func BenchmarkProductUncertaintyUncached(b *testing.B) {
	e, c, _ := testServer(b)
	body := `{"kind": "product", "request": ` + uncertaintyProduct + `}`
	b.ReportAllocs()
	for b.Loop() {
		c.Purge()
		if rec := postJSON(b, e, "/v1/uncertainty", body); rec.Code != 200 {
			b.Fatal(rec.Code, rec.Body)
		}
	}
}
