package pact

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"alcarbon/registry"
)

// fakePartner is a data recipient's PACT host: /auth/token issues a token
// for its one client (HTTP Basic, client_credentials), /2/events accepts
// events carrying that token and hands their bodies to events.
type fakePartner struct {
	t                *testing.T
	srv              *httptest.Server
	clientID, secret string
	token            string
	// tokenStatus, when not 0, is the status /auth/token answers with.
	tokenStatus atomic.Int32
	// eventsStatus, when not 0, is the status /2/events answers with.
	eventsStatus atomic.Int32
	// failEvents is how many event requests to answer 503 first.
	failEvents atomic.Int32
	// expiresIn, when not 0, is the expires_in of the tokens issued
	// (default 3600).
	expiresIn atomic.Int32
	// hold, when set, delays /2/events until it is closed.
	hold                  chan struct{}
	tokenCalls, eventHits atomic.Int32
	events                chan []byte
}

func newFakePartner(t *testing.T) *fakePartner {
	f := &fakePartner{
		t: t, clientID: "alcarbon at buyer", secret: "partner-secret+/=1", token: "tok-" + t.Name(),
		events: make(chan []byte, 16),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /pact/auth/token", func(w http.ResponseWriter, r *http.Request) {
		f.tokenCalls.Add(1)
		if s := f.tokenStatus.Load(); s != 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(int(s))
			io.WriteString(w, `{"error": "invalid_client"}`)
			return
		}
		id, secret, ok := r.BasicAuth()
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
		if err := r.ParseForm(); err != nil || !ok || id != f.clientID || secret != f.secret ||
			r.PostForm.Get("grant_type") != "client_credentials" ||
			r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			t.Errorf("token request: basic %v %q, form %v, content type %q", ok, id, r.PostForm, r.Header.Get("Content-Type"))
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		expiresIn := int32(3600)
		if v := f.expiresIn.Load(); v != 0 {
			expiresIn = v
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token": "`+f.token+`", "token_type": "Bearer", "expires_in": `+strconv.Itoa(int(expiresIn))+`}`)
	})
	mux.HandleFunc("POST /pact/2/events", func(w http.ResponseWriter, r *http.Request) {
		f.eventHits.Add(1)
		if f.hold != nil {
			<-f.hold
		}
		if s := f.eventsStatus.Load(); s != 0 {
			w.WriteHeader(int(s))
			return
		}
		if f.failEvents.Add(-1) >= 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if r.Header.Get("Authorization") != "Bearer "+f.token || mt != "application/cloudevents+json" || params["charset"] != "UTF-8" {
			t.Errorf("event request: Authorization %q, Content-Type %q", r.Header.Get("Authorization"), r.Header.Get("Content-Type"))
			w.WriteHeader(http.StatusForbidden)
			return
		}
		b, _ := io.ReadAll(r.Body)
		f.events <- b
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// base is the partner's PACT API base URL.
func (f *fakePartner) base() string { return f.srv.URL + "/pact" }

// next returns the next event the partner received.
func (f *fakePartner) next(t *testing.T) map[string]any {
	t.Helper()
	select {
	case b := <-f.events:
		var ev map[string]any
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatalf("event body is not JSON: %v: %s", err, b)
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("the partner received no event within 10 s")
		return nil
	}
}

// pactAnswerEnv is an env whose footprint requests are answered by a
// Responder with fast retries.
type pactAnswerEnv struct {
	*env
	responder *Responder
	supplier  registry.Organisation
	buyer     registry.Organisation
	token     string // a PACT access token of the buyer
}

func newPACTAnswerEnv(t *testing.T, open storeOpener) *pactAnswerEnv {
	t.Helper()
	var responder *Responder
	r := newEnv(t, open, func(o *Options) {
		responder = NewResponder(ResponderOptions{
			Store: o.Store, Logger: o.Logger, Workers: 2, Attempts: 3, AllowPrivatePartners: true,
			Backoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, AttemptTimeout: 5 * time.Second,
			PollInterval: 20 * time.Millisecond,
		})
		o.Responder = responder
	})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := responder.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	supplier := r.org(t, "Supplier")
	buyer := r.org(t, "Buyer")
	return &pactAnswerEnv{env: r, responder: responder, supplier: supplier, buyer: buyer, token: r.clientToken(t, buyer.ID)}
}

// partner registers f for the buyer under source.
func (e *pactAnswerEnv) partner(t *testing.T, f *fakePartner, source, orgID string) registry.PACTPartner {
	t.Helper()
	p, err := e.store.CreatePACTPartner(context.Background(), registry.PACTPartner{
		OrgID: orgID, Source: source, BaseURL: f.base(), ClientID: f.clientID, ClientSecret: registry.Secret(f.secret),
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// request posts a ProductFootprintRequest.Created.v1 and wants 200 with an
// empty body.
func (e *pactAnswerEnv) request(t *testing.T, token, source, eventID, productID string) {
	t.Helper()
	body := `{"type": "` + EventRequestCreated + `", "specversion": "1.0", "id": "` + eventID + `", "source": "` + source +
		`", "time": "2025-01-01T00:00:00Z", "data": {"pf": {"productIds": ["` + productID + `"]}, "comment": "please"}}`
	rec := e.serve("POST", "/2/events", "application/cloudevents+json; charset=UTF-8", body, bearer(token))
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Fatalf("request event: %d %q", rec.Code, rec.Body)
	}
}

// waitLog waits until the log holds s.
func (e *pactAnswerEnv) waitLog(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(e.logs.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("the log lacks %s after 10 s:\n%s", s, e.logs)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// shutdown stops the responder, so that every answer it would send has
// been sent.
func (e *pactAnswerEnv) shutdown(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.responder.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

// checkAnswerEnvelope checks the CloudEvents attributes of an answer
// (CloudEvents 1.0 §3.1, PACT v2 § "PF Response Event syntax").
func checkAnswerEnvelope(t *testing.T, ev map[string]any, typ, requestEventID string) map[string]any {
	t.Helper()
	if ev["specversion"] != "1.0" || ev["type"] != typ || ev["source"] != "//example.com" {
		t.Fatalf("envelope: %v", ev)
	}
	if id, _ := ev["id"].(string); !uuidV4.MatchString(id) {
		t.Fatalf("id %v is not a fresh UUID", ev["id"])
	}
	if tm, _ := ev["time"].(string); !dateUTC.MatchString(tm) {
		t.Fatalf("time %v", ev["time"])
	}
	data, _ := ev["data"].(map[string]any)
	if data["requestEventId"] != requestEventID {
		t.Fatalf("data.requestEventId = %v, want %s", data["requestEventId"], requestEventID)
	}
	return data
}

// TestPACTRequestFulfilled: a buyer's request for a footprint restricted
// to it is answered at its partner host with the footprint as
// GetFootprint shows it, on both stores.
func TestPACTRequestFulfilled(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			e := newPACTAnswerEnv(t, st.open)
			f := newFakePartner(t)
			e.partner(t, f, "//buyer.example/pact", e.buyer.ID)
			d := e.publish(t, e.supplier.ID, buyers(e.buyer.ID))

			e.request(t, e.token, "//buyer.example/pact/", "req-1", VendorProductURN+"SX-P1020")
			data := checkAnswerEnvelope(t, f.next(t), EventRequestFulfilled, "req-1")
			pfs, _ := data["pfs"].([]any)
			if len(pfs) != 1 || data["error"] != nil {
				t.Fatalf("data: %v", data)
			}
			pf := pfs[0].(map[string]any)
			checkProductFootprint(t, pf)
			pcf := pf["pcf"].(map[string]any)
			for _, k := range []string{"pCfExcludingBiogenic", "pCfIncludingBiogenic", "fossilGhgEmissions", "unitaryProductAmount"} {
				if v, ok := pcf[k].(string); !ok || !decRe.MatchString(v) {
					t.Fatalf("pcf.%s = %#v, want a decimal string", k, pcf[k])
				}
			}
			var got struct {
				Data map[string]any `json:"data"`
			}
			if rec := e.get(t, "/2/footprints/"+d.ID, e.token, &got); rec.Code != 200 {
				t.Fatalf("GetFootprint: %d %s", rec.Code, rec.Body)
			}
			if !reflect.DeepEqual(pf, got.Data) {
				t.Fatalf("answered footprint differs from GetFootprint:\n%v\n%v", pf, got.Data)
			}
			e.waitLog(t, `"type":"`+EventRequestFulfilled+`","attempts":1}`)
			if n := f.tokenCalls.Load(); n != 1 {
				t.Fatalf("%d token requests, want 1", n)
			}
			if logs := e.logs.String(); strings.Contains(logs, f.secret) || strings.Contains(logs, f.token) {
				t.Fatal("the partner's client secret or access token is in the log")
			}
		})
	}
}

// TestPACTPartnerTokenCached: two answers to the same partner fetch one
// access token (golang.org/x/oauth2/clientcredentials, kept until it
// expires); a token about to expire is not reused.
func TestPACTPartnerTokenCached(t *testing.T) {
	for _, tc := range []struct {
		name       string
		expiresIn  int32
		wantTokens int32
	}{
		{"valid", 3600, 1},
		// golang.org/x/oauth2 takes a token as expired 10 s early.
		{"expiring", 5, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newPACTAnswerEnv(t, openSQLite)
			f := newFakePartner(t)
			f.expiresIn.Store(tc.expiresIn)
			e.partner(t, f, "//buyer.example/pact", e.buyer.ID)
			for _, id := range []string{"req-1", "req-2"} {
				e.request(t, e.token, "//buyer.example/pact", id, "urn:gtin:1")
				checkAnswerEnvelope(t, f.next(t), EventRequestRejected, id)
			}
			if n, m := f.tokenCalls.Load(), f.eventHits.Load(); n != tc.wantTokens || m != 2 {
				t.Fatalf("%d token requests and %d events, want %d and 2", n, m, tc.wantTokens)
			}
		})
	}
}

// TestPACTRequestRejected: a request for an unknown product, and one for a
// footprint the partner may not see, are answered with Rejected.v1 and
// NoSuchFootprint.
func TestPACTRequestRejected(t *testing.T) {
	e := newPACTAnswerEnv(t, openSQLite)
	f := newFakePartner(t)
	// Without an organisation the partner sees public footprints only.
	e.partner(t, f, "//buyer.example/pact", "")
	e.publish(t, e.supplier.ID, buyers(e.buyer.ID))
	for _, tc := range []struct{ eventID, product string }{
		{"req-unknown", "urn:gtin:1"},
		{"req-restricted", "urn:gtin:06901234567892"},
	} {
		e.request(t, e.token, "//buyer.example/pact", tc.eventID, tc.product)
		data := checkAnswerEnvelope(t, f.next(t), EventRequestRejected, tc.eventID)
		errObj, _ := data["error"].(map[string]any)
		if errObj["code"] != "NoSuchFootprint" || errObj["message"] == "" || data["pfs"] != nil {
			t.Fatalf("%s: data %v", tc.eventID, data)
		}
	}
}

// TestPACTRequestPartnerFailures: token and event failures are retried up
// to the bounded number of attempts, then given up and logged; a 4xx from
// the events endpoint is not retried.
func TestPACTRequestPartnerFailures(t *testing.T) {
	t.Run("token refused", func(t *testing.T) {
		e := newPACTAnswerEnv(t, openSQLite)
		f := newFakePartner(t)
		f.tokenStatus.Store(http.StatusUnauthorized)
		e.partner(t, f, "//buyer.example/pact", e.buyer.ID)
		e.request(t, e.token, "//buyer.example/pact", "req-1", "urn:gtin:1")
		e.waitLog(t, `"msg":"PACT footprint request answer given up"`)
		if n, m := f.tokenCalls.Load(), f.eventHits.Load(); n != 3 || m != 0 {
			t.Fatalf("%d token requests and %d events, want 3 and 0", n, m)
		}
		logs := e.logs.String()
		if c := strings.Count(logs, `"msg":"PACT footprint request answer failed; will retry"`); c != 2 {
			t.Fatalf("%d retry lines, want 2:\n%s", c, logs)
		}
		if !strings.Contains(logs, `"attempts":3,"error":"token endpoint `+f.srv.URL+`/pact/auth/token answered 401 Unauthorized invalid_client"`) {
			t.Fatalf("give-up line lacks the cause:\n%s", logs)
		}
	})
	t.Run("events endpoint down, then up", func(t *testing.T) {
		e := newPACTAnswerEnv(t, openSQLite)
		f := newFakePartner(t)
		f.failEvents.Store(2)
		e.partner(t, f, "//buyer.example/pact", e.buyer.ID)
		e.request(t, e.token, "//buyer.example/pact", "req-1", "urn:gtin:1")
		checkAnswerEnvelope(t, f.next(t), EventRequestRejected, "req-1")
		e.waitLog(t, `"type":"`+EventRequestRejected+`","attempts":3}`)
		if n, m := f.tokenCalls.Load(), f.eventHits.Load(); n != 3 || m != 3 {
			t.Fatalf("%d token requests and %d events, want 3 and 3", n, m)
		}
	})
	t.Run("event refused", func(t *testing.T) {
		e := newPACTAnswerEnv(t, openSQLite)
		f := newFakePartner(t)
		f.eventsStatus.Store(http.StatusBadRequest)
		e.partner(t, f, "//buyer.example/pact", e.buyer.ID)
		e.request(t, e.token, "//buyer.example/pact", "req-1", "urn:gtin:1")
		e.waitLog(t, `"msg":"PACT footprint request answer given up"`)
		if n := f.eventHits.Load(); n != 1 {
			t.Fatalf("%d event requests, want 1 (a 400 is not retried)", n)
		}
	})
}

// TestPACTRequestNotAnswered: nothing is sent without credentials for the
// event's source, to an address the event names but no partner has, or to
// another organisation's partner; the request event still gets 200.
func TestPACTRequestNotAnswered(t *testing.T) {
	cases := []struct {
		name    string
		setup   func(e *pactAnswerEnv, f, target *fakePartner) (token, source string)
		wantLog string
	}{
		{"no partners", func(e *pactAnswerEnv, f, target *fakePartner) (string, string) {
			return e.token, "//buyer.example/pact"
		}, "no credentials for its source"},
		{"source names an unconfigured host", func(e *pactAnswerEnv, f, target *fakePartner) (string, string) {
			e.partner(t, f, "//buyer.example/pact", e.buyer.ID)
			return e.token, target.base()
		}, "no credentials for its source"},
		{"another organisation's partner", func(e *pactAnswerEnv, f, target *fakePartner) (string, string) {
			e.partner(t, f, "//buyer.example/pact", e.buyer.ID)
			other := e.org(t, "Other")
			return e.clientToken(t, other.ID), "//buyer.example/pact"
		}, "partner of another organisation"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newPACTAnswerEnv(t, openSQLite)
			f, target := newFakePartner(t), newFakePartner(t)
			e.publish(t, e.supplier.ID, nil)
			token, source := tc.setup(e, f, target)
			e.request(t, token, source, "req-1", "urn:gtin:06901234567892")
			e.shutdown(t) // every answer queued has been tried
			for _, p := range []*fakePartner{f, target} {
				if n, m := p.tokenCalls.Load(), p.eventHits.Load(); n != 0 || m != 0 {
					t.Fatalf("%d token requests and %d events sent", n, m)
				}
			}
			if logs := e.logs.String(); !strings.Contains(logs, tc.wantLog) {
				t.Fatalf("log lacks %q:\n%s", tc.wantLog, logs)
			}
		})
	}
}

// TestPACTResponderShutdown: Shutdown waits for an answer in flight, and
// gives up on it when its context ends first, leaving it pending in the
// outbox; later requests are refused with 503 so that the sender retries.
func TestPACTResponderShutdown(t *testing.T) {
	t.Run("waits", func(t *testing.T) {
		e := newPACTAnswerEnv(t, openSQLite)
		f := newFakePartner(t)
		f.hold = make(chan struct{})
		e.partner(t, f, "//buyer.example/pact", e.buyer.ID)
		e.request(t, e.token, "//buyer.example/pact", "req-1", "urn:gtin:1")
		for f.eventHits.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		var once sync.Once
		time.AfterFunc(100*time.Millisecond, func() { once.Do(func() { close(f.hold) }) })
		start := time.Now()
		e.shutdown(t)
		if len(f.events) != 1 || time.Since(start) < 90*time.Millisecond {
			t.Fatalf("Shutdown returned after %v with %d events delivered", time.Since(start), len(f.events))
		}
		body := `{"type": "` + EventRequestCreated + `", "specversion": "1.0", "id": "req-2", "source": "//buyer.example/pact", "data": {"pf": {"productIds": ["urn:gtin:1"]}}}`
		rec := e.serve("POST", "/2/events", "application/cloudevents+json", body, bearer(e.token))
		if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"code":"InternalError"`) || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("request after shutdown: %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("bounded", func(t *testing.T) {
		e := newPACTAnswerEnv(t, openSQLite)
		f := newFakePartner(t)
		f.hold = make(chan struct{})
		t.Cleanup(func() { close(f.hold) })
		e.partner(t, f, "//buyer.example/pact", e.buyer.ID)
		e.request(t, e.token, "//buyer.example/pact", "req-1", "urn:gtin:1")
		for f.eventHits.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := e.responder.Shutdown(ctx)
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
			t.Fatalf("Shutdown = %v after %v, want DeadlineExceeded soon after 100 ms", err, time.Since(start))
		}
		e.waitLog(t, "interrupted at shutdown; it stays in the outbox")
		counts, err := e.store.PACTOutbox(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var pending int
		for _, c := range counts {
			pending += c.Pending
		}
		if pending != 1 {
			t.Fatalf("outbox after an interrupted shutdown: %v, want the answer pending", counts)
		}
	})
}
