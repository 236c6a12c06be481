package calc

import (
	"alcarbon/factors"
)

// ETSGuideline names the MEE accounting guideline the China ETS view
// follows (factors.RuleCNETS "cets_ag_04_01_v01_2024").
const ETSGuideline = "企业温室气体排放核算与报告指南 铝冶炼行业 (CETS-AG-04.01-V01-2024)"

// ETS is the China national ETS view of a smelter: the emissions the MEE
// accounting guideline for aluminium smelting counts (CETS-AG-04.01-V01-
// 2024: CO2, CF4 and C2F6; direct emissions only), per t of liquid
// aluminium, and the allocation rules of the 2024–2025 allocation plan.
type ETS struct {
	Guideline string
	// AnodeCO2 is 能源作为原材料用途 (carbon anode consumption):
	// NAC × (1 − S − ash) × 44/12 [t CO2/t].
	AnodeCO2 float64
	// PFC is 阳极效应 (anode effect) CF4 and C2F6 with AR5 GWPs [t CO2e/t]
	// by the guideline's methods; PFCMethod says which.
	PFC                   float64
	CF4KgPerT, C2F6KgPerT float64
	PFCMethod             string
	// ProcessTCO2ePerT is the aluminium-electrolysis process (铝电解工序),
	// the unit allowances are allocated to: AnodeCO2 + PFC (fuel burnt in
	// the process is not an input of this model).
	ProcessTCO2ePerT float64
	// CastingFuel is the casthouse's fuel CO2, counted at enterprise level
	// (企业层级); EnterpriseTCO2ePerT = process + casting fuel.
	CastingFuel         float64
	EnterpriseTCO2ePerT float64
	// PurchasedElectricityMWhPerT is the electricity bought from outside
	// (grid, direct lines, green contracts): an auxiliary reporting item
	// (辅助报告), excluded from the emissions the ETS covers.
	PurchasedElectricityMWhPerT float64
	Annual                      *ETSAnnual
	Allocation                  []ETSAllocation
	Notes                       []string
}

// ETSAnnual is the ETS view over a year, when the production is given.
type ETSAnnual struct {
	ProcessTCO2e, EnterpriseTCO2e float64
	// KeyEmitter: annual direct emissions at or above ThresholdTCO2e make
	// the enterprise a key emitting unit (重点排放单位).
	ThresholdTCO2e float64
	KeyEmitter     bool
}

// ETSAllocation is one compliance year's allocation rule: the allowances
// and the surplus (+) or shortfall (−) where the plan fixes them, nil where
// the published plan gives no value.
type ETSAllocation struct {
	Year               int
	Method             string
	BenchmarkTCO2ePerT *float64
	AllowancesTCO2e    *float64
	BalanceTCO2e       *float64
	Note               string
}

// primaryETS computes the China ETS view of a smelter, nil when the
// dataset has no ETS rule (factors.RuleCNETS). t are the footprint's terms
// (anode CO2 and casting fuel as in the footprint); elec the supply, whose
// non-captive, off-site MWh are the purchased electricity.
func primaryETS(l *ledger, in PrimaryInput, elec ElectricityResult, t cbamTerms) (*ETS, error) {
	if l.ds.Rule(factors.RuleCNETS) != "cets_ag_04_01_v01_2024" {
		return nil, nil
	}
	e := &ETS{Guideline: ETSGuideline, AnodeCO2: t.anodeCO2, CastingFuel: t.castFuel}
	var err error
	if e.CF4KgPerT, e.C2F6KgPerT, e.PFCMethod, err = etsPFC(l, in.Electrolysis.PFC); err != nil {
		return nil, err
	}
	gwp, err := gwpSet(l, "AR5")
	if err != nil {
		return nil, err
	}
	e.PFC = GasCO2e(e.CF4KgPerT, gwp.cf4) + GasCO2e(e.C2F6KgPerT, gwp.c2f6)
	e.ProcessTCO2ePerT = e.AnodeCO2 + e.PFC
	e.EnterpriseTCO2ePerT = e.ProcessTCO2ePerT + e.CastingFuel
	e.PurchasedElectricityMWhPerT = t.mwhPerT * purchasedShare(elec)
	e.Notes = []string{
		"covered: CO2 from carbon-anode consumption and CF4 and C2F6 from anode effects (AR5 GWPs) in the aluminium-electrolysis process, and fuel combustion; purchased electricity and heat are an auxiliary reporting item, not covered",
		"per t of liquid aluminium (the guideline's activity data is 铝液产量); at enterprise level, power plants and other non-aluminium facilities are accounted under their own sector guidelines and are not modelled here; carbonate decomposition (enterprise level) is not modelled either",
		"not read in the guideline: whether an on-site anode plant and the casthouse are inside the aluminium-electrolysis process; the anode plant is left out and the casthouse fuel is counted at enterprise level",
	}
	if err := etsAnnualAndAllocation(l, in.ProductionT, e); err != nil {
		return nil, err
	}
	return e, nil
}

