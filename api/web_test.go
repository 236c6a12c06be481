package api

import (
	"bytes"
	"compress/gzip"
	"io"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strings"
	"testing"
)

// TestWebPage checks through the real router that GET / answers the page
// and that every file index.html references is served with 200 and its type.
func TestWebPage(t *testing.T) {
	e, _, _ := testServer(t)
	rec := do(t, e, http.MethodGet, "/", "", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /: status %d, want 200", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("GET /: Content-Type %q, want text/html; charset=utf-8", ct)
	}
	if rec.Header().Get("X-Content-Type-Options") != "nosniff" || rec.Header().Get("Content-Security-Policy") == "" {
		t.Errorf("GET /: security headers missing: %v", rec.Header())
	}
	html := rec.Body.String()
	refs := regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`).FindAllStringSubmatch(html, -1)
	if len(refs) < 4 {
		t.Fatalf("index.html references %d static files, want at least 4 (app.js, app.css, uPlot js and css)", len(refs))
	}
	for _, ref := range refs {
		a := do(t, e, http.MethodGet, ref[1], "", "")
		if a.Code != http.StatusOK || a.Body.Len() == 0 {
			t.Errorf("GET %s: status %d, %d bytes; want 200 with a body", ref[1], a.Code, a.Body.Len())
			continue
		}
		want := mime.TypeByExtension(path.Ext(ref[1]))
		if got := a.Header().Get("Content-Type"); got != want {
			t.Errorf("GET %s: Content-Type %q, want %q", ref[1], got, want)
		}
	}
}

// TestWebPageGzipped: the page's files and JSON answers above 1 kB are
// gzipped for a client that asks, and decompress to the same bytes.
func TestWebPageGzipped(t *testing.T) {
	e, _, _ := testServer(t)
	for _, p := range []string{"/", "/static/app.js", "/static/vendor/uplot/uPlot.iife.min.js"} {
		plain := do(t, e, http.MethodGet, p, "", "")
		zipped := do(t, e, http.MethodGet, p, "", "", "Accept-Encoding", "gzip")
		if zipped.Header().Get("Content-Encoding") != "gzip" {
			t.Fatalf("GET %s with Accept-Encoding gzip: Content-Encoding %q", p, zipped.Header().Get("Content-Encoding"))
		}
		zr, err := gzip.NewReader(zipped.Body)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(body, plain.Body.Bytes()) {
			t.Fatalf("GET %s: gunzipped body differs (%v)", p, err)
		}
		if zipped.Body.Len() >= plain.Body.Len() {
			t.Errorf("GET %s: %d bytes gzipped, %d plain", p, zipped.Body.Len(), plain.Body.Len())
		}
	}
	// JSON answers above 1 kB are gzipped too (issue 17); small ones are not.
	plain := do(t, e, http.MethodGet, "/v1/datasets", "", "")
	zipped := do(t, e, http.MethodGet, "/v1/datasets", "", "", "Accept-Encoding", "gzip")
	if plain.Body.Len() <= gzipMinBytes || zipped.Header().Get("Content-Encoding") != "gzip" || !bytes.Equal(gunzip(t, zipped.Body.Bytes()), plain.Body.Bytes()) {
		t.Errorf("GET /v1/datasets (%d bytes) with Accept-Encoding gzip: Content-Encoding %q, or the body differs", plain.Body.Len(), zipped.Header().Get("Content-Encoding"))
	}
	if rec := do(t, e, http.MethodGet, "/healthz", "", "", "Accept-Encoding", "gzip"); rec.Body.Len() > gzipMinBytes || rec.Header().Get("Content-Encoding") != "" {
		t.Errorf("GET /healthz (%d bytes): Content-Encoding %q, want none under %d bytes", rec.Body.Len(), rec.Header().Get("Content-Encoding"), gzipMinBytes)
	}
}

// gunzip decompresses a gzip body, failing the test if it is not one.
func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	return out
}

// TestWebPageCallsExistingRoutes checks that every API path app.js calls is
// a route of the router: the page is built on the public API only.
func TestWebPageCallsExistingRoutes(t *testing.T) {
	e, _, _ := testServer(t)
	js := do(t, e, http.MethodGet, "/static/app.js", "", "").Body.String()
	routes := map[string]bool{}
	for _, r := range e.Routes() {
		routes[r.Method+" "+r.Path] = true
	}
	called := regexp.MustCompile(`"(/v1/[a-z/-]+)"`).FindAllStringSubmatch(js, -1)
	if len(called) < 4 {
		t.Fatalf("app.js calls %d API paths, want at least 4", len(called))
	}
	for _, c := range called {
		p := strings.TrimSuffix(c[1], "/")
		if !routes["GET "+p] && !routes["POST "+p] && !routes["GET "+p+"/:id"] {
			t.Errorf("app.js calls %s, which is not a route", c[1])
		}
	}
	if rec := do(t, e, http.MethodGet, "/v1/nothing-here", "", ""); !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") {
		t.Errorf("GET /v1/nothing-here: Content-Type %q; the page's routes must not swallow API 404s", rec.Header().Get("Content-Type"))
	}
}
