package rest

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/atrium-dev/atrium/adapters"
)

// Pagination styles.
const (
	PageNone     = "none"
	PageNumbered = "page"
	PageCursor   = "cursor"
	PageNextLink = "next_link"
)

// Pagination says how an endpoint's answer continues: `none`, or a mapping
// with a style.
type Pagination struct {
	// Style is none, page, cursor or next_link.
	Style string `yaml:"style"`
	// Param is the query parameter of the page number (page) or cursor.
	Param string `yaml:"param"`
	// SizeParam and Size ask for pages of Size records (page).
	SizeParam string `yaml:"size_param"`
	Size      int    `yaml:"size"`
	// Start is the number of the first page (page); defaults to 1.
	Start *int `yaml:"start"`
	// Next is jq over an answer yielding the next cursor (cursor) or the
	// next page's URL (next_link), or null on the last page.
	Next string `yaml:"next"`
}

// UnmarshalYAML reads `pagination: none` as well as a mapping.
func (p *Pagination) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		p.Style = n.Value
		return nil
	}
	type plain Pagination
	return n.Decode((*plain)(p))
}

// pager is a compiled Pagination.
type pager struct {
	style     string
	param     string
	sizeParam string
	size      int
	start     int
	next      *program
}

func (c *compiler) pagination(key string, p Pagination) pager {
	pg := pager{style: strings.TrimSpace(p.Style), param: strings.TrimSpace(p.Param),
		sizeParam: strings.TrimSpace(p.SizeParam), size: p.Size, start: 1}
	if p.Start != nil {
		pg.start = *p.Start
	}
	if pg.style == "" {
		pg.style = PageNone
	}
	unused := func(name string, set bool) {
		if set {
			c.p.add(key+"."+name, fmt.Sprintf("is not used by style %s", pg.style), "remove it, or change style")
		}
	}
	switch pg.style {
	case PageNone:
		unused("param", pg.param != "")
		unused("size_param", pg.sizeParam != "")
		unused("size", pg.size != 0)
		unused("start", p.Start != nil)
		unused("next", p.Next != "")
	case PageNumbered:
		if pg.param == "" {
			pg.param = "page"
		}
		if pg.sizeParam != "" && pg.size == 0 {
			pg.size = 50
		}
		if pg.size < 0 || pg.size > maxMaxItems {
			c.p.add(key+".size", fmt.Sprintf("%d is out of range", pg.size), fmt.Sprintf("use 1 to %d", maxMaxItems))
		}
		if pg.start < 0 {
			c.p.add(key+".start", "must not be negative", "use 0 or 1, as the system counts pages")
		}
		unused("next", p.Next != "")
	case PageCursor:
		if pg.param == "" {
			pg.param = "cursor"
		}
		pg.next = c.jq(key+".next", p.Next, true)
		unused("size_param", pg.sizeParam != "")
		unused("size", pg.size != 0)
		unused("start", p.Start != nil)
	case PageNextLink:
		pg.next = c.jq(key+".next", p.Next, true)
		unused("param", pg.param != "")
		unused("size_param", pg.sizeParam != "")
		unused("size", pg.size != 0)
		unused("start", p.Start != nil)
	default:
		c.p.add(key+".style", fmt.Sprintf("%q is not a pagination style", pg.style), "use none, page, cursor or next_link")
	}
	return pg
}

// page is what collect read.
type page struct {
	items []any
	first any  // the first answer, for Total
	none  bool // the items expression selected nothing on the first page
}

// collect reads the records of an endpoint from u on, page after page, up to
// limit records (zero: the endpoint's max_items, if any).
func (a *Adapter) collect(ctx context.Context, ep *endpoint, u *url.URL, limit int, fetch bool) (page, error) {
	var out page
	if ep.maxItems > 0 && (limit == 0 || limit > ep.maxItems) {
		limit = ep.maxItems
	}
	pg := ep.page
	if pg.style == PageNumbered {
		u = withQuery(u, pg.param, strconv.Itoa(pg.start), pg.sizeParam, strconv.Itoa(pg.size))
	}
	seen := map[string]bool{} // cursors and links already followed
	for n := 0; ; n++ {
		body, err := a.getJSON(ctx, u, fetch)
		if err != nil {
			return out, err
		}
		if n == 0 {
			out.first = body
		}
		recs, selected, err := ep.items.records(ctx, body)
		if err != nil {
			return out, badShape(u, ep.key+".items", err)
		}
		if n == 0 && !selected {
			out.none = true
		}
		out.items = append(out.items, recs...)
		if limit > 0 && len(out.items) >= limit {
			out.items = out.items[:limit]
			return out, nil
		}
		next, err := a.nextPage(ctx, ep, u, body, len(recs), n, seen)
		if err != nil || next == nil {
			return out, err
		}
		if n+1 >= ep.maxPages {
			a.log.DebugContext(ctx, "rest: stopped reading at max_pages", "endpoint", ep.key, "max_pages", ep.maxPages)
			return out, nil
		}
		u = next
	}
}

// nextPage returns the URL of the page after u, or nil after the last one.
func (a *Adapter) nextPage(ctx context.Context, ep *endpoint, u *url.URL, body any, got, n int, seen map[string]bool) (*url.URL, error) {
	pg := ep.page
	switch pg.style {
	case PageNumbered:
		if got == 0 || (pg.size > 0 && got < pg.size) {
			return nil, nil
		}
		return withQuery(u, pg.param, strconv.Itoa(pg.start+n+1), "", ""), nil
	case PageCursor:
		v, err := pg.next.first(ctx, body)
		if err != nil {
			return nil, badShape(u, ep.key+".pagination.next", err)
		}
		cur, ok := scalarText(v)
		if !ok || cur == "" || seen[cur] {
			return nil, nil
		}
		seen[cur] = true
		return withQuery(u, pg.param, cur, "", ""), nil
	case PageNextLink:
		v, err := pg.next.first(ctx, body)
		if err != nil {
			return nil, badShape(u, ep.key+".pagination.next", err)
		}
		link, ok := v.(string)
		if !ok || strings.TrimSpace(link) == "" {
			return nil, nil
		}
		next, err := u.Parse(strings.TrimSpace(link))
		if err != nil {
			return nil, badShape(u, ep.key+".pagination.next", fmt.Errorf("next link is not a URL"))
		}
		if !onBase(a.base, next) {
			return nil, &APIError{Path: u.Path, Status: 200, class: adapters.ErrBadResponse,
				Problem: fmt.Sprintf("next link leads to another host (%s); not followed", next.Host)}
		}
		if next.String() == u.String() || seen[next.String()] {
			return nil, nil
		}
		seen[next.String()] = true
		return next, nil
	}
	return nil, nil
}

// withQuery returns u with query parameters set; an empty name is skipped.
func withQuery(u *url.URL, name, value, name2, value2 string) *url.URL {
	next := *u
	q := next.Query()
	if name != "" {
		q.Set(name, value)
	}
	if name2 != "" {
		q.Set(name2, value2)
	}
	next.RawQuery = q.Encode()
	return &next
}
