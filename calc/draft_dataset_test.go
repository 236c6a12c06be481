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
