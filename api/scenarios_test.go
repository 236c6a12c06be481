package api

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// scenarioSmelter is a base for scenario tests: shares plus a certificate
// volume, production given so annual emissions and costs are defined.
const scenarioSmelter = `{"region": "CN-SX", "year": 2023, "electricity_basis": "co2_operational", "production_t": 300000,
  "alumina": {"footprint_tco2e_per_t": 1.2}, "electrolysis": {"technology": "PFPB_M", "ac_kwh_per_t": 13500},
  "electricity": {"sources": [{"kind": "captive", "fuel": "coal", "share": 0.6, "ef_tco2_per_mwh": 0.95},
                              {"kind": "grid", "share": 0.4}]}}`

const pvSource = `{"kind": "onsite_pv", "pv": {"site": "taiyuan", "system": {"capacity_kwp": 100000, "tilt_deg": 35}}}`

func postOK[T any](t *testing.T, e *echo.Echo, path, body string) T {
	t.Helper()
	rec := postJSON(t, e, path, body)
	if rec.Code != 200 {
		t.Fatalf("%s: status %d: %s", path, rec.Code, rec.Body)
	}
	return decodeJSON[T](t, rec.Body.Bytes())
}

func primaryTotals(t *testing.T, e *echo.Echo, body string) primaryResponse {
	t.Helper()
	return postOK[primaryResponse](t, e, "/v1/footprints/primary", body)
}

