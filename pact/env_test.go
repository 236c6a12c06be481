package pact

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"alcarbon/internal/testpg"
	"alcarbon/registry"
)

// storeOpener opens a fresh, empty registry for one test.
type storeOpener func(t testing.TB) registry.Store

// openStore opens the registry at databaseURL ("": SQLite in a temporary
// directory), closed when the test ends.
func openStore(t testing.TB, databaseURL string) registry.Store {
	t.Helper()
	dir := ""
	if databaseURL == "" {
		dir = t.TempDir()
	}
	s, err := registry.Open(context.Background(), databaseURL, dir)
	if err != nil {
		t.Fatalf("open the registry: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openSQLite(t testing.TB) registry.Store { return openStore(t, "") }

// openPostgres opens a registry in a schema of its own (internal/testpg);
// without ALCARBON_TEST_DATABASE_URL the test skips, or fails on CI.
func openPostgres(t testing.TB) registry.Store { return openStore(t, testpg.New(t).URL) }

var stores = []struct {
	name string
	open storeOpener
}{{"sqlite", openSQLite}, {"postgres", openPostgres}}

// env is the PACT routes on a real registry, mounted as api/routes.go
// mounts them.
type env struct {
	e     *echo.Echo
	h     *Handler
	store registry.Store
	logs  *logBuffer
}

// newEnv builds the routes with options changed by mutate, once Store and
// Logger are set.
func newEnv(t testing.TB, open storeOpener, mutate ...func(*Options)) *env {
	t.Helper()
	logs := &logBuffer{}
	o := Options{
		Store: open(t), Logger: slog.New(slog.NewJSONHandler(logs, nil)), TokenSecret: []byte("test secret"),
		BodyLimit: 64 << 10,
	}
	for _, m := range mutate {
		m(&o)
	}
	h := New(o)
	e := echo.New()
	limit := middleware.BodyLimit(strconv.FormatInt(o.BodyLimit, 10) + "B")
	e.Group("/auth", h.OAuthErrors, limit).POST("/token", h.HandleToken)
	e.GET("/.well-known/openid-configuration", h.HandleOpenIDConfiguration)
	v2 := e.Group("/2", h.Errors, limit, h.RequireToken)
	v2.GET("/footprints", h.HandleListFootprints)
	v2.GET("/footprints/:id", h.HandleGetFootprint)
	v2.POST("/events", h.HandleEvents)
	return &env{e: e, h: h, store: o.Store, logs: logs}
}

// logBuffer is a log shared by concurrent requests and answer workers.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// serve sends a request with body of content type ct ("": none) and the
// Authorization header authorization ("": none).
func (e *env) serve(method, path, ct, body, authorization string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if ct != "" {
		req.Header.Set(echo.HeaderContentType, ct)
	}
	if authorization != "" {
		req.Header.Set(echo.HeaderAuthorization, authorization)
	}
	rec := httptest.NewRecorder()
	e.e.ServeHTTP(rec, req)
	return rec
}

// get sends GET path with the access token ("": none) and decodes a 200
// answer into into, if not nil.
func (e *env) get(t testing.TB, path, token string, into any) *httptest.ResponseRecorder {
	t.Helper()
	authorization := ""
	if token != "" {
		authorization = bearer(token)
	}
	rec := e.serve(http.MethodGet, path, "", "", authorization)
	if rec.Code == http.StatusOK && into != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), into); err != nil {
			t.Fatalf("%s: %v: %s", path, err, rec.Body)
		}
	}
	return rec
}

func bearer(token string) string { return "Bearer " + token }

// basic is the Authorization header of client credentials (RFC 6749 §2.3.1).
func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

// org creates an organisation.
func (e *env) org(t testing.TB, name string) registry.Organisation {
	t.Helper()
	o, err := e.store.CreateOrganisation(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// client creates PACT client credentials for org.
func (e *env) client(t testing.TB, orgID string) (id, secret string) {
	t.Helper()
	id, secret, err := e.store.CreatePACTClient(context.Background(), orgID)
	if err != nil {
		t.Fatal(err)
	}
	return id, secret
}

// clientToken creates PACT client credentials for org and returns an access
// token of the client, as /auth/token issues it.
func (e *env) clientToken(t testing.TB, orgID string) string {
	t.Helper()
	id, _ := e.client(t, orgID)
	return e.h.tokens.Load().issue(orgID, id)
}

// publish stores a declaration of the organisation as POST
// /v1/declarations stores it: by default the reference smelter's (the
// stored result in testdata/primary_result.json), product P1020A ingot
// with IDs urn:gtin:06901234567892 and SX-P1020, region CN-SX, reference
// period 2023, restricted without buyers; edit changes that, and a product
// declaration gets testdata/product_result.json.
func (e *env) publish(t testing.TB, orgID string, edit func(*registry.Declaration)) registry.Declaration {
	t.Helper()
	d := registry.Declaration{
		OrgID: orgID, Kind: registry.KindPrimary, ProductName: "P1020A ingot",
		ProductIDs: []string{"urn:gtin:06901234567892", "SX-P1020"}, Region: "CN-SX",
		PeriodStart: "2023-01-01", PeriodEnd: "2023-12-31", Visibility: registry.VisibilityRestricted,
		Request: json.RawMessage(`{}`),
	}
	if edit != nil {
		edit(&d)
	}
	if d.Result == nil {
		b, err := os.ReadFile(filepath.Join("testdata", d.Kind+"_result.json"))
		if err != nil {
			t.Fatal(err)
		}
		d.Result = b
	}
	var res struct {
		Dataset       string `json:"dataset"`
		EngineVersion string `json:"engine_version"`
		Total         struct {
			MarketBased float64 `json:"market_based"`
		} `json:"total_tco2e_per_t"`
	}
	if err := json.Unmarshal(d.Result, &res); err != nil {
		t.Fatal(err)
	}
	d.DatasetVersion, d.EngineVersion, d.TotalTCO2ePerT = res.Dataset, res.EngineVersion, res.Total.MarketBased
	out, err := e.store.CreateDeclaration(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// public makes a declaration public.
func public(d *registry.Declaration) { d.Visibility = registry.VisibilityPublic }

// buyers restricts a declaration to the organisations.
func buyers(orgIDs ...string) func(*registry.Declaration) {
	return func(d *registry.Declaration) { d.Visibility, d.Buyers = registry.VisibilityRestricted, orgIDs }
}
