package factors

import (
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
)

// mustLoad returns dataset 2026.1, the version the expected values of
// these tests were typed from.
func mustLoad(t *testing.T) *Dataset {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatalf("Load() error: %v", err)
	}
	d, ok := c.Get("2026.1")
	if !ok {
		t.Fatal("2026.1 not embedded")
	}
	return d
}

func TestLoad(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatalf("Load() error: %v", err)
	}
	d := c.Default()
	if d.Version() != "2026.2" || d.Released() != "2026-12-02" {
		t.Errorf("Default() = %s released %s, want 2026.2 released 2026-12-02 (the newest released)", d.Version(), d.Released())
	}
	if got, ok := c.Get("2026.1"); !ok || got == d || got.Released() != "2026-11-29" {
		t.Errorf("Get(2026.1) = %v, %v; want the earlier release, still loadable", got, ok)
	}
	if len(d.Notes()) == 0 || len(d.Factors()) == 0 || len(d.Sources()) == 0 || len(d.Gaps()) == 0 {
		t.Errorf("dataset has %d notes, %d factors, %d sources, %d gaps; want all > 0",
			len(d.Notes()), len(d.Factors()), len(d.Sources()), len(d.Gaps()))
	}
}

// TestSpotValues pins values copied by hand from their public sources; the
// source is given per case.
func TestSpotValues(t *testing.T) {
	d := mustLoad(t)
	tests := []struct {
		id   string
		want float64
		unit string
		conf Confidence
	}{
		// MEE/NBS electricity CO2 emission factor notices for 2021, 2022 and 2023
		// (公告2024年第12号, 2024年第33号, 2025年第47号): provincial, regional, national
		{"grid/average_co2/CN-SX/2021", 0.7222, "tCO2/MWh", ConfidenceMedium},
		{"grid/average_co2/CN-SX/2022", 0.7096, "tCO2/MWh", ConfidenceHigh},
		{"grid/average_co2/CN-SX/2023", 0.6634, "tCO2/MWh", ConfidenceHigh},
		{"grid/average_co2/CN/2023", 0.5306, "tCO2/MWh", ConfidenceHigh},
		{"grid/average_co2/CN/2021", 0.5568, "tCO2/MWh", ConfidenceMedium},
		{"grid/average_co2/CN-GRID-NORTH/2023", 0.6361, "tCO2/MWh", ConfidenceHigh},
		{"grid/average_co2/CN-YN/2022", 0.1073, "tCO2/MWh", ConfidenceHigh},
		// MEE/NBS 2023 notice 表4 (2025年第47号), 2022 notice 表5 (2024年第33号);
		// MEE 2023–2025 power-sector GHG reporting notice (Feb 2023) for the ETS factor
		{"grid/excl_market_nonfossil_co2/CN/2023", 0.6096, "tCO2/MWh", ConfidenceHigh},
		{"grid/fossil_only_co2/CN/2022", 0.8325, "tCO2/MWh", ConfidenceMedium},
		{"grid/ets_reporting_co2/CN/2022", 0.5703, "tCO2/MWh", ConfidenceHigh},
		// MEE/NBS/NEA electricity carbon-footprint factor notices, 2023 (2025年第3号)
		// and 2024 (issued 2025-10-23)
		{"grid/average_cfp/CN/2024", 0.5777, "tCO2e/MWh", ConfidenceHigh},
		{"grid/average_cfp/CN/2023", 0.6205, "tCO2e/MWh", ConfidenceHigh},
		{"tech/lifecycle/solar/2024", 0.0520, "tCO2e/MWh", ConfidenceMedium},
		{"tech/lifecycle/coal/2024", 0.9240, "tCO2e/MWh", ConfidenceMedium},
		// Shanxi Provincial Bureau of Statistics, 2023 (via Xinhua, 2024-01-30)
		{"grid/renewable_fraction/CN-SX/2023", 0.200, "fraction", ConfidenceHigh},
		// IPCC AR5 WGIII Annex III Table A.III.2 (Schlömer et al. 2014), life-cycle median
		{"tech/ipcc_ar5_lifecycle/coal", 0.820, "tCO2e/MWh", ConfidenceHigh},
		// CEC 《中国电力行业年度发展报告2025》, national 2024
		{"power/coal_gce_per_kwh/CN/2024", 302.4, "gce/kWh", ConfidenceMedium},
		// GWP100: AR4/AR5 as in ghgpy (AR5 PFCs also IR 2025/2547 Annex II G);
		// AR6 WG1 Table 7.SM.7 and GHG Protocol GWP values v2.0 (Aug 2024)
		{"gwp/AR5/CF4", 6630, "kgCO2e/kg", ConfidenceMedium},
		{"gwp/AR5/C2F6", 11100, "kgCO2e/kg", ConfidenceMedium},
		{"gwp/AR4/C2F6", 12200, "kgCO2e/kg", ConfidenceMedium},
		{"gwp/AR6/CF4", 7380, "kgCO2e/kg", ConfidenceMedium},
		{"gwp/AR6/C2F6", 12400, "kgCO2e/kg", ConfidenceHigh},
		// IR (EU) 2025/2547 Annex II B.7 Table 2 (PFPB modern), Table 3 (SWPB overvoltage)
		{"pfc/slope/cbam2025/PFPB_M/sef_cf4", 0.104, "(kg CF4/t Al)/(AE-min/cell-day)", ConfidenceHigh},
		{"pfc/slope/cbam2025/PFPB_M/f_c2f6", 0.057, "kg C2F6/kg CF4", ConfidenceHigh},
		{"pfc/overvoltage/cbam2025/SWPB/ovc", 3.65, "(kg CF4/t Al)/mV", ConfidenceHigh},
		// China aluminium-smelting GHG accounting guideline defaults (CETS-AG-04.01-V01-2024 lineage)
		{"anode/cn_default/nac", 0.411, "tC/tAl", ConfidenceMedium},
		{"pfc/cn_default/cf4", 0.034, "kg/t Al", ConfidenceMedium},
		// GB 21346-2022 Tables 1–2
		{"gb21346/liquid_ac/grade1", 12950, "kWh/t", ConfidenceMedium},
		{"gb21346/alumina_bayer_comprehensive/grade3", 460, "kgce/t", ConfidenceMedium},
		// IAI statistics, China 2021 smelting AC (via NREL PV_ICE)
		{"iai/CN/ac_kwh_per_t/2021", 13511, "kWh/t", ConfidenceHigh},
		// MEE guideline Appendix A fuel parameters (natural gas converted from
		// 389.31 GJ/10^4 Nm3; petroleum coke oxidation assumed); coal NCV NDRC 2007
		// (192.14 TJ/10^4 t, Hindawi 2014 Table 2)
		{"fuel/natural_gas/ncv", 0.038931, "GJ/Nm3", ConfidenceMedium},
		{"fuel/petroleum_coke/oxidation", 0.98, "fraction", ConfidenceLow},
		{"fuel/coal/ncv", 19.214, "GJ/t", ConfidenceMedium},
		// Energy, Sustainability and Society 2024 (transport scenarios, Table 5), converted from g to kg
		{"transport/road/CN/2021", 0.04125, "kgCO2/t·km", ConfidenceMedium},
		// NDRC 标杆 level, 发改产业〔2021〕1609号 (= GB 21346-2022 grade 2)
		{"ndrc/benchmark/liquid_ac", 13000, "kWh/t", ConfidenceMedium},
		// CBAM China default for unwrought aluminium (Argus, approved draft)
		{"cbam/default/CN/7601", 3.0, "tCO2/t", ConfidenceMedium},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			f, ok := d.Factor(tc.id)
			if !ok {
				t.Fatalf("Factor(%q) not found", tc.id)
			}
			if math.Abs(f.Value-tc.want) > 1e-9*math.Max(1, math.Abs(tc.want)) {
				t.Errorf("value = %v, want %v", f.Value, tc.want)
			}
			if f.Unit != tc.unit {
				t.Errorf("unit = %q, want %q", f.Unit, tc.unit)
			}
			if f.Confidence != tc.conf {
				t.Errorf("confidence = %q, want %q", f.Confidence, tc.conf)
			}
		})
	}
}

