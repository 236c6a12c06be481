// Package ratelimit keeps rate limits in Redis, so that every replica of
// the service that uses the same Redis draws from the same buckets: three
// replicas allow what one does, not three times as much. The buckets are
// GCRA (generic cell rate algorithm, the token bucket's equivalent that
// stores one timestamp per key), run atomically in Redis by
// github.com/go-redis/redis_rate.
//
// Redis is a dependency the service must survive losing: when a call
// fails, Take says so and the caller decides with its own per-process
// bucket. Redis is then skipped for a cooldown, so a dead Redis costs
// requests nothing; the switch to per-process limits and back is logged
// once each way and visible in metrics.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// Limit is a token bucket: PerSecond events per second sustained, Burst at
// once.
type Limit struct {
	PerSecond float64 // > 0 [events/s]
	Burst     int     // ≥ 1 [events]
}

// ErrUnavailable is returned by Take when Redis failed or is being skipped
// after a failure: the caller applies its per-process limit instead.
var ErrUnavailable = errors.New("ratelimit: redis unavailable, limits are per process")

// Options configures NewRedis. Zero values take the defaults given.
type Options struct {
	// Prefix goes before every key (redis_rate adds "rate:" before it),
	// e.g. "alcarbon:".
	Prefix string
	// Timeout bounds each Redis call; default 50 ms (the cache's bound:
	// a rate check must not cost more than the response it guards).
	Timeout time.Duration
	// Cooldown is how long Redis is skipped after a failure before one
	// call probes it again; default 5 s.
	Cooldown   time.Duration
	Logger     *slog.Logger          // default slog.Default()
	Registerer prometheus.Registerer // metrics are registered here when non-nil
}

// Redis takes tokens from buckets kept in Redis. It is safe for
// concurrent use.
type Redis struct {
	lim      *redis_rate.Limiter
	prefix   string
	timeout  time.Duration
	cooldown time.Duration
	log      *slog.Logger

	mu        sync.Mutex
	downUntil time.Time // zero while Redis is in use
	probing   bool      // the one call after a cooldown is in flight

	fallbacks atomic.Int64 // decisions left to per-process buckets
}

// NewRedis returns a Redis over client; with o.Registerer set it registers
// alcarbon_rate_limit_fallbacks_total and alcarbon_rate_limit_shared, and
// fails if they are registered already.
func NewRedis(client redis.UniversalClient, o Options) (*Redis, error) {
	r := &Redis{
		lim: redis_rate.NewLimiter(client), prefix: o.Prefix,
		timeout: o.Timeout, cooldown: o.Cooldown, log: o.Logger,
	}
	if r.timeout <= 0 {
		r.timeout = 50 * time.Millisecond
	}
	if r.cooldown <= 0 {
		r.cooldown = 5 * time.Second
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	if o.Registerer != nil {
		for _, c := range []prometheus.Collector{
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "alcarbon_rate_limit_fallbacks_total",
				Help: "Rate-limit and failed-authentication decisions taken per process because Redis failed or was skipped after a failure.",
			}, func() float64 { return float64(r.fallbacks.Load()) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "alcarbon_rate_limit_shared",
				Help: "1 while rate limits are shared through Redis, 0 while they are per process after a Redis failure.",
			}, func() float64 {
				if r.Shared() {
					return 1
				}
				return 0
			}),
		} {
			if err := o.Registerer.Register(c); err != nil {
				return nil, fmt.Errorf("ratelimit: registering metrics: %w", err)
			}
		}
	}
	return r, nil
}

// Take takes one token from key's bucket at limit l. It returns whether
// the event is allowed and, if not, how long until it would be. When Redis
// fails or is skipped after a failure, the error wraps ErrUnavailable and
// the caller decides with its per-process bucket. A request whose own
// context ended is not held against Redis.
func (r *Redis) Take(ctx context.Context, key string, l Limit) (wait time.Duration, allowed bool, err error) {
	if !r.allow() {
		r.fallbacks.Add(1)
		return 0, false, ErrUnavailable
	}
	cctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	res, err := r.lim.Allow(cctx, r.prefix+key, gcra(l))
	if err != nil {
		r.fallbacks.Add(1)
		if ctx.Err() != nil { // the caller gave up, not Redis
			r.release()
			return 0, false, fmt.Errorf("%w: %w", ErrUnavailable, ctx.Err())
		}
		r.failure(err)
		return 0, false, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	r.success()
	if res.Allowed > 0 {
		return 0, true, nil
	}
	return max(res.RetryAfter, time.Millisecond), false, nil
}

// gcra expresses l in redis_rate's terms. Only Period/Rate (the emission
// interval) and Burst enter the algorithm, so a fractional rate is one
// event per 1/PerSecond seconds.
func gcra(l Limit) redis_rate.Limit {
	return redis_rate.Limit{Rate: 1, Burst: max(l.Burst, 1), Period: time.Duration(float64(time.Second) / l.PerSecond)}
}

// Shared reports whether Redis is in use (not skipped after a failure).
func (r *Redis) Shared() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.downUntil.IsZero()
}

// allow reports whether Redis may be called: always while it works, and
// once per cooldown after a failure (the probe).
func (r *Redis) allow() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.downUntil.IsZero() {
		return true
	}
	if r.probing || time.Now().Before(r.downUntil) {
		return false
	}
	r.probing = true
	return true
}

// release ends a probe that told nothing about Redis.
func (r *Redis) release() {
	r.mu.Lock()
	r.probing = false
	r.mu.Unlock()
}

func (r *Redis) success() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.probing = false
	if !r.downUntil.IsZero() {
		r.downUntil = time.Time{}
		r.log.Info("redis available again: rate limits and the failed-authentication throttle are shared again")
	}
}

func (r *Redis) failure(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	wasUp := r.downUntil.IsZero()
	r.probing = false
	r.downUntil = time.Now().Add(r.cooldown)
	if wasUp {
		r.log.Warn("redis unavailable: rate limits and the failed-authentication throttle are per process until it answers (retried every "+r.cooldown.String()+")",
			"error", err.Error())
	}
}
