// Package cache puts a two-tier cache in front of a computation: an in-process
// LRU first, then Redis, and the computation itself only on a miss in both.
//
// Redis is an optimisation, never a dependency: its errors and slowness are
// absorbed (short per-command timeouts, then a bypass for a cooldown), so a
// request is answered by computing whenever Redis cannot answer quickly.
package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/singleflight"
)

// FailFast sets the options of a Redis client used as a cache tier so that
// a dead Redis costs a request at most one quick failed attempt: one dial
// attempt (go-redis retries a refused dial 5 times with 100 ms pauses by
// default), a 250 ms dial timeout, no command retries (MaxRetries -1: in
// go-redis 0 means the default of 3 retries with back-off, which is what
// made requests wait while Redis was dead) and contexts honoured. Together with the breaker, which opens at the first refused
// connection, requests then skip Redis entirely until it is back.
func FailFast(opt *redis.Options) {
	opt.DialerRetries = 1
	opt.DialTimeout = 250 * time.Millisecond
	opt.MaxRetries = -1
	opt.ContextTimeoutEnabled = true
}

// Tier says which tier answered a call to Do; the API sends it as X-Cache.
type Tier string

// The tiers reported by Do.
const (
	TierMemory Tier = "hit-memory" // found in the in-process LRU
	TierRedis  Tier = "hit-redis"  // found in Redis and promoted to memory
	TierMiss   Tier = "miss"       // computed
)

// Options configures a Cache. Zero values take the defaults given per field.
type Options struct {
	MaxEntries       int                   // tier-1 LRU bound in entries; default 10000
	TTL              time.Duration         // entry lifetime in both tiers; default 24h
	Redis            redis.UniversalClient // tier 2; nil means memory only
	Prefix           string                // prepended to every Redis key, e.g. "alcarbon:"
	RedisTimeout     time.Duration         // bound on each Redis command; default 50ms
	FailureThreshold int                   // consecutive Redis errors before bypass; default 3
	Cooldown         time.Duration         // how long Redis is bypassed before one retry; default 30s
	Logger           *slog.Logger          // default slog.Default()
	Registerer       prometheus.Registerer // metrics are registered here when non-nil
	// MaxEntryBytes bounds one cached value; larger values (hourly series)
	// are returned but not stored. Default 256 KiB.
	MaxEntryBytes int
	// MaxBytes bounds the memory tier's keys and values together; the
	// least recently used entries are evicted to stay under it. Default
	// 256 MiB.
	MaxBytes int64
}

// Stats counts what Do and Resolve have done since New. Every successful or
// failed call of Do counts once as a hit or a miss, a call of Resolve that
// finds its value as an exact hit; RedisErrors counts failed Redis commands.
type Stats struct {
	ExactHits   int64 // answered by Resolve, through an alias
	MemoryHits  int64
	RedisHits   int64
	Misses      int64
	RedisErrors int64
	MemoryBytes int64 // keys and values in the memory tier now (MaxBytes bounds it)
}

// Cache is a two-tier cache in front of a computation. It is safe for
// concurrent use.
type Cache struct {
	mem          *lru.Cache[string, entry]
	memMu        sync.Mutex   // serialises setMemory's add-then-evict
	memBytes     atomic.Int64 // Σ entrySize over the memory tier
	maxBytes     int64
	ttl          time.Duration
	redis        redis.UniversalClient
	prefix       string
	redisTimeout time.Duration
	maxEntry     int
	breaker      *breaker
	flights      singleflight.Group
	registerer   prometheus.Registerer
	collectors   []prometheus.Collector

	exactHits, memoryHits, redisHits, misses, redisErrors atomic.Int64
}

// entry is a tier-1 value with its expiry.
type entry struct {
	value   []byte
	expires time.Time
}

// result is what one flight hands to all its callers.
type result struct {
	value []byte
	tier  Tier
}

// New returns a Cache configured by opts. It does not contact Redis, so an
// unavailable Redis never stops the service from starting. New returns an
// error if an option is negative or the metrics cannot be registered (for
// example because another Cache registered them on the same Registerer).
//
// For go-redis to abandon a timed-out command promptly, the client should be
// built with ContextTimeoutEnabled; Do is bounded by RedisTimeout either way.
func New(opts Options) (*Cache, error) {
	if opts.MaxEntries < 0 || opts.TTL < 0 || opts.RedisTimeout < 0 || opts.FailureThreshold < 0 || opts.Cooldown < 0 || opts.MaxEntryBytes < 0 || opts.MaxBytes < 0 {
		return nil, errors.New("cache: options must not be negative")
	}
	opts.MaxEntries = orDefault(opts.MaxEntries, 10000)
	opts.TTL = orDefault(opts.TTL, 24*time.Hour)
	opts.RedisTimeout = orDefault(opts.RedisTimeout, 50*time.Millisecond)
	opts.FailureThreshold = orDefault(opts.FailureThreshold, 3)
	opts.Cooldown = orDefault(opts.Cooldown, 30*time.Second)
	opts.MaxEntryBytes = orDefault(opts.MaxEntryBytes, 256<<10)
	opts.MaxBytes = orDefault(opts.MaxBytes, 256<<20)
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}

	c := &Cache{
		maxBytes:     opts.MaxBytes,
		ttl:          opts.TTL,
		redis:        opts.Redis,
		prefix:       opts.Prefix,
		redisTimeout: opts.RedisTimeout,
		maxEntry:     opts.MaxEntryBytes,
		breaker:      newBreaker(opts.FailureThreshold, opts.Cooldown, opts.Logger),
		registerer:   opts.Registerer,
	}
	mem, err := lru.NewWithEvict(opts.MaxEntries, func(key string, e entry) {
		c.memBytes.Add(-entrySize(key, e))
	})
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	c.mem = mem
	if err := c.registerMetrics(); err != nil {
		return nil, err
	}
	return c, nil
}

