// Package config reads alcarbon's configuration from ALCARBON_* environment
// variables: one table lists every variable with its default, its help text
// and its parser, so Load and Usage cannot drift apart.
package config

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/redis/go-redis/v9"
)

// Config is the validated runtime configuration. The zero value is not
// usable; obtain one from Load.
type Config struct {
	Addr            string        // listen address, host:port
	DataDir         string        // folder of the embedded SQLite registry
	RedisURL        string        // "" = in-process cache only; else redis:// or rediss://
	DatabaseURL     string        // "" = embedded SQLite; else postgres:// or postgresql://
	CacheTTL        time.Duration // lifetime of a cached result, > 0
	CacheMaxEntries int           // in-process cache capacity [entries], 1..10,000,000
	CacheMaxBytes   int64         // in-process cache capacity [bytes of keys and values], 1 MiB..64 GiB; Auto until SizeMemory
	// MemoryLimit is the Go runtime's soft memory limit (as GOMEMLIMIT)
	// [bytes], 32 MiB..4 TiB; 0 = none ("off"); Auto until SizeMemory.
	MemoryLimit     int64
	BodyLimit       int64         // maximum request body [bytes], 1 KiB..64 MiB
	ShutdownTimeout time.Duration // grace period for in-flight requests, > 0
	LogLevel        slog.Level    // debug, info, warn or error
	CORSOrigins     []string      // allowed origins: "*" or scheme://host[:port]; nil = CORS off
	PProf           bool          // serve /debug/pprof
	RateLimit       float64       // write requests per second per API key, > 0
	RateBurst       int           // write requests allowed in a burst per API key, >= 1
	ReadTimeout     time.Duration // http.Server.ReadTimeout, > 0
	WriteTimeout    time.Duration // http.Server.WriteTimeout, > 0
	IdleTimeout     time.Duration // http.Server.IdleTimeout, > 0
	// PACTTokenSecret signs PACT access tokens (HMAC-SHA256); empty = a
	// random secret kept in the registry (pact.Options.TokenSecret). A
	// secret: never logged.
	PACTTokenSecret string
	// DefaultDataset is the dataset version a request without "dataset"
	// uses; "" = the newest released version. main checks it exists and is
	// released.
	DefaultDataset string
	// TLSCertFile and TLSKeyFile are PEM files of the server's certificate
	// (chain) and private key; both set = HTTPS only, both empty = plain
	// HTTP. main reads them at start-up.
	TLSCertFile string
	TLSKeyFile  string
	// TrustedProxies are the networks whose direct connections may set
	// X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host; nil = no one.
	TrustedProxies []netip.Prefix
	// PublicURL is the external base URL of absolute links and of the
	// source of outbound PACT events, scheme://host[:port][/path] without a
	// trailing slash; "" = from the request.
	PublicURL string
	// PACTAllowPrivatePartners lets PACT partners' URLs name loopback,
	// private, link-local and metadata addresses (tests, closed networks).
	PACTAllowPrivatePartners bool
	// MaxWork is the work budget of one calculation request [work units,
	// ≈ µs of CPU on the reference machine], 1000..1e12 (api/work.go).
	MaxWork int64
	// HeavySlots is how many heavy calculations run at once, 0..1024;
	// 0 = the number of CPUs (GOMAXPROCS).
	HeavySlots int
	// RegistrySigningKey signs each new head of the registry's hash chain;
	// nil = no signing. A secret: never logged.
	RegistrySigningKey ed25519.PrivateKey
	// ShutdownDrain is how long the server keeps serving after SIGTERM
	// with /readyz answering 503, so load balancers stop sending before
	// the listener closes; 0 = close at once. ShutdownTimeout follows it.
	ShutdownDrain time.Duration
	// Batch jobs (issue 18): files of more than 200 rows.
	BatchChunkRows   int           // rows per stored chunk (one queue job), 10..10,000
	BatchRescueAfter time.Duration // a chunk running this long is taken to be stuck and retried elsewhere, ≥ 1 s
	BatchWorkers     int           // chunks this replica computes at once, 0..64; 0 = none
	BatchMaxRows     int           // most rows of a batch job, 201..1,000,000
	BatchMaxBytes    int64         // largest batch file [bytes], 1 KiB..1 GiB
}

