package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"alcarbon/internal/testredis"
)

// computer counts how often its compute functions run.
type computer struct{ calls atomic.Int64 }

func (c *computer) value(v string) func() ([]byte, error) {
	return func() ([]byte, error) {
		c.calls.Add(1)
		return []byte(v), nil
	}
}

func newCache(t testing.TB, opts Options) *Cache {
	t.Helper()
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// mustDo calls Do and fails the test unless it returns want from tier.
func mustDo(t testing.TB, c *Cache, key string, useRedis bool, compute func() ([]byte, error), want string, tier Tier) {
	t.Helper()
	got, gotTier, err := c.Do(context.Background(), key, useRedis, compute)
	if err != nil || string(got) != want || gotTier != tier {
		t.Fatalf("Do(%q) = %q, %s, %v; want %q, %s, nil", key, got, gotTier, err, want, tier)
	}
}

func exists(t testing.TB, client redis.UniversalClient, key string) bool {
	t.Helper()
	n, err := client.Exists(context.Background(), key).Result()
	if err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func TestDoMemoryHit(t *testing.T) {
	c := newCache(t, Options{})
	var n computer
	mustDo(t, c, "k", true, n.value("v"), "v", TierMiss)
	mustDo(t, c, "k", true, n.value("v"), "v", TierMemory)
	if got := n.calls.Load(); got != 1 {
		t.Errorf("compute called %d times, want 1", got)
	}
	// MemoryBytes: key "k" and value "v".
	if got, want := c.Stats(), (Stats{MemoryHits: 1, Misses: 1, MemoryBytes: 2}); got != want {
		t.Errorf("Stats() = %+v, want %+v", got, want)
	}
}

func TestDoRedisHitAfterPurge(t *testing.T) {
	client, prefix := testredis.Client(t)
	c := newCache(t, Options{Redis: client, Prefix: prefix, TTL: time.Minute})
	var n computer
	mustDo(t, c, "k", true, n.value("v"), "v", TierMiss)

	ttl, err := client.PTTL(context.Background(), prefix+"k").Result()
	if err != nil || ttl <= 0 || ttl > time.Minute {
		t.Errorf("Redis PTTL = %v, %v; want in (0, 1m]", ttl, err)
	}

	c.Purge()
	mustDo(t, c, "k", true, n.value("v"), "v", TierRedis)
	mustDo(t, c, "k", true, n.value("v"), "v", TierMemory) // promoted
	if got := n.calls.Load(); got != 1 {
		t.Errorf("compute called %d times, want 1", got)
	}
	if got, want := c.Stats(), (Stats{MemoryHits: 1, RedisHits: 1, Misses: 1, MemoryBytes: 2}); got != want {
		t.Errorf("Stats() = %+v, want %+v", got, want)
	}
}

func TestDoKeysDoNotCollide(t *testing.T) {
	client, prefix := testredis.Client(t)
	c := newCache(t, Options{Redis: client, Prefix: prefix})
	var n computer
	a, b := Key("ds1", "v1", "primary", "h1"), Key("ds1", "v1", "primary", "h2")
	mustDo(t, c, a, true, n.value("A"), "A", TierMiss)
	mustDo(t, c, b, true, n.value("B"), "B", TierMiss)
	mustDo(t, c, a, true, n.value("wrong"), "A", TierMemory)
	mustDo(t, c, b, true, n.value("wrong"), "B", TierMemory)
	c.Purge()
	mustDo(t, c, a, true, n.value("wrong"), "A", TierRedis)
	mustDo(t, c, b, true, n.value("wrong"), "B", TierRedis)
}

func TestDoComputeErrorNotCached(t *testing.T) {
	client, prefix := testredis.Client(t)
	c := newCache(t, Options{Redis: client, Prefix: prefix})
	errBoom := errors.New("boom")
	calls := 0
	failOnce := func() ([]byte, error) {
		calls++
		if calls == 1 {
			return nil, errBoom
		}
		return []byte("v"), nil
	}

	v, tier, err := c.Do(context.Background(), "k", true, failOnce)
	if !errors.Is(err, errBoom) || v != nil || tier != TierMiss {
		t.Fatalf("Do = %q, %s, %v; want nil, miss, %v", v, tier, err, errBoom)
	}
	if exists(t, client, prefix+"k") {
		t.Error("failed result was stored in Redis")
	}
	mustDo(t, c, "k", true, failOnce, "v", TierMiss)
	if calls != 2 {
		t.Errorf("compute called %d times, want 2", calls)
	}
}

func TestDoSingleflight(t *testing.T) {
	c := newCache(t, Options{})
	var calls atomic.Int64
	slow := func() ([]byte, error) {
		calls.Add(1)
		time.Sleep(50 * time.Millisecond)
		return []byte("shared"), nil
	}

	const callers = 64
	results := make([][]byte, callers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			<-start
			v, _, err := c.Do(context.Background(), "k", true, slow)
			if err != nil {
				t.Error(err)
			}
			results[i] = v
		})
	}
	close(start)
	wg.Wait()

	if got := calls.Load(); got != 1 {
		t.Errorf("compute called %d times, want 1", got)
	}
	for i, v := range results {
		if !bytes.Equal(v, []byte("shared")) {
			t.Errorf("caller %d got %q, want %q", i, v, "shared")
		}
	}
}

