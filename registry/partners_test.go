package registry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func testPACTPartners(t *testing.T, open func(t *testing.T) Store) {
	s, ctx := open(t), ctxFor(t)
	buyer := mustOrg(t, s, "Buyer")
	if ps, err := s.ListPACTPartners(ctx); err != nil || len(ps) != 0 {
		t.Fatalf("ListPACTPartners on an empty registry = %v, %v", ps, err)
	}
	p, err := s.CreatePACTPartner(ctx, PACTPartner{
		OrgID: buyer.ID, Source: " //buyer.example/pact/ ", BaseURL: "https://buyer.example/pact/",
		ClientID: " alcarbon ", ClientSecret: "s3cret",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := PACTPartner{
		ID: p.ID, OrgID: buyer.ID, Source: "//buyer.example/pact", BaseURL: "https://buyer.example/pact",
		TokenURL: "https://buyer.example/pact/auth/token", ClientID: "alcarbon", ClientSecret: "s3cret", CreatedAt: p.CreatedAt,
	}
	if p.ID == "" || p.CreatedAt.IsZero() || p != want {
		t.Fatalf("CreatePACTPartner = %+v, want %+v", p, want)
	}
	if got := p.EventsURL(); got != "https://buyer.example/pact/2/events" {
		t.Fatalf("EventsURL = %q", got)
	}
	// No organisation, its own token endpoint, plain http (a test rig).
	q, err := s.CreatePACTPartner(ctx, PACTPartner{
		Source: "urn:partner:lab", BaseURL: "http://127.0.0.1:9/pact", TokenURL: "http://127.0.0.1:9/oauth/token",
		ClientID: "lab", ClientSecret: "x",
	})
	if err != nil || q.OrgID != "" || q.TokenURL != "http://127.0.0.1:9/oauth/token" {
		t.Fatalf("partner without organisation: %+v, %v", q, err)
	}

	for _, tc := range []struct{ source, wantID string }{
		{"//buyer.example/pact", p.ID},
		{"//buyer.example/pact/", p.ID},
		{"https://buyer.example/pact", p.ID}, // the base URL itself
		{"urn:partner:lab", q.ID},
		{"//127.0.0.1:9/pact", q.ID}, // the base URL, scheme-relative
	} {
		got, err := s.PACTPartnerBySource(ctx, tc.source)
		if err != nil || got.ID != tc.wantID {
			t.Fatalf("PACTPartnerBySource(%q) = %+v, %v; want %s", tc.source, got, err, tc.wantID)
		}
		if tc.wantID == p.ID && got != want {
			t.Fatalf("PACTPartnerBySource(%q) = %+v, want %+v", tc.source, got, want)
		}
	}
	for _, source := range []string{"", "//evil.example/pact", "https://buyer.example", "//buyer.example/pact/2/events", "https://buyer.example/pact/x"} {
		_, err := s.PACTPartnerBySource(ctx, source)
		wantErr(t, fmt.Sprintf("PACTPartnerBySource(%q)", source), err, ErrNotFound)
	}

	ps, err := s.ListPACTPartners(ctx)
	if err != nil || len(ps) != 2 || ps[0].ID != p.ID || ps[1].ID != q.ID || ps[0].ClientSecret != "" || ps[0].ClientID != "alcarbon" {
		t.Fatalf("ListPACTPartners = %+v, %v", ps, err)
	}

	valid := PACTPartner{Source: "//other", BaseURL: "https://other.example", ClientID: "c", ClientSecret: "s"}
	for _, tc := range []struct {
		name string
		edit func(*PACTPartner)
		want error
	}{
		{"blank source", func(p *PACTPartner) { p.Source = " / " }, ErrInvalid},
		{"blank client ID", func(p *PACTPartner) { p.ClientID = " " }, ErrInvalid},
		{"blank secret", func(p *PACTPartner) { p.ClientSecret = "" }, ErrInvalid},
		{"relative base", func(p *PACTPartner) { p.BaseURL = "other.example/pact" }, ErrInvalid},
		{"scheme-relative base", func(p *PACTPartner) { p.BaseURL = "//other.example/pact" }, ErrInvalid},
		{"ftp base", func(p *PACTPartner) { p.BaseURL = "ftp://other.example" }, ErrInvalid},
		{"base with credentials", func(p *PACTPartner) { p.BaseURL = "https://u:p@other.example" }, ErrInvalid},
		{"base with query", func(p *PACTPartner) { p.BaseURL = "https://other.example/?x=1" }, ErrInvalid},
		{"base with fragment", func(p *PACTPartner) { p.BaseURL = "https://other.example/#x" }, ErrInvalid},
		{"bad token URL", func(p *PACTPartner) { p.TokenURL = "file:///etc/passwd" }, ErrInvalid},
		{"unknown organisation", func(p *PACTPartner) { p.OrgID = "nope" }, ErrNotFound},
		{"source taken", func(p *PACTPartner) { p.Source = "//buyer.example/pact/" }, ErrConflict},
	} {
		in := valid
		tc.edit(&in)
		_, err := s.CreatePACTPartner(ctx, in)
		wantErr(t, tc.name, err, tc.want)
	}
	if ps, _ := s.ListPACTPartners(ctx); len(ps) != 2 {
		t.Fatalf("rejected partners were stored: %+v", ps)
	}
}

// TestSecretRedacted checks that a partner's client secret does not leak
// through fmt, slog or JSON.
func TestSecretRedacted(t *testing.T) {
	p := PACTPartner{ClientID: "c", ClientSecret: "hunter2-secret"}
	var b bytes.Buffer
	slog.New(slog.NewJSONHandler(&b, nil)).Info("partner", "partner", p, "secret", p.ClientSecret)
	slog.New(slog.NewTextHandler(&b, nil)).Info("partner", "partner", p, "secret", p.ClientSecret)
	j, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	out := fmt.Sprintf("%v %+v %#v %s %q", p, p, p, p.ClientSecret, p.ClientSecret) + b.String() + string(j)
	if strings.Contains(out, "hunter2") {
		t.Fatalf("the secret leaked:\n%s", out)
	}
	if p.ClientSecret.Reveal() != "hunter2-secret" {
		t.Fatal("Reveal does not return the secret")
	}
}
