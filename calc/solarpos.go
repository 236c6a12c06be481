package calc

import "math"

// Solar position: the NREL Solar Position Algorithm (SPA) of
//
//	I. Reda and A. Andreas, "Solar position algorithm for solar radiation
//	applications", Solar Energy 76(5) 577–589 (2004); NREL/TP-560-34302
//	(revised 2008),
//
// as implemented in pvlib-python pvlib/spa.py (the periodic-term tables
// below are typed from that file, which follows the paper's Tables A4.2 and
// A4.3). Equation numbers in comments are the paper's.

// SunTableDeltaTSec is ΔT = TT − UT1 [s] used by NewSunTable:
//
//	ΔT = 32.184 s + (TAI − UTC) − (UT1 − UTC) = 32.184 + 37 − (−0.2…+0.1) ≈ 69.2 s
//
// TAI − UTC has been 37 s since 1 January 2017 (IERS Bulletin C 52) and
// UT1 − UTC stayed within −0.2…+0.1 s through 2019–2025 (IERS Bulletin A),
// so 69.2 s holds to ±0.3 s for the 2020s. One second of ΔT moves the sun by
// about 0.004° in hour angle; for a year far from the 2020s (say 2003, ΔT
// 64.6 s) the table is off by up to 0.02°, still negligible for energy yield.
const SunTableDeltaTSec = 69.2

// spaAtmosRefractDeg is the sun's apparent radius plus the refraction at
// sunrise/sunset that SPA uses to decide whether to apply refraction
// (eq. 42 switch; pvlib's atmos_refract default 0.5667°, sun radius 0.26667°).
const (
	spaAtmosRefractDeg = 0.5667
	spaSunRadiusDeg    = 0.26667
)

// sunTableRefractionTempC is the air temperature SunTable.Positions and
// RunPVChain use for refraction, pvlib solarposition.get_solarposition's
// default (12 °C).
const sunTableRefractionTempC = 12.0

const (
	radPerDeg = math.Pi / 180
	degPerRad = 180 / math.Pi
)

// JulianDay returns the Julian Day [days] of a UTC instant in the Gregorian
// calendar (dates after 15 October 1582):
//
//	JD = INT(365.25 (Y + 4716)) + INT(30.6001 (M + 1)) + D + B − 1524.5,
//	B = 2 − A + INT(A/4), A = INT(Y/100),
//
// Reda & Andreas 2004 eq. 4, with Y, M = year − 1, month + 12 for January
// and February. hourUTC is the time of day in hours and may be outside
// 0..24 (it is added as a fraction of a day), so a local time with its UTC
// offset subtracted can be passed directly.
func JulianDay(year, month, day int, hourUTC float64) float64 {
	if month <= 2 {
		year--
		month += 12
	}
	a := year / 100
	b := 2 - a + a/4
	return math.Floor(365.25*float64(year+4716)) + math.Floor(30.6001*float64(month+1)) +
		float64(day) + hourUTC/24 + float64(b) - 1524.5
}

// SolarPosition is the sun's topocentric position at one instant [deg].
// Zenith is the true (geometric) zenith angle; ApparentZenith and
// ApparentElevation include atmospheric refraction. Azimuth is measured
// eastward from north (90 east, 180 south), pvlib's convention.
type SolarPosition struct {
	ZenithDeg, ApparentZenithDeg, AzimuthDeg, ApparentElevationDeg float64
}

