package calc

import "math"

// PV system models: cell temperature (pvlib/temperature.py), PVWatts DC
// (pvlib/pvsystem.py) and PVWatts inverter (pvlib/inverter.py), and the
// hourly chain that ties them to the sun and irradiance models the way pvlib
// ModelChain does with PVWatts models.

// SAPMParams are the Sandia Array Performance Model temperature
// coefficients: a and b [–, s/m] of the module temperature (eq. 11) and
// ΔT [°C], the cell–module difference at 1000 W/m² (eq. 12).
type SAPMParams struct {
	A, B, DeltaT float64
}

// SAPM temperature parameter sets, pvlib temperature.
// TEMPERATURE_MODEL_PARAMETERS['sapm'] (from King et al., SAND2004-3535).
// Read-only: callers must not modify them.
var (
	// SAPMOpenRack is 'open_rack_glass_polymer'.
	SAPMOpenRack = SAPMParams{A: -3.56, B: -0.0750, DeltaT: 3}
	// SAPMOpenRackGlassGlass is 'open_rack_glass_glass'.
	SAPMOpenRackGlassGlass = SAPMParams{A: -3.47, B: -0.0594, DeltaT: 3}
	// SAPMCloseMount is 'close_mount_glass_glass'.
	SAPMCloseMount = SAPMParams{A: -2.98, B: -0.0471, DeltaT: 1}
	// SAPMInsulatedBack is 'insulated_back_glass_polymer'.
	SAPMInsulatedBack = SAPMParams{A: -2.81, B: -0.0455, DeltaT: 0}
)

// PVsyst heat loss factors [W/(m² K)], pvlib temperature.
// TEMPERATURE_MODEL_PARAMETERS['pvsyst'] (PVsyst 7 Help, "Array thermal
// losses"); Uv = 0 for both. The module efficiency and absorption pvlib
// pvsyst_cell assumes by default are 0.1 and 0.9.
const (
	PVsystUcFreestanding    = 29.0
	PVsystUcInsulated       = 15.0
	PVsystModuleEfficiency  = 0.1
	PVsystAlphaAbsorption   = 0.9
	sapmIrradianceRefWm2    = 1000.0
	pvwattsIrradianceRefWm2 = 1000.0
	pvwattsTempRefC         = 25.0
)

// CellTempSAPM returns the cell temperature [°C] by the Sandia Array
// Performance Model:
//
//	Tm = E exp(a + b WS) + Ta
//	Tc = Tm + (E/1000) ΔT
//
// King, Boyson & Kratochvil, "Photovoltaic Array Performance Model",
// SAND2004-3535 (2004) eqs. 11–12; pvlib temperature.sapm_cell.
// poaGlobalWm2 is the plane-of-array irradiance E, tempAirC the air
// temperature Ta and windMs the wind speed WS at 10 m.
func CellTempSAPM(poaGlobalWm2, tempAirC, windMs float64, p SAPMParams) float64 {
	return poaGlobalWm2*math.Exp(p.A+p.B*windMs) + tempAirC + poaGlobalWm2*(p.DeltaT/sapmIrradianceRefWm2)
}

// CellTempPVsyst returns the cell temperature [°C] by the PVsyst heat loss
// factor model:
//
//	Tc = Ta + α E (1 − η) / (Uc + Uv WS)
//
// PVsyst 7 Help "Array thermal losses"; Faiman, Prog. Photovolt. 16 (2008)
// 307–315; pvlib temperature.pvsyst_cell. uC [W/(m² K)] and uV
// [W/(m² K)/(m/s)] are the heat loss factors, moduleEfficiency η and
// alphaAbsorption α fractions (pvlib defaults 0.1 and 0.9).
func CellTempPVsyst(poaGlobalWm2, tempAirC, windMs, uC, uV, moduleEfficiency, alphaAbsorption float64) float64 {
	return tempAirC + poaGlobalWm2*alphaAbsorption*(1-moduleEfficiency)/(uC+uV*windMs)
}

