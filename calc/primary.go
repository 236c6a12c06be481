package calc

import (
	"fmt"
	"slices"
	"strings"

	"alcarbon/factors"
)

// Stage names of a primary aluminium footprint, in order: alumina,
// anodes, the cells' direct emissions (anode CO2 and PFC), the cells'
// electricity and the casthouse.
const (
	StageAluminaRefining         = "alumina_refining"
	StageAnodeProduction         = "anode_production"
	StageElectrolysisDirect      = "electrolysis_direct"
	StageElectrolysisElectricity = "electrolysis_electricity"
	StageCasting                 = "casting"
)

// Cell technologies (IPCC 2006 Table 4.15 plus the CBAM 2025 point-fed
// prebake classes).
var CellTechnologies = []string{"CWPB", "PFPB_L", "PFPB_M", "PFPB_MW", "SWPB", "VSS", "HSS"}

// PFC methods.
var PFCMethods = []string{"default", "tier1", "slope", "overvoltage", "measured"}

// Slope coefficient sets.
var SlopeCoefficientSets = []string{"cbam2025", "ipcc2006", "cn_guideline"}

// GWPSets are the selectable IPCC assessment reports.
var GWPSets = []string{"AR4", "AR5", "AR6"}

// Fuels usable in fuel fields.
var Fuels = []string{"natural_gas", "coal", "diesel", "fuel_oil", "petroleum_coke", "lpg", "lng", "coke_oven_gas"}

// PrimaryInput is a smelter's activity data. Nil pointers take dataset
// defaults, recorded in Provenance.Defaulted.
type PrimaryInput struct {
	Region      string
	Year        int
	GWP         string
	Basis       Basis
	ProductionT *float64

	Alumina      AluminaInput
	Anode        AnodeInput
	Electrolysis ElectrolysisInput
	Casting      CastingInput
	Electricity  ElectricityInput // Region, Year, Basis, DemandMWh and Path are set by the engine
}

// AluminaInput is the alumina stage: consumption and the alumina footprint,
// given or computed from the refinery's energy.
type AluminaInput struct {
	ConsumptionTPerT   *float64 // t alumina / t Al
	FootprintTCO2ePerT *float64 // t CO2e / t alumina, cradle-to-gate
	Refinery           RefineryInput
}

// RefineryInput is the energy of an alumina refinery per t of alumina.
type RefineryInput struct {
	CoalGJPerT         *float64
	NaturalGasNm3PerT  *float64
	ElectricityKWhPerT *float64
	// UpstreamTCO2ePerT is bauxite, caustic soda and lime per t alumina.
	UpstreamTCO2ePerT *float64
}

// AnodeInput is the anode: its carbon consumption in the cells (direct
// CO2) and its production footprint.
type AnodeInput struct {
	NetCarbonTPerT      *float64 // NAC, t C / t Al
	SulphurFraction     *float64
	AshFraction         *float64
	ConsumptionTPerT    *float64 // t baked anode / t Al
	ProductionTCO2ePerT *float64 // t CO2e / t baked anode
	// BakingEnergyKgcePerT and BakingFuel compute the baking fuel term
	// when ProductionTCO2ePerT is not given.
	BakingEnergyKgcePerT *float64
	BakingFuel           string
	// ProducedOnSite says whether the anodes are baked in the smelter's
	// installation (CBAM boundary; nil: yes in China, from 2026.2 on).
	ProducedOnSite *bool
}

// ElectrolysisInput is the potline.
type ElectrolysisInput struct {
	Technology string
	// ACkWhPerT is the smelter's AC power per t of liquid aluminium
	// [kWh/t]: the liquid AC power (GB 21346 铝液交流电耗) on datasets
	// before 2026.2, the comprehensive AC power incl. auxiliaries (铝液综合
	// 交流电耗, IAI "AC power") from 2026.2 on (factors.RuleSmelterAC).
	ACkWhPerT *float64
	// LiquidACkWhPerT is the potline's liquid AC power [kWh/t], graded
	// against GB 21346 when given (2026.2 on).
	LiquidACkWhPerT *float64
	PFC             PFCInput
}

// PFCInput selects the PFC method and its data.
type PFCInput struct {
	Method                       string
	Coefficients                 string   // slope coefficient set
	AnodeEffectMinutesPerCellDay *float64 // slope
	AnodeEffectOvervoltageMV     *float64 // overvoltage
	CurrentEfficiency            *float64 // overvoltage, fraction
	CF4KgPerT, C2F6KgPerT        *float64 // measured
	SlopeCF4, FractionC2F6       *float64 // installation-specific coefficients (slope)
}

// CastingInput is the casthouse. Molten means the metal leaves the smelter
// liquid (direct supply), so there is no casting.
type CastingInput struct {
	ElectricityKWhPerT *float64
	NaturalGasNm3PerT  *float64
	Molten             bool
}

// Stage is one stage's emissions [t CO2e/t Al].
type Stage struct {
	Name          string
	LocationBased float64
	MarketBased   float64
	Share         float64 // of the location-based total
	// Defaulted are the Go paths of the defaulted inputs (Provenance.Defaulted)
	// the stage rests on: those the engine recorded as feeding it, and
	// those that scale every stage.
	Defaulted []string
}

