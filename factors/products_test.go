package factors

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestProductsLoad(t *testing.T) {
	d := mustLoad(t)
	want := map[string]struct {
		cn, alloy string
		first     string
		yield     float64
	}{
		// CN codes: Regulation (EU) 2023/956 Annex I (OJ L 130, 16.5.2023);
		// yields: US DOE 2007 69 %, ARMENAL foil "> 70 %", rod an L assumption.
		"building_profile":     {"7604", "6063", "billet_casting_building", 0.69},
		"industrial_profile":   {"7604", "6061", "billet_casting", 0.69},
		"automotive_part":      {"7616", "6082", "billet_casting", 0.69},
		"rail_transit_profile": {"7604", "6005A", "billet_casting", 0.69},
		"household_foil":       {"7607", "8011", "cast_rolling", 0.70},
		"conductor_rod":        {"7605", "1350", "rod_casting_rolling", 0.95},
	}
	ps := d.Products()
	if len(ps) != len(want) {
		t.Fatalf("%d products, want %d", len(ps), len(want))
	}
	for _, p := range ps {
		w, ok := want[p.ID]
		if !ok {
			t.Errorf("unexpected product %q", p.ID)
			continue
		}
		if p.CNCode != w.cn || p.Alloys[0] != w.alloy || p.Route[0] != w.first {
			t.Errorf("%s: cn %s alloy %s first step %s; want %s %s %s", p.ID, p.CNCode, p.Alloys[0], p.Route[0], w.cn, w.alloy, w.first)
		}
		f, ok := d.Factor(p.YieldFactor)
		if !ok || f.Value != w.yield {
			t.Errorf("%s: yield %v (%v), want %v", p.ID, f.Value, ok, w.yield)
		}
		for _, id := range p.Route {
			s, ok := d.ProductStep(id)
			if !ok {
				t.Errorf("%s: step %s missing", p.ID, id)
				continue
			}
			if _, ok := d.Factor(s.Grades + "/grade3"); !ok {
				t.Errorf("%s: %s has no grade-3 limit", p.ID, id)
			}
		}
	}
	// Building-profile extrusion grades: GB 21351-2023 100 / 125 / 150 kgce/t.
	s, _ := d.ProductStep("extrusion_building")
	for g, v := range []float64{100, 125, 150} {
		if f, _ := d.Factor(s.Grades + "/grade" + string(rune('1'+g))); f.Value != v {
			t.Errorf("extrusion_building grade %d = %v, want %v", g+1, f.Value, v)
		}
	}
	// 6063 nominal: midpoints of Si 0.20–0.6 and Mg 0.45–0.9 (Aluminum
	// Association limits, identical in EN 573-3).
	a, ok := d.Alloy("6063")
	if !ok || a.Elements["Si"] != 0.40 || a.Elements["Mg"] != 0.675 || len(a.Elements) != 2 {
		t.Errorf("Alloy(6063) = %+v, %v", a, ok)
	}
	if a, _ := d.Alloy("1350"); len(a.Elements) != 0 {
		t.Errorf("1350 has alloying elements %v, want none", a.Elements)
	}
	// Copies: changing a result does not change the dataset.
	a.Elements["Si"] = 99
	p, _ := d.Product("household_foil")
	p.Route[0] = "x"
	if b, _ := d.Alloy("6063"); b.Elements["Si"] != 0.40 {
		t.Error("Alloy returned a shared map")
	}
	if q, _ := d.Product("household_foil"); q.Route[0] != "cast_rolling" {
		t.Error("Product returned a shared slice")
	}
	if !slices.IsSortedFunc(d.Alloys(), func(a, b Alloy) int { return strings.Compare(a.ID, b.ID) }) {
		t.Error("Alloys not sorted")
	}
}

func TestProductsOptional(t *testing.T) {
	c, err := LoadFS(os.DirFS("testdata/versions"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.Default().Products()); n != 0 {
		t.Errorf("a version without products.csv has %d products", n)
	}
}

func TestLoadFSProductErrors(t *testing.T) {
	const (
		grades = "g/a/grade1,1,kgce/t,energy_grade,,,,test,M,\ng/a/grade2,2,kgce/t,energy_grade,,,,test,M,\ng/a/grade3,3,kgce/t,energy_grade,,,,test,M,\n" +
			"product_step/cast/electricity_fraction,0.3,fraction,x,,,,test,L,\nproduct_step/remelting/electricity_fraction,0,fraction,x,,,,test,L,\n" +
			"product/p/yield,0.7,fraction,x,,,,test,L,\n"
		steps    = "id,stage,basis,name_en,name_zh,grades,remelt_grades,note\ncast,casting,cast,Cast,铸,g/a,g/a,\n"
		alloys   = "id,elements,source_id,confidence,note\n6063,Si:0.4;Mg:0.675,test,M,\n"
		products = "id,name_en,name_zh,cn_code,cn_description,alloys,route,note\n"
	)
	tests := []struct {
		name, file, data, wantFile, wantMsg string
	}{
		{"unknown alloy", "products.csv", products + "p,P,品,7604,x,9999,cast,\n", "products.csv", `alloy "9999"`},
		{"unknown step", "products.csv", products + "p,P,品,7604,x,6063,nosuch,\n", "products.csv", `step "nosuch"`},
		{"bad cn code", "products.csv", products + "p,P,品,76,x,6063,cast,\n", "products.csv", "4-digit"},
		{"bad stage", "product_steps.csv", strings.Replace(steps, "casting,cast", "melting,cast", 1), "product_steps.csv", "stage"},
		{"missing grades", "product_steps.csv", strings.Replace(steps, "g/a,g/a", "g/b,g/a", 1), "product_steps.csv", `"g/b/grade1"`},
		{"element syntax", "alloys.csv", strings.Replace(alloys, "Si:0.4", "Si=0.4", 1), "alloys.csv", "Symbol:percent"},
		{"unknown alloy source", "alloys.csv", strings.Replace(alloys, ",test,", ",nosuch,", 1), "alloys.csv", "unknown source_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := validFS(t)
			f := m["2026.9/factors.csv"]
			m["2026.9/factors.csv"] = &fstest.MapFile{Data: append(append([]byte(nil), f.Data...), grades...)}
			m["2026.9/product_steps.csv"] = &fstest.MapFile{Data: []byte(steps)}
			m["2026.9/alloys.csv"] = &fstest.MapFile{Data: []byte(alloys)}
			m["2026.9/products.csv"] = &fstest.MapFile{Data: []byte(products + "p,P,品,7604,x,6063,cast,\n")}
			if _, err := LoadFS(m); err != nil {
				t.Fatalf("valid fixture: %v", err)
			}
			m["2026.9/"+tc.file] = &fstest.MapFile{Data: []byte(tc.data)}
			_, err := LoadFS(m)
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error = %v, want *FileError", err)
			}
			if fe.File != "2026.9/"+tc.wantFile || !strings.Contains(fe.Msg, tc.wantMsg) {
				t.Errorf("error = %q, want %s containing %q", err, tc.wantFile, tc.wantMsg)
			}
		})
	}
	t.Run("files come together", func(t *testing.T) {
		m := validFS(t)
		m["2026.9/alloys.csv"] = &fstest.MapFile{Data: []byte(alloys)}
		if _, err := LoadFS(m); err == nil || !strings.Contains(err.Error(), "come together") {
			t.Errorf("error = %v, want 'come together'", err)
		}
	})
}