// SPA returns the sun's topocentric position by the NREL Solar Position
// Algorithm, full accuracy (±0.0003° over −2000…6000):
//
//	Reda & Andreas 2004 eqs. 4–46 (pvlib spa.solar_position)
//
// jdUT is the Julian Day of the instant in UT (see JulianDay); deltaTSec is
// ΔT = TT − UT [s]; latDeg is positive north, lonDeg positive east,
// altitudeM the elevation above sea level [m]; pressureHPa [hPa] and tempC
// [°C] are the annual mean local pressure and temperature used for
// refraction (eq. 42–43; refraction is applied only while the sun is above
// −0.8334° true elevation, as in pvlib).
func SPA(jdUT, deltaTSec, latDeg, lonDeg, altitudeM, pressureHPa, tempC float64) SolarPosition {
	jde := jdUT + deltaTSec/86400
	g := spaGeocentric(jdUT, spaSeriesAt(jde))

	// Eq. 32: local hour angle, measured westward from south.
	h := math.Mod(g.nuDeg+lonDeg-g.alphaDeg, 360)
	if h < 0 {
		h += 360
	}
	// Eq. 33: equatorial horizontal parallax of the sun.
	xi := 8.794 / (3600 * g.r)
	// Eqs. 34–36: observer's geocentric position terms.
	u := math.Atan(0.99664719 * math.Tan(latDeg*radPerDeg))
	x := math.Cos(u) + altitudeM/6378140*math.Cos(latDeg*radPerDeg)
	y := 0.99664719*math.Sin(u) + altitudeM/6378140*math.Sin(latDeg*radPerDeg)
	sinXi := math.Sin(xi * radPerDeg)
	sinH, cosH := math.Sincos(h * radPerDeg)
	sinDelta, cosDelta := math.Sincos(g.deltaDeg * radPerDeg)
	// Eq. 37: parallax in the sun right ascension.
	dAlpha := math.Atan2(-x*sinXi*sinH, cosDelta-x*sinXi*cosH) * degPerRad
	// Eq. 39: topocentric declination.
	deltaP := math.Atan2((sinDelta-y*sinXi)*math.Cos(dAlpha*radPerDeg), cosDelta-x*sinXi*cosH) * degPerRad
	// Eq. 40: topocentric local hour angle.
	hP := h - dAlpha
	sinLat, cosLat := math.Sincos(latDeg * radPerDeg)
	sinDP, cosDP := math.Sincos(deltaP * radPerDeg)
	sinHP, cosHP := math.Sincos(hP * radPerDeg)
	// Eq. 41: topocentric elevation without refraction.
	e0 := math.Asin(sinLat*sinDP+cosLat*cosDP*cosHP) * degPerRad
	// Eqs. 42–43: refraction and apparent elevation.
	e := e0 + spaRefractionDeg(e0, refractionFactor(pressureHPa, tempC))
	// Eqs. 45–46: topocentric astronomers' azimuth (from south, westward),
	// then azimuth from north, eastward.
	gamma := math.Atan2(sinHP, cosHP*sinLat-math.Tan(deltaP*radPerDeg)*cosLat) * degPerRad
	phi := math.Mod(gamma+180, 360)
	if phi < 0 {
		phi += 360
	}
	return SolarPosition{
		ZenithDeg:            90 - e0,
		ApparentZenithDeg:    90 - e,
		AzimuthDeg:           phi,
		ApparentElevationDeg: e,
	}
}

// refractionFactor is the pressure and temperature part of SPA eq. 42,
// (P/1010)(283/(273 + T)) × 1.02/60 [deg].
func refractionFactor(pressureHPa, tempC float64) float64 {
	return pressureHPa / 1010 * 283 / (273 + tempC) * 1.02 / 60
}

// spaRefractionDeg is SPA eq. 42 [deg], 0 below −(sun radius + 0.5667°):
//
//	Δe = (P/1010)(283/(273 + T)) × 1.02 / (60 tan(e0 + 10.3/(e0 + 5.11)))
func spaRefractionDeg(e0Deg, factor float64) float64 {
	if e0Deg < -(spaSunRadiusDeg + spaAtmosRefractDeg) {
		return 0
	}
	return factor / math.Tan((e0Deg+10.3/(e0Deg+5.11))*radPerDeg)
}

// refractionDeg is spaRefractionDeg without the tangent call, for the
// hourly loops. With e0 the true elevation (sin e0 = sinE0, cos e0 = cosE0)
// and d = 10.3/(e0 + 5.11) [deg], the addition formula gives
//
//	1/tan(e0 + d) = (cos e0 − sin e0 tan d)/(sin e0 + cos e0 tan d),
//
// and tan d (d ≤ 2.41°, 0.042 rad) is summed as its Taylor series to d⁹,
// exact to double precision (next term below 1e-17).
func refractionDeg(e0Deg, sinE0, cosE0, factor float64) float64 {
	if e0Deg < -(spaSunRadiusDeg + spaAtmosRefractDeg) {
		return 0
	}
	d := 10.3 / (e0Deg + 5.11) * radPerDeg
	d2 := d * d
	tanD := d * (1 + d2*(1.0/3+d2*(2.0/15+d2*(17.0/315+d2*(62.0/2835)))))
	return factor * (cosE0 - sinE0*tanD) / (sinE0 + cosE0*tanD)
}

// AltitudeToPressurePa returns the standard-atmosphere pressure at an
// altitude [Pa]:
//
//	P = 100 × ((44331.514 − h)/11880.516)^(1/0.1902632)
//
// pvlib atmosphere.alt2pres (base pressure 101325 Pa, 288.15 K at sea
// level, lapse rate −6.5 K/km; Portland State Aerospace Society 2004).
func AltitudeToPressurePa(altitudeM float64) float64 {
	return 100 * math.Pow((44331.514-altitudeM)/11880.516, 1/0.1902632)
}

// spaSeries holds the slowly varying, site- and UT-independent SPA terms at
// one ephemeris instant: heliocentric longitude (unwrapped) and latitude
// [rad], Earth radius vector R [AU], nutation in longitude and obliquity
// [deg], and the true obliquity ε [deg].
type spaSeries struct {
	lRad, bRad, r, dPsi, dEps, eps float64
}

