package customer

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/store"
)

func TestFederatedSearchMergesOneCustomerAcrossSystems(t *testing.T) {
	crm := &directory{records: []adapters.Match{
		{Source: "crm", ID: "001ACME", Name: "Acme Corporation", City: "Springfield",
			Keys: []adapters.Key{{Kind: adapters.KeyDomain, Value: "acme.com"}}},
		{Source: "crm", ID: "001GLOBEX", Name: "Globex", Keys: []adapters.Key{{Kind: adapters.KeyDomain, Value: "globex.com"}}},
	}}
	billing := &directory{records: []adapters.Match{
		// Found only by an email the CRM does not know, linked through its
		// metadata id.
		{Source: "billing", ID: "cus_1", Name: "ACME Corp (billing)", MatchedBy: adapters.KeyEmail, Keys: []adapters.Key{
			{Kind: adapters.KeyEmail, Value: "payables@acme.com"},
			{Kind: adapters.KeyExternalID, Value: "crm:001ACME"}}},
		{Source: "billing", ID: "cus_9", Name: "Initech", Keys: []adapters.Key{{Kind: adapters.KeyEmail, Value: "x@gmail.com"}}},
	}}
	erp := &directory{err: adapters.ErrUnavailable}
	c := NewComposer(Source{Name: "crm", Title: "CRM", Timeout: time.Second, Adapter: crm}, nil, WithLinkedSources(
		Source{Name: "billing", Title: "Billing", Adapter: billing},
		Source{Name: "erp", Title: "ERP", Adapter: erp},
	))
	res := c.Search(context.Background(), anyone, "payables@acme.com", 10)
	if len(res.Missing) != 1 || res.Missing[0].Title != "ERP" || res.Problem != nil {
		t.Fatalf("missing = %+v, problem = %+v", res.Missing, res.Problem)
	}
	if len(res.Hits) != 1 {
		t.Fatalf("hits = %+v", res.Hits)
	}
	h := res.Hits[0]
	if h.CustomerID != "001ACME" || h.Name != "Acme Corporation" || len(h.Found) != 2 || h.Found[0].Source != "crm" || h.Found[1].ID != "cus_1" {
		t.Fatalf("hit = %+v", h)
	}
	if h.MatchedBy != adapters.KeyEmail || !h.Exact() {
		t.Errorf("matched by %q", h.MatchedBy)
	}
}

func TestFederatedSearchRanksExactHitsFirstAndKeepsSameSystemApart(t *testing.T) {
	crm := &directory{records: []adapters.Match{
		{Source: "crm", ID: "001A", Name: "Acme Alpha", Keys: []adapters.Key{{Kind: adapters.KeyDomain, Value: "acme.com"}}},
		{Source: "crm", ID: "001B", Name: "Acme Beta", Keys: []adapters.Key{{Kind: adapters.KeyDomain, Value: "acme.com"}}, MatchedBy: adapters.KeyDomain},
	}}
	c := NewComposer(Source{Name: "crm", Title: "CRM", Timeout: time.Second, Adapter: crm}, nil)
	res := c.Search(context.Background(), anyone, "acme", 10)
	if len(res.Hits) != 2 {
		t.Fatalf("two records of one system were merged: %+v", res.Hits)
	}
}

func TestFederatedSearchWithEveryDomainDown(t *testing.T) {
	c := NewComposer(Source{Name: "crm", Title: "CRM", Timeout: time.Second, Adapter: &directory{err: adapters.ErrUnavailable}}, nil)
	res := c.Search(context.Background(), anyone, "acme", 10)
	if res.Problem == nil || len(res.Hits) != 0 {
		t.Fatalf("result = %+v", res)
	}
}

func TestFederatedSearchFoldsHitsOfOneCustomer(t *testing.T) {
	crm := &directory{records: []adapters.Match{
		{Source: "crm", ID: "001ACME", Name: "Acme Corporation", Keys: []adapters.Key{{Kind: adapters.KeyDomain, Value: "acme.com"}}},
	}}
	billing := &directory{records: []adapters.Match{
		// Two billing customers of Acme: one by its CRM id, one (EMEA
		// payables) by domain only. Both are Acme: one hit, not two.
		{Source: "billing", ID: "cus_1", Name: "Acme", Keys: []adapters.Key{{Kind: adapters.KeyExternalID, Value: "crm:001ACME"}}},
		{Source: "billing", ID: "cus_2", Name: "Acme EMEA payables", Keys: []adapters.Key{{Kind: adapters.KeyEmail, Value: "payables@acme.com"}}},
	}}
	c := NewComposer(Source{Name: "crm", Title: "CRM", Timeout: time.Second, Adapter: crm}, nil,
		WithLinkedSources(Source{Name: "billing", Title: "Billing", Adapter: billing}))
	res := c.Search(context.Background(), anyone, "acme", 10)
	if len(res.Hits) != 1 || res.Hits[0].CustomerID != "001ACME" {
		t.Fatalf("hits = %+v", res.Hits)
	}
}