// Gases splits the location-based total by gas [t CO2e/t Al].
type Gases struct {
	CO2, CF4, C2F6 float64
	CF4KgPerT      float64
	C2F6KgPerT     float64
}

// Scopes splits the location-based total by where it is emitted.
type Scopes struct {
	// Direct is scope 1 at the smelter: anode CO2, PFC, casting fuel and
	// captive power plants.
	Direct float64
	// IndirectElectricity is purchased electricity (grid, direct lines,
	// green contracts).
	IndirectElectricity float64
	// Upstream is alumina and anodes made elsewhere.
	Upstream float64
}

// Ratings grade the smelter against national standards.
type Ratings struct {
	ACkWhPerT float64 // the smelter's AC power driving the electricity stage
	// Indicator is the GB 21346-2022 indicator graded: IndicatorLiquidAC
	// or IndicatorLiquidComprehensiveAC; GradedKWhPerT its value.
	Indicator      string
	GradedKWhPerT  float64
	GB21346ACGrade int // 1–3, 0 above the grade-3 limit
	// NDRCLevel is "benchmark", "baseline", "below_baseline" (liquid AC
	// power) or NDRCNotAssessed when only the comprehensive AC is known.
	NDRCLevel string
}

// PrimaryResult is the footprint of 1 t of primary aluminium.
type PrimaryResult struct {
	DeclaredUnit  string
	LocationBased float64
	MarketBased   float64
	Stages        []Stage
	Gases         Gases
	Scopes        Scopes
	Electricity   ElectricityResult
	MWhPerT       float64
	Ratings       Ratings
	CBAM          CBAM
	// ETS is the China national ETS view, nil on datasets without it.
	ETS   *ETS
	GWP   string
	Basis Basis
	// Annual is the smelter's emissions over a year, nil without the
	// annual production.
	Annual *AnnualEmissions
}

// Primary computes the cradle-to-gate footprint of 1 t of primary
// aluminium.
func (e *Engine) Primary(in PrimaryInput) (PrimaryResult, Provenance, error) {
	return e.PrimaryWithPVMemo(nil, in, nil)
}

// PrimaryUncertainty runs a Monte Carlo over a primary footprint: the
// request is compiled once (its provenance is returned) and the
// compiled model, the one Primary evaluates with every multiplier at 1,
// is evaluated for each sample, so 10,000 samples take milliseconds.
func (e *Engine) PrimaryUncertainty(in PrimaryInput, spec UncertaintySpec) (UncertaintyResult, Provenance, error) {
	c, prov, err := e.CompilePrimary(nil, in)
	if err != nil {
		return UncertaintyResult{}, prov, err
	}
	out, err := monteCarlo(nil, c.m, spec)
	return out, prov, err
}

// CompilePrimary computes a primary footprint once and returns the model
// it evaluated, for sampling, stopped early by stop (nil: never). Its
// errors are Primary's.
func (e *Engine) CompilePrimary(stop Interrupt, in PrimaryInput) (*CompiledFootprint, Provenance, error) {
	l := newLedger(e.ds, &e.memos)
	l.stop = stop
	m, _, err := primaryRun(l, in, true)
	if err != nil {
		return nil, l.provenance(), err
	}
	if m.port.implicitErr != nil {
		return nil, l.provenance(), m.port.implicitErr
	}
	return &CompiledFootprint{m}, l.provenance(), nil
}

// primaryModel is a primary footprint as a function of input multipliers:
//
//	total = alumina·m_al + anode_prod·m_ap + anode_CO2·m_nac + PFC·m_pfc
//	      + (AC·m_ac + cast)/1000 × EF(D, m) + casting fuel
//
// where the portfolio factor EF depends on demand D (fixed volumes and PV
// are annual MWh) and on the grid, source and PV multipliers. Primary is
// this model with every multiplier at 1.
type primaryModel struct {
	ins inputList
	// index of each multiplier in ins, −1 when not varied.
	iAC, iNAC, iPFC, iAlumina, iAnodeProd int
	alumina, anodeProd, anodeCO2          float64 // t CO2e/t Al
	cf4, c2f6                             float64 // t CO2e/t Al
	castFuel, acKWh, castKWh              float64
	productionT                           float64 // 0: per-tonne demand
	port                                  *portfolioModel
}

// primaryTerms is one evaluation of a primary model [t CO2e/t Al].
type primaryTerms struct {
	// stageLoc and stageMkt are the stages' emissions, location- and
	// market-based, in the order of primaryStages.
	stageLoc, stageMkt [5]float64
	direct             float64 // anode CO2 and PFC
	mwhPerT, demand    float64
	port               portfolioTotals
	loc, mkt           float64
	acMWh, castMWhPT   float64
}

func (p *primaryModel) inputs() []UncertainInput { return p.ins }

func (p *primaryModel) totals(m []float64) (float64, float64) {
	t := p.eval(m)
	return t.loc, t.mkt
}

