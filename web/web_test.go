package web

import (
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
	for _, k := range keys {
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
