package handlers

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/atrium-dev/atrium/audit"
	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/components/present"
	"github.com/atrium-dev/atrium/customer"
	"github.com/atrium-dev/atrium/legacy"
	"github.com/atrium-dev/atrium/policy"
)

// Composer composes customer pages.
type Composer interface {
	// CustomerID returns the canonical form of a customer id, or an error
	// matching customer.ErrNotFound when it can name no customer.
	CustomerID(id string) (string, error)
	Stream(ctx context.Context, v policy.Viewer, id string, budget time.Duration) (*customer.Stream, error)
	Panel(ctx context.Context, v policy.Viewer, id, source, facet string) (customer.Panel, error)
	Timeline(ctx context.Context, v policy.Viewer, id string, f customer.TimelineFilter, budget time.Duration) (customer.Timeline, error)
	// Sees reports whether v may see anything of source.
	Sees(v policy.Viewer, source string) bool
}

// Customer serves the unified customer page.
type Customer struct {
	Frame    Frame
	Composer Composer
	// Budget is how long the page waits for its slowest panel before offering
	// to load it on its own.
	Budget time.Duration
	// Policy decides which actions (linking customers) are each viewer's;
	// what they may see the composer decides.
	Policy *policy.Rules
	// Tools are the legacy tools embedded on the page.
	Tools []legacy.Tool
	// Audit records each view of a customer and each link decision.
	Audit Auditor
	// Fragments keeps the rendered panels of warm pages (nil: none kept).
	Fragments *components.FragmentCache
	// Recents notes the customers each user opens, for their start page;
	// nil keeps nothing.
	Recents *Recents
}

// may reports whether the signed-in viewer may take action.
func (h *Customer) may(c echo.Context, action string) bool {
	return h.Policy.Action(ViewerFrom(c), action)
}

var (
	customerID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	panelPart  = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
)

// customerID returns the canonical id of the request's customer, or an error
// matching customer.ErrNotFound (answered 404 "Customer not found") before
// anything is fetched. moved reports that the request named the customer
// otherwise (a Salesforce id in 15 characters, or in 18 of another case):
// GETs are then sent to the canonical address, so that every page, panel and
// timeline has one, for links and caches alike.
func (h *Customer) customerID(c echo.Context) (id string, moved bool, err error) {
	return customerIDOf(c, h.Composer)
}

// customerIDs make customer ids canonical.
type customerIDs interface {
	CustomerID(id string) (string, error)
}

// customerIDOf is the canonical id of the request's customer (see
// Customer.customerID).
func customerIDOf(c echo.Context, ids customerIDs) (id string, moved bool, err error) {
	raw := c.Param("id")
	if !customerID.MatchString(raw) {
		return "", false, fmt.Errorf("%w: %q", customer.ErrNotFound, raw)
	}
	if id, err = ids.CustomerID(raw); err != nil {
		return "", false, err
	}
	return id, id != raw, nil
}

// moved redirects to the canonical address of what was asked for, with its
// query.
func moved(c echo.Context, canonical string) error {
	if q := c.QueryString(); q != "" {
		canonical += "?" + q
	}
	return c.Redirect(http.StatusMovedPermanently, canonical)
}

