// Package registry stores published product-footprint declarations, the
// organisations, API keys and PACT clients that publish and read them, and
// the PACT partners this host answers footprint requests to.
//
// The Store interface is what callers see; Open returns the embedded SQLite
// implementation or, given a postgres:// URL, the PostgreSQL one. Both apply
// the embedded migrations at Open and commit every write durably before they
// return.
package registry

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Errors callers map to HTTP statuses with errors.Is. The message of an error
// wrapping ErrNotFound, ErrConflict, ErrForbidden or ErrInvalid is written by
// this package and safe to show a client; any other error, ErrUnavailable
// included, may carry driver detail and belongs in the log only.
var (
	// ErrNotFound: the thing does not exist or the viewer may not see it;
	// also returned for unknown, revoked or wrong credentials.
	ErrNotFound = errors.New("not found")
	// ErrConflict: a unique name is taken or a declaration is no longer active.
	ErrConflict = errors.New("conflict")
	// ErrForbidden: the caller's organisation does not own the target.
	ErrForbidden = errors.New("forbidden")
	// ErrInvalid: the input breaks a rule stated on the method.
	ErrInvalid = errors.New("invalid")
	// ErrUnavailable: the database cannot be reached or is shutting down.
	ErrUnavailable = errors.New("database unavailable")
)

// Declaration kinds, visibilities and statuses.
const (
	KindPrimary = "primary"
	KindProduct = "product"

	VisibilityPublic     = "public"
	VisibilityRestricted = "restricted"

	StatusActive     = "active"
	StatusDeprecated = "deprecated"
)

// List limits of DeclarationFilter.Limit.
const (
	DefaultLimit = 50
	MaxLimit     = 500
	// MaxProductKeys bounds DeclarationFilter.ProductKeys.
	MaxProductKeys = 500
)

// Organisation is a company that publishes or reads declarations.
type Organisation struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// APIKey describes an organisation's API key; the key itself is never stored.
// Prefix is the key's public start ("alc_" and 12 hex digits), enough to tell
// keys apart in a listing.
type APIKey struct {
	ID        string
	OrgID     string
	Prefix    string
	CreatedAt time.Time
	RevokedAt *time.Time
}

// PACTClient is a set of PACT OAuth2 client credentials (the secret is
// stored only as its SHA-256 and never returned).
type PACTClient struct {
	ClientID  string
	OrgID     string
	CreatedAt time.Time
	RevokedAt *time.Time
}

// Declaration is a published footprint: the engine's input and output, the
// dataset and engine versions that produced it, and a content hash over them.
// It never changes after creation except Status, which goes from active to
// deprecated when a newer version supersedes it.
type Declaration struct {
	ID          string // a random UUID (version 4), also the PACT PfId
	OrgID       string
	CompanyName string // name of OrgID, filled on read
	Kind        string // KindPrimary or KindProduct
	ProductName string
	ProductIDs  []string
	Region      string // ISO 3166-2, e.g. CN-SX
	PeriodStart string // reference period, YYYY-MM-DD, inclusive
	PeriodEnd   string // YYYY-MM-DD, inclusive, not before PeriodStart
	Visibility  string // VisibilityPublic or VisibilityRestricted
	// Buyers are the organisation IDs that may see a restricted declaration.
	// Reads return them to the owner only.
	Buyers         []string
	Supersedes     string // ID of the previous version, "" for a first version
	Status         string // StatusActive or StatusDeprecated
	Version        int    // 1, or the superseded declaration's Version + 1
	Request        json.RawMessage
	Result         json.RawMessage
	DatasetVersion string
	EngineVersion  string
	ContentHash    string  // ContentHash of this declaration, lowercase hex
	HashVersion    int     // HashV2, or HashV1 for declarations stored before it (0 means HashV1)
	TotalTCO2ePerT float64 // headline footprint [t CO2e/t product], used by filters
	// Metadata is what the publisher states about the installation beside
	// the footprint (name, address, UN/LOCODE, contact …): a JSON object,
	// stored and hashed as given; nil when none was given.
	Metadata  json.RawMessage
	CreatedAt time.Time
	// SupersededAt is when the next version was published, filled on read;
	// zero while this is the latest version.
	SupersededAt time.Time
}

