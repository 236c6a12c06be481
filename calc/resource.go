package calc

import (
	"math"
)

// Solar resource: typical hourly years built from monthly or annual data.
//
// Every hourly series here follows the project's convention: value i covers
// local standard time (UTC + utcOffsetH) from hour i to i+1 of a 365-day
// year starting 1 January 00:00 (no 29 February), and the sun is taken at
// the middle of the hour. Irradiance values are W/m² averaged over the hour,
// numerically equal to Wh/m² in that hour.
//
// The sun here is the simple daily geometry of Spencer (1971): one
// declination and one equation of time per day, accurate to about 0.1° and
// 1 min, which is ample for shaping a profile that is then scaled to a
// measured total. The PV chain's own solar position is computed elsewhere.

// typicalYearHours is the length of an hourly series: 365 days × 24 h.
const typicalYearHours = 365 * 24

// typicalMonthDays is the number of days in each month of the 365-day year.
var typicalMonthDays = [12]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// LiuJordanDiffuseRatio returns the ratio of hourly to daily diffuse
// irradiation r_d [1/h] at hour angle ω for a day with sunset hour angle
// ω_s (both in radians, ω = 0 at solar noon):
//
//	r_d = (π/24) (cos ω − cos ω_s) / (sin ω_s − ω_s cos ω_s)
//
// Liu & Jordan (1960), Solar Energy 4(3), as used by Collares-Pereira & Rabl
// (1979) and Duffie & Beckman, Solar Engineering of Thermal Processes,
// Eq. 2.13.2. It is 0 outside sunrise–sunset (|ω| ≥ ω_s) and when the sun
// does not rise (ω_s ≤ 0).
func LiuJordanDiffuseRatio(omegaRad, sunsetRad float64) float64 {
	if sunsetRad <= 0 || math.Abs(omegaRad) >= sunsetRad {
		return 0
	}
	sinS, cosS := math.Sincos(sunsetRad)
	return math.Pi / 24 * (math.Cos(omegaRad) - cosS) / (sinS - sunsetRad*cosS)
}

// CollaresPereiraRablRatio returns the ratio of hourly to daily global
// irradiation r_t [1/h] at hour angle ω for a day with sunset hour angle
// ω_s (radians, ω = 0 at solar noon):
//
//	r_t = r_d (a + b cos ω)
//	a = 0.409 + 0.5016 sin(ω_s − 60°)
//	b = 0.6609 − 0.4767 sin(ω_s − 60°)
//
// with r_d from LiuJordanDiffuseRatio. Collares-Pereira & Rabl (1979),
// Solar Energy 22(2), 155–164; Duffie & Beckman Eq. 2.13.1. Outside
// sunrise–sunset the formula goes negative; the ratio is 0 there, and
// wherever a + b cos ω < 0 (only for days a few minutes long).
func CollaresPereiraRablRatio(omegaRad, sunsetRad float64) float64 {
	rd := LiuJordanDiffuseRatio(omegaRad, sunsetRad)
	if rd == 0 {
		return 0
	}
	s := math.Sin(sunsetRad - math.Pi/3)
	a := 0.409 + 0.5016*s
	b := 0.6609 - 0.4767*s
	return max(0, rd*(a+b*math.Cos(omegaRad)))
}

// resourceDay is the sun's daily geometry for one day of the typical year
// and one site.
type resourceDay struct {
	sinDec, cosDec float64
	sunsetRad      float64 // ω_s = arccos(−tan φ tan δ), 0 in polar night, π in polar day
	noonH          float64 // local standard time of solar noon [h]
}

