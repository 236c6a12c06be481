package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"alcarbon/calc"
	"alcarbon/registry"
)

// This file implements the PACT Technical Specifications for PCF Data
// Exchange, version 2.2.0 (wbcsd/data-exchange-protocol, spec/v2/index.bs):
// Action Authenticate (POST /auth/token), ListFootprints (GET /2/footprints),
// GetFootprint (GET /2/footprints/{id}) and Events (POST /2/events), and the
// mapping of declarations to the ProductFootprint data model. Answers to
// footprint request events are sent from pact_events.go.

// pactSpecVersion is the ProductFootprint specVersion written.
const pactSpecVersion = "2.2.0"

// CloudEvents types of PACT v2 events.
const (
	eventPublished      = "org.wbcsd.pathfinder.ProductFootprint.Published.v1"
	eventRequestCreated = "org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1"
)

// vendorProductURN prefixes a product code that is not a URN (spec §
// "Custom Product Ids").
const vendorProductURN = "urn:pathfinder:product:customcode:vendor-assigned:"

// UN CPC Ver. 2.1 codes of declared products: subclass 41431, unwrought
// aluminium (primary ingot), and class 4153, aluminium semi-finished
// products (profiles, foil, rod), for downstream products.
const (
	cpcUnwroughtAluminium    = "41431"
	cpcAluminiumSemiFinished = "4153"
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

// pactError is a PACT error response (spec § "Error responses").
type pactError struct {
	status  int
	Code    string `json:"code" example:"AccessDenied"`
	Message string `json:"message" example:"Access denied"`
}

func (e *pactError) Error() string { return e.Code + ": " + e.Message }

func pactErr(status int, code, message string) *pactError {
	return &pactError{status: status, Code: code, Message: message}
}

// pactErrors answers every error under /2 with a PACT error body instead
// of problem+json; unknown actions are NotImplemented.
func (s *server) pactErrors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		if err == nil || c.Response().Committed {
			return err
		}
		var (
			pe *pactError
			he *echo.HTTPError
		)
		switch {
		case errors.As(err, &pe):
		case errors.Is(err, registry.ErrUnavailable):
			s.log.Error("request failed", "request_id", requestID(c), "path", c.Request().URL.Path, "error", err.Error())
			c.Response().Header().Set("Retry-After", "5")
			pe = pactErr(http.StatusServiceUnavailable, "InternalError", "the footprint registry is unavailable; retry later")
		case errors.Is(err, registry.ErrNotFound):
			pe = pactErr(http.StatusNotFound, "NoSuchFootprint", "The specified footprint does not exist.")
		case errors.Is(err, registry.ErrInvalid):
			pe = pactErr(http.StatusBadRequest, "BadRequest", err.Error())
		case errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge:
			// PACT has no code for it; BadRequest is its generic 400.
			pe = pactErr(http.StatusBadRequest, "BadRequest", s.bodyTooLarge())
		case errors.As(err, &he) && (he.Code == http.StatusNotFound || he.Code == http.StatusMethodNotAllowed):
			pe = pactErr(http.StatusBadRequest, "NotImplemented", "The specified Action or header you provided implies functionality that is not implemented")
		case errors.As(err, &he) && he.Code < 500:
			pe = pactErr(http.StatusBadRequest, "BadRequest", "Bad Request")
		default:
			s.log.Error("request failed", "request_id", requestID(c), "path", c.Request().URL.Path, "error", err.Error())
			pe = pactErr(http.StatusInternalServerError, "InternalError", "An internal or unexpected error has occurred")
		}
		return c.JSON(pe.status, pe)
	}
}

// bodyTooLarge says why an oversize body was refused, for the PACT and
// OAuth error shapes (problem+json says it in the error handler).
func (s *server) bodyTooLarge() string {
	return fmt.Sprintf("the request body is larger than %d bytes", s.bodyLimit)
}