// DeclarationFilter selects declarations for ListDeclarations. Zero fields do
// not filter.
type DeclarationFilter struct {
	Product string // contained in the product name (ASCII case ignored), or equal to one of the product IDs
	// ProductKeys selects declarations with one of these product IDs, or
	// with a product name equal to one of them (ASCII case ignored): the
	// lookup of a PACT footprint request, in one query.
	ProductKeys  []string
	Company      string // equal to the organisation's ID, or contained in its name (ASCII case ignored)
	Region       string
	Status       string   // StatusActive or StatusDeprecated
	PeriodFrom   string   // YYYY-MM-DD: reference periods ending on or after it
	PeriodTo     string   // YYYY-MM-DD: reference periods starting on or before it
	MaxTCO2ePerT *float64 // TotalTCO2ePerT at most this [t CO2e/t]
	// Viewer is the calling organisation's ID, "" for anonymous. Restricted
	// declarations are listed only to their owner and their buyers.
	Viewer string
	Cursor string // nextCursor returned with the previous page, "" for the first
	Limit  int    // page size; ≤ 0 means DefaultLimit, above MaxLimit means MaxLimit
	// WithoutDocuments leaves Request and Result empty, for listings that
	// do not show them: the documents are most of a declaration's bytes.
	WithoutDocuments bool
}

