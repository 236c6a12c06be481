package calc

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
)

// PV resource kinds.
const (
	ResourceHourly  = "hourly"
	ResourceEPW     = "epw"
	ResourceMonthly = "monthly"
	ResourceAnnual  = "annual"
	ResourceSite    = "site"
)

// PV model choices.
var (
	Mountings         = []string{"open_rack", "close_mount", "insulated_back"}
	Transpositions    = []string{TranspositionIsotropic, TranspositionHayDavies, TranspositionPerez}
	TemperatureModels = []string{TempModelSAPM, TempModelPVsyst}
	IAMModels         = []string{IAMModelPhysical, IAMModelNone}
)

// PVSystem is a PV array and its inverter. Nil pointers take dataset
// defaults (PVWatts and pvlib defaults, listed in the provenance).
type PVSystem struct {
	CapacityKWp           float64
	TiltDeg               *float64
	AzimuthDeg            *float64 // 180 = south
	LossesPct             *float64
	DCACRatio             *float64
	InverterEfficiencyPct *float64
	GammaPdcPerC          *float64
	Mounting              string
	Transposition         string
	TemperatureModel      string
	IAM                   string
	Albedo                *float64
	DegradationPctPerYear *float64
	OperatingYear         int
}

// PVResource is the solar resource: exactly one kind.
type PVResource struct {
	Kind string
	// Hourly series (8760): GHI required; DNI and DHI both or neither;
	// temperature and wind optional.
	GHI, DNI, DHI, TempAirC, WindMs []float64
	// Monthly GHI totals [kWh/m²] and optional monthly mean temperatures
	// [°C]; with them, optional monthly mean diurnal ranges [°C] (mean
	// daily maximum − mean daily minimum) shape each day by the ESRA
	// profile (HourlyTemperatureByMonth).
	MonthlyGHIKWhM2   []float64
	MonthlyTempC      []float64
	MonthlyTempRangeC []float64
	AnnualGHIKWhM2    float64
	// Site is a preset id (factors SolarSites) for kind "site"; empty, the
	// PVInput's Site is the resource.
	Site string
}

// PVLoad is a plant's electric load [MW], one of flat, 24×12 (hour of day ×
// month) or 8760 hourly values.
type PVLoad struct {
	FlatMW         *float64
	Profile24x12MW [][]float64
	Profile8760MW  []float64
}

// PVInput is a PV yield request. The system is placed at LatDeg/LonDeg when
// HasLocation is set (a location or an EPW header), else at Site, else at
// the site of a site resource.
type PVInput struct {
	LatDeg, LonDeg, AltitudeM, UTCOffsetH float64
	HasLocation                           bool
	// Site is a preset id (factors SolarSites) placing the system; it is
	// also the resource when Resource.Kind is ResourceSite without a site.
	Site          string
	System        PVSystem
	Resource      PVResource
	Load          *PVLoad
	IncludeHourly bool
}

// PVLosses breaks the yield down from the nominal energy (plane-of-array
// irradiation × DC capacity at 1 kW/m²) to AC output [kWh/yr].
type PVLosses struct {
	NominalKWh     float64
	IAMKWh         float64
	TemperatureKWh float64 // negative when the cells run below 25 °C
	SystemKWh      float64 // losses_pct and degradation
	InverterKWh    float64
	ClippingKWh    float64
}

// PVLoadMatch compares the PV output with a load, hour by hour.
type PVLoadMatch struct {
	LoadKWh            float64
	SelfConsumedKWh    float64
	ExportedKWh        float64
	HourlyMatchedShare float64 // Σ_h min(load_h, pv_h) / Σ_h load_h
}

// PVResult is a PV system's yield over the typical year.
type PVResult struct {
	AnnualACKWh                float64
	MonthlyACKWh               [12]float64
	SpecificYieldKWhPerKWp     float64
	CapacityFactor             float64 // AC energy / (DC capacity × 8760 h), as PVWatts
	AnnualPOAKWhM2             float64
	AnnualGHIKWhM2             float64
	PerformanceRatio           float64 // IEC 61724: (E_AC / P_DC) / (H_POA / 1 kW/m²)
	Losses                     PVLosses
	HourlyACKWh                []float64
	Load                       *PVLoadMatch
	LatDeg, LonDeg, UTCOffsetH float64
}

