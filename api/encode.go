package api

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"sync"
)

// encodeAnswer encodes a calculation's answer to exactly the bytes
// json.Marshal(v) gives, faster for the responses that carry a provenance
// block: its factors (most of an answer's bytes and about a third of its
// encoding time, constant per dataset) are encoded once per distinct entry,
// kept in factorCache, and spliced into the encoding of the rest.
//
// The rest is encoded by encoding/json with the factor list replaced by
// placeholderFactors; the placeholder's bytes are then replaced by the
// list. A value of any other type, a list that is empty or nil (encoded
// as [] or null by encoding/json itself), or a placeholder not found
// exactly once is encoded by json.Marshal. The errors are json.Marshal's.
func encodeAnswer(v any) (encodedAnswer, error) {
	switch r := v.(type) {
	case primaryResponse:
		return encodeSpliced(v, &r, &r.Provenance.Factors)
	case productResponse:
		return encodeSpliced(v, &r, &r.Provenance.Factors)
	case electricityResultResponse:
		return encodeSpliced(v, &r, &r.Provenance.Factors)
	case pvResponse:
		return encodeSpliced(v, &r, &r.Provenance.Factors)
	case uncertaintyResponse:
		return encodeSpliced(v, &r, &r.Provenance.Factors)
	}
	return json.Marshal(v)
}

// encodeSpliced encodes v, of which shadow is a copy whose provenance
// factor list is *factors: the copy is encoded with the list replaced by
// the placeholder, and the list's entries spliced in its place.
func encodeSpliced[T any](v any, shadow *T, factors *[]provenanceFactor) (encodedAnswer, error) {
	list := *factors
	if len(list) == 0 {
		return json.Marshal(v)
	}
	sc := encodeScratches.Get().(*encodeScratch)
	defer sc.put()
	entries, n, ok := factorCache.encode(sc.entries[:0], list)
	sc.entries = entries
	if !ok {
		return json.Marshal(v)
	}
	*factors = placeholderFactors
	buf := &sc.buf
	buf.Reset()
	// An Encoder writes into buf from its own pooled state, where
	// json.Marshal would copy the bytes out into a new slice first; its
	// output is Marshal's (HTML escaping on) and a newline.
	if err := json.NewEncoder(buf).Encode(shadow); err != nil {
		return json.Marshal(v)
	}
	rest := bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})
	at := bytes.Index(rest, placeholderJSON)
	if at < 0 || bytes.Index(rest[at+len(placeholderJSON):], placeholderJSON) >= 0 {
		return json.Marshal(v)
	}
	out := make([]byte, 0, len(rest)-len(placeholderJSON)+n)
	out = append(out, rest[:at]...)
	out = append(out, '[')
	for i, e := range entries {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, e...)
	}
	out = append(out, ']')
	out = append(out, rest[at+len(placeholderJSON):]...)
	return out, nil
}

// placeholderFactors stands for the factor list while the rest of an
// answer is encoded. Its encoding, placeholderJSON, is a whole JSON array
// and begins with `[{"`: no JSON string can hold it (encoding/json writes
// every `"` in a string as `\"`), and no real factor has its id, so it can
// occur in an answer only where the list stood; encodeSpliced checks that
// it occurs exactly once all the same.
var (
	placeholderFactors = []provenanceFactor{{ID: "\x00alcarbon: provenance factors spliced here\x00"}}
	placeholderJSON    = mustMarshal(placeholderFactors)
)

func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// encodeScratch is what encodeSpliced reuses from one answer to the
// next: the buffer the rest of an answer is encoded into before the
// factors are spliced in (≈ 8 kB for the reference primary) and the list
// of the factors' encodings.
type encodeScratch struct {
	buf     bytes.Buffer
	entries [][]byte
}

var encodeScratches = sync.Pool{New: func() any { return new(encodeScratch) }}

// maxPooledEncodeBuffer is the largest buffer put back in encodeScratches
// [bytes]: a PV answer with its 8,760 hourly values is ≈ 150 kB, and a
// pool of such buffers would hold memory for the rare request that needs
// it.
const maxPooledEncodeBuffer = 64 << 10

func (sc *encodeScratch) put() {
	clear(sc.entries) // no answer's ad hoc encodings kept alive
	if sc.buf.Cap() <= maxPooledEncodeBuffer {
		encodeScratches.Put(sc)
	}
}

// maxCachedFactors bounds factorCache [entries]. A dataset has a few
// hundred factors (both embedded datasets together ≈ 1,000), and the
// engine derives a few more per region and year; 4096 holds them all.
const maxCachedFactors = 4096

// factorCache holds the encoding of every provenance factor entry seen,
// up to maxCachedFactors entries.
var factorCache = newFactorEncodings(maxCachedFactors)

// factorEncodings is a bounded, concurrency-safe cache of encoded
// provenance factor entries, keyed by the entry's value.
type factorEncodings struct {
	max int
	mu  sync.RWMutex
	m   map[factorKey][]byte
}

// factorKey is a provenanceFactor as a map key. The value is kept as its
// bits: -0 and 0 are equal as floats but encode differently (-0 and 0).
type factorKey struct {
	id, unit, source, confidence, note string
	valueBits                          uint64
}

func keyOf(f *provenanceFactor) factorKey {
	return factorKey{f.ID, f.Unit, f.Source, f.Confidence, f.Note, math.Float64bits(f.Value)}
}

func newFactorEncodings(max int) *factorEncodings {
	return &factorEncodings{max: max, m: make(map[factorKey][]byte)}
}

// encode appends each factor's encoding, as json.Marshal writes it, to
// entries and returns them with their total length with the brackets and
// commas of the list [bytes].
// ok is false when an entry cannot be encoded (a NaN or infinite value):
// the caller then leaves the error to json.Marshal.
//
// When the cache is full, new entries are encoded for this answer and not
// kept. Nothing is evicted: the entries worth keeping are the dataset's
// factors, seen first and on every request, while values that differ
// from one request to the next (engine estimates over a request's own
// inputs) would only churn the cache; the bound stops such values from
// growing it without limit.
func (c *factorEncodings) encode(entries [][]byte, list []provenanceFactor) (_ [][]byte, n int, ok bool) {
	entries = slices.Grow(entries[:0], len(list))[:len(list)]
	missing := false
	c.mu.RLock()
	for i := range list {
		e, hit := c.m[keyOf(&list[i])]
		entries[i] = e
		missing = missing || !hit
	}
	c.mu.RUnlock()
	if missing {
		for i := range list {
			if entries[i] != nil {
				continue
			}
			b, err := json.Marshal(&list[i])
			if err != nil {
				return nil, 0, false
			}
			entries[i] = b
		}
		c.mu.Lock()
		for i := range list {
			if len(c.m) >= c.max {
				break
			}
			c.m[keyOf(&list[i])] = entries[i]
		}
		c.mu.Unlock()
	}
	n = 1 + len(list) // brackets and commas
	for _, e := range entries {
		n += len(e)
	}
	return entries, n, true
}

// len returns the number of entries kept.
func (c *factorEncodings) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
