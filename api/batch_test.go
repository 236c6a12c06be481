package api

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"alcarbon/batch"
)

// batchEnv is a router with a registry (batches need an API key) and a
// key.
type batchEnv struct {
	*registryEnv
	key string
}

func newBatchEnv(t *testing.T) batchEnv {
	t.Helper()
	r := newRegistryEnv(t, openSQLite)
	_, key := r.org(t, "Batch Smelter Co")
	return batchEnv{r, key}
}

// post sends a batch file.
func (b batchEnv) post(t *testing.T, query, contentType string, body []byte, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/v1/batches?"+query, bytes.NewReader(body))
	req.Header.Set(echo.HeaderContentType, contentType)
	req.Header.Set("Authorization", "Bearer "+b.key)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	b.e.ServeHTTP(rec, req)
	return rec
}

// postJSONResults posts a batch and decodes its JSON answer (status 200).
func (b batchEnv) postJSONResults(t *testing.T, query, contentType string, body []byte) batchResponse {
	t.Helper()
	rec := b.post(t, query, contentType, body)
	if rec.Code != http.StatusOK {
		t.Fatalf("POST /v1/batches?%s: %d %s", query, rec.Code, rec.Body)
	}
	if ct := rec.Header().Get(echo.HeaderContentType); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q", ct)
	}
	var out batchResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// template downloads a template and returns its bytes.