// eval evaluates the footprint for the multipliers m; the portfolio's
// per-source MWh are left in p.port.mwh.
func (p *primaryModel) eval(m []float64) primaryTerms {
	var t primaryTerms
	ac := p.acKWh * mult(m, p.iAC)
	t.mwhPerT = (ac + p.castKWh) / 1000
	t.demand = t.mwhPerT
	if p.productionT > 0 {
		t.demand = t.mwhPerT * p.productionT
	}
	t.port = p.port.eval(t.demand, m, p.port.mwh)
	pfc := mult(m, p.iPFC)
	t.direct = p.anodeCO2*mult(m, p.iNAC) + p.cf4*pfc + p.c2f6*pfc
	al := p.alumina * mult(m, p.iAlumina)
	ap := p.anodeProd * mult(m, p.iAnodeProd)
	t.acMWh, t.castMWhPT = ac/1000, p.castKWh/1000
	t.stageLoc = [5]float64{al, ap, t.direct, t.acMWh * t.port.efLoc, t.castMWhPT*t.port.efLoc + p.castFuel}
	t.stageMkt = [5]float64{al, ap, t.direct, t.acMWh * t.port.efMkt, t.castMWhPT*t.port.efMkt + p.castFuel}
	for i := range t.stageLoc {
		t.loc += t.stageLoc[i]
		t.mkt += t.stageMkt[i]
	}
	return t
}

// primaryStages are the stages of a primary footprint, in order.
var primaryStages = [5]string{StageAluminaRefining, StageAnodeProduction, StageElectrolysisDirect, StageElectrolysisElectricity, StageCasting}

// stages names the evaluated stages.
func (t *primaryTerms) stages() []Stage {
	out := make([]Stage, len(primaryStages))
	for i, name := range primaryStages {
		out[i] = Stage{Name: name, LocationBased: t.stageLoc[i], MarketBased: t.stageMkt[i]}
	}
	return out
}

func primary(l *ledger, in PrimaryInput) (PrimaryResult, error) {
	_, res, err := primaryRun(l, in, false)
	return res, err
}

// primaryRun compiles a primary footprint, evaluates it with every
// multiplier at 1 and reports the result, recording its provenance in l.
// With sampling the model also gets its inputs' default distributions.
func primaryRun(l *ledger, in PrimaryInput, sampling bool) (*primaryModel, PrimaryResult, error) {
	res := PrimaryResult{GWP: in.GWP, Basis: in.Basis, DeclaredUnit: "1 t primary aluminium (ingot)"}
	if in.Casting.Molten {
		res.DeclaredUnit = "1 t primary aluminium (liquid metal at the smelter gate)"
	}
	p, k, el, elec, err := compilePrimary(l, in, sampling)
	if err != nil {
		return nil, res, err
	}
	t := p.eval(ones(len(p.ins)))
	res.MWhPerT, res.Electricity = t.mwhPerT, elec
	res.Gases = Gases{CF4: p.cf4, C2F6: p.c2f6, CF4KgPerT: k.cf4Kg, C2F6KgPerT: k.c2f6Kg}
	res.Stages = t.stages()
	res.LocationBased, res.MarketBased = t.loc, t.mkt
	for i := range res.Stages {
		if res.LocationBased > 0 {
			res.Stages[i].Share = res.Stages[i].LocationBased / res.LocationBased
		}
	}
	res.Gases.CO2 = res.LocationBased - res.Gases.CF4 - res.Gases.C2F6
	l.assume("gases: everything except CF4 and C2F6 is reported as CO2 (electricity and upstream factors are CO2 or CO2e as published)")
	res.Annual = annualEmissions(res.LocationBased, res.MarketBased, in.ProductionT)
	if res.Ratings, err = ratings(l, p.acKWh, in.Electrolysis); err != nil {
		return nil, res, err
	}
	cb := cbamTerms{anodeCO2: p.anodeCO2, anodeProd: p.anodeProd, castFuel: p.castFuel, cf4Kg: k.cf4Kg, c2f6Kg: k.c2f6Kg, mwhPerT: res.MWhPerT}
	if res.CBAM, err = primaryCBAM(l, in, el, res.Electricity, cb); err != nil {
		return nil, res, err
	}
	onSite := res.CBAM.AnodesOnSite != nil && *res.CBAM.AnodesOnSite
	res.Scopes = primaryScopes(res, t.direct, p.castFuel, onSite)
	if res.ETS, err = primaryETS(l, in, res.Electricity, cb); err != nil {
		return nil, res, err
	}
	return p, res, nil
}

// pfcMasses are a smelter's PFC emissions by mass [kg/t Al].
type pfcMasses struct{ cf4Kg, c2f6Kg float64 }

