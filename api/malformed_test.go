package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"alcarbon/pact"
)

// errShape is the error body a path answers with: problem+json under /v1,
// RFC 6749 §5.2 under /auth, PACT's {code, message} under /2.
type errShape int

const (
	shapeProblem errShape = iota
	shapeOAuth
	shapePACT
)

// malformedCase is one malformed request and the answer it must get.
type malformedCase struct {
	name        string
	path        string
	contentType string // "" sends no Content-Type
	body        string
	auth        string // "key" (a valid API key), "token" (a PACT access token), "basic" (valid client credentials) or ""
	status      int
	// pointer and detail: for problem+json, an error at pointer whose
	// detail contains detail (pointer "" checks only the top-level detail);
	// for OAuth and PACT, the error / code.
	pointer, detail string
}

const ctJSON = "application/json"

// repeatJSON joins n copies of item with commas.
func repeatJSON(item string, n int) string {
	return strings.TrimSuffix(strings.Repeat(item+",", n), ",")
}

// nested wraps inner in depth levels of {"a": …}.
func nested(depth int, inner string) string {
	return strings.Repeat(`{"a": `, depth) + inner + strings.Repeat(`}`, depth)
}

// malformedCatalogue lists malformed requests across every POST endpoint:
// wrong types, missing fields, out-of-range values, wrong enums, huge
// arrays, deep nesting, invalid UTF-8, empty bodies, wrong content types
// and oversize bodies. The statuses are those the error handler maps
// (decode.go: syntax 400, shape and validation 422, media type 415, size
// 413); PACT and OAuth paths answer in their own shapes (package pact).
func malformedCatalogue() []malformedCase {
	huge := `{"region": "` + strings.Repeat("x", 70<<10) + `"}` // above the 64 kB test limit
	deep := nested(40, `1`)
	badUTF8 := "{\"region\": \"CN-\xff\xfe\"}"
	prim, elec, pv, prod := "/v1/footprints/primary", "/v1/electricity", "/v1/pv", "/v1/footprints/product"
	cmp, swp, unc, asm, decl := "/v1/scenarios/compare", "/v1/scenarios/sweep", "/v1/uncertainty", "/v1/assessments/plant", "/v1/declarations"
	evt := "/2/events"
	ce := "application/cloudevents+json"
	event := func(data string) string {
		return `{"type": "` + pact.EventPublished + `", "specversion": "1.0", "id": "1", "source": "//x", "data": ` + data + `}`
	}
	return []malformedCase{
		// /v1/footprints/primary
		{"primary: empty body", prim, ctJSON, "", "", 400, "", "empty"},
		{"primary: whitespace body", prim, ctJSON, " \n\t ", "", 400, "", "empty"},
		{"primary: array instead of object", prim, ctJSON, `[]`, "", 422, "", "must be an object"},
		{"primary: string body", prim, ctJSON, `"CN-SX"`, "", 422, "", "must be an object"},
		{"primary: year as string", prim, ctJSON, `{"year": "2023"}`, "", 422, "/year", "must be an integer"},
		{"primary: year out of range", prim, ctJSON, `{"year": 99999}`, "", 422, "/year", "between 2000 and 2100"},
		{"primary: year overflows int64", prim, ctJSON, `{"year": 1e400}`, "", 422, "/year", "whole number"},
		{"primary: negative production", prim, ctJSON, `{"production_t": -5}`, "", 422, "/production_t", ""},
		{"primary: share as boolean", prim, ctJSON, `{"electricity": {"sources": [{"kind": "grid", "share": true}]}}`, "", 422, "/electricity/sources/0/share", "must be a number"},
		{"primary: sources as object", prim, ctJSON, `{"electricity": {"sources": {"kind": "grid"}}}`, "", 422, "/electricity/sources", "must be an array"},
		{"primary: unknown source kind", prim, ctJSON, `{"electricity": {"sources": [{"kind": "nuclear_fusion", "share": 1}]}}`, "", 422, "/electricity/sources/0/kind", "must be one of"},
		{"primary: too many sources", prim, ctJSON, `{"electricity": {"sources": [` + repeatJSON(`{"kind": "grid", "share": 0.01}`, 100) + `]}}`, "", 422, "/electricity/sources", "at most 50"},
		{"primary: unknown technology", prim, ctJSON, `{"electrolysis": {"technology": "HALL"}}`, "", 422, "/electrolysis/technology", "must be one of"},
		{"primary: NaN literal", prim, ctJSON, `{"production_t": NaN}`, "", 400, "", "malformed JSON"},
		{"primary: single quotes", prim, ctJSON, `{'region': 'CN-SX'}`, "", 400, "", "malformed JSON"},
		{"primary: trailing comma", prim, ctJSON, `{"region": "CN-SX",}`, "", 400, "", "malformed JSON"},
		{"primary: two values", prim, ctJSON, `{}[]`, "", 400, "", "after the JSON value"},
		{"primary: deep nesting", prim, ctJSON, deep, "", 400, "", "nested 40 levels"},
		{"primary: invalid UTF-8", prim, ctJSON, badUTF8, "", 400, "", "UTF-8"},
		{"primary: text/plain", prim, "text/plain", `{}`, "", 415, "", "Content-Type: application/json"},
		{"primary: form content type", prim, "application/x-www-form-urlencoded", `region=CN-SX`, "", 415, "", "Content-Type"},
		{"primary: broken media type", prim, "application/json; charset", `{}`, "", 415, "", "Content-Type"},
		{"primary: oversize body", prim, ctJSON, huge, "", 413, "", "larger than"},
		{"primary: duplicated unknown fields", prim, ctJSON, `{"regoin": 1, "yaer": 2}`, "", 422, "/yaer", "unknown field"},

		// /v1/electricity
		{"electricity: empty body", elec, ctJSON, "", "", 400, "", "empty"},
		{"electricity: demand as string", elec, ctJSON, `{"demand_mwh": "1000"}`, "", 422, "/demand_mwh", "must be a number"},
		{"electricity: shares above 1", elec, ctJSON, `{"sources": [{"kind": "grid", "share": 0.8}, {"kind": "captive", "fuel": "coal", "share": 0.8}]}`, "", 422, "/sources", "sum to 1"},
		{"electricity: share out of range", elec, ctJSON, `{"sources": [{"kind": "grid", "share": 7}]}`, "", 422, "/sources/0/share", "between 0 and 1"},
		{"electricity: unknown fuel", elec, ctJSON, `{"sources": [{"kind": "captive", "fuel": "uranium", "share": 1}]}`, "", 422, "/sources/0/fuel", "must be one of"},
		{"electricity: unknown basis", elec, ctJSON, `{"electricity_basis": "vibes"}`, "", 422, "/electricity_basis", "must be one of"},
		{"electricity: invalid UTF-8", elec, ctJSON, badUTF8, "", 400, "", "UTF-8"},
		{"electricity: no content type", elec, "", `{}`, "", 415, "", "Content-Type"},

		// /v1/pv (its own 4 MB limit, so no oversize case at the test limit)
		{"pv: no location", pv, ctJSON, `{"system": {"capacity_kwp": 100}}`, "", 422, "/location", "location"},
		{"pv: latitude out of range", pv, ctJSON, `{"location": {"latitude": 91, "longitude": 0}, "system": {"capacity_kwp": 100}}`, "", 422, "/location/latitude", "between"},
		{"pv: capacity as string", pv, ctJSON, `{"site": "taiyuan", "system": {"capacity_kwp": "big"}}`, "", 422, "/system/capacity_kwp", "must be a number"},
		{"pv: unknown transposition", pv, ctJSON, `{"site": "taiyuan", "system": {"capacity_kwp": 100, "transposition": "magic"}}`, "", 422, "/system/transposition", "must be one of"},
		{"pv: monthly GHI with 11 values", pv, ctJSON, `{"location": {"latitude": 37, "longitude": 112}, "system": {"capacity_kwp": 1}, "solar_resource": {"monthly_ghi_kwh_m2": [1,1,1,1,1,1,1,1,1,1,1]}}`, "", 422, "/solar_resource/monthly_ghi_kwh_m2", "12"},
		{"pv: huge monthly array", pv, ctJSON, `{"location": {"latitude": 37, "longitude": 112}, "system": {"capacity_kwp": 1}, "solar_resource": {"monthly_ghi_kwh_m2": [` + repeatJSON("100", 20000) + `]}}`, "", 422, "/solar_resource/monthly_ghi_kwh_m2", "12"},
		{"pv: deep nesting", pv, ctJSON, deep, "", 400, "", "nested"},
		{"pv: wrong content type", pv, "text/csv", `{}`, "", 415, "", "Content-Type"},

		// /v1/footprints/product
		{"product: missing product", prod, ctJSON, `{}`, "", 422, "/product", "required"},
		{"product: product as number", prod, ctJSON, `{"product": 7}`, "", 422, "/product", "must be a string"},
		{"product: unknown alloy", prod, ctJSON, `{"product": "household_foil", "alloy": "unobtainium"}`, "", 422, "/alloy", ""},
		{"product: yield out of range", prod, ctJSON, `{"product": "household_foil", "yield": -1}`, "", 422, "/yield", "greater than 0"},
		{"product: too many steps", prod, ctJSON, `{"product": "household_foil", "steps": [` + repeatJSON(`{"step": "foil_rolling"}`, 31) + `]}`, "", 422, "/steps", "at most 30"},
		{"product: too many transport legs", prod, ctJSON, `{"product": "household_foil", "transport": [` + repeatJSON(`{"mode": "road", "km": 1}`, 25) + `]}`, "", 422, "/transport", "at most 20"},
		{"product: oversize body", prod, ctJSON, huge, "", 413, "", "larger than"},

		// /v1/scenarios/compare
		{"compare: no variants", cmp, ctJSON, `{"kind": "primary", "base": {}, "variants": []}`, "", 422, "/variants", "1 to 100"},
		{"compare: 101 variants", cmp, ctJSON, `{"kind": "primary", "base": {}, "variants": [` + repeatJSON(`{"patch": {}}`, 101) + `]}`, "", 422, "/variants", "1 to 100"},
		{"compare: base is an array", cmp, ctJSON, `{"kind": "primary", "base": [], "variants": [{"patch": {}}]}`, "", 422, "/base", ""},
		{"compare: patch is a string", cmp, ctJSON, `{"kind": "primary", "base": {}, "variants": [{"patch": "x"}]}`, "", 422, "/variants/0/patch", "merge patch"},
		{"compare: unknown kind", cmp, ctJSON, `{"kind": "cement", "base": {}, "variants": [{"patch": {}}]}`, "", 422, "/kind", "must be one of"},
		{"compare: variant name too long", cmp, ctJSON, `{"kind": "primary", "base": {}, "variants": [{"name": "` + strings.Repeat("n", 201) + `", "patch": {}}]}`, "", 422, "/variants/0/name", "200"},
		{"compare: deep nesting in patch", cmp, ctJSON, `{"kind": "primary", "base": {}, "variants": [{"patch": ` + nested(40, `{}`) + `}]}`, "", 400, "", "nested"},
		{"compare: invalid UTF-8", cmp, ctJSON, "{\"kind\": \"primary\xc3\", \"base\": {}}", "", 400, "", "UTF-8"},

		// /v1/scenarios/sweep
		{"sweep: parameter not a pointer", swp, ctJSON, `{"kind": "primary", "base": {}, "parameter": "production_t", "values": [1]}`, "", 422, "/parameter", ""},
		{"sweep: too many values", swp, ctJSON, `{"kind": "primary", "base": {}, "parameter": "/production_t", "values": [` + repeatJSON("1", 1001) + `]}`, "", 422, "/values", "1 to 1000"},
		{"sweep: steps as string", swp, ctJSON, `{"kind": "primary", "base": {}, "parameter": "/production_t", "range": {"from": 1, "to": 2, "steps": "3"}}`, "", 422, "/range/steps", "must be an integer"},
		{"sweep: steps out of range", swp, ctJSON, `{"kind": "primary", "base": {}, "parameter": "/production_t", "range": {"from": 1, "to": 2, "steps": 1}}`, "", 422, "/range/steps", "between 2 and 1000"},
		{"sweep: empty body", swp, ctJSON, "", "", 400, "", "empty"},

		// /v1/uncertainty
		{"uncertainty: no request", unc, ctJSON, `{"samples": 100}`, "", 422, "/request", ""},
		{"uncertainty: samples as float", unc, ctJSON, `{"request": {}, "samples": 150.5}`, "", 422, "/samples", "whole number"},
		{"uncertainty: samples too many", unc, ctJSON, `{"request": {}, "samples": 1000000}`, "", 422, "/samples", "between 100 and 100000"},
		{"uncertainty: unknown distribution", unc, ctJSON, `{"request": {}, "samples": 100, "distributions": [{"pointer": "/electrolysis/pfc", "distribution": "cauchy", "sd": 1}]}`, "", 422, "/distributions/0/distribution", "must be one of"},
		{"uncertainty: negative seed", unc, ctJSON, `{"request": {}, "samples": 100, "seed": -1}`, "", 422, "/seed", ""},
		{"uncertainty: wrong content type", unc, "text/plain", `{"request": {}}`, "", 415, "", "Content-Type"},

		// /v1/assessments/plant
		{"assessment: smelter as array", asm, ctJSON, `{"smelter": []}`, "", 422, "/smelter", "must be an object"},
		{"assessment: negative SO2", asm, ctJSON, `{"stack": {"so2_mg_m3": -1}}`, "", 422, "/stack/so2_mg_m3", ""},
		{"assessment: unknown alumina route", asm, ctJSON, `{"alumina": {"route": "moon", "comprehensive_energy_kgce_per_t": 400}}`, "", 422, "/alumina/route", "must be one of"},
		{"assessment: unknown field", asm, ctJSON, `{"smelter": {"liquid_ac": 12990}}`, "", 422, "/smelter/liquid_ac", "unknown field"},
		{"assessment: oversize body", asm, ctJSON, huge, "", 413, "", "larger than"},

		// /v1/declarations (with a valid API key)
		{"declaration: empty body", decl, ctJSON, "", "key", 400, "", "empty"},
		{"declaration: kind missing", decl, ctJSON, `{"request": {}, "product_name": "x", "reference_period": {"start": "2023-01-01", "end": "2023-12-31"}}`, "key", 422, "/kind", "required"},
		{"declaration: request as string", decl, ctJSON, `{"kind": "primary", "request": "{}", "product_name": "x", "reference_period": {"start": "2023-01-01", "end": "2023-12-31"}}`, "key", 422, "/request", "required"},
		{"declaration: product name too long", decl, ctJSON, strings.Replace(declaration(""), `"P1020A ingot"`, `"`+strings.Repeat("名", 201)+`"`, 1), "key", 422, "/product_name", "at most 200"},
		{"declaration: 51 product ids", decl, ctJSON, strings.Replace(declaration(""), `"product_ids": ["urn:gtin:06901234567892", "SX-P1020"]`, `"product_ids": [`+repeatJSON(`"id"`, 51)+`]`, 1), "key", 422, "/product_ids", "at most 50"},
		{"declaration: date as number", decl, ctJSON, strings.Replace(declaration(""), `"start": "2023-01-01"`, `"start": 20230101`, 1), "key", 422, "/reference_period/start", "must be a string"},
		{"declaration: invalid UTF-8", decl, ctJSON, "{\"kind\": \"primary\", \"product_name\": \"\xff\"}", "key", 400, "", "UTF-8"},
		{"declaration: wrong content type", decl, "text/plain", declaration(""), "key", 415, "", "Content-Type"},
		{"declaration: oversize body", decl, ctJSON, huge, "key", 413, "", "larger than"},

		// /v1/batches (with a valid API key; files, not JSON)
		{"batch: no kind", "/v1/batches", "text/csv", "region\nCN-SX\n", "key", 422, "/kind", "required"},
		{"batch: unknown kind", "/v1/batches?kind=pv", "text/csv", "region\nCN-SX\n", "key", 422, "/kind", "must be one of"},
		{"batch: JSON body", "/v1/batches?kind=primary", ctJSON, `{}`, "key", 415, "", "text/csv"},
		{"batch: unknown header", "/v1/batches?kind=primary", "text/csv", "regoin\nCN-SX\n", "key", 400, "", `"regoin"`},
		{"batch: broken CSV quoting", "/v1/batches?kind=primary", "text/csv", "region\n\"CN-SX\n", "key", 400, "", "not valid CSV"},
		{"batch: not an XLSX", "/v1/batches?kind=primary", mimeXLSX, "region\nCN-SX\n", "key", 400, "", "not an XLSX"},
		{"batch: empty file", "/v1/batches?kind=primary", "text/csv", "", "key", 400, "", "empty"},
		{"batch: unknown charset", "/v1/batches?kind=primary", "text/csv; charset=ebcdic", "region\nCN-SX\n", "key", 415, "", "charset"},
		{"batch: oversize body", "/v1/batches?kind=primary", "text/csv", "region\n" + strings.Repeat("CN-SX\n", 12<<10), "key", 413, "", "larger than"},

		// /auth/token (RFC 6749 errors)
		{"token: no credentials", "/auth/token", "application/x-www-form-urlencoded", "grant_type=client_credentials", "", 401, "", "invalid_client"},
		{"token: JSON body", "/auth/token", ctJSON, `{"grant_type": "client_credentials"}`, "basic", 400, "", "invalid_request"},
		{"token: no grant type", "/auth/token", "application/x-www-form-urlencoded", "scope=x", "basic", 400, "", "invalid_request"},
		{"token: password grant", "/auth/token", "application/x-www-form-urlencoded", "grant_type=password", "basic", 400, "", "unsupported_grant_type"},
		{"token: bad form escape", "/auth/token", "application/x-www-form-urlencoded", "grant_type=%zz", "basic", 400, "", "invalid_request"},
		{"token: oversize body", "/auth/token", "application/x-www-form-urlencoded", "grant_type=client_credentials&x=" + strings.Repeat("a", 70<<10), "basic", 400, "", "invalid_request"},

		// /2/events (PACT errors)
		{"events: empty body", evt, ce, "", "token", 400, "", "BadRequest"},
		{"events: not JSON content type", evt, "text/plain", event(`{"pfIds": ["a"]}`), "token", 400, "", "BadRequest"},
		{"events: specversion as number", evt, ce, `{"type": "` + pact.EventPublished + `", "specversion": 1, "id": "1", "source": "//x", "data": {"pfIds": ["a"]}}`, "token", 400, "", "BadRequest"},
		{"events: pfIds as string", evt, ce, event(`{"pfIds": "a"}`), "token", 400, "", "BadRequest"},
		{"events: request without pf", evt, ce, strings.Replace(event(`{}`), pact.EventPublished, pact.EventRequestCreated, 1), "token", 400, "", "BadRequest"},
		// PACT has no code for an oversize body: its generic BadRequest,
		// in the PACT shape, naming the limit.
		{"events: oversize body", evt, ce, event(`{"pfIds": ["` + strings.Repeat("a", 70<<10) + `"]}`), "token", 400, "", "BadRequest"},
	}
}

