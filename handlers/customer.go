package handlers

import (
	"context"
	"net/http"
	"regexp"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/components/present"
	"github.com/atrium-dev/atrium/customer"
)

// Composer composes customer pages.
type Composer interface {
	Page(ctx context.Context, id string) (*customer.Page, error)
}

// Customer serves the unified customer page.
type Customer struct {
	Frame    Frame
	Composer Composer
}

var customerID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Show handles GET /customers/:id.
func (h *Customer) Show(c echo.Context) error {
	id := c.Param("id")
	if !customerID.MatchString(id) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no customer with this id.")
	}
	page, err := h.Composer.Page(c.Request().Context(), id)
	if err != nil {
		return err
	}
	m := present.CustomerPage(page, c.Request().URL.Path, time.Now())
	m.Layout = h.Frame.Layout(c, m.Header.Name)
	return render(c, http.StatusOK, components.Customer(m))
}
