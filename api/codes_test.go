package api

import (
	"encoding/json"
	"regexp"
	"testing"
)

// TestWarningCodes: every warning has a stable code beside its English
// text, index for index, with its parameters — for a primary request that
// takes many defaults, a product with a default primary metal (whose
// warnings are scoped primary_metal) and the README's smelter. The captive
// plant's index is 0-based, as in its pointer.
func TestWarningCodes(t *testing.T) {
	e, _, _ := testServer(t)
	code := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	for _, c := range []struct{ path, body, want string }{
		{"/v1/footprints/primary", `{"region": "CN-SX", "electricity": {"sources": [{"kind": "captive", "fuel": "coal", "share": 1}]}}`, "captive_ef_default"},
		{"/v1/footprints/primary", `{}`, "ac_default"},
		{"/v1/footprints/product", `{"product": "building_profile", "region": "CN-SX"}`, "primary_metal_region_default"},
	} {
		var r struct {
			Provenance provenanceResponse `json:"provenance"`
		}
		rec := postJSON(t, e, c.path, c.body)
		if rec.Code != 200 {
			t.Fatalf("%s %s: %d %s", c.path, c.body, rec.Code, rec.Body)
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		p := r.Provenance
		if len(p.Warnings) == 0 || len(p.WarningCodes) != len(p.Warnings) {
			t.Fatalf("%s: %d warnings, %d codes", c.body, len(p.Warnings), len(p.WarningCodes))
		}
		found := false
		for i, w := range p.WarningCodes {
			if !code.MatchString(w.Code) {
				t.Errorf("warning %d %q: code %q", i, p.Warnings[i], w.Code)
			}
			if w.Code == c.want {
				found = true
				if w.Code == "captive_ef_default" && (w.Params["source"] != float64(0) || w.Params["fuel"] != "coal") {
					t.Errorf("captive_ef_default params %v, want source 0 and fuel coal", w.Params)
				}
			}
		}
		if !found {
			t.Errorf("%s: no %s among %+v", c.body, c.want, p.WarningCodes)
		}
	}
}

// TestFieldErrorCodes: a bound or an enum broken is answered with a code
// and parameters beside the English detail.
func TestFieldErrorCodes(t *testing.T) {
	e, _, _ := testServer(t)
	rec := postJSON(t, e, "/v1/footprints/primary", `{"electrolysis": {"ac_kwh_per_t": 99999, "technology": "XYZ"}}`)
	if rec.Code != 422 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var p struct {
		Errors []FieldProblem `json:"errors"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	got := map[string]FieldProblem{}
	for _, f := range p.Errors {
		got[f.Pointer] = f
	}
	ac := got["/electrolysis/ac_kwh_per_t"]
	if ac.Code != "out_of_range" || ac.Params["min"] != float64(10000) || ac.Params["max"] != float64(20000) || ac.Params["got"] != float64(99999) || ac.Params["unit"] != "kWh/t" {
		t.Errorf("AC power error %+v", ac)
	}
	if ac.Detail != "must be between 10000 and 20000 kWh/t; got 99999" {
		t.Errorf("the English detail changed: %q", ac.Detail)
	}
	if tech := got["/electrolysis/technology"]; tech.Code != "not_allowed" || tech.Params["got"] != "XYZ" {
		t.Errorf("technology error %+v", tech)
	}
}