// spaSeriesAt evaluates SPA eqs. 7–25 (periodic terms, nutation, obliquity)
// at the Julian Ephemeris Day jde.
func spaSeriesAt(jde float64) spaSeries {
	jce := (jde - 2451545) / 36525 // eq. 7
	jme := jce / 10                // eq. 8

	// Eqs. 9–11: L = (L0 + L1 JME + … + L5 JME⁵)/1e8 [rad]; likewise B, R.
	var s spaSeries
	s.lRad = evalPeriodic(helioL[:], jme) / 1e8
	s.bRad = evalPeriodic(helioB[:], jme) / 1e8
	s.r = evalPeriodic(helioR[:], jme) / 1e8

	// Eqs. 15–19: mean elongation of the moon, mean anomalies of sun and
	// moon, moon's argument of latitude, longitude of the ascending node [deg].
	jce2, jce3 := jce*jce, jce*jce*jce
	var xs [5]float64
	xs[0] = 297.85036 + 445267.111480*jce - 0.0019142*jce2 + jce3/189474
	xs[1] = 357.52772 + 35999.050340*jce - 0.0001603*jce2 - jce3/300000
	xs[2] = 134.96298 + 477198.867398*jce + 0.0086972*jce2 + jce3/56250
	xs[3] = 93.27191 + 483202.017538*jce - 0.0036825*jce2 + jce3/327270
	xs[4] = 125.04452 - 1934.136261*jce + 0.0020708*jce2 + jce3/450000

	// Eqs. 20–23: nutation in longitude and obliquity [deg].
	var sumPsi, sumEps float64
	for k := range nutationY {
		yk := &nutationY[k]
		arg := (yk[0]*xs[0] + yk[1]*xs[1] + yk[2]*xs[2] + yk[3]*xs[3] + yk[4]*xs[4]) * radPerDeg
		sn, cs := math.Sincos(arg)
		c := &nutationABCD[k]
		sumPsi += (c[0] + c[1]*jce) * sn
		sumEps += (c[2] + c[3]*jce) * cs
	}
	s.dPsi = sumPsi / 36000000
	s.dEps = sumEps / 36000000

	// Eq. 24: mean obliquity of the ecliptic [arcsec]; eq. 25: true [deg].
	u := jme / 10
	eps0 := 84381.448 + u*(-4680.93+u*(-1.55+u*(1999.25+u*(-51.38+u*(-249.67+
		u*(-39.05+u*(7.12+u*(27.87+u*(5.79+u*2.45)))))))))
	s.eps = eps0/3600 + s.dEps
	return s
}

// evalPeriodic sums Σ_i JME^i Σ_k A_k cos(B_k + C_k JME) over the term
// groups of one SPA table (eq. 9–10).
func evalPeriodic(groups [][][3]float64, jme float64) float64 {
	total, pow := 0.0, 1.0
	for _, g := range groups {
		sum := 0.0
		for _, t := range g {
			sum += t[0] * math.Cos(t[1]+t[2]*jme)
		}
		total += sum * pow
		pow *= jme
	}
	return total
}

// spaGeo is the geocentric sun at one UT instant: apparent sidereal time at
// Greenwich ν, right ascension α, declination δ [deg] and radius vector R [AU].
type spaGeo struct {
	nuDeg, alphaDeg, deltaDeg, r float64
}

// spaGeocentric applies SPA eqs. 12–31 to the series terms s, evaluated at
// jdUT + ΔT; jdUT (UT) drives the sidereal time (eq. 28).
func spaGeocentric(jdUT float64, s spaSeries) spaGeo {
	theta := s.lRad*degPerRad + 180 // eq. 13, geocentric longitude (unwrapped)
	beta := -s.bRad * degPerRad     // eq. 14, geocentric latitude
	dTau := -20.4898 / (3600 * s.r)
	lambda := theta + s.dPsi + dTau // eq. 27, apparent sun longitude

	jc := (jdUT - 2451545) / 36525
	nu0 := 280.46061837 + 360.98564736629*(jdUT-2451545) + 0.000387933*jc*jc - jc*jc*jc/38710000
	nu0 = math.Mod(nu0, 360)
	sinEps, cosEps := math.Sincos(s.eps * radPerDeg)
	nu := nu0 + s.dPsi*cosEps // eq. 29

	sinL, cosL := math.Sincos(lambda * radPerDeg)
	sinB, cosB := math.Sincos(beta * radPerDeg)
	alpha := math.Atan2(sinL*cosEps-sinB/cosB*sinEps, cosL) * degPerRad // eq. 30
	alpha = math.Mod(alpha, 360)
	if alpha < 0 {
		alpha += 360
	}
	delta := math.Asin(sinB*cosEps+cosB*sinEps*sinL) * degPerRad // eq. 31
	return spaGeo{nuDeg: nu, alphaDeg: alpha, deltaDeg: delta, r: s.r}
}

// SunTable holds the site-independent (geocentric) part of SPA for the 8760
// mid-hour instants of a 365-day year, so that the position at any site is a
// few multiplications per hour (see Positions). Hour i is local standard time
// (UTC + utcOffsetH) from i to i+1 h after 1 January 00:00, and the position
// is that at i + 0.5 h. In a leap year 29 February is skipped, so there are
// always 365 days. A SunTable is immutable and safe for concurrent use.
type SunTable struct {
	hours       [HoursPerYear]sunHour
	dniExtraWm2 [365]float64
}

