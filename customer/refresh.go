package customer

import "context"

// RefreshPanel fetches one panel of a customer fresh from its system, for a
// person who asks to see it as it is now: what the source keeps of the
// record's facet is dropped first (in this instance, in the shared cache and,
// through the bus, in every other instance), and a linked system's record is
// resolved again. Errors are Panel's.
func (c *Composer) RefreshPanel(ctx context.Context, v Viewer, id, source, facet string) (Panel, error) {
	return c.panel(ctx, v, id, source, facet, true)
}
