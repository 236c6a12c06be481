// Command echo is the load-test baseline, built from the same echo v4 as
// alcarbon. It serves two baselines:
//
//   - POST /echo: a bare JSON handler that decodes a small body and
//     encodes it back;
//
//   - GET or POST /same/{name}: a handler that reads the request body and answers
//     with the bytes of the file {name} in the folder given as the second
//     argument — the project's own response to that request, captured from
//     the running server: the ceiling for serving that answer at all;
//
//   - GET or POST /same-headers/{name}: the same, with the response
//     headers alcarbon sends with a cached answer (a request id made per
//     request as alcarbon makes it, the four security headers, X-Cache,
//     Vary, ETag, Content-Length): the ceiling for serving that answer as
//     the API documents it.
//
// Usage: echo [addr] [folder].
package main

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"

	"github.com/labstack/echo/v4"
)

func main() {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.POST("/echo", func(c echo.Context) error {
		var v map[string]any
		if err := c.Bind(&v); err != nil {
			return err
		}
		return c.JSON(http.StatusOK, v)
	})
	addr := ":8081"
	if len(os.Args) > 1 {
		addr = os.Args[1]
	}
	if len(os.Args) > 2 {
		files, err := filepath.Glob(filepath.Join(os.Args[2], "*"))
		if err != nil {
			os.Exit(1)
		}
		for _, f := range files {
			answer, err := os.ReadFile(f)
			if err != nil {
				os.Exit(1)
			}
			e.Match([]string{http.MethodGet, http.MethodPost}, "/same/"+filepath.Base(f), func(c echo.Context) error {
				if _, err := io.Copy(io.Discard, c.Request().Body); err != nil {
					return err
				}
				return c.JSONBlob(http.StatusOK, answer)
			})
			length := strconv.Itoa(len(answer))
			e.Match([]string{http.MethodGet, http.MethodPost}, "/same-headers/"+filepath.Base(f), func(c echo.Context) error {
				if _, err := io.Copy(io.Discard, c.Request().Body); err != nil {
					return err
				}
				var id [8]byte
				_, _ = rand.Read(id[:])
				h := c.Response().Header()
				h.Set("X-Request-ID", hex.EncodeToString(id[:]))
				h.Set("X-Content-Type-Options", "nosniff")
				h.Set("X-Frame-Options", "DENY")
				h.Set("Referrer-Policy", "no-referrer")
				h.Set("Cross-Origin-Resource-Policy", "same-origin")
				h.Set("X-Cache", "hit-memory")
				h.Set("Vary", "Accept-Encoding")
				h.Set("ETag", `"0123456789abcdef0123456789abcdef"`)
				h.Set("Content-Length", length)
				return c.JSONBlob(http.StatusOK, answer)
			})
		}
	}
	if err := e.Start(addr); err != nil && err != http.ErrServerClosed {
		os.Exit(1)
	}
}