// compilePrimary looks up every term of a primary footprint and compiles
// its supply portfolio, recording in l, in the order a reader expects:
// power and casting, the portfolio (reported at the request's demand, elec)
// and the other stages.
func compilePrimary(l *ledger, in PrimaryInput, sampling bool) (p *primaryModel, k pfcMasses, el ElectricityInput, elec ElectricityResult, err error) {
	p = &primaryModel{iAC: -1, iNAC: -1, iPFC: -1, iAlumina: -1, iAnodeProd: -1}
	if p.acKWh, err = smelterAC(l, in.Electrolysis); err != nil {
		return
	}
	castGasNm3 := 0.0
	if p.castKWh, castGasNm3, err = castingInputs(l, in.Casting); err != nil {
		return
	}
	el = in.Electricity
	el.Region, el.Year, el.Basis, el.Path = in.Region, in.Year, in.Basis, "Electricity"
	if err = applySmelterSupplyRule(l, &el); err != nil {
		return
	}
	el.DemandMWh = (p.acKWh + p.castKWh) / 1000
	if in.ProductionT != nil {
		p.productionT = *in.ProductionT
		el.DemandMWh *= p.productionT
		el.AnnualVolumes = true
	}
	var portIns *inputList
	if sampling {
		portIns = &inputList{}
	}
	restore := l.feeding(StageElectrolysisElectricity, StageCasting)
	p.port, elec, err = compilePortfolio(l, el, portIns)
	restore()
	if err != nil {
		return
	}
	if k, err = primaryStageTerms(l, in, p, castGasNm3); err != nil {
		return
	}
	if !sampling {
		return
	}
	if err = p.registerInputs(l.ds, in); err != nil {
		return
	}
	p.port.shiftInputs(len(p.ins))
	p.ins = append(p.ins, *portIns...)
	return
}

// applySmelterSupplyRule gives a smelter whose request lists no
// electricity sources the dataset's default supply
// (factors.RuleSmelterSupply): with "captive_share", captive coal plants
// (the dataset's coal-power factor) for the region's captive share of the
// demand (default/captive_share/<region> where the dataset has one, else
// the national share) and the region's grid for the rest, recorded as
// defaulted and warned. Datasets without the rule leave the sources empty
// (the region's grid supplies everything).
func applySmelterSupplyRule(l *ledger, el *ElectricityInput) error {
	if len(el.Sources) > 0 || l.ds.Rule(factors.RuleSmelterSupply) != "captive_share" {
		return nil
	}
	id, scope := "default/captive_share/"+el.Region, "the "+el.Region+" share"
	if _, ok := l.ds.Factor(id); !ok {
		id, scope = "default/captive_share/CN", "the national captive share, IAI 2021; no provincial share was found for "+el.Region
	}
	share, err := l.factor(id)
	if err != nil {
		return err
	}
	grid := 1 - share
	el.Sources = []Source{{Kind: KindGrid, Share: &grid}}
	if share > 0 {
		el.Sources = []Source{{Kind: KindCaptive, Fuel: "coal", Share: &share}, {Kind: KindGrid, Share: &grid}}
	}
	l.defaulted(joinPath(el.Path, "Sources"), StageElectrolysisElectricity, StageCasting)
	l.warn("typical_supply_used", Params{"region": el.Region, "captive_share_pct": share * 100}, "electricity sources not given: the typical Chinese smelter's supply for %s is used — captive coal plants for %.0f %% of the demand (%s) and the %s grid for the rest; give {%s} for the plant's own supply", el.Region, share*100, scope, el.Region, joinPath(el.Path, "Sources"))
	return nil
}

// castingInputs returns the casthouse's electricity [kWh/t] and natural gas
// [Nm3/t]: none for metal that leaves the smelter molten.
func castingInputs(l *ledger, c CastingInput) (kwh, gasNm3 float64, err error) {
	if c.Molten {
		l.assume("metal leaves the smelter molten (direct supply): no casting electricity or fuel")
		return 0, 0, nil
	}
	if kwh, err = l.orDefault(c.ElectricityKWhPerT, "Casting.ElectricityKWhPerT", "default/casting_electricity", StageCasting); err != nil {
		return
	}
	if c.NaturalGasNm3PerT != nil {
		gasNm3 = *c.NaturalGasNm3PerT
		return
	}
	l.defaulted("Casting.NaturalGasNm3PerT", StageCasting)
	if _, ok := l.ds.Factor(castingGasDefaultID); !ok {
		// Datasets before 2026.2 have no default casting fuel.
		l.assume("casting natural gas not given: none (an electric casthouse); give {Casting.NaturalGasNm3PerT} for a gas-fired one")
		return
	}
	gasNm3, err = castingGasDefault(l)
	return
}

// castingGasDefaultID is the dataset's default casthouse natural gas
// [MJ/t cast metal], where the dataset has one (2026.2 on).
const castingGasDefaultID = "default/casting_natural_gas"

// castingGasDefault returns the dataset's default casthouse natural gas in
// Nm3/t: energy [MJ/t] / 1000 / NCV [GJ/Nm3].
func castingGasDefault(l *ledger) (float64, error) {
	mj, err := l.factor(castingGasDefaultID)
	if err != nil {
		return 0, err
	}
	ncv, err := l.factor("fuel/natural_gas/ncv")
	if err != nil {
		return 0, err
	}
	nm3 := mj / 1000 / ncv
	l.warn("casting_gas_default", Params{"mj_per_t": mj, "nm3_per_t": nm3}, "casting natural gas not given: the IAI 2015 world casthouse average (%.0f MJ/t, %.4g Nm3/t) is used — give {Casting.NaturalGasNm3PerT}, 0 for an electric casthouse", mj, nm3)
	return nm3, nil
}

