package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"alcarbon/docs"
)

// handleOpenAPI serves the OpenAPI 3.1 description, docs/openapi.json
// (converted from the Swagger 2.0 one by `make docs`).
//
//	@Summary		OpenAPI 3.1 description
//	@Description	This API described in OpenAPI 3.1, generated from the same annotations as the Swagger 2.0 document at /swagger/doc.json, with the same paths. Feed it to client generators and API gateways.
//	@Tags			operations
//	@Produce		json
//	@Success		200	{object}	object	"OpenAPI 3.1 document"
//	@Router			/openapi.json [get]
func handleOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, docs.OpenAPI)
}

// metricsDoc only documents GET /metrics, which promhttp serves (routes.go).
//
//	@Summary		Prometheus metrics
//	@Description	Prometheus text exposition format: alcarbon_http_requests_total, alcarbon_http_request_duration_seconds and alcarbon_http_requests_in_flight by route, method and status; the cache's hits, misses and Redis errors; Go runtime and process collectors.
//	@Tags			operations
//	@Produce		plain
//	@Success		200	{string}	string	"metrics in the Prometheus text format (text/plain; version=0.0.4)"
//	@Router			/metrics [get]
func metricsDoc() {}

var _ = metricsDoc // documentation only
