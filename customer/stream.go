package customer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/atrium-dev/atrium/adapters"
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
}

// Stream fetches the header facet (it decides whether the customer exists), then
// starts every other panel concurrently and returns at once. It fails only when
// the customer does not exist.
func (c *Composer) Stream(ctx context.Context, id string, budget time.Duration) (*Stream, error) {
	specs := c.primary.Adapter.Facets()
	s := &Stream{ID: id}
	var rest []adapters.FacetSpec
	for _, spec := range specs {
		if spec.Header && s.Header.Spec.Name == "" {
			s.Header = c.fetch(ctx, c.primary, spec, id)
			if s.Header.State == StateError && s.Header.Problem == notFoundProblem {
				return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
			}
			continue
		}
		rest = append(rest, spec)
		s.Slots = append(s.Slots, Panel{Source: c.primary.Name, SourceTitle: c.primary.Title, Spec: spec})
	}
	// Buffered so that fetches finishing after the budget never block or leak.
	done := make(chan Panel, len(rest))
	for _, spec := range rest {
		go func() { done <- c.fetch(ctx, c.primary, spec, id) }()
	}
	out := make(chan Panel, len(rest))
	go func() {
		defer close(out)
		timer := time.NewTimer(budget)
		defer timer.Stop()
		arrived := map[string]bool{}
		for range rest {
			select {
			case p := <-done:
				arrived[p.Spec.Name] = true
				out <- p
			case <-timer.C:
				for _, slot := range s.Slots {
					if !arrived[slot.Spec.Name] {
						slot.State = StateLate
						slot.Problem = &Problem{Message: fmt.Sprintf("Still loading from %s.", slot.SourceTitle),
							Hint: "Load it again in a moment.", Retry: true}
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

// ErrNoSuchPanel means the page has no panel of that source and facet.
var ErrNoSuchPanel = errors.New("no such panel")

// Panel fetches one panel of a customer on its own, for a retry.
func (c *Composer) Panel(ctx context.Context, id, source, facet string) (Panel, error) {
	if source != c.primary.Name {
		return Panel{}, ErrNoSuchPanel
	}
	for _, spec := range c.primary.Adapter.Facets() {
		if spec.Name == facet && !spec.Header {
			return c.fetch(ctx, c.primary, spec, id), nil
		}
	}
	return Panel{}, ErrNoSuchPanel
}
