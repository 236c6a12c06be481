// Package pact implements the PACT Technical Specifications for PCF Data
// Exchange, version 2 (data model v2.3.0, API of v2.2/v2.3; wbcsd/data-exchange-protocol)
// over alcarbon's declaration registry: Action Authenticate (POST
// /auth/token, token.go), ListFootprints and GetFootprint (GET
// /2/footprints and /2/footprints/{id}, footprints.go), Events (POST
// /2/events, events.go), the ProductFootprint data model and the mapping of
// declarations to it (footprint.go, attribution.go), and the answers to
// footprint request events sent to partners (responder.go).
//
// The package has the handlers and their middleware; package api mounts
// them (api/routes.go lists every route).
package pact

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"

	"github.com/labstack/echo/v4"

	"alcarbon/internal/httpx"
	"alcarbon/registry"
)

// Options are a Handler's dependencies.
type Options struct {
	// Store is the declaration registry; nil: the endpoints answer that it
	// is unavailable.
	Store  registry.Store
	Logger *slog.Logger // nil: slog.Default()
	// TokenSecret signs access tokens (HMAC-SHA256). Empty: the
	// registry's (Store.PACTTokenSecret), read at the first token request,
	// so every replica sharing the registry accepts the others' tokens and
	// tokens outlive a restart; with no Store either, a random 32-byte
	// secret, so tokens do not outlive the Handler.
	TokenSecret []byte
	// AuthFailures throttles failed client authentication per address;
	// share the one that throttles other credentials. nil: a new one.
	AuthFailures *httpx.AuthFailures
	// BodyLimit is the request body limit [bytes] that the error
	// responses to an oversize body name.
	BodyLimit int64
	// Responder answers footprint request events; nil: they are looked up
	// and logged but not answered.
	Responder *Responder
}

// Handler serves the PACT endpoints. Its methods are echo handlers and
// middleware; it is safe for concurrent use.
type Handler struct {
	store registry.Store
	log   *slog.Logger
	// tokens signs and checks access tokens; nil until the registry's
	// secret has been read (signer).
	tokens       atomic.Pointer[tokenSigner]
	authFailures *httpx.AuthFailures
	bodyLimit    int64
	answers      *Responder // nil: footprint requests are not answered
}