// HoursPerYear is the number of hours in a SunTable (365 days).
const HoursPerYear = 8760

// sunHour is what Positions needs per hour: the geocentric declination,
// the Greenwich apparent hour angle ν − α, and the sun's equatorial
// horizontal parallax ξ (SPA eqs. 31, 29–30, 33).
type sunHour struct {
	sinDec, cosDec, sinGHA, cosGHA, sinXi float64
}

// daysBeforeMonth is the day count before each month of a 365-day year.
var daysBeforeMonth = [13]int{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365}

// sunTableDate returns the calendar month and day of 0-based day d of a
// 365-day year (29 February is never returned).
func sunTableDate(d int) (month, day int) {
	m := 1
	for daysBeforeMonth[m] <= d {
		m++
	}
	return m, d - daysBeforeMonth[m-1] + 1
}

// SunTableJulianDay returns the Julian Day (UT) of the instant at which a
// SunTable for year and utcOffsetH evaluates hour i: the middle of local
// standard hour i of the 365-day year.
func SunTableJulianDay(year int, utcOffsetH float64, i int) float64 {
	month, day := sunTableDate(i / 24)
	return JulianDay(year, month, day, float64(i%24)+0.5-utcOffsetH)
}

// NewSunTable computes the geocentric sun for the 8760 mid-hour instants of
// year in local standard time UTC + utcOffsetH, with ΔT = SunTableDeltaTSec.
//
// The SPA periodic series (heliocentric longitude, latitude and radius,
// nutation, obliquity) are evaluated at daily nodes and interpolated to each
// hour with 4-point Lagrange polynomials; their fastest terms have periods of
// about 9 days, so the interpolation error is below 1e-6° (2e-7° measured).
// Aberration, apparent sidereal time, right ascension and declination are
// then computed exactly for every hour (SPA eqs. 12–33).
func NewSunTable(year int, utcOffsetH float64) *SunTable {
	return newSunTable(year, utcOffsetH, SunTableDeltaTSec)
}

func newSunTable(year int, utcOffsetH, deltaTSec float64) *SunTable {
	t := new(SunTable)
	dt := deltaTSec / 86400

	// Daily nodes of the series, starting two days before the first instant
	// so every instant has two nodes on each side.
	first := SunTableJulianDay(year, utcOffsetH, 0) + dt
	last := SunTableJulianDay(year, utcOffsetH, HoursPerYear-1) + dt
	node0 := math.Floor(first) - 2
	nNodes := int(last-node0) + 4
	nodes := make([]spaSeries, nNodes)
	for k := range nodes {
		nodes[k] = spaSeriesAt(node0 + float64(k))
	}

	for i := range t.hours {
		jd := SunTableJulianDay(year, utcOffsetH, i)
		s := interpSeries(nodes, jd+dt-node0)
		g := spaGeocentric(jd, s)
		h := &t.hours[i]
		h.sinDec, h.cosDec = math.Sincos(g.deltaDeg * radPerDeg)
		h.sinGHA, h.cosGHA = math.Sincos((g.nuDeg - g.alphaDeg) * radPerDeg)
		h.sinXi = math.Sin(8.794 / (3600 * g.r) * radPerDeg)
	}
	for d := range t.dniExtraWm2 {
		t.dniExtraWm2[d] = ExtraterrestrialIrradiance(d + 1)
	}
	return t
}

// interpSeries interpolates the daily series nodes at x days after node 0
// with a 4-point Lagrange polynomial through the nodes k−1 … k+2, k = ⌊x⌋.
func interpSeries(nodes []spaSeries, x float64) spaSeries {
	k := int(x)
	f := x - float64(k)
	// Lagrange weights for nodes at −1, 0, 1, 2 evaluated at f.
	w0 := -f * (f - 1) * (f - 2) / 6
	w1 := (f + 1) * (f - 1) * (f - 2) / 2
	w2 := -(f + 1) * f * (f - 2) / 2
	w3 := (f + 1) * f * (f - 1) / 6
	a, b, c, d := &nodes[k-1], &nodes[k], &nodes[k+1], &nodes[k+2]
	return spaSeries{
		lRad: w0*a.lRad + w1*b.lRad + w2*c.lRad + w3*d.lRad,
		bRad: w0*a.bRad + w1*b.bRad + w2*c.bRad + w3*d.bRad,
		r:    w0*a.r + w1*b.r + w2*c.r + w3*d.r,
		dPsi: w0*a.dPsi + w1*b.dPsi + w2*c.dPsi + w3*d.dPsi,
		dEps: w0*a.dEps + w1*b.dEps + w2*c.dEps + w3*d.dEps,
		eps:  w0*a.eps + w1*b.eps + w2*c.eps + w3*d.eps,
	}
}

// Len returns the number of hours in the table, 8760.
func (t *SunTable) Len() int { return HoursPerYear }

// DayOfYear returns the day of hour i in the 365-day year, 1…365 (in a leap
// year 1 March is day 60, because 29 February is skipped).
func (t *SunTable) DayOfYear(i int) int { return i/24 + 1 }