func TestDoWithoutRedisNeverTouchesRedis(t *testing.T) {
	client, prefix := testredis.Client(t)
	c := newCache(t, Options{Redis: client, Prefix: prefix})
	var n computer

	mustDo(t, c, "fresh", false, n.value("v"), "v", TierMiss)
	if exists(t, client, prefix+"fresh") {
		t.Error("useRedis=false stored the value in Redis")
	}

	if err := client.Set(context.Background(), prefix+"seeded", "from-redis", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	mustDo(t, c, "seeded", false, n.value("computed"), "computed", TierMiss)
	if got := c.Stats().RedisHits; got != 0 {
		t.Errorf("RedisHits = %d, want 0", got)
	}
}

func TestDoSurvivesRedisKilled(t *testing.T) {
	srv := testredis.Start(t)
	opt := &redis.Options{Addr: srv.Addr}
	FailFast(opt) // as main configures the client
	client := testredis.NewClient(t, opt)
	logs := &logRecorder{}
	c := newCache(t, Options{
		Redis: client, Prefix: testredis.Prefix(t), FailureThreshold: 3, Cooldown: time.Hour,
		Logger: slog.New(logs),
	})
	var n computer
	mustDo(t, c, "before", true, n.value("v"), "v", TierMiss)
	c.Purge()
	mustDo(t, c, "before", true, n.value("v"), "v", TierRedis)

	srv.Stop()
	for i := 0; c.RedisHealthy(); i++ {
		if i == 10 {
			t.Fatalf("Redis still healthy after %d calls with the server killed; Stats() = %+v", i, c.Stats())
		}
		mustDo(t, c, fmt.Sprint("down-", i), true, n.value("v"), "v", TierMiss)
	}
	// The pooled connection's error (EOF or reset) counts once, then the
	// next command's refused dial opens the breaker at once.
	errs := c.Stats().RedisErrors
	if errs > 2 {
		t.Errorf("RedisErrors = %d before bypass, want at most 2 (a refused connection bypasses at once)", errs)
	}

	// Bypassed: Redis is not called at all, so no command can fail or wait.
	c.Purge()
	mustDo(t, c, "before", true, n.value("v"), "v", TierMiss)
	for i := range 20 {
		mustDo(t, c, fmt.Sprint("bypassed-", i), true, n.value("v"), "v", TierMiss)
	}
	if got := c.Stats().RedisErrors; got != errs {
		t.Errorf("RedisErrors went from %d to %d during the bypass, want no Redis calls", errs, got)
	}
	if got := logs.count(slog.LevelWarn, "redis unavailable, cache tier 2 bypassed for 1h0m0s"); got != 1 {
		t.Errorf("logged the bypass %d times, want 1; logs: %v", got, logs.messages())
	}
}

func TestRedisRecoversAfterCooldown(t *testing.T) {
	srv := testredis.Start(t)
	client := testredis.NewClient(t, &redis.Options{Addr: srv.Addr})
	logs := &logRecorder{}
	c := newCache(t, Options{
		Redis: client, Prefix: testredis.Prefix(t), FailureThreshold: 3, Cooldown: 100 * time.Millisecond,
		Logger: slog.New(logs),
	})
	var n computer

	srv.Stop()
	for i := 0; c.RedisHealthy(); i++ {
		if i == 10 {
			t.Fatalf("Redis still healthy after %d calls with the server killed", i)
		}
		mustDo(t, c, fmt.Sprint("down-", i), true, n.value("v"), "v", TierMiss)
	}

	if _, err := testredis.StartOn(t, srv.Port); err != nil {
		t.Fatalf("restarting redis-server: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for i := 0; !c.RedisHealthy(); i++ {
		if time.Now().After(deadline) {
			t.Fatalf("Redis not back in use 5s after restart; Stats() = %+v", c.Stats())
		}
		mustDo(t, c, fmt.Sprint("probe-", i), true, n.value("v"), "v", TierMiss)
		time.Sleep(10 * time.Millisecond)
	}

	mustDo(t, c, "after", true, n.value("v"), "v", TierMiss)
	c.Purge()
	mustDo(t, c, "after", true, n.value("v"), "v", TierRedis)
	if got := logs.count(slog.LevelWarn, ""); got != 1 {
		t.Errorf("%d warnings, want 1; logs: %v", got, logs.messages())
	}
	if got := logs.count(slog.LevelInfo, "redis available again, cache tier 2 back in use"); got != 1 {
		t.Errorf("logged the recovery %d times, want 1; logs: %v", got, logs.messages())
	}
}

func TestDoRedisUnresponsive(t *testing.T) {
	// A listener nobody serves: connections open, commands never get a reply.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	client := redis.NewClient(&redis.Options{Addr: ln.Addr().String()}) // default 3s read timeout
	t.Cleanup(func() { client.Close() })
	c := newCache(t, Options{
		Redis: client, Prefix: testredis.Prefix(t), RedisTimeout: 50 * time.Millisecond,
		FailureThreshold: 3, Cooldown: time.Hour, Logger: slog.New(&logRecorder{}),
	})
	var n computer

	for i := 0; c.RedisHealthy(); i++ {
		if i == 10 {
			t.Fatalf("Redis still healthy after %d calls without replies", i)
		}
		start := time.Now()
		mustDo(t, c, fmt.Sprint("k", i), true, n.value("v"), "v", TierMiss)
		// Loose bound: without the per-command timeout go-redis waits 3s.
		if elapsed := time.Since(start); elapsed > time.Second {
			t.Errorf("Do took %v with RedisTimeout 50ms", elapsed)
		}
	}
	if got := c.Stats().RedisErrors; got < 3 {
		t.Errorf("RedisErrors = %d, want >= 3", got)
	}
}

func TestMemoryTTLExpiry(t *testing.T) {
	c := newCache(t, Options{TTL: 100 * time.Millisecond})
	var n computer
	mustDo(t, c, "k", true, n.value("v"), "v", TierMiss)
	mustDo(t, c, "k", true, n.value("v"), "v", TierMemory)

	deadline := time.Now().Add(2 * time.Second)
	for {
		_, tier, err := c.Do(context.Background(), "k", true, n.value("v"))
		if err != nil {
			t.Fatal(err)
		}
		if tier == TierMiss {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("entry with a 100ms TTL still served after 2s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := n.calls.Load(); got != 2 {
		t.Errorf("compute called %d times, want 2", got)
	}
}

func TestMemoryBounded(t *testing.T) {
	c := newCache(t, Options{MaxEntries: 2})
	var n computer
	for _, k := range []string{"a", "b", "c"} {
		mustDo(t, c, k, true, n.value(k), k, TierMiss)
	}
	mustDo(t, c, "c", true, n.value("c"), "c", TierMemory)
	mustDo(t, c, "a", true, n.value("a"), "a", TierMiss) // least recently used, evicted
}

// TestMemoryBoundedInBytes: the memory tier keeps Σ(len(key) + len(value))
// at or under MaxBytes, evicting the least recently used; replacing a
// value counts it once; a value above MaxBytes is returned, not kept.
func TestMemoryBoundedInBytes(t *testing.T) {
	c := newCache(t, Options{MaxBytes: 1000})
	ctx := context.Background()
	val := func(n int) func() ([]byte, error) {
		return func() ([]byte, error) { return bytes.Repeat([]byte("x"), n), nil }
	}
	// Keys of 2 bytes and values of 298: 300 each, three fit in 1000.
	for _, k := range []string{"k1", "k2", "k3"} {
		c.Do(ctx, k, false, val(298))
	}
	if got := c.Stats().MemoryBytes; got != 900 {
		t.Fatalf("after three entries: %d bytes, want 900", got)
	}
	c.Do(ctx, "k1", false, val(298)) // k1 is now the most recently used
	c.Do(ctx, "k4", false, val(298)) // 1200 > 1000: k2, the least recent, goes
	if got := c.Stats().MemoryBytes; got != 900 {
		t.Fatalf("after the fourth entry: %d bytes, want 900", got)
	}
	for k, want := range map[string]Tier{"k1": TierMemory, "k3": TierMemory, "k4": TierMemory} {
		if _, tier, _ := c.Do(ctx, k, false, val(298)); tier != want {
			t.Errorf("%s: %s, want %s", k, tier, want)
		}
	}
	if _, tier, _ := c.Do(ctx, "k2", false, val(298)); tier != TierMiss {
		t.Errorf("k2 should have been evicted, got %s", tier)
	}
	// k2 came back and pushed out whichever entry the lookups above (in
	// map order) left least recent, so only the total is checked.
	if got := c.Stats().MemoryBytes; got > 1000 {
		t.Fatalf("%d bytes > MaxBytes", got)
	}
	// A value larger than the whole tier is answered but not kept, and
	// takes the others out with it.
	if v, tier, err := c.Do(ctx, "huge", false, val(2000)); err != nil || len(v) != 2000 || tier != TierMiss {
		t.Fatalf("huge: %d bytes, %s, %v", len(v), tier, err)
	}
	if got := c.Stats().MemoryBytes; got != 0 {
		t.Fatalf("after the oversized value: %d bytes, want 0", got)
	}
	c.Do(ctx, "k5", false, val(98))
	c.Purge()
	if got := c.Stats().MemoryBytes; got != 0 {
		t.Fatalf("after Purge: %d bytes, want 0", got)
	}
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	c, err := New(Options{Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	var n computer
	mustDo(t, c, "k", true, n.value("v"), "v", TierMiss)
	mustDo(t, c, "k", true, n.value("v"), "v", TierMemory)

	want := map[string]float64{
		`alcarbon_cache_hits_total{tier="memory"}`: 1,
		`alcarbon_cache_hits_total{tier="redis"}`:  0,
		`alcarbon_cache_misses_total`:              1,
		`alcarbon_cache_redis_errors_total`:        0,
		`alcarbon_cache_redis_bypassed`:            0,
	}
	got := gather(t, reg)
	for name, v := range want {
		if g, ok := got[name]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", name, g, ok, v)
		}
	}

	if _, err := New(Options{Registerer: reg}); err == nil {
		t.Error("second New on the same Registerer: no error, want duplicate registration error")
	}
	c.Close()
	c2, err := New(Options{Registerer: reg})
	if err != nil {
		t.Fatalf("New after Close: %v", err)
	}
	c2.Close()
}

// gather returns every sample in reg by name{labels}.
func gather(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	samples := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			name := f.GetName()
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			if len(labels) > 0 {
				name += "{" + strings.Join(labels, ",") + "}"
			}
			switch {
			case m.GetCounter() != nil:
				samples[name] = m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				samples[name] = m.GetGauge().GetValue()
			}
		}
	}
	return samples
}

// logRecorder is a slog.Handler that keeps every record.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (h *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *logRecorder) WithGroup(string) slog.Handler            { return h }

func (h *logRecorder) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, r.Clone())
	return nil
}

// count returns how many records have level and, unless msg is empty, msg.
func (h *logRecorder) count(level slog.Level, msg string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range h.records {
		if r.Level == level && (msg == "" || r.Message == msg) {
			n++
		}
	}
	return n
}

func (h *logRecorder) messages() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var msgs []string
	for _, r := range h.records {
		msgs = append(msgs, r.Level.String()+" "+r.Message)
	}
	return msgs
}

