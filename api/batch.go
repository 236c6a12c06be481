package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

	"alcarbon/batch"
	"alcarbon/calc"
)

// Batch footprints (issue 18), synchronous part: a CSV, XLSX or JSON-lines
// file of up to maxSyncRows requests of one kind, each row computed as its
// single endpoint computes it. Jobs for larger files come later; they are
// to reuse computeRows, which streams rows in and results out.

const (
	// maxSyncRows is the most rows a batch answers at once.
	maxSyncRows = 200
	// mimeXLSX is the media type of an XLSX workbook.
	mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	// mimeCSV is the media type of CSV.
	mimeCSV = "text/csv"
)

// The codes of a batch file refused as a whole (400 or 413), besides
// those of batch.FileError; their params are listed on
// FieldProblem.Params. The problem's one field error, at pointer "" (the
// file), carries the code.
const (
	codeNoRows         = "no_rows"         // none: a header and no row under it
	codeUnreadableFile = "unreadable_file" // none: the file stopped being readable (detail says why)
	codeTooManyRows    = "too_many_rows"   // max: the most rows a file may have here
	codeTooManyBytes   = "too_many_bytes"  // max [bytes]; got and sync_rows for a file of up to sync_rows rows over ALCARBON_BODY_LIMIT
)

// mimeJSONLines are the media types taken as JSON lines.
var mimeJSONLines = []string{"application/jsonl", "application/x-ndjson", "application/x-jsonlines", "application/jsonlines", "application/json-seq"}

// batchKinds are the kinds a batch may hold.
var batchKinds = []string{kindPrimary, kindProduct}

// batchRowError is one problem of one row: the single endpoint's field
// problem (pointer, detail, code, params) with where the file has it.
type batchRowError struct {
	// Row is the row's number as the file shows it: the spreadsheet row (header 1, units 2) or the JSON line, 1-based.
	Row int `json:"row" example:"4"`
	// Column is the header of the field's column as the file wrote it (or the field's dotted path when it has no column, e.g. electricity.sources[1]); "" for the whole row.
	Column string `json:"column" example:"electrolysis.ac_kwh_per_t"`
	FieldProblem
}

// batchStage is one stage of a row's footprint [t CO2e/t].
type batchStage struct {
	Stage                string  `json:"stage" example:"electrolysis_electricity"`
	TCO2ePerT            float64 `json:"tco2e_per_t" example:"10.9"`
	MarketBasedTCO2ePerT float64 `json:"market_based_tco2e_per_t" example:"10.1"`
}

// batchCBAM is a row's EU CBAM figures [t CO2e/t].
type batchCBAM struct {
	SEEDirectTCO2ePerT    float64  `json:"see_direct_tco2e_per_t" example:"1.73"`
	SEEIndirectTCO2ePerT  float64  `json:"see_indirect_tco2e_per_t" example:"9.0"`
	ObligationTCO2ePerT   float64  `json:"obligation_tco2e_per_t" example:"1.73"`
	DefaultValueTCO2ePerT *float64 `json:"default_value_tco2e_per_t,omitempty" example:"3.0"`
}

// batchETS is a primary row's China national ETS figures (dataset 2026.2 on) [t CO2e/t].
type batchETS struct {
	ProcessTCO2ePerT    float64 `json:"process_tco2e_per_t" example:"1.734"`
	EnterpriseTCO2ePerT float64 `json:"enterprise_tco2e_per_t" example:"1.781"`
}

// batchRowResult is one row's answer: its figures, or its errors.
type batchRowResult struct {
	// Row is the row's number as the file shows it.
	Row int `json:"row" example:"3"`
	// Status is ok (computed) or error (see errors).
	Status         string                  `json:"status" enums:"ok,error" example:"ok"`
	Dataset        string                  `json:"dataset,omitempty" example:"2026.1"`
	Region         string                  `json:"region,omitempty" example:"CN-SX"`
	Year           int                     `json:"year,omitempty" example:"2023"`
	Total          *totalResponse          `json:"total_tco2e_per_t,omitempty"`
	Stages         []batchStage            `json:"stages,omitempty"`
	RenewableShare *renewableShareResponse `json:"renewable_share,omitempty"`
	CBAM           *batchCBAM              `json:"cbam,omitempty"`
	ETS            *batchETS               `json:"ets,omitempty"`
	// Errors are the row's problems (status error); the response's errors list them all.
	Errors []batchRowError `json:"-"`
}

