package cbamfile

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestWorkbookLayout: the sheets come in the template's order with
// Summary_Communication active; every sheet names itself and cites the
// template edition; a value given is written, one not given reads
// NotProvided.
func TestWorkbookLayout(t *testing.T) {
	see := 1.25
	var b bytes.Buffer
	err := Write(&b, Communication{
		Source:      Source{Publisher: "alcarbon", DeclarationID: "d-1"},
		PeriodStart: "2024-01-01",
		Good:        Good{CNCode: "7601", SEEDirect: &see},
	})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []string{SheetVersions, SheetInstData, SheetEmInst, SheetProcesses, SheetPurchPrec, SheetProducts, SheetCommunication}
	if got := f.GetSheetList(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("sheets %v, want %v", got, want)
	}
	if f.GetSheetName(f.GetActiveSheetIndex()) != SheetCommunication {
		t.Errorf("active sheet %s, want %s", f.GetSheetName(f.GetActiveSheetIndex()), SheetCommunication)
	}
	for _, s := range want {
		a1, _ := f.GetCellValue(s, "A1")
		a2, _ := f.GetCellValue(s, "A2")
		if !strings.Contains(a1, `"`+s+`"`) || !strings.Contains(a2, TemplateVersion) {
			t.Errorf("%s: A1 %q, A2 %q", s, a1, a2)
		}
	}
	rows, err := f.GetRows(SheetProcesses, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{}
	for _, r := range rows {
		if len(r) > 2 {
			values[r[1]] = r[2]
		}
	}
	for label, want := range map[string]string{
		"CN code:": "7601", "Specific embedded direct emissions (SEE (direct)):": "1.25",
		"Specific embedded indirect emissions (SEE (indirect)):": NotProvided, "Name:": NotProvided,
	} {
		if values[label] != want {
			t.Errorf("%s %q = %q, want %q", SheetProcesses, label, values[label], want)
		}
	}
}
