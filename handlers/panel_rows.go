package handlers

import (
	"cmp"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/atrium-dev/atrium/audit"
	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/components/present"
	"github.com/atrium-dev/atrium/customer"
)

// maxRowsAsked bounds the rows one request may ask for; a source's tables
// are bounded anyway (max_rows).
const maxRowsAsked = 10000

// tablePanel checks the address of a panel's table and returns its canonical
// customer id. moved reports that the customer was named otherwise.
func (h *Customer) tablePanel(c echo.Context) (id, source, facet string, moved bool, err error) {
	source, facet = c.Param("source"), c.Param("facet")
	if id, moved, err = h.customerID(c); err != nil {
		return "", "", "", false, err
	}
	if !panelPart.MatchString(source) || !panelPart.MatchString(facet) {
		return "", "", "", false, echo.NewHTTPError(http.StatusNotFound, "There is no such panel.")
	}
	return id, source, facet, moved, nil
}

// fetchTable fetches the panel of a table route.
func (h *Customer) fetchTable(c echo.Context, id, source, facet string) (customer.Panel, error) {
	p, err := h.Composer.Panel(c.Request().Context(), ViewerFrom(c), id, source, facet)
	if errors.Is(err, customer.ErrNoSuchPanel) {
		return p, echo.NewHTTPError(http.StatusNotFound, "There is no such panel.")
	}
	return p, err
}

// rowsWindow reads the window of rows a request asks for.
func rowsWindow(c echo.Context) (present.Window, error) {
	var w present.Window
	num := func(name string, lo, hi int, dst *int) error {
		v := c.QueryParam(name)
		if v == "" {
			return nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("“%s” must be a number from %d to %d.", name, lo, hi))
		}
		*dst = n
		return nil
	}
	if err := errors.Join(num("from", 0, 1_000_000, &w.From), num("rows", 1, maxRowsAsked, &w.Rows), num("sort", 1, 100, &w.Sort)); err != nil {
		return w, err
	}
	switch c.QueryParam("dir") {
	case "", "asc":
	case "desc":
		w.Desc = true
	default:
		return w, echo.NewHTTPError(http.StatusBadRequest, "“dir” must be asc or desc.")
	}
	return w, nil
}

// Rows handles GET /customers/:id/panels/:source/:facet/rows?from=&rows=&sort=&dir=:
// rows of a panel's table, sorted by column sort (from 1) in direction dir
// when asked. htmx gets, from row from onwards, rows (50 by default) to
// append to the table with its note and controls updated, or from row 0 the
// table whole (a sort); a browser without script gets the panel as a page
// with every row up to these, so that "Load more" works as a plain link.
func (h *Customer) Rows(c echo.Context) error {
	id, source, facet, isMoved, err := h.tablePanel(c)
	if err != nil {
		return err
	}
	w, err := rowsWindow(c)
	if err != nil {
		return err
	}
	if isMoved {
		return moved(c, present.RowsURL(id, source, facet))
	}
	p, err := h.fetchTable(c, id, source, facet)
	if err != nil {
		return err
	}
	fragment := wantsFragment(c)
	if !fragment {
		w.Rows, w.From = w.From+cmp.Or(w.Rows, present.TablePage), 0
	}
	m, err := present.PanelRows(id, p, time.Now(), w)
	switch {
	case errors.Is(err, present.ErrNoTable):
		return echo.NewHTTPError(http.StatusNotFound, "This panel has no table.")
	case errors.Is(err, present.ErrNoSuchColumn):
		return echo.NewHTTPError(http.StatusBadRequest, "The table has no such column to sort by: choose one of its headers.")
	case err != nil:
		return err
	}
	if !fragment {
		return h.renderPanel(c, id, m)
	}
	c.Response().Header().Add(echo.HeaderVary, "HX-Request")
	if m.Problem != nil {
		// The source failed since the page was shown: the panel says so in
		// place of the rows, with its retry.
		c.Response().Header().Set("HX-Retarget", "#panel-"+m.ID)
		c.Response().Header().Set("HX-Reswap", "outerHTML")
		return render(c, http.StatusOK, components.PanelCard(m))
	}
	if w.From == 0 {
		return render(c, http.StatusOK, components.TableBlock(*m.Table))
	}
	return render(c, http.StatusOK, components.TableMore(*m.Table))
}

// Export handles GET /customers/:id/panels/:source/:facet/rows.csv: every
// row of a panel's table the source gave, as the panel shows them, as a CSV
// download.
func (h *Customer) Export(c echo.Context) error {
	id, source, facet, isMoved, err := h.tablePanel(c)
	if err != nil {
		return err
	}
	if isMoved {
		return moved(c, present.ExportURL(id, source, facet))
	}
	p, err := h.fetchTable(c, id, source, facet)
	if err != nil {
		return err
	}
	m := present.PanelExport(p, time.Now())
	switch {
	case m.Problem != nil && m.Problem.Muted:
		return echo.NewHTTPError(http.StatusNotFound, m.Problem.Message)
	case m.Problem != nil:
		return echo.NewHTTPError(http.StatusServiceUnavailable, strings.TrimSpace(m.Problem.Message+" "+m.Problem.Hint))
	case m.Table == nil:
		return echo.NewHTTPError(http.StatusNotFound, "This panel has no table to download.")
	}
	record(h.Audit, c, audit.Event{Kind: audit.KindCustomerView, Customer: id, Sources: []string{source}, Outcome: "ok",
		Detail: "CSV export of " + source + " " + facet + " (" + strconv.Itoa(len(m.Table.Rows)) + " rows)"})
	hdr := c.Response().Header()
	hdr.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	hdr.Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": present.ExportName(id, source, facet)}))
	hdr.Set("X-Content-Type-Options", "nosniff")
	c.Response().WriteHeader(http.StatusOK)
	return components.WriteCSV(c.Response(), *m.Table)
}
