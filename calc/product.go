package calc

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"alcarbon/factors"
)

// Stage names of a downstream product footprint, in order.
// The casting stage shares its name with the primary one (StageCasting).
const (
	StagePrimaryMetal  = "primary_metal"
	StageRecycledMetal = "recycled_metal"
	StageAlloying      = "alloying"
	StageProcessing    = "processing"
	StageTransport     = "transport"
)

// ProductStages lists the stages of a product footprint in order.
var ProductStages = []string{StagePrimaryMetal, StageRecycledMetal, StageAlloying, StageCasting, StageProcessing, StageTransport}

// TransportModes are the freight modes with dataset factors.
var TransportModes = []string{"road", "rail", "water"}

// StepRemelting is the name of the remelting of solid feed (ingot, scrap,
// in-house process scrap) ahead of the route's casting step.
const StepRemelting = "remelting"

// Primary metal sources of a product footprint.
const (
	PrimaryGiven         = "given"
	PrimaryInline        = "inline"
	PrimaryRegionDefault = "region_default"
	PrimaryDeclaration   = "declaration"
)

// ProductInput is a downstream plant's data for 1 t of product. Nil
// pointers take dataset defaults, recorded in Provenance.Defaulted.
type ProductInput struct {
	Product     string
	Alloy       string // empty: the product's default alloy
	Region      string
	Year        int
	GWP         string
	Basis       Basis
	ProductionT *float64 // t product/yr; needed for annual volumes and PV

	Metal MetalInput
	// Yield is t product per t cast metal, in (0, 1].
	Yield *float64
	// MeltLossFraction is the metal lost per t remelted, in [0, 0.2].
	MeltLossFraction *float64
	Steps            []StepOverride
	DirectSupply     DirectSupplyInput
	Electricity      ElectricityInput // Region, Year, Basis, DemandMWh and Path are set by the engine
	Transport        []TransportLeg
}

// MetalInput is the metal a product is made of. At most one of
// PrimaryFootprintTCO2ePerT and Primary is set; with neither the region's default
// primary footprint is computed.
type MetalInput struct {
	PrimaryFootprintTCO2ePerT *float64      // t CO2e/t primary ingot
	Primary                   *PrimaryInput // a primary calculation, computed inline
	// DeclarationID names the published declaration PrimaryFootprintTCO2ePerT was
	// read from (the caller looks it up); it labels the result.
	DeclarationID string
	// Shares of the aluminium input (alloying elements excluded), 0–1,
	// summing to at most 1; the rest is primary metal.
	PostConsumerScrapShare     *float64
	PreConsumerScrapShare      *float64
	PostConsumerScrapTCO2ePerT *float64
	// PreConsumerScrapTCO2ePerT defaults to the primary footprint (Hydro:
	// process scrap carries the primary footprint).
	PreConsumerScrapTCO2ePerT *float64
}

// StepOverride replaces the default energy of a step [per t the step
// processes]. A step of the catalogue that is not in the route is added
// after it; Omit removes a step.
type StepOverride struct {
	Step               string
	ElectricityKWhPerT *float64
	NaturalGasNm3PerT  *float64
	Omit               bool
}

// DirectSupplyInput is molten-metal direct supply (铝水直供).
type DirectSupplyInput struct {
	// MoltenShare of the primary metal arrives molten, 0–1; default 0.
	MoltenShare *float64
	// HaulKm is the hot-metal haul by road; default the 50 km viability radius.
	HaulKm *float64
	// IngotTransportKm and IngotTransportMode move the primary ingot to
	// the plant; default 0 km by road.
	IngotTransportKm   *float64
	IngotTransportMode string
}

// TransportLeg is one freight leg of 1 t of product.
type TransportLeg struct {
	Mode string
	Km   float64
}

// StepResult is one processing step of a product route.
type StepResult struct {
	Step  string
	Stage string // casting or processing
	// Basis says per what the energy is: "cast" (t cast metal), "product"
	// (t product) or "remelted" (t remelted).
	Basis string
	// MassTPerT is what the step processes per t of product [t/t].
	MassTPerT          float64
	ElectricityKWhPerT float64 // per t processed
	NaturalGasNm3PerT  float64 // per t processed
	EnergyKgcePerT     float64 // per t processed
	GradeLimits        [3]float64
	// GB21351Grade is 1–3, or 0 above the grade-3 limit.
	GB21351Grade  int
	Defaulted     bool
	LocationBased float64 // t CO2e per t product
	MarketBased   float64
}

