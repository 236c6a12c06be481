package pact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"alcarbon/internal/testpg"
	"alcarbon/registry"
)

// sharedDB provisions one database for a test and returns a function that
// opens a new Store on it each time it is called, as a restarted process
// or another replica would; the Stores are closed when the test ends.
type sharedDB func(t *testing.T) func(t *testing.T) registry.Store

func sharedStore(t *testing.T, databaseURL, dir string) func(t *testing.T) registry.Store {
	return func(t *testing.T) registry.Store {
		t.Helper()
		s, err := registry.Open(context.Background(), databaseURL, dir)
		if err != nil {
			t.Fatalf("open the registry: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
}

var sharedDBs = []struct {
	name string
	db   sharedDB
}{
	{"sqlite", func(t *testing.T) func(t *testing.T) registry.Store { return sharedStore(t, "", t.TempDir()) }},
	{"postgres", func(t *testing.T) func(t *testing.T) registry.Store { return sharedStore(t, testpg.New(t).URL, "") }},
}

// newTestResponder starts a Responder on s for loopback partners, stopped
// when the test ends.
func newTestResponder(t *testing.T, s registry.Store, logs io.Writer, edit func(*ResponderOptions)) *Responder {
	t.Helper()
	o := ResponderOptions{
		Store: s, Logger: slog.New(slog.NewJSONHandler(logs, nil)), AllowPrivatePartners: true, Source: "//example.com",
		Workers: 4, Attempts: 5, Backoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
		AttemptTimeout: 5 * time.Second, PollInterval: 20 * time.Millisecond,
	}
	if edit != nil {
		edit(&o)
	}
	r := NewResponder(o)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		r.Shutdown(ctx)
	})
	return r
}

func addPartner(t *testing.T, s registry.Store, source, base string) registry.PACTPartner {
	t.Helper()
	p, err := s.CreatePACTPartner(context.Background(), registry.PACTPartner{
		Source: source, BaseURL: base, ClientID: "alcarbon at buyer", ClientSecret: "partner-secret+/=1",
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// ask queues an answer to a request event from p, as HandleEvents does.
func ask(t *testing.T, r *Responder, p registry.PACTPartner, eventID string) {
	t.Helper()
	if err := r.enqueue(pactAnswer{partner: p, requestEventID: eventID, productIDs: []string{"urn:gtin:1"}, source: "//example.com"}); err != nil {
		t.Fatalf("enqueue %s: %v", eventID, err)
	}
}

func outboxCounts(t *testing.T, s registry.Store, partnerID string) registry.PACTOutboxCounts {
	t.Helper()
	c, err := s.PACTOutbox(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c[partnerID]
}

// TestPACTAnswersSurviveRestart: answers queued while the partner is down
// are still in the outbox after the responder and its Store are closed,
// and a new responder on a new Store over the same database sends each
// once the partner is back, with the event id it was queued with. (main's
// TestRunPACTAnswersSurviveKill does the same with a killed process.)
func TestPACTAnswersSurviveRestart(t *testing.T) {
	for _, db := range sharedDBs {
		t.Run(db.name, func(t *testing.T) {
			open := db.db(t)
			s1 := open(t)
			f := newFakePartner(t)
			f.eventsStatus.Store(http.StatusServiceUnavailable) // down
			p := addPartner(t, s1, "//buyer.example/pact", f.base())
			logs := &logBuffer{}
			r1 := newTestResponder(t, s1, logs, func(o *ResponderOptions) { o.Backoff, o.MaxBackoff = time.Second, time.Second })
			for _, id := range []string{"req-1", "req-2", "req-3"} {
				ask(t, r1, p, id)
			}
			for f.eventHits.Load() == 0 {
				time.Sleep(time.Millisecond)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := r1.Shutdown(ctx); err != nil {
				t.Fatal(err)
			}
			if c := outboxCounts(t, s1, p.ID); c.Pending != 3 || c.Sent != 0 {
				t.Fatalf("outbox at shutdown: %+v, want 3 pending", c)
			}
			ids := pendingIDs(t, s1)
			s1.Close()

			f.eventsStatus.Store(0) // back up
			s2 := open(t)
			newTestResponder(t, s2, logs, nil)
			got := map[string]string{} // answer event id → request event id
			for range 3 {
				ev := f.next(t)
				data, _ := ev["data"].(map[string]any)
				got[ev["id"].(string)], _ = data["requestEventId"].(string)
			}
			for reqID, id := range ids {
				if got[id] != reqID {
					t.Fatalf("after the restart the partner got %v; want answer %s to %s", got, id, reqID)
				}
			}
			waitFor(t, func() bool { return outboxCounts(t, s2, p.ID).Sent == 3 })
			time.Sleep(100 * time.Millisecond)
			if len(f.events) != 0 {
				t.Fatal("an answer was sent twice")
			}
		})
	}
}

// pendingIDs returns the outbox's pending answer IDs by request event ID,
// read back through PACTAnswer of each answer claimed and released.
func pendingIDs(t *testing.T, s registry.Store) map[string]string {
	t.Helper()
	// A claim with a lease already over reads the rows and leaves them
	// claimable at once.
	claimed, err := s.ClaimPACTAnswers(context.Background(), 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, a := range claimed {
		ids[a.RequestEventID] = a.ID
	}
	return ids
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestPACTDeadPartnerDoesNotDelayOthers: four answers queued first for a
// partner whose events endpoint hangs until the attempt times out (or
// refuses connections) delay a healthy partner's answer queued after them
// by one attempt at most, even with a single worker; with the default 4
// workers not at all. The latencies measured are logged (go test -v).
func TestPACTDeadPartnerDoesNotDelayOthers(t *testing.T) {
	const attemptTimeout = 500 * time.Millisecond
	closedPort := func(t *testing.T) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		return "http://" + addr + "/pact"
	}
	for _, tc := range []struct {
		name    string
		workers int
		hang    bool
		within  time.Duration
	}{
		// One attempt at the dead partner, then the healthy answer: well
		// under two attempts.
		{"hangs, 1 worker", 1, true, 2*attemptTimeout - 100*time.Millisecond},
		{"hangs, 4 workers", 4, true, attemptTimeout / 2},
		{"refuses, 1 worker", 1, false, attemptTimeout / 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openSQLite(t)
			var deadHits, deadAtHealthy int32
			var mu sync.Mutex
			stop := make(chan struct{})
			dead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/auth/token") {
					w.Header().Set("Content-Type", "application/json")
					io.WriteString(w, `{"access_token": "t", "token_type": "Bearer", "expires_in": 3600}`)
					return
				}
				mu.Lock()
				deadHits++
				mu.Unlock()
				// Hang until the client gives up (the server notices once
				// the body is read) or the test ends.
				io.Copy(io.Discard, r.Body)
				select {
				case <-r.Context().Done():
				case <-stop:
				}
			}))
			t.Cleanup(dead.Close)
			t.Cleanup(func() { close(stop) })
			deadBase := dead.URL + "/pact"
			if !tc.hang {
				deadBase = closedPort(t)
			}
			healthy := newFakePartner(t)
			d := addPartner(t, s, "//dead.example/pact", deadBase)
			h := addPartner(t, s, "//healthy.example/pact", healthy.base())
			r := newTestResponder(t, s, io.Discard, func(o *ResponderOptions) {
				o.Workers, o.AttemptTimeout = tc.workers, attemptTimeout
				o.Backoff, o.MaxBackoff = 10*time.Second, 10*time.Second // no second try at the dead one here
			})
			for i := range 4 {
				ask(t, r, d, "dead-"+strconv.Itoa(i))
			}
			start := time.Now()
			ask(t, r, h, "healthy-1")
			ev := healthy.next(t)
			latency := time.Since(start)
			mu.Lock()
			deadAtHealthy = deadHits
			mu.Unlock()
			t.Logf("healthy partner answered %v after its request, %d attempt(s) at the dead partner begun by then", latency.Round(time.Millisecond), deadAtHealthy)
			if data, _ := ev["data"].(map[string]any); data["requestEventId"] != "healthy-1" {
				t.Fatalf("healthy partner got %v", ev)
			}
			if latency > tc.within || deadAtHealthy > 1 {
				t.Fatalf("healthy answer after %v with %d attempts at the dead partner; want within %v and at most one", latency, deadAtHealthy, tc.within)
			}
			// The dead partner's answers wait for its back-off, not a worker.
			waitFor(t, func() bool { c := outboxCounts(t, s, d.ID); return c.Pending == 4 && c.Sent == 0 })
		})
	}
}

// TestPACTTwoDispatchersSendEachOnce: two responders, each on its own
// Store over one database as two replicas are, share 40 answers to 5
// partners: every answer arrives exactly once, and no partner ever has
// two in flight at once (the per-partner limit holds across replicas).
func TestPACTTwoDispatchersSendEachOnce(t *testing.T) {
	for _, db := range sharedDBs {
		t.Run(db.name, func(t *testing.T) {
			open := db.db(t)
			s1, s2 := open(t), open(t)
			var (
				mu       sync.Mutex
				received = map[string]int{} // answer event id → deliveries
				inFlight = map[string]int{} // partner → concurrent event requests
				maxIn    int
			)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				partner, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
				if rest == "auth/token" {
					w.Header().Set("Content-Type", "application/json")
					io.WriteString(w, `{"access_token": "t", "token_type": "Bearer", "expires_in": 3600}`)
					return
				}
				mu.Lock()
				inFlight[partner]++
				maxIn = max(maxIn, inFlight[partner])
				mu.Unlock()
				var ev CloudEvent
				json.NewDecoder(r.Body).Decode(&ev)
				time.Sleep(5 * time.Millisecond)
				mu.Lock()
				inFlight[partner]--
				received[ev.ID]++
				mu.Unlock()
			}))
			t.Cleanup(srv.Close)
			var ids []string
			for i := range 5 {
				p := addPartner(t, s1, "//buyer"+strconv.Itoa(i)+".example/pact", srv.URL+"/p"+strconv.Itoa(i))
				for j := range 8 {
					a, _, err := s1.EnqueuePACTAnswer(context.Background(), registry.PACTAnswer{
						PartnerID: p.ID, RequestEventID: "req-" + strconv.Itoa(j), ProductIDs: []string{"urn:gtin:1"}, Source: "//example.com",
					})
					if err != nil {
						t.Fatal(err)
					}
					ids = append(ids, a.ID)
				}
			}
			logs1, logs2 := &logBuffer{}, &logBuffer{}
			newTestResponder(t, s1, logs1, nil)
			newTestResponder(t, s2, logs2, nil)
			waitFor(t, func() bool {
				mu.Lock()
				defer mu.Unlock()
				return len(received) == len(ids)
			})
			time.Sleep(200 * time.Millisecond) // a duplicate would arrive by now
			mu.Lock()
			defer mu.Unlock()
			for _, id := range ids {
				if received[id] != 1 {
					t.Fatalf("answer %s delivered %d times", id, received[id])
				}
			}
			if maxIn != 1 {
				t.Fatalf("a partner had %d answers in flight at once, want 1", maxIn)
			}
			n1 := strings.Count(logs1.String(), "PACT footprint request answered")
			n2 := strings.Count(logs2.String(), "PACT footprint request answered")
			t.Logf("responder 1 sent %d, responder 2 sent %d", n1, n2)
			if n1+n2 != len(ids) {
				t.Fatalf("responders logged %d + %d answers, want %d", n1, n2, len(ids))
			}
		})
	}
}