// Error reports one invalid environment variable. Its message is one
// sentence: the variable's name, then what is wrong and what is allowed.
type Error struct {
	Name   string // e.g. "ALCARBON_CACHE_TTL"
	Reason string // e.g. `"abc" is not a duration; use a Go duration such as 30m or 24h`
}

func (e *Error) Error() string { return e.Name + ": " + e.Reason }

// variable is one row of the configuration table. def is parsed by set
// exactly like a value from the environment, so defaults are validated too.
type variable struct {
	name string
	def  string
	help string
	set  func(c *Config, value string) error
}

const (
	minBodyLimit       = 1 << 10  // 1 KiB
	maxBodyLimit       = 64 << 20 // 64 MiB
	maxCacheMaxEntries = 10_000_000
	minCacheMaxBytes   = 1 << 20  // 1 MiB
	maxCacheMaxBytes   = 64 << 30 // 64 GiB
	minMemoryLimit     = 32 << 20 // 32 MiB
	maxMemoryLimit     = 4 << 40  // 4 TiB
	maxRateBurst       = 1_000_000
	masked             = "xxxxx" // what url.URL.Redacted puts in place of a password
	minTokenSecret     = 32
	minMaxWork         = 1000
	maxMaxWork         = 1_000_000_000_000
	maxHeavySlots      = 1024
	maxBatchMaxBytes   = 1 << 30 // 1 GiB
)

