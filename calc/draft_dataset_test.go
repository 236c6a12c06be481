package calc_test

import (
	"slices"
	"strings"
	"testing"

	"alcarbon/calc"
	"alcarbon/factors"
)

// TestProductCBAMDefaultByDataset: a product's CBAM default is its CN
// code's own Commission value when the pinned dataset has one (2026.2,
// IR 2025/2621 as corrected by IR 2026/1740), else the 2026.1 fallback.
// No catalogue product is 7606, so 7604's profile shows the switch from
// the intermediate-products value (4.88) to its own (4.881).
func TestProductCBAMDefaultByDataset(t *testing.T) {
	cat, err := factors.Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		product, dataset string
		want             float64 // 0: none
		noteHas          string
	}{
		{"building_profile", "2026.1", 4.88, "intermediate"},
		{"building_profile", "2026.2", 4.881, "CN 7604 from China"},
		{"automotive_part", "2026.1", 0, "no Commission default for CN 7616"},
		{"automotive_part", "2026.2", 5.559, "CN 7616 from China"},
		{"household_foil", "2026.1", 5.56, "CN 7607"},
		{"household_foil", "2026.2", 5.559, "CN 7607"},
	}
	for _, tc := range tests {
		ds, ok := cat.Get(tc.dataset)
		if !ok {
			t.Fatalf("dataset %s missing", tc.dataset)
		}
		r, _, err := calc.New(ds).Product(calc.ProductInput{Product: tc.product, Region: "CN-SX", Year: 2023, GWP: "AR5", Basis: calc.BasisLifecycle})
		if err != nil {
			t.Fatalf("%s %s: %v", tc.product, tc.dataset, err)
		}
		got := r.CBAM.DefaultValueTCO2ePerT
		switch {
		case tc.want == 0 && got != nil:
			t.Errorf("%s with %s: default %v, want none", tc.product, tc.dataset, *got)
		case tc.want != 0 && (got == nil || *got != tc.want):
			t.Errorf("%s with %s: default %v, want %v", tc.product, tc.dataset, got, tc.want)
		}
		checkMessage(t, tc.product+" "+tc.dataset+" note", []string{r.CBAM.DefaultValueNote}, tc.noteHas)
	}
	// 7606 has its own value in 2026.2 (4.12), lower than the 2026.1
	// fallback for plates and sheets (4.88).
	d1, _ := cat.Get("2026.1")
	d2, _ := cat.Get("2026.2")
	if _, ok := d1.Factor("cbam/default/CN/7606"); ok {
		t.Error("2026.1 has cbam/default/CN/7606")
	}
	if f, ok := d2.Factor("cbam/default/CN/7606"); !ok || f.Value != 4.12 {
		t.Errorf("2026.2 cbam/default/CN/7606 = %v, %v; want 4.12", f.Value, ok)
	}
}

// TestCastingGasDefaultByDataset: a smelter that gives no casting natural
// gas burns none with dataset 2026.1 and the IAI 2015 world casthouse
// average with 2026.2 (832 MJ/t). Hand-computed: 832 MJ/t = 0.832 GJ/t
// of natural gas at the China guideline's 0.01532 t C/GJ and oxidation
// 0.99: 0.832 × 0.01532 × 0.99 × 44/12 = 0.0462688 t CO2/t, added to the
// casting stage and to CBAM's direct emissions (the NCV cancels out).
func TestCastingGasDefaultByDataset(t *testing.T) {
	cat, err := factors.Load()
	if err != nil {
		t.Fatal(err)
	}
	in := fullInput()
	in.Casting.NaturalGasNm3PerT = nil
	onSite := false // keep 2026.2's on-site anode plant out of CBAM direct
	in.Anode.ProducedOnSite = &onSite
	results := map[string]calc.PrimaryResult{}
	for _, v := range []string{"2026.1", "2026.2"} {
		ds, ok := cat.Get(v)
		if !ok {
			t.Fatalf("dataset %s missing", v)
		}
		r, prov, err := calc.New(ds).Primary(in)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(prov.Defaulted, "Casting.NaturalGasNm3PerT") {
			t.Errorf("%s: casting gas not listed as defaulted: %v", v, prov.Defaulted)
		}
		warned := slices.ContainsFunc(prov.Warnings, func(w string) bool { return strings.Contains(w, "IAI 2015 world casthouse average") })
		if warned != (v == "2026.2") {
			t.Errorf("%s: casthouse-average warning %v", v, warned)
		}
		results[v] = r
	}
	want := 0.832 * 0.01532 * 0.99 * 44 / 12
	was, now := results["2026.1"], results["2026.2"]
	checkClose(t, "casting stage difference", stageByName(t, now, calc.StageCasting).LocationBased-stageByName(t, was, calc.StageCasting).LocationBased, want, 1e-9)
	checkClose(t, "CBAM direct difference", now.CBAM.SEEDirect-was.CBAM.SEEDirect, want, 1e-9)
	checkClose(t, "total difference", now.LocationBased-was.LocationBased, want, 1e-9)
}

