package calc

import (
	"math"
	"sync"
	"testing"

	"alcarbon/factors"
)

// ytDataset is dataset 2026.2, whose site presets have monthly diurnal
// temperature ranges (so their years have an ESRA temperature series).
func ytDataset(t *testing.T) *factors.Dataset {
	t.Helper()
	cat, err := factors.Load()
	if err != nil {
		t.Fatal(err)
	}
	ds, ok := cat.Get("2026.2")
	if !ok {
		t.Fatal("dataset 2026.2 is not embedded")
	}
	return ds
}

// ytSiteSpec is the spec of a site preset's year with the system at the
// site, China Standard Time (as pvTypicalYear makes it for a site request).
func ytSiteSpec(s factors.SolarSite) typicalYearSpec {
	spec := typicalYearSpec{latDeg: s.LatitudeDeg, lonDeg: s.LongitudeDeg, altitudeM: s.AltitudeM, utcOffsetH: 8}
	copy(spec.monthlyGHIKWhM2[:], s.GHIMonthlyKWhM2)
	spec.hasTemp, spec.hasTempRange = s.TempMonthlyC != nil, s.TempRangeMonthlyC != nil
	copy(spec.tempC[:], s.TempMonthlyC)
	copy(spec.tempRangeC[:], s.TempRangeMonthlyC)
	return spec
}

// ytUsableSites are the presets with coordinates and irradiation.
func ytUsableSites(t *testing.T, ds *factors.Dataset) []factors.SolarSite {
	var out []factors.SolarSite
	for _, s := range ds.SolarSites() {
		if s.Located && s.GHIMonthlyKWhM2 != nil {
			out = append(out, s)
		}
	}
	if len(out) < 10 {
		t.Fatalf("only %d usable site presets", len(out))
	}
	return out
}

// ytWant builds the year of a monthly spec without the memo or
// buildTypicalYear, from the documented steps: SynthesizeHourlyGHI,
// SynthesizeHourlyDHI, DNI = (GHI − DHI)/max(cos Z, 0.065) with the true
// zenith Z of a fresh SunTable of the reference year (0 where Z > 87° or
// GHI ≤ 0), and HourlyTemperatureByMonth.
func ytWant(t *testing.T, s typicalYearSpec) typicalYear {
	t.Helper()
	ghi, err := SynthesizeHourlyGHI(s.monthlyGHIKWhM2, s.latDeg, s.lonDeg, s.utcOffsetH)
	if err != nil {
		t.Fatal(err)
	}
	dhi, err := SynthesizeHourlyDHI(s.monthlyGHIKWhM2, ghi, s.latDeg, s.lonDeg, s.utcOffsetH)
	if err != nil {
		t.Fatal(err)
	}
	app, zen := make([]float64, HoursPerYear), make([]float64, HoursPerYear)
	NewSunTable(2023, s.utcOffsetH).Positions(s.latDeg, s.lonDeg, s.altitudeM, app, zen, nil)
	dni := make([]float64, HoursPerYear)
	for i := range dni {
		if zen[i] <= 87 && ghi[i] > 0 {
			dni[i] = (ghi[i] - dhi[i]) / math.Max(math.Cos(zen[i]*math.Pi/180), 0.065)
		}
	}
	y := typicalYear{ghiWm2: ghi, dniWm2: dni, dhiWm2: dhi}
	if s.hasTemp {
		if !s.hasTempRange {
			t.Fatal("ytWant covers temperatures with ranges only")
		}
		if y.tempAirC, err = HourlyTemperatureByMonth(s.tempC, s.tempRangeC, s.latDeg, s.lonDeg, s.utcOffsetH); err != nil {
			t.Fatal(err)
		}
	}
	return y
}