// PVWattsDC returns the DC power of an array [W]:
//
//	P_dc = (G_eff/1000) P_dc0 (1 + γ (T_cell − 25))
//
// Dobos, "PVWatts Version 5 Manual", NREL/TP-6A20-62641 (2014);
// pvlib pvsystem.pvwatts_dc with temp_ref 25 °C. effectiveIrradianceWm2 is
// the irradiance reaching the cells (after IAM), tempCellC the cell
// temperature, pdc0W the DC rating at 1000 W/m² and 25 °C and gammaPerC the
// power temperature coefficient [1/°C], typically −0.002 … −0.005.
func PVWattsDC(effectiveIrradianceWm2, tempCellC, pdc0W, gammaPerC float64) float64 {
	return effectiveIrradianceWm2 * (pdc0W / pvwattsIrradianceRefWm2) * (1 + gammaPerC*(tempCellC-pvwattsTempRefC))
}

// PVWattsEtaInvRef is the PVWatts reference inverter efficiency η_ref.
const PVWattsEtaInvRef = 0.9637

// PVWattsInverter returns the inverter AC output [W]:
//
//	ζ = P_dc / P_dc0,  η = (η_nom/η_ref)(−0.0162 ζ − 0.0059/ζ + 0.9858)
//	P_ac = max(min(η P_dc, η_nom P_dc0), 0)
//
// Dobos, PVWatts Version 5 Manual (2014); pvlib inverter.pvwatts.
// pdc0InverterW is the inverter's DC input limit, so that η_nom × P_dc0 is
// its AC rating P_ac0; etaNom is the nominal efficiency (0.96) and etaRef
// the reference efficiency (PVWattsEtaInvRef). The output is floored at 0
// (η < 0 for ζ < 0.006, pvlib GH 541), which also gives pvlib's 0 at
// P_dc = 0, where pvlib drops the 0.0059/ζ term.
func PVWattsInverter(pdcW, pdc0InverterW, etaNom, etaRef float64) float64 {
	pac, _ := newPVWattsInv(pdc0InverterW, etaNom, etaRef).ac(pdcW)
	return pac
}

// pvwattsInv holds the per-inverter constants of PVWattsInverter.
type pvwattsInv struct {
	k, invPdc0, pdc0, pac0 float64
}

func newPVWattsInv(pdc0, etaNom, etaRef float64) pvwattsInv {
	return pvwattsInv{k: etaNom / etaRef, invPdc0: 1 / pdc0, pdc0: pdc0, pac0: etaNom * pdc0}
}

// ac returns the clipped AC output and the output before clipping at P_ac0
// (both floored at 0). Since P_dc/ζ = P_dc0, η P_dc is evaluated without
// dividing by ζ:
//
//	η P_dc = (η_nom/η_ref)((0.9858 − 0.0162 P_dc/P_dc0) P_dc − 0.0059 P_dc0)
func (v pvwattsInv) ac(pdc float64) (pac, unclipped float64) {
	raw := v.k * ((0.9858-0.0162*v.invPdc0*pdc)*pdc - 0.0059*v.pdc0)
	return max(min(raw, v.pac0), 0), max(raw, 0)
}

// Model names accepted by PVChainParams.
const (
	TranspositionIsotropic = "isotropic"
	TranspositionHayDavies = "haydavies"
	TranspositionPerez     = "perez"
	IAMModelPhysical       = "physical"
	IAMModelNone           = "none"
	TempModelSAPM          = "sapm"
	TempModelPVsyst        = "pvsyst"
)

