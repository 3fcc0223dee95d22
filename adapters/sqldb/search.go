package sqldb

import (
	"context"
	"fmt"
	"strings"

	"github.com/atrium-dev/atrium/adapters"
)

// likeEscaper escapes the wildcards of LIKE, for LIKE … ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// Search runs the search query with the text as bind parameters and maps its
// rows to matches: one per customer id (rows of the same id merge their
// keys), at most q.Limit, in the query's order.
func (a *Adapter) Search(ctx context.Context, in adapters.Query) ([]adapters.Match, error) {
	q := a.search
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sqldb: query %q: %w", q.name, context.Cause(ctx))
	}
	text := strings.TrimSpace(in.Text)
	if text == "" {
		return nil, nil
	}
	limit := q.maxRows
	if in.Limit > 0 && in.Limit < limit {
		limit = in.Limit
	}
	params := map[string]any{
		"q":       text,
		"q_like":  likeEscaper.Replace(text),
		"q_lower": strings.ToLower(text),
		"limit":   limit,
	}
	res, err := a.run(ctx, q, params, q.maxRows)
	if err != nil {
		return nil, err
	}
	var out []adapters.Match
	seen := map[string]int{}
	for _, row := range res.rows {
		m := a.match(q, res, row)
		if m.ID == "" {
			a.hint(q, "no id", "sqldb: the search returned a row without an id; it is left out",
				"hint", "select the customer key in the column that fields.id names, never NULL")
			continue
		}
		if i, ok := seen[m.ID]; ok {
			out[i].Keys = mergeKeys(out[i].Keys, m.Keys)
			continue
		}
		if len(out) == limit {
			break
		}
		seen[m.ID] = len(out)
		out = append(out, m)
	}
	for i := range out {
		out[i].MatchedBy = matchedBy(out[i], text)
	}
	return out, nil
}

// match maps a row of the search.
func (a *Adapter) match(q *query, res *result, row []any) adapters.Match {
	m := adapters.Match{Source: a.source}
	for _, f := range q.fields {
		s, _ := textOf(res.get(row, f.column))
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if f.key {
			if k, ok := keyOf(f.name, s, q.external); ok {
				m.Keys = mergeKeys(m.Keys, []adapters.Key{k})
			}
			continue
		}
		switch f.name {
		case "id":
			m.ID = s
		case "name":
			m.Name = s
		case "industry":
			m.Industry = s
		case "city":
			m.City = s
		case "owner":
			m.Owner = s
		}
	}
	if m.Name == "" {
		m.Name = m.ID // a match must show something
	}
	if q.link != nil {
		m.URL = q.link.expand(func(col string) (string, bool) { return textOf(res.get(row, col)) })
	}
	return m
}

// keyOf makes the key a key field maps: an email, a domain, or the id of the
// customer in another system, qualified by that system's name.
func keyOf(field, value, system string) (adapters.Key, bool) {
	value = strings.TrimSpace(value)
	switch field {
	case "email":
		return adapters.Key{Kind: adapters.KeyEmail, Value: strings.ToLower(value)}, value != ""
	case "domain":
		d := domainOf(value)
		return adapters.Key{Kind: adapters.KeyDomain, Value: d}, d != ""
	case "external_id":
		return adapters.Key{Kind: adapters.KeyExternalID, Value: system + ":" + value}, value != ""
	}
	return adapters.Key{}, false
}

// mergeKeys adds the keys of more that keys does not hold yet.
func mergeKeys(keys, more []adapters.Key) []adapters.Key {
next:
	for _, k := range more {
		for _, have := range keys {
			if have == k {
				continue next
			}
		}
		keys = append(keys, k)
	}
	return keys
}

// matchedBy says why a match was found: its id, its name, or one of its keys.
func matchedBy(m adapters.Match, text string) string {
	t := strings.ToLower(text)
	switch {
	case strings.EqualFold(m.ID, text):
		return adapters.KeyExternalID
	case strings.Contains(strings.ToLower(m.Name), t):
		return "name"
	}
	for _, k := range m.Keys {
		if strings.Contains(strings.ToLower(k.Value), t) {
			return k.Kind
		}
	}
	return "name"
}

// domainOf reduces a website or domain column to its host name, without www.
func domainOf(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if _, rest, ok := strings.Cut(s, "://"); ok {
		s = rest
	}
	if i := strings.IndexAny(s, "/?#:"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimPrefix(s, "www.")
}