// MetalBalance is the metal flow per t of product.
type MetalBalance struct {
	Yield               float64
	MeltLossFraction    float64
	CastTPerT           float64 // B = 1/yield
	ProcessScrapTPerT   float64 // S = B − 1, remelted in-house
	NewMetalTPerT       float64 // N, purchased metal charged
	RemeltedTPerT       float64 // R, solid metal charged to the melting furnace
	MeltLossTPerT       float64 // L × R
	PrimaryTPerT        float64
	MoltenPrimaryTPerT  float64
	PostConsumerTPerT   float64
	PreConsumerTPerT    float64
	AlloyingTPerT       float64
	RecycledContent     float64 // (post + pre) / N
	PrimarySource       string  // given, inline or region_default
	PrimaryTCO2ePerT    float64 // location-based, ingot
	PrimaryMarketTCO2e  float64
	SmelterCastingTCO2e float64 // per t primary, location-based
}

// AlloyingElement is one alloying addition.
type AlloyingElement struct {
	Element       string
	MassFraction  float64 // of the metal
	TPerT         float64 // t per t product
	TCO2ePerTElem float64 // footprint of the element [t CO2e/t]
	TCO2ePerT     float64 // per t product
}

// DirectSupplyResult compares the footprint with and without direct supply.
type DirectSupplyResult struct {
	MoltenShare        float64
	HaulKm             float64
	IngotTransportKm   float64
	IngotTransportMode string
	WithLocation       float64
	WithMarket         float64
	WithoutLocation    float64
	WithoutMarket      float64
	AvoidedLocation    float64
	AvoidedMarket      float64
	// Where the location-based saving comes from [t CO2e/t product].
	AvoidedCastingEnergy float64 // smelter casting
	AvoidedRemelting     float64 // remelting energy at the processor
	AvoidedMeltLoss      float64 // metal not lost in remelting
	AvoidedTransport     float64 // ingot transport minus hot-metal haul
	AvoidedOther         float64 // the rest (a portfolio factor that moves with demand)
}

// ProductCBAM is the EU CBAM view of the product (Annex III B: SEE =
// (attributed emissions + Σ precursor mass × precursor SEE) / activity level).
type ProductCBAM struct {
	CNCode string
	// ProcessDirect is fuel CO2 at the processing plant; ProcessIndirect
	// its electricity × operational CO2 factor [t CO2/t product].
	ProcessDirect   float64
	ProcessIndirect float64
	// PortfolioProcessIndirect is ProcessIndirect on the plant's own
	// operational factors when ProcessIndirect follows the Commission's rule
	// (IndirectRule; definitive CBAM rules), else nil.
	PortfolioProcessIndirect *float64
	IndirectRule             string
	// PrecursorTPerT is the unwrought primary aluminium (7601) per t.
	PrecursorTPerT           float64
	PrecursorSEEDirect       float64 // per t precursor
	PrecursorSEEIndirect     *float64
	PrecursorNote            string
	SEEDirect                float64
	SEEIndirect              float64
	ObligationTCO2ePerT      float64
	ElectricityMWhPerT       float64
	ElectricityEF            float64
	DefaultValueTCO2ePerT    *float64
	DefaultValueNote         string
	PrecursorDirectTCO2ePerT float64 // PrecursorTPerT × PrecursorSEEDirect
}

// ProductResult is the footprint of 1 t of a downstream product.
type ProductResult struct {
	DeclaredUnit  string
	Product       string
	Alloy         string
	LocationBased float64
	MarketBased   float64
	Stages        []Stage
	Steps         []StepResult
	Metal         MetalBalance
	Alloying      []AlloyingElement
	DirectSupply  DirectSupplyResult
	Electricity   ElectricityResult
	MWhPerT       float64
	CBAM          ProductCBAM
	// Annual is the plant's emissions over a year, nil without the
	// annual production.
	Annual *AnnualEmissions
}

