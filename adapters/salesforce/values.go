package salesforce

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

// Date is a Salesforce date field ("2026-01-31"); the zero Date is null.
type Date struct{ time.Time }

// UnmarshalJSON reads a date or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date: %w", err)
	}
	if s == nil {
		d.Time = time.Time{}
		return nil
	}
	t, err := time.Parse(time.DateOnly, *s)
	if err != nil {
		return fmt.Errorf("date %q: %w", *s, err)
	}
	d.Time = t
	return nil
}

// DateTime is a Salesforce date-time field; the zero DateTime is null.
type DateTime struct{ time.Time }

// UnmarshalJSON reads a date-time or null.
func (d *DateTime) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date-time: %w", err)
	}
	if s == nil {
		d.Time = time.Time{}
		return nil
	}
	// The REST API writes "2026-01-31T17:05:00.000+0000", streaming payloads "…Z".
	layouts := [...]string{"2006-01-02T15:04:05.999999999-0700", time.RFC3339Nano}
	var err error
	for _, layout := range layouts {
		var t time.Time
		if t, err = time.Parse(layout, *s); err == nil {
			d.Time = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("date-time %q: %w", *s, err)
}

func moneyValue(amount *float64, currency string) adapters.Value {
	if amount == nil {
		return adapters.Value{Kind: adapters.KindMoney, Currency: currency}
	}
	return adapters.Value{Kind: adapters.KindMoney, Number: *amount, Currency: currency, Valid: true}
}

func numberValue(n *float64) adapters.Value {
	if n == nil {
		return adapters.Value{Kind: adapters.KindNumber}
	}
	return adapters.Value{Kind: adapters.KindNumber, Number: *n, Valid: true}
}

// percentValue keeps Salesforce's scale: Probability 75 is 75 %.
func percentValue(n *float64) adapters.Value {
	v := numberValue(n)
	v.Kind = adapters.KindPercent
	return v
}

func dateValue(d Date) adapters.Value {
	return adapters.Value{Kind: adapters.KindDate, Time: d.Time, Valid: !d.IsZero()}
}

func dateTimeValue(d DateTime) adapters.Value {
	return adapters.Value{Kind: adapters.KindDateTime, Time: d.Time, Valid: !d.IsZero()}
}

func kindValue(kind adapters.Kind, s string) adapters.Value {
	return adapters.Value{Kind: kind, Text: s, Valid: s != ""}
}

// websiteValue makes a followable URL of a Website field, which users often
// fill without a scheme ("www.acme.com").
func websiteValue(site string) adapters.Value {
	site = strings.TrimSpace(site)
	if site != "" && !strings.Contains(site, "://") {
		site = "https://" + site
	}
	return kindValue(adapters.KindURL, site)
}

// domainOf returns the lower-case host of a website or domain typed by a user,
// without "www.": "https://www.Acme.com/about" → "acme.com". It returns "" when
// s does not look like a domain.
func domainOf(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || strings.ContainsAny(s, " @") {
		return ""
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	host := strings.TrimPrefix(u.Hostname(), "www.")
	if !strings.Contains(host, ".") || strings.HasPrefix(host, ".") || strings.HasSuffix(host, ".") {
		return ""
	}
	for _, r := range host {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '.' || r == '-') {
			return ""
		}
	}
	return host
}