// sunTables memoises the site-independent solar geometry per UTC offset:
// it is the costly part of the solar position and the same for every site
// and scenario in that time zone. Offsets are whole quarter hours (checked
// by pvLocation), so there are at most 105 tables of ≈ 380 kB.
type sunTables struct {
	mu sync.Mutex
	m  map[float64]*sunTableOnce
}

// sunTableOnce builds one table once, outside the map's lock, so requests
// in other time zones never wait for it.
type sunTableOnce struct {
	once sync.Once
	t    *SunTable
}

func (s *sunTables) get(utcOffsetH float64) *SunTable {
	s.mu.Lock()
	if s.m == nil {
		s.m = map[float64]*sunTableOnce{}
	}
	e, ok := s.m[utcOffsetH]
	if !ok {
		e = &sunTableOnce{}
		s.m[utcOffsetH] = e
	}
	s.mu.Unlock()
	e.once.Do(func() { e.t = NewSunTable(pvReferenceYear, utcOffsetH) })
	return e.t
}

// pvReferenceYear is the calendar year whose sun geometry stands for the
// typical year (365 days; differences between years are below 0.01° in
// position).
const pvReferenceYear = 2023

// PV computes the yield of a PV system over a typical year:
// solar position → Erbs decomposition (when only GHI is given) →
// transposition → IAM on the beam → cell temperature → PVWatts DC → losses
// and degradation → PVWatts inverter with clipping, as pvlib's ModelChain
// with PVWatts models.
func (e *Engine) PV(in PVInput) (PVResult, Provenance, error) {
	l := newLedger(e.ds, &e.memos)
	r, err := pvYield(l, in, "")
	return r, l.provenance(), err
}

// pvSystemParams resolves the system's defaults and returns the chain
// parameters. ptr is the Go path of the system (….System).
func pvSystemParams(l *ledger, in PVInput, ptr string) (PVChainParams, error) {
	var p PVChainParams
	p.LatDeg, p.LonDeg, p.AltitudeM = in.LatDeg, in.LonDeg, in.AltitudeM
	if err := pvOrientation(l, &in, ptr, &p); err != nil {
		return p, err
	}
	if err := pvRatings(l, &in.System, ptr, &p); err != nil {
		return p, err
	}
	mounting := pvModelNames(l, &in.System, ptr, &p)
	if err := pvCellTempParams(l, mounting, ptr, &p); err != nil {
		return p, err
	}
	return p, nil
}

// pvOrientation sets the array's tilt [deg] (by default the site latitude
// rounded, a common fixed-tilt choice), azimuth [deg east of north] and
// ground albedo [–] (dataset defaults pv/default/azimuth and
// pv/default/albedo).
func pvOrientation(l *ledger, in *PVInput, ptr string, p *PVChainParams) error {
	s := &in.System
	if s.TiltDeg != nil {
		p.TiltDeg = *s.TiltDeg
	} else {
		p.TiltDeg = math.Round(math.Abs(in.LatDeg))
		l.defaulted(joinPath(ptr, "TiltDeg"))
		l.assume("tilt not given: the site latitude rounded (%.0f°), a common fixed-tilt choice", p.TiltDeg)
	}
	var err error
	if p.AzimuthDeg, err = l.orDefault(s.AzimuthDeg, joinPath(ptr, "AzimuthDeg"), "pv/default/azimuth"); err != nil {
		return err
	}
	p.Albedo, err = l.orDefault(s.Albedo, joinPath(ptr, "Albedo"), "pv/default/albedo")
	return err
}

