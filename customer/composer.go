// Package customer is the domain of the unified customer view: finding customers
// and composing what the connected systems know about one of them into panels,
// fetched concurrently, each with its own deadline and state, so that one slow or
// failing system never delays or breaks the page.
package customer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/policy"
)

// Viewer is the signed-in person a page is composed for; every composer
// call that reads or changes customer data takes one, right after the
// context, and the composer's policy decides with it.
type Viewer = policy.Viewer

// Source is one connected system as the composer sees it.
type Source struct {
	Name    string
	Title   string
	Timeout time.Duration
	Adapter adapters.Adapter
}

// defaultTimeout is how long a source is waited for when its Timeout is unset.
const defaultTimeout = 5 * time.Second

func (s Source) withDefaults() Source {
	if s.Timeout <= 0 {
		s.Timeout = defaultTimeout
	}
	return s
}

// Composer finds customers and composes their pages.
type Composer struct {
	primary Source
	// linked are the other systems, whose records are linked to the primary's
	// by identity resolution.
	linked    []Source
	golden    []GoldenField
	decisions Decisions
	resolver  *Resolver
	resolved  *resolutionCache
	bus       Bus
	policy    *policy.Rules
	logger    *slog.Logger
	now       func() time.Time
}

// Option configures a Composer.
type Option func(*Composer)

// WithLinkedSources adds systems whose records are linked to each customer by
// the resolver's rules and shown as further panels.
func WithLinkedSources(sources ...Source) Option {
	return func(c *Composer) {
		for _, s := range sources {
			c.linked = append(c.linked, s.withDefaults())
		}
	}
}

// WithPolicy sets what each viewer may see and do (nil, the default:
// everything, and actions to admins).
func WithPolicy(r *policy.Rules) Option {
	return func(c *Composer) { c.policy = r }
}

// WithGolden sets which systems each fact of the golden record comes from.
func WithGolden(fields []GoldenField) Option {
	return func(c *Composer) { c.golden = fields }
}

// WithResolutionTTL sets how long an automatic link is reused before the linked
// system is searched again; 0 searches on every view.
func WithResolutionTTL(d time.Duration) Option {
	return func(c *Composer) { c.resolved.ttl = d }
}

// WithRules sets the identity resolution rules (default: DefaultRules).
func WithRules(rules []Rule) Option {
	return func(c *Composer) { c.resolver.Rules = rules }
}

// NewComposer returns a composer whose customers are the records of primary.
func NewComposer(primary Source, logger *slog.Logger, opts ...Option) *Composer {
	if logger == nil {
		logger = slog.Default()
	}
	c := &Composer{primary: primary.withDefaults(), logger: logger, now: time.Now, resolver: &Resolver{},
		resolved: &resolutionCache{ttl: DefaultResolutionTTL}}
	for _, o := range opts {
		o(c)
	}
	return c
}

// State of a panel.
type State int

const (
	StateOK State = iota
	StateError
	// StateNotLinked: the source holds no record of this customer (or none
	// that its rules could find).
	StateNotLinked
	// StateConflict: several records of the source match equally well; none is
	// linked until someone decides.
	StateConflict
	// StateForbidden: the viewer may not see this panel; its source was not
	// called.
	StateForbidden
)

// ErrForbidden means the viewer may not see the customer at all: they hold
// no role, or may not see the system whose records are the customers.
var ErrForbidden = errors.New("you don't have access to customers")

// Panel is one facet of a customer from one source, or why it is missing.
type Panel struct {
	Source      string
	SourceTitle string
	Spec        adapters.FacetSpec
	State       State
	Facet       *adapters.Facet // set when State is StateOK
	Problem     *Problem        // set when State is StateError
	// Link says how the source's record was linked to the customer; nil for
	// the primary source, whose record is the customer.
	Link *Link
	// Candidates are the equally good records of a StateConflict panel.
	Candidates []Link
	// Splits are the source's records people said are not this customer,
	// set on every panel of a linked source.
	Splits []Split
	// Timeline is set on the merged activity panel, which has no source of
	// its own and comes last.
	Timeline *Timeline
	// Summary is set on the across-systems panel: key metrics, invoiced per
	// month and the golden record's facts.
	Summary *Summary
	// Hidden marks a facet fetched for the summary only (a linked system's
	// header), never shown as a panel.
	Hidden  bool
	Elapsed time.Duration
	// Version names what the summary or the timeline panel shows, for
	// keeping what is rendered of it (see adapters.Facet.Version, which
	// names a facet panel's); "" when unknown.
	Version string
	// Redaction names the restricted fields the viewer was shown, and those
	// kept from them.
	Redaction policy.Redaction
}

