package pact

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"alcarbon/registry"
)

// The ProductFootprint data model (spec § "Data Model") and the mapping of
// a registry declaration to it.

// SpecVersion is the ProductFootprint specVersion written: the v2.3 data
// model, which a v2.2 reader also accepts (v2.3 only adds optional
// properties and deprecates productCategoryCpc and
// crossSectoralStandardsUsed, which are kept).
const SpecVersion = "2.3.0"

// validityYears is the validity period after the reference period: PACT
// v2.3's default when none is given, written out (validityPeriodStart is
// the reference period's end).
const validityYears = 3

// cpcClassificationURN prefixes a UN CPC code in productClassifications
// (PACT v2.3 § product classification URNs).
const cpcClassificationURN = "urn:pact:productclassification:un-cpc:"

// Cross-sectoral standards of every footprint: v2.3 names and the
// deprecated v2.2 ones (required until v3).
var (
	crossSectoralStandards     = []string{"ISO14067", "GHGP-Product"}
	crossSectoralStandardsUsed = []string{"ISO Standard 14067", "GHG Protocol Product standard"}
)

// VendorProductURN prefixes a product code that is not a URN (spec §
// "Custom Product Ids").
const VendorProductURN = "urn:pathfinder:product:customcode:vendor-assigned:"

// UN CPC Ver. 2.1 codes of declared products: subclass 41431, unwrought
// aluminium (primary ingot), and class 4153, aluminium semi-finished
// products (profiles, foil, rod), for downstream products. Both checked
// against transcriptions of CPC 2.1 (and CPC 3.0, which keeps them), not
// the UNSD text itself; CPC has finer subclasses (41532, bars, rods and
// profiles), see research/2026.2/power-and-refs.md.
const (
	CPCUnwroughtAluminium    = "41431"
	CPCAluminiumSemiFinished = "4153"
)

// Boundaries of the two declaration kinds.
const (
	boundaryPrimary = "cradle-to-gate: alumina refining (with bauxite and chemicals), anode production, " +
		"electrolysis direct emissions (anode CO2, CF4, C2F6), electrolysis electricity (the plant's supply portfolio) " +
		"and casting; no downstream transport, use or end of life"
	boundaryProduct = "cradle-to-gate at the processing plant: primary and recycled metal, alloying elements, " +
		"casting and in-house remelting, the processing route's steps (the plant's supply portfolio), and the " +
		"transport given; no use or end of life"
)

// defaultGWP is the GWP set of a stored result that does not name one:
// the one api's calculations default to.
const defaultGWP = "AR5"

// ProductFootprint is a PACT v2 ProductFootprint.
type ProductFootprint struct {
	ID             string   `json:"id" example:"7d1c1b8e-3f7a-4a53-9a1e-2f4b6c8d9e01"`
	SpecVersion    string   `json:"specVersion" example:"2.3.0"`
	PrecedingPfIDs []string `json:"precedingPfIds,omitempty"`
	// Version counts the changes of this footprint (id): 1 as published, 2
	// once it is deprecated by a successor (its only change).
	Version int    `json:"version" example:"1"`
	Created string `json:"created" example:"2025-03-01T09:32:20Z"`
	// Updated is when the footprint was deprecated; absent while it never changed.
	Updated       string `json:"updated,omitempty" example:"2025-06-01T08:00:00Z"`
	Status        string `json:"status" enums:"Active,Deprecated" example:"Active"`
	StatusComment string `json:"statusComment,omitempty"`
	// ValidityPeriodStart and ValidityPeriodEnd: from the reference period's
	// end for 3 years (PACT v2.3's default validity, written out).
	ValidityPeriodStart string   `json:"validityPeriodStart" example:"2025-01-01T00:00:00Z"`
	ValidityPeriodEnd   string   `json:"validityPeriodEnd" example:"2028-01-01T00:00:00Z"`
	CompanyName         string   `json:"companyName" example:"Shanxi Aluminium Smelter Co."`
	CompanyIDs          []string `json:"companyIds" example:"urn:uuid:0192f1d2-7c1e-7a55-8e0b-1f2a3b4c5d6e"`
	ProductDescription  string   `json:"productDescription"`
	ProductIDs          []string `json:"productIds" example:"urn:gtin:6901234567892"`
	// ProductClassifications supersede productCategoryCpc in v2.3 (both are written).
	ProductClassifications []string        `json:"productClassifications" example:"urn:pact:productclassification:un-cpc:41431"`
	ProductCategoryCpc     string          `json:"productCategoryCpc" example:"41431"`
	ProductNameCompany     string          `json:"productNameCompany" example:"P1020A primary aluminium ingot"`
	Comment                string          `json:"comment"`
	PCF                    CarbonFootprint `json:"pcf"`
}

