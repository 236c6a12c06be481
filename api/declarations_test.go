package api

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"alcarbon/registry"
)

// storeOpener opens a fresh, empty registry for one test.
type storeOpener func(t testing.TB) registry.Store

func openSQLite(t testing.TB) registry.Store {
	t.Helper()
	s, err := registry.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatalf("open SQLite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openPostgres opens a registry in a schema of its own on
// ALCARBON_TEST_DATABASE_URL, dropped when the test ends. Without the
// variable the test skips, except under CI=true, where it fails.
func openPostgres(t testing.TB) registry.Store {
	t.Helper()
	base := os.Getenv("ALCARBON_TEST_DATABASE_URL")
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("ALCARBON_TEST_DATABASE_URL is not set; PostgreSQL tests must run on CI")
		}
		t.Skip("ALCARBON_TEST_DATABASE_URL is not set")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "api_test_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to the test database: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	s, err := registry.Open(ctx, base+sep+"search_path="+schema+"&pool_max_conns=8", "")
	if err != nil {
		t.Fatalf("open PostgreSQL: %v", err)
	}
	t.Cleanup(func() {
		s.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return s
}

var stores = []struct {
	name string
	open storeOpener
}{{"sqlite", openSQLite}, {"postgres", openPostgres}}

// registryEnv is a router on a real store with organisations and keys.
type registryEnv struct {
	e     *echo.Echo
	store registry.Store
	logs  *syncWriter
}

func newRegistryEnv(t testing.TB, open storeOpener, mutate ...func(*Options)) *registryEnv {
	t.Helper()
	s := open(t)
	e, _, logs := newTestServer(t, func(o *Options) {
		o.Store = s
		o.TokenSecret = []byte("test secret")
		for _, m := range mutate {
			m(o)
		}
	})
	return &registryEnv{e: e, store: s, logs: logs}
}

// org creates an organisation and returns it with an API key.
func (r *registryEnv) org(t testing.TB, name string) (registry.Organisation, string) {
	t.Helper()
	ctx := context.Background()
	o, err := r.store.CreateOrganisation(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := r.store.CreateAPIKey(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	return o, key
}

func auth(key string) []string { return []string{"Authorization", "Bearer " + key} }

// declaration returns a publish body for the reference smelter.
func declaration(extra string) string {
	if extra != "" {
		extra = ", " + extra
	}
	return `{"kind": "primary", "request": ` + referenceSmelter + `, "product_name": "P1020A ingot",
		"product_ids": ["urn:gtin:06901234567892", "SX-P1020"], "reference_period": {"start": "2023-01-01", "end": "2023-12-31"}` + extra + `}`
}

func (r *registryEnv) publish(t testing.TB, key, body string) declarationResponse {
	t.Helper()
	rec := postJSON(t, r.e, "/v1/declarations", body, auth(key)...)
	if rec.Code != http.StatusCreated {
		t.Fatalf("publish: %d %s", rec.Code, rec.Body)
	}
	var d declarationResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	if loc := rec.Header().Get("Location"); loc != "/v1/declarations/"+d.ID {
		t.Fatalf("Location %q for id %s", loc, d.ID)
	}
	return d
}

func getJSON(t testing.TB, e *echo.Echo, path string, into any, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	rec := do(t, e, http.MethodGet, path, "", "", headers...)
	if rec.Code == http.StatusOK && into != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), into); err != nil {
			t.Fatalf("%s: %v: %s", path, err, rec.Body)
		}
	}
	return rec
}

// TestDeclarationsPublishListGetVerify runs the buyer's path on both stores.
func TestDeclarationsPublishListGetVerify(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			r := newRegistryEnv(t, st.open)
			_, key := r.org(t, "Shanxi Smelter")
			d := r.publish(t, key, declaration(`"visibility": "public"`))

			// The stored result is the calculation endpoint's answer.
			calcRec := postJSON(t, r.e, "/v1/footprints/primary", referenceSmelter)
			var want primaryResponse
			if err := json.Unmarshal(calcRec.Body.Bytes(), &want); err != nil {
				t.Fatal(err)
			}
			if d.TotalTCO2ePerT != want.Total.MarketBased || d.Status != "active" || d.Version != 1 ||
				d.Region != "CN-SX" || d.DatasetVersion != want.Dataset || d.EngineVersion != want.EngineVersion || len(d.ContentHash) != 64 {
				t.Fatalf("published %+v, calculation total %v", d, want.Total)
			}
			var got declarationResponse
			if rec := getJSON(t, r.e, "/v1/declarations/"+d.ID, &got); rec.Code != 200 {
				t.Fatalf("get anonymously: %d %s", rec.Code, rec.Body)
			}
			var res primaryResponse
			if err := json.Unmarshal(got.Result, &res); err != nil || res.Total != want.Total || got.ContentHash != d.ContentHash {
				t.Fatalf("get: result %v (%v), hash %s", res.Total, err, got.ContentHash)
			}
			if got.Buyers != nil {
				t.Fatal("buyers shown to an anonymous reader")
			}

			var list declarationListResponse
			for _, q := range []string{"", "?product=SX-P1020", "?company=Shanxi+Smelter", "?region=cn-sx", "?period=2023",
				"?period=2023-06-01/2024-01-31", "?status=active", fmt.Sprintf("?max_tco2e_per_t=%g", d.TotalTCO2ePerT)} {
				if rec := getJSON(t, r.e, "/v1/declarations"+q, &list); rec.Code != 200 || list.Count != 1 || list.Declarations[0].ID != d.ID {
					t.Fatalf("list %q: %d %s", q, rec.Code, rec.Body)
				}
				if list.Declarations[0].Result != nil {
					t.Fatal("list items carry the result")
				}
			}
			for _, q := range []string{"?product=other", "?region=CN-NM", "?period=2022", "?status=deprecated", "?max_tco2e_per_t=1"} {
				if rec := getJSON(t, r.e, "/v1/declarations"+q, &list); rec.Code != 200 || list.Count != 0 {
					t.Fatalf("list %q should be empty: %d %s", q, rec.Code, rec.Body)
				}
			}

			var v verifyResponse
			if rec := getJSON(t, r.e, "/v1/declarations/"+d.ID+"/verify", &v); rec.Code != 200 {
				t.Fatalf("verify: %d %s", rec.Code, rec.Body)
			}
			if !v.Reproduced || !v.ResultMatches || !v.StoredHashValid || v.RecomputedHash != d.ContentHash || v.RunningEngineVersion != v.EngineVersion {
				t.Fatalf("verify: %+v", v)
			}

			var cb declarationCBAMResponse
			if rec := getJSON(t, r.e, "/v1/declarations/"+d.ID+"/cbam", &cb); rec.Code != 200 {
				t.Fatalf("cbam: %d %s", rec.Code, rec.Body)
			}
			if cb.CNCode != want.CBAM.CNCode || cb.SEEDirectTCO2ePerT != want.CBAM.SEEDirectTCO2ePerT ||
				cb.SEEIndirectTCO2ePerT != want.CBAM.SEEIndirectTCO2ePerT || cb.Installation.Operator != "Shanxi Smelter" ||
				cb.Installation.Country != "CN" || cb.ReportingPeriod.End != "2023-12-31" {
				t.Fatalf("cbam %+v, want %+v", cb, want.CBAM)
			}
			if rec := getJSON(t, r.e, "/v1/declarations/00000000-0000-4000-8000-000000000000", nil); rec.Code != 404 {
				t.Fatalf("unknown id: %d", rec.Code)
			}
		})
	}
}