// PVChainParams describes a fixed-tilt PV system for RunPVChain.
type PVChainParams struct {
	LatDeg, LonDeg, AltitudeM   float64 // site: latitude north, longitude east, elevation [m]
	TiltDeg, AzimuthDeg, Albedo float64 // surface tilt, azimuth east of north (south 180), ground albedo [–]

	Transposition string // "isotropic", "haydavies" or "perez"
	IAM           string // "physical" (n 1.526, K 4 /m, L 2 mm) or "none"
	TempModel     string // "sapm" (parameters SAPM) or "pvsyst" (PVsystUc, PVsystUv; η 0.1, α 0.9)

	SAPM               SAPMParams
	PVsystUc, PVsystUv float64 // [W/(m² K)], [W/(m² K)/(m/s)]

	// DC: PVWatts with rating Pdc0W [W] and temperature coefficient
	// GammaPerC [1/°C], then × (1 − LossFraction) × DegradationFactor.
	Pdc0W, GammaPerC, LossFraction, DegradationFactor float64

	// Inverter: PVWatts with AC rating Pac0W [W] and nominal efficiency
	// EtaInvNom; its DC limit is Pac0W/EtaInvNom and η_ref 0.9637.
	Pac0W, EtaInvNom float64
}

// PVHourly is hourly weather for the hours of a SunTable: irradiance [W/m²]
// (hour averages, or values at the middle of the hour), air temperature
// [°C] and wind speed [m/s]. GHI is required. DNI and DHI must both be
// given or both be nil; when nil they are estimated from GHI by Erbs with
// the true zenith (as pvlib ModelChain.complete_irradiance). A nil
// TempAirC means 20 °C and a nil WindMs 0 m/s (pvlib ModelChain defaults).
type PVHourly struct {
	GHI, DNI, DHI, TempAirC, WindMs []float64
}

// PVChainSums are annual totals by step of the chain, for a loss breakdown.
type PVChainSums struct {
	POAGlobalWhPerM2    float64 // plane-of-array global irradiation
	POAEffectiveWhPerM2 float64 // after the IAM on the beam
	DCBeforeLossesWh    float64 // PVWatts DC, after temperature
	DCWh                float64 // after system losses and degradation
	ACBeforeClippingWh  float64 // inverter output without the P_ac0 limit
	ACWh                float64 // inverter output
}

// PVChainOut receives RunPVChain's results. Each slice is nil (not wanted)
// or has the SunTable's Len() elements; values are per hour [W, W/m²].
type PVChainOut struct {
	ACW, DCW, POAGlobalWm2 []float64
	Sums                   PVChainSums
}

// chainModel enumerates the model strings once, outside the hourly loop.
type chainModel uint8

const (
	modelIsotropic chainModel = iota
	modelHayDavies
	modelPerez
)

// RunPVChain runs the hourly PVWatts chain for one site-year, as pvlib
// ModelChain with PVWatts DC and AC models, for every hour i of sun:
//
//  1. sun position at the site (sun.Positions; apparent zenith for the plane
//     of array, true zenith for Erbs);
//  2. if in.DNI and in.DHI are nil, Erbs(GHI, true zenith, E0(day));
//  3. plane-of-array beam, sky (p.Transposition) and ground components,
//     with the apparent zenith; E0 and, for Perez, RelativeAirmass(apparent
//     zenith);
//  4. effective irradiance = beam × IAM(AOI) + sky + ground;
//  5. cell temperature from the POA global (not effective) irradiance;
//  6. PVWattsDC(effective, T_cell) × (1 − LossFraction) × DegradationFactor;
//  7. PVWattsInverter with P_dc0 = Pac0W/EtaInvNom, clipping at Pac0W.
//
// Hours with the apparent zenith ≥ 90° (sun below the horizon) give 0.
// E0 is taken for the SunTable's day of year (1…365, 29 February skipped).
// Outputs go to the non-nil slices of out and the annual sums to out.Sums.
// RunPVChain does not allocate.
//
// It returns an *InputError naming the field by its Go name in p, in or
// out (Transposition, IAM, TempModel, SAPM, PVsystUc, Pdc0W, LossFraction,
// DegradationFactor, Pac0W, EtaInvNom, LatDeg, TiltDeg, GHI, DNI, DHI,
// TempAirC, WindMs, ACW, DCW, POAGlobalWm2) for an unknown model, an
// unusable parameter or a slice of the wrong length; callers that expose
// these under a request should translate the names.
func RunPVChain(sun *SunTable, p PVChainParams, in PVHourly, out *PVChainOut) error {
	n := sun.Len()
	if err := p.validate(); err != nil {
		return err
	}
	if err := in.validate(n); err != nil {
		return err
	}
	if err := out.validate(n); err != nil {
		return err
	}
	c := newPVChainRun(sun, &p, &in)
	var sums PVChainSums
	for i := range n {
		poaGlobal, effective, dcRaw, dc, unclipped, ac, up := c.hour(i)
		if up {
			sums.POAGlobalWhPerM2 += poaGlobal
			sums.POAEffectiveWhPerM2 += effective
			sums.DCBeforeLossesWh += dcRaw
			sums.DCWh += dc
			sums.ACBeforeClippingWh += unclipped
			sums.ACWh += ac
		}
		if out.ACW != nil {
			out.ACW[i] = ac
		}
		if out.DCW != nil {
			out.DCW[i] = dc
		}
		if out.POAGlobalWm2 != nil {
			out.POAGlobalWm2[i] = poaGlobal
		}
	}
	out.Sums = sums
	return nil
}

