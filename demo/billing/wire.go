package billing

import (
	"maps"
	"strconv"
	"strings"
	"time"
)

// The JSON of Stripe's objects, in the subset of fields the server knows.
// Each has "id" and "object" first and the other fields in alphabetical
// order, as Stripe writes them. Fields the seed does not describe are sent as
// Stripe sends them for an account that does not use the feature: null, an
// empty list, false, "none".

// accountID names the demo account in links, where Stripe puts the account id.
const accountID = "acct_demo"

// null is a field sent as null: a feature the demo account does not use.
type null struct{}

func (null) MarshalJSON() ([]byte, error) { return []byte("null"), nil }

// optString is a string field that is null when empty.
func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// optTime is a timestamp field (Unix seconds) that is null when zero.
func optTime(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	u := t.Unix()
	return &u
}

func unix(t time.Time) int64 { return t.Unix() }

// orTime is t, or def when t is zero.
func orTime(t, def time.Time) time.Time {
	if t.IsZero() {
		return def
	}
	return t
}

// listJSON is a list object: a page of objects, or all of a nested list.
type listJSON[T any] struct {
	Object  string `json:"object"`
	Data    []T    `json:"data"`
	HasMore bool   `json:"has_more"`
	URL     string `json:"url"`
}

func newList[T any](url string, data []T, hasMore bool) listJSON[T] {
	if data == nil {
		data = []T{}
	}
	return listJSON[T]{Object: "list", Data: data, HasMore: hasMore, URL: url}
}

// searchJSON is a page of search results; NextPage is the page parameter of
// the next one.
type searchJSON[T any] struct {
	Object   string  `json:"object"`
	Data     []T     `json:"data"`
	HasMore  bool    `json:"has_more"`
	NextPage *string `json:"next_page"`
	URL      string  `json:"url"`
}

type addressJSON struct {
	City       *string `json:"city"`
	Country    *string `json:"country"`
	Line1      *string `json:"line1"`
	Line2      *string `json:"line2"`
	PostalCode *string `json:"postal_code"`
	State      *string `json:"state"`
}

func newAddress(a *Address) *addressJSON {
	if a == nil {
		return nil
	}
	return &addressJSON{
		City: optString(a.City), Country: optString(a.Country), Line1: optString(a.Line1),
		Line2: optString(a.Line2), PostalCode: optString(a.PostalCode), State: optString(a.State),
	}
}

type customerJSON struct {
	ID                  string             `json:"id"`
	Object              string             `json:"object"`
	Address             *addressJSON       `json:"address"`
	Balance             int64              `json:"balance"`
	Created             int64              `json:"created"`
	Currency            *string            `json:"currency"`
	DefaultSource       null               `json:"default_source"`
	Delinquent          bool               `json:"delinquent"`
	Description         *string            `json:"description"`
	Discount            null               `json:"discount"`
	Email               *string            `json:"email"`
	InvoicePrefix       *string            `json:"invoice_prefix"`
	InvoiceSettings     invoiceSettingJSON `json:"invoice_settings"`
	Livemode            bool               `json:"livemode"`
	Metadata            map[string]string  `json:"metadata"`
	Name                *string            `json:"name"`
	NextInvoiceSequence int                `json:"next_invoice_sequence"`
	Phone               *string            `json:"phone"`
	PreferredLocales    []string           `json:"preferred_locales"`
	Shipping            null               `json:"shipping"`
	TaxExempt           string             `json:"tax_exempt"`
	TestClock           null               `json:"test_clock"`
}

type invoiceSettingJSON struct {
	CustomFields         null `json:"custom_fields"`
	DefaultPaymentMethod null `json:"default_payment_method"`
	Footer               null `json:"footer"`
	RenderingOptions     null `json:"rendering_options"`
}

// newCustomer renders a customer; whether it is delinquent depends on the
// time of the request, and is set then.
func newCustomer(c *Customer) customerJSON {
	numbered := 0
	for _, inv := range c.Invoices {
		if inv.Number != "" {
			numbered++
		}
	}
	return customerJSON{
		ID: c.ID, Object: "customer", Address: newAddress(c.Address), Balance: c.Balance,
		Created: unix(c.Created), Currency: optString(c.Currency), Description: optString(c.Description),
		Email: optString(c.Email), InvoicePrefix: optString(c.InvoicePrefix), Metadata: metadata(c.Metadata),
		Name: optString(c.Name), NextInvoiceSequence: numbered + 1, Phone: optString(c.Phone),
		PreferredLocales: []string{}, TaxExempt: "none",
	}
}

