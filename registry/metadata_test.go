package registry

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

const sampleMetadata = `{"installation_name":"Taiyuan smelter","address":{"city":"Taiyuan","country":"CN"},"unlocode":"CN TYN"}`

// TestContentHashMetadata: the version 2 hash of a declaration with
// metadata is that of the same declaration without it followed by the
// field "metadata" and the metadata's bytes (hand-built here from the
// definition on ContentHashV2); without metadata nothing is appended, so
// TestChainHashDefinition, unchanged, pins the hashes of declarations
// stored before metadata existed.
func TestContentHashMetadata(t *testing.T) {
	d := sample("org-1", func(d *Declaration) {
		d.ID, d.Version, d.HashVersion = "id-1", 1, HashV2
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
	for _, s := range []string{"CN-SX", "2023-01-01", "2023-12-31", "public"} {
		f(s)
	}
	n(0) // no buyers
	for _, s := range []string{"", "1", sampleRequest, string(d.Result), "2024.1", "0.1.0", "12.1", "1700000000123456"} {
		f(s)
	}
	without := sha256.Sum256(want.Bytes())
	if got := ContentHash(d); got != hex.EncodeToString(without[:]) {
		t.Fatalf("ContentHash without metadata = %s, want %x", got, without)
	}
	f("metadata")
	f(sampleMetadata)
	with := sha256.Sum256(want.Bytes())
	m := d
	m.Metadata = json.RawMessage(sampleMetadata)
	if got := ContentHash(m); got != hex.EncodeToString(with[:]) {
		t.Fatalf("ContentHash with metadata = %s, want %x", got, with)
	}
	e := m
	e.Metadata = json.RawMessage(strings.Replace(sampleMetadata, "CN TYN", "CN TYA", 1))
	if ContentHash(e) == ContentHash(m) {
		t.Error("the metadata's content is not covered by the hash")
	}
	e.Metadata = json.RawMessage(`{}`)
	if ContentHash(e) == ContentHash(d) {
		t.Error("an empty metadata object hashes like none")
	}
}

// testMetadata: metadata is stored and read back byte for byte, by Get
// and List; a declaration without metadata has none; both verify; the
// column is guarded like the others; and metadata changed, added or
// removed behind the store's back is detected by CheckDeclaration and
// VerifyChain.
func testMetadata(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	ctx := ctxFor(t)
	org := mustOrg(t, s, "Smelter A")
	with := mustDeclare(t, s, sample(org.ID, func(d *Declaration) { d.Metadata = json.RawMessage(sampleMetadata) }))
	without := mustDeclare(t, s, sample(org.ID))
	if string(with.Metadata) != sampleMetadata || without.Metadata != nil {
		t.Fatalf("created metadata %q and %q, want %q and none", with.Metadata, without.Metadata, sampleMetadata)
	}
	for _, d := range []Declaration{with, without} {
		got, err := s.GetDeclaration(ctx, d.ID, org.ID)
		if err != nil || !equalDeclarations(got, d) {
			t.Errorf("GetDeclaration(%s) = %+v, %v; want %+v", d.ID, got, err, d)
		}
		if c := mustCheck(t, s, d.ID); !c.ContentHashValid || !c.LinkValid || len(c.Problems) > 0 {
			t.Errorf("CheckDeclaration(%s) = %+v", d.ID, c)
		}
	}
	for _, docs := range []bool{false, true} {
		for _, d := range listAll(t, s, DeclarationFilter{Viewer: org.ID, WithoutDocuments: docs}) {
			want := []byte(nil)
			if d.ID == with.ID {
				want = []byte(sampleMetadata)
			}
			if !bytes.Equal(d.Metadata, want) {
				t.Errorf("ListDeclarations (without documents %v): %s metadata %q, want %q", docs, d.ID, d.Metadata, want)
			}
		}
	}
	if r := mustVerifyChain(t, s, nil); r.Broken != nil || r.Entries != 2 {
		t.Fatalf("VerifyChain = %+v (%v); want 2 entries, unbroken", r, r.Broken)
	}
	db := s.(*sqlStore).db
	err := db.write(ctx, func(q querier) error {
		_, err := q.exec(ctx, `UPDATE declarations SET metadata = '{}' WHERE id = ?`, with.ID)
		return err
	})
	if err == nil {
		t.Fatal("updating metadata succeeded; declarations must be immutable")
	}
	if _, err := s.CreateDeclaration(ctx, sample(org.ID, func(d *Declaration) { d.Metadata = json.RawMessage(`[1]`) })); err == nil {
		t.Error("metadata that is not a JSON object was stored")
	}

	tamper(t, s, []string{"declarations"},
		`UPDATE declarations SET metadata = `+quote(strings.Replace(sampleMetadata, "Taiyuan smelter", "Other smelter", 1))+` WHERE id = `+quote(with.ID),
		`UPDATE declarations SET metadata = `+quote(sampleMetadata)+` WHERE id = `+quote(without.ID))
	for _, d := range []Declaration{with, without} {
		if c := mustCheck(t, s, d.ID); c.ContentHashValid {
			t.Errorf("CheckDeclaration(%s) after its metadata was changed = %+v; want the content hash invalid", d.ID, c)
		}
	}
	wantBroken(t, mustVerifyChain(t, s, nil), 1, with.ID)
	tamper(t, s, nil, `UPDATE declarations SET metadata = NULL WHERE id = `+quote(with.ID))
	if c := mustCheck(t, s, with.ID); c.ContentHashValid {
		t.Errorf("CheckDeclaration after its metadata was removed = %+v; want the content hash invalid", c)
	}
}