// batchResponse is a batch's answer as JSON.
type batchResponse struct {
	Kind          string `json:"kind" enums:"primary,product" example:"primary"`
	EngineVersion string `json:"engine_version" example:"2026.11.0"`
	// Rows counts the file's rows (blank rows left out); Computed and Failed split them.
	Rows     int `json:"rows" example:"3"`
	Computed int `json:"computed" example:"2"`
	Failed   int `json:"failed" example:"1"`
	// Results has one entry per row, in file order.
	Results []batchRowResult `json:"results"`
	// Errors lists every problem of every failed row.
	Errors []batchRowError `json:"errors"`
}

// batchSource is the rows of a batch and how its file names the field at
// a JSON pointer (its column header as written).
type batchSource struct {
	rows   iter.Seq2[batch.Row, error]
	header func(pointer string) string
	// refused, when set, is a row's error before it computes (a job's row
	// over the work budget: the budget's 422), whose field problems
	// become the row's errors; nil computes the row.
	refused func(row batch.Row) error
}

// computeRows computes each row of src as POST /v1/footprints/{kind}
// computes its request — decodeRequest (strict decoding, struct-tag
// bounds, validate), prepare, compute — and yields one result per row, in
// order, holding one row at a time. A row's problems are its result's
// errors, named by row, column header and JSON pointer; the other rows
// go on. An error ends the run: a file that cannot be read further
// (*batch.FileError), ctx done, or a server error. The PV memo is shared
// by the run's rows (bounded by calc.PVMemoMaxEntries). A job runner
// calls it on a chunk of a stored file.
func (s *server) computeRows(ctx context.Context, k calcKind, src batchSource) iter.Seq2[batchRowResult, error] {
	return func(yield func(batchRowResult, error) bool) {
		memo := calc.NewPVMemo()
		for row, err := range src.rows {
			if err == nil {
				err = stopped(ctx)
			}
			if err != nil {
				yield(batchRowResult{}, err)
				return
			}
			res, err := s.computeRow(ctx, k, memo, src, row)
			if !yield(res, err) || err != nil {
				return
			}
		}
	}
}

// computeRow computes one row (see computeRows). A panic in the engine
// becomes an error, as in runOne.
func (s *server) computeRow(ctx context.Context, k calcKind, memo *calc.PVMemo, src batchSource, row batch.Row) (res batchRowResult, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("batch row %d: panic: %v", row.Number, p)
		}
	}()
	res = batchRowResult{Row: row.Number, Status: "ok"}
	if row.Problem != "" {
		res.Status = "error"
		res.Errors = []batchRowError{{Row: row.Number, Column: row.Column, FieldProblem: FieldProblem{Code: codeInvalid, Detail: row.Problem}}}
		return res, nil
	}
	var out any
	if src.refused != nil {
		err = src.refused(row)
	}
	if err == nil {
		out, err = s.computeBody(ctx, k, memo, row.Body)
	}
	if err != nil {
		fields, serverErr := fieldProblemsUnder(err, "")
		if serverErr != nil {
			return res, serverErr
		}
		res.Status = "error"
		for _, f := range fields {
			res.Errors = append(res.Errors, batchRowError{Row: row.Number, Column: src.header(f.Pointer), FieldProblem: f})
		}
		return res, nil
	}
	fillRowResult(&res, out)
	return res, nil
}

// computeBody decodes, prepares and computes one request of kind k, as
// its endpoint does, and returns its response.
func (s *server) computeBody(ctx context.Context, k calcKind, memo *calc.PVMemo, body []byte) (any, error) {
	req, err := decodeRequest(k, body)
	if err != nil {
		return nil, err
	}
	ds, err := req.prepare(s.catalog)
	if err != nil {
		return nil, err
	}
	r, err := req.compute(ctx, s, ds, memo)
	if err != nil {
		return nil, err
	}
	return r.response(), nil
}

