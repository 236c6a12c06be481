package api

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// validator collects field problems while a request checks its fields:
// checkTags (bounds.go) adds those of the bounds and enums in struct tags,
// then the request's validate method those of its other rules.
type validator struct {
	fields []FieldProblem
}

// add adds a field problem worded by format; one whose wording starts
// with "is required" has the code required, any other the generic code
// invalid (addCode gives a specific one).
func (v *validator) add(ptr, format string, args ...any) {
	code := codeInvalid
	if strings.HasPrefix(format, "is required") {
		code = codeRequired
	}
	v.addCode(ptr, code, nil, format, args...)
}

// addCode adds a field problem with a stable code and its params.
func (v *validator) addCode(ptr, code string, params map[string]any, format string, args ...any) {
	v.fields = append(v.fields, FieldProblem{Pointer: ptr, Detail: fmt.Sprintf(format, args...), Code: code, Params: params})
}

// Field error codes of rules between fields and of sizes; the params of
// each are listed on FieldProblem.Params. Fields are JSON names.
const (
	codeOneOfRequired        = "one_of_required"       // fields: give one of them
	codeMutuallyExclusive    = "mutually_exclusive"    // fields: give at most one of them
	codeRequires             = "requires"              // fields: this needs one of them given
	codeTogether             = "together"              // fields: give all of them or none
	codeNotUsed              = "not_used"              // used_by: the kinds (or fuels) that use the field
	codeTooLong              = "too_long"              // max, got: characters
	codeWrongCount           = "wrong_count"           // min, max (either may be absent), got: items
	codeBeforeStart          = "before_start"          // start: the date the field must not be before
	codeDuplicate            = "duplicate"             // got: the value given twice
	codeInvalidPeriod        = "invalid_period"        // got: not a year, a date or a range of dates
	codeNotMultipleOf        = "not_multiple_of"       // step, unit, got
	codeMustMatch            = "must_match"            // want, got: the value the request fixes for this field, and the one given
	codeInvalidEPW           = "invalid_epw"           // line, field when one is at fault (1-based, as the EPW data dictionary numbers them); min, max, got when a value is outside the model's range
	codeNotRepresentable     = "not_representable"     // expected (number or integer), got: the JSON number as written
	codeBelongsToPortfolio   = "belongs_to_portfolio"  // want: the pointer of the portfolio's field
	codeUnrepresentableRange = "unrepresentable_range" // from, to, steps
	codeNotNumeric           = "not_numeric"           // parameter: the sweep parameter, which is not a number
	codeInvalidPointer       = "invalid_pointer"       // got, reason: not_in_schema (at, allowed), not_an_index (at, token), no_field (at, token), not_a_value, no_element (token, length when the base has the array), not_container (token)
	codeDraftDataset         = "draft_dataset"         // dataset, released: the versions a declaration may use
	codeNoRegistry           = "no_registry"           // no params: the server has no declaration registry
	codeWrongKind            = "wrong_kind"            // want, got: the kind of declaration needed and the one given
	codeDrivesWork           = "drives_work"           // units: what the field adds to the request's cost [work units]
	codeInvalidFormat        = "invalid_format"        // format (email, phone, unlocode), got
)

// fieldsParam is the params of a code about fields.
func fieldsParam(fields ...string) map[string]any { return map[string]any{"fields": fields} }

// countParam is the params of wrong_count; min or max < 0 is absent.
func countParam(minN, maxN, got int) map[string]any {
	p := map[string]any{"got": got}
	if minN >= 0 {
		p["min"] = minN
	}
	if maxN >= 0 {
		p["max"] = maxN
	}
	return p
}

// usedBy is the params of not_used: the kinds that use the field.
func usedBy(kinds ...string) map[string]any { return map[string]any{"used_by": kinds} }

func (v *validator) err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return invalid(v.fields)
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// enum checks that s, when not empty, is one of allowed.
func (v *validator) enum(ptr, s string, allowed []string) {
	if s != "" && !slices.Contains(allowed, s) {
		v.fields = append(v.fields, FieldProblem{Pointer: ptr, Detail: enumDetail(allowed, s), Code: codeNotAllowed, Params: map[string]any{"allowed": allowed, "got": s}})
	}
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

func joinList(s []string) string { return strings.Join(s, ", ") }
