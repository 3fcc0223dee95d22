package billing_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	stripe "github.com/stripe/stripe-go/v82"

	"github.com/atrium-dev/atrium/demo/billing"
)

func customerIDs(c *stripe.Customer) string { return c.ID }

func TestRetrieveCustomer(t *testing.T) {
	f := newFixture(t)
	want := f.customers[0]
	got, err := f.sdk.V1Customers.Retrieve(context.Background(), want.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != want.ID || got.Object != "customer" || got.Name != want.Name || got.Email != want.Email ||
		string(got.Currency) != want.Currency || got.Created != want.Created.Unix() || got.Livemode ||
		got.Balance != want.Balance || got.InvoicePrefix != want.InvoicePrefix {
		t.Errorf("customer = %+v\nwant %+v", got, want)
	}
	if got.Metadata[billing.MetadataKey] != "001Dn00000Acme1IAB" {
		t.Errorf("metadata = %v, want the Salesforce id of Acme", got.Metadata)
	}
	if got.Address == nil || got.Address.City != "San Francisco" || got.Address.Country != "US" {
		t.Errorf("address = %+v, want San Francisco, US", got.Address)
	}
	if got.LastResponse == nil || got.LastResponse.Header.Get("Stripe-Version") != billing.APIVersion ||
		!strings.HasPrefix(got.LastResponse.RequestID, "req_") {
		t.Errorf("last response = %+v, want Stripe-Version %s and a req_ request id", got.LastResponse, billing.APIVersion)
	}
}

func TestListCustomersPagesWithTheSDKIterator(t *testing.T) {
	f := newFixture(t)
	want := newestFirst(f.customers, func(c billing.Customer) time.Time { return c.Created },
		func(c billing.Customer) string { return c.ID })

	params := &stripe.CustomerListParams{}
	params.Limit = stripe.Int64(4)
	got := collect(t, f.sdk.V1Customers.List(context.Background(), params), customerIDs)
	if !slices.Equal(got, want) {
		t.Errorf("listed %v\nwant %v", got, want)
	}
	if n, min := len(f.requested("/v1/customers")), (len(want)+3)/4; n < min {
		t.Errorf("%d requests, want at least %d pages of 4", n, min)
	}

	// Backwards from the oldest: the iterator yields the newer ones, nearest
	// first.
	back := &stripe.CustomerListParams{}
	back.Limit = stripe.Int64(3)
	back.EndingBefore = stripe.String(want[len(want)-1])
	got = collect(t, f.sdk.V1Customers.List(context.Background(), back), customerIDs)
	rev := slices.Clone(want[:len(want)-1])
	slices.Reverse(rev)
	if !slices.Equal(got, rev) {
		t.Errorf("listed backwards %v\nwant %v", got, rev)
	}
}

func TestListCustomersStartingAfterAndEmail(t *testing.T) {
	f := newFixture(t)
	all := collect(t, f.sdk.V1Customers.List(context.Background(), &stripe.CustomerListParams{}), customerIDs)

	params := &stripe.CustomerListParams{}
	params.Limit = stripe.Int64(2)
	params.StartingAfter = stripe.String(all[5])
	params.Single = true
	got := collect(t, f.sdk.V1Customers.List(context.Background(), params), customerIDs)
	if !slices.Equal(got, all[6:8]) {
		t.Errorf("page after %s = %v, want %v", all[5], got, all[6:8])
	}

	email := f.customers[1].Email
	got = collect(t, f.sdk.V1Customers.List(context.Background(), &stripe.CustomerListParams{Email: stripe.String(email)}), customerIDs)
	if !slices.Equal(got, []string{f.customers[1].ID}) {
		t.Errorf("customers of %s = %v, want %s", email, got, f.customers[1].ID)
	}
	// Stripe's email filter is case-sensitive.
	got = collect(t, f.sdk.V1Customers.List(context.Background(), &stripe.CustomerListParams{Email: stripe.String(strings.ToUpper(email))}), customerIDs)
	if len(got) != 0 {
		t.Errorf("customers of %s = %v, want none", strings.ToUpper(email), got)
	}
}

func TestListEnvelope(t *testing.T) {
	f := newFixture(t)
	status, _, body := f.get(t, "/v1/customers?limit=2", "Bearer "+testKey)
	if status != http.StatusOK || body["object"] != "list" || body["url"] != "/v1/customers" || body["has_more"] != true {
		t.Fatalf("status %d, body %v: want 200 and a list of /v1/customers with more", status, body)
	}
	if data, _ := body["data"].([]any); len(data) != 2 {
		t.Errorf("data = %v, want 2 customers", body["data"])
	}
	status, _, body = f.get(t, "/v1/customers?email=nobody@nowhere.example", "Bearer "+testKey)
	if data, ok := body["data"].([]any); status != http.StatusOK || !ok || len(data) != 0 || body["has_more"] != false {
		t.Errorf("status %d, body %v: want an empty list (data [], not null)", status, body)
	}
}

// A customer is delinquent while one of its invoices is open past its due
// date, at the server's clock.
func TestDelinquentFollowsTheClock(t *testing.T) {
	var cust billing.Customer
	var due time.Time
	for _, c := range testCustomers() {
		for _, inv := range c.Invoices {
			if inv.Status == billing.InvoiceOpen && inv.DueDate.After(testNow) {
				cust, due = c, inv.DueDate
			}
		}
		if cust.ID != "" && !overdue(cust) {
			break
		}
		cust = billing.Customer{}
	}
	if cust.ID == "" {
		t.Fatal("the seed has no customer with an open invoice not yet due and nothing overdue")
	}
	for _, tc := range []struct {
		now  time.Time
		want bool
	}{{testNow, false}, {due.Add(time.Second), true}} {
		f := newFixtureAt(t, tc.now)
		got, err := f.sdk.V1Customers.Retrieve(context.Background(), cust.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.Delinquent != tc.want {
			t.Errorf("at %v: delinquent = %v, want %v", tc.now, got.Delinquent, tc.want)
		}
	}
}

func overdue(c billing.Customer) bool {
	for _, inv := range c.Invoices {
		if inv.Status == billing.InvoiceOpen && inv.DueDate.Before(testNow) {
			return true
		}
	}
	return false
}

// The created filter, as exact time or as bounds, and its refusals.
func TestListCustomersByCreated(t *testing.T) {
	f := newFixture(t)
	from, to := f.customers[2].Created.Unix(), f.customers[5].Created.Unix()
	if from > to {
		from, to = to, from
	}
	var inRange []billing.Customer
	for _, c := range f.customers {
		if u := c.Created.Unix(); u >= from && u < to {
			inRange = append(inRange, c)
		}
	}
	want := newestFirst(inRange, func(c billing.Customer) time.Time { return c.Created },
		func(c billing.Customer) string { return c.ID })
	params := &stripe.CustomerListParams{CreatedRange: &stripe.RangeQueryParams{GreaterThanOrEqual: from, LesserThan: to}}
	params.Limit = stripe.Int64(2)
	got := collect(t, f.sdk.V1Customers.List(context.Background(), params), customerIDs)
	if len(want) == 0 || len(want) == len(f.customers) || !slices.Equal(got, want) {
		t.Errorf("created in [%d, %d): %v\nwant %v", from, to, got, want)
	}

	exact := f.customers[2]
	got = collect(t, f.sdk.V1Customers.List(context.Background(),
		&stripe.CustomerListParams{Created: stripe.Int64(exact.Created.Unix())}), customerIDs)
	if !slices.Contains(got, exact.ID) || len(got) == len(f.customers) {
		t.Errorf("created=%d: %v, want %s and not everyone", exact.Created.Unix(), got, exact.ID)
	}

	for _, tc := range []struct{ query, code, param string }{
		{"created[after]=1", "parameter_unknown", "created[after]"},
		{"created[gt]=soon", "parameter_invalid_integer", "created[gt]"},
	} {
		status, _, body := f.get(t, "/v1/customers?"+tc.query, "Bearer "+testKey)
		e, _ := body["error"].(map[string]any)
		if status != http.StatusBadRequest || e["code"] != tc.code || e["param"] != tc.param {
			t.Errorf("%s: status %d, error %v; want 400 %s on %s", tc.query, status, e, tc.code, tc.param)
		}
	}
}
