package registry

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// API keys read "alc_" + 12 hex digits (the lookup prefix) + "_" + 43
// base64url characters (32 random bytes). The prefix is stored in clear to
// find the row; the whole key is stored only as its SHA-256.
const apiKeyTag = "alc_"

// newAPIKey returns a fresh key and its prefix.
func newAPIKey() (plaintext, prefix string) {
	prefix = apiKeyTag + hex.EncodeToString(randomBytes(6))
	return prefix + "_" + base64.RawURLEncoding.EncodeToString(randomBytes(32)), prefix
}

// apiKeyPrefix returns the lookup prefix of a well-formed key.
func apiKeyPrefix(plaintext string) (string, bool) {
	const prefixLen = len(apiKeyTag) + 12
	const keyLen = prefixLen + 1 + 43
	if len(plaintext) != keyLen || !strings.HasPrefix(plaintext, apiKeyTag) || plaintext[prefixLen] != '_' {
		return "", false
	}
	return plaintext[:prefixLen], true
}

// newPACTSecret returns 32 random bytes as base64url, 43 characters.
func newPACTSecret() string {
	return base64.RawURLEncoding.EncodeToString(randomBytes(32))
}

func secretHash(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// hashMatches compares secret's SHA-256 with stored in constant time.
func hashMatches(stored []byte, secret string) bool {
	return subtle.ConstantTimeCompare(stored, secretHash(secret)) == 1
}

// randomBytes returns n bytes from crypto/rand, which never fails.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}