// TestPartnerAddresses: the addresses refused for partners, as literals
// and after resolution (CheckPartnerURL), and at connect time
// (dialControl).
func TestPartnerAddresses(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want string // "" allowed
	}{
		{"127.0.0.1", "a loopback address"},
		{"127.9.9.9", "a loopback address"},
		{"::1", "a loopback address"},
		{"0.0.0.0", "an unspecified address"},
		{"::", "an unspecified address"},
		{"0.1.2.3", "an unspecified address"},
		{"10.1.2.3", "a private address"},
		{"172.16.0.1", "a private address"},
		{"192.168.1.1", "a private address"},
		{"100.64.0.1", "a private address"},
		{"fc00::1", "a private address"},
		{"fd12:3456::1", "a private address"},
		{"169.254.1.1", "a link-local address"},
		{"fe80::1", "a link-local address"},
		{"169.254.169.254", "a cloud metadata address"},
		{"fd00:ec2::254", "a cloud metadata address"},
		{"::ffff:169.254.169.254", "a cloud metadata address"},
		{"::ffff:127.0.0.1", "a loopback address"},
		{"224.0.0.1", "a multicast address"},
		{"ff02::1", "a multicast address"},
		{"255.255.255.255", "a broadcast address"},
		// Found by the review: IPv6 forms that embed a private IPv4
		// address, and IANA special-purpose blocks.
		{"64:ff9b::a00:5", "a private address (embedded in an IPv6 address)"},   // NAT64 → 10.0.0.5
		{"64:ff9b:1::a9fe:a9fe", "a special-purpose address"},                   // local-use NAT64 (RFC 8215)
		{"2002:c0a8:101::1", "a private address (embedded in an IPv6 address)"}, // 6to4 of 192.168.1.1
		{"::10.0.0.5", "a private address (embedded in an IPv6 address)"},       // IPv4-compatible
		{"64:ff9b::808:808", ""}, // NAT64 of 8.8.8.8
		{"198.18.0.1", "a special-purpose address"},
		{"192.0.0.8", "a special-purpose address"},
		{"240.0.0.1", "a special-purpose address"},
		{"fec0::1", "a special-purpose address"},
		{"93.184.215.14", ""},
		{"8.8.8.8", ""},
		{"2606:4700:4700::1111", ""},
	} {
		if got := forbiddenAddr(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("forbiddenAddr(%s) = %q, want %q", tc.addr, got, tc.want)
		}
		err := dialControl("tcp", net.JoinHostPort(tc.addr, "443"), nil)
		if (err == nil) != (tc.want == "") || (err != nil && !errors.Is(err, ErrPrivatePartnerAddr)) {
			t.Errorf("dialControl(%s) = %v", tc.addr, err)
		}
	}
	ctx := context.Background()
	for _, u := range []string{"http://127.0.0.1:8080/pact", "https://[::1]/x", "http://169.254.169.254/latest", "https://[fd00:ec2::254]/",
		"http://10.0.0.5", "http://localhost:9/pact"} {
		if err := CheckPartnerURL(ctx, nil, "base URL", u); !errors.Is(err, ErrPrivatePartnerAddr) {
			t.Errorf("CheckPartnerURL(%s) = %v, want ErrPrivatePartnerAddr", u, err)
		}
	}
	if err := CheckPartnerURL(ctx, nil, "base URL", "https://93.184.215.14/pact"); err != nil {
		t.Errorf("a public address: %v", err)
	}
	if err := CheckPartnerURL(ctx, nil, "base URL", "https://name.invalid/pact"); err == nil {
		t.Error("a host that does not resolve was accepted")
	}
}

