package api

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// computedGoldenCases are requests of every calculation kind whose answers
// are kept byte for byte in testdata/computed: a computed answer is
// cached and hashed, and a declaration stores it, so a change to how the
// answer is built or encoded must not change one byte of it. They cover
// both datasets, PV given as MWh and modelled hour by hour, molten metal
// supplied directly, and text that encoding/json escapes (the factor
// sources and notes hold "&", "<" and ">").
func computedGoldenCases(t *testing.T) []struct{ name, path, body string } {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "bench", "bodies", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	primary, product := read("primary.json"), read("product.json")
	on2026_1 := func(body string) string { return strings.Replace(body, "{", `{"dataset": "2026.1", `, 1) }
	return []struct{ name, path, body string }{
		{"primary_reference", "/v1/footprints/primary", primary},
		{"primary_reference_2026.1", "/v1/footprints/primary", on2026_1(primary)},
		{"primary_defaults", "/v1/footprints/primary", `{}`},
		{"primary_pv_modelled", "/v1/footprints/primary", primaryWithPV(2, 300000)},
		{"primary_pv_modelled_2026.1", "/v1/footprints/primary", on2026_1(primaryWithPV(1, 300000))},
		{"product_reference", "/v1/footprints/product", product},
		{"product_reference_2026.1", "/v1/footprints/product", on2026_1(product)},
		{"product_inline_primary_pv", "/v1/footprints/product", `{"product": "household_foil", "alloy": "8011", "region": "CN-SX", "year": 2023,
			"metal": {"primary": ` + primaryWithPV(1, 300000) + `, "post_consumer_scrap_share": 0.2},
			"direct_supply": {"molten_share": 1, "haul_km": 5}}`},
		{"electricity_reference", "/v1/electricity", read("electricity.json")},
		{"electricity_2026.1", "/v1/electricity", on2026_1(read("electricity.json"))},
		{"pv_reference", "/v1/pv", read("pv.json")},
		{"pv_2026.1", "/v1/pv", on2026_1(read("pv.json"))},
	}
}

// TestComputedAnswersUnchanged compares each computed answer with its
// golden bytes (written by -update from the code before issue 17's
// changes; review any diff: a different byte is a different hash and
// breaks stored declarations' verification).
func TestComputedAnswersUnchanged(t *testing.T) {
	e := computedServer(t)
	escaped := false
	for _, tc := range computedGoldenCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			rec := postJSON(t, e, tc.path, tc.body)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %.500s", rec.Code, rec.Body)
			}
			got := rec.Body.Bytes()
			golden := filepath.Join("testdata", "computed", tc.name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./api -run TestComputedAnswersUnchanged -update)", err)
			}
			if !bytes.Equal(got, want) {
				i := 0
				for i < len(got) && i < len(want) && got[i] == want[i] {
					i++
				}
				t.Fatalf("answer differs from %s at byte %d:\n got: …%.200s\nwant: …%.200s", golden, i, got[max(0, i-60):], want[max(0, i-60):])
			}
			escaped = escaped || bytes.Contains(got, []byte(`\u0026`)) || bytes.Contains(got, []byte(`\u003c`))
		})
	}
	if !escaped {
		t.Error("no answer holds an HTML-escaped character: the cases no longer test encoding/json's escaping")
	}
}
