package billing_test

import (
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/demo/billing"
)

func TestNewReportsEveryProblem(t *testing.T) {
	created := testNow.AddDate(-1, 0, 0)
	price := billing.Price{ID: "price_A", Currency: "usd", UnitAmount: 100, Interval: "month",
		Product: billing.Product{ID: "prod_A", Name: "A"}}
	other := price
	other.UnitAmount = 200
	line := func(id string, p *billing.Price) billing.InvoiceLine {
		return billing.InvoiceLine{ID: id, Amount: 100, Price: p}
	}
	_, err := billing.New(billing.Options{
		APIKey: "sk_test abc",
		Customers: []billing.Customer{
			{ID: "cus_1", Created: created, Currency: "USD"},
			{ID: "cus_1", Created: created},
			{ID: "customer2", Invoices: []billing.Invoice{
				{ID: "in_1", Status: "overdue", Currency: "usd", Created: created, Number: "X-1", Lines: []billing.InvoiceLine{line("il_1", &price)}},
				{ID: "in_2", Status: billing.InvoiceDraft, Currency: "usd", Created: created, Number: "X-2", Subscription: "sub_nope"},
				{ID: "in_3", Status: billing.InvoicePaid, Currency: "usd", Created: created, Number: "X-3", Lines: []billing.InvoiceLine{line("il_2", &other)}},
			}},
			{ID: "cus_3", Created: created, Subscriptions: []billing.Subscription{{ID: "sub_1", Status: "unpaid", Created: created}}},
		},
	})
	if err == nil {
		t.Fatal("New accepted broken options")
	}
	for _, want := range []string{
		"api key must not contain spaces",
		`currency "USD"`,
		`customer id "cus_1" is used twice`,
		`customer id "customer2": want cus_…`,
		"created is required",
		`unknown status "overdue"`,
		"a draft has no number",
		`subscription "sub_nope" is not one of the customer's`,
		`price "price_A" differs`,
		`unknown status "unpaid"`,
		"the current period are required",
		"at least one item is required",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
}

func TestNewAcceptsAMinimalCustomer(t *testing.T) {
	_, err := billing.New(billing.Options{APIKey: testKey, Customers: []billing.Customer{{ID: "cus_1", Created: time.Unix(1, 0)}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := billing.New(billing.Options{}); err == nil || !strings.Contains(err.Error(), "api key is required") {
		t.Errorf("New without a key: %v, want api key is required", err)
	}
}
