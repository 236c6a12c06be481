package httpx

import (
	"context"
	"math"
	"net/netip"
	"strconv"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"alcarbon/internal/ratelimit"
)

// AuthFailures throttles failed authentication per client address: after
// FailureBurst failures from an address, its further failures are
// answered 429 with Retry-After until its bucket refills at
// failuresPerSecond, which tells a misconfigured client to stop and keeps
// failure noise out of the logs. It does not slow a guesser who ignores
// the 429s: a valid credential is always checked and admitted (so failures
// sent from, or spoofed as, another client's address cannot lock that
// client out), and credentials are 256-bit random values that cannot be
// guessed. IPv6 addresses count by
// their /64, which one host usually owns.
//
// At most maxTrackedAddrs addresses are tracked. A new address takes the
// place of the least recently failing one only when that one's bucket has
// refilled (it holds no information); otherwise new addresses share one
// overflow bucket, so flooding with fresh addresses throttles the flood
// and cannot reset anyone's count. One AuthFailures serves API keys and
// PACT client credentials alike; it is safe for concurrent use.
//
// With a shared store (NewSharedAuthFailures) the buckets live in Redis,
// so every replica counts an address's failures together; Redis keys
// expire once a bucket has refilled, so it needs no table bound. While
// Redis fails the per-process buckets above count instead.
type AuthFailures struct {
	mu       sync.Mutex
	addrs    *lru.Cache[string, *rate.Limiter]
	overflow *rate.Limiter
	max      int
	shared   *ratelimit.Redis // nil: per process only
}

// FailureBurst is how many failed authentications an address may have in
// a row before it is throttled.
const FailureBurst = 20

const (
	failuresPerSecond = 1
	maxTrackedAddrs   = 100_000
)

// NewAuthFailures returns a per-process throttle that has seen no failure.
func NewAuthFailures() *AuthFailures { return newAuthFailures(maxTrackedAddrs) }

// NewSharedAuthFailures returns a throttle whose buckets are kept in
// shared (Redis) under the key "authfail:" and the address, falling back to
// per-process buckets while Redis fails; shared nil is NewAuthFailures.
func NewSharedAuthFailures(shared *ratelimit.Redis) *AuthFailures {
	a := newAuthFailures(maxTrackedAddrs)
	a.shared = shared
	return a
}

func newAuthFailures(max int) *AuthFailures {
	c, _ := lru.New[string, *rate.Limiter](max + 1) // only fails for a size ≤ 0
	return &AuthFailures{addrs: c, overflow: rate.NewLimiter(failuresPerSecond, FailureBurst), max: max}
}

// throttleKey is the bucket of an address: an IPv4 address, or an IPv6
// address's /64.
func throttleKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil || ip.Is4() || ip.Is4In6() {
		return addr
	}
	p, _ := ip.Prefix(64)
	return p.String()
}

// limiter returns the bucket of key (see AuthFailures for the overflow).
func (a *AuthFailures) limiter(key string) *rate.Limiter {
	a.mu.Lock()
	defer a.mu.Unlock()
	if l, ok := a.addrs.Get(key); ok {
		return l
	}
	if a.addrs.Len() >= a.max {
		if _, oldest, ok := a.addrs.GetOldest(); ok && oldest.Tokens() < FailureBurst {
			return a.overflow
		}
		a.addrs.RemoveOldest()
	}
	l := rate.NewLimiter(failuresPerSecond, FailureBurst)
	a.addrs.Add(key, l)
	return l
}

// Failed counts one failed authentication from addr and reports whether
// the address is now throttled and, if so, how long until it may fail
// again: the caller answers 429 with Retry-After instead of 401.
func (a *AuthFailures) Failed(ctx context.Context, addr string) (time.Duration, bool) {
	key := throttleKey(addr)
	if a.shared != nil {
		wait, allowed, err := a.shared.Take(ctx, "authfail:"+key, ratelimit.Limit{PerSecond: failuresPerSecond, Burst: FailureBurst})
		if err == nil {
			return wait, !allowed
		}
	}
	r := a.limiter(key).Reserve()
	if d := r.Delay(); d > 0 {
		r.Cancel() // a refused attempt does not lengthen the wait
		return d, true
	}
	return 0, false
}

// RetryAfter sets the Retry-After header to wait in whole seconds, at
// least 1, and returns them.
func RetryAfter(c echo.Context, wait time.Duration) int {
	secs := max(int(math.Ceil(wait.Seconds())), 1)
	c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	return secs
}
