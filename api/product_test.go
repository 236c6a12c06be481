package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"alcarbon/registry"
)

// issueProduct is the request of issue #5.
const issueProduct = `{
  "product": "building_profile", "alloy": "6063", "region": "CN-SX", "year": 2023, "gwp": "AR5",
  "metal": {"primary_footprint_tco2e_per_t": 12.7,
            "post_consumer_scrap_share": 0.1, "pre_consumer_scrap_share": 0.05,
            "post_consumer_scrap_tco2e_per_t": 0.5},
  "yield": 0.8,
  "steps": [{"step": "extrusion", "electricity_kwh_per_t": 400, "natural_gas_nm3_per_t": 30}],
  "direct_supply": {"molten_share": 0.8, "haul_km": 20, "ingot_transport_km": 300, "ingot_transport_mode": "road"},
  "electricity": {"sources": [{"kind": "grid", "share": 1}]},
  "transport": [{"mode": "rail", "km": 800}]
}`

func TestProductsEndpoint(t *testing.T) {
	e, _, _ := testServer(t)
	rec := do(t, e, http.MethodGet, "/v1/products", "", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	out := decodeJSON[productsResponse](t, rec.Body.Bytes())
	if out.Count != 6 || len(out.Products) != 6 {
		t.Fatalf("count %d, %d products", out.Count, len(out.Products))
	}
	var bp *productFamilyResponse
	for i := range out.Products {
		if out.Products[i].ID == "building_profile" {
			bp = &out.Products[i]
		}
	}
	if bp == nil {
		t.Fatal("no building_profile")
	}
	if bp.CNCode != "7604" || bp.Alloys[0].ID != "6063" || bp.Alloys[0].CompositionPct["Mg"] != 0.675 || bp.DefaultYield.Value != 0.69 {
		t.Errorf("building_profile = %+v", bp)
	}
	steps := make([]string, len(bp.Route))
	for i, s := range bp.Route {
		steps[i] = s.Step
	}
	if !slices.Equal(steps, []string{"remelting", "billet_casting_building", "homogenising_building", "extrusion_building", "anodising"}) {
		t.Errorf("route %v", steps)
	}
	// Extrusion: GB 21351-2023 100/125/150 kgce/t; default the grade-3 limit,
	// 13 % electricity (US DOE 2007: 87 % fossil thermal).
	ex := bp.Route[3]
	if ex.GB21351GradeLimitsKgcePerT != [3]float64{100, 125, 150} || ex.DefaultEnergyKgcePerT != 150 || ex.ElectricityFraction != 0.13 || ex.ElectricityFractionConfidence != "M" {
		t.Errorf("extrusion = %+v", ex)
	}
	if !near(ex.DefaultElectricityKWhPerT, 150*0.13*29.3076/3.6) {
		t.Errorf("extrusion kWh %v", ex.DefaultElectricityKWhPerT)
	}
	if !slices.Contains(out.Steps, "remelting") || !slices.Contains(out.Steps, "powder_coating") {
		t.Errorf("steps %v", out.Steps)
	}
	if len(out.Provenance.Factors) == 0 {
		t.Error("no provenance factors")
	}
	if len(out.NotFound) != len(productGaps) {
		t.Errorf("not_found has %d gaps, want %d (every id in productGaps is in gaps.csv)", len(out.NotFound), len(productGaps))
	}
}

func TestProductFootprintFamiliesDefaults(t *testing.T) {
	e, _, _ := testServer(t)
	for _, id := range []string{"building_profile", "industrial_profile", "automotive_part", "rail_transit_profile", "household_foil", "conductor_rod"} {
		t.Run(id, func(t *testing.T) {
			rec := postJSON(t, e, "/v1/footprints/product", `{"product": "`+id+`"}`)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			out := decodeJSON[productResponse](t, rec.Body.Bytes())
			var names []string
			var sum float64
			for _, s := range out.Stages {
				names = append(names, s.Stage)
				sum += s.TCO2ePerT
			}
			if !slices.Equal(names, []string{"primary_metal", "recycled_metal", "alloying", "casting", "processing", "transport"}) {
				t.Errorf("stages %v", names)
			}
			if !near(sum, out.Total.LocationBased) || out.Total.LocationBased <= 0 {
				t.Errorf("Σ stages %v, total %v", sum, out.Total.LocationBased)
			}
			if out.Metal.PrimarySource != "region_default" || out.Region != "CN-SX" || out.ElectricityBasis != "lifecycle" {
				t.Errorf("metal %+v region %s basis %s", out.Metal, out.Region, out.ElectricityBasis)
			}
			if out.CBAM.CNCode == "" || out.DirectSupply.AvoidedTCO2ePerT.LocationBased != 0 {
				t.Errorf("cbam %+v direct supply %+v", out.CBAM, out.DirectSupply)
			}
			if !slices.Contains(out.Provenance.DefaultedInputs, "/metal/primary_footprint_tco2e_per_t") {
				t.Errorf("defaulted %v", out.Provenance.DefaultedInputs)
			}
		})
	}
}

func TestProductFootprintIssueExample(t *testing.T) {
	e, _, _ := testServer(t)
	// The issue names the step "extrusion": it is the route's extrusion_building.
	rec := postJSON(t, e, "/v1/footprints/product", issueProduct)
	if rec.Code != http.StatusOK || rec.Header().Get("X-Cache") != "miss" {
		t.Fatalf("status %d, X-Cache %q: %s", rec.Code, rec.Header().Get("X-Cache"), rec.Body)
	}
	out := decodeJSON[productResponse](t, rec.Body.Bytes())
	d := out.DirectSupply
	if !near(d.AvoidedTCO2ePerT.LocationBased, d.WithoutTCO2ePerT.LocationBased-d.WithTCO2ePerT.LocationBased) ||
		!near(d.WithTCO2ePerT.LocationBased, out.Total.LocationBased) || d.AvoidedTCO2ePerT.LocationBased <= 0 {
		t.Errorf("direct supply %+v, total %+v", d, out.Total)
	}
	a := d.AvoidedBy
	if !near(a.CastingEnergy+a.RemeltingFuel+a.MeltLoss+a.Transport+a.Other, d.AvoidedTCO2ePerT.LocationBased) {
		t.Errorf("avoided parts %+v do not add up to %v", a, d.AvoidedTCO2ePerT.LocationBased)
	}
	for _, s := range out.Steps {
		if s.Step == "extrusion_building" && (s.Defaulted || s.ElectricityKWhPerT != 400 || s.GB21351Grade != 1) {
			t.Errorf("extrusion step %+v", s)
		}
	}
	if out.CBAM.CNCode != "7604" || out.CBAM.DefaultValueTCO2ePerT == nil || out.CBAM.PrecursorSEEDirectTCO2ePerT != 3.0 {
		t.Errorf("cbam %+v", out.CBAM)
	}
	if !near(out.Metal.RecycledContent, 0.15*(1-0.01075)) {
		t.Errorf("recycled content %v", out.Metal.RecycledContent)
	}

	// The same request again is a memory hit with the same body.
	again := postJSON(t, e, "/v1/footprints/product", issueProduct)
	if again.Header().Get("X-Cache") != "hit-memory" || again.Body.String() != rec.Body.String() {
		t.Errorf("second request X-Cache %q", again.Header().Get("X-Cache"))
	}
}

// TestProductInlinePrimaryAPI: an inline primary request gives the same
// product footprint as passing the primary endpoint's total.
func TestProductInlinePrimaryAPI(t *testing.T) {
	e, _, _ := testServer(t)
	primary := `{"electrolysis": {"ac_kwh_per_t": 13200}, "electricity_basis": "co2_operational"}`
	rec := postJSON(t, e, "/v1/footprints/primary", primary)
	if rec.Code != http.StatusOK {
		t.Fatalf("primary: %d %s", rec.Code, rec.Body)
	}
	total := decodeJSON[primaryResponse](t, rec.Body.Bytes()).Total.LocationBased
	body := func(metal string) string {
		return `{"product": "industrial_profile", "electricity_basis": "co2_operational", "metal": ` + metal + `}`
	}
	given := postJSON(t, e, "/v1/footprints/product", body(fmt.Sprintf(`{"primary_footprint_tco2e_per_t": %v}`, total)))
	inline := postJSON(t, e, "/v1/footprints/product", body(`{"primary": `+primary+`}`))
	if given.Code != http.StatusOK || inline.Code != http.StatusOK {
		t.Fatalf("given %d %s; inline %d %s", given.Code, given.Body, inline.Code, inline.Body)
	}
	g := decodeJSON[productResponse](t, given.Body.Bytes())
	in := decodeJSON[productResponse](t, inline.Body.Bytes())
	if !near(g.Total.LocationBased, in.Total.LocationBased) || !near(g.Total.MarketBased, in.Total.MarketBased) {
		t.Errorf("given %+v, inline %+v", g.Total, in.Total)
	}
	if in.Metal.PrimarySource != "inline" || g.Metal.PrimarySource != "given" {
		t.Errorf("sources %q %q", in.Metal.PrimarySource, g.Metal.PrimarySource)
	}
	// An invalid inline field is named under /metal/primary.
	rec = postJSON(t, e, "/v1/footprints/product", body(`{"primary": {"electrolysis": {"ac_kwh_per_t": 5}}}`))
	if rec.Code != http.StatusUnprocessableEntity || !hasPointer(decodeProblem(t, rec), "/metal/primary/electrolysis/ac_kwh_per_t", "between") {
		t.Errorf("inline validation: %d %s", rec.Code, rec.Body)
	}
}

func TestProductValidation(t *testing.T) {
	e, _, _ := testServer(t)
	tests := []struct {
		name, body, pointer, detail string
	}{
		{"no product", `{}`, "/product", "required"},
		{"unknown product", `{"product": "cans"}`, "/product", "household_foil"},
		{"unknown alloy", `{"product": "household_foil", "alloy": "7075"}`, "/alloy", "8011"},
		{"unknown step", `{"product": "household_foil", "steps": [{"step": "pickling"}]}`, "/steps/0/step", "foil_rolling"},
		{"share range", `{"product": "household_foil", "metal": {"post_consumer_scrap_share": 1.5}}`, "/metal/post_consumer_scrap_share", "between 0 and 1"},
		{"shares sum", `{"product": "household_foil", "metal": {"post_consumer_scrap_share": 0.6, "pre_consumer_scrap_share": 0.5}}`, "/metal", "at most 1"},
		{"yield zero", `{"product": "household_foil", "yield": 0}`, "/yield", "greater than 0"},
		{"yield above 1", `{"product": "household_foil", "yield": 1.1}`, "/yield", "at most 1"},
		{"two primaries", `{"product": "household_foil", "metal": {"primary_footprint_tco2e_per_t": 12, "primary": {}}}`, "/metal", "one of"},
		{"molten share", `{"product": "household_foil", "direct_supply": {"molten_share": 2}}`, "/direct_supply/molten_share", "between"},
		{"mode", `{"product": "household_foil", "transport": [{"mode": "air", "km": 5}]}`, "/transport/0/mode", "road, rail, water"},
		{"pv needs production", `{"product": "household_foil", "electricity": {"sources": [{"kind": "grid", "mwh": 5}]}}`, "/electricity/sources/0/mwh", "production_t"},
		{"declaration without registry", `{"product": "household_foil", "metal": {"declaration_id": "abc"}}`, "/metal/declaration_id", "not available"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := postJSON(t, e, "/v1/footprints/product", tc.body)
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if p := decodeProblem(t, rec); !hasPointer(p, tc.pointer, tc.detail) {
				t.Errorf("problem errors %+v, want %s containing %q", p.Errors, tc.pointer, tc.detail)
			}
		})
	}
}

