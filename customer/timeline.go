package customer

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

// Activity is one event of the merged timeline, with the system it came from.
type Activity struct {
	adapters.Event
	Source      string
	SourceTitle string
}

// TimelineFilter narrows the timeline to one system and/or one kind of record,
// and picks a page (1-based).
type TimelineFilter struct {
	Source string
	Kind   string
	Page   int
}

// Timeline is one page of a customer's merged activity, newest first.
type Timeline struct {
	Items  []Activity
	Filter TimelineFilter
	// Sources and Kinds are every value present before filtering, for the
	// filter controls: source name → title, and kinds sorted.
	Sources map[string]string
	Kinds   []string
	Total   int // events matching the filter
	Pages   int
	// Incomplete lists the systems whose events are missing, each with what
	// happened to it (a failure, or late): one entry per system and cause.
	Incomplete []SourceProblem
}

// TimelinePerPage is the number of events on a timeline page.
const TimelinePerPage = 25

// timelineSpec is the panel the merged timeline is shown in.
var timelineSpec = adapters.FacetSpec{Name: "timeline", Title: "Activity"}

// TimelineSource names the pseudo-source of the timeline panel.
const TimelineSource = "all"

// BuildTimeline merges the events of every panel that loaded, newest first,
// then filters and paginates them.
func BuildTimeline(panels []Panel, f TimelineFilter) Timeline {
	t := Timeline{Filter: f, Sources: map[string]string{}}
	if t.Filter.Page < 1 {
		t.Filter.Page = 1
	}
	var all []Activity
	for _, p := range panels {
		if p.State != StateOK || p.Facet == nil {
			if (p.State == StateError || p.State == StateLate) && p.Problem != nil && !slices.ContainsFunc(t.Incomplete,
				func(sp SourceProblem) bool { return sp.Title == p.SourceTitle && *sp.Problem == *p.Problem }) {
				t.Incomplete = append(t.Incomplete, SourceProblem{Title: p.SourceTitle, Problem: p.Problem})
			}
			continue
		}
		for _, e := range p.Facet.Events {
			if e.At.IsZero() {
				continue
			}
			all = append(all, Activity{Event: e, Source: p.Source, SourceTitle: p.SourceTitle})
			t.Sources[p.Source] = p.SourceTitle
			if !slices.Contains(t.Kinds, e.Kind) {
				t.Kinds = append(t.Kinds, e.Kind)
			}
		}
	}
	sort.Strings(t.Kinds)
	sort.SliceStable(all, func(i, j int) bool { return all[i].At.After(all[j].At) })
	var matching []Activity
	for _, a := range all {
		if (f.Source == "" || a.Source == f.Source) && (f.Kind == "" || a.Kind == f.Kind) {
			matching = append(matching, a)
		}
	}
	t.Total = len(matching)
	t.Pages = max(1, (t.Total+TimelinePerPage-1)/TimelinePerPage)
	t.Filter.Page = min(t.Filter.Page, t.Pages)
	start := (t.Filter.Page - 1) * TimelinePerPage
	t.Items = matching[start:min(start+TimelinePerPage, t.Total)]
	return t
}

// Timeline composes the customer's panels within budget and returns one page of
// their merged activity.
func (c *Composer) Timeline(ctx context.Context, v Viewer, id string, f TimelineFilter, budget time.Duration) (Timeline, error) {
	s, err := c.Stream(ctx, v, id, budget)
	if err != nil {
		return Timeline{}, err
	}
	var panels []Panel
	for p := range s.Panels {
		if p.Timeline != nil {
			continue
		}
		panels = append(panels, p)
	}
	return BuildTimeline(append(panels, s.Header), f), nil
}
