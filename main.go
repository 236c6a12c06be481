// Command alcarbon serves the alcarbon REST API: carbon footprints of
// aluminium products and how they move with the power supply.
//
//	@title						alcarbon API
//	@version					0.1
//	@description				Carbon footprint (t CO2e per t) of primary aluminium and aluminium products for enterprises, planners and buyers: by stage, gas and scope; location- and market-based; with the electricity supply portfolio (grid, captive plants, on-site PV, direct lines, green contracts, certificates), ratings against Chinese national standards, the EU CBAM view, and the source of every factor. Errors are RFC 9457 problem+json with an errors list of {pointer, detail}. Calculation responses carry ETag and X-Cache. This description: Swagger 2.0 at [/swagger/doc.json](/swagger/doc.json), OpenAPI 3.1 at [/openapi.json](/openapi.json).
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
//	@tag.name					registry
//	@tag.description			Published product footprints (declarations): publish with an API key, list, get, verify, CBAM summary.
//	@tag.name					PACT
//	@tag.description			WBCSD PACT Technical Specifications v2.2 exchange: OAuth2 client credentials at /auth/token, ListFootprints, GetFootprint, Events. Errors are PACT {code, message} (OAuth2 errors at /auth/token).
//	@securityDefinitions.apikey	APIKey
//	@in							header
//	@name						Authorization
//	@description				"Bearer <API key>" from `alcarbon keys create --org NAME`. Required to publish; optional on reads, where it shows restricted declarations.
//	@securityDefinitions.apikey	PACTToken
//	@in							header
//	@name						Authorization
//	@description				"Bearer <access token>" from POST /auth/token.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"alcarbon/api"
	"alcarbon/cache"
	"alcarbon/config"
	"alcarbon/factors"
	"alcarbon/internal/httpx"
	"alcarbon/internal/logbuf"
	"alcarbon/internal/ratelimit"
	"alcarbon/pact"
	"alcarbon/registry"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first signal starts the graceful shutdown (drain, then finish
	// in-flight requests); a second one ends the process at once.
	context.AfterFunc(ctx, stop)
	if err := run(ctx, os.Args, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "alcarbon:", err)
		os.Exit(1)
	}
}

const usage = `alcarbon — carbon footprints of aluminium products.

Usage:
  alcarbon                              serve the API (configuration from the environment)
  alcarbon healthcheck                  GET /healthz on the configured address (over HTTPS, pinned to
                                        the configured certificate, when TLS is on); exit 0 when healthy
  alcarbon keys create --org NAME       issue an API key for the organisation (created if new);
                                        the key is printed once, only its hash is stored
  alcarbon keys list --org NAME         list the organisation's keys (ID, prefix, created, revoked)
  alcarbon keys revoke ID               revoke a key for good
  alcarbon pact-clients create --org NAME
                                        issue PACT OAuth2 client credentials (client ID and
                                        secret, printed once) for the organisation (created if new)
  alcarbon pact-clients list --org NAME list the organisation's PACT clients (ID, created, revoked)
  alcarbon pact-clients revoke ID       revoke a PACT client for good: no more tokens, and the
                                        tokens it holds are refused
  alcarbon pact-partners add --source SOURCE --base-url URL --client-id ID --client-secret SECRET
                           [--token-url URL] [--org NAME]
                                        record a PACT partner (a data recipient's host) that
                                        footprint request events from SOURCE are answered to, at
                                        URL/2/events, with a token from URL/auth/token (or
                                        --token-url) for the client credentials; with --org, only
                                        that organisation (created if new) may have its requests
                                        answered there, and sees its restricted footprints. The
                                        secret may come from ALCARBON_PACT_PARTNER_SECRET instead;
                                        it is stored in clear in the registry, never printed.
                                        URLs whose host is or resolves to a loopback, private,
                                        link-local or cloud metadata address are refused unless
                                        ALCARBON_PACT_ALLOW_PRIVATE_PARTNERS=1
  alcarbon pact-partners list           list the PACT partners (without secrets), with the
                                        answers waiting (PENDING) and given up (FAILED) for each
  alcarbon registry verify [--public-key KEY]
                                        walk the registry's hash chain from its first entry:
                                        recompute every declaration's content hash and chain
                                        link and check the signatures with KEY (base64 or PEM, as
                                        served at /.well-known/alcarbon-registry-key; default: the
                                        public half of ALCARBON_REGISTRY_SIGNING_KEY); print the
                                        count of entries and the head hash, or name the first
                                        broken entry and exit 1
  alcarbon --help                       this text

The keys, pact-clients, pact-partners and registry commands open the registry the server uses
(ALCARBON_DATABASE_URL, else SQLite in ALCARBON_DATA_DIR).

Environment:
`

