package pact

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

const form = "application/x-www-form-urlencoded"

// TestPACTClientRevoked: revoking a client refuses its tokens at once and
// gives it no new one; the organisation's other client is unaffected.
func TestPACTClientRevoked(t *testing.T) {
	r := newEnv(t, openSQLite)
	o := r.org(t, "Buyer")
	id, secret := r.client(t, o.ID)
	rec := r.serve("POST", "/auth/token", form, "grant_type=client_credentials", basic(id, secret))
	var tok TokenResponse
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &tok) != nil {
		t.Fatalf("token: %d %s", rec.Code, rec.Body)
	}
	other := r.clientToken(t, o.ID)
	if rec := r.get(t, "/2/footprints", tok.AccessToken, nil); rec.Code != 200 {
		t.Fatalf("before revoking: %d %s", rec.Code, rec.Body)
	}
	if err := r.store.RevokePACTClient(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	rec = r.get(t, "/2/footprints", tok.AccessToken, nil)
	if rec.Code != 403 || !strings.Contains(rec.Body.String(), `"code":"AccessDenied"`) || !strings.Contains(rec.Body.String(), "revoked") {
		t.Fatalf("revoked client's token: %d %s", rec.Code, rec.Body)
	}
	rec = r.serve("POST", "/auth/token", form, "grant_type=client_credentials", basic(id, secret))
	if rec.Code != 401 || !strings.Contains(rec.Body.String(), "invalid_client") {
		t.Fatalf("revoked client asks for a token: %d %s", rec.Code, rec.Body)
	}
	if rec := r.get(t, "/2/footprints", other, nil); rec.Code != 200 {
		t.Fatalf("the other client: %d %s", rec.Code, rec.Body)
	}
}

func TestPACTAuthToken(t *testing.T) {
	r := newEnv(t, openSQLite)
	o := r.org(t, "Buyer")
	id, secret := r.client(t, o.ID)
	rec := r.serve("POST", "/auth/token", form, "grant_type=client_credentials", basic(id, secret))
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
		authorization           string
		status                  int
		code                    string
	}{
		{"wrong secret", form, "grant_type=client_credentials", basic(id, secret+"x"), 401, "invalid_client"},
		{"unknown client", form, "grant_type=client_credentials", basic("nobody", secret), 401, "invalid_client"},
		{"no credentials", form, "grant_type=client_credentials", "", 401, "invalid_client"},
		{"bearer instead of basic", form, "grant_type=client_credentials", "Bearer x", 401, "invalid_client"},
		{"other grant", form, "grant_type=password", basic(id, secret), 400, "unsupported_grant_type"},
		{"no grant", form, "", basic(id, secret), 400, "invalid_request"},
		{"JSON body", "application/json", `{"grant_type":"client_credentials"}`, basic(id, secret), 400, "invalid_request"},
	}
	for _, tc := range cases {
		rec := r.serve("POST", "/auth/token", tc.contentType, tc.body, tc.authorization)
		var body map[string]any
		if rec.Code != tc.status || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body["error"] != tc.code {
			t.Fatalf("%s: %d %s", tc.name, rec.Code, rec.Body)
		}
		if tc.status == 401 && !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Basic") {
			t.Fatalf("%s: no Basic challenge", tc.name)
		}
	}
	if rec := r.serve("GET", "/auth/token", "", "", ""); rec.Code != 400 || !strings.Contains(rec.Body.String(), `"error":"invalid_request"`) {
		t.Fatalf("GET /auth/token: %d %s", rec.Code, rec.Body)
	}
	if strings.Contains(r.logs.String(), secret) {
		t.Fatal("the client secret is in the log")
	}
}

// TestOpenIDConfiguration: the discovery document names this host's token
// endpoint (the conformance tool's optional cases 18 and 19 look it up),
// and a token got there works.
func TestOpenIDConfiguration(t *testing.T) {
	r := newEnv(t, openSQLite)
	rec := r.serve("GET", "/.well-known/openid-configuration", "", "", "")
	var doc OpenIDConfiguration
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &doc) != nil || doc.TokenEndpoint != doc.Issuer+"/auth/token" ||
		!strings.HasPrefix(doc.Issuer, "http") || len(doc.GrantTypesSupported) != 1 || doc.GrantTypesSupported[0] != "client_credentials" {
		t.Fatalf("discovery: %d %s", rec.Code, rec.Body)
	}
	o := r.org(t, "Buyer")
	id, secret := r.client(t, o.ID)
	u, _ := url.Parse(doc.TokenEndpoint)
	if rec := r.serve("POST", u.Path, "application/x-www-form-urlencoded", "grant_type=client_credentials", basic(id, secret)); rec.Code != 200 {
		t.Fatalf("token at the discovered endpoint: %d %s", rec.Code, rec.Body)
	}
}
