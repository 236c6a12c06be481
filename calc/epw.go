package calc

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// EPW is the part of an EnergyPlus weather file the PV model reads: the site
// and one typical year of hourly values in the time convention of
// SynthesizeHourlyGHI (value i covers local standard time hour i to i+1 of
// a 365-day year; EPW's hour field h covers h−1 to h, and its time zone is
// UTCOffsetH).
type EPW struct {
	LatDeg     float64 // + north
	LonDeg     float64 // + east
	UTCOffsetH float64 // time zone of the hourly rows, hours from UTC
	ElevationM float64 // [m]
	City       string

	GHI      []float64 // global horizontal irradiance [W/m², mean over the hour] (EPW Wh/m² in the hour)
	DNI      []float64 // direct normal irradiance [W/m², mean over the hour]
	DHI      []float64 // diffuse horizontal irradiance [W/m², mean over the hour]
	TempAirC []float64 // dry-bulb air temperature [°C]
	WindMs   []float64 // wind speed [m/s]
}

// EPWError is a defect of an EPW file: the 1-based line, the field (for
// example "14 (global horizontal radiation)", counted from 1 on the line;
// empty when the whole line is at fault) and what is wrong.
type EPWError struct {
	Line  int
	Field string
	Msg   string
}

// Error renders the defect as "epw line 12: field 14 (global horizontal
// radiation): message".
func (e *EPWError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("epw line %d: %s", e.Line, e.Msg)
	}
	return fmt.Sprintf("epw line %d: field %s: %s", e.Line, e.Field, e.Msg)
}

// epwField is a numeric field of an EPW line, numbered from 1 as in the
// EnergyPlus Auxiliary Programs, "EnergyPlus Weather File (EPW) Data
// Dictionary" (LOCATION: N2–N5 are fields 7–10 of the line; data rows:
// N1–N21 and A1 are fields 1–22). Values must lie in [lo, hi], the
// dictionary's limits, and be whole numbers if integer; missing is the
// dictionary's \missing code (a value ≥ it is missing), 0 when none.
type epwField struct {
	pos     int
	name    string
	lo, hi  float64
	integer bool
	missing float64
}

func (f epwField) label() string { return fmt.Sprintf("%d (%s)", f.pos, f.name) }

var (
	epwLat       = epwField{pos: 7, name: "latitude", lo: -90, hi: 90}
	epwLon       = epwField{pos: 8, name: "longitude", lo: -180, hi: 180}
	epwTimeZone  = epwField{pos: 9, name: "time zone", lo: -12, hi: 12}
	epwElevation = epwField{pos: 10, name: "elevation", lo: -1000, hi: 9999.9}

	epwMonth = epwField{pos: 2, name: "month", lo: 1, hi: 12, integer: true}
	epwDay   = epwField{pos: 3, name: "day", lo: 1, hi: 31, integer: true}
	epwHour  = epwField{pos: 4, name: "hour", lo: 1, hi: 24, integer: true}
	epwTemp  = epwField{pos: 7, name: "dry bulb temperature", lo: -70, hi: 70, missing: 99.9}
	epwGHI   = epwField{pos: 14, name: "global horizontal radiation", lo: 0, hi: math.Inf(1), missing: 9999}
	epwDNI   = epwField{pos: 15, name: "direct normal radiation", lo: 0, hi: math.Inf(1), missing: 9999}
	epwDHI   = epwField{pos: 16, name: "diffuse horizontal radiation", lo: 0, hi: math.Inf(1), missing: 9999}
	epwWind  = epwField{pos: 22, name: "wind speed", lo: 0, hi: 40, missing: 999}
)

// epwHeaderLines is the number of header lines before the hourly rows:
// LOCATION, DESIGN CONDITIONS, TYPICAL/EXTREME PERIODS, GROUND
// TEMPERATURES, HOLIDAYS/DAYLIGHT SAVING, COMMENTS 1, COMMENTS 2, DATA
// PERIODS.
const epwHeaderLines = 8