// newResourceDay returns the geometry of day n (1 = 1 January) at latitude
// φ [rad], with the site's longitude and UTC offset folded into solar noon.
//
// Declination δ and equation of time E from Spencer (1971), Search 2(5),
// 172, with the day angle Γ = 2π(n − 1)/365 (Iqbal 1983, Eqs. 1.3.1 and
// 1.4.1):
//
//	δ = 0.006918 − 0.399912 cos Γ + 0.070257 sin Γ − 0.006758 cos 2Γ
//	    + 0.000907 sin 2Γ − 0.002697 cos 3Γ + 0.00148 sin 3Γ   [rad]
//	E = 229.18 (0.000075 + 0.001868 cos Γ − 0.032077 sin Γ
//	    − 0.014615 cos 2Γ − 0.040849 sin 2Γ)                   [min]
//
// Solar time = standard time + (λ − 15°·utcOffsetH)/15° h + E/60 h, so
// solar noon falls at 12 − (λ − 15°·utcOffsetH)/15 − E/60 h standard time.
func newResourceDay(n int, latRad, lonDeg, utcOffsetH float64) resourceDay {
	g := 2 * math.Pi * float64(n-1) / 365
	s1, c1 := math.Sincos(g)
	s2, c2 := math.Sincos(2 * g)
	s3, c3 := math.Sincos(3 * g)
	dec := 0.006918 - 0.399912*c1 + 0.070257*s1 - 0.006758*c2 + 0.000907*s2 - 0.002697*c3 + 0.00148*s3
	eotMin := 229.18 * (0.000075 + 0.001868*c1 - 0.032077*s1 - 0.014615*c2 - 0.040849*s2)
	d := resourceDay{noonH: 12 - (lonDeg-15*utcOffsetH)/15 - eotMin/60}
	d.sinDec, d.cosDec = math.Sincos(dec)
	x := -math.Tan(latRad) * math.Tan(dec)
	d.sunsetRad = math.Acos(max(-1, min(1, x)))
	return d
}

// hourAngle returns the hour angle ω [rad] in [−π, π] at the middle of local
// standard hour h (0–23) of the day.
func (d resourceDay) hourAngle(h int) float64 {
	return math.Remainder((float64(h)+0.5-d.noonH)*math.Pi/12, 2*math.Pi)
}

// SynthesizeHourlyGHI turns 12 monthly GHI totals [kWh/m² per month,
// January first] into a typical year of 8760 hourly GHI values [W/m², mean
// over the hour], in the time convention above.
//
// Each day of a month gets the month's mean daily total H̄, spread over the
// day by the Collares-Pereira & Rabl (1979) ratio (CollaresPereiraRablRatio,
// with the Liu–Jordan (1960) r_d): hourly GHI = r_t(ω) × H̄, with ω the
// hour angle at mid-hour from the site's longitude, utcOffsetH and Spencer's
// equation of time, ω_s = arccos(−tan φ tan δ), and r_t = 0 outside
// sunrise–sunset. The ratio sums to 1 over a day only approximately (within
// about 1.5 % at |φ| ≤ 45°; it is a fit, sampled hourly), so each month is
// finally scaled so that its hourly sum equals its total exactly (Duffie
// & Beckman, Solar Engineering of Thermal Processes, §2.13, give both
// ratios).
//
// latDeg is in [−90, 90] (+ north), lonDeg in [−180, 180] (+ east),
// utcOffsetH in [−12, 14]. It returns an *InputError when a monthly total is
// negative or not finite, a coordinate is out of range, or a month with a
// positive total has no daylight (polar night), naming the argument by
// the Go name of the PVInput field it comes from: MonthlyGHIKWhM2[0…11],
// LatDeg, LonDeg, UTCOffsetH.
func SynthesizeHourlyGHI(monthlyKWhM2 [12]float64, latDeg, lonDeg, utcOffsetH float64) ([]float64, error) {
	if err := checkResourceSite(latDeg, lonDeg, utcOffsetH); err != nil {
		return nil, err
	}
	for m, v := range monthlyKWhM2 {
		if !(v >= 0) || math.IsInf(v, 0) {
			return nil, fieldError(indexPath("MonthlyGHIKWhM2", m), "must be a finite number ≥ 0 [kWh/m² per month]; got %v", v)
		}
	}
	latRad := latDeg * math.Pi / 180
	out := make([]float64, typicalYearHours)
	i, n := 0, 1 // hour index, day of year
	for m, days := range typicalMonthDays {
		start := i
		dailyWh := monthlyKWhM2[m] * 1000 / float64(days)
		var sumWh float64
		for range days {
			d := newResourceDay(n, latRad, lonDeg, utcOffsetH)
			for h := range 24 {
				v := CollaresPereiraRablRatio(d.hourAngle(h), d.sunsetRad) * dailyWh
				out[i] = v
				sumWh += v
				i++
			}
			n++
		}
		if monthlyKWhM2[m] == 0 {
			continue
		}
		if sumWh == 0 {
			return nil, codedError(indexPath("MonthlyGHIKWhM2", m), "no_sunrise", map[string]any{"latitude": latDeg, "month": m + 1, "got": monthlyKWhM2[m], "unit": "kWh/m²"}, "is %v kWh/m² but the sun does not rise at latitude %v° in that month", monthlyKWhM2[m], latDeg)
		}
		scale := monthlyKWhM2[m] * 1000 / sumWh
		for k := start; k < i; k++ {
			out[k] *= scale
		}
	}
	return out, nil
}

