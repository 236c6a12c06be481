package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/semaphore"

	"alcarbon/calc"
)

// Bounded work per request (issue 16). Every calculation request is priced
// in work units from its shape before any work starts; a request over
// WorkLimits.MaxUnits is a 422 naming the fields that drive its cost.
//
// One work unit is ≈ 1 µs of CPU on the reference machine (the 2-core
// development machine of BENCHMARKS.md). The constants below were measured
// there with `ALCARBON_CALIBRATE=1 go test -run TestCalibrateWork -v ./api`
// (process CPU time per request through the real router, cache misses) and
// rounded up:
//
//	one calculation without PV (decode, compute, respond)   147–158 µs → workPerCalc      = 200
//	  (a scenario of a sweep: 47 µs)
//	a calculation that models PV hour by hour (sun hours    ≈ 1.5 ms  → workPerPVCalc    = 1600
//	  sorted, allocation tables, the memo's input hashes;
//	  sweep points with 1 memoised PV system: 1563 µs each)
//	each PV system in it (sweep points, 2/4/8 systems:      ≈ 110 µs  → workPerPVUse     = 150
//	  1644/1866/2315 µs)
//	one 8760-hour PV simulation (POST /v1/pv)             1.54–1.65 ms → workPerPVRun     = 2000
//	a Monte Carlo sample without PV (100,000: 121 ms)       1.0–1.2 µs → workPerSample    = 2
//	a sample, per PV source, with ≥ 2 PV sources (hourly)   4.9–5.2 µs → workPerSamplePV  = 6
//	a sample, per uncertain input (draw, totals, ranks)     ≈ 0.16 µs → inputsPerWork    = 5
//	request body decoding                                    15.6 ns/B → bodyBytesPerWork = 64
//
// With calc(k) = workPerCalc + k × workPerPVUse, + workPerPVCalc when k > 0,
// the price of a calculation with k hourly-modelled PV systems (objects
// under a "pv" key; POST /v1/pv is one), a request costs:
//
//	footprint, electricity, pv:  calc(k) + k × run + bytes/64
//	uncertainty:                 calc(k) + k × run + samples × (sample + k × samplePV + inputs/5) + bytes/64
//	                             (samplePV counts only with 2 or more PV sources: one source has a
//	                             closed form; inputs, the number of uncertain inputs, is known once the
//	                             footprint is compiled — a calculation the first terms price — so the
//	                             price is checked again, with it, before sampling starts)
//	compare:                     Σ over the base and the variants calc(k_base + k_patch)
//	                             + (k_base + Σ k_patch) × run + bytes/64
//	                             + (scenarios × base bytes + Σ patch bytes)/64
//	                             (a variant reuses the base's simulations; each PV system its patch
//	                             names is simulated anew; each scenario is decoded on its own)
//	sweep:                       (points + 1) × calc(k_base) + k_base × run
//	                             + points × run when the parameter is inside a PV system (or kind pv)
//	                             + (points + 1) × base bytes/64 + bytes/64
//	batch (POST /v1/batches):    Σ over the rows (calc(k_row) + k_row × run + row bytes/64)
//	                             + file bytes/64
//	                             (each row priced as its single request, the JSON its cells make;
//	                             checked whole before any row computes; batch.go)
//	batch job (> 200 rows):      each row alone as its single request, checked against MaxUnits
//	                             (a row over it gets an error instead of a result); the rows run
//	                             at background priority (acquireBackground; batch_jobs.go)
//
// Every term is an upper bound of what the engine does, so a request within
// the budget costs at most ≈ MaxUnits µs of CPU on the reference machine:
// the worst accepted requests of each shape are measured by
// BenchmarkWorstAccepted (BENCHMARKS.md).
const (
	workPerCalc      = 200
	workPerPVCalc    = 1600
	workPerPVUse     = 150
	workPerPVRun     = 2000
	workPerSample    = 2
	workPerSamplePV  = 6
	inputsPerWork    = 5
	bodyBytesPerWork = 64

	// DefaultMaxWork is the default budget of one request [work units]:
	// ≈ 2 CPU-seconds on the reference machine.
	DefaultMaxWork int64 = 2_000_000
	// heavyWork is the cost from which a calculation is heavy and goes
	// through admission (≈ 1 ms: every PV simulation is heavy, a
	// footprint without PV is not).
	heavyWork = 1000
	// defaultHeavyWait is how long a heavy calculation waits for a slot.
	defaultHeavyWait = time.Second
	// retryAfterSeconds is the Retry-After of a 503 for a full server:
	// the worst accepted request takes ≈ 2 s on one core.
	retryAfterSeconds = 2
)

