package calc_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"alcarbon/calc"
)

// epwHeader is a LOCATION record and the seven other header lines of an
// EPW file, in the layout of the EnergyPlus EPW Data Dictionary.
var epwHeader = []string{
	"LOCATION,Taiyuan,SX,CHN,CSWD,537720,37.78,112.55,8.0,779.0",
	"DESIGN CONDITIONS,0",
	"TYPICAL/EXTREME PERIODS,0",
	"GROUND TEMPERATURES,0",
	"HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0",
	"COMMENTS 1,synthetic test file",
	"COMMENTS 2,",
	"DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31",
}

// epwRow returns a full 35-field EPW data row whose values are simple
// functions of the hour index i, so each can be checked after parsing:
// dry bulb (i%40) − 10 °C, GHI 10·(i%24) Wh/m², DNI 5·(i%24), DHI i%24,
// wind (i%13)/2 m/s.
func epwRow(year, month, day, hour, i int) string {
	h := i % 24
	return fmt.Sprintf("%d,%d,%d,%d,60,?9?9?9?9E0?9?9?9?9?9?9?9?9?9?9?9?9?9*9*9?9?9?9,%.1f,0.0,50,93000,0,0,300,%d,%d,%d,0,0,0,0,180,%.1f,5,5,20.0,77777,9,999999999,10,0.1000,0,88,0.200,0.0,1.0",
		year, month, day, hour, float64(i%40)-10, 10*h, 5*h, h, float64(i%13)/2)
}

// epwLines builds a whole file: the header, then 8760 rows (8784 with
// 29 February when leap).
func epwLines(leap bool) []string {
	lines := slices.Clone(epwHeader)
	days := []int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	i := 0
	for m, n := range days {
		for d := 1; d <= n; d++ {
			for h := 1; h <= 24; h++ {
				lines = append(lines, epwRow(2005, m+1, d, h, i))
				i++
			}
			if leap && m == 1 && d == 28 {
				for h := 1; h <= 24; h++ {
					lines = append(lines, epwRow(2004, 2, 29, h, 0))
				}
			}
		}
	}
	return lines
}

// epwRowLine is the file line of hourly row i (0-based) in a non-leap file.
func epwRowLine(i int) int { return len(epwHeader) + 1 + i }

func TestParseEPW(t *testing.T) {
	text := strings.Join(epwLines(false), "\n") + "\n"
	w, err := calc.ParseEPW(text)
	if err != nil {
		t.Fatal(err)
	}
	if w.City != "Taiyuan" || w.LatDeg != 37.78 || w.LonDeg != 112.55 || w.UTCOffsetH != 8 || w.ElevationM != 779 {
		t.Errorf("site = %q %v N %v E UTC%+v %v m; want Taiyuan 37.78 N 112.55 E UTC+8 779 m",
			w.City, w.LatDeg, w.LonDeg, w.UTCOffsetH, w.ElevationM)
	}
	for name, s := range map[string][]float64{"GHI": w.GHI, "DNI": w.DNI, "DHI": w.DHI, "TempAirC": w.TempAirC, "WindMs": w.WindMs} {
		if len(s) != 8760 {
			t.Fatalf("len(%s) = %d, want 8760", name, len(s))
		}
	}
	// Spot rows: value i is EPW hour (i%24)+1 of its day.
	for _, i := range []int{0, 13, 1000, 4380, 8759} {
		h := float64(i % 24)
		if w.GHI[i] != 10*h || w.DNI[i] != 5*h || w.DHI[i] != h ||
			w.TempAirC[i] != float64(i%40)-10 || w.WindMs[i] != float64(i%13)/2 {
			t.Errorf("hour %d: GHI %v DNI %v DHI %v T %v wind %v; want %v %v %v %v %v", i,
				w.GHI[i], w.DNI[i], w.DHI[i], w.TempAirC[i], w.WindMs[i], 10*h, 5*h, h, float64(i%40)-10, float64(i%13)/2)
		}
	}

	// CRLF line ends, a byte-order mark and no final newline parse the same.
	crlf, err := calc.ParseEPW("\ufeff" + strings.Join(epwLines(false), "\r\n"))
	if err != nil {
		t.Fatalf("CRLF file: %v", err)
	}
	if !slices.Equal(crlf.GHI, w.GHI) || !slices.Equal(crlf.TempAirC, w.TempAirC) {
		t.Error("CRLF file parses differently")
	}

	// A leap-year file: the 24 rows of 29 February are dropped.
	leap, err := calc.ParseEPW(strings.Join(epwLines(true), "\n"))
	if err != nil {
		t.Fatalf("leap-year file: %v", err)
	}
	if !slices.Equal(leap.GHI, w.GHI) || !slices.Equal(leap.WindMs, w.WindMs) {
		t.Error("leap-year file: series differ from the same file without 29 February")
	}
}

