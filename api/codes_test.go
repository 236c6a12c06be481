package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
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

// wantFieldError posts c's body (with headers) and fails the test unless
// the answer is a 422 whose field errors all have a code and a detail and
// include c's.
func wantFieldError(t *testing.T, e *echo.Echo, c fieldErrorCase, headers ...string) {
	t.Helper()
	rec := postJSON(t, e, c.path, c.body, headers...)
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

// TestResidueFieldErrorCodes: the field errors that kept the generic code
// invalid until now have codes and params of their own, each for a
// request that reaches it; the English detail is as before.
func TestResidueFieldErrorCodes(t *testing.T) {
	e, _, _ := testServer(t)
	loc := `"location": {"latitude": 30, "longitude": 110}`
	pv := loc + `, "system": {"capacity_kwp": 1000}`
	epwBadLine := func(line, field int, value string) string {
		lines := strings.Split(pvtEPW(0), "\n")
		f := strings.Split(lines[line-1], ",")
		f[field-1] = value
		lines[line-1] = strings.Join(f, ",")
		return pvtBody(t, obj{"system": pvtSystem(), "solar_resource": obj{"epw": strings.Join(lines, "\n")}})
	}
	sweep := func(parameter, base, values string) string {
		return `{"kind": "primary", "base": ` + base + `, "parameter": "` + parameter + `", ` + values + `}`
	}
	oneGrid := `{"electricity": {"sources": [{"kind": "grid", "share": 1}]}}`
	for _, c := range []fieldErrorCase{
		// An EPW file that does not parse: the line, and the field at fault.
		{"/v1/pv", pvtBody(t, obj{"system": pvtSystem(), "solar_resource": obj{"epw": "hello\n" + pvtEPW(0)}}), "/solar_resource/epw", "invalid_epw",
			`epw line 1: field 1: want LOCATION, got "hello"`, map[string]any{"line": float64(1), "field": float64(1)}},
		{"/v1/pv", epwBadLine(108, 14, "abc"), "/solar_resource/epw", "invalid_epw",
			`epw line 108: field 14 (global horizontal radiation): "abc" is not a number`, map[string]any{"line": float64(108), "field": float64(14)}},
		{"/v1/pv", pvtBody(t, obj{"system": pvtSystem(), "solar_resource": obj{"epw": strings.Join(strings.Split(pvtEPW(0), "\n")[:500], "\n")}}), "/solar_resource/epw", "invalid_epw",
			"", map[string]any{"line": float64(500)}},
		// … and one that parses with a value outside the model's range.
		{"/v1/pv", epwBadLine(20, 14, "2000"), "/solar_resource/epw", "invalid_epw",
			"epw line 20: global horizontal radiation 2000 is outside 0–1500", map[string]any{"line": float64(20), "field": float64(14), "min": float64(0), "max": float64(1500), "got": float64(2000), "unit": "W/m²"}},
		// Numbers no field's type holds.
		{"/v1/footprints/primary", `{"production_t": 1e400}`, "/production_t", "not_representable",
			"is out of the range of a number", map[string]any{"expected": "number", "got": "1e400"}},
		{"/v1/footprints/primary", `{"year": 2023.5}`, "/year", "not_representable",
			"must be a whole number within range", map[string]any{"expected": "integer", "got": "2023.5"}},
		// A PV load on a source rather than the portfolio.
		{"/v1/footprints/primary", `{"production_t": 300000, "electricity": {"sources": [{"kind": "onsite_pv", "pv": {` + pv + `, "solar_resource": {"annual_ghi_kwh_m2": 1500}, "load": {"flat_mw": 1}}}, {"kind": "grid", "share": 1}]}}`,
			"/electricity/sources/0/pv/load", "belongs_to_portfolio", "is the plant's: set it on the portfolio (load) instead", map[string]any{"want": "/electricity/load"}},
		// The sweep's range and parameter.
		{"/v1/scenarios/sweep", sweep("/electrolysis/ac_kwh_per_t", "{}", `"range": {"from": 1, "to": 1.0000000000000002, "steps": 1000}`), "/range", "unrepresentable_range",
			"", map[string]any{"from": float64(1), "to": 1.0000000000000002, "steps": float64(1000)}},
		{"/v1/scenarios/sweep", sweep("/region", "{}", `"range": {"from": 1, "to": 2, "steps": 3}`), "/range", "not_numeric",
			"the parameter is not a number; give values", map[string]any{"parameter": "/region"}},
		{"/v1/scenarios/sweep", sweep("/electrolysis/nope", "{}", `"values": [1]`), "/parameter", "invalid_pointer",
			"/electrolysis/nope is not in the request schema; fields at /electrolysis: ac_kwh_per_t, liquid_ac_kwh_per_t, pfc, technology",
			map[string]any{"reason": "not_in_schema", "got": "/electrolysis/nope", "at": "/electrolysis", "allowed": "[ac_kwh_per_t liquid_ac_kwh_per_t pfc technology]"}},
		{"/v1/scenarios/sweep", sweep("/electricity/sources/x/share", "{}", `"values": [1]`), "/parameter", "invalid_pointer",
			"", map[string]any{"reason": "not_an_index", "at": "/electricity/sources", "token": "x"}},
		{"/v1/scenarios/sweep", sweep("/region/x", "{}", `"values": [1]`), "/parameter", "invalid_pointer",
			`/region is a single value; it has no field "x"`, map[string]any{"reason": "no_field", "at": "/region", "token": "x"}},
		{"/v1/scenarios/sweep", sweep("/electrolysis", "{}", `"values": [1]`), "/parameter", "invalid_pointer",
			"", map[string]any{"reason": "not_a_value", "got": "/electrolysis"}},
		{"/v1/scenarios/sweep", sweep("/electricity/sources/3/share", "{}", `"values": [0.5]`), "/parameter", "invalid_pointer",
			"element 3 does not exist: the base has no array there", map[string]any{"reason": "no_element", "token": "3"}},
		{"/v1/scenarios/sweep", sweep("/electricity/sources/3/share", oneGrid, `"values": [0.5]`), "/parameter", "invalid_pointer",
			"the base's array has 1 elements; element 3 does not exist", map[string]any{"reason": "no_element", "token": "3", "length": float64(1)}},
		// An uncertainty baseline that is not a request object.
		{"/v1/uncertainty", `{"kind": "primary", "request": {}, "baseline": [1]}`, "/baseline", "wrong_type",
			"must be a request object of the kind's endpoint", map[string]any{"expected": "object", "got": "array"}},
		// A declaration asked of a server without a registry.
		{"/v1/footprints/product", `{"product": "building_profile", "region": "CN-SX", "metal": {"declaration_id": "x"}}`, "/metal/declaration_id", "no_registry", "", nil},
		// Engine errors a request reaches.
		{"/v1/footprints/primary", `{"electrolysis": {"technology": "VSS", "pfc": {"method": "overvoltage", "anode_effect_overvoltage_mv": 5, "current_efficiency": 0.9}}}`, "/electrolysis/technology", "no_coefficient",
			"no overvoltage coefficient for VSS in the dataset (only CWPB, PFPB_* and SWPB); use method slope or measured", map[string]any{"technology": "VSS", "method": "overvoltage"}},
		{"/v1/electricity", `{"production_t": 1e-200, "consumption_kwh_per_t": 1e-200, "sources": [{"kind": "grid", "share": 1}]}`, "", "out_of_range",
			"electricity demand must be positive", map[string]any{"min": float64(0), "exclusive_min": true, "got": float64(0), "unit": "MWh/yr"}},
		{"/v1/footprints/primary", `{"production_t": 300000, "electricity": {"load": {"flat_mw": 0}, "sources": [{"kind": "onsite_pv", "pv": {` + pv + `, "solar_resource": {"annual_ghi_kwh_m2": 1500}}}, {"kind": "grid", "share": 1}]}}`,
			"/electricity/load", "sums_to_zero", "the load profile sums to zero", nil},
		{"/v1/pv", `{` + loc + `, "system": {"capacity_kwp": 1000, "operating_year": 50, "degradation_pct_per_year": 5}, "solar_resource": {"annual_ghi_kwh_m2": 1500}}`, "/system/operating_year", "no_output_left",
			"at 5 %/yr the array has no output left in year 50; use a smaller operating_year or degradation", map[string]any{"pct_per_year": float64(5), "year": float64(50)}},
		{"/v1/pv", `{"site": "yuanping", "system": {"capacity_kwp": 1000}, "solar_resource": {"annual_ghi_kwh_m2": 1500}}`, "/site", "no_site_data",
			"", map[string]any{"site": "yuanping", "data": "coordinates"}},
		{"/v1/pv", `{` + pv + `, "solar_resource": {"site": "yushe"}}`, "/solar_resource/site", "no_site_data",
			"", map[string]any{"site": "yushe", "data": "irradiation"}},
		{"/v1/pv", `{"location": {"latitude": 85, "longitude": 110}, "system": {"capacity_kwp": 1000}, "solar_resource": {"monthly_ghi_kwh_m2": [1,1,1,1,1,1,1,1,1,1,1,1]}}`, "/solar_resource/monthly_ghi_kwh_m2/0", "no_sunrise",
			"is 1 kWh/m² but the sun does not rise at latitude 85° in that month", map[string]any{"latitude": float64(85), "month": float64(1), "got": float64(1), "unit": "kWh/m²"}},
	} {
		wantFieldError(t, e, c)
	}
}

// TestRegistryFieldErrorCodes: a draft dataset in a declaration and a
// declaration of the wrong kind as a product's metal have codes.
func TestRegistryFieldErrorCodes(t *testing.T) {
	r := newRegistryEnv(t, openSQLite)
	_, key := r.org(t, "Smelter and Extruder")
	primary := r.publish(t, key, declaration(`"visibility": "public"`))
	product := r.publish(t, key, `{"kind": "product", "request": {"product": "building_profile", "region": "CN-SX", "year": 2023,
		"metal": {"declaration_id": "`+primary.ID+`"}}, "product_name": "6063 window profile",
		"reference_period": {"start": "2024-01-01", "end": "2024-12-31"}, "visibility": "public"}`)
	wantFieldError(t, r.e, fieldErrorCase{"/v1/footprints/product", `{"product": "building_profile", "region": "CN-SX", "metal": {"declaration_id": "` + product.ID + `"}}`,
		"/metal/declaration_id", "wrong_kind", fmt.Sprintf("declaration %q is a product declaration; a primary aluminium declaration is needed", product.ID),
		map[string]any{"want": "primary", "got": "product"}})
}

// TestDraftDatasetCode: a declaration pinned to a draft dataset is
// draft_dataset, naming the released versions (on a catalog whose 2026.2
// is a draft, whatever the embedded one's status).
func TestDraftDatasetCode(t *testing.T) {
	r := newRegistryEnv(t, openSQLite, func(o *Options) { o.Catalog = draftCatalog(t, "0.7") })
	_, key := r.org(t, "Supplier")
	pinned := strings.Replace(declaration(""), `"region": "CN-SX",`, `"region": "CN-SX", "dataset": "`+draftVersion+`",`, 1)
	wantFieldError(t, r.e, fieldErrorCase{"/v1/declarations", pinned, "/request/dataset", "draft_dataset",
		"dataset " + draftVersion + " is a draft; declarations need a released dataset: 2026.1", map[string]any{"dataset": draftVersion, "released": "[2026.1]"}}, auth(key)...)
}

// TestWorkDriverCodes: a request over the work budget names the fields
// that drive its cost with drives_work and what each adds.
func TestWorkDriverCodes(t *testing.T) {
	e, _, _ := newTestServer(t, func(o *Options) { o.Work.MaxUnits = 250_000 })
	body := fmt.Sprintf(`{"kind": "primary", "samples": 100000, "request": %s}`, primaryWithPV(0, 300000))
	wantFieldError(t, e, fieldErrorCase{"/v1/uncertainty", body, "/samples", "drives_work", "100000 samples × 2 work units each", map[string]any{"units": float64(200000)}})
}

// TestEveryCodeIsWorded: every field error code the API or the engine
// gives (api's and batch's code constants, the codes calc sets) is listed on
// FieldProblem.Code, which the API description publishes, and every
// listed code but invalid is worded by the page: a case of errorText in
// web/static/app.js, whose e_ keys the English dictionary has (the web
// package's tests check the Chinese one has the same keys).
func TestEveryCodeIsWorded(t *testing.T) {
	read := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	doc := read("problem.go")
	m := regexp.MustCompile(`to word and translate it: ([a-z_, ]+), or invalid`).FindStringSubmatch(doc)
	if m == nil {
		t.Fatal("problem.go: FieldProblem.Code lists no codes")
	}
	listed := map[string]bool{"invalid": true}
	for _, c := range strings.Split(m[1], ", ") {
		listed[c] = true
	}
	given := map[string]string{}
	apiFiles, _ := filepath.Glob("*.go")
	calcFiles, _ := filepath.Glob("../calc/*.go")
	batchFiles, _ := filepath.Glob("../batch/*.go")
	apiFiles = append(apiFiles, batchFiles...)
	constRE := regexp.MustCompile(`\bcode[A-Z]\w*\s*=\s*"([a-z_]+)"`)
	calcRE := regexp.MustCompile(`(?:codedError\(.*?, |Code(?:, [^=\n]+)? = |Code: )"([a-z_]+)"(?:, nil|, map\[|,? *Params|$|\n)`)
	for _, f := range append(apiFiles, calcFiles...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		re := constRE
		if strings.HasPrefix(f, "../calc/") {
			re = calcRE
		}
		for _, c := range re.FindAllStringSubmatch(read(f), -1) {
			given[c[1]] = f
		}
	}
	if len(given) < 30 {
		t.Fatalf("found %d codes; the patterns no longer read the sources", len(given))
	}
	for c, f := range given {
		if !listed[c] {
			t.Errorf("%s gives code %q, which FieldProblem.Code does not list", f, c)
		}
	}
	js := read("../web/static/app.js")
	i, j := strings.Index(js, "function errorText("), strings.Index(js, "function showFieldErrors(")
	en, zh := strings.Index(js, "en: {"), strings.Index(js, "zh: {")
	if i < 0 || j < i || en < 0 || zh < en {
		t.Fatal("app.js: errorText or the English dictionary not found")
	}
	errorText, dictEn := js[i:j], js[en:zh]
	for c := range listed {
		if c != "invalid" && !strings.Contains(errorText, `case "`+c+`"`) && !strings.Contains(errorText, `f.code === "`+c+`"`) {
			t.Errorf("code %q has no wording on the page (errorText in web/static/app.js)", c)
		}
	}
	for _, k := range regexp.MustCompile(`"(e_[a-z_]*[a-z])"`).FindAllStringSubmatch(errorText, -1) {
		if !regexp.MustCompile(`[\s{,]` + k[1] + `:\s*"`).MatchString(dictEn) {
			t.Errorf("errorText uses %s, which the English dictionary lacks", k[1])
		}
	}
}
