package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/labstack/echo/v4"
)

// validatable is a request body that checks its own fields.
type validatable interface {
	validate(v *validator)
}

// maxNesting bounds the depth of a request's JSON (objects and arrays).
const maxNesting = 32

// decodeValid reads a JSON request body strictly — Content-Type JSON, no
// unknown fields, right types, nothing after the value — then checks it
// (checkRequest).
// Errors are problems naming the field by JSON pointer.
func decodeValid[T any, PT interface {
	*T
	validatable
}](c echo.Context) (T, error) {
	var req T
	body, err := readJSONBody(c)
	if err != nil {
		return req, err
	}
	if err := decodeStrict(body, &req); err != nil {
		return req, err
	}
	if err := checkRequest(PT(&req)); err != nil {
		return req, err
	}
	return req, nil
}

// checkRequest checks a decoded request: the bounds and enums its struct
// tags publish (checkTags), then its own rules (validate). Every problem of
// both is reported.
func checkRequest(req validatable) error {
	v := &validator{}
	v.checkTags(req)
	req.validate(v)
	return v.err()
}

// readJSONBody checks the Content-Type and reads the body, mapping the body
// limit to 413.
func readJSONBody(c echo.Context) ([]byte, error) {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if ct != echo.MIMEApplicationJSON { // the common case needs no parsing
		mt, _, err := mime.ParseMediaType(ct)
		if ct == "" || err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, problem(http.StatusUnsupportedMediaType, "send the body as JSON with Content-Type: application/json")
		}
	}
	return readBody(c)
}

// readBody reads the body whole, mapping the body limit to 413.
func readBody(c echo.Context) ([]byte, error) {
	body, err := readAll(c.Request().Body, c.Request().ContentLength)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return nil, he
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, echo.ErrStatusRequestEntityTooLarge
		}
		return nil, problem(http.StatusBadRequest, "the request body could not be read")
	}
	return body, nil
}

// readAll reads r whole, starting with room for the announced length n
// up to maxBodyPrealloc and growing as bytes actually arrive (r enforces
// the body limit): a small body costs one allocation, and headers alone,
// which announce a length but may never send it, reserve at most
// maxBodyPrealloc (a client announcing 4 MiB on each of 100 idle
// connections would otherwise hold 400 MiB).
func readAll(r io.Reader, n int64) ([]byte, error) {
	buf := bytes.NewBuffer(make([]byte, 0, min(max(n, 0), maxBodyPrealloc)+bytes.MinRead)) // room for the read that sees EOF
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}

// maxBodyPrealloc bounds what readAll allocates on a Content-Length's word
// alone [bytes].
const maxBodyPrealloc = 256 << 10

// decodeStrict decodes body into dst. Syntax errors are 400 with the line
// and column; unknown fields and wrong types are 422 naming each field.
func decodeStrict(body []byte, dst any) error {
	if err := precheck(body); err != nil {
		return err
	}
	if jsonv2.Unmarshal(body, dst, strictV2) == nil {
		return nil
	}
	reflect.ValueOf(dst).Elem().SetZero() // what the failed attempt filled in
	return decodeStrictV1(body, dst)
}

// precheck refuses, before any decoding, an empty body, invalid UTF-8 and
// JSON nested deeper than maxNesting.
func precheck(body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return problem(http.StatusBadRequest, "the request body is empty; send a JSON object")
	}
	if !utf8.Valid(body) {
		return problem(http.StatusBadRequest, "the request body is not valid UTF-8")
	}
	if d := nestingDepth(body); d > maxNesting {
		return problem(http.StatusBadRequest, fmt.Sprintf("the JSON is nested %d levels deep; at most %d are allowed", d, maxNesting))
	}
	return nil
}

// strictV2 is how decodeStrict first decodes a body: with
// github.com/go-json-experiment/json (the JSON v2 that Go's encoding/json/v2
// is made from), 2.3× faster than encoding/json's Decoder on the reference
// primary request (BENCHMARKS.md, "Third pass"), and stricter: names
// match exactly (no case folding), a name given twice, invalid UTF-8 and
// data after the value are errors, and so are unknown names. Where it
// accepts a body, encoding/json would accept it too and decode the same
// value (TestDecodeV2AgreesWithV1, FuzzDecodeV2AgreesWithV1). Where it
// refuses one, decodeStrictV1 decodes the body again and answers as
// before, so every error keeps its wording and a name given twice keeps
// encoding/json's meaning (the last one counts).
var strictV2 = jsonv2.JoinOptions(jsonv2.RejectUnknownMembers(true))

