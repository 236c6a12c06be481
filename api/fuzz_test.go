package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"alcarbon/pact"
)

// Fuzz targets for the request decoding and validation of every POST
// endpoint. Seeds are added here and committed under
// testdata/fuzz/<Target>/; plain `go test` runs them all, and
// scripts/test.sh fuzzes each target for FUZZTIME (default 3s).

// fuzzPost fuzzes one POST endpoint of the router built by newTestServer,
// with a 1 MB body limit.
func fuzzPost(f *testing.F, path string, seeds ...string) {
	e, _, _ := newTestServer(f, func(o *Options) { o.BodyLimit = 1 << 20 })
	fuzzRouter(f, e, path, "application/json", nil, seeds...)
}

// fuzzRouter fuzzes POST path on e with the given content type and
// headers: whatever the body, the answer is never a 5xx; an error is
// problem+json, or its path's own shape for /auth and /2 (package pact).
func fuzzRouter(f *testing.F, e *echo.Echo, path, contentType string, headers []string, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := do(t, e, http.MethodPost, path, contentType, string(body), headers...)
		if rec.Code >= 500 {
			t.Fatalf("%s answered %d to %q: %s", path, rec.Code, body, rec.Body)
		}
		ct := rec.Header().Get("Content-Type")
		switch shape := shapeOf(path); {
		case shape == shapeProblem || rec.Code == http.StatusRequestEntityTooLarge:
			// The body limit runs before /2's and /auth's error middleware.
			if rec.Code >= 400 && ct != "application/problem+json" {
				t.Fatalf("%s: error %d is %q, not problem+json", path, rec.Code, ct)
			}
		default:
			if rec.Code >= 400 && !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("%s: error %d is %q, not JSON", path, rec.Code, ct)
			}
		}
		if rec.Code < 400 && rec.Code != http.StatusOK && rec.Code != http.StatusCreated {
			t.Fatalf("%s: unexpected status %d", path, rec.Code)
		}
	})
}

func FuzzPrimaryFootprint(f *testing.F) {
	fuzzPost(f, "/v1/footprints/primary", referenceSmelter, `{}`, `{"year": 2019}`, `{"electricity": {"sources": [{"kind": "grid", "share": 1}]}}`,
		`{"electrolysis": {"technology": "PFPB_MW", "pfc": {"method": "slope", "anode_effect_minutes_per_cell_day": 0.1}}}`,
		`{"electrolysis": {"technology": "SWPB", "pfc": {"method": "overvoltage", "anode_effect_overvoltage_mv": 1, "current_efficiency": 0.94}}}`,
		`{"alumina": {"refinery": {"natural_gas_nm3_per_t": 300}}, "casting": {"molten": true}}`, `[]`, `null`, `{"production_t": 0}`)
}

func FuzzElectricity(f *testing.F) {
	fuzzPost(f, "/v1/electricity", `{"demand_mwh": 1000, "sources": [{"kind": "green_contract", "technology": "wind", "mwh": 200}, {"kind": "grid", "share": 1}], "certificates_mwh": 100}`,
		`{"sources": [{"kind": "captive", "fuel": "coal", "coal_gce_per_kwh": 300, "share": 1}]}`, `{"residual_mix": "national_excluding_market_nonfossil"}`)
}

func FuzzPV(f *testing.F) {
	fuzzPost(f, "/v1/pv", `{"site": "taiyuan", "system": {"capacity_kwp": 1000}}`,
		`{"location": {"latitude": 37.9, "longitude": 112.5}, "system": {"capacity_kwp": 10, "tilt_deg": 90, "azimuth_deg": 0}, "solar_resource": {"annual_ghi_kwh_m2": 1400}}`,
		`{"location": {"latitude": -89, "longitude": 0}, "system": {"capacity_kwp": 1}, "solar_resource": {"monthly_ghi_kwh_m2": [1,1,1,1,1,1,1,1,1,1,1,1]}}`)
}

func FuzzPlantAssessment(f *testing.F) {
	fuzzPost(f, "/v1/assessments/plant", `{"smelter": {"liquid_ac_kwh_per_t": 12990}, "stack": {"so2_mg_m3": 120}}`, `{"alumina": {"route": "other", "comprehensive_energy_kgce_per_t": 600}}`)
}

