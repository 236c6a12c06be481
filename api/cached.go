package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"

	"alcarbon/cache"
	"alcarbon/calc"
	"alcarbon/factors"
)

// responseShape versions the bodies the cache holds: change it when a
// response gains or loses a field without an engine change, so that no
// cached body of the old shape is served (s2: stages[].defaulted_inputs).
const responseShape = "s2"

// readCachable reads a calculation request's body and answers it at once
// from the exact-bytes tier when the same bytes were answered before: the
// cache then resolves the body's exact key to the normalised key of its
// earlier answer, with no decoding, validation or normalising. It returns
// the body and its exact key for respondCached; answered is true when the
// response has been written (err is then the write's).
//
// The exact key is endpoint + the server's dataset scope (default version
// and every draft's digest, which decide what an unpinned or draft-pinned
// body resolves to) + engine version + response shape + SHA-256 of the
// body. Nothing else of a request changes a calculation's answer (no query
// parameter or header is read; a product's declaration_id names a public,
// immutable declaration), and its work price is a function of the body, so
// bytes accepted once are accepted again.
func (s *server) readCachable(c echo.Context, endpoint string) (body []byte, exact string, answered bool, err error) {
	if body, err = readJSONBody(c); err != nil {
		return nil, "", false, err
	}
	sum := sha256.Sum256(body)
	exact = cache.Key("raw", s.exactScope, endpoint, hex.EncodeToString(sum[:]))
	key, answer, ok := s.cache.Resolve(exact)
	if !ok {
		return body, exact, false, nil
	}
	return body, exact, true, s.writeCached(c, key, answer, cache.TierMemory)
}

// exactScope is the part of every exact key that is fixed for a server:
// what decides the dataset of a body (scenarioCacheDataset), the engine
// version and the response shape.
func exactScope(cat *factors.Catalog) string {
	return cache.Key(scenarioCacheDataset(cat), calc.EngineVersion, responseShape)
}

// respondCached answers a calculation from the cache or by computing it.
// The key is dataset + engine version + endpoint + SHA-256 of the
// normalised request, so equal requests written differently share an
// entry; exact (from readCachable) is then made an alias of it, so the
// same bytes are answered before decoding next time. The response carries
// ETag (a hash of the key, the same from either tier) and X-Cache; a
// matching If-None-Match gets 304; see writeCached.
//
// useRedis is false for requests whose computation is cheaper than a Redis
// round trip. Measured with `go test -bench . ./api` on the 2-core
// development machine: computing the reference smelter takes ≈ 100 µs and a
// Redis hit of its ≈ 25 kB response ≈ 150 µs, so footprint and portfolio
// requests without PV use the memory tier only; PV yields (≈ 1–2 ms per
// system) and requests that contain them use Redis.
//
// w is the request's price: over the budget it is a 422 before anything
// else; on a miss, compute runs through admission (work.go) under the
// request's context, which it must observe, and returns the answer to
// encode with encoding/json or an encodedAnswer. Identical concurrent misses
// share one computation (the cache's flight): if the caller that started
// it hangs up, the computation stops, and a caller still waiting runs its
// own.
func (s *server) respondCached(c echo.Context, endpoint, exact, dataset string, req any, useRedis bool, w work, compute func(ctx context.Context) (any, error)) error {
	if err := s.work.check(w); err != nil {
		return err
	}
	// req is a Go struct with defaults filled in: encoding/json writes its
	// fields in declaration order (and map keys sorted), so its encoding is
	// already canonical and equal requests hash equal.
	canonical, err := json.Marshal(req)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(canonical)
	key := cache.Key(dataset, calc.EngineVersion, responseShape, endpoint, hex.EncodeToString(sum[:]))
	ctx := c.Request().Context()
	var (
		body []byte
		tier cache.Tier
	)
	for attempt := 0; ; attempt++ {
		body, tier, err = s.cache.Do(ctx, key, useRedis, func() ([]byte, error) {
			v, err := s.work.run(ctx, w, compute)
			if err != nil {
				return nil, err
			}
			if b, ok := v.(encodedAnswer); ok {
				return b, nil
			}
			return json.Marshal(v)
		})
		// A flight started by a caller who hung up ends interrupted; a
		// caller still here computes again (bounded: each flight either
		// ends or is interrupted by a caller that is gone).
		if err == nil || ctx.Err() != nil || attempt == 2 || errors.Is(err, context.DeadlineExceeded) || !(errors.Is(err, calc.ErrInterrupted) || errors.Is(err, errInterruptedBeforeStart)) {
			break
		}
	}
	if err != nil {
		return err
	}
	s.cache.Alias(exact, key)
	return s.writeCached(c, key, body, tier)
}