// TestCompare: an empty patch gives zero deltas; a variant equals the same
// request sent to its own endpoint; a bad variant gets its own errors and
// the others are still computed; the MAC follows its formula; the MACC is
// ranked.
func TestCompare(t *testing.T) {
	e, _, _ := testServer(t)
	pvSources := `[` + pvSource + `, {"kind": "captive", "fuel": "coal", "share": 0.6, "ef_tco2_per_mwh": 0.95}, {"kind": "grid", "share": 0.4}]`
	body := `{"kind": "primary", "base": ` + scenarioSmelter + `, "discount_rate": 0.06, "variants": [
	  {"name": "same", "patch": {}},
	  {"name": "100 MWp PV", "patch": {"electricity": {"sources": ` + pvSources + `}}, "capex_cny": 350000000, "opex_cny_per_year": 5000000, "lifetime_years": 25},
	  {"name": "bad share", "patch": {"electricity": {"sources": [{"kind": "grid", "share": 1.5}]}}},
	  {"name": "wind contract", "patch": {"electricity": {"sources": [{"kind": "captive", "fuel": "coal", "share": 0.6, "ef_tco2_per_mwh": 0.95}, {"kind": "direct_line", "technology": "wind", "share": 0.4}]}}, "opex_cny_per_year": 20000000},
	  {"name": "lower AC", "patch": {"electrolysis": {"ac_kwh_per_t": 13000}}, "capex_cny": 100000000, "lifetime_years": 10}
	]}`
	rec := postJSON(t, e, "/v1/scenarios/compare", body)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	r := decodeJSON[compareResponse](t, rec.Body.Bytes())
	if len(r.Scenarios) != 6 || r.Scenarios[0].Name != "base" {
		t.Fatalf("scenarios %+v", r.Scenarios)
	}
	base := r.Scenarios[0].Outputs
	want := primaryTotals(t, e, scenarioSmelter)
	if !near(*base.TotalLocationBased, want.Total.LocationBased) || !near(*base.TotalMarketBased, want.Total.MarketBased) {
		t.Errorf("base %v/%v, endpoint %v/%v", *base.TotalLocationBased, *base.TotalMarketBased, want.Total.LocationBased, want.Total.MarketBased)
	}
	if !near(*base.AnnualLocationBased, want.Total.LocationBased*300000) {
		t.Errorf("annual %v", *base.AnnualLocationBased)
	}
	same := r.Scenarios[1]
	for i, f := range same.Delta.fields() {
		if *f != nil && **f != 0 {
			t.Errorf("empty patch: delta field %d = %v", i, **f)
		}
	}
	if same.Delta.TotalLocationBased == nil {
		t.Error("empty patch: no delta")
	}

	// The PV variant equals the merged request sent to its endpoint.
	var baseDoc map[string]any
	_ = json.Unmarshal([]byte(scenarioSmelter), &baseDoc)
	var srcs any
	_ = json.Unmarshal([]byte(pvSources), &srcs)
	baseDoc["electricity"] = map[string]any{"sources": srcs}
	merged, _ := json.Marshal(baseDoc)
	pvWant := primaryTotals(t, e, string(merged))
	pv := r.Scenarios[2]
	if pv.Errors != nil || !near(*pv.Outputs.TotalLocationBased, pvWant.Total.LocationBased) || !near(*pv.Outputs.TotalMarketBased, pvWant.Total.MarketBased) {
		t.Fatalf("PV variant %+v, endpoint %v", pv, pvWant.Total)
	}
	if !near(*pv.Delta.TotalLocationBased, pvWant.Total.LocationBased-want.Total.LocationBased) {
		t.Errorf("delta %v", *pv.Delta.TotalLocationBased)
	}
	if pv.Outputs.PVAnnualMWh == nil || *pv.Outputs.PVAnnualMWh < 100000 || *pv.Outputs.RenewableShareHourly <= 0 {
		t.Errorf("PV outputs %+v", pv.Outputs)
	}
	// MAC by hand from the rows: CRF(6 %, 25) = 0.0782267182.
	a := pv.Abatement
	avoided := (want.Total.LocationBased - pvWant.Total.LocationBased) * 300000
	cost := 350e6*0.0782267182 + 5e6
	if a == nil || a.CostCNYPerTCO2e == nil || math.Abs(a.CapitalRecoveryFactor-0.0782267182) > 1e-9 ||
		math.Abs(*a.AvoidedTCO2ePerYear-avoided) > 1e-6*avoided || math.Abs(*a.CostCNYPerTCO2e-cost/avoided) > 1e-6*cost/avoided {
		t.Errorf("abatement %+v, want avoided %v, MAC %v", a, avoided, cost/avoided)
	}

	bad := r.Scenarios[3]
	if bad.Outputs != nil || len(bad.Errors) == 0 || bad.Errors[0].Pointer != "/variants/2/patch/electricity/sources/0/share" {
		t.Errorf("bad variant %+v", bad)
	}
	if r.Scenarios[4].Outputs == nil || r.Scenarios[5].Outputs == nil {
		t.Error("variants after the bad one were not computed")
	}
	if len(r.MACC) != 3 {
		t.Fatalf("MACC %+v", r.MACC)
	}
	for i := 1; i < len(r.MACC); i++ {
		if r.MACC[i].CostCNYPerTCO2e < r.MACC[i-1].CostCNYPerTCO2e || r.MACC[i].Rank != i+1 ||
			!near(r.MACC[i].CumulativeAvoidedTCO2ePerYear, r.MACC[i-1].CumulativeAvoidedTCO2ePerYear+r.MACC[i].AvoidedTCO2ePerYear) {
			t.Errorf("MACC not ranked: %+v", r.MACC)
		}
	}

	if again := postJSON(t, e, "/v1/scenarios/compare", body); again.Header().Get("X-Cache") != "hit-memory" || again.Body.String() != rec.Body.String() {
		t.Errorf("second compare X-Cache %q", again.Header().Get("X-Cache"))
	}
}