// requirePACTToken admits requests with a valid access token from
// /auth/token: none is AccessDenied (403), as in the spec's example; a
// header that is not a bearer token is BadRequest; an expired token is
// TokenExpired (401).
func (s *server) requirePACTToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token, present, ok := bearer(c.Request())
		switch {
		case !present:
			return pactErr(http.StatusForbidden, "AccessDenied", "Access denied: send Authorization: Bearer followed by an access token from /auth/token")
		case !ok:
			return pactErr(http.StatusBadRequest, "BadRequest", "the Authorization header must be Bearer followed by an access token")
		}
		claims, err := s.tokens.verify(token)
		switch {
		case errors.Is(err, errTokenExpired):
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer error="invalid_token", error_description="The access token expired"`)
			return pactErr(http.StatusUnauthorized, "TokenExpired", "The specified access token has expired")
		case err != nil:
			return pactErr(http.StatusForbidden, "AccessDenied", "Access denied")
		}
		// A token outlives nothing its client: a revoked client's tokens
		// are refused at once.
		if s.store == nil {
			return errNoRegistry
		}
		if err := s.store.PACTClientActive(c.Request().Context(), claims.ClientID); errors.Is(err, registry.ErrNotFound) {
			return pactErr(http.StatusForbidden, "AccessDenied", "Access denied: the token's client was revoked")
		} else if err != nil {
			return err
		}
		c.Set(ctxViewer, registry.Organisation{ID: claims.OrgID})
		return next(c)
	}
}

// oauthError is an RFC 6749 §5.2 error response.
type oauthError struct {
	status      int
	Error       string `json:"error" example:"invalid_client"`
	Description string `json:"error_description,omitempty" example:"Authentication failed"`
}

// oauthErrors answers errors under /auth in the RFC 6749 §5.2 shape.
func (s *server) oauthErrors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		if err == nil || c.Response().Committed {
			return err
		}
		var (
			oe  *oauthError
			oee *oauthErrorErr
			he  *echo.HTTPError
		)
		switch {
		case errors.As(err, &oee):
			oe = oee.oauthError
		case errors.Is(err, registry.ErrUnavailable):
			s.log.Error("request failed", "request_id", requestID(c), "path", c.Request().URL.Path, "error", err.Error())
			c.Response().Header().Set("Retry-After", "5")
			oe = &oauthError{status: http.StatusServiceUnavailable, Error: "temporarily_unavailable", Description: "the registry is unavailable; retry later"}
		case errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge:
			oe = &oauthError{status: http.StatusBadRequest, Error: "invalid_request", Description: s.bodyTooLarge()}
		case errors.As(err, &he) && he.Code < 500:
			oe = &oauthError{status: http.StatusBadRequest, Error: "invalid_request", Description: "POST a client_credentials grant to /auth/token"}
		default:
			s.log.Error("request failed", "request_id", requestID(c), "path", c.Request().URL.Path, "error", err.Error())
			oe = &oauthError{status: http.StatusInternalServerError, Error: "server_error"}
		}
		h := c.Response().Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Pragma", "no-cache")
		return c.JSON(oe.status, oe)
	}
}

// tokenResponse is an RFC 6749 §4.4.3 access token response.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type" example:"bearer"`
	// ExpiresIn is the token's lifetime [s].
	ExpiresIn int `json:"expires_in" example:"3600"`
}

