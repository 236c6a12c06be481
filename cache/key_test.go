package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"testing"
)

func TestKey(t *testing.T) {
	if got, want := Key("ds-2024.1", "1.0.0", "primary", "ab12"), "ds-2024.1:1.0.0:primary:ab12"; got != want {
		t.Errorf("Key = %q, want %q", got, want)
	}
}

func mustHash(t *testing.T, v any) string {
	t.Helper()
	h, err := HashJSON(v)
	if err != nil {
		t.Fatalf("HashJSON(%v): %v", v, err)
	}
	return h
}

func TestHashJSONCanonical(t *testing.T) {
	// Expected: SHA-256 of the canonical text, written out by hand.
	sum := sha256.Sum256([]byte(`{"a":[1,2],"b":1}`))
	want := hex.EncodeToString(sum[:])

	type ab struct {
		B int   `json:"b"`
		A []int `json:"a"`
	}
	for name, v := range map[string]any{
		"compact":      json.RawMessage(`{"b":1,"a":[1,2]}`),
		"spaced":       json.RawMessage(`{ "a":[1,2], "b":1 }`),
		"map":          map[string]any{"b": 1, "a": []int{1, 2}},
		"struct order": ab{B: 1, A: []int{1, 2}},
	} {
		if got := mustHash(t, v); got != want {
			t.Errorf("%s: HashJSON = %s, want %s", name, got, want)
		}
	}
}

func TestHashJSONDistinguishes(t *testing.T) {
	pairs := []struct {
		name string
		a, b any
	}{
		{"value", json.RawMessage(`{"a":[1,2],"b":1}`), json.RawMessage(`{"a":[1,2],"b":2}`)},
		{"array order", json.RawMessage(`{"a":[1,2],"b":1}`), json.RawMessage(`{"a":[2,1],"b":1}`)},
		{"string vs number", json.RawMessage(`{"b":1}`), json.RawMessage(`{"b":"1"}`)},
		// 2^53+1 and 2^53 are the same float64; hashing must not go through float64.
		{"beyond 2^53", json.RawMessage(`{"n":9007199254740993}`), json.RawMessage(`{"n":9007199254740992}`)},
		{"uint64", struct{ N uint64 }{math.MaxUint64}, struct{ N uint64 }{math.MaxUint64 - 1}},
	}
	for _, p := range pairs {
		if mustHash(t, p.a) == mustHash(t, p.b) {
			t.Errorf("%s: %v and %v hash equal", p.name, p.a, p.b)
		}
	}
}

func TestHashJSONError(t *testing.T) {
	if _, err := HashJSON(make(chan int)); err == nil {
		t.Error("HashJSON(chan): no error")
	}
}
