package api

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"alcarbon/registry"
)

// ctxViewer holds the registry.Organisation a request authenticated as.
const ctxViewer = "viewer"

// Defaults of Options.RateLimit and Options.RateBurst (as config's).
const (
	defaultRateLimit = 10
	defaultRateBurst = 20
)

// errNoRegistry stands for a registry that failed to open at start.
var errNoRegistry = fmt.Errorf("registry not opened at start: %w", registry.ErrUnavailable)

// viewer returns the organisation the request authenticated as, if any.
func viewer(c echo.Context) (registry.Organisation, bool) {
	org, ok := c.Get(ctxViewer).(registry.Organisation)
	return org, ok
}

// viewerID returns the authenticated organisation's ID, "" for anonymous.
func viewerID(c echo.Context) string {
	org, _ := viewer(c)
	return org.ID
}

// bearer returns the token of an "Authorization: Bearer <token>" header.
// present is false without an Authorization header; ok is false when the
// header is there but not a bearer token (RFC 6750 §2.1; the scheme is
// case-insensitive).
func bearer(r *http.Request) (token string, present, ok bool) {
	h := r.Header.Get(echo.HeaderAuthorization)
	if h == "" {
		return "", false, false
	}
	scheme, token, found := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if !found || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", true, false
	}
	return token, true, true
}

// unauthorized is the 401 for a missing or wrong API key, with the
// challenge of RFC 6750 §3.
func unauthorized(c echo.Context, detail string, invalidToken bool) error {
	challenge := `Bearer realm="alcarbon"`
	if invalidToken {
		challenge += `, error="invalid_token"`
	}
	c.Response().Header().Set(echo.HeaderWWWAuthenticate, challenge)
	return problem(http.StatusUnauthorized, detail)
}

// authenticate checks the request's API key, if any, and records the
// organisation as the viewer. A key that is sent must be valid even where
// none is required, so that a buyer with a mistyped key is told rather
// than silently served the public view.
func (s *server) authenticate(c echo.Context, required bool) error {
	token, present, ok := bearer(c.Request())
	switch {
	case !present && !required:
		return nil
	case !present:
		return unauthorized(c, "this endpoint needs an API key: send the header Authorization: Bearer followed by the key (keys are created with `alcarbon keys create --org NAME`)", false)
	case !ok:
		return unauthorized(c, "the Authorization header must be Bearer followed by an API key", true)
	}
	if s.store == nil {
		return errNoRegistry
	}
	if wait, blocked := s.authFailures.blocked(c.RealIP()); blocked {
		return tooManyFailures(c, wait)
	}
	org, err := s.store.AuthenticateAPIKey(c.Request().Context(), token)
	if errors.Is(err, registry.ErrNotFound) {
		s.authFailures.failed(c.RealIP())
		return unauthorized(c, "the API key is unknown or revoked", true)
	}
	if err != nil {
		return err
	}
	c.Set(ctxViewer, org)
	return nil
}

// requireAPIKey admits requests with a valid API key and applies the
// key's write rate limit.
func (s *server) requireAPIKey(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.authenticate(c, true); err != nil {
			return err
		}
		token, _, _ := bearer(c.Request())
		if wait, ok := s.limiter.allow(keyID(token)); !ok {
			secs := int(math.Ceil(wait.Seconds()))
			c.Response().Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
			return problem(http.StatusTooManyRequests, fmt.Sprintf("this API key's write rate limit is reached; retry after %d s", max(secs, 1)))
		}
		return next(c)
	}
}

// optionalAPIKey identifies the viewer when the request carries an API key;
// without one the request is anonymous.
func (s *server) optionalAPIKey(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.authenticate(c, false); err != nil {
			return err
		}
		return next(c)
	}
}

// keyID returns what identifies an authenticated key for rate limiting:
// its SHA-256, so the limiter never holds a key in clear.
func keyID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return string(sum[:])
}

// keyLimiter is a token bucket per API key (golang.org/x/time/rate).
type keyLimiter struct {
	limit rate.Limit
	burst int
	mu    sync.Mutex
	keys  map[string]*rate.Limiter
}

func newKeyLimiter(perSecond float64, burst int) *keyLimiter {
	if perSecond <= 0 {
		perSecond = defaultRateLimit
	}
	if burst <= 0 {
		burst = defaultRateBurst
	}
	return &keyLimiter{limit: rate.Limit(perSecond), burst: burst, keys: map[string]*rate.Limiter{}}
}

// allow takes a token from key's bucket; when it is empty it returns false
// and how long until the next token.
func (k *keyLimiter) allow(key string) (time.Duration, bool) {
	k.mu.Lock()
	l, ok := k.keys[key]
	if !ok {
		l = rate.NewLimiter(k.limit, k.burst)
		k.keys[key] = l
	}
	k.mu.Unlock()
	r := l.Reserve()
	if d := r.Delay(); d > 0 {
		r.Cancel()
		return d, false
	}
	return 0, true
}

// PACT access tokens.

// tokenTTL is the lifetime of a PACT access token (expires_in).
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
// expires after tokenTTL. Nothing is stored, so tokens cannot be revoked
// one by one: they expire, and a new secret (a restart, without a
// configured one) invalidates them all.
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

// authFailures throttles failed authentication per client address, so
// guessing keys or PACT secrets costs the guesser time, not the database
// queries: after failureBurst failures an address gets 429 until its
// bucket refills at failuresPerSecond.
type authFailures struct {
	mu    sync.Mutex
	addrs map[string]*rate.Limiter
}

const (
	failuresPerSecond = 1
	failureBurst      = 20
	maxTrackedAddrs   = 100_000
)

func newAuthFailures() *authFailures {
	return &authFailures{addrs: map[string]*rate.Limiter{}}
}

func (a *authFailures) limiter(addr string) *rate.Limiter {
	a.mu.Lock()
	defer a.mu.Unlock()
	l, ok := a.addrs[addr]
	if !ok {
		if len(a.addrs) >= maxTrackedAddrs {
			a.addrs = map[string]*rate.Limiter{} // forget all rather than grow without bound
		}
		l = rate.NewLimiter(failuresPerSecond, failureBurst)
		a.addrs[addr] = l
	}
	return l
}

// blocked reports whether addr has used up its failures and, if so, how
// long until it may try again.
func (a *authFailures) blocked(addr string) (time.Duration, bool) {
	l := a.limiter(addr)
	if l.Tokens() >= 1 {
		return 0, false
	}
	r := l.Reserve()
	d := r.Delay()
	r.Cancel()
	return d, true
}

// failed counts one failed authentication from addr.
func (a *authFailures) failed(addr string) {
	a.limiter(addr).Allow()
}

// tooManyFailures answers 429 with Retry-After for a throttled address.
func tooManyFailures(c echo.Context, wait time.Duration) error {
	secs := max(int(math.Ceil(wait.Seconds())), 1)
	c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	return problem(http.StatusTooManyRequests, fmt.Sprintf("too many failed authentications from this address; retry after %d s", secs))
}
