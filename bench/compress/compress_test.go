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

func BenchmarkGzip(b *testing.B) {
	for name, data := range answers(b) {
		for _, level := range []int{1, 6, 9} {
			b.Run(fmt.Sprintf("%s/level-%d", name, level), func(b *testing.B) {
				w, _ := gzip.NewWriterLevel(nil, level)
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

// BenchmarkKlauspostGzip is github.com/klauspost/compress/gzip, a pure-Go
// gzip encoder with faster levels, for comparison with compress/gzip.
func BenchmarkKlauspostGzip(b *testing.B) {
	for name, data := range answers(b) {
		for _, level := range []int{1, 6} {
			b.Run(fmt.Sprintf("%s/level-%d", name, level), func(b *testing.B) {
				w, _ := kgzip.NewWriterLevel(nil, level)
				var buf bytes.Buffer
				for b.Loop() {
					buf.Reset()
					w.Reset(&buf)
					w.Write(data)
					w.Close()
				}
				b.ReportMetric(float64(buf.Len()), "bytes")
			})
		}
	}
}

func BenchmarkBrotli(b *testing.B) {
	for name, data := range answers(b) {
		for _, quality := range []int{4, 5, 6, 11} {
			b.Run(fmt.Sprintf("%s/quality-%d", name, quality), func(b *testing.B) {
				var buf bytes.Buffer
				w := brotli.NewWriterLevel(&buf, quality)
				for b.Loop() {
					buf.Reset()
					w.Reset(&buf)
					w.Write(data)
					w.Close()
				}
				b.ReportMetric(float64(buf.Len()), "bytes")
			})
		}
	}
}
