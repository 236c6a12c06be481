package calc

import (
	"fmt"
	"slices"
	"strings"

	"alcarbon/factors"
)

// ProductUncertainty runs a Monte Carlo over a product footprint: the
// request is compiled once (its provenance is returned) and the
// compiled model, the one Product evaluates with every multiplier at 1,
// is evaluated for each sample: the metal balance, the step energies, the
// processing plant's portfolio and the stages.
func (e *Engine) ProductUncertainty(in ProductInput, spec UncertaintySpec) (UncertaintyResult, Provenance, error) {
	c, prov, err := e.CompileProduct(nil, in)
	if err != nil {
		return UncertaintyResult{}, prov, err
	}
	out, err := monteCarlo(nil, c.m, spec)
	return out, prov, err
}

// CompileProduct computes a product footprint once and returns the model
// it evaluated, for sampling, stopped early by stop (nil: never). Its
// errors are Product's.
func (e *Engine) CompileProduct(stop Interrupt, in ProductInput) (*CompiledFootprint, Provenance, error) {
	l := newLedger(e.ds, &e.memos)
	l.stop = stop
	m, _, err := productRun(l, in, true)
	if err != nil {
		return nil, l.provenance(), err
	}
	if m.port != nil && m.port.implicitErr != nil {
		return nil, l.provenance(), m.port.implicitErr
	}
	return &CompiledFootprint{m}, l.provenance(), nil
}

// productModel is a product footprint as a function of input multipliers
// and of the molten share (the footprint with direct supply is the
// product's total; without direct supply the share is 0):
//
//	L = L₀·m_L;  B, N, R = MetalFlow(y, L, 1 − molten·a_p·(1 − w))
//	P = N(1 − w)·a_p (primary metal),  P_i = P(1 − molten) (as ingot)
//	total = P·(F·m_F − C) + P_i·C
//	      + N(1 − w)·(a_post·f_post·m_post + a_pre·f_pre)
//	      + Σ_e N·x_e·f_e·m_e
//	      + Σ_s mass_s(B, R)·m_s·(kWh_s/1000 · EF(D, m) + Nm3_s·EF_gas)
//	      + transport(P_i, P − P_i)
//
// F is the primary ingot footprint (location- or market-based) and C its
// smelter casting part (kept as computed: m_F moves the footprint as the
// request field would); f_pre is F·m_F unless given; EF is the processing
// plant's portfolio factor at demand D = Σ_s mass_s·m_s·kWh_s/1000
// (× production_t for annual volumes).
type productModel struct {
	ins inputList
	// index of each multiplier in ins, −1 when not varied.
	iPrim, iLoss, iPost, iPre int

	yield, loss, molten   float64
	shPrim, shPost, shPre float64 // shares of the aluminium input
	alloyFrac             float64 // w, the alloying elements' mass fraction
	prim                  primaryMetal
	preGiven              bool
	preTCO2e, postTCO2e   float64
	ngEF                  float64 // t CO2 per Nm3 natural gas
	ingotKm, haulKm       float64
	ingotMode             string
	ingotKgPerTkm         float64 // freight factor of the ingot's mode
	haulKgPerTkm          float64 // road freight factor of the hot-metal haul
	legs                  []float64
	productionT           float64 // 0: per-tonne demand
	steps                 []productStep
	elems                 []AlloyingElement // Element, MassFraction and TCO2ePerTElem
	iElem                 []int
	port                  *portfolioModel // nil when the steps use no electricity

	// stepMass, stepLoc and stepMkt are eval's per-step scratch.
	stepMass, stepLoc, stepMkt []float64
}

// productStep is a step of the route with its energy per t processed.
type productStep struct {
	result StepResult // the step's constant fields
	i      int        // multiplier of its energy
}

// productTerms is one evaluation of a product model.
type productTerms struct {
	metal                     MetalBalance
	ingotT                    float64
	mwhPerT, demand           float64
	fuelCO2                   float64 // processing-plant fuel CO2 per t product
	port                      portfolioTotals
	stageLoc, stageMkt        [6]float64 // the stages' emissions, in the order of ProductStages
	loc, mkt                  float64
	smelterCasting, remelting float64 // location-based, per t product
	metalLoc, transport       float64
}

func (p *productModel) inputs() []UncertainInput { return p.ins }

func (p *productModel) totals(m []float64) (float64, float64) {
	t := p.eval(m, p.molten)
	return t.loc, t.mkt
}

