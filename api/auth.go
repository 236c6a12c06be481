package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"alcarbon/internal/httpx"
	"alcarbon/internal/ratelimit"
	"alcarbon/registry"
)

// Defaults of Options.RateLimit and Options.RateBurst (as config's).
const (
	defaultRateLimit = 10
	defaultRateBurst = 20
)

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
	token, present, ok := httpx.Bearer(c.Request())
	switch {
	case !present && !required:
		return nil
	case !present:
		return unauthorized(c, "this endpoint needs an API key: send the header Authorization: Bearer followed by the key (keys are created with `alcarbon keys create --org NAME`)", false)
	case !ok:
		return unauthorized(c, "the Authorization header must be Bearer followed by an API key", true)
	}
	if s.store == nil {
		return httpx.ErrNoRegistry
	}
	org, err := s.store.AuthenticateAPIKey(c.Request().Context(), token)
	if errors.Is(err, registry.ErrNotFound) {
		if wait, throttled := s.authFailures.Failed(c.Request().Context(), c.RealIP()); throttled {
			return tooManyFailures(c, wait)
		}
		return unauthorized(c, "the API key is unknown or revoked", true)
	}
	if err != nil {
		return err
	}
	httpx.SetViewer(c, org)
	return nil
}

// requireAPIKey admits requests with a valid API key and applies the
// key's write rate limit.
func (s *server) requireAPIKey(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.authenticate(c, true); err != nil {
			return err
		}
		token, _, _ := httpx.Bearer(c.Request())
		if wait, ok := s.limiter.allow(c.Request().Context(), keyID(token)); !ok {
			secs := httpx.RetryAfter(c, wait)
			return problem(http.StatusTooManyRequests, fmt.Sprintf("this API key's write rate limit is reached; retry after %d s", secs))
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
// its SHA-256 in hex, so the limiter (and Redis) never holds a key in clear.
func keyID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// keyLimiter is a token bucket per API key: in Redis when shared is set
// (every replica draws from the same bucket), else, or while Redis fails,
// in this process (golang.org/x/time/rate).
type keyLimiter struct {
	limit  rate.Limit
	burst  int
	shared *ratelimit.Redis // nil: per process only
	mu     sync.Mutex
	keys   map[string]*rate.Limiter
}

func newKeyLimiter(perSecond float64, burst int, shared *ratelimit.Redis) *keyLimiter {
	if perSecond <= 0 {
		perSecond = defaultRateLimit
	}
	if burst <= 0 {
		burst = defaultRateBurst
	}
	return &keyLimiter{limit: rate.Limit(perSecond), burst: burst, shared: shared, keys: map[string]*rate.Limiter{}}
}

// allow takes a token from key's bucket; when it is empty it returns false
// and how long until the next token.
func (k *keyLimiter) allow(ctx context.Context, key string) (time.Duration, bool) {
	if k.shared != nil {
		wait, ok, err := k.shared.Take(ctx, "write:"+key, ratelimit.Limit{PerSecond: float64(k.limit), Burst: k.burst})
		if err == nil {
			return wait, ok
		}
	}
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

// tooManyFailures answers 429 with Retry-After for a throttled address.
func tooManyFailures(c echo.Context, wait time.Duration) error {
	secs := httpx.RetryAfter(c, wait)
	return problem(http.StatusTooManyRequests, fmt.Sprintf("too many failed authentications from this address; retry after %d s", secs))
}