// TestCompareKindsAndMemo: 20 variants of an electricity portfolio with
// the same PV system run the PV chain once; pv kind variants too.
func TestCompareKindsAndMemo(t *testing.T) {
	e, _, _ := testServer(t)
	var vs []string
	for i := range 20 {
		vs = append(vs, fmt.Sprintf(`{"name": "cert %d", "patch": {"certificates_mwh": %d}}`, i, 1000*(i+1)))
	}
	body := `{"kind": "electricity", "base": {"demand_mwh": 4000000, "sources": [` + pvSource + `, {"kind": "grid", "share": 1}]}, "variants": [` + strings.Join(vs, ",") + `]}`
	r := postOK[compareResponse](t, e, "/v1/scenarios/compare", body)
	if r.PVRuns.Computed != 1 || r.PVRuns.Reused != 20 {
		t.Errorf("pv runs %+v, want 1 computed and 20 reused", r.PVRuns)
	}
	want := postOK[electricityResultResponse](t, e, "/v1/electricity", `{"demand_mwh": 4000000, "certificates_mwh": 5000, "sources": [`+pvSource+`, {"kind": "grid", "share": 1}]}`)
	if got := r.Scenarios[5].Outputs; !near(*got.EFMarket, want.EFMarketTCO2PerMWh) || !near(*got.EFLocation, want.EFLocationTCO2PerMWh) {
		t.Errorf("variant 5 %v/%v, endpoint %v/%v", *got.EFLocation, *got.EFMarket, want.EFLocationTCO2PerMWh, want.EFMarketTCO2PerMWh)
	}
	if got := r.Scenarios[5].Outputs.ExportedMWh; got == nil || !near(*got, want.ExportedMWh) {
		t.Errorf("variant 5 exported %v, endpoint %v", got, want.ExportedMWh)
	}

	// A fixed volume above demand is exported: 5,000,000 − 4,000,000 MWh.
	over := postOK[compareResponse](t, e, "/v1/scenarios/compare", `{"kind": "electricity", "base": {"demand_mwh": 4000000, "sources": [{"kind": "grid", "share": 1}]},
	  "variants": [{"name": "oversized line", "patch": {"sources": [{"kind": "direct_line", "technology": "wind", "mwh": 5000000}]}}]}`)
	if got := over.Scenarios[1].Outputs.ExportedMWh; got == nil || *got != 1e6 {
		t.Errorf("oversized direct line exported %v MWh, want 1000000", got)
	}
	if got := over.Scenarios[0].Outputs.ExportedMWh; got == nil || *got != 0 {
		t.Errorf("base exported %v MWh, want 0", got)
	}

	pvBody := `{"kind": "pv", "base": {"site": "datong", "system": {"capacity_kwp": 1000}}, "variants": [
	  {"name": "perez", "patch": {"system": {"transposition": "perez"}}, "capex_cny": 3000000, "lifetime_years": 25},
	  {"name": "bad tilt", "patch": {"system": {"tilt_deg": 120}}}]}`
	p := postOK[compareResponse](t, e, "/v1/scenarios/compare", pvBody)
	single := postOK[pvResponse](t, e, "/v1/pv", `{"site": "datong", "system": {"capacity_kwp": 1000, "transposition": "perez"}}`)
	if got := p.Scenarios[1].Outputs; got == nil || !near(*got.PVAnnualMWh, single.AnnualACKWh/1000) {
		t.Errorf("pv variant %+v, endpoint %v kWh", got, single.AnnualACKWh)
	}
	if a := p.Scenarios[1].Abatement; a == nil || a.CostCNYPerTCO2e != nil || !strings.Contains(a.Note, "PV system alone") {
		t.Errorf("pv abatement %+v", a)
	}
	if errs := p.Scenarios[2].Errors; len(errs) != 1 || errs[0].Pointer != "/variants/1/patch/system/tilt_deg" {
		t.Errorf("bad tilt errors %+v", errs)
	}
}

