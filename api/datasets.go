package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"alcarbon/factors"
)

// datasetResponse describes one dataset version.
type datasetResponse struct {
	Version string `json:"version" example:"2026.1"`
	// Status is released (immutable; results computed with it verify forever) or draft (being assembled: pinnable for preview, its results carry a warning, never the default, never for declarations).
	Status string `json:"status" enums:"released,draft" example:"released"`
	// Released is the release date, YYYY-MM-DD; empty for a draft.
	Released string `json:"released" example:"2026-11-29"`
	// Default says whether requests without "dataset" use this version: the newest released one.
	Default bool     `json:"default" example:"true"`
	Notes   []string `json:"notes"`
	// FactorCount is the number of values in the version.
	FactorCount int `json:"factor_count" example:"420"`
	// Gaps are facts the dataset lacks; results that would need them say so.
	Gaps []factors.Gap `json:"gaps"`
}

// datasetsResponse lists the dataset versions, newest first.
type datasetsResponse struct {
	// Default is the newest released version; drafts are never the default.
	Default  string            `json:"default" example:"2026.1"`
	Datasets []datasetResponse `json:"datasets"`
}

// handleDatasets lists dataset versions.
//
//	@Summary		Dataset versions
//	@Description	The embedded reference dataset versions (newest first, drafts included), each one's status (released or draft), the default (the newest released version), release notes and the facts each lacks. Calculation requests may pin a version with "dataset"; a draft's results carry a provenance warning and cannot be published as declarations.
//	@Tags			reference data
//	@Produce		json
//	@Success		200	{object}	datasetsResponse
//	@Router			/v1/datasets [get]
func (s *server) handleDatasets(c echo.Context) error {
	out := datasetsResponse{Default: s.catalog.Default().Version()}
	for _, d := range s.catalog.Versions() {
		out.Datasets = append(out.Datasets, datasetResponse{
			Version: d.Version(), Status: d.Status(), Released: d.Released(), Default: d == s.catalog.Default(),
			Notes: nonNil(d.Notes()), FactorCount: len(d.Factors()), Gaps: d.Gaps(),
		})
	}
	return c.JSON(http.StatusOK, out)
}

// gridFactorRow is one electricity factor.
type gridFactorRow struct {
	Region     string  `json:"region" example:"CN-SX"`
	RegionName string  `json:"region_name" example:"Shanxi"`
	Year       int     `json:"year" example:"2023"`
	Kind       string  `json:"kind" example:"average_co2"`
	Basis      string  `json:"basis,omitempty" example:"co2_operational"`
	Value      float64 `json:"value" example:"0.6634"`
	Unit       string  `json:"unit" example:"tCO2/MWh"`
	ID         string  `json:"id" example:"grid/average_co2/CN-SX/2023"`
	Source     string  `json:"source"`
	Confidence string  `json:"confidence" example:"H"`
	Note       string  `json:"note,omitempty"`
}

// gridFactorsResponse lists electricity factors.
type gridFactorsResponse struct {
	Dataset string          `json:"dataset" example:"2026.1"`
	Count   int             `json:"count" example:"120"`
	Factors []gridFactorRow `json:"factors"`
}

// handleGridFactors lists electricity factors with filters.
//
//	@Summary		Electricity emission factors
//	@Description	MEE/NBS average CO2 factors (national, 7 regional grids, 30 provinces; 2021–2023), the national factors excluding market-traded non-fossil electricity and fossil-only, the ETS reporting factor, the national life-cycle (carbon-footprint) factors and grid renewable fractions, each with value, unit, year, kind and source.
//	@Tags			reference data
//	@Produce		json
//	@Param			region	query		string	false	"ISO 3166-2 region, grid code or CN"	extensions(x-example=CN-SX)
//	@Param			year	query		int		false	"vintage year"							extensions(x-example=2023)
//	@Param			basis	query		string	false	"co2_operational or lifecycle"			Enums(co2_operational, lifecycle)
//	@Param			kind	query		string	false	"factor kind, e.g. average_co2"
//	@Param			dataset	query		string	false	"dataset version; default the newest"
//	@Success		200		{object}	gridFactorsResponse
//	@Failure		422		{object}	Problem	"invalid filter"
//	@Router			/v1/grid-factors [get]
func (s *server) handleGridFactors(c echo.Context) error {
	return s.gridFactors(c, c.QueryParam("region"))
}