// handlePACTToken issues an access token for OAuth2 client credentials.
//
//	@Summary		PACT: access token (OAuth2 client credentials)
//	@Description	RFC 6749 §4.4: HTTP Basic with the client ID and secret from `alcarbon pact-clients create`, form body grant_type=client_credentials. The token is an HMAC-SHA256-signed bearer token valid for expires_in seconds. Errors are RFC 6749 §5.2 objects: invalid_client (401, with WWW-Authenticate: Basic), invalid_request or unsupported_grant_type (400).
//	@Tags			PACT
//	@Accept			x-www-form-urlencoded
//	@Produce		json
//	@Param			grant_type	formData	string	true	"client_credentials"
//	@Success		200			{object}	tokenResponse
//	@Failure		400			{object}	oauthError
//	@Failure		401			{object}	oauthError
//	@Failure		503			{object}	oauthError
//	@Router			/auth/token [post]
func (s *server) handlePACTToken(c echo.Context) error {
	fail := func(status int, code, description string) error {
		return &oauthErrorErr{&oauthError{status: status, Error: code, Description: description}}
	}
	id, secret, ok := c.Request().BasicAuth()
	if !ok {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Basic realm="alcarbon"`)
		return fail(http.StatusUnauthorized, "invalid_client", "authenticate with HTTP Basic: client ID and secret")
	}
	// RFC 6749 §2.3.1: both are form-urlencoded before Basic encoding.
	if v, err := url.QueryUnescape(id); err == nil {
		id = v
	}
	if v, err := url.QueryUnescape(secret); err == nil {
		secret = v
	}
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if mt != echo.MIMEApplicationForm {
		return fail(http.StatusBadRequest, "invalid_request", "send the body as application/x-www-form-urlencoded")
	}
	if err := c.Request().ParseForm(); err != nil {
		return fail(http.StatusBadRequest, "invalid_request", "the form body could not be read")
	}
	switch grant := c.Request().PostForm.Get("grant_type"); grant {
	case "client_credentials":
	case "":
		return fail(http.StatusBadRequest, "invalid_request", "grant_type is required: client_credentials")
	default:
		return fail(http.StatusBadRequest, "unsupported_grant_type", "only grant_type=client_credentials is supported")
	}
	if s.store == nil {
		return errNoRegistry
	}
	if wait, blocked := s.authFailures.blocked(c.RealIP()); blocked {
		c.Response().Header().Set("Retry-After", strconv.Itoa(max(int(math.Ceil(wait.Seconds())), 1)))
		return fail(http.StatusTooManyRequests, "slow_down", "too many failed authentications from this address")
	}
	org, err := s.store.AuthenticatePACTClient(c.Request().Context(), id, secret)
	if errors.Is(err, registry.ErrNotFound) {
		s.authFailures.failed(c.RealIP())
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Basic realm="alcarbon"`)
		return fail(http.StatusUnauthorized, "invalid_client", "Authentication failed")
	}
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	return c.JSON(http.StatusOK, tokenResponse{
		AccessToken: s.tokens.issue(org.ID, id), TokenType: "bearer", ExpiresIn: int(tokenTTL.Seconds()),
	})
}

// oauthErrorErr carries an oauthError through echo's error return.
type oauthErrorErr struct{ *oauthError }

func (e *oauthErrorErr) Error() string { return e.oauthError.Error }

// ProductFootprint data model (spec § "Data Model").

// pactFootprint is a PACT v2 ProductFootprint.
type pactFootprint struct {
	ID                 string       `json:"id" example:"7d1c1b8e-3f7a-4a53-9a1e-2f4b6c8d9e01"`
	SpecVersion        string       `json:"specVersion" example:"2.2.0"`
	PrecedingPfIDs     []string     `json:"precedingPfIds,omitempty"`
	Version            int          `json:"version" example:"1"`
	Created            string       `json:"created" example:"2025-03-01T09:32:20Z"`
	Status             string       `json:"status" enums:"Active,Deprecated" example:"Active"`
	StatusComment      string       `json:"statusComment,omitempty"`
	CompanyName        string       `json:"companyName" example:"Shanxi Aluminium Smelter Co."`
	CompanyIDs         []string     `json:"companyIds" example:"urn:uuid:0192f1d2-7c1e-7a55-8e0b-1f2a3b4c5d6e"`
	ProductDescription string       `json:"productDescription"`
	ProductIDs         []string     `json:"productIds" example:"urn:gtin:6901234567892"`
	ProductCategoryCpc string       `json:"productCategoryCpc" example:"41431"`
	ProductNameCompany string       `json:"productNameCompany" example:"P1020A primary aluminium ingot"`
	Comment            string       `json:"comment"`
	PCF                pactCarbonFP `json:"pcf"`
}

