// Package cbamfile writes the CBAM communication file of one declared
// good: an XLSX workbook that follows the sheets, section numbers, labels
// and order of the European Commission's "CBAM Communication template for
// installations" (TemplateVersion), filled with what a declaration states
// and nothing else. A field the declaration has no value for is written
// NotProvided, never guessed.
//
// The layout of every sheet is the same, so that a program can read it
// back: row 1 names the sheet, row 2 cites the template; a section row has
// its number in column A and its title in B; a field row has its label in
// B, its value in C and its unit in D; a table starts with a header row
// whose column A is "ID", its rows carry their ID (G1, P1, PP1, 1 …) in
// column A, and it ends at an empty row.
package cbamfile

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// TemplateVersion is the edition of the Commission's template the
// workbook follows: the file name of its English version of 13 December
// 2024, the latest whose sheet layout public analyses document.
const TemplateVersion = "CBAM Communication template for installations_en_20241213"

// NotProvided is written where the template asks for a value the
// declaration does not hold.
const NotProvided = "not provided"

// Sheet names, as in the template, in its order.
const (
	SheetVersions      = "0_Versions"
	SheetInstData      = "A_InstData"
	SheetEmInst        = "B_EmInst"
	SheetProcesses     = "D_Processes"
	SheetPurchPrec     = "E_PurchPrec"
	SheetProducts      = "Summary_Products"
	SheetCommunication = "Summary_Communication"
)

// Units written in the unit column.
const (
	UnitSEE      = "tCO2e/t"
	UnitMWhPerT  = "MWh/t"
	UnitEF       = "tCO2/MWh"
	UnitTPerT    = "t/t"
	UnitDegrees  = "°"
	UnitEmission = "tCO2e"
)

// Communication is what the file communicates about one declared good.
// Empty strings and nil numbers are written NotProvided.
type Communication struct {
	// Source identifies the declaration the figures come from.
	Source       Source
	PeriodStart  string // YYYY-MM-DD
	PeriodEnd    string // YYYY-MM-DD
	Installation Installation
	Verifier     Verifier
	Good         Good
	PFC          PFC
	Precursors   []Precursor
	DataQuality  DataQuality
	// Notes are the figures' notes on boundary and data quality, one per line.
	Notes []string
}

// Source is the declaration behind the file.
type Source struct {
	Publisher      string // "alcarbon"
	DeclarationID  string
	Status         string
	Version        int
	ContentHash    string
	DatasetVersion string
	EngineVersion  string
	CBAMRules      string
	Method         string
}

// Installation is the template's "About the installation" (A_InstData 2).
type Installation struct {
	Name, NameLocal, EconomicActivity string
	Street, POBox, Postcode, City     string
	Country                           string // ISO 3166-1 alpha-2
	UNLOCODE                          string
	LatitudeDeg, LongitudeDeg         *float64
	Representative                    Contact
	Operator                          string // the publishing organisation
}

// Contact is a person to contact.
type Contact struct{ Name, Email, Phone string }

// Verifier is the template's "Verifier of the report" (A_InstData 3).
type Verifier struct {
	Name, Street, City, Postcode, Country string
	Representative                        Contact
	MemberState, Body, Registration       string
}

// Good is the declared good and its specific embedded emissions [per t].
type Good struct {
	AggregatedCategory string // Unwrought aluminium or Aluminium products
	Route              string
	CNCode, CNName     string
	ProductName        string
	// SEE direct, indirect and total [t CO2e/t].
	SEEDirect, SEEIndirect, SEETotal *float64
	Obligation                       *float64 // t CO2e/t counted for the obligation
	ElectricityMWhPerT               *float64
	ElectricityEF                    *float64 // t CO2/MWh
	ElectricityEFSource              string
	DefaultValue                     *float64 // the Commission's default [t CO2e/t]
	DefaultValueNote                 string
}

// PFC is how the good's PFC emissions were determined.
type PFC struct {
	Method     string
	Verifiable *bool
	TCO2ePerT  *float64
}