// TestVerifyDetectsTampering stores a declaration whose result was not
// computed from its request: verify must say it is not reproduced.
func TestVerifyDetectsTampering(t *testing.T) {
	r := newRegistryEnv(t, openSQLite)
	o, _ := r.org(t, "Smelter")
	good := r.publishDirect(t, o.ID, nil)
	forged := good
	forged.Result = json.RawMessage(strings.Replace(string(good.Result), `"cn_code":"7601"`, `"cn_code":"7601" `, 1))
	forged.TotalTCO2ePerT = 1.0
	bad, err := r.store.CreateDeclaration(context.Background(), forged)
	if err != nil {
		t.Fatal(err)
	}
	var v verifyResponse
	getJSON(t, r.e, "/v1/declarations/"+bad.ID+"/verify", &v)
	if v.Reproduced || v.ResultMatches || !v.StoredHashValid || v.RecomputedHash == bad.ContentHash || len(v.Notes) == 0 {
		t.Fatalf("forged declaration verified: %+v", v)
	}
}

// publishDirect computes the reference smelter and stores it without the
// HTTP layer, returning what was stored.
func (r *registryEnv) publishDirect(t testing.TB, orgID string, edit func(*registry.Declaration)) registry.Declaration {
	t.Helper()
	rec := postJSON(t, r.e, "/v1/footprints/primary", referenceSmelter)
	var res primaryResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	d := registry.Declaration{
		OrgID: orgID, Kind: "primary", ProductName: "ingot", Region: "CN-SX", PeriodStart: "2023-01-01", PeriodEnd: "2023-12-31",
		Visibility: "public", Request: json.RawMessage(referenceSmelter), Result: rec.Body.Bytes(),
		DatasetVersion: res.Dataset, EngineVersion: res.EngineVersion, TotalTCO2ePerT: res.Total.MarketBased,
	}
	if edit != nil {
		edit(&d)
	}
	out, err := r.store.CreateDeclaration(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestProductDeclaration publishes a downstream product made from a
// published primary declaration and reads it back in both views.
func TestProductDeclaration(t *testing.T) {
	r := newRegistryEnv(t, openSQLite)
	_, key := r.org(t, "Smelter and Extruder")
	primary := r.publish(t, key, declaration(`"visibility": "public"`))
	body := `{"kind": "product", "request": {"product": "building_profile", "region": "CN-SX", "year": 2023,
		"metal": {"declaration_id": "` + primary.ID + `"}}, "product_name": "6063 window profile",
		"reference_period": {"start": "2024-01-01", "end": "2024-12-31"}, "visibility": "public"}`
	d := r.publish(t, key, body)
	var res struct {
		Product string        `json:"product"`
		Total   totalResponse `json:"total_tco2e_per_t"`
	}
	if err := json.Unmarshal(d.Result, &res); err != nil || d.Kind != "product" || res.Product != "building_profile" ||
		d.TotalTCO2ePerT != res.Total.MarketBased || d.TotalTCO2ePerT <= primary.TotalTCO2ePerT*0.5 {
		t.Fatalf("product declaration: %+v %v", res, err)
	}
	var v verifyResponse
	if getJSON(t, r.e, "/v1/declarations/"+d.ID+"/verify", &v); !v.Reproduced {
		t.Fatalf("verify product: %+v", v)
	}
	var cb declarationCBAMResponse
	if rec := getJSON(t, r.e, "/v1/declarations/"+d.ID+"/cbam", &cb); rec.Code != 200 || cb.CNCode == "" || cb.CNCode == "7601" {
		t.Fatalf("product cbam: %d %s", rec.Code, rec.Body)
	}
	var got struct {
		Data map[string]any `json:"data"`
	}
	o, _ := r.org(t, "Buyer")
	getJSON(t, r.e, "/2/footprints/"+d.ID, &got, auth(r.pactToken(t, o.ID))...)
	checkProductFootprint(t, got.Data)
	if got.Data["productCategoryCpc"] != cpcAluminiumSemiFinished {
		t.Fatalf("CPC %v", got.Data["productCategoryCpc"])
	}
	// A product request naming a declaration that does not exist.
	bad := strings.Replace(body, primary.ID, "00000000-0000-4000-8000-000000000000", 1)
	rec := postJSON(t, r.e, "/v1/declarations", bad, auth(key)...)
	if p := decodeProblem(t, rec); rec.Code != 422 || !hasPointer(p, "/request/metal/declaration_id", "no public declaration") {
		t.Fatalf("unknown declaration_id: %d %s", rec.Code, rec.Body)
	}
}

func TestDeclarationVisibility(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			r := newRegistryEnv(t, st.open)
			_, supplierKey := r.org(t, "Supplier")
			buyer, buyerKey := r.org(t, "Buyer")
			_, otherKey := r.org(t, "Other Buyer")
			pub := r.publish(t, supplierKey, declaration(`"visibility": "public"`))
			// Buyers by ID or by name; visibility defaults to restricted.
			restricted := r.publish(t, supplierKey, declaration(`"buyers": ["`+buyer.ID+`"]`))
			byName := r.publish(t, supplierKey, declaration(`"buyers": ["Buyer"]`))
			private := r.publish(t, supplierKey, declaration(""))
			if restricted.Visibility != "restricted" || private.Visibility != "restricted" {
				t.Fatalf("default visibility: %q", private.Visibility)
			}
			if len(restricted.Buyers) != 1 || restricted.Buyers[0] != buyer.ID || len(byName.Buyers) != 1 || byName.Buyers[0] != buyer.ID {
				t.Fatalf("buyers echoed to the publisher: %v %v", restricted.Buyers, byName.Buyers)
			}
			ids := func(headers ...string) map[string]bool {
				var list declarationListResponse
				rec := getJSON(t, r.e, "/v1/declarations", &list, headers...)
				if rec.Code != 200 {
					t.Fatalf("list: %d %s", rec.Code, rec.Body)
				}
				out := map[string]bool{}
				for _, d := range list.Declarations {
					out[d.ID] = true
					if d.Buyers != nil && len(headers) > 0 && headers[1] != "Bearer "+supplierKey {
						t.Fatal("buyers shown to someone other than the publisher")
					}
				}
				return out
			}
			cases := []struct {
				name    string
				headers []string
				want    []string
			}{
				{"anonymous", nil, []string{pub.ID}},
				{"buyer", auth(buyerKey), []string{pub.ID, restricted.ID, byName.ID}},
				{"other", auth(otherKey), []string{pub.ID}},
				{"publisher", auth(supplierKey), []string{pub.ID, restricted.ID, byName.ID, private.ID}},
			}
			for _, tc := range cases {
				got := ids(tc.headers...)
				if len(got) != len(tc.want) {
					t.Fatalf("%s sees %d declarations, want %d", tc.name, len(got), len(tc.want))
				}
				for _, id := range tc.want {
					if !got[id] {
						t.Fatalf("%s does not see %s", tc.name, id)
					}
				}
				for _, path := range []string{"/v1/declarations/" + restricted.ID, "/v1/declarations/" + restricted.ID + "/verify", "/v1/declarations/" + restricted.ID + "/cbam", "/v1/declarations/" + restricted.ID + "/pact"} {
					rec := getJSON(t, r.e, path, nil, tc.headers...)
					wantCode := 404
					if tc.name == "buyer" || tc.name == "publisher" {
						wantCode = 200
					}
					if rec.Code != wantCode {
						t.Fatalf("%s GET %s: %d, want %d", tc.name, path, rec.Code, wantCode)
					}
				}
			}
		})
	}
}

