package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/adapters/guard"
	"github.com/atrium-dev/atrium/adapters/salesforce"
	"github.com/atrium-dev/atrium/adapters/salesforce/sfsim"
	"github.com/atrium-dev/atrium/customer"
	"github.com/atrium-dev/atrium/legacy"
)

// sfPortal is a signed-in portal whose one source is a simulated Salesforce
// org, guarded as the binary guards it (without a cache, so that every page
// reaches the org).
type sfPortal struct {
	*portal
	sim *sfsim.Server
}

// startSalesforcePortal serves the demo org, whose tokens serve tokenUses
// calls each (0: no limit), and a portal on it with tools on the page.
func startSalesforcePortal(t *testing.T, tokenUses int, tools []legacy.Tool) *sfPortal {
	t.Helper()
	sim := sfsim.New(sfsim.Options{Username: sfsim.DemoUsername, ClientID: simClientID, ClientSecret: simClientSecret,
		Data: faultData(), TokenUses: tokenUses})
	simSrv := httptest.NewServer(sim)
	t.Cleanup(simSrv.Close)
	sim.SetURL(simSrv.URL)
	s := &salesforce.Settings{Flow: salesforce.FlowClientCredentials, LoginURL: simSrv.URL,
		ClientID: simClientID, ClientSecret: simClientSecret}
	if probs := s.Validate(); len(probs) > 0 {
		t.Fatalf("settings: %+v", probs)
	}
	const timeout = 10 * time.Second
	a, err := salesforce.New(adapters.Source{Name: "salesforce", Title: "Salesforce", Timeout: timeout, Settings: s, HTTP: simSrv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	g := guard.Wrap(a, "salesforce", faultPolicy(), guard.WithTimeout(timeout))
	t.Cleanup(func() { g.Close() })
	p := startFull(t, customer.Source{Name: "salesforce", Title: "Salesforce", Timeout: timeout, Adapter: g}, 20*time.Second, tools)
	if resp, _ := p.login(t, "/", "dave", "demo-dave"); resp.StatusCode != http.StatusOK {
		t.Fatalf("sign-in ended with %d", resp.StatusCode)
	}
	return &sfPortal{portal: p, sim: sim}
}

// A Salesforce id written in 15 characters, or in 18 of any case, is the
// customer whose canonical id it is: its page, panels and timeline are sent to
// their canonical addresses, and a search by it finds the customer.
func TestSalesforceIDsInAnyForm(t *testing.T) {
	p := startSalesforcePortal(t, 0, nil)
	acme := sfsim.DemoAccountAcme
	for _, id := range []string{strings.ToLower(acme), strings.ToUpper(acme), acme[:15]} {
		t.Run(id, func(t *testing.T) {
			for _, tt := range []struct{ path, want string }{
				{"/customers/" + id, "/customers/" + acme},
				{"/customers/" + id + "/panels/salesforce/contacts", "/customers/" + acme + "/panels/salesforce/contacts"},
				{"/customers/" + id + "/timeline?kind=case&page=2", "/customers/" + acme + "/timeline?kind=case&page=2"},
			} {
				resp, _ := p.get(t, p.url+tt.path)
				if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != tt.want {
					t.Errorf("GET %s: %d to %q, want 301 to %s", tt.path, resp.StatusCode, resp.Header.Get("Location"), tt.want)
				}
			}
			resp, body := p.get(t, p.url+"/search?q="+url.QueryEscape(id))
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, `href="/customers/`+acme+`?q=`) {
				t.Errorf("search by %s: %d\n%s", id, resp.StatusCode, body)
			}
		})
	}
	resp, body := p.get(t, p.url+"/customers/"+acme)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Acme Corporation") {
		t.Fatalf("the canonical page: %d\n%s", resp.StatusCode, body)
	}
	for facet, panel := range panelsOf(body) {
		if strings.Contains(panel, `class="problem"`) {
			t.Errorf("the %s panel has a problem:\n%s", facet, panel)
		}
	}
}

