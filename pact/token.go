package pact

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"alcarbon/internal/httpx"
	"alcarbon/registry"
)

// Action Authenticate: OAuth2 client credentials (RFC 6749 §4.4) at
// /auth/token, answered with stateless signed access tokens.

// tokenTTL is the lifetime of an access token (expires_in).
const tokenTTL = time.Hour

var (
	errTokenInvalid = errors.New("invalid access token")
	errTokenExpired = errors.New("access token expired")
)

// tokenSigner issues and checks stateless PACT access tokens:
//
//	"v1." + base64url(JSON {"org", "cid", "exp"}) + "." + base64url(HMAC-SHA256(secret, everything before the second dot))
//
// A token names the organisation of the PACT client it was issued to and
// expires after tokenTTL. Nothing is stored per token, so tokens cannot be
// revoked one by one: they expire, their client's revocation refuses them
// (RequireToken), and a new secret invalidates them all. Without a
// configured secret the registry keeps one (Handler.signer), shared by
// replicas and across restarts.
type tokenSigner struct {
	secret []byte
	now    func() time.Time
}

type tokenClaims struct {
	OrgID    string `json:"org"`
	ClientID string `json:"cid"`
	Expires  int64  `json:"exp"` // Unix seconds
}

func newTokenSigner(secret []byte) *tokenSigner {
	if len(secret) == 0 {
		secret = make([]byte, 32)
		_, _ = rand.Read(secret)
	}
	return &tokenSigner{secret: secret, now: time.Now}
}

func (t *tokenSigner) sign(payload string) string {
	m := hmac.New(sha256.New, t.secret)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// issue returns a token for the organisation's client.
func (t *tokenSigner) issue(orgID, clientID string) string {
	claims, _ := json.Marshal(tokenClaims{OrgID: orgID, ClientID: clientID, Expires: t.now().Add(tokenTTL).Unix()})
	payload := "v1." + base64.RawURLEncoding.EncodeToString(claims)
	return payload + "." + t.sign(payload)
}

// verify returns the token's claims; errTokenInvalid if it is malformed or
// not signed with this secret, errTokenExpired if it is past its time.
func (t *tokenSigner) verify(token string) (tokenClaims, error) {
	i := strings.LastIndexByte(token, '.')
	if i < 0 || !strings.HasPrefix(token, "v1.") {
		return tokenClaims{}, errTokenInvalid
	}
	payload, sig := token[:i], token[i+1:]
	if !hmac.Equal([]byte(sig), []byte(t.sign(payload))) {
		return tokenClaims{}, errTokenInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(payload, "v1."))
	if err != nil {
		return tokenClaims{}, errTokenInvalid
	}
	var claims tokenClaims
	if err := json.Unmarshal(raw, &claims); err != nil || claims.OrgID == "" {
		return tokenClaims{}, errTokenInvalid
	}
	if t.now().Unix() >= claims.Expires {
		return tokenClaims{}, errTokenExpired
	}
	return claims, nil
}

// OAuthError is an RFC 6749 §5.2 error response.
type OAuthError struct {
	status      int
	Error       string `json:"error" example:"invalid_client"`
	Description string `json:"error_description,omitempty" example:"Authentication failed"`
}

// oauthErrorErr carries an OAuthError through echo's error return.
type oauthErrorErr struct{ *OAuthError }

func (e *oauthErrorErr) Error() string { return e.OAuthError.Error }

// OAuthErrors answers errors under /auth in the RFC 6749 §5.2 shape.
func (h *Handler) OAuthErrors(next echo.HandlerFunc) echo.HandlerFunc {
	return answerErrors(h.answerOAuthError)(next)
}

func (h *Handler) answerOAuthError(c echo.Context, err error) error {
	var (
		oe  *OAuthError
		oee *oauthErrorErr
		he  *echo.HTTPError
	)
	switch {
	case errors.As(err, &oee):
		oe = oee.OAuthError
	case errors.Is(err, registry.ErrUnavailable):
		h.logFailure(c, err)
		c.Response().Header().Set("Retry-After", "5")
		oe = &OAuthError{status: http.StatusServiceUnavailable, Error: "temporarily_unavailable", Description: "the registry is unavailable; retry later"}
	case errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge:
		oe = &OAuthError{status: http.StatusBadRequest, Error: "invalid_request", Description: httpx.BodyTooLarge(h.bodyLimit)}
	case errors.As(err, &he) && he.Code < 500:
		oe = &OAuthError{status: http.StatusBadRequest, Error: "invalid_request", Description: "POST a client_credentials grant to /auth/token"}
	default:
		h.logFailure(c, err)
		oe = &OAuthError{status: http.StatusInternalServerError, Error: "server_error"}
	}
	noStore(c)
	return c.JSON(oe.status, oe)
}

// noStore forbids caching the answer (RFC 6749 §5.1).
func noStore(c echo.Context) {
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
}

// TokenResponse is an RFC 6749 §4.4.3 access token response.
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type" example:"bearer"`
	// ExpiresIn is the token's lifetime [s].
	ExpiresIn int `json:"expires_in" example:"3600"`
}