// metadata copies a metadata map; none is {} on the wire, never null.
func metadata(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return maps.Clone(m)
}

type priceJSON struct {
	ID                string            `json:"id"`
	Object            string            `json:"object"`
	Active            bool              `json:"active"`
	BillingScheme     string            `json:"billing_scheme"`
	Created           int64             `json:"created"`
	Currency          string            `json:"currency"`
	CustomUnitAmount  null              `json:"custom_unit_amount"`
	Livemode          bool              `json:"livemode"`
	LookupKey         null              `json:"lookup_key"`
	Metadata          map[string]string `json:"metadata"`
	Nickname          *string           `json:"nickname"`
	Product           string            `json:"product"`
	Recurring         recurringJSON     `json:"recurring"`
	TaxBehavior       string            `json:"tax_behavior"`
	TiersMode         null              `json:"tiers_mode"`
	TransformQuantity null              `json:"transform_quantity"`
	Type              string            `json:"type"`
	UnitAmount        int64             `json:"unit_amount"`
	UnitAmountDecimal string            `json:"unit_amount_decimal"`
}

type recurringJSON struct {
	Interval      string `json:"interval"`
	IntervalCount int64  `json:"interval_count"`
	Meter         null   `json:"meter"`
	UsageType     string `json:"usage_type"`
}

func newPrice(p *Price) priceJSON {
	return priceJSON{
		ID: p.ID, Object: "price", Active: true, BillingScheme: "per_unit", Created: unix(p.Created),
		Currency: p.Currency, Metadata: map[string]string{}, Nickname: optString(p.Nickname), Product: p.Product.ID,
		Recurring:   recurringJSON{Interval: p.Interval, IntervalCount: max(p.IntervalCount, 1), UsageType: "licensed"},
		TaxBehavior: "unspecified", Type: "recurring", UnitAmount: p.UnitAmount,
		UnitAmountDecimal: strconv.FormatInt(p.UnitAmount, 10),
	}
}

type productJSON struct {
	ID                  string            `json:"id"`
	Object              string            `json:"object"`
	Active              bool              `json:"active"`
	Created             int64             `json:"created"`
	DefaultPrice        null              `json:"default_price"`
	Description         *string           `json:"description"`
	Images              []string          `json:"images"`
	Livemode            bool              `json:"livemode"`
	MarketingFeatures   []string          `json:"marketing_features"`
	Metadata            map[string]string `json:"metadata"`
	Name                string            `json:"name"`
	PackageDimensions   null              `json:"package_dimensions"`
	Shippable           null              `json:"shippable"`
	StatementDescriptor null              `json:"statement_descriptor"`
	TaxCode             null              `json:"tax_code"`
	UnitLabel           null              `json:"unit_label"`
	Updated             int64             `json:"updated"`
	URL                 null              `json:"url"`
}

func newProduct(p *Product) productJSON {
	return productJSON{
		ID: p.ID, Object: "product", Active: true, Created: unix(p.Created), Description: optString(p.Description),
		Images: []string{}, MarketingFeatures: []string{}, Metadata: map[string]string{}, Name: p.Name,
		Updated: unix(p.Created),
	}
}

type balanceJSON struct {
	Object    string          `json:"object"`
	Available []balanceAmount `json:"available"`
	Livemode  bool            `json:"livemode"`
	Pending   []balanceAmount `json:"pending"`
}

type balanceAmount struct {
	Amount      int64            `json:"amount"`
	Currency    string           `json:"currency"`
	SourceTypes map[string]int64 `json:"source_types"`
}

// hostedInvoiceURL is where a customer sees and pays an invoice; the demo
// account has no such page, so the link leads nowhere.
func hostedInvoiceURL(id string) string {
	return "https://invoice.stripe.com/i/" + accountID + "/test_" + strings.TrimPrefix(id, "in_") + "?s=ap"
}

func invoicePDFURL(id string) string {
	return "https://pay.stripe.com/invoice/" + accountID + "/test_" + strings.TrimPrefix(id, "in_") + "/pdf?s=ap"
}