// fillRowResult copies a response's headline figures into res.
func fillRowResult(res *batchRowResult, resp any) {
	switch r := resp.(type) {
	case primaryResponse:
		res.Dataset, res.Region, res.Year, res.Total = r.Dataset, r.Region, r.Year, &r.Total
		for _, st := range r.Stages {
			res.Stages = append(res.Stages, batchStage{st.Stage, st.TCO2ePerT, st.MarketBasedTCO2ePerT})
		}
		res.RenewableShare = &r.Electricity.RenewableShare
		res.CBAM = &batchCBAM{r.CBAM.SEEDirectTCO2ePerT, r.CBAM.SEEIndirectTCO2ePerT, r.CBAM.ObligationTCO2ePerT, r.CBAM.DefaultValueTCO2ePerT}
		if r.ETS != nil {
			res.ETS = &batchETS{r.ETS.ProcessTCO2ePerT, r.ETS.EnterpriseTCO2ePerT}
		}
	case productResponse:
		res.Dataset, res.Region, res.Year, res.Total = r.Dataset, r.Region, r.Year, &r.Total
		for _, st := range r.Stages {
			res.Stages = append(res.Stages, batchStage{st.Stage, st.TCO2ePerT, st.MarketBasedTCO2ePerT})
		}
		res.RenewableShare = &r.Electricity.RenewableShare
		res.CBAM = &batchCBAM{r.CBAM.SEEDirectTCO2ePerT, r.CBAM.SEEIndirectTCO2ePerT, r.CBAM.ObligationTCO2ePerT, r.CBAM.DefaultValueTCO2ePerT}
	}
}

// batchWork prices a batch: each row as its single endpoint prices it
// (decoding, calculation, PV simulations), the file's parsing as a body of
// its size; heavy, like compare and sweep, so it runs in a slot.
func batchWork(k calcKind, rows []batch.Row, fileBytes int) work {
	w := work{heavy: true}
	bodyWork(&w, fileBytes)
	var units int64
	pv := 0
	for _, r := range rows {
		units += calcWork(k, r.Body).units
		pv += len(pvPointers(r.Body))
	}
	// The driver is the whole file (pointer ""): its rows.
	w.add(units, "", "")
	w.drivers = append(w.drivers, FieldProblem{Pointer: "", Detail: fmt.Sprintf("%d rows, each priced as its single request (%d hourly PV simulations in all): %d work units", len(rows), pv, units),
		Code: codeDrivesWork, Params: map[string]any{"units": units}})
	return w
}

// handleBatchTemplate answers a batch template.
//
//	@Summary		Batch template
//	@Description	The columns of a batch file of one kind: the request's fields flattened into paths (electrolysis.ac_kwh_per_t, electricity.sources[0].kind; arrays get fixed slots: electricity.sources 0–4, steps 0–4, transport 0–2), a header row (lang=en: the paths; lang=zh: Chinese headers) and a units row. The XLSX adds a sheet explaining every column: both headers, JSON pointer, type, unit, allowed range or values, default when left empty, example and description — the bounds the API enforces. On-site PV systems modelled hour by hour, load shapes and a product's inline primary request have no columns: send such rows as JSON lines. The columns come from the request types, so the template changes when they do.
//	@Tags			calculations
//	@Produce		text/csv
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
//	@Param			kind	query		string	true	"request kind"	Enums(primary, product)
//	@Param			format	query		string	false	"file format (default xlsx)"	Enums(xlsx, csv)
//	@Param			lang	query		string	false	"header language (default en)"	Enums(en, zh)
//	@Success		200		{file}		file	"the template"
//	@Failure		422		{object}	Problem	"unknown kind, format or lang (pointers /kind, /format, /lang)"
//	@Router			/v1/batches/template [get]
func (s *server) handleBatchTemplate(c echo.Context) error {
	var v validator
	kind, format, lang := c.QueryParam("kind"), c.QueryParam("format"), c.QueryParam("lang")
	if kind == "" {
		v.addCode("/kind", codeRequired, nil, "is required; one of %s", joinList(batchKinds))
	}
	v.enum("/kind", kind, batchKinds)
	v.enum("/format", format, []string{"xlsx", "csv"})
	v.enum("/lang", lang, []string{"en", "zh"})
	if err := v.err(); err != nil {
		return err
	}
	tables, err := batchTables()
	if err != nil {
		return err
	}
	cols := tables[kind].Columns
	var buf bytes.Buffer
	name := "alcarbon-" + kind + "-template"
	if lang == "zh" {
		name += "-zh"
	}
	h := c.Response().Header()
	if format == "csv" {
		if err := batch.WriteTemplateCSV(&buf, cols, batch.Lang(lang)); err != nil {
			return err
		}
		h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`.csv"`)
		return c.Blob(http.StatusOK, mimeCSV+"; charset=utf-8", buf.Bytes())
	}
	if err := batch.WriteTemplateXLSX(&buf, cols, batch.Lang(lang)); err != nil {
		return err
	}
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`.xlsx"`)
	return c.Blob(http.StatusOK, mimeXLSX, buf.Bytes())
}

