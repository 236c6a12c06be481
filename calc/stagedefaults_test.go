package calc_test

import (
	"slices"
	"testing"

	"alcarbon/calc"
)

// TestStageDefaulted: each stage lists the defaulted inputs it rests on,
// as the engine recorded them where it took each default (the portfolio's
// for the stages that use its electricity).
func TestStageDefaulted(t *testing.T) {
	r, p, err := engine(t).Primary(calc.PrimaryInput{Region: "CN-SX", Year: 2023, GWP: "AR5", Basis: calc.BasisOperational})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		calc.StageAluminaRefining:         {"Alumina.ConsumptionTPerT", "Alumina.Refinery.CoalGJPerT", "Alumina.Refinery.UpstreamTCO2ePerT"},
		calc.StageAnodeProduction:         {"Anode.BakingEnergyKgcePerT", "Anode.BakingFuel", "Anode.ConsumptionTPerT", "Anode.ProductionTCO2ePerT"},
		calc.StageElectrolysisDirect:      {"Anode.AshFraction", "Anode.NetCarbonTPerT", "Anode.SulphurFraction", "Electrolysis.PFC.Method"},
		calc.StageElectrolysisElectricity: {"Electricity.Sources", "Electrolysis.ACkWhPerT"},
		calc.StageCasting:                 {"Casting.ElectricityKWhPerT", "Casting.NaturalGasNm3PerT", "Electricity.Sources"},
	}
	var listed []string
	for _, s := range r.Stages {
		if !slices.Equal(s.Defaulted, want[s.Name]) {
			t.Errorf("%s: defaulted %v, want %v", s.Name, s.Defaulted, want[s.Name])
		}
		listed = append(listed, s.Defaulted...)
	}
	for _, d := range p.Defaulted {
		if !slices.Contains(listed, d) {
			t.Errorf("%s is defaulted but in no stage", d)
		}
	}

	in := handCase()
	in.Yield = nil
	in.Metal = calc.MetalInput{}
	pr, _, err := engine(t).Product(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range pr.Stages {
		if !slices.Contains(s.Defaulted, "Yield") {
			t.Errorf("%s: defaulted %v, want the yield, which scales every stage", s.Name, s.Defaulted)
		}
		primaryDefault := slices.Contains(s.Defaulted, "Metal.PrimaryFootprintTCO2ePerT")
		if primaryDefault != (s.Name == calc.StagePrimaryMetal) {
			t.Errorf("%s: defaulted %v; the region's default primary footprint feeds primary_metal only", s.Name, s.Defaulted)
		}
	}
}