// sunSite holds the per-site constants of the topocentric correction.
type sunSite struct {
	sinLat, cosLat, sinLon, cosLon float64
	x, y                           float64 // SPA eqs. 34–36, observer's geocentric position [Earth radii]
	refr                           float64 // refractionFactor
}

func newSunSite(latDeg, lonDeg, altitudeM, pressureHPa, tempC float64) sunSite {
	var s sunSite
	s.sinLat, s.cosLat = math.Sincos(latDeg * radPerDeg)
	s.sinLon, s.cosLon = math.Sincos(lonDeg * radPerDeg)
	u := math.Atan(0.99664719 * math.Tan(latDeg*radPerDeg))
	s.x = math.Cos(u) + altitudeM/6378140*s.cosLat
	s.y = 0.99664719*math.Sin(u) + altitudeM/6378140*s.sinLat
	s.refr = refractionFactor(pressureHPa, tempC)
	return s
}

// sunVector returns the topocentric direction of the sun at hour i as a unit
// vector in the local horizon frame (up, east, north), without refraction.
//
// It is SPA eqs. 37–41 and 45–46 in vector form: the geocentric unit
// vector of the sun in the observer's hour-angle frame, (cos δ cos H,
// cos δ sin H, sin δ) with H = ν − α + λ_obs, minus the observer's
// geocentric position (x, 0, y) scaled by sin ξ (the Earth radius over the
// sun's distance), then rotated by the geodetic latitude into the horizon
// frame.
func (t *SunTable) sunVector(i int, s *sunSite) (up, east, north float64) {
	h := &t.hours[i]
	sinH := h.sinGHA*s.cosLon + h.cosGHA*s.sinLon
	cosH := h.cosGHA*s.cosLon - h.sinGHA*s.sinLon
	vx := h.cosDec*cosH - s.x*h.sinXi // toward the meridian on the equator
	vy := h.cosDec * sinH             // westward
	vz := h.sinDec - s.y*h.sinXi      // toward the celestial pole
	// |v|² = 1 + ε with |ε| ≤ 2 sin ξ < 1e-4, so 1/|v| is its binomial
	// series to ε³ (next term below 2e-17).
	eps := vx*vx + vy*vy + vz*vz - 1
	inv := 1 - eps*(0.5-eps*(0.375-eps*0.3125))
	up = (s.cosLat*vx + s.sinLat*vz) * inv
	north = (s.cosLat*vz - s.sinLat*vx) * inv
	east = -vy * inv
	return up, east, north
}

// Positions fills, for every hour of the table, the apparent (refracted)
// zenith, the true zenith and the azimuth (east of north) [deg] at a site:
// latDeg positive north, lonDeg positive east, altitudeM above sea level.
// Refraction uses the standard-atmosphere pressure at altitudeM
// (AltitudeToPressurePa) and 12 °C, as pvlib get_solarposition does by
// default. The result agrees with SPA at the same instant (SunTableJulianDay,
// SunTableDeltaTSec) to better than 1e-5°.
//
// Each slice must be nil (not wanted) or have at least Len() elements; a
// shorter slice is a programming error and panics.
func (t *SunTable) Positions(latDeg, lonDeg, altitudeM float64, apparentZenithDeg, zenithDeg, azimuthDeg []float64) {
	t.PositionsWithAtmosphere(latDeg, lonDeg, altitudeM, AltitudeToPressurePa(altitudeM)/100,
		sunTableRefractionTempC, apparentZenithDeg, zenithDeg, azimuthDeg)
}

// PositionsWithAtmosphere is Positions with the annual mean pressure [hPa]
// and temperature [°C] for refraction given explicitly.
func (t *SunTable) PositionsWithAtmosphere(latDeg, lonDeg, altitudeM, pressureHPa, tempC float64,
	apparentZenithDeg, zenithDeg, azimuthDeg []float64) {
	s := newSunSite(latDeg, lonDeg, altitudeM, pressureHPa, tempC)
	if apparentZenithDeg != nil {
		_ = apparentZenithDeg[HoursPerYear-1]
	}
	if zenithDeg != nil {
		_ = zenithDeg[HoursPerYear-1]
	}
	if azimuthDeg != nil {
		_ = azimuthDeg[HoursPerYear-1]
	}
	for i := range HoursPerYear {
		up, east, north := t.sunVector(i, &s)
		e0 := math.Asin(up) * degPerRad
		if zenithDeg != nil {
			zenithDeg[i] = 90 - e0
		}
		if apparentZenithDeg != nil {
			cosE0 := math.Sqrt(east*east + north*north)
			apparentZenithDeg[i] = 90 - e0 - refractionDeg(e0, up, cosE0, s.refr)
		}
		if azimuthDeg != nil {
			az := math.Atan2(east, north) * degPerRad
			if az < 0 {
				az += 360
			}
			azimuthDeg[i] = az
		}
	}
}

