package httpx

import (
	"crypto/tls"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"testing"

	"github.com/labstack/echo/v4"
)

// spoof is what any client can send; only a trusted proxy is believed.
var spoof = map[string]string{
	"X-Forwarded-Proto": "https",
	"X-Forwarded-Host":  "evil.example",
	"X-Forwarded-Ssl":   "on",
	"X-Url-Scheme":      "https",
}

func TestNextLinkPublicBase(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	public, _ := url.Parse("https://carbon.example.com/alcarbon")
	for _, tc := range []struct {
		name    string
		origin  *Origin // nil: no middleware
		remote  string
		tls     bool
		headers map[string]string
		want    string
	}{
		{"no middleware, spoofed headers ignored", nil, "203.0.113.9:5000", false, spoof,
			"http://api.test/2/footprints?cursor=C&limit=2"},
		{"untrusted peer, spoofed headers ignored", &Origin{Trusted: proxies}, "203.0.113.9:5000", false, spoof,
			"http://api.test/2/footprints?cursor=C&limit=2"},
		{"untrusted peer over TLS: the connection's scheme", &Origin{Trusted: proxies}, "203.0.113.9:5000", true,
			map[string]string{"X-Forwarded-Proto": "http"}, "https://api.test/2/footprints?cursor=C&limit=2"},
		{"trusted proxy: proto and host believed", &Origin{Trusted: proxies}, "10.1.2.3:5000", false,
			map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "carbon.example.com"},
			"https://carbon.example.com/2/footprints?cursor=C&limit=2"},
		{"trusted proxy on IPv6 loopback, the last of several values (set by the proxy; the first may be the client's)", &Origin{Trusted: proxies}, "[::1]:5000", false,
			map[string]string{"X-Forwarded-Proto": "http, HTTPS", "X-Forwarded-Host": "evil.example, carbon.example.com:8443"},
			"https://carbon.example.com:8443/2/footprints?cursor=C&limit=2"},
		{"trusted proxy: X-Forwarded-Ssl and X-Url-Scheme never believed", &Origin{Trusted: proxies}, "10.1.2.3:5000", false,
			map[string]string{"X-Forwarded-Ssl": "on", "X-Url-Scheme": "https"}, "http://api.test/2/footprints?cursor=C&limit=2"},
		{"trusted proxy: a host with a path or user is ignored", &Origin{Trusted: proxies}, "10.1.2.3:5000", false,
			map[string]string{"X-Forwarded-Host": "evil.example/x?"}, "http://api.test/2/footprints?cursor=C&limit=2"},
		{"trusted proxy: a bad proto is ignored", &Origin{Trusted: proxies}, "10.1.2.3:5000", false,
			map[string]string{"X-Forwarded-Proto": "javascript"}, "http://api.test/2/footprints?cursor=C&limit=2"},
		{"public URL wins over a trusted proxy", &Origin{Public: public, Trusted: proxies}, "10.1.2.3:5000", false, spoof,
			"https://carbon.example.com/alcarbon/2/footprints?cursor=C&limit=2"},
		{"public URL wins over TLS and Host", &Origin{Public: public}, "203.0.113.9:5000", true, nil,
			"https://carbon.example.com/alcarbon/2/footprints?cursor=C&limit=2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := echo.New()
			req := httptest.NewRequest("GET", "/2/footprints?limit=2&cursor=old", nil)
			req.Host, req.RemoteAddr = "api.test", tc.remote
			if tc.tls {
				req.TLS = &tls.ConnectionState{}
			}
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			c := e.NewContext(req, httptest.NewRecorder())
			var got string
			h := func(c echo.Context) error { got = NextLink(c, "C"); return nil }
			if tc.origin != nil {
				h = tc.origin.Middleware(h)
			}
			if err := h(c); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("NextLink = %s, want %s", got, tc.want)
			}
			if tc.origin != nil {
				want, _ := url.Parse(tc.want)
				if s := tc.origin.SchemeExtractor()(req); s != want.Scheme {
					t.Errorf("SchemeExtractor = %s, want %s", s, want.Scheme)
				}
			}
		})
	}
}

func TestIPExtractor(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	for _, tc := range []struct {
		name    string
		trusted []netip.Prefix
		remote  string
		xff     string
		want    string
	}{
		{"no trusted proxies: the peer, whatever X-Forwarded-For says", nil, "203.0.113.9:5000", "198.51.100.1", "203.0.113.9"},
		{"no trusted proxies: a private peer is not a proxy either", nil, "192.168.1.1:5000", "198.51.100.1", "192.168.1.1"},
		{"untrusted peer", proxies, "203.0.113.9:5000", "198.51.100.1", "203.0.113.9"},
		{"loopback is not trusted unless listed", proxies, "127.0.0.1:5000", "198.51.100.1", "127.0.0.1"},
		{"trusted proxy: the client it names", proxies, "10.0.0.2:5000", "198.51.100.1", "198.51.100.1"},
		{"trusted proxies in a chain: the nearest untrusted address", proxies, "10.0.0.2:5000", "1.2.3.4, 198.51.100.1, 10.9.9.9", "198.51.100.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			req.RemoteAddr = tc.remote
			req.Header.Set("X-Forwarded-For", tc.xff)
			req.Header.Set("X-Real-IP", "198.51.100.77")
			o := &Origin{Trusted: tc.trusted}
			if got := o.IPExtractor()(req); got != tc.want {
				t.Errorf("IPExtractor = %s, want %s", got, tc.want)
			}
		})
	}
}
