package customer

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/bus"
	"github.com/atrium-dev/atrium/policy"
	"github.com/atrium-dev/atrium/store"
)

// Decisions keeps what people decided about identity links.
type Decisions interface {
	LinkDecisions(ctx context.Context, anchorSource, anchorID string) ([]store.LinkDecision, error)
	DecideLink(ctx context.Context, d store.LinkDecision) error
}

// WithDecisions lets people confirm, split and add links, and makes the
// composer honour what they decided.
func WithDecisions(d Decisions) Option {
	return func(c *Composer) { c.decisions = d }
}

// Errors of link decisions.
var (
	ErrNotAllowed = errors.New("only an admin may change how customers are linked")
	ErrBadLink    = errors.New("this link cannot be changed that way")
)

var recordID = regexp.MustCompile(`^[A-Za-z0-9_.:@-]{1,80}$`)

// DecideLink records an admin's decision about the record recordID of source
// being the customer id: confirm an automatic link, split a pair that is not
// the same customer, link a record by hand (it must exist), or clear an
// earlier decision (undo a split), after which the rules decide again.
func (c *Composer) DecideLink(ctx context.Context, who Viewer, id, source, record, decision string) error {
	if !c.policy.Action(who, policy.ActionLink) {
		return ErrNotAllowed
	}
	if c.decisions == nil {
		return fmt.Errorf("%w: links are not stored", ErrBadLink)
	}
	id, err := c.CustomerID(id)
	if err != nil {
		return err
	}
	src, ok := c.linkedSource(source)
	if !ok || !recordID.MatchString(record) {
		return fmt.Errorf("%w: no such system or record", ErrBadLink)
	}
	if checker, ok := src.Adapter.(adapters.IDChecker); ok {
		canonical, err := checker.CanonicalID(record)
		if err != nil {
			return fmt.Errorf("%w: %s has no record %q", ErrBadLink, src.Title, record)
		}
		record = canonical
	}
	d := store.LinkDecision{AnchorSource: c.primary.Name, AnchorID: id, Source: source, RecordID: record,
		Decision: decision, Actor: who.ID(), At: c.now()}
	switch decision {
	case store.DecisionSplit:
	case store.DecisionCleared:
		// Only a decision someone took can be taken back.
		if !slices.ContainsFunc(c.decided(ctx, id)[source], func(d store.LinkDecision) bool { return d.RecordID == record }) {
			return fmt.Errorf("%w: nobody decided about %s record %q", ErrBadLink, src.Title, record)
		}
	case store.DecisionConfirmed:
		// Keep the rule that had found it, for the provenance.
		res := c.resolveLinked(ctx, src, id, splitsOnly(c.decided(ctx, id)[source]))
		if res.Link != nil && res.Link.ID == record {
			d.Rule, d.Value = res.Link.Rule, res.Link.Value
		}
	case store.DecisionManual:
		hs, ok := headerSpec(src)
		if ok {
			if p := c.fetch(ctx, who, src, hs, record); p.State != StateOK {
				return fmt.Errorf("%w: %s has no record %q", ErrBadLink, src.Title, record)
			}
		}
	default:
		return fmt.Errorf("%w: unknown decision %q", ErrBadLink, decision)
	}
	if err := c.decisions.DecideLink(ctx, d); err != nil {
		return err
	}
	// The next view resolves again, with the decision, here and on every
	// other instance, and shows the record as its system has it now.
	c.resolved.drop(resolutionKey(source, id))
	c.publish(ctx, bus.DecidedLink(id, source))
	invalidate(ctx, src, record, "")
	return nil
}

func (c *Composer) linkedSource(name string) (Source, bool) {
	i := slices.IndexFunc(c.linked, func(s Source) bool { return s.Name == name })
	if i < 0 {
		return Source{}, false
	}
	return c.linked[i], true
}

// decided returns the decisions about customer id, by source. A store that
// fails costs only the decisions: resolution then runs on the rules alone.
func (c *Composer) decided(ctx context.Context, id string) map[string][]store.LinkDecision {
	if c.decisions == nil {
		return nil
	}
	ds, err := c.decisions.LinkDecisions(ctx, c.primary.Name, id)
	if err != nil {
		c.logger.ErrorContext(ctx, "read link decisions", "customer", id, "err", err)
		return nil
	}
	out := map[string][]store.LinkDecision{}
	for _, d := range ds {
		out[d.Source] = append(out[d.Source], d)
	}
	return out
}

// resolveLinked finds the customer's record in src: a link a person made or
// confirmed wins; otherwise the rules decide among the records nobody split.
// The anchor's keys come from the primary's header, fetched only when the rules
// must search: not for a decided or recently resolved link.
func (c *Composer) resolveLinked(ctx context.Context, src Source, id string, ds []store.LinkDecision) Resolution {
	return c.resolve(ctx, src, id, func() []adapters.Key {
		header := Panel{}
		if hs, ok := headerSpec(c.primary); ok {
			header = c.fetchRaw(ctx, c.primary, hs, id)
		}
		return c.anchorKeys(header, id)
	}, ds)
}