func FuzzProductFootprint(f *testing.F) {
	fuzzPost(f, "/v1/footprints/product", issueProduct, `{"product": "household_foil"}`,
		`{"product": "household_foil", "metal": {"primary": {"electrolysis": {"ac_kwh_per_t": 13000}}}}`,
		`{"product": "building_profile", "direct_supply": {"molten_share": 1}, "transport": [{"mode": "water", "km": 1}]}`, `{}`)
}

func FuzzCompareScenarios(f *testing.F) {
	fuzzPost(f, "/v1/scenarios/compare",
		`{"kind": "primary", "base": `+scenarioSmelter+`, "variants": [{"name": "certs", "patch": {"electricity": {"certificates_mwh": 1000}}}, {"patch": {"electrolysis": {"ac_kwh_per_t": 13000}}, "capex_cny": 1e6, "lifetime_years": 10}]}`,
		`{"kind": "product", "base": {"product": "household_foil"}, "variants": [{"patch": {"yield": 0.9}}]}`,
		`{"kind": "primary", "base": {}, "variants": [{"patch": {"electricity": null}}]}`)
}

func FuzzSweep(f *testing.F) {
	fuzzPost(f, "/v1/scenarios/sweep",
		`{"kind": "primary", "base": `+scenarioSmelter+`, "parameter": "/electrolysis/ac_kwh_per_t", "range": {"from": 12800, "to": 13600, "steps": 5}}`,
		`{"kind": "primary", "base": {}, "parameter": "/casting/molten", "values": [false, true]}`,
		`{"kind": "primary", "base": `+scenarioSmelter+`, "parameter": "/electricity/sources/1/share", "values": [0.4, 0.7]}`)
}

// FuzzUncertainty seeds use 100 samples, the minimum, to keep each run short.
func FuzzUncertainty(f *testing.F) {
	fuzzPost(f, "/v1/uncertainty",
		`{"kind": "primary", "request": `+scenarioSmelter+`, "samples": 100, "seed": 1}`,
		`{"request": {}, "samples": 100, "distributions": [{"pointer": "/electrolysis/ac_kwh_per_t", "distribution": "triangular", "min": 0.97, "mode": 1, "max": 1.02}]}`,
		`{"request": {}, "samples": 100, "defaults": false, "distributions": [{"pointer": "/electrolysis/pfc", "distribution": "lognormal", "sd": 0.3}]}`)
}

// FuzzDeclarations publishes with a valid API key to a SQLite registry.
func FuzzDeclarations(f *testing.F) {
	r := newRegistryEnv(f, openSQLite, func(o *Options) { o.BodyLimit, o.RateLimit, o.RateBurst = 1<<20, 1e9, 1<<30 })
	_, key := r.org(f, "Supplier")
	r.org(f, "Buyer")
	fuzzRouter(f, r.e, "/v1/declarations", "application/json", auth(key),
		declaration(""), declaration(`"visibility": "public"`), declaration(`"buyers": ["Buyer"]`),
		`{"kind": "product", "request": {"product": "household_foil"}, "product_name": "foil", "reference_period": {"start": "2024-01-01", "end": "2024-12-31"}}`)
}

// FuzzPACTEvents posts CloudEvents with a valid PACT access token.
func FuzzPACTEvents(f *testing.F) {
	r := newRegistryEnv(f, openSQLite)
	o, _ := r.org(f, "Buyer")
	token := r.pactToken(f, o.ID)
	fuzzRouter(f, r.e, "/2/events", "application/cloudevents+json", auth(token),
		`{"type": "`+pact.EventPublished+`", "specversion": "1.0", "id": "1", "source": "//x", "data": {"pfIds": ["a"]}}`,
		`{"type": "`+pact.EventRequestCreated+`", "specversion": "1.0", "id": "2", "source": "//x", "data": {"pf": {"productIds": ["urn:gtin:1"]}}}`)
}

// FuzzPACTToken posts form bodies to /auth/token with valid client
// credentials.
func FuzzPACTToken(f *testing.F) {
	r := newRegistryEnv(f, openSQLite)
	o, _ := r.org(f, "Buyer")
	id, secret, err := r.store.CreatePACTClient(f.Context(), o.ID)
	if err != nil {
		f.Fatal(err)
	}
	fuzzRouter(f, r.e, "/auth/token", "application/x-www-form-urlencoded", []string{"Authorization", basic(id, secret)},
		"grant_type=client_credentials", "grant_type=password", "", "grant_type=%zz&scope=a")
}
