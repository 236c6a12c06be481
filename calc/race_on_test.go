//go:build race

package calc_test

// raceEnabled skips timing assertions under the race detector, which slows
// arithmetic several-fold.
const raceEnabled = true