func template(t *testing.T, e *echo.Echo, query string) []byte {
	t.Helper()
	rec := do(t, e, http.MethodGet, "/v1/batches/template?"+query, "", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("template %s: %d %s", query, rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

// csvFile writes a CSV of header and rows, each row a map from header to
// cell.
func csvFile(t *testing.T, header []string, rows []map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(header)
	for _, r := range rows {
		rec := make([]string, len(header))
		for i, h := range header {
			rec[i] = r[h]
		}
		w.Write(rec)
	}
	w.Flush()
	return buf.Bytes()
}

func tableOf(t *testing.T, kind string) *batch.Table {
	t.Helper()
	tables, err := batchTables()
	if err != nil {
		t.Fatal(err)
	}
	return tables[kind]
}

func TestBatchColumns(t *testing.T) {
	for kind, want := range map[string]int{kindPrimary: 83, kindProduct: 94} {
		cols := tableOf(t, kind).Columns
		if len(cols) != want {
			t.Errorf("%s: %d columns, want %d (the request type changed: update this count and README's Batch files)", kind, len(cols), want)
		}
		for _, c := range cols {
			if c.Description == "" && !strings.HasSuffix(c.Path, ".mode") && !strings.HasSuffix(c.Path, ".omit") {
				t.Errorf("%s: %s has no description in the OpenAPI document", kind, c.Path)
			}
			if c.HeaderZH == "" || c.Pointer == "" || c.Type == "" {
				t.Errorf("%s: %s: %+v", kind, c.Path, c)
			}
		}
	}
	// Spot checks against the struct tags and doc comments.
	cols := tableOf(t, kindPrimary).Columns
	i := slices.IndexFunc(cols, func(c batch.Column) bool { return c.Path == "electrolysis.ac_kwh_per_t" })
	c := cols[i]
	if c.Unit != "kWh/t" || *c.Min != 10000 || *c.Max != 20000 || c.Pointer != "/electrolysis/ac_kwh_per_t" || !strings.HasPrefix(c.Default, "13,511") {
		t.Errorf("ac_kwh_per_t: %+v", c)
	}
	if c.HeaderZH != "铝液综合交流电耗 [kWh/t]（含整流与辅助）" { // glossary.json acPower
		t.Errorf("ac_kwh_per_t Chinese header %q", c.HeaderZH)
	}
	i = slices.IndexFunc(cols, func(c batch.Column) bool { return c.Path == "electricity.sources[4].kind" })
	if i < 0 || !slices.Equal(cols[i].Enum, []string{"grid", "captive", "onsite_pv", "direct_line", "green_contract"}) || cols[i].HeaderZH != "电力·电源[4]·类型" {
		t.Errorf("sources[4].kind: %+v", cols[i])
	}
	if slices.ContainsFunc(cols, func(c batch.Column) bool {
		return strings.Contains(c.Path, "sources[5]") || strings.Contains(c.Path, ".pv.")
	}) {
		t.Error("columns beyond 5 source slots or inside a PV system")
	}
	i = slices.IndexFunc(cols, func(c batch.Column) bool { return c.Path == "production_t" })
	if cols[i].UnitZH != "t/年" || !cols[i].ExclusiveMin || cols[i].Range() != "> 0 – 10000000" {
		t.Errorf("production_t: %+v", cols[i])
	}
}

func TestBatchTemplate(t *testing.T) {
	e, _, _ := testServer(t)
	for _, kind := range batchKinds {
		cols := tableOf(t, kind).Columns
		for _, lang := range []string{"en", "zh"} {
			header := func(c batch.Column) string {
				if lang == "zh" {
					return c.HeaderZH
				}
				return c.Path
			}
			unit := func(c batch.Column) string {
				if lang == "zh" {
					return c.UnitZH
				}
				return c.Unit
			}
			// CSV: the header row and the units row.
			body := template(t, e, "kind="+kind+"&format=csv&lang="+lang)
			if lang == "zh" && !bytes.HasPrefix(body, []byte("\ufeff")) {
				t.Errorf("%s zh CSV has no BOM", kind)
			}
			recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
			if err != nil || len(recs) != 2 || len(recs[0]) != len(cols) {
				t.Fatalf("%s %s CSV: %v, %d records", kind, lang, err, len(recs))
			}
			for i, c := range cols {
				if recs[0][i] != header(c) || recs[1][i] != unit(c) {
					t.Errorf("%s %s CSV column %d: %q / %q, want %q / %q", kind, lang, i, recs[0][i], recs[1][i], header(c), unit(c))
				}
			}
			// XLSX: the same two rows, and a sheet explaining each column.
			f, err := excelize.OpenReader(bytes.NewReader(template(t, e, "kind="+kind+"&format=xlsx&lang="+lang)))
			if err != nil {
				t.Fatal(err)
			}
			sheets := f.GetSheetList()
			if len(sheets) != 2 {
				t.Fatalf("%s %s: sheets %v", kind, lang, sheets)
			}
			rows, _ := f.GetRows(sheets[0])
			info, _ := f.GetRows(sheets[1])
			if len(rows) < 1 || len(rows[0]) != len(cols) || len(info) != len(cols)+1 {
				t.Fatalf("%s %s XLSX: %d header cells, %d column lines; want %d", kind, lang, len(rows[0]), len(info)-1, len(cols))
			}
			for i, c := range cols {
				u := ""
				if len(rows) > 1 && i < len(rows[1]) {
					u = rows[1][i]
				}
				if rows[0][i] != header(c) || u != unit(c) {
					t.Errorf("%s %s XLSX column %d: %q / %q", kind, lang, i, rows[0][i], u)
				}
				line := append(info[i+1], make([]string, 9)...)
				if line[0] != header(c) || line[2] != c.Pointer || line[5] != c.Range() || line[6] != c.Default || line[8] != c.Description {
					t.Errorf("%s %s column sheet line %d: %q", kind, lang, i+2, line[:9])
				}
			}
			f.Close()
		}
	}
	for _, q := range []string{"", "kind=pv", "kind=primary&format=pdf", "kind=primary&lang=fr"} {
		if rec := do(t, e, http.MethodGet, "/v1/batches/template?"+q, "", ""); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("template?%s: %d, want 422", q, rec.Code)
		}
	}
}

// roundTripRows returns one row per column of kind: that column at its
// example (or first allowed value, or minimum) and the cells the
// request's rules need beside it (a source's kind, a PFC method's other
// inputs, …). Every column appears in some row.
func roundTripRows(t *testing.T, kind string, declarationID string, steps []string, omittable string) []map[string]string {
	t.Helper()
	var rows []map[string]string
	for _, c := range tableOf(t, kind).Columns {
		row := map[string]string{c.Path: exampleOf(c)}
		if kind == kindProduct {
			row["product"] = "building_profile"
		}
		need := func(kv ...string) {
			for i := 0; i+1 < len(kv); i += 2 {
				if _, set := row[kv[i]]; !set {
					row[kv[i]] = kv[i+1]
				}
			}
		}
		leaf := c.Path[strings.LastIndex(c.Path, ".")+1:]
		switch {
		case strings.HasPrefix(c.Path, "electricity.sources["):
			slot, _ := strconv.Atoi(c.Path[len("electricity.sources[") : len("electricity.sources[")+1])
			p := fmt.Sprintf("electricity.sources[%d].", slot)
			// Earlier slots: fixed volumes of grid power, which need production_t.
			for j := range slot {
				q := fmt.Sprintf("electricity.sources[%d].", j)
				need(q+"kind", "grid", q+"mwh", "1000")
			}
			need("production_t", "300000")
			switch leaf {
			case "fuel", "ef_tco2_per_mwh", "coal_gce_per_kwh":
				need(p+"kind", "captive", p+"fuel", "coal", p+"share", "1")
			case "technology":
				need(p+"kind", "direct_line", p+"share", "1")
			case "mwh":
				need(p+"kind", "grid")
			case "share":
				row[c.Path] = "1"
				need(p+"kind", "grid")
			default:
				need(p+"kind", "grid", p+"share", "1")
			}
		case strings.HasPrefix(c.Path, "steps["):
			slot, _ := strconv.Atoi(c.Path[len("steps[") : len("steps[")+1])
			order := steps
			if leaf == "omit" { // the omitted step in this slot, the others distinct
				order = append([]string{}, steps...)
				k := slices.Index(order, omittable)
				order[k], order[slot] = order[slot], order[k]
			}
			for j := 0; j <= slot; j++ {
				need(fmt.Sprintf("steps[%d].step", j), order[j])
			}
			switch leaf {
			case "step":
				row[c.Path] = steps[slot]
			case "omit":
				row[c.Path] = "true"
			}
		case strings.HasPrefix(c.Path, "transport["):
			slot, _ := strconv.Atoi(c.Path[len("transport[") : len("transport[")+1])
			for j := 0; j <= slot; j++ {
				need(fmt.Sprintf("transport[%d].mode", j), "rail", fmt.Sprintf("transport[%d].km", j), "800")
			}
		case strings.HasPrefix(c.Path, "electrolysis.pfc."):
			switch leaf {
			case "method", "coefficients", "anode_effect_minutes_per_cell_day":
				need("electrolysis.pfc.method", "slope", "electrolysis.pfc.anode_effect_minutes_per_cell_day", "0.05", "electrolysis.technology", "PFPB_M")
			case "slope_coefficient", "c2f6_fraction":
				need("electrolysis.pfc.method", "slope", "electrolysis.pfc.anode_effect_minutes_per_cell_day", "0.05",
					"electrolysis.pfc.slope_coefficient", "0.1", "electrolysis.pfc.c2f6_fraction", "0.06")
			case "anode_effect_overvoltage_mv", "current_efficiency":
				need("electrolysis.pfc.method", "overvoltage", "electrolysis.pfc.anode_effect_overvoltage_mv", "1.2", "electrolysis.pfc.current_efficiency", "0.94")
			case "cf4_kg_per_t", "c2f6_kg_per_t":
				need("electrolysis.pfc.method", "measured", "electrolysis.pfc.cf4_kg_per_t", "0.02", "electrolysis.pfc.c2f6_kg_per_t", "0.002")
			}
		case c.Path == "electrolysis.liquid_ac_kwh_per_t":
			need("dataset", "2026.2", "electrolysis.ac_kwh_per_t", "13500")
		case c.Path == "electricity.certificates_mwh":
			need("production_t", "300000")
		case c.Path == "metal.declaration_id":
			row[c.Path] = declarationID
		}
		rows = append(rows, row)
	}
	return rows
}

// exampleOf is a valid value of c: its example, else its first allowed
// value, else its minimum.
func exampleOf(c batch.Column) string {
	switch {
	case c.Example != "":
		return c.Example
	case len(c.Enum) > 0:
		return c.Enum[0]
	case c.Type == "boolean":
		return "true"
	case c.Min != nil:
		return strconv.FormatFloat(*c.Min, 'f', -1, 64)
	}
	return "1"
}

// routeSteps returns the steps of a product family's route, then the
// other catalogue steps a request may add (GET /v1/products), and the
// route's first processing step (one a request may omit).
func routeSteps(t *testing.T, e *echo.Echo, product string) (steps []string, omittable string) {
	t.Helper()
	var out struct {
		Products []struct {
			ID    string `json:"id"`
			Route []struct {
				Step  string `json:"step"`
				Stage string `json:"stage"`
			} `json:"route"`
		} `json:"products"`
		Steps []string `json:"steps"`
	}
	getJSON(t, e, "/v1/products", &out)
	for _, p := range out.Products {
		if p.ID != product {
			continue
		}
		for _, s := range p.Route {
			steps = append(steps, s.Step)
			if s.Stage == "processing" && omittable == "" {
				omittable = s.Step
			}
		}
		for _, s := range out.Steps { // catalogue steps a request may add
			if !slices.Contains(steps, s) {
				steps = append(steps, s)
			}
		}
		return steps, omittable
	}
	t.Fatalf("no product %s", product)
	return nil, ""
}

// TestBatchTemplateRoundTrip fills the downloaded template, one row per
// column (English and Chinese headers), and posts it: every row computes,
// so every column unflattens into a valid request.
func TestBatchTemplateRoundTrip(t *testing.T) {
	env := newBatchEnv(t)
	decl := env.publish(t, env.key, declaration(`"visibility": "public"`))
	steps, omittable := routeSteps(t, env.e, "building_profile")
	if len(steps) < 5 || omittable == "" {
		t.Fatalf("building_profile steps %v, omittable %q: fewer than 5 steps to fill the step slots", steps, omittable)
	}
	for _, kind := range batchKinds {
		table := tableOf(t, kind)
		rows := roundTripRows(t, kind, decl.ID, steps, omittable)
		for _, lang := range []string{"en", "zh"} {
			tmpl := template(t, env.e, "kind="+kind+"&format=csv&lang="+lang)
			recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(tmpl, []byte("\ufeff")))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			// The rows by the file's headers.
			byHeader := make([]map[string]string, len(rows))
			for i, r := range rows {
				byHeader[i] = map[string]string{}
				for path, v := range r {
					j, ok := table.Lookup(path)
					if !ok {
						t.Fatalf("no column %s", path)
					}
					byHeader[i][recs[0][j]] = v
				}
			}
			var buf bytes.Buffer
			buf.Write(tmpl) // header and units rows as downloaded
			buf.Write(csvFile(t, recs[0], byHeader)[len(csvFile(t, recs[0], nil)):])
			out := env.postJSONResults(t, "kind="+kind, "text/csv", buf.Bytes())
			if out.Rows != len(rows) || out.Computed != len(rows) || out.Failed != 0 {
				t.Errorf("%s %s: %d rows, %d computed, %d failed; errors %+v", kind, lang, out.Rows, out.Computed, out.Failed, out.Errors)
			}
			if len(out.Results) > 0 && out.Results[0].Row != 3 {
				t.Errorf("%s %s: first row numbered %d, want 3 (header 1, units 2)", kind, lang, out.Results[0].Row)
			}
		}
	}
}

// TestBatchColumnsUnflatten: each column's cell lands at its JSON pointer
// in a body the kind's request type decodes strictly.
func TestBatchColumnsUnflatten(t *testing.T) {
	for _, kind := range batchKinds {
		table := tableOf(t, kind)
		for i, c := range table.Columns {
			body, err := table.Unflatten([]batch.Cell{{Column: i, Text: exampleOf(c)}})
			if err != nil {
				t.Fatal(err)
			}
			if err := decodeStrict(body, calcKinds[kind].newRequest()); err != nil {
				t.Errorf("%s %s: %s does not decode: %v", kind, c.Path, body, err)
				continue
			}
			var doc any
			json.Unmarshal(body, &doc)
			for _, tok := range strings.Split(c.Pointer[1:], "/") {
				if n, err := strconv.Atoi(tok); err == nil {
					arr := doc.([]any)
					doc = arr[n]
					continue
				}
				doc = doc.(map[string]any)[tok]
			}
			if got := fmt.Sprint(doc); got != exampleOf(c) && !(c.Type == "boolean") {
				t.Errorf("%s %s: %s holds %v at %s, want %s", kind, c.Path, body, doc, c.Pointer, exampleOf(c))
			}
		}
	}
}

// TestBatchBadRows: bad rows are named by row number and column header
// (as the file wrote it) and JSON pointer; the other rows compute.
func TestBatchBadRows(t *testing.T) {
	env := newBatchEnv(t)
	for _, lang := range []string{"en", "zh"} {
		tmpl := template(t, env.e, "kind=primary&format=csv&lang="+lang)
		recs, _ := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(tmpl, []byte("\ufeff")))).ReadAll()
		table := tableOf(t, kindPrimary)
		h := func(path string) string {
			i, _ := table.Lookup(path)
			return recs[0][i]
		}
		rows := []map[string]string{
			{h("electrolysis.ac_kwh_per_t"): "13500"},
			{h("electrolysis.ac_kwh_per_t"): "25000", h("electricity.sources[1].share"): "0.5"}, // row 4: out of range; a slot with no kind, after an empty one
			{h("anode.net_carbon_t_per_t"): "abc"},                                              // row 5: not a number
			{h("region"): "CN-YN"},
		}
		var buf bytes.Buffer
		buf.Write(tmpl)
		buf.Write(csvFile(t, recs[0], rows)[len(csvFile(t, recs[0], nil)):])
		out := env.postJSONResults(t, "kind=primary", "text/csv; charset=utf-8", buf.Bytes())
		if out.Rows != 4 || out.Computed != 2 || out.Failed != 2 {
			t.Fatalf("%s: %+v", lang, out)
		}
		statuses := []string{}
		for _, r := range out.Results {
			statuses = append(statuses, fmt.Sprintf("%d:%s", r.Row, r.Status))
		}
		if want := []string{"3:ok", "4:error", "5:error", "6:ok"}; !slices.Equal(statuses, want) {
			t.Errorf("%s: rows %v, want %v", lang, statuses, want)
		}
		want := map[string]batchRowError{
			"/electrolysis/ac_kwh_per_t":  {Row: 4, Column: h("electrolysis.ac_kwh_per_t"), FieldProblem: FieldProblem{Code: codeOutOfRange}},
			"/electricity/sources/0/kind": {Row: 4, Column: h("electricity.sources[0].kind"), FieldProblem: FieldProblem{Code: codeRequired}},
			"/electricity/sources/1/kind": {Row: 4, Column: h("electricity.sources[1].kind"), FieldProblem: FieldProblem{Code: codeRequired}},
			"/anode/net_carbon_t_per_t":   {Row: 5, Column: h("anode.net_carbon_t_per_t"), FieldProblem: FieldProblem{Code: codeWrongType}},
		}
		for _, e := range out.Errors {
			w, ok := want[e.Pointer]
			if !ok {
				continue
			}
			delete(want, e.Pointer)
			if e.Row != w.Row || e.Column != w.Column || e.Code != w.Code || e.Detail == "" {
				t.Errorf("%s: error %+v, want row %d column %q code %s", lang, e, w.Row, w.Column, w.Code)
			}
		}
		for p, w := range want {
			t.Errorf("%s: no error at %s (row %d); got %+v", lang, p, w.Row, out.Errors)
		}
	}
	// A header that is no column fails the file, naming it.
	rec := env.post(t, "kind=primary", "text/csv", []byte("region,electrolysis.ac_kwh\nCN-SX,13500\n"))
	if p := decodeProblem(t, rec); rec.Code != http.StatusBadRequest || !strings.Contains(p.Detail, `"electrolysis.ac_kwh"`) || !strings.Contains(p.Detail, "column B") {
		t.Errorf("unknown header: %d %+v", rec.Code, p)
	}
	// A product column in a primary batch is unknown too.
	if rec := env.post(t, "kind=primary", "text/csv", []byte("product\nbuilding_profile\n")); rec.Code != http.StatusBadRequest {
		t.Errorf("product header in a primary batch: %d", rec.Code)
	}
}

