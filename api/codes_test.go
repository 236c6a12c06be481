package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"alcarbon/registry"
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

// TestEveryFieldErrorHasACode: each field error code appears, with its
// parameters, for a request that triggers it, and every field error of
// these requests has a code; the English detail is as before.
func TestEveryFieldErrorHasACode(t *testing.T) {
	e, _, _ := testServer(t)
	cases := []struct {
		path, body, pointer, code string
		params                    map[string]any
	}{
		{"/v1/footprints/product", `{"region": "CN-SX"}`, "/product", "required", nil},
		{"/v1/footprints/primary", `{"regoin": "CN-SX"}`, "/regoin", "unknown_field", map[string]any{"got": "regoin"}},
		{"/v1/footprints/primary", `{"year": "2023"}`, "/year", "wrong_type", map[string]any{"expected": "integer", "got": "string"}},
		{"/v1/footprints/primary", `{"electrolysis": []}`, "/electrolysis", "wrong_type", map[string]any{"expected": "object", "got": "array"}},
		{"/v1/footprints/primary", `{"region": "CN-XX"}`, "/region", "unknown_value", map[string]any{"kind": "region", "got": "CN-XX"}},
		{"/v1/footprints/primary", `{"dataset": "1999.9"}`, "/dataset", "unknown_value", map[string]any{"kind": "dataset", "got": "1999.9"}},
		{"/v1/footprints/product", `{"product": "no_such", "region": "CN-SX"}`, "/product", "unknown_value", map[string]any{"kind": "product", "got": "no_such"}},
		{"/v1/footprints/product", `{"product": "building_profile", "alloy": "no_such", "region": "CN-SX"}`, "/alloy", "unknown_value", map[string]any{"kind": "alloy", "got": "no_such"}},
		{"/v1/pv", `{"system": {"capacity_kwp": 1000}, "solar_resource": {"site": "no_such"}}`, "", "unknown_value", map[string]any{"kind": "site", "got": "no_such"}},
		{"/v1/footprints/primary", `{"electricity": {"sources": [{"kind": "grid", "share": 0.5}]}}`, "/electricity/sources", "shares_sum", map[string]any{"sum": 0.5}},
		{"/v1/footprints/primary", `{"electrolysis": {"ac_kwh_per_t": 99999}}`, "/electrolysis/ac_kwh_per_t", "out_of_range", nil},
	}
	for _, c := range cases {
		wantFieldError(t, e, fieldErrorCase{c.path, c.body, c.pointer, c.code, "", c.params})
	}
}

// TestDeclarationFieldErrorCodes: malformed dates and unknown buyers of a
// declaration have codes too.
func TestDeclarationFieldErrorCodes(t *testing.T) {
	r := newRegistryEnv(t, openSQLite)
	_, key := r.org(t, "Smelter A")
	body := `{"kind": "primary", "request": ` + referenceSmelter + `, "product_name": "P1020A", "visibility": "restricted", "buyers": ["nobody"],
		"reference_period": {"start": "2023-13-01", "end": "2023-12-31"}}`
	rec := postJSON(t, r.e, "/v1/declarations", body, auth(key)...)
	if rec.Code != 422 {
		t.Fatalf("status %d %s", rec.Code, rec.Body)
	}
	p := decodeProblem(t, rec)
	want := map[string]string{"/reference_period/start": "invalid_date"}
	for _, f := range p.Errors {
		if f.Code == "" {
			t.Errorf("no code: %+v", f)
		}
		if w, ok := want[f.Pointer]; ok && f.Code == w && f.Params["got"] == "2023-13-01" {
			delete(want, f.Pointer)
		}
	}
	if len(want) > 0 {
		t.Errorf("missing %v among %+v", want, p.Errors)
	}
}

