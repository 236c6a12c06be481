package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"

	"github.com/labstack/echo/v4"

	"alcarbon/calc"
	"alcarbon/internal/httpx"
	"alcarbon/registry"
)

// FieldProblem names one invalid field by RFC 6901 JSON pointer and says
// what is allowed.
type FieldProblem struct {
	Pointer string `json:"pointer" example:"/electricity/sources/1/share"`
	Detail  string `json:"detail" example:"must be between 0 and 1"`
	// Code is the error's stable code, for a client to word and translate it: out_of_range, not_allowed, required, unknown_field, wrong_type, unknown_value, invalid_date, shares_sum, no_factor, one_of_required, mutually_exclusive, requires, together, not_used, too_long, wrong_count, before_start, duplicate, not_omittable, not_in_route, invalid_period, not_multiple_of, sum_exceeds, needs_dataset, must_match, invalid_epw, not_representable, belongs_to_portfolio, unrepresentable_range, not_numeric, invalid_pointer, draft_dataset, no_registry, wrong_kind, drives_work, no_coefficient, sums_to_zero, no_output_left, no_site_data, no_sunrise, invalid_format, empty_file, unknown_column, duplicate_column, no_columns, invalid_csv, not_xlsx, unreadable_sheet, xlsx_too_large, line_too_long, unsupported_charset, no_rows, unreadable_file, too_many_rows, too_many_bytes, or invalid (any other rule; word it by detail).
	Code string `json:"code,omitempty" example:"out_of_range"`
	// Params are the code's parameters (out_of_range: min, max, exclusive_min, unit, got; not_allowed: allowed, got; unknown_field: allowed, got; wrong_type: expected, got; unknown_value: kind, got, allowed when listed; invalid_date: got; shares_sum: sum; no_factor: kind, region, year when given; one_of_required: fields, of which one is needed; mutually_exclusive: fields, of which at most one may be given; requires: fields, one of which this field needs; together: fields, to give all or none of; not_used: used_by, the kinds, fuels or visibility that use the field, or distribution, the one that does not; too_long: max, got (characters); wrong_count: min and max when bounded, got (items); before_start: start; duplicate: got; not_omittable: step; not_in_route: step, product, route; invalid_period: got; not_multiple_of: step, unit, got; sum_exceeds: max, sum; needs_dataset: from, the first dataset version that reads the field, and dataset, the one asked for; must_match: want, the value the request fixes (the request's dataset, the address's country), got; invalid_epw: line, field (1-based, as the EPW data dictionary numbers a line's fields) when one is at fault, and min, max, got, unit when a value is outside the model's range; not_representable: expected (number or integer), got (the JSON number as written); belongs_to_portfolio: want, the pointer of the portfolio's field; unrepresentable_range: from, to, steps; not_numeric: parameter; invalid_pointer: got, the pointer, and reason: not_in_schema (at, allowed), not_an_index (at, token), no_field (at, token), not_a_value, no_element (token, length when the base has the array) or not_container (token); draft_dataset: dataset, released; no_registry: none; wrong_kind: want, got (declaration kinds); drives_work: units, what the field adds to the cost [work units]; no_coefficient: technology, method; sums_to_zero: none; no_output_left: pct_per_year (the degradation), year; no_site_data: site, data (irradiation or coordinates); no_sunrise: latitude, month (1–12), got, unit; invalid_format: format, one of email, phone or unlocode, got; a batch file refused as a whole has one error, at pointer "" (the file): empty_file, no_columns, not_xlsx, unreadable_sheet, no_rows, unreadable_file: none; unknown_column: column (its spreadsheet letter), got (its header); duplicate_column: columns (their letters), got (the column path both name); invalid_csv: row (where the quoting breaks); xlsx_too_large: max, what a workbook may unzip to [bytes]; line_too_long: row (the JSON line), max [bytes]; unsupported_charset: got, allowed (the charsets the format takes); too_many_rows: max, the most rows a file may have on this server; too_many_bytes: max [bytes], and for a file of up to sync_rows rows, answered at once, over ALCARBON_BODY_LIMIT: got [bytes], sync_rows). Fields are JSON field names (of the object at or near pointer), not pointers.
	Params map[string]any `json:"params,omitempty" swaggertype:"object"`
}

// Problem is an RFC 9457 problem details object. Every error alcarbon
// answers has this shape, with Content-Type application/problem+json.
type Problem struct {
	Type      string         `json:"type" example:"about:blank"`
	Title     string         `json:"title" example:"Unprocessable Content"`
	Status    int            `json:"status" example:"422"`
	Detail    string         `json:"detail,omitempty" example:"the request has 1 invalid field"`
	Instance  string         `json:"instance,omitempty" example:"/v1/footprints/primary"`
	RequestID string         `json:"request_id,omitempty" example:"3f2c9a7e5b1d4c60"`
	Errors    []FieldProblem `json:"errors,omitempty"`
	// WorkUnits is what a request over the work budget would cost [work units, ≈ µs of CPU]; with MaxWorkUnits, the budget (ALCARBON_MAX_WORK). Only on that 422.
	WorkUnits    *int64 `json:"work_units,omitempty" example:"30200200"`
	MaxWorkUnits *int64 `json:"max_work_units,omitempty" example:"2000000"`
}

