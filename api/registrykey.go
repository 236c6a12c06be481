package api

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"

	"github.com/labstack/echo/v4"

	"alcarbon/internal/httpx"
)

// registryKeyResponse is the public key the registry signs its chain
// heads with.
type registryKeyResponse struct {
	Algorithm string `json:"algorithm" example:"Ed25519"`
	// PublicKey is the raw 32-byte Ed25519 public key, standard base64; `alcarbon registry verify --public-key` takes it.
	PublicKey string `json:"public_key" example:"MCowBQYDK2VwAyEA…"`
	// PEM is the same key as a PEM "PUBLIC KEY" (SubjectPublicKeyInfo).
	PEM string `json:"pem"`
	// Signed names what each signature signs.
	Signed string `json:"signed" example:"alcarbon registry chain head\\n{seq}\\n{chain_hash}"`
}

// handleRegistryKey serves the registry's chain signing public key.
//
//	@Summary		Registry signing key
//	@Description	The Ed25519 public key that signs each new head of the registry's hash chain (set by ALCARBON_REGISTRY_SIGNING_KEY). With it, `alcarbon registry verify --public-key` detects a chain rewritten by someone with database access. 404 when the registry does not sign.
//	@Tags			registry
//	@Produce		json
//	@Success		200	{object}	registryKeyResponse
//	@Failure		404	{object}	Problem	"the registry does not sign its chain"
//	@Failure		503	{object}	Problem	"registry unavailable"
//	@Router			/.well-known/alcarbon-registry-key [get]
func (s *server) handleRegistryKey(c echo.Context) error {
	if s.store == nil {
		return httpx.ErrNoRegistry
	}
	pub := s.store.SigningPublicKey()
	if pub == nil {
		return problem(http.StatusNotFound, "this registry does not sign its hash chain (ALCARBON_REGISTRY_SIGNING_KEY is not set)")
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, registryKeyResponse{
		Algorithm: "Ed25519",
		PublicKey: base64.StdEncoding.EncodeToString(pub),
		PEM:       string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})),
		Signed:    "alcarbon registry chain head\n{seq}\n{chain_hash}",
	})
}
