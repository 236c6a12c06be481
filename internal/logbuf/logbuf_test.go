package logbuf

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the flusher and the test to share;
// it counts the writes that reach it.
type syncBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

// TestBatchesAndFlushesOnTime: lines are held, then written out together
// within the interval, in one write.
func TestBatchesAndFlushesOnTime(t *testing.T) {
	var out syncBuffer
	w := New(&out, 4096, 50*time.Millisecond)
	defer w.Close()
	for i := range 10 {
		fmt.Fprintf(w, "line %d\n", i)
	}
	if got := out.String(); got != "" {
		t.Fatalf("written at once: %q", got)
	}
	deadline := time.Now().Add(2 * time.Second)
	for out.String() == "" && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := strings.Count(out.String(), "\n"); got != 10 || out.Writes() != 1 {
		t.Fatalf("after the interval: %d lines in %d writes, want 10 in 1", got, out.Writes())
	}
}

// TestCloseFlushes: Close writes out what is buffered at once, and later
// writes fail.
func TestCloseFlushes(t *testing.T) {
	var out syncBuffer
	w := New(&out, 4096, time.Hour)
	fmt.Fprint(w, "last words\n")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if out.String() != "last words\n" {
		t.Fatalf("after Close: %q", out.String())
	}
	if _, err := w.Write([]byte("x")); err == nil {
		t.Fatal("write after Close succeeded")
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// TestLinesStayWhole: concurrent writers' lines are never split or mixed,
// even when a line does not fit in what is left of the buffer or is larger
// than the buffer.
func TestLinesStayWhole(t *testing.T) {
	var out syncBuffer
	w := New(&out, 256, time.Millisecond)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				n := 10 + (g*37+i*11)%400 // some lines longer than the buffer
				fmt.Fprintf(w, "%d:%s\n", g, strings.Repeat(string(rune('a'+g)), n))
			}
		})
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 8*200 {
		t.Fatalf("%d lines, want %d", len(lines), 8*200)
	}
	for _, l := range lines {
		g, body, ok := strings.Cut(l, ":")
		if !ok || len(g) != 1 || strings.Trim(body, string(rune('a'+int(g[0]-'0')))) != "" {
			t.Fatalf("line split or mixed: %.80q", l)
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestErrorsReported: an error writing out is returned by the next Write
// and by Close.
func TestErrorsReported(t *testing.T) {
	w := New(failingWriter{}, 16, time.Hour)
	fmt.Fprint(w, "0123456789")
	if _, err := w.Write([]byte("0123456789")); err == nil { // does not fit: flushes, fails
		t.Fatal("no error from a failed flush")
	}
	if err := w.Close(); err == nil {
		t.Fatal("Close hid the error")
	}
}
