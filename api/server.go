// Package api is alcarbon's HTTP adapter: the echo routes (routes.go lists
// them all), request and response types, problem+json errors, middleware,
// caching of calculation responses and the operational endpoints.
package api

import (
	"io"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"alcarbon/cache"
	"alcarbon/calc"
	"alcarbon/factors"
	"alcarbon/internal/httpx"
	"alcarbon/internal/ratelimit"
	"alcarbon/pact"
	"alcarbon/registry"
)

// Options are the server's dependencies and settings.
type Options struct {
	Catalog *factors.Catalog
	Cache   *cache.Cache
	// RedisConfigured says whether Cache has a Redis tier (for /readyz).
	RedisConfigured bool
	// Store is the declaration registry; nil disables the endpoints that need it.
	Store  registry.Store
	Logger *slog.Logger
	// AccessLog receives one JSON line per request (accesslog.go), in
	// the form of Logger's JSON lines; nil: no access log.
	AccessLog io.Writer
	Registry  *prometheus.Registry
	// BodyLimit is the largest request body accepted [bytes].
	BodyLimit   int64
	CORSOrigins []string
	PProf       bool
	// RateLimit is the sustained rate of writes per API key [requests/s];
	// ≤ 0 means 10. RateBurst is the burst allowed above it; ≤ 0 means 20.
	RateLimit float64
	RateBurst int
	// TokenSecret signs PACT access tokens (HMAC-SHA256). Empty: the
	// registry keeps a random one (pact.Options.TokenSecret), so replicas
	// sharing the registry accept each other's tokens and tokens survive a
	// restart.
	TokenSecret []byte
	// PACTResponder answers PACT footprint request events in the
	// background; nil: they are looked up and logged but not answered.
	// The caller shuts it down after the HTTP server.
	PACTResponder *pact.Responder
	// Origin is how clients reach the service (ALCARBON_PUBLIC_URL,
	// ALCARBON_TRUSTED_PROXIES): the base of absolute links and of the
	// source of outbound PACT events, and whose X-Forwarded-For gives the
	// client's address. The zero value believes no forwarding header.
	Origin httpx.Origin

	// Work bounds each calculation request: its work budget, the slots of
	// heavy calculations and the deadline (work.go). The zero value is the
	// defaults.
	Work WorkLimits

	// Draining is closed when shutdown starts: from then on /readyz
	// answers 503 while the other routes keep serving. nil: never.
	Draining <-chan struct{}
	// Jobs runs batch files of more than 200 rows as durable jobs in the
	// registry database; nil: such files are a 413. New sets its compute
	// function; the caller starts and stops it.
	Jobs *registry.Jobs
	// Batch bounds batch jobs; the zero value is the defaults.
	Batch BatchLimits

	// SharedLimits, when set, keeps the write rate limits and the
	// failed-authentication throttle in Redis, shared by every replica
	// using the same Redis; nil: per process.
	SharedLimits *ratelimit.Redis
}

// server holds what handlers share. Everything in it is safe for
// concurrent use.
type server struct {
	catalog *factors.Catalog
	cache   *cache.Cache
	// redisConfigured says whether the cache has a Redis tier.
	redisConfigured bool
	store           registry.Store
	log             *slog.Logger
	metrics         *metrics

	limiter *keyLimiter // per-API-key write rate limits
	// authFailures throttles failed API-key and PACT-client authentication
	// per client address.
	authFailures *httpx.AuthFailures

	engines map[string]*calc.Engine
	// exactScope is the server's part of every exact-bytes cache key
	// (readCachable).
	exactScope string
	// work prices calculation requests and admits the heavy ones.
	work *admission
	// drain is closed when shutdown starts (Options.Draining).
	drain <-chan struct{}
	// bodyLimit is the largest request body [bytes] (Options.BodyLimit).
	bodyLimit int64
	// jobs runs batch jobs; nil: none.
	jobs        *registry.Jobs
	batchLimits BatchLimits
}

// engine returns the calculation engine of a dataset version. The map is
// built once in New (one engine per embedded version) and only read after.
func (s *server) engine(ds *factors.Dataset) *calc.Engine {
	return s.engines[ds.Version()]
}

// enginesOf builds one engine per dataset version of the catalog.
func enginesOf(cat *factors.Catalog) map[string]*calc.Engine {
	m := map[string]*calc.Engine{}
	for _, ds := range cat.Versions() {
		m[ds.Version()] = calc.New(ds)
	}
	return m
}
