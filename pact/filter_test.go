package pact

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"alcarbon/registry"
)

// TestParseFilter: the $filter subset of PACT v2, and errors that say what
// could not be read.
func TestParseFilter(t *testing.T) {
	created := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	fp := ProductFootprint{Created: "2024-05-01T12:00:00Z", Status: "Active", ProductCategoryCpc: "41431",
		ProductIDs: []string{"urn:gtin:1"}, CompanyIDs: []string{"urn:uuid:c"}, PCF: CarbonFootprint{GeographyCountrySubdivision: "CN-SX"}}
	for _, tc := range []struct {
		expr string
		want bool
	}{
		{"created ge '2024-05-01T12:00:00Z'", true},
		{"created gt '2024-05-01T12:00:00Z'", false},
		{"created lt '2024-05-01T12:00:00.001Z'", true},
		{"created eq '" + created.Format(time.RFC3339) + "' and status eq 'Active'", true},
		{"(status eq 'Deprecated')", false},
		{"updated ge '2000-01-01T00:00:00Z'", false}, // never updated
		{"productCategoryCpc eq '41431'", true},
		{"pcf/geographyCountry eq 'CN'", true},
		{"productIds/any(productId:(productId eq 'urn:gtin:1'))", true},
		{"productIds/any(p:p eq 'urn:gtin:2')", false},
		{"companyIds/any(c:(c eq 'urn:uuid:c')) and created le '2030-01-01T00:00:00Z'", true},
	} {
		f, err := parseFilter(tc.expr)
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		if got := f.matches(fp); got != tc.want {
			t.Errorf("%s matches %v, want %v", tc.expr, got, tc.want)
		}
	}
	for _, tc := range []struct{ expr, want string }{
		{"", "empty"},
		{"created ge 2024", "single quotes"},
		{"created ge 'yesterday'", "date and time"},
		{"status lt 'Active'", "status takes eq"},
		{"pcf/pCfExcludingBiogenic lt '1'", "cannot filter on"},
		{"status eq 'Active' or status eq 'Deprecated'", "joined with and"},
		{"status eq 'Active", "not closed"},
		{"productIds/any(p:(q eq 'x'))", `expected "p"`},
	} {
		if _, err := parseFilter(tc.expr); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one containing %q", tc.expr, err, tc.want)
		}
	}
}

// TestListFootprintsFilter: $filter over HTTP, as the conformance tool's
// case 20 sends it, and with pagination (limit 1 walks the matches one by
// one through the Link header, the filter kept).
func TestListFootprintsFilter(t *testing.T) {
	r := newEnv(t, openSQLite)
	o := r.org(t, "Buyer")
	token := r.clientToken(t, o.ID)
	first := r.publish(t, o.ID, public)
	time.Sleep(1100 * time.Millisecond) // created has second resolution
	second := r.publish(t, o.ID, func(d *registry.Declaration) { public(d); d.ProductIDs = []string{"urn:gtin:2"} })
	third := r.publish(t, o.ID, public)
	list := func(query string) (ids []string, link string, code int) {
		var got ListResponse
		rec := r.get(t, "/2/footprints?"+query, token, &got)
		for _, fp := range got.Data {
			ids = append(ids, fp.ID)
		}
		return ids, rec.Header().Get("Link"), rec.Code
	}
	var firstFP ListResponse
	r.get(t, "/2/footprints?limit=500", token, &firstFP)
	since := ""
	for _, fp := range firstFP.Data {
		if fp.ID == second.ID {
			since = fp.Created
		}
	}
	ids, _, code := list("$filter=" + url.QueryEscape("created ge '"+since+"'"))
	if code != 200 || len(ids) != 2 || strings.Contains(strings.Join(ids, ","), first.ID) {
		t.Fatalf("created ge %s: %d %v (first %s)", since, code, ids, first.ID)
	}
	ids, link, _ := list("limit=1&$filter=" + url.QueryEscape("productIds/any(p:(p eq 'urn:gtin:06901234567892'))"))
	if len(ids) != 1 || ids[0] != third.ID || link == "" || !strings.Contains(link, "filter") {
		t.Fatalf("page 1: %v, Link %q", ids, link)
	}
	u, _ := url.Parse(strings.Trim(strings.Split(link, ";")[0], "<>"))
	var page2 ListResponse
	if rec := r.get(t, u.RequestURI(), token, &page2); rec.Code != 200 || len(page2.Data) != 1 || page2.Data[0].ID != first.ID {
		t.Fatalf("page 2: %d %+v", rec.Code, page2.Data)
	}
	if _, _, code := list("$filter=" + url.QueryEscape("created ge 2024")); code != 400 {
		t.Fatalf("unreadable filter: %d", code)
	}
}

// countingStore counts ListDeclarations calls.
type countingStore struct {
	registry.Store
	lists int
}

func (s *countingStore) ListDeclarations(ctx context.Context, f registry.DeclarationFilter) ([]registry.Declaration, string, error) {
	s.lists++
	return s.Store.ListDeclarations(ctx, f)
}

// TestFilterReadsInPages: a filter that matches nothing, with limit 1, reads
// the registry in pages of 500, not one declaration per query (the review
// measured 300 queries for 300 declarations), and a page cut inside a
// registry page resumes right after its last footprint.
func TestFilterReadsInPages(t *testing.T) {
	var counter *countingStore
	r := newEnv(t, func(tb testing.TB) registry.Store {
		counter = &countingStore{Store: openSQLite(tb)}
		return counter
	})
	o := r.org(t, "Buyer")
	token := r.clientToken(t, o.ID)
	var ids []string
	for range 30 {
		ids = append(ids, r.publish(t, o.ID, public).ID)
	}
	counter.lists = 0
	var got ListResponse
	rec := r.get(t, "/2/footprints?limit=1&$filter="+url.QueryEscape("status eq 'Nope'"), token, &got)
	if rec.Code != 200 || len(got.Data) != 0 || rec.Header().Get("Link") != "" || counter.lists != 1 {
		t.Fatalf("%d, %d footprints, Link %q, %d registry queries; want 200, none, no link, 1 query", rec.Code, len(got.Data), rec.Header().Get("Link"), counter.lists)
	}
	// limit 2 of 30 matches: the next page starts at the third newest.
	rec = r.get(t, "/2/footprints?limit=2&$filter="+url.QueryEscape("status eq 'Active'"), token, &got)
	link := rec.Header().Get("Link")
	u, _ := url.Parse(strings.Trim(strings.Split(link, ";")[0], "<>"))
	var page2 ListResponse
	r.get(t, u.RequestURI(), token, &page2)
	if len(got.Data) != 2 || len(page2.Data) != 2 || page2.Data[0].ID != ids[27] {
		t.Fatalf("pages %v then %v; want the third newest (%s) to start page 2", footprintIDs(got), footprintIDs(page2), ids[27])
	}
}

func footprintIDs(l ListResponse) []string {
	var ids []string
	for _, fp := range l.Data {
		ids = append(ids, fp.ID)
	}
	return ids
}
