//go:build race

package api

// raceEnabled: the race detector slows CPU-bound code ≈ 10×; timed tests
// shrink their work to match.
const raceEnabled = true