// primaryStageTerms fills the model's non-electricity terms: alumina, anode
// production, anode CO2, PFC (in CO2e with the request's GWP set) and the
// casting fuel.
func primaryStageTerms(l *ledger, in PrimaryInput, p *primaryModel, castGasNm3 float64) (pfcMasses, error) {
	var k pfcMasses
	gwp, err := gwpSet(l, in.GWP)
	if err != nil {
		return k, err
	}
	if p.alumina, err = aluminaStage(l, in); err != nil {
		return k, err
	}
	if p.anodeProd, err = anodeProductionStage(l, in.Anode); err != nil {
		return k, err
	}
	if p.anodeCO2, err = anodeCO2Term(l, in.Anode); err != nil {
		return k, err
	}
	if k.cf4Kg, k.c2f6Kg, err = pfc(l, in.Electrolysis); err != nil {
		return k, err
	}
	p.cf4, p.c2f6 = GasCO2e(k.cf4Kg, gwp.cf4), GasCO2e(k.c2f6Kg, gwp.c2f6)
	if castGasNm3 > 0 {
		ng, err := fuelCO2PerUnit(l, "natural_gas")
		if err != nil {
			return k, err
		}
		p.castFuel = castGasNm3 * ng
	}
	return k, nil
}

// registerInputs chooses the default distributions of the primary inputs.
// What the choice looks up in ds is not the result's provenance.
func (p *primaryModel) registerInputs(ds *factors.Dataset, in PrimaryInput) error {
	normal := func(sd float64) Distribution { return Distribution{Kind: DistNormal, SD: sd} }
	if in.Electrolysis.ACkWhPerT != nil {
		p.iAC = p.ins.add(UncertainInput{Path: "Electrolysis.ACkWhPerT", Label: "potline AC power", Dist: normal(0.01), Default: true,
			Source: "assumption: metered AC power, 1 % (1σ) for metering and the allocation of auxiliaries"})
	} else {
		p.iAC = p.ins.add(UncertainInput{Path: "Electrolysis.ACkWhPerT", Label: "potline AC power", Dist: normal(0.03), Default: true,
			Source: "assumption: the IAI China average stands for an unknown smelter; GB 21346-2022 grade 1 to the limit (12,950–13,350 kWh/t) spans about ±1.5 %, and older smelters run higher: 3 % (1σ)"})
	}
	nacSD, nacSrc := 0.02, "assumption: the smelter's own NAC from anode records, 2 % (1σ)"
	if in.Anode.NetCarbonTPerT == nil {
		nacSD, nacSrc = 0.05, "assumption: the Chinese guideline default NAC (0.411 t C/t Al) for an unknown smelter, 5 % (1σ); IPCC 2006 gives no default uncertainty (facility records)"
	}
	p.iNAC = p.ins.add(UncertainInput{Path: "Anode.NetCarbonTPerT", Label: "net anode carbon consumption", Dist: normal(nacSD), Source: nacSrc, Default: true})
	if p.cf4+p.c2f6 > 0 {
		const id = "pfc/cbam2025/measurement_uncertainty"
		f, ok := ds.Factor(id)
		if !ok {
			return &DataError{ID: id}
		}
		u := f.Value
		p.iPFC = p.ins.add(UncertainInput{Path: "Electrolysis.PFC", Label: "PFC emissions (CF4 and C2F6)", Default: true,
			Dist:   Distribution{Kind: DistUniform, Min: 1 - u, Max: 1 + u},
			Source: fmt.Sprintf("dataset pfc/cbam2025/measurement_uncertainty: installation-specific PFC factors ±%.0f %% (EU IR 2025/2547 Annex II B.7), taken as uniform", u*100)})
	}
	if p.alumina > 0 {
		sd, src := 0.05, "assumption: the alumina footprint given, 5 % (1σ)"
		if in.Alumina.FootprintTCO2ePerT == nil {
			sd, src = 0.15, "assumption: the alumina footprint computed from refinery energy (or the IAI average treated as coal), 15 % (1σ)"
		}
		p.iAlumina = p.ins.add(UncertainInput{Path: "Alumina.FootprintTCO2ePerT", Label: "alumina footprint", Dist: normal(sd), Source: src, Default: true})
	}
	if p.anodeProd > 0 {
		p.iAnodeProd = p.ins.add(UncertainInput{Path: "Anode.ProductionTCO2ePerT", Label: "anode production footprint", Dist: Distribution{Kind: DistNone}})
	}
	return nil
}