// etsPFC returns CF4 and C2F6 [kg/t Al] by the guideline's methods as read
// in a public implementation of its Appendix A: the anode-effect duration
// method EF_CF4 = 0.143 × AEM, EF_C2F6 = 0.1 × EF_CF4 when the request gives
// anode-effect minutes, else the default factors (CF4 0.034, C2F6 0.0034).
func etsPFC(l *ledger, p PFCInput) (cf4, c2f6 float64, method string, err error) {
	if p.Method == "slope" && p.AnodeEffectMinutesPerCellDay != nil {
		sef, err := l.factor("pfc/cn_slope/sef_cf4")
		if err != nil {
			return 0, 0, "", err
		}
		frac, err := l.factor("pfc/cn_slope/f_c2f6")
		if err != nil {
			return 0, 0, "", err
		}
		cf4 = SlopeCF4(*p.AnodeEffectMinutesPerCellDay, sef)
		return cf4, cf4 * frac, "anode-effect duration (EF_CF4 = 0.143 × AEM, EF_C2F6 = 0.1 × EF_CF4)", nil
	}
	if cf4, err = l.factor("pfc/cn_default/cf4"); err != nil {
		return
	}
	if c2f6, err = l.factor("pfc/cn_default/c2f6"); err != nil {
		return
	}
	method = "default factors (Appendix A)"
	if p.Method != "" && p.Method != "default" {
		method += "; the request's " + p.Method + " method is not one of the guideline's methods as read"
	}
	return cf4, c2f6, method, nil
}

// purchasedShare is the share of demand bought from outside the
// enterprise: every source but captive plants and on-site PV.
func purchasedShare(elec ElectricityResult) float64 {
	var all, bought float64
	for _, s := range elec.Sources {
		all += s.MWh
		if s.Kind != KindCaptive && s.Kind != KindOnsitePV {
			bought += s.MWh
		}
	}
	if all == 0 {
		return 0
	}
	return bought / all
}

// etsAnnualAndAllocation adds the year's emissions (with the production)
// and the allocation rules of the 2024–2025 allocation plan: 2024
// allowances equal the verified emissions (no surplus or shortfall); 2025
// is intensity-based on an aluminium-electrolysis value that was not found.
func etsAnnualAndAllocation(l *ledger, productionT *float64, e *ETS) error {
	y2024 := ETSAllocation{Year: 2024, Method: "allowances equal the unit's verified 2024 emissions (2024–2025 allocation plan)"}
	y2025 := ETSAllocation{Year: 2025, Method: "intensity-based on the aluminium-electrolysis process, linked to actual output (2024–2025 allocation plan)",
		Note: "the 2025 intensity value (benchmark) for aluminium electrolysis was not found in a published source, so the surplus or shortfall is not computed"}
	balance, err := l.factor("cn_ets/allocation_balance/2024")
	if err != nil {
		return err
	}
	y2024.BalanceTCO2e = &balance
	if productionT != nil {
		threshold, err := l.factor("cn_ets/inclusion_threshold")
		if err != nil {
			return err
		}
		a := &ETSAnnual{ProcessTCO2e: e.ProcessTCO2ePerT * *productionT, EnterpriseTCO2e: e.EnterpriseTCO2ePerT * *productionT, ThresholdTCO2e: threshold}
		a.KeyEmitter = a.EnterpriseTCO2e >= threshold
		e.Annual = a
		allowances := a.ProcessTCO2e
		y2024.AllowancesTCO2e = &allowances
	}
	e.Allocation = []ETSAllocation{y2024, y2025}
	return nil
}
