package registry

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// database is one dialect's access to the registry's tables. sqlStore holds
// every rule and query; a database only runs them.
type database interface {
	// read runs fn without a transaction.
	read(ctx context.Context, fn func(q querier) error) error
	// write runs fn in a transaction, committed if fn returns nil.
	write(ctx context.Context, fn func(q querier) error) error
	ping(ctx context.Context) error
	close() error
	// classify returns ErrConflict or ErrUnavailable if a driver error
	// stands for one, else nil.
	classify(err error) error
	// timeArg converts t into the form the dialect stores timestamps in.
	timeArg(t time.Time) any
	// dialect names the migrations folder: "sqlite" or "postgres".
	dialect() string
}

// querier runs SQL written with ? placeholders.
type querier interface {
	exec(ctx context.Context, query string, args ...any) (rowsAffected int64, err error)
	query(ctx context.Context, query string, args ...any) (rows, error)
	queryRow(ctx context.Context, query string, args ...any) row
}

type row interface {
	Scan(dest ...any) error
}

type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// sqlStore implements Store on either dialect.
type sqlStore struct {
	db        database
	now       func() time.Time
	closeOnce sync.Once
	closeErr  error
	signer    ed25519.PrivateKey // signs chain heads; nil = no signing
}

func newSQLStore(db database) *sqlStore {
	return &sqlStore{db: db, now: time.Now}
}

// openedStore returns the Store on the migrated db with opts applied,
// after initChain; db is closed if that fails.
func openedStore(ctx context.Context, db database, opts []StoreOption) (Store, error) {
	s := newSQLStore(db)
	for _, o := range opts {
		o(s)
	}
	if err := s.initChain(ctx); err != nil {
		db.close()
		return nil, s.fail("chain declarations", err)
	}
	return s, nil
}

// timestamp returns the current time as stored: UTC, whole microseconds,
// which both SQLite (integer µs) and PostgreSQL (timestamptz) keep exactly.
func (s *sqlStore) timestamp() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

// fail wraps err for the operation op. Errors this package made pass
// through; driver errors become ErrUnavailable (with their detail, for the
// log) or ErrConflict (without it, as the message may reach a client).
func (s *sqlStore) fail(op string, err error) error {
	for _, known := range []error{ErrNotFound, ErrConflict, ErrForbidden, ErrInvalid, ErrUnavailable} {
		if errors.Is(err, known) {
			return err
		}
	}
	switch s.db.classify(err) {
	case ErrUnavailable:
		return fmt.Errorf("registry: %s: %w: %w", op, ErrUnavailable, err)
	case ErrConflict:
		return fmt.Errorf("%w: %s clashes with a concurrent change, retry", ErrConflict, op)
	}
	return fmt.Errorf("registry: %s: %w", op, err)
}

func (s *sqlStore) Ping(ctx context.Context) error {
	if err := s.db.ping(ctx); err != nil {
		return fmt.Errorf("registry: ping: %w: %w", ErrUnavailable, err)
	}
	return nil
}

func (s *sqlStore) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.db.close() })
	return s.closeErr
}

func newID() string {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.NewString()
	}
	return id.String()
}

// Organisations.

func (s *sqlStore) CreateOrganisation(ctx context.Context, name string) (Organisation, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Organisation{}, fmt.Errorf("%w: organisation name is required", ErrInvalid)
	}
	org := Organisation{ID: newID(), Name: name, CreatedAt: s.timestamp()}
	err := s.db.write(ctx, func(q querier) error {
		_, err := q.exec(ctx, `INSERT INTO organisations (id, name, created_at) VALUES (?, ?, ?)`,
			org.ID, org.Name, s.db.timeArg(org.CreatedAt))
		return err
	})
	if errors.Is(s.db.classify(err), ErrConflict) {
		return Organisation{}, fmt.Errorf("%w: organisation %q already exists", ErrConflict, name)
	}
	if err != nil {
		return Organisation{}, s.fail("create organisation", err)
	}
	return org, nil
}

func (s *sqlStore) OrganisationByName(ctx context.Context, name string) (Organisation, error) {
	return s.organisationWhere(ctx, "name", strings.TrimSpace(name))
}

func (s *sqlStore) OrganisationByID(ctx context.Context, id string) (Organisation, error) {
	return s.organisationWhere(ctx, "id", id)
}

