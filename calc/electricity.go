package calc

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"alcarbon/factors"
)

// Basis is the kind of electricity emission factor a calculation uses.
type Basis string

// The two electricity bases. They are different quantities;
// the dataset's factors of one basis are never mixed with the other's. A
// factor the user gives (a captive plant's or direct line's EF, a residual
// EF) is used as given on either basis, and the result says so.
const (
	// BasisOperational uses the MEE/NBS average CO2 factors: combustion CO2
	// at the generator, renewables zero. Enterprise reporting and CBAM.
	BasisOperational Basis = "co2_operational"
	// BasisLifecycle uses the MEE electricity carbon-footprint factors and
	// per-technology life-cycle factors (ISO 14067 / GB/T 24067 product
	// footprints).
	BasisLifecycle Basis = "lifecycle"
)

// SourceKind is a kind of electricity supply.
type SourceKind string

// The supply kinds: the grid, the plant's own (captive) plants, on-site PV,
// dedicated direct lines and green contracts delivered over the grid.
const (
	KindGrid          SourceKind = "grid"
	KindCaptive       SourceKind = "captive"
	KindOnsitePV      SourceKind = "onsite_pv"
	KindDirectLine    SourceKind = "direct_line"
	KindGreenContract SourceKind = "green_contract"
)

// SourceKinds lists every supply kind, for validation messages.
var SourceKinds = []SourceKind{KindGrid, KindCaptive, KindOnsitePV, KindDirectLine, KindGreenContract}

// Technologies lists the generation technologies with dataset factors.
var Technologies = []string{"coal", "gas", "hydro", "nuclear", "wind", "solar", "csp", "biomass"}

// renewableTech says which technologies count as renewable.
var renewableTech = map[string]bool{"hydro": true, "wind": true, "solar": true, "csp": true, "biomass": true}

// Residual-mix choices for grid MWh not covered by certificates.
const (
	ResidualGridAverage                      = "grid_average"
	ResidualNationalExcludingMarketNonfossil = "national_excluding_market_nonfossil"
	// ResidualRegionalEstimate scales the region's grid average by the
	// national ratio of the 表4 factor to the national average (an
	// estimate: China publishes 表4 nationally only).
	ResidualRegionalEstimate = "regional_excluding_market_nonfossil_estimate"
)

// ResidualMixes lists the residual-mix choices.
var ResidualMixes = []string{ResidualGridAverage, ResidualNationalExcludingMarketNonfossil, ResidualRegionalEstimate}

// residualReplacesGrid reports whether uncovered grid MWh take a residual
// factor other than the grid average.
func residualReplacesGrid(in ElectricityInput) bool {
	return in.ResidualEF != nil || (in.ResidualMix != "" && in.ResidualMix != ResidualGridAverage)
}

// Source is one electricity supply of a plant. Exactly one of Share and
// MWh is set (the API validates it).
type Source struct {
	Kind SourceKind
	Name string
	// Share is a fraction of the demand left after fixed volumes.
	Share *float64
	// MWh is a fixed annual volume [MWh/yr].
	MWh *float64
	// Region of a grid source or of the grid a green contract is delivered
	// over; empty means the plant's region.
	Region string
	// Fuel of a captive plant: "coal" or "gas".
	Fuel string
	// Technology of a direct line or green contract (see Technologies).
	Technology string
	// EFtCO2PerMWh overrides the dataset factor of a captive plant or
	// direct line [t CO2/MWh].
	EFtCO2PerMWh *float64
	// CoalGCEPerKWh is a coal captive plant's specific coal consumption
	// [g ce/kWh], converted to an EF when EFtCO2PerMWh is not given.
	CoalGCEPerKWh *float64
	// PV is an on-site PV system whose hourly output meets the plant's
	// hourly load first (instead of Share or MWh).
	PV *PVInput
}

