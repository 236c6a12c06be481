package cache

import "testing"

func TestKey(t *testing.T) {
	if got, want := Key("ds-2024.1", "1.0.0", "primary", "ab12"), "ds-2024.1:1.0.0:primary:ab12"; got != want {
		t.Errorf("Key = %q, want %q", got, want)
	}
}
