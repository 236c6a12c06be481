// Package logbuf batches log output: what is written is kept in a buffer
// and written out when the buffer fills, at most an interval after it was
// written, and at Close — as nginx's access_log buffer=… flush=… does. One
// write system call per request for the access line costs a cached answer
// about a tenth of its time (BENCHMARKS.md, issue 17); batched, a few
// hundred lines share one.
//
// What a crash loses is at most the last interval of lines; a clean
// shutdown (Close) loses nothing.
package logbuf

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// Writer is a batching io.Writer, safe for concurrent use. Each Write is
// copied whole into the buffer (or, when larger than the buffer, written
// through), so lines written by one Write call are never interleaved.
type Writer struct {
	mu     sync.Mutex
	buf    *bufio.Writer
	err    error // the first error writing out, returned by later calls
	stop   chan struct{}
	done   chan struct{}
	closed bool
}

// New returns a Writer that batches writes to w in a buffer of size bytes
// and writes them out at least every interval.
func New(w io.Writer, size int, interval time.Duration) *Writer {
	b := &Writer{buf: bufio.NewWriterSize(w, size), stop: make(chan struct{}), done: make(chan struct{})}
	go b.flushEvery(interval)
	return b
}

func (b *Writer) flushEvery(interval time.Duration) {
	defer close(b.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			_ = b.Flush() // kept in b.err for the next Write
		case <-b.stop:
			return
		}
	}
}

// Write buffers p. When p does not fit in what is left of the buffer, the
// buffer is written out first, so p stays whole.
func (b *Writer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return 0, b.err
	}
	if b.closed {
		return 0, io.ErrClosedPipe
	}
	if len(p) > b.buf.Available() && b.buf.Buffered() > 0 {
		if b.err = b.buf.Flush(); b.err != nil {
			return 0, b.err
		}
	}
	n, err := b.buf.Write(p)
	b.err = err
	return n, err
}

// Flush writes out what is buffered.
func (b *Writer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err == nil {
		b.err = b.buf.Flush()
	}
	return b.err
}

// Close stops the periodic flush and writes out what is buffered; later
// writes fail. It does not close the underlying writer.
func (b *Writer) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return b.err
	}
	b.closed = true
	b.mu.Unlock()
	close(b.stop)
	<-b.done
	return b.Flush()
}