// handleBatch computes a batch file synchronously.
//
//	@Summary		Batch footprints
//	@Description	One row = one request of POST /v1/footprints/{kind}. The body is CSV (text/csv; UTF-8 with or without a BOM, or GB18030 as Chinese Excel saves it — detected, or said with charset=gb18030), XLSX (its first sheet) or JSON lines (application/x-ndjson or application/jsonl: one request object per line, any field). A CSV or XLSX starts with the template's header row (paths or Chinese headers, any order, any subset) and may keep its units row; an empty cell is a field left out; blank rows are skipped. Each row's cells become its request JSON, which goes through the single endpoint's decoding, validation and computation: a bad row gets errors naming its row number (as the spreadsheet shows it, header = row 1), its column header and the JSON pointer, and the other rows still compute (200). Up to 200 rows are answered at once (200), the file limited to ALCARBON_BODY_LIMIT (default 1 MiB); the whole batch is priced against the work budget as the sum of its rows' single-request prices and runs in a heavy-calculation slot; results as JSON (default), CSV or XLSX (sheets results and errors), by format= or Accept. A file of more than 200 rows (up to ALCARBON_BATCH_MAX_ROWS, default 100,000, and ALCARBON_BATCH_MAX_BYTES, default 64 MiB) becomes a durable job of the API key's organisation (202, Location: /v1/batches/{id}): the file is read as it arrives and stored in chunks of rows (ALCARBON_BATCH_CHUNK_ROWS) in the registry database, which any replica computes at a lower priority than requests, each row priced as its single request (a row over ALCARBON_MAX_WORK gets an error); a file that cannot be read to its end is refused (400) and leaves no job. Follow the job at GET /v1/batches/{id}, fetch its results at GET /v1/batches/{id}/results, cancel it with DELETE.
//	@Tags			calculations
//	@Accept			text/csv
//	@Accept			application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
//	@Accept			application/x-ndjson
//	@Produce		json
//	@Produce		text/csv
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
//	@Security		APIKey
//	@Param			kind	query		string	true	"request kind of every row"	Enums(primary, product)
//	@Param			format	query		string	false	"answer format (default: by Accept, else json)"	Enums(json, csv, xlsx)
//	@Param			file	body		string	true	"the batch file (CSV, XLSX or JSON lines)"
//	@Success		200		{object}	batchResponse	"every row's result or errors (CSV: one line per row, errors in its errors column; XLSX: results and errors sheets)"
//	@Success		202		{object}	batchJobResponse	"more than 200 rows: a job, at the Location header"
//	@Header			202		{string}	Location	"/v1/batches/{id}"
//	@Failure		400		{object}	Problem	"a file that cannot be read: unknown header, broken CSV quoting, not an XLSX, no rows; its one error, at the empty pointer (the file), has the code: empty_file, unknown_column, duplicate_column, no_columns, invalid_csv, not_xlsx, unreadable_sheet, xlsx_too_large, line_too_long, no_rows or unreadable_file"
//	@Failure		401		{object}	Problem	"no or unknown API key"
//	@Failure		413		{object}	Problem	"its one error, at the empty pointer (the file), says which limit: too_many_bytes, over the byte limit (ALCARBON_BODY_LIMIT for up to 200 rows, with got and sync_rows; ALCARBON_BATCH_MAX_BYTES for a job); too_many_rows, over ALCARBON_BATCH_MAX_ROWS rows, or more than 200 rows on a server without the registry database"
//	@Failure		415		{object}	Problem	"not CSV, XLSX or JSON lines, or an unknown charset (code unsupported_charset at the empty pointer)"
//	@Failure		422		{object}	Problem	"unknown kind or format; or over the work budget (ALCARBON_MAX_WORK): work_units and max_work_units given"
//	@Failure		503		{object}	Problem	"every slot for heavy calculations busy for 1 s (Retry-After), or stopped at the write timeout; the registry database unavailable for a job"
//	@Router			/v1/batches [post]
func (s *server) handleBatch(c echo.Context) error {
	var v validator
	kind, format := c.QueryParam("kind"), c.QueryParam("format")
	if kind == "" {
		v.addCode("/kind", codeRequired, nil, "is required; one of %s", joinList(batchKinds))
	}
	v.enum("/kind", kind, batchKinds)
	v.enum("/format", format, []string{"json", "csv", "xlsx"})
	if err := v.err(); err != nil {
		return err
	}
	if format == "" {
		format = acceptedFormat(c.Request().Header.Get(echo.HeaderAccept))
	}
	in, charset, err := batchInputFormat(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil {
		return err
	}
	// The file is read as it arrives, up to the byte limit: a file of
	// more than maxSyncRows rows becomes a job, stored chunk by chunk.
	limit := s.bodyLimit
	if s.jobs != nil {
		limit = max(limit, s.batchLimits.MaxBytes)
	}
	body := &countingReader{r: http.MaxBytesReader(c.Response(), c.Request().Body, limit)}
	if c.Request().ContentLength > limit { // announced: refused before reading
		body.tooLarge = true
		return body.problem(nil, limit)
	}
	tables, err := batchTables()
	if err != nil {
		return err
	}
	table := tables[kind]
	rd, err := batch.Open(body, in, charset, table)
	if err != nil {
		return body.problem(err, limit)
	}
	defer rd.Close()
	// A synchronous batch is read whole before any row computes, so that
	// a file over the row limit costs no computation; its requests are
	// small (the body limit bounds them).
	next, stop := iter.Pull2(rd.Rows())
	defer stop()
	var rows []batch.Row
	for len(rows) <= maxSyncRows {
		row, err, ok := next()
		if !ok {
			break
		}
		if err != nil {
			return body.problem(err, limit)
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return fileLevelProblem(http.StatusBadRequest, "the file has no rows under its header", codeNoRows, nil)
	}
	if len(rows) > maxSyncRows {
		if s.jobs == nil {
			return tooManyRows()
		}
		return s.startBatchJob(c, kind, in, rd.Headers, rows, next, body, limit)
	}
	if body.n > s.bodyLimit {
		return fileLevelProblem(http.StatusRequestEntityTooLarge, fmt.Sprintf(
			"the file has %d bytes: a file of up to %d rows, answered at once, is limited to %d bytes (ALCARBON_BODY_LIMIT); larger files of more than %d rows run as batch jobs", body.n, maxSyncRows, s.bodyLimit, maxSyncRows),
			codeTooManyBytes, map[string]any{"max": s.bodyLimit, "got": body.n, "sync_rows": maxSyncRows})
	}
	k := calcKinds[kind]
	src := batchSource{
		rows: func(yield func(batch.Row, error) bool) {
			for _, r := range rows {
				if !yield(r, nil) {
					return
				}
			}
		},
		header: func(p string) string { return table.Header(p, rd.Headers) },
	}
	if in == batch.JSONLines {
		src.header = func(p string) string { return batch.DottedPath(p) }
	}
	w := batchWork(k, rows, int(body.n))
	if err := s.work.check(w); err != nil {
		return err
	}
	out, err := s.work.run(c.Request().Context(), w, func(ctx context.Context) (any, error) {
		rw := newResultWriter(format, kind)
		for res, err := range s.computeRows(ctx, k, src) {
			if err != nil {
				return nil, err
			}
			if err := rw.row(&res); err != nil {
				return nil, err
			}
		}
		return rw, nil
	})
	if err != nil {
		return err
	}
	return out.(resultWriter).send(c)
}

// tooManyRows is the 413 of a file over the synchronous row limit on a
// server without batch jobs (no registry database).
func tooManyRows() error {
	return fileLevelProblem(http.StatusRequestEntityTooLarge, fmt.Sprintf(
		"the file has more than %d rows: a batch of up to %d rows is answered at once; larger files run as batch jobs, which need the registry database, unavailable on this server. Split the file into files of at most %d rows", maxSyncRows, maxSyncRows, maxSyncRows),
		codeTooManyRows, map[string]any{"max": maxSyncRows})
}

// countingReader counts the bytes read through it and remembers whether
// the byte limit stopped it.
type countingReader struct {
	r        io.Reader
	n        int64
	tooLarge bool
}

func (r *countingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.n += int64(n)
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		r.tooLarge = true
	}
	return n, err
}

// problem answers err, met reading the file: a 413 when the byte limit
// stopped the body, else fileProblem.
func (r *countingReader) problem(err error, limit int64) error {
	if r.tooLarge {
		return fileLevelProblem(http.StatusRequestEntityTooLarge, fmt.Sprintf(
			"the file is larger than %d bytes, the most a batch file may have (ALCARBON_BATCH_MAX_BYTES; ALCARBON_BODY_LIMIT without batch jobs)", limit),
			codeTooManyBytes, map[string]any{"max": limit})
	}
	return fileProblem(err)
}

// fileProblem answers a file that cannot be read as a batch: a 400 (415
// for a character set not read) whose field error carries the
// *batch.FileError's code, or unreadable_file for a read error.
func fileProblem(err error) error {
	var fe *batch.FileError
	if errors.As(err, &fe) {
		if fe.Charset {
			return fileLevelProblem(http.StatusUnsupportedMediaType, fe.Msg, fe.Code, fe.Params)
		}
		return fileLevelProblem(http.StatusBadRequest, fe.Error(), fe.Code, fe.Params)
	}
	return fileLevelProblem(http.StatusBadRequest, "the file could not be read: "+err.Error(), codeUnreadableFile, nil)
}

// fileLevelProblem is a problem of a batch file as a whole: status and
// detail, and one field error at pointer "" (the file) with the same
// detail, code (invalid when "") and params, for a client to word it.
func fileLevelProblem(status int, detail, code string, params map[string]any) *Problem {
	if code == "" {
		code = codeInvalid
	}
	p := problem(status, detail)
	p.Errors = []FieldProblem{{Pointer: "", Detail: detail, Code: code, Params: params}}
	return p
}

// batchInputFormat is the format (and charset) a Content-Type names.
func batchInputFormat(ct string) (batch.Format, string, error) {
	mt, params, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil {
		return "", "", problem(http.StatusUnsupportedMediaType, "send the batch as text/csv, "+mimeXLSX+" or application/x-ndjson (JSON lines)")
	}
	switch {
	case mt == mimeCSV || mt == "application/csv":
		return batch.CSV, params["charset"], nil
	case mt == mimeXLSX:
		return batch.XLSX, "", nil
	case slices.Contains(mimeJSONLines, mt):
		return batch.JSONLines, params["charset"], nil
	}
	return "", "", problem(http.StatusUnsupportedMediaType, fmt.Sprintf("%s is not a batch format; send text/csv, %s or application/x-ndjson (JSON lines)", mt, mimeXLSX))
}

// acceptedFormat is the answer format an Accept header asks for: csv or
// xlsx when it names their media type before JSON, else json.
func acceptedFormat(accept string) string {
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.TrimSpace(mt) {
		case mimeCSV:
			return "csv"
		case mimeXLSX:
			return "xlsx"
		case "application/json", "*/*":
			return "json"
		}
	}
	return "json"
}

