package api

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"alcarbon/calc"
)

// locationRequest places a PV system.
type locationRequest struct {
	// LatitudeDeg, −90 to 90 (north positive).
	LatitudeDeg *float64 `json:"latitude" calc:"LatDeg" minimum:"-90" maximum:"90" unit:"°" example:"37.87"`
	// LongitudeDeg, −180 to 180 (east positive).
	LongitudeDeg *float64 `json:"longitude" calc:"LonDeg" minimum:"-180" maximum:"180" unit:"°" example:"112.55"`
	// AltitudeM above sea level, −500 to 9,000 m; default 0.
	AltitudeM *float64 `json:"altitude_m,omitempty" minimum:"-500" maximum:"9000" unit:"m" example:"780"`
	// UTCOffsetH is the time zone of the hourly series, −12 to 14 h in whole quarter hours; default 8 (China Standard Time).
	UTCOffsetH *float64 `json:"utc_offset_h,omitempty" minimum:"-12" maximum:"14" unit:"h" example:"8"`
}

// pvSystemRequest is a PV array and its inverter. Defaults are PVWatts and pvlib defaults from the dataset.
type pvSystemRequest struct {
	// CapacityKWp is the DC nameplate capacity [kWp], >0 to 10,000,000.
	CapacityKWp *float64 `json:"capacity_kwp" minimum:"0" maximum:"10000000" exclusiveMinimum:"true" unit:"kWp" example:"1000"`
	// TiltDeg from horizontal, 0–90; default the latitude rounded.
	TiltDeg *float64 `json:"tilt_deg,omitempty" minimum:"0" maximum:"90" unit:"°" example:"35"`
	// AzimuthDeg, 0–360 clockwise from north (180 = south); default 180.
	AzimuthDeg *float64 `json:"azimuth_deg,omitempty" minimum:"0" maximum:"360" unit:"°" example:"180"`
	// LossesPct are DC system losses (soiling, shading, wiring, …) [%], −5 to 99; default 14 (PVWatts).
	LossesPct *float64 `json:"losses_pct,omitempty" minimum:"-5" maximum:"99" unit:"%" example:"14"`
	// DCACRatio of DC capacity to inverter AC capacity, 0.5–3; default 1.2.
	DCACRatio *float64 `json:"dc_ac_ratio,omitempty" minimum:"0.5" maximum:"3" example:"1.2"`
	// InverterEfficiencyPct is the nominal inverter efficiency [%], 80–99.5; default 96.
	InverterEfficiencyPct *float64 `json:"inverter_efficiency_pct,omitempty" minimum:"80" maximum:"99.5" unit:"%" example:"96"`
	// GammaPdcPerC is the power temperature coefficient [1/°C], −0.01 to 0; default −0.0037.
	GammaPdcPerC *float64 `json:"gamma_pdc_per_c,omitempty" minimum:"-0.01" maximum:"0" unit:"1/°C" example:"-0.0037"`
	// Mounting sets the SAPM temperature parameters; default open_rack.
	Mounting string `json:"mounting,omitempty" enums:"open_rack,close_mount,insulated_back" example:"open_rack"`
	// Transposition model to the plane of array; default isotropic.
	Transposition string `json:"transposition,omitempty" enums:"isotropic,haydavies,perez" example:"isotropic"`
	// TemperatureModel for the cells; default sapm.
	TemperatureModel string `json:"temperature_model,omitempty" enums:"sapm,pvsyst" example:"sapm"`
	// IAM is the incidence-angle modifier on the beam; default physical (n 1.526, K 4/m, L 2 mm).
	IAM string `json:"iam,omitempty" enums:"physical,none" example:"physical"`
	// Albedo of the ground, 0–1; default 0.25.
	Albedo *float64 `json:"albedo,omitempty" minimum:"0" maximum:"1" example:"0.25"`
	// DegradationPctPerYear [%/yr], 0–5; default 0.5; applied linearly for operating_year.
	DegradationPctPerYear *float64 `json:"degradation_pct_per_year,omitempty" minimum:"0" maximum:"5" unit:"%/yr" example:"0.5"`
	// OperatingYear of the system, 1–50; default 1.
	OperatingYear int `json:"operating_year,omitempty" minimum:"1" maximum:"50" example:"1"`
}