// Product computes the cradle-to-gate footprint of 1 t of a downstream
// product, with and without molten-metal direct supply.
func (e *Engine) Product(in ProductInput) (ProductResult, Provenance, error) {
	return e.ProductWithPVMemo(nil, in, nil)
}

// primaryMetal is the primary aluminium a product is made of [per t primary].
type primaryMetal struct {
	source           string
	loc, mkt         float64 // ingot footprint
	castLoc, castMkt float64 // smelter casting part of it
	seeDirect        float64
	seeIndirect      *float64
	precursorNote    string
}

func product(l *ledger, in ProductInput) (ProductResult, error) {
	_, res, err := productRun(l, in, false)
	return res, err
}

// ProductIDs lists the dataset's product families.
func ProductIDs(ds *factors.Dataset) []string {
	var out []string
	for _, p := range ds.Products() {
		out = append(out, p.ID)
	}
	return out
}

// AlloyIDs lists the dataset's alloys.
func AlloyIDs(ds *factors.Dataset) []string {
	var out []string
	for _, a := range ds.Alloys() {
		out = append(out, a.ID)
	}
	return out
}

// StepIDs lists the dataset's processing steps and "remelting".
func StepIDs(ds *factors.Dataset) []string {
	out := []string{StepRemelting}
	for _, s := range ds.ProductSteps() {
		out = append(out, s.ID)
	}
	return out
}

// primaryMetalOf returns the primary metal footprint: given, computed
// inline, or the region's default computed with every dataset default.
func primaryMetalOf(l *ledger, in ProductInput) (primaryMetal, error) {
	m := in.Metal
	if m.PrimaryFootprintTCO2ePerT != nil {
		p := primaryMetal{source: PrimaryGiven, loc: *m.PrimaryFootprintTCO2ePerT, mkt: *m.PrimaryFootprintTCO2ePerT}
		if m.DeclarationID != "" {
			p.source = PrimaryDeclaration
			l.assume("primary footprint from published declaration %s (its headline total, %.4g t CO2e/t)", m.DeclarationID, *m.PrimaryFootprintTCO2ePerT)
		}
		kwh, err := l.factor("default/casting_electricity")
		if err != nil {
			return p, err
		}
		ef, err := gridEF(l, in.Region, in.Year, in.Basis, "Region")
		if err != nil {
			return p, err
		}
		p.castLoc, p.castMkt = kwh/1000*ef, kwh/1000*ef
		l.assume("primary footprint given (%.4g t CO2e/t) is taken as cradle-to-gate ingot, location- and market-based alike; its smelter casting part is taken as %.4g kWh/t × the %s grid factor", *m.PrimaryFootprintTCO2ePerT, kwh, in.Region)
		seeDefault, err := l.factor("cbam/default/CN/7601")
		if err != nil {
			return p, err
		}
		p.seeDirect = seeDefault
		p.precursorNote = "the primary metal's own CBAM direct emissions are unknown (only its footprint was given): the Commission default for unwrought aluminium from China is used, and its indirect emissions are not counted"
		return p, nil
	}
	pin := PrimaryInput{Region: in.Region, Year: in.Year, GWP: in.GWP, Basis: in.Basis}
	source, prefix := PrimaryRegionDefault, "Metal"
	if m.Primary != nil {
		pin = *m.Primary
		if pin.Region == "" {
			pin.Region = in.Region
		}
		if pin.Year == 0 {
			pin.Year = in.Year
		}
		if pin.GWP == "" {
			pin.GWP = in.GWP
		}
		if pin.Basis == "" {
			pin.Basis = in.Basis
		}
		source, prefix = PrimaryInline, "Metal.Primary"
	}
	// The smelter's portfolio has the same source paths as the
	// processing plant's, so its PV runs need their own per-calculation
	// memo (the shared scenario memo is keyed by the PV input too).
	sub := l.sub()
	sub.pv = map[string]PVResult{}
	r, err := primary(sub, pin)
	if err != nil {
		return primaryMetal{}, prefixPaths(err, prefix)
	}
	l.adoptFactors(sub)
	for _, a := range sub.p.Assumptions {
		l.assume("primary metal: %s", prefixFields(a, "Metal.Primary"))
	}
	l.adoptPrimaryWarnings(sub)
	if source == PrimaryInline {
		for _, d := range sub.p.Defaulted {
			l.defaulted(joinPath(prefix, d), StagePrimaryMetal)
		}
	} else {
		l.defaulted("Metal.PrimaryFootprintTCO2ePerT", StagePrimaryMetal)
		l.warn("primary_metal_region_default", Params{"region": pin.Region, "tco2e_per_t": r.LocationBased}, "primary metal not given: the dataset has no sourced regional primary footprint, so the %s default primary footprint is computed with every primary input at its dataset default (%.4g t CO2e/t) — an estimate; give {Metal.PrimaryFootprintTCO2ePerT}, a primary request or a declaration", pin.Region, r.LocationBased)
	}
	p := primaryMetal{source: source, loc: r.LocationBased, mkt: r.MarketBased}
	for _, s := range r.Stages {
		if s.Name == StageCasting {
			p.castLoc, p.castMkt = s.LocationBased, s.MarketBased
		}
	}
	p.seeDirect = r.CBAM.SEEDirect
	ind := r.CBAM.SEEIndirect
	p.seeIndirect = &ind
	return p, nil
}