// pvChainRun is the model state of one RunPVChain run: the models chosen by
// the PVChainParams strings, the per-site and per-array constants derived
// from them once, the hourly weather, and the SAPM wind cache carried from
// hour to hour.
type pvChainRun struct {
	sun                       *SunTable
	site                      sunSite
	ghi, dni, dhi, tAir, wind []float64 // PVHourly's series [W/m², °C, m/s]; dni nil: Erbs
	transp                    chainModel
	useIAM, useSAPM           bool
	iam                       iamPhysical
	inv                       pvwattsInv

	sinTilt, cosTilt float64 // surface tilt β
	sinSAz, cosSAz   float64 // surface azimuth γ, east of north
	albedo           float64 // ground albedo ρ [–]

	sapmExpA   float64 // exp(a) of CellTempSAPM [–]
	sapmB      float64 // b of CellTempSAPM [s/m]
	sapmDTPerE float64 // ΔT/1000 of CellTempSAPM [°C m²/W]
	// exp(a + b WS) for the last wind speed seen: measured wind repeats
	// often, and a constant wind (or none) needs one exp per year.
	lastWindMs, sapmFactor float64
	pvsystUc, pvsystUv     float64 // CellTempPVsyst [W/(m² K)], [W/(m² K)/(m/s)]

	pdc0W, gammaPerC float64 // PVWattsDC rating [W] and temperature coefficient [1/°C]
	dcFactor         float64 // (1 − LossFraction) × DegradationFactor [–]
}

// newPVChainRun sets up a run for validated p and in: it resolves the model
// strings, the site's refraction at the standard-atmosphere pressure of its
// altitude (AltitudeToPressurePa, as sun.Positions), the surface's sines and
// cosines, exp(a) of the SAPM model (exp(a + b WS) = exp(a) exp(b WS)), the
// inverter's P_dc0 = Pac0W/EtaInvNom and the DC loss factor.
func newPVChainRun(sun *SunTable, p *PVChainParams, in *PVHourly) pvChainRun {
	c := pvChainRun{
		sun: sun,
		ghi: in.GHI, dni: in.DNI, dhi: in.DHI, tAir: in.TempAirC, wind: in.WindMs,
		transp:     modelIsotropic,
		useIAM:     p.IAM == IAMModelPhysical,
		iam:        newIAMPhysical(IAMPhysicalN, IAMPhysicalKPerM, IAMPhysicalLM),
		useSAPM:    p.TempModel == TempModelSAPM,
		sapmExpA:   math.Exp(p.SAPM.A),
		sapmB:      p.SAPM.B,
		sapmDTPerE: p.SAPM.DeltaT / sapmIrradianceRefWm2,
		lastWindMs: math.NaN(),
		pvsystUc:   p.PVsystUc, pvsystUv: p.PVsystUv,
		inv:    newPVWattsInv(p.Pac0W/p.EtaInvNom, p.EtaInvNom, PVWattsEtaInvRef),
		site:   newSunSite(p.LatDeg, p.LonDeg, p.AltitudeM, AltitudeToPressurePa(p.AltitudeM)/100, sunTableRefractionTempC),
		albedo: p.Albedo,
		pdc0W:  p.Pdc0W, gammaPerC: p.GammaPerC,
		dcFactor: (1 - p.LossFraction) * p.DegradationFactor,
	}
	switch p.Transposition {
	case TranspositionHayDavies:
		c.transp = modelHayDavies
	case TranspositionPerez:
		c.transp = modelPerez
	}
	c.sinTilt, c.cosTilt = math.Sincos(p.TiltDeg * radPerDeg)
	c.sinSAz, c.cosSAz = math.Sincos(p.AzimuthDeg * radPerDeg)
	return c
}

