// Package adaptertest is the contract every adapter meets, as one test suite that
// each adapter package runs against a backend of its own (a simulator, a test
// server or a real peer): what the composer and the search page rely on, whatever
// the system.
package adaptertest

import (
	"cmp"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

// Fixture is the adapter under test and what its backend holds.
type Fixture struct {
	// New returns an adapter under test, ready to call. It is called once per
	// group of checks, so that groups share no session or cache; it releases
	// what it starts with t.Cleanup.
	New func(t *testing.T) adapters.Adapter
	// Source is the configured source name the adapter was built with; every
	// match and facet must carry it.
	Source string
	// Search is a name search and a customer it must find.
	Search SearchCase
	// Email and Domain, when set, are a contact's email address and a website
	// domain, and a customer each must find.
	Email, Domain SearchCase
	// Broad is a text matching at least two customers, for the limit check;
	// empty means Search.Text.
	Broad string
	// NoMatch is a text no customer matches; empty means a made-up word.
	NoMatch string
	// KnownID is a customer whose every facet can be fetched; UnknownID is a
	// well-formed id of no customer.
	KnownID, UnknownID string
}

// SearchCase is a search text and the id of a customer it must find.
type SearchCase struct {
	Text string
	ID   string
}

// Bounds of the checks.
const (
	// callTimeout bounds every call, so that a hung adapter fails its check
	// instead of the whole test binary.
	callTimeout = 30 * time.Second
	// cancelGrace is how soon a call must return once its context is cancelled.
	cancelGrace = 2 * time.Second
	searchLimit = 20
)

// defaultNoMatch is a text no customer of a test backend holds.
const defaultNoMatch = "qzxv-no-such-customer-7wj"

// hostileTexts are search texts that a query builder which splices input into
// its query language would run as code or as wildcards.
var hostileTexts = []string{
	`'`,
	`"`,
	`%`,
	`_`,
	`\`,
	`\'`,
	`%%`,
	`_%_`,
	`*`,
	`' OR Name LIKE '%`,
	`%' OR Name LIKE '%`,
	`\' OR Id != null OR Name = \'`,
	`') OR (Name != '`,
	`'; DELETE FROM Account; --`,
	`" OR ""="`,
}

// Run checks that the adapter of f meets the contract.
func Run(t *testing.T, f Fixture) {
	t.Helper()
	switch {
	case f.New == nil:
		t.Fatal("fixture: New is nil")
	case f.Source == "" || f.KnownID == "" || f.UnknownID == "":
		t.Fatal("fixture: Source, KnownID and UnknownID are required")
	case f.Search.Text == "" || f.Search.ID == "":
		t.Fatal("fixture: Search needs a text and the id it finds")
	}
	t.Run("Search", func(t *testing.T) { testSearch(t, f) })
	t.Run("Facets", func(t *testing.T) { testFacets(t, f) })
	t.Run("Fetch", func(t *testing.T) { testFetch(t, f) })
	t.Run("Cancelled", func(t *testing.T) { testCancelled(t, f) })
	t.Run("Check", func(t *testing.T) { testCheck(t, f) })
}

func callContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), callTimeout)
	t.Cleanup(cancel)
	return ctx
}

func testSearch(t *testing.T, f Fixture) {
	a := f.New(t)
	finds := []struct {
		name string
		c    SearchCase
	}{
		{"finds by name", f.Search},
		{"finds by email", f.Email},
		{"finds by domain", f.Domain},
	}
	for _, tt := range finds {
		t.Run(tt.name, func(t *testing.T) {
			if tt.c.Text == "" {
				t.Skip("the fixture gives no such search")
			}
			ms, err := a.Search(callContext(t), adapters.Query{Text: tt.c.Text, Limit: searchLimit})
			if err != nil {
				t.Fatalf("Search(%q): %v", tt.c.Text, err)
			}
			checkMatches(t, f, tt.c.Text, ms)
			if !hasID(ms, tt.c.ID) {
				t.Fatalf("Search(%q) found %v, want %s among them", tt.c.Text, listed(ms), tt.c.ID)
			}
		})
	}

	t.Run("respects the limit", func(t *testing.T) {
		text := cmp.Or(f.Broad, f.Search.Text)
		all, err := a.Search(callContext(t), adapters.Query{Text: text, Limit: 50})
		if err != nil {
			t.Fatalf("Search(%q): %v", text, err)
		}
		if len(all) < 2 {
			t.Fatalf("fixture: %q matches %d customers; the limit check needs a text matching at least 2 (set Broad)", text, len(all))
		}
		for _, limit := range []int{1, len(all) - 1} {
			ms, err := a.Search(callContext(t), adapters.Query{Text: text, Limit: limit})
			if err != nil {
				t.Fatalf("Search(%q, limit %d): %v", text, limit, err)
			}
			if len(ms) != limit {
				t.Errorf("Search(%q, limit %d) returned %d matches, want %d (%d match without that limit)", text, limit, len(ms), limit, len(all))
			}
		}
	})

	t.Run("finds nothing without error", func(t *testing.T) {
		text := cmp.Or(f.NoMatch, defaultNoMatch)
		ms, err := a.Search(callContext(t), adapters.Query{Text: text, Limit: searchLimit})
		if err != nil {
			t.Fatalf("Search(%q): %v", text, err)
		}
		if len(ms) != 0 {
			t.Errorf("Search(%q) = %v, want no match", text, listed(ms))
		}
	})

	t.Run("treats hostile text as text", func(t *testing.T) {
		for _, text := range hostileTexts {
			t.Run(text, func(t *testing.T) {
				ms, err := a.Search(callContext(t), adapters.Query{Text: text, Limit: searchLimit})
				if err != nil {
					t.Fatalf("Search(%q): %v", text, err)
				}
				checkMatches(t, f, text, ms)
				for _, m := range ms {
					if !holds(m, text) {
						t.Errorf("Search(%q) matched %s %q, which holds no such text: the text ran as query syntax or wildcards", text, m.ID, m.Name)
					}
				}
			})
		}
	})
}

