package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sync"
	"testing"

	"alcarbon/calc"
	"alcarbon/factors"
)

// hostileName is a source name the answer echoes: text encoding/json
// escapes (HTML characters, U+2028 and U+2029, quotes, a backslash, a
// control character) and the placeholder's id and whole encoding.
var hostileName = `<b>&amp;</b> "q" \ ` + "\u2028\u2029\x01 " + placeholderFactors[0].ID + string(placeholderJSON)

// encodeCases are answers of every calculation kind, computed as the
// endpoints compute them: the golden requests (both datasets, PV as MWh
// and modelled, molten supply) and requests whose source names hold
// hostileName.
func encodeCases(t *testing.T) []struct {
	name string
	v    any
} {
	t.Helper()
	cat, err := factors.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{catalog: cat, engines: enginesOf(cat)}
	kindOf := map[string]string{
		"/v1/footprints/primary": kindPrimary, "/v1/footprints/product": kindProduct,
		"/v1/electricity": kindElectricity, "/v1/pv": kindPV,
	}
	named, err := json.Marshal(hostileName)
	if err != nil {
		t.Fatal(err)
	}
	type request struct{ name, kind, body string }
	var requests []request
	for _, tc := range computedGoldenCases(t) {
		requests = append(requests, request{tc.name, kindOf[tc.path], tc.body})
	}
	for _, dataset := range []string{"2026.1", "2026.2"} {
		portfolio := `{"sources": [{"kind": "grid", "name": ` + string(named) + `, "share": 0.5},
			{"kind": "direct_line", "technology": "solar", "name": "\u2028", "share": 0.5}]}`
		requests = append(requests,
			request{"primary_named_" + dataset, kindPrimary, `{"dataset": "` + dataset + `", "electricity": ` + portfolio + `}`},
			request{"product_named_" + dataset, kindProduct, `{"dataset": "` + dataset + `", "product": "building_profile", "electricity": ` + portfolio + `}`},
			request{"electricity_named_" + dataset, kindElectricity, `{"dataset": "` + dataset + `", "region": "CN-SX", "year": 2023, "sources": [{"kind": "grid", "name": ` + string(named) + `, "share": 1}]}`},
			request{"pv_hourly_" + dataset, kindPV, `{"dataset": "` + dataset + `", "site": "taiyuan", "system": {"capacity_kwp": 1000}, "include_hourly": true}`},
		)
	}
	var out []struct {
		name string
		v    any
	}
	for _, rq := range requests {
		req, err := decodeRequest(calcKinds[rq.kind], []byte(rq.body))
		if err != nil {
			t.Fatalf("%s: %v", rq.name, err)
		}
		ds, err := req.prepare(cat)
		if err != nil {
			t.Fatalf("%s: %v", rq.name, err)
		}
		r, err := req.compute(context.Background(), s, ds, nil)
		if err != nil {
			t.Fatalf("%s: %v", rq.name, err)
		}
		out = append(out, struct {
			name string
			v    any
		}{rq.name, r.response()})
		if rq.kind == kindPrimary || rq.kind == kindProduct {
			root := calcKinds[rq.kind].reqType
			_, prov, err := req.(footprintRequest).compile(context.Background(), s, ds)
			if err != nil {
				t.Fatalf("%s: %v", rq.name, err)
			}
			out = append(out, struct {
				name string
				v    any
			}{rq.name + "_uncertainty", newUncertaintyResponse(ds.Version(), rq.kind, root, calc.UncertaintyResult{}, prov)})
		}
	}
	return out
}

// editProvenance returns a copy of the answer v with its provenance
// changed by f (f must not write to the slices it is given).
func editProvenance(t *testing.T, v any, f func(p *provenanceResponse)) any {
	t.Helper()
	switch r := v.(type) {
	case primaryResponse:
		f(&r.Provenance)
		return r
	case productResponse:
		f(&r.Provenance)
		return r
	case electricityResultResponse:
		f(&r.Provenance)
		return r
	case pvResponse:
		f(&r.Provenance)
		return r
	case uncertaintyResponse:
		f(&r.Provenance)
		return r
	}
	t.Fatalf("%T has no provenance", v)
	return nil
}

// editFactors returns a copy of the answer v whose factors are a copy
// changed by f.
func editFactors(t *testing.T, v any, f func(fs []provenanceFactor) []provenanceFactor) any {
	return editProvenance(t, v, func(p *provenanceResponse) {
		p.Factors = f(append([]provenanceFactor(nil), p.Factors...))
	})
}