// referenceRows are requests whose batch results are compared with the
// single endpoint's answers: CSV cells, and the same requests as JSON.
var referenceRows = map[string][]map[string]string{
	kindPrimary: {
		{"region": "CN-SX", "year": "2023", "electricity_basis": "co2_operational", "production_t": "300000",
			"alumina.consumption_t_per_t": "1.92", "alumina.footprint_tco2e_per_t": "1.2",
			"anode.net_carbon_t_per_t": "0.411", "electrolysis.technology": "PFPB_M", "electrolysis.ac_kwh_per_t": "13500",
			"electrolysis.pfc.method": "slope", "electrolysis.pfc.anode_effect_minutes_per_cell_day": "0.05",
			"electricity.sources[0].kind": "captive", "electricity.sources[0].fuel": "coal", "electricity.sources[0].share": "0.6", "electricity.sources[0].ef_tco2_per_mwh": "0.95",
			"electricity.sources[1].kind": "grid", "electricity.sources[1].region": "CN-SX", "electricity.sources[1].share": "0.4",
			"electricity.sources[2].kind": "onsite_pv", "electricity.sources[2].mwh": "150000", "electricity.certificates_mwh": "50000"},
		{"dataset": "2026.2", "region": "CN-YN", "electrolysis.ac_kwh_per_t": "13200", "electrolysis.liquid_ac_kwh_per_t": "12900",
			"anode.produced_on_site": "TRUE", "electricity.sources[0].kind": "direct_line", "electricity.sources[0].technology": "hydro", "electricity.sources[0].share": "1"},
		{"region": "CN-NM", "casting.molten": "true"},
	},
	kindProduct: {
		{"product": "building_profile", "metal.primary_footprint_tco2e_per_t": "12.7", "metal.post_consumer_scrap_share": "0.1", "transport[0].mode": "rail", "transport[0].km": "800"},
		{"product": "building_profile", "dataset": "2026.2", "region": "CN-SD", "direct_supply.molten_share": "0.8", "electricity.sources[0].kind": "green_contract", "electricity.sources[0].technology": "wind", "electricity.sources[0].share": "0.3", "electricity.sources[1].kind": "grid", "electricity.sources[1].share": "0.7"},
	},
}