// Precursor is a precursor embedded in the good, per t of the good.
type Precursor struct {
	AggregatedCategory, CNCode, Country, Route string
	TPerT                                      *float64
	SEEDirect, SEEIndirect                     *float64 // per t of precursor
	EmbeddedDirect                             *float64 // per t of good
	Note                                       string
}

// DataQuality are the publisher's notes of Summary_Communication 3.
type DataQuality struct{ General, DefaultValuesJustification, QualityAssurance string }

// Write writes c's workbook to w.
func Write(w io.Writer, c Communication) error {
	f, err := Workbook(c)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Write(w)
}

// Workbook returns c's workbook.
func Workbook(c Communication) (*excelize.File, error) {
	f := excelize.NewFile()
	b := &builder{f: f}
	for i, sheet := range []struct {
		name, title string
		fill        func(*sheetWriter, Communication)
	}{
		{SheetVersions, "Versions: the template followed and the declaration behind this file", fillVersions},
		{SheetInstData, "General information, production processes and purchased precursors", fillInstData},
		{SheetEmInst, "Emission sources and PFC emissions", fillEmInst},
		{SheetProcesses, "Production processes", fillProcesses},
		{SheetPurchPrec, "Purchased precursors", fillPurchPrec},
		{SheetProducts, "Summary of products", fillProducts},
		{SheetCommunication, "Communication with reporting declarants", fillCommunication},
	} {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sheet.name); err != nil {
				return nil, err
			}
		} else if _, err := f.NewSheet(sheet.name); err != nil {
			return nil, err
		}
		sw := &sheetWriter{b: b, sheet: sheet.name, row: 1}
		sw.cell(1, fmt.Sprintf("Sheet %q - %s", sheet.name, sheet.title), b.bold())
		sw.row++
		sw.cell(1, "Follows the structure, labels and order of the European Commission's "+TemplateVersion+
			".xlsx; written by "+c.Source.Publisher+" from declaration "+c.Source.DeclarationID+
			". Cells marked \""+NotProvided+"\" have no source in the declaration.", nil)
		sw.row += 2
		sheet.fill(sw, c)
		if b.err != nil {
			return nil, b.err
		}
		if err := f.SetColWidth(sheet.name, "A", "A", 8); err != nil {
			return nil, err
		}
		if err := f.SetColWidth(sheet.name, "B", "B", 60); err != nil {
			return nil, err
		}
		if err := f.SetColWidth(sheet.name, "C", "Z", 24); err != nil {
			return nil, err
		}
	}
	idx, err := f.GetSheetIndex(SheetCommunication)
	if err != nil {
		return nil, err
	}
	f.SetActiveSheet(idx)
	return f, nil
}

// builder keeps the workbook's first error and its styles.
type builder struct {
	f                         *excelize.File
	err                       error
	boldID, missingID, wrapID int
}

func (b *builder) style(id *int, s *excelize.Style) *int {
	if *id == 0 && b.err == nil {
		*id, b.err = b.f.NewStyle(s)
	}
	return id
}

