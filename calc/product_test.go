package calc_test

import (
	"math"
	"slices"
	"testing"

	"alcarbon/calc"
)

// Numbers typed from factors/data/2026.1/factors.csv for the hand-computed
// product cases below (efSX2023, efCN2023, ngNCV, ngPerNm3 and kgceMJ are
// typed in electricity_test.go and primary_test.go).
const (
	castKWh      = 50.0    // default/casting_electricity [kWh/t]
	mgFootprint  = 42.0    // alloying/Mg/footprint [t CO2e/t]
	mnFootprint  = 1.0     // alloying/Mn/footprint
	siMWhPerT    = 13.109  // alloying/Si/electricity_mwh_per_t
	postScrap    = 0.5     // recycled/post_consumer_scrap
	roadKgPerTkm = 0.04125 // transport/road/CN/2021
	railKgPerTkm = 0.00611 // transport/rail/CN/2021
)

// handCase is a building profile of 6063 (Si 0.40 %, Mg 0.675 %) with every
// step energy given, so that the expected values below follow from the
// equations of calc/product.go and the typed numbers alone.
func handCase() calc.ProductInput {
	return calc.ProductInput{
		Product: "building_profile", Alloy: "6063", Region: "CN-SX", Year: 2023, GWP: "AR5", Basis: calc.BasisOperational,
		Metal:            calc.MetalInput{PrimaryFootprintTCO2ePerT: f64(12.7)},
		Yield:            f64(0.8),
		MeltLossFraction: f64(0.02),
		Steps: []calc.StepOverride{
			{Step: "remelting", NaturalGasNm3PerT: f64(80)},
			{Step: "billet_casting_building", ElectricityKWhPerT: f64(20), NaturalGasNm3PerT: f64(5)},
			{Step: "homogenising_building", NaturalGasNm3PerT: f64(30)},
			{Step: "extrusion_building", ElectricityKWhPerT: f64(300), NaturalGasNm3PerT: f64(25)},
			{Step: "anodising", Omit: true},
		},
		Electricity: calc.ElectricityInput{Sources: []calc.Source{{Kind: calc.KindGrid, Share: f64(1)}}},
	}
}

// handExpected computes the hand case's stages from the closed-loop metal
// balance B = 1/y, S = B − 1, N = (1 + S·L)/(1 − s·L), R = S + s·N.
type handStages struct{ primary, recycled, alloying, casting, processing, transport float64 }

func (h handStages) total() float64 {
	return h.primary + h.recycled + h.alloying + h.casting + h.processing + h.transport
}

func handExpected(y, loss, post, pre, molten, ingotKm, haulKm float64) handStages {
	w := (0.40 + 0.675) / 100
	ap := 1 - post - pre
	s := 1 - molten*ap*(1-w)
	b := 1 / y
	scrap := b - 1
	n := (1 + scrap*loss) / (1 - s*loss)
	r := scrap + s*n
	al := n * (1 - w)
	qp := al * ap
	qm := qp * molten
	qi := qp - qm
	smelterCast := castKWh / 1000 * efSX2023
	var h handStages
	h.primary = qp * (12.7 - smelterCast)
	h.recycled = al*post*postScrap + al*pre*12.7 // pre-consumer scrap carries the primary footprint
	h.alloying = n*0.0040*siMWhPerT*efCN2023 + n*0.00675*mgFootprint
	h.casting = qi*smelterCast + r*80*ngPerNm3 + b*(20.0/1000*efSX2023+5*ngPerNm3) + b*30*ngPerNm3
	h.processing = 300.0/1000*efSX2023 + 25*ngPerNm3
	h.transport = qi*ingotKm*roadKgPerTkm/1000 + qm*haulKm*roadKgPerTkm/1000
	return h
}

func stageValues(t *testing.T, r calc.ProductResult) handStages {
	t.Helper()
	names := make([]string, len(r.Stages))
	for i, s := range r.Stages {
		names[i] = s.Name
	}
	if !slices.Equal(names, calc.ProductStages) {
		t.Fatalf("stages %v, want %v", names, calc.ProductStages)
	}
	return handStages{r.Stages[0].LocationBased, r.Stages[1].LocationBased, r.Stages[2].LocationBased,
		r.Stages[3].LocationBased, r.Stages[4].LocationBased, r.Stages[5].LocationBased}
}

