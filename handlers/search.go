package handlers

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/components/present"
	"github.com/atrium-dev/atrium/customer"
	"github.com/atrium-dev/atrium/policy"
)

// Searcher finds customers.
type Searcher interface {
	Search(ctx context.Context, v policy.Viewer, text string, limit int) customer.SearchResult
	// SourceTitles names the systems searched.
	SourceTitles() []string
}

// Search serves the search page and, for htmx, the result fragment.
type Search struct {
	Frame    Frame
	Searcher Searcher
}

const maxQuery = 200

// Show handles GET / and GET /search?q=.
func (h *Search) Show(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	if utf8.RuneCountInString(q) > maxQuery {
		return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("The search text is too long: use at most %d characters.", maxQuery))
	}
	results := components.SearchResults{Query: q, Sources: present.Titles(h.Searcher.SourceTitles())}
	if q != "" {
		res := h.Searcher.Search(c.Request().Context(), ViewerFrom(c), q, 50)
		results = present.SearchResults(q, res)
	}
	m := components.SearchPage{Layout: h.Frame.Layout(c, "Customers"), Results: results}
	m.Layout.Query = q
	if q != "" {
		m.Layout.Title = q + " – search"
	}
	if isHTMX(c) {
		return render(c, http.StatusOK, components.Results(results))
	}
	return render(c, http.StatusOK, components.Search(m))
}