var variables = []variable{
	{"ALCARBON_ADDR", ":8080",
		"listen address, host:port or :port",
		func(c *Config, v string) (err error) { c.Addr, err = parseAddr(v); return err }},
	{"ALCARBON_DATA_DIR", "./data",
		"folder of the embedded SQLite registry (used when ALCARBON_DATABASE_URL is empty)",
		func(c *Config, v string) error { c.DataDir = v; return nil }},
	{"ALCARBON_REDIS_URL", "",
		"Redis as second cache tier: redis://[[user]:password@]host[:port][/db] or rediss://… for TLS; empty = in-process cache only",
		func(c *Config, v string) (err error) { c.RedisURL, err = parseRedisURL(v); return err }},
	{"ALCARBON_DATABASE_URL", "",
		"registry database: postgres://user:password@host[:port]/db (or postgresql://); empty = embedded SQLite in ALCARBON_DATA_DIR",
		func(c *Config, v string) (err error) { c.DatabaseURL, err = parseDatabaseURL(v); return err }},
	{"ALCARBON_CACHE_TTL", "24h",
		"lifetime of a cached result, a Go duration > 0 such as 30m or 24h",
		func(c *Config, v string) (err error) { c.CacheTTL, err = parseDuration(v, "30m or 24h"); return err }},
	{"ALCARBON_CACHE_MAX_ENTRIES", "10000",
		"in-process cache capacity, entries, 1 to 10000000",
		func(c *Config, v string) (err error) {
			c.CacheMaxEntries, err = parseInt(v, 1, maxCacheMaxEntries)
			return err
		}},
	{"ALCARBON_CACHE_MAX_BYTES", "auto",
		"in-process cache capacity, bytes of keys and values (least recently used evicted first), 1MiB to 64GiB; auto = half of the memory limit above 64MiB, or 32MiB without a limit",
		func(c *Config, v string) (err error) {
			if v == "auto" {
				c.CacheMaxBytes = Auto
				return nil
			}
			c.CacheMaxBytes, err = parseSize(v, minCacheMaxBytes, maxCacheMaxBytes)
			return orWord(err, "auto")
		}},
	{"ALCARBON_MEMORY_LIMIT", "auto",
		"soft memory limit of the Go runtime (the GC works harder near it; like GOMEMLIMIT), 32MiB to 4TiB, or off; auto = 90% of the container's (cgroup) memory limit when there is one, else twice the cache capacity plus 64MiB (128MiB with the default cache)",
		func(c *Config, v string) (err error) {
			switch v {
			case "auto":
				c.MemoryLimit = Auto
			case "off":
				c.MemoryLimit = 0
			default:
				c.MemoryLimit, err = parseSize(v, minMemoryLimit, maxMemoryLimit)
			}
			return orWord(err, "auto or off")
		}},
	{"ALCARBON_BODY_LIMIT", "1MiB",
		"maximum request body, bytes or a size such as 512KiB, 1MiB or 2MB, 1KiB to 64MiB (POST /v1/pv accepts at least 4MiB, for EPW files)",
		func(c *Config, v string) (err error) {
			c.BodyLimit, err = parseSize(v, minBodyLimit, maxBodyLimit)
			return err
		}},
	{"ALCARBON_SHUTDOWN_TIMEOUT", "15s",
		"grace period for in-flight requests on shutdown, a Go duration > 0",
		func(c *Config, v string) (err error) {
			c.ShutdownTimeout, err = parseDuration(v, "15s or 1m")
			return err
		}},
	{"ALCARBON_LOG_LEVEL", "info",
		"minimum log level: debug, info, warn or error",
		func(c *Config, v string) (err error) { c.LogLevel, err = parseLevel(v); return err }},
	{"ALCARBON_CORS_ORIGINS", "",
		"comma-separated origins allowed by CORS, each * or http(s)://host[:port] without a path; empty = CORS off",
		func(c *Config, v string) (err error) { c.CORSOrigins, err = parseOrigins(v); return err }},
	{"ALCARBON_PPROF", "false",
		"serve /debug/pprof: 1, 0, true or false",
		func(c *Config, v string) (err error) { c.PProf, err = parseBool(v); return err }},
	{"ALCARBON_RATE_LIMIT", "10",
		"write requests per second per API key, a number > 0",
		func(c *Config, v string) (err error) { c.RateLimit, err = parsePositiveFloat(v); return err }},
	{"ALCARBON_RATE_BURST", "20",
		"write requests allowed in a burst per API key, 1 to 1000000",
		func(c *Config, v string) (err error) { c.RateBurst, err = parseInt(v, 1, maxRateBurst); return err }},
	{"ALCARBON_READ_TIMEOUT", "15s",
		"time to read a whole request, a Go duration > 0",
		func(c *Config, v string) (err error) { c.ReadTimeout, err = parseDuration(v, "15s or 1m"); return err }},
	{"ALCARBON_WRITE_TIMEOUT", "60s",
		"time to handle a request and write the response, a Go duration > 0",
		func(c *Config, v string) (err error) { c.WriteTimeout, err = parseDuration(v, "60s or 2m"); return err }},
	{"ALCARBON_IDLE_TIMEOUT", "120s",
		"time a keep-alive connection may stay idle, a Go duration > 0",
		func(c *Config, v string) (err error) { c.IdleTimeout, err = parseDuration(v, "120s or 5m"); return err }},
	{"ALCARBON_PACT_TOKEN_SECRET", "",
		"secret that signs PACT access tokens, at least 32 characters; set the same value on every replica; empty = a random secret created once and kept in the registry, which every replica sharing the registry uses (tokens survive restarts)",
		func(c *Config, v string) error {
			if v != "" && len(v) < minTokenSecret {
				return fmt.Errorf("is %d characters long; use at least %d random characters", len(v), minTokenSecret)
			}
			c.PACTTokenSecret = v
			return nil
		}},
	{"ALCARBON_DEFAULT_DATASET", "",
		"dataset version used by requests that pin none, a released version such as 2026.1 (GET /v1/datasets lists them); empty = the newest released version",
		func(c *Config, v string) error {
			if v != "" && !isDottedVersion(v) {
				return fmt.Errorf("%q is not a dataset version; use a released version such as 2026.1, or leave it empty for the newest", v)
			}
			c.DefaultDataset = v
			return nil
		}},
	{"ALCARBON_TLS_CERT_FILE", "",
		"PEM file of the server certificate (and chain) for HTTPS; set together with ALCARBON_TLS_KEY_FILE, then the server speaks only HTTPS (TLS 1.2+, HTTP/2); empty = plain HTTP",
		func(c *Config, v string) error { c.TLSCertFile = v; return nil }},
	{"ALCARBON_TLS_KEY_FILE", "",
		"PEM file of the private key of ALCARBON_TLS_CERT_FILE; set both or neither",
		func(c *Config, v string) error { c.TLSKeyFile = v; return nil }},
	{"ALCARBON_TRUSTED_PROXIES", "",
		"comma-separated networks (CIDR, such as 10.0.0.0/8 or 2001:db8::/32; a bare IP is one address) of reverse proxies whose X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host are believed; empty = believed from no one",
		func(c *Config, v string) (err error) { c.TrustedProxies, err = parseCIDRs(v); return err }},
	{"ALCARBON_PUBLIC_URL", "",
		"external base URL of the service, http(s)://host[:port][/path] without query, used for absolute links and the source of outbound PACT events; empty = from the request (and trusted proxies)",
		func(c *Config, v string) (err error) { c.PublicURL, err = parsePublicURL(v); return err }},
	{"ALCARBON_PACT_ALLOW_PRIVATE_PARTNERS", "false",
		"let PACT partner URLs (pact-partners add, and the answers' connections) reach loopback, private, link-local and cloud metadata addresses: 1, 0, true or false; for tests and closed networks only",
		func(c *Config, v string) (err error) { c.PACTAllowPrivatePartners, err = parseBool(v); return err }},
	// Bounded work per request (issue 16).
	{"ALCARBON_MAX_WORK", "2000000",
		"work budget of one calculation request, in work units (≈ µs of CPU on a 2-core reference machine; 2000000 ≈ 2 CPU-seconds), 1000 to 1000000000000; a request priced above it is a 422 naming the fields that drive its cost",
		func(c *Config, v string) (err error) {
			n, err := parseInt(v, minMaxWork, maxMaxWork)
			c.MaxWork = int64(n)
			return err
		}},
	{"ALCARBON_HEAVY_SLOTS", "0",
		"heavy calculations (uncertainty, scenarios, PV, anything over ≈ 1 ms) run at once, 0 to 1024; 0 = the number of CPUs; a heavy request that finds no slot within 1 s is a 503 with Retry-After",
		func(c *Config, v string) (err error) { c.HeavySlots, err = parseInt(v, 0, maxHeavySlots); return err }},
	// Tamper evidence for the registry (issue 16).
	{"ALCARBON_REGISTRY_SIGNING_KEY", "",
		"Ed25519 private key that signs each new head of the registry's hash chain: standard base64 of the 32-byte seed or 64-byte key, or a PEM \"PRIVATE KEY\" (PKCS #8); its public key is served at /.well-known/alcarbon-registry-key and checked by alcarbon registry verify; empty = unsigned (an operator with database access could then rewrite the whole chain unnoticed)",
		func(c *Config, v string) (err error) { c.RegistrySigningKey, err = parseSigningKey(v); return err }},
	// Three replicas behave as one (issue 16).
	{"ALCARBON_SHUTDOWN_DRAIN", "5s",
		"after SIGTERM, how long /readyz answers 503 while requests are still served (so a load balancer stops sending here), before the listener closes and ALCARBON_SHUTDOWN_TIMEOUT starts; a Go duration ≥ 0, 0 = no drain",
		func(c *Config, v string) (err error) {
			c.ShutdownDrain, err = parseNonNegativeDuration(v, "5s or 0")
			return err
		}},
	// Batch jobs (issue 18).
	{"ALCARBON_BATCH_CHUNK_ROWS", "500",
		"rows of a batch job stored and computed together (one queue job, one transaction of results), 10 to 10000",
		func(c *Config, v string) (err error) { c.BatchChunkRows, err = parseInt(v, 10, 10_000); return err }},
	{"ALCARBON_BATCH_RESCUE_AFTER", "30s",
		"how long a chunk of a batch job may run before it is taken to be stuck (its replica died) and computed again by another; a Go duration of at least 1s, above the longest a chunk takes",
		func(c *Config, v string) (err error) {
			c.BatchRescueAfter, err = parseDuration(v, "30s or 1m")
			if err == nil && c.BatchRescueAfter < time.Second {
				err = fmt.Errorf("%q is shorter than 1s; use 30s or 1m", v)
			}
			return err
		}},
	{"ALCARBON_BATCH_WORKERS", "1",
		"chunks of batch jobs this replica computes at once, 0 to 64, each in a heavy-calculation slot taken only when no request waits for one; 0 = this replica computes none (it still accepts jobs and serves their results)",
		func(c *Config, v string) (err error) { c.BatchWorkers, err = parseInt(v, 0, 64); return err }},
	{"ALCARBON_BATCH_MAX_ROWS", "100000",
		"most rows a batch job may have, 201 to 1000000 (up to 200 rows are answered at once)",
		func(c *Config, v string) (err error) { c.BatchMaxRows, err = parseInt(v, 201, 1_000_000); return err }},
	{"ALCARBON_BATCH_MAX_BYTES", "64MiB",
		"largest batch file posted to POST /v1/batches, bytes or a size such as 64MiB, 1KiB to 1GiB (a file of up to 200 rows is also bounded by ALCARBON_BODY_LIMIT)",
		func(c *Config, v string) (err error) {
			c.BatchMaxBytes, err = parseSize(v, minBodyLimit, maxBatchMaxBytes)
			return err
		}},
}

