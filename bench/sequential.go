package bench

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/components/present"
	"github.com/atrium-dev/atrium/customer"
	"github.com/atrium-dev/atrium/handlers"
)

// SequentialPath is where a Portal serves the sequential baseline of the
// customer page; the customer id follows.
const SequentialPath = "/bench/sequential/customers/"

// Sequential is the baseline the composer is measured against: the customer
// page as a composer without concurrency would serve it. It calls the same
// guarded adapter for every facet, one after another, then renders the same
// components. Its time to last byte is the sum of the facets' latencies.
type Sequential struct {
	Frame  handlers.Frame
	Source customer.Source
}

// Show handles GET SequentialPath + ":id" for a signed-in user.
func (h *Sequential) Show(c echo.Context) error {
	if _, ok := handlers.SessionFrom(c); !ok {
		return echo.NewHTTPError(http.StatusUnauthorized, "sign in first")
	}
	ctx := c.Request().Context()
	id := c.Param("id")
	var header customer.Panel
	var panels []customer.Panel
	for _, spec := range h.Source.Adapter.Facets() {
		p, err := h.fetch(ctx, spec, id)
		if spec.Header && errors.Is(err, adapters.ErrNotFound) {
			return echo.NewHTTPError(http.StatusNotFound, "There is no customer with this id.")
		}
		if spec.Header {
			header = p
			continue
		}
		panels = append(panels, p)
	}
	m := present.CustomerStream(Arrived(id, header, panels), time.Now, nil, nil)
	m.Layout = h.Frame.Layout(c, m.Header.Name)
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().WriteHeader(http.StatusOK)
	return components.Customer(m).Render(ctx, c.Response())
}

func (h *Sequential) fetch(ctx context.Context, spec adapters.FacetSpec, id string) (customer.Panel, error) {
	ctx, cancel := context.WithTimeout(ctx, h.Source.Timeout)
	defer cancel()
	start := time.Now()
	f, err := h.Source.Adapter.Fetch(ctx, adapters.FetchRequest{ID: id, Facet: spec.Name})
	p := customer.Panel{Source: h.Source.Name, SourceTitle: h.Source.Title, Spec: spec, Facet: f, Elapsed: time.Since(start)}
	if err != nil || f == nil {
		p.State, p.Facet = customer.StateError, nil
		p.Problem = &customer.Problem{Message: "Loading from " + h.Source.Title + " failed.", Retry: true}
	}
	return p, err
}

// Arrived is the stream of a customer page whose panels have all arrived:
// the slots, then every panel and the merged activity timeline, as the
// composer's stream of a one-source page delivers them. Rendered through
// present.CustomerStream, it gives the streamed page's very components.
func Arrived(id string, header customer.Panel, panels []customer.Panel) *customer.Stream {
	// The composer's own timeline panel; its spec is not exported.
	timelineSpec := adapters.FacetSpec{Name: "timeline", Title: "Activity"}
	s := &customer.Stream{ID: id, Header: header}
	out := make(chan customer.Panel, len(panels)+1)
	for _, p := range panels {
		s.Slots = append(s.Slots, customer.Panel{Source: p.Source, SourceTitle: p.SourceTitle, Spec: p.Spec})
		out <- p
	}
	t := customer.BuildTimeline(append([]customer.Panel{header}, panels...), customer.TimelineFilter{})
	tl := customer.Panel{Source: customer.TimelineSource, SourceTitle: "All systems", Spec: timelineSpec}
	s.Slots = append(s.Slots, tl)
	tl.State, tl.Timeline = customer.StateOK, &t
	out <- tl
	close(out)
	s.Panels = out
	return s
}