// TestPACTResponderRefusesPrivateAddresses: a partner stored with a
// loopback URL (bypassing pact-partners add, or whose name now resolves to
// loopback: "localhost") gets no request at all from a responder that does
// not allow private partners: the dialer refuses the address, and the
// answer is given up at once.
func TestPACTResponderRefusesPrivateAddresses(t *testing.T) {
	for _, host := range []string{"127.0.0.1", "localhost"} {
		t.Run(host, func(t *testing.T) {
			s := openSQLite(t)
			f := newFakePartner(t)
			_, port, _ := net.SplitHostPort(strings.TrimPrefix(f.srv.URL, "http://"))
			p := addPartner(t, s, "//buyer.example/pact", "http://"+net.JoinHostPort(host, port)+"/pact")
			logs := &logBuffer{}
			r := newTestResponder(t, s, logs, func(o *ResponderOptions) { o.AllowPrivatePartners = false })
			ask(t, r, p, "req-1")
			waitFor(t, func() bool { return outboxCounts(t, s, p.ID).Failed == 1 })
			if n, m := f.tokenCalls.Load(), f.eventHits.Load(); n != 0 || m != 0 {
				t.Fatalf("%d token requests and %d events reached the loopback partner", n, m)
			}
			if l := logs.String(); !strings.Contains(l, "partner address not allowed") || !strings.Contains(l, `"attempts":1`) {
				t.Fatalf("log:\n%s", l)
			}
		})
	}
}