func checkStages(t *testing.T, got, want handStages) {
	t.Helper()
	checkClose(t, "primary_metal", got.primary, want.primary, tolExact)
	checkClose(t, "recycled_metal", got.recycled, want.recycled, tolExact)
	checkClose(t, "alloying", got.alloying, want.alloying, tolExact)
	checkClose(t, "casting", got.casting, want.casting, tolExact)
	checkClose(t, "processing", got.processing, want.processing, tolExact)
	checkClose(t, "transport", got.transport, want.transport, tolExact)
}

// TestProductYieldHandComputed: yield 0.8 and 2 % melt loss, all primary,
// no direct supply; expected values hand-computed from the metal balance and
// the numbers typed from the dataset above.
func TestProductYieldHandComputed(t *testing.T) {
	r, p, err := engine(t).Product(handCase())
	if err != nil {
		t.Fatal(err)
	}
	want := handExpected(0.8, 0.02, 0, 0, 0, 0, 0)
	checkStages(t, stageValues(t, r), want)
	checkClose(t, "total", r.LocationBased, want.total(), tolExact)
	checkClose(t, "market = location (grid only)", r.MarketBased, r.LocationBased, tolExact)
	// Metal balance: B = 1.25, S = 0.25, N = 1.005/0.98, R = S + N.
	n := 1.005 / 0.98
	checkClose(t, "new metal", r.Metal.NewMetalTPerT, n, tolExact)
	checkClose(t, "remelted", r.Metal.RemeltedTPerT, 0.25+n, tolExact)
	checkClose(t, "mass balance N + S = B + L·R", r.Metal.NewMetalTPerT+r.Metal.ProcessScrapTPerT, r.Metal.CastTPerT+r.Metal.MeltLossTPerT, tolExact)
	// Extrusion 300 kWh + 25 Nm3 = (300×3.6 + 25×0.038931×1000)/29.3076 kgce.
	for _, s := range r.Steps {
		if s.Step == "extrusion_building" {
			checkClose(t, "extrusion kgce", s.EnergyKgcePerT, (300*3.6+25*ngNCV*1000)/kgceMJ, tolExact)
			if s.GB21351Grade != 1 { // 70.05 kgce ≤ 100 (grade 1)
				t.Errorf("extrusion grade %d, want 1", s.GB21351Grade)
			}
		}
		if s.Step == "anodising" {
			t.Error("anodising was omitted but is in the steps")
		}
	}
	checkMessage(t, "assumption", p.Assumptions, "closed loop", "not new metal")
	checkProvenanceComplete(t, p)
	if r.DirectSupply.AvoidedLocation != 0 {
		t.Errorf("avoided %v without direct supply, want 0", r.DirectSupply.AvoidedLocation)
	}
}

// TestProductRecycledContent: 10 % post-consumer scrap at the Hydro 0.5 and
// 5 % pre-consumer scrap carrying the primary footprint.
func TestProductRecycledContent(t *testing.T) {
	in := handCase()
	in.Metal.PostConsumerScrapShare, in.Metal.PreConsumerScrapShare = f64(0.1), f64(0.05)
	r, p, err := engine(t).Product(in)
	if err != nil {
		t.Fatal(err)
	}
	want := handExpected(0.8, 0.02, 0.1, 0.05, 0, 0, 0)
	checkStages(t, stageValues(t, r), want)
	w := (0.40 + 0.675) / 100
	checkClose(t, "recycled content", r.Metal.RecycledContent, 0.15*(1-w), tolExact)
	checkMessage(t, "assumption", p.Assumptions, "pre-consumer scrap carries the primary footprint")
	if v, ok := factorValue(p, "recycled/post_consumer_scrap"); !ok || v != postScrap {
		t.Errorf("post-consumer scrap factor %v (%v) not in provenance", v, ok)
	}
}

// TestProductAlloying: 5083 (Mg 4.45, Mn 0.70, Cr 0.15 %) on the rail
// route; Cr has no footprint and counts 0 with a warning.
func TestProductAlloying(t *testing.T) {
	in := calc.ProductInput{
		Product: "rail_transit_profile", Alloy: "5083", Region: "CN-SX", Year: 2023, GWP: "AR5", Basis: calc.BasisOperational,
		Metal: calc.MetalInput{PrimaryFootprintTCO2ePerT: f64(12.7)}, Yield: f64(1), MeltLossFraction: f64(0),
	}
	r, p, err := engine(t).Product(in)
	if err != nil {
		t.Fatal(err)
	}
	// y = 1 and L = 0: N = 1 t of metal per t of product.
	want := 0.0445*mgFootprint + 0.0070*mnFootprint
	checkClose(t, "alloying", r.Stages[2].LocationBased, want, tolExact)
	checkClose(t, "alloying mass", r.Metal.AlloyingTPerT, 0.0445+0.0070+0.0015, tolExact)
	checkMessage(t, "warning", p.Warnings, "alloying element Cr", "counts 0")
	checkMessage(t, "warning", p.Warnings, "manganese", "not electrolytic")
}