// HandleToken issues an access token for OAuth2 client credentials.
//
//	@Summary		PACT: access token (OAuth2 client credentials)
//	@Description	RFC 6749 §4.4: HTTP Basic with the client ID and secret from `alcarbon pact-clients create`, form body grant_type=client_credentials. The token is an HMAC-SHA256-signed bearer token valid for expires_in seconds. Errors are RFC 6749 §5.2 objects: invalid_client (401, with WWW-Authenticate: Basic), invalid_request or unsupported_grant_type (400).
//	@Tags			PACT
//	@Accept			x-www-form-urlencoded
//	@Produce		json
//	@Param			grant_type	formData	string	true	"client_credentials"
//	@Success		200			{object}	TokenResponse
//	@Failure		400			{object}	OAuthError
//	@Failure		401			{object}	OAuthError
//	@Failure		503			{object}	OAuthError
//	@Router			/auth/token [post]
func (h *Handler) HandleToken(c echo.Context) error {
	fail := func(status int, code, description string) error {
		return &oauthErrorErr{&OAuthError{status: status, Error: code, Description: description}}
	}
	id, secret, ok := c.Request().BasicAuth()
	if !ok {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Basic realm="alcarbon"`)
		return fail(http.StatusUnauthorized, "invalid_client", "authenticate with HTTP Basic: client ID and secret")
	}
	// RFC 6749 §2.3.1: both are form-urlencoded before Basic encoding.
	if v, err := url.QueryUnescape(id); err == nil {
		id = v
	}
	if v, err := url.QueryUnescape(secret); err == nil {
		secret = v
	}
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if mt != echo.MIMEApplicationForm {
		return fail(http.StatusBadRequest, "invalid_request", "send the body as application/x-www-form-urlencoded")
	}
	if err := c.Request().ParseForm(); err != nil {
		return fail(http.StatusBadRequest, "invalid_request", "the form body could not be read")
	}
	switch grant := c.Request().PostForm.Get("grant_type"); grant {
	case "client_credentials":
	case "":
		return fail(http.StatusBadRequest, "invalid_request", "grant_type is required: client_credentials")
	default:
		return fail(http.StatusBadRequest, "unsupported_grant_type", "only grant_type=client_credentials is supported")
	}
	if h.store == nil {
		return httpx.ErrNoRegistry
	}
	org, err := h.store.AuthenticatePACTClient(c.Request().Context(), id, secret)
	if errors.Is(err, registry.ErrNotFound) {
		if wait, throttled := h.authFailures.Failed(c.Request().Context(), c.RealIP()); throttled {
			httpx.RetryAfter(c, wait)
			return fail(http.StatusTooManyRequests, "slow_down", "too many failed authentications from this address")
		}
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Basic realm="alcarbon"`)
		return fail(http.StatusUnauthorized, "invalid_client", "Authentication failed")
	}
	if err != nil {
		return err
	}
	tokens, err := h.signer(c.Request().Context())
	if err != nil {
		return err
	}
	noStore(c)
	return c.JSON(http.StatusOK, TokenResponse{
		AccessToken: tokens.issue(org.ID, id), TokenType: "bearer", ExpiresIn: int(tokenTTL.Seconds()),
	})
}
