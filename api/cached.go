package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"alcarbon/cache"
	"alcarbon/calc"
)

// responseShape versions the bodies the cache holds: change it when a
// response gains or loses a field without an engine change, so that no
// cached body of the old shape is served (s2: stages[].defaulted_inputs).
const responseShape = "s2"

// respondCached answers a calculation from the cache or by computing it.
// The key is dataset + engine version + endpoint + SHA-256 of the
// normalised request, so equal requests written differently share an
// entry. The response carries ETag (a hash of the key) and X-Cache; a matching
// If-None-Match gets 304.
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
// request's context, which it must observe. Identical concurrent misses
// share one computation (the cache's flight): if the caller that started
// it hangs up, the computation stops, and a caller still waiting runs its
// own.
func (s *server) respondCached(c echo.Context, endpoint, dataset string, req any, useRedis bool, w work, compute func(ctx context.Context) (any, error)) error {
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
	hash := hex.EncodeToString(sum[:])
	key := cache.Key(dataset, calc.EngineVersion, responseShape, endpoint, hash)
	// The ETag covers the whole key, so a new dataset, engine version or
	// response shape never answers 304 for a body it would compute
	// differently.
	keySum := sha256.Sum256([]byte(key))
	etag := `"` + hex.EncodeToString(keySum[:16]) + `"`
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
	c.Set(ctxCacheTier, string(tier))
	h := c.Response().Header()
	h.Set("ETag", etag)
	h.Set("X-Cache", string(tier))
	if match := c.Request().Header.Get("If-None-Match"); match != "" && etagMatches(match, etag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.JSONBlob(http.StatusOK, body)
}

// etagMatches implements the weak comparison of RFC 9110 §13.1.2 for a
// list of entity tags or "*".
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
