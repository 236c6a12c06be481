package calc

import (
	"container/list"
	"errors"
	"math"
	"sync"
)

// typicalYearSpec is everything a typical hourly year built from monthly
// or annual data depends on: the irradiation (12 monthly GHI totals, or an
// annual total split by MonthlyFromAnnual), the optional monthly air
// temperatures and diurnal ranges, and the place (coordinates, altitude
// and time zone). Two equal specs build equal years.
type typicalYearSpec struct {
	monthlyGHIKWhM2 [12]float64 // [kWh/m² per month], January first; unused when fromAnnual
	fromAnnual      bool
	annualGHIKWhM2  float64 // [kWh/m²], when fromAnnual

	hasTemp, hasTempRange bool
	tempC                 [12]float64 // monthly mean air temperature [°C], when hasTemp
	tempRangeC            [12]float64 // monthly mean diurnal range [°C], when hasTemp and hasTempRange

	latDeg, lonDeg, altitudeM, utcOffsetH float64
}

// typicalYearKey is a typicalYearSpec by the bits of its numbers, so that
// specs share a key only if every value is the same float64 (−0 and +0,
// equal as numbers, are different keys).
type typicalYearKey struct {
	monthlyGHI, temp, tempRange   [12]uint64
	annualGHI, lat, lon, alt, utc uint64
	fromAnnual, hasTemp, hasRange bool
}

func (s *typicalYearSpec) key() typicalYearKey {
	k := typicalYearKey{
		annualGHI: math.Float64bits(s.annualGHIKWhM2),
		lat:       math.Float64bits(s.latDeg), lon: math.Float64bits(s.lonDeg),
		alt: math.Float64bits(s.altitudeM), utc: math.Float64bits(s.utcOffsetH),
		fromAnnual: s.fromAnnual, hasTemp: s.hasTemp, hasRange: s.hasTempRange,
	}
	for m := range 12 {
		k.monthlyGHI[m] = math.Float64bits(s.monthlyGHIKWhM2[m])
		k.temp[m] = math.Float64bits(s.tempC[m])
		k.tempRange[m] = math.Float64bits(s.tempRangeC[m])
	}
	return k
}

// typicalYear is a typical hourly year built from a typicalYearSpec: 8760
// values each of GHI, DNI and DHI [W/m²] and, when the spec has monthly
// temperatures, air temperature [°C] (else nil).
//
// A typicalYear may be shared by every calculation on the engine with the
// same spec (typicalYears), so it is read-only once built: nothing may
// write to its slices. Its slices only ever reach the PVHourly that
// pvYield hands to RunPVChain, which reads them; no exported value holds
// them (TestTypicalYearUnchangedByUse checks that a shared year is left
// as built).
type typicalYear struct {
	ghiWm2, dniWm2, dhiWm2 []float64
	tempAirC               []float64
}

// typicalYearBytes is the memory of one typicalYear with a temperature
// series: four series of 8760 float64.
const typicalYearBytes = 4 * HoursPerYear * 8

// buildTypicalYear builds the year of spec s: the annual total split into
// months (MonthlyFromAnnual) when s is annual, then global by
// SynthesizeHourlyGHI, diffuse by SynthesizeHourlyDHI, beam by
// beamFromGlobal with the true zenith of sun (the SunTable of
// s.utcOffsetH) and, with monthly temperatures, air temperature by
// monthlyAirTempC. Errors are those functions' *InputError, naming
// arguments by their Go names (pvRequestError maps them to a request).
func buildTypicalYear(s *typicalYearSpec, sun *SunTable) (typicalYear, error) {
	m12 := s.monthlyGHIKWhM2
	if s.fromAnnual {
		m12 = MonthlyFromAnnual(s.annualGHIKWhM2, s.latDeg, s.lonDeg, s.utcOffsetH)
	}
	var y typicalYear
	ghi, err := SynthesizeHourlyGHI(m12, s.latDeg, s.lonDeg, s.utcOffsetH)
	if err != nil {
		return y, err
	}
	dhi, err := SynthesizeHourlyDHI(m12, ghi, s.latDeg, s.lonDeg, s.utcOffsetH)
	if err != nil {
		return y, err
	}
	y.ghiWm2, y.dhiWm2 = ghi, dhi
	y.dniWm2 = beamFromGlobal(sun, s.latDeg, s.lonDeg, s.altitudeM, ghi, dhi)
	if s.hasTemp {
		if y.tempAirC, err = monthlyAirTempC(s); err != nil {
			return typicalYear{}, err
		}
	}
	return y, nil
}

// TypicalYearsMax bounds the typical years an engine keeps: at most
// TypicalYearsMax × typicalYearBytes (64 × 280,320 B ≈ 17.9 MB) per
// dataset version. The site presets fit many times over; requests with
// their own monthly or annual data take the remaining places, least
// recently used first out.
const TypicalYearsMax = 64

// typicalYears memoises built typical years by spec, least recently used
// out past TypicalYearsMax. A year is built once, outside the memo's lock,
// so concurrent calculations with the same spec wait for one build and
// those with other specs never wait for it. Build errors are kept as well:
// like a year, they are a function of the spec alone.
type typicalYears struct {
	mu     sync.Mutex
	byKey  map[typicalYearKey]*list.Element // of *typicalYearEntry
	recent list.List                        // most recently used first
	built  int                              // builds started, for tests
}

type typicalYearEntry struct {
	key  typicalYearKey
	once sync.Once
	year typicalYear
	err  error
}

// errTypicalYearIncomplete is what calculations waiting for a year get
// when its build panicked.
var errTypicalYearIncomplete = errors.New("typical year: the build of this year did not complete")

// get returns the year of s, building it with the SunTable of its time
// zone from sun the first time.
func (m *typicalYears) get(s *typicalYearSpec, sun *sunTables) (typicalYear, error) {
	e := m.entry(s.key())
	e.once.Do(func() {
		// A panicking build leaves this error for the calculations
		// waiting on it; the panic goes on to the caller.
		e.err = errTypicalYearIncomplete
		e.year, e.err = buildTypicalYear(s, sun.get(s.utcOffsetH))
	})
	return e.year, e.err
}

// entry returns the entry of k, made most recently used, adding it (and
// dropping the least recently used past TypicalYearsMax) when new.
func (m *typicalYears) entry(k typicalYearKey) *typicalYearEntry {
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.byKey[k]; ok {
		m.recent.MoveToFront(el)
		return el.Value.(*typicalYearEntry)
	}
	if m.byKey == nil {
		m.byKey = make(map[typicalYearKey]*list.Element, TypicalYearsMax)
	}
	e := &typicalYearEntry{key: k}
	m.byKey[k] = m.recent.PushFront(e)
	m.built++
	if m.recent.Len() > TypicalYearsMax {
		last := m.recent.Back()
		m.recent.Remove(last)
		delete(m.byKey, last.Value.(*typicalYearEntry).key)
	}
	return e
}

// len returns the number of years kept.
func (m *typicalYears) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.recent.Len()
}