// CarbonFootprint is a PACT v2 CarbonFootprint. Decimals are JSON strings;
// percentages and DQRs are JSON numbers, as the spec types them.
type CarbonFootprint struct {
	DeclaredUnit         string `json:"declaredUnit" example:"kilogram"`
	UnitaryProductAmount string `json:"unitaryProductAmount" example:"1000"`
	// ProductMassPerDeclaredUnit is 1 (kg per kilogram), as v2.3 asks for the kilogram unit.
	ProductMassPerDeclaredUnit         string                 `json:"productMassPerDeclaredUnit" example:"1"`
	PCfExcludingBiogenic               string                 `json:"pCfExcludingBiogenic" example:"14.760979"`
	PCfIncludingBiogenic               string                 `json:"pCfIncludingBiogenic" example:"14.760979"`
	FossilGhgEmissions                 string                 `json:"fossilGhgEmissions" example:"14.760979"`
	FossilCarbonContent                string                 `json:"fossilCarbonContent" example:"0"`
	BiogenicCarbonContent              string                 `json:"biogenicCarbonContent" example:"0"`
	DLucGhgEmissions                   string                 `json:"dLucGhgEmissions" example:"0"`
	LandManagementGhgEmissions         string                 `json:"landManagementGhgEmissions" example:"0"`
	OtherBiogenicGhgEmissions          string                 `json:"otherBiogenicGhgEmissions" example:"0"`
	BiogenicCarbonWithdrawal           string                 `json:"biogenicCarbonWithdrawal" example:"0"`
	CharacterizationFactors            string                 `json:"characterizationFactors" enums:"AR5,AR6" example:"AR5"`
	IpccCharacterizationFactorsSources []string               `json:"ipccCharacterizationFactorsSources" example:"AR5"`
	CrossSectoralStandardsUsed         []string               `json:"crossSectoralStandardsUsed" example:"ISO Standard 14067"`
	CrossSectoralStandards             []string               `json:"crossSectoralStandards" example:"ISO14067"`
	BoundaryProcessesDescription       string                 `json:"boundaryProcessesDescription"`
	ReferencePeriodStart               string                 `json:"referencePeriodStart" example:"2024-01-01T00:00:00Z"`
	ReferencePeriodEnd                 string                 `json:"referencePeriodEnd" example:"2025-01-01T00:00:00Z"`
	GeographyCountrySubdivision        string                 `json:"geographyCountrySubdivision,omitempty" example:"CN-SX"`
	GeographyCountry                   string                 `json:"geographyCountry,omitempty" example:"CN"`
	SecondaryEmissionFactorSources     []EmissionFactorSource `json:"secondaryEmissionFactorSources"`
	ExemptedEmissionsPercent           float64                `json:"exemptedEmissionsPercent" example:"0"`
	ExemptedEmissionsDescription       string                 `json:"exemptedEmissionsDescription"`
	PackagingEmissionsIncluded         bool                   `json:"packagingEmissionsIncluded" example:"false"`
	AllocationRulesDescription         string                 `json:"allocationRulesDescription,omitempty"`
	PrimaryDataShare                   float64                `json:"primaryDataShare" example:"87.5"`
	DQI                                DataQualityIndicators  `json:"dqi"`
}