// MonthlyFromAnnual splits an annual GHI total [kWh/m²] into 12 monthly
// totals [kWh/m² per month, January first] in proportion to the clear-sky
// irradiation of each month at the site: the Haurwitz (1945) clear-sky GHI
//
//	GHI_cs = 1098 cos Z exp(−0.057 / cos Z)   [W/m²], 0 when cos Z ≤ 0
//
// (as pvlib clearsky.haurwitz, here with the geometric zenith Z at
// mid-hour, cos Z = sin φ sin δ + cos φ cos δ cos ω, Spencer's δ and
// equation of time) summed over the same 8760 hours as SynthesizeHourlyGHI,
// then scaled to the annual total. It assumes the sky is equally clear all
// year, so it overstates the summer share where summers are cloudy (monsoon
// climates); measured monthly values are better when available.
//
// The result sums to annualKWhM2. Inputs are not validated: pass an annual
// total ≥ 0 and the ranges of SynthesizeHourlyGHI (which validates its own
// input, so an invalid result is caught there).
func MonthlyFromAnnual(annualKWhM2, latDeg, lonDeg, utcOffsetH float64) [12]float64 {
	latRad := latDeg * math.Pi / 180
	sinLat, cosLat := math.Sincos(latRad)
	var monthly [12]float64
	var total float64
	n := 1
	for m, days := range typicalMonthDays {
		for range days {
			d := newResourceDay(n, latRad, lonDeg, utcOffsetH)
			for h := range 24 {
				cosZ := sinLat*d.sinDec + cosLat*d.cosDec*math.Cos(d.hourAngle(h))
				if cosZ > 0 {
					monthly[m] += 1098 * cosZ * math.Exp(-0.057/cosZ)
				}
			}
			n++
		}
		total += monthly[m]
	}
	for m := range monthly {
		if total > 0 {
			monthly[m] *= annualKWhM2 / total
		}
	}
	return monthly
}

// ESRAPeakHourAngleRad is the hour angle of the daily temperature maximum
// in the ESRA profile: π/4, 3 h after solar noon.
const ESRAPeakHourAngleRad = math.Pi / 4

