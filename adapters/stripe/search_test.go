package stripe

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/atrium-dev/atrium/adapters"
)

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Acme", `'Acme'`},
		{"O'Reilly", `'O\'Reilly'`},
		{`Back\slash`, `'Back\\slash'`},
		{`\'`, `'\\\''`},
		{`say "hi"`, `'say "hi"'`},
		{"Müller & Söhne", `'Müller & Söhne'`},
	}
	for _, tt := range tests {
		if got := quote(tt.in); got != tt.want {
			t.Errorf("quote(%q) = %s, want %s", tt.in, got, tt.want)
		}
		// The double's parser reads back what was quoted.
		q, err := parseQuery("name:" + quote(tt.in))
		if err != nil || q.clauses[0].value != tt.in {
			t.Errorf("parse name:%s = %+v, %v; want the value %q", quote(tt.in), q, err, tt.in)
		}
	}
}

func TestSalesforceID18(t *testing.T) {
	// Vectors shared with the Salesforce adapter's own conversion.
	for in, want := range map[string]string{
		"001A0000006Vm9r": "001A0000006Vm9rIAC",
		"0015000000Gv7qJ": "0015000000Gv7qJAAR",
		acmeSFID:          acmeSFID18,
	} {
		if got := salesforceID18(in); got != want {
			t.Errorf("salesforceID18(%q) = %q, want %q", in, got, want)
		}
	}
}

// sentQuery returns the query of the last search request the double got.
func sentQuery(t *testing.T, f *fakeStripe) string {
	t.Helper()
	reqs := f.requested("/v1/customers/search")
	if len(reqs) == 0 {
		t.Fatal("no search request")
	}
	_, raw, _ := strings.Cut(reqs[len(reqs)-1], "?")
	v, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	return v.Get("query")
}

func TestSearch(t *testing.T) {
	f, a := seeded(t)
	tests := []struct {
		name, text string
		query      string // sent to Stripe; empty when no search call is made
		ids        []string
		matchedBy  string
	}{
		{"email", "billing@acme-corp.com", `email:'billing@acme-corp.com'`, []string{cusAcme}, "email"},
		{"salesforce id, 15", acmeSFID, `metadata['salesforce_account_id']:'` + acmeSFID + `' OR metadata['salesforce_account_id']:'` + acmeSFID18 + `'`, []string{cusAcme}, "id"},
		{"salesforce id, 18", acmeSFID18, `metadata['salesforce_account_id']:'` + acmeSFID18 + `' OR metadata['salesforce_account_id']:'` + acmeSFID + `'`, []string{cusAcme}, "id"},
		{"name", "acme", `name~'acme'`, []string{cusAcme, cusAcmeLog}, "name"},
		{"name with a quote", "O'Reilly", `name~'O\'Reilly'`, []string{cusOReilly}, "name"},
		{"name with a backslash", `k\sla`, `name~'k\\sla'`, []string{cusBack}, "name"},
		{"short name", "Ac", `name:'Ac'`, nil, ""},
		{"domain", "globex.com", `name~'globex.com' OR email~'globex.com'`, []string{cusGlobex}, "domain"},
		{"stripe id", cusTanaka, "", []string{cusTanaka}, "id"},
		{"unknown stripe id", "cus_NoSuch", "", nil, ""},
		{"deleted customer", "Acme Deleted", `name~'Acme Deleted'`, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(f.requested("/v1/customers/search"))
			ms, err := a.Search(t.Context(), adapters.Query{Text: tt.text, Limit: 10})
			if err != nil {
				t.Fatalf("Search(%q): %v", tt.text, err)
			}
			var ids []string
			for _, m := range ms {
				ids = append(ids, m.ID)
				if m.MatchedBy != tt.matchedBy {
					t.Errorf("match %s MatchedBy = %q, want %q", m.ID, m.MatchedBy, tt.matchedBy)
				}
			}
			if !slices.Equal(ids, tt.ids) {
				t.Errorf("Search(%q) found %v, want %v", tt.text, ids, tt.ids)
			}
			searched := len(f.requested("/v1/customers/search")) > before
			switch {
			case tt.query == "" && searched:
				t.Errorf("Search(%q) used the search API, want a lookup by id", tt.text)
			case tt.query != "" && !searched:
				t.Fatalf("Search(%q) made no search request", tt.text)
			case tt.query != "":
				if got := sentQuery(t, f); got != tt.query {
					t.Errorf("Search(%q) sent query\n  %s\nwant\n  %s", tt.text, got, tt.query)
				}
			}
		})
	}
}