// pvRatings sets the PVWatts DC and inverter parameters from the system's
// figures or the dataset defaults (pv/default/…): P_dc0 = capacity
// [kWp] × 1000 [W], the loss fraction losses_pct/100, P_ac0 = P_dc0 /
// (DC/AC ratio) [W], η_nom = inverter_efficiency_pct/100, γ [1/°C] and
// the degradation factor (pvDegradationFactor).
func pvRatings(l *ledger, s *PVSystem, ptr string, p *PVChainParams) error {
	num := func(v *float64, field, id string) (float64, error) {
		return l.orDefault(v, joinPath(ptr, field), id)
	}
	losses, err := num(s.LossesPct, "LossesPct", "pv/default/losses_pct")
	if err != nil {
		return err
	}
	p.LossFraction = losses / 100
	dcac, err := num(s.DCACRatio, "DCACRatio", "pv/default/dc_ac_ratio")
	if err != nil {
		return err
	}
	eta, err := num(s.InverterEfficiencyPct, "InverterEfficiencyPct", "pv/default/inverter_efficiency_pct")
	if err != nil {
		return err
	}
	if p.GammaPerC, err = num(s.GammaPdcPerC, "GammaPdcPerC", "pv/default/gamma_pdc"); err != nil {
		return err
	}
	if p.DegradationFactor, err = pvDegradationFactor(l, s, ptr); err != nil {
		return err
	}
	p.Pdc0W = s.CapacityKWp * 1000
	p.Pac0W = p.Pdc0W / dcac
	p.EtaInvNom = eta / 100
	return nil
}

// pvDegradationFactor returns the output of operating year n (default 1)
// relative to year 1 under linear degradation of d [%/yr] (default
// pv/default/degradation_pct_per_year), d·(n − 1) % less than year 1:
//
//	factor = 1 − d/100 × (n − 1)
//
// It must stay above 0.
func pvDegradationFactor(l *ledger, s *PVSystem, ptr string) (float64, error) {
	deg, err := l.orDefault(s.DegradationPctPerYear, joinPath(ptr, "DegradationPctPerYear"), "pv/default/degradation_pct_per_year")
	if err != nil {
		return 0, err
	}
	year := s.OperatingYear
	if year == 0 {
		year = 1
		l.defaulted(joinPath(ptr, "OperatingYear"))
	}
	f := 1 - deg/100*float64(year-1)
	if f <= 0 {
		return f, codedError(joinPath(ptr, "OperatingYear"), "no_output_left", map[string]any{"pct_per_year": deg, "year": year}, "at %g %%/yr the array has no output left in year %d; use a smaller %s or degradation", deg, year, fieldRef(joinPath(ptr, "OperatingYear")))
	}
	return f, nil
}

// pvModelNames sets the transposition, IAM and cell temperature models,
// isotropic, physical and SAPM by default, and returns the mounting,
// open_rack by default; it records each of the four that took its default.
func pvModelNames(l *ledger, s *PVSystem, ptr string, p *PVChainParams) (mounting string) {
	p.Transposition = orDefaultString(s.Transposition, "isotropic")
	p.IAM = orDefaultString(s.IAM, "physical")
	p.TempModel = orDefaultString(s.TemperatureModel, "sapm")
	mounting = orDefaultString(s.Mounting, "open_rack")
	for field, v := range map[string]string{"Transposition": s.Transposition, "IAM": s.IAM, "TemperatureModel": s.TemperatureModel, "Mounting": s.Mounting} {
		if v == "" {
			l.defaulted(joinPath(ptr, field))
		}
	}
	return mounting
}