// helioL, helioB and helioR are the Earth periodic terms (A, B, C) of SPA
// Table A4.2 for the heliocentric longitude L0…L5, latitude B0…B1 and radius
// vector R0…R4, typed from pvlib spa.py TABLE_1_DICT.
var helioL = [6][][3]float64{
	{ // L0
		{175347046.0, 0.0, 0.0},
		{3341656.0, 4.6692568, 6283.07585},
		{34894.0, 4.6261, 12566.1517},
		{3497.0, 2.7441, 5753.3849},
		{3418.0, 2.8289, 3.5231},
		{3136.0, 3.6277, 77713.7715},
		{2676.0, 4.4181, 7860.4194},
		{2343.0, 6.1352, 3930.2097},
		{1324.0, 0.7425, 11506.7698},
		{1273.0, 2.0371, 529.691},
		{1199.0, 1.1096, 1577.3435},
		{990.0, 5.233, 5884.927},
		{902.0, 2.045, 26.298},
		{857.0, 3.508, 398.149},
		{780.0, 1.179, 5223.694},
		{753.0, 2.533, 5507.553},
		{505.0, 4.583, 18849.228},
		{492.0, 4.205, 775.523},
		{357.0, 2.92, 0.067},
		{317.0, 5.849, 11790.629},
		{284.0, 1.899, 796.298},
		{271.0, 0.315, 10977.079},
		{243.0, 0.345, 5486.778},
		{206.0, 4.806, 2544.314},
		{205.0, 1.869, 5573.143},
		{202.0, 2.458, 6069.777},
		{156.0, 0.833, 213.299},
		{132.0, 3.411, 2942.463},
		{126.0, 1.083, 20.775},
		{115.0, 0.645, 0.98},
		{103.0, 0.636, 4694.003},
		{102.0, 0.976, 15720.839},
		{102.0, 4.267, 7.114},
		{99.0, 6.21, 2146.17},
		{98.0, 0.68, 155.42},
		{86.0, 5.98, 161000.69},
		{85.0, 1.3, 6275.96},
		{85.0, 3.67, 71430.7},
		{80.0, 1.81, 17260.15},
		{79.0, 3.04, 12036.46},
		{75.0, 1.76, 5088.63},
		{74.0, 3.5, 3154.69},
		{74.0, 4.68, 801.82},
		{70.0, 0.83, 9437.76},
		{62.0, 3.98, 8827.39},
		{61.0, 1.82, 7084.9},
		{57.0, 2.78, 6286.6},
		{56.0, 4.39, 14143.5},
		{56.0, 3.47, 6279.55},
		{52.0, 0.19, 12139.55},
		{52.0, 1.33, 1748.02},
		{51.0, 0.28, 5856.48},
		{49.0, 0.49, 1194.45},
		{41.0, 5.37, 8429.24},
		{41.0, 2.4, 19651.05},
		{39.0, 6.17, 10447.39},
		{37.0, 6.04, 10213.29},
		{37.0, 2.57, 1059.38},
		{36.0, 1.71, 2352.87},
		{36.0, 1.78, 6812.77},
		{33.0, 0.59, 17789.85},
		{30.0, 0.44, 83996.85},
		{30.0, 2.74, 1349.87},
		{25.0, 3.16, 4690.48},
	},
	{ // L1
		{628331966747.0, 0.0, 0.0},
		{206059.0, 2.678235, 6283.07585},
		{4303.0, 2.6351, 12566.1517},
		{425.0, 1.59, 3.523},
		{119.0, 5.796, 26.298},
		{109.0, 2.966, 1577.344},
		{93.0, 2.59, 18849.23},
		{72.0, 1.14, 529.69},
		{68.0, 1.87, 398.15},
		{67.0, 4.41, 5507.55},
		{59.0, 2.89, 5223.69},
		{56.0, 2.17, 155.42},
		{45.0, 0.4, 796.3},
		{36.0, 0.47, 775.52},
		{29.0, 2.65, 7.11},
		{21.0, 5.34, 0.98},
		{19.0, 1.85, 5486.78},
		{19.0, 4.97, 213.3},
		{17.0, 2.99, 6275.96},
		{16.0, 0.03, 2544.31},
		{16.0, 1.43, 2146.17},
		{15.0, 1.21, 10977.08},
		{12.0, 2.83, 1748.02},
		{12.0, 3.26, 5088.63},
		{12.0, 5.27, 1194.45},
		{12.0, 2.08, 4694.0},
		{11.0, 0.77, 553.57},
		{10.0, 1.3, 6286.6},
		{10.0, 4.24, 1349.87},
		{9.0, 2.7, 242.73},
		{9.0, 5.64, 951.72},
		{8.0, 5.3, 2352.87},
		{6.0, 2.65, 9437.76},
		{6.0, 4.67, 4690.48},
	},
	{ // L2
		{52919.0, 0.0, 0.0},
		{8720.0, 1.0721, 6283.0758},
		{309.0, 0.867, 12566.152},
		{27.0, 0.05, 3.52},
		{16.0, 5.19, 26.3},
		{16.0, 3.68, 155.42},
		{10.0, 0.76, 18849.23},
		{9.0, 2.06, 77713.77},
		{7.0, 0.83, 775.52},
		{5.0, 4.66, 1577.34},
		{4.0, 1.03, 7.11},
		{4.0, 3.44, 5573.14},
		{3.0, 5.14, 796.3},
		{3.0, 6.05, 5507.55},
		{3.0, 1.19, 242.73},
		{3.0, 6.12, 529.69},
		{3.0, 0.31, 398.15},
		{3.0, 2.28, 553.57},
		{2.0, 4.38, 5223.69},
		{2.0, 3.75, 0.98},
	},
	{ // L3
		{289.0, 5.844, 6283.076},
		{35.0, 0.0, 0.0},
		{17.0, 5.49, 12566.15},
		{3.0, 5.2, 155.42},
		{1.0, 4.72, 3.52},
		{1.0, 5.3, 18849.23},
		{1.0, 5.97, 242.73},
	},
	{ // L4
		{114.0, 3.142, 0.0},
		{8.0, 4.13, 6283.08},
		{1.0, 3.84, 12566.15},
	},
	{ // L5
		{1.0, 3.14, 0.0},
	},
}

