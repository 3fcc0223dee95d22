package handlers

import (
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/atrium-dev/atrium/audit"
	"github.com/atrium-dev/atrium/auth"
)

// Auditor keeps the audit trail (audit.Trail): Record must not wait for
// the database.
type Auditor interface {
	Record(audit.Event)
}

// record adds ev to the trail, with who asked and from where.
func record(a Auditor, c echo.Context, ev audit.Event) {
	if a == nil {
		return
	}
	if s, ok := SessionFrom(c); ok && ev.Actor == (audit.Actor{}) {
		ev.Actor = auditActor(s.Principal)
	}
	ev.Client = c.RealIP()
	a.Record(ev)
}

func auditActor(p auth.Principal) audit.Actor {
	return audit.Actor{Subject: p.Subject, Email: p.Email, Name: p.Name}
}

// sourcesOf lists, once each and in order, the sources of a page's panels.
func sourcesOf[P any](panels []P, source func(P) string) []string {
	var out []string
	for _, p := range panels {
		if s := source(p); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
