package registry

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestRetryingUnavailable: a database that cannot be reached answers
// ErrUnavailable from every method, and Close stops the retries promptly.
func TestRetryingUnavailable(t *testing.T) {
	r := OpenRetrying("postgres://postgres@127.0.0.1:1/none?connect_timeout=1", "", 50*time.Millisecond, nil)
	ctx := context.Background()
	if err := r.Ping(ctx); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Ping = %v, want ErrUnavailable", err)
	}
	if _, err := r.CreateOrganisation(ctx, "x"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("CreateOrganisation = %v, want ErrUnavailable", err)
	}
	if _, _, err := r.ListDeclarations(ctx, DeclarationFilter{}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("ListDeclarations = %v, want ErrUnavailable", err)
	}
	done := make(chan error, 1)
	go func() { done <- r.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not stop the retries")
	}
}

// TestRetryingRecovers: once the database can be opened, the store serves
// requests without a restart (an SQLite folder stands in for a database
// that has come back).
func TestRetryingRecovers(t *testing.T) {
	r := OpenRetrying("", t.TempDir(), 20*time.Millisecond, nil)
	defer r.Close()
	ctx := context.Background()
	deadline := time.Now().Add(5 * time.Second)
	for r.Ping(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatal("store never became available")
		}
		time.Sleep(10 * time.Millisecond)
	}
	org, err := r.CreateOrganisation(ctx, "Shanxi Smelter Co.")
	if err != nil || org.ID == "" {
		t.Fatalf("CreateOrganisation after recovery: %+v, %v", org, err)
	}
	if got, err := r.OrganisationByName(ctx, "Shanxi Smelter Co."); err != nil || got.ID != org.ID {
		t.Fatalf("OrganisationByName: %+v, %v", got, err)
	}
}
