package calc

import (
	"strings"

	"alcarbon/factors"
)

// CBAM is the EU CBAM view of 1 t of unwrought aluminium (CN 7601;
// Regulation 2023/956, IR 2025/2547), always on CBAM's own rules: AR5 GWPs
// and operational CO2 electricity factors.
type CBAM struct {
	CNCode string
	// Rules is the dataset's CBAM rule set (factors.RuleCBAM): "estimate"
	// or "definitive_2026".
	Rules string
	// SEEDirect is the specific direct embedded emissions [t CO2e/t]:
	// AnodeCO2 + PFC + CastingFuel + AnodeProduction.
	SEEDirect                                   float64
	AnodeCO2, PFC, CastingFuel, AnodeProduction float64
	// AnodesOnSite says whether the anode plant is inside the installation
	// (definitive rules; nil before).
	AnodesOnSite *bool
	// PFCVerifiable says whether the PFC figure follows a method of IR
	// 2025/2547 Annex II B.7 (definitive rules; nil before); PFCMethod names
	// the method the CBAM PFC used.
	PFCVerifiable *bool
	PFCMethod     string
	SEEIndirect   float64
	// ElectricityEF is the factor of SEEIndirect; IndirectRule says which.
	ElectricityMWhPerT float64
	ElectricityEF      float64
	IndirectRule       string
	// PortfolioSEEIndirect and PortfolioEF are the indirect emissions on
	// the supply's own operational factors, beside the Commission-rule
	// figure (definitive rules; nil before).
	PortfolioSEEIndirect  *float64
	PortfolioEF           *float64
	ObligationTCO2ePerT   float64 // aluminium is in Annex II: direct only
	DefaultValueTCO2ePerT *float64
	DefaultValueNote      string
	// Notes explain the boundary choices of this result.
	Notes []string
}

// cbamTerms are the primary footprint's terms the CBAM view is built from.
type cbamTerms struct {
	anodeCO2, anodeProd, castFuel float64 // t CO2/t Al
	cf4Kg, c2f6Kg                 float64 // kg/t Al, the request's method
	mwhPerT                       float64
}

// primaryCBAM computes the CBAM specific embedded emissions of unwrought
// aluminium (CN 7601): direct = anode CO2 + PFC with the CBAM (AR5) GWPs +
// casting fuel (+ the anode plant's CO2 on the definitive rules, when the
// anodes are made on site); indirect = electricity × the operational CO2
// factor of the supply (estimate rules) or the Commission's country factor
// (definitive rules). Aluminium is in Annex II of Regulation 2023/956, so
// only direct emissions count (Art. 7(1)).
//
// elec is the portfolio already computed on the request's basis; it is
// reused when that basis is operational.
func primaryCBAM(l *ledger, in PrimaryInput, el ElectricityInput, elec ElectricityResult, t cbamTerms) (CBAM, error) {
	c := CBAM{CNCode: "7601", Rules: orDefaultString(l.ds.Rule(factors.RuleCBAM), "estimate"), AnodeCO2: t.anodeCO2, CastingFuel: t.castFuel}
	definitive := c.Rules == "definitive_2026"
	cf4Kg, c2f6Kg := t.cf4Kg, t.c2f6Kg
	if definitive {
		var err error
		if cf4Kg, c2f6Kg, err = cbamPFC(l, in.Electrolysis, cf4Kg, c2f6Kg, &c); err != nil {
			return c, err
		}
		cbamAnodeBoundary(l, in, t.anodeProd, &c)
	}
	cf4GWP, err := l.factor("cbam/gwp/CF4")
	if err != nil {
		return c, err
	}
	c2f6GWP, err := l.factor("cbam/gwp/C2F6")
	if err != nil {
		return c, err
	}
	c.PFC = GasCO2e(cf4Kg, cf4GWP) + GasCO2e(c2f6Kg, c2f6GWP)
	c.SEEDirect = c.AnodeCO2 + c.PFC + c.CastingFuel + c.AnodeProduction
	op, err := operationalPortfolio(l, el, elec)
	if err != nil {
		return c, err
	}
	c.ElectricityMWhPerT = t.mwhPerT
	c.ElectricityEF = op.EFLocation
	c.IndirectRule = indirectRuleOwn
	if definitive {
		if err := cbamCommissionIndirect(l, in.Region, op, len(in.Electricity.Sources) == 0, &c); err != nil {
			return c, err
		}
	}
	c.SEEIndirect = t.mwhPerT * c.ElectricityEF
	c.ObligationTCO2ePerT = c.SEEDirect
	if strings.HasPrefix(in.Region, "CN") {
		v, err := l.factor("cbam/default/CN/7601")
		if err != nil {
			return c, err
		}
		c.DefaultValueTCO2ePerT = &v
		c.DefaultValueNote = "Commission default for unwrought aluminium from China (direct); mark-ups of 10 % (2026), 20 % (2027) and 30 % (2028 on) apply when defaults are used"
	}
	return c, nil
}