// ParseEPW parses the text of an EnergyPlus weather file (EPW).
//
// Line 1 is the LOCATION record (LOCATION, city, state, country, source,
// WMO, latitude, longitude, time zone, elevation); lines 2–8 are the other
// headers, of which line 8 must be DATA PERIODS; then one row per hour from
// 1 January hour 1 to 31 December hour 24, fields (1-based) 2 month, 3 day,
// 4 hour, 7 dry bulb [°C], 14 GHI, 15 DNI, 16 DHI [Wh/m²] and 22 wind speed
// [m/s] (EnergyPlus Auxiliary Programs, EPW Data Dictionary). The rows must
// be in calendar order; a leap-year file's 29 February rows (8784 rows in
// all) are dropped. Ranges and missing-value codes are the dictionary's: a
// missing value (GHI ≥ 9999, dry bulb ≥ 99.9, wind ≥ 999 …) is an error,
// since no value is filled in here. Trailing blank lines and CR line ends
// are accepted.
//
// Errors are *EPWError naming the line and, where one is at fault, the field.
func ParseEPW(text string) (EPW, error) {
	lines := splitEPWLines(text)
	var w EPW
	if err := w.parseHeader(lines); err != nil {
		return EPW{}, err
	}
	if err := w.parseRows(lines[epwHeaderLines:]); err != nil {
		return EPW{}, err
	}
	return w, nil
}

// splitEPWLines splits the text of an EPW file into lines, without a
// leading byte-order mark (which some editors add), trailing blank lines
// and whitespace, or CR line ends.
func splitEPWLines(text string) []string {
	text = strings.TrimPrefix(text, "\ufeff")
	lines := strings.Split(strings.TrimRight(text, "\r\n \t"), "\n")
	for i := range lines {
		lines[i] = strings.TrimSuffix(lines[i], "\r")
	}
	return lines
}

// parseHeader reads the epwHeaderLines header lines: the LOCATION record
// (line 1, parseLocation) and the DATA PERIODS record that must close them
// (line 8); lines 2–7 are not read.
func (w *EPW) parseHeader(lines []string) error {
	if err := w.parseLocation(lines[0]); err != nil {
		return err
	}
	if len(lines) < epwHeaderLines {
		return &EPWError{Line: len(lines), Msg: fmt.Sprintf("file ends after %d lines, within the %d header lines", len(lines), epwHeaderLines)}
	}
	if !strings.HasPrefix(lines[epwHeaderLines-1], "DATA PERIODS") {
		return &EPWError{Line: epwHeaderLines, Field: "1", Msg: fmt.Sprintf("want DATA PERIODS, the last of %d header lines, got %q", epwHeaderLines, epwShort(lines[epwHeaderLines-1]))}
	}
	return nil
}

// parseRows reads the hourly rows, the lines after the header, into w's
// series: fields 7 dry bulb [°C], 14–16 GHI, DNI, DHI [Wh/m² in the hour,
// the mean W/m²] and 22 wind speed [m/s] (EPW Data Dictionary) for each
// hour of a 365-day year, in calendar order (epwCalendar), dropping a leap
// year's 29 February.
func (w *EPW) parseRows(rows []string) error {
	w.GHI = make([]float64, 0, typicalYearHours)
	w.DNI = make([]float64, 0, typicalYearHours)
	w.DHI = make([]float64, 0, typicalYearHours)
	w.TempAirC = make([]float64, 0, typicalYearHours)
	w.WindMs = make([]float64, 0, typicalYearHours)
	next := epwCalendar{month: 1, day: 1, hour: 1, leapHour: 1}
	for k, line := range rows {
		ln := epwHeaderLines + 1 + k
		if next.month > 12 {
			return &EPWError{Line: ln, Msg: fmt.Sprintf("row after 31 December hour 24; want %d hourly rows (8784 in a leap year)", typicalYearHours)}
		}
		f := strings.Split(line, ",")
		if len(f) < epwWind.pos {
			return &EPWError{Line: ln, Msg: fmt.Sprintf("%d fields, want at least %d (35 in a full row)", len(f), epwWind.pos)}
		}
		keep, err := next.accept(f, ln)
		if err != nil {
			return err
		}
		if !keep {
			continue
		}
		var vals [5]float64
		for j, fd := range []epwField{epwTemp, epwGHI, epwDNI, epwDHI, epwWind} {
			v, err := fd.parse(f, ln)
			if err != nil {
				return err
			}
			vals[j] = v
		}
		w.TempAirC = append(w.TempAirC, vals[0])
		w.GHI = append(w.GHI, vals[1])
		w.DNI = append(w.DNI, vals[2])
		w.DHI = append(w.DHI, vals[3])
		w.WindMs = append(w.WindMs, vals[4])
		next.advance()
	}
	if n := len(w.GHI); n != typicalYearHours {
		return &EPWError{Line: epwHeaderLines + len(rows), Msg: fmt.Sprintf("file ends after %d hourly rows, at month %d day %d hour %d; want %d (8784 in a leap year)", n, next.month, next.day, next.hour, typicalYearHours)}
	}
	return nil
}

