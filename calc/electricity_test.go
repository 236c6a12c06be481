package calc_test

import (
	"fmt"
	"testing"

	"alcarbon/calc"
)

// Values typed from factors/data/2026.1/factors.csv (ids in comments); each
// row of that file names its public source (mostly the MEE/NBS electricity
// CO2 factor notices and the MEE/NBS/NEA electricity carbon-footprint ones).
const (
	efSX2023     = 0.6634 // grid/average_co2/CN-SX/2023
	efSX2022     = 0.7096 // grid/average_co2/CN-SX/2022
	efSX2021     = 0.7222 // grid/average_co2/CN-SX/2021
	efNM2023     = 0.6479 // grid/average_co2/CN-NM/2023
	efSD2023     = 0.6191 // grid/average_co2/CN-SD/2023
	efNorth2023  = 0.6361 // grid/average_co2/CN-GRID-NORTH/2023
	efCN2023     = 0.5306 // grid/average_co2/CN/2023
	cfpCN2023    = 0.6205 // grid/average_cfp/CN/2023
	cfpCN2024    = 0.5777 // grid/average_cfp/CN/2024
	exclNF2023   = 0.6096 // grid/excl_market_nonfossil_co2/CN/2023 (表4)
	renSX2023    = 0.200  // grid/renewable_fraction/CN-SX/2023
	renCN2023    = 0.3061 // grid/renewable_fraction/CN/2023
	windLC2023   = 0.0336 // tech/lifecycle/wind/2023
	solarLC2023  = 0.0545 // tech/lifecycle/solar/2023
	coalLC2024   = 0.924  // tech/lifecycle/coal/2024
	coalOp       = 0.8273 // tech/co2_operational/coal (MEE 表5 proxy)
	gasOp        = 0.37   // tech/co2_operational/gas
	kgceMJ       = 29.3076
	coalCC       = 0.02728 // fuel/coal/carbon_content [tC/GJ]
	coalOx       = 0.923   // fuel/coal/oxidation
	sxLCEstimate = cfpCN2023 * efSX2023 / efCN2023
)

// portfolio builds an annual-volume portfolio at /electricity.
func portfolio(region string, year int, basis calc.Basis, demandMWh float64, sources ...calc.Source) calc.ElectricityInput {
	return calc.ElectricityInput{
		Region: region, Year: year, Basis: basis, DemandMWh: demandMWh,
		AnnualVolumes: true, Sources: sources, Path: "Electricity",
	}
}

func gridShare(share float64) calc.Source {
	return calc.Source{Kind: calc.KindGrid, Share: f64(share)}
}

func mustElectricity(t *testing.T, in calc.ElectricityInput) (calc.ElectricityResult, calc.Provenance) {
	t.Helper()
	r, p, err := engine(t).Electricity(in)
	if err != nil {
		t.Fatalf("Electricity: %v", err)
	}
	return r, p
}

// elecWant is a hand-computed portfolio result.
type elecWant struct {
	efLoc, efMkt   float64
	renLoc, renMkt float64
	hourly         *float64 // nil: want nil
	mwh            []float64
}

func checkElectricity(t *testing.T, r calc.ElectricityResult, w elecWant) {
	t.Helper()
	checkClose(t, "EFLocation", r.EFLocation, w.efLoc, tolExact)
	checkClose(t, "EFMarket", r.EFMarket, w.efMkt, tolExact)
	checkClose(t, "RenewableShare.LocationBased", r.RenewableShare.LocationBased, w.renLoc, tolExact)
	checkClose(t, "RenewableShare.MarketBased", r.RenewableShare.MarketBased, w.renMkt, tolExact)
	switch {
	case w.hourly == nil && r.RenewableShare.HourlyMatched != nil:
		t.Errorf("HourlyMatched = %v, want nil", *r.RenewableShare.HourlyMatched)
	case w.hourly != nil && r.RenewableShare.HourlyMatched == nil:
		t.Errorf("HourlyMatched = nil, want %v", *w.hourly)
	case w.hourly != nil:
		checkClose(t, "HourlyMatched", *r.RenewableShare.HourlyMatched, *w.hourly, tolExact)
	}
	if w.mwh != nil {
		if len(r.Sources) != len(w.mwh) {
			t.Fatalf("%d sources in the result, want %d: %+v", len(r.Sources), len(w.mwh), r.Sources)
		}
		var shareSum float64
		for i, m := range w.mwh {
			checkClose(t, fmt.Sprintf("Sources[%d].MWh", i), r.Sources[i].MWh, m, tolExact)
			checkClose(t, fmt.Sprintf("Sources[%d].Share", i), r.Sources[i].Share, m/r.DemandMWh, tolExact)
			shareSum += r.Sources[i].Share
		}
		if r.ExportedMWh == 0 {
			checkClose(t, "Σ source shares", shareSum, 1, tolExact)
		}
	}
}

