package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
)

// PACTPartner is a PACT host system of a data recipient: where this host
// sends the answers (ProductFootprintRequest.Fulfilled.v1 or Rejected.v1)
// to the footprint request events the partner sends, and the OAuth2 client
// credentials this host holds at the partner's token endpoint.
//
// The partners table is the allow-list of event targets: an answer goes to
// EventsURL of the partner whose Source (or BaseURL) an event names, never
// to an address taken from the event.
type PACTPartner struct {
	ID string
	// OrgID is the partner's organisation in this registry, "" if it has
	// none. When set, only that organisation's clients may have requests
	// answered to the partner, and the answer holds what the organisation
	// may see; when empty, public footprints only.
	OrgID string
	// Source is the CloudEvents source the partner's events carry, e.g.
	// "//buyer.example/pact", stored without trailing slashes.
	Source string
	// BaseURL is the http or https base URL of the partner's PACT API,
	// without trailing slash: events go to BaseURL + "/2/events".
	BaseURL string
	// TokenURL is the partner's client-credentials token endpoint;
	// CreatePACTPartner sets BaseURL + "/auth/token" when it is empty.
	TokenURL     string
	ClientID     string
	ClientSecret Secret
	CreatedAt    time.Time
}

// EventsURL is the partner's PACT Action Events endpoint.
func (p PACTPartner) EventsURL() string { return p.BaseURL + "/2/events" }

// Secret is a credential this host presents to another system. It is
// stored as given (it cannot be hashed), and prints, formats and logs as
// "[redacted]"; Reveal returns it.
type Secret string

// Reveal returns the secret itself, for the one place that sends it.
func (s Secret) Reveal() string { return string(s) }

func (s Secret) String() string { return "[redacted]" }

// GoString keeps %#v from printing the secret.
func (s Secret) GoString() string { return `"[redacted]"` }

// LogValue keeps slog from writing the secret.
func (s Secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// MarshalText keeps encoders from writing the secret.
func (s Secret) MarshalText() ([]byte, error) { return []byte("[redacted]"), nil }

// normaliseSource trims spaces and trailing slashes from a CloudEvents
// source or base URL, so "//host/pact/" and "//host/pact" are one partner.
func normaliseSource(s string) string {
	return strings.TrimRight(strings.TrimSpace(s), "/")
}

// checkPartnerURL returns u normalised if it is an absolute http or https
// URL with a host and no user information, query or fragment.
func checkPartnerURL(field, u string) (string, error) {
	u = normaliseSource(u)
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" ||
		p.User != nil || p.RawQuery != "" || p.Fragment != "" || strings.HasSuffix(u, "?") {
		return "", fmt.Errorf("%w: %s must be an absolute http or https URL without credentials, query or fragment", ErrInvalid, field)
	}
	return u, nil
}

// normalisePartner checks p against the rules documented on PACTPartner
// and CreatePACTPartner.
func normalisePartner(p PACTPartner) (PACTPartner, error) {
	var err error
	p.Source = normaliseSource(p.Source)
	p.ClientID = strings.TrimSpace(p.ClientID)
	switch {
	case p.Source == "":
		return PACTPartner{}, fmt.Errorf("%w: source is required", ErrInvalid)
	case p.ClientID == "":
		return PACTPartner{}, fmt.Errorf("%w: client ID is required", ErrInvalid)
	case p.ClientSecret == "":
		return PACTPartner{}, fmt.Errorf("%w: client secret is required", ErrInvalid)
	}
	if p.BaseURL, err = checkPartnerURL("base URL", p.BaseURL); err != nil {
		return PACTPartner{}, err
	}
	if strings.TrimSpace(p.TokenURL) == "" {
		p.TokenURL = p.BaseURL + "/auth/token"
	} else if p.TokenURL, err = checkPartnerURL("token URL", p.TokenURL); err != nil {
		return PACTPartner{}, err
	}
	return p, nil
}

// sourceCandidates returns the base URLs an event source may stand for:
// the source itself, and for a scheme-relative source ("//host/path",
// the form the PACT examples use) its https and http forms.
func sourceCandidates(source string) []string {
	c := []string{source}
	if strings.HasPrefix(source, "//") {
		c = append(c, "https:"+source, "http:"+source)
	}
	return c
}

func (s *sqlStore) CreatePACTPartner(ctx context.Context, in PACTPartner) (PACTPartner, error) {
	p, err := normalisePartner(in)
	if err != nil {
		return PACTPartner{}, err
	}
	p.ID, p.CreatedAt = newID(), s.timestamp()
	err = s.db.write(ctx, func(q querier) error {
		if p.OrgID != "" {
			if err := requireOrganisation(ctx, q, p.OrgID); err != nil {
				return err
			}
		}
		_, err := q.exec(ctx, `INSERT INTO pact_partners
			(id, org_id, source, base_url, token_url, client_id, client_secret, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, sql.NullString{String: p.OrgID, Valid: p.OrgID != ""}, p.Source, p.BaseURL, p.TokenURL,
			p.ClientID, p.ClientSecret.Reveal(), s.db.timeArg(p.CreatedAt))
		return err
	})
	if errors.Is(s.db.classify(err), ErrConflict) {
		return PACTPartner{}, fmt.Errorf("%w: a PACT partner with source %q already exists", ErrConflict, p.Source)
	}
	if err != nil {
		return PACTPartner{}, s.fail("create PACT partner", err)
	}
	return p, nil
}

const partnerColumns = `id, org_id, source, base_url, token_url, client_id, client_secret, created_at`

func scanPartner(r row) (PACTPartner, error) {
	var (
		p       PACTPartner
		org     sql.NullString
		secret  string
		created dbTime
	)
	if err := r.Scan(&p.ID, &org, &p.Source, &p.BaseURL, &p.TokenURL, &p.ClientID, &secret, &created); err != nil {
		return PACTPartner{}, err
	}
	p.OrgID, p.ClientSecret, p.CreatedAt = org.String, Secret(secret), created.Time
	return p, nil
}

func (s *sqlStore) PACTPartnerBySource(ctx context.Context, source string) (PACTPartner, error) {
	source = normaliseSource(source)
	if source == "" {
		return PACTPartner{}, fmt.Errorf("%w: PACT partner for an empty source", ErrNotFound)
	}
	c := sourceCandidates(source)
	for len(c) < 3 {
		c = append(c, c[0])
	}
	var p PACTPartner
	err := s.db.read(ctx, func(q querier) error {
		var err error
		p, err = scanPartner(q.queryRow(ctx, `SELECT `+partnerColumns+` FROM pact_partners
			WHERE source = ? OR base_url IN (?, ?, ?)
			ORDER BY CASE WHEN source = ? THEN 0 ELSE 1 END, created_at, id LIMIT 1`,
			source, c[0], c[1], c[2], source))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return PACTPartner{}, fmt.Errorf("%w: PACT partner for source %q", ErrNotFound, source)
	}
	if err != nil {
		return PACTPartner{}, s.fail("get PACT partner", err)
	}
	return p, nil
}

func (s *sqlStore) ListPACTPartners(ctx context.Context) ([]PACTPartner, error) {
	partners := []PACTPartner{}
	err := s.db.read(ctx, func(q querier) error {
		rs, err := q.query(ctx, `SELECT `+partnerColumns+` FROM pact_partners ORDER BY created_at, id`)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			p, err := scanPartner(rs)
			if err != nil {
				return err
			}
			p.ClientSecret = ""
			partners = append(partners, p)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, s.fail("list PACT partners", err)
	}
	return partners, nil
}
