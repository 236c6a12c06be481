package web

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

func TestHandlerServesPageAndAssets(t *testing.T) {
	h := Handler()
	for _, tc := range []struct {
		path, contentType, contains string
	}{
		{"/", "text/html; charset=utf-8", `<script src="/static/app.js" defer></script>`},
		{"/static/app.js", "text/javascript; charset=utf-8", "/v1/footprints/primary"},
		{"/static/app.css", "text/css; charset=utf-8", ":root"},
		{"/static/vendor/uplot/uPlot.iife.min.js", "text/javascript; charset=utf-8", "uPlot"},
		{"/static/vendor/uplot/uPlot.min.css", "text/css; charset=utf-8", ".uplot"},
		{"/static/vendor/uplot/LICENSE", "", "MIT"},
	} {
		rec := get(t, h, tc.path)
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s: status %d, want 200", tc.path, rec.Code)
			continue
		}
		if tc.contentType != "" && rec.Header().Get("Content-Type") != tc.contentType {
			t.Errorf("GET %s: Content-Type %q, want %q", tc.path, rec.Header().Get("Content-Type"), tc.contentType)
		}
		if !strings.Contains(rec.Body.String(), tc.contains) {
			t.Errorf("GET %s: body lacks %q", tc.path, tc.contains)
		}
		csp := rec.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("GET %s: Content-Security-Policy %q, want same-origin scripts only", tc.path, csp)
		}
	}
}

func TestHandlerRejectsOtherPaths(t *testing.T) {
	h := Handler()
	for _, path := range []string{"/static/", "/static/vendor/", "/static/missing.js", "/index.html", "/static/../web.go"} {
		if rec := get(t, h, path); rec.Code != http.StatusNotFound && rec.Code != http.StatusMovedPermanently {
			t.Errorf("GET %s: status %d, want 404 (or a redirect to a 404)", path, rec.Code)
		}
	}
	if rec := get(t, h, "/static/"); rec.Code != http.StatusNotFound {
		t.Errorf("GET /static/: status %d, want 404: no directory listing", rec.Code)
	}
}

// TestPageIsCSPFriendly checks that index.html has no inline script, inline
// event handler or style attribute, and loads nothing from another origin:
// the strict CSP would block them and the page must work offline.
func TestPageIsCSPFriendly(t *testing.T) {
	html := readStatic(t, "index.html")
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`), // a script with a body
		regexp.MustCompile(`\son[a-z]+\s*=`),
		regexp.MustCompile(`\sstyle\s*=`),
		regexp.MustCompile(`(?:src|href)="(?:https?:)?//`),
	} {
		if m := re.FindString(html); m != "" {
			t.Errorf("index.html matches %s: %q", re, m)
		}
	}
	for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAllString(html, -1) {
		if !strings.Contains(tag, ` src="/static/`) {
			t.Errorf("index.html: %s is not a same-origin script file", tag)
		}
	}
	js := readStatic(t, "app.js")
	if strings.Contains(js, "innerHTML") || strings.Contains(js, "eval(") {
		t.Error("app.js uses innerHTML or eval; build nodes with textContent")
	}
}

// TestEveryLabelIsTranslated checks that each data-i18n key of index.html
// has an English and a Chinese entry in app.js's dictionary.
func TestEveryLabelIsTranslated(t *testing.T) {
	html, js := readStatic(t, "index.html"), readStatic(t, "app.js")
	zh := strings.Index(js, "zh: {")
	if zh < 0 {
		t.Fatal("app.js has no zh dictionary")
	}
	keys := regexp.MustCompile(`data-i18n="([A-Za-z_]+)"`).FindAllStringSubmatch(html, -1)
	if len(keys) < 20 {
		t.Fatalf("index.html has %d translated labels, want at least 20", len(keys))
	}
	terms := glossaryTerms(t)
	for _, k := range keys {
		if g, ok := terms[k[1]]; ok && g.En != "" && g.Zh != "" {
			continue // the glossary (glossary.json) gives it in both languages
		}
		entry := regexp.MustCompile(`[\s{,]` + k[1] + `:\s*"`)
		if !entry.MatchString(js[:zh]) {
			t.Errorf("label %q has no English entry", k[1])
		}
		if !entry.MatchString(js[zh:]) {
			t.Errorf("label %q has no Chinese entry", k[1])
		}
	}
}

