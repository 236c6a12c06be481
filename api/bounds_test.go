package api

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"alcarbon/calc"
	"alcarbon/registry"
)

// requestTypes are the types request bodies are strictly decoded into.
// TestRequestTypesListed keeps the list complete.
var requestTypes = map[string]reflect.Type{
	"primaryRequest":     reflect.TypeFor[primaryRequest](),
	"electricityRequest": reflect.TypeFor[electricityRequest](),
	"pvRequest":          reflect.TypeFor[pvRequest](),
	"productRequest":     reflect.TypeFor[productRequest](),
	"uncertaintyRequest": reflect.TypeFor[uncertaintyRequest](),
	"plantRequest":       reflect.TypeFor[plantRequest](),
	"declarationRequest": reflect.TypeFor[declarationRequest](),
	"compareRequest":     reflect.TypeFor[compareRequest](),
	"sweepRequest":       reflect.TypeFor[sweepRequest](),
}

// TestRequestTypesListed finds every type the package decodes a body into —
// decodeValid[T], `var req T` passed to decodeStrict, and the request types
// of the calculation kinds (decodeRequest) — and checks requestTypes lists
// exactly those.
func TestRequestTypesListed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	found := map[string]string{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			typeParams := map[string]bool{}
			if fn.Type.TypeParams != nil {
				for _, p := range fn.Type.TypeParams.List {
					for _, n := range p.Names {
						typeParams[n.Name] = true
					}
				}
			}
			vars := map[string]string{} // var name → type name
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.ValueSpec:
					if id, ok := n.Type.(*ast.Ident); ok {
						for _, v := range n.Names {
							vars[v.Name] = id.Name
						}
					}
				case *ast.IndexExpr:
					if fid, ok := n.X.(*ast.Ident); ok && fid.Name == "decodeValid" {
						if id, ok := n.Index.(*ast.Ident); ok && !typeParams[id.Name] {
							found[id.Name] = fset.Position(n.Pos()).String()
						}
					}
				case *ast.CallExpr:
					if fid, ok := n.Fun.(*ast.Ident); ok && fid.Name == "decodeStrict" && len(n.Args) == 2 {
						if u, ok := n.Args[1].(*ast.UnaryExpr); ok && u.Op == token.AND {
							if id, ok := u.X.(*ast.Ident); ok {
								if tn, ok := vars[id.Name]; ok && !typeParams[tn] {
									found[tn] = fset.Position(n.Pos()).String()
								}
							}
						}
					}
				}
				return true
			})
		}
	}
	for name, k := range calcKinds {
		found[k.reqType.Name()] = "calcKinds[" + name + "]"
	}
	for name, pos := range found {
		if _, ok := requestTypes[name]; !ok {
			t.Errorf("%s: %s is decoded from a request body; add it to requestTypes", pos, name)
		}
	}
	for name := range requestTypes {
		if _, ok := found[name]; !ok {
			t.Errorf("requestTypes lists %s, which no handler decodes", name)
		}
	}
}

// taggedLeaf is a field with bound or enum tags, reached from a request
// type through fields, pointers and (one-element) slices.
type taggedLeaf struct {
	path     []leafStep
	pointer  string
	field    reflect.StructField
	kind     reflect.Kind // of the innermost value
	skipZero bool
}

type leafStep struct {
	field int  // field index, or -1 for a slice element
	slice bool // the step is into element 0 of a slice
}

