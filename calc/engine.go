package calc

import "alcarbon/factors"

// Engine computes footprints with one dataset version. It is immutable and
// safe for concurrent use.
type Engine struct {
	ds    *factors.Dataset
	memos engineMemos
}

// engineMemos keep values that calculations on one engine compute again
// and again. They only ever hold values computed from the inputs, each
// equal to a fresh computation, so the engine stays a pure function of its
// inputs.
type engineMemos struct {
	// sun memoises the site-independent solar geometry per time zone.
	sun sunTables
	// years memoises typical hourly years built from monthly or annual
	// data, per resource and place (bounded).
	years typicalYears
	// weather is the constant hourly weather assumed when a resource
	// gives none.
	weather defaultWeather
}

// New returns an engine over the dataset ds.
func New(ds *factors.Dataset) *Engine {
	return &Engine{ds: ds}
}

// Dataset returns the dataset the engine computes with.
func (e *Engine) Dataset() *factors.Dataset {
	return e.ds
}
