package customer

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/store"
)

// SearchResult is the outcome of a federated customer search.
type SearchResult struct {
	Hits []Hit
	// More is set when there were more customers than the limit: Hits holds
	// the strongest of them, and the search should be refined.
	More bool
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
	// Industry, City and Owner are the primary record's when there is one:
	// another system's facts never stand in for the customer's.
	Industry string
	City     string
	Owner    string
	// Found lists the records found, one per system, primary first. For a
	// customer, each linked system's record is the one the customer page
	// shows.
	Found []Found
	// MatchedBy is the strongest reason any record matched: "id", "email",
	// "domain", or "name".
	MatchedBy string
	// Via lists the records the search found that belong to this customer
	// by its rules but are not the ones its page shows (a second billing
	// account of the same company, say): they are why the customer is
	// listed, and the hit's Found records are still the page's.
	Via []Found
	// Strength ranks the hit: MatchExact first, MatchWeak last.
	Strength Strength
}

// Strength is how well a hit matches the search text.
type Strength int

// Match strengths, strongest first.
const (
	// MatchExact: the text is a record's id, a contact's email or the
	// website domain.
	MatchExact Strength = iota
	// MatchPrefix: a word of the name starts with the text.
	MatchPrefix
	// MatchContains: the name contains the text.
	MatchContains
	// MatchWeak: a system found the record by a field the text is only part
	// of (an email containing it, say).
	MatchWeak
)

// Exact reports whether the hit matched an id, email or domain exactly.
func (h Hit) Exact() bool { return h.Strength == MatchExact }

// Found is one system's record within a hit.
type Found struct {
	Source string
	Title  string
	ID     string
	URL    string
	// Name is the record's own name (set in Hit.Via).
	Name string
}

type sourceHits struct {
	src     Source
	matches []adapters.Match
	problem *Problem // set when src could not be searched
}

// maxLookups bounds the primary records looked up for hits found only
// elsewhere: each costs searches in the primary system.
const maxLookups = 10

// Search asks every system concurrently, each within its own deadline, and
// merges the records that are the same customer (sharing an id, email or
// domain, or linked by a person's decision). A system that fails or is slow
// costs only its own records. Hits are ranked by match strength, then name;
// at most limit are returned, with More set when there were others.
//
// Only the systems v may see are asked, and each hit holds only the fields
// v may see; a viewer who may see no customers gets a Problem saying so.
func (c *Composer) Search(ctx context.Context, v Viewer, text string, limit int) SearchResult {
	if !c.policy.Source(v, c.primary.Name) {
		return SearchResult{Problem: &Problem{Message: "You don't have access to customers.", Hint: c.policy.NoAccess()}}
	}
	c = c.seenBy(v)
	sources := append([]Source{c.primary}, c.linked...)
	found := make([]sourceHits, len(sources))
	ask := limit
	if limit > 0 {
		ask = limit + 1 // one more than shown tells that there are more
	}
	var wg sync.WaitGroup
	for i, src := range sources {
		wg.Go(func() {
			sctx, cancel := context.WithTimeout(ctx, src.Timeout)
			defer cancel()
			found[i].src = src
			ms, err := src.Adapter.Search(sctx, adapters.Query{Text: text, Limit: ask})
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
		ms := f.matches
		if limit > 0 && len(ms) > limit {
			res.More = true
			ms = ms[:limit]
		}
		hs, _ := headerSpec(f.src)
		for _, m := range ms {
			m = c.policy.Match(v, hs.Name, m)
			records = append(records, record{src: f.src, m: m, keys: KeysOf(m)})
		}
	}
	if len(res.Missing) == len(sources) {
		res.Problem = res.Missing[0].Problem
		return res
	}
	q := strings.ToLower(strings.TrimSpace(text))
	groups := merge(records)
	c.linkToPrimary(ctx, groups)
	groups = mergeByCustomer(groups, c.primary.Name)
	rankGroups(groups, q, c.primary.Name)
	if limit > 0 {
		// Only the customers that may be shown are resolved.
		c.resolveShown(ctx, groups, limit+1)
	}
	groups = c.fold(groups)
	rankGroups(groups, q, c.primary.Name)
	for _, g := range groups {
		res.Hits = append(res.Hits, g.hit(c.primary.Name, q))
	}
	if limit > 0 && len(res.Hits) > limit {
		res.Hits = res.Hits[:limit]
		res.More = true
	}
	return res
}

// rankGroups orders groups by match strength, then name.
func rankGroups(groups []*group, q, primary string) {
	type ranked struct {
		s    Strength
		name string
	}
	r := map[*group]ranked{}
	for _, g := range groups {
		s, _ := g.strength(q)
		r[g] = ranked{s, strings.ToLower(g.name(primary))}
	}
	slices.SortStableFunc(groups, func(a, b *group) int {
		ra, rb := r[a], r[b]
		return cmp.Or(cmp.Compare(ra.s, rb.s), cmp.Compare(ra.name, rb.name))
	})
}

// strengthOf says how well one record matches the search text q (lower case).
func strengthOf(q string, r record) (Strength, string) {
	if q != "" {
		email, domain := NormalizeEmail(q), NormalizeDomain(q)
		for _, k := range r.keys {
			switch k.Kind {
			case adapters.KeyEmail:
				if email != "" && k.Value == email {
					return MatchExact, k.Kind
				}
			case adapters.KeyDomain:
				if domain != "" && k.Value == domain && !strings.Contains(q, "@") {
					return MatchExact, k.Kind
				}
			case adapters.KeyExternalID:
				if _, id, ok := strings.Cut(k.Value, ":"); ok && strings.EqualFold(id, q) {
					return MatchExact, k.Kind
				}
			}
		}
	}
	name := strings.ToLower(r.m.Name)
	if q != "" && strings.Contains(name, q) {
		for _, w := range strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			if strings.HasPrefix(w, q) {
				return MatchPrefix, "name"
			}
		}
		if strings.HasPrefix(name, q) {
			return MatchPrefix, "name"
		}
		return MatchContains, "name"
	}
	return MatchWeak, cmp.Or(r.m.MatchedBy, "name")
}

// record is one system's match with its normalized keys.
type record struct {
	src  Source
	m    adapters.Match
	keys []adapters.Key
	// linked is set on a primary record the search did not find, added
	// because a record it did find is linked to it.
	linked bool
}

// group is the records found to be one customer; at most one per system.
type group struct {
	records   []record
	primaryID string
	// resolved holds, by linked system, the record the customer page shows.
	resolved map[string]Resolution
	// split holds the records (source and id) people split off the customer.
	split map[string]bool
	// via holds records found that belong to the customer (the primary was
	// looked up from them) but that its page does not show.
	via []record
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
				m := adapters.Match{Source: c.primary.Name, ID: res.Link.ID, Name: res.Link.Name, URL: res.Link.URL}
				if res.Link.record != nil {
					m = *res.Link.record
				}
				g.records = append([]record{{src: c.primary, m: m, linked: true}}, g.records...)
			}
		})
	}
	wg.Wait()
}

