package calc

import "math"

// Irradiance models, following pvlib-python (pvlib/irradiance.py,
// pvlib/atmosphere.py, pvlib/iam.py). Angles are in degrees: zenith from
// vertical, azimuths east of north (south = 180), tilt from horizontal.
// Irradiances are in W/m².

// SolarConstantWm2 is the solar constant pvlib get_extra_radiation uses by
// default [W/m²].
const SolarConstantWm2 = 1366.1

// ExtraterrestrialIrradiance returns the extraterrestrial normal irradiance
// on dayOfYear (1…366) [W/m²]:
//
//	E0 = 1366.1 × (1.00011 + 0.034221 cos B + 0.00128 sin B
//	             + 0.000719 cos 2B + 0.000077 sin 2B),  B = 2π (doy − 1)/365
//
// Spencer (1971) as in pvlib irradiance.get_extra_radiation (method
// 'spencer', the default); Duffie & Beckman, Solar Engineering of Thermal
// Processes, 2nd ed. (1991).
func ExtraterrestrialIrradiance(dayOfYear int) float64 {
	b := 2 * math.Pi / 365 * float64(dayOfYear-1)
	sinB, cosB := math.Sincos(b)
	sin2B, cos2B := math.Sincos(2 * b)
	return SolarConstantWm2 * (1.00011 + 0.034221*cosB + 0.00128*sinB + 0.000719*cos2B + 7.7e-05*sin2B)
}

// RelativeAirmass returns the relative (not pressure-corrected) optical air
// mass for an apparent zenith angle [–]:
//
//	AM = 1 / (cos z + 0.50572 (6.07995 + (90 − z))^−1.6364)
//
// Kasten & Young, "Revised optical air mass tables and approximation
// formula", Applied Optics 28:4735 (1989); pvlib
// atmosphere.get_relative_airmass default model 'kastenyoung1989'. pvlib
// returns NaN beyond 90°; this function returns +Inf there (the sun is
// below the horizon: an infinitely long path), and NaN for a NaN zenith.
func RelativeAirmass(zenithDeg float64) float64 {
	if zenithDeg > 90 {
		return math.Inf(1)
	}
	return kastenYoungAirmass(math.Cos(zenithDeg*radPerDeg), zenithDeg)
}

// kastenYoungAirmass is RelativeAirmass for z ≤ 90° given cos z, with the
// power written as exp(−1.6364 ln(96.07995 − z)), about twice as fast as
// math.Pow.
func kastenYoungAirmass(cosZ, zenithDeg float64) float64 {
	return 1 / (cosZ + 0.50572*math.Exp(-1.6364*math.Log(96.07995-zenithDeg)))
}

// Erbs limits, pvlib irradiance.erbs defaults: cos(zenith) is floored at
// 0.065 (86.273°) in the clearness index, and DNI is 0 beyond 87°.
const (
	erbsMinCosZenith = 0.065
	erbsMaxZenithDeg = 87.0
)

var erbsMaxZenithCos = math.Cos(erbsMaxZenithDeg * radPerDeg)

// Erbs splits global horizontal irradiance into direct normal and diffuse
// horizontal irradiance [W/m²] and returns the clearness index kt [–]:
//
//	kt = GHI / (E0 max(cos z, 0.065)),  clipped to 0…1
//	DF = 1 − 0.09 kt                                           kt ≤ 0.22
//	DF = 0.9511 − 0.1604 kt + 4.388 kt² − 16.638 kt³ + 12.336 kt⁴   0.22 < kt ≤ 0.80
//	DF = 0.165                                                 kt > 0.80
//	DHI = DF × GHI,  DNI = (GHI − DHI) / cos z
//
// Erbs, Klein & Duffie, Solar Energy 28(4) 293–302 (1982) eq. 1; pvlib
// irradiance.erbs with its clamps: where zenith > 87°, GHI < 0 or DNI < 0,
// DNI = 0 and DHI = GHI. zenithDeg is the true (unrefracted) zenith and
// dniExtraWm2 the extraterrestrial irradiance (ExtraterrestrialIrradiance).
func Erbs(ghiWm2, zenithDeg, dniExtraWm2 float64) (dniWm2, dhiWm2, kt float64) {
	return erbsCos(ghiWm2, math.Cos(zenithDeg*radPerDeg), dniExtraWm2)
}