// checkMatches checks what every match must carry.
func checkMatches(t *testing.T, f Fixture, text string, ms []adapters.Match) {
	t.Helper()
	seen := map[string]bool{}
	for i, m := range ms {
		switch {
		case m.Source != f.Source:
			t.Errorf("Search(%q) match %d: Source = %q, want %q", text, i, m.Source, f.Source)
		case m.ID == "":
			t.Errorf("Search(%q) match %d has no ID", text, i)
		case strings.TrimSpace(m.Name) == "":
			t.Errorf("Search(%q) match %d (%s) has no Name", text, i, m.ID)
		case seen[m.ID]:
			t.Errorf("Search(%q) returned %s twice", text, m.ID)
		}
		seen[m.ID] = true
	}
}

// holds reports whether a match shows the searched text in its name or in an
// identifying key, as a record found by that text must.
func holds(m adapters.Match, text string) bool {
	text = strings.ToLower(strings.TrimSpace(text))
	if strings.Contains(strings.ToLower(m.Name), text) {
		return true
	}
	for _, k := range m.Keys {
		if strings.Contains(strings.ToLower(k.Value), text) {
			return true
		}
	}
	return false
}

func hasID(ms []adapters.Match, id string) bool {
	for _, m := range ms {
		if m.ID == id {
			return true
		}
	}
	return false
}

// listed shows matches in a failure message.
func listed(ms []adapters.Match) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID + " " + m.Name
	}
	return out
}

func testFacets(t *testing.T, f Fixture) {
	specs := f.New(t).Facets()
	if len(specs) == 0 {
		t.Fatal("Facets() is empty")
	}
	headers := 0
	names, titles := map[string]bool{}, map[string]bool{}
	for i, s := range specs {
		if s.Header {
			headers++
		}
		if s.Name == "" || s.Title == "" {
			t.Errorf("facet %d: Name %q, Title %q: want both set", i, s.Name, s.Title)
		}
		if names[s.Name] {
			t.Errorf("facet name %q appears twice", s.Name)
		}
		if titles[s.Title] {
			t.Errorf("facet title %q appears twice", s.Title)
		}
		names[s.Name], titles[s.Title] = true, true
	}
	if headers != 1 {
		t.Errorf("Facets() has %d header facets, want exactly 1", headers)
	}
}

func testFetch(t *testing.T, f Fixture) {
	a := f.New(t)
	specs := a.Facets()
	for _, spec := range specs {
		t.Run(spec.Name+" of the known customer", func(t *testing.T) {
			facet, err := a.Fetch(callContext(t), adapters.FetchRequest{ID: f.KnownID, Facet: spec.Name})
			if err != nil {
				t.Fatalf("Fetch(%s, %s): %v", f.KnownID, spec.Name, err)
			}
			checkFacet(t, f, spec, facet)
		})
	}

	header, ok := headerOf(specs)
	if !ok {
		t.Fatal("no header facet") // testFacets says more
	}
	t.Run("header of an unknown customer is not found", func(t *testing.T) {
		facet, err := a.Fetch(callContext(t), adapters.FetchRequest{ID: f.UnknownID, Facet: header.Name})
		if !errors.Is(err, adapters.ErrNotFound) {
			t.Fatalf("Fetch(%s, %s) = %v, %v; want an error matching adapters.ErrNotFound", f.UnknownID, header.Name, facet, err)
		}
	})
	t.Run("unknown facet is an error", func(t *testing.T) {
		const name = "no-such-facet"
		facet, err := a.Fetch(callContext(t), adapters.FetchRequest{ID: f.KnownID, Facet: name})
		if err == nil || facet != nil {
			t.Fatalf("Fetch(%s, %q) = %v, %v; want no facet and an error", f.KnownID, name, facet, err)
		}
	})
}