// hourlyResourceRequest is an hourly solar resource: value i covers local standard time hour i to i+1 of a 365-day year from 1 January 00:00.
type hourlyResourceRequest struct {
	// GHIWm2 is global horizontal irradiance, mean over the hour [W/m²], 8760 values 0–1500.
	GHIWm2 []float64 `json:"ghi_w_m2" calc:"GHI" minimum:"0" maximum:"1500"`
	// DNIWm2 is direct normal irradiance [W/m²], 8760 values 0–1500; give with dhi_w_m2 or neither (then Erbs).
	DNIWm2 []float64 `json:"dni_w_m2,omitempty" calc:"DNI" minimum:"0" maximum:"1500"`
	// DHIWm2 is diffuse horizontal irradiance [W/m²], 8760 values 0–1500.
	DHIWm2 []float64 `json:"dhi_w_m2,omitempty" calc:"DHI" minimum:"0" maximum:"1500"`
	// TempAirC is air temperature [°C], 8760 values −60 to 60; default 20.
	TempAirC []float64 `json:"temp_air_c,omitempty" minimum:"-60" maximum:"60"`
	// WindSpeedMs is wind speed [m/s], 8760 values 0–60; default 1.
	WindSpeedMs []float64 `json:"wind_speed_m_s,omitempty" calc:"WindMs" minimum:"0" maximum:"60"`
}

// solarResourceRequest is exactly one solar resource.
type solarResourceRequest struct {
	Hourly *hourlyResourceRequest `json:"hourly,omitempty" calc:",inline"`
	// EPW is the text of an EnergyPlus weather file; its header sets the location and time zone.
	EPW string `json:"epw,omitempty"`
	// MonthlyGHIKWhM2 are 12 monthly GHI totals [kWh/m²], each 0–400.
	MonthlyGHIKWhM2 []float64 `json:"monthly_ghi_kwh_m2,omitempty" minimum:"0" maximum:"400"`
	// MonthlyTempC are 12 optional monthly mean air temperatures [°C] with monthly GHI.
	MonthlyTempC []float64 `json:"monthly_temp_c,omitempty" minimum:"-60" maximum:"60"`
	// MonthlyTempRangeC are 12 optional monthly mean diurnal temperature ranges [°C] (mean daily maximum − mean daily minimum), each 0–40, with monthly_temp_c. Each day then follows the ESRA profile (Huld et al. 2006: minimum at sunrise, maximum 3 h after solar noon, the month's mean kept); without them every hour of a month has the monthly mean.
	MonthlyTempRangeC []float64 `json:"monthly_temp_range_c,omitempty" minimum:"0" maximum:"40"`
	// AnnualGHIKWhM2 is an annual GHI total [kWh/m²], 300–3,000.
	AnnualGHIKWhM2 *float64 `json:"annual_ghi_kwh_m2,omitempty" minimum:"300" maximum:"3000" unit:"kWh/m²" example:"1398"`
	// Site is a preset from GET /v1/solar-sites.
	Site string `json:"site,omitempty" example:"taiyuan"`
}

// loadRequest is a plant's electric load: one of flat_mw, profile_24x12_mw, profile_8760_mw.
type loadRequest struct {
	// FlatMW is a constant load [MW], 0–100,000.
	FlatMW *float64 `json:"flat_mw,omitempty" minimum:"0" maximum:"100000" unit:"MW" example:"500"`
	// Profile24x12MW is 12 months (January first) of 24 hourly loads [MW].
	Profile24x12MW [][]float64 `json:"profile_24x12_mw,omitempty" minimum:"0" maximum:"100000"`
	// Profile8760MW is 8760 hourly loads [MW].
	Profile8760MW []float64 `json:"profile_8760_mw,omitempty" minimum:"0" maximum:"100000"`
}

