package calc

import "math"

// StageData is one stage of a footprint for data-quality purposes: its
// market-based emissions [t CO2e/t] and whether any input it uses took a
// dataset default (Stage.Defaulted, or a product step with default energy).
type StageData struct {
	MarketBased float64
	Secondary   bool
}

// PrimaryDataShare is the share of a footprint computed from the
// enterprise's own data [%], stage-weighted:
//
//	share = 100 × Σ_{s primary} |E_s| / Σ_s |E_s|
//
// where E_s is stage s's market-based emissions and a stage is primary
// when none of the inputs it uses took a dataset default. Published
// emission factors (grid averages, fuel factors, GWPs) are not inputs the
// enterprise supplies and do not make a stage secondary; activity data and
// plant-specific parameters left to defaults do. This is alcarbon's rule
// for PACT's primaryDataShare (the share of the footprint calculated from
// primary data). It is 0 for a footprint of 0, rounded to 2 decimals.
func PrimaryDataShare(stages []StageData) float64 {
	var primary, total float64
	for _, s := range stages {
		e := math.Abs(s.MarketBased)
		total += e
		if !s.Secondary {
			primary += e
		}
	}
	if total == 0 {
		return 0
	}
	return roundTo(100*primary/total, 2)
}

// DataQualityRatings are the PACT data quality ratings of a footprint on
// the Pathfinder Framework's 1–3 scale (1 best).
type DataQualityRatings struct {
	CoveragePercent                                    float64
	Technological, Temporal, Geographical, Reliability float64
	Completeness                                       float64
}

// DataQuality rates a footprint (alcarbon's rule): technological,
// geographical and reliability ratings are 1 for primary data and 2 for
// dataset defaults (Chinese industry averages), weighted by the primary
// data share [%]:
//
//	DQR = 2 − share/100  (rounded to 2 decimals)
//
// temporal is 1 when the activity year lies in the reference period
// [startYear, endYear], 2 within 3 years of it, 3 otherwise; completeness
// is 1 (every stage of the cradle-to-gate boundary is modelled) and
// coverage 100 %.
func DataQuality(primaryShare float64, activityYear, startYear, endYear int) DataQualityRatings {
	r := roundTo(2-primaryShare/100, 2)
	temporal := 3.0
	switch {
	case activityYear >= startYear && activityYear <= endYear:
		temporal = 1
	case activityYear >= startYear-3 && activityYear <= endYear+3:
		temporal = 2
	}
	return DataQualityRatings{CoveragePercent: 100, Technological: r, Temporal: temporal, Geographical: r, Completeness: 1, Reliability: r}
}

// roundTo rounds x to places decimals, halves away from zero.
func roundTo(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}
