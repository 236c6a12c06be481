package calc

import (
	"fmt"

	"alcarbon/factors"
)

// ProductUncertainty runs a Monte Carlo over a product footprint (DESIGN
// §2.5, issue 6). The request is computed once by Product (its provenance
// is returned) and compiled into its terms; each sample re-evaluates the
// metal balance, the step energies, the processing plant's portfolio and
// the stages, so 10,000 samples take milliseconds. With every multiplier
// at 1 the compiled model returns Product's totals (to rounding).
func (e *Engine) ProductUncertainty(in ProductInput, spec UncertaintySpec) (UncertaintyResult, Provenance, error) {
	c, prov, err := e.CompileProduct(in)
	if err != nil {
		return UncertaintyResult{}, prov, err
	}
	out, err := monteCarlo(c.m, spec)
	return out, prov, err
}

// CompileProduct computes a product footprint once and compiles it for
// sampling. Its errors are Product's.
func (e *Engine) CompileProduct(in ProductInput) (*CompiledFootprint, Provenance, error) {
	l := newLedger(e.ds, &e.sun)
	res, err := product(l, in)
	if err != nil {
		return nil, l.provenance(), err
	}
	m, err := compileProduct(l, in, res)
	if err != nil {
		return nil, l.provenance(), err
	}
	return &CompiledFootprint{m}, l.provenance(), nil
}

// productModel is a product footprint as a function of input multipliers
// (the result with direct supply, which is the product's total):
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
// (× production_t for annual volumes). The equations are productCore's.
type productModel struct {
	ins []UncertainInput
	// index of each multiplier in ins, −1 when not varied.
	iPrim, iLoss, iPost, iPre int

	yield, loss, molten    float64
	shPrim, shPost, shPre  float64 // shares of the aluminium input
	alloyFrac              float64 // w, the alloying elements' mass fraction
	primLoc, primMkt       float64 // F, ingot
	castLoc, castMkt       float64 // smelter casting part of F
	preGiven               bool
	preTCO2e, postTCO2e    float64
	ngEF                   float64 // t CO2 per Nm3 natural gas
	ingotKgPerT, haulKgPer float64 // km × kg CO2/t·km of ingot transport and hot-metal haul
	legs                   float64 // transport legs of the product [t CO2/t]
	productionT            float64 // 0: per-tonne demand
	steps                  []mcStep
	elems                  []mcElement
	port                   *portfolioModel // nil when the steps use no electricity
}

type mcStep struct {
	basis    string
	kwh, nm3 float64
	i        int
}

type mcElement struct {
	frac, tco2e float64
	i           int
}

func (p *productModel) inputs() []UncertainInput { return p.ins }

func (p *productModel) eval(m []float64) (float64, float64) {
	loss := p.loss * mult(m, p.iLoss)
	w := p.alloyFrac
	cast, _, newMetal, remelted := MetalFlow(p.yield, loss, 1-p.molten*p.shPrim*(1-w))
	al := newMetal * (1 - w)
	primT := al * p.shPrim
	moltenT := primT * p.molten
	ingotT := primT - moltenT

	var mwhPerT, fuel float64
	for _, s := range p.steps {
		mass := 1.0
		switch s.basis {
		case factors.BasisCast:
			mass = cast
		case "remelted":
			mass = remelted
		}
		k := mult(m, s.i)
		mwhPerT += mass * s.kwh * k / 1000
		fuel += mass * s.nm3 * k * p.ngEF
	}
	var efLoc, efMkt float64
	if p.port != nil && mwhPerT > 0 {
		demand := mwhPerT
		if p.productionT > 0 {
			demand *= p.productionT
		}
		efLoc, efMkt = p.port.eval(demand, m)
	}

	f := mult(m, p.iPrim)
	pLoc, pMkt := p.primLoc*f, p.primMkt*f
	preLoc, preMkt := pLoc, pMkt
	if p.preGiven {
		preLoc = p.preTCO2e * mult(m, p.iPre)
		preMkt = preLoc
	}
	rec := al * p.shPost * p.postTCO2e * mult(m, p.iPost)
	var alloy float64
	for _, e := range p.elems {
		alloy += newMetal * e.frac * e.tco2e * mult(m, e.i)
	}
	trans := ingotT*p.ingotKgPerT/1000 + moltenT*p.haulKgPer/1000 + p.legs
	// Primary metal less its smelter casting, plus the casting of the
	// ingot share: the molten share skips the smelter's casting.
	loc := primT*(pLoc-p.castLoc) + ingotT*p.castLoc + rec + al*p.shPre*preLoc + alloy + mwhPerT*efLoc + fuel + trans
	mkt := primT*(pMkt-p.castMkt) + ingotT*p.castMkt + rec + al*p.shPre*preMkt + alloy + mwhPerT*efMkt + fuel + trans
	return loc, mkt
}

