package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"alcarbon/calc"
	"alcarbon/internal/httpx"
	"alcarbon/pact"
	"alcarbon/registry"
)

// Limits of a declaration's descriptive fields.
const (
	maxProductNameLen = 200
	maxProductIDs     = 50
	maxBuyers         = 200
)

// declarationRequest publishes a footprint (POST /v1/declarations).
type declarationRequest struct {
	// Kind of footprint: primary (request as POST /v1/footprints/primary) or product (as POST /v1/footprints/product).
	Kind string `json:"kind" enums:"primary,product" example:"primary"`
	// Request is the footprint request, exactly as the calculation endpoint of Kind takes it; the server computes the result.
	Request json.RawMessage `json:"request" swaggertype:"object"`
	// ProductName is the trade name, 1–200 characters.
	ProductName string `json:"product_name" example:"P1020A primary aluminium ingot"`
	// ProductIDs identify the product (GTIN, part numbers, URNs …), at most 50.
	ProductIDs      []string        `json:"product_ids,omitempty" example:"urn:gtin:6901234567892"`
	ReferencePeriod referencePeriod `json:"reference_period"`
	// Visibility: public (anyone) or restricted (the publisher and the buyers listed); default restricted.
	Visibility string `json:"visibility,omitempty" enums:"public,restricted" example:"restricted"`
	// Buyers are the organisations (ID or name) that may see a restricted declaration.
	Buyers []string `json:"buyers,omitempty" example:"Hebei Auto Parts Co."`
	// Supersedes is the ID of the publisher's declaration this one replaces; it becomes deprecated.
	Supersedes string `json:"supersedes,omitempty" example:"7d1c1b8e-3f7a-4a53-9a1e-2f4b6c8d9e01"`
	// Metadata is what the publisher states about the installation beside the footprint (name, address, UN/LOCODE, coordinates, contact, verifier, data-quality notes), for the CBAM communication file; optional, stored and covered by the content hash.
	Metadata *declarationMetadata `json:"metadata,omitempty"`
}

// referencePeriod is the period the activity data covers, inclusive dates.
type referencePeriod struct {
	Start string `json:"start" example:"2024-01-01"`
	End   string `json:"end" example:"2024-12-31"`
}

func (r *declarationRequest) validate(v *validator) {
	if r.Kind == "" {
		v.add("/kind", "is required: primary or product")
	}
	if t := bytes.TrimSpace(r.Request); len(t) == 0 || t[0] != '{' {
		v.add("/request", "is required: the footprint request as an object, as the calculation endpoint of kind takes it")
	}
	switch n := len([]rune(strings.TrimSpace(r.ProductName))); {
	case n == 0:
		v.add("/product_name", "is required (1–%d characters)", maxProductNameLen)
	case n > maxProductNameLen:
		v.addCode("/product_name", codeTooLong, map[string]any{"max": maxProductNameLen, "got": n}, "must be at most %d characters; got %d", maxProductNameLen, n)
	}
	if len(r.ProductIDs) > maxProductIDs {
		v.addCode("/product_ids", codeWrongCount, countParam(-1, maxProductIDs, len(r.ProductIDs)), "must list at most %d IDs; got %d", maxProductIDs, len(r.ProductIDs))
	}
	for i, id := range r.ProductIDs {
		if strings.TrimSpace(id) == "" {
			v.addCode(fmt.Sprintf("/product_ids/%d", i), codeRequired, nil, "must be 1–%d characters", maxProductNameLen)
		} else if len(id) > maxProductNameLen {
			v.addCode(fmt.Sprintf("/product_ids/%d", i), codeTooLong, map[string]any{"max": maxProductNameLen, "got": len(id)}, "must be 1–%d characters", maxProductNameLen)
		}
	}
	start, errS := parseDate(r.ReferencePeriod.Start)
	end, errE := parseDate(r.ReferencePeriod.End)
	if errS != nil {
		v.addCode("/reference_period/start", codeInvalidDate, map[string]any{"got": r.ReferencePeriod.Start}, "must be a date YYYY-MM-DD; got %q", r.ReferencePeriod.Start)
	}
	if errE != nil {
		v.addCode("/reference_period/end", codeInvalidDate, map[string]any{"got": r.ReferencePeriod.End}, "must be a date YYYY-MM-DD; got %q", r.ReferencePeriod.End)
	}
	if errS == nil && errE == nil && end.Before(start) {
		v.addCode("/reference_period/end", codeBeforeStart, map[string]any{"start": r.ReferencePeriod.Start}, "must not be before start (%s)", r.ReferencePeriod.Start)
	}
	if len(r.Buyers) > 0 && r.Visibility == registry.VisibilityPublic {
		v.addCode("/buyers", codeNotUsed, usedBy("restricted"), "apply to restricted declarations only; a public declaration is visible to everyone")
	}
	if len(r.Buyers) > maxBuyers {
		v.addCode("/buyers", codeWrongCount, countParam(-1, maxBuyers, len(r.Buyers)), "must list at most %d organisations; got %d", maxBuyers, len(r.Buyers))
	}
	r.Metadata.validate(v, "/metadata")
}

func parseDate(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err == nil && len(s) != len(time.DateOnly) {
		err = errors.New("not YYYY-MM-DD")
	}
	return t, err
}