// Grid location-based EF = the MEE/NBS provincial average CO2 factor of
// that year on co2_operational; with no instruments market = location;
// renewable share location-based = grid MWh × the grid's renewable fraction.
func TestElectricityGridOnlyOperational(t *testing.T) {
	tests := []struct {
		name string
		in   calc.ElectricityInput
	}{
		{"grid share 1, annual", portfolio("CN-SX", 2023, calc.BasisOperational, 1000, gridShare(1))},
		{"implicit grid, annual", portfolio("CN-SX", 2023, calc.BasisOperational, 1000)},
		{"grid share 1, per tonne", calc.ElectricityInput{
			Region: "CN-SX", Year: 2023, Basis: calc.BasisOperational, DemandMWh: 13.561,
			Sources: []calc.Source{gridShare(1)}, Path: "Electricity",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, p := mustElectricity(t, tc.in)
			checkElectricity(t, r, elecWant{
				efLoc: efSX2023, efMkt: efSX2023, // no instruments: market = location
				renLoc: renSX2023, renMkt: 0, hourly: f64(0),
				mwh: []float64{tc.in.DemandMWh},
			})
			if r.Basis != calc.BasisOperational {
				t.Errorf("Basis = %q, want co2_operational", r.Basis)
			}
			if v, ok := factorValue(p, "grid/average_co2/CN-SX/2023"); !ok || v != efSX2023 {
				t.Errorf("provenance grid/average_co2/CN-SX/2023 = %v, %v; want 0.6634 listed", v, ok)
			}
			if len(p.Warnings) != 0 {
				t.Errorf("warnings = %q, want none for a plain grid supply", p.Warnings)
			}
			checkProvenanceComplete(t, p)
		})
	}
}

// On the lifecycle basis a provincial factor is estimated as
// provincial CO2 × national CFP / national CO2 of the same year and flagged
// as an estimate; the nation itself uses the published CFP.
func TestElectricityLifecycleBasis(t *testing.T) {
	tests := []struct {
		name       string
		region     string
		want       float64
		estimateID string // derived factor id, "" when no estimate is made
	}{
		// 0.6205 × 0.6634 / 0.5306 = 0.775800
		{"Shanxi estimate", "CN-SX", cfpCN2023 * efSX2023 / efCN2023, "grid/average_cfp_estimate/CN-SX/2023"},
		// 0.6205 × 0.6361 / 0.5306 (North China regional grid)
		{"North China grid estimate", "CN-GRID-NORTH", cfpCN2023 * efNorth2023 / efCN2023, "grid/average_cfp_estimate/CN-GRID-NORTH/2023"},
		// published national CFP 0.6205, no estimate
		{"national published", "CN", cfpCN2023, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, p := mustElectricity(t, portfolio(tc.region, 2023, calc.BasisLifecycle, 1000, gridShare(1)))
			checkClose(t, "EFLocation", r.EFLocation, tc.want, tolExact)
			checkClose(t, "EFMarket", r.EFMarket, tc.want, tolExact)
			if r.Basis != calc.BasisLifecycle {
				t.Errorf("Basis = %q, want lifecycle", r.Basis)
			}
			if tc.estimateID == "" {
				if hasMessage(p.Warnings, "estimate") {
					t.Errorf("warnings %q flag an estimate for the published national factor", p.Warnings)
				}
				return
			}
			checkMessage(t, "warning", p.Warnings, "estimate", tc.region)
			v, ok := factorValue(p, tc.estimateID)
			if !ok {
				t.Fatalf("provenance lacks the derived factor %s", tc.estimateID)
			}
			checkClose(t, tc.estimateID, v, tc.want, tolExact)
			checkProvenanceComplete(t, p)
		})
	}
}

// Portfolio volumes: fixed volumes first, the remainder split by shares.
// Demand 1000 MWh; captive 600 MWh at 0.95; the remaining 400 MWh split
// grid 0.5 / direct-line wind 0.5, i.e. 200 + 200 MWh.
func TestElectricityFixedVolumesAndShares(t *testing.T) {
	sources := []calc.Source{
		{Kind: calc.KindCaptive, Fuel: "coal", MWh: f64(600), EFtCO2PerMWh: f64(0.95)},
		gridShare(0.5),
		{Kind: calc.KindDirectLine, Technology: "wind", Share: f64(0.5)},
	}
	tests := []struct {
		basis calc.Basis
		want  elecWant
	}{
		{calc.BasisOperational, elecWant{
			// (600 × 0.95 + 200 × 0.6634 + 200 × 0) / 1000 = 0.70268
			efLoc: (600*0.95 + 200*efSX2023 + 200*0) / 1000,
			efMkt: (600*0.95 + 200*efSX2023 + 200*0) / 1000,
			// (200 wind + 200 × 0.200 grid) / 1000 = 0.24
			renLoc: (200 + 200*renSX2023) / 1000,
			// wind only: 200 / 1000
			renMkt: 0.2,
			// flat wind 200 MWh against a flat 1000 MWh load: min(200, 1000)/1000
			hourly: f64(0.2),
			mwh:    []float64{600, 200, 200},
		}},
		{calc.BasisLifecycle, elecWant{
			// captive EF given is used on both bases; grid = Shanxi estimate; wind life-cycle 0.0336
			efLoc:  (600*0.95 + 200*sxLCEstimate + 200*windLC2023) / 1000,
			efMkt:  (600*0.95 + 200*sxLCEstimate + 200*windLC2023) / 1000,
			renLoc: (200 + 200*renSX2023) / 1000,
			renMkt: 0.2,
			hourly: f64(0.2),
			mwh:    []float64{600, 200, 200},
		}},
	}
	for _, tc := range tests {
		t.Run(string(tc.basis), func(t *testing.T) {
			r, _ := mustElectricity(t, portfolio("CN-SX", 2023, tc.basis, 1000, sources...))
			checkElectricity(t, r, tc.want)
			checkClose(t, "Sources[0].EFLocation (captive)", r.Sources[0].EFLocation, 0.95, tolExact)
			if r.Sources[1].Implicit || r.Sources[2].Implicit || len(r.Sources) != 3 {
				t.Errorf("sources = %+v, want the three listed and no implicit grid", r.Sources)
			}
		})
	}
}

