package batch

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Table is the columns of one request kind, found by any of their
// headers.
type Table struct {
	Columns []Column
	byName  map[string]int
	byPtr   map[string]int
}

// NewTable indexes cols by path, Chinese header and pointer. Headers must
// be unique.
func NewTable(cols []Column) (*Table, error) {
	t := &Table{Columns: cols, byName: map[string]int{}, byPtr: map[string]int{}}
	for i, c := range cols {
		for _, h := range []string{c.Path, c.HeaderZH} {
			if j, dup := t.byName[h]; dup && j != i {
				return nil, fmt.Errorf("batch: header %q names both %s and %s", h, cols[j].Path, c.Path)
			}
			t.byName[h] = i
		}
		t.byPtr[c.Pointer] = i
	}
	return t, nil
}

// Lookup returns the index of the column a header names (its path or its
// Chinese header; surrounding spaces ignored).
func (t *Table) Lookup(header string) (int, bool) {
	i, ok := t.byName[strings.TrimSpace(header)]
	return i, ok
}

// Header returns the header a file used for the field at a JSON pointer:
// its column's header in headers (the file's header row, by column index;
// nil for JSON lines), else the pointer's dotted path
// (/electricity/sources/1 → electricity.sources[1]).
func (t *Table) Header(pointer string, headers map[int]string) string {
	if i, ok := t.byPtr[pointer]; ok {
		if h, ok := headers[i]; ok {
			return h
		}
		return t.Columns[i].Path
	}
	return DottedPath(pointer)
}

// DottedPath writes a JSON pointer as a column path:
// /electricity/sources/1/kind → electricity.sources[1].kind; "" → "".
func DottedPath(pointer string) string {
	var b strings.Builder
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		if tok == "" {
			continue
		}
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		if _, err := strconv.Atoi(tok); err == nil && b.Len() > 0 {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

// Cell is one non-empty cell of a row: its column and text.
type Cell struct {
	Column int
	Text   string
}

// Unflatten builds the request JSON of a row from its non-empty cells.
// A cell's text becomes the JSON value its column's type asks for when it
// parses as one (a number, true/false); otherwise it stays a string, and
// the request's strict decoding then names the field and the type it
// wants, as the single endpoint does for the same JSON. An array gets as
// many elements as its highest filled slot: an empty slot before it is an
// empty object, which validation reports at that slot's pointer.
func (t *Table) Unflatten(cells []Cell) ([]byte, error) {
	var root any = map[string]any{}
	for _, cell := range cells {
		c := &t.Columns[cell.Column]
		root = put(root, c.tokens, value(c.Type, strings.TrimSpace(cell.Text)))
	}
	return json.Marshal(root)
}

// value is text as a JSON value of type typ when it parses as one.
func value(typ, text string) any {
	switch typ {
	case "number", "integer":
		if _, err := strconv.ParseFloat(text, 64); err == nil && !strings.ContainsAny(text, "xXpP_") && validJSONNumber(text) {
			return json.Number(text)
		}
	case "boolean":
		switch strings.ToLower(text) {
		case "true", "1", "yes", "是":
			return true
		case "false", "0", "no", "否":
			return false
		}
	}
	return text
}

// validJSONNumber reports whether s is a number in JSON's grammar (no
// leading +, no leading zeros, no bare ".5", no Inf/NaN).
func validJSONNumber(s string) bool {
	var x any
	return json.Unmarshal([]byte(s), &x) == nil && func() bool { _, ok := x.(float64); return ok }()
}

// put returns node with v at the reference tokens under it, making
// objects and arrays (a numeric token is an array index) on the way.
func put(node any, tokens []string, v any) any {
	if len(tokens) == 0 {
		return v
	}
	tok := tokens[0]
	if k, err := strconv.Atoi(tok); err == nil {
		arr, _ := node.([]any)
		for len(arr) <= k {
			arr = append(arr, map[string]any{})
		}
		arr[k] = put(arr[k], tokens[1:], v)
		return arr
	}
	obj, ok := node.(map[string]any)
	if !ok {
		obj = map[string]any{}
	}
	obj[tok] = put(obj[tok], tokens[1:], v)
	return obj
}