// declarationResponse is a published declaration. Request and result are
// left out of lists; buyers are shown to the publisher only.
type declarationResponse struct {
	ID              string          `json:"id" example:"7d1c1b8e-3f7a-4a53-9a1e-2f4b6c8d9e01"`
	Kind            string          `json:"kind" example:"primary"`
	Status          string          `json:"status" enums:"active,deprecated" example:"active"`
	Version         int             `json:"version" example:"1"`
	Supersedes      string          `json:"supersedes,omitempty"`
	CompanyID       string          `json:"company_id"`
	CompanyName     string          `json:"company_name" example:"Shanxi Aluminium Smelter Co."`
	ProductName     string          `json:"product_name" example:"P1020A primary aluminium ingot"`
	ProductIDs      []string        `json:"product_ids"`
	Region          string          `json:"region" example:"CN-SX"`
	ReferencePeriod referencePeriod `json:"reference_period"`
	Visibility      string          `json:"visibility" enums:"public,restricted" example:"public"`
	Buyers          []string        `json:"buyers,omitempty"`
	// TotalTCO2ePerT is the headline footprint: the result's market-based total [t CO2e/t].
	TotalTCO2ePerT float64 `json:"total_tco2e_per_t" example:"14.76"`
	DatasetVersion string  `json:"dataset_version" example:"2026.1"`
	EngineVersion  string  `json:"engine_version" example:"2026.11.0"`
	// ContentHash is the SHA-256 over what the declaration declares (see GET …/verify).
	ContentHash string    `json:"content_hash"`
	CreatedAt   time.Time `json:"created_at"`
	// Request is the normalised footprint request (defaults resolved, dataset pinned).
	Request json.RawMessage `json:"request,omitempty" swaggertype:"object"`
	// Result is the footprint response as computed at publication.
	Result json.RawMessage `json:"result,omitempty" swaggertype:"object"`
	// Metadata is what the publisher stated about the installation at publication, absent if nothing; covered by the content hash (README, Tamper evidence).
	Metadata *declarationMetadata `json:"metadata,omitempty"`
	Links    declarationLinks     `json:"links"`
}

type declarationLinks struct {
	Self   string `json:"self" example:"/v1/declarations/7d1c1b8e-3f7a-4a53-9a1e-2f4b6c8d9e01"`
	Verify string `json:"verify"`
	CBAM   string `json:"cbam"`
	// CBAMFile is the CBAM communication file (XLSX) of the declaration.
	CBAMFile string `json:"cbam_file"`
	PACT     string `json:"pact"`
}

func newDeclarationResponse(d registry.Declaration, full bool) declarationResponse {
	self := "/v1/declarations/" + d.ID
	out := declarationResponse{
		ID: d.ID, Kind: d.Kind, Status: d.Status, Version: d.Version, Supersedes: d.Supersedes,
		CompanyID: d.OrgID, CompanyName: d.CompanyName, ProductName: d.ProductName, ProductIDs: nonNil(d.ProductIDs),
		Region: d.Region, ReferencePeriod: referencePeriod{Start: d.PeriodStart, End: d.PeriodEnd},
		Visibility: d.Visibility, Buyers: d.Buyers, TotalTCO2ePerT: d.TotalTCO2ePerT,
		DatasetVersion: d.DatasetVersion, EngineVersion: d.EngineVersion, ContentHash: d.ContentHash,
		CreatedAt: d.CreatedAt, Metadata: decodeMetadata(d.Metadata),
		Links: declarationLinks{Self: self, Verify: self + "/verify", CBAM: self + "/cbam", CBAMFile: self + "/cbam.xlsx",
			PACT: "/2/footprints/" + d.ID},
	}
	if full {
		out.Request, out.Result = d.Request, d.Result
	}
	return out
}

// computed is a footprint computed for a declaration.
type computed struct {
	request, result json.RawMessage
	dataset, region string
	total           float64 // market-based [t CO2e/t]
}

// computeFootprint decodes, validates and computes a footprint request of
// kind, as the calculation endpoint of that kind would. Field errors point
// into the request under prefix ("/request" when publishing).
func (s *server) computeFootprint(ctx context.Context, kind string, raw json.RawMessage, prefix string) (computed, error) {
	k, ok := calcKinds[kind]
	if !ok || (kind != registry.KindPrimary && kind != registry.KindProduct) {
		return computed{}, invalid([]FieldProblem{{Pointer: "/kind", Detail: "must be primary or product", Code: codeNotAllowed, Params: map[string]any{"allowed": []string{registry.KindPrimary, registry.KindProduct}, "got": kind}}})
	}
	r, err := decodeRequest(k, raw)
	if err != nil {
		return computed{}, underPrefix(err, prefix)
	}
	req := r.(footprintRequest)
	ds, err := req.prepare(s.catalog)
	if err != nil {
		return computed{}, underPrefix(err, prefix)
	}
	if err := pactGWP(req.gwpSet(), prefix); err != nil {
		return computed{}, err
	}
	// Declarations are immutable, so verify finds the same total.
	res, err := req.compute(ctx, s, ds, nil)
	if err != nil {
		return computed{}, underPrefix(err, prefix)
	}
	// The normalised request and the endpoint's response are stored.
	request, err := json.Marshal(req)
	if err != nil {
		return computed{}, err
	}
	result, err := encodeAnswer(res.response())
	if err != nil {
		return computed{}, err
	}
	return computed{request: request, result: json.RawMessage(result), dataset: ds.Version(), region: req.regionCode(), total: res.(footprintResult).marketBased()}, nil
}

// metadataInRegion refuses metadata that puts the installation in another
// country than the footprint's region (ISO 3166-2, whose first part is the
// country).
func metadataInRegion(m *declarationMetadata, region string) error {
	if m == nil {
		return nil
	}
	country, _, _ := strings.Cut(region, "-")
	var v validator
	if a := m.Address; a != nil && a.Country != "" && a.Country != country {
		v.addCode("/metadata/address/country", codeMustMatch, map[string]any{"want": country, "got": a.Country},
			"must be the country of the footprint's region %s (%s); got %s", region, country, a.Country)
	}
	if sub := unlocodePattern.FindStringSubmatch(m.UNLOCODE); sub != nil && sub[1] != country && (m.Address == nil || m.Address.Country == "") {
		v.addCode("/metadata/unlocode", codeMustMatch, map[string]any{"want": country, "got": sub[1]},
			"must be in the country of the footprint's region %s (%s); got %s", region, country, sub[1])
	}
	return v.err()
}