// TestRuleFieldErrorCodes: rules between fields and on sizes have their own
// codes and params (fields are JSON names), for a request that breaks each;
// the English detail is as before.
func TestRuleFieldErrorCodes(t *testing.T) {
	e, _, _ := testServer(t)
	long := strings.Repeat("x", 201)
	pv := `"location": {"latitude": 30, "longitude": 110}, "system": {"capacity_kwp": 1000}, "solar_resource": {"annual_ghi_kwh_m2": 1500}`
	cases := []struct {
		path, body, pointer, code, detail string
		params                            map[string]any
	}{
		{"/v1/footprints/primary", `{"electricity": {"sources": [{"kind": "grid"}]}}`, "/electricity/sources/0", "one_of_required",
			"give either share (fraction of demand) or mwh (annual volume)", map[string]any{"fields": "[share mwh]"}},
		{"/v1/pv", `{"system": {"capacity_kwp": 1000}, "solar_resource": {"annual_ghi_kwh_m2": 1500}}`, "/location", "one_of_required",
			"give location (latitude, longitude), a site, or an epw resource", map[string]any{"fields": "[location site epw]"}},
		{"/v1/footprints/primary", `{"electricity": {"sources": [{"kind": "grid", "share": 1, "mwh": 5}]}}`, "/electricity/sources/0", "mutually_exclusive",
			"give either share or mwh, not both", map[string]any{"fields": "[share mwh]"}},
		{"/v1/footprints/primary", `{"electricity": {"sources": [{"kind": "grid", "mwh": 5}]}}`, "/electricity/sources/0/mwh", "requires",
			"an annual volume needs /production_t to relate it to demand; give it or use share", map[string]any{"fields": "[production_t]"}},
		{"/v1/electricity", `{"production_t": 1000, "sources": [{"kind": "grid", "share": 1}]}`, "/production_t", "together",
			"production_t and consumption_kwh_per_t go together", map[string]any{"fields": "[production_t consumption_kwh_per_t]"}},
		{"/v1/footprints/primary", `{"electricity": {"sources": [{"kind": "grid", "share": 1, "fuel": "coal"}]}}`, "/electricity/sources/0/fuel", "not_used",
			"is used only by captive plants", map[string]any{"used_by": "[captive]"}},
		{"/v1/scenarios/compare", `{"kind": "primary", "base": {}, "variants": [{"name": "` + long + `", "patch": {}}]}`, "/variants/0/name", "too_long",
			"at most 200 characters", map[string]any{"max": "200", "got": "201"}},
		{"/v1/pv", `{` + pv + `, "load": {"profile_24x12_mw": [[1]]}}`, "/load/profile_24x12_mw", "wrong_count",
			"needs 12 months (January first) of 24 hourly values; got 1 months", map[string]any{"min": "12", "max": "12", "got": "1"}},
		{"/v1/uncertainty", `{"kind": "primary", "request": {}, "distributions": [{"pointer": "/electrolysis/ac_kwh_per_t", "distribution": "normal", "sd": 0.01}, {"pointer": "/electrolysis/ac_kwh_per_t", "distribution": "normal", "sd": 0.01}]}`,
			"/distributions/1/pointer", "duplicate", "/electrolysis/ac_kwh_per_t is given twice", map[string]any{"got": "/electrolysis/ac_kwh_per_t"}},
		{"/v1/footprints/product", `{"product": "building_profile", "region": "CN-SX", "steps": [{"step": "remelting", "omit": true}]}`, "/steps/0/omit", "not_omittable",
			"", map[string]any{"step": "remelting"}},
		{"/v1/footprints/product", `{"product": "building_profile", "region": "CN-SX", "steps": [{"step": "extrusion_building"}, {"step": "extrusion_building"}]}`, "/steps/1/step", "duplicate",
			`step "extrusion_building" is overridden twice`, map[string]any{"got": "extrusion_building"}},
		{"/v1/footprints/product", `{"product": "building_profile", "region": "CN-SX", "steps": [{"step": "cold_rolling", "omit": true}]}`, "/steps/0/omit", "not_in_route",
			"", map[string]any{"step": "cold_rolling", "product": "building_profile"}},
		{"/v1/footprints/primary", `{"dataset": "2026.2", "electrolysis": {"ac_kwh_per_t": 13000, "liquid_ac_kwh_per_t": 14000}}`, "/electrolysis/liquid_ac_kwh_per_t", "out_of_range",
			"", map[string]any{"max": "13000", "got": "14000", "unit": "kWh/t"}},
		{"/v1/footprints/product", `{"product": "building_profile", "region": "CN-SX", "metal": {"post_consumer_scrap_share": 0.5, "pre_consumer_scrap_share": 0.75}}`, "/metal", "sum_exceeds",
			"", map[string]any{"max": "1", "sum": "1.25"}},
		{"/v1/footprints/primary", `{"dataset": "2026.1", "electrolysis": {"liquid_ac_kwh_per_t": 13000}}`, "/electrolysis/liquid_ac_kwh_per_t", "needs_dataset",
			"", map[string]any{"from": "2026.2", "dataset": "2026.1"}},
		{"/v1/footprints/product", `{"product": "building_profile", "region": "CN-SX", "dataset": "2026.2", "metal": {"primary": {"dataset": "2026.1"}}}`, "/metal/primary/dataset", "must_match",
			"must be the product request's dataset (2026.2) or left out", map[string]any{"want": "2026.2", "got": "2026.1"}},
		{"/v1/footprints/primary", `{"production_t": 300000, "electricity": {"sources": [{"kind": "captive", "fuel": "coal", "share": 1}], "certificates_mwh": 1000}}`, "/electricity/certificates_mwh", "not_used",
			"certificates cover grid electricity, but the portfolio has no grid MWh", map[string]any{"used_by": "[grid]"}},
		{"/v1/assessments/plant", `{}`, "", "one_of_required",
			"give at least one indicator (smelter, alumina or stack)", map[string]any{"fields": "[smelter alumina stack]"}},
		{"/v1/pv", `{"location": {"latitude": 30, "longitude": 110, "utc_offset_h": 8.1}, "system": {"capacity_kwp": 1000}, "solar_resource": {"annual_ghi_kwh_m2": 1500}}`, "/location/utc_offset_h", "not_multiple_of",
			"must be a whole number of quarter hours (time zones are); got 8.1", map[string]any{"step": "0.25", "got": "8.1"}},
		{"/v1/uncertainty", `{"kind": "secondary", "request": {}}`, "/kind", "not_allowed",
			`must be primary or product; got "secondary"`, map[string]any{"allowed": "[primary product]", "got": "secondary"}},
		{"/v1/uncertainty", `{"kind": "primary", "request": {}, "distributions": [{"pointer": "/electrolysis/ac_kwh_per_t", "distribution": "triangular", "min": 0.9, "mode": 1.2, "max": 1.1}]}`, "/distributions/0/mode", "out_of_range",
			"must lie between min and max", map[string]any{"min": "0.9", "max": "1.1", "got": "1.2"}},
	}
	for _, c := range cases {
		wantFieldError(t, e, fieldErrorCase{c.path, c.body, c.pointer, c.code, c.detail, c.params})
	}
}