// ytSameBits reports whether two series are the same float64s bit for bit
// (both nil counts as the same).
func ytSameBits(a, b []float64) bool {
	if len(a) != len(b) || (a == nil) != (b == nil) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

func ytCheckEqual(t *testing.T, what string, got, want typicalYear) {
	t.Helper()
	for _, s := range []struct {
		name      string
		got, want []float64
	}{{"GHI", got.ghiWm2, want.ghiWm2}, {"DNI", got.dniWm2, want.dniWm2}, {"DHI", got.dhiWm2, want.dhiWm2}, {"air temperature", got.tempAirC, want.tempAirC}} {
		if !ytSameBits(s.got, s.want) {
			t.Errorf("%s: %s differs from a fresh build", what, s.name)
		}
	}
}

// TestTypicalYearHitEqualsFresh: for every usable site preset, the first
// get builds a year equal bit for bit to one built independently, the
// second returns the same year without building, and no two presets share
// an entry or a series.
func TestTypicalYearHitEqualsFresh(t *testing.T) {
	ds := ytDataset(t)
	var m typicalYears
	var sun sunTables
	sites := ytUsableSites(t, ds)
	seen := map[*float64]string{}
	for i, site := range sites {
		spec := ytSiteSpec(site)
		want := ytWant(t, spec)
		cold, err := m.get(&spec, &sun)
		if err != nil {
			t.Fatal(site.ID, err)
		}
		ytCheckEqual(t, site.ID+" (cold)", cold, want)
		warm, err := m.get(&spec, &sun)
		if err != nil {
			t.Fatal(site.ID, err)
		}
		ytCheckEqual(t, site.ID+" (warm)", warm, want)
		if &warm.ghiWm2[0] != &cold.ghiWm2[0] {
			t.Errorf("%s: the second get built the year again", site.ID)
		}
		if m.built != i+1 || m.len() != i+1 {
			t.Errorf("after %d sites: %d built, %d kept; want %d each", i+1, m.built, m.len(), i+1)
		}
		if other, ok := seen[&cold.ghiWm2[0]]; ok {
			t.Errorf("%s shares its year with %s", site.ID, other)
		}
		seen[&cold.ghiWm2[0]] = site.ID
	}
}

// TestTypicalYearKeyDistinguishes: changing any one thing a year is built
// from gives another key, and so another entry; −0 and +0 are different
// keys.
func TestTypicalYearKeyDistinguishes(t *testing.T) {
	base := ytSiteSpec(ytUsableSites(t, ytDataset(t))[0])
	variants := map[string]func(*typicalYearSpec){
		"base":            func(*typicalYearSpec) {},
		"one month's GHI": func(s *typicalYearSpec) { s.monthlyGHIKWhM2[6] += 0.5 },
		"latitude":        func(s *typicalYearSpec) { s.latDeg += 0.01 },
		"longitude":       func(s *typicalYearSpec) { s.lonDeg += 0.01 },
		"altitude":        func(s *typicalYearSpec) { s.altitudeM += 1 },
		"time zone":       func(s *typicalYearSpec) { s.utcOffsetH = 7 },
		"a temperature":   func(s *typicalYearSpec) { s.tempC[0] += 0.1 },
		"a range":         func(s *typicalYearSpec) { s.tempRangeC[11] += 0.1 },
		"no ranges":       func(s *typicalYearSpec) { s.hasTempRange = false },
		"no temperatures": func(s *typicalYearSpec) { s.hasTemp = false },
		"from annual":     func(s *typicalYearSpec) { s.fromAnnual, s.annualGHIKWhM2 = true, 1400 },
		"at +0°":          func(s *typicalYearSpec) { s.latDeg = 0 },
		"at −0°":          func(s *typicalYearSpec) { s.latDeg = math.Copysign(0, -1) },
	}
	keys := map[typicalYearKey]string{}
	for name, modify := range variants {
		s := base
		modify(&s)
		k := s.key()
		if other, ok := keys[k]; ok {
			t.Errorf("%q and %q share a key", name, other)
		}
		keys[k] = name
	}
	// Built: a year 1 m higher differs only in its beam, through the
	// refraction at the site's pressure, and has an entry of its own.
	var m typicalYears
	var sun sunTables
	higher := base
	higher.altitudeM += 1000
	a, errA := m.get(&base, &sun)
	b, errB := m.get(&higher, &sun)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if m.len() != 2 || ytSameBits(a.dniWm2, b.dniWm2) || !ytSameBits(a.ghiWm2, b.ghiWm2) {
		t.Errorf("1000 m higher: %d entries, same DNI %v, same GHI %v; want 2, false, true",
			m.len(), ytSameBits(a.dniWm2, b.dniWm2), ytSameBits(a.ghiWm2, b.ghiWm2))
	}
}

// ytKey is a distinct key for each i.
func ytKey(i int) typicalYearKey {
	return typicalYearKey{lat: uint64(i)}
}

// TestTypicalYearsBounded: filled far past TypicalYearsMax, the memo never
// holds more, and what it drops is the least recently used.
func TestTypicalYearsBounded(t *testing.T) {
	var m typicalYears
	for i := range 3 * TypicalYearsMax {
		m.entry(ytKey(i))
		if n := m.len(); n > TypicalYearsMax || n != min(i+1, TypicalYearsMax) {
			t.Fatalf("after %d keys the memo holds %d (bound %d)", i+1, n, TypicalYearsMax)
		}
		if len(m.byKey) != m.len() {
			t.Fatalf("index %d entries, list %d", len(m.byKey), m.len())
		}
	}
	// It holds the last TypicalYearsMax keys. Use the oldest of them, add
	// one: the second oldest goes, the one used stays.
	oldest, second := ytKey(2*TypicalYearsMax), ytKey(2*TypicalYearsMax+1)
	m.entry(oldest)
	m.entry(ytKey(-1))
	if _, ok := m.byKey[oldest]; !ok {
		t.Error("the key used last was dropped")
	}
	if _, ok := m.byKey[second]; ok {
		t.Error("the least recently used key was kept")
	}
	if m.len() != TypicalYearsMax {
		t.Errorf("holds %d, want %d", m.len(), TypicalYearsMax)
	}
}

// TestTypicalYearsConcurrent (meaningful under -race): goroutines get a few
// real years while others push the memo past its bound; every year got is
// the one built independently, and the bound holds.
func TestTypicalYearsConcurrent(t *testing.T) {
	ds := ytDataset(t)
	sites := ytUsableSites(t, ds)[:3]
	specs := make([]typicalYearSpec, len(sites))
	wants := make([]typicalYear, len(sites))
	for i, s := range sites {
		specs[i] = ytSiteSpec(s)
		wants[i] = ytWant(t, specs[i])
	}
	var m typicalYears
	var sun sunTables
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			for r := range 4 {
				i := (g + r) % len(specs)
				spec := specs[i]
				y, err := m.get(&spec, &sun)
				if err != nil {
					t.Error(err)
					return
				}
				ytCheckEqual(t, sites[i].ID, y, wants[i])
			}
		})
		wg.Go(func() {
			for i := range TypicalYearsMax {
				m.entry(ytKey(1000*g + i))
				if n := m.len(); n > TypicalYearsMax {
					t.Errorf("memo holds %d > %d", n, TypicalYearsMax)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := m.len(); n > TypicalYearsMax {
		t.Errorf("memo holds %d > %d", n, TypicalYearsMax)
	}
}

// TestTypicalYearUnchangedByUse: PV calculations of every kind on one site
// (loads, hourly output, other models, a scenario memo) leave the shared
// year exactly as built, and build it once; the shared default weather
// stays 20 °C and 1 m/s.
func TestTypicalYearUnchangedByUse(t *testing.T) {
	ds := ytDataset(t)
	e := New(ds)
	site, ok := ds.SolarSite("taiyuan")
	if !ok {
		t.Fatal("no taiyuan preset")
	}
	f := func(v float64) *float64 { return &v }
	profile := make([][]float64, 12)
	for m := range profile {
		profile[m] = make([]float64, 24)
		for h := range profile[m] {
			profile[m][h] = float64(h)
		}
	}
	inputs := []PVInput{
		{UTCOffsetH: 8, Site: "taiyuan", System: PVSystem{CapacityKWp: 1000}, Resource: PVResource{Kind: ResourceSite}},
		{UTCOffsetH: 8, Site: "taiyuan", System: PVSystem{CapacityKWp: 100000, TiltDeg: f(35)}, Resource: PVResource{Kind: ResourceSite}, Load: &PVLoad{FlatMW: f(500)}, IncludeHourly: true},
		{UTCOffsetH: 8, Site: "taiyuan", System: PVSystem{CapacityKWp: 5000, Transposition: TranspositionPerez, TemperatureModel: TempModelPVsyst}, Resource: PVResource{Kind: ResourceSite}, Load: &PVLoad{Profile24x12MW: profile}},
		{UTCOffsetH: 8, Site: "taiyuan", System: PVSystem{CapacityKWp: 2000, Transposition: TranspositionHayDavies, IAM: IAMModelNone, DCACRatio: f(2)}, Resource: PVResource{Kind: ResourceSite, Site: "taiyuan"}, IncludeHourly: true},
		// No temperatures: the default air temperature is used too.
		{UTCOffsetH: 8, Site: "taiyuan", System: PVSystem{CapacityKWp: 700}, Resource: PVResource{Kind: ResourceAnnual, AnnualGHIKWhM2: 1400}},
	}
	memo := NewPVMemo()
	for i, in := range inputs {
		if _, _, err := e.PV(in); err != nil {
			t.Fatal(i, err)
		}
		if _, _, err := e.PVWithPVMemo(nil, in, memo); err != nil {
			t.Fatal(i, err)
		}
	}
	if e.memos.years.built != 2 || e.memos.years.len() != 2 {
		t.Fatalf("%d years built, %d kept; want 2 and 2 (the preset's and the annual one)", e.memos.years.built, e.memos.years.len())
	}
	spec := ytSiteSpec(site)
	el, ok := e.memos.years.byKey[spec.key()]
	if !ok {
		t.Fatal("taiyuan's year at the preset is not kept")
	}
	ytCheckEqual(t, "taiyuan after use", el.Value.(*typicalYearEntry).year, ytWant(t, spec))
	tempC, windMs := e.memos.weather.series()
	for i := range HoursPerYear {
		if tempC[i] != 20 || windMs[i] != 1 {
			t.Fatalf("hour %d of the default weather is %v °C, %v m/s; want 20 and 1", i, tempC[i], windMs[i])
		}
	}
}
