package registry

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Tampering with the database (issue 16, row 7), each reproduced here on
// both dialects by someone with write access to the database, triggers
// dropped where they are in the way; each must be detected by
// CheckDeclaration (what GET /v1/declarations/{id}/verify reports) and
// VerifyChain (alcarbon registry verify).

func tamperCases() []struct {
	name string
	run  func(t *testing.T, open func(t *testing.T) Store)
} {
	return []struct {
		name string
		run  func(t *testing.T, open func(t *testing.T) Store)
	}{
		{"ChainHolds", testChainHolds},
		{"ChainTriggers", testChainTriggers},
		{"TamperBuyerAdded", testTamperBuyerAdded},
		{"TamperVisibility", testTamperVisibility},
		{"TamperContentRehashedV1", func(t *testing.T, open func(t *testing.T) Store) { testTamperContentRehashed(t, open, HashV1) }},
		{"TamperContentRehashedV2", func(t *testing.T, open func(t *testing.T) Store) { testTamperContentRehashed(t, open, HashV2) }},
		{"TamperDeletedFromChain", func(t *testing.T, open func(t *testing.T) Store) { testTamperDeletedFromChain(t, open, false) }},
		{"TamperDeletedFromChainRenumbered", func(t *testing.T, open func(t *testing.T) Store) { testTamperDeletedFromChain(t, open, true) }},
		{"TamperChainRewrittenSigned", testTamperChainRewrittenSigned},
		{"TamperRowSlippedIn", testTamperRowSlippedIn},
		{"Metadata", testMetadata},
	}
}

