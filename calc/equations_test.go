package calc_test

import (
	"testing"

	"alcarbon/calc"
)

func TestCarbonToCO2(t *testing.T) {
	// Molar masses C 12, O 16: CO2/C = 44/12 = 3.6667 (IPCC 2006 Vol.3 Ch.4).
	checkAbs(t, "CarbonToCO2", calc.CarbonToCO2, 3.6667, 0.00005)
}

func TestAnodeCO2(t *testing.T) {
	tests := []struct {
		name              string
		nac, sulphur, ash float64
		want              float64 // hand-computed from IPCC 2006 Eq. 4.21
		note, noteAbs     float64 // rounded figure quoted in the case comment, 0 if none
	}{
		{
			name: "China default NAC 0.411", nac: 0.411, sulphur: 0.02, ash: 0.004,
			// 0.411 (China guideline default NAC) × (1 − 0.02 − 0.004) × 44/12 ≈ 1.471
			want: 0.411 * (1 - 0.02 - 0.004) * 44 / 12, note: 1.471, noteAbs: 0.0005,
		},
		{
			name: "NAC 0.400", nac: 0.400, sulphur: 0.02, ash: 0.004,
			// 0.400 × 0.976 × 44/12 ≈ 1.431
			want: 0.400 * 0.976 * 44 / 12, note: 1.431, noteAbs: 0.0005,
		},
		{
			name: "NAC 0.45, S 3 %, ash 0.5 %", nac: 0.45, sulphur: 0.03, ash: 0.005,
			// 0.45 × 0.965 × 44/12 = 1.59225
			want: 1.59225,
		},
		{
			name: "pure carbon", nac: 0.3,
			// 0.3 × 44/12 = 1.1 exactly
			want: 1.1,
		},
		{name: "no consumption", nac: 0, sulphur: 0.02, ash: 0.004, want: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := calc.AnodeCO2(tc.nac, tc.sulphur, tc.ash)
			checkClose(t, "AnodeCO2", got, tc.want, tolExact)
			if tc.note != 0 {
				checkAbs(t, "AnodeCO2 vs rounded figure", got, tc.note, tc.noteAbs)
			}
		})
	}
}

func TestPitchVolatilesCO2(t *testing.T) {
	// Per t baked anode, with the dataset's green/baked ratio 1.055 (GHG Protocol
	// aluminium workbook v2.0 via AMEE pitchCooking) and H_w = 0.005 × GA
	// (40 CFR 98 Table F-2).
	const ga = 1.055
	tests := []struct {
		name           string
		ga, hw, ba, wt float64
		want           float64 // hand-computed from IPCC 2006 Eq. 4.22
	}{
		{
			name: "non-Riedhammer, no waste tar", ga: ga, hw: 0.005 * ga, ba: 1, wt: 0,
			// (1.055 − 0.005275 − 1 − 0) × 44/12 = 0.049725 × 44/12 = 0.182325
			want: 0.182325,
		},
		{
			name: "Riedhammer, WT = 0.005 × GA", ga: ga, hw: 0.005 * ga, ba: 1, wt: 0.005 * ga,
			// (1.055 − 0.005275 − 1 − 0.005275) × 44/12 = 0.04445 × 44/12 = 0.16298333
			want: 0.04445 * 44 / 12,
		},
		{name: "no volatiles", ga: 1.005, hw: 0.005, ba: 1, wt: 0, want: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkClose(t, "PitchVolatilesCO2", calc.PitchVolatilesCO2(tc.ga, tc.hw, tc.ba, tc.wt), tc.want, tolExact)
		})
	}
}

