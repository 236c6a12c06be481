package factors

import (
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Dataset is one version of the reference dataset. It is immutable after
// Load and safe for concurrent reads; accessors return copies.
type Dataset struct {
	version  string
	released string
	status   string // StatusReleased or StatusDraft
	digest   string // SHA-256 of the version's files, hex
	notes    []string
	rules    map[string]string // methodology choices of the version (Rule)

	factors []Factor // sorted by id, Source resolved
	byID    map[string]int
	elec    []Factor // grid/... rows sorted by region, year, kind
	// elecYears lists, ascending, the years of the grid rows of each kind
	// and region (ElectricityYears: a calculation asks several times).
	elecYears map[elecSeries][]int

	regions  []Region // national, grids, provinces; each by code
	byRegion map[string]int

	sources  []Source // sorted by id
	bySource map[string]int

	gaps  []Gap // sorted by id
	byGap map[string]int

	solarSites  []SolarSite // Shanxi first, then by id; see solarsites.go
	bySolarSite map[string]int

	// Downstream products, see products.go.
	products     []Product // sorted by id
	productSteps []ProductStep
	alloys       []Alloy // sorted by id
}

// Gap is a fact the engine would want that no source searched for the
// dataset gave (gaps.csv).
type Gap struct {
	ID   string `json:"id"`
	What string `json:"what"`
	Note string `json:"note"`
}

// Version returns the dataset version, a dotted number such as "2026.1".
func (d *Dataset) Version() string { return d.version }

// Released returns the release date as YYYY-MM-DD; "" for a draft that
// gives none.
func (d *Dataset) Released() string { return d.released }

// The statuses of a dataset version (dataset.json "status").
const (
	// StatusReleased is a published version: immutable, so that results
	// computed with it (declarations) verify forever. The default when
	// dataset.json gives no status.
	StatusReleased = "released"
	// StatusDraft is a version still being assembled: loadable and
	// pinnable for preview, never the default, never for declarations.
	StatusDraft = "draft"
)

// Digest returns the SHA-256 (hex) of the version's files. A released
// version's never changes; a draft's changes whenever its files do, so
// whatever is keyed on a draft (cached results) keys on its digest too.
func (d *Dataset) Digest() string { return d.digest }

// Status returns StatusReleased or StatusDraft.
func (d *Dataset) Status() string { return d.status }

// Draft reports whether the version is a draft: its values may still
// change, so it is never the catalog's default and results computed with
// it must not be published.
func (d *Dataset) Draft() bool { return d.status == StatusDraft }

// Methodology rules a dataset version may set in its dataset.json
// ("rules"), so that a new version changes a default rule while the
// versions before it keep theirs (and their results) unchanged.
const (
	// RuleResidualMixWithInstruments is the factor for grid MWh not covered
	// by certificates when certificates or green contracts are claimed and
	// the request names none: "grid_average" (the rule when unset),
	// "national_excluding_market_nonfossil" (the GHG Protocol Scope 2
	// Guidance's quality criteria: a residual mix, of which China publishes
	// only the national factor excluding market-traded non-fossil power) or
	// "regional_excluding_market_nonfossil_estimate" (the region's grid
	// average scaled by that national factor's ratio to the national
	// average, so that a coal province's residual is not below its grid).
	RuleResidualMixWithInstruments = "residual_mix_with_instruments"
	// RuleSmelterSupply is the supply of a smelter whose request lists no
	// electricity sources: "grid" (the plant region's grid; the rule when
	// unset) or "captive_share" (captive coal plants for the share
	// default/captive_share/CN of the demand, the region's grid for the
	// rest: the typical Chinese smelter).
	RuleSmelterSupply = "smelter_supply"
	// RuleSmelterAC is what a smelter's ac_kwh_per_t means: "liquid_ac"
	// (GB 21346-2022 铝液交流电耗, graded against its limits; the rule
	// when unset) or "comprehensive_ac" (the smelter's total electricity
	// per t of liquid aluminium incl. rectification and auxiliaries, the
	// IAI "AC power" and GB 21346-2022 铝液综合交流电耗: graded against the
	// comprehensive limits unless the potline's liquid AC is given).
	RuleSmelterAC = "smelter_ac"
	// RuleCBAM is the CBAM view's rule set: "estimate" (2026.1: anode
	// production outside direct emissions, any PFC method, indirect on the
	// supply's own operational factor; the rule when unset) or
	// "definitive_2026" (IR 2025/2547 and IR 2025/2621: an on-site anode
	// plant inside direct emissions, PFC by the Annex II B.7 methods only,
	// indirect on the Commission's country factor unless a direct technical
	// link is shown).
	RuleCBAM = "cbam"
	// RuleCNETS adds the China national ETS view of a smelter: "none" (the
	// rule when unset) or "cets_ag_04_01_v01_2024" (MEE accounting
	// guideline for aluminium smelting, CETS-AG-04.01-V01-2024).
	RuleCNETS = "cn_ets"
)

// ruleValues lists each rule's allowed values.
var ruleValues = map[string][]string{
	RuleResidualMixWithInstruments: {"grid_average", "national_excluding_market_nonfossil", "regional_excluding_market_nonfossil_estimate"},
	RuleSmelterSupply:              {"grid", "captive_share"},
	RuleSmelterAC:                  {"liquid_ac", "comprehensive_ac"},
	RuleCBAM:                       {"estimate", "definitive_2026"},
	RuleCNETS:                      {"none", "cets_ag_04_01_v01_2024"},
}

// Rule returns the version's value of a methodology rule, "" when the
// version does not set it (the rule's first value applies).
func (d *Dataset) Rule(name string) string { return d.rules[name] }

// Notes returns the release notes: what the version holds and its caveats.
func (d *Dataset) Notes() []string { return append([]string(nil), d.notes...) }

// Factor returns the factor with the given id, its Source field set to the
// citation of its source, and whether it exists. Units are in Factor.Unit.
func (d *Dataset) Factor(id string) (Factor, bool) {
	i, ok := d.byID[id]
	if !ok {
		return Factor{}, false
	}
	return d.factors[i], true
}

// Factors returns every factor sorted by id.
func (d *Dataset) Factors() []Factor { return append([]Factor(nil), d.factors...) }

// Electricity returns the grid row "grid/{kind}/{region}/{year}", for
// example kind "average_co2" (tCO2/MWh), "average_cfp" (tCO2e/MWh) or
// "renewable_fraction" (fraction), and whether it exists.
func (d *Dataset) Electricity(kind, region string, year int) (Factor, bool) {
	return d.Factor("grid/" + kind + "/" + region + "/" + strconv.Itoa(year))
}

// elecSeries names the grid rows of one kind and region.
type elecSeries struct{ kind, region string }

// ElectricityYears returns, ascending, the years for which the grid row of
// kind and region exists. It is empty (nil) when there is none; the slice
// is the caller's.
func (d *Dataset) ElectricityYears(kind, region string) []int {
	return slices.Clone(d.elecYears[elecSeries{kind, region}])
}

// ElectricityRows returns every grid/... row, sorted by region (in the
// order of Regions), then year, then kind.
func (d *Dataset) ElectricityRows() []Factor { return append([]Factor(nil), d.elec...) }

// Regions returns every region: the nation, then the regional grids, then
// the provinces, each group sorted by code.
func (d *Dataset) Regions() []Region { return append([]Region(nil), d.regions...) }

// Region returns the region with the given code ("CN-SX") and whether it
// exists.
func (d *Dataset) Region(code string) (Region, bool) {
	i, ok := d.byRegion[code]
	if !ok {
		return Region{}, false
	}
	return d.regions[i], true
}

// Sources returns every cited document, sorted by id.
func (d *Dataset) Sources() []Source { return append([]Source(nil), d.sources...) }

// Source returns the cited document with the given id and whether it exists.
func (d *Dataset) Source(id string) (Source, bool) {
	i, ok := d.bySource[id]
	if !ok {
		return Source{}, false
	}
	return d.sources[i], true
}

// Gaps returns every known gap, sorted by id.
func (d *Dataset) Gaps() []Gap { return append([]Gap(nil), d.gaps...) }

// Gap returns the gap with the given id and whether it exists.
func (d *Dataset) Gap(id string) (Gap, bool) {
	i, ok := d.byGap[id]
	if !ok {
		return Gap{}, false
	}
	return d.gaps[i], true
}

// levelRank orders regions: national, regional grids, provinces.
func levelRank(level string) int {
	switch level {
	case levelNational:
		return 0
	case levelGrid:
		return 1
	}
	return 2
}

// index sorts the loaded rows and builds the lookup maps.
func (d *Dataset) index() {
	sort.Slice(d.regions, func(i, j int) bool {
		a, b := d.regions[i], d.regions[j]
		if ra, rb := levelRank(a.Level), levelRank(b.Level); ra != rb {
			return ra < rb
		}
		return a.Code < b.Code
	})
	d.byRegion = make(map[string]int, len(d.regions))
	for i, r := range d.regions {
		d.byRegion[r.Code] = i
	}

	sort.Slice(d.sources, func(i, j int) bool { return d.sources[i].ID < d.sources[j].ID })
	d.bySource = make(map[string]int, len(d.sources))
	for i, s := range d.sources {
		d.bySource[s.ID] = i
	}

	sort.Slice(d.factors, func(i, j int) bool { return d.factors[i].ID < d.factors[j].ID })
	d.byID = make(map[string]int, len(d.factors))
	for i, f := range d.factors {
		d.byID[f.ID] = i
		if strings.HasPrefix(f.ID, gridPrefix) {
			d.elec = append(d.elec, f)
		}
	}
	sort.Slice(d.elec, func(i, j int) bool {
		a, b := d.elec[i], d.elec[j]
		if a.Region != b.Region {
			return d.byRegion[a.Region] < d.byRegion[b.Region]
		}
		if a.Year != b.Year {
			return a.Year < b.Year
		}
		return a.Kind < b.Kind
	})
	d.elecYears = map[elecSeries][]int{}
	for _, f := range d.elec {
		k := elecSeries{f.Kind, f.Region}
		d.elecYears[k] = append(d.elecYears[k], f.Year)
	}
	for _, years := range d.elecYears {
		slices.Sort(years)
	}

	sort.Slice(d.gaps, func(i, j int) bool { return d.gaps[i].ID < d.gaps[j].ID })
	d.byGap = make(map[string]int, len(d.gaps))
	for i, g := range d.gaps {
		d.byGap[g.ID] = i
	}
}