// taggedLeaves lists every tagged field under t, independently of the
// walker's plan. A tag on a kind it does not know fails the test.
func taggedLeaves(t *testing.T, typ reflect.Type) []taggedLeaf {
	var out []taggedLeaf
	var visit func(typ reflect.Type, path []leafStep, ptr string, depth int)
	visit = func(typ reflect.Type, path []leafStep, ptr string, depth int) {
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || depth > 8 {
			return
		}
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			p := append(slices.Clone(path), leafStep{field: i})
			if f.Anonymous && name == "" {
				visit(f.Type, p, ptr, depth+1)
				continue
			}
			if !f.IsExported() {
				continue
			}
			fp := ptr + "/" + name
			ft := f.Type
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
				if ft.Kind() == reflect.Slice {
					if ft.Elem().Kind() == reflect.Uint8 { // []byte, json.RawMessage
						break
					}
					p = append(p, leafStep{field: -1, slice: true})
					fp += "/0"
				}
				ft = ft.Elem()
			}
			_, hasMin := f.Tag.Lookup("minimum")
			_, hasMax := f.Tag.Lookup("maximum")
			_, hasEnums := f.Tag.Lookup("enums")
			if !hasMin && !hasMax && !hasEnums {
				visit(ft, p, fp, depth+1)
				continue
			}
			switch ft.Kind() {
			case reflect.Float32, reflect.Float64, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.String:
			default:
				t.Fatalf("%s.%s: tags on a %s, which checkTags does not check", typ, f.Name, ft.Kind())
			}
			out = append(out, taggedLeaf{path: p, pointer: fp, field: f, kind: ft.Kind(),
				skipZero: f.Type.Kind() != reflect.Pointer && f.Type.Kind() != reflect.Slice && strings.Contains(","+opts+",", ",omitempty,")})
		}
	}
	visit(typ, nil, "", 0)
	return out
}

// withLeaf returns a zero request of type typ with the leaf set to x (a
// float64, int64 or string), allocating pointers and one-element slices on
// the way.
func withLeaf(typ reflect.Type, l taggedLeaf, x any) any {
	req := reflect.New(typ)
	v := req.Elem()
	for _, s := range l.path {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		if s.slice {
			if v.Len() == 0 {
				v.Set(reflect.MakeSlice(v.Type(), 1, 1))
			}
			v = v.Index(0)
			continue
		}
		v = v.Field(s.field)
	}
	for v.Kind() == reflect.Pointer {
		v.Set(reflect.New(v.Type().Elem()))
		v = v.Elem()
	}
	switch x := x.(type) {
	case float64:
		v.SetFloat(x)
	case int64:
		v.SetInt(x)
	case string:
		v.SetString(x)
	}
	return req.Interface()
}

// problemsAt runs the walker alone over req and returns the details at ptr.
func problemsAt(req any, ptr string) []string {
	v := &validator{}
	v.checkTags(req)
	var out []string
	for _, f := range v.fields {
		if f.Pointer == ptr {
			out = append(out, f.Detail)
		}
	}
	return out
}

// boundCase is a value of a leaf and the problem it must give ("" none).
type boundCase struct {
	x    any
	want string
}