// TestPACTRequestEventSentTwice: a partner resending a request event (same
// id) gets one answer.
func TestPACTRequestEventSentTwice(t *testing.T) {
	s := openSQLite(t)
	f := newFakePartner(t)
	p := addPartner(t, s, "//buyer.example/pact", f.base())
	r := newTestResponder(t, s, io.Discard, nil)
	ask(t, r, p, "req-1")
	f.next(t)
	ask(t, r, p, "req-1")
	time.Sleep(200 * time.Millisecond)
	if len(f.events) != 0 || f.eventHits.Load() != 1 {
		t.Fatalf("%d events for one request event", f.eventHits.Load())
	}
}

// TestPACTOutboxMetric: the outbox gauge counts the answers by status, and
// the attempts counter this process's attempts by result.
func TestPACTOutboxMetric(t *testing.T) {
	s := openSQLite(t)
	f := newFakePartner(t)
	p := addPartner(t, s, "//buyer.example/pact", f.base())
	reg := prometheus.NewRegistry()
	r := newTestResponder(t, s, io.Discard, func(o *ResponderOptions) { o.Registerer = reg })
	f.failEvents.Store(1)
	ask(t, r, p, "req-1")
	f.next(t)
	waitFor(t, func() bool { return outboxCounts(t, s, p.ID).Sent == 1 })
	f.eventsStatus.Store(http.StatusBadRequest)
	ask(t, r, p, "req-2")
	waitFor(t, func() bool { return outboxCounts(t, s, p.ID).Failed == 1 })
	got := map[string]float64{}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			v := m.GetGauge().GetValue() + m.GetCounter().GetValue()
			got[mf.GetName()+"{"+m.GetLabel()[0].GetValue()+"}"] = v
		}
	}
	want := map[string]float64{
		"alcarbon_pact_outbox_answers{pending}": 0, "alcarbon_pact_outbox_answers{sent}": 1, "alcarbon_pact_outbox_answers{failed}": 1,
		"alcarbon_pact_answer_attempts_total{retry}": 1, "alcarbon_pact_answer_attempts_total{sent}": 1,
		"alcarbon_pact_answer_attempts_total{failed}": 1,
	}
	if !maps.Equal(got, want) {
		t.Fatalf("metrics %v, want %v", got, want)
	}
}

