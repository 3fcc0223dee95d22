package present

import (
	"fmt"
	"net/url"
	"time"

	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/customer"
)

// RecordURL is the page of a linked system's record that no customer is
// linked to.
func RecordURL(source, id string) string {
	return "/records/" + url.PathEscape(source) + "/" + url.PathEscape(id)
}

// RecordPage maps a record found only outside the primary system.
func RecordPage(r customer.Record, id string, now time.Time) components.RecordView {
	h := header(r.Header, "", now)
	if r.Header.State != customer.StateOK {
		h.Name = r.Header.SourceTitle + " record " + id
	}
	h.Subtitle = r.Header.SourceTitle + " record " + id
	name := h.Name
	return components.RecordView{
		Header: h,
		Note:   notLinked(r.PrimaryTitle),
		How: fmt.Sprintf("On the customer's page, an admin enters %s in the %s panel's “%s record id” field.",
			id, r.Header.SourceTitle, r.Header.SourceTitle),
		Search: components.Link{Label: "Search for “" + name + "”", Href: "/search?q=" + url.QueryEscape(name)},
	}
}

func notLinked(primary string) string {
	return fmt.Sprintf("Not linked to a %s customer yet; an admin can link it on the customer's page.", primary)
}