// run is the whole program: it parses args and the environment, wires the
// dataset, cache, registry and HTTP server, and serves until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cmd := ""
	if len(args) > 1 {
		cmd = args[1]
	}
	// Help for the program or for a subcommand (alcarbon keys --help): the
	// usage text covers every subcommand.
	for _, a := range args[1:min(len(args), 3)] {
		if a == "-h" || a == "--help" || a == "help" {
			_, err := fmt.Fprint(stdout, usage+config.Usage())
			return err
		}
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	switch cmd {
	case "":
		return serve(ctx, cfg, stdout)
	case "healthcheck":
		return healthcheck(ctx, cfg)
	case "keys", "pact-clients":
		return admin(ctx, cfg, args[1:], stdout)
	case "pact-partners":
		return partnersAdmin(ctx, cfg, args[1:], getenv, stdout)
	case "registry":
		return registryAdmin(ctx, cfg, args[1:], stdout)
	}
	return fmt.Errorf("unknown command %q; see alcarbon --help", cmd)
}

// accessLog is where the access lines go: the log's output when the log
// level lets Info lines through, else nowhere.
func accessLog(logOut io.Writer, level slog.Level) io.Writer {
	if level > slog.LevelInfo {
		return nil
	}
	return logOut
}

// sizeMemory derives the memory settings left on auto from the container's
// memory limit, if any (config.SizeMemory), and sets the Go runtime's soft
// limit: the GC then works harder as the heap nears it, instead of letting
// it grow to twice the live bytes. A GOMEMLIMIT given to the process
// stands for an ALCARBON_MEMORY_LIMIT left on auto. It returns the
// container's limit [bytes], 0 when there is none.
func sizeMemory(cfg *config.Config) int64 {
	var container int64
	if n, err := memlimit.FromCgroup(); err == nil && n < math.MaxInt64 { // an error: no cgroup or no limit
		container = int64(n)
	}
	if cfg.MemoryLimit == config.Auto && os.Getenv("GOMEMLIMIT") != "" {
		cfg.MemoryLimit = debug.SetMemoryLimit(-1) // the runtime read GOMEMLIMIT from the process's own environment
	}
	cfg.SizeMemory(container)
	if cfg.MemoryLimit > 0 {
		debug.SetMemoryLimit(cfg.MemoryLimit)
	}
	return container
}

