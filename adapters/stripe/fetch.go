package stripe

import (
	"context"
	"fmt"
	"strings"
	"time"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/atrium-dev/atrium/adapters"
)

// Fetch returns one facet of a customer.
func (a *Adapter) Fetch(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	if !isCustomerID(req.ID) {
		return nil, fmt.Errorf("stripe: fetch %s: %q is not a customer id (cus_…): %w", req.Facet, req.ID, adapters.ErrBadRequest)
	}
	f := &adapters.Facet{Source: a.source, Name: req.Facet}
	var err error
	switch req.Facet {
	case FacetCustomer:
		err = a.fetchCustomer(ctx, req.ID, f)
	case FacetInvoices:
		err = a.fetchInvoices(ctx, req.ID, f)
	case FacetSubscriptions:
		err = a.fetchSubscriptions(ctx, req.ID, f)
	default:
		return nil, fmt.Errorf("stripe: fetch: unknown facet %q (want customer, invoices or subscriptions): %w",
			req.Facet, adapters.ErrBadRequest)
	}
	if err != nil {
		return nil, err
	}
	f.FetchedAt = a.now()
	f.URL = a.dashboardURL("customers", req.ID)
	return f, nil
}

// customer retrieves a customer; a deleted one is not found.
func (a *Adapter) customer(ctx context.Context, op, id string) (*stripego.Customer, error) {
	var c *stripego.Customer
	err := a.call(ctx, op, func(ctx context.Context) error {
		var err error
		c, err = a.api.V1Customers.Retrieve(ctx, id, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	if c == nil || c.Deleted {
		// Stripe answers a deleted customer with a stub marked deleted.
		return nil, &APIError{Op: op, Message: "the customer is deleted", class: adapters.ErrNotFound}
	}
	return c, nil
}

func (a *Adapter) fetchCustomer(ctx context.Context, id string, f *adapters.Facet) error {
	c, err := a.customer(ctx, "fetch customer", id)
	if err != nil {
		return err
	}
	currency := strings.ToUpper(string(c.Currency))
	balance := adapters.Value{Kind: adapters.KindMoney, Currency: currency}
	if currency != "" {
		// A customer gets a currency with its first invoice or subscription;
		// before that its balance means nothing.
		balance = money(c.Balance, currency)
	}
	f.Fields = map[string]adapters.Value{
		adapters.FieldName:  adapters.Text(displayName(c)),
		FieldBillingEmail:   kindValue(adapters.KindEmail, strings.TrimSpace(c.Email)),
		adapters.FieldPhone: kindValue(adapters.KindPhone, strings.TrimSpace(c.Phone)),
		FieldCurrency:       adapters.Text(currency),
		FieldBalance:        balance,
		FieldDelinquent:     adapters.Value{Kind: adapters.KindBool, Bool: c.Delinquent, Valid: true},
		FieldCreated:        dateTimeValue(c.Created),
	}
	if c.Address != nil {
		f.Fields[adapters.FieldCity] = adapters.Text(c.Address.City)
		f.Fields[adapters.FieldCountry] = adapters.Text(c.Address.Country)
	}
	// As a match's: identity resolution links the records of other systems to
	// a Stripe customer on the page by them.
	f.Keys = a.keys(c)
	return nil
}

func kindValue(kind adapters.Kind, s string) adapters.Value {
	return adapters.Value{Kind: kind, Text: s, Valid: s != ""}
}

// dateValue is a date of a Unix time; zero is no date.
func dateValue(unix int64) adapters.Value {
	if unix == 0 {
		return adapters.Value{Kind: adapters.KindDate}
	}
	return adapters.Value{Kind: adapters.KindDate, Time: time.Unix(unix, 0).UTC(), Valid: true}
}

// dateTimeValue is a date-time of a Unix time; zero is none.
func dateTimeValue(unix int64) adapters.Value {
	v := dateValue(unix)
	v.Kind = adapters.KindDateTime
	return v
}