// boundCases are values just outside and at each bound of a numeric leaf,
// with the messages rangeF and positive gave ("must be between 0 and 20000
// kWh/t; got 20000.000000000004", "must be greater than 0 and at most 1e+07
// t/yr; got 0").
func boundCases(t *testing.T, l taggedLeaf) []boundCase {
	minT, hasMin := l.field.Tag.Lookup("minimum")
	maxT, hasMax := l.field.Tag.Lookup("maximum")
	excl := l.field.Tag.Get("exclusiveMinimum") == "true"
	unit := ""
	if u := l.field.Tag.Get("unit"); u != "" {
		unit = " " + u
	}
	isInt := l.kind != reflect.Float32 && l.kind != reflect.Float64
	num := func(s string) float64 {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("%s: bad bound %q", l.pointer, s)
		}
		return x
	}
	show := func(x float64) string {
		if isInt {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	val := func(x float64) any {
		if isInt {
			return int64(x)
		}
		return x
	}
	var min, max float64
	var detail func(got float64) string
	switch {
	case hasMin && hasMax && excl:
		min, max = num(minT), num(maxT)
		detail = func(got float64) string {
			return fmt.Sprintf("must be greater than %s and at most %s%s; got %s", show(min), show(max), unit, show(got))
		}
	case hasMin && hasMax:
		min, max = num(minT), num(maxT)
		detail = func(got float64) string {
			return fmt.Sprintf("must be between %s and %s%s; got %s", show(min), show(max), unit, show(got))
		}
	default:
		t.Fatalf("%s: give minimum and maximum (every bound in the API has both)", l.pointer)
	}
	below, above := math.Nextafter(min, math.Inf(-1)), math.Nextafter(max, math.Inf(1))
	atMin := min
	if isInt {
		below, above, atMin = min-1, max+1, min
		if below == 0 && l.skipZero { // 0 reads as "left out"
			below = min - 2
		}
		if excl {
			atMin = min + 1
		}
	} else if excl {
		atMin = math.Nextafter(min, math.Inf(1))
	}
	if excl {
		below = min
	}
	return []boundCase{
		{val(below), detail(below)},
		{val(above), detail(above)},
		{val(atMin), ""},
		{val(max), ""},
	}
}

// TestTagBoundsEnforced proves, for every request type and every field with
// a minimum/maximum or enums tag (nested, in slices, behind pointers), that
// checkTags refuses a value just outside each bound, at the field's JSON
// pointer with rangeF's message, and passes the values at the bounds; and
// that it refuses a string outside enums and passes each listed value.
func TestTagBoundsEnforced(t *testing.T) {
	checked := 0
	for _, name := range slices.Sorted(maps.Keys(requestTypes)) {
		typ := requestTypes[name]
		leaves := taggedLeaves(t, typ)
		if len(leaves) == 0 {
			continue
		}
		t.Run(name, func(t *testing.T) {
			for _, l := range leaves {
				if l.kind == reflect.String {
					enums := strings.Split(l.field.Tag.Get("enums"), ",")
					bad := "not-" + enums[0]
					got := problemsAt(withLeaf(typ, l, bad), l.pointer)
					switch l.field.Tag.Get("check") {
					case "dataset":
						if len(got) != 0 {
							t.Errorf("%s (check:\"dataset\"): %q gave %q; the dataset checks it", l.pointer, bad, got)
						}
						continue
					case "validate":
						if len(got) != 0 {
							t.Errorf("%s (check:\"validate\"): %q gave %q from checkTags; validate checks it", l.pointer, bad, got)
						}
						v := &validator{}
						withLeaf(typ, l, bad).(validatable).validate(v)
						if !slices.ContainsFunc(v.fields, func(f FieldProblem) bool { return f.Pointer == l.pointer }) {
							t.Errorf("%s (check:\"validate\") = %q: validate gave %+v, nothing at the field", l.pointer, bad, v.fields)
						}
						checked++
						continue
					}
					want := fmt.Sprintf("must be one of %s; got %q", strings.Join(enums, ", "), bad)
					if !slices.Equal(got, []string{want}) {
						t.Errorf("%s = %q: got %q, want %q", l.pointer, bad, got, want)
					}
					for _, e := range enums {
						if got := problemsAt(withLeaf(typ, l, e), l.pointer); len(got) != 0 {
							t.Errorf("%s = %q (listed): got %q", l.pointer, e, got)
						}
					}
					checked++
					continue
				}
				if _, ok := l.field.Tag.Lookup("enums"); ok {
					t.Errorf("%s: enums on a number", l.pointer)
				}
				for _, c := range boundCases(t, l) {
					got := problemsAt(withLeaf(typ, l, c.x), l.pointer)
					switch {
					case c.want == "" && len(got) != 0:
						t.Errorf("%s = %v (at the bound): got %q", l.pointer, c.x, got)
					case c.want != "" && !slices.Equal(got, []string{c.want}):
						t.Errorf("%s = %v: got %q, want %q", l.pointer, c.x, got, c.want)
					}
				}
				checked++
			}
		})
	}
	// Every request shares most DTOs, so a floor catches a walker or an
	// enumerator that silently stopped finding fields.
	if checked < 150 {
		t.Errorf("checked %d tagged fields; expected at least 150", checked)
	}
}

// TestCheckTagsThroughEndpoint: a bound and a cross-field rule broken in
// the same body are both reported, the bound first, through the decoder.
func TestCheckTagsThroughEndpoint(t *testing.T) {
	var req electricityRequest
	body := []byte(`{"demand_mwh": 0, "production_t": 5, "sources": [{"kind": "grid", "share": 1.5}]}`)
	if err := decodeStrict(body, &req); err != nil {
		t.Fatal(err)
	}
	p := toProblem(checkRequest(&req))
	var got []string
	for _, f := range p.Errors {
		got = append(got, f.Pointer+" "+f.Detail)
	}
	want := []string{
		"/demand_mwh must be greater than 0 and at most 1e+09 MWh/yr; got 0",
		"/sources/0/share must be between 0 and 1; got 1.5",
		"/demand_mwh give demand_mwh or production_t with consumption_kwh_per_t, not both",
		"/production_t production_t and consumption_kwh_per_t go together",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCheckTagsWalk covers what the per-field test does not: the first
// offending element only in a slice of numbers, every offending struct in
// a slice of structs, nil pointers and zero omitempty values left out.
func TestCheckTagsWalk(t *testing.T) {
	ghi := make([]float64, 8760)
	ghi[3], ghi[5] = 2000, -1
	req := &pvRequest{
		System:        pvSystemRequest{OperatingYear: 0},
		SolarResource: &solarResourceRequest{Hourly: &hourlyResourceRequest{GHIWm2: ghi}},
		Load:          &loadRequest{Profile24x12MW: [][]float64{{1, -1, -2}, {3}, {200000}}},
	}
	v := &validator{}
	v.checkTags(req)
	var got []string
	for _, f := range v.fields {
		got = append(got, f.Pointer+" "+f.Detail)
	}
	want := []string{
		"/solar_resource/hourly/ghi_w_m2/3 must be between 0 and 1500; got 2000",
		"/load/profile_24x12_mw/0/1 must be between 0 and 100000; got -1",
		"/load/profile_24x12_mw/2/0 must be between 0 and 100000; got 200000",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	p := &primaryRequest{}
	p.Electricity.Sources = []sourceRequest{{Kind: "grid", Share: ptrTo(2.0)}, {Kind: "coal"}, {Kind: "grid", Share: ptrTo(-1.0)}}
	v = &validator{}
	v.checkTags(p)
	got = nil
	for _, f := range v.fields {
		got = append(got, f.Pointer)
	}
	if want := []string{"/electricity/sources/0/share", "/electricity/sources/1/kind", "/electricity/sources/2/share"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestTagPlanRefusesUncheckableTags: a tag the walker could not enforce
// panics when the plan is built (the first request of the type, or
// TestTagBoundsEnforced), instead of being published and not enforced.
func TestTagPlanRefusesUncheckableTags(t *testing.T) {
	for _, typ := range []reflect.Type{
		reflect.TypeFor[struct {
			X string `json:"x" minimum:"0" maximum:"1"`
		}](),
		reflect.TypeFor[struct {
			X float64 `json:"x" enums:"1,2"`
		}](),
		reflect.TypeFor[struct {
			X bool `json:"x" minimum:"0" maximum:"1"`
		}](),
		reflect.TypeFor[struct {
			X uint `json:"x" minimum:"0" maximum:"1"`
		}](),
		reflect.TypeFor[struct {
			X map[string]float64 `json:"x" minimum:"0" maximum:"1"`
		}](),
		reflect.TypeFor[struct {
			X int `json:"x" minimum:"0.5" maximum:"1"`
		}](),
		reflect.TypeFor[struct {
			X float64 `json:"x" minimum:"2" maximum:"1"`
		}](),
		reflect.TypeFor[struct {
			X float64 `json:"x" minimum:"0" maximum:"1" exclusiveMinimum:"yes"`
		}](),
		reflect.TypeFor[struct {
			X float64 `json:"x" unit:"m"`
		}](),
		reflect.TypeFor[struct {
			X string `json:"x" check:"dataset"`
		}](),
		reflect.TypeFor[struct {
			X struct{} `json:"x" minimum:"0"`
		}](),
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", typ)
				}
			}()
			tagPlan(typ)
		}()
	}
}

// TestEnumTagsMatchEngine: the enums a request publishes are the lists the
// engine and the registry accept, in the same order (the message lists
// them), and the numeric limits named in code are the tags'.
func TestEnumTagsMatchEngine(t *testing.T) {
	tagOf := func(typ reflect.Type, field, key string) string {
		f, ok := typ.FieldByName(field)
		if !ok {
			t.Fatalf("%s has no field %s", typ, field)
		}
		return f.Tag.Get(key)
	}
	enums := func(typ reflect.Type, field string) []string {
		return strings.Split(tagOf(typ, field, "enums"), ",")
	}
	type T = reflect.Type
	scenarioKeys := slices.Sorted(maps.Keys(calcKinds))
	for _, c := range []struct {
		typ   T
		field string
		want  []string
		order bool // the list is in the engine's order
	}{
		{reflect.TypeFor[primaryRequest](), "GWP", calc.GWPSets, true},
		{reflect.TypeFor[productRequest](), "GWP", calc.GWPSets, true},
		{reflect.TypeFor[commonRequest](), "ElectricityBasis", []string{string(calc.BasisLifecycle), string(calc.BasisOperational)}, true},
		{reflect.TypeFor[anodeRequest](), "BakingFuel", calc.Fuels, true},
		{reflect.TypeFor[electrolysisRequest](), "Technology", calc.CellTechnologies, true},
		{reflect.TypeFor[pfcRequest](), "Method", calc.PFCMethods, true},
		{reflect.TypeFor[pfcRequest](), "Coefficients", calc.SlopeCoefficientSets, true},
		{reflect.TypeFor[sourceRequest](), "Kind", strs(calc.SourceKinds), true},
		{reflect.TypeFor[sourceRequest](), "Technology", calc.Technologies, true},
		{reflect.TypeFor[portfolioRequest](), "ResidualMix", calc.ResidualMixes, true},
		{reflect.TypeFor[directSupplyRequest](), "IngotTransportMode", calc.TransportModes, true},
		{reflect.TypeFor[transportLegRequest](), "Mode", calc.TransportModes, true},
		{reflect.TypeFor[pvSystemRequest](), "Mounting", calc.Mountings, true},
		{reflect.TypeFor[pvSystemRequest](), "Transposition", calc.Transpositions, true},
		{reflect.TypeFor[pvSystemRequest](), "TemperatureModel", calc.TemperatureModels, true},
		{reflect.TypeFor[pvSystemRequest](), "IAM", calc.IAMModels, true},
		{reflect.TypeFor[distributionRequest](), "Distribution", calc.DistKinds, true},
		{reflect.TypeFor[uncertaintyRequest](), "Kind", []string{kindPrimary, kindProduct}, true},
		{reflect.TypeFor[compareRequest](), "Kind", strings.Split(scenarioKindsList, ", "), true},
		{reflect.TypeFor[sweepRequest](), "Kind", strings.Split(scenarioKindsList, ", "), true},
		{reflect.TypeFor[compareRequest](), "Kind", scenarioKeys, false},
		{reflect.TypeFor[declarationRequest](), "Kind", []string{registry.KindPrimary, registry.KindProduct}, true},
		{reflect.TypeFor[declarationRequest](), "Visibility", []string{registry.VisibilityPublic, registry.VisibilityRestricted}, true},
	} {
		got := enums(c.typ, c.field)
		want := c.want
		if !c.order {
			got, want = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s.%s: enums %q, the code accepts %q", c.typ, c.field, got, want)
		}
	}
	for _, c := range []struct {
		typ        T
		field, key string
		want       int64
	}{
		{reflect.TypeFor[sweepRange](), "Steps", "maximum", maxSweepPoints},
		{reflect.TypeFor[uncertaintyRequest](), "Samples", "minimum", minSamples},
		{reflect.TypeFor[uncertaintyRequest](), "Samples", "maximum", maxSamples},
		{reflect.TypeFor[uncertaintyRequest](), "Seed", "maximum", maxSeed},
	} {
		if got := tagOf(c.typ, c.field, c.key); got != strconv.FormatInt(c.want, 10) {
			t.Errorf("%s.%s: %s %q, the code's limit is %d", c.typ, c.field, c.key, got, c.want)
		}
	}
}

// BenchmarkCheckTags walks the reference smelter's request (its plan
// cached).
func BenchmarkCheckTags(b *testing.B) {
	var req primaryRequest
	if err := decodeStrict([]byte(referenceSmelter), &req); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		v := validator{}
		v.checkTags(&req)
		if len(v.fields) != 0 {
			b.Fatal(v.fields)
		}
	}
}