// resultWriter writes a batch's results in one format, row by row.
type resultWriter interface {
	row(r *batchRowResult) error
	send(c echo.Context) error
}

func newResultWriter(format, kind string) resultWriter {
	switch format {
	case "csv":
		return newCSVResults(kind)
	case "xlsx":
		return newXLSXResults(kind)
	}
	return &jsonResults{resp: batchResponse{Kind: kind, EngineVersion: calc.EngineVersion, Results: []batchRowResult{}, Errors: []batchRowError{}}}
}

// jsonResults builds the JSON answer.
type jsonResults struct{ resp batchResponse }

func (j *jsonResults) row(r *batchRowResult) error {
	j.resp.Rows++
	if r.Status == "ok" {
		j.resp.Computed++
	} else {
		j.resp.Failed++
	}
	j.resp.Results = append(j.resp.Results, *r)
	j.resp.Errors = append(j.resp.Errors, r.Errors...)
	return nil
}

func (j *jsonResults) send(c echo.Context) error { return c.JSON(http.StatusOK, j.resp) }

// resultColumn is one column of the CSV and XLSX results.
type resultColumn struct {
	header string
	value  func(r *batchRowResult) any // nil, a float64, an int or a string
}

// resultColumns are the results' columns for kind: the stages are the
// kind's stage names (its stage response's enums), so a row's stages
// always fall in the same columns.
func resultColumns(kind string) []resultColumn {
	cols := []resultColumn{
		{"row", func(r *batchRowResult) any { return r.Row }},
		{"status", func(r *batchRowResult) any { return r.Status }},
		{"dataset", func(r *batchRowResult) any { return r.Dataset }},
		{"region", func(r *batchRowResult) any { return r.Region }},
		{"year", func(r *batchRowResult) any { return nonZero(r.Year) }},
		{"total_tco2e_per_t.location_based", func(r *batchRowResult) any { return totalOf(r, false) }},
		{"total_tco2e_per_t.market_based", func(r *batchRowResult) any { return totalOf(r, true) }},
	}
	stageType := reflect.TypeFor[stageResponse]()
	if kind == kindProduct {
		stageType = reflect.TypeFor[productStageResponse]()
	}
	f, _ := stageType.FieldByName("Stage")
	for _, st := range strings.Split(f.Tag.Get("enums"), ",") {
		cols = append(cols,
			resultColumn{"stages." + st + ".tco2e_per_t", func(r *batchRowResult) any { return stageOf(r, st, false) }},
			resultColumn{"stages." + st + ".market_based_tco2e_per_t", func(r *batchRowResult) any { return stageOf(r, st, true) }})
	}
	cols = append(cols,
		resultColumn{"renewable_share.location_based", func(r *batchRowResult) any {
			if r.RenewableShare == nil {
				return nil
			}
			return r.RenewableShare.LocationBased
		}},
		resultColumn{"renewable_share.market_based", func(r *batchRowResult) any {
			if r.RenewableShare == nil {
				return nil
			}
			return r.RenewableShare.MarketBased
		}},
		resultColumn{"renewable_share.hourly_matched", func(r *batchRowResult) any {
			if r.RenewableShare == nil || r.RenewableShare.HourlyMatched == nil {
				return nil
			}
			return *r.RenewableShare.HourlyMatched
		}},
		resultColumn{"cbam.see_direct_tco2e_per_t", func(r *batchRowResult) any {
			return cbamOf(r, func(c *batchCBAM) *float64 { return &c.SEEDirectTCO2ePerT })
		}},
		resultColumn{"cbam.see_indirect_tco2e_per_t", func(r *batchRowResult) any {
			return cbamOf(r, func(c *batchCBAM) *float64 { return &c.SEEIndirectTCO2ePerT })
		}},
		resultColumn{"cbam.obligation_tco2e_per_t", func(r *batchRowResult) any {
			return cbamOf(r, func(c *batchCBAM) *float64 { return &c.ObligationTCO2ePerT })
		}},
		resultColumn{"cbam.default_value_tco2e_per_t", func(r *batchRowResult) any {
			return cbamOf(r, func(c *batchCBAM) *float64 { return c.DefaultValueTCO2ePerT })
		}},
	)
	if kind == kindPrimary {
		cols = append(cols,
			resultColumn{"ets.process_tco2e_per_t", func(r *batchRowResult) any {
				if r.ETS == nil {
					return nil
				}
				return r.ETS.ProcessTCO2ePerT
			}},
			resultColumn{"ets.enterprise_tco2e_per_t", func(r *batchRowResult) any {
				if r.ETS == nil {
					return nil
				}
				return r.ETS.EnterpriseTCO2ePerT
			}})
	}
	return cols
}