// decodeStrictV1 is decodeStrict with encoding/json alone, for bodies the
// faster decoder refuses: syntax errors are 400 with the line and column;
// unknown fields and wrong types are 422 naming each field.
func decodeStrictV1(body []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			return problem(http.StatusBadRequest, fmt.Sprintf("unexpected data after the JSON value at %s", position(body, dec.InputOffset())))
		}
		// encoding/json matches keys case-insensitively, with Unicode
		// folding ("REGION" and "ſite" with U+017F fill region and site).
		// Every field name is lower-case ASCII, so a body with an
		// upper-case or non-ASCII letter in a key is walked once more with
		// exact names.
		if hasFoldableKey(body) {
			if fields := shapeProblems(body, dst); len(fields) > 0 {
				return invalid(fields)
			}
		}
		return nil
	}
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		return problem(http.StatusBadRequest, fmt.Sprintf("malformed JSON at %s: %s", position(body, syn.Offset), syn.Error()))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return problem(http.StatusBadRequest, "malformed JSON: the body ends before the JSON value is complete")
	}
	// Unknown field or wrong type: walk the document against the type to
	// name every offending field by pointer.
	fields := shapeProblems(body, dst)
	if len(fields) == 0 {
		// Not reached by any request type of this package: walkShape
		// names every unknown field and wrong type encoding/json refuses
		// (the request types have no custom unmarshalers, fixed arrays or
		// integers narrower than 64 bits). It keeps the generic code
		// invalid, with no wording on the page.
		fields = []FieldProblem{{Pointer: "", Detail: "the body does not match the expected schema"}}
	}
	return invalid(fields)
}

// hasFoldableKey reports whether an object key in a JSON text contains an
// ASCII upper-case letter, a non-ASCII byte or an escape (\u017f): what
// encoding/json's case folding could match to another name. It scans the
// bytes once without allocating: a string followed (after spaces) by ':'
// is a key.
func hasFoldableKey(body []byte) bool {
	inStr, esc, upper := false, false, false
	for i := 0; i < len(body); i++ {
		b := body[i]
		if inStr {
			switch {
			case esc:
				esc = false
			case b == '\\':
				esc, upper = true, true
			case b == '"':
				inStr = false
				if upper {
					j := i + 1
					for j < len(body) && (body[j] == ' ' || body[j] == '\t' || body[j] == '\n' || body[j] == '\r') {
						j++
					}
					if j < len(body) && body[j] == ':' {
						return true
					}
				}
			case (b >= 'A' && b <= 'Z') || b >= 0x80:
				upper = true
			}
			continue
		}
		if b == '"' {
			inStr, upper = true, false
		}
	}
	return false
}

// shapeProblems walks body as a token stream against dst's type, naming
// each unknown field (exact, case-sensitive names) and wrong type: at most
// maxShapeErrors, those of an object's keys in key order. It keeps no
// decoded document, so a 4 MiB body with a wrong type costs a pass over
// its tokens, not a copy of it as Go values.
func shapeProblems(body []byte, dst any) []FieldProblem {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var fields []FieldProblem
	if err := walkShape(d, reflect.TypeOf(dst).Elem(), "", &fields); err != nil {
		// Not reached: both callers pass a body that encoding/json has
		// read whole as one valid JSON value (syntax errors are 400s
		// before), so the token stream cannot fail. Generic code invalid.
		return []FieldProblem{{Pointer: "", Detail: "malformed JSON"}}
	}
	return fields
}