// prefixPaths puts prefix before the paths of an InputError.
func prefixPaths(err error, prefix string) error {
	var ie *InputError
	if !errors.As(err, &ie) {
		return err
	}
	out := &InputError{Fields: make([]FieldError, len(ie.Fields))}
	for i, f := range ie.Fields {
		out.Fields[i] = FieldError{Path: joinPath(prefix, f.Path), Detail: prefixFields(f.Detail, prefix), Code: f.Code, Params: f.Params}
	}
	return out
}

// routeStep is a step of the route with its override.
type routeStep struct {
	step     factors.ProductStep
	override *StepOverride
	ptr      string
}

// productRoute applies the step overrides to the product's default route:
// a named step of the route takes the override; a catalogue step not in
// the route is added after it; Omit removes a step. The first (casting)
// step cannot be omitted, since it defines remelting.
func productRoute(l *ledger, prod factors.Product, overrides []StepOverride) ([]routeStep, error) {
	route := make([]routeStep, 0, len(prod.Route)+len(overrides))
	for _, id := range prod.Route {
		s, _ := l.ds.ProductStep(id)
		route = append(route, routeStep{step: s})
	}
	var remelt *StepOverride
	for i := range overrides {
		o := &overrides[i]
		ptr := indexPath("Steps", i)
		if o.Step == StepRemelting {
			if o.Omit {
				return nil, codedError(joinPath(ptr, "Omit"), "not_omittable", map[string]any{"step": o.Step}, "remelting cannot be omitted; set {DirectSupply.MoltenShare} to 1 and {Yield} to 1 to remelt nothing")
			}
			remelt = o
			continue
		}
		// A step of the route is named by its id or its family
		// ("extrusion" for extrusion_building in a building-profile route).
		j := slices.IndexFunc(route, func(r routeStep) bool { return r.step.ID == o.Step })
		if j < 0 {
			j = slices.IndexFunc(route, func(r routeStep) bool { return stepFamily(r.step.ID) == stepFamily(o.Step) })
			if j >= 0 {
				l.assume("step %q is taken as %s, the route's step of that kind", o.Step, route[j].step.ID)
			}
		}
		s, ok := l.ds.ProductStep(o.Step)
		if j >= 0 {
			s, ok = route[j].step, true
		}
		if !ok {
			return nil, unknownValue(joinPath(ptr, "Step"), "step", o.Step, StepIDs(l.ds), "unknown step %q; allowed: %s", o.Step, strings.Join(StepIDs(l.ds), ", "))
		}
		switch {
		case j >= 0 && route[j].override != nil:
			return nil, codedError(joinPath(ptr, "Step"), "duplicate", map[string]any{"got": o.Step}, "step %q is overridden twice", o.Step)
		case j == 0 && o.Omit:
			return nil, codedError(joinPath(ptr, "Omit"), "not_omittable", map[string]any{"step": o.Step}, "the casting step %q of the route cannot be omitted", o.Step)
		case j >= 0:
			route[j].override, route[j].ptr = o, ptr
		case s.RemeltGrades != "":
			return nil, codedError(joinPath(ptr, "Step"), "not_in_route", map[string]any{"step": o.Step, "product": prod.ID, "route": prod.Route}, "step %q is a casting step of another route; the route of %s casts with %s", o.Step, prod.ID, prod.Route[0])
		case o.Omit:
			return nil, codedError(joinPath(ptr, "Omit"), "not_in_route", map[string]any{"step": o.Step, "product": prod.ID, "route": prod.Route}, "step %q is not in the route of %s (%s)", o.Step, prod.ID, strings.Join(prod.Route, ", "))
		default:
			route = append(route, routeStep{step: s, override: o, ptr: ptr})
			l.assume("step %s added to the default route of %s", o.Step, prod.ID)
		}
	}
	out := route[:0]
	for _, r := range route {
		if r.override != nil && r.override.Omit {
			l.assume("step %s omitted from the default route of %s", r.step.ID, prod.ID)
			continue
		}
		out = append(out, r)
	}
	// Remelting is a pseudo-step before the casting step.
	rs := factors.ProductStep{
		ID: StepRemelting, Stage: factors.StageCasting, Basis: "remelted", Grades: out[0].step.RemeltGrades,
		ElectricityFraction: factors.RemeltingElectricityFraction,
	}
	rr := routeStep{step: rs, override: remelt}
	if remelt != nil {
		rr.ptr = indexPath("Steps", slices.IndexFunc(overrides, func(o StepOverride) bool { return o.Step == StepRemelting }))
	}
	return append([]routeStep{rr}, out...), nil
}