// With no share-based source, the remainder after fixed
// volumes comes from the grid of the plant's region.
func TestElectricityImplicitGrid(t *testing.T) {
	r, p := mustElectricity(t, portfolio("CN-SX", 2023, calc.BasisOperational, 1000,
		calc.Source{Kind: calc.KindCaptive, Fuel: "coal", MWh: f64(600), EFtCO2PerMWh: f64(0.95)}))
	checkElectricity(t, r, elecWant{
		// (600 × 0.95 + 400 × 0.6634) / 1000 = 0.83536
		efLoc: (600*0.95 + 400*efSX2023) / 1000, efMkt: (600*0.95 + 400*efSX2023) / 1000,
		renLoc: 400 * renSX2023 / 1000, renMkt: 0, hourly: f64(0),
		mwh: []float64{600, 400},
	})
	g := r.Sources[1]
	if !g.Implicit || g.Kind != calc.KindGrid || g.Region != "CN-SX" {
		t.Errorf("Sources[1] = %+v, want an implicit CN-SX grid source", g)
	}
	checkMessage(t, "assumption", p.Assumptions, "400", "CN-SX grid")

	// A portfolio fully met by fixed volumes gets no implicit grid.
	r, _ = mustElectricity(t, portfolio("CN-SX", 2023, calc.BasisOperational, 1000,
		calc.Source{Kind: calc.KindCaptive, Fuel: "coal", MWh: f64(1000), EFtCO2PerMWh: f64(0.95)}))
	if len(r.Sources) != 1 {
		t.Errorf("sources = %+v, want only the captive plant", r.Sources)
	}
}

// Fixed volumes larger than demand are exported and do not
// count (reported, with a warning); fixed volumes are taken in list order.
func TestElectricityExport(t *testing.T) {
	t.Run("one captive plant above demand", func(t *testing.T) {
		r, p := mustElectricity(t, portfolio("CN-SX", 2023, calc.BasisOperational, 1000,
			calc.Source{Kind: calc.KindCaptive, Fuel: "coal", MWh: f64(1200), EFtCO2PerMWh: f64(0.95)}))
		checkElectricity(t, r, elecWant{efLoc: 0.95, efMkt: 0.95, hourly: f64(0), mwh: []float64{1000}})
		checkClose(t, "ExportedMWh", r.ExportedMWh, 200, tolExact)
		checkClose(t, "Sources[0].ExportedMWh", r.Sources[0].ExportedMWh, 200, tolExact)
		checkMessage(t, "warning", p.Warnings, "200", "exported")
	})
	t.Run("list order decides what is exported", func(t *testing.T) {
		r, _ := mustElectricity(t, portfolio("CN-SX", 2023, calc.BasisOperational, 1000,
			calc.Source{Kind: calc.KindDirectLine, Technology: "wind", MWh: f64(800)},
			calc.Source{Kind: calc.KindCaptive, Fuel: "coal", MWh: f64(500), EFtCO2PerMWh: f64(0.95)}))
		// wind 800 MWh, captive 200 used and 300 exported: (800 × 0 + 200 × 0.95) / 1000 = 0.19
		checkElectricity(t, r, elecWant{
			efLoc: 0.19, efMkt: 0.19, renLoc: 0.8, renMkt: 0.8, hourly: f64(0.8),
			mwh: []float64{800, 200},
		})
		checkClose(t, "Sources[1].ExportedMWh", r.Sources[1].ExportedMWh, 300, tolExact)
		checkClose(t, "ExportedMWh", r.ExportedMWh, 300, tolExact)
	})
	t.Run("share sources get nothing", func(t *testing.T) {
		r, p := mustElectricity(t, portfolio("CN-SX", 2023, calc.BasisOperational, 1000,
			calc.Source{Kind: calc.KindCaptive, Fuel: "coal", MWh: f64(1100), EFtCO2PerMWh: f64(0.95)},
			gridShare(1)))
		checkElectricity(t, r, elecWant{efLoc: 0.95, efMkt: 0.95, hourly: f64(0), mwh: []float64{1000, 0}})
		checkMessage(t, "warning", p.Warnings, "supply 0 MWh")
	})
}

