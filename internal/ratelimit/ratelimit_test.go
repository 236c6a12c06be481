package ratelimit

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"alcarbon/internal/testredis"
)

// TestTakeGCRA: a bucket of burst 2 at 0.5 events/s admits two events,
// then refuses with a wait of one emission interval, 1/0.5 = 2 s (GCRA:
// the refused event is not counted); another key has its own bucket.
func TestTakeGCRA(t *testing.T) {
	rdb, prefix := testredis.Client(t)
	r, err := NewRedis(rdb, Options{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	l := Limit{PerSecond: 0.5, Burst: 2}
	for i := range 2 {
		if _, ok, err := r.Take(ctx, "k", l); err != nil || !ok {
			t.Fatalf("event %d: allowed %v, %v; want allowed", i+1, ok, err)
		}
	}
	for range 2 {
		wait, ok, err := r.Take(ctx, "k", l)
		if err != nil || ok {
			t.Fatalf("event 3: allowed %v, %v; want refused", ok, err)
		}
		if wait < 1900*time.Millisecond || wait > 2*time.Second {
			t.Fatalf("wait %s, want ≈ 2 s (one emission interval)", wait)
		}
	}
	if _, ok, err := r.Take(ctx, "other", l); err != nil || !ok {
		t.Fatalf("another key: allowed %v, %v; want allowed", ok, err)
	}
}

// TestTakeRedisDown: without Redis, Take returns ErrUnavailable at once,
// and after the first failure does not call Redis again until the
// cooldown has passed.
func TestTakeRedisDown(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(testredis.FreePort(t)), MaxRetries: -1})
	defer rdb.Close()
	r, err := NewRedis(rdb, Options{Cooldown: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	calls := &countingHook{}
	rdb.AddHook(calls)
	for i := range 3 {
		if _, _, err := r.Take(context.Background(), "k", Limit{PerSecond: 1, Burst: 1}); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("call %d: %v, want ErrUnavailable", i+1, err)
		}
	}
	if got := calls.n.Load(); got != 1 {
		t.Fatalf("%d Redis commands for 3 calls, want 1 (then the cooldown skips Redis)", got)
	}
	if r.Shared() {
		t.Fatal("Shared() true after a failure")
	}
	if got := r.fallbacks.Load(); got != 3 {
		t.Fatalf("%d fallbacks counted, want 3", got)
	}
}

// countingHook counts the commands a client sends (or tries to).
type countingHook struct{ n atomic.Int64 }

func (h *countingHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *countingHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}

func (h *countingHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