func TestParseEPWErrors(t *testing.T) {
	setField := func(lines []string, line, field int, v string) {
		f := strings.Split(lines[line-1], ",")
		f[field-1] = v
		lines[line-1] = strings.Join(f, ",")
	}
	const lastRowLine = 8 + 8760
	tests := []struct {
		name      string
		edit      func(l []string) []string
		wantLine  int
		wantField string
		wantMsg   string
	}{
		{"no LOCATION", func(l []string) []string { return l[1:] }, 1, "1", "want LOCATION"},
		{"latitude out of range", func(l []string) []string { setField(l, 1, 7, "95.0"); return l }, 1, "7 (latitude)", "[-90, 90]"},
		{"non-numeric longitude", func(l []string) []string { setField(l, 1, 8, "E112"); return l }, 1, "8 (longitude)", "not a number"},
		{"short LOCATION", func(l []string) []string { l[0] = "LOCATION,Taiyuan,SX,CHN"; return l }, 1, "", "want 10"},
		{"seven header lines", func(l []string) []string { return slices.Delete(l, 5, 6) }, 8, "1", "want DATA PERIODS"},
		{"short row", func(l []string) []string {
			l[epwRowLine(99)-1] = "2005,1,5,4,60,?9,1.0,0.0,50,93000"
			return l
		}, epwRowLine(99), "", "10 fields, want at least 22"},
		{"non-numeric GHI", func(l []string) []string { setField(l, epwRowLine(500), 14, "abc"); return l },
			epwRowLine(500), "14 (global horizontal radiation)", `"abc" is not a number`},
		{"missing GHI", func(l []string) []string { setField(l, epwRowLine(2000), 14, "9999"); return l },
			epwRowLine(2000), "14 (global horizontal radiation)", "missing-value code"},
		{"missing dry bulb", func(l []string) []string { setField(l, epwRowLine(3), 7, "99.9"); return l },
			epwRowLine(3), "7 (dry bulb temperature)", "missing-value code"},
		{"missing wind", func(l []string) []string { setField(l, epwRowLine(8000), 22, "999."); return l },
			epwRowLine(8000), "22 (wind speed)", "missing-value code"},
		{"negative DHI", func(l []string) []string { setField(l, epwRowLine(12), 16, "-5"); return l },
			epwRowLine(12), "16 (diffuse horizontal radiation)", "[0, +Inf]"},
		{"fractional hour", func(l []string) []string { setField(l, epwRowLine(7), 4, "7.5"); return l },
			epwRowLine(7), "4 (hour)", "whole number"},
		{"row out of order", func(l []string) []string {
			l[epwRowLine(30)-1], l[epwRowLine(31)-1] = l[epwRowLine(31)-1], l[epwRowLine(30)-1]
			return l
		}, epwRowLine(30), "", "want month 1 day 2 hour 7"},
		{"one row missing", func(l []string) []string { return l[:len(l)-1] }, lastRowLine - 1, "", "8759 hourly rows"},
		{"one row extra", func(l []string) []string { return append(l, l[len(l)-1]) }, lastRowLine + 1, "", "after 31 December"},
		{"no rows", func(l []string) []string { return l[:8] }, 8, "", "0 hourly rows"},
		{"29 February cut short", func(l []string) []string {
			// 23 leap rows: drop the last one before 1 March.
			return slices.Delete(l, epwRowLine(59*24)-1+23, epwRowLine(59*24)+23)
		}, epwRowLine(59*24) + 23, "", "29 February has 23 hourly rows"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			leap := strings.HasPrefix(tc.name, "29 February")
			_, err := calc.ParseEPW(strings.Join(tc.edit(epwLines(leap)), "\n"))
			var e *calc.EPWError
			if !errors.As(err, &e) {
				t.Fatalf("error = %v, want *calc.EPWError", err)
			}
			if e.Line != tc.wantLine || e.Field != tc.wantField || !strings.Contains(e.Msg, tc.wantMsg) {
				t.Errorf("error = line %d field %q msg %q; want line %d field %q msg containing %q",
					e.Line, e.Field, e.Msg, tc.wantLine, tc.wantField, tc.wantMsg)
			}
		})
	}
}

func TestEPWErrorString(t *testing.T) {
	e := &calc.EPWError{Line: 12, Field: "14 (global horizontal radiation)", Msg: "9999 is the missing-value code"}
	if got, want := e.Error(), "epw line 12: field 14 (global horizontal radiation): 9999 is the missing-value code"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e = &calc.EPWError{Line: 8769, Msg: "row after 31 December hour 24"}
	if got, want := e.Error(), "epw line 8769: row after 31 December hour 24"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func BenchmarkParseEPW(b *testing.B) {
	text := strings.Join(epwLines(false), "\n")
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if _, err := calc.ParseEPW(text); err != nil {
			b.Fatal(err)
		}
	}
}
