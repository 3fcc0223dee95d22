package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/components/present"
	"github.com/atrium-dev/atrium/customer"
	"github.com/atrium-dev/atrium/policy"
)

// PanelRefresher fetches a panel fresh from its system (customer.Composer).
type PanelRefresher interface {
	// CustomerID returns the canonical form of a customer id, or an error
	// matching customer.ErrNotFound.
	CustomerID(id string) (string, error)
	RefreshPanel(ctx context.Context, v policy.Viewer, id, source, facet string) (customer.Panel, error)
}

// PanelRefresh serves a panel's Refresh button.
type PanelRefresh struct {
	Refresher PanelRefresher
}

// Refresh handles POST /customers/:id/panels/:source/:facet/refresh: what
// Atrium keeps of the panel is dropped, on every instance, and the panel is
// fetched from its system. htmx gets the fresh panel to swap in place; a form
// posted without it returns to the customer page, which shows it.
func (h *PanelRefresh) Refresh(c echo.Context) error {
	raw, source, facet := c.Param("id"), c.Param("source"), c.Param("facet")
	if !customerID.MatchString(raw) {
		return fmt.Errorf("%w: %q", customer.ErrNotFound, raw)
	}
	if !panelPart.MatchString(source) || !panelPart.MatchString(facet) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such panel.")
	}
	id, err := h.Refresher.CustomerID(raw)
	if err != nil {
		return err
	}
	p, err := h.Refresher.RefreshPanel(c.Request().Context(), ViewerFrom(c), id, source, facet)
	if errors.Is(err, customer.ErrNoSuchPanel) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such panel.")
	}
	if err != nil {
		return err
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, present.CustomerURL(id)+"#panel-"+source+"-"+facet)
	}
	return render(c, http.StatusOK, components.PanelCard(present.Panel(id, p, time.Now())))
}