// TestDictionariesHaveTheSameKeys checks that app.js's English and Chinese
// dictionaries translate the same keys, including those the script alone
// uses (API codes such as ind_liquid_ac, result labels): a key missing in
// Chinese would show in English on the Chinese page.
func TestDictionariesHaveTheSameKeys(t *testing.T) {
	js := readStatic(t, "app.js")
	en, zh, end := strings.Index(js, "en: {"), strings.Index(js, "zh: {"), strings.Index(js, "let lang")
	if en < 0 || zh < en || end < zh {
		t.Fatalf("app.js: dictionaries not found (en at %d, zh at %d, end at %d)", en, zh, end)
	}
	keyRe := regexp.MustCompile(`[\s{,]([A-Za-z_][A-Za-z0-9_]*):\s*"`)
	keys := func(src string) map[string]bool {
		out := map[string]bool{}
		for _, m := range keyRe.FindAllStringSubmatch(src, -1) {
			out[m[1]] = true
		}
		return out
	}
	enKeys, zhKeys := keys(js[en:zh]), keys(js[zh:end])
	if len(enKeys) < 200 {
		t.Fatalf("the English dictionary has %d keys, want at least 200: the pattern no longer reads it", len(enKeys))
	}
	for k := range enKeys {
		if !zhKeys[k] {
			t.Errorf("key %q has no Chinese entry", k)
		}
	}
	for k := range zhKeys {
		if !enKeys[k] {
			t.Errorf("key %q has no English entry", k)
		}
	}
}

// glossaryTerm is one entry of static/glossary.json.
type glossaryTerm struct {
	Key      string `json:"key"`
	Zh       string `json:"zh"`
	En       string `json:"en"`
	Standard string `json:"standard"`
}

// glossaryList reads static/glossary.json in its order.
func glossaryList(t *testing.T) []glossaryTerm {
	t.Helper()
	var g struct {
		Terms []glossaryTerm `json:"terms"`
	}
	if err := json.Unmarshal([]byte(readStatic(t, "glossary.json")), &g); err != nil {
		t.Fatalf("glossary.json: %v", err)
	}
	return g.Terms
}

func glossaryTerms(t *testing.T) map[string]glossaryTerm {
	t.Helper()
	out := map[string]glossaryTerm{}
	for _, g := range glossaryList(t) {
		out[g.Key] = g
	}
	return out
}

// TestGlossaryIsTheOneSource checks glossary.json: every term has a key,
// Chinese and English; no key twice; and app.js's dictionaries do not
// define a glossary key again (the page takes those labels from the file).
func TestGlossaryIsTheOneSource(t *testing.T) {
	js := readStatic(t, "app.js")
	en, end := strings.Index(js, "en: {"), strings.Index(js, "let lang")
	seen := map[string]bool{}
	list := glossaryList(t)
	if len(list) < 50 {
		t.Fatalf("glossary.json has %d terms", len(list))
	}
	for _, g := range list {
		if g.Key == "" || g.Zh == "" || g.En == "" {
			t.Errorf("incomplete term %+v", g)
		}
		if seen[g.Key] {
			t.Errorf("key %q twice", g.Key)
		}
		seen[g.Key] = true
		if regexp.MustCompile(`[\s{,]` + regexp.QuoteMeta(g.Key) + `:\s*"`).MatchString(js[en:end]) {
			t.Errorf("app.js defines the glossary key %q again", g.Key)
		}
	}
}

var update = flag.Bool("update", false, "rewrite README.md's glossary table from static/glossary.json")

// TestReadmeGlossary checks that README.md's glossary table is
// static/glossary.json's (except the region names): go test ./web -run
// TestReadmeGlossary -update rewrites it.
func TestReadmeGlossary(t *testing.T) {
	var b strings.Builder
	b.WriteString("| 中文 | English | standard or reference |\n|---|---|---|\n")
	for _, g := range glossaryList(t) {
		if strings.HasPrefix(g.Key, "region_") {
			continue
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", g.Zh, g.En, g.Standard)
	}
	const start, stop = "<!-- glossary:start (generated from web/static/glossary.json) -->\n", "<!-- glossary:end -->"
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i, j := strings.Index(s, start), strings.Index(s, stop)
	if i < 0 || j < i {
		t.Fatalf("README.md has no %q … %q block", strings.TrimSpace(start), stop)
	}
	if got := s[i+len(start) : j]; got != b.String() {
		if *update {
			if err := os.WriteFile("../README.md", []byte(s[:i+len(start)]+b.String()+s[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("README.md's glossary table differs from glossary.json; run go test ./web -run TestReadmeGlossary -update")
	}
}

func readStatic(t *testing.T, name string) string {
	t.Helper()
	f, err := static.Open("static/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestVendoredLibraryHasLicence keeps the chart library's licence beside it.
func TestVendoredLibraryHasLicence(t *testing.T) {
	b, err := os.ReadFile("static/vendor/uplot/LICENSE")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "Permission is hereby granted") {
		t.Error("static/vendor/uplot/LICENSE is not the MIT licence text")
	}
}