// New returns a Handler.
func New(o Options) *Handler {
	h := &Handler{
		store: o.Store, log: o.Logger,
		authFailures: o.AuthFailures, bodyLimit: o.BodyLimit, answers: o.Responder,
	}
	if len(o.TokenSecret) > 0 || o.Store == nil {
		h.tokens.Store(newTokenSigner(o.TokenSecret))
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.authFailures == nil {
		h.authFailures = httpx.NewAuthFailures()
	}
	return h
}

// signer returns the access-token signer: of the configured secret, or of
// the registry's, read on first use. While the registry is unavailable the
// error wraps registry.ErrUnavailable (503) and the next request tries
// again; once read, the secret is kept for the Handler's life.
func (h *Handler) signer(ctx context.Context) (*tokenSigner, error) {
	if t := h.tokens.Load(); t != nil {
		return t, nil
	}
	secret, err := h.store.PACTTokenSecret(ctx)
	if err != nil {
		return nil, err
	}
	h.tokens.CompareAndSwap(nil, newTokenSigner(secret)) // concurrent readers got the same secret
	return h.tokens.Load(), nil
}

// Error is a PACT error response (spec § "Error responses").
type Error struct {
	status  int
	Code    string `json:"code" example:"AccessDenied"`
	Message string `json:"message" example:"Access denied"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func pactErr(status int, code, message string) *Error {
	return &Error{status: status, Code: code, Message: message}
}

// logFailure logs an error answered with a 5xx.
func (h *Handler) logFailure(c echo.Context, err error) {
	h.log.Error("request failed", "request_id", httpx.RequestID(c), "path", c.Request().URL.Path, "error", err.Error())
}

// answerErrors returns middleware that answers the errors of the handler
// after it with answer, unless the response has been sent.
func answerErrors(answer func(echo.Context, error) error) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			if err == nil || c.Response().Committed {
				return err
			}
			return answer(c, err)
		}
	}
}

// Errors answers every error under /2 with a PACT error body instead of
// problem+json; unknown actions are NotImplemented.
func (h *Handler) Errors(next echo.HandlerFunc) echo.HandlerFunc {
	return answerErrors(h.answerPACTError)(next)
}

func (h *Handler) answerPACTError(c echo.Context, err error) error {
	var (
		pe *Error
		he *echo.HTTPError
	)
	switch {
	case errors.As(err, &pe):
	case errors.Is(err, registry.ErrUnavailable):
		h.logFailure(c, err)
		c.Response().Header().Set("Retry-After", "5")
		pe = pactErr(http.StatusServiceUnavailable, "InternalError", "the footprint registry is unavailable; retry later")
	case errors.Is(err, registry.ErrNotFound):
		pe = pactErr(http.StatusNotFound, "NoSuchFootprint", "The specified footprint does not exist.")
	case errors.Is(err, registry.ErrInvalid):
		pe = pactErr(http.StatusBadRequest, "BadRequest", err.Error())
	case errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge:
		// PACT has no code for it; BadRequest is its generic 400.
		pe = pactErr(http.StatusBadRequest, "BadRequest", httpx.BodyTooLarge(h.bodyLimit))
	case errors.As(err, &he) && (he.Code == http.StatusNotFound || he.Code == http.StatusMethodNotAllowed):
		pe = pactErr(http.StatusBadRequest, "NotImplemented", "The specified Action or header you provided implies functionality that is not implemented")
	case errors.As(err, &he) && he.Code < 500:
		pe = pactErr(http.StatusBadRequest, "BadRequest", "Bad Request")
	default:
		h.logFailure(c, err)
		pe = pactErr(http.StatusInternalServerError, "InternalError", "An internal or unexpected error has occurred")
	}
	return c.JSON(pe.status, pe)
}

// RequireToken admits requests with a valid access token from
// /auth/token, and answers token problems as the PACT conformance tool
// checks them (cases 6, 7 and 16: 400 or 401, code BadRequest):
//   - no Authorization header: 401 with the Bearer challenge (RFC 6750
//     §3) and code BadRequest (PACT v2.3 has no code of its own for it);
//   - a header that is not a bearer token: 400 BadRequest;
//   - a token that is not one of this host's (malformed, forged, signed
//     with another secret): 401, WWW-Authenticate error="invalid_token",
//     code BadRequest;
//   - an expired token: 401 TokenExpired;
//   - a valid token whose client was revoked: 403 AccessDenied.
//
// The token's organisation becomes the viewer.
func (h *Handler) RequireToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token, present, ok := httpx.Bearer(c.Request())
		switch {
		case !present:
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="PACT"`)
			return pactErr(http.StatusUnauthorized, "BadRequest", "send Authorization: Bearer followed by an access token from /auth/token")
		case !ok:
			return pactErr(http.StatusBadRequest, "BadRequest", "the Authorization header must be Bearer followed by an access token")
		}
		tokens, err := h.signer(c.Request().Context())
		if err != nil {
			return err
		}
		claims, err := tokens.verify(token)
		switch {
		case errors.Is(err, errTokenExpired):
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer error="invalid_token", error_description="The access token expired"`)
			return pactErr(http.StatusUnauthorized, "TokenExpired", "The specified access token has expired")
		case err != nil:
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer error="invalid_token", error_description="The access token is not valid"`)
			return pactErr(http.StatusUnauthorized, "BadRequest", "the access token is not valid: get one from /auth/token")
		}
		// A token outlives nothing its client: a revoked client's tokens
		// are refused at once.
		if h.store == nil {
			return httpx.ErrNoRegistry
		}
		if err := h.store.PACTClientActive(c.Request().Context(), claims.ClientID); errors.Is(err, registry.ErrNotFound) {
			return pactErr(http.StatusForbidden, "AccessDenied", "Access denied: the token's client was revoked")
		} else if err != nil {
			return err
		}
		httpx.SetViewer(c, registry.Organisation{ID: claims.OrgID})
		return next(c)
	}
}
