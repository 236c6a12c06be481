package api

import (
	"errors"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"alcarbon/calc"
)

// The engine names inputs by Go path into its own input types (grammar in
// calc/errors.go: Electricity.Sources[1].Share, Alloy.Elements[Mg]); the
// API answers with RFC 6901 JSON pointers into the request body. This file
// is the one place that translates between them, by walking the request's
// DTO type:
//
//   - a field segment names a DTO field by its Go name, or by the name in
//     its `calc:"Name"` tag where the engine's field is called differently;
//     the pointer takes the field's json name;
//   - fields of embedded structs (commonRequest, portfolioRequest) are found
//     in the struct that embeds them, as encoding/json flattens them;
//   - `calc:"Name,inline"` (or `calc:",inline"`) marks a DTO object whose
//     fields the engine has one level up: the pointer goes through the
//     object, the path does not (pvRequest.Location holds calc's LatDeg);
//     its own name, if any, is the path of the object itself;
//   - [i] is an index and [key] a map key or named element: a pointer token;
//   - a segment with no DTO field behind it (a pseudo-field such as the
//     grid factor multiplier Electricity.GridEF) becomes its snake_case
//     name, and what follows it becomes tokens as they are.

// pointerOf returns the JSON pointer, in a request of type root, of the
// input at Go path p.
func pointerOf(root reflect.Type, p string) string {
	if pathSeen != nil {
		pathSeen(root, p)
	}
	key := pathKey{root, p}
	if v, ok := pointerCache.Load(key); ok {
		return v.(string)
	}
	ptr, _ := resolvePath(root, p)
	if pointerCacheSize.Load() < maxPointerCache {
		pointerCache.Store(key, ptr)
		pointerCacheSize.Add(1)
	}
	return ptr
}

// pathSeen, when set (by the package's tests only), sees every path
// mapped, so that the tests can check each path the engine produced.
var pathSeen func(root reflect.Type, p string)

type pathKey struct {
	root reflect.Type
	path string
}

// Pointers are looked up for every defaulted input of every response;
// the cache is bounded because paths carry request indices.
var (
	pointerCache     sync.Map // pathKey → string
	pointerCacheSize atomic.Int64
)

const maxPointerCache = 4096

// resolvePath walks root along p and returns the pointer and the
// segments that named no DTO field (pseudo-fields), in order.
func resolvePath(root reflect.Type, p string) (ptr string, pseudo []string) {
	var b strings.Builder
	t := root
	for _, s := range splitPath(p) {
		t = deref(t)
		if s.key {
			b.WriteString("/" + escapePointer(s.name))
			t = elemOf(t)
			continue
		}
		tokens, ft, ok := findField(t, s.name)
		if !ok {
			pseudo = append(pseudo, s.name)
			b.WriteString("/" + escapePointer(snakeCase(s.name)))
			t = nil
			continue
		}
		for _, tok := range tokens {
			b.WriteString("/" + escapePointer(tok))
		}
		t = ft
	}
	return b.String(), pseudo
}

// goPathOf returns the Go path of the input at JSON pointer ptr in a
// request of type root: the reverse of pointerOf. A token with no DTO
// field behind it becomes a CamelCase pseudo-field, and the tokens after
// it keys.
func goPathOf(root reflect.Type, ptr string) string {
	if ptr == "" {
		return ""
	}
	var b strings.Builder
	t := root
	tokens := strings.Split(ptr[1:], "/")
	for i, tok := range tokens {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		t = deref(t)
		if t == nil || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
			b.WriteString("[" + tok + "]")
			t = elemOf(t)
			continue
		}
		if t.Kind() != reflect.Struct {
			appendField(&b, camelCase(tok))
			t = nil
			continue
		}
		f, ok := fieldByJSON(t, tok)
		if !ok {
			appendField(&b, camelCase(tok))
			t = nil
			continue
		}
		name, inline := calcName(f)
		if !inline || (i == len(tokens)-1 && name != "") {
			appendField(&b, name)
		}
		t = f.Type
	}
	return b.String()
}

