package registry

import (
	"bytes"
	"sync"
	"testing"

	"alcarbon/internal/testpg"
)

// TestPACTTokenSecret: two stores on one database (two replicas) ask for
// the PACT token secret at once, eight callers each, before any exists:
// every caller gets the same 32 bytes (INSERT … ON CONFLICT DO NOTHING, then
// read), and a store opened later (a restart) gets them too.
func TestPACTTokenSecret(t *testing.T) {
	for _, db := range []struct {
		name  string
		fresh newDB
	}{{"sqlite", newSQLiteDB}, {"postgres", newPostgresDB}} {
		t.Run(db.name, func(t *testing.T) {
			if db.name == "postgres" {
				testpg.BaseURL(t)
			}
			open := db.fresh(t)
			replicas := []Store{open(t), open(t)}
			const callers = 8
			got := make([][]byte, 2*callers)
			errs := make([]error, 2*callers)
			var wg sync.WaitGroup
			for i := range got {
				wg.Go(func() { got[i], errs[i] = replicas[i%2].PACTTokenSecret(ctxFor(t)) })
			}
			wg.Wait()
			for i := range got {
				if errs[i] != nil {
					t.Fatalf("caller %d: %v", i, errs[i])
				}
				if len(got[i]) != 32 || !bytes.Equal(got[i], got[0]) {
					t.Fatalf("caller %d got %x, caller 0 %x: want the same 32 bytes", i, got[i], got[0])
				}
			}
			if bytes.Equal(got[0], make([]byte, 32)) {
				t.Fatal("the secret is all zeros")
			}
			later, err := open(t).PACTTokenSecret(ctxFor(t))
			if err != nil || !bytes.Equal(later, got[0]) {
				t.Fatalf("after a restart: %x, %v; want %x", later, err, got[0])
			}
			other, err := db.fresh(t)(t).PACTTokenSecret(ctxFor(t))
			if err != nil || bytes.Equal(other, got[0]) {
				t.Fatalf("another database's secret: %x, %v; want a different one", other, err)
			}
		})
	}
}