// pactCarbonFP is a PACT v2 CarbonFootprint. Decimals are JSON strings;
// percentages and DQRs are JSON numbers, as the spec types them.
type pactCarbonFP struct {
	DeclaredUnit                       string         `json:"declaredUnit" example:"kilogram"`
	UnitaryProductAmount               string         `json:"unitaryProductAmount" example:"1000"`
	PCfExcludingBiogenic               string         `json:"pCfExcludingBiogenic" example:"14.760979"`
	PCfIncludingBiogenic               string         `json:"pCfIncludingBiogenic" example:"14.760979"`
	FossilGhgEmissions                 string         `json:"fossilGhgEmissions" example:"14.760979"`
	FossilCarbonContent                string         `json:"fossilCarbonContent" example:"0"`
	BiogenicCarbonContent              string         `json:"biogenicCarbonContent" example:"0"`
	DLucGhgEmissions                   string         `json:"dLucGhgEmissions" example:"0"`
	LandManagementGhgEmissions         string         `json:"landManagementGhgEmissions" example:"0"`
	OtherBiogenicGhgEmissions          string         `json:"otherBiogenicGhgEmissions" example:"0"`
	BiogenicCarbonWithdrawal           string         `json:"biogenicCarbonWithdrawal" example:"0"`
	CharacterizationFactors            string         `json:"characterizationFactors" enums:"AR5,AR6" example:"AR5"`
	IpccCharacterizationFactorsSources []string       `json:"ipccCharacterizationFactorsSources" example:"AR5"`
	CrossSectoralStandardsUsed         []string       `json:"crossSectoralStandardsUsed" example:"ISO Standard 14067"`
	BoundaryProcessesDescription       string         `json:"boundaryProcessesDescription"`
	ReferencePeriodStart               string         `json:"referencePeriodStart" example:"2024-01-01T00:00:00Z"`
	ReferencePeriodEnd                 string         `json:"referencePeriodEnd" example:"2025-01-01T00:00:00Z"`
	GeographyCountrySubdivision        string         `json:"geographyCountrySubdivision,omitempty" example:"CN-SX"`
	GeographyCountry                   string         `json:"geographyCountry,omitempty" example:"CN"`
	SecondaryEmissionFactorSources     []pactEFSource `json:"secondaryEmissionFactorSources"`
	ExemptedEmissionsPercent           float64        `json:"exemptedEmissionsPercent" example:"0"`
	ExemptedEmissionsDescription       string         `json:"exemptedEmissionsDescription"`
	PackagingEmissionsIncluded         bool           `json:"packagingEmissionsIncluded" example:"false"`
	AllocationRulesDescription         string         `json:"allocationRulesDescription,omitempty"`
	PrimaryDataShare                   float64        `json:"primaryDataShare" example:"87.5"`
	DQI                                pactDQI        `json:"dqi"`
}

type pactEFSource struct {
	Name    string `json:"name" example:"alcarbon embedded dataset"`
	Version string `json:"version" example:"2026.1"`
}

// pactDQI are the data quality indicators (spec § DataQualityIndicators).
type pactDQI struct {
	CoveragePercent  float64 `json:"coveragePercent" example:"100"`
	TechnologicalDQR float64 `json:"technologicalDQR" example:"1.2"`
	TemporalDQR      float64 `json:"temporalDQR" example:"1"`
	GeographicalDQR  float64 `json:"geographicalDQR" example:"1.2"`
	CompletenessDQR  float64 `json:"completenessDQR" example:"1"`
	ReliabilityDQR   float64 `json:"reliabilityDQR" example:"1.2"`
}

// storedResult is what the PACT mapping reads from a declaration's result.
type storedResult struct {
	DeclaredUnit     string          `json:"declared_unit"`
	GWP              string          `json:"gwp"`
	Year             int             `json:"year"`
	ElectricityBasis string          `json:"electricity_basis"`
	Total            totalResponse   `json:"total_tco2e_per_t"`
	Stages           []stageResponse `json:"stages"`
	// Steps are a product's route steps; Defaulted marks default energy.
	Steps []struct {
		Stage     string `json:"stage"`
		Defaulted bool   `json:"defaulted"`
	} `json:"steps"`
	Provenance struct {
		DefaultedInputs []string `json:"defaulted_inputs"`
	} `json:"provenance"`
}

// stagesOfInput returns the stages an input of a request of kind feeds;
// nil for an input it does not know or that scales every stage (a
// product's yield), which then counts against every stage.
func stagesOfInput(kind, pointer string) []string {
	if kind == registry.KindProduct {
		return stagesOfProductInput(pointer)
	}
	switch {
	case strings.HasPrefix(pointer, "/alumina/"):
		return []string{calc.StageAluminaRefining}
	case pointer == "/anode/net_carbon_t_per_t", pointer == "/anode/sulphur_fraction", pointer == "/anode/ash_fraction",
		strings.HasPrefix(pointer, "/electrolysis/pfc/"):
		return []string{calc.StageElectrolysisDirect}
	case strings.HasPrefix(pointer, "/anode/"):
		return []string{calc.StageAnodeProduction}
	case pointer == "/electrolysis/ac_kwh_per_t":
		return []string{calc.StageElectrolysisElectricity}
	case pointer == "/electricity" || strings.HasPrefix(pointer, "/electricity/"):
		// The supply portfolio's factor applies to smelter and casthouse power.
		return []string{calc.StageElectrolysisElectricity, calc.StageCasting}
	case strings.HasPrefix(pointer, "/casting/"):
		return []string{calc.StageCasting}
	}
	return nil
}

