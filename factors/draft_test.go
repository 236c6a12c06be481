package factors

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// embeddedVersionFS copies the embedded version from into a MapFS under
// to/, with dataset.json replaced by meta (the copy keeps from's files
// otherwise).
func embeddedVersionFS(t *testing.T, m fstest.MapFS, from, to, meta string) {
	t.Helper()
	err := fs.WalkDir(dataFS, "data/"+from, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := fs.ReadFile(dataFS, p)
		m[to+strings.TrimPrefix(p, "data/"+from)] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	m[to+"/dataset.json"] = &fstest.MapFile{Data: []byte(meta)}
}

func TestLoadFSDraftIsNotDefault(t *testing.T) {
	m := fstest.MapFS{}
	embeddedVersionFS(t, m, "2026.1", "2026.1", `{"version": "2026.1", "released": "2026-11-29", "notes": []}`)
	embeddedVersionFS(t, m, "2026.1", "2026.5", `{"version": "2026.5", "released": "2026-12-01", "status": "released", "notes": []}`)
	embeddedVersionFS(t, m, "2026.1", "2027.1", `{"version": "2027.1", "status": "draft", "notes": ["in progress"]}`)
	c, err := LoadFS(m)
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	if got := c.Default().Version(); got != "2026.5" {
		t.Errorf("Default() = %s, want 2026.5 (the newest released; 2027.1 is a draft)", got)
	}
	var vs []string
	for _, d := range c.Versions() {
		vs = append(vs, d.Version())
	}
	if !slices.Equal(vs, []string{"2027.1", "2026.5", "2026.1"}) {
		t.Errorf("Versions() = %v, want the draft listed too", vs)
	}
	draft, ok := c.Get("2027.1")
	if !ok || !draft.Draft() || draft.Status() != StatusDraft || draft.Released() != "" {
		t.Errorf("Get(2027.1) = draft %v status %q released %q, %v; want a draft with no release date", draft.Draft(), draft.Status(), draft.Released(), ok)
	}
	for _, v := range []string{"2026.1", "2026.5"} {
		if d, _ := c.Get(v); d.Draft() || d.Status() != StatusReleased {
			t.Errorf("%s: Draft() = %v, Status() = %q; want released (absent status means released)", v, d.Draft(), d.Status())
		}
	}
	if f, ok := draft.Factor("cbam/default/CN/7601"); !ok || f.Value != 3.0 {
		t.Errorf("draft Factor(cbam/default/CN/7601) = %v, %v", f.Value, ok)
	}
}

func TestLoadFSDraftsOnly(t *testing.T) {
	m := fstest.MapFS{}
	embeddedVersionFS(t, m, "2026.1", "2026.2", `{"version": "2026.2", "status": "draft", "notes": []}`)
	if _, err := LoadFS(m); err == nil || !strings.Contains(err.Error(), "no released dataset") {
		t.Errorf("LoadFS with drafts only: error = %v, want no released dataset", err)
	}
}

func TestLoadFSStatusErrors(t *testing.T) {
	for _, tc := range []struct{ meta, want string }{
		{`{"version": "2026.2", "status": "beta", "notes": []}`, `status "beta"`},
		{`{"version": "2026.2", "status": "released", "notes": []}`, `released "" is not a YYYY-MM-DD date`},
		{`{"version": "2026.2", "notes": []}`, `released "" is not a YYYY-MM-DD date`},
		{`{"version": "2026.2", "status": "draft", "released": "soon", "notes": []}`, `released "soon"`},
		{`{"version": "2026.2", "status": "draft", "rules": {"residual_mix": "grid_average"}, "notes": []}`, `rule "residual_mix"`},
		{`{"version": "2026.2", "status": "draft", "rules": {"residual_mix_with_instruments": "cheapest"}, "notes": []}`, `rule "residual_mix_with_instruments" = "cheapest"`},
	} {
		m := fstest.MapFS{}
		embeddedVersionFS(t, m, "2026.1", "2026.1", `{"version": "2026.1", "released": "2026-11-29", "notes": []}`)
		embeddedVersionFS(t, m, "2026.1", "2026.2", tc.meta)
		_, err := LoadFS(m)
		if err == nil || !strings.Contains(err.Error(), "2026.2/dataset.json") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("dataset.json %s: error = %v, want one naming the file and %q", tc.meta, err, tc.want)
		}
	}
}

