package calc_test

import (
	"math"
	"testing"

	"alcarbon/calc"
)

// On-site PV modelled hour by hour inside a supply portfolio: its hourly
// output meets the plant's hourly load first, the excess
// is exported and does not count, and the hourly-matched share is filled.
// Expected values are computed here from Engine.PV's own hourly output (a
// separately tested quantity, see pv_test.go) and the portfolio rules.

// pvpSystem is a 1 MWp array at Taiyuan, 35° south, defaults otherwise.
func pvpSystem(kwp float64) *calc.PVInput {
	in := pvySiteInput("taiyuan", kwp)
	return &in
}

// pvpHourlyMWh runs Engine.PV on its own for the hourly output [MWh].
func pvpHourlyMWh(t *testing.T, in *calc.PVInput) (hourly []float64, annualMWh float64) {
	t.Helper()
	pin := *in
	pin.IncludeHourly = true
	r, _ := mustPV(t, pin)
	hourly = make([]float64, len(r.HourlyACKWh))
	for i, v := range r.HourlyACKWh {
		hourly[i] = v / 1000
	}
	return hourly, r.AnnualACKWh / 1000
}

// pvpUsed returns Σ_h min(pv_h, load_h) and the per-hour used energy.
func pvpUsed(pv, load []float64) (used float64, perHour []float64) {
	perHour = make([]float64, len(pv))
	for i := range pv {
		perHour[i] = math.Min(pv[i], load[i])
		used += perHour[i]
	}
	return used, perHour
}

func pvpFlat(demandMWh float64) []float64 {
	l := make([]float64, calc.HoursPerYear)
	for i := range l {
		l[i] = demandMWh / calc.HoursPerYear
	}
	return l
}

// TestPortfolioOnsitePVFlatLoad: D = 2,000 MWh/yr flat (0.228 MW) against
// a 1 MWp array (≈ 1,250 MWh/yr, noon peaks ≈ 0.8 MW): part of the PV is
// used, the rest exported; the grid (share 1) supplies D − used.
func TestPortfolioOnsitePVFlatLoad(t *testing.T) {
	const demand = 2000.0
	sys := pvpSystem(1000)
	pv, pvAnnual := pvpHourlyMWh(t, sys)
	used, _ := pvpUsed(pv, pvpFlat(demand))
	exported := pvAnnual - used
	grid := demand - used
	if !(exported > 0.1*pvAnnual && used > 0.3*pvAnnual) {
		t.Fatalf("test setup: used %g, exported %g of %g MWh — want both substantial", used, exported, pvAnnual)
	}

	t.Run("operational", func(t *testing.T) {
		r, p := mustElectricity(t, portfolio("CN-SX", 2023, calc.BasisOperational, demand,
			calc.Source{Kind: calc.KindOnsitePV, PV: sys}, gridShare(1)))
		checkClose(t, "PV MWh used", r.Sources[0].MWh, used, 1e-9)
		checkClose(t, "PV MWh exported", r.Sources[0].ExportedMWh, exported, 1e-9)
		checkClose(t, "portfolio exported", r.ExportedMWh, exported, 1e-9)
		checkClose(t, "PV share", r.Sources[0].Share, used/demand, 1e-9)
		checkClose(t, "grid MWh", r.Sources[1].MWh, grid, 1e-9)
		// Solar is 0 t/MWh operational; grid CN-SX 2023 0.6634.
		checkClose(t, "EF location", r.EFLocation, grid*efSX2023/demand, 1e-9)
		checkClose(t, "EF market", r.EFMarket, grid*efSX2023/demand, 1e-9)
		checkClose(t, "renewable location-based", r.RenewableShare.LocationBased, (used+grid*renSX2023)/demand, 1e-9)
		checkClose(t, "renewable market-based", r.RenewableShare.MarketBased, used/demand, 1e-9)
		if r.RenewableShare.HourlyMatched == nil {
			t.Fatal("hourly matched = nil with PV modelled hour by hour")
		}
		checkClose(t, "hourly matched = used / D", *r.RenewableShare.HourlyMatched, used/demand, 1e-9)
		pvr := r.Sources[0].PV
		if pvr == nil {
			t.Fatal("Sources[0].PV = nil")
		}
		checkClose(t, "PV annual AC", pvr.AnnualACKWh/1000, pvAnnual, 1e-12)
		if pvr.HourlyACKWh != nil {
			t.Errorf("PV hourly series returned without IncludeHourly (%d values)", len(pvr.HourlyACKWh))
		}
		if !r.Sources[0].Renewable || r.Sources[0].Technology != "solar" {
			t.Errorf("PV source: renewable %v, technology %q", r.Sources[0].Renewable, r.Sources[0].Technology)
		}
		checkMessage(t, "warning", p.Warnings, "export")
		if _, ok := factorValue(p, "solar_site/taiyuan/ghi_annual"); !ok {
			t.Error("provenance does not list the Taiyuan site")
		}
	})
	t.Run("lifecycle", func(t *testing.T) {
		r, _ := mustElectricity(t, portfolio("CN-SX", 2023, calc.BasisLifecycle, demand,
			calc.Source{Kind: calc.KindOnsitePV, PV: sys}, gridShare(1)))
		// Solar life-cycle 0.0545 on the MWh used only; grid the CN-SX estimate.
		checkClose(t, "EF location", r.EFLocation, (used*solarLC2023+grid*sxLCEstimate)/demand, 1e-9)
	})
	t.Run("hourly series on request", func(t *testing.T) {
		s := *sys
		s.IncludeHourly = true
		r, _ := mustElectricity(t, portfolio("CN-SX", 2023, calc.BasisOperational, demand,
			calc.Source{Kind: calc.KindOnsitePV, PV: &s}, gridShare(1)))
		h := r.Sources[0].PV.HourlyACKWh
		if len(h) != 8760 {
			t.Fatalf("hourly series: %d values, want 8760", len(h))
		}
		for i := range h {
			if math.Abs(h[i]/1000-pv[i]) > 1e-12 {
				t.Fatalf("hour %d: %g kWh, PV alone %g kWh", i, h[i], pv[i]*1000)
			}
		}
	})
}