// TestResidualRuleByDataset: with certificates claimed and no residual mix
// named, dataset 2026.1 prices uncovered grid MWh at the grid average and
// 2026.2 (rule residual_mix_with_instruments) at the region's grid average
// scaled by the national ratio of the factor excluding market-traded
// non-fossil power (表4) to the national average. Hand-computed, Shanxi
// 2023 on the co2_operational basis, 1,000,000 MWh all grid, 50,000
// certificates, MEE/NBS 2023 factors (Shanxi 0.6634, 表4 0.6096, national
// 0.5306): 2026.1: 950,000 × 0.6634 / 1,000,000 = 0.63023; 2026.2:
// 950,000 × 0.6634 × 0.6096 / 0.5306 / 1,000,000 = 0.72404, above the grid
// average as a residual mix should be (the national 表4 value itself,
// 0.6096, would be below Shanxi's grid). A residual mix given, the
// lifecycle basis, or no instruments keep the grid average in 2026.2 too.
func TestResidualRuleByDataset(t *testing.T) {
	cat, err := factors.Load()
	if err != nil {
		t.Fatal(err)
	}
	base := calc.ElectricityInput{Region: "CN-SX", Year: 2023, Basis: calc.BasisOperational, DemandMWh: 1_000_000, AnnualVolumes: true,
		Sources: []calc.Source{gridShare(1)}, CertificatesMWh: f64(50_000)}
	grid := base
	grid.ResidualMix = calc.ResidualGridAverage
	noCerts := base
	noCerts.CertificatesMWh = nil
	for _, tc := range []struct {
		name, dataset string
		in            calc.ElectricityInput
		wantMkt       float64
		defaulted     bool
	}{
		{"2026.1 default", "2026.1", base, 950_000 * 0.6634 / 1_000_000, false},
		{"2026.2 default", "2026.2", base, 950_000 * 0.6634 * 0.6096 / 0.5306 / 1_000_000, true},
		{"2026.2 grid average named", "2026.2", grid, 950_000 * 0.6634 / 1_000_000, false},
		{"2026.2 no instruments", "2026.2", noCerts, 0.6634, false},
	} {
		ds, _ := cat.Get(tc.dataset)
		r, prov, err := calc.New(ds).Electricity(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		checkClose(t, tc.name+" market-based EF", r.EFMarket, tc.wantMkt, 1e-12)
		if got := slices.Contains(prov.Defaulted, "ResidualMix"); got != tc.defaulted {
			t.Errorf("%s: ResidualMix defaulted %v, want %v (%v)", tc.name, got, tc.defaulted, prov.Defaulted)
		}
	}
	life := base
	life.Basis = calc.BasisLifecycle
	ds, _ := cat.Get("2026.2")
	if _, prov, err := calc.New(ds).Electricity(life); err != nil || slices.Contains(prov.Defaulted, "ResidualMix") {
		t.Errorf("lifecycle basis: the rule applied (%v, %v)", err, prov.Defaulted)
	}
}

// TestSmelterSupplyRuleByDataset: a smelter that lists no electricity
// sources is supplied by the Shanxi grid with dataset 2026.1 and, with
// 2026.2 (rule smelter_supply), 66 % by captive coal plants (IAI 2021:
// 343,343 of 520,217 GWh self-generated) and 34 % by the grid.
// Hand-computed on the co2_operational basis, Shanxi 2023: 2026.1:
// EF = 0.6634 (MEE 2023); 2026.2: EF = 0.66 × 0.8273 (the dataset's coal
// power factor, MEE 2023 表5 fossil-only) + 0.34 × 0.6634 = 0.771574.
// A request that lists its sources is unaffected.
func TestSmelterSupplyRuleByDataset(t *testing.T) {
	cat, err := factors.Load()
	if err != nil {
		t.Fatal(err)
	}
	in := fullInput()
	in.Electricity = calc.ElectricityInput{}
	for _, tc := range []struct {
		dataset   string
		wantEF    float64
		defaulted bool
	}{{"2026.1", 0.6634, false}, {"2026.2", 0.66*0.8273 + 0.34*0.6634, true}} { // defaulted: the typical-smelter supply
		ds, _ := cat.Get(tc.dataset)
		r, prov, err := calc.New(ds).Primary(in)
		if err != nil {
			t.Fatalf("%s: %v", tc.dataset, err)
		}
		checkClose(t, tc.dataset+" location-based EF", r.Electricity.EFLocation, tc.wantEF, 1e-12)
		// Both list the sources as defaulted (2026.1: the implicit grid).
		if !slices.Contains(prov.Defaulted, "Electricity.Sources") {
			t.Errorf("%s: Electricity.Sources not defaulted (%v)", tc.dataset, prov.Defaulted)
		}
		warned := slices.ContainsFunc(prov.Warnings, func(w string) bool { return strings.Contains(w, "typical Chinese smelter") })
		if warned != tc.defaulted {
			t.Errorf("%s: typical-smelter warning %v", tc.dataset, warned)
		}
	}
	given := fullInput() // one grid source listed
	ds, _ := cat.Get("2026.2")
	r, _, err := calc.New(ds).Primary(given)
	if err != nil {
		t.Fatal(err)
	}
	checkClose(t, "listed sources, 2026.2", r.Electricity.EFLocation, 0.6634, 1e-12)
}