// ESRADailyTemperatureC returns the air temperature [°C] at hour angle ω
// [rad, in [−π, π], 0 at solar noon] of a day with minimum tMinC and
// maximum tMaxC [°C] by the ESRA method of Huld, Šúri, Dunlop & Micale
// (2006), Environ. Modell. Softw. 21:1650–1661, "Estimating average daytime
// and daily temperature profiles within Europe": three cosine segments,
// midnight → sunrise, sunrise → maximum 3 h after solar noon (ω_p = π/4)
// and maximum → midnight, with the minimum at sunrise ω_r = −ω_s:
//
//	T_m = (T_max + T_min)/2, T_r = (T_max − T_min)/2
//	ω ≤ ω_r:        T = T_m − T_r cos(12π (ω_r − ω) / (21π + 12 ω_r))
//	ω_r < ω ≤ ω_p:  T = T_m + T_r cos(π (3π − 12 ω) / (3π − 12 ω_r))
//	ω > ω_p:        T = T_m − T_r cos(π (24π + 12 (ω_r − ω)) / (21π + 12 ω_r))
//
// as implemented in R solaR fTemp (Perpiñán 2012, J. Stat. Softw. 50(9);
// solaR2 R/fTemp.R), whose segments these are term for term. The first and
// last segments are one half-cosine from the maximum down to the next
// sunrise, so the profile is continuous across midnight and its mean over
// the 24 h is T_m exactly (each half-cosine averages to zero); sampled
// hourly the mean differs by a few hundredths of T_r. sunsetRad is the day's
// sunset hour angle ω_s in [0, π] (0 in polar night, π in polar day).
func ESRADailyTemperatureC(omegaRad, sunsetRad, tMinC, tMaxC float64) float64 {
	tm, tr := (tMaxC+tMinC)/2, (tMaxC-tMinC)/2
	wr := -sunsetRad
	switch {
	case omegaRad <= wr:
		return tm - tr*math.Cos(12*math.Pi*(wr-omegaRad)/(21*math.Pi+12*wr))
	case omegaRad <= ESRAPeakHourAngleRad:
		return tm + tr*math.Cos(math.Pi*(3*math.Pi-12*omegaRad)/(3*math.Pi-12*wr))
	default:
		return tm - tr*math.Cos(math.Pi*(24*math.Pi+12*(wr-omegaRad))/(21*math.Pi+12*wr))
	}
}

// HourlyTemperature expands 12 monthly mean air temperatures [°C, January
// first] into 8760 hourly values [°C] in the time convention above, with
// the same diurnal range diurnalRangeC [°C] in every month; see
// HourlyTemperatureByMonth for the model. diurnalRangeC = 0 gives flat
// monthly means.
//
// It returns an *InputError when a temperature or the range is not finite,
// the range is negative, or the site is out of the ranges of
// SynthesizeHourlyGHI (paths MonthlyTempC[0…11], DiurnalRangeC, LatDeg,
// LonDeg, UTCOffsetH).
func HourlyTemperature(monthlyC [12]float64, diurnalRangeC, latDeg, lonDeg, utcOffsetH float64) ([]float64, error) {
	if !(diurnalRangeC >= 0) || math.IsInf(diurnalRangeC, 0) {
		return nil, fieldError("DiurnalRangeC", "must be a finite number ≥ 0 [°C]; got %v", diurnalRangeC)
	}
	var ranges [12]float64
	for m := range ranges {
		ranges[m] = diurnalRangeC
	}
	return HourlyTemperatureByMonth(monthlyC, ranges, latDeg, lonDeg, utcOffsetH)
}

