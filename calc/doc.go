// Package calc is alcarbon's pure calculation engine: primary aluminium
// footprints, electricity supply portfolios and ratings against national
// standards. Values and a reference dataset go in, results come out; there is
// no I/O, no clock, no logging and no mutable global state, so equal inputs
// give equal outputs and results can be cached by input hash.
//
// Each published model is one small function named after it, with its
// equation and source in the doc comment (equations.go). Every factor the
// engine reads from the dataset is recorded in the result's provenance.
//
// Inputs are named in Go: errors, defaulted inputs and Monte Carlo inputs
// carry Go paths into the input types (Electricity.Sources[1].Share; the
// grammar is in errors.go), never the field names of a wire format.
package calc

// EngineVersion identifies the calculation rules. It is part of every cache
// key and of every published declaration, so a change to any equation or
// rule must change it.
const EngineVersion = "2026.11.0"