func appendField(b *strings.Builder, name string) {
	if b.Len() > 0 {
		b.WriteByte('.')
	}
	b.WriteString(name)
}

// segment is one step of a Go path: a field name, or a key in brackets.
type segment struct {
	name string
	key  bool
}

func splitPath(p string) []segment {
	var out []segment
	for p != "" {
		switch p[0] {
		case '.':
			p = p[1:]
		case '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				end = len(p)
			}
			out = append(out, segment{p[1:end], true})
			p = p[min(end+1, len(p)):]
		default:
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			out = append(out, segment{p[:end], false})
			p = p[end:]
		}
	}
	return out
}

func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// elemOf is the element type of a slice, array or map; nil otherwise.
func elemOf(t reflect.Type) reflect.Type {
	if t == nil {
		return nil
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		return t.Elem()
	}
	return nil
}

// calcName is the engine's name of a DTO field and whether the engine has
// its fields inline (one level up).
func calcName(f reflect.StructField) (name string, inline bool) {
	tag, ok := f.Tag.Lookup("calc")
	if !ok {
		return f.Name, false
	}
	name, opts, _ := strings.Cut(tag, ",")
	return name, opts == "inline"
}

// jsonName is a field's name in JSON; "" for a field encoding/json skips.
func jsonName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	name, _, _ := strings.Cut(tag, ",")
	switch {
	case name == "-":
		return ""
	case name == "":
		return f.Name
	}
	return name
}

// findField finds the DTO field the engine calls name in struct t, in
// embedded and inline structs too, and returns the pointer tokens that
// lead to it and its type.
func findField(t reflect.Type, name string) ([]string, reflect.Type, bool) {
	if t == nil || t.Kind() != reflect.Struct {
		return nil, nil, false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if n, _ := calcName(f); n == name && !f.Anonymous && jsonName(f) != "" {
			return []string{jsonName(f)}, f.Type, true
		}
	}
	for i := range t.NumField() {
		f := t.Field(i)
		_, inline := calcName(f)
		if !f.Anonymous && !inline {
			continue
		}
		tokens, ft, ok := findField(deref(f.Type), name)
		if !ok {
			continue
		}
		if !f.Anonymous {
			tokens = append([]string{jsonName(f)}, tokens...)
		}
		return tokens, ft, true
	}
	return nil, nil, false
}

// fieldByJSON finds the field of struct t whose json name is name, in
// embedded structs too.
func fieldByJSON(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			if ef, ok := fieldByJSON(deref(f.Type), name); ok {
				return ef, true
			}
			continue
		}
		if jsonName(f) == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// snakeCase turns a Go name into a JSON one: GridEF → grid_ef.
