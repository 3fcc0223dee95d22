package customer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/store"
)

// Rule decides that two records of different systems are the same customer when
// they carry the same key of one kind. Rules are tried in order; the first that
// matches gives the link its confidence and its provenance.
type Rule struct {
	Name       string
	Kind       string // adapters.KeyExternalID, KeyEmail or KeyDomain
	Confidence float64
}

// DefaultRules link by external id, then email, then website/email domain.
var DefaultRules = []Rule{
	{Name: "external-id", Kind: adapters.KeyExternalID, Confidence: 1.0},
	{Name: "email", Kind: adapters.KeyEmail, Confidence: 0.9},
	{Name: "domain", Kind: adapters.KeyDomain, Confidence: 0.7},
}

// Link says that a record of a source is the same customer as the anchor, and
// why: which rule matched on which value.
type Link struct {
	Source     string
	ID         string
	Name       string
	URL        string
	Rule       string
	Kind       string
	Value      string
	Confidence float64
	// Decision is set when a person confirmed or made the link
	// (store.DecisionConfirmed or store.DecisionManual), by whom and when.
	Decision  string
	DecidedBy string
	DecidedAt time.Time
	// record is the match the link was found as, when it was found by a
	// search: search shows its facts.
	record *adapters.Match
}

// Provenance reads like "linked by email = ann@acme.com", "linked by domain =
// acme.com, confirmed by dave@example.com" or "linked by hand by dave@example.com".
func (l Link) Provenance() string {
	switch l.Decision {
	case store.DecisionManual:
		return "linked by hand by " + l.DecidedBy
	case store.DecisionConfirmed:
		if l.Rule == "" {
			return "confirmed by " + l.DecidedBy
		}
		return fmt.Sprintf("linked by %s = %s, confirmed by %s", l.Rule, l.Value, l.DecidedBy)
	}
	return fmt.Sprintf("linked by %s = %s", l.Rule, l.Value)
}

// match returns the first rule under which two key sets share a value.
func match(rules []Rule, a, b []adapters.Key) (Rule, adapters.Key, bool) {
	for _, r := range rules {
		for _, ka := range a {
			if ka.Kind != r.Kind {
				continue
			}
			for _, kb := range b {
				if kb == ka {
					return r, ka, true
				}
			}
		}
	}
	return Rule{}, adapters.Key{}, false
}

// Resolution is what a source holds of the anchor customer.
type Resolution struct {
	Source string
	// Link is the record found, nil when none or when ambiguous.
	Link *Link
	// Candidates lists the records that matched equally well when more than
	// one did: a conflict is shown, never silently resolved.
	Candidates []Link
	// Rivals are other customers (primary records) that the found record
	// matches as well as this one: the record is then not linked either.
	Rivals []Link
	// Err is set when the source could not be searched.
	Err error
}

// Resolver finds, in each source, the record that is the same customer as an
// anchor record, by searching the source for the anchor's keys.
type Resolver struct {
	Rules []Rule
}

// searchText is what to search a source for to find records carrying k.
func searchText(k adapters.Key) string {
	if k.Kind == adapters.KeyExternalID {
		if _, id, ok := strings.Cut(k.Value, ":"); ok {
			return id
		}
	}
	return k.Value
}

// Resolve searches src for the records sharing one of the anchor's keys and
// picks the best-ranked one. More than one record at the best rule is a
// conflict. ctx should carry the source's deadline.
func (r *Resolver) Resolve(ctx context.Context, src Source, anchorSource string, anchorKeys []adapters.Key) Resolution {
	return r.resolve(ctx, src, anchorSource, anchorKeys, nil)
}

// resolve is Resolve leaving out the records in excluded (pairs a person split).
func (r *Resolver) resolve(ctx context.Context, src Source, anchorSource string, anchorKeys []adapters.Key, excluded map[string]bool) Resolution {
	res := Resolution{Source: src.Name}
	rules := r.Rules
	if len(rules) == 0 {
		rules = DefaultRules
	}
	var usable []adapters.Key
	for _, k := range anchorKeys {
		if nk, ok := NormalizeKey(anchorSource, k); ok {
			usable = append(usable, nk)
		}
	}
	// One search per distinct text, concurrently: keys often repeat (the
	// header's own id and the customer id; records of one search group sharing
	// a domain), and every record found is matched against all keys anyway. A
	// failed search spoils only what it would have found.
	var texts []string
	for _, k := range usable {
		if t := searchText(k); !slices.Contains(texts, t) {
			texts = append(texts, t)
		}
	}
	type found struct {
		matches []adapters.Match
		err     error
	}
	results := make([]found, len(texts))
	var wg sync.WaitGroup
	for i, text := range texts {
		wg.Go(func() {
			ms, err := src.Adapter.Search(ctx, adapters.Query{Text: text, Limit: 10})
			results[i] = found{ms, err}
		})
	}
	wg.Wait()
	best := map[string]Link{} // by record id
	var errs []error
	for _, f := range results {
		if f.err != nil {
			errs = append(errs, f.err)
			continue
		}
		for _, m := range f.matches {
			if excluded[m.ID] {
				continue
			}
			rule, key, ok := match(rules, usable, KeysOf(m))
			if !ok {
				continue
			}
			l := Link{Source: src.Name, ID: m.ID, Name: m.Name, URL: m.URL, Rule: rule.Name, Kind: rule.Kind,
				Value: key.Value, Confidence: rule.Confidence, record: &m}
			if prev, seen := best[m.ID]; !seen || rank(rules, l) < rank(rules, prev) {
				best[m.ID] = l
			}
		}
	}
	if len(best) == 0 {
		if len(errs) > 0 {
			res.Err = errors.Join(errs...)
		}
		return res
	}
	links := make([]Link, 0, len(best))
	for _, l := range best {
		links = append(links, l)
	}
	sort.Slice(links, func(i, j int) bool {
		if ri, rj := rank(rules, links[i]), rank(rules, links[j]); ri != rj {
			return ri < rj
		}
		return links[i].ID < links[j].ID
	})
	top := rank(rules, links[0])
	n := 1
	for n < len(links) && rank(rules, links[n]) == top {
		n++
	}
	if n > 1 {
		res.Candidates = links[:n]
		return res
	}
	res.Link = &links[0]
	return res
}

func rank(rules []Rule, l Link) int {
	for i, r := range rules {
		if r.Name == l.Rule {
			return i
		}
	}
	return len(rules)
}