// ElectricityInput is a plant's electricity demand and supply portfolio.
type ElectricityInput struct {
	Region string
	Year   int
	Basis  Basis
	// DemandMWh is the annual demand D [MWh/yr]. When AnnualVolumes is
	// false it is the demand of one tonne of product [MWh/t] and fixed
	// volumes and certificates are not allowed.
	DemandMWh     float64
	AnnualVolumes bool
	Sources       []Source
	// CertificatesMWh are unbundled green certificates (GEC, 1 = 1 MWh).
	CertificatesMWh *float64
	// ResidualMix names the factor for grid MWh not covered by
	// certificates in the market-based result; ResidualEF overrides it.
	ResidualMix string
	// residualByRule is set when the engine chose ResidualMix by the
	// dataset's rule (applyResidualRule), not the request.
	residualByRule bool
	ResidualEF     *float64
	// Load shapes the demand over the 8760 hours (scaled to DemandMWh);
	// nil means flat, as a smelter's potlines run.
	Load *PVLoad
	// Path is the Go path of the portfolio in the caller's input
	// ("Electricity" in a PrimaryInput, "" when it is the input), the
	// prefix of the paths in its errors, defaults and uncertain inputs.
	Path string
}

// SourceResult is one source's part of the supply.
type SourceResult struct {
	Kind            SourceKind
	Name            string
	Technology      string
	Region          string
	Implicit        bool // added by the engine to cover the remainder
	MWh             float64
	ExportedMWh     float64
	Share           float64 // of demand
	EFLocation      float64 // t CO2(e)/MWh
	EFMarket        float64
	CertificatesMWh float64 // certificates applied to this source
	Renewable       bool
	RenewableMWhLoc float64 // renewable MWh counted in the location-based share
	// PV is the yield of an on-site PV system modelled hour by hour.
	PV *PVResult
}

// RenewableShare holds three renewable shares: location-based (physical
// renewable MWh, the grid at its renewable fraction), market-based
// (contracts and certificates count) and hourly-matched (24/7 carbon-free
// energy: only supply in the same hour as the load counts).
type RenewableShare struct {
	LocationBased float64
	MarketBased   float64
	// HourlyMatched is nil when an on-site PV source is given as annual MWh
	// or share (no hourly profile); direct lines and contracts without a
	// profile are taken as flat.
	HourlyMatched *float64
}

// ElectricityResult is the portfolio's emission factors and shares.
type ElectricityResult struct {
	Basis                  Basis
	DemandMWh              float64
	EFLocation             float64 // t CO2(e)/MWh of demand
	EFMarket               float64
	RenewableShare         RenewableShare
	Sources                []SourceResult
	CertificatesAppliedMWh float64
	ExportedMWh            float64
	// Annual is the supply's emissions over a year (factor × annual
	// demand), nil when the demand is per unit of product.
	Annual *AnnualEmissions
}

// Electricity computes a supply portfolio on its own (POST /v1/electricity).
func (e *Engine) Electricity(in ElectricityInput) (ElectricityResult, Provenance, error) {
	return e.ElectricityWithPVMemo(nil, in, nil)
}

// AnnualEmissions are a plant's emissions over a year [t CO2(e)/yr],
// location- and market-based.
type AnnualEmissions struct {
	LocationBased, MarketBased float64
}

// annualEmissions is a footprint [t CO2e/t] × the annual production
// [t/yr]; nil when the production is not given.
func annualEmissions(loc, mkt float64, productionT *float64) *AnnualEmissions {
	if productionT == nil {
		return nil
	}
	return &AnnualEmissions{LocationBased: loc * *productionT, MarketBased: mkt * *productionT}
}

// volumeUnit names the unit of volumes in this portfolio.
func volumeUnit(in ElectricityInput) string {
	if in.AnnualVolumes {
		return "MWh/yr"
	}
	return "MWh per unit of product"
}