// WorkLimits bound the work of calculation requests.
type WorkLimits struct {
	// MaxUnits is the budget of one request [work units, ≈ µs of CPU on
	// the reference machine]; ≤ 0 means DefaultMaxWork.
	MaxUnits int64
	// HeavySlots is how many heavy calculations (uncertainty, compare,
	// sweep, PV, anything over heavyWork) run at once; ≤ 0 means
	// runtime.GOMAXPROCS(0). Cheap calculations never wait for a slot.
	HeavySlots int
	// HeavyWait is how long a heavy calculation waits for a slot before a
	// 503 with Retry-After; ≤ 0 means 1 s.
	HeavyWait time.Duration
	// Deadline stops a calculation that has run this long (the server's
	// write timeout: its answer could no longer be written); ≤ 0: none
	// but the client's.
	Deadline time.Duration
}

// admission is the concurrency limit of heavy calculations.
type admission struct {
	limits   WorkLimits
	slots    *semaphore.Weighted
	inFlight prometheus.Gauge
	refused  prometheus.Counter
	// waiting counts the interactive calculations waiting for a slot:
	// background work (batch job rows) takes none while any waits.
	waiting atomic.Int64
}

func newAdmission(l WorkLimits, reg prometheus.Registerer) *admission {
	if l.MaxUnits <= 0 {
		l.MaxUnits = DefaultMaxWork
	}
	if l.HeavySlots <= 0 {
		l.HeavySlots = runtime.GOMAXPROCS(0)
	}
	if l.HeavyWait <= 0 {
		l.HeavyWait = defaultHeavyWait
	}
	a := &admission{
		limits: l, slots: semaphore.NewWeighted(int64(l.HeavySlots)),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "alcarbon_heavy_calculations_in_flight", Help: "Heavy calculations holding a slot (at most ALCARBON_HEAVY_SLOTS).",
		}),
		refused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "alcarbon_heavy_calculations_refused_total", Help: "Heavy calculations refused with 503 because every slot stayed busy.",
		}),
	}
	reg.MustRegister(a.inFlight, a.refused)
	return a
}

// errBusy is a heavy calculation that found no slot in time: 503 with
// Retry-After.
var errBusy = errors.New("every slot for heavy calculations is busy")

// work is the price of one request: its cost in work units and the fields
// that drive it.
type work struct {
	units int64
	// heavy: uncertainty, compare, sweep and PV always go through
	// admission, whatever their cost.
	heavy   bool
	drivers []FieldProblem
}

// add adds n units driven by the field at pointer (detail says how).
func (w *work) add(n int64, pointer, detail string) {
	w.units += n
	if pointer != "" && detail != "" && len(w.drivers) < maxShapeErrors {
		w.drivers = append(w.drivers, FieldProblem{Pointer: pointer, Detail: detail, Code: codeDrivesWork, Params: map[string]any{"units": n}})
	}
}

// check refuses w when it is over the budget: 422 naming the fields that
// drive the cost, the cost and the limit.
func (a *admission) check(w work) error {
	if w.units <= a.limits.MaxUnits {
		return nil
	}
	fields := w.drivers
	if len(fields) == 0 {
		fields = []FieldProblem{{Pointer: "", Detail: "the request body", Code: codeDrivesWork, Params: map[string]any{"units": w.units}}}
	}
	p := invalid(fields)
	p.Detail = fmt.Sprintf("the request would cost %s work units (≈ µs of CPU); at most %s are allowed per request (ALCARBON_MAX_WORK). The fields listed drive the cost: ask for less (fewer samples, variants, points or PV systems) or split the request",
		groupThousands(w.units), groupThousands(a.limits.MaxUnits))
	units, limit := w.units, a.limits.MaxUnits
	p.WorkUnits, p.MaxWorkUnits = &units, &limit
	return p
}