// eval evaluates the product for the multipliers m and a molten share;
// the per-step values are left in stepMass, stepLoc and stepMkt.
func (p *productModel) eval(m []float64, molten float64) productTerms {
	var t productTerms
	t.metal = p.metalBalance(mult(m, p.iLoss), molten)
	mb := &t.metal
	t.ingotT = mb.PrimaryTPerT - mb.MoltenPrimaryTPerT
	p.stepDemand(m, &t)
	if p.port != nil && t.mwhPerT > 0 {
		t.port = p.port.eval(t.demand, m, p.port.mwh)
	}
	var castLoc, castMkt, procLoc, procMkt float64
	for i, s := range p.steps {
		k := mult(m, s.i)
		mass, kwh, nm3 := p.stepMass[i], s.result.ElectricityKWhPerT*k, s.result.NaturalGasNm3PerT*k
		fuel := mass * nm3 * p.ngEF
		loc := mass*kwh/1000*t.port.efLoc + fuel
		mkt := mass*kwh/1000*t.port.efMkt + fuel
		p.stepLoc[i], p.stepMkt[i] = loc, mkt
		if s.result.Stage == factors.StageCasting {
			castLoc += loc
			castMkt += mkt
		} else {
			procLoc += loc
			procMkt += mkt
		}
		if s.result.Step == StepRemelting {
			t.remelting = loc
		}
	}
	t.smelterCasting = t.ingotT * p.prim.castLoc
	castLoc += t.smelterCasting
	castMkt += t.ingotT * p.prim.castMkt

	f := mult(m, p.iPrim)
	fLoc, fMkt := p.prim.loc*f, p.prim.mkt*f
	preLoc, preMkt := fLoc, fMkt
	if p.preGiven {
		preLoc = p.preTCO2e * mult(m, p.iPre)
		preMkt = preLoc
	}
	post := p.postTCO2e * mult(m, p.iPost)
	primLoc := mb.PrimaryTPerT * (fLoc - p.prim.castLoc)
	primMkt := mb.PrimaryTPerT * (fMkt - p.prim.castMkt)
	recLoc := mb.PostConsumerTPerT*post + mb.PreConsumerTPerT*preLoc
	recMkt := mb.PostConsumerTPerT*post + mb.PreConsumerTPerT*preMkt
	alloyT := 0.0
	for i, e := range p.elems {
		alloyT += mb.NewMetalTPerT * e.MassFraction * (e.TCO2ePerTElem * mult(m, p.iElem[i]))
	}
	t.transport = p.transportCO2(t.ingotT, mb.MoltenPrimaryTPerT)
	t.metalLoc = primLoc + recLoc + alloyT
	t.stageLoc = [6]float64{primLoc, recLoc, alloyT, castLoc, procLoc, t.transport}
	t.stageMkt = [6]float64{primMkt, recMkt, alloyT, castMkt, procMkt, t.transport}
	for i := range t.stageLoc {
		t.loc += t.stageLoc[i]
		t.mkt += t.stageMkt[i]
	}
	return t
}

// stages names the evaluated stages (in the order of ProductStages).
func (t *productTerms) stages() []Stage {
	out := make([]Stage, len(ProductStages))
	for i, name := range ProductStages {
		out[i] = Stage{Name: name, LocationBased: t.stageLoc[i], MarketBased: t.stageMkt[i]}
	}
	return out
}

// metalBalance is the metal flow per t of product (MetalFlow) with the
// melt loss multiplied by lossMult and the given molten share.
func (p *productModel) metalBalance(lossMult, molten float64) MetalBalance {
	loss, w := p.loss*lossMult, p.alloyFrac
	cast, scrap, newMetal, remelted := MetalFlow(p.yield, loss, 1-molten*p.shPrim*(1-w))
	al := newMetal * (1 - w)
	return MetalBalance{
		Yield: p.yield, MeltLossFraction: loss, CastTPerT: cast, ProcessScrapTPerT: scrap, NewMetalTPerT: newMetal,
		RemeltedTPerT: remelted, MeltLossTPerT: loss * remelted,
		PrimaryTPerT: al * p.shPrim, MoltenPrimaryTPerT: al * p.shPrim * molten, PostConsumerTPerT: al * p.shPost, PreConsumerTPerT: al * p.shPre,
		AlloyingTPerT: newMetal * w, RecycledContent: al * (p.shPost + p.shPre) / newMetal,
		PrimarySource: p.prim.source, PrimaryTCO2ePerT: p.prim.loc, PrimaryMarketTCO2e: p.prim.mkt, SmelterCastingTCO2e: p.prim.castLoc,
	}
}