func TestDeclarationSupersedeChain(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			r := newRegistryEnv(t, st.open)
			_, key := r.org(t, "Supplier")
			_, otherKey := r.org(t, "Competitor")
			v1 := r.publish(t, key, declaration(`"visibility": "public"`))
			v2 := r.publish(t, key, declaration(`"visibility": "public", "supersedes": "`+v1.ID+`"`))
			if v2.Version != 2 || v2.Supersedes != v1.ID || v2.Status != "active" {
				t.Fatalf("v2: %+v", v2)
			}
			var old declarationResponse
			getJSON(t, r.e, "/v1/declarations/"+v1.ID, &old)
			if old.Status != "deprecated" || old.ContentHash != v1.ContentHash {
				t.Fatalf("v1 after supersede: %s", old.Status)
			}
			v3 := r.publish(t, key, declaration(`"visibility": "public", "supersedes": "`+v2.ID+`"`))
			if v3.Version != 3 {
				t.Fatalf("v3 version %d", v3.Version)
			}
			var list declarationListResponse
			getJSON(t, r.e, "/v1/declarations?status=active", &list)
			if list.Count != 1 || list.Declarations[0].ID != v3.ID {
				t.Fatalf("active: %+v", list)
			}
			cases := []struct {
				name, key, supersedes string
				status                int
			}{
				{"already superseded", key, v1.ID, 409},
				{"another company's declaration", otherKey, v3.ID, 403},
				{"unknown", key, "00000000-0000-4000-8000-000000000000", 404},
			}
			for _, tc := range cases {
				rec := postJSON(t, r.e, "/v1/declarations", declaration(`"visibility": "public", "supersedes": "`+tc.supersedes+`"`), auth(tc.key)...)
				if rec.Code != tc.status {
					t.Fatalf("%s: %d, want %d: %s", tc.name, rec.Code, tc.status, rec.Body)
				}
				decodeProblem(t, rec)
			}
			// A refused supersede leaves v3 active.
			getJSON(t, r.e, "/v1/declarations/"+v3.ID, &old)
			if old.Status != "active" {
				t.Fatal("v3 deprecated by a refused supersede")
			}
		})
	}
}

// TestDeclarationAuthFailures covers every way a write is refused for
// its credentials.
func TestDeclarationAuthFailures(t *testing.T) {
	r := newRegistryEnv(t, openSQLite)
	o, key := r.org(t, "Supplier")
	revokedKey, k, err := r.store.CreateAPIKey(context.Background(), o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.store.RevokeAPIKey(context.Background(), k.ID); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		headers   []string
		challenge string
	}{
		{"no header", nil, `Bearer realm="alcarbon"`},
		{"basic scheme", []string{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte("a:b"))}, `error="invalid_token"`},
		{"empty bearer", []string{"Authorization", "Bearer "}, `error="invalid_token"`},
		{"unknown key", auth("alc_000000000000_" + strings.Repeat("A", 43)), `error="invalid_token"`},
		{"malformed key", auth("not-a-key"), `error="invalid_token"`},
		{"wrong secret part", auth(flipLast(key)), `error="invalid_token"`},
		{"revoked key", auth(revokedKey), `error="invalid_token"`},
	}
	for _, tc := range cases {
		rec := postJSON(t, r.e, "/v1/declarations", declaration(""), tc.headers...)
		if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Header().Get("WWW-Authenticate"), tc.challenge) {
			t.Fatalf("%s: %d %q %s", tc.name, rec.Code, rec.Header().Get("WWW-Authenticate"), rec.Body)
		}
		decodeProblem(t, rec)
		if strings.Contains(rec.Body.String(), key) || strings.Contains(r.logs.String(), key) {
			t.Fatalf("%s: a key leaked", tc.name)
		}
		// A read with a bad key is refused too, rather than served anonymously.
		if tc.headers != nil {
			if rec := getJSON(t, r.e, "/v1/declarations", nil, tc.headers...); rec.Code != http.StatusUnauthorized {
				t.Fatalf("%s read: %d", tc.name, rec.Code)
			}
		}
	}
	if strings.Contains(r.logs.String(), revokedKey) {
		t.Fatal("a key is in the log")
	}
}

// flipLast changes a key's last character.
func flipLast(key string) string {
	last := byte('x')
	if key[len(key)-1] == 'x' {
		last = 'y'
	}
	return key[:len(key)-1] + string(last)
}

