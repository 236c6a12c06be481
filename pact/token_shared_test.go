package pact

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"

	"alcarbon/internal/testpg"
	"alcarbon/registry"
)

// TestTokenSecretSharedByReplicas: with no configured secret, two handlers
// over one registry (two replicas) accept each other's tokens, a handler
// made later over a newly opened store (a restart) accepts a token issued
// before it, and a handler over another registry refuses it (the test can
// fail: tokens are not simply accepted everywhere).
func TestTokenSecretSharedByReplicas(t *testing.T) {
	for _, st := range []struct {
		name string
		url  func(t *testing.T) (databaseURL, dataDir string)
	}{
		{"sqlite", func(t *testing.T) (string, string) { return "", filepath.Join(t.TempDir(), "data") }},
		{"postgres", func(t *testing.T) (string, string) { return testpg.New(t).URL, "" }},
	} {
		t.Run(st.name, func(t *testing.T) {
			databaseURL, dataDir := st.url(t)
			same := func(t testing.TB) registry.Store {
				s, err := registry.Open(context.Background(), databaseURL, dataDir)
				if err != nil {
					t.Fatalf("open the registry: %v", err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			}
			noSecret := func(o *Options) { o.TokenSecret = nil }
			a, b := newEnv(t, same, noSecret), newEnv(t, same, noSecret)
			o := a.org(t, "Buyer")
			id, secret := a.client(t, o.ID)
			token := func(e *env) string {
				t.Helper()
				rec := e.serve("POST", "/auth/token", form, "grant_type=client_credentials", basic(id, secret))
				var tok TokenResponse
				if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &tok) != nil {
					t.Fatalf("token: %d %s", rec.Code, rec.Body)
				}
				return tok.AccessToken
			}
			fromA, fromB := token(a), token(b)
			for _, c := range []struct {
				name  string
				e     *env
				token string
			}{{"A's token at B", b, fromA}, {"B's token at A", a, fromB}} {
				if rec := c.e.get(t, "/2/footprints", c.token, nil); rec.Code != http.StatusOK {
					t.Fatalf("%s: %d %s", c.name, rec.Code, rec.Body)
				}
			}
			restarted := newEnv(t, same, noSecret)
			if rec := restarted.get(t, "/2/footprints", fromA, nil); rec.Code != http.StatusOK {
				t.Fatalf("a token issued before the restart: %d %s", rec.Code, rec.Body)
			}
			other := newEnv(t, func(t testing.TB) registry.Store { return openStore(t, "") }, noSecret)
			if rec := other.get(t, "/2/footprints", fromA, nil); rec.Code != http.StatusUnauthorized {
				t.Fatalf("the token at a host with another registry: %d %s, want 401", rec.Code, rec.Body)
			}
		})
	}
}
