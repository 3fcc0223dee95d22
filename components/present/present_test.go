package present

import (
	"reflect"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/customer"
)

func TestMoney(t *testing.T) {
	tests := []struct {
		amount   float64
		currency string
		want     string
	}{
		{1234567, "USD", "$1,234,567"},
		{12500.5, "EUR", "€12,500.50"},
		{12500.5, "eur", "€12,500.50"},
		{999.99, "GBP", "£999.99"},
		{-42.5, "USD", "-$42.50"},
		{-1234567.89, "EUR", "-€1,234,567.89"},
		{0.07, "USD", "$0.07"},
		{0, "USD", "$0"},
		{1000, "CHF", "1,000 CHF"},
		{1000.25, "chf", "1,000.25 CHF"},
		{1000, "", "1,000"},
		// Cents that round up carry into the whole amount.
		{2.999, "USD", "$3"},
		{1.995, "USD", "$2"},
		{999999.999, "USD", "$1,000,000"},
		// An amount that rounds to zero has no sign.
		{-0.001, "USD", "$0"},
	}
	for _, tt := range tests {
		if got := Money(tt.amount, tt.currency); got != tt.want {
			t.Errorf("Money(%v, %q) = %q, want %q", tt.amount, tt.currency, got, tt.want)
		}
	}
}

