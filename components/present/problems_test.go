package present

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/customer"
)

func TestWordsOfEachCause(t *testing.T) {
	retryAt := time.Date(2026, 11, 26, 14, 5, 0, 0, time.Local)
	of := func(c customer.Cause) *customer.Problem { return &customer.Problem{Cause: c, Source: "Billing"} }
	tests := []struct {
		problem       *customer.Problem
		message, hint string
	}{
		{of(customer.CauseFailed), "Loading from Billing failed.", "Try again; if it persists, tell your integration admin."},
		{of(customer.CauseBug), "Loading from Billing failed.", "Tell your integration admin; the details are in Atrium's log."},
		{of(customer.CauseEmpty), "Billing returned nothing.", "Try again; if it persists, tell your integration admin."},
		{&customer.Problem{Cause: customer.CauseTimeout, Source: "Billing", Timeout: 2 * time.Second},
			"Billing did not answer within 2s.", "Try again in a moment."},
		{of(customer.CauseTimeout), "Billing did not answer in time.", "Try again in a moment."},
		{of(customer.CauseCancelled), "The request was cancelled.", ""},
		{of(customer.CauseUnreachable), "Billing is unavailable: Atrium could not connect to it.",
			"Try again in a moment; if it persists, tell your integration admin."},
		{of(customer.CauseUnavailable), "Billing is unavailable right now.", "Try again in a moment."},
		{&customer.Problem{Cause: customer.CauseBreakerOpen, Source: "Billing", RetryAt: retryAt},
			"Billing is unavailable, retrying at 14:05:00.", "Atrium stopped calling it after repeated failures and will try again by itself."},
		{of(customer.CauseBreakerOpen), "Billing is unavailable.", "Atrium stopped calling it after repeated failures and will try again by itself."},
		{of(customer.CauseOverBudget), "Billing's daily API allocation is used up.", "Data returns when the allocation resets; tell your integration admin."},
		{of(customer.CauseForbidden), "Atrium's integration user may not read this in Billing.", "Ask your integration admin to grant access."},
		{of(customer.CauseNotFound), "This record does not exist in Billing.", "It may have been deleted or merged."},
		{of(customer.CauseAuthFailed), "Atrium could not sign in to Billing.", "Tell your integration admin: the connection's credentials need attention."},
		{of(customer.CauseBadConfig), "Billing rejected Atrium's request.", "Tell your integration admin: the connection's configuration needs attention."},
		{of(customer.CauseBadAnswer), "Billing sent an answer Atrium could not read.", "Try again; if it persists, tell your integration admin."},
		{of(customer.CauseLate), "Still loading from Billing.", "Load it again in a moment."},
		{&customer.Problem{Message: "Not linked in Billing.", Hint: "No Billing record shares this customer's id."},
			"Not linked in Billing.", "No Billing record shares this customer's id."},
	}
	seen := map[customer.Cause]bool{}
	for _, tt := range tests {
		seen[tt.problem.Cause] = true
		t.Run(tt.problem.Cause.String(), func(t *testing.T) {
			if msg, hint := words(tt.problem); msg != tt.message || hint != tt.hint {
				t.Errorf("words = %q, %q\nwant %q, %q", msg, hint, tt.message, tt.hint)
			}
		})
	}
	for c := customer.CauseNone; c <= customer.CauseLate; c++ {
		if !seen[c] {
			t.Errorf("no words tested for %v", c)
		}
	}
}

// failingSystem is a one-source CRM whose cases facet and searches fail with
// err; every other facet has an event for the timeline.
type failingSystem struct{ err error }

func (failingSystem) Facets() []adapters.FacetSpec {
	return []adapters.FacetSpec{{Name: "account", Title: "Account", Header: true}, {Name: "contacts", Title: "Contacts"}, {Name: "cases", Title: "Cases"}}
}

func (s failingSystem) Fetch(_ context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	if req.Facet == "cases" {
		return nil, s.err
	}
	return &adapters.Facet{Source: "crm", Name: req.Facet, FetchedAt: time.Now(),
		Fields: map[string]adapters.Value{adapters.FieldName: adapters.Text("Acme")},
		Events: []adapters.Event{{At: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC), Kind: "contact", Title: "Ann joined"}}}, nil
}

