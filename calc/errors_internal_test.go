package calc

import "testing"

// TestPrefixFields: a calculation that copies another's messages under a
// prefix puts the prefix before each placeholder's path, fields and keys
// alike, and leaves the rest of the text alone.
func TestPrefixFields(t *testing.T) {
	for _, tc := range []struct{ msg, prefix, want string }{
		{"give {Casting.NaturalGasNm3PerT} for a gas-fired one", "Metal.Primary", "give {Metal.Primary.Casting.NaturalGasNm3PerT} for a gas-fired one"},
		{"{A} and {B|dotted}", "P", "{P.A} and {P.B|dotted}"},
		{"{[2].Share}", "Sources", "{Sources[2].Share}"},
		{"no placeholder", "P", "no placeholder"},
		{"{A}", "", "{A}"},
		{"{}", "P", "{}"},
		{"ends {", "P", "ends {"},
	} {
		if got := prefixFields(tc.msg, tc.prefix); got != tc.want {
			t.Errorf("prefixFields(%q, %q) = %q, want %q", tc.msg, tc.prefix, got, tc.want)
		}
	}
	if got := fieldRef(joinPath("Load", "FlatMW")); got != "{Load.FlatMW}" {
		t.Errorf("fieldRef = %q", got)
	}
}