// pvRequest is a PV yield request: a system at a location or preset site,
// its solar resource, and optionally the plant load it meets.
type pvRequest struct {
	// Dataset pins a dataset version; default the newest.
	Dataset string `json:"dataset,omitempty" example:"2026.1"`
	// Site is a preset from GET /v1/solar-sites; it replaces location and, when solar_resource is left out, gives the resource.
	Site          string                `json:"site,omitempty" example:"taiyuan"`
	Location      *locationRequest      `json:"location,omitempty" calc:"HasLocation,inline"`
	System        pvSystemRequest       `json:"system"`
	SolarResource *solarResourceRequest `json:"solar_resource,omitempty" calc:"Resource"`
	Load          *loadRequest          `json:"load,omitempty"`
	// IncludeHourly adds hourly_ac_kwh (8760 values) to the response.
	IncludeHourly bool `json:"include_hourly,omitempty"`
}

func (r *pvRequest) validate(v *validator) {
	validatePV(v, r, "")
}

// validatePV checks a PV request at pointer ptr ("" for /v1/pv).
func validatePV(v *validator, r *pvRequest, ptr string) {
	if r.Location == nil && r.Site == "" && (r.SolarResource == nil || (r.SolarResource.EPW == "" && r.SolarResource.Site == "")) {
		v.addCode(ptr+"/location", codeOneOfRequired, fieldsParam("location", "site", "epw"), "give location (latitude, longitude), a site, or an epw resource")
	}
	if r.Location != nil {
		if r.Site != "" {
			v.addCode(ptr+"/site", codeMutuallyExclusive, fieldsParam("location", "site"), "give location or site, not both")
		}
		l := r.Location
		if l.LatitudeDeg == nil {
			v.add(ptr+"/location/latitude", "is required (−90 to 90)")
		}
		if l.LongitudeDeg == nil {
			v.add(ptr+"/location/longitude", "is required (−180 to 180)")
		}
		if o := l.UTCOffsetH; o != nil && *o*4 != math.Trunc(*o*4) {
			v.addCode(ptr+"/location/utc_offset_h", codeNotMultipleOf, map[string]any{"step": 0.25, "unit": "h", "got": *o}, "must be a whole number of quarter hours (time zones are); got %s", fmtNum(*o))
		}
	}
	s := r.System
	sp := ptr + "/system"
	if s.CapacityKWp == nil {
		v.add(sp+"/capacity_kwp", "is required (>0 to 10,000,000 kWp)")
	}
	if res := r.SolarResource; res != nil {
		rp := ptr + "/solar_resource"
		kinds := 0
		for _, set := range []bool{res.Hourly != nil, res.EPW != "", res.MonthlyGHIKWhM2 != nil, res.AnnualGHIKWhM2 != nil, res.Site != ""} {
			if set {
				kinds++
			}
		}
		if kinds != 1 {
			code := codeMutuallyExclusive
			if kinds == 0 {
				code = codeOneOfRequired
			}
			v.addCode(rp, code, fieldsParam("hourly", "epw", "monthly_ghi_kwh_m2", "annual_ghi_kwh_m2", "site"), "give exactly one of hourly, epw, monthly_ghi_kwh_m2, annual_ghi_kwh_m2, site; got %d", kinds)
		}
		if h := res.Hourly; h != nil {
			series(v, rp+"/hourly/ghi_w_m2", h.GHIWm2, true)
			series(v, rp+"/hourly/dni_w_m2", h.DNIWm2, false)
			series(v, rp+"/hourly/dhi_w_m2", h.DHIWm2, false)
			series(v, rp+"/hourly/temp_air_c", h.TempAirC, false)
			series(v, rp+"/hourly/wind_speed_m_s", h.WindSpeedMs, false)
			if (h.DNIWm2 == nil) != (h.DHIWm2 == nil) {
				v.addCode(rp+"/hourly", codeTogether, fieldsParam("dni_w_m2", "dhi_w_m2"), "give dni_w_m2 and dhi_w_m2 together, or neither (then they are decomposed from GHI with Erbs)")
			}
		}
		if res.MonthlyGHIKWhM2 != nil {
			fixed(v, rp+"/monthly_ghi_kwh_m2", res.MonthlyGHIKWhM2, 12)
		}
		if res.MonthlyTempC != nil {
			if res.MonthlyGHIKWhM2 == nil {
				v.addCode(rp+"/monthly_temp_c", codeRequires, fieldsParam("monthly_ghi_kwh_m2"), "goes with monthly_ghi_kwh_m2")
			}
			fixed(v, rp+"/monthly_temp_c", res.MonthlyTempC, 12)
		}
		if res.MonthlyTempRangeC != nil {
			if res.MonthlyTempC == nil {
				v.addCode(rp+"/monthly_temp_range_c", codeRequires, fieldsParam("monthly_temp_c"), "goes with monthly_temp_c (the range is about the monthly mean)")
			}
			fixed(v, rp+"/monthly_temp_range_c", res.MonthlyTempRangeC, 12)
		}
		if res.EPW != "" && r.Location != nil {
			v.addCode(ptr+"/location", codeMutuallyExclusive, fieldsParam("epw", "location"), "an epw file sets the location; leave location out")
		}
		if res.EPW != "" && r.Site != "" {
			v.addCode(ptr+"/site", codeMutuallyExclusive, fieldsParam("epw", "site"), "an epw file sets the location; leave site out")
		}
	} else if r.Site == "" {
		v.add(ptr+"/solar_resource", "is required unless a site gives it; one of hourly, epw, monthly_ghi_kwh_m2, annual_ghi_kwh_m2, site")
	}
	if ld := r.Load; ld != nil {
		validateLoad(v, ld, ptr+"/load")
	}
}

