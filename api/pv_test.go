package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"

	"alcarbon/calc"
)

// POST /v1/pv and GET /v1/solar-sites through the real router, and
// on-site PV inside a footprint's portfolio.

// pvtSite is where the synthetic weather of these tests is: an EPW header
// names it, and hourly requests give it as location. UTC+7 (not China's +8)
// so that a time zone taken from the wrong place shows.
const (
	pvtLat, pvtLon, pvtElev, pvtUTC = 38.5, 111.25, 900.0, 7.0
)

// pvtWeather is a synthetic year at pvtSite, each value rounded to 0.1 so
// that the EPW text and the JSON numbers parse to the same float64:
// DNI = 900 exp(−0.12/cos z) × a daily cloud factor c ∈ [0.3, 1],
// DHI = (40 + 80 (1 − c)) cos z, GHI = DNI cos z + DHI (z the apparent
// zenith at mid-hour, 0 at night), air 5–25 °C by month, wind 0–3 m/s.
type pvtWeather struct {
	ghi, dni, dhi, temp, wind []float64
}

var pvtYear = sync.OnceValue(func() pvtWeather {
	n := calc.HoursPerYear
	w := pvtWeather{make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)}
	app := make([]float64, n)
	calc.NewSunTable(2023, pvtUTC).Positions(pvtLat, pvtLon, pvtElev, app, nil, nil)
	r1 := func(x float64) float64 { return math.Round(x*10) / 10 }
	for i := range n {
		day := i / 24
		w.temp[i] = r1(15 - 10*math.Cos(2*math.Pi*float64(day-15)/365))
		w.wind[i] = r1(1.5 + 1.5*math.Sin(float64(i)*0.7))
		cosZ := math.Cos(app[i] * math.Pi / 180)
		if cosZ <= 0 {
			continue
		}
		c := 0.3 + 0.7*math.Abs(math.Mod(math.Sin(float64(day)*12.9898)*43758.5453, 1))
		w.dni[i] = r1(900 * math.Exp(-0.12/cosZ) * c)
		w.dhi[i] = r1((40 + 80*(1-c)) * cosZ)
		w.ghi[i] = r1(w.dni[i]*cosZ + w.dhi[i])
	}
	return w
})

// pvtEPW is an EPW file of pvtWeather: the LOCATION record places it at
// pvtSite (time zone 7), then the seven other header lines (EPW Data
// Dictionary) and 8760 full 35-field rows; the COMMENTS 2 line is padded
// with pad characters (to make a large body).
func pvtEPW(pad int) string {
	w := pvtYear()
	var b strings.Builder
	fmt.Fprintf(&b, "LOCATION,Test Site,SX,CHN,synthetic,999999,%.2f,%.2f,%.1f,%.1f\n", pvtLat, pvtLon, pvtUTC, pvtElev)
	b.WriteString("DESIGN CONDITIONS,0\nTYPICAL/EXTREME PERIODS,0\nGROUND TEMPERATURES,0\nHOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0\nCOMMENTS 1,synthetic test file\n")
	b.WriteString("COMMENTS 2," + strings.Repeat("x", pad) + "\n")
	b.WriteString("DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31\n")
	days := []int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	i := 0
	for m, nd := range days {
		for d := 1; d <= nd; d++ {
			for h := 1; h <= 24; h++ {
				fmt.Fprintf(&b, "2005,%d,%d,%d,60,?9?9?9?9E0?9?9?9?9?9?9?9?9?9?9?9?9?9*9*9?9?9?9,%.1f,0.0,50,93000,0,0,300,%.1f,%.1f,%.1f,0,0,0,0,180,%.1f,5,5,20.0,77777,9,999999999,10,0.1000,0,88,0.200,0.0,1.0\n",
					m+1, d, h, w.temp[i], w.ghi[i], w.dni[i], w.dhi[i], w.wind[i])
				i++
			}
		}
	}
	return b.String()
}

// pvtBody marshals a request body.
func pvtBody(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type obj = map[string]any

// pvtLocation is pvtSite as a request location.
func pvtLocation() obj {
	return obj{"latitude": pvtLat, "longitude": pvtLon, "altitude_m": pvtElev, "utc_offset_h": pvtUTC}
}

// pvtHourly is pvtWeather as an hourly resource, with DNI and DHI or not.
func pvtHourly(withBeam bool) obj {
	w := pvtYear()
	h := obj{"ghi_w_m2": w.ghi, "temp_air_c": w.temp, "wind_speed_m_s": w.wind}
	if withBeam {
		h["dni_w_m2"], h["dhi_w_m2"] = w.dni, w.dhi
	}
	return obj{"hourly": h}
}

// pvtSystem is a 1 MWp array at 30° south.
func pvtSystem() obj { return obj{"capacity_kwp": 1000, "tilt_deg": 30} }

func postPV(t *testing.T, e *echo.Echo, body string) pvResponse {
	t.Helper()
	rec := postJSON(t, e, "/v1/pv", body)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %.2000s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("content type %q", ct)
	}
	return decodeJSON[pvResponse](t, rec.Body.Bytes())
}

// checkPVResponse checks what every yield must satisfy: 12 months summing
// to the year, yield and CF by their definitions, losses adding up.
func checkPVResponse(t *testing.T, r pvResponse, kwp float64) {
	t.Helper()
	if len(r.MonthlyACKWh) != 12 {
		t.Fatalf("monthly_ac_kwh has %d values", len(r.MonthlyACKWh))
	}
	var sum float64
	for _, v := range r.MonthlyACKWh {
		sum += v
	}
	l := r.Losses
	for name, pair := range map[string][2]float64{
		"Σ monthly":         {sum, r.AnnualACKWh},
		"specific yield":    {r.SpecificYieldKWhPerKWp, r.AnnualACKWh / kwp},
		"capacity factor":   {r.CapacityFactor, r.AnnualACKWh / (kwp * 8760)},
		"performance ratio": {r.PerformanceRatio, r.SpecificYieldKWhPerKWp / r.AnnualPOAKWhM2},
		"losses":            {l.NominalKWh - l.IAMKWh - l.TemperatureKWh - l.SystemKWh - l.InverterKWh - l.ClippingKWh, r.AnnualACKWh},
	} {
		if !near(pair[0], pair[1]) {
			t.Errorf("%s: %v, want %v", name, pair[0], pair[1])
		}
	}
	if !(r.AnnualACKWh > 0) || !(r.PerformanceRatio > 0.5 && r.PerformanceRatio < 1) {
		t.Errorf("annual %v kWh, PR %v", r.AnnualACKWh, r.PerformanceRatio)
	}
	if r.Dataset != "2026.1" || r.EngineVersion == "" || len(r.Provenance.Factors) == 0 || len(r.Provenance.Assumptions) == 0 {
		t.Errorf("dataset %q, engine %q, provenance %+v", r.Dataset, r.EngineVersion, r.Provenance)
	}
}