// Show handles GET /customers/:id. The response is streamed: the header and a
// placeholder per panel first, then each panel as its source answers.
func (h *Customer) Show(c echo.Context) error {
	id, isMoved, err := h.customerID(c)
	if err != nil {
		return err
	}
	if isMoved {
		return moved(c, present.CustomerURL(id))
	}
	s, err := h.Composer.Stream(c.Request().Context(), ViewerFrom(c), id, h.Budget)
	if err != nil {
		return err
	}
	sources := sourcesOf(append([]customer.Panel{s.Header}, s.Slots...), func(p customer.Panel) string {
		if p.Source == customer.TimelineSource || !h.Composer.Sees(ViewerFrom(c), p.Source) {
			return "" // the merged timeline: its systems are the others'
		}
		return p.Source
	})
	var admin *present.Admin
	if h.may(c, policy.ActionLink) {
		sess, _ := SessionFrom(c)
		admin = &present.Admin{CSRFToken: sess.CSRFToken}
	}
	var tools *present.Tools
	if sess, ok := SessionFrom(c); ok && len(h.Tools) > 0 {
		p := sess.Principal
		tools = &present.Tools{List: h.Tools, User: legacy.User{Subject: p.Subject, Email: p.Email, Name: p.Name, Groups: p.Groups},
			CanvasHost: h.Frame.Assets.CanvasHost, Allow: func(t legacy.Tool) bool { return h.Policy.Tool(ViewerFrom(c), t.ID) }}
	}
	m := present.CachedCustomerStream(s, time.Now, admin, tools, h.Fragments)
	m.Layout = h.Frame.Layout(c, m.Header.Name)
	fromSearch(c, &m)
	h.Recents.onCustomerPage(c, id, &m)
	// Tell buffering proxies to pass each flushed panel on at once.
	c.Response().Header().Set("X-Accel-Buffering", "no")
	err = render(c, http.StatusOK, components.Customer(m))
	// Recorded once the page is written, with the restricted fields it
	// showed (all of them, as every panel has arrived by then).
	record(h.Audit, c, audit.Event{Kind: audit.KindCustomerView, Customer: id, Outcome: "ok",
		Sources: sources, Fields: s.Restricted()})
	return err
}

// Panel handles GET /customers/:id/panels/:source/:facet: one panel, alone for
// the retry button of a panel that failed or was late, as a page when opened
// at its address.
func (h *Customer) Panel(c echo.Context) error {
	source, facet := c.Param("source"), c.Param("facet")
	id, isMoved, err := h.customerID(c)
	if err != nil {
		return err
	}
	if !panelPart.MatchString(source) || !panelPart.MatchString(facet) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such panel.")
	}
	if isMoved {
		return moved(c, present.PanelURL(id, source, facet))
	}
	p, err := h.Composer.Panel(c.Request().Context(), ViewerFrom(c), id, source, facet)
	if errors.Is(err, customer.ErrNoSuchPanel) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such panel.")
	}
	if err != nil {
		return err
	}
	pm := present.Panel(id, p, time.Now())
	if c.QueryParam(present.RefreshedParam) != "" {
		pm.Refresh = "" // asked again once, not polled
	}
	return h.renderPanel(c, id, pm)
}

// Timeline handles GET /customers/:id/timeline?source=&kind=&page=: the merged
// activity panel, filtered and paged, for htmx to swap in place, and as a page
// when opened at its address (filters and pages are pushed to the URL).
func (h *Customer) Timeline(c echo.Context) error {
	id, isMoved, err := h.customerID(c)
	if err != nil {
		return err
	}
	if isMoved {
		return moved(c, present.TimelineURL(id, customer.TimelineFilter{}))
	}
	f := customer.TimelineFilter{Source: c.QueryParam("source"), Kind: c.QueryParam("kind")}
	if (f.Source != "" && !panelPart.MatchString(f.Source)) || (f.Kind != "" && !panelPart.MatchString(f.Kind)) {
		return echo.NewHTTPError(http.StatusBadRequest, "Unknown filter: choose a system or kind from the list.")
	}
	if p := c.QueryParam("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 10000 {
			return echo.NewHTTPError(http.StatusBadRequest, "The page must be a number from 1.")
		}
		f.Page = n
	}
	t, err := h.Composer.Timeline(c.Request().Context(), ViewerFrom(c), id, f, h.Budget)
	if err != nil {
		return err
	}
	record(h.Audit, c, audit.Event{Kind: audit.KindCustomerView, Customer: id, Outcome: "ok", Detail: "timeline",
		Sources: slices.Sorted(maps.Keys(t.Sources))})
	return h.renderPanel(c, id, present.Panel(id, customer.TimelinePanel(t), time.Now()))
}