// residualLabel describes the factor used for uncovered grid MWh.
func residualLabel(in ElectricityInput) string {
	const regional = "the region's grid average scaled by the national ratio of the factor excluding market-traded non-fossil electricity (MEE/NBS 表4) to the national average, an estimate (表4 is published nationally only)"
	const national = "the national factor excluding market-traded non-fossil electricity (MEE/NBS 表4)"
	byRule := "this dataset's default when certificates or green contracts are claimed (GHG Protocol Scope 2 Guidance quality criteria: a residual mix, not the grid average); " + fieldRefIn(in.Path, "ResidualMix") + " \"grid_average\" selects the grid average instead"
	switch {
	case in.ResidualEF != nil:
		return fmt.Sprintf("the residual factor given (%.4g t/MWh)", *in.ResidualEF)
	case in.residualByRule && in.ResidualMix == ResidualRegionalEstimate:
		return regional + ", " + byRule
	case in.residualByRule:
		return national + ", " + byRule
	case in.ResidualMix == ResidualNationalExcludingMarketNonfossil:
		return national + ", as chosen"
	case in.ResidualMix == ResidualRegionalEstimate:
		return regional + ", as chosen"
	}
	// The portfolio of an electricity request and of a plant's: constants.
	const before, after = "the grid average (GHG Protocol Scope 2 Guidance, quality criterion 8); ", " \"national_excluding_market_nonfossil\" selects the national factor excluding market-traded non-fossil electricity instead"
	switch in.Path {
	case "":
		return before + "{ResidualMix}" + after
	case "Electricity":
		return before + "{Electricity.ResidualMix}" + after
	}
	return before + fieldRefIn(in.Path, "ResidualMix") + after
}

// sourceFactors fills a source's location- and market-based factors and
// renewable attributes, and returns the renewable fraction of the grid a
// grid source or green contract is delivered over (0 for other kinds).
func sourceFactors(l *ledger, in ElectricityInput, s Source, sr *SourceResult, ptr string) (float64, error) {
	switch sr.Kind {
	case KindGrid, KindGreenContract:
		region := s.Region
		if region == "" {
			region = in.Region
		}
		sr.Region = region
		regionPtr := "Region"
		if s.Region != "" {
			regionPtr = joinPath(ptr, "Region")
		}
		ef, err := gridEF(l, region, in.Year, in.Basis, regionPtr)
		if err != nil {
			return 0, err
		}
		frac, err := gridRenewableFraction(l, region, in.Year)
		if err != nil {
			return 0, err
		}
		sr.EFLocation = ef
		if sr.Kind == KindGrid {
			mkt, err := residualEF(l, in, ef, ptr)
			if err != nil {
				return 0, err
			}
			sr.EFMarket = mkt
			return frac, nil
		}
		// A green contract is physically grid power (location-based) and
		// contractually its technology's power (market-based).
		tef, err := technologyEF(l, s.Technology, in.Basis, in.Year, joinPath(ptr, "Technology"))
		if err != nil {
			return 0, err
		}
		sr.EFMarket = tef
		sr.Renewable = renewableTech[s.Technology]
		if !sr.Renewable {
			l.warn("green_contract_not_renewable", Params{"source": sourceIndex(ptr), "technology": s.Technology}, "green contract %d is for %s, which is not renewable", sourceIndex(ptr), s.Technology)
		}
		l.assume("green contracts count as grid electricity in the location-based result and as their technology in the market-based result")
		return frac, nil
	case KindCaptive:
		ef, err := captiveEF(l, in, s, ptr)
		if err != nil {
			return 0, err
		}
		sr.EFLocation, sr.EFMarket = ef, ef
		sr.Technology = s.Fuel
		return 0, nil
	case KindOnsitePV:
		ef, err := technologyEF(l, "solar", in.Basis, in.Year, ptr)
		if err != nil {
			return 0, err
		}
		sr.EFLocation, sr.EFMarket = ef, ef
		sr.Technology = "solar"
		sr.Renewable = true
		return 0, nil
	case KindDirectLine:
		var ef float64
		if s.EFtCO2PerMWh != nil {
			ef = *s.EFtCO2PerMWh
			l.assume("direct line %d: the emission factor given (%.4g t/MWh) is used for both bases", sourceIndex(ptr), ef)
		} else {
			var err error
			if ef, err = technologyEF(l, s.Technology, in.Basis, in.Year, joinPath(ptr, "Technology")); err != nil {
				return 0, err
			}
			l.defaulted(joinPath(ptr, "EFtCO2PerMWh"))
		}
		sr.EFLocation, sr.EFMarket = ef, ef
		sr.Renewable = renewableTech[s.Technology]
		return 0, nil
	}
	return 0, unknownValue(joinPath(ptr, "Kind"), "source_kind", string(sr.Kind), nil, "unknown source kind %q; allowed: %s", sr.Kind, kindList())
}