// run runs compute under ctx (the request's), bounded by the deadline
// and, for heavy work, by a slot: it waits at most HeavyWait for one
// (errBusy after). Cheap work runs at once.
func (a *admission) run(ctx context.Context, w work, compute func(context.Context) (any, error)) (any, error) {
	if a.limits.Deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, a.limits.Deadline)
		defer cancel()
	}
	if w.heavy || w.units >= heavyWork {
		wait, cancel := context.WithTimeout(ctx, a.limits.HeavyWait)
		a.waiting.Add(1)
		err := a.slots.Acquire(wait, 1)
		a.waiting.Add(-1)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return nil, interruptedErr(ctx)
			}
			a.refused.Inc()
			return nil, errBusy
		}
		a.inFlight.Inc()
		defer func() {
			a.inFlight.Dec()
			a.slots.Release(1)
		}()
	}
	return compute(ctx)
}

// Background work — the rows of batch jobs — runs at a lower priority
// than requests: it takes a heavy-calculation slot only when one is free
// and no request waits for one (acquireBackground polls), and gives it
// back after about backgroundHoldWork units (≈ 20 ms), so that a request
// arriving meanwhile waits at most that long for the slot.
const (
	backgroundHoldWork = 20_000
	backgroundPoll     = 10 * time.Millisecond
)

// acquireBackground takes a slot for background work, waiting (until ctx
// is done) while none is free or a request waits for one.
func (a *admission) acquireBackground(ctx context.Context) error {
	for {
		if a.waiting.Load() == 0 && a.slots.TryAcquire(1) {
			a.inFlight.Inc()
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backgroundPoll):
		}
	}
}

// releaseBackground gives back a slot acquireBackground took.
func (a *admission) releaseBackground() {
	a.inFlight.Dec()
	a.slots.Release(1)
}

// groupThousands writes n with thin separators: 2,000,000.
func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// bodyWork prices decoding a body of n bytes.
func bodyWork(w *work, n int) {
	w.add(int64(n)/bodyBytesPerWork, "", "")
}

// calcUnits is the price of one calculation with k hourly-modelled PV
// systems, their simulations aside.
func calcUnits(k int) int64 {
	if k == 0 {
		return workPerCalc
	}
	return workPerCalc + workPerPVCalc + int64(k)*workPerPVUse
}

// pvRuns prices the simulations of the PV systems at pointers (under
// prefix), each one naming its field.
func pvRuns(w *work, prefix string, pointers []string, detail string) {
	for _, p := range pointers {
		w.add(workPerPVRun, prefix+p, fmt.Sprintf("%s: %d work units", detail, workPerPVRun))
	}
}

// calcWork prices one request of kind k with body.
func calcWork(k calcKind, body []byte) work {
	pvs := scenarioPV(k.name, body)
	w := work{heavy: k.name == kindPV}
	bodyWork(&w, len(body))
	w.add(calcUnits(len(pvs)), "", "")
	pvRuns(&w, "", pvs, "an hourly PV simulation")
	return w
}