// Shares of the share-based sources must sum to 1.
func TestElectricitySharesMustSumToOne(t *testing.T) {
	tests := []struct {
		name   string
		shares []float64
		sum    string
	}{
		{"0.5 + 0.3", []float64{0.5, 0.3}, "0.8"},
		{"0.6 + 0.6", []float64{0.6, 0.6}, "1.2"},
		{"one source at 0.9", []float64{0.9}, "0.9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var src []calc.Source
			for _, s := range tc.shares {
				src = append(src, calc.Source{Kind: calc.KindDirectLine, Technology: "wind", Share: f64(s)})
			}
			_, _, err := engine(t).Electricity(portfolio("CN-SX", 2023, calc.BasisOperational, 1000, src...))
			wantInputError(t, err, "Electricity.Sources", "sum to 1", tc.sum)
		})
	}
	// Within 1e-6 of 1 is accepted (floating-point input such as 0.1 + 0.2 + 0.7).
	_, _, err := engine(t).Electricity(portfolio("CN-SX", 2023, calc.BasisOperational, 1000,
		gridShare(0.1), gridShare(0.2), gridShare(0.7)))
	if err != nil {
		t.Errorf("shares 0.1 + 0.2 + 0.7: %v", err)
	}
}

// Certificates (1 GEC = 1 MWh, 发改能源〔2023〕1044号) set the market-based
// factor of the grid MWh they cover to 0 and do not change the
// location-based one.
func TestElectricityCertificates(t *testing.T) {
	captive600 := calc.Source{Kind: calc.KindCaptive, Fuel: "coal", MWh: f64(600), EFtCO2PerMWh: f64(0.95)}
	t.Run("cover part of the grid", func(t *testing.T) {
		in := portfolio("CN-SX", 2023, calc.BasisOperational, 1000, gridShare(1))
		in.CertificatesMWh = f64(300)
		r, p := mustElectricity(t, in)
		checkElectricity(t, r, elecWant{
			efLoc:  efSX2023,                       // unchanged
			efMkt:  (1000 - 300) * efSX2023 / 1000, // 700 uncovered MWh × 0.6634 / 1000 = 0.46438
			renLoc: renSX2023, renMkt: 0.3,         // 300 certificates / 1000
			hourly: f64(0), // certificates are not hourly supply
			mwh:    []float64{1000},
		})
		checkClose(t, "CertificatesAppliedMWh", r.CertificatesAppliedMWh, 300, tolExact)
		checkClose(t, "Sources[0].CertificatesMWh", r.Sources[0].CertificatesMWh, 300, tolExact)
		checkMessage(t, "assumption", p.Assumptions, "GEC")
		checkMessage(t, "warning", p.Warnings, "residual")
	})
	t.Run("capped at the grid MWh", func(t *testing.T) {
		in := portfolio("CN-SX", 2023, calc.BasisOperational, 1000, captive600)
		in.CertificatesMWh = f64(1000)
		r, p := mustElectricity(t, in)
		checkElectricity(t, r, elecWant{
			// location: (600 × 0.95 + 400 × 0.6634) / 1000; market: the 400 grid MWh are all covered
			efLoc: (600*0.95 + 400*efSX2023) / 1000, efMkt: 600 * 0.95 / 1000,
			renLoc: 400 * renSX2023 / 1000, renMkt: 0.4,
			hourly: f64(0), mwh: []float64{600, 400},
		})
		checkClose(t, "CertificatesAppliedMWh", r.CertificatesAppliedMWh, 400, tolExact)
		checkMessage(t, "warning", p.Warnings, "exceed", "400")
	})
	t.Run("split over two grids by MWh", func(t *testing.T) {
		in := portfolio("CN-SX", 2023, calc.BasisOperational, 1000,
			gridShare(0.5), calc.Source{Kind: calc.KindGrid, Region: "CN-NM", Share: f64(0.5)})
		in.CertificatesMWh = f64(500)
		r, _ := mustElectricity(t, in)
		checkElectricity(t, r, elecWant{
			// 500 MWh each; 250 certificates each
			efLoc:  (500*efSX2023 + 500*efNM2023) / 1000,
			efMkt:  (250*efSX2023 + 250*efNM2023) / 1000,
			renLoc: (500*renSX2023 + 500*renCN2023) / 1000, // no CN-NM fraction: national
			renMkt: 0.5, hourly: f64(0), mwh: []float64{500, 500},
		})
		checkClose(t, "Sources[1].CertificatesMWh", r.Sources[1].CertificatesMWh, 250, tolExact)
	})
	t.Run("no grid MWh", func(t *testing.T) {
		in := portfolio("CN-SX", 2023, calc.BasisOperational, 1000,
			calc.Source{Kind: calc.KindCaptive, Fuel: "coal", MWh: f64(1000), EFtCO2PerMWh: f64(0.95)})
		in.CertificatesMWh = f64(100)
		_, _, err := engine(t).Electricity(in)
		wantInputError(t, err, "Electricity.CertificatesMWh", "no grid")
	})
	t.Run("per-tonne demand", func(t *testing.T) {
		in := portfolio("CN-SX", 2023, calc.BasisOperational, 13.561, gridShare(1))
		in.AnnualVolumes = false
		in.CertificatesMWh = f64(100)
		_, _, err := engine(t).Electricity(in)
		wantInputError(t, err, "Electricity.CertificatesMWh", "{ProductionT}")
	})
	t.Run("fixed volume with per-tonne demand", func(t *testing.T) {
		in := portfolio("CN-SX", 2023, calc.BasisOperational, 13.561, captive600)
		in.AnnualVolumes = false
		_, _, err := engine(t).Electricity(in)
		wantInputError(t, err, "Electricity.Sources[0].MWh", "{ProductionT}")
	})
}