func TestPVEndpointResourceKinds(t *testing.T) {
	e, _, _ := testServer(t)
	w := pvtYear()
	var ghi float64
	for _, v := range w.ghi {
		ghi += v / 1000
	}

	var hourlyBeam pvResponse
	t.Run("hourly with DNI and DHI", func(t *testing.T) {
		r := postPV(t, e, pvtBody(t, obj{"location": pvtLocation(), "system": pvtSystem(), "solar_resource": pvtHourly(true)}))
		checkPVResponse(t, r, 1000)
		if !near(r.AnnualGHIKWhM2, ghi) {
			t.Errorf("annual GHI %v, want Σ hourly / 1000 = %v", r.AnnualGHIKWhM2, ghi)
		}
		if r.LatitudeDeg != pvtLat || r.LongitudeDeg != pvtLon || r.UTCOffsetH != pvtUTC {
			t.Errorf("location %v, %v, UTC%+v", r.LatitudeDeg, r.LongitudeDeg, r.UTCOffsetH)
		}
		hourlyBeam = r
	})
	t.Run("hourly GHI only (Erbs)", func(t *testing.T) {
		r := postPV(t, e, pvtBody(t, obj{"location": pvtLocation(), "system": pvtSystem(), "solar_resource": pvtHourly(false)}))
		checkPVResponse(t, r, 1000)
		if !near(r.AnnualGHIKWhM2, ghi) {
			t.Errorf("annual GHI %v, want %v", r.AnnualGHIKWhM2, ghi)
		}
		if !containsAny(r.Provenance.Assumptions, "Erbs") {
			t.Errorf("assumptions do not mention Erbs: %q", r.Provenance.Assumptions)
		}
		// Erbs' split of the same GHI gives a different but close yield.
		if d := math.Abs(r.AnnualACKWh/hourlyBeam.AnnualACKWh - 1); d == 0 || d > 0.15 {
			t.Errorf("Erbs %v vs given DNI/DHI %v kWh: %.1f %% apart, want 0 < d ≤ 15 %%", r.AnnualACKWh, hourlyBeam.AnnualACKWh, 100*d)
		}
	})
	t.Run("hourly without temperature and wind", func(t *testing.T) {
		h := pvtHourly(true)
		inner := h["hourly"].(obj)
		delete(inner, "temp_air_c")
		delete(inner, "wind_speed_m_s")
		r := postPV(t, e, pvtBody(t, obj{"location": pvtLocation(), "system": pvtSystem(), "solar_resource": h}))
		if !containsAny(r.Provenance.Assumptions, "20 °C") || !containsAny(r.Provenance.Assumptions, "1 m/s") {
			t.Errorf("assumptions do not state 20 °C and 1 m/s: %q", r.Provenance.Assumptions)
		}
	})
	t.Run("epw equals the same hourly data", func(t *testing.T) {
		// The EPW header sets latitude, longitude, elevation and time zone;
		// its hour h covers h−1…h, the hourly request's value i covers i…i+1.
		r := postPV(t, e, pvtBody(t, obj{"system": pvtSystem(), "solar_resource": obj{"epw": pvtEPW(0)}}))
		checkPVResponse(t, r, 1000)
		if r.LatitudeDeg != pvtLat || r.LongitudeDeg != pvtLon || r.UTCOffsetH != pvtUTC {
			t.Errorf("location from the EPW header: %v, %v, UTC%+v; want %v, %v, UTC%+v", r.LatitudeDeg, r.LongitudeDeg, r.UTCOffsetH, pvtLat, pvtLon, pvtUTC)
		}
		if !near(r.AnnualACKWh, hourlyBeam.AnnualACKWh) || !near(r.AnnualGHIKWhM2, ghi) {
			t.Errorf("EPW annual %v kWh (GHI %v), hourly request %v kWh (GHI %v)", r.AnnualACKWh, r.AnnualGHIKWhM2, hourlyBeam.AnnualACKWh, ghi)
		}
	})

	// Taiyuan's CBED (China Building Energy Data) monthly GHI and temperatures, WMO 53772.
	taiyuanGHI := []float64{67, 80, 119, 149, 173, 164, 156, 144, 118, 98, 69, 60}
	taiyuanT := []float64{-4.6, -0.8, 5.2, 12.6, 18.2, 21.8, 23.4, 21.7, 16.8, 10.4, 3.0, -2.9}
	taiyuanLoc := obj{"latitude": 37.62, "longitude": 112.58, "altitude_m": 777}
	var site pvResponse
	t.Run("top-level site replaces location and resource", func(t *testing.T) {
		site = postPV(t, e, `{"site": "taiyuan", "system": {"capacity_kwp": 1000, "tilt_deg": 35}}`)
		checkPVResponse(t, site, 1000)
		if site.LatitudeDeg != 37.62 || site.LongitudeDeg != 112.58 || site.UTCOffsetH != 8 {
			t.Errorf("site location %v, %v, UTC%+v; want Taiyuan 37.62, 112.58, UTC+8", site.LatitudeDeg, site.LongitudeDeg, site.UTCOffsetH)
		}
		if !near(site.AnnualGHIKWhM2, 1397) { // Σ of the 12 rounded monthly values
			t.Errorf("annual GHI %v, want 1397", site.AnnualGHIKWhM2)
		}
		// Rule of thumb: GHI 1,397 (solarbe.com 2017, GB/T 31155-2015) × tilt gain
		// 1.1–1.2 × PR 0.80 = 1,230–1,340 kWh/kWp for Taiyuan; a wider sanity band.
		if y := site.SpecificYieldKWhPerKWp; y < 1150 || y > 1400 {
			t.Errorf("Taiyuan specific yield %v, want 1,150–1,400", y)
		}
	})
	t.Run("resource site places the system", func(t *testing.T) {
		r := postPV(t, e, `{"system": {"capacity_kwp": 1000, "tilt_deg": 35}, "solar_resource": {"site": "taiyuan"}}`)
		if !near(r.AnnualACKWh, site.AnnualACKWh) || r.LatitudeDeg != 37.62 {
			t.Errorf("solar_resource.site: %v kWh at %v°; top-level site %v kWh", r.AnnualACKWh, r.LatitudeDeg, site.AnnualACKWh)
		}
	})
	t.Run("top-level site with an explicit resource", func(t *testing.T) {
		r := postPV(t, e, pvtBody(t, obj{"site": "taiyuan", "system": obj{"capacity_kwp": 1000, "tilt_deg": 35},
			"solar_resource": obj{"monthly_ghi_kwh_m2": taiyuanGHI, "monthly_temp_c": taiyuanT}}))
		if !near(r.AnnualACKWh, site.AnnualACKWh) {
			t.Errorf("site + the site's own monthly values: %v kWh, site alone %v kWh", r.AnnualACKWh, site.AnnualACKWh)
		}
	})
	t.Run("monthly", func(t *testing.T) {
		r := postPV(t, e, pvtBody(t, obj{"location": taiyuanLoc, "system": obj{"capacity_kwp": 1000, "tilt_deg": 35},
			"solar_resource": obj{"monthly_ghi_kwh_m2": taiyuanGHI, "monthly_temp_c": taiyuanT}}))
		checkPVResponse(t, r, 1000)
		if !near(r.AnnualACKWh, site.AnnualACKWh) || !near(r.AnnualGHIKWhM2, 1397) {
			t.Errorf("monthly = site's values: %v kWh (GHI %v), site %v kWh", r.AnnualACKWh, r.AnnualGHIKWhM2, site.AnnualACKWh)
		}
		// Without temperatures: 20 °C every hour, warmer than Taiyuan's
		// 10.4 °C mean, so less energy.
		r2 := postPV(t, e, pvtBody(t, obj{"location": taiyuanLoc, "system": obj{"capacity_kwp": 1000, "tilt_deg": 35},
			"solar_resource": obj{"monthly_ghi_kwh_m2": taiyuanGHI}}))
		if !(r2.AnnualACKWh < r.AnnualACKWh) {
			t.Errorf("monthly at 20 °C %v kWh not below with Taiyuan's temperatures %v", r2.AnnualACKWh, r.AnnualACKWh)
		}
	})
	t.Run("annual", func(t *testing.T) {
		r := postPV(t, e, pvtBody(t, obj{"location": taiyuanLoc, "system": obj{"capacity_kwp": 1000, "tilt_deg": 35},
			"solar_resource": obj{"annual_ghi_kwh_m2": 1397}}))
		checkPVResponse(t, r, 1000)
		if !near(r.AnnualGHIKWhM2, 1397) {
			t.Errorf("annual GHI %v, want the 1397 given", r.AnnualGHIKWhM2)
		}
		if d := math.Abs(r.AnnualACKWh/site.AnnualACKWh - 1); d > 0.1 {
			t.Errorf("annual-only %v vs monthly %v kWh: %.1f %% apart", r.AnnualACKWh, site.AnnualACKWh, 100*d)
		}
	})
}

