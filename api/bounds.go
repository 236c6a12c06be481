package api

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Bounds and enums are written once, in the request types' struct tags:
// swag publishes minimum, maximum and enums in the OpenAPI document and
// checkTags enforces exactly those, so the published bounds are the
// enforced bounds. validate methods keep only the rules tags cannot state
// (presence, one-of, sums, bounds that depend on another field).
//
// Tags read (on float, int and string fields, through pointers, slices,
// arrays, nested and embedded structs):
//
//	minimum, maximum          inclusive bounds of a number, or of each element of a slice of numbers
//	exclusiveMinimum:"true"   the minimum itself is refused (x > minimum); swag v1.16.6 has no tag for
//	                          it, so the document shows the inclusive minimum
//	unit                      the unit the message names: "must be between 0 and 20000 kWh/t; got 25000"
//	enums                     the values a string may take; "" (left out) passes
//	check:"dataset"           the enums are informative: the dataset decides, checkTags does not
//	check:"validate"          the validate method checks the enums itself (its own message)
//
// A non-pointer field tagged omitempty counts as left out when zero, as
// encoding/json writes it. In a slice of numbers or strings only the first
// offending element is named.

// tagNode is the plan for checking a value of one type; nil when the type
// has nothing to check.
type tagNode struct {
	kind   tagKind
	num    *numRule   // tagFloat, tagInt
	enum   []string   // tagString
	elem   *tagNode   // tagPtr, tagSlice
	fields []tagField // tagStruct
	first  bool       // tagSlice: name only the first offending element
}

type tagKind uint8

const (
	tagStruct tagKind = iota
	tagPtr
	tagSlice
	tagFloat
	tagInt
	tagString
)

// tagField is a struct field with something to check.
type tagField struct {
	index    int
	seg      string // "/name"; "" for an embedded struct, whose fields JSON flattens
	skipZero bool   // omitempty non-pointer scalar: zero is "left out"
	node     *tagNode
}

// numRule is a field's minimum and maximum, with the strings its message
// shows.
type numRule struct {
	hasMin, hasMax, exclMin bool
	min, max                float64 // floats
	imin, imax              int64   // ints
	minS, maxS, unit        string
}

func (r *numRule) outsideF(x float64) bool {
	return r.hasMin && (x < r.min || r.exclMin && x == r.min) || r.hasMax && x > r.max
}

func (r *numRule) outsideI(x int64) bool {
	return r.hasMin && (x < r.imin || r.exclMin && x == r.imin) || r.hasMax && x > r.imax
}

// detail is the problem text for the value got.
func (r *numRule) detail(got string) string {
	unit := unitSuffix(r.unit)
	switch {
	case r.hasMin && r.hasMax && r.exclMin:
		return "must be greater than " + r.minS + " and at most " + r.maxS + unit + "; got " + got
	case r.hasMin && r.hasMax:
		return "must be between " + r.minS + " and " + r.maxS + unit + "; got " + got
	case r.hasMin && r.exclMin:
		return "must be greater than " + r.minS + unit + "; got " + got
	case r.hasMin:
		return "must be at least " + r.minS + unit + "; got " + got
	}
	return "must be at most " + r.maxS + unit + "; got " + got
}

// Codes of the bounds' field errors (FieldProblem.Code).
const (
	codeOutOfRange = "out_of_range" // params: min and/or max, exclusive_min, unit, got
	codeNotAllowed = "not_allowed"  // params: allowed, got
)

// params are the parameters of an out_of_range error for the value got.
func (r *numRule) params(got float64) map[string]any {
	p := map[string]any{"got": got}
	if r.hasMin {
		p["min"] = r.min // ints too: parse sets both
		if r.exclMin {
			p["exclusive_min"] = true
		}
	}
	if r.hasMax {
		p["max"] = r.max
	}
	if r.unit != "" {
		p["unit"] = r.unit
	}
	return p
}

func unitSuffix(unit string) string {
	if unit == "" {
		return ""
	}
	return " " + unit
}

// enumDetail is the problem text for a string not in allowed.
func enumDetail(allowed []string, got string) string {
	return fmt.Sprintf("must be one of %s; got %q", strings.Join(allowed, ", "), got)
}

// checkTags adds a problem for every value in req (a decoded request,
// usually a pointer to a struct) outside its field's minimum/maximum or
// enums, at the value's JSON pointer. The plan per type is built once.
func (v *validator) checkTags(req any) {
	rv := reflect.ValueOf(req)
	if !rv.IsValid() {
		return
	}
	n := tagPlan(rv.Type())
	if n == nil {
		return
	}
	var buf [96]byte
	walkTags(v, rv, n, buf[:0])
}

