package batch

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Format is a batch file's format.
type Format string

// The formats a batch file may take.
const (
	CSV       Format = "csv"
	XLSX      Format = "xlsx"
	JSONLines Format = "jsonl"
)

// Row is one request of a batch file.
type Row struct {
	// Number is where the row is, as the file shows it: the spreadsheet
	// row (the header is row 1, the units row 2) or the JSON-lines line,
	// 1-based.
	Number int
	// Body is the row's request JSON (a JSON line as it is).
	Body []byte
	// Problem, when not "", is why the row cannot become a request (a cell
	// under no header); Column names the cell.
	Problem, Column string
}

// FileError is a file that cannot be read as a batch (an unknown header,
// broken CSV quoting, an XLSX that does not open); Row is where, 0 when
// the whole file. Charset is true when the file's character set is one
// this package does not read. Code names the problem for a client to word
// (one of the code constants below; "" for a caller's mistake, an unknown
// format), Params its parameters.
type FileError struct {
	Row     int
	Msg     string
	Charset bool
	Code    string
	Params  map[string]any
}

// The codes of a FileError, and their params (row is 1-based, as the
// spreadsheet or the JSON-lines line numbers it).
const (
	codeEmptyFile          = "empty_file"          // none: not even a header row
	codeUnknownColumn      = "unknown_column"      // column (its letter), got (its header)
	codeDuplicateColumn    = "duplicate_column"    // columns (their letters), got (the path both name)
	codeNoColumns          = "no_columns"          // none: the header row names no column
	codeInvalidCSV         = "invalid_csv"         // row: a quote unbalanced or inside an unquoted cell
	codeNotXLSX            = "not_xlsx"            // none: not a workbook
	codeUnreadableSheet    = "unreadable_sheet"    // none: the workbook's first sheet cannot be read
	codeXLSXTooLarge       = "xlsx_too_large"      // max: what a workbook may unzip to [bytes]
	codeLineTooLong        = "line_too_long"       // row, max [bytes]
	codeUnsupportedCharset = "unsupported_charset" // got, allowed (the charsets the format takes)
)

func (e *FileError) Error() string {
	if e.Row > 0 {
		return fmt.Sprintf("row %d: %s", e.Row, e.Msg)
	}
	return e.Msg
}

// Reader reads the rows of one batch file.
type Reader struct {
	table *Table
	// Headers are the file's headers as written, by column index.
	Headers map[int]string
	next    func() ([]string, bool, error) // the next record of a CSV or XLSX, false at the end
	index   []int                          // file column → table column, -1 for a blank header
	rowNum  int                            // records read so far
	pending []string                       // a record read ahead (the row after the header)
	lines   *bufio.Reader                  // JSON lines
	closer  func() error
}

// maxUnzipped bounds what an XLSX may unzip to [bytes]: a small
// compressed file can expand a thousandfold (a zip bomb); 200 rows of every
// column take well under 1 MiB of sheet XML. A variable for tests.
var maxUnzipped int64 = 64 << 20

// sniffBytes is how much of a CSV is looked at to tell UTF-8 from GB18030.
const sniffBytes = 64 << 10