// pactGWP refuses GWP sets the PACT data model cannot state.
func pactGWP(gwp, prefix string) error {
	if gwp == "AR5" || gwp == "AR6" {
		return nil
	}
	return invalid([]FieldProblem{{Pointer: prefix + "/gwp", Code: codeNotAllowed, Params: map[string]any{"allowed": []string{"AR5", "AR6"}, "got": gwp},
		Detail: "declarations use AR5 or AR6: the PACT data model has no other characterisation factors; got " + quote(gwp)}})
}

// resolveBuyers turns buyer IDs or names into organisation IDs.
func (s *server) resolveBuyers(c echo.Context, buyers []string) ([]string, error) {
	ctx := c.Request().Context()
	ids := make([]string, 0, len(buyers))
	var v validator
	for i, b := range buyers {
		org, err := s.store.OrganisationByID(ctx, b)
		if errors.Is(err, registry.ErrNotFound) {
			org, err = s.store.OrganisationByName(ctx, b)
		}
		switch {
		case errors.Is(err, registry.ErrNotFound):
			v.addCode(fmt.Sprintf("/buyers/%d", i), codeUnknownValue, map[string]any{"kind": "organisation", "got": b}, "unknown organisation %q; give an organisation ID or its exact name", b)
		case err != nil:
			return nil, err
		default:
			ids = append(ids, org.ID)
		}
	}
	return ids, v.err()
}

// handleCreateDeclaration publishes a footprint.
//
//	@Summary		Publish a declaration
//	@Description	Computes the footprint of request with the engine and stores request, result, dataset version, engine version and a SHA-256 content hash in one transaction; answers 201 with Location only after the commit. Declarations are immutable: a new version names the one it supersedes (same organisation), which becomes deprecated. Needs an API key (Authorization: Bearer <key>); writes are rate-limited per key (429 with Retry-After). Only AR5 and AR6 are accepted (PACT characterisation factors), and only released datasets: a request pinned to a draft dataset (GET /v1/datasets, status draft) is refused with 422 at /request/dataset.
//	@Tags			registry
//	@Accept			json
//	@Produce		json
//	@Security		APIKey
//	@Param			request	body		declarationRequest	true	"declaration"
//	@Success		201		{object}	declarationResponse
//	@Header			201		{string}	Location	"/v1/declarations/{id}"
//	@Failure		400		{object}	Problem	"malformed JSON"
//	@Failure		401		{object}	Problem	"missing or wrong API key"
//	@Failure		403		{object}	Problem	"supersedes another organisation's declaration"
//	@Failure		404		{object}	Problem	"the superseded declaration does not exist"
//	@Failure		409		{object}	Problem	"the superseded declaration is already deprecated"
//	@Failure		415		{object}	Problem	"not JSON"
//	@Failure		422		{object}	Problem	"invalid fields, by JSON pointer (request fields under /request)"
//	@Failure		429		{object}	Problem	"rate limit; see Retry-After"
//	@Failure		503		{object}	Problem	"registry unavailable"
//	@Router			/v1/declarations [post]
func (s *server) handleCreateDeclaration(c echo.Context) error {
	req, err := decodeValid[declarationRequest](c)
	if err != nil {
		return err
	}
	org, _ := httpx.Viewer(c)
	if req.Visibility == "" {
		req.Visibility = registry.VisibilityRestricted
	}
	buyers, err := s.resolveBuyers(c, req.Buyers)
	if err != nil {
		return err
	}
	fp, err := s.computeFootprint(c.Request().Context(), req.Kind, req.Request, "/request")
	if err != nil {
		return err
	}
	if err := metadataInRegion(req.Metadata, fp.region); err != nil {
		return err
	}
	metadata, err := encodeMetadata(req.Metadata)
	if err != nil {
		return err
	}
	if ds, ok := s.catalog.Get(fp.dataset); !ok || ds.Draft() {
		return invalid([]FieldProblem{{Pointer: "/request/dataset", Code: codeDraftDataset, Params: map[string]any{"dataset": fp.dataset, "released": releasedVersions(s.catalog)},
			Detail: "dataset " + fp.dataset + " is a draft; declarations need a released dataset: " + strings.Join(releasedVersions(s.catalog), ", ")}})
	}
	d, err := s.store.CreateDeclaration(c.Request().Context(), registry.Declaration{
		OrgID: org.ID, Kind: req.Kind, ProductName: strings.TrimSpace(req.ProductName), ProductIDs: req.ProductIDs,
		Region: fp.region, PeriodStart: req.ReferencePeriod.Start, PeriodEnd: req.ReferencePeriod.End,
		Visibility: req.Visibility, Buyers: buyers, Supersedes: req.Supersedes,
		Request: fp.request, Result: fp.result, DatasetVersion: fp.dataset, EngineVersion: calc.EngineVersion,
		TotalTCO2ePerT: fp.total, Metadata: metadata,
	})
	if err != nil {
		return err
	}
	s.log.Info("declaration published", "request_id", httpx.RequestID(c), "id", d.ID, "org_id", d.OrgID, "version", d.Version)
	c.Response().Header().Set(echo.HeaderLocation, "/v1/declarations/"+d.ID)
	return c.JSON(http.StatusCreated, newDeclarationResponse(d, true))
}

// declarationListResponse is one page of declarations.
type declarationListResponse struct {
	Count        int                   `json:"count" example:"1"`
	Declarations []declarationResponse `json:"declarations"`
	// NextCursor fetches the next page (also in the Link header); absent on the last page.
	NextCursor string `json:"next_cursor,omitempty"`
}

