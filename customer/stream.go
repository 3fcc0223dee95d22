package customer

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/policy"
	"github.com/atrium-dev/atrium/store"
)

// StateLate marks a panel whose source had not answered when the page's budget
// ran out; the page offers to load it on its own.
const StateLate State = 100

// Stream is a customer page whose panels arrive as their sources answer.
type Stream struct {
	ID     string
	Header Panel
	// Slots lists every panel of the page in display order, without data: the
	// page renders a placeholder for each before any arrives.
	Slots []Panel
	// Panels delivers each panel once, in the order they complete. It is closed
	// when every panel has arrived or the page budget has run out; panels still
	// missing then arrive first as StateLate.
	Panels <-chan Panel

	restricted *restricted
}

// Restricted names the restricted fields the viewer was shown on the page
// so far (source/facet/field, sorted): once Panels is closed, all of them.
func (s *Stream) Restricted() []string {
	if s.restricted == nil {
		return nil
	}
	return s.restricted.list()
}

// restricted gathers the restricted fields a page showed, for its record in
// the audit trail.
type restricted struct {
	mu    sync.Mutex
	shown map[string]bool
}

func (r *restricted) add(red policy.Redaction) {
	if len(red.Shown) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.shown == nil {
		r.shown = map[string]bool{}
	}
	for _, f := range red.Shown {
		r.shown[f] = true
	}
}

func (r *restricted) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Sorted(maps.Keys(r.shown))
}