// hour runs steps 1–7 of RunPVChain for hour i and returns the plane-of-
// array global and effective irradiance [W/m²], the PVWatts DC power before
// and after losses and degradation [W] and the inverter output before and
// after clipping [W]; up is false, and all are 0, when the apparent sun is
// at or below the horizon. It is the hot loop's body: its steps are
// written out here or as helpers that inline (weather, dcACW), and its
// results are separate values, since a call per step costs ~15 % of the
// chain's time and a result struct ~5 %.
//
// Step 1 is the topocentric sun vector (SunTable.sunVector, SPA eqs.
// 37–41, 45–46), the true elevation e0 = atan2(up, √(east² + north²)) and
// the SPA eq. 42 refraction d (refractionDeg), giving the apparent zenith z
// and the angle of incidence θ on the array (pvlib irradiance.
// aoi_projection, clipped to −1…1):
//
//	cos z = sin(e0 + d) = sin e0 cos d + cos e0 sin d
//	cos θ = cos β cos z + sin β sin z cos(γs − γ)
//
// Step 2 is Erbs (erbsCos) unless DNI and DHI are given; steps 3–4 are
// pvlib irradiance.get_total_irradiance's components (beamComponent;
// isotropicSky, hayDaviesSky or perezSky with kastenYoungAirmass;
// groundDiffuse) with the physical IAM on the beam (iamPhysical.at); step 5
// is CellTempSAPM or CellTempPVsyst; steps 6–7 are dcACW.
func (c *pvChainRun) hour(i int) (poaGlobal, effective, dcRaw, dc, unclipped, ac float64, up bool) {
	sinE0, east, north := c.sun.sunVector(i, &c.site)
	// Below −1° true elevation refraction cannot lift the sun above the
	// horizon (SPA applies at most ~0.7° of refraction from −0.83°).
	if !(sinE0 > nightSinElevation) {
		return 0, 0, 0, 0, 0, 0, false
	}
	cosE0 := math.Sqrt(east*east + north*north)
	e0 := math.Atan2(sinE0, cosE0) * degPerRad
	de := refractionDeg(e0, sinE0, cosE0, c.site.refr) // apparent = true + de
	if !(e0+de > 0) {
		return 0, 0, 0, 0, 0, 0, false
	}
	// Apparent zenith z: cos z = sin(e0 + de), sin z = cos(e0 + de).
	sd, cd := smallSincos(de * radPerDeg)
	cosZ := sinE0*cd + cosE0*sd
	// sin z cos(γs − γ), where the sun's horizontal unit vector
	// is (east, north)/cos e0, so sin z / cos e0 = cd − tan e0 sd.
	var sinZCosAz float64
	if cosE0 > 0 {
		sinZCosAz = (cd - sinE0/cosE0*sd) * (east*c.sinSAz + north*c.cosSAz)
	}
	cosAOI := min(max(c.cosTilt*cosZ+c.sinTilt*sinZCosAz, -1), 1)

	// Step 2: the given DNI and DHI, or Erbs, Klein & Duffie (1982) with
	// the true zenith (cos = sin e0) and E0 of the day (erbsCos).
	ghi, e0Day := c.ghi[i], c.sun.dniExtraWm2[i/24]
	var dni, dhi float64
	if c.dni == nil {
		dni, dhi, _ = erbsCos(ghi, sinE0, e0Day)
	} else {
		dni, dhi = c.dni[i], c.dhi[i]
	}
	// Steps 3–4: plane-of-array components and the IAM on the beam.
	beam := beamComponent(dni, cosAOI)
	var sky float64
	switch c.transp {
	case modelIsotropic:
		sky = isotropicSky(c.cosTilt, dhi)
	case modelHayDavies:
		sky = hayDaviesSky(c.cosTilt, cosAOI, cosZ, dhi, dni, e0Day)
	case modelPerez:
		zDeg := 90 - e0 - de
		sky = perezSky(c.cosTilt, c.sinTilt, cosAOI, zDeg*radPerDeg, cosZ, dhi, dni,
			e0Day, kastenYoungAirmass(cosZ, zDeg))
	}
	ground := groundDiffuse(c.cosTilt, ghi, c.albedo)
	poaGlobal = beam + sky + ground
	effective = poaGlobal
	if c.useIAM {
		effective = beam*c.iam.at(cosAOI) + sky + ground
	}

	// Step 5: CellTempSAPM (King et al. 2004 eqs. 11–12) as
	// E exp(a) exp(b WS) + Ta + E ΔT/1000, with exp(b WS) recomputed only
	// when the wind changes, or CellTempPVsyst with η 0.1 and α 0.9.
	tAir, wind := c.weather(i)
	var tCell float64
	if c.useSAPM {
		if wind != c.lastWindMs {
			c.lastWindMs, c.sapmFactor = wind, c.sapmExpA*math.Exp(c.sapmB*wind)
		}
		tCell = poaGlobal*c.sapmFactor + tAir + poaGlobal*c.sapmDTPerE
	} else {
		tCell = CellTempPVsyst(poaGlobal, tAir, wind, c.pvsystUc, c.pvsystUv, PVsystModuleEfficiency, PVsystAlphaAbsorption)
	}
	// Steps 6–7: PVWatts DC, losses, inverter.
	dcRaw, dc, ac, unclipped = c.dcACW(effective, tCell)
	return poaGlobal, effective, dcRaw, dc, unclipped, ac, true
}