// pvCellTempParams sets the cell temperature model's parameters for the
// mounting: pvlib's SAPM parameter set (King et al. 2004) for open_rack
// (glass/polymer), close_mount (glass/glass) or insulated_back, or the
// PVsyst heat loss factor U_c [W/(m² K)] for free-standing (open_rack) or
// insulated arrays, with U_v = 0.
func pvCellTempParams(l *ledger, mounting, ptr string, p *PVChainParams) error {
	switch p.TempModel {
	case "sapm":
		switch mounting {
		case "open_rack":
			p.SAPM = SAPMOpenRack
		case "close_mount":
			p.SAPM = SAPMCloseMount
		case "insulated_back":
			p.SAPM = SAPMInsulatedBack
		default:
			return unknownValue(joinPath(ptr, "Mounting"), "mounting", mounting, []string{"open_rack", "close_mount", "insulated_back"}, "unknown mounting %q; allowed: open_rack, close_mount, insulated_back", mounting)
		}
		l.assume("cell temperature: SAPM (King et al. 2004) with pvlib's %s parameters a=%.4g, b=%.4g, ΔT=%.4g", mounting, p.SAPM.A, p.SAPM.B, p.SAPM.DeltaT)
	case "pvsyst":
		p.PVsystUc, p.PVsystUv = PVsystUcFreestanding, 0
		if mounting != "open_rack" {
			p.PVsystUc = PVsystUcInsulated
		}
		l.assume("cell temperature: PVsyst model with u_c = %.0f W/m²K (%s), u_v = 0", p.PVsystUc, mounting)
	}
	return nil
}

// pvResourceHourly turns the resource into hourly GHI (W/m²), optional DNI
// and DHI, temperature and wind, recording what was assumed.
func pvResourceHourly(l *ledger, in *PVInput, ptr string) (PVHourly, error) {
	r := in.Resource
	var h PVHourly
	switch r.Kind {
	case ResourceHourly, ResourceEPW:
		h = PVHourly{GHI: r.GHI, DNI: r.DNI, DHI: r.DHI, TempAirC: r.TempAirC, WindMs: r.WindMs}
		if r.DNI == nil {
			l.assume("DNI and DHI not given: decomposed from GHI with Erbs et al. (1982), pvlib's clamps (min cos zenith 0.065, max zenith 87°)")
		}
	case ResourceMonthly, ResourceAnnual, ResourceSite:
		var err error
		if h, err = pvTypicalYear(l, in, ptr); err != nil {
			return h, err
		}
	default:
		return h, fieldError(resourcePath(in, ptr), "give exactly one solar resource: hourly, %s, %s, %s or %s", fieldRef(joinPath(ptr, "Resource.EPW")),
			fieldRef(joinPath(ptr, "Resource.MonthlyGHIKWhM2")), fieldRef(joinPath(ptr, "Resource.AnnualGHIKWhM2")), fieldRef(joinPath(ptr, "Resource.Site")))
	}
	if h.TempAirC == nil {
		h.TempAirC, _ = l.memos.weather.series()
		l.assume("air temperature not given: %g °C every hour", defaultTempAirC)
	}
	if h.WindMs == nil {
		_, h.WindMs = l.memos.weather.series()
		l.assume("wind speed not given: %g m/s every hour", defaultWindMs)
	}
	return h, nil
}

// The weather assumed in every hour when a resource does not give it.
const (
	defaultTempAirC = 20.0 // [°C]
	defaultWindMs   = 1.0  // [m/s]
)

// defaultWeather holds the hourly series of defaultTempAirC and
// defaultWindMs, made once per engine. Like a typicalYear they are shared
// by every calculation and read-only: they only reach RunPVChain, which
// reads them.
type defaultWeather struct {
	once        sync.Once
	tempC, wind []float64
}

// series returns 8760 × defaultTempAirC [°C] and 8760 × defaultWindMs
// [m/s].
func (w *defaultWeather) series() (tempAirC, windMs []float64) {
	w.once.Do(func() { w.tempC, w.wind = filled(defaultTempAirC), filled(defaultWindMs) })
	return w.tempC, w.wind
}

