package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// The cache tiers against echo answering the same bytes (issue 17): a hit
// should cost little more than reading the body and writing the answer.
// Through the router with httptest (no network), so the ratio shows the
// project's own work; bench/load.sh measures it over TCP. Ratio = echo
// ns/op ÷ tier ns/op (throughput of the tier ÷ throughput of echo).

// BenchmarkEchoSameBytes is the ceiling: an echo handler that reads the
// body and answers with the reference smelter's cached answer.
func BenchmarkEchoSameBytes(b *testing.B) {
	answer := postJSON(b, realDefaultServer(b), "/v1/footprints/primary", referenceSmelter).Body.Bytes()
	e := echo.New()
	e.POST("/same", func(c echo.Context) error {
		if _, err := readJSONBody(c); err != nil {
			return err
		}
		return c.JSONBlob(http.StatusOK, answer)
	})
	b.ReportAllocs()
	for b.Loop() {
		if rec := postJSON(b, e, "/same", referenceSmelter); rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}

// BenchmarkPrimaryExactHit sends the same bytes: the exact tier answers
// before decoding, plain or, for a client accepting gzip, with the gzip
// form kept in the cache.
func BenchmarkPrimaryExactHit(b *testing.B) {
	for _, encoding := range []string{"", "gzip"} {
		b.Run("accept-encoding="+encoding, func(b *testing.B) {
			e := realDefaultServer(b)
			postJSON(b, e, "/v1/footprints/primary", referenceSmelter)
			b.ReportAllocs()
			for b.Loop() {
				rec := postJSON(b, e, "/v1/footprints/primary", referenceSmelter, "Accept-Encoding", encoding)
				if rec.Code != http.StatusOK || rec.Header().Get("X-Cache") != "hit-memory" || (rec.Header().Get("Content-Encoding") == "gzip") != (encoding == "gzip") {
					b.Fatal(rec.Code, rec.Header())
				}
			}
		})
	}
}

// BenchmarkPrimaryNormalisedHit sends the same request written
// differently each time (trailing spaces), so the exact tier misses and
// the normalised tier answers after decoding, validation and normalising.
func BenchmarkPrimaryNormalisedHit(b *testing.B) {
	e := realDefaultServer(b)
	postJSON(b, e, "/v1/footprints/primary", referenceSmelter)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		body := referenceSmelter + strings.Repeat(" ", i%4096)
		if rec := postJSON(b, e, "/v1/footprints/primary", body); rec.Code != http.StatusOK || rec.Header().Get("X-Cache") != "hit-memory" {
			b.Fatal(rec.Code, rec.Header())
		}
	}
}