// headerOf returns the header paths of rows (every path used, sorted).
func headerOf(rows []map[string]string) []string {
	var h []string
	for _, r := range rows {
		for k := range r {
			if !slices.Contains(h, k) {
				h = append(h, k)
			}
		}
	}
	slices.Sort(h)
	return h
}

// singleAnswer posts a row's request to its single endpoint and returns
// the figures a batch reports for it.
func singleAnswer(t *testing.T, e *echo.Echo, kind string, body []byte) batchRowResult {
	t.Helper()
	rec := postJSON(t, e, "/v1/footprints/"+kind, string(body))
	if rec.Code != http.StatusOK {
		t.Fatalf("single %s: %d %s", kind, rec.Code, rec.Body)
	}
	var res batchRowResult
	var resp any
	if kind == kindPrimary {
		var r primaryResponse
		json.Unmarshal(rec.Body.Bytes(), &r)
		resp = r
	} else {
		var r productResponse
		json.Unmarshal(rec.Body.Bytes(), &r)
		resp = r
	}
	fillRowResult(&res, resp)
	return res
}

// TestBatchMatchesSingle: each row's figures equal the single endpoint's
// answer to the same request, for CSV and JSON-lines input and JSON, CSV
// and XLSX output.
func TestBatchMatchesSingle(t *testing.T) {
	env := newBatchEnv(t)
	for _, kind := range batchKinds {
		rows := referenceRows[kind]
		table := tableOf(t, kind)
		var want []batchRowResult
		var lines bytes.Buffer
		for _, r := range rows {
			var cells []batch.Cell
			for path, v := range r {
				i, ok := table.Lookup(path)
				if !ok {
					t.Fatalf("no column %s", path)
				}
				cells = append(cells, batch.Cell{Column: i, Text: v})
			}
			body, err := table.Unflatten(cells)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, singleAnswer(t, env.e, kind, body))
			lines.Write(body)
			lines.WriteString("\n")
		}
		if want[0].Total.LocationBased <= 0 || len(want[0].Stages) == 0 {
			t.Fatalf("%s: single answer %+v", kind, want[0])
		}
		file := csvFile(t, headerOf(rows), rows)
		check := func(name string, got []batchRowResult, firstRow int, rel float64) {
			t.Helper()
			if len(got) != len(want) {
				t.Fatalf("%s %s: %d results, want %d", kind, name, len(got), len(want))
			}
			for i := range want {
				w := want[i]
				w.Row, w.Status = firstRow+i, "ok"
				g := got[i]
				gj, _ := json.Marshal(g)
				wj, _ := json.Marshal(w)
				if !sameJSON(t, gj, wj, rel) {
					t.Errorf("%s %s row %d:\n got %s\nwant %s", kind, name, i, gj, wj)
				}
			}
		}
		// JSON answers, CSV and JSON-lines input (no units row: data from row 2).
		check("csv→json", env.postJSONResults(t, "kind="+kind, "text/csv", file).Results, 2, 0)
		check("jsonl→json", env.postJSONResults(t, "kind="+kind, "application/x-ndjson", lines.Bytes()).Results, 1, 0)
		// The CSV answer, by Accept.
		rec := env.post(t, "kind="+kind, "text/csv", file, "Accept", "text/csv")
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get(echo.HeaderContentType), "text/csv") {
			t.Fatalf("%s csv answer: %d %s", kind, rec.Code, rec.Header())
		}
		check("csv→csv", resultsFromRecords(t, kind, mustCSV(t, rec.Body.Bytes())), 2, 0)
		// The XLSX answer, by format=.
		rec = env.post(t, "kind="+kind+"&format=xlsx", "text/csv", file)
		if rec.Code != http.StatusOK || rec.Header().Get(echo.HeaderContentType) != mimeXLSX {
			t.Fatalf("%s xlsx answer: %d %s", kind, rec.Code, rec.Header())
		}
		f, err := excelize.OpenReader(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		recs, _ := f.GetRows(resultsSheet, excelize.Options{RawCellValue: true})
		// An XLSX number holds Excel's 15 significant digits (excelize
		// writes them so): equal to that precision.
		check("csv→xlsx", resultsFromRecords(t, kind, recs), 2, 1e-14)
		f.Close()
	}
}

func mustCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// resultsFromRecords reads results back from the CSV or XLSX answer's
// records (a header line, then one line per row), column by column as
// resultColumns names them.
func resultsFromRecords(t *testing.T, kind string, recs [][]string) []batchRowResult {
	t.Helper()
	head := recs[0]
	var out []batchRowResult
	for _, rec := range recs[1:] {
		rec = append(rec, make([]string, len(head))...)
		cell := map[string]string{}
		for i, h := range head {
			cell[h] = rec[i]
		}
		num := func(h string) float64 {
			x, err := strconv.ParseFloat(cell[h], 64)
			if err != nil {
				t.Fatalf("%s: %q: %v", h, cell[h], err)
			}
			return x
		}
		opt := func(h string) *float64 {
			if cell[h] == "" {
				return nil
			}
			x := num(h)
			return &x
		}
		r := batchRowResult{Status: cell["status"], Dataset: cell["dataset"], Region: cell["region"]}
		r.Row, _ = strconv.Atoi(cell["row"])
		r.Year, _ = strconv.Atoi(cell["year"])
		r.Total = &totalResponse{LocationBased: num("total_tco2e_per_t.location_based"), MarketBased: num("total_tco2e_per_t.market_based")}
		for _, h := range head {
			if st, ok := strings.CutPrefix(h, "stages."); ok && strings.HasSuffix(st, ".tco2e_per_t") && cell[h] != "" {
				name := strings.TrimSuffix(st, ".tco2e_per_t")
				r.Stages = append(r.Stages, batchStage{name, num(h), num("stages." + name + ".market_based_tco2e_per_t")})
			}
		}
		r.RenewableShare = &renewableShareResponse{LocationBased: num("renewable_share.location_based"), MarketBased: num("renewable_share.market_based"), HourlyMatched: opt("renewable_share.hourly_matched")}
		r.CBAM = &batchCBAM{num("cbam.see_direct_tco2e_per_t"), num("cbam.see_indirect_tco2e_per_t"), num("cbam.obligation_tco2e_per_t"), opt("cbam.default_value_tco2e_per_t")}
		if p := opt("ets.process_tco2e_per_t"); p != nil {
			r.ETS = &batchETS{*p, num("ets.enterprise_tco2e_per_t")}
		}
		out = append(out, r)
	}
	return out
}

// sameJSON reports whether two JSON texts are equal, numbers within the
// relative tolerance rel (0: exactly).
func sameJSON(t *testing.T, a, b []byte, rel float64) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		t.Fatalf("not JSON: %s / %s", a, b)
	}
	var eq func(x, y any) bool
	eq = func(x, y any) bool {
		switch xv := x.(type) {
		case float64:
			yv, ok := y.(float64)
			return ok && (xv == yv || math.Abs(xv-yv) <= rel*math.Max(math.Abs(xv), math.Abs(yv)))
		case map[string]any:
			yv, ok := y.(map[string]any)
			if !ok || len(xv) != len(yv) {
				return false
			}
			for k := range xv {
				if !eq(xv[k], yv[k]) {
					return false
				}
			}
			return true
		case []any:
			yv, ok := y.([]any)
			if !ok || len(xv) != len(yv) {
				return false
			}
			for i := range xv {
				if !eq(xv[i], yv[i]) {
					return false
				}
			}
			return true
		}
		return x == y
	}
	return eq(x, y)
}