// stepDemand fills each step's mass (per t the step processes: cast metal,
// remelted metal or product), the plant's electricity per t and its
// demand, and the steps' fuel CO2.
func (p *productModel) stepDemand(m []float64, t *productTerms) {
	for i, s := range p.steps {
		mass := 1.0
		switch s.result.Basis {
		case factors.BasisCast:
			mass = t.metal.CastTPerT
		case "remelted":
			mass = t.metal.RemeltedTPerT
		}
		k := mult(m, s.i)
		p.stepMass[i] = mass
		t.mwhPerT += mass * (s.result.ElectricityKWhPerT * k) / 1000
		t.fuelCO2 += mass * (s.result.NaturalGasNm3PerT * k) * p.ngEF
	}
	t.demand = t.mwhPerT
	if p.productionT > 0 {
		t.demand = t.mwhPerT * p.productionT
	}
}

// transportCO2 is the ingot transport, the hot-metal haul and the product's
// own legs [t CO2/t product].
func (p *productModel) transportCO2(ingotT, moltenT float64) float64 {
	var trans float64
	if ingotT > 0 && p.ingotKm > 0 {
		trans += TransportCO2(ingotT, p.ingotKm, p.ingotKgPerTkm)
	}
	if moltenT > 0 {
		trans += TransportCO2(moltenT, p.haulKm, p.haulKgPerTkm)
	}
	for _, leg := range p.legs {
		trans += leg
	}
	return trans
}

// productRun compiles a product footprint, evaluates it with every
// multiplier at 1, with and without direct supply, and reports the result,
// recording its provenance in l. With sampling the model also gets its
// inputs' default distributions.
func productRun(l *ledger, in ProductInput, sampling bool) (*productModel, ProductResult, error) {
	var res ProductResult
	prod, alloyID, alloy, err := productAndAlloy(l, in)
	if err != nil {
		return nil, res, err
	}
	res.Product, res.Alloy = prod.ID, alloyID
	res.DeclaredUnit = fmt.Sprintf("1 t %s (%s), at the processing plant gate", strings.ToLower(prod.NameEN), alloyID)
	prim, err := primaryMetalOf(l, in)
	if err != nil {
		return nil, res, err
	}
	route, err := productRoute(l, prod, in.Steps)
	if err != nil {
		return nil, res, err
	}
	p, elec, err := compileProduct(l, in, prod, alloy, route, prim, sampling)
	if err != nil {
		return nil, res, err
	}
	m := ones(len(p.ins))
	without := p.eval(m, 0)
	with := p.eval(m, p.molten)
	res.Electricity = elec
	res.LocationBased, res.MarketBased = with.loc, with.mkt
	res.Stages = with.stages()
	for i := range res.Stages {
		if res.LocationBased > 0 {
			res.Stages[i].Share = res.Stages[i].LocationBased / res.LocationBased
		}
	}
	res.Steps, res.Alloying = p.stepResults(), p.alloyingResults(with.metal)
	res.Metal, res.MWhPerT = with.metal, with.mwhPerT
	res.DirectSupply = p.directSupply(with, without)
	res.Annual = annualEmissions(res.LocationBased, res.MarketBased, in.ProductionT)
	l.assume("direct supply: {DirectSupply.MoltenShare} is the share of the primary metal delivered molten; that metal skips casting at the smelter, remelting at the processor (energy and melt loss) and ingot transport, and is hauled hot by road instead; without_tco2e_per_t is the same product with every tonne of primary metal delivered as ingot")
	if res.CBAM, err = productCBAM(l, in, prod, res, with.fuelCO2, p.port, prim); err != nil {
		return nil, res, err
	}
	return p, res, nil
}

