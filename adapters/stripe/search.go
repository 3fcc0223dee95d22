package stripe

import (
	"cmp"
	"context"
	"errors"
	"net/url"
	"strings"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/atrium-dev/atrium/adapters"
)

// Bounds of a search.
const (
	defaultSearchLimit = 20
	// maxSearchLimit is the largest page Stripe's search API returns.
	maxSearchLimit = 100
	// minSubstring is the shortest text Stripe's substring operator (~)
	// accepts; a shorter name is matched exactly.
	minSubstring = 3
)

// Why a match was found.
const (
	matchedByEmail  = "email"
	matchedByName   = "name"
	matchedByDomain = "domain"
	matchedByID     = "id"
)

// Search finds customers by email address, by the CRM id in their metadata,
// by Stripe id, or by name; a domain also finds the customers whose email
// addresses are there.
func (a *Adapter) Search(ctx context.Context, q adapters.Query) ([]adapters.Match, error) {
	text := strings.TrimSpace(q.Text)
	if text == "" {
		return nil, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultSearchLimit
	}
	limit = min(limit, maxSearchLimit)

	if isCustomerID(text) {
		return a.searchByID(ctx, text)
	}
	query, by := a.searchQuery(text)
	var out []adapters.Match
	err := a.call(ctx, "search customers", func(ctx context.Context) error {
		params := &stripego.CustomerSearchParams{}
		params.Query = query
		params.Limit = stripego.Int64(int64(limit))
		for c, err := range a.api.V1Customers.Search(ctx, params) {
			if err != nil {
				return err
			}
			if c == nil || c.ID == "" || c.Deleted {
				continue
			}
			out = append(out, a.match(c, matchedBy(by, text, c)))
			if len(out) == limit {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// searchByID finds the customer of a Stripe id, if there is one.
func (a *Adapter) searchByID(ctx context.Context, id string) ([]adapters.Match, error) {
	c, err := a.customer(ctx, "search customer by id", id)
	switch {
	case errors.Is(err, adapters.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return []adapters.Match{a.match(c, matchedByID)}, nil
}

// searchQuery returns the Customer Search query for a text, and why what it
// finds matches.
func (a *Adapter) searchQuery(text string) (query, matchedBy string) {
	switch {
	case isEmail(text):
		return "email:" + quote(text), matchedByEmail
	case isSalesforceID(text):
		field := "metadata[" + quote(a.metadataKey) + "]:"
		clauses := []string{field + quote(text)}
		// The metadata may hold either form of the id.
		if len(text) == 15 {
			clauses = append(clauses, field+quote(salesforceID18(text)))
		} else {
			clauses = append(clauses, field+quote(text[:15]))
		}
		return strings.Join(clauses, " OR "), matchedByID
	case len([]rune(text)) < minSubstring:
		return "name:" + quote(text), matchedByName
	case isDomain(text):
		return "name~" + quote(text) + " OR email~" + quote(text), matchedByDomain
	}
	return "name~" + quote(text), matchedByName
}

// quote makes a string value of Stripe's search query language: in single
// quotes, with quotes and backslashes escaped by a backslash, so that no text
// runs as query syntax.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		if r == '\'' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String()
}

// match builds the search result of a customer.
func (a *Adapter) match(c *stripego.Customer, matchedBy string) adapters.Match {
	m := adapters.Match{
		Source:    a.source,
		ID:        c.ID,
		Name:      displayName(c),
		URL:       a.dashboardURL("customers", c.ID),
		MatchedBy: matchedBy,
	}
	if c.Address != nil {
		m.City = c.Address.City
	}
	m.Keys = a.keys(c)
	return m
}

// keys are the identifying keys of a customer: its email address and that
// address's domain, and the CRM id its metadata holds.
func (a *Adapter) keys(c *stripego.Customer) []adapters.Key {
	var keys []adapters.Key
	if email := strings.ToLower(strings.TrimSpace(c.Email)); email != "" {
		keys = append(keys, adapters.Key{Kind: adapters.KeyEmail, Value: email})
		if _, domain, ok := strings.Cut(email, "@"); ok && domain != "" {
			keys = append(keys, adapters.Key{Kind: adapters.KeyDomain, Value: domain})
		}
	}
	if id := externalID(c.Metadata[a.metadataKey]); id != "" {
		keys = append(keys, adapters.Key{Kind: adapters.KeyExternalID, Value: id})
	}
	return keys
}

// matchedBy says why a customer found by a query of kind by matches text: a
// domain search finds names and email addresses alike.
func matchedBy(by, text string, c *stripego.Customer) string {
	if by == matchedByDomain && !strings.Contains(strings.ToLower(c.Email), strings.ToLower(text)) {
		return matchedByName
	}
	return by
}

// externalID returns the external-id key value of a CRM id held in metadata:
// "salesforce:" and the id, in its 18-character form when it is a Salesforce
// id; "" when there is none.
func externalID(v string) string {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return ""
	case len(v) == 15 && isSalesforceID(v):
		v = salesforceID18(v)
	}
	return ExternalIDSystem + ":" + v
}

// displayName is what a customer is called: its name, or its email address or
// id when it has none.
func displayName(c *stripego.Customer) string {
	return cmp.Or(strings.TrimSpace(c.Name), strings.TrimSpace(c.Email), c.ID)
}

// isCustomerID reports whether s has the form of a Stripe customer id.
func isCustomerID(s string) bool {
	rest, ok := strings.CutPrefix(s, "cus_")
	return ok && rest != "" && isAlnum(rest)
}

// isSalesforceID reports whether s has the form of a Salesforce account id:
// 15 or 18 letters and digits, with the account key prefix 001.
func isSalesforceID(s string) bool {
	return (len(s) == 15 || len(s) == 18) && strings.HasPrefix(s, "001") && isAlnum(s)
}

// salesforceID18 returns the 18-character form of a 15-character Salesforce
// id: three suffix characters encode which letters of each block of five are
// upper case, so that the id survives case-insensitive comparison.
func salesforceID18(id string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
	suffix := make([]byte, 3)
	for block := range 3 {
		bits := 0
		for i := range 5 {
			if c := id[block*5+i]; 'A' <= c && c <= 'Z' {
				bits |= 1 << i
			}
		}
		suffix[block] = alphabet[bits]
	}
	return id + string(suffix)
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// isEmail reports whether a search text is an email address rather than a name.
func isEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && !strings.ContainsAny(s, " \t,;<>") && isDomain(domain)
}

// isDomain reports whether s looks like a domain name ("acme.com").
func isDomain(s string) bool {
	if !strings.Contains(s, ".") || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") {
		return false
	}
	u, err := url.Parse("https://" + s)
	if err != nil || u.Host != s {
		return false
	}
	for _, r := range strings.ToLower(s) {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}