func TestDeclarationValidation(t *testing.T) {
	r := newRegistryEnv(t, openSQLite)
	_, key := r.org(t, "Supplier")
	cases := []struct {
		name, body, pointer, detail string
	}{
		{"request field", strings.Replace(declaration(""), `"ac_kwh_per_t": 13500`, `"ac_kwh_per_t": 9000`, 1), "/request/electrolysis/ac_kwh_per_t", "between 10000 and 20000"},
		{"unknown request field", strings.Replace(declaration(""), `"production_t"`, `"productionT": 1, "production_t"`, 1), "/request/productionT", "unknown field"},
		{"AR4", strings.Replace(declaration(""), `"gwp": "AR5"`, `"gwp": "AR4"`, 1), "/request/gwp", "AR5 or AR6"},
		{"product request as primary", strings.Replace(declaration(""), `"kind": "primary"`, `"kind": "product"`, 1), "/request/alumina", "unknown field"},
		{"no kind", strings.Replace(declaration(""), `"kind": "primary",`, ``, 1), "/kind", "required"},
		{"no product name", strings.Replace(declaration(""), `"product_name": "P1020A ingot",`, ``, 1), "/product_name", "required"},
		{"bad period", strings.Replace(declaration(""), `"end": "2023-12-31"`, `"end": "2022-12-31"`, 1), "/reference_period/end", "before start"},
		{"bad date", strings.Replace(declaration(""), `"start": "2023-01-01"`, `"start": "2023-1-1"`, 1), "/reference_period/start", "YYYY-MM-DD"},
		{"unknown buyer", declaration(`"buyers": ["Nobody Ltd"]`), "/buyers/0", "unknown organisation"},
		{"public with buyers", declaration(`"visibility": "public", "buyers": ["Supplier"]`), "/buyers", "restricted"},
		{"bad visibility", declaration(`"visibility": "friends"`), "/visibility", "public, restricted"},
		{"no request", `{"kind": "primary", "product_name": "x", "reference_period": {"start": "2023-01-01", "end": "2023-12-31"}}`, "/request", "required"},
	}
	for _, tc := range cases {
		rec := postJSON(t, r.e, "/v1/declarations", tc.body, auth(key)...)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d %s", tc.name, rec.Code, rec.Body)
		}
		if p := decodeProblem(t, rec); !hasPointer(p, tc.pointer, tc.detail) {
			t.Fatalf("%s: %+v", tc.name, p.Errors)
		}
	}
	for _, q := range []string{"status=gone", "period=2023-13-01", "max_tco2e_per_t=-1", "limit=0", "limit=501"} {
		rec := getJSON(t, r.e, "/v1/declarations?"+q, nil)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("list %s: %d", q, rec.Code)
		}
		decodeProblem(t, rec)
	}
	if rec := getJSON(t, r.e, "/v1/declarations?cursor=%21%21", nil); rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("bad cursor: %d %s", rec.Code, rec.Body)
	}
	var list declarationListResponse
	if getJSON(t, r.e, "/v1/declarations", &list, auth(key)...); list.Count != 0 {
		t.Fatal("a refused publish was stored")
	}
}

func TestDeclarationRateLimit(t *testing.T) {
	r := newRegistryEnv(t, openSQLite, func(o *Options) { o.RateLimit, o.RateBurst = 0.01, 2 })
	_, key := r.org(t, "Supplier")
	_, other := r.org(t, "Other")
	r.publish(t, key, declaration(""))
	// A refused write costs a token too: the limit counts attempts.
	postJSON(t, r.e, "/v1/declarations", declaration(`"visibility": "nope"`), auth(key)...)
	rec := postJSON(t, r.e, "/v1/declarations", declaration(""), auth(key)...)
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("third write: %d %s", rec.Code, rec.Body)
	}
	decodeProblem(t, rec)
	if s, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || s < 1 || s > 100 {
		t.Fatalf("Retry-After %q", rec.Header().Get("Retry-After"))
	}
	r.publish(t, other, declaration("")) // another key has its own bucket
	if rec := getJSON(t, r.e, "/v1/declarations", nil, auth(key)...); rec.Code != 200 {
		t.Fatalf("reads are not rate-limited: %d", rec.Code)
	}
}

// TestRegistryDown: without a store the registry endpoints answer 503 in
// their own error shape, and calculations still work.
func TestRegistryDown(t *testing.T) {
	e, _, _ := newTestServer(t, func(o *Options) { o.TokenSecret = []byte("s") })
	for _, req := range []struct{ method, path, body string }{
		{"POST", "/v1/declarations", declaration("")},
		{"GET", "/v1/declarations", ""},
		{"GET", "/v1/declarations/x", ""},
	} {
		rec := do(t, e, req.method, req.path, "application/json", req.body, auth("alc_000000000000_"+strings.Repeat("A", 43))...)
		if rec.Code != 503 {
			t.Fatalf("%s %s: %d", req.method, req.path, rec.Code)
		}
		decodeProblem(t, rec)
	}
	if rec := getJSON(t, e, "/v1/declarations", nil); rec.Code != 503 {
		t.Fatalf("anonymous list: %d", rec.Code)
	}
	rec := do(t, e, "POST", "/auth/token", "application/x-www-form-urlencoded", "grant_type=client_credentials", "Authorization", basic("id", "secret"))
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), `"error":"temporarily_unavailable"`) {
		t.Fatalf("token: %d %s", rec.Code, rec.Body)
	}
	token := newTokenSigner([]byte("s")).issue("org", "client")
	rec = getJSON(t, e, "/2/footprints", nil, auth(token)...)
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), `"code":"InternalError"`) {
		t.Fatalf("PACT list: %d %s", rec.Code, rec.Body)
	}
	if rec := postJSON(t, e, "/v1/footprints/primary", referenceSmelter); rec.Code != 200 {
		t.Fatalf("calculation with the registry down: %d", rec.Code)
	}
}

func TestConcurrentPublishes(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			r := newRegistryEnv(t, st.open, func(o *Options) { o.RateBurst = 100 })
			_, key := r.org(t, "Supplier")
			const n = 16
			var wg sync.WaitGroup
			ids := make(chan string, n)
			errs := make(chan string, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					body := strings.Replace(declaration(`"visibility": "public"`), `"SX-P1020"`, fmt.Sprintf(`"P-%d"`, i), 1)
					rec := postJSON(t, r.e, "/v1/declarations", body, auth(key)...)
					if rec.Code != http.StatusCreated {
						errs <- fmt.Sprintf("%d %s", rec.Code, rec.Body)
						return
					}
					var d declarationResponse
					_ = json.Unmarshal(rec.Body.Bytes(), &d)
					ids <- d.ID
				}()
			}
			wg.Wait()
			close(ids)
			close(errs)
			for e := range errs {
				t.Fatal(e)
			}
			seen := map[string]bool{}
			for id := range ids {
				seen[id] = true
			}
			var list declarationListResponse
			getJSON(t, r.e, "/v1/declarations?limit=100", &list)
			if len(seen) != n || list.Count != n {
				t.Fatalf("%d distinct IDs, %d listed, want %d", len(seen), list.Count, n)
			}
		})
	}
}

func TestDeclarationPagination(t *testing.T) {
	r := newRegistryEnv(t, openSQLite, func(o *Options) { o.RateBurst = 100 })
	_, key := r.org(t, "Supplier")
	for range 5 {
		r.publish(t, key, declaration(`"visibility": "public"`))
	}
	seen := map[string]bool{}
	next := "/v1/declarations?limit=2&status=active"
	for page := 0; next != ""; page++ {
		req := httptest.NewRequest(http.MethodGet, next, nil)
		req.Host = "registry.example.cn"
		rec := httptest.NewRecorder()
		r.e.ServeHTTP(rec, req)
		var list declarationListResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || rec.Code != 200 {
			t.Fatalf("page %d: %d %s", page, rec.Code, rec.Body)
		}
		for _, d := range list.Declarations {
			seen[d.ID] = true
		}
		next = ""
		if link := rec.Header().Get("Link"); link != "" {
			m := regexp.MustCompile(`^<(http://registry\.example\.cn/v1/declarations\?[^>]+)>; rel="next"$`).FindStringSubmatch(link)
			if m == nil || list.NextCursor == "" {
				t.Fatalf("Link %q", link)
			}
			u, _ := url.Parse(m[1])
			if u.Query().Get("status") != "active" || u.Query().Get("limit") != "2" {
				t.Fatalf("Link drops the filters: %s", link)
			}
			next = u.RequestURI()
		}
		if page > 3 {
			t.Fatal("too many pages")
		}
	}
	if len(seen) != 5 {
		t.Fatalf("%d declarations over the pages, want 5", len(seen))
	}
}

