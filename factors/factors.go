// Package factors holds alcarbon's embedded, versioned reference dataset:
// every emission factor, coefficient, grade limit and default the engine
// uses, each with its unit, source and confidence, and the lookups over it.
//
// The data are files under data/<version>/, each value transcribed from the
// public source its row names (sources.csv). Code never types a factor in;
// it asks the dataset by id. Past versions stay loadable so a published
// result can always be recomputed.
package factors

// Confidence grades how well a value is sourced:
// H official text or faithful transcription, M good secondary source,
// L weak or indirect source.
type Confidence string

// The confidence grades.
const (
	ConfidenceHigh   Confidence = "H"
	ConfidenceMedium Confidence = "M"
	ConfidenceLow    Confidence = "L"
)

// Source is one cited document.
type Source struct {
	ID        string `json:"id"`
	Publisher string `json:"publisher"`
	Document  string `json:"document"`
	Year      string `json:"year"`
	URL       string `json:"url,omitempty"`
}

// Citation renders the source as one line: "publisher, document (year)".
func (s Source) Citation() string {
	c := s.Publisher + ", " + s.Document
	if s.Year != "" {
		c += " (" + s.Year + ")"
	}
	return c
}

// Factor is one value of the dataset with its provenance.
//
// ID is unique within a dataset version and follows the naming scheme in
// data/README.md (for example "grid/average_co2/CN-SX/2023",
// "gwp/AR5/CF4", "pfc/slope/cbam2025/PFPB_M/sef_cf4").
type Factor struct {
	ID         string     `json:"id"`
	Value      float64    `json:"value"`
	Unit       string     `json:"unit"`
	Kind       string     `json:"kind"`             // e.g. "average_co2", "gwp", "pfc_slope"
	Region     string     `json:"region,omitempty"` // ISO 3166-2 code or grid code, electricity rows only
	Year       int        `json:"year,omitempty"`   // vintage year, 0 when the value has none
	Basis      string     `json:"basis,omitempty"`  // "co2_operational" or "lifecycle", electricity rows only
	SourceID   string     `json:"source_id"`
	Source     string     `json:"source"` // resolved citation of SourceID
	Confidence Confidence `json:"confidence"`
	Note       string     `json:"note,omitempty"` // derivation, caveat or "estimate"
}

// Region is an electricity region: the nation, a regional grid or a province.
type Region struct {
	Code   string `json:"code"`           // "CN", "CN-GRID-NORTH", "CN-SX"
	NameEN string `json:"name_en"`        // "Shanxi"
	NameZH string `json:"name_zh"`        // "山西"
	Level  string `json:"level"`          // "national", "regional_grid", "province"
	Grid   string `json:"grid,omitempty"` // the regional grid a province belongs to
}
