package httpx

import (
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// ctxOrigin holds the *Origin a request's public base URL is worked out by.
const ctxOrigin = "origin"

// Origin says how clients reach the service, for absolute links and the
// source of outbound PACT events. Configure it once (ALCARBON_PUBLIC_URL,
// ALCARBON_TRUSTED_PROXIES) and install Middleware; the zero value trusts
// no proxy and has no public URL.
type Origin struct {
	// Public is the external base URL; nil = worked out per request.
	Public *url.URL
	// Trusted are the networks of reverse proxies whose X-Forwarded-*
	// headers are believed when they are the direct peer.
	Trusted []netip.Prefix
}

// Middleware keeps o on each request's context for PublicBase.
func (o *Origin) Middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(ctxOrigin, o)
		return next(c)
	}
}

// IPExtractor returns how echo's RealIP finds the client's address: from
// X-Forwarded-For only across trusted proxies (the nearest address that is
// not a trusted proxy), else the direct peer. echo's own default believes
// X-Forwarded-For and X-Real-IP from anyone, which would let any client
// pick its address for the throttle of failed authentications.
func (o *Origin) IPExtractor() echo.IPExtractor {
	if len(o.Trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range o.Trusted {
		opts = append(opts, echo.TrustIPRange(&net.IPNet{
			IP: net.IP(p.Addr().AsSlice()), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen()),
		}))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// SchemeExtractor returns how echo's Scheme finds the scheme: the public
// URL's, else X-Forwarded-Proto from a trusted proxy, else the
// connection's. echo's default believes X-Forwarded-Proto, X-Forwarded-Ssl
// and X-Url-Scheme from anyone.
func (o *Origin) SchemeExtractor() func(*http.Request) string {
	return func(r *http.Request) string { return o.base(r).Scheme }
}

// PublicBase returns the base URL clients reach the service at: scheme,
// host[:port] and a path prefix without a trailing slash ("" at the root).
// The public URL wins when set; else X-Forwarded-Proto and
// X-Forwarded-Host count only when the direct peer is a trusted proxy;
// else the scheme is the connection's own (https over TLS) and the host
// the request's Host. X-Forwarded-Ssl and X-Url-Scheme are never believed.
// Without Middleware, no proxy is trusted.
func PublicBase(c echo.Context) url.URL {
	o, _ := c.Get(ctxOrigin).(*Origin)
	if o == nil {
		o = &Origin{}
	}
	return o.base(c.Request())
}

func (o *Origin) base(r *http.Request) url.URL {
	if o.Public != nil {
		return url.URL{Scheme: o.Public.Scheme, Host: o.Public.Host, Path: o.Public.Path}
	}
	u := url.URL{Scheme: "http", Host: r.Host}
	if r.TLS != nil {
		u.Scheme = "https"
	}
	if !o.trusts(r.RemoteAddr) {
		return u
	}
	if p := strings.ToLower(lastValue(r.Header.Values(echo.HeaderXForwardedProto))); p == "http" || p == "https" {
		u.Scheme = p
	}
	if h := lastValue(r.Header.Values("X-Forwarded-Host")); validHostPort(h) {
		u.Host = h
	}
	return u
}

// trusts reports whether remoteAddr (ip:port, as in http.Request) is in a
// trusted network.
func (o *Origin) trusts(remoteAddr string) bool {
	if len(o.Trusted) == 0 {
		return false
	}
	ap, err := netip.ParseAddrPort(remoteAddr)
	if err != nil {
		return false
	}
	a := ap.Addr().Unmap()
	for _, p := range o.Trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// lastValue returns the last of comma-separated values over all lines of
// a header, trimmed: the one the trusted proxy next to this server set. A
// value further left may have come from the client, whenever a proxy
// appends to the header rather than replacing it; behind several proxies,
// set ALCARBON_PUBLIC_URL.
func lastValue(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	h := lines[len(lines)-1]
	if i := strings.LastIndexByte(h, ','); i >= 0 {
		h = h[i+1:]
	}
	return strings.TrimSpace(h)
}

// validHostPort reports whether h is host[:port] with a DNS name or IP
// literal: nothing that could add a path, user info or query to a link.
func validHostPort(h string) bool {
	if h == "" {
		return false
	}
	u, err := url.Parse("//" + h)
	if err != nil || u.Host != h || u.User != nil || u.Hostname() == "" {
		return false
	}
	for _, r := range h {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && !strings.ContainsRune("-.:[]", r) {
			return false
		}
	}
	return true
}
