package present

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/customer"
)

// TimelineURL is the fragment URL of customer id's activity, filtered.
func TimelineURL(id string, f customer.TimelineFilter) string {
	q := url.Values{}
	if f.Source != "" {
		q.Set("source", f.Source)
	}
	if f.Kind != "" {
		q.Set("kind", f.Kind)
	}
	if f.Page > 1 {
		q.Set("page", strconv.Itoa(f.Page))
	}
	u := CustomerURL(id) + "/timeline"
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// timeline maps one page of merged activity.
func timeline(id string, t *customer.Timeline) *components.Timeline {
	f := t.Filter
	out := &components.Timeline{}
	with := func(mod func(*customer.TimelineFilter)) string {
		g := customer.TimelineFilter{Source: f.Source, Kind: f.Kind}
		mod(&g)
		return TimelineURL(id, g)
	}
	out.Sources = append(out.Sources, components.Filter{Label: "All systems", Active: f.Source == "",
		Href: with(func(g *customer.TimelineFilter) { g.Source = "" })})
	var names []string
	for name := range t.Sources {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		out.Sources = append(out.Sources, components.Filter{Label: t.Sources[name], Active: f.Source == name,
			Href: with(func(g *customer.TimelineFilter) { g.Source = name })})
	}
	out.Kinds = append(out.Kinds, components.Filter{Label: "All kinds", Active: f.Kind == "",
		Href: with(func(g *customer.TimelineFilter) { g.Kind = "" })})
	for _, k := range t.Kinds {
		out.Kinds = append(out.Kinds, components.Filter{Label: pluralNoun(capitalize(k)), Active: f.Kind == k,
			Href: with(func(g *customer.TimelineFilter) { g.Kind = k })})
	}
	for _, a := range t.Items {
		it := components.TimelineItem{
			When: a.At.Local().Format("2 Jan 2006"), WhenISO: a.At.UTC().Format("2006-01-02T15:04:05Z"),
			Source: a.SourceTitle, Kind: a.Kind, Title: a.Title, URL: safeHref(a.URL),
		}
		eventStatus(&it, a.Status)
		if a.Amount.Valid {
			it.Amount = Cell(a.Amount).Text
		}
		out.Items = append(out.Items, it)
	}
	if t.Total > 0 {
		first := (f.Page-1)*customer.TimelinePerPage + 1
		out.Showing = fmt.Sprintf("%s–%s of %s", Number(float64(first)), Number(float64(first+len(t.Items)-1)), Number(float64(t.Total)))
	}
	if f.Page > 1 {
		out.Prev = TimelineURL(id, customer.TimelineFilter{Source: f.Source, Kind: f.Kind, Page: f.Page - 1})
	}
	if f.Page < t.Pages {
		out.Next = TimelineURL(id, customer.TimelineFilter{Source: f.Source, Kind: f.Kind, Page: f.Page + 1})
	}
	out.Note = missing(t.Incomplete)
	return out
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// pluralNoun makes an English plural of a record kind: "Cases", "Opportunities".
func pluralNoun(s string) string {
	switch {
	case strings.HasSuffix(s, "y") && !strings.HasSuffix(s, "ey") && !strings.HasSuffix(s, "ay"):
		return s[:len(s)-1] + "ies"
	case strings.HasSuffix(s, "s") || strings.HasSuffix(s, "x") || strings.HasSuffix(s, "ch") || strings.HasSuffix(s, "sh"):
		return s + "es"
	}
	return s + "s"
}
