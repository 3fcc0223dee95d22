package rest

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/atrium-dev/atrium/adapters"
)

// defaultSearchLimit applies when a query sets none.
const defaultSearchLimit = 20

// Search asks the search endpoint for text {q} and maps each record to a
// match. Without a search endpoint it finds nothing.
func (a *Adapter) Search(ctx context.Context, q adapters.Query) ([]adapters.Match, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("rest %s: search: %w", a.source, err)
	}
	text := strings.TrimSpace(q.Text)
	if a.search == nil || text == "" {
		return nil, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultSearchLimit
	}
	u, err := a.search.path.expand(text)
	if err != nil {
		if errors.Is(err, errOffBase) {
			return nil, fmt.Errorf("rest %s: search: the text %w: %w", a.source, err, adapters.ErrBadRequest)
		}
		return nil, fmt.Errorf("rest %s: search: %w", a.source, err)
	}
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	pg, err := a.collect(ctx, &a.search.endpoint, u, limit, false)
	if err != nil {
		return nil, fmt.Errorf("rest %s: search: %w", a.source, err)
	}
	if pg.none {
		a.hint(ctx, "search", a.search.items.key)
	}
	var out []adapters.Match
	seen := map[string]bool{}
	for _, rec := range pg.items {
		m := a.match(ctx, rec, text)
		if m.ID == "" || seen[m.ID] {
			if m.ID == "" {
				a.log.DebugContext(ctx, "rest: search record without an id; skipped", "key", a.search.id.key)
			}
			continue
		}
		seen[m.ID] = true
		if m.Name == "" {
			m.Name = m.ID
		}
		out = append(out, m)
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

func (a *Adapter) match(ctx context.Context, rec any, text string) adapters.Match {
	s := a.search
	m := adapters.Match{
		Source:   a.source,
		ID:       a.text(ctx, s.id, rec),
		Name:     a.text(ctx, s.name, rec),
		Industry: a.text(ctx, s.industry, rec),
		City:     a.text(ctx, s.city, rec),
		Owner:    a.text(ctx, s.owner, rec),
		URL:      a.linkOf(ctx, s.url, rec),
		Keys:     a.keysOf(ctx, s.keys, rec),
	}
	m.MatchedBy = matchedBy(m, text)
	return m
}

// matchedBy says which of a match's values holds the searched text.
func matchedBy(m adapters.Match, text string) string {
	text = strings.ToLower(text)
	if strings.EqualFold(m.ID, text) {
		return "id"
	}
	if strings.Contains(strings.ToLower(m.Name), text) {
		return "name"
	}
	for _, kind := range []string{adapters.KeyDomain, adapters.KeyEmail, adapters.KeyExternalID} {
		for _, k := range m.Keys {
			if k.Kind == kind && strings.Contains(strings.ToLower(k.Value), text) {
				return kind
			}
		}
	}
	return ""
}
