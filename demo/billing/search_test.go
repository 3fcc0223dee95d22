package billing_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	stripe "github.com/stripe/stripe-go/v82"

	"github.com/atrium-dev/atrium/demo/billing"
)

const (
	cusQuote = "cus_QuoteEsc0001"
	cusSlash = "cus_SlashEsc0001"
)

func search(t *testing.T, f *fixture, query string, limit int64) ([]string, error) {
	t.Helper()
	params := &stripe.CustomerSearchParams{}
	params.Query = query
	params.Limit = stripe.Int64(limit)
	var ids []string
	for c, err := range f.sdk.V1Customers.Search(context.Background(), params) {
		if err != nil {
			return ids, err
		}
		ids = append(ids, c.ID)
	}
	return ids, nil
}

func TestSearchCustomers(t *testing.T) {
	f := newFixture(t)
	acme := f.customers[0].ID
	if f.customers[0].Name != "Acme Corporation" {
		t.Fatalf("the seed's first customer is %q, want Acme Corporation", f.customers[0].Name)
	}
	recent := testNow.AddDate(0, -3, 0).Unix()
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{`email:'office@quoted.example'`, []string{cusQuote}}, // exact, whatever the case
		{`email:"payables@acme-corp.com"`, []string{billing.DemoPayablesCustomer}},
		{`email:'acme-corp.com'`, nil}, // exact is not substring
		{`name:'Acme Corporation'`, []string{acme}},
		{`name~'acme'`, []string{acme, billing.DemoPayablesCustomer}},
		{`name~'ACME CORP'`, []string{acme, billing.DemoPayablesCustomer}},
		{`metadata['salesforce_account_id']:'001Dn00000Acme1IAB'`, []string{acme}},
		{`metadata["salesforce_account_id"]:"001Dn0000100PctIAE"`, nil}, // the fifth account links by domain only
		{`name:'It\'s "Quoted" Ltd'`, []string{cusQuote}},
		{`name:"It's \"Quoted\" Ltd"`, []string{cusQuote}},
		{`name:'Back\\slash Ltd'`, []string{cusSlash}},
		{`metadata['note']:'a \'b\' \\c'`, []string{cusQuote}},
		{`email~'acme-corp.com' AND -metadata['salesforce_account_id']:null`, []string{acme}},
		{`email~'acme-corp.com' and metadata['salesforce_account_id']:null`, []string{billing.DemoPayablesCustomer}},
		{`name~'acme' name~'corporation'`, []string{acme, billing.DemoPayablesCustomer}},
		{`name~'acme' OR name~'quoted' or phone:'+44 20 7946 0000'`, []string{acme, billing.DemoPayablesCustomer, cusQuote, cusSlash}},
		{`-name~'acme' AND email~'acme-corp'`, nil},
		{`phone~'7946'`, []string{cusSlash}},
		{fmt.Sprintf(`created>%d`, recent), []string{cusQuote, cusSlash}},
		{fmt.Sprintf(`created<=%d AND name~'acme'`, recent), []string{acme, billing.DemoPayablesCustomer}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			got, err := search(t, f, tc.query, 10)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			slices.Sort(tc.want)
			if !slices.Equal(got, tc.want) {
				t.Errorf("found %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSearchPagesWithTheSDKIterator(t *testing.T) {
	f := newFixture(t)
	want := newestFirst(f.customers, func(c billing.Customer) time.Time { return c.Created },
		func(c billing.Customer) string { return c.ID })
	got, err := search(t, f, `-email:null`, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("found %v\nwant %v", got, want)
	}
	reqs := f.requested("/v1/customers/search")
	if len(reqs) != (len(want)+2)/3 {
		t.Errorf("%d requests, want %d pages of 3: %v", len(reqs), (len(want)+2)/3, reqs)
	}
	for _, r := range reqs[1:] {
		if !strings.Contains(r, "page=") {
			t.Errorf("request %s continues without the next_page token", r)
		}
	}

	status, _, body := f.get(t, "/v1/customers/search?query=email~%27acme-corp%27&limit=1", "Bearer "+testKey)
	if status != 200 || body["object"] != "search_result" || body["url"] != "/v1/customers/search" ||
		body["has_more"] != true || body["next_page"] == nil {
		t.Errorf("status %d, body %v: want a search_result with more and a next_page", status, body)
	}
	_, _, body = f.get(t, "/v1/customers/search?query=email~%27acme-corp%27&limit=5", "Bearer "+testKey)
	if next, ok := body["next_page"]; !ok || next != nil || body["has_more"] != false {
		t.Errorf("last page %v: want has_more false and next_page null", body)
	}
}

func TestSearchRejectsMalformedQueries(t *testing.T) {
	f := newFixture(t)
	const parse = "We were unable to parse your search query."
	for _, tc := range []struct{ query, msg string }{
		{`email:payables@acme-corp.com`, parse}, // strings are quoted
		{`email:'x`, parse},
		{`name~'ab'`, parse}, // a substring has at least three characters
		{`email:'a' AND name:'b' OR name:'c'`, parse},
		{`email:'a' name:'b' OR name:'c'`, parse},
		{`email:'a' AND`, parse},
		{`email:'a'name:'b'`, parse},
		{`AND email:'a'`, parse},
		{`metadata:'x'`, parse},
		{`metadata['k']~'abc'`, parse},
		{`created~'123'`, parse},
		{`created>soon`, parse},
		{`email>'a'`, parse},
		{`email`, parse},
		{strings.Repeat(`name:'a' `, 11), parse},
		{`foo:'x'`, "Field `foo` is an unsupported search field for resource `customers`."},
		{`Email:'x'`, parse},
	} {
		t.Run(tc.query, func(t *testing.T) {
			_, err := search(t, f, tc.query, 10)
			se := stripeError(t, err)
			if se.HTTPStatusCode != 400 || se.Type != stripe.ErrorTypeInvalidRequest || !strings.HasPrefix(se.Msg, tc.msg) {
				t.Errorf("error %d %s %q, want 400 invalid_request_error %q", se.HTTPStatusCode, se.Type, se.Msg, tc.msg)
			}
		})
	}

	_, err := search(t, f, "", 10)
	if se := stripeError(t, err); se.HTTPStatusCode != 400 || se.Code != stripe.ErrorCodeParameterMissing || se.Param != "query" {
		t.Errorf("empty query: error %d %s %s, want 400 parameter_missing on query", se.HTTPStatusCode, se.Code, se.Param)
	}
	status, _, body := f.get(t, "/v1/customers/search?query=name~%27acme%27&page=nonsense", "Bearer "+testKey)
	if e, _ := body["error"].(map[string]any); status != 400 || e["param"] != "page" {
		t.Errorf("a page token of no search: status %d, body %v, want 400 on param page", status, body)
	}
}