// epwCalendar is the hourly row expected next: month, day and EPW hour
// (1–24) of the 365-day year, and the hour of 29 February expected next in
// a leap-year file.
type epwCalendar struct {
	month, day, hour int
	leapHour         int
}

// accept checks the month, day and hour fields of the split row f (line
// ln) against the row expected next. A 29 February row must follow
// 28 February hour 24, hour by hour, and is not kept; every other row must
// be the one expected, after all 24 hours of 29 February if there are any.
func (c *epwCalendar) accept(f []string, ln int) (keep bool, err error) {
	var when [3]int
	for j, fd := range []epwField{epwMonth, epwDay, epwHour} {
		v, err := fd.parse(f, ln)
		if err != nil {
			return false, err
		}
		when[j] = int(v)
	}
	if when[0] == 2 && when[1] == 29 {
		if c.month != 3 || c.day != 1 || c.hour != 1 || when[2] != c.leapHour {
			return false, &EPWError{Line: ln, Msg: fmt.Sprintf("row is month 2 day 29 hour %d, want month %d day %d hour %d", when[2], c.month, c.day, c.hour)}
		}
		c.leapHour++
		return false, nil
	}
	if when != [3]int{c.month, c.day, c.hour} {
		return false, &EPWError{Line: ln, Msg: fmt.Sprintf("row is month %d day %d hour %d, want month %d day %d hour %d (rows run from 1 January hour 1 to 31 December hour 24)", when[0], when[1], when[2], c.month, c.day, c.hour)}
	}
	if c.leapHour != 1 && c.leapHour != 25 {
		return false, &EPWError{Line: ln, Msg: fmt.Sprintf("29 February has %d hourly rows, want 24", c.leapHour-1)}
	}
	return true, nil
}

// advance moves to the next hour of the 365-day year (typicalMonthDays);
// after 31 December hour 24 the month is 13.
func (c *epwCalendar) advance() {
	if c.hour++; c.hour > 24 {
		c.hour = 1
		if c.day++; c.day > typicalMonthDays[c.month-1] {
			c.day = 1
			c.month++
		}
	}
}

// parseLocation reads line 1, the LOCATION record.
func (w *EPW) parseLocation(line string) error {
	f := strings.Split(line, ",")
	if strings.TrimSpace(f[0]) != "LOCATION" {
		return &EPWError{Line: 1, Field: "1", Msg: fmt.Sprintf("want LOCATION, got %q", epwShort(f[0]))}
	}
	if len(f) < epwElevation.pos {
		return &EPWError{Line: 1, Msg: fmt.Sprintf("LOCATION has %d fields, want %d (LOCATION, city, state, country, source, WMO, latitude, longitude, time zone, elevation)", len(f), epwElevation.pos)}
	}
	w.City = strings.TrimSpace(f[1])
	for _, fd := range []struct {
		field epwField
		dst   *float64
	}{{epwLat, &w.LatDeg}, {epwLon, &w.LonDeg}, {epwTimeZone, &w.UTCOffsetH}, {epwElevation, &w.ElevationM}} {
		v, err := fd.field.parse(f, 1)
		if err != nil {
			return err
		}
		*fd.dst = v
	}
	return nil
}

// parse reads field f.pos of the split line ln.
func (fd epwField) parse(f []string, ln int) (float64, error) {
	s := strings.TrimSpace(f[fd.pos-1])
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, &EPWError{Line: ln, Field: fd.label(), Msg: fmt.Sprintf("%q is not a number", epwShort(s))}
	}
	if fd.missing != 0 && v >= fd.missing {
		return 0, &EPWError{Line: ln, Field: fd.label(), Msg: fmt.Sprintf("%v is the missing-value code (≥ %v); fill the gap before uploading", v, fd.missing)}
	}
	if v < fd.lo || v > fd.hi || fd.integer && v != math.Trunc(v) {
		kind := "number"
		if fd.integer {
			kind = "whole number"
		}
		return 0, &EPWError{Line: ln, Field: fd.label(), Msg: fmt.Sprintf("%v is not a %s in [%v, %v]", v, kind, fd.lo, fd.hi)}
	}
	return v, nil
}

// epwShort cuts s to 40 characters for an error message.
func epwShort(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
