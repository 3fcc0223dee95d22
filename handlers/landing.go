package handlers

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/components/present"
	"github.com/atrium-dev/atrium/policy"
)

// SourceTitler names the systems searched.
type SourceTitler interface {
	SourceTitles() []string
}

// Landing serves the start page: the search, then the customers the user
// pinned and those they opened last.
type Landing struct {
	Frame   Frame
	Sources SourceTitler
	// Visits is nil when nothing is kept: the lists then say so.
	Visits Visits
	Logger *slog.Logger
	// Policy says whom a viewer without a role asks for access.
	Policy *policy.Rules
}

// Show handles GET /. A search given there (?q=) is the search page's.
func (h *Landing) Show(c echo.Context) error {
	if q := c.QueryParam(present.QueryParam); q != "" {
		return c.Redirect(http.StatusSeeOther, present.SearchURL(q))
	}
	m := components.LandingPage{Layout: h.Frame.Layout(c, "Customers"),
		Results: components.SearchResults{Sources: present.Titles(h.Sources.SourceTitles())}}
	sess, ok := SessionFrom(c)
	if ok && len(ViewerFrom(c).Roles) == 0 {
		m.Problem = &components.Problem{Message: "You have no access to customers yet.", Hint: h.Policy.NoAccess()}
		return render(c, http.StatusOK, components.Landing(m))
	}
	if ok && h.Visits != nil {
		vs, err := h.Visits.Visits(c.Request().Context(), sess.Principal.Subject)
		if err != nil {
			h.Logger.ErrorContext(c.Request().Context(), "read customer visits", "err", err)
			m.Problem = &components.Problem{Message: "Your pinned and recent customers cannot be read right now.",
				Hint: "Search for a customer meanwhile; they will be back once Atrium's store answers."}
		}
		m.Pinned, m.Recent = present.Visits(vs, time.Now())
	}
	return render(c, http.StatusOK, components.Landing(m))
}
