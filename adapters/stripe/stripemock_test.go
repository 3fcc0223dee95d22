package stripe

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/internal/testenv"
)

// The tests against stripe-mock check the wire contract: that every request
// the adapter makes is one Stripe's OpenAPI spec accepts, and that the
// adapter reads Stripe's schema-complete fixtures. stripe-mock is stateless
// (one fixture per resource, filters ignored), so data-dependent behaviour is
// tested against the double instead.

// stripeMockCustomer is the id of stripe-mock's customer fixture.
const stripeMockCustomer = "cus_QXg1o8vcGmoR32"

func stripeMockAdapter(t *testing.T, sm *testenv.StripeMock, key string) *Adapter {
	t.Helper()
	s := &Settings{APIKey: key, BaseURL: sm.URL}
	if probs := s.Validate(); len(probs) > 0 {
		t.Fatal(probs)
	}
	a, err := newAdapter(adapters.Source{Name: testSource, Settings: s, Timeout: 10 * time.Second, HTTP: nil})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAgainstStripeMock(t *testing.T) {
	sm := testenv.StartStripeMock(t)
	a := stripeMockAdapter(t, sm, testenv.StripeMockKey)
	ctx := t.Context()

	t.Run("search", func(t *testing.T) {
		for _, text := range []string{"billing@acme-corp.com", "O'Reilly Media", acmeSFID, "Ac", "globex.com", `\' OR 1`} {
			ms, err := a.Search(ctx, adapters.Query{Text: text, Limit: 5})
			if err != nil {
				t.Fatalf("Search(%q): %v", text, err)
			}
			if len(ms) != 1 || ms[0].ID != stripeMockCustomer || ms[0].Name == "" || ms[0].Source != testSource {
				t.Fatalf("Search(%q) = %+v, want the fixture customer with a name", text, ms)
			}
			if want := "https://dashboard.stripe.com/test/customers/" + stripeMockCustomer; ms[0].URL != want {
				t.Errorf("URL = %q, want %q", ms[0].URL, want)
			}
		}
		ms, err := a.Search(ctx, adapters.Query{Text: "cus_123"})
		if err != nil || len(ms) != 1 || ms[0].ID != "cus_123" || ms[0].MatchedBy != "id" {
			t.Errorf("Search by id = %+v, %v; want the customer stripe-mock names after the path", ms, err)
		}
	})

	t.Run("customer", func(t *testing.T) {
		f, err := a.Fetch(ctx, adapters.FetchRequest{ID: "cus_123", Facet: FacetCustomer})
		if err != nil {
			t.Fatal(err)
		}
		fl := f.Fields
		if fl[adapters.FieldName].Text != "cus_123" || fl[FieldCurrency].Text != "USD" ||
			fl[FieldBalance] != (adapters.Value{Kind: adapters.KindMoney, Currency: "USD", Valid: true}) ||
			!fl[FieldDelinquent].Valid || !fl[FieldCreated].Valid {
			t.Errorf("customer fields = %+v", fl)
		}
	})

	t.Run("invoices", func(t *testing.T) {
		f, err := a.Fetch(ctx, adapters.FetchRequest{ID: "cus_123", Facet: FacetInvoices})
		if err != nil {
			t.Fatal(err)
		}
		tb := f.Tables[0]
		if len(tb.Rows) != 1 || tb.Total != 1 {
			t.Fatalf("invoices = %+v, want stripe-mock's one fixture", tb)
		}
		c := tb.Rows[0].Cells
		if c[2].Text != "draft" || c[3] != (adapters.Value{Kind: adapters.KindMoney, Number: 10, Currency: "USD", Valid: true}) || !c[5].Valid {
			t.Errorf("invoice cells = %+v, want a 10.00 USD draft with a due date", c)
		}
		if !strings.HasPrefix(tb.Rows[0].URL, "https://dashboard.stripe.com/test/invoices/in_") {
			t.Errorf("row URL = %q, want the dashboard (the fixture has no hosted page)", tb.Rows[0].URL)
		}
	})

	t.Run("subscriptions", func(t *testing.T) {
		f, err := a.Fetch(ctx, adapters.FetchRequest{ID: "cus_123", Facet: FacetSubscriptions})
		if err != nil {
			t.Fatal(err)
		}
		tb := f.Tables[0]
		if len(tb.Rows) != 1 {
			t.Fatalf("subscriptions = %+v, want stripe-mock's one fixture", tb)
		}
		c := tb.Rows[0].Cells
		// The fixture price has no nickname: the name comes from the product.
		if c[0].Text != "T-shirt" || c[1].Text != "active" || c[3].Text != "month" ||
			c[2] != (adapters.Value{Kind: adapters.KindMoney, Number: 20, Currency: "USD", Valid: true}) || !c[4].Valid {
			t.Errorf("subscription cells = %+v", c)
		}
	})

	t.Run("check", func(t *testing.T) {
		if h := a.Check(ctx); !h.OK {
			t.Errorf("Check = %+v", h)
		}
	})

	t.Run("rejected keys", func(t *testing.T) { testRejectedKeys(t, sm) })

	t.Run("bad parameter", func(t *testing.T) {
		err := a.call(ctx, "list invoices", func(ctx context.Context) error {
			// No invoice has this status: the spec's enumeration lacks it.
			params := &stripego.InvoiceListParams{Status: stripego.String("bogus")}
			for _, err := range a.api.V1Invoices.List(ctx, params) {
				return err
			}
			return nil
		})
		assertClass(t, err, adapters.ErrBadRequest)
		var ae *APIError
		if !errors.As(err, &ae) || ae.Status != 400 || ae.Type != "invalid_request_error" || adapters.RawBody(err) == "" {
			t.Errorf("error = %#v, want stripe-mock's 400 with its body", err)
		}
	})
}

// testRejectedKeys checks that a key stripe-mock refuses is ErrAuth: it takes
// any test-mode secret key and no other.
func testRejectedKeys(t *testing.T, sm *testenv.StripeMock) {
	live := stripeMockAdapter(t, sm, "sk_live_123")
	// Validate refuses an empty key; settings marked valid let one through.
	s := &Settings{BaseURL: sm.URL, MatchMetadataKey: DefaultMatchMetadataKey, MaxRows: DefaultMaxRows, valid: true}
	none, err := newAdapter(adapters.Source{Name: testSource, Settings: s})
	if err != nil {
		t.Fatal(err)
	}
	for name, a := range map[string]*Adapter{"live key": live, "no key": none} {
		t.Run(name, func(t *testing.T) {
			_, err := a.Search(t.Context(), adapters.Query{Text: "Acme"})
			assertClass(t, err, adapters.ErrAuth)
			_, err = a.Fetch(t.Context(), adapters.FetchRequest{ID: "cus_123", Facet: FacetInvoices})
			assertClass(t, err, adapters.ErrAuth)
			if h := a.Check(t.Context()); h.OK {
				t.Errorf("Check with a rejected key = %+v", h)
			}
		})
	}
}