func containsAny(msgs []string, sub string) bool {
	for _, m := range msgs {
		if strings.Contains(m, sub) {
			return true
		}
	}
	return false
}

func TestPVEndpointHourlyAndLoad(t *testing.T) {
	e, _, _ := testServer(t)
	r := postPV(t, e, `{"site": "taiyuan", "system": {"capacity_kwp": 1000}, "include_hourly": true}`)
	if len(r.HourlyACKWh) != 8760 {
		t.Fatalf("include_hourly: %d values, want 8760", len(r.HourlyACKWh))
	}
	var sum float64
	for _, v := range r.HourlyACKWh {
		sum += v
	}
	if !near(sum, r.AnnualACKWh) {
		t.Errorf("Σ hourly %v, annual %v", sum, r.AnnualACKWh)
	}
	if r.Load != nil {
		t.Errorf("load %+v without a load", r.Load)
	}
	// Without include_hourly the series is omitted from the JSON.
	rec := postJSON(t, e, "/v1/pv", `{"site": "taiyuan", "system": {"capacity_kwp": 1000}}`)
	if strings.Contains(rec.Body.String(), "hourly_ac_kwh") {
		t.Error("hourly_ac_kwh present without include_hourly")
	}

	// Loads against the hourly output above, computed here.
	used := func(loadKWh func(i int) float64) (u, load float64) {
		for i, v := range r.HourlyACKWh {
			l := loadKWh(i)
			u += math.Min(v, l)
			load += l
		}
		return u, load
	}
	flatBig := postPV(t, e, `{"site": "taiyuan", "system": {"capacity_kwp": 1000}, "load": {"flat_mw": 500}}`)
	if flatBig.Load == nil {
		t.Fatal("load missing from the response")
	}
	if l := flatBig.Load; !near(l.SelfConsumedKWh, r.AnnualACKWh) || l.ExportedKWh != 0 || !near(l.HourlyMatchedShare, r.AnnualACKWh/(500*1000*8760)) || !near(l.LoadKWh, 500*1000*8760) {
		t.Errorf("500 MW flat load: %+v; PV %v kWh", l, r.AnnualACKWh)
	}
	mid := postPV(t, e, `{"site": "taiyuan", "system": {"capacity_kwp": 1000}, "load": {"flat_mw": 0.25}}`)
	u, load := used(func(int) float64 { return 250 })
	if l := mid.Load; !near(l.SelfConsumedKWh, u) || !near(l.ExportedKWh, r.AnnualACKWh-u) || !near(l.HourlyMatchedShare, u/load) {
		t.Errorf("0.25 MW flat load: %+v; want used %v of %v", l, u, r.AnnualACKWh)
	}
	// A 24×12 profile of the same value everywhere, and an 8760 one.
	row := "[" + strings.TrimSuffix(strings.Repeat("0.25,", 24), ",") + "]"
	prof := postPV(t, e, `{"site": "taiyuan", "system": {"capacity_kwp": 1000}, "load": {"profile_24x12_mw": [`+strings.TrimSuffix(strings.Repeat(row+",", 12), ",")+`]}}`)
	if *prof.Load != *mid.Load {
		t.Errorf("24×12 of 0.25 MW %+v, flat %+v", *prof.Load, *mid.Load)
	}
	p8760 := make([]float64, 8760)
	for i := range p8760 {
		p8760[i] = 0.25
	}
	hr := postPV(t, e, pvtBody(t, obj{"site": "taiyuan", "system": obj{"capacity_kwp": 1000}, "load": obj{"profile_8760_mw": p8760}}))
	if *hr.Load != *mid.Load {
		t.Errorf("8760 of 0.25 MW %+v, flat %+v", *hr.Load, *mid.Load)
	}
	zero := postPV(t, e, `{"site": "taiyuan", "system": {"capacity_kwp": 1000}, "load": {"flat_mw": 0}}`)
	if l := zero.Load; l.SelfConsumedKWh != 0 || !near(l.ExportedKWh, r.AnnualACKWh) {
		t.Errorf("zero load: %+v", l)
	}
}

