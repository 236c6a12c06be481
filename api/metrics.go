package api

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the HTTP server's Prometheus collectors.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	inflight prometheus.Gauge
	// byLabels memoises each (route, method, status)'s counter and
	// histogram: WithLabelValues hashes its labels and takes a lock on
	// every call, 3 % of a cached answer's CPU time under load (issue 17).
	byLabels sync.Map // seriesKey → routeSeries
}

type seriesKey struct {
	route, method string
	status        int
}

type routeSeries struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

// of returns the collectors of one (route, method, status).
func (m *metrics) of(k seriesKey) routeSeries {
	if v, ok := m.byLabels.Load(k); ok {
		return v.(routeSeries)
	}
	v, _ := m.byLabels.LoadOrStore(k, routeSeries{
		requests: m.requests.WithLabelValues(k.route, k.method, strconv.Itoa(k.status)),
		latency:  m.latency.WithLabelValues(k.route, k.method),
	})
	return v.(routeSeries)
}

// metricMethod is a request's method as a label: the methods the API
// answers, or "other", so that a client cannot add series (and memory)
// with made-up methods.
func metricMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodHead, http.MethodOptions, http.MethodPatch:
		return m
	}
	return "other"
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alcarbon_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "alcarbon_http_request_duration_seconds", Help: "HTTP request latency by route and method.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "alcarbon_http_requests_in_flight", Help: "HTTP requests being served.",
		}),
	}
	reg.MustRegister(m.requests, m.latency, m.inflight)
	return m
}

// middleware records every request once its status is known.
func (m *metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		m.inflight.Inc()
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		m.inflight.Dec()
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		s := m.of(seriesKey{route, metricMethod(c.Request().Method), c.Response().Status})
		s.requests.Inc()
		s.latency.Observe(time.Since(start).Seconds())
		return nil
	}
}
