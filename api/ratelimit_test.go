package api

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"alcarbon/cache"
	"alcarbon/internal/httpx"
	"alcarbon/internal/ratelimit"
	"alcarbon/internal/testredis"
	"alcarbon/registry"
)

// replica is one api server of several sharing a store and a Redis, as
// replicas behind a load balancer do; each has its own ratelimit.Redis,
// as each process would.
func replica(t *testing.T, store registry.Store, rdb redis.UniversalClient, prefix string, logs *syncWriter, reg prometheus.Registerer, mutate func(*Options)) *echo.Echo {
	t.Helper()
	shared, err := ratelimit.NewRedis(rdb, ratelimit.Options{Prefix: prefix, Logger: slog.New(slog.NewJSONHandler(logs, nil)), Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	e, _, _ := newTestServer(t, func(o *Options) {
		o.Store, o.TokenSecret, o.SharedLimits = store, []byte("test secret"), shared
		mutate(o)
	})
	return e
}

// TestRateLimitSharedAcrossReplicas: two servers over one Redis draw a
// key's writes from one bucket: once the burst is used at A, B refuses the
// key with 429 (per process, B would have admitted a full burst of its
// own). Failed authentication is counted across them too: the wrong keys
// sent to A throttle the address at B, where a valid key is still
// admitted.
func TestRateLimitSharedAcrossReplicas(t *testing.T) {
	rdb, prefix := testredis.Client(t)
	store := openSQLite(t)
	logs := &syncWriter{w: &bytes.Buffer{}}
	limit := func(o *Options) { o.RateLimit, o.RateBurst = 0.01, 3 }
	a := replica(t, store, rdb, prefix, logs, nil, limit)
	b := replica(t, store, rdb, prefix, logs, nil, limit)
	env := &registryEnv{e: a, store: store}
	_, key := env.org(t, "Shanxi Smelter Co.")

	for i := range 3 {
		if rec := postJSON(t, a, "/v1/declarations", declaration(""), auth(key)...); rec.Code != http.StatusCreated {
			t.Fatalf("write %d at A: %d %s", i+1, rec.Code, rec.Body)
		}
	}
	rec := postJSON(t, b, "/v1/declarations", declaration(""), auth(key)...)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("write at B after A used the burst of 3: %d %s, want 429 with Retry-After", rec.Code, rec.Body)
	}
	decodeProblem(t, rec)

	for i := range httpx.FailureBurst {
		if rec := postJSON(t, a, "/v1/declarations", declaration(""), auth("alc_000000000000_wrong")...); rec.Code != http.StatusUnauthorized {
			t.Fatalf("wrong key %d at A: %d, want 401", i+1, rec.Code)
		}
	}
	if rec := postJSON(t, b, "/v1/declarations", declaration(""), auth("alc_000000000000_wrong")...); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("wrong key at B after %d at A: %d %s, want 429", httpx.FailureBurst, rec.Code, rec.Body)
	}
	if rec := getJSON(t, b, "/v1/declarations", nil, auth(key)...); rec.Code != http.StatusOK {
		t.Fatalf("a valid key at B from the throttled address: %d %s, want 200", rec.Code, rec.Body)
	}
	if strings.Contains(logs.String(), "per process") {
		t.Fatalf("fell back to per-process limits with Redis up:\n%s", logs)
	}
}

// TestRateLimitRedisDown: Redis is killed under a server whose limits
// were shared; writes are not failed, the per-process bucket applies
// (the burst, then 429), the switch is logged once and counted in
// alcarbon_rate_limit_fallbacks_total, and alcarbon_rate_limit_shared
// says 0.
func TestRateLimitRedisDown(t *testing.T) {
	srv := testredis.Start(t)
	opt := &redis.Options{Addr: srv.Addr}
	cache.FailFast(opt) // as main configures the client
	rdb := testredis.NewClient(t, opt)
	store := openSQLite(t)
	logs := &syncWriter{w: &bytes.Buffer{}}
	reg := prometheus.NewRegistry()
	e := replica(t, store, rdb, testredis.Prefix(t), logs, reg, func(o *Options) { o.RateLimit, o.RateBurst = 0.01, 2 })
	env := &registryEnv{e: e, store: store}
	_, key := env.org(t, "Shanxi Smelter Co.")
	if got := gauge(t, reg, "alcarbon_rate_limit_shared"); got != 1 {
		t.Fatalf("alcarbon_rate_limit_shared %v with Redis up, want 1", got)
	}

	srv.Stop()
	for i := range 2 {
		if rec := postJSON(t, e, "/v1/declarations", declaration(""), auth(key)...); rec.Code != http.StatusCreated {
			t.Fatalf("write %d with Redis dead: %d %s, want 201", i+1, rec.Code, rec.Body)
		}
	}
	if rec := postJSON(t, e, "/v1/declarations", declaration(""), auth(key)...); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("write 3 with Redis dead, per-process burst 2: %d %s, want 429", rec.Code, rec.Body)
	}
	if n := strings.Count(logs.String(), "rate limits and the failed-authentication throttle are per process"); n != 1 {
		t.Fatalf("the fallback was logged %d times, want once:\n%s", n, logs)
	}
	if got := gauge(t, reg, "alcarbon_rate_limit_fallbacks_total"); got != 3 {
		t.Fatalf("alcarbon_rate_limit_fallbacks_total %v, want 3 (one per write)", got)
	}
	if got := gauge(t, reg, "alcarbon_rate_limit_shared"); got != 0 {
		t.Fatalf("alcarbon_rate_limit_shared %v with Redis dead, want 0", got)
	}
}

// gauge returns the value of the unlabelled metric name in reg.
func gauge(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		m := mf.GetMetric()[0]
		if c := m.GetCounter(); c != nil {
			return c.GetValue()
		}
		return m.GetGauge().GetValue()
	}
	t.Fatalf("no metric %s", name)
	return 0
}
