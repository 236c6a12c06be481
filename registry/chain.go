package registry

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Content hash versions (Declaration.HashVersion).
const (
	// HashV1 is ContentHashV1, of declarations stored before migration 0005.
	HashV1 = 1
	// HashV2 is ContentHashV2, of every declaration stored since.
	HashV2 = 2
)

// ContentHashV2 returns the lowercase hex SHA-256 of everything a buyer
// relies on in d, with buyers (the organisation IDs that may see a
// restricted declaration) in place of d.Buyers. The hashed bytes are the
// ASCII tag "alcarbon declaration v2\n" followed by these fields in this
// order, each written as its length in bytes (8-byte big-endian unsigned)
// and then its bytes; a list is its item count (8-byte big-endian) and
// then each item as a field:
//
//	id, org_id, kind, product_name, product_ids (list, in stored order),
//	region, period_start, period_end, visibility, buyers (list, sorted by
//	bytes, duplicates removed), supersedes ("" for a first version),
//	version (decimal), request and result (the exact stored bytes),
//	dataset_version, engine_version, total_tco2e_per_t (Go's shortest
//	'g' form), created_at (Unix microseconds, decimal)
//
// and then, only when the declaration carries metadata (migration 0007),
// the field "metadata" and the metadata's exact stored bytes. Without
// metadata nothing follows created_at, so the hashes of declarations
// stored before metadata existed are unchanged, and metadata added to or
// removed from a stored declaration changes its hash.
//
// Status is left out: it goes from active to deprecated when a successor
// is published (the chain commits to the successor, whose supersedes
// names d).
func ContentHashV2(d Declaration, buyers []string) string {
	h := sha256.New()
	h.Write([]byte("alcarbon declaration v2\n"))
	var n [8]byte
	field := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	str := func(s string) { field([]byte(s)) }
	list := func(items []string) {
		binary.BigEndian.PutUint64(n[:], uint64(len(items)))
		h.Write(n[:])
		for _, s := range items {
			str(s)
		}
	}
	sorted := slices.Compact(slices.Sorted(slices.Values(buyers)))
	str(d.ID)
	str(d.OrgID)
	str(d.Kind)
	str(d.ProductName)
	list(d.ProductIDs)
	str(d.Region)
	str(d.PeriodStart)
	str(d.PeriodEnd)
	str(d.Visibility)
	list(sorted)
	str(d.Supersedes)
	str(strconv.Itoa(d.Version))
	field(d.Request)
	field(d.Result)
	str(d.DatasetVersion)
	str(d.EngineVersion)
	str(strconv.FormatFloat(d.TotalTCO2ePerT, 'g', -1, 64))
	str(strconv.FormatInt(d.CreatedAt.UnixMicro(), 10))
	if len(d.Metadata) > 0 {
		str("metadata")
		field(d.Metadata)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ChainHash returns entry seq's chain hash, lowercase hex:
//
//	chain_hash(seq) = SHA-256(P ‖ C ‖ S)
//
// P is the previous entry's chain hash as 32 bytes (32 zero bytes for
// seq 1, prev ""), C the entry's content hash as 32 bytes and S seq as an
// 8-byte big-endian unsigned integer. A prev or contentHash that is not 64
// hex digits (a damaged record) gives "", which matches no stored hash.
func ChainHash(prev, contentHash string, seq int64) string {
	p := make([]byte, sha256.Size)
	if prev != "" || seq != 1 {
		var err error
		if p, err = hex.DecodeString(prev); err != nil || len(p) != sha256.Size {
			return ""
		}
	}
	c, err := hex.DecodeString(contentHash)
	if err != nil || len(c) != sha256.Size || seq < 1 {
		return ""
	}
	var s [8]byte
	binary.BigEndian.PutUint64(s[:], uint64(seq))
	h := sha256.New()
	h.Write(p)
	h.Write(c)
	h.Write(s[:])
	return hex.EncodeToString(h.Sum(nil))
}

// SignedHeadMessage is what an entry's Ed25519 signature signs: the ASCII
// text "alcarbon registry chain head\n", seq in decimal, "\n", and the
// entry's chain hash in lowercase hex.
func SignedHeadMessage(seq int64, chainHash string) []byte {
	return []byte("alcarbon registry chain head\n" + strconv.FormatInt(seq, 10) + "\n" + chainHash)
}

// ChainEntry is one entry of the registry's hash chain.
type ChainEntry struct {
	Seq           int64
	DeclarationID string
	ContentHash   string // the declaration's content hash when it was chained
	ChainHash     string // ChainHash(previous entry's ChainHash, ContentHash, Seq)
	Signature     []byte // Ed25519 over SignedHeadMessage(Seq, ChainHash); nil if unsigned
}

// DeclarationCheck is the registry's own check of a stored declaration:
// its content against its content hash, and its chain entry against its
// predecessor. Problems says in words what failed, empty if nothing did.
type DeclarationCheck struct {
	HashVersion int
	// ContentHashValid: the stored content, with the buyers that the
	// registry grants access to, hashes to the stored content hash.
	ContentHashValid bool
	// Entry is the declaration's chain entry, nil if it is not chained.
	Entry *ChainEntry
	// PreviousChainHash is the predecessor's chain hash ("" for entry 1).
	PreviousChainHash string
	// LinkValid: Entry holds the declaration's content hash and its chain
	// hash follows from PreviousChainHash (see ChainHash).
	LinkValid bool
	// Signed: Entry carries a signature; SignatureValid: it verifies with
	// the registry's signing key (false when the store has none).
	Signed, SignatureValid bool
	Problems               []string
	buyers                 []string
}

// ContentHash returns the content hash of d by the checked declaration's
// hash version, with the buyers the registry stores for it: for
// recomputing the hash with a recomputed result.
func (c DeclarationCheck) ContentHash(d Declaration) string {
	d.HashVersion = c.HashVersion
	d.Buyers = c.buyers
	return ContentHash(d)
}

// ChainReport is the outcome of VerifyChain.
type ChainReport struct {
	Entries int64  // entries checked before the first break, all if none
	Head    string // chain hash of the last entry checked
	Signed  int64  // entries carrying a signature
	// Broken names the first broken entry; nil if the chain holds.
	Broken *ChainBreak
}

// ChainBreak is the first entry at which VerifyChain found the chain
// broken.
type ChainBreak struct {
	Seq           int64 // 0 when the break is a declaration missing from the chain
	DeclarationID string
	Reason        string
}

func (b *ChainBreak) Error() string {
	switch {
	case b.Seq == 0:
		return fmt.Sprintf("declaration %s: %s", b.DeclarationID, b.Reason)
	case b.DeclarationID == "":
		return fmt.Sprintf("entry %d: %s", b.Seq, b.Reason)
	}
	return fmt.Sprintf("entry %d (declaration %s): %s", b.Seq, b.DeclarationID, b.Reason)
}

// StoreOption configures Open.
type StoreOption func(*sqlStore)

// WithSigningKey makes the store sign each new chain head with key; a nil
// key signs nothing.
func WithSigningKey(key ed25519.PrivateKey) StoreOption {
	return func(s *sqlStore) { s.signer = key }
}

// SigningPublicKey returns the public half of the signing key, nil if the
// store signs nothing.
func (s *sqlStore) SigningPublicKey() ed25519.PublicKey {
	if s.signer == nil {
		return nil
	}
	return s.signer.Public().(ed25519.PublicKey)
}

// lockChainHead reads chain_head, locking it on PostgreSQL so that
// appends are serialised (SQLite has one writer already).
func (s *sqlStore) lockChainHead(ctx context.Context, q querier) (seq int64, head string, backfilled bool, err error) {
	query := `SELECT seq, chain_hash, backfilled FROM chain_head WHERE id = 1`
	if s.db.dialect() == "postgres" {
		query += ` FOR UPDATE`
	}
	var b int
	err = q.queryRow(ctx, query).Scan(&seq, &head, &b)
	return seq, head, b == 1, err
}

// appendChain chains the declaration id with contentHash after the head
// (seq, head), signing it if the store has a key, and returns the new head.
func (s *sqlStore) appendChain(ctx context.Context, q querier, seq int64, head, id, contentHash string) (int64, string, error) {
	seq++
	h := ChainHash(head, contentHash, seq)
	var sig any // NULL unless signed
	if s.signer != nil {
		sig = ed25519.Sign(s.signer, SignedHeadMessage(seq, h))
	}
	_, err := q.exec(ctx, `INSERT INTO declaration_chain (seq, declaration_id, content_hash, chain_hash, signature)
		VALUES (?, ?, ?, ?, ?)`, seq, id, contentHash, h, sig)
	return seq, h, err
}

func (s *sqlStore) setChainHead(ctx context.Context, q querier, seq int64, head string) error {
	_, err := q.exec(ctx, `UPDATE chain_head SET seq = ?, chain_hash = ?, backfilled = 1 WHERE id = 1`, seq, head)
	return err
}

// initChain runs at Open, in one transaction: the first time, it chains
// the declarations stored before migration 0005 in creation order (then
// never again, so a row slipped into the table later stays unchained and
// is reported); with a signing key, it signs the head if it is unsigned.
func (s *sqlStore) initChain(ctx context.Context) error {
	return s.db.write(ctx, func(q querier) error {
		seq, head, backfilled, err := s.lockChainHead(ctx, q)
		if err != nil {
			return err
		}
		if !backfilled {
			var pending []struct{ id, hash string }
			rs, err := q.query(ctx, `SELECT d.id, d.content_hash FROM declarations d
				WHERE NOT EXISTS (SELECT 1 FROM declaration_chain c WHERE c.declaration_id = d.id)
				ORDER BY d.created_at, d.id`)
			if err != nil {
				return err
			}
			for rs.Next() {
				var p struct{ id, hash string }
				if err := rs.Scan(&p.id, &p.hash); err != nil {
					rs.Close()
					return err
				}
				pending = append(pending, p)
			}
			rs.Close()
			if err := rs.Err(); err != nil {
				return err
			}
			for _, p := range pending {
				if seq, head, err = s.appendChain(ctx, q, seq, head, p.id, p.hash); err != nil {
					return err
				}
			}
			if err := s.setChainHead(ctx, q, seq, head); err != nil {
				return err
			}
		}
		if s.signer == nil || seq == 0 {
			return nil
		}
		var sig []byte
		if err := q.queryRow(ctx, `SELECT signature FROM declaration_chain WHERE seq = ?`, seq).Scan(&sig); err != nil {
			return err
		}
		if sig != nil {
			return nil
		}
		_, err = q.exec(ctx, `UPDATE declaration_chain SET signature = ? WHERE seq = ?`,
			ed25519.Sign(s.signer, SignedHeadMessage(seq, head)), seq)
		return err
	})
}

// storedDeclaration is a declaration row as stored, with the buyers of
// declaration_buyers (what grants access) beside those of the row.
type storedDeclaration struct {
	Declaration
	grantedBuyers []string // from declaration_buyers, sorted
	rowBuyers     []string // from declarations.buyers
}

// ProblemContentHash is DeclarationCheck's problem when the stored content
// does not hash to the stored content hash.
const ProblemContentHash = "the stored content does not hash to the stored content hash"

// check compares the stored content with its content hash and the row's
// buyers with the granted ones.
func (sd storedDeclaration) check() (ok bool, problems []string) {
	d := sd.Declaration
	d.Buyers = sd.grantedBuyers
	ok = ContentHash(d) == d.ContentHash
	if !ok {
		problems = append(problems, ProblemContentHash)
	}
	row := slices.Compact(slices.Sorted(slices.Values(sd.rowBuyers)))
	if !slices.Equal(row, sd.grantedBuyers) {
		ok = false
		problems = append(problems, "the buyers granted access differ from the buyers declared")
	}
	return ok, problems
}

const selectStored = `SELECT d.id, d.org_id, d.kind, d.product_name, d.product_ids, d.region, d.period_start,
	d.period_end, d.visibility, d.buyers, d.supersedes, d.version, d.request, d.result, d.dataset_version,
	d.engine_version, d.content_hash, d.total_tco2e_per_t, d.created_at, d.hash_version, d.metadata
	FROM declarations d`

func scanStored(r row) (storedDeclaration, error) {
	var (
		sd                          storedDeclaration
		productIDs, buyers, req, rs string
		supersedes, metadata        sql.NullString
		created                     dbTime
	)
	d := &sd.Declaration
	err := r.Scan(&d.ID, &d.OrgID, &d.Kind, &d.ProductName, &productIDs, &d.Region, &d.PeriodStart,
		&d.PeriodEnd, &d.Visibility, &buyers, &supersedes, &d.Version, &req, &rs, &d.DatasetVersion,
		&d.EngineVersion, &d.ContentHash, &d.TotalTCO2ePerT, &created, &d.HashVersion, &metadata)
	if err != nil {
		return sd, err
	}
	// Damaged JSON lists leave the lists empty; the hash then fails.
	_ = json.Unmarshal([]byte(productIDs), &d.ProductIDs)
	_ = json.Unmarshal([]byte(buyers), &sd.rowBuyers)
	d.Supersedes, d.Request, d.Result, d.CreatedAt = supersedes.String, json.RawMessage(req), json.RawMessage(rs), created.Time
	d.Metadata = rawOrNil(metadata)
	return sd, nil
}

func grantedBuyers(ctx context.Context, q querier, id string) ([]string, error) {
	rs, err := q.query(ctx, `SELECT buyer_org_id FROM declaration_buyers WHERE declaration_id = ?`, id)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	buyers := []string{}
	for rs.Next() {
		var b string
		if err := rs.Scan(&b); err != nil {
			return nil, err
		}
		buyers = append(buyers, b)
	}
	slices.Sort(buyers)
	return buyers, rs.Err()
}

func scanEntry(r row) (ChainEntry, error) {
	var e ChainEntry
	err := r.Scan(&e.Seq, &e.DeclarationID, &e.ContentHash, &e.ChainHash, &e.Signature)
	return e, err
}

const selectEntries = `SELECT seq, declaration_id, content_hash, chain_hash, signature FROM declaration_chain`

func (s *sqlStore) CheckDeclaration(ctx context.Context, id string) (DeclarationCheck, error) {
	var c DeclarationCheck
	err := s.db.read(ctx, func(q querier) error {
		sd, err := scanStored(q.queryRow(ctx, selectStored+` WHERE d.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: declaration %q", ErrNotFound, id)
		} else if err != nil {
			return err
		}
		if sd.grantedBuyers, err = grantedBuyers(ctx, q, id); err != nil {
			return err
		}
		c.HashVersion, c.buyers = sd.HashVersion, sd.grantedBuyers
		c.ContentHashValid, c.Problems = sd.check()
		e, err := scanEntry(q.queryRow(ctx, selectEntries+` WHERE declaration_id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			c.Problems = append(c.Problems, "the declaration is not in the registry's hash chain")
			return nil
		} else if err != nil {
			return err
		}
		c.Entry = &e
		if e.Seq > 1 {
			err := q.queryRow(ctx, `SELECT chain_hash FROM declaration_chain WHERE seq = ?`, e.Seq-1).Scan(&c.PreviousChainHash)
			if errors.Is(err, sql.ErrNoRows) {
				c.Problems = append(c.Problems, fmt.Sprintf("chain entry %d, its predecessor, is missing", e.Seq-1))
				return nil
			} else if err != nil {
				return err
			}
		}
		c.LinkValid = e.ContentHash == sd.ContentHash && e.ChainHash == ChainHash(c.PreviousChainHash, e.ContentHash, e.Seq)
		if !c.LinkValid {
			c.Problems = append(c.Problems, fmt.Sprintf("chain entry %d does not follow from its predecessor and the declaration's content hash", e.Seq))
		}
		c.Signed = e.Signature != nil
		if pub := s.SigningPublicKey(); c.Signed && pub != nil {
			c.SignatureValid = ed25519.Verify(pub, SignedHeadMessage(e.Seq, e.ChainHash), e.Signature)
			if !c.SignatureValid {
				c.Problems = append(c.Problems, fmt.Sprintf("the signature of chain entry %d does not verify with the registry's key", e.Seq))
			}
		}
		return nil
	})
	if err != nil {
		return DeclarationCheck{}, s.fail("check declaration", err)
	}
	return c, nil
}

func (s *sqlStore) VerifyChain(ctx context.Context, pub ed25519.PublicKey) (ChainReport, error) {
	var r ChainReport
	err := s.db.read(ctx, func(q querier) error {
		var entries []ChainEntry
		rs, err := q.query(ctx, selectEntries+` ORDER BY seq`)
		if err != nil {
			return err
		}
		for rs.Next() {
			e, err := scanEntry(rs)
			if err != nil {
				rs.Close()
				return err
			}
			entries = append(entries, e)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return err
		}
		head, signedSeen := "", false
		for _, e := range entries {
			brk := func(format string, args ...any) error {
				r.Broken = &ChainBreak{Seq: e.Seq, DeclarationID: e.DeclarationID, Reason: fmt.Sprintf(format, args...)}
				return nil
			}
			if e.Seq != r.Entries+1 {
				return brk("entry %d is missing: the entry before is %d", r.Entries+1, r.Entries)
			}
			sd, err := scanStored(q.queryRow(ctx, selectStored+` WHERE d.id = ?`, e.DeclarationID))
			if errors.Is(err, sql.ErrNoRows) {
				return brk("the declaration is missing")
			} else if err != nil {
				return err
			}
			if sd.grantedBuyers, err = grantedBuyers(ctx, q, e.DeclarationID); err != nil {
				return err
			}
			if ok, problems := sd.check(); !ok {
				return brk("%s", strings.Join(problems, "; "))
			}
			if e.ContentHash != sd.ContentHash {
				return brk("the entry holds content hash %s, the declaration %s", e.ContentHash, sd.ContentHash)
			}
			if e.ChainHash != ChainHash(head, e.ContentHash, e.Seq) {
				return brk("the chain hash does not follow from the previous entry's")
			}
			switch {
			case e.Signature != nil && pub != nil && !ed25519.Verify(pub, SignedHeadMessage(e.Seq, e.ChainHash), e.Signature):
				return brk("the signature does not verify with the registry's public key")
			case e.Signature == nil && signedSeen && pub != nil:
				return brk("unsigned, though an earlier entry is signed")
			}
			if e.Signature != nil {
				signedSeen = true
				r.Signed++
			}
			r.Entries, head, r.Head = e.Seq, e.ChainHash, e.ChainHash
		}
		if n := len(entries); pub != nil && n > 0 && entries[n-1].Signature == nil {
			e := entries[n-1]
			r.Broken = &ChainBreak{Seq: e.Seq, DeclarationID: e.DeclarationID,
				Reason: "the head is not signed, though a public key was given to check it"}
			return nil
		}
		var hseq int64
		var hhash string
		if err := q.queryRow(ctx, `SELECT seq, chain_hash FROM chain_head WHERE id = 1`).Scan(&hseq, &hhash); err != nil {
			return err
		}
		if hseq != r.Entries || hhash != r.Head {
			r.Broken = &ChainBreak{Seq: hseq, Reason: fmt.Sprintf("the recorded head is entry %d (%s), the chain ends at entry %d (%s)", hseq, hhash, r.Entries, r.Head)}
			return nil
		}
		var id string
		err = q.queryRow(ctx, `SELECT d.id FROM declarations d
			WHERE NOT EXISTS (SELECT 1 FROM declaration_chain c WHERE c.declaration_id = d.id)
			ORDER BY d.created_at, d.id LIMIT 1`).Scan(&id)
		if err == nil {
			r.Broken = &ChainBreak{DeclarationID: id, Reason: "not in the chain"}
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		err = q.queryRow(ctx, `SELECT d.id FROM declarations d WHERE d.status = ?
			AND NOT EXISTS (SELECT 1 FROM declarations s WHERE s.supersedes = d.id) ORDER BY d.created_at, d.id LIMIT 1`,
			StatusDeprecated).Scan(&id)
		if err == nil {
			r.Broken = &ChainBreak{DeclarationID: id, Reason: "deprecated, but no declaration supersedes it"}
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		return nil
	})
	if err != nil {
		return ChainReport{}, s.fail("verify chain", err)
	}
	return r, nil
}
