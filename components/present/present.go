// Package present turns domain results (customer pages, search results) into the
// view models that components render: it formats values, orders facts and words
// empty and error states. It holds no I/O.
package present

import (
	"cmp"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/customer"
)

// SearchResults maps a federated search outcome.
func SearchResults(q string, r customer.SearchResult) components.SearchResults {
	out := components.SearchResults{Query: q, Searched: true, Sources: Titles(r.Searched)}
	if r.Problem != nil {
		out.Problem = problem(r.Problem, "")
		return out
	}
	for _, m := range r.Missing {
		msg, hint := words(m.Problem)
		out.Missing = append(out.Missing, components.Problem{
			Message: msg + " Customers only " + m.Title + " knows may be missing.",
			Hint:    hint,
		})
	}
	for _, h := range r.Hits {
		hit := components.SearchHit{Name: h.Name, Industry: h.Industry, City: h.City, Owner: h.Owner, MatchedBy: matchedBy(h.MatchedBy)}
		if h.CustomerID != "" {
			hit.Href = CustomerFromSearchURL(h.CustomerID, q)
		} else if len(h.Found) > 0 && len(r.Searched) > 0 {
			hit.Href = RecordURL(h.Found[0].Source, h.Found[0].ID)
			hit.Note = notLinked(r.Searched[0])
		}
		for _, f := range h.Found {
			hit.Found = append(hit.Found, components.Link{Label: f.Title, Href: safeHref(f.URL)})
		}
		if len(h.Via) > 0 && hit.Note == "" {
			v := h.Via[0]
			hit.Note = fmt.Sprintf("Matched %s’s “%s”, another %s record of this customer.", v.Title, cmp.Or(v.Name, v.ID), v.Title)
		}
		out.Hits = append(out.Hits, hit)
	}
	if r.More {
		n := Number(float64(len(r.Hits)))
		out.More = fmt.Sprintf("Showing %s of more than %s — refine the search.", n, n)
	}
	return out
}

// QueryParam carries the search a customer page was opened from, so that
// the page leads back to its results.
const QueryParam = "q"

// CustomerFromSearchURL is the page of customer id opened from the results
// of search q.
func CustomerFromSearchURL(id, q string) string {
	if q == "" {
		return CustomerURL(id)
	}
	return CustomerURL(id) + "?" + url.Values{QueryParam: {q}}.Encode()
}

// SearchURL is the results page of search q.
func SearchURL(q string) string { return "/search?" + url.Values{QueryParam: {q}}.Encode() }

// BackToResults leads from a customer page back to the results of search q.
func BackToResults(q string) *components.Link {
	return &components.Link{Label: "Results for “" + q + "”", Href: SearchURL(q)}
}

// Titles joins system names for a sentence: "A", "A and B", "A, B and C".
func Titles(ts []string) string {
	switch len(ts) {
	case 0:
		return ""
	case 1:
		return ts[0]
	}
	return strings.Join(ts[:len(ts)-1], ", ") + " and " + ts[len(ts)-1]
}

func matchedBy(s string) string {
	switch s {
	case adapters.KeyDomain:
		return "website"
	case adapters.KeyEmail:
		return "email"
	case adapters.KeyExternalID:
		return "id"
	case "", "name":
		return "name"
	}
	return s
}

// header maps the header panel. self is the page's own URL, for retries; now
// is the time relative freshness ("2 min ago") is measured from.
func header(p customer.Panel, self string, now time.Time) components.CustomerHeader {
	h := components.CustomerHeader{Source: source(p, now), Name: headerName(p)}
	if p.State != customer.StateOK || p.Facet == nil {
		h.Problem = problem(p.Problem, self)
		return h
	}
	f := p.Facet.Fields
	var sub []string
	for _, k := range []string{adapters.FieldIndustry, adapters.FieldType} {
		if v := text(f[k]); v != "" {
			sub = append(sub, v)
		}
	}
	h.Subtitle = strings.Join(sub, " · ")
	if p.Facet.URL != "" {
		h.ExternalURL = p.Facet.URL
		h.ExternalFor = "Open in " + p.SourceTitle
	}
	add := func(label, key string) {
		if slices.Contains(p.Redaction.Withheld, p.Source+"/"+p.Spec.Name+"/"+key) {
			return // withheld from this viewer: not even its label
		}
		v, ok := f[key]
		if !ok || !v.Valid {
			h.Facts = append(h.Facts, components.Fact{Label: label, Value: "—"})
			return
		}
		c := Cell(v)
		h.Facts = append(h.Facts, components.Fact{Label: label, Value: c.Text, Href: c.Href})
	}
	add("Industry", adapters.FieldIndustry)
	add("Website", adapters.FieldWebsite)
	add("Phone", adapters.FieldPhone)
	add("Owner", adapters.FieldOwner)
	add("Annual revenue", adapters.FieldAnnualRevenue)
	h.Facts = append(h.Facts, components.Fact{Label: "Location", Value: location(f)})
	add("Employees", adapters.FieldEmployees)
	return h
}

