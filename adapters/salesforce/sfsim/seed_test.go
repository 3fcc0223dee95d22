package sfsim

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// rowsOf returns the live records of an object in a data set.
func rowsOf(d *Dataset, object string) []*record {
	var out []*record
	for _, r := range d.store.rows[d.store.schema.object(object)] {
		if !r.deleted {
			out = append(out, r)
		}
	}
	return out
}

func TestDemoDataIsDeterministic(t *testing.T) {
	a, b := DemoData(testNow), demoData()
	for _, o := range []string{"User", "Account", "Contact", "Opportunity", "Case", "Task"} {
		ra, rb := rowsOf(a, o), rowsOf(b, o)
		if len(ra) != len(rb) {
			t.Fatalf("%s: %d and %d records", o, len(ra), len(rb))
		}
		for i := range ra {
			if !maps.Equal(ra[i].fields, rb[i].fields) {
				t.Fatalf("%s %d differs:\n%v\n%v", o, i, ra[i].fields, rb[i].fields)
			}
		}
	}
	later := DemoData(testNow.AddDate(0, 1, 0))
	if got := rowsOf(later, "Case")[0].fields["CreatedDate"].(time.Time); !got.After(rowsOf(a, "Case")[0].fields["CreatedDate"].(time.Time)) {
		t.Errorf("dates do not follow now")
	}
}

func TestDemoDataWellKnownAccounts(t *testing.T) {
	d := demoData()
	children := func(id, object string) int {
		n := 0
		for _, r := range rowsOf(d, object) {
			if r.fields["AccountId"] == id {
				n++
			}
		}
		return n
	}
	for _, tc := range []struct {
		id, name               string
		contacts, deals, cases int
	}{
		{DemoAccountAcme, "Acme Corporation", 12, 8, 10},
		{DemoAccountManyContacts, "Initech Global Services", DemoManyContacts, 3, 5},
		{DemoAccountManyDeals, "Globex Logistics", 8, DemoManyDeals, DemoManyDealsCases},
		{DemoAccountApostrophe, "O'Reilly Media Group", 6, 4, 3},
		{DemoAccountPercent, "100% Pure Foods", 4, 2, 2},
		{DemoAccountEmpty, "Bluebird Ventures", 0, 0, 0},
	} {
		r := d.store.byID[tc.id]
		if r == nil || r.fields["Name"] != tc.name {
			t.Errorf("%s: %v, want %s", tc.id, r, tc.name)
			continue
		}
		if c, o, k := children(tc.id, "Contact"), children(tc.id, "Opportunity"), children(tc.id, "Case"); c != tc.contacts || o != tc.deals || k != tc.cases {
			t.Errorf("%s has %d contacts, %d opportunities, %d cases; want %d, %d, %d", tc.name, c, o, k, tc.contacts, tc.deals, tc.cases)
		}
	}
	if u := d.store.byID[DemoUserIntegration]; u == nil || u.fields["Username"] != DemoUsername {
		t.Errorf("integration user = %v", u)
	}
}

func TestDemoDataAccounts(t *testing.T) {
	d := demoData()
	accounts := rowsOf(d, "Account")
	if len(accounts) < 60 {
		t.Fatalf("%d accounts, want at least 60", len(accounts))
	}
	industries := map[string]bool{}
	for _, i := range []string{"Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications",
		"Construction", "Consulting", "Education", "Electronics", "Energy", "Engineering", "Entertainment", "Environmental",
		"Finance", "Food & Beverage", "Government", "Healthcare", "Hospitality", "Insurance", "Machinery", "Manufacturing",
		"Media", "Not For Profit", "Recreation", "Retail", "Shipping", "Technology", "Telecommunications", "Transportation",
		"Utilities", "Other"} {
		industries[i] = true
	}
	types := map[string]bool{"Customer - Direct": true, "Customer - Channel": true, "Prospect": true,
		"Channel Partner / Reseller": true, "Technology Partner": true, "Installation Partner": true, "Other": true}
	website := regexp.MustCompile(`^https://www\.[a-z0-9-]+\.com$`)
	names, sites := map[string]bool{}, map[string]bool{}
	for _, a := range accounts {
		f := a.fields
		name, site := f["Name"].(string), f["Website"].(string)
		if names[name] || sites[site] {
			t.Errorf("duplicate name or website: %s %s", name, site)
		}
		names[name], sites[site] = true, true
		if !website.MatchString(site) {
			t.Errorf("%s: website %q", name, site)
		}
		if !industries[f["Industry"].(string)] || !types[f["Type"].(string)] {
			t.Errorf("%s: industry %v, type %v not in the picklists", name, f["Industry"], f["Type"])
		}
		if f["BillingCity"] == nil || f["BillingCountry"] == nil || f["Phone"] == nil || f["OwnerId"] == nil {
			t.Errorf("%s lacks address, phone or owner: %v", name, f)
		}
		if rev, emp := f["AnnualRevenue"].(float64), f["NumberOfEmployees"].(int64); rev <= 0 || emp <= 0 {
			t.Errorf("%s: revenue %v, employees %v", name, rev, emp)
		}
	}
	var users []string
	for _, u := range rowsOf(d, "User") {
		users = append(users, u.fields["Name"].(string))
	}
	if len(users) != 9 || !slices.Contains(users, "Dana Lee") {
		t.Errorf("users = %v", users)
	}
}

