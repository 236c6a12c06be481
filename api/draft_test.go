package api

import (
	"io/fs"
	"net/http"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"alcarbon/factors"
)

const draftVersion = "2026.2" // a draft in the embedded catalog until it is released

// skipUnlessDraft skips when the embedded 2026.2 is no longer a draft.
func skipUnlessDraft(t *testing.T) {
	t.Helper()
	cat, err := factors.Load()
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := cat.Get(draftVersion); !ok || !d.Draft() {
		t.Skip("dataset " + draftVersion + " is not a draft any more")
	}
}

func TestDatasetsListStatus(t *testing.T) {
	skipUnlessDraft(t)
	e, _, _ := testServer(t)
	var out datasetsResponse
	if rec := getJSON(t, e, "/v1/datasets", &out); rec.Code != http.StatusOK {
		t.Fatalf("GET /v1/datasets: %d %s", rec.Code, rec.Body)
	}
	if out.Default != "2026.1" {
		t.Errorf("default %q, want 2026.1 (2026.2 is a draft)", out.Default)
	}
	got := map[string]datasetResponse{}
	for _, d := range out.Datasets {
		got[d.Version] = d
	}
	if d := got["2026.1"]; d.Status != "released" || !d.Default || d.Released != "2026-11-29" {
		t.Errorf("2026.1: %+v", d)
	}
	if d := got[draftVersion]; d.Status != "draft" || d.Default || d.Released != "" {
		t.Errorf("%s: status %q default %v released %q; want a draft, not the default, no date", draftVersion, d.Status, d.Default, d.Released)
	}
	if len(out.Datasets) == 0 || out.Datasets[0].Version != draftVersion {
		t.Errorf("datasets not newest first with the draft listed: %+v", out.Datasets)
	}
}

// withProvenance is the part of every calculation response these tests read.
type withProvenance struct {
	Dataset    string             `json:"dataset"`
	Provenance provenanceResponse `json:"provenance"`
}

// countDraftWarnings counts the provenance warnings about the draft.
func countDraftWarnings(p provenanceResponse) int {
	n := 0
	for _, w := range p.Warnings {
		if strings.Contains(w, "dataset "+draftVersion+" is a draft") && strings.Contains(w, "do not publish") {
			n++
		}
	}
	return n
}

// TestDraftDatasetWarning: every calculation kind (and the uncertainty run
// and plant assessment) computed with a pinned draft answers 200 with the
// draft warning in its provenance exactly once; unpinned, none.
func TestDraftDatasetWarning(t *testing.T) {
	skipUnlessDraft(t)
	e, _, _ := testServer(t)
	cases := []struct{ name, path, body string }{
		{"primary", "/v1/footprints/primary", `{%s}`},
		{"product", "/v1/footprints/product", `{"product": "building_profile"%s}`},
		{"electricity", "/v1/electricity", `{"sources": [{"kind": "grid", "share": 1}]%s}`},
		{"pv", "/v1/pv", `{"site": "datong", "system": {"capacity_kwp": 1000}%s}`},
		{"plant", "/v1/assessments/plant", `{"smelter": {"liquid_ac_kwh_per_t": 12990}%s}`},
		{"uncertainty", "/v1/uncertainty", `{"kind": "product", "request": {"product": "building_profile"%s}, "samples": 200, "seed": 1}`},
	}
	for _, tc := range cases {
		for _, pin := range []string{"", `"dataset": "` + draftVersion + `"`} {
			sep := pin
			if pin != "" && !strings.HasPrefix(tc.body, "{%s") {
				sep = ", " + pin
			}
			body := strings.Replace(tc.body, "%s", sep, 1)
			rec := postJSON(t, e, tc.path, body)
			if rec.Code != http.StatusOK {
				t.Fatalf("%s %s: %d %s", tc.name, body, rec.Code, rec.Body)
			}
			out := decodeJSON[withProvenance](t, rec.Body.Bytes())
			want := 0
			if pin != "" {
				want = 1
			}
			if n := countDraftWarnings(out.Provenance); n != want {
				t.Errorf("%s pinned %q: %d draft warnings, want %d; warnings %q", tc.name, pin, n, want, out.Provenance.Warnings)
			}
			if pin != "" && out.Dataset != "" && out.Dataset != draftVersion {
				t.Errorf("%s pinned to the draft answered dataset %q", tc.name, out.Dataset)
			}
		}
	}
}

// TestDraftProductCBAMDefault: the draft's first change through the router,
// the CN code's own Commission default (IR 2026/1740) for a 7604 profile.
func TestDraftProductCBAMDefault(t *testing.T) {
	skipUnlessDraft(t)
	e, _, _ := testServer(t)
	for _, tc := range []struct {
		dataset string
		want    float64
	}{{"2026.1", 4.88}, {draftVersion, 4.881}} {
		p := postOK[productResponse](t, e, "/v1/footprints/product", `{"product": "building_profile", "dataset": "`+tc.dataset+`"}`)
		if v := p.CBAM.DefaultValueTCO2ePerT; v == nil || *v != tc.want {
			t.Errorf("building_profile with %s: CBAM default %v, want %v", tc.dataset, v, tc.want)
		}
	}
}