// A green contract is grid power location-based and its technology's power
// market-based (GHG Protocol Scope 2 Guidance, 2015: dual reporting); it is
// renewable market-based only.
func TestElectricityGreenContract(t *testing.T) {
	wind := func(share float64, region string) calc.Source {
		return calc.Source{Kind: calc.KindGreenContract, Technology: "wind", Share: f64(share), Region: region}
	}
	tests := []struct {
		name    string
		basis   calc.Basis
		sources []calc.Source
		want    elecWant
	}{
		{"operational", calc.BasisOperational, []calc.Source{gridShare(0.6), wind(0.4, "")}, elecWant{
			efLoc: efSX2023,                      // all 1000 MWh are Shanxi grid power
			efMkt: (600*efSX2023 + 400*0) / 1000, // wind operational 0
			// location: every MWh is grid, × 0.200 (the contract is not counted as such)
			renLoc: 1000 * renSX2023 / 1000,
			renMkt: 0.4, hourly: f64(0.4), mwh: []float64{600, 400},
		}},
		{"lifecycle", calc.BasisLifecycle, []calc.Source{gridShare(0.6), wind(0.4, "")}, elecWant{
			efLoc:  sxLCEstimate,
			efMkt:  (600*sxLCEstimate + 400*windLC2023) / 1000,
			renLoc: renSX2023, renMkt: 0.4, hourly: f64(0.4), mwh: []float64{600, 400},
		}},
		{"delivered over the Inner Mongolia grid", calc.BasisOperational, []calc.Source{gridShare(0.6), wind(0.4, "CN-NM")}, elecWant{
			efLoc:  (600*efSX2023 + 400*efNM2023) / 1000,
			efMkt:  600 * efSX2023 / 1000,
			renLoc: (600*renSX2023 + 400*renCN2023) / 1000,
			renMkt: 0.4, hourly: f64(0.4), mwh: []float64{600, 400},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, p := mustElectricity(t, portfolio("CN-SX", 2023, tc.basis, 1000, tc.sources...))
			checkElectricity(t, r, tc.want)
			gc := r.Sources[1]
			if !gc.Renewable {
				t.Errorf("green contract for wind: Renewable = false")
			}
			checkMessage(t, "warning", p.Warnings, "residual")
		})
	}
	t.Run("non-renewable contract", func(t *testing.T) {
		r, p := mustElectricity(t, portfolio("CN-SX", 2023, calc.BasisOperational, 1000,
			gridShare(0.6), calc.Source{Kind: calc.KindGreenContract, Technology: "coal", Share: f64(0.4)}))
		checkElectricity(t, r, elecWant{
			efLoc: efSX2023, efMkt: (600*efSX2023 + 400*coalOp) / 1000,
			renLoc: renSX2023, renMkt: 0, hourly: f64(0), mwh: []float64{600, 400},
		})
		checkMessage(t, "warning", p.Warnings, "not renewable")
	})
}

// Grid factors of a missing year fall back to the latest earlier year with
// a warning; a year before the first published one is an input error.
func TestElectricityYears(t *testing.T) {
	tests := []struct {
		year    int
		want    float64
		warning string // "" when no fallback warning is expected
	}{
		{2021, efSX2021, ""},
		{2022, efSX2022, ""},
		{2023, efSX2023, ""},
		{2025, efSX2023, "2023"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.year), func(t *testing.T) {
			r, p := mustElectricity(t, portfolio("CN-SX", tc.year, calc.BasisOperational, 1000, gridShare(1)))
			checkClose(t, "EFLocation", r.EFLocation, tc.want, tolExact)
			if tc.warning != "" {
				checkMessage(t, "warning", p.Warnings, "average_co2", fmt.Sprint(tc.year), tc.warning)
			} else if hasMessage(p.Warnings, "latest earlier") {
				t.Errorf("warnings = %q, want no year fallback", p.Warnings)
			}
		})
	}
	t.Run("2019 operational", func(t *testing.T) {
		_, _, err := engine(t).Electricity(portfolio("CN-SX", 2019, calc.BasisOperational, 1000, gridShare(1)))
		wantInputError(t, err, "Year", "2019", "2021, 2022, 2023")
	})
	t.Run("2022 lifecycle", func(t *testing.T) {
		// MEE's carbon-footprint factors start with 2023.
		_, _, err := engine(t).Electricity(portfolio("CN-SX", 2022, calc.BasisLifecycle, 1000, gridShare(1)))
		wantInputError(t, err, "Year", "2022", "2023")
	})
}