// productAndAlloy looks up the product family and its alloy (the first
// typical alloy when none is given) and checks the GWP set.
func productAndAlloy(l *ledger, in ProductInput) (factors.Product, string, factors.Alloy, error) {
	prod, ok := l.ds.Product(in.Product)
	if !ok {
		return prod, "", factors.Alloy{}, unknownValue("Product", "product", in.Product, ProductIDs(l.ds), "unknown product %q; allowed: %s", in.Product, strings.Join(ProductIDs(l.ds), ", "))
	}
	alloyID := in.Alloy
	if alloyID == "" {
		alloyID = prod.Alloys[0]
		l.defaulted("Alloy", StageAlloying)
		l.assume("alloy not given: %s, the first typical alloy of %s", alloyID, prod.ID)
	}
	alloy, ok := l.ds.Alloy(alloyID)
	if !ok {
		return prod, alloyID, alloy, unknownValue("Alloy", "alloy", alloyID, AlloyIDs(l.ds), "unknown alloy %q; allowed: %s", alloyID, strings.Join(AlloyIDs(l.ds), ", "))
	}
	if !slices.Contains(prod.Alloys, alloyID) {
		l.warn("alloy_not_typical", Params{"alloy": alloyID, "product": prod.ID, "typical": strings.Join(prod.Alloys, ", ")}, "alloy %s is not one of the typical alloys of %s (%s); its route and yield are used as they are", alloyID, prod.ID, strings.Join(prod.Alloys, ", "))
	}
	if !slices.Contains(GWPSets, in.GWP) {
		return prod, alloyID, alloy, unknownValue("GWP", "gwp", in.GWP, GWPSets, "unknown GWP set %q; allowed: %s", in.GWP, strings.Join(GWPSets, ", "))
	}
	return prod, alloyID, alloy, nil
}

// stepResults returns the steps of the last eval.
func (p *productModel) stepResults() []StepResult {
	out := make([]StepResult, len(p.steps))
	for i, s := range p.steps {
		out[i] = s.result
		out[i].MassTPerT, out[i].LocationBased, out[i].MarketBased = p.stepMass[i], p.stepLoc[i], p.stepMkt[i]
	}
	return out
}

// alloyingResults returns the alloying elements per t of product.
func (p *productModel) alloyingResults(mb MetalBalance) []AlloyingElement {
	out := make([]AlloyingElement, len(p.elems))
	for i, e := range p.elems {
		e.TPerT = mb.NewMetalTPerT * e.MassFraction
		e.TCO2ePerT = e.TPerT * e.TCO2ePerTElem
		out[i] = e
	}
	return out
}

// directSupply compares the footprint with and without direct supply and
// splits the location-based saving by cause.
func (p *productModel) directSupply(with, without productTerms) DirectSupplyResult {
	ds := DirectSupplyResult{
		MoltenShare: p.molten, HaulKm: p.haulKm, IngotTransportKm: p.ingotKm, IngotTransportMode: p.ingotMode,
		WithLocation: with.loc, WithMarket: with.mkt, WithoutLocation: without.loc, WithoutMarket: without.mkt,
		AvoidedLocation: without.loc - with.loc, AvoidedMarket: without.mkt - with.mkt,
		AvoidedCastingEnergy: without.smelterCasting - with.smelterCasting,
		AvoidedRemelting:     without.remelting - with.remelting,
		AvoidedMeltLoss:      without.metalLoc - with.metalLoc,
		AvoidedTransport:     without.transport - with.transport,
	}
	ds.AvoidedOther = ds.AvoidedLocation - ds.AvoidedCastingEnergy - ds.AvoidedRemelting - ds.AvoidedMeltLoss - ds.AvoidedTransport
	if ds.AvoidedOther < 1e-12 && ds.AvoidedOther > -1e-12 {
		ds.AvoidedOther = 0
	}
	return ds
}

// compileProduct looks up every term of a product footprint and compiles
// the processing plant's portfolio, recording in l, in the order a reader
// expects: metal, direct supply, steps, the portfolio (reported at the
// plant's demand with direct supply, elec), scrap, alloying and transport.
// It also registers the uncertain inputs.
func compileProduct(l *ledger, in ProductInput, prod factors.Product, alloy factors.Alloy, route []routeStep, prim primaryMetal, sampling bool) (*productModel, ElectricityResult, error) {
	p := &productModel{iPrim: -1, iLoss: -1, iPost: -1, iPre: -1, prim: prim}
	elec := ElectricityResult{Basis: in.Basis}
	if in.ProductionT != nil {
		p.productionT = *in.ProductionT
	}
	if err := p.compileMetal(l, in, prod); err != nil {
		return nil, elec, err
	}
	if err := p.compileDirectSupply(l, in.DirectSupply); err != nil {
		return nil, elec, err
	}
	p.alloyFrac = alloyFraction(alloy)
	if err := p.compileSteps(l, route); err != nil {
		return nil, elec, err
	}
	// The metal balance and the plant's demand with and without direct
	// supply, before the portfolio is known.
	with, without := p.eval(nil, p.molten), p.eval(nil, 0)
	var portIns *inputList
	if sampling {
		portIns = &inputList{}
	}
	if err := p.compilePortfolio(l, in, with.mwhPerT, without.mwhPerT, portIns, &elec); err != nil {
		return nil, elec, err
	}
	if err := p.compileMetalFootprints(l, in); err != nil {
		return nil, elec, err
	}
	if err := p.compileAlloying(l, in, alloy); err != nil {
		return nil, elec, err
	}
	if err := p.compileTransport(l, in, with, without); err != nil {
		return nil, elec, err
	}
	l.assume("stages: primary_metal is the primary footprint without its smelter casting, which is in casting with the processor's remelting, casting and homogenising (casting is 0 at the smelter for metal delivered molten)")
	if !sampling {
		return p, elec, nil
	}
	p.registerInputs(in)
	if p.port != nil {
		p.port.shiftInputs(len(p.ins))
	}
	p.ins = append(p.ins, *portIns...)
	return p, elec, nil
}

