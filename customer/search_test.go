package customer

import (
	"context"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
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
	res := c.Search(context.Background(), "payables@acme.com", 10)
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
	res := c.Search(context.Background(), "acme", 10)
	if len(res.Hits) != 2 {
		t.Fatalf("two records of one system were merged: %+v", res.Hits)
	}
	if res.Hits[0].CustomerID != "001B" {
		t.Errorf("the exact domain hit is not first: %+v", res.Hits)
	}
}

func TestFederatedSearchWithEveryDomainDown(t *testing.T) {
	c := NewComposer(Source{Name: "crm", Title: "CRM", Timeout: time.Second, Adapter: &directory{err: adapters.ErrUnavailable}}, nil)
	res := c.Search(context.Background(), "acme", 10)
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
	res := c.Search(context.Background(), "acme", 10)
	if len(res.Hits) != 1 || res.Hits[0].CustomerID != "001ACME" {
		t.Fatalf("hits = %+v", res.Hits)
	}
}