// failingOutbox is a registry whose outbox refuses answers, as a database
// that went down between the partner lookup and the write does.
type failingOutbox struct{ registry.Store }

func (failingOutbox) EnqueuePACTAnswer(context.Context, registry.PACTAnswer) (registry.PACTAnswer, bool, error) {
	return registry.PACTAnswer{}, false, fmt.Errorf("registry: queue PACT answer: %w", registry.ErrUnavailable)
}

// TestPACTRequestOutboxUnavailable: a request event whose answer cannot
// be stored gets 503 InternalError with Retry-After, so that the partner
// sends it again; nothing is sent.
func TestPACTRequestOutboxUnavailable(t *testing.T) {
	var responder *Responder
	e := newEnv(t, func(t testing.TB) registry.Store { return failingOutbox{openSQLite(t)} }, func(o *Options) {
		responder = NewResponder(ResponderOptions{Store: o.Store, Logger: o.Logger, AllowPrivatePartners: true, PollInterval: 20 * time.Millisecond})
		o.Responder = responder
	})
	t.Cleanup(func() { responder.Shutdown(context.Background()) })
	buyer := e.org(t, "Buyer")
	f := newFakePartner(t)
	addPartner(t, e.store, "//buyer.example/pact", f.base())
	body := `{"type": "` + EventRequestCreated + `", "specversion": "1.0", "id": "req-1", "source": "//buyer.example/pact", "data": {"pf": {"productIds": ["urn:gtin:1"]}}}`
	rec := e.serve("POST", "/2/events", "application/cloudevents+json", body, bearer(e.clientToken(t, buyer.ID)))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"code":"InternalError"`) || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("request event with the outbox down: %d %s %v", rec.Code, rec.Body, rec.Header())
	}
	time.Sleep(100 * time.Millisecond)
	if f.tokenCalls.Load() != 0 || f.eventHits.Load() != 0 {
		t.Fatal("something was sent")
	}
}
