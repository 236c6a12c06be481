package batch

import (
	"encoding/csv"
	"io"

	"github.com/xuri/excelize/v2"
)

// Lang is a template's language: the headers and units rows, and the
// column sheet's labels.
type Lang string

// The template languages.
const (
	EN Lang = "en"
	ZH Lang = "zh"
)

func (c *Column) header(l Lang) string {
	if l == ZH {
		return c.HeaderZH
	}
	return c.Path
}

func (c *Column) unit(l Lang) string {
	if l == ZH {
		return c.UnitZH
	}
	return c.Unit
}

// WriteTemplateCSV writes the CSV template: the header row and the units
// row (UTF-8 with a BOM in Chinese, which Excel needs to read it).
func WriteTemplateCSV(w io.Writer, cols []Column, l Lang) error {
	if l == ZH {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	head, units := make([]string, len(cols)), make([]string, len(cols))
	for i := range cols {
		head[i], units[i] = cols[i].header(l), cols[i].unit(l)
	}
	cw.Write(head)
	cw.Write(units)
	cw.Flush()
	return cw.Error()
}

// Sheet names and the column sheet's labels, by language.
var (
	rowsSheet    = map[Lang]string{EN: "rows", ZH: "数据"}
	columnsSheet = map[Lang]string{EN: "columns", ZH: "列说明"}
	columnsHead  = map[Lang][]string{
		EN: {"header", "Chinese header", "JSON pointer", "type", "unit", "allowed", "default (left empty)", "example", "description"},
		ZH: {"列名", "英文列名", "JSON 指针", "类型", "单位", "允许值", "默认值（留空时）", "示例", "说明"},
	}
)

// WriteTemplateXLSX writes the XLSX template: a sheet with the header and
// units rows, and a sheet explaining every column (header in both
// languages, JSON pointer, type, unit, allowed range or values, default,
// example and the API's description).
func WriteTemplateXLSX(w io.Writer, cols []Column, l Lang) error {
	f := excelize.NewFile()
	defer f.Close()
	rows := rowsSheet[l]
	if err := f.SetSheetName("Sheet1", rows); err != nil {
		return err
	}
	head, units := make([]any, len(cols)), make([]any, len(cols))
	for i := range cols {
		head[i], units[i] = cols[i].header(l), cols[i].unit(l)
	}
	if err := f.SetSheetRow(rows, "A1", &head); err != nil {
		return err
	}
	if err := f.SetSheetRow(rows, "A2", &units); err != nil {
		return err
	}
	if err := f.SetPanes(rows, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	last, _ := excelize.ColumnNumberToName(max(len(cols), 1))
	f.SetCellStyle(rows, "A1", last+"1", bold)

	info := columnsSheet[l]
	if _, err := f.NewSheet(info); err != nil {
		return err
	}
	hd := make([]any, len(columnsHead[l]))
	for i, h := range columnsHead[l] {
		hd[i] = h
	}
	if err := f.SetSheetRow(info, "A1", &hd); err != nil {
		return err
	}
	f.SetCellStyle(info, "A1", "I1", bold)
	for i := range cols {
		c := &cols[i]
		other := c.HeaderZH
		if l == ZH {
			other = c.Path
		}
		row := []any{c.header(l), other, c.Pointer, c.Type, c.unit(l), c.Range(), c.Default, c.Example, c.Description}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow(info, cell, &row); err != nil {
			return err
		}
	}
	f.SetColWidth(info, "A", "C", 36)
	f.SetColWidth(info, "I", "I", 100)
	_, err = f.WriteTo(w)
	return err
}
