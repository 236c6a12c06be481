package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"alcarbon/registry"
)

// This file answers PACT footprint request events (spec § "Asynchronous
// request and retrieval of Product Footprints"): a data recipient's
// ProductFootprintRequest.Created.v1 is acknowledged with 200 at once, and
// a PACTResponder then sends ProductFootprintRequest.Fulfilled.v1 (the
// matching footprints) or Rejected.v1 (NoSuchFootprint) to the recipient's
// Action Events endpoint, with an access token it obtains from the
// recipient by OAuth2 client credentials.
//
// Where answers go is decided by the operator, not by the event: the
// event's source only selects a row of the registry's PACT partners (added
// with `alcarbon pact-partners add`), which holds the partner's base URL
// and the credentials; an event whose source matches no partner is not
// answered. Redirects are not followed.
//
// Answers wait in memory: a bounded queue served by a fixed number of
// workers, each answer retried with exponential back-off up to a bounded
// number of attempts (the spec lets senders retry for up to 3 days; this
// queue gives up far sooner). Nothing of it is persisted, so answers
// queued or waiting for a retry when the process stops are lost, and the
// log says so; the data recipient can send its request again.

// CloudEvents types of PACT v2 answers to footprint requests.
const (
	eventRequestFulfilled = "org.wbcsd.pathfinder.ProductFootprintRequest.Fulfilled.v1"
	eventRequestRejected  = "org.wbcsd.pathfinder.ProductFootprintRequest.Rejected.v1"
)

// PACTResponderOptions configure a PACTResponder. Zero values take the
// defaults given.
type PACTResponderOptions struct {
	// Store holds the PACT partners and the footprints; required.
	Store  registry.Store
	Logger *slog.Logger // nil: slog.Default()
	// Client sends the requests to partners; nil: a new http.Client. Its
	// redirect policy is replaced: redirects are never followed.
	Client *http.Client
	// Source is the CloudEvents source of the answers, e.g.
	// "//pact.alcarbon.example"; "": "//" and the Host the request event
	// was sent to.
	Source string
	// Workers answer concurrently; default 4.
	Workers int
	// QueueSize bounds the answers waiting for a worker; default 1000.
	// When it is full, request events get 503 InternalError and Retry-After.
	QueueSize int
	// Attempts bounds the tries of one answer (token and event); default 8.
	Attempts int
	// Backoff is the wait after the first failed attempt, doubled after
	// each further one up to MaxBackoff; defaults 2 s and 5 min (8
	// attempts span about 8.5 min).
	Backoff, MaxBackoff time.Duration
	// AttemptTimeout bounds one attempt: the footprint lookup, the token
	// request and the event request; default 30 s.
	AttemptTimeout time.Duration
}

// PACTResponder sends answers to PACT footprint request events in the
// background. It is safe for concurrent use. Shutdown stops it.
type PACTResponder struct {
	store          registry.Store
	log            *slog.Logger
	client         *http.Client
	source         string
	attempts       int
	backoff        time.Duration
	maxBackoff     time.Duration
	attemptTimeout time.Duration

	mu       sync.Mutex // guards closed and sends on jobs
	closed   bool
	jobs     chan pactAnswer
	stopping chan struct{} // closed by Shutdown: no further retries
	// ctx ends when Shutdown gives up waiting, aborting requests in flight.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewPACTResponder starts the workers of a PACTResponder.
func NewPACTResponder(o PACTResponderOptions) *PACTResponder {
	def := func(v, d int) int {
		if v <= 0 {
			return d
		}
		return v
	}
	defDur := func(v, d time.Duration) time.Duration {
		if v <= 0 {
			return d
		}
		return v
	}
	client := &http.Client{}
	if o.Client != nil {
		c := *o.Client
		client = &c
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &PACTResponder{
		store: o.Store, log: log, client: client, source: o.Source,
		attempts: def(o.Attempts, 8), backoff: defDur(o.Backoff, 2*time.Second),
		maxBackoff: defDur(o.MaxBackoff, 5*time.Minute), attemptTimeout: defDur(o.AttemptTimeout, 30*time.Second),
		jobs: make(chan pactAnswer, def(o.QueueSize, 1000)), stopping: make(chan struct{}),
		ctx: ctx, cancel: cancel,
	}
	for range def(o.Workers, 4) {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			for j := range r.jobs {
				r.deliver(j)
			}
		}()
	}
	return r
}

// Shutdown stops taking answers and waits until the queued ones have had
// one more attempt each and the attempts in flight have ended; answers
// that would need a retry are dropped, with a log line each. When ctx ends
// first, the requests in flight are aborted and Shutdown returns ctx's
// error once the workers have stopped. Calling it again waits again.
func (r *PACTResponder) Shutdown(ctx context.Context) error {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.jobs)
		close(r.stopping)
	}
	r.mu.Unlock()
	done := make(chan struct{})
	go func() {
		r.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		r.cancel()
		return nil
	case <-ctx.Done():
		r.cancel()
		<-done
		return fmt.Errorf("PACT answers: %w", ctx.Err())
	}
}

