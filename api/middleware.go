package api

import (
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"alcarbon/internal/httpx"
)

const (
	headerRequestID = "X-Request-ID"
	// headerCache names the cache tier that answered (writeCached); the
	// access log reads it back.
	headerCache = "X-Cache"
)

// composedOnce returns mws (outermost first) as one middleware whose chain
// is built once, around the handler the router found for the request
// (c.Handler()). echo v4 applies the middleware given to Use anew on every
// request (Echo.ServeHTTP calls each MiddlewareFunc with the route's
// handler), which costs an allocation per middleware per request; the
// chain built here is the same for every route, so it is built at start.
// Each of mws must keep no per-request state in what it builds from next
// (none of the service's does).
func composedOnce(mws ...echo.MiddlewareFunc) echo.MiddlewareFunc {
	chain := withMiddleware(func(c echo.Context) error { return c.Handler()(c) }, mws...)
	return func(echo.HandlerFunc) echo.HandlerFunc { return chain }
}

// withMiddleware returns h inside mws (outermost first), built once: for
// a route's own middleware, which echo too would apply on every request.
func withMiddleware(h echo.HandlerFunc, mws ...echo.MiddlewareFunc) echo.HandlerFunc {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// requestIDMiddleware propagates a caller's X-Request-ID (up to 128
// printable ASCII characters) or generates one, and echoes it back.
func requestIDMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(headerRequestID)
		if !validRequestID(id) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		httpx.SetRequestID(c, id)
		c.Response().Header().Set(headerRequestID, id)
		return next(c)
	}
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

// securityHeaders sets conservative response headers for a JSON API that
// also serves the Swagger UI.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		// Assigned rather than Set: the keys are canonical and the values
		// shared (a later Add appends to a copy), so no request allocates
		// them.
		h["X-Content-Type-Options"] = headerNosniff
		h["X-Frame-Options"] = headerDeny
		h["Referrer-Policy"] = headerNoReferrer
		h["Cross-Origin-Resource-Policy"] = headerSameOrigin
		return next(c)
	}
}

// The security headers' values (securityHeaders).
var (
	headerNosniff    = []string{"nosniff"}
	headerDeny       = []string{"DENY"}
	headerNoReferrer = []string{"no-referrer"}
	headerSameOrigin = []string{"same-origin"}
)

// defaultBodyLimit applies when Options.BodyLimit is not set [bytes].
const defaultBodyLimit = 1 << 20

// bodyLimitString renders a byte count in the form echo's BodyLimit parses.
func bodyLimitString(n int64) string {
	if n <= 0 {
		n = defaultBodyLimit
	}
	return strconv.FormatInt(n, 10) + "B"
}

// pvBodyLimit is the body limit of POST /v1/pv when ALCARBON_BODY_LIMIT is
// smaller: an EPW weather file is about 1.5 MB.
const pvBodyLimit = 4 << 20

// bodyLimitExcept applies echo's body limit to every route but paths,
// which set their own.
func bodyLimitExcept(limit int64, paths ...string) echo.MiddlewareFunc {
	return middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit: bodyLimitString(limit),
		Skipper: func(c echo.Context) bool {
			p := c.Request().URL.Path
			// PACT and OAuth routes apply the limit inside their groups, so
			// that an oversize body gets their error shape.
			return slices.Contains(paths, c.Path()) || strings.HasPrefix(p, "/2/") || strings.HasPrefix(p, "/auth/")
		},
	})
}

// gzipExcept compresses responses above gzipMinBytes for clients that
// accept gzip: the page, the registry, reference data, the API
// descriptions and PACT. It skips the routes in cached, which answer from
// the cache with their compressed form kept there (writeCached), and
// /metrics, which the Prometheus handler compresses itself. cached is
// filled as routes are registered (routes.go) and only read after.
func gzipExcept(cached map[string]bool) echo.MiddlewareFunc {
	return middleware.GzipWithConfig(middleware.GzipConfig{
		MinLength: gzipMinBytes + 1,
		Skipper: func(c echo.Context) bool {
			return cached[c.Path()] || c.Path() == "/metrics"
		},
	})
}