// erbsCos is Erbs with the cosine of the true zenith; zenith > 87° is
// tested as cos z < cos 87°.
func erbsCos(ghi, cosZ, dniExtra float64) (dni, dhi, kt float64) {
	kt = ghi / (dniExtra * max(cosZ, erbsMinCosZenith))
	kt = min(max(kt, 0), 1)
	var df float64
	switch {
	case kt <= 0.22:
		df = 1 - 0.09*kt
	case kt <= 0.8:
		df = 0.9511 + kt*(-0.1604+kt*(4.388+kt*(-16.638+kt*12.336)))
	default:
		df = 0.165
	}
	dhi = df * ghi
	dni = (ghi - dhi) / cosZ
	if cosZ < erbsMaxZenithCos || ghi < 0 || dni < 0 {
		return 0, ghi, kt
	}
	return dni, dhi, kt
}

// AOI returns the angle of incidence of the sun's rays on a surface [deg],
// the angle between the sun vector and the surface normal:
//
//	cos θ = cos β cos z + sin β sin z cos(γs − γ)
//
// pvlib irradiance.aoi (the projection is clipped to −1…1, GH 1185).
// surfaceTiltDeg β, surfaceAzimuthDeg γ (east of north), solarZenithDeg z
// and solarAzimuthDeg γs; pvlib passes the apparent zenith.
func AOI(surfaceTiltDeg, surfaceAzimuthDeg, solarZenithDeg, solarAzimuthDeg float64) float64 {
	return math.Acos(aoiProjection(surfaceTiltDeg, surfaceAzimuthDeg, solarZenithDeg, solarAzimuthDeg)) * degPerRad
}

// aoiProjection is cos(AOI), pvlib irradiance.aoi_projection.
func aoiProjection(tiltDeg, surfAzDeg, zenDeg, azDeg float64) float64 {
	sinT, cosT := math.Sincos(tiltDeg * radPerDeg)
	sinZ, cosZ := math.Sincos(zenDeg * radPerDeg)
	p := cosT*cosZ + sinT*sinZ*math.Cos((azDeg-surfAzDeg)*radPerDeg)
	return min(max(p, -1), 1)
}

// POA is plane-of-array irradiance by component [W/m²]: beam (direct),
// sky diffuse and ground-reflected diffuse.
type POA struct {
	BeamWm2, SkyDiffuseWm2, GroundDiffuseWm2 float64
}

// Global returns the total plane-of-array irradiance, the sum of the three
// components [W/m²] (pvlib poa_global).
func (p POA) Global() float64 {
	return p.BeamWm2 + p.SkyDiffuseWm2 + p.GroundDiffuseWm2
}

// groundDiffuse is pvlib irradiance.get_ground_diffuse:
//
//	G_ground = GHI × ρ × (1 − cos β)/2
func groundDiffuse(cosTilt, ghi, albedo float64) float64 {
	return ghi * albedo * (1 - cosTilt) * 0.5
}

// beamComponent is pvlib irradiance.poa_components' poa_direct,
// max(DNI cos θ, 0).
func beamComponent(dni, cosAOI float64) float64 {
	return max(dni*cosAOI, 0)
}

// isotropicSky is pvlib irradiance.isotropic, DHI (1 + cos β)/2.
func isotropicSky(cosTilt, dhi float64) float64 {
	return dhi * (1 + cosTilt) * 0.5
}