// resolve applies people's decisions, then a cached resolution, and only then
// asks anchor for the keys to search src by.
func (c *Composer) resolve(ctx context.Context, src Source, id string, anchor func() []adapters.Key, ds []store.LinkDecision) Resolution {
	res, excluded, ok := decidedLink(src, ds)
	if ok {
		return res
	}
	key := resolutionKey(src.Name, id)
	if res, ok := c.resolved.get(key, c.now()); ok {
		return res
	}
	keys := anchor()
	rctx, cancel := context.WithTimeout(ctx, src.Timeout)
	defer cancel()
	res = c.resolver.resolve(rctx, src, c.primary.Name, keys, excluded)
	if res.Link != nil && res.Link.Kind != adapters.KeyExternalID {
		c.checkRivals(ctx, &res, keys)
	}
	c.resolved.put(key, res, c.now())
	return res
}

// checkRivals looks for other customers that carry the key a record was linked
// by: a record matching two customers equally is a conflict, shown and never
// silently resolved. An external id names one record, so it needs no check.
func (c *Composer) checkRivals(ctx context.Context, res *Resolution, anchorKeys []adapters.Key) {
	rctx, cancel := context.WithTimeout(ctx, c.primary.Timeout)
	defer cancel()
	key := adapters.Key{Kind: res.Link.Kind, Value: res.Link.Value}
	ms, err := c.primary.Adapter.Search(rctx, adapters.Query{Text: searchText(key), Limit: 10})
	if err != nil {
		return // the link stands on what is known; the search failure is not the record's fault
	}
	self := map[string]bool{}
	for _, k := range anchorKeys {
		if k.Kind == adapters.KeyExternalID {
			nk, _ := NormalizeKey(c.primary.Name, k)
			self[nk.Value] = true
		}
	}
	for _, m := range ms {
		if self[c.primary.Name+":"+m.ID] {
			continue
		}
		if slices.Contains(KeysOf(m), key) {
			res.Rivals = append(res.Rivals, Link{Source: c.primary.Name, ID: m.ID, Name: m.Name, URL: m.URL,
				Rule: res.Link.Rule, Kind: key.Kind, Value: key.Value})
		}
	}
	if len(res.Rivals) > 0 {
		res.Candidates = []Link{*res.Link}
		res.Link = nil
	}
}

// decidedLink applies people's decisions (newest first): the link they made or
// confirmed, or else the records they split off, to leave out.
func decidedLink(src Source, ds []store.LinkDecision) (Resolution, map[string]bool, bool) {
	excluded := map[string]bool{}
	for _, d := range ds {
		switch d.Decision {
		case store.DecisionManual, store.DecisionConfirmed:
			return Resolution{Source: src.Name, Link: &Link{Source: src.Name, ID: d.RecordID, Rule: d.Rule, Value: d.Value,
				Confidence: 1, Decision: d.Decision, DecidedBy: d.Actor, DecidedAt: d.At}}, nil, true
		case store.DecisionSplit:
			excluded[d.RecordID] = true
		}
	}
	return Resolution{}, excluded, false
}

// Split is a record a person said is not the customer.
type Split struct {
	RecordID string
	By       string
	At       time.Time
}

// splitsOf lists the records people split off, newest first.
func splitsOf(ds []store.LinkDecision) []Split {
	var out []Split
	for _, d := range ds {
		if d.Decision == store.DecisionSplit {
			out = append(out, Split{RecordID: d.RecordID, By: d.Actor, At: d.At})
		}
	}
	return out
}

// splitsOnly keeps the split decisions, so that resolution shows what the rules
// find among the records nobody split off.
func splitsOnly(ds []store.LinkDecision) []store.LinkDecision {
	var out []store.LinkDecision
	for _, d := range ds {
		if d.Decision == store.DecisionSplit {
			out = append(out, d)
		}
	}
	return out
}

// LinkSubject names the two sides of a link decision, for a person to confirm
// it: the customer and a record of a linked system.
type LinkSubject struct {
	CustomerID   string // canonical
	CustomerName string // empty when the primary system did not answer
	Source       string
	SourceTitle  string
	RecordID     string
	RecordName   string // empty when the record's system did not say
}

// LinkSubject names customer id and record of source before a decision about
// them. A customer that does not exist fails with ErrNotFound, a system or
// record id that cannot be linked with ErrBadLink; names a system does not
// give (it is down) are left empty.
func (c *Composer) LinkSubject(ctx context.Context, v Viewer, id, source, record string) (LinkSubject, error) {
	id, err := c.CustomerID(id)
	if err != nil {
		return LinkSubject{}, err
	}
	src, ok := c.linkedSource(source)
	if !ok {
		return LinkSubject{}, fmt.Errorf("%w: no system %q is linked", ErrBadLink, source)
	}
	if !recordID.MatchString(record) {
		return LinkSubject{}, fmt.Errorf("%w: %q is not a record id", ErrBadLink, record)
	}
	s := LinkSubject{CustomerID: id, Source: src.Name, SourceTitle: src.Title, RecordID: record}
	if hs, ok := headerSpec(c.primary); ok {
		p := c.fetch(ctx, v, c.primary, hs, id)
		if p.State == StateError && p.Problem.Cause == CauseNotFound {
			return LinkSubject{}, fmt.Errorf("%w: %s", ErrNotFound, id)
		}
		s.CustomerName = nameOf(p)
	}
	if hs, ok := headerSpec(src); ok {
		s.RecordName = nameOf(c.fetch(ctx, v, src, hs, record))
	}
	return s, nil
}

// nameOf is the name a header facet gives its record, if any.
func nameOf(p Panel) string {
	if p.State != StateOK || p.Facet == nil {
		return ""
	}
	return p.Facet.Fields[adapters.FieldName].Text
}