// parsePeriod reads the period filter: a year (2024), a date (2024-06-30)
// or an inclusive range start/end of dates.
func parsePeriod(s string) (from, to string, ok bool) {
	if len(s) == 4 {
		if y, err := strconv.Atoi(s); err == nil && y >= 1900 && y <= 2200 {
			return s + "-01-01", s + "-12-31", true
		}
		return "", "", false
	}
	from, to, isRange := strings.Cut(s, "/")
	if !isRange {
		to = from
	}
	f, errF := parseDate(from)
	t, errT := parseDate(to)
	if errF != nil || errT != nil || t.Before(f) {
		return "", "", false
	}
	return from, to, true
}

// maxFilterText bounds the text filters of the declaration list (a product
// name or ID, a company name or ID) [characters].
const maxFilterText = 200

// declarationFilter reads the list filters from the query string.
func declarationFilter(c echo.Context) (registry.DeclarationFilter, error) {
	q := c.QueryParams()
	f := registry.DeclarationFilter{
		Product: q.Get("product"), Company: q.Get("company"), Region: strings.ToUpper(q.Get("region")),
		Status: q.Get("status"), Cursor: q.Get("cursor"), Viewer: httpx.ViewerID(c), WithoutDocuments: true,
	}
	var v validator
	for _, p := range []struct {
		name, value string
		max         int
	}{{"product", f.Product, maxFilterText}, {"company", f.Company, maxFilterText}, {"region", f.Region, 16}, {"cursor", f.Cursor, 512}} {
		if n := utf8.RuneCountInString(p.value); n > p.max {
			v.addCode("/"+p.name, codeTooLong, map[string]any{"max": p.max, "got": n}, "is at most %d characters; got %d", p.max, n)
		}
	}
	v.enum("/status", f.Status, []string{registry.StatusActive, registry.StatusDeprecated})
	if p := q.Get("period"); p != "" {
		var ok bool
		if f.PeriodFrom, f.PeriodTo, ok = parsePeriod(p); !ok {
			v.addCode("/period", codeInvalidPeriod, map[string]any{"got": p}, "must be a year (2024), a date (2024-06-30) or a range of dates start/end (2024-01-01/2024-06-30); got %q", p)
		}
	}
	if m := q.Get("max_tco2e_per_t"); m != "" {
		x, err := strconv.ParseFloat(m, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			v.addCode("/max_tco2e_per_t", codeWrongType, map[string]any{"expected": "number", "got": "string"}, "must be a number ≥ 0 [t CO2e/t]; got %q", m)
		} else if x < 0 {
			v.addCode("/max_tco2e_per_t", codeOutOfRange, map[string]any{"min": 0, "unit": "t CO2e/t", "got": x}, "must be a number ≥ 0 [t CO2e/t]; got %q", m)
		}
		f.MaxTCO2ePerT = &x
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil {
			v.addCode("/limit", codeWrongType, map[string]any{"expected": "integer", "got": "string"}, "must be a whole number from 1 to %d; got %q", registry.MaxLimit, l)
		} else if n < 1 || n > registry.MaxLimit {
			v.addCode("/limit", codeOutOfRange, map[string]any{"min": 1, "max": registry.MaxLimit, "got": n}, "must be a whole number from 1 to %d; got %q", registry.MaxLimit, l)
		}
		f.Limit = n
	}
	return f, v.err()
}

