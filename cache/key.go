package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// Key joins parts with ":", e.g. Key(dataset, engineVersion, endpoint, hash).
func Key(parts ...string) string {
	return strings.Join(parts, ":")
}

// HashJSON returns the hex SHA-256 of the canonical JSON of v: object keys
// sorted, insignificant whitespace removed. Numbers keep their JSON text
// (they are never converted to float64), so integers beyond 2^53 stay
// distinct. A json.RawMessage is hashed by its content, so two documents that
// differ only in key order or spacing hash equal. HashJSON returns an error if
// v cannot be marshalled.
func HashJSON(v any) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("cache: hashing: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return "", fmt.Errorf("cache: hashing: %w", err)
	}
	canonical, err := json.Marshal(generic) // maps marshal with sorted keys
	if err != nil {
		return "", fmt.Errorf("cache: hashing: %w", err)
	}
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:]), nil
}