// serve runs the HTTP server until ctx is done, then shuts down gracefully:
// drain (/readyz 503, still serving) for the drain period, stop accepting,
// finish in-flight requests within the shutdown timeout, close the cache,
// Redis and the registry.
func serve(ctx context.Context, cfg config.Config, stdout io.Writer) error {
	// Log lines are batched (one access line per request would cost a
	// write system call each): written out every 200 ms, when 64 kB are
	// waiting, after start-up and at the end (the deferred Close runs
	// last).
	logOut := logbuf.New(stdout, 64<<10, 200*time.Millisecond)
	defer logOut.Close()
	log := slog.New(slog.NewJSONHandler(logOut, &slog.HandlerOptions{Level: cfg.LogLevel}))
	containerBytes := sizeMemory(&cfg)
	log.Info("starting", "config", cfg, "container_memory_limit", containerBytes)

	var tlsConfig *tls.Config
	if cfg.TLSCertFile != "" {
		cert, err := loadTLS(cfg)
		if err != nil {
			return err
		}
		// TLS 1.2+ only; HTTP/2 is offered by ServeTLS (ALPN h2, http/1.1).
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
		if time.Now().After(cert.Leaf.NotAfter) {
			log.Warn("the TLS certificate has expired", "file", cfg.TLSCertFile, "not_after", cert.Leaf.NotAfter)
		}
	}
	origin := httpx.Origin{Trusted: cfg.TrustedProxies}
	if cfg.PublicURL != "" {
		u, err := url.Parse(cfg.PublicURL) // validated by config
		if err != nil {
			return fmt.Errorf("ALCARBON_PUBLIC_URL: %w", err)
		}
		origin.Public = u
	}

	catalog, err := factors.Load()
	if err != nil {
		return fmt.Errorf("loading the embedded dataset: %w", err)
	}
	if cfg.DefaultDataset != "" {
		if catalog, err = catalog.WithDefault(cfg.DefaultDataset); err != nil {
			return fmt.Errorf("ALCARBON_DEFAULT_DATASET: %w", err)
		}
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "alcarbon_memory_limit_bytes",
			Help: "The Go runtime's soft memory limit (ALCARBON_MEMORY_LIMIT) [bytes]; 9.2e18 = none.",
		}, func() float64 { return float64(debug.SetMemoryLimit(-1)) }))

	var rdb *redis.Client
	if cfg.RedisURL != "" {
		opt, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return fmt.Errorf("ALCARBON_REDIS_URL: %w", err)
		}
		cache.FailFast(opt)
		rdb = redis.NewClient(opt)
		defer rdb.Close()
	}
	cacheOpts := cache.Options{
		MaxEntries: cfg.CacheMaxEntries, MaxBytes: cfg.CacheMaxBytes, TTL: cfg.CacheTTL, Prefix: "alcarbon:", Logger: log, Registerer: reg,
	}
	if rdb != nil {
		cacheOpts.Redis = rdb
	}
	c, err := cache.New(cacheOpts)
	if err != nil {
		return err
	}
	defer c.Close()
	// Rate limits and the failed-authentication throttle in Redis, so
	// replicas share them; per process while Redis fails.
	var limits *ratelimit.Redis
	if rdb != nil {
		if limits, err = ratelimit.NewRedis(rdb, ratelimit.Options{Prefix: "alcarbon:", Logger: log, Registerer: reg}); err != nil {
			return err
		}
	}

	store, err := registry.Open(ctx, cfg.DatabaseURL, cfg.DataDir, registry.WithSigningKey(cfg.RegistrySigningKey))
	if err != nil {
		if !errors.Is(err, registry.ErrUnavailable) {
			return fmt.Errorf("opening the registry: %w", err)
		}
		// Calculations do not need the registry: serve them, answer 503 on
		// the registry endpoints and keep trying to open the database.
		log.Error("registry unavailable; registry endpoints answer 503 until it is reachable", "error", err.Error())
		store = registry.OpenRetrying(cfg.DatabaseURL, cfg.DataDir, 5*time.Second, func(err error) {
			log.Debug("registry still unavailable", "error", err.Error())
		}, registry.WithSigningKey(cfg.RegistrySigningKey))
	}
	defer store.Close()

	// Batch files of more than 200 rows run as jobs in the registry's
	// database (River); any replica computes their chunks. Without the
	// database at start-up (OpenRetrying), such files are refused.
	var jobs *registry.Jobs
	if jobs, err = registry.OpenJobs(ctx, store, registry.JobsConfig{
		Workers: cfg.BatchWorkers, RescueAfter: cfg.BatchRescueAfter, Logger: log.With("component", "batch-jobs"),
	}); err != nil {
		if !errors.Is(err, registry.ErrUnavailable) {
			return fmt.Errorf("batch jobs: %w", err)
		}
		log.Error("batch jobs unavailable until the next start: the registry database is unavailable", "error", err.Error())
		jobs = nil
	}

	// Answers to PACT footprint request events wait in the registry's
	// outbox; shutdown gives the attempts in flight what is left of the
	// shutdown timeout, and the rest are sent after the next start.
	answers := pact.NewResponder(pact.ResponderOptions{
		Store: store, Logger: log, AllowPrivatePartners: cfg.PACTAllowPrivatePartners, Registerer: reg,
	})
	handler := api.New(api.Options{
		Catalog: catalog, Cache: c, RedisConfigured: rdb != nil, Store: store, Logger: log, AccessLog: accessLog(logOut, cfg.LogLevel),
		Registry: reg, BodyLimit: cfg.BodyLimit, CORSOrigins: cfg.CORSOrigins, PProf: cfg.PProf,
		RateLimit: cfg.RateLimit, RateBurst: cfg.RateBurst, TokenSecret: []byte(cfg.PACTTokenSecret),
		PACTResponder: answers, Origin: origin,
		Work:     api.WorkLimits{MaxUnits: cfg.MaxWork, HeavySlots: cfg.HeavySlots, Deadline: cfg.WriteTimeout},
		Draining: ctx.Done(), SharedLimits: limits,
		Jobs:  jobs,
		Batch: api.BatchLimits{ChunkRows: cfg.BatchChunkRows, MaxRows: cfg.BatchMaxRows, MaxBytes: cfg.BatchMaxBytes},
	})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("ALCARBON_ADDR %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler: handler, ReadTimeout: cfg.ReadTimeout, ReadHeaderTimeout: cfg.ReadTimeout,
		WriteTimeout: cfg.WriteTimeout, IdleTimeout: cfg.IdleTimeout,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn), TLSConfig: tlsConfig,
	}
	serveErr := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			// Only HTTPS: a plain HTTP request on this port gets Go's
			// "400 Client sent an HTTP request to an HTTPS server".
			serveErr <- srv.ServeTLS(ln, "", "")
			return
		}
		serveErr <- srv.Serve(ln)
	}()
	log.Info("listening", "addr", ln.Addr().String(), "tls", tlsConfig != nil, "dataset", catalog.Default().Version())
	if jobs != nil {
		// River's migrations run here, after the listener (registry.Jobs
		// prepare). A shutdown that begins meanwhile cancels them: the
		// queue then never ran, and the server shuts down as usual.
		if err := jobs.Start(ctx); err != nil {
			if ctx.Err() == nil {
				srv.Close()
				return fmt.Errorf("batch jobs: %w", err)
			}
			jobs = nil
		}
	}
	_ = logOut.Flush() // start-up is seen at once; a failing stdout fails nothing else
	// stopAnswers ends the PACT dispatcher before the store closes: what it
	// has not sent stays pending in the outbox for the next start.
	stopAnswers := func(ctx context.Context) {
		if aerr := answers.Shutdown(ctx); aerr != nil {
			log.Warn("PACT answers in flight at the shutdown timeout were dropped", "error", aerr.Error())
		}
		// Chunks cut off by the timeout are computed again, here or on
		// another replica, after ALCARBON_BATCH_RESCUE_AFTER.
		if jobs != nil {
			if jerr := jobs.Stop(ctx); jerr != nil {
				log.Warn("batch job chunks in flight at the shutdown timeout were left to be retried", "error", jerr.Error())
			}
		}
	}
	failed := func(err error) error {
		sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		stopAnswers(sctx)
		return err
	}

	select {
	case err := <-serveErr:
		return failed(err)
	case <-ctx.Done():
	}
	// Drain: /readyz answers 503 from now on (Options.Draining is
	// ctx.Done()), so load balancers take this replica out of rotation,
	// while requests that still arrive are served. Keep-alives end, so
	// clients reconnect through the load balancer to a replica that stays.
	if cfg.ShutdownDrain > 0 {
		log.Info("draining: /readyz answers 503, requests are still served", "drain", cfg.ShutdownDrain.String())
		srv.SetKeepAlivesEnabled(false)
		select {
		case err := <-serveErr:
			return failed(err)
		case <-time.After(cfg.ShutdownDrain):
		}
	}
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	stopAnswers(sctx)
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// healthcheck GETs /healthz on the configured address (for container
// HEALTHCHECKs, whose images have no shell or curl). With TLS configured
// it speaks HTTPS to the loopback address and accepts exactly the
// configured certificate (pinned: the server must present the very
// certificate in ALCARBON_TLS_CERT_FILE), so it works for self-signed
// certificates and for certificates whose names are not the loopback
// address, without trusting any other server.
func healthcheck(ctx context.Context, cfg config.Config) error {
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return err
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	client, scheme := &http.Client{}, "http"
	if cfg.TLSCertFile != "" {
		cert, err := loadTLS(cfg)
		if err != nil {
			return err
		}
		scheme = "https"
		client.Transport = &http.Transport{TLSClientConfig: pinnedTLS(cert.Leaf)}
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz answered %s", strings.TrimSpace(resp.Status))
	}
	return nil
}

