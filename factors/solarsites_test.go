package factors

import (
	"errors"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// TestSolarSiteTaiyuan pins the Taiyuan preset (WMO 53772 太原), typed from
// CBED (China Building Energy Data) monthly GHI and temperature and the
// CDSRD 1988–2017 mean monthly GHI for that station.
func TestSolarSiteTaiyuan(t *testing.T) {
	d := mustLoad(t)
	s, ok := d.SolarSite("taiyuan")
	if !ok {
		t.Fatal(`SolarSite("taiyuan") not found`)
	}
	wantA := []float64{67, 80, 119, 149, 173, 164, 156, 144, 118, 98, 69, 60}
	wantB := []float64{70, 84, 123, 154, 179, 169, 162, 149, 122, 102, 73, 63}
	wantT := []float64{-4.6, -0.8, 5.2, 12.6, 18.2, 21.8, 23.4, 21.7, 16.8, 10.4, 3.0, -2.9}
	if !slices.Equal(s.GHIMonthlyKWhM2, wantA) {
		t.Errorf("GHI A = %v, want %v", s.GHIMonthlyKWhM2, wantA)
	}
	if !slices.Equal(s.GHIHighMonthlyKWhM2, wantB) {
		t.Errorf("GHI B = %v, want %v", s.GHIHighMonthlyKWhM2, wantB)
	}
	if !slices.Equal(s.TempMonthlyC, wantT) {
		t.Errorf("T = %v, want %v", s.TempMonthlyC, wantT)
	}
	if !s.Located || s.LatitudeDeg != 37.62 || s.LongitudeDeg != 112.58 || s.AltitudeM != 777 || s.WMO != "53772" {
		t.Errorf("station = located %v, %v N %v E %v m WMO %s; want 37.62 N 112.58 E 777 m WMO 53772",
			s.Located, s.LatitudeDeg, s.LongitudeDeg, s.AltitudeM, s.WMO)
	}
	if s.Province != "CN-SX" || s.NameZH != "太原" || s.Confidence != ConfidenceMedium {
		t.Errorf("province %s, name %s, confidence %s; want CN-SX, 太原, M", s.Province, s.NameZH, s.Confidence)
	}
	for _, want := range []string{"CBED", "CDSRD", "solarbe", "GB/T 31155"} {
		if !strings.Contains(s.Source, want) {
			t.Errorf("Source %q does not cite %s", s.Source, want)
		}
	}
	if !strings.Contains(s.Note, "1397") || !strings.Contains(s.Note, "GB/T 31155") {
		t.Errorf("Note %q lacks the solarbe/GB/T 31155 cross-check of 1397 kWh/m²/yr", s.Note)
	}
}

// TestSolarSiteTotals checks every site with GHI against its annual
// figures, typed here: CBED GHI (A) and temperature (T), CDSRD 1988–2017
// GHI (B). Each is the sum (GHI) or mean (T) of unrounded months and the
// months are rounded to the tabled digit, so a sum of 12 rounded months may
// differ by up to 12 × 0.5 = 6 kWh/m², and a mean by 0.05 + 0.05 °C.
func TestSolarSiteTotals(t *testing.T) {
	years := map[string]struct{ a, b, t float64 }{
		"taiyuan": {1398, 1449, 10.4}, "datong": {1488, 1538, 7.2}, "shuozhou": {1438, 1487, 7.5},
		"xinzhou": {1435, 1484, 8.7}, "lishi": {1386, 1433, 9.7}, "yuci": {1420, 1469, 10.3},
		"yangquan": {1358, 1405, 11.1}, "xiangyuan": {1384, 1431, 9.6}, "jincheng": {1415, 1464, 11.7},
		"houma": {1333, 1378, 12.8}, "yuncheng": {1336, 1382, 14.0}, "jiexiu": {1291, 1335, 11.0},
		"hohhot": {1489, 1540, 7.3}, "baotou": {1533, 1586, 7.8}, "urumqi": {1439, 1487, 7.4},
		"jinan": {1306, 1351, 14.4}, "zhengzhou": {1257, 1300, 14.7}, "kunming": {1508, 1562, 15.3},
		"nanning": {1193, 1235, 21.1}, "baise": {1243, 1286, 21.5}, "guiyang": {974, 1008, 14.5},
		"gaolan": {1654, 1711, 7.4}, "xining": {1501, 1553, 5.9}, "yinchuan": {1558, 1611, 9.6},
		"wenjiang": {934, 968, 15.7},
	}
	d := mustLoad(t)
	withGHI := 0
	for _, s := range d.SolarSites() {
		if s.GHIMonthlyKWhM2 == nil {
			continue
		}
		withGHI++
		y, ok := years[s.ID]
		if !ok {
			t.Errorf("site %s has GHI but no annual CBED/CDSRD figures in this test", s.ID)
			continue
		}
		if got := sum(s.GHIMonthlyKWhM2); math.Abs(got-y.a) > 6 {
			t.Errorf("%s: GHI A sums to %v, table Year %v", s.ID, got, y.a)
		}
		if got := sum(s.GHIHighMonthlyKWhM2); math.Abs(got-y.b) > 6 {
			t.Errorf("%s: GHI B sums to %v, table Year %v", s.ID, got, y.b)
		}
		if got := sum(s.TempMonthlyC) / 12; math.Abs(got-y.t) > 0.1 {
			t.Errorf("%s: mean T %.3f, table Year %v", s.ID, got, y.t)
		}
		// A is 0.966-0.967 x B annually and 0.93-0.97 monthly (CBED vs
		// CDSRD 1988–2017, unrounded); rounding to whole kWh/m² widens that
		// by up to 0.5/36.
		// A month outside [0.91, 0.99] is a transcription error.
		if r := sum(s.GHIMonthlyKWhM2) / sum(s.GHIHighMonthlyKWhM2); r < 0.96 || r > 0.972 {
			t.Errorf("%s: annual A/B = %.4f, want 0.96-0.972", s.ID, r)
		}
		for m := range 12 {
			if r := s.GHIMonthlyKWhM2[m] / s.GHIHighMonthlyKWhM2[m]; r < 0.91 || r > 0.99 {
				t.Errorf("%s month %d: A/B = %.3f, want 0.91-0.99", s.ID, m+1, r)
			}
		}
	}
	if withGHI != len(years) {
		t.Errorf("%d sites have GHI, want the %d with annual CBED/CDSRD figures above", withGHI, len(years))
	}
}

func sum(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s
}

func TestSolarSitesListing(t *testing.T) {
	d := mustLoad(t)
	sites := d.SolarSites()
	if len(sites) != 27 {
		t.Errorf("%d sites, want 27 (14 Shanxi incl. Yuanping and Yushe, 13 other)", len(sites))
	}
	var shanxi, other []string
	for i, s := range sites {
		if s.Province == "CN-SX" {
			if len(other) > 0 {
				t.Errorf("Shanxi site %s after non-Shanxi %s", s.ID, other[len(other)-1])
			}
			shanxi = append(shanxi, s.ID)
		} else {
			other = append(other, s.ID)
		}
		if s.Source == "" || s.SourceID == "" {
			t.Errorf("site %s has no source", s.ID)
		}
		for id := range strings.SplitSeq(s.SourceID, ";") {
			if _, ok := d.Source(id); !ok {
				t.Errorf("site %s cites %q, not in sources.csv", s.ID, id)
			}
		}
		if got, ok := d.SolarSite(s.ID); !ok || got.ID != s.ID || i != d.bySolarSite[s.ID] {
			t.Errorf("SolarSite(%q) = %v, %v", s.ID, got.ID, ok)
		}
		if s.GHIMonthlyKWhM2 != nil && !s.Located {
			t.Errorf("site %s has GHI but no coordinates", s.ID)
		}
	}
	if len(shanxi) != 14 || !slices.IsSorted(shanxi) || !slices.IsSorted(other) {
		t.Errorf("order: Shanxi %v, then %v; want 14 Shanxi sites, each group sorted by id", shanxi, other)
	}
	if _, ok := d.SolarSite("linfen"); ok {
		t.Error(`SolarSite("linfen") exists; Linfen has no station, its proxy is houma`)
	}

	// Neither CBED nor CDSRD has Yuanping or Yushe: Yuanping has temperature
	// only (CMA 1991–2020 normals, via Wikipedia), Yushe nothing.
	yp, _ := d.SolarSite("yuanping")
	if yp.GHIMonthlyKWhM2 != nil || yp.GHIHighMonthlyKWhM2 != nil || yp.Located || !strings.Contains(yp.Note, "GHI not found") {
		t.Errorf("yuanping = %+v; want no GHI, no coordinates and a note saying GHI not found", yp)
	}
	if want := []float64{-6.3, -1.9, 4.8, 12.6, 18.8, 22.5, 23.9, 22.2, 17.0, 10.2, 2.0, -4.6}; !slices.Equal(yp.TempMonthlyC, want) {
		t.Errorf("yuanping T = %v, want %v (Wikipedia, CMA 1991-2020)", yp.TempMonthlyC, want)
	}
	ys, _ := d.SolarSite("yushe")
	if ys.GHIMonthlyKWhM2 != nil || ys.TempMonthlyC != nil || !strings.Contains(ys.Note, "not found") || ys.Confidence != ConfidenceLow {
		t.Errorf("yushe = %+v; want no series, a 'not found' note and confidence L", ys)
	}
}

func TestSolarSiteReturnsCopies(t *testing.T) {
	d := mustLoad(t)
	s, _ := d.SolarSite("datong")
	s.GHIMonthlyKWhM2[0] = -1
	d.SolarSites()[0].TempMonthlyC[0] = -99
	if again, _ := d.SolarSite("datong"); again.GHIMonthlyKWhM2[0] != 69 {
		t.Error("changing SolarSite() changed the dataset")
	}
	if d.SolarSites()[0].TempMonthlyC[0] == -99 {
		t.Error("changing SolarSites() changed the dataset")
	}
}

func TestSolarSitesOptional(t *testing.T) {
	c, err := LoadFS(os.DirFS("testdata/versions"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.Default().SolarSites()); n != 0 {
		t.Errorf("a version without solar_sites.csv has %d sites, want 0", n)
	}
}

const (
	sitesHead = "id,name_en,name_zh,province,latitude,longitude,altitude_m,wmo,station_note,ghi_kwh_m2,ghi_high_kwh_m2,temp_c,source_id,confidence,note\n"
	twelve    = "1;2;3;4;5;6;7;8;9;10;11;12"
	goodSite  = "alpha,Alpha,甲,CN-SX,37.6,112.6,777,53772,," + twelve + "," + twelve + "," + twelve + ",test,M,\n"
)

func TestLoadFSSolarSiteErrors(t *testing.T) {
	tests := []struct {
		name     string
		row      string // second data row, after goodSite
		wantLine int
		wantMsg  string
	}{
		{"11 monthly values", "beta,Beta,乙,CN-SX,37.6,112.6,777,,,1;2;3;4;5;6;7;8;9;10;11,,,test,M,\n",
			3, "ghi_kwh_m2: 11 values, want 12"},
		{"non-numeric month", "beta,Beta,乙,CN-SX,37.6,112.6,777,,,,," + strings.Replace(twelve, "5", "x", 1) + ",test,M,\n",
			3, "temp_c: month 5"},
		{"negative GHI", "beta,Beta,乙,CN-SX,37.6,112.6,777,,," + strings.Replace(twelve, "3", "-3", 1) + ",,,test,M,\n",
			3, "ghi_kwh_m2: month 3"},
		{"latitude out of range", "beta,Beta,乙,CN-SX,95,112.6,777,,," + twelve + ",,,test,M,\n",
			3, "latitude: 95 is outside"},
		{"longitude missing", "beta,Beta,乙,CN-SX,37.6,,777,,," + twelve + ",,,test,M,\n",
			3, "longitude"},
		{"GHI without coordinates", "beta,Beta,乙,CN-SX,,,777,,," + twelve + ",,,test,M,\n",
			3, "needs latitude and longitude"},
		{"no GHI and no note", "beta,Beta,乙,CN-SX,,,,,,,,,test,L,\n",
			3, "needs a note"},
		{"unknown source_id", "beta,Beta,乙,CN-SX,37.6,112.6,777,,," + twelve + ",,,test;nosuch,M,\n",
			3, `unknown source_id "nosuch"`},
		{"unknown province", "beta,Beta,乙,CN-XX,37.6,112.6,777,,," + twelve + ",,,test,M,\n",
			3, "not a province"},
		{"bad id", "Beta,Beta,乙,CN-SX,37.6,112.6,777,,," + twelve + ",,,test,M,\n",
			3, "lowercase"},
		{"bad wmo", "beta,Beta,乙,CN-SX,37.6,112.6,777,5377,," + twelve + ",,,test,M,\n",
			3, "5-digit"},
		{"bad confidence", "beta,Beta,乙,CN-SX,37.6,112.6,777,,," + twelve + ",,,test,X,\n",
			3, "unknown confidence"},
		{"duplicate id", goodSite, 3, "duplicate id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := validFS(t)
			m["2026.9/solar_sites.csv"] = &fstest.MapFile{Data: []byte(sitesHead + goodSite + tc.row)}
			_, err := LoadFS(m)
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("LoadFS error = %v, want a *FileError", err)
			}
			if fe.File != "2026.9/solar_sites.csv" || fe.Line != tc.wantLine || !strings.Contains(fe.Msg, tc.wantMsg) {
				t.Errorf("error = %q, want 2026.9/solar_sites.csv line %d containing %q", err, tc.wantLine, tc.wantMsg)
			}
		})
	}

	m := validFS(t)
	m["2026.9/solar_sites.csv"] = &fstest.MapFile{Data: []byte(sitesHead + goodSite)}
	c, err := LoadFS(m)
	if err != nil {
		t.Fatalf("LoadFS with one good site: %v", err)
	}
	if s, ok := c.Default().SolarSite("alpha"); !ok || s.Source != "alcarbon tests, Test fixture (2026)" || len(s.TempMonthlyC) != 12 {
		t.Errorf("SolarSite(alpha) = %+v, %v", s, ok)
	}
}