// TestPortfolioOnsitePVWithWind: PV, a flat wind direct line of R MWh and
// the grid. HM = Σ_h min(D/8760, pv_used_h + R/8760) / D (contracted
// wind without a profile is taken as flat).
func TestPortfolioOnsitePVWithWind(t *testing.T) {
	const demand, wind = 2000.0, 300.0
	sys := pvpSystem(1000)
	pv, _ := pvpHourlyMWh(t, sys)
	flat := pvpFlat(demand)
	used, usedH := pvpUsed(pv, flat)
	var matched float64
	for i := range flat {
		matched += math.Min(flat[i], usedH[i]+wind/8760)
	}
	r, p := mustElectricity(t, portfolio("CN-SX", 2023, calc.BasisOperational, demand,
		calc.Source{Kind: calc.KindOnsitePV, PV: sys},
		calc.Source{Kind: calc.KindDirectLine, Technology: "wind", MWh: f64(wind)},
		gridShare(1)))
	checkClose(t, "PV used", r.Sources[0].MWh, used, 1e-9)
	checkClose(t, "wind", r.Sources[1].MWh, wind, 1e-12)
	checkClose(t, "grid", r.Sources[2].MWh, demand-used-wind, 1e-9)
	checkClose(t, "EF location", r.EFLocation, (demand-used-wind)*efSX2023/demand, 1e-9)
	if r.RenewableShare.HourlyMatched == nil {
		t.Fatal("hourly matched = nil")
	}
	checkClose(t, "hourly matched", *r.RenewableShare.HourlyMatched, matched/demand, 1e-9)
	// Daytime hours are already covered by PV: the flat wind adds less than R/D.
	if !(*r.RenewableShare.HourlyMatched < (used+wind)/demand) {
		t.Errorf("hourly matched %g not below the annual renewable share %g", *r.RenewableShare.HourlyMatched, (used+wind)/demand)
	}
	checkMessage(t, "assumption", p.Assumptions, "flat")
}