// PACT.

func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

// pactClient creates PACT client credentials for org and returns a token.
func (r *registryEnv) pactToken(t testing.TB, orgID string) string {
	t.Helper()
	id, secret, err := r.store.CreatePACTClient(context.Background(), orgID)
	if err != nil {
		t.Fatal(err)
	}
	rec := do(t, r.e, "POST", "/auth/token", "application/x-www-form-urlencoded", "grant_type=client_credentials", "Authorization", basic(id, secret))
	var tok tokenResponse
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &tok) != nil {
		t.Fatalf("token: %d %s", rec.Code, rec.Body)
	}
	return tok.AccessToken
}

// TestPACTClientRevoked: revoking a client refuses its tokens at once and
// gives it no new one; the organisation's other client is unaffected.
func TestPACTClientRevoked(t *testing.T) {
	r := newRegistryEnv(t, openSQLite)
	o, _ := r.org(t, "Buyer")
	id, secret, err := r.store.CreatePACTClient(context.Background(), o.ID)
	if err != nil {
		t.Fatal(err)
	}
	form := "application/x-www-form-urlencoded"
	rec := do(t, r.e, "POST", "/auth/token", form, "grant_type=client_credentials", "Authorization", basic(id, secret))
	var tok tokenResponse
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &tok) != nil {
		t.Fatalf("token: %d %s", rec.Code, rec.Body)
	}
	other := r.pactToken(t, o.ID)
	if rec := getJSON(t, r.e, "/2/footprints", nil, auth(tok.AccessToken)...); rec.Code != 200 {
		t.Fatalf("before revoking: %d %s", rec.Code, rec.Body)
	}
	if err := r.store.RevokePACTClient(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	rec = getJSON(t, r.e, "/2/footprints", nil, auth(tok.AccessToken)...)
	if rec.Code != 403 || !strings.Contains(rec.Body.String(), `"code":"AccessDenied"`) || !strings.Contains(rec.Body.String(), "revoked") {
		t.Fatalf("revoked client's token: %d %s", rec.Code, rec.Body)
	}
	rec = do(t, r.e, "POST", "/auth/token", form, "grant_type=client_credentials", "Authorization", basic(id, secret))
	if rec.Code != 401 || !strings.Contains(rec.Body.String(), "invalid_client") {
		t.Fatalf("revoked client asks for a token: %d %s", rec.Code, rec.Body)
	}
	if rec := getJSON(t, r.e, "/2/footprints", nil, auth(other)...); rec.Code != 200 {
		t.Fatalf("the other client: %d %s", rec.Code, rec.Body)
	}
}

func TestPACTAuthToken(t *testing.T) {
	r := newRegistryEnv(t, openSQLite)
	o, _ := r.org(t, "Buyer")
	id, secret, err := r.store.CreatePACTClient(context.Background(), o.ID)
	if err != nil {
		t.Fatal(err)
	}
	form := "application/x-www-form-urlencoded"
	rec := do(t, r.e, "POST", "/auth/token", form, "grant_type=client_credentials", "Authorization", basic(id, secret))
	var tok map[string]any
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &tok) != nil {
		t.Fatalf("token: %d %s", rec.Code, rec.Body)
	}
	if tok["token_type"] != "bearer" || tok["expires_in"] != 3600.0 || tok["access_token"] == "" ||
		rec.Header().Get("Cache-Control") != "no-store" || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("token response: %v %v", tok, rec.Header())
	}
	cases := []struct {
		name, contentType, body string
		headers                 []string
		status                  int
		code                    string
	}{
		{"wrong secret", form, "grant_type=client_credentials", []string{"Authorization", basic(id, secret+"x")}, 401, "invalid_client"},
		{"unknown client", form, "grant_type=client_credentials", []string{"Authorization", basic("nobody", secret)}, 401, "invalid_client"},
		{"no credentials", form, "grant_type=client_credentials", nil, 401, "invalid_client"},
		{"bearer instead of basic", form, "grant_type=client_credentials", []string{"Authorization", "Bearer x"}, 401, "invalid_client"},
		{"other grant", form, "grant_type=password", []string{"Authorization", basic(id, secret)}, 400, "unsupported_grant_type"},
		{"no grant", form, "", []string{"Authorization", basic(id, secret)}, 400, "invalid_request"},
		{"JSON body", "application/json", `{"grant_type":"client_credentials"}`, []string{"Authorization", basic(id, secret)}, 400, "invalid_request"},
	}
	for _, tc := range cases {
		rec := do(t, r.e, "POST", "/auth/token", tc.contentType, tc.body, tc.headers...)
		var body map[string]any
		if rec.Code != tc.status || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body["error"] != tc.code {
			t.Fatalf("%s: %d %s", tc.name, rec.Code, rec.Body)
		}
		if tc.status == 401 && !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Basic") {
			t.Fatalf("%s: no Basic challenge", tc.name)
		}
	}
	if rec := do(t, r.e, "GET", "/auth/token", "", ""); rec.Code != 400 || !strings.Contains(rec.Body.String(), `"error":"invalid_request"`) {
		t.Fatalf("GET /auth/token: %d %s", rec.Code, rec.Body)
	}
	if strings.Contains(r.logs.String(), secret) {
		t.Fatal("the client secret is in the log")
	}
}

var (
	uuidV4  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	dateUTC = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)
	decRe   = regexp.MustCompile(`^-?\d+(\.\d+)?$`)
	urnRe   = regexp.MustCompile(`^urn:[a-zA-Z0-9][a-zA-Z0-9-]{0,31}:\S+$`)
)