// alloyFraction is the alloying elements' mass fraction of the metal, w,
// summed in element order so that equal inputs give equal bits.
func alloyFraction(alloy factors.Alloy) float64 {
	w := 0.0
	for _, e := range alloyElements(alloy) {
		w += alloy.Elements[e] / 100
	}
	return w
}

// alloyElements lists an alloy's elements in order.
func alloyElements(alloy factors.Alloy) []string {
	elements := make([]string, 0, len(alloy.Elements))
	for el := range alloy.Elements {
		elements = append(elements, el)
	}
	slices.Sort(elements)
	return elements
}

// compileMetal reads the yield, the melt loss and the scrap shares.
func (p *productModel) compileMetal(l *ledger, in ProductInput, prod factors.Product) error {
	y, err := l.orDefault(in.Yield, "Yield", prod.YieldFactor, ProductStages...)
	if err != nil {
		return err
	}
	if f, ok := l.ds.Factor(prod.YieldFactor); ok && in.Yield == nil && f.Confidence == factors.ConfidenceLow {
		l.warn("yield_default_low_confidence", Params{"product": prod.ID, "yield": f.Value, "note": f.Note}, "default yield of %s (%v) has confidence L: %s; give the plant's {Yield}", prod.ID, f.Value, f.Note)
	}
	if y <= 0 || y > 1 {
		return codedError("Yield", "out_of_range", map[string]any{"min": 0.0, "exclusive_min": true, "max": 1.0, "got": y}, "must be greater than 0 and at most 1; got %v", y)
	}
	p.yield = y
	if p.loss, err = l.orDefault(in.MeltLossFraction, "MeltLossFraction", "remelting/melt_loss", StageCasting, StagePrimaryMetal, StageRecycledMetal); err != nil {
		return err
	}
	l.assume("allocation: 1/yield t of metal is cast per t of product; the process scrap (1/yield − 1 t) is remelted in-house in a closed loop and carries no burden of its own — it adds remelting energy and melt loss, not new metal; purchased metal per t of product N = (1 + S·L)/(1 − s·L) (S process scrap, L melt loss per t remelted, s solid share of the purchased metal)")
	m := in.Metal
	if m.PostConsumerScrapShare != nil {
		p.shPost = *m.PostConsumerScrapShare
	} else {
		l.defaulted("Metal.PostConsumerScrapShare", StagePrimaryMetal, StageRecycledMetal)
	}
	if m.PreConsumerScrapShare != nil {
		p.shPre = *m.PreConsumerScrapShare
	} else {
		l.defaulted("Metal.PreConsumerScrapShare", StagePrimaryMetal, StageRecycledMetal)
	}
	if p.shPost < 0 || p.shPre < 0 || p.shPost+p.shPre > 1+1e-9 {
		return codedError("Metal", "sum_exceeds", map[string]any{"max": 1.0, "sum": p.shPost + p.shPre}, "{Metal.PostConsumerScrapShare} and {Metal.PreConsumerScrapShare} must each be in 0..1 and sum to at most 1; they sum to %v", p.shPost+p.shPre)
	}
	if m.PostConsumerScrapShare == nil && m.PreConsumerScrapShare == nil {
		l.assume("scrap shares not given: the aluminium input is all primary metal (no recycled content)")
	}
	p.shPrim = 1 - p.shPost - p.shPre
	return nil
}