// entrySize is what an entry counts against MaxBytes: its key and value.
func entrySize(key string, e entry) int64 { return int64(len(key) + len(e.value)) }

// Do returns the value cached under key, or calls compute, caches its result
// and returns it, together with the tier that answered.
//
// Concurrent calls for the same key share one lookup and one call of compute;
// they all receive the same slice and the tier of that shared lookup. The
// returned slice is shared with the cache and with other callers: callers must
// not modify it.
//
// An error from compute is returned as is (with TierMiss) and nothing is
// cached. Redis errors are never returned: Do computes instead. With useRedis
// false, or without a Redis client, Do uses memory only; that suits results
// cheaper to compute than a Redis round trip.
//
// ctx is passed to Redis commands, each bounded by RedisTimeout; cancelling
// it does not interrupt compute or the Redis commands other callers share.
func (c *Cache) Do(ctx context.Context, key string, useRedis bool, compute func() ([]byte, error)) ([]byte, Tier, error) {
	if v, ok := c.getMemory(key); ok {
		c.memoryHits.Add(1)
		return v, TierMemory, nil
	}
	r, err, _ := c.flights.Do(key, func() (any, error) {
		return c.fill(ctx, key, useRedis && c.redis != nil, compute)
	})
	if err != nil {
		c.misses.Add(1)
		return nil, TierMiss, err
	}
	res := r.(result)
	switch res.tier {
	case TierMemory:
		c.memoryHits.Add(1)
	case TierRedis:
		c.redisHits.Add(1)
	default:
		c.misses.Add(1)
	}
	return res.value, res.tier, nil
}

// fill runs once per flight: memory again, then Redis, then compute.
func (c *Cache) fill(ctx context.Context, key string, useRedis bool, compute func() ([]byte, error)) (result, error) {
	// A flight that ended between our memory miss and this one starting may
	// have filled tier 1 already.
	if v, ok := c.getMemory(key); ok {
		return result{v, TierMemory}, nil
	}
	// The flight serves every caller waiting on key, so one caller going away
	// must not cancel its Redis commands; RedisTimeout still bounds them.
	ctx = context.WithoutCancel(ctx)
	if useRedis {
		if v, ok := c.getRedis(ctx, key); ok {
			c.setMemory(key, v)
			return result{v, TierRedis}, nil
		}
	}
	v, err := compute()
	if err != nil {
		return result{}, err
	}
	if len(v) > c.maxEntry {
		return result{v, TierMiss}, nil
	}
	c.setMemory(key, v)
	if useRedis {
		c.setRedis(ctx, key, v)
	}
	return result{v, TierMiss}, nil
}

func (c *Cache) getMemory(key string) ([]byte, bool) {
	e, ok := c.mem.Get(key)
	if !ok || !time.Now().Before(e.expires) {
		// An expired entry stays until overwritten or evicted by the LRU.
		return nil, false
	}
	return e.value, true
}

// setMemory stores v, then evicts least recently used entries until the
// tier holds at most maxBytes (v itself included: a value larger than
// maxBytes is evicted at once).
func (c *Cache) setMemory(key string, v []byte) {
	e := entry{value: v, expires: time.Now().Add(c.ttl)}
	c.memMu.Lock()
	defer c.memMu.Unlock()
	if old, ok := c.mem.Peek(key); ok { // Add replaces without the eviction callback
		c.memBytes.Add(-entrySize(key, old))
	}
	c.mem.Add(key, e) // evicts the oldest past MaxEntries, through the callback
	c.memBytes.Add(entrySize(key, e))
	for c.memBytes.Load() > c.maxBytes {
		if _, _, ok := c.mem.RemoveOldest(); !ok {
			break
		}
	}
}

// getRedis reports a value found in Redis. A missing key and a Redis error
// both read as not found; the error is counted and fed to the breaker.
func (c *Cache) getRedis(ctx context.Context, key string) ([]byte, bool) {
	if !c.breaker.allow() {
		return nil, false
	}
	v, err := withTimeout(ctx, c.redisTimeout, func(ctx context.Context) ([]byte, error) {
		return c.redis.Get(ctx, c.prefix+key).Bytes()
	})
	switch {
	case errors.Is(err, redis.Nil):
		c.breaker.success()
		return nil, false
	case err != nil:
		c.redisFailed(err)
		return nil, false
	}
	c.breaker.success()
	return v, true
}

