package pact

import (
	"strconv"
	"strings"

	"alcarbon/calc"
	"alcarbon/registry"
)

// Which stages of a declaration rest on the enterprise's own data, and the
// data quality that follows: the stage attribution of defaulted inputs,
// the primary data share and the data quality indicators.

// legacyStagesOfInput returns the stages an input of a request of kind
// feeds, guessed from its JSON pointer; nil for an input it does not know
// or that scales every stage (a product's yield), which then counts
// against every stage. It is the fallback for declarations stored before
// the engine recorded each stage's defaulted inputs
// (stages[].defaulted_inputs), which carry only
// provenance.defaulted_inputs; newer results are attributed by the engine
// (secondaryStages).
func legacyStagesOfInput(kind, pointer string) []string {
	if kind == registry.KindProduct {
		return legacyStagesOfProductInput(pointer)
	}
	switch {
	case strings.HasPrefix(pointer, "/alumina/"):
		return []string{calc.StageAluminaRefining}
	case pointer == "/anode/net_carbon_t_per_t", pointer == "/anode/sulphur_fraction", pointer == "/anode/ash_fraction",
		strings.HasPrefix(pointer, "/electrolysis/pfc/"):
		return []string{calc.StageElectrolysisDirect}
	case strings.HasPrefix(pointer, "/anode/"):
		return []string{calc.StageAnodeProduction}
	case pointer == "/electrolysis/ac_kwh_per_t":
		return []string{calc.StageElectrolysisElectricity}
	case pointer == "/electricity" || strings.HasPrefix(pointer, "/electricity/"):
		// The supply portfolio's factor applies to smelter and casthouse power.
		return []string{calc.StageElectrolysisElectricity, calc.StageCasting}
	case strings.HasPrefix(pointer, "/casting/"):
		return []string{calc.StageCasting}
	}
	return nil
}

// legacyStagesOfProductInput is legacyStagesOfInput for a product.
func legacyStagesOfProductInput(pointer string) []string {
	switch {
	case strings.HasPrefix(pointer, "/metal/primary"):
		return []string{calc.StagePrimaryMetal}
	case strings.HasSuffix(pointer, "_scrap_share"):
		return []string{calc.StagePrimaryMetal, calc.StageRecycledMetal}
	case strings.HasPrefix(pointer, "/metal/"):
		return []string{calc.StageRecycledMetal}
	case pointer == "/alloy":
		return []string{calc.StageAlloying}
	case pointer == "/electricity" || strings.HasPrefix(pointer, "/electricity/"), strings.HasPrefix(pointer, "/steps"):
		return []string{calc.StageCasting, calc.StageProcessing}
	case pointer == "/melt_loss_fraction":
		return []string{calc.StageCasting, calc.StagePrimaryMetal, calc.StageRecycledMetal}
	}
	return nil
}

// primaryDataShare is calc.PrimaryDataShare of a stored result [%], its
// stages secondary as secondaryStages says.
func primaryDataShare(kind string, r storedResult) float64 {
	secondary := secondaryStages(kind, r)
	stages := make([]calc.StageData, len(r.Stages))
	for i, s := range r.Stages {
		stages[i] = calc.StageData{MarketBased: s.MarketBasedTCO2ePerT, Secondary: secondary[s.Stage]}
	}
	return calc.PrimaryDataShare(stages)
}

// secondaryStages are the stages of a result that rest on a dataset
// default: a product route step with default energy, or a defaulted
// input the engine recorded as feeding the stage (stages[].defaulted_inputs).
// Results stored before the engine recorded that are attributed from
// provenance.defaulted_inputs by legacyStagesOfInput.
func secondaryStages(kind string, r storedResult) map[string]bool {
	secondary := map[string]bool{}
	for _, st := range r.Steps {
		if st.Defaulted {
			secondary[st.Stage] = true
		}
	}
	if hasStageDefaults(r) {
		for _, s := range r.Stages {
			if len(s.DefaultedInputs) > 0 {
				secondary[s.Stage] = true
			}
		}
		return secondary
	}
	for _, p := range r.Provenance.DefaultedInputs {
		stages := legacyStagesOfInput(kind, p)
		if stages == nil {
			for _, s := range r.Stages {
				secondary[s.Stage] = true
			}
		}
		for _, s := range stages {
			secondary[s] = true
		}
	}
	return secondary
}

// hasStageDefaults reports whether the engine recorded each stage's
// defaulted inputs in r (results since stages[].defaulted_inputs).
func hasStageDefaults(r storedResult) bool {
	if len(r.Stages) == 0 {
		return false
	}
	for _, s := range r.Stages {
		if s.DefaultedInputs == nil {
			return false
		}
	}
	return true
}

// dataQuality is calc.DataQuality of a declaration: its primary data
// share, activity year and reference period (dates YYYY-MM-DD…).
func dataQuality(share float64, year int, start, end string) DataQualityIndicators {
	q := calc.DataQuality(share, year, yearOf(start), yearOf(end))
	return DataQualityIndicators{CoveragePercent: q.CoveragePercent, TechnologicalDQR: q.Technological, TemporalDQR: q.Temporal,
		GeographicalDQR: q.Geographical, CompletenessDQR: q.Completeness, ReliabilityDQR: q.Reliability}
}

func yearOf(date string) int {
	y, _ := strconv.Atoi(strings.SplitN(date, "-", 2)[0])
	return y
}