func TestPVEndpointCache(t *testing.T) {
	e, _, _ := testServer(t)
	body := `{"site": "taiyuan", "system": {"capacity_kwp": 1000}}`
	first := postJSON(t, e, "/v1/pv", body)
	second := postJSON(t, e, "/v1/pv", `{"system": {"capacity_kwp": 1000.0}, "site": "taiyuan"}`)
	if first.Header().Get("X-Cache") != "miss" || second.Header().Get("X-Cache") != "hit-memory" ||
		first.Header().Get("ETag") == "" || first.Header().Get("ETag") != second.Header().Get("ETag") || first.Body.String() != second.Body.String() {
		t.Fatalf("X-Cache %q then %q, ETag %q then %q", first.Header().Get("X-Cache"), second.Header().Get("X-Cache"), first.Header().Get("ETag"), second.Header().Get("ETag"))
	}
	if other := postJSON(t, e, "/v1/pv", `{"site": "taiyuan", "system": {"capacity_kwp": 1001}}`); other.Header().Get("X-Cache") != "miss" {
		t.Fatalf("a different capacity hit the cache")
	}
}

// TestPVEndpointValidation: every validation class is 422 problem+json
// naming the field.
func TestPVEndpointValidation(t *testing.T) {
	e, _, _ := testServer(t)
	w := pvtYear()
	loc := `"location": {"latitude": 37.6, "longitude": 112.6}`
	sys := `"system": {"capacity_kwp": 1000}`
	withGHI := func(ghi []float64) string {
		return pvtBody(t, obj{"location": pvtLocation(), "system": pvtSystem(), "solar_resource": obj{"hourly": obj{"ghi_w_m2": ghi}}})
	}
	badGHI := append([]float64(nil), w.ghi...)
	badGHI[17] = 1600
	negGHI := append([]float64(nil), w.ghi...)
	negGHI[4000] = -1
	badEPW := strings.Split(pvtEPW(0), "\n")
	// Hourly row 100 (0-based 99) is file line 8 + 100 = 108.
	f := strings.Split(badEPW[107], ",")
	f[13] = "abc"
	badEPW[107] = strings.Join(f, ",")
	short := strings.Split(pvtEPW(0), "\n")[:8+500]

	tests := []struct {
		name, body, pointer, detail string
	}{
		{"GHI of 100 values", withGHI(w.ghi[:100]), "/solar_resource/hourly/ghi_w_m2", "8760"},
		{"GHI above 1500", withGHI(badGHI), "/solar_resource/hourly/ghi_w_m2/17", "1500"},
		{"negative GHI", withGHI(negGHI), "/solar_resource/hourly/ghi_w_m2/4000", "between 0"},
		{"GHI missing", pvtBody(t, obj{"location": pvtLocation(), "system": pvtSystem(), "solar_resource": obj{"hourly": obj{"dni_w_m2": w.dni, "dhi_w_m2": w.dhi}}}), "/solar_resource/hourly/ghi_w_m2", "required"},
		{"DNI without DHI", pvtBody(t, obj{"location": pvtLocation(), "system": pvtSystem(), "solar_resource": obj{"hourly": obj{"ghi_w_m2": w.ghi, "dni_w_m2": w.dni}}}), "/solar_resource/hourly", "dhi_w_m2"},
		{"DHI of 10 values", pvtBody(t, obj{"location": pvtLocation(), "system": pvtSystem(), "solar_resource": obj{"hourly": obj{"ghi_w_m2": w.ghi, "dni_w_m2": w.dni, "dhi_w_m2": w.dhi[:10]}}}), "/solar_resource/hourly/dhi_w_m2", "8760"},
		{"temperature of 8761 values", pvtBody(t, obj{"location": pvtLocation(), "system": pvtSystem(), "solar_resource": obj{"hourly": obj{"ghi_w_m2": w.ghi, "temp_air_c": append(append([]float64(nil), w.temp...), 20)}}}), "/solar_resource/hourly/temp_air_c", "8760"},
		{"monthly of 11", `{` + loc + `, ` + sys + `, "solar_resource": {"monthly_ghi_kwh_m2": [1,2,3,4,5,6,7,8,9,10,11]}}`, "/solar_resource/monthly_ghi_kwh_m2", "12"},
		{"monthly out of range", `{` + loc + `, ` + sys + `, "solar_resource": {"monthly_ghi_kwh_m2": [60,80,120,500,170,160,150,140,120,100,70,60]}}`, "/solar_resource/monthly_ghi_kwh_m2/3", "400"},
		{"monthly temperatures without GHI", `{` + loc + `, ` + sys + `, "solar_resource": {"annual_ghi_kwh_m2": 1400, "monthly_temp_c": [0,0,0,0,0,0,0,0,0,0,0,0]}}`, "/solar_resource/monthly_temp_c", "monthly_ghi_kwh_m2"},
		{"annual out of range", `{` + loc + `, ` + sys + `, "solar_resource": {"annual_ghi_kwh_m2": 200}}`, "/solar_resource/annual_ghi_kwh_m2", "300"},
		{"two resource kinds", `{` + loc + `, ` + sys + `, "solar_resource": {"annual_ghi_kwh_m2": 1400, "site": "taiyuan"}}`, "/solar_resource", "exactly one"},
		{"empty resource", `{` + loc + `, ` + sys + `, "solar_resource": {}}`, "/solar_resource", "exactly one"},
		{"no resource", `{` + loc + `, ` + sys + `}`, "/solar_resource", "required"},
		{"no location", `{` + sys + `, "solar_resource": {"annual_ghi_kwh_m2": 1400}}`, "/location", "location"},
		{"latitude 91", `{"location": {"latitude": 91, "longitude": 112}, ` + sys + `, "solar_resource": {"annual_ghi_kwh_m2": 1400}}`, "/location/latitude", "90"},
		{"latitude missing", `{"location": {"longitude": 112}, ` + sys + `, "solar_resource": {"annual_ghi_kwh_m2": 1400}}`, "/location/latitude", "required"},
		{"longitude −181", `{"location": {"latitude": 30, "longitude": -181}, ` + sys + `, "solar_resource": {"annual_ghi_kwh_m2": 1400}}`, "/location/longitude", "180"},
		{"UTC offset 15", `{"location": {"latitude": 30, "longitude": 112, "utc_offset_h": 15}, ` + sys + `, "solar_resource": {"annual_ghi_kwh_m2": 1400}}`, "/location/utc_offset_h", "14"},
		{"site and location", `{"site": "taiyuan", ` + loc + `, ` + sys + `}`, "/site", "not both"},
		{"epw and location", pvtBody(t, obj{"location": pvtLocation(), "system": pvtSystem(), "solar_resource": obj{"epw": pvtEPW(0)}}), "/location", "epw"},
		{"unknown site", `{"site": "atlantis", ` + sys + `}`, "/site", "atlantis"},
		{"site without GHI", `{"site": "yuanping", ` + sys + `}`, "/site", "yuanping"},
		{"resource site without GHI", `{` + loc + `, ` + sys + `, "solar_resource": {"site": "yuanping"}}`, "/solar_resource/site", "yuanping"},
		{"capacity missing", `{"site": "taiyuan", "system": {}}`, "/system/capacity_kwp", "required"},
		{"capacity 0", `{"site": "taiyuan", "system": {"capacity_kwp": 0}}`, "/system/capacity_kwp", "greater than 0"},
		{"tilt 95", `{"site": "taiyuan", "system": {"capacity_kwp": 1, "tilt_deg": 95}}`, "/system/tilt_deg", "90"},
		{"tilt −1", `{"site": "taiyuan", "system": {"capacity_kwp": 1, "tilt_deg": -1}}`, "/system/tilt_deg", "0"},
		{"azimuth 361", `{"site": "taiyuan", "system": {"capacity_kwp": 1, "azimuth_deg": 361}}`, "/system/azimuth_deg", "360"},
		{"losses 100 %", `{"site": "taiyuan", "system": {"capacity_kwp": 1, "losses_pct": 100}}`, "/system/losses_pct", "99"},
		{"losses −6 %", `{"site": "taiyuan", "system": {"capacity_kwp": 1, "losses_pct": -6}}`, "/system/losses_pct", "-5"},
		{"DC/AC 4", `{"site": "taiyuan", "system": {"capacity_kwp": 1, "dc_ac_ratio": 4}}`, "/system/dc_ac_ratio", "3"},
		{"inverter 70 %", `{"site": "taiyuan", "system": {"capacity_kwp": 1, "inverter_efficiency_pct": 70}}`, "/system/inverter_efficiency_pct", "80"},
		{"gamma positive", `{"site": "taiyuan", "system": {"capacity_kwp": 1, "gamma_pdc_per_c": 0.01}}`, "/system/gamma_pdc_per_c", "0"},
		{"albedo 1.5", `{"site": "taiyuan", "system": {"capacity_kwp": 1, "albedo": 1.5}}`, "/system/albedo", "1"},
		{"degradation 6", `{"site": "taiyuan", "system": {"capacity_kwp": 1, "degradation_pct_per_year": 6}}`, "/system/degradation_pct_per_year", "5"},
		{"operating year 51", `{"site": "taiyuan", "system": {"capacity_kwp": 1, "operating_year": 51}}`, "/system/operating_year", "50"},
		{"unknown mounting", `{"site": "taiyuan", "system": {"capacity_kwp": 1, "mounting": "floating"}}`, "/system/mounting", "open_rack"},
		{"unknown transposition", `{"site": "taiyuan", "system": {"capacity_kwp": 1, "transposition": "klucher"}}`, "/system/transposition", "perez"},
		{"unknown temperature model", `{"site": "taiyuan", "system": {"capacity_kwp": 1, "temperature_model": "faiman"}}`, "/system/temperature_model", "pvsyst"},
		{"unknown IAM", `{"site": "taiyuan", "system": {"capacity_kwp": 1, "iam": "ashrae"}}`, "/system/iam", "physical"},
		{"unknown field", `{"site": "taiyuan", "system": {"capacity_kwp": 1, "tilt": 30}}`, "/system/tilt", "unknown field"},
		{"EPW with a bad GHI", pvtBody(t, obj{"system": pvtSystem(), "solar_resource": obj{"epw": strings.Join(badEPW, "\n")}}), "/solar_resource/epw", "line 108"},
		{"EPW cut short", pvtBody(t, obj{"system": pvtSystem(), "solar_resource": obj{"epw": strings.Join(short, "\n")}}), "/solar_resource/epw", "line 508"},
		{"EPW without LOCATION", pvtBody(t, obj{"system": pvtSystem(), "solar_resource": obj{"epw": "hello\n" + pvtEPW(0)}}), "/solar_resource/epw", "line 1"},
		{"load of two kinds", `{"site": "taiyuan", ` + sys + `, "load": {"flat_mw": 5, "profile_8760_mw": [1]}}`, "/load", "exactly one"},
		{"load of no kind", `{"site": "taiyuan", ` + sys + `, "load": {}}`, "/load", "exactly one"},
		{"8760 load of 1", `{"site": "taiyuan", ` + sys + `, "load": {"profile_8760_mw": [1]}}`, "/load/profile_8760_mw", "8760"},
		{"24×12 load of 1 month", `{"site": "taiyuan", ` + sys + `, "load": {"profile_24x12_mw": [[1]]}}`, "/load/profile_24x12_mw", "12"},
		{"negative flat load", `{"site": "taiyuan", ` + sys + `, "load": {"flat_mw": -1}}`, "/load/flat_mw", "0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := postJSON(t, e, "/v1/pv", tc.body)
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422; body %.1000s", rec.Code, rec.Body)
			}
			p := decodeProblem(t, rec)
			if !hasPointer(p, tc.pointer, tc.detail) {
				t.Fatalf("errors %+v, want %s mentioning %q", p.Errors, tc.pointer, tc.detail)
			}
		})
	}
}