func nonZero(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

func totalOf(r *batchRowResult, market bool) any {
	switch {
	case r.Total == nil:
		return nil
	case market:
		return r.Total.MarketBased
	}
	return r.Total.LocationBased
}

func stageOf(r *batchRowResult, stage string, market bool) any {
	for _, s := range r.Stages {
		if s.Stage == stage {
			if market {
				return s.MarketBasedTCO2ePerT
			}
			return s.TCO2ePerT
		}
	}
	return nil
}

func cbamOf(r *batchRowResult, f func(*batchCBAM) *float64) any {
	if r.CBAM == nil {
		return nil
	}
	if p := f(r.CBAM); p != nil {
		return *p
	}
	return nil
}

// cellText writes a result value for CSV: floats in the shortest form
// that reads back exactly.
func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case int:
		return strconv.Itoa(x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// errorsText joins a row's errors for the CSV's errors column:
// "header: detail" separated by " | ".
func errorsText(errs []batchRowError) string {
	parts := make([]string, len(errs))
	for i, e := range errs {
		name := e.Column
		if name == "" {
			name = "row"
		}
		parts[i] = name + ": " + e.Detail
	}
	return strings.Join(parts, " | ")
}

// csvResults writes the CSV answer: one line per row, its errors in the
// last column; into buf (a synchronous answer) or another writer (a
// job's results, streamed).
type csvResults struct {
	cols []resultColumn
	buf  bytes.Buffer
	w    *csv.Writer
}

func newCSVResults(kind string) *csvResults {
	r := &csvResults{}
	return r.start(kind, &r.buf)
}

// start writes the header line to out, where the rows follow.
func (r *csvResults) start(kind string, out io.Writer) *csvResults {
	r.cols = resultColumns(kind)
	r.w = csv.NewWriter(out)
	head := make([]string, 0, len(r.cols)+1)
	for _, c := range r.cols {
		head = append(head, c.header)
	}
	r.w.Write(append(head, "errors"))
	return r
}

func (r *csvResults) row(res *batchRowResult) error {
	rec := make([]string, 0, len(r.cols)+1)
	for _, c := range r.cols {
		rec = append(rec, cellText(c.value(res)))
	}
	return r.w.Write(append(rec, errorsText(res.Errors)))
}

func (r *csvResults) send(c echo.Context) error {
	r.w.Flush()
	if err := r.w.Error(); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="alcarbon-batch-results.csv"`)
	return c.Blob(http.StatusOK, mimeCSV+"; charset=utf-8", r.buf.Bytes())
}

// xlsxResults writes the XLSX answer: a results sheet (one line per row)
// and an errors sheet (one line per problem), each streamed.
type xlsxResults struct {
	cols         []resultColumn
	f            *excelize.File
	results, bad *excelize.StreamWriter
	nRes, nErr   int
	err          error
}

// Sheets of the XLSX results.
const (
	resultsSheet = "results"
	errorsSheet  = "errors"
)

var errorsHeader = []any{"row", "column", "pointer", "code", "detail"}

func newXLSXResults(kind string) *xlsxResults {
	x := &xlsxResults{cols: resultColumns(kind), f: excelize.NewFile()}
	if x.err = x.f.SetSheetName("Sheet1", resultsSheet); x.err != nil {
		return x
	}
	if _, x.err = x.f.NewSheet(errorsSheet); x.err != nil {
		return x
	}
	if x.results, x.err = x.f.NewStreamWriter(resultsSheet); x.err != nil {
		return x
	}
	if x.bad, x.err = x.f.NewStreamWriter(errorsSheet); x.err != nil {
		return x
	}
	head := make([]any, len(x.cols))
	for i, c := range x.cols {
		head[i] = c.header
	}
	x.nRes, x.nErr = 1, 1
	if x.err = x.results.SetRow("A1", head); x.err != nil {
		return x
	}
	x.err = x.bad.SetRow("A1", errorsHeader)
	return x
}

func (x *xlsxResults) row(res *batchRowResult) error {
	if x.err != nil {
		return x.err
	}
	vals := make([]any, len(x.cols))
	for i, c := range x.cols {
		vals[i] = c.value(res)
	}
	x.nRes++
	cell, _ := excelize.CoordinatesToCellName(1, x.nRes)
	if err := x.results.SetRow(cell, vals); err != nil {
		return err
	}
	for _, e := range res.Errors {
		x.nErr++
		cell, _ := excelize.CoordinatesToCellName(1, x.nErr)
		if err := x.bad.SetRow(cell, []any{e.Row, e.Column, e.Pointer, e.Code, e.Detail}); err != nil {
			return err
		}
	}
	return nil
}

func (x *xlsxResults) send(c echo.Context) error {
	var buf bytes.Buffer
	if err := x.writeTo(&buf); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="alcarbon-batch-results.xlsx"`)
	return c.Blob(http.StatusOK, mimeXLSX, buf.Bytes())
}

// writeTo finishes the workbook and writes it to w. The stream writers
// keep large sheets in temporary files, not in memory.
func (x *xlsxResults) writeTo(w io.Writer) error {
	defer x.f.Close()
	if x.err != nil {
		return x.err
	}
	if err := x.results.Flush(); err != nil {
		return err
	}
	if err := x.bad.Flush(); err != nil {
		return err
	}
	_, err := x.f.WriteTo(w)
	return err
}