// compileDirectSupply reads the molten share, the hot-metal haul and the
// ingot transport.
func (p *productModel) compileDirectSupply(l *ledger, ds DirectSupplyInput) error {
	if ds.MoltenShare != nil {
		p.molten = *ds.MoltenShare
	} else {
		l.defaulted("DirectSupply.MoltenShare", ProductStages...)
	}
	if p.molten < 0 || p.molten > 1 {
		return codedError("DirectSupply.MoltenShare", "out_of_range", map[string]any{"min": 0.0, "max": 1.0, "got": p.molten}, "must be between 0 and 1; got %v", p.molten)
	}
	if p.molten > 0 {
		l.warn("melt_loss_upper_bound", nil, "melt loss is valued at the full footprint of the metal lost; part of it is recovered from dross (no sourced recovery rate), so the melt-loss part of the direct-supply saving is an upper bound")
	}
	if p.molten > 0 && p.shPrim == 0 {
		l.warn("molten_without_primary", Params{"molten": p.molten}, "{DirectSupply.MoltenShare} is %v but the metal has no primary share: nothing is delivered molten", p.molten)
	}
	if ds.HaulKm != nil {
		p.haulKm = *ds.HaulKm
	} else {
		var err error
		if p.haulKm, err = l.factor("direct_supply/haul_km_max"); err != nil {
			return err
		}
		if p.molten > 0 {
			l.defaulted("DirectSupply.HaulKm", ProductStages...)
			l.assume("hot-metal haul not given: 50 km, the viability radius of Chinese direct supply (an upper bound)")
		}
	}
	if ds.IngotTransportKm != nil {
		p.ingotKm = *ds.IngotTransportKm
	} else {
		l.defaulted("DirectSupply.IngotTransportKm", ProductStages...)
		l.warn("ingot_transport_missing", nil, "ingot transport distance not given: none is counted (no typical smelter-to-processor distance was found); give {DirectSupply.IngotTransportKm|dotted}")
	}
	p.ingotMode = ds.IngotTransportMode
	if p.ingotMode == "" {
		p.ingotMode = "road"
	}
	return nil
}

// compileSteps reads every step's energy per t processed.
func (p *productModel) compileSteps(l *ledger, route []routeStep) error {
	var err error
	if p.ngEF, err = fuelCO2PerUnit(l, "natural_gas"); err != nil {
		return err
	}
	var defaulted, assumed []string
	for _, r := range route {
		e, err := stepEnergyOf(l, r.step, r.override)
		if err != nil {
			return err
		}
		if e.defaulted {
			defaulted = append(defaulted, r.step.ID)
			if f, ok := l.ds.Factor(r.step.ElectricityFraction); ok && f.Confidence == factors.ConfidenceLow {
				assumed = append(assumed, r.step.ID)
			}
		}
		p.steps = append(p.steps, productStep{i: -1, result: StepResult{
			Step: r.step.ID, Stage: r.step.Stage, Basis: r.step.Basis,
			ElectricityKWhPerT: e.kwh, NaturalGasNm3PerT: e.nm3, EnergyKgcePerT: e.kgce,
			GradeLimits: e.limits, GB21351Grade: Grade(e.kgce, e.limits), Defaulted: e.defaulted,
		}})
	}
	n := len(p.steps)
	p.stepMass, p.stepLoc, p.stepMkt = make([]float64, n), make([]float64, n), make([]float64, n)
	if len(defaulted) > 0 {
		l.warn("step_energy_default", Params{"steps": strings.Join(defaulted, ", ")}, "step energy not given for %s: the GB 21351-2023 grade-3 limits (the mandatory maxima) are used, a conservative default; give the plant's own figures in {Steps}", strings.Join(defaulted, ", "))
	}
	if len(assumed) > 0 {
		l.warn("step_split_assumed", Params{"steps": strings.Join(assumed, ", ")}, "the electricity/fuel split of %s is a project assumption (confidence L; only extrusion's split is sourced, US DOE 2007)", strings.Join(assumed, ", "))
	}
	l.assume("step energies are per t the step processes: casting and homogenising per t cast metal (1/yield), remelting per t remelted, later steps per t product; the GB 21351-2023 comprehensive energy (kgce) is split into electricity (calorific equivalent 3.6 MJ/kWh ÷ 29.3076 MJ/kgce) and natural gas (29.3076 MJ/kgce ÷ NCV); fuel is natural gas")
	l.assume("remelting energy is the GB 21351-2023 remelt-fed minus molten-fed casting energy of the route's casting step; melt loss is the European Aluminium 2015 process-scrap remelting figure unless given")
	return nil
}