// fieldErrorCase is a request and the field error it must get: code at
// pointer ("" = at any pointer), with detail ("" = any) and params (a
// string param is compared with the value as fmt prints it, any other
// with ==).
type fieldErrorCase struct {
	path, body, pointer, code, detail string
	params                            map[string]any
}

// wantFieldError posts c's body and fails the test unless the answer is a
// 422 whose field errors all have a code and a detail and include c's.
func wantFieldError(t *testing.T, e *echo.Echo, c fieldErrorCase) {
	t.Helper()
	rec := postJSON(t, e, c.path, c.body)
	if rec.Code != 422 {
		t.Errorf("%s %s: status %d %s", c.path, c.body, rec.Code, rec.Body)
		return
	}
	p := decodeProblem(t, rec)
	found := false
	for _, f := range p.Errors {
		if f.Code == "" || f.Detail == "" {
			t.Errorf("%s: field error without code or detail: %+v", c.body, f)
		}
		if f.Code != c.code || (c.pointer != "" && f.Pointer != c.pointer) || (c.detail != "" && f.Detail != c.detail) {
			continue
		}
		ok := true
		for k, v := range c.params {
			if want, isString := v.(string); isString && fmt.Sprint(f.Params[k]) != want || !isString && f.Params[k] != v {
				ok = false
			}
		}
		found = found || ok
	}
	if !found {
		t.Errorf("%s %s: no %s at %q with %v and detail %q among %+v", c.path, c.body, c.code, c.pointer, c.params, c.detail, p.Errors)
	}
}

