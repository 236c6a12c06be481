package pact

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
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
// Answers wait in the registry database, in its PACT outbox
// (registry.Store.EnqueuePACTAnswer), so they survive a restart: the
// request event gets its 200 once its answer is stored, and 503 with
// Retry-After when it cannot be (the database is down, or the responder is
// shut down). A dispatcher loop claims due answers (ClaimPACTAnswers: a
// lease, exclusive across the replicas sharing the database) and hands each
// to a goroutine for one attempt; an attempt that fails is not waited out
// but written back with its next attempt time, exponential back-off from
// Backoff to MaxBackoff, and that time applies to all the partner's pending
// answers (a partner that is down is tried once per period, not once per
// answer). Claims take one answer per partner and none of a partner with
// one in flight, so one partner that is slow or down holds at most one of
// the Workers, and the others' answers go beside it: a dead partner delays
// another partner's answer by one attempt at most, and only when every
// worker is busy. An answer is sent at least once: a process that dies
// mid-attempt leaves a lease that runs out (LeaseFor) and the answer is
// claimed again; every attempt sends the same CloudEvent id, built once.
// After Attempts attempts, or a permanent error, it is marked failed.
// Why this is SQL of our own and not a job-queue library: registry/outbox.go.

// ResponderOptions configure a Responder. Zero values take the
// defaults given.
type ResponderOptions struct {
	// Store holds the PACT partners, the footprints and the outbox; required.
	Store  registry.Store
	Logger *slog.Logger // nil: slog.Default()
	// Client sends the requests to partners, token requests included
	// (golang.org/x/oauth2 gets it as its HTTPClient context value); nil: a
	// new http.Client that connects directly (no proxy) and, unless
	// AllowPrivatePartners, refuses to connect to loopback, private,
	// link-local, multicast and metadata addresses (dialControl). Its
	// redirect policy is replaced: redirects are never followed.
	Client *http.Client
	// AllowPrivatePartners lets the default Client connect to any address
	// (ALCARBON_PACT_ALLOW_PRIVATE_PARTNERS, for tests and closed networks).
	AllowPrivatePartners bool
	// Source is the CloudEvents source of the answers, e.g.
	// "//pact.alcarbon.example"; "": "//" and the Host the request event
	// was sent to.
	Source string
	// Workers bounds the attempts in flight in this process; default 4.
	Workers int
	// Attempts bounds the tries of one answer (token and event); default 8.
	Attempts int
	// Backoff is the wait after the first failed attempt, doubled after
	// each further one up to MaxBackoff; defaults 2 s and 5 min (8
	// attempts span about 8.5 min).
	Backoff, MaxBackoff time.Duration
	// AttemptTimeout bounds one attempt: the footprint lookup, the token
	// request and the event request; default 30 s.
	AttemptTimeout time.Duration
	// PollInterval is how often the outbox is looked at for answers this
	// process was not told of (queued by another replica, or left by a
	// process that stopped); default 1 s.
	PollInterval time.Duration
	// Registerer, when not nil, gets the outbox's metrics.
	Registerer prometheus.Registerer
}

// Responder sends answers to PACT footprint request events in the
// background. It is safe for concurrent use. Shutdown stops it.
type Responder struct {
	store          registry.Store
	log            *slog.Logger
	client         *http.Client
	source         string
	workers        int
	attempts       int
	backoff        time.Duration
	maxBackoff     time.Duration
	attemptTimeout time.Duration
	poll           time.Duration
	lease          time.Duration
	attemptsTotal  *prometheus.CounterVec

	tokensMu sync.Mutex               // guards tokens
	tokens   map[string]*partnerToken // by partner ID

	mu       sync.Mutex // guards closed
	closed   bool
	wake     chan struct{} // a token asks the dispatcher to claim now
	stopping chan struct{} // closed by Shutdown: claim no more
	done     chan struct{} // closed when the dispatcher and its attempts have ended
	inflight atomic.Int32
	// ctx ends when Shutdown gives up waiting, aborting requests in flight.
	ctx    context.Context
	cancel context.CancelFunc
}

// LeaseFor is how long a claim on an answer lasts, for an attempt bounded
// by attemptTimeout: the attempt and the write of its outcome fit in it.
func LeaseFor(attemptTimeout time.Duration) time.Duration {
	return 2*attemptTimeout + 10*time.Second
}