// TestDeclarationRefusesDraft: a declaration pinned to a draft is refused
// at /request/dataset, naming the released versions, and nothing is
// stored; the same request on the released default publishes.
func TestDeclarationRefusesDraft(t *testing.T) {
	skipUnlessDraft(t)
	r := newRegistryEnv(t, openSQLite)
	_, key := r.org(t, "Supplier")
	pinned := strings.Replace(declaration(""), `"region": "CN-SX",`, `"region": "CN-SX", "dataset": "`+draftVersion+`",`, 1)
	if pinned == declaration("") {
		t.Fatal("could not pin the dataset in the declaration body")
	}
	product := `{"kind": "product", "request": {"product": "building_profile", "dataset": "` + draftVersion + `"}, "product_name": "profile",
		"reference_period": {"start": "2023-01-01", "end": "2023-12-31"}}`
	for _, body := range []string{pinned, product} {
		rec := postJSON(t, r.e, "/v1/declarations", body, auth(key)...)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("publish pinned to the draft: %d %s", rec.Code, rec.Body)
		}
		if p := decodeProblem(t, rec); !hasPointer(p, "/request/dataset", draftVersion+" is a draft; declarations need a released dataset: 2026.1") {
			t.Errorf("problem %+v", p.Errors)
		}
	}
	var list declarationListResponse
	if getJSON(t, r.e, "/v1/declarations", &list, auth(key)...); list.Count != 0 {
		t.Fatal("a declaration on a draft was stored")
	}
	d := r.publish(t, key, declaration(""))
	if d.DatasetVersion != "2026.1" {
		t.Errorf("unpinned declaration on %q, want the released default 2026.1", d.DatasetVersion)
	}
}

// draftCatalog loads the embedded released 2026.1 and a draft 2026.2 whose
// grid factor for CN-SX 2023 is scaled by edit (the draft being worked on).
func draftCatalog(t *testing.T, edit string) *factors.Catalog {
	t.Helper()
	m := fstest.MapFS{}
	src := os.DirFS("../factors/data")
	for _, v := range []string{"2026.1", "2026.2"} {
		err := fs.WalkDir(src, v, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			b, err := fs.ReadFile(src, p)
			m[p] = &fstest.MapFile{Data: b}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	m["2026.2/dataset.json"] = &fstest.MapFile{Data: []byte(`{"version": "2026.2", "status": "draft", "notes": []}`)}
	f := string(m["2026.2/factors.csv"].Data)
	const row = "grid/average_co2/CN-SX/2023,"
	i := strings.Index(f, row)
	if i < 0 {
		t.Fatal("no " + row + " row")
	}
	j := i + len(row) + strings.IndexByte(f[i+len(row):], ',')
	m["2026.2/factors.csv"] = &fstest.MapFile{Data: []byte(f[:i+len(row)] + edit + f[j:])}
	cat, err := factors.LoadFS(m)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// TestDraftCacheKeyFollowsContent: a draft changes between builds under
// the same version, so its cached results and ETags key on its content; a
// released version's key stays its version.
func TestDraftCacheKeyFollowsContent(t *testing.T) {
	a := draftCatalog(t, "0.7")
	b := draftCatalog(t, "0.8")
	ea, _, _ := newTestServer(t, func(o *Options) { o.Catalog = a })
	eb, _, _ := newTestServer(t, func(o *Options) { o.Catalog = b })
	for _, tc := range []struct {
		dataset  string
		sameETag bool
	}{{"2026.1", true}, {"2026.2", false}} {
		body := `{"electrolysis": {"ac_kwh_per_t": 13200}, "electricity_basis": "co2_operational", "year": 2023, "dataset": "` + tc.dataset + `"}`
		ra, rb := postJSON(t, ea, "/v1/footprints/primary", body), postJSON(t, eb, "/v1/footprints/primary", body)
		if ra.Code != http.StatusOK || rb.Code != http.StatusOK {
			t.Fatalf("%s: %d %d", tc.dataset, ra.Code, rb.Code)
		}
		if same := ra.Header().Get("ETag") == rb.Header().Get("ETag"); same != tc.sameETag {
			t.Errorf("%s: same ETag across draft edits = %v, want %v", tc.dataset, same, tc.sameETag)
		}
		if same := ra.Body.String() == rb.Body.String(); same != tc.sameETag {
			t.Errorf("%s: same body across draft edits = %v, want %v", tc.dataset, same, tc.sameETag)
		}
	}
	if cacheDataset(mustGet(t, a, "2026.2")) == cacheDataset(mustGet(t, b, "2026.2")) {
		t.Error("cacheDataset equal for two different drafts")
	}
	if got := cacheDataset(mustGet(t, a, "2026.1")); got != "2026.1" {
		t.Errorf("cacheDataset(2026.1) = %q, want the version", got)
	}
	if scenarioCacheDataset(a) == scenarioCacheDataset(b) {
		t.Error("scenario key equal for two different drafts")
	}
}

func mustGet(t *testing.T, c *factors.Catalog, v string) *factors.Dataset {
	t.Helper()
	d, ok := c.Get(v)
	if !ok {
		t.Fatal("no dataset " + v)
	}
	return d
}