// pvTypicalYear returns the typical hourly year of a monthly, annual or
// site resource (the engine's memo keeps it per spec, typicalYears),
// recording the site preset used and what was assumed. The returned
// series are shared and read-only (see typicalYear).
func pvTypicalYear(l *ledger, in *PVInput, ptr string) (PVHourly, error) {
	r := in.Resource
	spec := typicalYearSpec{latDeg: in.LatDeg, lonDeg: in.LonDeg, altitudeM: in.AltitudeM, utcOffsetH: in.UTCOffsetH}
	monthly := r.MonthlyGHIKWhM2
	temps, ranges, rangeFrom := r.MonthlyTempC, r.MonthlyTempRangeC, "the request"
	if r.Kind == ResourceSite {
		sitePath := joinPath(resourcePath(in, ptr), "Site")
		if r.Site == "" {
			r.Site, sitePath = in.Site, joinPath(ptr, "Site")
		}
		site, ok := l.ds.SolarSite(r.Site)
		if !ok {
			return PVHourly{}, unknownValue(sitePath, "site", r.Site, nil, "unknown site %q; GET /v1/solar-sites lists them", r.Site)
		}
		if site.GHIMonthlyKWhM2 == nil || !site.Located {
			return PVHourly{}, codedError(sitePath, "no_site_data", map[string]any{"site": r.Site, "data": "irradiation"}, "site %q has no sourced irradiation (%s); give %s or hourly data", r.Site, site.Note, fieldRef(joinPath(ptr, "Resource.MonthlyGHIKWhM2")))
		}
		monthly, temps, ranges = site.GHIMonthlyKWhM2, site.TempMonthlyC, site.TempRangeMonthlyC
		l.useSite(site)
		if ranges != nil && temps != nil {
			rangeFrom = fmt.Sprintf("the %s preset (provenance factor %s)", site.ID, l.useSiteTempRange(site))
		}
	}
	if r.Kind == ResourceAnnual {
		spec.fromAnnual, spec.annualGHIKWhM2 = true, r.AnnualGHIKWhM2
		l.assume("annual GHI split into months by the clear-sky (Haurwitz 1945) shape at latitude %.2f°", in.LatDeg)
	} else {
		copy(spec.monthlyGHIKWhM2[:], monthly)
	}
	spec.hasTemp, spec.hasTempRange = temps != nil, ranges != nil
	copy(spec.tempC[:], temps)
	copy(spec.tempRangeC[:], ranges)
	y, err := l.memos.years.get(&spec, &l.memos.sun)
	if err != nil {
		return PVHourly{}, pvRequestError(err, *in, ptr)
	}
	l.assume("monthly GHI turned into a typical hourly year: global by the Collares-Pereira & Rabl (1979) profile, diffuse by the Liu–Jordan (1960) profile applied to the monthly diffuse fraction of Erbs, Klein & Duffie (1982), each scaled to the month's total; DNI = (GHI − DHI)/cos Z")
	if temps != nil {
		assumeMonthlyAirTemp(l, ranges, rangeFrom)
	}
	return PVHourly{GHI: y.ghiWm2, DNI: y.dniWm2, DHI: y.dhiWm2, TempAirC: y.tempAirC}, nil
}

// monthlyAirTempC turns the 12 monthly mean air temperatures of s [°C]
// into an hourly year [°C]: by the ESRA profile (HourlyTemperatureByMonth)
// when s has 12 monthly diurnal ranges, else the monthly mean in every
// hour.
func monthlyAirTempC(s *typicalYearSpec) ([]float64, error) {
	if !s.hasTempRange {
		out := make([]float64, HoursPerYear)
		for i := range out {
			out[i] = s.tempC[monthOfHour(i)]
		}
		return out, nil
	}
	return HourlyTemperatureByMonth(s.tempC, s.tempRangeC, s.latDeg, s.lonDeg, s.utcOffsetH)
}

// assumeMonthlyAirTemp records how monthlyAirTempC made the air
// temperature: with ranges (rangeFrom says where they come from) or
// without.
func assumeMonthlyAirTemp(l *ledger, ranges []float64, rangeFrom string) {
	if ranges == nil {
		l.assume("air temperature: the monthly mean in every hour of the month (no diurnal cycle: the dataset has no sourced diurnal range)")
		return
	}
	l.assume("air temperature: an hourly profile by the ESRA method (Huld, Šúri, Dunlop & Micale 2006; three cosine segments, minimum at sunrise, maximum 3 h after solar noon) with T_min/T_max = monthly mean ∓ range/2, each day shifted so its mean is the month's mean; monthly diurnal range January–December %s °C from %s",
		joinNumbers(ranges), rangeFrom)
}