func TestScenarioValidation(t *testing.T) {
	e, _, _ := testServer(t)
	many := strings.TrimSuffix(strings.Repeat(`{"patch": {}},`, 101), ",")
	tests := []struct {
		name, path, body, pointer, detail string
	}{
		{"invalid base", "/v1/scenarios/compare", `{"kind": "primary", "base": {"electrolysis": {"ac_kwh_per_t": 5}}, "variants": [{"patch": {}}]}`, "/base/electrolysis/ac_kwh_per_t", "between"},
		{"unknown field in base", "/v1/scenarios/compare", `{"kind": "primary", "base": {"alumnia": {}}, "variants": [{"patch": {}}]}`, "/base/alumnia", "unknown field"},
		{"unknown kind", "/v1/scenarios/compare", `{"kind": "steel", "base": {}, "variants": [{"patch": {}}]}`, "/kind", "must be one of"},
		{"invalid product base", "/v1/scenarios/compare", `{"kind": "product", "base": {"product": "cans"}, "variants": [{"patch": {}}]}`, "/base/product", ""},
		{"unknown uncertainty kind", "/v1/uncertainty", `{"kind": "pv", "request": {}}`, "/kind", "primary or product"},
		{"too many variants", "/v1/scenarios/compare", `{"kind": "primary", "base": {}, "variants": [` + many + `]}`, "/variants", "1 to 100"},
		{"patch not object", "/v1/scenarios/compare", `{"kind": "primary", "base": {}, "variants": [{"patch": 3}]}`, "/variants/0/patch", "merge patch"},
		{"capex without lifetime", "/v1/scenarios/compare", `{"kind": "primary", "base": {}, "variants": [{"patch": {}, "capex_cny": 1}]}`, "/variants/0/lifetime_years", "required"},
		{"pointer not in schema", "/v1/scenarios/sweep", `{"kind": "primary", "base": {}, "parameter": "/electrolysis/ac_kwh", "values": [1]}`, "/parameter", "not in the request schema"},
		{"pointer to object", "/v1/scenarios/sweep", `{"kind": "primary", "base": {}, "parameter": "/electrolysis", "values": [1]}`, "/parameter", "object"},
		{"array element missing", "/v1/scenarios/sweep", `{"kind": "primary", "base": {}, "parameter": "/electricity/sources/0/share", "values": [1]}`, "/parameter", "does not exist"},
		{"too many points", "/v1/scenarios/sweep", `{"kind": "primary", "base": {}, "parameter": "/production_t", "range": {"from": 1, "to": 2, "steps": 1001}}`, "/range/steps", "between 2 and 1000"},
		{"range on text", "/v1/scenarios/sweep", `{"kind": "primary", "base": {}, "parameter": "/gwp", "range": {"from": 1, "to": 2, "steps": 3}}`, "/range", "not a number"},
		// Issue 16, row 5: a span that overflows, or steps below the
		// rounding of the ends, is a 422, never a 500.
		{"range overflowing", "/v1/scenarios/sweep", `{"kind": "primary", "base": {}, "parameter": "/production_t", "range": {"from": -1e308, "to": 1e308, "steps": 9}}`, "/range", "cannot be represented"},
		{"range below rounding", "/v1/scenarios/sweep", `{"kind": "primary", "base": {}, "parameter": "/production_t", "range": {"from": 1e16, "to": 1.0000000000000002e16, "steps": 1000}}`, "/range", "cannot be represented"},
		{"values and range", "/v1/scenarios/sweep", `{"kind": "primary", "base": {}, "parameter": "/gwp", "values": ["AR4"], "range": {"from": 1, "to": 2, "steps": 3}}`, "/values", "one of them"},
		{"samples too many", "/v1/uncertainty", `{"request": {}, "samples": 100001}`, "/samples", "between 100 and 100000"},
		{"samples too few", "/v1/uncertainty", `{"request": {}, "samples": 10}`, "/samples", "between"},
		{"unknown input pointer", "/v1/uncertainty", `{"request": {}, "distributions": [{"pointer": "/electrolysis/technology", "distribution": "normal", "sd": 0.1}]}`, "/distributions/0/pointer", "allowed"},
		{"bad distribution", "/v1/uncertainty", `{"request": {}, "distributions": [{"pointer": "/electrolysis/pfc", "distribution": "triangular", "min": 0.9, "mode": 1.2, "max": 1.1}]}`, "/distributions/0/mode", "between min and max"},
		{"sd missing", "/v1/uncertainty", `{"request": {}, "distributions": [{"pointer": "/electrolysis/pfc", "distribution": "normal"}]}`, "/distributions/0/sd", "required"},
		{"invalid footprint request", "/v1/uncertainty", `{"request": {"anode": {"net_carbon_t_per_t": 2}}}`, "/request/anode/net_carbon_t_per_t", "between"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := postJSON(t, e, tc.path, tc.body)
			if rec.Code != 422 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if p := decodeProblem(t, rec); !hasPointer(p, tc.pointer, tc.detail) {
				t.Errorf("errors %+v, want %s ~ %q", p.Errors, tc.pointer, tc.detail)
			}
		})
	}
}

