package factors

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// TestSolarSiteTempRangeByVersion: 2026.1's solar_sites.csv has no
// temp_range_c column, so no site has a range; 2026.2 has one for the
// stations in CBED's t_bbc_temperature table (every site with GHI). Taiyuan's
// ranges are day_max_monthavg − day_min_monthavg of WMO 53772, typed from
// the table (research/2026.2/power-and-refs.md §5.1 gives the raw values):
// e.g. January 2.05 − (−9.99) = 12.04, July 29.16 − 18.40 = 10.76.
func TestSolarSiteTempRangeByVersion(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	d1, _ := c.Get("2026.1")
	for _, s := range d1.SolarSites() {
		if s.TempRangeMonthlyC != nil {
			t.Errorf("2026.1 %s has a diurnal range %v, want none", s.ID, s.TempRangeMonthlyC)
		}
	}
	d2, ok := c.Get("2026.2")
	if !ok {
		t.Fatal("dataset 2026.2 missing")
	}
	ty, _ := d2.SolarSite("taiyuan")
	dayMax := []float64{2.05, 6.19, 12.25, 19.82, 25.20, 28.32, 29.16, 27.49, 23.38, 17.59, 9.72, 3.45}
	dayMin := []float64{-9.99, -6.26, -0.76, 5.64, 11.19, 15.46, 18.40, 17.00, 11.62, 4.89, -2.09, -7.77}
	if len(ty.TempRangeMonthlyC) != 12 {
		t.Fatalf("2026.2 taiyuan range = %v, want 12 values", ty.TempRangeMonthlyC)
	}
	for m := range 12 {
		if want := dayMax[m] - dayMin[m]; math.Abs(ty.TempRangeMonthlyC[m]-want) > 0.005 {
			t.Errorf("taiyuan month %d range = %v, want %.2f (%.2f − %.2f)", m+1, ty.TempRangeMonthlyC[m], want, dayMax[m], dayMin[m])
		}
	}
	if !strings.Contains(ty.TempRangeSource, "day_max_monthavg") || strings.Contains(ty.Source, "day_max_monthavg") {
		t.Errorf("taiyuan TempRangeSource %q should cite the range's columns, and only it (Source %q)", ty.TempRangeSource, ty.Source)
	}
	t1, _ := d1.SolarSite("taiyuan")
	if !slices.Equal(t1.TempMonthlyC, ty.TempMonthlyC) {
		t.Errorf("monthly means differ between versions: %v vs %v", t1.TempMonthlyC, ty.TempMonthlyC)
	}
	with := 0
	for _, s := range d2.SolarSites() {
		if s.TempRangeMonthlyC == nil {
			continue
		}
		with++
		for m, v := range s.TempRangeMonthlyC {
			if v < 5 || v > 20 {
				t.Errorf("2026.2 %s month %d range %v °C, outside the 5–20 °C of Chinese station means", s.ID, m+1, v)
			}
		}
	}
	if with != 25 {
		t.Errorf("2026.2 has %d sites with a range, want 25 (every site with GHI; Yuanping and Yushe are not in the table)", with)
	}
}

// TestLoadFSSolarSiteTempRange: the optional last column is read when the
// header names it, and its values are checked like temp_c's.
func TestLoadFSSolarSiteTempRange(t *testing.T) {
	head := strings.TrimSuffix(sitesHead, "\n") + ",temp_range_c,temp_range_source_id\n"
	good := strings.TrimSuffix(goodSite, "\n") + "," + twelve + ",test\n"
	m := validFS(t)
	m["2026.9/solar_sites.csv"] = &fstest.MapFile{Data: []byte(head + good + "gamma,Gamma,丙,CN-SX,37.6,112.6,777,,," + twelve + ",,,test,M,,,\n")}
	c, err := LoadFS(m)
	if err != nil {
		t.Fatalf("LoadFS with temp_range_c: %v", err)
	}
	a, _ := c.Default().SolarSite("alpha")
	if !slices.Equal(a.TempRangeMonthlyC, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}) || a.TempRangeSource != "alcarbon tests, Test fixture (2026)" {
		t.Errorf("alpha range = %v from %q, want 1…12 from the test source", a.TempRangeMonthlyC, a.TempRangeSource)
	}
	if g, _ := c.Default().SolarSite("gamma"); g.TempRangeMonthlyC != nil {
		t.Errorf("gamma range = %v, want nil (empty field)", g.TempRangeMonthlyC)
	}

	row := func(temp, rng, src string) string {
		return "beta,Beta,乙,CN-SX,37.6,112.6,777,,," + twelve + ",," + temp + ",test,M,," + rng + "," + src + "\n"
	}
	tests := []struct{ name, row, want string }{
		{"11 values", row(twelve, "1;2;3;4;5;6;7;8;9;10;11", "test"), "temp_range_c: 11 values"},
		{"negative", row(twelve, strings.Replace(twelve, "4", "-4", 1), "test"), "temp_range_c: month 4"},
		{"above 40", row(twelve, strings.Replace(twelve, "12", "41", 1), "test"), "month 12: 41 is above 40"},
		{"without temp_c", row("", twelve, "test"), "needs temp_c"},
		{"without source", row(twelve, twelve, ""), "together"},
		{"source without range", row(twelve, "", "test"), "together"},
		{"unknown source", row(twelve, twelve, "nosuch"), `unknown temp_range_source_id "nosuch"`},
		{"missing field", "beta,Beta,乙,CN-SX,37.6,112.6,777,,," + twelve + ",," + twelve + ",test,M,," + twelve + "\n", "wrong number of fields"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := validFS(t)
			m["2026.9/solar_sites.csv"] = &fstest.MapFile{Data: []byte(head + good + tc.row)}
			_, err := LoadFS(m)
			var fe *FileError
			if !errors.As(err, &fe) || fe.Line != 3 || !strings.Contains(fe.Msg, tc.want) {
				t.Errorf("LoadFS error = %v, want line 3 containing %q", err, tc.want)
			}
		})
	}
}