// tamper runs stmts as someone with database access would, in one
// transaction, after removing the triggers (the guards) of tables.
func tamper(t *testing.T, s Store, tables []string, stmts ...string) {
	t.Helper()
	db, ctx := s.(*sqlStore).db, ctxFor(t)
	err := db.write(ctx, func(q querier) error {
		for _, table := range tables {
			if db.dialect() == "postgres" {
				if _, err := q.exec(ctx, `ALTER TABLE `+table+` DISABLE TRIGGER USER`); err != nil {
					return err
				}
				continue
			}
			rs, err := q.query(ctx, `SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?`, table)
			if err != nil {
				return err
			}
			var names []string
			for rs.Next() {
				var n string
				if err := rs.Scan(&n); err != nil {
					return err
				}
				names = append(names, n)
			}
			rs.Close()
			for _, n := range names {
				if _, err := q.exec(ctx, `DROP TRIGGER `+n); err != nil {
					return err
				}
			}
		}
		for _, stmt := range stmts {
			if _, err := q.exec(ctx, stmt); err != nil {
				return fmt.Errorf("%s: %w", stmt, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("tampering: %v", err)
	}
}

// quote is s as an SQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func mustCheck(t *testing.T, s Store, id string) DeclarationCheck {
	t.Helper()
	c, err := s.CheckDeclaration(ctxFor(t), id)
	if err != nil {
		t.Fatalf("CheckDeclaration(%s): %v", id, err)
	}
	return c
}

func mustVerifyChain(t *testing.T, s Store, pub ed25519.PublicKey) ChainReport {
	t.Helper()
	r, err := s.VerifyChain(ctxFor(t), pub)
	if err != nil {
		t.Fatalf("VerifyChain: %v", err)
	}
	return r
}

// wantBroken fails unless r names want (a chain entry, 0 for none) and
// declaration id as the first break.
func wantBroken(t *testing.T, r ChainReport, seq int64, id string) {
	t.Helper()
	if r.Broken == nil || r.Broken.Seq != seq || (id != "" && r.Broken.DeclarationID != id) {
		t.Fatalf("VerifyChain = %+v, broken at %v; want the break at entry %d (declaration %s)", r, r.Broken, seq, id)
	}
}

// threeDeclarations publishes a public, a restricted and a superseding
// declaration; the restricted one is in the middle of the chain.
func threeDeclarations(t *testing.T, s Store) (seller, buyer, outsider Organisation, ds []Declaration) {
	seller, buyer, outsider = mustOrg(t, s, "Smelter A"), mustOrg(t, s, "Buyer B"), mustOrg(t, s, "Outsider C")
	first := mustDeclare(t, s, sample(seller.ID))
	restricted := mustDeclare(t, s, sample(seller.ID, func(d *Declaration) {
		d.ProductName, d.Visibility, d.Buyers = "billet", VisibilityRestricted, []string{buyer.ID}
	}))
	second := mustDeclare(t, s, sample(seller.ID, func(d *Declaration) { d.Supersedes = first.ID }))
	return seller, buyer, outsider, []Declaration{first, restricted, second}
}

// TestChainHashDefinition pins ChainHash and ContentHashV2 to their doc
// comments, written out independently here.
func TestChainHashDefinition(t *testing.T) {
	content := strings.Repeat("ab", 32)
	c, _ := hex.DecodeString(content)
	seq1 := sha256.Sum256(append(append(make([]byte, 32), c...), 0, 0, 0, 0, 0, 0, 0, 1))
	if got := ChainHash("", content, 1); got != hex.EncodeToString(seq1[:]) {
		t.Fatalf("ChainHash(entry 1) = %s, want %x", got, seq1)
	}
	seq2 := sha256.Sum256(append(append(seq1[:], c...), 0, 0, 0, 0, 0, 0, 0, 2))
	if got := ChainHash(hex.EncodeToString(seq1[:]), content, 2); got != hex.EncodeToString(seq2[:]) {
		t.Fatalf("ChainHash(entry 2) = %s, want %x", got, seq2)
	}
	if ChainHash("", content, 2) != "" || ChainHash("zz", content, 2) != "" || ChainHash("", "forged", 1) != "" {
		t.Fatal("a missing or damaged hash must give no chain hash")
	}

	d := sample("org-1", func(d *Declaration) {
		d.ID, d.Version, d.Supersedes, d.Visibility = "id-1", 2, "prev", VisibilityRestricted
		d.CreatedAt = time.UnixMicro(1700000000123456)
	})
	var want bytes.Buffer
	want.WriteString("alcarbon declaration v2\n")
	n := func(k int) { want.Write(binary.BigEndian.AppendUint64(nil, uint64(k))) }
	f := func(s string) { n(len(s)); want.WriteString(s) }
	for _, s := range []string{"id-1", "org-1", "primary", "P1020A ingot"} {
		f(s)
	}
	n(1)
	f("urn:gtin:06901234567892")
	for _, s := range []string{"CN-SX", "2023-01-01", "2023-12-31", "restricted"} {
		f(s)
	}
	n(2) // buyers sorted, deduplicated
	f("a")
	f("b")
	for _, s := range []string{"prev", "2", sampleRequest, string(d.Result), "2024.1", "0.1.0", "12.1", "1700000000123456"} {
		f(s)
	}
	sum := sha256.Sum256(want.Bytes())
	if got := ContentHashV2(d, []string{"b", "a", "b"}); got != hex.EncodeToString(sum[:]) {
		t.Fatalf("ContentHashV2 = %s, want %x", got, sum)
	}
	d.HashVersion, d.Buyers = HashV2, []string{"a", "b"}
	if ContentHash(d) != hex.EncodeToString(sum[:]) {
		t.Fatal("ContentHash does not dispatch on HashVersion 2")
	}
	for name, edit := range map[string]func(*Declaration){
		"visibility": func(d *Declaration) { d.Visibility = VisibilityPublic },
		"buyers":     func(d *Declaration) { d.Buyers = []string{"a", "b", "c"} },
		"supersedes": func(d *Declaration) { d.Supersedes = "" },
		"version":    func(d *Declaration) { d.Version = 3 },
		"created":    func(d *Declaration) { d.CreatedAt = d.CreatedAt.Add(time.Microsecond) },
		"org":        func(d *Declaration) { d.OrgID = "org-2" },
		"id":         func(d *Declaration) { d.ID = "id-2" },
		"request":    func(d *Declaration) { d.Request = []byte(strings.ReplaceAll(sampleRequest, "  ", " ")) },
	} {
		e := d
		edit(&e)
		if ContentHash(e) == ContentHash(d) {
			t.Errorf("%s is not covered by the version 2 hash", name)
		}
	}
	// Fields split differently must not hash alike.
	a, b := d, d
	a.ProductName, a.Region = "ab", "c"
	b.ProductName, b.Region = "a", "bc"
	if ContentHash(a) == ContentHash(b) {
		t.Error("field boundaries are not encoded")
	}
}

// testChainHolds: every declaration, concurrent ones included, is
// chained in order, signed with the store's key, and verifies.
func testChainHolds(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	_, _, _, ds := threeDeclarations(t, s)
	for i, d := range ds {
		c := mustCheck(t, s, d.ID)
		if d.HashVersion != HashV2 || c.HashVersion != HashV2 || !c.ContentHashValid || !c.LinkValid ||
			c.Entry == nil || c.Entry.Seq != int64(i+1) || c.Signed || len(c.Problems) > 0 {
			t.Fatalf("declaration %d: %+v", i, c)
		}
	}
	r := mustVerifyChain(t, s, nil)
	if r.Broken != nil || r.Entries != 3 || r.Signed != 0 || len(r.Head) != 64 {
		t.Fatalf("VerifyChain = %+v, %v", r, r.Broken)
	}

	_, priv, _ := ed25519.GenerateKey(nil)
	signed := &sqlStore{db: s.(*sqlStore).db, now: time.Now, signer: priv} // same database, with a key
	org, err := signed.OrganisationByName(ctxFor(t), "Smelter A")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { mustDeclare(t, signed, sample(org.ID)) })
	}
	wg.Wait()
	r = mustVerifyChain(t, s, signed.SigningPublicKey())
	if r.Broken != nil || r.Entries != 11 || r.Signed != 8 {
		t.Fatalf("VerifyChain after 8 concurrent signed appends = %+v, %v", r, r.Broken)
	}
	_, other, _ := ed25519.GenerateKey(nil)
	wantBroken(t, mustVerifyChain(t, s, other.Public().(ed25519.PublicKey)), 4, "")
}

// testChainTriggers: the triggers refuse what the tamper tests below
// have to remove them for.
func testChainTriggers(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	_, _, outsider, ds := threeDeclarations(t, s)
	db := s.(*sqlStore).db
	stmts := []string{
		`INSERT INTO declaration_buyers (declaration_id, buyer_org_id) VALUES (` + quote(ds[1].ID) + `, ` + quote(outsider.ID) + `)`,
		`INSERT INTO declaration_products (declaration_id, product_id) VALUES (` + quote(ds[0].ID) + `, 'urn:x')`,
		`UPDATE declarations SET visibility = 'public' WHERE id = ` + quote(ds[1].ID),
		`UPDATE declarations SET hash_version = 1 WHERE id = ` + quote(ds[1].ID),
		`UPDATE declarations SET supersedes = NULL WHERE id = ` + quote(ds[2].ID),
		`UPDATE declaration_chain SET content_hash = chain_hash WHERE seq = 2`,
		`UPDATE declaration_chain SET signature = NULL WHERE seq = 2`,
		`DELETE FROM declaration_chain WHERE seq = 3`,
		`INSERT INTO declaration_chain (seq, declaration_id, content_hash, chain_hash) VALUES (9, 'x', 'x', 'x')`,
		`UPDATE chain_head SET seq = 0 WHERE id = 1`,
		`UPDATE chain_head SET backfilled = 0 WHERE id = 1`,
		`DELETE FROM chain_head`,
	}
	if db.dialect() == "postgres" {
		for _, table := range []string{"declarations", "declaration_buyers", "declaration_products", "declaration_chain", "chain_head"} {
			stmts = append(stmts, `TRUNCATE `+table+` CASCADE`)
		}
	}
	for _, stmt := range stmts {
		err := db.write(ctxFor(t), func(q querier) error {
			_, err := q.exec(ctxFor(t), stmt)
			return err
		})
		if err == nil {
			t.Errorf("%s: succeeded; published data must be append-only", stmt)
		}
	}
	if r := mustVerifyChain(t, s, nil); r.Broken != nil || r.Entries != 3 {
		t.Fatalf("VerifyChain = %+v, %v", r, r.Broken)
	}
	// A signature may be added to an unsigned entry, once.
	_, priv, _ := ed25519.GenerateKey(nil)
	if err := (&sqlStore{db: db, now: time.Now, signer: priv}).initChain(ctxFor(t)); err != nil {
		t.Fatalf("signing the head: %v", err)
	}
	if r := mustVerifyChain(t, s, priv.Public().(ed25519.PublicKey)); r.Broken != nil || r.Signed != 1 {
		t.Fatalf("VerifyChain after signing the head = %+v, %v", r, r.Broken)
	}
}

// testTamperBuyerAdded (row 7a): a buyer added to a restricted
// declaration straight into declaration_buyers.
func testTamperBuyerAdded(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	_, _, outsider, ds := threeDeclarations(t, s)
	tamper(t, s, []string{"declaration_buyers"},
		`INSERT INTO declaration_buyers (declaration_id, buyer_org_id) VALUES (`+quote(ds[1].ID)+`, `+quote(outsider.ID)+`)`)
	if _, err := s.GetDeclaration(ctxFor(t), ds[1].ID, outsider.ID); err != nil {
		t.Fatalf("the added buyer does not see the declaration (%v): the tampering did not take", err)
	}
	if c := mustCheck(t, s, ds[1].ID); c.ContentHashValid || len(c.Problems) == 0 {
		t.Fatalf("CheckDeclaration = %+v; want the content hash invalid", c)
	}
	wantBroken(t, mustVerifyChain(t, s, nil), 2, ds[1].ID)

	// The same, with the buyers column rewritten to match.
	tamper(t, s, []string{"declarations"},
		`UPDATE declarations SET buyers = `+quote(fmt.Sprintf(`[%q,%q]`, ds[1].Buyers[0], outsider.ID))+` WHERE id = `+quote(ds[1].ID))
	if c := mustCheck(t, s, ds[1].ID); c.ContentHashValid {
		t.Fatalf("CheckDeclaration = %+v; want the content hash invalid", c)
	}
	wantBroken(t, mustVerifyChain(t, s, nil), 2, ds[1].ID)
}

// testTamperVisibility (row 7b): the trigger dropped, a restricted
// declaration made public.
func testTamperVisibility(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	_, _, _, ds := threeDeclarations(t, s)
	tamper(t, s, []string{"declarations"}, `UPDATE declarations SET visibility = 'public' WHERE id = `+quote(ds[1].ID))
	if _, err := s.GetDeclaration(ctxFor(t), ds[1].ID, ""); err != nil {
		t.Fatalf("not public (%v): the tampering did not take", err)
	}
	if c := mustCheck(t, s, ds[1].ID); c.ContentHashValid {
		t.Fatalf("CheckDeclaration = %+v; want the content hash invalid", c)
	}
	wantBroken(t, mustVerifyChain(t, s, nil), 2, ds[1].ID)
}

// testTamperContentRehashed (row 7c): request and result replaced and the
// content hash recomputed: the plain SHA-256 of the previous release
// (version 1), or even this release's version 2. The first fails the
// version 2 hash; the second passes it but not the chain.
func testTamperContentRehashed(t *testing.T, open func(t *testing.T) Store, version int) {
	s := open(t)
	_, _, _, ds := threeDeclarations(t, s)
	forged := ds[0]
	forged.Request = []byte(`{"region":"CN-SX","production_t":1}`)
	forged.Result = []byte(`{"total_tco2e_per_t":{"location_based":1.2,"market_based":1.1}}`)
	forged.HashVersion = version
	hash := ContentHash(forged)
	tamper(t, s, []string{"declarations"}, `UPDATE declarations SET request = `+quote(string(forged.Request))+
		`, result = `+quote(string(forged.Result))+`, content_hash = `+quote(hash)+` WHERE id = `+quote(ds[0].ID))
	c := mustCheck(t, s, ds[0].ID)
	if version == HashV1 && c.ContentHashValid {
		t.Fatalf("CheckDeclaration = %+v; want the content hash invalid", c)
	}
	if version == HashV2 && (!c.ContentHashValid || c.LinkValid) {
		t.Fatalf("CheckDeclaration = %+v; want a valid content hash and a broken chain link", c)
	}
	wantBroken(t, mustVerifyChain(t, s, nil), 1, ds[0].ID)

	// Downgrading to version 1, which leaves visibility out, is
	// no way around it either.
	if version == HashV1 {
		tamper(t, s, []string{"declarations"}, `UPDATE declarations SET hash_version = 1 WHERE id = `+quote(ds[0].ID))
		if c := mustCheck(t, s, ds[0].ID); !c.ContentHashValid || c.LinkValid {
			t.Fatalf("downgraded: CheckDeclaration = %+v; want a broken chain link", c)
		}
		wantBroken(t, mustVerifyChain(t, s, nil), 1, ds[0].ID)
	}
}

// testTamperDeletedFromChain (row 7d): a declaration deleted from the
// middle of the chain, with its chain entry, or without it.
func testTamperDeletedFromChain(t *testing.T, open func(t *testing.T) Store, renumber bool) {
	s := open(t)
	_, _, _, ds := threeDeclarations(t, s)
	id := quote(ds[1].ID)
	stmts := []string{
		`DELETE FROM declaration_chain WHERE declaration_id = ` + id,
		`DELETE FROM declaration_buyers WHERE declaration_id = ` + id,
		`DELETE FROM declaration_products WHERE declaration_id = ` + id,
		`DELETE FROM declarations WHERE id = ` + id,
	}
	if renumber {
		stmts = append(stmts, `UPDATE declaration_chain SET seq = 2 WHERE seq = 3`, `UPDATE chain_head SET seq = 2 WHERE id = 1`)
	}
	tamper(t, s, []string{"declarations", "declaration_buyers", "declaration_products", "declaration_chain", "chain_head"}, stmts...)
	if renumber {
		// Entry 2 is now the successor, whose chain hash was made for entry 3.
		wantBroken(t, mustVerifyChain(t, s, nil), 2, ds[2].ID)
		return
	}
	wantBroken(t, mustVerifyChain(t, s, nil), 3, ds[2].ID)
	if c := mustCheck(t, s, ds[2].ID); c.LinkValid || len(c.Problems) == 0 {
		t.Fatalf("CheckDeclaration(successor) = %+v; want the missing predecessor reported", c)
	}
}

// testTamperChainRewrittenSigned (row 7e): an operator rewrites a
// declaration and then the whole chain from it consistently. Without a
// key that cannot be told from the truth; with the signing key, the
// signatures give it away, and so does stripping them.
func testTamperChainRewrittenSigned(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	_, priv, _ := ed25519.GenerateKey(nil)
	pub := priv.Public().(ed25519.PublicKey)
	signed := &sqlStore{db: s.(*sqlStore).db, now: time.Now, signer: priv}
	_, _, _, ds := threeDeclarations(t, signed)
	if r := mustVerifyChain(t, s, pub); r.Broken != nil || r.Signed != 3 {
		t.Fatalf("VerifyChain before = %+v, %v", r, r.Broken)
	}

	forged := ds[1]
	forged.Visibility, forged.Buyers = VisibilityPublic, nil
	hash := ContentHashV2(forged, nil)
	stmts := []string{
		`UPDATE declarations SET visibility = 'public', buyers = '[]', content_hash = ` + quote(hash) + ` WHERE id = ` + quote(ds[1].ID),
		`DELETE FROM declaration_buyers WHERE declaration_id = ` + quote(ds[1].ID),
	}
	var entries []ChainEntry
	rawRead(t, s, func(ctx context.Context, q querier) error {
		rs, err := q.query(ctx, selectEntries+` ORDER BY seq`)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			e, err := scanEntry(rs)
			if err != nil {
				return err
			}
			entries = append(entries, e)
		}
		return rs.Err()
	})
	prev := ""
	for _, e := range entries {
		if e.DeclarationID == ds[1].ID {
			e.ContentHash = hash
		}
		e.ChainHash = ChainHash(prev, e.ContentHash, e.Seq)
		prev = e.ChainHash
		stmts = append(stmts, fmt.Sprintf(`UPDATE declaration_chain SET content_hash = %s, chain_hash = %s WHERE seq = %d`,
			quote(e.ContentHash), quote(e.ChainHash), e.Seq))
	}
	stmts = append(stmts, `UPDATE chain_head SET chain_hash = `+quote(prev)+` WHERE id = 1`)
	tamper(t, s, []string{"declarations", "declaration_buyers", "declaration_chain", "chain_head"}, stmts...)

	if _, err := s.GetDeclaration(ctxFor(t), ds[1].ID, ""); err != nil {
		t.Fatalf("not public (%v): the tampering did not take", err)
	}
	// Consistent: only the signatures tell.
	if r := mustVerifyChain(t, s, nil); r.Broken != nil {
		t.Fatalf("without a key the rewrite was expected to pass (README says so), got %v", r.Broken)
	}
	if c := mustCheck(t, signed, ds[1].ID); !c.ContentHashValid || !c.LinkValid || !c.Signed || c.SignatureValid {
		t.Fatalf("CheckDeclaration = %+v; want a consistent link whose signature fails", c)
	}
	wantBroken(t, mustVerifyChain(t, s, pub), 2, ds[1].ID)

	// Signatures stripped: an unsigned head is refused when a key is given.
	tamper(t, s, []string{"declaration_chain"}, `UPDATE declaration_chain SET signature = NULL`)
	wantBroken(t, mustVerifyChain(t, s, pub), 3, ds[2].ID)
}