// TestPVEndpointEngineErrorsNameRequestFields: inputs the validator accepts
// but the engine cannot use must be 422 at a field of the request (or be
// computed), never at an internal parameter name.
func TestPVEndpointEngineErrorsNameRequestFields(t *testing.T) {
	e, _, _ := testServer(t)
	requestFields := []string{"/site", "/location", "/system/", "/solar_resource", "/load"}
	tests := []struct {
		name, body string
		want200    bool
	}{
		// losses_pct is documented −5 … 99 %: a negative loss is a gain.
		{"losses −2 %", `{"site": "taiyuan", "system": {"capacity_kwp": 1000, "losses_pct": -2}}`, true},
		// 5 %/yr in year 21: 1 − 0.05 × 20 = 0 of the array remains; both
		// values are in their documented ranges.
		{"fully degraded", `{"site": "taiyuan", "system": {"capacity_kwp": 1000, "degradation_pct_per_year": 5, "operating_year": 21}}`, false},
		// 80° N: the sun does not rise in January; a positive January total
		// cannot be spread over the hours.
		{"polar night with monthly GHI", `{"location": {"latitude": 80, "longitude": 15, "utc_offset_h": 1}, "system": {"capacity_kwp": 1000}, "solar_resource": {"monthly_ghi_kwh_m2": [5,10,30,80,140,160,150,100,50,20,5,2]}}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := postJSON(t, e, "/v1/pv", tc.body)
			if rec.Code == http.StatusOK {
				return
			}
			if tc.want200 {
				t.Fatalf("status %d, want 200 (the value is in its documented range); body %s", rec.Code, rec.Body)
			}
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 200 or 422; body %s", rec.Code, rec.Body)
			}
			p := decodeProblem(t, rec)
			for _, f := range p.Errors {
				ok := false
				for _, prefix := range requestFields {
					ok = ok || strings.HasPrefix(f.Pointer, prefix)
				}
				if !ok || !requestHasField(f.Pointer) {
					t.Errorf("error at %q (%s): not a field of the request", f.Pointer, f.Detail)
				}
			}
		})
	}
}

// TestPVEndpointConflictingLocations: a site is a location (the issue:
// "location may be replaced by site"), so a site that has no coordinates
// cannot place a system, and a site cannot be combined with an EPW file,
// whose header sets the location (as location + epw is refused).
func TestPVEndpointConflictingLocations(t *testing.T) {
	e, _, _ := testServer(t)
	t.Run("unlocated site with its own resource", func(t *testing.T) {
		// yuanping has no coordinates in the dataset (Located false).
		rec := postJSON(t, e, "/v1/pv", `{"site": "yuanping", "system": {"capacity_kwp": 1000}, "solar_resource": {"monthly_ghi_kwh_m2": [67,80,119,149,173,164,156,144,118,98,69,60]}}`)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422 at /site (yuanping has no coordinates); body %.300s", rec.Code, rec.Body)
		}
		if p := decodeProblem(t, rec); !hasPointer(p, "/site", "yuanping") {
			t.Errorf("errors %+v, want /site", p.Errors)
		}
	})
	t.Run("site and epw", func(t *testing.T) {
		rec := postJSON(t, e, "/v1/pv", pvtBody(t, obj{"site": "taiyuan", "system": pvtSystem(), "solar_resource": obj{"epw": pvtEPW(0)}}))
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422 (the EPW header and the site both set the location)", rec.Code)
		}
		if p := decodeProblem(t, rec); !hasPointer(p, "/site", "") && !hasPointer(p, "/solar_resource/epw", "") {
			t.Errorf("errors %+v, want /site or /solar_resource/epw", p.Errors)
		}
	})
}

// requestHasField reports whether the last token of a pointer (or the one
// before an array index) is the JSON name of a field of the PV request.
func requestHasField(ptr string) bool {
	tokens := strings.Split(ptr, "/")
	last := tokens[len(tokens)-1]
	if _, err := strconv.Atoi(last); err == nil && len(tokens) > 1 {
		last = tokens[len(tokens)-2]
	}
	for _, v := range []any{pvRequest{}, locationRequest{}, pvSystemRequest{}, solarResourceRequest{}, hourlyResourceRequest{}, loadRequest{}} {
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			if name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ","); name == last {
				return true
			}
		}
	}
	return false
}

func TestSolarSitesEndpoint(t *testing.T) {
	e, _, _ := testServer(t)
	rec := do(t, e, http.MethodGet, "/v1/solar-sites", "", "")
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	r := decodeJSON[solarSitesResponse](t, rec.Body.Bytes())
	if r.Dataset != "2026.1" || len(r.Sites) < 25 {
		t.Fatalf("dataset %q, %d sites; want ≥ 25 (12 Shanxi sites and 13 provincial capitals)", r.Dataset, len(r.Sites))
	}
	// The raw JSON, to see nulls.
	var raw struct {
		Sites []map[string]json.RawMessage `json:"sites"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for i, s := range r.Sites {
		found[s.ID] = true
		if s.Source == "" || s.Confidence == "" {
			t.Errorf("site %s: source %q, confidence %q", s.ID, s.Source, s.Confidence)
		}
		switch s.ID {
		case "taiyuan":
			// Taiyuan, WMO 53772, monthly GHI (CBED).
			want := []float64{67, 80, 119, 149, 173, 164, 156, 144, 118, 98, 69, 60}
			if fmt.Sprint(s.GHIMonthlyKWhM2) != fmt.Sprint(want) {
				t.Errorf("taiyuan monthly GHI %v, want %v", s.GHIMonthlyKWhM2, want)
			}
			if s.AnnualGHIKWhM2 == nil || *s.AnnualGHIKWhM2 != 1397 {
				t.Errorf("taiyuan annual GHI %v, want 1397 (Σ of the rounded months)", s.AnnualGHIKWhM2)
			}
			if s.LatitudeDeg != 37.62 || s.LongitudeDeg != 112.58 || s.AltitudeM != 777 || s.Province != "CN-SX" {
				t.Errorf("taiyuan %+v", s)
			}
		case "yuanping":
			for _, k := range []string{"ghi_monthly_kwh_m2", "annual_ghi_kwh_m2"} {
				if string(raw.Sites[i][k]) != "null" {
					t.Errorf("yuanping %s = %s, want null (no sourced GHI)", k, raw.Sites[i][k])
				}
			}
			if len(s.TempMonthlyC) != 12 {
				t.Errorf("yuanping temperatures %v, want 12", s.TempMonthlyC)
			}
		}
	}
	if !found["taiyuan"] || !found["yuanping"] {
		t.Errorf("sites %v, want taiyuan and yuanping", found)
	}
	if rec := do(t, e, http.MethodGet, "/v1/solar-sites?dataset=1999.1", "", ""); rec.Code != 422 {
		t.Errorf("unknown dataset: %d", rec.Code)
	}
}

// TestPrimaryWithOnsitePV: a footprint whose portfolio has an onsite_pv
// source with pv. The PV output meets the flat load first
// (self-consumption before export), so used + exported = annual and the
// hourly-matched share is filled.
func TestPrimaryWithOnsitePV(t *testing.T) {
	e, _, _ := testServer(t)
	body := `{"production_t": 300000, "electricity": {"sources": [
		{"kind": "onsite_pv", "pv": {"site": "taiyuan", "system": {"capacity_kwp": 100000, "tilt_deg": 35}}},
		{"kind": "grid", "share": 1}]}}`
	first := postJSON(t, e, "/v1/footprints/primary", body)
	if first.Code != 200 {
		t.Fatalf("status %d: %s", first.Code, first.Body)
	}
	r := decodeJSON[primaryResponse](t, first.Body.Bytes())
	el := r.Electricity
	if el.RenewableShare.HourlyMatched == nil {
		t.Fatal("hourly_matched is null with PV modelled hour by hour")
	}
	pv := el.Sources[0].PV
	if pv == nil || len(pv.MonthlyACMWh) != 12 {
		t.Fatalf("sources[0].pv = %+v", pv)
	}
	// A 100 MWp array at ~1,250 kWh/kWp makes ~125 GWh; the smelter's flat
	// load (≈ 4 TWh/yr, ≈ 460 MW) takes all of it.
	if !near(el.Sources[0].MWh, pv.AnnualACMWh) || el.Sources[0].ExportedMWh != 0 {
		t.Errorf("PV used %v, exported %v, annual %v MWh", el.Sources[0].MWh, el.Sources[0].ExportedMWh, pv.AnnualACMWh)
	}
	if !near(*el.RenewableShare.HourlyMatched, el.Sources[0].MWh/el.DemandMWh) {
		t.Errorf("hourly matched %v, want PV / demand = %v", *el.RenewableShare.HourlyMatched, el.Sources[0].MWh/el.DemandMWh)
	}
	if !near(el.Sources[0].MWh+el.Sources[1].MWh, el.DemandMWh) {
		t.Errorf("PV %v + grid %v ≠ demand %v", el.Sources[0].MWh, el.Sources[1].MWh, el.DemandMWh)
	}
	if first.Header().Get("X-Cache") != "miss" {
		t.Errorf("first X-Cache %q", first.Header().Get("X-Cache"))
	}
	second := postJSON(t, e, "/v1/footprints/primary", body)
	if second.Header().Get("X-Cache") != "hit-memory" || second.Body.String() != first.Body.String() {
		t.Errorf("second X-Cache %q", second.Header().Get("X-Cache"))
	}
}

func TestPortfolioPVValidation(t *testing.T) {
	e, _, _ := testServer(t)
	pv := `{"site": "taiyuan", "system": {"capacity_kwp": 1000}}`
	tests := []struct {
		name, path, body, pointer, detail string
	}{
		{"pv without production", "/v1/footprints/primary", `{"electricity": {"sources": [{"kind": "onsite_pv", "pv": ` + pv + `}, {"kind": "grid", "share": 1}]}}`, "/electricity/sources/0/pv", "/production_t"},
		{"pv on a grid source", "/v1/footprints/primary", `{"production_t": 1000, "electricity": {"sources": [{"kind": "grid", "pv": ` + pv + `}]}}`, "/electricity/sources/0/pv", "onsite_pv"},
		{"pv and mwh", "/v1/footprints/primary", `{"production_t": 1000, "electricity": {"sources": [{"kind": "onsite_pv", "mwh": 5, "pv": ` + pv + `}]}}`, "/electricity/sources/0", "one of them"},
		{"pv with its own load", "/v1/footprints/primary", `{"production_t": 1000, "electricity": {"sources": [{"kind": "onsite_pv", "pv": {"site": "taiyuan", "system": {"capacity_kwp": 1000}, "load": {"flat_mw": 1}}}]}}`, "/electricity/sources/0/pv/load", "portfolio"},
		{"pv tilt out of range", "/v1/footprints/primary", `{"production_t": 1000, "electricity": {"sources": [{"kind": "onsite_pv", "pv": {"site": "taiyuan", "system": {"capacity_kwp": 1000, "tilt_deg": 91}}}]}}`, "/electricity/sources/0/pv/system/tilt_deg", "90"},
		{"pv unknown site", "/v1/footprints/primary", `{"production_t": 1000, "electricity": {"sources": [{"kind": "onsite_pv", "pv": {"site": "atlantis", "system": {"capacity_kwp": 1000}}}]}}`, "/electricity/sources/0/pv/site", "atlantis"},
		{"pv site without GHI", "/v1/electricity", `{"demand_mwh": 1000, "sources": [{"kind": "onsite_pv", "pv": {"site": "yuanping", "system": {"capacity_kwp": 1000}}}]}`, "/sources/0/pv/site", "yuanping"},
		{"portfolio load of two kinds", "/v1/electricity", `{"demand_mwh": 1000, "load": {"flat_mw": 1, "profile_24x12_mw": []}, "sources": [{"kind": "grid", "share": 1}]}`, "/load", "exactly one"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := postJSON(t, e, tc.path, tc.body)
			if rec.Code != 422 {
				t.Fatalf("status %d, want 422: %s", rec.Code, rec.Body)
			}
			if p := decodeProblem(t, rec); !hasPointer(p, tc.pointer, tc.detail) {
				t.Fatalf("errors %+v, want %s mentioning %q", p.Errors, tc.pointer, tc.detail)
			}
		})
	}
}

// TestElectricityWithOnsitePV: POST /v1/electricity with PV, demand below
// the PV's noon output: exports, a warning, hourly matched = used / D.
func TestElectricityWithOnsitePV(t *testing.T) {
	e, _, _ := testServer(t)
	rec := postJSON(t, e, "/v1/electricity", `{"demand_mwh": 2000, "electricity_basis": "co2_operational",
		"sources": [{"kind": "onsite_pv", "pv": {"site": "taiyuan", "system": {"capacity_kwp": 1000}, "include_hourly": true}}, {"kind": "grid", "share": 1}]}`)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	r := decodeJSON[electricityResultResponse](t, rec.Body.Bytes())
	pv := r.Sources[0].PV
	if pv == nil || len(pv.HourlyACKWh) != 8760 {
		t.Fatalf("sources[0].pv %+v", pv)
	}
	// Σ_h min(pv_h, 2000/8760 MWh), from the hourly series returned.
	var used float64
	for _, v := range pv.HourlyACKWh {
		used += math.Min(v/1000, 2000.0/8760)
	}
	if !near(r.Sources[0].MWh, used) || !near(r.Sources[0].ExportedMWh, pv.AnnualACMWh-used) || !near(r.ExportedMWh, pv.AnnualACMWh-used) {
		t.Errorf("PV used %v (want %v), exported %v (want %v)", r.Sources[0].MWh, used, r.Sources[0].ExportedMWh, pv.AnnualACMWh-used)
	}
	if r.RenewableShare.HourlyMatched == nil || !near(*r.RenewableShare.HourlyMatched, used/2000) {
		t.Errorf("hourly matched %v, want %v", r.RenewableShare.HourlyMatched, used/2000)
	}
	// Grid CN-SX 2023 0.6634 t/MWh (MEE/NBS) on D − used; PV 0 operational.
	if !near(r.EFLocationTCO2PerMWh, (2000-used)*0.6634/2000) {
		t.Errorf("EF %v, want %v", r.EFLocationTCO2PerMWh, (2000-used)*0.6634/2000)
	}
	if !containsAny(r.Provenance.Warnings, "export") {
		t.Errorf("no warning about the export: %q", r.Provenance.Warnings)
	}
	if rec.Header().Get("X-Cache") != "miss" {
		t.Errorf("X-Cache %q", rec.Header().Get("X-Cache"))
	}
}

// TestPVBodyLimit: with the default 1 MiB limit, POST /v1/pv still takes a
// ~1.6 MB EPW (its own limit is 4 MiB); other endpoints keep 1 MiB.
func TestPVBodyLimit(t *testing.T) {
	e, _, _ := newTestServer(t, func(o *Options) { o.BodyLimit = 1 << 20 })
	epw := pvtEPW(0)
	pad := 1_600_000 - len(epw)
	if pad < 0 {
		pad = 0
	}
	body := pvtBody(t, obj{"system": pvtSystem(), "solar_resource": obj{"epw": pvtEPW(pad)}})
	if len(body) < 1_550_000 || len(body) > 1_700_000 {
		t.Fatalf("test setup: body %d bytes, want ~1.6 MB", len(body))
	}
	rec := postJSON(t, e, "/v1/pv", body)
	if rec.Code != 200 {
		t.Fatalf("1.6 MB EPW: status %d: %.500s", rec.Code, rec.Body)
	}
	r := decodeJSON[pvResponse](t, rec.Body.Bytes())
	if r.LatitudeDeg != pvtLat || r.UTCOffsetH != pvtUTC {
		t.Errorf("location %v, UTC%+v", r.LatitudeDeg, r.UTCOffsetH)
	}
	// The same size elsewhere is too large.
	big := `{"region": "CN-SX", "padding": "` + strings.Repeat("x", 1_600_000) + `"}`
	if rec := postJSON(t, e, "/v1/footprints/primary", big); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("1.6 MB to /v1/footprints/primary: %d, want 413", rec.Code)
	}
	// And /v1/pv has a limit: 5 MB is too large.
	huge := pvtBody(t, obj{"system": pvtSystem(), "solar_resource": obj{"epw": pvtEPW(5 << 20)}})
	if rec := postJSON(t, e, "/v1/pv", huge); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("5 MB to /v1/pv: %d, want 413", rec.Code)
	} else {
		decodeProblem(t, rec)
	}
}