// walkShape reads the next JSON value from d and appends to out a
// FieldProblem for each unknown field and wrong type in it: null and
// json.RawMessage fit anything.
func walkShape(d *json.Decoder, t reflect.Type, ptr string, out *[]FieldProblem) error {
	tok, err := d.Token()
	if err != nil {
		return err
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if tok == nil || t == rawMessageType || t.Kind() == reflect.Interface {
		return skipRest(d, tok)
	}
	// unrepresentable adds a not_representable problem: a JSON number
	// that no value of the expected type holds.
	unrepresentable := func(expected, detail string) {
		if len(*out) < maxShapeErrors {
			*out = append(*out, FieldProblem{Pointer: ptr, Detail: detail, Code: codeNotRepresentable, Params: map[string]any{"expected": expected, "got": tok.(json.Number).String()}})
		}
	}
	// wrong adds a wrong_type problem: expected is the JSON type wanted.
	wrong := func(expected string) {
		if len(*out) < maxShapeErrors {
			*out = append(*out, FieldProblem{Pointer: ptr, Detail: "must be " + map[string]string{"object": "an object", "array": "an array", "string": "a string", "boolean": "true or false", "number": "a number", "integer": "an integer"}[expected] + ", not " + tokenKind(tok),
				Code: codeWrongType, Params: map[string]any{"expected": expected, "got": strings.TrimPrefix(strings.TrimPrefix(tokenKind(tok), "an "), "a ")}})
		}
	}
	delim, isDelim := tok.(json.Delim)
	switch {
	case isDelim && delim == '{' && t.Kind() == reflect.Struct:
		return walkObject(d, t, ptr, out)
	case isDelim && delim == '{' && t.Kind() == reflect.Map:
		for d.More() {
			kt, err := d.Token()
			if err != nil {
				return err
			}
			key, _ := kt.(string)
			if err := walkShape(d, t.Elem(), ptr+"/"+escapePointer(key), out); err != nil {
				return err
			}
		}
		_, err := d.Token()
		return err
	case isDelim && delim == '[' && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
		for i := 0; d.More(); i++ {
			if err := walkShape(d, t.Elem(), ptr+"/"+strconv.Itoa(i), out); err != nil {
				return err
			}
		}
		_, err := d.Token()
		return err
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		wrong("object")
	case reflect.Slice, reflect.Array:
		wrong("array")
	case reflect.String:
		if _, ok := tok.(string); !ok {
			wrong("string")
		}
	case reflect.Bool:
		if _, ok := tok.(bool); !ok {
			wrong("boolean")
		}
	case reflect.Float32, reflect.Float64:
		if n, ok := tok.(json.Number); !ok {
			wrong("number")
		} else if _, err := n.Float64(); err != nil {
			unrepresentable("number", "is out of the range of a number")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if n, ok := tok.(json.Number); !ok {
			wrong("integer")
		} else if _, err := strconv.ParseInt(n.String(), 10, 64); err != nil {
			unrepresentable("integer", "must be a whole number within range")
		}
	}
	return skipRest(d, tok)
}

// walkObject walks the members of an object of struct type t (its '{'
// read) and appends their problems in key order.
func walkObject(d *json.Decoder, t reflect.Type, ptr string, out *[]FieldProblem) error {
	fields := jsonFields(t)
	type member struct {
		key      string
		problems []FieldProblem
	}
	var members []member
	for d.More() {
		kt, err := d.Token()
		if err != nil {
			return err
		}
		key, _ := kt.(string)
		var sub []FieldProblem
		if f, ok := fields[key]; ok {
			err = walkShape(d, f, ptr+"/"+escapePointer(key), &sub)
		} else {
			allowed := sortedKeys(fields)
			sub = []FieldProblem{{Pointer: ptr + "/" + escapePointer(key),
				Detail: "unknown field; allowed here: " + strings.Join(allowed, ", "),
				Code:   codeUnknownField, Params: map[string]any{"allowed": allowed, "got": key}}}
			err = skipValue(d)
		}
		if err != nil {
			return err
		}
		if len(sub) > 0 {
			members = append(members, member{key, sub})
		}
	}
	if _, err := d.Token(); err != nil {
		return err
	}
	sort.SliceStable(members, func(i, j int) bool { return members[i].key < members[j].key })
	for _, m := range members {
		for _, p := range m.problems {
			if len(*out) < maxShapeErrors {
				*out = append(*out, p)
			}
		}
	}
	return nil
}

// skipValue reads and discards the next JSON value from d.
func skipValue(d *json.Decoder) error {
	tok, err := d.Token()
	if err != nil {
		return err
	}
	return skipRest(d, tok)
}

// skipRest discards the rest of a value whose first token was tok: the
// members of an object or array up to its closing delimiter.
func skipRest(d *json.Decoder, tok json.Token) error {
	delim, ok := tok.(json.Delim)
	if !ok || (delim != '{' && delim != '[') {
		return nil
	}
	for depth := 1; depth > 0; {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		if delim, ok := tok.(json.Delim); ok {
			if delim == '{' || delim == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}

// tokenKind names the JSON kind of a value's first token.
func tokenKind(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return "an object"
		}
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "null"
}

// rawKind names the JSON kind of a valid JSON text t (trimmed, not
// empty) as wrong_type's got does: object, array, string, boolean, number
// or null.
func rawKind(t string) string {
	switch t[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// position renders a byte offset as "line L, column C".
func position(body []byte, off int64) string {
	if off > int64(len(body)) {
		off = int64(len(body))
	}
	line, col := 1, 1
	for _, b := range body[:off] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("line %d, column %d", line, col)
}

// nestingDepth returns the maximum depth of objects and arrays in a JSON
// text, ignoring brackets inside strings.
func nestingDepth(body []byte) int {
	depth, max, inStr, esc := 0, 0, false, false
	for _, b := range body {
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case b == '\\':
				esc = true
			case b == '"':
				inStr = false
			}
		case b == '"':
			inStr = true
		case b == '{' || b == '[':
			depth++
			if depth > max {
				max = depth
			}
		case b == '}' || b == ']':
			depth--
		}
	}
	return max
}

const maxShapeErrors = 20

var rawMessageType = reflect.TypeOf(json.RawMessage(nil))

// jsonFields maps the JSON names of a struct's fields to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for k, v := range jsonFields(f.Type) {
				m[k] = v
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	return m
}

func sortedKeys(m map[string]reflect.Type) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// escapePointer escapes a key for an RFC 6901 JSON pointer.
func escapePointer(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}