// parseSigningKey accepts "", standard base64 of an Ed25519 seed (32
// bytes) or private key (64 bytes), or a PEM "PRIVATE KEY" (PKCS #8)
// holding an Ed25519 key. The key is not echoed in errors.
func parseSigningKey(v string) (ed25519.PrivateKey, error) {
	if v == "" {
		return nil, nil
	}
	if block, _ := pem.Decode([]byte(v)); block != nil {
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if key, ok := k.(ed25519.PrivateKey); err == nil && ok {
			return key, nil
		}
		return nil, errors.New("is a PEM block but not a PKCS #8 Ed25519 private key")
	}
	b, err := base64.StdEncoding.DecodeString(v)
	switch {
	case err == nil && len(b) == ed25519.SeedSize:
		return ed25519.NewKeyFromSeed(b), nil
	case err == nil && len(b) == ed25519.PrivateKeySize:
		key := ed25519.NewKeyFromSeed(b[:ed25519.SeedSize])
		if !key.Equal(ed25519.PrivateKey(b)) {
			return nil, errors.New("is 64 bytes but not an Ed25519 private key (seed and public key disagree)")
		}
		return key, nil
	}
	return nil, errors.New("is not an Ed25519 private key; use standard base64 of the 32-byte seed (openssl rand -base64 32) or a PEM PRIVATE KEY (openssl genpkey -algorithm ed25519)")
}

