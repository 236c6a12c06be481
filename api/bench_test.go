package api

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"alcarbon/cache"
	"alcarbon/factors"
	"alcarbon/internal/testredis"
)

// referenceSmelter is a Shanxi smelter with a mixed supply portfolio: 60 %
// captive coal, 40 % grid, on-site PV given as annual MWh (not a modelled
// system) and certificates.
const referenceSmelter = `{
  "region": "CN-SX", "year": 2023, "gwp": "AR5", "electricity_basis": "co2_operational",
  "production_t": 300000,
  "alumina":      {"consumption_t_per_t": 1.92, "footprint_tco2e_per_t": 1.2},
  "anode":        {"net_carbon_t_per_t": 0.411, "sulphur_fraction": 0.02, "ash_fraction": 0.004,
                   "consumption_t_per_t": 0.45, "production_tco2e_per_t": 0.35},
  "electrolysis": {"technology": "PFPB_M", "ac_kwh_per_t": 13500,
                   "pfc": {"method": "slope", "anode_effect_minutes_per_cell_day": 0.05}},
  "casting":      {"electricity_kwh_per_t": 50, "natural_gas_nm3_per_t": 0},
  "electricity":  {"sources": [
                     {"kind": "captive", "fuel": "coal", "share": 0.6, "ef_tco2_per_mwh": 0.95},
                     {"kind": "grid", "region": "CN-SX", "share": 0.4},
                     {"kind": "onsite_pv", "mwh": 150000}],
                   "certificates_mwh": 50000}
}`

// BenchmarkEcho is the baseline: a bare echo JSON handler that decodes a
// small body and encodes it back, through the same router type.
func BenchmarkEcho(b *testing.B) {
	e := echo.New()
	e.POST("/echo", func(c echo.Context) error {
		var v map[string]any
		if err := c.Bind(&v); err != nil {
			return err
		}
		return c.JSON(http.StatusOK, v)
	})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		rec := postJSON(b, e, "/echo", `{"region":"CN-SX","year":2023}`)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

// BenchmarkPrimaryUncached sends distinct requests so every one is computed,
// on the build's default dataset.
func BenchmarkPrimaryUncached(b *testing.B) {
	e := realDefaultServer(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		body := fmt.Sprintf(`{"production_t": %d, "electrolysis": {"ac_kwh_per_t": 13500}, "electricity": {"sources": [{"kind": "captive", "fuel": "coal", "share": 0.6, "ef_tco2_per_mwh": 0.95}, {"kind": "grid", "share": 0.4}], "certificates_mwh": 50000}}`, 300000+i)
		rec := postJSON(b, e, "/v1/footprints/primary", body)
		if rec.Code != 200 {
			b.Fatal(rec.Code, rec.Body)
		}
	}
}

// BenchmarkPrimaryCached sends the same request: memory hits.
func BenchmarkPrimaryCached(b *testing.B) {
	e := realDefaultServer(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		rec := postJSON(b, e, "/v1/footprints/primary", referenceSmelter)
		if rec.Code != 200 {
			b.Fatal(rec.Code, rec.Body)
		}
	}
}

// redisBenchServer is the router with a Redis-backed cache.
func redisBenchServer(b *testing.B) (*echo.Echo, *cache.Cache) {
	client, prefix := testredis.Client(b)
	cat, err := factors.Load()
	if err != nil {
		b.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	c, err := cache.New(cache.Options{Redis: client, Prefix: prefix, Registerer: reg})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return New(Options{Catalog: cat, Cache: c, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), Registry: reg, BodyLimit: 1 << 20}), c
}

// BenchmarkPrimaryResponseRedisHit measures a Redis hit of the reference
// smelter's response (≈ 25 kB) through the cache, memory cleared each time.
// Compare with BenchmarkPrimaryUncached: it is the evidence behind
// footprints without PV using the memory tier only (see respondCached).
func BenchmarkPrimaryResponseRedisHit(b *testing.B) {
	e, _ := redisBenchServer(b)
	body := postJSON(b, e, "/v1/footprints/primary", referenceSmelter).Body.Bytes()
	client, prefix := testredis.Client(b)
	c, err := cache.New(cache.Options{Redis: client, Prefix: prefix})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if _, _, err := c.Do(ctx, "k", true, func() ([]byte, error) { return body, nil }); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Purge()
		if _, tier, _ := c.Do(ctx, "k", true, nil); tier != cache.TierRedis {
			b.Fatalf("tier %s", tier)
		}
	}
}

// BenchmarkPVRedisHit answers a PV request from Redis (memory cleared each
// time); compare with BenchmarkPVEndpointUncached.
func BenchmarkPVRedisHit(b *testing.B) {
	e, c := redisBenchServer(b)
	const req = `{"site": "taiyuan", "system": {"capacity_kwp": 1000, "tilt_deg": 35}}`
	if rec := postJSON(b, e, "/v1/pv", req); rec.Code != 200 {
		b.Fatal(rec.Code, rec.Body)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Purge()
		rec := postJSON(b, e, "/v1/pv", req)
		if rec.Header().Get("X-Cache") != "hit-redis" {
			b.Fatalf("X-Cache %q", rec.Header().Get("X-Cache"))
		}
	}
}