// compileProduct extracts the terms of a computed product footprint and
// chooses the default input distributions. Side lookups go to a scratch
// ledger so the result's provenance is that of Product.
func compileProduct(l *ledger, in ProductInput, res ProductResult) (*productModel, error) {
	q := l.sub()
	p := &productModel{iPrim: -1, iLoss: -1, iPost: -1, iPre: -1}
	add := func(u UncertainInput) int {
		p.ins = append(p.ins, u)
		return len(p.ins) - 1
	}
	normal := func(sd float64) Distribution { return Distribution{Kind: DistNormal, SD: sd} }

	mb := res.Metal
	p.yield, p.loss = mb.Yield, mb.MeltLossFraction
	p.molten = res.DirectSupply.MoltenShare
	if s := in.Metal.PostConsumerShare; s != nil {
		p.shPost = *s
	}
	if s := in.Metal.PreConsumerShare; s != nil {
		p.shPre = *s
	}
	p.shPrim = 1 - p.shPost - p.shPre
	for _, a := range res.Alloying {
		p.alloyFrac += a.MassFraction
	}
	if in.ProductionT != nil {
		p.productionT = *in.ProductionT
	}

	// Primary metal: recomputed on the scratch ledger (it shares the PV
	// yields of the run, so it is the run's primary).
	prim, err := primaryMetalOf(q, in)
	if err != nil {
		return nil, err
	}
	p.primLoc, p.primMkt, p.castLoc, p.castMkt = prim.loc, prim.mkt, prim.castLoc, prim.castMkt
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
		p.iPrim = add(UncertainInput{Pointer: "/metal/primary_footprint_tco2e_per_t", Label: "primary metal footprint (" + prim.source + ")", Dist: normal(primSD), Source: primSrc, Default: true})
	}

	// Melt loss.
	if p.loss > 0 && mb.RemeltedTPerT > 0 {
		d, src := Distribution{Kind: DistTriangular, Min: 0.8, Mode: 1, Max: 1.2}, "assumption: the plant's melt loss, triangular ±20 %"
		if in.MeltLossFraction == nil {
			d, src = Distribution{Kind: DistTriangular, Min: 0.75, Mode: 1, Max: 1.25}, "dataset remelting/melt_loss (1.9 %, European Aluminium 2015, gas-fired) against about 1.5 % in Chinese electric furnaces (its note): triangular ±25 %"
		}
		p.iLoss = add(UncertainInput{Pointer: "/melt_loss_fraction", Label: "melt loss in remelting", Dist: d, Source: src, Default: true})
	}

	// Scrap.
	if p.shPost > 0 {
		v, err := q.orDefault(in.Metal.PostConsumerTCO2ePerT, "", "recycled/post_consumer_scrap")
		if err != nil {
			return nil, err
		}
		p.postTCO2e = v
		sd, src := 0.10, "assumption: the post-consumer scrap footprint given, 10 % (1σ)"
		if in.Metal.PostConsumerTCO2ePerT == nil {
			sd, src = 0.30, "assumption: dataset recycled/post_consumer_scrap (0.5 t CO2e/t, Hydro) for unknown collection, sorting and remelting, 30 % (1σ)"
		}
		if v > 0 {
			p.iPost = add(UncertainInput{Pointer: "/metal/post_consumer_scrap_tco2e_per_t", Label: "post-consumer scrap footprint", Dist: normal(sd), Source: src, Default: true})
		}
	}
	if v := in.Metal.PreConsumerTCO2ePerT; v != nil {
		p.preGiven, p.preTCO2e = true, *v
		if p.shPre > 0 && *v > 0 {
			p.iPre = add(UncertainInput{Pointer: "/metal/pre_consumer_scrap_tco2e_per_t", Label: "pre-consumer scrap footprint", Dist: normal(0.10), Default: true,
				Source: "assumption: the pre-consumer scrap footprint given, 10 % (1σ)"})
		}
	}

	// Alloying elements.
	for _, a := range res.Alloying {
		me := mcElement{frac: a.MassFraction, tco2e: a.TCO2ePerTElem, i: -1}
		if a.TCO2ePerTElem > 0 {
			sd, src := 0.15, "assumption: the dataset's element footprints carry ranges of about ±12–25 % (Mg 37–47, Cu 2.2–3.5, Mn 0.8–1.3 t CO2e/t), taken as ±2σ: 15 % (1σ)"
			if a.Element == "Si" {
				sd, src = 0.25, "assumption: the silicon footprint is an estimate (smelting electricity × national grid factor, reductant CO2 left out): 25 % (1σ)"
			}
			me.i = add(UncertainInput{Pointer: "/alloy/elements/" + a.Element, Label: a.Element + " footprint", Dist: normal(sd), Source: src, Default: true})
		}
		p.elems = append(p.elems, me)
	}

	// Steps.
	if p.ngEF, err = fuelCO2PerUnit(q, "natural_gas"); err != nil {
		return nil, err
	}
	for _, s := range res.Steps {
		ms := mcStep{basis: s.Basis, kwh: s.ElectricityKWhPerT, nm3: s.NaturalGasNm3PerT, i: -1}
		if s.ElectricityKWhPerT+s.NaturalGasNm3PerT > 0 {
			sd, src := 0.05, "assumption: the plant's own step energy, 5 % (1σ) for metering and allocation between products"
			if s.Defaulted {
				sd, src = 0.10, fmt.Sprintf("the GB 21351-2023 grade-3 limit (%.4g kgce/t) stands for an unknown plant; grade 2 lies 10–40 %% below grade 3 (dataset gb21351 rows) and older plants run above it: 10 %% (1σ) around the limit", s.GradeLimits[2])
			}
			ms.i = add(UncertainInput{Pointer: "/steps/" + s.Step, Label: s.Step + " energy", Dist: normal(sd), Source: src, Default: true})
		}
		p.steps = append(p.steps, ms)
	}

	// Transport: distances are the plant's, not sampled.
	ds := res.DirectSupply
	if ds.IngotTransportKm > 0 && mb.PrimaryTPerT > mb.MoltenPrimaryTPerT {
		f, err := transportFactor(q, ds.IngotTransportMode, "/direct_supply/ingot_transport_mode")
		if err != nil {
			return nil, err
		}
		p.ingotKgPerT = ds.IngotTransportKm * f
	}
	if ds.MoltenShare > 0 {
		f, err := transportFactor(q, "road", "/direct_supply/haul_km")
		if err != nil {
			return nil, err
		}
		p.haulKgPer = ds.HaulKm * f
	}
	for i, leg := range in.Transport {
		f, err := transportFactor(q, leg.Mode, fmt.Sprintf("/transport/%d/mode", i))
		if err != nil {
			return nil, err
		}
		p.legs += TransportCO2(1, leg.Km, f)
	}

	// The processing plant's portfolio.
	if res.MWhPerT > 0 {
		el := in.Electricity
		el.Region, el.Year, el.Basis, el.Pointer = in.Region, in.Year, in.Basis, "/electricity"
		if p.port, err = compilePortfolio(q, el, add); err != nil {
			return nil, err
		}
	}
	return p, nil
}