func validateLoad(v *validator, ld *loadRequest, lp string) {
	n := 0
	for _, set := range []bool{ld.FlatMW != nil, ld.Profile24x12MW != nil, ld.Profile8760MW != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		code := codeMutuallyExclusive
		if n == 0 {
			code = codeOneOfRequired
		}
		v.addCode(lp, code, fieldsParam("flat_mw", "profile_24x12_mw", "profile_8760_mw"), "give exactly one of flat_mw, profile_24x12_mw, profile_8760_mw")
	}
	if ld.Profile8760MW != nil {
		fixed(v, lp+"/profile_8760_mw", ld.Profile8760MW, calc.HoursPerYear)
	}
	if ld.Profile24x12MW != nil {
		if len(ld.Profile24x12MW) != 12 {
			v.addCode(lp+"/profile_24x12_mw", codeWrongCount, countParam(12, 12, len(ld.Profile24x12MW)), "needs 12 months (January first) of 24 hourly values; got %d months", len(ld.Profile24x12MW))
		} else {
			for m, day := range ld.Profile24x12MW {
				fixed(v, fmt.Sprintf("%s/profile_24x12_mw/%d", lp, m), day, 24)
			}
		}
	}
}

// series checks that an optional (or required) hourly series has 8760
// values; their bounds are its tags'.
func series(v *validator, ptr string, xs []float64, required bool) {
	if xs == nil {
		if required {
			v.add(ptr, "is required: %d hourly values", calc.HoursPerYear)
		}
		return
	}
	fixed(v, ptr, xs, calc.HoursPerYear)
}

// fixed checks a slice's length; the bounds of its values are its tags'
// (checkTags names the first offending index).
func fixed(v *validator, ptr string, xs []float64, n int) {
	if len(xs) != n {
		v.addCode(ptr, codeWrongCount, countParam(n, n, len(xs)), "needs exactly %d values; got %d", n, len(xs))
	}
}

// chinaUTCOffsetH is China Standard Time, the time zone of every preset site.
const chinaUTCOffsetH = 8

