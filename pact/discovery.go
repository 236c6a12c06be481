package pact

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"alcarbon/internal/httpx"
)

// OpenIDConfiguration is the discovery document a PACT client reads to find
// the token endpoint (PACT v2 § "Authentication flow", OpenID Connect
// Discovery 1.0 § 3): this host issues OAuth2 client-credentials tokens
// only, so only the properties that describe that are given.
type OpenIDConfiguration struct {
	Issuer                            string   `json:"issuer" example:"https://pact.alcarbon.example"`
	TokenEndpoint                     string   `json:"token_endpoint" example:"https://pact.alcarbon.example/auth/token"`
	GrantTypesSupported               []string `json:"grant_types_supported" example:"client_credentials"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported" example:"client_secret_basic"`
}

// HandleOpenIDConfiguration serves the OpenID Connect discovery document.
//
//	@Summary		PACT: OpenID Connect discovery
//	@Description	Where to get access tokens: token_endpoint is this host's /auth/token (OAuth2 client credentials, HTTP Basic). Absolute URLs use the public base URL (ALCARBON_PUBLIC_URL, or the request's scheme and host, forwarded headers only from trusted proxies).
//	@Tags			PACT
//	@Produce		json
//	@Success		200	{object}	OpenIDConfiguration
//	@Router			/.well-known/openid-configuration [get]
func (h *Handler) HandleOpenIDConfiguration(c echo.Context) error {
	u := httpx.PublicBase(c)
	base := u.String()
	return c.JSON(http.StatusOK, OpenIDConfiguration{
		Issuer: base, TokenEndpoint: base + "/auth/token",
		GrantTypesSupported: []string{"client_credentials"}, TokenEndpointAuthMethodsSupported: []string{"client_secret_basic"},
	})
}
