package pact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"alcarbon/internal/httpx"
	"alcarbon/registry"
)

// Action Events: footprints published by a data owner, and footprint
// requests, acknowledged at once and answered in the background by a
// Responder.

// CloudEvents types of PACT v2 events.
const (
	EventPublished        = "org.wbcsd.pathfinder.ProductFootprint.Published.v1"
	EventRequestCreated   = "org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1"
	EventRequestFulfilled = "org.wbcsd.pathfinder.ProductFootprintRequest.Fulfilled.v1"
	EventRequestRejected  = "org.wbcsd.pathfinder.ProductFootprintRequest.Rejected.v1"
)

// CloudEvent is a CloudEvents 1.0 event in structured JSON mode.
type CloudEvent struct {
	Type        string          `json:"type"`
	SpecVersion string          `json:"specversion"`
	ID          string          `json:"id"`
	Source      string          `json:"source"`
	Time        string          `json:"time,omitempty"`
	Data        json.RawMessage `json:"data" swaggertype:"object"`
}

// HandleEvents is PACT Action Events.
//
//	@Summary		PACT: events
//	@Description	Accepts CloudEvents in structured JSON mode (Content-Type application/cloudevents+json): ProductFootprint.Published.v1 (data.pfIds, 1 to 100 footprint UUIDs) is acknowledged; ProductFootprintRequest.Created.v1 (data.pf, a ProductFootprint fragment with 1 to 100 productIds, URNs) is acknowledged at once and answered in the background: when the event's source names a PACT partner configured with `alcarbon pact-partners add` (and, if the partner belongs to an organisation, the token is that organisation's), ProductFootprintRequest.Fulfilled.v1 with the active footprints of those products the partner may see, or Rejected.v1 with NoSuchFootprint, is sent to the partner's /2/events with a token from its client-credentials endpoint, kept in a durable outbox in the registry (it survives restarts) and retried with per-partner back-off; without a partner the request is logged and not answered. Accepted events get 200 with an empty body; when the answer cannot be stored (the registry is unavailable) 503 InternalError with Retry-After; other event types are NotImplemented (400); malformed events BadRequest (400).
//	@Tags			PACT
//	@Accept			json
//	@Security		PACTToken
//	@Param			event	body	CloudEvent	true	"CloudEvent"
//	@Success		200
//	@Failure		400	{object}	Error	"BadRequest or NotImplemented"
//	@Failure		401	{object}	Error	"TokenExpired"
//	@Failure		403	{object}	Error	"AccessDenied"
//	@Failure		503	{object}	Error	"InternalError: the registry is unavailable, the answer cannot be stored; Retry-After"
//	@Router			/2/events [post]
func (h *Handler) HandleEvents(c echo.Context) error {
	badRequest := func(msg string) error { return pactErr(http.StatusBadRequest, "BadRequest", msg) }
	mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil || (mt != "application/cloudevents+json" && mt != echo.MIMEApplicationJSON) {
		return badRequest("send a CloudEvent in structured mode with Content-Type: application/cloudevents+json")
	}
	var ev CloudEvent
	if err := json.NewDecoder(c.Request().Body).Decode(&ev); err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return he
		}
		return badRequest("the body is not a JSON CloudEvent")
	}
	if msg := checkCloudEvent(ev); msg != "" {
		return badRequest(msg)
	}
	switch ev.Type {
	case EventPublished:
		var data struct {
			PfIDs []string `json:"pfIds"`
		}
		if err := json.Unmarshal(ev.Data, &data); err != nil || len(data.PfIDs) == 0 {
			return badRequest("data.pfIds must be a non-empty array of footprint ids (UUIDs)")
		}
		if len(data.PfIDs) > MaxRequestProductIDs {
			return badRequest(fmt.Sprintf("data.pfIds holds at most %d footprint ids; got %d", MaxRequestProductIDs, len(data.PfIDs)))
		}
		for i, id := range data.PfIDs {
			if !pfIDPattern.MatchString(id) {
				return badRequest(fmt.Sprintf("data.pfIds[%d] must be a footprint id, a UUID such as 3a6c14a7-4deb-498a-b5ea-16ce2535b576; got %q", i, id))
			}
		}
		h.log.Info("PACT footprints published", "request_id", httpx.RequestID(c), "event_id", ev.ID, "source", ev.Source, "pf_ids", len(data.PfIDs))
		return c.NoContent(http.StatusOK)
	case EventRequestCreated:
		var data struct {
			PF *struct {
				ProductIDs []string `json:"productIds"`
			} `json:"pf"`
			Comment *string `json:"comment"`
		}
		if err := json.Unmarshal(ev.Data, &data); err != nil || data.PF == nil {
			return badRequest("data.pf must be a ProductFootprint fragment, e.g. {\"productIds\": [\"urn:…\"]}, and data.comment a string")
		}
		if n := len(data.PF.ProductIDs); n == 0 || n > MaxRequestProductIDs {
			return badRequest(fmt.Sprintf("data.pf.productIds must be an array of 1 to %d product ids (URNs); got %d", MaxRequestProductIDs, n))
		}
		for i, id := range data.PF.ProductIDs {
			if !urnPattern.MatchString(id) {
				return badRequest(fmt.Sprintf("data.pf.productIds[%d] must be a product id in URN form, e.g. urn:gtin:…; got %q", i, id))
			}
		}
		if h.store == nil {
			return httpx.ErrNoRegistry
		}
		ds, err := findDeclarations(c.Request().Context(), h.store, httpx.ViewerID(c), data.PF.ProductIDs)
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
		h.log.Info("PACT footprint request", "request_id", httpx.RequestID(c), "event_id", ev.ID, "source", ev.Source,
			"outcome", outcome, "pf_ids", strings.Join(found, ","))
		if err := h.answerFootprintRequest(c, ev, data.PF.ProductIDs); err != nil {
			return err
		}
		return c.NoContent(http.StatusOK)
	}
	return pactErr(http.StatusBadRequest, "NotImplemented", "event type "+strconv.Quote(ev.Type)+" is not implemented; accepted: "+EventPublished+", "+EventRequestCreated)
}