// checkTLSPair reports a certificate without a key or a key without a
// certificate.
func checkTLSPair(c Config) error {
	if (c.TLSCertFile == "") == (c.TLSKeyFile == "") {
		return nil
	}
	set, unset := "ALCARBON_TLS_CERT_FILE", "ALCARBON_TLS_KEY_FILE"
	if c.TLSCertFile == "" {
		set, unset = unset, set
	}
	return &Error{Name: set, Reason: "is set but " + unset + " is not; set both ALCARBON_TLS_CERT_FILE and ALCARBON_TLS_KEY_FILE for HTTPS, or neither for plain HTTP"}
}

// parseCIDRs splits a comma-separated list of networks; a bare address is
// the network of that one address. Empty items are skipped; host bits set
// (10.0.0.1/8) are an error, as they suggest a typing mistake.
func parseCIDRs(v string) ([]netip.Prefix, error) {
	var nets []netip.Prefix
	for s := range strings.SplitSeq(v, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil || a.Zone() != "" {
				return nil, fmt.Errorf("%q is not a network; use CIDRs such as 10.0.0.0/8 or 2001:db8::/32, or single addresses, comma-separated", s)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		if p.Masked() != p {
			return nil, fmt.Errorf("%q has host bits set; use the network address, %s", s, p.Masked())
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 { // ::ffff:10.0.0.0/104 is 10.0.0.0/8
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		nets = append(nets, p)
	}
	return nets, nil
}

// parsePublicURL accepts "" or an absolute http(s) URL with a host, no user
// info, query or fragment; a trailing slash is dropped.
func parsePublicURL(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !validHost(u.Hostname()) || u.Opaque != "" ||
		u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(v, "#") {
		return "", fmt.Errorf("%q is not a public URL; use http(s)://host[:port][/path] without query or fragment, such as https://carbon.example.com", v)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.ParseUint(p, 10, 16); err != nil || n == 0 {
			return "", fmt.Errorf("%q is not a public URL; its port is not from 1 to 65535", v)
		}
	}
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	u.Path, u.RawPath = strings.TrimRight(u.Path, "/"), ""
	return u.String(), nil
}

// isDottedVersion reports whether v is numbers joined by dots, as 2026.1.
func isDottedVersion(v string) bool {
	for _, p := range strings.Split(v, ".") {
		if _, err := strconv.ParseUint(p, 10, 32); err != nil {
			return false
		}
	}
	return true
}

// Auto marks a memory setting (CacheMaxBytes, MemoryLimit) that Load left
// for SizeMemory to derive.
const Auto int64 = -1

// The sizes SizeMemory derives memory settings from.
const (
	// DefaultCacheMaxBytes is the cache capacity when no memory limit is
	// known [bytes].
	DefaultCacheMaxBytes = 32 << 20
	// memoryBaseBytes is what the process holds besides the cache, with
	// room for in-flight requests [bytes]: measured at ≈ 35 MiB RSS idle
	// with both datasets, engines and the SQLite registry loaded
	// (BENCHMARKS.md).
	memoryBaseBytes = 64 << 20
	// cgroupShare is the share of a container's memory limit the Go heap
	// may approach, leaving room for stacks, the binary and the runtime:
	// automemlimit's default ratio (github.com/KimMachineGun/automemlimit,
	// the library main reads the limit with).
	cgroupShare = 0.9
)

// SizeMemory fills the memory settings left on auto. cgroupBytes is the
// container's memory limit (0 = none):
//
//	limit = ALCARBON_MEMORY_LIMIT, else 0.9 × cgroupBytes, else 2 × cache + 64 MiB
//	cache = ALCARBON_CACHE_MAX_BYTES, else (limit − 64 MiB) / 2 (at least
//	        1 MiB) when a limit is set or read, else 32 MiB
//
// so that the cache's bytes, the rest of the process and the GC's headroom
// above its live heap fit under the limit (a heap at the limit after a
// cycle that found the cache full and the rest at its base is twice the
// live bytes, GOGC=100).
func (c *Config) SizeMemory(cgroupBytes int64) {
	if c.MemoryLimit == Auto && cgroupBytes > 0 {
		c.MemoryLimit = max(int64(float64(cgroupBytes)*cgroupShare), minMemoryLimit)
	}
	if c.CacheMaxBytes == Auto {
		c.CacheMaxBytes = DefaultCacheMaxBytes
		if c.MemoryLimit > 0 {
			c.CacheMaxBytes = max((c.MemoryLimit-memoryBaseBytes)/2, minCacheMaxBytes)
		}
	}
	if c.MemoryLimit == Auto {
		c.MemoryLimit = 2*c.CacheMaxBytes + memoryBaseBytes
	}
}

// Load reads every variable with getenv (os.Getenv in production); an unset
// or blank variable takes its default. It returns all invalid variables at
// once, joined, each as an *Error; the Config is then the zero value.
// Unknown ALCARBON_* variables are ignored.
func Load(getenv func(string) string) (Config, error) {
	var c Config
	var errs []error
	for _, v := range variables {
		value := strings.TrimSpace(getenv(v.name))
		if value == "" {
			value = v.def
		}
		if err := v.set(&c, value); err != nil {
			errs = append(errs, &Error{Name: v.name, Reason: err.Error()})
		}
	}
	if err := checkTLSPair(c); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	return c, nil
}

// Usage returns the help text for `alcarbon --help`: one line per variable
// with its default and what is allowed.
func Usage() string {
	var b strings.Builder
	b.WriteString("Environment variables (all optional):\n\n")
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, v := range variables {
		def := strconv.Quote(v.def)
		if v.def == "" {
			def = "none"
		}
		fmt.Fprintf(w, "  %s\tdefault %s\t%s\n", v.name, def, v.help)
	}
	w.Flush()
	return b.String()
}

// LogValue implements slog.LogValuer. Passwords in RedisURL and DatabaseURL,
// in the user info or in a *password* query parameter, are replaced by
// "xxxxx".
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("addr", c.Addr),
		slog.String("data_dir", c.DataDir),
		slog.String("redis_url", redactURL(c.RedisURL)),
		slog.String("database_url", redactURL(c.DatabaseURL)),
		slog.Duration("cache_ttl", c.CacheTTL),
		slog.Int("cache_max_entries", c.CacheMaxEntries),
		slog.Int64("cache_max_bytes", c.CacheMaxBytes),
		slog.Int64("memory_limit", c.MemoryLimit),
		slog.Int64("body_limit", c.BodyLimit),
		slog.Duration("shutdown_timeout", c.ShutdownTimeout),
		slog.String("log_level", c.LogLevel.String()),
		slog.String("cors_origins", strings.Join(c.CORSOrigins, ",")),
		slog.Bool("pprof", c.PProf),
		slog.Float64("rate_limit", c.RateLimit),
		slog.Int("rate_burst", c.RateBurst),
		slog.Duration("read_timeout", c.ReadTimeout),
		slog.Duration("write_timeout", c.WriteTimeout),
		slog.Duration("idle_timeout", c.IdleTimeout),
		slog.String("pact_token_secret", maskSecret(c.PACTTokenSecret)),
		slog.String("default_dataset", c.DefaultDataset),
		slog.String("tls_cert_file", c.TLSCertFile),
		slog.String("tls_key_file", c.TLSKeyFile),
		slog.String("trusted_proxies", joinPrefixes(c.TrustedProxies)),
		slog.String("public_url", c.PublicURL),
		slog.Bool("pact_allow_private_partners", c.PACTAllowPrivatePartners),
		slog.Int64("max_work", c.MaxWork),
		slog.Int("heavy_slots", c.HeavySlots),
		slog.String("registry_signing_key", maskSecret(string(c.RegistrySigningKey))),
		slog.Duration("shutdown_drain", c.ShutdownDrain),
	)
}

func joinPrefixes(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}

// maskSecret shows only whether a secret is set.
func maskSecret(s string) string {
	if s == "" {
		return ""
	}
	return masked
}

// redactURL masks the password of a URL, in its user info and in any query
// parameter whose name contains "password" (libpq's password, sslpassword).
// A value that does not parse as a URL is masked whole.
func redactURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return masked
	}
	if u.RawQuery != "" {
		q := u.Query()
		changed := false
		for k := range q {
			if strings.Contains(strings.ToLower(k), "password") {
				q[k] = []string{masked}
				changed = true
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
	}
	return u.Redacted()
}

func parseAddr(v string) (string, error) {
	_, port, err := net.SplitHostPort(v)
	if err == nil {
		_, err = strconv.ParseUint(port, 10, 16)
	}
	if err != nil {
		return "", fmt.Errorf("%q is not a listen address; use host:port or :port with a port from 0 to 65535, such as :8080", v)
	}
	return v, nil
}

func parseDuration(v, examples string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration; use a Go duration such as %s", v, examples)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q is not positive; use a Go duration greater than zero such as %s", v, examples)
	}
	return d, nil
}

