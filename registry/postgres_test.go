package registry

import (
	"context"
	"errors"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"alcarbon/internal/testpg"
)

// newPostgresDB provisions a schema of its own (internal/testpg), dropped
// when the test ends, and opens Stores on it through the URL's search_path,
// with the schema's name as application_name.
func newPostgresDB(t *testing.T) func(t *testing.T) Store {
	schema := testpg.New(t)
	return func(t *testing.T) Store {
		t.Helper()
		s, err := Open(context.Background(), schema.URL+"&pool_max_conns=4", "")
		if err != nil {
			t.Fatalf("Open PostgreSQL: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
}

func TestPostgres(t *testing.T) {
	testpg.BaseURL(t)
	testStore(t, newPostgresDB)
}

// TestPostgresSchemaIsolation checks the suite's premise: a Store opened
// with a search_path creates its tables there and nowhere else.
func TestPostgresSchemaIsolation(t *testing.T) {
	open := newPostgresDB(t)
	s := open(t)
	mustOrg(t, s, "Smelter A")
	var schema string
	rawRead(t, s, func(ctx context.Context, q querier) error {
		return q.queryRow(ctx, `SELECT table_schema FROM information_schema.tables WHERE table_name = 'organisations'
			AND table_schema = current_schema()`).Scan(&schema)
	})
	if !strings.HasPrefix(schema, "test_") {
		t.Fatalf("tables created in schema %q", schema)
	}
}

// TestPostgresConnectionsKilled drops the Store's server connections, as a
// database restart or failover does: the next call may fail, with
// ErrUnavailable, and the Store's pool must then recover on fresh connections.
func TestPostgresConnectionsKilled(t *testing.T) {
	s := newPostgresDB(t)(t)
	ctx := ctxFor(t)
	org := mustOrg(t, s, "Smelter A")
	// newPostgresDB names the Store's connections after its schema.
	var schema string
	rawRead(t, s, func(ctx context.Context, q querier) error {
		return q.queryRow(ctx, `SELECT current_schema()`).Scan(&schema)
	})
	pool := s.(*sqlStore).db.(*pgDB).pool
	connsBefore := pool.Stat().NewConnsCount()
	admin := testpg.Connect(t, testpg.BaseURL(t))
	var killed int
	if err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = $1`, schema).Scan(&killed); err != nil {
		t.Fatal(err)
	}
	if killed == 0 {
		t.Fatal("no connection of the Store was found to kill")
	}
	sawFailure := false
	for i := range 10 {
		_, err := s.OrganisationByID(ctx, org.ID)
		if err == nil {
			break
		}
		sawFailure = true
		if !errors.Is(err, ErrUnavailable) {
			t.Fatalf("call %d after the kill: %v, want ErrUnavailable", i, err)
		}
		if i == 9 {
			t.Fatalf("the Store did not recover: %v", err)
		}
	}
	t.Logf("killed %d connections; a call failed before recovery: %t", killed, sawFailure)
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping after recovery: %v", err)
	}
	// pgxpool discarded the dead connections and dialled new ones, which
	// carry the URL's run-time parameters too.
	if n := pool.Stat().NewConnsCount(); n <= connsBefore {
		t.Fatalf("pool opened no connection after the kill (%d before, %d after)", connsBefore, n)
	}
	var after string
	rawRead(t, s, func(ctx context.Context, q querier) error {
		return q.queryRow(ctx, `SELECT current_schema()`).Scan(&after)
	})
	if after != schema {
		t.Fatalf("schema after recovery = %q, want %q", after, schema)
	}
}

// TestPostgresUnavailable needs no server: a closed port must fail Open
// quickly with ErrUnavailable.
func TestPostgresUnavailable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	start := time.Now()
	_, err = Open(context.Background(), "postgres://alcarbon:secret-pw@"+addr+"/alcarbon?sslmode=disable&connect_timeout=2", "")
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Open on a closed port: %v, want ErrUnavailable", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Fatalf("Open took %v to fail", elapsed)
	}
	if strings.Contains(err.Error(), "secret-pw") {
		t.Fatalf("error leaks the password: %v", err)
	}
}

// TestPostgresPoolConfig checks the URL handling Open documents:
// pool_max_conns (default max(4, CPUs)) is the pool's, the other query
// parameters reach PostgreSQL, connect_timeout defaults to 5 s.
func TestPostgresPoolConfig(t *testing.T) {
	cfg, err := pgPoolConfig("postgres://u:secret-pw@h/db?sslmode=disable&search_path=s1&application_name=app")
	if err != nil {
		t.Fatal(err)
	}
	if want := int32(max(4, runtime.NumCPU())); cfg.MaxConns != want {
		t.Errorf("default MaxConns = %d, want %d", cfg.MaxConns, want)
	}
	if cfg.ConnConfig.ConnectTimeout != pgDefaultConnectTimeout {
		t.Errorf("default ConnectTimeout = %v, want %v", cfg.ConnConfig.ConnectTimeout, pgDefaultConnectTimeout)
	}
	if p := cfg.ConnConfig.RuntimeParams; p["search_path"] != "s1" || p["application_name"] != "app" {
		t.Errorf("RuntimeParams = %v, want search_path and application_name", p)
	}

	cfg, err = pgPoolConfig("postgres://h/db?sslmode=disable&pool_max_conns=3&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxConns != 3 {
		t.Errorf("MaxConns = %d, want 3", cfg.MaxConns)
	}
	if cfg.ConnConfig.ConnectTimeout != 2*time.Second {
		t.Errorf("ConnectTimeout = %v, want 2s", cfg.ConnConfig.ConnectTimeout)
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["pool_max_conns"]; ok {
		t.Error("pool_max_conns passed on to PostgreSQL")
	}

	for _, bad := range []string{
		"postgres://u:secret-pw@h/db?pool_max_conns=0",
		"postgres://u:secret-pw@h/db?pool_max_conns=x",
	} {
		_, err := pgPoolConfig(bad)
		if err == nil {
			t.Errorf("pgPoolConfig(%q) succeeded", bad)
			continue
		}
		if strings.Contains(err.Error(), "secret-pw") {
			t.Errorf("error leaks the password: %v", err)
		}
	}
}

func TestRebind(t *testing.T) {
	got := rebind(`SELECT a FROM t WHERE b = ? AND c = '?' AND d IN (?, ?)`)
	want := `SELECT a FROM t WHERE b = $1 AND c = '?' AND d IN ($2, $3)`
	if got != want {
		t.Fatalf("rebind = %s, want %s", got, want)
	}
}