// stepFamily is a step id without its product variant: extrusion_building
// and extrusion_industrial are both "extrusion".
func stepFamily(id string) string {
	return strings.TrimSuffix(strings.TrimSuffix(id, "_building"), "_industrial")
}

// stepEnergy is a step's energy per t processed.
type stepEnergy struct {
	limits    [3]float64
	kgce      float64
	kwh, nm3  float64
	defaulted bool
}

// StepEnergySplit converts a step's comprehensive energy to electricity
// and natural gas [per t processed]:
//
//	kWh = E × f × e / 3.6,  Nm3 = E × (1 − f) × e / (1000 × NCV)
//
// E is the energy [kgce/t], f the electricity fraction of it, e the
// calorific value of standard coal [MJ/kgce] (GB/T 2589: 29.3076) and NCV
// the natural gas net calorific value [GJ/Nm3]. Electricity kgce is the
// calorific equivalent (3.6 MJ/kWh), the basis of GB 21351-2023's
// comprehensive energy (GB/T 2589 当量值).
func StepEnergySplit(kgce, electricityFraction, mjPerKgce, ncvGJPerNm3 float64) (kwh, nm3 float64) {
	return kgce * electricityFraction * mjPerKgce / 3.6, kgce * (1 - electricityFraction) * mjPerKgce / 1000 / ncvGJPerNm3
}

// StepKgce is the inverse of StepEnergySplit: the comprehensive energy of
// kWh of electricity and Nm3 of natural gas [kgce]:
//
//	E = (kWh × 3.6 + Nm3 × NCV × 1000) / e
func StepKgce(kwh, nm3, mjPerKgce, ncvGJPerNm3 float64) float64 {
	return (kwh*3.6 + nm3*ncvGJPerNm3*1000) / mjPerKgce
}

