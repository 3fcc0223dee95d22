package salesforce_test

import (
	"cmp"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/salesforce"
	"github.com/atrium-dev/atrium/adapters/salesforce/sfsim"
)

// Credentials the simulated org accepts.
const (
	testConsumerKey  = "atrium-test-consumer-key"
	testClientID     = "atrium-test-client-id"
	testClientSecret = "atrium-test-client-secret"
	testSource       = "salesforce"
)

// demoNow fixes the demo data's dates.
var demoNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// demoData is built once: seeding thousands of records takes about half a
// second under the race detector, and each simulator copies the data set.
var demoData = sync.OnceValue(func() *sfsim.Dataset { return sfsim.DemoData(demoNow) })

// simOrg is a simulated org and an adapter of it.
type simOrg struct {
	sim     *sfsim.Server
	adapter *salesforce.Adapter
}

// orgConfig tunes a simulated org and its adapter; the zero value is the demo
// org read with the client credentials flow and default settings.
type orgConfig struct {
	flow    string
	data    *sfsim.Dataset
	maxRows int
	timeout time.Duration
	// simBatch caps the simulator's query pages; zero means 2000.
	simBatch int
	// tokenUses is how many calls a token serves before it expires; zero
	// means no limit.
	tokenUses int
}

// startOrg serves a simulated org and returns it with an adapter built the way
// the registry builds one: settings validated, then New.
func startOrg(t *testing.T, cfg orgConfig) *simOrg {
	t.Helper()
	if cfg.flow == "" {
		cfg.flow = salesforce.FlowClientCredentials
	}
	if cfg.data == nil {
		cfg.data = demoData()
	}
	key := sfsim.NewTestKey()
	sim := sfsim.New(sfsim.Options{
		ConsumerKey:  testConsumerKey,
		Username:     sfsim.DemoUsername,
		PublicKey:    &key.PublicKey,
		ClientID:     testClientID,
		ClientSecret: testClientSecret,
		BatchSize:    cfg.simBatch,
		TokenUses:    cfg.tokenUses,
		Data:         cfg.data,
	})
	ts := httptest.NewServer(sim)
	t.Cleanup(ts.Close)
	sim.SetURL(ts.URL)

	s := &salesforce.Settings{Flow: cfg.flow, LoginURL: ts.URL, MaxRows: cfg.maxRows}
	switch cfg.flow {
	case salesforce.FlowJWT:
		s.ClientID, s.Username, s.PrivateKey = testConsumerKey, sfsim.DemoUsername, pemOf(t, key)
	case salesforce.FlowClientCredentials:
		s.ClientID, s.ClientSecret = testClientID, testClientSecret
	}
	if probs := s.Validate(); len(probs) > 0 {
		t.Fatalf("settings: %+v", probs)
	}
	timeout := cfg.timeout
	if timeout == 0 {
		timeout = 20 * time.Second
	}
	a, err := salesforce.New(adapters.Source{Name: testSource, Title: "Salesforce", Timeout: timeout, Settings: s, HTTP: ts.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return &simOrg{sim: sim, adapter: a.(*salesforce.Adapter)}
}

func pemOf(t *testing.T, key *rsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func (o *simOrg) fetch(t *testing.T, id, facet string) *adapters.Facet {
	t.Helper()
	f, err := o.adapter.Fetch(testContext(t), adapters.FetchRequest{ID: id, Facet: facet})
	if err != nil {
		t.Fatalf("Fetch(%s, %s): %v", id, facet, err)
	}
	if len(f.Tables) == 0 && facet != salesforce.FacetAccount {
		t.Fatalf("Fetch(%s, %s) has no table", id, facet)
	}
	return f
}

// query runs SOQL through the adapter's client, bypassing the adapter, and
// decodes the records into T.
func query[T any](t *testing.T, o *simOrg, soql string) []T {
	t.Helper()
	res, err := o.adapter.Client().Query(testContext(t), soql, salesforce.QueryOptions{})
	if err != nil {
		t.Fatalf("%s: %v", soql, err)
	}
	out := make([]T, len(res.Records))
	for i, r := range res.Records {
		if err := r.Decode(&out[i]); err != nil {
			t.Fatalf("%s: record %d: %v", soql, i, err)
		}
	}
	return out
}

func TestContactsReadThroughChildPages(t *testing.T) {
	tests := []struct {
		name      string
		maxRows   int
		simBatch  int
		wantRows  int
		wantTotal int
		// paged: the rows wanted do not fit the first page of the child result.
		paged bool
	}{
		{"all rows when max_rows allows", 3000, 0, sfsim.DemoManyContacts, sfsim.DemoManyContacts, true},
		{"all rows in small pages", 3000, 200, sfsim.DemoManyContacts, sfsim.DemoManyContacts, true},
		{"rows capped, total complete", 0, 0, salesforce.DefaultMaxRows, sfsim.DemoManyContacts, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := startOrg(t, orgConfig{maxRows: tt.maxRows, simBatch: tt.simBatch})
			tb := o.fetch(t, sfsim.DemoAccountManyContacts, salesforce.FacetContacts).Tables[0]
			if len(tb.Rows) != tt.wantRows || tb.Total != tt.wantTotal {
				t.Errorf("contacts: %d rows, Total %d; want %d rows, Total %d", len(tb.Rows), tb.Total, tt.wantRows, tt.wantTotal)
			}
			urls := map[string]bool{}
			for _, r := range tb.Rows {
				urls[r.URL] = true
			}
			if len(urls) != len(tb.Rows) {
				t.Errorf("contacts: %d distinct records among %d rows: a page was read twice", len(urls), len(tb.Rows))
			}
			if pages := o.sim.Calls(sfsim.EndpointQueryMore); tt.paged && pages == 0 {
				t.Error("no nextRecordsUrl page was read: the child result did not page")
			}
		})
	}
}

func TestOpportunitiesSummarizeEveryRecord(t *testing.T) {
	tests := []struct {
		name     string
		maxRows  int
		wantRows int
	}{
		{"default max_rows", 0, salesforce.DefaultMaxRows},
		// Fewer rows than open opportunities: the summary must still cover all.
		{"small max_rows", 100, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := startOrg(t, orgConfig{maxRows: tt.maxRows})
			tb := o.fetch(t, sfsim.DemoAccountManyDeals, salesforce.FacetOpportunities).Tables[0]
			if tb.Total != sfsim.DemoManyDeals || len(tb.Rows) != tt.wantRows {
				t.Errorf("opportunities: Total %d, %d rows; want Total %d, %d rows", tb.Total, len(tb.Rows), sfsim.DemoManyDeals, tt.wantRows)
			}

			open := query[struct{ Amount *float64 }](t, o, "SELECT Amount FROM Opportunity WHERE AccountId = '"+
				sfsim.DemoAccountManyDeals+"' AND IsClosed = false")
			var pipeline float64
			for _, r := range open {
				if r.Amount != nil {
					pipeline += *r.Amount
				}
			}
			if pipeline == 0 {
				t.Fatal("the demo account has no open pipeline to check the summary against")
			}
			if tt.maxRows > 0 && len(open) <= tt.maxRows {
				t.Fatalf("the demo account has %d open opportunities: max_rows %d leaves none out", len(open), tt.maxRows)
			}
			checkSummary(t, tb, map[string]float64{"Open pipeline": pipeline, "Open": float64(len(open))})
		})
	}
}

func TestCasesSummarizeEveryRecord(t *testing.T) {
	o := startOrg(t, orgConfig{})
	tb := o.fetch(t, sfsim.DemoAccountManyDeals, salesforce.FacetCases).Tables[0]
	if tb.Total != sfsim.DemoManyDealsCases || len(tb.Rows) != sfsim.DemoManyDealsCases {
		t.Errorf("cases: Total %d, %d rows; want %d of both", tb.Total, len(tb.Rows), sfsim.DemoManyDealsCases)
	}
	open := query[struct {
		ID string `json:"Id"`
	}](t, o, "SELECT Id FROM Case WHERE AccountId = '"+
		sfsim.DemoAccountManyDeals+"' AND ClosedDate = null")
	if len(open) == 0 {
		t.Fatal("the demo account has no open case: nothing to check the summary against")
	}
	checkSummary(t, tb, map[string]float64{"Open cases": float64(len(open))})
}

func checkSummary(t *testing.T, tb adapters.Table, want map[string]float64) {
	t.Helper()
	got := map[string]float64{}
	for _, m := range tb.Summary {
		if m.Value.Valid {
			got[m.Label] = m.Value.Number
		}
	}
	for label, w := range want {
		if g, ok := got[label]; !ok || g != w {
			t.Errorf("summary %q = %v (present: %v), want %v", label, g, ok, w)
		}
	}
}

func TestSearchFindsNamesNeedingEscapes(t *testing.T) {
	o := startOrg(t, orgConfig{})
	tests := []struct {
		text, wantID string
		first        bool // an exact name comes first
	}{
		{"O'Reilly", sfsim.DemoAccountApostrophe, false},
		{"o'reilly media group", sfsim.DemoAccountApostrophe, true},
		{"100%", sfsim.DemoAccountPercent, false},
		{"100% Pure Foods", sfsim.DemoAccountPercent, true},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			ms, err := o.adapter.Search(testContext(t), adapters.Query{Text: tt.text})
			if err != nil {
				t.Fatalf("Search(%q): %v", tt.text, err)
			}
			if len(ms) == 0 || tt.first && ms[0].ID != tt.wantID {
				t.Fatalf("Search(%q) = %v, want %s first", tt.text, ms, tt.wantID)
			}
			found := false
			for _, m := range ms {
				found = found || m.ID == tt.wantID
				if !strings.Contains(strings.ToLower(m.Name), strings.ToLower(tt.text)) {
					t.Errorf("Search(%q) matched %q", tt.text, m.Name)
				}
			}
			if !found {
				t.Errorf("Search(%q) = %v, want %s among them", tt.text, ms, tt.wantID)
			}
		})
	}
}