// Store keeps organisations, credentials and declarations. Implementations are
// safe for concurrent use, and every write is durable when it returns nil.
type Store interface {
	// Ping reports whether the database answers; ErrUnavailable if not.
	Ping(ctx context.Context) error
	// Close releases the database; the Store is unusable afterwards.
	Close() error

	// CreateOrganisation adds an organisation. The name, stored without
	// surrounding spaces, must be non-blank (ErrInvalid) and unique (ErrConflict).
	CreateOrganisation(ctx context.Context, name string) (Organisation, error)
	// OrganisationByName returns the organisation with that name (surrounding
	// spaces ignored, case significant), or ErrNotFound.
	OrganisationByName(ctx context.Context, name string) (Organisation, error)
	// OrganisationByID returns the organisation, or ErrNotFound.
	OrganisationByID(ctx context.Context, id string) (Organisation, error)

	// CreateAPIKey issues a new key for the organisation (ErrNotFound if it
	// does not exist) and returns the key in plain text; only its SHA-256 is
	// stored, so this is the only time it can be seen.
	CreateAPIKey(ctx context.Context, orgID string) (plaintext string, key APIKey, err error)
	// AuthenticateAPIKey returns the organisation owning the key. An unknown,
	// malformed or revoked key is ErrNotFound. Hashes are compared in constant time.
	AuthenticateAPIKey(ctx context.Context, plaintext string) (Organisation, error)
	// ListAPIKeys returns the organisation's keys, revoked ones included,
	// oldest first; ErrNotFound if the organisation does not exist.
	ListAPIKeys(ctx context.Context, orgID string) ([]APIKey, error)
	// RevokeAPIKey revokes a key for good; ErrNotFound if it does not exist.
	// Revoking a revoked key is a no-op.
	RevokeAPIKey(ctx context.Context, keyID string) error

	// CreatePACTClient issues OAuth2 client credentials for the organisation
	// (ErrNotFound if it does not exist). Only the secret's SHA-256 is stored.
	CreatePACTClient(ctx context.Context, orgID string) (clientID, secret string, err error)
	// AuthenticatePACTClient returns the organisation owning the client.
	// An unknown or revoked client or a wrong secret is ErrNotFound.
	AuthenticatePACTClient(ctx context.Context, clientID, secret string) (Organisation, error)
	// ListPACTClients returns the organisation's PACT clients, revoked ones
	// included, oldest first; ErrNotFound if the organisation does not exist.
	ListPACTClients(ctx context.Context, orgID string) ([]PACTClient, error)
	// RevokePACTClient revokes a client for good: it gets no more tokens and
	// its tokens are refused (see PACTClientActive). ErrNotFound if it does
	// not exist; revoking a revoked client is a no-op.
	RevokePACTClient(ctx context.Context, clientID string) error
	// PACTClientActive returns nil for a client that exists and is not
	// revoked, else ErrNotFound.
	PACTClientActive(ctx context.Context, clientID string) error

	// CreatePACTPartner adds a PACT partner and returns it as stored, with
	// ID, CreatedAt and a defaulted TokenURL set. Errors: ErrInvalid if a
	// field breaks the rules documented on PACTPartner (source, client ID
	// and secret non-blank; base and token URLs absolute http or https
	// without credentials, query or fragment); ErrNotFound if OrgID is set
	// and does not exist; ErrConflict if the source is taken. The client
	// secret is stored as given, in clear: it must be presented to the
	// partner, so it cannot be hashed.
	CreatePACTPartner(ctx context.Context, p PACTPartner) (PACTPartner, error)
	// PACTPartnerBySource returns the partner, client secret included,
	// whose Source equals source (trailing slashes ignored) or, failing
	// that, whose BaseURL equals source or, for a scheme-relative source
	// "//host/path", its https: or http: form; the oldest wins a tie.
	// ErrNotFound if none matches.
	PACTPartnerBySource(ctx context.Context, source string) (PACTPartner, error)
	// ListPACTPartners returns every partner, oldest first, without their
	// client secrets.
	ListPACTPartners(ctx context.Context) ([]PACTPartner, error)

	// EnqueuePACTAnswer puts an answer to a partner's footprint request
	// event in the outbox, due now or, if the partner is backing off (an
	// answer of its waits after a failed attempt), when its latest such
	// answer is due; it returns the answer as stored (ID, Status,
	// NextAttemptAt and CreatedAt set) with created true. If the partner's
	// event was queued before (same PartnerID and RequestEventID), nothing
	// is added: it returns that answer and false. ErrInvalid without a
	// partner, request event ID or source.
	EnqueuePACTAnswer(ctx context.Context, a PACTAnswer) (PACTAnswer, bool, error)
	// ClaimPACTAnswers leases up to n due pending answers for lease and
	// returns them with Claim and Partner set, their Attempts counting
	// this one: at most one per partner, none of a partner that has one
	// under lease, oldest due first. A claim is exclusive across processes
	// sharing the database until its lease runs out.
	ClaimPACTAnswers(ctx context.Context, n int, lease time.Duration) ([]PACTAnswer, error)
	// FinishPACTAnswer records the outcome of an attempt at a claimed
	// answer and ends the claim. ErrConflict if the claim is no longer
	// the answer's (its lease ran out and it was claimed again).
	FinishPACTAnswer(ctx context.Context, id, claim string, o PACTAnswerOutcome) error
	// PrunePACTAnswers deletes the answers sent before sentBefore and
	// returns how many; pending and failed answers stay.
	PrunePACTAnswers(ctx context.Context, sentBefore time.Time) (int64, error)
	// PACTAnswer returns an answer of the outbox, or ErrNotFound.
	PACTAnswer(ctx context.Context, id string) (PACTAnswer, error)
	// PACTOutbox counts the outbox's answers by partner ID and status;
	// partners without answers are absent.
	PACTOutbox(ctx context.Context) (map[string]PACTOutboxCounts, error)
	// PACTTokenSecret returns the key that signs PACT access tokens when
	// none is configured: 32 random bytes made once, race-safe, and kept,
	// so every process sharing the database uses the same (secret.go).
	PACTTokenSecret(ctx context.Context) ([]byte, error)

	// CreateDeclaration stores d in one transaction and returns it as stored,
	// with ID, CreatedAt, Version, Status (active), ContentHash (HashV2),
	// HashVersion and CompanyName set; values given for those fields are
	// ignored. In the same transaction it appends d to the hash chain
	// (ChainHash), signed if the store has a signing key.
	//
	// Errors: ErrInvalid if a field breaks the rules documented on
	// Declaration, a JSON document is not valid JSON, the total is not
	// finite or a buyer is not a known organisation; ErrNotFound if OrgID or
	// Supersedes does not exist; ErrForbidden if Supersedes belongs to
	// another organisation; ErrConflict if Supersedes is already deprecated.
	// The superseded declaration becomes deprecated in the same transaction.
	CreateDeclaration(ctx context.Context, d Declaration) (Declaration, error)
	// GetDeclaration returns the declaration if viewer (an organisation ID,
	// "" for anonymous) may see it, otherwise ErrNotFound.
	GetDeclaration(ctx context.Context, id, viewer string) (Declaration, error)
	// ListDeclarations returns one page of the declarations matching f that
	// f.Viewer may see, newest first (by CreatedAt, then ID), and the cursor
	// of the next page, "" on the last. A malformed filter or cursor is ErrInvalid.
	ListDeclarations(ctx context.Context, f DeclarationFilter) (items []Declaration, nextCursor string, err error)

	// CheckDeclaration checks the stored declaration id against its
	// content hash and its chain entry against its predecessor, whoever
	// may see it (the caller checks visibility); ErrNotFound if it does
	// not exist.
	CheckDeclaration(ctx context.Context, id string) (DeclarationCheck, error)
	// VerifyChain walks the whole hash chain from entry 1: it recomputes
	// every declaration's content hash and every link, checks signatures
	// with pub if it is not nil (then an entry after a signed one, and the
	// head, must be signed), and that every declaration is chained. The
	// report names the first broken entry; an error is only a failure to
	// read.
	VerifyChain(ctx context.Context, pub ed25519.PublicKey) (ChainReport, error)
	// SigningPublicKey returns the public key chain heads are signed
	// with, nil if the store signs nothing.
	SigningPublicKey() ed25519.PublicKey
}

