// Package compress measures what gzip and brotli make of alcarbon's
// answers, to choose the encodings the server offers (issue 17). It is a
// module of its own so that the brotli encoder it evaluates stays out of
// the service's go.mod. The answers in testdata are the reference primary
// (bench/bodies/primary.json) and product (bench/bodies/product.json)
// answers of dataset 2026.2.
//
//	cd bench/compress && go test -bench . -cpu 1
//
// Each benchmark reports ns/op for one compression from a pooled-state
// writer and the compressed size in "bytes".
package compress

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/andybalholm/brotli"
	kgzip "github.com/klauspost/compress/gzip"
)

func answers(b *testing.B) map[string][]byte {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		b.Fatal("no answers in testdata", err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		out[filepath.Base(f)] = data
	}
	return out
}

// encoder is what the compressors compared have in common.
type encoder interface {
	io.WriteCloser
	Reset(io.Writer)
}

// benchEncoder times one compression of each answer at each level with a
// reused encoder, and reports the compressed size.
func benchEncoder(b *testing.B, levels []int, newEncoder func(level int) encoder) {
	for name, data := range answers(b) {
		for _, level := range levels {
			b.Run(fmt.Sprintf("%s/level-%d", name, level), func(b *testing.B) {
				w := newEncoder(level)
				var buf bytes.Buffer
				for b.Loop() {
					buf.Reset()
					w.Reset(&buf)
					w.Write(data)
					w.Close()
				}
				b.ReportMetric(float64(buf.Len()), "bytes")
				b.ReportMetric(float64(len(data)), "plain-bytes")
			})
		}
	}
}

// BenchmarkGzip is the standard library's compress/gzip.
func BenchmarkGzip(b *testing.B) {
	benchEncoder(b, []int{1, 6, 9}, func(level int) encoder { w, _ := gzip.NewWriterLevel(nil, level); return w })
}

// BenchmarkKlauspostGzip is github.com/klauspost/compress/gzip, the
// encoder the server uses (api/cached.go), at its fastest and default
// levels.
func BenchmarkKlauspostGzip(b *testing.B) {
	benchEncoder(b, []int{1, 6}, func(level int) encoder { w, _ := kgzip.NewWriterLevel(nil, level); return w })
}

// BenchmarkBrotli is github.com/andybalholm/brotli; its "level" is the
// brotli quality, 0–11.
func BenchmarkBrotli(b *testing.B) {
	benchEncoder(b, []int{4, 5, 6, 11}, func(level int) encoder { return brotli.NewWriterLevel(nil, level) })
}
