package config

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"log/slog"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

// allVariables is written out by hand, not taken from the table, so that a
// variable missing from the table fails the tests.
var allVariables = []string{
	"ALCARBON_ADDR",
	"ALCARBON_DATA_DIR",
	"ALCARBON_REDIS_URL",
	"ALCARBON_DATABASE_URL",
	"ALCARBON_CACHE_TTL",
	"ALCARBON_CACHE_MAX_ENTRIES",
	"ALCARBON_CACHE_MAX_BYTES",
	"ALCARBON_MEMORY_LIMIT",
	"ALCARBON_BODY_LIMIT",
	"ALCARBON_SHUTDOWN_TIMEOUT",
	"ALCARBON_LOG_LEVEL",
	"ALCARBON_CORS_ORIGINS",
	"ALCARBON_PPROF",
	"ALCARBON_RATE_LIMIT",
	"ALCARBON_RATE_BURST",
	"ALCARBON_READ_TIMEOUT",
	"ALCARBON_WRITE_TIMEOUT",
	"ALCARBON_IDLE_TIMEOUT",
	"ALCARBON_PACT_TOKEN_SECRET",
	"ALCARBON_DEFAULT_DATASET",
	"ALCARBON_TLS_CERT_FILE",
	"ALCARBON_TLS_KEY_FILE",
	"ALCARBON_TRUSTED_PROXIES",
	"ALCARBON_PUBLIC_URL",
	"ALCARBON_PACT_ALLOW_PRIVATE_PARTNERS",
	"ALCARBON_MAX_WORK",
	"ALCARBON_HEAVY_SLOTS",
	"ALCARBON_REGISTRY_SIGNING_KEY",
	"ALCARBON_SHUTDOWN_DRAIN",
	"ALCARBON_BATCH_CHUNK_ROWS",
	"ALCARBON_BATCH_RESCUE_AFTER",
	"ALCARBON_BATCH_WORKERS",
	"ALCARBON_BATCH_MAX_ROWS",
	"ALCARBON_BATCH_MAX_BYTES",
}

