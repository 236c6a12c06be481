package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"alcarbon/cache"
	"alcarbon/factors"
)

// Issue 17: a computed answer against echo answering the same bytes. Each
// sub-benchmark pair sends a reference body of bench/bodies through the
// real router with a cache that stores nothing (every request is
// computed), and through a bare echo handler that reads the body and
// answers the project's response as a fixed byte slice. The ratio
// echo_* ns/op ÷ project ns/op is the project's throughput as a fraction
// of the baseline's; `-count` alternates the two in one run. cpu-ns/op is
// the process's CPU time per request, the steadier figure on a shared
// machine.

// reportCPU reports the process's CPU time per operation since cpu0
// [cpu-ns/op]: on a machine shared with other work it moves less than the
// wall time, and it counts the garbage collector's background work.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(b.N), "cpu-ns/op")
}

// computedServer is the router over the build's catalog (default dataset:
// the newest release) with a cache that stores no answer, so that every
// request is decoded, validated, hashed, computed and encoded.
func computedServer(tb testing.TB) *echo.Echo {
	tb.Helper()
	cat, err := factors.Load()
	if err != nil {
		tb.Fatal(err)
	}
	c, err := cache.New(cache.Options{MaxEntryBytes: 1})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	e, _, _ := newTestServer(tb, func(o *Options) { o.Catalog, o.Cache = cat, c })
	return e
}

// echoSameBytes is a bare echo router whose handler at path reads the
// request body and answers answer as JSON.
func echoSameBytes(path string, answer []byte) *echo.Echo {
	e := echo.New()
	e.POST(path, func(c echo.Context) error {
		if _, err := io.ReadAll(c.Request().Body); err != nil {
			return err
		}
		return c.JSONBlob(http.StatusOK, answer)
	})
	return e
}

func BenchmarkComputedVsEcho(b *testing.B) {
	for _, tc := range []struct{ name, path, file string }{
		{"primary", "/v1/footprints/primary", "../bench/bodies/primary.json"},
		{"product", "/v1/footprints/product", "../bench/bodies/product.json"},
	} {
		raw, err := os.ReadFile(tc.file)
		if err != nil {
			b.Fatal(err)
		}
		body := string(raw)
		e := computedServer(b)
		first := postJSON(b, e, tc.path, body)
		if first.Code != http.StatusOK {
			b.Fatal(first.Code, first.Body)
		}
		answer := first.Body.Bytes()
		base := echoSameBytes(tc.path, answer)
		b.Run("echo_"+tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(answer)))
			b.ReportAllocs()
			cpu0 := cpuTime(b)
			for b.Loop() {
				if rec := postJSON(b, base, tc.path, body); rec.Code != http.StatusOK || rec.Body.Len() != len(answer) {
					b.Fatal(rec.Code)
				}
			}
			reportCPU(b, cpu0)
		})
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(answer)))
			b.ReportAllocs()
			cpu0 := cpuTime(b)
			for b.Loop() {
				rec := postJSON(b, e, tc.path, body)
				if rec.Code != http.StatusOK || rec.Header().Get("X-Cache") != "miss" || rec.Body.Len() != len(answer) {
					b.Fatal(rec.Code, rec.Header().Get("X-Cache"))
				}
			}
			reportCPU(b, cpu0)
		})
	}
}

// computedResponse computes the response value of a request of kind
// (the value respondCached marshals), without the router.
func computedResponse(tb testing.TB, kind, body string) any {
	tb.Helper()
	cat, err := factors.Load()
	if err != nil {
		tb.Fatal(err)
	}
	s := &server{catalog: cat, engines: enginesOf(cat)}
	req, err := decodeRequest(calcKinds[kind], []byte(body))
	if err != nil {
		tb.Fatal(err)
	}
	ds, err := req.prepare(cat)
	if err != nil {
		tb.Fatal(err)
	}
	r, err := req.compute(context.Background(), s, ds, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return r.response()
}

// BenchmarkResponseEncoding prices the parts of encoding the reference
// primary answer, the evidence for how issue 17 treats the provenance
// factors (constant per dataset, most of the bytes):
//
//   - whole: json.Marshal of the response, as respondCached does;
//   - factors: json.Marshal of provenance.factors alone, what encoding
//     them once per dataset could save;
//   - factors_splice: appending their bytes, already encoded, to the
//     answer's buffer: what the splice would cost instead;
//   - marshaler: json.Marshal of the answer's bytes as a json.RawMessage:
//     the cost of handing encoding/json bytes through a json.Marshaler,
//     whose output it always compacts (validates and copies);
//   - encodeAnswer: what the calculation endpoints do instead of whole
//     (the factors' entries from factorCache, spliced).
func BenchmarkResponseEncoding(b *testing.B) {
	raw, err := os.ReadFile("../bench/bodies/primary.json")
	if err != nil {
		b.Fatal(err)
	}
	v := computedResponse(b, kindPrimary, string(raw))
	whole, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	fs := v.(primaryResponse).Provenance.Factors
	encoded, err := json.Marshal(fs)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("answer %d bytes, of which provenance.factors %d (%d factors)", len(whole), len(encoded), len(fs))
	var spliced []byte // the answer's buffer, where the factors would be appended
	for _, tc := range []struct {
		name string
		f    func() ([]byte, error)
	}{
		{"whole", func() ([]byte, error) { return json.Marshal(v) }},
		{"factors", func() ([]byte, error) { return json.Marshal(fs) }},
		{"factors_splice", func() ([]byte, error) { spliced = append(spliced[:0], encoded...); return spliced, nil }},
		{"marshaler", func() ([]byte, error) { return json.Marshal(json.RawMessage(whole)) }},
		{"encodeAnswer", func() ([]byte, error) { return encodeAnswer(v) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tc.f(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