var helioB = [2][][3]float64{
	{ // B0
		{280.0, 3.199, 84334.662},
		{102.0, 5.422, 5507.553},
		{80.0, 3.88, 5223.69},
		{44.0, 3.7, 2352.87},
		{32.0, 4.0, 1577.34},
	},
	{ // B1
		{9.0, 3.9, 5507.55},
		{6.0, 1.73, 5223.69},
	},
}

var helioR = [5][][3]float64{
	{ // R0
		{100013989.0, 0.0, 0.0},
		{1670700.0, 3.0984635, 6283.07585},
		{13956.0, 3.05525, 12566.1517},
		{3084.0, 5.1985, 77713.7715},
		{1628.0, 1.1739, 5753.3849},
		{1576.0, 2.8469, 7860.4194},
		{925.0, 5.453, 11506.77},
		{542.0, 4.564, 3930.21},
		{472.0, 3.661, 5884.927},
		{346.0, 0.964, 5507.553},
		{329.0, 5.9, 5223.694},
		{307.0, 0.299, 5573.143},
		{243.0, 4.273, 11790.629},
		{212.0, 5.847, 1577.344},
		{186.0, 5.022, 10977.079},
		{175.0, 3.012, 18849.228},
		{110.0, 5.055, 5486.778},
		{98.0, 0.89, 6069.78},
		{86.0, 5.69, 15720.84},
		{86.0, 1.27, 161000.69},
		{65.0, 0.27, 17260.15},
		{63.0, 0.92, 529.69},
		{57.0, 2.01, 83996.85},
		{56.0, 5.24, 71430.7},
		{49.0, 3.25, 2544.31},
		{47.0, 2.58, 775.52},
		{45.0, 5.54, 9437.76},
		{43.0, 6.01, 6275.96},
		{39.0, 5.36, 4694.0},
		{38.0, 2.39, 8827.39},
		{37.0, 0.83, 19651.05},
		{37.0, 4.9, 12139.55},
		{36.0, 1.67, 12036.46},
		{35.0, 1.84, 2942.46},
		{33.0, 0.24, 7084.9},
		{32.0, 0.18, 5088.63},
		{32.0, 1.78, 398.15},
		{28.0, 1.21, 6286.6},
		{28.0, 1.9, 6279.55},
		{26.0, 4.59, 10447.39},
	},
	{ // R1
		{103019.0, 1.10749, 6283.07585},
		{1721.0, 1.0644, 12566.1517},
		{702.0, 3.142, 0.0},
		{32.0, 1.02, 18849.23},
		{31.0, 2.84, 5507.55},
		{25.0, 1.32, 5223.69},
		{18.0, 1.42, 1577.34},
		{10.0, 5.91, 10977.08},
		{9.0, 1.42, 6275.96},
		{9.0, 0.27, 5486.78},
	},
	{ // R2
		{4359.0, 5.7846, 6283.0758},
		{124.0, 5.579, 12566.152},
		{12.0, 3.14, 0.0},
		{9.0, 3.63, 77713.77},
		{6.0, 1.87, 5573.14},
		{3.0, 5.47, 18849.23},
	},
	{ // R3
		{145.0, 4.273, 6283.076},
		{7.0, 3.92, 12566.15},
	},
	{ // R4
		{4.0, 2.56, 6283.08},
	},
}

