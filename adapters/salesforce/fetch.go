package salesforce

import (
	"context"
	"fmt"
	"strings"

	"github.com/atrium-dev/atrium/adapters"
)

// Fetch returns one facet of an account.
func (a *Adapter) Fetch(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	// A malformed id names no account: it is not sent, and not found.
	id, err := Canonical(req.ID)
	if err != nil {
		return nil, fmt.Errorf("salesforce: fetch %s: %w", req.Facet, err)
	}
	f := &adapters.Facet{Source: a.source, Name: req.Facet}
	switch req.Facet {
	case FacetAccount:
		err = a.fetchAccount(ctx, id, f)
	case FacetContacts:
		err = a.fetchContacts(ctx, id, f)
	case FacetOpportunities:
		err = a.fetchOpportunities(ctx, id, f)
	case FacetCases:
		err = a.fetchCases(ctx, id, f)
	default:
		return nil, fmt.Errorf("salesforce: fetch: unknown facet %q (want account, contacts, opportunities or cases): %w",
			req.Facet, adapters.ErrBadRequest)
	}
	if err != nil {
		return nil, fmt.Errorf("salesforce: fetch %s of %s: %w", req.Facet, id, err)
	}
	f.FetchedAt = a.now()
	f.URL = a.recordURL("Account", id)
	return f, nil
}

type account struct {
	ID                string   `json:"Id"`
	Name              string   `json:"Name"`
	Industry          string   `json:"Industry"`
	Type              string   `json:"Type"`
	Website           string   `json:"Website"`
	Phone             string   `json:"Phone"`
	BillingCity       string   `json:"BillingCity"`
	BillingCountry    string   `json:"BillingCountry"`
	AnnualRevenue     *float64 `json:"AnnualRevenue"`
	NumberOfEmployees *float64 `json:"NumberOfEmployees"`
	CurrencyIsoCode   string   `json:"CurrencyIsoCode"`
	Owner             *struct {
		Name string `json:"Name"`
	} `json:"Owner"`
	LastModifiedDate DateTime `json:"LastModifiedDate"`
}

func (a *Adapter) fetchAccount(ctx context.Context, id string, f *adapters.Facet) error {
	soql := "SELECT Id, Name, Industry, Type, Website, Phone, BillingCity, BillingCountry, AnnualRevenue, " +
		"NumberOfEmployees, Owner.Name, LastModifiedDate" + a.currencyField() +
		" FROM Account WHERE Id = " + Quote(id) + " LIMIT 1"
	acct, err := queryOne[account](ctx, a, soql)
	if err != nil {
		return err
	}
	owner := ""
	if acct.Owner != nil {
		owner = acct.Owner.Name
	}
	f.Fields = map[string]adapters.Value{
		adapters.FieldName:          adapters.Text(acct.Name),
		adapters.FieldIndustry:      adapters.Text(acct.Industry),
		adapters.FieldType:          adapters.Text(acct.Type),
		adapters.FieldWebsite:       websiteValue(acct.Website),
		adapters.FieldPhone:         kindValue(adapters.KindPhone, acct.Phone),
		adapters.FieldOwner:         adapters.Text(owner),
		adapters.FieldAnnualRevenue: moneyValue(acct.AnnualRevenue, a.currencyOf(acct.CurrencyIsoCode)),
		adapters.FieldEmployees:     numberValue(acct.NumberOfEmployees),
		adapters.FieldCity:          adapters.Text(acct.BillingCity),
		adapters.FieldCountry:       adapters.Text(acct.BillingCountry),
		adapters.FieldLastModified:  dateTimeValue(acct.LastModifiedDate),
	}
	f.Keys = []adapters.Key{{Kind: adapters.KeyExternalID, Value: acct.ID}}
	if d := domainOf(acct.Website); d != "" {
		f.Keys = append(f.Keys, adapters.Key{Kind: adapters.KeyDomain, Value: d})
	}
	return nil
}

type contact struct {
	ID        string `json:"Id"`
	FirstName string `json:"FirstName"`
	LastName  string `json:"LastName"`
	Email     string `json:"Email"`
	Phone     string `json:"Phone"`
	Title     string `json:"Title"`
}

// fetchContacts reads the contacts through a subquery on the account: one call
// tells an unknown account from one without contacts.
func (a *Adapter) fetchContacts(ctx context.Context, id string, f *adapters.Facet) error {
	soql := "SELECT Id, (SELECT Id, FirstName, LastName, Email, Phone, Title FROM Contacts " +
		"ORDER BY LastName, FirstName) FROM Account WHERE Id = " + Quote(id)
	acct, err := queryOne[struct {
		Contacts *ChildResult[contact] `json:"Contacts"`
	}](ctx, a, soql)
	if err != nil {
		return err
	}
	t := adapters.Table{
		Name: FacetContacts,
		Columns: []adapters.Column{
			{Key: "name", Title: "Name", Kind: adapters.KindText},
			{Key: "title", Title: "Title", Kind: adapters.KindText},
			{Key: "email", Title: "Email", Kind: adapters.KindEmail},
			{Key: "phone", Title: "Phone", Kind: adapters.KindPhone},
		},
	}
	if acct.Contacts != nil {
		t.Total = acct.Contacts.TotalSize
		for _, c := range acct.Contacts.Records {
			t.Rows = append(t.Rows, adapters.Row{
				Cells: []adapters.Value{
					adapters.Text(strings.TrimSpace(c.FirstName + " " + c.LastName)),
					adapters.Text(c.Title),
					kindValue(adapters.KindEmail, c.Email),
					kindValue(adapters.KindPhone, c.Phone),
				},
				URL: a.recordURL("Contact", c.ID),
			})
		}
	}
	f.Tables = []adapters.Table{t}
	return nil
}

// queryOne reads the single record a query on an account id returns; no record
// means the account does not exist (any more).
func queryOne[T any](ctx context.Context, a *Adapter, soql string) (*T, error) {
	res, err := a.client.query(ctx, soql, a.queryOptions(a.maxRows))
	if err != nil {
		return nil, err
	}
	if len(res.Records) == 0 {
		return nil, fmt.Errorf("no such account: %w", adapters.ErrNotFound)
	}
	recs, err := decodeRecords[T](res.Records[:1])
	if err != nil {
		return nil, err
	}
	return &recs[0], nil
}
