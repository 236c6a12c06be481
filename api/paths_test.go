package api

import (
	"fmt"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

// seenPaths are the Go paths the engine produced while the package's tests
// ran (errors, defaulted inputs, Monte Carlo inputs), by request type.
var seenPaths = struct {
	sync.Mutex
	m map[pathKey]bool
}{m: map[pathKey]bool{}}

// seenPlaceholders are the placeholders ({Go.Path} or {Go.Path|form}) the
// package's tests rendered in the engine's messages, by request type.
var seenPlaceholders = struct {
	sync.Mutex
	m map[pathKey]bool
}{m: map[pathKey]bool{}}

// TestMain runs the tests, then checks every path the engine produced in
// their requests (checkPath) and every placeholder rendered in the engine's
// messages (checkPlaceholder): a field renamed in calc or in a DTO, without
// its calc tag, fails here.
func TestMain(m *testing.M) {
	pathSeen = func(root reflect.Type, p string) {
		seenPaths.Lock()
		seenPaths.m[pathKey{root, p}] = true
		seenPaths.Unlock()
	}
	placeholderSeen = func(root reflect.Type, spec string) {
		seenPlaceholders.Lock()
		seenPlaceholders.m[pathKey{root, spec}] = true
		seenPlaceholders.Unlock()
	}
	code := m.Run()
	pathSeen, placeholderSeen = nil, nil
	var problems []string
	for k := range seenPaths.m {
		if err := checkPath(k.root, k.path); err != nil {
			problems = append(problems, err.Error())
		}
	}
	for k := range seenPlaceholders.m {
		if err := checkPlaceholder(k.root, k.path); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if testing.Verbose() {
		fmt.Fprintf(os.Stderr, "checked %d engine paths, %d message placeholders\n", len(seenPaths.m), len(seenPlaceholders.m))
	}
	sort.Strings(problems)
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, "FAIL: engine path:", p)
	}
	if code == 0 && len(problems) > 0 {
		code = 1
	}
	os.Exit(code)
}

// pseudoFields are the engine's Go path segments that name no DTO field,
// by design (calc/errors.go): each becomes its snake_case name.
var pseudoFields = []string{"GridEF", "Elements"}

// checkPath checks that the pointer of an engine path in a request of type
// root goes through DTO fields (pseudo-fields aside) and maps back to the
// same path, and that a path with a pseudo-field round-trips as a pointer.
func checkPath(root reflect.Type, p string) error {
	ptr, pseudo := resolvePath(root, p)
	for _, s := range pseudo {
		if !slices.Contains(pseudoFields, s) {
			return fmt.Errorf("%s %q → %q: %s names no field of the request (rename, or add a calc tag)", root.Name(), p, ptr, s)
		}
	}
	back := goPathOf(root, ptr)
	if len(pseudo) == 0 && back != p {
		return fmt.Errorf("%s %q → %q → %q: does not round-trip", root.Name(), p, ptr, back)
	}
	if again, _ := resolvePath(root, back); again != ptr {
		return fmt.Errorf("%s %q → %q → %q → %q: pointer does not round-trip", root.Name(), p, ptr, back, again)
	}
	return nil
}

// checkPlaceholder checks that a message placeholder ("Path" or
// "Path|form") in a request of type root names DTO fields all the way (a
// pseudo-field has no JSON name to show) and has a known form.
func checkPlaceholder(root reflect.Type, spec string) error {
	p, form, _ := strings.Cut(spec, "|")
	if form != "" && form != "dotted" {
		return fmt.Errorf("%s {%s}: unknown form %q (want none or dotted)", root.Name(), spec, form)
	}
	ptr, pseudo := resolvePath(root, p)
	if len(pseudo) > 0 {
		return fmt.Errorf("%s {%s} → %q: %s names no field of the request (rename, or add a calc tag)", root.Name(), spec, ptr, strings.Join(pseudo, ", "))
	}
	return checkPath(root, p)
}

func TestGoPathPointers(t *testing.T) {
	primary, product := reflect.TypeFor[primaryRequest](), reflect.TypeFor[productRequest]()
	electricity, pv := reflect.TypeFor[electricityRequest](), reflect.TypeFor[pvRequest]()
	for _, tc := range []struct {
		root reflect.Type
		path string
		ptr  string
	}{
		{primary, "", ""},
		{primary, "Region", "/region"},
		{primary, "Basis", "/electricity_basis"},
		{primary, "Electricity.Sources[1].Share", "/electricity/sources/1/share"},
		{primary, "Electrolysis.PFC.AnodeEffectMinutesPerCellDay", "/electrolysis/pfc/anode_effect_minutes_per_cell_day"},
		{primary, "Electrolysis.PFC.SlopeCF4", "/electrolysis/pfc/slope_coefficient"},
		{primary, "Electricity.GridEF", "/electricity/grid_ef"},
		{primary, "Electricity.Sources[0].PV.System.TiltDeg", "/electricity/sources/0/pv/system/tilt_deg"},
		{primary, "Electricity.Sources[0].PV.LatDeg", "/electricity/sources/0/pv/location/latitude"},
		{product, "Metal.Primary.Electrolysis.ACkWhPerT", "/metal/primary/electrolysis/ac_kwh_per_t"},
		{product, "Alloy.Elements[Mg]", "/alloy/elements/Mg"},
		{product, "Steps[extrusion_building]", "/steps/extrusion_building"},
		{product, "Transport[2].Mode", "/transport/2/mode"},
		{electricity, "Sources[3].EFtCO2PerMWh", "/sources/3/ef_tco2_per_mwh"},
		{electricity, "GridEF", "/grid_ef"},
		{electricity, "ResidualEF", "/residual_ef_tco2_per_mwh"},
		{pv, "HasLocation", "/location"},
		{pv, "UTCOffsetH", "/location/utc_offset_h"},
		{pv, "Resource.GHI", "/solar_resource/hourly/ghi_w_m2"},
		{pv, "Resource.EPW", "/solar_resource/epw"},
		{pv, "Resource.MonthlyGHIKWhM2[3]", "/solar_resource/monthly_ghi_kwh_m2/3"},
		{pv, "Load.Profile24x12MW[3]", "/load/profile_24x12_mw/3"},
		{reflect.TypeFor[plantRequest](), "AluminaRoute", "/alumina/route"},
		{reflect.TypeFor[uncertaintyRequest](), "Inputs[0].Path", "/distributions/0/pointer"},
	} {
		if got := pointerOf(tc.root, tc.path); got != tc.ptr {
			t.Errorf("pointerOf(%s, %q) = %q, want %q", tc.root.Name(), tc.path, got, tc.ptr)
		}
		if err := checkPath(tc.root, tc.path); err != nil {
			t.Error(err)
		}
	}
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{"GridEF": "grid_ef", "Elements": "elements", "GridEf": "grid_ef", "EPW": "epw", "MonthlyGHI": "monthly_ghi"} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}