// stepEnergyOf returns a step's energy: the override, or the GB 21351-2023
// grade-3 limit split by the step's electricity fraction.
func stepEnergyOf(l *ledger, s factors.ProductStep, o *StepOverride) (stepEnergy, error) {
	var e stepEnergy
	for g := range 3 {
		v, err := l.factor(factorID(s.Grades, "grade"+strconv.Itoa(g+1)))
		if err != nil {
			return e, err
		}
		e.limits[g] = v
	}
	mj, err := l.factor("energy/kgce_mj")
	if err != nil {
		return e, err
	}
	ncv, err := l.factor("fuel/natural_gas/ncv")
	if err != nil {
		return e, err
	}
	if o != nil && (o.ElectricityKWhPerT != nil || o.NaturalGasNm3PerT != nil) {
		if o.ElectricityKWhPerT != nil {
			e.kwh = *o.ElectricityKWhPerT
		}
		if o.NaturalGasNm3PerT != nil {
			e.nm3 = *o.NaturalGasNm3PerT
		}
		e.kgce = StepKgce(e.kwh, e.nm3, mj, ncv)
		return e, nil
	}
	frac, err := l.factor(s.ElectricityFraction)
	if err != nil {
		return e, err
	}
	e.kgce, e.defaulted = e.limits[2], true
	e.kwh, e.nm3 = StepEnergySplit(e.kgce, frac, mj, ncv)
	l.derived("energy/kgce_per_kwh", 3.6/mj, "kgce/kWh", "3.6 MJ/kWh ÷ energy/kgce_mj (calorific equivalent)")
	return e, nil
}

// MetalFlow returns the metal balance of a cast-and-process route per t of
// product, with process scrap remelted in-house (closed loop):
//
//	B = 1/y,  S = B − 1,  N = (1 + S·L) / (1 − s·L),  R = S + s·N
//
// y is the yield [t product/t cast], L the melt loss per t remelted and s
// the solid share of the purchased metal (everything but molten primary
// metal). N is the purchased metal charged, R the solid metal remelted; the
// mass balance is N + S = B + L·R. Derivation: the furnace yields
// N(1 − s·L) + S(1 − L) = B.
func MetalFlow(yield, meltLoss, solidShare float64) (cast, scrap, newMetal, remelted float64) {
	cast = 1 / yield
	scrap = cast - 1
	newMetal = (1 + scrap*meltLoss) / (1 - solidShare*meltLoss)
	remelted = scrap + solidShare*newMetal
	return
}

// TransportCO2 returns the CO2 of moving mass t over km [t CO2]:
//
//	E = m × d × EF / 1000
//
// with EF in kg CO2/t·km (dataset transport/{mode}/…).
func TransportCO2(massT, km, kgPerTkm float64) float64 {
	return massT * km * kgPerTkm / 1000
}

// elementFootprint returns an alloying element's footprint [t CO2e/t]:
// a dataset value (Mg, Cu, Mn), silicon from its smelting electricity ×
// the national grid factor, or 0 with a warning.
func elementFootprint(l *ledger, el string, year int, basis Basis, quiet bool) (float64, error) {
	id := factorID("alloying", el, "footprint")
	if _, ok := l.ds.Factor(id); ok {
		v, err := l.factor(id)
		if err == nil && !quiet {
			switch el {
			case "Cu":
				l.warn("alloy_copper_global", nil, "copper footprint: global ecoinvent 2.2 mix (2.8 t CO2e/t); no Chinese value was found")
			case "Mn":
				l.warn("alloy_manganese_mix", nil, "manganese footprint: a weighted ferro-manganese/manganese mix (1.0 t CO2e/t), not electrolytic manganese metal (no Chinese value found); confidence L")
			}
		}
		return v, err
	}
	if el == "Si" {
		mwh, err := l.factor("alloying/Si/electricity_mwh_per_t")
		if err != nil {
			return 0, err
		}
		ef, err := gridEF(l, "CN", year, basis, "Region")
		if err != nil {
			return 0, err
		}
		v := mwh * ef
		l.derived("alloying/Si/footprint_estimate", v, "tCO2e/t", fmt.Sprintf("estimate: smelting electricity %.5g MWh/t × national grid factor %.4g t/MWh; reductant process CO2 not included", mwh, ef))
		if !quiet {
			l.warn("alloy_silicon_estimate", nil, "silicon footprint is an estimate (L): Chinese smelting electricity × the national grid factor, without the reductant's process CO2 (no Chinese silicon life-cycle value was found)")
		}
		return v, nil
	}
	if !quiet {
		l.warn("alloy_element_missing", Params{"element": el}, "no footprint for alloying element %s in the dataset: it counts 0", el)
	}
	return 0, nil
}