// NewResponder starts the dispatcher of a Responder.
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
	var client *http.Client
	if o.Client != nil {
		c := *o.Client
		client = &c
	} else {
		client = newPartnerClient(o.AllowPrivatePartners)
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &Responder{
		store: o.Store, log: log, client: client, source: o.Source, workers: def(o.Workers, 4),
		attempts: def(o.Attempts, 8), backoff: defDur(o.Backoff, 2*time.Second),
		maxBackoff: defDur(o.MaxBackoff, 5*time.Minute), attemptTimeout: defDur(o.AttemptTimeout, 30*time.Second),
		poll:   defDur(o.PollInterval, time.Second),
		tokens: map[string]*partnerToken{},
		wake:   make(chan struct{}, 1), stopping: make(chan struct{}), done: make(chan struct{}),
		ctx: ctx, cancel: cancel,
		attemptsTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alcarbon_pact_answer_attempts_total",
			Help: "Attempts at sending PACT footprint request answers by this process, by result: sent, retry or failed (given up).",
		}, []string{"result"}),
	}
	r.lease = LeaseFor(r.attemptTimeout)
	if o.Registerer != nil {
		o.Registerer.MustRegister(r.attemptsTotal, outboxCollector{store: o.Store, log: log})
	}
	go r.dispatch()
	return r
}

// newPartnerClient returns the client for partners: http.DefaultTransport's
// settings without a proxy (a proxy would be dialled instead of the
// partner, and its address checked instead of the partner's), dialling
// with dialControl unless allowPrivate.
func newPartnerClient(allowPrivate bool) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = dialControl
	}
	t.DialContext = d.DialContext
	return &http.Client{Transport: t}
}

// Shutdown stops claiming answers and waits until the attempts in flight
// have ended; answers not yet sent stay in the outbox, for the next start
// or another replica. When ctx ends first, the requests in flight are
// aborted (their answers stay pending) and Shutdown returns ctx's error
// once the attempts have stopped. Calling it again waits again.
func (r *Responder) Shutdown(ctx context.Context) error {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.stopping)
	}
	r.mu.Unlock()
	select {
	case <-r.done:
		r.cancel()
		return nil
	case <-ctx.Done():
		r.cancel()
		<-r.done
		return fmt.Errorf("PACT answers: %w", ctx.Err())
	}
}

// errResponderClosed: the responder is shut down.
var errResponderClosed = errors.New("PACT responder shut down")

// enqueueTimeout bounds the write of an answer to the outbox.
const enqueueTimeout = 5 * time.Second

// enqueue stores j's answer in the outbox and tells the dispatcher. A
// request event the partner sent before is not answered twice.
func (r *Responder) enqueue(j pactAnswer) error {
	r.mu.Lock()
	closed := r.closed
	r.mu.Unlock()
	if closed {
		return errResponderClosed
	}
	ctx, cancel := context.WithTimeout(context.Background(), enqueueTimeout)
	defer cancel()
	a, created, err := r.store.EnqueuePACTAnswer(ctx, registry.PACTAnswer{
		PartnerID: j.partner.ID, RequestEventID: j.requestEventID, ProductIDs: j.productIDs,
		Source: j.source, RequestID: j.requestID,
	})
	if err != nil {
		return fmt.Errorf("PACT outbox: %w", err)
	}
	if !created {
		r.log.Info("PACT footprint request seen before: its answer is already queued or sent", "request_id", j.requestID,
			"event_id", j.requestEventID, "partner_id", j.partner.ID, "answer_id", a.ID, "status", a.Status)
	}
	r.poke()
	return nil
}

// poke asks the dispatcher to claim without waiting for its next poll.
func (r *Responder) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
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

// partnerError is a failure of the partner (no connection, no token, a
// 5xx): its other answers back off with this one.
type partnerError struct{ error }

func (e partnerError) Unwrap() error { return e.error }

