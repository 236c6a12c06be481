package api

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"alcarbon/internal/testpg"
	"alcarbon/registry"
)

// rawDB is write access to a registry's database behind the Store's back,
// as an operator or an intruder has it.
type rawDB struct {
	db      *sql.DB
	dialect string
}

// unguard removes the triggers that guard table.
func (r rawDB) unguard(t *testing.T, table string) {
	t.Helper()
	if r.dialect == "postgres" {
		r.exec(t, `ALTER TABLE `+table+` DISABLE TRIGGER USER`)
		return
	}
	rows, err := r.db.Query(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = '` + table + `'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	rows.Close()
	for _, n := range names {
		r.exec(t, `DROP TRIGGER `+n)
	}
}

func (r rawDB) exec(t *testing.T, stmt string) {
	t.Helper()
	if _, err := r.db.Exec(stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

func sqlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// tamperableStores open a registry with opts and raw access to its database.
var tamperableStores = []struct {
	name string
	open func(t *testing.T, opts ...registry.StoreOption) (registry.Store, rawDB)
}{
	{"sqlite", func(t *testing.T, opts ...registry.StoreOption) (registry.Store, rawDB) {
		dir := t.TempDir()
		s, err := registry.Open(context.Background(), "", dir, opts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		db, err := sql.Open("sqlite", filepath.Join(dir, registry.SQLiteFile)+"?_busy_timeout=10000")
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		t.Cleanup(func() { db.Close() })
		return s, rawDB{db, "sqlite"}
	}},
	{"postgres", func(t *testing.T, opts ...registry.StoreOption) (registry.Store, rawDB) {
		schema := testpg.New(t)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s, err := registry.Open(ctx, schema.URL+"&pool_max_conns=8", "", opts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		db, err := sql.Open("pgx", schema.URL)
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(1) // one session: ALTER TABLE and the change in the same search_path
		t.Cleanup(func() { db.Close() })
		return s, rawDB{db, "postgres"}
	}},
}

// TestVerifyDetectsDatabaseTampering reproduces issue 16, row 7, through
// GET /v1/declarations/{id}/verify: a buyer added in declaration_buyers,
// visibility changed after dropping the trigger, request and result
// replaced with the content hash recomputed (as the previous release's
// plain SHA-256, and as version 2). Each was reproduced: true before.
func TestVerifyDetectsDatabaseTampering(t *testing.T) {
	for _, st := range tamperableStores {
		t.Run(st.name, func(t *testing.T) {
			s, raw := st.open(t)
			r := newRegistryEnv(t, func(testing.TB) registry.Store { return s })
			seller, _ := r.org(t, "Smelter")
			buyer, _ := r.org(t, "Buyer")
			outsider, outsiderKey := r.org(t, "Outsider")
			public := r.publishDirect(t, seller.ID, nil)
			restricted := r.publishDirect(t, seller.ID, func(d *registry.Declaration) {
				d.Visibility, d.Buyers = "restricted", []string{buyer.ID}
			})
			rehashedV1 := r.publishDirect(t, seller.ID, nil)
			rehashedV2 := r.publishDirect(t, seller.ID, nil)
			untouched := r.publishDirect(t, seller.ID, nil)

			verify := func(id string, headers ...string) verifyResponse {
				t.Helper()
				var v verifyResponse
				if rec := getJSON(t, r.e, "/v1/declarations/"+id+"/verify", &v, headers...); rec.Code != http.StatusOK {
					t.Fatalf("verify %s: %d %s", id, rec.Code, rec.Body)
				}
				return v
			}
			v := verify(public.ID)
			if !v.Reproduced || !v.StoredHashValid || !v.ChainLinkValid || v.HashVersion != 2 || v.ChainPosition != 1 ||
				len(v.ChainHash) != 64 || v.PreviousChainHash != "" {
				t.Fatalf("verify before tampering: %+v", v)
			}

			// (a) A buyer added straight into declaration_buyers.
			raw.unguard(t, "declaration_buyers")
			raw.exec(t, `INSERT INTO declaration_buyers (declaration_id, buyer_org_id) VALUES (`+
				sqlQuote(restricted.ID)+`, `+sqlQuote(outsider.ID)+`)`)
			v = verify(restricted.ID, auth(outsiderKey)...) // the intruder's buyer sees it…
			if v.Reproduced || v.StoredHashValid || len(v.Notes) == 0 {
				t.Fatalf("(a) buyer added: %+v", v) // …and is told it was altered
			}

			// (b) The trigger dropped, the restricted declaration made public.
			raw.unguard(t, "declarations")
			raw.exec(t, `UPDATE declarations SET visibility = 'public' WHERE id = `+sqlQuote(restricted.ID))
			if v = verify(restricted.ID); v.Reproduced || v.StoredHashValid {
				t.Fatalf("(b) made public: %+v", v)
			}

			// (c) Request and result replaced, the hash recomputed: the plain
			// SHA-256 of the previous release, or this release's version 2.
			for version, d := range map[int]registry.Declaration{1: rehashedV1, 2: rehashedV2} {
				forged := d
				forged.Request = []byte(strings.Replace(string(d.Request), "{", `{"comment":"x",`, 1))
				forged.Result = []byte(strings.Replace(string(d.Result), "{", `{"comment":"x",`, 1))
				forged.HashVersion, forged.Buyers = version, []string{}
				raw.exec(t, `UPDATE declarations SET request = `+sqlQuote(string(forged.Request))+`, result = `+
					sqlQuote(string(forged.Result))+`, content_hash = `+sqlQuote(registry.ContentHash(forged))+` WHERE id = `+sqlQuote(d.ID))
				v = verify(d.ID)
				if v.Reproduced || (version == 1 && v.StoredHashValid) || (version == 2 && v.ChainLinkValid) {
					t.Fatalf("(c) rehashed as version %d: %+v", version, v)
				}
			}

			// Declarations nobody touched still verify, links included.
			if v = verify(untouched.ID); !v.Reproduced || !v.ChainLinkValid || v.ChainPosition != 5 || len(v.PreviousChainHash) != 64 {
				t.Fatalf("untouched declaration: %+v", v)
			}
		})
	}
}

// TestRegistryKey: the signing key's public half at the well-known path,
// and a 404 without one.
func TestRegistryKey(t *testing.T) {
	s, _ := tamperableStores[0].open(t)
	r := newRegistryEnv(t, func(testing.TB) registry.Store { return s })
	if rec := getJSON(t, r.e, "/.well-known/alcarbon-registry-key", nil); rec.Code != http.StatusNotFound ||
		!strings.Contains(rec.Header().Get("Content-Type"), "problem+json") {
		t.Fatalf("without a key: %d %s", rec.Code, rec.Body)
	}

	pub, priv, _ := ed25519.GenerateKey(nil)
	s, _ = tamperableStores[0].open(t, registry.WithSigningKey(priv))
	r = newRegistryEnv(t, func(testing.TB) registry.Store { return s })
	var k registryKeyResponse
	if rec := getJSON(t, r.e, "/.well-known/alcarbon-registry-key", &k); rec.Code != http.StatusOK {
		t.Fatalf("with a key: %d %s", rec.Code, rec.Body)
	}
	if k.Algorithm != "Ed25519" || k.PublicKey != base64.StdEncoding.EncodeToString(pub) || !strings.HasPrefix(k.PEM, "-----BEGIN PUBLIC KEY-----") {
		t.Fatalf("key %+v, want %x", k, pub)
	}
	seller, _ := r.org(t, "Smelter")
	d := r.publishDirect(t, seller.ID, nil)
	var v verifyResponse
	getJSON(t, r.e, "/v1/declarations/"+d.ID+"/verify", &v)
	if !v.Reproduced || !v.ChainEntrySigned || !v.ChainSignatureValid {
		t.Fatalf("signed declaration: %+v", v)
	}
}
