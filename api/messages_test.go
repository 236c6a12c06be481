package api

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// jsonNames collects the JSON names of the fields of t and of the structs
// it holds.
func jsonNames(t reflect.Type, into map[string]bool, seen map[reflect.Type]bool) {
	t = deref(t)
	for t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map) {
		t = deref(t.Elem())
	}
	if t == nil || t.Kind() != reflect.Struct || seen[t] {
		return
	}
	seen[t] = true
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		if !f.Anonymous {
			if n := jsonName(f); n != "" {
				into[n] = true
			}
		}
		jsonNames(f.Type, into, seen)
	}
}

// calcLiterals returns the string literals of calc's non-test sources
// (struct tags aside), with their positions.
func calcLiterals(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("../calc/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("calc sources: %v", err)
	}
	fset := token.NewFileSet()
	out := map[string]string{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		tags := map[*ast.BasicLit]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			if fl, ok := n.(*ast.Field); ok && fl.Tag != nil {
				tags[fl.Tag] = true
			}
			return true
		})
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING || tags[lit] {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatalf("%s: %v", fset.Position(lit.Pos()), err)
			}
			out[fset.Position(lit.Pos()).String()] = s
			return true
		})
	}
	return out
}

var (
	placeholderRE = regexp.MustCompile(`\{([^{}]*)\}`)
	wordRE        = regexp.MustCompile(`[A-Za-z0-9_]+`)
)

// literalAllowed are snake_case words of calc's literals that are JSON
// names of request fields but name something else there, each with the
// reason (an enum value or stage name spelled like a field). None today:
// the engine's enum values (onsite_pv, grid_average, open_rack …), stage
// names and factor ids are no field's JSON name.
var literalAllowed = map[string]string{}

// TestCalcMessagesNameNoAPIField fails when a string literal of calc's
// sources spells the JSON name of a request field: the engine names fields
// by Go path in a placeholder ({Metal.PrimaryFootprintTCO2ePerT},
// calc/errors.go), which renderMessage turns into the name the API uses.
// Literals with a "/" are dataset factor ids and are skipped.
func TestCalcMessagesNameNoAPIField(t *testing.T) {
	names, seen := map[string]bool{}, map[reflect.Type]bool{}
	for _, rt := range requestTypes { // bounds_test.go: every request body type
		jsonNames(rt, names, seen)
	}
	var problems []string
	for pos, s := range calcLiterals(t) {
		if strings.Contains(s, "/") {
			continue
		}
		for _, w := range wordRE.FindAllString(placeholderRE.ReplaceAllString(s, ""), -1) {
			if strings.Contains(w, "_") && names[w] && literalAllowed[w] == "" {
				problems = append(problems, pos+": "+strconv.Quote(w)+" in "+strconv.Quote(s))
			}
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Errorf("calc literal names an API field (use a {Go.Path} placeholder): %s", p)
	}
}

// TestCalcPlaceholdersResolve checks each placeholder written whole in a
// calc literal ({Electrolysis.PFC.CF4KgPerT}) against the request types:
// it must name DTO fields all the way (no pseudo-field) in at least one.
// Placeholders built from a runtime prefix (fieldRef(joinPath(ptr, …)))
// are checked as the tests render them (placeholderSeen, TestMain).
func TestCalcPlaceholdersResolve(t *testing.T) {
	n := 0
	for pos, s := range calcLiterals(t) {
		for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
			if !isPlaceholder(m[1]) {
				continue
			}
			n++
			ok := false
			for _, rt := range requestTypes {
				if checkPlaceholder(rt, m[1]) == nil {
					ok = true
					break
				}
			}
			if !ok {
				t.Errorf("%s: placeholder {%s} names no field of any request type", pos, m[1])
			}
		}
	}
	if n < 15 {
		t.Errorf("found %d placeholders in calc's literals; the scan is broken", n)
	}
}

