package calc

import "alcarbon/factors"

// Engine computes footprints with one dataset version. It is immutable and
// safe for concurrent use.
type Engine struct {
	ds *factors.Dataset
	// sun memoises the site-independent solar geometry per time zone; it
	// only ever holds values computed from the inputs, so the engine stays
	// a pure function of its inputs.
	sun sunTables
}

// New returns an engine over the dataset ds.
func New(ds *factors.Dataset) *Engine {
	return &Engine{ds: ds}
}

// Dataset returns the dataset the engine computes with.
func (e *Engine) Dataset() *factors.Dataset {
	return e.ds
}