// handleGridFactorsRegion lists one region's electricity factors.
//
//	@Summary		Electricity emission factors of one region
//	@Tags			reference data
//	@Produce		json
//	@Param			region	path		string	true	"ISO 3166-2 region, grid code or CN"	extensions(x-example=CN-SX)
//	@Param			year	query		int		false	"vintage year"
//	@Param			basis	query		string	false	"co2_operational or lifecycle"	Enums(co2_operational, lifecycle)
//	@Param			kind	query		string	false	"factor kind"
//	@Param			dataset	query		string	false	"dataset version"
//	@Success		200		{object}	gridFactorsResponse
//	@Failure		404		{object}	Problem	"unknown region"
//	@Router			/v1/grid-factors/{region} [get]
func (s *server) handleGridFactorsRegion(c echo.Context) error {
	region := strings.ToUpper(c.Param("region"))
	ds, err := s.datasetParam(c)
	if err != nil {
		return err
	}
	if _, ok := ds.Region(region); !ok {
		return problem(http.StatusNotFound, "unknown region "+quote(region)+"; GET /v1/grid-factors lists the regions")
	}
	return s.gridFactors(c, region)
}

func (s *server) datasetParam(c echo.Context) (*factors.Dataset, error) {
	return s.dataset(c.QueryParam("dataset"))
}

// dataset returns the dataset of a version, the newest for "".
func (s *server) dataset(version string) (*factors.Dataset, error) {
	return datasetVersion(s.catalog, version)
}

func (s *server) gridFactors(c echo.Context, region string) error {
	ds, err := s.datasetParam(c)
	if err != nil {
		return err
	}
	var v validator
	region = strings.ToUpper(region)
	if region != "" {
		if _, ok := ds.Region(region); !ok {
			v.addCode("/region", codeUnknownValue, map[string]any{"kind": "region", "got": region}, "unknown region %q; use an ISO 3166-2 code such as CN-SX, a grid code such as CN-GRID-NORTH, or CN", region)
		}
	}
	year := 0
	if y := c.QueryParam("year"); y != "" {
		if year, err = strconv.Atoi(y); err != nil {
			v.addCode("/year", codeWrongType, map[string]any{"expected": "integer", "got": "string"}, "must be a year between 2000 and 2100; got %q", y)
		} else if year < 2000 || year > 2100 {
			v.addCode("/year", codeOutOfRange, map[string]any{"min": 2000, "max": 2100, "got": year}, "must be a year between 2000 and 2100; got %q", y)
		}
	}
	basis := c.QueryParam("basis")
	v.enum("/basis", basis, []string{"co2_operational", "lifecycle"})
	kind := c.QueryParam("kind")
	if err := v.err(); err != nil {
		return err
	}
	out := gridFactorsResponse{Dataset: ds.Version(), Factors: []gridFactorRow{}}
	for _, f := range ds.ElectricityRows() {
		if (region != "" && f.Region != region) || (year != 0 && f.Year != year) ||
			(basis != "" && f.Basis != basis) || (kind != "" && f.Kind != kind) {
			continue
		}
		r, _ := ds.Region(f.Region)
		out.Factors = append(out.Factors, gridFactorRow{
			Region: f.Region, RegionName: r.NameEN, Year: f.Year, Kind: f.Kind, Basis: f.Basis,
			Value: f.Value, Unit: f.Unit, ID: f.ID, Source: f.Source, Confidence: string(f.Confidence), Note: f.Note,
		})
	}
	out.Count = len(out.Factors)
	return c.JSON(http.StatusOK, out)
}