// transportFactor returns a mode's freight factor [kg CO2/t·km]: China's
// where the dataset has one, else Europe's, flagged.
func transportFactor(l *ledger, mode, ptr string) (float64, error) {
	switch mode {
	case "road", "rail":
		return l.factor("transport/" + mode + "/CN/2021")
	case "water":
		l.warn("water_freight_europe", nil, "water freight: only the European 2014 inland-waterway factor is in the dataset; it is used for China")
		return l.factor("transport/water/EU/2014")
	}
	return 0, unknownValue(ptr, "transport_mode", mode, TransportModes, "unknown transport mode %q; allowed: %s", mode, strings.Join(TransportModes, ", "))
}

// productCBAM computes the CBAM view of a product: the processing plant's
// fuel CO2 (direct) and electricity × operational CO2 factor (indirect; on
// the definitive rules the Commission's factor for grid electricity),
// plus the unwrought primary aluminium precursor (Annex III B); scrap has
// zero embedded emissions (IR 2025/2547 Annex II F); alloying metals are
// not CBAM goods and are not counted.
//
// res is the product's result and fuelCO2 its processing-plant fuel CO2
// [t CO2/t product]; port is the plant's compiled portfolio (nil when the
// steps use no electricity).
func productCBAM(l *ledger, in ProductInput, prod factors.Product, res ProductResult, fuelCO2 float64, port *portfolioModel, prim primaryMetal) (ProductCBAM, error) {
	mwhPerT, primaryT := res.MWhPerT, res.Metal.PrimaryTPerT
	out := ProductCBAM{CNCode: prod.CNCode, ProcessDirect: fuelCO2, ElectricityMWhPerT: mwhPerT}
	if mwhPerT > 0 {
		op, err := operationalPortfolio(l, port.in, res.Electricity)
		if err != nil {
			return out, err
		}
		out.ElectricityEF, out.IndirectRule = op.EFLocation, indirectRuleOwn
		out.ProcessIndirect = mwhPerT * op.EFLocation
		if err := productCommissionIndirect(l, in.Region, op, &out); err != nil {
			return out, err
		}
	}
	out.PrecursorTPerT = primaryT
	out.PrecursorSEEDirect = prim.seeDirect
	out.PrecursorDirectTCO2ePerT = primaryT * prim.seeDirect
	out.PrecursorNote = prim.precursorNote
	if out.PrecursorNote == "" {
		out.PrecursorNote = "precursor: the primary metal's CBAM direct and indirect emissions as computed (CN 7601); scrap carries none (IR 2025/2547 Annex II F); alloying metals are not CBAM goods"
	}
	out.SEEDirect = out.ProcessDirect + out.PrecursorDirectTCO2ePerT
	out.SEEIndirect = out.ProcessIndirect
	if prim.seeIndirect != nil {
		v := *prim.seeIndirect
		out.PrecursorSEEIndirect = &v
		out.SEEIndirect += primaryT * v
	}
	out.ObligationTCO2ePerT = out.SEEDirect
	id, note := cbamDefaultID(prod.CNCode, func(id string) bool { _, ok := l.ds.Factor(id); return ok })
	out.DefaultValueNote = note
	if id != "" && strings.HasPrefix(in.Region, "CN") {
		v, err := l.factor(id)
		if err != nil {
			return out, err
		}
		out.DefaultValueTCO2ePerT = &v
	}
	return out, nil
}

// productCommissionIndirect prices the processing plant's electricity
// (op, on the operational basis) on the Commission's rule (commissionEF)
// when the dataset has the definitive CBAM rules, keeping the plant's own
// operational figure beside it.
func productCommissionIndirect(l *ledger, region string, op ElectricityResult, out *ProductCBAM) error {
	if l.ds.Rule(factors.RuleCBAM) != "definitive_2026" {
		return nil
	}
	ef, ok, err := commissionEF(l, region, op, false)
	if err != nil || !ok {
		return err
	}
	own := out.ProcessIndirect
	out.PortfolioProcessIndirect = &own
	out.ElectricityEF, out.ProcessIndirect = ef, out.ElectricityMWhPerT*ef
	out.IndirectRule = indirectRuleCommission
	return nil
}