// HourlyTemperatureByMonth expands 12 monthly mean air temperatures
// monthlyC [°C, January first] and 12 monthly mean diurnal ranges
// monthlyRangeC [°C: mean daily maximum − mean daily minimum] into 8760
// hourly values [°C] in the time convention above.
//
// Every day of month m follows the ESRA profile (ESRADailyTemperatureC) at
// the hour angle of mid-hour, with T_min = T̄_m − R_m/2 and T_max = T̄_m +
// R_m/2, the day's own sunrise, and its minimum at sunrise and maximum at
// 15:00 solar time. The continuous profile's daily mean is T̄_m; the 24
// hourly samples miss it by a few hundredths of a degree, so each day is
// shifted by that difference and the hourly mean of every day, hence of
// every month, is the monthly mean exactly. A range of 0 gives the flat
// monthly mean. The series steps between months, as the means do.
//
// It returns an *InputError when a temperature or range is not finite, a
// range is negative, or the site is out of the ranges of
// SynthesizeHourlyGHI (paths MonthlyTempC[0…11], MonthlyTempRangeC[0…11],
// LatDeg, LonDeg, UTCOffsetH).
func HourlyTemperatureByMonth(monthlyC, monthlyRangeC [12]float64, latDeg, lonDeg, utcOffsetH float64) ([]float64, error) {
	if err := checkResourceSite(latDeg, lonDeg, utcOffsetH); err != nil {
		return nil, err
	}
	for m := range 12 {
		if v := monthlyC[m]; math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fieldError(indexPath("MonthlyTempC", m), "must be a finite number [°C]; got %v", v)
		}
		if r := monthlyRangeC[m]; !(r >= 0) || math.IsInf(r, 0) {
			return nil, fieldError(indexPath("MonthlyTempRangeC", m), "must be a finite number ≥ 0 [°C]; got %v", r)
		}
	}
	latRad := latDeg * math.Pi / 180
	out := make([]float64, typicalYearHours)
	i, n := 0, 1
	for m, days := range typicalMonthDays {
		for range days {
			d := newResourceDay(n, latRad, lonDeg, utcOffsetH)
			esraDay(out[i:i+24], d, monthlyC[m], monthlyRangeC[m])
			i += 24
			n++
		}
	}
	return out, nil
}

// esraDay fills the 24 hours of day d with the ESRA profile around meanC
// [°C] with diurnal range rangeC [°C], shifted so that the 24 values
// average to meanC. A range of 0 gives meanC itself in every hour.
func esraDay(day []float64, d resourceDay, meanC, rangeC float64) {
	if rangeC == 0 {
		for h := range day {
			day[h] = meanC
		}
		return
	}
	var sum float64
	for h := range day {
		day[h] = ESRADailyTemperatureC(d.hourAngle(h), d.sunsetRad, meanC-rangeC/2, meanC+rangeC/2)
		sum += day[h]
	}
	shift := meanC - sum/float64(len(day))
	for h := range day {
		day[h] += shift
	}
}

// checkResourceSite validates the coordinates and UTC offset shared by the
// resource functions.
func checkResourceSite(latDeg, lonDeg, utcOffsetH float64) error {
	switch {
	case !(latDeg >= -90 && latDeg <= 90):
		return fieldError("LatDeg", "must be in [-90, 90] (+ north); got %v", latDeg)
	case !(lonDeg >= -180 && lonDeg <= 180):
		return fieldError("LonDeg", "must be in [-180, 180] (+ east); got %v", lonDeg)
	case !(utcOffsetH >= -12 && utcOffsetH <= 14):
		return fieldError("UTCOffsetH", "must be in [-12, 14] hours; got %v", utcOffsetH)
	}
	return nil
}

// ErbsMonthlyDiffuseFraction returns the monthly-average daily diffuse
// fraction H̄_d/H̄ from the monthly clearness index K̄_T = H̄/H̄_0 by the
// Erbs, Klein & Duffie (1982) correlation (Duffie & Beckman, Solar
// Engineering of Thermal Processes, Eq. 2.12.1):
//
//	ω_s ≤ 81.4°: H̄_d/H̄ = 1.391 − 3.560 K̄_T + 4.189 K̄_T² − 2.137 K̄_T³
//	ω_s > 81.4°: H̄_d/H̄ = 1.311 − 3.022 K̄_T + 3.427 K̄_T² − 1.821 K̄_T³
//
// valid for 0.3 ≤ K̄_T ≤ 0.8; K̄_T outside is clamped to that range.
// sunsetRad is the sunset hour angle of the month's mean day.
func ErbsMonthlyDiffuseFraction(kt, sunsetRad float64) float64 {
	kt = min(0.8, max(0.3, kt))
	if sunsetRad <= 81.4*math.Pi/180 {
		return 1.391 - 3.560*kt + 4.189*kt*kt - 2.137*kt*kt*kt
	}
	return 1.311 - 3.022*kt + 3.427*kt*kt - 1.821*kt*kt*kt
}