// organisationWhere looks an organisation up by column, one of "id" or "name".
func (s *sqlStore) organisationWhere(ctx context.Context, column, value string) (Organisation, error) {
	var org Organisation
	var created dbTime
	err := s.db.read(ctx, func(q querier) error {
		return q.queryRow(ctx, `SELECT id, name, created_at FROM organisations WHERE `+column+` = ?`, value).
			Scan(&org.ID, &org.Name, &created)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return Organisation{}, fmt.Errorf("%w: organisation %q", ErrNotFound, value)
	}
	if err != nil {
		return Organisation{}, s.fail("get organisation", err)
	}
	org.CreatedAt = created.Time
	return org, nil
}

// requireOrganisation returns ErrNotFound unless the organisation exists.
func requireOrganisation(ctx context.Context, q querier, orgID string) error {
	var one int
	err := q.queryRow(ctx, `SELECT 1 FROM organisations WHERE id = ?`, orgID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: organisation %q", ErrNotFound, orgID)
	}
	return err
}

// API keys.

func (s *sqlStore) CreateAPIKey(ctx context.Context, orgID string) (string, APIKey, error) {
	plaintext, prefix := newAPIKey()
	key := APIKey{ID: newID(), OrgID: orgID, Prefix: prefix, CreatedAt: s.timestamp()}
	err := s.db.write(ctx, func(q querier) error {
		if err := requireOrganisation(ctx, q, orgID); err != nil {
			return err
		}
		_, err := q.exec(ctx, `INSERT INTO api_keys (id, org_id, prefix, key_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
			key.ID, key.OrgID, key.Prefix, secretHash(plaintext), s.db.timeArg(key.CreatedAt))
		return err
	})
	if err != nil {
		return "", APIKey{}, s.fail("create API key", err)
	}
	return plaintext, key, nil
}

// dummyHash is compared against when no key matches, so that an unknown
// key costs the same hash and comparison as a wrong one.
var dummyHash = secretHash("")

func (s *sqlStore) AuthenticateAPIKey(ctx context.Context, plaintext string) (Organisation, error) {
	errBadKey := fmt.Errorf("%w: API key", ErrNotFound)
	prefix, ok := apiKeyPrefix(plaintext)
	if !ok {
		hashMatches(dummyHash, plaintext)
		return Organisation{}, errBadKey
	}
	var (
		hash    []byte
		revoked dbTime
		org     Organisation
		created dbTime
	)
	err := s.db.read(ctx, func(q querier) error {
		return q.queryRow(ctx, `SELECT k.key_hash, k.revoked_at, o.id, o.name, o.created_at
			FROM api_keys k JOIN organisations o ON o.id = k.org_id WHERE k.prefix = ?`, prefix).
			Scan(&hash, &revoked, &org.ID, &org.Name, &created)
	})
	if errors.Is(err, sql.ErrNoRows) {
		hashMatches(dummyHash, plaintext)
		return Organisation{}, errBadKey
	}
	if err != nil {
		return Organisation{}, s.fail("authenticate API key", err)
	}
	if !hashMatches(hash, plaintext) || revoked.Valid {
		return Organisation{}, errBadKey
	}
	org.CreatedAt = created.Time
	return org, nil
}

func (s *sqlStore) ListAPIKeys(ctx context.Context, orgID string) ([]APIKey, error) {
	keys := []APIKey{}
	err := s.db.read(ctx, func(q querier) error {
		if err := requireOrganisation(ctx, q, orgID); err != nil {
			return err
		}
		rs, err := q.query(ctx, `SELECT id, org_id, prefix, created_at, revoked_at
			FROM api_keys WHERE org_id = ? ORDER BY created_at, id`, orgID)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var k APIKey
			var created, revoked dbTime
			if err := rs.Scan(&k.ID, &k.OrgID, &k.Prefix, &created, &revoked); err != nil {
				return err
			}
			k.CreatedAt = created.Time
			if revoked.Valid {
				k.RevokedAt = &revoked.Time
			}
			keys = append(keys, k)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, s.fail("list API keys", err)
	}
	return keys, nil
}

func (s *sqlStore) RevokeAPIKey(ctx context.Context, keyID string) error {
	err := s.db.write(ctx, func(q querier) error {
		n, err := q.exec(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`,
			s.db.timeArg(s.timestamp()), keyID)
		if err != nil || n == 1 {
			return err
		}
		var one int
		err = q.queryRow(ctx, `SELECT 1 FROM api_keys WHERE id = ?`, keyID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: API key %q", ErrNotFound, keyID)
		}
		return err
	})
	if err != nil {
		return s.fail("revoke API key", err)
	}
	return nil
}

// PACT clients.

func (s *sqlStore) CreatePACTClient(ctx context.Context, orgID string) (string, string, error) {
	clientID, secret := uuid.NewString(), newPACTSecret()
	err := s.db.write(ctx, func(q querier) error {
		if err := requireOrganisation(ctx, q, orgID); err != nil {
			return err
		}
		_, err := q.exec(ctx, `INSERT INTO pact_clients (client_id, org_id, secret_hash, created_at) VALUES (?, ?, ?, ?)`,
			clientID, orgID, secretHash(secret), s.db.timeArg(s.timestamp()))
		return err
	})
	if err != nil {
		return "", "", s.fail("create PACT client", err)
	}
	return clientID, secret, nil
}

func (s *sqlStore) AuthenticatePACTClient(ctx context.Context, clientID, secret string) (Organisation, error) {
	var (
		hash    []byte
		org     Organisation
		created dbTime
	)
	err := s.db.read(ctx, func(q querier) error {
		return q.queryRow(ctx, `SELECT c.secret_hash, o.id, o.name, o.created_at
			FROM pact_clients c JOIN organisations o ON o.id = c.org_id
			WHERE c.client_id = ? AND c.revoked_at IS NULL`, clientID).
			Scan(&hash, &org.ID, &org.Name, &created)
	})
	if errors.Is(err, sql.ErrNoRows) {
		hash = dummyHash
	} else if err != nil {
		return Organisation{}, s.fail("authenticate PACT client", err)
	}
	if !hashMatches(hash, secret) || errors.Is(err, sql.ErrNoRows) {
		return Organisation{}, fmt.Errorf("%w: PACT client", ErrNotFound)
	}
	org.CreatedAt = created.Time
	return org, nil
}

func (s *sqlStore) ListPACTClients(ctx context.Context, orgID string) ([]PACTClient, error) {
	var clients []PACTClient
	err := s.db.read(ctx, func(q querier) error {
		if err := requireOrganisation(ctx, q, orgID); err != nil {
			return err
		}
		rs, err := q.query(ctx, `SELECT client_id, org_id, created_at, revoked_at
			FROM pact_clients WHERE org_id = ? ORDER BY created_at, client_id`, orgID)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var c PACTClient
			var created, revoked dbTime
			if err := rs.Scan(&c.ClientID, &c.OrgID, &created, &revoked); err != nil {
				return err
			}
			c.CreatedAt = created.Time
			if revoked.Valid {
				c.RevokedAt = &revoked.Time
			}
			clients = append(clients, c)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, s.fail("list PACT clients", err)
	}
	return clients, nil
}

func (s *sqlStore) RevokePACTClient(ctx context.Context, clientID string) error {
	err := s.db.write(ctx, func(q querier) error {
		n, err := q.exec(ctx, `UPDATE pact_clients SET revoked_at = ? WHERE client_id = ? AND revoked_at IS NULL`,
			s.db.timeArg(s.timestamp()), clientID)
		if err != nil || n == 1 {
			return err
		}
		var one int
		err = q.queryRow(ctx, `SELECT 1 FROM pact_clients WHERE client_id = ?`, clientID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: PACT client %q", ErrNotFound, clientID)
		}
		return err
	})
	if err != nil {
		return s.fail("revoke PACT client", err)
	}
	return nil
}

func (s *sqlStore) PACTClientActive(ctx context.Context, clientID string) error {
	err := s.db.read(ctx, func(q querier) error {
		var one int
		err := q.queryRow(ctx, `SELECT 1 FROM pact_clients WHERE client_id = ? AND revoked_at IS NULL`, clientID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: active PACT client %q", ErrNotFound, clientID)
		}
		return err
	})
	if err != nil {
		return s.fail("check PACT client", err)
	}
	return nil
}

// Declarations.

func (s *sqlStore) CreateDeclaration(ctx context.Context, in Declaration) (Declaration, error) {
	d, err := normalise(in)
	if err != nil {
		return Declaration{}, err
	}
	// Declaration IDs are random UUIDs (version 4): they double as PACT
	// PfIds, which the PACT Technical Specifications v2 require to be v4.
	d.ID, d.CreatedAt, d.Status, d.Version, d.HashVersion = uuid.NewString(), s.timestamp(), StatusActive, 1, HashV2
	productIDs, _ := json.Marshal(d.ProductIDs)
	buyers, _ := json.Marshal(d.Buyers)

	err = s.db.write(ctx, func(q querier) error {
		// The chain head first: on PostgreSQL, the lock that serialises
		// appends (and supersedes) is taken before anything is read.
		seq, head, _, err := s.lockChainHead(ctx, q)
		if err != nil {
			return err
		}
		err = q.queryRow(ctx, `SELECT name FROM organisations WHERE id = ?`, d.OrgID).Scan(&d.CompanyName)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: organisation %q", ErrNotFound, d.OrgID)
		} else if err != nil {
			return err
		}
		for _, b := range d.Buyers {
			var one int
			err := q.queryRow(ctx, `SELECT 1 FROM organisations WHERE id = ?`, b).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("%w: buyer %q is not a known organisation", ErrInvalid, b)
			} else if err != nil {
				return err
			}
		}
		if d.Supersedes != "" {
			if d.Version, err = deprecate(ctx, q, d.Supersedes, d.OrgID); err != nil {
				return err
			}
			d.Version++
		}
		d.ContentHash = ContentHash(d) // the version is known now
		_, err = q.exec(ctx, `INSERT INTO declarations (id, org_id, kind, product_name, product_ids, region,
			period_start, period_end, visibility, buyers, supersedes, status, version, request, result,
			dataset_version, engine_version, content_hash, total_tco2e_per_t, created_at, hash_version, metadata)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.ID, d.OrgID, d.Kind, d.ProductName, string(productIDs), d.Region,
			d.PeriodStart, d.PeriodEnd, d.Visibility, string(buyers),
			sql.NullString{String: d.Supersedes, Valid: d.Supersedes != ""}, d.Status, d.Version,
			string(d.Request), string(d.Result), d.DatasetVersion, d.EngineVersion, d.ContentHash,
			d.TotalTCO2ePerT, s.db.timeArg(d.CreatedAt), d.HashVersion,
			sql.NullString{String: string(d.Metadata), Valid: len(d.Metadata) > 0})
		if err != nil {
			return err
		}
		for _, p := range d.ProductIDs {
			if _, err := q.exec(ctx, `INSERT INTO declaration_products (declaration_id, product_id) VALUES (?, ?)`, d.ID, p); err != nil {
				return err
			}
		}
		for _, b := range d.Buyers {
			if _, err := q.exec(ctx, `INSERT INTO declaration_buyers (declaration_id, buyer_org_id) VALUES (?, ?)`, d.ID, b); err != nil {
				return err
			}
		}
		// Chained last: the triggers refuse products and buyers of a
		// chained declaration.
		if seq, head, err = s.appendChain(ctx, q, seq, head, d.ID, d.ContentHash); err != nil {
			return err
		}
		return s.setChainHead(ctx, q, seq, head)
	})
	if err != nil {
		return Declaration{}, s.fail("create declaration", err)
	}
	return d, nil
}

// deprecate marks the declaration id, owned by orgID, deprecated and returns
// its version. Run inside the transaction that inserts its successor.
func deprecate(ctx context.Context, q querier, id, orgID string) (version int, err error) {
	var owner, status string
	err = q.queryRow(ctx, `SELECT org_id, status, version FROM declarations WHERE id = ?`, id).
		Scan(&owner, &status, &version)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, fmt.Errorf("%w: superseded declaration %q", ErrNotFound, id)
	case err != nil:
		return 0, err
	case owner != orgID:
		return 0, fmt.Errorf("%w: declaration %q belongs to another organisation", ErrForbidden, id)
	case status != StatusActive:
		return 0, fmt.Errorf("%w: declaration %q is already superseded", ErrConflict, id)
	}
	// The status condition makes the second of two concurrent supersedes
	// (PostgreSQL, read committed) update nothing instead of both winning.
	n, err := q.exec(ctx, `UPDATE declarations SET status = ? WHERE id = ? AND status = ?`,
		StatusDeprecated, id, StatusActive)
	if err != nil {
		return 0, err
	}
	if n != 1 {
		return 0, fmt.Errorf("%w: declaration %q is already superseded", ErrConflict, id)
	}
	return version, nil
}

const selectDeclarations = `SELECT d.id, d.org_id, o.name, d.kind, d.product_name, d.product_ids, d.region,
	d.period_start, d.period_end, d.visibility, d.buyers, d.supersedes, d.status, d.version, d.request,
	d.result, d.dataset_version, d.engine_version, d.content_hash, d.total_tco2e_per_t, d.created_at,
	d.hash_version, ` + supersededAt + `, d.metadata
	FROM declarations d JOIN organisations o ON o.id = d.org_id`

// supersededAt is the creation time of the declaration that supersedes d,
// NULL while d is the latest version.
const supersededAt = `(SELECT MIN(s.created_at) FROM declarations s WHERE s.supersedes = d.id)`

// selectSummaries is selectDeclarations with empty request and result.
const selectSummaries = `SELECT d.id, d.org_id, o.name, d.kind, d.product_name, d.product_ids, d.region,
	d.period_start, d.period_end, d.visibility, d.buyers, d.supersedes, d.status, d.version, '',
	'', d.dataset_version, d.engine_version, d.content_hash, d.total_tco2e_per_t, d.created_at,
	d.hash_version, ` + supersededAt + `, d.metadata
	FROM declarations d JOIN organisations o ON o.id = d.org_id`

// visibleTo returns the condition under which viewer may see a declaration d.
func visibleTo(viewer string) (string, []any) {
	if viewer == "" {
		return `d.visibility = 'public'`, nil
	}
	return `(d.visibility = 'public' OR d.org_id = ? OR EXISTS (SELECT 1 FROM declaration_buyers b
		WHERE b.declaration_id = d.id AND b.buyer_org_id = ?))`, []any{viewer, viewer}
}

// scanDeclaration reads one row of selectDeclarations as seen by viewer.
func scanDeclaration(r row, viewer string) (Declaration, error) {
	var (
		d                  Declaration
		productIDs, buyers string
		supersedes         sql.NullString
		metadata           sql.NullString
		request, result    string
		created, replaced  dbTime
	)
	err := r.Scan(&d.ID, &d.OrgID, &d.CompanyName, &d.Kind, &d.ProductName, &productIDs, &d.Region,
		&d.PeriodStart, &d.PeriodEnd, &d.Visibility, &buyers, &supersedes, &d.Status, &d.Version, &request,
		&result, &d.DatasetVersion, &d.EngineVersion, &d.ContentHash, &d.TotalTCO2ePerT, &created, &d.HashVersion, &replaced,
		&metadata)
	if err != nil {
		return Declaration{}, err
	}
	if err := json.Unmarshal([]byte(productIDs), &d.ProductIDs); err != nil {
		return Declaration{}, fmt.Errorf("declaration %s: product IDs: %w", d.ID, err)
	}
	if viewer == d.OrgID {
		if err := json.Unmarshal([]byte(buyers), &d.Buyers); err != nil {
			return Declaration{}, fmt.Errorf("declaration %s: buyers: %w", d.ID, err)
		}
	}
	d.Supersedes = supersedes.String
	d.Request, d.Result = json.RawMessage(request), json.RawMessage(result)
	d.Metadata = rawOrNil(metadata)
	d.CreatedAt, d.SupersededAt = created.Time, replaced.Time
	return d, nil
}

func (s *sqlStore) GetDeclaration(ctx context.Context, id, viewer string) (Declaration, error) {
	visible, args := visibleTo(viewer)
	var d Declaration
	err := s.db.read(ctx, func(q querier) (err error) {
		d, err = scanDeclaration(q.queryRow(ctx, selectDeclarations+` WHERE d.id = ? AND `+visible,
			append([]any{id}, args...)...), viewer)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return Declaration{}, fmt.Errorf("%w: declaration %q", ErrNotFound, id)
	}
	if err != nil {
		return Declaration{}, s.fail("get declaration", err)
	}
	return d, nil
}

func (s *sqlStore) ListDeclarations(ctx context.Context, f DeclarationFilter) ([]Declaration, string, error) {
	f, err := normaliseFilter(f)
	if err != nil {
		return nil, "", err
	}
	var conds []string
	var args []any
	where := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	visible, viewerArgs := visibleTo(f.Viewer)
	where(visible, viewerArgs...)
	if f.Product != "" {
		where(`(`+s.lowerASCII("d.product_name")+` LIKE ? ESCAPE '\' OR EXISTS (SELECT 1 FROM declaration_products p
			WHERE p.declaration_id = d.id AND p.product_id = ?))`, containsPattern(f.Product), f.Product)
	}
	if len(f.ProductKeys) > 0 {
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(f.ProductKeys)), ", ")
		keys := make([]any, 0, 2*len(f.ProductKeys))
		for _, k := range f.ProductKeys {
			keys = append(keys, k)
		}
		for _, k := range f.ProductKeys {
			keys = append(keys, asciiLower(k))
		}
		where(`(EXISTS (SELECT 1 FROM declaration_products p WHERE p.declaration_id = d.id AND p.product_id IN (`+marks+`))
			OR `+s.lowerASCII("d.product_name")+` IN (`+marks+`))`, keys...)
	}
	if f.Company != "" {
		where(`(d.org_id = ? OR `+s.lowerASCII("o.name")+` LIKE ? ESCAPE '\')`, f.Company, containsPattern(f.Company))
	}
	if f.Region != "" {
		where(`d.region = ?`, f.Region)
	}
	if f.Status != "" {
		where(`d.status = ?`, f.Status)
	}
	if f.PeriodFrom != "" {
		where(`d.period_end >= ?`, f.PeriodFrom)
	}
	if f.PeriodTo != "" {
		where(`d.period_start <= ?`, f.PeriodTo)
	}
	if f.MaxTCO2ePerT != nil {
		where(`d.total_tco2e_per_t <= ?`, *f.MaxTCO2ePerT)
	}
	if f.Cursor != "" {
		at, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		t := s.db.timeArg(at)
		where(`(d.created_at < ? OR (d.created_at = ? AND d.id < ?))`, t, t, id)
	}
	sel := selectDeclarations
	if f.WithoutDocuments {
		sel = selectSummaries
	}
	query := sel + ` WHERE ` + strings.Join(conds, ` AND `) +
		` ORDER BY d.created_at DESC, d.id DESC LIMIT ?`
	args = append(args, f.Limit+1)

	items := make([]Declaration, 0, min(f.Limit, 64))
	err = s.db.read(ctx, func(q querier) error {
		rs, err := q.query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			d, err := scanDeclaration(rs, f.Viewer)
			if err != nil {
				return err
			}
			items = append(items, d)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, "", s.fail("list declarations", err)
	}
	var next string
	if len(items) > f.Limit {
		items = items[:f.Limit]
		last := items[len(items)-1]
		next = encodeCursor(last.CreatedAt, last.ID)
	}
	return items, next, nil
}

// rawOrNil returns the stored JSON document s, nil when NULL or empty.
func rawOrNil(s sql.NullString) json.RawMessage {
	if !s.Valid || s.String == "" {
		return nil
	}
	return json.RawMessage(s.String)
}

// A cursor is the position of the last item of a page: its creation time in
// Unix microseconds and its ID, base64url-encoded so callers treat it as opaque.
// CursorAfter returns the cursor of the page that starts right after d in
// ListDeclarations' order (newest first), for a caller that stops inside a
// page.
func CursorAfter(d Declaration) string { return encodeCursor(d.CreatedAt, d.ID) }

func encodeCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at.UnixMicro(), 10) + "." + id))
}