func TestNumber(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{7, "7"},
		{999, "999"},
		{1000, "1,000"},
		{12345, "12,345"},
		{1234567, "1,234,567"},
		{-1234567, "-1,234,567"},
		{-12, "-12"},
		{0.5, "0.50"},
		{1234.5, "1,234.50"},
		{-1234.25, "-1,234.25"},
		{3.00001, "3"},
		// Fractions that round up carry into the whole number.
		{1.999, "2"},
		{999.996, "1,000"},
		{-0.001, "0"},
	}
	for _, tt := range tests {
		if got := Number(tt.in); got != tt.want {
			t.Errorf("Number(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAgo(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{-5 * time.Second, "just now"}, // a clock slightly ahead
		{0, "just now"},
		{29 * time.Second, "just now"},
		{45 * time.Second, "1 min ago"},
		{2 * time.Minute, "2 min ago"},
		{14*time.Minute + 40*time.Second, "15 min ago"},
		{59 * time.Minute, "59 min ago"},
		{59*time.Minute + 50*time.Second, "1 h ago"},
		{time.Hour, "1 h ago"},
		{5*time.Hour + 59*time.Minute, "5 h ago"},
		{23 * time.Hour, "23 h ago"},
		{24 * time.Hour, "1 day ago"},
		{47 * time.Hour, "1 day ago"},
		{48 * time.Hour, "2 days ago"},
		{30 * 24 * time.Hour, "30 days ago"},
	}
	for _, tt := range tests {
		if got := Ago(tt.d); got != tt.want {
			t.Errorf("Ago(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestCell(t *testing.T) {
	// Date-times show in the server's zone; pin it so the test means the same everywhere.
	saved := time.Local
	time.Local = time.FixedZone("CET", 3600)
	t.Cleanup(func() { time.Local = saved })

	day := time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)
	moment := time.Date(2024, 3, 5, 12, 30, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   adapters.Value
		want components.Cell
	}{
		{"invalid", adapters.Value{Kind: adapters.KindMoney, Number: 5}, components.Cell{Text: "—"}},
		{"zero value", adapters.Value{}, components.Cell{Text: "—"}},
		{"empty text", adapters.Text(""), components.Cell{Text: "—"}},
		{"text", adapters.Text("Acme Corp"), components.Cell{Text: "Acme Corp", Sort: "Acme Corp"}},
		// A status is a badge by its column (see TestStatusesSortAlongTheRecordsLife), not by its word.
		{"text that reads like a status", adapters.Text("Closed Won"), components.Cell{Text: "Closed Won", Sort: "Closed Won"}},
		{
			"money sorts by its plain amount",
			adapters.Value{Kind: adapters.KindMoney, Number: 1234567.5, Currency: "USD", Valid: true},
			components.Cell{Text: "$1,234,567.50", Sort: "1234567.50", NoWrap: true},
		},
		{
			"negative money",
			adapters.Value{Kind: adapters.KindMoney, Number: -20, Currency: "EUR", Valid: true},
			components.Cell{Text: "-€20", Sort: "-20.00", NoWrap: true},
		},
		{
			"number",
			adapters.Value{Kind: adapters.KindNumber, Number: 12000, Valid: true},
			components.Cell{Text: "12,000", Sort: "12000"},
		},
		{
			"percent",
			adapters.Value{Kind: adapters.KindPercent, Number: 12.5, Valid: true},
			components.Cell{Text: "12.5 %", Sort: "12.5"},
		},
		{
			"date sorts by ISO date",
			adapters.Value{Kind: adapters.KindDate, Time: day, Valid: true},
			components.Cell{Text: "5 Mar 2024", Sort: "2024-03-05", Title: "Tuesday", NoWrap: true},
		},
		{
			"date-time shows local time, the date held together, and sorts by UTC RFC 3339",
			adapters.Value{Kind: adapters.KindDateTime, Time: moment, Valid: true},
			components.Cell{Text: "5\u00a0Mar\u00a02024 13:30", Sort: "2024-03-05T12:30:00Z"},
		},
		{
			"date-time given in another zone",
			adapters.Value{Kind: adapters.KindDateTime, Time: moment.In(time.FixedZone("PST", -8*3600)), Valid: true},
			components.Cell{Text: "5\u00a0Mar\u00a02024 13:30", Sort: "2024-03-05T12:30:00Z"},
		},
		{
			"email links with mailto and sorts case-blind",
			adapters.Value{Kind: adapters.KindEmail, Text: "Ana.Lopez@Example.com", Valid: true},
			components.Cell{Text: "Ana.Lopez@Example.com", Href: "mailto:Ana.Lopez@Example.com", Sort: "ana.lopez@example.com"},
		},
		{
			"https URL",
			adapters.Value{Kind: adapters.KindURL, Text: "https://www.example.com/", Valid: true},
			components.Cell{Text: "www.example.com", Href: "https://www.example.com/", Sort: "https://www.example.com/"},
		},
		{
			"http URL with a path",
			adapters.Value{Kind: adapters.KindURL, Text: "http://example.com/about", Valid: true},
			components.Cell{Text: "example.com/about", Href: "http://example.com/about", Sort: "http://example.com/about"},
		},
		{
			"bare domain becomes https",
			adapters.Value{Kind: adapters.KindURL, Text: "example.com", Valid: true},
			components.Cell{Text: "example.com", Href: "https://example.com", Sort: "example.com"},
		},
		{
			"javascript URL gets no link",
			adapters.Value{Kind: adapters.KindURL, Text: "javascript:alert(1)", Valid: true},
			components.Cell{Text: "javascript:alert(1)", Sort: "javascript:alert(1)"},
		},
		{
			"upper-case javascript URL gets no link",
			adapters.Value{Kind: adapters.KindURL, Text: "JavaScript:alert(1)", Valid: true},
			components.Cell{Text: "JavaScript:alert(1)", Sort: "JavaScript:alert(1)"},
		},
		{
			"data URL gets no link",
			adapters.Value{Kind: adapters.KindURL, Text: "data:text/html,<script>alert(1)</script>", Valid: true},
			components.Cell{Text: "data:text/html,<script>alert(1)</script>", Sort: "data:text/html,<script>alert(1)</script>"},
		},
		{
			"https URL without a host gets no link",
			adapters.Value{Kind: adapters.KindURL, Text: "https:evil", Valid: true},
			components.Cell{Text: "https:evil", Sort: "https:evil"},
		},
		{
			"phone links with digits and + only",
			adapters.Value{Kind: adapters.KindPhone, Text: "+1 (415) 555-0100", Valid: true},
			components.Cell{Text: "+1 (415) 555-0100", Href: "tel:+14155550100", Sort: "+1 (415) 555-0100", NoWrap: true},
		},
		{
			"phone without digits gets no link",
			adapters.Value{Kind: adapters.KindPhone, Text: "n/a", Valid: true},
			components.Cell{Text: "n/a", Sort: "n/a", NoWrap: true},
		},
		{"true", adapters.Value{Kind: adapters.KindBool, Bool: true, Valid: true}, components.Cell{Text: "Yes", Sort: "1"}},
		{"false", adapters.Value{Kind: adapters.KindBool, Valid: true}, components.Cell{Text: "No", Sort: "0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Cell(tt.in); got != tt.want {
				t.Errorf("Cell(%+v)\n got %+v\nwant %+v", tt.in, got, tt.want)
			}
		})
	}
}

func money(n float64) adapters.Value {
	return adapters.Value{Kind: adapters.KindMoney, Number: n, Currency: "USD", Valid: true}
}

func TestCustomerPageHeader(t *testing.T) {
	now := time.Date(2024, 3, 5, 12, 0, 0, 0, time.UTC)
	const self = "/customers/001A"
	ok := func(fields map[string]adapters.Value) customer.Panel {
		return customer.Panel{
			Source: "salesforce", SourceTitle: "Salesforce",
			Spec:  adapters.FacetSpec{Name: "account", Title: "Account", Header: true},
			State: customer.StateOK,
			Facet: &adapters.Facet{Fields: fields, FetchedAt: now.Add(-2 * time.Minute), URL: "https://acme.my.salesforce.com/001A"},
		}
	}
	full := map[string]adapters.Value{
		adapters.FieldName:          adapters.Text("Acme Corp"),
		adapters.FieldIndustry:      adapters.Text("Technology"),
		adapters.FieldType:          adapters.Text("Customer - Direct"),
		adapters.FieldWebsite:       {Kind: adapters.KindURL, Text: "acme.example", Valid: true},
		adapters.FieldPhone:         {Kind: adapters.KindPhone, Text: "+1 415 555 0100", Valid: true},
		adapters.FieldOwner:         adapters.Text("Dana Owner"),
		adapters.FieldAnnualRevenue: money(1500000),
		adapters.FieldEmployees:     {Kind: adapters.KindNumber, Number: 12000, Valid: true},
		adapters.FieldCity:          adapters.Text("San Francisco"),
		adapters.FieldCountry:       adapters.Text("United States"),
	}
	// loaded is the header of a loaded account: the facts in their fixed
	// order, a link to the record and the source's freshness.
	loaded := func(name, subtitle string, facts ...components.Fact) components.CustomerHeader {
		return components.CustomerHeader{
			Name:        name,
			Subtitle:    subtitle,
			Facts:       facts,
			ExternalURL: "https://acme.my.salesforce.com/001A",
			ExternalFor: "Open in Salesforce",
			Source: components.Source{
				Title: "Salesforce", FetchedAgo: "2 min ago", FetchedAt: "2024-03-05T11:58:00Z",
			},
		}
	}
	tests := []struct {
		name string
		in   customer.Panel
		want components.CustomerHeader
	}{
		{
			name: "every field",
			in:   ok(full),
			want: loaded("Acme Corp", "Technology · Customer - Direct",
				components.Fact{Label: "Industry", Value: "Technology"},
				components.Fact{Label: "Website", Value: "acme.example", Href: "https://acme.example"},
				components.Fact{Label: "Phone", Value: "+1 415 555 0100", Href: "tel:+14155550100"},
				components.Fact{Label: "Owner", Value: "Dana Owner"},
				components.Fact{Label: "Annual revenue", Value: "$1,500,000"},
				components.Fact{Label: "Location", Value: "San Francisco, United States"},
				components.Fact{Label: "Employees", Value: "12,000"},
			),
		},
		{
			name: "missing fields",
			in: ok(map[string]adapters.Value{
				adapters.FieldType:    adapters.Text("Prospect"),
				adapters.FieldCountry: adapters.Text("Germany"),
				adapters.FieldOwner:   adapters.Text(""),
			}),
			want: loaded("(no name)", "Prospect",
				components.Fact{Label: "Industry", Value: "—"},
				components.Fact{Label: "Website", Value: "—"},
				components.Fact{Label: "Phone", Value: "—"},
				components.Fact{Label: "Owner", Value: "—"},
				components.Fact{Label: "Annual revenue", Value: "—"},
				components.Fact{Label: "Location", Value: "Germany"},
				components.Fact{Label: "Employees", Value: "—"},
			),
		},
		{
			name: "failed, worth retrying",
			in: customer.Panel{
				Source: "salesforce", SourceTitle: "Salesforce", State: customer.StateError,
				Problem: &customer.Problem{Cause: customer.CauseTimeout, Source: "Salesforce", Timeout: 5 * time.Second, Retry: true},
			},
			want: components.CustomerHeader{
				Name:    "Customer",
				Source:  components.Source{Title: "Salesforce"},
				Problem: &components.Problem{Message: "Salesforce did not answer within 5s.", Hint: "Try again in a moment.", Retry: self},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := header(tt.in, self, now)
			got.Source.Exact = "" // the server's local time; its format is not under test here
			if (got.Problem == nil) != (tt.want.Problem == nil) || problemLink(got.Problem) != problemLink(tt.want.Problem) {
				t.Errorf("problem %+v, want %+v", got.Problem, tt.want.Problem)
			}
			got.Problem, tt.want.Problem = nil, nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("header\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestCustomerPagePanels(t *testing.T) {
	now := time.Date(2024, 3, 5, 12, 0, 0, 0, time.UTC)
	const self = "/customers/001A"
	failed := func(name string, p *customer.Problem) customer.Panel {
		return customer.Panel{
			Source: "salesforce", SourceTitle: "Salesforce", Spec: adapters.FacetSpec{Name: name, Title: "Cases"},
			State: customer.StateError, Problem: p,
		}
	}
	table := func(name, title string, tb adapters.Table) customer.Panel {
		return customer.Panel{
			Source: "salesforce", SourceTitle: "Salesforce", Spec: adapters.FacetSpec{Name: name, Title: title},
			State: customer.StateOK,
			Facet: &adapters.Facet{Tables: []adapters.Table{tb}, FetchedAt: now.Add(-3 * time.Hour)},
		}
	}
	cols := []adapters.Column{
		{Key: "name", Title: "Name", Kind: adapters.KindText},
		{Key: "amount", Title: "Amount", Kind: adapters.KindMoney},
		{Key: "stage", Title: "Stage", Kind: adapters.KindText},
	}
	row := func(name string, amount float64, stage, url string) adapters.Row {
		return adapters.Row{Cells: []adapters.Value{adapters.Text(name), money(amount), adapters.Text(stage)}, URL: url}
	}
	panels := []customer.Panel{
		failed("cases", &customer.Problem{Cause: customer.CauseUnavailable, Source: "Salesforce", Retry: true}),
		failed("cases", &customer.Problem{Cause: customer.CauseOverBudget, Source: "Salesforce"}),
		failed("cases", nil),
		table("opportunities", "Opportunities", adapters.Table{
			Columns: cols,
			Rows: []adapters.Row{
				row("Renewal", 250000, "Closed Won", "https://sf/006A"),
				row("Expansion", 1234.5, "Negotiation/Review", ""),
			},
			Total:   2300,
			Summary: []adapters.Metric{{Label: "Open pipeline", Value: money(3400000)}},
		}),
		table("contacts", "Contacts", adapters.Table{
			Columns: []adapters.Column{{Key: "email", Title: "Email", Kind: adapters.KindEmail}},
			Rows: []adapters.Row{
				{Cells: []adapters.Value{{Kind: adapters.KindEmail, Text: "ana@example.com", Valid: true}}, URL: "https://sf/003A"},
			},
		}),
	}
	var got []components.Panel
	for _, p := range panels {
		got = append(got, Panel("001A", p, now)) // self is the page of 001A
	}

	t.Run("failed panel worth retrying links back to the page", func(t *testing.T) {
		p := got[0]
		if p.Problem == nil || p.Table != nil || p.ID != "salesforce-cases" {
			t.Fatalf("panel %+v, want a problem and no table", p)
		}
		want := problemKey{Message: "Salesforce is unavailable right now.", Hint: "Try again in a moment.", Retry: self}
		if got := problemLink(p.Problem); got != want {
			t.Errorf("problem %+v, want %+v", got, want)
		}
	})
	t.Run("failed panel not worth retrying offers no retry", func(t *testing.T) {
		want := problemKey{Message: "Salesforce's daily API allocation is used up.", Hint: "Data returns when the allocation resets; tell your integration admin."}
		if got := problemLink(got[1].Problem); got != want {
			t.Errorf("problem %+v, want %+v", got, want)
		}
		if p := got[1].Problem; p != nil && p.RetryFragment != "" {
			t.Errorf("retry fragment %q for a problem retrying cannot help", p.RetryFragment)
		}
	})
	t.Run("failed panel without an explanation still says so", func(t *testing.T) {
		if p := got[2].Problem; p == nil || p.Message == "" || p.Retry != "" {
			t.Errorf("problem %+v, want a message and no retry", p)
		}
	})
	t.Run("table with more records than rows", func(t *testing.T) {
		p := got[3]
		if p.Problem != nil || p.Table == nil {
			t.Fatalf("panel %+v, want a table", p)
		}
		if p.ID != "salesforce-opportunities" || p.Title != "Opportunities" {
			t.Errorf("id %q, title %q", p.ID, p.Title)
		}
		if p.Count != "2,300" {
			t.Errorf("count %q, want the total with separators, 2,300", p.Count)
		}
		if want := "Showing 2 of 2,300. Open the record in Salesforce for the rest."; p.Table.Note != want {
			t.Errorf("note %q, want %q", p.Table.Note, want)
		}
		if want := []components.Metric{{Label: "Open pipeline", Value: "$3,400,000"}}; !reflect.DeepEqual(p.Summary, want) {
			t.Errorf("summary %+v, want %+v", p.Summary, want)
		}
		if want := "No opportunities in Salesforce."; p.Empty != want {
			t.Errorf("empty %q, want %q", p.Empty, want)
		}
		wantCols := []components.Column{{Title: "Name"}, {Title: "Amount", Numeric: true}, {Title: "Stage"}}
		if !reflect.DeepEqual(p.Table.Columns, wantCols) {
			t.Errorf("columns %+v, want %+v", p.Table.Columns, wantCols)
		}
		if len(p.Table.Rows) != 2 {
			t.Fatalf("%d rows, want 2", len(p.Table.Rows))
		}
		first, second := p.Table.Rows[0].Cells, p.Table.Rows[1].Cells
		if first[0].Text != "Renewal" || first[0].Href != "https://sf/006A" {
			t.Errorf("first cell %+v, want the record's link", first[0])
		}
		if second[0].Href != "" {
			t.Errorf("row without a URL links to %q", second[0].Href)
		}
		if first[1].Text != "$250,000" || first[1].Sort != "250000.00" || second[1].Text != "$1,234.50" {
			t.Errorf("amounts %+v and %+v", first[1], second[1])
		}
		if first[2].Badge != "ok" || second[2].Badge != "warn" {
			t.Errorf("stage badges %q and %q, want ok and warn", first[2].Badge, second[2].Badge)
		}
		if p.Source.FetchedAgo != "3 h ago" {
			t.Errorf("fetched %q, want 3 h ago", p.Source.FetchedAgo)
		}
	})
	t.Run("table holding every record", func(t *testing.T) {
		p := got[4]
		if p.Table == nil || p.Table.Note != "" || p.Count != "1" {
			t.Fatalf("panel %+v, table %+v: want count 1 and no note", p, p.Table)
		}
		if c := p.Table.Rows[0].Cells[0]; c.Href != "mailto:ana@example.com" {
			t.Errorf("an email cell keeps its mailto link over the record's URL, got %q", c.Href)
		}
	})
}

// problemKey is the comparable part of a problem.
type problemKey struct{ Message, Hint, Retry string }

// problemLink keeps what a problem says and where its retry link goes.
func problemLink(p *components.Problem) problemKey {
	if p == nil {
		return problemKey{}
	}
	return problemKey{Message: p.Message, Hint: p.Hint, Retry: p.Retry}
}

func TestCustomerPageCountsThousands(t *testing.T) {
	rows := make([]adapters.Row, 1500)
	for i := range rows {
		rows[i] = adapters.Row{Cells: []adapters.Value{adapters.Text("x")}}
	}
	in := customer.Panel{
		Source: "s", SourceTitle: "S", Spec: adapters.FacetSpec{Name: "n", Title: "Things"}, State: customer.StateOK,
		Facet: &adapters.Facet{Tables: []adapters.Table{{Columns: []adapters.Column{{Title: "X"}}, Rows: rows, Total: 1234567}}},
	}
	p := Panel("c", in, time.Now())
	if p.Count != "1,234,567" {
		t.Errorf("count %q, want 1,234,567", p.Count)
	}
	if want := "Showing 50 of 1,234,567."; p.Table.Note != want {
		t.Errorf("note %q, want %q", p.Table.Note, want)
	}
	all, err := PanelRows("c", in, time.Now(), Window{Rows: 1500})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Showing 1,500 of 1,234,567. Open the record in S for the rest."; all.Table.Note != want {
		t.Errorf("every row shown: note %q, want %q", all.Table.Note, want)
	}
}

func TestStaleAndRetryAtAreSaid(t *testing.T) {
	now := time.Date(2026, 11, 26, 14, 10, 0, 0, time.Local)
	fetched := time.Date(2026, 11, 26, 14, 2, 0, 0, time.Local)
	p := customer.Panel{Source: "salesforce", SourceTitle: "Salesforce", Spec: adapters.FacetSpec{Name: "contacts", Title: "Contacts"},
		Facet: &adapters.Facet{FetchedAt: fetched, Stale: true}}
	if got := source(p, now); !got.Stale || got.FetchedAgo != "as of 14:02, refreshing" {
		t.Errorf("stale badge = %+v", got)
	}
	p.Facet.Stale = false
	if got := source(p, now); got.Stale || got.FetchedAgo != "8 min ago" {
		t.Errorf("fresh badge = %+v", got)
	}
	pr := problem(&customer.Problem{Cause: customer.CauseBreakerOpen, Source: "Salesforce", RetryAt: time.Date(2026, 11, 26, 14, 5, 0, 0, time.Local), Retry: true}, "/x")
	if pr.Message != "Salesforce is unavailable, retrying at 14:05:00." || pr.Retry != "/x" {
		t.Errorf("open breaker problem = %+v", pr)
	}
}

func TestPluralNoun(t *testing.T) {
	for in, want := range map[string]string{"Case": "Cases", "Opportunity": "Opportunities", "Invoice": "Invoices",
		"Shipment": "Shipments", "Key": "Keys", "Box": "Boxes", "Address": "Addresses"} {
		if got := pluralNoun(in); got != want {
			t.Errorf("pluralNoun(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOverviewChartScalesToItsAxis(t *testing.T) {
	var months []customer.MonthTotal
	for i := range 12 {
		months = append(months, customer.MonthTotal{Month: time.Date(2025, time.Month(12+i-12+1), 1, 0, 0, 0, 0, time.UTC), Amount: float64(i * 100)})
	}
	months[3].Amount = 1     // tiny but not zero
	months[10].Amount = 1250 // the top of the axis: 0, 250, … 1,250
	o := overview(&customer.Summary{Invoiced: months, Currency: "USD",
		Metrics: []customer.KeyMetric{{Label: "Overdue", Value: adapters.Value{Kind: adapters.KindMoney, Number: 1200, Currency: "USD", Valid: true}, SourceTitle: "Billing"}}})
	c := o.Chart
	if c == nil || len(c.Bars) != 12 {
		t.Fatalf("chart = %+v", c)
	}
	tallest := c.Bars[10]
	if tallest.H != chartHeight-chartTop || tallest.Y != chartTop || tallest.Value != "$1,250" {
		t.Errorf("largest bar = %+v", tallest)
	}
	if c.Bars[0].H != 0 || c.Bars[3].H != 2 {
		t.Errorf("zero and tiny bars = %+v, %+v", c.Bars[0], c.Bars[3])
	}
	if o.Metrics[0].Value != "$1,200" || o.Metrics[0].Source != "Billing" {
		t.Errorf("metrics = %+v", o.Metrics)
	}
	if empty := overview(&customer.Summary{}); empty.Empty == "" || empty.Chart != nil {
		t.Errorf("an empty summary says nothing: %+v", empty)
	}
}