// nutationY are the multipliers of X0…X4 in the nutation arguments and
// nutationABCD the coefficients a, b (longitude, 0.0001″) and c, d
// (obliquity) of SPA Table A4.3, typed from pvlib spa.py
// NUTATION_YTERM_ARRAY and NUTATION_ABCD_ARRAY.
var nutationY = [63][5]float64{
	{0, 0, 0, 0, 1},
	{-2, 0, 0, 2, 2},
	{0, 0, 0, 2, 2},
	{0, 0, 0, 0, 2},
	{0, 1, 0, 0, 0},
	{0, 0, 1, 0, 0},
	{-2, 1, 0, 2, 2},
	{0, 0, 0, 2, 1},
	{0, 0, 1, 2, 2},
	{-2, -1, 0, 2, 2},
	{-2, 0, 1, 0, 0},
	{-2, 0, 0, 2, 1},
	{0, 0, -1, 2, 2},
	{2, 0, 0, 0, 0},
	{0, 0, 1, 0, 1},
	{2, 0, -1, 2, 2},
	{0, 0, -1, 0, 1},
	{0, 0, 1, 2, 1},
	{-2, 0, 2, 0, 0},
	{0, 0, -2, 2, 1},
	{2, 0, 0, 2, 2},
	{0, 0, 2, 2, 2},
	{0, 0, 2, 0, 0},
	{-2, 0, 1, 2, 2},
	{0, 0, 0, 2, 0},
	{-2, 0, 0, 2, 0},
	{0, 0, -1, 2, 1},
	{0, 2, 0, 0, 0},
	{2, 0, -1, 0, 1},
	{-2, 2, 0, 2, 2},
	{0, 1, 0, 0, 1},
	{-2, 0, 1, 0, 1},
	{0, -1, 0, 0, 1},
	{0, 0, 2, -2, 0},
	{2, 0, -1, 2, 1},
	{2, 0, 1, 2, 2},
	{0, 1, 0, 2, 2},
	{-2, 1, 1, 0, 0},
	{0, -1, 0, 2, 2},
	{2, 0, 0, 2, 1},
	{2, 0, 1, 0, 0},
	{-2, 0, 2, 2, 2},
	{-2, 0, 1, 2, 1},
	{2, 0, -2, 0, 1},
	{2, 0, 0, 0, 1},
	{0, -1, 1, 0, 0},
	{-2, -1, 0, 2, 1},
	{-2, 0, 0, 0, 1},
	{0, 0, 2, 2, 1},
	{-2, 0, 2, 0, 1},
	{-2, 1, 0, 2, 1},
	{0, 0, 1, -2, 0},
	{-1, 0, 1, 0, 0},
	{-2, 1, 0, 0, 0},
	{1, 0, 0, 0, 0},
	{0, 0, 1, 2, 0},
	{0, 0, -2, 2, 2},
	{-1, -1, 1, 0, 0},
	{0, 1, 1, 0, 0},
	{0, -1, 1, 2, 2},
	{2, -1, -1, 2, 2},
	{0, 0, 3, 2, 2},
	{2, -1, 0, 2, 2},
}

var nutationABCD = [63][4]float64{
	{-171996, -174.2, 92025, 8.9},
	{-13187, -1.6, 5736, -3.1},
	{-2274, -0.2, 977, -0.5},
	{2062, 0.2, -895, 0.5},
	{1426, -3.4, 54, -0.1},
	{712, 0.1, -7, 0},
	{-517, 1.2, 224, -0.6},
	{-386, -0.4, 200, 0},
	{-301, 0, 129, -0.1},
	{217, -0.5, -95, 0.3},
	{-158, 0, 0, 0},
	{129, 0.1, -70, 0},
	{123, 0, -53, 0},
	{63, 0, 0, 0},
	{63, 0.1, -33, 0},
	{-59, 0, 26, 0},
	{-58, -0.1, 32, 0},
	{-51, 0, 27, 0},
	{48, 0, 0, 0},
	{46, 0, -24, 0},
	{-38, 0, 16, 0},
	{-31, 0, 13, 0},
	{29, 0, 0, 0},
	{29, 0, -12, 0},
	{26, 0, 0, 0},
	{-22, 0, 0, 0},
	{21, 0, -10, 0},
	{17, -0.1, 0, 0},
	{16, 0, -8, 0},
	{-16, 0.1, 7, 0},
	{-15, 0, 9, 0},
	{-13, 0, 7, 0},
	{-12, 0, 6, 0},
	{11, 0, 0, 0},
	{-10, 0, 5, 0},
	{-8, 0, 3, 0},
	{7, 0, -3, 0},
	{-7, 0, 0, 0},
	{-7, 0, 3, 0},
	{-7, 0, 3, 0},
	{6, 0, 0, 0},
	{6, 0, -3, 0},
	{6, 0, -3, 0},
	{-6, 0, 3, 0},
	{-6, 0, 3, 0},
	{5, 0, 0, 0},
	{-5, 0, 3, 0},
	{-5, 0, 3, 0},
	{-5, 0, 3, 0},
	{4, 0, 0, 0},
	{4, 0, 0, 0},
	{4, 0, 0, 0},
	{-4, 0, 0, 0},
	{-4, 0, 0, 0},
	{-4, 0, 0, 0},
	{3, 0, 0, 0},
	{-3, 0, 0, 0},
	{-3, 0, 0, 0},
	{-3, 0, 0, 0},
	{-3, 0, 0, 0},
	{-3, 0, 0, 0},
	{-3, 0, 0, 0},
	{-3, 0, 0, 0},
}