// headerName is the customer's name as the header shows it.
func headerName(p customer.Panel) string {
	if p.State != customer.StateOK || p.Facet == nil {
		return "Customer"
	}
	if name := text(p.Facet.Fields[adapters.FieldName]); name != "" {
		return name
	}
	return "(no name)"
}

func location(f map[string]adapters.Value) string {
	var parts []string
	for _, k := range []string{adapters.FieldCity, adapters.FieldCountry} {
		if v := text(f[k]); v != "" {
			parts = append(parts, v)
		}
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, ", ")
}

func panel(p customer.Panel, self string, now time.Time) components.Panel {
	m := components.Panel{ID: panelID(p), Title: p.Spec.Title, Source: source(p, now)}
	if p.State != customer.StateOK || p.Facet == nil {
		m.Problem = problem(p.Problem, self)
		switch p.State {
		case customer.StateForbidden:
			m.Problem.Muted = true
		case customer.StateNotLinked:
			m.Problem.Muted = true
			for _, sp := range p.Splits {
				m.Problem.Items = append(m.Problem.Items, components.Link{Label: SplitNote(sp)})
			}
		case customer.StateConflict:
			for _, c := range p.Candidates {
				m.Problem.Items = append(m.Problem.Items, components.Link{
					Label: fmt.Sprintf("%s (%s)", c.Name, c.Provenance()), Href: safeHref(c.URL)})
			}
		}
		return m
	}
	m.Empty = fmt.Sprintf("No %s in %s.", strings.ToLower(p.Spec.Title), p.SourceTitle)
	if len(p.Facet.Tables) == 0 {
		return m
	}
	t := p.Facet.Tables[0]
	total := max(t.Total, len(t.Rows))
	m.Count = Number(float64(total))
	for _, s := range t.Summary {
		m.Summary = append(m.Summary, components.Metric{Label: s.Label, Value: Cell(s.Value).Text})
	}
	tv := &components.Table{Caption: p.Spec.Title + " from " + p.SourceTitle}
	roles := make([]role, len(t.Columns))
	for i, c := range t.Columns {
		tv.Columns = append(tv.Columns, components.Column{Title: c.Title, Numeric: numeric(c.Kind)})
		roles[i] = columnRole(c)
	}
	for _, r := range t.Rows {
		row := components.Row{Emphasis: r.Emphasis}
		for i, v := range r.Cells {
			c := Cell(v)
			if i < len(roles) {
				c = byRole(roles[i], c)
			}
			if i == 0 && r.URL != "" && c.Href == "" {
				c.Href = r.URL
			}
			row.Cells = append(row.Cells, c)
		}
		tv.Rows = append(tv.Rows, row)
	}
	tv.ID = m.ID
	components.CellClasses(tv)
	m.Table = tv
	m.Wide = wideTable(tv)
	return m
}

func numeric(k adapters.Kind) bool {
	return k == adapters.KindNumber || k == adapters.KindMoney || k == adapters.KindPercent
}

func source(p customer.Panel, now time.Time) components.Source {
	s := components.Source{Title: p.SourceTitle}
	if p.Link != nil {
		s.Provenance = p.Link.Provenance()
	}
	if p.Facet != nil && !p.Facet.FetchedAt.IsZero() {
		t := p.Facet.FetchedAt
		s.FetchedAt = t.UTC().Format(time.RFC3339)
		s.FetchedAgo = fetchedAgo(p.Facet, now)
		s.Exact = t.Local().Format("2 Jan 2006 15:04:05")
		s.Stale = p.Facet.Stale
	}
	return s
}

// fetchedAgo says how old f's data is as of now: the one part of a panel
// that changes while its data does not (see fragmentKey).
func fetchedAgo(f *adapters.Facet, now time.Time) string {
	t := f.FetchedAt
	if !f.Stale {
		return Ago(now.Sub(t))
	}
	// Old data is worth showing, but never as if it were fresh.
	if now.Sub(t) >= 24*time.Hour {
		return "as of " + t.Local().Format("2 Jan 15:04") + ", refreshing"
	}
	return "as of " + t.Local().Format("15:04") + ", refreshing"
}

