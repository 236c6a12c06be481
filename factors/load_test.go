package factors

import (
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadFSTwoVersions(t *testing.T) {
	c, err := LoadFS(os.DirFS("testdata/versions"))
	if err != nil {
		t.Fatalf("LoadFS error: %v", err)
	}
	if got := c.Default().Version(); got != "2026.10" {
		t.Errorf("Default().Version() = %q, want 2026.10 (newer than 2026.9)", got)
	}
	var vs []string
	for _, d := range c.Versions() {
		vs = append(vs, d.Version())
	}
	if !slices.Equal(vs, []string{"2026.10", "2026.9"}) {
		t.Errorf("Versions() = %v, want [2026.10 2026.9]", vs)
	}
	old, ok := c.Get("2026.9")
	if !ok {
		t.Fatal("Get(2026.9) not found")
	}
	if f, ok := old.Electricity("average_co2", "CN-SX", 2022); !ok || f.Value != 0.7096 {
		t.Errorf("2026.9 Electricity(average_co2, CN-SX, 2022) = %v, %v; want 0.7096", f.Value, ok)
	}
	if _, ok := c.Default().Electricity("average_co2", "CN-SX", 2022); ok {
		t.Error("2026.10 has the 2022 row of 2026.9")
	}
	if f, _ := old.Factor("gwp/AR5/CF4"); f.Note != "test value, with a comma" || f.Source != "alcarbon tests, Test fixture (2026)" {
		t.Errorf("Factor(gwp/AR5/CF4) = %+v", f)
	}
	if _, ok := c.Get("2026.2"); ok {
		t.Error("Get(2026.2) found a version that does not exist")
	}
}

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"2026.10", "2026.9", 1},
		{"2026.9", "2026.10", -1},
		{"2026.1", "2026.1", 0},
		{"2027.1", "2026.12", 1},
		{"2026", "2026.1", -1},
		{"2026.1.1", "2026.1", 1},
	}
	for _, tc := range tests {
		if got := compareVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// validFS copies the testdata version 2026.9 into a MapFS under "2026.9/".
func validFS(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	src := os.DirFS("testdata/versions/2026.9")
	err := fs.WalkDir(src, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := fs.ReadFile(src, p)
		m["2026.9/"+p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

const (
	factorsHead = "id,value,unit,kind,region,year,basis,source_id,confidence,note\n"
	goodRow     = "gwp/AR5/CF4,6630,kgCO2e/kg,gwp,,,,test,M,\n"
)

func TestLoadFSErrors(t *testing.T) {
	tests := []struct {
		name     string
		file     string // file under 2026.9/ to replace
		data     string
		wantFile string
		wantLine int
		wantMsg  string
	}{
		{"duplicate factor id", "factors.csv", factorsHead + goodRow + goodRow,
			"2026.9/factors.csv", 3, "duplicate id"},
		{"unknown source_id", "factors.csv", factorsHead + goodRow + "gwp/AR5/C2F6,11100,kgCO2e/kg,gwp,,,,nosuch,M,\n",
			"2026.9/factors.csv", 3, "unknown source_id"},
		{"unknown confidence", "factors.csv", factorsHead + "gwp/AR5/CF4,6630,kgCO2e/kg,gwp,,,,test,X,\n",
			"2026.9/factors.csv", 2, "unknown confidence"},
		{"non-numeric value", "factors.csv", factorsHead + goodRow + "gwp/AR5/C2F6,11 100,kgCO2e/kg,gwp,,,,test,M,\n",
			"2026.9/factors.csv", 3, "not a finite number"},
		{"NaN value", "factors.csv", factorsHead + "gwp/AR5/CF4,NaN,kgCO2e/kg,gwp,,,,test,M,\n",
			"2026.9/factors.csv", 2, "not a finite number"},
		{"electricity region not in regions.csv", "factors.csv", factorsHead + goodRow +
			"grid/average_co2/CN-XZ/2023,0.1,tCO2/MWh,average_co2,CN-XZ,2023,co2_operational,test,H,\n",
			"2026.9/factors.csv", 3, "not in regions.csv"},
		{"grid id does not match kind/region/year", "factors.csv", factorsHead +
			"grid/average_co2/CN-SX/2022,0.7,tCO2/MWh,average_co2,CN-SX,2023,co2_operational,test,H,\n",
			"2026.9/factors.csv", 2, "does not match kind, region and year"},
		{"grid row without year", "factors.csv", factorsHead +
			"grid/average_co2/CN-SX/2022,0.7,tCO2/MWh,average_co2,CN-SX,,co2_operational,test,H,\n",
			"2026.9/factors.csv", 2, "region and year are required"},
		{"unknown basis", "factors.csv", factorsHead + "gwp/AR5/CF4,6630,kgCO2e/kg,gwp,,,operational,test,M,\n",
			"2026.9/factors.csv", 2, "unknown basis"},
		{"wrong field count", "factors.csv", factorsHead + goodRow + "gwp/AR5/C2F6,11100\n",
			"2026.9/factors.csv", 3, "wrong number of fields"},
		{"bad header", "factors.csv", "id,value\n",
			"2026.9/factors.csv", 1, "header"},
		{"duplicate source id", "sources.csv", "id,publisher,document,year,url\ntest,a,b,,\ntest,a,b,,\n",
			"2026.9/sources.csv", 3, "duplicate id"},
		{"province grid unknown", "regions.csv", "code,name_en,name_zh,level,grid\nCN,China,全国,national,\nCN-SX,Shanxi,山西,province,CN-GRID-NORTH\n",
			"2026.9/regions.csv", 3, "not a regional_grid"},
		{"unknown region level", "regions.csv", "code,name_en,name_zh,level,grid\nCN,China,全国,country,\n",
			"2026.9/regions.csv", 2, "unknown level"},
		{"duplicate gap id", "gaps.csv", "id,what,note\ng,a,\ng,b,\n",
			"2026.9/gaps.csv", 3, "duplicate id"},
		{"version mismatch", "dataset.json", `{"version":"2026.8","released":"2026-09-01","notes":[]}`,
			"2026.9/dataset.json", 0, "does not match folder"},
		{"json syntax", "dataset.json", "{\n\"version\": \"2026.9\",\n}\n",
			"2026.9/dataset.json", 3, "invalid character"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := validFS(t)
			m["2026.9/"+tc.file] = &fstest.MapFile{Data: []byte(tc.data)}
			_, err := LoadFS(m)
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("LoadFS error = %v, want a *FileError", err)
			}
			if fe.File != tc.wantFile || fe.Line != tc.wantLine || !strings.Contains(fe.Msg, tc.wantMsg) {
				t.Errorf("error = %q, want file %s line %d containing %q", err, tc.wantFile, tc.wantLine, tc.wantMsg)
			}
			if tc.wantLine > 0 && !strings.Contains(err.Error(), tc.wantFile+":") {
				t.Errorf("error %q does not name %s with its line", err, tc.wantFile)
			}
		})
	}
}

func TestLoadFSBadFolders(t *testing.T) {
	if _, err := LoadFS(fstest.MapFS{"README.md": {Data: []byte("x")}}); err == nil {
		t.Error("LoadFS with no version folder: want an error")
	}
	m := validFS(t)
	m["latest/dataset.json"] = &fstest.MapFile{Data: []byte("{}")}
	if _, err := LoadFS(m); err == nil || !strings.Contains(err.Error(), "latest") {
		t.Errorf("LoadFS with folder 'latest': error = %v, want one naming the folder", err)
	}
	m = validFS(t)
	delete(m, "2026.9/gaps.csv")
	if _, err := LoadFS(m); err == nil || !strings.Contains(err.Error(), "2026.9/gaps.csv") {
		t.Errorf("LoadFS without gaps.csv: error = %v, want one naming the file", err)
	}
}