// TestPortfolioOnsitePVAboveDemand: a 1 MWp array (≈ 1,250 MWh) against
// D = 500 MWh: at most D is used, the excess exported with a warning, and
// the implicit grid supplies what the PV does not cover hour by hour.
func TestPortfolioOnsitePVAboveDemand(t *testing.T) {
	const demand = 500.0
	sys := pvpSystem(1000)
	pv, pvAnnual := pvpHourlyMWh(t, sys)
	used, _ := pvpUsed(pv, pvpFlat(demand))
	if !(pvAnnual > demand) {
		t.Fatalf("test setup: PV %g MWh not above demand %g", pvAnnual, demand)
	}
	r, p := mustElectricity(t, portfolio("CN-SX", 2023, calc.BasisOperational, demand,
		calc.Source{Kind: calc.KindOnsitePV, PV: sys}))
	checkClose(t, "PV used", r.Sources[0].MWh, used, 1e-9)
	checkClose(t, "exported", r.ExportedMWh, pvAnnual-used, 1e-9)
	if len(r.Sources) != 2 || !r.Sources[1].Implicit {
		t.Fatalf("sources %+v, want PV and the implicit grid", r.Sources)
	}
	checkClose(t, "implicit grid", r.Sources[1].MWh, demand-used, 1e-9)
	checkClose(t, "hourly matched", *r.RenewableShare.HourlyMatched, used/demand, 1e-9)
	checkMessage(t, "warning", p.Warnings, "export")
}

// TestPortfolioTwoPVSystems: PV sources meet the load in list order; the
// second gets only what the first left.
func TestPortfolioTwoPVSystems(t *testing.T) {
	const demand = 2000.0
	a, b := pvpSystem(1000), pvpSystem(500)
	pvA, annualA := pvpHourlyMWh(t, a)
	pvB, annualB := pvpHourlyMWh(t, b)
	flat := pvpFlat(demand)
	usedA, usedAH := pvpUsed(pvA, flat)
	var usedB float64
	for i := range flat {
		usedB += math.Min(pvB[i], flat[i]-usedAH[i])
	}
	r, _ := mustElectricity(t, portfolio("CN-SX", 2023, calc.BasisOperational, demand,
		calc.Source{Kind: calc.KindOnsitePV, PV: a}, calc.Source{Kind: calc.KindOnsitePV, PV: b}, gridShare(1)))
	checkClose(t, "first PV used", r.Sources[0].MWh, usedA, 1e-9)
	checkClose(t, "second PV used", r.Sources[1].MWh, usedB, 1e-9)
	checkClose(t, "second PV exported", r.Sources[1].ExportedMWh, annualB-usedB, 1e-9)
	checkClose(t, "exported", r.ExportedMWh, annualA+annualB-usedA-usedB, 1e-9)
	checkClose(t, "grid", r.Sources[2].MWh, demand-usedA-usedB, 1e-9)
	checkClose(t, "hourly matched", *r.RenewableShare.HourlyMatched, (usedA+usedB)/demand, 1e-9)
}