// weather returns the air temperature [°C] and wind speed [m/s] of hour i:
// 20 °C and 0 m/s when not given (pvlib ModelChain defaults).
func (c *pvChainRun) weather(i int) (tAirC, windMs float64) {
	tAirC, windMs = 20.0, 0.0
	if c.tAir != nil {
		tAirC = c.tAir[i]
	}
	if c.wind != nil {
		windMs = c.wind[i]
	}
	return tAirC, windMs
}

// dcACW is steps 6–7 of RunPVChain: PVWattsDC of the effective irradiance
// [W/m²] at cell temperature tCellC [°C] (Dobos 2014), that × (1 −
// LossFraction) × DegradationFactor, and the PVWatts inverter's output
// clipped at Pac0W and before clipping [W] (pvwattsInv.ac).
func (c *pvChainRun) dcACW(effectiveWm2, tCellC float64) (dcRawW, dcW, acW, unclippedW float64) {
	dcRawW = PVWattsDC(effectiveWm2, tCellC, c.pdc0W, c.gammaPerC)
	dcW = dcRawW * c.dcFactor
	acW, unclippedW = c.inv.ac(dcW)
	return dcRawW, dcW, acW, unclippedW
}

// nightSinElevation is sin(−1°): below it the apparent zenith is > 90°.
var nightSinElevation = math.Sin(-1 * radPerDeg)

// smallSincos returns sin x and cos x for |x| < 0.02 rad (the refraction
// angle) by their Taylor series to x⁵ and x⁶; the next terms are below
// 3e-16 and 2e-18.
func smallSincos(x float64) (sin, cos float64) {
	x2 := x * x
	sin = x * (1 - x2*(1.0/6)*(1-x2*(1.0/20)))
	cos = 1 - x2*0.5*(1-x2*(1.0/12)*(1-x2*(1.0/30)))
	return sin, cos
}