func TestDemoDataContactsAndChildren(t *testing.T) {
	d := demoData()
	domain := map[string]string{}
	perAccount := map[string]int{}
	for _, a := range rowsOf(d, "Account") {
		domain[a.id] = strings.TrimPrefix(a.fields["Website"].(string), "https://www.")
	}
	emails := map[string]bool{}
	for _, c := range rowsOf(d, "Contact") {
		acc := c.fields["AccountId"].(string)
		perAccount[acc]++
		email := c.fields["Email"].(string)
		if emails[email] || !strings.HasSuffix(email, "@"+domain[acc]) {
			t.Fatalf("contact email %q: duplicate or not at %s", email, domain[acc])
		}
		emails[email] = true
		if c.fields["Name"] != c.fields["FirstName"].(string)+" "+c.fields["LastName"].(string) || c.fields["Title"] == nil {
			t.Fatalf("contact %v", c.fields)
		}
	}
	for id, n := range perAccount {
		special := id == DemoAccountManyContacts
		if !special && (n < 2 || n > 15) {
			t.Errorf("account %s has %d contacts, want 2 to 15", id, n)
		}
	}
	if perAccount[DemoAccountEmpty] != 0 {
		t.Error("the empty account has contacts")
	}
}

func TestDemoDataConsistency(t *testing.T) {
	d := demoData()
	now := testNow
	for _, o := range rowsOf(d, "Opportunity") {
		f := o.fields
		st := stageOf(f["StageName"].(string))
		if !st.known || f["IsClosed"] != st.closed || f["IsWon"] != st.won || f["Probability"] != st.probability {
			t.Fatalf("opportunity %v disagrees with its stage", f)
		}
		close := f["CloseDate"].(time.Time)
		if st.closed == close.After(now) {
			t.Fatalf("opportunity closed=%v closes %v", st.closed, close)
		}
		if f["Amount"].(float64) < 1000 {
			t.Fatalf("amount %v", f["Amount"])
		}
	}
	numbers := map[string]bool{}
	for i, c := range rowsOf(d, "Case") {
		f := c.fields
		if i == 0 && f["CaseNumber"] != "00001001" {
			t.Errorf("first case number %v", f["CaseNumber"])
		}
		n := f["CaseNumber"].(string)
		if numbers[n] {
			t.Fatalf("duplicate case number %s", n)
		}
		numbers[n] = true
		created := f["CreatedDate"].(time.Time)
		closedAt, hasClosed := f["ClosedDate"].(time.Time)
		closed := f["Status"] == "Closed"
		if closed != hasClosed || f["IsClosed"] != closed || hasClosed && (closedAt.Before(created) || closedAt.After(now)) {
			t.Fatalf("case %v: status and dates disagree", f)
		}
		if !slices.Contains([]string{"High", "Medium", "Low"}, f["Priority"].(string)) ||
			!slices.Contains([]string{"Phone", "Email", "Web"}, f["Origin"].(string)) || f["Subject"] == nil {
			t.Fatalf("case %v", f)
		}
	}
	for _, o := range []string{"User", "Account", "Contact", "Opportunity", "Case", "Task"} {
		for _, r := range rowsOf(d, o) {
			created, modified := r.fields["CreatedDate"].(time.Time), r.fields["LastModifiedDate"].(time.Time)
			if modified.Before(created) || modified.After(now) || r.fields["SystemModstamp"] != modified {
				t.Fatalf("%s %s: created %v, modified %v", o, r.id, created, modified)
			}
		}
	}
}
