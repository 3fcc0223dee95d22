package customer

import (
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

// derivedVersion names what a panel derived from panels (the summary, the
// timeline) shows: the versions of the facets it was built from, in the
// order they arrived (the first system to supply a metric gives it), and
// extra, whatever else it depends on. It is "" (unknown, rendered afresh)
// when a panel it reads has no version, or, if failures are shown (the
// timeline names the systems missing from it), when one failed: a
// failure's words carry times of their own.
func derivedVersion(kind string, panels []Panel, failuresShown bool, extra ...string) string {
	h := sha256.New()
	h.Write([]byte(kind))
	for _, p := range panels {
		switch {
		case p.State == StateOK && p.Facet != nil:
			if p.Facet.Version == "" {
				return ""
			}
			h.Write([]byte("\x00" + p.Source + "\x00" + p.Spec.Name + "\x00" + p.Facet.Version))
		case failuresShown && (p.State == StateError || p.State == StateLate):
			return ""
		}
		// Panels without data (not linked, in conflict) add nothing.
	}
	for _, e := range extra {
		h.Write([]byte("\x00" + e))
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18])
}

// summaryVersion is derivedVersion of the summary as of now: it shows the
// invoices of the twelve months up to now, so the month and the number of
// invoices already due count too.
func summaryVersion(panels []Panel, now time.Time) string {
	due := 0
	for _, p := range panels {
		if p.State != StateOK || p.Facet == nil {
			continue
		}
		for _, e := range p.Facet.Events {
			if e.Kind == adapters.EventInvoice && !e.At.After(now) {
				due++
			}
		}
	}
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location())
	return derivedVersion("summary", panels, false, month.Format(time.RFC3339), strconv.Itoa(due))
}
