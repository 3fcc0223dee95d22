package present

import (
	"cmp"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/customer"
	"github.com/atrium-dev/atrium/legacy"
)

// Admin is what an admin's page needs to change identity links; nil for
// everyone else.
type Admin struct {
	CSRFToken string
}

// CustomerStream maps a streamed page. now is asked as each panel arrives, so
// freshness is measured when the panel is rendered. tools, when set, adds the
// legacy tools the user may use, opened on the customer once its links are
// known.
func CustomerStream(s *customer.Stream, now func() time.Time, admin *Admin, tools *Tools) components.CustomerPage {
	return CachedCustomerStream(s, now, admin, tools, nil)
}

// CachedCustomerStream is CustomerStream whose panels are written from what
// fragments keeps of them, and kept there once rendered (nil: none kept).
func CachedCustomerStream(s *customer.Stream, now func() time.Time, admin *Admin, tools *Tools, fragments *components.FragmentCache) components.CustomerPage {
	m := components.CustomerPage{}
	m.Header, m.HeaderFragment = cachedHeader(fragments, s.ID, s.Header, now())
	var usable []legacy.Tool
	if tools != nil {
		usable = tools.usable()
	}
	for _, slot := range s.Slots {
		// Tools come just before the timeline, the last panel.
		if slot.Source == customer.TimelineSource && slot.Spec.Name == "timeline" {
			for _, t := range usable {
				m.Slots = append(m.Slots, components.Slot{ID: toolID(t), Title: t.Title, Source: "Legacy tool"})
			}
		}
		m.Slots = append(m.Slots, components.Slot{ID: panelID(slot), Title: slot.Spec.Title, Source: slot.SourceTitle})
	}
	m.Slots, m.SlotsFragment = cachedSlots(fragments, m.Slots)
	// A system's link controls go on its first panel, whichever arrives
	// first.
	first := map[string]string{}
	for _, slot := range s.Slots {
		if _, ok := first[slot.Source]; !ok {
			first[slot.Source] = slot.Spec.Name
		}
	}
	m.Panels = func(yield func(components.Panel) bool) {
		viewer := viewerOf(admin)
		for p := range s.Panels {
			pm := cachedPanel(fragments, s.ID, p, now(), viewer)
			if first[p.Source] == p.Spec.Name {
				pm.Links = linkControls(s.ID, p, admin)
			}
			if !yield(pm) {
				return
			}
			if p.Summary != nil && len(usable) > 0 {
				v := legacy.View{User: tools.User, Customer: s.ID, Links: p.Summary.Links}
				for _, t := range usable {
					if !yield(tools.panel(t, v)) {
						return
					}
				}
			}
		}
	}
	return m
}

// Panel maps one panel of customer id, ready to fill its slot; a retry
// re-fetches just this panel.
func Panel(id string, p customer.Panel, now time.Time) components.Panel {
	if p.Timeline != nil {
		m := components.Panel{ID: panelID(p), Title: p.Spec.Title, Timeline: timeline(id, p.Timeline),
			Source: components.Source{Title: p.SourceTitle}}
		m.Slot = m.ID
		m.Count = Number(float64(p.Timeline.Total))
		return m
	}
	if p.Summary != nil {
		m := components.Panel{ID: panelID(p), Title: p.Spec.Title, Overview: overview(p.Summary),
			Source: components.Source{Title: p.SourceTitle}}
		m.Slot = m.ID
		return m
	}
	m := panel(p, CustomerURL(id), now)
	m.Slot = m.ID
	if m.Table != nil {
		m.Table, _ = window(m.Table, id, p, Window{Rows: TablePage}) // the source's order is always a valid one
	}
	if m.Problem != nil && m.Problem.Retry != "" {
		m.Problem.RetryFragment = PanelURL(id, p.Source, p.Spec.Name)
	}
	if d, ok := refreshAfter(p, now); ok {
		m.Refresh = PanelURL(id, p.Source, p.Spec.Name) + "?" + RefreshedParam + "=1"
		m.RefreshDelay = strconv.Itoa(int(d/time.Second)) + "s"
	}
	return m
}