// checkProductFootprint checks the mandatory ProductFootprint and
// CarbonFootprint properties and their formats (PACT v2.2 §§ 4.1, 4.2).
func checkProductFootprint(t *testing.T, pf map[string]any) {
	t.Helper()
	str := func(m map[string]any, k string) string {
		s, ok := m[k].(string)
		if !ok {
			t.Fatalf("%s is %T %v, want a string", k, m[k], m[k])
		}
		return s
	}
	if !uuidV4.MatchString(str(pf, "id")) || str(pf, "specVersion") != "2.2.0" || !dateUTC.MatchString(str(pf, "created")) {
		t.Fatalf("id/specVersion/created: %v %v %v", pf["id"], pf["specVersion"], pf["created"])
	}
	if v, ok := pf["version"].(float64); !ok || v < 1 || v != math.Trunc(v) {
		t.Fatalf("version %v", pf["version"])
	}
	if s := str(pf, "status"); s != "Active" && s != "Deprecated" {
		t.Fatalf("status %q", s)
	}
	for _, k := range []string{"companyName", "productDescription", "productCategoryCpc", "productNameCompany"} {
		if str(pf, k) == "" {
			t.Fatalf("%s is empty", k)
		}
	}
	str(pf, "comment")
	for _, k := range []string{"companyIds", "productIds"} {
		list, ok := pf[k].([]any)
		if !ok || len(list) == 0 {
			t.Fatalf("%s: %v", k, pf[k])
		}
		for _, v := range list {
			if s, _ := v.(string); !urnRe.MatchString(s) {
				t.Fatalf("%s: %q is not a URN", k, v)
			}
		}
	}
	pcf, ok := pf["pcf"].(map[string]any)
	if !ok {
		t.Fatal("no pcf")
	}
	if str(pcf, "declaredUnit") != "kilogram" || str(pcf, "unitaryProductAmount") != "1000" {
		t.Fatalf("declared unit: %v %v", pcf["declaredUnit"], pcf["unitaryProductAmount"])
	}
	for _, k := range []string{"pCfExcludingBiogenic", "pCfIncludingBiogenic", "fossilGhgEmissions", "fossilCarbonContent", "biogenicCarbonContent",
		"dLucGhgEmissions", "landManagementGhgEmissions", "otherBiogenicGhgEmissions", "biogenicCarbonWithdrawal"} {
		if !decRe.MatchString(str(pcf, k)) {
			t.Fatalf("%s = %q is not a decimal string", k, pcf[k])
		}
	}
	if cf := str(pcf, "characterizationFactors"); cf != "AR5" && cf != "AR6" {
		t.Fatalf("characterizationFactors %q", cf)
	}
	for _, k := range []string{"ipccCharacterizationFactorsSources", "crossSectoralStandardsUsed", "secondaryEmissionFactorSources"} {
		if list, ok := pcf[k].([]any); !ok || len(list) == 0 {
			t.Fatalf("%s: %v", k, pcf[k])
		}
	}
	for _, v := range pcf["crossSectoralStandardsUsed"].([]any) {
		if v != "GHG Protocol Product standard" && v != "ISO Standard 14067" && v != "ISO Standard 14044" {
			t.Fatalf("crossSectoralStandardsUsed %v", v)
		}
	}
	str(pcf, "boundaryProcessesDescription")
	str(pcf, "exemptedEmissionsDescription")
	start, end := str(pcf, "referencePeriodStart"), str(pcf, "referencePeriodEnd")
	if !dateUTC.MatchString(start) || !dateUTC.MatchString(end) || end <= start {
		t.Fatalf("reference period %s – %s", start, end)
	}
	_, country := pcf["geographyCountry"]
	_, sub := pcf["geographyCountrySubdivision"]
	_, region := pcf["geographyRegionOrSubregion"]
	if n := btoi(country) + btoi(sub) + btoi(region); n > 1 {
		t.Fatal("more than one geography property is defined")
	}
	if x, ok := pcf["exemptedEmissionsPercent"].(float64); !ok || x < 0 || x > 5 {
		t.Fatalf("exemptedEmissionsPercent %v", pcf["exemptedEmissionsPercent"])
	}
	if _, ok := pcf["packagingEmissionsIncluded"].(bool); !ok {
		t.Fatal("packagingEmissionsIncluded is not a boolean")
	}
	if x, ok := pcf["primaryDataShare"].(float64); !ok || x < 0 || x > 100 {
		t.Fatalf("primaryDataShare %v", pcf["primaryDataShare"])
	}
	dqi, ok := pcf["dqi"].(map[string]any)
	if !ok {
		t.Fatal("no dqi")
	}
	for _, k := range []string{"technologicalDQR", "temporalDQR", "geographicalDQR", "completenessDQR", "reliabilityDQR"} {
		if x, ok := dqi[k].(float64); !ok || x < 1 || x > 3 {
			t.Fatalf("dqi %s = %v", k, dqi[k])
		}
	}
	if x, ok := dqi["coveragePercent"].(float64); !ok || x < 0 || x > 100 {
		t.Fatalf("coveragePercent %v", dqi["coveragePercent"])
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestPACTFootprints(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			r := newRegistryEnv(t, st.open, func(o *Options) { o.RateBurst = 100 })
			supplier, supplierKey := r.org(t, "Shanxi Smelter")
			buyer, _ := r.org(t, "Buyer")
			other, _ := r.org(t, "Other")
			v1 := r.publish(t, supplierKey, declaration(`"visibility": "public"`))
			v2 := r.publish(t, supplierKey, declaration(`"visibility": "public", "supersedes": "`+v1.ID+`"`))
			restricted := r.publish(t, supplierKey, declaration(`"buyers": ["Buyer"]`))
			token := r.pactToken(t, buyer.ID)

			// Pagination: limit 1, absolute next links on the request's host.
			var all []map[string]any
			next := "/2/footprints?limit=1"
			for page := 0; next != ""; page++ {
				req := httptest.NewRequest(http.MethodGet, next, nil)
				req.Host = "pact.example.cn:8443"
				req.Header.Set("Authorization", "Bearer "+token)
				rec := httptest.NewRecorder()
				r.e.ServeHTTP(rec, req)
				var body struct {
					Data []map[string]any `json:"data"`
				}
				if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &body) != nil || len(body.Data) > 1 {
					t.Fatalf("page %d: %d %s", page, rec.Code, rec.Body)
				}
				if !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
					t.Fatalf("content type %q", rec.Header().Get("Content-Type"))
				}
				all = append(all, body.Data...)
				next = ""
				if link := rec.Header().Get("Link"); link != "" {
					m := regexp.MustCompile(`^<(http://pact\.example\.cn:8443/2/footprints\?[^>]+)>; rel="next"$`).FindStringSubmatch(link)
					if m == nil {
						t.Fatalf("Link %q", link)
					}
					u, _ := url.Parse(m[1])
					next = u.RequestURI()
				}
				if page > 4 {
					t.Fatal("too many pages")
				}
			}
			byID := map[string]map[string]any{}
			for _, pf := range all {
				checkProductFootprint(t, pf)
				byID[pf["id"].(string)] = pf
			}
			if len(all) != 3 || byID[v1.ID] == nil || byID[v2.ID] == nil || byID[restricted.ID] == nil {
				t.Fatalf("buyer lists %d footprints", len(all))
			}
			if byID[v1.ID]["status"] != "Deprecated" || byID[v2.ID]["status"] != "Active" {
				t.Fatal("status not mapped")
			}
			if p, _ := byID[v2.ID]["precedingPfIds"].([]any); len(p) != 1 || p[0] != v1.ID {
				t.Fatalf("precedingPfIds %v", byID[v2.ID]["precedingPfIds"])
			}

			// GetFootprint and the mapping's values.
			var got struct {
				Data map[string]any `json:"data"`
			}
			if rec := getJSON(t, r.e, "/2/footprints/"+v2.ID, &got, auth(token)...); rec.Code != 200 {
				t.Fatalf("get: %d %s", rec.Code, rec.Body)
			}
			checkProductFootprint(t, got.Data)
			// The page's PACT view (GET /v1/declarations/{id}/pact, no token)
			// is the same document as PACT's GetFootprint.
			viaPACT := getJSON(t, r.e, "/2/footprints/"+v2.ID, nil, auth(token)...)
			viaV1 := getJSON(t, r.e, "/v1/declarations/"+v2.ID+"/pact", nil)
			if viaV1.Code != 200 || viaV1.Body.String() != viaPACT.Body.String() {
				t.Fatalf("/v1/declarations/{id}/pact: %d %s\nwant %s", viaV1.Code, viaV1.Body, viaPACT.Body)
			}
			pcf := got.Data["pcf"].(map[string]any)
			pcfValue, _ := strconv.ParseFloat(pcf["pCfExcludingBiogenic"].(string), 64)
			if math.Abs(pcfValue-v2.TotalTCO2ePerT) > 1e-6 || pcf["geographyCountrySubdivision"] != "CN-SX" ||
				pcf["referencePeriodStart"] != "2023-01-01T00:00:00Z" || pcf["referencePeriodEnd"] != "2024-01-01T00:00:00Z" ||
				got.Data["companyName"] != "Shanxi Smelter" || got.Data["companyIds"].([]any)[0] != "urn:uuid:"+supplier.ID {
				t.Fatalf("mapping: %v", got.Data)
			}
			ids := got.Data["productIds"].([]any)
			if ids[0] != "urn:gtin:06901234567892" || ids[1] != vendorProductURN+"SX-P1020" {
				t.Fatalf("productIds %v", ids)
			}
			// The reference smelter gives every input but the slope
			// coefficients set, which feeds electrolysis_direct only.
			var res primaryResponse
			_ = json.Unmarshal(v2.Result, &res)
			var direct, sum float64
			for _, s := range res.Stages {
				sum += s.MarketBasedTCO2ePerT
				if s.Stage == "electrolysis_direct" {
					direct = s.MarketBasedTCO2ePerT
				}
			}
			if want := round(100*(sum-direct)/sum, 2); pcf["primaryDataShare"] != want {
				t.Fatalf("primaryDataShare %v, want %v (defaulted %v)", pcf["primaryDataShare"], want, res.Provenance.DefaultedInputs)
			}

			// Another organisation sees public footprints only.
			otherToken := r.pactToken(t, other.ID)
			if rec := getJSON(t, r.e, "/2/footprints/"+restricted.ID, nil, auth(otherToken)...); rec.Code != 404 || !strings.Contains(rec.Body.String(), `"code":"NoSuchFootprint"`) {
				t.Fatalf("restricted to another org: %d %s", rec.Code, rec.Body)
			}
			var list pactListResponse
			if getJSON(t, r.e, "/2/footprints", &list, auth(otherToken)...); len(list.Data) != 2 {
				t.Fatalf("other org lists %d", len(list.Data))
			}
		})
	}
}

