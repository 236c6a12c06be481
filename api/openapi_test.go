package api

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"alcarbon/docs"
)

// apiDocument GETs path and decodes the description it serves.
func apiDocument(t *testing.T, path string) (map[string]any, []byte) {
	t.Helper()
	e, _, _ := testServer(t)
	rec := do(t, e, http.MethodGet, path, "", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", path, rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("GET %s: content type %q, want application/json", path, ct)
	}
	var doc map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return doc, rec.Body.Bytes()
}

// documentedPaths lists the keys of a description's paths object.
func documentedPaths(t *testing.T, doc map[string]any) []string {
	t.Helper()
	paths, ok := doc["paths"].(map[string]any)
	if !ok || len(paths) == 0 {
		t.Fatalf("no paths in %v", slices.Collect(maps.Keys(doc)))
	}
	return slices.Sorted(maps.Keys(paths))
}

func TestOpenAPIDocument(t *testing.T) {
	doc, body := apiDocument(t, "/openapi.json")
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1") {
		t.Fatalf("openapi = %q, want 3.1.x", doc["openapi"])
	}
	if !bytes.Equal(body, docs.OpenAPI) {
		t.Fatal("/openapi.json is not docs/openapi.json")
	}
	swagger, _ := apiDocument(t, "/swagger/doc.json")
	got, want := documentedPaths(t, doc), documentedPaths(t, swagger)
	if !slices.Equal(got, want) {
		t.Fatalf("paths of /openapi.json differ from /swagger/doc.json:\n%v\n%v", got, want)
	}
}

func TestSwaggerDocument(t *testing.T) {
	doc, body := apiDocument(t, "/swagger/doc.json")
	if doc["swagger"] != "2.0" {
		t.Fatalf("swagger = %v, want 2.0", doc["swagger"])
	}
	// Swagger 2.0 forbids an empty host: it is omitted (the server's own).
	if host, ok := doc["host"]; ok {
		t.Fatalf("host = %q; must be omitted", host)
	}
	// The served document is the file scripts/test.sh validates.
	if !bytes.Equal(body, docs.Swagger) {
		t.Fatal("/swagger/doc.json is not docs/swagger.json")
	}
}

// TestSwaggerListsEveryRoute: every route of the API is documented, and
// every documented operation is a route. The Swagger UI, the web page and
// pprof are not part of the API.
func TestSwaggerListsEveryRoute(t *testing.T) {
	e, _, _ := testServer(t)
	param := regexp.MustCompile(`:([^/]+)`)
	var routes []string
	for _, r := range e.Routes() {
		if r.Method == echo.RouteNotFound || r.Path == "/" || strings.HasSuffix(r.Path, "/*") {
			continue // groups' not-found routes, the web page, /swagger/*, /static/*, /debug/pprof/*
		}
		if strings.HasPrefix(r.Path, "/debug/pprof/") {
			continue
		}
		routes = append(routes, strings.ToLower(r.Method)+" "+param.ReplaceAllString(r.Path, "{$1}"))
	}
	slices.Sort(routes)
	routes = slices.Compact(routes)
	doc, _ := apiDocument(t, "/swagger/doc.json")
	var documented []string
	for _, path := range documentedPaths(t, doc) {
		for method := range doc["paths"].(map[string]any)[path].(map[string]any) {
			documented = append(documented, method+" "+path)
		}
	}
	slices.Sort(documented)
	if !slices.Equal(routes, documented) {
		t.Fatalf("routes and documented operations differ:\nroutes     %v\ndocumented %v", routes, documented)
	}
}