func headerOf(specs []adapters.FacetSpec) (adapters.FacetSpec, bool) {
	for _, s := range specs {
		if s.Header {
			return s, true
		}
	}
	return adapters.FacetSpec{}, false
}

// checkFacet checks what every fetched facet must carry: who it is from, when,
// and tables a component can lay out.
func checkFacet(t *testing.T, f Fixture, spec adapters.FacetSpec, facet *adapters.Facet) {
	t.Helper()
	if facet == nil {
		t.Fatal("Fetch returned no facet and no error")
	}
	if facet.Source != f.Source || facet.Name != spec.Name {
		t.Errorf("facet Source, Name = %q, %q; want %q, %q", facet.Source, facet.Name, f.Source, spec.Name)
	}
	if facet.FetchedAt.IsZero() {
		t.Error("facet FetchedAt is not set")
	}
	if spec.Header {
		if name := facet.Fields[adapters.FieldName]; !name.Valid || strings.TrimSpace(name.Text) == "" {
			t.Errorf("header facet field %q = %+v, want the customer's name", adapters.FieldName, name)
		}
	}
	for _, tb := range facet.Tables {
		if len(tb.Columns) == 0 {
			t.Errorf("table %q has no columns", tb.Name)
		}
		keys := map[string]bool{}
		for _, c := range tb.Columns {
			if c.Key == "" || keys[c.Key] {
				t.Errorf("table %q: column key %q is empty or repeated", tb.Name, c.Key)
			}
			keys[c.Key] = true
		}
		for i, r := range tb.Rows {
			if len(r.Cells) != len(tb.Columns) {
				t.Errorf("table %q row %d has %d cells for %d columns", tb.Name, i, len(r.Cells), len(tb.Columns))
			}
		}
		if tb.Total < len(tb.Rows) {
			t.Errorf("table %q: Total %d is less than its %d rows", tb.Name, tb.Total, len(tb.Rows))
		}
	}
}

func testCancelled(t *testing.T, f Fixture) {
	states := []struct {
		name string
		warm bool
	}{
		{"before the first call", false},
		{"after a call succeeded", true},
	}
	for _, st := range states {
		t.Run(st.name, func(t *testing.T) {
			a := f.New(t)
			if st.warm {
				if _, err := a.Search(callContext(t), adapters.Query{Text: f.Search.Text, Limit: 1}); err != nil {
					t.Fatalf("Search(%q): %v", f.Search.Text, err)
				}
			}
			ctx, cancel := context.WithCancel(t.Context())
			cancel()

			_, err := returnsPromptly(t, "Search", func() ([]adapters.Match, error) {
				return a.Search(ctx, adapters.Query{Text: f.Search.Text, Limit: searchLimit})
			})
			checkCancelled(t, "Search", err)
			for _, spec := range a.Facets() {
				_, err := returnsPromptly(t, "Fetch "+spec.Name, func() (*adapters.Facet, error) {
					return a.Fetch(ctx, adapters.FetchRequest{ID: f.KnownID, Facet: spec.Name})
				})
				checkCancelled(t, "Fetch "+spec.Name, err)
			}
			h, _ := returnsPromptly(t, "Check", func() (adapters.Health, error) { return a.Check(ctx), nil })
			if h.OK {
				t.Errorf("Check with a cancelled context = %+v, want OK false", h)
			}
		})
	}
}

// returnsPromptly runs call and fails the test unless it returns within
// cancelGrace.
func returnsPromptly[T any](t *testing.T, what string, call func() (T, error)) (T, error) {
	t.Helper()
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := call()
		done <- result{v, err}
	}()
	timer := time.NewTimer(cancelGrace)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.v, r.err
	case <-timer.C:
		t.Fatalf("%s did not return within %s of its context being cancelled", what, cancelGrace)
	}
	var zero T
	return zero, nil
}

func checkCancelled(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, context.Canceled) {
		t.Errorf("%s with a cancelled context: error %v, want one matching context.Canceled", what, err)
	}
}

func testCheck(t *testing.T, f Fixture) {
	before := time.Now()
	h := f.New(t).Check(callContext(t))
	if !h.OK {
		t.Errorf("Check() = %+v, want OK for a backend that is up", h)
	}
	if h.CheckedAt.Before(before.Add(-time.Minute)) || h.CheckedAt.After(time.Now().Add(time.Minute)) {
		t.Errorf("Check() CheckedAt = %v, want about now", h.CheckedAt)
	}
	if h.APIUsed < 0 || h.APILimit < 0 || h.APILimit > 0 && h.APIUsed > h.APILimit {
		t.Errorf("Check() APIUsed %d, APILimit %d: want 0 ≤ used ≤ limit", h.APIUsed, h.APILimit)
	}
}
