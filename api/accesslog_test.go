package api

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The hand-written access line must decode to what slog's JSONHandler
// writes for the same attributes (the form of every other log line).
func TestAccessLineMatchesSlog(t *testing.T) {
	at := time.Date(2026, 12, 2, 12, 49, 27, 123456789, time.UTC)
	l := accessLine{
		Time: at, Method: "POST", Route: "/v1/footprints/primary", Path: "/v1/foot\"prints/\\x\n\u2028\xff/é",
		Status: 200, Latency: 432 * time.Microsecond, RequestID: `a"b\c`, ClientIP: "127.0.0.1", Cache: "hit-memory", Bytes: 19334,
	}
	var want bytes.Buffer
	slog.New(slog.NewJSONHandler(&want, nil)).LogAttrs(t.Context(), slog.LevelInfo, "request",
		slog.String("method", l.Method), slog.String("route", l.Route), slog.String("path", l.Path),
		slog.Int("status", l.Status), slog.Float64("latency_ms", 0.432), slog.String("request_id", l.RequestID),
		slog.String("client_ip", l.ClientIP), slog.String("cache", l.Cache), slog.Int64("bytes", l.Bytes))
	got := appendAccessLine(nil, l)
	if !bytes.HasSuffix(got, []byte("}\n")) || bytes.Count(got, []byte("\n")) != 1 {
		t.Fatalf("not one line: %q", got)
	}
	var g, w map[string]any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%v: %s", err, got)
	}
	if err := json.Unmarshal(want.Bytes(), &w); err != nil {
		t.Fatal(err)
	}
	// slog stamps its own time; the line's is the request's start.
	if g["time"] != "2026-12-02T12:49:27.123456789Z" {
		t.Errorf("time %v", g["time"])
	}
	delete(g, "time")
	delete(w, "time")
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("access line\n got %v\nwant %v", g, w)
	}
}

// appendJSONString writes every string so that it decodes back to what
// encoding/json's encoding of it decodes to (invalid UTF-8 as U+FFFD),
// with no raw control character and no U+2028/2029 left in the bytes.
func TestAppendJSONString(t *testing.T) {
	cases := []string{"", "plain", `"`, `\`, "\x00\x01\x1f\x7f", "\t\r\n", "中文 é", "\u2028\u2029", "a\xffb\xc3", "\xe2\x80", strings.Repeat("x", 300)}
	for c := 0; c < 256; c++ {
		cases = append(cases, string([]byte{byte(c)}), "a"+string([]byte{byte(c), 'z'}))
	}
	for _, s := range cases {
		b := appendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%q → %s: %v", s, b, err)
		}
		// encoding/json is the reference (it too writes each invalid
		// byte as U+FFFD).
		ref, _ := json.Marshal(s)
		var want string
		if err := json.Unmarshal(ref, &want); err != nil {
			t.Fatal(err)
		}
		if back != want {
			t.Fatalf("%q → %s → %q, want %q", s, b, back, want)
		}
		for _, r := range string(b) {
			if r < 0x20 || r == '\u2028' || r == '\u2029' {
				t.Fatalf("%q → %s has a raw %U", s, b, r)
			}
		}
		if !utf8.Valid(b) {
			t.Fatalf("%q → invalid UTF-8 %q", s, b)
		}
	}
}

// Every request writes one access line, naming the cache tier from the
// X-Cache header; a server without an access log writer writes none.
func TestAccessLogLines(t *testing.T) {
	e, _, logs := testServer(t)
	postJSON(t, e, "/v1/footprints/primary", referenceSmelter)
	postJSON(t, e, "/v1/footprints/primary", referenceSmelter)
	var tiers []string
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		if m["msg"] == "request" {
			tiers = append(tiers, m["cache"].(string))
		}
	}
	if !reflect.DeepEqual(tiers, []string{"miss", "hit-memory"}) {
		t.Fatalf("tiers %v\n%s", tiers, logs)
	}

	quiet, _, quietLogs := newTestServer(t, func(o *Options) { o.AccessLog = nil })
	postJSON(t, quiet, "/v1/footprints/primary", referenceSmelter)
	if strings.Contains(quietLogs.String(), `"msg":"request"`) {
		t.Fatalf("access line without a writer:\n%s", quietLogs)
	}
}

// A made-up method is counted as "other": clients cannot add series.
func TestMetricsMethodLabel(t *testing.T) {
	e, _, _ := testServer(t)
	for _, m := range []string{"BREW", "PROPFIND", http.MethodGet} {
		do(t, e, m, "/healthz", "", "")
	}
	metrics := do(t, e, http.MethodGet, "/metrics", "", "").Body.String()
	if strings.Contains(metrics, "BREW") || strings.Contains(metrics, "PROPFIND") {
		t.Fatal("a client's method became a label")
	}
	if !strings.Contains(metrics, `alcarbon_http_requests_total{method="other",route="/healthz",status="405"} 2`) {
		t.Fatalf("made-up methods not counted as other:\n%s", grepLines(metrics, "alcarbon_http_requests_total"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
