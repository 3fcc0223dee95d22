package salesforce

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/atrium-dev/atrium/adapters"
)

// Bounds of a search.
const (
	defaultSearchLimit = 20
	maxSearchLimit     = 200
	// searchOverfetch: the query reads more accounts than asked for, so that an
	// exact match sorted late by name still makes the cut after ranking.
	searchOverfetch = 5
)

// Ranks of a match, best first.
const (
	rankID = iota
	rankExact
	rankPrefix
	rankContains
	rankOther
)

// searchFields are the Account fields a match shows.
const searchFields = "Id, Name, Industry, Website, BillingCity, Owner.Name"

type accountSummary struct {
	ID          string `json:"Id"`
	Name        string `json:"Name"`
	Industry    string `json:"Industry"`
	Website     string `json:"Website"`
	BillingCity string `json:"BillingCity"`
	Owner       *struct {
		Name string `json:"Name"`
	} `json:"Owner"`
}

// candidate is an account found by a search, with why and how well.
type candidate struct {
	acct      accountSummary
	id        string // 18-character form
	rank      int
	matchedBy string
	emails    []string
}

// Search finds accounts by name, website domain, contact email or id. Exact
// matches come first.
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

	var found []*candidate
	var err error
	if isEmail(text) {
		found, err = a.searchByEmail(ctx, text, limit)
	} else {
		found, err = a.searchByText(ctx, text, limit)
	}
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(found, func(x, y *candidate) int {
		return cmp.Or(
			cmp.Compare(x.rank, y.rank),
			strings.Compare(strings.ToLower(x.acct.Name), strings.ToLower(y.acct.Name)),
			strings.Compare(x.id, y.id),
		)
	})
	if len(found) > limit {
		found = found[:limit]
	}
	out := make([]adapters.Match, len(found))
	for i, c := range found {
		out[i] = a.match(c)
	}
	return out, nil
}

// searchByText matches account names and websites, and the id when the text is
// an account id, in one query.
func (a *Adapter) searchByText(ctx context.Context, text string, limit int) ([]*candidate, error) {
	where := []string{"Name LIKE " + likeContains(text)}
	domain := domainOf(text)
	if domain != "" {
		where = append(where, "Website LIKE "+likeContains(domain))
	}
	// An account id in any of its forms (15 characters, 18 in any case) finds
	// the account by its canonical id.
	id := ""
	if c, err := Canonical(text); err == nil && strings.HasPrefix(c, "001") {
		id = c
		where = append(where, "Id = "+Quote(id))
	}
	soql := fmt.Sprintf("SELECT %s FROM Account WHERE %s ORDER BY Name LIMIT %d",
		searchFields, strings.Join(where, " OR "), min(limit*searchOverfetch, maxSearchLimit))
	accts, err := a.queryAccounts(ctx, soql)
	if err != nil {
		return nil, fmt.Errorf("salesforce: search accounts: %w", err)
	}
	var out []*candidate
	seen := map[string]bool{}
	for _, acct := range accts {
		c, err := newCandidate(acct)
		if err != nil {
			return nil, fmt.Errorf("salesforce: search accounts: %w", err)
		}
		if seen[c.id] {
			continue
		}
		seen[c.id] = true
		c.rank, c.matchedBy = rankText(c, text, domain, id)
		out = append(out, c)
	}
	return out, nil
}

// rankText says why and how well an account matches a text search.
func rankText(c *candidate, text, domain, id string) (int, string) {
	name, t := strings.ToLower(c.acct.Name), strings.ToLower(text)
	site := domainOf(c.acct.Website)
	switch {
	case id != "" && c.id == id:
		return rankID, "id"
	case name == t:
		return rankExact, "name"
	case domain != "" && site == domain:
		return rankExact, "domain"
	case strings.HasPrefix(name, t):
		return rankPrefix, "name"
	case strings.Contains(name, t):
		return rankContains, "name"
	case domain != "" && strings.Contains(strings.ToLower(c.acct.Website), domain):
		return rankContains, "domain"
	}
	// Salesforce matched by rules of its own (accents, collation).
	return rankOther, "name"
}

