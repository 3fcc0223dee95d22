package customer

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/atrium-dev/atrium/adapters"
)

// SearchResult is the outcome of a federated customer search.
type SearchResult struct {
	Hits []Hit
	// Searched names every system asked, in order.
	Searched []string
	// Missing lists the systems that failed to answer: their customers may be
	// missing from Hits.
	Missing []SourceProblem
	// Problem is set when no system answered at all.
	Problem *Problem
}

// SourceProblem is a system that could not be searched, and why.
type SourceProblem struct {
	Title   string
	Problem *Problem
}

// Hit is one customer found, merged across the systems it was found in.
type Hit struct {
	// CustomerID is the primary system's record of the customer, the page to
	// open; empty when no primary record is linked.
	CustomerID string
	Name       string
	Industry   string
	City       string
	Owner      string
	// Found lists the records found, one per system, primary first.
	Found []Found
	// MatchedBy is the strongest reason any record matched: "id", "email",
	// "domain", or "" for a name.
	MatchedBy string
}

// Exact reports whether the hit matched an id, email or domain exactly.
func (h Hit) Exact() bool { return h.MatchedBy != "" && h.MatchedBy != "name" }

// Found is one system's record within a hit.
type Found struct {
	Source string
	Title  string
	ID     string
	URL    string
}

type sourceHits struct {
	src     Source
	matches []adapters.Match
	problem *Problem // set when src could not be searched
}

