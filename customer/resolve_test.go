package customer

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/atrium-dev/atrium/adapters"
)

// directory is a searchable fake system: Search returns the records any of
// whose keys or id contain the text.
type directory struct {
	fakeAdapter
	records []adapters.Match
	err     error
}

func (d *directory) Search(_ context.Context, q adapters.Query) ([]adapters.Match, error) {
	if d.err != nil {
		return nil, d.err
	}
	var out []adapters.Match
	for _, r := range d.records {
		hit := strings.Contains(r.ID, q.Text)
		for _, k := range r.Keys {
			hit = hit || strings.Contains(strings.ToLower(k.Value), strings.ToLower(q.Text))
		}
		if hit {
			out = append(out, r)
		}
	}
	return out, nil
}

func billingRecord(id, name string, keys ...adapters.Key) adapters.Match {
	return adapters.Match{Source: "billing", ID: id, Name: name, Keys: keys}
}

var acmeKeys = []adapters.Key{
	{Kind: adapters.KeyExternalID, Value: "001ACME"},
	{Kind: adapters.KeyDomain, Value: "https://www.acme.com"},
}

func resolveIn(t *testing.T, records ...adapters.Match) Resolution {
	t.Helper()
	d := &directory{records: records}
	return (&Resolver{}).Resolve(context.Background(), Source{Name: "billing", Title: "Billing", Adapter: d}, "salesforce", acmeKeys)
}

func TestResolveRules(t *testing.T) {
	byID := billingRecord("cus_1", "Acme Inc", adapters.Key{Kind: adapters.KeyExternalID, Value: "salesforce:001ACME"})
	byDomain := billingRecord("cus_2", "Acme Holdings", adapters.Key{Kind: adapters.KeyEmail, Value: "ap@acme.com"})
	byDomain2 := billingRecord("cus_3", "Acme Europe", adapters.Key{Kind: adapters.KeyDomain, Value: "acme.com"})
	freeMail := billingRecord("cus_4", "Someone", adapters.Key{Kind: adapters.KeyEmail, Value: "acme.com.fan@gmail.com"})
	other := billingRecord("cus_5", "Globex", adapters.Key{Kind: adapters.KeyDomain, Value: "globex.com"})

	t.Run("external id beats domain", func(t *testing.T) {
		r := resolveIn(t, byDomain, byID, other)
		if r.Link == nil || r.Link.ID != "cus_1" || r.Link.Rule != "external-id" || r.Link.Value != "salesforce:001ACME" || r.Link.Confidence != 1 {
			t.Fatalf("resolution = %+v", r)
		}
		if got := r.Link.Provenance(); got != "linked by external-id = salesforce:001ACME" {
			t.Errorf("provenance = %q", got)
		}
	})
	t.Run("email domain links", func(t *testing.T) {
		r := resolveIn(t, byDomain, other)
		if r.Link == nil || r.Link.ID != "cus_2" || r.Link.Rule != "domain" || r.Link.Value != "acme.com" {
			t.Fatalf("resolution = %+v", r)
		}
	})
	t.Run("two equally good records are a conflict", func(t *testing.T) {
		r := resolveIn(t, byDomain, byDomain2)
		if r.Link != nil || len(r.Candidates) != 2 || r.Candidates[0].ID != "cus_2" || r.Candidates[1].ID != "cus_3" {
			t.Fatalf("resolution = %+v", r)
		}
	})
	t.Run("a free-mail address is no key", func(t *testing.T) {
		if r := resolveIn(t, freeMail); r.Link != nil || len(r.Candidates) != 0 {
			t.Fatalf("linked through a free-mail domain: %+v", r)
		}
	})
	t.Run("nothing shared, nothing linked", func(t *testing.T) {
		if r := resolveIn(t, other); r.Link != nil || r.Err != nil {
			t.Fatalf("resolution = %+v", r)
		}
	})
	t.Run("a failing source is reported", func(t *testing.T) {
		d := &directory{err: adapters.ErrUnavailable}
		r := (&Resolver{}).Resolve(context.Background(), Source{Name: "billing", Adapter: d}, "salesforce", acmeKeys)
		if !errors.Is(r.Err, adapters.ErrUnavailable) || r.Link != nil {
			t.Fatalf("resolution = %+v", r)
		}
	})
	t.Run("rule order is configurable", func(t *testing.T) {
		d := &directory{records: []adapters.Match{byID, byDomain}}
		rules := []Rule{{Name: "domain", Kind: adapters.KeyDomain, Confidence: 0.5}}
		r := (&Resolver{Rules: rules}).Resolve(context.Background(), Source{Name: "billing", Adapter: d}, "salesforce", acmeKeys)
		if r.Link == nil || r.Link.ID != "cus_2" || r.Link.Confidence != 0.5 {
			t.Fatalf("with only a domain rule: %+v", r)
		}
	})
}

// searchLog records the texts a directory is searched for.
type searchLog struct {
	*directory
	mu    sync.Mutex
	texts []string
}

func (s *searchLog) Search(ctx context.Context, q adapters.Query) ([]adapters.Match, error) {
	s.mu.Lock()
	s.texts = append(s.texts, q.Text)
	s.mu.Unlock()
	return s.directory.Search(ctx, q)
}

func TestResolveSearchesEachTextOnce(t *testing.T) {
	// The header's own id and the page's id are one key; two spellings of
	// one website are one key too.
	anchor := []adapters.Key{
		{Kind: adapters.KeyExternalID, Value: "001ACME"},
		{Kind: adapters.KeyExternalID, Value: "salesforce:001ACME"},
		{Kind: adapters.KeyDomain, Value: "https://www.acme.com"},
		{Kind: adapters.KeyDomain, Value: "acme.com"},
	}
	d := &searchLog{directory: &directory{records: []adapters.Match{
		billingRecord("cus_1", "Acme Inc", adapters.Key{Kind: adapters.KeyExternalID, Value: "salesforce:001ACME"}),
	}}}
	r := (&Resolver{}).Resolve(context.Background(), Source{Name: "billing", Adapter: d}, "salesforce", anchor)
	if r.Link == nil || r.Link.ID != "cus_1" {
		t.Fatalf("resolution = %+v", r)
	}
	slices.Sort(d.texts)
	if want := []string{"001ACME", "acme.com"}; !slices.Equal(d.texts, want) {
		t.Errorf("searched for %q, want each text once: %q", d.texts, want)
	}
}