// toInput converts the request into the engine's input; an EPW file is
// parsed here (its header gives the location). ptr is the request's JSON
// pointer. The engine places the system at its site when no location is
// given.
func (r *pvRequest) toInput(ptr string) (calc.PVInput, error) {
	in := calc.PVInput{UTCOffsetH: chinaUTCOffsetH, IncludeHourly: r.IncludeHourly}
	s := r.System
	in.System = calc.PVSystem{
		CapacityKWp: *s.CapacityKWp, TiltDeg: s.TiltDeg, AzimuthDeg: s.AzimuthDeg, LossesPct: s.LossesPct,
		DCACRatio: s.DCACRatio, InverterEfficiencyPct: s.InverterEfficiencyPct, GammaPdcPerC: s.GammaPdcPerC,
		Mounting: s.Mounting, Transposition: s.Transposition, TemperatureModel: s.TemperatureModel, IAM: s.IAM,
		Albedo: s.Albedo, DegradationPctPerYear: s.DegradationPctPerYear, OperatingYear: s.OperatingYear,
	}
	in.Site = r.Site
	if r.Location != nil {
		in.HasLocation = true
		in.LatDeg, in.LonDeg = *r.Location.LatitudeDeg, *r.Location.LongitudeDeg
		if r.Location.AltitudeM != nil {
			in.AltitudeM = *r.Location.AltitudeM
		}
		if r.Location.UTCOffsetH != nil {
			in.UTCOffsetH = *r.Location.UTCOffsetH
		}
	}
	res := r.SolarResource
	rp := ptr + "/solar_resource"
	switch {
	case res == nil:
		// The engine takes the system's site as the resource.
		in.Resource.Kind = calc.ResourceSite
	case res.Hourly != nil:
		h := res.Hourly
		in.Resource = calc.PVResource{Kind: calc.ResourceHourly, GHI: h.GHIWm2, DNI: h.DNIWm2, DHI: h.DHIWm2, TempAirC: h.TempAirC, WindMs: h.WindSpeedMs}
	case res.EPW != "":
		epw, err := calc.ParseEPW(res.EPW)
		if err != nil {
			return in, invalid([]FieldProblem{epwProblem(rp+"/epw", err)})
		}
		if f := epwInRange(epw); f != nil {
			f.Pointer = rp + "/epw"
			return in, invalid([]FieldProblem{*f})
		}
		in.LatDeg, in.LonDeg, in.AltitudeM, in.UTCOffsetH = epw.LatDeg, epw.LonDeg, epw.ElevationM, epw.UTCOffsetH
		in.HasLocation = true
		in.Resource = calc.PVResource{Kind: calc.ResourceEPW, GHI: epw.GHI, DNI: epw.DNI, DHI: epw.DHI, TempAirC: epw.TempAirC, WindMs: epw.WindMs}
	case res.MonthlyGHIKWhM2 != nil:
		in.Resource.Kind, in.Resource.MonthlyGHIKWhM2, in.Resource.MonthlyTempC = calc.ResourceMonthly, res.MonthlyGHIKWhM2, res.MonthlyTempC
		in.Resource.MonthlyTempRangeC = res.MonthlyTempRangeC
	case res.AnnualGHIKWhM2 != nil:
		in.Resource.Kind, in.Resource.AnnualGHIKWhM2 = calc.ResourceAnnual, *res.AnnualGHIKWhM2
	case res.Site != "":
		in.Resource.Kind, in.Resource.Site = calc.ResourceSite, res.Site
	}
	if r.Load != nil {
		in.Load = r.Load.toLoad()
	}
	return in, nil
}

// epwHeaderLines is the number of lines before an EPW file's first hourly row.
const epwHeaderLines = 8

// epwProblem is the invalid_epw problem at ptr of an EPW file that does
// not parse (err, a *calc.EPWError): the line, and the field when one is
// at fault.
func epwProblem(ptr string, err error) FieldProblem {
	f := FieldProblem{Pointer: ptr, Detail: err.Error()}
	var e *calc.EPWError
	if errors.As(err, &e) {
		f.Code, f.Params = codeInvalidEPW, map[string]any{"line": e.Line}
		// Field is "14 (global horizontal radiation)": the number first.
		if n, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(e.Field, " ", 2)[0])); err == nil {
			f.Params["field"] = n
		}
	}
	return f
}

// epwInRange applies the hourly series' ranges to an EPW file's values:
// nil, or the invalid_epw problem (its pointer left to the caller) of the
// first value outside them, naming the line and field.
func epwInRange(e calc.EPW) *FieldProblem {
	for _, s := range []struct {
		name     string
		field    int // its position on the line, as EPWError numbers it
		v        []float64
		min, max float64
		unit     string
	}{
		{"global horizontal radiation", 14, e.GHI, 0, 1500, "W/m²"}, {"direct normal radiation", 15, e.DNI, 0, 1500, "W/m²"},
		{"diffuse horizontal radiation", 16, e.DHI, 0, 1500, "W/m²"}, {"dry bulb temperature", 7, e.TempAirC, -60, 60, "°C"},
		{"wind speed", 22, e.WindMs, 0, 60, "m/s"},
	} {
		for i, x := range s.v {
			if x < s.min || x > s.max {
				line := epwHeaderLines + 1 + i
				return &FieldProblem{Detail: fmt.Sprintf("epw line %d: %s %s is outside %s–%s", line, s.name, fmtNum(x), fmtNum(s.min), fmtNum(s.max)),
					Code: codeInvalidEPW, Params: map[string]any{"line": line, "field": s.field, "min": s.min, "max": s.max, "got": x, "unit": s.unit}}
			}
		}
	}
	return nil
}

