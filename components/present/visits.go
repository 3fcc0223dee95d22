package present

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/store"
)

// PinURL is where customer id is pinned and unpinned.
func PinURL(id string) string { return CustomerURL(id) + "/pin" }

// Pin is the pin button of customer id, named name.
func Pin(id, name string, pinned bool, csrf string) *components.PinControl {
	return &components.PinControl{Action: PinURL(id), CSRFToken: csrf, Name: name, Pinned: pinned}
}

// Visits splits a user's visits into their pinned customers, by name, and
// those opened lately but not pinned, last opened first.
func Visits(vs []store.Visit, now time.Time) (pinned, recent []components.VisitItem) {
	var pins []store.Visit
	for _, v := range vs {
		if v.Pinned() {
			pins = append(pins, v)
			continue
		}
		recent = append(recent, visitItem(v, now))
	}
	slices.SortStableFunc(pins, func(a, b store.Visit) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.CustomerID, b.CustomerID))
	})
	for _, v := range pins {
		pinned = append(pinned, visitItem(v, now))
	}
	return pinned, recent
}

func visitItem(v store.Visit, now time.Time) components.VisitItem {
	it := components.VisitItem{Name: cmp.Or(v.Name, v.CustomerID), Href: CustomerURL(v.CustomerID)}
	if !v.OpenedAt.IsZero() {
		it.Opened = "opened " + Ago(now.Sub(v.OpenedAt))
		it.When = v.OpenedAt.UTC().Format(time.RFC3339)
	}
	return it
}
