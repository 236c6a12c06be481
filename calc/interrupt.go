package calc

import (
	"errors"
	"fmt"
)

// Interrupt is what a long calculation polls to stop early: once Err
// returns non-nil the calculation ends with an error wrapping
// ErrInterrupted and that error. A context.Context satisfies it (the
// caller's request context); calc only reads the signal, so a result that
// completes is the same function of its inputs with or without one. A nil
// Interrupt never stops.
//
// Calculations poll it where a loop is long: before each hourly PV
// simulation (≈ 1–2 ms), every interruptEvery Monte Carlo samples, and
// before each scenario of a compare or sweep (in the caller).
type Interrupt interface {
	Err() error
}

// ErrInterrupted wraps the reason (context.Canceled, a deadline) a
// calculation stopped before its end.
var ErrInterrupted = errors.New("calculation interrupted")

// interruptEvery is how many Monte Carlo samples run between polls: with
// 50 PV sources a sample costs ≈ 0.3 ms, so 64 samples stay well under the
// 50 ms the API promises between a client hanging up and the work ending.
const interruptEvery = 64

// interrupted returns the error a calculation ends with when stop says so,
// or nil.
func interrupted(stop Interrupt) error {
	if stop == nil {
		return nil
	}
	if err := stop.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrInterrupted, err)
	}
	return nil
}