// primaryScopes splits the location-based total by where it is emitted:
// captive plants are the enterprise's own combustion. Their emissions per
// t = MWh/t × Σ_captive MWh_i × EF_i / D. An anode plant on site
// (anodesOnSite, from the CBAM boundary of 2026.2 on) is direct, else the
// anodes are upstream.
func primaryScopes(res PrimaryResult, direct, castFuel float64, anodesOnSite bool) Scopes {
	elec := res.Electricity
	var captiveTCO2 float64 // t CO2 of captive plants per period of demand
	for _, s := range elec.Sources {
		if s.Kind == KindCaptive {
			captiveTCO2 += s.MWh * s.EFLocation
		}
	}
	elecT := res.MWhPerT * elec.EFLocation
	captiveT := res.MWhPerT * captiveTCO2 / elec.DemandMWh
	alumina, anodeProd := res.Stages[0].LocationBased, res.Stages[1].LocationBased
	sc := Scopes{
		Direct:              direct + castFuel + captiveT,
		IndirectElectricity: elecT - captiveT,
		Upstream:            alumina + anodeProd,
	}
	if anodesOnSite {
		sc.Direct += anodeProd
		sc.Upstream -= anodeProd
	}
	return sc
}

type gwpValues struct{ cf4, c2f6 float64 }

// gwpSet returns the CF4 and C2F6 GWP100 of an IPCC assessment report.
func gwpSet(l *ledger, set string) (gwpValues, error) {
	if !slices.Contains(GWPSets, set) {
		return gwpValues{}, unknownValue("GWP", "gwp", set, GWPSets, "unknown GWP set %q; allowed: %s", set, strings.Join(GWPSets, ", "))
	}
	cf4, err := l.factor("gwp/" + set + "/CF4")
	if err != nil {
		return gwpValues{}, err
	}
	c2f6, err := l.factor("gwp/" + set + "/C2F6")
	if err != nil {
		return gwpValues{}, err
	}
	return gwpValues{cf4, c2f6}, nil
}

// aluminaStage returns consumption × alumina footprint [t CO2e/t Al]. The
// footprint is given, or computed from refinery fuels, electricity and an
// upstream term:
//
//	F = coal GJ × EF_coal + gas Nm3 × EF_gas + kWh/1000 × EF_grid + upstream
func aluminaStage(l *ledger, in PrimaryInput) (float64, error) {
	a := in.Alumina
	cons, err := l.orDefault(a.ConsumptionTPerT, "Alumina.ConsumptionTPerT", "default/alumina_consumption", StageAluminaRefining)
	if err != nil {
		return 0, err
	}
	if a.FootprintTCO2ePerT != nil {
		l.assume("alumina footprint given (%.4g t CO2e/t alumina) is taken as cradle-to-gate, including bauxite and chemicals", *a.FootprintTCO2ePerT)
		return cons * *a.FootprintTCO2ePerT, nil
	}
	r := a.Refinery
	var footprint float64
	coalGJ := 0.0
	switch {
	case r.CoalGJPerT != nil:
		coalGJ = *r.CoalGJPerT
	case r.NaturalGasNm3PerT == nil && r.ElectricityKWhPerT == nil:
		// No refinery energy at all: the IAI average, as coal.
		l.defaulted("Alumina.Refinery.CoalGJPerT", StageAluminaRefining)
		mj, err := l.factor("iai/CN/alumina_mj_per_t/2021")
		if err != nil {
			return 0, err
		}
		coalGJ = mj / 1000
		l.warn("alumina_energy_default", Params{"mj_per_t": mj}, "alumina refinery energy not given: the IAI China 2021 average (%.0f MJ/t) is used and treated as coal, since the dataset has no refinery fuel split — give the refinery's own fuels or the alumina footprint", mj)
	}
	if coalGJ > 0 {
		coalEF, err := fuelCO2PerGJ(l, "coal")
		if err != nil {
			return 0, err
		}
		footprint += coalGJ * coalEF
	}
	if r.NaturalGasNm3PerT != nil {
		ng, err := fuelCO2PerUnit(l, "natural_gas")
		if err != nil {
			return 0, err
		}
		footprint += *r.NaturalGasNm3PerT * ng
	}
	if r.ElectricityKWhPerT != nil && *r.ElectricityKWhPerT > 0 {
		ef, err := gridEF(l, in.Region, in.Year, in.Basis, "Region")
		if err != nil {
			return 0, err
		}
		footprint += *r.ElectricityKWhPerT / 1000 * ef
		l.assume("alumina refinery electricity is taken from the %s grid (location-based factor in both results)", in.Region)
	}
	if r.UpstreamTCO2ePerT != nil {
		footprint += *r.UpstreamTCO2ePerT
		return cons * footprint, nil
	}
	l.defaulted("Alumina.Refinery.UpstreamTCO2ePerT", StageAluminaRefining)
	bauxite, err := l.factor("upstream/bauxite_mining")
	if err != nil {
		return 0, err
	}
	l.warn("alumina_upstream_partial", nil, "alumina upstream: only bauxite mining (CRU 2023 world average, per t Al) is included; caustic soda and lime are not in the dataset")
	return cons*footprint + bauxite, nil
}