// joinNumbers formats values as "12.04; 12.45; …" (%g).
func joinNumbers(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%g", x)
	}
	return strings.Join(parts, "; ")
}

// beamFromGlobal returns DNI = (GHI − DHI) / cos Z [W/m²] with the true
// zenith at mid-hour, using Erbs' clamps as pvlib does (cos Z floored at
// 0.065; DNI = 0 beyond 87°).
func beamFromGlobal(sun *SunTable, latDeg, lonDeg, altitudeM float64, ghi, dhi []float64) []float64 {
	app := make([]float64, HoursPerYear)
	zen := make([]float64, HoursPerYear)
	sun.Positions(latDeg, lonDeg, altitudeM, app, zen, nil)
	dni := make([]float64, HoursPerYear)
	minCos := 0.065
	for i := range dni {
		if zen[i] > 87 || ghi[i] <= 0 {
			continue
		}
		dni[i] = (ghi[i] - dhi[i]) / math.Max(math.Cos(zen[i]*math.Pi/180), minCos)
	}
	return dni
}

// pvLocation places the system: at its location when given, else at its
// site (or its resource's site), recording the preset.
func pvLocation(l *ledger, in *PVInput, ptr string) error {
	if q := in.UTCOffsetH * 4; q != math.Trunc(q) || in.UTCOffsetH < -12 || in.UTCOffsetH > 14 {
		return fieldError(joinPath(ptr, "UTCOffsetH"), "must be a whole number of quarter hours between −12 and 14 (time zones are); got %g", in.UTCOffsetH)
	}
	if in.HasLocation {
		return nil
	}
	id, field := in.Site, joinPath(ptr, "Site")
	if id == "" && in.Resource.Kind == ResourceSite {
		id, field = in.Resource.Site, joinPath(resourcePath(in, ptr), "Site")
	}
	if id == "" {
		return fieldError(joinPath(ptr, "HasLocation"), "give a %s (%s, %s), a %s, or an %s resource",
			fieldRef(joinPath(ptr, "HasLocation")), fieldRef(joinPath(ptr, "LatDeg")), fieldRef(joinPath(ptr, "LonDeg")),
			fieldRef(joinPath(ptr, "Site")), fieldRef(joinPath(ptr, "Resource.EPW")))
	}
	site, ok := l.ds.SolarSite(id)
	if !ok {
		return unknownValue(field, "site", id, nil, "unknown site %q; GET /v1/solar-sites lists them", id)
	}
	if !site.Located {
		return codedError(field, "no_site_data", map[string]any{"site": id, "data": "coordinates"}, "site %q has no sourced coordinates (%s); give a %s", id, site.Note, fieldRefIn(ptr, "HasLocation"))
	}
	in.LatDeg, in.LonDeg, in.AltitudeM = site.LatitudeDeg, site.LongitudeDeg, site.AltitudeM
	l.assume("the system is placed at the %s preset (%.2f°, %.2f°, %.0f m, UTC%+g)", id, in.LatDeg, in.LonDeg, in.AltitudeM, in.UTCOffsetH)
	return nil
}

// pvRequestError names the input field behind an error of a PV model
// function, which names its own arguments by Go name: a resource series or
// monthly value, a coordinate, or a system parameter. ptr is the PV
// input's path. Errors with no input field behind them are defects,
// returned as plain errors (500).
func pvRequestError(err error, in PVInput, ptr string) error {
	var ie *InputError
	if !errors.As(err, &ie) {
		return err
	}
	out := &InputError{}
	for _, f := range ie.Fields {
		head, rest := f.Path, ""
		if i := strings.IndexAny(f.Path, ".["); i >= 0 {
			head, rest = f.Path[:i], f.Path[i:]
		}
		to, ok := pvArgumentPath(in, ptr, head)
		if !ok {
			return fmt.Errorf("pv model: %w", errors.New(ie.Error()))
		}
		out.Fields = append(out.Fields, FieldError{Path: to + rest, Detail: f.Detail, Code: f.Code, Params: f.Params})
	}
	return out
}