// encodedAnswer is an answer a computation has already encoded as JSON,
// byte for byte as encoding/json would: respondCached stores and sends it
// as it is.
type encodedAnswer []byte

// gzipMinBytes is the smallest JSON body sent gzip-compressed to a client
// that accepts it [bytes]: below about 1 kB the gzip header and the
// client's work outweigh the bytes saved.
const gzipMinBytes = 1024

// writeCached writes a cached answer: ETag (a hash of its normalised key:
// a new dataset, engine version or response shape never answers 304 for a
// body it would compute differently), X-Cache, and 304 for a matching
// If-None-Match. Above gzipMinBytes, a client that accepts gzip gets the
// gzip encoding kept in the cache beside the body (compressed once per
// entry), with the weak form of the ETag as a compressed representation
// should carry (RFC 9110 §8.8.1; nginx does the same), and every answer
// says Vary: Accept-Encoding.
func (s *server) writeCached(c echo.Context, key string, body []byte, tier cache.Tier) error {
	keySum := sha256.Sum256([]byte(key))
	etag := `"` + hex.EncodeToString(keySum[:16]) + `"`
	h := c.Response().Header()
	h[headerCache] = tierHeaders[tier]
	compress := false
	if len(body) > gzipMinBytes {
		h.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
		compress = acceptsGzip(c.Request().Header.Get(echo.HeaderAcceptEncoding))
	}
	if compress {
		h.Set("ETag", "W/"+etag)
	} else {
		h.Set("ETag", etag)
	}
	if match := c.Request().Header.Get("If-None-Match"); match != "" && etagMatches(match, etag) {
		return c.NoContent(http.StatusNotModified)
	}
	if compress {
		gz, err := s.cache.Variant(key, "gzip", body, gzipBytes)
		if err != nil {
			return err
		}
		h.Set(echo.HeaderContentEncoding, "gzip")
		body = gz
	}
	// With its length known, net/http writes the body as it is rather
	// than in chunks.
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, body)
}

// tierHeaders are the X-Cache header values, shared by every response
// (assigned, as securityHeaders does, so no request allocates one).
var tierHeaders = map[cache.Tier][]string{
	cache.TierMemory: {string(cache.TierMemory)},
	cache.TierRedis:  {string(cache.TierRedis)},
	cache.TierMiss:   {string(cache.TierMiss)},
}

// gzipWriters reuses gzip compressors, which hold hundreds of kB of state.
var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression) // a valid level: never an error
	return w
}}

// gzipBytes returns b gzip-compressed at the default level (6) by
// github.com/klauspost/compress/gzip: on the reference answers it takes
// 77–120 µs where compress/gzip takes 210–380 µs (1 % smaller) at level 6
// and 95–225 µs at level 1 (11 % larger) on one core (bench/compress). An
// answer is compressed once, on the request that computes it or first asks
// for gzip, and then served from the cache.
func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(b)/3 + 64)
	w := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(w)
	w.Reset(&buf)
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// acceptsGzip reports whether an Accept-Encoding header accepts gzip
// (RFC 9110 §12.5.3): a gzip or x-gzip member whose q is not 0, or, when
// no such member is given, a * member whose q is not 0.
func acceptsGzip(header string) bool {
	named, star := false, false
	for member := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(member, ";")
		q, ok := qValue(params)
		accepted := !ok || q > 0
		switch strings.ToLower(strings.TrimSpace(coding)) {
		case "gzip", "x-gzip":
			if !accepted {
				return false
			}
			named = true
		case "*":
			star = accepted
		}
	}
	return named || star
}

// qValue returns the q parameter of an Accept-* member's parameters
// ("q=0.5"), and false when there is none or it does not parse.
func qValue(params string) (float64, bool) {
	for p := range strings.SplitSeq(params, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(strings.TrimSpace(name), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			return q, err == nil
		}
	}
	return 0, false
}

// etagMatches implements the weak comparison of RFC 9110 §13.1.2 for a
// list of entity tags or "*".
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == strings.TrimPrefix(etag, "W/") {
			return true
		}
	}
	return false
}