// pinnedTLS is a client configuration that accepts only a server
// presenting leaf. The usual chain and name checks are replaced by the
// comparison (InsecureSkipVerify turns them off; VerifyConnection refuses
// every other certificate), which is stricter for the one server it is
// used for: the loopback address of this very process.
func pinnedTLS(leaf *x509.Certificate) *tls.Config {
	return &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 || !bytes.Equal(cs.PeerCertificates[0].Raw, leaf.Raw) {
				return errors.New("the server did not present the certificate in ALCARBON_TLS_CERT_FILE")
			}
			return nil
		},
	}
}

// loadTLS reads the certificate and key files named by
// ALCARBON_TLS_CERT_FILE and ALCARBON_TLS_KEY_FILE. Each error is one
// sentence that names the variable whose file is missing, unreadable or
// wrong; a key that does not belong to the certificate is the key's fault.
func loadTLS(cfg config.Config) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(cfg.TLSCertFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("ALCARBON_TLS_CERT_FILE: cannot read the certificate: %w", err)
	}
	block, _ := pem.Decode(certPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		return tls.Certificate{}, fmt.Errorf("ALCARBON_TLS_CERT_FILE: %s does not start with a PEM CERTIFICATE block", cfg.TLSCertFile)
	}
	if _, err := x509.ParseCertificate(block.Bytes); err != nil {
		return tls.Certificate{}, fmt.Errorf("ALCARBON_TLS_CERT_FILE: %s holds no valid certificate: %w", cfg.TLSCertFile, err)
	}
	keyPEM, err := os.ReadFile(cfg.TLSKeyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("ALCARBON_TLS_KEY_FILE: cannot read the private key: %w", err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("ALCARBON_TLS_KEY_FILE: %s is not a PEM private key of the certificate in ALCARBON_TLS_CERT_FILE: %w", cfg.TLSKeyFile, err)
	}
	return cert, nil
}