// TestProductDirectSupply: 80 % of the primary metal molten, hauled 20 km,
// against ingot by road over 300 km; avoided = without − with, and its parts
// add up.
func TestProductDirectSupply(t *testing.T) {
	e := engine(t)
	in := handCase()
	in.DirectSupply = calc.DirectSupplyInput{MoltenShare: f64(0.8), HaulKm: f64(20), IngotTransportKm: f64(300), IngotTransportMode: "road"}
	with, _, err := e.Product(in)
	if err != nil {
		t.Fatal(err)
	}
	want := handExpected(0.8, 0.02, 0, 0, 0.8, 300, 20)
	checkStages(t, stageValues(t, with), want)
	wantWithout := handExpected(0.8, 0.02, 0, 0, 0, 300, 20)
	ds := with.DirectSupply
	checkClose(t, "with", ds.WithLocation, want.total(), tolExact)
	checkClose(t, "without", ds.WithoutLocation, wantWithout.total(), tolExact)
	checkClose(t, "avoided", ds.AvoidedLocation, wantWithout.total()-want.total(), tolExact)
	checkClose(t, "avoided transport", ds.AvoidedTransport, wantWithout.transport-want.transport, tolExact)
	checkClose(t, "avoided melt loss", ds.AvoidedMeltLoss,
		(wantWithout.primary+wantWithout.alloying)-(want.primary+want.alloying), tolExact)
	checkClose(t, "parts", ds.AvoidedCastingEnergy+ds.AvoidedRemelting+ds.AvoidedMeltLoss+ds.AvoidedTransport+ds.AvoidedOther, ds.AvoidedLocation, tolExact)
	if ds.AvoidedOther != 0 || ds.AvoidedCastingEnergy <= 0 || ds.AvoidedRemelting <= 0 || ds.AvoidedMeltLoss <= 0 {
		t.Errorf("avoided parts %+v: want casting, remelting and melt loss > 0 and other 0", ds)
	}

	// Share 0 vs share 1: the avoided figure of share 1 is their difference.
	in.DirectSupply.MoltenShare = f64(0)
	zero, _, err := e.Product(in)
	if err != nil {
		t.Fatal(err)
	}
	in.DirectSupply.MoltenShare = f64(1)
	one, _, err := e.Product(in)
	if err != nil {
		t.Fatal(err)
	}
	checkClose(t, "share 0: with = without", zero.DirectSupply.WithLocation, zero.DirectSupply.WithoutLocation, tolExact)
	checkClose(t, "share 1 without = share 0", one.DirectSupply.WithoutLocation, zero.LocationBased, tolExact)
	checkClose(t, "share 1 avoided = share 0 − share 1", one.DirectSupply.AvoidedLocation, zero.LocationBased-one.LocationBased, tolExact)
	checkClose(t, "share 1 avoided market", one.DirectSupply.AvoidedMarket, zero.MarketBased-one.MarketBased, tolExact)
	// With everything molten only the process scrap is remelted.
	checkClose(t, "share 1 remelted", one.Metal.RemeltedTPerT, one.Metal.ProcessScrapTPerT+one.Metal.AlloyingTPerT, 1e-12)
}