// pvArgumentPath returns the path in a PVInput at ptr of a PV model
// function's argument (its Go name). Hourly series read from an EPW file
// are named by the file, Resource.EPW.
func pvArgumentPath(in PVInput, ptr, arg string) (string, bool) {
	res := resourcePath(&in, ptr)
	switch arg {
	case "GHI", "DNI", "DHI", "TempAirC", "WindMs":
		if in.Resource.Kind == ResourceEPW {
			return joinPath(res, "EPW"), true
		}
		return joinPath(res, arg), true
	case "MonthlyGHIKWhM2", "MonthlyTempC", "MonthlyTempRangeC":
		return joinPath(res, arg), true
	case "LatDeg", "LonDeg", "UTCOffsetH":
		return joinPath(ptr, arg), true
	}
	system := map[string]string{
		"LossFraction": "LossesPct", "Pdc0W": "CapacityKWp", "Pac0W": "DCACRatio", "EtaInvNom": "InverterEfficiencyPct",
		"DegradationFactor": "OperatingYear", "TiltDeg": "TiltDeg",
	}
	if f, ok := system[arg]; ok {
		return joinPath(joinPath(ptr, "System"), f), true
	}
	return "", false
}

// resourcePath is the path of the solar resource of the PV input in at
// ptr: its Resource, or the input itself when the resource is the input's
// Site (a site resource without a site of its own).
func resourcePath(in *PVInput, ptr string) string {
	if in.Resource.Kind == ResourceSite && in.Resource.Site == "" {
		return ptr
	}
	return joinPath(ptr, "Resource")
}

func filled(v float64) []float64 {
	s := make([]float64, HoursPerYear)
	for i := range s {
		s[i] = v
	}
	return s
}

// pvYield runs the chain and summarises it. ptr is the Go path of the
// PV request inside a larger request ("" for /v1/pv).
func pvYield(l *ledger, in PVInput, ptr string) (PVResult, error) {
	var res PVResult
	if err := interrupted(l.stop); err != nil {
		return res, err
	}
	if err := pvLocation(l, &in, ptr); err != nil {
		return res, err
	}
	hourly, err := pvResourceHourly(l, &in, ptr)
	if err != nil {
		return res, err
	}
	p, err := pvSystemParams(l, in, joinPath(ptr, "System"))
	if err != nil {
		return res, err
	}
	sun := l.memos.sun.get(in.UTCOffsetH)
	ac := make([]float64, HoursPerYear)
	out := PVChainOut{ACW: ac}
	if err := RunPVChain(sun, p, hourly, &out); err != nil {
		return res, pvRequestError(err, in, ptr)
	}
	s := out.Sums
	res.LatDeg, res.LonDeg, res.UTCOffsetH = in.LatDeg, in.LonDeg, in.UTCOffsetH
	kwp := in.System.CapacityKWp
	for m := range 12 {
		for _, w := range ac[daysBefore[m]*24 : daysBefore[m+1]*24] {
			kwh := w / 1000 // mean power over one hour [W] → Wh → kWh
			res.AnnualACKWh += kwh
			res.MonthlyACKWh[m] += kwh
		}
	}
	for _, g := range hourly.GHI {
		res.AnnualGHIKWhM2 += g / 1000
	}
	res.AnnualPOAKWhM2 = s.POAGlobalWhPerM2 / 1000
	res.SpecificYieldKWhPerKWp = res.AnnualACKWh / kwp
	res.CapacityFactor = res.AnnualACKWh / (kwp * HoursPerYear)
	if res.AnnualPOAKWhM2 > 0 {
		res.PerformanceRatio = res.SpecificYieldKWhPerKWp / res.AnnualPOAKWhM2
	}
	nominal := s.POAGlobalWhPerM2 / 1000 * kwp // kWh at 1 kW/m² → 1 kWp
	res.Losses = PVLosses{
		NominalKWh:     nominal,
		IAMKWh:         (s.POAGlobalWhPerM2 - s.POAEffectiveWhPerM2) / 1000 * kwp,
		TemperatureKWh: s.POAEffectiveWhPerM2/1000*kwp - s.DCBeforeLossesWh/1000,
		SystemKWh:      (s.DCBeforeLossesWh - s.DCWh) / 1000,
		InverterKWh:    (s.DCWh - s.ACBeforeClippingWh) / 1000,
		ClippingKWh:    (s.ACBeforeClippingWh - s.ACWh) / 1000,
	}
	if in.IncludeHourly {
		res.HourlyACKWh = make([]float64, HoursPerYear)
		for i, w := range ac {
			res.HourlyACKWh[i] = w / 1000
		}
	}
	if in.Load != nil {
		m, err := pvLoadMatch(ac, *in.Load, joinPath(ptr, "Load"))
		if err != nil {
			return res, err
		}
		res.Load = &m
	}
	return res, nil
}

