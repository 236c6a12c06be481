package registry

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"
)

func mustPartner(t *testing.T, s Store, source string) PACTPartner {
	t.Helper()
	p, err := s.CreatePACTPartner(ctxFor(t), PACTPartner{
		Source: source, BaseURL: "https://" + source[2:], ClientID: "alcarbon", ClientSecret: "s3cret",
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustEnqueue(t *testing.T, s Store, partnerID, eventID string) PACTAnswer {
	t.Helper()
	a, created, err := s.EnqueuePACTAnswer(ctxFor(t), PACTAnswer{
		PartnerID: partnerID, RequestEventID: eventID, ProductIDs: []string{"urn:gtin:1", "urn:gtin:2"}, Source: "//alcarbon.example", RequestID: "rq",
	})
	if err != nil || !created {
		t.Fatalf("EnqueuePACTAnswer(%s) = %+v, %v, %v", eventID, a, created, err)
	}
	return a
}

func claimIDs(t *testing.T, s Store, n int, lease time.Duration) []PACTAnswer {
	t.Helper()
	as, err := s.ClaimPACTAnswers(ctxFor(t), n, lease)
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func requestIDs(as []PACTAnswer) []string {
	var ids []string
	for _, a := range as {
		ids = append(ids, a.PartnerID[:4]+":"+a.RequestEventID)
	}
	slices.Sort(ids)
	return ids
}

func testPACTOutbox(t *testing.T, open func(t *testing.T) Store) {
	s, ctx := open(t), ctxFor(t)
	pa, pb := mustPartner(t, s, "//a.example/pact"), mustPartner(t, s, "//b.example/pact")
	a1 := mustEnqueue(t, s, pa.ID, "req-1")
	if a1.ID == "" || a1.Status != AnswerPending || a1.Attempts != 0 || a1.NextAttemptAt.IsZero() {
		t.Fatalf("queued %+v", a1)
	}
	// The same request event again: nothing new, the answer queued before.
	again, created, err := s.EnqueuePACTAnswer(ctx, PACTAnswer{PartnerID: pa.ID, RequestEventID: "req-1", Source: "//x"})
	if err != nil || created || again.ID != a1.ID {
		t.Fatalf("queued twice: %+v, %v, %v", again, created, err)
	}
	if _, _, err := s.EnqueuePACTAnswer(ctx, PACTAnswer{PartnerID: pa.ID}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("an answer without request event: %v", err)
	}
	a2 := mustEnqueue(t, s, pa.ID, "req-2")
	b1 := mustEnqueue(t, s, pb.ID, "req-1") // another partner's event of the same id

	// One per partner, the oldest; the partner and its secret come along.
	got := claimIDs(t, s, 10, time.Minute)
	if want := requestIDs([]PACTAnswer{a1, b1}); !slices.Equal(requestIDs(got), want) {
		t.Fatalf("claimed %v, want %v", requestIDs(got), want)
	}
	for _, c := range got {
		if c.Claim == "" || c.Attempts != 1 || c.Partner.ID != c.PartnerID || c.Partner.ClientSecret != "s3cret" ||
			!slices.Equal(c.ProductIDs, []string{"urn:gtin:1", "urn:gtin:2"}) || c.Source != "//alcarbon.example" {
			t.Fatalf("claimed %+v", c)
		}
	}
	claimA, claimB := got[0].Claim, got[1].Claim
	if got[0].PartnerID != pa.ID {
		claimA, claimB = claimB, claimA
	}
	// Both partners have one under lease: nothing more.
	if more := claimIDs(t, s, 10, time.Minute); len(more) != 0 {
		t.Fatalf("claimed %v while both partners have one in flight", requestIDs(more))
	}

	// a is down: its other answer backs off with the failed one.
	if err := s.FinishPACTAnswer(ctx, a1.ID, claimA, PACTAnswerOutcome{
		Status: AnswerPending, RetryIn: time.Hour, PartnerDown: true, Error: "503", Payload: []byte(`{"id":"x"}`),
	}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{a1.ID, a2.ID} {
		got, err := s.PACTAnswer(ctx, id)
		if err != nil || got.Status != AnswerPending || time.Until(got.NextAttemptAt) < 59*time.Minute {
			t.Fatalf("after the partner failed: %+v, %v", got, err)
		}
	}
	if got, _ := s.PACTAnswer(ctx, a1.ID); string(got.Payload) != `{"id":"x"}` || got.LastError != "503" || got.Attempts != 1 {
		t.Fatalf("failed attempt recorded as %+v", got)
	}
	if more := claimIDs(t, s, 10, time.Minute); len(more) != 0 {
		t.Fatalf("claimed %v of a partner backing off", requestIDs(more))
	}
	// A finished claim cannot be finished again.
	if err := s.FinishPACTAnswer(ctx, a1.ID, claimA, PACTAnswerOutcome{Status: AnswerSent}); !errors.Is(err, ErrConflict) {
		t.Fatalf("finishing a finished claim: %v", err)
	}

	if err := s.FinishPACTAnswer(ctx, b1.ID, claimB, PACTAnswerOutcome{Status: AnswerSent}); err != nil {
		t.Fatal(err)
	}
	b2 := mustEnqueue(t, s, pb.ID, "req-2")
	got = claimIDs(t, s, 10, time.Minute)
	if len(got) != 1 || got[0].ID != b2.ID {
		t.Fatalf("claimed %v, want b's req-2", requestIDs(got))
	}
	if err := s.FinishPACTAnswer(ctx, b2.ID, got[0].Claim, PACTAnswerOutcome{Status: AnswerFailed, Error: "400 BadRequest"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.PACTAnswer(ctx, b2.ID); got.Status != AnswerFailed || got.LastError != "400 BadRequest" {
		t.Fatalf("failed answer: %+v", got)
	}

	// A lease that runs out: the answer is claimed again, the old claim
	// can no longer finish it.
	b3 := mustEnqueue(t, s, pb.ID, "req-3")
	got = claimIDs(t, s, 10, time.Millisecond)
	time.Sleep(5 * time.Millisecond)
	again2 := claimIDs(t, s, 10, time.Minute)
	if len(got) != 1 || len(again2) != 1 || again2[0].ID != b3.ID || again2[0].Attempts != 2 || again2[0].Claim == got[0].Claim {
		t.Fatalf("claims %+v then %+v", got, again2)
	}
	if err := s.FinishPACTAnswer(ctx, b3.ID, got[0].Claim, PACTAnswerOutcome{Status: AnswerSent}); !errors.Is(err, ErrConflict) {
		t.Fatalf("finishing with a lapsed claim: %v", err)
	}
	if err := s.FinishPACTAnswer(ctx, b3.ID, again2[0].Claim, PACTAnswerOutcome{Status: AnswerSent}); err != nil {
		t.Fatal(err)
	}
	// A new answer to a partner backing off waits with the others.
	a3 := mustEnqueue(t, s, pa.ID, "req-3")
	if time.Until(a3.NextAttemptAt) < 59*time.Minute {
		t.Fatalf("new answer to a partner backing off is due at %v", a3.NextAttemptAt)
	}
	// An hour later a's answers are due, the oldest first, with the
	// payload its first attempt built; one at a time.
	s.(*sqlStore).now = func() time.Time { return time.Now().Add(61 * time.Minute) }
	got = claimIDs(t, s, 10, time.Minute)
	if len(got) != 1 || got[0].ID != a1.ID || got[0].Attempts != 2 || string(got[0].Payload) != `{"id":"x"}` {
		t.Fatalf("claimed %+v, want a's req-1 at its second attempt, with the payload of the first", got)
	}
	if err := s.FinishPACTAnswer(ctx, a1.ID, got[0].Claim, PACTAnswerOutcome{Status: AnswerSent}); err != nil {
		t.Fatal(err)
	}
	got = claimIDs(t, s, 10, time.Minute)
	if len(got) != 1 || got[0].ID != a2.ID {
		t.Fatalf("claimed %v, want a's req-2", requestIDs(got))
	}

	counts, err := s.PACTOutbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]PACTOutboxCounts{pa.ID: {Pending: 2, Sent: 1}, pb.ID: {Sent: 2, Failed: 1}}
	if len(counts) != 2 || counts[pa.ID] != want[pa.ID] || counts[pb.ID] != want[pb.ID] {
		t.Fatalf("counts %v, want %v", counts, want)
	}
	// Pruning takes the answers sent before the time given, nothing else.
	if n, err := s.PrunePACTAnswers(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("pruned %d, %v; want none sent an hour ago", n, err)
	}
	if n, err := s.PrunePACTAnswers(ctx, time.Now().Add(2*time.Hour)); err != nil || n != 3 {
		t.Fatalf("pruned %d, %v; want the 3 sent", n, err)
	}
	if counts, err := s.PACTOutbox(ctx); err != nil || counts[pa.ID] != (PACTOutboxCounts{Pending: 2}) || counts[pb.ID] != (PACTOutboxCounts{Failed: 1}) {
		t.Fatalf("counts after pruning %v, %v", counts, err)
	}
	if _, err := s.PACTAnswer(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown answer: %v", err)
	}
}

// TestSQLiteFilePrivate: the registry file, which holds PACT partners'
// client secrets, and its -wal and -shm files are readable by their owner
// only, whatever the umask; a file an older release left readable is made
// private at open.
func TestSQLiteFilePrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	check := func(t *testing.T, dir string) {
		t.Helper()
		for _, name := range []string{SQLiteFile, SQLiteFile + "-wal", SQLiteFile + "-shm"} {
			fi, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Fatalf("%s has mode %v, want 0600", name, fi.Mode().Perm())
			}
		}
	}
	t.Run("new", func(t *testing.T) {
		dir := t.TempDir()
		s, err := Open(ctxFor(t), "", dir)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		mustPartner(t, s, "//a.example/pact")
		check(t, dir)
	})
	t.Run("left readable", func(t *testing.T) {
		dir := t.TempDir()
		s, err := Open(ctxFor(t), "", dir)
		if err != nil {
			t.Fatal(err)
		}
		mustPartner(t, s, "//a.example/pact")
		s.Close()
		for _, name := range []string{SQLiteFile, SQLiteFile + "-wal", SQLiteFile + "-shm"} {
			p := filepath.Join(dir, name)
			if _, err := os.Stat(p); err == nil {
				if err := os.Chmod(p, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		s, err = Open(ctxFor(t), "", dir)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		mustPartner(t, s, "//b.example/pact")
		check(t, dir)
	})
}

// testPACTOutboxRequeueFailed: an answer that failed for good is queued
// again, due now, attempts reset, same event id, when the partner sends its
// request event again (the review found it was dropped as already sent).
func testPACTOutboxRequeueFailed(t *testing.T, open func(t *testing.T) Store) {
	s, ctx := open(t), ctxFor(t)
	p := mustPartner(t, s, "//c.example/pact")
	a := mustEnqueue(t, s, p.ID, "req-9")
	got := claimIDs(t, s, 10, time.Minute)
	if len(got) != 1 || got[0].ID != a.ID {
		t.Fatalf("claimed %v", requestIDs(got))
	}
	if err := s.FinishPACTAnswer(ctx, a.ID, got[0].Claim, PACTAnswerOutcome{Status: AnswerFailed, Error: "gave up"}); err != nil {
		t.Fatal(err)
	}
	again, created, err := s.EnqueuePACTAnswer(ctx, PACTAnswer{PartnerID: p.ID, RequestEventID: "req-9", Source: "//x"})
	if err != nil || !created || again.ID != a.ID || again.Status != AnswerPending || again.Attempts != 0 || again.LastError != "" {
		t.Fatalf("a failed answer asked for again: %+v, %v, %v", again, created, err)
	}
	if got := claimIDs(t, s, 10, time.Minute); len(got) != 1 || got[0].ID != a.ID {
		t.Fatalf("claimed %v after the request came again", requestIDs(got))
	}
	// A pending or sent answer asked for again is left as it is.
	if _, created, err := s.EnqueuePACTAnswer(ctx, PACTAnswer{PartnerID: p.ID, RequestEventID: "req-9", Source: "//x"}); err != nil || created {
		t.Fatalf("an answer in flight asked for again: created %v, %v", created, err)
	}
}
