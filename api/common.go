package api

import (
	"strings"

	"alcarbon/calc"
	"alcarbon/factors"
)

// Defaults applied to calculation requests that leave them out.
const (
	defaultRegion = "CN-SX" // the plan this service comes from is Shanxi's
	defaultGWP    = "AR5"   // as CBAM and the Chinese ETS use
	defaultBasis  = calc.BasisLifecycle
)

// commonRequest holds the fields every calculation request shares.
type commonRequest struct {
	// Dataset pins a dataset version (GET /v1/datasets); default the newest released one. A draft version may be pinned for preview: its results carry a warning and cannot be published as declarations.
	Dataset string `json:"dataset,omitempty" example:"2026.1"`
	// Region of the plant, ISO 3166-2 (CN-SX Shanxi, CN-NM Inner Mongolia, CN-YN Yunnan …) or CN; default CN-SX.
	Region string `json:"region,omitempty" example:"CN-SX"`
	// Year of the activity data, 2000–2100; factors of the latest earlier published year are used when that year has none (with a warning). Default: the newest year with grid factors.
	Year int `json:"year,omitempty" minimum:"2000" maximum:"2100" example:"2023"`
	// ElectricityBasis selects the electricity factors: lifecycle (default; product footprints, ISO 14067 / GB/T 24067) or co2_operational (MEE/NBS CO2 factors; enterprise reporting).
	ElectricityBasis string `json:"electricity_basis,omitempty" calc:"Basis" enums:"lifecycle,co2_operational" example:"lifecycle"`
}

// resolve picks the dataset and fills the defaults that depend on it, so
// that equal requests written differently hash equal.
func (r *commonRequest) resolve(cat *factors.Catalog) (*factors.Dataset, error) {
	ds, err := datasetVersion(cat, r.Dataset)
	if err != nil {
		return nil, err
	}
	r.Dataset = ds.Version()
	if r.Region == "" {
		r.Region = defaultRegion
	}
	r.Region = strings.ToUpper(r.Region)
	if _, ok := ds.Region(r.Region); !ok {
		return nil, invalid([]FieldProblem{{Pointer: "/region", Code: codeUnknownValue, Params: map[string]any{"kind": "region", "got": r.Region}, Detail: "unknown region " + quote(r.Region) + "; use an ISO 3166-2 code such as CN-SX, or CN; GET /v1/grid-factors lists them"}})
	}
	if r.Year == 0 {
		years := ds.ElectricityYears("average_co2", r.Region)
		if len(years) == 0 {
			years = ds.ElectricityYears("average_co2", "CN")
		}
		if len(years) > 0 {
			r.Year = years[len(years)-1]
		}
	}
	if r.ElectricityBasis == "" {
		r.ElectricityBasis = string(defaultBasis)
	}
	return ds, nil
}

// datasetVersion returns the dataset of a version, the newest for "".
func datasetVersion(cat *factors.Catalog, version string) (*factors.Dataset, error) {
	if version == "" {
		return cat.Default(), nil
	}
	ds, ok := cat.Get(version)
	if !ok {
		return nil, invalid([]FieldProblem{{Pointer: "/dataset", Code: codeUnknownValue, Params: map[string]any{"kind": "dataset", "got": version}, Detail: "unknown dataset version; available: " + availableVersions(cat)}})
	}
	return ds, nil
}

// cacheDataset is the dataset part of a cached result's key (and ETag):
// the version of a released dataset, which never changes; for a draft the
// version and the digest of its files, so an edited draft never answers
// from results computed with its earlier values.
func cacheDataset(ds *factors.Dataset) string {
	if !ds.Draft() {
		return ds.Version()
	}
	return ds.Version() + "+draft." + ds.Digest()[:16]
}

// scenarioCacheDataset is the dataset part of a scenario run's key: the
// default version, and every draft's cacheDataset (a scenario's requests
// may pin a draft).
func scenarioCacheDataset(cat *factors.Catalog) string {
	key := cat.Default().Version()
	for _, d := range cat.Versions() {
		if d.Draft() {
			key += "," + cacheDataset(d)
		}
	}
	return key
}

// releasedVersions lists the released dataset versions, newest first.
func releasedVersions(cat *factors.Catalog) []string {
	var out []string
	for _, d := range cat.Versions() {
		if !d.Draft() {
			out = append(out, d.Version())
		}
	}
	return out
}

// availableVersions lists the versions a request may pin: the released
// ones, newest first, then the drafts ("2026.1; drafts (preview only):
// 2026.2").
func availableVersions(cat *factors.Catalog) string {
	var drafts []string
	for _, d := range cat.Versions() {
		if d.Draft() {
			drafts = append(drafts, d.Version())
		}
	}
	out := strings.Join(releasedVersions(cat), ", ")
	if len(drafts) > 0 {
		out += "; drafts (preview only): " + strings.Join(drafts, ", ")
	}
	return out
}

func quote(s string) string { return `"` + s + `"` }

// totalResponse is a footprint on both electricity accounting methods.
type totalResponse struct {
	// LocationBased uses the physical supply's factors (grid averages) [t CO2e/t].
	LocationBased float64 `json:"location_based" example:"16.2"`
	// MarketBased counts green contracts and certificates [t CO2e/t].
	MarketBased float64 `json:"market_based" example:"15.4"`
}
