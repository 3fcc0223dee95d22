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
	b := make([]byte, 0, 512)
	b = append(b, kind...)
	for _, p := range panels {
		switch {
		case p.State == StateOK && p.Facet != nil:
			if p.Facet.Version == "" {
				return ""
			}
			b = append(b, 0)
			b = append(b, p.Source...)
			b = append(b, 0)
			b = append(b, p.Spec.Name...)
			b = append(b, 0)
			b = append(b, p.Facet.Version...)
		case failuresShown && (p.State == StateError || p.State == StateLate):
			return ""
		}
		// Panels without data (not linked, in conflict) add nothing.
	}
	for _, e := range extra {
		b = append(b, 0)
		b = append(b, e...)
	}
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:18])
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