// anodeCO2Term returns the direct CO2 of anode consumption by IPCC 2006
// Eq. 4.21 (AnodeCO2) with the Chinese guideline defaults.
func anodeCO2Term(l *ledger, a AnodeInput) (float64, error) {
	nac, err := l.orDefault(a.NetCarbonTPerT, "Anode.NetCarbonTPerT", "anode/cn_default/nac", StageElectrolysisDirect)
	if err != nil {
		return 0, err
	}
	s, err := l.orDefault(a.SulphurFraction, "Anode.SulphurFraction", "anode/default/sulphur", StageElectrolysisDirect)
	if err != nil {
		return 0, err
	}
	ash, err := l.orDefault(a.AshFraction, "Anode.AshFraction", "anode/default/ash", StageElectrolysisDirect)
	if err != nil {
		return 0, err
	}
	return AnodeCO2(nac, s, ash), nil
}

// anodeProductionStage returns consumption × production footprint of baked
// anodes [t CO2e/t Al]. The production footprint is given, or computed as
// baking fuel + pitch volatiles (Eq. 4.22) + packing coke (Eq. 4.23) per t
// baked anode with the IPCC/40 CFR 98 default parameters.
func anodeProductionStage(l *ledger, a AnodeInput) (float64, error) {
	cons, err := l.orDefault(a.ConsumptionTPerT, "Anode.ConsumptionTPerT", "anode/default/consumption", StageAnodeProduction)
	if err != nil {
		return 0, err
	}
	if a.ProductionTCO2ePerT != nil {
		return cons * *a.ProductionTCO2ePerT, nil
	}
	l.defaulted("Anode.ProductionTCO2ePerT", StageAnodeProduction)
	// Pitch volatiles per t baked anode.
	ratio, err := l.factor("anode/green_to_baked_ratio")
	if err != nil {
		return 0, err
	}
	h, err := l.factor("anode/hydrogen_fraction")
	if err != nil {
		return 0, err
	}
	pitch := PitchVolatilesCO2(ratio, h*ratio, 1, 0)
	l.assume("anode baking: pitch volatiles by IPCC 2006 Eq. 4.22 with green/baked ratio %.4g, hydrogen %.3g of green anode weight and no waste tar collected (non-Riedhammer furnace)", ratio, h)
	// Packing coke.
	pcc, err := l.factor("anode/packing_coke/consumption")
	if err != nil {
		return 0, err
	}
	pcS, err := l.factor("anode/packing_coke/sulphur")
	if err != nil {
		return 0, err
	}
	pcAsh, err := l.factor("anode/packing_coke/ash")
	if err != nil {
		return 0, err
	}
	packing := PackingCokeCO2(pcc, 1, pcS, pcAsh)
	// Baking fuel.
	kgce := 0.0
	if a.BakingEnergyKgcePerT != nil {
		kgce = *a.BakingEnergyKgcePerT
	} else {
		l.defaulted("Anode.BakingEnergyKgcePerT", StageAnodeProduction)
		if kgce, err = l.factor("gb25324/baking/grade3"); err != nil {
			return 0, err
		}
		l.warn("anode_baking_energy_default", nil, "anode baking energy not given: the GB 25324-2022 grade-3 limit (the mandatory maximum) is used, a conservative default")
	}
	fuel := a.BakingFuel
	if fuel == "" {
		fuel = "natural_gas"
		l.defaulted("Anode.BakingFuel", StageAnodeProduction)
		l.assume("anode baking fuel taken as natural gas")
	}
	mj, err := l.factor("energy/kgce_mj")
	if err != nil {
		return 0, err
	}
	fuelEF, err := fuelCO2PerGJ(l, fuel)
	if err != nil {
		return 0, err
	}
	baking := KgceToGJ(kgce, mj) * fuelEF
	l.warn("anode_production_partial", nil, "anode production excludes coke calcining, forming, rodding and the upstream footprint of coke and pitch (not in the dataset); give {Anode.ProductionTCO2ePerT} to include them")
	return cons * (baking + pitch + packing), nil
}

