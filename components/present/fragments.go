package present

import (
	"strings"
	"time"

	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/customer"
)

// viewerOf is the viewer's permission set as far as it changes a panel:
// today whether they are an admin, which decides the link controls.
func viewerOf(admin *Admin) string {
	if admin != nil {
		return "admin"
	}
	return ""
}

// cachedPanel is Panel(id, p, now), written from what fragments keeps of it
// when that is there: then the panel is neither mapped nor rendered again.
func cachedPanel(fragments *components.FragmentCache, id string, p customer.Panel, now time.Time, viewer string) components.Panel {
	k, ok := fragmentKey(id, p, now, viewer)
	if !ok || fragments == nil {
		return Panel(id, p, now)
	}
	f, hit := fragments.Fragment(k)
	if hit {
		return components.Panel{Fragment: f}
	}
	m := Panel(id, p, now)
	m.Fragment = f
	return m
}

// fragmentKey names what Panel(id, p, now) renders to for viewer, by
// everything it depends on; false when p cannot be named so (its data has
// no version, or it shows a problem, whose words carry times of their own).
// A change to Panel or to what it reads of p must be matched here.
func fragmentKey(id string, p customer.Panel, now time.Time, viewer string) (components.FragmentKey, bool) {
	k := components.FragmentKey{Customer: id, Source: p.Source, Facet: p.Spec.Name, Viewer: viewer}
	switch {
	case p.Timeline != nil || p.Summary != nil:
		k.Version = p.Version
	case p.State == customer.StateOK && p.Facet != nil && p.Problem == nil:
		k.Version = p.Facet.Version
		switch {
		case !p.Facet.FetchedAt.IsZero():
			k.Freshness = fetchedAgo(p.Facet, now) // says whether it is stale
		case p.Facet.Stale:
			k.Freshness = "stale" // the panel asks for itself again
		}
	}
	if k.Version == "" {
		return components.FragmentKey{}, false
	}
	if p.Link != nil {
		k.Link = p.Link.ID + "\x00" + p.Link.Provenance()
	}
	return k, true
}

// cachedHeader is the page's header, and where its rendered bytes are kept:
// when they are there already, only the name is mapped (for the title).
// Only a header that loaded, from a facet with a version, is kept.
func cachedHeader(fragments *components.FragmentCache, id string, p customer.Panel, now time.Time) (components.CustomerHeader, components.Fragment) {
	if fragments == nil || p.State != customer.StateOK || p.Facet == nil || p.Problem != nil || p.Facet.Version == "" {
		return header(p, CustomerURL(id), now), components.Fragment{}
	}
	k := components.FragmentKey{Customer: id, Source: p.Source, Facet: p.Spec.Name, Version: p.Facet.Version,
		Part: "header"}
	if !p.Facet.FetchedAt.IsZero() {
		k.Freshness = fetchedAgo(p.Facet, now)
	}
	f, hit := fragments.Fragment(k)
	if hit {
		return components.CustomerHeader{Name: headerName(p)}, f
	}
	return header(p, CustomerURL(id), now), f
}

// cachedSlots are the page's placeholders, and where their rendered bytes
// are kept, by what they show; nil when those are there already.
func cachedSlots(fragments *components.FragmentCache, slots []components.Slot) ([]components.Slot, components.Fragment) {
	if fragments == nil {
		return slots, components.Fragment{}
	}
	n := 0
	for _, s := range slots {
		n += len(s.ID) + len(s.Title) + len(s.Source) + 3
	}
	var b strings.Builder
	b.Grow(n)
	for _, s := range slots {
		b.WriteString(s.ID)
		b.WriteByte(0)
		b.WriteString(s.Title)
		b.WriteByte(0)
		b.WriteString(s.Source)
		b.WriteByte(1)
	}
	f, hit := fragments.Fragment(components.FragmentKey{Part: "placeholders", Version: b.String()})
	if hit {
		return nil, f
	}
	return slots, f
}