// BenchmarkPVEndpointUncached computes a new system every iteration (the
// capacity changes, so the cache never answers).
func BenchmarkPVEndpointUncached(b *testing.B) {
	e, _, _ := testServer(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		rec := postJSON(b, e, "/v1/pv", fmt.Sprintf(`{"site": "taiyuan", "system": {"capacity_kwp": %d}}`, 1000+i))
		if rec.Code != 200 || rec.Header().Get("X-Cache") != "miss" {
			b.Fatal(rec.Code, rec.Header().Get("X-Cache"), rec.Body)
		}
	}
}

// BenchmarkPVEndpointCached repeats one request: memory hits.
func BenchmarkPVEndpointCached(b *testing.B) {
	e, _, _ := testServer(b)
	body := `{"site": "taiyuan", "system": {"capacity_kwp": 1000}}`
	if rec := postJSON(b, e, "/v1/pv", body); rec.Code != 200 {
		b.Fatal(rec.Code, rec.Body)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := postJSON(b, e, "/v1/pv", body)
		if rec.Code != 200 || rec.Header().Get("X-Cache") != "hit-memory" {
			b.Fatal(rec.Code, rec.Header().Get("X-Cache"))
		}
	}
}

// BenchmarkPVEndpointPreset is bench/bodies/pv.json (a site preset with a
// tilt and a flat load) through the real router, with the capacity changed
// every iteration so the response cache never answers: the cost of a
// site-preset request the cache has not seen.
func BenchmarkPVEndpointPreset(b *testing.B) {
	e, _, _ := testServer(b)
	body, err := os.ReadFile("../bench/bodies/pv.json")
	if err != nil {
		b.Fatal(err)
	}
	const capacity = `"capacity_kwp": 100000`
	if !bytes.Contains(body, []byte(capacity)) {
		b.Fatalf("bench/bodies/pv.json has no %s to vary: %s", capacity, body)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		req := strings.Replace(string(body), capacity, fmt.Sprintf(`"capacity_kwp": %d`, 100000+i), 1)
		rec := postJSON(b, e, "/v1/pv", req)
		if rec.Code != 200 || rec.Header().Get("X-Cache") != "miss" {
			b.Fatal(rec.Code, rec.Header().Get("X-Cache"), rec.Body)
		}
	}
}