// pvPointers returns the JSON pointers of the objects under a "pv" key in
// a JSON text (the on-site PV systems a request models hour by hour,
// whatever the kind: a product's inline primary metal has them too). It
// scans the bytes once, keeping only the path as slices of body (a key
// with escapes is unquoted into a copy): a 4 MiB body, like a small one,
// allocates nothing but the stack and the pointers. body must be valid
// JSON (decoded already).
func pvPointers(body []byte) []string {
	type frame struct {
		obj bool
		key []byte
		idx int
	}
	var (
		stack     []frame
		out       []string
		expectKey bool
	)
	pointer := func() string {
		var b strings.Builder
		for _, f := range stack {
			b.WriteByte('/')
			if f.obj {
				b.WriteString(escapePointer(string(f.key)))
			} else {
				b.WriteString(strconv.Itoa(f.idx))
			}
		}
		return b.String()
	}
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '"':
			j, esc := i+1, false
			for ; j < len(body) && body[j] != '"'; j++ {
				if body[j] == '\\' {
					esc = true
					j++
				}
			}
			if n := len(stack); n > 0 && stack[n-1].obj && expectKey {
				key := body[i+1 : min(j, len(body))]
				if esc {
					if k, err := strconv.Unquote(`"` + string(key) + `"`); err == nil {
						key = []byte(k)
					}
				}
				stack[n-1].key, expectKey = key, false
			}
			i = j
		case '{':
			if n := len(stack); n > 0 && stack[n-1].obj && string(stack[n-1].key) == "pv" {
				out = append(out, pointer())
			}
			stack = append(stack, frame{obj: true})
			expectKey = true
		case '[':
			stack = append(stack, frame{})
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case ',':
			if n := len(stack); n > 0 {
				if stack[n-1].obj {
					expectKey = true
				} else {
					stack[n-1].idx++
				}
			}
		}
	}
	return out
}

// uncertaintyWork prices a Monte Carlo run of samples over the footprint
// request raw (nested at /request) in a body of n bytes, without the cost
// per uncertain input (samplingWork adds it).
func uncertaintyWork(samples int, samplesGiven bool, raw []byte, n int) work {
	w := work{heavy: true}
	bodyWork(&w, n)
	pvs := pvPointers(raw)
	w.add(calcUnits(len(pvs)), "", "")
	perSample := int64(workPerSample)
	how := fmt.Sprintf("%d samples × %d work units each", samples, perSample)
	if len(pvs) >= 2 {
		perSample += int64(workPerSamplePV * len(pvs))
		how = fmt.Sprintf("%d samples × (%d + %d PV systems × %d, the hour-by-hour allocation) work units", samples, workPerSample, len(pvs), workPerSamplePV)
	}
	if !samplesGiven {
		how += " (10,000 by default)"
	}
	w.add(int64(samples)*perSample, "/samples", how)
	pvRuns(&w, "/request", pvs, "an hourly PV simulation")
	return w
}

// interruptedErr is the error of a calculation stopped by ctx before it
// started.
func interruptedErr(ctx context.Context) error {
	return fmt.Errorf("%w: %w", errInterruptedBeforeStart, ctx.Err())
}

var errInterruptedBeforeStart = errors.New("calculation interrupted before it started")

// statusClientClosedRequest is nginx's status for a request whose client
// went away before the answer (never seen by that client; for logs and
// metrics).
const statusClientClosedRequest = 499

// interruptedProblem is the problem of a calculation stopped early: the
// client went away (499) or the deadline passed (503).
func interruptedProblem(clientGone bool) *Problem {
	if clientGone {
		return &Problem{Type: "about:blank", Title: "Client Closed Request", Status: statusClientClosedRequest,
			Detail: "the client went away; the calculation was stopped"}
	}
	return problem(http.StatusServiceUnavailable, "the calculation was stopped: it did not finish within the server's write timeout (ALCARBON_WRITE_TIMEOUT)")
}

// stopped returns the error a scenario loop ends with once ctx is done
// (wrapping calc.ErrInterrupted), or nil.
func stopped(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%w: %w", calc.ErrInterrupted, err)
	}
	return nil
}

// scenarioPV returns the pointers of the PV systems a request (or merge
// patch) raw of kind models: "" for kind pv (the request is one), else
// its "pv" objects.
func scenarioPV(kind string, raw []byte) []string {
	if kind == kindPV {
		return []string{""}
	}
	return pvPointers(raw)
}

