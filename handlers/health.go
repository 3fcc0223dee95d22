package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// Readiness reports whether the parts Atrium needs to serve users are ready.
type Readiness struct {
	// Checks name each part and report an error while it is not ready.
	Checks map[string]func(ctx context.Context) error
}

// Healthz handles GET /healthz: the process is alive.
func Healthz(c echo.Context) error { return c.String(http.StatusOK, "ok\n") }

// Readyz handles GET /readyz: 200 when every check passes, 503 and the reasons
// otherwise.
func (h *Readiness) Readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	out := map[string]string{}
	status := http.StatusOK
	for name, check := range h.Checks {
		if err := check(ctx); err != nil {
			out[name] = err.Error()
			status = http.StatusServiceUnavailable
		} else {
			out[name] = "ok"
		}
	}
	return c.JSON(status, map[string]any{"ready": status == http.StatusOK, "checks": out})
}