// The provincial life-cycle estimate takes all its factors from one year: a
// lifecycle request for a year without a provincial CO2 factor must not
// scale a later national CFP by an earlier CO2 ratio.
func TestElectricityLifecycleEstimateSameYear(t *testing.T) {
	r, _, err := engine(t).Electricity(portfolio("CN-SX", 2024, calc.BasisLifecycle, 1000, gridShare(1)))
	if err != nil {
		t.Fatalf("Electricity: %v", err)
	}
	// The provincial CO2 factor falls back to 2023, so the same-year ratio
	// is the 2023 one: 0.6205 × 0.6634 / 0.5306 = 0.775800.
	want := cfpCN2023 * efSX2023 / efCN2023
	checkClose(t, "EFLocation", r.EFLocation, want, tolExact)
}

func TestElectricityUnknownRegion(t *testing.T) {
	tests := []struct {
		name    string
		in      calc.ElectricityInput
		pointer string
	}{
		{"plant region, Tibet has no factor", portfolio("CN-XZ", 2023, calc.BasisOperational, 1000, gridShare(1)), "Region"},
		{"plant region, implicit grid", portfolio("XX", 2023, calc.BasisOperational, 1000), "Region"},
		{"grid source region", portfolio("CN-SX", 2023, calc.BasisOperational, 1000,
			calc.Source{Kind: calc.KindGrid, Region: "CN-ZZ", Share: f64(1)}), "Electricity.Sources[0].Region"},
		{"green contract region", portfolio("CN-SX", 2023, calc.BasisOperational, 1000,
			gridShare(0.5), calc.Source{Kind: calc.KindGreenContract, Technology: "wind", Region: "CN-ZZ", Share: f64(0.5)}), "Electricity.Sources[1].Region"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := engine(t).Electricity(tc.in)
			wantInputError(t, err, tc.pointer, "unknown region")
		})
	}
}

// Uncovered grid MWh in the market-based result may use the national
// factor excluding market-traded non-fossil electricity (MEE/NBS 表4).
func TestElectricityResidualMix(t *testing.T) {
	tests := []struct {
		name     string
		certs    *float64
		mix      string
		ef       *float64
		wantMkt  float64
		provided string // factor id expected in provenance
	}{
		// 700 uncovered MWh × 0.6096 / 1000 = 0.42672
		{"表4 with 300 certificates", f64(300), calc.ResidualNationalExcludingMarketNonfossil, nil, 700 * exclNF2023 / 1000, "grid/excl_market_nonfossil_co2/CN/2023"},
		// all 1000 MWh uncovered
		{"表4 without certificates", nil, calc.ResidualNationalExcludingMarketNonfossil, nil, exclNF2023, "grid/excl_market_nonfossil_co2/CN/2023"},
		// the user's residual factor 0.7: 700 × 0.7 / 1000 = 0.49
		{"given residual factor", f64(300), "", f64(0.7), 0.49, ""},
		// default: grid average for uncovered MWh, 700 × 0.6634 / 1000
		{"grid average", f64(300), calc.ResidualGridAverage, nil, 700 * efSX2023 / 1000, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := portfolio("CN-SX", 2023, calc.BasisOperational, 1000, gridShare(1))
			in.CertificatesMWh, in.ResidualMix, in.ResidualEF = tc.certs, tc.mix, tc.ef
			r, p := mustElectricity(t, in)
			checkClose(t, "EFLocation", r.EFLocation, efSX2023, tolExact)
			checkClose(t, "EFMarket", r.EFMarket, tc.wantMkt, tolExact)
			if tc.provided != "" {
				if _, ok := factorValue(p, tc.provided); !ok {
					t.Errorf("provenance lacks %s", tc.provided)
				}
			}
		})
	}
}

// The national 表4 factor used for uncovered grid MWh is always flagged
// (China publishes no residual mix; 表4 only stands in for one), whether or
// not the portfolio holds instruments.
func TestElectricityResidualMixIsFlagged(t *testing.T) {
	tests := []struct {
		name  string
		certs *float64
	}{
		{"with certificates", f64(300)},
		{"without instruments", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := portfolio("CN-SX", 2023, calc.BasisOperational, 1000, gridShare(1))
			in.ResidualMix = calc.ResidualNationalExcludingMarketNonfossil
			in.CertificatesMWh = tc.certs
			r, p := mustElectricity(t, in)
			if !hasMessage(p.Warnings, "excluding market-traded") {
				t.Errorf("no warning names the national factor excluding market-traded non-fossil electricity; warnings %q", p.Warnings)
			}
			// Uncovered grid MWh at the national 表4 factor (0.6096, 2023):
			// (1000 − certificates) × 0.6096 / 1000.
			covered := 0.0
			if tc.certs != nil {
				covered = *tc.certs
			}
			checkClose(t, "EFMarket", r.EFMarket, (1000-covered)*exclNF2023/1000, tolExact)
		})
	}
}