// Open opens the registry and applies pending migrations. With databaseURL ""
// it is the SQLite file registry.db in dataDir (the folder created with mode
// 0700 if missing; the file, which holds PACT partners' client secrets,
// created 0600, and made so if an older release left it readable to
// others), next to registry.db-migrate.lock, an empty file locked while
// migrations run; with a postgres:// or postgresql:// URL it is that PostgreSQL
// database. The URL may carry pool_max_conns (default max(4, CPUs)) and any
// PostgreSQL run-time parameter such as search_path; connect_timeout
// defaults to 5 s. A database that cannot be reached is ErrUnavailable.
//
// At Open, declarations stored before the hash chain existed are chained
// once, in creation order; with WithSigningKey, an unsigned chain head is
// signed.
func Open(ctx context.Context, databaseURL, dataDir string, opts ...StoreOption) (Store, error) {
	switch {
	case databaseURL == "":
		return openSQLite(ctx, dataDir, opts)
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		return openPostgres(ctx, databaseURL, opts)
	default:
		return nil, fmt.Errorf("registry: unsupported database URL: want postgres:// or empty for SQLite")
	}
}

// ContentHash returns d's content hash by its HashVersion:
// ContentHashV2(d, d.Buyers) for HashV2, else ContentHashV1(d).
func ContentHash(d Declaration) string {
	if d.HashVersion == HashV2 {
		return ContentHashV2(d, d.Buyers)
	}
	return ContentHashV1(d)
}

