package handlers

import (
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/components/present"
)

// fromSearch leads a customer page opened from search results back to them,
// and keeps the search in the header's box.
func fromSearch(c echo.Context, m *components.CustomerPage) {
	q := strings.TrimSpace(c.QueryParam(present.QueryParam))
	if q == "" || utf8.RuneCountInString(q) > maxQuery {
		return
	}
	m.Back, m.Layout.Query = present.BackToResults(q), q
}