// operationalPortfolio returns the supply on the co2_operational basis
// CBAM uses whatever the request's basis: elec itself when the request is
// operational, else a side run whose warnings stay out of the result (its
// factors are listed).
func operationalPortfolio(l *ledger, el ElectricityInput, elec ElectricityResult) (ElectricityResult, error) {
	if el.Basis == BasisOperational {
		return elec, nil
	}
	el.Basis = BasisOperational
	sub := l.sub()
	op, err := portfolio(sub, el)
	if err != nil {
		return op, err
	}
	l.adoptFactors(sub)
	return op, nil
}

// cbamAnodeBoundary applies the definitive installation boundary to the
// anode plant. IR 2025/2547 Annex I §3.17.2.1 counts "all processes
// directly or indirectly linked" to the production processes, aligned with
// the EU ETS (recital 4), whose MRR 2018/2066 Annex IV includes electrode
// production for primary aluminium: anodes baked on site add the anode
// plant's CO2 (baking fuel, pitch volatiles, packing coke: the
// anode_production stage) to direct emissions. Purchased anodes are not a
// CBAM good (Reg. 2023/956 Annex I) and so not a precursor: only their
// consumption in the cells counts.
func cbamAnodeBoundary(l *ledger, in PrimaryInput, anodeProd float64, c *CBAM) {
	onSite := strings.HasPrefix(in.Region, "CN")
	if in.Anode.ProducedOnSite != nil {
		onSite = *in.Anode.ProducedOnSite
	} else {
		l.defaultedIn("Anode.ProducedOnSite", viewsOnly)
		if onSite {
			l.warn("anodes_on_site_assumed", nil, "anode production not stated: the anodes are taken as baked on site, as at most Chinese smelters, so CBAM direct emissions include the anode plant's CO2 — give {Anode.ProducedOnSite} false if the anodes are bought")
		} else {
			l.assume("anode production not stated: the anodes are taken as bought (outside China), so CBAM direct emissions exclude the anode plant")
		}
	}
	c.AnodesOnSite = &onSite
	if !onSite {
		c.Notes = append(c.Notes, "anodes bought: the anode plant is another installation; anodes are not a CBAM good (Regulation 2023/956 Annex I), so they are no precursor, and only the CO2 of their consumption in the cells is counted")
		return
	}
	c.AnodeProduction = anodeProd
	c.Notes = append(c.Notes, "anodes baked on site: the anode plant's CO2 (baking fuel, pitch volatiles, packing coke) is in direct emissions, as IR 2025/2547 Annex I §3.17.2.1 counts processes directly or indirectly linked to production, aligned with the EU ETS, whose MRR 2018/2066 Annex IV includes electrode production for primary aluminium")
	if in.Anode.ProductionTCO2ePerT != nil {
		l.assume("CBAM: the anode production footprint given is taken as the anode plant's direct emissions; if it includes the upstream footprint of coke and pitch, CBAM direct emissions are overstated")
	}
}

// cbamPFC returns the CF4 and C2F6 [kg/t Al] CBAM accepts, given the
// request's (cf4Kg, c2f6Kg). IR 2025/2547 Annex II B.7 allows the slope
// method (A) with the Table 2 coefficients or installation-specific ones,
// and the overvoltage method (B); installation measurement determines
// those coefficients. It gives no default anode-effect duration. A slope
// request on other coefficients is recomputed with Table 2 (which needs
// the cell technology); a default or Tier 1 figure cannot be verified and
// is kept as an estimate, marked and warned, with the Commission default
// as the declarant's fallback.
func cbamPFC(l *ledger, e ElectrolysisInput, cf4Kg, c2f6Kg float64, c *CBAM) (cf4, c2f6 float64, err error) {
	p := e.PFC
	verifiable := true
	c.PFCVerifiable = &verifiable
	c.PFCMethod = orDefaultString(p.Method, "default")
	own := (p.SlopeCF4 != nil && p.FractionC2F6 != nil) || p.Coefficients == "" || p.Coefficients == "cbam2025"
	switch {
	case p.Method == "overvoltage" || (p.Method == "slope" && own):
		return cf4Kg, c2f6Kg, nil
	case p.Method == "measured":
		c.Notes = append(c.Notes, "PFC measured: accepted when it comes from the installation's measurement under IR 2025/2547 Annex II B.7 (installation-specific slope or overvoltage coefficients, at most ±15 % uncertainty, re-determined at least every 3 years), which the verifier checks in the monitoring plan")
		return cf4Kg, c2f6Kg, nil
	case p.Method == "slope" && e.Technology != "":
		sef, frac, err := slopeCoefficients(l, e.Technology, PFCInput{Coefficients: "cbam2025"})
		if err != nil {
			return 0, 0, err
		}
		cf4 = SlopeCF4(*p.AnodeEffectMinutesPerCellDay, sef)
		c.PFCMethod = "slope (IR 2025/2547 Annex II Table 2 coefficients)"
		c.Notes = append(c.Notes, "PFC recomputed with the slope coefficients of IR 2025/2547 Annex II Table 2 for "+e.Technology+" (the request used "+p.Coefficients+")")
		return cf4, cf4 * frac, nil
	}
	verifiable = false
	fallback := "; without verifiable PFC data the declarant uses the Commission default value (cbam.default_value_tco2e_per_t, with the year's mark-up)"
	if p.Method == "slope" {
		l.warn("cbam_slope_coefficients", Params{"coefficients": p.Coefficients}, "CBAM: the slope method needs the Table 2 coefficients of IR 2025/2547 Annex II B.7, chosen by the cell technology; the request's %s coefficients cannot be replaced without {Electrolysis.Technology}, so the CBAM direct figure keeps them as an estimate a verifier cannot accept", p.Coefficients)
		c.Notes = append(c.Notes, "PFC not verifiable: slope coefficients "+p.Coefficients+" instead of IR 2025/2547 Annex II Table 2, and no cell technology to choose those"+fallback)
		return cf4Kg, c2f6Kg, nil
	}
	l.warn("cbam_pfc_method_not_verifiable", Params{"method": c.PFCMethod}, "CBAM: PFC by the %q method is not a method of IR 2025/2547 Annex II B.7 (slope or overvoltage with the installation's anode-effect records and Table 2 or 3 coefficients, or the installation's own coefficients from measurement), which gives no default anode-effect duration; the CBAM direct figure keeps it as an estimate a verifier cannot accept — give {Electrolysis.PFC.Method} slope with {Electrolysis.PFC.AnodeEffectMinutesPerCellDay} and {Electrolysis.Technology}", c.PFCMethod)
	c.Notes = append(c.Notes, "PFC not verifiable: the "+c.PFCMethod+" method is not one of IR 2025/2547 Annex II B.7; the figure is an estimate"+fallback)
	return cf4Kg, c2f6Kg, nil
}