// POAIsotropic returns the plane-of-array components with the isotropic
// sky model [W/m²]:
//
//	beam = max(DNI cos θ, 0)
//	sky = DHI (1 + cos β)/2
//	ground = GHI ρ (1 − cos β)/2
//
// Hottel & Woertz (1942) as in pvlib irradiance.isotropic,
// get_ground_diffuse and poa_components (Loutzenhiser et al., Solar Energy
// 81 (2007) 254–267). tilt β and surfAz are the surface's; zen (apparent,
// as pvlib ModelChain passes) and az the sun's [deg]; dni, ghi, dhi [W/m²];
// albedo ρ [–].
func POAIsotropic(tilt, surfAz, zen, az, dni, ghi, dhi, albedo float64) POA {
	cosT := math.Cos(tilt * radPerDeg)
	cosAOI := aoiProjection(tilt, surfAz, zen, az)
	return POA{
		BeamWm2:          beamComponent(dni, cosAOI),
		SkyDiffuseWm2:    isotropicSky(cosT, dhi),
		GroundDiffuseWm2: groundDiffuse(cosT, ghi, albedo),
	}
}

// hayDaviesMinCosZenith floors cos(zenith) in the circumsolar ratio Rb
// (pvlib GH 432: cos 89°).
const hayDaviesMinCosZenith = 0.01745

// hayDaviesSky is pvlib irradiance.haydavies for given cos θ and cos z.
func hayDaviesSky(cosTilt, cosAOI, cosZ, dhi, dni, dniExtra float64) float64 {
	rb := max(cosAOI, 0) / max(cosZ, hayDaviesMinCosZenith)
	ai := dni / dniExtra
	iso := max(dhi*(1-ai)*(1+cosTilt)*0.5, 0)
	circ := max(dhi*ai*rb, 0)
	return iso + circ
}

// POAHayDavies returns the plane-of-array components with the Hay & Davies
// (1980) sky model [W/m²]:
//
//	sky = max(DHI (1 − A)(1 + cos β)/2, 0) + max(DHI A Rb, 0),
//	A = DNI/E0,  Rb = max(cos θ, 0)/max(cos z, 0.01745)
//
// pvlib irradiance.haydavies (Loutzenhiser et al. 2007 eq. 7; Hay &
// Davies, Proc. First Canadian Solar Radiation Data Workshop, 1980); beam
// and ground as in POAIsotropic. dniExtra is E0 [W/m²].
func POAHayDavies(tilt, surfAz, zen, az, dni, ghi, dhi, dniExtra, albedo float64) POA {
	cosT := math.Cos(tilt * radPerDeg)
	cosAOI := aoiProjection(tilt, surfAz, zen, az)
	return POA{
		BeamWm2:          beamComponent(dni, cosAOI),
		SkyDiffuseWm2:    hayDaviesSky(cosT, cosAOI, math.Cos(zen*radPerDeg), dhi, dni, dniExtra),
		GroundDiffuseWm2: groundDiffuse(cosT, ghi, albedo),
	}
}

// perezKappa is the Perez clearness zenith correction for z in radians.
const perezKappa = 1.041

// perezEpsilonBins are the lower edges of the Perez sky clearness bins
// 1…8 (overcast … clear), pvlib irradiance.perez.
var perezEpsilonBins = [8]float64{0, 1.065, 1.23, 1.5, 1.95, 2.8, 4.5, 6.2}

// perezAllSites1990 are the Perez F1 (f11, f12, f13) and F2 (f21, f22,
// f23) coefficients per clearness bin, 'allsitescomposite1990' (Perez et
// al., Solar Energy 44(5) 271–289, 1990), typed from pvlib
// irradiance._get_perez_coefficients.
var perezAllSites1990 = [8][6]float64{
	{-0.0080, 0.5880, -0.0620, -0.0600, 0.0720, -0.0220},
	{0.1300, 0.6830, -0.1510, -0.0190, 0.0660, -0.0290},
	{0.3300, 0.4870, -0.2210, 0.0550, -0.0640, -0.0260},
	{0.5680, 0.1870, -0.2950, 0.1090, -0.1520, -0.0140},
	{0.8730, -0.3920, -0.3620, 0.2260, -0.4620, 0.0010},
	{1.1320, -1.2370, -0.4120, 0.2880, -0.8230, 0.0560},
	{1.0600, -1.6000, -0.3590, 0.2640, -1.1270, 0.1310},
	{0.6780, -0.3270, -0.2500, 0.1560, -1.3770, 0.2510},
}

