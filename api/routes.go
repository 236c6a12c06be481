package api

import (
	"net/http"
	"net/http/pprof"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	echoSwagger "github.com/swaggo/echo-swagger"

	_ "alcarbon/docs" // generated Swagger spec
	"alcarbon/internal/httpx"
	"alcarbon/pact"
	"alcarbon/web"
)

// New returns the HTTP handler with every route of the service. This file
// is the whole API surface: read it first.
func New(o Options) *echo.Echo {
	s := &server{
		catalog: o.Catalog, cache: o.Cache, redisConfigured: o.RedisConfigured, store: o.Store,
		log: o.Logger, metrics: newMetrics(o.Registry), engines: enginesOf(o.Catalog), exactScope: exactScope(o.Catalog),
		limiter:      newKeyLimiter(o.RateLimit, o.RateBurst, o.SharedLimits),
		authFailures: httpx.NewSharedAuthFailures(o.SharedLimits),
		work:         newAdmission(o.Work, o.Registry), drain: o.Draining,
		bodyLimit: o.BodyLimit, jobs: o.Jobs, batchLimits: o.Batch.withDefaults(),
	}
	if s.bodyLimit <= 0 {
		s.bodyLimit = defaultBodyLimit
	}
	if s.jobs != nil {
		s.jobs.SetCompute(s.computeChunk)
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(s.log)
	// Client address, scheme and host: forwarding headers only from
	// trusted proxies.
	origin := &o.Origin
	e.IPExtractor, e.SchemeExtractor = origin.IPExtractor(), origin.SchemeExtractor()
	// Outermost first: the request id is set before anything logs; the
	// access log and metrics see the final status; recovery turns a panic
	// into an error the error handler answers as 500. The chain is built
	// once (composedOnce): echo would build it again for every request.
	global := []echo.MiddlewareFunc{
		origin.Middleware,
		requestIDMiddleware,
		accessLog(o.AccessLog),
		s.metrics.middleware,
		middleware.RecoverWithConfig(middleware.RecoverConfig{
			DisableStackAll: true, DisablePrintStack: true,
			LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
				s.log.Error("panic", "request_id", httpx.RequestID(c), "error", err.Error(), "stack", string(stack))
				return err
			},
		}),
		securityHeaders,
	}
	if len(o.CORSOrigins) > 0 {
		global = append(global, middleware.CORSWithConfig(middleware.CORSConfig{
			AllowOrigins:  o.CORSOrigins,
			AllowMethods:  []string{http.MethodGet, http.MethodPost, http.MethodDelete, http.MethodOptions},
			AllowHeaders:  []string{echo.HeaderContentType, echo.HeaderAuthorization, headerRequestID, "If-None-Match"},
			ExposeHeaders: []string{"ETag", "X-Cache", headerRequestID, "Link", echo.HeaderLocation},
		}))
	}
	// The cached calculations keep their gzip form in the cache; the
	// gzip middleware compresses everything else (see calculation below).
	cached := map[string]bool{}
	global = append(global, bodyLimitExcept(o.BodyLimit, "/v1/pv", "/v1/batches"), gzipExcept(cached))
	e.Use(composedOnce(global...))

	// Operations.
	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(o.Registry, promhttp.HandlerOpts{})))
	e.GET("/swagger/*", echoSwagger.WrapHandler)
	e.GET("/openapi.json", handleOpenAPI)
	// The web page (issue 9) and its files (≈ 136 kB as they are, ≈ 48 kB
	// gzipped).
	page := echo.WrapHandler(web.Handler())
	e.GET("/", page)
	e.GET("/static/*", page)
	if o.PProf {
		e.GET("/debug/pprof/*", echo.WrapHandler(http.HandlerFunc(pprof.Index)))
		e.GET("/debug/pprof/profile", echo.WrapHandler(http.HandlerFunc(pprof.Profile)))
		e.GET("/debug/pprof/trace", echo.WrapHandler(http.HandlerFunc(pprof.Trace)))
	}

	// Reference data.
	e.GET("/v1/datasets", s.handleDatasets)
	e.GET("/v1/grid-factors", s.handleGridFactors)
	e.GET("/v1/grid-factors/:region", s.handleGridFactorsRegion)
	e.GET("/v1/solar-sites", s.handleSolarSites)
	e.GET("/v1/products", s.handleProducts)

	// Calculations. Those answered through the cache (respondCached) are
	// registered with calculation, which also keeps them out of the gzip
	// middleware: writeCached sends their kept gzip form itself.
	calculation := func(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
		cached[path] = true
		e.POST(path, withMiddleware(h, m...)) // echo would apply m on every request
	}
	calculation("/v1/electricity", s.handleElectricity)
	calculation("/v1/pv", s.handlePV, middleware.BodyLimit(bodyLimitString(max(o.BodyLimit, pvBodyLimit))))
	calculation("/v1/footprints/primary", s.handlePrimaryFootprint)
	calculation("/v1/footprints/product", s.handleProductFootprint)
	e.POST("/v1/assessments/plant", s.handlePlantAssessment)
	calculation("/v1/scenarios/compare", s.handleCompareScenarios)
	calculation("/v1/scenarios/sweep", s.handleSweep)
	calculation("/v1/uncertainty", s.handleUncertainty)

	// Registry: writes need an API key; reads may carry one to see the
	// restricted declarations the key's organisation owns or buys.
	e.POST("/v1/declarations", s.handleCreateDeclaration, s.requireAPIKey)
	e.GET("/v1/declarations", s.handleListDeclarations, s.optionalAPIKey)
	e.GET("/v1/declarations/:id", s.handleGetDeclaration, s.optionalAPIKey)
	e.GET("/v1/declarations/:id/verify", s.handleVerifyDeclaration, s.optionalAPIKey)
	e.GET("/v1/declarations/:id/cbam", s.handleDeclarationCBAM, s.optionalAPIKey)
	e.GET("/v1/declarations/:id/cbam.xlsx", s.handleDeclarationCBAMFile, s.optionalAPIKey)
	e.GET("/v1/declarations/:id/ets", s.handleDeclarationETS, s.optionalAPIKey)
	e.GET("/v1/declarations/:id/pact", s.handleDeclarationPACT, s.optionalAPIKey)
	e.GET("/.well-known/alcarbon-registry-key", s.handleRegistryKey)

	// Batch footprints (issue 18): a template; files of up to 200 rows
	// answered at once (batch.go), larger ones run as jobs of the key's
	// organisation (batch_jobs.go). Reading a job is not rate limited:
	// clients poll it.
	e.GET("/v1/batches/template", s.handleBatchTemplate)
	e.POST("/v1/batches", s.handleBatch, s.requireAPIKey)
	e.GET("/v1/batches/:id", s.handleGetBatchJob, s.requireAPIKeyRead)
	e.GET("/v1/batches/:id/results", s.handleBatchJobResults, s.requireAPIKeyRead)
	e.DELETE("/v1/batches/:id", s.handleCancelBatchJob, s.requireAPIKey)

	// PACT v2 (Pathfinder) exchange (package pact): OAuth2 client
	// credentials at /auth/token, then bearer tokens; errors in OAuth2 and
	// PACT shapes. API keys and PACT clients share the throttle of failed
	// authentications.
	bodyLimit := o.BodyLimit
	if bodyLimit <= 0 {
		bodyLimit = defaultBodyLimit
	}
	p := pact.New(pact.Options{
		Store: o.Store, Logger: o.Logger, TokenSecret: o.TokenSecret, AuthFailures: s.authFailures,
		BodyLimit: bodyLimit, Responder: o.PACTResponder,
	})
	limit := middleware.BodyLimit(bodyLimitString(bodyLimit))
	e.Group("/auth", p.OAuthErrors, limit).POST("/token", p.HandleToken)
	e.GET("/.well-known/openid-configuration", p.HandleOpenIDConfiguration)
	v2 := e.Group("/2", p.Errors, limit, p.RequireToken)
	v2.GET("/footprints", p.HandleListFootprints)
	v2.GET("/footprints/:id", p.HandleGetFootprint)
	v2.POST("/events", p.HandleEvents)
	return e
}