// TestProductInlinePrimary: a primary request computed inline gives the same
// product footprint as passing its total.
func TestProductInlinePrimary(t *testing.T) {
	e := engine(t)
	pin := calc.PrimaryInput{Region: "CN-SX", Year: 2023, GWP: "AR5", Basis: calc.BasisOperational, Electrolysis: calc.ElectrolysisInput{ACkWhPerT: f64(13200)}}
	pr, _, err := e.Primary(pin)
	if err != nil {
		t.Fatal(err)
	}
	in := handCase()
	in.Metal.PrimaryFootprintTCO2ePerT = f64(pr.LocationBased)
	given, _, err := e.Product(in)
	if err != nil {
		t.Fatal(err)
	}
	in.Metal.PrimaryFootprintTCO2ePerT, in.Metal.Primary = nil, &pin
	inline, p, err := e.Product(in)
	if err != nil {
		t.Fatal(err)
	}
	checkClose(t, "inline vs given, location", inline.LocationBased, given.LocationBased, 1e-12)
	checkClose(t, "inline vs given, market", inline.MarketBased, given.MarketBased, 1e-12)
	if inline.Metal.PrimarySource != calc.PrimaryInline || given.Metal.PrimarySource != calc.PrimaryGiven {
		t.Errorf("sources %q, %q", inline.Metal.PrimarySource, given.Metal.PrimarySource)
	}
	if !slices.Contains(p.Defaulted, "Metal.Primary.Alumina.ConsumptionTPerT") {
		t.Errorf("inline primary defaults not prefixed: %v", p.Defaulted)
	}
	// Its messages name its fields under Metal.Primary too.
	checkMessage(t, "warning", p.Warnings, "primary metal: ", "give {Metal.Primary.Anode.ProductionTCO2ePerT} to include them")
	checkMessage(t, "assumption", p.Assumptions, "primary metal: ", "give {Metal.Primary.Casting.NaturalGasNm3PerT} for a gas-fired one")
	// CBAM precursor from the computed primary, not the Commission default.
	checkClose(t, "precursor SEE", inline.CBAM.PrecursorSEEDirect, pr.CBAM.SEEDirect, tolExact)

	// An inline primary error names its field under /metal/primary.
	bad := pin
	bad.Region = "CN-XX"
	in.Metal.Primary = &bad
	_, _, err = e.Product(in)
	wantInputError(t, err, "Metal.Primary.Region", "unknown region")
}

// TestProductFamiliesDefaults: every family with nothing but its name.
func TestProductFamiliesDefaults(t *testing.T) {
	e := engine(t)
	for _, id := range calc.ProductIDs(e.Dataset()) {
		t.Run(id, func(t *testing.T) {
			r, p, err := e.Product(calc.ProductInput{Product: id, Region: "CN-SX", Year: 2023, GWP: "AR5", Basis: calc.BasisLifecycle})
			if err != nil {
				t.Fatal(err)
			}
			stageValues(t, r)
			var sum, shares float64
			for _, s := range r.Stages {
				sum += s.LocationBased
				shares += s.Share
			}
			checkClose(t, "Σ stages", sum, r.LocationBased, 1e-12)
			checkClose(t, "Σ shares", shares, 1, 1e-12)
			if r.LocationBased < 10 || r.LocationBased > 40 {
				t.Errorf("total %v t CO2e/t, outside a plausible 10–40 for coal-grid primary metal", r.LocationBased)
			}
			for _, s := range r.Steps {
				// The grade-3 limit; where limits are equal (homogenising
				// 35/35/35) it is also grade 1.
				if !s.Defaulted || s.EnergyKgcePerT != s.GradeLimits[2] || s.GB21351Grade != calc.Grade(s.GradeLimits[2], s.GradeLimits) {
					t.Errorf("%s: defaulted %v, %v kgce grade %d, want the grade-3 limit %v", s.Step, s.Defaulted, s.EnergyKgcePerT, s.GB21351Grade, s.GradeLimits[2])
				}
			}
			if r.Steps[0].Step != calc.StepRemelting {
				t.Errorf("first step %s, want remelting", r.Steps[0].Step)
			}
			if r.Metal.PrimarySource != calc.PrimaryRegionDefault {
				t.Errorf("primary source %q", r.Metal.PrimarySource)
			}
			checkMessage(t, "warning", p.Warnings, "no sourced regional primary footprint")
			checkMessage(t, "warning", p.Warnings, "grade-3 limits")
			if r.CBAM.CNCode == "" || r.CBAM.SEEDirect <= 0 {
				t.Errorf("cbam %+v", r.CBAM)
			}
			checkProvenanceComplete(t, p)
		})
	}
}