// defaults is the configuration documented in the brief, written out by hand.
func defaults() Config {
	return Config{
		Addr:            ":8080",
		DataDir:         "./data",
		CacheTTL:        24 * time.Hour,
		CacheMaxEntries: 10000,
		CacheMaxBytes:   Auto,
		MemoryLimit:     Auto,
		BodyLimit:       1 << 20,
		ShutdownTimeout: 15 * time.Second,
		LogLevel:        slog.LevelInfo,
		RateLimit:       10,
		RateBurst:       20,
		ReadTimeout:     15 * time.Second,
		WriteTimeout:    60 * time.Second,
		IdleTimeout:     120 * time.Second,
		MaxWork:         2_000_000,
		ShutdownDrain:   5 * time.Second,
		// Batch jobs: the brief's "500 rows per chunk", a rescue in tens of
		// seconds, few workers per replica, 100,000 rows.
		BatchChunkRows:   500,
		BatchRescueAfter: 30 * time.Second,
		BatchWorkers:     1,
		BatchMaxRows:     100_000,
		BatchMaxBytes:    64 << 20,
	}
}

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
	}{
		{"empty environment", nil},
		{"blank values", map[string]string{"ALCARBON_ADDR": "  ", "ALCARBON_CACHE_TTL": "", "ALCARBON_LOG_LEVEL": "\t"}},
		{"unknown ALCARBON variable ignored", map[string]string{"ALCARBON_NO_SUCH_THING": "whatever"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Load(env(tc.env))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if want := defaults(); !reflect.DeepEqual(got, want) {
				t.Errorf("Load =\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestLoadReadsEveryVariable(t *testing.T) {
	read := map[string]bool{}
	if _, err := Load(func(k string) string { read[k] = true; return "" }); err != nil {
		t.Fatal(err)
	}
	for _, name := range allVariables {
		if !read[name] {
			t.Errorf("Load did not read %s", name)
		}
	}
	if len(read) != len(allVariables) {
		t.Errorf("Load read %d variables, want %d: %v", len(read), len(allVariables), read)
	}
}

func TestLoadValid(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want func(c *Config) // applied to defaults()
	}{
		{
			name: "every variable set",
			env: map[string]string{
				"ALCARBON_ADDR":                        "127.0.0.1:9090",
				"ALCARBON_DATA_DIR":                    "/var/lib/alcarbon",
				"ALCARBON_REDIS_URL":                   "redis://:s3cret@cache:6379/2",
				"ALCARBON_DATABASE_URL":                "postgres://app:pw@db:5432/alcarbon?sslmode=disable",
				"ALCARBON_CACHE_TTL":                   "30m",
				"ALCARBON_CACHE_MAX_ENTRIES":           "500",
				"ALCARBON_CACHE_MAX_BYTES":             "1GiB",
				"ALCARBON_MEMORY_LIMIT":                "3GiB",
				"ALCARBON_BODY_LIMIT":                  "512KiB",
				"ALCARBON_SHUTDOWN_TIMEOUT":            "5s",
				"ALCARBON_LOG_LEVEL":                   "debug",
				"ALCARBON_CORS_ORIGINS":                "https://a.example, http://localhost:3000",
				"ALCARBON_PPROF":                       "1",
				"ALCARBON_RATE_LIMIT":                  "2.5",
				"ALCARBON_RATE_BURST":                  "7",
				"ALCARBON_READ_TIMEOUT":                "3s",
				"ALCARBON_WRITE_TIMEOUT":               "1m30s",
				"ALCARBON_IDLE_TIMEOUT":                "10m",
				"ALCARBON_PACT_TOKEN_SECRET":           "0123456789abcdef0123456789abcdef",
				"ALCARBON_DEFAULT_DATASET":             "2026.1",
				"ALCARBON_TLS_CERT_FILE":               "/etc/alcarbon/cert.pem",
				"ALCARBON_TLS_KEY_FILE":                "/etc/alcarbon/key.pem",
				"ALCARBON_TRUSTED_PROXIES":             "10.0.0.0/8, 2001:db8::/32",
				"ALCARBON_PUBLIC_URL":                  "https://carbon.example.com",
				"ALCARBON_PACT_ALLOW_PRIVATE_PARTNERS": "1",
				"ALCARBON_MAX_WORK":                    "500000",
				"ALCARBON_HEAVY_SLOTS":                 "3",
				"ALCARBON_SHUTDOWN_DRAIN":              "1500ms",
				"ALCARBON_BATCH_CHUNK_ROWS":            "100",
				"ALCARBON_BATCH_RESCUE_AFTER":          "5s",
				"ALCARBON_BATCH_WORKERS":               "0",
				"ALCARBON_BATCH_MAX_ROWS":              "2000",
				"ALCARBON_BATCH_MAX_BYTES":             "1GiB",
			},
			want: func(c *Config) {
				*c = Config{
					Addr:                     "127.0.0.1:9090",
					DataDir:                  "/var/lib/alcarbon",
					RedisURL:                 "redis://:s3cret@cache:6379/2",
					DatabaseURL:              "postgres://app:pw@db:5432/alcarbon?sslmode=disable",
					CacheTTL:                 30 * time.Minute,
					CacheMaxEntries:          500,
					CacheMaxBytes:            1 << 30,
					MemoryLimit:              3 << 30,
					BodyLimit:                512 << 10,
					ShutdownTimeout:          5 * time.Second,
					LogLevel:                 slog.LevelDebug,
					CORSOrigins:              []string{"https://a.example", "http://localhost:3000"},
					PProf:                    true,
					RateLimit:                2.5,
					RateBurst:                7,
					ReadTimeout:              3 * time.Second,
					WriteTimeout:             90 * time.Second,
					IdleTimeout:              10 * time.Minute,
					PACTTokenSecret:          "0123456789abcdef0123456789abcdef",
					DefaultDataset:           "2026.1",
					TLSCertFile:              "/etc/alcarbon/cert.pem",
					TLSKeyFile:               "/etc/alcarbon/key.pem",
					TrustedProxies:           []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")},
					PublicURL:                "https://carbon.example.com",
					PACTAllowPrivatePartners: true,
					MaxWork:                  500_000,
					HeavySlots:               3,
					ShutdownDrain:            1500 * time.Millisecond,
					BatchChunkRows:           100,
					BatchRescueAfter:         5 * time.Second,
					BatchWorkers:             0,
					BatchMaxRows:             2000,
					BatchMaxBytes:            1 << 30,
				}
			},
		},
		{"no drain", map[string]string{"ALCARBON_SHUTDOWN_DRAIN": "0"}, func(c *Config) { c.ShutdownDrain = 0 }},
		{"addr ipv6", map[string]string{"ALCARBON_ADDR": "[::1]:8081"}, func(c *Config) { c.Addr = "[::1]:8081" }},
		{"addr port 0", map[string]string{"ALCARBON_ADDR": "localhost:0"}, func(c *Config) { c.Addr = "localhost:0" }},
		{"value trimmed", map[string]string{"ALCARBON_CACHE_TTL": " 1h "}, func(c *Config) { c.CacheTTL = time.Hour }},
		{"rediss with user", map[string]string{"ALCARBON_REDIS_URL": "rediss://u:p@h:6380/0"}, func(c *Config) { c.RedisURL = "rediss://u:p@h:6380/0" }},
		{"redis host only", map[string]string{"ALCARBON_REDIS_URL": "redis://localhost"}, func(c *Config) { c.RedisURL = "redis://localhost" }},
		{"postgresql scheme", map[string]string{"ALCARBON_DATABASE_URL": "postgresql://localhost/x"}, func(c *Config) { c.DatabaseURL = "postgresql://localhost/x" }},
		{"cache entries lower bound", map[string]string{"ALCARBON_CACHE_MAX_ENTRIES": "1"}, func(c *Config) { c.CacheMaxEntries = 1 }},
		{"cache entries upper bound", map[string]string{"ALCARBON_CACHE_MAX_ENTRIES": "10000000"}, func(c *Config) { c.CacheMaxEntries = 10_000_000 }},
		{"cache bytes lower bound", map[string]string{"ALCARBON_CACHE_MAX_BYTES": "1MiB"}, func(c *Config) { c.CacheMaxBytes = 1 << 20 }},
		{"cache bytes upper bound", map[string]string{"ALCARBON_CACHE_MAX_BYTES": "64GiB"}, func(c *Config) { c.CacheMaxBytes = 64 << 30 }},
		{"memory limit off", map[string]string{"ALCARBON_MEMORY_LIMIT": "off"}, func(c *Config) { c.MemoryLimit = 0 }},
		{"memory limit lower bound", map[string]string{"ALCARBON_MEMORY_LIMIT": "32MiB"}, func(c *Config) { c.MemoryLimit = 32 << 20 }},
		{"memory limit upper bound", map[string]string{"ALCARBON_MEMORY_LIMIT": "4TiB"}, func(c *Config) { c.MemoryLimit = 4 << 40 }},
		{"body limit bytes", map[string]string{"ALCARBON_BODY_LIMIT": "4096"}, func(c *Config) { c.BodyLimit = 4096 }},
		{"body limit B suffix", map[string]string{"ALCARBON_BODY_LIMIT": "2048B"}, func(c *Config) { c.BodyLimit = 2048 }},
		{"body limit MiB", map[string]string{"ALCARBON_BODY_LIMIT": "1MiB"}, func(c *Config) { c.BodyLimit = 1 << 20 }},
		{"body limit SI MB", map[string]string{"ALCARBON_BODY_LIMIT": "2MB"}, func(c *Config) { c.BodyLimit = 2_000_000 }},
		{"body limit SI kB lower case with space", map[string]string{"ALCARBON_BODY_LIMIT": "100 kb"}, func(c *Config) { c.BodyLimit = 100_000 }},
		{"body limit lower bound", map[string]string{"ALCARBON_BODY_LIMIT": "1KiB"}, func(c *Config) { c.BodyLimit = 1024 }},
		{"body limit upper bound", map[string]string{"ALCARBON_BODY_LIMIT": "64MiB"}, func(c *Config) { c.BodyLimit = 64 << 20 }},
		{"log level warn upper case", map[string]string{"ALCARBON_LOG_LEVEL": "WARN"}, func(c *Config) { c.LogLevel = slog.LevelWarn }},
		{"log level error", map[string]string{"ALCARBON_LOG_LEVEL": "error"}, func(c *Config) { c.LogLevel = slog.LevelError }},
		{"cors ipv6 and ipv4", map[string]string{"ALCARBON_CORS_ORIGINS": "http://[::1]:3000,http://127.0.0.1"},
			func(c *Config) { c.CORSOrigins = []string{"http://[::1]:3000", "http://127.0.0.1"} }},
		{"cors wildcard", map[string]string{"ALCARBON_CORS_ORIGINS": "*"}, func(c *Config) { c.CORSOrigins = []string{"*"} }},
		{"cors lower-cased, empty items skipped", map[string]string{"ALCARBON_CORS_ORIGINS": "HTTPS://App.Example:8443,,"},
			func(c *Config) { c.CORSOrigins = []string{"https://app.example:8443"} }},
		{"pprof true", map[string]string{"ALCARBON_PPROF": "true"}, func(c *Config) { c.PProf = true }},
		{"pprof 0", map[string]string{"ALCARBON_PPROF": "0"}, func(c *Config) { c.PProf = false }},
		{"pprof FALSE", map[string]string{"ALCARBON_PPROF": "FALSE"}, func(c *Config) { c.PProf = false }},
		{"rate limit fraction", map[string]string{"ALCARBON_RATE_LIMIT": "0.5"}, func(c *Config) { c.RateLimit = 0.5 }},
		{"rate burst 1", map[string]string{"ALCARBON_RATE_BURST": "1"}, func(c *Config) { c.RateBurst = 1 }},
		{"trusted proxy single addresses", map[string]string{"ALCARBON_TRUSTED_PROXIES": "127.0.0.1,::1,,"},
			func(c *Config) {
				c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}
			}},
		{"trusted proxy IPv4-mapped network unmapped", map[string]string{"ALCARBON_TRUSTED_PROXIES": "::ffff:192.168.0.0/112"},
			func(c *Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("192.168.0.0/16")} }},
		{"public URL with path, port; trailing slash dropped, lower-cased", map[string]string{"ALCARBON_PUBLIC_URL": "HTTPS://Carbon.Example:8443/alcarbon/"},
			func(c *Config) { c.PublicURL = "https://carbon.example:8443/alcarbon" }},
		{"public URL root slash", map[string]string{"ALCARBON_PUBLIC_URL": "http://[::1]:8080/"},
			func(c *Config) { c.PublicURL = "http://[::1]:8080" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Load(env(tc.env))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			want := defaults()
			tc.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Load =\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestLoadInvalid(t *testing.T) {
	for _, tc := range []struct {
		class, name, value string
		want               string // the whole message after "NAME: "
	}{
		{"bad duration", "ALCARBON_CACHE_TTL", "abc", `"abc" is not a duration; use a Go duration such as 30m or 24h`},
		{"bad duration no unit", "ALCARBON_READ_TIMEOUT", "15", `"15" is not a duration; use a Go duration such as 15s or 1m`},
		{"zero duration", "ALCARBON_CACHE_TTL", "0s", `"0s" is not positive; use a Go duration greater than zero such as 30m or 24h`},
		{"negative duration", "ALCARBON_SHUTDOWN_TIMEOUT", "-1s", `"-1s" is not positive; use a Go duration greater than zero such as 15s or 1m`},
		{"negative duration", "ALCARBON_WRITE_TIMEOUT", "-5m", `"-5m" is not positive; use a Go duration greater than zero such as 60s or 2m`},
		{"zero duration", "ALCARBON_IDLE_TIMEOUT", "0", `"0" is not positive; use a Go duration greater than zero such as 120s or 5m`},
		{"short token secret", "ALCARBON_PACT_TOKEN_SECRET", "short", `is 5 characters long; use at least 32 random characters`},
		{"not a dataset version", "ALCARBON_DEFAULT_DATASET", "latest", `"latest" is not a dataset version; use a released version such as 2026.1, or leave it empty for the newest`},
		{"int not a number", "ALCARBON_CACHE_MAX_ENTRIES", "lots", `"lots" is not a whole number; use a whole number from 1 to 10000000`},
		{"int zero", "ALCARBON_CACHE_MAX_ENTRIES", "0", `"0" is out of range; use a whole number from 1 to 10000000`},
		{"int above range", "ALCARBON_CACHE_MAX_ENTRIES", "10000001", `"10000001" is out of range; use a whole number from 1 to 10000000`},
		{"int overflows", "ALCARBON_CACHE_MAX_ENTRIES", "99999999999999999999", `"99999999999999999999" is out of range; use a whole number from 1 to 10000000`},
		{"int negative", "ALCARBON_RATE_BURST", "-3", `"-3" is out of range; use a whole number from 1 to 1000000`},
		{"int zero", "ALCARBON_RATE_BURST", "0", `"0" is out of range; use a whole number from 1 to 1000000`},
		{"max work too small", "ALCARBON_MAX_WORK", "999", `"999" is out of range; use a whole number from 1000 to 1000000000000`},
		{"negative drain", "ALCARBON_SHUTDOWN_DRAIN", "-1s", `"-1s" is negative; use a Go duration of zero or more such as 5s or 0`},
		{"drain not a duration", "ALCARBON_SHUTDOWN_DRAIN", "5", `"5" is not a duration; use a Go duration such as 5s or 0`},
		{"rescue under 1s", "ALCARBON_BATCH_RESCUE_AFTER", "500ms", `"500ms" is shorter than 1s; use 30s or 1m`},
		{"chunk rows too few", "ALCARBON_BATCH_CHUNK_ROWS", "5", `"5" is out of range; use a whole number from 10 to 10000`},
		{"max rows at the sync limit", "ALCARBON_BATCH_MAX_ROWS", "200", `"200" is out of range; use a whole number from 201 to 1000000`},
		{"heavy slots negative", "ALCARBON_HEAVY_SLOTS", "-1", `"-1" is out of range; use a whole number from 0 to 1024`},
		{"memory limit not a size", "ALCARBON_MEMORY_LIMIT", "lots", `"lots" is not a size; use bytes or a size such as 512KiB, 1MiB or 2MB, or auto or off`},
		{"memory limit too small", "ALCARBON_MEMORY_LIMIT", "16MiB", `"16MiB" is out of range; use a size from 32MiB to 4TiB, or auto or off`},
		{"cache bytes not a size", "ALCARBON_CACHE_MAX_BYTES", "off", `"off" is not a size; use bytes or a size such as 512KiB, 1MiB or 2MB, or auto`},
		{"bad size unit", "ALCARBON_BODY_LIMIT", "1MiBs", `"1MiBs" is not a size; use bytes or a size such as 512KiB, 1MiB or 2MB`},
		{"bad size no digits", "ALCARBON_BODY_LIMIT", "MiB", `"MiB" is not a size; use bytes or a size such as 512KiB, 1MiB or 2MB`},
		{"bad size fraction", "ALCARBON_BODY_LIMIT", "1.5MiB", `"1.5MiB" is not a size; use bytes or a size such as 512KiB, 1MiB or 2MB`},
		{"bad size negative", "ALCARBON_BODY_LIMIT", "-1", `"-1" is not a size; use bytes or a size such as 512KiB, 1MiB or 2MB`},
		{"size below range", "ALCARBON_BODY_LIMIT", "1023", `"1023" is out of range; use a size from 1KiB to 64MiB`},
		{"size above range", "ALCARBON_BODY_LIMIT", "65MiB", `"65MiB" is out of range; use a size from 1KiB to 64MiB`},
		{"cache bytes below range", "ALCARBON_CACHE_MAX_BYTES", "512KiB", `"512KiB" is out of range; use a size from 1MiB to 64GiB, or auto`},
		{"size overflows", "ALCARBON_BODY_LIMIT", "99999999999GiB", `"99999999999GiB" is out of range; use a size from 1KiB to 64MiB`},
		{"bad level", "ALCARBON_LOG_LEVEL", "verbose", `"verbose" is not a log level; use debug, info, warn or error`},
		{"bad level slog syntax", "ALCARBON_LOG_LEVEL", "INFO+2", `"INFO+2" is not a log level; use debug, info, warn or error`},
		{"bad CORS origin scheme", "ALCARBON_CORS_ORIGINS", "https://ok.example,ftp://x.example", `"ftp://x.example" is not an origin; use * or http(s)://host[:port] without a path, comma-separated`},
		{"bad CORS origin path", "ALCARBON_CORS_ORIGINS", "https://x.example/app", `"https://x.example/app" is not an origin; use * or http(s)://host[:port] without a path, comma-separated`},
		{"bad CORS origin trailing slash", "ALCARBON_CORS_ORIGINS", "https://x.example/", `"https://x.example/" is not an origin; use * or http(s)://host[:port] without a path, comma-separated`},
		{"bad CORS origin no scheme", "ALCARBON_CORS_ORIGINS", "x.example", `"x.example" is not an origin; use * or http(s)://host[:port] without a path, comma-separated`},
		{"bad CORS origin query", "ALCARBON_CORS_ORIGINS", "https://x.example?a=1", `"https://x.example?a=1" is not an origin; use * or http(s)://host[:port] without a path, comma-separated`},
		{"bad CORS origin partial wildcard", "ALCARBON_CORS_ORIGINS", "https://*.example", `"https://*.example" is not an origin; use * or http(s)://host[:port] without a path, comma-separated`},
		{"bad bool", "ALCARBON_PPROF", "yes", `"yes" is not a boolean; use 1, 0, true or false`},
		{"bad bool", "ALCARBON_PPROF", "2", `"2" is not a boolean; use 1, 0, true or false`},
		{"bad float", "ALCARBON_RATE_LIMIT", "fast", `"fast" is not a number; use a number greater than zero such as 10 or 0.5`},
		{"float NaN", "ALCARBON_RATE_LIMIT", "NaN", `"NaN" is not a number; use a number greater than zero such as 10 or 0.5`},
		{"float infinite", "ALCARBON_RATE_LIMIT", "+Inf", `"+Inf" is not a number; use a number greater than zero such as 10 or 0.5`},
		{"float zero", "ALCARBON_RATE_LIMIT", "0", `"0" is not positive; use a number greater than zero such as 10 or 0.5`},
		{"float negative", "ALCARBON_RATE_LIMIT", "-1", `"-1" is not positive; use a number greater than zero such as 10 or 0.5`},
		{"TLS cert without key", "ALCARBON_TLS_CERT_FILE", "cert.pem", `is set but ALCARBON_TLS_KEY_FILE is not; set both ALCARBON_TLS_CERT_FILE and ALCARBON_TLS_KEY_FILE for HTTPS, or neither for plain HTTP`},
		{"TLS key without cert", "ALCARBON_TLS_KEY_FILE", "key.pem", `is set but ALCARBON_TLS_CERT_FILE is not; set both ALCARBON_TLS_CERT_FILE and ALCARBON_TLS_KEY_FILE for HTTPS, or neither for plain HTTP`},
		{"not a network", "ALCARBON_TRUSTED_PROXIES", "10.0.0.0/8,proxy.internal", `"proxy.internal" is not a network; use CIDRs such as 10.0.0.0/8 or 2001:db8::/32, or single addresses, comma-separated`},
		{"network prefix too long", "ALCARBON_TRUSTED_PROXIES", "10.0.0.0/33", `"10.0.0.0/33" is not a network; use CIDRs such as 10.0.0.0/8 or 2001:db8::/32, or single addresses, comma-separated`},
		{"network host bits", "ALCARBON_TRUSTED_PROXIES", "10.1.2.3/8", `"10.1.2.3/8" has host bits set; use the network address, 10.0.0.0/8`},
		{"public URL no scheme", "ALCARBON_PUBLIC_URL", "carbon.example.com", `"carbon.example.com" is not a public URL; use http(s)://host[:port][/path] without query or fragment, such as https://carbon.example.com`},
		{"public URL ftp", "ALCARBON_PUBLIC_URL", "ftp://carbon.example.com", `"ftp://carbon.example.com" is not a public URL; use http(s)://host[:port][/path] without query or fragment, such as https://carbon.example.com`},
		{"public URL query", "ALCARBON_PUBLIC_URL", "https://carbon.example.com/?a=1", `"https://carbon.example.com/?a=1" is not a public URL; use http(s)://host[:port][/path] without query or fragment, such as https://carbon.example.com`},
		{"public URL fragment", "ALCARBON_PUBLIC_URL", "https://carbon.example.com/#top", `"https://carbon.example.com/#top" is not a public URL; use http(s)://host[:port][/path] without query or fragment, such as https://carbon.example.com`},
		{"public URL user", "ALCARBON_PUBLIC_URL", "https://u@carbon.example.com", `"https://u@carbon.example.com" is not a public URL; use http(s)://host[:port][/path] without query or fragment, such as https://carbon.example.com`},
		{"public URL no host", "ALCARBON_PUBLIC_URL", "https:///x", `"https:///x" is not a public URL; use http(s)://host[:port][/path] without query or fragment, such as https://carbon.example.com`},
		{"public URL port 0", "ALCARBON_PUBLIC_URL", "https://carbon.example.com:0", `"https://carbon.example.com:0" is not a public URL; its port is not from 1 to 65535`},
		{"bad addr", "ALCARBON_ADDR", "8080", `"8080" is not a listen address; use host:port or :port with a port from 0 to 65535, such as :8080`},
		{"bad addr port", "ALCARBON_ADDR", ":http", `":http" is not a listen address; use host:port or :port with a port from 0 to 65535, such as :8080`},
		{"bad addr port range", "ALCARBON_ADDR", ":70000", `":70000" is not a listen address; use host:port or :port with a port from 0 to 65535, such as :8080`},
		{"bad redis scheme", "ALCARBON_REDIS_URL", "http://cache:6379", `"http://cache:6379" does not have scheme redis or rediss; use redis://[[user]:password@]host[:port][/db] or rediss:// for TLS`},
		{"redis unix scheme", "ALCARBON_REDIS_URL", "unix:///tmp/redis.sock", `"unix:///tmp/redis.sock" does not have scheme redis or rediss; use redis://[[user]:password@]host[:port][/db] or rediss:// for TLS`},
		{"redis no scheme", "ALCARBON_REDIS_URL", "cache:6379", `"cache:6379" does not have scheme redis or rediss; use redis://[[user]:password@]host[:port][/db] or rediss:// for TLS`},
		{"redis bad db, password masked", "ALCARBON_REDIS_URL", "redis://:hunter2@cache:6379/zero", `"redis://:xxxxx@cache:6379/zero" is not a valid Redis URL; use redis://[[user]:password@]host[:port][/db] or rediss:// for TLS`},
		{"redis unparseable, value hidden", "ALCARBON_REDIS_URL", "redis://:hunter2@cache:port/0", `the value is not a valid URL (not shown, it may hold a password); use redis://[[user]:password@]host[:port][/db] or rediss:// for TLS`},
		{"bad database scheme, password masked", "ALCARBON_DATABASE_URL", "mysql://root:hunter2@db/x", `"mysql://root:xxxxx@db/x" does not have scheme postgres or postgresql; use postgres://user:password@host[:port]/database or postgresql://…, or leave it empty for embedded SQLite`},
		{"database sqlite path", "ALCARBON_DATABASE_URL", "./data/registry.db", `"./data/registry.db" does not have scheme postgres or postgresql; use postgres://user:password@host[:port]/database or postgresql://…, or leave it empty for embedded SQLite`},
		{"database unparseable, value hidden", "ALCARBON_DATABASE_URL", "postgres://u:hunter2@db:5x/x", `the value is not a valid URL (not shown, it may hold a password); use postgres://user:password@host[:port]/database or postgresql://…, or leave it empty for embedded SQLite`},
	} {
		t.Run(tc.class+"/"+tc.name, func(t *testing.T) {
			got, err := Load(env(map[string]string{tc.name: tc.value}))
			if err == nil {
				t.Fatalf("Load(%s=%q) = nil error", tc.name, tc.value)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v is not an *Error", err, err)
			}
			if e.Name != tc.name {
				t.Errorf("Error.Name = %q, want %q", e.Name, tc.name)
			}
			if want := tc.name + ": " + tc.want; err.Error() != want {
				t.Errorf("error =\n%s\nwant\n%s", err, want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q shows the password", err)
			}
			if !reflect.DeepEqual(got, Config{}) {
				t.Errorf("Load returned a non-zero Config with an error: %+v", got)
			}
		})
	}
}

func TestLoadReportsEveryInvalidVariable(t *testing.T) {
	_, err := Load(env(map[string]string{
		"ALCARBON_CACHE_TTL":  "abc",
		"ALCARBON_LOG_LEVEL":  "loud",
		"ALCARBON_BODY_LIMIT": "1MiB", // valid
	}))
	if err == nil {
		t.Fatal("Load = nil error")
	}
	lines := strings.Split(err.Error(), "\n")
	want := []string{
		`ALCARBON_CACHE_TTL: "abc" is not a duration; use a Go duration such as 30m or 24h`,
		`ALCARBON_LOG_LEVEL: "loud" is not a log level; use debug, info, warn or error`,
	}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("error lines = %q, want %q", lines, want)
	}
}

func TestLogValueMasksPasswords(t *testing.T) {
	for _, tc := range []struct {
		name, redisURL, databaseURL string
		secrets                     []string // must not appear
		visible                     []string // must appear
	}{
		{
			name:        "user info",
			redisURL:    "redis://default:redis-pw-123@cache.internal:6379/3",
			databaseURL: "postgres://alcarbon:pg-pw-456@db.internal:5432/alcarbon?sslmode=require",
			secrets:     []string{"redis-pw-123", "pg-pw-456"},
			visible: []string{
				"redis://default:xxxxx@cache.internal:6379/3",
				"postgres://alcarbon:xxxxx@db.internal:5432/alcarbon?sslmode=require",
			},
		},
		{
			name:        "password only and query parameters",
			redisURL:    "rediss://:redis-pw-123@cache.internal:6380",
			databaseURL: "postgresql://db.internal/alcarbon?user=app&password=pg-pw-456&sslpassword=key-pw-789",
			secrets:     []string{"redis-pw-123", "pg-pw-456", "key-pw-789"},
			visible: []string{
				"rediss://:xxxxx@cache.internal:6380",
				"postgresql://db.internal/alcarbon?",
				"password=xxxxx", "sslpassword=xxxxx", "user=app",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(env(map[string]string{
				"ALCARBON_REDIS_URL":    tc.redisURL,
				"ALCARBON_DATABASE_URL": tc.databaseURL,
			}))
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "config", c)
			out := buf.String()
			for _, s := range tc.secrets {
				if strings.Contains(out, s) {
					t.Errorf("log shows secret %q:\n%s", s, out)
				}
			}
			for _, s := range append(tc.visible, "config.addr=:8080", "config.cache_ttl=24h0m0s", "config.log_level=INFO") {
				if !strings.Contains(out, s) {
					t.Errorf("log lacks %q:\n%s", s, out)
				}
			}
			// The Config itself keeps the real URLs for the clients.
			if c.RedisURL != tc.redisURL || c.DatabaseURL != tc.databaseURL {
				t.Errorf("Load changed the URLs: %q, %q", c.RedisURL, c.DatabaseURL)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"redis://cache:6379", "redis://cache:6379"},
		{"redis://:pw@cache", "redis://:xxxxx@cache"},
		{"postgres://u@db/x?sslmode=disable", "postgres://u@db/x?sslmode=disable"},
		{"postgres://u:pw@db:bad/x", "xxxxx"},
	} {
		if got := redactURL(tc.in); got != tc.want {
			t.Errorf("redactURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestUsage(t *testing.T) {
	u := Usage()
	lines := strings.Split(u, "\n")
	for _, name := range allVariables {
		n := 0
		for _, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), name+" ") {
				n++
				if !strings.Contains(l, "default ") {
					t.Errorf("line for %s has no default: %q", name, l)
				}
			}
		}
		if n != 1 {
			t.Errorf("Usage has %d lines for %s, want 1:\n%s", n, name, u)
		}
	}
	for _, s := range []string{`default ":8080"`, `default "24h"`, `default "1MiB"`, "debug, info, warn or error", "redis://", "postgres://"} {
		if !strings.Contains(u, s) {
			t.Errorf("Usage lacks %q:\n%s", s, u)
		}
	}
}

func TestLogValueMasksTokenSecret(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef-very-secret"
	c, err := Load(func(k string) string {
		if k == "ALCARBON_PACT_TOKEN_SECRET" {
			return secret
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", c)
	if strings.Contains(buf.String(), "very-secret") || !strings.Contains(buf.String(), `"pact_token_secret":"xxxxx"`) {
		t.Fatalf("token secret not masked: %s", buf.String())
	}
}

func TestRegistrySigningKey(t *testing.T) {
	seed := bytes.Repeat([]byte{7}, ed25519.SeedSize)
	want := ed25519.NewKeyFromSeed(seed)
	der, err := x509.MarshalPKCS8PrivateKey(want)
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]string{
		"seed":        base64.StdEncoding.EncodeToString(seed),
		"private key": base64.StdEncoding.EncodeToString(want),
		"PEM":         string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
	} {
		c, err := Load(func(k string) string {
			if k == "ALCARBON_REGISTRY_SIGNING_KEY" {
				return v
			}
			return ""
		})
		if err != nil || !want.Equal(c.RegistrySigningKey) {
			t.Errorf("%s: key %x, %v", name, c.RegistrySigningKey, err)
			continue
		}
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", c)
		if !strings.Contains(buf.String(), `"registry_signing_key":"xxxxx"`) {
			t.Errorf("%s: signing key not masked: %s", name, buf.String())
		}
	}
	bad := append(bytes.Clone(want[:32]), bytes.Repeat([]byte{1}, 32)...) // seed and public half disagree
	for _, v := range []string{"not base64!", base64.StdEncoding.EncodeToString([]byte("short")), base64.StdEncoding.EncodeToString(bad)} {
		if _, err := Load(func(k string) string {
			if k == "ALCARBON_REGISTRY_SIGNING_KEY" {
				return v
			}
			return ""
		}); err == nil || !strings.Contains(err.Error(), "ALCARBON_REGISTRY_SIGNING_KEY") || strings.Contains(err.Error(), v) {
			t.Errorf("%q: error %v, want one naming the variable without the value", v, err)
		}
	}
}

// TestSizeMemory: the memory limit and the cache capacity left on auto are
// derived from each other and from the container's limit, as
// ALCARBON_MEMORY_LIMIT's help says (values worked by hand).
func TestSizeMemory(t *testing.T) {
	const mib = 1 << 20
	for _, tc := range []struct {
		name               string
		limit, cache       int64 // as Load left them
		cgroup             int64
		wantLimit, wantCap int64
	}{
		{"nothing set, no container", Auto, Auto, 0, 128 * mib, 32 * mib},                  // 2 × 32 + 64
		{"nothing set, 1 GiB container", Auto, Auto, 1024 * mib, 966_367_641, 449_629_388}, // ⌊0.9 × 1,073,741,824⌋; ⌊(966,367,641 − 67,108,864) / 2⌋
		{"limit set", 512 * mib, Auto, 0, 512 * mib, 224 * mib},                            // (512 − 64) / 2
		{"limit set beats the container", 512 * mib, Auto, 4096 * mib, 512 * mib, 224 * mib},
		{"small limit: the smallest cache", 32 * mib, Auto, 0, 32 * mib, 1 * mib}, // (32 − 64) / 2 < 1 MiB
		{"cache set, no container", Auto, 100 * mib, 0, 264 * mib, 100 * mib},     // 2 × 100 + 64
		{"cache set, container", Auto, 100 * mib, 1024 * mib, 966_367_641, 100 * mib},
		{"both set", 300 * mib, 50 * mib, 1024 * mib, 300 * mib, 50 * mib},
		{"limit off", 0, Auto, 1024 * mib, 0, 32 * mib},
		{"tiny container: the smallest limit", Auto, Auto, 16 * mib, 32 * mib, 1 * mib},
	} {
		c := Config{MemoryLimit: tc.limit, CacheMaxBytes: tc.cache}
		c.SizeMemory(tc.cgroup)
		if c.MemoryLimit != tc.wantLimit || c.CacheMaxBytes != tc.wantCap {
			t.Errorf("%s: limit %d, cache %d; want %d, %d", tc.name, c.MemoryLimit, c.CacheMaxBytes, tc.wantLimit, tc.wantCap)
		}
	}
}