func BenchmarkDoMemoryHit(b *testing.B) {
	c := newCache(b, Options{})
	var n computer
	mustDo(b, c, "k", true, n.value("v"), "v", TierMiss)
	ctx := context.Background()
	compute := n.value("v")
	b.ReportAllocs()
	for b.Loop() {
		if _, tier, _ := c.Do(ctx, "k", true, compute); tier != TierMemory {
			b.Fatalf("tier %s, want %s", tier, TierMemory)
		}
	}
}

func BenchmarkDoRedisHit(b *testing.B) {
	client, prefix := testredis.Client(b)
	// One memory slot and two keys used in turn: each call misses memory and
	// is answered by Redis.
	c := newCache(b, Options{Redis: client, Prefix: prefix, MaxEntries: 1})
	var n computer
	keys := []string{"k0", "k1"}
	for _, k := range keys {
		mustDo(b, c, k, true, n.value("v"), "v", TierMiss)
	}
	ctx := context.Background()
	compute := n.value("v")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, tier, _ := c.Do(ctx, keys[i%2], true, compute); tier != TierRedis {
			b.Fatalf("tier %s, want %s", tier, TierRedis)
		}
		i++
	}
}

// TestLargeValuesNotStored: a value above MaxEntryBytes is returned but
// not cached, so the memory tier stays bounded.
func TestLargeValuesNotStored(t *testing.T) {
	c, err := New(Options{MaxEntryBytes: 1024})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	calls := 0
	big := func() ([]byte, error) { calls++; return make([]byte, 2048), nil }
	for i := 0; i < 2; i++ {
		v, tier, err := c.Do(context.Background(), "big", false, big)
		if err != nil || len(v) != 2048 || tier != TierMiss {
			t.Fatalf("call %d: %d bytes, tier %s, %v", i, len(v), tier, err)
		}
	}
	if calls != 2 {
		t.Fatalf("computed %d times, want 2 (not stored)", calls)
	}
	small := func() ([]byte, error) { calls++; return []byte("ok"), nil }
	c.Do(context.Background(), "small", false, small)
	if _, tier, _ := c.Do(context.Background(), "small", false, small); tier != TierMemory {
		t.Fatalf("small value tier %s, want hit-memory", tier)
	}
}