// catalog is a system searched the way real ones are: by name, id or key
// containing the text, at most the limit asked for. Its header facet carries
// each record's keys.
type catalog struct {
	fakeAdapter
	source  string
	records []adapters.Match
	asked   atomic.Int32 // the limit of the last search
}

func (d *catalog) Facets() []adapters.FacetSpec {
	return []adapters.FacetSpec{{Name: "account", Title: "Account", Header: true}, {Name: "cases", Title: "Cases"}}
}

func (d *catalog) Search(_ context.Context, q adapters.Query) ([]adapters.Match, error) {
	d.asked.Store(int32(q.Limit))
	text := strings.ToLower(q.Text)
	var out []adapters.Match
	for _, r := range d.records {
		hit := strings.Contains(strings.ToLower(r.Name), text) || strings.EqualFold(r.ID, q.Text)
		for _, k := range r.Keys {
			hit = hit || strings.Contains(strings.ToLower(k.Value), text)
		}
		if hit && (q.Limit == 0 || len(out) < q.Limit) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (d *catalog) Fetch(_ context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	for _, r := range d.records {
		if r.ID == req.ID {
			return &adapters.Facet{Source: d.source, Name: req.Facet, FetchedAt: time.Now(), Keys: r.Keys}, nil
		}
	}
	return nil, adapters.ErrNotFound
}

func dom(v string) adapters.Key   { return adapters.Key{Kind: adapters.KeyDomain, Value: v} }
func email(v string) adapters.Key { return adapters.Key{Kind: adapters.KeyEmail, Value: v} }
func extID(v string) adapters.Key { return adapters.Key{Kind: adapters.KeyExternalID, Value: v} }

func names(hs []Hit) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.Name)
	}
	return out
}

func TestSearchRanksByMatchStrengthThenName(t *testing.T) {
	crm := &catalog{source: "crm", records: []adapters.Match{
		{Source: "crm", ID: "001ZED", Name: "Zed Acme Holdings", Keys: []adapters.Key{dom("zed.com")}},
		{Source: "crm", ID: "001PAC", Name: "Pacmeister", Keys: []adapters.Key{dom("pac.com")}},
		{Source: "crm", ID: "001ACM", Name: "Acme Corporation", Industry: "Manufacturing", Keys: []adapters.Key{dom("acme.com")}},
		{Source: "crm", ID: "001BAC", Name: "Bacme", Keys: []adapters.Key{dom("bacme.com")}},
	}}
	desk := &catalog{source: "desk", records: []adapters.Match{
		// Found by an email that merely contains the text: weak, last.
		{Source: "desk", ID: "D9", Name: "Jo", MatchedBy: adapters.KeyEmail, Keys: []adapters.Key{email("jo@acmeish.net")}},
	}}
	c := NewComposer(Source{Name: "crm", Title: "CRM", Timeout: time.Second, Adapter: crm}, nil,
		WithLinkedSources(Source{Name: "desk", Title: "Desk", Timeout: time.Second, Adapter: desk}))
	tests := []struct {
		query string
		want  []string
		by    string // the first hit's reason
	}{
		// Word prefixes ("Acme…", "Zed Acme…") before names containing the
		// text, each by name; a weak match last.
		{"acme", []string{"Acme Corporation", "Zed Acme Holdings", "Bacme", "Pacmeister", "Jo"}, "name"},
		// The exact domain first, although other names contain the text.
		{"bacme.com", []string{"Bacme"}, adapters.KeyDomain},
		{"001PAC", []string{"Pacmeister"}, adapters.KeyExternalID},
		{"jo@acmeish.net", []string{"Jo"}, adapters.KeyEmail},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			res := c.Search(t.Context(), anyone, tt.query, 10)
			if got := names(res.Hits); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("order = %q, want %q", got, tt.want)
			}
			if res.Hits[0].MatchedBy != tt.by {
				t.Errorf("first hit matched by %q, want %q", res.Hits[0].MatchedBy, tt.by)
			}
			if res.More {
				t.Error("More set, but every customer is shown")
			}
		})
	}
}

func TestSearchSaysWhenResultsAreCutOff(t *testing.T) {
	var recs []adapters.Match
	for i := range 6 {
		recs = append(recs, adapters.Match{Source: "crm", ID: fmt.Sprintf("001A%d", i), Name: fmt.Sprintf("Acme %d", i)})
	}
	tests := []struct {
		limit    int
		wantHits int
		wantMore bool
	}{
		{5, 5, true},
		{6, 6, false},
		{10, 6, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.limit), func(t *testing.T) {
			crm := &catalog{source: "crm", records: recs}
			c := NewComposer(Source{Name: "crm", Title: "CRM", Timeout: time.Second, Adapter: crm}, nil)
			res := c.Search(t.Context(), anyone, "acme", tt.limit)
			if len(res.Hits) != tt.wantHits || res.More != tt.wantMore {
				t.Errorf("limit %d: %d hits, more %v; want %d, %v", tt.limit, len(res.Hits), res.More, tt.wantHits, tt.wantMore)
			}
			if got := crm.asked.Load(); got != int32(tt.limit+1) {
				t.Errorf("asked the system for %d, want %d", got, tt.limit+1)
			}
		})
	}
}