// TestProductFootprintDeclaration uses a real (SQLite) registry: an unknown
// declaration id is a 422 naming the field; a primary declaration's total is
// used as the primary footprint; a product declaration is refused.
func TestProductFootprintDeclaration(t *testing.T) {
	store, err := registry.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e, _, _ := newTestServer(t, func(o *Options) { o.Store = store })
	rec := postJSON(t, e, "/v1/footprints/product", `{"product": "conductor_rod", "metal": {"declaration_id": "6f1c2b1e-8a43-4d1c-9a55-0b0c8f6d2a10"}}`)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if p := decodeProblem(t, rec); !hasPointer(p, "/metal/declaration_id", "6f1c2b1e-8a43-4d1c-9a55-0b0c8f6d2a10") {
		t.Errorf("problem %+v", p)
	}

	// A published public primary declaration: its total is the primary footprint.
	ctx := context.Background()
	org, err := store.CreateOrganisation(ctx, "Shanxi smelter")
	if err != nil {
		t.Fatal(err)
	}
	decl := func(kind string) registry.Declaration {
		d, err := store.CreateDeclaration(ctx, registry.Declaration{
			OrgID: org.ID, Kind: kind, ProductName: "primary ingot", Region: "CN-SX", PeriodStart: "2023-01-01", PeriodEnd: "2023-12-31",
			Visibility: registry.VisibilityPublic, Request: []byte(`{}`), Result: []byte(`{}`), DatasetVersion: "2026.1",
			EngineVersion: "test", TotalTCO2ePerT: 12.7,
		})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	prim, prod := decl(registry.KindPrimary), decl(registry.KindProduct)
	viaDecl := postJSON(t, e, "/v1/footprints/product", `{"product": "conductor_rod", "metal": {"declaration_id": "`+prim.ID+`"}}`)
	viaNumber := postJSON(t, e, "/v1/footprints/product", `{"product": "conductor_rod", "metal": {"primary_footprint_tco2e_per_t": 12.7}}`)
	if viaDecl.Code != http.StatusOK || viaNumber.Code != http.StatusOK {
		t.Fatalf("declaration %d %s; number %d", viaDecl.Code, viaDecl.Body, viaNumber.Code)
	}
	d, n := decodeJSON[productResponse](t, viaDecl.Body.Bytes()), decodeJSON[productResponse](t, viaNumber.Body.Bytes())
	if d.Total != n.Total || d.Metal.PrimarySource != "declaration" {
		t.Errorf("declaration %+v (%s), number %+v", d.Total, d.Metal.PrimarySource, n.Total)
	}
	rec = postJSON(t, e, "/v1/footprints/product", `{"product": "conductor_rod", "metal": {"declaration_id": "`+prod.ID+`"}}`)
	if rec.Code != http.StatusUnprocessableEntity || !hasPointer(decodeProblem(t, rec), "/metal/declaration_id", "primary aluminium declaration") {
		t.Errorf("product declaration: %d %s", rec.Code, rec.Body)
	}
}

// BenchmarkProductUncached sends distinct requests so every one is computed.
func BenchmarkProductUncached(b *testing.B) {
	e, _, _ := testServer(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		body := strings.Replace(issueProduct, `"haul_km": 20`, fmt.Sprintf(`"haul_km": %d`, 20+i%900), 1)
		body = strings.Replace(body, `"km": 800`, fmt.Sprintf(`"km": %d`, 800+i/900), 1)
		rec := postJSON(b, e, "/v1/footprints/product", body)
		if rec.Code != 200 {
			b.Fatal(rec.Code, rec.Body)
		}
	}
}

// BenchmarkProductCached sends the same request: memory hits.
func BenchmarkProductCached(b *testing.B) {
	e, _, _ := testServer(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		rec := postJSON(b, e, "/v1/footprints/product", issueProduct)
		if rec.Code != 200 {
			b.Fatal(rec.Code, rec.Body)
		}
	}
}
