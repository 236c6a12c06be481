package pact

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
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"alcarbon/registry"
)

// This file answers PACT footprint request events (spec § "Asynchronous
// request and retrieval of Product Footprints"): a data recipient's
// ProductFootprintRequest.Created.v1 is acknowledged with 200 at once, and
// a Responder then sends ProductFootprintRequest.Fulfilled.v1 (the
// matching footprints) or Rejected.v1 (NoSuchFootprint) to the recipient's
// Action Events endpoint, with an access token it obtains from the
// recipient by OAuth2 client credentials (golang.org/x/oauth2/
// clientcredentials) and keeps for later answers until it expires or an
// event request with it fails.
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

// ResponderOptions configure a Responder. Zero values take the
// defaults given.
type ResponderOptions struct {
	// Store holds the PACT partners and the footprints; required.
	Store  registry.Store
	Logger *slog.Logger // nil: slog.Default()
	// Client sends the requests to partners, token requests included
	// (golang.org/x/oauth2 gets it as its HTTPClient context value); nil: a
	// new http.Client. Its redirect policy is replaced: redirects are
	// never followed.
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

// Responder sends answers to PACT footprint request events in the
// background. It is safe for concurrent use. Shutdown stops it.
type Responder struct {
	store          registry.Store
	log            *slog.Logger
	client         *http.Client
	source         string
	attempts       int
	backoff        time.Duration
	maxBackoff     time.Duration
	attemptTimeout time.Duration

	tokensMu sync.Mutex               // guards tokens
	tokens   map[string]*partnerToken // by partner ID

	mu       sync.Mutex // guards closed and sends on jobs
	closed   bool
	jobs     chan pactAnswer
	stopping chan struct{} // closed by Shutdown: no further retries
	// ctx ends when Shutdown gives up waiting, aborting requests in flight.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewResponder starts the workers of a Responder.
func NewResponder(o ResponderOptions) *Responder {
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
	r := &Responder{
		store: o.Store, log: log, client: client, source: o.Source,
		attempts: def(o.Attempts, 8), backoff: defDur(o.Backoff, 2*time.Second),
		maxBackoff: defDur(o.MaxBackoff, 5*time.Minute), attemptTimeout: defDur(o.AttemptTimeout, 30*time.Second),
		tokens: map[string]*partnerToken{},
		jobs:   make(chan pactAnswer, def(o.QueueSize, 1000)), stopping: make(chan struct{}),
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
func (r *Responder) Shutdown(ctx context.Context) error {
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
func (r *Responder) enqueue(j pactAnswer) error {
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

// permanentError is a failure retrying cannot mend.
type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

// deliver sends j's answer, retrying with back-off, and logs the outcome.
func (r *Responder) deliver(j pactAnswer) {
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
			if err := r.post(ctx, j.partner, token, body); err != nil {
				// The token may be the cause (a 401 says so; a partner
				// that restarted may have forgotten it): the next attempt,
				// or answer, asks for a new one.
				r.forgetToken(j.partner, token)
				return err
			}
			return nil
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
	RequestEventID string `json:"requestEventId"`
	Error          *Error `json:"error"`
}

// pactFulfilment is the data of a ProductFootprintRequest.Fulfilled.v1.
type pactFulfilment struct {
	RequestEventID string             `json:"requestEventId"`
	Pfs            []ProductFootprint `json:"pfs"`
}

// answer builds the answer event to j: Fulfilled with the active
// footprints of the requested products the partner may see (public ones
// and, when the partner is an organisation here, those restricted to it),
// else Rejected with NoSuchFootprint. It returns the body and the type.
func (r *Responder) answer(ctx context.Context, j pactAnswer) ([]byte, string, error) {
	ds, err := findDeclarations(ctx, r.store, j.partner.OrgID, j.productIDs)
	if err != nil {
		return nil, "", err
	}
	ev := struct {
		CloudEvent
		Data any `json:"data"`
	}{CloudEvent: CloudEvent{
		SpecVersion: "1.0", ID: uuid.NewString(), Source: j.source, Time: pactDateTime(time.Now()),
	}}
	if len(ds) == 0 {
		ev.Type = EventRequestRejected
		ev.Data = pactRejection{RequestEventID: j.requestEventID,
			Error: pactErr(http.StatusNotFound, "NoSuchFootprint", "The specified footprint does not exist.")}
	} else {
		pfs := make([]ProductFootprint, 0, len(ds))
		for _, d := range ds {
			fp, err := NewFootprint(d)
			if err != nil {
				return nil, "", permanentError{err}
			}
			pfs = append(pfs, fp)
		}
		ev.Type = EventRequestFulfilled
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

// partnerToken is a partner's client-credentials configuration and the
// last access token it issued.
type partnerToken struct {
	mu    sync.Mutex // held while a token is fetched: one request at a time
	conf  clientcredentials.Config
	token *oauth2.Token
}

// partnerToken returns p's token cache, a new one when p's credentials or
// token URL changed.
func (r *Responder) partnerToken(p registry.PACTPartner) *partnerToken {
	conf := clientcredentials.Config{
		ClientID: p.ClientID, ClientSecret: p.ClientSecret.Reveal(), TokenURL: p.TokenURL,
		// RFC 6749 §2.3.1: HTTP Basic with the form-urlencoded ID and
		// secret, never in the body, and no second try in another style.
		AuthStyle: oauth2.AuthStyleInHeader,
	}
	r.tokensMu.Lock()
	defer r.tokensMu.Unlock()
	t := r.tokens[p.ID]
	if t == nil || t.conf.ClientID != conf.ClientID || t.conf.ClientSecret != conf.ClientSecret || t.conf.TokenURL != conf.TokenURL {
		t = &partnerToken{conf: conf}
		r.tokens[p.ID] = t
	}
	return t
}

// token returns an access token of the partner: the one it issued last
// while it is valid (until 10 s before it expires, golang.org/x/oauth2's
// margin), else a new one by OAuth2 client credentials (RFC 6749 §4.4),
// requested with r's client. Its errors never carry the secret or a token.
func (r *Responder) token(ctx context.Context, p registry.PACTPartner) (string, error) {
	t := r.partnerToken(p)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token.Valid() {
		return t.token.AccessToken, nil
	}
	tok, err := t.conf.Token(context.WithValue(ctx, oauth2.HTTPClient, r.client))
	var (
		re *oauth2.RetrieveError
		ue *url.Error
	)
	switch {
	case errors.As(err, &re):
		return "", fmt.Errorf("token endpoint %s answered %s %s", p.TokenURL, re.Response.Status, re.ErrorCode)
	case errors.As(err, &ue) && ue.Op == "parse":
		return "", permanentError{fmt.Errorf("token request: %w", err)}
	case errors.As(err, &ue):
		return "", fmt.Errorf("token request: %w", err)
	case err != nil:
		// The body could not be read or held no access token.
		return "", fmt.Errorf("token endpoint %s answered without an access_token", p.TokenURL)
	case tok.TokenType != "" && !strings.EqualFold(tok.TokenType, "bearer"):
		return "", fmt.Errorf("token endpoint %s issued a %q token, not a bearer token", p.TokenURL, tok.TokenType)
	}
	t.token = tok
	return tok.AccessToken, nil
}

// forgetToken drops p's cached token if it is still token, so that the
// next attempt asks for a new one.
func (r *Responder) forgetToken(p registry.PACTPartner, token string) {
	t := r.partnerToken(p)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token != nil && t.token.AccessToken == token {
		t.token = nil
	}
}

// post sends an event to the partner's Action Events endpoint. A 2xx
// answer is success; 4xx other than 401, 408 and 429 is permanent.
func (r *Responder) post(ctx context.Context, p registry.PACTPartner, token string, body []byte) error {
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