func TestSearchFoldsLinkedRecordsAndShowsThePagesRecords(t *testing.T) {
	crm := &catalog{source: "crm", records: []adapters.Match{
		{Source: "crm", ID: "001ACME", Name: "Acme Corporation", Industry: "Manufacturing", City: "Springfield", Owner: "Ann",
			Keys: []adapters.Key{dom("acme-corp.com")}},
		{Source: "crm", ID: "001INIT", Name: "Initech", Industry: "Software", City: "Austin", Owner: "Bob",
			Keys: []adapters.Key{dom("initech.com")}},
	}}
	desk := &catalog{source: "desk", records: []adapters.Match{
		// Linked to Acme by an admin: shares no key with it.
		{Source: "desk", ID: "D1", Name: "ACME support", Keys: []adapters.Key{email("help@acme-support.net")}},
	}}
	billing := &catalog{source: "billing", records: []adapters.Match{
		// Found by the email only billing knows; linked by Acme's CRM id.
		{Source: "billing", ID: "cus_1", Name: "Acme (billing)", City: "Shelbyville",
			Keys: []adapters.Key{email("payables@acme-corp.com"), extID("crm:001ACME")}},
		// Shares Initech's domain, but an admin split it off; Initech's
		// billing record is cus_3.
		{Source: "billing", ID: "cus_2", Name: "Initech old", Keys: []adapters.Key{dom("initech.com")}},
		{Source: "billing", ID: "cus_3", Name: "Initech Billing", Keys: []adapters.Key{extID("crm:001INIT")}},
		// A second billing account of Acme, linked by domain only: Acme's
		// page shows cus_1, linked by its CRM id.
		{Source: "billing", ID: "cus_4", Name: "Acme (EMEA payables)", Keys: []adapters.Key{email("eu-payables@acme-corp.com")}},
	}}
	ds := &memDecisions{}
	ds.ds = []store.LinkDecision{
		{AnchorSource: "crm", AnchorID: "001ACME", Source: "desk", RecordID: "D1", Decision: store.DecisionManual},
		{AnchorSource: "crm", AnchorID: "001INIT", Source: "billing", RecordID: "cus_2", Decision: store.DecisionSplit},
	}
	c := NewComposer(Source{Name: "crm", Title: "CRM", Timeout: time.Second, Adapter: crm}, nil,
		WithLinkedSources(
			Source{Name: "desk", Title: "Desk", Timeout: time.Second, Adapter: desk},
			Source{Name: "billing", Title: "Billing", Timeout: time.Second, Adapter: billing}),
		WithDecisions(ds))

	found := func(h Hit) string {
		var out []string
		for _, f := range h.Found {
			out = append(out, f.Source+":"+f.ID)
		}
		for _, f := range h.Via {
			out = append(out, "via "+f.Source+":"+f.ID)
		}
		return strings.Join(out, " ")
	}
	tests := []struct {
		query string
		want  []string // each hit: customer, facts, found records
	}{
		// The billing-only email opens Acme, with the CRM's facts, not
		// billing's city.
		{"payables@acme-corp.com", []string{"001ACME Manufacturing/Springfield/Ann crm:001ACME billing:cus_1"}},
		// The desk company linked by hand is folded into Acme.
		{"acme", []string{"001ACME Manufacturing/Springfield/Ann crm:001ACME billing:cus_1 desk:D1"}},
		// The split record is not Initech's: Initech's badge is cus_3, the
		// record its page shows, and cus_2 stands alone.
		{"initech", []string{"001INIT Software/Austin/Bob crm:001INIT billing:cus_3", " // billing:cus_2"}},
		// Acme's second billing account lists Acme, ranked by its email,
		// with the badges of the page's records.
		// Found alone, the split record still stands alone.
		{"initech old", []string{" // billing:cus_2"}},
		{"eu-payables@acme-corp.com", []string{"001ACME Manufacturing/Springfield/Ann crm:001ACME billing:cus_1 via billing:cus_4"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			res := c.Search(t.Context(), anyone, tt.query, 10)
			var got []string
			for _, h := range res.Hits {
				got = append(got, fmt.Sprintf("%s %s/%s/%s %s", h.CustomerID, h.Industry, h.City, h.Owner, found(h)))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("hits:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}
