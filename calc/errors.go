package calc

import (
	"fmt"
	"strings"
)

// FieldError says that the input at Pointer (an RFC 6901 JSON pointer into
// the request) cannot be computed, and what is allowed instead.
type FieldError struct {
	Pointer string
	Detail  string
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
		parts[i] = f.Pointer + ": " + f.Detail
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

func fieldError(pointer, format string, args ...any) *InputError {
	return &InputError{Fields: []FieldError{{Pointer: pointer, Detail: fmt.Sprintf(format, args...)}}}
}

// DataError reports a factor the engine needs that the dataset version lacks.
// It is a defect of the dataset, not of the request.
type DataError struct {
	ID string
}

func (e *DataError) Error() string {
	return "dataset has no factor " + e.ID
}