func TestPackingCokeCO2(t *testing.T) {
	tests := []struct {
		name            string
		pcc, ba, s, ash float64
		want            float64 // hand-computed from IPCC 2006 Eq. 4.23
	}{
		{
			// PCC 0.015 (40 CFR 98 Table F-2), S_pc 2 %, Ash_pc 2.5 % (GHG
			// Protocol aluminium workbook v2.0 via AMEE): 0.015 × 1 × 0.955 × 44/12 = 0.052525
			name: "defaults, 1 t baked anode", pcc: 0.015, ba: 1, s: 0.02, ash: 0.025, want: 0.052525,
		},
		{name: "2 t baked anode", pcc: 0.015, ba: 2, s: 0.02, ash: 0.025, want: 0.10505},
		{name: "pure coke", pcc: 0.03, ba: 1, want: 0.11},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkClose(t, "PackingCokeCO2", calc.PackingCokeCO2(tc.pcc, tc.ba, tc.s, tc.ash), tc.want, tolExact)
		})
	}
}

func TestSlopeCF4(t *testing.T) {
	// Expected values from the CBAM form (IR 2025/2547 Annex II B.7,
	// slope method): CF4 [t] = AEM × SEF/1000 × Pr_Al, turned
	// into kg per t Al for a 250,000 t/yr smelter.
	const prAl = 250000.0
	tests := []struct {
		name     string
		aem, sef float64
	}{
		{"PFPB modern (CBAM 0.104), AEM 0.05", 0.05, 0.104},
		{"CWPB (0.143), AEM 0.05", 0.05, 0.143},
		{"SWPB IPCC (0.272), AEM 1.2", 1.2, 0.272},
		{"no anode effects", 0, 0.143},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cf4T := tc.aem * tc.sef / 1000 * prAl
			want := cf4T * 1000 / prAl
			checkClose(t, "SlopeCF4", calc.SlopeCF4(tc.aem, tc.sef), want, tolExact)
		})
	}
	// One literal anchor: 0.104 × 0.05 = 0.0052 kg CF4/t Al.
	checkClose(t, "SlopeCF4(0.05, 0.104)", calc.SlopeCF4(0.05, 0.104), 0.0052, tolExact)
}

func TestOvervoltageCF4(t *testing.T) {
	// Expected values from Commission Regulation (EU) 601/2012 Annex IV
	// §8 B (same form in IR 2025/2547 Annex II B.7):
	// CF4 [t] = OVC × (AEO/CE) × Pr_Al × 0.001 with CE in percent. The
	// function takes CE as a fraction.
	const prAl = 250000.0
	tests := []struct {
		name         string
		ovc, aeo, ce float64 // ce as a fraction
		cePercent    float64 // the same, typed in percent
	}{
		{"CWPB 1.16, AEO 2 mV, CE 94 %", 1.16, 2, 0.94, 94},
		{"SWPB 3.65, AEO 1.5 mV, CE 90 %", 3.65, 1.5, 0.90, 90},
		{"no overvoltage", 1.16, 0, 0.95, 95},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cf4T := tc.ovc * (tc.aeo / tc.cePercent) * prAl * 0.001
			want := cf4T * 1000 / prAl
			checkClose(t, "OvervoltageCF4", calc.OvervoltageCF4(tc.ovc, tc.aeo, tc.ce), want, tolExact)
		})
	}
	// Literal anchor: 1.16 × 2 / 94 = 0.024680851 kg CF4/t Al.
	checkClose(t, "OvervoltageCF4(1.16, 2, 0.94)", calc.OvervoltageCF4(1.16, 2, 0.94), 0.024680851063829787, tolExact)
}

func TestGasCO2e(t *testing.T) {
	tests := []struct {
		name    string
		kg, gwp float64
		want    float64 // t CO2e = kg × GWP / 1000
	}{
		// China default CF4 0.034 kg/t × AR5 6630 = 0.22542 t (China aluminium-smelting GHG guideline)
		{"CF4 China default AR5", 0.034, 6630, 0.22542},
		// C2F6 0.0034 kg/t × AR5 11100 = 0.03774 t
		{"C2F6 China default AR5", 0.0034, 11100, 0.03774},
		// CWPB Tier 1 CF4 0.4 × 6630 = 2.652 t
		{"CF4 Tier 1 CWPB AR5", 0.4, 6630, 2.652},
		{"1 t of CO2", 1000, 1, 1},
		{"nothing", 0, 6630, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkClose(t, "GasCO2e", calc.GasCO2e(tc.kg, tc.gwp), tc.want, tolExact)
		})
	}
}