// compilePortfolio compiles the processing plant's supply portfolio at its
// demand with direct supply and reports it in elec (or compiles it at the
// demand without direct supply, when only that run uses electricity,
// recording only its factors); with no electricity at all there is none.
func (p *productModel) compilePortfolio(l *ledger, in ProductInput, withMWhPerT, withoutMWhPerT float64, ins *inputList, elec *ElectricityResult) error {
	mwhPerT := withMWhPerT
	if mwhPerT <= 0 {
		l.warn("no_electricity", nil, "the processing steps use no electricity: the supply portfolio is not evaluated")
		mwhPerT = withoutMWhPerT
	}
	if mwhPerT <= 0 {
		return nil
	}
	el := in.Electricity
	el.Region, el.Year, el.Basis, el.Path = in.Region, in.Year, in.Basis, "Electricity"
	el.DemandMWh = mwhPerT
	if in.ProductionT != nil {
		el.DemandMWh = mwhPerT * *in.ProductionT
		el.AnnualVolumes = true
	}
	defer l.feeding(StageCasting, StageProcessing)()
	if withMWhPerT > 0 {
		var err error
		p.port, *elec, err = compilePortfolio(l, el, ins)
		return err
	}
	sub := l.sub()
	port, _, err := compilePortfolio(sub, el, ins)
	l.adoptFactors(sub)
	p.port = port
	return err
}

// compileMetalFootprints reads the scrap footprints: pre-consumer scrap
// carries the primary footprint unless given.
func (p *productModel) compileMetalFootprints(l *ledger, in ProductInput) error {
	m := in.Metal
	if m.PreConsumerScrapTCO2ePerT != nil {
		p.preGiven, p.preTCO2e = true, *m.PreConsumerScrapTCO2ePerT
	} else if p.shPre > 0 {
		l.defaulted("Metal.PreConsumerScrapTCO2ePerT", StageRecycledMetal)
		l.assume("pre-consumer scrap carries the primary footprint (Hydro position: process scrap is not credited as recycled); give {Metal.PreConsumerScrapTCO2ePerT} to use another value")
	}
	if p.shPost > 0 || m.PostConsumerScrapTCO2ePerT != nil {
		var err error
		if p.postTCO2e, err = l.orDefault(m.PostConsumerScrapTCO2ePerT, "Metal.PostConsumerScrapTCO2ePerT", "recycled/post_consumer_scrap", StageRecycledMetal); err != nil {
			return err
		}
	}
	return nil
}

// compileAlloying reads each alloying element's footprint.
func (p *productModel) compileAlloying(l *ledger, in ProductInput, alloy factors.Alloy) error {
	elements := alloyElements(alloy)
	for _, e := range elements {
		f, err := elementFootprint(l, e, in.Year, in.Basis, false)
		if err != nil {
			return err
		}
		p.elems = append(p.elems, AlloyingElement{Element: e, MassFraction: alloy.Elements[e] / 100, TCO2ePerTElem: f})
		p.iElem = append(p.iElem, -1)
	}
	if len(elements) > 0 {
		l.assume("alloying elements at the alloy's nominal composition (midpoints of the ranged elements of its composition limits; impurity maxima count 0), each with its own footprint; master alloys are counted as the pure element")
	}
	return nil
}

// compileTransport reads the freight factors the runs with and without
// direct supply use; the run without records only their factors.
func (p *productModel) compileTransport(l *ledger, in ProductInput, with, without productTerms) error {
	var err error
	switch {
	case with.ingotT > 0 && p.ingotKm > 0:
		p.ingotKgPerTkm, err = transportFactor(l, p.ingotMode, "DirectSupply.IngotTransportMode")
	case without.ingotT > 0 && p.ingotKm > 0:
		sub := l.sub()
		p.ingotKgPerTkm, err = transportFactor(sub, p.ingotMode, "DirectSupply.IngotTransportMode")
		l.adoptFactors(sub)
	}
	if err != nil {
		return err
	}
	if with.metal.MoltenPrimaryTPerT > 0 {
		if p.haulKgPerTkm, err = transportFactor(l, "road", "DirectSupply.HaulKm"); err != nil {
			return err
		}
		l.warn("hot_metal_haul_factor", nil, "hot-metal haul: the China road freight factor per t·km is used; the extra tare of heated crucibles was not found")
	}
	for i, leg := range in.Transport {
		f, err := transportFactor(l, leg.Mode, joinPath(indexPath("Transport", i), "Mode"))
		if err != nil {
			return err
		}
		p.legs = append(p.legs, TransportCO2(1, leg.Km, f))
	}
	if len(in.Transport) > 0 {
		l.assume("transport legs carry 1 t of product each (mode × km × the dataset's t·km factor)")
	}
	return nil
}

