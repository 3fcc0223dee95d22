package present

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/guard"
	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/customer"
)

// fixedCRM answers the same customer every time, fetched at one instant.
type fixedCRM struct{ at time.Time }

func (fixedCRM) Search(context.Context, adapters.Query) ([]adapters.Match, error) { return nil, nil }
func (fixedCRM) Facets() []adapters.FacetSpec {
	return []adapters.FacetSpec{{Name: "account", Title: "Account", Header: true}, {Name: "contacts", Title: "Contacts"}}
}
func (c fixedCRM) Fetch(_ context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	f := &adapters.Facet{Source: "crm", Name: req.Facet, FetchedAt: c.at, URL: "https://crm.example/C1"}
	switch req.Facet {
	case "account":
		f.Fields = map[string]adapters.Value{adapters.FieldName: adapters.Text("Globex"), adapters.FieldIndustry: adapters.Text("Energy")}
	case "contacts":
		f.Tables = []adapters.Table{{Columns: []adapters.Column{{Title: "Name"}}, Total: 1,
			Rows: []adapters.Row{{Cells: []adapters.Value{adapters.Text("Homer")}}}}}
		f.Events = []adapters.Event{{At: c.at.Add(-time.Hour), Kind: "invoice", Title: "Invoice 1",
			Amount: adapters.Value{Kind: adapters.KindMoney, Number: 12, Currency: "USD", Valid: true}}}
	}
	return f, nil
}
func (fixedCRM) Check(context.Context) adapters.Health { return adapters.Health{OK: true} }

// A page written from what earlier pages kept is the page rendered afresh,
// byte for byte, whoever saw the earlier page and however long before.
func TestWarmPagesAreThePagesRenderedAfresh(t *testing.T) {
	t0 := time.Now().Add(-time.Minute).Truncate(time.Second)
	g := guard.Wrap(fixedCRM{at: t0}, "crm", guard.DefaultPolicy())
	defer g.Close()
	c := customer.NewComposer(customer.Source{Name: "crm", Title: "CRM", Timeout: 5 * time.Second, Adapter: g}, nil)
	page := func(at time.Duration, token string, fragments *components.FragmentCache) string {
		t.Helper()
		s, err := c.Stream(t.Context(), anyone, "C1", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		var admin *Admin
		if token != "" {
			admin = &Admin{CSRFToken: token}
		}
		m := CachedCustomerStream(s, func() time.Time { return t0.Add(at) }, admin, nil, fragments)
		m.Layout = components.Layout{Title: m.Header.Name, CSRFToken: "page-" + token, User: &components.User{Name: "U"}}
		var b strings.Builder
		if err := components.Customer(m).Render(templ.WithNonce(context.Background(), "nonce-"+token), &b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	for _, tc := range []struct {
		name             string
		warmAt, at       time.Duration
		warmBy, viewedBy string // "": not an admin; else the admin's CSRF token
	}{
		{"a minute on", 10 * time.Second, 70 * time.Second, "", ""},
		{"seconds on", 40 * time.Second, 80 * time.Second, "", ""},
		{"a day on", 80 * time.Second, 25 * time.Hour, "", ""},
		{"another admin", 40 * time.Second, 40 * time.Second, "token-one", "token-two"},
		{"an admin after a user", 40 * time.Second, 40 * time.Second, "", "token-two"},
		{"a user after an admin", 40 * time.Second, 40 * time.Second, "token-one", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kept := components.NewFragmentCache(0)
			first := page(tc.warmAt, tc.warmBy, kept)
			if kept.Len() == 0 {
				t.Fatal("nothing was kept")
			}
			if got, want := page(tc.at, tc.viewedBy, kept), page(tc.at, tc.viewedBy, nil); got != want {
				t.Errorf("the warm page differs from the page rendered afresh:\n%s\nwant:\n%s\n(warmed by:\n%s)", got, want, first)
			}
		})
	}
}