// Open starts reading a batch file of format f from r against table t.
// charset is the Content-Type's charset parameter ("" detects: UTF-8,
// with or without a BOM, else GB18030 as Chinese Excel writes CSV); it
// applies to CSV and JSON lines (which must be UTF-8). A CSV or XLSX must
// start with a header row of column paths or Chinese headers; a units row
// right after it, as the template has, is skipped. Errors are *FileError,
// except a read error of r.
func Open(r io.Reader, f Format, charset string, t *Table) (*Reader, error) {
	rd := &Reader{table: t, Headers: map[int]string{}, closer: func() error { return nil }}
	switch f {
	case JSONLines:
		dec, err := decodeText(r, charset, false)
		if err != nil {
			return nil, err
		}
		rd.lines = bufio.NewReader(dec)
		return rd, nil
	case CSV:
		dec, err := decodeText(r, charset, true)
		if err != nil {
			return nil, err
		}
		cr := csv.NewReader(dec)
		cr.FieldsPerRecord = -1
		rd.next = func() ([]string, bool, error) {
			rec, err := cr.Read()
			if err == io.EOF {
				return nil, false, nil
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, false, &FileError{Row: pe.Line, Msg: "not valid CSV: " + pe.Err.Error(), Code: codeInvalidCSV, Params: map[string]any{"row": pe.Line}}
			}
			return rec, err == nil, err
		}
	case XLSX:
		x, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxUnzipped})
		if err != nil {
			if strings.Contains(err.Error(), "unzip size exceeds") { // excelize has no sentinel for it
				return nil, &FileError{Msg: fmt.Sprintf("the workbook unzips to more than %d MiB", maxUnzipped>>20), Code: codeXLSXTooLarge, Params: map[string]any{"max": maxUnzipped}}
			}
			return nil, &FileError{Msg: "not an XLSX workbook: " + err.Error(), Code: codeNotXLSX}
		}
		rows, err := x.Rows(x.GetSheetName(0))
		if err != nil {
			x.Close()
			return nil, &FileError{Msg: "the workbook's first sheet cannot be read: " + err.Error(), Code: codeUnreadableSheet}
		}
		rd.closer = func() error { rows.Close(); return x.Close() }
		rd.next = func() ([]string, bool, error) {
			if !rows.Next() {
				return nil, false, rows.Error()
			}
			rec, err := rows.Columns(excelize.Options{RawCellValue: true})
			return rec, true, err
		}
	default:
		return nil, &FileError{Msg: fmt.Sprintf("unknown format %q", f)}
	}
	if err := rd.readHeader(); err != nil {
		rd.closer()
		return nil, err
	}
	return rd, nil
}

// Close releases the file (an XLSX's temporary files).
func (r *Reader) Close() error { return r.closer() }

// readHeader reads the header row and skips a units row after it.
func (r *Reader) readHeader() error {
	rec, ok, err := r.next()
	if err != nil {
		return err
	}
	if !ok {
		return &FileError{Msg: "the file is empty: it needs a header row of column names (GET /v1/batches/template)", Code: codeEmptyFile}
	}
	r.rowNum = 1
	seen := map[int]int{}
	for i, h := range rec {
		r.index = append(r.index, -1)
		if strings.TrimSpace(h) == "" {
			continue
		}
		col, ok := r.table.Lookup(h)
		if !ok {
			return &FileError{Row: 1, Msg: fmt.Sprintf("column %s: header %q is not a column of this kind's template (GET /v1/batches/template lists them)", columnLetter(i), h),
				Code: codeUnknownColumn, Params: map[string]any{"column": columnLetter(i), "got": h}}
		}
		if j, dup := seen[col]; dup {
			return &FileError{Row: 1, Msg: fmt.Sprintf("columns %s and %s both name %s", columnLetter(j), columnLetter(i), r.table.Columns[col].Path),
				Code: codeDuplicateColumn, Params: map[string]any{"columns": []string{columnLetter(j), columnLetter(i)}, "got": r.table.Columns[col].Path}}
		}
		seen[col] = i
		r.index[i] = col
		r.Headers[col] = strings.TrimSpace(h)
	}
	if len(seen) == 0 {
		return &FileError{Row: 1, Msg: "the header row names no column", Code: codeNoColumns}
	}
	units, ok, err := r.next()
	if err != nil || !ok {
		return err
	}
	r.rowNum = 2
	if !r.isUnitsRow(units) {
		r.pending = append([]string(nil), units...)
	}
	return nil
}

// isUnitsRow reports whether rec holds only its columns' units (English
// or Chinese), at least one.
func (r *Reader) isUnitsRow(rec []string) bool {
	any := false
	for i, v := range rec {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if i >= len(r.index) || r.index[i] < 0 {
			return false
		}
		c := r.table.Columns[r.index[i]]
		if v != c.Unit && v != c.UnitZH {
			return false
		}
		any = true
	}
	return any
}

// Rows yields the file's rows in order, blank rows left out. A row whose
// request cannot be built has a Problem; an error ends the rows (a
// *FileError, or a read error).
func (r *Reader) Rows() iter.Seq2[Row, error] {
	if r.lines != nil {
		return r.jsonLines
	}
	return func(yield func(Row, error) bool) {
		for {
			var (
				rec []string
				num int
			)
			if r.pending != nil {
				rec, num, r.pending = r.pending, r.rowNum, nil
			} else {
				var ok bool
				var err error
				rec, ok, err = r.next()
				if err != nil {
					yield(Row{}, err)
					return
				}
				if !ok {
					return
				}
				r.rowNum++
				num = r.rowNum
			}
			row, blank := r.row(rec, num)
			if !blank && !yield(row, nil) {
				return
			}
		}
	}
}