// RefreshedParam marks the one re-fetch of a panel shown stale or with its
// source's breaker open: the panel it answers asks for no further one, so that
// a source that stays down is not polled by every open page.
const RefreshedParam = "refreshed"

// StaleRefreshDelay is how long a stale panel waits before asking for itself
// again: time for the background refresh its fetch started to land.
const StaleRefreshDelay = 5 * time.Second

// refreshAfter says whether, and after how long, the page should ask for p
// again: a stale panel once its background refresh has had time to finish, a
// panel whose source's breaker is open just after the breaker's retry time,
// so that "retrying at 14:05:30" is never still shown at 14:06.
func refreshAfter(p customer.Panel, now time.Time) (time.Duration, bool) {
	switch {
	case p.Facet != nil && p.Facet.Stale:
		return StaleRefreshDelay, true
	case p.Problem != nil && p.Problem.Cause == customer.CauseBreakerOpen && !p.Problem.RetryAt.IsZero():
		d := p.Problem.RetryAt.Sub(now).Truncate(time.Second) + time.Second
		if d > 10*time.Minute {
			return 0, false // by then the user will have reloaded
		}
		return max(d, time.Second), true
	}
	return 0, false
}

// CustomerURL is the page of customer id.
func CustomerURL(id string) string { return "/customers/" + url.PathEscape(id) }

// PanelURL is the fragment URL of one panel of customer id.
func PanelURL(id, source, facet string) string {
	return CustomerURL(id) + "/panels/" + url.PathEscape(source) + "/" + url.PathEscape(facet)
}

func panelID(p customer.Panel) string { return p.Source + "-" + p.Spec.Name }

// LinksURL is where decisions about customer id's links are posted.
func LinksURL(id string) string { return CustomerURL(id) + "/links" }

// linkControls are an admin's controls for a linked system's panel.
func linkControls(id string, p customer.Panel, admin *Admin) *components.LinkControls {
	if admin == nil || p.Source == customer.TimelineSource ||
		(p.Link == nil && p.State != customer.StateNotLinked && p.State != customer.StateConflict && len(p.Splits) == 0) {
		return nil
	}
	l := &components.LinkControls{Action: LinksURL(id), CSRFToken: admin.CSRFToken, Source: p.Source, SourceName: p.SourceTitle}
	switch {
	case p.Link != nil:
		l.Record = p.Link.ID
		l.Confirm = p.Link.Decision == ""
		l.Split = SplitURL(id, p.Source, p.Link.ID)
	case p.State == customer.StateConflict:
		for _, c := range p.Candidates {
			l.Candidates = append(l.Candidates, components.Candidate{ID: c.ID, Label: c.Name})
		}
		l.Add = true
	default:
		l.Add = true
	}
	for _, sp := range p.Splits {
		l.Undo = append(l.Undo, components.Candidate{ID: sp.RecordID, Label: sp.RecordID})
	}
	return l
}

// SplitURL asks to confirm that record of source is not customer id.
func SplitURL(id, source, record string) string {
	return LinksURL(id) + "/split?" + url.Values{"source": {source}, "record": {record}}.Encode()
}

// SplitNote says who split record off the customer, and when.
func SplitNote(s customer.Split) string {
	return fmt.Sprintf("%s was split off by hand by %s on %s.", s.RecordID, s.By, s.At.Local().Format("2 Jan 2006 15:04"))
}

// SplitQuestion asks an admin to confirm that s's record is not its
// customer.
func SplitQuestion(s customer.LinkSubject, csrf string) components.LinkConfirm {
	record := s.SourceTitle + " record " + s.RecordID
	if s.RecordName != "" {
		record += " (" + s.RecordName + ")"
	}
	name := cmp.Or(s.CustomerName, "this customer")
	self := CustomerURL(s.CustomerID)
	return components.LinkConfirm{
		Back:     components.Link{Label: cmp.Or(s.CustomerName, "Customer page"), Href: self},
		Question: "Split " + record + " from " + name + "?",
		Explain: "Its panels leave this customer's page, and the rules will not link it to " + name +
			" again. The split is recorded with your name; any admin can undo it on the page.",
		Action: LinksURL(s.CustomerID), CSRFToken: csrf, Source: s.Source, Record: s.RecordID,
		Submit: "Split", Cancel: self,
	}
}
