package calc

import "alcarbon/factors"

// Engine computes footprints with one dataset version. It is immutable and
// safe for concurrent use.
type Engine struct {
	ds *factors.Dataset
}

// New returns an engine over the dataset ds.
func New(ds *factors.Dataset) *Engine {
	return &Engine{ds: ds}
}

// Dataset returns the dataset the engine computes with.
func (e *Engine) Dataset() *factors.Dataset {
	return e.ds
}