func snakeCase(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 {
			prev := r[i-1]
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

// camelCase turns a JSON name into a Go one: grid_ef → GridEf.
func camelCase(s string) string {
	var b strings.Builder
	for _, part := range strings.Split(s, "_") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// calcErrorIn turns the engine's input error for a request of type root
// into a 422 naming the request's fields by JSON pointer, and in its
// details by their JSON names (renderMessage); other errors are returned
// unchanged.
func calcErrorIn(root reflect.Type, err error) error {
	var in *calc.InputError
	if !errors.As(err, &in) {
		return err
	}
	fields := make([]FieldProblem, len(in.Fields))
	for i, f := range in.Fields {
		fields[i] = FieldProblem{Pointer: pointerOf(root, f.Path), Detail: renderMessage(root, f.Detail), Code: f.Code, Params: f.Params}
	}
	return invalid(fields)
}

// calcErrorFor is calcErrorIn for the request type T.
func calcErrorFor[T any](err error) error { return calcErrorIn(reflect.TypeFor[T](), err) }

// defaultedPointers maps the defaulted inputs' paths into pointers in a
// request of type root, sorted as strings.
func defaultedPointers(root reflect.Type, paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = pointerOf(root, p)
	}
	sort.Strings(out)
	return out
}

// The engine's messages name input fields by placeholder, {Go.Path} or
// {Go.Path|dotted} (calc/errors.go); renderMessage writes them as the
// request of type root names them:
//
//   - {Path}: the JSON name of the path's last field (the last token of
//     its pointer): {Electrolysis.PFC.CF4KgPerT} → cf4_kg_per_t;
//   - {Path|dotted}: the pointer's tokens joined with ".":
//     {DirectSupply.IngotTransportKm|dotted} → direct_supply.ingot_transport_km.
//
// A path with no DTO field behind it renders as the pointer mapping's
// fallback does (snake_case); the package's tests fail on such a
// placeholder (placeholderSeen). Text in braces that is not a placeholder
// is left as it is.
func renderMessage(root reflect.Type, msg string) string {
	i := strings.IndexByte(msg, '{')
	if i < 0 {
		return msg
	}
	key := pathKey{root, msg}
	if text, ok := messageCache.get(key); ok {
		return text
	}
	text := renderFields(root, msg, i)
	messageCache.put(key, text)
	return text
}

// textCache is a bounded map from (request type, engine text) to the
// rendered text. A plain map under a read lock: a struct key costs no
// allocation, where sync.Map boxes it. Messages with placeholders are few
// and mostly constant, so most responses render from here.
type textCache struct {
	mu sync.RWMutex
	m  map[pathKey]string
}

func (c *textCache) get(k pathKey) (string, bool) {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	return v, ok
}

func (c *textCache) put(k pathKey, v string) {
	c.mu.Lock()
	if len(c.m) < maxPointerCache {
		c.m[k] = v
	}
	c.mu.Unlock()
}

var (
	messageCache = textCache{m: map[pathKey]string{}} // (root, message) → rendered
	fieldTexts   = textCache{m: map[pathKey]string{}} // (root, placeholder) → text
)

func renderFields(root reflect.Type, msg string, i int) string {
	var b strings.Builder
	b.Grow(len(msg))
	for i >= 0 {
		j := strings.IndexByte(msg[i:], '}')
		if j < 0 {
			break
		}
		j += i
		if spec := msg[i+1 : j]; isPlaceholder(spec) {
			b.WriteString(msg[:i])
			b.WriteString(fieldText(root, spec))
			msg = msg[j+1:]
			i = strings.IndexByte(msg, '{')
			continue
		}
		b.WriteString(msg[:i+1])
		msg = msg[i+1:]
		i = strings.IndexByte(msg, '{')
	}
	b.WriteString(msg)
	return b.String()
}

// renderMessages renders msgs, copying the slice only when a message has a
// placeholder (the engine's slices may be shared by cached results).
func renderMessages(root reflect.Type, msgs []string) []string {
	for k, m := range msgs {
		if strings.IndexByte(m, '{') < 0 {
			continue
		}
		out := make([]string, len(msgs))
		copy(out, msgs[:k])
		for n := k; n < len(msgs); n++ {
			out[n] = renderMessage(root, msgs[n])
		}
		return out
	}
	return msgs
}

// isPlaceholder reports whether s is a Go path, optionally with a form:
// it starts with an upper-case letter and has only the path's characters.
func isPlaceholder(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for k := 1; k < len(s); k++ {
		c := s[k]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '[' || c == ']' || c == '_' || c == '|' || c == '-') {
			return false
		}
	}
	return true
}

// placeholderSeen, when set (by the package's tests only), sees every
// placeholder rendered.
var placeholderSeen func(root reflect.Type, spec string)

// fieldText is the text of the placeholder spec ("Path" or "Path|form")
// in a request of type root.
func fieldText(root reflect.Type, spec string) string {
	if placeholderSeen != nil {
		placeholderSeen(root, spec)
	}
	key := pathKey{root, spec}
	if v, ok := fieldTexts.get(key); ok {
		return v
	}
	p, form, _ := strings.Cut(spec, "|")
	ptr, _ := resolvePath(root, p)
	tokens := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for k, tok := range tokens {
		tokens[k] = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
	}
	text := tokens[len(tokens)-1]
	if form == "dotted" {
		text = strings.Join(tokens, ".")
	}
	fieldTexts.put(key, text)
	return text
}
