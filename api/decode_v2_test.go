package api

import (
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"testing"
)

// decodeTargets are the request types decodeStrict decodes bodies into.
var decodeTargets = func() map[string]func() any {
	m := map[string]func() any{
		"compare":     func() any { return new(compareRequest) },
		"sweep":       func() any { return new(sweepRequest) },
		"uncertainty": func() any { return new(uncertaintyRequest) },
		"plant":       func() any { return new(plantRequest) },
		"declaration": func() any { return new(declarationRequest) },
	}
	for name, k := range calcKinds {
		m[name] = func() any { return k.newRequest() }
	}
	return m
}()

// checkDecodeAgrees: for every request type, decodeStrict (JSON v2 first,
// encoding/json where v2 refuses) gives what encoding/json alone gives
// after the same prechecks: the same value, or the same problem.
func checkDecodeAgrees(t *testing.T, body []byte) {
	t.Helper()
	for name, newReq := range decodeTargets {
		got, want := newReq(), newReq()
		errGot := decodeStrict(body, got)
		errWant := precheck(body)
		if errWant == nil {
			errWant = decodeStrictV1(body, want)
		}
		if (errGot == nil) != (errWant == nil) {
			t.Fatalf("%s %q: decodeStrict error %v, encoding/json alone %v", name, body, errGot, errWant)
		}
		if errGot != nil {
			if pg, pw := toProblem(errGot), toProblem(errWant); !reflect.DeepEqual(pg, pw) {
				t.Fatalf("%s %q: problem %+v, encoding/json alone %+v", name, body, pg, pw)
			}
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s %q: decoded %+v, encoding/json alone %+v", name, body, got, want)
		}
	}
}

// decodeAgreementSeeds are bodies where JSON v2 and encoding/json differ
// by default (case folding, duplicate names, escapes of lone surrogates,
// trailing data, numbers an integer cannot take) and the reference bodies.
var decodeAgreementSeeds = []string{
	referenceSmelter, issueProduct, scenarioSmelter, `{}`, `[]`, `null`,
	`{"REGION": "CN-SX"}`, `{"region": "CN-SX", "Region": "CN-NM"}`, `{"ſite": "taiyuan"}`,
	`{"year": 2019, "year": 2023}`, `{"region": "CN-SX", "region": "CN-NM"}`,
	`{"region": "\ud800"}`, `{"region": "CN-SX"} {}`, `{"region": "CN-SX"} x`,
	`{"year": 2023.0}`, `{"year": 1e3}`, `{"year": -0}`, `{"year": 99999999999999999999}`,
	`{"production_t": 1e400}`, `{"production_t": -0.0}`, `{"production_t": "1"}`,
	`{"electricity": {"sources": [null, {"kind": "grid", "share": 1}]}}`, `{"electricity": null}`,
	`{"kind": "primary", "base": { "year" : 2019 }, "variants": [{"patch": {"electricity": null}}]}`,
	`{"kind": "primary", "base": {}, "parameter": "/year", "values": [2019, 2020.0, "x"]}`,
	`{"request": {"year": 2019}, "samples": 100, "distributions": [{"pointer": "/year", "distribution": "uniform", "min": 1, "max": 2}]}`,
	`{"product": "household_foil", "unknown": 1}`, `{"site": "taiyuan", "system": {"capacity_kwp": 1000, "tilt_deg": null}}`,
}

// TestDecodeV2AgreesWithV1: decodeStrict's fast path changes no outcome.
func TestDecodeV2AgreesWithV1(t *testing.T) {
	for _, s := range decodeAgreementSeeds {
		checkDecodeAgrees(t, []byte(s))
	}
}

// TestDecodeV2AgreesOnMutations sends bodies made from the seeds by
// random insertions of JSON tokens, deletions and byte changes (a fixed
// seed, so a failure repeats) through checkDecodeAgrees: many are valid
// JSON of unexpected shapes, checked on every run of the test command,
// where the fuzzer gets only a few seconds. 300,000 such bodies found no
// disagreement when the fast path was written; the test command runs
// 20,000 (2,000 under the race detector).
func TestDecodeV2AgreesOnMutations(t *testing.T) {
	n := 20000
	if raceEnabled {
		n = 2000
	}
	r := rand.New(rand.NewPCG(17, 1))
	tokens := []string{`"`, `{`, `}`, `[`, `]`, `,`, `:`, `null`, `true`, `1`, `0.5`, `1e3`, `2023.0`, `-0`, `"x"`,
		`"REGION"`, `"region"`, `"Year"`, `"year"`, `"kind"`, `"primary"`, `"base"`, `"sources"`, `"share"`, `"ſ"`, `\u00e9`, `\ud800`, ` `}
	for range n {
		b := []byte(decodeAgreementSeeds[r.IntN(len(decodeAgreementSeeds))])
		for m := r.IntN(4); m >= 0 && len(b) > 0; m-- {
			at := r.IntN(len(b))
			switch r.IntN(3) {
			case 0:
				b = slices.Insert(b, at, []byte(tokens[r.IntN(len(tokens))])...)
			case 1:
				b = slices.Delete(b, at, min(len(b), at+1+r.IntN(8)))
			default:
				b[at] = byte(r.IntN(128))
			}
		}
		checkDecodeAgrees(t, b)
	}
}

// FuzzDecodeV2AgreesWithV1 looks for a body on which decodeStrict's fast
// path (JSON v2) and encoding/json alone disagree.
func FuzzDecodeV2AgreesWithV1(f *testing.F) {
	for _, s := range decodeAgreementSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkDecodeAgrees(t, body) })
}

// BenchmarkDecodeStrict decodes the reference primary request
// (bench/bodies/primary.json) as decodeStrict does (JSON v2 first) and
// with encoding/json alone (decodeStrictV1 after the same prechecks).
func BenchmarkDecodeStrict(b *testing.B) {
	body, err := os.ReadFile("../bench/bodies/primary.json")
	if err != nil {
		b.Fatal(err)
	}
	k := calcKinds[kindPrimary]
	for _, tc := range []struct {
		name   string
		decode func([]byte, any) error
	}{
		{"decodeStrict", decodeStrict},
		{"encoding_json", func(body []byte, dst any) error {
			if err := precheck(body); err != nil {
				return err
			}
			return decodeStrictV1(body, dst)
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := tc.decode(body, k.newRequest()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