// TestProductDefaultSplit: the default extrusion energy is the grade-3
// limit 150 kgce/t, 13 % electricity (US DOE: 87 % fossil thermal):
// kWh = 150 × 0.13 × 29.3076/3.6, Nm3 = 150 × 0.87 × 29.3076/1000/0.038931.
func TestProductDefaultSplit(t *testing.T) {
	r, _, err := engine(t).Product(calc.ProductInput{Product: "building_profile", Region: "CN-SX", Year: 2023, GWP: "AR5", Basis: calc.BasisOperational, Metal: calc.MetalInput{PrimaryFootprintTCO2ePerT: f64(12)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range r.Steps {
		if s.Step == "extrusion_building" {
			checkClose(t, "kWh", s.ElectricityKWhPerT, 150*0.13*kgceMJ/3.6, tolExact)
			checkClose(t, "Nm3", s.NaturalGasNm3PerT, 150*0.87*kgceMJ/1000/ngNCV, tolExact)
			checkClose(t, "kgce", s.EnergyKgcePerT, 150, tolExact)
			return
		}
	}
	t.Error("no extrusion_building step")
}

func TestProductErrors(t *testing.T) {
	e := engine(t)
	base := func() calc.ProductInput {
		return calc.ProductInput{Product: "household_foil", Region: "CN-SX", Year: 2023, GWP: "AR5", Basis: calc.BasisLifecycle, Metal: calc.MetalInput{PrimaryFootprintTCO2ePerT: f64(14)}}
	}
	tests := []struct {
		name    string
		mutate  func(*calc.ProductInput)
		pointer string
		detail  string
	}{
		{"unknown product", func(in *calc.ProductInput) { in.Product = "cans" }, "Product", "building_profile"},
		{"unknown alloy", func(in *calc.ProductInput) { in.Alloy = "7075" }, "Alloy", "6063"},
		{"unknown step", func(in *calc.ProductInput) { in.Steps = []calc.StepOverride{{Step: "pickling"}} }, "Steps[0].Step", "extrusion_building"},
		{"omit casting", func(in *calc.ProductInput) { in.Steps = []calc.StepOverride{{Step: "cast_rolling", Omit: true}} }, "Steps[0].Omit", "cannot be omitted"},
		{"foreign casting step", func(in *calc.ProductInput) { in.Steps = []calc.StepOverride{{Step: "billet_casting"}} }, "Steps[0].Step", "casting step"},
		{"shares", func(in *calc.ProductInput) {
			in.Metal.PostConsumerScrapShare, in.Metal.PreConsumerScrapShare = f64(0.7), f64(0.4)
		}, "Metal", "at most 1"},
		{"yield", func(in *calc.ProductInput) { in.Yield = f64(1.2) }, "Yield", "at most 1"},
		{"mode", func(in *calc.ProductInput) { in.Transport = []calc.TransportLeg{{Mode: "air", Km: 10}} }, "Transport[0].Mode", "road, rail, water"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := base()
			tc.mutate(&in)
			_, _, err := e.Product(in)
			wantInputError(t, err, tc.pointer, tc.detail)
		})
	}
}

func TestProductTransportLegs(t *testing.T) {
	in := handCase()
	in.Transport = []calc.TransportLeg{{Mode: "rail", Km: 800}, {Mode: "road", Km: 100}}
	r, _, err := engine(t).Product(in)
	if err != nil {
		t.Fatal(err)
	}
	checkClose(t, "transport", r.Stages[5].LocationBased, 800*railKgPerTkm/1000+100*roadKgPerTkm/1000, tolExact)
}

func TestProductCatalog(t *testing.T) {
	fams, p, err := engine(t).ProductCatalog()
	if err != nil {
		t.Fatal(err)
	}
	if len(fams) != 6 {
		t.Fatalf("%d families, want 6", len(fams))
	}
	for _, f := range fams {
		if f.Steps[0].ID != calc.StepRemelting || len(f.Alloys) == 0 || f.Yield.Value <= 0 {
			t.Errorf("%s: %+v", f.ID, f)
		}
		for _, s := range f.Steps {
			if math.Abs(s.DefaultKgcePerT-s.GradeLimits[2]) > 0 {
				t.Errorf("%s/%s default %v, want grade-3 %v", f.ID, s.ID, s.DefaultKgcePerT, s.GradeLimits[2])
			}
		}
	}
	checkProvenanceComplete(t, p)
}

// TestProductStepFamilies: a step named by its kind maps to the route's
// variant and is never added twice.
func TestProductStepFamilies(t *testing.T) {
	e := engine(t)
	in := handCase()
	in.Steps = []calc.StepOverride{{Step: "extrusion", ElectricityKWhPerT: f64(300), NaturalGasNm3PerT: f64(25)}, {Step: "homogenising", NaturalGasNm3PerT: f64(30)}}
	r, p, err := e.Product(in)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range r.Steps {
		names = append(names, s.Step)
	}
	if !slices.Equal(names, []string{"remelting", "billet_casting_building", "homogenising_building", "extrusion_building", "anodising"}) {
		t.Errorf("steps %v", names)
	}
	checkMessage(t, "assumption", p.Assumptions, `"extrusion" is taken as extrusion_building`)
	// A catalogue step of another kind is added after the route.
	in.Steps = []calc.StepOverride{{Step: "anodising", Omit: true}, {Step: "powder_coating"}}
	r, _, err = e.Product(in)
	if err != nil {
		t.Fatal(err)
	}
	if last := r.Steps[len(r.Steps)-1]; last.Step != "powder_coating" || last.EnergyKgcePerT != 90 {
		t.Errorf("last step %+v, want powder_coating at its grade-3 limit 90 kgce/t", last)
	}
}

// TestProductElectricRemelting: an electric remelting furnace (about
// 150 kWh/t, from a Chinese journal abstract on 电解铝毛坯化) changes the plant's
// demand between the runs with and without direct supply; the remelting
// saving is ΔR × 0.150 MWh × the grid factor.
func TestProductElectricRemelting(t *testing.T) {
	in := handCase()
	in.Steps[0] = calc.StepOverride{Step: "remelting", ElectricityKWhPerT: f64(150)}
	in.DirectSupply = calc.DirectSupplyInput{MoltenShare: f64(0.5)}
	r, _, err := engine(t).Product(in)
	if err != nil {
		t.Fatal(err)
	}
	w := (0.40 + 0.675) / 100
	flow := func(molten float64) float64 { // R = S + s·N
		s := 1 - molten*(1-w)
		n := (1 + 0.25*0.02) / (1 - s*0.02)
		return 0.25 + s*n
	}
	checkClose(t, "avoided remelting", r.DirectSupply.AvoidedRemelting, (flow(0)-flow(0.5))*0.150*efSX2023, tolExact)
	checkClose(t, "other", r.DirectSupply.AvoidedOther, 0, tolExact)
	// Demand: remelting R × 150 kWh + casting 1.25 × 20 kWh + extrusion 300 kWh.
	checkClose(t, "MWh per t", r.MWhPerT, (flow(0.5)*150+1.25*20+300)/1000, tolExact)
}

// TestProductInlinePrimaryPVIsItsOwn: the smelter's on-site PV (inline
// primary) and the processing plant's on-site PV sit at the same source
// index; each must be simulated with its own system.
func TestProductInlinePrimaryPVIsItsOwn(t *testing.T) {
	e := engine(t)
	site := func(kwp float64) *calc.PVInput {
		return &calc.PVInput{UTCOffsetH: 8, Site: "taiyuan", System: calc.PVSystem{CapacityKWp: kwp},
			Resource: calc.PVResource{Kind: calc.ResourceSite}}
	}
	plantPV := func(smelterKWp float64) float64 {
		pin := calc.PrimaryInput{Region: "CN-SX", Year: 2023, GWP: "AR5", Basis: calc.BasisOperational, ProductionT: f64(300000),
			Electricity: calc.ElectricityInput{Sources: []calc.Source{{Kind: calc.KindOnsitePV, PV: site(smelterKWp)}, {Kind: calc.KindGrid, Share: f64(1)}}}}
		in := calc.ProductInput{Product: "building_profile", Region: "CN-SX", Year: 2023, GWP: "AR5", Basis: calc.BasisOperational,
			ProductionT: f64(50000),
			Metal:       calc.MetalInput{Primary: &pin},
			Electricity: calc.ElectricityInput{Sources: []calc.Source{{Kind: calc.KindOnsitePV, PV: site(8000)}, {Kind: calc.KindGrid, Share: f64(1)}}}}
		r, _, err := e.Product(in)
		if err != nil {
			t.Fatal(err)
		}
		return r.Electricity.Sources[0].PV.AnnualACKWh
	}
	small, large := plantPV(1000), plantPV(200000)
	if small != large {
		t.Fatalf("the plant's 8 MWp PV yields %v kWh with a 1 MWp smelter PV and %v with a 200 MWp one; it must not depend on the smelter's", small, large)
	}
}