func TestPACTErrors(t *testing.T) {
	r := newRegistryEnv(t, openSQLite)
	o, _ := r.org(t, "Buyer")
	token := r.pactToken(t, o.ID)
	expired := &tokenSigner{secret: []byte("test secret"), now: func() time.Time { return time.Now().Add(-2 * tokenTTL) }}
	foreign := newTokenSigner([]byte("another secret"))
	cases := []struct {
		name, method, path, contentType, body string
		headers                               []string
		status                                int
		code                                  string
	}{
		{"no token", "GET", "/2/footprints", "", "", nil, 403, "AccessDenied"},
		{"forged token", "GET", "/2/footprints", "", "", auth(foreign.issue(o.ID, "c")), 403, "AccessDenied"},
		{"garbage token", "GET", "/2/footprints/x", "", "", auth("v1.abc.def"), 403, "AccessDenied"},
		{"API key as token", "GET", "/2/footprints", "", "", auth("alc_000000000000_" + strings.Repeat("A", 43)), 403, "AccessDenied"},
		{"expired token", "GET", "/2/footprints", "", "", auth(expired.issue(o.ID, "c")), 401, "TokenExpired"},
		{"basic scheme", "GET", "/2/footprints", "", "", []string{"Authorization", "Basic eDp5"}, 400, "BadRequest"},
		{"limit 0", "GET", "/2/footprints?limit=0", "", "", auth(token), 400, "BadRequest"},
		{"limit text", "GET", "/2/footprints?limit=ten", "", "", auth(token), 400, "BadRequest"},
		{"bad cursor", "GET", "/2/footprints?cursor=!!", "", "", auth(token), 400, "BadRequest"},
		{"unknown footprint", "GET", "/2/footprints/00000000-0000-4000-8000-000000000000", "", "", auth(token), 404, "NoSuchFootprint"},
		{"unknown action", "GET", "/2/unknown", "", "", auth(token), 400, "NotImplemented"},
		{"wrong method", "DELETE", "/2/footprints/x", "", "", auth(token), 400, "NotImplemented"},
		{"event not JSON", "POST", "/2/events", "text/plain", "hi", auth(token), 400, "BadRequest"},
		{"event malformed", "POST", "/2/events", "application/cloudevents+json", `{"type": `, auth(token), 400, "BadRequest"},
		{"event without id", "POST", "/2/events", "application/cloudevents+json", `{"type": "` + eventPublished + `", "specversion": "1.0", "source": "//x", "data": {"pfIds": ["a"]}}`, auth(token), 400, "BadRequest"},
		{"published without ids", "POST", "/2/events", "application/cloudevents+json", `{"type": "` + eventPublished + `", "specversion": "1.0", "id": "1", "source": "//x", "data": {"pfIds": []}}`, auth(token), 400, "BadRequest"},
		{"unknown event", "POST", "/2/events", "application/cloudevents+json", `{"type": "org.wbcsd.pathfinder.ProductFootprintRequest.Fulfilled.v1", "specversion": "1.0", "id": "1", "source": "//x", "data": {}}`, auth(token), 400, "NotImplemented"},
		{"event without token", "POST", "/2/events", "application/cloudevents+json", `{}`, nil, 403, "AccessDenied"},
	}
	for _, tc := range cases {
		rec := do(t, r.e, tc.method, tc.path, tc.contentType, tc.body, tc.headers...)
		var body map[string]any
		if rec.Code != tc.status || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body["code"] != tc.code || body["message"] == "" {
			t.Fatalf("%s: %d %s", tc.name, rec.Code, rec.Body)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("%s: content type %q", tc.name, ct)
		}
	}
}