// TestSweep: each point equals a single call with the value set; a point
// the endpoint refuses gets its own errors.
func TestSweep(t *testing.T) {
	e, _, _ := testServer(t)
	body := `{"kind": "primary", "base": ` + scenarioSmelter + `, "parameter": "/electricity/sources/1/share", "values": [0.4, 0.7]}`
	rec := postJSON(t, e, "/v1/scenarios/sweep", body)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	r := decodeJSON[sweepResponse](t, rec.Body.Bytes())
	if len(r.Points) != 2 || r.Points[0].Outputs == nil || r.Points[1].Errors == nil || r.Points[1].Errors[0].Pointer != "/base/electricity/sources" {
		t.Fatalf("points %+v", r.Points)
	}
	want := primaryTotals(t, e, scenarioSmelter)
	if !near(*r.Points[0].Outputs.TotalLocationBased, want.Total.LocationBased) {
		t.Errorf("point 0 %v, endpoint %v", *r.Points[0].Outputs.TotalLocationBased, want.Total.LocationBased)
	}

	ac := `{"kind": "primary", "base": ` + scenarioSmelter + `, "parameter": "/electrolysis/ac_kwh_per_t", "range": {"from": 12800, "to": 13600, "steps": 5}}`
	s := postOK[sweepResponse](t, e, "/v1/scenarios/sweep", ac)
	for i, p := range s.Points {
		v := 12800 + 200*float64(i)
		single := primaryTotals(t, e, strings.Replace(scenarioSmelter, `"ac_kwh_per_t": 13500`, fmt.Sprintf(`"ac_kwh_per_t": %g`, v), 1))
		if p.Outputs == nil || !near(*p.Outputs.TotalLocationBased, single.Total.LocationBased) || !near(*p.Outputs.TotalMarketBased, single.Total.MarketBased) {
			t.Errorf("point %d (%v): %+v, endpoint %v", i, p.Value, p.Outputs, single.Total)
		}
	}
	// A parameter absent from the base is created (casting object).
	cast := postOK[sweepResponse](t, e, "/v1/scenarios/sweep", `{"kind": "primary", "base": {}, "parameter": "/casting/molten", "values": [false, true]}`)
	if cast.Points[1].Outputs == nil || *cast.Points[1].Outputs.TotalLocationBased >= *cast.Points[0].Outputs.TotalLocationBased {
		t.Errorf("molten sweep %+v", cast.Points)
	}
}

