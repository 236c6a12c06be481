package api

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"alcarbon/internal/httpx"
)

// TestLinksBehindProxies: the next-page links of /v1/declarations and
// /2/footprints believe X-Forwarded-Proto and X-Forwarded-Host only from a
// trusted proxy, never X-Forwarded-Ssl or X-Url-Scheme, and the public URL
// wins over everything.
func TestLinksBehindProxies(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	public, _ := url.Parse("https://carbon.example.com/alcarbon")
	spoofed := []string{"X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example", "X-Forwarded-Ssl", "on", "X-Url-Scheme", "https"}
	for _, tc := range []struct {
		name    string
		origin  httpx.Origin
		remote  string
		headers []string
		want    string // prefix of both links, up to the path
	}{
		{"no proxies configured: spoofed headers ignored", httpx.Origin{}, "203.0.113.9:4000", spoofed, "http://registry.example.cn/"},
		{"untrusted peer: spoofed headers ignored", httpx.Origin{Trusted: trusted}, "203.0.113.9:4000", spoofed, "http://registry.example.cn/"},
		{"trusted proxy: X-Forwarded-Proto and -Host believed", httpx.Origin{Trusted: trusted}, "10.0.0.5:4000",
			[]string{"X-Forwarded-Proto", "https", "X-Forwarded-Host", "carbon.example.com"}, "https://carbon.example.com/"},
		{"trusted proxy: X-Forwarded-Ssl and X-Url-Scheme not believed", httpx.Origin{Trusted: trusted}, "10.0.0.5:4000",
			[]string{"X-Forwarded-Ssl", "on", "X-Url-Scheme", "https"}, "http://registry.example.cn/"},
		{"public URL wins", httpx.Origin{Public: public, Trusted: trusted}, "10.0.0.5:4000", spoofed, "https://carbon.example.com/alcarbon/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRegistryEnv(t, openSQLite, func(o *Options) { o.RateBurst = 100; o.Origin = tc.origin })
			supplier, key := r.org(t, "Supplier")
			for range 3 {
				r.publish(t, key, declaration(`"visibility": "public"`))
			}
			token := r.pactToken(t, supplier.ID)
			for path, bearer := range map[string]string{"/v1/declarations?limit=1": key, "/2/footprints?limit=1": token} {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.Host, req.RemoteAddr = "registry.example.cn", tc.remote
				req.Header.Set("Authorization", "Bearer "+bearer)
				for i := 0; i < len(tc.headers); i += 2 {
					req.Header.Set(tc.headers[i], tc.headers[i+1])
				}
				rec := httptest.NewRecorder()
				r.e.ServeHTTP(rec, req)
				link := rec.Header().Get("Link")
				want := "<" + tc.want + strings.TrimPrefix(strings.Split(path, "?")[0], "/") + "?"
				if rec.Code != 200 || !strings.HasPrefix(link, want) {
					t.Errorf("GET %s: %d, Link %q, want it to start with %s", path, rec.Code, link, want)
				}
			}
		})
	}
}

// TestThrottleIgnoresSpoofedForwardedFor: a client that is not a trusted
// proxy cannot escape the throttle of failed authentications by changing
// X-Forwarded-For or X-Real-IP; a trusted proxy's X-Forwarded-For names
// the client that is throttled.
func TestThrottleIgnoresSpoofedForwardedFor(t *testing.T) {
	r := newRegistryEnv(t, openSQLite, func(o *Options) {
		o.Origin = httpx.Origin{Trusted: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	})
	attempt := func(remote, xff string) int {
		req := httptest.NewRequest(http.MethodPost, "/v1/declarations", strings.NewReader(declaration("")))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer alc_000000000000_wrong")
		req.Header.Set("X-Forwarded-For", xff)
		req.Header.Set("X-Real-IP", xff)
		req.RemoteAddr = remote
		rec := httptest.NewRecorder()
		r.e.ServeHTTP(rec, req)
		return rec.Code
	}
	for i := 0; i < httpx.FailureBurst; i++ {
		if code := attempt("203.0.113.9:4000", "198.51.100."+strconv.Itoa(i+1)); code != 401 {
			t.Fatalf("attempt %d: %d, want 401", i, code)
		}
	}
	if code := attempt("203.0.113.9:4000", "192.0.2.200"); code != 429 {
		t.Fatalf("untrusted peer with a fresh X-Forwarded-For after the burst: %d, want 429", code)
	}
	// Behind the trusted proxy, clients are told apart by X-Forwarded-For.
	for i := 0; i < httpx.FailureBurst; i++ {
		if code := attempt("10.0.0.5:4000", "192.0.2.1"); code != 401 {
			t.Fatalf("proxied attempt %d: %d, want 401", i, code)
		}
	}
	if code := attempt("10.0.0.5:4000", "192.0.2.1"); code != 429 {
		t.Fatalf("proxied client after the burst: %d, want 429", code)
	}
	if code := attempt("10.0.0.5:4000", "192.0.2.2"); code != 401 {
		t.Fatalf("another client behind the same proxy: %d, want 401", code)
	}
}