// EmissionFactorSource names a source of secondary emission factors.
type EmissionFactorSource struct {
	Name    string `json:"name" example:"alcarbon embedded dataset"`
	Version string `json:"version" example:"2026.1"`
}

// DataQualityIndicators are the data quality indicators (spec §
// DataQualityIndicators).
type DataQualityIndicators struct {
	CoveragePercent  float64 `json:"coveragePercent" example:"100"`
	TechnologicalDQR float64 `json:"technologicalDQR" example:"1.2"`
	TemporalDQR      float64 `json:"temporalDQR" example:"1"`
	GeographicalDQR  float64 `json:"geographicalDQR" example:"1.2"`
	CompletenessDQR  float64 `json:"completenessDQR" example:"1"`
	ReliabilityDQR   float64 `json:"reliabilityDQR" example:"1.2"`
}

// storedResult is what the PACT mapping reads from a declaration's result.
type storedResult struct {
	DeclaredUnit     string `json:"declared_unit"`
	GWP              string `json:"gwp"`
	Year             int    `json:"year"`
	ElectricityBasis string `json:"electricity_basis"`
	Total            struct {
		LocationBased float64 `json:"location_based"`
		MarketBased   float64 `json:"market_based"`
	} `json:"total_tco2e_per_t"`
	Stages []storedStage `json:"stages"`
	// Steps are a product's route steps; Defaulted marks default energy.
	Steps []struct {
		Stage     string `json:"stage"`
		Defaulted bool   `json:"defaulted"`
	} `json:"steps"`
	Provenance struct {
		DefaultedInputs []string `json:"defaulted_inputs"`
	} `json:"provenance"`
}