func TestSearchByEmailAndDomain(t *testing.T) {
	o := startOrg(t, orgConfig{})
	contacts := query[struct{ Email string }](t, o, "SELECT Email FROM Contact WHERE AccountId = '"+
		sfsim.DemoAccountApostrophe+"' AND Email != null ORDER BY Email LIMIT 1")
	if len(contacts) == 0 {
		t.Fatal("the demo account has no contact with an email")
	}
	email := contacts[0].Email
	tests := []struct {
		text, wantID, matchedBy string
		key                     adapters.Key
	}{
		{email, sfsim.DemoAccountApostrophe, "email", adapters.Key{Kind: adapters.KeyEmail, Value: strings.ToLower(email)}},
		{strings.ToUpper(email), sfsim.DemoAccountApostrophe, "email", adapters.Key{Kind: adapters.KeyEmail, Value: strings.ToLower(email)}},
		{"globex-logistics.com", sfsim.DemoAccountManyDeals, "domain", adapters.Key{Kind: adapters.KeyDomain, Value: "globex-logistics.com"}},
		{"https://www.Globex-Logistics.com/about", sfsim.DemoAccountManyDeals, "domain", adapters.Key{Kind: adapters.KeyDomain, Value: "globex-logistics.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			ms, err := o.adapter.Search(testContext(t), adapters.Query{Text: tt.text})
			if err != nil {
				t.Fatalf("Search(%q): %v", tt.text, err)
			}
			if len(ms) == 0 || ms[0].ID != tt.wantID {
				t.Fatalf("Search(%q) = %v, want %s first", tt.text, ms, tt.wantID)
			}
			m := ms[0]
			hasKey := false
			for _, k := range m.Keys {
				hasKey = hasKey || k == tt.key
			}
			if m.MatchedBy != tt.matchedBy || !hasKey {
				t.Errorf("Search(%q): MatchedBy %q, Keys %v; want %q and key %v", tt.text, m.MatchedBy, m.Keys, tt.matchedBy, tt.key)
			}
		})
	}
}