func kindList() string {
	s := make([]string, len(SourceKinds))
	for i, k := range SourceKinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// sourceIndex extracts the source index from a path "….Sources[3]".
func sourceIndex(p string) int { return pathIndex(p) }

// captiveEF returns a captive plant's factor: given, from its coal
// consumption, or the dataset's technology default.
func captiveEF(l *ledger, in ElectricityInput, s Source, ptr string) (float64, error) {
	if s.EFtCO2PerMWh != nil {
		l.assume("captive plant %d: the emission factor given (%.4g t/MWh) is used for both bases", sourceIndex(ptr), *s.EFtCO2PerMWh)
		return *s.EFtCO2PerMWh, nil
	}
	if s.CoalGCEPerKWh != nil {
		mj, err := l.factor("energy/kgce_mj")
		if err != nil {
			return 0, err
		}
		coal, err := fuelCO2PerGJ(l, "coal")
		if err != nil {
			return 0, err
		}
		ef := CoalPowerEF(*s.CoalGCEPerKWh, mj, coal)
		if _, ok := l.ds.Factor(coalUpstreamID); !ok {
			// Datasets before 2026.2 have no coal upstream factor.
			l.assume("captive plant %d: EF = %.4g g ce/kWh × %.4f MJ/kgce × coal factor %.5f t CO2/GJ = %.4f t CO2/MWh (combustion CO2 only, used for both bases)", sourceIndex(ptr), *s.CoalGCEPerKWh, mj, coal, ef)
			return ef, nil
		}
		return captiveCoalEF(l, in.Basis, sourceIndex(ptr), *s.CoalGCEPerKWh, mj, coal, ef)
	}
	l.defaulted(joinPath(ptr, "EFtCO2PerMWh"))
	l.warn("captive_ef_default", Params{"source": sourceIndex(ptr), "fuel": s.Fuel}, "captive plant %d has no emission factor or coal consumption; the dataset's %s-power default is used — give the plant's own figure", sourceIndex(ptr), s.Fuel)
	return technologyEF(l, s.Fuel, in.Basis, in.Year, joinPath(ptr, "Fuel"))
}

// coalUpstreamID is the dataset's upstream emissions of coal (mining,
// mine methane) per GJ of coal burnt, where the dataset has it (2026.2 on).
const coalUpstreamID = "power/coal_upstream/co2e_per_gj"

// captiveCoalEF returns a coal captive plant's factor from its coal
// consumption: combustion CO2 (combustionEF) on the operational basis; on
// the lifecycle basis plus the coal's upstream emissions,
//
//	EF_life = EF_comb + gce/kWh × MJ/kgce / 1000 [GJ coal/MWh] × upstream [t CO2e/GJ]
//
// so that better data (the plant's own coal use) does not drop the coal
// chain that the dataset's life-cycle coal factor includes.
func captiveCoalEF(l *ledger, basis Basis, i int, gcePerKWh, mjPerKgce, coalTCO2PerGJ, combustionEF float64) (float64, error) {
	if basis != BasisLifecycle {
		l.assume("captive plant %d: EF = %.4g g ce/kWh × %.4f MJ/kgce × coal factor %.5f t CO2/GJ = %.4f t CO2/MWh (combustion CO2, the operational basis)", i, gcePerKWh, mjPerKgce, coalTCO2PerGJ, combustionEF)
		return combustionEF, nil
	}
	up, err := l.factor(coalUpstreamID)
	if err != nil {
		return 0, err
	}
	gjPerMWh := gcePerKWh * mjPerKgce / 1000
	ef := combustionEF + gjPerMWh*up
	l.assume("captive plant %d: EF = combustion %.4f t CO2/MWh (%.4g g ce/kWh × %.4f MJ/kgce × coal factor %.5f t CO2/GJ) + coal upstream %.4g GJ/MWh × %.4g t CO2e/GJ (mining and mine methane) = %.4f t CO2e/MWh on the lifecycle basis", i, combustionEF, gcePerKWh, mjPerKgce, coalTCO2PerGJ, gjPerMWh, up, ef)
	return ef, nil
}

// fuelCO2PerGJ returns a fuel's CO2 factor per GJ from the dataset's carbon
// content and oxidation fraction, recording the derived value.
func fuelCO2PerGJ(l *ledger, fuel string) (float64, error) {
	cc, err := l.factor(factorID("fuel", fuel, "carbon_content"))
	if err != nil {
		return 0, err
	}
	ox, err := l.factor(factorID("fuel", fuel, "oxidation"))
	if err != nil {
		return 0, err
	}
	ef := FuelCO2PerGJ(cc, ox)
	l.derived(factorID("fuel", fuel, "co2_per_gj"), ef, "tCO2/GJ", "carbon content × oxidation × 44/12")
	return ef, nil
}

// fuelCO2PerUnit returns a fuel's CO2 factor per unit of fuel (Nm3 or t).
func fuelCO2PerUnit(l *ledger, fuel string) (float64, error) {
	ncv, err := l.factor(factorID("fuel", fuel, "ncv"))
	if err != nil {
		return 0, err
	}
	cc, err := l.factor(factorID("fuel", fuel, "carbon_content"))
	if err != nil {
		return 0, err
	}
	ox, err := l.factor(factorID("fuel", fuel, "oxidation"))
	if err != nil {
		return 0, err
	}
	return FuelCO2PerUnit(ncv, cc, ox), nil
}

// latestOnOrBefore returns the latest year in years (ascending) that is not
// after year, and whether there is one.
func latestOnOrBefore(years []int, year int) (int, bool) {
	best, ok := 0, false
	for _, y := range years {
		if y <= year {
			best, ok = y, true
		}
	}
	return best, ok
}

func yearList(years []int) string {
	s := make([]string, len(years))
	for i, y := range years {
		s[i] = strconv.Itoa(y)
	}
	return strings.Join(s, ", ")
}

// electricityRow looks up a grid row for the latest year not after year,
// warning when it is not year itself.
func electricityRow(l *ledger, kind, region string, year int, ptr string) (factors.Factor, error) {
	years := l.ds.ElectricityYears(kind, region)
	y, ok := latestOnOrBefore(years, year)
	if !ok {
		if len(years) == 0 {
			e := fieldError(ptr, "the dataset has no %s factor for region %s", kind, region)
			e.Fields[0].Code, e.Fields[0].Params = "no_factor", map[string]any{"kind": kind, "region": region}
			return factors.Factor{}, e
		}
		e := fieldError(ptr, "the dataset has no %s factor for %s in or before %d; it has %s", kind, region, year, yearList(years))
		e.Fields[0].Code, e.Fields[0].Params = "no_factor", map[string]any{"kind": kind, "region": region, "year": year}
		return factors.Factor{}, e
	}
	f, _ := l.ds.Electricity(kind, region, y)
	if y != year {
		l.warn("grid_factor_year_fallback", Params{"kind": kind, "region": region, "year": year, "used_year": y}, "no %s factor for %s in %d; the latest earlier one (%d) is used", kind, region, year, y)
	}
	l.use(f)
	return f, nil
}

// gridEF returns the location-based factor of a region's grid on a basis.
// On the lifecycle basis a provincial value is estimated with
// ProvincialLifecycleEstimate, because MEE publishes the carbon-footprint
// factor nationally only.
// regionPtr is the Go path of the field that named the region.
func gridEF(l *ledger, region string, year int, basis Basis, regionPtr string) (float64, error) {
	if _, ok := l.ds.Region(region); !ok {
		return 0, unknownValue(regionPtr, "region", region, nil, "unknown region %q; GET /v1/grid-factors lists the regions", region)
	}
	co2, err := electricityRow(l, "average_co2", region, year, "Year")
	if err != nil {
		return 0, err
	}
	if basis == BasisOperational {
		return co2.Value, nil
	}
	if region == "CN" {
		cfp, err := electricityRow(l, "average_cfp", "CN", year, "Year")
		if err != nil {
			return 0, err
		}
		return cfp.Value, nil
	}
	// The ratio national life-cycle / national CO2 is taken in the year of
	// the provincial CO2 factor used, so the three values are of one year.
	cfp, err := electricityRow(l, "average_cfp", "CN", co2.Year, "Year")
	if err != nil {
		return 0, err
	}
	nat, err := electricityRow(l, "average_co2", "CN", co2.Year, "Year")
	if err != nil {
		return 0, err
	}
	if cfp.Year != co2.Year {
		l.warn("lifecycle_factor_year_fallback", Params{"year": co2.Year, "used_year": cfp.Year, "co2_year": co2.Year, "region": region}, "no national life-cycle factor for %d; the %d one is used with the %d CO2 factors for the %s estimate", co2.Year, cfp.Year, co2.Year, region)
	}
	ef := ProvincialLifecycleEstimate(cfp.Value, co2.Value, nat.Value)
	l.derived(fmt.Sprintf("grid/average_cfp_estimate/%s/%d", region, co2.Year), ef, "tCO2e/MWh",
		fmt.Sprintf("estimate, not published: national carbon-footprint factor %d (%.4f) × %s CO2 factor %d (%.4f) / national CO2 factor %d (%.4f)",
			cfp.Year, cfp.Value, region, co2.Year, co2.Value, nat.Year, nat.Value))
	l.warn("lifecycle_provincial_estimate", Params{"region": region}, "MEE publishes the electricity carbon-footprint (life-cycle) factor nationally only; the %s value is an estimate (national life-cycle factor scaled by the provincial/national CO2 factor ratio)", region)
	return ef, nil
}

// gridRenewableFraction returns the renewable fraction of a region's grid:
// the region's own value if the dataset has one, else the national one.
func gridRenewableFraction(l *ledger, region string, year int) (float64, error) {
	const kind = "renewable_fraction"
	for _, r := range []string{region, "CN"} {
		years := l.ds.ElectricityYears(kind, r)
		if len(years) == 0 {
			continue
		}
		y, ok := latestOnOrBefore(years, year)
		if !ok {
			y = years[0]
		}
		f, _ := l.ds.Electricity(kind, r, y)
		l.use(f)
		if r != region {
			l.warn("renewable_fraction_national", Params{"region": region}, "the dataset has no renewable fraction for %s; the national value is used for its grid", region)
		}
		if y != year {
			l.warn("renewable_fraction_year_fallback", Params{"region": r, "year": year, "used_year": y}, "no grid renewable fraction for %s in %d; %d is used", r, year, y)
		}
		return f.Value, nil
	}
	return 0, &DataError{ID: "grid/renewable_fraction/CN"}
}

// residualEF returns the market-based factor of grid MWh not covered by
// certificates.
func residualEF(l *ledger, in ElectricityInput, gridAverage float64, ptr string) (float64, error) {
	if in.ResidualEF != nil {
		return *in.ResidualEF, nil
	}
	if !residualReplacesGrid(in) {
		return gridAverage, nil
	}
	path := joinPath(in.Path, "ResidualMix")
	f, err := electricityRow(l, "excl_market_nonfossil_co2", "CN", in.Year, path)
	if err != nil {
		return 0, err
	}
	if in.Basis == BasisLifecycle {
		l.warn("residual_operational_on_lifecycle", nil, "the national factor excluding market-traded non-fossil electricity is an operational CO2 factor; on the lifecycle basis it understates upstream emissions of the grid MWh it is applied to")
	}
	if in.ResidualMix != ResidualRegionalEstimate || in.Region == "CN" {
		return f.Value, nil
	}
	nat, err := electricityRow(l, "average_co2", "CN", f.Year, path)
	if err != nil {
		return 0, err
	}
	ef := RegionalResidualEstimate(gridAverage, f.Value, nat.Value)
	l.derived(fmt.Sprintf("grid/excl_market_nonfossil_estimate/%s/%d", in.Region, f.Year), ef, "tCO2/MWh",
		fmt.Sprintf("estimate, not published: %s grid average (%.4g) × national 表4 factor %d (%.4g) / national average %d (%.4g)", in.Region, gridAverage, f.Year, f.Value, nat.Year, nat.Value))
	return ef, nil
}

// technologyEF returns the dataset factor of a generation technology on a
// basis: operational CO2 (no year) or life-cycle for the latest year not
// after year (the earliest available if none).
func technologyEF(l *ledger, tech string, basis Basis, year int, ptr string) (float64, error) {
	known := false
	for _, t := range Technologies {
		known = known || t == tech
	}
	if !known {
		return 0, unknownValue(ptr, "technology", tech, Technologies, "unknown technology %q; allowed: %s", tech, strings.Join(Technologies, ", "))
	}
	if basis == BasisOperational {
		return l.factor("tech/co2_operational/" + tech)
	}
	// Life-cycle factors carry a vintage: the latest not after year, else
	// the earliest after it (bounded search over map lookups).
	id := func(y int) string { return fmt.Sprintf("tech/lifecycle/%s/%d", tech, y) }
	y, found := 0, false
	for c := year; c >= year-50 && !found; c-- {
		_, found = l.ds.Factor(id(c))
		y = c
	}
	for c := year + 1; c <= year+50 && !found; c++ {
		_, found = l.ds.Factor(id(c))
		y = c
	}
	if !found {
		return 0, &DataError{ID: "tech/lifecycle/" + tech}
	}
	if y != year {
		l.warn("technology_lifecycle_year_fallback", Params{"technology": tech, "year": year, "used_year": y}, "no life-cycle factor for %s power in %d; %d is used", tech, year, y)
	}
	return l.factor(fmt.Sprintf("tech/lifecycle/%s/%d", tech, y))
}

// hourlyMatched returns the hourly-matched renewable share (the 24/7
// carbon-free energy score):
//
//	HM = Σ_h min(load_h, renewable_h) / Σ_h load_h
//
// counting on-site PV (hour by hour), direct-line and contracted renewable
// supply; a direct line or contract without a profile is taken as flat. It
// returns nil when an on-site PV source has no hourly profile (given as MWh
// or share), since its match depends on the hour. out lists the sources of
// the portfolio at Go path p first, in order.
func hourlyMatched(l *ledger, out []SourceResult, p string, demand float64, h *hourlySupply) *float64 {
	var flat float64
	flatRenewables := false
	for i, sr := range out {
		if sr.Kind == KindOnsitePV && sr.PV == nil && sr.MWh > 0 {
			// One concatenation: the placeholder {p.Sources[i].PV}.
			sep := "."
			if p == "" {
				sep = ""
			}
			l.assumeText("hourly-matched share not computed: on-site PV given as annual MWh or share has no hourly profile; give its system ({" + p + sep + "Sources[" + strconv.Itoa(i) + "].PV}) instead")
			return nil
		}
		if sr.Renewable && sr.PV == nil && sr.MWh > 0 {
			flat += sr.MWh
			flatRenewables = true
		}
	}
	if flatRenewables {
		l.assume("direct-line and contracted renewable supply without a profile is taken as flat over the 8,760 hours of the year")
	}
	if h == nil {
		// Flat load and flat supply: Σ_h min(D/8760, R/8760) = min(D, R).
		v := math.Min(flat, demand) / demand
		return &v
	}
	var matched float64
	perHour := flat / HoursPerYear
	for i, ld := range h.loadMWh {
		matched += math.Min(ld, h.pvUsedMWh[i]+perHour)
	}
	v := matched / demand
	return &v
}

// applyResidualRule sets the residual mix of a portfolio that claims
// certificates or green contracts and names no residual mix or factor to
// the dataset's rule (factors.RuleResidualMixWithInstruments), recording
// the default. Datasets without the rule keep the grid average, and so
// does the lifecycle basis: the 表4 factor is an operational CO2 factor,
// and the bases are not mixed by default.
func applyResidualRule(l *ledger, in *ElectricityInput) {
	rule := l.ds.Rule(factors.RuleResidualMixWithInstruments)
	if in.ResidualMix != "" || in.ResidualEF != nil || in.Basis != BasisOperational || (rule != ResidualNationalExcludingMarketNonfossil && rule != ResidualRegionalEstimate) {
		return
	}
	claims := in.CertificatesMWh != nil && *in.CertificatesMWh > 0
	for _, s := range in.Sources {
		claims = claims || s.Kind == KindGreenContract
	}
	if !claims {
		return
	}
	in.ResidualMix, in.residualByRule = rule, true
	l.defaulted(joinPath(in.Path, "ResidualMix"))
}
