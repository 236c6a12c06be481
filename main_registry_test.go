package main

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"path/filepath"
	"strings"
	"testing"

	"alcarbon/registry"
)

// TestRegistryVerifyCommand: alcarbon registry verify prints the count
// and head of an intact chain, checks signatures with the public key, and
// names the first broken entry (an error, so exit status 1) after a
// declaration is deleted from the middle of the chain (issue 16, row 7).
func TestRegistryVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	pub, priv, _ := ed25519.GenerateKey(nil)
	s, err := registry.Open(context.Background(), "", dir, registry.WithSigningKey(priv))
	if err != nil {
		t.Fatal(err)
	}
	org, err := s.CreateOrganisation(context.Background(), "Smelter")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for range 3 {
		d, err := s.CreateDeclaration(context.Background(), registry.Declaration{
			OrgID: org.ID, Kind: registry.KindPrimary, ProductName: "ingot", Region: "CN-SX",
			PeriodStart: "2023-01-01", PeriodEnd: "2023-12-31", Visibility: registry.VisibilityPublic,
			Request: []byte(`{"region":"CN-SX"}`), Result: []byte(`{"total":1}`), DatasetVersion: "2026.1",
			EngineVersion: "test", TotalTCO2ePerT: 1,
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	s.Close()

	out, err := runCommand(t, dir, "registry", "verify")
	if err != nil || !strings.Contains(out, "registry chain holds: 3 entries, head ") || !strings.Contains(out, "signatures not checked") {
		t.Fatalf("intact chain: %q, %v", out, err)
	}
	out, err = runCommand(t, dir, "registry", "verify", "--public-key", base64.StdEncoding.EncodeToString(pub))
	if err != nil || !strings.Contains(out, "3 signed entries verified") {
		t.Fatalf("with the public key: %q, %v", out, err)
	}
	other, _, _ := ed25519.GenerateKey(nil)
	if _, err := runCommand(t, dir, "registry", "verify", "--public-key", base64.StdEncoding.EncodeToString(other)); err == nil ||
		!strings.Contains(err.Error(), "entry 1 ") || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("with another key: %v", err)
	}
	for _, args := range [][]string{{"registry"}, {"registry", "check"}, {"registry", "verify", "--public-key", "abc"}} {
		if _, err := runCommand(t, dir, args...); err == nil {
			t.Errorf("%q: no error", args)
		}
	}

	// Declaration 2 deleted with its chain entry, the guards dropped first.
	db, err := sql.Open("sqlite", filepath.Join(dir, registry.SQLiteFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	id := "'" + ids[1] + "'"
	for _, stmt := range []string{
		`DROP TRIGGER declaration_chain_undeletable`, `DROP TRIGGER declarations_undeletable`,
		`DROP TRIGGER declaration_products_undeletable`,
		`DELETE FROM declaration_chain WHERE declaration_id = ` + id,
		`DELETE FROM declaration_products WHERE declaration_id = ` + id,
		`DELETE FROM declarations WHERE id = ` + id,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	_, err = runCommand(t, dir, "registry", "verify")
	if err == nil || !strings.Contains(err.Error(), "entry 3 (declaration "+ids[2]+")") || !strings.Contains(err.Error(), "entry 2 is missing") {
		t.Fatalf("after deleting entry 2: %v", err)
	}
}