// admin runs the registry subcommands: args are e.g. ["keys", "create",
// "--org", "Acme"]. Keys and secrets go to stdout once and nowhere else.
func admin(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) < 2 {
		return fmt.Errorf("%s needs a command; see alcarbon --help", args[0])
	}
	cmd := args[0] + " " + args[1]
	fs := flag.NewFlagSet("alcarbon "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	org := fs.String("org", "", "organisation name")
	if err := fs.Parse(args[2:]); err != nil {
		return fmt.Errorf("%s: %w; see alcarbon --help", cmd, err)
	}
	switch cmd {
	case "keys create", "keys list", "pact-clients create", "pact-clients list":
		if strings.TrimSpace(*org) == "" || fs.NArg() != 0 {
			return fmt.Errorf("usage: alcarbon %s --org NAME", cmd)
		}
	case "keys revoke", "pact-clients revoke":
		if fs.NArg() != 1 {
			return fmt.Errorf("usage: alcarbon %s ID", cmd)
		}
	default:
		return fmt.Errorf("unknown command %q; see alcarbon --help", cmd)
	}

	store, err := registry.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return fmt.Errorf("opening the registry: %w", err)
	}
	defer store.Close()

	switch cmd {
	case "keys create":
		o, created, err := organisation(ctx, store, *org)
		if err != nil {
			return err
		}
		key, k, err := store.CreateAPIKey(ctx, o.ID)
		if err != nil {
			return err
		}
		reportOrg(stdout, o, created)
		fmt.Fprintf(stdout, "key id        %s\napi key       %s\n\n", k.ID, key)
		fmt.Fprintln(stdout, "The key is shown this once; only its SHA-256 is stored. Send it as Authorization: Bearer <key>.")
		return nil
	case "keys list":
		o, err := store.OrganisationByName(ctx, *org)
		if err != nil {
			return err
		}
		keys, err := store.ListAPIKeys(ctx, o.ID)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tPREFIX\tCREATED\tREVOKED")
		for _, k := range keys {
			revoked := "-"
			if k.RevokedAt != nil {
				revoked = k.RevokedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", k.ID, k.Prefix, k.CreatedAt.Format(time.RFC3339), revoked)
		}
		return w.Flush()
	case "keys revoke":
		if err := store.RevokeAPIKey(ctx, fs.Arg(0)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked key %s\n", fs.Arg(0))
		return nil
	case "pact-clients list":
		o, err := store.OrganisationByName(ctx, *org)
		if err != nil {
			return err
		}
		clients, err := store.ListPACTClients(ctx, o.ID)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(w, "CLIENT ID\tCREATED\tREVOKED")
		for _, c := range clients {
			revoked := "-"
			if c.RevokedAt != nil {
				revoked = c.RevokedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\n", c.ClientID, c.CreatedAt.Format(time.RFC3339), revoked)
		}
		return w.Flush()
	case "pact-clients revoke":
		if err := store.RevokePACTClient(ctx, fs.Arg(0)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked PACT client %s\n", fs.Arg(0))
		return nil
	default: // pact-clients create
		o, created, err := organisation(ctx, store, *org)
		if err != nil {
			return err
		}
		id, secret, err := store.CreatePACTClient(ctx, o.ID)
		if err != nil {
			return err
		}
		reportOrg(stdout, o, created)
		fmt.Fprintf(stdout, "client id     %s\nclient secret %s\n\n", id, secret)
		fmt.Fprintln(stdout, "The secret is shown this once; only its SHA-256 is stored. PACT clients get tokens at POST /auth/token (HTTP Basic, grant_type=client_credentials).")
		return nil
	}
}

// partnersAdmin runs the pact-partners subcommands: args are e.g.
// ["pact-partners", "add", "--source", "//buyer.example/pact", …]. The
// client secret is stored and never printed.
func partnersAdmin(ctx context.Context, cfg config.Config, args []string, getenv func(string) string, stdout io.Writer) error {
	const usageAdd = "usage: alcarbon pact-partners add --source SOURCE --base-url URL --client-id ID --client-secret SECRET [--token-url URL] [--org NAME]"
	if len(args) < 2 {
		return errors.New("pact-partners needs a command, add or list; see alcarbon --help")
	}
	cmd := args[1]
	fs := flag.NewFlagSet("alcarbon pact-partners "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var p registry.PACTPartner
	var secret, org string
	fs.StringVar(&p.Source, "source", "", "CloudEvents source of the partner's events")
	fs.StringVar(&p.BaseURL, "base-url", "", "base URL of the partner's PACT API")
	fs.StringVar(&p.TokenURL, "token-url", "", "the partner's token endpoint")
	fs.StringVar(&p.ClientID, "client-id", "", "client ID at the partner")
	fs.StringVar(&secret, "client-secret", "", "client secret at the partner")
	fs.StringVar(&org, "org", "", "the partner's organisation here")
	if err := fs.Parse(args[2:]); err != nil {
		return fmt.Errorf("pact-partners %s: %w; see alcarbon --help", cmd, err)
	}
	switch cmd {
	case "add":
		if secret == "" {
			secret = getenv("ALCARBON_PACT_PARTNER_SECRET")
		}
		if p.Source == "" || p.BaseURL == "" || p.ClientID == "" || secret == "" || fs.NArg() != 0 {
			return errors.New(usageAdd)
		}
		p.ClientSecret = registry.Secret(secret)
		if !cfg.PACTAllowPrivatePartners {
			if err := checkPartnerURLs(ctx, p); err != nil {
				return fmt.Errorf("pact-partners add: %w", err)
			}
		}
	case "list":
		if fs.NFlag() != 0 || fs.NArg() != 0 {
			return errors.New("usage: alcarbon pact-partners list")
		}
	default:
		return fmt.Errorf("unknown command %q; see alcarbon --help", "pact-partners "+cmd)
	}

	store, err := registry.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return fmt.Errorf("opening the registry: %w", err)
	}
	defer store.Close()

	if cmd == "list" {
		ps, err := store.ListPACTPartners(ctx)
		if err != nil {
			return err
		}
		counts, err := store.PACTOutbox(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tSOURCE\tORG\tEVENTS URL\tTOKEN URL\tCLIENT ID\tCREATED\tPENDING\tFAILED")
		for _, p := range ps {
			orgID := p.OrgID
			if orgID == "" {
				orgID = "-"
			}
			c := counts[p.ID]
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\n", p.ID, p.Source, orgID, p.EventsURL(), p.TokenURL, p.ClientID,
				p.CreatedAt.Format(time.RFC3339), c.Pending, c.Failed)
		}
		return w.Flush()
	}
	if strings.TrimSpace(org) != "" {
		o, created, err := organisation(ctx, store, org)
		if err != nil {
			return err
		}
		reportOrg(stdout, o, created)
		p.OrgID = o.ID
	}
	p, err = store.CreatePACTPartner(ctx, p)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "partner id    %s\nsource        %s\nevents url    %s\ntoken url     %s\nclient id     %s\n\n",
		p.ID, p.Source, p.EventsURL(), p.TokenURL, p.ClientID)
	fmt.Fprintln(stdout, "Footprint request events from this source are answered at the events URL. The client secret is stored in the registry database in clear (it must be presented to the partner; the SQLite file is readable by its owner only) and is never printed or logged.")
	return nil
}

// checkPartnerURLs refuses a partner whose base or token URL names, or
// resolves to, an address answers are not sent to (pact.CheckPartnerURL).
func checkPartnerURLs(ctx context.Context, p registry.PACTPartner) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pact.CheckPartnerURL(ctx, nil, "base URL", p.BaseURL); err != nil {
		return err
	}
	if p.TokenURL != "" {
		return pact.CheckPartnerURL(ctx, nil, "token URL", p.TokenURL)
	}
	return nil
}

// organisation returns the organisation named name, creating it if new.
func organisation(ctx context.Context, store registry.Store, name string) (registry.Organisation, bool, error) {
	o, err := store.OrganisationByName(ctx, name)
	if errors.Is(err, registry.ErrNotFound) {
		o, err = store.CreateOrganisation(ctx, name)
		return o, err == nil, err
	}
	return o, false, err
}

func reportOrg(w io.Writer, o registry.Organisation, created bool) {
	verb := "organisation "
	if created {
		verb = "created org  "
	}
	fmt.Fprintf(w, "%s %s (id %s)\n", verb, o.Name, o.ID)
}