// Texts of the CBAM indirect rules.
const (
	indirectRuleOwn        = "the supply's own operational CO2 factors (location-based)"
	indirectRuleCommission = "the Commission's default factor for China (IR 2025/2621 Annex II) for grid electricity and green contracts; captive plants, on-site PV and direct lines (a direct technical link) at their own operational factor"
	indirectRuleAssumed    = "the Commission's default factor for China (IR 2025/2621 Annex II) for all electricity: the supply is the dataset's assumed typical smelter, whose captive plants carry no evidence of a direct technical link"
	indirectNote           = "indirect emissions on the Commission's rule (Regulation 2023/956 Art. 7(4)); a power purchase agreement may use its own factor only with the evidence of Annex IV point 6 (contract, metering within the hour, a physical grid connection), not assumed here; certificates are not accepted; aluminium pays on direct emissions only"
)

// cbamCommissionIndirect sets the CBAM indirect factor on the Commission's
// rule (commissionEF), keeping the portfolio's own operational factor
// beside it.
func cbamCommissionIndirect(l *ledger, region string, op ElectricityResult, assumedSupply bool, c *CBAM) error {
	own := c.ElectricityEF
	seeOwn := c.ElectricityMWhPerT * own
	c.PortfolioEF, c.PortfolioSEEIndirect = &own, &seeOwn
	ef, ok, err := commissionEF(l, region, op, assumedSupply)
	if err != nil || !ok {
		c.IndirectRule = "the supply's own operational CO2 factors: the dataset has no Commission default factor for this country"
		return err
	}
	c.ElectricityEF, c.IndirectRule = ef, indirectRuleCommission
	if assumedSupply {
		c.IndirectRule = indirectRuleAssumed
	}
	c.Notes = append(c.Notes, indirectNote)
	return nil
}

// commissionEF returns the factor of CBAM indirect emissions on the
// Commission's rule (Reg. 2023/956 Art. 7(4) and Annex IV point 6) for
// the operational supply op: grid electricity and green contracts take the
// Commission's default factor of the country (IR 2025/2621 Annex II);
// captive plants, on-site PV and direct lines, a direct technical link,
// keep their own factor:
//
//	EF = Σ MWh_i × (EF_commission for grid and contracts, else EF_i) / Σ MWh_i
//
// With assumedSupply (the engine's default portfolio, without evidence of
// a direct link) every source takes the Commission's factor. ok is false
// outside China (no Commission factor in the dataset).
func commissionEF(l *ledger, region string, op ElectricityResult, assumedSupply bool) (ef float64, ok bool, err error) {
	if !strings.HasPrefix(region, "CN") {
		return 0, false, nil
	}
	commission, err := l.factor("cbam/electricity_ef/CN")
	if err != nil {
		return 0, false, err
	}
	var mwh, t float64
	for _, s := range op.Sources {
		f := s.EFLocation
		if assumedSupply || s.Kind == KindGrid || s.Kind == KindGreenContract {
			f = commission
		}
		mwh += s.MWh
		t += s.MWh * f
	}
	if mwh == 0 {
		return commission, true, nil
	}
	return t / mwh, true, nil
}