// dispatch claims due answers while workers are free, and starts an
// attempt at each, until Shutdown.
func (r *Responder) dispatch() {
	var attempts sync.WaitGroup
	defer func() {
		attempts.Wait()
		close(r.done)
	}()
	poll := time.NewTimer(0)
	defer poll.Stop()
	failing := false // the last claim failed: log recovery once
	var pruned time.Time
	for {
		select {
		case <-r.stopping:
			return
		case <-r.wake:
		case <-poll.C:
		}
		if time.Since(pruned) > pruneEvery {
			pruned = time.Now()
			r.prune()
		}
		free := r.workers - int(r.inflight.Load())
		if free > 0 {
			ctx, cancel := context.WithTimeout(r.ctx, r.attemptTimeout)
			claimed, err := r.store.ClaimPACTAnswers(ctx, free, r.lease)
			cancel()
			switch {
			case err != nil && !failing:
				failing = true
				r.log.Error("PACT outbox: cannot claim answers; retrying", "error", err.Error())
			case err == nil && failing:
				failing = false
				r.log.Info("PACT outbox: claiming answers again")
			}
			for _, a := range claimed {
				r.inflight.Add(1)
				attempts.Add(1)
				go func() {
					defer attempts.Done()
					r.deliver(a)
					r.inflight.Add(-1)
					r.poke()
				}()
			}
		}
		if !poll.Stop() {
			select {
			case <-poll.C:
			default:
			}
		}
		poll.Reset(r.poll)
	}
}

// Sent answers are kept for sentRetention (for pact-partners list, the
// metric and a request event sent again, which is answered once while its
// answer is kept), then deleted, every pruneEvery by each replica.
const (
	sentRetention = 30 * 24 * time.Hour
	pruneEvery    = time.Hour
)

// prune deletes the answers sent more than sentRetention ago.
func (r *Responder) prune() {
	ctx, cancel := context.WithTimeout(r.ctx, finishTimeout)
	defer cancel()
	n, err := r.store.PrunePACTAnswers(ctx, time.Now().Add(-sentRetention))
	switch {
	case err != nil:
		r.log.Debug("PACT outbox: cannot delete old sent answers", "error", err.Error())
	case n > 0:
		r.log.Info("PACT outbox: old sent answers deleted", "answers", n, "sent_before", time.Now().Add(-sentRetention).Format(time.RFC3339))
	}
}

// finishTimeout bounds the write of an attempt's outcome.
const finishTimeout = 10 * time.Second

// deliver makes one attempt at a claimed answer and records the outcome:
// sent, failed (permanent error or last attempt) or pending until its
// next attempt.
func (r *Responder) deliver(a registry.PACTAnswer) {
	log := r.log.With("request_id", a.RequestID, "event_id", a.RequestEventID, "answer_id", a.ID,
		"partner_id", a.PartnerID, "events_url", a.Partner.EventsURL())
	body := a.Payload
	outcome := answerType(body)
	err := func() error {
		ctx, cancel := context.WithTimeout(r.ctx, r.attemptTimeout)
		defer cancel()
		if body == nil {
			b, typ, err := r.answer(ctx, a)
			if err != nil {
				return err
			}
			body, outcome = b, typ
		}
		token, err := r.token(ctx, a.Partner)
		if err != nil {
			return err
		}
		if err := r.post(ctx, a.Partner, token, body); err != nil {
			// The token may be the cause (a 401 says so; a partner
			// that restarted may have forgotten it): the next attempt,
			// or answer, asks for a new one.
			r.forgetToken(a.Partner, token)
			return err
		}
		return nil
	}()
	res := registry.PACTAnswerOutcome{Payload: body}
	var perm permanentError
	var partner partnerError
	switch {
	case err == nil:
		res.Status = registry.AnswerSent
		log.Info("PACT footprint request answered", "type", outcome, "attempts", a.Attempts)
	case r.ctx.Err() != nil:
		// Shutdown gave up waiting: the answer stays pending, due now.
		res.Status, res.Error = registry.AnswerPending, err.Error()
		log.Warn("PACT footprint request answer interrupted at shutdown; it stays in the outbox", "type", outcome, "attempts", a.Attempts)
	case errors.As(err, &perm) || a.Attempts >= r.attempts:
		res.Status, res.Error = registry.AnswerFailed, err.Error()
		log.Error("PACT footprint request answer given up", "type", outcome, "attempts", a.Attempts, "error", err.Error())
	default:
		wait := r.backoff << (a.Attempts - 1)
		if wait > r.maxBackoff || wait <= 0 {
			wait = r.maxBackoff
		}
		res.Status, res.Error, res.RetryIn = registry.AnswerPending, err.Error(), wait
		res.PartnerDown = errors.As(err, &partner)
		log.Warn("PACT footprint request answer failed; will retry", "attempt", a.Attempts, "retry_in", wait.String(), "error", err.Error())
		time.AfterFunc(wait, r.poke)
	}
	r.attemptsTotal.WithLabelValues(map[string]string{
		registry.AnswerSent: "sent", registry.AnswerFailed: "failed", registry.AnswerPending: "retry",
	}[res.Status]).Inc()
	ctx, cancel := context.WithTimeout(context.Background(), finishTimeout)
	defer cancel()
	if err := r.store.FinishPACTAnswer(ctx, a.ID, a.Claim, res); err != nil {
		// The lease runs out and the answer is claimed again: sent
		// twice at worst, with the same event id.
		log.Error("PACT outbox: cannot record the attempt's outcome", "status", res.Status, "error", err.Error())
	}
}