func TestFuelCO2PerUnit(t *testing.T) {
	// NCV, carbon content and oxidation typed from factors.csv (China
	// MEE guideline Appendix A; raw coal: NDRC 2007, Hindawi 2014 Table 2).
	tests := []struct {
		name          string
		ncv, cc, ox   float64
		want          float64 // hand-computed NCV × CC × OF × 44/12
		note, noteAbs float64 // the same, rounded as in the case comment
	}{
		// rounded: 21.65 t per 10^4 Nm3 = 2.165 kg/Nm3 = 0.002165 t/Nm3
		{"natural gas [t/Nm3]", 0.038931, 0.01532, 0.99, 0.038931 * 0.01532 * 0.99 * 44 / 12, 0.002165, 0.0000005},
		// rounded: 3.096 t/t
		{"diesel [t/t]", 42.652, 0.0202, 0.98, 42.652 * 0.0202 * 0.98 * 44 / 12, 3.096, 0.0005},
		// rounded: 3.170 t/t
		{"fuel oil [t/t]", 41.816, 0.0211, 0.98, 41.816 * 0.0211 * 0.98 * 44 / 12, 3.170, 0.0005},
		// rounded: 3.212 t/t
		{"petroleum coke [t/t]", 32.5, 0.0275, 0.98, 32.5 * 0.0275 * 0.98 * 44 / 12, 3.212, 0.0005},
		// NDRC 2007 raw coal, rounded: 1.774 t/t
		{"raw coal [t/t]", 19.214, 0.02728, 0.923, 19.214 * 0.02728 * 0.923 * 44 / 12, 1.774, 0.0005},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := calc.FuelCO2PerUnit(tc.ncv, tc.cc, tc.ox)
			checkClose(t, "FuelCO2PerUnit", got, tc.want, tolExact)
			checkAbs(t, "FuelCO2PerUnit vs rounded figure", got, tc.note, tc.noteAbs)
			// Per unit = NCV × per GJ.
			checkClose(t, "NCV × FuelCO2PerGJ", tc.ncv*calc.FuelCO2PerGJ(tc.cc, tc.ox), tc.want, tolExact)
		})
	}
}

func TestKgceToGJ(t *testing.T) {
	// GB/T 2589: 1 kgce = 29.3076 MJ.
	tests := []struct {
		kgce, want float64
	}{
		{1000, 29.3076},
		{230, 6.740748}, // GB 25324-2022 baking grade 3: 230 × 29.3076 / 1000
		{0, 0},
	}
	for _, tc := range tests {
		checkClose(t, "KgceToGJ", calc.KgceToGJ(tc.kgce, 29.3076), tc.want, tolExact)
	}
}