// handleListDeclarations lists declarations the caller may see.
//
//	@Summary		List declarations
//	@Description	Declarations visible to the caller, newest first: public ones, plus, with an API key, the organisation's own and those restricted to it as a buyer. Filters combine with AND. Pages are linked by cursor (Link: <…>; rel="next" and next_cursor).
//	@Tags			registry
//	@Produce		json
//	@Security		APIKey
//	@Param			product			query		string	false	"part of the product name (ASCII case ignored), or a whole product ID"
//	@Param			company			query		string	false	"publisher's organisation ID, or part of its name (ASCII case ignored)"
//	@Param			region			query		string	false	"ISO 3166-2 region, e.g. CN-SX"
//	@Param			period			query		string	false	"reference period overlapping a year (2024), a date or a range start/end"
//	@Param			status			query		string	false	"active or deprecated"
//	@Param			max_tco2e_per_t	query		number	false	"headline footprint at most this [t CO2e/t]"
//	@Param			limit			query		int		false	"page size, 1–500, default 50"
//	@Param			cursor			query		string	false	"next_cursor of the previous page"
//	@Success		200				{object}	declarationListResponse
//	@Header			200				{string}	Link	"<…>; rel=\"next\" when there are more"
//	@Failure		401				{object}	Problem	"wrong API key"
//	@Failure		422				{object}	Problem	"invalid filter"
//	@Failure		503				{object}	Problem	"registry unavailable"
//	@Router			/v1/declarations [get]
func (s *server) handleListDeclarations(c echo.Context) error {
	if s.store == nil {
		return httpx.ErrNoRegistry
	}
	f, err := declarationFilter(c)
	if err != nil {
		return err
	}
	items, next, err := s.store.ListDeclarations(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := declarationListResponse{Count: len(items), Declarations: make([]declarationResponse, len(items)), NextCursor: next}
	for i, d := range items {
		out.Declarations[i] = newDeclarationResponse(d, false)
	}
	if next != "" {
		c.Response().Header().Set("Link", "<"+httpx.NextLink(c, next)+`>; rel="next"`)
	}
	return c.JSON(http.StatusOK, out)
}

// declaration fetches the declaration of the path's id as the viewer sees it.
func (s *server) declaration(c echo.Context) (registry.Declaration, error) {
	if s.store == nil {
		return registry.Declaration{}, httpx.ErrNoRegistry
	}
	return s.store.GetDeclaration(c.Request().Context(), c.Param("id"), httpx.ViewerID(c))
}

// handleGetDeclaration returns one declaration with its request and result.
//
//	@Summary		Get a declaration
//	@Description	The declaration with its normalised request and stored result. Restricted declarations are found only with the API key of their publisher or of a listed buyer (otherwise 404).
//	@Tags			registry
//	@Produce		json
//	@Security		APIKey
//	@Param			id	path		string	true	"declaration ID"
//	@Success		200	{object}	declarationResponse
//	@Failure		401	{object}	Problem	"wrong API key"
//	@Failure		404	{object}	Problem	"no such declaration visible to the caller"
//	@Failure		503	{object}	Problem	"registry unavailable"
//	@Router			/v1/declarations/{id} [get]
func (s *server) handleGetDeclaration(c echo.Context) error {
	d, err := s.declaration(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newDeclarationResponse(d, true))
}

// verifyResponse says whether a declaration is reproduced.
type verifyResponse struct {
	ID string `json:"id"`
	// Reproduced: the stored hash matches the stored content, the declaration's link in the registry's hash chain holds, and recomputing the stored request gives the stored result byte for byte.
	Reproduced bool `json:"reproduced" example:"true"`
	// StoredHashValid: the content hash recomputed over the stored content (by hash_version, with the buyers the registry grants access to) equals the stored hash.
	StoredHashValid bool `json:"stored_hash_valid" example:"true"`
	// HashVersion of content_hash: 2 covers everything a buyer relies on (visibility, buyers, identity, publisher, supersede link, version, creation time); 1 is of declarations stored before it.
	HashVersion int `json:"hash_version" example:"2"`
	// ChainPosition is the declaration's sequence number in the registry's append-only hash chain, 0 if it is not in the chain.
	ChainPosition int64 `json:"chain_position" example:"42"`
	// ChainHash = SHA-256(previous_chain_hash ‖ content_hash ‖ chain_position as 8 bytes big-endian), hex; see README, Tamper evidence.
	ChainHash string `json:"chain_hash,omitempty"`
	// PreviousChainHash is the chain hash of entry chain_position − 1, "" for the first entry.
	PreviousChainHash string `json:"previous_chain_hash,omitempty"`
	// ChainLinkValid: the chain entry holds the declaration's content hash and its chain hash follows from its predecessor's.
	ChainLinkValid bool `json:"chain_link_valid" example:"true"`
	// ChainEntrySigned: the entry carries an Ed25519 signature (key at /.well-known/alcarbon-registry-key); ChainSignatureValid: it verifies with that key.
	ChainEntrySigned    bool `json:"chain_entry_signed" example:"false"`
	ChainSignatureValid bool `json:"chain_signature_valid" example:"false"`
	// ResultMatches: the recomputed result equals the stored one byte for byte.
	ResultMatches bool   `json:"result_matches" example:"true"`
	ContentHash   string `json:"content_hash"`
	// RecomputedHash is the content hash with the recomputed result in place of the stored one.
	RecomputedHash string `json:"recomputed_hash,omitempty"`
	DatasetVersion string `json:"dataset_version" example:"2026.1"`
	// EngineVersion pinned in the declaration; RunningEngineVersion is the one that recomputed it.
	EngineVersion        string   `json:"engine_version" example:"2026.11.0"`
	RunningEngineVersion string   `json:"running_engine_version" example:"2026.11.0"`
	StoredTCO2ePerT      float64  `json:"stored_total_tco2e_per_t" example:"14.76"`
	RecomputedTCO2ePerT  *float64 `json:"recomputed_total_tco2e_per_t,omitempty" example:"14.76"`
	Notes                []string `json:"notes"`
}

// handleVerifyDeclaration recomputes a declaration.
//
//	@Summary		Verify a declaration
//	@Description	Recomputes the stored request with the pinned dataset version and says whether the stored result and content hash are reproduced, and checks the declaration's link in the registry's append-only hash chain (its position, and that its chain hash follows from its predecessor's; the whole chain is checked by `alcarbon registry verify`). The running engine recomputes; if its version differs from the pinned one, notes say so (a difference is then expected where the calculation rules changed). When the response has gained fields since the declaration was stored (for example stages[].defaulted_inputs), the stored result is reproduced if every stored value is recomputed identically; a note names the added fields.
//	@Tags			registry
//	@Produce		json
//	@Security		APIKey
//	@Param			id	path		string	true	"declaration ID"
//	@Success		200	{object}	verifyResponse
//	@Failure		401	{object}	Problem	"wrong API key"
//	@Failure		404	{object}	Problem	"no such declaration visible to the caller"
//	@Failure		503	{object}	Problem	"registry unavailable"
//	@Router			/v1/declarations/{id}/verify [get]
func (s *server) handleVerifyDeclaration(c echo.Context) error {
	d, err := s.declaration(c)
	if err != nil {
		return err
	}
	out := verifyResponse{
		ID: d.ID, ContentHash: d.ContentHash, DatasetVersion: d.DatasetVersion, EngineVersion: d.EngineVersion,
		RunningEngineVersion: calc.EngineVersion, StoredTCO2ePerT: d.TotalTCO2ePerT, Notes: []string{},
	}
	check, err := s.store.CheckDeclaration(c.Request().Context(), d.ID)
	if err != nil {
		return err
	}
	out.StoredHashValid, out.HashVersion = check.ContentHashValid, check.HashVersion
	out.ChainLinkValid, out.ChainEntrySigned, out.ChainSignatureValid = check.LinkValid, check.Signed, check.SignatureValid
	if check.Entry != nil {
		out.ChainPosition, out.ChainHash, out.PreviousChainHash = check.Entry.Seq, check.Entry.ChainHash, check.PreviousChainHash
	}
	if !out.StoredHashValid {
		out.Notes = append(out.Notes, "the stored content does not hash to the stored content hash: the record was altered")
	}
	for _, p := range check.Problems {
		if p != registry.ProblemContentHash { // the note above says it
			out.Notes = append(out.Notes, "registry check: "+p)
		}
	}
	if d.EngineVersion != calc.EngineVersion {
		out.Notes = append(out.Notes, fmt.Sprintf("the declaration was computed by engine %s and is recomputed by engine %s; results may differ where the calculation rules changed", d.EngineVersion, calc.EngineVersion))
	}
	if _, ok := s.catalog.Get(d.DatasetVersion); !ok {
		out.Notes = append(out.Notes, fmt.Sprintf("dataset %s is not embedded in this build; the declaration cannot be recomputed", d.DatasetVersion))
		return c.JSON(http.StatusOK, out)
	}
	fp, err := s.computeFootprint(c.Request().Context(), d.Kind, d.Request, "/request")
	if err != nil {
		var p *Problem
		if errors.As(err, &p) && p.Status < 500 {
			out.Notes = append(out.Notes, "the stored request is no longer accepted: "+p.Detail)
			return c.JSON(http.StatusOK, out)
		}
		return err
	}
	if fp.dataset != d.DatasetVersion {
		out.Notes = append(out.Notes, fmt.Sprintf("recomputed with dataset %s instead of %s", fp.dataset, d.DatasetVersion))
	}
	// The recomputed result must be the stored one byte for byte, or, when
	// the response has gained fields since the declaration was stored,
	// hold every stored value: the added fields are left out of the
	// comparison and named in a note.
	match, added := bytes.Equal(fp.result, d.Result), []string(nil)
	if !match {
		m, a, err := reproducesStored(d.Result, fp.result)
		if err != nil {
			return err
		}
		if len(a) > 0 {
			match, added = m, a
		}
	}
	recomputed := d
	recomputed.Result, recomputed.TotalTCO2ePerT = fp.result, fp.total
	if match {
		recomputed.Result = d.Result // the stored bytes, every value reproduced
	}
	out.RecomputedHash = check.ContentHash(recomputed)
	out.RecomputedTCO2ePerT = &fp.total
	out.ResultMatches = match
	if !out.ResultMatches {
		out.Notes = append(out.Notes, "the recomputed result differs from the stored one")
	} else if len(added) > 0 {
		out.Notes = append(out.Notes, "every stored value is reproduced; the recomputed result also has fields added to the response since the declaration was stored: "+strings.Join(added, ", "))
	}
	forged := check.Signed && s.store.SigningPublicKey() != nil && !check.SignatureValid
	out.Reproduced = out.StoredHashValid && out.ChainLinkValid && !forged && out.ResultMatches && out.RecomputedHash == d.ContentHash
	return c.JSON(http.StatusOK, out)
}

// declarationCBAMResponse is the CBAM summary of a declaration.
type declarationCBAMResponse struct {
	DeclarationID string `json:"declaration_id"`
	Status        string `json:"status" example:"active"`
	ProductName   string `json:"product_name"`
	CNCode        string `json:"cn_code" example:"7601"`
	// CNDescription is the CN heading's description: the dataset's for a product, "Unwrought aluminium" for 7601 (Regulation (EU) 2023/956 Annex I).
	CNDescription string `json:"cn_description,omitempty" example:"Unwrought aluminium"`
	// AggregatedGoodsCategory is the CBAM aggregated goods category of the CN code: Unwrought aluminium (7601) or Aluminium products (7603–7616).
	AggregatedGoodsCategory string `json:"aggregated_goods_category" example:"Unwrought aluminium"`
	// ProductionRoute: primary (electrolytic) aluminium for a primary declaration; for a product, the steps of its route as computed.
	ProductionRoute string `json:"production_route" example:"primary (electrolytic) aluminium"`
	// Rules is the dataset's CBAM rule set (see cbam.rules of the footprint response).
	Rules string `json:"rules,omitempty" example:"definitive_2026"`
	// SEEDirectTCO2ePerT: specific embedded emissions, direct [t CO2e/t].
	SEEDirectTCO2ePerT float64 `json:"see_direct_tco2e_per_t" example:"1.51"`
	// SEEIndirectTCO2ePerT: specific embedded emissions, indirect (electricity) [t CO2/t].
	SEEIndirectTCO2ePerT float64 `json:"see_indirect_tco2e_per_t" example:"9.35"`
	// SEETotalTCO2ePerT = SEE direct + SEE indirect [t CO2e/t].
	SEETotalTCO2ePerT float64 `json:"see_total_tco2e_per_t" example:"10.86"`
	// ObligationTCO2ePerT counts direct emissions only (aluminium, Regulation (EU) 2023/956 Annex II).
	ObligationTCO2ePerT  float64 `json:"obligation_tco2e_per_t" example:"1.51"`
	ElectricityMWhPerT   float64 `json:"electricity_mwh_per_t" example:"13.56"`
	ElectricityEFTCO2MWh float64 `json:"electricity_ef_tco2_per_mwh" example:"0.69"`
	// ElectricityEFSource says which factor SEE indirect uses (the result's cbam.indirect_rule).
	ElectricityEFSource string `json:"electricity_ef_source,omitempty"`
	// PFCMethod is the method of the CBAM PFC figure (primary declarations): the result's cbam.pfc_method (definitive rules), else the request's electrolysis.pfc.method, which the estimate rules keep.
	PFCMethod string `json:"pfc_method,omitempty" example:"slope"`
	// PFCVerifiable is false when that method is not one of IR 2025/2547 Annex II B.7.
	PFCVerifiable *bool `json:"pfc_verifiable,omitempty" example:"true"`
	// PFCTCO2ePerT is CF4 and C2F6 with the CBAM (AR5) GWPs [t CO2e/t] (primary declarations).
	PFCTCO2ePerT *float64 `json:"pfc_tco2e_per_t,omitempty" example:"0.26"`
	// Precursors are the precursors whose embedded emissions the good's include (product declarations: the unwrought aluminium it is made of).
	Precursors            []cbamPrecursor `json:"precursors"`
	DefaultValueTCO2ePerT *float64        `json:"default_value_tco2e_per_t,omitempty" example:"3"`
	DefaultValueNote      string          `json:"default_value_note,omitempty"`
	// Notes explain the boundary choices and data quality of the figures.
	Notes           []string         `json:"notes"`
	Installation    cbamInstallation `json:"installation"`
	ReportingPeriod referencePeriod  `json:"reporting_period"`
	// Verifier and DataQuality are the publisher's metadata, where given.
	Verifier       *metadataVerifier    `json:"verifier,omitempty"`
	DataQuality    *metadataDataQuality `json:"data_quality,omitempty"`
	DatasetVersion string               `json:"dataset_version"`
	EngineVersion  string               `json:"engine_version"`
	ContentHash    string               `json:"content_hash"`
	Method         string               `json:"method"`
	Links          cbamDeclarationLinks `json:"links"`
}

// cbamPrecursor is a precursor of the declared good, per t of the good.
type cbamPrecursor struct {
	AggregatedGoodsCategory string  `json:"aggregated_goods_category" example:"Unwrought aluminium"`
	CNCode                  string  `json:"cn_code" example:"7601"`
	TPerT                   float64 `json:"t_per_t" example:"1.02"`
	// SEEDirectTCO2ePerT is the precursor's own specific direct embedded emissions [t CO2e/t precursor].
	SEEDirectTCO2ePerT float64 `json:"see_direct_tco2e_per_t" example:"1.6"`
	// SEEIndirectTCO2ePerT is null when the primary metal's CBAM emissions are unknown [t CO2/t precursor].
	SEEIndirectTCO2ePerT *float64 `json:"see_indirect_tco2e_per_t"`
	// EmbeddedDirectTCO2ePerT = t_per_t × see_direct [t CO2e/t good].
	EmbeddedDirectTCO2ePerT float64 `json:"embedded_direct_tco2e_per_t" example:"1.63"`
	Note                    string  `json:"note,omitempty"`
}

// cbamInstallation is the installation: the publisher and region of the
// declaration, and what the publisher's metadata states.
type cbamInstallation struct {
	Operator string `json:"operator" example:"Shanxi Aluminium Smelter Co."`
	Region   string `json:"region" example:"CN-SX"`
	Country  string `json:"country" example:"CN"`
	// The fields below are the publisher's metadata, absent where not given.
	Name             string               `json:"name,omitempty" example:"Taiyuan Aluminium Smelter"`
	NameLocal        string               `json:"name_local,omitempty"`
	EconomicActivity string               `json:"economic_activity,omitempty"`
	Address          *metadataAddress     `json:"address,omitempty"`
	UNLOCODE         string               `json:"unlocode,omitempty" example:"CN TYN"`
	Coordinates      *metadataCoordinates `json:"coordinates,omitempty"`
	Representative   *metadataContact     `json:"representative,omitempty"`
}

type cbamDeclarationLinks struct {
	Declaration string `json:"declaration"`
	// File is the CBAM communication file (XLSX) with these figures.
	File string `json:"file"`
}

// storedResult is what the CBAM view reads from a stored footprint
// response: the cbam block of either kind, and a product's route.
type storedResult struct {
	CBAM *struct {
		cbamResponse
		PrecursorTPerT                *float64 `json:"precursor_t_per_t"`
		PrecursorSEEDirectTCO2ePerT   *float64 `json:"precursor_see_direct_tco2e_per_t"`
		PrecursorSEEIndirectTCO2ePerT *float64 `json:"precursor_see_indirect_tco2e_per_t"`
		PrecursorEmissionsTCO2ePerT   *float64 `json:"precursor_emissions_tco2e_per_t"`
		PrecursorNote                 string   `json:"precursor_note"`
	} `json:"cbam"`
	Product string `json:"product"`
	Steps   []struct {
		Step string `json:"step"`
	} `json:"steps"`
}

// Aggregated goods categories of aluminium (IR 2025/2547 Annex I).
const (
	categoryUnwrought = "Unwrought aluminium"
	categoryProducts  = "Aluminium products"
)

// errNoCBAMView is the problem of a declaration whose result has no cbam
// block.
func errNoCBAMView() error {
	return problem(http.StatusConflict, "this declaration's result has no CBAM view")
}

// declarationCBAM builds the CBAM view of d from its stored result, the
// one GET …/cbam answers and GET …/cbam.xlsx writes; errNoCBAMView if the
// result has none.
func (s *server) declarationCBAM(d registry.Declaration) (declarationCBAMResponse, error) {
	var res storedResult
	if err := json.Unmarshal(d.Result, &res); err != nil || res.CBAM == nil {
		return declarationCBAMResponse{}, errNoCBAMView()
	}
	country, _, _ := strings.Cut(d.Region, "-")
	cb := res.CBAM
	out := declarationCBAMResponse{
		DeclarationID: d.ID, Status: d.Status, ProductName: d.ProductName, CNCode: cb.CNCode, Rules: cb.Rules,
		SEEDirectTCO2ePerT: cb.SEEDirectTCO2ePerT, SEEIndirectTCO2ePerT: cb.SEEIndirectTCO2ePerT,
		SEETotalTCO2ePerT:   cb.SEEDirectTCO2ePerT + cb.SEEIndirectTCO2ePerT,
		ObligationTCO2ePerT: cb.ObligationTCO2ePerT, ElectricityMWhPerT: cb.ElectricityMWhPerT,
		ElectricityEFTCO2MWh: cb.ElectricityEFTCO2MWh, ElectricityEFSource: cb.IndirectRule,
		PFCMethod: cb.PFCMethod, PFCVerifiable: cb.PFCVerifiable,
		DefaultValueTCO2ePerT: cb.DefaultValueTCO2ePerT, DefaultValueNote: cb.DefaultValueNote,
		Precursors: []cbamPrecursor{}, Notes: nonNil(cb.Notes),
		Installation:    cbamInstallation{Operator: d.CompanyName, Region: d.Region, Country: country},
		ReportingPeriod: referencePeriod{Start: d.PeriodStart, End: d.PeriodEnd},
		DatasetVersion:  d.DatasetVersion, EngineVersion: d.EngineVersion, ContentHash: d.ContentHash,
		Method: "the cbam block of the stored result: CBAM's own rules whatever the declaration's basis (AR5 GWPs, operational CO2 electricity factors)",
		Links:  cbamDeclarationLinks{Declaration: "/v1/declarations/" + d.ID, File: "/v1/declarations/" + d.ID + "/cbam.xlsx"},
	}
	out.AggregatedGoodsCategory = categoryProducts
	if cb.CNCode == "7601" {
		out.AggregatedGoodsCategory, out.CNDescription = categoryUnwrought, categoryUnwrought
	}
	if d.Kind == registry.KindPrimary {
		out.ProductionRoute = "primary (electrolytic) aluminium"
		out.PFCTCO2ePerT = &cb.PFCTCO2ePerT
		if out.PFCMethod == "" {
			// The estimate rules take the request's PFC method as it is
			// (the stored request has its defaults resolved).
			var req struct {
				Electrolysis struct {
					PFC struct {
						Method string `json:"method"`
					} `json:"pfc"`
				} `json:"electrolysis"`
			}
			if json.Unmarshal(d.Request, &req) == nil {
				out.PFCMethod = req.Electrolysis.PFC.Method
			}
		}
	} else {
		steps := make([]string, len(res.Steps))
		for i, st := range res.Steps {
			steps[i] = st.Step
		}
		out.ProductionRoute = strings.Join(steps, " → ")
		if ds, ok := s.catalog.Get(d.DatasetVersion); ok {
			if p, ok := ds.Product(res.Product); ok && p.CNCode == cb.CNCode {
				out.CNDescription = p.CNDescription
			}
		}
	}
	if cb.PrecursorTPerT != nil && cb.PrecursorSEEDirectTCO2ePerT != nil && cb.PrecursorEmissionsTCO2ePerT != nil {
		out.Precursors = append(out.Precursors, cbamPrecursor{
			AggregatedGoodsCategory: categoryUnwrought, CNCode: "7601", TPerT: *cb.PrecursorTPerT,
			SEEDirectTCO2ePerT: *cb.PrecursorSEEDirectTCO2ePerT, SEEIndirectTCO2ePerT: cb.PrecursorSEEIndirectTCO2ePerT,
			EmbeddedDirectTCO2ePerT: *cb.PrecursorEmissionsTCO2ePerT, Note: cb.PrecursorNote,
		})
	}
	if m := decodeMetadata(d.Metadata); m != nil {
		in := &out.Installation
		in.Name, in.NameLocal, in.EconomicActivity, in.UNLOCODE = m.InstallationName, m.InstallationNameLocal, m.EconomicActivity, m.UNLOCODE
		in.Address, in.Coordinates, in.Representative = m.Address, m.Coordinates, m.Representative
		out.Verifier, out.DataQuality = m.Verifier, m.DataQuality
	}
	return out, nil
}

// handleDeclarationCBAM gives a declaration's CBAM summary.
//
//	@Summary		CBAM summary of a declaration
//	@Description	The EU CBAM view of a declared footprint: CN code and aggregated goods category, production route, specific embedded emissions direct, indirect and total, the obligation (direct only for aluminium), electricity and the source of its factor, the PFC method, precursors with their embedded emissions, the Commission's default value and notes, with the installation (publisher, region and the publisher's metadata) and the reporting period. GET …/cbam.xlsx writes the same figures as the CBAM communication file.
//	@Tags			registry
//	@Produce		json
//	@Security		APIKey
//	@Param			id	path		string	true	"declaration ID"
//	@Success		200	{object}	declarationCBAMResponse
//	@Failure		401	{object}	Problem	"wrong API key"
//	@Failure		404	{object}	Problem	"no such declaration visible to the caller"
//	@Failure		409	{object}	Problem	"the declaration's result has no CBAM view"
//	@Failure		503	{object}	Problem	"registry unavailable"
//	@Router			/v1/declarations/{id}/cbam [get]
func (s *server) handleDeclarationCBAM(c echo.Context) error {
	d, err := s.declaration(c)
	if err != nil {
		return err
	}
	view, err := s.declarationCBAM(d)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, view)
}

// handleDeclarationPACT gives a declaration's PACT view without a PACT token.
//
//	@Summary		PACT view of a declaration
//	@Description	The declaration as the PACT ProductFootprint (v2.3 data model) that GET /2/footprints/{id} returns (decimals as strings), for readers with an API key or none: the same visibility as GET /v1/declarations/{id}. Data recipients that exchange footprints use /2/footprints with a PACT token.
//	@Tags			registry
//	@Produce		json
//	@Security		APIKey
//	@Param			id	path		string	true	"declaration ID"
//	@Success		200	{object}	pact.GetResponse
//	@Failure		401	{object}	Problem	"wrong API key"
//	@Failure		404	{object}	Problem	"no such declaration visible to the caller"
//	@Failure		503	{object}	Problem	"registry unavailable"
//	@Router			/v1/declarations/{id}/pact [get]
func (s *server) handleDeclarationPACT(c echo.Context) error {
	d, err := s.declaration(c)
	if err != nil {
		return err
	}
	return pact.WriteFootprint(c, d)
}
