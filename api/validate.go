package api

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// validator collects field problems while a request checks its fields.
type validator struct {
	fields []FieldProblem
}

func (v *validator) add(ptr, format string, args ...any) {
	v.fields = append(v.fields, FieldProblem{Pointer: ptr, Detail: fmt.Sprintf(format, args...)})
}

func (v *validator) err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return invalid(v.fields)
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// rangeF checks min ≤ *x ≤ max when x is set.
func (v *validator) rangeF(ptr string, x *float64, min, max float64, unit string) {
	if x == nil {
		return
	}
	if *x < min || *x > max {
		v.add(ptr, "must be between %s and %s%s; got %s", fmtNum(min), fmtNum(max), unitSuffix(unit), fmtNum(*x))
	}
}

// positive checks 0 < *x ≤ max when x is set.
func (v *validator) positive(ptr string, x *float64, max float64, unit string) {
	if x == nil {
		return
	}
	if *x <= 0 || *x > max {
		v.add(ptr, "must be greater than 0 and at most %s%s; got %s", fmtNum(max), unitSuffix(unit), fmtNum(*x))
	}
}

func unitSuffix(unit string) string {
	if unit == "" {
		return ""
	}
	return " " + unit
}

// enum checks that s, when not empty, is one of allowed.
func (v *validator) enum(ptr, s string, allowed []string) {
	if s != "" && !slices.Contains(allowed, s) {
		v.add(ptr, "must be one of %s; got %q", strings.Join(allowed, ", "), s)
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
