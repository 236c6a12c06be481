// Command alcarbon serves the alcarbon REST API: carbon footprints of
// aluminium products and how they move with the power supply.
//
//	@title						alcarbon API
//	@version					0.1
//	@description				Carbon footprint (t CO2e per t) of primary aluminium and aluminium products for enterprises, planners and buyers: by stage, gas and scope; location- and market-based; with the electricity supply portfolio (grid, captive plants, on-site PV, direct lines, green contracts, certificates), ratings against Chinese national standards, the EU CBAM view, and the source of every factor. Errors are RFC 9457 problem+json with an errors list of {pointer, detail}. Calculation responses carry ETag and X-Cache.
//	@contact.name				alcarbon
//	@license.name				Proprietary
//	@BasePath					/
//	@accept						json
//	@produce					json
//	@tag.name					calculations
//	@tag.description			Footprints, electricity portfolios and plant assessments.
//	@tag.name					reference data
//	@tag.description			The embedded dataset: versions and electricity factors with sources.
//	@tag.name					operations
//	@tag.description			Health, readiness and metrics.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"alcarbon/api"
	"alcarbon/cache"
	"alcarbon/config"
	"alcarbon/factors"
	"alcarbon/registry"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "alcarbon:", err)
		os.Exit(1)
	}
}

const usage = `alcarbon — carbon footprints of aluminium products.

Usage:
  alcarbon              serve the API (configuration from the environment)
  alcarbon healthcheck  GET /healthz on the configured address; exit 0 when healthy
  alcarbon --help       this text

Environment:
`

// run is the whole program: it parses args and the environment, wires the
// dataset, cache, registry and HTTP server, and serves until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cmd := ""
	if len(args) > 1 {
		cmd = args[1]
	}
	switch cmd {
	case "-h", "--help", "help":
		_, err := fmt.Fprint(stdout, usage+config.Usage())
		return err
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	switch cmd {
	case "":
		return serve(ctx, cfg, stdout)
	case "healthcheck":
		return healthcheck(ctx, cfg.Addr)
	}
	return fmt.Errorf("unknown command %q; see alcarbon --help", cmd)
}

// serve runs the HTTP server until ctx is done, then shuts down gracefully:
// stop accepting, finish in-flight requests within the shutdown timeout,
// close the cache, Redis and the registry.
func serve(ctx context.Context, cfg config.Config, stdout io.Writer) error {
	log := slog.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: cfg.LogLevel}))
	log.Info("starting", "config", cfg)

	catalog, err := factors.Load()
	if err != nil {
		return fmt.Errorf("loading the embedded dataset: %w", err)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	var rdb *redis.Client
	if cfg.RedisURL != "" {
		opt, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return fmt.Errorf("ALCARBON_REDIS_URL: %w", err)
		}
		opt.ContextTimeoutEnabled = true
		opt.MaxRetries = 0
		rdb = redis.NewClient(opt)
		defer rdb.Close()
	}
	cacheOpts := cache.Options{
		MaxEntries: cfg.CacheMaxEntries, TTL: cfg.CacheTTL, Prefix: "alcarbon:", Logger: log, Registerer: reg,
	}
	if rdb != nil {
		cacheOpts.Redis = rdb
	}
	c, err := cache.New(cacheOpts)
	if err != nil {
		return err
	}
	defer c.Close()

	store, err := registry.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		if !errors.Is(err, registry.ErrUnavailable) {
			return fmt.Errorf("opening the registry: %w", err)
		}
		// Calculations do not need the registry: serve them and report the
		// registry as down in /readyz.
		log.Error("registry unavailable; registry endpoints will answer 503", "error", err.Error())
		store = nil
	} else {
		defer store.Close()
	}

	handler := api.New(api.Options{
		Catalog: catalog, Cache: c, RedisConfigured: rdb != nil, Store: store, Logger: log,
		Registry: reg, BodyLimit: cfg.BodyLimit, CORSOrigins: cfg.CORSOrigins, PProf: cfg.PProf,
	})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("ALCARBON_ADDR %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler: handler, ReadTimeout: cfg.ReadTimeout, ReadHeaderTimeout: cfg.ReadTimeout,
		WriteTimeout: cfg.WriteTimeout, IdleTimeout: cfg.IdleTimeout,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String(), "dataset", catalog.Default().Version())

	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// healthcheck GETs /healthz on the configured address (for container
// HEALTHCHECKs, whose images have no shell or curl).
func healthcheck(ctx context.Context, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz answered %s", strings.TrimSpace(resp.Status))
	}
	return nil
}