// row builds the request of record rec at row num; blank is true when
// every cell is empty.
func (r *Reader) row(rec []string, num int) (row Row, blank bool) {
	row.Number = num
	cells := make([]Cell, 0, len(rec))
	for i, v := range rec {
		if strings.TrimSpace(v) == "" {
			continue
		}
		if i >= len(r.index) || r.index[i] < 0 {
			row.Problem, row.Column = fmt.Sprintf("cell %s%d holds %q under no column header", columnLetter(i), num, v), columnLetter(i)
			continue
		}
		cells = append(cells, Cell{Column: r.index[i], Text: v})
	}
	if len(cells) == 0 && row.Problem == "" {
		return row, true
	}
	body, err := r.table.Unflatten(cells)
	if err != nil {
		row.Problem = err.Error()
	}
	row.Body = body
	return row, false
}

// maxLine bounds one JSON line [bytes]; the body limit bounds the file.
const maxLine = 4 << 20

func (r *Reader) jsonLines(yield func(Row, error) bool) {
	for n := 1; ; n++ {
		line, err := r.lines.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A long line: gather it whole.
			buf := append([]byte(nil), line...)
			for err == bufio.ErrBufferFull && len(buf) <= maxLine {
				line, err = r.lines.ReadSlice('\n')
				buf = append(buf, line...)
			}
			if len(buf) > maxLine {
				yield(Row{}, &FileError{Row: n, Msg: fmt.Sprintf("line longer than %d bytes", maxLine), Code: codeLineTooLong, Params: map[string]any{"row": n, "max": maxLine}})
				return
			}
			line = buf
		}
		if err != nil && err != io.EOF {
			yield(Row{}, err)
			return
		}
		if t := bytes.TrimSpace(line); len(t) > 0 {
			if !yield(Row{Number: n, Body: append([]byte(nil), t...)}, nil) {
				return
			}
		}
		if err == io.EOF {
			return
		}
	}
}

// decodeText returns r as UTF-8 without a BOM: charset "" detects (UTF-8
// when the first sniffBytes are valid UTF-8, else GB18030 if gbAllowed);
// utf-8, gb18030, gbk and gb2312 (read as GB18030, their superset) are
// taken as said.
func decodeText(r io.Reader, charset string, gbAllowed bool) (io.Reader, error) {
	br := bufio.NewReaderSize(r, sniffBytes)
	cs := strings.ToLower(strings.TrimSpace(charset))
	switch cs {
	case "", "utf-8", "utf8":
	case "gb18030", "gbk", "gb2312":
		if !gbAllowed {
			return nil, &FileError{Msg: "JSON lines must be UTF-8", Charset: true, Code: codeUnsupportedCharset, Params: map[string]any{"got": charset, "allowed": []string{"utf-8"}}}
		}
		return simplifiedchinese.GB18030.NewDecoder().Reader(br), nil
	default:
		return nil, &FileError{Msg: fmt.Sprintf("charset %q is not read; send UTF-8 or GB18030", charset), Charset: true,
			Code: codeUnsupportedCharset, Params: map[string]any{"got": charset, "allowed": []string{"utf-8", "gb18030"}}}
	}
	head, _ := br.Peek(sniffBytes)
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
		return br, nil
	}
	if cs == "" && gbAllowed && !utf8.Valid(completeRunes(head)) {
		return simplifiedchinese.GB18030.NewDecoder().Reader(br), nil
	}
	return br, nil
}

// completeRunes is b without a UTF-8 sequence cut at its end.
func completeRunes(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			break
		}
	}
	return b
}

// columnLetter is the spreadsheet name of the 0-based column i: A, B, …, AA.
func columnLetter(i int) string {
	name, err := excelize.ColumnNumberToName(i + 1)
	if err != nil {
		return fmt.Sprint(i + 1)
	}
	return name
}
