package calc_test

import (
	"go/ast"
	"go/token"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"alcarbon/calc"
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

// messageRoots are the inputs the engine's messages name fields in.
var messageRoots = []reflect.Type{
	reflect.TypeFor[calc.PrimaryInput](), reflect.TypeFor[calc.ProductInput](),
	reflect.TypeFor[calc.ElectricityInput](), reflect.TypeFor[calc.PVInput](),
	reflect.TypeFor[calc.PlantIndicators](),
}

// messagePseudoFields are the pseudo-fields of errors.go a message may
// name (Resource.EPW: the EPW file a resource was read from).
var messagePseudoFields = map[string]bool{"EPW": true, "GridEF": true, "Elements": true}

var placeholderRE = regexp.MustCompile(`\{([A-Z][A-Za-z0-9_.\[\]]*)(\|[a-z]+)?\}`)

// TestMessagePlaceholdersNameInputs: each placeholder written whole in a
// message literal ({Electrolysis.PFC.CF4KgPerT}, errors.go) names fields of
// one of the engine's input types, so that renaming a field in calc fails
// here rather than in the API's rendering.
func TestMessagePlaceholdersNameInputs(t *testing.T) {
	fset, files := parseSources(t)
	n := 0
	for _, f := range files {
		ast.Inspect(f, func(nd ast.Node) bool {
			lit, ok := nd.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, _ := strconv.Unquote(lit.Value)
			for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
				n++
				if m[2] != "" && m[2] != "|dotted" {
					t.Errorf("%s: placeholder %s: unknown form", fset.Position(lit.Pos()), m[0])
				}
				if !slices.ContainsFunc(messageRoots, func(rt reflect.Type) bool { return namesField(rt, m[1]) }) {
					t.Errorf("%s: placeholder %s names no field of the engine's inputs", fset.Position(lit.Pos()), m[0])
				}
			}
			return true
		})
	}
	if n < 15 {
		t.Errorf("found %d placeholders; the scan is broken", n)
	}
}

// namesField walks Go path p (without keys' meaning) through type t.
func namesField(t reflect.Type, p string) bool {
	for _, seg := range strings.FieldsFunc(p, func(r rune) bool { return r == '.' || r == '[' }) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if strings.HasSuffix(seg, "]") { // a key or index
			if t.Kind() != reflect.Slice && t.Kind() != reflect.Map && t.Kind() != reflect.Array {
				return false
			}
			t = t.Elem()
			continue
		}
		if messagePseudoFields[seg] {
			return true
		}
		if t.Kind() != reflect.Struct {
			return false
		}
		f, ok := t.FieldByName(seg)
		if !ok {
			return false
		}
		t = f.Type
	}
	return true
}