// TestEveryFactorIsSourced checks every embedded version: each factor
// cites a listed source with a valid confidence, and each source is cited.
func TestEveryFactorIsSourced(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range c.Versions() {
		t.Run(d.Version(), func(t *testing.T) { checkSourced(t, d) })
	}
}

func checkSourced(t *testing.T, d *Dataset) {
	cited := map[string]bool{}
	citations := map[string]string{} // citation → source id
	for _, s := range d.Sources() {
		citations[s.Citation()] = s.ID
	}
	for _, f := range d.Factors() {
		s, ok := d.Source(f.SourceID)
		if !ok {
			t.Errorf("%s: source %q not found", f.ID, f.SourceID)
			continue
		}
		cited[s.ID] = true
		if f.Source != s.Citation() || f.Source == "" {
			t.Errorf("%s: Source = %q, want %q", f.ID, f.Source, s.Citation())
		}
		switch f.Confidence {
		case ConfidenceHigh, ConfidenceMedium, ConfidenceLow:
		default:
			t.Errorf("%s: confidence %q", f.ID, f.Confidence)
		}
		if strings.Contains(f.Note, "derived") && !strings.Contains(f.Note, "derived: ") {
			t.Errorf("%s: note mentions derived without 'derived: <arithmetic>': %q", f.ID, f.Note)
		}
	}
	for _, site := range d.SolarSites() { // checked in TestSolarSitesListing
		for id := range strings.SplitSeq(site.SourceID, ";") {
			cited[id] = true
		}
		cited[citations[site.TempRangeSource]] = true
	}
	for _, a := range d.Alloys() { // checked in TestProductsLoad
		cited[a.SourceID] = true
	}
	for _, s := range d.Sources() {
		if !cited[s.ID] {
			t.Errorf("source %q is cited by no factor, solar site or alloy", s.ID)
		}
	}
}

