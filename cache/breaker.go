package cache

import (
	"errors"
	"log/slog"
	"net"
	"sync"
	"syscall"
	"time"
)

// breaker bypasses Redis after threshold consecutive failures, or at once
// when a connection is refused (Redis is not running: no later command can
// succeed, and every one would add its wait to a request). Once the
// cooldown has passed it lets one command through as a probe: success ends
// the bypass, failure starts another cooldown. It logs when the bypass starts
// and when it ends, never per command.
type breaker struct {
	threshold int
	cooldown  time.Duration
	log       *slog.Logger

	mu        sync.Mutex
	failures  int       // consecutive
	openUntil time.Time // zero while Redis is in use
	probing   bool      // the one probe after a cooldown is in flight
}

func newBreaker(threshold int, cooldown time.Duration, log *slog.Logger) *breaker {
	return &breaker{threshold: threshold, cooldown: cooldown, log: log}
}

// allow reports whether a Redis command may be sent. Every allowed command
// must be followed by success or failure.
func (b *breaker) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.openUntil.IsZero() {
		return true
	}
	if b.probing || time.Now().Before(b.openUntil) {
		return false
	}
	b.probing = true
	return true
}

func (b *breaker) success() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures = 0
	b.probing = false
	if !b.openUntil.IsZero() {
		b.openUntil = time.Time{}
		b.log.Info("redis available again, cache tier 2 back in use")
	}
}

func (b *breaker) failure(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures++
	switch {
	case b.probing: // still down: bypass again, quietly
		b.probing = false
		b.openUntil = time.Now().Add(b.cooldown)
	case b.openUntil.IsZero() && (b.failures >= b.threshold || refused(err)):
		b.openUntil = time.Now().Add(b.cooldown)
		b.log.Warn("redis unavailable, cache tier 2 bypassed for "+b.cooldown.String(),
			"consecutive_errors", b.failures, "error", err)
	}
}

// bypassed reports whether Redis is currently skipped, including while a
// probe is in flight.
func (b *breaker) bypassed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return !b.openUntil.IsZero()
}

// refused reports whether err is a refused or failed connection attempt:
// nothing listens at Redis's address.
func refused(err error) bool {
	var op *net.OpError
	return errors.Is(err, syscall.ECONNREFUSED) || (errors.As(err, &op) && op.Op == "dial")
}