// setRedis stores v under key with the cache's TTL; failures are counted and
// otherwise ignored.
func (c *Cache) setRedis(ctx context.Context, key string, v []byte) {
	if !c.breaker.allow() {
		return
	}
	_, err := withTimeout(ctx, c.redisTimeout, func(ctx context.Context) (string, error) {
		return c.redis.Set(ctx, c.prefix+key, v, c.ttl).Result()
	})
	if err != nil {
		c.redisFailed(err)
		return
	}
	c.breaker.success()
}

func (c *Cache) redisFailed(err error) {
	c.redisErrors.Add(1)
	c.breaker.failure(err)
}

// withTimeout runs fn with a context that expires after d and returns when fn
// does or when d has passed, whichever is first. It does not rely on the
// client honouring the deadline (go-redis ignores it unless built with
// ContextTimeoutEnabled), so a hung connection cannot hold up a request.
func withTimeout[T any](ctx context.Context, d time.Duration, fn func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	type reply struct {
		v   T
		err error
	}
	done := make(chan reply, 1) // buffered: an abandoned fn can still finish
	go func() {
		v, err := fn(ctx)
		done <- reply{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// Alias makes alias a second name, in the memory tier only, for the value
// stored under key: Resolve(alias) then answers without knowing key. The
// alias holds key, not the value, so it costs its two strings against
// MaxBytes, and it answers only while the value is still in memory. The API
// names a request's raw bytes with an alias of its normalised key: an
// identical request is then answered before it is decoded.
func (c *Cache) Alias(alias, key string) {
	if c.mem.Contains(key) { // a value too large to keep has no alias either
		c.setMemory(alias, []byte(key))
	}
}

// Resolve returns the key an alias names and the value stored under it,
// when both are in the memory tier; a found value counts as an exact hit.
// The value is shared: callers must not modify it.
func (c *Cache) Resolve(alias string) (key string, value []byte, ok bool) {
	k, ok := c.getMemory(alias)
	if !ok {
		return "", nil, false
	}
	v, ok := c.getMemory(string(k))
	if !ok {
		return "", nil, false
	}
	c.exactHits.Add(1)
	return string(k), v, true
}

// Variant returns a form of the value stored under key (for example its
// gzip encoding), named name and derived from value by derive. The first
// call for a key and name derives it and keeps it in the memory tier beside
// the value, counted against MaxBytes; later calls return the kept form
// without deriving again (concurrent first calls share one derivation).
// value must be the value stored under key. The result is shared: callers
// must not modify it.
func (c *Cache) Variant(key, name string, value []byte, derive func([]byte) ([]byte, error)) ([]byte, error) {
	vkey := key + "\x00" + name
	if v, ok := c.getMemory(vkey); ok {
		return v, nil
	}
	r, err, _ := c.flights.Do(vkey, func() (any, error) {
		if v, ok := c.getMemory(vkey); ok {
			return v, nil
		}
		v, err := derive(value)
		if err != nil {
			return nil, err
		}
		if len(v) <= c.maxEntry {
			c.setMemory(vkey, v)
		}
		return v, nil
	})
	if err != nil {
		return nil, err
	}
	return r.([]byte), nil
}

// Purge empties tier 1. Redis is left as it is.
func (c *Cache) Purge() {
	c.mem.Purge()
}

// RedisHealthy reports whether Redis is in use: false while it is bypassed
// after FailureThreshold consecutive errors, true otherwise, including when
// the Cache has no Redis client.
func (c *Cache) RedisHealthy() bool {
	return !c.breaker.bypassed()
}

// PingRedis checks Redis within RedisTimeout, for readiness reports. It
// returns nil when the Cache has no Redis client, and does not count errors
// or touch the breaker: a probe must not change what requests do.
func (c *Cache) PingRedis(ctx context.Context) error {
	if c.redis == nil {
		return nil
	}
	_, err := withTimeout(ctx, c.redisTimeout, func(ctx context.Context) (string, error) {
		return c.redis.Ping(ctx).Result()
	})
	return err
}

// Stats returns the counters since New.
func (c *Cache) Stats() Stats {
	return Stats{
		ExactHits:   c.exactHits.Load(),
		MemoryHits:  c.memoryHits.Load(),
		RedisHits:   c.redisHits.Load(),
		Misses:      c.misses.Load(),
		RedisErrors: c.redisErrors.Load(),
		MemoryBytes: c.memBytes.Load(),
	}
}

// Close empties tier 1 and unregisters the metrics. It does not close the
// Redis client, which belongs to the caller. The Cache must not be used after
// Close. The error is always nil.
func (c *Cache) Close() error {
	c.mem.Purge()
	c.unregisterMetrics()
	return nil
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