// A captive coal plant's EF from its coal use: b [g ce/kWh] × 29.3076
// MJ/kgce × coal CO2 per GJ (27.28 tC/TJ × 0.923 × 44/12, NDRC 2007).
func TestElectricityCaptive(t *testing.T) {
	coalPerGJ := coalCC * coalOx * co2PerC
	tests := []struct {
		name     string
		basis    calc.Basis
		src      calc.Source
		want     float64
		warning  string
		defaults bool
	}{
		{"302.4 gce/kWh operational", calc.BasisOperational,
			calc.Source{Kind: calc.KindCaptive, Fuel: "coal", CoalGCEPerKWh: f64(302.4), Share: f64(1)},
			302.4 * kgceMJ / 1000 * coalPerGJ, "", false}, // = 0.818238
		{"302.4 gce/kWh lifecycle (combustion CO2 on both bases)", calc.BasisLifecycle,
			calc.Source{Kind: calc.KindCaptive, Fuel: "coal", CoalGCEPerKWh: f64(302.4), Share: f64(1)},
			302.4 * kgceMJ / 1000 * coalPerGJ, "", false},
		{"340 gce/kWh subcritical", calc.BasisOperational,
			calc.Source{Kind: calc.KindCaptive, Fuel: "coal", CoalGCEPerKWh: f64(340), Share: f64(1)},
			340 * kgceMJ / 1000 * coalPerGJ, "", false},
		{"EF given wins over coal use", calc.BasisOperational,
			calc.Source{Kind: calc.KindCaptive, Fuel: "coal", CoalGCEPerKWh: f64(302.4), EFtCO2PerMWh: f64(1.05), Share: f64(1)},
			1.05, "", false},
		{"coal default operational (MEE 表5 proxy)", calc.BasisOperational,
			calc.Source{Kind: calc.KindCaptive, Fuel: "coal", Share: f64(1)}, coalOp, "own figure", true},
		{"gas default operational", calc.BasisOperational,
			calc.Source{Kind: calc.KindCaptive, Fuel: "gas", Share: f64(1)}, gasOp, "own figure", true},
		{"coal default lifecycle (2024 factor, no 2023 one)", calc.BasisLifecycle,
			calc.Source{Kind: calc.KindCaptive, Fuel: "coal", Share: f64(1)}, coalLC2024, "2024", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, p := mustElectricity(t, portfolio("CN-SX", 2023, tc.basis, 1000, tc.src))
			checkElectricity(t, r, elecWant{efLoc: tc.want, efMkt: tc.want, hourly: f64(0), mwh: []float64{1000}})
			if tc.warning != "" {
				checkMessage(t, "warning", p.Warnings, tc.warning)
			}
			isDefaulted := hasMessage(p.Defaulted, "Electricity.Sources[0].EFtCO2PerMWh")
			if isDefaulted != tc.defaults {
				t.Errorf("Defaulted = %q; want /electricity/sources/0/ef_tco2_per_mwh listed: %v", p.Defaulted, tc.defaults)
			}
		})
	}
	// Literal anchor, CoalPowerEF test: 0.818238 t/MWh.
	r, _ := mustElectricity(t, portfolio("CN-SX", 2023, calc.BasisOperational, 1000,
		calc.Source{Kind: calc.KindCaptive, Fuel: "coal", CoalGCEPerKWh: f64(302.4), Share: f64(1)}))
	checkAbs(t, "captive EF at 302.4 gce/kWh", r.EFLocation, 0.818238, 0.000001)
}

// The location-based renewable share counts grid MWh × the grid's
// renewable fraction: Shanxi's own 2023 value (0.200), else the national
// one (0.3061), flagged.
func TestElectricityRenewableShareLocation(t *testing.T) {
	tests := []struct {
		region  string
		want    float64
		warning bool
	}{
		{"CN-SX", renSX2023, false},
		{"CN-SD", renCN2023, true},
		{"CN", renCN2023, false},
	}
	for _, tc := range tests {
		t.Run(tc.region, func(t *testing.T) {
			r, p := mustElectricity(t, portfolio(tc.region, 2023, calc.BasisOperational, 1000, gridShare(1)))
			checkClose(t, "RenewableShare.LocationBased", r.RenewableShare.LocationBased, tc.want, tolExact)
			checkClose(t, "RenewableShare.MarketBased", r.RenewableShare.MarketBased, 0, tolExact)
			if got := hasMessage(p.Warnings, "national value"); got != tc.warning {
				t.Errorf("national-value warning present = %v, want %v (warnings %q)", got, tc.warning, p.Warnings)
			}
		})
	}
	// Shandong's grid factor is its own (0.6191) even though its renewable
	// fraction is the national one.
	r, _ := mustElectricity(t, portfolio("CN-SD", 2023, calc.BasisOperational, 1000, gridShare(1)))
	checkClose(t, "CN-SD EFLocation", r.EFLocation, efSD2023, tolExact)
}