// validate checks the parameters of the PV chain. Its errors have no
// code: the API refuses each such input first (the bounds and enums of
// its PV request, the hourly series' counts, DNI and DHI together,
// degradation through no_output_left), so no request reaches them; they
// guard the engine's other callers.
func (p *PVChainParams) validate() error {
	switch p.Transposition {
	case TranspositionIsotropic, TranspositionHayDavies, TranspositionPerez:
	default:
		return fieldError("Transposition", "is %q; use %q, %q or %q", p.Transposition,
			TranspositionIsotropic, TranspositionHayDavies, TranspositionPerez)
	}
	switch p.IAM {
	case IAMModelPhysical, IAMModelNone:
	default:
		return fieldError("IAM", "is %q; use %q or %q", p.IAM, IAMModelPhysical, IAMModelNone)
	}
	switch p.TempModel {
	case TempModelSAPM:
		if p.SAPM == (SAPMParams{}) {
			return fieldError("SAPM", "SAPM temperature parameters are not set (e.g. open rack glass/polymer a −3.56, b −0.075, ΔT 3)")
		}
	case TempModelPVsyst:
		if !(p.PVsystUc > 0) || p.PVsystUv < 0 {
			return fieldError("PVsystUc", "PVsyst heat loss factors must be Uc > 0 and Uv ≥ 0 (free-standing 29, insulated 15)")
		}
	default:
		return fieldError("TempModel", "is %q; use %q or %q", p.TempModel, TempModelSAPM, TempModelPVsyst)
	}
	switch {
	case !(p.LatDeg >= -90 && p.LatDeg <= 90):
		return fieldError("LatDeg", "is %g; must be within −90…90", p.LatDeg)
	case !(p.TiltDeg >= 0 && p.TiltDeg <= 180):
		return fieldError("TiltDeg", "is %g; must be within 0…180", p.TiltDeg)
	case !(p.Pdc0W > 0):
		return fieldError("Pdc0W", "is %g; must be > 0", p.Pdc0W)
	case !(p.LossFraction >= -0.05 && p.LossFraction < 1):
		return fieldError("LossFraction", "is %g; must be within −0.05…1 (0.14 for PVWatts' default 14 %%; PVWatts accepts −5 %% to 99 %%)", p.LossFraction)
	case !(p.DegradationFactor > 0 && p.DegradationFactor <= 1.5):
		return fieldError("DegradationFactor", "is %g; must be within 0…1.5 (1 for a new system)", p.DegradationFactor)
	case !(p.Pac0W > 0):
		return fieldError("Pac0W", "is %g; must be > 0", p.Pac0W)
	case !(p.EtaInvNom > 0 && p.EtaInvNom <= 1):
		return fieldError("EtaInvNom", "is %g; must be within 0…1", p.EtaInvNom)
	}
	return nil
}

func (in *PVHourly) validate(n int) error {
	if len(in.GHI) != n {
		return fieldError("GHI", "has %d values, want %d (one per hour)", len(in.GHI), n)
	}
	if (in.DNI == nil) != (in.DHI == nil) {
		field := "DNI"
		if in.DHI == nil {
			field = "DHI"
		}
		return fieldError(field, "DNI and DHI must both be given or both be omitted (then Erbs estimates them from GHI)")
	}
	for _, s := range []struct {
		field string
		v     []float64
	}{{"DNI", in.DNI}, {"DHI", in.DHI}, {"TempAirC", in.TempAirC}, {"WindMs", in.WindMs}} {
		if s.v != nil && len(s.v) != n {
			return fieldError(s.field, "has %d values, want %d (one per hour) or none", len(s.v), n)
		}
	}
	return nil
}

// validate checks that each wanted output series has one value per hour.
func (out *PVChainOut) validate(n int) error {
	for _, s := range []struct {
		field string
		v     []float64
	}{{"ACW", out.ACW}, {"DCW", out.DCW}, {"POAGlobalWm2", out.POAGlobalWm2}} {
		if s.v != nil && len(s.v) != n {
			return fieldError(s.field, "has %d values, want %d (one per hour) or none", len(s.v), n)
		}
	}
	return nil
}