func TestFactorsSorted(t *testing.T) {
	d := mustLoad(t)
	fs := d.Factors()
	if !slices.IsSortedFunc(fs, func(a, b Factor) int { return strings.Compare(a.ID, b.ID) }) {
		t.Error("Factors() is not sorted by id")
	}
}

func TestRegions(t *testing.T) {
	d := mustLoad(t)
	rs := d.Regions()
	if len(rs) != 38 {
		t.Fatalf("len(Regions()) = %d, want 38 (CN, 7 grids, 30 provinces)", len(rs))
	}
	if rs[0].Code != "CN" {
		t.Errorf("Regions()[0] = %q, want CN", rs[0].Code)
	}
	for i, r := range rs[1:8] {
		if r.Level != "regional_grid" {
			t.Errorf("Regions()[%d] = %s (%s), want a regional grid", i+1, r.Code, r.Level)
		}
	}
	provinces := rs[8:]
	if !slices.IsSortedFunc(provinces, func(a, b Region) int { return strings.Compare(a.Code, b.Code) }) {
		t.Error("provinces are not sorted by code")
	}
	for _, tc := range []struct{ code, grid string }{
		{"CN-SX", "CN-GRID-NORTH"}, {"CN-NM", "CN-GRID-NORTH"}, {"CN-HA", "CN-GRID-CENTRAL"},
		{"CN-SC", "CN-GRID-SOUTHWEST"}, {"CN-YN", "CN-GRID-SOUTH"}, {"CN-XJ", "CN-GRID-NORTHWEST"},
	} {
		r, ok := d.Region(tc.code)
		if !ok || r.Grid != tc.grid || r.Level != "province" {
			t.Errorf("Region(%q) = %+v, %v; want a province in %s", tc.code, r, ok, tc.grid)
		}
	}
	if _, ok := d.Region("CN-XZ"); ok {
		t.Error("Region(CN-XZ) exists; Tibet has no factor and is not listed")
	}
}