// TestEncodeAnswerMatchesMarshal: encodeAnswer writes json.Marshal's bytes
// for every kind of answer, and for answers whose factors hold what an
// encoder can get wrong: -0 beside 0 (equal floats, different bytes),
// escaped text, the placeholder's own id, empty and nil lists, values
// that cannot be encoded.
func TestEncodeAnswerMatchesMarshal(t *testing.T) {
	cases := encodeCases(t)
	kinds := map[string]bool{}
	negZero := math.Copysign(0, -1)
	zeroed := 0 // factors whose 0 was turned to -0
	check := func(t *testing.T, v any) {
		t.Helper()
		want, wantErr := json.Marshal(v)
		got, err := encodeAnswer(v)
		if (err != nil) != (wantErr != nil) || (err != nil && err.Error() != wantErr.Error()) {
			t.Fatalf("error %v, json.Marshal's %v", err, wantErr)
		}
		if !bytes.Equal(got, want) {
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			t.Fatalf("differs from json.Marshal at byte %d:\n got: …%.200s\nwant: …%.200s", i, got[max(0, i-60):], want[max(0, i-60):])
		}
	}
	for _, tc := range cases {
		kinds[reflect.TypeOf(tc.v).Name()] = true
		t.Run(tc.name, func(t *testing.T) {
			if len(factorsOf(t, tc.v)) == 0 {
				t.Fatal("an answer without provenance factors tests no splice")
			}
			check(t, tc.v)
			// Twice: the second time every entry comes from the cache.
			check(t, tc.v)
			check(t, editFactors(t, tc.v, func(fs []provenanceFactor) []provenanceFactor {
				for i := range fs {
					if fs[i].Value == 0 {
						fs[i].Value = negZero // after 0 was cached above
						zeroed++
					}
				}
				return fs
			}))
			check(t, editFactors(t, tc.v, func(fs []provenanceFactor) []provenanceFactor {
				fs[0].Value, fs[len(fs)-1].Value = negZero, 1e-7
				fs[0].Note = hostileName
				fs[len(fs)-1].ID = placeholderFactors[0].ID
				return append(fs, placeholderFactors[0], provenanceFactor{ID: "x", Value: 1e21, Source: "\xff invalid UTF-8"})
			}))
			check(t, editFactors(t, tc.v, func(fs []provenanceFactor) []provenanceFactor { return fs[:0] }))
			check(t, editFactors(t, tc.v, func(fs []provenanceFactor) []provenanceFactor { return nil }))
			check(t, editFactors(t, tc.v, func(fs []provenanceFactor) []provenanceFactor { return fs[:1] }))
			check(t, editFactors(t, tc.v, func(fs []provenanceFactor) []provenanceFactor {
				fs[len(fs)/2].Value = math.NaN()
				return fs
			}))
			check(t, editProvenance(t, tc.v, func(p *provenanceResponse) {
				p.Assumptions = append([]string{hostileName}, p.Assumptions...)
			}))
		})
	}
	if zeroed == 0 {
		t.Error("no answer has a factor of value 0: -0 is not tested beside it")
	}
	for _, k := range []string{"primaryResponse", "productResponse", "electricityResultResponse", "pvResponse", "uncertaintyResponse"} {
		if !kinds[k] {
			t.Errorf("no case answers a %s", k)
		}
	}
	for _, name := range []string{"primary_named_2026.2", "electricity_named_2026.1"} {
		for _, tc := range cases {
			if tc.name == name {
				if b, _ := json.Marshal(tc.v); !bytes.Contains(b, []byte(`\u003cb\u003e\u0026amp;\u003c/b\u003e \"q\" \\ \u2028\u2029\u0001`)) {
					t.Errorf("%s: the answer does not echo the hostile source name", name)
				}
			}
		}
	}
	t.Run("other_types", func(t *testing.T) {
		check(t, map[string]any{"factors": placeholderFactors})
		check(t, nil)
		check(t, &cases[0].v)
	})
}

// factorsOf returns the provenance factors of the answer v.
func factorsOf(t *testing.T, v any) []provenanceFactor {
	var fs []provenanceFactor
	editProvenance(t, v, func(p *provenanceResponse) { fs = p.Factors })
	return fs
}

// TestEncodeSplicedFallsBack: when the placeholder occurs more than once
// (here in a provenance block before the one spliced), the answer is
// encoded by json.Marshal rather than spliced at the wrong place.
func TestEncodeSplicedFallsBack(t *testing.T) {
	type twoBlocks struct {
		A provenanceResponse `json:"a"`
		B provenanceResponse `json:"b"`
	}
	v := twoBlocks{
		A: provenanceResponse{Factors: placeholderFactors},
		B: provenanceResponse{Factors: []provenanceFactor{{ID: "b", Value: 1}}},
	}
	shadow := v
	got, err := encodeSpliced(v, &shadow, &shadow.B.Factors)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(v)
	if !bytes.Equal(got, want) {
		t.Fatalf("got %s\nwant %s", got, want)
	}
	if bytes.Count(want, placeholderJSON) != 1 {
		t.Fatal("the case does not hold the placeholder where it can be mistaken for the list")
	}
}

// TestFactorEncodingsBounded: the cache keeps at most its bound of
// entries, and entries past the bound are still encoded correctly;
// concurrent use is race-free (go test -race).
func TestFactorEncodingsBounded(t *testing.T) {
	const bound = 16
	c := newFactorEncodings(bound)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				list := make([]provenanceFactor, 3)
				for j := range list {
					list[j] = provenanceFactor{ID: fmt.Sprintf("f/%d/%d", g, i), Value: float64(j), Unit: "<u>"}
				}
				entries, n, ok := c.encode(nil, list)
				if !ok {
					t.Error("not encoded")
					return
				}
				want, _ := json.Marshal(list)
				got := "[" + string(bytes.Join(entries, []byte(","))) + "]"
				if got != string(want) || n != len(want) {
					t.Errorf("got %s (%d bytes counted)\nwant %s", got, n, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	if got := c.len(); got != bound {
		t.Errorf("%d entries kept; want the bound, %d", got, bound)
	}
	if got := factorCache.len(); got > maxCachedFactors {
		t.Errorf("factorCache holds %d entries, over its bound of %d", got, maxCachedFactors)
	}
}

// TestEncodeAnswerConcurrent encodes answers from several goroutines at
// once, for go test -race: the cache and the buffer pool are shared.
func TestEncodeAnswerConcurrent(t *testing.T) {
	cases := encodeCases(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, tc := range cases {
				want, _ := json.Marshal(tc.v)
				if got, err := encodeAnswer(tc.v); err != nil || !bytes.Equal(got, want) {
					t.Errorf("%s: differs from json.Marshal (%v)", tc.name, err)
				}
			}
		}()
	}
	wg.Wait()
}
