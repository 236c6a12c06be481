package main

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"alcarbon/config"
	"alcarbon/registry"
)

// registryAdmin runs `alcarbon registry verify [--public-key KEY]`: it walks
// the registry's hash chain and returns an error naming the first broken
// entry (exit status 1), or prints the count of entries and the head hash.
func registryAdmin(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) < 2 || args[1] != "verify" {
		return errors.New("usage: alcarbon registry verify [--public-key KEY]")
	}
	fs := flag.NewFlagSet("alcarbon registry verify", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	keyArg := fs.String("public-key", "", "Ed25519 public key")
	if err := fs.Parse(args[2:]); err != nil || fs.NArg() != 0 {
		return errors.New("usage: alcarbon registry verify [--public-key KEY]")
	}
	pub, err := parsePublicKey(*keyArg)
	if err != nil {
		return fmt.Errorf("registry verify: --public-key %w", err)
	}
	if pub == nil && cfg.RegistrySigningKey != nil {
		pub = cfg.RegistrySigningKey.Public().(ed25519.PublicKey)
	}
	// Opened without the signing key: verifying signs nothing.
	store, err := registry.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return fmt.Errorf("opening the registry: %w", err)
	}
	defer store.Close()
	r, err := store.VerifyChain(ctx, pub)
	if err != nil {
		return err
	}
	if r.Broken != nil {
		return fmt.Errorf("registry chain broken at %w (%d entries before it hold)", r.Broken, r.Entries)
	}
	signatures := "signatures not checked (no public key: give --public-key or set ALCARBON_REGISTRY_SIGNING_KEY)"
	if pub != nil {
		signatures = fmt.Sprintf("%d signed entries verified with public key %s", r.Signed, base64.StdEncoding.EncodeToString(pub))
	}
	head := r.Head
	if head == "" {
		head = "- (empty chain)"
	}
	_, err = fmt.Fprintf(stdout, "registry chain holds: %d entries, head %s; %s\n", r.Entries, head, signatures)
	return err
}

// parsePublicKey accepts "", standard base64 of a 32-byte Ed25519 public
// key (public_key at /.well-known/alcarbon-registry-key) or a PEM PUBLIC KEY.
func parsePublicKey(v string) (ed25519.PublicKey, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	if block, _ := pem.Decode([]byte(v)); block != nil {
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if key, ok := k.(ed25519.PublicKey); err == nil && ok {
			return key, nil
		}
		return nil, errors.New("is a PEM block but not an Ed25519 public key")
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("is not an Ed25519 public key: use the base64 public_key of /.well-known/alcarbon-registry-key")
	}
	return ed25519.PublicKey(b), nil
}