// TestBreakerOpensOnRefusedConnection: with nothing listening at Redis's
// address, the first command's refused connection bypasses Redis at once
// (issue 16: a dead Redis must not add its timeouts to request latency).
func TestBreakerOpensOnRefusedConnection(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	opt := &redis.Options{Addr: addr}
	FailFast(opt)
	client := redis.NewClient(opt)
	t.Cleanup(func() { client.Close() })
	c := newCache(t, Options{
		Redis: client, Prefix: testredis.Prefix(t), FailureThreshold: 3, Cooldown: time.Hour, Logger: slog.New(&logRecorder{}),
	})
	var n computer
	start := time.Now()
	mustDo(t, c, "k", true, n.value("v"), "v", TierMiss)
	if c.RedisHealthy() || c.Stats().RedisErrors != 1 {
		t.Logf("first call took %v", time.Since(start))
		t.Fatalf("after one refused connection: healthy %v, %d errors; want bypassed after 1", c.RedisHealthy(), c.Stats().RedisErrors)
	}
}

// TestAliasResolve: an alias answers with its key's value while both are
// in memory, counting an exact hit and nothing else; an alias of a key not
// held is not kept; once the value is evicted the alias answers nothing.
func TestAliasResolve(t *testing.T) {
	c := newCache(t, Options{MaxBytes: 1000})
	var n computer
	c.Alias("raw:absent", "k") // k is not held: no alias
	if _, _, ok := c.Resolve("raw:absent"); ok {
		t.Fatal("alias of a key not held resolved")
	}
	if got := c.Stats().MemoryBytes; got != 0 {
		t.Fatalf("alias of a key not held kept %d bytes", got)
	}
	mustDo(t, c, "k", false, n.value("value"), "value", TierMiss)
	c.Alias("raw:1", "k")
	key, v, ok := c.Resolve("raw:1")
	if !ok || key != "k" || string(v) != "value" {
		t.Fatalf("Resolve(raw:1) = %q, %q, %v", key, v, ok)
	}
	if got, want := c.Stats(), (Stats{ExactHits: 1, Misses: 1, MemoryBytes: int64(len("k") + len("value") + len("raw:1") + len("k"))}); got != want {
		t.Fatalf("Stats() = %+v, want %+v", got, want)
	}
	if _, _, ok := c.Resolve("raw:2"); ok {
		t.Fatal("unknown alias resolved")
	}
	// Values of 300 bytes push k out; the alias then answers nothing.
	for i := range 4 {
		c.Do(context.Background(), fmt.Sprint("x", i), false, n.value(strings.Repeat("x", 300)))
	}
	if _, _, ok := c.Resolve("raw:1"); ok {
		t.Fatal("alias resolved after its value was evicted")
	}
	if got := c.Stats().ExactHits; got != 1 {
		t.Fatalf("ExactHits %d after failed lookups, want 1", got)
	}
}

