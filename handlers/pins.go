package handlers

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/components/present"
	"github.com/atrium-dev/atrium/store"
)

// Pins pins customers to their user's start page.
type Pins struct {
	Frame  Frame
	IDs    customerIDs
	Visits Visits
	Logger *slog.Logger
}

// Pin handles POST /customers/:id/pin (pinned=true or false, name): pins the
// customer for the signed-in user, or unpins it. htmx gets the button in its
// new state (or, refused, in its old one saying why); a browser without
// script returns to the customer page.
func (h *Pins) Pin(c echo.Context) error {
	id, _, err := customerIDOf(c, h.IDs)
	if err != nil {
		return err
	}
	sess, _ := SessionFrom(c)
	pinned := c.FormValue("pinned") == "true"
	// The name is shown to this user alone, on their start page, until they
	// open the customer again.
	name := strings.TrimSpace(c.FormValue("name"))
	if name == "" || utf8.RuneCountInString(name) > 200 {
		name = id
	}
	v := store.Visit{Subject: sess.Principal.Subject, CustomerID: id, Name: name, PinnedAt: time.Now()}
	err = h.Visits.Pin(c.Request().Context(), v, pinned, MaxPins)
	var problem string
	status := http.StatusOK
	switch {
	case errors.Is(err, store.ErrTooManyPins):
		problem, status = fmt.Sprintf("You have pinned %d customers, the most there can be: unpin one on the start page first.", MaxPins), http.StatusConflict
	case err != nil:
		h.Logger.ErrorContext(c.Request().Context(), "pin customer", "customer", id, "err", err)
		problem, status = "Atrium could not save this just now. Try again in a moment.", http.StatusServiceUnavailable
	}
	if !isHTMX(c) {
		if problem == "" {
			return c.Redirect(http.StatusSeeOther, present.CustomerURL(id))
		}
		m := components.ErrorPage{Layout: h.Frame.Layout(c, "Not pinned"), Status: status, Heading: "Not pinned", Message: problem,
			Action: &components.Link{Label: "Back to the customer", Href: present.CustomerURL(id)}}
		return render(c, status, components.Error(m))
	}
	if problem != "" {
		pinned = !pinned // unchanged
	}
	m := present.Pin(id, name, pinned, sess.CSRFToken)
	m.Problem = problem
	return render(c, status, components.PinButton(*m))
}