func TestExpiredSessionIsRenewedOnce(t *testing.T) {
	for _, flow := range []string{salesforce.FlowJWT, salesforce.FlowClientCredentials} {
		t.Run(flow, func(t *testing.T) {
			o := startOrg(t, orgConfig{flow: flow})
			o.fetch(t, sfsim.DemoAccountAcme, salesforce.FacetAccount)
			tokens, calls := o.sim.TokensIssued(), o.sim.Calls(sfsim.EndpointToken)

			o.sim.Inject(sfsim.Fault{Kind: sfsim.FaultExpireSessions})
			f := o.fetch(t, sfsim.DemoAccountAcme, salesforce.FacetAccount)
			if name := f.Fields[adapters.FieldName].Text; name != "Acme Corporation" {
				t.Errorf("name = %q after renewing the session", name)
			}
			if got := o.sim.Calls(sfsim.EndpointToken) - calls; got != 1 {
				t.Errorf("%d token requests after the session expired, want 1", got)
			}
			if got := o.sim.TokensIssued() - tokens; got != 1 {
				t.Errorf("%d tokens issued after the session expired, want 1", got)
			}
		})
	}
}

func TestFaultsMapToErrorClasses(t *testing.T) {
	tests := []struct {
		name  string
		fault sfsim.Fault
		want  error
		// bodyPart, when set, is a piece of the answer the error must keep for
		// the logs, and never put in its message.
		bodyPart string
		// requests, when set, is how many requests the call may make: one means
		// no retry.
		requests int
	}{
		{"limit exceeded", sfsim.Fault{Kind: sfsim.FaultLimitExceeded}, adapters.ErrLimitExceeded, "", 1},
		{"status 500", sfsim.Fault{Kind: sfsim.FaultStatus, Status: 500}, adapters.ErrUnavailable, "", 0},
		{"status 503", sfsim.Fault{Kind: sfsim.FaultStatus, Status: 503}, adapters.ErrUnavailable, "", 0},
		{"malformed JSON", sfsim.Fault{Kind: sfsim.FaultMalformedJSON}, adapters.ErrBadResponse, `"attributes":{"type":"Acc`, 0},
		{"wrong shape", sfsim.Fault{Kind: sfsim.FaultWrongShape}, adapters.ErrBadResponse, `"totalSize":"many"`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := startOrg(t, orgConfig{})
			o.fetch(t, sfsim.DemoAccountAcme, salesforce.FacetAccount) // signed in
			o.sim.ResetCounters()
			o.sim.Inject(tt.fault)

			f, err := o.adapter.Fetch(testContext(t), adapters.FetchRequest{ID: sfsim.DemoAccountAcme, Facet: salesforce.FacetAccount})
			if !errors.Is(err, tt.want) {
				t.Fatalf("Fetch = %v, %v; want an error matching %v", f, err, tt.want)
			}
			if tt.requests > 0 && o.sim.Requests() != tt.requests {
				t.Errorf("%d requests made, want %d", o.sim.Requests(), tt.requests)
			}
			if tt.bodyPart != "" {
				if raw := adapters.RawBody(err); !strings.Contains(raw, tt.bodyPart) {
					t.Errorf("RawBody = %q, want the answer holding %q", raw, tt.bodyPart)
				}
				if strings.Contains(err.Error(), tt.bodyPart) {
					t.Errorf("error message %q quotes the raw answer", err)
				}
			}
		})
	}
}