// TestBatchEncodings: a CSV with a UTF-8 BOM, and GB18030 as Chinese Excel
// saves it (detected, or said by charset=), read as the UTF-8 file.
func TestBatchEncodings(t *testing.T) {
	env := newBatchEnv(t)
	utf8CSV := template(t, env.e, "kind=primary&format=csv&lang=zh") // BOM, Chinese headers, units row
	recs, _ := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(utf8CSV, []byte("\ufeff")))).ReadAll()
	table := tableOf(t, kindPrimary)
	h := func(path string) string {
		i, _ := table.Lookup(path)
		return recs[0][i]
	}
	rows := []map[string]string{
		{h("region"): "CN-YN", h("electricity.sources[0].kind"): "grid", h("electricity.sources[0].name"): "云南电网", h("electricity.sources[0].share"): "1"},
		{h("electrolysis.ac_kwh_per_t"): "30000"}, // out of range: named by its Chinese header
	}
	utf8CSV = append(utf8CSV, csvFile(t, recs[0], rows)[len(csvFile(t, recs[0], nil)):]...)
	if !bytes.HasPrefix(utf8CSV, []byte("\xef\xbb\xbf")) {
		t.Fatal("the Chinese CSV template has no BOM")
	}
	gb, err := simplifiedchinese.GB18030.NewEncoder().Bytes(bytes.TrimPrefix(utf8CSV, []byte("\xef\xbb\xbf")))
	if err != nil {
		t.Fatal(err)
	}
	if utf8.Valid(gb) {
		t.Fatal("the GB18030 file is valid UTF-8: the detection is not tested")
	}
	want := env.postJSONResults(t, "kind=primary", "text/csv", utf8CSV)
	if want.Computed != 1 || want.Failed != 1 || want.Errors[0].Row != 4 || want.Errors[0].Column != h("electrolysis.ac_kwh_per_t") {
		t.Fatalf("UTF-8 with BOM: %+v", want)
	}
	wj, _ := json.Marshal(want)
	for name, ct := range map[string]string{
		"GB18030 detected": "text/csv",
		"charset=gb18030":  "text/csv; charset=gb18030",
		"charset=GBK":      "text/csv; charset=GBK",
	} {
		got := env.postJSONResults(t, "kind=primary", ct, gb)
		if gj, _ := json.Marshal(got); !bytes.Equal(gj, wj) {
			t.Errorf("%s:\n got %s\nwant %s", name, gj, wj)
		}
	}
	// Without a BOM, UTF-8 is read as UTF-8.
	got := env.postJSONResults(t, "kind=primary", "text/csv", bytes.TrimPrefix(utf8CSV, []byte("\xef\xbb\xbf")))
	if gj, _ := json.Marshal(got); !bytes.Equal(gj, wj) {
		t.Errorf("UTF-8 without BOM:\n got %s\nwant %s", gj, wj)
	}
	if rec := env.post(t, "kind=primary", "text/csv; charset=latin1", gb); rec.Code != http.StatusUnsupportedMediaType {
		t.Errorf("charset=latin1: %d", rec.Code)
	}
}

