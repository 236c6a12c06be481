// Package batch turns spreadsheet rows into footprint requests and back:
// it flattens a request type into template columns, reads CSV, XLSX and
// JSON-lines files row by row, and builds each row's request JSON. It
// computes nothing and knows no HTTP: the api package sends every row
// through the single endpoint's decode, validate and compute path.
package batch

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Column is one flattened request field: a leaf (number, integer, string
// or boolean) of the request JSON, with what the template says about it.
type Column struct {
	// Path is the field's dotted path with array slots indexed:
	// electrolysis.ac_kwh_per_t, electricity.sources[0].kind. It is the
	// English header.
	Path string
	// Pointer is the field's JSON pointer (RFC 6901):
	// /electricity/sources/0/kind.
	Pointer string
	// Type is the JSON type: number, integer, string or boolean.
	Type string
	// Unit is the unit the validation messages name (struct tag unit).
	Unit string
	// Min and Max are the bounds the API enforces (tags minimum, maximum);
	// ExclusiveMin refuses Min itself.
	Min, Max     *float64
	ExclusiveMin bool
	// Enum lists the values a string may take (tag enums).
	Enum []string
	// Example is the OpenAPI example (tag example).
	Example string
	// Description is the field's OpenAPI description (its doc comment).
	Description string
	// Default is what a left-out value becomes, as the description states
	// it; "" when the description names none.
	Default string
	// HeaderZH is the Chinese header.
	HeaderZH string
	// UnitZH is the unit as the Chinese template writes it (Schema.UnitZH;
	// else Unit).
	UnitZH string

	tokens []string // Pointer's reference tokens
}

// Range renders the allowed values: "10000–20000", "> 0 – 10000000",
// "one of: a, b", or "".
func (c *Column) Range() string {
	if len(c.Enum) > 0 {
		return strings.Join(c.Enum, ", ")
	}
	if c.Type == "boolean" {
		return "true, false"
	}
	f := func(p *float64) string { return strconv.FormatFloat(*p, 'f', -1, 64) }
	switch {
	case c.Min != nil && c.Max != nil && c.ExclusiveMin:
		return "> " + f(c.Min) + " – " + f(c.Max)
	case c.Min != nil && c.Max != nil:
		return f(c.Min) + " – " + f(c.Max)
	case c.Min != nil && c.ExclusiveMin:
		return "> " + f(c.Min)
	case c.Min != nil:
		return "≥ " + f(c.Min)
	case c.Max != nil:
		return "≤ " + f(c.Max)
	}
	return ""
}

// Schema says how a request type flattens.
type Schema struct {
	// Slots is the number of indexed slots of each array of objects, by
	// its path without indices ("electricity.sources"). An array of
	// objects not listed (nor skipped) is an error, so a new array field
	// cannot go unnoticed.
	Slots map[string]int
	// Skip lists the paths (without indices; "electricity.sources[].pv")
	// that the template leaves out, each with the reason the README and
	// the template's column sheet give. Arrays of numbers or strings must
	// be listed too.
	Skip map[string]string
	// Describe returns the OpenAPI description of the field json of the
	// struct type owner ("" when it has none).
	Describe func(owner reflect.Type, json string) string
	// ZH is the Chinese name of each path segment (a JSON name);
	// ZHPath overrides it for a whole path without indices.
	ZH, ZHPath map[string]string
	// UnitZH writes a unit the Chinese way ("t/yr" → "t/年").
	UnitZH map[string]string
}

// Columns flattens the request type root (a struct) into its columns, in
// the type's field order. It follows nested and embedded structs,
// pointers, and arrays of structs (Schema.Slots slots each); it returns an
// error for a field it cannot flatten that the schema does not skip, and
// for a segment with no Chinese name.
func Columns(root reflect.Type, s Schema) ([]Column, error) {
	var out []Column
	err := walk(root, s, "", "", nil, &out)
	return out, err
}

func walk(t reflect.Type, s Schema, path, generic string, tokens []string, out *[]Column) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			if err := walkEmbedded(ft, t, s, path, generic, tokens, out); err != nil {
				return err
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		p, g := join(path, name), join(generic, name)
		if _, skip := s.Skip[g]; skip {
			continue
		}
		toks := append(slices.Clip(tokens), name)
		switch ft.Kind() {
		case reflect.Struct:
			if err := walk(ft, s, p, g, toks, out); err != nil {
				return err
			}
		case reflect.Slice, reflect.Array:
			et := ft.Elem()
			for et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			n, ok := s.Slots[g]
			if !ok || et.Kind() != reflect.Struct {
				return fmt.Errorf("batch: %s is an array the schema neither slots nor skips", g)
			}
			for k := range n {
				if err := walk(et, s, fmt.Sprintf("%s[%d]", p, k), g+"[]", append(slices.Clip(toks), strconv.Itoa(k)), out); err != nil {
					return err
				}
			}
		default:
			c, err := column(f, ft, t, s, p, g, toks)
			if err != nil {
				return err
			}
			*out = append(*out, c)
		}
	}
	return nil
}