func TestEveryRegionHasThreeYears(t *testing.T) {
	d := mustLoad(t)
	want := []int{2021, 2022, 2023}
	for _, r := range d.Regions() {
		if got := d.ElectricityYears("average_co2", r.Code); !slices.Equal(got, want) {
			t.Errorf("ElectricityYears(average_co2, %s) = %v, want %v", r.Code, got, want)
		}
	}
}

func TestElectricity(t *testing.T) {
	d := mustLoad(t)
	f, ok := d.Electricity("average_co2", "CN-SX", 2023)
	if !ok || f.Value != 0.6634 || f.Basis != "co2_operational" || f.Region != "CN-SX" || f.Year != 2023 {
		t.Errorf("Electricity(average_co2, CN-SX, 2023) = %+v, %v", f, ok)
	}
	if _, ok := d.Electricity("average_co2", "CN-SX", 2024); ok {
		t.Error("Electricity(average_co2, CN-SX, 2024) exists; no 2024 CO2 set was found")
	}
	if got := d.ElectricityYears("average_cfp", "CN"); !slices.Equal(got, []int{2023, 2024}) {
		t.Errorf("ElectricityYears(average_cfp, CN) = %v, want [2023 2024]", got)
	}
	rows := d.ElectricityRows()
	if len(rows) == 0 || rows[0].Region != "CN" {
		t.Fatalf("ElectricityRows() starts with %+v, want a CN row", rows[0])
	}
	rank := map[string]int{}
	for i, r := range d.Regions() {
		rank[r.Code] = i
	}
	for i := 1; i < len(rows); i++ {
		a, b := rows[i-1], rows[i]
		if !strings.HasPrefix(b.ID, "grid/") {
			t.Errorf("ElectricityRows() has %q", b.ID)
		}
		if rank[a.Region] > rank[b.Region] || (a.Region == b.Region && (a.Year > b.Year || (a.Year == b.Year && a.Kind > b.Kind))) {
			t.Errorf("ElectricityRows() out of order at %d: %s before %s", i, a.ID, b.ID)
		}
	}
}

func TestGaps(t *testing.T) {
	d := mustLoad(t)
	for _, id := range []string{"grid_co2_2024", "gwp_ar6_sf6", "ipcc2019_hvae_lvae", "pfc_overvoltage_other", "refinery_fuel_split", "fuel_coke_oxidation"} {
		if g, ok := d.Gap(id); !ok || g.What == "" {
			t.Errorf("Gap(%q) = %+v, %v", id, g, ok)
		}
	}
}

// TestAccessorsReturnCopies checks that callers cannot change a dataset.
func TestAccessorsReturnCopies(t *testing.T) {
	d := mustLoad(t)
	fs := d.Factors()
	fs[0].Value = -1
	if f, _ := d.Factor(fs[0].ID); f.Value == -1 {
		t.Error("changing Factors() changed the dataset")
	}
	rs := d.Regions()
	rs[0].Code = "XX"
	if d.Regions()[0].Code == "XX" {
		t.Error("changing Regions() changed the dataset")
	}
	n := d.Notes()
	n[0] = "changed"
	if d.Notes()[0] == "changed" {
		t.Error("changing Notes() changed the dataset")
	}
}

func TestConcurrentReads(t *testing.T) {
	d := mustLoad(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				d.Factor("gwp/AR5/CF4")
				d.Electricity("average_co2", "CN-SX", 2023)
				d.ElectricityYears("average_co2", "CN-HA")
				_ = d.ElectricityRows()
				_ = d.Regions()
				d.Source("mee_ef_2023")
			}
		}()
	}
	wg.Wait()
}
