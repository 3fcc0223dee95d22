package guard_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/adaptertest"
	"github.com/atrium-dev/atrium/adapters/guard"
	"github.com/atrium-dev/atrium/adapters/salesforce"
	"github.com/atrium-dev/atrium/adapters/salesforce/sfsim"
)

// A guarded adapter is an adapter: it meets the contract of the one it wraps.
func TestContract(t *testing.T) {
	const clientID, clientSecret = "guard-test-client", "guard-test-secret"
	const email = "robin.guard@oreilly-media-group.com"
	data := sfsim.DemoData(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	if _, err := data.Add("Contact", sfsim.Fields{"AccountId": sfsim.DemoAccountApostrophe,
		"FirstName": "Robin", "LastName": "Guard", "Email": email}); err != nil {
		t.Fatal(err)
	}
	adaptertest.Run(t, adaptertest.Fixture{
		New: func(t *testing.T) adapters.Adapter {
			sim := sfsim.New(sfsim.Options{ClientID: clientID, ClientSecret: clientSecret, Data: data})
			ts := httptest.NewServer(sim)
			t.Cleanup(ts.Close)
			sim.SetURL(ts.URL)
			s := &salesforce.Settings{Flow: salesforce.FlowClientCredentials, LoginURL: ts.URL,
				ClientID: clientID, ClientSecret: clientSecret}
			if probs := s.Validate(); len(probs) > 0 {
				t.Fatalf("settings: %+v", probs)
			}
			a, err := salesforce.New(adapters.Source{Name: "salesforce", Title: "Salesforce",
				Timeout: 20 * time.Second, Settings: s, HTTP: ts.Client()})
			if err != nil {
				t.Fatal(err)
			}
			g := guard.Wrap(a, "salesforce", guard.DefaultPolicy(),
				guard.WithUsage(a.(*salesforce.Adapter).Client()))
			t.Cleanup(func() { g.Close() })
			return g
		},
		Source:    "salesforce",
		Search:    adaptertest.SearchCase{Text: "Acme", ID: sfsim.DemoAccountAcme},
		Email:     adaptertest.SearchCase{Text: email, ID: sfsim.DemoAccountApostrophe},
		Domain:    adaptertest.SearchCase{Text: "globex-logistics.com", ID: sfsim.DemoAccountManyDeals},
		Broad:     "in",
		KnownID:   sfsim.DemoAccountAcme,
		UnknownID: sfsim.To18("001Dn0000NoSuch"),
	})
}
