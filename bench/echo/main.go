// Command echo is the load-test baseline: a bare echo v4 JSON handler that
// decodes a small body and encodes it back, built from the same echo version
// as alcarbon.
package main

import (
	"net/http"
	"os"

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
	if err := e.Start(addr); err != nil && err != http.ErrServerClosed {
		os.Exit(1)
	}
}
