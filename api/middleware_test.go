package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestComposedOnce: the middleware's chain is built when the server is,
// not per request, and runs outermost first around the routed handler.
func TestComposedOnce(t *testing.T) {
	built := 0
	var order []string
	mw := func(name string) echo.MiddlewareFunc {
		return func(next echo.HandlerFunc) echo.HandlerFunc {
			built++
			return func(c echo.Context) error { order = append(order, name); return next(c) }
		}
	}
	e := echo.New()
	e.Use(composedOnce(mw("outer"), mw("inner")))
	e.GET("/a", func(c echo.Context) error { order = append(order, "a"); return c.NoContent(http.StatusNoContent) })
	e.GET("/b", withMiddleware(func(c echo.Context) error { order = append(order, "b"); return c.NoContent(http.StatusNoContent) }, mw("route")))
	for range 3 {
		for _, p := range []string{"/a", "/b"} {
			if rec := do(t, e, http.MethodGet, p, "", ""); rec.Code != http.StatusNoContent {
				t.Fatalf("%s: %d", p, rec.Code)
			}
		}
	}
	if built != 3 {
		t.Fatalf("middleware built %d times for 6 requests; want 3 (outer, inner, route), once each", built)
	}
	want := strings.Repeat("outer inner a outer inner route b ", 3)
	if got := strings.Join(order, " ") + " "; got != want {
		t.Fatalf("order %q, want %q", got, want)
	}
}