// searchByEmail finds the accounts of the contacts with this email address.
func (a *Adapter) searchByEmail(ctx context.Context, email string, limit int) ([]*candidate, error) {
	// Email = is case-insensitive in SOQL.
	soql := "SELECT AccountId, Email FROM Contact WHERE Email = " + Quote(email) +
		fmt.Sprintf(" AND AccountId != null LIMIT %d", maxSearchLimit)
	res, err := a.client.query(ctx, soql, a.queryOptions(0))
	if err != nil {
		return nil, fmt.Errorf("salesforce: search contacts by email: %w", err)
	}
	contacts, err := decodeRecords[struct {
		AccountID string `json:"AccountId"`
		Email     string `json:"Email"`
	}](res.Records)
	if err != nil {
		return nil, fmt.Errorf("salesforce: search contacts by email: %w", err)
	}
	emails := map[string][]string{} // by account id
	var ids []string
	for _, ct := range contacts {
		id, err := recordID(ct.AccountID)
		if err != nil {
			return nil, fmt.Errorf("salesforce: search contacts by email: %w", badShape(http.StatusOK, nil, err))
		}
		if _, ok := emails[id]; !ok {
			ids = append(ids, id)
			emails[id] = nil
		}
		if e := strings.ToLower(ct.Email); e != "" && !slices.Contains(emails[id], e) {
			emails[id] = append(emails[id], e)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = Quote(id)
	}
	soql = fmt.Sprintf("SELECT %s FROM Account WHERE Id IN (%s) ORDER BY Name LIMIT %d",
		searchFields, strings.Join(quoted, ", "), min(limit*searchOverfetch, maxSearchLimit))
	accts, err := a.queryAccounts(ctx, soql)
	if err != nil {
		return nil, fmt.Errorf("salesforce: search accounts by contact email: %w", err)
	}
	out := make([]*candidate, 0, len(accts))
	for _, acct := range accts {
		c, err := newCandidate(acct)
		if err != nil {
			return nil, fmt.Errorf("salesforce: search accounts by contact email: %w", err)
		}
		if _, ok := emails[c.id]; !ok {
			continue // not one asked for, or already taken
		}
		c.rank, c.matchedBy, c.emails = rankExact, "email", emails[c.id]
		delete(emails, c.id)
		out = append(out, c)
	}
	return out, nil
}

func (a *Adapter) queryAccounts(ctx context.Context, soql string) ([]accountSummary, error) {
	res, err := a.client.query(ctx, soql, a.queryOptions(0))
	if err != nil {
		return nil, err
	}
	return decodeRecords[accountSummary](res.Records)
}

func newCandidate(acct accountSummary) (*candidate, error) {
	id, err := recordID(acct.ID)
	if err != nil {
		return nil, badShape(http.StatusOK, nil, err)
	}
	return &candidate{acct: acct, id: id}, nil
}

// match builds the search result of a candidate.
func (a *Adapter) match(c *candidate) adapters.Match {
	m := adapters.Match{
		Source:    a.source,
		ID:        c.id,
		Name:      c.acct.Name,
		Industry:  c.acct.Industry,
		City:      c.acct.BillingCity,
		URL:       a.recordURL("Account", c.id),
		Keys:      []adapters.Key{{Kind: adapters.KeyExternalID, Value: c.id}},
		MatchedBy: c.matchedBy,
	}
	if c.acct.Owner != nil {
		m.Owner = c.acct.Owner.Name
	}
	if d := domainOf(c.acct.Website); d != "" {
		m.Keys = append(m.Keys, adapters.Key{Kind: adapters.KeyDomain, Value: d})
	}
	for _, e := range c.emails {
		m.Keys = append(m.Keys, adapters.Key{Kind: adapters.KeyEmail, Value: e})
	}
	return m
}

// isEmail reports whether a search text is an email address rather than a name.
func isEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && !strings.ContainsAny(s, " \t,;<>") &&
		!strings.Contains(domain, "@") && domainOf(domain) != ""
}