// TestEmbedded20262 checks the embedded catalog: 2026.2 released and the
// default, 2026.1 still loadable, and 2026.2 differing from 2026.1 only
// where its release notes say so.
func TestEmbedded20262(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	old, ok := c.Get("2026.1")
	if !ok || old.Draft() || old.Released() != "2026-11-29" {
		t.Fatalf("2026.1: ok %v next %v released %q", ok, old.Draft(), old.Released())
	}
	next, ok := c.Get("2026.2")
	if !ok || next.Draft() || next.Released() != "2026-12-02" {
		t.Fatalf("2026.2: ok %v next %v released %q", ok, next.Draft(), next.Released())
	}
	if c.Default() != next {
		t.Errorf("Default() = %s, want 2026.2, the newest release", c.Default().Version())
	}
	if r1, r2 := old.Rule(RuleResidualMixWithInstruments), next.Rule(RuleResidualMixWithInstruments); r1 != "" || r2 != "regional_excluding_market_nonfossil_estimate" {
		t.Errorf("residual-mix rule: 2026.1 %q, 2026.2 %q", r1, r2)
	}
	want := map[string]float64{
		"cbam/default/CN/7604": 4.881, "cbam/default/CN/7605": 4.881, "cbam/default/CN/7606": 4.12,
		"cbam/default/CN/7607": 5.559, "cbam/default/CN/7610_90": 4.896, "cbam/default/CN/7616": 5.559,
	}
	// A new default: the IAI casthouse natural gas as the default casting
	// fuel (the value of casthouse/iai_world/2015/natural_gas).
	if f, ok := next.Factor("default/casting_natural_gas"); !ok || f.Value != 832 || f.Unit != "MJ/t" {
		t.Errorf("2026.2 default/casting_natural_gas = %+v, %v", f, ok)
	}
	// And the national captive share of smelter electricity (IAI 2021:
	// 343,343 of 520,217 GWh self-generated = 0.660).
	if f, ok := next.Factor("default/captive_share/CN"); !ok || f.Value != 0.66 {
		t.Errorf("2026.2 default/captive_share/CN = %+v, %v", f, ok)
	}
	if r := next.Rule(RuleSmelterSupply); r != "captive_share" {
		t.Errorf("2026.2 smelter_supply rule %q", r)
	}
	for id, v := range want {
		f, ok := next.Factor(id)
		if !ok || f.Value != v || f.Confidence != "H" {
			t.Errorf("2026.2 %s = %v (%s), %v; want %v (H)", id, f.Value, f.Confidence, ok, v)
		}
		if ok && !strings.Contains(f.Source, "2026/1740") {
			t.Errorf("2026.2 %s source %q does not cite IR 2026/1740", id, f.Source)
		}
	}
	// Rows whose value is unchanged but whose source or note was re-cited:
	// the final MEE guideline (CETS-AG-04.01-V01-2024) for the Chinese
	// defaults, IR 2026/1740 for 7601 and the mark-ups.
	recited := map[string]string{
		"anode/cn_default/nac": "CETS-AG-04.01-V01-2024", "pfc/cn_default/cf4": "CETS-AG-04.01-V01-2024",
		"pfc/cn_default/c2f6": "CETS-AG-04.01-V01-2024", "pfc/cn_slope/sef_cf4": "CETS-AG-04.01-V01-2024",
		"pfc/cn_slope/f_c2f6": "CETS-AG-04.01-V01-2024", "heat/cn_default/co2": "CETS-AG-04.01-V01-2024",
		"cbam/default/CN/7601": "2026/1740", "cbam/markup/2026": "2026/1740", "cbam/markup/2027": "2026/1740",
		"cbam/markup/2028": "2026/1740",
	}
	// Rows dropped: the Commission publishes a default per CN code, so the
	// generic "intermediate products" value of a leaked next is gone.
	removed := map[string]bool{"cbam/default/CN/intermediate": true}
	for _, f := range old.Factors() {
		g, ok := next.Factor(f.ID)
		switch {
		case removed[f.ID]:
			if ok {
				t.Errorf("2026.2 still has %s", f.ID)
			}
		case want[f.ID] != 0:
		case recited[f.ID] != "":
			if !ok || g.Value != f.Value || g.Unit != f.Unit || !strings.Contains(g.Source, recited[f.ID]) {
				t.Errorf("2026.2 %s = %+v, %v; want 2026.1's value %v cited to %s", f.ID, g, ok, f.Value, recited[f.ID])
			}
		case !ok || g != f:
			t.Errorf("2026.2 %s = %+v, %v; want 2026.1's %+v", f.ID, g, ok, f)
		}
	}
	// New rows (beyond 7604, 7606, 7616, the casting gas and the captive
	// share checked above), each with its value as read in its source.
	added := map[string]float64{
		"cbam/electricity_ef/CN": 0.605, "default/smelter_auxiliary_electricity": 13700 - 13350,
		"power/coal_upstream/co2e_per_gj": 0.0185, "cn_ets/inclusion_threshold": 26000,
		"cn_ets/allocation_balance/2024": 0, "default/captive_share/CN-YN": 0,
	}
	for id, v := range added {
		if f, ok := next.Factor(id); !ok || f.Value != v || f.Source == "" {
			t.Errorf("2026.2 %s = %+v, %v; want %v", id, f, ok, v)
		}
	}
	if n, m := len(next.Factors()), len(old.Factors())+5+len(added)-len(removed); n != m {
		t.Errorf("2026.2 has %d factors, want %d (2026.1's plus 7604, 7606, 7616, the casting gas, the captive share and %d new rows, less %d removed)", n, m, len(added), len(removed))
	}
}