// errAnswerQueueFull: the queue is full or the responder is shutting down.
var errAnswerQueueFull = errors.New("PACT answer queue full or shutting down")

// enqueue queues j without blocking.
func (r *PACTResponder) enqueue(j pactAnswer) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return errAnswerQueueFull
	}
	select {
	case r.jobs <- j:
		return nil
	default:
		return errAnswerQueueFull
	}
}

// pactAnswer is a footprint request to answer.
type pactAnswer struct {
	partner        registry.PACTPartner
	requestEventID string
	productIDs     []string
	source         string // CloudEvents source of the answer
	requestID      string // of the HTTP request that brought the event, for the log
}

// answerFootprintRequest queues the answer to a valid
// ProductFootprintRequest.Created.v1 event, or logs why it cannot be
// answered. Only a registry failure (the sender should retry) or a full
// queue is an error; the event is accepted otherwise.
func (s *server) answerFootprintRequest(c echo.Context, ev cloudEvent, productIDs []string) error {
	log := s.log.With("request_id", requestID(c), "event_id", ev.ID, "source", ev.Source)
	if s.pactAnswers == nil {
		log.Warn("PACT footprint request not answered: answering is not configured")
		return nil
	}
	p, err := s.store.PACTPartnerBySource(c.Request().Context(), ev.Source)
	if errors.Is(err, registry.ErrNotFound) {
		log.Warn("PACT footprint request cannot be answered: no credentials for its source; add them with alcarbon pact-partners add")
		return nil
	}
	if err != nil {
		return err
	}
	log = log.With("partner_id", p.ID, "events_url", p.EventsURL())
	if p.OrgID != "" && p.OrgID != viewerID(c) {
		// Another organisation's client may not make this host send
		// footprints to a partner that is not its own.
		log.Warn("PACT footprint request not answered: its source is a partner of another organisation than the token's", "org_id", viewerID(c))
		return nil
	}
	source := s.pactAnswers.source
	if source == "" {
		source = "//" + c.Request().Host
	}
	err = s.pactAnswers.enqueue(pactAnswer{
		partner: p, requestEventID: ev.ID, productIDs: productIDs, source: source, requestID: requestID(c),
	})
	if err != nil {
		log.Error("PACT footprint request refused: " + err.Error())
		c.Response().Header().Set("Retry-After", "60")
		return pactErr(http.StatusServiceUnavailable, "InternalError", "too many footprint requests are waiting to be answered; retry later")
	}
	log.Info("PACT footprint request queued for an answer")
	return nil
}

// permanentError is a failure retrying cannot mend.
type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

// deliver sends j's answer, retrying with back-off, and logs the outcome.
func (r *PACTResponder) deliver(j pactAnswer) {
	log := r.log.With("request_id", j.requestID, "event_id", j.requestEventID, "partner_id", j.partner.ID,
		"events_url", j.partner.EventsURL())
	var (
		body    []byte
		outcome string
	)
	for attempt := 1; ; attempt++ {
		err := func() error {
			ctx, cancel := context.WithTimeout(r.ctx, r.attemptTimeout)
			defer cancel()
			if body == nil {
				b, typ, err := r.answer(ctx, j)
				if err != nil {
					return err
				}
				body, outcome = b, typ
			}
			token, err := r.token(ctx, j.partner)
			if err != nil {
				return err
			}
			return r.post(ctx, j.partner, token, body)
		}()
		if err == nil {
			log.Info("PACT footprint request answered", "type", outcome, "attempts", attempt)
			return
		}
		var perm permanentError
		if errors.As(err, &perm) || attempt >= r.attempts {
			log.Error("PACT footprint request answer given up", "type", outcome, "attempts", attempt, "error", err.Error())
			return
		}
		wait := r.backoff << (attempt - 1)
		if wait > r.maxBackoff || wait <= 0 {
			wait = r.maxBackoff
		}
		log.Warn("PACT footprint request answer failed; will retry", "attempt", attempt, "retry_in", wait.String(), "error", err.Error())
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-r.stopping:
			t.Stop()
			log.Error("PACT footprint request answer dropped at shutdown: the in-process retry queue does not survive a restart",
				"type", outcome, "attempts", attempt)
			return
		}
	}
}

