// Package testpg gives each test a PostgreSQL schema of its own on the
// server named by ALCARBON_TEST_DATABASE_URL (scripts/test.sh starts one),
// dropped when the test ends. Without the variable a test skips, or fails
// when CI=true.
package testpg

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable holding the test server's URL, a
// postgres:// URL of a database the tests may create schemas in.
const EnvURL = "ALCARBON_TEST_DATABASE_URL"

// Schema is one test's schema.
type Schema struct {
	// Name is the schema's name, "test_" and a part of the test's name and
	// a random suffix. It is also the application_name of URL's
	// connections, to find them in pg_stat_activity.
	Name string
	// URL is BaseURL with search_path and application_name set to Name:
	// tables created through it land in the schema. It has a query, so
	// append more parameters with "&".
	URL string
	// BaseURL is the value of ALCARBON_TEST_DATABASE_URL.
	BaseURL string
}

// BaseURL returns ALCARBON_TEST_DATABASE_URL. Without it the test skips,
// or fails when CI=true, where the PostgreSQL tests must run.
func BaseURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(EnvURL + " is not set; PostgreSQL tests must run on CI")
		}
		t.Skip(EnvURL + " is not set")
	}
	return base
}

// New creates a schema for the test, dropped with everything in it when
// the test and its subtests have ended (after the cleanups registered
// later, such as closing a store opened on it).
func New(t testing.TB) *Schema {
	t.Helper()
	base := BaseURL(t)
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		// The parse error would show the password.
		t.Fatalf("%s is not a postgres:// URL", EnvURL)
	}
	s := &Schema{Name: schemaName(t.Name()), BaseURL: base}
	q := u.Query()
	q.Set("search_path", s.Name)
	q.Set("application_name", s.Name)
	u.RawQuery = q.Encode()
	s.URL = u.String()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to the test database: %v", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `CREATE SCHEMA `+s.Name); err != nil {
		t.Fatalf("create schema %s: %v", s.Name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", s.Name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+s.Name+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", s.Name, err)
		}
	})
	return s
}

// Conn returns a connection on the schema (through URL), closed when the
// test ends.
func (s *Schema) Conn(t testing.TB) *pgx.Conn {
	t.Helper()
	return Connect(t, s.URL)
}

// Connect returns a connection to url, closed when the test ends.
func Connect(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect to the test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn.Close(ctx)
	})
	return conn
}

// schemaName returns a fresh schema name that hints at the test: "test_",
// up to 32 lowercase letters, digits and underscores of its name and "_",
// and 12 random hex digits, within PostgreSQL's 63-byte identifiers.
func schemaName(testName string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(testName) {
		if b.Len() == 32 {
			break
		}
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			b.WriteRune(r)
		default:
			if s := b.String(); s != "" && !strings.HasSuffix(s, "_") {
				b.WriteByte('_')
			}
		}
	}
	suffix := make([]byte, 6)
	rand.Read(suffix)
	name := "test_"
	if part := strings.TrimSuffix(b.String(), "_"); part != "" {
		name += part + "_"
	}
	return name + hex.EncodeToString(suffix)
}