func (s failingSystem) Search(context.Context, adapters.Query) ([]adapters.Match, error) {
	return nil, s.err
}

func (failingSystem) Check(context.Context) adapters.Health { return adapters.Health{OK: true} }

// openBreaker is a guard's answer while a system's breaker is open.
type openBreaker struct{ until time.Time }

func (e openBreaker) Error() string        { return "circuit open" }
func (e openBreaker) RetryAt() time.Time   { return e.until }
func (e openBreaker) Is(target error) bool { return target == adapters.ErrUnavailable }

// A panel, the timeline and a search say the same of the same failure,
// whatever it was: composed from one failing system and mapped here.
func TestPanelTimelineAndSearchSayTheSame(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"refused", fmt.Errorf("crm: %w: %w", adapters.ErrUnavailable, refused), "CRM is unavailable: Atrium could not connect to it."},
		{"over budget", fmt.Errorf("crm: %w", adapters.ErrLimitExceeded), "CRM's daily API allocation is used up."},
		{"breaker open", openBreaker{time.Date(2026, 11, 26, 14, 5, 0, 0, time.Local)}, "CRM is unavailable, retrying at 14:05:00."},
		{"timeout", fmt.Errorf("crm: %w: %w", adapters.ErrUnavailable, context.DeadlineExceeded), "CRM did not answer within 3s."},
		{"server error", fmt.Errorf("crm: %w", adapters.ErrUnavailable), "CRM is unavailable right now."},
		{"sign-in failed", fmt.Errorf("crm: %w", adapters.ErrAuth), "Atrium could not sign in to CRM."},
		{"forbidden", fmt.Errorf("crm: %w", adapters.ErrForbidden), "Atrium's integration user may not read this in CRM."},
		{"rejected", errors.Join(adapters.ErrBadRequest, errors.New("MALFORMED_QUERY")), "CRM rejected Atrium's request."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := customer.NewComposer(customer.Source{Name: "crm", Title: "CRM", Timeout: 3 * time.Second, Adapter: failingSystem{tt.err}}, nil)
			s, err := c.Stream(t.Context(), anyone, "C1", time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			var cases, activity *components.Panel
			for p := range CustomerStream(s, time.Now, nil, nil).Panels {
				switch p.ID {
				case "crm-cases":
					cases = &p
				case "all-timeline":
					activity = &p
				}
			}
			if cases == nil || cases.Problem == nil || activity == nil || activity.Timeline == nil {
				t.Fatalf("cases panel %+v, timeline %+v", cases, activity)
			}
			if cases.Problem.Message != tt.want {
				t.Errorf("the panel says %q, want %q", cases.Problem.Message, tt.want)
			}
			if note := activity.Timeline.Note; note != cases.Problem.Message+" Events from CRM are missing." {
				t.Errorf("the timeline says %q; the panel %q", note, cases.Problem.Message)
			}
			res := SearchResults("acme", c.Search(t.Context(), anyone, "acme", 5))
			if res.Problem == nil || res.Problem.Message != cases.Problem.Message || res.Problem.Hint != cases.Problem.Hint {
				t.Errorf("the search says %+v; the panel %+v", res.Problem, cases.Problem)
			}
		})
	}
}

func TestTimelineNoteNamesEachSystemOnce(t *testing.T) {
	crm := &customer.Problem{Cause: customer.CauseUnavailable, Source: "CRM", Retry: true}
	got := missing([]customer.SourceProblem{
		{Title: "CRM", Problem: crm},
		{Title: "Billing", Problem: &customer.Problem{Cause: customer.CauseLate, Source: "Billing", Retry: true}},
		{Title: "CRM", Problem: &customer.Problem{Cause: customer.CauseTimeout, Source: "CRM", Timeout: time.Second}},
		{Title: "CRM", Problem: crm},
	})
	want := "CRM is unavailable right now. Still loading from Billing. CRM did not answer within 1s. Events from CRM and Billing are missing."
	if got != want {
		t.Errorf("note %q\nwant %q", got, want)
	}
	if missing(nil) != "" {
		t.Error("a complete timeline has a note")
	}
}

// anyone is a viewer of a composer without a policy, who may see everything.
var anyone = customer.Viewer{Subject: "user-1", Roles: []string{"member"}}