// pactRejection is the data of a ProductFootprintRequest.Rejected.v1.
type pactRejection struct {
	RequestEventID string     `json:"requestEventId"`
	Error          *pactError `json:"error"`
}

// pactFulfilment is the data of a ProductFootprintRequest.Fulfilled.v1.
type pactFulfilment struct {
	RequestEventID string          `json:"requestEventId"`
	Pfs            []pactFootprint `json:"pfs"`
}

// answer builds the answer event to j: Fulfilled with the active
// footprints of the requested products the partner may see (public ones
// and, when the partner is an organisation here, those restricted to it),
// else Rejected with NoSuchFootprint. It returns the body and the type.
func (r *PACTResponder) answer(ctx context.Context, j pactAnswer) ([]byte, string, error) {
	ds, err := findDeclarations(ctx, r.store, j.partner.OrgID, j.productIDs)
	if err != nil {
		return nil, "", err
	}
	ev := struct {
		cloudEvent
		Data any `json:"data"`
	}{cloudEvent: cloudEvent{
		SpecVersion: "1.0", ID: uuid.NewString(), Source: j.source, Time: pactDateTime(time.Now()),
	}}
	if len(ds) == 0 {
		ev.Type = eventRequestRejected
		ev.Data = pactRejection{RequestEventID: j.requestEventID,
			Error: pactErr(http.StatusNotFound, "NoSuchFootprint", "The specified footprint does not exist.")}
	} else {
		pfs := make([]pactFootprint, 0, len(ds))
		for _, d := range ds {
			fp, err := newPACTFootprint(d)
			if err != nil {
				return nil, "", permanentError{err}
			}
			pfs = append(pfs, fp)
		}
		ev.Type = eventRequestFulfilled
		ev.Data = pactFulfilment{RequestEventID: j.requestEventID, Pfs: pfs}
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return nil, "", permanentError{err}
	}
	return b, ev.Type, nil
}

// maxPartnerResponse bounds what is read of a partner's answers [bytes].
const maxPartnerResponse = 1 << 20

// token obtains an access token from the partner by OAuth2 client
// credentials (RFC 6749 §4.4, HTTP Basic with the form-urlencoded ID and
// secret, §2.3.1). Its errors never carry the secret or a token.
func (r *PACTResponder) token(ctx context.Context, p registry.PACTPartner) (string, error) {
	form := url.Values{"grant_type": {"client_credentials"}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.TokenURL, strings.NewReader(form))
	if err != nil {
		return "", permanentError{fmt.Errorf("token request: %w", err)}
	}
	req.SetBasicAuth(url.QueryEscape(p.ClientID), url.QueryEscape(p.ClientSecret.Reveal()))
	req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
	req.Header.Set(echo.HeaderAccept, echo.MIMEApplicationJSON)
	resp, err := r.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("token request: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPartnerResponse))
	if err != nil {
		return "", fmt.Errorf("token response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var oe struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(body, &oe)
		return "", fmt.Errorf("token endpoint %s answered %s %s", p.TokenURL, resp.Status, oe.Error)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("token endpoint %s answered 200 without an access_token", p.TokenURL)
	}
	if tok.TokenType != "" && !strings.EqualFold(tok.TokenType, "bearer") {
		return "", fmt.Errorf("token endpoint %s issued a %q token, not a bearer token", p.TokenURL, tok.TokenType)
	}
	return tok.AccessToken, nil
}

// post sends an event to the partner's Action Events endpoint. A 2xx
// answer is success; 4xx other than 401, 408 and 429 is permanent.
func (r *PACTResponder) post(ctx context.Context, p registry.PACTPartner, token string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.EventsURL(), bytes.NewReader(body))
	if err != nil {
		return permanentError{fmt.Errorf("event request: %w", err)}
	}
	req.Header.Set(echo.HeaderContentType, "application/cloudevents+json; charset=UTF-8")
	req.Header.Set(echo.HeaderAuthorization, "Bearer "+token)
	resp, err := r.client.Do(req)
	if err != nil {
		return fmt.Errorf("event request: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxPartnerResponse))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	var pe struct {
		Code string `json:"code"`
	}
	_ = json.Unmarshal(b, &pe)
	err = fmt.Errorf("events endpoint answered %s %s", resp.Status, pe.Code)
	switch {
	case resp.StatusCode == http.StatusUnauthorized, resp.StatusCode == http.StatusRequestTimeout,
		resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500:
		return err
	}
	return permanentError{err}
}
