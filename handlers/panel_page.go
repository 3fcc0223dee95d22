package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/components/present"
)

// wantsFragment reports whether the request wants a panel alone, for htmx to
// swap in place. A normal request (a reload, a new tab, a shared link) and
// htmx restoring a page missing from its history cache want the whole page.
func wantsFragment(c echo.Context) bool {
	return isHTMX(c) && c.Request().Header.Get("HX-History-Restore-Request") != "true"
}

// renderPanel answers one panel of customer id: alone for htmx, else as a page
// with a way back to the customer. Each address has one meaning for people and
// for htmx alike; only the frame differs.
func (h *Customer) renderPanel(c echo.Context, id string, p components.Panel) error {
	// The same URL answers a fragment or a page: caches must tell them apart.
	c.Response().Header().Add(echo.HeaderVary, "HX-Request")
	if wantsFragment(c) {
		return render(c, http.StatusOK, components.PanelCard(p))
	}
	p.Slot = "" // no page's slot to fill
	m := components.PanelPage{
		Layout: h.Frame.Layout(c, p.Title),
		Back:   components.Link{Label: "Customer page", Href: present.CustomerURL(id)},
		Panel:  p,
	}
	return render(c, http.StatusOK, components.PanelPageView(m))
}