// Hourly-matched share: min(R, D)/D for flat renewable supply
// (direct lines, contracts), unknown (nil) for PV given as annual MWh.
func TestElectricityHourlyMatchedAndOnsitePV(t *testing.T) {
	pv := calc.Source{Kind: calc.KindOnsitePV, MWh: f64(100)}
	t.Run("onsite PV operational", func(t *testing.T) {
		r, p := mustElectricity(t, portfolio("CN-SX", 2023, calc.BasisOperational, 1000, pv))
		checkElectricity(t, r, elecWant{
			// PV 0 operational; implicit grid 900 MWh
			efLoc: 900 * efSX2023 / 1000, efMkt: 900 * efSX2023 / 1000,
			renLoc: (100 + 900*renSX2023) / 1000, renMkt: 0.1,
			hourly: nil, mwh: []float64{100, 900},
		})
		checkMessage(t, "assumption", p.Assumptions, "hourly", "PV")
	})
	t.Run("onsite PV lifecycle", func(t *testing.T) {
		r, _ := mustElectricity(t, portfolio("CN-SX", 2023, calc.BasisLifecycle, 1000, pv))
		checkElectricity(t, r, elecWant{
			// PV life-cycle 0.0545 (MEE CFP 2023)
			efLoc: (100*solarLC2023 + 900*sxLCEstimate) / 1000, efMkt: (100*solarLC2023 + 900*sxLCEstimate) / 1000,
			renLoc: (100 + 900*renSX2023) / 1000, renMkt: 0.1,
			hourly: nil, mwh: []float64{100, 900},
		})
	})
	t.Run("flat direct lines", func(t *testing.T) {
		r, _ := mustElectricity(t, portfolio("CN-SX", 2023, calc.BasisOperational, 1000,
			calc.Source{Kind: calc.KindDirectLine, Technology: "wind", MWh: f64(300)},
			calc.Source{Kind: calc.KindDirectLine, Technology: "hydro", MWh: f64(200)}))
		// min(500, 1000) / 1000
		checkElectricity(t, r, elecWant{
			efLoc: 500 * efSX2023 / 1000, efMkt: 500 * efSX2023 / 1000,
			renLoc: (500 + 500*renSX2023) / 1000, renMkt: 0.5,
			hourly: f64(0.5), mwh: []float64{300, 200, 500},
		})
	})
	t.Run("direct line above demand", func(t *testing.T) {
		r, _ := mustElectricity(t, portfolio("CN-SX", 2023, calc.BasisOperational, 1000,
			calc.Source{Kind: calc.KindDirectLine, Technology: "wind", MWh: f64(1200)}))
		// 200 MWh exported; min(1000, 1000) / 1000
		checkElectricity(t, r, elecWant{renLoc: 1, renMkt: 1, hourly: f64(1), mwh: []float64{1000}})
	})
	t.Run("non-renewable direct line", func(t *testing.T) {
		r, p := mustElectricity(t, portfolio("CN-SX", 2023, calc.BasisOperational, 1000,
			calc.Source{Kind: calc.KindDirectLine, Technology: "coal", Share: f64(1)}))
		checkElectricity(t, r, elecWant{efLoc: coalOp, efMkt: coalOp, hourly: f64(0), mwh: []float64{1000}})
		if !hasMessage(p.Defaulted, "Electricity.Sources[0].EFtCO2PerMWh") {
			t.Errorf("Defaulted = %q, want the direct line's EF listed", p.Defaulted)
		}
	})
	t.Run("direct line with its own factor", func(t *testing.T) {
		r, _ := mustElectricity(t, portfolio("CN-SX", 2023, calc.BasisLifecycle, 1000,
			calc.Source{Kind: calc.KindDirectLine, Technology: "gas", EFtCO2PerMWh: f64(0.42), Share: f64(1)}))
		checkElectricity(t, r, elecWant{efLoc: 0.42, efMkt: 0.42, hourly: f64(0), mwh: []float64{1000}})
	})
}

func TestElectricityInvalidSources(t *testing.T) {
	tests := []struct {
		name    string
		in      calc.ElectricityInput
		pointer string
		detail  string
	}{
		{"unknown technology", portfolio("CN-SX", 2023, calc.BasisOperational, 1000,
			calc.Source{Kind: calc.KindDirectLine, Technology: "tidal", Share: f64(1)}), "Electricity.Sources[0].Technology", "tidal"},
		{"unknown kind", portfolio("CN-SX", 2023, calc.BasisOperational, 1000,
			calc.Source{Kind: "battery", Share: f64(1)}), "Electricity.Sources[0].Kind", "battery"},
		{"captive without fuel or factor", portfolio("CN-SX", 2023, calc.BasisOperational, 1000,
			calc.Source{Kind: calc.KindCaptive, Share: f64(1)}), "Electricity.Sources[0].Fuel", "unknown technology"},
		{"zero demand", portfolio("CN-SX", 2023, calc.BasisOperational, 0, gridShare(1)), "Electricity", "positive"},
		{"negative demand", portfolio("CN-SX", 2023, calc.BasisOperational, -5, gridShare(1)), "Electricity", "positive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := engine(t).Electricity(tc.in)
			wantInputError(t, err, tc.pointer, tc.detail)
		})
	}
}

func BenchmarkElectricity(b *testing.B) {
	e := engine(b)
	in := portfolio("CN-SX", 2023, calc.BasisLifecycle, 4_068_300,
		calc.Source{Kind: calc.KindCaptive, Fuel: "coal", MWh: f64(2_000_000), CoalGCEPerKWh: f64(320)},
		calc.Source{Kind: calc.KindOnsitePV, MWh: f64(150_000)},
		calc.Source{Kind: calc.KindDirectLine, Technology: "wind", Share: f64(0.4)},
		gridShare(0.6))
	in.CertificatesMWh = f64(300_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := e.Electricity(in); err != nil {
			b.Fatal(err)
		}
	}
}