func (l *loadRequest) toLoad() *calc.PVLoad {
	return &calc.PVLoad{FlatMW: l.FlatMW, Profile24x12MW: l.Profile24x12MW, Profile8760MW: l.Profile8760MW}
}

// pvLossesResponse breaks the yield down from nominal to AC [kWh/yr].
type pvLossesResponse struct {
	// NominalKWh = plane-of-array irradiation × DC capacity at 1 kW/m².
	NominalKWh float64 `json:"nominal_kwh" example:"1750000"`
	// IAMKWh lost to reflection at incidence angles (beam only).
	IAMKWh float64 `json:"iam_kwh" example:"35000"`
	// TemperatureKWh lost to cell temperature above 25 °C (negative below).
	TemperatureKWh float64 `json:"temperature_kwh" example:"60000"`
	// SystemKWh lost to losses_pct and degradation.
	SystemKWh float64 `json:"system_kwh" example:"230000"`
	// InverterKWh lost in conversion.
	InverterKWh float64 `json:"inverter_kwh" example:"50000"`
	// ClippingKWh lost above the inverter's AC capacity.
	ClippingKWh float64 `json:"clipping_kwh" example:"2000"`
}

// pvLoadResponse compares the PV output with the load hour by hour.
type pvLoadResponse struct {
	LoadKWh         float64 `json:"load_kwh" example:"4380000000"`
	SelfConsumedKWh float64 `json:"self_consumed_kwh" example:"1370000"`
	ExportedKWh     float64 `json:"exported_kwh" example:"0"`
	// HourlyMatchedShare = Σ_h min(load_h, pv_h) / Σ_h load_h.
	HourlyMatchedShare float64 `json:"hourly_matched_share" example:"0.0003"`
}

// pvResponse is a PV system's yield over the typical year.
type pvResponse struct {
	Dataset       string  `json:"dataset" example:"2026.1"`
	EngineVersion string  `json:"engine_version" example:"2026.11.0"`
	LatitudeDeg   float64 `json:"latitude" example:"37.62"`
	LongitudeDeg  float64 `json:"longitude" example:"112.58"`
	UTCOffsetH    float64 `json:"utc_offset_h" example:"8"`
	// AnnualACKWh is the AC energy of the typical year [kWh].
	AnnualACKWh float64 `json:"annual_ac_kwh" example:"1370000"`
	// MonthlyACKWh are 12 monthly AC energies [kWh], January first.
	MonthlyACKWh []float64 `json:"monthly_ac_kwh"`
	// SpecificYieldKWhPerKWp = annual AC / DC capacity.
	SpecificYieldKWhPerKWp float64 `json:"specific_yield_kwh_per_kwp" example:"1370"`
	// CapacityFactor = annual AC / (DC capacity × 8760 h), as PVWatts.
	CapacityFactor float64 `json:"capacity_factor" example:"0.156"`
	// AnnualGHIKWhM2 is the horizontal irradiation used [kWh/m²].
	AnnualGHIKWhM2 float64 `json:"annual_ghi_kwh_m2" example:"1398"`
	// AnnualPOAKWhM2 is the plane-of-array irradiation [kWh/m²].
	AnnualPOAKWhM2 float64 `json:"annual_poa_kwh_m2" example:"1650"`
	// PerformanceRatio = specific yield / (POA irradiation / 1 kW/m²) (IEC 61724).
	PerformanceRatio float64          `json:"performance_ratio" example:"0.82"`
	Losses           pvLossesResponse `json:"losses"`
	Load             *pvLoadResponse  `json:"load,omitempty"`
	// HourlyACKWh are 8760 hourly AC energies [kWh] (only with include_hourly).
	HourlyACKWh []float64          `json:"hourly_ac_kwh,omitempty"`
	Provenance  provenanceResponse `json:"provenance"`
}

