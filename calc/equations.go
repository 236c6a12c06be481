package calc

// CarbonToCO2 is the mass ratio of CO2 to carbon, 44/12 (molar masses).
const CarbonToCO2 = 44.0 / 12.0

// AnodeCO2 returns the CO2 from net anode carbon consumption [t CO2/t Al]:
//
//	E = NAC × (1 − S − Ash) × 44/12
//
// IPCC 2006 Guidelines Vol.3 Ch.4.4 Eq. 4.21 (prebake anode consumption).
// nac is net carbon consumption [t C/t Al]; sulphur and ash are mass
// fractions of the baked anode.
func AnodeCO2(nacTCPerT, sulphur, ash float64) float64 {
	return nacTCPerT * (1 - sulphur - ash) * CarbonToCO2
}

// PitchVolatilesCO2 returns the CO2 from pitch volatiles combusted while
// baking anodes [t CO2/t baked anode]:
//
//	E = (GA − H_w − BA − WT) × 44/12
//
// IPCC 2006 Vol.3 Ch.4.4 Eq. 4.22, with every mass per t of baked anode:
// green anode mass ga, hydrogen in green anodes hw, baked anode mass ba and
// waste tar collected wt [t].
func PitchVolatilesCO2(gaT, hwT, baT, wtT float64) float64 {
	return (gaT - hwT - baT - wtT) * CarbonToCO2
}

// PackingCokeCO2 returns the CO2 from packing coke consumed in anode baking
// [t CO2/t baked anode]:
//
//	E = PCC × BA × (1 − S_pc − Ash_pc) × 44/12
//
// IPCC 2006 Vol.3 Ch.4.4 Eq. 4.23. pcc is packing coke consumption
// [t/t baked anode], ba the baked anode mass [t], sulphur and ash the mass
// fractions of the packing coke.
func PackingCokeCO2(pccTPerT, baT, sulphur, ash float64) float64 {
	return pccTPerT * baT * (1 - sulphur - ash) * CarbonToCO2
}

// SlopeCF4 returns CF4 emissions by the slope method [kg CF4/t Al]:
//
//	EF_CF4 = SEF_CF4 × AEM
//
// IPCC 2006 Vol.3 Ch.4 §4.4, the Tier 2/3 slope method (the same equation
// is US EPA 40 CFR 98.63 Eq. F-2; its IPCC equation number, cited here
// earlier as 4.25, is not verified); EU CBAM Implementing Regulation
// 2025/2547 Annex II B.7 (CF4 [t] = AEM × SEF/1000 × Pr_Al). aem is
// anode-effect minutes per cell-day, sef the slope coefficient
// [(kg CF4/t Al)/(AE-min/cell-day)].
func SlopeCF4(aemMinPerCellDay, sef float64) float64 {
	return sef * aemMinPerCellDay
}

// OvervoltageCF4 returns CF4 emissions by the overvoltage method
// [kg CF4/t Al]:
//
//	EF_CF4 = OVC × AEO / CE
//
// IPCC 2006 Vol.3 Ch.4 §4.4, the overvoltage method (its equation number,
// cited here earlier as 4.27, is not verified); Commission Regulation (EU) 601/2012
// Annex IV §8 B (CF4 [t] = OVC × (AEO/CE) × Pr_Al × 0.001), where CE is the
// current efficiency in percent. ovc is [(kg CF4/t Al)/mV], aeo the anode
// effect overvoltage per cell [mV] and currentEfficiency a fraction (0.94 for
// 94 %), converted here to the percent the equation expects.
func OvervoltageCF4(ovc, aeoMV, currentEfficiency float64) float64 {
	return ovc * aeoMV / (currentEfficiency * 100)
}

// GasCO2e converts a gas mass to CO2-equivalent [t CO2e]:
//
//	E = m × GWP100 / 1000
//
// massKg is in kg, gwp in kg CO2e/kg (IPCC assessment report GWP100).
func GasCO2e(massKg, gwp float64) float64 {
	return massKg * gwp / 1000
}

