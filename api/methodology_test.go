package api

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestPrimaryMethodology20262 checks the request fields and response
// blocks of the 2026.2 methodology over HTTP: the anodes-on-site input and
// its JSON pointer in the defaulted inputs, the liquid AC power and its
// errors (named by pointer), the CBAM rules and the ETS block; 2026.1 has
// no ETS block. The values themselves are calc's hand-computed tests.
func TestPrimaryMethodology20262(t *testing.T) {
	e, _, _ := testServer(t)
	var r primaryResponse
	rec := postJSON(t, e, "/v1/footprints/primary", `{"dataset": "2026.2", "region": "CN-SX", "year": 2023, "production_t": 300000}`)
	if rec.Code != 200 {
		t.Fatalf("2026.2: %d %s", rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(r.Provenance.DefaultedInputs, "/anode/produced_on_site") {
		t.Errorf("defaulted inputs %v lack /anode/produced_on_site", r.Provenance.DefaultedInputs)
	}
	if r.CBAM.Rules != "definitive_2026" || r.CBAM.AnodesOnSite == nil || !*r.CBAM.AnodesOnSite ||
		r.CBAM.PFCVerifiable == nil || *r.CBAM.PFCVerifiable || r.CBAM.PortfolioSEEIndirectTCO2ePerT == nil {
		t.Errorf("cbam = %+v", r.CBAM)
	}
	if r.ETS == nil || r.ETS.Annual == nil || !r.ETS.Annual.KeyEmitter || len(r.ETS.Allocation) != 2 || r.ETS.Allocation[1].BenchmarkTCO2ePerT != nil {
		t.Errorf("ets = %+v", r.ETS)
	}
	if r.Ratings.Indicator != "liquid_comprehensive_ac" || r.Ratings.GB21346ACGrade != 3 || r.Ratings.NDRCLevel != "not_assessed" {
		t.Errorf("ratings = %+v", r.Ratings)
	}
	rec = postJSON(t, e, "/v1/footprints/primary", `{"dataset": "2026.2", "region": "CN-SX", "year": 2023, "anode": {"produced_on_site": false}}`)
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil || rec.Code != 200 || *r.CBAM.AnodesOnSite || r.CBAM.AnodeProductionTCO2PerT != 0 {
		t.Errorf("produced_on_site false: %d %+v", rec.Code, r.CBAM)
	}
	for _, tc := range []struct{ body, pointer, has string }{
		{`{"dataset": "2026.2", "electrolysis": {"ac_kwh_per_t": 13000, "liquid_ac_kwh_per_t": 13200}}`, "/electrolysis/liquid_ac_kwh_per_t", "cannot exceed"},
		{`{"dataset": "2026.1", "electrolysis": {"liquid_ac_kwh_per_t": 13000}}`, "/electrolysis/liquid_ac_kwh_per_t", "2026.2"},
		{`{"dataset": "2026.2", "electrolysis": {"liquid_ac_kwh_per_t": 9000}}`, "/electrolysis/liquid_ac_kwh_per_t", "10000"},
		{`{"dataset": "2026.2", "anode": {"produced_on_site": "yes"}}`, "/anode/produced_on_site", "true or false"},
	} {
		rec := postJSON(t, e, "/v1/footprints/primary", tc.body)
		if p := decodeProblem(t, rec); rec.Code != 422 || !hasPointer(p, tc.pointer, tc.has) {
			t.Errorf("%s: %d %s", tc.body, rec.Code, rec.Body)
		}
	}
	var old primaryResponse
	rec = postJSON(t, e, "/v1/footprints/primary", `{"dataset": "2026.1", "region": "CN-SX", "year": 2023}`)
	if err := json.Unmarshal(rec.Body.Bytes(), &old); err != nil || old.ETS != nil || old.CBAM.Rules != "estimate" || old.CBAM.AnodesOnSite != nil {
		t.Errorf("2026.1: ets %v, cbam %+v", old.ETS, old.CBAM)
	}
}

// TestPrimaryRequestFieldsReachCalc guards against lost data: every field
// of the smelter's stages in a primary request (alumina, anode,
// electrolysis, casting), set to a non-zero value, arrives non-zero at the
// calc input field of the same Go path (its name or calc tag), so a field
// added to the request and forgotten in toInput fails here.
func TestPrimaryRequestFieldsReachCalc(t *testing.T) {
	var req primaryRequest
	rv := reflect.ValueOf(&req).Elem()
	var paths []string
	for _, name := range []string{"Alumina", "Anode", "Electrolysis", "Casting"} {
		fillLeaves(rv.FieldByName(name), name, &paths)
	}
	in, err := req.toInput()
	if err != nil {
		t.Fatal(err)
	}
	cv := reflect.ValueOf(in)
	for _, p := range paths {
		v := cv
		for _, part := range strings.Split(p, ".") {
			v = reflect.Indirect(v).FieldByName(part)
			if !v.IsValid() {
				t.Fatalf("%s: calc.PrimaryInput has no field %s", p, part)
			}
		}
		if v.IsZero() {
			t.Errorf("request field %s does not reach calc.PrimaryInput.%s", p, p)
		}
	}
	if len(paths) < 25 {
		t.Fatalf("only %d leaf fields walked: %v", len(paths), paths)
	}
}

// fillLeaves sets every scalar leaf under v to a non-zero value and
// appends its Go path (field names, or calc tags where given).
func fillLeaves(v reflect.Value, path string, paths *[]string) {
	if v.Kind() == reflect.Struct {
		for i := range v.NumField() {
			f := v.Type().Field(i)
			name := f.Name
			if tag := f.Tag.Get("calc"); tag != "" {
				name = tag
			}
			fillLeaves(v.Field(i), path+"."+name, paths)
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		switch e := v.Elem(); e.Kind() {
		case reflect.Float64:
			e.SetFloat(1.5)
		case reflect.Bool:
			e.SetBool(true)
		}
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	default:
		return
	}
	*paths = append(*paths, path)
}

// TestRealDefaultDataset: the build's own default (the test server pins
// 2026.1) is 2026.2, the newest release: a request that pins no dataset is
// computed with it and has its ETS view; both releases are listed.
func TestRealDefaultDataset(t *testing.T) {
	e := realDefaultServer(t)
	var list datasetsResponse
	if rec := getJSON(t, e, "/v1/datasets", &list); rec.Code != 200 || list.Default != "2026.2" {
		t.Fatalf("datasets: %d default %q", rec.Code, list.Default)
	}
	for _, d := range list.Datasets {
		if d.Status != "released" {
			t.Errorf("%s: status %q", d.Version, d.Status)
		}
	}
	var r primaryResponse
	rec := postJSON(t, e, "/v1/footprints/primary", `{"region": "CN-SX", "year": 2023}`)
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil || rec.Code != 200 || r.Dataset != "2026.2" || r.ETS == nil {
		t.Fatalf("default request: %d dataset %q ets %v", rec.Code, r.Dataset, r.ETS != nil)
	}
}

// TestDeclaration20262ETS publishes the reference smelter on dataset 2026.2:
// its ETS summary is the stored result's ets block, and /verify reproduces
// the declaration.
func TestDeclaration20262ETS(t *testing.T) {
	r := newRegistryEnv(t, openSQLite)
	_, key := r.org(t, "Shanxi Smelter")
	body := strings.Replace(declaration(`"visibility": "public"`), `"region": "CN-SX"`, `"dataset": "2026.2", "region": "CN-SX"`, 1)
	d := r.publish(t, key, body)
	if d.DatasetVersion != "2026.2" {
		t.Fatalf("declared on %s", d.DatasetVersion)
	}
	var res primaryResponse
	if err := json.Unmarshal(d.Result, &res); err != nil || res.ETS == nil {
		t.Fatalf("stored result has no ets: %v", err)
	}
	var ets declarationETSResponse
	if rec := getJSON(t, r.e, "/v1/declarations/"+d.ID+"/ets", &ets); rec.Code != 200 {
		t.Fatalf("ets: %d %s", rec.Code, rec.Body)
	}
	if ets.ETS.ProcessTCO2ePerT != res.ETS.ProcessTCO2ePerT || ets.Enterprise != "Shanxi Smelter" || ets.ReportingPeriod.End != "2023-12-31" ||
		ets.ETS.Annual == nil || ets.DatasetVersion != "2026.2" {
		t.Fatalf("ets summary %+v, stored %+v", ets, res.ETS)
	}
	var v verifyResponse
	if getJSON(t, r.e, "/v1/declarations/"+d.ID+"/verify", &v); !v.Reproduced {
		t.Fatalf("verify: %+v", v)
	}
}