// dailyExtraterrestrialWhM2 returns the extraterrestrial irradiation on a
// horizontal surface over day n [Wh/m²] (Duffie & Beckman Eq. 1.10.3):
//
//	H_0 = (24/π) G_sc (1 + 0.033 cos(2π n/365)) (cos φ cos δ sin ω_s + ω_s sin φ sin δ)
//
// with G_sc = SolarConstantWm2 and the day's declination and sunset hour
// angle.
func (d resourceDay) dailyExtraterrestrialWhM2(n int, sinLat, cosLat float64) float64 {
	e := 1 + 0.033*math.Cos(2*math.Pi*float64(n)/365)
	return 24 / math.Pi * SolarConstantWm2 * e * (cosLat*d.cosDec*math.Sin(d.sunsetRad) + d.sunsetRad*sinLat*d.sinDec)
}

// SynthesizeHourlyDHI returns the diffuse part of a typical hourly year
// made by SynthesizeHourlyGHI from the same monthly totals [W/m²]: each
// month's diffuse total is H̄ × H̄_d/H̄ (ErbsMonthlyDiffuseFraction with the
// month's clearness index against the mean daily extraterrestrial
// irradiation), spread over each day by the Liu–Jordan (1960) ratio r_d
// (Duffie & Beckman Eq. 2.13.2), scaled to the month's diffuse total, and
// capped hour by hour at the hourly GHI. Using the monthly correlation
// instead of decomposing each mean-day hour with the hourly Erbs model keeps
// the beam share of the month's real mix of clear and overcast days (a mean
// day is a hazy day, whose hourly decomposition is mostly diffuse).
//
// ghi must be SynthesizeHourlyGHI's output for the same arguments. Errors
// are *InputError as for SynthesizeHourlyGHI.
func SynthesizeHourlyDHI(monthlyKWhM2 [12]float64, ghi []float64, latDeg, lonDeg, utcOffsetH float64) ([]float64, error) {
	if err := checkResourceSite(latDeg, lonDeg, utcOffsetH); err != nil {
		return nil, err
	}
	if len(ghi) != typicalYearHours {
		return nil, fieldError("GHI", "needs %d hourly values; got %d", typicalYearHours, len(ghi))
	}
	latRad := latDeg * math.Pi / 180
	sinLat, cosLat := math.Sincos(latRad)
	out := make([]float64, typicalYearHours)
	i, n := 0, 1
	for m, days := range typicalMonthDays {
		start, firstDay := i, n
		var h0Wh, rdSum float64
		for range days {
			d := newResourceDay(n, latRad, lonDeg, utcOffsetH)
			h0Wh += d.dailyExtraterrestrialWhM2(n, sinLat, cosLat)
			for h := range 24 {
				out[i] = LiuJordanDiffuseRatio(d.hourAngle(h), d.sunsetRad)
				rdSum += out[i]
				i++
			}
			n++
		}
		monthWh := monthlyKWhM2[m] * 1000
		if monthWh == 0 || rdSum == 0 || h0Wh <= 0 {
			for k := start; k < i; k++ {
				out[k] = 0
			}
			continue
		}
		mid := newResourceDay(firstDay+days/2, latRad, lonDeg, utcOffsetH)
		fd := ErbsMonthlyDiffuseFraction(monthWh/h0Wh, mid.sunsetRad)
		scale := monthWh * fd / rdSum
		for k := start; k < i; k++ {
			out[k] = min(out[k]*scale, ghi[k])
		}
	}
	return out, nil
}
