package customer

import (
	"context"

	"github.com/atrium-dev/atrium/bus"
)

// Bus is what the composer needs of the bus (bus.Bus): to tell the other
// instances of a link decision, and to hear of theirs.
type Bus interface {
	Publish(ctx context.Context, m bus.Message) error
	Subscribe(kinds ...bus.Kind) (<-chan bus.Message, func())
}

// WithBus keeps the composer's reused identity resolutions in step with the
// other instances': a link decided on any of them drops the resolution of
// that customer and system here at once, instead of when it expires. The
// composer listens until the bus is closed.
func WithBus(b Bus) Option {
	return func(c *Composer) {
		c.bus = b
		msgs, _ := b.Subscribe(bus.LinkDecided) // ends when b closes
		go c.listen(msgs)
	}
}

func (c *Composer) listen(msgs <-chan bus.Message) {
	for m := range msgs {
		switch m.Kind {
		case bus.LinkDecided:
			c.resolved.drop(resolutionKey(m.Source, m.Customer))
		case bus.Resync: // decisions may have been missed: resolve everything again
			c.resolved.clear()
		}
	}
}

// publish tells the other instances of m; a bus that cannot be reached is
// logged, and the copies' own lifetimes bound what they miss.
func (c *Composer) publish(ctx context.Context, m bus.Message) {
	if c.bus == nil {
		return
	}
	if err := c.bus.Publish(ctx, m); err != nil {
		c.logger.WarnContext(ctx, "could not tell the other instances", "kind", m.Kind, "customer", m.Customer,
			"source", m.Source, "err", err)
	}
}

// Invalidator is an adapter that keeps copies of what it fetched, and can
// drop those of one record (facet "": every facet of it) so that the next
// fetch asks the system: a guarded adapter (guard.Guarded).
type Invalidator interface {
	Invalidate(ctx context.Context, id, facet string)
}

// invalidate drops what src keeps of its record id, if it keeps anything.
func invalidate(ctx context.Context, src Source, id, facet string) {
	if inv, ok := src.Adapter.(Invalidator); ok {
		inv.Invalidate(ctx, id, facet)
	}
}