func (p *Problem) Error() string { return p.Title + ": " + p.Detail }

// problem returns a Problem with the standard title of status.
func problem(status int, detail string) *Problem {
	return &Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail}
}

// invalid returns a 422 problem listing field errors.
func invalid(fields []FieldProblem) *Problem {
	p := problem(http.StatusUnprocessableEntity, "")
	if len(fields) == 1 {
		p.Detail = "the request has 1 invalid field: " + fields[0].Pointer + " " + fields[0].Detail
	} else {
		p.Detail = "the request has invalid fields; see errors"
	}
	for i := range fields {
		if fields[i].Code == "" {
			fields[i].Code = codeInvalid
		}
	}
	p.Errors = fields
	return p
}

// Field error codes besides out_of_range and not_allowed (bounds.go); the
// params of each are listed on FieldProblem.Params.
const (
	codeRequired     = "required"
	codeUnknownField = "unknown_field"
	codeWrongType    = "wrong_type"
	codeUnknownValue = "unknown_value"
	codeInvalidDate  = "invalid_date"
	codeInvalid      = "invalid"
)

// errorHandler turns every error a handler or middleware returns into a
// problem+json response. Typed errors are mapped once here; anything else is
// a 500 whose truth goes to the log, never to the client.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		p := toProblem(err)
		switch {
		case errors.Is(err, calc.ErrInterrupted), errors.Is(err, errInterruptedBeforeStart):
			// The client hung up or the write timeout passed: nobody
			// reads the answer, and it is not a server error.
			clientGone := c.Request().Context().Err() != nil && !errors.Is(c.Request().Context().Err(), context.DeadlineExceeded)
			p = interruptedProblem(clientGone)
			log.Info("calculation stopped", "request_id", httpx.RequestID(c), "path", c.Request().URL.Path, "status", p.Status, "reason", err.Error())
		case errors.Is(err, errBusy):
			c.Response().Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
		case p.Status >= 500:
			log.Error("request failed", "request_id", httpx.RequestID(c), "method", c.Request().Method,
				"path", c.Request().URL.Path, "status", p.Status, "error", err.Error())
		}
		p.Instance = c.Request().URL.Path
		p.RequestID = httpx.RequestID(c)
		if p.Status == http.StatusMethodNotAllowed {
			// echo sets Allow on the response already.
			p.Detail = "method " + c.Request().Method + " is not allowed on this path"
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(p.Status)
			return
		}
		c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
		_ = c.JSON(p.Status, p)
	}
}

func toProblem(err error) *Problem {
	var (
		p     *Problem
		in    *calc.InputError
		he    *echo.HTTPError
		dataE *calc.DataError
	)
	switch {
	case errors.As(err, &p):
		return p
	case errors.Is(err, calc.ErrInterrupted), errors.Is(err, errInterruptedBeforeStart):
		return interruptedProblem(false)
	case errors.Is(err, errBusy):
		return problem(http.StatusServiceUnavailable, "the server is running as many heavy calculations (uncertainty, scenarios, PV) as it has slots for (ALCARBON_HEAVY_SLOTS); retry after the Retry-After seconds")
	case errors.As(err, &in):
		// The engine names Go paths; every caller maps them into its
		// request (calcErrorIn) before they get here. Should one slip
		// through, the client still gets a 422 with the path's fields in
		// snake_case (the mapping's fallback), never a 500.
		return calcErrorIn(reflect.TypeFor[struct{}](), err).(*Problem)
	case errors.As(err, &dataE):
		return problem(http.StatusInternalServerError, "internal error")
	case errors.Is(err, registry.ErrNotFound):
		return problem(http.StatusNotFound, err.Error())
	case errors.Is(err, registry.ErrConflict):
		return problem(http.StatusConflict, err.Error())
	case errors.Is(err, registry.ErrForbidden):
		return problem(http.StatusForbidden, err.Error())
	case errors.Is(err, registry.ErrInvalid):
		return problem(http.StatusUnprocessableEntity, err.Error())
	case errors.Is(err, registry.ErrUnavailable):
		return problem(http.StatusServiceUnavailable, "the declaration registry is unavailable; calculations still work — retry later")
	case errors.As(err, &he):
		p := problem(he.Code, "")
		switch he.Code {
		case http.StatusNotFound:
			p.Detail = "no such endpoint; see /swagger/index.html"
		case http.StatusRequestEntityTooLarge:
			p.Detail = "the request body is larger than the configured limit (ALCARBON_BODY_LIMIT)"
		case http.StatusMethodNotAllowed:
		default:
			if he.Code < 500 {
				if m, ok := he.Message.(string); ok {
					p.Detail = m
				}
			} else {
				p = problem(he.Code, "internal error")
			}
		}
		return p
	}
	return problem(http.StatusInternalServerError, "internal error")
}