// walkEmbedded walks an embedded struct, whose fields JSON (and the
// OpenAPI document) put in the embedding type.
func walkEmbedded(ft, owner reflect.Type, s Schema, path, generic string, tokens []string, out *[]Column) error {
	inner := s
	inner.Describe = func(_ reflect.Type, json string) string { return s.Describe(owner, json) }
	return walk(ft, inner, path, generic, tokens, out)
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// column describes the leaf field f (of type ft, in struct owner).
func column(f reflect.StructField, ft, owner reflect.Type, s Schema, path, generic string, tokens []string) (Column, error) {
	c := Column{Path: path, tokens: tokens, Unit: f.Tag.Get("unit"), Example: f.Tag.Get("example")}
	c.Pointer = "/" + strings.Join(tokens, "/") // JSON names here need no ~ escapes
	switch ft.Kind() {
	case reflect.Float32, reflect.Float64:
		c.Type = "number"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		c.Type = "integer"
	case reflect.String:
		c.Type = "string"
	case reflect.Bool:
		c.Type = "boolean"
	default:
		return c, fmt.Errorf("batch: %s is a %s, which a cell cannot hold", generic, ft.Kind())
	}
	for tag, dst := range map[string]**float64{"minimum": &c.Min, "maximum": &c.Max} {
		if v := f.Tag.Get(tag); v != "" {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return c, fmt.Errorf("batch: %s: %s %q: %w", generic, tag, v, err)
			}
			*dst = &x
		}
	}
	c.ExclusiveMin = f.Tag.Get("exclusiveMinimum") == "true"
	if e := f.Tag.Get("enums"); e != "" {
		c.Enum = strings.Split(e, ",")
	}
	if s.Describe != nil {
		c.Description = s.Describe(owner, tokens[len(tokens)-1])
	}
	c.Default = defaultOf(c.Description, c.Enum)
	zh, err := zhHeader(s, path, generic)
	if err != nil {
		return c, err
	}
	c.HeaderZH = zh
	c.UnitZH = c.Unit
	if u, ok := s.UnitZH[c.Unit]; ok {
		c.UnitZH = u
	}
	return c, nil
}

// zhHeader is the Chinese header of path: ZHPath's name for the whole
// path (generic, without indices) when it has no slot, else each
// segment's ZH name joined by "·", slot indices kept, the leaf named by
// ZHPath when it has an entry.
func zhHeader(s Schema, path, generic string) (string, error) {
	h, whole := s.ZHPath[generic]
	if whole && !strings.Contains(path, "[") {
		return h, nil
	}
	segs := strings.Split(path, ".")
	parts := make([]string, len(segs))
	for i, seg := range segs {
		name, idx, _ := strings.Cut(seg, "[")
		zh, ok := s.ZH[name]
		if i == len(segs)-1 && whole {
			zh, ok = h, true
		}
		if !ok {
			return "", fmt.Errorf("batch: no Chinese name for %q (in %s)", name, path)
		}
		if idx != "" {
			zh += "[" + idx
		}
		parts[i] = zh
	}
	return strings.Join(parts, "·"), nil
}

var (
	// defaultPhrase is "default X" up to the end of its clause.
	defaultPhrase = regexp.MustCompile(`(?i)\bdefault(?:s)?\b:?\s+((?:[^;.(]|\.\d|\([^)]*\))+)`)
	// defaultEnum is "X (default" for an enum value X.
	defaultEnum = regexp.MustCompile(`(\w+) \(default\b`)
)

// defaultOf returns the default a description states: "X (default …)"
// for an enum value X, or the clause after "default".
func defaultOf(desc string, enum []string) string {
	if m := defaultEnum.FindStringSubmatch(desc); m != nil && slices.Contains(enum, m[1]) {
		return m[1]
	}
	if m := defaultPhrase.FindStringSubmatch(desc); m != nil && !strings.HasPrefix(m[1], "(") {
		return strings.TrimSpace(m[1])
	}
	return ""
}