var perezMinCosZenith = math.Cos(85 * radPerDeg)

// perezSky is pvlib irradiance.perez for given cos θ, the apparent zenith
// zRad and its cosine.
func perezSky(cosTilt, sinTilt, cosAOI, zRad, cosZ, dhi, dni, dniExtra, airmass float64) float64 {
	if dhi <= 0 || math.IsNaN(airmass) || math.IsInf(airmass, 0) {
		return 0
	}
	delta := dhi * airmass / dniExtra // sky brightness
	kz3 := perezKappa * zRad * zRad * zRad
	// Sky clearness ((DHI + DNI)/DHI + κz³)/(1 + κz³), with one division.
	eps := (dhi + dni + kz3*dhi) / (dhi * (1 + kz3))
	if !(eps >= 0) {
		return math.NaN()
	}
	bin := 0 // count of bin edges ≤ ε, less the first (0)
	for _, edge := range perezEpsilonBins[1:] {
		if eps >= edge {
			bin++
		}
	}
	c := &perezAllSites1990[bin]
	f1 := max(c[0]+c[1]*delta+c[2]*zRad, 0)
	f2 := c[3] + c[4]*delta + c[5]*zRad
	a := max(cosAOI, 0)
	b := max(cosZ, perezMinCosZenith)
	sky := dhi * (0.5*(1-f1)*(1+cosTilt) + f1*a/b + f2*sinTilt)
	return max(sky, 0)
}

// POAPerez returns the plane-of-array components with the Perez (1990)
// sky model, 'allsitescomposite1990' coefficients [W/m²]:
//
//	ε = ((DHI + DNI)/DHI + κ z³)/(1 + κ z³),  κ = 1.041, z [rad]
//	Δ = DHI × AM / E0
//	F1 = max(f11 + f12 Δ + f13 z, 0),  F2 = f21 + f22 Δ + f23 z  (bin of ε)
//	sky = max(DHI ((1 − F1)(1 + cos β)/2 + F1 a/b + F2 sin β), 0),
//	a = max(cos θ, 0),  b = max(cos z, cos 85°)
//
// pvlib irradiance.perez (Perez et al., Solar Energy 39(3) 221–232, 1987
// and 44(5) 271–289, 1990; Loutzenhiser et al. 2007). zen is the apparent
// zenith, dniExtra E0 and airmassRel the relative air mass
// (RelativeAirmass of the apparent zenith, as pvlib ModelChain). As in
// pvlib the sky term is 0 where the air mass is not finite (sun below the
// horizon); it is also 0 where DHI ≤ 0 (pvlib gives NaN for DHI = DNI = 0).
// Beam and ground as in POAIsotropic.
func POAPerez(tilt, surfAz, zen, az, dni, ghi, dhi, dniExtra, airmassRel, albedo float64) POA {
	sinT, cosT := math.Sincos(tilt * radPerDeg)
	cosAOI := aoiProjection(tilt, surfAz, zen, az)
	zRad := zen * radPerDeg
	return POA{
		BeamWm2:          beamComponent(dni, cosAOI),
		SkyDiffuseWm2:    perezSky(cosT, sinT, cosAOI, zRad, math.Cos(zRad), dhi, dni, dniExtra, airmassRel),
		GroundDiffuseWm2: groundDiffuse(cosT, ghi, albedo),
	}
}

// Physical IAM defaults from De Soto et al. (2006), pvlib iam.physical:
// glass refractive index n, extinction coefficient K [1/m] and thickness L [m].
const (
	IAMPhysicalN      = 1.526
	IAMPhysicalKPerM  = 4.0
	IAMPhysicalLM     = 0.002
	iamPhysicalAirRef = 1.0
)