// answerType returns the type of an answer event built before, "" if none.
func answerType(body []byte) string {
	var ev struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(body, &ev)
	return ev.Type
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

// answer builds the answer event a: Fulfilled with the active footprints
// of the requested products the partner may see (public ones and, when the
// partner is an organisation here, those restricted to it), else Rejected
// with NoSuchFootprint; its id is a.ID and its time a.CreatedAt. It
// returns the body and the type.
func (r *Responder) answer(ctx context.Context, a registry.PACTAnswer) ([]byte, string, error) {
	ds, err := findDeclarations(ctx, r.store, a.Partner.OrgID, a.ProductIDs)
	if err != nil {
		return nil, "", err
	}
	ev := struct {
		CloudEvent
		Data any `json:"data"`
	}{CloudEvent: CloudEvent{
		SpecVersion: "1.0", ID: a.ID, Source: a.Source, Time: pactDateTime(a.CreatedAt),
	}}
	if len(ds) == 0 {
		ev.Type = EventRequestRejected
		ev.Data = pactRejection{RequestEventID: a.RequestEventID,
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
		ev.Data = pactFulfilment{RequestEventID: a.RequestEventID, Pfs: pfs}
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
	case errors.Is(err, ErrPrivatePartnerAddr):
		return "", permanentError{fmt.Errorf("token request: %w", err)}
	case errors.As(err, &re):
		return "", partnerError{fmt.Errorf("token endpoint %s answered %s %s", p.TokenURL, re.Response.Status, re.ErrorCode)}
	case errors.As(err, &ue) && ue.Op == "parse":
		return "", permanentError{fmt.Errorf("token request: %w", err)}
	case errors.As(err, &ue):
		return "", partnerError{fmt.Errorf("token request: %w", err)}
	case err != nil:
		// The body could not be read or held no access token.
		return "", partnerError{fmt.Errorf("token endpoint %s answered without an access_token", p.TokenURL)}
	case tok.TokenType != "" && !strings.EqualFold(tok.TokenType, "bearer"):
		return "", partnerError{fmt.Errorf("token endpoint %s issued a %q token, not a bearer token", p.TokenURL, tok.TokenType)}
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
	if errors.Is(err, ErrPrivatePartnerAddr) {
		return permanentError{fmt.Errorf("event request: %w", err)}
	}
	if err != nil {
		return partnerError{fmt.Errorf("event request: %w", err)}
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
		return partnerError{err}
	}
	return permanentError{err}
}

// outboxCollector exports the outbox's answers by status, counted in the
// database at each scrape (all replicas' answers): a growing pending count
// is answers waiting, a growing failed count answers given up.
type outboxCollector struct {
	store registry.Store
	log   *slog.Logger
}

var outboxDesc = prometheus.NewDesc("alcarbon_pact_outbox_answers",
	"PACT footprint request answers in the outbox, by status: pending, sent or failed.", []string{"status"}, nil)

func (c outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- outboxDesc }

func (c outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := c.store.PACTOutbox(ctx)
	if err != nil {
		c.log.Debug("PACT outbox metric: cannot count answers", "error", err.Error())
		return
	}
	var sum registry.PACTOutboxCounts
	for _, n := range counts {
		sum.Pending += n.Pending
		sum.Sent += n.Sent
		sum.Failed += n.Failed
	}
	for status, n := range map[string]int{registry.AnswerPending: sum.Pending, registry.AnswerSent: sum.Sent, registry.AnswerFailed: sum.Failed} {
		ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(n), status)
	}
}