// walkTags checks x against n; ptr is x's JSON pointer, in a buffer that
// grows as the walk goes down (returned, so that it can stay on the stack).
// It says whether it added a problem.
func walkTags(v *validator, x reflect.Value, n *tagNode, ptr []byte) ([]byte, bool) {
	bad := false
	switch n.kind {
	case tagPtr:
		if !x.IsNil() {
			ptr, bad = walkTags(v, x.Elem(), n.elem, ptr)
		}
	case tagStruct:
		for i := range n.fields {
			f := &n.fields[i]
			fv := x.Field(f.index)
			if f.skipZero && fv.IsZero() {
				continue
			}
			mark := len(ptr)
			var b bool
			ptr, b = walkTags(v, fv, f.node, append(ptr, f.seg...))
			ptr, bad = ptr[:mark], bad || b
		}
	case tagSlice:
		for i := 0; i < x.Len(); i++ {
			mark := len(ptr)
			var b bool
			ptr, b = walkTags(v, x.Index(i), n.elem, strconv.AppendInt(append(ptr, '/'), int64(i), 10))
			ptr, bad = ptr[:mark], bad || b
			if b && n.first {
				break
			}
		}
	case tagFloat:
		if f := x.Float(); n.num.outsideF(f) {
			v.fields = append(v.fields, FieldProblem{Pointer: string(ptr), Detail: n.num.detail(fmtNum(f)), Code: codeOutOfRange, Params: n.num.params(f)})
			bad = true
		}
	case tagInt:
		if i := x.Int(); n.num.outsideI(i) {
			v.fields = append(v.fields, FieldProblem{Pointer: string(ptr), Detail: n.num.detail(strconv.FormatInt(i, 10)), Code: codeOutOfRange, Params: n.num.params(float64(i))})
			bad = true
		}
	case tagString:
		if s := x.String(); s != "" && !slices.Contains(n.enum, s) {
			v.fields = append(v.fields, FieldProblem{Pointer: string(ptr), Detail: enumDetail(n.enum, s), Code: codeNotAllowed, Params: map[string]any{"allowed": n.enum, "got": s}})
			bad = true
		}
	}
	return ptr, bad
}

// tagPlans caches the plan of each type (a *tagNode, nil for nothing to
// check).
var tagPlans sync.Map

// tagPlan returns t's plan, building and caching it the first time. A tag
// the walker cannot enforce (a bound on a string, an enum on a number, a
// malformed number, a tag on a map) panics: such a type is a programming
// error, caught by TestTagBoundsEnforced.
func tagPlan(t reflect.Type) *tagNode {
	if n, ok := tagPlans.Load(t); ok {
		return n.(*tagNode)
	}
	b := planBuilder{building: map[reflect.Type]*tagNode{}}
	n := b.typ(t, nil, t.String())
	actual, _ := tagPlans.LoadOrStore(t, n)
	return actual.(*tagNode)
}

type planBuilder struct {
	building map[reflect.Type]*tagNode // structs being planned (recursive types)
}

// fieldRules are the checks a field's tags ask for.
type fieldRules struct {
	num  *numRule
	enum []string
}

// typ plans a value of type t carrying rules r (nil for none); where names
// it in panics.
func (b *planBuilder) typ(t reflect.Type, r *fieldRules, where string) *tagNode {
	switch t.Kind() {
	case reflect.Pointer:
		if e := b.typ(t.Elem(), r, where); e != nil {
			return &tagNode{kind: tagPtr, elem: e}
		}
		return nil
	case reflect.Slice, reflect.Array:
		e := b.typ(t.Elem(), r, where+"[]")
		if e == nil {
			return nil
		}
		leaf := e
		for leaf.kind == tagPtr {
			leaf = leaf.elem
		}
		return &tagNode{kind: tagSlice, elem: e, first: leaf.kind != tagStruct && leaf.kind != tagSlice}
	case reflect.Struct:
		if r != nil {
			panic(fmt.Sprintf("checkTags: %s: minimum/maximum/enums on a struct", where))
		}
		return b.structPlan(t)
	case reflect.Float32, reflect.Float64:
		return b.leaf(tagFloat, r, where)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return b.leaf(tagInt, r, where)
	case reflect.String:
		return b.leaf(tagString, r, where)
	case reflect.Map:
		if r != nil || b.typ(t.Elem(), nil, where+"{}") != nil {
			panic(fmt.Sprintf("checkTags: %s: tags in a map are not checked", where))
		}
	}
	if r != nil {
		panic(fmt.Sprintf("checkTags: %s: minimum/maximum/enums on a %s are not checked", where, t.Kind()))
	}
	return nil
}