// ErrNotFound means the customer does not exist.
var ErrNotFound = errors.New("customer not found")

// forbidden is the panel of a facet the viewer may not see.
func (c *Composer) forbidden(src Source, spec adapters.FacetSpec) Panel {
	return Panel{Source: src.Name, SourceTitle: src.Title, Spec: spec, State: StateForbidden,
		Problem: &Problem{Source: src.Title,
			Message: fmt.Sprintf("You don't have access to %s in %s.", strings.ToLower(spec.Title), src.Title),
			Hint:    c.policy.NoAccess()}}
}

// fetch asks src for one facet of record id on v's behalf: not at all when
// the policy keeps the facet from v, and with what the policy keeps of its
// fields from v taken out of the answer, before anything else reads it.
func (c *Composer) fetch(ctx context.Context, v Viewer, src Source, spec adapters.FacetSpec, id string) (p Panel) {
	if !c.allowed(v, src, spec) {
		return c.forbidden(src, spec)
	}
	p = c.fetchRaw(ctx, src, spec, id)
	if p.Facet != nil {
		p.Facet, p.Redaction = c.policy.Redact(v, src.Name, p.Facet)
	}
	return p
}

// fetchRaw asks src for one facet for the composer's own use (the keys that
// link records), never shown to anyone as it is.
func (c *Composer) fetchRaw(ctx context.Context, src Source, spec adapters.FacetSpec, id string) (p Panel) {
	ctx, cancel := context.WithTimeout(ctx, src.Timeout)
	defer cancel()
	start := c.now()
	p = Panel{Source: src.Name, SourceTitle: src.Title, Spec: spec}
	// A panicking adapter must cost its panel, not the process: panels run on
	// their own goroutines, where no HTTP recovery reaches.
	defer func() {
		if r := recover(); r != nil {
			c.logger.ErrorContext(ctx, "adapter panicked", "source", src.Name, "facet", spec.Name,
				"customer", id, "panic", r, "stack", string(debug.Stack()))
			p.State, p.Facet = StateError, nil
			p.Problem = failure(CauseBug, src)
		}
	}()
	f, err := src.Adapter.Fetch(ctx, adapters.FetchRequest{ID: id, Facet: spec.Name})
	p.Elapsed = c.now().Sub(start)
	if err != nil {
		p.State = StateError
		p.Problem = problemOf(ctx, src, err)
		if p.Problem.Cause != CauseNotFound {
			c.logger.WarnContext(ctx, "panel failed", withRawBody(err, "source", src.Name, "facet", spec.Name,
				"customer", id, "elapsed", p.Elapsed, "err", err)...)
		}
		return p
	}
	if f == nil {
		p.State = StateError
		p.Problem = failure(CauseEmpty, src)
		return p
	}
	p.Facet = f
	return p
}

// allowed reports whether v may see spec of src. A header facet goes by its
// source's rule: it names the record every other panel belongs to.
func (c *Composer) allowed(v Viewer, src Source, spec adapters.FacetSpec) bool {
	if spec.Header {
		return c.policy.Source(v, src.Name)
	}
	return c.policy.Facet(v, src.Name, spec.Name)
}

// withRawBody adds to log attributes the raw answer err carries, if any, already
// truncated: the one place it goes, since a Problem never shows it.
func withRawBody(err error, attrs ...any) []any {
	if raw := adapters.RawBody(err); raw != "" {
		attrs = append(attrs, "raw_body", raw)
	}
	return attrs
}

// CustomerID returns the canonical form of customer id, the one its page,
// links and cached facets go by, as the primary system's adapter checks ids
// (adapters.IDChecker); without such a check, id as it is. An id the check
// refuses names no customer: the error matches ErrNotFound.
func (c *Composer) CustomerID(id string) (string, error) {
	checker, ok := c.primary.Adapter.(adapters.IDChecker)
	if !ok {
		return id, nil
	}
	canonical, err := checker.CanonicalID(id)
	if err != nil {
		return "", fmt.Errorf("%w: %q: %w", ErrNotFound, id, err)
	}
	return canonical, nil
}

// Sees reports whether v may see anything of source.
func (c *Composer) Sees(v Viewer, source string) bool { return c.policy.Source(v, source) }

// SourceTitles names the systems, primary first.
func (c *Composer) SourceTitles() []string {
	out := []string{c.primary.Title}
	for _, s := range c.linked {
		out = append(out, s.Title)
	}
	return out
}
