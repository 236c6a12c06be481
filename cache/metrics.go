package cache

import (
	"fmt"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// registerMetrics exposes the cache's counters on c.registerer, if any. The
// metrics read the same counters as Stats, so nothing is counted twice.
func (c *Cache) registerMetrics() error {
	if c.registerer == nil {
		return nil
	}
	hits := func(tier string, n *atomic.Int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "alcarbon_cache_hits_total",
			Help:        "Cache lookups answered without computing, by tier.",
			ConstLabels: prometheus.Labels{"tier": tier},
		}, loadFloat(n))
	}
	collectors := []prometheus.Collector{
		hits("exact", &c.exactHits),
		hits("memory", &c.memoryHits),
		hits("redis", &c.redisHits),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "alcarbon_cache_misses_total",
			Help: "Cache lookups that computed the result (or failed computing it).",
		}, loadFloat(&c.misses)),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "alcarbon_cache_redis_errors_total",
			Help: "Redis commands that failed or timed out.",
		}, loadFloat(&c.redisErrors)),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "alcarbon_cache_memory_bytes",
			Help: "Keys and values held by the in-process cache tier [bytes].",
		}, loadFloat(&c.memBytes)),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "alcarbon_cache_memory_max_bytes",
			Help: "The in-process cache tier's capacity (ALCARBON_CACHE_MAX_BYTES) [bytes].",
		}, func() float64 { return float64(c.maxBytes) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "alcarbon_cache_redis_bypassed",
			Help: "1 while Redis is bypassed after consecutive errors, else 0.",
		}, func() float64 {
			if c.breaker.bypassed() {
				return 1
			}
			return 0
		}),
	}
	for i, col := range collectors {
		if err := c.registerer.Register(col); err != nil {
			for _, done := range collectors[:i] {
				c.registerer.Unregister(done)
			}
			return fmt.Errorf("cache: registering metrics: %w", err)
		}
	}
	c.collectors = collectors
	return nil
}

func (c *Cache) unregisterMetrics() {
	for _, col := range c.collectors {
		c.registerer.Unregister(col)
	}
	c.collectors = nil
}

func loadFloat(n *atomic.Int64) func() float64 {
	return func() float64 { return float64(n.Load()) }
}