func (b *planBuilder) leaf(k tagKind, r *fieldRules, where string) *tagNode {
	switch {
	case r == nil:
		return nil
	case k == tagString && r.num != nil:
		panic(fmt.Sprintf("checkTags: %s: minimum/maximum on a string", where))
	case k != tagString && r.enum != nil:
		panic(fmt.Sprintf("checkTags: %s: enums on a number", where))
	case k == tagString && r.enum == nil:
		return nil
	case k != tagString && r.num == nil:
		return nil
	}
	return &tagNode{kind: k, num: r.num, enum: r.enum}
}

func (b *planBuilder) structPlan(t reflect.Type) *tagNode {
	if n, ok := b.building[t]; ok {
		return n
	}
	if n, ok := tagPlans.Load(t); ok {
		return n.(*tagNode)
	}
	n := &tagNode{kind: tagStruct}
	b.building[t] = n
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" && opts == "" {
			continue
		}
		embedded := f.Anonymous && name == "" && (f.Type.Kind() == reflect.Struct ||
			f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct)
		if !f.IsExported() && !embedded {
			continue
		}
		if name == "" {
			name = f.Name
		}
		where := t.String() + "." + f.Name
		r := fieldTags(f, where)
		if embedded && r != nil {
			panic(fmt.Sprintf("checkTags: %s: minimum/maximum/enums on an embedded struct", where))
		}
		fn := b.typ(f.Type, r, where)
		if fn == nil {
			continue
		}
		tf := tagField{index: i, node: fn}
		if !embedded {
			tf.seg = "/" + escapePointer(name)
			tf.skipZero = f.Type.Kind() != reflect.Pointer && hasOpt(opts, "omitempty") &&
				(fn.kind == tagFloat || fn.kind == tagInt || fn.kind == tagString)
		}
		n.fields = append(n.fields, tf)
	}
	delete(b.building, t)
	if len(n.fields) == 0 {
		n = nil
	}
	tagPlans.LoadOrStore(t, n)
	return n
}

func hasOpt(opts, opt string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == opt {
			return true
		}
	}
	return false
}

// fieldTags reads a field's minimum, maximum, exclusiveMinimum, unit, enums
// and check tags; nil when there is nothing to check.
func fieldTags(f reflect.StructField, where string) *fieldRules {
	minT, hasMin := f.Tag.Lookup("minimum")
	maxT, hasMax := f.Tag.Lookup("maximum")
	excl, hasExcl := f.Tag.Lookup("exclusiveMinimum")
	unit, hasUnit := f.Tag.Lookup("unit")
	enums, hasEnums := f.Tag.Lookup("enums")
	check, hasCheck := f.Tag.Lookup("check")
	switch {
	case hasExcl && (excl != "true" || !hasMin):
		panic(fmt.Sprintf(`checkTags: %s: exclusiveMinimum must be "true", with minimum`, where))
	case hasUnit && !hasMin && !hasMax:
		panic(fmt.Sprintf("checkTags: %s: unit without minimum or maximum", where))
	case hasCheck && (check != "dataset" && check != "validate" || !hasEnums):
		panic(fmt.Sprintf(`checkTags: %s: check must be "dataset" or "validate", with enums`, where))
	}
	var r fieldRules
	if hasEnums && !hasCheck {
		r.enum = strings.Split(enums, ",")
	}
	if hasMin || hasMax {
		leaf := f.Type
		for leaf.Kind() == reflect.Pointer || leaf.Kind() == reflect.Slice || leaf.Kind() == reflect.Array {
			leaf = leaf.Elem()
		}
		isInt := leaf.Kind() >= reflect.Int && leaf.Kind() <= reflect.Int64
		n := &numRule{hasMin: hasMin, hasMax: hasMax, exclMin: hasExcl, unit: unit}
		parse := func(s, tag string) (float64, int64, string) {
			if isInt {
				i, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					panic(fmt.Sprintf("checkTags: %s: %s %q is not an integer", where, tag, s))
				}
				return float64(i), i, strconv.FormatInt(i, 10)
			}
			x, err := strconv.ParseFloat(s, 64)
			if err != nil {
				panic(fmt.Sprintf("checkTags: %s: %s %q is not a number", where, tag, s))
			}
			return x, 0, fmtNum(x)
		}
		if hasMin {
			n.min, n.imin, n.minS = parse(minT, "minimum")
		}
		if hasMax {
			n.max, n.imax, n.maxS = parse(maxT, "maximum")
		}
		if hasMin && hasMax && (n.min > n.max || n.exclMin && n.min == n.max) {
			panic(fmt.Sprintf("checkTags: %s: minimum %s above maximum %s", where, minT, maxT))
		}
		r.num = n
	}
	if r.num == nil && r.enum == nil {
		return nil
	}
	return &r
}