// pfc returns CF4 and C2F6 [kg/t Al] by the chosen method.
func pfc(l *ledger, el ElectrolysisInput) (cf4, c2f6 float64, err error) {
	p := el.PFC
	tech := el.Technology
	switch p.Method {
	case "", "default":
		if p.Method == "" {
			l.defaulted("Electrolysis.PFC.Method", StageElectrolysisDirect)
		}
		if cf4, err = l.factor("pfc/cn_default/cf4"); err != nil {
			return
		}
		c2f6, err = l.factor("pfc/cn_default/c2f6")
		l.assume("PFC: Chinese guideline default emission factors (CF4 and C2F6 per t Al)")
		return
	case "measured":
		if p.CF4KgPerT == nil || p.C2F6KgPerT == nil {
			return 0, 0, fieldError("Electrolysis.PFC", "method \"measured\" needs {Electrolysis.PFC.CF4KgPerT} and {Electrolysis.PFC.C2F6KgPerT}")
		}
		return *p.CF4KgPerT, *p.C2F6KgPerT, nil
	case "tier1":
		t := ipccClass(l, tech)
		if cf4, err = l.factor(factorID("pfc/tier1", t, "cf4")); err != nil {
			return
		}
		c2f6, err = l.factor(factorID("pfc/tier1", t, "c2f6"))
		l.warn("pfc_tier1_high", nil, "PFC Tier 1 (IPCC 2006 Table 4.15) is far above actual Chinese point-fed prebake practice; use slope or measured data where available")
		return
	case "slope":
		if p.AnodeEffectMinutesPerCellDay == nil {
			return 0, 0, fieldError("Electrolysis.PFC.AnodeEffectMinutesPerCellDay", "method \"slope\" needs anode-effect minutes per cell-day (0–10)")
		}
		sef, frac, err := slopeCoefficients(l, tech, p)
		if err != nil {
			return 0, 0, err
		}
		cf4 = SlopeCF4(*p.AnodeEffectMinutesPerCellDay, sef)
		return cf4, cf4 * frac, nil
	case "overvoltage":
		if p.AnodeEffectOvervoltageMV == nil || p.CurrentEfficiency == nil {
			return 0, 0, fieldError("Electrolysis.PFC", "method \"overvoltage\" needs {Electrolysis.PFC.AnodeEffectOvervoltageMV} and {Electrolysis.PFC.CurrentEfficiency}")
		}
		t := tech
		if t == "" || pointFedPrebake(t) {
			t = "CWPB"
			l.assume("overvoltage coefficients: point-fed prebake uses the CWPB values (IR 2025/2547 Annex II B.7; no PFPB-specific overvoltage coefficient in the dataset)")
		}
		set := "cbam2025"
		if _, ok := l.ds.Factor(factorID("pfc/overvoltage", set, t, "ovc")); !ok {
			return 0, 0, codedError("Electrolysis.Technology", "no_coefficient", map[string]any{"technology": tech, "method": "overvoltage"}, "no overvoltage coefficient for %s in the dataset (only CWPB, PFPB_* and SWPB); use {Electrolysis.PFC.Method} slope or measured", tech)
		}
		ovc, err := l.factor(factorID("pfc/overvoltage", set, t, "ovc"))
		if err != nil {
			return 0, 0, err
		}
		frac, err := l.factor(factorID("pfc/overvoltage", set, t, "f_c2f6"))
		if err != nil {
			return 0, 0, err
		}
		cf4 = OvervoltageCF4(ovc, *p.AnodeEffectOvervoltageMV, *p.CurrentEfficiency)
		return cf4, cf4 * frac, nil
	}
	return 0, 0, unknownValue("Electrolysis.PFC.Method", "pfc_method", p.Method, nil, "unknown method %q", p.Method)
}

// ipccClass maps a cell technology to its IPCC 2006 Tier 1 class: the
// point-fed prebake classes of CBAM fall under CWPB.
func ipccClass(l *ledger, tech string) string {
	if tech == "" || pointFedPrebake(tech) {
		l.assume("IPCC 2006 technology class: point-fed prebake (%s) is counted as CWPB", orDefaultString(tech, "unspecified"))
		return "CWPB"
	}
	return tech
}

// pointFedPrebake reports whether tech is one of CBAM's point-fed prebake
// classes (IR 2025/2547 Annex II Table 2), which IPCC 2006 and the
// overvoltage method count as CWPB.
func pointFedPrebake(tech string) bool {
	return tech == "PFPB_L" || tech == "PFPB_M" || tech == "PFPB_MW"
}

func orDefaultString(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// slopeCoefficients returns the slope coefficient and C2F6/CF4 weight
// fraction for a technology from the chosen set (CBAM 2025 by default).
func slopeCoefficients(l *ledger, tech string, p PFCInput) (sef, frac float64, err error) {
	if p.SlopeCF4 != nil && p.FractionC2F6 != nil {
		l.assume("PFC slope: installation-specific coefficients given")
		return *p.SlopeCF4, *p.FractionC2F6, nil
	}
	set := p.Coefficients
	if set == "" {
		set = "cbam2025"
		l.defaulted("Electrolysis.PFC.Coefficients", StageElectrolysisDirect)
	}
	if set == "cn_guideline" {
		if sef, err = l.factor("pfc/cn_slope/sef_cf4"); err != nil {
			return
		}
		frac, err = l.factor("pfc/cn_slope/f_c2f6")
		return
	}
	t := tech
	if t == "" {
		return 0, 0, fieldError("Electrolysis.Technology", "the slope method needs the cell technology; allowed: %v", CellTechnologies)
	}
	if t == "PFPB_MW" || (set == "ipcc2006" && pointFedPrebake(t)) {
		l.assume("slope coefficients: %s uses the CWPB values (IR 2025/2547 Annex II Table 2: PFPB without automated anode-effect intervention uses own measurement, else CWPB)", t)
		t = "CWPB"
	}
	id := fmt.Sprintf("pfc/slope/%s/%s/", set, t)
	if sef, err = l.factor(id + "sef_cf4"); err != nil {
		return
	}
	frac, err = l.factor(id + "f_c2f6")
	return
}