// TestReleasedUnchanged pins each released dataset's files byte for byte:
// a declaration computed with a release must verify forever, so a change
// belongs in a new version (a draft folder), never in a released one.
func TestReleasedUnchanged(t *testing.T) {
	want := map[string]map[string]string{
		"2026.1": {
			"alloys.csv":        "793074e19ff98a11b5ea9bcf60eea1f07ef089bdce82cc620131aa8fd39ff2f1",
			"dataset.json":      "9a11e9eca4f9ceb6cc8f7c3083ddce1e3cf31dd033edc321aee3e485639917c8",
			"factors.csv":       "4bcd69f33c27419389efe192a9bd9cea1e50d5aa1c0c1250e0e5479db9612936",
			"gaps.csv":          "faf70c48b98fd9fe8fb5cc6c76be8c540134d055869eba8707cac93fbb805076",
			"product_steps.csv": "e6589b4dc3535247ac4c2e422f4b11bd97b36fb48d924e3df9db3dbfdf4c7082",
			"products.csv":      "90d90c42dcbabddafc172afe9c4f4c2e8b83409b8aa372e1be120ce95eea1bc3",
			"regions.csv":       "52bef1046ede8c31ae0086f74d7363dbce26c60a2c74fabe976b49c7f383a07d",
			"solar_sites.csv":   "e70a798fdeadaa8c372431ec7519d6ac593631ba73375636c2e6cbaffaf2e3bc",
			"sources.csv":       "806ddc0538aecb9199b5d846564aa59a26ae3c4cb955b70fea4a4cc5f8d0e035",
		},
		"2026.2": {
			"alloys.csv":        "793074e19ff98a11b5ea9bcf60eea1f07ef089bdce82cc620131aa8fd39ff2f1",
			"dataset.json":      "cb4c1b24920acb619c7fbd578c373c045eabde429ad8bd7965a36c4a7705bf17",
			"factors.csv":       "4ad29611ae380f1a09462ac3b8caaec2022b24ecdbe126e97f86f88911433fd4",
			"gaps.csv":          "0ba515f1806002c43a037cea1fc746035f0170083551efd62299d2aa91ba5739",
			"product_steps.csv": "e6589b4dc3535247ac4c2e422f4b11bd97b36fb48d924e3df9db3dbfdf4c7082",
			"products.csv":      "90d90c42dcbabddafc172afe9c4f4c2e8b83409b8aa372e1be120ce95eea1bc3",
			"regions.csv":       "52bef1046ede8c31ae0086f74d7363dbce26c60a2c74fabe976b49c7f383a07d",
			"solar_sites.csv":   "f5948aa5f7c013c3295a1e642c195e2b2a18ffed3bbb8c994b0ca12beb8306d3",
			"sources.csv":       "77573179952ebabc8f61ec70a5d77737ca63f4539f7c18ea8b339d662508d2fb",
		},
	}
	for version, files := range want {
		entries, err := fs.ReadDir(dataFS, "data/"+version)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != len(files) {
			t.Errorf("%s has %d files, want %d", version, len(entries), len(files))
		}
		for _, e := range entries {
			b, err := fs.ReadFile(dataFS, "data/"+version+"/"+e.Name())
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprintf("%x", sha256.Sum256(b)); got != files[e.Name()] {
				t.Errorf("%s/%s changed (sha256 %s): a released dataset is immutable", version, e.Name(), got)
			}
		}
	}
}
