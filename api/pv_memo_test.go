package api

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// pvMemoCases are POST /v1/pv bodies whose responses are pinned byte for
// byte in testdata/pv/: the benchmark's reference body, site presets (one
// with a diurnal temperature profile and the hourly series, one whose
// resource is another site than the one placing the system), monthly and
// annual data at a location, and an uploaded hourly year. The golden files
// were written by the code before the engine kept typical years
// (TestPVResponsesUnchangedByYearMemo).
func pvMemoCases(t *testing.T) map[string]string {
	t.Helper()
	ref, err := os.ReadFile("../bench/bodies/pv.json")
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"reference":                     string(ref),
		"taiyuan_2026.2_hourly":         `{"dataset": "2026.2", "site": "taiyuan", "system": {"capacity_kwp": 1000}, "include_hourly": true}`,
		"datong_resource_at_taiyuan":    `{"site": "taiyuan", "system": {"capacity_kwp": 2000, "tilt_deg": 30}, "solar_resource": {"site": "datong"}}`,
		"kunming_perez_pvsyst_2026.2":   `{"dataset": "2026.2", "site": "kunming", "system": {"capacity_kwp": 5000, "tilt_deg": 25, "transposition": "perez", "temperature_model": "pvsyst", "mounting": "close_mount"}, "load": {"flat_mw": 3}}`,
		"monthly_with_ranges":           `{"location": {"latitude": 38.5, "longitude": 111.25, "altitude_m": 900}, "system": {"capacity_kwp": 1000, "tilt_deg": 30}, "solar_resource": {"monthly_ghi_kwh_m2": [70, 85, 120, 150, 175, 165, 155, 145, 120, 100, 70, 60], "monthly_temp_c": [-6, -2, 5, 12, 18, 22, 23, 21, 16, 10, 2, -4], "monthly_temp_range_c": [12, 12, 13, 14, 14, 13, 11, 10, 12, 13, 12, 11]}}`,
		"annual_at_location":            `{"location": {"latitude": 25, "longitude": 102.65, "altitude_m": 1890, "utc_offset_h": 7.5}, "system": {"capacity_kwp": 800}, "solar_resource": {"annual_ghi_kwh_m2": 1500}}`,
		"uploaded_hourly":               pvtBody(t, obj{"location": pvtLocation(), "system": pvtSystem(), "solar_resource": pvtHourly(false)}),
		"uploaded_hourly_with_the_beam": pvtBody(t, obj{"location": pvtLocation(), "system": pvtSystem(), "solar_resource": pvtHourly(true), "include_hourly": true}),
	}
}

// TestPVResponsesUnchangedByYearMemo: every case's response is the golden
// file's bytes when its typical year is built (cold) and again when the
// engine's memo answers (warm: the response cache purged, so the request
// is computed again on the same engine). Run with -update only to pin a
// deliberate change of the responses, and review the diff.
func TestPVResponsesUnchangedByYearMemo(t *testing.T) {
	e, c, _ := testServer(t)
	for name, body := range pvMemoCases(t) {
		t.Run(name, func(t *testing.T) {
			cold := postJSON(t, e, "/v1/pv", body)
			if cold.Code != 200 || cold.Header().Get("X-Cache") != "miss" {
				t.Fatalf("cold: status %d, X-Cache %q: %s", cold.Code, cold.Header().Get("X-Cache"), cold.Body)
			}
			golden := filepath.Join("testdata", "pv", name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, cold.Body.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./api -run TestPVResponsesUnchangedByYearMemo -update)", err)
			}
			if !bytes.Equal(cold.Body.Bytes(), want) {
				t.Fatalf("cold response differs from %s (%d bytes, want %d)", golden, cold.Body.Len(), len(want))
			}
			c.Purge()
			warm := postJSON(t, e, "/v1/pv", body)
			if warm.Code != 200 || warm.Header().Get("X-Cache") != "miss" {
				t.Fatalf("warm: status %d, X-Cache %q: %s", warm.Code, warm.Header().Get("X-Cache"), warm.Body)
			}
			if !bytes.Equal(warm.Body.Bytes(), want) {
				t.Fatalf("warm response differs from %s (%d bytes, want %d)", golden, warm.Body.Len(), len(want))
			}
		})
	}
}