// parseNonNegativeDuration is parseDuration that also accepts zero.
func parseNonNegativeDuration(v, examples string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration; use a Go duration such as %s", v, examples)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative; use a Go duration of zero or more such as %s", v, examples)
	}
	return d, nil
}

func parseInt(v string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("%q is not a whole number; use a whole number from %d to %d", v, lo, hi)
	}
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%q is out of range; use a whole number from %d to %d", v, lo, hi)
	}
	return n, nil
}

// sizeUnits are the accepted size suffixes, lower-cased: SI (kB = 1000 B)
// and IEC (KiB = 1024 B).
var sizeUnits = map[string]int64{
	"": 1, "b": 1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// parseSize parses bytes ("1048576") or a whole number with a unit
// ("512KiB", "1MiB", "2MB", case-insensitive, optional space) and checks
// lo <= size <= hi.
func parseSize(v string, lo, hi int64) (int64, error) {
	bad := fmt.Errorf("%q is not a size; use bytes or a size such as 512KiB, 1MiB or 2MB", v)
	i := strings.IndexFunc(v, func(r rune) bool { return r < '0' || r > '9' })
	if i == 0 {
		return 0, bad
	}
	digits, unit := v, ""
	if i > 0 {
		digits, unit = v[:i], strings.ToLower(strings.TrimSpace(v[i:]))
	}
	mult, ok := sizeUnits[unit]
	if !ok {
		return 0, bad
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if (err != nil && !errors.Is(err, strconv.ErrRange)) || err == nil && n < 0 {
		return 0, bad
	}
	if err != nil || n > math.MaxInt64/mult || n*mult < lo || n*mult > hi {
		return 0, fmt.Errorf("%q is out of range; use a size from %s to %s", v, formatSize(lo), formatSize(hi))
	}
	return n * mult, nil
}

// orWord adds the words a variable accepts besides a size to parseSize's
// error, if any.
func orWord(err error, words string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w, or %s", err, words)
}

// formatSize writes n in the largest IEC unit that divides it.
func formatSize(n int64) string {
	switch {
	case n >= 1<<40 && n%(1<<40) == 0:
		return strconv.FormatInt(n>>40, 10) + "TiB"
	case n >= 1<<30 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + "GiB"
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + "MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + "KiB"
	}
	return strconv.FormatInt(n, 10) + "B"
}

func parseLevel(v string) (slog.Level, error) {
	switch strings.ToLower(v) {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("%q is not a log level; use debug, info, warn or error", v)
}

// parseOrigins splits a comma-separated list; empty items are skipped.
// Scheme and host are lower-cased, as browsers send them in Origin.
func parseOrigins(v string) ([]string, error) {
	var origins []string
	for o := range strings.SplitSeq(v, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		if o == "*" {
			origins = append(origins, o)
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !validHost(u.Hostname()) ||
			u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery ||
			strings.HasSuffix(o, "#") {
			return nil, fmt.Errorf("%q is not an origin; use * or http(s)://host[:port] without a path, comma-separated", o)
		}
		origins = append(origins, u.Scheme+"://"+strings.ToLower(u.Host))
	}
	return origins, nil
}

// validHost reports whether h is an IP address or a DNS name of letters,
// digits, hyphens and dots (no wildcards: use "*" to allow every origin).
func validHost(h string) bool {
	if h == "" {
		return false
	}
	if net.ParseIP(h) != nil {
		return true
	}
	for _, r := range h {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '-' && r != '.' {
			return false
		}
	}
	return true
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "true":
		return true, nil
	case "0", "false":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean; use 1, 0, true or false", v)
}

func parsePositiveFloat(v string) (float64, error) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not a number; use a number greater than zero such as 10 or 0.5", v)
	}
	if f <= 0 {
		return 0, fmt.Errorf("%q is not positive; use a number greater than zero such as 10 or 0.5", v)
	}
	return f, nil
}

// parseRedisURL accepts "" or a URL that redis.ParseURL accepts with scheme
// redis or rediss. Error messages show the value with its password masked,
// or not at all if it does not parse as a URL.
func parseRedisURL(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	const allowed = "use redis://[[user]:password@]host[:port][/db] or rediss:// for TLS"
	u, err := url.Parse(v)
	if err != nil {
		return "", errors.New("the value is not a valid URL (not shown, it may hold a password); " + allowed)
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" {
		return "", fmt.Errorf("%q does not have scheme redis or rediss; %s", redactURL(v), allowed)
	}
	if _, err := redis.ParseURL(v); err != nil {
		return "", fmt.Errorf("%q is not a valid Redis URL; %s", redactURL(v), allowed)
	}
	return v, nil
}

// parseDatabaseURL accepts "" or a URL with scheme postgres or postgresql.
func parseDatabaseURL(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	const allowed = "use postgres://user:password@host[:port]/database or postgresql://…, or leave it empty for embedded SQLite"
	u, err := url.Parse(v)
	if err != nil {
		return "", errors.New("the value is not a valid URL (not shown, it may hold a password); " + allowed)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return "", fmt.Errorf("%q does not have scheme postgres or postgresql; %s", redactURL(v), allowed)
	}
	return v, nil
}