func newPVResponse(ds string, r calc.PVResult, p calc.Provenance) pvResponse {
	out := pvResponse{
		Dataset: ds, EngineVersion: calc.EngineVersion, LatitudeDeg: r.LatDeg, LongitudeDeg: r.LonDeg, UTCOffsetH: r.UTCOffsetH,
		AnnualACKWh: r.AnnualACKWh, MonthlyACKWh: r.MonthlyACKWh[:], SpecificYieldKWhPerKWp: r.SpecificYieldKWhPerKWp,
		CapacityFactor: r.CapacityFactor, AnnualGHIKWhM2: r.AnnualGHIKWhM2, AnnualPOAKWhM2: r.AnnualPOAKWhM2,
		PerformanceRatio: r.PerformanceRatio,
		Losses: pvLossesResponse{
			NominalKWh: r.Losses.NominalKWh, IAMKWh: r.Losses.IAMKWh, TemperatureKWh: r.Losses.TemperatureKWh,
			SystemKWh: r.Losses.SystemKWh, InverterKWh: r.Losses.InverterKWh, ClippingKWh: r.Losses.ClippingKWh,
		},
		HourlyACKWh: r.HourlyACKWh, Provenance: newProvenance(reflect.TypeFor[pvRequest](), p),
	}
	if r.Load != nil {
		out.Load = &pvLoadResponse{LoadKWh: r.Load.LoadKWh, SelfConsumedKWh: r.Load.SelfConsumedKWh, ExportedKWh: r.Load.ExportedKWh, HourlyMatchedShare: r.Load.HourlyMatchedShare}
	}
	return out
}

// handlePV computes a PV system's yield.
//
//	@Summary		PV yield
//	@Description	Yield of a PV system over a typical year, as pvlib's ModelChain with PVWatts models: solar position (NREL SPA) → Erbs decomposition when only GHI is given → transposition (isotropic, Hay–Davies, Perez) → physical IAM on the beam → SAPM or PVsyst cell temperature → PVWatts DC → losses and degradation → PVWatts inverter with clipping. Time convention: value i of an hourly series (input or output) covers local standard time (UTC + utc_offset_h) from hour i to i+1 of a 365-day year starting 1 January 00:00 (no 29 February); the solar position is computed at the middle of the hour. Monthly or annual GHI becomes a typical hourly year with Collares-Pereira & Rabl / Liu–Jordan profiles scaled to the monthly totals. With a load, the response gives self-consumed and exported energy and the hourly-matched share. Bodies up to 4 MiB (or ALCARBON_BODY_LIMIT if larger) are accepted here, for EPW files.
//	@Tags			calculations
//	@Accept			json
//	@Produce		json
//	@Param			request	body		pvRequest	true	"PV system, location and solar resource"
//	@Success		200		{object}	pvResponse
//	@Header			200		{string}	ETag				"hash of the normalised request, the same from every cache tier; weak (W/\"…\") on a gzip answer; If-None-Match with either form gets 304"
//	@Header			200		{string}	X-Cache				"hit-memory (the same bytes or the same normalised request answered before), hit-redis or miss"
//	@Header			200		{string}	Content-Encoding	"gzip when Accept-Encoding accepts it (answers above 1 kB; the compressed form is kept in the cache)"
//	@Header			200		{string}	Vary				"Accept-Encoding (answers above 1 kB)"
//	@Failure		400		{object}	Problem	"malformed JSON"
//	@Failure		413		{object}	Problem	"body too large"
//	@Failure		415		{object}	Problem	"not JSON"
//	@Failure		422		{object}	Problem	"invalid fields, by JSON pointer; an EPW that does not parse says at which line; or over the work budget (ALCARBON_MAX_WORK): work_units and max_work_units given, the fields that drive the cost named by pointer"
//	@Failure		503		{object}	Problem	"every slot for heavy calculations busy for 1 s (Retry-After), or stopped at the write timeout"
//	@Router			/v1/pv [post]
func (s *server) handlePV(c echo.Context) error {
	return s.calculate(c, calcKinds[kindPV])
}