// TestVariantDerivedOnce: concurrent first calls share one derivation,
// later calls derive nothing, and the variant is kept (and counted) beside
// its value.
func TestVariantDerivedOnce(t *testing.T) {
	c := newCache(t, Options{})
	var derivations atomic.Int64
	upper := func(b []byte) ([]byte, error) {
		derivations.Add(1)
		time.Sleep(10 * time.Millisecond) // let the concurrent callers pile up
		return bytes.ToUpper(b), nil
	}
	mustDo(t, c, "k", false, (&computer{}).value("abc"), "abc", TierMiss)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if v, err := c.Variant("k", "upper", []byte("abc"), upper); err != nil || string(v) != "ABC" {
				t.Errorf("Variant = %q, %v", v, err)
			}
		})
	}
	wg.Wait()
	if v, err := c.Variant("k", "upper", []byte("abc"), upper); err != nil || string(v) != "ABC" {
		t.Fatalf("Variant after = %q, %v", v, err)
	}
	if got := derivations.Load(); got != 1 {
		t.Fatalf("derived %d times, want 1", got)
	}
	if got, want := c.Stats().MemoryBytes, int64(len("k")+len("abc")+len("k\x00upper")+len("ABC")); got != want {
		t.Fatalf("MemoryBytes %d, want %d (value and variant)", got, want)
	}
	// A failed derivation is returned and not kept.
	boom := errors.New("boom")
	if _, err := c.Variant("k", "bad", []byte("abc"), func([]byte) ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("failed derivation: %v", err)
	}
}

// TestAliasesAndVariantsBoundedInBytes: values, aliases and variants share
// MaxBytes; filling well past it keeps the total under it.
func TestAliasesAndVariantsBoundedInBytes(t *testing.T) {
	const maxBytes = 10_000
	c := newCache(t, Options{MaxBytes: maxBytes})
	var n computer
	half := func(b []byte) ([]byte, error) { return b[:len(b)/2], nil }
	for i := range 200 {
		key := fmt.Sprint("key", i)
		v, _, err := c.Do(context.Background(), key, false, n.value(strings.Repeat("v", 200)))
		if err != nil {
			t.Fatal(err)
		}
		c.Alias(fmt.Sprint("raw", i), key)
		if _, err := c.Variant(key, "half", v, half); err != nil {
			t.Fatal(err)
		}
		if got := c.Stats().MemoryBytes; got > maxBytes {
			t.Fatalf("after %d entries: %d bytes > %d", i+1, got, maxBytes)
		}
	}
	// The newest entry is still whole: value, alias and variant.
	if _, v, ok := c.Resolve("raw199"); !ok || len(v) != 200 {
		t.Fatalf("newest alias: %v, %d bytes", ok, len(v))
	}
}