func TestCoalPowerEF(t *testing.T) {
	// 302.4 g ce/kWh (CEC 《中国电力行业年度发展报告2025》, national 2024).
	chinaCoal := 0.02728 * 0.923 * 44 / 12 // NDRC 2007 raw coal: 27.28 tC/TJ × 92.3 % × 44/12 [t CO2/GJ]
	tests := []struct {
		name          string
		gce, coalEF   float64
		want          float64
		note, noteAbs float64
	}{
		{
			// 0.3024 kgce/kWh × 29.3076 MJ/kgce × 0.0923246 t CO2/GJ = 0.8182 t/MWh
			name: "China coal factor", gce: 302.4, coalEF: chinaCoal,
			want: 302.4 * 29.3076 / 1000 * chinaCoal,
		},
		{
			// factors.csv power/coal_co2_per_kwh/CN/2024: 0.3024 × 29.3076 ×
			// 94.6 tCO2/TJ (IPCC 2006 Vol. 2 default, other bituminous coal) ≈ 0.838
			name: "IPCC other bituminous coal", gce: 302.4, coalEF: 0.0946,
			want: 302.4 * 29.3076 / 1000 * 0.0946, note: 0.838, noteAbs: 0.0005,
		},
		{
			// subcritical unit, 330 g ce/kWh
			name: "subcritical 330 gce/kWh", gce: 330, coalEF: chinaCoal,
			want: 330 * 29.3076 / 1000 * chinaCoal,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := calc.CoalPowerEF(tc.gce, 29.3076, tc.coalEF)
			checkClose(t, "CoalPowerEF", got, tc.want, tolExact)
			if tc.note != 0 {
				checkAbs(t, "CoalPowerEF vs rounded figure", got, tc.note, tc.noteAbs)
			}
		})
	}
	// Literal anchor: 8.86261824 GJ/MWh × 0.0923246133 t/GJ = 0.818238 t/MWh.
	checkAbs(t, "CoalPowerEF(302.4, China coal)", calc.CoalPowerEF(302.4, 29.3076, chinaCoal), 0.818238, 0.000001)
}

func TestProvincialLifecycleEstimate(t *testing.T) {
	// MEE publishes the life-cycle (CFP) factor nationally only, so a provincial
	// one is estimated: EF_lc,p = EF_lc,CN × EF_co2,p / EF_co2,CN, same year.
	tests := []struct {
		name                string
		lc, prov, nat, want float64
	}{
		// 0.6205 (CFP 2023) × 0.6634 (Shanxi CO2 2023) / 0.5306 (national CO2 2023) = 0.77580
		{"Shanxi 2023", 0.6205, 0.6634, 0.5306, 0.6205 * 0.6634 / 0.5306},
		// Yunnan 2023: 0.6205 × 0.1333 / 0.5306 = 0.15588
		{"Yunnan 2023", 0.6205, 0.1333, 0.5306, 0.6205 * 0.1333 / 0.5306},
		// a province at the national average gets the national life-cycle factor
		{"national average", 0.6205, 0.5306, 0.5306, 0.6205},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkClose(t, "ProvincialLifecycleEstimate", calc.ProvincialLifecycleEstimate(tc.lc, tc.prov, tc.nat), tc.want, tolExact)
		})
	}
	checkAbs(t, "Shanxi 2023 estimate", calc.ProvincialLifecycleEstimate(0.6205, 0.6634, 0.5306), 0.77580, 0.000005)
}

func TestGrade(t *testing.T) {
	// GB 21346-2022 Table 1, 铝液交流电耗: 12,950 / 13,000 / 13,350 kWh/t
	// (grades 1 / 2 / 3). A value exactly at a limit is in that
	// grade; above grade 3 is 0 (non-compliant).
	liquidAC := [3]float64{12950, 13000, 13350}
	tests := []struct {
		value float64
		want  int
	}{
		{0, 1},
		{12000, 1},
		{12950, 1},
		{12950.01, 2},
		{13000, 2},
		{13000.5, 3},
		{13350, 3},
		{13350.01, 0},
		{13351, 0},
		{20000, 0},
	}
	for _, tc := range tests {
		if got := calc.Grade(tc.value, liquidAC); got != tc.want {
			t.Errorf("Grade(%v, %v) = %d, want %d", tc.value, liquidAC, got, tc.want)
		}
	}
	// Bayer comprehensive alumina energy, 340 / 390 / 460 kgce/t.
	bayer := [3]float64{340, 390, 460}
	for _, tc := range []struct {
		value float64
		want  int
	}{{340, 1}, {341, 2}, {390, 2}, {391, 3}, {460, 3}, {461, 0}} {
		if got := calc.Grade(tc.value, bayer); got != tc.want {
			t.Errorf("Grade(%v, %v) = %d, want %d", tc.value, bayer, got, tc.want)
		}
	}
}