// TestPortfolioLoadProfile: a load profile shapes D over the hours:
// load_h = D × p_h / Σ p (the portfolio's Load doc), and PV is matched to it.
func TestPortfolioLoadProfile(t *testing.T) {
	const demand = 2000.0
	sys := pvpSystem(1000)
	pv, _ := pvpHourlyMWh(t, sys)

	// 8760: 2 MW from 08:00 to 18:00, 1 MW otherwise, in arbitrary units
	// (only the shape counts).
	p8760 := make([]float64, calc.HoursPerYear)
	var sum float64
	for i := range p8760 {
		p8760[i] = 1
		if h := i % 24; h >= 8 && h < 18 {
			p8760[i] = 2
		}
		sum += p8760[i]
	}
	load := make([]float64, len(p8760))
	for i, v := range p8760 {
		load[i] = demand * v / sum
	}
	used, _ := pvpUsed(pv, load)

	// 24×12 with the same daily shape in every month gives the same hours.
	p24 := make([][]float64, 12)
	for m := range p24 {
		p24[m] = p8760[:24]
	}
	for name, ld := range map[string]*calc.PVLoad{
		"8760":  {Profile8760MW: p8760},
		"24×12": {Profile24x12MW: p24},
	} {
		t.Run(name, func(t *testing.T) {
			in := portfolio("CN-SX", 2023, calc.BasisOperational, demand, calc.Source{Kind: calc.KindOnsitePV, PV: sys}, gridShare(1))
			in.Load = ld
			r, p := mustElectricity(t, in)
			checkClose(t, "PV used", r.Sources[0].MWh, used, 1e-9)
			checkClose(t, "grid", r.Sources[1].MWh, demand-used, 1e-9)
			checkClose(t, "hourly matched", *r.RenewableShare.HourlyMatched, used/demand, 1e-9)
			checkMessage(t, "assumption", p.Assumptions, "scaled to the annual demand")
		})
	}

	t.Run("flat wind against a shaped load, no PV", func(t *testing.T) {
		// HM = Σ_h min(load_h, R/8760) / D.
		const wind = 1500.0
		var matched float64
		for _, l := range load {
			matched += math.Min(l, wind/8760)
		}
		in := portfolio("CN-SX", 2023, calc.BasisOperational, demand,
			calc.Source{Kind: calc.KindDirectLine, Technology: "wind", MWh: f64(wind)}, gridShare(1))
		in.Load = &calc.PVLoad{Profile8760MW: p8760}
		r, _ := mustElectricity(t, in)
		checkClose(t, "hourly matched", *r.RenewableShare.HourlyMatched, matched/demand, 1e-9)
	})
	t.Run("profile summing to zero", func(t *testing.T) {
		in := portfolio("CN-SX", 2023, calc.BasisOperational, demand, calc.Source{Kind: calc.KindOnsitePV, PV: sys}, gridShare(1))
		in.Load = &calc.PVLoad{FlatMW: f64(0)}
		_, _, err := engine(t).Electricity(in)
		wantInputError(t, err, "Electricity.Load", "zero")
	})
}

// TestPortfolioOnsitePVErrors: PV needs annual volumes; its own errors are
// under its pointer in the portfolio.
func TestPortfolioOnsitePVErrors(t *testing.T) {
	t.Run("per-tonne demand", func(t *testing.T) {
		in := portfolio("CN-SX", 2023, calc.BasisOperational, 13.5, calc.Source{Kind: calc.KindOnsitePV, PV: pvpSystem(1000)}, gridShare(1))
		in.AnnualVolumes = false
		_, _, err := engine(t).Electricity(in)
		wantInputError(t, err, "Electricity.Sources[0].PV", "{ProductionT}")
	})
	t.Run("unknown site", func(t *testing.T) {
		sys := pvpSystem(1000)
		sys.Resource.Site = "atlantis"
		_, _, err := engine(t).Electricity(portfolio("CN-SX", 2023, calc.BasisOperational, 2000,
			gridShare(1), calc.Source{Kind: calc.KindOnsitePV, PV: sys}))
		wantInputError(t, err, "Electricity.Sources[1].PV.Resource.Site", "atlantis")
	})
	t.Run("unknown mounting", func(t *testing.T) {
		sys := pvpSystem(1000)
		sys.System.Mounting = "floating"
		_, _, err := engine(t).Electricity(portfolio("CN-SX", 2023, calc.BasisOperational, 2000,
			calc.Source{Kind: calc.KindOnsitePV, PV: sys}, gridShare(1)))
		wantInputError(t, err, "Electricity.Sources[0].PV.System.Mounting", "floating")
	})
}