func stagesOfProductInput(pointer string) []string {
	switch {
	case strings.HasPrefix(pointer, "/metal/primary"):
		return []string{calc.StagePrimaryMetal}
	case strings.HasSuffix(pointer, "_scrap_share"):
		return []string{calc.StagePrimaryMetal, calc.StageRecycledMetal}
	case strings.HasPrefix(pointer, "/metal/"):
		return []string{calc.StageRecycledMetal}
	case pointer == "/alloy":
		return []string{calc.StageAlloying}
	case pointer == "/electricity" || strings.HasPrefix(pointer, "/electricity/"), strings.HasPrefix(pointer, "/steps"):
		return []string{calc.StageCasting, calc.StageProcessing}
	case pointer == "/melt_loss_fraction":
		return []string{calc.StageCasting, calc.StagePrimaryMetal, calc.StageRecycledMetal}
	}
	return nil
}

// primaryDataShare is the share of the footprint computed from the
// enterprise's own data, in percent, stage-weighted:
//
//	share = 100 × Σ_{s primary} |E_s| / Σ_s |E_s|
//
// where E_s is stage s's market-based emissions [t CO2e/t] and a stage is
// primary when none of the inputs it uses took a dataset default
// (provenance.defaulted_inputs). Published emission factors (grid
// averages, fuel factors, GWPs) are not inputs the enterprise supplies and
// do not make a stage secondary; activity data and plant-specific
// parameters left to defaults do, and so does a product route step whose
// energy is the dataset default.
func primaryDataShare(kind string, r storedResult) float64 {
	secondary := map[string]bool{}
	for _, st := range r.Steps {
		if st.Defaulted {
			secondary[st.Stage] = true
		}
	}
	for _, p := range r.Provenance.DefaultedInputs {
		stages := stagesOfInput(kind, p)
		if stages == nil {
			for _, s := range r.Stages {
				secondary[s.Stage] = true
			}
		}
		for _, s := range stages {
			secondary[s] = true
		}
	}
	var primary, total float64
	for _, s := range r.Stages {
		e := math.Abs(s.MarketBasedTCO2ePerT)
		total += e
		if !secondary[s.Stage] {
			primary += e
		}
	}
	if total == 0 {
		return 0
	}
	return round(100*primary/total, 2)
}

// dataQuality rates a declaration on the Pathfinder Framework's 1–3 scale
// (1 best), alcarbon's rule: technological, geographical and reliability
// DQRs are 1 for primary data and 2 for dataset defaults (Chinese industry
// averages), weighted like primaryDataShare; temporal is 1 when the
// activity year lies in the reference period, 2 within 3 years of it, 3
// otherwise; completeness is 1 (every stage of the cradle-to-gate boundary
// is modelled) and coverage 100 %.
func dataQuality(share float64, year int, start, end string) pactDQI {
	r := round(2-share/100, 2)
	temporal := 3.0
	if y0, y1 := yearOf(start), yearOf(end); year >= y0 && year <= y1 {
		temporal = 1
	} else if year >= y0-3 && year <= y1+3 {
		temporal = 2
	}
	return pactDQI{CoveragePercent: 100, TechnologicalDQR: r, TemporalDQR: temporal, GeographicalDQR: r, CompletenessDQR: 1, ReliabilityDQR: r}
}

func yearOf(date string) int {
	y, _ := strconv.Atoi(strings.SplitN(date, "-", 2)[0])
	return y
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
	return vendorProductURN + url.PathEscape(id)
}

var subdivision = regexp.MustCompile(`^[A-Z]{2}-[A-Z0-9]{1,3}$`)

