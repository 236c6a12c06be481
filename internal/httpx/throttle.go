package httpx

import (
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"
)

// AuthFailures throttles failed authentication per client address, so
// guessing keys or PACT secrets costs the guesser time, not the database
// queries: after FailureBurst failures an address is refused until its
// bucket refills at failuresPerSecond. One AuthFailures serves API keys
// and PACT client credentials alike. It is safe for concurrent use.
type AuthFailures struct {
	mu    sync.Mutex
	addrs map[string]*rate.Limiter
}

// FailureBurst is how many failed authentications an address may have in
// a row before it is throttled.
const FailureBurst = 20

const (
	failuresPerSecond = 1
	maxTrackedAddrs   = 100_000
)

// NewAuthFailures returns a throttle that has seen no failure.
func NewAuthFailures() *AuthFailures {
	return &AuthFailures{addrs: map[string]*rate.Limiter{}}
}

func (a *AuthFailures) limiter(addr string) *rate.Limiter {
	a.mu.Lock()
	defer a.mu.Unlock()
	l, ok := a.addrs[addr]
	if !ok {
		if len(a.addrs) >= maxTrackedAddrs {
			a.addrs = map[string]*rate.Limiter{} // forget all rather than grow without bound
		}
		l = rate.NewLimiter(failuresPerSecond, FailureBurst)
		a.addrs[addr] = l
	}
	return l
}

// Blocked reports whether addr has used up its failures and, if so, how
// long until it may try again.
func (a *AuthFailures) Blocked(addr string) (time.Duration, bool) {
	l := a.limiter(addr)
	if l.Tokens() >= 1 {
		return 0, false
	}
	r := l.Reserve()
	d := r.Delay()
	r.Cancel()
	return d, true
}

// Failed counts one failed authentication from addr.
func (a *AuthFailures) Failed(addr string) {
	a.limiter(addr).Allow()
}

// RetryAfter sets the Retry-After header to wait in whole seconds, at
// least 1, and returns them.
func RetryAfter(c echo.Context, wait time.Duration) int {
	secs := max(int(math.Ceil(wait.Seconds())), 1)
	c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	return secs
}