// TestUncertaintyEndpoint: the same seed gives an identical body, another
// seed a close one; the deterministic total lies inside p5..p95; defaults
// are listed with sources; a second call is a cache hit.
func TestUncertaintyEndpoint(t *testing.T) {
	e, _, _ := testServer(t)
	body := func(seed int) string {
		return fmt.Sprintf(`{"kind": "primary", "request": %s, "seed": %d, "distributions": [{"pointer": "/electrolysis/ac_kwh_per_t", "distribution": "triangular", "min": 0.97, "mode": 1, "max": 1.02, "source": "audit"}]}`, referenceSmelter, seed)
	}
	a := postJSON(t, e, "/v1/uncertainty", body(42))
	if a.Code != 200 {
		t.Fatalf("status %d: %s", a.Code, a.Body)
	}
	r := decodeJSON[uncertaintyResponse](t, a.Body.Bytes())
	det := primaryTotals(t, e, referenceSmelter)
	for _, s := range []struct {
		sum summaryResponse
		det float64
	}{{r.Total.LocationBased, det.Total.LocationBased}, {r.Total.MarketBased, det.Total.MarketBased}} {
		if !near(s.sum.Deterministic, s.det) || !(s.sum.P5 < s.det && s.det < s.sum.P95) {
			t.Errorf("summary %+v, deterministic %v", s.sum, s.det)
		}
	}
	if r.Samples != 10000 || len(r.Contributions) < 5 {
		t.Errorf("samples %d, contributions %+v", r.Samples, r.Contributions)
	}
	for _, in := range r.Inputs {
		if in.Distribution != "none" && in.Source == "" {
			t.Errorf("input %s without source", in.Pointer)
		}
		if in.Pointer == "/electrolysis/ac_kwh_per_t" && (in.Default || in.Source != "audit" || *in.Mode != 1) {
			t.Errorf("override not applied: %+v", in)
		}
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

// BenchmarkCompare100PVVariants: 100 variants of a smelter with a 100 MWp
// PV system modelled hour by hour, each with a different certificate
// volume: the PV system is computed once and shared.
func BenchmarkCompare100PVVariants(b *testing.B) {
	e, c, _ := testServer(b)
	var vs []string
	for i := range 100 {
		vs = append(vs, fmt.Sprintf(`{"name": "v%d", "patch": {"electricity": {"certificates_mwh": %d}}, "capex_cny": 1e8, "lifetime_years": 20}`, i, 1000*(i+1)))
	}
	body := `{"kind": "primary", "base": {"production_t": 300000, "electricity": {"sources": [` + pvSource + `, {"kind": "grid", "share": 1}]}}, "variants": [` + strings.Join(vs, ",") + `]}`
	b.ReportAllocs()
	for b.Loop() {
		c.Purge()
		if rec := postJSON(b, e, "/v1/scenarios/compare", body); rec.Code != 200 {
			b.Fatal(rec.Code, rec.Body)
		}
	}
}

// BenchmarkCompare100DistinctPV: 100 variants each with its own PV size:
// 100 hourly PV simulations.
func BenchmarkCompare100DistinctPV(b *testing.B) {
	e, c, _ := testServer(b)
	var vs []string
	for i := range 100 {
		vs = append(vs, fmt.Sprintf(`{"name": "v%d", "patch": {"electricity": {"sources": [{"kind": "onsite_pv", "pv": {"site": "taiyuan", "system": {"capacity_kwp": %d}}}, {"kind": "grid", "share": 1}]}}}`, i, 10000*(i+1)))
	}
	body := `{"kind": "primary", "base": {"production_t": 300000}, "variants": [` + strings.Join(vs, ",") + `]}`
	b.ReportAllocs()
	for b.Loop() {
		c.Purge()
		if rec := postJSON(b, e, "/v1/scenarios/compare", body); rec.Code != 200 {
			b.Fatal(rec.Code, rec.Body)
		}
	}
}

// BenchmarkUncertaintyUncached: 10,000 samples of the reference smelter
// through the router, computed every time.
func BenchmarkUncertaintyUncached(b *testing.B) {
	e, c, _ := testServer(b)
	body := `{"request": ` + referenceSmelter + `}`
	b.ReportAllocs()
	for b.Loop() {
		c.Purge()
		if rec := postJSON(b, e, "/v1/uncertainty", body); rec.Code != 200 {
			b.Fatal(rec.Code, rec.Body)
		}
	}
}

// BenchmarkUncertaintyCached: the same request, memory hits.
func BenchmarkUncertaintyCached(b *testing.B) {
	e, _, _ := testServer(b)
	body := `{"request": ` + referenceSmelter + `}`
	b.ReportAllocs()
	for b.Loop() {
		if rec := postJSON(b, e, "/v1/uncertainty", body); rec.Code != 200 {
			b.Fatal(rec.Code, rec.Body)
		}
	}
}

// TestCompareProduct: a product variant equals the same request sent to
// POST /v1/footprints/product.
func TestCompareProduct(t *testing.T) {
	e, _, _ := testServer(t)
	base := `{"product": "building_profile", "production_t": 50000}`
	r := postOK[compareResponse](t, e, "/v1/scenarios/compare", `{"kind": "product", "base": `+base+`, "variants": [{"name": "operational", "patch": {"electricity_basis": "co2_operational"}}]}`)
	for i, body := range []string{base, `{"product": "building_profile", "production_t": 50000, "electricity_basis": "co2_operational"}`} {
		want := postOK[struct {
			Total totalResponse `json:"total_tco2e_per_t"`
		}](t, e, "/v1/footprints/product", body)
		got := r.Scenarios[i].Outputs
		if got == nil || !near(*got.TotalLocationBased, want.Total.LocationBased) || !near(*got.TotalMarketBased, want.Total.MarketBased) ||
			!near(*got.AnnualLocationBased, want.Total.LocationBased*50000) {
			t.Errorf("scenario %d: %+v, endpoint %+v", i, got, want.Total)
		}
	}
}
