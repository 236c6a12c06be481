package api

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sort"
)

// reproducesStored reports whether a recomputed result holds every value
// of a stored one. Responses gain fields over time (a new block, a new
// field in a stage): the recomputed result is compared with the stored one
// after leaving out the object members the stored result does not have,
// which are returned as added, by JSON pointer with "*" for array
// indices. Every stored member must be recomputed to the same JSON value
// (numbers by their text), so nothing a declaration published is ever
// explained away.
func reproducesStored(stored, recomputed []byte) (ok bool, added []string, err error) {
	st, err := decodeNumbers(stored)
	if err != nil {
		return false, nil, err
	}
	rc, err := decodeNumbers(recomputed)
	if err != nil {
		return false, nil, err
	}
	seen := map[string]bool{}
	projected := projectOnto(rc, st, "", seen)
	for p := range seen {
		added = append(added, p)
	}
	sort.Strings(added)
	return reflect.DeepEqual(projected, st), added, nil
}

func decodeNumbers(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

// projectOnto returns v without the object members that the same place of
// shape lacks, recording each left-out member's pointer (at) in added.
func projectOnto(v, shape any, at string, added map[string]bool) any {
	switch x := v.(type) {
	case map[string]any:
		s, ok := shape.(map[string]any)
		if !ok {
			return v
		}
		out := make(map[string]any, len(s))
		for k, e := range x {
			p := at + "/" + escapePointer(k)
			if _, has := s[k]; !has {
				added[p] = true
				continue
			}
			out[k] = projectOnto(e, s[k], p, added)
		}
		return out
	case []any:
		s, ok := shape.([]any)
		if !ok || len(s) != len(x) {
			return v
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = projectOnto(e, s[i], at+"/*", added)
		}
		return out
	}
	return v
}
