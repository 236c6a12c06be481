package factors

import (
	"strings"
	"testing"
)

// TestWithDefault: an operator may keep a released version as the default;
// a draft or an unknown version is refused with the released versions
// listed, and the original catalog is unchanged.
func TestWithDefault(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	before := c.Default()
	old, err := c.WithDefault("2026.1")
	if err != nil || old.Default().Version() != "2026.1" || c.Default() != before {
		t.Fatalf("WithDefault(2026.1) = %v, %v; original default now %s", old, err, c.Default().Version())
	}
	if _, ok := old.Get("2026.2"); !ok {
		t.Error("the copy lost a version")
	}
	if _, err := c.WithDefault("1999.1"); err == nil || !strings.Contains(err.Error(), "2026.1") {
		t.Errorf("unknown version: %v", err)
	}
	for _, d := range c.Versions() {
		if d.Draft() {
			if _, err := c.WithDefault(d.Version()); err == nil || !strings.Contains(err.Error(), "draft") {
				t.Errorf("draft %s as default: %v", d.Version(), err)
			}
		}
	}
}