// customerID is the primary record of the group, "" when it has none.
func (g *group) customerID(primary string) string {
	if g.primaryID != "" {
		return g.primaryID
	}
	for _, r := range g.records {
		if r.src.Name == primary {
			return r.m.ID
		}
	}
	return ""
}

// resolveShown finds, for the first n customers, the record of each linked
// system that the customer page shows, the same way the page does (people's
// decisions, then a recent resolution, then the rules), so that search and
// page never disagree.
func (c *Composer) resolveShown(ctx context.Context, groups []*group, n int) {
	if len(c.linked) == 0 {
		return
	}
	sem := make(chan struct{}, 8)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, g := range groups {
		id := g.customerID(c.primary.Name)
		if id == "" {
			continue
		}
		if n == 0 {
			break
		}
		n--
		g.resolved = map[string]Resolution{}
		g.split = map[string]bool{}
		wg.Go(func() {
			decided := c.decided(ctx, id)
			for _, ds := range decided {
				for _, d := range ds {
					if d.Decision == store.DecisionSplit {
						g.split[d.Source+"\x00"+d.RecordID] = true
					}
				}
			}
			var inner sync.WaitGroup
			for _, src := range c.linked {
				inner.Go(func() {
					sem <- struct{}{}
					defer func() { <-sem }()
					res := c.resolveLinked(ctx, src, id, decided[src.Name])
					mu.Lock()
					g.resolved[src.Name] = res
					mu.Unlock()
				})
			}
			inner.Wait()
		})
	}
	wg.Wait()
}

