package handlers

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/atrium-dev/atrium/audit"
	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/components/present"
	"github.com/atrium-dev/atrium/customer"
	"github.com/atrium-dev/atrium/policy"
	"github.com/atrium-dev/atrium/store"
)

// LinkDecider takes admins' decisions about how a customer's records in
// different systems are linked.
type LinkDecider interface {
	CustomerID(id string) (string, error)
	DecideLink(ctx context.Context, who policy.Viewer, id, source, record, decision string) error
	LinkSubject(ctx context.Context, v policy.Viewer, id, source, record string) (customer.LinkSubject, error)
}

// Links serves admins' link decisions on the customer page.
type Links struct {
	Frame   Frame
	Decider LinkDecider
	// Policy decides who may change how customers are linked.
	Policy *policy.Rules
	// Audit records each decision and its outcome.
	Audit Auditor
}

// Decide handles POST /customers/:id/links: an admin confirms, splits, adds
// or takes back (decision "cleared") the link of a linked system's record,
// then returns to the page. A decision refused is answered with what was
// wrong and the way back: a page, or for htmx the words alone, in place.
func (h *Links) Decide(c echo.Context) error {
	id, _, err := customerIDOf(c, h.Decider)
	if err != nil {
		return err
	}
	source, rec, decision := c.FormValue("source"), strings.TrimSpace(c.FormValue("record")), c.FormValue("decision")
	err = h.Decider.DecideLink(c.Request().Context(), ViewerFrom(c), id, source, rec, decision)
	outcome := "ok"
	if err != nil {
		outcome = "refused"
	}
	record(h.Audit, c, audit.Event{Kind: audit.KindLinkDecision, Customer: id, Sources: []string{source}, Outcome: outcome,
		Detail: decision + " " + source + " record " + rec})
	switch {
	case errors.Is(err, customer.ErrNotAllowed):
		return h.refuse(c, id, http.StatusForbidden, "Only an admin may change how customers are linked.",
			"Ask someone in an admin group.")
	case errors.Is(err, customer.ErrBadLink):
		return h.refuse(c, id, http.StatusBadRequest,
			"The link was not changed: "+strings.TrimPrefix(err.Error(), customer.ErrBadLink.Error()+": ")+".",
			"Check the record id in the system it belongs to and try again.")
	case err != nil:
		return err
	}
	if isHTMX(c) {
		// The whole page changes: its panels show the new link.
		c.Response().Header().Set("HX-Redirect", present.CustomerURL(id))
		return c.NoContent(http.StatusOK)
	}
	return c.Redirect(http.StatusSeeOther, present.CustomerURL(id))
}

// refuse answers a decision that was not taken.
func (h *Links) refuse(c echo.Context, id string, status int, message, hint string) error {
	if isHTMX(c) {
		return render(c, status, components.LinkProblem(message+" "+hint))
	}
	m := components.ErrorPage{Layout: h.Frame.Layout(c, "Link not changed"), Status: status,
		Heading: "Link not changed", Message: message, Hint: hint,
		Action: &components.Link{Label: "Back to the customer", Href: present.CustomerURL(id)}}
	return render(c, status, components.Error(m))
}

// ConfirmSplit handles GET /customers/:id/links/split?source=&record=: the
// question "Split this record from the customer?" before the split is
// posted, as a page, or for htmx in place of the button that asked it
// (and, with cancel=1, that button again).
func (h *Links) ConfirmSplit(c echo.Context) error {
	id, isMoved, err := customerIDOf(c, h.Decider)
	if err != nil {
		return err
	}
	source, record := c.QueryParam("source"), strings.TrimSpace(c.QueryParam("record"))
	if isMoved {
		return moved(c, present.LinksURL(id)+"/split")
	}
	if !h.Policy.Action(ViewerFrom(c), policy.ActionLink) {
		return h.refuse(c, id, http.StatusForbidden, "Only an admin may change how customers are linked.",
			"Ask someone in an admin group.")
	}
	if c.QueryParam("cancel") != "" && isHTMX(c) {
		return render(c, http.StatusOK, components.SplitButton(present.SplitURL(id, source, record)))
	}
	s, err := h.Decider.LinkSubject(c.Request().Context(), ViewerFrom(c), id, source, record)
	if errors.Is(err, customer.ErrBadLink) {
		return h.refuse(c, id, http.StatusBadRequest,
			"There is nothing to split: "+strings.TrimPrefix(err.Error(), customer.ErrBadLink.Error()+": ")+".",
			"Go back to the customer and use the button on the panel of the system.")
	}
	if err != nil {
		return err
	}
	sess, _ := SessionFrom(c)
	m := present.SplitQuestion(s, sess.CSRFToken)
	m.Decision = store.DecisionSplit
	if isHTMX(c) {
		m.CancelFragment = present.SplitURL(id, source, record) + "&cancel=1"
		return render(c, http.StatusOK, components.LinkQuestion(m))
	}
	m.Layout = h.Frame.Layout(c, "Not this customer?")
	return render(c, http.StatusOK, components.LinkConfirmPage(m))
}