// FuelCO2PerUnit returns a fuel's combustion CO2 factor [t CO2 per unit of
// fuel]:
//
//	EF = NCV × CC × OF × 44/12
//
// China enterprise GHG accounting guidelines (Appendix A method; IPCC 2006
// Vol.2 Eq. 2.1 form). ncv is the net calorific value [GJ/unit], cc the
// carbon content [t C/GJ] and oxidation the oxidation fraction.
func FuelCO2PerUnit(ncvGJPerUnit, ccTCPerGJ, oxidation float64) float64 {
	return ncvGJPerUnit * ccTCPerGJ * oxidation * CarbonToCO2
}

// FuelCO2PerGJ returns a fuel's combustion CO2 factor per energy
// [t CO2/GJ]: EF = CC × OF × 44/12 (same source as FuelCO2PerUnit).
func FuelCO2PerGJ(ccTCPerGJ, oxidation float64) float64 {
	return ccTCPerGJ * oxidation * CarbonToCO2
}

// KgceToGJ converts kilograms of standard coal equivalent to GJ:
//
//	E [GJ] = kgce × 29.3076 MJ/kgce / 1000
//
// GB/T 2589 defines 1 kgce = 29.3076 MJ; mjPerKgce is passed in from the
// dataset.
func KgceToGJ(kgce, mjPerKgce float64) float64 {
	return kgce * mjPerKgce / 1000
}

// CoalPowerEF returns the CO2 factor of coal-fired electricity from its
// specific coal consumption [t CO2/MWh]:
//
//	EF = b × 29.3076 MJ/kgce × EF_coal
//
// with b in g ce/kWh (= kg ce/MWh), converted with GB/T 2589's
// 29.3076 MJ/kgce, and EF_coal the coal CO2 factor [t CO2/GJ].
func CoalPowerEF(gcePerKWh, mjPerKgce, coalTCO2PerGJ float64) float64 {
	return KgceToGJ(gcePerKWh, mjPerKgce) * coalTCO2PerGJ
}

// ProvincialLifecycleEstimate estimates a province's electricity
// carbon-footprint (life-cycle) factor [t CO2e/MWh], which MEE publishes
// nationally only, by scaling the national life-cycle factor with the
// province's operational CO2 factor:
//
//	EF_lc,p = EF_lc,CN × EF_co2,p / EF_co2,CN
//
// The ratio method is alcarbon's estimate, not a published
// value; results that use it say so.
func ProvincialLifecycleEstimate(nationalLifecycle, provincialCO2, nationalCO2 float64) float64 {
	return nationalLifecycle * provincialCO2 / nationalCO2
}

// Grade returns the grade (1, 2 or 3) of an energy indicator against the
// grade limits of a Chinese energy-consumption-limit standard (GB 21346-2022,
// GB 21351-2023: lower is better; grade 3 is the mandatory limit), or 0 when
// the value exceeds the grade-3 limit (non-compliant). limits are the grade
// 1, 2 and 3 maxima in ascending order.
func Grade(value float64, limits [3]float64) int {
	for i, l := range limits {
		if value <= l {
			return i + 1
		}
	}
	return 0
}

// RegionalResidualEstimate estimates a region's residual-mix factor
// [t CO2/MWh], which China publishes nationally only (MEE/NBS 表4, the
// national factor excluding market-traded non-fossil electricity), by
// scaling the region's grid average with the national ratio:
//
//	EF_residual,region = EF_grid,region × EF_表4,national / EF_average,national
//
// the same proportional method as ProvincialLifecycleEstimate; a residual
// mix removes claimed low-carbon power, so it is not below the grid average
// when 表4 is above the national average.
func RegionalResidualEstimate(gridRegion, excludedNational, averageNational float64) float64 {
	return gridRegion * excludedNational / averageNational
}
