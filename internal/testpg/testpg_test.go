package testpg

import (
	"context"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

func TestSchemaName(t *testing.T) {
	valid := regexp.MustCompile(`^test_([a-z0-9_]{1,32}_)?[0-9a-f]{12}$`)
	for _, name := range []string{
		"TestPostgres/ConcurrentSupersede",
		"TestX",
		"",
		"Test_with__odd--chars//and a very long name that goes on and on and on",
		"TestÜnïcode/名前",
	} {
		got := schemaName(name)
		if !valid.MatchString(got) || len(got) > 63 || strings.Contains(got, "__") {
			t.Errorf("schemaName(%q) = %q", name, got)
		}
	}
	if got := schemaName("TestPostgres/ConcurrentSupersede"); !strings.HasPrefix(got, "test_testpostgres_concurrentsupersede_") {
		t.Errorf("schemaName = %q, want the test's name in it", got)
	}
	if schemaName("T") == schemaName("T") {
		t.Error("two schemas of one test got the same name")
	}
}

// fakeTB records Skip and Fatal, which end the calling goroutine as they
// do in a test.
type fakeTB struct {
	testing.TB
	skipped, failed bool
}

func (f *fakeTB) Helper()               {}
func (f *fakeTB) Skip(...any)           { f.skipped = true; runtime.Goexit() }
func (f *fakeTB) Fatal(...any)          { f.failed = true; runtime.Goexit() }
func (f *fakeTB) Fatalf(string, ...any) { f.failed = true; runtime.Goexit() }

func run(tb *fakeTB, fn func(testing.TB)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(tb)
	}()
	<-done
}

// TestUnset checks the rule testredis follows too: without a server the
// test skips, except under CI=true, where it fails.
func TestUnset(t *testing.T) {
	t.Setenv(EnvURL, "")
	for _, c := range []struct {
		ci                  string
		wantSkip, wantFatal bool
	}{{"", true, false}, {"false", true, false}, {"true", false, true}} {
		t.Setenv("CI", c.ci)
		tb := &fakeTB{TB: t}
		run(tb, func(tb testing.TB) { BaseURL(tb) })
		if tb.skipped != c.wantSkip || tb.failed != c.wantFatal {
			t.Errorf("CI=%q: skipped %t, failed %t; want %t, %t", c.ci, tb.skipped, tb.failed, c.wantSkip, c.wantFatal)
		}
	}
}

// TestNew checks that the schema is where URL's tables go, and that it is
// gone after the test.
func TestNew(t *testing.T) {
	BaseURL(t)
	var name string
	t.Run("inner", func(t *testing.T) {
		s := New(t)
		name = s.Name
		conn := s.Conn(t)
		ctx := context.Background()
		if _, err := conn.Exec(ctx, `CREATE TABLE things (id int)`); err != nil {
			t.Fatal(err)
		}
		var schema, app string
		if err := conn.QueryRow(ctx, `SELECT table_schema FROM information_schema.tables WHERE table_name = 'things'`).Scan(&schema); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRow(ctx, `SELECT current_setting('application_name')`).Scan(&app); err != nil {
			t.Fatal(err)
		}
		if schema != s.Name || app != s.Name {
			t.Fatalf("table in schema %q, application_name %q; want %q", schema, app, s.Name)
		}
		if !strings.Contains(s.URL+"&x=1", "?") {
			t.Fatalf("URL %q has no query", s.URL)
		}
	})
	conn := Connect(t, BaseURL(t))
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_namespace WHERE nspname = $1`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("schema %s still exists after the test", name)
	}
}