// A malformed id and an unknown one are answered 404 "Customer not found" at
// once: no panel, no tool frame, no signed request; a malformed one without
// a call to the org, by the page, a panel or the timeline alike.
func TestMalformedAndUnknownIDsAreNotFound(t *testing.T) {
	tool := httptest.NewServer(http.NotFoundHandler())
	defer tool.Close()
	tools := []legacy.Tool{
		{ID: "lookup", Title: "Lookup", Mode: legacy.ModeIframe, Origin: tool.URL, URL: tool.URL + "/frame?c={{.Customer}}"},
		{ID: "credit", Title: "Credit", Mode: legacy.ModeSigned, Origin: tool.URL, URL: tool.URL + "/canvas", Secret: []byte(secret)},
	}
	p := startSalesforcePortal(t, 0, tools)
	acme := sfsim.DemoAccountAcme
	malformed := map[string]string{
		"bad checksum":  acme[:15] + "5AA", // 5 marks three digits upper-case
		"bad character": acme[:15] + "9AA",
		"wrong length":  acme[:16],
		"not an id":     "acme-corporation",
	}
	for name, id := range malformed {
		t.Run(name, func(t *testing.T) {
			before := p.sim.Requests() + p.sim.Calls(sfsim.EndpointToken)
			for _, path := range []string{"/customers/" + id, "/customers/" + id + "/panels/salesforce/contacts", "/customers/" + id + "/timeline"} {
				resp, body := p.get(t, p.url+path)
				wantNotFound(t, path, resp, body)
			}
			if n := p.sim.Requests() + p.sim.Calls(sfsim.EndpointToken) - before; n != 0 {
				t.Errorf("a malformed id cost %d calls to the org", n)
			}
		})
	}
	t.Run("unknown", func(t *testing.T) {
		path := "/customers/" + sfsim.To18("001Dn0000NoSuch")
		resp, body := p.get(t, p.url+path)
		wantNotFound(t, path, resp, body)
	})
	// The page of a customer that exists opens its tools.
	if _, body := p.get(t, p.url+"/customers/"+acme); !strings.Contains(body, `name="signed_request"`) || !strings.Contains(body, tool.URL+"/frame?c="+acme) {
		t.Errorf("the tools are not on the page of a customer that exists:\n%s", body)
	}
}

// wantNotFound checks a 404 "Customer not found" answer that shows nothing of
// a customer page.
func wantNotFound(t *testing.T, path string, resp *http.Response, body string) {
	t.Helper()
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "Customer not found") {
		t.Errorf("GET %s: %d, want 404 Customer not found\n%s", path, resp.StatusCode, body)
	}
	for _, part := range []string{`class="panel`, "<iframe", `name="signed_request"`, "rejected Atrium's request", "Salesforce"} {
		if strings.Contains(body, part) {
			t.Errorf("GET %s shows %q:\n%s", path, part, body)
		}
	}
}

// TestExpiringTokensWhilePanelsLoad opens Acme's page, whose four panels load
// at once, on an org whose tokens expire after one or two calls: every panel
// shows its data, nothing says Atrium could not sign in, and the org hands out
// only the tokens the calls it served need: one new token serves every panel
// that found the old one expired, and no panel asks for one that another has
// already obtained.
func TestExpiringTokensWhilePanelsLoad(t *testing.T) {
	const pages, callsPerPage = 3, 4 // the Account, Contacts, Opportunity and Case queries
	for _, uses := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d calls a token", uses), func(t *testing.T) {
			p := startSalesforcePortal(t, uses, nil)
			for i := range pages {
				resp, body := p.get(t, p.url+"/customers/"+sfsim.DemoAccountAcme)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("page %d: %d", i+1, resp.StatusCode)
				}
				panels := panelsOf(body)
				for _, facet := range []string{"account", "contacts", "opportunities", "cases"} {
					if got, ok := panels[facet]; !ok || strings.Contains(got, `class="problem"`) {
						t.Errorf("page %d: the %s panel:\n%s", i+1, facet, got)
					}
				}
				if strings.Contains(body, "could not sign in") {
					t.Errorf("page %d says Atrium could not sign in", i+1)
				}
			}
			served, _ := p.sim.APIUsage()
			if served != pages*callsPerPage {
				t.Errorf("the org served %d calls, want %d", served, pages*callsPerPage)
			}
			want := (served + uses - 1) / uses
			if got := p.sim.Calls(sfsim.EndpointToken); got != want {
				t.Errorf("%d token requests for %d calls of %d a token, want %d", got, served, uses, want)
			}
		})
	}
}