// pvLoadMatch compares the hourly AC output acW [W, mean over the hour]
// with the load ld hour by hour [kWh]: the load's energy, what the PV
// covers (Σ_h min(pv_h, load_h)), what it exports and the hourly-matched
// share. A flat load is read as is, a profile expanded by loadProfileMWh.
// ptr is the load's Go path, for errors.
func pvLoadMatch(acW []float64, ld PVLoad, ptr string) (PVLoadMatch, error) {
	var m PVLoadMatch
	var flatMWh float64
	var load []float64 // [MWh], nil for a flat load
	if ld.FlatMW != nil {
		flatMWh = *ld.FlatMW
	} else {
		var err error
		if load, err = loadProfileMWh(ld, ptr); err != nil {
			return m, err
		}
	}
	for i, w := range acW {
		pv := w / 1000
		loadMWh := flatMWh
		if load != nil {
			loadMWh = load[i]
		}
		kwh := loadMWh * 1000 // MWh → kWh
		m.LoadKWh += kwh
		used := math.Min(pv, kwh)
		m.SelfConsumedKWh += used
		m.ExportedKWh += pv - used
	}
	if m.LoadKWh > 0 {
		m.HourlyMatchedShare = m.SelfConsumedKWh / m.LoadKWh
	}
	return m, nil
}

// daysBefore[m] is the day of the year before month m of a 365-day year.
var daysBefore = [13]int{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365}

// monthOfHour returns the month (0–11) of hour i of the 365-day year.
func monthOfHour(i int) int {
	d := i / 24
	for m := 0; m < 12; m++ {
		if d < daysBefore[m+1] {
			return m
		}
	}
	return 11
}

// loadProfileMWh expands a load into 8760 hourly energies [MWh].
func loadProfileMWh(ld PVLoad, ptr string) ([]float64, error) {
	out := make([]float64, HoursPerYear)
	switch {
	case ld.FlatMW != nil:
		for i := range out {
			out[i] = *ld.FlatMW
		}
	case ld.Profile8760MW != nil:
		if len(ld.Profile8760MW) != HoursPerYear {
			return nil, fieldError(joinPath(ptr, "Profile8760MW"), "needs %d values; got %d", HoursPerYear, len(ld.Profile8760MW))
		}
		copy(out, ld.Profile8760MW)
	case ld.Profile24x12MW != nil:
		if len(ld.Profile24x12MW) != 12 {
			return nil, fieldError(joinPath(ptr, "Profile24x12MW"), "needs 12 months of 24 hourly values; got %d months", len(ld.Profile24x12MW))
		}
		for m, day := range ld.Profile24x12MW {
			if len(day) != 24 {
				return nil, fieldError(indexPath(joinPath(ptr, "Profile24x12MW"), m), "needs 24 hourly values; got %d", len(day))
			}
		}
		for i := range out {
			out[i] = ld.Profile24x12MW[monthOfHour(i)][i%24]
		}
	default:
		return nil, fieldError(ptr, "give %s, %s or %s", fieldRef(joinPath(ptr, "FlatMW")), fieldRef(joinPath(ptr, "Profile24x12MW")), fieldRef(joinPath(ptr, "Profile8760MW")))
	}
	return out, nil
}