// TestBatchXLSX: the downloaded XLSX template filled with excelize and
// posted; the XLSX answer's results and errors sheets read back.
func TestBatchXLSX(t *testing.T) {
	env := newBatchEnv(t)
	f, err := excelize.OpenReader(bytes.NewReader(template(t, env.e, "kind=primary&format=xlsx&lang=en")))
	if err != nil {
		t.Fatal(err)
	}
	sheet := f.GetSheetName(0)
	table := tableOf(t, kindPrimary)
	set := func(row int, path string, v any) {
		i, ok := table.Lookup(path)
		if !ok {
			t.Fatalf("no column %s", path)
		}
		cell, _ := excelize.CoordinatesToCellName(i+1, row)
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	// Typed cells, as Excel keeps them: numbers, booleans, text.
	set(3, "region", "CN-SX")
	set(3, "electrolysis.ac_kwh_per_t", 13500)
	set(3, "casting.molten", true)
	set(5, "electrolysis.ac_kwh_per_t", 9000) // row 4 left blank: skipped, row 5 numbered as shown
	set(6, "anode.sulphur_fraction", 0.03)
	var in bytes.Buffer
	if _, err := f.WriteTo(&in); err != nil {
		t.Fatal(err)
	}
	f.Close()

	rec := env.post(t, "kind=primary", mimeXLSX, in.Bytes(), "Accept", mimeXLSX)
	if rec.Code != http.StatusOK || rec.Header().Get(echo.HeaderContentType) != mimeXLSX {
		t.Fatalf("XLSX batch: %d %s", rec.Code, rec.Body)
	}
	out, err := excelize.OpenReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if sheets := out.GetSheetList(); !slices.Equal(sheets, []string{resultsSheet, errorsSheet}) {
		t.Fatalf("sheets %v", sheets)
	}
	results, _ := out.GetRows(resultsSheet, excelize.Options{RawCellValue: true})
	got := resultsFromRecordsLoose(results)
	if want := []string{"3:ok", "5:error", "6:ok"}; !slices.Equal(got, want) {
		t.Errorf("results %v, want %v", got, want)
	}
	errs, _ := out.GetRows(errorsSheet)
	if len(errs) != 2 || !slices.Equal(errs[0], []string{"row", "column", "pointer", "code", "detail"}) ||
		!slices.Equal(errs[1][:4], []string{"5", "electrolysis.ac_kwh_per_t", "/electrolysis/ac_kwh_per_t", codeOutOfRange}) ||
		!strings.Contains(errs[1][4], "9000") {
		t.Errorf("errors sheet %q", errs)
	}
	// The same file's JSON answer: the molten row computed as the single endpoint would.
	single := singleAnswer(t, env.e, kindPrimary, []byte(`{"region":"CN-SX","electrolysis":{"ac_kwh_per_t":13500},"casting":{"molten":true}}`))
	j := env.postJSONResults(t, "kind=primary", mimeXLSX, in.Bytes())
	if j.Results[0].Total == nil || *j.Results[0].Total != *single.Total {
		t.Errorf("row 3: %+v, single %+v", j.Results[0].Total, single.Total)
	}
}

// resultsFromRecordsLoose lists row:status of a results sheet.
func resultsFromRecordsLoose(recs [][]string) []string {
	var out []string
	for _, r := range recs[1:] {
		out = append(out, r[0]+":"+r[1])
	}
	return out
}

// TestBatchLimits: 200 rows answer at once; 201 get a clear 413 that says
// jobs are not available; no key is 401; other media types 415.
func TestBatchLimits(t *testing.T) {
	env := newBatchEnv(t)
	file := func(n int) []byte {
		var b strings.Builder
		b.WriteString("region,electrolysis.ac_kwh_per_t\n")
		for i := range n {
			fmt.Fprintf(&b, "CN-SX,%d\n", 13000+i)
		}
		return []byte(b.String())
	}
	if out := env.postJSONResults(t, "kind=primary", "text/csv", file(200)); out.Computed != 200 {
		t.Errorf("200 rows: %d computed", out.Computed)
	}
	rec := env.post(t, "kind=primary", "text/csv", file(201))
	p := decodeProblem(t, rec)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(p.Detail, "more than 200 rows") || !strings.Contains(p.Detail, "jobs") {
		t.Errorf("201 rows: %d %+v", rec.Code, p)
	}
	if ct := rec.Header().Get(echo.HeaderContentType); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("201 rows: Content-Type %q", ct)
	}
	// Blank lines do not count.
	if out := env.postJSONResults(t, "kind=primary", "text/csv", append(file(200), ",\n\n,,\n"...)); out.Rows != 200 {
		t.Errorf("200 rows and blank lines: %d rows", out.Rows)
	}
	// The body limit (64 KiB in tests) is a 413 too.
	big := append(file(1), bytes.Repeat([]byte(",\n"), 40<<10)...)
	if rec := env.post(t, "kind=primary", "text/csv", big); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("over the body limit: %d", rec.Code)
	}
	req := httptest.NewRequest(http.MethodPost, "/v1/batches?kind=primary", bytes.NewReader(file(1)))
	req.Header.Set(echo.HeaderContentType, "text/csv")
	rec = httptest.NewRecorder()
	env.e.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("no API key: %d", rec.Code)
	}
	for _, ct := range []string{"application/json", "text/plain", ""} {
		if rec := env.post(t, "kind=primary", ct, file(1)); rec.Code != http.StatusUnsupportedMediaType {
			t.Errorf("Content-Type %q: %d", ct, rec.Code)
		}
	}
	for _, q := range []string{"", "kind=electricity", "kind=primary&format=pdf"} {
		if rec := env.post(t, q, "text/csv", file(1)); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("?%s: %d", q, rec.Code)
		}
	}
	if rec := env.post(t, "kind=primary", "text/csv", []byte("region\n")); rec.Code != http.StatusBadRequest {
		t.Errorf("no rows: %d", rec.Code)
	}
	if rec := env.post(t, "kind=primary", mimeXLSX, file(1)); rec.Code != http.StatusBadRequest {
		t.Errorf("CSV sent as XLSX: %d", rec.Code)
	}
}

// TestBatchWorkBudget: a batch is priced as the sum of its rows' single
// prices; over ALCARBON_MAX_WORK it is the budget's 422 before any row
// computes.
func TestBatchWorkBudget(t *testing.T) {
	r := newRegistryEnv(t, openSQLite, func(o *Options) { o.Work.MaxUnits = 1000 })
	_, key := r.org(t, "Budget Co")
	env := batchEnv{r, key}
	file := func(n int) []byte {
		return []byte("region\n" + strings.Repeat("CN-SX\n", n))
	}
	// A calculation without PV is priced workPerCalc (200) and these
	// bodies under bodyBytesPerWork bytes nothing more: five rows cost
	// exactly the 1000 units allowed, six are over.
	if out := env.postJSONResults(t, "kind=primary", "text/csv", file(5)); out.Computed != 5 {
		t.Errorf("5 rows: %+v", out)
	}
	rec := env.post(t, "kind=primary", "text/csv", file(6))
	p := decodeProblem(t, rec)
	if rec.Code != http.StatusUnprocessableEntity || p.WorkUnits == nil || *p.WorkUnits != 6*workPerCalc || *p.MaxWorkUnits != 1000 || !strings.Contains(p.Detail, "work units") {
		t.Errorf("6 rows over a budget of 1000: %d %+v", rec.Code, p)
	}
	if len(p.Errors) != 1 || !strings.Contains(p.Errors[0].Detail, "6 rows") {
		t.Fatalf("the cost's driver: %+v", p.Errors)
	}
	if e := p.Errors[0]; e.Code != codeDrivesWork || e.Pointer != "" || !reflect.DeepEqual(e.Params, map[string]any{"units": float64(6 * workPerCalc)}) {
		t.Errorf("the driver is the whole file, drives_work with its units: %+v", e)
	}
}