// Stream fetches the header facet (it decides whether the customer exists)
// and, at the same time, the primary source's other facets, which need nothing
// from it; then it starts each linked source (the resolution of its record by
// the header's keys, then its facets) and returns at once. It fails only when
// the customer does not exist: an id the primary's adapter refuses (see
// CustomerID) fails before any call. The stream's ID is the canonical id.
func (c *Composer) Stream(ctx context.Context, v Viewer, id string, budget time.Duration) (*Stream, error) {
	// The budget covers the whole page, the header's fetch included.
	deadline := time.Now().Add(budget)
	if !c.policy.Source(v, c.primary.Name) {
		return nil, ErrForbidden
	}
	id, err := c.CustomerID(id)
	if err != nil {
		return nil, err
	}
	s := &Stream{ID: id, restricted: &restricted{}}
	var (
		own       []adapters.FacetSpec
		header    adapters.FacetSpec
		hasHeader bool
	)
	for _, spec := range c.primary.Adapter.Facets() {
		if spec.Header && !hasHeader {
			header, hasHeader = spec, true
			continue
		}
		own = append(own, spec)
		s.Slots = append(s.Slots, Panel{Source: c.primary.Name, SourceTitle: c.primary.Title, Spec: spec})
	}
	for _, src := range c.linked {
		for _, spec := range panelSpecs(src) {
			s.Slots = append(s.Slots, Panel{Source: src.Name, SourceTitle: src.Title, Spec: spec})
		}
	}
	fetched := len(s.Slots)
	hidden := 0
	for _, src := range c.linked {
		if _, ok := headerSpec(src); ok {
			hidden++
		}
	}
	s.Slots = append([]Panel{{Source: TimelineSource, SourceTitle: allSystems, Spec: summarySpec}}, s.Slots...)
	s.Slots = append(s.Slots, Panel{Source: TimelineSource, SourceTitle: allSystems, Spec: timelineSpec})
	// Buffered for every slot, so that fetches finishing after the budget, or
	// after the customer turned out not to exist, never block or leak.
	done := make(chan Panel, len(s.Slots)+hidden)
	ownCtx, cancelOwn := context.WithCancel(ctx)
	for _, spec := range own {
		go func() { done <- c.fetch(ownCtx, v, c.primary, spec, id) }()
	}
	if hasHeader {
		s.Header = c.fetch(ctx, v, c.primary, header, id)
		s.restricted.add(s.Header.Redaction)
		if s.Header.State == StateError && s.Header.Problem.Cause == CauseNotFound {
			cancelOwn()
			return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
		}
	}
	keys := c.anchorKeys(s.Header, id)
	decided := c.decided(ctx, id)
	for _, src := range c.linked {
		go c.streamLinked(ctx, v, src, id, keys, decided[src.Name], done)
	}
	out := make(chan Panel, len(s.Slots))
	go func() {
		defer close(out)
		defer cancelOwn()
		timer := time.NewTimer(time.Until(deadline))
		defer timer.Stop()
		arrived := map[string]bool{}
		got := []Panel{s.Header}
		// The summary and the timeline come last, from whatever arrived.
		defer func() {
			if ctx.Err() == nil {
				out <- c.summaryPanel(id, got)
				t := TimelinePanel(BuildTimeline(got, TimelineFilter{}))
				t.Version = derivedVersion("timeline", got, true)
				out <- t
			}
		}()
		for range fetched + hidden {
			select {
			case p := <-done:
				got = append(got, p)
				s.restricted.add(p.Redaction)
				if p.Hidden {
					continue
				}
				arrived[p.Source+"/"+p.Spec.Name] = true
				out <- p
			case <-timer.C:
				for _, slot := range s.Slots[1 : fetched+1] {
					if !arrived[slot.Source+"/"+slot.Spec.Name] {
						slot.State = StateLate
						slot.Problem = &Problem{Cause: CauseLate, Source: slot.SourceTitle, Retry: true}
						got = append(got, slot)
						out <- slot
					}
				}
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	s.Panels = out
	return s, nil
}

// summaryPanel says what the systems that answered say together.
func (c *Composer) summaryPanel(id string, panels []Panel) Panel {
	now := c.now()
	sum := BuildSummary(panels, c.golden, now)
	sum.Links[c.primary.Name] = id
	return Panel{Source: TimelineSource, SourceTitle: allSystems, Spec: summarySpec, State: StateOK, Summary: &sum,
		Version: summaryVersion(panels, now)}
}

// allSystems is the source title of the panels that no one system supplies.
const allSystems = "All systems"

// summarySpec is the across-systems panel, first on the page.
var summarySpec = adapters.FacetSpec{Name: "summary", Title: "Across systems"}

// headerSpec returns a source's header facet, if it has one.
func headerSpec(src Source) (adapters.FacetSpec, bool) {
	for _, spec := range src.Adapter.Facets() {
		if spec.Header {
			return spec, true
		}
	}
	return adapters.FacetSpec{}, false
}

// TimelinePanel is the merged activity panel showing t.
func TimelinePanel(t Timeline) Panel {
	return Panel{Source: TimelineSource, SourceTitle: allSystems, Spec: timelineSpec, State: StateOK, Timeline: &t}
}

// anchorKeys are the keys linked records are found by: those the header facet
// carries, and at least the customer's own id.
func (c *Composer) anchorKeys(header Panel, id string) []adapters.Key {
	var keys []adapters.Key
	if header.Facet != nil {
		keys = append(keys, header.Facet.Keys...)
	}
	return append(keys, adapters.Key{Kind: adapters.KeyExternalID, Value: id})
}

// panelSpecs are the facets of a linked source shown as panels: all but its
// header, which feeds identity resolution.
func panelSpecs(src Source) []adapters.FacetSpec {
	var out []adapters.FacetSpec
	for _, spec := range src.Adapter.Facets() {
		if !spec.Header {
			out = append(out, spec)
		}
	}
	return out
}

// streamLinked resolves the customer's record in src, then fetches its facets,
// sending one panel per facet to done.
func (c *Composer) streamLinked(ctx context.Context, v Viewer, src Source, id string, keys []adapters.Key, ds []store.LinkDecision, done chan<- Panel) {
	specs := panelSpecs(src)
	hs, hasHeader := headerSpec(src)
	if !c.policy.Source(v, src.Name) {
		// Not even searched for the customer's record: whether it has one
		// there is the source's data too.
		for _, spec := range specs {
			done <- c.forbidden(src, spec)
		}
		if hasHeader {
			p := c.forbidden(src, hs)
			p.Hidden = true
			done <- p
		}
		return
	}
	res := c.resolve(ctx, src, id, func() []adapters.Key { return keys }, ds)
	splits := splitsOf(ds)
	if res.Link == nil {
		for _, spec := range specs {
			done <- c.unlinked(ctx, src, spec, res, splits)
		}
		if hasHeader {
			done <- Panel{Source: src.Name, SourceTitle: src.Title, Spec: hs, State: StateNotLinked, Hidden: true}
		}
		return
	}
	var wg sync.WaitGroup
	if hasHeader {
		wg.Go(func() {
			p := c.fetch(ctx, v, src, hs, res.Link.ID)
			p.Link, p.Hidden = res.Link, true
			done <- p
		})
	}
	for _, spec := range specs {
		wg.Go(func() {
			p := c.fetch(ctx, v, src, spec, res.Link.ID)
			p.Link, p.Splits = res.Link, splits
			done <- p
		})
	}
	wg.Wait()
}

// unlinked is the panel of a source where no single record was linked.
func (c *Composer) unlinked(ctx context.Context, src Source, spec adapters.FacetSpec, res Resolution, splits []Split) Panel {
	p := Panel{Source: src.Name, SourceTitle: src.Title, Spec: spec, Splits: splits}
	switch {
	case len(res.Rivals) > 0:
		p.State = StateConflict
		p.Candidates = res.Candidates
		names := make([]string, 0, len(res.Rivals))
		for _, r := range res.Rivals {
			names = append(names, r.Name)
		}
		p.Problem = &Problem{Message: fmt.Sprintf("The %s record found also matches %s, by %s = %s.",
			src.Title, strings.Join(names, ", "), res.Candidates[0].Rule, res.Candidates[0].Value),
			Hint: "It is not shown until an admin links it to the right customer."}
	case len(res.Candidates) > 0:
		p.State = StateConflict
		p.Candidates = res.Candidates
		p.Problem = &Problem{Message: fmt.Sprintf("%d records in %s match this customer equally well.", len(res.Candidates), src.Title),
			Hint: "None is shown until an admin links the right one."}
	case res.Err != nil:
		p.State = StateError
		p.Problem = problemOf(ctx, src, res.Err)
		c.logger.WarnContext(ctx, "identity resolution failed", "source", src.Name, "err", res.Err)
	case len(splits) > 0:
		// Not "no record matches": one did, and a person split it off.
		p.State = StateNotLinked
		p.Problem = &Problem{Message: fmt.Sprintf("Not linked in %s: split off by hand.", src.Title),
			Hint: fmt.Sprintf("No other %s record shares this customer's id, email or domain.", src.Title)}
	default:
		p.State = StateNotLinked
		p.Problem = &Problem{Message: fmt.Sprintf("Not linked in %s.", src.Title),
			Hint: fmt.Sprintf("No %s record shares this customer's id, email or domain.", src.Title)}
	}
	return p
}

// ErrNoSuchPanel means the page has no panel of that source and facet.
var ErrNoSuchPanel = errors.New("no such panel")

// Panel fetches one panel of a customer on its own, for a retry. An id the
// primary's adapter refuses fails with ErrNotFound before any call.
func (c *Composer) Panel(ctx context.Context, v Viewer, id, source, facet string) (Panel, error) {
	return c.panel(ctx, v, id, source, facet, false)
}

// panel fetches one panel; fresh drops what is kept of it first (see
// RefreshPanel).
func (c *Composer) panel(ctx context.Context, v Viewer, id, source, facet string, fresh bool) (Panel, error) {
	if !c.policy.Source(v, c.primary.Name) {
		return Panel{}, ErrForbidden
	}
	id, err := c.CustomerID(id)
	if err != nil {
		return Panel{}, err
	}
	src, linked := c.primary, false
	if source != c.primary.Name {
		if src, linked = c.linkedSource(source); !linked {
			return Panel{}, ErrNoSuchPanel
		}
	}
	specs := panelSpecs(src)
	i := slices.IndexFunc(specs, func(s adapters.FacetSpec) bool { return s.Name == facet })
	if i < 0 {
		return Panel{}, ErrNoSuchPanel
	}
	if !c.allowed(v, src, specs[i]) {
		return c.forbidden(src, specs[i]), nil
	}
	if !linked {
		if fresh {
			invalidate(ctx, src, id, facet)
		}
		return c.fetch(ctx, v, src, specs[i], id), nil
	}
	if fresh {
		c.resolved.drop(resolutionKey(src.Name, id))
	}
	ds := c.decided(ctx, id)[src.Name]
	res := c.resolveLinked(ctx, src, id, ds)
	if res.Link == nil {
		return c.unlinked(ctx, src, specs[i], res, splitsOf(ds)), nil
	}
	if fresh {
		invalidate(ctx, src, res.Link.ID, facet)
	}
	p := c.fetch(ctx, v, src, specs[i], res.Link.ID)
	p.Link, p.Splits = res.Link, splitsOf(ds)
	return p, nil
}
