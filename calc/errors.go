package calc

import (
	"fmt"
	"strconv"
	"strings"
)

// Go paths name the input behind an error, a defaulted value or a Monte
// Carlo input. A path is written in Go, relative to the input value of the
// function that was called (PrimaryInput, ProductInput, ElectricityInput,
// PVInput, PlantIndicators, UncertaintySpec, or the arguments of a PV model
// function such as PVChainParams and PVHourly):
//
//	path    = "" | step *( "." field | "[" key "]" )
//	step    = field
//	field   = a Go identifier: an exported struct field, or a pseudo-field
//	key     = an index (decimal) into a slice, or a name
//
// The empty path is the input itself. Field segments are struct field
// names as declared (Electricity.Sources[1].Share,
// Electrolysis.PFC.AnodeEffectMinutesPerCellDay,
// Metal.Primary.Electrolysis.ACkWhPerT). [i] indexes a slice; [name] is a
// map key or a named element: an alloying element of the alloy
// (Alloy.Elements[Mg]) or a step of the product route (Steps[remelting]),
// which are not indices into the input. A pseudo-field names a quantity
// the engine varies or reports that is not a field of the input type: the
// grid factor multiplier Electricity.GridEF, an alloy's Elements, and
// Resource.EPW, the EPW file an hourly resource was read from. Callers
// translate paths into their own names (the API into JSON pointers).
//
// Messages (a FieldError's Detail, a Provenance's Assumptions and
// Warnings) name an input field the same way, as a placeholder: its Go
// path in braces, relative to the same root as the error's own Path (the
// calculation's input):
//
//	placeholder = "{" path [ "|" form ] "}"
//	form        = "dotted"
//
// {Electrolysis.PFC.CF4KgPerT} stands for the field's own name in the
// caller's terms (the API: the JSON name of the path's last field,
// cf4_kg_per_t); {DirectSupply.IngotTransportKm|dotted} for its name
// qualified by the objects that hold it (the API: the JSON names along the
// path joined with ".", direct_supply.ingot_transport_km). A message
// formatted with fmt keeps its verbs; only field names become
// placeholders, never literal JSON names, so that renaming a field of the
// API does not touch the engine. Braces appear in messages only as
// placeholders. A path under a prefix known only at run time (a source, a
// PV system) is built with fieldRef or fieldRefIn and passed to a %s verb.
// A calculation that copies another's messages under a prefix prefixes
// their placeholders too (prefixFields).

// joinPath appends field (a name, "[i]" or a path) to prefix.
func joinPath(prefix, field string) string {
	switch {
	case prefix == "":
		return field
	case field == "":
		return prefix
	case field[0] == '[':
		return prefix + field
	}
	return prefix + "." + field
}

// indexPath is prefix[i].
func indexPath(prefix string, i int) string { return prefix + "[" + strconv.Itoa(i) + "]" }

// keyPath is prefix[key], a map key or named element.
func keyPath(prefix, key string) string { return prefix + "[" + key + "]" }

// pathIndex returns the index of the last [i] of a path (0 when none).
func pathIndex(p string) int {
	i := strings.LastIndexByte(p, '[')
	j := strings.LastIndexByte(p, ']')
	if i < 0 || j < i {
		return 0
	}
	n, _ := strconv.Atoi(p[i+1 : j])
	return n
}

// fieldRef is the placeholder of the input at Go path p in a message.
func fieldRef(p string) string { return "{" + p + "}" }

// fieldRefIn is fieldRef(joinPath(prefix, field)) in one allocation, for
// a field path (not a [key]).
func fieldRefIn(prefix, field string) string {
	if prefix == "" {
		return "{" + field + "}"
	}
	return "{" + prefix + "." + field + "}"
}

// prefixFields puts prefix before the path of each placeholder in msg.
func prefixFields(msg, prefix string) string {
	if prefix == "" || strings.IndexByte(msg, '{') < 0 {
		return msg
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '{')
		if i < 0 {
			b.WriteString(msg)
			return b.String()
		}
		b.WriteString(msg[:i+1])
		msg = msg[i+1:]
		if msg != "" && msg[0] == '[' {
			b.WriteString(prefix)
		} else if msg != "" && msg[0] != '}' {
			b.WriteString(prefix + ".")
		}
	}
}

// factorID joins the parts of a dataset factor id with "/".
func factorID(parts ...string) string { return strings.Join(parts, "/") }

// FieldError says that the input at Path (a Go path, see above) cannot be
// computed, and what is allowed instead.
type FieldError struct {
	Path   string
	Detail string
	// Code and Params, when set, are the error's stable code and its
	// parameters, for a client to word it (unknown_value, shares_sum,
	// no_factor, duplicate, not_omittable, not_in_route, out_of_range,
	// sum_exceeds, needs_dataset, not_used, no_coefficient, sums_to_zero,
	// no_output_left, no_site_data, no_sunrise); the API gives the others
	// its generic code. Those others are checks the API makes first, so
	// that no request reaches them.
	Code   string
	Params map[string]any
}

// InputError is one or more FieldErrors. The engine returns it when the
// input is well-formed but cannot be computed with the dataset, for example
// a region and year without a published grid factor.
type InputError struct {
	Fields []FieldError
}

func (e *InputError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Path + ": " + f.Detail
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// unknownValue is the field error of a value the dataset or the engine does
// not know: kind names what (region, site, product …), allowed the values
// that are (nil when too many to list).
func unknownValue(p, kind, got string, allowed []string, format string, args ...any) *InputError {
	params := map[string]any{"kind": kind, "got": got}
	if allowed != nil {
		params["allowed"] = allowed
	}
	return &InputError{Fields: []FieldError{{Path: p, Detail: fmt.Sprintf(format, args...), Code: "unknown_value", Params: params}}}
}

// codedError is a field error with its stable code and params.
func codedError(p, code string, params map[string]any, format string, args ...any) *InputError {
	return &InputError{Fields: []FieldError{{Path: p, Detail: fmt.Sprintf(format, args...), Code: code, Params: params}}}
}

func fieldError(p, format string, args ...any) *InputError {
	return &InputError{Fields: []FieldError{{Path: p, Detail: fmt.Sprintf(format, args...)}}}
}

// DataError reports a factor the engine needs that the dataset version lacks.
// It is a defect of the dataset, not of the request.
type DataError struct {
	ID string
}

func (e *DataError) Error() string {
	return "dataset has no factor " + e.ID
}
