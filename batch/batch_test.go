package batch

import (
	"bytes"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

type leg struct {
	Mode string  `json:"mode" enums:"road,rail"`
	Km   float64 `json:"km" minimum:"0" maximum:"20000" unit:"km" example:"800"`
}

type inner struct {
	On *bool `json:"on,omitempty"`
}

type base struct {
	Year int `json:"year,omitempty" minimum:"2000" maximum:"2100"`
}

type req struct {
	base
	Output *float64 `json:"output_t,omitempty" minimum:"0" exclusiveMinimum:"true" unit:"t/yr"`
	Inner  inner    `json:"inner"`
	Legs   []leg    `json:"legs,omitempty"`
	Shape  []float64
}

var zh = map[string]string{"year": "年份", "output_t": "产量", "inner": "内", "on": "开", "legs": "运输", "mode": "方式", "km": "距离"}

func schema() Schema {
	return Schema{
		Slots: map[string]int{"legs": 2}, Skip: map[string]string{"Shape": "hourly"}, ZH: zh,
		Describe: func(owner reflect.Type, json string) string { return owner.Name() + "." + json + "; default 7." },
		UnitZH:   map[string]string{"t/yr": "t/年"},
	}
}

func TestColumns(t *testing.T) {
	cols, err := Columns(reflect.TypeFor[req](), schema())
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, c := range cols {
		paths = append(paths, c.Path+"|"+c.Pointer+"|"+c.Type+"|"+c.HeaderZH)
	}
	want := []string{
		"year|/year|integer|年份", "output_t|/output_t|number|产量", "inner.on|/inner/on|boolean|内·开",
		"legs[0].mode|/legs/0/mode|string|运输[0]·方式", "legs[0].km|/legs/0/km|number|运输[0]·距离",
		"legs[1].mode|/legs/1/mode|string|运输[1]·方式", "legs[1].km|/legs/1/km|number|运输[1]·距离",
	}
	if !reflect.DeepEqual(paths, want) {
		t.Fatalf("columns\n%q\nwant\n%q", paths, want)
	}
	// The embedded field is described by the embedding type, as swag does.
	if cols[0].Description != "req.year; default 7." || cols[0].Default != "7" || cols[0].Range() != "2000 – 2100" {
		t.Errorf("year: %+v", cols[0])
	}
	if cols[1].Range() != "> 0" || cols[1].UnitZH != "t/年" || cols[4].Range() != "0 – 20000" || cols[3].Range() != "road, rail" {
		t.Errorf("ranges: %q %q %q %q", cols[1].Range(), cols[1].UnitZH, cols[4].Range(), cols[3].Range())
	}

	// An array neither slotted nor skipped, and a segment with no Chinese
	// name, are errors: a new field cannot slip past the template.
	s := schema()
	s.Skip = nil
	if _, err := Columns(reflect.TypeFor[req](), s); err == nil || !strings.Contains(err.Error(), "Shape") {
		t.Errorf("unslotted array: %v", err)
	}
	s = schema()
	s.ZH = map[string]string{"year": "年份"}
	if _, err := Columns(reflect.TypeFor[req](), s); err == nil || !strings.Contains(err.Error(), "output_t") {
		t.Errorf("missing Chinese name: %v", err)
	}
}

func TestDefaultOf(t *testing.T) {
	for _, c := range []struct {
		desc string
		enum []string
		want string
	}{
		{"ConsumptionTPerT is alumina per t Al, 1.8–2.2; default 1.92.", nil, "1.92"},
		{"NAC [t C/t Al], 0.3–0.6; default 0.411 (Chinese guideline).", nil, "0.411 (Chinese guideline)"},
		{"selects: lifecycle (default; product footprints) or co2_operational", []string{"lifecycle", "co2_operational"}, "lifecycle"},
		{"Method: default (Chinese guideline factors), tier1", []string{"default", "tier1"}, ""},
		{"Default: the grid average on dataset 2026.1; from 2026.2 …", nil, "the grid average on dataset 2026.1"},
		{"Km, 0–20,000.", nil, ""},
	} {
		if got := defaultOf(c.desc, c.enum); got != c.want {
			t.Errorf("defaultOf(%q) = %q, want %q", c.desc, got, c.want)
		}
	}
}

func TestUnflatten(t *testing.T) {
	cols, err := Columns(reflect.TypeFor[req](), schema())
	if err != nil {
		t.Fatal(err)
	}
	tab, err := NewTable(cols)
	if err != nil {
		t.Fatal(err)
	}
	idx := func(h string) int {
		i, ok := tab.Lookup(h)
		if !ok {
			t.Fatalf("no column %q", h)
		}
		return i
	}
	for _, c := range []struct {
		cells []Cell
		want  string
	}{
		{[]Cell{{idx("year"), " 2023 "}, {idx("产量"), "1e5"}, {idx("inner.on"), "TRUE"}}, `{"inner":{"on":true},"output_t":1e5,"year":2023}`},
		// A slot after an empty one: the empty slot is an object validation names.
		{[]Cell{{idx("legs[1].km"), "800"}}, `{"legs":[{},{"km":800}]}`},
		// Not a number, not a JSON number, not a boolean: kept as text for the decoder to name.
		{[]Cell{{idx("year"), "abc"}, {idx("output_t"), "+5"}, {idx("inner.on"), "maybe"}}, `{"inner":{"on":"maybe"},"output_t":"+5","year":"abc"}`},
		{[]Cell{{idx("legs[0].mode"), "rail"}, {idx("运输[0]·距离"), "0x10"}}, `{"legs":[{"km":"0x10","mode":"rail"}]}`},
	} {
		got, err := tab.Unflatten(c.cells)
		if err != nil || string(got) != c.want {
			t.Errorf("Unflatten(%v) = %s, %v; want %s", c.cells, got, err, c.want)
		}
	}
	if h := tab.Header("/legs/1/km", map[int]string{idx("legs[1].km"): "运输[1]·距离"}); h != "运输[1]·距离" {
		t.Errorf("header of a column: %q", h)
	}
	if h := tab.Header("/legs/1", nil); h != "legs[1]" {
		t.Errorf("header of an object: %q", h)
	}
}

func TestDecodeText(t *testing.T) {
	text := "地区,年份\n" + strings.Repeat("云南,2023\n", sniffBytes/12) // the sniff window cuts a rune
	gb, _ := simplifiedchinese.GB18030.NewEncoder().String(text)
	for name, c := range map[string]struct {
		in, charset string
	}{
		"utf-8":          {text, ""},
		"utf-8 with BOM": {"\ufeff" + text, ""},
		"gb18030":        {gb, ""},
		"gb18030 said":   {gb, "GB18030"},
		"utf-8 said":     {"\ufeff" + text, "utf-8"},
	} {
		r, err := decodeText(strings.NewReader(c.in), c.charset, true)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, _ := io.ReadAll(r)
		if !bytes.Equal(got, []byte(text)) {
			t.Errorf("%s: read %d bytes, want %d", name, len(got), len(text))
		}
	}
	if _, err := decodeText(strings.NewReader(gb), "latin1", true); err == nil {
		t.Error("latin1 accepted")
	}
}

// TestXLSXUnzipLimit: a workbook that unzips beyond maxUnzipped is
// refused before its sheet is read (a zip bomb costs no memory).
func TestXLSXUnzipLimit(t *testing.T) {
	cols, err := Columns(reflect.TypeFor[req](), schema())
	if err != nil {
		t.Fatal(err)
	}
	tab, _ := NewTable(cols)
	f := excelize.NewFile()
	sw, _ := f.NewStreamWriter("Sheet1")
	sw.SetRow("A1", []any{"year"})
	for i := 2; i < 20000; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i)
		sw.SetRow(cell, []any{strings.Repeat("2023 ", 10)})
	}
	sw.Flush()
	var buf bytes.Buffer
	f.WriteTo(&buf)
	f.Close()
	if buf.Len() > 1<<20 {
		t.Fatalf("the test workbook is %d bytes compressed; it should be small", buf.Len())
	}
	if _, err := Open(bytes.NewReader(buf.Bytes()), XLSX, "", tab); err != nil {
		t.Fatalf("under the default limit: %v", err)
	}
	defer func(n int64) { maxUnzipped = n }(maxUnzipped)
	maxUnzipped = 1 << 20
	_, err = Open(bytes.NewReader(buf.Bytes()), XLSX, "", tab)
	if fe, ok := err.(*FileError); !ok || !strings.Contains(fe.Msg, "unzips to more than 1 MiB") {
		t.Errorf("over the unzip limit: %v", err)
	}
}