func TestPACTEvents(t *testing.T) {
	r := newRegistryEnv(t, openSQLite)
	_, key := r.org(t, "Supplier")
	buyer, _ := r.org(t, "Buyer")
	d := r.publish(t, key, declaration(`"buyers": ["Buyer"]`))
	token := r.pactToken(t, buyer.ID)
	event := func(typ, data string) string {
		return `{"type": "` + typ + `", "specversion": "1.0", "id": "ev-1", "source": "//buyer.example/pact", "time": "2025-01-01T00:00:00Z", "data": ` + data + `}`
	}
	ce := "application/cloudevents+json; charset=UTF-8"
	cases := []struct{ name, body, log string }{
		{"published", event(eventPublished, `{"pfIds": ["`+d.ID+`"]}`), `"msg":"PACT footprints published"`},
		{"request by vendor code", event(eventRequestCreated, `{"pf": {"productIds": ["`+vendorProductURN+`SX-P1020"]}, "comment": "please"}`), `"outcome":"fulfilled","pf_ids":"` + d.ID + `"`},
		{"request by URN", event(eventRequestCreated, `{"pf": {"productIds": ["urn:gtin:06901234567892"]}}`), `"outcome":"fulfilled"`},
		{"request unknown", event(eventRequestCreated, `{"pf": {"productIds": ["urn:gtin:1"]}}`), `"outcome":"rejected: NoSuchFootprint"`},
	}
	for _, tc := range cases {
		rec := do(t, r.e, "POST", "/2/events", ce, tc.body, auth(token)...)
		if rec.Code != 200 || rec.Body.Len() != 0 {
			t.Fatalf("%s: %d %q", tc.name, rec.Code, rec.Body)
		}
		if !strings.Contains(r.logs.String(), tc.log) {
			t.Fatalf("%s: log lacks %s:\n%s", tc.name, tc.log, r.logs)
		}
	}
}

// TestPrimaryDataShare checks the stage-weighted share against hand
// computation and the DQI derived from it.
func TestPrimaryDataShare(t *testing.T) {
	r := storedResult{Stages: []stageResponse{
		{Stage: "alumina_refining", MarketBasedTCO2ePerT: 2},
		{Stage: "anode_production", MarketBasedTCO2ePerT: 0.5},
		{Stage: "electrolysis_direct", MarketBasedTCO2ePerT: 1.5},
		{Stage: "electrolysis_electricity", MarketBasedTCO2ePerT: 6},
		{Stage: "casting", MarketBasedTCO2ePerT: 0},
	}}
	cases := []struct {
		defaulted []string
		want      float64
	}{
		{nil, 100},
		{[]string{"/alumina/refinery/coal_gj_per_t"}, 80},                 // (10 − 2) / 10
		{[]string{"/anode/net_carbon_t_per_t", "/anode/baking_fuel"}, 80}, // direct 1.5 + anode 0.5
		{[]string{"/electricity/sources/0/ef_tco2_per_mwh"}, 40},          // electricity 6 (casting 0)
		{[]string{"/electrolysis/ac_kwh_per_t", "/alumina/consumption_t_per_t"}, 20},
		{[]string{"/something/new"}, 0}, // unknown input: every stage secondary
	}
	for _, tc := range cases {
		r.Provenance.DefaultedInputs = tc.defaulted
		if got := primaryDataShare(registry.KindPrimary, r); got != tc.want {
			t.Fatalf("%v: %v, want %v", tc.defaulted, got, tc.want)
		}
	}
	// A product: a defaulted step energy makes its stage secondary.
	p := storedResult{Stages: []stageResponse{
		{Stage: "primary_metal", MarketBasedTCO2ePerT: 12},
		{Stage: "alloying", MarketBasedTCO2ePerT: 1},
		{Stage: "casting", MarketBasedTCO2ePerT: 2},
		{Stage: "processing", MarketBasedTCO2ePerT: 5},
	}}
	p.Steps = append(p.Steps, struct {
		Stage     string `json:"stage"`
		Defaulted bool   `json:"defaulted"`
	}{"processing", true})
	p.Provenance.DefaultedInputs = []string{"/alloy"}
	if got := primaryDataShare(registry.KindProduct, p); got != 70 { // (20 − 1 − 5) / 20
		t.Fatalf("product share %v, want 70", got)
	}
	p.Provenance.DefaultedInputs = []string{"/yield"}
	if got := primaryDataShare(registry.KindProduct, p); got != 0 {
		t.Fatalf("product share with a default yield %v, want 0", got)
	}
	q := dataQuality(80, 2023, "2023-01-01", "2023-12-31")
	if q.TechnologicalDQR != 1.2 || q.TemporalDQR != 1 || q.CompletenessDQR != 1 || q.CoveragePercent != 100 {
		t.Fatalf("dqi %+v", q)
	}
	if q := dataQuality(100, 2020, "2023-01-01", "2023-12-31"); q.TemporalDQR != 2 || q.ReliabilityDQR != 1 {
		t.Fatalf("dqi %+v", q)
	}
	if got := decimal(14.7609793733); got != "14.760979" {
		t.Fatalf("decimal %q", got)
	}
}

// Benchmarks: compare with BenchmarkEcho in the same run
// (go test -run ^$ -bench 'Echo|Declaration|PACT' ./api).

func benchRegistry(b *testing.B, n int) (*registryEnv, string, string) {
	r := newRegistryEnv(b, openSQLite, func(o *Options) { o.RateBurst = 1000 })
	_, key := r.org(b, "Supplier")
	var id string
	for range n {
		id = r.publish(b, key, declaration(`"visibility": "public"`)).ID
	}
	return r, key, id
}

func BenchmarkDeclarationList(b *testing.B) {
	r, _, _ := benchRegistry(b, 50)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if rec := do(b, r.e, http.MethodGet, "/v1/declarations?limit=20", "", ""); rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

func BenchmarkDeclarationGet(b *testing.B) {
	r, _, id := benchRegistry(b, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if rec := do(b, r.e, http.MethodGet, "/v1/declarations/"+id, "", ""); rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

func BenchmarkPACTGetFootprint(b *testing.B) {
	r, _, id := benchRegistry(b, 1)
	o, _ := r.org(b, "Buyer")
	token := r.pactToken(b, o.ID)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if rec := do(b, r.e, http.MethodGet, "/2/footprints/"+id, "", "", auth(token)...); rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

// TestFailedAuthenticationThrottled: after failureBurst wrong API keys or
// PACT secrets from one address, further attempts get 429 with Retry-After
// without reaching the database; another address is unaffected.
func TestFailedAuthenticationThrottled(t *testing.T) {
	r := newRegistryEnv(t, openSQLite)
	_, key := r.org(t, "Shanxi Smelter Co.")
	for i := 0; i < failureBurst; i++ {
		if rec := postJSON(t, r.e, "/v1/declarations", declaration(""), auth("alc_000000000000_wrong")...); rec.Code != 401 {
			t.Fatalf("attempt %d: %d, want 401", i, rec.Code)
		}
	}
	rec := postJSON(t, r.e, "/v1/declarations", declaration(""), auth("alc_000000000000_wrong")...)
	if rec.Code != 429 || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("attempt after the burst: %d %v, want 429 with Retry-After", rec.Code, rec.Header())
	}
	decodeProblem(t, rec)
	// The same address is blocked even with a good key until it cools down;
	// another address is not.
	req := httptest.NewRequest(http.MethodGet, "/v1/declarations", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	req.RemoteAddr = "198.51.100.7:4242"
	other := httptest.NewRecorder()
	r.e.ServeHTTP(other, req)
	if other.Code != 200 {
		t.Fatalf("another address with a valid key: %d %s", other.Code, other.Body)
	}
}
