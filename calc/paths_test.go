package calc_test

import (
	"go/ast"
	"go/token"
	"strconv"
	"testing"
)

// TestNoJSONPointers: the engine names its inputs by Go path (errors.go);
// JSON pointers into API request bodies belong to the API. It parses every
// non-test .go file of the package and fails naming each string literal
// that looks like a pointer: one that starts with "/" followed by a
// lowercase letter, or with "/%" (a pointer built by formatting). Dataset
// factor ids are joined with factorID or formatted whole, so their parts
// do not look like pointers either.
func TestNoJSONPointers(t *testing.T) {
	fset, files := parseSources(t)
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatalf("%s: %v", fset.Position(lit.Pos()), err)
			}
			if looksLikePointer(s) {
				t.Errorf("%s: string literal %q looks like a JSON pointer; name the input by Go path", fset.Position(lit.Pos()), s)
			}
			return true
		})
	}
}

func looksLikePointer(s string) bool {
	return len(s) >= 2 && s[0] == '/' && (s[1] >= 'a' && s[1] <= 'z' || s[1] == '%')
}