// TestMalformedRequests sends every request of the catalogue through the
// real router, error handler and a SQLite registry: each gets its 4xx, in
// its path's error shape, naming the field where one is at fault; none is
// a 5xx.
func TestMalformedRequests(t *testing.T) {
	r := newRegistryEnv(t, openSQLite, func(o *Options) { o.RateBurst = 1000 })
	o, key := r.org(t, "Supplier")
	clientID, secret, err := r.store.CreatePACTClient(t.Context(), o.ID)
	if err != nil {
		t.Fatal(err)
	}
	token := r.pactToken(t, o.ID)
	cases := malformedCatalogue()
	if len(cases) < 50 {
		t.Fatalf("the catalogue has %d cases; the issue asks for at least 50", len(cases))
	}
	paths := map[string]bool{}
	for _, tc := range cases {
		path, _, _ := strings.Cut(tc.path, "?")
		paths[path] = true
		t.Run(tc.name, func(t *testing.T) {
			var headers []string
			switch tc.auth {
			case "key":
				headers = auth(key)
			case "token":
				headers = auth(token)
			case "basic":
				headers = []string{"Authorization", basic(clientID, secret)}
			}
			rec := do(t, r.e, http.MethodPost, tc.path, tc.contentType, tc.body, headers...)
			if rec.Code >= 500 || rec.Code != tc.status {
				t.Fatalf("status %d, want %d; body %.300s", rec.Code, tc.status, rec.Body)
			}
			shape := shapeOf(tc.path)
			if rec.Code == http.StatusRequestEntityTooLarge {
				shape = shapeProblem
			}
			switch shape {
			case shapeProblem:
				p := decodeProblem(t, rec)
				if tc.pointer == "" {
					if !strings.Contains(p.Detail, tc.detail) {
						t.Fatalf("detail %q does not contain %q", p.Detail, tc.detail)
					}
					return
				}
				if !hasPointer(p, tc.pointer, tc.detail) {
					t.Fatalf("no error at %s containing %q; got %+v", tc.pointer, tc.detail, p.Errors)
				}
			case shapeOAuth:
				var body pact.OAuthError
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error != tc.detail {
					t.Fatalf("OAuth error %q, want %q (%v): %s", body.Error, tc.detail, err, rec.Body)
				}
				if rec.Header().Get("Cache-Control") != "no-store" {
					t.Fatal("an OAuth error must not be cached")
				}
			case shapePACT:
				var body pact.Error
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Code != tc.detail || body.Message == "" {
					t.Fatalf("PACT error %+v, want code %q (%v): %s", body, tc.detail, err, rec.Body)
				}
				if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Fatalf("content type %q", ct)
				}
			}
		})
	}
	for _, p := range postPaths(t, r) {
		if !paths[p] {
			t.Errorf("POST %s has no malformed request in the catalogue", p)
		}
	}
	var list declarationListResponse
	if getJSON(t, r.e, "/v1/declarations", &list, auth(key)...); list.Count != 0 {
		t.Fatalf("a refused publish was stored: %d declarations", list.Count)
	}
}

func shapeOf(path string) errShape {
	switch {
	case strings.HasPrefix(path, "/auth/"):
		return shapeOAuth
	case strings.HasPrefix(path, "/2/"):
		return shapePACT
	}
	return shapeProblem
}

// postPaths lists the router's POST routes, so that a new endpoint
// without malformed cases fails the test.
func postPaths(t *testing.T, r *registryEnv) []string {
	t.Helper()
	var out []string
	for _, rt := range r.e.Routes() {
		if rt.Method == http.MethodPost && !strings.HasPrefix(rt.Path, "/test-") {
			out = append(out, rt.Path)
		}
	}
	if len(out) == 0 {
		t.Fatal("the router has no POST routes")
	}
	return out
}