// compareWork prices a compare: every scenario's calculation; the base's
// PV systems simulated once (the variants reuse them); each PV system a
// patch names simulated anew.
func compareWork(req *compareRequest, n int) work {
	w := work{heavy: true}
	bodyWork(&w, n)
	base := scenarioPV(req.Kind, req.Base)
	units := calcUnits(len(base))
	runs := len(base)
	patches := make([][]string, len(req.Variants))
	for i, v := range req.Variants {
		patches[i] = scenarioPV(req.Kind, v.Patch)
		units += calcUnits(len(base) + len(patches[i]))
		runs += len(patches[i])
	}
	// The memo keeps the first calc.PVMemoMaxEntries yields of a request:
	// a base with more PV systems than that cannot keep them all, and those
	// past the memo's size are simulated again for every variant.
	if over := len(base) - calc.PVMemoMaxEntries; over > 0 {
		again := len(req.Variants) * over
		runs += again
		w.add(int64(again)*workPerPVRun, "/base", fmt.Sprintf("%d PV systems, more than the %d yields a request keeps: %d of them are simulated again for each of the %d variants, %d work units", len(base), calc.PVMemoMaxEntries, over, len(req.Variants), int64(again)*workPerPVRun))
	}
	// The scenario count first: it names the field that drives the most.
	w.add(units, "/variants", fmt.Sprintf("%d scenarios (the base and each variant) calculated, %d hourly PV simulations in all: %d work units besides the simulations", 1+len(req.Variants), runs, units))
	for i, pvs := range patches {
		pvRuns(&w, fmt.Sprintf("/variants/%d/patch", i), pvs, "a PV system of this variant, simulated anew")
	}
	pvRuns(&w, "/base", base, "a PV system of the base, simulated once")
	// Each scenario is its merged request, encoded and decoded again.
	scenarioBytes := int64(1+len(req.Variants)) * int64(len(req.Base))
	for _, v := range req.Variants {
		scenarioBytes += int64(len(v.Patch))
	}
	w.add(scenarioBytes/bodyBytesPerWork, "/base", fmt.Sprintf("%d bytes, decoded once per scenario: %d work units", len(req.Base), int64(len(req.Base))*int64(1+len(req.Variants))/bodyBytesPerWork))
	return w
}

// sweepWork prices a sweep of points values of the parameter at tokens:
// the base and every point calculated, the base's PV systems simulated
// once (the points reuse them), and one more simulation per point when
// the parameter is inside a PV system (or the kind is pv).
func sweepWork(req *sweepRequest, tokens []string, points, n int) work {
	w := work{heavy: true}
	bodyWork(&w, n)
	pointsPtr := "/values"
	if req.Range != nil {
		pointsPtr = "/range/steps"
	}
	pvs := scenarioPV(req.Kind, req.Base)
	per := calcUnits(len(pvs))
	w.add(int64(points+1)*per, pointsPtr, fmt.Sprintf("%d points and the base × %d work units (a calculation with %d hourly-modelled PV systems)", points, per, len(pvs)))
	if req.Kind == kindPV || slices.Contains(tokens, "pv") {
		w.add(int64(points)*workPerPVRun, "/parameter", fmt.Sprintf("the parameter is inside a PV system: each of the %d points simulates it anew (%d work units each)", points, workPerPVRun))
	}
	pvRuns(&w, "/base", pvs, "a PV system of the base, simulated once")
	// As in compareWork: base PV systems past the memo's size are
	// simulated again at every point.
	if over := len(pvs) - calc.PVMemoMaxEntries; over > 0 {
		again := int64(points) * int64(over) * workPerPVRun
		w.add(again, "/base", fmt.Sprintf("%d PV systems, more than the %d yields a request keeps: %d of them are simulated again at each of the %d points, %d work units", len(pvs), calc.PVMemoMaxEntries, over, points, again))
	}
	// Each point is its request, encoded and decoded again.
	decode := int64(points+1) * int64(len(req.Base)) / bodyBytesPerWork
	w.add(decode, "/base", fmt.Sprintf("%d bytes, decoded once per point: %d work units", len(req.Base), decode))
	return w
}

// samplingWork is w (uncertaintyWork's price) with the sampling's cost
// per uncertain input, once the compiled footprint has told how many
// inputs there are.
func samplingWork(w work, samples, inputs int) work {
	w.add(int64(samples)*int64(inputs)/inputsPerWork, "/samples", fmt.Sprintf("%d samples × %d uncertain inputs ÷ %d (each input drawn and ranked in every sample)", samples, inputs, inputsPerWork))
	return w
}