// testTamperRowSlippedIn: a declaration inserted straight into the
// table is not chained, and reported (it is never chained later: the
// backfill of migration 0005 runs once).
func testTamperRowSlippedIn(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	seller, _, _, ds := threeDeclarations(t, s)
	fake := sample(seller.ID, func(d *Declaration) {
		d.ID, d.Version, d.Status, d.HashVersion, d.CreatedAt = "11111111-2222-4333-8444-555555555555", 1, StatusActive, HashV2, ds[2].CreatedAt.Add(time.Second)
	})
	fake.ContentHash = ContentHashV2(fake, nil)
	tamper(t, s, nil, fmt.Sprintf(`INSERT INTO declarations (id, org_id, kind, product_name, product_ids, region,
		period_start, period_end, visibility, buyers, status, version, request, result, dataset_version, engine_version,
		content_hash, total_tco2e_per_t, created_at, hash_version) VALUES (%s, %s, 'primary', 'fake', '[]', 'CN-SX',
		'2023-01-01', '2023-12-31', 'public', '[]', 'active', 1, %s, %s, '2024.1', '0.1.0', %s, 12.1, %s, 2)`,
		quote(fake.ID), quote(seller.ID), quote(string(fake.Request)), quote(string(fake.Result)), quote(fake.ContentHash),
		map[string]string{"sqlite": strconv.FormatInt(fake.CreatedAt.UnixMicro(), 10), "postgres": quote(fake.CreatedAt.Format(time.RFC3339Nano))}[s.(*sqlStore).db.dialect()]))
	wantBroken(t, mustVerifyChain(t, s, nil), 0, fake.ID)
	if c := mustCheck(t, s, fake.ID); c.Entry != nil || len(c.Problems) == 0 {
		t.Fatalf("CheckDeclaration = %+v; want it reported unchained", c)
	}
	s.Close()
	s = open(t) // reopening does not chain it
	wantBroken(t, mustVerifyChain(t, s, nil), 0, fake.ID)
}