// TestDeclarationRuleCodes: an end before the start, a long product name
// and buyers of a public declaration have their codes.
func TestDeclarationRuleCodes(t *testing.T) {
	r := newRegistryEnv(t, openSQLite)
	_, key := r.org(t, "Smelter A")
	body := `{"kind": "primary", "request": ` + referenceSmelter + `, "product_name": "` + strings.Repeat("p", maxProductNameLen+1) + `", "visibility": "public", "buyers": ["x"],
		"reference_period": {"start": "2023-12-31", "end": "2023-01-01"}}`
	rec := postJSON(t, r.e, "/v1/declarations", body, auth(key)...)
	if rec.Code != 422 {
		t.Fatalf("status %d %s", rec.Code, rec.Body)
	}
	want := map[string]string{
		"/reference_period/end": "before_start start=2023-12-31",
		"/product_name":         fmt.Sprintf("too_long max=%d got=%d", maxProductNameLen, maxProductNameLen+1),
		"/buyers":               "not_used used_by=[restricted]",
	}
	for _, f := range decodeProblem(t, rec).Errors {
		got := f.Code
		switch f.Code {
		case "before_start":
			got += fmt.Sprintf(" start=%v", f.Params["start"])
		case "too_long":
			got += fmt.Sprintf(" max=%v got=%v", f.Params["max"], f.Params["got"])
		case "not_used":
			got += fmt.Sprintf(" used_by=%v", f.Params["used_by"])
		}
		if want[f.Pointer] == got {
			delete(want, f.Pointer)
		}
	}
	if len(want) > 0 {
		t.Errorf("missing %v in %s", want, rec.Body)
	}
	gwp := `{"kind": "primary", "request": ` + strings.Replace(referenceSmelter, `"gwp": "AR5"`, `"gwp": "AR4"`, 1) + `, "product_name": "P1020A", "visibility": "public",
		"reference_period": {"start": "2023-01-01", "end": "2023-12-31"}}`
	rec = postJSON(t, r.e, "/v1/declarations", gwp, auth(key)...)
	if f := decodeProblem(t, rec).Errors; rec.Code != 422 || len(f) != 1 || f[0].Pointer != "/request/gwp" || f[0].Code != "not_allowed" || fmt.Sprint(f[0].Params) != "map[allowed:[AR5 AR6] got:AR4]" {
		t.Errorf("GWP AR4: %d %s", rec.Code, rec.Body)
	}
	for _, c := range []struct{ query, pointer, code, params string }{
		{"period=2024-13", "/period", "invalid_period", "map[got:2024-13]"},
		{"limit=0", "/limit", "out_of_range", "map[got:0 max:%d min:1]"},
		{"limit=x", "/limit", "wrong_type", "map[expected:integer got:string]"},
		{"max_tco2e_per_t=-1", "/max_tco2e_per_t", "out_of_range", "map[got:-1 min:0 unit:t CO2e/t]"},
	} {
		rec := httptest.NewRecorder()
		r.e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/declarations?"+c.query, nil))
		if rec.Code != 422 {
			t.Errorf("%s: status %d %s", c.query, rec.Code, rec.Body)
			continue
		}
		f := decodeProblem(t, rec).Errors[0]
		want := strings.ReplaceAll(c.params, "%d", fmt.Sprint(registry.MaxLimit))
		if f.Pointer != c.pointer || f.Code != c.code || fmt.Sprint(f.Params) != want {
			t.Errorf("%s: %+v, want %s %s %s", c.query, f, c.pointer, c.code, want)
		}
	}
}
