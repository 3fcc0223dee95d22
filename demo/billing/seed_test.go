package billing_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/atrium-dev/atrium/demo/billing"
)

func TestDemoIsDeterministic(t *testing.T) {
	a, b := billing.Demo(testAccounts(), testNow), billing.Demo(testAccounts(), testNow)
	if !reflect.DeepEqual(a, b) {
		t.Error("two seeds of the same accounts and time differ")
	}
}

func TestDemoCustomersLinkToAccounts(t *testing.T) {
	accounts := testAccounts()
	cs := billing.Demo(accounts, testNow)
	if len(cs) != len(accounts)+2 || cs[len(cs)-2].ID != billing.DemoPayablesCustomer || cs[len(cs)-1].ID != billing.DemoUnmatchedCustomer {
		t.Fatalf("%d customers, want one per account, then %s and %s", len(cs), billing.DemoPayablesCustomer, billing.DemoUnmatchedCustomer)
	}
	byMetadata, byDomain := 0, 0
	for i, a := range accounts {
		c := cs[i]
		local, domain, _ := strings.Cut(c.Email, "@")
		if c.Name != a.Name || domain != a.Domain || (local != "billing" && local != "ap") || !strings.HasPrefix(c.ID, "cus_") {
			t.Errorf("customer %d: %s %q <%s>, want %q at billing@ or ap@%s", i, c.ID, c.Name, c.Email, a.Name, a.Domain)
		}
		sfid, linked := c.Metadata[billing.MetadataKey]
		switch want := a.SalesforceID != "" && i%5 != 4; {
		case want && sfid != a.SalesforceID:
			t.Errorf("customer %d (%s): metadata %v, want %s: %s", i, c.Name, c.Metadata, billing.MetadataKey, a.SalesforceID)
		case !want && linked:
			t.Errorf("customer %d (%s): metadata %v, want no %s", i, c.Name, c.Metadata, billing.MetadataKey)
		case want:
			byMetadata++
		default:
			byDomain++
		}
	}
	if byDomain < 2 || byMetadata < len(accounts)/2 {
		t.Errorf("%d customers link by metadata and %d by domain only, want most by metadata and some by domain", byMetadata, byDomain)
	}

	payables, unmatched := cs[len(cs)-2], cs[len(cs)-1]
	if payables.Email != "payables@"+accounts[0].Domain || len(payables.Metadata) != 0 {
		t.Errorf("payables customer <%s> %v, want payables@%s and no metadata", payables.Email, payables.Metadata, accounts[0].Domain)
	}
	if unmatched.Currency != "jpy" || len(unmatched.Metadata) != 0 || strings.HasSuffix(unmatched.Email, accounts[0].Domain) {
		t.Errorf("unmatched customer %+v, want a yen customer of no account", unmatched)
	}
}

func TestDemoInvoicesAndSubscriptions(t *testing.T) {
	cs := billing.Demo(testAccounts(), testNow)
	yearAgo := testNow.AddDate(-1, 0, -1)
	statuses := map[billing.InvoiceStatus]int{}
	currencies := map[string]int{}
	overdue, subStatuses := 0, map[billing.SubscriptionStatus]int{}
	for _, c := range cs {
		currencies[c.Currency]++
		monthly := 0
		for _, inv := range c.Invoices {
			statuses[inv.Status]++
			if inv.Status != billing.InvoiceDraft {
				monthly++
			}
			if inv.Currency != c.Currency || inv.Created.Before(yearAgo) || inv.Created.After(testNow) || len(inv.Lines) != 2 {
				t.Errorf("%s: invoice %s in %s of %v with %d lines, want the customer's %s, within the last year, 2 lines",
					c.ID, inv.ID, inv.Currency, inv.Created, len(inv.Lines), c.Currency)
			}
			if inv.Status == billing.InvoiceOpen && inv.DueDate.Before(testNow) {
				overdue++
			}
		}
		if monthly < 3 || monthly > 24 || len(c.Subscriptions) > 2 {
			t.Errorf("%s: %d invoices and %d subscriptions, want 3 to 24 and 0 to 2", c.ID, monthly, len(c.Subscriptions))
		}
		for _, s := range c.Subscriptions {
			subStatuses[s.Status]++
		}
	}
	if statuses[billing.InvoiceVoid] != 1 || statuses[billing.InvoiceDraft] != 1 || statuses[billing.InvoiceUncollectible] != 1 {
		t.Errorf("invoice statuses %v, want exactly one void, one draft, one uncollectible", statuses)
	}
	total := 0
	for _, n := range statuses {
		total += n
	}
	if statuses[billing.InvoicePaid]*10 < total*7 || statuses[billing.InvoiceOpen] <= overdue || overdue == 0 {
		t.Errorf("invoice statuses %v with %d overdue: want most paid, some open, a few overdue", statuses, overdue)
	}
	if currencies["jpy"] != 1 || currencies["eur"] < 2 || currencies["usd"] <= len(cs)/2 {
		t.Errorf("customers by currency %v, want mostly usd, some eur, one jpy", currencies)
	}
	if subStatuses[billing.SubscriptionActive] == 0 || subStatuses[billing.SubscriptionPastDue] == 0 {
		t.Errorf("subscriptions by status %v, want active and past_due ones", subStatuses)
	}
}

// Yen are a zero-decimal currency: amounts are in whole yen, about a
// hundred times the number of dollars, not of cents.
func TestDemoYenAmountsAreWholeYen(t *testing.T) {
	cs := billing.Demo(testAccounts(), testNow)
	usd := map[string]int64{} // unit amount by product
	for _, c := range cs {
		for _, inv := range c.Invoices {
			for _, l := range inv.Lines {
				if l.Price != nil && l.Price.Currency == "usd" {
					usd[l.Price.Product.ID] = l.Price.UnitAmount
				}
			}
		}
	}
	checked := 0
	for _, inv := range cs[len(cs)-1].Invoices {
		for _, l := range inv.Lines {
			if l.Price == nil || usd[l.Price.Product.ID] == 0 {
				continue
			}
			dollars := float64(usd[l.Price.Product.ID]) / 100
			if rate := float64(l.Price.UnitAmount) / dollars; rate < 80 || rate > 250 {
				t.Errorf("%s: %d yen for $%.2f: %.0f yen a dollar", l.Price.ID, l.Price.UnitAmount, dollars, rate)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no yen line with a price of a product also sold in dollars")
	}
}

func TestDemoWithoutAccounts(t *testing.T) {
	cs := billing.Demo(nil, testNow)
	if len(cs) != 1 || cs[0].ID != billing.DemoUnmatchedCustomer {
		t.Fatalf("customers %v, want only %s", cs, billing.DemoUnmatchedCustomer)
	}
	if _, err := billing.New(billing.Options{APIKey: testKey, Customers: cs}); err != nil {
		t.Fatal(err)
	}
}