// cbamDefaultID chooses the dataset factor of the Commission's default value
// for a product of CN code cn from China, and the note that says which it
// is: the code's own value when the dataset has one (has), else for bars,
// rods, profiles (7604) and plates, sheets, strip (7606) the value for
// intermediate products, else none ("" and a note saying so).
func cbamDefaultID(cn string, has func(id string) bool) (id, note string) {
	const markUps = "mark-ups of 10 % (2026), 20 % (2027) and 30 % (2028 on) apply"
	if own := factorID("cbam", "default", "CN", cn); has(own) {
		return own, "Commission default for CN " + cn + " from China (direct); " + markUps + " when defaults are used"
	}
	if cn == "7604" || cn == "7606" {
		return factorID("cbam", "default", "CN", "intermediate"),
			"Commission default for intermediate aluminium products from China (bars, wire, plate, sheet; not specific to CN " + cn + "); " + markUps
	}
	return "", "the dataset has no Commission default for CN " + cn
}

// CatalogStep is a step of a product family's default route with its
// default energy.
type CatalogStep struct {
	factors.ProductStep
	GradeLimits [3]float64
	// DefaultKgcePerT is the grade-3 limit used as default [kgce/t].
	DefaultKgcePerT          float64
	ElectricityFraction      float64
	SplitConfidence          factors.Confidence
	SplitSource              string
	SplitNote                string
	DefaultElectricityKWhPer float64 // kWh per t processed
	DefaultNaturalGasNm3Per  float64 // Nm3 per t processed
}

// ProductFamily is a product family with its default route resolved.
type ProductFamily struct {
	factors.Product
	Yield  factors.Factor
	Alloys []factors.Alloy
	// Steps are the route, led by the remelting of solid feed.
	Steps []CatalogStep
}

// ProductCatalog returns the product families of the dataset with their
// alloys, default route, step energies and yields (GET /v1/products).
func (e *Engine) ProductCatalog() ([]ProductFamily, Provenance, error) {
	l := newLedger(e.ds, &e.memos)
	var out []ProductFamily
	for _, p := range e.ds.Products() {
		y, _ := e.ds.Factor(p.YieldFactor)
		l.use(y)
		fam := ProductFamily{Product: p, Yield: y}
		for _, a := range p.Alloys {
			al, _ := e.ds.Alloy(a)
			fam.Alloys = append(fam.Alloys, al)
		}
		route, err := productRoute(l, p, nil)
		if err != nil {
			return nil, Provenance{}, err
		}
		for _, r := range route {
			en, err := stepEnergyOf(l, r.step, nil)
			if err != nil {
				return nil, Provenance{}, err
			}
			f, _ := e.ds.Factor(r.step.ElectricityFraction)
			fam.Steps = append(fam.Steps, CatalogStep{
				ProductStep: r.step, GradeLimits: en.limits, DefaultKgcePerT: en.kgce,
				ElectricityFraction: f.Value, SplitConfidence: f.Confidence, SplitSource: f.Source, SplitNote: f.Note,
				DefaultElectricityKWhPer: en.kwh, DefaultNaturalGasNm3Per: en.nm3,
			})
		}
		out = append(out, fam)
	}
	l.assume("default step energy is the GB 21351-2023 grade-3 limit (the mandatory maximum), split into electricity and natural gas by the step's electricity fraction; electricity kgce at the calorific equivalent 3.6 MJ/kWh ÷ 29.3076 MJ/kgce")
	return out, l.provenance(), nil
}

// adoptPrimaryWarnings records the warnings of the primary metal's own
// calculation (sub), each with its code and the scope primary_metal.
func (l *ledger) adoptPrimaryWarnings(sub *ledger) {
	for i, w := range sub.p.Warnings {
		c := sub.p.WarningCodes[i]
		params := Params{"scope": "primary_metal"}
		for k, v := range c.Params {
			params[k] = v
		}
		l.warn(c.Code, params, "primary metal: %s", prefixFields(w, "Metal.Primary"))
	}
}