// solarSiteResponse is a PV resource preset.
type solarSiteResponse struct {
	ID           string  `json:"id" example:"taiyuan"`
	NameEN       string  `json:"name_en" example:"Taiyuan"`
	NameZH       string  `json:"name_zh" example:"太原"`
	Province     string  `json:"province" example:"CN-SX"`
	LatitudeDeg  float64 `json:"latitude" example:"37.62"`
	LongitudeDeg float64 `json:"longitude" example:"112.58"`
	AltitudeM    float64 `json:"altitude_m" example:"777"`
	WMO          string  `json:"wmo,omitempty" example:"53772"`
	StationNote  string  `json:"station_note,omitempty"`
	// GHIMonthlyKWhM2 are 12 monthly GHI totals [kWh/m²] (CBED); null when no sourced value exists.
	GHIMonthlyKWhM2 []float64 `json:"ghi_monthly_kwh_m2"`
	// AnnualGHIKWhM2 is their sum; null without monthly values.
	AnnualGHIKWhM2 *float64 `json:"annual_ghi_kwh_m2" example:"1398"`
	// GHIHighMonthlyKWhM2 are the CDSRD 1988–2017 monthly means (≈ 3.4 % higher), a high case.
	GHIHighMonthlyKWhM2 []float64 `json:"ghi_high_monthly_kwh_m2"`
	// TempMonthlyC are 12 monthly mean air temperatures [°C].
	TempMonthlyC []float64 `json:"temp_monthly_c"`
	// TempRangeMonthlyC are 12 monthly mean diurnal temperature ranges [°C] (mean daily maximum − mean daily minimum, CBED); absent when not sourced or in datasets before 2026.2. A site resource with them gets a diurnal air-temperature profile.
	TempRangeMonthlyC []float64 `json:"temp_range_monthly_c,omitempty"`
	// TempRangeSource is the citation of temp_range_monthly_c; absent without them.
	TempRangeSource string `json:"temp_range_source,omitempty"`
	Source          string `json:"source"`
	Confidence      string `json:"confidence" example:"M"`
	Note            string `json:"note,omitempty"`
}

// solarSitesResponse lists PV resource presets.
type solarSitesResponse struct {
	Dataset string              `json:"dataset" example:"2026.1"`
	Sites   []solarSiteResponse `json:"sites"`
}

// handleSolarSites lists the PV resource presets.
//
//	@Summary		PV resource presets
//	@Description	Shanxi's prefecture cities and the capitals of the aluminium provinces: coordinates, altitude, monthly GHI and air temperature from modelled station data (CBED; CDSRD as a high case), each with its source and confidence. A site without a sourced irradiation says so and cannot be used as a resource.
//	@Tags			reference data
//	@Produce		json
//	@Param			dataset	query		string	false	"dataset version"
//	@Success		200		{object}	solarSitesResponse
//	@Router			/v1/solar-sites [get]
func (s *server) handleSolarSites(c echo.Context) error {
	ds, err := s.datasetParam(c)
	if err != nil {
		return err
	}
	out := solarSitesResponse{Dataset: ds.Version(), Sites: []solarSiteResponse{}}
	for _, st := range ds.SolarSites() {
		r := solarSiteResponse{
			ID: st.ID, NameEN: st.NameEN, NameZH: st.NameZH, Province: st.Province, LatitudeDeg: st.LatitudeDeg,
			LongitudeDeg: st.LongitudeDeg, AltitudeM: st.AltitudeM, WMO: st.WMO, StationNote: st.StationNote,
			GHIMonthlyKWhM2: st.GHIMonthlyKWhM2, GHIHighMonthlyKWhM2: st.GHIHighMonthlyKWhM2, TempMonthlyC: st.TempMonthlyC,
			TempRangeMonthlyC: st.TempRangeMonthlyC, TempRangeSource: st.TempRangeSource, Source: st.Source, Confidence: string(st.Confidence), Note: st.Note,
		}
		if st.GHIMonthlyKWhM2 != nil {
			var sum float64
			for _, v := range st.GHIMonthlyKWhM2 {
				sum += v
			}
			r.AnnualGHIKWhM2 = &sum
		}
		out.Sites = append(out.Sites, r)
	}
	return c.JSON(http.StatusOK, out)
}