func decodeCursor(cursor string) (time.Time, string, error) {
	errBad := fmt.Errorf("%w: malformed cursor", ErrInvalid)
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return time.Time{}, "", errBad
	}
	micros, id, ok := strings.Cut(string(raw), ".")
	n, err := strconv.ParseInt(micros, 10, 64)
	if !ok || err != nil || id == "" {
		return time.Time{}, "", errBad
	}
	return time.UnixMicro(n).UTC(), id, nil
}

// dbTime scans a timestamp from either dialect: SQLite stores integer Unix
// microseconds, PostgreSQL a timestamptz. NULL leaves Valid false.
type dbTime struct {
	Time  time.Time
	Valid bool
}

func (t *dbTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*t = dbTime{}
	case int64:
		*t = dbTime{Time: time.UnixMicro(v).UTC(), Valid: true}
	case time.Time:
		*t = dbTime{Time: v.UTC(), Valid: true}
	default:
		return fmt.Errorf("registry: cannot scan %T as a timestamp", src)
	}
	return nil
}

// containsPattern is the LIKE pattern (with ESCAPE '\') that matches text
// containing s, ignoring ASCII case (the query compares LOWER(column)): the
// wildcards % and _ and the escape character in s match only themselves.
func containsPattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(asciiLower(s)) + "%"
}

// asciiLower lowers ASCII letters only, as SQLite's LOWER does (and the
// comparisons promise "ASCII case ignored"): strings.ToLower would also
// fold non-ASCII letters, and the Kelvin sign to k, so the two databases
// would disagree.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// lowerASCII is the SQL that lowers the ASCII letters of column only, in
// either dialect: SQLite's LOWER does just that; PostgreSQL's would also
// fold non-ASCII letters, so it is spelled out with translate.
func (s *sqlStore) lowerASCII(column string) string {
	if s.db.dialect() == "postgres" {
		return "translate(" + column + ", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
	}
	return "LOWER(" + column + ")"
}