// Ago says how long ago something happened, the way a person would.
func Ago(d time.Duration) string {
	switch {
	case d < 30*time.Second:
		return "just now"
	case d < time.Hour-30*time.Second: // beyond, minutes would round to 60
		return fmt.Sprintf("%d min ago", max(1, int(math.Round(d.Minutes()))))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d h ago", max(1, int(d.Hours())))
	case d < 48*time.Hour:
		return "1 day ago"
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

func text(v adapters.Value) string {
	if !v.Valid {
		return ""
	}
	return Cell(v).Text
}

// Cell formats one value for a table cell or fact.
func Cell(v adapters.Value) components.Cell {
	if !v.Valid {
		return components.Cell{Text: "—", Sort: ""}
	}
	switch v.Kind {
	case adapters.KindMoney:
		return components.Cell{Text: Money(v.Number, v.Currency), Sort: strconv.FormatFloat(v.Number, 'f', 2, 64), NoWrap: true}
	case adapters.KindNumber:
		return components.Cell{Text: Number(v.Number), Sort: strconv.FormatFloat(v.Number, 'f', -1, 64)}
	case adapters.KindPercent:
		return components.Cell{Text: strconv.FormatFloat(v.Number, 'f', -1, 64) + " %", Sort: strconv.FormatFloat(v.Number, 'f', -1, 64)}
	case adapters.KindDate:
		return components.Cell{Text: v.Time.Format("2 Jan 2006"), Sort: v.Time.Format("2006-01-02"), Title: v.Time.Format("Monday"), NoWrap: true}
	case adapters.KindDateTime:
		// The date holds together and the time may go below it, so that a
		// table of dates and times fits a narrow panel.
		return components.Cell{Text: v.Time.Local().Format("2\u00a0Jan\u00a02006 15:04"), Sort: v.Time.UTC().Format(time.RFC3339)}
	case adapters.KindEmail:
		return components.Cell{Text: v.Text, Href: mailto(v.Text), Sort: strings.ToLower(v.Text)}
	case adapters.KindURL:
		return components.Cell{Text: displayURL(v.Text), Href: safeHref(v.Text), Sort: v.Text}
	case adapters.KindPhone:
		c := components.Cell{Text: v.Text, Sort: v.Text, NoWrap: true}
		if dial := strings.Map(phoneChar, v.Text); strings.ContainsAny(dial, "0123456789") {
			c.Href = "tel:" + dial
		}
		return c
	case adapters.KindBool:
		if v.Bool {
			return components.Cell{Text: "Yes", Sort: "1"}
		}
		return components.Cell{Text: "No", Sort: "0"}
	}
	return components.Cell{Text: v.Text, Sort: v.Text}
}

// mailto returns a mailto: link to addr when it is one plain address, and
// "" otherwise. A value from a system could carry a query (?bcc=, &body=),
// a fragment, more recipients or a display name, which a mail program would
// take as part of the message the user did not write.
func mailto(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" || domain == "" || len(addr) > 254 {
		return ""
	}
	for _, r := range local {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".!$'*+-=^_`{|}~", r)) {
			return ""
		}
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
			return ""
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return ""
			}
		}
	}
	return "mailto:" + addr
}

func phoneChar(r rune) rune {
	if r == '+' || (r >= '0' && r <= '9') {
		return r
	}
	return -1
}

// safeHref keeps only http(s) links; anything else is shown as text.
func safeHref(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	if u.Scheme == "" && u.Host == "" && s != "" && !strings.HasPrefix(s, "/") {
		u, err = url.Parse("https://" + s)
		if err != nil {
			return ""
		}
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

func displayURL(s string) string {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
	return strings.TrimSuffix(s, "/")
}

// currencySymbols are the currencies written with a symbol; others with their code.
var currencySymbols = map[string]string{"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}

// Money formats an amount in its currency, e.g. "$1,234,567" or "€12,500.50".
func Money(amount float64, currency string) string {
	sym := currencySymbols[strings.ToUpper(currency)]
	neg, s := decimal(amount)
	if sym == "" {
		s = s + " " + strings.ToUpper(currency)
	} else {
		s = sym + s
	}
	if neg {
		s = "-" + s
	}
	return strings.TrimSpace(s)
}

// Number formats a number with thousands separators, and two decimals when it
// has a fraction: "1,234,567", "-1,234.50".
func Number(f float64) string {
	neg, s := decimal(f)
	if neg {
		return "-" + s
	}
	return s
}

// decimal writes |f| rounded to hundredths, with thousands separators and the
// hundredths only when there are any. Rounding comes first so that 1.999 carries
// into "2", and neg is false when f rounds to zero, so -0.001 is "0", not "-0".
func decimal(f float64) (neg bool, s string) {
	hundredths := math.Round(math.Abs(f) * 100)
	whole := strconv.FormatFloat(math.Floor(hundredths/100), 'f', 0, 64)
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if frac := math.Mod(hundredths, 100); frac > 0 {
		fmt.Fprintf(&b, ".%02d", int(frac))
	}
	return f < 0 && hundredths > 0, b.String()
}