// IAMPhysical returns the incidence angle modifier of a glass cover [–],
// transmittance at aoiDeg relative to normal incidence:
//
//	θr = asin(sin θ / n)
//	τ(θ) = e^(−K L / cos θr) [1 − ½ (ρs + ρp)] with the Fresnel reflectances
//	ρs = ((cos θ − n cos θr)/(cos θ + n cos θr))², ρp = ((cos θr − n cos θ)/(cos θr + n cos θ))²
//	IAM = τ(θ)/τ(0),  τ(0) = e^(−K L) (1 − ((n − 1)/(n + 1))²)
//
// De Soto, Klein & Beckman, Solar Energy 80 (2006) 78–88 §3; Duffie &
// Beckman (2006); pvlib iam.physical without an anti-reflective coating.
// n is the refractive index (1.526), kPerM the extinction coefficient
// K (4 /m) and lM the glass thickness L (0.002 m). IAM is 0 for |θ| ≥ 90°.
func IAMPhysical(aoiDeg, n, kPerM, lM float64) float64 {
	return newIAMPhysical(n, kPerM, lM).at(math.Cos(aoiDeg * radPerDeg))
}

// iamGrazingCos is cos(AOI) below which IAMPhysical returns 0; cos 90° in
// floating point is 6e-17, not 0.
const iamGrazingCos = 1e-12

// iamPhysical holds the per-module constants of IAMPhysical.
type iamPhysical struct {
	n, invN2, kl, halfInvTau0 float64
}

func newIAMPhysical(n, kPerM, lM float64) iamPhysical {
	rho0 := (iamPhysicalAirRef - n) / (iamPhysicalAirRef + n)
	kl := kPerM * lM
	tau0 := (1 - rho0*rho0) * math.Exp(-kl)
	return iamPhysical{n: n, invN2: 1 / (n * n), kl: kl, halfInvTau0: 0.5 / tau0}
}

// at returns the IAM for cos(AOI).
func (m iamPhysical) at(cosAOI float64) float64 {
	c1 := max(0, cosAOI)
	if c1 < iamGrazingCos {
		// Grazing or from behind: nothing enters. For n > 1 the Fresnel
		// terms give 0 here anyway; for n = 1 they would give 0/0, where
		// pvlib sets IAM 0 for AOI ≥ 90°.
		return 0
	}
	// Snell: sin θr = sin θ / n, so cos θr = √(1 − (1 − cos²θ)/n²).
	c2 := math.Sqrt(1 - (1-c1*c1)*m.invN2)
	nc1, nc2 := m.n*c1, m.n*c2
	// ρs = (a/b)², ρp = (c/d)²; one division serves both and 1/cos θr.
	a, b := c1-nc2, c1+nc2
	c, d := c2-nc1, c2+nc1
	b2, d2 := b*b, d*d
	inv := 1 / (b2 * d2 * c2)
	rhoSum := (a*a*d2 + c*c*b2) * c2 * inv
	return (2 - rhoSum) * expNeg(m.kl*b2*d2*inv) * m.halfInvTau0
}

// expNeg returns e^−y. For 0 ≤ y < 0.05 (glass absorption K L / cos θr is
// about 0.01) it sums the Taylor series to y⁸, exact to double precision
// (the next term is below 6e-18) and several times cheaper than math.Exp.
func expNeg(y float64) float64 {
	if y < 0 || y >= 0.05 {
		return math.Exp(-y)
	}
	const c2, c3, c4, c5, c6, c7, c8 = 1.0 / 2, 1.0 / 3, 1.0 / 4, 1.0 / 5, 1.0 / 6, 1.0 / 7, 1.0 / 8
	return 1 - y*(1-y*c2*(1-y*c3*(1-y*c4*(1-y*c5*(1-y*c6*(1-y*c7*(1-y*c8)))))))
}