func (b *builder) bold() *int {
	return b.style(&b.boldID, &excelize.Style{Font: &excelize.Font{Bold: true}})
}
func (b *builder) missing() *int {
	return b.style(&b.missingID, &excelize.Style{Font: &excelize.Font{Italic: true, Color: "808080"}})
}
func (b *builder) wrap() *int {
	return b.style(&b.wrapID, &excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
}

// sheetWriter writes one sheet row by row.
type sheetWriter struct {
	b     *builder
	sheet string
	row   int
}

// cell writes v in column col (1 = A) of the current row; a nil *float64
// or "" is written NotProvided.
func (w *sheetWriter) cell(col int, v any, style *int) {
	if w.b.err != nil {
		return
	}
	ref, err := excelize.CoordinatesToCellName(col, w.row)
	if err != nil {
		w.b.err = err
		return
	}
	switch x := v.(type) {
	case *float64:
		if x == nil {
			v, style = NotProvided, w.b.missing()
		} else {
			v = *x
		}
	case *bool:
		switch {
		case x == nil:
			v, style = NotProvided, w.b.missing()
		case *x:
			v = "yes"
		default:
			v = "no"
		}
	case string:
		if x == "" {
			v, style = NotProvided, w.b.missing()
		}
	}
	if err := w.b.f.SetCellValue(w.sheet, ref, v); err != nil {
		w.b.err = err
		return
	}
	if style != nil && w.b.err == nil {
		w.b.err = w.b.f.SetCellStyle(w.sheet, ref, ref, *style)
	}
}

// section writes a section row: its number and title.
func (w *sheetWriter) section(num, title string) {
	w.row++
	w.cell(1, num, w.b.bold())
	w.cell(2, title, w.b.bold())
	w.row++
}

// field writes a field row: an optional item mark, the label, the value
// and its unit.
func (w *sheetWriter) field(item, label string, value any, unit string) {
	if item != "" {
		w.cell(1, item, nil)
	}
	w.cell(2, label, nil)
	w.cell(3, value, nil)
	if unit != "" {
		w.cell(4, unit, nil)
	}
	w.row++
}

// note writes a line of explanation in column B.
func (w *sheetWriter) note(text string) {
	w.cell(2, text, w.b.wrap())
	w.row++
}

// table writes a header row and one row per item of rows (its ID first),
// then the empty row that ends it.
func (w *sheetWriter) table(headers []string, rows [][]any) {
	w.cell(1, "ID", w.b.bold())
	for j, h := range headers {
		w.cell(j+2, h, w.b.bold())
	}
	w.row++
	for _, r := range rows {
		for j, v := range r {
			w.cell(j+1, v, nil)
		}
		w.row++
	}
	w.row++
}

func fillVersions(w *sheetWriter, c Communication) {
	s := c.Source
	w.section("1", "Template")
	w.field("", "Template followed:", TemplateVersion, "")
	w.section("2", "Source of the data")
	w.field("", "Written by:", s.Publisher, "")
	w.field("", "Declaration ID:", s.DeclarationID, "")
	w.field("", "Declaration status:", s.Status, "")
	w.field("", "Declaration version:", float64(s.Version), "")
	w.field("", "Content hash (SHA-256):", s.ContentHash, "")
	w.field("", "Dataset version:", s.DatasetVersion, "")
	w.field("", "Engine version:", s.EngineVersion, "")
	w.field("", "CBAM rules:", s.CBAMRules, "")
	w.field("", "Method:", s.Method, "")
	w.field("", "Operator (publisher of the declaration):", c.Installation.Operator, "")
}

func fillInstData(w *sheetWriter, c Communication) {
	in, v := c.Installation, c.Verifier
	w.section("1", "Reporting period")
	w.field("", "Start:", c.PeriodStart, "")
	w.field("", "End:", c.PeriodEnd, "")
	w.section("2", "About the installation")
	w.field("i.", "Name of the installation (optional):", in.NameLocal, "")
	w.field("ii.", "Name of the installation (English name):", in.Name, "")
	w.field("iii.", "Street, Number:", in.Street, "")
	w.field("iv.", "Economic activity:", in.EconomicActivity, "")
	w.field("v.", "Post code:", in.Postcode, "")
	w.field("vi.", "P.O. Box:", in.POBox, "")
	w.field("vii.", "City:", in.City, "")
	w.field("viii.", "Country:", in.Country, "")
	w.field("ix.", "UNLOCODE:", in.UNLOCODE, "")
	w.field("x.", "Coordinates of the main emission source (latitude):", in.LatitudeDeg, UnitDegrees)
	w.field("xi.", "Coordinates of the main emission source (longitude):", in.LongitudeDeg, UnitDegrees)
	w.field("xii.", "Name of authorized representative:", in.Representative.Name, "")
	w.field("xiii.", "Email:", in.Representative.Email, "")
	w.field("xiv.", "Telephone:", in.Representative.Phone, "")
	w.section("3", "Verifier of the report")
	w.field("(a) i.", "Company Name:", v.Name, "")
	w.field("(a) ii.", "Street, Number:", v.Street, "")
	w.field("(a) iii.", "City:", v.City, "")
	w.field("(a) iv.", "Postcode/ZIP:", v.Postcode, "")
	w.field("(a) v.", "Country:", v.Country, "")
	w.field("(b) i.", "Name:", v.Representative.Name, "")
	w.field("(b) ii.", "Email address:", v.Representative.Email, "")
	w.field("(b) iii.", "Telephone number:", v.Representative.Phone, "")
	w.field("(c) i.", "Accreditation Member State:", v.MemberState, "")
	w.field("(c) ii.", "Name of the national accreditation body:", v.Body, "")
	w.field("(c) iii.", "Registration number issued by the Accreditation body:", v.Registration, "")
	w.section("4", "Aggregated goods categories and relevant production processes")
	w.note("(a) List of aggregated goods categories, relevant precursors and corresponding production routes")
	w.table([]string{"Aggregated goods category", "Route 1"}, [][]any{{"G1", c.Good.AggregatedCategory, c.Good.Route}})
	w.note("(b) Relevant production processes")
	w.table([]string{"Aggregated goods category", "Included goods categories listed under (a)", "Name"},
		[][]any{{"P1", c.Good.AggregatedCategory, "G1", c.Good.Route}})
	w.section("5", "Purchased precursors")
	rows := make([][]any, len(c.Precursors))
	for i, p := range c.Precursors {
		rows[i] = []any{fmt.Sprintf("PP%d", i+1), p.AggregatedCategory, p.Country, p.Route}
	}
	w.table([]string{"Production process", "Country code", "Route 1"}, rows)
}

func fillEmInst(w *sheetWriter, c Communication) {
	w.section("1", "Source streams and emission sources")
	w.note("The declaration states embedded emissions per tonne of good, not the installation's annual source streams (fuels, materials, measurement-based sources): those are not communicated in this file.")
	w.field("", "Total direct emissions of the installation:", "", UnitEmission)
	w.section("2", "PFC emissions")
	w.field("", "Method:", c.PFC.Method, "")
	w.field("", "Method of IR 2025/2547 Annex II B.7 (verifiable):", c.PFC.Verifiable, "")
	w.field("", "PFC emissions (CF4 and C2F6, AR5 GWPs) per t of good:", c.PFC.TCO2ePerT, UnitSEE)
}

func fillProcesses(w *sheetWriter, c Communication) {
	g := c.Good
	w.section("1", "Production process P1")
	w.field("", "Name:", g.Route, "")
	w.field("", "Aggregated goods category:", g.AggregatedCategory, "")
	w.field("", "CN code:", g.CNCode, "")
	w.field("", "Product name:", g.ProductName, "")
	w.field("", "Specific embedded direct emissions (SEE (direct)):", g.SEEDirect, UnitSEE)
	w.field("", "Specific electricity consumption (for SEE (indirect)):", g.ElectricityMWhPerT, UnitMWhPerT)
	w.field("", "Electricity emission factor (for SEE (indirect)):", g.ElectricityEF, UnitEF)
	w.field("", "Source for electricity EF:", g.ElectricityEFSource, "")
	w.field("", "Specific embedded indirect emissions (SEE (indirect)):", g.SEEIndirect, UnitSEE)
	w.field("", "Specific embedded emissions (SEE (total)):", g.SEETotal, UnitSEE)
	w.field("", "Emissions counted for the CBAM obligation (direct only, Regulation (EU) 2023/956 Annex II):", g.Obligation, UnitSEE)
	w.field("", "Commission default value, for comparison:", g.DefaultValue, UnitSEE)
	w.field("", "Note on the default value:", g.DefaultValueNote, "")
}

func fillPurchPrec(w *sheetWriter, c Communication) {
	w.section("1", "Data input for the determination of the specific embedded emissions")
	rows := make([][]any, len(c.Precursors))
	for i, p := range c.Precursors {
		rows[i] = []any{fmt.Sprintf("PP%d", i+1), p.AggregatedCategory, p.CNCode, p.Country, p.TPerT,
			p.SEEDirect, p.SEEIndirect, p.EmbeddedDirect, p.Note}
	}
	w.table([]string{"Purchased precursor", "CN code", "Country code",
		"Consumed per t of good (" + UnitTPerT + ")",
		"Specific embedded direct emissions (SEE (direct)) (" + UnitSEE + " precursor)",
		"Specific embedded indirect emissions (SEE (indirect)) (" + UnitSEE + " precursor)",
		"Embedded direct emissions per t of good (" + UnitSEE + ")",
		"Justification for use of default values (if relevant)"}, rows)
	if len(c.Precursors) == 0 {
		w.note("The declaration embeds no purchased precursor.")
	}
}

func productRow(c Communication) []any {
	g := c.Good
	return []any{"1", "P1", g.AggregatedCategory, g.CNCode, g.CNName, g.ProductName, g.SEEDirect, g.SEEIndirect, g.SEETotal,
		UnitSEE, "", g.ElectricityEFSource, g.ElectricityMWhPerT, g.ElectricityEF, "", "", ""}
}

var productHeaders = []string{"Production process from which the products arise", "Type of aggregated good or precursor",
	"CN Codes", "CN Name", "Product name (used for communication with reporting declarant, e.g. on invoices)",
	"SEE (direct)", "SEE (indirect)", "SEE (total)", "Unit", "Share of emissions by default value",
	"Source for electricity EF", "Embedded electricity (MWh/t)", "Electricity EF (tCO2/MWh)",
	"Type of instrument (carbon pricing)", "Carbon price (CP) due (per produced t or MWh)", "Result: Effective CP due (per produced t or MWh)"}

func fillProducts(w *sheetWriter, c Communication) {
	w.section("1", "Summary of products")
	w.table(productHeaders, [][]any{productRow(c)})
}

func fillCommunication(w *sheetWriter, c Communication) {
	in, g, q := c.Installation, c.Good, c.DataQuality
	w.section("1", "Summary of the installation and production processes")
	w.note("1 Installation details")
	w.field("", "Name of the installation (English name):", in.Name, "")
	w.field("", "Street, Number:", in.Street, "")
	w.field("", "Economic activity:", in.EconomicActivity, "")
	w.field("", "Post code:", in.Postcode, "")
	w.field("", "City:", in.City, "")
	w.field("", "Country:", in.Country, "")
	w.field("", "UNLOCODE:", in.UNLOCODE, "")
	w.field("", "Coordinates of the main emission source (latitude):", in.LatitudeDeg, UnitDegrees)
	w.field("", "Coordinates of the main emission source (longitude):", in.LongitudeDeg, UnitDegrees)
	w.field("", "Reporting period start:", c.PeriodStart, "")
	w.field("", "Reporting period end:", c.PeriodEnd, "")
	w.row++
	w.note("2 Summary of the production processes and production routes, where relevant")
	w.table([]string{"Aggregated good produced", "Route 1"}, [][]any{{"G1", g.AggregatedCategory, g.Route}})
	w.table([]string{"Production process", "Aggregated goods category"}, [][]any{{"P1", g.Route, g.AggregatedCategory}})
	w.note("3 Summary of emissions by monitoring methodology and data quality")
	w.field("", "Calculation-based (excl. PFC emissions):", "", UnitEmission)
	w.field("", "Total PFC emissions:", "", UnitEmission)
	w.field("", "Measurement-based:", "", UnitEmission)
	w.field("", "Other:", "", UnitEmission)
	w.field("", "Total direct emissions during reporting period:", "", UnitEmission)
	w.field("", "Total indirect emissions during reporting period:", "", UnitEmission)
	w.field("", "Total emissions during reporting period:", "", UnitEmission)
	w.field("", "General information on data quality:", q.General, "")
	w.field("", "Justification for use of default values (if relevant):", q.DefaultValuesJustification, "")
	w.field("", "Information on quality assurance:", q.QualityAssurance, "")
	w.row++
	w.note("4 Further information")
	w.field("", "Carbon price instrument:", "", "")
	w.field("", "Any additional information:", strings.Join(c.Notes, "\n"), "")
	w.section("2", "Summary of products")
	w.table(productHeaders, [][]any{productRow(c)})
}
