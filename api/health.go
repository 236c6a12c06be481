package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// healthResponse says the process is alive.
type healthResponse struct {
	Status string `json:"status" example:"ok"`
}

// handleHealthz answers while the process is alive.
//
//	@Summary	Liveness
//	@Tags		operations
//	@Produce	json
//	@Success	200	{object}	healthResponse
//	@Router		/healthz [get]
func (s *server) handleHealthz(c echo.Context) error {
	return c.JSON(http.StatusOK, healthResponse{Status: "ok"})
}

// dependencyState is one dependency's state.
type dependencyState struct {
	Name     string `json:"name" example:"redis"`
	State    string `json:"state" enums:"up,down,bypassed,not_configured" example:"up"`
	Required bool   `json:"required"`
	Detail   string `json:"detail,omitempty"`
}

// readyResponse lists the service's dependencies.
type readyResponse struct {
	Status       string            `json:"status" enums:"ready,draining" example:"ready"`
	Dataset      string            `json:"dataset" example:"2026.1"`
	Dependencies []dependencyState `json:"dependencies"`
}

// handleReadyz reports readiness: ready once the dataset is loaded, until
// shutdown starts (Options.Draining), from when it answers 503 "draining"
// so load balancers send new requests elsewhere while this process still
// serves. The cache never makes the service unready (it is bypassed when
// Redis fails), and a registry outage only affects the registry endpoints,
// so both are reported but not required.
//
//	@Summary		Readiness
//	@Description	Ready when the dataset is loaded. Each dependency's state is listed; Redis and the registry database are reported but never make the service unready (calculations keep working without them). From SIGTERM on, 503 with status draining: requests are still served for ALCARBON_SHUTDOWN_DRAIN, then the process stops accepting.
//	@Tags			operations
//	@Produce		json
//	@Success		200	{object}	readyResponse
//	@Failure		503	{object}	readyResponse
//	@Router			/readyz [get]
func (s *server) handleReadyz(c echo.Context) error {
	// The dataset is embedded and loaded before the server starts, so a
	// running server is ready until shutdown starts; the dependencies are
	// informative.
	status, code := "ready", http.StatusOK
	if s.draining() {
		status, code = "draining", http.StatusServiceUnavailable
	}
	out := readyResponse{Status: status}
	out.Dataset = s.catalog.Default().Version()
	out.Dependencies = append(out.Dependencies, dependencyState{Name: "dataset", State: "up", Required: true, Detail: out.Dataset})
	cacheState := dependencyState{Name: "redis", State: "not_configured"}
	if s.redisConfigured {
		cacheState.State = "up"
		switch {
		case !s.cache.RedisHealthy():
			cacheState.State = "bypassed"
			cacheState.Detail = "Redis errors; the in-process cache answers alone until Redis recovers"
		case s.cache.PingRedis(c.Request().Context()) != nil:
			cacheState.State = "down"
			cacheState.Detail = "Redis does not answer; the in-process cache answers alone"
		}
	}
	out.Dependencies = append(out.Dependencies, cacheState)
	dbState := dependencyState{Name: "registry", State: "not_configured"}
	if s.store != nil {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		dbState.State = "up"
		if err := s.store.Ping(ctx); err != nil {
			dbState.State = "down"
			dbState.Detail = "registry database unreachable; registry endpoints answer 503"
		}
	}
	out.Dependencies = append(out.Dependencies, dbState)
	return c.JSON(code, out)
}

// draining reports whether shutdown has started.
func (s *server) draining() bool {
	select {
	case <-s.drain:
		return true
	default:
		return false
	}
}
