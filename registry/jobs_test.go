package registry

import (
	"errors"
	"testing"
	"time"
)

// testBatchJobs: a job is seen only by the organisation that created it,
// and not while its file is being received; an upload left unfinished
// for over an hour (its process died) is deleted, with its chunks, when
// the queue is opened again, while a recent one is kept. River's tables
// are made lazily, at the first Enqueue.
func testBatchJobs(t *testing.T, open func(t *testing.T) Store) {
	ctx := ctxFor(t)
	s := open(t)
	a, err := s.CreateOrganisation(ctx, "Jobs A")
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateOrganisation(ctx, "Jobs B")
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := OpenJobs(ctx, s, JobsConfig{RescueAfter: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	// Created two hours ago and never queued: a dead upload.
	clock := time.Now().Add(-2 * time.Hour)
	s.(*sqlStore).now = func() time.Time { return clock }
	stale, err := jobs.CreateBatch(ctx, a.ID, "primary", "csv", map[int]string{0: "region"})
	if err != nil {
		t.Fatal(err)
	}
	if err := jobs.AddChunk(ctx, stale, 0, 0, 1, []byte(`{"n":2,"b":"{}"}`+"\n")); err != nil {
		t.Fatal(err)
	}
	s.(*sqlStore).now = time.Now
	fresh, err := jobs.CreateBatch(ctx, a.ID, "primary", "csv", map[int]string{0: "region"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.Job(ctx, a.ID, fresh); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a job being received: %v, want ErrNotFound", err)
	}
	if err := jobs.AddChunk(ctx, fresh, 0, 0, 1, []byte(`{"n":2,"b":"{}"}`+"\n")); err != nil {
		t.Fatal(err)
	}
	// River's tables are made at the first Enqueue or Start, not when
	// the queue is opened (start-up stays short on a new database).
	if jobs.migrated {
		t.Fatal("River migrated by OpenJobs")
	}
	if err := jobs.Enqueue(ctx, fresh, 1, 1); err != nil {
		t.Fatal(err)
	}
	if !jobs.migrated {
		t.Fatal("Enqueue did not migrate River")
	}
	got, err := jobs.Job(ctx, a.ID, fresh)
	if err != nil || got.State != BatchQueued || got.RowsTotal != 1 || got.ChunksTotal != 1 || got.Headers[0] != "region" {
		t.Fatalf("queued job: %+v, %v", got, err)
	}
	if _, err := jobs.Job(ctx, b.ID, fresh); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another organisation's job: %v, want ErrNotFound", err)
	}
	if _, err := jobs.Cancel(ctx, b.ID, fresh); !errors.Is(err, ErrNotFound) {
		t.Fatalf("canceling another organisation's job: %v, want ErrNotFound", err)
	}

	if _, err := OpenJobs(ctx, s, JobsConfig{RescueAfter: time.Minute}); err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.job(ctx, stale, ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the stale upload: %v, want deleted", err)
	}
	if n, _, err := jobs.ChunkComputations(ctx, stale); err != nil || len(n) != 0 {
		t.Fatalf("the stale upload's chunks: %v, %v", n, err)
	}
	if _, err := jobs.Job(ctx, a.ID, fresh); err != nil {
		t.Fatalf("the queued job after reopening: %v", err)
	}
}