func TestSearchMatchCarriesKeys(t *testing.T) {
	_, a := seeded(t)
	ms, err := a.Search(t.Context(), adapters.Query{Text: acmeEmail})
	if err != nil || len(ms) != 1 {
		t.Fatalf("Search = %v, %v; want one match", ms, err)
	}
	m := ms[0]
	want := adapters.Match{
		Source: testSource, ID: cusAcme, Name: "Acme Corporation", City: "Lyon",
		URL: "https://dashboard.stripe.com/test/customers/" + cusAcme,
		Keys: []adapters.Key{
			{Kind: adapters.KeyEmail, Value: "billing@acme-corp.com"},
			{Kind: adapters.KeyDomain, Value: "acme-corp.com"},
			{Kind: adapters.KeyExternalID, Value: "salesforce:" + acmeSFID18},
		},
		MatchedBy: "email",
	}
	if m.Source != want.Source || m.ID != want.ID || m.Name != want.Name || m.City != want.City ||
		m.URL != want.URL || m.MatchedBy != want.MatchedBy || !slices.Equal(m.Keys, want.Keys) {
		t.Errorf("match =\n  %+v\nwant\n  %+v", m, want)
	}
}

func TestSearchWithAnotherMetadataKey(t *testing.T) {
	f := newFakeStripe(t)
	seed(f)
	a := newTestAdapter(t, f, func(s *Settings) { s.MatchMetadataKey = "crm_id" })
	ms, err := a.Search(t.Context(), adapters.Query{Text: "001Dn00000OReil"})
	if err != nil || len(ms) != 1 || ms[0].ID != cusOReilly {
		t.Fatalf("Search by crm_id = %v, %v; want %s", ms, err, cusOReilly)
	}
	if got := sentQuery(t, f); !strings.HasPrefix(got, `metadata['crm_id']:'001Dn00000OReil'`) {
		t.Errorf("query = %s, want it on metadata['crm_id']", got)
	}
	if !slices.Contains(ms[0].Keys, adapters.Key{Kind: adapters.KeyExternalID, Value: "salesforce:001Dn00000OReilIAD"}) {
		t.Errorf("keys = %v, want the 18-character external id", ms[0].Keys)
	}
	// The default key is not read any more.
	ms, err = a.Search(t.Context(), adapters.Query{Text: acmeEmail})
	if err != nil || len(ms) != 1 {
		t.Fatalf("Search = %v, %v", ms, err)
	}
	for _, k := range ms[0].Keys {
		if k.Kind == adapters.KeyExternalID {
			t.Errorf("Acme has no crm_id, but its match carries %v", k)
		}
	}
}

func TestSearchNameFallsBackToEmailAndLiveModeURL(t *testing.T) {
	f := newFakeStripe(t)
	seed(f)
	f.key = "rk_live_fake4242"
	a := newTestAdapter(t, f, nil)
	ms, err := a.Search(t.Context(), adapters.Query{Text: "solo@example.org"})
	if err != nil || len(ms) != 1 {
		t.Fatalf("Search = %v, %v; want one match", ms, err)
	}
	if ms[0].Name != "solo@example.org" {
		t.Errorf("Name = %q, want the email of a customer without a name", ms[0].Name)
	}
	if want := "https://dashboard.stripe.com/customers/" + cusNoName; ms[0].URL != want {
		t.Errorf("URL = %q, want %q for a live-mode key", ms[0].URL, want)
	}
}

func TestSearchFollowsPagesUpToTheLimit(t *testing.T) {
	f := newFakeStripe(t)
	for i := range 150 {
		f.addCustomer(obj{"id": "cus_Many" + strings.Repeat("x", i%3) + string(rune('a'+i%26)) + string(rune('a'+i/26)),
			"name": "Many Widgets", "email": "", "metadata": obj{}})
	}
	a := newTestAdapter(t, f, nil)
	for _, limit := range []int{1, 37, 100, 500} {
		ms, err := a.Search(t.Context(), adapters.Query{Text: "widgets", Limit: limit})
		if err != nil {
			t.Fatalf("Search(limit %d): %v", limit, err)
		}
		if want := min(limit, maxSearchLimit); len(ms) != want {
			t.Errorf("Search(limit %d) = %d matches, want %d", limit, len(ms), want)
		}
	}
}