// registerInputs chooses the default distributions of the product inputs.
func (p *productModel) registerInputs(in ProductInput) {
	normal := func(sd float64) Distribution { return Distribution{Kind: DistNormal, SD: sd} }
	mb := p.metalBalance(1, p.molten)
	prim := p.prim
	primSD, primSrc := 0.05, "assumption: the primary footprint given, 5 % (1σ)"
	switch prim.source {
	case PrimaryDeclaration:
		primSD, primSrc = 0.05, "assumption: the headline total of a published declaration, 5 % (1σ)"
	case PrimaryInline:
		primSD, primSrc = 0.05, "assumption: the primary footprint computed from the smelter's request, 5 % (1σ) as a whole; POST /v1/uncertainty with kind primary on that request breaks it down by input"
	case PrimaryRegionDefault:
		primSD, primSrc = 0.15, "assumption: the region's default primary footprint (every primary input at its dataset default) stands for an unknown smelter, 15 % (1σ)"
	}
	if mb.PrimaryTPerT > 0 && prim.loc+prim.mkt > 0 {
		p.iPrim = p.ins.add(UncertainInput{Path: "Metal.PrimaryFootprintTCO2ePerT", Label: "primary metal footprint (" + prim.source + ")", Dist: normal(primSD), Source: primSrc, Default: true})
	}
	if p.loss > 0 && mb.RemeltedTPerT > 0 {
		d, src := Distribution{Kind: DistTriangular, Min: 0.8, Mode: 1, Max: 1.2}, "assumption: the plant's melt loss, triangular ±20 %"
		if in.MeltLossFraction == nil {
			d, src = Distribution{Kind: DistTriangular, Min: 0.75, Mode: 1, Max: 1.25}, "dataset remelting/melt_loss (1.9 %, European Aluminium 2015, gas-fired) against about 1.5 % in Chinese electric furnaces (its note): triangular ±25 %"
		}
		p.iLoss = p.ins.add(UncertainInput{Path: "MeltLossFraction", Label: "melt loss in remelting", Dist: d, Source: src, Default: true})
	}
	if p.shPost > 0 && p.postTCO2e > 0 {
		sd, src := 0.10, "assumption: the post-consumer scrap footprint given, 10 % (1σ)"
		if in.Metal.PostConsumerScrapTCO2ePerT == nil {
			sd, src = 0.30, "assumption: dataset recycled/post_consumer_scrap (0.5 t CO2e/t, Hydro) for unknown collection, sorting and remelting, 30 % (1σ)"
		}
		p.iPost = p.ins.add(UncertainInput{Path: "Metal.PostConsumerScrapTCO2ePerT", Label: "post-consumer scrap footprint", Dist: normal(sd), Source: src, Default: true})
	}
	if p.preGiven && p.shPre > 0 && p.preTCO2e > 0 {
		p.iPre = p.ins.add(UncertainInput{Path: "Metal.PreConsumerScrapTCO2ePerT", Label: "pre-consumer scrap footprint", Dist: normal(0.10), Default: true,
			Source: "assumption: the pre-consumer scrap footprint given, 10 % (1σ)"})
	}
	for i, a := range p.elems {
		if a.TCO2ePerTElem <= 0 {
			continue
		}
		sd, src := 0.15, "assumption: the dataset's element footprints carry ranges of about ±12–25 % (Mg 37–47, Cu 2.2–3.5, Mn 0.8–1.3 t CO2e/t), taken as ±2σ: 15 % (1σ)"
		if a.Element == "Si" {
			sd, src = 0.25, "assumption: the silicon footprint is an estimate (smelting electricity × national grid factor, reductant CO2 left out): 25 % (1σ)"
		}
		p.iElem[i] = p.ins.add(UncertainInput{Path: keyPath("Alloy.Elements", a.Element), Label: a.Element + " footprint", Dist: normal(sd), Source: src, Default: true})
	}
	for i := range p.steps {
		s := &p.steps[i]
		r := s.result
		if r.ElectricityKWhPerT+r.NaturalGasNm3PerT <= 0 {
			continue
		}
		sd, src := 0.05, "assumption: the plant's own step energy, 5 % (1σ) for metering and allocation between products"
		if r.Defaulted {
			sd, src = 0.10, fmt.Sprintf("the GB 21351-2023 grade-3 limit (%.4g kgce/t) stands for an unknown plant; grade 2 lies 10–40 %% below grade 3 (dataset gb21351 rows) and older plants run above it: 10 %% (1σ) around the limit", r.GradeLimits[2])
		}
		s.i = p.ins.add(UncertainInput{Path: keyPath("Steps", r.Step), Label: r.Step + " energy", Dist: normal(sd), Source: src, Default: true})
	}
}