// TestBatchFileCodes: each way a batch file is refused as a whole — a 400
// (it cannot be read as a batch), a 413 (over the row limit or over the
// byte limit, told apart by code) or a 415 (a charset not read) — has one
// field error at pointer "" (the file) with its code and params, for the
// page to word, beside the English detail.
func TestBatchFileCodes(t *testing.T) {
	env := newBatchEnv(t) // no jobs: the body limit (64 KiB) and 200 rows bound a file
	jobs := newJobsEnv(t, openSQLite, 0, func(o *Options) {
		o.BodyLimit = 1000
		o.Batch.MaxRows = 300
	})
	csvRows := func(n int) []byte {
		return []byte("region\n" + strings.Repeat("CN-SX\n", n))
	}
	// One row and 80 KiB of blank lines, which do not count as rows.
	blankLines := append(csvRows(1), bytes.Repeat([]byte(",\n"), 40<<10)...)
	bigLine := []byte(`{"region": "CN-SX", "dataset": "` + strings.Repeat("x", 4<<20) + `"}` + "\n")
	cases := []struct {
		name   string
		env    batchEnv
		ct     string
		body   io.Reader
		length int64 // the Content-Length announced; -1: none
		status int
		code   string
		params map[string]any
	}{
		{"empty file", env, "text/csv", strings.NewReader(""), 0, http.StatusBadRequest, "empty_file", nil},
		{"unknown header", env, "text/csv", strings.NewReader("region,electrolysis.ac_kwh\nCN-SX,13500\n"), -1, http.StatusBadRequest,
			"unknown_column", map[string]any{"column": "B", "got": "electrolysis.ac_kwh"}},
		{"a column twice", env, "text/csv", strings.NewReader("region,region\nCN-SX,CN-SX\n"), -1, http.StatusBadRequest,
			"duplicate_column", map[string]any{"columns": []any{"A", "B"}, "got": "region"}},
		{"no header named", env, "text/csv", strings.NewReader(",\nCN-SX\n"), -1, http.StatusBadRequest, "no_columns", nil},
		{"a bare quote", env, "text/csv", strings.NewReader("region\nCN\"SX\n"), -1, http.StatusBadRequest, "invalid_csv", map[string]any{"row": float64(2)}},
		{"CSV sent as XLSX", env, mimeXLSX, bytes.NewReader(csvRows(1)), -1, http.StatusBadRequest, "not_xlsx", nil},
		{"a workbook without sheets", env, mimeXLSX, bytes.NewReader(sheetlessWorkbook(t)), -1, http.StatusBadRequest, "unreadable_sheet", nil},
		{"a zip bomb", env, mimeXLSX, bytes.NewReader(zipBomb(t, 65<<20)), -1, http.StatusBadRequest, "xlsx_too_large", map[string]any{"max": float64(64 << 20)}},
		{"a JSON line over 4 MiB", jobs, "application/x-ndjson", bytes.NewReader(bigLine), -1, http.StatusBadRequest,
			"line_too_long", map[string]any{"row": float64(1), "max": float64(4 << 20)}},
		{"latin1", env, "text/csv; charset=latin1", bytes.NewReader(csvRows(1)), -1, http.StatusUnsupportedMediaType,
			"unsupported_charset", map[string]any{"got": "latin1", "allowed": []any{"utf-8", "gb18030"}}},
		{"JSON lines in GB18030", env, "application/x-ndjson; charset=gb18030", strings.NewReader(`{"region": "CN-SX"}`), -1, http.StatusUnsupportedMediaType,
			"unsupported_charset", map[string]any{"got": "gb18030", "allowed": []any{"utf-8"}}},
		{"a header and no rows", env, "text/csv", strings.NewReader("region\n"), -1, http.StatusBadRequest, "no_rows", nil},
		{"a body that breaks off", env, "text/csv", io.MultiReader(bytes.NewReader(csvRows(3)), iotest.ErrReader(errors.New("connection reset"))), -1,
			http.StatusBadRequest, "unreadable_file", nil},
		{"201 rows without jobs", env, "text/csv", bytes.NewReader(csvRows(201)), -1, http.StatusRequestEntityTooLarge,
			"too_many_rows", map[string]any{"max": float64(maxSyncRows)}},
		{"over ALCARBON_BATCH_MAX_ROWS", jobs, "text/csv", bytes.NewReader(csvRows(301)), -1, http.StatusRequestEntityTooLarge,
			"too_many_rows", map[string]any{"max": float64(300)}},
		{"over the body limit, announced", env, "text/csv", bytes.NewReader(blankLines), int64(len(blankLines)), http.StatusRequestEntityTooLarge,
			"too_many_bytes", map[string]any{"max": float64(64 << 10)}},
		{"over the body limit, streamed", env, "text/csv", bytes.NewReader(blankLines), -1, http.StatusRequestEntityTooLarge,
			"too_many_bytes", map[string]any{"max": float64(64 << 10)}},
		{"200 rows over ALCARBON_BODY_LIMIT", jobs, "text/csv", bytes.NewReader(csvRows(200)), -1, http.StatusRequestEntityTooLarge,
			"too_many_bytes", map[string]any{"max": float64(1000), "got": float64(7 + 6*200), "sync_rows": float64(maxSyncRows)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/v1/batches?kind=primary", c.body)
			req.ContentLength = c.length
			req.Header.Set(echo.HeaderContentType, c.ct)
			req.Header.Set("Authorization", "Bearer "+c.env.key)
			rec := httptest.NewRecorder()
			c.env.e.ServeHTTP(rec, req)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			p := decodeProblem(t, rec)
			if len(p.Errors) != 1 {
				t.Fatalf("want one field error; got %+v", p)
			}
			e := p.Errors[0]
			if e.Pointer != "" || e.Code != c.code || !reflect.DeepEqual(e.Params, c.params) {
				t.Errorf("error %q at %q params %v; want %q at \"\" params %v", e.Code, e.Pointer, e.Params, c.code, c.params)
			}
			if e.Detail == "" || e.Detail != p.Detail {
				t.Errorf("the field error's detail %q is not the problem's %q", e.Detail, p.Detail)
			}
		})
	}
}

// sheetlessWorkbook is an XLSX whose workbook lists no sheet.
func sheetlessWorkbook(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f.Close()
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, fl := range zr.File {
		r, err := fl.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if fl.Name == "xl/workbook.xml" {
			b = regexp.MustCompile(`<sheets>.*</sheets>`).ReplaceAll(b, []byte("<sheets></sheets>"))
		}
		w, _ := zw.Create(fl.Name)
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// zipBomb is a zip whose one sheet says it unzips to n bytes: excelize
// refuses it by the sizes its entries state, before unzipping any.
func zipBomb(t *testing.T, n uint64) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Store, CompressedSize64: 1, UncompressedSize64: n})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("<"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
