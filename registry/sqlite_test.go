package registry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// newSQLiteDB provisions a fresh data directory.
func newSQLiteDB(t *testing.T) func(t *testing.T) Store {
	dir := filepath.Join(t.TempDir(), "data")
	return func(t *testing.T) Store {
		t.Helper()
		s, err := Open(context.Background(), "", dir)
		if err != nil {
			t.Fatalf("Open SQLite: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
}

func TestSQLite(t *testing.T) {
	testStore(t, newSQLiteDB)
}

func TestSQLiteSettings(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	s, err := Open(context.Background(), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm&^0o700 != 0 {
		t.Errorf("data directory mode %v, want at most 0700", perm)
	}
	if _, err := os.Stat(filepath.Join(dir, SQLiteFile)); err != nil {
		t.Errorf("no %s in the data directory: %v", SQLiteFile, err)
	}
	// The migration lock file stays empty: it is only ever locked.
	if info, err := os.Stat(filepath.Join(dir, SQLiteFile+migrationLockSuffix)); err != nil || info.Size() != 0 {
		t.Errorf("migration lock file: %v, %v", info, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 4 {
		t.Errorf("data directory holds %v", entries)
	}
	// Every pooled connection carries the settings, not just the first.
	db := s.(*sqlStore).db.(*sqliteDB).db
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			conn, err := db.Conn(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			defer conn.Close()
			var mode string
			var sync, fk, busy int
			for q, dest := range map[string]any{
				"PRAGMA journal_mode": &mode, "PRAGMA synchronous": &sync,
				"PRAGMA foreign_keys": &fk, "PRAGMA busy_timeout": &busy,
			} {
				if err := conn.QueryRowContext(context.Background(), q).Scan(dest); err != nil {
					t.Error(err)
				}
			}
			if mode != "wal" || sync != 2 || fk != 1 || busy < 1000 {
				t.Errorf("journal_mode=%s synchronous=%d foreign_keys=%d busy_timeout=%d; want wal 2 1 ≥1000", mode, sync, fk, busy)
			}
		})
	}
	wg.Wait()
}

func TestSQLiteNeedsDataDir(t *testing.T) {
	if _, err := Open(context.Background(), "", ""); err == nil {
		t.Fatal("Open with no data directory succeeded")
	}
	if _, err := Open(context.Background(), "mysql://x", t.TempDir()); err == nil {
		t.Fatal("Open with a mysql:// URL succeeded")
	}
}

// TestSQLiteTwoProcesses writes through two Stores on one file at once, as
// the server and the keys CLI do: both must succeed, neither sees SQLITE_BUSY.
func TestSQLiteTwoProcesses(t *testing.T) {
	open := newSQLiteDB(t)
	s1, s2 := open(t), open(t)
	org := mustOrg(t, s1, "Smelter A")
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 20 {
		for j, s := range []Store{s1, s2} {
			wg.Go(func() {
				_, err := s.CreateDeclaration(context.Background(), sample(org.ID, func(d *Declaration) {
					d.ProductName = fmt.Sprintf("ingot %d/%d", j, i)
				}))
				if err != nil {
					errs <- err
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent write: %v (unavailable: %t)", err, errors.Is(err, ErrUnavailable))
	}
	if all := listAll(t, s2, DeclarationFilter{Limit: MaxLimit}); len(all) != 40 {
		t.Fatalf("listed %d declarations, want 40", len(all))
	}
}

func benchStore(b *testing.B) (Store, Organisation, []Declaration) {
	s, err := Open(context.Background(), "", b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	org, err := s.CreateOrganisation(context.Background(), "Smelter A")
	if err != nil {
		b.Fatal(err)
	}
	var made []Declaration
	for i := range 200 {
		d, err := s.CreateDeclaration(context.Background(), sample(org.ID, func(d *Declaration) {
			d.ProductName = fmt.Sprintf("ingot %d", i)
		}))
		if err != nil {
			b.Fatal(err)
		}
		made = append(made, d)
	}
	return s, org, made
}

func BenchmarkGetDeclaration(b *testing.B) {
	s, org, made := benchStore(b)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := s.GetDeclaration(ctx, made[i%len(made)].ID, org.ID); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkListDeclarations(b *testing.B) {
	s, org, _ := benchStore(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		items, _, err := s.ListDeclarations(ctx, DeclarationFilter{Viewer: org.ID, Status: StatusActive})
		if err != nil || len(items) != DefaultLimit {
			b.Fatal(len(items), err)
		}
	}
}
