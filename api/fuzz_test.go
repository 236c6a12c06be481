package api

import (
	"net/http"
	"testing"
)

// fuzzPost fuzzes one POST endpoint through the real router: whatever the
// body, the answer is never a 5xx and an error is problem+json.
func fuzzPost(f *testing.F, path string, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	e, _, _ := newTestServer(f, func(o *Options) { o.BodyLimit = 1 << 20 })
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := postJSON(t, e, path, string(body))
		if rec.Code >= 500 {
			t.Fatalf("%s answered %d to %q: %s", path, rec.Code, body, rec.Body)
		}
		if rec.Code >= 400 && rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Fatalf("%s: error %d is not problem+json", path, rec.Code)
		}
		if rec.Code != http.StatusOK && rec.Code < 400 {
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