// MaxRequestProductIDs bounds the product ids of one footprint request
// event: each is looked up in the registry.
const MaxRequestProductIDs = 100

// pfIDPattern is a PfId: a UUID in its textual form (PACT data model,
// ProductFootprint/id, format uuid).
var pfIDPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// urnPattern is a product id: a URN (PACT v2.3 Urn, '^([uU][rR][nN]):').
var urnPattern = regexp.MustCompile(`^[uU][rR][nN]:\S+$`)

// checkCloudEvent returns what is wrong with the envelope of an event
// (CloudEvents 1.0 structured mode, as PACT types it), "" when nothing is.
func checkCloudEvent(ev CloudEvent) string {
	switch {
	case ev.SpecVersion != "1.0":
		return "specversion must be \"1.0\""
	case ev.ID == "":
		return "id must be a non-empty string"
	case ev.Type == "":
		return "type must be a non-empty string"
	case ev.Source == "":
		return "source must be a non-empty URI-reference"
	}
	if _, err := url.Parse(ev.Source); err != nil {
		return "source must be a URI-reference; got " + strconv.Quote(ev.Source)
	}
	if ev.Time != "" {
		if _, err := time.Parse(time.RFC3339, ev.Time); err != nil {
			return "time must be an RFC 3339 timestamp such as 2026-01-31T12:00:00Z; got " + strconv.Quote(ev.Time)
		}
	}
	if len(ev.Data) == 0 || ev.Data[0] != '{' {
		return "data must be a JSON object"
	}
	return ""
}

// findDeclarations returns the active declarations of the given product
// IDs (as URNs, or as the codes inside vendor-assigned URNs, which may be a
// product name) that viewer (an organisation ID, "" for anonymous) may
// see, each once, newest first, in one registry query per 500 matches.
func findDeclarations(ctx context.Context, store registry.Store, viewer string, productIDs []string) ([]registry.Declaration, error) {
	keys := make([]string, 0, 2*len(productIDs))
	for _, pid := range productIDs {
		keys = append(keys, pid)
		if code, ok := strings.CutPrefix(pid, VendorProductURN); ok {
			if v, err := url.PathUnescape(code); err == nil {
				keys = append(keys, v)
			}
		}
	}
	f := registry.DeclarationFilter{Viewer: viewer, ProductKeys: keys, Status: registry.StatusActive, Limit: registry.MaxLimit}
	var found []registry.Declaration
	for {
		page, next, err := store.ListDeclarations(ctx, f)
		if err != nil {
			return nil, err
		}
		found = append(found, page...)
		if next == "" {
			return found, nil
		}
		f.Cursor = next
	}
}

// answerFootprintRequest queues the answer to a valid
// ProductFootprintRequest.Created.v1 event, or logs why it cannot be
// answered. Only a registry failure (the sender should retry) or a full
// queue is an error; the event is accepted otherwise.
func (h *Handler) answerFootprintRequest(c echo.Context, ev CloudEvent, productIDs []string) error {
	log := h.log.With("request_id", httpx.RequestID(c), "event_id", ev.ID, "source", ev.Source)
	if h.answers == nil {
		log.Warn("PACT footprint request not answered: answering is not configured")
		return nil
	}
	p, err := h.store.PACTPartnerBySource(c.Request().Context(), ev.Source)
	if errors.Is(err, registry.ErrNotFound) {
		log.Warn("PACT footprint request cannot be answered: no credentials for its source; add them with alcarbon pact-partners add")
		return nil
	}
	if err != nil {
		return err
	}
	log = log.With("partner_id", p.ID, "events_url", p.EventsURL())
	if p.OrgID != "" && p.OrgID != httpx.ViewerID(c) {
		// Another organisation's client may not make this host send
		// footprints to a partner that is not its own.
		log.Warn("PACT footprint request not answered: its source is a partner of another organisation than the token's", "org_id", httpx.ViewerID(c))
		return nil
	}
	source := h.answers.source
	if source == "" {
		base := httpx.PublicBase(c) // forwarding headers only from trusted proxies
		source = "//" + base.Host + base.Path
	}
	err = h.answers.enqueue(pactAnswer{
		partner: p, requestEventID: ev.ID, productIDs: productIDs, source: source, requestID: httpx.RequestID(c),
	})
	if err != nil {
		log.Error("PACT footprint request refused: " + err.Error())
		c.Response().Header().Set("Retry-After", "60")
		return pactErr(http.StatusServiceUnavailable, "InternalError", "the answer to this footprint request cannot be stored now (the registry is unavailable); retry later")
	}
	log.Info("PACT footprint request queued for an answer")
	return nil
}
