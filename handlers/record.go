package handlers

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/components/present"
	"github.com/atrium-dev/atrium/customer"
	"github.com/atrium-dev/atrium/policy"
)

// Records finds the records of linked systems.
type Records interface {
	Record(ctx context.Context, v policy.Viewer, source, id string) (customer.Record, error)
}

// Record serves the page of a record no customer is linked to, opened from a
// search hit found only outside the primary system.
type Record struct {
	Frame   Frame
	Records Records
}

// Show handles GET /records/:source/:id.
func (h *Record) Show(c echo.Context) error {
	id := c.Param("id")
	r, err := h.Records.Record(c.Request().Context(), ViewerFrom(c), c.Param("source"), id)
	if errors.Is(err, customer.ErrNoSuchRecord) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such record. Search for the customer instead.")
	}
	if err != nil {
		return err
	}
	m := present.RecordPage(r, id, time.Now())
	m.Layout = h.Frame.Layout(c, m.Header.Name)
	return render(c, http.StatusOK, components.Record(m))
}