// fold makes each customer's records the ones its page shows: a record found
// with a customer but linked elsewhere (or split off) leaves it, the linked
// record takes its place, and a record found alone that is linked to a
// customer shown joins that customer's row.
func (c *Composer) fold(groups []*group) []*group {
	key := func(source, id string) string { return source + "\x00" + id }
	owner := map[string]*group{}
	for _, g := range groups {
		for source, res := range g.resolved {
			if res.Err == nil && res.Link != nil {
				owner[key(source, res.Link.ID)] = g
			}
		}
	}
	var loose []record
	for _, g := range groups {
		if g.resolved == nil {
			continue
		}
		// A group found outside the primary system, whose primary record
		// was looked up from its records: those records are why the
		// customer is listed, even where its page shows another one.
		reverse := slices.ContainsFunc(g.records, func(r record) bool { return r.linked })
		kept := g.records[:0:0]
		for _, r := range g.records {
			res, ok := g.resolved[r.src.Name]
			if r.src.Name == c.primary.Name || !ok || res.Err != nil {
				kept = append(kept, r)
				continue
			}
			if res.Link == nil || res.Link.ID != r.m.ID {
				if reverse && !g.split[key(r.src.Name, r.m.ID)] {
					g.via = append(g.via, r)
				} else {
					loose = append(loose, r)
				}
			}
			if res.Link != nil {
				if res.Link.ID == r.m.ID {
					kept = append(kept, r)
					continue
				}
				m := adapters.Match{Source: r.src.Name, ID: res.Link.ID, Name: res.Link.Name, URL: res.Link.URL}
				if res.Link.record != nil {
					m = *res.Link.record
				}
				// The page's record, not one the search found.
				kept = append(kept, record{src: r.src, m: m, keys: KeysOf(m), linked: true})
			}
		}
		g.records = kept
	}
	var out []*group
	for _, g := range groups {
		if g.resolved == nil && g.customerID(c.primary.Name) == "" {
			// Found only elsewhere: its records join the customer they are
			// linked to, if that customer is shown.
			var rest []record
			for _, r := range g.records {
				if into, ok := owner[key(r.src.Name, r.m.ID)]; ok {
					into.absorb(r)
					continue
				}
				rest = append(rest, r)
			}
			g.records = rest
		}
		found := len(g.via) > 0 || slices.ContainsFunc(g.records, func(r record) bool { return !r.linked })
		if found {
			out = append(out, g)
		}
	}
	for _, r := range loose {
		if into, ok := owner[key(r.src.Name, r.m.ID)]; ok {
			into.absorb(r)
			continue
		}
		out = append(out, &group{records: []record{r}})
	}
	return out
}

// absorb adds a record found alone to the customer it is linked to, unless
// the customer already holds that system's record.
func (g *group) absorb(r record) {
	for i, o := range g.records {
		if o.src.Name == r.src.Name {
			if o.m.ID == r.m.ID && o.m.MatchedBy == "" {
				g.records[i].m.MatchedBy = r.m.MatchedBy
			}
			return
		}
	}
	g.records = append(g.records, r)
}

// strength is the best match of the records the search found.
func (g *group) strength(q string) (Strength, string) {
	best, by := MatchWeak, ""
	for _, r := range append(slices.Clip(g.records), g.via...) {
		if r.linked {
			continue
		}
		s, b := strengthOf(q, r)
		if by == "" || s < best {
			best, by = s, b
		}
	}
	return best, cmp.Or(by, "name")
}

// name is the customer's name: the primary record's when there is one.
func (g *group) name(primary string) string {
	for _, r := range g.records {
		if r.src.Name == primary {
			return r.m.Name
		}
	}
	for _, r := range g.records {
		if r.m.Name != "" {
			return r.m.Name
		}
	}
	return ""
}

// hit summarises a group. A customer's facts are its primary record's; a
// record found only elsewhere shows its own.
func (g *group) hit(primary, q string) Hit {
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
	h := Hit{CustomerID: g.customerID(primary), Name: g.name(primary)}
	h.Strength, h.MatchedBy = g.strength(q)
	facts := g.records[0].m
	h.Industry, h.City, h.Owner = facts.Industry, facts.City, facts.Owner
	for _, r := range g.records {
		h.Found = append(h.Found, Found{Source: r.src.Name, Title: r.src.Title, ID: r.m.ID, URL: r.m.URL})
	}
	for _, r := range g.via {
		h.Via = append(h.Via, Found{Source: r.src.Name, Title: r.src.Title, ID: r.m.ID, URL: r.m.URL, Name: r.m.Name})
	}
	return h
}

// seenBy is the composer as v may use it: without the linked systems v may
// not see, so that nothing done for v (a search, a resolution) calls them.
func (c *Composer) seenBy(v Viewer) *Composer {
	var linked []Source
	for _, src := range c.linked {
		if c.policy.Source(v, src.Name) {
			linked = append(linked, src)
		}
	}
	if len(linked) == len(c.linked) {
		return c
	}
	cc := *c
	cc.linked = linked
	return &cc
}
