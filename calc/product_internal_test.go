package calc

import (
	"slices"
	"strings"
	"testing"
)

// TestCBAMDefaultID: a CN code's own Commission default wins when the
// dataset has it (dataset 2026.1 has 7605 and 7607); 7604 and 7606 fall
// back to the intermediate-products value; other codes have none.
func TestCBAMDefaultID(t *testing.T) {
	has := func(ids ...string) func(string) bool {
		return func(id string) bool { return slices.Contains(ids, id) }
	}
	for _, c := range []struct {
		cn, want string
		has      func(string) bool
	}{
		{"7605", "cbam/default/CN/7605", has("cbam/default/CN/7605")},
		{"7606", "cbam/default/CN/intermediate", has("cbam/default/CN/7605")},
		{"7606", "cbam/default/CN/7606", has("cbam/default/CN/7606")},
		{"7604", "cbam/default/CN/intermediate", has()},
		{"7616", "", has()},
	} {
		id, note := cbamDefaultID(c.cn, c.has)
		if id != c.want || !strings.Contains(note, "CN "+c.cn) {
			t.Errorf("%s: %q (%s), want %q", c.cn, id, note, c.want)
		}
	}
}