// newPACTFootprint maps a declaration to a ProductFootprint.
func newPACTFootprint(d registry.Declaration) (pactFootprint, error) {
	var r storedResult
	if err := json.Unmarshal(d.Result, &r); err != nil {
		return pactFootprint{}, fmt.Errorf("declaration %s: result: %w", d.ID, err)
	}
	status, statusComment := "Active", ""
	if d.Status == registry.StatusDeprecated {
		status, statusComment = "Deprecated", "superseded by a newer version of this declaration, which names this footprint in precedingPfIds"
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
	gwp := r.GWP
	if gwp == "" {
		gwp = defaultGWP
	}
	share := primaryDataShare(d.Kind, r)
	cpc, boundary := cpcUnwroughtAluminium, boundaryPrimary
	if d.Kind == registry.KindProduct {
		cpc, boundary = cpcAluminiumSemiFinished, boundaryProduct
	}
	pcf := decimal(d.TotalTCO2ePerT)
	fp := pactFootprint{
		ID: d.ID, SpecVersion: pactSpecVersion, PrecedingPfIDs: preceding, Version: d.Version,
		Created: pactDateTime(d.CreatedAt), Status: status, StatusComment: statusComment,
		CompanyName: d.CompanyName, CompanyIDs: []string{"urn:uuid:" + d.OrgID},
		ProductDescription: fmt.Sprintf("%s: %s, %s, cradle-to-gate", d.ProductName, r.DeclaredUnit, d.Region),
		ProductIDs:         productIDs, ProductCategoryCpc: cpc, ProductNameCompany: d.ProductName,
		Comment: fmt.Sprintf("alcarbon declaration version %d, computed by engine %s with dataset %s; content hash sha256:%s; "+
			"recompute with GET /v1/declarations/%s/verify. Electricity basis %s, market-based (green contracts and certificates counted).",
			d.Version, d.EngineVersion, d.DatasetVersion, d.ContentHash, d.ID, r.ElectricityBasis),
		PCF: pactCarbonFP{
			DeclaredUnit: "kilogram", UnitaryProductAmount: "1000",
			PCfExcludingBiogenic: pcf, PCfIncludingBiogenic: pcf, FossilGhgEmissions: pcf,
			FossilCarbonContent: "0", BiogenicCarbonContent: "0", DLucGhgEmissions: "0",
			LandManagementGhgEmissions: "0", OtherBiogenicGhgEmissions: "0", BiogenicCarbonWithdrawal: "0",
			CharacterizationFactors: gwp, IpccCharacterizationFactorsSources: []string{gwp},
			CrossSectoralStandardsUsed:     []string{"ISO Standard 14067", "GHG Protocol Product standard"},
			BoundaryProcessesDescription:   r.DeclaredUnit + ", " + boundary,
			ReferencePeriodStart:           d.PeriodStart + "T00:00:00Z",
			ReferencePeriodEnd:             pactDateTime(end.AddDate(0, 0, 1)),
			SecondaryEmissionFactorSources: []pactEFSource{{Name: "alcarbon embedded dataset", Version: d.DatasetVersion}},
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

// pactListResponse is the body of ListFootprints.
type pactListResponse struct {
	Data []pactFootprint `json:"data"`
}

// pactGetResponse is the body of GetFootprint.
type pactGetResponse struct {
	Data pactFootprint `json:"data"`
}

// handlePACTListFootprints is PACT Action ListFootprints.
//
//	@Summary		PACT: list footprints
//	@Description	ProductFootprints the token's organisation may see (public, its own, and restricted ones naming it as a buyer), newest first, every version (deprecated ones with status Deprecated). limit caps the page (at most 500 are returned); a Link header with rel="next" gives the absolute URL of the next page, valid indefinitely. $filter is not implemented and is ignored, as the spec allows. Errors are PACT error responses {code, message}.
//	@Tags			PACT
//	@Produce		json
//	@Security		PACTToken
//	@Param			limit	query		int	false	"page size, a positive integer"
//	@Success		200		{object}	pactListResponse
//	@Header			200		{string}	Link	"<…>; rel=\"next\" when there are more"
//	@Failure		400		{object}	pactError	"BadRequest"
//	@Failure		401		{object}	pactError	"TokenExpired"
//	@Failure		403		{object}	pactError	"AccessDenied"
//	@Router			/2/footprints [get]
func (s *server) handlePACTListFootprints(c echo.Context) error {
	if s.store == nil {
		return errNoRegistry
	}
	f := registry.DeclarationFilter{Viewer: viewerID(c), Cursor: c.QueryParam("cursor")}
	if l := c.QueryParam("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return pactErr(http.StatusBadRequest, "BadRequest", "limit must be a positive integer")
		}
		f.Limit = min(n, registry.MaxLimit)
	}
	items, next, err := s.store.ListDeclarations(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := pactListResponse{Data: make([]pactFootprint, 0, len(items))}
	for _, d := range items {
		fp, err := newPACTFootprint(d)
		if err != nil {
			return err
		}
		out.Data = append(out.Data, fp)
	}
	if next != "" {
		c.Response().Header().Set("Link", "<"+nextLink(c, next)+`>; rel="next"`)
	}
	return c.JSON(http.StatusOK, out)
}

// handlePACTGetFootprint is PACT Action GetFootprint.
//
//	@Summary		PACT: get a footprint
//	@Description	The ProductFootprint with that id if the token's organisation may see it; otherwise NoSuchFootprint (404).
//	@Tags			PACT
//	@Produce		json
//	@Security		PACTToken
//	@Param			id	path		string	true	"footprint id (the declaration ID)"
//	@Success		200	{object}	pactGetResponse
//	@Failure		401	{object}	pactError	"TokenExpired"
//	@Failure		403	{object}	pactError	"AccessDenied"
//	@Failure		404	{object}	pactError	"NoSuchFootprint"
//	@Router			/2/footprints/{id} [get]
func (s *server) handlePACTGetFootprint(c echo.Context) error {
	d, err := s.declaration(c)
	if err != nil {
		return err
	}
	fp, err := newPACTFootprint(d)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pactGetResponse{Data: fp})
}

// handleDeclarationPACT gives a declaration's PACT view without a PACT token.
//
//	@Summary		PACT view of a declaration
//	@Description	The declaration as the PACT v2.2 ProductFootprint that GET /2/footprints/{id} returns (decimals as strings), for readers with an API key or none: the same visibility as GET /v1/declarations/{id}. Data recipients that exchange footprints use /2/footprints with a PACT token.
//	@Tags			registry
//	@Produce		json
//	@Security		APIKey
//	@Param			id	path		string	true	"declaration ID"
//	@Success		200	{object}	pactGetResponse
//	@Failure		401	{object}	Problem	"wrong API key"
//	@Failure		404	{object}	Problem	"no such declaration visible to the caller"
//	@Failure		503	{object}	Problem	"registry unavailable"
//	@Router			/v1/declarations/{id}/pact [get]
func (s *server) handleDeclarationPACT(c echo.Context) error {
	d, err := s.declaration(c)
	if err != nil {
		return err
	}
	fp, err := newPACTFootprint(d)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pactGetResponse{Data: fp})
}

// cloudEvent is a CloudEvents 1.0 event in structured JSON mode.
type cloudEvent struct {
	Type        string          `json:"type"`
	SpecVersion string          `json:"specversion"`
	ID          string          `json:"id"`
	Source      string          `json:"source"`
	Time        string          `json:"time,omitempty"`
	Data        json.RawMessage `json:"data" swaggertype:"object"`
}

// handlePACTEvents is PACT Action Events.
//
//	@Summary		PACT: events
//	@Description	Accepts CloudEvents in structured JSON mode (Content-Type application/cloudevents+json): ProductFootprint.Published.v1 (data.pfIds) is acknowledged; ProductFootprintRequest.Created.v1 (data.pf, a ProductFootprint fragment with productIds) is acknowledged at once and answered in the background: when the event's source names a PACT partner configured with `alcarbon pact-partners add` (and, if the partner belongs to an organisation, the token is that organisation's), ProductFootprintRequest.Fulfilled.v1 with the active footprints of those products the partner may see, or Rejected.v1 with NoSuchFootprint, is sent to the partner's /2/events with a token from its client-credentials endpoint, retried with back-off; without a partner the request is logged and not answered. Accepted events get 200 with an empty body; a full answer queue gets 503 InternalError with Retry-After; other event types are NotImplemented (400); malformed events BadRequest (400).
//	@Tags			PACT
//	@Accept			json
//	@Security		PACTToken
//	@Param			event	body	cloudEvent	true	"CloudEvent"
//	@Success		200
//	@Failure		400	{object}	pactError	"BadRequest or NotImplemented"
//	@Failure		401	{object}	pactError	"TokenExpired"
//	@Failure		403	{object}	pactError	"AccessDenied"
//	@Failure		503	{object}	pactError	"InternalError: the registry is unavailable or too many answers are queued; Retry-After"
//	@Router			/2/events [post]
func (s *server) handlePACTEvents(c echo.Context) error {
	badRequest := func(msg string) error { return pactErr(http.StatusBadRequest, "BadRequest", msg) }
	mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil || (mt != "application/cloudevents+json" && mt != echo.MIMEApplicationJSON) {
		return badRequest("send a CloudEvent in structured mode with Content-Type: application/cloudevents+json")
	}
	var ev cloudEvent
	if err := json.NewDecoder(c.Request().Body).Decode(&ev); err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return he
		}
		return badRequest("the body is not a JSON CloudEvent")
	}
	if ev.SpecVersion != "1.0" || ev.ID == "" || ev.Source == "" || ev.Type == "" {
		return badRequest("a CloudEvent needs specversion 1.0, id, source and type")
	}
	switch ev.Type {
	case eventPublished:
		var data struct {
			PfIDs []string `json:"pfIds"`
		}
		if err := json.Unmarshal(ev.Data, &data); err != nil || len(data.PfIDs) == 0 {
			return badRequest("data.pfIds must be a non-empty array of footprint ids")
		}
		s.log.Info("PACT footprints published", "request_id", requestID(c), "event_id", ev.ID, "source", ev.Source, "pf_ids", len(data.PfIDs))
		return c.NoContent(http.StatusOK)
	case eventRequestCreated:
		var data struct {
			PF *struct {
				ProductIDs []string `json:"productIds"`
			} `json:"pf"`
			Comment string `json:"comment"`
		}
		if err := json.Unmarshal(ev.Data, &data); err != nil || data.PF == nil {
			return badRequest("data.pf must be a ProductFootprint fragment, e.g. {\"productIds\": [\"urn:…\"]}")
		}
		if s.store == nil {
			return errNoRegistry
		}
		ds, err := findDeclarations(c.Request().Context(), s.store, viewerID(c), data.PF.ProductIDs)
		if err != nil {
			return err
		}
		found := make([]string, 0, len(ds))
		for _, d := range ds {
			found = append(found, d.ID)
		}
		outcome := "fulfilled"
		if len(found) == 0 {
			outcome = "rejected: NoSuchFootprint"
		}
		s.log.Info("PACT footprint request", "request_id", requestID(c), "event_id", ev.ID, "source", ev.Source,
			"outcome", outcome, "pf_ids", strings.Join(found, ","))
		if err := s.answerFootprintRequest(c, ev, data.PF.ProductIDs); err != nil {
			return err
		}
		return c.NoContent(http.StatusOK)
	}
	return pactErr(http.StatusBadRequest, "NotImplemented", "event type "+strconv.Quote(ev.Type)+" is not implemented; accepted: "+eventPublished+", "+eventRequestCreated)
}

// findDeclarations returns the active declarations of the given product
// IDs (as URNs or as the codes inside vendor-assigned URNs) that viewer
// (an organisation ID, "" for anonymous) may see, each once.
func findDeclarations(ctx context.Context, store registry.Store, viewer string, productIDs []string) ([]registry.Declaration, error) {
	seen := map[string]bool{}
	var found []registry.Declaration
	for _, pid := range productIDs {
		candidates := []string{pid}
		if code, ok := strings.CutPrefix(pid, vendorProductURN); ok {
			if v, err := url.PathUnescape(code); err == nil {
				candidates = append(candidates, v)
			}
		}
		for _, p := range candidates {
			items, _, err := store.ListDeclarations(ctx, registry.DeclarationFilter{
				Viewer: viewer, Product: p, Status: registry.StatusActive, Limit: registry.MaxLimit,
			})
			if err != nil {
				return nil, err
			}
			for _, d := range items {
				if !seen[d.ID] {
					seen[d.ID] = true
					found = append(found, d)
				}
			}
		}
	}
	return found, nil
}