// ContentHashV1 returns the lowercase hex SHA-256 of what d declares: the
// JSON object
//
//	{"org_id", "kind", "product_name", "product_ids", "region", "period_start",
//	 "period_end", "supersedes", "request", "result", "dataset_version",
//	 "engine_version", "total_tco2e_per_t"}
//
// in that order, as Go's encoding/json writes it without HTML escaping: no
// spaces, request and result compacted, the total in shortest form. Access
// control (visibility, buyers) and what the store assigns (ID, version,
// status, creation time) are left out, so anyone holding a declaration can
// recompute its hash. It is the hash of declarations stored before
// migration 0005; ContentHashV2 covers what it leaves out.
func ContentHashV1(d Declaration) string {
	content := struct {
		OrgID          string          `json:"org_id"`
		Kind           string          `json:"kind"`
		ProductName    string          `json:"product_name"`
		ProductIDs     []string        `json:"product_ids"`
		Region         string          `json:"region"`
		PeriodStart    string          `json:"period_start"`
		PeriodEnd      string          `json:"period_end"`
		Supersedes     string          `json:"supersedes"`
		Request        json.RawMessage `json:"request"`
		Result         json.RawMessage `json:"result"`
		DatasetVersion string          `json:"dataset_version"`
		EngineVersion  string          `json:"engine_version"`
		TotalTCO2ePerT float64         `json:"total_tco2e_per_t"`
	}{
		d.OrgID, d.Kind, d.ProductName, nonNil(d.ProductIDs), d.Region, d.PeriodStart, d.PeriodEnd,
		d.Supersedes, d.Request, d.Result, d.DatasetVersion, d.EngineVersion, d.TotalTCO2ePerT,
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(content); err != nil {
		// Only invalid JSON in Request or Result, or a non-finite total,
		// gets here, and CreateDeclaration rejects both; hash the raw
		// bytes so the answer is still deterministic.
		b.Reset()
		b.Write(d.Request)
		b.Write(d.Result)
	}
	sum := sha256.Sum256(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
	return hex.EncodeToString(sum[:])
}

// normalise checks d against the rules documented on Declaration and
// CreateDeclaration and returns it with lists deduplicated and non-nil.
func normalise(d Declaration) (Declaration, error) {
	invalid := func(format string, args ...any) (Declaration, error) {
		return Declaration{}, fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
	}
	switch {
	case d.OrgID == "":
		return invalid("organisation is required")
	case d.Kind != KindPrimary && d.Kind != KindProduct:
		return invalid("kind must be %q or %q", KindPrimary, KindProduct)
	case strings.TrimSpace(d.ProductName) == "":
		return invalid("product name is required")
	case d.Visibility != VisibilityPublic && d.Visibility != VisibilityRestricted:
		return invalid("visibility must be %q or %q", VisibilityPublic, VisibilityRestricted)
	case !isDate(d.PeriodStart) || !isDate(d.PeriodEnd):
		return invalid("reference period dates must be YYYY-MM-DD")
	case d.PeriodEnd < d.PeriodStart:
		return invalid("reference period ends before it starts")
	case len(d.Request) == 0 || !json.Valid(d.Request):
		return invalid("request is not valid JSON")
	case len(d.Result) == 0 || !json.Valid(d.Result):
		return invalid("result is not valid JSON")
	case math.IsNaN(d.TotalTCO2ePerT) || math.IsInf(d.TotalTCO2ePerT, 0):
		return invalid("total footprint must be a finite number")
	case len(d.Metadata) > 0 && (!json.Valid(d.Metadata) || bytes.TrimSpace(d.Metadata)[0] != '{'):
		return invalid("metadata must be a JSON object")
	}
	for _, id := range d.ProductIDs {
		if strings.TrimSpace(id) == "" {
			return invalid("product IDs must not be blank")
		}
	}
	d.ProductIDs = dedupe(d.ProductIDs)
	d.Buyers = dedupe(d.Buyers)
	return d, nil
}

func normaliseFilter(f DeclarationFilter) (DeclarationFilter, error) {
	switch {
	case f.Status != "" && f.Status != StatusActive && f.Status != StatusDeprecated:
		return f, fmt.Errorf("%w: status must be %q or %q", ErrInvalid, StatusActive, StatusDeprecated)
	case f.PeriodFrom != "" && !isDate(f.PeriodFrom), f.PeriodTo != "" && !isDate(f.PeriodTo):
		return f, fmt.Errorf("%w: period dates must be YYYY-MM-DD", ErrInvalid)
	case f.MaxTCO2ePerT != nil && math.IsNaN(*f.MaxTCO2ePerT):
		return f, fmt.Errorf("%w: maximum footprint must be a number", ErrInvalid)
	case len(f.ProductKeys) > MaxProductKeys:
		return f, fmt.Errorf("%w: at most %d product keys", ErrInvalid, MaxProductKeys)
	}
	switch {
	case f.Limit <= 0:
		f.Limit = DefaultLimit
	case f.Limit > MaxLimit:
		f.Limit = MaxLimit
	}
	return f, nil
}

func isDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil && len(s) == len(time.DateOnly)
}

// dedupe returns s without repeats, in first-seen order, never nil.
func dedupe(s []string) []string {
	out := make([]string, 0, len(s))
	seen := make(map[string]bool, len(s))
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