// Search asks every system concurrently, each within its own deadline, and
// merges the records that are the same customer (sharing an id, email or
// domain). A system that fails or is slow costs only its own records.
func (c *Composer) Search(ctx context.Context, text string, limit int) SearchResult {
	sources := append([]Source{c.primary}, c.linked...)
	found := make([]sourceHits, len(sources))
	var wg sync.WaitGroup
	for i, src := range sources {
		wg.Go(func() {
			sctx, cancel := context.WithTimeout(ctx, src.Timeout)
			defer cancel()
			found[i].src = src
			ms, err := src.Adapter.Search(sctx, adapters.Query{Text: text, Limit: limit})
			if err != nil {
				c.logger.WarnContext(ctx, "search failed", withRawBody(err, "source", src.Name, "err", err)...)
				found[i].problem = problemOf(sctx, src, err)
				return
			}
			found[i].matches = ms
		})
	}
	wg.Wait()

	var res SearchResult
	var records []record
	for _, f := range found {
		res.Searched = append(res.Searched, f.src.Title)
		if f.problem != nil {
			res.Missing = append(res.Missing, SourceProblem{Title: f.src.Title, Problem: f.problem})
			continue
		}
		for _, m := range f.matches {
			records = append(records, record{src: f.src, m: m, keys: KeysOf(m)})
		}
	}
	if len(res.Missing) == len(sources) {
		res.Problem = res.Missing[0].Problem
		return res
	}
	groups := merge(records)
	c.linkToPrimary(ctx, groups)
	groups = mergeByCustomer(groups, c.primary.Name)
	for _, g := range groups {
		res.Hits = append(res.Hits, g.hit(c.primary.Name))
	}
	slices.SortStableFunc(res.Hits, func(a, b Hit) int {
		if a.Exact() != b.Exact() {
			if a.Exact() {
				return -1
			}
			return 1
		}
		if len(a.Found) != len(b.Found) {
			return len(b.Found) - len(a.Found)
		}
		return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	if limit > 0 && len(res.Hits) > limit {
		res.Hits = res.Hits[:limit]
	}
	return res
}

// record is one system's match with its normalized keys.
type record struct {
	src  Source
	m    adapters.Match
	keys []adapters.Key
}

// group is the records found to be one customer; at most one per system.
type group struct {
	records   []record
	primaryID string
}

// merge groups records that share a key. Records of the same system are never
// merged with each other: two records in one system are two customers there.
func merge(records []record) []*group {
	var groups []*group
	for _, r := range records {
		var into *group
		for _, g := range groups {
			if g.has(r.src.Name) {
				continue
			}
			if shares(g, r) {
				into = g
				break
			}
		}
		if into == nil {
			into = &group{}
			groups = append(groups, into)
		}
		into.records = append(into.records, r)
	}
	return groups
}

func (g *group) has(source string) bool {
	return slices.ContainsFunc(g.records, func(r record) bool { return r.src.Name == source })
}

func shares(g *group, r record) bool {
	for _, o := range g.records {
		for _, k := range r.keys {
			if slices.Contains(o.keys, k) {
				return true
			}
		}
	}
	return false
}

func (g *group) keys() []adapters.Key {
	var out []adapters.Key
	for _, r := range g.records {
		out = append(out, r.keys...)
	}
	return out
}

// mergeByCustomer folds groups that turned out to be the same customer (a
// group found elsewhere and linked to a primary record another group holds)
// into one, keeping one record per system.
func mergeByCustomer(groups []*group, primary string) []*group {
	byID := map[string]*group{}
	var out []*group
	for _, g := range groups {
		id := g.primaryID
		if id == "" {
			for _, r := range g.records {
				if r.src.Name == primary {
					id = r.m.ID
				}
			}
		}
		into, seen := byID[id]
		if id == "" || !seen {
			byID[id] = g
			out = append(out, g)
			continue
		}
		for _, r := range g.records {
			if !into.has(r.src.Name) {
				into.records = append(into.records, r)
			}
		}
	}
	return out
}

// linkToPrimary finds the primary record of groups found only elsewhere, so
// that a customer found by an email only billing knows still opens as one.
func (c *Composer) linkToPrimary(ctx context.Context, groups []*group) {
	const maxLookups = 5 // each costs searches in the primary system
	var wg sync.WaitGroup
	n := 0
	for _, g := range groups {
		if g.has(c.primary.Name) || n == maxLookups {
			continue
		}
		n++
		wg.Go(func() {
			rctx, cancel := context.WithTimeout(ctx, c.primary.Timeout)
			defer cancel()
			res := c.resolver.Resolve(rctx, c.primary, "", g.keys())
			if res.Link != nil {
				g.primaryID = res.Link.ID
				g.records = append([]record{{src: c.primary, m: adapters.Match{Source: c.primary.Name, ID: res.Link.ID,
					Name: res.Link.Name, URL: res.Link.URL, MatchedBy: "linked"}}}, g.records...)
			}
		})
	}
	wg.Wait()
}

// hit summarises a group, preferring the primary system's values.
func (g *group) hit(primary string) Hit {
	slices.SortStableFunc(g.records, func(a, b record) int {
		ap, bp := a.src.Name == primary, b.src.Name == primary
		switch {
		case ap && !bp:
			return -1
		case bp && !ap:
			return 1
		}
		return 0
	})
	h := Hit{CustomerID: g.primaryID, MatchedBy: "name"}
	for _, r := range g.records {
		m := r.m
		if r.src.Name == primary && h.CustomerID == "" {
			h.CustomerID = m.ID
		}
		h.Name = cmp.Or(h.Name, m.Name)
		h.Industry = cmp.Or(h.Industry, m.Industry)
		h.City = cmp.Or(h.City, m.City)
		h.Owner = cmp.Or(h.Owner, m.Owner)
		h.Found = append(h.Found, Found{Source: r.src.Name, Title: r.src.Title, ID: m.ID, URL: m.URL})
		if strength(m.MatchedBy) < strength(h.MatchedBy) {
			h.MatchedBy = m.MatchedBy
		}
	}
	return h
}

// strength orders match reasons, strongest first.
func strength(by string) int {
	switch by {
	case adapters.KeyExternalID:
		return 0
	case adapters.KeyEmail:
		return 1
	case adapters.KeyDomain:
		return 2
	}
	return 3
}