// storedStage is a stage of a stored result.
type storedStage struct {
	Stage string `json:"stage"`
	// MarketBasedTCO2ePerT is the stage's market-based emissions [t CO2e/t].
	MarketBasedTCO2ePerT float64 `json:"market_based_tco2e_per_t"`
	// DefaultedInputs are the defaulted inputs the engine recorded as
	// feeding the stage; nil in results stored before it recorded them.
	DefaultedInputs []string `json:"defaulted_inputs"`
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

// decimal writes x as a PACT Decimal: a JSON string, 6 decimal places at
// most, no exponent.
func decimal(x float64) string {
	return strconv.FormatFloat(round(x, 6)+0, 'f', -1, 64)
}

// pactDateTime writes t as an ISO 8601 UTC DateTime.
func pactDateTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// productURN returns a product ID as a URN (spec § ProductId).
func productURN(id string) string {
	if strings.HasPrefix(strings.ToLower(id), "urn:") {
		return id
	}
	return VendorProductURN + url.PathEscape(id)
}

var subdivision = regexp.MustCompile(`^[A-Z]{2}-[A-Z0-9]{1,3}$`)

// NewFootprint maps a declaration to a ProductFootprint.
func NewFootprint(d registry.Declaration) (ProductFootprint, error) {
	var r storedResult
	if err := json.Unmarshal(d.Result, &r); err != nil {
		return ProductFootprint{}, fmt.Errorf("declaration %s: result: %w", d.ID, err)
	}
	status, statusComment, version, updated := "Active", "", 1, ""
	if d.Status == registry.StatusDeprecated {
		status, statusComment, version = "Deprecated", "superseded by a newer version of this declaration, which names this footprint in precedingPfIds", 2
		if !d.SupersededAt.IsZero() {
			updated = pactDateTime(d.SupersededAt)
		}
	}
	productIDs := make([]string, 0, max(len(d.ProductIDs), 1))
	for _, id := range d.ProductIDs {
		productIDs = append(productIDs, productURN(id))
	}
	if len(productIDs) == 0 {
		productIDs = append(productIDs, productURN(d.ProductName))
	}
	var preceding []string
	if d.Supersedes != "" {
		preceding = []string{d.Supersedes}
	}
	end, _ := time.Parse(time.DateOnly, d.PeriodEnd)
	periodEnd := end.AddDate(0, 0, 1) // the reference period's end, exclusive
	gwp := r.GWP
	if gwp == "" {
		gwp = defaultGWP
	}
	share := primaryDataShare(d.Kind, r)
	cpc, boundary := CPCUnwroughtAluminium, boundaryPrimary
	if d.Kind == registry.KindProduct {
		cpc, boundary = CPCAluminiumSemiFinished, boundaryProduct
	}
	pcf := decimal(d.TotalTCO2ePerT)
	fp := ProductFootprint{
		ID: d.ID, SpecVersion: SpecVersion, PrecedingPfIDs: preceding, Version: version,
		Created: pactDateTime(d.CreatedAt), Updated: updated, Status: status, StatusComment: statusComment,
		ValidityPeriodStart: pactDateTime(periodEnd), ValidityPeriodEnd: pactDateTime(periodEnd.AddDate(validityYears, 0, 0)),
		CompanyName: d.CompanyName, CompanyIDs: []string{"urn:uuid:" + d.OrgID},
		ProductDescription: fmt.Sprintf("%s: %s, %s, cradle-to-gate", d.ProductName, r.DeclaredUnit, d.Region),
		ProductIDs:         productIDs, ProductClassifications: []string{cpcClassificationURN + cpc}, ProductCategoryCpc: cpc,
		ProductNameCompany: d.ProductName,
		Comment: fmt.Sprintf("alcarbon declaration version %d, computed by engine %s with dataset %s; content hash sha256:%s; "+
			"recompute with GET /v1/declarations/%s/verify. Electricity basis %s, market-based (green contracts and certificates counted).",
			d.Version, d.EngineVersion, d.DatasetVersion, d.ContentHash, d.ID, r.ElectricityBasis),
		PCF: CarbonFootprint{
			DeclaredUnit: "kilogram", UnitaryProductAmount: "1000", ProductMassPerDeclaredUnit: "1",
			PCfExcludingBiogenic: pcf, PCfIncludingBiogenic: pcf, FossilGhgEmissions: pcf,
			FossilCarbonContent: "0", BiogenicCarbonContent: "0", DLucGhgEmissions: "0",
			LandManagementGhgEmissions: "0", OtherBiogenicGhgEmissions: "0", BiogenicCarbonWithdrawal: "0",
			CharacterizationFactors: gwp, IpccCharacterizationFactorsSources: []string{gwp},
			CrossSectoralStandardsUsed:     crossSectoralStandardsUsed,
			CrossSectoralStandards:         crossSectoralStandards,
			BoundaryProcessesDescription:   r.DeclaredUnit + ", " + boundary,
			ReferencePeriodStart:           d.PeriodStart + "T00:00:00Z",
			ReferencePeriodEnd:             pactDateTime(periodEnd),
			SecondaryEmissionFactorSources: []EmissionFactorSource{{Name: "alcarbon embedded dataset", Version: d.DatasetVersion}},
			ExemptedEmissionsPercent:       0,
			ExemptedEmissionsDescription:   "",
			PackagingEmissionsIncluded:     false,
			PrimaryDataShare:               share,
			DQI:                            dataQuality(share, r.Year, d.PeriodStart, d.PeriodEnd),
		},
	}
	switch {
	case subdivision.MatchString(d.Region):
		fp.PCF.GeographyCountrySubdivision = d.Region
	case len(d.Region) >= 2:
		fp.PCF.GeographyCountry = d.Region[:2]
	}
	return fp, nil
}

// ListResponse is the body of ListFootprints.
type ListResponse struct {
	Data []ProductFootprint `json:"data"`
}

// GetResponse is the body of GetFootprint.
type GetResponse struct {
	Data ProductFootprint `json:"data"`
}
