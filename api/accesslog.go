package api

import (
	"io"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"alcarbon/internal/httpx"
)

// accessLog writes one JSON line per request to w, after the error handler
// has produced the final status: the same object slog's JSONHandler would
// write for Info("request", …) with these attributes, so the access lines
// read like every other line of the log:
//
//	{"time":"…","level":"INFO","msg":"request","method":"POST",
//	 "route":"/v1/footprints/primary","path":"/v1/footprints/primary",
//	 "status":200,"latency_ms":0.432,"request_id":"…","client_ip":"…",
//	 "cache":"hit-memory","bytes":19334}
//
// The line is appended by hand into a pooled buffer and written with one
// Write: through slog the same line cost a cached answer 9 % of its CPU
// time under load (BENCHMARKS.md, issue 17), by hand about 1 %. w == nil
// writes no access lines (a log level above Info).
func accessLog(w io.Writer) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		if w == nil {
			return func(c echo.Context) error {
				if err := next(c); err != nil {
					c.Error(err)
				}
				return nil
			}
		}
		return func(c echo.Context) error {
			start := time.Now()
			if err := next(c); err != nil {
				c.Error(err)
			}
			req, res := c.Request(), c.Response()
			route := c.Path()
			if route == "" {
				route = "unmatched"
			}
			tier := ""
			if v := res.Header()[headerCache]; len(v) > 0 {
				tier = v[0]
			}
			buf := accessBuffers.Get().(*[]byte)
			*buf = appendAccessLine((*buf)[:0], accessLine{
				Time: start, Method: req.Method, Route: route, Path: req.URL.Path, Status: res.Status,
				Latency: time.Since(start), RequestID: httpx.RequestID(c), ClientIP: c.RealIP(),
				Cache: tier, Bytes: res.Size,
			})
			_, _ = w.Write(*buf) // a log that cannot be written does not fail the request
			accessBuffers.Put(buf)
			return nil
		}
	}
}

// accessLine is what the access log says of one request.
type accessLine struct {
	Time                                     time.Time
	Method, Route, Path, RequestID, ClientIP string
	Status                                   int
	Latency                                  time.Duration
	Cache                                    string // X-Cache: the cache tier that answered, or ""
	Bytes                                    int64  // response body bytes written
}

// accessBuffers reuses the buffers access lines are appended to.
var accessBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// appendAccessLine appends l as one JSON object and a newline, with the
// keys and value forms of slog's JSONHandler: time in RFC 3339 with
// nanoseconds, latency in milliseconds to the microsecond.
func appendAccessLine(b []byte, l accessLine) []byte {
	b = append(b, `{"time":"`...)
	b = l.Time.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":"INFO","msg":"request","method":`...)
	b = appendJSONString(b, l.Method)
	b = append(b, `,"route":`...)
	b = appendJSONString(b, l.Route)
	b = append(b, `,"path":`...)
	b = appendJSONString(b, l.Path)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(l.Status), 10)
	b = append(b, `,"latency_ms":`...)
	b = strconv.AppendFloat(b, float64(l.Latency.Microseconds())/1000, 'f', -1, 64)
	b = append(b, `,"request_id":`...)
	b = appendJSONString(b, l.RequestID)
	b = append(b, `,"client_ip":`...)
	b = appendJSONString(b, l.ClientIP)
	b = append(b, `,"cache":`...)
	b = appendJSONString(b, l.Cache)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, l.Bytes, 10)
	return append(b, "}\n"...)
}

// appendJSONString appends s as a JSON string (RFC 8259 §7) as slog and
// encoding/json write it without HTML escaping: '"', '\' and control
// characters escaped, invalid UTF-8 replaced by U+FFFD, and U+2028 and
// U+2029 escaped so the line is also valid JavaScript.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