func TestSlowAnswerEndsAtTheDeadline(t *testing.T) {
	const deadline, margin = 300 * time.Millisecond, 700 * time.Millisecond
	tests := []struct {
		name          string
		sourceTimeout time.Duration // the adapter's own bound
		ctxTimeout    time.Duration // the caller's
	}{
		{"caller's deadline", 0, deadline},
		{"source timeout", deadline, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := startOrg(t, orgConfig{timeout: tt.sourceTimeout})
			o.fetch(t, sfsim.DemoAccountAcme, salesforce.FacetAccount) // signed in
			o.sim.Inject(sfsim.Fault{Kind: sfsim.FaultLatency, Latency: time.Minute})

			// Without a deadline of the caller's, a guard ends a hung call early.
			ctx, cancel := context.WithTimeout(t.Context(), cmp.Or(tt.ctxTimeout, 5*time.Second))
			defer cancel()
			start := time.Now()
			_, err := o.adapter.Fetch(ctx, adapters.FetchRequest{ID: sfsim.DemoAccountAcme, Facet: salesforce.FacetAccount})
			elapsed := time.Since(start)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Fetch: %v, want an error matching context.DeadlineExceeded", err)
			}
			if elapsed > deadline+margin {
				t.Errorf("Fetch returned after %s, want at most %s", elapsed, deadline+margin)
			}
		})
	}
}

func TestCheckReportsAPIUsage(t *testing.T) {
	tests := []struct {
		name        string
		used, limit int
		wantOK      bool
	}{
		{"near the limit", 95000, 100000, true},
		{"spent", 100000, 100000, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := startOrg(t, orgConfig{})
			o.sim.SetAPIUsage(tt.used, tt.limit)
			h := o.adapter.Check(testContext(t))
			used, limit := o.sim.APIUsage()
			if h.OK != tt.wantOK || h.APIUsed != used || h.APILimit != limit {
				t.Errorf("Check() = %+v; want OK %v, APIUsed %d, APILimit %d as the org reported", h, tt.wantOK, used, limit)
			}
			if used < tt.used || limit != tt.limit {
				t.Errorf("org usage %d/%d, set to %d/%d", used, limit, tt.used, tt.limit)
			}
		})
	}
}