// TestRenderMessage renders each field the engine's messages name, as
// they name it, and checks the text the API showed before placeholders.
func TestRenderMessage(t *testing.T) {
	primary, product := reflect.TypeFor[primaryRequest](), reflect.TypeFor[productRequest]()
	electricity, pv := reflect.TypeFor[electricityRequest](), reflect.TypeFor[pvRequest]()
	for _, tc := range []struct {
		root      reflect.Type
		msg, want string
	}{
		{primary, `method "measured" needs {Electrolysis.PFC.CF4KgPerT} and {Electrolysis.PFC.C2F6KgPerT}`, `method "measured" needs cf4_kg_per_t and c2f6_kg_per_t`},
		{primary, `method "overvoltage" needs {Electrolysis.PFC.AnodeEffectOvervoltageMV} and {Electrolysis.PFC.CurrentEfficiency}`, `method "overvoltage" needs anode_effect_overvoltage_mv and current_efficiency`},
		{primary, "give {Casting.NaturalGasNm3PerT} for a gas-fired one", "give natural_gas_nm3_per_t for a gas-fired one"},
		{primary, "give {Anode.ProductionTCO2ePerT} to include them", "give production_tco2e_per_t to include them"},
		{primary, "give {ProductionT} or use share", "give production_t or use share"},
		{primary, "{Electricity.ResidualMix} \"x\"", "residual_mix \"x\""},
		{primary, "give {Electricity.Sources[2].PV.System.OperatingYear}", "give operating_year"},
		{electricity, "needs {ProductionT} (or {DemandMWh})", "needs production_t (or demand_mwh)"},
		{electricity, "{ResidualMix} selects", "residual_mix selects"},
		{product, "primary metal: give {Metal.Primary.Casting.NaturalGasNm3PerT} for", "primary metal: give natural_gas_nm3_per_t for"},
		{product, "give {Metal.PrimaryFootprintTCO2ePerT}, a primary request", "give primary_footprint_tco2e_per_t, a primary request"},
		{product, "set {DirectSupply.MoltenShare} to 1 and {Yield} to 1", "set molten_share to 1 and yield to 1"},
		{product, "{Metal.PostConsumerScrapShare} and {Metal.PreConsumerScrapShare} must", "post_consumer_scrap_share and pre_consumer_scrap_share must"},
		{product, "give {DirectSupply.IngotTransportKm|dotted}", "give direct_supply.ingot_transport_km"},
		{product, "own figures in {Steps}", "own figures in steps"},
		{product, "give {Metal.PreConsumerScrapTCO2ePerT} to use", "give pre_consumer_scrap_tco2e_per_t to use"},
		{pv, "hourly, {Resource.EPW}, {Resource.MonthlyGHIKWhM2}, {Resource.AnnualGHIKWhM2} or {Resource.Site}", "hourly, epw, monthly_ghi_kwh_m2, annual_ghi_kwh_m2 or site"},
		{pv, "give a {HasLocation} ({LatDeg}, {LonDeg}), a {Site}, or an {Resource.EPW} resource", "give a location (latitude, longitude), a site, or an epw resource"},
		{primary, "give a {Electricity.Sources[0].PV.HasLocation} ({Electricity.Sources[0].PV.LatDeg}, {Electricity.Sources[0].PV.LonDeg})", "give a location (latitude, longitude)"},
		{electricity, "or use {Sources[1].Share}", "or use share"},
		{electricity, "give its system ({Sources[1].PV}) instead", "give its system (pv) instead"},
		{primary, "give its system ({Electricity.Sources[1].PV}) instead", "give its system (pv) instead"},
		{primary, "use {Electrolysis.PFC.Method} slope or measured", "use method slope or measured"},
		{product, "give the plant's {Yield}", "give the plant's yield"},
		{pv, "give {Load.FlatMW}, {Load.Profile24x12MW} or {Load.Profile8760MW}", "give flat_mw, profile_24x12_mw or profile_8760_mw"},
		{pv, "use a smaller {System.OperatingYear}", "use a smaller operating_year"},
		{pv, "(note); give a {HasLocation}", "(note); give a location"},
		// Braces that hold no Go path are text.
		{primary, "a {set} of {} and {Ab c} {", "a {set} of {} and {Ab c} {"},
		{primary, "no placeholder", "no placeholder"},
	} {
		if got := renderMessage(tc.root, tc.msg); got != tc.want {
			t.Errorf("renderMessage(%s, %q) = %q, want %q", tc.root.Name(), tc.msg, got, tc.want)
		}
	}
}

// TestRenderMessagesShares checks that messages without placeholders cost
// nothing: no allocation, and the engine's slice is returned as it is.
func TestRenderMessagesShares(t *testing.T) {
	root := reflect.TypeFor[primaryRequest]()
	msgs := []string{"AC power not given: the IAI China average", "alumina route taken as Bayer"}
	if a := testing.AllocsPerRun(100, func() { _ = renderMessages(root, msgs) }); a != 0 {
		t.Errorf("renderMessages without placeholders allocates %v times", a)
	}
	if got := renderMessages(root, msgs); &got[0] != &msgs[0] {
		t.Error("renderMessages copied a slice without placeholders")
	}
	with := []string{"a", "give {ProductionT}"}
	got := renderMessages(root, with)
	if got[1] != "give production_t" || with[1] != "give {ProductionT}" {
		t.Errorf("renderMessages(%q) = %q and changed its input to %q", []string{"a", "give {ProductionT}"}, got, with)
	}
}

func BenchmarkRenderMessage(b *testing.B) {
	root := reflect.TypeFor[productRequest]()
	plain := "ingot transport distance not given: none is counted (no typical smelter-to-processor distance was found)"
	field := "ingot transport distance not given: none is counted (no typical smelter-to-processor distance was found); give {DirectSupply.IngotTransportKm|dotted}"
	b.Run("plain", func(b *testing.B) {
		for range b.N {
			_ = renderMessage(root, plain)
		}
	})
	b.Run("placeholder", func(b *testing.B) {
		for range b.N {
			_ = renderMessage(root, field)
		}
	})
}
